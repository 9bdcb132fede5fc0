//! Key–value settings and markers, upserted the same way on both databases.

use crate::{audit::AuditEvent, now_text, Store, StoreResult};
use sqlx::Row;

impl Store {
    pub async fn setting(&self, key: &str) -> StoreResult<Option<String>> {
        let row = sqlx::query("SELECT value FROM settings WHERE key = $1")
            .bind(key)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.map(|r| r.get::<String, _>(0)))
    }

    pub async fn set_setting(&self, key: &str, value: &str) -> StoreResult<()> {
        let mut conn = self.pool().acquire().await?;
        upsert(&mut conn, key, value).await
    }

    /// Changes several settings together with the audit entry that records who changed
    /// them: all or nothing.
    pub async fn set_settings(
        &self,
        pairs: &[(&str, String)],
        audit: &AuditEvent,
    ) -> StoreResult<()> {
        let mut tx = self.pool().begin().await?;
        for (key, value) in pairs {
            upsert(&mut tx, key, value).await?;
        }
        self.append_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }
}

async fn upsert(conn: &mut sqlx::AnyConnection, key: &str, value: &str) -> StoreResult<()> {
    sqlx::query(
            "INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        )
        .bind(key)
        .bind(value)
        .bind(now_text())
        .execute(&mut *conn)
        .await?;
    Ok(())
}
