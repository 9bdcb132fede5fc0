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
    pub status: Status,
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
        id: r.get("id"),
        tracking_code: r.get("tracking_code"),
        external_no: r.get("external_no"),
        source: r.get("source"),
        channel: r.get("channel"),
        consumer_name: r.get("consumer_name"),
        consumer_phone: r.get("consumer_phone"),
        organisation_id: r.get("organisation_id"),
        unit_name: r.get("unit_name"),
        unit_credit_code: r.get("unit_credit_code"),
        area_code: r.get("area_code"),
        industry: r.get("industry"),
        summary: r.get("summary"),
        demand: r.get("demand"),
        // The store writes only the domain's codes; an unknown one reads as not yet accepted.
        status: Status::parse(&r.get::<String, _>("status")).unwrap_or(Status::Received),
        received_on: r.get("received_on"),
        accepted_on: r.get("accepted_on"),
        closed_on: r.get("closed_on"),
        outcome: r.get("outcome"),
        refusal_ground: r.get("refusal_ground"),
        recovered_fen: r.get("recovered_fen"),
        advance_fen: r.get("advance_fen"),
        rating: r.get("rating"),
        rated_at: r.get("rated_at"),
        unit_contacted_on: r.get("unit_contacted_on"),
        unit_offer: r.get("unit_offer"),
        unit_failed: r.get::<i64, _>("unit_failed") != 0,
        created_at: r.get("created_at"),
    }
}

fn date(s: &str) -> Option<chrono::NaiveDate> {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

impl Complaint {
    /// What the clocks and the rates read, from the stored text.
    pub fn facts(&self) -> Option<Facts> {
        Some(Facts {
            status: self.status,
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

mod handling;
mod import;
mod rollups;
mod sqlite_bulk;

pub use import::*;
use rollups::*;
use sqlite_bulk::*;

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
                at: r.get("at"),
                actor: r.get("actor"),
                text_zh: r.get("text_zh"),
                text_en: r.get("text_en"),
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
