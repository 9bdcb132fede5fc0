//! The county's side of the cycle at the storage layer, on SQLite and PostgreSQL alike:
//! panel, recusal, scores, a failure with its rectification, acceptance, a notice with
//! an objection that holds recognition until dismissed, recognition, re-inspection and
//! revocation. Every move is guarded by the state it leaves.

use store::county::{NewObjection, NewPanelResult};
use store::reviews::{Decision, NewTownshipReview};
use testkit::fresh_db;

async fn staff(db: &store::Store, login: &str, role: &str) -> i64 {
    db.create_staff_account(
        &store::accounts::NewStaff {
            login,
            display_name: login,
            role,
            area_code: "341721",
            member_unit_code: None,
            mobile: "13900000000",
            password_hash: "x",
        },
        &store::audit::AuditEvent::default(),
    )
    .await
    .unwrap()
}

/// A new organisation with its account: (account, organisation).
async fn organisation(
    db: &store::Store,
    code: &str,
    name: &str,
    category: &str,
    area: &str,
) -> (i64, i64) {
    let account = db
        .create_organisation_account(
            &store::accounts::NewOrganisation {
                credit_code: code,
                name,
                category_code: category,
                area_code: area,
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
    (account, org)
}

/// A submitted, township-passed application: (application, organisation, account, batch).
async fn at_county_review(db: &store::Store, code: &str, office: i64) -> (i64, i64, i64, i64) {
    let (account, org) = organisation(db, code, "放心超市", "unit", "341721100").await;
    let batch = db.open_batch("341721").await.unwrap().unwrap().id;
    let set = db.indicator_set(batch, "unit").await.unwrap().unwrap().id;
    let id = db
        .create_draft(org, batch, "unit", set, None)
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
    (id, org, account, batch)
}

fn result(
    id: i64,
    round: i64,
    passed: bool,
    by: i64,
    rect: Option<(&'static str, &'static str, &'static str)>,
) -> NewPanelResult<'static> {
    NewPanelResult {
        application_id: id,
        round,
        method: "mean",
        score_tenths: if passed { 855 } else { 705 },
        spread: 4,
        vetoed: false,
        passed,
        decided_by: by,
        rectification: rect,
    }
}

#[tokio::test]
async fn the_county_cycle_from_panel_to_revocation() {
    let db = fresh_db().await;
    db.seed_reference_data().await.unwrap();
    let office = staff(&db, "office", "county_office").await;
    let (r1, r2, r3) = (
        staff(&db, "p1", "panel_member").await,
        staff(&db, "p2", "panel_member").await,
        staff(&db, "p3", "panel_member").await,
    );
    let (id, _org, _account, batch) = at_county_review(&db, "91110000802100433B", office).await;

    // The panel: three reviewers; one declares a conflict and steps aside.
    for r in [r1, r2, r3] {
        assert!(db
            .add_panel_member(batch, "unit", r, &store::audit::AuditEvent::default())
            .await
            .unwrap());
        assert!(db
            .assign_reviewer(id, 1, r, &store::audit::AuditEvent::default())
            .await
            .unwrap());
    }
    assert!(
        !db.add_panel_member(batch, "unit", r1, &store::audit::AuditEvent::default())
            .await
            .unwrap(),
        "already on the panel"
    );
    assert!(
        !db.assign_reviewer(id, 1, r1, &store::audit::AuditEvent::default())
            .await
            .unwrap(),
        "already assigned"
    );
    let rows = db.assignments_of_application(id, 1).await.unwrap();
    assert!(db
        .recuse(
            rows[2].id,
            r3,
            "relative",
            "表兄",
            &store::audit::AuditEvent::default()
        )
        .await
        .unwrap());
    assert!(
        !db.submit_scores(
            rows[2].id,
            r3,
            "[]",
            90,
            false,
            "",
            &store::audit::AuditEvent::default()
        )
        .await
        .unwrap(),
        "a recused reviewer cannot score"
    );
    assert!(
        !db.submit_scores(
            rows[0].id,
            r2,
            "[]",
            90,
            false,
            "",
            &store::audit::AuditEvent::default()
        )
        .await
        .unwrap(),
        "nor anyone on another's sheet"
    );
    assert!(db
        .submit_scores(
            rows[0].id,
            r1,
            "[]",
            70,
            false,
            "",
            &store::audit::AuditEvent::default()
        )
        .await
        .unwrap());
    assert!(db
        .submit_scores(
            rows[1].id,
            r2,
            "[]",
            71,
            false,
            "",
            &store::audit::AuditEvent::default()
        )
        .await
        .unwrap());
    // A discussion reopens both scores; they are submitted again.
    assert_eq!(
        db.reopen_scores(id, 1, &store::audit::AuditEvent::default())
            .await
            .unwrap(),
        2
    );
    assert!(db
        .submit_scores(
            rows[0].id,
            r1,
            "[]",
            70,
            false,
            "",
            &store::audit::AuditEvent::default()
        )
        .await
        .unwrap());
    assert!(db
        .submit_scores(
            rows[1].id,
            r2,
            "[]",
            71,
            false,
            "",
            &store::audit::AuditEvent::default()
        )
        .await
        .unwrap());
    assert_eq!(
        db.reviewer_loads(batch).await.unwrap().len(),
        2,
        "the recused reviewer carries no load"
    );

    // First failure: a rectification opens.
    let todos = r#"[{"index":0,"zh":"明码标价","en":"Prices"}]"#;
    assert!(db
        .record_panel_result(
            &result(
                id,
                1,
                false,
                office,
                Some(("2026-05-15", "2026-11-15", todos))
            ),
            &store::audit::AuditEvent::default()
        )
        .await
        .unwrap());
    assert!(
        !db.record_panel_result(
            &result(id, 1, true, office, None),
            &store::audit::AuditEvent::default()
        )
        .await
        .unwrap(),
        "decided once"
    );
    assert_eq!(
        db.application(id).await.unwrap().unwrap().state,
        domain::lifecycle::State::Rectifying
    );
    let case = db.rectification(id).await.unwrap().unwrap();
    assert_eq!(
        (case.due_on.as_str(), case.reported_at.is_none()),
        ("2026-11-15", true)
    );
    assert!(db
        .report_rectification(id, "已整改", &store::audit::AuditEvent::default())
        .await
        .unwrap());
    assert!(db
        .request_acceptance(
            id,
            &domain::lifecycle::Facts {
                rectification_reported: true,
                ..Default::default()
            },
            &store::audit::AuditEvent::default()
        )
        .await
        .unwrap());
    assert!(
        !db.request_acceptance(
            id,
            &domain::lifecycle::Facts {
                rectification_reported: true,
                ..Default::default()
            },
            &store::audit::AuditEvent::default()
        )
        .await
        .unwrap(),
        "only from rectifying"
    );
    assert_eq!(db.current_round(id).await.unwrap(), 2);
    assert!(db
        .assign_reviewer(id, 2, r1, &store::audit::AuditEvent::default())
        .await
        .unwrap());
    assert!(db
        .record_panel_result(
            &result(id, 2, true, office, None),
            &store::audit::AuditEvent::default()
        )
        .await
        .unwrap());
    assert_eq!(db.panel_results(id).await.unwrap().len(), 2);

    // A notice is refused whole if any listed application is not waiting for one.
    let (other, ..) = at_county_review(&db, "91341721MA2N0Y7B3K", office).await;
    assert_eq!(
        db.publish_notice(
            batch,
            "公示",
            "2026-09-30",
            "2026-10-13",
            5,
            false,
            office,
            &[id, other],
            &store::audit::AuditEvent::default()
        )
        .await
        .unwrap(),
        None
    );
    assert_eq!(
        db.application(id).await.unwrap().unwrap().state,
        domain::lifecycle::State::Passed,
        "nothing moved"
    );
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
    assert_eq!(db.notice_of_application(id).await.unwrap(), Some(notice));

    // An open objection holds recognition; dismissed, it no longer does.
    let objection = db
        .file_objection(
            &NewObjection {
                notice_id: notice,
                application_id: id,
                name: "李四",
                contact: "13800000000",
                facts: "曾拒绝七日无理由退货",
                evidence: "",
                respond_by: "2026-10-20",
            },
            &store::audit::AuditEvent::default(),
        )
        .await
        .unwrap();
    let number = |_: &str, seq: u32| format!("T-{seq:04}");
    assert!(db
        .recognise_notice(
            notice,
            "2026-10-14",
            "2027-12-31",
            &number,
            &store::audit::AuditEvent::default()
        )
        .await
        .unwrap()
        .is_empty());
    assert!(db
        .assign_objection(
            objection,
            office,
            "2026-10-20",
            &store::audit::AuditEvent::default()
        )
        .await
        .unwrap());
    assert!(db
        .decide_objection(
            objection,
            "dismissed",
            "经核查不属实",
            office,
            &store::audit::AuditEvent::default()
        )
        .await
        .unwrap());
    assert!(
        !db.decide_objection(
            objection,
            "upheld",
            "x",
            office,
            &store::audit::AuditEvent::default()
        )
        .await
        .unwrap(),
        "a dismissal is final"
    );
    assert_eq!(
        db.recognise_notice(
            notice,
            "2026-10-14",
            "2027-12-31",
            &number,
            &store::audit::AuditEvent::default()
        )
        .await
        .unwrap(),
        vec![id]
    );
    let rec = db.recognition_of_application(id).await.unwrap().unwrap();
    assert_eq!(
        (rec.certificate_no.as_str(), rec.token.len()),
        ("T-0001", 32)
    );
    assert_eq!(
        db.recognition_by_token(&rec.token)
            .await
            .unwrap()
            .unwrap()
            .id,
        rec.id
    );
    assert_eq!(
        db.application(id).await.unwrap().unwrap().state,
        domain::lifecycle::State::Recognised
    );

    // Re-inspection: planned once, recorded once; failing it revokes.
    assert_eq!(
        db.plan_reinspections("复查", &[rec.id], &store::audit::AuditEvent::default())
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        db.plan_reinspections("复查", &[rec.id], &store::audit::AuditEvent::default())
            .await
            .unwrap(),
        0,
        "one open re-inspection at a time"
    );
    let pending = db.pending_reinspections("341721").await.unwrap();
    assert_eq!(pending.len(), 1);
    assert!(db
        .record_reinspection(
            pending[0].0.id,
            office,
            false,
            "复查发现销售过期食品",
            "2027-03-01",
            &store::audit::AuditEvent::default()
        )
        .await
        .unwrap());
    assert!(!db
        .record_reinspection(
            pending[0].0.id,
            office,
            true,
            "",
            "2027-03-01",
            &store::audit::AuditEvent::default()
        )
        .await
        .unwrap());
    let revoked = db.revocations().await.unwrap();
    assert_eq!(revoked.len(), 1);
    assert_eq!(
        revoked[0].revoke_reason.as_deref(),
        Some("复查发现销售过期食品")
    );
    assert_eq!(
        db.application(id).await.unwrap().unwrap().state,
        domain::lifecycle::State::Revoked
    );
}

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
