//! PDF through Typst: a static template (`templates/report.typ`) lays out the document given as JSON, with
//! the embedded CJK fonts (subset into the PDF) and Typst's Chinese line breaking (`lang: "zh"`).

use serde::Serialize;
use typst_as_lib::TypstEngine;
use typst_layout::PagedDocument;

use crate::grid::{Grid, Role};
use crate::{Document, FONT_BOLD, FONT_REGULAR, RenderError, chart};

const TEMPLATE: &str = include_str!("../templates/report.typ");

#[derive(Serialize)]
struct PdfCell<'a> {
    text: &'a str,
    colspan: u16,
    rowspan: u16,
    role: &'static str,
    level: u8,
}

#[derive(Serialize)]
struct PdfGrid<'a> {
    title: &'a str,
    header_rows: usize,
    /// Relative column widths: label columns wider than value columns.
    columns: Vec<f64>,
    rows: Vec<Vec<PdfCell<'a>>>,
}

#[derive(Serialize)]
struct PdfParagraph<'a> {
    text: &'a str,
}

#[derive(Serialize)]
struct PdfSection<'a> {
    heading: &'a str,
    paragraphs: Vec<PdfParagraph<'a>>,
    grids: Vec<PdfGrid<'a>>,
    chart: bool,
    annex: bool,
}

#[derive(Serialize)]
struct PdfData<'a> {
    title: &'a str,
    agency: &'a str,
    chart_caption: &'a str,
    sections: Vec<PdfSection<'a>>,
    signature: &'a [(&'static str, String)],
}

fn pdf_grid(grid: &Grid) -> PdfGrid<'_> {
    PdfGrid {
        title: &grid.title,
        header_rows: grid.header_rows,
        columns: grid.column_weights(),
        rows: grid
            .rows
            .iter()
            .map(|row| {
                row.iter()
                    .map(|cell| {
                        let (role, level) = match cell.role {
                            Role::Heading => ("heading", 0),
                            Role::Header => ("header", 0),
                            Role::Label { level } => ("label", level),
                            Role::Unit => ("unit", 0),
                            Role::Value => ("value", 0),
                        };
                        PdfCell {
                            text: &cell.text,
                            colspan: cell.colspan,
                            rowspan: cell.rowspan,
                            role,
                            level,
                        }
                    })
                    .collect()
            })
            .collect(),
    }
}

pub(crate) fn render(document: &Document<'_>) -> Result<Vec<u8>, RenderError> {
    let report = document.report;
    let data = PdfData {
        title: &report.title,
        agency: &report.agency.name,
        chart_caption: &document.chart_caption,
        sections: document
            .sections
            .iter()
            .map(|section| PdfSection {
                heading: &section.heading,
                paragraphs: section
                    .paragraphs
                    .iter()
                    .map(|paragraph| PdfParagraph { text: &paragraph.text })
                    .collect(),
                grids: section.grids.iter().map(pdf_grid).collect(),
                chart: section.chart,
                annex: section.annex,
            })
            .collect(),
        signature: &document.signature,
    };
    let json = serde_json::to_vec(&data)?;
    let mut files: Vec<(&str, Vec<u8>)> = vec![("data.json", json)];
    if document.sections.iter().any(|section| section.chart) {
        files.push(("chart.png", chart::png(&document.chart_title, &report.categories)?));
    }
    let files: Vec<(&str, &[u8])> =
        files.iter().map(|(name, data)| (*name, data.as_slice())).collect();
    typst_to_pdf(TEMPLATE, &files)
}

/// A Typst template compiled to PDF with the embedded CJK fonts and the files it reads (`json(…)`,
/// `image(…)`) given by name; Typst's diagnostics as the error.
pub(crate) fn typst_to_pdf(
    template: &str,
    files: &[(&str, &[u8])],
) -> Result<Vec<u8>, RenderError> {
    let engine = TypstEngine::builder()
        .main_file(template)
        .fonts([FONT_REGULAR, FONT_BOLD])
        .with_static_file_resolver(files.iter().copied())
        .build();
    let compiled: PagedDocument =
        engine.compile().output.map_err(|err| RenderError::Pdf(err.to_string()))?;
    let mut pdf =
        typst_pdf::pdf(&compiled, &typst_pdf::PdfOptions::default()).map_err(|diagnostics| {
            let messages: Vec<String> =
                diagnostics.iter().map(|diagnostic| diagnostic.message.to_string()).collect();
            RenderError::Pdf(messages.join("; "))
        })?;
    blank_suspects_false(&mut pdf);
    Ok(pdf)
}

/// The catalog's `/MarkInfo` entry `/Suspects false` blanked out with spaces (same length, so every offset
/// of the file stays right). `false` is the entry's default, so the document says the same; poppler (22.12,
/// Debian's) reports an error for the entry when it is `false` ("Syntax Error: Suspects object is wrong type
/// (boolean)"), which every reader of our PDFs with pdftotext or pdfinfo saw (issue #20). Only an entry written
/// as Typst writes it, once, outside any stream, is touched.
fn blank_suspects_false(pdf: &mut [u8]) {
    const ENTRY: &[u8] = b"/MarkInfo<</Marked true/Suspects false>>";
    let found: Vec<usize> = pdf
        .windows(ENTRY.len())
        .enumerate()
        .filter(|(_, window)| *window == ENTRY)
        .map(|(at, _)| at)
        .collect();
    if let [at] = found[..] {
        let suspects = at + b"/MarkInfo<</Marked true".len();
        pdf[suspects..suspects + b"/Suspects false".len()].fill(b' ');
    }
}
