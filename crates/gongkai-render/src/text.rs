//! Plain text, laid out as reports are copied out of word processors (the founding document's layout):
//! the title, each heading and paragraph on its own line, and each table as one line per cell after a
//! tab (a label's note continued on the next line, indented), a blank line after each row and another after
//! the table. A merged cell is written once, where it starts. `gongkai audit` reads this layout back.

use std::fmt::Write as _;

use crate::Document;

pub(crate) fn render(document: &Document<'_>) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}\n", document.report.title);
    for section in &document.sections {
        let _ = writeln!(out, "{}", section.heading);
        if section.annex {
            let _ = writeln!(out, "填报单位：{}", document.report.agency.name);
        }
        for paragraph in &section.paragraphs {
            let _ = writeln!(out, "    {}", paragraph.text);
        }
        if section.chart {
            let _ = writeln!(out, "{}", document.chart_caption);
        }
        for grid in &section.grids {
            let _ = writeln!(out, "{}", grid.title);
            for row in &grid.rows {
                for cell in row {
                    let mut lines = cell.text.lines();
                    let _ = writeln!(out, "\t{}", lines.next().unwrap_or(""));
                    for line in lines {
                        let _ = writeln!(out, "         {line}");
                    }
                }
                out.push('\n');
            }
            out.push('\n');
        }
    }
    let signature: Vec<String> =
        document.signature.iter().map(|(role, value)| format!("{role}：{value}")).collect();
    let _ = writeln!(out, "{}", signature.join("　"));
    out
}
