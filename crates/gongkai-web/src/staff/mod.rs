//! The back office: staff sign-in, the agency dashboard, handling applications to the reply clock, and the
//! letters of handling.
//!
//! Every staff route takes a [`Staff`] (the signed-in user, with the roles held *now*, read per request) and
//! asks [`Staff::require`] for the access it needs on the agency the record belongs to — taken from the
//! record, never from the URL — so a user acts only within the agencies and roles granted. A refusal is a
//! 403 page and an `access.denied` entry in the audit trail.

pub(crate) mod admin;
mod api_keys;
mod audit_labels;
pub(crate) mod audit_log;
pub(crate) mod cases;
mod history;
pub(crate) mod items;
pub(crate) mod ledger;
pub(crate) mod region;
mod register_upload;
mod report_audit;
pub(crate) mod reports;
pub(crate) mod session;
mod settings;
pub(crate) mod signin;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use gongkai_store::agencies::AgencyRow;
use gongkai_store::audit;
use gongkai_store::users::Role;
use tower_sessions::Session;

use crate::{AppState, PageError};

/// Session keys.
pub(crate) const USER_KEY: &str = "uid";
pub(crate) const FINGERPRINT_KEY: &str = "fp";
/// The CSRF token issued at sign-in: staff forms must carry this one (see `csrf`).
pub(crate) const CSRF_KEY: &str = "csrf";

/// What an action needs on an agency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Need {
    /// See the agency's cases and records: any role in the agency, or supervisor of it or a parent.
    Read,
    /// Register and handle applications, publish, record: 填报人/经办人 (clerk).
    Handle,
    /// Approve or refuse an extension, sign the report: 单位负责人 (head).
    Approve,
    /// Review the annual report: 审核人 (reviewer).
    Review,
    /// See the region below an agency: supervisor of it or of a parent.
    Supervise,
    /// Manage the agency's staff accounts and their roles in it: 单位管理员 (agency admin) or a platform admin.
    Administer,
}

impl Need {
    fn code(self) -> &'static str {
        match self {
            Need::Read => "read",
            Need::Handle => "handle",
            Need::Approve => "approve",
            Need::Review => "review",
            Need::Supervise => "supervise",
            Need::Administer => "administer",
        }
    }
}

/// The signed-in staff member.
#[derive(Debug, Clone)]
pub(crate) struct Staff {
    pub(crate) username: String,
    pub(crate) display_name: String,
    /// (agency code or `None` for platform roles, role).
    pub(crate) roles: Vec<(Option<String>, Role)>,
    pub(crate) address: String,
}

impl Staff {
    fn holds(&self, code: &str, role: Role) -> bool {
        self.roles.iter().any(|(agency, held)| agency.as_deref() == Some(code) && *held == role)
    }

    pub(crate) fn is_platform_admin(&self) -> bool {
        self.roles.iter().any(|(agency, role)| agency.is_none() && *role == Role::PlatformAdmin)
    }

    /// Whether this user may act with `need` on the agency `code` (`agencies` gives the tree).
    pub(crate) fn may(&self, code: &str, agencies: &[AgencyRow], need: Need) -> bool {
        match need {
            Need::Handle => self.holds(code, Role::Clerk),
            Need::Approve => self.holds(code, Role::Head),
            Need::Review => self.holds(code, Role::Reviewer),
            Need::Supervise => {
                ancestry(code, agencies).any(|ancestor| self.holds(ancestor, Role::Supervisor))
            }
            Need::Administer => self.holds(code, Role::AgencyAdmin) || self.is_platform_admin(),
            Need::Read => {
                Role::OF_AGENCY_STAFF.into_iter().any(|role| self.holds(code, role))
                    || ancestry(code, agencies)
                        .any(|ancestor| self.holds(ancestor, Role::Supervisor))
            }
        }
    }

