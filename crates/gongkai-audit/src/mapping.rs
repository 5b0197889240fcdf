//! Mapping the tables a reader found onto a format's tables.
//!
//! Rows are matched by label (see [`normalize::label_key`]) with an order-preserving alignment, so header
//! rows, extra local rows and a label that happens to recur ("其他情形数" under both review and suit) fall
//! into place; a row's values are the cells to the right of its label, left to right, a merged cell counted
//! once and a unit cell skipped. Columns are taken in the order of the format's block.

use gongkai_core::report::format::{Block, Format, FormatId, Row, Table};
use gongkai_core::report::values::{CellKey, Quantity, TableValues};
use serde::Serialize;

use crate::document::{Document, RawTable, Slot};
use crate::normalize::{self, CellRead};

/// A row label matches a format row from this similarity on.
const MATCH_FROM: f64 = 0.8;

/// A value cell as read, with where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParsedCell {
    pub key: CellKey,
    pub row_label: String,
    pub column_label: String,
    /// The cell's text in the file.
    pub text: String,
    /// `None` when not filled.
    pub value: Option<Quantity>,
}

/// One format table as found in the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParsedTable {
    pub id: String,
    pub title: String,
    /// Which table of the file (0-based, in document order).
    pub source: usize,
    pub cells: Vec<ParsedCell>,
    /// Rows of the file's table that match no row of the format (local additions), by their text.
    pub unmatched_rows: Vec<String>,
    /// Value rows of the format the file's table does not have.
    pub missing_rows: Vec<String>,
    /// Parts of the table left unread, with why (their cells are not in `cells` and decide no finding).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub not_read: Vec<String>,
    /// How the table was read and how sure its mapping is.
    pub reading: Reading,
}

/// How a table was read, and how sure the mapping of its rows and columns is: what a reader of the JSON
/// needs to weigh the table's findings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Reading {
    /// `cells`: a table with cells (HTML, DOCX, a ruled PDF table, Markdown pipes, tabs); `spaced`: text
    /// laid out with spaces (`pdftotext -layout`, a borderless PDF table), whose empty cells leave no trace.
    pub layout: &'static str,
    /// The format's value rows, and how many of them the table has.
    pub rows_expected: usize,
    pub rows_found: usize,
    /// The cross-check of the columns (a total column against its parts, [`columns_disagree`]): the
    /// (rule, row) pairs looked at, and those on which it held. Where it does not hold is a finding when the
    /// mapping is sure; when it fails on most rows of a rule, the table is not read.
    pub column_check_rows: usize,
    pub column_check_held: usize,
    /// `complete`: every value row found, a value in some cell, no cell that is not a number, nothing left
    /// unread, the column check held more often than not (or had nothing to look at); `partial`: some of
    /// that not so, what was read cross-checked; `not read`: the columns could not be trusted (or nothing
    /// was found), no cell of it decides a finding. `rows_found` counts the rows whose cells were read.
    pub mapping: &'static str,
}

/// A cell whose text is not a number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnreadableCell {
    pub key: CellKey,
    pub location: String,
    pub text: String,
}

fn definition_name<S: serde::Serializer>(
    definition: &&Format,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&definition.name)
}

/// A document's tables read in one format.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Mapping {
    pub format: FormatId,
    /// The table definition read: the format's own, or a local table of that era ([`local_formats`]);
    /// serialised as its name, `table_name` (政府信息公开情况统计表（福建省，2008—2018年）…).
    #[serde(rename = "table_name", serialize_with = "definition_name")]
    pub definition: &'static Format,
    pub tables: Vec<ParsedTable>,
    #[serde(skip)]
    pub values: TableValues,
    pub unreadable: Vec<UnreadableCell>,
    /// Share of the format's value rows found, in [0, 1].
    pub coverage: f64,
}

