//! 历史报告 in the back office: the annual reports an agency published before the platform, uploaded with
//! their year (PDF, DOCX or HTML) into its archive. Each is read by the auditor on upload: its findings are
//! shown to staff, and its table's figures kept so that the first year on the platform is checked against
//! the year before. A file that is not a report, or whose title names another year, is refused.

use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use gongkai_store::history::{self, Reading};

use super::{Need, Staff};
use crate::{AppState, PageError, csrf};

/// The largest report accepted.
pub(crate) const UPLOAD_LIMIT: usize = 30 * 1024 * 1024;

/// The media type of a report file by its content: PDF, DOCX or HTML; `None` for anything else.
fn media_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if bytes.starts_with(b"PK\x03\x04") {
        Some("application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    } else if gongkai_audit::Kind::detect(bytes) == gongkai_audit::Kind::Html {
        Some("text/html; charset=utf-8")
    } else {
        None
    }
}

/// Why a PDF cannot be read, in Chinese (a sentence).
pub(crate) fn pdf_problem(problem: &gongkai_audit::PdfProblem) -> String {
    use gongkai_audit::PdfProblem;
    match problem {
        PdfProblem::Encrypted => "该 PDF 设有打开密码，无法读取。".to_owned(),
        PdfProblem::Damaged => "该 PDF 文件已损坏，无法读取。".to_owned(),
        PdfProblem::Truncated => "该 PDF 文件不完整（可能下载中断），请重新下载。".to_owned(),
        PdfProblem::Scanned => "该 PDF 为扫描件（没有文字层），不能自动识别文字。".to_owned(),
        PdfProblem::NoText => "该 PDF 没有文字内容。".to_owned(),
        PdfProblem::Unmapped(percent) => {
            format!("该 PDF 有{percent}%的文字在字体中没有编码对照，无法可靠读取。")
        }
        PdfProblem::TooManyPages(pages) => format!("该 PDF 共{pages}页，不像年度报告。"),
        PdfProblem::TooLarge => "该 PDF 的文字或线条远多于年度报告，未能完整读取。".to_owned(),
    }
}

/// What the auditor reads of an uploaded report of `year`, or why it is refused (in Chinese).
pub(crate) fn read(bytes: &[u8], year: i32) -> Result<(&'static str, Reading), String> {
    let media_type = media_type(bytes)
        .ok_or_else(|| "只能上传 PDF、Word（DOCX）或网页（HTML）格式的年度报告。".to_owned())?;
    let kind = gongkai_audit::Kind::detect(bytes);
    let document = match gongkai_audit::read(bytes, kind) {
        Ok(document) => document,
        // A PDF cut short or damaged is not the report as published: refused.
        Err(gongkai_audit::AuditError::Pdf(
            problem @ (gongkai_audit::PdfProblem::Truncated | gongkai_audit::PdfProblem::Damaged),
        )) => return Err(format!("{}未保存。", pdf_problem(&problem))),
        // Any other PDF that cannot be read with certainty (a scan, a password) is still the report as
        // published: kept, not checked.
        Err(gongkai_audit::AuditError::Pdf(problem)) => {
            return Ok((
                media_type,
                Reading {
                    unread: Some(format!("{}已存入档案，未能核查。", pdf_problem(&problem))),
                    ..Reading::default()
                },
            ));
        }
        Err(_) => {
            return Err(
                "无法读取该文件，请确认是完整的 PDF、Word（DOCX）或网页（HTML）文件。".to_owned()
            );
        }
    };
    let mentions = document.paragraphs.iter().any(|paragraph| paragraph.contains("政府信息公开"));
    match gongkai_audit::audit_document(&document, kind, None) {
        Ok(audit) => {
            if let Some(stated) = audit.year.filter(|stated| *stated != year) {
                return Err(format!("该报告标题为{stated}年度，与所选的{year}年度不符，未保存。"));
            }
            let findings = serde_json::to_string(&audit.findings).unwrap_or_else(|_| "[]".to_owned());
            Ok((
                media_type,
                Reading {
                    format: Some(audit.format),
                    figures: Some(audit.mapping.values.clone()),
                    findings: Some(findings),
                    unread: None,
                },
            ))
        }
        Err(_) if !mentions => Err(
            "该文件不像政府信息公开工作年度报告（没有“政府信息公开”字样，也没有统计表格），未保存。".to_owned(),
        ),
        Err(_) => Ok((
            media_type,
            Reading {
                unread: Some("未能找到可识别的统计表格，已存入档案，未能核查。".to_owned()),
                ..Reading::default()
            },
        )),
    }
}

