//! Rendered public pages for visitors who are not signed in, kept for a moment.
//!
//! A plaque's QR code or a news link can send thousands of phones to the same directory
//! or unit page at once. Rendering it takes a database read and the whole Leptos render;
//! sending a copy costs about what a static file does. So a public portal page
//! (`app::portal_page`) rendered for an anonymous visitor is kept and sent again while
//! both hold:
//! - it is younger than the TTL (1 s by default, `--page-cache-ttl-ms`): writes by another
//!   instance, or by the hourly jobs, show within that;
//! - nothing has been written since it was rendered, as far as this instance knows: every
//!   request other than GET/HEAD that this instance answers, and every change another
//!   instance announces (`AppState::live`), starts a new generation, and a page rendered
//!   in an older generation is not sent again. A page whose render began before a write
//!   finished belongs to the older generation, so a visitor never gets an older page
//!   after their own write has been answered.
//!
//! Each copy gets this response's CSP nonce in place of the one it was rendered with.
//! Only 200 HTML responses without Set-Cookie are kept, keyed by path, query and the
//! Cookie header (the language comes from a cookie); the whole cache is bounded.

use app::accounts::CurrentUser;
use app::PageNonce;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The most a cache holds, in bytes of page; past it, it starts again empty.
const MAX_BYTES: usize = 32 * 1024 * 1024;
/// The largest page kept (a directory page of 50 units is about 40 KB).
const MAX_PAGE: usize = 2 * 1024 * 1024;

#[derive(Clone)]
pub struct PageCache {
    ttl: Duration,
    generation: Arc<AtomicU64>,
    inner: Arc<Mutex<Inner>>,
}

struct Inner {
    pages: HashMap<Key, Page>,
    bytes: usize,
    /// Changes announced by any instance; drained on each lookup.
    changes: Option<tokio::sync::broadcast::Receiver<store::live::Change>>,
}

#[derive(Clone, PartialEq, Eq, Hash)]
struct Key {
    path_and_query: String,
    cookie: Option<Vec<u8>>,
}

struct Page {
    generation: u64,
    rendered: Instant,
    headers: HeaderMap,
    body: Bytes,
    /// Where the nonce it was rendered with stands in `body` (all the same length).
    nonce_at: Vec<usize>,
    nonce_len: usize,
}

impl PageCache {
    /// A cache whose pages live `ttl` at most, told of other instances' writes by
    /// `changes`. A zero TTL keeps nothing.
    pub fn new(
        ttl: Duration,
        changes: Option<tokio::sync::broadcast::Receiver<store::live::Change>>,
    ) -> PageCache {
        PageCache {
            ttl,
            generation: Arc::new(AtomicU64::new(0)),
            inner: Arc::new(Mutex::new(Inner {
                pages: HashMap::new(),
                bytes: 0,
                changes,
            })),
        }
    }

    pub fn off() -> PageCache {
        PageCache::new(Duration::ZERO, None)
    }

    /// Something was written: no page rendered before now is sent again.
    pub fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves nothing half-done worth keeping.
        self.inner.lock().unwrap_or_else(|p| {
            let mut inner = p.into_inner();
            inner.pages.clear();
            inner.bytes = 0;
            inner
        })
    }

    fn current_generation(&self, inner: &mut Inner) -> u64 {
        if let Some(rx) = inner.changes.as_mut() {
            use tokio::sync::broadcast::error::TryRecvError;
            while let Ok(_) | Err(TryRecvError::Lagged(_)) = rx.try_recv() {
                self.invalidate();
            }
        }
        self.generation.load(Ordering::SeqCst)
    }

    fn lookup(&self, key: &Key, nonce: Option<&str>) -> Option<Response> {
        let mut inner = self.lock();
        let generation = self.current_generation(&mut inner);
        let page = inner.pages.get(key)?;
        if page.generation != generation || page.rendered.elapsed() >= self.ttl {
            return None;
        }
        let body = match nonce {
            Some(n) if !page.nonce_at.is_empty() && n.len() == page.nonce_len => {
                let mut b = page.body.to_vec();
                for &at in &page.nonce_at {
                    b[at..at + n.len()].copy_from_slice(n.as_bytes());
                }
                Bytes::from(b)
            }
            _ => page.body.clone(),
        };
        let mut res = Response::new(Body::from(body));
        *res.headers_mut() = page.headers.clone();
        Some(res)
    }

    fn keep(
        &self,
        key: Key,
        generation: u64,
        headers: HeaderMap,
        body: Bytes,
        nonce: Option<&str>,
    ) {
        let nonce_at = match nonce {
            Some(n) if !n.is_empty() => memchr::memmem::find_iter(&body, n.as_bytes()).collect(),
            _ => Vec::new(),
        };
        let page = Page {
            generation,
            rendered: Instant::now(),
            headers,
            nonce_len: nonce.map_or(0, str::len),
            nonce_at,
            body,
        };
        let mut inner = self.lock();
        if inner.bytes + page.body.len() > MAX_BYTES {
            inner.pages.clear();
            inner.bytes = 0;
        }
        inner.bytes += page.body.len();
        if let Some(old) = inner.pages.insert(key, page) {
            inner.bytes -= old.body.len();
        }
    }
}

/// The middleware: sends kept pages, keeps new ones, and starts a new generation after
/// every request that may have written.
pub async fn page_cache(State(cache): State<PageCache>, req: Request, next: Next) -> Response {
    if !matches!(*req.method(), Method::GET | Method::HEAD) {
        let res = next.run(req).await;
        cache.invalidate();
        return res;
    }
    let cacheable = !cache.ttl.is_zero()
        && req.method() == Method::GET
        && req.extensions().get::<CurrentUser>().is_none()
        && app::portal_page(req.uri().path());
    if !cacheable {
        return next.run(req).await;
    }
    let key = Key {
        path_and_query: req
            .uri()
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_default(),
        cookie: req
            .headers()
            .get(header::COOKIE)
            .map(|v| v.as_bytes().to_vec()),
    };
    let nonce = req.extensions().get::<PageNonce>().map(|n| n.0.clone());
    if let Some(res) = cache.lookup(&key, nonce.as_deref()) {
        return res;
    }
    let generation = {
        let mut inner = cache.lock();
        cache.current_generation(&mut inner)
    };
    let res = next.run(req).await;
    let keepable = res.status() == StatusCode::OK
        && !res.headers().contains_key(header::SET_COOKIE)
        && res
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html"));
    if !keepable {
        return res;
    }
    let (parts, body) = res.into_parts();
    match axum::body::to_bytes(body, usize::MAX).await {
        Ok(bytes) => {
            if bytes.len() <= MAX_PAGE {
                cache.keep(
                    key,
                    generation,
                    parts.headers.clone(),
                    bytes.clone(),
                    nonce.as_deref(),
                );
            }
            Response::from_parts(parts, Body::from(bytes))
        }
        // The render failed midway: nothing to keep, and nothing whole to send.
        Err(e) => {
            tracing::error!(error = %e, "a public page failed while it was sent");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