    /// Ok when [`Staff::may`]; otherwise the refusal is written to the audit trail and a 403 page returned.
    pub(crate) async fn require(
        &self,
        state: &AppState,
        code: &str,
        need: Need,
        subject: &str,
    ) -> Result<(), PageError> {
        let agencies = state.agencies().await?;
        if self.may(code, &agencies, need) {
            return Ok(());
        }
        self.refused_access(state, need.code(), code, subject).await;
        Err(PageError::Forbidden)
    }

    /// The agency `code` (404 when unknown) when this user may act on it with `need`; otherwise refused as
    /// [`Staff::require`] refuses, with the subject `agency:{code}`. The opening of every agency page.
    pub(crate) async fn agency(
        &self,
        state: &AppState,
        code: &str,
        need: Need,
    ) -> Result<AgencyRow, PageError> {
        let agency = state.agency(code).await?;
        self.require(state, &agency.code, need, &format!("agency:{}", agency.code)).await?;
        Ok(agency)
    }

    /// Writes what this staff member did to `subject` to the audit trail, with their address.
    pub(crate) async fn record(
        &self,
        state: &AppState,
        action: &str,
        subject: &str,
        after: Option<&str>,
    ) -> Result<(), gongkai_store::StoreError> {
        let entry = audit::Action {
            actor: &self.username,
            address: &self.address,
            action,
            subject,
            before: None,
            after,
        };
        audit::append(state.store(), &entry).await
    }

    /// Writes a refused access to the audit trail (a failure to write it is logged, not shown).
    pub(crate) async fn refused_access(
        &self,
        state: &AppState,
        need: &str,
        agency: &str,
        subject: &str,
    ) {
        let after = serde_json::json!({ "need": need, "agency": agency }).to_string();
        if let Err(err) = self.record(state, "access.denied", subject, Some(&after)).await {
            tracing::error!(error = %err, "recording a refused access failed");
        }
    }

    /// The agencies this user may read, in the platform's order.
    pub(crate) fn readable<'a>(&self, agencies: &'a [AgencyRow]) -> Vec<&'a AgencyRow> {
        agencies.iter().filter(|agency| self.may(&agency.code, agencies, Need::Read)).collect()
    }

    pub(crate) fn actor(&self) -> gongkai_store::Actor<'_> {
        gongkai_store::Actor::new(&self.username, &self.address)
    }
}

/// The agency `code` and its parents, nearest first.
pub(crate) fn ancestry<'a>(
    code: &'a str,
    agencies: &'a [AgencyRow],
) -> impl Iterator<Item = &'a str> + 'a {
    let mut next = Some(code);
    let mut steps = 0;
    std::iter::from_fn(move || {
        let current = next?;
        steps += 1;
        // A cycle in bad data must not hang a request.
        if steps > 64 {
            return None;
        }
        next = agencies
            .iter()
            .find(|agency| agency.code == current)
            .and_then(|agency| agency.parent_code.as_deref());
        Some(current)
    })
}

/// Not signed in (or the session ended): back to the sign-in page, then to where the user was going.
pub(crate) struct SignInRequired(String);

impl IntoResponse for SignInRequired {
    fn into_response(self) -> Response {
        let next: String = form_urlencoded_component(&self.0);
        Redirect::to(&format!("/staff/login?next={next}")).into_response()
    }
}

fn form_urlencoded_component(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'/' => {
                out.push(byte as char)
            }
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Staff, Response> {
        // Nested under `/staff`: the path as the browser asked for it.
        let path = parts
            .extensions
            .get::<axum::extract::OriginalUri>()
            .map_or_else(|| parts.uri.path().to_owned(), |uri| uri.path().to_owned());
        let session = Session::from_request_parts(parts, state)
            .await
            .map_err(|_| PageError::Unavailable.into_response())?;
        let user: Option<i64> = session.get(USER_KEY).await.ok().flatten();
        let fingerprint: Option<String> = session.get(FINGERPRINT_KEY).await.ok().flatten();
        let (Some(user), Some(fingerprint)) = (user, fingerprint) else {
            return Err(SignInRequired(path).into_response());
        };
        let account = gongkai_store::users::account(state.store(), user)
            .await
            .map_err(|err| PageError::Store(err).into_response())?;
        let Some(account) = account.filter(|account| account.fingerprint == fingerprint) else {
            // Disabled, deleted, or the password changed since this session signed in.
            let _ = session.flush().await;
            return Err(SignInRequired(path).into_response());
        };
        // A staff post must carry the token bound to this session at sign-in, not just any token.
        if !matches!(parts.method, axum::http::Method::GET | axum::http::Method::HEAD) {
            let bound: Option<String> = session.get(CSRF_KEY).await.ok().flatten();
            if !bound.is_some_and(|token| crate::csrf::holds(&parts.headers, &token)) {
                return Err(PageError::Csrf.into_response());
            }
        }
        let address = crate::client::ClientAddress::of(parts);
        Ok(Staff {
            username: account.user.username,
            display_name: account.user.display_name,
            roles: account.user.roles,
            address,
        })
    }
}

