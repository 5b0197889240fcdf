//! Plain text as reports are copied out of word processors (the founding document, ../shared/seed/): a
//! table cell is a line starting with a tab (a label may continue on the next lines without one), a row
//! ends at a blank line; a line with tabs between its cells is a row by itself (as a table copied from a
//! browser or a spreadsheet is pasted). A line between pipes (`| a | b |`) is a row of a Markdown table (the
//! `|---|` line under its header is skipped, also when a header is repeated mid-table). Everything else is
//! prose, one paragraph per line.

use crate::document::{Document, RawCell, RawTable};
use crate::normalize::{self, CellRead};

pub(crate) fn read(text: &str) -> Document {
    read_text(text, true)
}

/// Reads `text`; `laid_out`: also as text laid out with spaces and wrapped at a width (`pdftotext`'s), which
/// the PDF reader's own text is not — it has placed its columns and paragraphs by geometry already, and a
/// table it refused (overprinted figures) must not come back as a table parted by spaces.
pub(crate) fn read_text(text: &str, laid_out: bool) -> Document {
    let lines: Vec<&str> = text.lines().map(|line| line.trim_end_matches('\r')).collect();
    let regions = if laid_out { spaced_regions(&lines) } else { Vec::new() };
    let region_of = region_index(&regions, lines.len());
    // The width of the widest line: a prose line about as wide, not ending a sentence, was wrapped.
    let full_width = widest_prose_line(&lines, &region_of);
    // Text taken out of a PDF wraps its paragraphs at the page's width and parts them with blank lines: when
    // several lines reach the width without ending a sentence, the lines of a paragraph are joined until a
    // blank line (or a heading); otherwise (a word processor's text) a line is a paragraph.
    let wrapping = laid_out && wraps_at_width(&lines, &region_of, full_width);
    let mut reader = TextReader {
        lines,
        region_of,
        wrapping,
        document: Document::default(),
        table: None,
        row: Vec::new(),
        blank_run: 0,
        wrapped: false,
        last_was_break: true,
    };
    reader.read_lines();
    reader.end_table();
    reader.document
}

/// Each line's region (its first and last line), by line: looked up once a line.
fn region_index(regions: &[(usize, usize)], count: usize) -> Vec<Option<(usize, usize)>> {
    let mut region_of: Vec<Option<(usize, usize)>> = vec![None; count];
    for &(start, end) in regions {
        for slot in &mut region_of[start..=end] {
            *slot = Some((start, end));
        }
    }
    region_of
}

/// The display width of the widest line outside spaced tables, tab rows and pipe rows (at least 1).
fn widest_prose_line(lines: &[&str], region_of: &[Option<(usize, usize)>]) -> usize {
    lines
        .iter()
        .enumerate()
        .filter(|(at, line)| {
            region_of[*at].is_none() && !line.contains('\t') && pipe_row(line).is_none()
        })
        .map(|(_, line)| width(line.trim()))
        .max()
        .unwrap_or(0)
        .max(1)
}

/// Whether a line ends a sentence (or a clause, or a parenthesis).
fn ends_sentence(line: &str) -> bool {
    line.trim_end().ends_with(['。', '！', '？', '：', '；', ':', ';', '）', ')'])
}

/// Whether at least three prose lines reach about `full_width` without ending a sentence.
fn wraps_at_width(lines: &[&str], region_of: &[Option<(usize, usize)>], full_width: usize) -> bool {
    lines
        .iter()
        .enumerate()
        .filter(|(at, line)| {
            region_of[*at].is_none()
                && !line.contains('\t')
                && width(line.trim()) * 10 >= full_width * 9
                && !ends_sentence(line)
        })
        .count()
        >= 3
}

/// The state of reading plain text line by line: the document so far and the table and row being read.
struct TextReader<'a> {
    lines: Vec<&'a str>,
    region_of: Vec<Option<(usize, usize)>>,
    /// Whether prose lines are wrapped at the page's width (text taken out of a PDF).
    wrapping: bool,
    document: Document,
    table: Option<RawTable>,
    row: Vec<RawCell>,
    blank_run: usize,
    /// Whether the last paragraph continues on the next line.
    wrapped: bool,
    last_was_break: bool,
}

