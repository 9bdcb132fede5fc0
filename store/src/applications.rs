//! Applications: drafts saved step by step, then submitted with a snapshot.
//!
//! Saves carry the revision the client last saw. A save against an older revision is
//! refused with the current one, so a second device or a replayed offline queue never
//! silently overwrites newer work; the client reloads and carries on.

use crate::audit::AuditEvent;
use crate::transitions::move_application;
use crate::{now_text, Store, StoreError, StoreResult};
use domain::lifecycle::{Action, State};
use serde::{Deserialize, Serialize};
use sqlx::Row;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Application {
    pub id: i64,
    pub organisation_id: i64,
    pub batch_id: i64,
    pub category_code: String,
    pub indicator_set_id: i64,
    pub state: State,
    pub step: String,
    /// The wizard's fields as JSON text.
    pub data: String,
    pub revision: i64,
    pub prepared_by: Option<i64>,
    pub updated_at: String,
    pub submitted_at: Option<String>,
    /// A street, village or association preparing this for a merchant in its area.
    pub agent_organisation_id: Option<i64>,
    /// When the agent handed it to the merchant to confirm.
    pub handed_over_at: Option<String>,
}

/// A new application; `data` is the wizard's first values (prefilled identity).
pub struct NewApplication<'a> {
    pub organisation_id: i64,
    pub batch_id: i64,
    pub category: &'a str,
    pub indicator_set_id: i64,
    pub prepared_by: Option<i64>,
    pub agent_organisation_id: Option<i64>,
    pub data: &'a str,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SaveOutcome {
    Saved {
        revision: i64,
    },
    /// Someone saved first: this is the revision to reload.
    Stale {
        current_revision: i64,
    },
    /// Submitted (or otherwise out of the applicant's hands): nothing may change.
    Locked,
}

pub(crate) const COLUMNS: &str =
    "id, organisation_id, batch_id, category_code, indicator_set_id, state, step, \
     data, revision, prepared_by, updated_at, submitted_at, agent_organisation_id, handed_over_at";

pub(crate) fn from_row(r: &sqlx::any::AnyRow) -> Application {
    Application {
        id: r.get("id"),
        organisation_id: r.get("organisation_id"),
        batch_id: r.get("batch_id"),
        category_code: r.get("category_code"),
        indicator_set_id: r.get("indicator_set_id"),
        state: read_state(r.get("state")),
        step: r.get("step"),
        data: r.get("data"),
        revision: r.get("revision"),
        prepared_by: r.get("prepared_by"),
        updated_at: r.get("updated_at"),
        submitted_at: r.get("submitted_at"),
        agent_organisation_id: r.get("agent_organisation_id"),
        handed_over_at: r.get("handed_over_at"),
    }
}

/// A stored state code back as the domain's state. Only the store writes the column,
/// always through `State::code`; should a hand-edited row hold anything else, it reads
/// as expired, so an unknown code never opens an application for editing.
pub(crate) fn read_state(code: String) -> State {
    State::parse(&code).unwrap_or_else(|| {
        tracing::error!(code, "unknown application state in the database");
        State::Expired
    })
}

/// `('a', 'b')` for an SQL `IN`, from the domain's states (fixed codes, never input).
pub(crate) fn state_list(states: impl IntoIterator<Item = State>) -> String {
    let codes: Vec<String> = states
        .into_iter()
        .map(|s| format!("'{}'", s.code()))
        .collect();
    format!("({})", codes.join(", "))
}

impl Store {
    /// Starts an empty draft with a system audit entry; see `start_application`.
    pub async fn create_draft(
        &self,
        organisation_id: i64,
        batch_id: i64,
        category: &str,
        indicator_set_id: i64,
        prepared_by: Option<i64>,
    ) -> StoreResult<i64> {
        let draft = NewApplication {
            organisation_id,
            batch_id,
            category,
            indicator_set_id,
            prepared_by,
            agent_organisation_id: None,
            data: "{}",
        };
        let audit = AuditEvent {
            actor: "system".into(),
            action: "application.start".into(),
            summary: format!("draft {category}"),
            ..AuditEvent::default()
        };
        self.start_application(&draft, &audit).await
    }

    /// A merchant's own new draft, which freezes the indicator set it will be scored
    /// against. Refused (unique violation) while the organisation has an open application
    /// in the same batch and category. The audit entry is written with it, its target set
    /// to the new application.
    pub async fn start_application(
        &self,
        a: &NewApplication<'_>,
        audit: &AuditEvent,
    ) -> StoreResult<i64> {
        self.insert_application(a, State::Draft, audit).await
    }

