//! 证明材料: files kept as an application's evidence — the wizard's uploads and their
//! removal, rectification evidence and site-visit photos. Each file is checked by its
//! content and the limits, stored under its hash, and recorded with its audit entry in
//! one transaction.

use super::Actor;
use crate::applications::handlers::{
    editable, indicator_items, setting_u32, Upload, MAX_APPLICATION_MB,
};
use crate::applications::EvidenceView;
use crate::errors::AppError;
use domain::application::{self as form, UploadProblem};
use store::audit::AuditEvent;
use store::objects::ObjectStore;
use store::Store;

/// What came of keeping a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kept {
    Kept(EvidenceView),
    /// Empty, too large, of a type not accepted, or no room left: nothing kept.
    Refused(UploadProblem),
}

/// Checks `upload`'s file by content and the limits, stores its bytes and records it
/// as evidence of `application_id` in `slot`, with `audit` in the same transaction. The
/// caller has checked that the actor may add to that slot.
pub(crate) async fn keep(
    store: &Store,
    objects: &ObjectStore,
    actor: &Actor,
    application_id: i64,
    slot: &str,
    upload: Upload,
    audit: &AuditEvent,
) -> Result<Kept, AppError> {
    let max_file = upload.max_file_mb;
    if upload.broken {
        return Ok(Kept::Refused(UploadProblem::FileTooLarge {
            max_mb: max_file,
        }));
    }
    let Some((name, bytes, size)) = upload.file else {
        return Ok(Kept::Refused(UploadProblem::Empty));
    };
    let max_total = setting_u32(store, MAX_APPLICATION_MB).await?;
    let used = store.evidence_bytes(application_id).await?.max(0) as u64;
    let kind = match form::check_upload(&bytes, size, used, max_file, max_total) {
        Ok(kind) => kind,
        Err(problem) => return Ok(Kept::Refused(problem)),
    };
    let key = match objects.put(&bytes).await {
        Ok(key) => key,
        Err(e) if e.is_storage_full() => {
            tracing::error!(error = %e, "upload refused: the object store is full");
            return Ok(Kept::Refused(UploadProblem::StorageFull));
        }
        Err(e) => return Err(AppError::internal(e)),
    };
    let file_id = store
        .add_evidence(
            &store::evidence::NewEvidence {
                application_id,
                slot,
                object_key: &key,
                media_type: kind.mime(),
                size_bytes: size as i64,
                original_name: &name,
                uploaded_by: actor.user.account_id,
            },
            audit,
        )
        .await?;
    Ok(Kept::Kept(EvidenceView {
        id: file_id,
        slot: slot.to_string(),
        name,
        media_type: kind.mime().to_string(),
        size_bytes: size as i64,
    }))
}

/// The applicant (or its agent, while preparing) adds a file to evidence slot `slot` of
/// application `id`, while it may change it. A slot the indicator set does not ask for
/// is a bad request.
#[tracing::instrument(skip_all, fields(application = id))]
pub async fn upload(
    store: &Store,
    objects: &ObjectStore,
    actor: &Actor,
    id: i64,
    slot: &str,
    upload: Upload,
) -> Result<Kept, AppError> {
    let app = editable(store, &actor.user, id).await?;
    let (items, _) = indicator_items(store, &app).await?;
    let slots = form::evidence_slots(&form::item_rules(&items));
    if !slots.iter().any(|s| s == slot) {
        return Err(AppError::BadRequest);
    }
    let event = actor.audit(
        "evidence.upload",
        format!("application:{id}"),
        format!("slot {slot} {} bytes", upload.size()),
    );
    keep(store, objects, actor, id, slot, upload, &event).await
}

/// The applicant (or its agent, while preparing) removes evidence file `file` of
/// application `id`, while it may change it.
#[tracing::instrument(skip_all, fields(application = id))]
pub async fn remove(store: &Store, actor: &Actor, id: i64, file: i64) -> Result<(), AppError> {
    editable(store, &actor.user, id).await?;
    let event = actor.audit(
        "evidence.remove",
        format!("application:{id}"),
        format!("file {file}"),
    );
    store.remove_evidence(file, id, &event).await?;
    Ok(())
}
