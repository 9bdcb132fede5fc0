//! Rows into SQLite through its C API, the way the `sqlite3` shell's `.import` does it:
//! one prepared single-row INSERT, its values bound in place (no copies), stepped and
//! reset per row. A 12315 import binds some 25 million values per million rows; through
//! sqlx's `Any` driver each of them was converted twice and sent to a worker thread,
//! which made binding, not SQLite, the slowest part of an import. Here the values go
//! from the importer's records straight into SQLite.
//!
//! Everything unsafe is in this file. The database handle is borrowed from sqlx's
//! `LockedSqliteHandle`, which keeps sqlx's own worker thread off the connection while
//! it is held; a `Statement` cannot outlive that borrow.

use std::ffi::{c_char, c_int, CStr};
use std::marker::PhantomData;
use std::ptr::NonNull;

use libsqlite3_sys as ffi;
use sqlx::sqlite::LockedSqliteHandle;

use crate::{StoreError, StoreResult};

/// A connection's raw handle, for as long as sqlx's worker is locked out of it.
pub(crate) struct Db<'h> {
    db: NonNull<ffi::sqlite3>,
    _handle: PhantomData<&'h mut ()>,
}

impl<'h> Db<'h> {
    pub(crate) fn new(handle: &'h mut LockedSqliteHandle<'_>) -> Db<'h> {
        Db {
            db: handle.as_raw_handle(),
            _handle: PhantomData,
        }
    }

    /// Turns triggers off on this connection only (`SQLITE_DBCONFIG_ENABLE_TRIGGER`).
    pub(crate) fn disable_triggers(&self) -> StoreResult<()> {
        let mut now_enabled: c_int = -1;
        // SAFETY: the handle is open and locked for us; this option takes an int and a
        // pointer to an int, which receives the new setting.
        let rc = unsafe {
            ffi::sqlite3_db_config(
                self.db.as_ptr(),
                ffi::SQLITE_DBCONFIG_ENABLE_TRIGGER,
                0 as c_int,
                &mut now_enabled as *mut c_int,
            )
        };
        if rc != ffi::SQLITE_OK || now_enabled != 0 {
            return Err(error(self.db, "turning triggers off"));
        }
        Ok(())
    }

    /// Prepares one statement (`sql` must hold exactly one).
    pub(crate) fn prepare<'a>(&'a self, sql: &str) -> StoreResult<Statement<'a>> {
        let db = self.db;
        let len = c_int::try_from(sql.len())
            .map_err(|_| StoreError::Sqlite("statement too long".into()))?;
        let mut raw = std::ptr::null_mut();
        // SAFETY: `db` is an open connection locked for us while `self` lives; `sql` is
        // valid for `len` bytes (SQLite reads no further and needs no NUL given the
        // length).
        let rc = unsafe {
            ffi::sqlite3_prepare_v2(
                db.as_ptr(),
                sql.as_ptr().cast::<c_char>(),
                len,
                &mut raw,
                std::ptr::null_mut(),
            )
        };
        match NonNull::new(raw) {
            Some(raw) if rc == ffi::SQLITE_OK => {
                // SAFETY: `raw` is the statement just prepared.
                let arity = unsafe { ffi::sqlite3_bind_parameter_count(raw.as_ptr()) } as usize;
                Ok(Statement {
                    db,
                    raw,
                    arity,
                    _db: PhantomData,
                })
            }
            _ => Err(error(db, "prepare")),
        }
    }
}

/// A value to bind: borrowed, so binding copies nothing.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Param<'a> {
    Text(&'a str),
    Int(i64),
    Null,
}

impl<'a> From<&'a str> for Param<'a> {
    fn from(s: &'a str) -> Self {
        Param::Text(s)
    }
}

impl<'a> From<Option<&'a str>> for Param<'a> {
    fn from(s: Option<&'a str>) -> Self {
        s.map_or(Param::Null, Param::Text)
    }
}

