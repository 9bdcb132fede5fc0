//! 批次: the county office plans a batch (its dates and name), opens it and closes it.

use super::Actor;
use crate::errors::AppError;
use domain::batch::Windows;
use domain::role::Role;
use store::batches::NewBatch;
use store::{BatchStatus, Store};

/// A batch the county office plans.
pub struct PlannedBatch {
    pub name_zh: String,
    /// Empty: the Chinese name is used.
    pub name_en: String,
    pub windows: Windows,
}

/// What came of planning one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Planned {
    /// Planned, with its indicator sets started from the defaults.
    Created(i64),
    /// A name or a date is missing or out of order (domain::batch::problems): nothing
    /// changed.
    Invalid,
}

/// What came of opening or closing one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatusChanged {
    Changed,
    /// Another batch is open already (one open batch per county): nothing changed.
    AnotherOpen,
}

/// Plans a batch in the county; its indicator sets start from the defaults and stay
/// editable until the batch is used.
#[tracing::instrument(skip_all)]
pub async fn plan(store: &Store, actor: &Actor, input: &PlannedBatch) -> Result<Planned, AppError> {
    actor.must_be(Role::CountyOffice)?;
    let name_zh: String = input.name_zh.trim().chars().take(60).collect();
    if !domain::batch::problems(&name_zh, &input.windows).is_empty() {
        return Ok(Planned::Invalid);
    }
    let name_en: String = match input.name_en.trim() {
        "" => name_zh.clone(),
        e => e.chars().take(80).collect(),
    };
    let w = &input.windows;
    let event = actor.audit("batch.create", String::new(), name_zh.clone());
    let id = store
        .create_batch(
            &NewBatch {
                area_code: domain::application::COUNTY,
                name_zh: &name_zh,
                name_en: &name_en,
                status: BatchStatus::Planned,
                application_opens: &w.application_opens,
                application_closes: &w.application_closes,
                review_opens: &w.review_opens,
                review_closes: &w.review_closes,
            },
            &event,
        )
        .await?;
    // Idempotent: the open batch's sets are ensured again at every start.
    store.ensure_indicator_sets(id).await?;
    Ok(Planned::Created(id))
}

/// Opens a planned batch or closes an open one (domain::batch::may_change); any other
/// step is refused as a bad request.
#[tracing::instrument(skip_all, fields(batch = id))]
pub async fn set_status(
    store: &Store,
    actor: &Actor,
    id: i64,
    to: BatchStatus,
) -> Result<StatusChanged, AppError> {
    actor.must_be(Role::CountyOffice)?;
    let batch = store.batch(id).await?.ok_or(AppError::NotFound)?;
    let from = batch.status;
    if !domain::batch::may_change(from.code(), to.code()) {
        return Err(AppError::BadRequest);
    }
    let event = actor.audit(
        "batch.status",
        format!("batch:{id}"),
        format!("{} → {}", from.code(), to.code()),
    );
    match store.set_batch_status(id, from, to, &event).await {
        Ok(true) => Ok(StatusChanged::Changed),
        // Changed meanwhile by someone else.
        Ok(false) => Err(AppError::BadRequest),
        Err(store::StoreError::Refused(_) | store::StoreError::Duplicate(_)) => {
            Ok(StatusChanged::AnotherOpen)
        }
        Err(e) => Err(e.into()),
    }
}
