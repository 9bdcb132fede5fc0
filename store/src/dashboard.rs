//! What the leaders' dashboards read: the complaint roll-ups (kept exact by triggers in
//! the same transaction as every write, migration 0011), the applications by state, and
//! recognitions by year. Every reader here sums at most a few thousand roll-up rows,
//! whatever the number of complaints; the `naive_*` readers group the raw rows instead
//! and exist for the benchmark and the tests that prove both agree.

use crate::complaints::ComplaintFigures;
use crate::{Store, StoreResult};
use domain::rates::ComplaintCounts;
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use sqlx::Row;

/// Which complaints a dashboard reads: everything under an area (a province, city,
/// county or township code), optionally one industry, over a range of months
/// (`YYYY-MM`, inclusive) of acceptance.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Slice {
    pub area: String,
    pub industry: Option<String>,
    pub from_month: String,
    pub to_month: String,
}

/// One group of a breakdown: its key (a month, an area code, an industry code or an
/// organisation id) and its figures.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    pub key: String,
    pub figures: ComplaintFigures,
}

/// A registered organisation's figures in a year (id 0 gathers unregistered businesses).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitGroup {
    pub organisation_id: i64,
    pub name: String,
    pub figures: ComplaintFigures,
}

/// Open complaints whose clock started on the same day, in the same state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenClock {
    pub status: String,
    pub since: String,
    pub count: i64,
}

/// Open complaints: the number per state, and the recent ones by the day their clock
/// started.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenClocks {
    pub totals: Vec<(String, i64)>,
    pub recent: Vec<OpenClock>,
}

/// Applications of one category in one state, submitted in one year ('' for drafts).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationCount {
    pub category: String,
    pub state: domain::lifecycle::State,
    pub year: String,
    pub count: i64,
}

/// Recognitions granted, and revoked, in one year.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecognitionYear {
    pub year: String,
    pub recognised: i64,
    pub revoked: i64,
}

pub(crate) const MEASURES: [&str; 9] = [
    "accepted",
    "closed",
    "mediated",
    "mediated_successfully",
    "rated_satisfied",
    "rated_basically_satisfied",
    "rated_dissatisfied",
    "recovered_fen",
    "advance_fen",
];

/// The same nine measures computed from raw complaint rows (what the triggers add).
const RAW_MEASURES: [&str; 9] = [
    "1",
    "CASE WHEN status = 'closed' THEN 1 ELSE 0 END",
    "CASE WHEN status = 'closed' AND outcome IS NOT NULL THEN 1 ELSE 0 END",
    "CASE WHEN status = 'closed' AND outcome IN ('agreement', 'settlement') THEN 1 ELSE 0 END",
    "CASE WHEN status = 'closed' AND rating = 'satisfied' THEN 1 ELSE 0 END",
    "CASE WHEN status = 'closed' AND rating = 'basic' THEN 1 ELSE 0 END",
    "CASE WHEN status = 'closed' AND rating = 'dissatisfied' THEN 1 ELSE 0 END",
    "CASE WHEN status = 'closed' THEN recovered_fen ELSE 0 END",
    "CASE WHEN status = 'closed' THEN advance_fen ELSE 0 END",
];

const ACCEPTED: &str =
    "accepted_on IS NOT NULL AND status IN ('negotiating', 'mediating', 'closed')";

