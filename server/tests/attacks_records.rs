//! More of the attacker's walk, replayed through the real router: markup in every text
//! a page puts back into a textarea, formulas in exported spreadsheets, the client's
//! address in the audit entries of a business's desk, and the schedule that sweeps
//! expired sessions. Runs on SQLite and PostgreSQL.

mod common;
use common::*;

use axum::http::StatusCode;
use server::http::router;
use testkit::fresh_db;

/// Markup that would end a textarea, add a heading and redirect the page if it were
/// written out raw.
const MARKUP: &str = "</textarea><h1>X</h1><meta http-equiv=refresh content=0;url=//evil.example>";
const MARKUP_QUERY: &str = "%3C%2Ftextarea%3E%3Ch1%3EX%3C%2Fh1%3E%3Cmeta%20http-equiv%3Drefresh%20content%3D0%3Burl%3D%2F%2Fevil.example%3E";

fn assert_kept_as_text(page: &str, html: &str, textarea: &str) {
    assert!(
        html.contains(&format!("name=\"{textarea}\"")),
        "{page}: no textarea {textarea} on the page"
    );
    assert!(!html.contains("<h1>X</h1>"), "{page}: markup injected");
    assert!(
        !html.contains("<meta http-equiv=refresh"),
        "{page}: a redirect injected"
    );
    assert!(
        html.contains("&lt;/textarea&gt;&lt;h1&gt;X&lt;/h1&gt;"),
        "{page}: the text is kept as text"
    );
}

