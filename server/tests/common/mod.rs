//! Helpers shared by the server's integration tests: a router on a test database,
//! one signed-in session per role, and a request that reports its status.
#![allow(dead_code)]

use app::accounts::session::token_hash;
use app::state::{AppState, AuthSettings};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use domain::Role;
use leptos::prelude::LeptosOptions;
use server::http::router;
use server::http::ServerState;
use server::metrics::Metrics;
use testkit::fresh_db;
use tower::ServiceExt;

pub fn state(store: store::Store) -> ServerState {
    state_with_objects(
        store,
        store::objects::ObjectStore::LocalDir(std::env::temp_dir().join("fx-access-objects")),
    )
}

pub fn state_with_objects(
    store: store::Store,
    objects: store::objects::ObjectStore,
) -> ServerState {
    ServerState {
        leptos: LeptosOptions::builder().output_name("fangxin").build(),
        app: AppState::new(store, AuthSettings::default(), objects),
        metrics: Metrics::default(),
        pages: server::page_cache::PageCache::off(),
    }
}

/// One account and one signed-in session per role; returns (role, cookie).
/// The applicant of the role matrix signs in with its credit code.
pub const MATRIX_APPLICANT: &str = "91341721MA2N0Y7B3X";

pub async fn sessions_for_every_role(store: &store::Store) -> Vec<(Role, String)> {
    let mut out = Vec::new();
    for (i, role) in Role::ALL.into_iter().enumerate() {
        let id = if role == Role::Applicant {
            // An applicant is an organisation's account.
            store
                .create_organisation_account(
                    &store::accounts::NewOrganisation {
                        credit_code: MATRIX_APPLICANT,
                        name: "matrix",
                        category_code: "unit",
                        area_code: "341721100",
                        contact_name: "matrix",
                        contact_mobile: "13800000000",
                        password_hash: "x",
                    },
                    &store::audit::AuditEvent::default(),
                )
                .await
                .unwrap()
        } else {
            store
                .create_staff_account(
                    &store::accounts::NewStaff {
                        login: &format!("matrix-{}", role.code()),
                        display_name: "matrix",
                        role: role.code(),
                        area_code: "341721100",
                        member_unit_code: None,
                        mobile: "13800000000",
                        password_hash: "x",
                    },
                    &store::audit::AuditEvent::default(),
                )
                .await
                .unwrap()
        };
        let token = format!("{:064x}", i + 1);
        store
            .create_session(
                &token_hash(&token),
                id,
                "full",
                "9999-12-31T00:00:00.000000Z",
                "test",
            )
            .await
            .unwrap();
        out.push((role, format!("fx_session={token}")));
    }
    out
}

/// What the policy sees for a fully signed-in caller of this role.
pub fn signed_in_as(role: Role) -> app::accounts::CurrentUser {
    app::accounts::CurrentUser {
        account_id: 0,
        login: String::new(),
        display_name: String::new(),
        role,
        area_code: "341721100".into(),
        stage: app::accounts::Stage::Full,
        totp_enrolled: true,
        token_hash: String::new(),
    }
}

/// Some endpoints end the caller's session (sign out); give every call a live one.
pub async fn renew(store: &store::Store, cookie: Option<&str>) {
    let Some(token) = cookie.and_then(|c| c.strip_prefix("fx_session=")) else {
        return;
    };
    let hash = token_hash(token);
    let n = usize::from_str_radix(token.trim_start_matches('0'), 16).unwrap();
    store.delete_session(&hash).await.unwrap();
    let login = match Role::ALL[n - 1] {
        Role::Applicant => MATRIX_APPLICANT.to_string(),
        role => format!("matrix-{}", role.code()),
    };
    let id = store.account_by_login(&login).await.unwrap().unwrap().id;
    store
        .create_session(&hash, id, "full", "9999-12-31T00:00:00.000000Z", "test")
        .await
        .unwrap();
}

