//! Live changes: every instance learns within a fraction of a second that complaints or
//! applications changed anywhere, so open dashboards can refresh.
//!
//! - PostgreSQL: triggers `NOTIFY fangxin_changes` (migration 0011), delivered at commit
//!   to every instance's LISTEN connection, so it works across many stateless servers.
//! - SQLite (one machine): triggers bump `live_changes.version` in the writing
//!   transaction; each process reads that one row every 100 ms.

use crate::{Backend, Store};
use sqlx::Row;
use std::time::Duration;
use tokio::sync::broadcast;

#[derive(Clone)]
pub(crate) struct Url(pub(crate) std::sync::Arc<str>);

impl std::fmt::Debug for Url {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Url(…)")
    }
}

/// What changed: `complaints` or `applications`.
pub type Change = String;

pub const CHANNEL: &str = "fangxin_changes";
const POLL: Duration = Duration::from_millis(100);

impl Store {
    /// Runs until the process ends, sending each change (coalesced per poll on SQLite)
    /// to `tx`. Survives database restarts: it reconnects and goes on.
    pub async fn watch_changes(&self, tx: broadcast::Sender<Change>) {
        match self.backend {
            Backend::Sqlite => self.poll_version(tx).await,
            Backend::Postgres => self.listen(tx).await,
        }
    }

    /// The SQLite change counter.
    pub async fn change_version(&self) -> crate::StoreResult<i64> {
        let row = sqlx::query("SELECT version FROM live_changes WHERE id = 1")
            .fetch_one(self.pool())
            .await?;
        Ok(row.get(0))
    }

    async fn poll_version(&self, tx: broadcast::Sender<Change>) {
        let mut seen = self.change_version().await.unwrap_or(0);
        loop {
            tokio::time::sleep(POLL).await;
            match self.change_version().await {
                Ok(v) if v != seen => {
                    seen = v;
                    let _ = tx.send("changes".into());
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "reading live_changes failed"),
            }
        }
    }

    async fn listen(&self, tx: broadcast::Sender<Change>) {
        loop {
            let mut listener = match sqlx::postgres::PgListener::connect(&self.url.0).await {
                Ok(l) => l,
                Err(e) => {
                    tracing::warn!(error = %e, "LISTEN connection failed; retrying");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
            };
            if let Err(e) = listener.listen(CHANNEL).await {
                tracing::warn!(error = %e, "LISTEN failed; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
            tracing::info!("listening for live changes");
            loop {
                match listener.try_recv().await {
                    Ok(Some(n)) => {
                        let _ = tx.send(n.payload().to_string());
                    }
                    // The connection dropped and came back: changes may have been missed.
                    Ok(None) => {
                        let _ = tx.send("reconnected".into());
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "LISTEN connection lost");
                        break;
                    }
                }
            }
        }
    }
}