/// The format rows of a table in order, with their block.
fn format_rows(table: &Table) -> Vec<(&Block, &Row)> {
    table.blocks.iter().flat_map(|block| block.rows.iter().map(move |row| (block, row))).collect()
}

fn has_cjk(text: &str) -> bool {
    text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// How well physical row `slots` matches format row `row` (whose label key is `target`), and at which
/// position its label is.
fn row_score(
    slots: &[Slot],
    keys: &[Option<String>],
    block: &Block,
    row: &Row,
    target: &str,
) -> Option<(f64, usize)> {
    if row.label.is_empty() {
        // A row without a label (table 四): a row of values only, as many as the block's columns.
        // Blank cells count: a cell not filled is still a cell of the row.
        let labels = keys.iter().flatten().count();
        let origins: Vec<&Slot> = slots.iter().filter(|slot| slot.origin).collect();
        let all_values = origins.iter().all(|slot| normalize::is_value_like(&slot.text));
        let any_filled = origins.iter().any(|slot| !slot.text.trim().is_empty());
        // A row left wholly blank is still the row (every cell not filled), but a filled one is preferred.
        let score = if any_filled { 0.9 } else { 0.5 };
        return (labels == 0 && all_values && origins.len() >= block.columns.len())
            .then_some((score, usize::MAX));
    }
    let mut best: Option<(f64, usize)> = None;
    for (position, key) in keys.iter().enumerate() {
        let Some(key) = key else { continue };
        let score = normalize::similarity(key, target);
        // The rightmost label at the best score: nested labels put the row's own label last.
        // A heading row counts half, so the first row under it keeps its own label when both share a
        // physical row (a heading spanning rows down its column).
        let score = if row.group { score / 2.0 } else { score };
        if score >= MATCH_FROM / 2.0_f64.powi(i32::from(row.group))
            && best.is_none_or(|(best_score, _)| score >= best_score)
        {
            best = Some((score, position));
        }
    }
    best
}

/// The label keys of a physical row: one per position, for label-like cells.
fn label_keys(slots: &[Slot]) -> Vec<Option<String>> {
    slots
        .iter()
        .map(|slot| {
            (has_cjk(&slot.text) && !normalize::is_unit(&slot.text))
                .then(|| normalize::label_key(&slot.text))
                .filter(|key| !key.is_empty())
        })
        .collect()
}

struct Alignment {
    score: f64,
    /// (physical row, format row index, label position)
    pairs: Vec<(usize, usize, usize)>,
}

/// Order-preserving alignment of physical rows to format rows maximising the total similarity.
fn align(layout: &[Vec<Slot>], rows: &[(&Block, &Row)]) -> Alignment {
    let n = layout.len();
    let m = rows.len();
    let keys: Vec<Vec<Option<String>>> = layout.iter().map(|slots| label_keys(slots)).collect();
    let targets: Vec<String> =
        rows.iter().map(|(_, row)| normalize::label_key(&row.label)).collect();
    let scores: Vec<Vec<Option<(f64, usize)>>> = layout
        .iter()
        .zip(&keys)
        .map(|(slots, keys)| {
            rows.iter()
                .zip(&targets)
                .map(|((block, row), target)| row_score(slots, keys, block, row, target))
                .collect()
        })
        .collect();
    // best[i][j]: best total using physical rows ≥ i and format rows ≥ j.
    let mut best = vec![vec![0.0f64; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            let skip = best[i + 1][j].max(best[i][j + 1]);
            let take = scores[i][j].map_or(f64::MIN, |(score, _)| score + best[i + 1][j + 1]);
            best[i][j] = skip.max(take);
        }
    }
    let mut pairs = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < n && j < m {
        if let Some((score, position)) = scores[i][j]
            && (score + best[i + 1][j + 1] - best[i][j]).abs() < 1e-9
        {
            pairs.push((i, j, position));
            i += 1;
            j += 1;
        } else if (best[i + 1][j] - best[i][j]).abs() < 1e-9 {
            i += 1;
        } else {
            j += 1;
        }
    }
    Alignment { score: best[0][0], pairs }
}

/// The value cells of a matched row: origins right of the label (all origins for a row without a label),
/// the unit cell skipped, as many as the block has columns. A row with more cells than that whose extra
/// cells are blank and left of `value_start` (where the table's other rows have their first value) has a
/// label cell split in two (a border drawn under a merged label): those blanks are not values.
fn row_values<'a>(
    slots: &'a [Slot],
    block: &Block,
    label_position: usize,
    value_start: Option<usize>,
) -> Vec<&'a Slot> {
    let start = if label_position == usize::MAX { 0 } else { label_position + 1 };
    let mut cells: Vec<(usize, &Slot)> =
        slots.iter().enumerate().skip(start).filter(|(_, slot)| slot.origin).collect();
    if block.unit_header.is_some()
        && cells.len() > block.columns.len()
        && cells
            .first()
            .is_some_and(|(_, slot)| normalize::is_unit(&slot.text) || slot.text.trim().is_empty())
    {
        cells.remove(0);
    }
    cells.retain(|(_, slot)| !normalize::is_unit(&slot.text) || slot.text.trim() == "——");
    if let Some(value_start) = value_start {
        while cells.len() > block.columns.len()
            && cells
                .first()
                .is_some_and(|(at, slot)| *at < value_start && slot.text.trim().is_empty())
        {
            cells.remove(0);
        }
    }
    cells.truncate(block.columns.len());
    cells.into_iter().map(|(_, slot)| slot).collect()
}

