//! Imports of 12315 exports: rows bound in batches in one transaction, the roll-ups
//! summed as they go, plain indexes rebuilt after a big file.

use super::*;

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

/// Roll-up rows upserted between two looks at other tasks, on SQLite (see
/// `run_upserts_sqlite`).
pub(super) const ROLLUP_ROWS_PER_TURN: usize = 5_000;

/// Where an import's transaction runs.
pub(super) enum ImportConn {
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
pub(super) const IMPORT_CACHE_KB: i64 = 65536;
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

/// The batch INSERT bound to its rows.
pub(super) fn import_rows<'q>(
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
    /// the dashboards' roll-ups (the insert triggers left them out, migration 0015), and
    /// appends `event` (its target set to the import) in the same transaction.
    pub async fn commit(
        mut self,
        store: &Store,
        rows_read: i64,
        event: &AuditEvent,
    ) -> StoreResult<i64> {
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
        let event = event.with_target(format!("complaint_import:{import_id}"));
        on_conn!(&mut self.conn, |c| {
            crate::audit::append_audit_on!(store, c, &event)
        });
        match self.conn {
            ImportConn::Pool(tx) => tx.commit().await?,
            ImportConn::Sqlite(mut conn) => {
                sqlx::query("COMMIT").execute(&mut conn).await?;
                conn.close().await?;
            }
        }
        Ok(import_id)
    }

    /// Keeps nothing of the rows; records the refusal and its report, by `event`'s actor,
    /// with `event` (its target set to the import) in the same transaction.
    pub async fn reject(
        self,
        store: &Store,
        file_name: &str,
        rows_read: i64,
        rows_bad: i64,
        report: &str,
        event: &AuditEvent,
    ) -> StoreResult<i64> {
        match self.conn {
            ImportConn::Pool(tx) => tx.rollback().await?,
            ImportConn::Sqlite(mut conn) => {
                sqlx::query("ROLLBACK").execute(&mut conn).await?;
                conn.close().await?;
            }
        }
        let mut tx = store.pool().begin().await?;
        let row = sqlx::query(
            "INSERT INTO complaint_imports \
             (file_name, rows_read, rows_bad, outcome, report, imported_by, created_at) \
             VALUES ($1, $2, $3, 'rejected', $4, $5, $6) RETURNING id",
        )
        .bind(file_name)
        .bind(rows_read)
        .bind(rows_bad)
        .bind(report)
        .bind(&event.actor)
        .bind(now_text())
        .fetch_one(&mut *tx)
        .await?;
        let import_id: i64 = row.get(0);
        store
            .append_audit(
                &mut tx,
                &event.with_target(format!("complaint_import:{import_id}")),
            )
            .await?;
        tx.commit().await?;
        Ok(import_id)
    }
}

impl Store {
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
        .map(|r| (r.get::<String, _>("credit_code"), r.get::<i64, _>("id")))
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
                        let name: String = index.get("name");
                        sqlx::query(&format!("DROP INDEX \"{name}\""))
                            .execute(&mut *c)
                            .await?;
                        rebuild.push(index.get::<String, _>("sql"));
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
    pub(super) async fn import_connection(&self) -> StoreResult<sqlx::SqliteConnection> {
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
                id: r.get("id"),
                file_name: r.get("file_name"),
                rows_read: r.get("rows_read"),
                rows_bad: r.get("rows_bad"),
                outcome: r.get("outcome"),
                imported_by: r.get("imported_by"),
                created_at: r.get("created_at"),
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
}
