//! 接口密钥: the agency admin issues and revokes the agency's API keys (see `gongkai_store::api_keys`). A new
//! key is shown once, on the answer to the form that issued it; the page lists the keys by name and prefix.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use gongkai_store::StoreError;
use gongkai_store::agencies::AgencyRow;
use gongkai_store::api_keys::{self, ApiKey, Scope};

use super::{Need, Staff, china_datetime, parse_date};
use crate::{AppState, PageError, csrf};

/// A key as the page lists it.
struct KeyLine {
    id: i64,
    name: String,
    prefix: String,
    scopes: Vec<Scope>,
    expires_on: Option<time::Date>,
    created_by: String,
    created: String,
    last_used: String,
    revoked: bool,
}

impl KeyLine {
    fn of(key: ApiKey) -> KeyLine {
        KeyLine {
            id: key.id,
            name: key.name,
            prefix: key.prefix,
            scopes: key.scopes,
            expires_on: key.expires_on,
            created_by: key.created_by,
            created: china_datetime(&key.created_at),
            last_used: key
                .last_used_at
                .as_deref()
                .map_or_else(|| "从未".to_owned(), china_datetime),
            revoked: key.revoked_at.is_some(),
        }
    }
}

/// The issuing form as posted (kept when it comes back with errors).
#[derive(Debug, Default)]
struct IssueForm {
    name: String,
    scopes: Vec<String>,
    expires: String,
}

impl IssueForm {
    fn has(&self, code: &str) -> bool {
        self.scopes.iter().any(|scope| scope == code)
    }
}

#[derive(Template)]
#[template(path = "staff/api_keys.html")]
struct KeysPage<'a> {
    staff: &'a Staff,
    csrf: &'a str,
    agency: &'a AgencyRow,
    keys: Vec<KeyLine>,
    scopes: Vec<(&'static str, &'static str)>,
    /// Whether the user may grant `applications:personal`.
    platform_admin: bool,
    form: &'a IssueForm,
    errors: &'a [(&'static str, String)],
    issued: Option<&'a str>,
    notice: Option<&'a str>,
}

impl KeysPage<'_> {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|(at, _)| *at == field).map(|(_, message)| message.as_str())
    }
}

/// What the page shows besides the keys.
#[derive(Default)]
struct Shown<'a> {
    form: IssueForm,
    errors: Vec<(&'static str, String)>,
    issued: Option<&'a str>,
    notice: Option<&'a str>,
}

async fn keys_page(
    state: &AppState,
    staff: &Staff,
    headers: &HeaderMap,
    agency: &AgencyRow,
    status: StatusCode,
    shown: Shown<'_>,
) -> Result<Response, PageError> {
    let keys = api_keys::list(state.store(), agency.id).await?;
    let (token, cookie) = csrf::issue(headers)?;
    let page = KeysPage {
        staff,
        csrf: &token,
        agency,
        keys: keys.into_iter().map(KeyLine::of).collect(),
        scopes: Scope::ALL.iter().map(|scope| (scope.code(), scope.label())).collect(),
        platform_admin: staff.is_platform_admin(),
        form: &shown.form,
        errors: &shown.errors,
        issued: shown.issued,
        notice: shown.notice,
    };
    Ok(csrf::with_cookie((status, Html(page.render()?)).into_response(), cookie))
}

pub(crate) async fn page(
    State(state): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let agency = staff.agency(&state, &code, Need::Administer).await?;
    keys_page(&state, &staff, &headers, &agency, StatusCode::OK, Shown::default()).await
}

pub(crate) async fn submit(
    State(state): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, PageError> {
    // Repeated `scope` keys: `form_urlencoded` keeps every pair (serde's form decoding would not).
    let pairs: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
    let value_of = |name: &str| {
        pairs.iter().find(|(key, _)| key == name).map(|(_, value)| value.as_str()).unwrap_or("")
    };
    csrf::check(&headers, value_of("csrf"))?;
    let agency = staff.agency(&state, &code, Need::Administer).await?;
    let actor = staff.actor();
    match value_of("action") {
        "revoke" => {
            let id: i64 = value_of("id").parse().map_err(|_| PageError::NotFound)?;
            match api_keys::revoke(state.store(), agency.id, id, &actor).await {
                Ok(()) => {}
                Err(StoreError::NotFound { .. }) => return Err(PageError::NotFound),
                Err(err) => return Err(err.into()),
            }
            let shown = Shown {
                notice: Some("密钥已吊销，此后使用该密钥的请求将被拒绝。"),
                ..Shown::default()
            };
            keys_page(&state, &staff, &headers, &agency, StatusCode::OK, shown).await
        }
        "issue" => {
            let form = IssueForm {
                name: value_of("name").trim().to_owned(),
                scopes: pairs
                    .iter()
                    .filter(|(key, _)| key == "scope")
                    .map(|(_, value)| value.clone())
                    .collect(),
                expires: value_of("expires").trim().to_owned(),
            };
            let mut errors: Vec<(&'static str, String)> = Vec::new();
            if !api_keys::name_ok(&form.name) {
                errors.push((
                    "name",
                    format!(
                        "请填写名称（不超过{}个字，不含“/”或控制字符）。",
                        api_keys::MAX_NAME_CHARS
                    ),
                ));
            }
            let scopes: Vec<Scope> =
                form.scopes.iter().filter_map(|code| Scope::parse(code)).collect();
            if scopes.is_empty() {
                errors.push(("scopes", "请至少选择一项权限。".to_owned()));
            } else if scopes.contains(&Scope::ApplicationsPersonal) && !staff.is_platform_admin() {
                // In the back office only a case's handler sees its applicant unmasked; a key that sees
                // every applicant is a platform admin's decision, not the agency admin's.
                errors.push((
                    "scopes",
                    "读取申请人个人信息（不脱敏）的权限只能由平台管理员授予。".to_owned(),
                ));
            }
            let today = state.today();
            let expires = if form.expires.is_empty() {
                None
            } else {
                match parse_date(&form.expires) {
                    Some(day) if day >= today => Some(day),
                    Some(_) => {
                        errors.push(("expires", "有效期不能早于今天。".to_owned()));
                        None
                    }
                    None => {
                        errors.push(("expires", "日期格式不正确（如：2027-12-31）。".to_owned()));
                        None
                    }
                }
            };
            if errors.is_empty() {
                match api_keys::issue(
                    state.store(),
                    &agency.code,
                    &form.name,
                    &scopes,
                    expires,
                    &actor,
                )
                .await
                {
                    Ok(issued) => {
                        let shown = Shown { issued: Some(&issued.token), ..Shown::default() };
                        let mut response =
                            keys_page(&state, &staff, &headers, &agency, StatusCode::OK, shown)
                                .await?;
                        response.headers_mut().insert(
                            axum::http::header::CACHE_CONTROL,
                            axum::http::HeaderValue::from_static("no-store"),
                        );
                        return Ok(response);
                    }
                    Err(StoreError::Duplicate { .. }) => {
                        errors.push(("name", "本单位已有同名密钥，请换一个名称。".to_owned()));
                    }
                    Err(err) => return Err(err.into()),
                }
            }
            let shown = Shown { form, errors, ..Shown::default() };
            keys_page(&state, &staff, &headers, &agency, StatusCode::UNPROCESSABLE_ENTITY, shown)
                .await
        }
        _ => Err(PageError::BadForm(StatusCode::BAD_REQUEST)),
    }
}
