//! Sign-in, sign-out and password change. Passwords are argon2id hashes (`gongkai_store::users`); repeated
//! failures are throttled per username and client network with growing delays (no lockout an outsider
//! could trigger); the session id changes at sign-in (no fixation);
//! a password change ends every other session of the user (the session keeps a fingerprint of the hash).

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use gongkai_store::users::{self, SignIn};
use gongkai_store::{Actor, StoreError};
use serde::Deserialize;
use time::OffsetDateTime;
use tower_sessions::Session;

use super::{CSRF_KEY, CsrfForm, FINGERPRINT_KEY, Staff, USER_KEY};
use crate::client::ClientAddress;
use crate::error::PageForm;
use crate::{AppState, PageError, csrf};

#[derive(Template)]
#[template(path = "staff/login.html")]
struct LoginPage<'a> {
    csrf: &'a str,
    username: &'a str,
    next: &'a str,
    error: Option<&'a str>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct NextQuery {
    next: String,
}

/// Only a path inside the back office is a place to go back to (no open redirect).
fn safe_next(next: &str) -> &str {
    let inside = next.starts_with("/staff")
        && !next.starts_with("/staff/login")
        && !next.contains("//")
        && !next.contains('\\')
        && next.chars().all(|c| c.is_ascii_graphic());
    if inside { next } else { "/staff" }
}

fn login_page(
    headers: &HeaderMap,
    status: StatusCode,
    username: &str,
    next: &str,
    error: Option<&str>,
) -> Result<Response, PageError> {
    let (token, cookie) = csrf::issue(headers)?;
    let page = LoginPage { csrf: &token, username, next: safe_next(next), error };
    Ok(csrf::with_cookie((status, Html(page.render()?)).into_response(), cookie))
}

pub(crate) async fn form(
    headers: HeaderMap,
    Query(query): Query<NextQuery>,
) -> Result<Response, PageError> {
    login_page(&headers, StatusCode::OK, "", &query.next, None)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct LoginForm {
    csrf: String,
    username: String,
    password: String,
    next: String,
}

/// The answer to a wrong username or password, the same for both.
const REFUSED: &str = "用户名或密码不正确。连续输错多次后，需等待一段时间才能再次尝试。";

pub(crate) async fn submit(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    session: Session,
    headers: HeaderMap,
    PageForm(form): PageForm<LoginForm>,
) -> Result<Response, PageError> {
    csrf::check(&headers, &form.csrf)?;
    let username = form.username.trim();
    if username.is_empty() || form.password.is_empty() {
        return login_page(
            &headers,
            StatusCode::UNPROCESSABLE_ENTITY,
            username,
            &form.next,
            Some("请输入用户名和密码。"),
        );
    }
    if username.chars().count() > 64 {
        // No account has such a name (the admin pages refuse it); not worth a key in the throttles.
        return login_page(&headers, StatusCode::UNAUTHORIZED, "", &form.next, Some(REFUSED));
    }
    let address = client.to_string();
    let from = Actor::new(username, &address);
    let network = crate::client::network_key(client);
    let answer = users::sign_in(
        state.store(),
        username,
        &form.password,
        OffsetDateTime::now_utc(),
        &from,
        &network,
    )
    .await?;
    match answer {
        SignIn::Success(user) => {
            let account = users::account(state.store(), user.id).await?.ok_or(PageError::Store(
                StoreError::NotFound { what: "user", key: user.username },
            ))?;
            session.cycle_id().await.map_err(|_| PageError::Unavailable)?;
            session.insert(USER_KEY, user.id).await.map_err(|_| PageError::Unavailable)?;
            session
                .insert(FINGERPRINT_KEY, &account.fingerprint)
                .await
                .map_err(|_| PageError::Unavailable)?;
            // A fresh CSRF token, bound to this session: one known before sign-in is worthless after.
            let (token, cookie) = csrf::fresh()?;
            session.insert(CSRF_KEY, &token).await.map_err(|_| PageError::Unavailable)?;
            let mut response = Redirect::to(safe_next(&form.next)).into_response();
            response.headers_mut().append(axum::http::header::SET_COOKIE, cookie);
            Ok(response)
        }
        SignIn::Refused => {
            login_page(&headers, StatusCode::UNAUTHORIZED, username, &form.next, Some(REFUSED))
        }
        SignIn::Throttled { wait } => {
            let message = format!(
                "用户名或密码不正确的尝试过多，请{}后再试。忘记密码请联系单位管理员重置。",
                crate::guard::wait_text(wait)
            );
            let page = login_page(
                &headers,
                StatusCode::TOO_MANY_REQUESTS,
                username,
                &form.next,
                Some(&message),
            )?;
            Ok(crate::guard::retry_after(page, wait))
        }
    }
}

pub(crate) async fn sign_out(
    session: Session,
    headers: HeaderMap,
    PageForm(form): PageForm<CsrfForm>,
) -> Result<Response, PageError> {
    csrf::check(&headers, &form.csrf)?;
    session.flush().await.map_err(|_| PageError::Unavailable)?;
    Ok(Redirect::to("/staff/login").into_response())
}

#[derive(Template)]
#[template(path = "staff/password.html")]
struct PasswordPage<'a> {
    staff: &'a Staff,
    csrf: &'a str,
    errors: &'a [(&'static str, String)],
    done: bool,
}

