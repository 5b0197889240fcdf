//! Administration in the UI (the same operations as `gongkai agency` / `gongkai user`), every change audited
//! by the store. Platform admins (`/staff/admin`): agencies, users, roles anywhere, password resets and
//! disabling accounts. An agency's admin (单位管理员, `/staff/agencies/{code}/staff`): the same for its own
//! staff only — accounts added with a role in the agency, the agency's four roles granted and revoked, and
//! passwords reset or accounts disabled only for users who hold no role anywhere else.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use gongkai_core::records::AgencyKind;
use gongkai_store::agencies::{self, AgencyRow, NewAgency};
use gongkai_store::users::{self, Role, UserRow};
use gongkai_store::{Refused, StoreError};
use serde::Deserialize;

use super::{Need, Staff};
use crate::error::PageForm;
use crate::{AppState, PageError, csrf};

#[derive(Template)]
#[template(path = "staff/admin.html")]
struct AdminPage<'a> {
    staff: &'a Staff,
    /// The agency whose staff an agency admin manages; `None` on the platform page.
    scope: Option<&'a AgencyRow>,
    /// Where the forms post.
    action_path: String,
    csrf: &'a str,
    agencies: &'a [AgencyRow],
    /// Each user with their roles as shown and their state (正常, 已停用, locked until when).
    users: Vec<(UserRow, Vec<String>, String)>,
    roles: Vec<(&'static str, &'static str)>,
    error: Option<(String, String)>,
    done: Option<String>,
    form: AdminForm,
    /// The platform's marks as stored (the platform page's 网站信息 form).
    site: gongkai_core::site::SiteInfo,
}

impl AdminPage<'_> {
    fn error_in(&self, action: &str) -> Option<&str> {
        self.error.as_ref().filter(|(at, _)| at == action).map(|(_, message)| message.as_str())
    }

    /// The error of an action that has no form on this page (a stale or forged post), shown at the top.
    fn stray_error(&self) -> Option<&str> {
        const EVERY_PAGE: [&str; 6] =
            ["add_user", "grant", "revoke", "reset_password", "disable", "enable"];
        let on_page = |action: &str| {
            EVERY_PAGE.contains(&action)
                || (self.scope.is_none() && matches!(action, "add_agency" | "site"))
        };
        self.error.as_ref().filter(|(at, _)| !on_page(at)).map(|(_, message)| message.as_str())
    }

    /// A field of the 网站信息 form: as typed when it came back with an error, else as stored.
    fn site_value(&self, field: &str) -> &str {
        if self.error.as_ref().is_some_and(|(at, _)| at == "site") {
            return self.form.value(field);
        }
        match field {
            "host" => &self.site.host,
            "contact" => &self.site.contact,
            "icp" => &self.site.icp,
            "police" => &self.site.police,
            "site_code" => &self.site.site_code,
            "report_url" => &self.site.report_url,
            _ => "",
        }
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
    host: String,
    contact: String,
    icp: String,
    police: String,
    site_code: String,
    report_url: String,
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
            "host" => &self.host,
            "contact" => &self.contact,
            "icp" => &self.icp,
            "police" => &self.police,
            "site_code" => &self.site_code,
            "report_url" => &self.report_url,
            _ => "",
        }
    }
}

/// Lets a platform admin through; anyone else is refused and the refusal audited with `page` as subject.
pub(super) async fn require_admin(
    state: &AppState,
    staff: &Staff,
    page: &str,
) -> Result<(), PageError> {
    if staff.is_platform_admin() {
        return Ok(());
    }
    staff.refused_access(state, "platform_admin", "platform", page).await;
    Err(PageError::Forbidden)
}

/// The role a form names, if it is one.
fn role_of(form: &AdminForm) -> Result<Role, Option<String>> {
    Role::from_code(&form.role).ok_or_else(|| Some("请选择角色。".to_owned()))
}

/// What a page administers: the whole platform, or one agency's staff.
#[derive(Clone, Copy)]
enum Scope<'a> {
    Platform,
    Agency(&'a AgencyRow),
}

/// The outcome of one form: the message shown, or the message for the failed action (`None`: not the user's
/// fault, logged).
type Outcome = Result<String, Option<String>>;

/// What the page shows above and in its forms.
enum Shown {
    /// Nothing yet: empty forms.
    Fresh,
    /// The message of an action that succeeded; empty forms.
    Done(String),
    /// The form that failed, kept, with the reason next to it (422).
    Failed(Box<AdminForm>, String),
}

