//! A letter of handling ([`gongkai_core::letters::Letter`]) as DOCX and PDF: the agency and title centred,
//! the number on the right, the salutation, indented paragraphs, and the signature with the date.

use docx_rs::{AlignmentType, Docx, PageMargin, Paragraph, Run, RunFonts, SpecialIndentType};
use gongkai_core::letters::Letter;
use serde::Serialize;

use crate::{FONT_FAMILY, RenderError};

const TEMPLATE: &str = include_str!("../templates/letter.typ");

fn fonts() -> RunFonts {
    RunFonts::new().east_asia(FONT_FAMILY).ascii(FONT_FAMILY).hi_ansi(FONT_FAMILY)
}

fn run(text: &str, half_points: usize, bold: bool) -> Run {
    let run = Run::new().fonts(fonts()).size(half_points).add_text(text);
    if bold { run.bold() } else { run }
}

fn line(text: &str, alignment: AlignmentType, half_points: usize, bold: bool) -> Paragraph {
    Paragraph::new().align(alignment).add_run(run(text, half_points, bold))
}

/// The letter as DOCX (A4, opens in Word, WPS and LibreOffice).
pub fn docx(letter: &Letter) -> Result<Vec<u8>, RenderError> {
    let mut docx = Docx::new()
        .page_size(11_906, 16_838)
        .page_margin(PageMargin::new().top(1_814).bottom(1_588).left(1_474).right(1_474))
        .default_fonts(fonts())
        .add_paragraph(line(&letter.signer, AlignmentType::Center, 36, true))
        .add_paragraph(line(&letter.title, AlignmentType::Center, 36, true))
        .add_paragraph(line(&letter.number, AlignmentType::Right, 22, false))
        .add_paragraph(Paragraph::new())
        .add_paragraph(line(&letter.addressee, AlignmentType::Left, 24, false));
    for text in &letter.paragraphs {
        docx = docx.add_paragraph(
            Paragraph::new()
                .indent(None, Some(SpecialIndentType::FirstLine(480)), None, None)
                .line_spacing(docx_rs::LineSpacing::new().line(360))
                .add_run(run(text, 24, false)),
        );
    }
    docx = docx
        .add_paragraph(Paragraph::new())
        .add_paragraph(Paragraph::new())
        .add_paragraph(line(&letter.signer, AlignmentType::Right, 24, false))
        .add_paragraph(line(&letter.date, AlignmentType::Right, 24, false));
    let mut out = std::io::Cursor::new(Vec::new());
    docx.build().pack(&mut out).map_err(|err| RenderError::Docx(err.to_string()))?;
    Ok(out.into_inner())
}

#[derive(Serialize)]
struct LetterData<'a> {
    agency: &'a str,
    title: &'a str,
    number: &'a str,
    addressee: &'a str,
    paragraphs: &'a [String],
    signer: &'a str,
    date: &'a str,
}

/// The letter as PDF (Typst, the embedded CJK fonts).
pub fn pdf(letter: &Letter) -> Result<Vec<u8>, RenderError> {
    let data = LetterData {
        agency: &letter.signer,
        title: &letter.title,
        number: &letter.number,
        addressee: &letter.addressee,
        paragraphs: &letter.paragraphs,
        signer: &letter.signer,
        date: &letter.date,
    };
    let json = serde_json::to_vec(&data)?;
    crate::pdf::typst_to_pdf(TEMPLATE, &[("letter.json", &json)])
}
