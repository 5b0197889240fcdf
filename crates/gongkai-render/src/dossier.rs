//! A case's dossier (归档) as one PDF: the case, every step, the reply clock's trace and findings, an index
//! of the enclosures, then each enclosure page by page — the letters as they were sent (their own PDFs,
//! embedded as they are) and the applicant's PDF and image files. A file that cannot be embedded (another
//! type, encrypted, damaged, a PDF newer than 1.7) is listed with the reason; it stays in the ZIP.

use serde::Serialize;

use crate::RenderError;

const TEMPLATE: &str = include_str!("../templates/dossier.typ");

/// What the dossier says, as the caller has it ready (labels and texts in Chinese).
#[derive(Debug, Clone, Default)]
pub struct Dossier {
    pub agency: String,
    /// E.g. "政府信息公开申请办理归档".
    pub title: String,
    pub tracking: String,
    /// E.g. "生成于 2026-12-07 15:30（经办人 clerk）".
    pub generated: String,
    /// (label, value) of the case: number, applicant, request, delivery, handler, outcome…
    pub facts: Vec<(String, String)>,
    /// Each step: date, step, details, recorded by.
    pub steps: Vec<[String; 4]>,
    /// E.g. "答复期限计算（截至2026-12-07）".
    pub trace_heading: String,
    /// Each line of the clock's trace: date, text, citation.
    pub trace: Vec<[String; 3]>,
    pub findings: Vec<String>,
    pub enclosures: Vec<Enclosure>,
}

/// A file enclosed in the dossier.
#[derive(Debug, Clone)]
pub struct Enclosure {
    pub title: String,
    pub file_name: String,
    pub data: Vec<u8>,
}

#[derive(Serialize)]
struct EnclosureData<'a> {
    title: &'a str,
    file: String,
    kind: &'static str,
    pages: usize,
    note: &'static str,
}

#[derive(Serialize)]
struct DossierData<'a> {
    agency: &'a str,
    title: &'a str,
    tracking: &'a str,
    generated: &'a str,
    facts: &'a [(String, String)],
    steps: &'a [[String; 4]],
    trace_heading: &'a str,
    trace: &'a [[String; 3]],
    findings: &'a [String],
    enclosures: Vec<EnclosureData<'a>>,
}

/// How an enclosure goes into the PDF: (kind, pages, note when it does not).
fn embedding(enclosure: &Enclosure) -> (&'static str, usize, &'static str) {
    let data = &enclosure.data;
    // A PDF may start with a few bytes before its header (readers accept it within the first 1 KiB).
    let head = &data[..data.len().min(1024)];
    if let Some(at) = head.windows(5).position(|window| window == b"%PDF-") {
        // Typst embeds PDF pages up to the version it writes (1.7).
        let version = data.get(at + 5..at + 8).unwrap_or_default();
        if version > b"1.7".as_slice() {
            return ("", 0, "PDF版本较新，未嵌入，见归档ZIP");
        }
        return match hayro_syntax::Pdf::new(data.clone()) {
            Ok(pdf) if !pdf.pages().is_empty() => ("pdf", pdf.pages().len(), ""),
            Ok(_) => ("", 0, "PDF没有页面，未嵌入"),
            Err(hayro_syntax::LoadPdfError::Decryption(_)) => {
                ("", 0, "PDF已加密，未嵌入，见归档ZIP")
            }
            Err(_) => ("", 0, "PDF无法读取，未嵌入，见归档ZIP"),
        };
    }
    if data.starts_with(b"\x89PNG\r\n\x1a\n") {
        return ("png", 1, "");
    }
    if data.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return ("jpg", 1, "");
    }
    ("", 0, "非PDF或图片，未嵌入，见归档ZIP")
}

/// The dossier as PDF. An enclosure Typst still cannot lay out (an image it cannot decode) is found by
/// trying each alone, and listed instead of embedded; the rest of the dossier is unchanged.
pub fn pdf(dossier: &Dossier) -> Result<Vec<u8>, RenderError> {
    // Each file is looked at once (a PDF parsed for its pages), whatever the number of compiles.
    let embeddings: Vec<_> = dossier.enclosures.iter().map(embedding).collect();
    let all = vec![true; embeddings.len()];
    match compile(dossier, &embeddings, &all) {
        Ok(pdf) => Ok(pdf),
        Err(_) if !dossier.enclosures.is_empty() => {
            let alone = |index: usize| {
                let only: Vec<bool> = (0..all.len()).map(|other| other == index).collect();
                compile(dossier, &embeddings, &only).is_ok()
            };
            let embed: Vec<bool> = (0..all.len()).map(alone).collect();
            compile(dossier, &embeddings, &embed)
        }
        Err(err) => Err(err),
    }
}

