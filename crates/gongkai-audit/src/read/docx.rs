//! DOCX (Office Open XML): `word/document.xml` read as a stream of XML events. Paragraphs are `w:p`
//! outside tables; a table is `w:tbl` with rows `w:tr` and cells `w:tc`, horizontal merges from
//! `w:gridSpan`, vertical ones from `w:vMerge` (a continuing cell lengthens the cell above it). The part is
//! read through a size limit, so a zip bomb stops at the limit instead of filling memory.

use std::io::{Cursor, Read};

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use crate::AuditError;
use crate::document::{Document, RawCell, RawTable};

/// The most bytes `word/document.xml` may inflate to (a 300-page report is about 5 MB).
const MAX_DOCUMENT_XML: u64 = 64 * 1024 * 1024;

pub(crate) fn read(bytes: &[u8]) -> Result<Document, AuditError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|err| AuditError::Unreadable(format!("not a DOCX (zip) file: {err}")))?;
    let mut part = archive
        .by_name("word/document.xml")
        .map_err(|_| AuditError::Unreadable("the DOCX has no word/document.xml".to_owned()))?;
    let mut xml = Vec::new();
    (&mut part)
        .take(MAX_DOCUMENT_XML + 1)
        .read_to_end(&mut xml)
        .map_err(|err| AuditError::Unreadable(format!("word/document.xml: {err}")))?;
    if xml.len() as u64 > MAX_DOCUMENT_XML {
        return Err(AuditError::Unreadable(format!(
            "word/document.xml inflates to more than {} MiB",
            MAX_DOCUMENT_XML / 1024 / 1024
        )));
    }
    parse(&xml)
}

/// A table being read, with where each grid column's latest cell started (for vertical merges).
#[derive(Default)]
struct TableBuilder {
    table: RawTable,
    column: usize,
    /// For each grid column: (row, cell index) of the cell covering it in the latest row.
    starts: Vec<Option<(usize, usize)>>,
    cell: Option<CellBuilder>,
}

#[derive(Default)]
struct CellBuilder {
    text: String,
    span: u16,
    continues: bool,
}

fn attribute(element: &BytesStart<'_>, local: &[u8]) -> Option<String> {
    element
        .attributes()
        .flatten()
        .find(|attribute| attribute.key.local_name().as_ref() == local)
        .map(|attribute| String::from_utf8_lossy(&attribute.value).into_owned())
}

pub(crate) fn parse(xml: &[u8]) -> Result<Document, AuditError> {
    let mut reader = Reader::from_reader(xml);
    let mut document = Document::default();
    let mut tables: Vec<TableBuilder> = Vec::new();
    let mut paragraph = String::new();
    let mut in_text = false;
    loop {
        let event = reader
            .read_event()
            .map_err(|err| AuditError::Unreadable(format!("word/document.xml: {err}")))?;
        match event {
            Event::Eof => break,
            Event::Start(ref element) | Event::Empty(ref element) => {
                let empty = matches!(event, Event::Empty(_));
                match element.local_name().as_ref() {
                    b"t" => in_text = !empty,
                    b"tab" => paragraph.push('\t'),
                    b"br" | b"cr" => paragraph.push('\n'),
                    b"tbl" => tables.push(TableBuilder::default()),
                    b"tr" => {
                        if let Some(table) = tables.last_mut() {
                            table.table.rows.push(Vec::new());
                            table.column = 0;
                        }
                    }
                    b"tc" => {
                        if let Some(table) = tables.last_mut() {
                            table.cell = Some(CellBuilder { span: 1, ..CellBuilder::default() });
                        }
                    }
                    b"gridSpan" => {
                        if let Some(cell) = tables.last_mut().and_then(|t| t.cell.as_mut()) {
                            cell.span = attribute(element, b"val")
                                .and_then(|value| value.parse().ok())
                                .unwrap_or(1u16)
                                .clamp(1, 64);
                        }
                    }
                    b"vMerge" => {
                        if let Some(cell) = tables.last_mut().and_then(|t| t.cell.as_mut()) {
                            cell.continues =
                                attribute(element, b"val").as_deref() != Some("restart");
                        }
                    }
                    _ => {}
                }
            }
            Event::Text(text) if in_text => {
                paragraph.push_str(&text.decode().unwrap_or_default());
            }
            Event::GeneralRef(reference) if in_text => {
                if let Ok(Some(c)) = reference.resolve_char_ref() {
                    paragraph.push(c);
                } else {
                    paragraph.push_str(match &*reference {
                        b"amp" => "&",
                        b"lt" => "<",
                        b"gt" => ">",
                        b"quot" => "\"",
                        b"apos" => "'",
                        _ => "",
                    });
                }
            }
            Event::End(element) => match element.local_name().as_ref() {
                b"t" => in_text = false,
                b"p" => {
                    let text = std::mem::take(&mut paragraph);
                    match tables.last_mut().and_then(|t| t.cell.as_mut()) {
                        Some(cell) => {
                            if !cell.text.is_empty() {
                                cell.text.push('\n');
                            }
                            cell.text.push_str(text.trim());
                        }
                        None => {
                            let text = text.trim();
                            if !text.is_empty() {
                                document.paragraphs.push(text.to_owned());
                            }
                        }
                    }
                }
                b"tc" => {
                    if let Some(table) = tables.last_mut() {
                        finish_cell(table);
                    }
                }
                b"tbl" => {
                    if let Some(table) = tables.pop() {
                        document.tables.push(table.table);
                    }
                }
                _ => {}
            },
            _ => {}
        }
    }
    Ok(document)
}

