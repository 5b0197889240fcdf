//! 审计日志 for platform admins: the audit trail searched by who, what, which record, from where and when
//! (Beijing days), newest first, a page at a time; exported as CSV for a review or a lawsuit (the export is
//! itself audited); and the hash chain verified on request.
//!
//! Only platform admins see it: entries name no agency (a subject is `application:…`, `user:…`, `agency:…`),
//! so the log cannot be cut by agency without reading every record it names.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use gongkai_store::audit::{self, Break, Entry, Verification};
use serde::Deserialize;

use super::{Staff, parse_date};
use crate::error::PageForm;
use crate::{AppState, PageError, csrf};

/// Entries on one page.
const PAGE: u32 = 100;

/// Most entries one export holds (the page says so when a search has more).
const EXPORT_LIMIT: usize = 100_000;

/// Entries an export reads at a time.
const EXPORT_BATCH: u32 = 5_000;

/// Longest log the page verifies within a request: 2,000,000 entries take 14 s on SQLite and the request
/// times out at 30 s (docs/BENCHMARKS.md); a longer log is verified with `gongkai audit-log verify`.
const VERIFY_LIMIT: i64 = 3_000_000;

/// The search as typed; empty fields are no condition.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct AuditQuery {
    #[serde(default)]
    actor: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    address: String,
    /// A request id, as the server's log lines give it.
    #[serde(default)]
    request: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    until: String,
    /// The next page: entries older than this id.
    #[serde(default)]
    before: String,
    /// The form's token, on the export (a POST: the export is itself recorded).
    #[serde(default)]
    csrf: String,
    /// Any value: walk the hash chain.
    #[serde(default)]
    verify: String,
}

impl AuditQuery {
    /// The query's conditions and the errors of its date fields (field, message).
    fn conditions(&self) -> Result<Conditions, Vec<(&'static str, &'static str)>> {
        let mut errors = Vec::new();
        // A Beijing day starts at 16:00 UTC of the day before.
        let mut bound = |field: &'static str, text: &str, day_after: bool| {
            if text.trim().is_empty() {
                return None;
            }
            match parse_date(text) {
                Some(day) => {
                    let day = if day_after { day.next_day() } else { Some(day) };
                    day.and_then(|day| day.previous_day()).map(|day| format!("{day}T16:00:00"))
                }
                None => {
                    errors.push((field, "日期格式应为YYYY-MM-DD。"));
                    None
                }
            }
        };
        let from = bound("from", &self.from, false);
        let until = bound("until", &self.until, true);
        if errors.is_empty() && from.is_some() && until.is_some() && from >= until {
            errors.push(("until", "截止日期不能早于起始日期。"));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let text = |field: &String| Some(field.trim().to_owned()).filter(|text| !text.is_empty());
        Ok(Conditions {
            actor: text(&self.actor),
            action: text(&self.action),
            subject: text(&self.subject),
            address: text(&self.address),
            request: text(&self.request),
            from,
            until,
        })
    }

    /// The search's fields as a query string (for the next page and the export links).
    fn query_string(&self) -> String {
        let mut serializer = form_urlencoded::Serializer::new(String::new());
        for (name, value) in [
            ("actor", &self.actor),
            ("action", &self.action),
            ("subject", &self.subject),
            ("address", &self.address),
            ("request", &self.request),
            ("from", &self.from),
            ("until", &self.until),
        ] {
            if !value.trim().is_empty() {
                serializer.append_pair(name, value.trim());
            }
        }
        serializer.finish()
    }
}

/// The owned conditions of a search, lent to the store as an [`audit::Query`].
#[derive(Debug, Default)]
struct Conditions {
    actor: Option<String>,
    action: Option<String>,
    subject: Option<String>,
    address: Option<String>,
    request: Option<String>,
    from: Option<String>,
    until: Option<String>,
}

