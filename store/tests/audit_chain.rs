//! The audit trail detects any change or removal of its rows, on both databases.

use store::audit::{AuditEvent, AuditFilter, ChainStatus};
use testkit::fresh_db;

fn event(i: usize) -> AuditEvent {
    AuditEvent {
        actor: format!("reviewer-{}", i % 3),
        role: "township_reviewer".into(),
        area_code: "341721100".into(),
        action: if i.is_multiple_of(2) {
            "login"
        } else {
            "application.return"
        }
        .into(),
        target: format!("application/{i}"),
        summary: format!("state: submitted → returned ({i})"),
        client_addr: "127.0.0.1".into(),
    }
}

#[tokio::test]
async fn an_untouched_chain_verifies() {
    let db = fresh_db().await;
    assert_eq!(
        db.verify_audit_chain().await.unwrap(),
        ChainStatus::Intact { entries: 0 }
    );
    for i in 0..25 {
        assert_eq!(db.audit(&event(i)).await.unwrap(), i as i64 + 1);
    }
    assert_eq!(
        db.verify_audit_chain().await.unwrap(),
        ChainStatus::Intact { entries: 25 }
    );
}

#[tokio::test]
async fn a_changed_row_is_detected() {
    let db = fresh_db().await;
    for i in 0..10 {
        db.audit(&event(i)).await.unwrap();
    }
    sqlx::query("UPDATE audit_log SET summary = 'nothing happened' WHERE seq = 4")
        .execute(db.pool())
        .await
        .unwrap();
    match db.verify_audit_chain().await.unwrap() {
        ChainStatus::Broken { seq, .. } => assert_eq!(seq, 4),
        other => panic!("tampering not detected: {other:?}"),
    }
}

#[tokio::test]
async fn a_deleted_row_is_detected_in_the_middle_and_at_the_end() {
    let db = fresh_db().await;
    for i in 0..10 {
        db.audit(&event(i)).await.unwrap();
    }
    sqlx::query("DELETE FROM audit_log WHERE seq = 10")
        .execute(db.pool())
        .await
        .unwrap();
    assert!(matches!(
        db.verify_audit_chain().await.unwrap(),
        ChainStatus::Broken { seq: 10, .. }
    ));
    sqlx::query("DELETE FROM audit_log WHERE seq = 5")
        .execute(db.pool())
        .await
        .unwrap();
    assert!(matches!(
        db.verify_audit_chain().await.unwrap(),
        ChainStatus::Broken { seq: 5, .. }
    ));
}

#[tokio::test]
async fn a_rehashed_forgery_still_breaks_the_link_to_the_next_entry() {
    let db = fresh_db().await;
    for i in 0..6 {
        db.audit(&event(i)).await.unwrap();
    }
    // Someone who recomputes one row's hash cannot fix the next row's link without
    // rewriting the rest of the chain.
    sqlx::query("UPDATE audit_log SET hash = 'ffff' WHERE seq = 3")
        .execute(db.pool())
        .await
        .unwrap();
    assert!(matches!(
        db.verify_audit_chain().await.unwrap(),
        ChainStatus::Broken { seq: 3, .. }
    ));
}