async fn admin_page(
    state: &AppState,
    staff: &Staff,
    headers: &HeaderMap,
    scope: Scope<'_>,
    shown: Shown,
) -> Result<Response, PageError> {
    let (status, error, done, form) = match shown {
        Shown::Fresh => (StatusCode::OK, None, None, AdminForm::default()),
        Shown::Done(message) => (StatusCode::OK, None, Some(message), AdminForm::default()),
        Shown::Failed(form, message) => {
            (StatusCode::UNPROCESSABLE_ENTITY, Some((form.action.clone(), message)), None, *form)
        }
    };
    let agencies = state.agencies().await?;
    let (agency, action_path) = match scope {
        Scope::Platform => (None, "/staff/admin".to_owned()),
        Scope::Agency(agency) => (Some(agency), format!("/staff/agencies/{}/staff", agency.code)),
    };
    let users = users::list(state.store(), agency.map(|agency| agency.code.as_str()))
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
                    format!("{place}：{}", role.label())
                })
                .collect();
            let status = account_status(&user);
            (user, roles, status)
        })
        .collect();
    let site = gongkai_store::site::info(state.store()).await?;
    let (token, cookie) = csrf::issue(headers)?;
    // An agency's admin grants the agency's own roles (never platform or supervisor roles).
    let roles: &[Role] = if agency.is_some() { &Role::OF_AGENCY_STAFF } else { &Role::ALL };
    let page = AdminPage {
        staff,
        scope: agency,
        action_path,
        csrf: &token,
        agencies: &agencies,
        users,
        roles: roles.iter().map(|role| (role.code(), role.label())).collect(),
        error,
        done,
        form,
        site,
    };
    Ok(csrf::with_cookie((status, Html(page.render()?)).into_response(), cookie))
}

/// What the user list says of an account: disabled or 正常 (failed sign-ins slow the guesser down, they do not
/// lock the account; a password reset clears them).
fn account_status(user: &UserRow) -> String {
    if user.disabled { "已停用" } else { "正常" }.to_owned()
}

pub(crate) async fn page(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    require_admin(&state, &staff, "admin").await?;
    admin_page(&state, &staff, &headers, Scope::Platform, Shown::Fresh).await
}

/// The agency `code` for its admin (or a platform admin); anyone else is refused and the refusal audited.
async fn administered(state: &AppState, staff: &Staff, code: &str) -> Result<AgencyRow, PageError> {
    let agencies = state.agencies().await?;
    let agency =
        agencies.iter().find(|row| row.code == code).cloned().ok_or(PageError::NotFound)?;
    staff.require(state, code, Need::Administer, &format!("agency:{code}:staff")).await?;
    Ok(agency)
}

/// 单位人员管理: the agency's staff and their roles in it.
pub(crate) async fn agency_page(
    State(state): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let agency = administered(&state, &staff, &code).await?;
    admin_page(&state, &staff, &headers, Scope::Agency(&agency), Shown::Fresh).await
}

pub(crate) async fn agency_submit(
    State(state): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
    headers: HeaderMap,
    PageForm(form): PageForm<AdminForm>,
) -> Result<Response, PageError> {
    csrf::check(&headers, &form.csrf)?;
    let agency = administered(&state, &staff, &code).await?;
    let actor = staff.actor();
    let username = form.username.trim();
    let code = agency.code.as_str();
    let role = Role::from_code(&form.role).filter(|role| Role::OF_AGENCY_STAFF.contains(role));
    let result: Outcome = match (form.action.as_str(), role) {
        ("add_user" | "grant" | "revoke", None) => Err(Some("请选择本单位的角色。".to_owned())),
        ("add_user", Some(role)) => add_user(&state, &form, Some((role, Some(code))), &actor).await,
        ("grant", _) => match only_here(&state, username, code, staff.is_platform_admin()).await {
            Ok(()) => change_role(&state, &form, true, Some(code), &actor).await,
            Err(message) => Err(message),
        },
        ("revoke", Some(Role::AgencyAdmin)) if username == staff.username => {
            Err(Some("不能收回自己的单位管理员角色。".to_owned()))
        }
        ("revoke", _) => match only_here(&state, username, code, staff.is_platform_admin()).await {
            Ok(()) if is_last_role(&state, username).await => Err(Some(
                "这是该用户的最后一个角色；收回后本页将无法再管理该用户。如该人员已离开本单位，请使用“停用账户”。"
                    .to_owned(),
            )),
            Ok(()) => change_role(&state, &form, false, Some(code), &actor).await,
            Err(message) => Err(message),
        },
        ("reset_password" | "disable" | "enable", _) => {
            match only_here(&state, username, code, staff.is_platform_admin()).await {
                Ok(()) => account_action(&state, &staff, &form, &actor).await,
                Err(message) => Err(message),
            }
        }
        _ => Err(Some("未知的操作。".to_owned())),
    };
    respond(&state, &staff, &headers, form, result, Scope::Agency(&agency)).await
}