/// Where a block's values start in the laid-out rows: the position of the first value of the rows that
/// have exactly as many cells right of their label as the block has columns (the most common one).
fn value_start(
    layout: &[Vec<Slot>],
    rows: &[(&Block, &Row)],
    pairs: &[(usize, usize, usize)],
    block: &Block,
) -> Option<usize> {
    let mut starts: Vec<usize> = pairs
        .iter()
        .filter(|(_, format_index, position)| {
            std::ptr::eq(rows[*format_index].0, block) && *position != usize::MAX
        })
        .filter_map(|(physical, _, position)| {
            let origins = value_positions(&layout[*physical], *position);
            (origins.len() == block.columns.len()).then(|| origins[0])
        })
        .collect();
    starts.sort_unstable();
    let mut best: Option<(usize, usize)> = None;
    for chunk in starts.chunk_by(|a, b| a == b) {
        if best.is_none_or(|(_, count)| chunk.len() > count) {
            best = Some((chunk[0], chunk.len()));
        }
    }
    best.map(|(start, _)| start)
}

/// The cross-check of a table's column mapping before its rules are applied: where the format defines a
/// column as the sum of others (表三 总计 = 自然人 + the 法人或其他组织 columns), it must hold on most rows
/// whose cells are filled. A mapping that breaks it on most of them (at least three rows looked at) has put
/// the values under the wrong columns — one real 2019 table read with its columns shifted gave a dozen
/// false findings — so the table is not read, with the reason.
fn columns_disagree(definition: &Format, table: &Table, parsed: &ParsedTable) -> Option<String> {
    column_check(definition, table, parsed).into_iter().find_map(|(looked, broken, description)| {
        (looked >= 3 && broken * 2 > looked).then(|| {
            format!(
                "{}：{}行中有{}行不符合“{}”，各列的对应可能有误，该表未读取",
                table.title, looked, broken, description
            )
        })
    })
}

