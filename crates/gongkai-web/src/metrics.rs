//! `/metrics` (issue #21): the instance's counters in the Prometheus/OpenMetrics text format, through the
//! Prometheus project's own Rust client (`prometheus-client`).
//!
//! Counted as they happen: every request by route template (`/agencies/{code}/catalog`, never the URL
//! itself, so the series stay few), method and status, with a latency histogram; applications received by
//! channel; search latency inside the index; hits and misses of each cache. Read when scraped: the database
//! pool's connections, the notice outbox (waiting, oldest), the search index's lag behind the catalog, and
//! when the audit chain was last verified and whether it held.
//!
//! Who may read it: [`Access`] — by default loopback only (`--metrics-from` names a scraper's network); a
//! request that shows any sign of having come through a proxy not named as trusted (`X-Forwarded-For`,
//! `Forwarded`, `X-Real-IP`, `Via`, `X-Forwarded-Proto`/`-Host`) is refused, since its sender is unknown: a
//! proxy on the same host would otherwise hand the page to anyone.

use std::net::IpAddr;
use std::sync::atomic::AtomicU64;
use std::time::Instant;

use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use ipnet::IpNet;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::{Registry, Unit};

use crate::AppState;
use crate::client::{ClientAddress, TrustedProxies};

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: &'static str,
    route: Route,
    status: u16,
}

/// A request's route template as a label: the router's own `MatchedPath` (a shared string, so counting a
/// request allocates nothing), or `unmatched` for a path no route knows.
#[derive(Clone, Debug)]
struct Route(Option<MatchedPath>);

impl Route {
    fn as_str(&self) -> &str {
        self.0.as_ref().map_or("unmatched", MatchedPath::as_str)
    }
}

