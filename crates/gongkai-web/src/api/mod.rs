//! The JSON API (`/api/v1/...`), described by the `OpenAPI` document at `/api/v1/openapi.json` (kept in
//! `static/openapi.json`; a test calls every path it lists and checks the documented fields, and `.ci/run`
//! runs Schemathesis against it). Public reads: agencies, catalog items and search. With an agency key
//! (`auth`): catalog writes (`publish`), the office's applications, ledger and report (`office`).
//!
//! Every answer under `/api/v1`, success or error, is JSON: errors are `{"error": "..."}` with the status,
//! including those made outside the handlers (an unknown path or method, a body or URI too long, a rate
//! limit, a timeout, a panic) — [`json_errors`] rewrites them.

pub(crate) mod auth;
mod office;
mod publish;

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use gongkai_store::StoreError;
use gongkai_store::catalog::{self, Filter};
use serde::Deserialize;
use serde_json::json;

use crate::AppState;

const OPENAPI: &str = include_str!("../../static/openapi.json");
/// Largest page of the item list.
const MAX_PER_PAGE: i64 = 100;
/// Highest page number of the item list (100,000,000 items at the largest page).
const MAX_PAGE: i64 = 1_000_000;
/// Largest JSON body of an item write.
pub(crate) const ITEM_BODY_LIMIT: usize = 1024 * 1024;
/// The years the API takes as a filter (the document states the same bounds).
const MIN_YEAR: i32 = 1;
const MAX_YEAR: i32 = 9999;

/// An API failure.
pub(crate) struct ApiError(StatusCode, String);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.0, Json(json!({ "error": self.1 }))).into_response();
        if self.0 == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"gongkai\""),
            );
        }
        response
    }
}

/// What an error made outside the API's handlers says, by status.
fn error_text(status: StatusCode) -> &'static str {
    match status {
        StatusCode::NOT_FOUND => "no such API path",
        StatusCode::METHOD_NOT_ALLOWED => {
            "method not allowed on this path (see the `Allow` header)"
        }
        StatusCode::REQUEST_TIMEOUT => "the request took too long",
        StatusCode::PAYLOAD_TOO_LARGE => "the request body is too large",
        StatusCode::URI_TOO_LONG => "the request URI is too long",
        StatusCode::TOO_MANY_REQUESTS => "too many requests: retry after the `Retry-After` seconds",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported content type",
        status if status.is_server_error() => "internal error",
        _ => "the request is not valid",
    }
}

/// Rewrites every error answer under `/api/` that is not JSON (the framework's plain-text rejections, the
/// site's HTML pages for 414 and 429, an empty 408 or 500) as `{"error": …}`, keeping its status and headers
/// (`Allow`, `Retry-After`). A plain-text message from the framework is kept as the error text.
pub(crate) async fn json_errors(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let api = request.uri().path().starts_with("/api/");
    let response = next.run(request).await;
    let status = response.status();
    if !api || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let media = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    if media.starts_with("application/json") {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let mut message = error_text(status).to_owned();
    if media.starts_with("text/plain")
        && status.is_client_error()
        && let Ok(bytes) = axum::body::to_bytes(body, 16 * 1024).await
        && let Ok(text) = std::str::from_utf8(&bytes)
        && !text.trim().is_empty()
    {
        message = text.trim().to_owned();
    }
    let json = json!({ "error": message }).to_string();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.remove(header::CONTENT_SECURITY_POLICY);
    parts.headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    Response::from_parts(parts, Body::from(json))
}

/// The `/api/v1` routes; `search_limit` wraps the search route in the per-address rate limit.
pub(crate) fn routes(
    search_limit: impl Fn(
        axum::routing::MethodRouter<AppState>,
    ) -> axum::routing::MethodRouter<AppState>,
) -> axum::Router<AppState> {
    use axum::extract::DefaultBodyLimit;
    use axum::routing::{get, post};
    let attach = post(publish::attach)
        .layer(DefaultBodyLimit::max(gongkai_store::catalog::ATTACHMENT_LIMIT));
    // An item's body is up to 20,000 characters, which JSON may escape to 6 bytes each.
    let item_limit = || DefaultBodyLimit::max(ITEM_BODY_LIMIT);
    axum::Router::new()
        .route("/openapi.json", get(openapi))
        .route("/agencies", get(agencies))
        .route(
            "/agencies/{code}/items",
            get(items).merge(post(publish::publish).layer(item_limit())),
        )
        .route(
            "/items/{id}",
            get(item)
                .merge(axum::routing::put(publish::edit).layer(item_limit()))
                .delete(publish::withdraw),
        )
        .route("/items/{id}/attachments", attach)
        .route("/agencies/{code}/applications", get(office::applications))
        .route("/agencies/{code}/ledger", post(office::ledger))
        .route("/agencies/{code}/reports/{year}", get(office::report))
        .route("/search", search_limit(get(search)))
        .fallback(not_found)
        // Applicants' personal data and unpublished reports pass here: no browser or proxy keeps an answer.
        .layer(tower_http::set_header::SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> ApiError {
        match err {
            StoreError::NotFound { what, key } => {
                ApiError(StatusCode::NOT_FOUND, format!("{what} `{key}` not found"))
            }
            other => {
                tracing::error!(error = %other, "api request failed");
                ApiError(StatusCode::INTERNAL_SERVER_ERROR, "internal error".to_owned())
            }
        }
    }
}

pub(crate) fn bad(message: impl Into<String>) -> ApiError {
    ApiError(StatusCode::BAD_REQUEST, message.into())
}

pub(crate) async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], OPENAPI)
        .into_response()
}

