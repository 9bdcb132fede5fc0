//! The HTTP server: Leptos pages and server functions, static assets, health and metrics.

use crate::cli::ServeArgs;
use crate::guards::{
    authenticate, cache_headers, canonical_path, page_csp, same_origin_only, security_headers,
    server_fn_status,
};
use crate::metrics::{self, Metrics};
use crate::page_cache::{page_cache, PageCache};
use app::state::{AppState, AuthSettings};
use app::{shell, App};
use axum::extract::{FromRef, Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use store::objects::ObjectStore;
use store::Store;
use tower_http::compression::CompressionLayer;

/// Everything a handler can reach.
#[derive(Clone)]
pub struct ServerState {
    pub leptos: LeptosOptions,
    pub app: AppState,
    pub metrics: Metrics,
    /// Public pages rendered for anonymous visitors, kept for a moment (`page_cache`).
    pub pages: PageCache,
}

impl FromRef<ServerState> for LeptosOptions {
    fn from_ref(s: &ServerState) -> Self {
        s.leptos.clone()
    }
}

impl FromRef<ServerState> for AppState {
    fn from_ref(s: &ServerState) -> Self {
        s.app.clone()
    }
}

impl FromRef<ServerState> for Metrics {
    fn from_ref(s: &ServerState) -> Self {
        s.metrics.clone()
    }
}

pub fn leptos_options(args: &ServeArgs, addr: std::net::SocketAddr) -> LeptosOptions {
    // cargo-leptos writes hash.txt next to the binary when `hash-files` is on; its
    // presence tells whether the asset names carry content hashes.
    let hashed = std::env::current_exe()
        .ok()
        .and_then(|p| p.parent().map(|d| d.join("hash.txt")))
        .is_some_and(|p| p.exists());
    LeptosOptions::builder()
        .output_name(std::env::var("LEPTOS_OUTPUT_NAME").unwrap_or_else(|_| "fangxin".into()))
        .site_root(args.site_root.display().to_string())
        .site_pkg_dir("pkg")
        .site_addr(addr)
        .hash_files(hashed)
        .build()
}

/// The app's routes, worked out once per process. Generating them renders the app with
/// resource loading suppressed process-wide (leptos_router's `SuppressResourceLoad`), so a
/// page rendered at that moment on another thread would wait forever
/// (leptos-rs/leptos#4773): never generate them while requests are served.
pub fn route_list() -> Vec<leptos_axum::AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<leptos_axum::AxumRouteListing>> =
        std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

pub fn router(state: ServerState) -> Router {
    let routes = route_list();
    let app_state = state.app.clone();
    let leptos = state.leptos.clone();
    let hashed = leptos.hash_files;
    Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics_text))
        .route("/lang/{tag}", get(switch_language))
        .merge(app::applications::handlers::routes())
        .merge(app::review::routes())
        .merge(app::complaints::routes())
        .merge(app::dashboard::routes())
        .merge(app::portal::routes())
        .leptos_routes_with_context(
            &state,
            routes,
            move || {
                provide_context(app_state.clone());
                app::provide_page_nonce();
            },
            {
                let leptos = leptos.clone();
                move || shell(leptos.clone())
            },
        )
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            ServerState,
            _,
        >(
            {
                let app_state = state.app.clone();
                move || {
                    provide_context(app_state.clone());
                    app::provide_page_nonce();
                }
            },
            shell,
        ))
        .layer(axum::middleware::from_fn(server_fn_status))
        .layer(axum::middleware::from_fn_with_state(
            state.pages.clone(),
            page_cache,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            authenticate,
        ))
        .layer(axum::middleware::from_fn(same_origin_only))
        .layer(axum::middleware::from_fn(canonical_path))
        .layer(axum::middleware::from_fn(page_csp))
        .layer(axum::middleware::map_response(security_headers))
        .layer(axum::middleware::map_response(move |res| {
            cache_headers(res, hashed)
        }))
        .layer(CompressionLayer::new().br(true).gzip(true))
        .layer(axum::middleware::from_fn_with_state(
            state.metrics.clone(),
            metrics::track,
        ))
        .with_state(state)
}

