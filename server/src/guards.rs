//! The guards every request passes before a handler: one address per path, the
//! session and access policy, same-origin for changes, body limits, the page's CSP
//! nonce, security and cache headers, and server functions' statuses.

use crate::http::ServerState;
use app::accounts::session::{resolve_session, ClientAddr};
use app::accounts::Stage;
use app::policy::{decide, page_access, server_function_access, Decision};
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
/// `path` with its dot segments resolved, repeated and trailing slashes dropped; None
/// when it is already so.
pub fn canonical(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    let clean = format!("/{}", parts.join("/"));
    (clean != path).then_some(clean)
}

/// One address per page: `/audit/`, `/./audit` and `//audit` are redirected to `/audit`
/// before anything else looks at them, so the access policy, which knows pages by their
/// route, always sees the route (it did not match the variants, and the page rendered).
pub(crate) async fn canonical_path(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    match canonical(req.uri().path()) {
        Some(clean) => {
            let to = match req.uri().query() {
                Some(q) => format!("{clean}?{q}"),
                None => clean,
            };
            Redirect::permanent(&to).into_response()
        }
        None => next.run(req).await,
    }
}

/// The client's address: the peer's, or behind a trusted proxy the nearest address in
/// X-Forwarded-For that is not a trusted proxy itself (read from the right: the left
/// part is whatever the client chose to send).
pub fn client_ip(
    peer: Option<std::net::IpAddr>,
    headers: &axum::http::HeaderMap,
    trusted: &[std::net::IpAddr],
) -> Option<std::net::IpAddr> {
    let peer = peer?;
    if !trusted.contains(&peer) {
        return Some(peer);
    }
    let forwarded: Vec<std::net::IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|a| a.trim().parse().ok())
        .collect();
    Some(
        forwarded
            .into_iter()
            .rev()
            .find(|ip| !trusted.contains(ip))
            .unwrap_or(peer),
    )
}