/// [`read`] on the blocking pool (the auditor reads up to 30 MB), the bytes handed back with its answer.
async fn read_blocking(
    data: Vec<u8>,
    year: i32,
) -> Result<Result<(&'static str, Reading, Vec<u8>), String>, PageError> {
    tokio::task::spawn_blocking(move || {
        read(&data, year).map(|(media_type, reading)| (media_type, reading, data))
    })
    .await
    .map_err(|err| {
        tracing::error!(error = %err, "reading a history report failed");
        PageError::Unavailable
    })
}

/// The upload: `csrf`, `year`, `file` (multipart). Answers with the reports page and what happened.
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
    let (token, year_text) = (upload.field("csrf"), upload.field("year"));
    csrf::check(&headers, token)?;
    let this_year = state.today().year();
    let outcome: Result<String, String> = match (year_text.trim().parse::<i32>(), file) {
        (Ok(year), _) if !(2008..this_year).contains(&year) => {
            Err(format!("年度应在2008至{}之间。", this_year - 1))
        }
        (Err(_), _) => Err("请填写报告年度。".to_owned()),
        (_, None) => Err("请选择报告文件。".to_owned()),
        (_, Some((_, data))) if data.is_empty() => Err("请选择报告文件。".to_owned()),
        (Ok(year), Some((name, data))) => match read_blocking(data, year).await? {
            Err(message) => Err(message),
            Ok((media_type, reading, data)) => {
                let name: String = name.chars().filter(|c| !c.is_control()).take(200).collect();
                history::put(
                    state.store(),
                    &agency.code,
                    year,
                    &name,
                    media_type,
                    &data,
                    &reading,
                    &staff.actor(),
                )
                .await?;
                Ok(match &reading.unread {
                    Some(why) => format!("已存入{year}年度历史报告。{why}"),
                    None => format!("已存入{year}年度历史报告，并已核查（见下表）。"),
                })
            }
        },
    };
    super::reports::list_page(&state, &staff, &headers, &agency, Some(outcome)).await
}

/// A finding as the page shows it.
struct FindingLine {
    description: String,
    location: String,
    expected: String,
    found: String,
    quote: String,
}

#[derive(Template)]
#[template(path = "staff/history.html")]
struct FindingsPage<'a> {
    staff: &'a Staff,
    csrf: &'a str,
    code: &'a str,
    name: &'a str,
    year: i32,
    findings: Vec<FindingLine>,
}

/// The auditor's findings on the history report of `year`.
pub(crate) async fn findings(
    State(state): State<AppState>,
    staff: Staff,
    Path((code, year)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let agency = staff.agency(&state, &code, Need::Read).await?;
    let year: i32 = year.parse().map_err(|_| PageError::NotFound)?;
    let json =
        history::findings(state.store(), &agency.code, year).await?.ok_or(PageError::NotFound)?;
    let values: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap_or_default();
    let text = |value: &serde_json::Value, key: &str| {
        value.get(key).and_then(serde_json::Value::as_str).unwrap_or_default().to_owned()
    };
    let findings = values
        .iter()
        .map(|value| FindingLine {
            description: text(value, "description"),
            location: text(value, "location"),
            expected: text(value, "expected"),
            found: text(value, "found"),
            quote: text(value, "quote"),
        })
        .collect();
    let (token, cookie) = csrf::issue(&headers)?;
    let page = FindingsPage {
        staff: &staff,
        csrf: &token,
        code: &agency.code,
        name: &agency.name,
        year,
        findings,
    };
    Ok(csrf::with_cookie((StatusCode::OK, Html(page.render()?)).into_response(), cookie))
}
