//! 归档: a case's dossier, as one ZIP — what happened (`案件.txt`: the request, every step with who
//! recorded it, the reply clock's trace and findings), the same as one PDF (`归档.pdf`, the letters and the
//! applicant's PDF and image files embedded page by page), every letter as generated (`文书/`), the
//! applicant's files (`附件/`) and the steps as recorded (`办理记录.json`) — or as the PDF alone. It holds the
//! applicant's personal data, so only the case's handler and the agency's heads may take it, and every
//! download is audited.

use std::io::Write;

use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use gongkai_core::handling::Situation;
use gongkai_render::dossier::{Dossier, Enclosure};
use gongkai_store::applications::{self, Applicant};
use gongkai_store::handling::Case;
use gongkai_store::letters as stored_letters;
use zip::write::SimpleFileOptions;

use super::page::{case_for, may_see_applicant, step_lines};
use crate::staff::{Need, Staff};
use crate::{AppState, PageError};

/// Everything a dossier holds, gathered once for either form.
struct Gathered {
    case: Case,
    agency: String,
    applicant: Applicant,
    /// Letters as generated: (entry name, title, data, is PDF).
    letters: Vec<(String, String, Vec<u8>, bool)>,
    /// The applicant's files: (entry name, file name, data).
    attachments: Vec<(String, String, Vec<u8>)>,
}

/// The case `tracking` with its letters and files, for its handler and the agency's heads (others refused
/// and the refusal recorded).
async fn gather(state: &AppState, staff: &Staff, tracking: &str) -> Result<Gathered, PageError> {
    let (case, agency) = case_for(state, staff, tracking, Need::Read).await?;
    let agencies = state.agencies().await?;
    let subject = format!("application:{}:dossier", case.tracking_number);
    if !may_see_applicant(staff, case.handler.as_deref(), &agency.code, &agencies) {
        staff.refused_access(state, "handler_or_head", &agency.code, &subject).await;
        return Err(PageError::Forbidden);
    }
    let applicant =
        applications::applicant(state.store(), &case.tracking_number, &staff.username).await?;
    let mut letters = Vec::new();
    for letter in stored_letters::of_case(state.store(), &case.tracking_number).await? {
        let copy = stored_letters::staff_copy(state.store(), letter.id).await?;
        let data = match &copy {
            Some(copy) => stored_letters::staff_file(state.store(), copy, false).await?,
            None => None,
        };
        let pdf = letter.media_type.contains("pdf");
        if let Some(data) = data {
            let name = format!(
                "文书/{:03}-{}.{}",
                letter.id,
                letter.title,
                if pdf { "pdf" } else { "docx" }
            );
            letters.push((name, letter.title.clone(), data, pdf));
        }
    }
    let mut attachments = Vec::new();
    for file in applications::attached_files(state.store(), &case.tracking_number).await? {
        if let Some((file, data)) =
            applications::attached_file(state.store(), &case.tracking_number, file.id).await?
        {
            attachments.push((
                format!("附件/{:03}-{}", file.id, entry_name(&file.name)),
                file.name,
                data,
            ));
        }
    }
    Ok(Gathered { case, agency: agency.name.clone(), applicant, letters, attachments })
}

fn download(data: Vec<u8>, media_type: &'static str, name: &str) -> Response {
    let mut response = data.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(media_type));
    headers.insert(header::CONTENT_DISPOSITION, crate::portal::disposition("attachment", name));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn unavailable(what: &'static str) -> impl FnOnce(String) -> PageError {
    move |err| {
        tracing::error!(error = %err, "writing a dossier's {what} failed");
        PageError::Unavailable
    }
}

/// The dossier of the case `tracking` as one ZIP, for its handler and the agency's heads.
pub(crate) async fn dossier(
    State(state): State<AppState>,
    staff: Staff,
    Path(tracking): Path<String>,
) -> Result<Response, PageError> {
    let gathered = gather(&state, &staff, &tracking).await?;
    let pdf = render(dossier_of(&state, &staff, &gathered)).await;
    let case = &gathered.case;
    let text = summary(&state, &gathered.agency, case, &gathered.applicant);
    let mut files = vec![("案件.txt".to_owned(), text.into_bytes())];
    // The ZIP holds everything even when the PDF cannot be made (its failure is logged).
    if let Ok(pdf) = pdf {
        files.push(("归档.pdf".to_owned(), pdf));
    }
    files.push(("办理记录.json".to_owned(), steps_json(case)?));
    for (name, _, data, _) in &gathered.letters {
        files.push((name.clone(), data.clone()));
    }
    for (name, _, data) in &gathered.attachments {
        files.push((name.clone(), data.clone()));
    }
    let zip = zipped(&files).map_err(|err| unavailable("ZIP")(err.to_string()))?;
    let subject = format!("application:{}:dossier", case.tracking_number);
    let after = serde_json::json!({ "files": files.len() }).to_string();
    staff.record(&state, "case.dossier", &subject, Some(&after)).await?;
    Ok(download(zip, "application/zip", &format!("{}-归档.zip", case.tracking_number)))
}

