//! Platform administration in the UI (the same operations as `gongkai agency` / `gongkai user`): agencies,
//! users, roles, password resets and disabling accounts. Platform admins only; every change is audited by
//! the store.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use gongkai_store::StoreError;
use gongkai_store::agencies::{self, AgencyRow, NewAgency};
use gongkai_store::users::{self, UserRow};
use serde::Deserialize;

use super::{Staff, role_label};
use crate::error::PageForm;
use crate::{AppState, PageError, csrf};

#[derive(Template)]
#[template(path = "staff/admin.html")]
struct AdminPage<'a> {
    staff: &'a Staff,
    csrf: &'a str,
    agencies: &'a [AgencyRow],
    users: Vec<(UserRow, Vec<String>)>,
    roles: Vec<(&'static str, &'static str)>,
    error: Option<(String, String)>,
    done: Option<String>,
    form: AdminForm,
}

impl AdminPage<'_> {
    fn error_in(&self, action: &str) -> Option<&str> {
        self.error.as_ref().filter(|(at, _)| at == action).map(|(_, message)| message.as_str())
    }

    fn kept(&self, action: &str, field: &str) -> &str {
        if self.error.as_ref().is_some_and(|(at, _)| at == action) {
            self.form.value(field)
        } else {
            ""
        }
    }
}

/// Every field the admin forms post.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub(crate) struct AdminForm {
    csrf: String,
    action: String,
    username: String,
    display_name: String,
    password: String,
    role: String,
    agency: String,
    code: String,
    name: String,
    kind: String,
    region: String,
    parent: String,
    office: String,
    phone: String,
    address: String,
    hours: String,
}

impl AdminForm {
    fn value(&self, field: &str) -> &str {
        match field {
            "username" => &self.username,
            "display_name" => &self.display_name,
            "role" => &self.role,
            "agency" => &self.agency,
            "code" => &self.code,
            "name" => &self.name,
            "kind" => &self.kind,
            "region" => &self.region,
            "parent" => &self.parent,
            "office" => &self.office,
            "phone" => &self.phone,
            "address" => &self.address,
            "hours" => &self.hours,
            _ => "",
        }
    }
}

async fn require_admin(state: &AppState, staff: &Staff) -> Result<(), PageError> {
    if staff.is_platform_admin() {
        return Ok(());
    }
    staff.refused_access(state, "platform_admin", "platform", "admin").await;
    Err(PageError::Forbidden)
}

async fn admin_page(
    state: &AppState,
    staff: &Staff,
    headers: &HeaderMap,
    status: StatusCode,
    error: Option<(String, String)>,
    done: Option<String>,
    form: AdminForm,
) -> Result<Response, PageError> {
    let agencies = state.agencies().await?;
    let users = users::list(state.store())
        .await?
        .into_iter()
        .map(|user| {
            let roles = user
                .roles
                .iter()
                .map(|(agency, role)| {
                    let place = agency
                        .as_deref()
                        .map(|code| {
                            agencies
                                .iter()
                                .find(|row| row.code == code)
                                .map_or(code.to_owned(), |row| row.name.clone())
                        })
                        .unwrap_or_else(|| "全平台".to_owned());
                    format!("{place}：{}", role_label(role))
                })
                .collect();
            (user, roles)
        })
        .collect();
    let (token, cookie) = csrf::issue(headers)?;
    let page = AdminPage {
        staff,
        csrf: &token,
        agencies: &agencies,
        users,
        roles: users::ROLES.iter().map(|role| (*role, role_label(role))).collect(),
        error,
        done,
        form,
    };
    Ok(csrf::with_cookie((status, Html(page.render()?)).into_response(), cookie))
}

pub(crate) async fn page(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    require_admin(&state, &staff).await?;
    admin_page(&state, &staff, &headers, StatusCode::OK, None, None, AdminForm::default()).await
}

/// A store refusal as the admin reads it.
fn store_message(err: &StoreError) -> Option<String> {
    match err {
        StoreError::Duplicate { what, key } => Some(format!("{}“{key}”已存在。", what_label(what))),
        StoreError::NotFound { what, key } => Some(format!("{}“{key}”不存在。", what_label(what))),
        StoreError::InvalidData(message) if message.contains("password") => {
            Some(format!("密码至少需要{}个字符。", users::MIN_PASSWORD_CHARS))
        }
        StoreError::InvalidData(message) if message.contains("username") => {
            Some("用户名不能为空，也不能含空格。".to_owned())
        }
        StoreError::InvalidData(message) if message.contains("platform_admin") => {
            Some("平台管理员不属于任何单位；其他角色必须选择单位。".to_owned())
        }
        StoreError::InvalidData(_) => Some("填写的内容不正确，请核对。".to_owned()),
        _ => None,
    }
}