#[tokio::test]
async fn concurrent_appends_keep_one_unbroken_chain() {
    let db = fresh_db().await;
    let mut tasks = Vec::new();
    for t in 0..8 {
        let store = db.store.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..20 {
                store.audit(&event(t * 100 + i)).await.unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(
        db.verify_audit_chain().await.unwrap(),
        ChainStatus::Intact { entries: 160 }
    );
}

#[tokio::test]
async fn entries_can_be_filtered_newest_first() {
    let db = fresh_db().await;
    for i in 0..9 {
        db.audit(&event(i)).await.unwrap();
    }
    let logins = db
        .audit_entries(&AuditFilter {
            action: Some("login".into()),
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(logins.len(), 5);
    assert!(logins.windows(2).all(|w| w[0].seq > w[1].seq));
    let by_actor = db
        .audit_entries(&AuditFilter {
            actor: Some("reviewer-1".into()),
            limit: 2,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(by_actor.len(), 2);
    assert!(by_actor.iter().all(|e| e.event.actor == "reviewer-1"));
}

/// Recomputes a plain SHA-256 chain over the rows as they are now, as someone with only
/// database access would after deleting rows, and re-heads it.
async fn rechain_without_the_key(db: &store::Store) {
    use sha2::{Digest, Sha256};
    use sqlx::Row;
    let rows = sqlx::query(
        "SELECT seq, at, actor, role, area_code, action, target, summary, client_addr FROM audit_log ORDER BY seq",
    )
    .fetch_all(db.pool())
    .await
    .unwrap();
    let mut prev = "0".repeat(64);
    for (i, r) in rows.iter().enumerate() {
        let old_seq: i64 = r.get(0);
        let seq = (i + 1) as i64;
        let mut h = Sha256::new();
        let seq_text = seq.to_string();
        let at: String = r.get(1);
        let fields: Vec<String> = (2..9).map(|k| r.get::<String, _>(k)).collect();
        for f in [prev.as_str(), seq_text.as_str(), at.as_str()]
            .into_iter()
            .chain(fields.iter().map(String::as_str))
        {
            h.update((f.len() as u64).to_be_bytes());
            h.update(f.as_bytes());
        }
        let hash: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
        sqlx::query("UPDATE audit_log SET seq = $1, prev_hash = $2, hash = $3 WHERE seq = $4")
            .bind(seq)
            .bind(&prev)
            .bind(&hash)
            .bind(old_seq)
            .execute(db.pool())
            .await
            .unwrap();
        prev = hash;
    }
    sqlx::query("UPDATE audit_head SET seq = $1, last_hash = $2 WHERE id = 1")
        .bind(rows.len() as i64)
        .bind(&prev)
        .execute(db.pool())
        .await
        .unwrap();
}

#[tokio::test]
async fn with_a_key_outside_the_database_a_rewritten_chain_is_detected() {
    let db = fresh_db().await;
    let key = store::audit::AuditKey::from_bytes([42; 32]);
    let keyed = db.store.clone().with_audit_key(key.clone());
    for i in 0..12 {
        keyed.audit(&event(i)).await.unwrap();
    }
    assert_eq!(
        keyed.verify_audit_chain().await.unwrap(),
        ChainStatus::Intact { entries: 12 }
    );
    // Without the key the chain does not even look right.
    assert!(matches!(
        db.verify_audit_chain().await.unwrap(),
        ChainStatus::Broken { seq: 1, .. }
    ));

    // Delete an entry and recompute the chain as SHA-256: with only database access that
    // is all one can do, and the keyed check refuses it from the first entry.
    sqlx::query("DELETE FROM audit_log WHERE seq = 6")
        .execute(db.pool())
        .await
        .unwrap();
    rechain_without_the_key(&db).await;
    assert!(matches!(
        keyed.verify_audit_chain().await.unwrap(),
        ChainStatus::Broken { seq: 1, .. }
    ));
}

#[tokio::test]
async fn anchors_written_outside_catch_a_chain_cut_short() {
    let db = fresh_db().await;
    for i in 0..10 {
        db.audit(&event(i)).await.unwrap();
    }
    let anchor = db.audit_anchor().await.unwrap();
    assert_eq!(anchor.seq, 10);
    let line = anchor.line("2026-12-05T09:00:00Z");
    assert_eq!(
        store::audit::Anchor::parse_line(&line),
        Some(anchor.clone())
    );
    assert_eq!(
        db.verify_audit_with_anchors(std::slice::from_ref(&anchor))
            .await
            .unwrap(),
        ChainStatus::Intact { entries: 10 }
    );
    // The last three entries removed and the head moved back: the recomputed chain is
    // whole, the anchor is not.
    sqlx::query("DELETE FROM audit_log WHERE seq > 7")
        .execute(db.pool())
        .await
        .unwrap();
    let h: String = sqlx::query_scalar("SELECT hash FROM audit_log WHERE seq = 7")
        .fetch_one(db.pool())
        .await
        .unwrap();
    sqlx::query("UPDATE audit_head SET seq = 7, last_hash = $1 WHERE id = 1")
        .bind(&h)
        .execute(db.pool())
        .await
        .unwrap();
    assert_eq!(
        db.verify_audit_chain().await.unwrap(),
        ChainStatus::Intact { entries: 7 }
    );
    assert!(matches!(
        db.verify_audit_with_anchors(&[anchor]).await.unwrap(),
        ChainStatus::Broken { seq: 8, .. }
    ));
}