    /// An agent's proposal for a merchant (`State::Proposed`): it takes none of the
    /// merchant's slot until the merchant accepts it (`accept_proposal`). Refused (unique
    /// violation) when the same agent already proposes one in this batch and category.
    pub async fn propose_application(
        &self,
        a: &NewApplication<'_>,
        audit: &AuditEvent,
    ) -> StoreResult<i64> {
        self.insert_application(a, State::Proposed, audit).await
    }

    async fn insert_application(
        &self,
        a: &NewApplication<'_>,
        state: State,
        audit: &AuditEvent,
    ) -> StoreResult<i64> {
        let now = now_text();
        let mut tx = self.pool().begin().await?;
        let id: i64 = sqlx::query(
            "INSERT INTO applications (organisation_id, batch_id, category_code, indicator_set_id, \
             state, step, data, revision, prepared_by, agent_organisation_id, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $9, 'identity', $5, 0, $6, $7, $8, $8) RETURNING id",
        )
        .bind(a.organisation_id)
        .bind(a.batch_id)
        .bind(a.category)
        .bind(a.indicator_set_id)
        .bind(a.data)
        .bind(a.prepared_by)
        .bind(a.agent_organisation_id)
        .bind(&now)
        .bind(state.code())
        .fetch_one(&mut *tx)
        .await?
        .get(0);
        sqlx::query("UPDATE indicator_sets SET frozen = 1 WHERE id = $1 AND frozen = 0")
            .bind(a.indicator_set_id)
            .execute(&mut *tx)
            .await?;
        let event = AuditEvent {
            target: format!("application:{id}"),
            ..audit.clone()
        };
        self.append_audit(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// How many applications a batch holds.
    pub async fn applications_in_batch(&self, batch_id: i64) -> StoreResult<i64> {
        let row =
            sqlx::query("SELECT CAST(COUNT(*) AS BIGINT) FROM applications WHERE batch_id = $1")
                .bind(batch_id)
                .fetch_one(self.pool())
                .await?;
        Ok(row.get(0))
    }

    /// Applications an agent organisation prepares for others, newest first.
    pub async fn applications_prepared_by(
        &self,
        agent_organisation_id: i64,
    ) -> StoreResult<Vec<Application>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM applications WHERE agent_organisation_id = $1 ORDER BY id DESC"
        );
        let rows = sqlx::query(&sql)
            .bind(agent_organisation_id)
            .fetch_all(self.pool())
            .await?;
        Ok(rows.iter().map(from_row).collect())
    }

    /// The agent hands a prepared draft to the merchant, who confirms and submits it.
    pub async fn hand_over(&self, id: i64, audit: &AuditEvent) -> StoreResult<bool> {
        let now = now_text();
        let mut tx = self.pool().begin().await?;
        let done = sqlx::query(&format!(
            "UPDATE applications SET handed_over_at = $2, updated_at = $2 \
             WHERE id = $1 AND agent_organisation_id IS NOT NULL AND handed_over_at IS NULL \
             AND state IN {}",
            state_list(State::EDITABLE)
        ))
        .bind(id)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        let handed = done.rows_affected() == 1;
        if handed {
            self.append_audit(&mut tx, audit).await?;
        }
        tx.commit().await?;
        Ok(handed)
    }

