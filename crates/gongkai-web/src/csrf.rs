//! CSRF protection for every form: a random token in a `SameSite=Strict` cookie that the form must echo
//! (double submit), plus a same-origin check of `Origin` / `Sec-Fetch-Site` when the browser sends them.
//! Public forms need no session for this; staff forms will bind the token to the session.

use axum::http::{HeaderMap, HeaderValue, header};

use crate::PageError;

const COOKIE: &str = "gk_csrf";

/// The token for a form page, and the `Set-Cookie` value when the client has none yet.
pub(crate) fn issue(headers: &HeaderMap) -> Result<(String, Option<HeaderValue>), PageError> {
    if let Some(token) = cookie_token(headers) {
        return Ok((token, None));
    }
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|_| PageError::Csrf)?;
    let token = hex::encode(bytes);
    let cookie = format!("{COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict");
    let value = HeaderValue::from_str(&cookie).map_err(|_| PageError::Csrf)?;
    Ok((token, Some(value)))
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
