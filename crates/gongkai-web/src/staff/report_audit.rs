//! 年度报告核查: a supervising office uploads or pastes a published annual report (PDF, HTML, text or DOCX) and
//! sees the findings of `gongkai-audit` highlighted in the tables and in the text; or uploads many at once (a
//! region's reports) and sees one line per report — agency, year, format, read or not and why, findings, the
//! cross-year rules between an agency's consecutive years — with the same as a CSV file. Nothing is stored.

use askama::Template;
use axum::extract::Multipart;
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Response};
use gongkai_audit::{Audit, AuditError, AuditFinding};
use gongkai_core::report::format::FormatId;
use gongkai_render::grid::{self, Role};

use super::Staff;
use super::cases::no_store;
use crate::csrf;
use crate::error::PageError;

/// The most bytes one upload (one report or a batch) may have: a region's reports as PDFs.
pub(crate) const UPLOAD_LIMIT: usize = 64 * 1024 * 1024;

/// The most reports one upload may hold (a county's agencies; the CLI takes a whole folder).
const MAX_BATCH: usize = 50;

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

/// One report of a batch.
struct BatchRow {
    file: String,
    agency: String,
    year: String,
    format: String,
    /// 已读取, or why the table was not read.
    status: String,
    read: bool,
    findings: Vec<FindingView>,
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
    /// For a report whose table was not read: the findings of the prose checked alone.
    prose: Vec<FindingView>,
    batch: Vec<BatchRow>,
}

/// What the page shows below the form.
#[derive(Default)]
struct Shown {
    error: Option<String>,
    result: Option<AuditResult>,
    prose: Vec<FindingView>,
    batch: Vec<BatchRow>,
}

impl Shown {
    fn error(message: impl Into<String>) -> Shown {
        Shown { error: Some(message.into()), ..Shown::default() }
    }
}

fn render(
    staff: &Staff,
    headers: &HeaderMap,
    text: &str,
    format: &str,
    shown: Shown,
) -> Result<Response, PageError> {
    let (token, cookie) = csrf::issue(headers)?;
    let Shown { error, result, prose, batch } = shown;
    let page = AuditPage { staff, csrf: &token, text, format, error, result, prose, batch };
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
    render(&staff, &headers, "", "auto", Shown::default())
}