/// The dossier of the case `tracking` as one PDF, for its handler and the agency's heads.
pub(crate) async fn dossier_pdf_download(
    State(state): State<AppState>,
    staff: Staff,
    Path(tracking): Path<String>,
) -> Result<Response, PageError> {
    let gathered = gather(&state, &staff, &tracking).await?;
    let pdf = render(dossier_of(&state, &staff, &gathered)).await?;
    let subject = format!("application:{}:dossier", gathered.case.tracking_number);
    let after = serde_json::json!({ "format": "pdf", "bytes": pdf.len() }).to_string();
    staff.record(&state, "case.dossier", &subject, Some(&after)).await?;
    Ok(download(pdf, "application/pdf", &format!("{}-归档.pdf", gathered.case.tracking_number)))
}

/// Lays the dossier out as PDF on a blocking thread (a compile takes tens of milliseconds, more with large
/// attachments, which must not hold up the server's other requests).
async fn render(dossier: Dossier) -> Result<Vec<u8>, PageError> {
    tokio::task::spawn_blocking(move || gongkai_render::dossier::pdf(&dossier))
        .await
        .map_err(|err| unavailable("PDF")(err.to_string()))?
        .map_err(|err| unavailable("PDF")(err.to_string()))
}

/// `归档.pdf`'s content: the case, its steps, the clock's trace and findings as of today, then the letters
/// (their PDFs) and the applicant's files page by page.
fn dossier_of(state: &AppState, staff: &Staff, gathered: &Gathered) -> Dossier {
    let case = &gathered.case;
    let applicant = &gathered.applicant;
    let masked = if applicant.masked { "（已遮盖）" } else { "" };
    let facts = [
        ("申请编号", case.tracking_number.clone()),
        ("申请人", format!("{}{masked}", applicant.name)),
        ("申请人类型", case.applicant_type.label().to_owned()),
        (
            if applicant.id_type.is_empty() { "证件号码" } else { applicant.id_type.as_str() },
            format!("{}{masked}", applicant.id_number),
        ),
        ("联系电话", format!("{}{masked}", applicant.phone)),
        ("通信地址", format!("{}{masked}", applicant.address)),
        ("提交方式", case.intake.channel.label().to_owned()),
        ("提交日期", case.intake.submitted.to_string()),
        ("所需信息", case.description.clone()),
        ("获取方式", case.delivery_form.clone()),
        ("经办人", case.handler.clone().unwrap_or_else(|| "（未分配）".to_owned())),
        ("办理结果", case.outcome.map_or("（尚未办结）", |outcome| outcome.label()).to_owned()),
    ];
    let steps = step_lines(case)
        .into_iter()
        .map(|line| {
            let details = line
                .details
                .iter()
                .map(|(name, value)| format!("{name}：{value}"))
                .collect::<Vec<_>>()
                .join("；");
            [line.date, line.label, details, format!("{} {}", line.recorded_by, line.recorded_at)]
        })
        .collect();
    let calendar = state.calendar();
    let today = state.today();
    let application = case.clock_application();
    let (trace, findings) = match Situation::new(&application, &calendar, today, case.outcome, None)
    {
        Ok(situation) => (
            situation
                .report
                .trace
                .iter()
                .map(|step| [step.date.to_string(), step.text.clone(), step.citation.clone()])
                .collect(),
            situation.report.findings.iter().map(|finding| finding.text.clone()).collect(),
        ),
        Err(err) => (Vec::new(), vec![format!("期限无法计算：{}", err.in_chinese())]),
    };
    let mut enclosures: Vec<Enclosure> = gathered
        .letters
        .iter()
        .filter(|(_, _, _, pdf)| *pdf)
        .map(|(name, title, data, _)| Enclosure {
            title: format!("文书：{title}"),
            file_name: name.clone(),
            data: data.clone(),
        })
        .collect();
    enclosures.extend(gathered.attachments.iter().map(|(name, file_name, data)| Enclosure {
        title: format!("申请人提交：{file_name}"),
        file_name: name.clone(),
        data: data.clone(),
    }));
    Dossier {
        agency: gathered.agency.clone(),
        title: "政府信息公开申请办理归档".to_owned(),
        tracking: case.tracking_number.clone(),
        generated: format!("{today} 由 {} 生成", staff.username),
        facts: facts.into_iter().map(|(label, value)| (label.to_owned(), value)).collect(),
        steps,
        trace_heading: format!("答复期限计算（截至{today}）"),
        trace,
        findings,
        enclosures,
    }
}

