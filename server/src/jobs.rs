//! The work no request asks for, in one place: deadline reminders and expiries every
//! hour, sweeps and audit anchors every ten minutes. Every instance runs them; each
//! write is claimed with a conditional update (a reminder is recorded as sent before it
//! is sent; an expiry moves only a plaque still `recognised`; deletes are idempotent),
//! so N instances do each piece once.

use std::path::PathBuf;
use std::time::Duration;

/// Reminders owed today, and plaques past their validity expired (with the system's
/// audit entry).
pub async fn hourly(store: &store::Store, today: chrono::NaiveDate) {
    app::applications::rectification::send_due_reminders(store, today).await;
    let day = today.format("%Y-%m-%d").to_string();
    let event = app::review::common::system_audit_event("recognition.expire", String::new());
    if let Err(e) = store.expire_recognitions(&day, &event).await {
        tracing::warn!(error = %e, "expiring recognitions failed");
    }
}

/// Sessions past their expiry and rate-limit windows older than a day (windows are
/// counted in minutes).
pub async fn sweep(
    store: &store::Store,
    now: chrono::DateTime<chrono::Utc>,
) -> store::StoreResult<()> {
    store.sweep_expired(now, now.timestamp() / 60 - 1440).await
}

/// Starts both schedules; they run until the process ends.
pub fn start(store: store::Store, data_dir: PathBuf) {
    let hourly_store = store.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(3600));
        loop {
            tick.tick().await;
            let today = app::review::common::today(&hourly_store).await;
            hourly(&hourly_store, today).await;
        }
    });
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(600));
        let mut last_anchor = None;
        loop {
            tick.tick().await;
            // The audit chain's head, written outside the database.
            if let Err(e) =
                crate::cli::write_audit_anchor(&store, &data_dir, &mut last_anchor).await
            {
                tracing::warn!(error = %e, "writing the audit anchor failed");
            }
            if let Err(e) = sweep(&store, chrono::Utc::now()).await {
                tracing::warn!(error = %e, "sweeping expired sessions failed");
            }
        }
    });
}