impl Conditions {
    fn query(&self, before_id: Option<i64>) -> audit::Query<'_> {
        audit::Query {
            actor: self.actor.as_deref(),
            action: self.action.as_deref(),
            subject: self.subject.as_deref(),
            address: self.address.as_deref(),
            from: self.from.as_deref(),
            until: self.until.as_deref(),
            before_id,
            request: self.request.as_deref(),
        }
    }
}

#[derive(Template)]
#[template(path = "staff/audit_log.html")]
struct AuditLogPage<'a> {
    staff: &'a Staff,
    csrf: &'a str,
    query: &'a AuditQuery,
    errors: Vec<(&'static str, &'static str)>,
    /// The page's entries, their times in Beijing time.
    lines: Vec<Entry>,
    /// The link to the next (older) page, when there may be one.
    older: Option<String>,
    /// The chain's state, when asked for.
    chain: Option<(bool, String)>,
    entries: i64,
    /// The scheduled duties' latest runs.
    duties: Vec<DutyLine>,
}

/// A scheduled duty's latest run as the page shows it.
struct DutyLine {
    name: &'static str,
    /// Beijing time, or "—".
    at: String,
    holder: String,
    /// 正常, 发现问题, 未能完成, or "—" when it has not run.
    result: &'static str,
    /// Whether the result needs the admin's eye.
    alarming: bool,
    detail: String,
}

/// How long an instance's index check is shown after its last run (an instance checks every 10 minutes;
/// one gone for longer is no longer listed).
const INDEX_CHECKS_SHOWN: i64 = 30 * 60;

/// The latest run of each scheduled duty, in words for the page; the index check once per instance that
/// ran it recently, so a healthy instance does not hide another's problem.
async fn duty_lines(
    store: &gongkai_store::Store,
) -> Result<Vec<DutyLine>, gongkai_store::StoreError> {
    use gongkai_store::duties::{self, Run, Status};
    let line = |name: &'static str, run: Run| {
        let (result, alarming) = match run.status {
            Status::Ok => ("正常", false),
            Status::Problem => ("发现问题", true),
            Status::Failed => ("未能完成", true),
        };
        DutyLine {
            name,
            at: unix_in_china(run.finished_at),
            holder: run.holder,
            result,
            alarming,
            detail: run.detail,
        }
    };
    let never = |name: &'static str, detail: &str| DutyLine {
        name,
        at: "—".to_owned(),
        holder: String::new(),
        result: "—",
        alarming: false,
        detail: detail.to_owned(),
    };
    let mut lines = Vec::new();
    for (duty, name, none) in [
        (duties::AUDIT_VERIFY, "哈希链每日校验", "尚未运行：服务启动后自动校验，之后每日一次。"),
        (
            duties::BACKUP,
            "定时备份",
            "未运行：服务启动时未设置备份目录（--backup-dir）时不做定时备份。",
        ),
    ] {
        lines.push(match duties::last(store, duty).await? {
            Some(run) => line(name, run),
            None => never(name, none),
        });
    }
    let since = time::OffsetDateTime::now_utc().unix_timestamp() - INDEX_CHECKS_SHOWN;
    let checks = duties::latest_by_holder(store, duties::INDEX_HEALTH, since).await?;
    if checks.is_empty() {
        lines.push(never("检索索引检查", "近30分钟没有实例报告：各实例每10分钟核对一次。"));
    }
    lines.extend(checks.into_iter().map(|run| line("检索索引检查", run)));
    Ok(lines)
}

/// Unix seconds as Beijing time.
fn unix_in_china(unix: i64) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|at| at.to_offset(gongkai_core::dates::CHINA).format(&format).ok())
        .unwrap_or_else(|| unix.to_string())
}

impl AuditLogPage<'_> {
    fn error_of(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|(at, _)| *at == field).map(|(_, message)| *message)
    }

    /// The action's Chinese name (the code is shown beside it: the search takes codes).
    fn action_name(&self, code: &str) -> String {
        super::audit_labels::action(code)
    }

    fn actor_name(&self, actor: &str) -> String {
        super::audit_labels::actor(actor)
    }
}

