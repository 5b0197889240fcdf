//! HTML as agencies publish reports on their websites: tables from `<table>` (cells `<td>`/`<th>` with
//! their `colspan`/`rowspan`; a table inside a cell is a table of its own), prose from block elements
//! outside tables (headings, paragraphs, list items, captions, and a `<div>` holding text directly).
//! Parsed with html5ever (via scraper), which recovers from broken markup as browsers do; the walk over
//! the tree is iterative, so deep nesting costs no stack.

use scraper::{ElementRef, Html, Node};

use crate::AuditError;
use crate::document::{Document, RawCell, RawTable};

const BLOCKS: [&str; 14] = [
    "p",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "figcaption",
    "dt",
    "dd",
    "pre",
    "blockquote",
    "div",
];

/// The deepest nesting read. html5ever checks scopes by walking the stack of open elements, so parsing
/// time grows with the square of the depth; real reports nest a few dozen elements deep.
const MAX_DEPTH: usize = 2_000;

/// Elements that never contain others, or that the parser closes by itself when the next one opens.
const NOT_NESTING: [&str; 21] = [
    "br", "img", "meta", "link", "input", "hr", "col", "area", "base", "wbr", "source", "param",
    "track", "embed", "p", "li", "td", "th", "tr", "option", "dd",
];

/// An upper bound of the element nesting depth, from the tags alone.
fn nesting_depth(source: &str) -> usize {
    let bytes = source.as_bytes();
    let (mut depth, mut deepest) = (0usize, 0usize);
    let mut index = 0;
    while let Some(offset) = memchr_lt(&bytes[index..]) {
        let start = index + offset + 1;
        index = start;
        let closing = bytes.get(start) == Some(&b'/');
        let name_start = start + usize::from(closing);
        let name_end = bytes[name_start..]
            .iter()
            .position(|byte| !byte.is_ascii_alphanumeric())
            .map_or(bytes.len(), |end| name_start + end);
        if name_end == name_start {
            continue;
        }
        let name = source[name_start..name_end].to_ascii_lowercase();
        if NOT_NESTING.contains(&name.as_str()) {
            continue;
        }
        if closing {
            depth = depth.saturating_sub(1);
        } else {
            let self_closing = bytes[name_end..]
                .iter()
                .position(|byte| *byte == b'>')
                .is_some_and(|end| end > 0 && bytes[name_end + end - 1] == b'/');
            if !self_closing {
                depth += 1;
                deepest = deepest.max(depth);
            }
        }
    }
    deepest
}

fn memchr_lt(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|byte| *byte == b'<')
}

pub(crate) fn read(source: &str) -> Result<Document, AuditError> {
    let depth = nesting_depth(source);
    if depth > MAX_DEPTH {
        return Err(AuditError::Unreadable(format!(
            "the HTML nests elements {depth} deep (at most {MAX_DEPTH} are read)"
        )));
    }
    let html = Html::parse_document(source);
    let mut document = Document::default();
    let mut paragraph = String::new();
    let flush = |paragraph: &mut String, document: &mut Document| {
        let text = collapse(paragraph);
        if !text.is_empty() {
            document.paragraphs.push(text);
        }
        paragraph.clear();
    };
    // Iterative walk with enter and leave events: a block boundary ends the paragraph being collected.
    let mut stack = vec![(html.tree.root(), false)];
    while let Some((node, leaving)) = stack.pop() {
        match node.value() {
            Node::Text(text) if !leaving => paragraph.push_str(text),
            Node::Element(element) => {
                let name = element.name();
                if leaving {
                    if BLOCKS.contains(&name) {
                        flush(&mut paragraph, &mut document);
                    }
                    continue;
                }
                match name {
                    "script" | "style" | "head" | "svg" | "template" => continue,
                    "br" => paragraph.push('\n'),
                    "table" => {
                        flush(&mut paragraph, &mut document);
                        if let Some(table_element) = ElementRef::wrap(node) {
                            document.tables.push(table(table_element));
                            // Tables nested in its cells are read as tables of their own.
                            stack.extend(
                                nested_tables(table_element).into_iter().rev().map(|t| (*t, false)),
                            );
                        }
                        continue;
                    }
                    _ => {}
                }
                if BLOCKS.contains(&name) {
                    flush(&mut paragraph, &mut document);
                }
                stack.push((node, true));
                let children: Vec<_> = node.children().collect();
                stack.extend(children.into_iter().rev().map(|child| (child, false)));
            }
            _ if !leaving => {
                let children: Vec<_> = node.children().collect();
                stack.extend(children.into_iter().rev().map(|child| (child, false)));
            }
            _ => {}
        }
    }
    flush(&mut paragraph, &mut document);
    Ok(document)
}

