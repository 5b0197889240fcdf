//! Every route of the portal, the API and the back office, with the layers around them (security headers,
//! body limit, timeout, panic catcher, URI length, rate limits), and serving them until shutdown.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{MethodRouter, get, post};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::state::{AppState, CALENDAR_REFRESH};
use crate::*;

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
const FORMS_SCRIPT: &str = include_str!("../static/forms.js");

async fn script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        SCRIPT,
    )
}

async fn forms_script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        FORMS_SCRIPT,
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

/// A route's method router, rate-limited per client unless limits are off (load tests).
type Limit<'a> = &'a dyn Fn(MethodRouter<AppState>) -> MethodRouter<AppState>;

/// Every route, with the security headers, body limit, timeout and panic catcher.
pub fn router(state: AppState) -> Router {
    let limited = state.rate_limited();
    // Per client address (see `client`): forms (application, booking, cancellation, tracking) a burst of 10,
    // then one every 6 s; searches a burst of 30, then 2 per second.
    let form_post = limiter(limited, Duration::from_secs(6), 10);
    let search_get = limiter(limited, Duration::from_millis(500), 30);
    let staff_routes = staff::routes(form_post(post(staff::signin::submit)))
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(axum::middleware::from_fn(csrf::keep_session_token))
        .layer(sessions(&state));
    let api = api::routes(search_get.clone());
    let router = Router::new()
        .merge(cacheable(&state))
        .route("/healthz", get(health))
        .route("/metrics", get(metrics::scrape))
        .route("/livez", get(probes::live))
        .route("/readyz", get(probes::ready))
        // Not through the page cache: a cached answer keeps only its content type.
        .route("/agencies/{code}/leaders/photos/{sha256}", get(portal::leader_photo))
        .route("/static/site.css", get(stylesheet))
        .route("/favicon.ico", get(site::favicon))
        .route("/favicon.svg", get(site::favicon))
        .route("/display", get(site::display))
        .route("/static/suggest.js", get(script))
        .route("/static/forms.js", get(forms_script))
        .route("/search", search_get(get(search::search)))
        .route("/agencies/{code}/reports/{file}", get(portal::report_file))
        .route("/agencies/{code}/reports/history/{year}", get(portal::history_file))
        .route("/items/{id}/attachments/{attachment}", get(portal::attachment))
        .merge(public_forms(&form_post))
        .nest("/api/v1", api)
        .nest("/staff", staff_routes)
        .fallback(not_found)
        .with_state(state.clone());
    around(router, &state)
}

/// Wraps a route in a per-client rate limit — a burst of `burst`, then one request every `period` — or,
/// with limits off, leaves it as it is.
fn limiter(
    limited: bool,
    period: Duration,
    burst: u32,
) -> impl Fn(MethodRouter<AppState>) -> MethodRouter<AppState> + Clone {
    let config = tower_governor::governor::GovernorConfigBuilder::default()
        .period(period)
        .burst_size(burst)
        .key_extractor(client::ClientKey)
        .finish()
        .expect("a valid rate limit");
    let layer = tower_governor::GovernorLayer::new(config).error_handler(too_many);
    move |handler: MethodRouter<AppState>| {
        if limited { handler.layer(layer.clone()) } else { handler }
    }
}

/// Staff sessions live in the database (shared by every instance, keyed by a digest of the id), end after
/// 8 hours without activity, and their cookie is `HttpOnly`, `SameSite=Strict` and (unless turned off for
/// plain-HTTP intranets) Secure.
fn sessions(
    state: &AppState,
) -> tower_sessions::SessionManagerLayer<staff::session::DatabaseSessions> {
    tower_sessions::SessionManagerLayer::new(staff::session::DatabaseSessions::new(
        state.store().clone(),
    ))
    .with_name("gk_staff")
    .with_http_only(true)
    .with_same_site(tower_sessions::cookie::SameSite::Strict)
    .with_secure(state.secure_cookies())
    .with_expiry(tower_sessions::Expiry::OnInactivity(time::Duration::hours(8)))
    // Saved on every answer, so the 8 hours run from the last request (they ran from sign-in).
    .with_always_save(true)
}

/// Public pages that are the same for everyone: rendered at most every few seconds (see `cache`).
fn cacheable(state: &AppState) -> Router<AppState> {
    Router::new()
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
            Arc::new(cache::PageCache::counted(state.counters().cache("pages"))),
            cache::layer,
        ))
}

