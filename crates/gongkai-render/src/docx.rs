//! DOCX (`Office Open XML`) with the official table layout: merged header and label cells, the chart, and
//! the signature block. Opens in Word, WPS and LibreOffice.

use docx_rs::{
    AlignmentType, BreakType, Docx, PageMargin, Paragraph, Pic, Run, RunFonts, SpecialIndentType,
    Table, TableCell, TableLayoutType, TableRow, VAlignType, VMergeType, WidthType,
};

use crate::grid::{Grid, Role, Slot};
use crate::{Document, FONT_FAMILY, RenderError, chart};

/// A4 text width with 2.5 cm margins, in twentieths of a point.
const TEXT_WIDTH_TWIPS: usize = 11_906 - 2 * 1_417;
/// English Metric Units per centimetre.
const EMU_PER_CM: u32 = 360_000;

fn fonts() -> RunFonts {
    RunFonts::new().east_asia(FONT_FAMILY).ascii(FONT_FAMILY).hi_ansi(FONT_FAMILY)
}

/// A run of `text`, `size` in half-points; line breaks in `text` become breaks.
fn run(text: &str, size: usize, bold: bool) -> Run {
    let mut run = Run::new().fonts(fonts()).size(size);
    if bold {
        run = run.bold();
    }
    for (index, line) in text.split('\n').enumerate() {
        if index > 0 {
            run = run.add_break(BreakType::TextWrapping);
        }
        run = run.add_text(line);
    }
    run
}

fn cell_paragraph(text: &str, role: Role) -> Paragraph {
    let (alignment, bold) = match role {
        Role::Heading | Role::Header => (AlignmentType::Center, true),
        Role::Label { .. } => (AlignmentType::Left, false),
        Role::Unit => (AlignmentType::Center, false),
        Role::Value => (AlignmentType::Right, false),
    };
    let mut paragraph = Paragraph::new().align(alignment).add_run(run(text, 18, bold));
    if let Role::Label { level } = role
        && level > 0
    {
        paragraph = paragraph.indent(Some(i32::from(level) * 240), None, None, None);
    }
    paragraph
}

fn table(grid: &Grid) -> Table {
    let weights = grid.column_weights();
    let total: f64 = weights.iter().sum();
    let widths: Vec<usize> =
        weights.iter().map(|weight| (TEXT_WIDTH_TWIPS as f64 * weight / total) as usize).collect();
    let span_width = |column: usize, colspan: u16| -> usize {
        widths[column..(column + usize::from(colspan)).min(widths.len())].iter().sum()
    };
    let rows = grid
        .slots()
        .into_iter()
        .map(|slots| {
            let cells = slots
                .into_iter()
                .map(|(column, slot)| match slot {
                    Slot::Cell(cell) => {
                        let mut table_cell = TableCell::new()
                            .add_paragraph(cell_paragraph(&cell.text, cell.role))
                            .vertical_align(VAlignType::Center)
                            .width(span_width(usize::from(column), cell.colspan), WidthType::Dxa);
                        if cell.colspan > 1 {
                            table_cell = table_cell.grid_span(usize::from(cell.colspan));
                        }
                        if cell.rowspan > 1 {
                            table_cell = table_cell.vertical_merge(VMergeType::Restart);
                        }
                        table_cell
                    }
                    Slot::Continue { colspan } => {
                        let mut table_cell = TableCell::new()
                            .add_paragraph(Paragraph::new())
                            .vertical_merge(VMergeType::Continue)
                            .width(span_width(usize::from(column), colspan), WidthType::Dxa);
                        if colspan > 1 {
                            table_cell = table_cell.grid_span(usize::from(colspan));
                        }
                        table_cell
                    }
                })
                .collect();
            TableRow::new(cells)
        })
        .collect();
    Table::new(rows)
        .set_grid(widths)
        .layout(TableLayoutType::Fixed)
        .width(TEXT_WIDTH_TWIPS, WidthType::Dxa)
}

fn body(text: &str) -> Paragraph {
    Paragraph::new()
        .indent(None, Some(SpecialIndentType::FirstLine(480)), None, None)
        .add_run(run(text, 24, false))
}

pub(crate) fn render(document: &Document<'_>) -> Result<Vec<u8>, RenderError> {
    let report = document.report;
    let mut docx = Docx::new()
        .page_size(11_906, 16_838)
        .page_margin(PageMargin::new().top(1_440).bottom(1_440).left(1_417).right(1_417))
        .default_fonts(fonts())
        .add_paragraph(Paragraph::new().align(AlignmentType::Center).add_run(run(
            &report.title,
            36,
            true,
        )));
    for section in &document.sections {
        if section.annex {
            docx =
                docx.add_paragraph(Paragraph::new().add_run(Run::new().add_break(BreakType::Page)));
        }
        docx = docx.add_paragraph(Paragraph::new().add_run(run(&section.heading, 28, true)));
        for paragraph in &section.paragraphs {
            docx = docx.add_paragraph(body(&paragraph.text));
        }
        if section.chart {
            let png = chart::png(&document.chart_title, &report.categories)?;
            let width_emu = 15 * EMU_PER_CM;
            let height_emu = width_emu * chart::HEIGHT / chart::WIDTH;
            let picture = Pic::new(&png).size(width_emu, height_emu);
            docx = docx
                .add_paragraph(
                    Paragraph::new()
                        .align(AlignmentType::Center)
                        .add_run(Run::new().add_image(picture)),
                )
                .add_paragraph(Paragraph::new().align(AlignmentType::Center).add_run(run(
                    &document.chart_caption,
                    21,
                    false,
                )));
        }
        if section.annex {
            let agency = format!("填报单位：{}", report.agency.name);
            docx = docx.add_paragraph(Paragraph::new().add_run(run(&agency, 21, false)));
        }
        for grid in &section.grids {
            docx = docx
                .add_paragraph(Paragraph::new().align(AlignmentType::Center).add_run(run(
                    &grid.title,
                    22,
                    true,
                )))
                .add_table(table(grid))
                .add_paragraph(Paragraph::new());
        }
    }
    let signature: Vec<String> =
        document.signature.iter().map(|(role, value)| format!("{role}：{value}")).collect();
    docx = docx.add_paragraph(Paragraph::new().add_run(run(&signature.join("　　"), 21, false)));
    let mut out = std::io::Cursor::new(Vec::new());
    docx.build().pack(&mut out).map_err(|err| RenderError::Docx(err.to_string()))?;
    Ok(out.into_inner())
}
