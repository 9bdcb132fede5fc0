//! The county panel (县级评审): members, assignments, recusal, independent scores and the
//! panel's result, and the rectification a first failure opens.

use super::*;
use crate::audit::AuditEvent;
use crate::transitions::move_application;
use crate::{now_text, Store, StoreResult};
use domain::lifecycle::{Action, Facts, State};
use sqlx::Row;

impl Store {
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
                id: r.get("id"),
                account_id: r.get("account_id"),
                login: r.get("login"),
                display_name: r.get("display_name"),
                area_code: r.get("area_code"),
            })
            .collect())
    }

    /// Adds a reviewer to a panel; false when already on it.
    pub async fn add_panel_member(
        &self,
        batch_id: i64,
        category: &str,
        account_id: i64,
        audit: &AuditEvent,
    ) -> StoreResult<bool> {
        let mut tx = self.pool().begin().await?;
        let done = sqlx::query(
            "INSERT INTO panel_members (batch_id, category_code, account_id, added_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        )
        .bind(batch_id)
        .bind(category)
        .bind(account_id)
        .bind(now_text())
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 1 {
            self.append_audit(&mut tx, audit).await?;
        }
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }

    /// Takes a reviewer off a panel, with their unscored assignments in it.
    pub async fn remove_panel_member(
        &self,
        batch_id: i64,
        category: &str,
        account_id: i64,
        audit: &AuditEvent,
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
             (SELECT id FROM applications WHERE batch_id = $2 AND category_code = $3 AND state = $4)",
        )
        .bind(account_id)
        .bind(batch_id)
        .bind(category)
        .bind(State::CountyReview.code())
        .execute(&mut *tx)
        .await?;
        self.append_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Applications waiting for the county panel in a batch.
    pub async fn county_review_queue(&self, batch_id: i64) -> StoreResult<Vec<Application>> {
        let sql = format!(
            "SELECT {} FROM applications a WHERE a.batch_id = $1 AND a.state = $2 ORDER BY a.id",
            prefixed_application_columns()
        );
        let rows = sqlx::query(&sql)
            .bind(batch_id)
            .bind(State::CountyReview.code())
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
            .bind(state.code())
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
             WHERE p.reviewer_id = $1 AND ap.state = $2 \
             AND p.round = (SELECT COUNT(*) + 1 FROM panel_results r WHERE r.application_id = p.application_id) \
             ORDER BY p.status, p.id"
        );
        let rows = sqlx::query(&sql)
            .bind(reviewer_id)
            .bind(State::CountyReview.code())
            .fetch_all(self.pool())
            .await?;
        Ok(rows.iter().map(assignment).collect())
    }

    /// Open assignments per reviewer on a batch's applications under review.
    pub async fn reviewer_loads(&self, batch_id: i64) -> StoreResult<Vec<(i64, usize)>> {
        let rows = sqlx::query(
            "SELECT p.reviewer_id, COUNT(*) AS open_assignments FROM panel_assignments p JOIN applications ap ON ap.id = p.application_id \
             WHERE ap.batch_id = $1 AND ap.state = $2 AND p.status <> 'recused' GROUP BY p.reviewer_id",
        )
        .bind(batch_id)
        .bind(State::CountyReview.code())
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .iter()
            .map(|r| {
                (
                    r.get::<i64, _>("reviewer_id"),
                    r.get::<i64, _>("open_assignments") as usize,
                )
            })
            .collect())
    }

    /// Assigns a reviewer; false when they already have (or had) this application's round.
    pub async fn assign_reviewer(
        &self,
        application_id: i64,
        round: i64,
        reviewer_id: i64,
        audit: &AuditEvent,
    ) -> StoreResult<bool> {
        let mut tx = self.pool().begin().await?;
        let done = sqlx::query(
            "INSERT INTO panel_assignments (application_id, round, reviewer_id, status, assigned_at) \
             VALUES ($1, $2, $3, 'assigned', $4) ON CONFLICT DO NOTHING",
        )
        .bind(application_id)
        .bind(round)
        .bind(reviewer_id)
        .bind(now_text())
        .execute(&mut *tx)
        .await?;
        let added = done.rows_affected() == 1;
        if added {
            self.append_audit(&mut tx, audit).await?;
        }
        tx.commit().await?;
        Ok(added)
    }

    /// A declared conflict: the reviewer steps aside at once (the caller audits it).
    pub async fn recuse(
        &self,
        assignment_id: i64,
        reviewer_id: i64,
        conflict: &str,
        note: &str,
        audit: &AuditEvent,
    ) -> StoreResult<bool> {
        let write = sqlx::query(
            "UPDATE panel_assignments SET status = 'recused', conflict = $3, conflict_note = $4, scored_at = $5 \
             WHERE id = $1 AND reviewer_id = $2 AND status = 'assigned'",
        )
        .bind(assignment_id)
        .bind(reviewer_id)
        .bind(conflict)
        .bind(note)
        .bind(now_text())
        ;
        self.write_audited(write, audit).await
    }

    /// Records a reviewer's scores; false when not theirs to score (recused, or already scored).
    #[allow(clippy::too_many_arguments)]
    pub async fn submit_scores(
        &self,
        assignment_id: i64,
        reviewer_id: i64,
        scores: &str,
        total: i64,
        vetoed: bool,
        comment: &str,
        audit: &AuditEvent,
    ) -> StoreResult<bool> {
        let write = sqlx::query(
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
        ;
        self.write_audited(write, audit).await
    }

    /// A discussion (合议): the round's scores go back to their reviewers for revision
    /// and stay filled in; the audit entry's summary gains how many were reopened.
    pub async fn reopen_scores(
        &self,
        application_id: i64,
        round: i64,
        audit: &AuditEvent,
    ) -> StoreResult<u64> {
        let mut tx = self.pool().begin().await?;
        let done = sqlx::query(
            "UPDATE panel_assignments SET status = 'assigned' WHERE application_id = $1 AND round = $2 AND status = 'scored'",
        )
        .bind(application_id)
        .bind(round)
        .execute(&mut *tx)
        .await?;
        let n = done.rows_affected();
        let event = AuditEvent {
            summary: format!("{}, {n} scores reopened", audit.summary),
            ..audit.clone()
        };
        self.append_audit(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(n)
    }

    pub async fn add_site_visit(
        &self,
        application_id: i64,
        reviewer_id: i64,
        note: &str,
        audit: &AuditEvent,
    ) -> StoreResult<i64> {
        let mut tx = self.pool().begin().await?;
        let id: i64 = sqlx::query(
            "INSERT INTO site_visits (application_id, reviewer_id, note, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(application_id)
        .bind(reviewer_id)
        .bind(note)
        .bind(now_text())
        .fetch_one(&mut *tx)
        .await?
        .get(0);
        self.append_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// On-site notes of an application: (id, reviewer, note, when).
    pub async fn site_visits(
        &self,
        application_id: i64,
    ) -> StoreResult<Vec<(i64, String, String, String)>> {
        let rows = sqlx::query(
            "SELECT v.id, a.display_name AS reviewer, v.note, v.created_at FROM site_visits v JOIN accounts a ON a.id = v.reviewer_id \
             WHERE v.application_id = $1 ORDER BY v.id",
        )
        .bind(application_id)
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .iter()
            .map(|r| {
                (
                    r.get("id"),
                    r.get("reviewer"),
                    r.get("note"),
                    r.get("created_at"),
                )
            })
            .collect())
    }

    /// Records the panel's result and moves the application on (passed, rectifying or
    /// rejected), opening the rectification for a first failure; false when it is no
    /// longer under county review.
    pub async fn record_panel_result(
        &self,
        p: &NewPanelResult<'_>,
        audit: &AuditEvent,
    ) -> StoreResult<bool> {
        let action = if p.passed {
            Action::PanelPass
        } else {
            Action::PanelFail
        };
        // A failure with no rectification to open is the second one: final.
        let facts = Facts {
            failed_before: !p.passed && p.rectification.is_none(),
            ..Default::default()
        };
        let now = now_text();
        let mut tx = self.pool().begin().await?;
        let moved = move_application(
            &mut tx,
            p.application_id,
            State::CountyReview,
            action,
            &facts,
            &now,
        )
        .await?;
        if !moved {
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
        self.commit_audited(tx, audit).await?;
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
                application_id: r.get("application_id"),
                round: r.get("round"),
                method: r.get("method"),
                score_tenths: r.get("score_tenths"),
                spread: r.get("spread"),
                vetoed: r.get::<i64, _>("vetoed") != 0,
                outcome: r.get("outcome"),
                decided_at: r.get("decided_at"),
            })
            .collect())
    }

    pub async fn rectification(&self, application_id: i64) -> StoreResult<Option<Rectification>> {
        let row = sqlx::query(
            "SELECT application_id, opened_on, due_on, items, report, reported_at, reminded \
             FROM rectifications WHERE application_id = $1",
        )
        .bind(application_id)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(|r| Rectification {
            application_id: r.get("application_id"),
            opened_on: r.get("opened_on"),
            due_on: r.get("due_on"),
            items: r.get("items"),
            report: r.get("report"),
            reported_at: r.get("reported_at"),
            reminded: r.get("reminded"),
        }))
    }

    /// The applicant reports the rectification done (may be repeated to amend the report).
    pub async fn report_rectification(
        &self,
        application_id: i64,
        report: &str,
        audit: &AuditEvent,
    ) -> StoreResult<bool> {
        let write = sqlx::query(
            "UPDATE rectifications SET report = $2, reported_at = $3 WHERE application_id = $1 \
             AND application_id IN (SELECT id FROM applications WHERE state = $4)",
        )
        .bind(application_id)
        .bind(report)
        .bind(now_text())
        .bind(State::Rectifying.code());
        self.write_audited(write, audit).await
    }

    /// Back to the county panel for acceptance (round 2).
    /// `facts` say whether the rectification is reported or past its deadline.
    pub async fn request_acceptance(
        &self,
        application_id: i64,
        facts: &Facts,
        audit: &AuditEvent,
    ) -> StoreResult<bool> {
        self.apply_action(
            application_id,
            State::Rectifying,
            Action::RequestAcceptance,
            facts,
            audit,
        )
        .await
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
             JOIN applications a ON a.id = r.application_id WHERE a.state = $1",
        )
        .bind(State::Rectifying.code())
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .iter()
            .map(|r| {
                (
                    r.get("application_id"),
                    r.get("organisation_id"),
                    r.get("due_on"),
                    r.get("reminded"),
                )
            })
            .collect())
    }
}