/// The public forms and what they answer: an application's receipt, a form sent back with its errors, a
/// status page, a booking — personal data that no browser or proxy cache may keep.
fn public_forms(form_post: Limit<'_>) -> Router<AppState> {
    Router::new()
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
        .route(
            "/track/supplement",
            form_post(
                post(track::supplement)
                    .layer(axum::extract::DefaultBodyLimit::max(apply::UPLOAD_LIMIT)),
            ),
        )
        .route("/track/withdraw", form_post(post(track::withdraw)))
        .route("/track/delivery", form_post(post(track::delivery)))
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
}

/// The layers around every route: security headers, cookies and HSTS at the edge, the client's address,
/// the URI length, the body limit, the timeout, the panic catcher, JSON errors for the API, the trace.
fn around(mut router: Router, state: &AppState) -> Router {
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
    for (name, value) in headers {
        router = router
            .layer(SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value)));
    }
    let proxies = state.trusted_proxies();
    let hsts = (state.hsts(), Arc::clone(&proxies));
    router = router
        .layer(axum::middleware::from_fn_with_state(state.secure_cookies(), csrf::edge))
        .layer(axum::middleware::from_fn_with_state(hsts, client::strict_transport))
        // Outside every route, so the rate limits and handlers find the client's address.
        .layer(axum::middleware::from_fn_with_state(proxies, client::resolve))
        .layer(axum::middleware::from_fn(limit_uri))
        .layer(axum::extract::DefaultBodyLimit::max(BODY_LIMIT))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, Duration::from_secs(30)))
        .layer(CatchPanicLayer::custom(error::panic_page));
    router
        // Inside the panic catcher's page too: the footer's marks and the 适老化 mode on every HTML page.
        .layer(axum::middleware::from_fn_with_state(state.clone(), site::decorate))
        // Outside the timeout and panic catcher, so what they answer on an API path is JSON too.
        .layer(axum::middleware::from_fn(api::json_errors))
        // Every audit entry written for the request records its id (the one its log lines carry); the
        // request is timed for the metrics (outside the timeout and the panic catcher: their answers count).
        // In this layer, not one of its own: axum wraps every route in each `Router::layer` and clones the
        // whole stack below it for every request, which cost 2–3 µs a request (8 % of a cached page;
        // docs/BENCHMARKS.md).
        .layer(axum::middleware::from_fn_with_state(state.metrics().cloned(), request_context))
        // Logs method, path, status and latency only: never bodies or query strings; each line of a request
        // carries its id (`X-Request-Id`: the proxy's, or one made here), which the answer repeats.
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|request: &axum::http::Request<_>| {
                    let id = request
                        .headers()
                        .get("x-request-id")
                        .and_then(|value| value.to_str().ok())
                        .unwrap_or_default();
                    tracing::info_span!("request", method = %request.method(), path = %request.uri().path(), request_id = %id)
                }),
        )
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .layer(axum::middleware::from_fn(drop_unusable_request_id))
}

/// An incoming `X-Request-Id` is kept only when it is a plain token (1–128 letters, digits, `-`, `_`, `.`,
/// `:`), as proxies make them; anything else (a client's kilobytes, spaces, quotes) is dropped and one is
/// made here instead, so a log line never carries what a visitor chose to put in it.
async fn drop_unusable_request_id(
    mut request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let usable = |value: &HeaderValue| {
        let bytes = value.as_bytes();
        (1..=128).contains(&bytes.len())
            && bytes.iter().all(|byte| byte.is_ascii_alphanumeric() || b"-_.:".contains(byte))
    };
    let ids: Vec<&HeaderValue> = request.headers().get_all("x-request-id").iter().collect();
    if ids.len() > 1 || ids.first().is_some_and(|id| !usable(id)) {
        request.headers_mut().remove("x-request-id");
    }
    next.run(request).await
}

/// Runs the request on behalf of its `X-Request-Id` (set by then: the proxy's plain token, or a UUID made
/// here), so the audit entries it writes carry the id its log lines carry; with metrics on, times it under
/// the route it matched.
async fn request_context(
    axum::extract::State(metrics): axum::extract::State<Option<Arc<metrics::Metrics>>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let timing = metrics.map(|metrics| (metrics, metrics::Timing::start(&request)));
    let id = request
        .headers()
        .get("x-request-id")
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let response = match id {
        Some(id) => gongkai_store::audit::for_request(id, next.run(request)).await,
        None => next.run(request).await,
    };
    if let Some((metrics, timing)) = timing {
        metrics.done(timing, &response);
    }
    response
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
