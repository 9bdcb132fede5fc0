//! Attacks found on an attacker's walk, replayed through the real router, each against
//! the fix that stops it. Runs on SQLite and PostgreSQL.

mod applications;
#[path = "../common/mod.rs"]
mod common;

use common::*;

use axum::http::StatusCode;
use domain::Role;
use server::http::router;
use testkit::fresh_db;

const TEMP: &str = "Temp-Pass-2026!";
const NEW: &str = "Dongzhi-Staff-2026!";

/// Signs in with login and password; the session cookie the server set.
async fn sign_in(app: &axum::Router, login: &str, password: &str) -> String {
    let res = send(
        app,
        "POST",
        "/api/login",
        None,
        FORM,
        format!("login={login}&password={password}").into_bytes(),
    )
    .await;
    assert!(
        res.status().is_success() || res.status().is_redirection(),
        "{}",
        res.status()
    );
    cookie_of(&res).expect("a session cookie")
}

fn cookie_of(res: &axum::response::Response) -> Option<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("fx_session=") && !c.starts_with("fx_session=;"))
        .map(|c| c.split(';').next().unwrap().to_string())
}

/// The stage the server says this cookie's session is at, or None when signed out.
async fn stage_of(app: &axum::Router, cookie: &str) -> Option<String> {
    let res = send(app, "POST", "/api/whoami", Some(cookie), FORM, Vec::new()).await;
    let body = axum::body::to_bytes(res.into_body(), 1 << 20)
        .await
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    v.get("stage").and_then(|s| s.as_str()).map(str::to_string)
}

async fn new_staff(store: &store::Store, login: &str, role: &str) -> i64 {
    let input = app::accounts::admin::StaffInput {
        login: login.into(),
        display_name: "新员工".into(),
        role: role.into(),
        area: "341721100".into(),
        mobile: "13905660000".into(),
        member_unit: String::new(),
    };
    use app::usecases::accounts::{create_staff, Provisioner};
    create_staff(store, Provisioner::Operator("test"), &input, TEMP)
        .await
        .unwrap()
}

