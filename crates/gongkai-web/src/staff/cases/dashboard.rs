//! The staff home, an agency's dashboard (its open cases sorted by the reply clock) and its case list.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Redirect, Response};
use gongkai_core::clock::{self, ClockError, ClockReport, State as ClockState};
use gongkai_store::agencies::AgencyRow;
use gongkai_store::applications::{self};
use gongkai_store::handling::{self, Case, Filter, search};
use gongkai_store::users::Role;
use serde::Deserialize;
use time::Date;

use super::no_store;
use crate::staff::{Need, Staff};
use crate::{AppState, PageError, csrf};

/// Rows of the dashboard's list of all open cases (the groups above it count every case).
const OPEN_SHOWN: usize = 500;
/// "Due soon": within this many working days.
const DUE_SOON_WORKING_DAYS: u32 = 3;

#[derive(Template)]
#[template(path = "staff/home.html")]
struct HomePage<'a> {
    staff: &'a Staff,
    csrf: &'a str,
    agencies: Vec<(&'a AgencyRow, Vec<&'static str>)>,
}

pub(crate) async fn home(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let all = state.agencies().await?;
    let readable = staff.readable(&all);
    if readable.len() == 1 && !staff.is_platform_admin() {
        return Ok(Redirect::to(&format!("/staff/agencies/{}", readable[0].code)).into_response());
    }
    let agencies = readable
        .into_iter()
        .map(|agency| {
            let roles = staff
                .roles
                .iter()
                .filter(|(code, _)| code.as_deref() == Some(agency.code.as_str()))
                .map(|(_, role)| role.label())
                .collect();
            (agency, roles)
        })
        .collect();
    let (token, cookie) = csrf::issue(&headers)?;
    let page = HomePage { staff: &staff, csrf: &token, agencies };
    Ok(no_store(csrf::with_cookie(Html(page.render()?).into_response(), cookie)))
}

/// One row of a case list.
pub(crate) struct CaseLine {
    tracking_number: String,
    received: String,
    channel: &'static str,
    subject: String,
    state: String,
    due: String,
    handler: String,
    note: String,
}

fn subject_line(description: &str) -> String {
    let line = description.lines().next().unwrap_or_default().trim();
    let mut out: String = line.chars().take(40).collect();
    if line.chars().count() > 40 {
        out.push('…');
    }
    out
}

fn case_line(case: &Case, report: Result<&ClockReport, &ClockError>, note: &str) -> CaseLine {
    let (received, state, due) = match report {
        Ok(report) => (
            report.received.to_string(),
            report.state.label().to_owned(),
            report
                .due
                .map(|due| format!("{due}{}", if report.provisional { "（暂定）" } else { "" }))
                .unwrap_or_default(),
        ),
        Err(_) => (case.intake.submitted.to_string(), "记录有误，请核对".to_owned(), String::new()),
    };
    CaseLine {
        tracking_number: case.tracking_number.clone(),
        received,
        channel: case.intake.channel.label(),
        subject: subject_line(&case.description),
        state,
        due,
        handler: case.handler.clone().unwrap_or_else(|| "未分配".to_owned()),
        note: note.to_owned(),
    }
}

#[derive(Template)]
#[template(path = "staff/dashboard.html")]
struct DashboardPage<'a> {
    staff: &'a Staff,
    csrf: &'a str,
    agency: &'a AgencyRow,
    can_handle: bool,
    can_supervise: bool,
    can_administer: bool,
    today: String,
    groups: Arc<Groups>,
    months: Vec<(u8, i64)>,
    month_max: i64,
    reminder: Option<String>,
    year: i32,
    year_total: i64,
}

/// The dashboard's case lists of one agency on one day.
#[derive(Default)]
pub(crate) struct Groups {
    overdue: Vec<CaseLine>,
    due_soon: Vec<CaseLine>,
    approval: Vec<CaseLine>,
    applicant: Vec<CaseLine>,
    lapsed: Vec<CaseLine>,
    /// The newest [`OPEN_SHOWN`] open cases.
    open: Vec<CaseLine>,
    open_total: usize,
}

/// What the dashboard's lists depend on: the agency, the database as of a length of the audit log (every
/// change is audited in its own transaction, so the lists stay right while it is unchanged), the day, and
/// the calendar in use.
pub(crate) type GroupsKey = (i64, i64, Date, usize);

