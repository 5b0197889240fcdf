//! What a reader makes of a report file: its paragraphs in order and its tables as rows of cells with their
//! spans, before anything is known about formats.

use serde::Serialize;

/// A cell as the file gives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RawCell {
    pub text: String,
    pub colspan: u16,
    pub rowspan: u16,
}

impl RawCell {
    pub fn new(text: impl Into<String>) -> RawCell {
        RawCell { text: text.into(), colspan: 1, rowspan: 1 }
    }
}

/// A table as the file gives it: rows of cells, spans not yet laid out.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RawTable {
    pub rows: Vec<Vec<RawCell>>,
    /// Cells told apart by the spaces between them (text laid out as the page was, `pdftotext -layout`):
    /// an empty cell leaves no trace, so a row with fewer values than its columns cannot say which are
    /// missing, and is not read.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub spaced: bool,
}

/// A physical position of a laid-out table: the text of the cell covering it, and whether the cell starts
/// here (a merged cell covers several positions but is one cell).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    pub text: String,
    pub origin: bool,
}

/// The most rows and columns a table may lay out to; larger tables are not report tables (and would cost
/// unbounded memory on hostile input).
pub const MAX_ROWS: usize = 2_000;
pub const MAX_COLUMNS: usize = 64;
/// The largest span honoured; larger spans are cut (a hostile `colspan="100000"`).
const MAX_SPAN: u16 = 64;

impl RawTable {
    /// Lays the table out on a grid as HTML's table model does (left to right, skipping positions covered
    /// from above), every position knowing the text of the cell covering it.
    pub fn layout(&self) -> Vec<Vec<Slot>> {
        let rows = self.rows.len().min(MAX_ROWS);
        let mut grid: Vec<Vec<Option<Slot>>> = vec![Vec::new(); rows];
        for (row_index, row) in self.rows.iter().take(rows).enumerate() {
            let mut column = 0usize;
            for cell in row {
                while grid[row_index].get(column).is_some_and(Option::is_some) {
                    column += 1;
                }
                if column >= MAX_COLUMNS {
                    break;
                }
                let colspan = usize::from(cell.colspan.clamp(1, MAX_SPAN));
                let rowspan = usize::from(cell.rowspan.clamp(1, MAX_SPAN));
                let column_end = (column + colspan).min(MAX_COLUMNS);
                for (offset, covered) in grid.iter_mut().skip(row_index).take(rowspan).enumerate() {
                    if covered.len() < column_end {
                        covered.resize(column_end, None);
                    }
                    for (position, slot) in covered[column..column_end].iter_mut().enumerate() {
                        *slot = Some(Slot {
                            text: cell.text.clone(),
                            origin: offset == 0 && position == 0,
                        });
                    }
                }
                column = column_end;
            }
        }
        grid.into_iter()
            .map(|row| {
                row.into_iter()
                    .map(|slot| slot.unwrap_or(Slot { text: String::new(), origin: true }))
                    .collect()
            })
            .collect()
    }
}

/// A report file read: paragraphs (headings included) and tables, each in document order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Document {
    pub paragraphs: Vec<String>,
    pub tables: Vec<RawTable>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(text: &str, colspan: u16, rowspan: u16) -> RawCell {
        RawCell { text: text.to_owned(), colspan, rowspan }
    }

    #[test]
    fn merged_cells_cover_their_positions_and_start_once() {
        let table = RawTable {
            spaced: false,
            rows: vec![
                vec![cell("a", 1, 2), cell("b", 2, 1)],
                vec![cell("c", 1, 1), cell("d", 1, 1)],
            ],
        };
        let grid = table.layout();
        let texts: Vec<Vec<&str>> =
            grid.iter().map(|row| row.iter().map(|slot| slot.text.as_str()).collect()).collect();
        assert_eq!(texts, vec![vec!["a", "b", "b"], vec!["a", "c", "d"]]);
        assert!(grid[0][1].origin && !grid[0][2].origin && !grid[1][0].origin);
    }

    #[test]
    fn hostile_spans_are_cut() {
        let table = RawTable { rows: vec![vec![cell("x", u16::MAX, u16::MAX)]], spaced: false };
        let grid = table.layout();
        assert_eq!(grid.len(), 1);
        assert_eq!(grid[0].len(), MAX_COLUMNS);
    }
}
