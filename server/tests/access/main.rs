//! The access policy, tested through the real router: every server function and page
//! has an entry; every endpoint is called as every role and as nobody; and a township
//! reviewer cannot open another township's applicant. Runs on SQLite and PostgreSQL.

#[path = "../common/mod.rs"]
mod common;
mod complaints;
mod county_office;

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
