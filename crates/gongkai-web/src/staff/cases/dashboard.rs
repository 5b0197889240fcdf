//! The staff home, an agency's dashboard (its open cases sorted by the reply clock) and its case list.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Redirect, Response};
use gongkai_core::clock::{self, ClockError, ClockReport, State as ClockState};
use gongkai_store::agencies::AgencyRow;
use gongkai_store::applications::{self};
use gongkai_store::handling::{self, Case, Filter};
use serde::Deserialize;
use time::Date;

use super::no_store;
use crate::staff::{Need, Staff};
use crate::{AppState, PageError, csrf};

/// Cases listed on one page at most (a dashboard shows every open case of the agency).
const MAX_LISTED: i64 = 5_000;
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

#[derive(Template)]
#[template(path = "staff/list.html")]
struct ListPage<'a> {
    staff: &'a Staff,
    csrf: &'a str,
    agency: &'a AgencyRow,
    year: i32,
    years: Vec<i32>,
    cases: Vec<CaseLine>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct YearQuery {
    year: String,
}

pub(crate) async fn list(
    State(state): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
    Query(query): Query<YearQuery>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let agency = staff.agency(&state, &code, Need::Read).await?;
    let today = state.today();
    let year = query.year.parse::<i32>().ok().filter(|year| (2008..=today.year()).contains(year));
    let year = year.unwrap_or(today.year());
    let calendar = state.calendar();
    let cases = handling::cases(state.store(), agency.id, Filter::Year(year), MAX_LISTED).await?;
    let lines = cases
        .iter()
        .map(|case| {
            let report = clock::evaluate(&case.clock_application(), &calendar, today);
            let outcome = case.outcome.map(|outcome| outcome.label()).unwrap_or_default();
            case_line(case, report.as_ref(), outcome)
        })
        .collect();
    let (token, cookie) = csrf::issue(&headers)?;
    let page = ListPage {
        staff: &staff,
        csrf: &token,
        agency: &agency,
        year,
        years: (2008..=today.year()).rev().collect(),
        cases: lines,
    };
    Ok(no_store(csrf::with_cookie(Html(page.render()?).into_response(), cookie)))
}
