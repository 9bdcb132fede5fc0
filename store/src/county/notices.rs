//! Public notices (公示) and objections, and the holiday calendars their periods are
//! counted on.

use super::*;
use crate::audit::AuditEvent;
use crate::transitions::move_application;
use crate::{now_text, Store, StoreResult};
use domain::lifecycle::{Action, Facts, State};
use sqlx::Row;

impl Store {
    /// The holiday-cn files the office loaded: (year, JSON, loaded at).
    pub async fn holiday_calendars(&self) -> StoreResult<Vec<(i64, String, String)>> {
        let rows =
            sqlx::query("SELECT year, source, loaded_at FROM holiday_calendars ORDER BY year")
                .fetch_all(self.pool())
                .await?;
        Ok(rows
            .iter()
            .map(|r| (r.get("year"), r.get("source"), r.get("loaded_at")))
            .collect())
    }

    pub async fn save_holiday_calendar(
        &self,
        year: i64,
        source: &str,
        loaded_by: i64,
        audit: &AuditEvent,
    ) -> StoreResult<()> {
        let mut tx = self.pool().begin().await?;
        sqlx::query(
            "INSERT INTO holiday_calendars (year, source, loaded_by, loaded_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (year) DO UPDATE SET source = excluded.source, loaded_by = excluded.loaded_by, \
             loaded_at = excluded.loaded_at",
        )
        .bind(year)
        .bind(source)
        .bind(loaded_by)
        .bind(now_text())
        .execute(&mut *tx)
        .await?;
        self.append_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

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
        audit: &AuditEvent,
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
        let facts = Facts::default();
        for app in application_ids {
            let in_batch =
                sqlx::query("SELECT 1 FROM applications WHERE id = $1 AND batch_id = $2")
                    .bind(app)
                    .bind(batch_id)
                    .fetch_optional(&mut *tx)
                    .await?
                    .is_some();
            let moved = in_batch
                && move_application(
                    &mut tx,
                    *app,
                    State::Passed,
                    Action::PublishNotice,
                    &facts,
                    &now,
                )
                .await?;
            if !moved {
                tx.rollback().await?;
                return Ok(None);
            }
            sqlx::query("INSERT INTO notice_entries (notice_id, application_id) VALUES ($1, $2)")
                .bind(id)
                .bind(app)
                .execute(&mut *tx)
                .await?;
        }
        // The notice's number is known only now.
        let event = AuditEvent {
            target: format!("notice:{id}"),
            ..audit.clone()
        };
        self.commit_audited(tx, &event).await?;
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
            "SELECT a.id AS application_id, o.id AS organisation_id, o.name AS organisation_name, \
             o.credit_code, o.area_code, a.category_code, a.state \
             FROM notice_entries e JOIN applications a ON a.id = e.application_id \
             JOIN organisations o ON o.id = a.organisation_id WHERE e.notice_id = $1 ORDER BY a.category_code, o.name",
        )
        .bind(notice_id)
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .iter()
            .map(|r| NoticeEntry {
                application_id: r.get("application_id"),
                organisation_id: r.get("organisation_id"),
                organisation_name: r.get("organisation_name"),
                credit_code: r.get("credit_code"),
                area_code: r.get("area_code"),
                category_code: r.get("category_code"),
                state: crate::applications::read_state(r.get("state")),
            })
            .collect())
    }

    /// A public objection, with its audit entry (target set to the objection).
    pub async fn file_objection(
        &self,
        o: &NewObjection<'_>,
        audit: &AuditEvent,
    ) -> StoreResult<i64> {
        let mut tx = self.pool().begin().await?;
        let id: i64 = sqlx::query(
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
        .fetch_one(&mut *tx)
        .await?
        .get(0);
        let event = AuditEvent {
            target: format!("objection:{id}"),
            ..audit.clone()
        };
        self.append_audit(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(id)
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
        audit: &AuditEvent,
    ) -> StoreResult<bool> {
        let write = sqlx::query(
            "UPDATE objections SET assigned_to = $2, respond_by = $3 WHERE id = $1 AND status = 'open'",
        )
        .bind(id)
        .bind(staff_id)
        .bind(respond_by)
        ;
        self.write_audited(write, audit).await
    }

    /// Records an objection's outcome (upheld or dismissed); an upheld one may still be
    /// revisited and dismissed, a dismissed one is final.
    pub async fn decide_objection(
        &self,
        id: i64,
        status: &str,
        outcome: &str,
        decided_by: i64,
        audit: &AuditEvent,
    ) -> StoreResult<bool> {
        let write = sqlx::query(
            "UPDATE objections SET status = $2, outcome = $3, decided_by = $4, decided_at = $5 \
             WHERE id = $1 AND status <> 'dismissed'",
        )
        .bind(id)
        .bind(status)
        .bind(outcome)
        .bind(decided_by)
        .bind(now_text());
        self.write_audited(write, audit).await
    }
}