/// A staff upload form as posted (multipart): its text fields by name, and its file under `file` with the
/// name the browser gave it (`None` when the form had no file field).
pub(crate) struct Upload {
    pub(crate) fields: std::collections::HashMap<String, String>,
    /// The form's `file` fields in order, each (file name, bytes) — a field left without a file too.
    uploads: Vec<(String, Vec<u8>)>,
}

impl Upload {
    /// Reads the whole form (its size bounded by the route's body limit).
    pub(crate) async fn read(mut body: axum::extract::Multipart) -> Result<Upload, PageError> {
        let bad = |err: axum::extract::multipart::MultipartError| PageError::BadForm(err.status());
        let mut upload = Upload { fields: std::collections::HashMap::new(), uploads: Vec::new() };
        while let Some(field) = body.next_field().await.map_err(bad)? {
            let name = field.name().unwrap_or_default().to_owned();
            if name == "file" {
                let file_name = field.file_name().unwrap_or_default().to_owned();
                let data = field.bytes().await.map_err(bad)?.to_vec();
                upload.uploads.push((file_name, data));
            } else {
                let text = field.text().await.map_err(bad)?;
                upload.fields.insert(name, text);
            }
        }
        Ok(upload)
    }

    /// The last `file` field (forms that take one), as sent: a field left without a file is an empty one.
    pub(crate) fn take_file(&mut self) -> Option<(String, Vec<u8>)> {
        self.uploads.pop()
    }

    /// Every file of the `file` fields, in order (an input with `multiple`), fields left without a file
    /// (no name, no bytes) left out.
    pub(crate) fn take_files(&mut self) -> Vec<(String, Vec<u8>)> {
        let mut files = std::mem::take(&mut self.uploads);
        files.retain(|(name, data)| !(name.is_empty() && data.is_empty()));
        files
    }

    /// A text field, empty when the form had none.
    pub(crate) fn field(&self, name: &str) -> &str {
        self.fields.get(name).map_or("", String::as_str)
    }
}

/// A form that posts nothing but its CSRF token (sign-out, taking a case, withdrawing an item).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub(crate) struct CsrfForm {
    pub(crate) csrf: String,
}

/// An RFC 3339 instant as Beijing time, `2026-12-03 17:02:19` (the text itself if it does not parse).
pub(crate) fn china_datetime(rfc3339: &str) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    time::OffsetDateTime::parse(rfc3339, &time::format_description::well_known::Rfc3339)
        .ok()
        .and_then(|at| at.to_offset(gongkai_core::dates::CHINA).format(&format).ok())
        .unwrap_or_else(|| rfc3339.to_owned())
}

/// A `YYYY-MM-DD` date typed in a form.
pub(crate) fn parse_date(text: &str) -> Option<time::Date> {
    gongkai_core::dates::parse_ymd(text.trim())
}

