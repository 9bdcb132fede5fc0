//! Recognition (认定), the public directory, expiry, re-inspection and revocation.

use super::*;
use crate::audit::AuditEvent;
use crate::transitions::move_application;
use crate::{now_text, Store, StoreResult};
use domain::lifecycle::{Action, Facts, State};
use sqlx::Row;

impl Store {
    /// Recognises, in one transaction, the notice's applications still on notice with no
    /// open or upheld objection. `number(category, sequence)` makes certificate numbers;
    /// sequences continue per year and category. Returns the application ids recognised.
    pub async fn recognise_notice(
        &self,
        notice_id: i64,
        recognised_on: &str,
        valid_until: &str,
        number: &(dyn Fn(&str, u32) -> String + Sync),
        audit: &AuditEvent,
    ) -> StoreResult<Vec<i64>> {
        let now = now_text();
        let year = &recognised_on[..4];
        let mut tx = self.pool().begin().await?;
        let rows = sqlx::query(
            "SELECT a.id, a.organisation_id, a.category_code, a.data FROM notice_entries e \
             JOIN applications a ON a.id = e.application_id WHERE e.notice_id = $1 AND a.state = $2 \
             AND NOT EXISTS (SELECT 1 FROM objections x WHERE x.application_id = a.id AND x.status <> 'dismissed') \
             ORDER BY a.category_code, a.id",
        )
        .bind(notice_id)
        .bind(State::OnNotice.code())
        .fetch_all(&mut *tx)
        .await?;
        let mut done = Vec::new();
        // The caller checked the notice period; the query left out open objections.
        let facts = Facts {
            notice_period_complete: true,
            open_objections: 0,
            ..Default::default()
        };
        for r in &rows {
            let (app, org, category): (i64, i64, String) = (
                r.get("id"),
                r.get("organisation_id"),
                r.get("category_code"),
            );
            let identity = identity_copy(&r.get::<String, _>("data"));
            if !move_application(
                &mut tx,
                app,
                State::OnNotice,
                Action::Recognise,
                &facts,
                &now,
            )
            .await?
            {
                continue;
            }
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
            done.push(app);
        }
        sqlx::query("UPDATE notices SET recognised_at = $2 WHERE id = $1")
            .bind(notice_id)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
        let event = AuditEvent {
            summary: format!("{} recognised", done.len()),
            ..audit.clone()
        };
        self.commit_audited(tx, &event).await?;
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

    /// Recognised applications whose plaque is past its validity become expired; returns
    /// how many. One audit entry (the system's) for each run that expired any.
    pub async fn expire_recognitions(&self, today: &str, audit: &AuditEvent) -> StoreResult<u64> {
        let now = now_text();
        let mut tx = self.pool().begin().await?;
        let due: Vec<i64> = sqlx::query(
            "SELECT a.id FROM applications a JOIN recognitions r ON r.application_id = a.id \
             WHERE a.state = $2 AND r.valid_until < $1 AND r.revoked_on IS NULL ORDER BY a.id",
        )
        .bind(today)
        .bind(State::Recognised.code())
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect();
        let facts = Facts::default();
        let mut expired = Vec::new();
        for app in due {
            if move_application(
                &mut tx,
                app,
                State::Recognised,
                Action::Expire,
                &facts,
                &now,
            )
            .await?
            {
                expired.push(app);
            }
        }
        if expired.is_empty() {
            return Ok(0);
        }
        let event = AuditEvent {
            target: format!("applications:{}", expired.len()),
            summary: expired
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(",")
                .chars()
                .take(120)
                .collect(),
            ..audit.clone()
        };
        self.commit_audited(tx, &event).await?;
        Ok(expired.len() as u64)
    }

    /// Plans re-inspections; skips recognitions that already have one planned and open.
    pub async fn plan_reinspections(
        &self,
        plan: &str,
        recognition_ids: &[i64],
        audit: &AuditEvent,
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
        self.commit_audited(tx, audit).await?;
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
                id: r.get("id"),
                recognition_id: r.get("recognition_id"),
                plan: r.get("plan"),
                planned_at: r.get("planned_at"),
                result: r.get("result"),
                note: r.get("note"),
                inspected_at: r.get("inspected_at"),
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
        audit: &AuditEvent,
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
            let app: i64 = sqlx::query("SELECT application_id FROM recognitions WHERE id = $1")
                .bind(rec)
                .fetch_one(&mut *tx)
                .await?
                .get(0);
            let facts = Facts::default();
            move_application(
                &mut tx,
                app,
                State::Recognised,
                Action::Revoke,
                &facts,
                &now,
            )
            .await?;
        }
        self.commit_audited(tx, audit).await?;
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
}
