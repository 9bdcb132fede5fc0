//! The hash-chained audit trail (等保 2.0: security audit).
//!
//! `append_audit` is the only write, inside the transaction of the change it records.
//! Each entry's hash is HMAC-SHA256, under a key kept outside the database
//! (`AuditKey`), over the previous hash and the entry's fields,
//! length-prefixed so no two field lists hash alike: someone who can write the database
//! but not read the key cannot recompute a chain after deleting or changing rows. (A store
//! without a key, as in tests, chains with plain SHA-256.) `verify` recomputes the chain
//! and names the first entry that does not match; anchors (head sequence and hash,
//! written outside the database from time to time) catch a chain cut short at its end.

use crate::{Store, StoreResult};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::Row;

/// What happened, by whom, to what; the store adds the time and the chain.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEvent {
    pub actor: String,
    pub role: String,
    pub area_code: String,
    pub action: String,
    pub target: String,
    /// A short before/after summary; never a password or a full personal number.
    pub summary: String,
    pub client_addr: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: String,
    pub event: AuditEvent,
    pub prev_hash: String,
    pub hash: String,
}

/// The outcome of checking the chain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChainStatus {
    Intact {
        entries: i64,
    },
    /// The entry at `seq` was changed, or the one before it was removed.
    Broken {
        seq: i64,
        reason: String,
    },
}

/// The audit chain's secret: 32 random bytes, from a file or a setting, never stored in
/// the database.
#[derive(Clone)]
pub struct AuditKey(std::sync::Arc<[u8; 32]>);

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AuditKey(…)")
    }
}

impl AuditKey {
    pub fn from_bytes(bytes: [u8; 32]) -> AuditKey {
        AuditKey(std::sync::Arc::new(bytes))
    }

    /// 64 hexadecimal digits.
    pub fn parse_hex(text: &str) -> Option<AuditKey> {
        let text = text.trim();
        if text.len() != 64 {
            return None;
        }
        let mut out = [0u8; 32];
        for (i, b) in out.iter_mut().enumerate() {
            *b = u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok()?;
        }
        Some(AuditKey::from_bytes(out))
    }

    pub fn to_hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// The chain's state at one moment, written outside the database (a log line and an
/// append-only file): a later chain must still hold this entry with this hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Anchor {
    pub seq: i64,
    pub hash: String,
}

impl Anchor {
    /// One line of the anchors file: `<time> seq=<n> hash=<hex>`.
    pub fn line(&self, at: &str) -> String {
        format!("{at} seq={} hash={}", self.seq, self.hash)
    }

    pub fn parse_line(line: &str) -> Option<Anchor> {
        let mut seq = None;
        let mut hash = None;
        for part in line.split_whitespace() {
            if let Some(v) = part.strip_prefix("seq=") {
                seq = v.parse().ok();
            } else if let Some(v) = part.strip_prefix("hash=") {
                hash = Some(v.to_string());
            }
        }
        Some(Anchor {
            seq: seq?,
            hash: hash?,
        })
    }
}