impl TextReader<'_> {
    /// Reads every line in turn, a table laid out with spaces as a whole.
    fn read_lines(&mut self) {
        let mut index = 0;
        while index < self.lines.len() {
            let line = self.lines[index];
            index += 1;
            if let Some((start, end)) =
                self.region_of[index - 1].filter(|(start, _)| *start == index - 1)
            {
                self.spaced_region(start, end);
                index = end + 1;
                continue;
            }
            if self.read_line(line, index) {
                continue;
            }
            self.wrapped = false;
            self.last_was_break = true;
        }
    }

    /// Ends the row being read, if it has cells, as a row of the table being read (begun if need be).
    fn finish_row(&mut self) {
        if !self.row.is_empty() {
            let row = std::mem::take(&mut self.row);
            self.table.get_or_insert_with(RawTable::default).rows.push(row);
        }
    }

    /// Ends the row being read and the table being read, if any.
    fn end_table(&mut self) {
        self.finish_row();
        if let Some(done) = self.table.take() {
            self.document.tables.push(done);
        }
    }

    /// Reads the table laid out with spaces on lines `start..=end`: rows of its own.
    fn spaced_region(&mut self, start: usize, end: usize) {
        self.end_table();
        self.document.tables.push(spaced_table(&self.lines[start..=end]));
        self.blank_run = 0;
        (self.wrapped, self.last_was_break) = (false, true);
    }

    /// Ends the row being read and reads `cells` as a row by itself.
    fn row_of(&mut self, cells: impl Iterator<Item = RawCell>) {
        self.finish_row();
        self.row.extend(cells);
        self.finish_row();
    }

    /// Reads one line outside a spaced table (`next`: the index of the line after it); returns whether
    /// it was a paragraph of prose, which the next line may continue.
    fn read_line(&mut self, line: &str, next: usize) -> bool {
        if let Some(cells) = pipe_row(line) {
            self.blank_run = 0;
            self.finish_row();
            if !cells.is_empty() {
                self.row.extend(cells.into_iter().map(RawCell::new));
                self.finish_row();
            }
        } else if let Some(rest) = line.strip_prefix('\t') {
            self.blank_run = 0;
            if rest.contains('\t') {
                // A row on one line: cells between tabs.
                self.row_of(rest.split('\t').map(|cell| RawCell::new(cell.trim())));
            } else {
                self.row.push(RawCell::new(rest.trim()));
            }
        } else if line.contains('\t') && !line.trim().is_empty() {
            // A row copied from a browser or a spreadsheet: cells between tabs, no leading tab.
            self.blank_run = 0;
            self.row_of(line.split('\t').map(|cell| RawCell::new(cell.trim())));
        } else if line.trim().is_empty() {
            self.blank_run += 1;
            self.finish_row();
            // Two blank lines, or prose, end a table; one blank line ends a row.
            if self.blank_run >= 2
                && let Some(done) = self.table.take()
            {
                self.document.tables.push(done);
            }
        } else if !self.row.is_empty() && line.starts_with(' ') {
            // A cell continued on the next line (an annotation under a label).
            if let Some(last) = self.row.last_mut() {
                last.text.push_str(line.trim());
            }
            self.blank_run = 0;
        } else {
            return self.read_prose(line, next);
        }
        false
    }

    /// Reads a line of prose, which ends the table being read; returns whether it made or continued a
    /// paragraph.
    fn read_prose(&mut self, line: &str, next: usize) -> bool {
        self.blank_run = 0;
        self.end_table();
        let paragraph = unspace(&strip_markers(line.trim()));
        if paragraph.is_empty() {
            return false;
        }
        // A line wrapped at the page's width (text taken out of a PDF) continues on the next.
        match self.document.paragraphs.last_mut() {
            Some(last) if self.wrapped && !self.last_was_break => last.push_str(&paragraph),
            _ => self.document.paragraphs.push(paragraph),
        }
        let next_line = self.lines.get(next).copied().unwrap_or("");
        self.wrapped = self.wrapping && !starts_heading(next_line);
        self.last_was_break = false;
        true
    }
}

/// Whether a line starts a section or a numbered item (一、 （一） 1.): a new paragraph.
fn starts_heading(line: &str) -> bool {
    let line = line.trim_start();
    let numeral = line.chars().take_while(|c| "一二三四五六七八九十".contains(*c)).count();
    (numeral > 0 && line.chars().nth(numeral) == Some('、'))
        || line.starts_with(['（', '('])
            && line.chars().nth(1).is_some_and(|c| "一二三四五六七八九十".contains(c))
}

/// The display width of a line: a CJK character or a full-width mark takes two columns.
fn width(line: &str) -> usize {
    line.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum()
}

