//! The county office at work over HTTP: indicator sets, evidence files, batches, notices and objections, the holiday calendar and the register.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_county_office_revises_an_indicator_set_until_applications_use_it() {
    let (db, app, office) = as_county_office().await;
    let batch = db.open_batch("341721").await.unwrap().unwrap().id;
    let row = |i: usize, points: u32, kind: &str| {
        format!(
            "r{i}.group_zh=%E7%BB%84&r{i}.text_zh=%E6%8C%87%E6%A0%87{i}&r{i}.max_points={points}&r{i}.kind={kind}"
        )
    };
    // Basic items that do not add up to 100 are kept as a draft, not published.
    let body = format!(
        "category=village&basic_points=100&bonus_cap=15&pass_score=80&{}&{}&{}",
        row(0, 60, "basic"),
        row(1, 30, "basic"),
        row(2, 0, "veto")
    );
    let to = post_form(&app, "/indicators/edit/save", &office, &body).await;
    assert!(to.ends_with("check=1"), "{to}");
    assert_eq!(
        db.indicator_set(batch, "village")
            .await
            .unwrap()
            .unwrap()
            .version,
        1
    );
    let draft = db.setting("indicators.draft.").await.unwrap();
    assert!(draft.is_none(), "drafts are keyed by set id");

    let body = body.replace("max_points=30", "max_points=40");
    let to = post_form(&app, "/indicators/edit/save", &office, &body).await;
    assert!(to.ends_with("saved=2"), "{to}");
    let set = db.indicator_set(batch, "village").await.unwrap().unwrap();
    assert_eq!((set.version, set.items.len()), (2, 3));
    assert_eq!(set.items[1].max_points, 40);
    assert_eq!(
        set.items[1].text_en, "指标1",
        "English falls back to the Chinese text"
    );

    // Once an application uses the set it is frozen.
    db.freeze_indicator_set(set.id).await.unwrap();
    let to = post_form(&app, "/indicators/edit/save", &office, &body).await;
    assert!(to.ends_with("frozen=1"), "{to}");
    assert_eq!(
        db.indicator_set(batch, "village")
            .await
            .unwrap()
            .unwrap()
            .version,
        2
    );

    // Nobody else may post it.
    let applicant_id = db
        .account_by_login(MATRIX_APPLICANT)
        .await
        .unwrap()
        .unwrap()
        .id;
    let applicant = &session_for(&db, applicant_id, 9).await;
    let status = call(
        &app,
        "POST",
        "/indicators/edit/save",
        Some(applicant),
        &body,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn evidence_files_are_served_only_to_those_who_may_see_the_application() {
    let db = fresh_db().await;
    db.seed_reference_data().await.unwrap();
    let st = state(db.store.clone());
    let objects = st.app.objects.clone();
    let app = router(st);
    let sessions = sessions_for_every_role(&db).await;
    let cookie = |role: Role| sessions.iter().find(|(r, _)| *r == role).unwrap().1.clone();
    let owner = db
        .account_by_login(MATRIX_APPLICANT)
        .await
        .unwrap()
        .unwrap();
    let org = owner.organisation_id.unwrap();
    let batch = db.open_batch("341721").await.unwrap().unwrap().id;
    let set = db.indicator_set(batch, "unit").await.unwrap().unwrap().id;
    let id = db
        .create_draft(org, batch, "unit", set, None)
        .await
        .unwrap();
    let bytes = b"%PDF-1.4 evidence for the access test";
    let key = objects.put(bytes).await.unwrap();
    let file = db
        .add_evidence(
            &store::evidence::NewEvidence {
                application_id: id,
                slot: "licence",
                object_key: &key,
                media_type: "application/pdf",
                size_bytes: bytes.len() as i64,
                original_name: "licence.pdf",
                uploaded_by: owner.id,
            },
            &store::audit::AuditEvent::default(),
        )
        .await
        .unwrap();
    let other_code = "91341721MA8PQK4W23";
    let other = db
        .create_organisation_account(
            &store::accounts::NewOrganisation {
                credit_code: other_code,
                name: "另一家",
                category_code: "unit",
                area_code: "341721100",
                contact_name: "x",
                contact_mobile: "13800000000",
                password_hash: "x",
            },
            &store::audit::AuditEvent::default(),
        )
        .await
        .unwrap();
    let other = session_for(&db, other, 1).await;
    let far_reviewer = db
        .create_staff_account(
            &store::accounts::NewStaff {
                login: "dongliu-reviewer",
                display_name: "东流镇",
                role: "township_reviewer",
                area_code: "341721101",
                member_unit_code: None,
                mobile: "13800000000",
                password_hash: "x",
            },
            &store::audit::AuditEvent::default(),
        )
        .await
        .unwrap();
    let far_reviewer = session_for(&db, far_reviewer, 2).await;
    let path = format!("/files/{file}");
    let get = |c: Option<String>| {
        let (app, path) = (app.clone(), path.clone());
        async move { call(&app, "GET", &path, c.as_deref(), "").await }
    };
    assert_eq!(get(Some(cookie(Role::Applicant))).await, StatusCode::OK);
    assert_eq!(get(None).await, StatusCode::UNAUTHORIZED);
    assert_eq!(get(Some(other.clone())).await, StatusCode::NOT_FOUND);
    // Staff see nothing of a draft; after submission, only within their area.
    assert_eq!(
        get(Some(cookie(Role::TownshipReviewer))).await,
        StatusCode::NOT_FOUND
    );
    db.submit_application(id, 0, owner.id, &store::audit::AuditEvent::default())
        .await
        .unwrap();
    assert_eq!(
        get(Some(cookie(Role::TownshipReviewer))).await,
        StatusCode::OK
    );
    assert_eq!(get(Some(far_reviewer)).await, StatusCode::NOT_FOUND);
    assert_eq!(get(Some(other)).await, StatusCode::NOT_FOUND);
    assert_eq!(
        call(
            &app,
            "GET",
            "/files/999999",
            Some(&cookie(Role::Applicant)),
            ""
        )
        .await,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_county_office_plans_opens_and_closes_batches_one_open_at_a_time() {
    let (db, app, office) = as_county_office().await;
    let current = db.open_batch("341721").await.unwrap().unwrap();
    // Dates out of order come back to the form with what was entered.
    let bad = "name_zh=2028%E5%B9%B4&application_opens=2028-09-01&application_closes=2028-08-01\
               &review_opens=2029-04-01&review_closes=2029-09-30";
    let to = post_form(&app, "/batches/create", &office, bad).await;
    assert!(to.starts_with("/batches?error=invalid"), "{to}");
    assert!(to.contains("application_closes=2028-08-01"), "{to}");
    assert_eq!(db.batches("341721").await.unwrap().len(), 1);

    let good = bad.replace("2028-08-01", "2029-03-31");
    assert_eq!(
        post_form(&app, "/batches/create", &office, &good).await,
        "/batches"
    );
    let planned = db.batches("341721").await.unwrap()[0].clone();
    assert_eq!(planned.status, store::BatchStatus::Planned);
    assert!(
        db.indicator_set(planned.id, "street")
            .await
            .unwrap()
            .is_some(),
        "a planned batch has sets to edit"
    );

    // Opening it while the current batch is open is refused; after closing that, it opens.
    let open = format!("/batches/{}/status", planned.id);
    let to = post_form(&app, &open, &office, "to=open").await;
    assert_eq!(to, "/batches?error=another_open");
    let close = format!("/batches/{}/status", current.id);
    assert_eq!(
        post_form(&app, &close, &office, "to=closed").await,
        "/batches"
    );
    assert_eq!(post_form(&app, &open, &office, "to=open").await, "/batches");
    assert_eq!(
        db.open_batch("341721").await.unwrap().unwrap().id,
        planned.id
    );
    // A closed batch never reopens.
    let to = post_form(&app, &close, &office, "to=open").await;
    assert_eq!(to, "/batches?error=internal");
    assert_eq!(
        db.batch(current.id).await.unwrap().unwrap().status,
        store::BatchStatus::Closed
    );
    let entries = db
        .audit_entries(&store::audit::AuditFilter {
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        entries
            .iter()
            .filter(|e| e.event.action.starts_with("batch."))
            .count(),
        3
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_notice_runs_five_working_days_at_least_and_objections_are_checked_and_rate_limited() {
    let (db, app, office) = as_county_office().await;
    let (id, _) = passed_application(&db, "91110000802100433B").await;
    // Four working days: refused, with what was typed sent back.
    let to = post_form(
        &app,
        "/notices/create",
        &office,
        &format!("title=T&working_days=4&published_on=2099-01-05&app.{id}=on"),
    )
    .await;
    assert!(to.starts_with("/notices?error=too_short"), "{to}");
    assert!(
        to.contains("working_days=4") && to.contains("published_on=2099-01-05"),
        "{to}"
    );
    let to = post_form(
        &app,
        "/notices/create",
        &office,
        "title=T&working_days=5&published_on=2099-01-05",
    )
    .await;
    assert!(to.starts_with("/notices?error=none"), "{to}");
    let to = post_form(
        &app,
        "/notices/create",
        &office,
        &format!("title=T&working_days=5&published_on=2000-01-05&app.{id}=on"),
    )
    .await;
    assert!(to.starts_with("/notices?error=date"), "{to}");
    // Monday 5 January 2099, the day itself not counted: 6–9 and 12 January.
    let to = post_form(
        &app,
        "/notices/create",
        &office,
        &format!("title=T&working_days=5&published_on=2099-01-05&app.{id}=on"),
    )
    .await;
    assert!(to.ends_with("?done=ok.published"), "{to}");
    let notice = db.notice_of_application(id).await.unwrap().unwrap();
    assert_eq!(
        db.notice(notice).await.unwrap().unwrap().ends_on,
        "2099-01-12"
    );
    assert_eq!(
        db.application(id).await.unwrap().unwrap().state,
        domain::lifecycle::State::OnNotice
    );

    // Objections: anyone, checked, five a minute per address.
    let object = |facts: &str| {
        format!("application={id}&name=%E6%9D%8E%E5%9B%9B&contact=13905661234&facts={facts}")
    };
    let path = format!("/notice/{notice}/object");
    let to = post_form(&app, &path, "", &object("short")).await;
    assert!(
        to.contains("error=facts") && to.contains("name=%E6%9D%8E%E5%9B%9B"),
        "{to}"
    );
    for _ in 0..4 {
        let to = post_form(
            &app,
            &path,
            "",
            &object("a%20long%20enough%20account%20of%20facts"),
        )
        .await;
        assert!(to.ends_with("?done=filed"), "{to}");
    }
    let to = post_form(
        &app,
        &path,
        "",
        &object("a%20long%20enough%20account%20of%20facts"),
    )
    .await;
    assert!(to.contains("error=busy"), "{to}");
    let filed = db.objections_of_notice(notice).await.unwrap();
    assert_eq!(filed.len(), 4);
    assert!(filed.iter().all(
        |o| o.status == domain::notice::ObjectionStatus::Open && o.respond_by.as_str() > "2000"
    ));
    // Recognition must wait for the end of the notice.
    let to = post_form(&app, &format!("/notices/{notice}/recognise"), &office, "").await;
    assert!(to.ends_with("?error=running"), "{to}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_office_loads_next_years_holiday_calendar_and_exports_the_register() {
    let (db, app, office) = as_county_office().await;
    let to = post_file(
        &app,
        "/notices/calendar",
        &office,
        "2028.json",
        b"{\"not\": \"holiday-cn\"}",
    )
    .await;
    assert_eq!(to, "/notices?error=calendar");
    let file = r#"{"year": 2028, "papers": [], "days": [
        {"name": "元旦", "date": "2028-01-03", "isOffDay": true},
        {"name": "春节", "date": "2028-01-29", "isOffDay": false}
    ]}"#;
    let to = post_file(
        &app,
        "/notices/calendar",
        &office,
        "2028.json",
        file.as_bytes(),
    )
    .await;
    assert_eq!(to, "/notices?done=ok.calendar");
    let stored = db.holiday_calendars().await.unwrap();
    assert_eq!(
        stored.iter().map(|(y, _, _)| *y).collect::<Vec<_>>(),
        vec![2028]
    );
    // Published on Friday 31 December 2027 (not counted), a five-working-day notice now
    // skips the declared holiday on Monday 3 January 2028: 4, 5, 6, 7 and 10 January.
    let (id, _) = passed_application(&db, "91110000802100433B").await;
    let to = post_form(
        &app,
        "/notices/create",
        &office,
        &format!("title=T&working_days=5&published_on=2027-12-31&app.{id}=on"),
    )
    .await;
    assert!(to.ends_with("?done=ok.published"), "{to}");
    let notice = db.notice_of_application(id).await.unwrap().unwrap();
    assert_eq!(
        db.notice(notice).await.unwrap().unwrap().ends_on,
        "2028-01-10"
    );

    // The register as xlsx for filing: a zip container, from the office only.
    let req = Request::builder()
        .uri("/recognitions.xlsx")
        .header("cookie", &office)
        .body(Body::empty())
        .unwrap();
    let res = app.clone().oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .contains("spreadsheetml"));
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 20)
        .await
        .unwrap();
    assert_eq!(&bytes[..2], b"PK");
}
