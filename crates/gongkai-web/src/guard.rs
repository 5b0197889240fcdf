//! Guessing a verification code: the tracking page, the applicant's letters and the booking cancellation
//! each take a number and a six-digit code. Besides the per-address rate limit of every form, failures are
//! counted per number and per client network in the store's throttles (shared by every instance), with
//! growing delays, so neither spreading guesses over addresses nor over instances gets through a million
//! codes: about thirty guesses a day per number.

use std::future::Future;
use std::net::IpAddr;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use gongkai_store::StoreError;
use gongkai_store::throttle::{self, Policy};
use time::OffsetDateTime;

use crate::{AppState, PageError};

/// Wrong codes for one number: five free (typing mistakes), then 30 s doubling up to an hour.
pub(crate) const PER_NUMBER: Policy =
    Policy { free: 5, base: time::Duration::seconds(30), max: time::Duration::HOUR };
/// Wrong codes from one network, whatever the number: twenty free, then 10 s doubling up to an hour.
pub(crate) const PER_NETWORK: Policy =
    Policy { free: 20, base: time::Duration::seconds(10), max: time::Duration::HOUR };

/// The outcome of a guarded check.
pub(crate) enum Guarded<T> {
    Found(T),
    /// A wrong code or an unknown number (counted).
    Wrong,
    /// Too many wrong codes for this number or from this network: nothing was checked.
    Throttled(time::Duration),
}

/// Runs `check` (which answers `None` for a wrong code and an unknown number alike) unless the number or the
/// client's network is throttled, and counts a failure against both when it answers `None`. `kind` names
/// what the number is (`code` for applications, `booking` for bookings).
pub(crate) async fn check_code<T>(
    state: &AppState,
    kind: &str,
    number: &str,
    client: IpAddr,
    check: impl Future<Output = Result<Option<T>, StoreError>>,
) -> Result<Guarded<T>, PageError> {
    let now = OffsetDateTime::now_utc();
    let by_number = format!("{kind}:{number}");
    let by_network = format!("{kind}-from:{}", crate::client::network_key(client));
    let wait = throttle::wait(state.store(), &[&by_number, &by_network], now).await?;
    if wait > time::Duration::ZERO {
        return Ok(Guarded::Throttled(wait));
    }
    match check.await? {
        Some(found) => {
            throttle::cleared(state.store(), &[&by_number]).await?;
            Ok(Guarded::Found(found))
        }
        None => {
            throttle::failed(
                state.store(),
                &[(&by_number, PER_NUMBER), (&by_network, PER_NETWORK)],
                now,
            )
            .await?;
            Ok(Guarded::Wrong)
        }
    }
}

/// The page for a throttled number: 429 with when to try again.
pub(crate) fn throttled(wait: time::Duration) -> Response {
    let message = format!(
        "该编号的查询码输错次数过多，为保护申请人信息，请{}后再试。如遗失查询码，请联系受理机关。",
        wait_text(wait)
    );
    let mut response = crate::error::page(StatusCode::TOO_MANY_REQUESTS, "尝试次数过多", &message);
    if let Ok(value) = HeaderValue::from_str(&wait.whole_seconds().max(1).to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

/// A wait for people: 30秒, 2分钟 (minutes rounded up).
pub(crate) fn wait_text(wait: time::Duration) -> String {
    let seconds = wait.whole_seconds().max(1);
    if seconds < 60 { format!("{seconds}秒") } else { format!("{}分钟", (seconds + 59) / 60) }
}
