//! The one place that writes an application's state column. A move is decided by the
//! domain's lifecycle (`domain::lifecycle::next`), made with a conditional update (a
//! concurrent move makes it lose cleanly: false, nothing written), and recorded in the
//! audit chain in the same transaction as the rest of the change.
//! `server/tests/architecture.rs` fails when a state is set anywhere else.

use crate::audit::AuditEvent;
use crate::{Store, StoreError, StoreResult};
use domain::lifecycle::{next, Action, Facts, State};

/// Moves application `id` from `from` by `action`; false when it is no longer in `from`.
/// A move the lifecycle refuses is an error (the caller checked the rule already).
pub(crate) async fn move_application(
    conn: &mut sqlx::AnyConnection,
    id: i64,
    from: State,
    action: Action,
    facts: &Facts,
    now: &str,
) -> StoreResult<bool> {
    let to = next(from, action, facts)
        .map_err(|r| StoreError::Refused(format!("{action:?} from {from:?}: {r}")))?;
    let moved = sqlx::query(
        "UPDATE applications SET state = $3, updated_at = $4 WHERE id = $1 AND state = $2",
    )
    .bind(id)
    .bind(from.code())
    .bind(to.code())
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(moved.rows_affected() == 1)
}

impl Store {
    /// Moves an application by a lifecycle action that carries no record of its own,
    /// with its audit entry; false when it is no longer in `from`.
    pub async fn apply_action(
        &self,
        id: i64,
        from: State,
        action: Action,
        facts: &Facts,
        audit: &AuditEvent,
    ) -> StoreResult<bool> {
        let mut tx = self.pool().begin().await?;
        if !move_application(&mut tx, id, from, action, facts, &crate::now_text()).await? {
            return Ok(false);
        }
        self.commit_audited(tx, audit).await?;
        Ok(true)
    }

    /// Runs one conditional write and, when it changed a row, its audit entry, in one
    /// transaction; false (and no entry) when nothing matched.
    pub(crate) async fn write_audited<'q>(
        &self,
        write: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
        audit: &AuditEvent,
    ) -> StoreResult<bool> {
        let mut tx = self.pool().begin().await?;
        if write.execute(&mut *tx).await?.rows_affected() != 1 {
            return Ok(false);
        }
        self.commit_audited(tx, audit).await?;
        Ok(true)
    }

    /// Ends a transaction whose change happened: its audit entry is appended, then both
    /// commit together.
    pub(crate) async fn commit_audited(
        &self,
        mut tx: sqlx::Transaction<'_, sqlx::Any>,
        event: &AuditEvent,
    ) -> StoreResult<()> {
        self.append_audit(&mut tx, event).await?;
        tx.commit().await?;
        Ok(())
    }
}
