//! 归档: a case's dossier as one ZIP — what happened (`案件.txt`: the request, every step with who recorded
//! it, the reply clock's trace and findings), every letter as generated (`文书/`), the applicant's files
//! (`附件/`) and the steps as recorded (`办理记录.json`). It holds the applicant's personal data, so only the
//! case's handler and the agency's heads may take it, and every download is audited.

use std::io::Write;

use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use gongkai_core::handling::Situation;
use gongkai_store::applications::{self, Applicant};
use gongkai_store::handling::Case;
use gongkai_store::letters as stored_letters;
use zip::write::SimpleFileOptions;

use super::page::{case_for, may_see_applicant, step_lines};
use crate::staff::{Need, Staff};
use crate::{AppState, PageError};

/// The dossier of the case `tracking`, for its handler and the agency's heads.
pub(crate) async fn dossier(
    State(state): State<AppState>,
    staff: Staff,
    Path(tracking): Path<String>,
) -> Result<Response, PageError> {
    let (case, agency) = case_for(&state, &staff, &tracking, Need::Read).await?;
    let agencies = state.agencies().await?;
    let subject = format!("application:{}:dossier", case.tracking_number);
    if !may_see_applicant(&staff, case.handler.as_deref(), &agency.code, &agencies) {
        staff.refused_access(&state, "handler_or_head", &agency.code, &subject).await;
        return Err(PageError::Forbidden);
    }
    let applicant =
        applications::applicant(state.store(), &case.tracking_number, &staff.username).await?;
    let text = summary(&state, &agency.name, &case, &applicant);
    let mut files = vec![("案件.txt".to_owned(), text.into_bytes())];
    files.push(("办理记录.json".to_owned(), steps_json(&case)?));
    for letter in stored_letters::of_case(state.store(), &case.tracking_number).await? {
        let copy = stored_letters::staff_copy(state.store(), letter.id).await?;
        let data = match &copy {
            Some(copy) => stored_letters::staff_file(state.store(), copy, false).await?,
            None => None,
        };
        let extension = if letter.media_type.contains("pdf") { "pdf" } else { "docx" };
        if let Some(data) = data {
            let name = format!("文书/{:03}-{}.{extension}", letter.id, letter.title);
            files.push((name, data));
        }
    }
    for file in applications::attached_files(state.store(), &case.tracking_number).await? {
        if let Some((file, data)) =
            applications::attached_file(state.store(), &case.tracking_number, file.id).await?
        {
            files.push((format!("附件/{:03}-{}", file.id, entry_name(&file.name)), data));
        }
    }
    let zip = zipped(&files).map_err(|err| {
        tracing::error!(error = %err, "writing a dossier failed");
        PageError::Unavailable
    })?;
    let after = serde_json::json!({ "files": files.len() }).to_string();
    staff.record(&state, "case.dossier", &subject, Some(&after)).await?;
    let mut response = zip.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/zip"));
    headers.insert(
        header::CONTENT_DISPOSITION,
        crate::portal::disposition("attachment", &format!("{}-归档.zip", case.tracking_number)),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
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