/// What the chain check found, in words for the page: intact or not, and the sentence (the scheduled
/// verification keeps the same sentence with its run).
pub fn chain_sentence(verification: &Verification) -> (bool, String) {
    match verification {
        Verification::Intact { entries } => {
            (true, format!("哈希链完整：全部{entries}条记录逐条校验通过，末条与日志头一致。"))
        }
        Verification::Broken { position, id, kind, .. } => {
            let place = match id {
                Some(id) => format!("第{position}条（编号{id}）"),
                None => format!("第{position}条"),
            };
            let what = match kind {
                Break::Unlinked => "与前一条记录不衔接：有记录被删除或顺序被改动",
                Break::Edited => "内容与其哈希值不符：该记录被修改过",
                Break::Truncated { .. } => "日志头记录的条数多于实际：最新的记录被删除",
            };
            (false, format!("哈希链在{place}处断开，{what}。请保全数据库并报告安全管理员。"))
        }
    }
}

/// 审计日志: the search form and a page of entries, or the search as CSV.
pub(crate) async fn page(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    Query(query): Query<AuditQuery>,
) -> Result<Response, PageError> {
    super::admin::require_admin(&state, &staff, "audit_log").await?;
    let conditions = query.conditions();
    let (errors, lines) = match &conditions {
        Ok(conditions) => {
            let before_id = query.before.trim().parse::<i64>().ok();
            let mut entries =
                audit::search(state.store(), &conditions.query(before_id), PAGE).await?;
            for entry in &mut entries {
                entry.at = super::china_datetime(&entry.at);
            }
            (Vec::new(), entries)
        }
        Err(errors) => (errors.clone(), Vec::new()),
    };
    let search = query.query_string();
    let joined = |extra: String| {
        let mut link = format!("/staff/admin/audit?{search}");
        if !search.is_empty() {
            link.push('&');
        }
        link.push_str(&extra);
        link
    };
    let older = match lines.last() {
        Some(last) if lines.len() == PAGE as usize => Some(joined(format!("before={}", last.id))),
        _ => None,
    };
    let entries = audit::entries(state.store()).await?;
    let chain = if query.verify.is_empty() {
        None
    } else if entries > VERIFY_LIMIT {
        Some((
            true,
            format!(
                "日志共{entries}条，超过页面可在限定时间内校验的{VERIFY_LIMIT}条。请由系统管理员在服务器上运行 gongkai audit-log verify 校验。"
            ),
        ))
    } else {
        Some(chain_sentence(&audit::verify(state.store()).await?))
    };
    let (token, cookie) = csrf::issue(&headers)?;
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = AuditLogPage {
        staff: &staff,
        csrf: &token,
        query: &query,
        errors,
        lines,
        older,
        chain,
        entries,
        duties: duty_lines(state.store()).await?,
    };
    Ok(csrf::with_cookie((status, Html(page.render()?)).into_response(), cookie))
}

/// 导出本次查询: the search posted from the page's export form, as CSV. A POST, since the export writes an
/// audit entry (a GET must not change anything: a prefetch or a crawler would write entries).
pub(crate) async fn export_submit(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    PageForm(query): PageForm<AuditQuery>,
) -> Result<Response, PageError> {
    csrf::check(&headers, &query.csrf)?;
    super::admin::require_admin(&state, &staff, "audit_log").await?;
    match query.conditions() {
        Ok(conditions) => export(&state, &staff, &query, &conditions).await,
        // The form's fields come from a search the page accepted; a hand-made post gets the page.
        Err(_) => Err(PageError::BadForm(StatusCode::UNPROCESSABLE_ENTITY)),
    }
}

