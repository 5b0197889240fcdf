//! Recording the rest of the year (台账): responses and interpretations, reviews and lawsuits with their
//! results, complaints, staff, funding, meetings and trainings, and the figures of the report that come from
//! other systems (which cells those are is read from the year's report format).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use gongkai_core::records::{CaseResult, ComplaintResult, ResponseKind};
use gongkai_core::report::derive::cell_measure;
use gongkai_core::report::format::FormatId;
use gongkai_core::report::values::Quantity;
use gongkai_store::StoreError;
use gongkai_store::agencies::AgencyRow;
use gongkai_store::ledger::{self, Entry, Line};
use serde::Deserialize;
use time::Date;

use super::{Need, Staff, parse_date};
use crate::error::PageForm;
use crate::{AppState, PageError, csrf};

const RESPONSE_KINDS: [(ResponseKind, &str, &str); 5] = [
    (ResponseKind::PressConference, "press_conference", "新闻发布会"),
    (ResponseKind::OnlineInterview, "online_interview", "在线访谈"),
    (ResponseKind::Interpretation, "interpretation", "政策解读稿件"),
    (ResponseKind::WeiboWechat, "weibo_wechat", "微博微信回应事件"),
    (ResponseKind::Other, "other", "其他方式"),
];

const RESULTS: [(CaseResult, &str, &str); 3] = [
    (CaseResult::Upheld, "upheld", "维持（驳回）"),
    (CaseResult::Corrected, "corrected", "纠正"),
    (CaseResult::Other, "other", "其他结果"),
];

/// A review's or lawsuit's result as staff read it (`code` as stored).
pub(crate) fn result_label(code: &str) -> &'static str {
    match ComplaintResult::from_code(code) {
        Some(result) => result.label(),
        None => RESULTS
            .iter()
            .find(|(_, known, _)| *known == code)
            .map_or("其他结果", |(_, _, label)| label),
    }
}

/// Each ledger's kind (as stored and as the audit trail names it, `ledger.<kind>`) and its name.
pub(crate) const KIND_LABELS: [(&str, &str); 9] = [
    ("response", "回应解读"),
    ("review", "行政复议"),
    ("lawsuit", "行政诉讼"),
    ("complaint", "举报投诉"),
    ("meeting", "会议"),
    ("training", "培训"),
    ("staff", "工作人员"),
    ("funding", "专项经费"),
    ("declared", "其他系统数据"),
];

/// The response kind of its code (`press_conference`, …).
pub(crate) fn response_kind(code: &str) -> Option<ResponseKind> {
    RESPONSE_KINDS.iter().find(|(_, known, _)| *known == code).map(|(kind, _, _)| *kind)
}

/// The report cells of `year`'s format whose figures come from other systems: (measure, label).
pub(crate) fn declarable(year: i32) -> Vec<(String, String)> {
    let mut cells = Vec::new();
    for table in &FormatId::for_year(year).format().tables {
        for (_, row, column) in table.value_cells() {
            let Some(row_measure) = row.measure.as_deref() else { continue };
            if !row_measure.starts_with("declared.") {
                continue;
            }
            let unit = column.unit.as_deref().or(row.unit.as_deref()).unwrap_or("");
            // A column that names its unit already ("本年收费金额（单位：万元）") is not given it twice.
            let label = if unit.is_empty() || column.label.contains(unit) {
                format!("{}：{}", row.label, column.label)
            } else {
                format!("{}：{}（{unit}）", row.label, column.label)
            };
            cells.push((cell_measure(row_measure, &column.measure), label));
        }
    }
    cells
}

#[derive(Template)]
#[template(path = "staff/ledger.html")]
struct LedgerPage<'a> {
    staff: &'a Staff,
    csrf: &'a str,
    agency: &'a AgencyRow,
    year: i32,
    groups: Vec<(&'static str, &'static str, Vec<Line>)>,
    can_handle: bool,
    response_kinds: &'static [(ResponseKind, &'static str, &'static str)],
    results: &'static [(CaseResult, &'static str, &'static str)],
    /// What handling a complaint can find: (code, label).
    complaint_results: [(&'static str, &'static str); 3],
    declarable: Vec<(String, String)>,
    today: String,
    error: Option<(String, String)>,
    notice: Option<&'static str>,
    form: LedgerForm,
}

