//! Plain text as reports are copied out of word processors (the founding document, ../shared/seed/): a
//! table cell is a line starting with a tab (a label may continue on the next lines without one), a row
//! ends at a blank line; a line with tabs between its cells is a row by itself (as a table copied from a
//! browser or a spreadsheet is pasted). A line between pipes (`| a | b |`) is a row of a Markdown table (the
//! `|---|` line under its header is skipped, also when a header is repeated mid-table). Everything else is
//! prose, one paragraph per line.

use crate::document::{Document, RawCell, RawTable};

pub(crate) fn read(text: &str) -> Document {
    let mut document = Document::default();
    let mut table: Option<RawTable> = None;
    let mut row: Vec<RawCell> = Vec::new();
    let finish_row = |table: &mut Option<RawTable>, row: &mut Vec<RawCell>| {
        if !row.is_empty() {
            table.get_or_insert_with(RawTable::default).rows.push(std::mem::take(row));
        }
    };
    let mut blank_run = 0usize;
    for line in text.lines() {
        let line = line.trim_end_matches('\r');
        if let Some(cells) = pipe_row(line) {
            blank_run = 0;
            finish_row(&mut table, &mut row);
            if !cells.is_empty() {
                row.extend(cells.into_iter().map(RawCell::new));
                finish_row(&mut table, &mut row);
            }
        } else if let Some(rest) = line.strip_prefix('\t') {
            blank_run = 0;
            if rest.contains('\t') {
                // A row on one line: cells between tabs.
                finish_row(&mut table, &mut row);
                row.extend(rest.split('\t').map(|cell| RawCell::new(cell.trim())));
                finish_row(&mut table, &mut row);
            } else {
                row.push(RawCell::new(rest.trim()));
            }
        } else if line.contains('\t') && !line.trim().is_empty() {
            // A row copied from a browser or a spreadsheet: cells between tabs, no leading tab.
            blank_run = 0;
            finish_row(&mut table, &mut row);
            row.extend(line.split('\t').map(|cell| RawCell::new(cell.trim())));
            finish_row(&mut table, &mut row);
        } else if line.trim().is_empty() {
            blank_run += 1;
            finish_row(&mut table, &mut row);
            // Two blank lines, or prose, end a table; one blank line ends a row.
            if blank_run >= 2
                && let Some(done) = table.take()
            {
                document.tables.push(done);
            }
        } else if !row.is_empty() && line.starts_with(' ') {
            // A cell continued on the next line (an annotation under a label).
            if let Some(last) = row.last_mut() {
                last.text.push_str(line.trim());
            }
            blank_run = 0;
        } else {
            blank_run = 0;
            finish_row(&mut table, &mut row);
            if let Some(done) = table.take() {
                document.tables.push(done);
            }
            let paragraph = strip_markers(line.trim());
            if !paragraph.is_empty() {
                document.paragraphs.push(paragraph);
            }
        }
    }
    finish_row(&mut table, &mut row);
    if let Some(done) = table.take() {
        document.tables.push(done);
    }
    document
}

/// The cells of a Markdown table row (`| a | b \| c |`: `\|` is a pipe inside a cell); an empty list for the
/// `|---|:--:|` line under a header; `None` for a line that is not a table row.
fn pipe_row(line: &str) -> Option<Vec<String>> {
    let trimmed = line.trim();
    if !(trimmed.len() >= 2 && trimmed.starts_with('|') && trimmed.ends_with('|')) {
        return None;
    }
    let inner = &trimmed[1..trimmed.len() - 1];
    if !inner.is_empty() && inner.chars().all(|c| matches!(c, '|' | '-' | ':' | ' ')) {
        return inner.contains('-').then(Vec::new);
    }
    let mut cells = Vec::new();
    let mut cell = String::new();
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => {
                cell.push('|');
                chars.next();
            }
            '|' => cells.push(std::mem::take(&mut cell).trim().to_owned()),
            _ => cell.push(c),
        }
    }
    cells.push(cell.trim().to_owned());
    Some(cells)
}

/// Word-processor export markers such as `[bookmark: title]` or `[image: …]` are not text.
fn strip_markers(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(start) = rest.find('[') {
        let (before, after) = rest.split_at(start);
        out.push_str(before);
        let marker = ["[bookmark:", "[image:"].iter().any(|prefix| after.starts_with(prefix));
        match (marker, after.find(']')) {
            (true, Some(end)) => rest = &after[end + 1..],
            _ => {
                out.push('[');
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
    out.trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_pipe_tables_are_tables() {
        let text = "二、主动公开政府信息情况\n\n| 信息内容 | 本年制发件数 | 本年废止件数 |\n|---|:---:|---|\n\
                    | 规章 | 0 | 0 |\n| 行政规范性文件 | 77 \\| 注 | |\n| 信息内容 | 本年制发件数 | 本年废止件数 |\n\
                    |---|---|---|\n| 其他 | 1 | 2 |\n\n三、收到和处理政府信息公开申请情况\n";
        let document = read(text);
        assert_eq!(
            document.paragraphs,
            ["二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况"]
        );
        assert_eq!(document.tables.len(), 1);
        let rows: Vec<Vec<&str>> = document.tables[0]
            .rows
            .iter()
            .map(|row| row.iter().map(|cell| cell.text.as_str()).collect())
            .collect();
        assert_eq!(
            rows,
            [
                vec!["信息内容", "本年制发件数", "本年废止件数"],
                vec!["规章", "0", "0"],
                vec!["行政规范性文件", "77 | 注", ""],
                vec!["信息内容", "本年制发件数", "本年废止件数"],
                vec!["其他", "1", "2"],
            ]
        );
        // A line with pipes that is prose stays prose.
        assert_eq!(read("甲|乙\n").paragraphs, ["甲|乙"]);
    }

    #[test]
    fn tab_lines_are_cells_and_blank_lines_end_rows() {
        let text = "标题\n\t指标\n\t单位\n\t统计数\n\n\t（一）收到申请数\n        （注）\n\t件\n\t3\n\n\n后记\n";
        let document = read(text);
        assert_eq!(document.paragraphs, vec!["标题", "后记"]);
        assert_eq!(document.tables.len(), 1);
        let rows: Vec<Vec<&str>> = document.tables[0]
            .rows
            .iter()
            .map(|row| row.iter().map(|cell| cell.text.as_str()).collect())
            .collect();
        assert_eq!(
            rows,
            vec![vec!["指标", "单位", "统计数"], vec!["（一）收到申请数（注）", "件", "3"]]
        );
    }

    #[test]
    fn rows_copied_from_a_browser_are_rows() {
        let text = "一、总体情况\n本机关主动公开政府信息10条。\n信息内容\t本年制发件数\t本年废止件数\n规章\t0\t1\n\n后记\n";
        let document = read(text);
        assert_eq!(
            document.paragraphs,
            vec!["一、总体情况", "本机关主动公开政府信息10条。", "后记"]
        );
        assert_eq!(document.tables.len(), 1);
        assert_eq!(
            document.tables[0].rows[1].iter().map(|c| c.text.as_str()).collect::<Vec<_>>(),
            vec!["规章", "0", "1"]
        );
    }

    #[test]
    fn markers_are_dropped() {
        assert_eq!(strip_markers("[bookmark: title]温州市司法局"), "温州市司法局");
        assert_eq!(strip_markers("见[附件]"), "见[附件]");
    }
}
