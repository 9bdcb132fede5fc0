//! Campaign batches (创建批次): each runs an application window and a review window.

use crate::{audit::AuditEvent, now_text, Store, StoreError, StoreResult};
use domain::application::COUNTY;
use serde::{Deserialize, Serialize};
use sqlx::Row;

pub use domain::batch::BatchStatus;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Batch {
    pub id: i64,
    pub area_code: String,
    pub name_zh: String,
    pub name_en: String,
    pub status: BatchStatus,
    /// ISO dates, inclusive.
    pub application_opens: String,
    pub application_closes: String,
    pub review_opens: String,
    pub review_closes: String,
}

/// What a new batch needs; the id and creation time come from the store.
#[derive(Clone, Debug)]
pub struct NewBatch<'a> {
    pub area_code: &'a str,
    pub name_zh: &'a str,
    pub name_en: &'a str,
    pub status: BatchStatus,
    pub application_opens: &'a str,
    pub application_closes: &'a str,
    pub review_opens: &'a str,
    pub review_closes: &'a str,
}

const BATCH_COLUMNS: &str = "id, area_code, name_zh, name_en, status, application_opens, \
     application_closes, review_opens, review_closes";

fn batch_from_row(r: &sqlx::any::AnyRow) -> StoreResult<Batch> {
    let status: String = r.get("status");
    Ok(Batch {
        id: r.get("id"),
        area_code: r.get("area_code"),
        name_zh: r.get("name_zh"),
        name_en: r.get("name_en"),
        status: BatchStatus::parse(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("batch status {status:?}")))?,
        application_opens: r.get("application_opens"),
        application_closes: r.get("application_closes"),
        review_opens: r.get("review_opens"),
        review_closes: r.get("review_closes"),
    })
}

impl Store {
    /// A batch the county office creates, with its audit entry (target set to the batch).
    pub async fn create_batch(&self, b: &NewBatch<'_>, audit: &AuditEvent) -> StoreResult<i64> {
        let mut tx = self.pool().begin().await?;
        let id = insert_batch(&mut tx, b).await?;
        let event = AuditEvent {
            target: format!("batch:{id}"),
            ..audit.clone()
        };
        self.append_audit(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// A batch the system itself sets up (the first open batch, demo data).
    pub(crate) async fn insert_batch(&self, b: &NewBatch<'_>) -> StoreResult<i64> {
        let mut conn = self.pool().acquire().await?;
        insert_batch(&mut conn, b).await
    }

    /// The open batch of an area (the newest if, by mistake, several are open).
    pub async fn open_batch(&self, area_code: &str) -> StoreResult<Option<Batch>> {
        let sql = format!(
            "SELECT {BATCH_COLUMNS} FROM batches WHERE area_code = $1 AND status = 'open' \
             ORDER BY application_opens DESC, id DESC LIMIT 1"
        );
        let row = sqlx::query(&sql)
            .bind(area_code)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(batch_from_row).transpose()
    }

    /// Every batch of an area, newest first.
    pub async fn batches(&self, area_code: &str) -> StoreResult<Vec<Batch>> {
        let sql = format!(
            "SELECT {BATCH_COLUMNS} FROM batches WHERE area_code = $1 \
             ORDER BY application_opens DESC, id DESC"
        );
        let rows = sqlx::query(&sql)
            .bind(area_code)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(batch_from_row).collect()
    }

    pub async fn batch(&self, id: i64) -> StoreResult<Option<Batch>> {
        let sql = format!("SELECT {BATCH_COLUMNS} FROM batches WHERE id = $1");
        let row = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(batch_from_row).transpose()
    }

    /// Moves a batch on (the caller checks `domain::batch::may_change`). Opening is refused
    /// while another batch of the area is open. False when the batch was not in `from`.
    pub async fn set_batch_status(
        &self,
        id: i64,
        from: BatchStatus,
        to: BatchStatus,
        audit: &AuditEvent,
    ) -> StoreResult<bool> {
        let mut tx = self.pool().begin().await?;
        if to == BatchStatus::Open {
            let other = sqlx::query(
                "SELECT b.id FROM batches b JOIN batches me ON me.area_code = b.area_code \
                 WHERE me.id = $1 AND b.status = 'open' AND b.id <> $1",
            )
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
            if other.is_some() {
                return Err(StoreError::Refused(
                    "another batch of the area is open".into(),
                ));
            }
        }
        let done = sqlx::query("UPDATE batches SET status = $3 WHERE id = $1 AND status = $2")
            .bind(id)
            .bind(from.code())
            .bind(to.code())
            .execute(&mut *tx)
            .await?;
        let changed = done.rows_affected() == 1;
        if changed {
            self.append_audit(&mut tx, audit).await?;
        }
        tx.commit().await?;
        Ok(changed)
    }

    /// A fresh installation starts with one open batch, so applicants can begin at once.
    pub(crate) async fn ensure_open_batch(&self) -> StoreResult<()> {
        let any: Option<sqlx::any::AnyRow> = sqlx::query("SELECT id FROM batches LIMIT 1")
            .fetch_optional(self.pool())
            .await?;
        if any.is_some() {
            for b in self.batches(COUNTY).await? {
                if b.status == BatchStatus::Open {
                    self.ensure_indicator_sets(b.id).await?;
                }
            }
            return Ok(());
        }
        let id = self
            .insert_batch(&NewBatch {
                area_code: COUNTY,
                name_zh: "东至县2026—2027年度放心消费创建",
                name_en: "Dongzhi County trusted-consumption campaign 2026–2027",
                status: BatchStatus::Open,
                application_opens: "2026-09-01",
                application_closes: "2027-03-31",
                review_opens: "2027-04-01",
                review_closes: "2027-09-30",
            })
            .await?;
        self.ensure_indicator_sets(id).await?;
        Ok(())
    }
}

async fn insert_batch(conn: &mut sqlx::AnyConnection, b: &NewBatch<'_>) -> StoreResult<i64> {
    let row = sqlx::query(
        "INSERT INTO batches (area_code, name_zh, name_en, status, application_opens, \
         application_closes, review_opens, review_closes, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(b.area_code)
    .bind(b.name_zh)
    .bind(b.name_en)
    .bind(b.status.code())
    .bind(b.application_opens)
    .bind(b.application_closes)
    .bind(b.review_opens)
    .bind(b.review_closes)
    .bind(now_text())
    .fetch_one(&mut *conn)
    .await?;
    Ok(row.get(0))
}
