//! The state every request shares: the store, the effective calendar, the source of today's date, the
//! caches and the search index; the limits the server applies.

use std::sync::{Arc, OnceLock, RwLock};
use std::time::Duration;

use gongkai_core::calendar::Calendar;
use gongkai_store::Store;
use time::{Date, OffsetDateTime};

use crate::{cache, client, staff};

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
    channels: OnceLock<gongkai_store::notifications::Channels>,
    facets: cache::Ttl<i64, Arc<Facets>>,
    agencies: cache::Ttl<(), Arc<Vec<gongkai_store::agencies::AgencyRow>>>,
    /// The platform's marks for the page footer (see [`crate::site`]).
    site: cache::Ttl<(), Arc<gongkai_core::site::SiteInfo>>,
    dashboards: cache::Ttl<staff::cases::GroupsKey, Arc<staff::cases::Groups>>,
    dashboards_computing: tokio::sync::Mutex<()>,
    /// Register imports running on this instance: upload id → (rows written, rows in all).
    imports: std::sync::Mutex<std::collections::HashMap<i64, (usize, usize)>>,
    /// The instance's counters (always kept; served at `/metrics` once `metrics_access` is set).
    metrics: Arc<crate::metrics::Metrics>,
    metrics_access: OnceLock<crate::metrics::Access>,
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
        let metrics = Arc::new(crate::metrics::Metrics::new());
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
                channels: OnceLock::new(),
                facets: cache::Ttl::counted(10_000, metrics.cache("facets")),
                agencies: cache::Ttl::counted(1, metrics.cache("agencies")),
                site: cache::Ttl::counted(1, metrics.cache("site")),
                dashboards: cache::Ttl::counted(1_000, metrics.cache("dashboards")),
                dashboards_computing: tokio::sync::Mutex::new(()),
                imports: std::sync::Mutex::new(std::collections::HashMap::new()),
                metrics,
                metrics_access: OnceLock::new(),
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

    /// The platform's marks, reused for [`cache::TTL`] (an admin's change on any instance shows within it).
    pub(crate) async fn site(
        &self,
    ) -> Result<Arc<gongkai_core::site::SiteInfo>, gongkai_store::StoreError> {
        if let Some(info) = self.inner.site.get(&()) {
            return Ok(info);
        }
        let info = Arc::new(gongkai_store::site::info(self.store()).await?);
        self.inner.site.put((), Arc::clone(&info));
        Ok(info)
    }

    /// Forgets the cached marks (after this instance changed them).
    pub(crate) fn forget_site(&self) {
        self.inner.site.clear();
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

    /// The search index, once it is built (see [`AppState::set_search`]).
    pub fn search(&self) -> Option<Arc<gongkai_search::SearchIndex>> {
        self.inner.search.get().cloned()
    }

    /// The channels notices go out through (set once, before serving; none until then: notices are then
    /// recorded as not sent, with the reason).
    pub fn with_channels(self, channels: gongkai_store::notifications::Channels) -> AppState {
        let _ = self.inner.channels.set(channels);
        self
    }

    pub(crate) fn channels(&self) -> gongkai_store::notifications::Channels {
        self.inner.channels.get().copied().unwrap_or_default()
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

    pub(crate) fn hsts(&self) -> bool {
        self.inner.hsts.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Believes `X-Forwarded-For` from these proxies (a load balancer in front of several instances), so
    /// rate limits and the audit trail see each client rather than the balancer (see [`client`]); call
    /// once, before [`router`].
    pub fn with_trusted_proxies(self, proxies: client::TrustedProxies) -> AppState {
        let _ = self.inner.trusted_proxies.set(Arc::new(proxies));
        self
    }

    pub(crate) fn trusted_proxies(&self) -> Arc<client::TrustedProxies> {
        self.inner.trusted_proxies.get().cloned().unwrap_or_default()
    }

    pub(crate) fn secure_cookies(&self) -> bool {
        self.inner.secure_cookies.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Serves `/metrics` to the clients `access` allows and times every request; call before [`router`].
    pub fn with_metrics(self, access: crate::metrics::Access) -> AppState {
        let _ = self.inner.metrics_access.set(access);
        self
    }

    /// The metrics, when `/metrics` is served.
    pub(crate) fn metrics(&self) -> Option<&Arc<crate::metrics::Metrics>> {
        self.inner.metrics_access.get().map(|_| &self.inner.metrics)
    }

    /// The counters, served or not (intakes, searches and caches are always counted).
    pub(crate) fn counters(&self) -> &crate::metrics::Metrics {
        &self.inner.metrics
    }

    pub(crate) fn metrics_access(&self) -> crate::metrics::Access {
        self.inner.metrics_access.get().cloned().unwrap_or_else(crate::metrics::Access::loopback)
    }

    pub(crate) fn rate_limited(&self) -> bool {
        self.inner.rate_limits.load(std::sync::atomic::Ordering::Relaxed)
    }
}
