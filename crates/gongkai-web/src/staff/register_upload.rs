//! 台账导入 in the back office: a handler uploads an application register or a catalog list (XLSX or CSV),
//! sees a preview — every problem next to its row, the columns not read, the first rows as read — and
//! confirms; the import then runs in the background (all rows or none, as `gongkai import`), its progress and
//! outcome shown on the upload's page. The file is kept between the preview and the confirmation, and only
//! its uploader confirms it, once.

use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use gongkai_core::calendar::Calendar;
use gongkai_register::{FileKind, Register, RegisterError, Sheet};
use gongkai_store::registers::{self, Upload};
use time::Date;

use super::{Need, Staff};
use crate::error::PageForm;
use crate::{AppState, PageError, csrf};

/// The largest register accepted from the browser (a 100,000-row CSV is about 18 MB).
pub(crate) const UPLOAD_LIMIT: usize = 64 * 1024 * 1024;
/// The registers that may be uploaded.
const KINDS: [&str; 7] =
    ["applications", "catalog", "reviews", "lawsuits", "responses", "trainings", "meetings"];
/// Rows shown in the preview.
const PREVIEW_ROWS: usize = 20;
/// Problems shown in the preview (the rest are counted).
const SHOWN_PROBLEMS: usize = 500;

/// A problem with the row it is in, as the preview shows it.
struct ProblemRow {
    row: usize,
    column: String,
    message: String,
    cells: String,
}

#[derive(Template)]
#[template(path = "staff/registers.html")]
struct RegistersPage<'a> {
    staff: &'a Staff,
    csrf: &'a str,
    code: &'a str,
    name: &'a str,
    uploads: Vec<Upload>,
    /// The upload shown, if any.
    upload: Option<Upload>,
    kind_label: &'static str,
    /// The file could not be read at all, or its columns not mapped.
    unreadable: Vec<String>,
    problems: Vec<ProblemRow>,
    more_problems: usize,
    valid_rows: usize,
    unmapped: Vec<String>,
    headers: Vec<String>,
    preview: Vec<(usize, Vec<String>)>,
    /// Rows written so far and in all, while the import runs here.
    progress: Option<(usize, usize)>,
    outcome: Option<String>,
    /// The import was started and the server stopped while it ran.
    interrupted: bool,
    error: Option<String>,
}

impl RegistersPage<'_> {
    fn kind_name(&self, kind: &str) -> &'static str {
        kind_label(kind)
    }
}

fn register_of(kind: &str) -> Register {
    match kind {
        "catalog" => Register::Catalog,
        "reviews" => Register::Reviews,
        "lawsuits" => Register::Lawsuits,
        "responses" => Register::Responses,
        "trainings" => Register::Trainings,
        "meetings" => Register::Meetings,
        _ => Register::Applications,
    }
}

fn kind_label(kind: &str) -> &'static str {
    register_of(kind).name()
}

/// What a read of the file found, for the preview.
enum Reading {
    Unreadable(Vec<String>),
    Problems(Vec<gongkai_register::Problem>),
    Valid { rows: usize, unmapped: Vec<String>, entries: Entries },
}

enum Entries {
    Applications(Vec<gongkai_register::ApplicationEntry>),
    Catalog(Vec<gongkai_register::CatalogEntry>),
    /// Reviews, lawsuits, responses, trainings or meetings.
    Ledger(gongkai_core::records::Ledger),
}

/// Reads the file on the blocking pool (a large register takes seconds of CPU), with the sheet as the
/// reader located it (for the problems' rows and the preview).
async fn read(state: &AppState, kind: &str, bytes: Vec<u8>) -> Result<(Reading, Sheet), PageError> {
    let (calendar, today, kind) = (state.calendar(), state.today(), kind.to_owned());
    tokio::task::spawn_blocking(move || {
        let sheet = gongkai_register::sheet::read(&bytes, FileKind::detect(&bytes))
            .and_then(|tables| gongkai_register::fields::locate(register_of(&kind), tables))
            .unwrap_or_default();
        (read_now(&calendar, today, &kind, &bytes), sheet)
    })
    .await
    .map_err(|err| {
        tracing::error!(error = %err, "reading a register failed");
        PageError::Unavailable
    })
}