pub(crate) async fn agencies(State(state): State<AppState>) -> Result<Response, ApiError> {
    let agencies = gongkai_store::agencies::list(state.store()).await?;
    let list: Vec<_> = agencies
        .iter()
        .map(|agency| {
            json!({
                "code": agency.code,
                "name": agency.name,
                "kind": agency.kind,
                "region": agency.region,
                "parent_code": agency.parent_code,
                "office": agency.office,
                "phone": agency.phone,
                "address": agency.address,
                "hours": agency.hours,
            })
        })
        .collect();
    Ok(Json(json!({ "agencies": list })).into_response())
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct ItemsQuery {
    category: Option<String>,
    year: Option<String>,
    page: Option<String>,
    per_page: Option<String>,
}

/// An integer query parameter: absent is `None`; present, it must be an integer (an empty value is not).
pub(crate) fn number<T: std::str::FromStr>(
    name: &str,
    value: Option<&str>,
) -> Result<Option<T>, ApiError> {
    value
        .map(|value| {
            let digits = value.strip_prefix('-').unwrap_or(value);
            if digits.is_empty() || !digits.bytes().all(|byte| byte.is_ascii_digit()) {
                return Err(bad(format!("`{name}` must be an integer")));
            }
            value.parse::<T>().map_err(|_| bad(format!("`{name}` is out of range")))
        })
        .transpose()
}

/// A `year` filter within [`MIN_YEAR`]..=[`MAX_YEAR`].
pub(crate) fn year_filter(value: Option<&str>) -> Result<Option<i32>, ApiError> {
    let year: Option<i64> = number("year", value)?;
    year.map(|year| {
        i32::try_from(year)
            .ok()
            .filter(|year| (MIN_YEAR..=MAX_YEAR).contains(year))
            .ok_or_else(|| bad(format!("`year` must be {MIN_YEAR} to {MAX_YEAR}")))
    })
    .transpose()
}

pub(crate) async fn items(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(query): Query<ItemsQuery>,
) -> Result<Response, ApiError> {
    let agency = state.agency(&code).await?;
    let page: i64 = number("page", query.page.as_deref())?.unwrap_or(1);
    let per_page: i64 = number("per_page", query.per_page.as_deref())?.unwrap_or(20);
    if !(1..=MAX_PAGE).contains(&page) || !(1..=MAX_PER_PAGE).contains(&per_page) {
        return Err(bad(format!(
            "`page` must be 1 to {MAX_PAGE} and `per_page` 1 to {MAX_PER_PAGE}"
        )));
    }
    let year = year_filter(query.year.as_deref())?;
    let filter = Filter { category: query.category.as_deref().filter(|c| !c.is_empty()), year };
    let offset = (page - 1).checked_mul(per_page).ok_or_else(|| bad("`page` is too large"))?;
    let listing = catalog::list(state.store(), agency.id, filter, offset, per_page).await?;
    Ok(Json(json!({ "total": listing.total, "page": page, "per_page": per_page, "items": listing.items }))
        .into_response())
}

pub(crate) async fn item(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id: i64 = id
        .parse()
        .map_err(|_| ApiError(StatusCode::NOT_FOUND, format!("item `{id}` not found")))?;
    let item = catalog::item(state.store(), id)
        .await?
        .ok_or_else(|| ApiError(StatusCode::NOT_FOUND, format!("item `{id}` not found")))?;
    if item.withdrawn {
        return Err(ApiError(StatusCode::GONE, format!("item `{id}` was withdrawn")));
    }
    Ok(Json(item).into_response())
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct SearchQuery {
    #[serde(default)]
    q: String,
    agency: Option<String>,
    category: Option<String>,
    year: Option<String>,
    genre: Option<String>,
    sort: Option<String>,
    page: Option<String>,
    /// `all` (default) or `any`.
    #[serde(rename = "match")]
    match_words: Option<String>,
    /// `true` to count facets over the whole result (costly on a large index).
    facets: Option<String>,
}

pub(crate) async fn search(
    State(state): State<AppState>,
    Query(query): Query<SearchQuery>,
) -> Result<Response, ApiError> {
    if query.q.chars().count() > crate::search::MAX_QUERY_CHARS {
        return Err(bad(format!(
            "`q` is longer than {} characters",
            crate::search::MAX_QUERY_CHARS
        )));
    }
    let page: usize = number("page", query.page.as_deref())?.unwrap_or(1);
    if !(1..=100).contains(&page) {
        return Err(bad("`page` must be 1 to 100"));
    }
    let sort = match query.sort.as_deref() {
        None | Some("relevance") => gongkai_search::Sort::Relevance,
        Some("date") => gongkai_search::Sort::Date,
        Some(_) => return Err(bad("`sort` must be relevance or date")),
    };
    let any_word = match query.match_words.as_deref() {
        None | Some("all") => false,
        Some("any") => true,
        Some(_) => return Err(bad("`match` must be all or any")),
    };
    let request = gongkai_search::Request {
        any_word,
        text: query.q,
        agency: query.agency,
        category: query.category,
        year: year_filter(query.year.as_deref())?,
        genre: query.genre,
        sort,
        offset: (page - 1) * 10,
        limit: 10,
        facets: match query.facets.as_deref() {
            None | Some("false") => false,
            Some("true") => true,
            Some(_) => return Err(bad("`facets` must be true or false")),
        },
        snippets: true,
    };
    let index = state.search().ok_or_else(|| {
        ApiError(StatusCode::SERVICE_UNAVAILABLE, "search is not ready".to_owned())
    })?;
    let results = crate::search::run(&state, index, request)
        .await
        .map_err(|_| ApiError(StatusCode::INTERNAL_SERVER_ERROR, "internal error".to_owned()))?
        .map_err(|err| {
            tracing::error!(error = %err, "search failed");
            ApiError(StatusCode::INTERNAL_SERVER_ERROR, "internal error".to_owned())
        })?;
    Ok(Json(results).into_response())
}

/// Unknown API paths answer in JSON.
pub(crate) async fn not_found() -> ApiError {
    ApiError(StatusCode::NOT_FOUND, "no such API path".to_owned())
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::{Request, StatusCode, header};
    use tower::ServiceExt;

    use super::json_errors;

    /// A panic in an API handler, caught as the router catches it, answers JSON (the site's error page
    /// elsewhere); a framework's plain-text rejection keeps its words.
    #[tokio::test]
    async fn errors_made_outside_the_handlers_answer_json_under_the_api_only() {
        async fn panics() -> &'static str {
            panic!("a bug")
        }
        async fn rejects() -> (StatusCode, &'static str) {
            (StatusCode::BAD_REQUEST, "Failed to deserialize query string: duplicate field `year`")
        }
        let app = axum::Router::new()
            .route("/api/v1/panics", axum::routing::get(panics))
            .route("/api/v1/rejects", axum::routing::get(rejects))
            .route("/panics", axum::routing::get(panics))
            .layer(tower_http::catch_panic::CatchPanicLayer::custom(crate::error::panic_page))
            .layer(axum::middleware::from_fn(json_errors));
        let call = |uri: &'static str| {
            let app = app.clone();
            async move {
                let response =
                    app.oneshot(Request::get(uri).body(Body::empty()).unwrap()).await.unwrap();
                let status = response.status();
                let media = response.headers()[header::CONTENT_TYPE].to_str().unwrap().to_owned();
                let body = axum::body::to_bytes(response.into_body(), 1 << 20).await.unwrap();
                (status, media, String::from_utf8(body.to_vec()).unwrap())
            }
        };
        let (status, media, body) = call("/api/v1/panics").await;
        assert_eq!(
            (status, media.as_str()),
            (StatusCode::INTERNAL_SERVER_ERROR, "application/json")
        );
        assert_eq!(body, r#"{"error":"internal error"}"#);
        let (status, _, body) = call("/api/v1/rejects").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(body.contains("duplicate field `year`"), "{body}");
        let (status, media, _) = call("/panics").await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(media.starts_with("text/html"), "{media}");
    }
}
