//! The HTTP face of gongkai: server-rendered pages (askama), no JavaScript needed.
//!
//! The public portal: the platform home, each agency's pages (机构概况, 领导信息, 公开指南, 公开目录, item pages,
//! the 年度报告 archive), Chinese search, the online application (2019 条例 art. 29) with its receipt and the
//! status page driven by the reply clock, reading-point booking, Atom feeds, the sitemap and a read-only JSON
//! API. The back office (`staff`): sign-in and roles, the agency dashboard, handling applications to the
//! reply clock with the letters of handling.
//!
//! The web layer is an edge: it reads today's date in China and client addresses, and hands plain values to the
//! store and the core. It never logs request bodies, so personal data in forms never reaches the logs.

mod api;
mod apply;
mod booking;
pub mod cache;
pub mod client;
mod csrf;
mod directory;
mod error;
mod feeds;
mod guard;
mod home;
pub mod imports;
pub mod indexer;
mod once;
mod portal;
mod search;
mod staff;
mod track;

use std::net::SocketAddr;
use std::sync::{Arc, OnceLock, RwLock};
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use gongkai_core::calendar::Calendar;
use gongkai_store::Store;
use time::{Date, OffsetDateTime};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub use error::PageError;

/// Largest accepted request body: an application form is a few KiB (attachments will get their own limit).
pub const BODY_LIMIT: usize = 64 * 1024;

/// How often a running server picks up calendar years entered in the database.
pub const CALENDAR_REFRESH: Duration = Duration::from_secs(60);

/// Today's date in China (UTC+8), the date the statute counts in.
pub fn china_today() -> Date {
    gongkai_core::dates::day_in_china(OffsetDateTime::now_utc())
}

/// Shared by every request.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    calendar: RwLock<Arc<Calendar>>,
    today: Box<dyn Fn() -> Date + Send + Sync>,
    search: OnceLock<Arc<gongkai_search::SearchIndex>>,
    rate_limits: std::sync::atomic::AtomicBool,
    secure_cookies: std::sync::atomic::AtomicBool,
    hsts: std::sync::atomic::AtomicBool,
    trusted_proxies: OnceLock<Arc<client::TrustedProxies>>,
    facets: cache::Ttl<i64, Arc<Facets>>,
    agencies: cache::Ttl<(), Arc<Vec<gongkai_store::agencies::AgencyRow>>>,
    dashboards: cache::Ttl<staff::cases::GroupsKey, Arc<staff::cases::Groups>>,
    dashboards_computing: tokio::sync::Mutex<()>,
    /// Register imports running on this instance: upload id → (rows written, rows in all).
    imports: std::sync::Mutex<std::collections::HashMap<i64, (usize, usize)>>,
}

/// An agency's catalog categories and years with their counts.
pub(crate) type Facets = (Vec<(String, i64)>, Vec<(i32, i64)>);

impl AppState {
    /// State on `store` with its effective calendar (built-in years plus those entered in the database).
    pub async fn new(store: Store) -> Result<AppState, gongkai_store::StoreError> {
        let calendar = gongkai_store::calendar::effective(&store).await?;
        Ok(AppState::with_clock(store, calendar, china_today))
    }

    /// State with a given calendar and source of today's date (tests fix the date).
    pub fn with_clock(
        store: Store,
        calendar: Calendar,
        today: impl Fn() -> Date + Send + Sync + 'static,
    ) -> AppState {
        AppState {
            inner: Arc::new(Inner {
                store,
                calendar: RwLock::new(Arc::new(calendar)),
                today: Box::new(today),
                search: OnceLock::new(),
                rate_limits: std::sync::atomic::AtomicBool::new(true),
                secure_cookies: std::sync::atomic::AtomicBool::new(true),
                hsts: std::sync::atomic::AtomicBool::new(false),
                trusted_proxies: OnceLock::new(),
                facets: cache::Ttl::new(10_000),
                agencies: cache::Ttl::new(1),
                dashboards: cache::Ttl::new(1_000),
                dashboards_computing: tokio::sync::Mutex::new(()),
                imports: std::sync::Mutex::new(std::collections::HashMap::new()),
            }),
        }
    }

    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// Register imports running on this instance, with their progress.
    pub(crate) fn imports(
        &self,
    ) -> &std::sync::Mutex<std::collections::HashMap<i64, (usize, usize)>> {
        &self.inner.imports
    }

