//! 年度报告核查: a supervising office uploads or pastes a published annual report (PDF, HTML, text or DOCX) and
//! sees the findings of `gongkai-audit` highlighted in the tables and in the text. Nothing is stored.

use askama::Template;
use axum::extract::Multipart;
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Response};
use gongkai_audit::{Audit, AuditError};
use gongkai_core::report::format::FormatId;
use gongkai_render::grid::{self, Role};

use super::Staff;
use super::cases::no_store;
use crate::csrf;
use crate::error::PageError;

/// The largest report accepted (a DOCX with pictures).
pub(crate) const UPLOAD_LIMIT: usize = 20 * 1024 * 1024;

struct CellView {
    text: String,
    colspan: u16,
    rowspan: u16,
    header: bool,
    /// A value cell left empty in the report (not filled, which is not 0).
    not_filled: bool,
    /// The findings this cell takes part in, as a tooltip; empty when none.
    flagged: String,
}

struct TableView {
    title: String,
    rows: Vec<Vec<CellView>>,
    notes: Vec<String>,
}

struct FindingView {
    number: usize,
    description: String,
    location: String,
    quote: String,
    expected: String,
    found: String,
    rule: String,
}

/// A paragraph as sentences, each marked when a finding quotes it.
struct ParagraphView {
    sentences: Vec<(String, bool)>,
}

struct AuditResult {
    summary: String,
    findings: Vec<FindingView>,
    tables: Vec<TableView>,
    paragraphs: Vec<ParagraphView>,
}

#[derive(Template)]
#[template(path = "staff/audit.html")]
struct AuditPage<'a> {
    staff: &'a Staff,
    csrf: &'a str,
    text: &'a str,
    format: &'a str,
    error: Option<String>,
    result: Option<AuditResult>,
}

fn render(
    staff: &Staff,
    headers: &HeaderMap,
    text: &str,
    format: &str,
    error: Option<String>,
    result: Option<AuditResult>,
) -> Result<Response, PageError> {
    let (token, cookie) = csrf::issue(headers)?;
    let page = AuditPage { staff, csrf: &token, text, format, error, result };
    let status = if page.error.is_some() {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    };
    let mut response = no_store(csrf::with_cookie(Html(page.render()?).into_response(), cookie));
    *response.status_mut() = status;
    Ok(response)
}

pub(crate) async fn form(staff: Staff, headers: HeaderMap) -> Result<Response, PageError> {
    render(&staff, &headers, "", "auto", None, None)
}