fn read_now(calendar: &Calendar, today: Date, kind: &str, bytes: &[u8]) -> Reading {
    let file_kind = FileKind::detect(bytes);
    let result = if kind == "catalog" {
        gongkai_register::read_catalog(bytes, file_kind, &[])
            .map(|read| (read.entries.len(), read.unmapped, Entries::Catalog(read.entries)))
    } else if let Some(read) =
        gongkai_register::read_ledger(register_of(kind), bytes, file_kind, &[])
    {
        read.map(|(ledger, unmapped)| (ledger.len(), unmapped, Entries::Ledger(ledger)))
    } else {
        gongkai_register::read_applications(bytes, file_kind, &[], calendar, today)
            .map(|read| (read.entries.len(), read.unmapped, Entries::Applications(read.entries)))
    };
    match result {
        Ok((rows, unmapped, entries)) => Reading::Valid { rows, unmapped, entries },
        Err(RegisterError::Rows(problems)) => Reading::Problems(problems),
        Err(RegisterError::Columns(problems)) => Reading::Unreadable(problems),
        Err(RegisterError::TooLarge(why)) => {
            Reading::Unreadable(vec![format!("文件过大（{why}），请拆分后分别导入。")])
        }
        Err(err) => Reading::Unreadable(vec![format!(
            "无法读取该文件：请上传 XLSX 或 CSV（UTF-8 或 GB18030）格式的台账。（{err}）"
        )]),
    }
}

async fn render(
    state: &AppState,
    staff: &Staff,
    headers: &HeaderMap,
    agency: &gongkai_store::agencies::AgencyRow,
    upload: Option<(Upload, Vec<u8>)>,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let mut uploads = registers::uploads(state.store(), &agency.code, 20).await?;
    for listed in &mut uploads {
        listed.uploaded_at = super::china_datetime(&listed.uploaded_at);
    }
    let upload = upload.map(|(mut upload, bytes)| {
        upload.uploaded_at = super::china_datetime(&upload.uploaded_at);
        (upload, bytes)
    });
    let (token, cookie) = csrf::issue(headers)?;
    let mut page = RegistersPage {
        staff,
        csrf: &token,
        code: &agency.code,
        name: &agency.name,
        uploads,
        upload: None,
        kind_label: "",
        unreadable: Vec::new(),
        problems: Vec::new(),
        more_problems: 0,
        valid_rows: 0,
        unmapped: Vec::new(),
        headers: Vec::new(),
        preview: Vec::new(),
        progress: None,
        outcome: None,
        interrupted: false,
        error,
    };
    if let Some((mut upload, bytes)) = upload {
        page.kind_label = kind_label(&upload.kind);
        if upload.started_at.is_some() && !registers::interrupted(&upload) {
            page.progress =
                state.imports().lock().ok().and_then(|map| map.get(&upload.id).copied());
            page.outcome = upload.result.as_deref().map(outcome_text);
        } else {
            if upload.started_at.is_some() {
                // Interrupted (the server stopped while it ran): nothing was written; it may be
                // confirmed again.
                upload.started_at = None;
                page.interrupted = true;
            }
            // The rows as the register reader sees them: the problems' rows and the preview.
            let (reading, sheet) = read(state, &upload.kind, bytes).await?;
            let cells_of = |row: usize| {
                sheet
                    .rows
                    .iter()
                    .find(|(number, _)| *number == row)
                    .map(|(_, cells)| cells.join(" | "))
                    .unwrap_or_default()
            };
            match reading {
                Reading::Unreadable(messages) => page.unreadable = messages,
                Reading::Problems(problems) => {
                    page.more_problems = problems.len().saturating_sub(SHOWN_PROBLEMS);
                    page.problems = problems
                        .into_iter()
                        .take(SHOWN_PROBLEMS)
                        .map(|problem| ProblemRow {
                            cells: cells_of(problem.row),
                            row: problem.row,
                            column: problem.column,
                            message: problem.message,
                        })
                        .collect();
                }
                Reading::Valid { rows, unmapped, .. } => {
                    page.valid_rows = rows;
                    page.unmapped = unmapped;
                    page.headers.clone_from(&sheet.headers);
                    page.preview = sheet.rows.iter().take(PREVIEW_ROWS).cloned().collect();
                }
            }
        }
        page.upload = Some(upload);
    }
    let mut response = (status, Html(page.render()?)).into_response();
    if page.progress.is_some()
        || page
            .upload
            .as_ref()
            .is_some_and(|upload| upload.started_at.is_some() && upload.finished_at.is_none())
    {
        // The page reloads itself while the import runs.
        response.headers_mut().insert("refresh", axum::http::HeaderValue::from_static("2"));
    }
    Ok(csrf::with_cookie(response, cookie))
}

