//! XLSX: one sheet per statistics table with the official merged cells and numbers as numbers (not-filled
//! cells stay empty), plus a sheet of proactive items by category with a native pie chart.

use rust_xlsxwriter::{Chart, ChartType, Format, FormatAlign, FormatBorder, Workbook, Worksheet};

use crate::grid::{Grid, Role};
use crate::{Document, RenderError};

fn base() -> Format {
    Format::new()
        .set_border(FormatBorder::Thin)
        .set_text_wrap()
        .set_align(FormatAlign::VerticalCenter)
}

fn format_for(role: Role) -> Format {
    match role {
        Role::Heading | Role::Header => base().set_bold().set_align(FormatAlign::Center),
        Role::Label { level } => base().set_indent(level),
        Role::Unit => base().set_align(FormatAlign::Center),
        Role::Value => {
            base().set_align(FormatAlign::Right).set_num_format("#,##0.####;-#,##0.####;0")
        }
    }
}

/// Sheet names: at most 31 characters, no `[]:*?/\`.
fn sheet_name(grid: &Grid, index: usize) -> String {
    let cleaned: String = grid
        .title
        .chars()
        .filter(|c| !matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\'))
        .take(24)
        .collect();
    format!("{}{}", index + 1, cleaned)
}

fn write_grid(worksheet: &mut Worksheet, grid: &Grid, title: &str) -> Result<(), RenderError> {
    let title_format = Format::new().set_bold().set_align(FormatAlign::Center);
    let last_column = grid.width.saturating_sub(1);
    worksheet.merge_range(0, 0, 0, last_column, title, &title_format)?;
    let offset = 1u32;
    let placements = grid.placements();
    for (row_index, row) in grid.rows.iter().enumerate() {
        for (cell, placement) in row.iter().zip(&placements[row_index]) {
            let first_row = offset + placement.row as u32;
            let first_column = placement.column;
            let last_row = first_row + u32::from(cell.rowspan) - 1;
            let last_column = first_column + cell.colspan - 1;
            let format = format_for(cell.role);
            if cell.colspan > 1 || cell.rowspan > 1 {
                worksheet.merge_range(
                    first_row,
                    first_column,
                    last_row,
                    last_column,
                    "",
                    &format,
                )?;
            }
            match (cell.role, cell.value) {
                (Role::Value, Some(value)) => {
                    let number = value.ten_thousandths() as f64 / 10_000.0;
                    worksheet.write_number_with_format(first_row, first_column, number, &format)?;
                }
                (Role::Value, None) => {
                    worksheet.write_blank(first_row, first_column, &format)?;
                }
                _ => {
                    worksheet.write_string_with_format(
                        first_row,
                        first_column,
                        &cell.text,
                        &format,
                    )?;
                }
            }
        }
    }
    // Column widths in characters, in proportion to the grid's weights.
    for (column, weight) in grid.column_weights().iter().enumerate() {
        worksheet.set_column_width(column as u16, (weight * 9.0).clamp(8.0, 60.0))?;
    }
    Ok(())
}

pub(crate) fn render(document: &Document<'_>) -> Result<Vec<u8>, RenderError> {
    let report = document.report;
    let mut workbook = Workbook::new();
    let grids: Vec<&Grid> = document.sections.iter().flat_map(|section| &section.grids).collect();
    for (index, grid) in grids.iter().enumerate() {
        let worksheet = workbook.add_worksheet();
        worksheet.set_name(sheet_name(grid, index))?;
        write_grid(worksheet, grid, &format!("{}　{}", report.title, grid.title))?;
    }
    if !report.categories.is_empty() {
        let name = "主动公开分类";
        let worksheet = workbook.add_worksheet();
        worksheet.set_name(name)?;
        let header = Format::new().set_bold().set_border(FormatBorder::Thin);
        let cell = Format::new().set_border(FormatBorder::Thin);
        worksheet.write_string_with_format(0, 0, "类别", &header)?;
        worksheet.write_string_with_format(0, 1, "条数", &header)?;
        for (index, (category, count)) in report.categories.iter().enumerate() {
            let row = index as u32 + 1;
            worksheet.write_string_with_format(row, 0, category, &cell)?;
            worksheet.write_number_with_format(row, 1, *count as f64, &cell)?;
        }
        let last = report.categories.len() as u32;
        let mut chart = Chart::new(ChartType::Pie);
        chart.add_series().set_categories((name, 1, 0, last, 0)).set_values((name, 1, 1, last, 1));
        chart.title().set_name(&document.chart_title);
        worksheet.set_column_width(0, 16.0)?;
        worksheet.insert_chart(1, 3, &chart)?;
    }
    Ok(workbook.save_to_buffer()?)
}