    pub async fn application(&self, id: i64) -> StoreResult<Option<Application>> {
        let sql = format!("SELECT {COLUMNS} FROM applications WHERE id = $1");
        let row = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.as_ref().map(from_row))
    }

    pub async fn applications_of(&self, organisation_id: i64) -> StoreResult<Vec<Application>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM applications WHERE organisation_id = $1 ORDER BY id DESC"
        );
        let rows = sqlx::query(&sql)
            .bind(organisation_id)
            .fetch_all(self.pool())
            .await?;
        Ok(rows.iter().map(from_row).collect())
    }

    /// Saves the wizard's data and current step if `expected_revision` is current and
    /// the application is still editable (draft, or returned for changes).
    pub async fn save_draft(
        &self,
        id: i64,
        expected_revision: i64,
        step: &str,
        data: &str,
    ) -> StoreResult<SaveOutcome> {
        let saved = sqlx::query(&format!(
            "UPDATE applications SET data = $3, step = $4, revision = revision + 1, updated_at = $5 \
             WHERE id = $1 AND revision = $2 AND state IN {} RETURNING revision",
            state_list(State::EDITABLE)
        ))
        .bind(id)
        .bind(expected_revision)
        .bind(data)
        .bind(step)
        .bind(now_text())
        .fetch_optional(self.pool())
        .await?;
        if let Some(r) = saved {
            return Ok(SaveOutcome::Saved { revision: r.get(0) });
        }
        let current = self
            .application(id)
            .await?
            .ok_or_else(|| StoreError::Refused(format!("application {id} does not exist")))?;
        Ok(if State::EDITABLE.contains(&current.state) {
            SaveOutcome::Stale {
                current_revision: current.revision,
            }
        } else {
            SaveOutcome::Locked
        })
    }

    /// Submits exactly the revision the applicant reviewed: locks the application and
    /// keeps a snapshot. Returns false when the revision is stale or it is not editable.
    pub async fn submit_application(
        &self,
        id: i64,
        expected_revision: i64,
        submitted_by: i64,
        audit: &AuditEvent,
    ) -> StoreResult<bool> {
        let now = now_text();
        let mut tx = self.pool().begin().await?;
        let from = sqlx::query("SELECT state FROM applications WHERE id = $1 AND revision = $2")
            .bind(id)
            .bind(expected_revision)
            .fetch_optional(&mut *tx)
            .await?
            .and_then(|r| State::parse(&r.get::<String, _>(0)));
        let Some(from @ (State::Draft | State::Returned)) = from else {
            return Ok(false);
        };
        let facts = Default::default();
        if !move_application(&mut tx, id, from, Action::Submit, &facts, &now).await? {
            return Ok(false);
        }
        // The revision is checked again under the row lock the move took: a save that
        // landed after the first read makes this submission stale.
        let row = sqlx::query(
            "UPDATE applications SET submitted_at = $3 WHERE id = $1 AND revision = $2 RETURNING data",
        )
        .bind(id)
        .bind(expected_revision)
        .bind(&now)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            tx.rollback().await?;
            return Ok(false);
        };
        let data: String = row.get(0);
        sqlx::query(
            "INSERT INTO application_snapshots (application_id, revision, data, submitted_at, \
             submitted_by) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(expected_revision)
        .bind(&data)
        .bind(&now)
        .bind(submitted_by)
        .execute(&mut *tx)
        .await?;
        self.commit_audited(tx, audit).await?;
        Ok(true)
    }

    /// The merchant accepts an agent's proposal: it becomes the merchant's draft, with
    /// `data` (the contact details the agent never saw filled in). A unique violation
    /// when the merchant has an open application of its own in the batch.
    pub async fn accept_proposal(
        &self,
        id: i64,
        data: &str,
        audit: &AuditEvent,
    ) -> StoreResult<bool> {
        let now = now_text();
        let mut tx = self.pool().begin().await?;
        let facts = Default::default();
        if !move_application(&mut tx, id, State::Proposed, Action::Accept, &facts, &now).await? {
            return Ok(false);
        }
        sqlx::query("UPDATE applications SET data = $2, revision = revision + 1 WHERE id = $1")
            .bind(id)
            .bind(data)
            .execute(&mut *tx)
            .await?;
        self.commit_audited(tx, audit).await?;
        Ok(true)
    }

    /// Removes an application an agent prepared and that was never submitted (a proposal
    /// or a draft), with its evidence records. False when there is no such application.
    pub async fn remove_agent_draft(&self, id: i64, audit: &AuditEvent) -> StoreResult<bool> {
        let mut tx = self.pool().begin().await?;
        let removable = sqlx::query(&format!(
            "SELECT id FROM applications WHERE id = $1 AND agent_organisation_id IS NOT NULL \
             AND submitted_at IS NULL AND state IN {}",
            state_list(State::ALL.into_iter().filter(|s| s.unsubmitted()))
        ))
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .is_some();
        if !removable {
            return Ok(false);
        }
        sqlx::query("DELETE FROM evidence_files WHERE application_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM applications WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        self.append_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Snapshots of an application, oldest first: (revision, data, submitted_at).
    pub async fn application_snapshots(&self, id: i64) -> StoreResult<Vec<(i64, String, String)>> {
        let rows = sqlx::query(
            "SELECT revision, data, submitted_at FROM application_snapshots \
             WHERE application_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .iter()
            .map(|r| (r.get("revision"), r.get("data"), r.get("submitted_at")))
            .collect())
    }
}