impl LedgerPage<'_> {
    fn error_in(&self, form: &str) -> Option<&str> {
        self.error.as_ref().filter(|(at, _)| at == form).map(|(_, message)| message.as_str())
    }

    /// The entry the `form` of its kind is correcting: its id and how it reads.
    fn replacing(&self, form: &str) -> Option<(String, String)> {
        if self.form.form != form || self.form.replaces.is_empty() {
            return None;
        }
        let id: i64 = self.form.replaces.trim().parse().ok()?;
        self.groups
            .iter()
            .filter(|(kind, _, _)| *kind == form)
            .flat_map(|(_, _, lines)| lines)
            .find(|line| line.id == id)
            .map(|line| (id.to_string(), format!("{} {}", line.day, line.text)))
    }

    /// What was typed in `field` of `form` when it comes back with an error.
    fn kept(&self, form: &str, field: &str) -> &str {
        if self.error.as_ref().is_some_and(|(at, _)| at == form) {
            self.form.value(field)
        } else {
            ""
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct YearQuery {
    year: String,
    /// `kind:id` of an entry to correct: its kind's form replaces it.
    correct: String,
}

fn year_of(text: &str, today: Date) -> i32 {
    text.parse::<i32>()
        .ok()
        .filter(|year| (2008..=today.year()).contains(year))
        .unwrap_or(today.year())
}

async fn ledger_page(
    state: &AppState,
    staff: &Staff,
    headers: &HeaderMap,
    agency: &AgencyRow,
    year: i32,
    outcome: (StatusCode, Option<(String, String)>, Option<&'static str>),
    form: LedgerForm,
) -> Result<Response, PageError> {
    let mut lines = ledger::lines(state.store(), &agency.code, year).await?;
    // Codes as the clerk reads them.
    let cells = declarable(year);
    for line in &mut lines {
        if line.kind == "declared"
            && let Some((measure, label)) =
                cells.iter().find(|(measure, _)| line.text.starts_with(&format!("{measure}＝")))
        {
            line.text = line.text.replacen(measure.as_str(), label, 1);
        }
        if let Some((result, _)) = line.decided.as_mut() {
            *result = result_label(result).to_owned();
        }
        if line.kind == "response"
            && let Some((_, code, label)) =
                RESPONSE_KINDS.iter().find(|(_, code, _)| line.text.starts_with(code))
        {
            line.text = line.text.replacen(code, label, 1);
        }
    }
    let groups = KIND_LABELS
        .iter()
        .map(|(kind, label)| {
            (*kind, *label, lines.iter().filter(|line| line.kind == *kind).cloned().collect())
        })
        .collect();
    let agencies = state.agencies().await?;
    let (token, cookie) = csrf::issue(headers)?;
    let (status, error, notice) = outcome;
    let page = LedgerPage {
        staff,
        csrf: &token,
        agency,
        year,
        groups,
        can_handle: staff.may(&agency.code, &agencies, Need::Handle),
        response_kinds: &RESPONSE_KINDS,
        results: &RESULTS,
        complaint_results: ComplaintResult::ALL.map(|result| (result.code(), result.label())),
        declarable: cells,
        today: state.today().to_string(),
        error,
        notice,
        form,
    };
    Ok(csrf::with_cookie((status, Html(page.render()?)).into_response(), cookie))
}

pub(crate) async fn page(
    State(state): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
    Query(query): Query<YearQuery>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let agency = staff.agency(&state, &code, Need::Read).await?;
    let year = year_of(&query.year, state.today());
    let outcome = (StatusCode::OK, None, None);
    let mut form = LedgerForm::default();
    if let Some((kind, id)) = query.correct.split_once(':') {
        form.form = kind.to_owned();
        form.replaces = id.to_owned();
    }
    ledger_page(&state, &staff, &headers, &agency, year, outcome, form).await
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub(crate) struct LedgerForm {
    csrf: String,
    year: String,
    form: String,
    day: String,
    kind: String,
    topic: String,
    head_attended: String,
    application: String,
    after_review: String,
    as_review_organ: String,
    summary: String,
    title: String,
    trainees: String,
    label: String,
    full_time: String,
    amount: String,
    measure: String,
    value: String,
    source: String,
    id: String,
    result: String,
    handling: String,
    /// The id of the entry this one corrects (of the same kind as `form`).
    replaces: String,
}

impl LedgerForm {
    fn value(&self, field: &str) -> &str {
        match field {
            "day" => &self.day,
            "topic" => &self.topic,
            "application" => &self.application,
            "summary" => &self.summary,
            "title" => &self.title,
            "trainees" => &self.trainees,
            "label" => &self.label,
            "amount" => &self.amount,
            "value" => &self.value,
            "source" => &self.source,
            "handling" => &self.handling,
            _ => "",
        }
    }
}

/// What a ledger form records: an entry, or the decision of a review or lawsuit already recorded.
enum Record<'f> {
    Entry(Entry<'f>),
    Decision {
        kind: &'static str,
        id: i64,
        result: CaseResult,
        decided: Date,
    },
    /// An entry recorded by mistake, removed.
    Removal {
        kind: &'static str,
        id: i64,
    },
    /// A staff member's last day in post.
    Left {
        id: i64,
        on: Date,
    },
    /// How a complaint was concluded.
    Concluded {
        id: i64,
        result: ComplaintResult,
        on: Date,
        handling: &'f str,
    },
}

/// What the page says once `form` is recorded.
fn done_message(form: &str) -> &'static str {
    match form {
        "remove" => "已删除，删除记录已写入审计日志。",
        "left" => "已登记离岗。",
        "conclude" => "已登记办结。",
        _ => "已登记。",
    }
}

/// Reads the ledger form into what it records; the message is shown in the form that was sent.
fn record<'f>(form: &'f LedgerForm, today: Date, year: i32) -> Result<Record<'f>, String> {
    let day = || match parse_date(&form.day) {
        Some(day) if day > today => Err("日期不能晚于今天。".to_owned()),
        Some(day) => Ok(day),
        None => Err("请填写日期（格式：2026-11-27）。".to_owned()),
    };
    let text = |value: &str, message: &str| {
        if value.trim().is_empty() || value.chars().count() > 500 {
            Err(message.to_owned())
        } else {
            Ok(())
        }
    };
    let entry = match form.form.as_str() {
        "response" => Entry::Response {
            day: day()?,
            kind: response_kind(&form.kind).ok_or_else(|| "请选择回应方式。".to_owned())?,
            topic: &form.topic,
            head_attended: !form.head_attended.is_empty(),
        },
        "review" => Entry::Review { filed: day()?, application: &form.application },
        "lawsuit" => Entry::Lawsuit {
            filed: day()?,
            application: &form.application,
            after_review: !form.after_review.is_empty(),
            as_review_organ: !form.as_review_organ.is_empty(),
        },
        "decide" => {
            let decided = day()?;
            let result = RESULTS
                .iter()
                .find(|(_, code, _)| *code == form.result)
                .map(|(result, _, _)| *result)
                .ok_or_else(|| "请选择结果。".to_owned())?;
            let id: i64 = form.id.parse().map_err(|_| "未知的案件。".to_owned())?;
            let kind = if form.kind == "lawsuit" { "lawsuit" } else { "review" };
            return Ok(Record::Decision { kind, id, result, decided });
        }
        "remove" => {
            let kind = ledger::REMOVABLE
                .into_iter()
                .find(|kind| *kind == form.kind)
                .ok_or_else(|| "未知的登记事项。".to_owned())?;
            let id: i64 = form.id.parse().map_err(|_| "未知的登记事项。".to_owned())?;
            return Ok(Record::Removal { kind, id });
        }
        "conclude" => {
            let on = day()?;
            let result = ComplaintResult::from_code(&form.result)
                .ok_or_else(|| "请选择核查结果。".to_owned())?;
            text(&form.handling, "请填写处理情况。")?;
            let id: i64 = form.id.parse().map_err(|_| "未知的举报投诉。".to_owned())?;
            return Ok(Record::Concluded { id, result, on, handling: &form.handling });
        }
        "left" => {
            let on = day()?;
            let id: i64 = form.id.parse().map_err(|_| "未知的工作人员。".to_owned())?;
            return Ok(Record::Left { id, on });
        }
        "complaint" => {
            let received = day()?;
            text(&form.summary, "请填写举报投诉的内容摘要。")?;
            Entry::Complaint { received, summary: &form.summary, application: &form.application }
        }
        "meeting" => {
            let day = day()?;
            text(&form.title, "请填写名称。")?;
            Entry::Meeting { day, title: &form.title }
        }
        "training" => {
            let day = day()?;
            text(&form.title, "请填写名称。")?;
            let trainees: u32 =
                form.trainees.trim().parse().map_err(|_| "请填写培训人次（整数）。".to_owned())?;
            Entry::Training { day, title: &form.title, trainees }
        }
        "staff" => {
            let from = day()?;
            text(&form.label, "请填写工作人员（姓名或岗位）。")?;
            Entry::Staff { label: &form.label, full_time: !form.full_time.is_empty(), from }
        }
        "funding" => {
            let amount = Quantity::parse(&form.amount)
                .ok()
                .filter(|amount| amount.ten_thousandths() >= 0)
                .ok_or_else(|| "请填写金额（万元，最多四位小数）。".to_owned())?;
            Entry::Funding { year, amount_wan_yuan: amount }
        }
        "declared" => {
            if !declarable(year).iter().any(|(measure, _)| *measure == form.measure) {
                return Err("请选择报告中的项目。".to_owned());
            }
            let value = Quantity::parse(&form.value)
                .ok()
                .filter(|value| value.ten_thousandths() >= 0)
                .ok_or_else(|| "请填写数值（不小于0）。".to_owned())?;
            text(&form.source, "请注明数据来源（如：省行政执法监督平台）。")?;
            Entry::Declared { year, measure: &form.measure, value, source: &form.source }
        }
        _ => return Err("未知的登记事项。".to_owned()),
    };
    Ok(Record::Entry(entry))
}

pub(crate) async fn add(
    State(state): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
    headers: HeaderMap,
    PageForm(form): PageForm<LedgerForm>,
) -> Result<Response, PageError> {
    csrf::check(&headers, &form.csrf)?;
    let agency = staff.agency(&state, &code, Need::Handle).await?;
    let today = state.today();
    let year = year_of(&form.year, today);
    let actor = staff.actor();
    let result = match record(&form, today, year) {
        Err(message) => Err(message),
        Ok(record) => {
            let stored = match record {
                Record::Entry(entry) => match form.replaces.trim().parse::<i64>() {
                    Ok(id) => {
                        ledger::correct(
                            state.store(),
                            &agency.code,
                            entry.kind(),
                            id,
                            &entry,
                            &actor,
                        )
                        .await
                    }
                    Err(_) => ledger::add(state.store(), &agency.code, &entry, &actor).await,
                },
                Record::Decision { kind, id, result, decided } => {
                    ledger::decide(state.store(), &agency.code, kind, id, result, decided, &actor)
                        .await
                }
                Record::Removal { kind, id } => {
                    ledger::remove(state.store(), &agency.code, kind, id, &actor).await
                }
                Record::Left { id, on } => {
                    ledger::staff_left(state.store(), &agency.code, id, on, &actor).await
                }
                Record::Concluded { id, result, on, handling } => {
                    ledger::conclude_complaint(
                        state.store(),
                        &agency.code,
                        id,
                        result,
                        on,
                        handling,
                        &actor,
                    )
                    .await
                }
            };
            match stored {
                Ok(()) => Ok(()),
                Err(StoreError::NotFound { what: "application", key }) => {
                    Err(format!("本单位没有申请编号为“{key}”的申请。"))
                }
                Err(StoreError::NotFound { what: "ledger entry", .. }) => {
                    Err("本单位没有这条登记，可能已被删除。".to_owned())
                }
                Err(StoreError::NotFound {
                    what: "open complaint received before that day",
                    ..
                }) => Err("该举报投诉已办结，或办结日期早于收到日期。".to_owned()),
                Err(StoreError::NotFound { what: "staff member in post on that day", .. }) => {
                    Err("该人员在这一天不在岗（尚未到岗或已登记离岗）。".to_owned())
                }
                Err(StoreError::NotFound { .. }) => {
                    Err("未找到该案件，或结果日期早于立案日期。".to_owned())
                }
                Err(other) => {
                    tracing::error!(error = %other, "recording a ledger entry failed");
                    Err("保存失败，请稍后再试。".to_owned())
                }
            }
        }
    };
    let outcome = match result {
        Ok(()) => (StatusCode::OK, None, Some(done_message(&form.form))),
        Err(message) => {
            (StatusCode::UNPROCESSABLE_ENTITY, Some((form.form.clone(), message)), None)
        }
    };
    ledger_page(&state, &staff, &headers, &agency, year, outcome, form).await
}

#[cfg(test)]
mod tests {
    use super::declarable;

    #[test]
    fn a_declared_cells_label_names_its_unit_once() {
        let labels: Vec<String> = declarable(2024).into_iter().map(|(_, label)| label).collect();
        // Issue #20: "行政事业性收费：本年收费金额（单位：万元）（万元）".
        assert!(
            labels.contains(&"行政事业性收费：本年收费金额（单位：万元）".to_owned()),
            "{labels:?}"
        );
        assert!(labels.contains(&"行政许可：本年处理决定数量（件）".to_owned()), "{labels:?}");
        assert!(labels.iter().all(|label| !label.contains("（万元）（万元）")), "{labels:?}");
    }
}