/// The dossier with the enclosures `embed` marks embedded (the others listed); `embeddings` is how each
/// can go in ([`embedding`]).
fn compile(
    dossier: &Dossier,
    embeddings: &[(&'static str, usize, &'static str)],
    embed: &[bool],
) -> Result<Vec<u8>, RenderError> {
    let mut files: Vec<(String, &[u8])> = Vec::new();
    let mut enclosures = Vec::with_capacity(dossier.enclosures.len());
    for (index, enclosure) in dossier.enclosures.iter().enumerate() {
        let (kind, pages, note) = match embeddings[index] {
            (_, pages, _) if pages > 0 && !embed.get(index).copied().unwrap_or(false) => {
                ("", 0, "无法嵌入本卷，见归档ZIP")
            }
            embedded => embedded,
        };
        let file = format!("enclosure-{index}.{}", if kind.is_empty() { "bin" } else { kind });
        if pages > 0 {
            files.push((file.clone(), &enclosure.data));
        }
        enclosures.push(EnclosureData { title: &enclosure.title, file, kind, pages, note });
    }
    let data = DossierData {
        agency: &dossier.agency,
        title: &dossier.title,
        tracking: &dossier.tracking,
        generated: &dossier.generated,
        facts: &dossier.facts,
        steps: &dossier.steps,
        trace_heading: &dossier.trace_heading,
        trace: &dossier.trace,
        findings: &dossier.findings,
        enclosures,
    };
    let json = serde_json::to_vec(&data)?;
    files.push(("dossier.json".to_owned(), &json));
    let files: Vec<(&str, &[u8])> =
        files.iter().map(|(name, data)| (name.as_str(), *data)).collect();
    crate::pdf::typst_to_pdf(TEMPLATE, &files)
}

#[cfg(test)]
mod tests {
    use super::*;
    use gongkai_core::letters::Letter;

    fn letter_pdf() -> Vec<u8> {
        crate::letter::pdf(&Letter {
            title: "政府信息公开申请答复书".to_owned(),
            number: "温司公开〔2026〕1号".to_owned(),
            addressee: "张三：".to_owned(),
            paragraphs: vec!["您申请的政府信息予以公开。".to_owned(); 3],
            signer: "温州市司法局".to_owned(),
            date: "2026年11月20日".to_owned(),
            citations: vec![],
        })
        .unwrap()
    }

    fn dossier(enclosures: Vec<Enclosure>) -> Dossier {
        Dossier {
            agency: "温州市司法局".to_owned(),
            title: "政府信息公开申请办理归档".to_owned(),
            tracking: "YSQ20260000001".to_owned(),
            generated: "生成于 2026-12-07".to_owned(),
            facts: vec![("申请编号".to_owned(), "YSQ20260000001".to_owned())],
            steps: vec![[
                "2026-11-20".to_owned(),
                "答复".to_owned(),
                "予以公开".to_owned(),
                "clerk1".to_owned(),
            ]],
            trace_heading: "答复期限计算".to_owned(),
            trace: vec![["2026-11-02".to_owned(), "收到申请".to_owned(), "第三十一条".to_owned()]],
            findings: vec![],
            enclosures,
        }
    }

    #[test]
    fn letters_and_images_are_embedded_and_other_files_listed() {
        let enclosures = vec![
            Enclosure {
                title: "答复书".to_owned(),
                file_name: "a.pdf".to_owned(),
                data: letter_pdf(),
            },
            Enclosure {
                title: "说明.txt".to_owned(),
                file_name: "b.txt".to_owned(),
                data: b"text".to_vec(),
            },
            Enclosure {
                title: "坏文件.pdf".to_owned(),
                file_name: "c.pdf".to_owned(),
                data: b"%PDF-1.7 broken".to_vec(),
            },
        ];
        assert_eq!(embedding(&enclosures[0]), ("pdf", 1, ""));
        assert_eq!(embedding(&enclosures[1]).1, 0);
        assert_eq!(embedding(&enclosures[2]).2, "PDF无法读取，未嵌入，见归档ZIP");
        let pdf = pdf(&dossier(enclosures)).unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        let parsed = hayro_syntax::Pdf::new(pdf).unwrap();
        // The case (one page) and the letter's page.
        assert_eq!(parsed.pages().len(), 2);
    }

    #[test]
    fn an_image_typst_cannot_decode_is_listed_and_the_letters_stay() {
        let broken = Enclosure {
            title: "照片.png".to_owned(),
            file_name: "p.png".to_owned(),
            data: b"\x89PNG\r\n\x1a\nnot really".to_vec(),
        };
        let letter = Enclosure {
            title: "答复书".to_owned(),
            file_name: "a.pdf".to_owned(),
            data: letter_pdf(),
        };
        let pdf = pdf(&dossier(vec![broken, letter])).unwrap();
        // The case and the letter's page; the image is listed only.
        assert_eq!(hayro_syntax::Pdf::new(pdf).unwrap().pages().len(), 2);
    }

    #[test]
    fn a_pdf_with_bytes_before_its_header_is_still_a_pdf() {
        let mut data = b"\r\n\r\n".to_vec();
        data.extend(letter_pdf());
        let late =
            Enclosure { title: "申请书.pdf".to_owned(), file_name: "s.pdf".to_owned(), data };
        assert_eq!(embedding(&late).0, "pdf");
    }
}
