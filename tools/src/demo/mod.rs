//! The demo county (`fangxin-tools seed-demo`): staff and business accounts, applications
//! at every step, a township review, a panel, a notice, recognised units for the public
//! directory, and a year of complaints. Not part of the product: its accounts share one
//! published password, so the `fangxin` binary cannot load them.

pub mod accounts;
pub mod applications;
pub mod complaints;
pub mod review;

use store::objects::ObjectStore;
use store::Store;

pub use store::demo::DemoOutcome;

/// The audit entry of a step the demo seeding takes on a person's behalf.
pub fn seed_audit_event(action: &str) -> store::audit::AuditEvent {
    store::audit::AuditEvent {
        actor: "demo-seed".into(),
        role: "system".into(),
        action: action.to_string(),
        ..Default::default()
    }
}

/// Loads the demo county, idempotently: a second run changes nothing.
pub async fn seed_demo(store: &Store, objects: &ObjectStore) -> Result<DemoOutcome, String> {
    let outcome = store.seed_demo().await.map_err(|e| e.to_string())?;
    accounts::seed_demo_accounts(store)
        .await
        .map_err(|e| format!("demo accounts: {e}"))?;
    applications::seed_demo_applications(store, objects)
        .await
        .map_err(|e| format!("demo applications: {e}"))?;
    review::seed_demo_review(store, objects)
        .await
        .map_err(|e| format!("demo review: {e}"))?;
    complaints::seed_demo_complaints(store)
        .await
        .map_err(|e| format!("demo complaints: {e}"))?;
    Ok(outcome)
}
