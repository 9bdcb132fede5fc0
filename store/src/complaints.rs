//! Consumer complaints: filing, the business's desk, acceptance, mediation, closing,
//! the consumer's one vote, imports of 12315 exports (all or nothing, in batches, in one
//! transaction), filtered lists and the counts behind the three rates.
//!
//! Every state change is guarded by the state it leaves (`WHERE status = …`), so two
//! people acting at once cannot both move a complaint.

use crate::audit::AuditEvent;
use crate::{now_text, Store, StoreError, StoreResult};
use domain::complaint::{Facts, Outcome, Rating, Record, RefusalGround, Status};
use domain::rates::ComplaintCounts;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use sqlx::any::AnyRow;
use sqlx::{Any, Connection, Row, Transaction};
use std::collections::HashMap;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Complaint {
    pub id: i64,
    pub tracking_code: Option<String>,
    pub external_no: Option<String>,
    pub source: String,
    pub channel: String,
    pub consumer_name: String,
    pub consumer_phone: String,
    pub organisation_id: Option<i64>,
    pub unit_name: String,
    pub unit_credit_code: Option<String>,
    pub area_code: String,
    pub industry: String,
    pub summary: String,
    pub demand: String,
    pub status: String,
    pub received_on: String,
    pub accepted_on: Option<String>,
    pub closed_on: Option<String>,
    pub outcome: Option<String>,
    pub refusal_ground: Option<String>,
    pub recovered_fen: i64,
    pub advance_fen: i64,
    pub rating: Option<String>,
    pub rated_at: Option<String>,
    pub unit_contacted_on: Option<String>,
    pub unit_offer: Option<String>,
    pub unit_failed: bool,
    pub created_at: String,
}

const COLUMNS: &str = "id, tracking_code, external_no, source, channel, consumer_name, \
    consumer_phone, organisation_id, unit_name, unit_credit_code, area_code, industry, summary, \
    demand, status, received_on, accepted_on, closed_on, outcome, refusal_ground, recovered_fen, \
    advance_fen, rating, rated_at, unit_contacted_on, unit_offer, unit_failed, created_at";

fn complaint(r: &AnyRow) -> Complaint {
    Complaint {
        id: r.get(0),
        tracking_code: r.get(1),
        external_no: r.get(2),
        source: r.get(3),
        channel: r.get(4),
        consumer_name: r.get(5),
        consumer_phone: r.get(6),
        organisation_id: r.get(7),
        unit_name: r.get(8),
        unit_credit_code: r.get(9),
        area_code: r.get(10),
        industry: r.get(11),
        summary: r.get(12),
        demand: r.get(13),
        status: r.get(14),
        received_on: r.get(15),
        accepted_on: r.get(16),
        closed_on: r.get(17),
        outcome: r.get(18),
        refusal_ground: r.get(19),
        recovered_fen: r.get(20),
        advance_fen: r.get(21),
        rating: r.get(22),
        rated_at: r.get(23),
        unit_contacted_on: r.get(24),
        unit_offer: r.get(25),
        unit_failed: r.get::<i64, _>(26) != 0,
        created_at: r.get(27),
    }
}

fn date(s: &str) -> Option<chrono::NaiveDate> {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

impl Complaint {
    /// What the clocks and the rates read, from the stored text.
    pub fn facts(&self) -> Option<Facts> {
        Some(Facts {
            status: Status::parse(&self.status)?,
            received_on: date(&self.received_on)?,
            accepted_on: self.accepted_on.as_deref().and_then(date),
            closed_on: self.closed_on.as_deref().and_then(date),
            outcome: self.outcome.as_deref().and_then(Outcome::parse),
            rating: self.rating.as_deref().and_then(Rating::parse),
        })
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComplaintEvent {
    pub at: String,
    pub actor: String,
    pub text_zh: String,
    pub text_en: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComplaintImport {
    pub id: i64,
    pub file_name: String,
    pub rows_read: i64,
    pub rows_bad: i64,
    pub outcome: String,
    pub imported_by: String,
    pub created_at: String,
}

/// What the rates panel shows for a filter.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComplaintFigures {
    pub counts: ComplaintCounts,
    pub recovered_fen: i64,
    pub advance_fen: i64,
}

/// Which complaints a list, an export or a count covers. Empty fields do not filter.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComplaintFilter {
    /// First and last day (YYYY-MM-DD), inclusive.
    pub from: Option<String>,
    pub to: Option<String>,
    /// An area code: the county, or one township.
    pub area: Option<String>,
    pub industry: Option<String>,
    pub status: Option<String>,
    pub channel: Option<String>,
    pub organisation_id: Option<i64>,
    /// Part of the unit's name, the complaint number or the tracking code.
    pub text: Option<String>,
}

/// The open complaints, word for word as the partial index `complaints_open` says it
/// (migration 0017): a query that says it so is answered from that index.
const OPEN: &str = "(status = 'received' OR status = 'negotiating' OR status = 'mediating')";

#[derive(Clone)]
enum Value {
    Text(String),
    Int(i64),
}

impl ComplaintFilter {
    /// The WHERE clause (without the period) and its values, numbered from `$1`.
    fn clause(&self) -> (String, Vec<Value>) {
        let mut sql = String::from("1 = 1");
        let mut values = Vec::new();
        let mut add = |cond: &str, v: Value, values: &mut Vec<Value>| {
            values.push(v);
            sql.push_str(&format!(
                " AND {}",
                cond.replace('?', &format!("${}", values.len()))
            ));
        };
        if let Some(a) = self.area.as_deref().filter(|s| !s.is_empty()) {
            add(
                "area_code LIKE ?",
                Value::Text(format!("{a}%")),
                &mut values,
            );
        }
        for (col, v) in [
            ("industry", &self.industry),
            ("status", &self.status),
            ("channel", &self.channel),
        ] {
            if let Some(v) = v.as_deref().filter(|s| !s.is_empty()) {
                add(
                    &format!("{col} = ?"),
                    Value::Text(v.to_string()),
                    &mut values,
                );
            }
        }
        if let Some(o) = self.organisation_id {
            add("organisation_id = ?", Value::Int(o), &mut values);
        }
        if let Some(t) = self.text.as_deref().filter(|s| !s.is_empty()) {
            let n = values.len() + 1;
            values.push(Value::Text(format!("%{t}%")));
            sql.push_str(&format!(
                " AND (unit_name LIKE ${n} OR external_no LIKE ${n} OR tracking_code LIKE ${n})"
            ));
        }
        (sql, values)
    }

    /// Adds the period on `column` to a clause.
    fn period(&self, column: &str, sql: &mut String, values: &mut Vec<Value>) {
        if let Some(f) = self.from.as_deref().filter(|s| !s.is_empty()) {
            values.push(Value::Text(f.to_string()));
            sql.push_str(&format!(" AND {column} >= ${}", values.len()));
        }
        if let Some(t) = self.to.as_deref().filter(|s| !s.is_empty()) {
            values.push(Value::Text(t.to_string()));
            sql.push_str(&format!(" AND {column} <= ${}", values.len()));
        }
    }
}

fn bind_all<'q, DB: sqlx::Database>(
    mut q: sqlx::query::Query<'q, DB, <DB as sqlx::Database>::Arguments<'q>>,
    values: &'q [Value],
) -> sqlx::query::Query<'q, DB, <DB as sqlx::Database>::Arguments<'q>>
where
    &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    for v in values {
        q = match v {
            Value::Text(s) => q.bind(s.as_str()),
            Value::Int(i) => q.bind(*i),
        };
    }
    q
}

