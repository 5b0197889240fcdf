//! Renders a derived annual report ([`gongkai_core::report::Report`]) to HTML, DOCX, XLSX, PDF and JSON.
//!
//! All renderers draw one [`Document`]: the section headings, paragraphs, the tables as [`grid::Grid`]s
//! with the official merged cells, figure 1 (the proactive-disclosure pie chart, [`chart`]) and the signature
//! block. [`letter`] lays out the letters of handling an application. Rendering is in memory (bytes out); writing files is the caller's business.
//!
//! Fonts: a subset of Noto Sans CJK SC (SIL OFL 1.1, `fonts/`) is compiled in, so PDFs and chart images have
//! Chinese glyphs on a machine without CJK fonts.

pub mod chart;
mod csv;
mod docx;
pub mod dossier;
pub mod grid;
mod html;
mod json;
pub mod letter;
mod pdf;
mod text;
mod xlsx;

use std::fmt;
use std::str::FromStr;

use gongkai_core::records::Content;
use gongkai_core::report::format::FormatId;
use gongkai_core::report::text::Paragraph;
use gongkai_core::report::{Report, SignOff};

use grid::Grid;

/// Noto Sans CJK SC Regular, subset (see `fonts/README.md`).
pub const FONT_REGULAR: &[u8] = include_bytes!("../fonts/NotoSansSC-Regular-gongkai.otf");
/// Noto Sans CJK SC Bold, subset.
pub const FONT_BOLD: &[u8] = include_bytes!("../fonts/NotoSansSC-Bold-gongkai.otf");
/// The family name of the embedded fonts.
pub const FONT_FAMILY: &str = "Noto Sans CJK SC";

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    Html,
    Docx,
    Xlsx,
    Pdf,
    Json,
    /// Plain text laid out as reports are copied out of word processors: a table cell per line after a
    /// tab, a blank line after each row (the layout of the founding document).
    Text,
    /// Every value cell of the tables on a line, with its labels and unit.
    Csv,
}

impl Output {
    /// The renderings a published report is archived in.
    pub const ALL: [Output; 5] =
        [Output::Html, Output::Docx, Output::Xlsx, Output::Pdf, Output::Json];
    /// Every rendering.
    pub const EVERY: [Output; 7] = [
        Output::Html,
        Output::Docx,
        Output::Xlsx,
        Output::Pdf,
        Output::Json,
        Output::Text,
        Output::Csv,
    ];

    pub fn extension(self) -> &'static str {
        match self {
            Output::Html => "html",
            Output::Docx => "docx",
            Output::Xlsx => "xlsx",
            Output::Pdf => "pdf",
            Output::Json => "json",
            Output::Text => "txt",
            Output::Csv => "csv",
        }
    }

    /// The format a file name's extension asks for.
    pub fn from_file_name(name: &str) -> Option<Output> {
        let extension = name.rsplit_once('.')?.1.to_ascii_lowercase();
        Output::EVERY.into_iter().find(|output| output.extension() == extension)
    }

    pub fn media_type(self) -> &'static str {
        match self {
            Output::Html => "text/html; charset=utf-8",
            Output::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            Output::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Output::Pdf => "application/pdf",
            Output::Json => "application/json",
            Output::Text => "text/plain; charset=utf-8",
            Output::Csv => "text/csv; charset=utf-8",
        }
    }
}

impl fmt::Display for Output {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.extension())
    }
}

impl FromStr for Output {
    type Err = String;
    fn from_str(text: &str) -> Result<Output, String> {
        Output::EVERY.into_iter().find(|output| output.extension() == text).ok_or_else(|| {
            format!("unknown output `{text}`: expected html, docx, xlsx, pdf, json, txt or csv")
        })
    }
}