/// Spaces between a Chinese character and a digit or Latin letter removed ("公开政府信息 2602 条" →
/// "公开政府信息2602条"): text taken out of a PDF puts them where the glyphs are apart; Chinese prose has
/// none.
fn unspace(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    // The nearest character that is not a space, before and after each position: one pass each way.
    let mut before: Vec<Option<char>> = Vec::with_capacity(chars.len());
    let mut last = None;
    for c in &chars {
        before.push(last);
        if *c != ' ' {
            last = Some(*c);
        }
    }
    let mut after: Vec<Option<char>> = vec![None; chars.len()];
    let mut next = None;
    for (index, c) in chars.iter().enumerate().rev() {
        after[index] = next;
        if *c != ' ' {
            next = Some(*c);
        }
    }
    let mut out = String::with_capacity(line.len());
    for (index, c) in chars.iter().enumerate() {
        // A space with Chinese on either side goes; one between Latin letters or digits stays.
        let between = *c == ' '
            && matches!((before[index], after[index]), (Some(b), Some(a)) if !b.is_ascii() || !a.is_ascii());
        if !between {
            out.push(*c);
        }
    }
    out
}

/// A line of a table laid out with spaces: its label parts (split where two or more spaces part them; a unit
/// such as 条 kept as its own part) and its values (the numbers, or marks of an empty value, at its end,
/// split by spaces).
struct SpacedLine {
    labels: Vec<String>,
    values: Vec<String>,
}

fn value_token(token: &str) -> bool {
    token.chars().any(|c| c.is_ascii_digit() || ('０'..='９').contains(&c))
        && !matches!(normalize::read_cell(token, None), CellRead::Unreadable(_))
        || matches!(token, "/" | "—" | "——" | "-" | "－")
}

/// A label's parts where two spaces or more part them (a merged heading beside the row's own label).
fn label_parts(text: &str) -> Vec<String> {
    text.split("  ").map(str::trim).filter(|part| !part.is_empty()).map(str::to_owned).collect()
}

fn spaced_line(line: &str) -> Option<SpacedLine> {
    let tokens: Vec<&str> = line.split_whitespace().collect();
    let values = tokens.iter().rev().take_while(|token| value_token(token)).count();
    let label_tokens = tokens.len() - values;
    let labelled = tokens[..label_tokens]
        .iter()
        .any(|token| token.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)));
    // Numbers alone take two at least (a page number is one); a label takes one.
    if values == 0 || (label_tokens == 0 && values < 2) || (label_tokens > 0 && !labelled) {
        return None;
    }
    // The label: the text before the first value, parted where two spaces or more part it.
    let mut rest = line.trim();
    for _ in 0..values {
        rest = rest.trim_end();
        // After the last whitespace character (a full-width space is three bytes).
        let cut = rest
            .char_indices()
            .rev()
            .find(|(_, c)| c.is_whitespace())
            .map_or(0, |(at, c)| at + c.len_utf8());
        rest = &rest[..cut];
    }
    let mut labels = label_parts(rest);
    // A unit written one space after the label (主动公开信息数 条 425 1516) is its own part.
    if let Some(last) = labels.last_mut()
        && let Some((label, unit)) = last.rsplit_once(' ')
        && normalize::is_unit(unit)
    {
        let (label, unit) = (label.trim().to_owned(), unit.to_owned());
        *last = label;
        labels.push(unit);
    }
    let values = tokens[label_tokens..].iter().map(|token| (*token).to_owned()).collect();
    Some(SpacedLine { labels, values })
}

/// The parts of `lines` that are tables laid out with spaces (`pdftotext -layout`): runs of two or more
/// value lines at most four lines of text apart (a label wrapped over lines, a row's label above its
/// numbers), as (first, last) line indices.
fn spaced_regions(lines: &[&str]) -> Vec<(usize, usize)> {
    let mut regions: Vec<(usize, usize, usize)> = Vec::new(); // (first, last, value lines)
    let mut text_since = 0;
    for (index, line) in lines.iter().enumerate() {
        // Lines with tabs or pipes are tables of their own kind.
        if line.contains('\t') || pipe_row(line).is_some() {
            text_since = usize::MAX / 2;
            continue;
        }
        if spaced_line(line).is_some() {
            match regions.last_mut() {
                Some(region) if text_since <= 4 => {
                    region.1 = index;
                    region.2 += 1;
                }
                _ => regions.push((index, index, 1)),
            }
            text_since = 0;
        } else if !line.trim().is_empty() {
            text_since += 1;
        }
    }
    regions.into_iter().filter(|(_, _, values)| *values >= 2).map(|(a, b, _)| (a, b)).collect()
}

