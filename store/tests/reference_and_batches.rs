//! The store's behaviour on a real database; the test script runs this file on SQLite
//! and again on PostgreSQL (`FANGXIN_TEST_DB=postgres`).

use store::BatchStatus;
use testkit::fresh_db;

#[tokio::test]
async fn migrations_are_idempotent() {
    let db = fresh_db().await;
    db.migrate().await.unwrap();
    db.migrate().await.unwrap();
    db.ping().await.unwrap();
}

#[tokio::test]
async fn reference_data_builds_the_area_tree() {
    let db = fresh_db().await;
    db.seed_reference_data().await.unwrap();
    // Seeding twice changes nothing and does not fail.
    db.seed_reference_data().await.unwrap();

    let provinces = db.area_children(None).await.unwrap();
    assert_eq!(provinces.len(), 1);
    assert_eq!(provinces[0].name_zh, "安徽省");

    let counties = db.area_children(Some("3417")).await.unwrap();
    assert!(counties.iter().any(|c| c.name_zh == "东至县"));

    let townships = db.area_children(Some("341721")).await.unwrap();
    assert_eq!(townships.len(), 17, "15 townships and 2 development zones");
    assert_eq!(townships[0].name_zh, "尧渡镇");
    assert!(townships.iter().all(|t| t.level == "township"));
    assert!(townships.iter().any(|t| t.code == "341721401"));

    let yaodu = db.area("341721100").await.unwrap().unwrap();
    assert_eq!(yaodu.parent_code.as_deref(), Some("341721"));
    assert_eq!(db.area("999999").await.unwrap(), None);
}

#[tokio::test]
async fn categories_and_member_units_follow_the_plan() {
    let db = fresh_db().await;
    db.seed_reference_data().await.unwrap();
    let categories = db.categories().await.unwrap();
    let codes: Vec<_> = categories.iter().map(|c| c.code.as_str()).collect();
    assert_eq!(codes, ["unit", "street", "association", "village"]);
    assert_eq!(categories[1].name_zh, "放心消费示范街区");
    assert!(categories[1].description_zh.contains("赔偿先付"));

    let street = db.member_units_for("street").await.unwrap();
    assert_eq!(street[0].name_zh, "县市场监管局");
    assert_eq!(street[0].role, "lead");
    let names: Vec<_> = street.iter().map(|m| m.name_zh.as_str()).collect();
    assert_eq!(names, ["县市场监管局", "县科经局", "县文旅局"]);

    let association = db.member_units_for("association").await.unwrap();
    assert!(association.iter().any(|m| m.name_zh == "县民政局"));
    assert_eq!(association.len(), 8);
}

#[tokio::test]
async fn a_new_installation_has_one_open_batch() {
    let db = fresh_db().await;
    assert_eq!(db.open_batch("341721").await.unwrap(), None);
    db.seed_reference_data().await.unwrap();
    let open = db
        .open_batch("341721")
        .await
        .unwrap()
        .expect("an open batch");
    assert_eq!(open.status, BatchStatus::Open);
    assert!(open.application_opens < open.application_closes);
    // A second start does not add another.
    db.seed_reference_data().await.unwrap();
    assert_eq!(db.batches("341721").await.unwrap().len(), 1);
}

#[tokio::test]
async fn demo_data_loads_once() {
    let db = fresh_db().await;
    assert_eq!(
        db.seed_demo().await.unwrap(),
        store::demo::DemoOutcome::Loaded
    );
    assert_eq!(
        db.seed_demo().await.unwrap(),
        store::demo::DemoOutcome::AlreadyPresent
    );
    let batches = db.batches("341721").await.unwrap();
    assert_eq!(batches.len(), 2);
    assert_eq!(batches[0].status, BatchStatus::Open, "newest first");
    assert_eq!(batches[1].status, BatchStatus::Closed);
}

#[tokio::test]
async fn settings_upsert() {
    let db = fresh_db().await;
    assert_eq!(db.setting("x").await.unwrap(), None);
    db.set_setting("x", "1").await.unwrap();
    db.set_setting("x", "2").await.unwrap();
    assert_eq!(db.setting("x").await.unwrap().as_deref(), Some("2"));
}

#[tokio::test]
async fn unique_violations_are_recognised() {
    let db = fresh_db().await;
    db.seed_reference_data().await.unwrap();
    let err = sqlx::query("INSERT INTO categories (code, name_zh, name_en, description_zh, description_en) VALUES ('unit', 'a', 'b', 'c', 'd')")
        .execute(db.pool())
        .await
        .map_err(store::StoreError::from)
        .unwrap_err();
    assert!(matches!(err, store::StoreError::Duplicate(_)), "{err}");
}