/// For each column-sum rule of `table`: the rows looked at, the rows that break it, and the rule's words.
fn column_check(
    definition: &Format,
    table: &Table,
    parsed: &ParsedTable,
) -> Vec<(usize, usize, String)> {
    let mut checks = Vec::new();
    let value = |row: &str, column: &str| {
        parsed
            .cells
            .iter()
            .find(|cell| cell.key.row == row && cell.key.column == column)
            .map(|cell| cell.value)
    };
    for rule in definition.rules.iter().filter(|rule| rule.table == table.id) {
        let gongkai_core::report::format::RuleKind::ColumnSum { total, parts } = &rule.kind else {
            continue;
        };
        let (mut looked, mut broken) = (0usize, 0usize);
        for (_, row) in format_rows(table) {
            let Some(Some(found)) = value(&row.key, total) else { continue };
            let cells: Option<Vec<Option<Quantity>>> =
                parts.iter().map(|part| value(&row.key, part)).collect();
            let Some(cells) = cells else { continue };
            if cells.iter().all(Option::is_none) {
                continue;
            }
            looked += 1;
            let sum = cells.into_iter().flatten().fold(Quantity::ZERO, |sum, value| sum + value);
            broken += usize::from(sum != found);
        }
        checks.push((looked, broken, rule.description.clone()));
    }
    checks
}

/// Where a laid-out row's cells right of its label (at `position`; `usize::MAX`: no label) start, unit
/// cells left out.
fn value_positions(slots: &[Slot], position: usize) -> Vec<usize> {
    let start = if position == usize::MAX { 0 } else { position + 1 };
    slots
        .iter()
        .enumerate()
        .skip(start)
        .filter(|(_, slot)| {
            slot.origin && (!normalize::is_unit(&slot.text) || slot.text.trim() == "——")
        })
        .map(|(at, _)| at)
        .collect()
}

/// Whether a laid-out row has exactly the block's columns right of its label (at `position`).
fn fits_row(slots: &[Slot], position: usize, block: &Block) -> bool {
    value_positions(slots, position).len() == block.columns.len()
}

/// Maps `raw` onto `table`: the alignment's score and the table as parsed.
fn map_table(
    raw: &RawTable,
    source: usize,
    table: &Table,
) -> (f64, ParsedTable, Vec<UnreadableCell>) {
    let layout = raw.layout();
    let rows = format_rows(table);
    let alignment = align(&layout, &rows);
    let mut parsed = ParsedTable {
        id: table.id.clone(),
        title: table.title.clone(),
        source,
        cells: Vec::new(),
        unmatched_rows: Vec::new(),
        missing_rows: Vec::new(),
        not_read: Vec::new(),
        reading: Reading {
            layout: if raw.spaced { "spaced" } else { "cells" },
            rows_expected: rows.iter().filter(|(_, row)| !row.group).count(),
            ..Reading::default()
        },
    };
    let mut unreadable = Vec::new();
    let mut matched_physical = vec![false; layout.len()];
    let mut matched_format = vec![false; rows.len()];
    // Where each block's values start, once per block.
    let starts: Vec<(&Block, Option<usize>)> = table
        .blocks
        .iter()
        .map(|block| (block, value_start(&layout, &rows, &alignment.pairs, block)))
        .collect();
    // A block of several columns none of whose rows has exactly its columns right of the label: which value
    // is which column cannot be told (a table cut at the page's edge, columns merged or added), so the
    // block is not read rather than read by position.
    let fits = fitting_blocks(&layout, &rows, &alignment.pairs);
    note_uncertain_blocks(table, &rows, &alignment.pairs, &fits, &mut parsed.not_read);
    let mut short_rows = Vec::new();
    for &(physical, format_index, position) in &alignment.pairs {
        matched_physical[physical] = true;
        matched_format[format_index] = true;
        let (block, row) = rows[format_index];
        if row.group || uncertain(block, &fits) {
            continue;
        }
        if raw.spaced && !fits_row(&layout[physical], position, block) {
            // Spaces do not show an empty cell: which of the columns are missing is unknown.
            short_rows.push(row.label.clone());
            continue;
        }
        let start = starts
            .iter()
            .find(|(known, _)| std::ptr::eq(*known, block))
            .and_then(|(_, start)| *start);
        let values = row_values(&layout[physical], block, position, start);
        read_row_cells(table, block, row, &values, &mut parsed.cells, &mut unreadable);
    }
    if !short_rows.is_empty() {
        parsed.not_read.push(format!(
            "以空格分隔的表格中，以下行的数值少于应有的列数，无法确定空缺的是哪几列，未读取：{}",
            short_rows.join("；")
        ));
    }
    push_unmatched_rows(
        &layout,
        table,
        &alignment.pairs,
        &matched_physical,
        &mut parsed.unmatched_rows,
    );
    push_missing_rows(&rows, &matched_format, &mut parsed.missing_rows);
    (alignment.score + header_bonus(&layout, table), parsed, unreadable)
}

