//! HTML: one self-contained, printable page with semantic tables (official merged headers, `scope`
//! attributes, `data-cell` addresses for drill-down) and the chart as inline SVG.

use askama::Template;
use gongkai_core::report::rules::Finding;

use crate::grid::Role;
use crate::{DocSection, Document, RenderError, chart};

struct HtmlSection<'a> {
    heading: &'a str,
    paragraphs: &'a [gongkai_core::report::text::Paragraph],
    grids: &'a [crate::grid::Grid],
    chart: bool,
    annex_heading: bool,
}

#[derive(Template)]
#[template(path = "report.html")]
struct Page<'a> {
    title: &'a str,
    agency: &'a str,
    findings: &'a [Finding],
    sections: Vec<HtmlSection<'a>>,
    chart_svg: String,
    chart_caption: &'a str,
    sign_head: &'a str,
    sign_reviewer: &'a str,
    sign_preparer: &'a str,
    sign_phone: &'a str,
    sign_date: &'a str,
    /// Where value cells link to (drill-down), if anywhere.
    cell_links: Option<&'a str>,
    /// A link back to the page the report was opened from (href, label), if any; not printed.
    back: Option<(&'a str, &'a str)>,
}

/// What a rendered page links to beyond itself (the back office's views of a report).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Links<'a> {
    /// Value cells link to `{cells}/{table}/{row}/{column}`.
    pub(crate) cells: Option<&'a str>,
    /// A link back (href, label) above the title.
    pub(crate) back: Option<(&'a str, &'a str)>,
}

pub(crate) fn render(document: &Document<'_>) -> Result<String, RenderError> {
    render_linked(document, Links::default())
}

pub(crate) fn render_linked(
    document: &Document<'_>,
    links: Links<'_>,
) -> Result<String, RenderError> {
    let report = document.report;
    let chart_svg = if document.sections.iter().any(|section| section.chart) {
        chart::svg(&document.chart_title, &report.categories)?
    } else {
        String::new()
    };
    let signature = |index: usize| document.signature[index].1.as_str();
    let page = Page {
        title: &report.title,
        agency: &report.agency.name,
        findings: &report.findings,
        sections: document
            .sections
            .iter()
            .map(|section: &DocSection| HtmlSection {
                heading: &section.heading,
                paragraphs: &section.paragraphs,
                grids: &section.grids,
                chart: section.chart,
                annex_heading: section.annex,
            })
            .collect(),
        chart_svg,
        chart_caption: &document.chart_caption,
        sign_head: signature(0),
        sign_reviewer: signature(1),
        sign_preparer: signature(2),
        sign_phone: signature(3),
        sign_date: signature(4),
        cell_links: links.cells,
        back: links.back,
    };
    Ok(page.render()?)
}