    /// The dashboards' case lists, reused while nothing changed (see `staff::cases::GroupsKey`).
    pub(crate) fn dashboards(
        &self,
    ) -> &cache::Ttl<staff::cases::GroupsKey, Arc<staff::cases::Groups>> {
        &self.inner.dashboards
    }

    /// Held while a dashboard's case lists are computed, so concurrent requests compute them once.
    pub(crate) fn dashboards_computing(&self) -> &tokio::sync::Mutex<()> {
        &self.inner.dashboards_computing
    }

    pub(crate) fn calendar(&self) -> Arc<Calendar> {
        self.inner
            .calendar
            .read()
            .map(|calendar| Arc::clone(&calendar))
            .unwrap_or_else(|poisoned| Arc::clone(&poisoned.into_inner()))
    }

    /// Reloads the calendar years entered in the database (another instance or the CLI may have added one).
    pub async fn refresh_calendar(&self) -> Result<(), gongkai_store::StoreError> {
        let calendar = Arc::new(gongkai_store::calendar::effective(self.store()).await?);
        match self.inner.calendar.write() {
            Ok(mut current) => *current = calendar,
            Err(poisoned) => *poisoned.into_inner() = calendar,
        }
        Ok(())
    }

    pub(crate) fn today(&self) -> Date {
        (self.inner.today)()
    }

    /// Makes `index` the search index (once; search pages answer 503 until then).
    pub fn set_search(&self, index: Arc<gongkai_search::SearchIndex>) {
        let _ = self.inner.search.set(index);
    }

    pub(crate) fn search(&self) -> Option<Arc<gongkai_search::SearchIndex>> {
        self.inner.search.get().cloned()
    }

    /// Turns the per-address rate limits off (load tests from one address); call before [`router`].
    pub fn without_rate_limits(self) -> AppState {
        self.inner.rate_limits.store(false, std::sync::atomic::Ordering::Relaxed);
        self
    }

    /// The agency's catalog facets, counted at most every [`cache::TTL`] (a big catalog takes tens of
    /// milliseconds to group, and every catalog page shows them).
    pub(crate) async fn facets(
        &self,
        agency_id: i64,
    ) -> Result<Arc<Facets>, gongkai_store::StoreError> {
        if let Some(facets) = self.inner.facets.get(&agency_id) {
            return Ok(facets);
        }
        let facets = Arc::new(gongkai_store::catalog::facets(self.store(), agency_id).await?);
        self.inner.facets.put(agency_id, Arc::clone(&facets));
        Ok(facets)
    }

    /// Every agency, read at most every [`cache::TTL`] (every page names its agency, and search checks its
    /// filter against the list).
    pub(crate) async fn agencies(
        &self,
    ) -> Result<Arc<Vec<gongkai_store::agencies::AgencyRow>>, gongkai_store::StoreError> {
        if let Some(list) = self.inner.agencies.get(&()) {
            return Ok(list);
        }
        let list = Arc::new(gongkai_store::agencies::list(self.store()).await?);
        self.inner.agencies.put((), Arc::clone(&list));
        Ok(list)
    }

    /// Drops the cached agency list (after an agency is added in the back office).
    pub(crate) fn forget_agencies(&self) {
        self.inner.agencies.clear();
    }

    /// The agency `code` from [`AppState::agencies`]; a code not in the list is looked up in the store, so a
    /// new agency is found at once.
    pub(crate) async fn agency(
        &self,
        code: &str,
    ) -> Result<gongkai_store::agencies::AgencyRow, gongkai_store::StoreError> {
        match self.agencies().await?.iter().find(|agency| agency.code == code) {
            Some(agency) => Ok(agency.clone()),
            None => gongkai_store::agencies::by_code(self.store(), code).await,
        }
    }

    /// Sends the staff session cookie without `Secure`, for a plain-HTTP intranet (browsers treat
    /// `localhost` as secure, so a local demo does not need this); call before [`router`].
    pub fn without_secure_cookies(self) -> AppState {
        self.inner.secure_cookies.store(false, std::sync::atomic::Ordering::Relaxed);
        self
    }

    /// Sends HSTS on every answer: TLS ends in front of gongkai (a proxy that does not say so with
    /// `X-Forwarded-Proto`); call before [`router`]. Behind trusted proxies that do say so, HSTS is sent
    /// without this.
    pub fn with_hsts(self) -> AppState {
        self.inner.hsts.store(true, std::sync::atomic::Ordering::Relaxed);
        self
    }