/// The blocks of the matched rows that have exactly their block's columns right of the label.
fn fitting_blocks<'a>(
    layout: &[Vec<Slot>],
    rows: &[(&'a Block, &'a Row)],
    pairs: &[(usize, usize, usize)],
) -> Vec<&'a Block> {
    pairs
        .iter()
        .filter(|(physical, format_index, position)| {
            fits_row(&layout[*physical], *position, rows[*format_index].0)
        })
        .map(|(_, format_index, _)| rows[*format_index].0)
        .collect()
}

/// Whether `block` has several columns and none of its matched rows is among the fitting ones (`fits`).
fn uncertain(block: &Block, fits: &[&Block]) -> bool {
    block.columns.len() > 1 && !fits.iter().any(|known| std::ptr::eq(*known, block))
}

/// Notes in `not_read` each block with a matched value row whose columns cannot be told apart.
fn note_uncertain_blocks(
    table: &Table,
    rows: &[(&Block, &Row)],
    pairs: &[(usize, usize, usize)],
    fits: &[&Block],
    not_read: &mut Vec<String>,
) {
    for block in &table.blocks {
        let matched = pairs.iter().any(|(_, format_index, _)| {
            std::ptr::eq(rows[*format_index].0, block) && !rows[*format_index].1.group
        });
        if matched && uncertain(block, fits) {
            let name = block.heading.clone().unwrap_or_else(|| table.title.clone());
            not_read.push(format!(
                "{name}：没有一行恰有格式的{}列数值，无法确定各数值所属的列，该部分未读取",
                block.columns.len()
            ));
        }
    }
}

/// Reads a matched row's value cells (`values`) into `cells`, one per column of its block, and each
/// cell whose text is not a number into `unreadable`.
fn read_row_cells(
    table: &Table,
    block: &Block,
    row: &Row,
    values: &[&Slot],
    cells: &mut Vec<ParsedCell>,
    unreadable: &mut Vec<UnreadableCell>,
) {
    for (index, column) in block.columns.iter().enumerate() {
        let key = CellKey::new(&table.id, &row.key, &column.key);
        let text = values.get(index).map(|slot| slot.text.clone()).unwrap_or_default();
        let unit = column.unit.as_deref().or(row.unit.as_deref());
        let value = match normalize::read_cell(&text, unit) {
            CellRead::NotFilled => None,
            CellRead::Value(value) => Some(value),
            CellRead::Unreadable(original) => {
                unreadable.push(UnreadableCell {
                    key: key.clone(),
                    location: format!("{}：{}，{}", table.title, row.label, column.label),
                    text: original,
                });
                None
            }
        };
        cells.push(ParsedCell {
            key,
            row_label: row.label.clone(),
            column_label: column.label.clone(),
            text,
            value,
        });
    }
}

