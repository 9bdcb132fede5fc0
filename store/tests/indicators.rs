//! Indicator sets: seeded per category, versioned on edit, frozen against edits.

use domain::scoring::{ItemKind, SetRules};
use testkit::fresh_db;

#[tokio::test]
async fn the_open_batch_gets_a_default_set_per_category() {
    let db = fresh_db().await;
    db.seed_reference_data().await.unwrap();
    db.seed_reference_data().await.unwrap();
    let batch = db.open_batch("341721").await.unwrap().unwrap();
    for c in domain::Category::ALL {
        let set = db.indicator_set(batch.id, c.code()).await.unwrap().unwrap();
        assert_eq!(set.version, 1, "seeding twice adds no version");
        assert_eq!(
            set.rules,
            SetRules {
                basic_points: 100,
                bonus_cap: 15,
                pass_score: 80
            }
        );
        let basic: u32 = set
            .items
            .iter()
            .filter(|i| i.kind == ItemKind::Basic)
            .map(|i| i.max_points)
            .sum();
        assert_eq!(basic, 100);
        assert!(set.items.iter().any(|i| i.kind == ItemKind::Veto));
        assert!(!set.frozen);
    }
    let street = db.indicator_set(batch.id, "street").await.unwrap().unwrap();
    assert!(street.items[1].text_zh.contains("投诉处理制度"));
}

#[tokio::test]
async fn edits_make_versions_until_the_set_is_frozen() {
    let db = fresh_db().await;
    db.seed_reference_data().await.unwrap();
    let batch = db.open_batch("341721").await.unwrap().unwrap();
    let mut set = db.indicator_set(batch.id, "unit").await.unwrap().unwrap();
    set.items[0].text_zh = "修改后的指标".into();
    let rules = SetRules {
        pass_score: 85,
        ..set.rules
    };
    db.revise_indicator_set(
        batch.id,
        "unit",
        &rules,
        &set.items,
        &store::audit::AuditEvent::default(),
    )
    .await
    .unwrap();
    let v2 = db.indicator_set(batch.id, "unit").await.unwrap().unwrap();
    assert_eq!(v2.version, 2);
    assert_eq!(v2.rules.pass_score, 85);
    assert_eq!(v2.items[0].text_zh, "修改后的指标");
    assert_eq!(v2.items.len(), set.items.len());

    db.freeze_indicator_set(v2.id).await.unwrap();
    let refused = db
        .revise_indicator_set(
            batch.id,
            "unit",
            &rules,
            &set.items,
            &store::audit::AuditEvent::default(),
        )
        .await;
    assert!(matches!(refused, Err(store::StoreError::Refused(_))));
    assert_eq!(
        db.indicator_set(batch.id, "unit")
            .await
            .unwrap()
            .unwrap()
            .version,
        2
    );
}