/// The import's outcome as the page says it.
fn outcome_text(result: &str) -> String {
    let value: serde_json::Value = serde_json::from_str(result).unwrap_or_default();
    if let Some(error) = value.get("error").and_then(|error| error.as_str()) {
        return format!("导入失败，未写入任何记录：{error}");
    }
    format!(
        "导入完成：新增{}条，已存在{}条（未重复写入）。",
        value.get("added").and_then(serde_json::Value::as_u64).unwrap_or(0),
        value.get("already_present").and_then(serde_json::Value::as_u64).unwrap_or(0)
    )
}

pub(crate) async fn page(
    State(state): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let agency = staff.agency(&state, &code, Need::Handle).await?;
    render(&state, &staff, &headers, &agency, None, None, StatusCode::OK).await
}

/// The upload `id` of the agency `code`, for a handler of it.
async fn owned(
    state: &AppState,
    staff: &Staff,
    code: &str,
    id: &str,
) -> Result<(gongkai_store::agencies::AgencyRow, Upload, Vec<u8>), PageError> {
    let agency = staff.agency(state, code, Need::Handle).await?;
    let id: i64 = id.parse().map_err(|_| PageError::NotFound)?;
    let (upload, bytes) = registers::upload(state.store(), id).await?.ok_or(PageError::NotFound)?;
    if upload.agency_code != agency.code {
        return Err(PageError::NotFound);
    }
    Ok((agency, upload, bytes))
}