/// Every open case of the agency sorted into the dashboard's lists by the reply clock, as of `today`.
async fn groups(state: &AppState, agency_id: i64, today: Date) -> Result<Arc<Groups>, PageError> {
    let calendar = state.calendar();
    let marker = gongkai_store::audit::entries(state.store()).await?;
    let key: GroupsKey = (agency_id, marker, today, Arc::as_ptr(&calendar) as usize);
    if let Some(groups) = state.dashboards().get(&key) {
        return Ok(groups);
    }
    // One computation at a time: requests that arrive meanwhile wait for it and reuse it.
    let _computing = state.dashboards_computing().lock().await;
    if let Some(groups) = state.dashboards().get(&key) {
        return Ok(groups);
    }
    let open = handling::cases(state.store(), agency_id, Filter::Open, i64::MAX).await?;
    let soon_limit = calendar.add_working_days(today, DUE_SOON_WORKING_DAYS).ok();
    let mut groups = Groups::default();
    for case in &open {
        let report = clock::evaluate(&case.clock_application(), &calendar, today);
        let line = |note: &str| case_line(case, report.as_ref(), note);
        if let Ok(report) = &report {
            match report.state {
                ClockState::Overdue => groups.overdue.push(line("")),
                ClockState::InProgress
                    if report.due.zip(soon_limit).is_some_and(|(due, limit)| due <= limit) =>
                {
                    groups.due_soon.push(line(""))
                }
                ClockState::AwaitingSupplement => groups.applicant.push(line("等待补正")),
                ClockState::AwaitingPayment => groups.applicant.push(line("等待缴费")),
                ClockState::Lapsed(_) => groups.lapsed.push(line("待办结")),
                _ => {}
            }
        }
        if let Some(request) = case.pending_extension() {
            groups.approval.push(line(&format!("{} 申请延期", request.requested_by)));
        }
        if groups.open.len() < OPEN_SHOWN {
            groups.open.push(line(""));
        }
    }
    groups.open_total = open.len();
    let groups = Arc::new(groups);
    state.dashboards().put(key, Arc::clone(&groups));
    Ok(groups)
}

pub(crate) async fn dashboard(
    State(state): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let agency = staff.agency(&state, &code, Need::Read).await?;
    let today = state.today();
    // Every open case is counted (the groups must be complete); the open list shows the newest ones.
    let groups = groups(&state, agency.id, today).await?;
    let months = applications::monthly_intake(state.store(), agency.id, today.year()).await?;
    let agencies = state.agencies().await?;
    let (token, cookie) = csrf::issue(&headers)?;
    let page = DashboardPage {
        staff: &staff,
        csrf: &token,
        agency: &agency,
        can_handle: staff.may(&agency.code, &agencies, Need::Handle),
        can_supervise: staff.may(&agency.code, &agencies, Need::Supervise),
        can_administer: staff.may(&agency.code, &agencies, Need::Administer),
        today: today.to_string(),
        groups,
        year_total: months.iter().sum(),
        month_max: months.iter().copied().max().unwrap_or(0).max(1),
        months: (1..=12u8).zip(months).collect(),
        reminder: crate::staff::reports::reminder(&state, &agency).await?,
        year: today.year(),
    };
    Ok(no_store(csrf::with_cookie(Html(page.render()?).into_response(), cookie)))
}

/// Cases on one page of the case search.
const PER_PAGE: u32 = 50;

#[derive(Template)]
#[template(path = "staff/list.html")]
struct ListPage<'a> {
    staff: &'a Staff,
    csrf: &'a str,
    agency: &'a AgencyRow,
    form: &'a SearchForm,
    errors: Vec<&'static str>,
    outcomes: &'static [(&'static str, &'static str, &'static str)],
    handlers: Vec<String>,
    can_handle: bool,
    total: i64,
    /// More than `total` match (the count stops at its cap).
    more: bool,
    page: u32,
    pages: i64,
    cases: Vec<CaseLine>,
    previous: Option<String>,
    next: Option<String>,
}

/// The case search form, as typed (shown again with the results). `year` is the dashboard's shortcut for
/// the year's cases.
#[derive(Debug, Default, Deserialize, serde::Serialize)]
#[serde(default)]
pub(crate) struct SearchForm {
    number: String,
    text: String,
    from: String,
    to: String,
    status: String,
    outcome: String,
    handler: String,
    #[serde(skip_serializing)]
    year: String,
    #[serde(skip_serializing)]
    page: String,
}

