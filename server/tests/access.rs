//! The access policy, tested through the real router: every server function and page
//! has an entry; every endpoint is called as every role and as nobody; and a township
//! reviewer cannot open another township's applicant. Runs on SQLite and PostgreSQL.

mod common;
use common::*;

use app::policy::{decide, page_access, server_function_access, Decision, PAGES, SERVER_FUNCTIONS};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use domain::Role;
use server::http::router;
use testkit::fresh_db;
use tower::ServiceExt;

/// Axum-style patterns of every HTTP route: Leptos pages plus the plain handlers.
fn registered_pages() -> Vec<String> {
    let mut routes: Vec<String> = server::http::route_list()
        .into_iter()
        .map(|r| r.path().to_string())
        .collect();
    routes.extend(["/healthz", "/metrics", "/lang/{tag}"].map(String::from));
    routes.extend(
        app::applications::handlers::ROUTES
            .iter()
            .chain(app::review::ROUTES)
            .chain(app::complaints::ROUTES)
            .chain(app::dashboard::ROUTES)
            .chain(app::portal::ROUTES)
            .map(|r| r.to_string()),
    );
    routes
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_server_function_and_page_has_a_policy_entry_and_no_entry_is_stale() {
    let registered: Vec<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(p, _)| p.to_string())
        .collect();
    assert!(!registered.is_empty());
    for p in &registered {
        assert!(
            server_function_access(p).is_some(),
            "server function {p} has no policy entry"
        );
    }
    for (p, _) in SERVER_FUNCTIONS {
        assert!(
            registered.iter().any(|r| r == p),
            "policy names {p}, which does not exist"
        );
    }
    let pages = registered_pages();
    for p in &pages {
        assert!(page_access(p).is_some(), "route {p} has no policy entry");
    }
    for (p, _) in PAGES {
        assert!(
            pages.iter().any(|r| r == p),
            "policy names route {p}, which does not exist"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_endpoint_as_every_role_is_allowed_or_denied_as_the_policy_says() {
    let db = fresh_db().await;
    db.seed_reference_data().await.unwrap();
    let app = router(state(db.store.clone()));
    let mut callers: Vec<(Option<Role>, Option<String>)> = vec![(None, None)];
    for (role, cookie) in sessions_for_every_role(&db).await {
        callers.push((Some(role), Some(cookie)));
    }
    let mut checked = 0;
    for (path, access) in SERVER_FUNCTIONS {
        for (role, cookie) in &callers {
            let user = role.map(signed_in_as);
            let expected = decide(*access, user.as_ref());
            renew(&db, cookie.as_deref()).await;
            let status = call(&app, "POST", path, cookie.as_deref(), "").await;
            let denied = status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN;
            match expected {
                Decision::Allow => assert!(
                    !denied,
                    "{path} as {role:?}: expected allowed, got {status}"
                ),
                Decision::SignIn => {
                    assert_eq!(status, StatusCode::UNAUTHORIZED, "{path} as {role:?}")
                }
                Decision::Forbid => assert_eq!(status, StatusCode::FORBIDDEN, "{path} as {role:?}"),
            }
            assert!(!status.is_server_error(), "{path} as {role:?}: {status}");
            checked += 1;
        }
    }
    for (pattern, access) in PAGES {
        let path = pattern
            .replace("{id}", "1")
            .replace("{tag}", "en")
            .replace("{code}", "TS0123456789")
            .replace("{token}", "0123456789abcdef0123456789abcdef");
        for (role, cookie) in &callers {
            let user = role.map(signed_in_as);
            renew(&db, cookie.as_deref()).await;
            let status = call(&app, "GET", &path, cookie.as_deref(), "").await;
            match decide(*access, user.as_ref()) {
                Decision::Allow => assert!(
                    status != StatusCode::FORBIDDEN && status != StatusCode::UNAUTHORIZED,
                    "{path} as {role:?}: expected allowed, got {status}"
                ),
                Decision::SignIn => assert_eq!(
                    status,
                    StatusCode::UNAUTHORIZED,
                    "{path} as {role:?}: sent to sign in"
                ),
                Decision::Forbid => assert_eq!(status, StatusCode::FORBIDDEN, "{path} as {role:?}"),
            }
            checked += 1;
        }
    }
    assert_eq!(
        checked,
        (SERVER_FUNCTIONS.len() + PAGES.len()) * (Role::ALL.len() + 1)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_township_reviewer_cannot_open_another_townships_applicant() {
    let db = fresh_db().await;
    db.seed_reference_data().await.unwrap();
    let mut ids = Vec::new();
    for (code, township) in [
        ("91341721MA2N0Y7B3", "341721100"),
        ("91341721MA8PQK4W2", "341721101"),
    ] {
        let code = format!(
            "{code}{}",
            domain::uscc::check_character(code.as_bytes()).unwrap()
        );
        db.create_organisation_account(
            &store::accounts::NewOrganisation {
                credit_code: &code,
                name: "x",
                category_code: "unit",
                area_code: township,
                contact_name: "x",
                contact_mobile: "13800000000",
                password_hash: "x",
            },
            &store::audit::AuditEvent::default(),
        )
        .await
        .unwrap();
        ids.push(
            db.account_by_login(&code)
                .await
                .unwrap()
                .unwrap()
                .organisation_id
                .unwrap(),
        );
    }
    let cookies = sessions_for_every_role(&db).await;
    let reviewer = &cookies
        .iter()
        .find(|(r, _)| *r == Role::TownshipReviewer)
        .unwrap()
        .1;
    let app = router(state(db.store.clone()));
    let own = call(
        &app,
        "POST",
        "/api/organisation",
        Some(reviewer),
        &format!("id={}&unmask=false", ids[0]),
    )
    .await;
    assert_eq!(own, StatusCode::OK);
    let other = call(
        &app,
        "POST",
        "/api/organisation",
        Some(reviewer),
        &format!("id={}&unmask=false", ids[1]),
    )
    .await;
    assert_eq!(other, StatusCode::FORBIDDEN);
    let denied = db
        .audit_entries(&store::audit::AuditFilter {
            action: Some("access.denied".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(denied.len(), 1, "the refusal is audited");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_state_change_from_another_site_is_refused() {
    let db = fresh_db().await;
    let app = router(state(db.store.clone()));
    let req = Request::builder()
        .method("POST")
        .uri("/api/login")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("sec-fetch-site", "cross-site")
        .body(Body::from("login=a&password=b"))
        .unwrap();
    let res = app.clone().oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let req = Request::builder()
        .method("POST")
        .uri("/api/login")
        .header("host", "fangxin.example")
        .header("origin", "https://evil.example")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from("login=a&password=b"))
        .unwrap();
    assert_eq!(
        app.oneshot(req).await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_attempts_are_rate_limited_per_client() {
    let db = fresh_db().await;
    let mut st = state(db.store.clone());
    st.app.auth.auth_requests_per_minute = 3;
    let app = router(st);
    let mut statuses = Vec::new();
    for _ in 0..4 {
        statuses.push(
            call(
                &app,
                "POST",
                "/api/login",
                None,
                "login=nobody&password=Wrong-pass-1",
            )
            .await,
        );
    }
    assert_eq!(
        statuses,
        [
            StatusCode::UNAUTHORIZED,
            StatusCode::UNAUTHORIZED,
            StatusCode::UNAUTHORIZED,
            StatusCode::TOO_MANY_REQUESTS
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_security_administrators_policy_applies_at_once_and_is_audited() {
    let db = fresh_db().await;
    db.seed_reference_data().await.unwrap();
    let cookies = sessions_for_every_role(&db).await;
    let security = &cookies
        .iter()
        .find(|(r, _)| *r == Role::SecurityAdmin)
        .unwrap()
        .1;
    let app = router(state(db.store.clone()));

    // Out of range: refused, naming the field.
    let bad = "idle_minutes=500&absolute_hours=12&lockout_threshold=3&lockout_window_minutes=15&lockout_minutes=15&auth_requests_per_minute=100";
    assert_eq!(
        call(
            &app,
            "POST",
            "/api/save_security_policy",
            Some(security),
            bad
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let good = "idle_minutes=20&absolute_hours=12&lockout_threshold=3&lockout_window_minutes=15&lockout_minutes=15&auth_requests_per_minute=100";
    assert_eq!(
        call(
            &app,
            "POST",
            "/api/save_security_policy",
            Some(security),
            good
        )
        .await,
        StatusCode::OK
    );

    let hash = app::accounts::session::hash_password("Right-Pass-2026".into())
        .await
        .unwrap();
    db.create_organisation_account(
        &store::accounts::NewOrganisation {
            credit_code: "91110000802100433B",
            name: "x",
            category_code: "unit",
            area_code: "341721100",
            contact_name: "x",
            contact_mobile: "13800000000",
            password_hash: &hash,
        },
        &store::audit::AuditEvent::default(),
    )
    .await
    .unwrap();
    let wrong = "login=91110000802100433B&password=Wrong-Pass-1";
    assert_eq!(
        call(&app, "POST", "/api/login", None, wrong).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        call(&app, "POST", "/api/login", None, wrong).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        call(&app, "POST", "/api/login", None, wrong).await,
        StatusCode::LOCKED,
        "the third failure locks under the new policy"
    );
    let changes = db
        .audit_entries(&store::audit::AuditFilter {
            action: Some("security.policy_changed".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(changes.len(), 1);
    assert!(changes[0]
        .event
        .summary
        .contains("[30, 12, 5, 15, 15, 30] → [20, 12, 3, 15, 15, 100]"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn member_unit_staff_are_bound_to_their_bureau() {
    let db = fresh_db().await;
    db.seed_reference_data().await.unwrap();
    let cookies = sessions_for_every_role(&db).await;
    let admin = &cookies
        .iter()
        .find(|(r, _)| *r == Role::SystemAdmin)
        .unwrap()
        .1;
    // The admin's own area is the township here; the new account must lie inside it.
    let base =
        "login=zhao&display_name=赵强&role=member_unit_staff&area=341721100&mobile=13900000001";
    let missing = call(
        &app_for(&db),
        "POST",
        "/api/create_staff",
        Some(admin),
        &format!("{base}&member_unit="),
    )
    .await;
    assert_eq!(missing, StatusCode::UNPROCESSABLE_ENTITY);
    let ok = call(
        &app_for(&db),
        "POST",
        "/api/create_staff",
        Some(admin),
        &format!("{base}&member_unit=culture"),
    )
    .await;
    assert_eq!(ok, StatusCode::OK);
    let account = db.account_by_login("zhao").await.unwrap().unwrap();
    assert_eq!(account.member_unit_code.as_deref(), Some("culture"));
    assert!(account.must_change_password);
}

fn app_for(db: &store::Store) -> axum::Router {
    router(state(db.clone()))
}

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
    assert!(filed
        .iter()
        .all(|o| o.status == "open" && o.respond_by.as_str() > "2000"));
    // Recognition must wait for the end of the notice.
    let to = post_form(&app, &format!("/notices/{notice}/recognise"), &office, "").await;
    assert!(to.ends_with("?error=running"), "{to}");
}

/// Posts a multipart form with one file field named `file`; returns where it redirects.
async fn post_file(
    app: &axum::Router,
    path: &str,
    cookie: &str,
    name: &str,
    bytes: &[u8],
) -> String {
    let boundary = "fxboundary7";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let req = Request::builder()
        .method("POST")
        .uri(path)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .header("sec-fetch-site", "same-origin")
        .header("cookie", cookie)
        .body(Body::from(body))
        .unwrap();
    let res = app.clone().oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{path}");
    res.headers()["location"].to_str().unwrap().to_string()
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rectification_reminders_go_out_30_and_7_days_before_the_deadline_once_each() {
    let db = fresh_db().await;
    db.seed_reference_data().await.unwrap();
    let (id, _) = passed_application(&db, "91110000802100433B").await;
    // Make it a failure instead: a second round that fails, opening a rectification.
    let app = db.application(id).await.unwrap().unwrap();
    let org = app.organisation_id;
    sqlx::query("UPDATE applications SET state = 'county_review' WHERE id = $1")
        .bind(id)
        .execute(db.pool())
        .await
        .unwrap();
    assert!(db
        .record_panel_result(
            &store::county::NewPanelResult {
                application_id: id,
                round: 2,
                method: "mean",
                score_tenths: 600,
                spread: 0,
                vetoed: false,
                passed: false,
                decided_by: db
                    .account_by_login("91110000802100433B")
                    .await
                    .unwrap()
                    .unwrap()
                    .id,
                rectification: Some(("2026-05-01", "2026-11-01", "[]")),
            },
            &store::audit::AuditEvent::default()
        )
        .await
        .unwrap());
    let day = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let messages = || async { db.inbox(-1, Some(org)).await.unwrap().len() };
    // A second server instance: its own pool on the same database.
    let other = store::Store::connect(&db.url, &Default::default())
        .await
        .unwrap();
    server::jobs::hourly(&db, day("2026-09-01")).await;
    assert_eq!(messages().await, 0, "two months before: nothing");
    server::jobs::hourly(&db, day("2026-10-10")).await;
    // Both instances' hourly jobs at once: one message.
    tokio::join!(
        server::jobs::hourly(&db, day("2026-10-11")),
        server::jobs::hourly(&other, day("2026-10-11")),
    );
    assert_eq!(messages().await, 1, "the 30-day reminder, once");
    server::jobs::hourly(&other, day("2026-10-28")).await;
    server::jobs::hourly(&db, day("2026-10-29")).await;
    assert_eq!(messages().await, 2, "and the 7-day one, once");
}

/// A generated 12315 export with deliberate bad rows is refused whole, and its report
/// names every bad row; the same file without them imports; so does an XLSX; a file
/// whose header lacks a required column is refused before any row is read.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_12315_export_with_bad_rows_is_rejected_whole_and_a_clean_one_imports() {
    let (db, app, office) = as_county_office().await;
    let all = store::complaints::ComplaintFilter::default();

    let mut file = Vec::new();
    let bad_rows = tools::sample::write_sample(&mut file, 1200, true, 7).unwrap();
    assert_eq!(bad_rows.len(), 24);
    let to = post_file(
        &app,
        "/complaints/import/upload",
        &office,
        "12315.csv",
        &file,
    )
    .await;
    let report_id = to
        .strip_prefix("/complaints/import?error=rejected&report=")
        .unwrap_or_else(|| panic!("{to}"));
    assert_eq!(db.count_complaints(&all).await.unwrap(), 0, "nothing kept");
    let (status, report) = get_body(
        &app,
        &format!("/complaints/imports/{report_id}/report"),
        &office,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let listed: std::collections::BTreeSet<u64> = report
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').next()?.parse().ok())
        .collect();
    assert_eq!(
        listed,
        bad_rows.iter().copied().collect(),
        "every bad row, and only those:\n{report}"
    );
    for problem in [
        "不是日期",
        "校验不通过",
        "不是东至县的乡镇",
        "无法识别",
        "不小于0",
        "投诉编号重复",
        "需要办结方式",
    ] {
        assert!(report.contains(problem), "{problem} missing from\n{report}");
    }
    let (_, page) = get_body(
        &app,
        &format!("/complaints/import?report={report_id}"),
        &office,
    )
    .await;
    assert!(
        page.contains("不是东至县的乡镇"),
        "the page lists the problems"
    );

    let mut clean = Vec::new();
    tools::sample::write_sample(&mut clean, 1200, false, 7).unwrap();
    let to = post_file(
        &app,
        "/complaints/import/upload",
        &office,
        "12315.csv",
        &clean,
    )
    .await;
    assert_eq!(to, "/complaints/import?done=imported");
    assert_eq!(db.count_complaints(&all).await.unwrap(), 1200);
    // The same file again: every number is a duplicate, nothing changes.
    let to = post_file(
        &app,
        "/complaints/import/upload",
        &office,
        "12315.csv",
        &clean,
    )
    .await;
    assert!(to.contains("error=rejected"), "{to}");
    assert_eq!(db.count_complaints(&all).await.unwrap(), 1200);

    // XLSX, columns in another order, a date as an Excel date.
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let header = [
        "行业",
        "投诉编号",
        "登记日期",
        "被投诉单位",
        "所属乡镇",
        "办理状态",
        "受理日期",
    ];
    for (c, h) in header.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    let date = rust_xlsxwriter::ExcelDateTime::from_ymd(2025, 6, 3).unwrap();
    let format = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
    for r in 1..=3u32 {
        sheet.write_string(r, 0, "餐饮住宿").unwrap();
        sheet.write_string(r, 1, format!("X-{r}")).unwrap();
        sheet
            .write_datetime_with_format(r, 2, &date, &format)
            .unwrap();
        sheet.write_string(r, 3, "东至县某饭店").unwrap();
        sheet.write_string(r, 4, "东流镇").unwrap();
        sheet.write_string(r, 5, "调解中").unwrap();
        sheet.write_string(r, 6, "2025-06-04").unwrap();
    }
    let xlsx = book.save_to_buffer().unwrap();
    let to = post_file(
        &app,
        "/complaints/import/upload",
        &office,
        "12315.xlsx",
        &xlsx,
    )
    .await;
    assert_eq!(to, "/complaints/import?done=imported");
    let imported = db
        .find_complaints(
            &store::complaints::ComplaintFilter {
                text: Some("X-2".into()),
                ..Default::default()
            },
            5,
            0,
        )
        .await
        .unwrap();
    assert_eq!(imported.len(), 1);
    assert_eq!(
        (
            imported[0].received_on.as_str(),
            imported[0].area_code.as_str(),
            imported[0].status.as_str()
        ),
        ("2025-06-03", "341721101", "mediating")
    );

    let to = post_file(
        &app,
        "/complaints/import/upload",
        &office,
        "x.csv",
        "投诉编号,登记日期\n1,2025-01-01\n".as_bytes(),
    )
    .await;
    assert!(to.starts_with("/complaints/import?error=header"), "{to}");
    assert_eq!(db.count_complaints(&all).await.unwrap(), 1203);
}

/// A consumer files against a recognised business from its plaque; the business
/// settles it at its desk; the consumer rates it once through the signed link; the
/// business's satisfaction rate moves from "no data" to 100 %.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_complaint_from_a_plaque_reaches_the_desk_and_is_rated_once() {
    let (db, app, _office) = as_county_office().await;
    let (org, token) = recognised_merchant(&db, "91341721MA3R7T8U9K").await;
    let anon = "";
    let to = post_form(
        &app,
        "/complain/file",
        anon,
        &format!("plaque={token}&industry=catering&name=%E5%AD%99%E4%B8%BD&phone=13955667788&summary=%E8%8F%9C%E5%93%81%E4%B8%AD%E5%8F%91%E7%8E%B0%E5%BC%82%E7%89%A9%EF%BC%8C%E8%A6%81%E6%B1%82%E9%80%80%E6%AC%BE%E3%80%82"),
    )
    .await;
    let code = to
        .strip_prefix("/track/")
        .and_then(|s| s.strip_suffix("?done=filed"))
        .unwrap_or_else(|| panic!("{to}"));
    let c = db.complaint_by_code(code).await.unwrap().unwrap();
    assert_eq!(
        (c.status.as_str(), c.organisation_id, c.channel.as_str()),
        ("negotiating", Some(org.id), "qr")
    );
    // A bad phone is refused with everything kept.
    let to = post_form(
        &app,
        "/complain/file",
        anon,
        &format!("plaque={token}&industry=catering&name=x&phone=123&summary=0123456789ab"),
    )
    .await;
    assert!(
        to.contains("error=phone") && to.contains("summary=0123456789ab"),
        "{to}"
    );

    let applicant = session_for(
        &db,
        db.account_by_login("91341721MA3R7T8U9K")
            .await
            .unwrap()
            .unwrap()
            .id,
        77,
    )
    .await;
    let (_, desk) = get_body(&app, "/desk", &applicant).await;
    assert!(desk.contains("菜品中发现异物"), "the desk lists it");
    let to = post_form(
        &app,
        &format!("/desk/{}", c.id),
        &applicant,
        "action=settle&recovered=-1",
    )
    .await;
    assert!(to.contains("error=amount"), "{to}");
    let to = post_form(
        &app,
        &format!("/desk/{}", c.id),
        &applicant,
        "action=settle&recovered=88.50",
    )
    .await;
    assert!(to.starts_with("/desk?done=settle"), "{to}");
    let (_, tracked) = get_body(&app, &format!("/track/{code}"), anon).await;
    let link = tracked
        .split("/rate/")
        .nth(1)
        .and_then(|s| s.split("/vote").next())
        .unwrap()
        .to_string();
    let mine = store::complaints::ComplaintFilter {
        organisation_id: Some(org.id),
        ..Default::default()
    };
    assert_eq!(
        db.complaint_figures(&mine)
            .await
            .unwrap()
            .counts
            .satisfaction_rate(),
        None
    );
    let to = post_form(
        &app,
        &format!("/rate/{link}/vote"),
        anon,
        "rating=satisfied",
    )
    .await;
    assert!(to.ends_with("?done=thanks"), "{to}");
    let to = post_form(
        &app,
        &format!("/rate/{link}/vote"),
        anon,
        "rating=dissatisfied",
    )
    .await;
    assert!(to.ends_with("?error=already"), "{to}");
    let forged = format!("{}-{}", c.id, "0".repeat(32));
    let to = post_form(
        &app,
        &format!("/rate/{forged}/vote"),
        anon,
        "rating=dissatisfied",
    )
    .await;
    assert!(to.ends_with("?error=state"), "{to}");
    assert_eq!(
        db.complaint_figures(&mine)
            .await
            .unwrap()
            .counts
            .satisfaction_rate(),
        Some(1.0)
    );
}

/// The dashboard: a leader scoped to a township asking for the county gets their
/// township; tables export as CSV with the roll-ups' figures; the change stream sends
/// an event when a complaint is written (here through the store, as another instance
/// would).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_is_scoped_exports_its_tables_and_streams_changes() {
    use futures::StreamExt;
    let db = fresh_db().await;
    db.seed_reference_data().await.unwrap();
    let st = state(db.store.clone());
    {
        let store = db.store.clone();
        let live = st.app.live.clone();
        tokio::spawn(async move { store.watch_changes(live).await });
    }
    let app = router(st);
    let leader = sessions_for_every_role(&db)
        .await
        .into_iter()
        .find(|(r, _)| *r == Role::Leader)
        .unwrap()
        .1;
    let townships = vec!["341721100".to_string(), "341721101".to_string()];
    let today = app::review::common::today(&db.store).await;
    let plan = domain::generate::ComplaintPlan {
        first_year: 2024,
        today,
        townships: &townships,
        businesses: &[],
        seed: 5,
    };
    let rows: Vec<_> = (0..400).map(|i| (plan.complaint(i).record, None)).collect();
    db.insert_generated_complaints(&rows).await.unwrap();

    // Scoped to 尧渡镇: the county's ranking is not theirs to see; their units are.
    let (status, _) = get_body(&app, "/dashboard/export/ranking.csv?area=341721", &leader).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, units) = get_body(&app, "/dashboard/export/units.csv", &leader).await;
    assert_eq!(status, StatusCode::OK);
    assert!(units.contains("单位,受理,办结,处理率"), "{units}");
    // The trend's figures are the roll-ups': this year's accepted, month by month.
    let (status, trend) = get_body(&app, "/dashboard/export/trend.csv", &leader).await;
    assert_eq!(status, StatusCode::OK);
    let year = chrono::Datelike::year(&today);
    let accepted_in_csv: u64 = trend
        .lines()
        .filter(|l| l.starts_with(&format!("{year}-")))
        .map(|l| l.split(',').nth(1).unwrap().replace(['"', ','], ""))
        .map(|n| n.parse::<u64>().unwrap_or(0))
        .sum();
    let expected: u64 = rows
        .iter()
        .filter(|(r, _)| r.area_code == "341721100")
        .map(|(r, _)| {
            domain::complaint::counts_of(&r.facts, |d| chrono::Datelike::year(&d) == year).accepted
        })
        .sum();
    assert_eq!(accepted_in_csv, expected, "{trend}");
    let (status, svg) = get_body(&app, "/dashboard/chart/trend.svg", &leader).await;
    assert_eq!(status, StatusCode::OK);
    assert!(svg.contains("<svg") && svg.contains("<title"));
    let (status, xlsx) = get_body(&app, "/dashboard/export/all.xlsx", &leader).await;
    assert_eq!(status, StatusCode::OK);
    assert!(xlsx.starts_with("PK"));

    // The change stream: a greeting, then an event after a write.
    let req = Request::builder()
        .uri("/dashboard/live")
        .header("cookie", &leader)
        .body(Body::empty())
        .unwrap();
    let res = app.clone().oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "text/event-stream");
    let mut body = res.into_body().into_data_stream();
    let hello = body.next().await.unwrap().unwrap();
    assert!(String::from_utf8_lossy(&hello).contains("retry: 1000"));
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let mut one = plan.complaint(10_000).record;
    one.number = Some("LIVE-1".into());
    db.insert_generated_complaints(&[(one, None)])
        .await
        .unwrap();
    let event = tokio::time::timeout(std::time::Duration::from_secs(2), body.next())
        .await
        .expect("an event within 2 s")
        .unwrap()
        .unwrap();
    assert!(String::from_utf8_lossy(&event).contains("event: change"));
}
