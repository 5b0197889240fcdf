//! A micro-cache of public pages: a rendered `200` answer to a `GET` of a cacheable page (home, agency pages,
//! catalog, items, report list, feeds, sitemap) is reused for [`TTL`]. The catalog changes through the back
//! office and imports on any instance, so a page is at most that old — the same bound as search freshness.
//! Pages with forms (CSRF cookies), search results, booking availability and downloads are never cached.
//! The cache is bounded in bytes ([`CAPACITY_BYTES`]) and keyed on the host, the path and only the query
//! parameters the pages read, so neither distinct URLs nor junk parameters can grow it without bound.

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
/// Bytes of pages (bodies and keys) kept at most: a flood of distinct URLs cannot grow the server past it.
pub const CAPACITY_BYTES: usize = 24 * 1024 * 1024;
/// Larger pages are not kept.
const MAX_BODY: usize = 512 * 1024;
/// The query parameters a cacheable page reads (the catalog's filters and page, the feed's category); any
/// other parameter changes nothing on the page, so it is not part of the key.
const READ_PARAMETERS: [&str; 3] = ["category", "year", "page"];

/// Values reused for [`TTL`]: rendered pages here, and in [`crate::AppState`] the agency list and each
/// agency's catalog facets. Each value has a weight (1 by [`Ttl::put`], its size in bytes for pages); when
/// the total would pass `capacity`, expired entries go, and if that is not enough, everything.
pub(crate) struct Ttl<K, V> {
    entries: Mutex<Entries<K, V>>,
    capacity: usize,
    /// Hits and misses, for `/metrics`.
    counters: crate::metrics::CacheCounters,
}

struct Entries<K, V> {
    map: HashMap<K, (Instant, V, usize)>,
    weight: usize,
}

impl<K: Eq + Hash, V: Clone> Ttl<K, V> {
    pub(crate) fn new(capacity: usize) -> Ttl<K, V> {
        Ttl::counted(capacity, crate::metrics::CacheCounters::default())
    }

    /// A cache whose hits and misses go to `counters` (see [`crate::metrics::Metrics::cache`]).
    pub(crate) fn counted(capacity: usize, counters: crate::metrics::CacheCounters) -> Ttl<K, V> {
        Ttl { entries: Mutex::new(Entries { map: HashMap::new(), weight: 0 }), capacity, counters }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries<K, V>> {
        self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The value kept for `key`, if it is younger than [`TTL`].
    pub(crate) fn get<Q>(&self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let found = {
            let entries = self.lock();
            entries
                .map
                .get(key)
                .filter(|(at, _, _)| at.elapsed() < TTL)
                .map(|(_, value, _)| value.clone())
        };
        match found {
            Some(_) => self.counters.hit(),
            None => self.counters.miss(),
        }
        found
    }

    /// Forgets every value.
    pub(crate) fn clear(&self) {
        let mut entries = self.lock();
        entries.map.clear();
        entries.weight = 0;
    }

    /// Keeps `value` with weight 1.
    pub(crate) fn put(&self, key: K, value: V) {
        self.put_weighing(key, value, 1);
    }

    /// Keeps `value`, which weighs `weight` of the capacity; a value heavier than the whole capacity is not
    /// kept.
    pub(crate) fn put_weighing(&self, key: K, value: V, weight: usize) {
        if weight > self.capacity {
            return;
        }
        let mut entries = self.lock();
        if let Some((_, _, old)) = entries.map.remove(&key) {
            entries.weight -= old;
        }
        if entries.weight + weight > self.capacity {
            entries.map.retain(|_, (at, _, _)| at.elapsed() < TTL);
            entries.weight = entries.map.values().map(|(_, _, weight)| weight).sum();
            if entries.weight + weight > self.capacity {
                entries.map.clear();
                entries.weight = 0;
            }
        }
        entries.weight += weight;
        entries.map.insert(key, (Instant::now(), value, weight));
    }

    /// The total weight kept now.
    #[cfg(test)]
    fn weight(&self) -> usize {
        self.lock().weight
    }
}

/// The cache key of a request: host, path and the parameters the page reads, in the order sent (a
/// parameter sent twice stays twice: the page refuses that, and a refusal is not kept).
fn key(host: &str, uri: &axum::http::Uri) -> String {
    let mut key = format!("{host}{}", uri.path());
    let read = form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
        .filter(|(name, _)| READ_PARAMETERS.contains(&name.as_ref()));
    let query = form_urlencoded::Serializer::new(String::new()).extend_pairs(read).finish();
    if !query.is_empty() {
        key.push('?');
        key.push_str(&query);
    }
    key
}

/// The page cache shared by every request of a server: content type and body per host and URI.
pub struct PageCache(Ttl<String, (HeaderValue, Bytes)>);

impl Default for PageCache {
    fn default() -> PageCache {
        PageCache(Ttl::new(CAPACITY_BYTES))
    }
}

impl PageCache {
    /// A page cache whose hits and misses go to `counters`.
    pub(crate) fn counted(counters: crate::metrics::CacheCounters) -> PageCache {
        PageCache(Ttl::counted(CAPACITY_BYTES, counters))
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
    let key = key(host, request.uri());
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
        let weight = key.len() + bytes.len();
        cache.0.put_weighing(key, (content_type.clone(), bytes.clone()), weight);
    }
    Response::from_parts(parts, Body::from(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_keeps_only_the_parameters_pages_read() {
        let uri: axum::http::Uri =
            "/agencies/SFJ/catalog?v=1&page=2&utm=x&category=%E6%94%BF".parse().unwrap();
        assert_eq!(
            key("gk.example", &uri),
            "gk.example/agencies/SFJ/catalog?page=2&category=%E6%94%BF"
        );
        let feed: axum::http::Uri = "/agencies/SFJ/feed.atom?v=19500".parse().unwrap();
        assert_eq!(key("gk.example", &feed), "gk.example/agencies/SFJ/feed.atom");
        let twice: axum::http::Uri = "/x?page=1&page=2".parse().unwrap();
        assert_eq!(key("h", &twice), "h/x?page=1&page=2");
    }

    #[test]
    fn the_weight_never_passes_the_capacity() {
        let cache: Ttl<u32, u32> = Ttl::new(100);
        for n in 0..1_000 {
            cache.put_weighing(n, n, 7);
            assert!(cache.weight() <= 100, "after {n}: {}", cache.weight());
        }
        assert_eq!(cache.get(&999), Some(999));
        // Replacing a key does not count it twice; a value heavier than the capacity is not kept.
        cache.put_weighing(999, 1, 7);
        cache.put_weighing(999, 2, 7);
        assert_eq!(cache.weight() % 7, 0);
        cache.put_weighing(5_000, 5_000, 101);
        assert_eq!(cache.get(&5_000), None);
    }
}