impl PasswordPage<'_> {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|(name, _)| *name == field).map(|(_, message)| message.as_str())
    }
}

fn password_page(
    headers: &HeaderMap,
    staff: &Staff,
    status: StatusCode,
    errors: &[(&'static str, String)],
    done: bool,
) -> Result<Response, PageError> {
    let (token, cookie) = csrf::issue(headers)?;
    let page = PasswordPage { staff, csrf: &token, errors, done };
    Ok(csrf::with_cookie((status, Html(page.render()?)).into_response(), cookie))
}

pub(crate) async fn password_form(staff: Staff, headers: HeaderMap) -> Result<Response, PageError> {
    password_page(&headers, &staff, StatusCode::OK, &[], false)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct PasswordForm {
    csrf: String,
    current: String,
    new: String,
    confirm: String,
}

pub(crate) async fn change_password(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    staff: Staff,
    session: Session,
    headers: HeaderMap,
    PageForm(form): PageForm<PasswordForm>,
) -> Result<Response, PageError> {
    csrf::check(&headers, &form.csrf)?;
    let mut errors: Vec<(&'static str, String)> = Vec::new();
    if form.current.is_empty() {
        errors.push(("current", "请输入当前密码。".to_owned()));
    }
    if form.new.chars().count() < users::MIN_PASSWORD_CHARS {
        errors.push(("new", format!("新密码至少需要{}个字符。", users::MIN_PASSWORD_CHARS)));
    } else if form.new == form.current {
        errors.push(("new", "新密码不能与当前密码相同。".to_owned()));
    }
    if form.confirm != form.new {
        errors.push(("confirm", "两次输入的新密码不一致。".to_owned()));
    }
    if !errors.is_empty() {
        return password_page(&headers, &staff, StatusCode::UNPROCESSABLE_ENTITY, &errors, false);
    }
    let actor = staff.actor();
    let checked = users::sign_in(
        state.store(),
        &staff.username,
        &form.current,
        OffsetDateTime::now_utc(),
        &actor,
        &crate::client::network_key(client),
    )
    .await?;
    match checked {
        SignIn::Success(user) => {
            users::set_password(state.store(), &staff.username, &form.new, &actor).await?;
            let account =
                users::account(state.store(), user.id).await?.ok_or(PageError::NotFound)?;
            // This session stays signed in; every other session of the user ends.
            session.cycle_id().await.map_err(|_| PageError::Unavailable)?;
            session
                .insert(FINGERPRINT_KEY, &account.fingerprint)
                .await
                .map_err(|_| PageError::Unavailable)?;
            password_page(&headers, &staff, StatusCode::OK, &[], true)
        }
        SignIn::Refused => {
            let errors = [("current", "当前密码不正确。".to_owned())];
            password_page(&headers, &staff, StatusCode::UNPROCESSABLE_ENTITY, &errors, false)
        }
        SignIn::Throttled { wait } => {
            let errors = [(
                "current",
                format!("当前密码输错次数过多，请{}后再试。", crate::guard::wait_text(wait)),
            )];
            password_page(&headers, &staff, StatusCode::TOO_MANY_REQUESTS, &errors, false)
        }
    }
}
