//! Accounts, sessions, lockout counting and rate-limit counters on a real database.

use chrono::{Duration, TimeZone, Utc};
use store::accounts::{FailureOutcome, NewOrganisation, NewStaff};
use testkit::fresh_db;

async fn staff(db: &store::Store, login: &str) -> i64 {
    db.create_staff_account(
        &NewStaff {
            login,
            display_name: "周敏",
            role: "township_reviewer",
            area_code: "341721100",
            member_unit_code: None,
            mobile: "13800000000",
            password_hash: "hash",
        },
        &store::audit::AuditEvent::default(),
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn an_organisation_and_its_account_are_created_together_and_once() {
    let db = fresh_db().await;
    db.seed_reference_data().await.unwrap();
    let o = NewOrganisation {
        credit_code: "91110000802100433B",
        name: "放心超市",
        category_code: "unit",
        area_code: "341721100",
        contact_name: "王芳",
        contact_mobile: "13812345678",
        password_hash: "hash",
    };
    let id = db
        .create_organisation_account(&o, &store::audit::AuditEvent::default())
        .await
        .unwrap();
    let account = db.account(id).await.unwrap().unwrap();
    assert_eq!(account.role, "applicant");
    assert!(!account.must_change_password);
    let org = db
        .organisation(account.organisation_id.unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(org.name, "放心超市");
    let again = db
        .create_organisation_account(&o, &store::audit::AuditEvent::default())
        .await
        .unwrap_err();
    assert!(matches!(again, store::StoreError::Duplicate(_)), "{again}");
    assert_eq!(db.organisations_under("341721100").await.unwrap().len(), 1);
    assert_eq!(db.organisations_under("341721101").await.unwrap().len(), 0);
    assert_eq!(db.organisations_under("341721").await.unwrap().len(), 1);
}

#[tokio::test]
async fn five_failures_within_fifteen_minutes_lock_the_account() {
    let db = fresh_db().await;
    db.seed_reference_data().await.unwrap();
    let id = staff(&db, "yaodu").await;
    let t0 = Utc.with_ymd_and_hms(2026, 11, 27, 9, 0, 0).unwrap();
    let (window, lock) = (Duration::minutes(15), Duration::minutes(15));
    for i in 1..=4 {
        let out = db
            .record_login_failure(id, t0 + Duration::minutes(i), window, 5, lock)
            .await
            .unwrap();
        assert_eq!(out, FailureOutcome::Counted { failures: i });
    }
    let out = db
        .record_login_failure(id, t0 + Duration::minutes(5), window, 5, lock)
        .await
        .unwrap();
    assert_eq!(
        out,
        FailureOutcome::LockedUntil("2026-11-27T09:20:00.000000Z".into())
    );
    assert!(db
        .account(id)
        .await
        .unwrap()
        .unwrap()
        .locked_until
        .is_some());
    db.clear_login_failures(id).await.unwrap();
    assert_eq!(db.account(id).await.unwrap().unwrap().locked_until, None);
}

#[tokio::test]
async fn failures_spread_over_more_than_the_window_start_counting_again() {
    let db = fresh_db().await;
    db.seed_reference_data().await.unwrap();
    let id = staff(&db, "dongliu").await;
    let t0 = Utc.with_ymd_and_hms(2026, 11, 27, 9, 0, 0).unwrap();
    let (window, lock) = (Duration::minutes(15), Duration::minutes(15));
    for i in 0..4 {
        db.record_login_failure(id, t0 + Duration::minutes(i), window, 5, lock)
            .await
            .unwrap();
    }
    let out = db
        .record_login_failure(id, t0 + Duration::minutes(16), window, 5, lock)
        .await
        .unwrap();
    assert_eq!(out, FailureOutcome::Counted { failures: 1 });
}

#[tokio::test]
async fn sessions_live_in_the_database_and_end_everywhere() {
    let db = fresh_db().await;
    db.seed_reference_data().await.unwrap();
    let id = staff(&db, "office").await;
    for t in ["a", "b", "c"] {
        db.create_session(t, id, "full", "2099-01-01T00:00:00.000000Z", "127.0.0.1")
            .await
            .unwrap();
    }
    db.set_session_stage("a", "enrol_totp").await.unwrap();
    assert_eq!(db.session("a").await.unwrap().unwrap().stage, "enrol_totp");
    db.delete_session("a").await.unwrap();
    assert_eq!(db.session("a").await.unwrap(), None);
    assert_eq!(db.delete_sessions_of(id).await.unwrap(), 2);
    assert_eq!(db.session("b").await.unwrap(), None);
}

#[tokio::test]
async fn a_password_reset_ends_every_session_and_says_how_many_in_its_audit_entry() {
    let db = fresh_db().await;
    db.seed_reference_data().await.unwrap();
    let id = staff(&db, "clerk").await;
    for t in ["a", "b"] {
        db.create_session(t, id, "full", "2099-01-01T00:00:00.000000Z", "127.0.0.1")
            .await
            .unwrap();
    }
    let lock = Duration::minutes(15);
    let t0 = Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap();
    db.record_login_failure(id, t0, Duration::minutes(15), 5, lock)
        .await
        .unwrap();
    let event = store::audit::AuditEvent {
        action: "account.password_reset".into(),
        summary: "change required".into(),
        ..Default::default()
    };
    assert_eq!(db.reset_password(id, "new-hash", &event).await.unwrap(), 2);
    assert_eq!(db.session("b").await.unwrap(), None);
    let account = db.account(id).await.unwrap().unwrap();
    assert_eq!(account.password_hash, "new-hash");
    assert!(account.must_change_password);
    // The earlier failure is forgotten: the next one is the first of a new window.
    let next = db
        .record_login_failure(
            id,
            t0 + Duration::minutes(1),
            Duration::minutes(15),
            5,
            lock,
        )
        .await
        .unwrap();
    assert_eq!(next, FailureOutcome::Counted { failures: 1 });
    let entries = db
        .audit_entries(&store::audit::AuditFilter {
            action: Some("account.password_reset".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(
        entries[0].event.summary,
        "change required; sessions ended=2"
    );
}

#[tokio::test]
async fn totp_steps_cannot_be_replayed() {
    let db = fresh_db().await;
    db.seed_reference_data().await.unwrap();
    let id = staff(&db, "auditor").await;
    db.set_totp_secret(id, "MZXW6YTBOI").await.unwrap();
    assert!(db
        .use_totp_step(id, 100, &store::audit::AuditEvent::default())
        .await
        .unwrap());
    assert!(db.account(id).await.unwrap().unwrap().totp_enrolled);
    assert!(
        !db.use_totp_step(id, 100, &store::audit::AuditEvent::default())
            .await
            .unwrap(),
        "same step again"
    );
    assert!(
        !db.use_totp_step(id, 99, &store::audit::AuditEvent::default())
            .await
            .unwrap(),
        "an older step"
    );
    assert!(db
        .use_totp_step(id, 101, &store::audit::AuditEvent::default())
        .await
        .unwrap());
}

#[tokio::test]
async fn rate_limit_counters_are_exact_under_concurrency() {
    let db = fresh_db().await;
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let store = db.store.clone();
        tasks.push(tokio::spawn(async move {
            let mut allowed = 0;
            for _ in 0..10 {
                if store
                    .rate_limit_hit("login:10.0.0.1", 42, 50)
                    .await
                    .unwrap()
                {
                    allowed += 1;
                }
            }
            allowed
        }));
    }
    let mut allowed = 0;
    for t in tasks {
        allowed += t.await.unwrap();
    }
    assert_eq!(allowed, 50, "exactly the limit passes out of 80 hits");
    assert!(db.rate_limit_hit("login:10.0.0.2", 42, 50).await.unwrap());
}