impl From<i64> for Param<'_> {
    fn from(i: i64) -> Self {
        Param::Int(i)
    }
}

impl From<Option<i64>> for Param<'_> {
    fn from(i: Option<i64>) -> Self {
        i.map_or(Param::Null, Param::Int)
    }
}

/// A prepared statement on a locked connection; finalized when dropped, which its
/// lifetime puts before the lock is given back.
pub(crate) struct Statement<'a> {
    db: NonNull<ffi::sqlite3>,
    raw: NonNull<ffi::sqlite3_stmt>,
    arity: usize,
    _db: PhantomData<&'a Db<'a>>,
}

fn error(db: NonNull<ffi::sqlite3>, what: &str) -> StoreError {
    // SAFETY: the handle is open and locked for us; sqlite3_errmsg returns a string it
    // owns, valid until the next call on the connection, which we copy at once.
    let message = unsafe { CStr::from_ptr(ffi::sqlite3_errmsg(db.as_ptr())) };
    StoreError::Sqlite(format!("{what}: {}", message.to_string_lossy()))
}

impl Statement<'_> {
    /// Runs the statement once with `params` and returns how many rows it changed
    /// (an `INSERT … ON CONFLICT DO NOTHING` that met a conflict changed none).
    /// Text is bound without a copy: it only has to live until the statement is reset,
    /// which happens before this returns.
    pub(crate) fn execute(&mut self, params: &[Param<'_>]) -> StoreResult<u64> {
        if params.len() != self.arity {
            return Err(StoreError::Sqlite(format!(
                "{} values for {} parameters",
                params.len(),
                self.arity
            )));
        }
        if let Some(Param::Text(long)) = params
            .iter()
            .find(|p| matches!(p, Param::Text(s) if c_int::try_from(s.len()).is_err()))
        {
            return Err(StoreError::Sqlite(format!(
                "a value of {} bytes is too long to bind",
                long.len()
            )));
        }
        let stmt = self.raw.as_ptr();
        let mut rc = ffi::SQLITE_OK;
        for (i, p) in params.iter().enumerate() {
            let at = i as c_int + 1;
            // SAFETY: `stmt` is prepared on our locked connection and `at` is within
            // its parameters; every text's length fits a c_int (checked above).
            // SQLITE_STATIC: the text outlives the step and the reset below, after
            // which SQLite no longer reads it.
            rc = unsafe {
                match *p {
                    Param::Text(s) => ffi::sqlite3_bind_text(
                        stmt,
                        at,
                        s.as_ptr().cast::<c_char>(),
                        s.len() as c_int,
                        ffi::SQLITE_STATIC(),
                    ),
                    Param::Int(v) => ffi::sqlite3_bind_int64(stmt, at, v),
                    Param::Null => ffi::sqlite3_bind_null(stmt, at),
                }
            };
            if rc != ffi::SQLITE_OK {
                break;
            }
        }
        if rc == ffi::SQLITE_OK {
            // SAFETY: as above; the statement returns no rows, so one step runs it.
            rc = unsafe { ffi::sqlite3_step(stmt) };
        }
        let result = match rc {
            // SAFETY: the connection is ours; this counts the statement just run.
            ffi::SQLITE_DONE => Ok(unsafe { ffi::sqlite3_changes64(self.db.as_ptr()) } as u64),
            ffi::SQLITE_ROW => Err(StoreError::Sqlite("the statement returned rows".into())),
            _ => Err(error(self.db, "step")),
        };
        // SAFETY: resetting and clearing end SQLite's use of the borrowed text.
        unsafe {
            ffi::sqlite3_reset(stmt);
            ffi::sqlite3_clear_bindings(stmt);
        }
        result
    }
}

impl Drop for Statement<'_> {
    fn drop(&mut self) {
        // SAFETY: prepared by us on a connection still locked for us ('a).
        unsafe {
            ffi::sqlite3_finalize(self.raw.as_ptr());
        }
    }
}
