//! The inbox and the public directory of recognised units.

use super::*;

#[tokio::test]
async fn inbox_messages_reach_the_account_and_its_organisation() {
    let db = fresh_db().await;
    db.seed_reference_data().await.unwrap();
    let office = staff(&db, "office", "county_office").await;
    let (_, org, account, _) = at_county_review(&db, "91110000802100433B", office).await;
    let to_org = store::county::NewNotification {
        account_id: None,
        organisation_id: Some(org),
        text_zh: "公示",
        text_en: "Notice",
        link: "/notice/1",
    };
    db.notify(&to_org).await.unwrap();
    let to_office = store::county::NewNotification {
        account_id: Some(office),
        organisation_id: None,
        text_zh: "异议",
        text_en: "Objection",
        link: "/notices/1",
    };
    db.notify(&to_office).await.unwrap();
    assert_eq!(db.unread_count(account, Some(org)).await.unwrap(), 1);
    assert_eq!(db.inbox(office, None).await.unwrap().len(), 1);
    db.mark_inbox_read(account, Some(org)).await.unwrap();
    assert_eq!(db.unread_count(account, Some(org)).await.unwrap(), 0);
    assert_eq!(
        db.unread_count(office, None).await.unwrap(),
        1,
        "someone else's stay unread"
    );
}

/// A recognised application of a new organisation, with the identity its application gave.
async fn recognised(
    db: &store::Store,
    office: i64,
    (code, name, category, area): (&str, &str, &str, &str),
    (brand, industry): (&str, &str),
    recognised_on: &str,
) -> store::county::Recognition {
    let (account, org) = organisation(db, code, name, category, area).await;
    let batch = db.open_batch("341721").await.unwrap().unwrap().id;
    let set = db.indicator_set(batch, category).await.unwrap().unwrap().id;
    let data = serde_json::json!({"identity": {
        "brand_name": brand, "industry": industry, "address": "建设路8号"
    }})
    .to_string();
    let id = db
        .start_application(
            &store::applications::NewApplication {
                organisation_id: org,
                batch_id: batch,
                category,
                indicator_set_id: set,
                prepared_by: Some(account),
                agent_organisation_id: None,
                data: &data,
            },
            &store::audit::AuditEvent::default(),
        )
        .await
        .unwrap();
    assert!(db
        .submit_application(id, 0, account, &store::audit::AuditEvent::default())
        .await
        .unwrap());
    assert!(db
        .decide_township_review(
            &NewTownshipReview {
                application_id: id,
                reviewer_id: office,
                decision: Decision::Pass,
                checklist: "{}",
                comments: "{}",
                summary: "推荐",
            },
            &store::audit::AuditEvent::default()
        )
        .await
        .unwrap());
    assert!(db
        .record_panel_result(
            &result(id, 1, true, office, None),
            &store::audit::AuditEvent::default()
        )
        .await
        .unwrap());
    let notice = db
        .publish_notice(
            batch,
            "公示",
            "2026-09-30",
            "2026-10-13",
            5,
            false,
            office,
            &[id],
            &store::audit::AuditEvent::default(),
        )
        .await
        .unwrap()
        .unwrap();
    let number = |c: &str, seq: u32| format!("{c}-{recognised_on}-{seq:04}");
    assert_eq!(
        db.recognise_notice(
            notice,
            recognised_on,
            "2027-12-31",
            &number,
            &store::audit::AuditEvent::default()
        )
        .await
        .unwrap(),
        vec![id]
    );
    db.recognition_of_application(id).await.unwrap().unwrap()
}

