//! The use-case layer (`app::usecases`) read as the rules it keeps: who may take a step,
//! what a refused step leaves behind (nothing), and that a step taken writes its audit
//! entry naming the actor. Runs on SQLite and PostgreSQL.

mod accounts;
mod county_desk;
mod public_and_applicants;
mod roles;

use app::accounts::{CurrentUser, Stage};
use app::review::indicator_sets::ssr::form_of;
use app::usecases::applications::{submit, Finished};
use app::usecases::batches::{plan, set_status, Planned, PlannedBatch, StatusChanged};
use app::usecases::indicator_sets::{save, SetChange, SetSaved};
use app::usecases::township::{decide, TownshipDecision, TownshipOutcome};
use app::usecases::Actor;
use domain::lifecycle::State;
use domain::Role;
use store::audit::{AuditEvent, AuditFilter};
use store::reviews::Decision;
use store::BatchStatus;
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

/// The merchant's draft, submitted through the store (it is empty: the tests using it
/// are about the steps after submission): the application.
async fn submitted_application(db: &store::Store) -> i64 {
    let (merchant, id) = merchant_with_draft(db).await;
    assert!(db
        .submit_application(id, 0, merchant.user.account_id, &AuditEvent::default())
        .await
        .unwrap());
    id
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
    let id = submitted_application(&db).await;
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

fn batch_named(name: &str, opens: &str) -> PlannedBatch {
    PlannedBatch {
        name_zh: name.into(),
        name_en: String::new(),
        windows: domain::batch::Windows {
            application_opens: opens.into(),
            application_closes: "2028-03-31".into(),
            review_opens: "2028-04-01".into(),
            review_closes: "2028-09-30".into(),
        },
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_county_office_plans_opens_and_closes_batches_one_open_at_a_time() {
    let db = fresh_db().await;
    db.seed_reference_data().await.unwrap();
    let office = staff(&db, "office", Role::CountyOffice, "341721").await;
    let township = staff(&db, "yaodu", Role::TownshipReviewer, "341721100").await;
    let before = db.batches("341721").await.unwrap().len();

    // Only the county office plans one; a batch with its dates out of order is not kept.
    assert!(plan(&db, &township, &batch_named("2027批次", "2027-09-01"))
        .await
        .is_err());
    assert_eq!(
        plan(&db, &office, &batch_named("2027批次", "2029-01-01"))
            .await
            .unwrap(),
        Planned::Invalid
    );
    assert_eq!(db.batches("341721").await.unwrap().len(), before);
    assert!(entries(&db, "batch.create").await.is_empty());

    let Planned::Created(id) = plan(&db, &office, &batch_named("2027批次", "2027-09-01"))
        .await
        .unwrap()
    else {
        panic!("a valid batch is planned");
    };
    let planned = db.batch(id).await.unwrap().unwrap();
    assert_eq!(planned.status, BatchStatus::Planned);
    assert_eq!(
        planned.name_en, "2027批次",
        "the Chinese name stands in for an empty English one"
    );
    assert!(db.indicator_set(id, "unit").await.unwrap().is_some());
    assert_eq!(entries(&db, "batch.create").await[0].actor, "office");

    // One open batch per county: opening it while the first is open changes nothing.
    let first = db.open_batch("341721").await.unwrap().unwrap().id;
    assert_eq!(
        set_status(&db, &office, id, BatchStatus::Open)
            .await
            .unwrap(),
        StatusChanged::AnotherOpen
    );
    assert_eq!(
        db.batch(id).await.unwrap().unwrap().status,
        BatchStatus::Planned
    );
    // Closed → open is no step at all; a township reviewer may not close one.
    assert!(set_status(&db, &township, first, BatchStatus::Closed)
        .await
        .is_err());
    assert_eq!(
        set_status(&db, &office, first, BatchStatus::Closed)
            .await
            .unwrap(),
        StatusChanged::Changed
    );
    assert!(set_status(&db, &office, first, BatchStatus::Open)
        .await
        .is_err());
    assert_eq!(
        set_status(&db, &office, id, BatchStatus::Open)
            .await
            .unwrap(),
        StatusChanged::Changed
    );
    assert_eq!(db.open_batch("341721").await.unwrap().unwrap().id, id);
    let audited = entries(&db, "batch.status").await;
    assert_eq!(audited.len(), 2, "{audited:?}");
    assert!(audited.iter().all(|e| e.actor == "office"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_indicator_set_becomes_a_version_only_when_it_adds_up_and_until_it_is_used() {
    let db = fresh_db().await;
    db.seed_reference_data().await.unwrap();
    let office = staff(&db, "office", Role::CountyOffice, "341721").await;
    let township = staff(&db, "yaodu", Role::TownshipReviewer, "341721100").await;
    let batch = db.open_batch("341721").await.unwrap().unwrap().id;
    let set = db.indicator_set(batch, "street").await.unwrap().unwrap();
    let mut form = form_of(&set);

    assert!(save(
        &db,
        &township,
        "street",
        None,
        SetChange::Save(form.clone())
    )
    .await
    .is_err());
    // Basic items no longer add up to the basic points: kept as a draft, no new version.
    form.basic_points = (set.rules.basic_points + 7).to_string();
    assert_eq!(
        save(&db, &office, "street", None, SetChange::Save(form.clone()))
            .await
            .unwrap(),
        SetSaved::KeptToCheck
    );
    assert_eq!(
        db.indicator_set(batch, "street")
            .await
            .unwrap()
            .unwrap()
            .version,
        set.version
    );
    assert!(entries(&db, "indicators.revise").await.is_empty());

    // Mended, with one item's text changed: the next version, audited as the office.
    form.basic_points = set.rules.basic_points.to_string();
    form.rows[0].text_zh = "街区管理机构明确，制度健全（修订）".into();
    form.rows[0].text_en = String::new();
    assert_eq!(
        save(&db, &office, "street", None, SetChange::Save(form))
            .await
            .unwrap(),
        SetSaved::Revised(set.version + 1)
    );
    let revised = db.indicator_set(batch, "street").await.unwrap().unwrap();
    assert_eq!(
        revised.items[0].text_zh,
        "街区管理机构明确，制度健全（修订）"
    );
    assert_eq!(
        revised.items[0].text_en, revised.items[0].text_zh,
        "Chinese stands in for empty English"
    );
    assert_eq!(entries(&db, "indicators.revise").await[0].actor, "office");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tools_fixtures_take_the_products_own_steps_and_leave_their_audit_entries() {
    let db = fresh_db().await;
    db.seed_reference_data().await.unwrap();
    let files = tempfile::tempdir().unwrap();
    let objects = store::objects::ObjectStore::LocalDir(files.path().to_path_buf());
    let listed = tools::loadgen::ensure_recognised_units(&db, &objects, 2)
        .await
        .unwrap();
    assert_eq!(listed, 2);
    // Each step of the way, once per unit, by the tools (their audit entries' address).
    for (action, n) in [
        ("account.register", 2),
        ("application.start", 2),
        ("evidence.upload", 2),
        ("application.submit", 2),
        ("township_review.pass", 2),
        ("panel.score", 6),
        ("notice.publish", 1),
        ("notice.recognise", 1),
    ] {
        let done = entries(&db, action).await;
        assert_eq!(done.len(), n, "{action}: {done:?}");
        assert!(
            done.iter().all(|e| e.client_addr == "fangxin-tools"),
            "{action}"
        );
    }
    // The notice began 20 days ago (the office acted as of then), so it had ended when
    // the units were recognised today.
    let today = app::review::common::today(&db).await;
    let notices = entries(&db, "notice.publish").await;
    let started = (today - chrono::Duration::days(20))
        .format("%Y-%m-%d")
        .to_string();
    assert!(notices[0].summary.contains(&started), "{:?}", notices[0]);
    // Run again: nothing more is made.
    assert_eq!(
        tools::loadgen::ensure_recognised_units(&db, &objects, 2)
            .await
            .unwrap(),
        2
    );
    assert_eq!(entries(&db, "account.register").await.len(), 2);
}
