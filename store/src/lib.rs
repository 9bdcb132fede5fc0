//! The one place that holds Fangxin's SQL.
//!
//! Every query here runs unchanged on SQLite and on PostgreSQL through `sqlx::AnyPool`:
//! `$n` placeholders, `RETURNING`, `ON CONFLICT`, and only the column types both
//! databases decode the same way (text, 64-bit integers, floats). See ARCHITECTURE.md.

pub mod accounts;
pub mod applications;
pub mod audit;
pub mod batches;
pub mod complaints;
pub mod county;
pub mod dashboard;
pub mod demo;
pub mod evidence;
pub mod indicators;
pub mod live;
pub mod objects;
pub mod reference;
pub mod reviews;
pub mod settings;
mod sqlite_rows;
mod transitions;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};
use std::str::FromStr;
use std::time::Duration;

pub use batches::{Batch, BatchStatus};
pub use reference::{AreaRow, CategoryRow, MemberUnitRow};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("DATABASE_URL must start with sqlite: or postgres:, got {0:?}")]
    UnsupportedUrl(String),
    #[error("cannot create the database folder {path}: {source}")]
    Folder {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot reach the database: {0}")]
    Connect(sqlx::Error),
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database error: {0}")]
    Database(sqlx::Error),
    /// A unique constraint refused the write (the same on both databases): the thing is
    /// stored already. Callers match this variant; only the store reads sqlx's errors.
    #[error("already stored ({0})")]
    Duplicate(String),
    /// From SQLite's C API, used directly for a 12315 import's rows (`sqlite_rows`).
    #[error("database error: {0}")]
    Sqlite(String),
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
    #[error("refused: {0}")]
    Refused(String),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::Duplicate(
                d.constraint()
                    .map(str::to_string)
                    .unwrap_or_else(|| d.message().to_string()),
            ),
            _ => StoreError::Database(e),
        }
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// A handle on the database; cheap to clone (the pool is shared).
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// Where the database is, for the live-change listener (PostgreSQL's LISTEN needs a
    /// connection of its own). Never printed: it may hold a password.
    url: live::Url,
    /// The key of the audit chain's HMAC (`audit::AuditKey`), kept outside the database:
    /// with it, nobody who can only write the database can rewrite the chain.
    audit_key: Option<audit::AuditKey>,
}

static MIGRATE_SQLITE: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");
static MIGRATE_POSTGRES: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/postgres");

/// Options for opening the store; the defaults suit one server process.
#[derive(Clone, Debug)]
pub struct ConnectSettings {
    pub max_connections: u32,
    pub acquire_timeout: Duration,
}

impl Default for ConnectSettings {
    fn default() -> Self {
        ConnectSettings {
            max_connections: 16,
            acquire_timeout: Duration::from_secs(5),
        }
    }
}

impl Store {
    /// Opens a database from a URL. A SQLite file and its folder are created when missing.
    pub async fn connect(url: &str, settings: &ConnectSettings) -> StoreResult<Store> {
        sqlx::any::install_default_drivers();
        let (backend, url) = normalise_url(url)?;
        let options = AnyConnectOptions::from_str(&url).map_err(StoreError::Connect)?;
        let mut pool_options = AnyPoolOptions::new()
            .max_connections(settings.max_connections)
            .acquire_timeout(settings.acquire_timeout);
        if backend == Backend::Sqlite {
            // WAL lets readers go on while one writer commits; NORMAL is durable in WAL mode
            // except for the last transactions on power loss, not on a process crash.
            // A new database gets 16 KiB pages (SQLite's default is 4 KiB): a quarter of
            // the pages to read, write and look up in the WAL for the same rows, which
            // made a million-row import 15 % faster (measured on the same schema: 4.94 s
            // vs 4.20 s). It only takes effect before the first table is written; an
            // existing database keeps its page size.
            pool_options = pool_options.after_connect(|conn, _meta| {
                Box::pin(async move {
                    conn.execute(
                        "PRAGMA page_size=16384; PRAGMA journal_mode=WAL; \
                         PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; \
                         PRAGMA busy_timeout=5000;",
                    )
                    .await?;
                    Ok(())
                })
            });
        }
        let pool = pool_options
            .connect_with(options)
            .await
            .map_err(StoreError::Connect)?;
        Ok(Store {
            pool,
            backend,
            url: live::Url(url.into()),
            audit_key: None,
        })
    }

    /// The same store, chaining its audit entries with this key's HMAC.
    pub fn with_audit_key(mut self, key: audit::AuditKey) -> Store {
        self.audit_key = Some(key);
        self
    }