/// Pushes onto `unmatched` the text of each laid-out row after the first match that matches nothing.
fn push_unmatched_rows(
    layout: &[Vec<Slot>],
    table: &Table,
    pairs: &[(usize, usize, usize)],
    matched_physical: &[bool],
    unmatched: &mut Vec<String>,
) {
    // Rows after the first match that match nothing are local additions (rows before it are headers), except
    // the format's own block headings and column headers (table 二 repeats them for each block).
    let first = pairs.first().map_or(usize::MAX, |pair| pair.0);
    let headings = header_keys(table);
    for (physical, slots) in layout.iter().enumerate() {
        let format_header = slots
            .iter()
            .filter(|slot| slot.origin && !slot.text.trim().is_empty())
            .all(|slot| headings.contains(&normalize::label_key(&slot.text)));
        if physical > first && !matched_physical[physical] && !format_header {
            let text: Vec<&str> = slots
                .iter()
                .filter(|slot| slot.origin && !slot.text.trim().is_empty())
                .map(|slot| slot.text.trim())
                .collect();
            if !text.is_empty() {
                unmatched.push(text.join(" | "));
            }
        }
    }
}

/// Pushes onto `missing` each value row of the format that no laid-out row matched (by its label, or
/// its key when it has none).
fn push_missing_rows(rows: &[(&Block, &Row)], matched_format: &[bool], missing: &mut Vec<String>) {
    for (index, (_, row)) in rows.iter().enumerate() {
        if !row.group && !matched_format[index] {
            missing.push(if row.label.is_empty() { row.key.clone() } else { row.label.clone() });
        }
    }
}

/// The label keys of a table's block headings and column headers.
fn header_keys(table: &Table) -> std::collections::BTreeSet<String> {
    table
        .blocks
        .iter()
        .flat_map(|block| {
            let mut labels: Vec<String> =
                block.header_rows().into_iter().flatten().map(|cell| cell.label).collect();
            labels.extend(block.heading.clone());
            labels
        })
        .map(|label| normalize::label_key(&label))
        .filter(|key| !key.is_empty())
        .collect()
}

/// A little for each of the format's column headers the table has (行政复议, 结果维持 …): it tells apart
/// tables whose rows say little, such as table 四 with its one unlabelled row.
fn header_bonus(layout: &[Vec<Slot>], table: &Table) -> f64 {
    let wanted = header_keys(table);
    let found = layout
        .iter()
        .take(10)
        .flatten()
        .filter(|slot| slot.origin)
        .map(|slot| normalize::label_key(&slot.text))
        .filter(|key| wanted.contains(key))
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    0.05 * found as f64
}

/// The local tables the auditor also knows: tables of an era's reports that are not the national format (a
/// province's own 统计表 before 2019), as format definitions with that era's id (`data/local/`). Reports are
/// only read in them, never made.
pub fn local_formats() -> &'static [Format] {
    static LOCAL: std::sync::OnceLock<Vec<Format>> = std::sync::OnceLock::new();
    LOCAL.get_or_init(|| {
        // Embedded and checked by the tests; a broken file is a defect of the build, not of the input.
        [include_str!("../data/local/fujian-2008.toml")]
            .iter()
            .map(|source| Format::parse(source).unwrap_or_else(|err| panic!("data/local: {err}")))
            .collect()
    })
}

/// Every table definition of `format`: the national one first, then the local ones of its era.
fn definitions(format: FormatId) -> impl Iterator<Item = &'static Format> {
    std::iter::once(format.format())
        .chain(local_formats().iter().filter(move |local| local.id == format))
}

/// Maps the document's tables onto `format`: the national table or a local one of its era, whichever more of
/// the file's rows match ([`map_definition`]).
pub fn map(document: &Document, format: FormatId) -> Mapping {
    best(definitions(format).map(|definition| map_definition(document, definition)).collect(), None)
}