/// Sends a request as a same-site page would, asking for JSON. A hang fails the test
/// with the endpoint's name instead of stalling the run.
pub async fn send(
    app: &axum::Router,
    method: &str,
    path: &str,
    cookie: Option<&str>,
    content_type: &str,
    body: Vec<u8>,
) -> axum::response::Response {
    let mut req = Request::builder()
        .method(method)
        .uri(path)
        .header("content-type", content_type)
        .header("sec-fetch-site", "same-origin")
        .header("accept", "application/json");
    if let Some(c) = cookie {
        req = req.header("cookie", c);
    }
    tokio::time::timeout(
        std::time::Duration::from_secs(30),
        app.clone().oneshot(req.body(Body::from(body)).unwrap()),
    )
    .await
    .unwrap_or_else(|_| panic!("{method} {path} did not answer within 30 s"))
    .unwrap()
}

/// A form request's status; a redirect to the sign-in page is reported as 401, so that
/// pages and functions read alike.
pub async fn call(
    app: &axum::Router,
    method: &str,
    path: &str,
    cookie: Option<&str>,
    body: &str,
) -> StatusCode {
    let res = send(app, method, path, cookie, FORM, body.as_bytes().to_vec()).await;
    let to_login = res
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .is_some_and(|l| l.starts_with("/login"));
    if res.status() == StatusCode::SEE_OTHER && to_login {
        StatusCode::UNAUTHORIZED
    } else {
        res.status()
    }
}

pub const FORM: &str = "application/x-www-form-urlencoded";

/// A signed-in session for an account created here.
pub async fn session_for(store: &store::Store, account: i64, token_seed: u32) -> String {
    let token = format!("{:064x}", 0xf00000 + token_seed);
    store
        .create_session(
            &token_hash(&token),
            account,
            "full",
            "9999-12-31T00:00:00.000000Z",
            "test",
        )
        .await
        .unwrap();
    format!("fx_session={token}")
}

/// A fresh database and router, and a signed-in county office session.
pub async fn as_county_office() -> (testkit::TestDb, axum::Router, String) {
    let db = fresh_db().await;
    db.seed_reference_data().await.unwrap();
    let app = router(state(db.store.clone()));
    let office = sessions_for_every_role(&db)
        .await
        .into_iter()
        .find(|(r, _)| *r == Role::CountyOffice)
        .unwrap()
        .1;
    (db, app, office)
}

/// Like `call`, but returns where a redirect points.
pub async fn post_form(app: &axum::Router, path: &str, cookie: &str, body: &str) -> String {
    let req = Request::builder()
        .method("POST")
        .uri(path)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("sec-fetch-site", "same-origin")
        .header("cookie", cookie)
        .body(Body::from(body.to_string()))
        .unwrap();
    let res = app.clone().oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{path}");
    res.headers()["location"].to_str().unwrap().to_string()
}

/// A passed application of a new merchant, ready for a notice: (application, batch).
pub async fn passed_application(db: &store::Store, code: &str) -> (i64, i64) {
    let account = db
        .create_organisation_account(
            &store::accounts::NewOrganisation {
                credit_code: code,
                name: "公示测试店",
                category_code: "unit",
                area_code: "341721100",
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
            &store::reviews::NewTownshipReview {
                application_id: id,
                reviewer_id: account,
                decision: store::reviews::Decision::Pass,
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
            &store::county::NewPanelResult {
                application_id: id,
                round: 1,
                method: "mean",
                score_tenths: 900,
                spread: 0,
                vetoed: false,
                passed: true,
                decided_by: account,
                rectification: None,
            },
            &store::audit::AuditEvent::default()
        )
        .await
        .unwrap());
    (id, batch)
}

pub async fn get_body(app: &axum::Router, path: &str, cookie: &str) -> (StatusCode, String) {
    let req = Request::builder()
        .uri(path)
        .header("cookie", cookie)
        .body(Body::empty())
        .unwrap();
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

/// A passed merchant recognised with a plaque: its organisation and the plaque's token.
pub async fn recognised_merchant(
    db: &store::Store,
    code: &str,
) -> (store::accounts::Organisation, &'static str) {
    let (application, _) = passed_application(db, code).await;
    let org = db.organisation_by_credit_code(code).await.unwrap().unwrap();
    let token = "00112233445566778899aabbccddeeff";
    sqlx::query(
        "INSERT INTO recognitions (application_id, organisation_id, certificate_no, token, \
         recognised_on, valid_until) VALUES ($1, $2, 'C-1', $3, '2026-01-01', '2099-12-31')",
    )
    .bind(application)
    .bind(org.id)
    .bind(token)
    .execute(db.pool())
    .await
    .unwrap();
    (org, token)
}