/// A rendering failure (a defect or a resource limit, never bad user input: reports are validated upstream).
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("chart: {0}")]
    Chart(String),
    #[error("html: {0}")]
    Html(#[from] askama::Error),
    #[error("docx: {0}")]
    Docx(String),
    #[error("xlsx: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    #[error("pdf: {0}")]
    Pdf(String),
    #[error("json: {0}")]
    Json(#[from] serde_json::Error),
    #[error("csv: {0}")]
    Csv(String),
}

/// A section as printed.
#[derive(Debug, Clone)]
pub struct DocSection {
    /// "一、概述", or "附件：政府信息公开情况统计表（2018年度）".
    pub heading: String,
    pub paragraphs: Vec<Paragraph>,
    pub grids: Vec<Grid>,
    pub chart: bool,
    pub annex: bool,
}

/// The report laid out for printing; every renderer draws this.
#[derive(Debug, Clone)]
pub struct Document<'a> {
    pub report: &'a Report,
    pub sections: Vec<DocSection>,
    pub chart_title: String,
    pub chart_caption: String,
    /// The signature block: (role, value) for 单位负责人, 审核人, 填报人, 联系电话, 填报日期.
    pub signature: Vec<(&'static str, String)>,
}

fn signature(sign_off: &SignOff) -> Vec<(&'static str, String)> {
    let or_blank = |value: &Option<String>| value.clone().unwrap_or_default();
    vec![
        ("单位负责人", or_blank(&sign_off.head)),
        ("审核人", or_blank(&sign_off.reviewer)),
        ("填报人", or_blank(&sign_off.preparer)),
        ("联系电话", or_blank(&sign_off.phone)),
        (
            "填报日期",
            sign_off
                .date
                .map(|date| {
                    format!("{}年{}月{}日", date.year(), u8::from(date.month()), date.day())
                })
                .unwrap_or_default(),
        ),
    ]
}

impl<'a> Document<'a> {
    pub fn new(report: &'a Report) -> Document<'a> {
        let format = report.format.format();
        let year_label = if report.format == FormatId::Pre2019 { "年度" } else { "年" };
        let sections = report
            .sections
            .iter()
            .map(|section| {
                let annex = section.content == Content::Annex;
                let heading = section.heading(report.year);
                let grids = section
                    .tables
                    .iter()
                    .filter_map(|table| format.table(table))
                    .map(|table| grid::grid(table, &report.values))
                    .collect();
                DocSection {
                    heading,
                    paragraphs: section.paragraphs.clone(),
                    grids,
                    chart: section.chart,
                    annex,
                }
            })
            .collect();
        let chart_title = format!("{}{year_label}主动公开政府信息占比图", report.year);
        Document {
            report,
            sections,
            chart_caption: format!("图1　{chart_title}"),
            chart_title,
            signature: signature(&report.sign_off),
        }
    }
}

/// Renders `report` as HTML with every value cell a link to `{cell_links}/{table}/{row}/{column}` (the back
/// office's drill-down from a figure to the records behind it).
pub fn html_with_cell_links(report: &Report, cell_links: &str) -> Result<Vec<u8>, RenderError> {
    let links = html::Links { cells: Some(cell_links), back: None };
    html::render_linked(&Document::new(report), links).map(String::into_bytes)
}

/// Renders `report` as HTML with a link back to `href` (labelled `label`) above its title, not printed:
/// a report opened from a back-office page (a region's roll-up) leads back to it.
pub fn html_with_back(report: &Report, href: &str, label: &str) -> Result<Vec<u8>, RenderError> {
    let links = html::Links { cells: None, back: Some((href, label)) };
    html::render_linked(&Document::new(report), links).map(String::into_bytes)
}

/// Renders `report` as `output`.
pub fn render(report: &Report, output: Output) -> Result<Vec<u8>, RenderError> {
    let document = Document::new(report);
    match output {
        Output::Html => html::render(&document).map(String::into_bytes),
        Output::Docx => docx::render(&document),
        Output::Xlsx => xlsx::render(&document),
        Output::Pdf => pdf::render(&document),
        Output::Json => json::render(report),
        Output::Text => Ok(text::render(&document).into_bytes()),
        Output::Csv => csv::render(report),
    }
}
