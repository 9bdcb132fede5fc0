//! The demo county (`fangxin-tools seed-demo`, apart from the product): it loads once,
//! a second run changes nothing, and every step it takes is in an intact audit chain,
//! taken through the product's use cases by the person whose step it is.

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
    demo_steps_are_taken_by_the_people_whose_step_it_is(&db).await;

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

/// Who took each kind of step, by login (the demo's own history from before the product
/// is the demo seeding's, "demo-seed").
async fn actors(db: &store::Store, action: &str) -> std::collections::BTreeMap<String, usize> {
    let mut by = std::collections::BTreeMap::new();
    for e in db
        .audit_entries(&store::audit::AuditFilter {
            action: Some(action.into()),
            limit: 10_000,
            ..Default::default()
        })
        .await
        .unwrap()
    {
        *by.entry(e.event.actor).or_insert(0) += 1;
    }
    by
}

async fn demo_steps_are_taken_by_the_people_whose_step_it_is(db: &store::Store) {
    let one = |who: &str, n: usize| [(who.to_string(), n)].into_iter().collect();
    let two = |a: &str, n: usize, b: &str, m: usize| {
        [(a.to_string(), n), (b.to_string(), m)]
            .into_iter()
            .collect::<std::collections::BTreeMap<_, _>>()
    };
    // Each township's own reviewer passes its applications (the demo's history from
    // before the product, the expired plaque, is the seeding's: "demo-seed").
    let passes = actors(db, "township_review.pass").await;
    assert!(
        passes
            .keys()
            .all(|who| who == "yaodu" || who == "dongliu" || who.starts_with("township")),
        "{passes:?}"
    );
    assert!(passes.contains_key("township102"), "{passes:?}");
    assert_eq!(passes.values().sum::<usize>(), 31, "{passes:?}");
    assert_eq!(actors(db, "township_review.return").await, one("yaodu", 1));
    assert_eq!(
        actors(db, "notice.publish").await,
        two("demo-seed", 1, "office", 2)
    );
    assert_eq!(actors(db, "recognition.revoke").await, one("office", 1));
    // The Q4 plan took every plaque and each was re-inspected: one revoked, the others
    // kept, none left pending for the register's own plan.
    let kept = actors(db, "reinspection.keep").await;
    assert!(kept["office"] > 20, "{kept:?}");
    assert!(db
        .pending_reinspections(domain::application::COUNTY)
        .await
        .unwrap()
        .is_empty());
    let results = actors(db, "panel.result").await;
    assert!(results["office"] > 20, "{results:?}");
    let scores = actors(db, "panel.score").await;
    assert!(
        ["panel1", "panel2", "panel3"]
            .iter()
            .all(|p| scores.contains_key(*p)),
        "{scores:?}"
    );
    // The complaints: the county's past through one 12315 import, the township's
    // hotline entries, and the restaurant's desk.
    assert_eq!(actors(db, "complaint.import").await, one("demo-seed", 1));
    assert_eq!(actors(db, "complaint.enter").await, one("yaodu", 2));
    assert_eq!(
        actors(db, "complaint.desk.settle").await,
        one("91341721MA3R7T8U9K", 5)
    );
    assert_eq!(
        actors(db, "complaint.rate").await.values().sum::<usize>(),
        5
    );
}