impl PartialEq for Route {
    fn eq(&self, other: &Route) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Route {}

impl std::hash::Hash for Route {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl prometheus_client::encoding::EncodeLabelValue for Route {
    fn encode(
        &self,
        encoder: &mut prometheus_client::encoding::LabelValueEncoder<'_>,
    ) -> Result<(), std::fmt::Error> {
        prometheus_client::encoding::EncodeLabelValue::encode(&self.as_str(), encoder)
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ChannelLabel {
    channel: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CacheLabels {
    cache: &'static str,
    result: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StateLabel {
    state: &'static str,
}

/// Latency buckets from 1 ms to about 8 s, doubling.
fn latency() -> Histogram {
    Histogram::new(exponential_buckets(0.001, 2.0, 14))
}

/// Search latency buckets from 0.1 ms to about 0.8 s, doubling (the index answers in milliseconds).
fn search_latency() -> Histogram {
    Histogram::new(exponential_buckets(0.0001, 2.0, 14))
}

/// A float gauge (seconds since the epoch).
type FloatGauge = Gauge<f64, AtomicU64>;

/// The instance's metrics: made once at start, shared by every request.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Histogram, fn() -> Histogram>,
    intakes: Family<ChannelLabel, Counter>,
    search: Histogram,
    caches: Family<CacheLabels, Counter>,
    pool: Family<StateLabel, Gauge>,
    pool_max: Gauge,
    outbox_waiting: Gauge,
    outbox_oldest: Gauge,
    index_lag: Gauge,
    index_ready: Gauge,
    audit_verified_at: FloatGauge,
    audit_intact: Gauge,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

impl Default for Metrics {
    fn default() -> Metrics {
        Metrics::new()
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("gongkai");
        let requests = Family::<RequestLabels, Histogram, fn() -> Histogram>::new_with_constructor(
            latency as fn() -> Histogram,
        );
        registry.register_with_unit(
            "http_request_duration",
            "HTTP requests by route template, method and status, and how long they took",
            Unit::Seconds,
            requests.clone(),
        );
        let intakes = Family::<ChannelLabel, Counter>::default();
        // Both channels from the start, so a rate over them is defined before the first application.
        for channel in ["online", "staff"] {
            let _ = intakes.get_or_create(&ChannelLabel { channel });
        }
        registry.register(
            "applications_received",
            "Disclosure applications received, by channel (online portal, registered by staff)",
            intakes.clone(),
        );
        let search = search_latency();
        registry.register_with_unit(
            "search_duration",
            "Time the search index took to answer a query (portal and API)",
            Unit::Seconds,
            search.clone(),
        );
        let caches = Family::<CacheLabels, Counter>::default();
        registry.register(
            "cache_requests",
            "Lookups in the instance's caches (pages, agencies, facets, site marks, dashboards), hit or miss",
            caches.clone(),
        );
        let pool = Family::<StateLabel, Gauge>::default();
        registry.register(
            "db_pool_connections",
            "The database pool's open connections, idle or in use",
            pool.clone(),
        );
        let pool_max = Gauge::default();
        registry.register("db_pool_max_connections", "The database pool's limit", pool_max.clone());
        let outbox_waiting = Gauge::default();
        registry.register(
            "notifications_waiting",
            "Notices to applicants waiting to go out (pending or being sent)",
            outbox_waiting.clone(),
        );
        let outbox_oldest = Gauge::default();
        registry.register_with_unit(
            "notifications_oldest_due_age",
            "Age of the oldest notice due to go out (0 when none)",
            Unit::Seconds,
            outbox_oldest.clone(),
        );
        let index_lag = Gauge::default();
        registry.register(
            "search_index_lag_changes",
            "Catalog changes not yet applied to this instance's search index",
            index_lag.clone(),
        );
        let index_ready = Gauge::default();
        registry.register(
            "search_index_ready",
            "1 when this instance's search index is built, 0 while it is being built",
            index_ready.clone(),
        );
        let audit_verified_at = FloatGauge::default();
        registry.register(
            "audit_chain_last_verified_timestamp_seconds",
            "When the audit trail's hash chain was last verified (0 when never)",
            audit_verified_at.clone(),
        );
        let audit_intact = Gauge::default();
        registry.register(
            "audit_chain_intact",
            "1 when the last verification found the chain intact, 0 when it found a break or never ran",
            audit_intact.clone(),
        );
        Metrics {
            registry,
            requests,
            intakes,
            search,
            caches,
            pool,
            pool_max,
            outbox_waiting,
            outbox_oldest,
            index_lag,
            index_ready,
            audit_verified_at,
            audit_intact,
        }
    }

    /// One application received through `channel` (`online`, `staff`).
    pub(crate) fn received(&self, channel: &'static str) {
        self.intakes.get_or_create(&ChannelLabel { channel }).inc();
    }

    /// One query answered by the search index in `seconds`.
    pub(crate) fn searched(&self, seconds: f64) {
        self.search.observe(seconds);
    }

    /// The hit and miss counters of the cache `name`, for [`crate::cache::Ttl::counted`].
    pub(crate) fn cache(&self, name: &'static str) -> CacheCounters {
        CacheCounters {
            hits: self.caches.get_or_create_owned(&CacheLabels { cache: name, result: "hit" }),
            misses: self.caches.get_or_create_owned(&CacheLabels { cache: name, result: "miss" }),
        }
    }

    fn observe(&self, method: &'static str, route: Route, status: u16, seconds: f64) {
        self.requests.get_or_create(&RequestLabels { method, route, status }).observe(seconds);
    }

    /// The text a scrape answers: the gauges read now from `state`, then every metric.
    async fn scrape(&self, state: &AppState) -> String {
        let store = state.store();
        let (size, idle, max) = store.pool_status();
        self.pool.get_or_create(&StateLabel { state: "idle" }).set(i64::from(idle));
        self.pool
            .get_or_create(&StateLabel { state: "in_use" })
            .set(i64::from(size.saturating_sub(idle)));
        self.pool_max.set(i64::from(max));
        match gongkai_store::notifications::backlog(store).await {
            Ok((waiting, oldest)) => {
                self.outbox_waiting.set(waiting);
                self.outbox_oldest.set(oldest);
            }
            Err(err) => tracing::warn!(error = %err, "metrics: reading the notice outbox failed"),
        }
        match state.search() {
            None => {
                self.index_ready.set(0);
            }
            Some(search) => {
                self.index_ready.set(1);
                if let (Ok(marker), Ok(last)) =
                    (search.marker(), gongkai_store::catalog::last_change(store).await)
                {
                    self.index_lag.set((last - marker.unwrap_or(0)).max(0));
                }
            }
        }
        match gongkai_store::duties::last_verification(store).await {
            Ok(Some(verification)) => {
                self.audit_verified_at.set(verification.at as f64);
                self.audit_intact.set(i64::from(verification.intact));
            }
            Ok(None) => {
                self.audit_verified_at.set(0.0);
                self.audit_intact.set(0);
            }
            Err(err) => {
                tracing::warn!(error = %err, "metrics: reading the audit verification failed")
            }
        }
        let mut text = String::new();
        if let Err(err) = prometheus_client::encoding::text::encode(&mut text, &self.registry) {
            tracing::error!(error = %err, "metrics: encoding failed");
        }
        text
    }
}

/// A cache's two counters (clones of the family's, so counting takes no lock).
#[derive(Clone, Debug, Default)]
pub(crate) struct CacheCounters {
    hits: Counter,
    misses: Counter,
}

impl CacheCounters {
    pub(crate) fn hit(&self) {
        self.hits.inc();
    }

    pub(crate) fn miss(&self) {
        self.misses.inc();
    }
}

/// The networks whose clients may read `/metrics` (`--metrics-from`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Access(Vec<IpNet>);

impl Access {
    /// Loopback only: the default.
    pub fn loopback() -> Access {
        Access(
            ["127.0.0.0/8", "::1/128"].iter().map(|net| net.parse().expect("a network")).collect(),
        )
    }

    /// Loopback and the private networks (RFC 1918, unique local IPv6): a scraper in the same cluster.
    pub fn private() -> Access {
        Access(
            ["127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"]
                .iter()
                .map(|net| net.parse().expect("a network"))
                .collect(),
        )
    }

    /// Addresses and networks such as `10.0.0.0/8` or `192.0.2.10` (as `--trusted-proxy` takes them).
    pub fn parse<S: AsRef<str>>(entries: &[S]) -> Result<Access, crate::client::BadProxy> {
        crate::client::networks(entries).map(Access)
    }

    fn allows(&self, address: IpAddr) -> bool {
        let address = address.to_canonical();
        self.0.iter().any(|net| net.contains(&address))
    }
}

/// The method as a label: the usual ones by name, anything else as `other` (a client cannot add series).
fn method_label(method: &axum::http::Method) -> &'static str {
    use axum::http::Method;
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// A request being timed: its method and route template (`unmatched` for paths no route knows — never the
/// path itself, which a visitor chooses) and when it started.
pub(crate) struct Timing {
    method: &'static str,
    route: Route,
    started: Instant,
}

impl Timing {
    /// Starts timing `request` (inside the router, where the route it matched is known).
    pub(crate) fn start<B>(request: &axum::http::Request<B>) -> Timing {
        Timing {
            method: method_label(request.method()),
            route: Route(request.extensions().get::<MatchedPath>().cloned()),
            started: Instant::now(),
        }
    }
}

impl Metrics {
    /// Counts the request timed by `timing`, answered with `response`.
    pub(crate) fn done(&self, timing: Timing, response: &Response) {
        let seconds = timing.started.elapsed().as_secs_f64();
        self.observe(timing.method, timing.route, response.status().as_u16(), seconds);
    }
}

/// `GET /metrics`: the text format for Prometheus, to the networks [`Access`] allows; 404 to anyone else
/// (as if there were no such page), and when metrics are off.
pub(crate) async fn scrape(State(state): State<AppState>, request: Request) -> Response {
    let Some(metrics) = state.metrics().cloned() else {
        return crate::PageError::NotFound.into_response();
    };
    let peer =
        request.extensions().get::<ConnectInfo<std::net::SocketAddr>>().map(|info| info.0.ip());
    let client = request.extensions().get::<ClientAddress>().map(|ClientAddress(address)| *address);
    if !allowed(&state.metrics_access(), &state.trusted_proxies(), peer, client, request.headers())
    {
        return crate::PageError::NotFound.into_response();
    }
    let text = metrics.scrape(&state).await;
    let mut response = (StatusCode::OK, text).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/openmetrics-text; version=1.0.0; charset=utf-8"),
    );
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Headers proxies add: a request carrying one came through a proxy.
const PROXY_HEADERS: [&str; 6] =
    ["x-forwarded-for", "forwarded", "x-real-ip", "via", "x-forwarded-proto", "x-forwarded-host"];

/// Whether a scrape may be answered: the client's address is in `access`, and a request that says it was
/// forwarded came from a trusted proxy (else the forwarder is unknown: a public proxy in front of a private
/// address would otherwise expose the page).
fn allowed(
    access: &Access,
    proxies: &TrustedProxies,
    peer: Option<IpAddr>,
    client: Option<IpAddr>,
    headers: &axum::http::HeaderMap,
) -> bool {
    let (Some(peer), Some(client)) = (peer, client) else { return false };
    let forwarded = PROXY_HEADERS.iter().any(|name| headers.contains_key(*name));
    if forwarded && !proxies.trusts(peer.to_canonical()) {
        return false;
    }
    access.allows(client)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_private_clients_and_trusted_forwarders_may_scrape() {
        let access = Access::private();
        let none = TrustedProxies::default();
        let proxy = TrustedProxies::parse(&["10.0.0.2"]).unwrap();
        let plain = axum::http::HeaderMap::new();
        let mut forwarded = axum::http::HeaderMap::new();
        forwarded.insert("x-forwarded-for", HeaderValue::from_static("203.0.113.9"));
        let ip = |text: &str| Some(text.parse::<IpAddr>().unwrap());
        assert!(allowed(&access, &none, ip("10.0.0.7"), ip("10.0.0.7"), &plain));
        assert!(allowed(&access, &none, ip("::ffff:127.0.0.1"), ip("::ffff:127.0.0.1"), &plain));
        assert!(!allowed(&access, &none, ip("203.0.113.9"), ip("203.0.113.9"), &plain));
        // Through a proxy nobody named: its sender is unknown, refused even from a private peer.
        assert!(!allowed(&access, &none, ip("10.0.0.2"), ip("10.0.0.2"), &forwarded));
        // Through a trusted proxy: the forwarded client decides.
        assert!(!allowed(&access, &proxy, ip("10.0.0.2"), ip("203.0.113.9"), &forwarded));
        assert!(allowed(&access, &proxy, ip("10.0.0.2"), ip("10.1.2.3"), &forwarded));
        // Any proxy's header, not only X-Forwarded-For (nginx with only X-Real-IP, a Via-adding proxy).
        for name in ["x-real-ip", "via", "x-forwarded-proto", "x-forwarded-host", "forwarded"] {
            let mut headers = axum::http::HeaderMap::new();
            headers.insert(name, HeaderValue::from_static("1.1 proxy"));
            assert!(!allowed(&access, &none, ip("127.0.0.1"), ip("127.0.0.1"), &headers), "{name}");
        }
        let local = Access::loopback();
        assert!(allowed(&local, &none, ip("127.0.0.1"), ip("127.0.0.1"), &plain));
        assert!(!allowed(&local, &none, ip("10.0.0.7"), ip("10.0.0.7"), &plain));
        let narrow = Access::parse(&["192.0.2.10"]).unwrap();
        assert!(!allowed(&narrow, &none, ip("10.0.0.7"), ip("10.0.0.7"), &plain));
        assert!(Access::parse(&["10.0.0.0/33"]).is_err());
    }

    #[test]
    fn a_visitor_cannot_add_series_with_made_up_methods() {
        let method = axum::http::Method::from_bytes(b"BREW").unwrap();
        assert_eq!(method_label(&method), "other");
    }
}
