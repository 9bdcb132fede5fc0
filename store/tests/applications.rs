//! Drafts, autosave revisions, one open application per organisation, and submission.

use domain::lifecycle::{Action, Facts, State};
use store::applications::SaveOutcome;
use store::audit::AuditEvent;
use testkit::fresh_db;

async fn setup(db: &store::Store) -> (i64, i64, i64, i64) {
    db.seed_reference_data().await.unwrap();
    let account = db
        .create_organisation_account(
            &store::accounts::NewOrganisation {
                credit_code: "91110000802100433B",
                name: "放心超市",
                category_code: "unit",
                area_code: "341721100",
                contact_name: "王芳",
                contact_mobile: "13812345678",
                password_hash: "x",
            },
            &store::audit::AuditEvent::default(),
        )
        .await
        .unwrap();
    let org = db
        .account(account)
        .await
        .unwrap()
        .unwrap()
        .organisation_id
        .unwrap();
    let batch = db.open_batch("341721").await.unwrap().unwrap().id;
    let set = db.indicator_set(batch, "unit").await.unwrap().unwrap().id;
    (account, org, batch, set)
}

#[tokio::test]
async fn autosave_moves_the_revision_and_refuses_stale_writes() {
    let db = fresh_db().await;
    let (_, org, batch, set) = setup(&db).await;
    let id = db
        .create_draft(org, batch, "unit", set, None)
        .await
        .unwrap();
    assert_eq!(
        db.save_draft(id, 0, "identity", r#"{"name":"放心超市"}"#)
            .await
            .unwrap(),
        SaveOutcome::Saved { revision: 1 }
    );
    assert_eq!(
        db.save_draft(id, 1, "facts", r#"{"name":"放心超市","area":"500"}"#)
            .await
            .unwrap(),
        SaveOutcome::Saved { revision: 2 }
    );
    // A phone that last saw revision 1 tries to write: refused, told to reload.
    assert_eq!(
        db.save_draft(id, 1, "identity", "{}").await.unwrap(),
        SaveOutcome::Stale {
            current_revision: 2
        }
    );
    let app = db.application(id).await.unwrap().unwrap();
    assert_eq!((app.step.as_str(), app.revision), ("facts", 2));
    assert!(app.data.contains("500"));
}

#[tokio::test]
async fn one_open_application_per_organisation_batch_and_category() {
    let db = fresh_db().await;
    let (_, org, batch, set) = setup(&db).await;
    let first = db
        .create_draft(org, batch, "unit", set, None)
        .await
        .unwrap();
    let again = db
        .create_draft(org, batch, "unit", set, None)
        .await
        .unwrap_err();
    assert!(matches!(again, store::StoreError::Duplicate(_)), "{again}");
    // Another category is a different application.
    let street_set = db.indicator_set(batch, "street").await.unwrap().unwrap().id;
    db.create_draft(org, batch, "street", street_set, None)
        .await
        .unwrap();
    // Once the first ends for good, a new one may start.
    db.submit_application(first, 0, 1, &store::audit::AuditEvent::default())
        .await
        .unwrap();
    let failed_before = Facts {
        failed_before: true,
        ..Default::default()
    };
    for (from, action) in [
        (State::Submitted, Action::TownshipPass),
        (State::CountyReview, Action::PanelFail),
    ] {
        assert!(db
            .apply_action(first, from, action, &failed_before, &AuditEvent::default())
            .await
            .unwrap());
    }
    db.create_draft(org, batch, "unit", set, None)
        .await
        .unwrap();
}

#[tokio::test]
async fn submission_locks_and_keeps_a_snapshot_of_exactly_what_was_reviewed() {
    let db = fresh_db().await;
    let (account, org, batch, set) = setup(&db).await;
    let id = db
        .create_draft(org, batch, "unit", set, None)
        .await
        .unwrap();
    db.save_draft(id, 0, "review", r#"{"pledge":true}"#)
        .await
        .unwrap();
    assert!(
        !db.submit_application(id, 0, account, &store::audit::AuditEvent::default())
            .await
            .unwrap(),
        "stale revision"
    );
    assert!(db
        .submit_application(id, 1, account, &store::audit::AuditEvent::default())
        .await
        .unwrap());
    assert_eq!(
        db.save_draft(id, 1, "identity", "{}").await.unwrap(),
        SaveOutcome::Locked
    );
    let snaps = db.application_snapshots(id).await.unwrap();
    assert_eq!(snaps.len(), 1);
    assert_eq!((snaps[0].0, snaps[0].1.as_str()), (1, r#"{"pledge":true}"#));
    assert_eq!(
        db.application(id).await.unwrap().unwrap().state,
        domain::lifecycle::State::Submitted
    );
    // A stale state change is refused.
    assert!(!db
        .apply_action(
            id,
            State::Draft,
            Action::Submit,
            &Facts::default(),
            &AuditEvent::default()
        )
        .await
        .unwrap());
    // A move the lifecycle does not allow is refused whatever the stored state.
    assert!(db
        .apply_action(
            id,
            State::Submitted,
            Action::Recognise,
            &Facts::default(),
            &AuditEvent::default()
        )
        .await
        .is_err());
}

#[tokio::test]
async fn evidence_counts_towards_the_limit_and_is_frozen_with_the_application() {
    let db = fresh_db().await;
    let (account, org, batch, set) = setup(&db).await;
    let id = db
        .create_draft(org, batch, "unit", set, None)
        .await
        .unwrap();
    assert_eq!(db.evidence_bytes(id).await.unwrap(), 0);
    let new = |slot: &'static str, size: i64| store::evidence::NewEvidence {
        application_id: id,
        slot,
        object_key: "ab",
        media_type: "application/pdf",
        size_bytes: size,
        original_name: "执照.pdf",
        uploaded_by: account,
    };
    let first = db
        .add_evidence(
            &new("licence", 3_000_000),
            &store::audit::AuditEvent::default(),
        )
        .await
        .unwrap();
    let second = db
        .add_evidence(
            &new("item0", 5_000_000_000),
            &store::audit::AuditEvent::default(),
        )
        .await
        .unwrap();
    assert_eq!(db.evidence_bytes(id).await.unwrap(), 5_003_000_000);
    let files = db.evidence_of(id).await.unwrap();
    assert_eq!(files.len(), 2);
    assert_eq!(files[0].original_name, "执照.pdf");
    assert!(db
        .remove_evidence(second, id, &store::audit::AuditEvent::default())
        .await
        .unwrap());
    assert!(
        !db.remove_evidence(second, id, &store::audit::AuditEvent::default())
            .await
            .unwrap(),
        "already removed"
    );
    assert!(db.evidence_file(second).await.unwrap().is_none());
    assert_eq!(db.evidence_bytes(id).await.unwrap(), 3_000_000);
    assert!(
        !db.remove_evidence(first, id + 1, &store::audit::AuditEvent::default())
            .await
            .unwrap(),
        "another application's file"
    );

    db.submit_application(id, 0, account, &store::audit::AuditEvent::default())
        .await
        .unwrap();
    assert!(
        !db.remove_evidence(first, id, &store::audit::AuditEvent::default())
            .await
            .unwrap(),
        "submitted: frozen"
    );
}

#[tokio::test]
async fn starting_an_application_freezes_its_indicator_set_and_an_agent_hands_over() {
    let db = fresh_db().await;
    let (_, org, batch, set) = setup(&db).await;
    assert!(!db.indicator_set_by_id(set).await.unwrap().unwrap().frozen);
    let street = db
        .create_organisation_account(
            &store::accounts::NewOrganisation {
                credit_code: "12341721MB1D7E3Y0L",
                name: "老街管理办",
                category_code: "street",
                area_code: "341721100",
                contact_name: "张伟",
                contact_mobile: "13812345679",
                password_hash: "x",
            },
            &store::audit::AuditEvent::default(),
        )
        .await
        .unwrap();
    let street_org = db
        .account(street)
        .await
        .unwrap()
        .unwrap()
        .organisation_id
        .unwrap();
    let id = db
        .start_application(
            &store::applications::NewApplication {
                organisation_id: org,
                batch_id: batch,
                category: "unit",
                indicator_set_id: set,
                prepared_by: Some(street),
                agent_organisation_id: Some(street_org),
                data: r#"{"identity":{"registered_name":"放心超市"}}"#,
            },
            &store::audit::AuditEvent::default(),
        )
        .await
        .unwrap();
    let frozen = db.indicator_set_by_id(set).await.unwrap().unwrap();
    assert!(
        frozen.frozen,
        "the set an application uses cannot change any more"
    );
    assert!(db
        .revise_indicator_set(
            batch,
            "unit",
            &frozen.rules,
            &frozen.items,
            &store::audit::AuditEvent::default()
        )
        .await
        .is_err());
    let app = db.application(id).await.unwrap().unwrap();
    assert_eq!(app.agent_organisation_id, Some(street_org));
    assert!(app.data.contains("放心超市"));
    assert_eq!(
        db.applications_prepared_by(street_org).await.unwrap().len(),
        1
    );
    assert!(db
        .hand_over(id, &store::audit::AuditEvent::default())
        .await
        .unwrap());
    assert!(
        !db.hand_over(id, &store::audit::AuditEvent::default())
            .await
            .unwrap(),
        "only once"
    );
    assert!(db
        .application(id)
        .await
        .unwrap()
        .unwrap()
        .handed_over_at
        .is_some());
    assert!(db
        .organisation_by_credit_code("91110000802100433B")
        .await
        .unwrap()
        .is_some());
}

/// Dashboards and cached public pages listen to the live channel; a draft's autosave,
/// which none of them shows, must not wake them. Submission, which they count, does.
#[tokio::test]
async fn a_drafts_autosave_is_not_announced_and_its_submission_is() {
    use std::time::Duration;
    let db = fresh_db().await;
    let (account, org, batch, set) = setup(&db).await;
    let (tx, mut rx) = tokio::sync::broadcast::channel(16);
    let watcher = {
        let store = db.store.clone();
        tokio::spawn(async move { store.watch_changes(tx).await })
    };
    // Let the watcher take its starting point (SQLite) or LISTEN (PostgreSQL).
    tokio::time::sleep(Duration::from_millis(400)).await;
    while rx.try_recv().is_ok() {}

    let id = db
        .create_draft(org, batch, "unit", set, None)
        .await
        .unwrap();
    for revision in 0..3 {
        let saved = db
            .save_draft(id, revision, "identity", &format!(r#"{{"n":{revision}}}"#))
            .await
            .unwrap();
        assert_eq!(
            saved,
            SaveOutcome::Saved {
                revision: revision + 1
            }
        );
    }
    let quiet = tokio::time::timeout(Duration::from_millis(600), rx.recv()).await;
    assert!(
        quiet.is_err(),
        "a draft and its autosaves were announced: {quiet:?}"
    );

    assert!(db
        .submit_application(id, 3, account, &store::audit::AuditEvent::default())
        .await
        .unwrap());
    let heard = tokio::time::timeout(Duration::from_secs(2), rx.recv()).await;
    assert!(heard.is_ok(), "the submission was not announced within 2 s");
    watcher.abort();
}

/// Removes the audit chain's head row, so no entry can be appended; returns it for
/// `mend_audit_chain`.
async fn break_audit_chain(db: &store::Store) -> (i64, String) {
    use sqlx::Row;
    let r = sqlx::query("SELECT seq, last_hash FROM audit_head WHERE id = 1")
        .fetch_one(db.pool())
        .await
        .unwrap();
    sqlx::query("DELETE FROM audit_head")
        .execute(db.pool())
        .await
        .unwrap();
    (r.get(0), r.get(1))
}

async fn mend_audit_chain(db: &store::Store, (seq, last_hash): (i64, String)) {
    sqlx::query("INSERT INTO audit_head (id, seq, last_hash) VALUES (1, $1, $2)")
        .bind(seq)
        .bind(last_hash)
        .execute(db.pool())
        .await
        .unwrap();
}

/// A state change and its audit entry commit together: when the audit entry cannot be
/// written, the application stays where it was (and nothing else of the change stays).
#[tokio::test]
async fn a_state_change_whose_audit_entry_fails_is_not_made() {
    let db = fresh_db().await;
    let (account, org, batch, set) = setup(&db).await;
    let id = db
        .create_draft(org, batch, "unit", set, None)
        .await
        .unwrap();
    let event = AuditEvent {
        actor: "91110000802100433B".into(),
        role: "applicant".into(),
        action: "application.submit".into(),
        target: format!("application:{id}"),
        ..Default::default()
    };
    let head = break_audit_chain(&db).await;
    assert!(db.submit_application(id, 0, account, &event).await.is_err());
    let app = db.application(id).await.unwrap().unwrap();
    assert_eq!((app.state, app.submitted_at), (State::Draft, None));
    assert!(db.application_snapshots(id).await.unwrap().is_empty());

    // With the head back, the same submission goes through with its entry.
    mend_audit_chain(&db, head).await;
    assert!(db.submit_application(id, 0, account, &event).await.unwrap());
    let entries = db
        .audit_entries(&store::audit::AuditFilter {
            action: Some("application.submit".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].event.target, format!("application:{id}"));
    assert!(matches!(
        db.verify_audit_chain().await.unwrap(),
        store::audit::ChainStatus::Intact { .. }
    ));
}

/// The same holds for changes that move no state: a settings change, an uploaded file
/// and a new account are made together with their audit entry or not at all.
#[tokio::test]
async fn settings_files_and_accounts_whose_audit_entry_fails_are_not_made() {
    let db = fresh_db().await;
    let (account, org, batch, set) = setup(&db).await;
    let id = db
        .create_draft(org, batch, "unit", set, None)
        .await
        .unwrap();
    let event = AuditEvent {
        actor: "admin".into(),
        action: "settings.change".into(),
        ..Default::default()
    };
    break_audit_chain(&db).await;

    let pairs = [("complaints.alert_days", "9".to_string())];
    assert!(db.set_settings(&pairs, &event).await.is_err());
    assert_eq!(db.setting("complaints.alert_days").await.unwrap(), None);

    let file = store::evidence::NewEvidence {
        application_id: id,
        slot: "licence",
        object_key: "ab",
        media_type: "application/pdf",
        size_bytes: 10,
        original_name: "执照.pdf",
        uploaded_by: account,
    };
    assert!(db.add_evidence(&file, &event).await.is_err());
    assert!(db.evidence_of(id).await.unwrap().is_empty());

    let merchant = store::accounts::NewOrganisation {
        credit_code: "91340000MA2N0X0X0X",
        name: "另一家店",
        category_code: "unit",
        area_code: "341721100",
        contact_name: "李明",
        contact_mobile: "13812345679",
        password_hash: "x",
    };
    assert!(db
        .create_organisation_account(&merchant, &event)
        .await
        .is_err());
    assert!(db
        .account_by_login("91340000MA2N0X0X0X")
        .await
        .unwrap()
        .is_none());
    assert!(db
        .organisation_by_credit_code("91340000MA2N0X0X0X")
        .await
        .unwrap()
        .is_none());
}