/// A rendered report page with the CSP of the archive's report files (its stylesheet is inline, no script).
pub(crate) fn report_html(html: Vec<u8>) -> Response {
    let mut response =
        ([(axum::http::header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response();
    response.headers_mut().insert(
        axum::http::header::CONTENT_SECURITY_POLICY,
        axum::http::HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    response
}

/// The staff routes (mounted under `/staff` with the session layer); `login` is the sign-in route with the
/// per-address rate limit of forms.
pub(crate) fn routes(login: axum::routing::MethodRouter<AppState>) -> axum::Router<AppState> {
    use axum::routing::{get, post};
    // An attachment is up to 20 MB; every other staff form stays under the default body limit.
    let registers = get(register_upload::page)
        .post(register_upload::upload)
        .layer(axum::extract::DefaultBodyLimit::max(register_upload::UPLOAD_LIMIT + 64 * 1024));
    let uploaded = get(register_upload::show).post(register_upload::confirm);
    let history_upload = post(history::upload)
        .layer(axum::extract::DefaultBodyLimit::max(history::UPLOAD_LIMIT + 64 * 1024));
    let upload = post(items::attach).layer(axum::extract::DefaultBodyLimit::max(
        gongkai_store::catalog::ATTACHMENT_LIMIT + 64 * 1024,
    ));
    let photo = post(settings::photo)
        .layer(axum::extract::DefaultBodyLimit::max(settings::PHOTO_FORM_LIMIT));
    // A report to audit may be a DOCX with pictures.
    let audit = get(report_audit::form)
        .post(report_audit::check)
        .layer(axum::extract::DefaultBodyLimit::max(report_audit::UPLOAD_LIMIT + 64 * 1024));
    axum::Router::new()
        .route("/login", login.get(signin::form))
        .route("/logout", post(signin::sign_out))
        .route("/password", get(signin::password_form).post(signin::change_password))
        .route("/", get(cases::home))
        .route("/agencies/{code}", get(cases::dashboard))
        .route("/agencies/{code}/applications", get(cases::list))
        .route("/agencies/{code}/register", get(cases::register_form).post(cases::register))
        .route("/cases/{tracking}", get(cases::case_page))
        .route("/cases/{tracking}/steps", post(cases::step))
        .route("/cases/{tracking}/assign", post(cases::assign))
        .route("/cases/{tracking}/dossier.zip", get(cases::dossier))
        .route("/cases/{tracking}/dossier.pdf", get(cases::dossier_pdf_download))
        .route("/cases/{tracking}/notices/{id}/resend", post(cases::resend_notice))
        .route("/letters/{id}", get(cases::letter))
        .route("/cases/{tracking}/attachments/{id}", get(cases::attached_file))
        .route("/agencies/{code}/reports", get(reports::list))
        .route("/agencies/{code}/reports/history", history_upload)
        .route("/agencies/{code}/reports/history/{year}", get(history::findings))
        .route("/agencies/{code}/reports/{year}", get(reports::page).post(reports::act))
        .route("/agencies/{code}/reports/{year}/preview", get(reports::preview))
        .route("/agencies/{code}/reports/{year}/cells/{table}/{row}/{column}", get(reports::cell))
        .route("/agencies/{code}/items", get(items::list))
        .route("/agencies/{code}/items/new", get(items::new_form).post(items::create))
        .route("/agencies/{code}/items/bulk", post(items::bulk))
        .route("/items/{id}", get(items::edit_page).post(items::edit))
        .route("/items/{id}/withdraw", post(items::withdraw))
        .route("/items/{id}/attachments", upload)
        .route("/agencies/{code}/ledger", get(ledger::page).post(ledger::add))
        .route("/agencies/{code}/region", get(region::page))
        .route("/agencies/{code}/region/{year}/report", get(region::rollup_report))
        .route("/agencies/{code}/staff", get(admin::agency_page).post(admin::agency_submit))
        .route("/agencies/{code}/settings", get(settings::page).post(settings::submit))
        .route("/agencies/{code}/api-keys", get(api_keys::page).post(api_keys::submit))
        .route("/agencies/{code}/settings/photo", photo)
        .route("/agencies/{code}/registers", registers)
        .route("/agencies/{code}/registers/{id}", uploaded)
        .route("/admin", get(admin::page).post(admin::submit))
        .route("/admin/audit", get(audit_log::page).post(audit_log::export_submit))
        .route("/audit", audit)
}
