//! A micro-cache of public pages: a rendered `200` answer to a `GET` of a cacheable page (home, agency pages,
//! catalog, items, report list, feeds, sitemap) is reused for [`TTL`]. The catalog changes through the back
//! office and imports on any instance, so a page is at most that old — the same bound as search freshness.
//! Pages with forms (CSRF cookies), search results, booking availability and downloads are never cached.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// How long a rendered page is reused.
pub const TTL: Duration = Duration::from_secs(5);
/// Pages kept at most.
const CAPACITY: usize = 20_000;
/// Larger pages are not kept.
const MAX_BODY: usize = 512 * 1024;

/// Values reused for [`TTL`]: rendered pages here, and in [`crate::AppState`] the agency list and each
/// agency's catalog facets. When `capacity` is reached, expired entries go, and if none had expired,
/// everything.
pub(crate) struct Ttl<K, V> {
    entries: Mutex<HashMap<K, (Instant, V)>>,
    capacity: usize,
}

impl<K: Eq + Hash, V: Clone> Ttl<K, V> {
    pub(crate) fn new(capacity: usize) -> Ttl<K, V> {
        Ttl { entries: Mutex::new(HashMap::new()), capacity }
    }

    /// The value kept for `key`, if it is younger than [`TTL`].
    pub(crate) fn get<Q>(&self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let entries = self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        entries.get(key).filter(|(at, _)| at.elapsed() < TTL).map(|(_, value)| value.clone())
    }

    /// Forgets every value.
    pub(crate) fn clear(&self) {
        self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).clear();
    }

    pub(crate) fn put(&self, key: K, value: V) {
        let mut entries = self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if entries.len() >= self.capacity {
            entries.retain(|_, (at, _)| at.elapsed() < TTL);
            if entries.len() >= self.capacity {
                entries.clear();
            }
        }
        entries.insert(key, (Instant::now(), value));
    }
}

/// The page cache shared by every request of a server: content type and body per host and URI.
pub struct PageCache(Ttl<String, (HeaderValue, Bytes)>);

impl Default for PageCache {
    fn default() -> PageCache {
        PageCache(Ttl::new(CAPACITY))
    }
}

/// The middleware: serve from the cache, or render and keep a `200`.
pub(crate) async fn layer(
    State(cache): State<std::sync::Arc<PageCache>>,
    request: Request,
    next: Next,
) -> Response {
    if request.method() != Method::GET {
        return next.run(request).await;
    }
    let host =
        request.headers().get(header::HOST).and_then(|host| host.to_str().ok()).unwrap_or("");
    let key = format!("{host}{}", request.uri());
    if let Some((content_type, body)) = cache.0.get(key.as_str()) {
        return ([(header::CONTENT_TYPE, content_type)], body).into_response();
    }
    let response = next.run(request).await;
    if response.status() != StatusCode::OK || response.headers().contains_key(header::SET_COOKIE) {
        return response;
    }
    // Only bodies of a known, small size are kept (a sitemap file of 50,000 URLs is not).
    let small = axum::body::HttpBody::size_hint(response.body())
        .exact()
        .is_some_and(|size| size <= MAX_BODY as u64);
    if !small {
        return response;
    }
    let (parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    if let Some(content_type) = parts.headers.get(header::CONTENT_TYPE) {
        cache.0.put(key, (content_type.clone(), bytes.clone()));
    }
    Response::from_parts(parts, Body::from(bytes))
}
