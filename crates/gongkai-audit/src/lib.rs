//! Auditing published annual reports: read a report as HTML, plain text, DOCX or PDF, find its statistics
//! tables and map them onto an official format (tolerating the label variants, annotations, merged cells,
//! full-width digits, units and empty marks of hand-made reports), check the tables with the format's own
//! rules ([`gongkai_core::report::rules`]) and the prose against the tables ([`prose`]).
//!
//! Pure: bytes in, findings out. Reading files and printing belong to the caller (the CLI, the web page).

pub mod document;
pub mod mapping;
pub mod normalize;
pub mod prose;
mod read;

use gongkai_core::report::format::{FormatId, RuleKind, Severity};
use gongkai_core::report::rules;
use gongkai_core::report::values::CellKey;
use serde::Serialize;

pub use document::Document;
pub use mapping::{Mapping, ParsedTable};

/// Why a file cannot be audited.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuditError {
    #[error("cannot read the file: {0}")]
    Unreadable(String),
    #[error("cannot read the PDF: {0}")]
    Pdf(PdfProblem),
    #[error("no statistics table of the {format} format found ({reason})")]
    NoTable {
        format: String,
        reason: String,
        /// Tables found but left unread, with why, in Chinese (a reading whose columns disagree …).
        not_read: Vec<String>,
    },
}

/// Why a PDF cannot be read with certainty (nothing of it is then used).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PdfProblem {
    #[error("it is encrypted with a password; publish or upload an unprotected copy")]
    Encrypted,
    #[error("it is damaged and could not be repaired")]
    Damaged,
    #[error("it is truncated (no end-of-file marker); download it again")]
    Truncated,
    #[error("it has no text layer (scanned pages); text recognition (OCR) is not done")]
    Scanned,
    #[error("it has no text")]
    NoText,
    #[error("{0}% of its characters have no Unicode mapping in their fonts (no ToUnicode map)")]
    Unmapped(u8),
    #[error("it has {0} pages; a report has at most {max}", max = read::pdf::MAX_PAGES)]
    TooManyPages(usize),
    #[error("it draws more text or lines than a report does; it was not read whole")]
    TooLarge,
}

/// What kind of file a report is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Html,
    Text,
    Docx,
    Pdf,
}

impl Kind {
    /// From the content: a PDF header (within the first kilobyte, as readers accept it) is PDF, a zip
    /// container is DOCX, markup (a whole page or a fragment starting with a block tag) is HTML, anything
    /// else text.
    pub fn detect(bytes: &[u8]) -> Kind {
        if bytes.starts_with(b"PK\x03\x04") {
            return Kind::Docx;
        }
        if bytes[..bytes.len().min(1024)].windows(5).any(|window| window == b"%PDF-") {
            return Kind::Pdf;
        }
        let head = String::from_utf8_lossy(&bytes[..bytes.len().min(2048)]).to_ascii_lowercase();
        let head = head.trim_start_matches('\u{feff}').trim_start();
        // A fragment as a site's CMS stores a report (`<p>…</p><table>…`, no `<html>`) is HTML too.
        let fragment = head.starts_with('<')
            && ["<p", "<div", "<span", "<br", "<h1", "<h2", "<section", "<article"]
                .iter()
                .any(|tag| head.starts_with(tag));
        if head.starts_with("<!doctype html")
            || head.starts_with("<html")
            || head.contains("<table")
            || head.contains("<body")
            || fragment
        {
            Kind::Html
        } else {
            Kind::Text
        }
    }
}

/// Reads a report file into paragraphs and tables.
pub fn read(bytes: &[u8], kind: Kind) -> Result<Document, AuditError> {
    match kind {
        Kind::Docx => read::docx::read(bytes),
        Kind::Pdf => read::pdf::read(bytes),
        Kind::Html | Kind::Text => {
            let text = std::str::from_utf8(bytes).map_err(|err| {
                AuditError::Unreadable(format!(
                    "not UTF-8 text (byte {}); save the report as UTF-8",
                    err.valid_up_to()
                ))
            })?;
            let text = text.trim_start_matches('\u{feff}');
            if kind == Kind::Html { read::html::read(text) } else { Ok(read::text::read(text)) }
        }
    }
}

