//! Evidence files of applications: which slot, which object, who uploaded it.

use crate::{audit::AuditEvent, now_text, Store, StoreResult};
use serde::{Deserialize, Serialize};
use sqlx::Row;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceFile {
    pub id: i64,
    pub application_id: i64,
    pub slot: String,
    pub object_key: String,
    pub media_type: String,
    pub size_bytes: i64,
    pub original_name: String,
    pub uploaded_at: String,
}

pub struct NewEvidence<'a> {
    pub application_id: i64,
    pub slot: &'a str,
    pub object_key: &'a str,
    pub media_type: &'a str,
    pub size_bytes: i64,
    pub original_name: &'a str,
    pub uploaded_by: i64,
}

const COLUMNS: &str =
    "id, application_id, slot, object_key, media_type, size_bytes, original_name, uploaded_at";

fn from_row(r: &sqlx::any::AnyRow) -> EvidenceFile {
    EvidenceFile {
        id: r.get("id"),
        application_id: r.get("application_id"),
        slot: r.get("slot"),
        object_key: r.get("object_key"),
        media_type: r.get("media_type"),
        size_bytes: r.get("size_bytes"),
        original_name: r.get("original_name"),
        uploaded_at: r.get("uploaded_at"),
    }
}

impl Store {
    /// Records a kept file with its audit entry, whose summary gains the file's id.
    pub async fn add_evidence(&self, e: &NewEvidence<'_>, audit: &AuditEvent) -> StoreResult<i64> {
        let mut tx = self.pool().begin().await?;
        let id: i64 = sqlx::query(
            "INSERT INTO evidence_files (application_id, slot, object_key, media_type, size_bytes, \
             original_name, uploaded_by, uploaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             RETURNING id",
        )
        .bind(e.application_id)
        .bind(e.slot)
        .bind(e.object_key)
        .bind(e.media_type)
        .bind(e.size_bytes)
        .bind(e.original_name)
        .bind(e.uploaded_by)
        .bind(now_text())
        .fetch_one(&mut *tx)
        .await?
        .get(0);
        let event = AuditEvent {
            summary: format!("file {id} {}", audit.summary),
            ..audit.clone()
        };
        self.append_audit(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The application's current files, oldest first.
    pub async fn evidence_of(&self, application_id: i64) -> StoreResult<Vec<EvidenceFile>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM evidence_files WHERE application_id = $1 AND removed_at IS NULL \
             ORDER BY id"
        );
        let rows = sqlx::query(&sql)
            .bind(application_id)
            .fetch_all(self.pool())
            .await?;
        Ok(rows.iter().map(from_row).collect())
    }

    pub async fn evidence_file(&self, id: i64) -> StoreResult<Option<EvidenceFile>> {
        let sql =
            format!("SELECT {COLUMNS} FROM evidence_files WHERE id = $1 AND removed_at IS NULL");
        let row = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.as_ref().map(from_row))
    }

    /// Takes a file off an application that is still editable (draft or returned); the
    /// audit entry is written only when something was removed. The bytes stay in the
    /// object store (another application may share them; a submitted snapshot may name them).
    pub async fn remove_evidence(
        &self,
        id: i64,
        application_id: i64,
        audit: &AuditEvent,
    ) -> StoreResult<bool> {
        let mut tx = self.pool().begin().await?;
        let done = sqlx::query(&format!(
            "UPDATE evidence_files SET removed_at = $3 WHERE id = $1 AND application_id = $2 \
             AND removed_at IS NULL AND application_id IN \
             (SELECT id FROM applications WHERE state IN {})",
            crate::applications::state_list(
                domain::lifecycle::State::ALL
                    .into_iter()
                    .filter(|s| s.open_to_applicant())
            )
        ))
        .bind(id)
        .bind(application_id)
        .bind(now_text())
        .execute(&mut *tx)
        .await?;
        let removed = done.rows_affected() == 1;
        if removed {
            self.append_audit(&mut tx, audit).await?;
        }
        tx.commit().await?;
        Ok(removed)
    }

    /// Bytes of evidence the application holds now, for the per-application limit.
    pub async fn evidence_bytes(&self, application_id: i64) -> StoreResult<i64> {
        let row = sqlx::query(
            "SELECT CAST(COALESCE(SUM(size_bytes), 0) AS BIGINT) FROM evidence_files \
             WHERE application_id = $1 AND removed_at IS NULL",
        )
        .bind(application_id)
        .fetch_one(self.pool())
        .await?;
        Ok(row.get(0))
    }
}