async fn healthz(State(state): State<ServerState>) -> Response {
    let store = &state.app.store;
    let (status, db) =
        match tokio::time::timeout(std::time::Duration::from_secs(2), store.ping()).await {
            Ok(Ok(())) => (StatusCode::OK, "ok"),
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "health check: database unreachable");
                (StatusCode::SERVICE_UNAVAILABLE, "unreachable")
            }
            Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "timeout"),
        };
    let body = serde_json::json!({
        "status": if status == StatusCode::OK { "ok" } else { "degraded" },
        "database": db,
        "backend": store.backend().name(),
        "version": env!("CARGO_PKG_VERSION"),
    });
    (status, axum::Json(body)).into_response()
}

async fn metrics_text(State(state): State<ServerState>, req: axum::extract::Request) -> Response {
    // Operators' figures: for this machine and the configured monitoring addresses only.
    let peer = req
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip());
    let allowed =
        peer.is_some_and(|ip| ip.is_loopback() || state.app.metrics_allowed.contains(&ip));
    if !allowed {
        return StatusCode::NOT_FOUND.into_response();
    }
    let (size, idle) = state.app.store.pool_stats();
    let text = state.metrics.render(&[
        ("fangxin_up", "1 while the server runs.", 1.0),
        (
            "fangxin_db_connections",
            "Open database connections.",
            size as f64,
        ),
        (
            "fangxin_db_connections_idle",
            "Idle database connections.",
            idle as f64,
        ),
    ]);
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        text,
    )
        .into_response()
}

#[derive(serde::Deserialize)]
struct NextPath {
    next: Option<String>,
}

/// The no-JavaScript language switch: remember the choice, go back where the user was.
async fn switch_language(Path(tag): Path<String>, Query(q): Query<NextPath>) -> Response {
    let Some(locale) = domain::Locale::parse(&tag) else {
        return (StatusCode::BAD_REQUEST, "unknown language").into_response();
    };
    let next = q
        .next
        .filter(|n| domain::navigation::same_site_path(n).is_some())
        .unwrap_or_else(|| "/".to_string());
    let cookie = format!(
        "{}={}; Path=/; Max-Age=31536000; SameSite=Lax",
        app::i18n::LOCALE_COOKIE,
        locale.tag()
    );
    let mut res = Redirect::to(&next).into_response();
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        res.headers_mut().insert(header::SET_COOKIE, v);
    }
    res
}

pub async fn serve(
    store: Store,
    args: ServeArgs,
    objects: ObjectStore,
    data_dir: std::path::PathBuf,
) -> Result<(), String> {
    let listen = args.listen_addr();
    let listener = tokio::net::TcpListener::bind(&listen)
        .await
        .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
    let addr = listener
        .local_addr()
        .map_err(|e| format!("cannot read the listening address: {e}"))?;
    if !args.site_root.join("pkg").exists() {
        tracing::warn!(
            site_root = %args.site_root.display(),
            "no built site found: pages render but will not hydrate (run `cargo leptos build --release`)"
        );
    }
    let mut app = AppState::new(
        store.clone(),
        AuthSettings {
            secure_cookies: args.secure_cookies,
            auth_requests_per_minute: args.auth_rate_limit,
            ..AuthSettings::default()
        },
        objects.clone(),
    );
    app.public_origin = args.public_origin(addr)?;
    app.trusted_proxies = args.trusted_proxy.clone();
    app.metrics_allowed = args.metrics_allow.clone();
    let pages = PageCache::new(
        std::time::Duration::from_millis(args.page_cache_ttl_ms),
        Some(app.live.subscribe()),
    );
    let state = ServerState {
        leptos: leptos_options(&args, addr),
        app,
        metrics: Metrics::default(),
        pages,
    };
    let stopping = state.app.stopping.clone();
    // Live changes from the database (every instance's writes) to this instance's
    // open dashboards.
    {
        let store = store.clone();
        let live = state.app.live.clone();
        tokio::spawn(async move { store.watch_changes(live).await });
    }
    let app = router(state);
    crate::jobs::start(store.clone(), data_dir);
    tracing::info!(%addr, backend = store.backend().name(), objects = objects.kind(), "fangxin listening on http://{addr}");
    println!("fangxin: serving on http://{addr}");

    // Without TCP_NODELAY small responses wait for delayed ACKs (~40 ms each).
    use axum::serve::ListenerExt;
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        shutdown_signal().await;
        stopping.send_replace(true);
    })
    .await
    .map_err(|e| format!("server stopped: {e}"))?;
    store.close().await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}
