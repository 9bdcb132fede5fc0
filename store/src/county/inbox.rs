//! The in-app inbox: messages to an account or an organisation.

use super::*;
use crate::{now_text, Store, StoreResult};
use sqlx::Row;

impl Store {
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
                id: r.get("id"),
                text_zh: r.get("text_zh"),
                text_en: r.get("text_en"),
                link: r.get("link"),
                created_at: r.get("created_at"),
                read_at: r.get("read_at"),
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