#[tokio::test]
async fn the_public_directory_searches_filters_sorts_and_pages_recognised_units() {
    use store::county::{DirectoryQuery, DirectorySort};
    let db = fresh_db().await;
    db.seed_reference_data().await.unwrap();
    let office = staff(&db, "office", "county_office").await;
    let market = recognised(
        &db,
        office,
        (
            "91341721MA0000001A",
            "东至县惠民超市有限公司",
            "unit",
            "341721100",
        ),
        ("惠民100%超市", "retail"),
        "2026-10-14",
    )
    .await;
    assert_eq!(
        (
            market.display_name.as_str(),
            market.industry.as_str(),
            market.address.as_str()
        ),
        ("惠民100%超市", "retail", "建设路8号"),
        "the recognition keeps the application's shop-front name, industry and address"
    );
    let street = recognised(
        &db,
        office,
        (
            "91341721MA0000002B",
            "东流镇老街管理委员会",
            "street",
            "341721101",
        ),
        ("东流老街", "pedestrian"),
        "2026-10-15",
    )
    .await;
    let revoked = recognised(
        &db,
        office,
        (
            "91341721MA0000003C",
            "东至县好再来饭店",
            "unit",
            "341721100",
        ),
        ("好再来饭店", "catering"),
        "2026-10-16",
    )
    .await;
    assert_eq!(
        db.plan_reinspections("复查", &[revoked.id], &store::audit::AuditEvent::default())
            .await
            .unwrap(),
        1
    );
    let pending = db.pending_reinspections("341721").await.unwrap();
    assert!(db
        .record_reinspection(
            pending[0].0.id,
            office,
            false,
            "销售过期食品",
            "2026-11-20",
            &store::audit::AuditEvent::default()
        )
        .await
        .unwrap());

    let ask = |f: &dyn Fn(&mut DirectoryQuery)| {
        let mut q = DirectoryQuery {
            today: "2026-11-28".into(),
            limit: 20,
            ..Default::default()
        };
        f(&mut q);
        q
    };
    let names = |page: &(Vec<store::county::Recognition>, i64)| {
        page.0
            .iter()
            .map(|r| r.display_name.clone())
            .collect::<Vec<_>>()
    };
    // Valid plaques only, newest first: the revoked one is left out.
    let all = db.directory(&ask(&|_| {})).await.unwrap();
    assert_eq!(
        (names(&all), all.1),
        (vec!["东流老街".to_string(), "惠民100%超市".into()], 2)
    );
    let with_ended = db
        .directory(&ask(&|q| q.include_ended = true))
        .await
        .unwrap();
    assert_eq!(with_ended.1, 3);
    // Search by registered name, shop-front name or credit code; % is matched literally.
    for text in ["惠民", "100%", "ma0000001a"] {
        let found = db.directory(&ask(&|q| q.text = text.into())).await.unwrap();
        assert_eq!(names(&found), vec!["惠民100%超市"], "search {text}");
    }
    assert_eq!(
        db.directory(&ask(&|q| q.text = "0%".into()))
            .await
            .unwrap()
            .1,
        1
    );
    assert_eq!(
        db.directory(&ask(&|q| q.text = "%".into()))
            .await
            .unwrap()
            .1,
        1
    );
    // Filters by township, category and industry.
    let dongliu = db
        .directory(&ask(&|q| q.township = "341721101".into()))
        .await
        .unwrap();
    assert_eq!(names(&dongliu), vec!["东流老街"]);
    let units = db
        .directory(&ask(&|q| q.category = "unit".into()))
        .await
        .unwrap();
    assert_eq!(names(&units), vec!["惠民100%超市"]);
    let catering = db
        .directory(&ask(&|q| {
            q.industry = "catering".into();
            q.include_ended = true
        }))
        .await
        .unwrap();
    assert_eq!(names(&catering), vec!["好再来饭店"]);
    // Sorted by township, then paged one at a time.
    let by_township = db
        .directory(&ask(&|q| {
            q.sort = DirectorySort::Township;
            q.include_ended = true;
        }))
        .await
        .unwrap();
    assert_eq!(
        names(&by_township),
        vec!["惠民100%超市", "好再来饭店", "东流老街"]
    );
    let second = db
        .directory(&ask(&|q| {
            q.sort = DirectorySort::Township;
            q.include_ended = true;
            q.limit = 1;
            q.offset = 1;
        }))
        .await
        .unwrap();
    assert_eq!(
        (names(&second), second.1),
        (vec!["好再来饭店".to_string()], 3)
    );
    assert_eq!(street.industry, "pedestrian");
}