/// Adds the user named in `form`, with `role` (and its agency) granted in the same transaction if given.
async fn add_user(
    state: &AppState,
    form: &AdminForm,
    role: Option<(Role, Option<&str>)>,
    actor: &gongkai_store::Actor<'_>,
) -> Outcome {
    let username = form.username.trim();
    let name = form.display_name.trim();
    if name.is_empty() {
        return Err(Some("请填写姓名。".to_owned()));
    }
    if name.chars().count() > 50 || crate::apply::has_control(name, false) {
        return Err(Some(format!("姓名不超过50个字，且{}", crate::apply::NO_CONTROL)));
    }
    if username.chars().count() > 64 || crate::apply::has_control(username, false) {
        return Err(Some(format!("用户名不超过64个字符，且{}", crate::apply::NO_CONTROL)));
    }
    users::add_with_role(state.store(), username, name, &form.password, role, actor)
        .await
        .map(|()| match role {
            Some((role, _)) => format!("已添加用户 {username}，并授予{}。", role.label()),
            None => format!("已添加用户 {username}。"),
        })
        .map_err(refused)
}

/// Grants (`grant`) or revokes the role named in `form` to or from its user, in `agency`.
async fn change_role(
    state: &AppState,
    form: &AdminForm,
    grant: bool,
    agency: Option<&str>,
    actor: &gongkai_store::Actor<'_>,
) -> Outcome {
    let username = form.username.trim();
    let role = role_of(form)?;
    if grant {
        users::grant(state.store(), username, role, agency, actor)
            .await
            .map(|()| format!("已授予 {username} {}。", role.label()))
    } else {
        users::revoke(state.store(), username, role, agency, actor)
            .await
            .map(|()| format!("已收回 {username} 的{}。", role.label()))
    }
    .map_err(refused)
}

/// Ok when every role `username` holds is one of the agency's own roles ([`Role::OF_AGENCY_STAFF`]) in the agency
/// `code`: only then may the agency's admin grant it more, reset its password or disable it. A supervisor
/// role held at the agency (a government's supervisor sits at the government) is not the agency admin's to
/// manage: it reads every agency below. An unknown user gets the same answer as another agency's, so the
/// form does not tell which usernames exist on the platform.
async fn only_here(
    state: &AppState,
    username: &str,
    code: &str,
    platform_admin: bool,
) -> Result<(), Option<String>> {
    let user = users::find(state.store(), username).await.map_err(refused)?;
    let ours = user.is_some_and(|user| {
        !user.roles.is_empty()
            && user.roles.iter().all(|(agency, role)| {
                agency.as_deref() == Some(code) && Role::OF_AGENCY_STAFF.contains(role)
            })
    });
    if ours {
        Ok(())
    } else {
        // The platform admin is not told to ask the platform admin (issue #20).
        let elsewhere = if platform_admin {
            "请到“平台管理”页调整该用户。"
        } else {
            "如需调整，请联系平台管理员。"
        };
        Err(Some(format!(
            "“{username}”不是本单位人员，或在其他单位、全平台另有角色。本页只能管理仅在本单位任职的人员；\
             {elsewhere}"
        )))
    }
}

/// Whether `username` holds exactly one role (revoking it would leave an account no agency admin manages).
async fn is_last_role(state: &AppState, username: &str) -> bool {
    matches!(users::find(state.store(), username).await, Ok(Some(user)) if user.roles.len() == 1)
}

