//! CSRF protection for every form: a random token in a `SameSite=Strict` cookie that the form must echo
//! (double submit), plus a same-origin check of `Origin` / `Sec-Fetch-Site` when the browser sends them.
//! Public forms need no session for this. Staff forms are also bound to the session: sign-in issues a fresh
//! token and keeps it in the session, and the `Staff` extractor refuses a post whose cookie is not that
//! token, so a token planted before sign-in or tossed in later by a sibling host is worthless.
//!
//! Over HTTPS (the default: secure cookies) the cookie is `__Host-gk_csrf` with `Secure`: a browser accepts
//! that name only from this exact host over HTTPS with `Path=/`, so no subdomain can set it. The handlers
//! speak of one cookie, `gk_csrf`; [`edge`] translates the name on the way in and out, and on the way in
//! drops a plain `gk_csrf` that anyone on a sibling host could have set.

use axum::http::{HeaderMap, HeaderValue, header};

use crate::PageError;

const COOKIE: &str = "gk_csrf";
/// The cookie's name over HTTPS.
const HOST_COOKIE: &str = "__Host-gk_csrf";

/// The token for a form page, and the `Set-Cookie` value when the client has none yet.
pub(crate) fn issue(headers: &HeaderMap) -> Result<(String, Option<HeaderValue>), PageError> {
    if let Some(token) = cookie_token(headers) {
        return Ok((token, None));
    }
    let (token, cookie) = fresh()?;
    Ok((token, Some(cookie)))
}

/// A new token and its `Set-Cookie` value, whatever the client holds (sign-in binds a new one to the
/// session).
pub(crate) fn fresh() -> Result<(String, HeaderValue), PageError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|_| PageError::Csrf)?;
    let token = hex::encode(bytes);
    let value = cookie_for(&token)?;
    Ok((token, value))
}

/// The `Set-Cookie` value that gives the browser `token`.
pub(crate) fn cookie_for(token: &str) -> Result<HeaderValue, PageError> {
    HeaderValue::from_str(&format!("{COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict"))
        .map_err(|_| PageError::Csrf)
}

/// The request's `Cookie` headers with the token replaced by `token`.
fn put_token(headers: &mut HeaderMap, token: &str) {
    let mut pairs = pairs_but_token(headers);
    pairs.push(format!("{COOKIE}={token}"));
    set_cookies(headers, &pairs);
}

/// The request's cookie pairs (`name=value`), all but a plain `gk_csrf`.
fn pairs_but_token(headers: &HeaderMap) -> Vec<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .map(str::trim)
        .filter(|pair| !pair.is_empty())
        .filter(|pair| pair.split_once('=').is_none_or(|(name, _)| name != COOKIE))
        .map(str::to_owned)
        .collect()
}

/// Replaces the request's `Cookie` headers with one holding `pairs` (none when there are none).
fn set_cookies(headers: &mut HeaderMap, pairs: &[String]) {
    headers.remove(header::COOKIE);
    if !pairs.is_empty()
        && let Ok(value) = HeaderValue::from_str(&pairs.join("; "))
    {
        headers.insert(header::COOKIE, value);
    }
}

/// The middleware of staff pages: a page that is read (GET) by a signed-in browser whose cookie no longer
/// holds the session's token (the browser was restarted and kept the session cookie but not the CSRF one,
/// or the cookie was replaced) is rendered with the session's token and gives it back to the browser, so the
/// forms on it work. Posts are never changed: they must carry the session's token themselves.
pub(crate) async fn keep_session_token(
    session: tower_sessions::Session,
    mut request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let reading = matches!(*request.method(), axum::http::Method::GET | axum::http::Method::HEAD);
    let bound: Option<String> =
        if reading { session.get(crate::staff::CSRF_KEY).await.ok().flatten() } else { None };
    let Some(token) = bound.filter(|token| !holds(request.headers(), token)) else {
        return next.run(request).await;
    };
    put_token(request.headers_mut(), &token);
    let mut response = next.run(request).await;
    if let Ok(cookie) = cookie_for(&token) {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

/// Whether the request's token is `expected` (compared in constant time).
pub(crate) fn holds(headers: &HeaderMap, expected: &str) -> bool {
    cookie_token(headers).is_some_and(|token| equal(token.as_bytes(), expected.as_bytes()))
}

/// The middleware that names the cookie `__Host-gk_csrf` (with `Secure`) when the platform is served with
/// secure cookies, and `gk_csrf` otherwise (a plain-HTTP intranet, where browsers refuse `__Host-`).
pub(crate) async fn edge(
    axum::extract::State(secure): axum::extract::State<bool>,
    mut request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    if secure {
        rename_incoming(request.headers_mut());
    }
    let mut response = next.run(request).await;
    if secure {
        rename_outgoing(response.headers_mut());
    }
    response
}

/// `Cookie` headers with `__Host-gk_csrf` read as `gk_csrf`, and any plain `gk_csrf` dropped.
fn rename_incoming(headers: &mut HeaderMap) {
    let pairs: Vec<String> = pairs_but_token(headers)
        .into_iter()
        .map(|pair| match pair.split_once('=') {
            Some((HOST_COOKIE, value)) => format!("{COOKIE}={value}"),
            _ => pair,
        })
        .collect();
    set_cookies(headers, &pairs);
}

/// `Set-Cookie: gk_csrf=…` as `__Host-gk_csrf=…; Secure`.
fn rename_outgoing(headers: &mut HeaderMap) {
    let cookies: Vec<HeaderValue> = headers.get_all(header::SET_COOKIE).iter().cloned().collect();
    if !cookies.iter().any(|value| value.as_bytes().starts_with(b"gk_csrf=")) {
        return;
    }
    headers.remove(header::SET_COOKIE);
    for value in cookies {
        let renamed =
            value.to_str().ok().and_then(|text| text.strip_prefix("gk_csrf=")).and_then(|rest| {
                HeaderValue::from_str(&format!("{HOST_COOKIE}={rest}; Secure")).ok()
            });
        headers.append(header::SET_COOKIE, renamed.unwrap_or(value));
    }
}

/// `response` with the `Set-Cookie` of [`issue`], if it made one.
pub(crate) fn with_cookie(
    mut response: axum::response::Response,
    cookie: Option<HeaderValue>,
) -> axum::response::Response {
    if let Some(cookie) = cookie {
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    response
}

/// Accepts a form post only with the cookie's token echoed and no cross-site origin.
pub(crate) fn check(headers: &HeaderMap, submitted: &str) -> Result<(), PageError> {
    if headers.get("sec-fetch-site").and_then(|value| value.to_str().ok()) == Some("cross-site") {
        return Err(PageError::Csrf);
    }
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|value| value.to_str().ok()) {
        let host = headers.get(header::HOST).and_then(|value| value.to_str().ok());
        let origin_host = origin.split_once("://").map(|(_, rest)| rest);
        if origin_host.is_none() || origin_host != host {
            return Err(PageError::Csrf);
        }
    }
    match cookie_token(headers) {
        Some(token) if equal(token.as_bytes(), submitted.as_bytes()) => Ok(()),
        _ => Err(PageError::Csrf),
    }
}

fn cookie_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, token)| token.to_owned())
        .filter(|token| token.len() == 32 && token.bytes().all(|byte| byte.is_ascii_hexdigit()))
}