/// Resolves the session once per request and applies the access policy
/// (`app::policy`) before any handler runs. Unlisted server functions are refused.
pub(crate) async fn authenticate(
    State(state): State<ServerState>,
    mut req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let peer = req
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip());
    let addr = client_ip(peer, req.headers(), &state.app.trusted_proxies)
        .map(|ip| ip.to_string())
        .unwrap_or_else(|| "unknown".into());
    req.extensions_mut().insert(ClientAddr(addr));
    let settings = match state.app.auth_settings().await {
        Ok(s) => s,
        Err(e) => {
            tracing::error!(error = %e, "security settings unreadable");
            return (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response();
        }
    };
    let user = match resolve_session(&state.app.store, req.headers(), &settings).await {
        Ok(u) => u,
        Err(e) => {
            tracing::error!(error = %e, "session lookup failed");
            return (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response();
        }
    };
    let path = req.uri().path().to_string();
    let route = req
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map(|m| m.as_str().to_string());
    if path.starts_with("/api/") {
        let decision = match server_function_access(&path) {
            Some(access) => decide(access, user.as_ref()),
            None => Decision::Forbid,
        };
        let error = match decision {
            Decision::Allow => None,
            Decision::SignIn => Some(app::errors::AppError::SignInRequired),
            Decision::Forbid => Some(app::errors::AppError::Forbidden),
        };
        if let Some(e) = error {
            return (
                StatusCode::from_u16(e.status()).unwrap_or(StatusCode::FORBIDDEN),
                [(header::CONTENT_TYPE, "application/json")],
                serde_json::to_string(&e).unwrap_or_default(),
            )
                .into_response();
        }
    } else if let Some(access) = route.as_deref().and_then(page_access) {
        match decide(access, user.as_ref()) {
            Decision::Allow => {}
            Decision::SignIn => {
                let to = match &user {
                    Some(u) if u.stage != Stage::Full => u.stage.page().to_string(),
                    // Back to the page asked for, query and all, once signed in.
                    _ => format!(
                        "/login?next={}",
                        app::layout::urlencode_path(
                            req.uri()
                                .path_and_query()
                                .map_or(path.as_str(), |p| p.as_str())
                        )
                    ),
                };
                return Redirect::to(&to).into_response();
            }
            Decision::Forbid => {
                return (
                    StatusCode::FORBIDDEN,
                    [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                    "<!DOCTYPE html><html lang=\"zh-CN\"><meta charset=\"utf-8\"><title>403</title>\
                     <p>您没有权限访问此页面。You do not have permission to open this page.</p>\
                     <p><a href=\"/\">返回首页 · Home</a></p></html>",
                )
                    .into_response();
            }
        }
    }
    if let Some(u) = user {
        req.extensions_mut().insert(u);
    }
    next.run(req).await
}

/// Server functions answer every error with 500; give each `AppError` its own status
/// (422 for invalid input, 401, 403, 429 …) so clients and logs tell them apart.
pub(crate) async fn server_fn_status(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let is_api = req.uri().path().starts_with("/api/");
    let req = if is_api {
        match limit_body(req).await {
            Ok(req) => req,
            Err(res) => return res,
        }
    } else {
        req
    };
    let res = next.run(req).await;
    if !is_api || res.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let bytes = match axum::body::to_bytes(body, 64 * 1024).await {
        Ok(b) => b,
        Err(_) => return (StatusCode::INTERNAL_SERVER_ERROR, "").into_response(),
    };
    if let Ok(e) = serde_json::from_slice::<app::errors::AppError>(&bytes) {
        parts.status =
            StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    }
    Response::from_parts(parts, axum::body::Body::from(bytes))
}

/// The most a server function reads from a request body. Their arguments are forms and
/// small JSON documents; files go to the upload endpoints, which have their own limits.
pub const SERVER_FN_BODY_LIMIT: usize = 2 * 1024 * 1024;

/// Reads a server function's body up to `SERVER_FN_BODY_LIMIT`: anything longer is
/// answered 413 with the translated error, before it is decoded.
pub(crate) async fn limit_body(
    req: axum::extract::Request,
) -> Result<axum::extract::Request, Response> {
    let too_large = || {
        (
            StatusCode::PAYLOAD_TOO_LARGE,
            axum::Json(app::errors::AppError::TooLarge),
        )
            .into_response()
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > SERVER_FN_BODY_LIMIT as u64) {
        return Err(too_large());
    }
    let (parts, body) = req.into_parts();
    match axum::body::to_bytes(body, SERVER_FN_BODY_LIMIT).await {
        Ok(bytes) => Ok(axum::extract::Request::from_parts(
            parts,
            axum::body::Body::from(bytes),
        )),
        Err(_) => Err(too_large()),
    }
}

/// Every HTML page gets a fresh nonce for its inline scripts and the CSP naming it. The
/// nonce is chosen here, before rendering, and handed to the renderer through the
/// request (`app::provide_page_nonce`): setting the header from inside the render lost
/// it now and then on lazily loaded routes, and the page then could not hydrate.
pub(crate) async fn page_csp(
    mut req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let nonce: String = app::accounts::session::random_bytes::<16>()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    req.extensions_mut().insert(app::PageNonce(nonce.clone()));
    let mut res = next.run(req).await;
    let is_html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if is_html {
        if let Ok(v) = HeaderValue::from_str(&app::content_security_policy(&nonce)) {
            res.headers_mut().insert(header::CONTENT_SECURITY_POLICY, v);
        }
    }
    res
}

/// Refuses state-changing requests from another site (CSRF), for server functions and
/// forms alike: browsers send Sec-Fetch-Site or Origin with every such request.
pub(crate) async fn same_origin_only(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    use axum::http::Method;
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let headers = req.headers();
    let fetch_site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    let cross = match fetch_site {
        Some(site) => !matches!(site, "same-origin" | "none"),
        None => match (
            headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()),
            headers.get(header::HOST).and_then(|v| v.to_str().ok()),
        ) {
            (Some(origin), Some(host)) => origin.split_once("://").map(|(_, h)| h) != Some(host),
            (Some(_), None) => true,
            _ => false,
        },
    };
    if cross {
        tracing::warn!(path = %req.uri().path(), "cross-site state change refused");
        return (
            StatusCode::FORBIDDEN,
            [(header::CONTENT_TYPE, "application/json")],
            serde_json::to_string(&app::errors::AppError::Forbidden).unwrap_or_default(),
        )
            .into_response();
    }
    next.run(req).await
}

pub(crate) async fn security_headers(mut res: Response) -> Response {
    let h = res.headers_mut();
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    h.insert(
        "referrer-policy",
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    if !h.contains_key("content-security-policy") {
        // Pages set their own with the hydration script's nonce (app::shell).
        h.insert(
            "content-security-policy",
            HeaderValue::from_static(
                "default-src 'self'; frame-ancestors 'none'; object-src 'none'",
            ),
        );
    }
    res
}

/// Hashed assets never change under their name: cache them for a year. Everything
/// else is revalidated, so a new release shows at once.
pub(crate) async fn cache_headers(mut res: Response, hashed: bool) -> Response {
    if res.headers().contains_key(header::CACHE_CONTROL) {
        return res;
    }
    let is_asset = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| {
            ct.starts_with("application/wasm")
                || ct.starts_with("text/javascript")
                || ct.starts_with("application/javascript")
                || ct.starts_with("text/css")
        });
    let value = if is_asset && hashed && res.status() == StatusCode::OK {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    res
}
