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
use gongkai_store::throttle::{self, Attempt, Key, Policy};
use time::OffsetDateTime;

use crate::{AppState, PageError};

/// Codes tried for one number: five free (typing mistakes), then 30 s doubling up to an hour; one forgiven
/// an hour.
pub(crate) const PER_NUMBER: Policy = Policy {
    free: 5,
    base: time::Duration::seconds(30),
    max: time::Duration::HOUR,
    forgive: time::Duration::HOUR,
};
/// Codes tried from one network, whatever the number: twenty free, then 10 s doubling up to an hour; one
/// forgiven every 5 minutes.
pub(crate) const PER_NETWORK: Policy = Policy {
    free: 20,
    base: time::Duration::seconds(10),
    max: time::Duration::HOUR,
    forgive: time::Duration::minutes(5),
};

/// The outcome of a guarded check.
pub(crate) enum Guarded<T> {
    Found(T),
    /// A wrong code or an unknown number (counted).
    Wrong,
    /// Too many codes tried for this number or from this network: nothing was checked.
    Throttled(time::Duration),
}

/// Runs `check` (which answers `None` for a wrong code and an unknown number alike) unless the number or the
/// client's network is throttled. The attempt is counted against both before the check (so parallel guesses
/// count one by one); a right code clears the number and takes the attempt back from the network. `kind`
/// names what the number is (`code` for applications, `booking` for bookings).
pub(crate) async fn check_code<T>(
    state: &AppState,
    kind: &str,
    number: &str,
    client: IpAddr,
    check: impl Future<Output = Result<Option<T>, StoreError>>,
) -> Result<Guarded<T>, PageError> {
    let by_number = Key { name: format!("{kind}:{number}"), account: None, policy: PER_NUMBER };
    let by_network = Key {
        name: format!("{kind}-from:{}", crate::client::network_key(client)),
        account: None,
        policy: PER_NETWORK,
    };
    let now = OffsetDateTime::now_utc();
    let keys = [by_number.clone(), by_network.clone()];
    if let Attempt::Blocked { wait } = throttle::attempt(state.store(), &keys, now).await? {
        return Ok(Guarded::Throttled(wait));
    }
    match check.await? {
        Some(found) => {
            throttle::succeeded(state.store(), &[&by_number.name], &[by_network]).await?;
            Ok(Guarded::Found(found))
        }
        None => Ok(Guarded::Wrong),
    }
}

/// The page for a throttled number: 429 with when to try again.
pub(crate) fn throttled(wait: time::Duration) -> Response {
    let message = format!(
        "该编号的查询码输错次数过多，为保护申请人信息，请{}后再试。如遗失查询码，请联系受理机关。",
        wait_text(wait)
    );
    retry_after(crate::error::page(StatusCode::TOO_MANY_REQUESTS, "尝试次数过多", &message), wait)
}

/// `response` saying when to try again (`Retry-After`, whole seconds, at least one).
pub(crate) fn retry_after(mut response: Response, wait: time::Duration) -> Response {
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
