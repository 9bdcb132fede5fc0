//! The public portal: what anyone can read without signing in.

pub mod directory;
pub mod home;
pub mod indicators;
pub mod notices;
pub mod plaque;
pub mod seo;
pub mod unit;

/// Plain HTTP routes of the portal: `/sitemap.xml` and `/robots.txt`, every public
/// page a search engine should know.
pub const ROUTES: &[&str] = &["/sitemap.xml", "/robots.txt"];

#[cfg(feature = "ssr")]
pub fn routes<S>() -> axum::Router<S>
where
    S: Clone + Send + Sync + 'static,
    crate::state::AppState: axum::extract::FromRef<S>,
{
    use axum::routing::get;
    axum::Router::new()
        .route(ROUTES[0], get(search::sitemap))
        .route(ROUTES[1], get(search::robots))
}

#[cfg(feature = "ssr")]
mod search {
    use crate::state::AppState;
    use axum::extract::State;
    use axum::http::{header, StatusCode};
    use axum::response::{IntoResponse, Response};

    pub async fn robots(State(state): State<AppState>) -> Response {
        let origin = state.public_origin.clone();
        (
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            format!(
                "User-agent: *\nDisallow: /api/\nDisallow: /verify/\nDisallow: /certificate/\n\
                 Disallow: /track/\nDisallow: /rate/\nSitemap: {origin}/sitemap.xml\n"
            ),
        )
            .into_response()
    }

    pub async fn sitemap(State(state): State<AppState>) -> Response {
        match pages(&state).await {
            Ok(paths) => {
                let origin = state.public_origin.clone();
                let mut xml = String::from(
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
                     <urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
                );
                for p in paths {
                    xml.push_str(&format!(
                        "  <url><loc>{}{}</loc></url>\n",
                        origin,
                        p.replace('&', "&amp;")
                    ));
                }
                xml.push_str("</urlset>\n");
                (
                    [(header::CONTENT_TYPE, "application/xml; charset=utf-8")],
                    xml,
                )
                    .into_response()
            }
            Err(e) => {
                tracing::error!(error = %e, "sitemap unreadable");
                (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
            }
        }
    }

    /// A sitemap file holds at most 50 000 addresses (sitemaps.org).
    const SITEMAP_UNITS: i64 = 49_000;

    /// The public pages: fixed ones, each category's indicators, each notice, and each
    /// unit whose plaque is valid today.
    async fn pages(state: &AppState) -> Result<Vec<String>, store::StoreError> {
        let store = &state.store;
        let mut paths: Vec<String> = ["/", "/units", "/notice", "/revocations", "/complain"]
            .iter()
            .map(|p| p.to_string())
            .collect();
        paths.extend(
            domain::Category::ALL
                .iter()
                .map(|c| format!("/indicators?category={}", c.code())),
        );
        paths.extend(
            store
                .notices()
                .await?
                .iter()
                .map(|n| format!("/notice/{}", n.id)),
        );
        let today = crate::review::common::today(store)
            .await
            .format("%Y-%m-%d")
            .to_string();
        // The directory's own rule for a valid plaque (not revoked, not expired).
        let (valid, _) = store
            .directory(&store::county::DirectoryQuery {
                today,
                limit: SITEMAP_UNITS,
                ..Default::default()
            })
            .await?;
        paths.extend(valid.iter().map(|r| format!("/units/{}", r.id)));
        Ok(paths)
    }
}