/// A new complaint as filed (web, QR code or staff).
pub struct NewComplaint<'a> {
    pub record: &'a Record,
    pub source: &'a str,
    pub organisation_id: Option<i64>,
    pub demand: &'a str,
    pub actor: &'a str,
}

fn new_tracking_code() -> String {
    let mut bytes = [0u8; 10];
    getrandom::fill(&mut bytes).expect("the operating system's random source works");
    domain::complaint::tracking_code_from(&bytes)
}

pub(crate) const INSERT_COLUMNS: &str =
    "tracking_code, external_no, source, channel, consumer_name, \
    consumer_phone, organisation_id, unit_name, unit_credit_code, area_code, industry, summary, \
    demand, status, received_on, accepted_on, closed_on, outcome, refusal_ground, recovered_fen, \
    advance_fen, rating, import_id, created_at, updated_at";
pub(crate) const INSERT_ARITY: usize = 25;

#[allow(clippy::too_many_arguments)]
pub(crate) fn bind_record<'q>(
    q: sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>>,
    r: &'q Record,
    tracking_code: Option<String>,
    source: &'q str,
    organisation_id: Option<i64>,
    demand: &'q str,
    import_id: Option<i64>,
    now: &'q str,
) -> sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>> {
    let f = &r.facts;
    q.bind(tracking_code)
        .bind(r.number.as_deref())
        .bind(source)
        .bind(r.channel.code())
        .bind(r.consumer_name.as_str())
        .bind(r.consumer_phone.as_str())
        .bind(organisation_id)
        .bind(r.unit_name.as_str())
        .bind(r.unit_credit_code.as_deref())
        .bind(r.area_code.as_str())
        .bind(r.industry.code())
        .bind(r.summary.as_str())
        .bind(demand)
        .bind(f.status.code())
        .bind(f.received_on.to_string())
        .bind(f.accepted_on.map(|d| d.to_string()))
        .bind(f.closed_on.map(|d| d.to_string()))
        .bind(f.outcome.map(|o| o.code()))
        .bind(r.refusal_ground.map(|g| g.code()))
        .bind(r.recovered_fen)
        .bind(r.advance_fen)
        .bind(f.rating.map(|r| r.code()))
        .bind(import_id)
        .bind(now)
        .bind(now)
}

/// `($1, $2), ($3, $4)…` for a multi-row VALUES. On SQLite the same shape is written
/// with `?`: sqlx resolves each `$n` there by name, which makes a statement with
/// thousands of values some twenty times slower (measured: 76 k vs 1.5 M rows/s).
pub(crate) fn placeholders(rows: usize, arity: usize, backend: crate::Backend) -> String {
    use std::fmt::Write;
    let mut sql = String::with_capacity(rows * (arity * 4 + 4));
    for r in 0..rows {
        sql.push_str(if r == 0 { "(" } else { ", (" });
        for c in 1..=arity {
            if c > 1 {
                sql.push_str(", ");
            }
            match backend {
                crate::Backend::Sqlite => sql.push('?'),
                crate::Backend::Postgres => {
                    let _ = write!(sql, "${}", r * arity + c);
                }
            }
        }
        sql.push(')');
    }
    sql
}

