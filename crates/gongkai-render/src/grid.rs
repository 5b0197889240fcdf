//! A report table laid out as the official format prints it: rows of cells with column and row spans.
//!
//! Every renderer draws the same [`Grid`], so the merged cells of the national formats (the 3×3 corner
//! note and nested result groups of table 三, the two-level header of table 四) come out alike in HTML, DOCX,
//! XLSX and PDF.
//!
//! Label layout: a block with one label column prints group rows as their own rows (the pre-2019 table, with
//! "——" in the unit column). A block with several label columns merges them as the official table 三 does:
//! a group row at level `L` becomes a cell in label column `L` spanning the rows below it, and a value row at
//! level `L` spans label columns `L` to the last.

use gongkai_core::report::format::{Block, Format, Row, Table};
use gongkai_core::report::values::{CellKey, Quantity, TableValues};
use serde::Serialize;

/// What a cell is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A block heading spanning the table, e.g. 第二十条第（一）项.
    Heading,
    /// A column header.
    Header,
    /// A row label; `level` is its indentation.
    Label { level: u8 },
    /// The unit column of the pre-2019 table.
    Unit,
    /// A value cell.
    Value,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GridCell {
    pub text: String,
    pub colspan: u16,
    pub rowspan: u16,
    pub role: Role,
    /// For value cells: the cell's address and value (`None` = not filled).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<CellKey>,
    #[serde(skip)]
    pub value: Option<Quantity>,
}

impl GridCell {
    fn new(text: impl Into<String>, colspan: u16, rowspan: u16, role: Role) -> GridCell {
        GridCell { text: text.into(), colspan, rowspan, role, key: None, value: None }
    }
}

/// A table ready to draw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Grid {
    pub id: String,
    pub title: String,
    /// Physical columns.
    pub width: u16,
    /// How many leading rows are column headers (repeated on page breaks where the medium allows).
    pub header_rows: usize,
    pub rows: Vec<Vec<GridCell>>,
}

/// A cell placed at its physical position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placement {
    pub row: usize,
    pub column: u16,
}

impl Grid {
    /// Relative column widths: label columns wider than value columns (the longest labels widest).
    pub fn column_weights(&self) -> Vec<f64> {
        let mut weights = vec![1.0; usize::from(self.width)];
        // Label columns are those any label cell covers.
        let mut label_columns = 0usize;
        for (row, placements) in self.rows.iter().zip(self.placements()) {
            for (cell, placement) in row.iter().zip(placements) {
                if let Role::Label { .. } = cell.role {
                    label_columns = label_columns.max(usize::from(placement.column + cell.colspan));
                }
            }
        }
        match label_columns {
            0 => {}
            // One label column (pre-2019, table 二) takes most of the width.
            1 => weights[0] = if self.width <= 3 { 6.0 } else { 3.0 },
            // Nested labels (table 三): outer groups narrow, the innermost (longest labels) wide.
            n => {
                for (column, weight) in weights.iter_mut().enumerate().take(n) {
                    *weight = if column + 1 == n { 3.6 } else { 1.3 };
                }
            }
        }
        weights
    }

    /// The physical position of every cell, in order, as HTML's table model places them (left to right,
    /// skipping positions covered by cells spanning from above).
    pub fn placements(&self) -> Vec<Vec<Placement>> {
        let width = usize::from(self.width);
        let mut occupied = vec![vec![false; width]; self.rows.len()];
        let mut placed = Vec::with_capacity(self.rows.len());
        for (row_index, row) in self.rows.iter().enumerate() {
            let mut column = 0usize;
            let mut row_placements = Vec::with_capacity(row.len());
            for cell in row {
                while column < width && occupied[row_index][column] {
                    column += 1;
                }
                row_placements.push(Placement { row: row_index, column: column as u16 });
                let column_end = (column + usize::from(cell.colspan)).min(width);
                for covered in occupied.iter_mut().skip(row_index).take(usize::from(cell.rowspan)) {
                    covered[column..column_end].fill(true);
                }
                column += usize::from(cell.colspan);
            }
            placed.push(row_placements);
        }
        placed
    }
}

/// One physical slot of a row, for media that spell out vertical merges (DOCX).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot<'a> {
    /// The cell starts here.
    Cell(&'a GridCell),
    /// A cell from a row above continues down through here, `colspan` wide.
    Continue { colspan: u16 },
}

impl Grid {
    /// Each physical row as (column, slot), left to right, every column covered exactly once.
    pub fn slots(&self) -> Vec<Vec<(u16, Slot<'_>)>> {
        let placements = self.placements();
        let width = usize::from(self.width);
        // For each position: the cell starting there, or the colspan of a cell continuing from above.
        let mut layout: Vec<Vec<Option<Slot<'_>>>> = vec![vec![None; width]; self.rows.len()];
        for (row_index, row) in self.rows.iter().enumerate() {
            for (cell, placement) in row.iter().zip(&placements[row_index]) {
                let column = usize::from(placement.column);
                if column >= width {
                    continue;
                }
                layout[row_index][column] = Some(Slot::Cell(cell));
                let continuing = usize::from(cell.rowspan).saturating_sub(1);
                for below in layout.iter_mut().skip(row_index + 1).take(continuing) {
                    below[column] = Some(Slot::Continue { colspan: cell.colspan });
                }
            }
        }
        layout
            .into_iter()
            .map(|row| {
                row.into_iter()
                    .enumerate()
                    .filter_map(|(column, slot)| slot.map(|slot| (column as u16, slot)))
                    .collect()
            })
            .collect()
    }
}

fn value_text(value: Option<Quantity>) -> String {
    value.map_or_else(String::new, |value| value.to_string())
}

fn label_text(row: &Row) -> String {
    match &row.note {
        Some(note) => format!("{}\n{note}", row.label),
        None => row.label.clone(),
    }
}

