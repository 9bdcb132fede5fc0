//! The public page cache (`server::page_cache`), through the real router: a visitor who
//! is not signed in gets a kept copy with this response's own nonce; a write on this
//! instance, or a change another instance announces, ends every kept copy at once; a
//! signed-in user always gets a fresh render. Runs on SQLite and PostgreSQL.

mod common;
use common::*;

use axum::http::StatusCode;
use server::http::router;
use server::page_cache::PageCache;
use std::time::Duration;
use testkit::fresh_db;

async fn get(app: &axum::Router, path: &str, cookie: Option<&str>) -> (String, String) {
    let res = send(app, "GET", path, cookie, "text/html", Vec::new()).await;
    assert_eq!(res.status(), StatusCode::OK, "GET {path}");
    let csp = res
        .headers()
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let body = axum::body::to_bytes(res.into_body(), usize::MAX)
        .await
        .unwrap();
    (String::from_utf8(body.to_vec()).unwrap(), csp)
}

/// Where the recognised units' licences go (kept for the test's length).
fn files() -> (store::objects::ObjectStore, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    (
        store::objects::ObjectStore::LocalDir(dir.path().to_path_buf()),
        dir,
    )
}

fn units_listed(page: &str) -> usize {
    page.matches("href=\"/units/").count()
}

fn nonce_of(csp: &str) -> &str {
    csp.split("'nonce-")
        .nth(1)
        .and_then(|r| r.split('\'').next())
        .unwrap_or("")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kept_public_page_ends_with_any_write_and_never_reaches_a_signed_in_user() {
    let db = fresh_db().await;
    db.seed_reference_data().await.unwrap();
    let files = files();
    let sessions = sessions_for_every_role(&db.store).await;
    tools::loadgen::ensure_recognised_units(&db.store, &files.0, 3)
        .await
        .unwrap();
    let mut state = state(db.store.clone());
    // A TTL far longer than the test: whatever ends a copy here is a write, not time.
    state.pages = PageCache::new(Duration::from_secs(600), Some(state.app.live.subscribe()));
    let live = state.app.live.clone();
    let app = router(state);

    let (first, first_csp) = get(&app, "/units", None).await;
    assert_eq!(units_listed(&first), 3);

    // Another instance recognises a unit and has not announced it yet: the kept copy is
    // sent, each time with a fresh nonce in the header (and in the page, if it has one).
    tools::loadgen::ensure_recognised_units(&db.store, &files.0, 4)
        .await
        .unwrap();
    let (kept, kept_csp) = get(&app, "/units", None).await;
    assert_eq!(units_listed(&kept), 3, "the kept copy was not sent");
    assert_ne!(nonce_of(&first_csp), nonce_of(&kept_csp));
    assert!(!nonce_of(&kept_csp).is_empty());
    assert!(
        !kept.contains(nonce_of(&first_csp)),
        "an old nonce was sent again"
    );
    assert_eq!(
        kept.replace(nonce_of(&kept_csp), "N"),
        first.replace(nonce_of(&first_csp), "N"),
        "a kept copy differs from its render in more than the nonce"
    );

    // A signed-in user is never sent a visitor's copy.
    let (_, cookie) = sessions
        .iter()
        .find(|(r, _)| *r == domain::Role::CountyOffice)
        .unwrap();
    let (signed_in, _) = get(&app, "/units", Some(cookie)).await;
    assert_eq!(units_listed(&signed_in), 4);

    // The other instance's announcement ends the copy.
    live.send("applications".into()).unwrap();
    let (fresh, _) = get(&app, "/units", None).await;
    assert_eq!(units_listed(&fresh), 4);

    // So does any request here that may write, answered before the next read.
    tools::loadgen::ensure_recognised_units(&db.store, &files.0, 5)
        .await
        .unwrap();
    let (still, _) = get(&app, "/units", None).await;
    assert_eq!(units_listed(&still), 4);
    let status = call(
        &app,
        "POST",
        "/api/tracked_complaint",
        None,
        "code=NOSUCHCODE",
    )
    .await;
    assert!(status.is_client_error() || status.is_success(), "{status}");
    let (after_write, _) = get(&app, "/units", None).await;
    assert_eq!(units_listed(&after_write), 5);

    // Each language and each query is its own copy.
    let (english, _) = get(&app, "/units", Some("fx_lang=en")).await;
    assert!(english.contains("lang=\"en\""), "English page expected");
    let (chinese, _) = get(&app, "/units", None).await;
    assert!(chinese.contains("lang=\"zh-CN\""));
    let (none, _) = get(&app, "/units?q=%E6%B2%A1%E6%9C%89%E8%BF%99%E5%AE%B6", None).await;
    assert_eq!(
        units_listed(&none),
        0,
        "a search is not the whole directory"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_the_cache_off_every_visitor_gets_a_fresh_render() {
    let db = fresh_db().await;
    db.seed_reference_data().await.unwrap();
    let files = files();
    tools::loadgen::ensure_recognised_units(&db.store, &files.0, 2)
        .await
        .unwrap();
    let app = router(state(db.store.clone()));
    let (a, _) = get(&app, "/units", None).await;
    assert_eq!(units_listed(&a), 2);
    tools::loadgen::ensure_recognised_units(&db.store, &files.0, 3)
        .await
        .unwrap();
    let (b, _) = get(&app, "/units", None).await;
    assert_eq!(units_listed(&b), 3);
}