/// Whitespace runs (including full-width spaces and line breaks) become one space at most; CJK text
/// keeps no spaces between characters that the markup only broke for layout.
fn collapse(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.chars() {
        if c.is_whitespace() {
            pending_space = !out.is_empty();
        } else {
            if pending_space
                && c.is_ascii()
                && out.chars().last().is_some_and(|last| last.is_ascii())
            {
                out.push(' ');
            }
            pending_space = false;
            out.push(c);
        }
    }
    out
}

/// The `<tr>`s that belong to `table` itself (not to a table nested in one of its cells).
fn own_rows(table: ElementRef<'_>) -> Vec<ElementRef<'_>> {
    let mut rows = Vec::new();
    let mut stack: Vec<_> = table.children().collect();
    stack.reverse();
    while let Some(node) = stack.pop() {
        let Some(element) = ElementRef::wrap(node) else { continue };
        match element.value().name() {
            "tr" => rows.push(element),
            "table" => {}
            _ => {
                let mut children: Vec<_> = element.children().collect();
                children.reverse();
                stack.extend(children);
            }
        }
    }
    rows
}

fn nested_tables(table: ElementRef<'_>) -> Vec<ElementRef<'_>> {
    let mut nested = Vec::new();
    let mut stack: Vec<_> = table.children().collect();
    while let Some(node) = stack.pop() {
        let Some(element) = ElementRef::wrap(node) else { continue };
        if element.value().name() == "table" {
            nested.push(element);
        } else {
            stack.extend(element.children());
        }
    }
    nested.reverse();
    nested
}

fn span(element: ElementRef<'_>, name: &str) -> u16 {
    element
        .value()
        .attr(name)
        .and_then(|value| value.trim().parse::<u16>().ok())
        .unwrap_or(1)
        .max(1)
}

fn table(element: ElementRef<'_>) -> RawTable {
    let rows = own_rows(element)
        .into_iter()
        .map(|row| {
            row.children()
                .filter_map(ElementRef::wrap)
                .filter(|cell| matches!(cell.value().name(), "td" | "th"))
                .map(|cell| RawCell {
                    text: cell_text(cell),
                    colspan: span(cell, "colspan"),
                    rowspan: span(cell, "rowspan"),
                })
                .collect()
        })
        .collect();
    RawTable { rows, spaced: false }
}

/// A cell's text without the text of tables nested in it; line breaks kept as spaces are dropped
/// between CJK characters.
fn cell_text(cell: ElementRef<'_>) -> String {
    let mut text = String::new();
    let mut stack: Vec<_> = cell.children().collect();
    stack.reverse();
    while let Some(node) = stack.pop() {
        match node.value() {
            Node::Text(part) => text.push_str(part),
            Node::Element(inner) if inner.name() == "br" => text.push('\n'),
            Node::Element(inner) if matches!(inner.name(), "table" | "script" | "style") => {}
            Node::Element(_) => {
                let mut children: Vec<_> = node.children().collect();
                children.reverse();
                stack.extend(children);
            }
            _ => {}
        }
    }
    collapse(&text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_and_paragraphs_in_order() {
        let document = read(
            "<html><body><h1>报告</h1><div><p>第一段</p><p>收到申请<b>3</b>件</p></div>\
             <table><caption>表</caption><tr><th rowspan=2>甲</th><td colspan='2'>1</td></tr>\
             <tr><td>２</td><td><table><tr><td>内</td></tr></table>外</td></tr></table></body></html>",
        )
        .unwrap();
        assert_eq!(document.paragraphs, vec!["报告", "第一段", "收到申请3件"]);
        assert_eq!(document.tables.len(), 2);
        let outer = &document.tables[0];
        assert_eq!(outer.rows[0][0], RawCell { text: "甲".into(), colspan: 1, rowspan: 2 });
        assert_eq!(outer.rows[0][1].colspan, 2);
        assert_eq!(outer.rows[1][1].text, "外");
        assert_eq!(document.tables[1].rows[0][0].text, "内");
    }

    #[test]
    fn deep_nesting_is_read_to_a_limit_and_refused_beyond() {
        let nested =
            |depth: usize| format!("{}<p>深</p>{}", "<div>".repeat(depth), "</div>".repeat(depth));
        let document = read(&nested(MAX_DEPTH - 10)).unwrap();
        assert!(document.paragraphs.iter().any(|p| p == "深"));
        let refused = read(&nested(100_000)).unwrap_err();
        assert!(refused.to_string().contains("100000 deep"), "{refused}");
        // Unclosed paragraphs and cells, as sloppy pages have them, do not count as nesting.
        let sloppy = format!("<table>{}</table>", "<tr><td>1<td><p>2".repeat(5_000));
        assert!(read(&sloppy).is_ok());
    }
}