/// Number of value rows below group row `index` (its descendants), for the row span of its merged label.
fn descendants(rows: &[Row], index: usize) -> u16 {
    let level = rows[index].level;
    rows[index + 1..].iter().take_while(|row| row.level > level).filter(|row| !row.group).count()
        as u16
}

fn block_rows(
    table: &Table,
    block: &Block,
    width: u16,
    values: &TableValues,
    out: &mut Vec<Vec<GridCell>>,
) {
    let value_width: u16 = block.columns.iter().map(|column| column.span).sum();
    let unit_width = u16::from(block.unit_header.is_some());
    // Blocks narrower than the table stretch their last value column.
    let stretch = width.saturating_sub(block.label_columns + unit_width + value_width);
    let nested = block.label_columns > 1;
    let mut pending_groups: Vec<GridCell> = Vec::new();
    for (index, row) in block.rows.iter().enumerate() {
        if row.group {
            if nested {
                pending_groups.push(GridCell::new(
                    label_text(row),
                    1,
                    descendants(&block.rows, index),
                    Role::Label { level: row.level },
                ));
            } else {
                let mut cells = vec![GridCell::new(
                    label_text(row),
                    block.label_columns,
                    1,
                    Role::Label { level: row.level },
                )];
                if unit_width > 0 {
                    cells.push(GridCell::new(
                        row.unit.clone().unwrap_or_else(|| "——".to_owned()),
                        1,
                        1,
                        Role::Unit,
                    ));
                }
                cells.push(GridCell::new("", value_width + stretch, 1, Role::Value));
                out.push(cells);
            }
            continue;
        }
        let mut cells = std::mem::take(&mut pending_groups);
        if block.label_columns > 0 {
            let start = if nested { u16::from(row.level) } else { 0 };
            let colspan = block.label_columns.saturating_sub(start).max(1);
            cells.push(GridCell::new(
                label_text(row),
                colspan,
                1,
                Role::Label { level: row.level },
            ));
        }
        if unit_width > 0 {
            cells.push(GridCell::new(row.unit.clone().unwrap_or_default(), 1, 1, Role::Unit));
        }
        let last = block.columns.len().saturating_sub(1);
        for (column_index, column) in block.columns.iter().enumerate() {
            let key = CellKey::new(&table.id, &row.key, &column.key);
            let value = values.get(&table.id, &row.key, &column.key);
            let extra = if column_index == last { stretch } else { 0 };
            cells.push(GridCell {
                text: value_text(value),
                colspan: column.span + extra,
                rowspan: 1,
                role: Role::Value,
                key: Some(key),
                value,
            });
        }
        out.push(cells);
    }
}

/// Lays out `table` of `format` with `values`.
pub fn grid(table: &Table, values: &TableValues) -> Grid {
    let width = table.width();
    let mut rows = Vec::new();
    let mut header_rows = 0;
    for (index, block) in table.blocks.iter().enumerate() {
        if let Some(heading) = &block.heading {
            rows.push(vec![GridCell::new(heading.clone(), width, 1, Role::Heading)]);
        }
        let block_width = block.width();
        for header_row in block.header_rows() {
            let mut cells: Vec<GridCell> = header_row
                .iter()
                .map(|cell| {
                    GridCell::new(cell.label.clone(), cell.colspan, cell.rowspan, Role::Header)
                })
                .collect();
            if block.header.is_none()
                && block_width < width
                && let Some(last) = cells.last_mut()
            {
                last.colspan += width - block_width;
            }
            rows.push(cells);
            if index == 0 && block.heading.is_none() {
                header_rows += 1;
            }
        }
        block_rows(table, block, width, values, &mut rows);
    }
    Grid { id: table.id.clone(), title: table.title.clone(), width, header_rows, rows }
}

/// The grids of every table of `format`.
pub fn grids(format: &Format, values: &TableValues) -> Vec<Grid> {
    format.tables.iter().map(|table| grid(table, values)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use gongkai_core::report::format::FormatId;

    /// Every physical row of a grid is exactly `width` columns wide once spans are placed.
    fn assert_rectangular(grid: &Grid) {
        let width = usize::from(grid.width);
        let mut coverage = vec![0usize; grid.rows.len()];
        for (row_index, row) in grid.rows.iter().enumerate() {
            for cell in row {
                for covered in row_index..row_index + usize::from(cell.rowspan) {
                    if covered < coverage.len() {
                        coverage[covered] += usize::from(cell.colspan);
                    }
                }
            }
        }
        for (index, covered) in coverage.iter().enumerate() {
            assert_eq!(
                *covered, width,
                "{}: row {index} covers {covered} of {width} columns",
                grid.id
            );
        }
    }

    #[test]
    fn every_table_of_every_format_is_rectangular() {
        for id in FormatId::ALL {
            for grid in grids(id.format(), &TableValues::default()) {
                assert_rectangular(&grid);
            }
        }
    }

    #[test]
    fn table_three_merges_result_groups_like_the_official_layout() {
        for (id, results_rowspan) in [(FormatId::F2021, 22), (FormatId::F2019, 20)] {
            let grid = grid(id.format().table("t3").unwrap(), &TableValues::default());
            let results =
                grid.rows.iter().flatten().find(|cell| cell.text == "三、本年度办理结果").unwrap();
            assert_eq!(results.rowspan, results_rowspan, "{id}");
            let withheld =
                grid.rows.iter().flatten().find(|cell| cell.text == "（三）不予公开").unwrap();
            assert_eq!(withheld.rowspan, 8);
            let corner = &grid.rows[0][0];
            assert_eq!((corner.colspan, corner.rowspan), (3, 3));
            assert_eq!(grid.width, 10);
        }
    }
}
