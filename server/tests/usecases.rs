//! The use-case layer (`app::usecases`) read as the rules it keeps: who may take a step,
//! what a refused step leaves behind (nothing), and that a step taken writes its audit
//! entry naming the actor. Runs on SQLite and PostgreSQL.

use app::accounts::{CurrentUser, Stage};
use app::usecases::applications::{submit, Finished};
use app::usecases::township::{decide, TownshipDecision, TownshipOutcome};
use app::usecases::Actor;
use domain::lifecycle::State;
use domain::Role;
use store::audit::{AuditEvent, AuditFilter};
use store::reviews::Decision;
use testkit::fresh_db;

/// A staff account of `role` in `area`, acting as a signed-in user from 203.0.113.7.
async fn staff(db: &store::Store, login: &str, role: Role, area: &str) -> Actor {
    let id = db
        .create_staff_account(
            &store::accounts::NewStaff {
                login,
                display_name: login,
                role: role.code(),
                area_code: area,
                member_unit_code: None,
                mobile: "13800000000",
                password_hash: "x",
            },
            &AuditEvent::default(),
        )
        .await
        .unwrap();
    actor(id, login, role, area)
}

fn actor(account_id: i64, login: &str, role: Role, area: &str) -> Actor {
    Actor::new(
        CurrentUser {
            account_id,
            login: login.into(),
            display_name: login.into(),
            role,
            area_code: area.into(),
            stage: Stage::Full,
            totp_enrolled: true,
            token_hash: String::new(),
        },
        "203.0.113.7".into(),
    )
}

/// A merchant of 尧渡镇 (341721100) with an empty draft: (its actor, the application).
async fn merchant_with_draft(db: &store::Store) -> (Actor, i64) {
    let code = "91341721MA2NXXXX1L";
    let account = db
        .create_organisation_account(
            &store::accounts::NewOrganisation {
                credit_code: code,
                name: "用例测试店",
                category_code: "unit",
                area_code: "341721100",
                contact_name: "王芳",
                contact_mobile: "13812345678",
                password_hash: "x",
            },
            &AuditEvent::default(),
        )
        .await
        .unwrap();
    let org = db.account(account).await.unwrap().unwrap();
    let batch = db.open_batch("341721").await.unwrap().unwrap().id;
    let set = db.indicator_set(batch, "unit").await.unwrap().unwrap().id;
    let id = db
        .create_draft(org.organisation_id.unwrap(), batch, "unit", set, None)
        .await
        .unwrap();
    (actor(account, code, Role::Applicant, "341721100"), id)
}

async fn entries(db: &store::Store, action: &str) -> Vec<AuditEvent> {
    db.audit_entries(&AuditFilter {
        action: Some(action.into()),
        limit: 100,
        ..Default::default()
    })
    .await
    .unwrap()
    .into_iter()
    .map(|e| e.event)
    .collect()
}

fn decision(id: i64, decision: Decision, summary: &str) -> TownshipDecision {
    TownshipDecision {
        application_id: id,
        decision,
        summary: summary.into(),
        checklist: [("materials", true)].into_iter().collect(),
        comments: Default::default(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_incomplete_application_is_not_submitted() {
    let db = fresh_db().await;
    db.seed_reference_data().await.unwrap();
    let (merchant, id) = merchant_with_draft(&db).await;
    let out = submit(&db, &merchant, id, 0).await.unwrap();
    assert_eq!(out, Finished::NotReady);
    assert_eq!(
        db.application(id).await.unwrap().unwrap().state,
        State::Draft
    );
    assert!(entries(&db, "application.submit").await.is_empty());
    // Nor by anyone but the merchant.
    let other = staff(&db, "office", Role::CountyOffice, "341721").await;
    assert!(submit(&db, &other, id, 0).await.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_applicants_own_township_decides_and_only_once() {
    let db = fresh_db().await;
    db.seed_reference_data().await.unwrap();
    let (merchant, id) = merchant_with_draft(&db).await;
    // Submitted through the store: the draft is empty, and this test is about the township.
    assert!(db
        .submit_application(id, 0, merchant.user.account_id, &AuditEvent::default())
        .await
        .unwrap());
    let own = staff(&db, "yaodu", Role::TownshipReviewer, "341721100").await;
    let other = staff(&db, "other-town", Role::TownshipReviewer, "341721101").await;

    // Another township's reviewer is refused, and nothing changes.
    assert!(decide(&db, &other, &decision(id, Decision::Pass, "推荐"))
        .await
        .is_err());
    // An opinion is required.
    assert_eq!(
        decide(&db, &own, &decision(id, Decision::Pass, "   "))
            .await
            .unwrap(),
        TownshipOutcome::NoSummary
    );
    assert_eq!(
        db.application(id).await.unwrap().unwrap().state,
        State::Submitted
    );
    assert!(entries(&db, "township_review.pass").await.is_empty());

    // The application's own township recommends it: on to the county, audited as them.
    assert_eq!(
        decide(
            &db,
            &own,
            &decision(id, Decision::Pass, "材料齐全，推荐参评。")
        )
        .await
        .unwrap(),
        TownshipOutcome::Decided(Decision::Pass)
    );
    assert_eq!(
        db.application(id).await.unwrap().unwrap().state,
        State::CountyReview
    );
    let audited = entries(&db, "township_review.pass").await;
    assert_eq!(audited.len(), 1, "{audited:?}");
    assert_eq!(audited[0].actor, "yaodu");
    assert_eq!(audited[0].client_addr, "203.0.113.7");
    assert_eq!(audited[0].target, format!("application:{id}"));

    // A second decision (a stale page, a second tab) changes nothing.
    assert_eq!(
        decide(&db, &own, &decision(id, Decision::Return, "退回"))
            .await
            .unwrap(),
        TownshipOutcome::NotWaiting
    );
    assert_eq!(
        db.application(id).await.unwrap().unwrap().state,
        State::CountyReview
    );
    assert!(entries(&db, "township_review.return").await.is_empty());
}