fn finish_cell(table: &mut TableBuilder) {
    let Some(cell) = table.cell.take() else { return };
    let row_index = table.table.rows.len().saturating_sub(1);
    let span = usize::from(cell.span);
    let column = table.column;
    table.column += span;
    if table.starts.len() < table.column {
        table.starts.resize(table.column, None);
    }
    if cell.continues {
        // Lengthen the cell that started above in this column.
        if let Some((start_row, start_cell)) = table.starts[column]
            && let Some(above) =
                table.table.rows.get_mut(start_row).and_then(|row| row.get_mut(start_cell))
        {
            above.rowspan = above.rowspan.saturating_add(1);
            return;
        }
    }
    let Some(row) = table.table.rows.get_mut(row_index) else { return };
    row.push(RawCell { text: cell.text, colspan: cell.span, rowspan: 1 });
    let index = row.len() - 1;
    for start in &mut table.starts[column..column + span] {
        *start = Some((row_index, index));
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn docx(document_xml: &[u8]) -> Vec<u8> {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        zip.start_file("word/document.xml", zip::write::SimpleFileOptions::default()).unwrap();
        zip.write_all(document_xml).unwrap();
        zip.finish().unwrap().into_inner()
    }

    #[test]
    fn merged_cells_and_paragraphs() {
        let xml = r#"<w:document xmlns:w="w"><w:body><w:p><w:r><w:t>标题</w:t></w:r></w:p>
            <w:tbl><w:tr><w:tc><w:tcPr><w:vMerge w:val="restart"/></w:tcPr><w:p><w:r><w:t>甲</w:t></w:r></w:p></w:tc>
            <w:tc><w:tcPr><w:gridSpan w:val="2"/></w:tcPr><w:p><w:r><w:t>1 &amp; 2</w:t></w:r></w:p></w:tc></w:tr>
            <w:tr><w:tc><w:tcPr><w:vMerge/></w:tcPr><w:p/></w:tc><w:tc><w:p><w:r><w:t>3</w:t></w:r></w:p></w:tc>
            <w:tc><w:p><w:r><w:t>4</w:t></w:r></w:p></w:tc></w:tr></w:tbl></w:body></w:document>"#;
        let document = read(&docx(xml.as_bytes())).unwrap();
        assert_eq!(document.paragraphs, vec!["标题"]);
        let rows = &document.tables[0].rows;
        assert_eq!(rows[0][0], RawCell { text: "甲".into(), colspan: 1, rowspan: 2 });
        assert_eq!(rows[0][1], RawCell { text: "1 & 2".into(), colspan: 2, rowspan: 1 });
        assert_eq!(rows[1].len(), 2, "the continued cell is not a cell of its own");
    }

    #[test]
    fn a_zip_bomb_stops_at_the_limit() {
        let bomb = docx(&vec![b' '; (MAX_DOCUMENT_XML + 1024) as usize]);
        assert!(bomb.len() < 1024 * 1024, "{} bytes compressed", bomb.len());
        let refused = read(&bomb).unwrap_err();
        assert!(refused.to_string().contains("inflates to more than 64 MiB"), "{refused}");
        assert!(read(b"PK\x03\x04 not really a zip").is_err());
    }
}