/// Feeds the length-prefixed fields to either digest.
fn chain_fields(
    prev_hash: &str,
    seq: i64,
    at: &str,
    e: &AuditEvent,
    mut update: impl FnMut(&[u8]),
) {
    let seq = seq.to_string();
    for field in [
        prev_hash,
        seq.as_str(),
        at,
        &e.actor,
        &e.role,
        &e.area_code,
        &e.action,
        &e.target,
        &e.summary,
        &e.client_addr,
    ] {
        update(&(field.len() as u64).to_be_bytes());
        update(field.as_bytes());
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// An entry's hash: HMAC-SHA256 under the key, or SHA-256 without one.
pub(crate) fn keyed_hash(
    key: Option<&AuditKey>,
    prev_hash: &str,
    seq: i64,
    at: &str,
    e: &AuditEvent,
) -> String {
    use hmac::Mac;
    match key {
        Some(k) => {
            let mut mac = hmac::Hmac::<Sha256>::new_from_slice(&k.0[..]).expect("any key length");
            chain_fields(prev_hash, seq, at, e, |b| mac.update(b));
            hex(&mac.finalize().into_bytes())
        }
        None => entry_hash(prev_hash, seq, at, e),
    }
}

fn entry_hash(prev_hash: &str, seq: i64, at: &str, e: &AuditEvent) -> String {
    let mut h = Sha256::new();
    chain_fields(prev_hash, seq, at, e, |b| h.update(b));
    hex(&h.finalize())
}

const ENTRY_COLUMNS: &str =
    "seq, at, actor, role, area_code, action, target, summary, client_addr, prev_hash, hash";

fn entry_from_row(r: &sqlx::any::AnyRow) -> AuditEntry {
    AuditEntry {
        seq: r.get("seq"),
        at: r.get("at"),
        event: AuditEvent {
            actor: r.get("actor"),
            role: r.get("role"),
            area_code: r.get("area_code"),
            action: r.get("action"),
            target: r.get("target"),
            summary: r.get("summary"),
            client_addr: r.get("client_addr"),
        },
        prev_hash: r.get("prev_hash"),
        hash: r.get("hash"),
    }
}

/// Filters for the auditor's page; empty fields match everything.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub action: Option<String>,
    /// Inclusive lower bound on the time (RFC 3339 text or a date).
    pub from: Option<String>,
    pub limit: i64,
}

impl AuditEvent {
    /// The same entry about another target (the row a store method has just created).
    pub fn with_target(&self, target: String) -> AuditEvent {
        AuditEvent {
            target,
            ..self.clone()
        }
    }
}

/// Appends `$event` to the chain on `$conn` (a `&mut` to one of sqlx's connections: the
/// pool's, or the 12315 import's own SQLite one) inside the caller's transaction, and is
/// the entry's sequence number. Written once, compiled for each kind of connection.
/// Taking the head first serialises appenders, so the chain has no forks.
macro_rules! append_audit_on {
    ($store:expr, $conn:expr, $event:expr) => {{
        use sqlx::Row as _;
        let event: &$crate::audit::AuditEvent = $event;
        let head = sqlx::query(
            "UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, last_hash",
        )
        .fetch_one(&mut *$conn)
        .await?;
        let seq: i64 = head.get("seq");
        let prev_hash: String = head.get("last_hash");
        let at = $crate::now_text();
        let hash =
            $crate::audit::keyed_hash($store.audit_key.as_ref(), &prev_hash, seq, &at, event);
        sqlx::query(
            "INSERT INTO audit_log (seq, at, actor, role, area_code, action, target, summary, \
             client_addr, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(seq)
        .bind(&at)
        .bind(&event.actor)
        .bind(&event.role)
        .bind(&event.area_code)
        .bind(&event.action)
        .bind(&event.target)
        .bind(&event.summary)
        .bind(&event.client_addr)
        .bind(&prev_hash)
        .bind(&hash)
        .execute(&mut *$conn)
        .await?;
        sqlx::query("UPDATE audit_head SET last_hash = $1 WHERE id = 1")
            .bind(&hash)
            .execute(&mut *$conn)
            .await?;
        seq
    }};
}
pub(crate) use append_audit_on;

impl Store {
    /// Appends one entry in a transaction of its own; returns its sequence number.
    pub async fn audit(&self, event: &AuditEvent) -> StoreResult<i64> {
        let mut tx = self.pool().begin().await?;
        let seq = self.append_audit(&mut tx, event).await?;
        tx.commit().await?;
        Ok(seq)
    }

    /// Appends one entry inside the caller's transaction, so a change and its audit
    /// entry commit together or not at all. Take it last in the transaction: the head
    /// row it locks serialises every appender until commit.
    pub(crate) async fn append_audit(
        &self,
        conn: &mut sqlx::AnyConnection,
        event: &AuditEvent,
    ) -> StoreResult<i64> {
        Ok(append_audit_on!(self, conn, event))
    }

    /// Newest first, filtered.
    pub async fn audit_entries(&self, f: &AuditFilter) -> StoreResult<Vec<AuditEntry>> {
        let sql = format!(
            "SELECT {ENTRY_COLUMNS} FROM audit_log \
             WHERE ($1 = '' OR actor = $1) AND ($2 = '' OR action = $2) AND ($3 = '' OR at >= $3) \
             ORDER BY seq DESC LIMIT $4"
        );
        let rows = sqlx::query(&sql)
            .bind(f.actor.clone().unwrap_or_default())
            .bind(f.action.clone().unwrap_or_default())
            .bind(f.from.clone().unwrap_or_default())
            .bind(if f.limit > 0 { f.limit.min(1000) } else { 100 })
            .fetch_all(self.pool())
            .await?;
        Ok(rows.iter().map(entry_from_row).collect())
    }

    /// Recomputes the whole chain, in pages so memory stays bounded.
    pub async fn verify_audit_chain(&self) -> StoreResult<ChainStatus> {
        let head = sqlx::query("SELECT seq, last_hash FROM audit_head WHERE id = 1")
            .fetch_one(self.pool())
            .await?;
        let head_seq: i64 = head.get("seq");
        let head_hash: String = head.get("last_hash");

        let mut prev_hash = "0".repeat(64);
        let mut expected_seq = 1i64;
        let sql = format!(
            "SELECT {ENTRY_COLUMNS} FROM audit_log WHERE seq >= $1 ORDER BY seq LIMIT 1000"
        );
        loop {
            let rows = sqlx::query(&sql)
                .bind(expected_seq)
                .fetch_all(self.pool())
                .await?;
            if rows.is_empty() {
                break;
            }
            for row in &rows {
                let e = entry_from_row(row);
                if e.seq != expected_seq {
                    return Ok(ChainStatus::Broken {
                        seq: expected_seq,
                        reason: format!("entry {expected_seq} is missing"),
                    });
                }
                if e.prev_hash != prev_hash {
                    return Ok(ChainStatus::Broken {
                        seq: e.seq,
                        reason: "its link to the previous entry does not match".into(),
                    });
                }
                if keyed_hash(
                    self.audit_key.as_ref(),
                    &e.prev_hash,
                    e.seq,
                    &e.at,
                    &e.event,
                ) != e.hash
                {
                    return Ok(ChainStatus::Broken {
                        seq: e.seq,
                        reason: "its content does not match its hash".into(),
                    });
                }
                prev_hash = e.hash;
                expected_seq += 1;
            }
        }
        let entries = expected_seq - 1;
        if entries != head_seq || prev_hash != head_hash {
            return Ok(ChainStatus::Broken {
                seq: entries + 1,
                reason: format!("the chain ends at entry {entries} but {head_seq} were written"),
            });
        }
        Ok(ChainStatus::Intact { entries })
    }

    /// The chain's head now, to be written down outside the database.
    pub async fn audit_anchor(&self) -> StoreResult<Anchor> {
        let head = sqlx::query("SELECT seq, last_hash FROM audit_head WHERE id = 1")
            .fetch_one(self.pool())
            .await?;
        Ok(Anchor {
            seq: head.get("seq"),
            hash: head.get("last_hash"),
        })
    }

    /// The chain checked as `verify_audit_chain` does, and against anchors written
    /// earlier: each anchored entry must still be there with the same hash (a chain cut
    /// short and re-headed passes the recomputation, not this).
    pub async fn verify_audit_with_anchors(&self, anchors: &[Anchor]) -> StoreResult<ChainStatus> {
        let status = self.verify_audit_chain().await?;
        let ChainStatus::Intact { entries } = status else {
            return Ok(status);
        };
        for a in anchors.iter().filter(|a| a.seq > 0) {
            if a.seq > entries {
                return Ok(ChainStatus::Broken {
                    seq: entries + 1,
                    reason: format!(
                        "an anchor records entry {} but the chain ends at {entries}",
                        a.seq
                    ),
                });
            }
            let hash: Option<String> = sqlx::query("SELECT hash FROM audit_log WHERE seq = $1")
                .bind(a.seq)
                .fetch_optional(self.pool())
                .await?
                .map(|r| r.get(0));
            if hash.as_deref() != Some(a.hash.as_str()) {
                return Ok(ChainStatus::Broken {
                    seq: a.seq,
                    reason: "it differs from the anchor written when it was the head".into(),
                });
            }
        }
        Ok(ChainStatus::Intact { entries })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_depend_on_every_field_and_on_field_boundaries() {
        let e = AuditEvent {
            actor: "ab".into(),
            role: "c".into(),
            ..Default::default()
        };
        let moved = AuditEvent {
            actor: "a".into(),
            role: "bc".into(),
            ..Default::default()
        };
        let base = entry_hash("0", 1, "t", &e);
        assert_eq!(base.len(), 64);
        assert_ne!(base, entry_hash("0", 1, "t", &moved));
        assert_ne!(base, entry_hash("1", 1, "t", &e));
        assert_ne!(base, entry_hash("0", 2, "t", &e));
        assert_eq!(base, entry_hash("0", 1, "t", &e));
    }
}