/// Maps the document's tables onto `definition`: each of its tables takes the file's table it matches best
/// (a file's table serves one table of the definition).
pub fn map_definition(document: &Document, definition: &'static Format) -> Mapping {
    let format = definition.id;
    let mut used = vec![false; document.tables.len()];
    let mut tables = Vec::new();
    let mut unreadable = Vec::new();
    let mut values = TableValues::default();
    let mut found_rows = 0.0;
    let mut value_rows = 0usize;
    for table in &definition.tables {
        value_rows += format_rows(table).iter().filter(|(_, row)| !row.group).count();
        let mut best: Option<(f64, ParsedTable, Vec<UnreadableCell>)> = None;
        for (index, raw) in document.tables.iter().enumerate() {
            if used[index] {
                continue;
            }
            let candidate = map_table(raw, index, table);
            if candidate.0 > 0.0 && best.as_ref().is_none_or(|best| candidate.0 > best.0) {
                best = Some(candidate);
            }
        }
        let Some((_, mut parsed, cells_unreadable)) = best else { continue };
        used[parsed.source] = true;
        let checks = column_check(definition, table, &parsed);
        let looked: usize = checks.iter().map(|check| check.0).sum();
        let held = looked - checks.iter().map(|check| check.1).sum::<usize>();
        parsed.reading.column_check_rows = looked;
        parsed.reading.column_check_held = held;
        if let Some(reason) = columns_disagree(definition, table, &parsed) {
            // The columns are not what the labels said: nothing of the table decides a finding.
            parsed.not_read.push(reason);
            parsed.cells.clear();
            parsed.reading.mapping = "not read";
            tables.push(parsed);
            continue;
        }
        let rows_found: std::collections::BTreeSet<&str> =
            parsed.cells.iter().map(|cell| cell.key.row.as_str()).collect();
        parsed.reading.rows_found = rows_found.len();
        let filled = parsed.cells.iter().any(|cell| cell.value.is_some());
        parsed.reading.mapping = if parsed.cells.is_empty() {
            "not read"
        } else if parsed.missing_rows.is_empty()
            && parsed.not_read.is_empty()
            && cells_unreadable.is_empty()
            && filled
            && (looked == 0 || held * 2 > looked)
        {
            "complete"
        } else {
            "partial"
        };
        found_rows += rows_found.len() as f64;
        for cell in &parsed.cells {
            values.set(cell.key.clone(), cell.value);
        }
        unreadable.extend(cells_unreadable);
        tables.push(parsed);
    }
    let coverage = if value_rows == 0 { 0.0 } else { found_rows / value_rows as f64 };
    Mapping { format, definition, tables, values, unreadable, coverage }
}

/// The format the document's tables follow best; `year` (from the title) breaks near ties.
pub fn detect(document: &Document, year: Option<i32>) -> Mapping {
    let mappings: Vec<Mapping> = FormatId::ALL
        .iter()
        .flat_map(|format| definitions(*format))
        .map(|definition| map_definition(document, definition))
        .collect();
    best(mappings, year)
}

/// The mapping with the most of its rows found; of those within 0.05 of it, the year's format first.
fn best(mut mappings: Vec<Mapping>, year: Option<i32>) -> Mapping {
    mappings.sort_by(|a, b| b.coverage.total_cmp(&a.coverage));
    let best_coverage = mappings[0].coverage;
    if let Some(year) = year {
        let of_year = FormatId::for_year(year);
        if let Some(index) = mappings.iter().position(|mapping| {
            mapping.format == of_year && best_coverage - mapping.coverage < 0.05
        }) {
            return mappings.swap_remove(index);
        }
    }
    mappings.swap_remove(0)
}

/// The measure each value cell of `format` shows (`row.measure . column.measure`).
pub fn cell_measures(format: &Format) -> Vec<(String, CellKey)> {
    let mut cells = Vec::new();
    for table in &format.tables {
        for (_, row, column) in table.value_cells() {
            let parts: Vec<&str> = [row.measure.as_deref().unwrap_or(""), column.measure.as_str()]
                .into_iter()
                .filter(|part| !part.is_empty())
                .collect();
            if !parts.is_empty() {
                cells.push((parts.join("."), CellKey::new(&table.id, &row.key, &column.key)));
            }
        }
    }
    cells
}