fn sums(exprs: &[&str]) -> String {
    exprs
        .iter()
        .map(|e| format!("CAST(COALESCE(SUM({e}), 0) AS BIGINT)"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Reads the nine sums starting at column `at` (the same order everywhere).
pub(crate) fn figures(row: &AnyRow, at: usize) -> ComplaintFigures {
    let n = |i: usize| row.get::<i64, _>(at + i).max(0) as u64;
    ComplaintFigures {
        counts: ComplaintCounts {
            accepted: n(0),
            closed: n(1),
            mediated: n(2),
            mediated_successfully: n(3),
            rated_satisfied: n(4),
            rated_basically_satisfied: n(5),
            rated_dissatisfied: n(6),
        },
        recovered_fen: row.get(at + 7),
        advance_fen: row.get(at + 8),
    }
}

/// How a breakdown groups: by month, by the areas one level down, or by industry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum By {
    Month,
    /// The first `n` digits of the area code (6: counties, 9: townships).
    Area(usize),
    Industry,
}

impl By {
    fn key(self, month_expr: &str) -> String {
        match self {
            By::Month => month_expr.to_string(),
            By::Area(n) => format!("substr(area_code, 1, {n})"),
            By::Industry => "industry".to_string(),
        }
    }
}

impl Store {
    /// A breakdown of the slice, from the month roll-up.
    pub async fn complaint_groups(&self, s: &Slice, by: By) -> StoreResult<Vec<Group>> {
        let key = by.key("month");
        let sql = format!(
            "SELECT {key}, {} FROM complaint_month_rollup \
             WHERE area_code LIKE $1 AND month >= $2 AND month <= $3 AND ($4 = '' OR industry = $4) \
             GROUP BY {key} ORDER BY {key}",
            sums(&MEASURES)
        );
        self.groups(&sql, s).await
    }

    /// The same breakdown grouped over the raw complaints (the benchmark's baseline and
    /// the tests' reference).
    pub async fn naive_complaint_groups(&self, s: &Slice, by: By) -> StoreResult<Vec<Group>> {
        let key = by.key("substr(accepted_on, 1, 7)");
        let sql = format!(
            "SELECT {key}, {} FROM complaints \
             WHERE area_code LIKE $1 AND accepted_on >= $2 AND accepted_on < $3 || '-32' \
             AND ($4 = '' OR industry = $4) AND {ACCEPTED} \
             GROUP BY {key} ORDER BY {key}",
            sums(&RAW_MEASURES)
        );
        let mut s = s.clone();
        s.from_month = format!("{}-01", s.from_month);
        self.groups(&sql, &s).await
    }

    async fn groups(&self, sql: &str, s: &Slice) -> StoreResult<Vec<Group>> {
        let rows = sqlx::query(sql)
            .bind(format!("{}%", s.area))
            .bind(s.from_month.as_str())
            .bind(s.to_month.as_str())
            .bind(s.industry.clone().unwrap_or_default())
            .fetch_all(self.pool())
            .await?;
        Ok(rows
            .iter()
            .map(|r| Group {
                key: r.get(0),
                figures: figures(r, 1),
            })
            .filter(|g| g.figures.counts.accepted > 0)
            .collect())
    }

    /// The units of one township in one year of acceptance, busiest first.
    pub async fn unit_groups(
        &self,
        township: &str,
        industry: Option<&str>,
        year: i32,
        limit: i64,
    ) -> StoreResult<Vec<UnitGroup>> {
        // The top units first, their names after: joining names inside the GROUP BY would
        // look up every business of the township.
        let named: Vec<String> = MEASURES
            .iter()
            .map(|m| format!("CAST(COALESCE(SUM({m}), 0) AS BIGINT) AS {m}"))
            .collect();
        let outer: Vec<String> = MEASURES.iter().map(|m| format!("t.{m}")).collect();
        let sql = format!(
            "SELECT t.organisation_id, COALESCE(o.name, ''), {} FROM ( \
               SELECT organisation_id, {} FROM complaint_unit_rollup \
               WHERE area_code = $1 AND year = $2 AND ($3 = '' OR industry = $3) \
               GROUP BY organisation_id HAVING SUM(accepted) > 0 \
               ORDER BY 2 DESC, 1 LIMIT $4 \
             ) t LEFT JOIN organisations o ON o.id = t.organisation_id \
             ORDER BY t.accepted DESC, t.organisation_id",
            outer.join(", "),
            named.join(", ")
        );
        let rows = sqlx::query(&sql)
            .bind(township)
            .bind(year.to_string())
            .bind(industry.unwrap_or_default())
            .bind(limit)
            .fetch_all(self.pool())
            .await?;
        Ok(rows
            .iter()
            .map(|r| UnitGroup {
                organisation_id: r.get(0),
                name: r.get(1),
                figures: figures(r, 2),
            })
            .collect())
    }

    /// Open complaints under an area: their number per state, and those whose clock
    /// started after `after` (YYYY-MM-DD) by state and day. The caller applies the
    /// holiday calendar (`domain::dashboard::overdue_counts`); years of complaints left
    /// open cost one small read (the total roll-up) and an index range over recent days.
    pub async fn open_clocks(
        &self,
        area: &str,
        industry: Option<&str>,
        after: &str,
    ) -> StoreResult<OpenClocks> {
        let totals = sqlx::query(
            "SELECT status, CAST(SUM(open_count) AS BIGINT) AS open_count FROM complaint_open_total \
             WHERE area_code LIKE $1 AND ($2 = '' OR industry = $2) GROUP BY status",
        )
        .bind(format!("{area}%"))
        .bind(industry.unwrap_or_default())
        .fetch_all(self.pool())
        .await?;
        let recent = sqlx::query(
            "SELECT status, since, CAST(SUM(open_count) AS BIGINT) AS open_count \
             FROM complaint_open_rollup \
             WHERE since > $3 AND area_code LIKE $1 AND ($2 = '' OR industry = $2) \
             GROUP BY status, since HAVING SUM(open_count) > 0 ORDER BY since",
        )
        .bind(format!("{area}%"))
        .bind(industry.unwrap_or_default())
        .bind(after)
        .fetch_all(self.pool())
        .await?;
        Ok(OpenClocks {
            totals: totals
                .iter()
                .map(|r| (r.get("status"), r.get("open_count")))
                .collect(),
            recent: recent
                .iter()
                .map(|r| OpenClock {
                    status: r.get("status"),
                    since: r.get("since"),
                    count: r.get("open_count"),
                })
                .collect(),
        })
    }

    /// Applications under an area by category and state.
    pub async fn application_counts(
        &self,
        area: &str,
        category: Option<&str>,
    ) -> StoreResult<Vec<ApplicationCount>> {
        let rows = sqlx::query(
            "SELECT a.category_code, a.state, substr(COALESCE(a.submitted_at, ''), 1, 4) AS year, \
             CAST(COUNT(*) AS BIGINT) AS applications FROM applications a \
             JOIN organisations o ON o.id = a.organisation_id \
             WHERE o.area_code LIKE $1 AND ($2 = '' OR a.category_code = $2) \
             GROUP BY a.category_code, a.state, substr(COALESCE(a.submitted_at, ''), 1, 4) \
             ORDER BY 1, 2, 3",
        )
        .bind(format!("{area}%"))
        .bind(category.unwrap_or_default())
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .iter()
            .map(|r| ApplicationCount {
                category: r.get("category_code"),
                state: crate::applications::read_state(r.get("state")),
                year: r.get("year"),
                count: r.get("applications"),
            })
            .collect())
    }

    /// Recognitions granted and revoked by year, under an area.
    pub async fn recognition_years(
        &self,
        area: &str,
        category: Option<&str>,
    ) -> StoreResult<Vec<RecognitionYear>> {
        let rows = sqlx::query(
            "SELECT substr(r.recognised_on, 1, 4) AS granted, \
             substr(COALESCE(r.revoked_on, ''), 1, 4) AS revoked \
             FROM recognitions r JOIN organisations o ON o.id = r.organisation_id \
             JOIN applications a ON a.id = r.application_id \
             WHERE o.area_code LIKE $1 AND ($2 = '' OR a.category_code = $2)",
        )
        .bind(format!("{area}%"))
        .bind(category.unwrap_or_default())
        .fetch_all(self.pool())
        .await?;
        let mut years: std::collections::BTreeMap<String, (i64, i64)> = Default::default();
        for r in &rows {
            let (granted, revoked): (String, String) = (r.get("granted"), r.get("revoked"));
            years.entry(granted).or_default().0 += 1;
            if !revoked.is_empty() {
                years.entry(revoked).or_default().1 += 1;
            }
        }
        Ok(years
            .into_iter()
            .map(|(year, (recognised, revoked))| RecognitionYear {
                year,
                recognised,
                revoked,
            })
            .collect())
    }

    /// The roll-up rows that differ from a recomputation over the raw complaints, as
    /// text (empty when every roll-up is exact). Rows summing to zero count as absent.
    pub async fn rollup_mismatches(&self) -> StoreResult<Vec<String>> {
        let measures = sums(&RAW_MEASURES);
        let stored = MEASURES
            .iter()
            .map(|m| format!("CAST({m} AS BIGINT)"))
            .collect::<Vec<_>>()
            .join(", ");
        let nonzero = MEASURES
            .iter()
            .map(|m| format!("{m} <> 0"))
            .collect::<Vec<_>>()
            .join(" OR ");
        let checks = [
            (
                "month",
                format!(
                    "SELECT area_code, industry, month, {stored} FROM complaint_month_rollup WHERE {nonzero}"
                ),
                format!(
                    "SELECT area_code, industry, substr(accepted_on, 1, 7), {measures} FROM complaints \
                     WHERE {ACCEPTED} GROUP BY area_code, industry, substr(accepted_on, 1, 7)"
                ),
            ),
            (
                "unit",
                format!(
                    "SELECT area_code, year, CAST(organisation_id AS BIGINT), industry, {stored} \
                     FROM complaint_unit_rollup WHERE {nonzero}"
                ),
                format!(
                    "SELECT area_code, substr(accepted_on, 1, 4), CAST(COALESCE(organisation_id, 0) AS BIGINT), \
                     industry, {measures} FROM complaints WHERE {ACCEPTED} \
                     GROUP BY area_code, substr(accepted_on, 1, 4), COALESCE(organisation_id, 0), industry"
                ),
            ),
            (
                "open",
                "SELECT area_code, industry, status, since, CAST(open_count AS BIGINT) \
                 FROM complaint_open_rollup WHERE open_count <> 0"
                    .to_string(),
                "SELECT area_code, industry, status, \
                 CASE WHEN status = 'received' THEN received_on ELSE COALESCE(accepted_on, received_on) END, \
                 CAST(COUNT(*) AS BIGINT) FROM complaints \
                 WHERE status IN ('received', 'negotiating', 'mediating') \
                 GROUP BY area_code, industry, status, \
                 CASE WHEN status = 'received' THEN received_on ELSE COALESCE(accepted_on, received_on) END"
                    .to_string(),
            ),
            (
                "open total",
                "SELECT area_code, industry, status, CAST(open_count AS BIGINT) \
                 FROM complaint_open_total WHERE open_count <> 0"
                    .to_string(),
                "SELECT area_code, industry, status, CAST(COUNT(*) AS BIGINT) FROM complaints \
                 WHERE status IN ('received', 'negotiating', 'mediating') \
                 GROUP BY area_code, industry, status"
                    .to_string(),
            ),
        ];
        let mut out = Vec::new();
        for (name, stored, recomputed) in checks {
            for (label, a, b) in [
                ("stored, not recomputed", &stored, &recomputed),
                ("recomputed, not stored", &recomputed, &stored),
            ] {
                let rows = sqlx::query(&format!("{a} EXCEPT {b}"))
                    .fetch_all(self.pool())
                    .await?;
                for r in rows.iter().take(5) {
                    let key: String = r.get(0);
                    out.push(format!("{name} roll-up, {label}: {key} …"));
                }
                if rows.len() > 5 {
                    out.push(format!("{name} roll-up, {label}: {} more", rows.len() - 5));
                }
            }
        }
        Ok(out)
    }
}

// ---- generated data (`fangxin-tools generate`) ----------------------------------------

/// A generated business as the organisations table keeps it.
pub struct GeneratedBusiness<'a> {
    pub credit_code: &'a str,
    pub name: &'a str,
    pub category: &'a str,
    pub area_code: &'a str,
}