fn view(audit: &Audit, document: &gongkai_audit::Document) -> AuditResult {
    let definition = audit.format.format();
    let mut flagged: std::collections::HashMap<String, Vec<String>> =
        std::collections::HashMap::new();
    for (index, finding) in audit.findings.iter().enumerate() {
        for cell in &finding.cells {
            flagged.entry(cell.to_string()).or_default().push(format!(
                "{}. {}",
                index + 1,
                finding.description
            ));
        }
    }
    let tables = audit
        .tables
        .iter()
        .filter_map(|parsed| definition.table(&parsed.id).map(|table| (parsed, table)))
        .map(|(parsed, table)| {
            let laid_out = grid::grid(table, &audit.mapping.values);
            let rows = laid_out
                .rows
                .iter()
                .map(|row| {
                    row.iter()
                        .map(|cell| CellView {
                            text: cell.text.clone(),
                            colspan: cell.colspan,
                            rowspan: cell.rowspan,
                            header: !matches!(cell.role, Role::Value | Role::Unit),
                            not_filled: cell.key.is_some() && cell.value.is_none(),
                            flagged: cell
                                .key
                                .as_ref()
                                .and_then(|key| flagged.get(&key.to_string()))
                                .map(|notes| notes.join("；"))
                                .unwrap_or_default(),
                        })
                        .collect()
                })
                .collect();
            let mut notes: Vec<String> = parsed
                .unmatched_rows
                .iter()
                .map(|row| format!("表中另有本格式没有的行：{row}"))
                .collect();
            notes.extend(parsed.missing_rows.iter().map(|row| format!("表中缺少“{row}”行")));
            TableView { title: parsed.title.clone(), rows, notes }
        })
        .collect();
    let quotes: Vec<&str> =
        audit.findings.iter().filter_map(|finding| finding.quote.as_deref()).collect();
    let paragraphs = document
        .paragraphs
        .iter()
        .map(|paragraph| ParagraphView {
            sentences: gongkai_audit::prose::sentences(paragraph)
                .into_iter()
                .map(|sentence| {
                    let folded = gongkai_audit::normalize::fold(sentence.trim());
                    let marked = quotes.iter().any(|quote| {
                        folded == *quote || (!quote.is_empty() && folded.contains(quote))
                    });
                    (sentence, marked)
                })
                .collect(),
        })
        .collect();
    let findings = audit
        .findings
        .iter()
        .enumerate()
        .map(|(index, finding)| FindingView {
            number: index + 1,
            description: finding.description.clone(),
            location: finding.location.clone(),
            quote: finding.quote.clone().unwrap_or_default(),
            expected: finding.expected.clone().unwrap_or_default(),
            found: finding.found.clone().unwrap_or_default(),
            rule: finding.rule.clone(),
        })
        .collect();
    let summary = format!(
        "{}{}，按{}（{}）核查，发现问题{}项。",
        audit.agency.as_deref().unwrap_or("未识别单位"),
        audit
            .year
            .map(|year| format!("{year}年度报告"))
            .unwrap_or_else(|| "报告（未识别年度）".to_owned()),
        definition.name,
        definition.notice,
        audit.findings.len()
    );
    AuditResult { summary, findings, tables, paragraphs }
}

/// Reads the upload (`file`) or the pasted text (`text`), audits it and shows the result.
pub(crate) async fn check(
    staff: Staff,
    headers: HeaderMap,
    body: Multipart,
) -> Result<Response, PageError> {
    let mut upload = super::Upload::read(body).await?;
    let file: Vec<u8> = upload.file.take().map(|(_, data)| data).unwrap_or_default();
    let text = upload.field("text").to_owned();
    let format = match upload.field("format") {
        "" => "auto".to_owned(),
        chosen => chosen.to_owned(),
    };
    let token = upload.field("csrf");
    csrf::check(&headers, token)?;
    let forced = match format.as_str() {
        "auto" => None,
        other => match other.parse::<FormatId>() {
            Ok(format) => Some(format),
            Err(_) => {
                return render(
                    &staff,
                    &headers,
                    &text,
                    "auto",
                    Some("请选择报告格式。".to_owned()),
                    None,
                );
            }
        },
    };
    let bytes = if file.is_empty() { text.clone().into_bytes() } else { file };
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return render(
            &staff,
            &headers,
            &text,
            &format,
            Some("请上传报告文件，或粘贴报告全文。".to_owned()),
            None,
        );
    }
    let outcome = tokio::task::spawn_blocking(move || {
        let kind = gongkai_audit::Kind::detect(&bytes);
        let document = gongkai_audit::read(&bytes, kind)?;
        let audit = gongkai_audit::audit_document(&document, kind, forced)?;
        Ok::<_, AuditError>(view(&audit, &document))
    })
    .await
    .map_err(|_| PageError::Unavailable)?;
    match outcome {
        Ok(result) => render(&staff, &headers, &text, &format, None, Some(result)),
        Err(err) => {
            let message = match err {
                AuditError::Unreadable(reason) => {
                    format!(
                        "无法读取该文件（{reason}）。请上传 PDF、HTML、TXT 或 DOCX 格式的报告。"
                    )
                }
                AuditError::Pdf(problem) => super::history::pdf_problem(&problem),
                AuditError::NoTable { .. } => {
                    "未在报告中找到政府信息公开情况统计表。请确认上传的是年度报告全文（含统计表）。"
                        .to_owned()
                }
            };
            render(&staff, &headers, &text, &format, Some(message), None)
        }
    }
}