fn what_label(what: &str) -> &str {
    match what {
        "user" => "用户",
        "agency" => "单位",
        "parent agency" => "上级单位",
        "role" => "角色",
        other => other,
    }
}

pub(crate) async fn submit(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    PageForm(form): PageForm<AdminForm>,
) -> Result<Response, PageError> {
    csrf::check(&headers, &form.csrf)?;
    require_admin(&state, &staff).await?;
    let actor = staff.actor();
    let agency = (!form.agency.is_empty()).then_some(form.agency.as_str());
    let username = form.username.trim();
    let result = match form.action.as_str() {
        "add_user" => {
            if form.display_name.trim().is_empty() {
                Err(Some("请填写姓名。".to_owned()))
            } else {
                users::add(
                    state.store(),
                    username,
                    form.display_name.trim(),
                    &form.password,
                    &actor,
                )
                .await
                .map(|()| format!("已添加用户 {username}。"))
                .map_err(refused)
            }
        }
        "grant" => users::grant(state.store(), username, &form.role, agency, &actor)
            .await
            .map(|()| format!("已授予 {username} {}。", role_label(&form.role)))
            .map_err(refused),
        "revoke" => users::revoke(state.store(), username, &form.role, agency, &actor)
            .await
            .map(|()| format!("已收回 {username} 的{}。", role_label(&form.role)))
            .map_err(refused),
        "reset_password" => users::set_password(state.store(), username, &form.password, &actor)
            .await
            .map(|()| format!("已重置 {username} 的密码，其登录已失效。"))
            .map_err(refused),
        "disable" | "enable" => {
            if username == staff.username {
                Err(Some("不能停用自己的账户。".to_owned()))
            } else {
                let disabled = form.action == "disable";
                users::set_disabled(state.store(), username, disabled, &actor)
                    .await
                    .map(|()| {
                        format!("已{}账户 {username}。", if disabled { "停用" } else { "启用" })
                    })
                    .map_err(refused)
            }
        }
        "add_agency" => add_agency(&state, &form, &actor).await,
        _ => Err(Some("未知的操作。".to_owned())),
    };
    match result {
        Ok(message) => {
            state.forget_agencies();
            admin_page(
                &state,
                &staff,
                &headers,
                StatusCode::OK,
                None,
                Some(message),
                AdminForm::default(),
            )
            .await
        }
        Err(Some(message)) => {
            let action = form.action.clone();
            admin_page(
                &state,
                &staff,
                &headers,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some((action, message)),
                None,
                form,
            )
            .await
        }
        Err(None) => Err(PageError::Unavailable),
    }
}

/// The message for a refusal the admin can fix, or `None` (logged) for a failure that is not theirs.
fn refused(err: StoreError) -> Option<String> {
    let message = store_message(&err);
    if message.is_none() {
        tracing::error!(error = %err, "administration failed");
    }
    message
}

async fn add_agency(
    state: &AppState,
    form: &AdminForm,
    actor: &gongkai_store::Actor<'_>,
) -> Result<String, Option<String>> {
    let code = form.code.trim();
    let valid_code = !code.is_empty()
        && code.len() <= 40
        && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !valid_code {
        return Err(Some("单位代码只能由字母、数字、连字符组成（如 330300-SFJ）。".to_owned()));
    }
    if form.name.trim().is_empty() || form.region.trim().is_empty() {
        return Err(Some("请填写单位名称和所在地区。".to_owned()));
    }
    let kind = match form.kind.as_str() {
        "government" | "department" => form.kind.as_str(),
        _ => return Err(Some("请选择单位类型。".to_owned())),
    };
    let new = NewAgency {
        code,
        name: form.name.trim(),
        kind,
        region: form.region.trim(),
        parent_code: (!form.parent.is_empty()).then_some(form.parent.as_str()),
        index_pattern: "{code}/{year}-{serial:05}",
        office: form.office.trim(),
        phone: form.phone.trim(),
        address: form.address.trim(),
        hours: form.hours.trim(),
    };
    match agencies::add(state.store(), &new, actor).await {
        Ok(row) => Ok(format!("已添加单位 {}（{}）。", row.name, row.code)),
        Err(err) => Err(refused(err)),
    }
}