fn equal(left: &[u8], right: &[u8]) -> bool {
    left.len() == right.len() && left.iter().zip(right).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    const TOKEN: &str = "0123456789abcdef0123456789abcdef";

    #[test]
    fn the_form_must_echo_the_cookie() {
        let cookie = format!("a=b; gk_csrf={TOKEN}");
        assert!(check(&headers(&[("cookie", &cookie)]), TOKEN).is_ok());
        assert!(
            check(&headers(&[("cookie", &cookie)]), "0123456789abcdef0123456789abcdee").is_err()
        );
        assert!(check(&headers(&[]), TOKEN).is_err());
        assert!(check(&headers(&[("cookie", "gk_csrf=short")]), "short").is_err());
    }

    #[test]
    fn cross_site_posts_are_refused() {
        let cookie = format!("gk_csrf={TOKEN}");
        let same =
            [("cookie", cookie.as_str()), ("host", "gk.example"), ("origin", "https://gk.example")];
        assert!(check(&headers(&same), TOKEN).is_ok());
        let other = [
            ("cookie", cookie.as_str()),
            ("host", "gk.example"),
            ("origin", "https://evil.example"),
        ];
        assert!(check(&headers(&other), TOKEN).is_err());
        let fetch = [("cookie", cookie.as_str()), ("sec-fetch-site", "cross-site")];
        assert!(check(&headers(&fetch), TOKEN).is_err());
    }

    #[test]
    fn over_https_the_cookie_is_host_only_and_a_plain_one_is_ignored() {
        let mut incoming = headers(&[(
            "cookie",
            &format!(
                "gk_csrf=planted00000000000000000000000000; __Host-gk_csrf={TOKEN}; gk_staff=s"
            ),
        )]);
        rename_incoming(&mut incoming);
        assert_eq!(incoming[header::COOKIE], format!("gk_csrf={TOKEN}; gk_staff=s"));
        assert_eq!(cookie_token(&incoming).as_deref(), Some(TOKEN));
        // Only a planted plain cookie: no token at all.
        let mut planted = headers(&[("cookie", &format!("gk_csrf={TOKEN}"))]);
        rename_incoming(&mut planted);
        assert!(cookie_token(&planted).is_none());

        let (_, cookie) = fresh().unwrap();
        let mut outgoing = HeaderMap::new();
        outgoing.append(header::SET_COOKIE, HeaderValue::from_static("gk_staff=x; Path=/"));
        outgoing.append(header::SET_COOKIE, cookie);
        rename_outgoing(&mut outgoing);
        let set: Vec<&str> =
            outgoing.get_all(header::SET_COOKIE).iter().map(|v| v.to_str().unwrap()).collect();
        assert_eq!(set[0], "gk_staff=x; Path=/");
        assert!(
            set[1].starts_with("__Host-gk_csrf=")
                && set[1].ends_with("; Path=/; HttpOnly; SameSite=Strict; Secure"),
            "{set:?}"
        );
    }

    #[test]
    fn an_existing_token_is_reused() {
        let cookie = format!("gk_csrf={TOKEN}");
        let (token, set) = issue(&headers(&[("cookie", &cookie)])).unwrap();
        assert_eq!(token, TOKEN);
        assert!(set.is_none());
        let (fresh, set) = issue(&headers(&[])).unwrap();
        assert_eq!(fresh.len(), 32);
        assert!(set.unwrap().to_str().unwrap().contains("SameSite=Strict"));
    }
}
