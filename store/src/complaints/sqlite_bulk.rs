//! The SQLite fast path of an import: rows and roll-up upserts through SQLite's C API,
//! one prepared statement reused per row (sqlx's bound multi-row statements are several
//! times slower there; see `placeholders`).

use super::*;

/// A date as `YYYY-MM-DD` without allocating (years 0–9999; validated dates are).
pub(super) struct IsoDate([u8; 10]);

impl IsoDate {
    fn of(d: chrono::NaiveDate) -> IsoDate {
        use chrono::Datelike;
        debug_assert!((0..=9999).contains(&d.year()), "{d}");
        let (y, m, day) = (d.year().clamp(0, 9999) as u32, d.month(), d.day());
        let digit = |n: u32| b'0' + (n % 10) as u8;
        IsoDate([
            digit(y / 1000),
            digit(y / 100),
            digit(y / 10),
            digit(y),
            b'-',
            digit(m / 10),
            digit(m),
            b'-',
            digit(day / 10),
            digit(day),
        ])
    }

    fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("ASCII digits and dashes")
    }
}

/// Inserts `records` through SQLite's C API, one prepared row at a time, and returns
/// the positions of the rows whose complaint number was already stored (those were
/// not inserted). Synchronous, so nothing that borrows the raw handle lives across an
/// `.await`.
pub(super) fn insert_rows_sqlite(
    handle: &mut sqlx::sqlite::LockedSqliteHandle<'_>,
    sql: &str,
    records: &[Record],
    linked: &[Option<i64>],
    import_id: i64,
    now: &str,
) -> StoreResult<Vec<usize>> {
    use crate::sqlite_rows::{Db, Param};
    let db = Db::new(handle);
    let mut insert = db.prepare(sql)?;
    let mut duplicates = Vec::new();
    for (i, (r, &organisation)) in records.iter().zip(linked).enumerate() {
        let f = &r.facts;
        let received = IsoDate::of(f.received_on);
        let accepted = f.accepted_on.map(IsoDate::of);
        let closed = f.closed_on.map(IsoDate::of);
        // In the order of `INSERT_COLUMNS`.
        let params: [Param; INSERT_ARITY] = [
            Param::Null,
            r.number.as_deref().into(),
            "import".into(),
            r.channel.code().into(),
            r.consumer_name.as_str().into(),
            r.consumer_phone.as_str().into(),
            organisation.into(),
            r.unit_name.as_str().into(),
            r.unit_credit_code.as_deref().into(),
            r.area_code.as_str().into(),
            r.industry.code().into(),
            r.summary.as_str().into(),
            "".into(),
            f.status.code().into(),
            received.as_str().into(),
            accepted.as_ref().map(IsoDate::as_str).into(),
            closed.as_ref().map(IsoDate::as_str).into(),
            f.outcome.map(|o| o.code()).into(),
            r.refusal_ground.map(|g| g.code()).into(),
            r.recovered_fen.into(),
            r.advance_fen.into(),
            f.rating.map(|r| r.code()).into(),
            import_id.into(),
            now.into(),
            now.into(),
        ];
        if insert.execute(&params)? == 0 {
            duplicates.push(i);
        }
    }
    Ok(duplicates)
}

/// Upserts `rows` through SQLite's C API, one prepared single-row statement.
pub(super) fn run_upserts_sqlite(
    handle: &mut sqlx::sqlite::LockedSqliteHandle<'_>,
    sql: &str,
    rows: &[Vec<Value>],
) -> StoreResult<()> {
    use crate::sqlite_rows::{Db, Param};
    let db = Db::new(handle);
    let mut upsert = db.prepare(sql)?;
    let mut params: Vec<Param> = Vec::new();
    for row in rows {
        params.clear();
        params.extend(row.iter().map(|v| match v {
            Value::Text(t) => Param::Text(t),
            Value::Int(i) => Param::Int(*i),
        }));
        upsert.execute(&params)?;
    }
    Ok(())
}