/// Resets the password of, disables or enables the account named in `form`.
async fn account_action(
    state: &AppState,
    staff: &Staff,
    form: &AdminForm,
    actor: &gongkai_store::Actor<'_>,
) -> Outcome {
    let username = form.username.trim();
    match form.action.as_str() {
        "reset_password" => users::set_password(state.store(), username, &form.password, actor)
            .await
            .map(|()| format!("已重置 {username} 的密码，其登录已失效。"))
            .map_err(refused),
        _ if username == staff.username => Err(Some("不能停用自己的账户。".to_owned())),
        action => {
            let disabled = action == "disable";
            users::set_disabled(state.store(), username, disabled, actor)
                .await
                .map(|()| format!("已{}账户 {username}。", if disabled { "停用" } else { "启用" }))
                .map_err(refused)
        }
    }
}

/// The page again after a form: with the message on success, or with the error and the input kept.
async fn respond(
    state: &AppState,
    staff: &Staff,
    headers: &HeaderMap,
    form: AdminForm,
    result: Outcome,
    scope: Scope<'_>,
) -> Result<Response, PageError> {
    match result {
        Ok(message) => {
            state.forget_agencies();
            admin_page(state, staff, headers, scope, Shown::Done(message)).await
        }
        Err(Some(message)) => {
            admin_page(state, staff, headers, scope, Shown::Failed(Box::new(form), message)).await
        }
        Err(None) => Err(PageError::Unavailable),
    }
}

/// A store refusal as the admin reads it.
fn store_message(err: &StoreError) -> Option<String> {
    match err {
        StoreError::Duplicate { what, key } => Some(format!("{}“{key}”已存在。", what_label(what))),
        StoreError::NotFound { what, key } => Some(format!("{}“{key}”不存在。", what_label(what))),
        StoreError::Refused(Refused::PasswordTooShort) => {
            Some(format!("密码至少需要{}个字符。", users::MIN_PASSWORD_CHARS))
        }
        StoreError::Refused(Refused::Username(_)) => {
            Some("用户名不能为空，也不能含空格。".to_owned())
        }
        StoreError::Refused(Refused::RoleScope) => {
            Some("平台管理员不属于任何单位；其他角色必须选择单位。".to_owned())
        }
        StoreError::InvalidData(_) | StoreError::Refused(_) => {
            Some("填写的内容不正确，请核对。".to_owned())
        }
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
    require_admin(&state, &staff, "admin").await?;
    let actor = staff.actor();
    let agency = (!form.agency.is_empty()).then_some(form.agency.as_str());
    let result: Outcome = match form.action.as_str() {
        "add_user" => add_user(&state, &form, None, &actor).await,
        "grant" => change_role(&state, &form, true, agency, &actor).await,
        "revoke" => change_role(&state, &form, false, agency, &actor).await,
        "reset_password" | "disable" | "enable" => {
            account_action(&state, &staff, &form, &actor).await
        }
        "add_agency" => add_agency(&state, &form, &actor).await,
        "site" => set_site(&state, &form, &actor).await,
        _ => Err(Some("未知的操作。".to_owned())),
    };
    respond(&state, &staff, &headers, form, result, Scope::Platform).await
}

/// The message for a refusal the admin can fix, or `None` (logged) for a failure that is not theirs.
fn refused(err: StoreError) -> Option<String> {
    let message = store_message(&err);
    if message.is_none() {
        tracing::error!(error = %err, "administration failed");
    }
    message
}

/// Stores the platform's marks (网站信息) shown at the foot of every public page.
async fn set_site(
    state: &AppState,
    form: &AdminForm,
    actor: &gongkai_store::Actor<'_>,
) -> Result<String, Option<String>> {
    let info = gongkai_core::site::SiteInfo {
        host: form.host.clone(),
        contact: form.contact.clone(),
        icp: form.icp.clone(),
        police: form.police.clone(),
        site_code: form.site_code.clone(),
        report_url: form.report_url.clone(),
    }
    .trimmed();
    if let Some(problem) = info.problems().into_iter().next() {
        return Err(Some(format!("{}。", problem.message)));
    }
    match gongkai_store::site::set_info(state.store(), &info, actor).await {
        Ok(()) => {
            state.forget_site();
            Ok("已保存网站信息，门户各页面底部随之更新。".to_owned())
        }
        Err(err) => Err(refused(err)),
    }
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
    let Some(kind) = AgencyKind::from_name(&form.kind) else {
        return Err(Some("请选择单位类型。".to_owned()));
    };
    if let Some(message) = gongkai_core::directory::phone_problem(form.phone.trim()) {
        return Err(Some(format!("{message}。")));
    }
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