/// A table laid out with spaces: a row per value line, its label its own or, when it has none, the text
/// line right above it in the table (a label the layout put on its own line).
fn spaced_table(lines: &[&str]) -> RawTable {
    let mut table = RawTable { rows: Vec::new(), spaced: true };
    let mut above: Option<&str> = None;
    for line in lines {
        match spaced_line(line) {
            Some(parsed) => {
                let labels = if parsed.labels.is_empty() {
                    above.map(label_parts).unwrap_or_default()
                } else {
                    parsed.labels
                };
                table
                    .rows
                    .push(labels.into_iter().chain(parsed.values).map(RawCell::new).collect());
                above = None;
            }
            None if !line.trim().is_empty() => above = Some(line),
            None => {}
        }
    }
    table
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

    /// A table's cells as text, row by row.
    fn texts(table: &RawTable) -> Vec<Vec<&str>> {
        table.rows.iter().map(|row| row.iter().map(|cell| cell.text.as_str()).collect()).collect()
    }

    #[test]
    fn text_laid_out_with_spaces_is_read_as_pdftotext_gives_it() {
        // `pdftotext -layout` of a printed report (平潭 2022, tests/corpus): prose wrapped at the page's
        // width with spaces around the numbers, a table whose cells are parted by spaces, a label on the
        // line above its numbers, a row with an empty cell (fewer numbers), and a page number.
        let text = "\
本机关坚持以公开为常态、不公开为例外，围绕重点领域深化信息公开，做好政策解读和回应关切工作\n\
，推进决策、执行、管理、服务、结果公开，全年主动公开政府信息 2602 条（其中机构职能类信\n\
息 82 条，政策文件类信息 80 条，规划计划类信息 21 条，行政许可类信息 19 条，为民办实事类\n\
信息 1 条，其他信息 2399 条）。\n\
\n\
一、本年新收政府信息公开申请数量            71   3   0   0   0      0    74\n\
\n\
二、上年结转政府信息公开申请数量            1    0   0   0   0      0    1\n\
\n\
果    （二）部分公开（区分处理的，\n\
                            8    1   0   0   0      0    9\n\
     只计这一情形，不计其他情形）\n\
    5.属于三类内部事务信息 1     0   0   0   1\n\
\n\
3\n\
\n\
二、主动公开政府信息情况\n";
        let document = read(text);
        assert_eq!(
            document.paragraphs,
            [
                "本机关坚持以公开为常态、不公开为例外，围绕重点领域深化信息公开，做好政策解读和回应关切工作\
                 ，推进决策、执行、管理、服务、结果公开，全年主动公开政府信息2602条（其中机构职能类信息82条\
                 ，政策文件类信息80条，规划计划类信息21条，行政许可类信息19条，为民办实事类信息1条，其他\
                 信息2399条）。",
                "3",
                "二、主动公开政府信息情况"
            ]
        );
        assert_eq!(document.tables.len(), 1);
        let table = &document.tables[0];
        assert!(table.spaced);
        let rows = texts(table);
        assert_eq!(
            rows[0],
            ["一、本年新收政府信息公开申请数量", "71", "3", "0", "0", "0", "0", "74"]
        );
        assert_eq!(
            rows[2],
            ["果", "（二）部分公开（区分处理的，", "8", "1", "0", "0", "0", "0", "9"]
        );
        assert_eq!(rows[3], ["5.属于三类内部事务信息", "1", "0", "0", "0", "1"]);
        // A word processor's text (no line wrapped at a width) keeps a line per paragraph.
        let plain = read("一、概述\n本机关2021年公开政府信息100条\n另有说明\n");
        assert_eq!(plain.paragraphs.len(), 3);
    }

    #[test]
    fn a_full_width_space_before_a_number_is_no_trouble() {
        // Review finding: the label was cut one byte into the three of U+3000 (a panic).
        let document =
            read("附件　1\n一、本年新收　71 3 0 0 0 0 74\n二、上年结转　1 0 0 0 0 0 1\n");
        assert_eq!(document.tables.len(), 1);
        let labels: Vec<&str> =
            document.tables[0].rows.iter().map(|row| row[0].text.as_str()).collect();
        assert_eq!(labels, ["附件", "一、本年新收", "二、上年结转"]);
    }

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
        let rows = texts(&document.tables[0]);
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
        let rows = texts(&document.tables[0]);
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
