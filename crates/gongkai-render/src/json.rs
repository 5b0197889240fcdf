//! JSON: the format id, the table cell by cell with its labels, the narrative and the findings.

use gongkai_core::report::Report;
use serde::Serialize;

use crate::RenderError;

#[derive(Serialize)]
struct Cell<'a> {
    table: &'a str,
    row: &'a str,
    column: &'a str,
    row_label: &'a str,
    column_label: &'a str,
    unit: Option<&'a str>,
    /// `null` when not filled.
    value: Option<gongkai_core::report::values::Quantity>,
}

#[derive(Serialize)]
struct JsonReport<'a> {
    format: &'a str,
    format_name: &'a str,
    notice: &'a str,
    year: i32,
    title: &'a str,
    agency: &'a gongkai_core::records::Agency,
    cells: Vec<Cell<'a>>,
    categories: &'a [(String, u64)],
    sections: &'a [gongkai_core::report::text::SectionText],
    findings: &'a [gongkai_core::report::rules::Finding],
    record_problems: &'a [String],
}

pub(crate) fn render(report: &Report) -> Result<Vec<u8>, RenderError> {
    let format = report.format.format();
    let mut cells = Vec::new();
    for table in &format.tables {
        for (_, row, column) in table.value_cells() {
            cells.push(Cell {
                table: &table.id,
                row: &row.key,
                column: &column.key,
                row_label: &row.label,
                column_label: &column.label,
                unit: row.unit.as_deref().or(column.unit.as_deref()),
                value: report.values.get(&table.id, &row.key, &column.key),
            });
        }
    }
    let document = JsonReport {
        format: report.format.code(),
        format_name: &format.name,
        notice: &format.notice,
        year: report.year,
        title: &report.title,
        agency: &report.agency,
        cells,
        categories: &report.categories,
        sections: &report.sections,
        findings: &report.findings,
        record_problems: &report.record_problems,
    };
    Ok(serde_json::to_vec_pretty(&document)?)
}