/// `案件.txt`: the case, its steps and the reply clock's trace and findings as of today. The applicant is as
/// the viewer may see them: in full for the handler, masked for a head, as on the case page.
fn summary(state: &AppState, agency: &str, case: &Case, applicant: &Applicant) -> String {
    let mut text = format!(
        "{agency} 政府信息公开申请 {}\n申请人：{}　{}：{}　电话：{}　地址：{}{}\n申请人类型：{}\n提交日期：{}\n申请内容：{}\n获取方式：{}\n经办人：{}\n办理结果：{}\n\n办理记录\n",
        case.tracking_number,
        applicant.name,
        applicant.id_type,
        applicant.id_number,
        applicant.phone,
        applicant.address,
        if applicant.masked { "（已遮盖）" } else { "" },
        case.applicant_type.label(),
        case.intake.submitted,
        case.description,
        case.delivery_form,
        case.handler.as_deref().unwrap_or("（未分配）"),
        case.outcome.map_or("（尚未办结）", |outcome| outcome.label()),
    );
    for line in step_lines(case) {
        let details = line
            .details
            .iter()
            .map(|(name, value)| format!("{name}：{value}"))
            .collect::<Vec<_>>()
            .join("；");
        text.push_str(&format!(
            "{}　{}　{details}　记录人：{}（{}）\n",
            line.date, line.label, line.recorded_by, line.recorded_at
        ));
    }
    let calendar = state.calendar();
    let application = case.clock_application();
    match Situation::new(&application, &calendar, state.today(), case.outcome, None) {
        Ok(situation) => {
            text.push_str(&format!("\n期限计算（截至{}）\n", state.today()));
            for step in &situation.report.trace {
                text.push_str(&format!("{}　{}（{}）\n", step.date, step.text, step.citation));
            }
            for finding in &situation.report.findings {
                text.push_str(&format!("提示：{}\n", finding.text));
            }
        }
        Err(err) => text.push_str(&format!("\n期限无法计算：{}\n", err.in_chinese())),
    }
    text
}

/// `办理记录.json`: the steps as the store keeps them.
fn steps_json(case: &Case) -> Result<Vec<u8>, PageError> {
    serde_json::to_vec_pretty(&case.steps).map_err(|err| {
        tracing::error!(error = %err, "writing a dossier's steps failed");
        PageError::Unavailable
    })
}

/// An applicant's file name as one entry name inside `附件/`: no separator (`/`, `\\`) or control character
/// survives, so no unpacking tool can place it anywhere else.
fn entry_name(name: &str) -> String {
    let name: String = name
        .chars()
        .map(|c| if c == '/' || c == '\\' || c.is_control() || c == ':' { '_' } else { c })
        .collect();
    if name.trim().is_empty() { "附件".to_owned() } else { name }
}

/// The files as one ZIP archive (deflated).
fn zipped(files: &[(String, Vec<u8>)]) -> zip::result::ZipResult<Vec<u8>> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default();
    for (name, data) in files {
        zip.start_file(name.as_str(), options)?;
        zip.write_all(data)?;
    }
    Ok(zip.finish()?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_attachment_name_stays_one_entry() {
        assert_eq!(entry_name("身份证.jpg"), "身份证.jpg");
        assert_eq!(entry_name("../../etc/passwd"), ".._.._etc_passwd");
        assert_eq!(entry_name("..\\..\\..\\boot.ini"), ".._.._.._boot.ini");
        assert_eq!(entry_name("C:evil\ttab"), "C_evil_tab");
        assert_eq!(entry_name("  "), "附件");
    }
}