fn view(audit: &Audit, document: &gongkai_audit::Document) -> AuditResult {
    let definition = audit.definition();
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
    let findings = finding_views(&audit.findings);
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

fn finding_views(findings: &[AuditFinding]) -> Vec<FindingView> {
    findings
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
        .collect()
}

/// Why a report was not audited, in Chinese.
fn reason(err: &AuditError) -> String {
    match err {
        AuditError::Unreadable(reason) => {
            format!("无法读取该文件（{reason}）。请上传 PDF、HTML、TXT 或 DOCX 格式的报告。")
        }
        AuditError::Pdf(problem) => super::history::pdf_problem(problem),
        AuditError::NoTable { not_read, .. } if !not_read.is_empty() => {
            format!("统计表未能确定地读取：{}", not_read.join("；"))
        }
        AuditError::NoTable { .. } => {
            "未在报告中找到政府信息公开情况统计表。请确认上传的是年度报告全文（含统计表）。"
                .to_owned()
        }
    }
}

/// One report audited: the audit with its document, or why not and the findings of its prose alone.
type Audited = Result<(Audit, gongkai_audit::Document), (AuditError, Vec<AuditFinding>)>;

fn audit_one(bytes: &[u8], forced: Option<FormatId>) -> Audited {
    let kind = gongkai_audit::Kind::detect(bytes);
    let document = gongkai_audit::read(bytes, kind).map_err(|err| (err, Vec::new()))?;
    match gongkai_audit::audit_document(&document, kind, forced) {
        Ok(audit) => Ok((audit, document)),
        Err(err @ AuditError::NoTable { .. }) => {
            let prose = gongkai_audit::audit_prose(&document).1;
            Err((err, prose))
        }
        Err(err) => Err((err, Vec::new())),
    }
}

/// Each report audited, then checked against its agency's report of the year before when the batch has it.
fn audit_batch(inputs: &[(String, Vec<u8>)], forced: Option<FormatId>) -> Vec<Audited> {
    let mut audited: Vec<Audited> =
        inputs.iter().map(|(_, bytes)| audit_one(bytes, forced)).collect();
    let extra = gongkai_audit::cross_year_all(
        audited.iter().map(|audited| audited.as_ref().ok().map(|(audit, _)| audit)),
    );
    for (audited, extra) in audited.iter_mut().zip(extra) {
        if let Ok((audit, _)) = audited {
            audit.findings.extend(extra);
        }
    }
    audited
}

fn batch_row(name: &str, audited: &Audited) -> BatchRow {
    match audited {
        Ok((audit, _)) => BatchRow {
            file: name.to_owned(),
            agency: audit.agency.clone().unwrap_or_else(|| "未识别".to_owned()),
            year: audit.year.map_or_else(|| "未识别".to_owned(), |year| year.to_string()),
            format: audit.definition().name.clone(),
            status: "已读取统计表".to_owned(),
            read: true,
            findings: finding_views(&audit.findings),
        },
        Err((err, prose)) => BatchRow {
            file: name.to_owned(),
            agency: String::new(),
            year: String::new(),
            format: String::new(),
            status: if prose.is_empty() {
                reason(err)
            } else {
                format!("{}以下为仅凭正文可作的核对。", reason(err))
            },
            read: false,
            findings: finding_views(prose),
        },
    }
}

/// A CSV cell that a spreadsheet will not run: text starting with = + - @ (or a tab, a return) is a
/// formula to Excel and WPS, so it gets a leading apostrophe (OWASP's CSV injection advice).
fn csv_cell(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

/// The batch as CSV (UTF-8 with BOM, as spreadsheets expect): one line per finding, and one per report
/// without findings or not read.
fn batch_csv(rows: &[BatchRow]) -> Result<Vec<u8>, PageError> {
    let csv_error =
        |err: csv::Error| PageError::Store(gongkai_store::StoreError::InvalidData(err.to_string()));
    let mut writer = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    writer
        .write_record([
            "文件",
            "单位",
            "年度",
            "格式",
            "读取情况",
            "问题数",
            "序号",
            "问题",
            "位置",
            "原文",
            "应为",
            "实为",
            "规则",
        ])
        .map_err(csv_error)?;
    for row in rows {
        let count = row.findings.len().to_string();
        let head = [&row.file, &row.agency, &row.year, &row.format, &row.status, &count];
        if row.findings.is_empty() {
            let record: Vec<String> = head
                .iter()
                .map(|cell| csv_cell(cell))
                .chain(std::iter::repeat_n(String::new(), 7))
                .collect();
            writer.write_record(&record).map_err(csv_error)?;
        }
        for finding in &row.findings {
            let number = finding.number.to_string();
            let tail = [
                &number,
                &finding.description,
                &finding.location,
                &finding.quote,
                &finding.expected,
                &finding.found,
                &finding.rule,
            ];
            let record: Vec<String> = head.iter().chain(&tail).map(|cell| csv_cell(cell)).collect();
            writer.write_record(&record).map_err(csv_error)?;
        }
    }
    writer.into_inner().map_err(|err| {
        PageError::Store(gongkai_store::StoreError::InvalidData(err.error().to_string()))
    })
}

/// Reads the uploads (`file`, one or several) or the pasted text (`text`), audits them and shows the result:
/// one report in full, several as a batch (`output=csv`: the batch as a CSV file).
pub(crate) async fn check(
    staff: Staff,
    headers: HeaderMap,
    body: Multipart,
) -> Result<Response, PageError> {
    let mut upload = super::Upload::read(body).await?;
    let text = upload.field("text").to_owned();
    let format = match upload.field("format") {
        "" => "auto".to_owned(),
        chosen => chosen.to_owned(),
    };
    let csv = upload.field("output") == "csv";
    let token = upload.field("csrf");
    csrf::check(&headers, token)?;
    let forced = match format.as_str() {
        "auto" => None,
        other => match other.parse::<FormatId>() {
            Ok(format) => Some(format),
            Err(_) => {
                return render(&staff, &headers, &text, "auto", Shown::error("请选择报告格式。"));
            }
        },
    };
    let mut inputs: Vec<(String, Vec<u8>)> = upload.take_files();
    if !text.trim().is_empty() {
        inputs.push(("粘贴的文本".to_owned(), text.clone().into_bytes()));
    }
    inputs.retain(|(_, bytes)| !bytes.iter().all(u8::is_ascii_whitespace));
    if inputs.is_empty() {
        let message = "请上传报告文件，或粘贴报告全文。";
        return render(&staff, &headers, &text, &format, Shown::error(message));
    }
    if inputs.len() > MAX_BATCH {
        let message = format!(
            "一次最多核查{MAX_BATCH}份报告，本次上传了{}份。请分批上传，或用命令行核查整个文件夹。",
            inputs.len()
        );
        return render(&staff, &headers, &text, &format, Shown::error(message));
    }
    let (inputs, mut audited) = tokio::task::spawn_blocking(move || {
        let audited = audit_batch(&inputs, forced);
        (inputs, audited)
    })
    .await
    .map_err(|_| PageError::Unavailable)?;
    if csv || inputs.len() > 1 {
        let rows: Vec<BatchRow> = inputs
            .iter()
            .zip(&audited)
            .map(|((name, _), audited)| batch_row(name, audited))
            .collect();
        if csv {
            return Ok((
                [
                    (axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                    (
                        axum::http::header::CONTENT_DISPOSITION,
                        "attachment; filename=\"report-audit.csv\"",
                    ),
                ],
                batch_csv(&rows)?,
            )
                .into_response());
        }
        return render(&staff, &headers, &text, &format, Shown { batch: rows, ..Shown::default() });
    }
    match audited.pop() {
        Some(Ok((audit, document))) => {
            let result = Some(view(&audit, &document));
            render(&staff, &headers, &text, &format, Shown { result, ..Shown::default() })
        }
        Some(Err((err, prose))) => {
            let shown = Shown {
                error: Some(reason(&err)),
                prose: finding_views(&prose),
                ..Shown::default()
            };
            render(&staff, &headers, &text, &format, shown)
        }
        None => Err(PageError::Unavailable),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_csv_cell_a_spreadsheet_would_run_is_quoted() {
        for formula in ["=1+1", "+86 10", "-3", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(csv_cell(formula), format!("'{formula}"));
        }
        assert_eq!(csv_cell("温州市司法局"), "温州市司法局");
        assert_eq!(csv_cell(""), "");
    }
}
