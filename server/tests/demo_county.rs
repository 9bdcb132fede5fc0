//! The demo county (`fangxin-tools seed-demo`, apart from the product): it loads once,
//! a second run changes nothing, and every step it takes is in an intact audit chain.

use testkit::fresh_db;
use tools::demo::{seed_demo, DemoOutcome};

#[tokio::test]
async fn the_demo_county_loads_once_with_an_intact_audit_chain() {
    let db = fresh_db().await;
    db.seed_reference_data().await.unwrap();
    let files = tempfile::tempdir().unwrap();
    let objects = store::objects::ObjectStore::LocalDir(files.path().to_path_buf());

    assert_eq!(seed_demo(&db, &objects).await.unwrap(), DemoOutcome::Loaded);
    let office = db.account_by_login("office").await.unwrap().unwrap();
    assert_eq!(office.role, "county_office");
    let accounts = db.accounts_under("").await.unwrap().len();
    let entries = match db.verify_audit_chain().await.unwrap() {
        store::audit::ChainStatus::Intact { entries } => entries,
        broken => panic!("the demo county broke the audit chain: {broken:?}"),
    };
    assert!(entries > 0, "the demo's steps are audited");

    // Idempotent: run again (as `./scripts/run.sh` does on every start), nothing changes.
    assert_eq!(
        seed_demo(&db, &objects).await.unwrap(),
        DemoOutcome::AlreadyPresent
    );
    assert_eq!(db.accounts_under("").await.unwrap().len(), accounts);
    assert!(matches!(
        db.verify_audit_chain().await.unwrap(),
        store::audit::ChainStatus::Intact { entries: e } if e == entries
    ));
}
