//! The audit trail detects any change or removal of its rows, on both databases.

use store::audit::{AuditEvent, AuditFilter, ChainStatus};
use store::testing::fresh_db;

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