fn code_now(secret: &str, offset: i64) -> String {
    let key = domain::totp::base32_decode(secret).unwrap();
    let now = (chrono::Utc::now().timestamp() + offset * 30) as u64;
    domain::totp::code_at(&key, now)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_half_finished_sign_in_cannot_skip_totp_after_the_holder_finishes_setup() {
    let db = fresh_db().await;
    db.seed_reference_data().await.unwrap();
    let app = router(state(db.store.clone()));
    new_staff(&db, "newclerk", "township_reviewer").await;

    // The attacker has the temporary password and stops at the password step.
    let attacker = sign_in(&app, "newclerk", TEMP).await;
    assert_eq!(
        stage_of(&app, &attacker).await.as_deref(),
        Some("ChangePassword")
    );

    // The real holder signs in, sets a password and enrols an authenticator.
    let holder = sign_in(&app, "newclerk", TEMP).await;
    let res = send(
        &app,
        "POST",
        "/api/change_password",
        Some(&holder),
        FORM,
        format!("new_password={NEW}&password_confirm={NEW}").into_bytes(),
    )
    .await;
    let holder = cookie_of(&res).expect("a new token after a password change");
    assert_eq!(stage_of(&app, &holder).await.as_deref(), Some("EnrolTotp"));
    let res = send(
        &app,
        "POST",
        "/api/totp_enrolment",
        Some(&holder),
        FORM,
        Vec::new(),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let body = axum::body::to_bytes(res.into_body(), 1 << 20)
        .await
        .unwrap();
    let secret = serde_json::from_slice::<serde_json::Value>(&body).unwrap()["secret"]
        .as_str()
        .unwrap()
        .to_string();
    let res = send(
        &app,
        "POST",
        "/api/confirm_totp",
        Some(&holder),
        FORM,
        format!("code={}", code_now(&secret, 0)).into_bytes(),
    )
    .await;
    let holder = cookie_of(&res).expect("a new token after enrolment");
    assert_eq!(stage_of(&app, &holder).await.as_deref(), Some("Full"));

    // The attacker's session was ended by the holder's new password; a replay of its
    // password step gets nothing, and it never becomes a signed-in session.
    let status = call(
        &app,
        "POST",
        "/api/change_password",
        Some(&attacker),
        &format!("new_password={NEW}x&password_confirm={NEW}x"),
    )
    .await;
    assert!(
        status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN,
        "{status}"
    );
    assert_eq!(stage_of(&app, &attacker).await, None);
    // The holder's password is the holder's.
    let account = db.account_by_login("newclerk").await.unwrap().unwrap();
    assert!(
        app::accounts::session::verify_password(NEW.into(), account.password_hash)
            .await
            .unwrap()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_that_proved_no_second_factor_owes_it_even_when_the_account_has_one() {
    let db = fresh_db().await;
    db.seed_reference_data().await.unwrap();
    let app = router(state(db.store.clone()));
    let id = new_staff(&db, "halfway", "county_office").await;

    // A session at the password step; meanwhile the account gets an authenticator (as if
    // its holder had enrolled through another session that did not end this one).
    let attacker = sign_in(&app, "halfway", TEMP).await;
    let secret = domain::totp::base32_encode(&[7u8; 20]);
    db.set_totp_secret(id, &secret).await.unwrap();
    db.use_totp_step(id, 1, &store::audit::AuditEvent::default())
        .await
        .unwrap();
    let res = send(
        &app,
        "POST",
        "/api/change_password",
        Some(&attacker),
        FORM,
        format!("new_password={NEW}&password_confirm={NEW}").into_bytes(),
    )
    .await;
    let after = cookie_of(&res).expect("rotated");
    // It must still prove the code: the account's enrolment does not vouch for it.
    assert_eq!(stage_of(&app, &after).await.as_deref(), Some("VerifyTotp"));
    assert_eq!(
        stage_of(&app, &attacker).await,
        None,
        "the old token is dead"
    );

    // And a session at the enrolment step cannot replace an enrolled secret.
    db.set_password(id, "x", true, &store::audit::AuditEvent::default())
        .await
        .unwrap();
    let account = db.account(id).await.unwrap().unwrap();
    assert!(account.totp_enrolled);
    let res = send(
        &app,
        "POST",
        "/api/totp_enrolment",
        Some(&after),
        FORM,
        Vec::new(),
    )
    .await;
    assert_ne!(res.status(), StatusCode::OK);
    assert_eq!(
        db.account(id)
            .await
            .unwrap()
            .unwrap()
            .totp_secret
            .as_deref(),
        Some(secret.as_str())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_system_administrator_cannot_make_or_reset_an_administrator() {
    let db = fresh_db().await;
    db.seed_reference_data().await.unwrap();
    let cookies = sessions_for_every_role(&db).await;
    let admin = &cookies
        .iter()
        .find(|(r, _)| *r == Role::SystemAdmin)
        .unwrap()
        .1;
    let app = router(state(db.store.clone()));
    for (i, role) in ["audit_admin", "security_admin", "system_admin"]
        .iter()
        .enumerate()
    {
        let body = format!(
            "login=second{i}&display_name=x&role={role}&area=341721100&mobile=13905660000&member_unit="
        );
        assert_eq!(
            call(&app, "POST", "/api/create_staff", Some(admin), &body).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{role}"
        );
        assert!(db
            .account_by_login(&format!("second{i}"))
            .await
            .unwrap()
            .is_none());
    }
    // A business role is fine, and its creation is audited.
    let body = "login=clerk1&display_name=x&role=township_reviewer&area=341721100&mobile=13905660000&member_unit=";
    assert_eq!(
        call(&app, "POST", "/api/create_staff", Some(admin), body).await,
        StatusCode::OK
    );
    let created = db
        .audit_entries(&store::audit::AuditFilter {
            action: Some("account.create".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(
        created
            .iter()
            .any(|e| e.event.summary.contains("login=clerk1")),
        "{created:?}"
    );
    // Nor may it reset an administrator's password (and then sign in as it).
    let status = call(
        &app,
        "POST",
        "/api/reset_password",
        Some(admin),
        "login=matrix-audit_admin",
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let status = call(
        &app,
        "POST",
        "/api/reset_password",
        Some(admin),
        "login=clerk1",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
}

/// A page's HTML, as a browser would get it.
async fn page_html(app: &axum::Router, path: &str, cookie: Option<&str>) -> (StatusCode, String) {
    let req = axum::http::Request::builder()
        .uri(path)
        .header("accept", "text/html");
    let req = match cookie {
        Some(c) => req.header("cookie", c),
        None => req,
    };
    let res = tower::ServiceExt::oneshot(app.clone(), req.body(axum::body::Body::empty()).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let body = axum::body::to_bytes(res.into_body(), 8 << 20)
        .await
        .unwrap();
    (status, String::from_utf8_lossy(&body).into_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn text_refilled_into_a_textarea_stays_text() {
    let db = fresh_db().await;
    db.seed_reference_data().await.unwrap();
    let cookies = sessions_for_every_role(&db).await;
    let office = &cookies
        .iter()
        .find(|(r, _)| *r == Role::CountyOffice)
        .unwrap()
        .1;
    let app = router(state(db.store.clone()));
    let attack = "%3C%2Ftextarea%3E%3Ch1%3EX%3C%2Fh1%3E%3Cmeta%20http-equiv%3Drefresh%20content%3D0%3Burl%3D%2F%2Fevil.example%3E";
    for (path, cookie) in [
        (format!("/complain?summary={attack}"), None),
        (
            format!("/complaints/new?summary={attack}"),
            Some(office.as_str()),
        ),
    ] {
        let (status, html) = page_html(&app, &path, cookie).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(!html.contains("<h1>X</h1>"), "{path}: markup injected");
        assert!(
            !html.contains("<meta http-equiv=refresh"),
            "{path}: meta injected"
        );
        assert!(
            html.contains("&lt;/textarea&gt;&lt;h1&gt;X&lt;/h1&gt;"),
            "{path}: the text is kept as text"
        );
    }
}

async fn get_with(
    app: &axum::Router,
    path: &str,
    headers: &[(&str, &str)],
    peer: Option<&str>,
) -> axum::response::Response {
    let mut req = axum::http::Request::builder().uri(path);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let mut req = req.body(axum::body::Body::empty()).unwrap();
    if let Some(p) = peer {
        req.extensions_mut().insert(axum::extract::ConnectInfo(
            p.parse::<std::net::SocketAddr>().unwrap(),
        ));
    }
    tower::ServiceExt::oneshot(app.clone(), req).await.unwrap()
}

async fn text_of(res: axum::response::Response) -> String {
    let body = axum::body::to_bytes(res.into_body(), 8 << 20)
        .await
        .unwrap();
    String::from_utf8_lossy(&body).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forged_host_header_never_reaches_links_qr_codes_or_kept_pages() {
    let db = fresh_db().await;
    db.seed_reference_data().await.unwrap();
    let mut st = state(db.store.clone());
    st.app.public_origin = "https://fangxin.example.gov.cn".into();
    st.pages = server::page_cache::PageCache::new(std::time::Duration::from_secs(5), None);
    let app = router(st);
    let forged = [
        ("host", "evil.example"),
        ("x-forwarded-proto", "https"),
        ("x-forwarded-host", "evil.example"),
    ];
    let robots = text_of(get_with(&app, "/robots.txt", &forged, None).await).await;
    assert!(
        robots.contains("Sitemap: https://fangxin.example.gov.cn/sitemap.xml"),
        "{robots}"
    );
    for path in ["/", "/units"] {
        let poisoned = text_of(get_with(&app, path, &forged, None).await).await;
        assert!(
            !poisoned.contains("evil.example"),
            "{path} took the forged host"
        );
        // And what a later visitor gets (possibly the kept copy) names the real site.
        let later = text_of(get_with(&app, path, &[], None).await).await;
        assert!(
            !later.contains("evil.example"),
            "{path} kept the forged host"
        );
        assert!(
            later.contains("https://fangxin.example.gov.cn"),
            "{path} names the public address"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_language_switch_goes_back_only_to_a_page_of_this_site() {
    let db = fresh_db().await;
    let app = router(state(db.store.clone()));
    for (next, to) in [
        ("/%09/evil.example", "/"),
        ("//evil.example", "/"),
        ("/%5Cevil.example", "/"),
        ("https://evil.example", "/"),
        ("/units%3Fq%3D1", "/units?q=1"),
    ] {
        let res = get_with(&app, &format!("/lang/en?next={next}"), &[], None).await;
        assert!(res.status().is_redirection(), "{next}");
        assert_eq!(res.headers()["location"], to, "{next}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_protected_page_has_one_address_and_its_variants_lead_to_it() {
    let db = fresh_db().await;
    db.seed_reference_data().await.unwrap();
    let cookies = sessions_for_every_role(&db).await;
    let admin = &cookies
        .iter()
        .find(|(r, _)| *r == Role::SystemAdmin)
        .unwrap()
        .1;
    let app = router(state(db.store.clone()));
    for variant in [
        "/audit/",
        "/./audit",
        "//audit",
        "/admin/../audit",
        "/audit//",
    ] {
        let res = get_with(&app, variant, &[("cookie", admin)], None).await;
        assert_eq!(res.status(), StatusCode::PERMANENT_REDIRECT, "{variant}");
        assert_eq!(res.headers()["location"], "/audit", "{variant}");
    }
    let res = get_with(&app, "/admin/users/?x=1", &[("cookie", admin)], None).await;
    assert_eq!(res.headers()["location"], "/admin/users?x=1");
    // The address itself: the system administrator may not read the audit log.
    let res = get_with(&app, "/audit", &[("cookie", admin)], None).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lockout_ends_no_session_and_unknown_logins_answer_alike() {
    let db = fresh_db().await;
    db.seed_reference_data().await.unwrap();
    let app = router(state(db.store.clone()));
    let id = new_staff(&db, "victim", "township_reviewer").await;
    let session = session_for(&db, id, 77).await;
    let mut known = Vec::new();
    let mut unknown = Vec::new();
    for i in 0..6 {
        known.push(
            call(
                &app,
                "POST",
                "/api/login",
                None,
                &format!("login=victim&password=Wrong-{i}"),
            )
            .await,
        );
        unknown.push(
            call(
                &app,
                "POST",
                "/api/login",
                None,
                &format!("login=nobody-here&password=Wrong-{i}"),
            )
            .await,
        );
    }
    assert_eq!(known, unknown, "the answers tell which logins exist");
    assert_eq!(known[4], StatusCode::LOCKED);
    // The holder's session is untouched.
    assert!(db
        .session(&app::accounts::session::token_hash(
            session.trim_start_matches("fx_session=")
        ))
        .await
        .unwrap()
        .is_some());
}

#[test]
fn the_client_address_comes_from_x_forwarded_for_only_behind_a_trusted_proxy() {
    use server::guards::client_ip;
    let ip = |s: &str| s.parse::<std::net::IpAddr>().unwrap();
    let mut h = axum::http::HeaderMap::new();
    h.insert(
        "x-forwarded-for",
        "1.2.3.4, 198.51.100.7, 10.0.0.2".parse().unwrap(),
    );
    // From an untrusted peer the header is someone's claim: ignored.
    assert_eq!(
        client_ip(Some(ip("203.0.113.9")), &h, &[]),
        Some(ip("203.0.113.9"))
    );
    // Behind the trusted proxy (and its own hop): the nearest untrusted address.
    let trusted = [ip("10.0.0.1"), ip("10.0.0.2")];
    assert_eq!(
        client_ip(Some(ip("10.0.0.1")), &h, &trusted),
        Some(ip("198.51.100.7"))
    );
    assert_eq!(
        client_ip(Some(ip("10.0.0.1")), &Default::default(), &trusted),
        Some(ip("10.0.0.1"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_are_for_this_machine_and_configured_monitors_only() {
    let db = fresh_db().await;
    let mut st = state(db.store.clone());
    st.app.metrics_allowed = vec!["192.0.2.10".parse().unwrap()];
    let app = router(st);
    let status = |peer| {
        let app = app.clone();
        async move { get_with(&app, "/metrics", &[], peer).await.status() }
    };
    assert_eq!(status(Some("127.0.0.1:5000")).await, StatusCode::OK);
    assert_eq!(status(Some("192.0.2.10:5000")).await, StatusCode::OK);
    assert_eq!(
        status(Some("203.0.113.9:5000")).await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(status(None).await, StatusCode::NOT_FOUND);
}