/// Percent-encodes every byte but letters and digits, as a form posts it.
fn q(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn markup_in_a_notice_an_indicator_a_rectification_or_a_panel_comment_stays_text() {
    let (db, app, office) = as_county_office().await;

    // A notice's objection form puts back what the URL carries.
    let (on_notice, _) = passed_application(&db, "91110000802100433B").await;
    let to = post_form(
        &app,
        "/notices/create",
        &office,
        &format!("title=T&working_days=5&published_on=2099-01-05&app.{on_notice}=on"),
    )
    .await;
    assert!(to.ends_with("?done=ok.published"), "{to}");
    let notice = db.notice_of_application(on_notice).await.unwrap().unwrap();
    let page = format!(
        "/notice/{notice}?application={on_notice}&facts={MARKUP_QUERY}&evidence={MARKUP_QUERY}"
    );
    let (status, html) = get_body(&app, &page, "").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_kept_as_text(&page, &html, "facts");
    assert_kept_as_text(&page, &html, "evidence");

    // The indicator editor puts back a kept draft's texts.
    let body = format!(
        "category=village&basic_points=100&bonus_cap=15&pass_score=80&r0.group_zh=%E7%BB%84&r0.text_zh={m}&r0.text_en={m}&r0.max_points=60&r0.kind=basic",
        m = q(MARKUP)
    );
    let to = post_form(&app, "/indicators/edit/save", &office, &body).await;
    assert!(to.ends_with("check=1"), "{to}");
    let (status, html) = get_body(&app, &to, &office).await;
    assert_eq!(status, StatusCode::OK, "{to}");
    assert_kept_as_text(&to, &html, "r0.text_zh");

    // A failed application's rectification report, put back for the applicant to edit.
    let (failed, _) = passed_application(&db, "91341721MA2N0Y7B3K").await;
    sqlx::query("UPDATE applications SET state = 'county_review' WHERE id = $1")
        .bind(failed)
        .execute(db.pool())
        .await
        .unwrap();
    let applicant = db
        .account_by_login("91341721MA2N0Y7B3K")
        .await
        .unwrap()
        .unwrap()
        .id;
    assert!(db
        .record_panel_result(
            &store::county::NewPanelResult {
                application_id: failed,
                round: 2,
                method: "mean",
                score_tenths: 600,
                spread: 0,
                vetoed: false,
                passed: false,
                decided_by: applicant,
                rectification: Some(("2026-05-01", "2099-11-01", "[]")),
            },
            &store::audit::AuditEvent::default()
        )
        .await
        .unwrap());
    let merchant = session_for(&db, applicant, 31).await;
    let to = post_form(
        &app,
        &format!("/rectification/{failed}/report"),
        &merchant,
        &format!("report={}", q(MARKUP)),
    )
    .await;
    assert!(to.contains("done=ok.report"), "{to}");
    let page = format!("/rectification/{failed}");
    let (status, html) = get_body(&app, &page, &merchant).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_kept_as_text(&page, &html, "report");

    // A panel member's comment, put back when the scores are reopened.
    let (scored, batch) = passed_application(&db, "91341721MA2N0Y8C14").await;
    sqlx::query("UPDATE applications SET state = 'county_review' WHERE id = $1")
        .bind(scored)
        .execute(db.pool())
        .await
        .unwrap();
    let member = db
        .account_by_login("matrix-panel_member")
        .await
        .unwrap()
        .unwrap()
        .id;
    assert!(db
        .add_panel_member(batch, "unit", member, &store::audit::AuditEvent::default())
        .await
        .unwrap());
    let round = db.current_round(scored).await.unwrap();
    assert!(db
        .assign_reviewer(scored, round, member, &store::audit::AuditEvent::default())
        .await
        .unwrap());
    let assignment = db.assignments_of_application(scored, round).await.unwrap()[0].id;
    assert!(db
        .submit_scores(
            assignment,
            member,
            "[]",
            90,
            false,
            MARKUP,
            &Default::default()
        )
        .await
        .unwrap());
    db.reopen_scores(scored, round, &store::audit::AuditEvent::default())
        .await
        .unwrap();
    let page = format!("/scoring/{assignment}");
    let panel_member = session_for(&db, member, 32).await;
    let (status, html) = get_body(&app, &page, &panel_member).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_kept_as_text(&page, &html, "comment");
}

/// A consumer's complaint from a recognised business's plaque: (complaint id, the
/// business's session).
async fn complaint_at_the_desk(
    db: &store::Store,
    app: &axum::Router,
    summary: &str,
) -> (i64, String) {
    let code = "91341721MA3R7T8U9K";
    let (_, token) = recognised_merchant(db, code).await;
    let to = post_form(
        app,
        "/complain/file",
        "",
        &format!(
            "plaque={token}&industry=catering&name=%E5%AD%99%E4%B8%BD&phone=13955667788&summary={}",
            q(summary)
        ),
    )
    .await;
    let tracking = to
        .strip_prefix("/track/")
        .and_then(|s| s.strip_suffix("?done=filed"))
        .unwrap_or_else(|| panic!("{to}"));
    let complaint = db.complaint_by_code(tracking).await.unwrap().unwrap();
    let account = db.account_by_login(code).await.unwrap().unwrap().id;
    (complaint.id, session_for(db, account, 41).await)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exported_cells_never_start_a_formula() {
    let (db, app, office) = as_county_office().await;
    let formula = "=HYPERLINK(\"http://evil.example\",\"点此查看详情\")";
    complaint_at_the_desk(&db, &app, formula).await;
    let (status, csv) = get_body(&app, "/complaints/export/csv", &office).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        csv.contains("HYPERLINK"),
        "the complaint is exported: {csv}"
    );
    let cells: Vec<&str> = csv
        .lines()
        .skip(1)
        .flat_map(|l| l.split(','))
        .map(|c| c.trim_start_matches('"'))
        .collect();
    for cell in &cells {
        assert!(
            !cell.starts_with(['=', '+', '@', '\t', '\r']),
            "a cell opens as a formula: {cell}"
        );
    }
    assert!(
        cells.iter().any(|c| c.starts_with("'=HYPERLINK")),
        "the formula is kept as text"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_business_desk_records_where_its_actions_came_from() {
    let (db, _, _) = as_county_office().await;
    // Behind the configured proxy, the client is the address the proxy reports.
    let mut st = state(db.store.clone());
    st.app.trusted_proxies = vec!["10.0.0.5".parse().unwrap()];
    let app = router(st);
    let (id, merchant) = complaint_at_the_desk(&db, &app, "菜品中发现异物，要求退款。").await;
    let req = axum::http::Request::builder()
        .method("POST")
        .uri(format!("/desk/{id}"))
        .header("content-type", FORM)
        .header("sec-fetch-site", "same-origin")
        .header("cookie", &merchant)
        .header("x-forwarded-for", "203.0.113.7")
        .body(axum::body::Body::from(
            "action=contact&contacted_on=2026-03-04&offer=%E9%80%80%E6%AC%BE&advance=0",
        ))
        .unwrap();
    let mut req = req;
    req.extensions_mut().insert(axum::extract::ConnectInfo(
        "10.0.0.5:40000".parse::<std::net::SocketAddr>().unwrap(),
    ));
    let res = tower::ServiceExt::oneshot(app.clone(), req).await.unwrap();
    let to = res.headers()["location"].to_str().unwrap().to_string();
    assert!(to.starts_with("/desk?done=contact"), "{to}");
    let entries = db
        .audit_entries(&store::audit::AuditFilter {
            action: Some("complaint.desk.contact".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].event.client_addr, "203.0.113.7");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_schedule_sweeps_expired_sessions_and_old_rate_limit_windows() {
    let db = fresh_db().await;
    db.seed_reference_data().await.unwrap();
    let cookies = sessions_for_every_role(&db).await;
    let live = cookies[0].1.trim_start_matches("fx_session=").to_string();
    let account = db
        .account_by_login(MATRIX_APPLICANT)
        .await
        .unwrap()
        .unwrap()
        .id;
    let stale = app::accounts::session::token_hash(&format!("{:064x}", 0xdead));
    db.create_session(
        &stale,
        account,
        "full",
        "2026-01-01T00:00:00.000000Z",
        "test",
    )
    .await
    .unwrap();
    let now = chrono::Utc::now();
    let minute = now.timestamp() / 60;
    assert!(db
        .rate_limit_hit("login:198.51.100.1", minute - 2000, 5)
        .await
        .unwrap());
    assert!(db
        .rate_limit_hit("login:198.51.100.1", minute, 5)
        .await
        .unwrap());
    let windows = || async {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM rate_limits")
            .fetch_one(db.pool())
            .await
            .unwrap()
    };
    assert_eq!(windows().await, 2);

    server::jobs::sweep(&db, now).await.unwrap();
    assert!(
        db.session(&stale).await.unwrap().is_none(),
        "expired: swept"
    );
    assert!(
        db.session(&app::accounts::session::token_hash(&live))
            .await
            .unwrap()
            .is_some(),
        "live: kept"
    );
    assert_eq!(windows().await, 1, "only the day-old window is swept");
}
