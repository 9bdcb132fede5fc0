//! The county's side of the cycle at the storage layer, on SQLite and PostgreSQL alike:
//! panel, recusal, scores, a failure with its rectification, acceptance, a notice with
//! an objection that holds recognition until dismissed, recognition, re-inspection and
//! revocation. Every move is guarded by the state it leaves.

mod directory;

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