impl Store {
    /// Registers generated businesses; returns their ids in order. Rows already there
    /// (by credit code) keep theirs.
    pub async fn insert_generated_businesses(
        &self,
        businesses: &[GeneratedBusiness<'_>],
    ) -> StoreResult<Vec<i64>> {
        let now = crate::now_text();
        let mut ids = Vec::with_capacity(businesses.len());
        let mut tx = self.pool().begin().await?;
        for chunk in businesses.chunks(500) {
            let sql = format!(
                "INSERT INTO organisations (credit_code, name, category_code, area_code, \
                 contact_name, contact_mobile, created_at) VALUES {} \
                 ON CONFLICT (credit_code) DO UPDATE SET name = excluded.name RETURNING id, credit_code",
                crate::complaints::placeholders(chunk.len(), 7, self.backend())
            );
            let mut q = sqlx::query(&sql);
            for b in chunk {
                q = q
                    .bind(b.credit_code)
                    .bind(b.name)
                    .bind(b.category)
                    .bind(b.area_code)
                    .bind("店长")
                    .bind("13900000000")
                    .bind(now.as_str());
            }
            let rows = q.fetch_all(&mut *tx).await?;
            let by_code: std::collections::HashMap<String, i64> =
                rows.iter().map(|r| (r.get(1), r.get(0))).collect();
            for b in chunk {
                ids.push(by_code[b.credit_code]);
            }
        }
        tx.commit().await?;
        Ok(ids)
    }

    /// Inserts generated complaints in one transaction (the roll-up triggers run as
    /// for any write). Complaint numbers already stored are skipped.
    pub async fn insert_generated_complaints(
        &self,
        rows: &[(domain::complaint::Record, Option<i64>)],
    ) -> StoreResult<()> {
        use crate::complaints::{bind_record, placeholders, INSERT_ARITY, INSERT_COLUMNS};
        let now = crate::now_text();
        let mut tx = self.pool().begin().await?;
        for chunk in rows.chunks(crate::complaints::IMPORT_BATCH) {
            let sql = format!(
                "INSERT INTO complaints ({INSERT_COLUMNS}) VALUES {} \
                 ON CONFLICT (external_no) DO NOTHING",
                placeholders(chunk.len(), INSERT_ARITY, self.backend())
            );
            let mut q = sqlx::query(&sql);
            for (r, org) in chunk {
                q = bind_record(q, r, None, "generated", *org, "", None, &now);
            }
            q.execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