/// The search as CSV (UTF-8 with BOM, which Excel opens as UTF-8), newest first, at most
/// [`EXPORT_LIMIT`] entries; the export is recorded with its conditions and count.
async fn export(
    state: &AppState,
    staff: &Staff,
    query: &AuditQuery,
    conditions: &Conditions,
) -> Result<Response, PageError> {
    let mut entries: Vec<Entry> = Vec::new();
    let mut before_id = None;
    while entries.len() < EXPORT_LIMIT {
        let batch =
            audit::search(state.store(), &conditions.query(before_id), EXPORT_BATCH).await?;
        let Some(last) = batch.last() else { break };
        before_id = Some(last.id);
        let full = batch.len() == EXPORT_BATCH as usize;
        entries.extend(batch);
        if !full {
            break;
        }
    }
    entries.truncate(EXPORT_LIMIT);
    let mut writer = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    let header = [
        "编号",
        "时间（北京时间）",
        "时间（UTC）",
        "操作人",
        "地址",
        "操作",
        "对象",
        "变更前",
        "变更后",
        "哈希",
        "请求编号",
    ];
    // Writing into memory fails only on a bug; it still answers with the error page, never half a file.
    let csv_error =
        |err: csv::Error| PageError::Store(gongkai_store::StoreError::InvalidData(err.to_string()));
    writer.write_record(header).map_err(csv_error)?;
    for entry in &entries {
        writer
            .write_record([
                entry.id.to_string().as_str(),
                &super::china_datetime(&entry.at),
                &entry.at,
                &entry.actor,
                &entry.address,
                &entry.action,
                &entry.subject,
                entry.before.as_deref().unwrap_or(""),
                entry.after.as_deref().unwrap_or(""),
                &entry.hash,
                entry.request_id.as_deref().unwrap_or(""),
            ])
            .map_err(csv_error)?;
    }
    let body = writer.into_inner().map_err(|err| {
        PageError::Store(gongkai_store::StoreError::InvalidData(err.error().to_string()))
    })?;
    let record = serde_json::json!({
        "search": query.query_string(),
        "entries": entries.len(),
    })
    .to_string();
    staff.record(state, "audit.export", "audit_log", Some(&record)).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"audit-log.csv\""),
        ],
        body,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(from: &str, until: &str) -> AuditQuery {
        AuditQuery { from: from.into(), until: until.into(), ..AuditQuery::default() }
    }

    #[test]
    fn beijing_days_become_utc_bounds() {
        let conditions = query("2026-12-03", "2026-12-03").conditions().unwrap();
        // 2026-12-03 00:00 in Beijing is 2026-12-02 16:00 UTC; the day ends at 2026-12-03 16:00 UTC.
        assert_eq!(conditions.from.as_deref(), Some("2026-12-02T16:00:00"));
        assert_eq!(conditions.until.as_deref(), Some("2026-12-03T16:00:00"));
        // An entry in the first second of the day (stored with a fraction) is inside.
        assert!("2026-12-02T16:00:00.25Z" >= conditions.from.as_deref().unwrap());
        assert!("2026-12-02T15:59:59.99Z" < conditions.from.as_deref().unwrap());
        let new_year = query("2026-01-01", "").conditions().unwrap();
        assert_eq!(new_year.from.as_deref(), Some("2025-12-31T16:00:00"));
        assert_eq!(new_year.until, None);
    }

    #[test]
    fn bad_dates_are_named_next_to_their_field() {
        assert_eq!(
            query("2026-13-01", "明天").conditions().unwrap_err(),
            [("from", "日期格式应为YYYY-MM-DD。"), ("until", "日期格式应为YYYY-MM-DD。")]
        );
        assert_eq!(
            query("2026-12-03", "2026-12-02").conditions().unwrap_err(),
            [("until", "截止日期不能早于起始日期。")]
        );
    }

    #[test]
    fn the_search_carries_over_to_the_next_page_without_empty_fields() {
        let search = AuditQuery {
            actor: " clerk ".into(),
            subject: "application:YSQ2026000001".into(),
            ..AuditQuery::default()
        };
        assert_eq!(search.query_string(), "actor=clerk&subject=application%3AYSQ2026000001");
        let conditions = search.conditions().unwrap();
        assert_eq!(conditions.actor.as_deref(), Some("clerk"));
        assert_eq!(conditions.action, None);
    }
}