/// One import's additions to the dashboards' four roll-ups, summed as its rows go in and
/// written when it commits (the insert triggers leave imported rows out, migration 0015).
/// The sums follow the domain's `counts_of`, the definition the triggers' SQL is tested
/// against; memory grows with the roll-ups' keys (township, industry, month or day), not
/// with the file. Grouping the rows again in SQL at the end took four scans of the whole
/// import, longer than inserting it.
#[derive(Default)]
struct RollupSums {
    /// The townships met so far: keys hold a township's place here, so that adding a
    /// row allocates nothing.
    areas: Vec<String>,
    /// (township, industry, year and month accepted) → the nine measures
    month: HashMap<(usize, &'static str, i32, u32), [i64; 9]>,
    /// (township, year accepted, organisation or 0, industry) → the nine measures
    unit: HashMap<(usize, i32, i64, &'static str), [i64; 9]>,
    /// (township, industry, status, the day its clock started) → open complaints
    open: HashMap<(usize, &'static str, &'static str, chrono::NaiveDate), i64>,
    /// (township, industry, status) → open complaints
    open_total: HashMap<(usize, &'static str, &'static str), i64>,
}

/// A roll-up's sums in the order of its unique key, so the upserts walk its index in
/// order instead of jumping about it (measured at 1 M rows, about 100 000 keys of
/// open complaints by day: 0.45 s instead of 0.85 s).
fn sorted<K: Ord, V>(sums: impl IntoIterator<Item = (K, V)>) -> Vec<(K, V)> {
    let mut rows: Vec<(K, V)> = sums.into_iter().collect();
    rows.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    rows
}

/// Roll-up rows per upsert, through sqlx. (Through SQLite's C API one prepared
/// single-row upsert is cheaper: binding is free there, preparing is not.)
const ROLLUP_BATCH: usize = 200;

impl RollupSums {
    fn area(&mut self, code: &str) -> usize {
        match self.areas.iter().position(|a| a == code) {
            Some(i) => i,
            None => {
                self.areas.push(code.to_string());
                self.areas.len() - 1
            }
        }
    }

    fn add(&mut self, r: &Record, organisation: Option<i64>) {
        use chrono::Datelike;
        let f = &r.facts;
        let c = domain::complaint::counts_of(f, |_| true);
        let area = self.area(&r.area_code);
        let industry = r.industry.code();
        if let (1, Some(accepted)) = (c.accepted, f.accepted_on) {
            let money = |fen: i64| if f.status == Status::Closed { fen } else { 0 };
            // In the order of `dashboard::MEASURES`.
            let measures = [
                c.accepted as i64,
                c.closed as i64,
                c.mediated as i64,
                c.mediated_successfully as i64,
                c.rated_satisfied as i64,
                c.rated_basically_satisfied as i64,
                c.rated_dissatisfied as i64,
                money(r.recovered_fen),
                money(r.advance_fen),
            ];
            let add = |sums: &mut [i64; 9]| {
                for (sum, m) in sums.iter_mut().zip(measures) {
                    *sum += m;
                }
            };
            let year = accepted.year();
            add(self
                .month
                .entry((area, industry, year, accepted.month()))
                .or_default());
            add(self
                .unit
                .entry((area, year, organisation.unwrap_or(0), industry))
                .or_default());
        }
        if f.status.is_open() {
            let since = match f.status {
                Status::Received => f.received_on,
                _ => f.accepted_on.unwrap_or(f.received_on),
            };
            let status = f.status.code();
            *self
                .open
                .entry((area, industry, status, since))
                .or_default() += 1;
            *self.open_total.entry((area, industry, status)).or_default() += 1;
        }
    }

    /// The roll-up tables' rows to add, each table's in the order of its key.
    fn tables(self) -> [RollupRows; 4] {
        use crate::dashboard::MEASURES;
        let add = |table: &str, columns: &[&str]| {
            columns
                .iter()
                .map(|c| format!("{c} = {table}.{c} + excluded.{c}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let text = |s: &str| Value::Text(s.to_string());
        let with_measures = |mut cells: Vec<Value>, m: [i64; 9]| {
            cells.extend(m.into_iter().map(Value::Int));
            cells
        };
        // Typed keys sort as the text the tables hold (four-digit years, ISO dates).
        let areas = &self.areas;
        let month = sorted(
            self.month
                .into_iter()
                .map(|((a, i, y, m), sums)| ((areas[a].as_str(), i, y, m), sums)),
        )
        .into_iter()
        .map(|((area, industry, year, month), m)| {
            let month = format!("{year:04}-{month:02}");
            with_measures(vec![text(area), text(industry), Value::Text(month)], m)
        });
        let unit = sorted(
            self.unit
                .into_iter()
                .map(|((a, y, o, i), sums)| ((areas[a].as_str(), y, o, i), sums)),
        )
        .into_iter()
        .map(|((area, year, organisation, industry), m)| {
            let key = vec![
                text(area),
                Value::Text(format!("{year:04}")),
                Value::Int(organisation),
                text(industry),
            ];
            with_measures(key, m)
        });
        let open = sorted(
            self.open
                .into_iter()
                .map(|((a, i, s, d), n)| ((areas[a].as_str(), i, s, d), n)),
        )
        .into_iter()
        .map(|((area, industry, status, since), n)| {
            vec![
                text(area),
                text(industry),
                text(status),
                Value::Text(since.to_string()),
                Value::Int(n),
            ]
        });
        let open_total = sorted(
            self.open_total
                .into_iter()
                .map(|((a, i, s), n)| ((areas[a].as_str(), i, s), n)),
        )
        .into_iter()
        .map(|((area, industry, status), n)| {
            vec![text(area), text(industry), text(status), Value::Int(n)]
        });
        let measure_list = MEASURES.join(", ");
        [
            RollupRows {
                target: format!(
                    "complaint_month_rollup (area_code, industry, month, {measure_list})"
                ),
                key: "area_code, industry, month",
                update: add("complaint_month_rollup", &MEASURES),
                rows: month.collect(),
            },
            RollupRows {
                target: format!(
                    "complaint_unit_rollup (area_code, year, organisation_id, industry, {measure_list})"
                ),
                key: "area_code, year, organisation_id, industry",
                update: add("complaint_unit_rollup", &MEASURES),
                rows: unit.collect(),
            },
            RollupRows {
                target: "complaint_open_rollup (area_code, industry, status, since, open_count)"
                    .into(),
                key: "area_code, industry, status, since",
                update: add("complaint_open_rollup", &["open_count"]),
                rows: open.collect(),
            },
            RollupRows {
                target: "complaint_open_total (area_code, industry, status, open_count)".into(),
                key: "area_code, industry, status",
                update: add("complaint_open_total", &["open_count"]),
                rows: open_total.collect(),
            },
        ]
    }
}

/// One roll-up table's rows to add, and how to add them.
struct RollupRows {
    /// The table and its columns.
    target: String,
    /// Its unique key.
    key: &'static str,
    /// What a row whose key is there already adds to it.
    update: String,
    rows: Vec<Vec<Value>>,
}

impl RollupRows {
    /// The upsert of `n` rows.
    fn sql(&self, n: usize, backend: crate::Backend) -> String {
        let (target, key, update) = (&self.target, self.key, &self.update);
        let arity = self.rows.first().map_or(0, Vec::len);
        format!(
            "INSERT INTO {target} VALUES {} ON CONFLICT ({key}) DO UPDATE SET {update}",
            placeholders(n, arity, backend)
        )
    }
}

/// Roll-up rows upserted between two looks at other tasks, on SQLite (see
/// `run_upserts_sqlite`).
const ROLLUP_ROWS_PER_TURN: usize = 5_000;

/// Where an import's transaction runs.
enum ImportConn {
    /// PostgreSQL: a transaction from the pool.
    Pool(Transaction<'static, Any>),
    /// SQLite: a connection of its own, in a transaction begun by hand (`BEGIN
    /// IMMEDIATE`), so that the rows can go in through SQLite's C API (`sqlite_rows`);
    /// the pool's connections are behind sqlx's `Any` driver, which does not lend its
    /// handle. Closing it without `COMMIT` rolls everything back.
    Sqlite(sqlx::SqliteConnection),
}

/// Runs `$body` with `$c` bound to the import's connection, whichever it is: the body
/// is compiled once per database, as sqlx's queries are generic over it.
macro_rules! on_conn {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            ImportConn::Pool(tx) => {
                let $c = &mut **tx;
                $body
            }
            ImportConn::Sqlite(conn) => {
                let $c = &mut *conn;
                $body
            }
        }
    };
}

impl ImportConn {
    async fn execute(&mut self, sql: &str, values: &[Value]) -> StoreResult<()> {
        on_conn!(self, |c| {
            bind_all(sqlx::query(sql), values).execute(&mut *c).await?;
        });
        Ok(())
    }
}

/// A 12315 import in progress: rows go in by batches inside one transaction, and
/// nothing is kept unless every row was good.
pub struct ImportRun {
    conn: ImportConn,
    import_id: i64,
    now: String,
    backend: crate::Backend,
    /// Registered organisations by credit code, so each row is linked as it goes in.
    organisations: std::collections::HashMap<String, i64>,
    /// What this import's rows add to the roll-ups, written when it commits.
    rollups: RollupSums,
    /// Rows inserted so far.
    inserted: u64,
    /// The batch INSERT for this many rows, built once (PostgreSQL: 12 500
    /// placeholders; SQLite: one row, stepped once per row).
    insert_sql: (usize, String),
    /// The plain indexes of `complaints` this import dropped, to build again (their
    /// `CREATE INDEX` statements) when it commits; see `BULK_ROWS`.
    rebuild: Vec<String>,
    /// A batch failed part-way (SQLite): the import can no longer be committed.
    failed: bool,
}

/// Rows per INSERT: well under both databases' limits on bound values.
pub const IMPORT_BATCH: usize = 500;
/// SQLite's page cache for an import's connection, in KiB: with the default 2 MB, a
/// million rows and their indexes spill to the WAL page by page. Bounded whatever the
/// file's size.
const IMPORT_CACHE_KB: i64 = 65536;
/// On SQLite, an import expected to bring at least this many rows, and at least half as
/// many as are stored, drops the complaints table's plain (non-unique) indexes inside its
/// transaction and builds them again, sorted, when it commits: one sort per index instead
/// of a random B-tree insert per row and index, which is what made big imports several
/// times slower than the table insert itself. Readers keep their snapshot, indexes
/// included (WAL); a rejected import rolls the drop back with everything else. The
/// unique indexes stay: they catch repeated complaint numbers as the rows go in. So do
/// partial ones (`complaints_organisation`): they hold few of an import's rows, and
/// building one again scans the whole table.
/// PostgreSQL keeps its indexes: dropping one locks the table against every reader on
/// every instance until the import ends.
pub const BULK_ROWS: u64 = 50_000;

/// A date as `YYYY-MM-DD` without allocating (years 0–9999; validated dates are).
struct IsoDate([u8; 10]);

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
fn insert_rows_sqlite(
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
fn run_upserts_sqlite(
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

/// The batch INSERT bound to its rows.
fn import_rows<'q>(
    sql: &'q str,
    records: &'q [Record],
    linked: &[Option<i64>],
    import_id: i64,
    now: &'q str,
) -> sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>> {
    let mut q = sqlx::query(sql);
    for (r, &organisation) in records.iter().zip(linked) {
        q = bind_record(q, r, None, "import", organisation, "", Some(import_id), now);
    }
    q
}

impl ImportRun {
    /// Inserts a batch; returns the positions (in `records`) of complaint numbers that
    /// are already stored or appear earlier in the file. Those rows were not inserted.
    pub async fn add(&mut self, records: &[Record]) -> StoreResult<Vec<usize>> {
        if records.is_empty() {
            return Ok(Vec::new());
        }
        let linked: Vec<Option<i64>> = records
            .iter()
            .map(|r| {
                r.unit_credit_code
                    .as_ref()
                    .and_then(|code| self.organisations.get(code).copied())
            })
            .collect();
        let rows_per_statement = match self.conn {
            ImportConn::Sqlite(_) => 1,
            ImportConn::Pool(_) => records.len(),
        };
        if self.insert_sql.0 != rows_per_statement {
            self.insert_sql = (
                rows_per_statement,
                format!(
                    "INSERT INTO complaints ({INSERT_COLUMNS}) VALUES {} \
                     ON CONFLICT (external_no) DO NOTHING",
                    placeholders(rows_per_statement, INSERT_ARITY, self.backend)
                ),
            );
        }
        let (import_id, now) = (self.import_id, self.now.as_str());
        let duplicates = match &mut self.conn {
            ImportConn::Sqlite(conn) => {
                let mut handle = conn.lock_handle().await?;
                let inserted = insert_rows_sqlite(
                    &mut handle,
                    &self.insert_sql.1,
                    records,
                    &linked,
                    import_id,
                    now,
                );
                // Rows are stepped one by one, so a batch that fails part-way leaves its
                // first rows in the transaction: such an import can only be rejected.
                self.failed |= inserted.is_err();
                inserted?
            }
            ImportConn::Pool(tx) => {
                // A batch goes in under a savepoint without `RETURNING`: returning every
                // row cost both sides a row each, and nearly every batch goes in whole. A
                // batch that comes up short is undone and inserted again returning its
                // numbers, which tells which rows were the duplicates.
                let bound = |sql| import_rows(sql, records, &linked, import_id, now);
                let mut savepoint = tx.begin().await?;
                let inserted = bound(self.insert_sql.1.as_str())
                    .execute(&mut *savepoint)
                    .await?
                    .rows_affected() as usize;
                let mut duplicates = Vec::new();
                if inserted == records.len() {
                    savepoint.commit().await?;
                } else {
                    savepoint.rollback().await?;
                    let returning = format!("{} RETURNING external_no", self.insert_sql.1);
                    let rows = bound(returning.as_str()).fetch_all(&mut **tx).await?;
                    let mut numbers: HashMap<String, usize> = HashMap::new();
                    for r in &rows {
                        *numbers.entry(r.get::<String, _>(0)).or_default() += 1;
                    }
                    for (i, r) in records.iter().enumerate() {
                        let n = r.number.clone().unwrap_or_default();
                        match numbers.get_mut(&n) {
                            Some(k) if *k > 0 => *k -= 1,
                            _ => duplicates.push(i),
                        }
                    }
                }
                duplicates
            }
        };
        self.inserted += (records.len() - duplicates.len()) as u64;
        let mut skipped = duplicates.iter().peekable();
        for (i, (r, &organisation)) in records.iter().zip(&linked).enumerate() {
            if skipped.next_if_eq(&&i).is_none() {
                self.rollups.add(r, organisation);
            }
        }
        Ok(duplicates)
    }

    /// Keeps everything: builds again the indexes it dropped, adds the file's rows to
    /// the dashboards' roll-ups (the insert triggers left them out, migration 0015).
    pub async fn commit(mut self, rows_read: i64) -> StoreResult<i64> {
        if self.failed {
            return Err(StoreError::Refused(
                "a batch of this import failed part-way; it can only be rejected".into(),
            ));
        }
        for sql in std::mem::take(&mut self.rebuild) {
            self.conn.execute(&sql, &[]).await?;
        }
        if self.inserted > 0 {
            for table in std::mem::take(&mut self.rollups).tables() {
                match &mut self.conn {
                    ImportConn::Sqlite(conn) => {
                        // In turns, so that the thread this runs on (the C API runs
                        // where it is called) gets back to its other tasks in between.
                        let sql = table.sql(1, self.backend);
                        for turn in table.rows.chunks(ROLLUP_ROWS_PER_TURN) {
                            run_upserts_sqlite(&mut conn.lock_handle().await?, &sql, turn)?;
                            tokio::task::yield_now().await;
                        }
                    }
                    ImportConn::Pool(_) => {
                        for chunk in table.rows.chunks(ROLLUP_BATCH) {
                            let values: Vec<Value> = chunk.iter().flatten().cloned().collect();
                            let sql = table.sql(chunk.len(), self.backend);
                            self.conn.execute(&sql, &values).await?;
                        }
                    }
                }
            }
            // The one change announcement the skipped insert triggers would have made.
            let changed = match self.backend {
                crate::Backend::Sqlite => {
                    "UPDATE live_changes SET version = version + 1 WHERE id = 1".to_string()
                }
                crate::Backend::Postgres => {
                    format!("SELECT pg_notify('{}', 'complaints')", crate::live::CHANNEL)
                }
            };
            self.conn.execute(&changed, &[]).await?;
        }
        let import_id = self.import_id;
        self.conn
            .execute(
                "UPDATE complaint_imports SET rows_read = $1, outcome = 'imported' WHERE id = $2",
                &[Value::Int(rows_read), Value::Int(import_id)],
            )
            .await?;
        match self.conn {
            ImportConn::Pool(tx) => tx.commit().await?,
            ImportConn::Sqlite(mut conn) => {
                sqlx::query("COMMIT").execute(&mut conn).await?;
                conn.close().await?;
            }
        }
        Ok(import_id)
    }

    /// Keeps nothing of the rows; records the refusal and its report.
    pub async fn reject(
        self,
        store: &Store,
        file_name: &str,
        imported_by: &str,
        rows_read: i64,
        rows_bad: i64,
        report: &str,
    ) -> StoreResult<i64> {
        match self.conn {
            ImportConn::Pool(tx) => tx.rollback().await?,
            ImportConn::Sqlite(mut conn) => {
                sqlx::query("ROLLBACK").execute(&mut conn).await?;
                conn.close().await?;
            }
        }
        let row = sqlx::query(
            "INSERT INTO complaint_imports \
             (file_name, rows_read, rows_bad, outcome, report, imported_by, created_at) \
             VALUES ($1, $2, $3, 'rejected', $4, $5, $6) RETURNING id",
        )
        .bind(file_name)
        .bind(rows_read)
        .bind(rows_bad)
        .bind(report)
        .bind(imported_by)
        .bind(now_text())
        .fetch_one(store.pool())
        .await?;
        Ok(row.get(0))
    }
}

impl Store {
    // ---- filing and reading ---------------------------------------------------------

    /// Files a complaint; returns its id and tracking code. The audit entry (its target
    /// set here to the new complaint) commits with it.
    pub async fn file_complaint(
        &self,
        c: &NewComplaint<'_>,
        audit: &AuditEvent,
    ) -> StoreResult<(i64, String)> {
        let now = now_text();
        let mut tx = self.pool().begin().await?;
        // A clash of two random 10-character codes is rare; try again if it happens.
        for _ in 0..5 {
            let code = new_tracking_code();
            let sql = format!(
                "INSERT INTO complaints ({INSERT_COLUMNS}) VALUES {} \
                 ON CONFLICT (tracking_code) DO NOTHING RETURNING id",
                placeholders(1, INSERT_ARITY, crate::Backend::Postgres)
            );
            let q = bind_record(
                sqlx::query(&sql),
                c.record,
                Some(code.clone()),
                c.source,
                c.organisation_id,
                c.demand,
                None,
                &now,
            );
            if let Some(row) = q.fetch_optional(&mut *tx).await? {
                let id: i64 = row.get(0);
                event(
                    &mut tx,
                    id,
                    c.actor,
                    "投诉已登记",
                    "Complaint registered",
                    &now,
                )
                .await?;
                let audit = AuditEvent {
                    target: format!("complaint:{id}"),
                    ..audit.clone()
                };
                self.commit_audited(tx, &audit).await?;
                return Ok((id, code));
            }
        }
        Err(StoreError::Corrupt("no free tracking code".into()))
    }

    pub async fn complaint(&self, id: i64) -> StoreResult<Option<Complaint>> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM complaints WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.as_ref().map(complaint))
    }

    pub async fn complaint_by_code(&self, code: &str) -> StoreResult<Option<Complaint>> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM complaints WHERE tracking_code = $1"
        ))
        .bind(code)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.as_ref().map(complaint))
    }

    pub async fn complaint_events(&self, id: i64) -> StoreResult<Vec<ComplaintEvent>> {
        let rows = sqlx::query(
            "SELECT at, actor, text_zh, text_en FROM complaint_events \
             WHERE complaint_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .iter()
            .map(|r| ComplaintEvent {
                at: r.get(0),
                actor: r.get(1),
                text_zh: r.get(2),
                text_en: r.get(3),
            })
            .collect())
    }

    /// Complaints matching a filter (period on the date received), newest first.
    pub async fn find_complaints(
        &self,
        f: &ComplaintFilter,
        limit: i64,
        offset: i64,
    ) -> StoreResult<Vec<Complaint>> {
        let (mut sql, mut values) = f.clause();
        f.period("received_on", &mut sql, &mut values);
        let text = format!(
            "SELECT {COLUMNS} FROM complaints WHERE {sql} ORDER BY received_on DESC, id DESC \
             LIMIT {limit} OFFSET {offset}"
        );
        let rows = bind_all(sqlx::query(&text), &values)
            .fetch_all(self.pool())
            .await?;
        Ok(rows.iter().map(complaint).collect())
    }

    pub async fn count_complaints(&self, f: &ComplaintFilter) -> StoreResult<i64> {
        let (mut sql, mut values) = f.clause();
        f.period("received_on", &mut sql, &mut values);
        let text = format!("SELECT COUNT(*) FROM complaints WHERE {sql}");
        let row = bind_all(sqlx::query(&text), &values)
            .fetch_one(self.pool())
            .await?;
        Ok(row.get(0))
    }

    /// The counts behind the three rates over the filter's period, counted as
    /// `domain::complaint::counts_of` does (the complaints accepted in the period, with
    /// what became of them), and the money recovered and advanced on them: one scan.
    pub async fn complaint_figures(&self, f: &ComplaintFilter) -> StoreResult<ComplaintFigures> {
        let (mut sql, mut values) = f.clause();
        f.period("accepted_on", &mut sql, &mut values);
        let row = bind_all(
            sqlx::query(&format!(
                "SELECT COUNT(*), \
                 COALESCE(SUM(CASE WHEN status = 'closed' THEN 1 ELSE 0 END), 0), \
                 COALESCE(SUM(CASE WHEN status = 'closed' AND outcome IS NOT NULL THEN 1 ELSE 0 END), 0), \
                 COALESCE(SUM(CASE WHEN status = 'closed' AND outcome IN ('agreement', 'settlement') THEN 1 ELSE 0 END), 0), \
                 COALESCE(SUM(CASE WHEN status = 'closed' AND rating = 'satisfied' THEN 1 ELSE 0 END), 0), \
                 COALESCE(SUM(CASE WHEN status = 'closed' AND rating = 'basic' THEN 1 ELSE 0 END), 0), \
                 COALESCE(SUM(CASE WHEN status = 'closed' AND rating = 'dissatisfied' THEN 1 ELSE 0 END), 0), \
                 CAST(COALESCE(SUM(CASE WHEN status = 'closed' THEN recovered_fen ELSE 0 END), 0) AS BIGINT), \
                 CAST(COALESCE(SUM(CASE WHEN status = 'closed' THEN advance_fen ELSE 0 END), 0) AS BIGINT) \
                 FROM complaints WHERE {sql} AND accepted_on IS NOT NULL \
                 AND status IN ('negotiating', 'mediating', 'closed')"
            )),
            &values,
        )
        .fetch_one(self.pool())
        .await?;
        Ok(crate::dashboard::figures(&row, 0))
    }

    /// Open complaints (for the overdue flags, which need the holiday calendar).
    pub async fn open_complaints(&self, f: &ComplaintFilter) -> StoreResult<Vec<Complaint>> {
        let (sql, values) = f.clause();
        let text =
            format!("SELECT {COLUMNS} FROM complaints WHERE {sql} AND {OPEN} ORDER BY received_on");
        let rows = bind_all(sqlx::query(&text), &values)
            .fetch_all(self.pool())
            .await?;
        Ok(rows.iter().map(complaint).collect())
    }

    /// Per organisation: complaints received in a period, and the ratings of those
    /// closed in it (for the dynamic-management thresholds).
    pub async fn complaints_by_organisation(
        &self,
        from: &str,
        to: &str,
    ) -> StoreResult<Vec<(i64, u32, ComplaintCounts)>> {
        let rows = sqlx::query(
            "SELECT organisation_id, \
             SUM(CASE WHEN received_on >= $1 AND received_on <= $2 THEN 1 ELSE 0 END), \
             SUM(CASE WHEN closed_on >= $1 AND closed_on <= $2 AND rating = 'satisfied' THEN 1 ELSE 0 END), \
             SUM(CASE WHEN closed_on >= $1 AND closed_on <= $2 AND rating = 'basic' THEN 1 ELSE 0 END), \
             SUM(CASE WHEN closed_on >= $1 AND closed_on <= $2 AND rating = 'dissatisfied' THEN 1 ELSE 0 END) \
             FROM complaints WHERE organisation_id IS NOT NULL \
             AND (received_on BETWEEN $1 AND $2 OR closed_on BETWEEN $1 AND $2) \
             GROUP BY organisation_id",
        )
        .bind(from)
        .bind(to)
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .iter()
            .map(|r| {
                let n = |i: usize| r.get::<i64, _>(i).max(0) as u64;
                (
                    r.get::<i64, _>(0),
                    n(1) as u32,
                    ComplaintCounts {
                        rated_satisfied: n(2),
                        rated_basically_satisfied: n(3),
                        rated_dissatisfied: n(4),
                        ..Default::default()
                    },
                )
            })
            .collect())
    }

    // ---- handling ---------------------------------------------------------------------

    /// Moves a complaint from `from` to a new state with the given assignments, and
    /// records the event. Refused when it is no longer in `from`.
    #[allow(clippy::too_many_arguments)]
    async fn move_complaint(
        &self,
        id: i64,
        from: &[Status],
        business: Option<i64>,
        set: &str,
        values: Vec<Value>,
        actor: &str,
        (zh, en): (&str, &str),
        audit: &AuditEvent,
    ) -> StoreResult<()> {
        let now = now_text();
        let mut tx = self.pool().begin().await?;
        let states: Vec<String> = from.iter().map(|s| format!("'{}'", s.code())).collect();
        let n = values.len();
        // A business acts only on complaints against itself: part of the same guarded write.
        let own = match business {
            Some(_) => format!(" AND organisation_id = ${}", n + 3),
            None => String::new(),
        };
        let sql = format!(
            "UPDATE complaints SET {set}, updated_at = ${} WHERE id = ${} AND status IN ({}){own}",
            n + 1,
            n + 2,
            states.join(", ")
        );
        let mut q = bind_all(sqlx::query(&sql), &values);
        q = q.bind(now.as_str()).bind(id);
        if let Some(org) = business {
            q = q.bind(org);
        }
        if q.execute(&mut *tx).await?.rows_affected() != 1 {
            return Err(StoreError::Refused(format!(
                "complaint {id} is not {}{}",
                states.join(" or "),
                business
                    .map(|o| format!(" against organisation {o}"))
                    .unwrap_or_default()
            )));
        }
        event(&mut tx, id, actor, zh, en, &now).await?;
        self.commit_audited(tx, audit).await
    }

    /// Accepts a complaint: to the business's desk when it is a registered
    /// organisation, otherwise straight to mediation.
    pub async fn accept_complaint(
        &self,
        id: i64,
        today: &str,
        actor: &str,
        audit: &AuditEvent,
    ) -> StoreResult<()> {
        self.move_complaint(
            id,
            &[Status::Received],
            None,
            "status = CASE WHEN organisation_id IS NULL THEN 'mediating' ELSE 'negotiating' END, \
             accepted_on = $1",
            vec![Value::Text(today.into())],
            actor,
            ("已受理", "Accepted"),
            audit,
        )
        .await
    }

    pub async fn refuse_complaint(
        &self,
        id: i64,
        ground: RefusalGround,
        today: &str,
        actor: &str,
        audit: &AuditEvent,
    ) -> StoreResult<()> {
        let (zh, en) = ground.name();
        self.move_complaint(
            id,
            &[Status::Received],
            None,
            "status = 'not_accepted', refusal_ground = $1, closed_on = $2",
            vec![Value::Text(ground.code().into()), Value::Text(today.into())],
            actor,
            (&format!("不予受理：{zh}"), &format!("Not accepted: {en}")),
            audit,
        )
        .await
    }

    /// Links a complaint to a registered organisation (its desk then sees it).
    pub async fn link_complaint(
        &self,
        id: i64,
        organisation_id: i64,
        actor: &str,
        audit: &AuditEvent,
    ) -> StoreResult<()> {
        self.move_complaint(
            id,
            &[Status::Received, Status::Negotiating, Status::Mediating],
            None,
            "organisation_id = $1",
            vec![Value::Int(organisation_id)],
            actor,
            ("已关联被投诉单位", "Linked to the registered business"),
            audit,
        )
        .await
    }

    /// The business records its side: when it contacted the consumer and what it offered.
    #[allow(clippy::too_many_arguments)]
    pub async fn record_business_contact(
        &self,
        id: i64,
        organisation_id: i64,
        contacted_on: &str,
        offer: &str,
        advance_fen: i64,
        actor: &str,
        audit: &AuditEvent,
    ) -> StoreResult<()> {
        self.move_complaint(
            id,
            &[Status::Negotiating],
            Some(organisation_id),
            "unit_contacted_on = $1, unit_offer = $2, advance_fen = $3",
            vec![
                Value::Text(contacted_on.into()),
                Value::Text(offer.into()),
                Value::Int(advance_fen),
            ],
            actor,
            (
                &format!("商家已联系消费者，提出：{offer}"),
                &format!("The business contacted the consumer and offered: {offer}"),
            ),
            audit,
        )
        .await
    }

    /// The business settled with the consumer: closed as a settlement.
    pub async fn record_business_settlement(
        &self,
        id: i64,
        organisation_id: i64,
        today: &str,
        recovered_fen: i64,
        actor: &str,
        audit: &AuditEvent,
    ) -> StoreResult<()> {
        self.move_complaint(
            id,
            &[Status::Negotiating],
            Some(organisation_id),
            "status = 'closed', outcome = 'settlement', closed_on = $1, recovered_fen = $2",
            vec![Value::Text(today.into()), Value::Int(recovered_fen)],
            actor,
            (
                "商家与消费者协商和解，投诉办结",
                "Settled between the business and the consumer; closed",
            ),
            audit,
        )
        .await
    }

    /// The business could not reach agreement: staff are to mediate.
    pub async fn record_business_failure(
        &self,
        id: i64,
        organisation_id: i64,
        actor: &str,
        audit: &AuditEvent,
    ) -> StoreResult<()> {
        self.move_complaint(
            id,
            &[Status::Negotiating],
            Some(organisation_id),
            "unit_failed = 1",
            vec![],
            actor,
            ("商家协商未果", "The business could not reach agreement"),
            audit,
        )
        .await
    }

    /// Staff take over from the business (it failed, or its 10 working days ran out).
    pub async fn escalate_complaint(
        &self,
        id: i64,
        actor: &str,
        audit: &AuditEvent,
    ) -> StoreResult<()> {
        self.move_complaint(
            id,
            &[Status::Negotiating],
            None,
            "status = 'mediating'",
            vec![],
            actor,
            (
                "转入市场监管部门调解",
                "Escalated to mediation by the regulator",
            ),
            audit,
        )
        .await
    }

    #[allow(clippy::too_many_arguments)]
    pub async fn close_complaint(
        &self,
        id: i64,
        outcome: Outcome,
        today: &str,
        recovered_fen: i64,
        advance_fen: i64,
        actor: &str,
        audit: &AuditEvent,
    ) -> StoreResult<()> {
        let (zh, en) = outcome.name();
        self.move_complaint(
            id,
            &[Status::Negotiating, Status::Mediating],
            None,
            "status = 'closed', outcome = $1, closed_on = $2, recovered_fen = $3, \
             advance_fen = CASE WHEN $4 > advance_fen THEN $4 ELSE advance_fen END",
            vec![
                Value::Text(outcome.code().into()),
                Value::Text(today.into()),
                Value::Int(recovered_fen),
                Value::Int(advance_fen),
            ],
            actor,
            (&format!("办结：{zh}"), &format!("Closed: {en}")),
            audit,
        )
        .await
    }

    /// The consumer's one vote. False when it was already given or the complaint is
    /// not closed.
    pub async fn rate_complaint(
        &self,
        id: i64,
        rating: Rating,
        audit: &AuditEvent,
    ) -> StoreResult<bool> {
        let now = now_text();
        let mut tx = self.pool().begin().await?;
        let done = sqlx::query(
            "UPDATE complaints SET rating = $1, rated_at = $2, updated_at = $2 \
             WHERE id = $3 AND status = 'closed' AND rating IS NULL",
        )
        .bind(rating.code())
        .bind(now.as_str())
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if done {
            let (zh, en) = rating.name();
            event(
                &mut tx,
                id,
                "consumer",
                &format!("消费者评价：{zh}"),
                &format!("The consumer rated it: {en}"),
                &now,
            )
            .await?;
            self.commit_audited(tx, audit).await?;
        }
        Ok(done)
    }

    // ---- imports ------------------------------------------------------------------------

    /// Starts an import: one transaction that holds every row until the end.
    /// `expected_rows` is the caller's estimate of the file's rows (0 when unknown); it
    /// only decides how the indexes are kept up to date (`BULK_ROWS`).
    pub async fn begin_import(
        &self,
        file_name: &str,
        imported_by: &str,
        expected_rows: u64,
    ) -> StoreResult<ImportRun> {
        let mut conn = match self.backend() {
            crate::Backend::Sqlite => ImportConn::Sqlite(self.import_connection().await?),
            crate::Backend::Postgres => ImportConn::Pool(self.pool().begin().await?),
        };
        let now = now_text();
        let import_id: i64 = on_conn!(&mut conn, |c| sqlx::query(
            "INSERT INTO complaint_imports \
             (file_name, rows_read, rows_bad, outcome, imported_by, created_at) \
             VALUES ($1, 0, 0, 'running', $2, $3) RETURNING id",
        )
        .bind(file_name)
        .bind(imported_by)
        .bind(now.as_str())
        .fetch_one(&mut *c)
        .await?
        .get(0));
        if self.backend() == crate::Backend::Postgres {
            // Local to this transaction: the insert triggers stand aside (migration 0015).
            conn.execute("SELECT set_config('fangxin.importing', 'on', true)", &[])
                .await?;
        }
        let organisations: HashMap<String, i64> = on_conn!(&mut conn, |c| sqlx::query(
            "SELECT credit_code, id FROM organisations"
        )
        .fetch_all(&mut *c)
        .await?
        .iter()
        .map(|r| (r.get::<String, _>(0), r.get::<i64, _>(1)))
        .collect());
        let mut rebuild = Vec::new();
        if let ImportConn::Sqlite(c) = &mut conn {
            if expected_rows >= BULK_ROWS {
                let stored: i64 = sqlx::query("SELECT COALESCE(MAX(id), 0) FROM complaints")
                    .fetch_one(&mut *c)
                    .await?
                    .get(0);
                if expected_rows.saturating_mul(2) >= stored.max(0) as u64 {
                    let plain = sqlx::query(
                        "SELECT name, sql FROM sqlite_master WHERE type = 'index' \
                         AND tbl_name = 'complaints' AND sql IS NOT NULL \
                         AND upper(sql) NOT LIKE 'CREATE UNIQUE%' \
                         AND upper(sql) NOT LIKE '% WHERE %' ORDER BY name",
                    )
                    .fetch_all(&mut *c)
                    .await?;
                    for index in plain {
                        let name: String = index.get(0);
                        sqlx::query(&format!("DROP INDEX \"{name}\""))
                            .execute(&mut *c)
                            .await?;
                        rebuild.push(index.get::<String, _>(1));
                    }
                }
            }
        }
        Ok(ImportRun {
            conn,
            import_id,
            now,
            backend: self.backend(),
            organisations,
            rollups: RollupSums::default(),
            inserted: 0,
            insert_sql: (0, String::new()),
            rebuild,
            failed: false,
        })
    }

    /// SQLite: a connection of the import's own to the same file, with its write
    /// transaction begun (`BEGIN IMMEDIATE` waits its turn behind other writers, up to
    /// the busy timeout, instead of failing half-way). Foreign keys are not checked on
    /// it: every reference an imported row makes is checked by the import itself (the
    /// township against `areas`, the organisation looked up in `organisations` inside
    /// this transaction, the import's own record), and three lookups per row were a
    /// tenth of a million-row import. Triggers are off on it too: the only ones that
    /// would fire are `complaints`' insert triggers, which leave imported rows out
    /// (migration 0015; the import does their work itself when it commits), yet cost
    /// a trigger program per trigger per row — a sixth of a million-row import. No
    /// other table an import writes has triggers (the roll-up test in
    /// `tests/dashboard.rs` would see one that mattered).
    async fn import_connection(&self) -> StoreResult<sqlx::SqliteConnection> {
        use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
        use std::str::FromStr;
        if self.url.0.contains(":memory:") {
            return Err(StoreError::Refused(
                "a 12315 import needs the database in a file, not in memory".into(),
            ));
        }
        let options = SqliteConnectOptions::from_str(&self.url.0)
            .map_err(StoreError::Connect)?
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(false)
            .busy_timeout(std::time::Duration::from_secs(5))
            .pragma("cache_size", format!("-{IMPORT_CACHE_KB}"));
        let mut conn = sqlx::SqliteConnection::connect_with(&options)
            .await
            .map_err(StoreError::Connect)?;
        crate::sqlite_rows::Db::new(&mut conn.lock_handle().await?).disable_triggers()?;
        sqlx::query("BEGIN IMMEDIATE").execute(&mut conn).await?;
        Ok(conn)
    }

    pub async fn complaint_imports(&self, limit: i64) -> StoreResult<Vec<ComplaintImport>> {
        let rows = sqlx::query(&format!(
            "SELECT id, file_name, rows_read, rows_bad, outcome, imported_by, created_at \
             FROM complaint_imports ORDER BY id DESC LIMIT {limit}"
        ))
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .iter()
            .map(|r| ComplaintImport {
                id: r.get(0),
                file_name: r.get(1),
                rows_read: r.get(2),
                rows_bad: r.get(3),
                outcome: r.get(4),
                imported_by: r.get(5),
                created_at: r.get(6),
            })
            .collect())
    }

    pub async fn complaint_import_report(&self, id: i64) -> StoreResult<Option<String>> {
        let row = sqlx::query("SELECT report FROM complaint_imports WHERE id = $1")
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.and_then(|r| r.get::<Option<String>, _>(0)))
    }

    // ---- the consumer's signed rating link ------------------------------------------------

    /// The key that signs rating links, made once and shared by every server instance.
    async fn rating_key(&self) -> StoreResult<Vec<u8>> {
        let mut fresh = [0u8; 32];
        getrandom::fill(&mut fresh).expect("the operating system's random source works");
        let hex: String = fresh.iter().map(|b| format!("{b:02x}")).collect();
        sqlx::query(
            "INSERT INTO settings (key, value, updated_at) VALUES ('secret.rating_key', $1, $2) \
             ON CONFLICT (key) DO NOTHING",
        )
        .bind(hex)
        .bind(now_text())
        .execute(self.pool())
        .await?;
        let key = self
            .setting("secret.rating_key")
            .await?
            .ok_or_else(|| StoreError::Corrupt("no rating key".into()))?;
        Ok(key.into_bytes())
    }

    /// `{id}-{signature}`: opens the rating page of one complaint, with no login.
    pub async fn rating_token(&self, id: i64) -> StoreResult<String> {
        let key = self.rating_key().await?;
        Ok(format!("{id}-{}", sign(&key, id)))
    }

    /// The complaint a rating token opens, when its signature holds.
    pub async fn complaint_by_rating_token(&self, token: &str) -> StoreResult<Option<Complaint>> {
        let Some((id, sig)) = token.split_once('-') else {
            return Ok(None);
        };
        let Ok(id) = id.parse::<i64>() else {
            return Ok(None);
        };
        let key = self.rating_key().await?;
        let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("any key length");
        mac.update(format!("rate:{id}").as_bytes());
        let Some(sig) = hex_bytes(sig) else {
            return Ok(None);
        };
        if sig.len() != 16 || mac.verify_truncated_left(&sig).is_err() {
            return Ok(None);
        }
        self.complaint(id).await
    }
}