    fn hsts(&self) -> bool {
        self.inner.hsts.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Believes `X-Forwarded-For` from these proxies (a load balancer in front of several instances), so
    /// rate limits and the audit trail see each client rather than the balancer (see [`client`]); call
    /// once, before [`router`].
    pub fn with_trusted_proxies(self, proxies: client::TrustedProxies) -> AppState {
        let _ = self.inner.trusted_proxies.set(Arc::new(proxies));
        self
    }

    fn trusted_proxies(&self) -> Arc<client::TrustedProxies> {
        self.inner.trusted_proxies.get().cloned().unwrap_or_default()
    }

    fn secure_cookies(&self) -> bool {
        self.inner.secure_cookies.load(std::sync::atomic::Ordering::Relaxed)
    }

    fn rate_limited(&self) -> bool {
        self.inner.rate_limits.load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// Longest query string accepted; longer ones get a 414 page (a search query is at most 100 characters).
pub const MAX_QUERY_STRING: usize = 4096;

async fn limit_uri(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let too_long = request.uri().query().is_some_and(|query| query.len() > MAX_QUERY_STRING)
        || request.uri().path().len() > 1024;
    if too_long {
        return error::page(
            StatusCode::URI_TOO_LONG,
            "地址过长",
            "请求的地址或搜索条件过长，无法处理。请缩短搜索词后重试。",
        );
    }
    next.run(request).await
}

/// The answer to a client over its rate: 429 with a Chinese page and when to retry.
fn too_many(error: tower_governor::GovernorError) -> axum::response::Response {
    let mut response = error::page(
        StatusCode::TOO_MANY_REQUESTS,
        "操作过于频繁",
        "您的操作过于频繁，请稍后再试。已填写的内容未被提交。",
    );
    if let tower_governor::GovernorError::TooManyRequests { wait_time, .. } = error
        && let Ok(value) = HeaderValue::from_str(&wait_time.max(1).to_string())
    {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

const CSS: &str = include_str!("../static/site.css");
const SCRIPT: &str = include_str!("../static/suggest.js");

async fn script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        SCRIPT,
    )
}

async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        CSS,
    )
}

async fn health() -> &'static str {
    "ok"
}

async fn not_found() -> PageError {
    PageError::NotFound
}