impl SearchForm {
    /// The query, or the Chinese messages of what is wrong with the form.
    fn query(&mut self, today: Date) -> Result<search::CaseQuery, Vec<&'static str>> {
        if let Ok(year) = self.year.trim().parse::<i32>()
            && (2008..=today.year()).contains(&year)
            && self.from.is_empty()
            && self.to.is_empty()
        {
            self.from = format!("{year:04}-01-01");
            self.to = format!("{year:04}-12-31");
        }
        let mut errors = Vec::new();
        let mut date = |text: &str, message: &'static str| {
            let text = text.trim();
            if text.is_empty() {
                return None;
            }
            let parsed = crate::staff::parse_date(text);
            if parsed.is_none() {
                errors.push(message);
            }
            parsed
        };
        let from = date(&self.from, "提交日期（起）不是有效日期，请按 2026-01-31 的格式填写。");
        let to = date(&self.to, "提交日期（止）不是有效日期，请按 2026-01-31 的格式填写。");
        if from.zip(to).is_some_and(|(from, to)| to < from) {
            errors.push("提交日期的起始日不能晚于截止日。");
        }
        let status = match self.status.as_str() {
            "" => search::Status::Any,
            "open" => search::Status::Open,
            "closed" => search::Status::Closed,
            _ => {
                errors.push("办理状态无效，请重新选择。");
                search::Status::Any
            }
        };
        let outcome = match self.outcome.as_str() {
            "" => None,
            code if search::OUTCOMES.iter().any(|(known, _, _)| *known == code) => {
                Some(code.to_owned())
            }
            _ => {
                errors.push("办理结果无效，请重新选择。");
                None
            }
        };
        let handler = match self.handler.as_str() {
            "" => search::Handler::Any,
            "-" => search::Handler::Unassigned,
            username => search::Handler::User(username.to_owned()),
        };
        if self.number.chars().count() > 64 || self.text.chars().count() > 200 {
            errors.push("检索词过长：申请编号不超过64个字符，内容不超过200个字符。");
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(search::CaseQuery {
            number: self.number.trim().to_owned(),
            text: self.text.trim().to_owned(),
            handled_by: None,
            from,
            to,
            status,
            outcome,
            handler,
        })
    }

    /// This search's address at `page`.
    fn href(&self, code: &str, page: u32) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        for (name, value) in [
            ("number", &self.number),
            ("text", &self.text),
            ("from", &self.from),
            ("to", &self.to),
            ("status", &self.status),
            ("outcome", &self.outcome),
            ("handler", &self.handler),
        ] {
            if !value.is_empty() {
                query.append_pair(name, value);
            }
        }
        query.append_pair("page", &page.to_string());
        format!("/staff/agencies/{code}/applications?{}", query.finish())
    }
}

/// The agency's cases found by number, text, date, state, outcome and handler, a page at a time.
pub(crate) async fn list(
    State(state): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
    Query(mut form): Query<SearchForm>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let agency = staff.agency(&state, &code, Need::Read).await?;
    let agencies = state.agencies().await?;
    let can_handle = staff.may(&agency.code, &agencies, Need::Handle);
    let today = state.today();
    let page = form.page.trim().parse::<u32>().ok().filter(|page| *page >= 1).unwrap_or(1);
    let (found, errors) = match form.query(today) {
        Ok(mut query) => {
            query.handled_by = can_handle.then(|| staff.username.clone());
            (search::search(state.store(), &[agency.id], &query, page, PER_PAGE).await?, Vec::new())
        }
        Err(errors) => {
            (search::Found { cases: Vec::new(), total: search::Total::default() }, errors)
        }
    };
    let calendar = state.calendar();
    let cases = found
        .cases
        .iter()
        .map(|case| {
            let report = clock::evaluate(&case.clock_application(), &calendar, today);
            let outcome = case.outcome.map(|outcome| outcome.label()).unwrap_or_default();
            case_line(case, report.as_ref(), outcome)
        })
        .collect();
    let total = found.total;
    // Beyond the count's cap the pages go on while they are full.
    let pages = (total.at_least + i64::from(PER_PAGE) - 1) / i64::from(PER_PAGE);
    let full = found.cases.len() == PER_PAGE as usize;
    let handlers = gongkai_store::users::holders(state.store(), &agency.code, Role::Clerk).await?;
    let (token, cookie) = csrf::issue(&headers)?;
    let page_view = ListPage {
        staff: &staff,
        csrf: &token,
        agency: &agency,
        form: &form,
        errors,
        outcomes: &search::OUTCOMES,
        handlers,
        can_handle,
        total: total.at_least,
        more: total.more,
        page,
        pages,
        cases,
        previous: (page > 1).then(|| form.href(&agency.code, page - 1)),
        next: (i64::from(page) < pages || (total.more && full))
            .then(|| form.href(&agency.code, page + 1)),
    };
    let status = if page_view.errors.is_empty() {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(no_store(csrf::with_cookie((status, Html(page_view.render()?)).into_response(), cookie)))
}
