//! The annual report's sign-off in the back office: the clerk (填报人) opens the year's report — tables and
//! narrative derived by the engine from the records, findings shown — writes the text-only paragraphs and
//! submits it; the reviewer (审核人) approves it or returns it with comments; the head (单位负责人) signs it
//! (never with findings open); publishing freezes its renderings in the portal's archive. The signature
//! block comes from this workflow. The dashboard reminds of the deadline (2019 条例 art. 49).

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use gongkai_core::records::Content;
use gongkai_core::report::derive::{self, Source};
use gongkai_core::report::format::FormatId;
use gongkai_core::report::values::CellKey;
use gongkai_core::report::{self, Report, SignOff};
use gongkai_store::agencies::AgencyRow;
use gongkai_store::reports::{self as stored, ReportState, Transition, Workflow, WorkflowError};
use gongkai_store::{Actor, StoreError, records, users};
use serde::Deserialize;

use super::{Need, Staff, report_html};
use crate::error::PageForm;
use crate::{AppState, PageError, csrf};

/// The sections whose paragraphs staff write (the engine writes the rest from the records).
const WRITTEN: [(Content, &str, &str); 4] = [
    (Content::Overview, "overview", "总体情况（补充段落）"),
    (Content::Proactive, "proactive", "主动公开（补充段落）"),
    (Content::Problems, "problems", "存在的主要问题及改进情况（第一段写问题，其后各段写改进措施）"),
    (Content::Other, "other", "其他需要报告的事项"),
];

/// Where a report stands, as staff read it ("未开始" before its workflow begins).
pub(crate) fn state_label(workflow: Option<&Workflow>) -> &'static str {
    workflow.map_or("未开始", |w| w.state.label(w.reviewer.is_some()))
}

/// The agency's report of `year` as the records say now, with the workflow's signature block.
pub(crate) async fn build(
    state: &AppState,
    agency: &AgencyRow,
    year: i32,
    workflow: Option<&Workflow>,
) -> Result<Report, PageError> {
    let records = records::load(state.store(), &agency.code).await?;
    let calendar = state.calendar();
    let last_year =
        gongkai_store::history::last_year(state.store(), &agency.code, year - 1).await?;
    let mut report = report::build_after(&records, year, None, &calendar, last_year.as_ref())
        .map_err(|err| {
            tracing::error!(error = %err, "building a report failed");
            PageError::Unavailable
        })?;
    if let Some(workflow) = workflow {
        let name = |username: &Option<String>| {
            let username = username.clone();
            let store = state.store().clone();
            async move {
                match username {
                    Some(username) => users::find(&store, &username)
                        .await
                        .ok()
                        .flatten()
                        .map(|user| user.display_name)
                        .or(Some(username)),
                    None => None,
                }
            }
        };
        report.sign_off = SignOff {
            head: name(&workflow.head).await,
            reviewer: name(&workflow.reviewer).await,
            preparer: name(&workflow.preparer).await,
            phone: workflow.phone.clone().or(report.sign_off.phone.clone()),
            date: workflow
                .signed_at
                .as_deref()
                .and_then(|at| gongkai_core::dates::parse_ymd(at.get(..10).unwrap_or_default())),
        };
    }
    Ok(report)
}

/// The years a report page exists for: last year and this year, and every year with a workflow.
fn years(today: time::Date, workflows: &[(i32, Workflow)]) -> Vec<i32> {
    let mut years: Vec<i32> = workflows.iter().map(|(year, _)| *year).collect();
    years.extend([today.year() - 1, today.year()]);
    years.sort_unstable_by(|a, b| b.cmp(a));
    years.dedup();
    years
}

#[derive(Template)]
#[template(path = "staff/reports.html")]
struct ListPage<'a> {
    staff: &'a Staff,
    csrf: &'a str,
    agency: &'a AgencyRow,
    rows: Vec<(i32, &'static str, String)>,
    /// Reports published before the platform, in the agency's archive.
    history: Vec<gongkai_store::history::HistoryReport>,
    can_handle: bool,
    /// The last year a history report may be of.
    last_year: i32,
    done: Option<String>,
    error: Option<String>,
}

pub(crate) async fn list(
    State(state): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let agency = staff.agency(&state, &code, Need::Read).await?;
    list_page(&state, &staff, &headers, &agency, None).await
}