/// Which part of the report a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// A rule of the format broken inside the tables.
    Table,
    /// A cell that is not a number.
    Cell,
    /// A figure of the prose against the tables or against itself.
    Prose,
    /// The report's structure (its parts, the year of its plans).
    Structure,
}

/// One finding, in Chinese for the reader of the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditFinding {
    pub kind: FindingKind,
    /// The rule's id (a format rule such as `stats.received_by_channel`, or `prose.*`).
    pub rule: String,
    pub description: String,
    /// Where: the table with row and column, or the paragraph.
    pub location: String,
    /// The sentence, for prose.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quote: Option<String>,
    pub expected: Option<String>,
    pub found: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cells: Vec<CellKey>,
}

/// A report audited.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Audit {
    pub kind: Kind,
    pub format: FormatId,
    /// The report year read from the title, if it names one.
    pub year: Option<i32>,
    pub title: Option<String>,
    /// The agency as the title names it (the text before the year).
    pub agency: Option<String>,
    pub tables: Vec<ParsedTable>,
    pub findings: Vec<AuditFinding>,
    #[serde(skip)]
    pub mapping: Mapping,
}

impl Audit {
    /// The table definition the report was read in: its format's, or a local table of that era.
    pub fn definition(&self) -> &'static gongkai_core::report::format::Format {
        self.mapping.definition
    }
}

/// Below this share of a format's value rows, the file has no table of that format.
const MIN_COVERAGE: f64 = 0.3;

/// Audits a report given as bytes: `format` forces a format, otherwise the best-matching one is used.
pub fn audit(bytes: &[u8], format: Option<FormatId>) -> Result<Audit, AuditError> {
    let kind = Kind::detect(bytes);
    let document = read(bytes, kind)?;
    audit_document(&document, kind, format)
}

/// Audits a document already read.
pub fn audit_document(
    document: &Document,
    kind: Kind,
    format: Option<FormatId>,
) -> Result<Audit, AuditError> {
    let year = prose::report_year(&document.paragraphs);
    let mapping = match format {
        Some(format) => mapping::map(document, format),
        None => mapping::detect(document, year),
    };
    if document.tables.is_empty() || mapping.coverage < MIN_COVERAGE {
        let apart = numbers_apart(document);
        let mut not_read: Vec<String> =
            mapping.tables.iter().flat_map(|table| table.not_read.iter().cloned()).collect();
        if apart {
            not_read.push(
                "表格的项目名称与数字被分开（按阅读顺序从PDF复制出的文本），无法确定每个数字所属的单元格；                 请核查PDF原件，或用 pdftotext -layout 生成的文本"
                    .to_owned(),
            );
        }
        return Err(AuditError::NoTable {
            not_read,
            format: format
                .map_or_else(|| "pre2019, 2019 or 2021".to_owned(), |format| format.to_string()),
            reason: if apart {
                // Pairing them by the format's order is not safe: on the corpus's pdftotext copies the
                // count of numbers matched the table's cells exactly while their order did not (6 of 7).
                "its table's labels and numbers are apart (text copied out of a PDF in reading order), and \
                 which number is which cell cannot be told with certainty; audit the PDF itself, or text \
                 made with `pdftotext -layout`"
                    .to_owned()
            } else if document.tables.is_empty() {
                "the file has no table".to_owned()
            } else {
                format!(
                    "the best match, {}, has only {:.0}% of its rows",
                    mapping.format,
                    mapping.coverage * 100.0
                )
            },
        });
    }
    let definition = mapping.definition;
    let mut findings: Vec<AuditFinding> = mapping
        .unreadable
        .iter()
        .map(|cell| AuditFinding {
            kind: FindingKind::Cell,
            rule: "cell.number".to_owned(),
            description: "单元格不是数字".to_owned(),
            location: cell.location.clone(),
            quote: None,
            expected: Some("数字，或留空表示未填报".to_owned()),
            found: Some(cell.text.clone()),
            cells: vec![cell.key.clone()],
        })
        .collect();
    findings.extend(rules::check(definition, &mapping.values, None).into_iter().map(|finding| {
        AuditFinding {
            kind: FindingKind::Table,
            rule: finding.rule,
            description: finding.description,
            location: finding.location,
            quote: None,
            expected: Some(finding.expected.to_string()),
            found: Some(finding.found.to_string()),
            cells: finding.cells,
        }
    }));
    let unreadable: Vec<CellKey> = mapping.unreadable.iter().map(|cell| cell.key.clone()).collect();
    findings.extend(prose::check(
        &document.paragraphs,
        definition,
        &mapping.values,
        &unreadable,
        year,
    ));
    let title = document.paragraphs.iter().take(5).find(|p| p.contains("报告")).cloned();
    let agency = agency_of(&document.paragraphs, year);
    Ok(Audit {
        kind,
        format: mapping.format,
        year,
        title,
        agency,
        tables: mapping.tables.clone(),
        findings,
        mapping,
    })
}

