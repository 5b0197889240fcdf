//! The supervising office's view of its region (a government and every agency below it): who has published
//! the year's report and who is late, the region's roll-up report in the year's format, and the overdue
//! applications across the region.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Response};
use gongkai_core::clock::{self, State as ClockState};
use gongkai_core::records::{Agency, AgencyKind};
use gongkai_core::report::{self, rollup};
use gongkai_store::agencies::AgencyRow;
use gongkai_store::handling;
use gongkai_store::reports::ReportState;
use gongkai_store::{records, reports};
use serde::Deserialize;

use super::reports::state_label;
use super::{Need, Staff, ancestry, report_html};
use crate::{AppState, PageError, csrf};

/// The agency and every agency below it, in the platform's order.
fn members<'a>(root: &str, agencies: &'a [AgencyRow]) -> Vec<&'a AgencyRow> {
    agencies
        .iter()
        .filter(|agency| ancestry(&agency.code, agencies).any(|code| code == root))
        .collect()
}

struct MemberLine {
    code: String,
    name: String,
    state: &'static str,
    deadline: String,
    late: bool,
    overdue: usize,
    /// The audit of the report the agency published itself (uploaded to its archive): a line, and whether
    /// it links to the findings.
    audit: String,
    audit_link: bool,
}

struct OverdueLine {
    tracking_number: String,
    agency: String,
    received: String,
    due: String,
}

#[derive(Template)]
#[template(path = "staff/region.html")]
struct RegionPage<'a> {
    staff: &'a Staff,
    csrf: &'a str,
    agency: &'a AgencyRow,
    year: i32,
    years: Vec<i32>,
    members: Vec<MemberLine>,
    published: usize,
    late: usize,
    overdue: Vec<OverdueLine>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct YearQuery {
    year: String,
}

pub(crate) async fn page(
    State(state): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
    Query(query): Query<YearQuery>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let agency = state.agency(&code).await?;
    staff
        .require(&state, &agency.code, Need::Supervise, &format!("region:{}", agency.code))
        .await?;
    let today = state.today();
    let year = query
        .year
        .parse::<i32>()
        .ok()
        .filter(|year| (2008..today.year()).contains(year))
        .unwrap_or(today.year() - 1);
    let agencies = state.agencies().await?;
    let calendar = state.calendar();
    let mut lines = Vec::new();
    let mut overdue = Vec::new();
    let members = members(&agency.code, &agencies);
    let mut workflows = reports::workflows_of_year(state.store(), year).await?;
    let mut archived = gongkai_store::history::of_year(state.store(), year).await?;
    let ids: Vec<i64> = members.iter().map(|member| member.id).collect();
    let mut open_by_agency: std::collections::HashMap<String, Vec<handling::Case>> =
        std::collections::HashMap::new();
    for case in handling::open_cases_in(state.store(), &ids).await? {
        open_by_agency.entry(case.agency_code.clone()).or_default().push(case);
    }
    for member in members {
        let workflow = workflows.remove(&member.code);
        let deadline = report::publication_deadline(member.kind, year);
        let published = workflow.as_ref().is_some_and(|w| w.state == ReportState::Published);
        let open = open_by_agency.remove(&member.code).unwrap_or_default();
        let mut member_overdue = 0;
        for case in &open {
            if let Ok(report) = clock::evaluate(&case.clock_application(), &calendar, today)
                && report.state == ClockState::Overdue
            {
                member_overdue += 1;
                overdue.push(OverdueLine {
                    tracking_number: case.tracking_number.clone(),
                    agency: member.name.clone(),
                    received: report.received.to_string(),
                    due: report.due.map(|due| due.to_string()).unwrap_or_default(),
                });
            }
        }
        // The report made on the platform derives from the records (it cannot contradict itself); one the
        // agency published itself and uploaded was read by the auditor on upload.
        let (audit, audit_link) = match archived.remove(&member.code) {
            Some(report) => match (report.findings, report.unread) {
                (Some(0), _) => ("已核查，未发现问题".to_owned(), true),
                (Some(findings), _) => (format!("已核查，发现问题{findings}项"), true),
                (None, unread) => (
                    format!("未读取：{}", unread.unwrap_or_else(|| "原因未记录".to_owned())),
                    false,
                ),
            },
            None if published => ("由平台记录生成".to_owned(), false),
            None => (String::new(), false),
        };
        lines.push(MemberLine {
            audit,
            audit_link,
            code: member.code.clone(),
            name: member.name.clone(),
            state: state_label(workflow.as_ref()),
            deadline: deadline.map(|date| date.to_string()).unwrap_or_default(),
            late: !published && deadline.is_some_and(|deadline| today > deadline),
            overdue: member_overdue,
        });
    }
    overdue.sort_by(|a, b| a.due.cmp(&b.due));
    let (token, cookie) = csrf::issue(&headers)?;
    let page = RegionPage {
        staff: &staff,
        csrf: &token,
        agency: &agency,
        year,
        years: (2008..today.year()).rev().collect(),
        published: lines.iter().filter(|line| line.state == "已公开").count(),
        late: lines.iter().filter(|line| line.late).count(),
        members: lines,
        overdue,
    };
    Ok(csrf::with_cookie(Html(page.render()?).into_response(), cookie))
}

/// The region's roll-up report of the year (HTML, with its own CSP like the archive's files).
pub(crate) async fn rollup_report(
    State(state): State<AppState>,
    staff: Staff,
    Path((code, year)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let agency = state.agency(&code).await?;
    staff
        .require(&state, &agency.code, Need::Supervise, &format!("region:{}", agency.code))
        .await?;
    let year: i32 = year
        .parse()
        .ok()
        .filter(|year| (2008..=state.today().year()).contains(year))
        .ok_or(PageError::NotFound)?;
    let agencies = state.agencies().await?;
    let members: Vec<AgencyRow> = members(&agency.code, &agencies).into_iter().cloned().collect();
    let workflows = reports::workflows_of_year(state.store(), year).await?;
    let loaded = records::load_for_year(state.store(), &members, year)
        .await?
        .into_iter()
        .zip(&members)
        .map(|(records, member)| rollup::Member {
            records,
            published: workflows
                .get(&member.code)
                .is_some_and(|w| w.state == ReportState::Published),
        })
        .collect();
    let region = Agency {
        code: agency.code.clone(),
        name: format!("{}（汇总）", agency.name),
        kind: AgencyKind::Government,
        office: agency.office.clone(),
        phone: agency.phone.clone(),
    };
    let report = rollup::build(region, loaded, year, &state.calendar()).map_err(|err| {
        tracing::error!(error = %err, "building a roll-up report failed");
        PageError::Unavailable
    })?;
    let back = format!("/staff/agencies/{}/region?year={year}", agency.code);
    let label = format!("‹ 返回{}本区域", agency.name);
    let html = gongkai_render::html_with_back(&report, &back, &label).map_err(|err| {
        tracing::error!(error = %err, "rendering a roll-up report failed");
        PageError::Unavailable
    })?;
    Ok(report_html(html))
}