pub(crate) async fn show(
    State(state): State<AppState>,
    staff: Staff,
    Path((code, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let (agency, upload, bytes) = owned(&state, &staff, &code, &id).await?;
    render(&state, &staff, &headers, &agency, Some((upload, bytes)), None, StatusCode::OK).await
}

/// The upload: `csrf`, `kind` and `file` (multipart).
pub(crate) async fn upload(
    State(state): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
    headers: HeaderMap,
    body: Multipart,
) -> Result<Response, PageError> {
    let agency = staff.agency(&state, &code, Need::Handle).await?;
    let mut upload = super::Upload::read(body).await?;
    let file = upload.take_file();
    let (token, kind) = (upload.field("csrf"), upload.field("kind").to_owned());
    csrf::check(&headers, token)?;
    let refuse = |message: &str| Some(message.to_owned());
    let error = match &file {
        _ if !KINDS.contains(&kind.as_str()) => refuse("请选择台账类型。"),
        None => refuse("请选择要导入的文件。"),
        Some((_, data)) if data.is_empty() => refuse("请选择要导入的文件。"),
        Some((name, _))
            if !name.is_empty() && gongkai_register::FileKind::from_name(name).is_none() =>
        {
            refuse("台账须为 XLSX 或 CSV 文件。")
        }
        Some(_) => None,
    };
    if let Some(error) = error {
        return render(
            &state,
            &staff,
            &headers,
            &agency,
            None,
            Some(error),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let Some((name, data)) = file else { return Err(PageError::NotFound) };
    let name: String = name.chars().filter(|c| !c.is_control()).take(200).collect();
    let id =
        registers::stage(state.store(), &agency.code, &kind, &name, &data, &staff.actor()).await?;
    Ok(Redirect::to(&format!("/staff/agencies/{}/registers/{id}", agency.code)).into_response())
}

/// Confirms the import of a previewed upload: only its uploader, once, and only if every row is valid.
pub(crate) async fn confirm(
    State(state): State<AppState>,
    staff: Staff,
    Path((code, id)): Path<(String, String)>,
    headers: HeaderMap,
    PageForm(form): PageForm<super::CsrfForm>,
) -> Result<Response, PageError> {
    csrf::check(&headers, &form.csrf)?;
    let (agency, upload, bytes) = owned(&state, &staff, &code, &id).await?;
    let here = format!("/staff/agencies/{}/registers/{}", agency.code, upload.id);
    if upload.uploaded_by != staff.username {
        let error = Some("只有上传该文件的人员可以确认导入。".to_owned());
        return render(
            &state,
            &staff,
            &headers,
            &agency,
            Some((upload, bytes)),
            error,
            StatusCode::FORBIDDEN,
        )
        .await;
    }
    let (reading, _) = read(&state, &upload.kind, bytes.clone()).await?;
    let Reading::Valid { rows, entries, .. } = reading else {
        let error = Some("该文件有问题，未导入。请修改后重新上传。".to_owned());
        return render(
            &state,
            &staff,
            &headers,
            &agency,
            Some((upload, bytes)),
            error,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    if !registers::start(state.store(), upload.id).await? {
        // A second click, or another tab: the first import is the one.
        return Ok(Redirect::to(&here).into_response());
    }
    if let Ok(mut running) = state.imports().lock() {
        running.insert(upload.id, (0, rows));
    }
    let task_state = state.clone();
    let username = staff.username.clone();
    let address = staff.address.clone();
    let code = agency.code.clone();
    let upload_id = upload.id;
    tokio::spawn(async move {
        let state = task_state;
        let actor = gongkai_store::Actor::new(&username, &address);
        let progress = |written: usize| {
            if let Ok(mut running) = state.imports().lock() {
                running.insert(upload_id, (written, rows));
            }
        };
        let result = match entries {
            Entries::Applications(entries) => {
                let entries = crate::imports::applications(entries);
                registers::import_applications(state.store(), &code, &entries, &actor, &progress)
                    .await
            }
            Entries::Catalog(entries) => {
                let items = crate::imports::catalog_items(entries);
                registers::import_catalog(state.store(), &code, &items, &actor).await
            }
            Entries::Ledger(ledger) => {
                registers::import_ledger(state.store(), &code, &ledger, &actor).await
            }
        };
        let outcome = match result {
            Ok(summary) => {
                serde_json::json!({ "added": summary.added, "already_present": summary.already_present })
            }
            Err(gongkai_store::StoreError::NotFound { what: "application", key }) => {
                serde_json::json!({
                    "error": format!("本单位没有编号为“{key}”的申请，请核对申请编号后重新导入。")
                })
            }
            Err(gongkai_store::StoreError::Duplicate { key, .. }) => serde_json::json!({
                "error": format!("编号“{key}”已被平台上的其他单位使用，请核对后重新导入。")
            }),
            Err(gongkai_store::StoreError::Refused(gongkai_store::Refused::NotInVocabulary {
                message,
                ..
            })) => serde_json::json!({
                "error": format!("{message}。可在“单位设置”中把该写法设为别名后重新导入；未导入任何记录。")
            }),
            Err(err) => {
                tracing::error!(error = %err, upload = upload_id, "register import failed");
                serde_json::json!({ "error": "系统错误，请稍后重试或联系平台管理员。" })
            }
        };
        if let Err(err) = registers::finish(state.store(), upload_id, &outcome.to_string()).await {
            tracing::error!(error = %err, upload = upload_id, "recording a register import's outcome failed");
        }
        if let Ok(mut running) = state.imports().lock() {
            running.remove(&upload_id);
        }
    });
    Ok(Redirect::to(&here).into_response())
}