/// The cross-year rules of the format that are certain (上年结转 = last year's 结转下年度继续办理) between `this` report and `last`, the same agency's report of the year before; `None`
/// when they are not of one agency and consecutive years (the agency and year read from their titles), since
/// figures of two agencies or of years apart are not carried over.
pub fn cross_year(this: &Audit, last: &Audit) -> Option<Vec<AuditFinding>> {
    let consecutive =
        matches!((this.year, last.year), (Some(year), Some(before)) if year == before + 1);
    // The agency as each title itself names it: a name taken from the line above a title can be a portal's
    // heading shared by every agency of a region.
    let named = |audit: &Audit| {
        audit
            .agency
            .as_ref()
            .filter(|agency| {
                audit.title.as_ref().is_some_and(|title| title.contains(agency.as_str()))
            })
            .map(|agency| normalize::label_key(agency))
    };
    let same_agency =
        matches!((named(this), named(last)), (Some(agency), Some(other)) if agency == other);
    if !consecutive || !same_agency {
        return None;
    }
    // Last year's values are found by table, row and column: a year read in another kind of table (the
    // 2018 report's table against 2019's) has none of the cells the rules name, and nothing is compared.
    let definition = this.mapping.definition;
    let cross_year: Vec<&str> = definition
        .rules
        .iter()
        // Only what the table cannot have otherwise: a stock carried on by a convention the table does not
        // prove (a warning of the format, such as 现行有效件数 continued) is not shown as a contradiction.
        .filter(|rule| {
            rule.severity == Severity::Error
                && matches!(rule.kind, RuleKind::CrossYear { .. } | RuleKind::CrossYearFlow { .. })
        })
        .map(|rule| rule.id.as_str())
        .collect();
    let before = last.year.map_or_else(String::new, |year| year.to_string());
    let findings = rules::check(definition, &this.mapping.values, Some(&last.mapping.values))
        .into_iter()
        .filter(|finding| cross_year.contains(&finding.rule.as_str()))
        .map(|finding| AuditFinding {
            kind: FindingKind::Table,
            rule: finding.rule,
            description: format!("{}（与{before}年报告核对）", finding.description),
            location: finding.location,
            quote: None,
            expected: Some(finding.expected.to_string()),
            found: Some(finding.found.to_string()),
            cells: finding.cells,
        })
        .collect();
    Some(findings)
}

/// Whether the text has a table's numbers as lines of their own, apart from its labels: twenty lines or
/// more that are a bare number.
fn numbers_apart(document: &Document) -> bool {
    document
        .paragraphs
        .iter()
        .filter(|paragraph| {
            let text = paragraph.trim();
            !text.is_empty() && text.chars().all(|c| c.is_ascii_digit() || c == '.')
        })
        .count()
        >= 20
}

