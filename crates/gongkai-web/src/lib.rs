//! The HTTP face of gongkai: server-rendered pages (askama), no JavaScript needed.
//!
//! Today it serves the public side of an application: the platform home, the online application form of each
//! agency (2019 条例 art. 29), the acknowledgment with a tracking number and a separate verification code, and
//! the status page driven by the reply clock. The rest of the portal and the back office grow here.
//!
//! The web layer is an edge: it reads today's date in China and client addresses, and hands plain values to the
//! store and the core. It never logs request bodies, so personal data in forms never reaches the logs.

mod apply;
mod csrf;
mod error;
mod home;
mod track;

use std::net::SocketAddr;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use gongkai_core::calendar::Calendar;
use gongkai_store::Store;
use time::{Date, OffsetDateTime, UtcOffset};
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
    let offset = UtcOffset::from_hms(8, 0, 0).expect("UTC+8 is a valid offset");
    OffsetDateTime::now_utc().to_offset(offset).date()
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
}

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
            }),
        }
    }

    pub fn store(&self) -> &Store {
        &self.inner.store
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
}

const CSS: &str = include_str!("../static/site.css");

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
    let mut router = Router::new()
        .route("/", get(home::home))
        .route("/healthz", get(health))
        .route("/static/site.css", get(stylesheet))
        .route("/agencies/{code}/apply", get(apply::form).post(apply::submit))
        .route("/track", get(track::form).post(track::lookup))
        .fallback(not_found)
        .with_state(state);
    for (name, value) in headers {
        router = router
            .layer(SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value)));
    }
    router
        .layer(axum::extract::DefaultBodyLimit::max(BODY_LIMIT))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, Duration::from_secs(30)))
        .layer(CatchPanicLayer::custom(error::panic_page))
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
