//! What every public page carries as a government website, put in at the edge so that cached pages and
//! every template share it: the platform's marks at the foot of the page (主办单位, 联系方式, 网站标识码,
//! ICP备案编号, 公安机关备案号, 政府网站找错 — from the platform admin's settings, [`SiteInfo`]), and the
//! 适老化 mode a visitor switches on (larger text, higher contrast, larger targets), kept in a cookie.
//!
//! The page templates hold markers (`<!--gongkai:site-marks-->`, `<!--gongkai:display-->`) that
//! [`decorate`] replaces in each HTML answer; a page without them is passed through unchanged.

use askama::Template;
use axum::body::{Body, to_bytes};
use axum::extract::{Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use gongkai_core::site::SiteInfo;

use crate::AppState;

/// Where the platform's marks go (the public footer).
const MARKS: &str = "<!--gongkai:site-marks-->";
/// Where the 适老化 switch goes (the public header).
const DISPLAY: &str = "<!--gongkai:display-->";
/// The cookie that keeps the 适老化 mode (`elder`); absent for the standard look.
pub(crate) const DISPLAY_COOKIE: &str = "gk_display";
/// The root element as the templates write it, and with the 适老化 mode.
const ROOT: &str = "<html lang=\"zh-CN\">";
const ROOT_ELDER: &str = "<html lang=\"zh-CN\" class=\"elder\">";
/// Larger answers are not the platform's pages, which are well under it.
const MAX_PAGE: u64 = 4 * 1024 * 1024;

#[derive(Template)]
#[template(path = "site_marks.html")]
struct Marks<'a> {
    info: &'a SiteInfo,
}

/// Whether the request asks for the 适老化 mode.
pub(crate) fn elder(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .any(|value| value.split(';').any(|pair| pair.trim() == format!("{DISPLAY_COOKIE}=elder")))
}

/// The switch to the other look, returning to `back` (this page).
fn switch(elder: bool, back: &str) -> String {
    let back: String = form_urlencoded::byte_serialize(back.as_bytes()).collect();
    if elder {
        format!(
            "<a class=\"display-switch\" href=\"/display?mode=standard&amp;back={back}\">标准模式</a>"
        )
    } else {
        format!(
            "<a class=\"display-switch\" href=\"/display?mode=elder&amp;back={back}\">适老化模式</a>"
        )
    }
}

/// Fills the markers of an HTML answer: the marks, the switch, and the root's class in the 适老化 mode. The
/// answer varies with the display cookie, which `Vary` tells shared caches.
pub(crate) async fn decorate(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let elder = elder(request.headers());
    let head = request.method() == axum::http::Method::HEAD;
    let back = request.uri().path_and_query().map_or("/", |path| path.as_str()).to_owned();
    let mut response = next.run(request).await;
    let html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("text/html"));
    if !html {
        return response;
    }
    response.headers_mut().append(header::VARY, HeaderValue::from_static("Cookie"));
    // A download, a HEAD, or an answer of unknown or large size (a 历史报告 uploaded as HTML) is no page
    // of the platform's: passed through as it is.
    let download = response.headers().contains_key(header::CONTENT_DISPOSITION);
    let size = axum::body::HttpBody::size_hint(response.body()).exact();
    if head || download || size.is_none_or(|size| size > MAX_PAGE) {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, usize::try_from(MAX_PAGE).unwrap_or(usize::MAX)).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "页面无法读取").into_response();
    };
    let Ok(page) = std::str::from_utf8(&bytes) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    if !page.contains(MARKS) && !page.contains(DISPLAY) && !elder {
        return Response::from_parts(parts, Body::from(bytes));
    }
    let mut page = page.to_owned();
    if page.contains(MARKS) {
        // The marks are a courtesy of every page: a database that cannot be read leaves them out (the
        // page itself says what failed, if anything did).
        let marks = match state.site().await {
            Ok(info) => Marks { info: &info }.render().unwrap_or_default(),
            Err(err) => {
                tracing::warn!("site marks not read: {err}");
                String::new()
            }
        };
        page = page.replacen(MARKS, &marks, 1);
    }
    page = page.replacen(DISPLAY, &switch(elder, &back), 1);
    if elder {
        page = page.replacen(ROOT, ROOT_ELDER, 1);
    }
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(page))
}

#[derive(serde::Deserialize)]
pub(crate) struct DisplayQuery {
    #[serde(default)]
    mode: String,
    #[serde(default)]
    back: String,
}

/// Whether `back` is a path on this site to return to: `/` then visible ASCII only (a browser drops tabs and
/// line breaks from a URL, so "/\t/evil.example" would read as "//evil.example"), never `//` or a backslash.
fn local_path(back: &str) -> bool {
    back.starts_with('/')
        && !back.starts_with("//")
        && back.bytes().all(|byte| byte.is_ascii_graphic() && byte != b'\\')
}

/// `GET /display?mode=elder|standard&back=/path`: keeps the choice for a year and returns to the page. Only
/// a path on this site is returned to.
pub(crate) async fn display(
    State(state): State<AppState>,
    Query(query): Query<DisplayQuery>,
) -> Response {
    let back = if local_path(&query.back) { query.back.as_str() } else { "/" };
    let secure = if state.secure_cookies() { "; Secure" } else { "" };
    let cookie = match query.mode.as_str() {
        "elder" => format!(
            "{DISPLAY_COOKIE}=elder; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly{secure}"
        ),
        "standard" => {
            format!("{DISPLAY_COOKIE}=; Path=/; Max-Age=0; SameSite=Lax; HttpOnly{secure}")
        }
        _ => return (StatusCode::BAD_REQUEST, "显示模式只能是 elder 或 standard").into_response(),
    };
    let mut response =
        (StatusCode::SEE_OTHER, [(header::LOCATION, back.to_owned())]).into_response();
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The platform's icon: the portal's red with a white document, as SVG (every current browser takes it).
pub(crate) async fn favicon() -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("image/svg+xml")),
            (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=86400")),
        ],
        FAVICON,
    )
        .into_response()
}

const FAVICON: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="5" fill="#9e1b1b"/><path d="M9 6h10l5 5v15H9z" fill="#fff"/><path d="M19 6v5h5" fill="#f3caca"/><path d="M12 15h9M12 19h9M12 23h6" stroke="#9e1b1b" stroke-width="2"/></svg>"##;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_switch_returns_to_the_page_it_was_on() {
        assert_eq!(
            switch(false, "/search?q=公开&page=2"),
            "<a class=\"display-switch\" href=\"/display?mode=elder&amp;back=%2Fsearch%3Fq%3D%E5%85%AC%E5%BC%80%26page%3D2\">适老化模式</a>"
        );
        assert!(switch(true, "/").contains("mode=standard"));
    }

    /// Review: "/\t/evil.example" passed the check and browsers read it as "//evil.example".
    #[test]
    fn only_a_path_on_this_site_is_returned_to() {
        for local in ["/", "/search?q=%E5%85%AC%E5%BC%80&page=2", "/agencies/SFJ/guide"] {
            assert!(local_path(local), "{local}");
        }
        for away in [
            "//evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/\\evil.example",
            "https://evil.example",
            "",
            "/ /x",
        ] {
            assert!(!local_path(away), "{away:?}");
        }
    }

    #[test]
    fn the_cookie_is_read_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, HeaderValue::from_static("gk_csrf=abc; gk_display=elder"));
        assert!(elder(&headers));
        headers.insert(header::COOKIE, HeaderValue::from_static("gk_display=elderly"));
        assert!(!elder(&headers));
    }
}