/// For each audit, the findings of the cross-year rules against its agency's report of the year before among
/// `audits` ([`cross_year`]) — none when there is no such report, or more than one (which would be guessing).
pub fn cross_year_all<'a>(
    audits: impl Iterator<Item = Option<&'a Audit>> + Clone,
) -> Vec<Vec<AuditFinding>> {
    audits
        .clone()
        .enumerate()
        .map(|(index, this)| {
            let Some(this) = this else { return Vec::new() };
            let mut pairs = audits
                .clone()
                .enumerate()
                .filter(|(other, _)| *other != index)
                .filter_map(|(_, last)| last.and_then(|last| cross_year(this, last)));
            match (pairs.next(), pairs.next()) {
                (Some(findings), None) => findings,
                _ => Vec::new(),
            }
        })
        .collect()
}

/// The prose checks that need no table, for a whole report whose table could not be read or that has none
/// ([`prose::check_without_table`]): a file given to the auditor is a whole report, so the checks of its
/// parts and of its plans' year run too. The year is the title's; the format, the year's.
pub fn audit_prose(document: &Document) -> (Option<i32>, Vec<AuditFinding>) {
    let year = prose::report_year(&document.paragraphs);
    let format = year.map_or(FormatId::F2021, FormatId::for_year);
    // Text copied out of a PDF in reading order has the table's row labels as lines among the paragraphs
    // ("二、上年结转政府信息公开申请数量"): its sections cannot be told from them.
    let whole = (!numbers_apart(document)).then_some(year);
    (year, prose::check_without_table(&document.paragraphs, format, whole))
}

/// The checks of [`audit_prose`] that a part of a report can be given (an opening kept by a search
/// engine): not those that need the whole report (its parts against its headings, the year of its plans).
pub fn audit_opening(document: &Document) -> (Option<i32>, Vec<AuditFinding>) {
    let year = prose::report_year(&document.paragraphs);
    let format = year.map_or(FormatId::F2021, FormatId::for_year);
    (year, prose::check_without_table(&document.paragraphs, format, None))
}

/// The agency from the title: the text before the report year ("温州市司法局2018年度…"), or the line
/// before a title that starts with the year.
fn agency_of(paragraphs: &[String], year: Option<i32>) -> Option<String> {
    let year = year?.to_string();
    let head: Vec<&String> = paragraphs.iter().take(5).collect();
    let index = head
        .iter()
        .position(|paragraph| paragraph.contains(&year) && paragraph.contains("报告"))?;
    let before = head[index].split(&year).next().unwrap_or("").trim();
    if !before.is_empty() {
        return Some(before.to_owned());
    }
    // "2025年上海市人民政府办公厅政府信息公开工作年度报告": the agency between the year and the report's name.
    let after = head[index].split_once(&year).map_or("", |(_, after)| after);
    let after = after.trim_start_matches('年').trim_start_matches('度');
    if let Some((agency, _)) = after.split_once("政府信息公开")
        && !agency.trim().is_empty()
        && agency.chars().count() <= 40
    {
        return Some(agency.trim().to_owned());
    }
    let previous = index.checked_sub(1).map(|previous| head[previous].trim())?;
    (!previous.is_empty() && previous.chars().count() <= 40).then(|| previous.to_owned())
}

#[cfg(test)]
mod tests {
    use super::agency_of;

    #[test]
    fn the_agency_is_read_before_or_after_the_year_of_the_title() {
        let agency = |title: &str| agency_of(&[title.to_owned()], Some(2025));
        assert_eq!(
            agency("温州市司法局2025年度政府信息公开工作年度报告").as_deref(),
            Some("温州市司法局")
        );
        // Review finding: with the agency after the year, none was found, so no cross-year check ran.
        assert_eq!(
            agency("2025年上海市人民政府办公厅政府信息公开工作年度报告").as_deref(),
            Some("上海市人民政府办公厅")
        );
        assert_eq!(agency("2025年政府信息公开工作年度报告"), None);
    }
}