/// The agency's reports page, with what a history upload did (`Err`: refused, shown with 422).
pub(crate) async fn list_page(
    state: &AppState,
    staff: &Staff,
    headers: &HeaderMap,
    agency: &AgencyRow,
    outcome: Option<Result<String, String>>,
) -> Result<Response, PageError> {
    let workflows = stored::workflows(state.store(), &agency.code).await?;
    let rows = years(state.today(), &workflows)
        .into_iter()
        .map(|year| {
            let workflow = workflows.iter().find(|(known, _)| *known == year).map(|(_, w)| w);
            let label = state_label(workflow);
            let deadline = report::publication_deadline(agency.kind, year)
                .map(|date| date.to_string())
                .unwrap_or_default();
            (year, label, deadline)
        })
        .collect();
    let mut history = gongkai_store::history::list(state.store(), &agency.code).await?;
    for report in &mut history {
        report.uploaded_at = super::china_datetime(&report.uploaded_at);
    }
    let agencies = state.agencies().await?;
    let (token, cookie) = csrf::issue(headers)?;
    let status = if matches!(outcome, Some(Err(_))) {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let (done, error) = match outcome {
        Some(Ok(done)) => (Some(done), None),
        Some(Err(error)) => (None, Some(error)),
        None => (None, None),
    };
    let page = ListPage {
        staff,
        csrf: &token,
        agency,
        rows,
        history,
        can_handle: staff.may(&agency.code, &agencies, Need::Handle),
        last_year: state.today().year() - 1,
        done,
        error,
    };
    Ok(csrf::with_cookie((status, Html(page.render()?)).into_response(), cookie))
}

/// A finding as the page shows it.
struct FindingLine {
    severity: &'static str,
    description: String,
    location: String,
    expected: String,
    found: String,
}

#[derive(Template)]
#[template(path = "staff/report.html")]
struct ReportPage<'a> {
    staff: &'a Staff,
    csrf: &'a str,
    agency: &'a AgencyRow,
    year: i32,
    title: String,
    state_label: &'static str,
    workflow: Option<Workflow>,
    version: i64,
    deadline: String,
    findings: Vec<FindingLine>,
    sections: Vec<(String, Vec<(String, bool)>)>,
    texts: Vec<(&'static str, &'static str, String)>,
    signature: Vec<(&'static str, String)>,
    can_write: bool,
    can_submit: bool,
    can_review: bool,
    can_sign: bool,
    can_publish: bool,
    published: bool,
    error: Option<String>,
    notice: Option<&'a str>,
}

/// What the report page shows above the report after an action.
enum Shown {
    Nothing,
    Refused(StatusCode, String),
    Done(&'static str),
}

impl Shown {
    /// Refused as bad form input is: 422, with the message.
    fn refused(message: String) -> Shown {
        Shown::Refused(StatusCode::UNPROCESSABLE_ENTITY, message)
    }
}

fn parse_year(text: &str, today: time::Date) -> Result<i32, PageError> {
    text.parse::<i32>()
        .ok()
        .filter(|year| (2008..=today.year()).contains(year))
        .ok_or(PageError::NotFound)
}

async fn report_page(
    state: &AppState,
    staff: &Staff,
    headers: &HeaderMap,
    agency: &AgencyRow,
    year: i32,
    shown: Shown,
) -> Result<Response, PageError> {
    let (status, error, notice) = match shown {
        Shown::Nothing => (StatusCode::OK, None, None),
        Shown::Refused(status, message) => (status, Some(message), None),
        Shown::Done(notice) => (StatusCode::OK, None, Some(notice)),
    };
    let workflow = stored::workflow(state.store(), &agency.code, year).await?;
    let report = build(state, agency, year, workflow.as_ref()).await?;
    let agencies = state.agencies().await?;
    let may = |need| staff.may(&agency.code, &agencies, need);
    let current = workflow.as_ref().map_or(ReportState::Draft, |w| w.state);
    let reviewed = workflow.as_ref().is_some_and(|w| w.reviewer.is_some());
    let stored_texts = stored::texts(state.store(), &agency.code, year).await?;
    let texts = WRITTEN
        .iter()
        .filter(|(content, _, _)| report.sections.iter().any(|section| section.content == *content))
        .map(|(_, code, label)| {
            let text = stored_texts
                .iter()
                .find(|(section, _)| section == code)
                .map(|(_, paragraphs)| paragraphs.join("\n\n"))
                .unwrap_or_default();
            (*code, *label, text)
        })
        .collect();
    let page = ReportPage {
        staff,
        csrf: "",
        agency,
        year,
        title: report.title.clone(),
        state_label: state_label(workflow.as_ref()),
        version: workflow.as_ref().map_or(0, |w| w.version),
        deadline: report::publication_deadline(agency.kind, year)
            .map(|date| date.to_string())
            .unwrap_or_default(),
        findings: report
            .findings
            .iter()
            .map(|finding| FindingLine {
                severity: match finding.severity {
                    gongkai_core::report::format::Severity::Error => "错误",
                    gongkai_core::report::format::Severity::Warning => "提示",
                },
                description: finding.description.clone(),
                location: finding.location.clone(),
                expected: if finding.compares() {
                    finding.expected.to_string()
                } else {
                    String::new()
                },
                found: if finding.compares() { finding.found.to_string() } else { String::new() },
            })
            .collect(),
        sections: report
            .sections
            .iter()
            .map(|section| {
                (
                    section.heading(year),
                    section
                        .paragraphs
                        .iter()
                        .map(|paragraph| (paragraph.text.clone(), paragraph.generated))
                        .collect(),
                )
            })
            .collect(),
        texts,
        signature: vec![
            ("单位负责人", report.sign_off.head.clone().unwrap_or_default()),
            ("审核人", report.sign_off.reviewer.clone().unwrap_or_default()),
            ("填报人", report.sign_off.preparer.clone().unwrap_or_default()),
            ("联系电话", report.sign_off.phone.clone().unwrap_or_default()),
            ("填报日期", report.sign_off.date.map(|date| date.to_string()).unwrap_or_default()),
        ],
        can_write: may(Need::Handle) && current.editable(),
        can_submit: may(Need::Handle) && current.submittable(),
        can_review: may(Need::Review) && current == ReportState::Submitted && !reviewed,
        can_sign: may(Need::Approve) && current == ReportState::Submitted && reviewed,
        can_publish: (may(Need::Handle) || may(Need::Approve)) && current == ReportState::Signed,
        published: current == ReportState::Published,
        workflow,
        error,
        notice,
    };
    let (token, cookie) = csrf::issue(headers)?;
    let page = ReportPage { csrf: &token, ..page };
    let mut response = (status, Html(page.render()?)).into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(csrf::with_cookie(response, cookie))
}

pub(crate) async fn page(
    State(state): State<AppState>,
    staff: Staff,
    Path((code, year)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let agency = state.agency(&code).await?;
    staff
        .require(&state, &agency.code, Need::Read, &format!("report:{}:{year}", agency.code))
        .await?;
    let year = parse_year(&year, state.today())?;
    report_page(&state, &staff, &headers, &agency, year, Shown::Nothing).await
}

/// The report as it would be published now (HTML rendering, with its own CSP like the archive's files).
pub(crate) async fn preview(
    State(state): State<AppState>,
    staff: Staff,
    Path((code, year)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let agency = state.agency(&code).await?;
    staff
        .require(&state, &agency.code, Need::Read, &format!("report:{}:{year}", agency.code))
        .await?;
    let year = parse_year(&year, state.today())?;
    let workflow = stored::workflow(state.store(), &agency.code, year).await?;
    let report = build(&state, &agency, year, workflow.as_ref()).await?;
    let links = format!("/staff/agencies/{}/reports/{year}/cells", agency.code);
    let html = gongkai_render::html_with_cell_links(&report, &links).map_err(|err| {
        tracing::error!(error = %err, "rendering a report failed");
        PageError::Unavailable
    })?;
    Ok(report_html(html))
}

/// One record behind a figure, as the drill-down page lists it.
struct SourceLine {
    kind: &'static str,
    text: String,
    link: Option<String>,
}

fn source_line(source: &Source) -> SourceLine {
    let case = |number: &Option<String>| number.as_ref().map(|n| format!("/staff/cases/{n}"));
    let about = |number: &Option<String>| {
        number.as_ref().map(|n| format!("，涉及申请{n}")).unwrap_or_default()
    };
    let (kind, text, link) = match source {
        Source::Application { tracking_number } => (
            "政府信息公开申请",
            tracking_number.clone(),
            Some(format!("/staff/cases/{tracking_number}")),
        ),
        Source::Item { index_number, title } => {
            ("主动公开信息", format!("{index_number}　{title}"), None)
        }
        Source::Document { number, title } => {
            ("规章或规范性文件", format!("{number}　{title}"), None)
        }
        Source::Review { filed, application } => {
            ("行政复议", format!("{filed}申请{}", about(application)), case(application))
        }
        Source::Lawsuit { filed, application } => {
            ("行政诉讼", format!("{filed}起诉{}", about(application)), case(application))
        }
        Source::Response { date, topic } => {
            ("回应解读", format!("{date}　{}", topic.as_deref().unwrap_or("（未记录主题）")), None)
        }
        Source::Complaint { received, summary } => {
            ("举报投诉", format!("{received}　{summary}"), None)
        }
        Source::Staff { id } => ("工作人员", id.clone(), None),
        Source::Office { name } => ("工作机构", name.clone(), None),
        Source::ReadingPoint { name } => ("查阅场所", name.clone(), None),
        Source::Funding { year } => ("专项经费", format!("{year}年度经费记录"), None),
        Source::Meeting { date, title } => ("会议", format!("{date}　{title}"), None),
        Source::Training { date, title, trainees } => {
            ("培训", format!("{date}　{title}（{trainees}人次）"), None)
        }
        Source::Declared { source } => ("其他系统报送的数据", source.clone(), None),
    };
    SourceLine { kind, text, link }
}

#[derive(Template)]
#[template(path = "staff/cell.html")]
struct CellPage<'a> {
    staff: &'a Staff,
    csrf: &'a str,
    agency: &'a AgencyRow,
    year: i32,
    table: String,
    row: String,
    column: String,
    value: String,
    lines: Vec<SourceLine>,
}

/// The records behind one figure of the year's report: the drill-down from a cell of the preview (and
/// from the dashboard's figures of the year so far).
pub(crate) async fn cell(
    State(state): State<AppState>,
    staff: Staff,
    Path((code, year, table, row, column)): Path<(String, String, String, String, String)>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let agency = state.agency(&code).await?;
    staff
        .require(&state, &agency.code, Need::Read, &format!("report:{}:{year}", agency.code))
        .await?;
    let year = parse_year(&year, state.today())?;
    let records = records::load(state.store(), &agency.code).await?;
    let calendar = state.calendar();
    let last_year =
        gongkai_store::history::last_year(state.store(), &agency.code, year - 1).await?;
    let report = report::build_after(&records, year, None, &calendar, last_year.as_ref()).map_err(
        |err| {
            tracing::error!(error = %err, "building a report failed");
            PageError::Unavailable
        },
    )?;
    let format = report.format.format();
    let key = CellKey::new(&table, &row, &column);
    let sources = derive::sources(&records, year, &calendar);
    let behind = sources.of_cell(format, &key).ok_or(PageError::NotFound)?;
    let table = format.table(&key.table).ok_or(PageError::NotFound)?;
    let (_, row) = table.row(&key.row).ok_or(PageError::NotFound)?;
    let column = table
        .blocks
        .iter()
        .flat_map(|block| &block.columns)
        .find(|column| column.key == key.column)
        .ok_or(PageError::NotFound)?;
    let value = report
        .values
        .get(&key.table, &key.row, &key.column)
        .map_or_else(|| "（未填写）".to_owned(), |value| value.to_string());
    let (token, cookie) = csrf::issue(&headers)?;
    let page = CellPage {
        staff: &staff,
        csrf: &token,
        agency: &agency,
        year,
        table: table.title.clone(),
        row: row.label.clone(),
        column: column.label.clone(),
        value,
        lines: behind.iter().map(source_line).collect(),
    };
    Ok(csrf::with_cookie(Html(page.render()?).into_response(), cookie))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct ReportForm {
    csrf: String,
    version: String,
    action: String,
    section: String,
    text: String,
    phone: String,
    comments: String,
}

fn need_of(action: &str) -> Need {
    match action {
        "approve" | "return" => Need::Review,
        "sign" => Need::Approve,
        _ => Need::Handle,
    }
}

fn workflow_message(err: WorkflowError) -> Result<String, PageError> {
    match err {
        WorkflowError::WrongState { state } => {
            let label = state.map_or("未开始", |state| state.label(false));
            Ok(format!("报告当前状态为“{label}”，不能进行此操作。"))
        }
        WorkflowError::SamePerson { role } => Ok(format!(
            "填报人不能{}自己填报的报告。",
            if role == "review" { "审核" } else { "签发" }
        )),
        WorkflowError::Store(StoreError::Conflict { .. }) => {
            Ok("报告在您打开页面后已被他人更新，请核对后重新操作。".to_owned())
        }
        WorkflowError::Store(err) => Err(err.into()),
    }
}

/// Paragraphs from a text box: separated by blank lines (or single line breaks), trimmed.
fn paragraphs(text: &str) -> Vec<String> {
    text.lines().map(str::trim).filter(|line| !line.is_empty()).map(str::to_owned).collect()
}

/// The form's `version` (the workflow's version when the page was opened), if it is a number.
fn form_version(text: &str) -> Option<i64> {
    text.trim().parse::<i64>().ok()
}

/// A step on the year's report (`action`), answered with the report page and what happened.
pub(crate) async fn act(
    State(state): State<AppState>,
    staff: Staff,
    Path((code, year)): Path<(String, String)>,
    headers: HeaderMap,
    PageForm(form): PageForm<ReportForm>,
) -> Result<Response, PageError> {
    csrf::check(&headers, &form.csrf)?;
    let agency = state.agency(&code).await?;
    authorize(&state, &staff, &agency, &form.action, &year).await?;
    let year = parse_year(&year, state.today())?;
    let action = ReportAction {
        state: &state,
        agency: &agency,
        year,
        format: FormatId::for_year(year).code(),
        actor: staff.actor(),
        username: staff.username.as_str(),
    };
    let shown = match (form.action.as_str(), form_version(&form.version)) {
        ("text", _) => action.save_text(&form).await?,
        ("submit" | "approve" | "return" | "sign" | "publish", None) => {
            Shown::refused("表单版本号无效，请刷新页面后重试。".to_owned())
        }
        ("submit", Some(version)) => action.submit(&form.phone, version).await?,
        ("approve" | "return", Some(version)) => {
            action.review(&form.action, &form.comments, version).await?
        }
        ("sign", Some(version)) => action.sign(version).await?,
        ("publish", Some(version)) => action.publish(version).await?,
        _ => Shown::refused("未知的操作。".to_owned()),
    };
    report_page(&state, &staff, &headers, &agency, year, shown).await
}

/// Requires the role the action needs (refusals audited); the head may publish as the clerk may.
async fn authorize(
    state: &AppState,
    staff: &Staff,
    agency: &AgencyRow,
    action: &str,
    year: &str,
) -> Result<(), PageError> {
    let subject = format!("report:{}:{year}", agency.code);
    let agencies = state.agencies().await?;
    let head_publishes = action == "publish" && staff.may(&agency.code, &agencies, Need::Approve);
    if !head_publishes {
        staff.require(state, &agency.code, need_of(action), &subject).await?;
    }
    Ok(())
}

/// The page's answer to a stored step: its notice, or the workflow's refusal (409 on a conflict).
fn stored_outcome(result: Result<&'static str, WorkflowError>) -> Result<Shown, PageError> {
    match result {
        Ok(notice) => Ok(Shown::Done(notice)),
        Err(err) => {
            let conflict = matches!(err, WorkflowError::Store(StoreError::Conflict { .. }));
            let message = workflow_message(err)?;
            let status =
                if conflict { StatusCode::CONFLICT } else { StatusCode::UNPROCESSABLE_ENTITY };
            Ok(Shown::Refused(status, message))
        }
    }
}

/// Every rendering of the report, as the archive keeps them when it is published.
fn rendered_files(report: &Report) -> Result<Vec<stored::ReportFile>, PageError> {
    let mut files = Vec::new();
    for output in gongkai_render::Output::ALL {
        let data = gongkai_render::render(report, output).map_err(|err| {
            tracing::error!(error = %err, "rendering a report failed");
            PageError::Unavailable
        })?;
        files.push(stored::ReportFile {
            kind: output.extension(),
            media_type: output.media_type(),
            data,
        });
    }
    Ok(files)
}

/// One action on an agency's report of a year, by the signed-in staff member.
struct ReportAction<'a> {
    state: &'a AppState,
    agency: &'a AgencyRow,
    year: i32,
    /// The report format's code, as the workflow stores it.
    format: &'static str,
    actor: Actor<'a>,
    username: &'a str,
}

impl ReportAction<'_> {
    /// Stores the paragraphs written for one of the `WRITTEN` sections.
    async fn save_text(&self, form: &ReportForm) -> Result<Shown, PageError> {
        let Some((_, code, _)) = WRITTEN.iter().find(|(_, code, _)| *code == form.section) else {
            return Ok(Shown::refused("未知的报告部分。".to_owned()));
        };
        if form.text.chars().count() > 20_000 {
            return Ok(Shown::refused("内容过长（每部分不超过20000字）。".to_owned()));
        }
        let result = stored::set_text(
            self.state.store(),
            &self.agency.code,
            self.year,
            code,
            &paragraphs(&form.text),
            &self.actor,
        )
        .await;
        stored_outcome(result.map(|()| "已保存。"))
    }

    /// Submits the report for review, with the clerk's contact phone.
    async fn submit(&self, phone: &str, version: i64) -> Result<Shown, PageError> {
        let phone = phone.trim();
        if phone.is_empty() || phone.chars().count() > 40 {
            return Ok(Shown::refused("请填写联系电话。".to_owned()));
        }
        // Printed on the report: a number dialled from anywhere (issue #20).
        if let Some(problem) = gongkai_core::directory::phone_problem(phone) {
            return Ok(Shown::refused(format!("{problem}。")));
        }
        let submit = Transition::Submit { preparer: self.username, phone };
        stored_outcome(self.transition(version, submit).await.map(|_| "已提交审核。"))
    }

    /// Approves the report, or returns it (`action` is `return`) with the comments a return needs.
    async fn review(&self, action: &str, comments: &str, version: i64) -> Result<Shown, PageError> {
        let comments = comments.trim();
        if action == "return" && comments.is_empty() {
            return Ok(Shown::refused("退回时请写明修改意见。".to_owned()));
        }
        let step = if action == "return" {
            Transition::Return { reviewer: self.username, comments }
        } else {
            Transition::Approve { reviewer: self.username, comments }
        };
        let result = self.transition(version, step).await;
        stored_outcome(result.map(|_| {
            if action == "return" { "已退回填报人修改。" } else { "已审核通过。" }
        }))
    }

    /// Signs the report as the agency's head, never while the engine finds problems in it.
    async fn sign(&self, version: i64) -> Result<Shown, PageError> {
        let workflow = stored::workflow(self.state.store(), &self.agency.code, self.year).await?;
        let report = build(self.state, self.agency, self.year, workflow.as_ref()).await?;
        if !report.findings.is_empty() {
            let message = format!(
                "报告仍有{}处问题（见下方“检查结果”），请退回填报人核对记录后再签发。",
                report.findings.len()
            );
            return Ok(Shown::refused(message));
        }
        let sign = Transition::Sign { head: self.username };
        stored_outcome(self.transition(version, sign).await.map(|_| "已签发。"))
    }

    /// Publishes the signed report at `version`: every rendering frozen in the portal's archive.
    async fn publish(&self, version: i64) -> Result<Shown, PageError> {
        let workflow = stored::workflow(self.state.store(), &self.agency.code, self.year).await?;
        if workflow.as_ref().map(|w| w.version) != Some(version) {
            let message = "报告在您打开页面后已被他人更新，请核对后重新操作。".to_owned();
            return Ok(Shown::Refused(StatusCode::CONFLICT, message));
        }
        let report = build(self.state, self.agency, self.year, workflow.as_ref()).await?;
        let files = rendered_files(&report)?;
        let result = stored::publish_signed(
            self.state.store(),
            &self.agency.code,
            self.year,
            self.format,
            &files,
            &self.actor,
        )
        .await;
        stored_outcome(result.map(|()| "已公开，报告已进入门户网站的年度报告栏目。"))
    }

    /// Asks the store for a workflow step on the report as it was at `version`.
    async fn transition(
        &self,
        version: i64,
        step: Transition<'_>,
    ) -> Result<Workflow, WorkflowError> {
        stored::transition(
            self.state.store(),
            &self.agency.code,
            self.year,
            self.format,
            version,
            step,
            &self.actor,
        )
        .await
    }
}

/// The deadline reminder of the dashboard: last year's report while it is not published.
pub(crate) async fn reminder(
    state: &AppState,
    agency: &AgencyRow,
) -> Result<Option<String>, PageError> {
    let today = state.today();
    let year = today.year() - 1;
    let Some(deadline) = report::publication_deadline(agency.kind, year) else {
        return Ok(None);
    };
    let workflow = stored::workflow(state.store(), &agency.code, year).await?;
    if workflow.as_ref().is_some_and(|w| w.state == ReportState::Published) {
        return Ok(None);
    }
    let days = (deadline - today).whole_days();
    let status = state_label(workflow.as_ref());
    Ok(Some(if days >= 0 {
        format!(
            "{year}年度政府信息公开工作年度报告应于{deadline}前向社会公布（《条例》第四十九条），还有{days}天；当前状态：{status}。"
        )
    } else {
        format!(
            "{year}年度政府信息公开工作年度报告应于{deadline}前向社会公布（《条例》第四十九条），已逾期{}天；当前状态：{status}。",
            -days
        )
    }))
}