    /// SQLite only: writes a consistent copy of the whole database to `path` (a new
    /// file) while others keep reading and writing (`VACUUM INTO` reads one snapshot).
    pub async fn snapshot_into(&self, path: &str) -> StoreResult<()> {
        if self.backend != Backend::Sqlite {
            return Err(StoreError::Refused(
                "a snapshot is for SQLite; back PostgreSQL up with pg_dump".into(),
            ));
        }
        sqlx::query("VACUUM INTO $1")
            .bind(path)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The database's own consistency check: "ok", or what it found. (PostgreSQL has no
    /// such check to run online; it answers "ok" once a query succeeds.)
    pub async fn integrity_check(&self) -> StoreResult<String> {
        let sql = match self.backend {
            Backend::Sqlite => "PRAGMA integrity_check",
            Backend::Postgres => "SELECT 'ok'",
        };
        let rows = sqlx::query(sql).fetch_all(&self.pool).await?;
        Ok(rows
            .iter()
            .map(|r| sqlx::Row::get::<String, _>(r, 0))
            .collect::<Vec<_>>()
            .join("; "))
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Applies every pending migration for this backend. Safe to run again.
    pub async fn migrate(&self) -> StoreResult<()> {
        let migrator = match self.backend {
            Backend::Sqlite => &MIGRATE_SQLITE,
            Backend::Postgres => &MIGRATE_POSTGRES,
        };
        // A database whose migrations are all applied needs nothing: the servers may run
        // as a role without DDL rights (its owner runs `fangxin migrate` at an upgrade),
        // and sqlx's runner would still try to create its bookkeeping table.
        if self
            .applied_migrations()
            .await
            .is_some_and(|applied| migrator.iter().all(|m| applied.contains(&m.version)))
        {
            return Ok(());
        }
        migrator.run(&self.pool).await?;
        Ok(())
    }

    /// The versions of the migrations applied so far; None before the first.
    async fn applied_migrations(&self) -> Option<std::collections::HashSet<i64>> {
        let rows = sqlx::query("SELECT version FROM _sqlx_migrations WHERE success")
            .fetch_all(&self.pool)
            .await
            .ok()?;
        Some(
            rows.iter()
                .map(|r| sqlx::Row::get::<i64, _>(r, 0))
                .collect(),
        )
    }

    /// A cheap round trip, for `/healthz`.
    pub async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Connections open and idle, for `/metrics`.
    pub fn pool_stats(&self) -> (u32, usize) {
        (self.pool.size(), self.pool.num_idle())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Works out the backend and adds what SQLite needs to create a missing file.
fn normalise_url(url: &str) -> StoreResult<(Backend, String)> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok((Backend::Postgres, url.to_string()));
    }
    let Some(rest) = url.strip_prefix("sqlite:") else {
        return Err(StoreError::UnsupportedUrl(url.to_string()));
    };
    let rest = rest.trim_start_matches("//");
    let (path, query) = match rest.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (rest, None),
    };
    if path.is_empty() {
        return Err(StoreError::UnsupportedUrl(url.to_string()));
    }
    if path != ":memory:" {
        if let Some(parent) = std::path::Path::new(path).parent() {
            if !parent.as_os_str().is_empty() {
                std::fs::create_dir_all(parent).map_err(|source| StoreError::Folder {
                    path: parent.display().to_string(),
                    source,
                })?;
            }
        }
    }
    let query = match query {
        Some(q) if q.contains("mode=") => q.to_string(),
        Some(q) => format!("{q}&mode=rwc"),
        None => "mode=rwc".to_string(),
    };
    Ok((Backend::Sqlite, format!("sqlite://{path}?{query}")))
}

/// True for a real calendar date written YYYY-MM-DD.
pub fn is_iso_date(s: &str) -> bool {
    s.len() == 10 && chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok()
}

/// Now, as stored: RFC 3339 UTC with microseconds, which sorts correctly as text.
pub fn now_text() -> String {
    timestamp_text(chrono::Utc::now())
}

pub fn timestamp_text(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_gain_create_mode() {
        let (b, u) = normalise_url("sqlite://target/test-url/x.db").unwrap();
        assert_eq!(b, Backend::Sqlite);
        assert_eq!(u, "sqlite://target/test-url/x.db?mode=rwc");
        let (_, u) = normalise_url("sqlite:target/test-url/x.db?mode=ro").unwrap();
        assert_eq!(u, "sqlite://target/test-url/x.db?mode=ro");
        let (b, _) = normalise_url("postgres://postgres@127.0.0.1/test").unwrap();
        assert_eq!(b, Backend::Postgres);
        assert!(normalise_url("mysql://x").is_err());
        assert!(normalise_url("sqlite://").is_err());
    }

    #[test]
    fn timestamps_sort_as_text() {
        let a = chrono::DateTime::parse_from_rfc3339("2026-01-02T03:04:05.5Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        let b = a + chrono::Duration::microseconds(1);
        assert_eq!(timestamp_text(a), "2026-01-02T03:04:05.500000Z");
        assert!(timestamp_text(a) < timestamp_text(b));
    }
}