/// Every route, with the security headers, body limit, timeout and panic catcher.
pub fn router(state: AppState) -> Router {
    let headers = [
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
             form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "same-origin"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (HeaderName::from_static("permissions-policy"), "camera=(), microphone=(), geolocation=()"),
    ];
    use axum::routing::post;
    let limited = state.rate_limited();
    let proxies = state.trusted_proxies();
    let secure_cookies = state.secure_cookies();
    let hsts = (state.hsts(), Arc::clone(&proxies));
    // Per client address (see `client`): forms (application, booking, cancellation, tracking) a burst of 10, then one
    // every 6 s; searches a burst of 30, then 2 per second.
    let forms_config = tower_governor::governor::GovernorConfigBuilder::default()
        .period(Duration::from_secs(6))
        .burst_size(10)
        .key_extractor(client::ClientKey)
        .finish()
        .expect("a valid rate limit");
    let search_config = tower_governor::governor::GovernorConfigBuilder::default()
        .period(Duration::from_millis(500))
        .burst_size(30)
        .key_extractor(client::ClientKey)
        .finish()
        .expect("a valid rate limit");
    let forms_limit = tower_governor::GovernorLayer::new(forms_config).error_handler(too_many);
    let search_limit = tower_governor::GovernorLayer::new(search_config).error_handler(too_many);
    // A rate-limited POST (or GET) route, or the same route unlimited for load tests.
    let form_post = |handler: axum::routing::MethodRouter<AppState>| {
        if limited { handler.layer(forms_limit.clone()) } else { handler }
    };
    let search_get = |handler: axum::routing::MethodRouter<AppState>| {
        if limited { handler.layer(search_limit.clone()) } else { handler }
    };
    // Staff sessions live in the database (shared by every instance, keyed by a digest of the id), end after 8
    // hours without activity,
    // and their cookie is HttpOnly, SameSite=Strict and (unless turned off for plain-HTTP intranets) Secure.
    let sessions = tower_sessions::SessionManagerLayer::new(staff::session::DatabaseSessions::new(
        state.store().clone(),
    ))
    .with_name("gk_staff")
    .with_http_only(true)
    .with_same_site(tower_sessions::cookie::SameSite::Strict)
    .with_secure(state.secure_cookies())
    .with_expiry(tower_sessions::Expiry::OnInactivity(time::Duration::hours(8)))
    // Saved on every answer, so the 8 hours run from the last request (they ran from sign-in).
    .with_always_save(true);
    let staff_routes = staff::routes(form_post(post(staff::signin::submit)))
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(axum::middleware::from_fn(csrf::keep_session_token))
        .layer(sessions);
    let api = api::routes(search_get);
    // Public pages that are the same for everyone: rendered at most every few seconds (see `cache`).
    let cacheable = Router::new()
        .route("/", get(home::home))
        .route("/robots.txt", get(feeds::robots))
        .route("/sitemap.xml", get(feeds::sitemap_index))
        .route("/sitemaps/{file}", get(feeds::sitemap_file))
        .route("/feed.atom", get(feeds::platform_feed))
        .route("/directory", get(directory::top))
        .route("/directory/{code}", get(directory::level))
        .route("/agencies/{code}", get(portal::overview))
        .route("/agencies/{code}/leaders", get(portal::leaders))
        .route("/agencies/{code}/guide", get(portal::guide))
        .route("/agencies/{code}/catalog", get(portal::catalog_page))
        .route("/agencies/{code}/reports", get(portal::report_list))
        .route("/agencies/{code}/feed.atom", get(feeds::agency_feed))
        .route("/items/{id}", get(portal::item))
        .route_layer(axum::middleware::from_fn_with_state(
            Arc::new(cache::PageCache::default()),
            cache::layer,
        ));
    // The public forms and what they answer: an application's receipt, a form sent back with its errors, a
    // status page, a booking — personal data that no browser or proxy cache may keep.
    let public_forms = Router::new()
        .route(
            "/agencies/{code}/apply",
            form_post(
                post(apply::submit)
                    .layer(axum::extract::DefaultBodyLimit::max(apply::UPLOAD_LIMIT)),
            )
            .get(apply::form),
        )
        .route("/agencies/{code}/booking", form_post(post(booking::submit)).get(booking::form))
        .route("/booking/cancel", form_post(post(booking::cancel)).get(booking::cancel_form))
        .route("/track", form_post(post(track::lookup)).get(track::form))
        .route("/track/letter", form_post(post(track::letter)))
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ));
    let mut router = Router::new()
        .merge(cacheable)
        .route("/healthz", get(health))
        // Not through the page cache: a cached answer keeps only its content type.
        .route("/agencies/{code}/leaders/photos/{sha256}", get(portal::leader_photo))
        .route("/static/site.css", get(stylesheet))
        .route("/static/suggest.js", get(script))
        .route("/search", search_get(get(search::search)))
        .route("/agencies/{code}/reports/{file}", get(portal::report_file))
        .route("/agencies/{code}/reports/history/{year}", get(portal::history_file))
        .route("/items/{id}/attachments/{attachment}", get(portal::attachment))
        .merge(public_forms)
        .nest("/api/v1", api)
        .nest("/staff", staff_routes)
        .fallback(not_found)
        .with_state(state);
    for (name, value) in headers {
        router = router
            .layer(SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value)));
    }
    router
        .layer(axum::middleware::from_fn_with_state(secure_cookies, csrf::edge))
        .layer(axum::middleware::from_fn_with_state(hsts, client::strict_transport))
        // Outside every route, so the rate limits and handlers find the client's address.
        .layer(axum::middleware::from_fn_with_state(proxies, client::resolve))
        .layer(axum::middleware::from_fn(limit_uri))
        .layer(axum::extract::DefaultBodyLimit::max(BODY_LIMIT))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, Duration::from_secs(30)))
        .layer(CatchPanicLayer::custom(error::panic_page))
        // Outside the timeout and panic catcher, so what they answer on an API path is JSON too.
        .layer(axum::middleware::from_fn(api::json_errors))
        // Logs method, path, status and latency only: never bodies or query strings.
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|request: &axum::http::Request<_>| {
                    tracing::info_span!("request", method = %request.method(), path = %request.uri().path())
                }),
        )
}

/// Serves `state` on `listener` until `shutdown` completes, then finishes the requests in flight.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let refresher = state.clone();
    let refresh = tokio::spawn(async move {
        let mut interval = tokio::time::interval(CALENDAR_REFRESH);
        interval.tick().await;
        loop {
            interval.tick().await;
            if let Err(err) = refresher.refresh_calendar().await {
                tracing::warn!(error = %err, "reloading the calendar failed; keeping the previous one");
            }
        }
    });
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    let served = axum::serve(listener, app).with_graceful_shutdown(shutdown).await;
    refresh.abort();
    served
}
