//! County review to recognition: panel members, assignments and independent scores,
//! panel results, rectification, holiday calendars, public notices and objections,
//! recognitions, re-inspections and revocation, and the in-app inbox.
//!
//! Each state change of an application happens in the same transaction as the record
//! that justifies it, guarded by the state it leaves (`WHERE state = …`), so two staff
//! acting at once cannot both move it.

use crate::applications::{state_code, Application};
use crate::{now_text, Store, StoreResult};
use domain::lifecycle::State;
use serde::{Deserialize, Serialize};
use sqlx::Row;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PanelMember {
    pub id: i64,
    pub account_id: i64,
    pub login: String,
    pub display_name: String,
    pub area_code: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignment {
    pub id: i64,
    pub application_id: i64,
    pub round: i64,
    pub reviewer_id: i64,
    pub reviewer_name: String,
    /// assigned | recused | scored
    pub status: String,
    pub conflict: Option<String>,
    pub conflict_note: Option<String>,
    /// JSON `Vec<Option<ItemScore>>` once scored.
    pub scores: Option<String>,
    pub total: Option<i64>,
    pub vetoed: Option<i64>,
    pub comment: Option<String>,
    pub scored_at: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PanelResultRow {
    pub application_id: i64,
    pub round: i64,
    pub method: String,
    pub score_tenths: i64,
    pub spread: i64,
    pub vetoed: bool,
    pub outcome: String,
    pub decided_at: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rectification {
    pub application_id: i64,
    pub opened_on: String,
    pub due_on: String,
    /// JSON: the failed items (index, text) as to-dos.
    pub items: String,
    pub report: Option<String>,
    pub reported_at: Option<String>,
    /// JSON list of reminders already sent ("30", "7").
    pub reminded: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub id: i64,
    pub batch_id: i64,
    pub title: String,
    pub published_on: String,
    pub ends_on: String,
    pub working_days: i64,
    pub first_day_counts: bool,
    pub created_at: String,
    pub recognised_at: Option<String>,
}

/// One application on a notice, with what the public sees of it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeEntry {
    pub application_id: i64,
    pub organisation_id: i64,
    pub organisation_name: String,
    pub credit_code: String,
    pub area_code: String,
    pub category_code: String,
    pub state: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Objection {
    pub id: i64,
    pub notice_id: i64,
    pub application_id: i64,
    pub name: String,
    pub contact: String,
    pub facts: String,
    pub evidence: String,
    pub filed_at: String,
    pub assigned_to: Option<i64>,
    pub respond_by: String,
    pub status: String,
    pub outcome: Option<String>,
    pub decided_at: Option<String>,
}

pub struct NewObjection<'a> {
    pub notice_id: i64,
    pub application_id: i64,
    pub name: &'a str,
    pub contact: &'a str,
    pub facts: &'a str,
    pub evidence: &'a str,
    pub respond_by: &'a str,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recognition {
    pub id: i64,
    pub application_id: i64,
    pub organisation_id: i64,
    pub organisation_name: String,
    pub credit_code: String,
    pub area_code: String,
    pub category_code: String,
    pub certificate_no: String,
    pub token: String,
    pub recognised_on: String,
    pub valid_until: String,
    pub revoked_on: Option<String>,
    pub revoke_reason: Option<String>,
    /// The store or brand name the application gave (empty for older ones).
    pub display_name: String,
    /// The industry code of the category's list (`domain::application::industries`).
    pub industry: String,
    pub address: String,
}

/// What the public directory asks for: every part optional.
#[derive(Clone, Debug, Default)]
pub struct DirectoryQuery {
    /// Part of the registered name, the shop-front name or the credit code.
    pub text: String,
    /// An area code: a township, or empty for the whole county.
    pub township: String,
    pub category: String,
    pub industry: String,
    /// Also list plaques that expired or were revoked.
    pub include_ended: bool,
    pub sort: DirectorySort,
    /// YYYY-MM-DD: a plaque is valid up to and including its last day.
    pub today: String,
    pub offset: i64,
    pub limit: i64,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum DirectorySort {
    #[default]
    Newest,
    Township,
    Certificate,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reinspection {
    pub id: i64,
    pub recognition_id: i64,
    pub plan: String,
    pub planned_at: String,
    pub result: Option<String>,
    pub note: Option<String>,
    pub inspected_at: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    pub id: i64,
    pub text_zh: String,
    pub text_en: String,
    pub link: String,
    pub created_at: String,
    pub read_at: Option<String>,
}

/// A message for the inbox of one account or of every account of an organisation.
pub struct NewNotification<'a> {
    pub account_id: Option<i64>,
    pub organisation_id: Option<i64>,
    pub text_zh: &'a str,
    pub text_en: &'a str,
    pub link: &'a str,
}

/// The panel's decision on a round, ready to record.
pub struct NewPanelResult<'a> {
    pub application_id: i64,
    pub round: i64,
    pub method: &'a str,
    pub score_tenths: i64,
    pub spread: i64,
    pub vetoed: bool,
    pub passed: bool,
    pub decided_by: i64,
    /// For a first failure: the rectification to open (opened, due, to-dos JSON).
    pub rectification: Option<(&'a str, &'a str, &'a str)>,
}

const ASSIGNMENT_COLUMNS: &str = "p.id, p.application_id, p.round, p.reviewer_id, a.display_name, \
     p.status, p.conflict, p.conflict_note, p.scores, p.total, p.vetoed, p.comment, p.scored_at";

fn assignment(r: &sqlx::any::AnyRow) -> Assignment {
    Assignment {
        id: r.get(0),
        application_id: r.get(1),
        round: r.get(2),
        reviewer_id: r.get(3),
        reviewer_name: r.get(4),
        status: r.get(5),
        conflict: r.get(6),
        conflict_note: r.get(7),
        scores: r.get(8),
        total: r.get(9),
        vetoed: r.get(10),
        comment: r.get(11),
        scored_at: r.get(12),
    }
}

const RECOGNITION_COLUMNS: &str =
    "r.id, r.application_id, r.organisation_id, o.name, o.credit_code, \
     o.area_code, a.category_code, r.certificate_no, r.token, r.recognised_on, r.valid_until, \
     r.revoked_on, r.revoke_reason, r.display_name, r.industry, r.address";

const RECOGNITION_FROM: &str = "recognitions r JOIN organisations o ON o.id = r.organisation_id \
     JOIN applications a ON a.id = r.application_id";

fn recognition(r: &sqlx::any::AnyRow) -> Recognition {
    recognition_at(r, 0)
}

/// A recognition whose `RECOGNITION_COLUMNS` start at column `at`.
fn recognition_at(r: &sqlx::any::AnyRow, at: usize) -> Recognition {
    Recognition {
        id: r.get(at),
        application_id: r.get(at + 1),
        organisation_id: r.get(at + 2),
        organisation_name: r.get(at + 3),
        credit_code: r.get(at + 4),
        area_code: r.get(at + 5),
        category_code: r.get(at + 6),
        certificate_no: r.get(at + 7),
        token: r.get(at + 8),
        recognised_on: r.get(at + 9),
        valid_until: r.get(at + 10),
        revoked_on: r.get(at + 11),
        revoke_reason: r.get(at + 12),
        display_name: r.get(at + 13),
        industry: r.get(at + 14),
        address: r.get(at + 15),
    }
}

/// The brand name, industry and address an application gave (its `identity` step), as the
/// recognition keeps them for the public directory (migration 0014 does the same in SQL).
fn identity_copy(data: &str) -> [String; 3] {
    let json: serde_json::Value = serde_json::from_str(data).unwrap_or_default();
    ["brand_name", "industry", "address"]
        .map(|k| json["identity"][k].as_str().unwrap_or_default().to_string())
}

const NOTICE_COLUMNS: &str = "id, batch_id, title, published_on, ends_on, working_days, \
     first_day_counts, created_at, recognised_at";

fn notice(r: &sqlx::any::AnyRow) -> Notice {
    Notice {
        id: r.get(0),
        batch_id: r.get(1),
        title: r.get(2),
        published_on: r.get(3),
        ends_on: r.get(4),
        working_days: r.get(5),
        first_day_counts: r.get::<i64, _>(6) != 0,
        created_at: r.get(7),
        recognised_at: r.get(8),
    }
}

const OBJECTION_COLUMNS: &str = "id, notice_id, application_id, name, contact, facts, evidence, \
     filed_at, assigned_to, respond_by, status, outcome, decided_at";

fn objection(r: &sqlx::any::AnyRow) -> Objection {
    Objection {
        id: r.get(0),
        notice_id: r.get(1),
        application_id: r.get(2),
        name: r.get(3),
        contact: r.get(4),
        facts: r.get(5),
        evidence: r.get(6),
        filed_at: r.get(7),
        assigned_to: r.get(8),
        respond_by: r.get(9),
        status: r.get(10),
        outcome: r.get(11),
        decided_at: r.get(12),
    }
}

fn prefixed_application_columns() -> String {
    crate::applications::COLUMNS
        .split(", ")
        .map(|c| format!("a.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A plaque token nobody can guess: 128 random bits, hex.
pub fn new_plaque_token() -> String {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).expect("the operating system's random source works");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl Store {
    // ---- panel -------------------------------------------------------------------

    pub async fn panel_members(
        &self,
        batch_id: i64,
        category: &str,
    ) -> StoreResult<Vec<PanelMember>> {
        let rows = sqlx::query(
            "SELECT m.id, m.account_id, a.login, a.display_name, a.area_code FROM panel_members m \
             JOIN accounts a ON a.id = m.account_id WHERE m.batch_id = $1 AND m.category_code = $2 \
             ORDER BY m.id",
        )
        .bind(batch_id)
        .bind(category)
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .iter()
            .map(|r| PanelMember {
                id: r.get(0),
                account_id: r.get(1),
                login: r.get(2),
                display_name: r.get(3),
                area_code: r.get(4),
            })
            .collect())
    }

    /// Adds a reviewer to a panel; false when already on it.
    pub async fn add_panel_member(
        &self,
        batch_id: i64,
        category: &str,
        account_id: i64,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "INSERT INTO panel_members (batch_id, category_code, account_id, added_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        )
        .bind(batch_id)
        .bind(category)
        .bind(account_id)
        .bind(now_text())
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Takes a reviewer off a panel, with their unscored assignments in it.
    pub async fn remove_panel_member(
        &self,
        batch_id: i64,
        category: &str,
        account_id: i64,
    ) -> StoreResult<()> {
        let mut tx = self.pool().begin().await?;
        sqlx::query("DELETE FROM panel_members WHERE batch_id = $1 AND category_code = $2 AND account_id = $3")
            .bind(batch_id)
            .bind(category)
            .bind(account_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "DELETE FROM panel_assignments WHERE reviewer_id = $1 AND status = 'assigned' AND application_id IN \
             (SELECT id FROM applications WHERE batch_id = $2 AND category_code = $3 AND state = 'county_review')",
        )
        .bind(account_id)
        .bind(batch_id)
        .bind(category)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Applications waiting for the county panel in a batch.
    pub async fn county_review_queue(&self, batch_id: i64) -> StoreResult<Vec<Application>> {
        let sql = format!(
            "SELECT {} FROM applications a WHERE a.batch_id = $1 AND a.state = 'county_review' ORDER BY a.id",
            prefixed_application_columns()
        );
        let rows = sqlx::query(&sql)
            .bind(batch_id)
            .fetch_all(self.pool())
            .await?;
        Ok(rows.iter().map(crate::applications::from_row).collect())
    }

    /// Applications of a batch in given states (passed ones for a notice, say).
    pub async fn applications_in_state(
        &self,
        batch_id: i64,
        state: State,
    ) -> StoreResult<Vec<Application>> {
        let sql = format!(
            "SELECT {} FROM applications a WHERE a.batch_id = $1 AND a.state = $2 ORDER BY a.id",
            prefixed_application_columns()
        );
        let rows = sqlx::query(&sql)
            .bind(batch_id)
            .bind(state_code(state))
            .fetch_all(self.pool())
            .await?;
        Ok(rows.iter().map(crate::applications::from_row).collect())
    }

    /// The round under review: one more than the rounds already decided.
    pub async fn current_round(&self, application_id: i64) -> StoreResult<i64> {
        let n: i64 = sqlx::query("SELECT COUNT(*) FROM panel_results WHERE application_id = $1")
            .bind(application_id)
            .fetch_one(self.pool())
            .await?
            .get(0);
        Ok(n + 1)
    }

    pub async fn assignments_of_application(
        &self,
        application_id: i64,
        round: i64,
    ) -> StoreResult<Vec<Assignment>> {
        let sql = format!(
            "SELECT {ASSIGNMENT_COLUMNS} FROM panel_assignments p JOIN accounts a ON a.id = p.reviewer_id \
             WHERE p.application_id = $1 AND p.round = $2 ORDER BY p.id"
        );
        let rows = sqlx::query(&sql)
            .bind(application_id)
            .bind(round)
            .fetch_all(self.pool())
            .await?;
        Ok(rows.iter().map(assignment).collect())
    }

    /// A reviewer's assignments in the current round of applications under county review.
    pub async fn assignments_of_reviewer(&self, reviewer_id: i64) -> StoreResult<Vec<Assignment>> {
        let sql = format!(
            "SELECT {ASSIGNMENT_COLUMNS} FROM panel_assignments p JOIN accounts a ON a.id = p.reviewer_id \
             JOIN applications ap ON ap.id = p.application_id \
             WHERE p.reviewer_id = $1 AND ap.state = 'county_review' \
             AND p.round = (SELECT COUNT(*) + 1 FROM panel_results r WHERE r.application_id = p.application_id) \
             ORDER BY p.status, p.id"
        );
        let rows = sqlx::query(&sql)
            .bind(reviewer_id)
            .fetch_all(self.pool())
            .await?;
        Ok(rows.iter().map(assignment).collect())
    }

    /// Open assignments per reviewer on a batch's applications under review.
    pub async fn reviewer_loads(&self, batch_id: i64) -> StoreResult<Vec<(i64, usize)>> {
        let rows = sqlx::query(
            "SELECT p.reviewer_id, COUNT(*) FROM panel_assignments p JOIN applications ap ON ap.id = p.application_id \
             WHERE ap.batch_id = $1 AND ap.state = 'county_review' AND p.status <> 'recused' GROUP BY p.reviewer_id",
        )
        .bind(batch_id)
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .iter()
            .map(|r| (r.get::<i64, _>(0), r.get::<i64, _>(1) as usize))
            .collect())
    }

    /// Assigns a reviewer; false when they already have (or had) this application's round.
    pub async fn assign_reviewer(
        &self,
        application_id: i64,
        round: i64,
        reviewer_id: i64,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "INSERT INTO panel_assignments (application_id, round, reviewer_id, status, assigned_at) \
             VALUES ($1, $2, $3, 'assigned', $4) ON CONFLICT DO NOTHING",
        )
        .bind(application_id)
        .bind(round)
        .bind(reviewer_id)
        .bind(now_text())
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// A declared conflict: the reviewer steps aside at once (the caller audits it).
    pub async fn recuse(
        &self,
        assignment_id: i64,
        reviewer_id: i64,
        conflict: &str,
        note: &str,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE panel_assignments SET status = 'recused', conflict = $3, conflict_note = $4, scored_at = $5 \
             WHERE id = $1 AND reviewer_id = $2 AND status = 'assigned'",
        )
        .bind(assignment_id)
        .bind(reviewer_id)
        .bind(conflict)
        .bind(note)
        .bind(now_text())
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Records a reviewer's scores; false when not theirs to score (recused, or already scored).
    pub async fn submit_scores(
        &self,
        assignment_id: i64,
        reviewer_id: i64,
        scores: &str,
        total: i64,
        vetoed: bool,
        comment: &str,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE panel_assignments SET status = 'scored', scores = $3, total = $4, vetoed = $5, comment = $6, \
             scored_at = $7 WHERE id = $1 AND reviewer_id = $2 AND status = 'assigned'",
        )
        .bind(assignment_id)
        .bind(reviewer_id)
        .bind(scores)
        .bind(total)
        .bind(i64::from(vetoed))
        .bind(comment)
        .bind(now_text())
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// A discussion (合议): the round's scores open again for revision; they stay filled in.
    pub async fn reopen_scores(&self, application_id: i64, round: i64) -> StoreResult<u64> {
        let done = sqlx::query(
            "UPDATE panel_assignments SET status = 'assigned' WHERE application_id = $1 AND round = $2 AND status = 'scored'",
        )
        .bind(application_id)
        .bind(round)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected())
    }

    pub async fn add_site_visit(
        &self,
        application_id: i64,
        reviewer_id: i64,
        note: &str,
    ) -> StoreResult<i64> {
        Ok(sqlx::query(
            "INSERT INTO site_visits (application_id, reviewer_id, note, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(application_id)
        .bind(reviewer_id)
        .bind(note)
        .bind(now_text())
        .fetch_one(self.pool())
        .await?
        .get(0))
    }

    /// On-site notes of an application: (id, reviewer, note, when).
    pub async fn site_visits(
        &self,
        application_id: i64,
    ) -> StoreResult<Vec<(i64, String, String, String)>> {
        let rows = sqlx::query(
            "SELECT v.id, a.display_name, v.note, v.created_at FROM site_visits v JOIN accounts a ON a.id = v.reviewer_id \
             WHERE v.application_id = $1 ORDER BY v.id",
        )
        .bind(application_id)
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
            .collect())
    }

    /// Records the panel's result and moves the application on (passed, rectifying or
    /// rejected), opening the rectification for a first failure; false when it is no
    /// longer under county review.
    pub async fn record_panel_result(&self, p: &NewPanelResult<'_>) -> StoreResult<bool> {
        let to = match (p.passed, p.rectification.is_some()) {
            (true, _) => State::Passed,
            (false, true) => State::Rectifying,
            (false, false) => State::Rejected,
        };
        let now = now_text();
        let mut tx = self.pool().begin().await?;
        let moved = sqlx::query(
            "UPDATE applications SET state = $2, updated_at = $3 WHERE id = $1 AND state = 'county_review'",
        )
        .bind(p.application_id)
        .bind(state_code(to))
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        if moved.rows_affected() != 1 {
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO panel_results (application_id, round, method, score_tenths, spread, vetoed, outcome, \
             decided_by, decided_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(p.application_id)
        .bind(p.round)
        .bind(p.method)
        .bind(p.score_tenths)
        .bind(p.spread)
        .bind(i64::from(p.vetoed))
        .bind(if p.passed { "passed" } else { "failed" })
        .bind(p.decided_by)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        if let (false, Some((opened, due, items))) = (p.passed, p.rectification) {
            sqlx::query(
                "INSERT INTO rectifications (application_id, opened_on, due_on, items, reminded) \
                 VALUES ($1, $2, $3, $4, '[]')",
            )
            .bind(p.application_id)
            .bind(opened)
            .bind(due)
            .bind(items)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    pub async fn panel_results(&self, application_id: i64) -> StoreResult<Vec<PanelResultRow>> {
        let rows = sqlx::query(
            "SELECT application_id, round, method, score_tenths, spread, vetoed, outcome, decided_at \
             FROM panel_results WHERE application_id = $1 ORDER BY round",
        )
        .bind(application_id)
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .iter()
            .map(|r| PanelResultRow {
                application_id: r.get(0),
                round: r.get(1),
                method: r.get(2),
                score_tenths: r.get(3),
                spread: r.get(4),
                vetoed: r.get::<i64, _>(5) != 0,
                outcome: r.get(6),
                decided_at: r.get(7),
            })
            .collect())
    }

    // ---- rectification ------------------------------------------------------------

    pub async fn rectification(&self, application_id: i64) -> StoreResult<Option<Rectification>> {
        let row = sqlx::query(
            "SELECT application_id, opened_on, due_on, items, report, reported_at, reminded \
             FROM rectifications WHERE application_id = $1",
        )
        .bind(application_id)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(|r| Rectification {
            application_id: r.get(0),
            opened_on: r.get(1),
            due_on: r.get(2),
            items: r.get(3),
            report: r.get(4),
            reported_at: r.get(5),
            reminded: r.get(6),
        }))
    }

    /// The applicant reports the rectification done (may be repeated to amend the report).
    pub async fn report_rectification(
        &self,
        application_id: i64,
        report: &str,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE rectifications SET report = $2, reported_at = $3 WHERE application_id = $1 \
             AND application_id IN (SELECT id FROM applications WHERE state = 'rectifying')",
        )
        .bind(application_id)
        .bind(report)
        .bind(now_text())
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Back to the county panel for acceptance (round 2).
    pub async fn request_acceptance(&self, application_id: i64) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE applications SET state = 'county_review', updated_at = $2 WHERE id = $1 AND state = 'rectifying'",
        )
        .bind(application_id)
        .bind(now_text())
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Records the reminders about to be sent, only if no one recorded others since
    /// `seen` was read: true when this caller is the one to send them.
    pub async fn claim_reminders(
        &self,
        application_id: i64,
        seen: &str,
        reminded: &str,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE rectifications SET reminded = $3 WHERE application_id = $1 AND reminded = $2",
        )
        .bind(application_id)
        .bind(seen)
        .bind(reminded)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Open rectifications (for reminders): (application, organisation, due, reminded).
    pub async fn open_rectifications(&self) -> StoreResult<Vec<(i64, i64, String, String)>> {
        let rows = sqlx::query(
            "SELECT r.application_id, a.organisation_id, r.due_on, r.reminded FROM rectifications r \
             JOIN applications a ON a.id = r.application_id WHERE a.state = 'rectifying'",
        )
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
            .collect())
    }

    // ---- holiday calendars ---------------------------------------------------------

    /// The holiday-cn files the office loaded: (year, JSON, loaded at).
    pub async fn holiday_calendars(&self) -> StoreResult<Vec<(i64, String, String)>> {
        let rows =
            sqlx::query("SELECT year, source, loaded_at FROM holiday_calendars ORDER BY year")
                .fetch_all(self.pool())
                .await?;
        Ok(rows
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2)))
            .collect())
    }

    pub async fn save_holiday_calendar(
        &self,
        year: i64,
        source: &str,
        loaded_by: i64,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO holiday_calendars (year, source, loaded_by, loaded_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (year) DO UPDATE SET source = excluded.source, loaded_by = excluded.loaded_by, \
             loaded_at = excluded.loaded_at",
        )
        .bind(year)
        .bind(source)
        .bind(loaded_by)
        .bind(now_text())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    // ---- public notices --------------------------------------------------------------

    /// Publishes a notice for passed applications, moving each onto it; refused whole
    /// (None) when any of them is no longer waiting for a notice.
    #[allow(clippy::too_many_arguments)]
    pub async fn publish_notice(
        &self,
        batch_id: i64,
        title: &str,
        published_on: &str,
        ends_on: &str,
        working_days: i64,
        first_day_counts: bool,
        created_by: i64,
        application_ids: &[i64],
    ) -> StoreResult<Option<i64>> {
        let now = now_text();
        let mut tx = self.pool().begin().await?;
        let id: i64 = sqlx::query(
            "INSERT INTO notices (batch_id, title, published_on, ends_on, working_days, first_day_counts, \
             created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(batch_id)
        .bind(title)
        .bind(published_on)
        .bind(ends_on)
        .bind(working_days)
        .bind(i64::from(first_day_counts))
        .bind(created_by)
        .bind(&now)
        .fetch_one(&mut *tx)
        .await?
        .get(0);
        for app in application_ids {
            let moved = sqlx::query(
                "UPDATE applications SET state = 'on_notice', updated_at = $3 WHERE id = $1 AND batch_id = $2 \
                 AND state = 'passed'",
            )
            .bind(app)
            .bind(batch_id)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
            if moved.rows_affected() != 1 {
                tx.rollback().await?;
                return Ok(None);
            }
            sqlx::query("INSERT INTO notice_entries (notice_id, application_id) VALUES ($1, $2)")
                .bind(id)
                .bind(app)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(Some(id))
    }

    /// Notices, newest first.
    pub async fn notices(&self) -> StoreResult<Vec<Notice>> {
        let sql =
            format!("SELECT {NOTICE_COLUMNS} FROM notices ORDER BY published_on DESC, id DESC");
        let rows = sqlx::query(&sql).fetch_all(self.pool()).await?;
        Ok(rows.iter().map(notice).collect())
    }

    pub async fn notice(&self, id: i64) -> StoreResult<Option<Notice>> {
        let sql = format!("SELECT {NOTICE_COLUMNS} FROM notices WHERE id = $1");
        let row = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.as_ref().map(notice))
    }

    /// The notice an application is on, if any.
    pub async fn notice_of_application(&self, application_id: i64) -> StoreResult<Option<i64>> {
        let row = sqlx::query("SELECT notice_id FROM notice_entries WHERE application_id = $1")
            .bind(application_id)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.map(|r| r.get(0)))
    }

    pub async fn notice_entries(&self, notice_id: i64) -> StoreResult<Vec<NoticeEntry>> {
        let rows = sqlx::query(
            "SELECT a.id, o.id, o.name, o.credit_code, o.area_code, a.category_code, a.state \
             FROM notice_entries e JOIN applications a ON a.id = e.application_id \
             JOIN organisations o ON o.id = a.organisation_id WHERE e.notice_id = $1 ORDER BY a.category_code, o.name",
        )
        .bind(notice_id)
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .iter()
            .map(|r| NoticeEntry {
                application_id: r.get(0),
                organisation_id: r.get(1),
                organisation_name: r.get(2),
                credit_code: r.get(3),
                area_code: r.get(4),
                category_code: r.get(5),
                state: r.get(6),
            })
            .collect())
    }

    pub async fn file_objection(&self, o: &NewObjection<'_>) -> StoreResult<i64> {
        Ok(sqlx::query(
            "INSERT INTO objections (notice_id, application_id, name, contact, facts, evidence, filed_at, \
             respond_by, status) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'open') RETURNING id",
        )
        .bind(o.notice_id)
        .bind(o.application_id)
        .bind(o.name)
        .bind(o.contact)
        .bind(o.facts)
        .bind(o.evidence)
        .bind(now_text())
        .bind(o.respond_by)
        .fetch_one(self.pool())
        .await?
        .get(0))
    }

    pub async fn objections_of_notice(&self, notice_id: i64) -> StoreResult<Vec<Objection>> {
        let sql =
            format!("SELECT {OBJECTION_COLUMNS} FROM objections WHERE notice_id = $1 ORDER BY id");
        let rows = sqlx::query(&sql)
            .bind(notice_id)
            .fetch_all(self.pool())
            .await?;
        Ok(rows.iter().map(objection).collect())
    }

    pub async fn objection(&self, id: i64) -> StoreResult<Option<Objection>> {
        let sql = format!("SELECT {OBJECTION_COLUMNS} FROM objections WHERE id = $1");
        let row = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.as_ref().map(objection))
    }

    pub async fn assign_objection(
        &self,
        id: i64,
        staff_id: i64,
        respond_by: &str,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE objections SET assigned_to = $2, respond_by = $3 WHERE id = $1 AND status = 'open'",
        )
        .bind(id)
        .bind(staff_id)
        .bind(respond_by)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Records an objection's outcome (upheld or dismissed); an upheld one may still be
    /// revisited and dismissed, a dismissed one is final.
    pub async fn decide_objection(
        &self,
        id: i64,
        status: &str,
        outcome: &str,
        decided_by: i64,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE objections SET status = $2, outcome = $3, decided_by = $4, decided_at = $5 \
             WHERE id = $1 AND status <> 'dismissed'",
        )
        .bind(id)
        .bind(status)
        .bind(outcome)
        .bind(decided_by)
        .bind(now_text())
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    // ---- recognition ---------------------------------------------------------------------

    /// Recognises, in one transaction, the notice's applications still on notice with no
    /// open or upheld objection. `number(category, sequence)` makes certificate numbers;
    /// sequences continue per year and category. Returns the application ids recognised.
    pub async fn recognise_notice(
        &self,
        notice_id: i64,
        recognised_on: &str,
        valid_until: &str,
        number: &(dyn Fn(&str, u32) -> String + Sync),
    ) -> StoreResult<Vec<i64>> {
        let now = now_text();
        let year = &recognised_on[..4];
        let mut tx = self.pool().begin().await?;
        let rows = sqlx::query(
            "SELECT a.id, a.organisation_id, a.category_code, a.data FROM notice_entries e \
             JOIN applications a ON a.id = e.application_id WHERE e.notice_id = $1 AND a.state = 'on_notice' \
             AND NOT EXISTS (SELECT 1 FROM objections x WHERE x.application_id = a.id AND x.status <> 'dismissed') \
             ORDER BY a.category_code, a.id",
        )
        .bind(notice_id)
        .fetch_all(&mut *tx)
        .await?;
        let mut done = Vec::new();
        for r in &rows {
            let (app, org, category): (i64, i64, String) = (r.get(0), r.get(1), r.get(2));
            let identity = identity_copy(&r.get::<String, _>(3));
            let seq: i64 = sqlx::query(
                "SELECT COUNT(*) FROM recognitions r JOIN applications a ON a.id = r.application_id \
                 WHERE a.category_code = $1 AND r.recognised_on LIKE $2",
            )
            .bind(&category)
            .bind(format!("{year}%"))
            .fetch_one(&mut *tx)
            .await?
            .get(0);
            sqlx::query(
                "INSERT INTO recognitions (application_id, organisation_id, certificate_no, token, recognised_on, \
                 valid_until, display_name, industry, address) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(app)
            .bind(org)
            .bind(number(&category, seq as u32 + 1))
            .bind(new_plaque_token())
            .bind(recognised_on)
            .bind(valid_until)
            .bind(&identity[0])
            .bind(&identity[1])
            .bind(&identity[2])
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "UPDATE applications SET state = 'recognised', updated_at = $2 WHERE id = $1",
            )
            .bind(app)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
            done.push(app);
        }
        sqlx::query("UPDATE notices SET recognised_at = $2 WHERE id = $1")
            .bind(notice_id)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(done)
    }

    pub async fn recognition_by_token(&self, token: &str) -> StoreResult<Option<Recognition>> {
        let sql =
            format!("SELECT {RECOGNITION_COLUMNS} FROM {RECOGNITION_FROM} WHERE r.token = $1");
        let row = sqlx::query(&sql)
            .bind(token)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.as_ref().map(recognition))
    }

    pub async fn recognition_of_application(
        &self,
        application_id: i64,
    ) -> StoreResult<Option<Recognition>> {
        let sql = format!(
            "SELECT {RECOGNITION_COLUMNS} FROM {RECOGNITION_FROM} WHERE r.application_id = $1"
        );
        let row = sqlx::query(&sql)
            .bind(application_id)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.as_ref().map(recognition))
    }

    pub async fn recognition(&self, id: i64) -> StoreResult<Option<Recognition>> {
        let sql = format!("SELECT {RECOGNITION_COLUMNS} FROM {RECOGNITION_FROM} WHERE r.id = $1");
        let row = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.as_ref().map(recognition))
    }

    /// Recognitions of organisations in an area, by certificate number.
    pub async fn recognitions_under(&self, area_prefix: &str) -> StoreResult<Vec<Recognition>> {
        let sql = format!(
            "SELECT {RECOGNITION_COLUMNS} FROM {RECOGNITION_FROM} WHERE o.area_code LIKE $1 ORDER BY r.certificate_no"
        );
        let rows = sqlx::query(&sql)
            .bind(format!("{area_prefix}%"))
            .fetch_all(self.pool())
            .await?;
        Ok(rows.iter().map(recognition).collect())
    }

    /// One page of the public directory of recognised units, and how many match in all.
    pub async fn directory(&self, q: &DirectoryQuery) -> StoreResult<(Vec<Recognition>, i64)> {
        let mut conds = vec!["1 = 1".to_string()];
        let mut values: Vec<String> = Vec::new();
        let bind = |v: String, values: &mut Vec<String>| {
            values.push(v);
            format!("${}", values.len())
        };
        let text = q.text.trim().to_lowercase();
        if !text.is_empty() {
            // LIKE's wildcards in what was typed are matched literally.
            let escaped = text
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            let n = bind(format!("%{escaped}%"), &mut values);
            conds.push(format!(
                "(LOWER(o.name) LIKE {n} ESCAPE '\\' OR LOWER(r.display_name) LIKE {n} ESCAPE '\\' \
                 OR LOWER(o.credit_code) LIKE {n} ESCAPE '\\')"
            ));
        }
        if !q.township.is_empty() {
            let n = bind(format!("{}%", q.township), &mut values);
            conds.push(format!("o.area_code LIKE {n}"));
        }
        if !q.category.is_empty() {
            let n = bind(q.category.clone(), &mut values);
            conds.push(format!("a.category_code = {n}"));
        }
        if !q.industry.is_empty() {
            let n = bind(q.industry.clone(), &mut values);
            conds.push(format!("r.industry = {n}"));
        }
        if !q.include_ended {
            let n = bind(q.today.clone(), &mut values);
            conds.push(format!("r.revoked_on IS NULL AND r.valid_until >= {n}"));
        }
        let filter = conds.join(" AND ");
        let count_sql = format!("SELECT COUNT(*) FROM {RECOGNITION_FROM} WHERE {filter}");
        let mut count = sqlx::query(&count_sql);
        for v in &values {
            count = count.bind(v.as_str());
        }
        let total: i64 = count.fetch_one(self.pool()).await?.get(0);
        let order = match q.sort {
            DirectorySort::Newest => "r.recognised_on DESC, r.certificate_no",
            DirectorySort::Township => "o.area_code, r.certificate_no",
            DirectorySort::Certificate => "r.certificate_no",
        };
        let page_sql = format!(
            "SELECT {RECOGNITION_COLUMNS} FROM {RECOGNITION_FROM} WHERE {filter} ORDER BY {order} \
             LIMIT {} OFFSET {}",
            q.limit.clamp(1, 100),
            q.offset.max(0)
        );
        let mut page = sqlx::query(&page_sql);
        for v in &values {
            page = page.bind(v.as_str());
        }
        let rows = page.fetch_all(self.pool()).await?;
        Ok((rows.iter().map(recognition).collect(), total))
    }

    /// Revoked plaques, newest first.
    pub async fn revocations(&self) -> StoreResult<Vec<Recognition>> {
        let sql = format!(
            "SELECT {RECOGNITION_COLUMNS} FROM {RECOGNITION_FROM} WHERE r.revoked_on IS NOT NULL \
             ORDER BY r.revoked_on DESC, r.id DESC"
        );
        let rows = sqlx::query(&sql).fetch_all(self.pool()).await?;
        Ok(rows.iter().map(recognition).collect())
    }

    /// Recognised applications whose plaque is past its validity become expired; returns how many.
    pub async fn expire_recognitions(&self, today: &str) -> StoreResult<u64> {
        let done = sqlx::query(
            "UPDATE applications SET state = 'expired', updated_at = $2 WHERE state = 'recognised' AND id IN \
             (SELECT application_id FROM recognitions WHERE valid_until < $1 AND revoked_on IS NULL)",
        )
        .bind(today)
        .bind(now_text())
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected())
    }

    // ---- re-inspection and revocation ---------------------------------------------------------

    /// Plans re-inspections; skips recognitions that already have one planned and open.
    pub async fn plan_reinspections(
        &self,
        plan: &str,
        recognition_ids: &[i64],
    ) -> StoreResult<usize> {
        let now = now_text();
        let mut tx = self.pool().begin().await?;
        let mut n = 0;
        for id in recognition_ids {
            let done = sqlx::query(
                "INSERT INTO reinspections (recognition_id, plan, planned_at) SELECT $1, $2, $3 \
                 WHERE NOT EXISTS (SELECT 1 FROM reinspections WHERE recognition_id = $1 AND result IS NULL)",
            )
            .bind(id)
            .bind(plan)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
            n += done.rows_affected() as usize;
        }
        tx.commit().await?;
        Ok(n)
    }

    pub async fn reinspections_of(&self, recognition_id: i64) -> StoreResult<Vec<Reinspection>> {
        let rows = sqlx::query(
            "SELECT id, recognition_id, plan, planned_at, result, note, inspected_at FROM reinspections \
             WHERE recognition_id = $1 ORDER BY id DESC",
        )
        .bind(recognition_id)
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .iter()
            .map(|r| Reinspection {
                id: r.get(0),
                recognition_id: r.get(1),
                plan: r.get(2),
                planned_at: r.get(3),
                result: r.get(4),
                note: r.get(5),
                inspected_at: r.get(6),
            })
            .collect())
    }

    /// Records a re-inspection's result. "revoked" also revokes the plaque and the
    /// application with the reason, in the same transaction. False when already recorded.
    pub async fn record_reinspection(
        &self,
        reinspection_id: i64,
        inspector_id: i64,
        kept: bool,
        note: &str,
        today: &str,
    ) -> StoreResult<bool> {
        let now = now_text();
        let mut tx = self.pool().begin().await?;
        let rec: Option<i64> = sqlx::query(
            "UPDATE reinspections SET result = $2, note = $3, inspector_id = $4, inspected_at = $5 \
             WHERE id = $1 AND result IS NULL RETURNING recognition_id",
        )
        .bind(reinspection_id)
        .bind(if kept { "kept" } else { "revoked" })
        .bind(note)
        .bind(inspector_id)
        .bind(&now)
        .fetch_optional(&mut *tx)
        .await?
        .map(|r| r.get(0));
        let Some(rec) = rec else {
            return Ok(false);
        };
        if !kept {
            sqlx::query("UPDATE recognitions SET revoked_on = $2, revoke_reason = $3 WHERE id = $1 AND revoked_on IS NULL")
                .bind(rec)
                .bind(today)
                .bind(note)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "UPDATE applications SET state = 'revoked', updated_at = $2 WHERE state = 'recognised' AND id = \
                 (SELECT application_id FROM recognitions WHERE id = $1)",
            )
            .bind(rec)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Open re-inspections with their recognitions.
    pub async fn pending_reinspections(
        &self,
        area_prefix: &str,
    ) -> StoreResult<Vec<(Reinspection, Recognition)>> {
        let sql = format!(
            "SELECT i.id, i.recognition_id, i.plan, i.planned_at, {RECOGNITION_COLUMNS} FROM reinspections i \
             JOIN recognitions r ON r.id = i.recognition_id JOIN organisations o ON o.id = r.organisation_id \
             JOIN applications a ON a.id = r.application_id WHERE i.result IS NULL AND o.area_code LIKE $1 \
             ORDER BY i.id"
        );
        let rows = sqlx::query(&sql)
            .bind(format!("{area_prefix}%"))
            .fetch_all(self.pool())
            .await?;
        Ok(rows
            .iter()
            .map(|r| {
                let rec = recognition_at(r, 4);
                (
                    Reinspection {
                        id: r.get(0),
                        recognition_id: r.get(1),
                        plan: r.get(2),
                        planned_at: r.get(3),
                        result: None,
                        note: None,
                        inspected_at: None,
                    },
                    rec,
                )
            })
            .collect())
    }

    // ---- inbox ---------------------------------------------------------------------------------

    pub async fn notify(&self, n: &NewNotification<'_>) -> StoreResult<i64> {
        Ok(sqlx::query(
            "INSERT INTO notifications (account_id, organisation_id, text_zh, text_en, link, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(n.account_id)
        .bind(n.organisation_id)
        .bind(n.text_zh)
        .bind(n.text_en)
        .bind(n.link)
        .bind(now_text())
        .fetch_one(self.pool())
        .await?
        .get(0))
    }

    /// An account's messages (its own, and its organisation's), newest first.
    pub async fn inbox(
        &self,
        account_id: i64,
        organisation_id: Option<i64>,
    ) -> StoreResult<Vec<Notification>> {
        let rows = sqlx::query(
            "SELECT id, text_zh, text_en, link, created_at, read_at FROM notifications \
             WHERE account_id = $1 OR (organisation_id IS NOT NULL AND organisation_id = $2) \
             ORDER BY id DESC LIMIT 200",
        )
        .bind(account_id)
        .bind(organisation_id.unwrap_or(-1))
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .iter()
            .map(|r| Notification {
                id: r.get(0),
                text_zh: r.get(1),
                text_en: r.get(2),
                link: r.get(3),
                created_at: r.get(4),
                read_at: r.get(5),
            })
            .collect())
    }

    pub async fn unread_count(
        &self,
        account_id: i64,
        organisation_id: Option<i64>,
    ) -> StoreResult<i64> {
        Ok(sqlx::query(
            "SELECT COUNT(*) FROM notifications WHERE read_at IS NULL AND \
             (account_id = $1 OR (organisation_id IS NOT NULL AND organisation_id = $2))",
        )
        .bind(account_id)
        .bind(organisation_id.unwrap_or(-1))
        .fetch_one(self.pool())
        .await?
        .get(0))
    }

    pub async fn mark_inbox_read(
        &self,
        account_id: i64,
        organisation_id: Option<i64>,
    ) -> StoreResult<()> {
        sqlx::query(
            "UPDATE notifications SET read_at = $3 WHERE read_at IS NULL AND \
             (account_id = $1 OR (organisation_id IS NOT NULL AND organisation_id = $2))",
        )
        .bind(account_id)
        .bind(organisation_id.unwrap_or(-1))
        .bind(now_text())
        .execute(self.pool())
        .await?;
        Ok(())
    }
}
