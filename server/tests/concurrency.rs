//! Pages rendered side by side on a multi-threaded runtime, as a busy server renders
//! them. A page's head was once read after its render, outside the request's reactive
//! arena, and under load a few percent of pages panicked (`layout::Title` tells the
//! story); every answer here must be a whole page.

mod common;
use common::*;

use axum::http::StatusCode;
use server::http::router;
use testkit::fresh_db;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn public_pages_rendered_concurrently_all_answer_whole() {
    let db = fresh_db().await;
    db.seed_reference_data().await.unwrap();
    let app = router(state(db.store.clone()));
    let tasks: Vec<_> = (0..16)
        .map(|t| {
            let app = app.clone();
            tokio::spawn(async move {
                let mut answered = 0;
                for i in 0..40 {
                    let path = ["/", "/units?per=50", "/notice", "/complain"][(t + i) % 4];
                    let res = send(&app, "GET", path, None, FORM, Vec::new()).await;
                    assert_eq!(res.status(), StatusCode::OK, "{path}");
                    let body = axum::body::to_bytes(res.into_body(), 4 * 1024 * 1024)
                        .await
                        .unwrap();
                    let html = String::from_utf8_lossy(&body);
                    assert!(
                        html.contains("<title>") && html.contains("</html>"),
                        "{path}: not a whole page: {html:.300}"
                    );
                    answered += 1;
                }
                answered
            })
        })
        .collect();
    let mut answered = 0;
    for t in tasks {
        answered += t.await.expect("a page render panicked");
    }
    assert_eq!(answered, 16 * 40);
}