fn sign(key: &[u8], id: i64) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("any key length");
    mac.update(format!("rate:{id}").as_bytes());
    mac.finalize().into_bytes()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn hex_bytes(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

async fn event(
    tx: &mut Transaction<'static, Any>,
    id: i64,
    actor: &str,
    zh: &str,
    en: &str,
    now: &str,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO complaint_events (complaint_id, at, actor, text_zh, text_en) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id)
    .bind(now)
    .bind(actor)
    .bind(zh)
    .bind(en)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Township names (尧渡镇, 尧渡) and codes of one county, for reading exports.
#[derive(Clone, Debug, Default)]
pub struct TownshipIndex(std::collections::HashMap<String, String>);

impl domain::complaint::Townships for TownshipIndex {
    fn code_of(&self, name_or_code: &str) -> Option<String> {
        self.0.get(name_or_code.trim()).cloned()
    }
}

impl Store {
    pub async fn township_index(&self, county: &str) -> StoreResult<TownshipIndex> {
        let mut map = std::collections::HashMap::new();
        for a in self.areas_under(county).await? {
            if a.level != "township" {
                continue;
            }
            let short = a.name_zh.trim_end_matches(['镇', '乡']).to_string();
            for key in [a.code.clone(), a.name_zh.clone(), short, a.name_en.clone()] {
                map.insert(key, a.code.clone());
            }
        }
        Ok(TownshipIndex(map))
    }
}
