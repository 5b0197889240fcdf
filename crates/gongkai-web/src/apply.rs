//! The online application (2019 条例 art. 29): the form, its validation with the message next to each field
//! and the input kept, and on success the acknowledgment with a tracking number and a verification code.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use gongkai_core::clock::{self, Application};
use gongkai_core::records::ApplicantType;
use gongkai_core::regime::{Channel, Intake};
use gongkai_store::Actor;
use gongkai_store::applications::{self, NewApplication, QuotaExceeded};
use serde::Deserialize;

use crate::client::ClientAddress;
use crate::error::PageForm;
use crate::once::Begin;
use crate::{AppState, PageError, csrf};

/// The applicant types of 2019 条例 art. 29 and of table 三's columns, by the code the report's columns use
/// (`ApplicantType::code`).
pub(crate) const APPLICANT_TYPES: [(&str, &str); 6] = [
    ("natural", "自然人"),
    ("business", "法人或其他组织：商业企业"),
    ("research", "法人或其他组织：科研机构"),
    ("public_interest", "法人或其他组织：社会公益组织"),
    ("legal_service", "法人或其他组织：法律服务机构"),
    ("other_org", "法人或其他组织：其他"),
];

/// The applicant type a form names. `other_organisation` is what forms said before the codes became the
/// report's: a page opened before an upgrade still posts it.
pub(crate) fn applicant_type(code: &str) -> Option<ApplicantType> {
    let code = if code == "other_organisation" { "other_org" } else { code };
    ApplicantType::ALL.into_iter().find(|kind| kind.code() == code)
}

pub(crate) const ID_TYPES: [&str; 6] = [
    "居民身份证",
    "护照",
    "港澳居民来往内地通行证",
    "台湾居民来往大陆通行证",
    "统一社会信用代码",
    "其他有效证件",
];

pub(crate) const DELIVERY_FORMS: [&str; 4] = ["电子邮件", "邮寄纸质文本", "当面领取", "在线查看"];

/// One text input of the applicant block.
pub(crate) struct FieldSpec {
    pub(crate) name: &'static str,
    pub(crate) label: &'static str,
    pub(crate) hint: Option<&'static str>,
    pub(crate) input_type: &'static str,
    pub(crate) autocomplete: &'static str,
    pub(crate) required: bool,
}

const PERSON_FIELDS: [FieldSpec; 6] = [
    FieldSpec {
        name: "name",
        label: "姓名或名称",
        hint: Some("自然人填写姓名；法人或其他组织填写名称。"),
        input_type: "text",
        autocomplete: "name",
        required: true,
    },
    FieldSpec {
        name: "id_type",
        label: "身份证明类型",
        hint: None,
        input_type: "text",
        autocomplete: "off",
        required: true,
    },
    FieldSpec {
        name: "id_number",
        label: "身份证明号码",
        hint: Some("法人或其他组织填写统一社会信用代码。"),
        input_type: "text",
        autocomplete: "off",
        required: true,
    },
    FieldSpec {
        name: "phone",
        label: "联系电话",
        hint: None,
        input_type: "tel",
        autocomplete: "tel",
        required: true,
    },
    FieldSpec {
        name: "email",
        label: "电子邮箱",
        hint: Some("选择以电子邮件获取信息时必填。"),
        input_type: "email",
        autocomplete: "email",
        required: false,
    },
    FieldSpec {
        name: "address",
        label: "通信地址",
        hint: None,
        input_type: "text",
        autocomplete: "street-address",
        required: true,
    },
];

/// The form as posted: every field a string, so nothing the applicant typed is lost on an error.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub(crate) struct ApplicationForm {
    pub(crate) csrf: String,
    /// The one-time form token (see `once`).
    pub(crate) once: String,
    pub(crate) applicant_type: String,
    pub(crate) name: String,
    pub(crate) id_type: String,
    pub(crate) id_number: String,
    pub(crate) phone: String,
    pub(crate) email: String,
    pub(crate) address: String,
    pub(crate) description: String,
    pub(crate) delivery_form: String,
}

impl ApplicationForm {
    pub(crate) fn value(&self, field: &str) -> &str {
        match field {
            "name" => &self.name,
            "id_number" => &self.id_number,
            "phone" => &self.phone,
            "email" => &self.email,
            "address" => &self.address,
            _ => "",
        }
    }
}

/// A message next to a field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FieldError {
    pub(crate) field: &'static str,
    pub(crate) message: String,
}

#[derive(Template)]
#[template(path = "apply.html")]
struct ApplyPage<'a> {
    agency_code: &'a str,
    agency_name: &'a str,
    csrf: &'a str,
    once: &'a str,
    form: &'a ApplicationForm,
    errors: &'a [FieldError],
    applicant_types: &'a [(&'static str, &'static str)],
    id_types: &'a [&'static str],
    delivery_forms: &'a [&'static str],
    person_fields: &'a [FieldSpec],
}

impl ApplyPage<'_> {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|error| error.field == field).map(|error| error.message.as_str())
    }
}

/// A submitted application: the form's fields and the files attached (multipart), or the fields only
/// (URL-encoded, as without a file input).
pub(crate) struct Submission {
    form: ApplicationForm,
    files: Vec<(String, Vec<u8>)>,
}

/// Largest application body: three files of 5 MiB and the fields.
pub(crate) const UPLOAD_LIMIT: usize = 16 * 1024 * 1024;

impl<S: Send + Sync> axum::extract::FromRequest<S> for Submission {
    type Rejection = PageError;

    async fn from_request(request: axum::extract::Request, state: &S) -> Result<Self, PageError> {
        let (form, files) = form_with_files(request, state, |form: &mut ApplicationForm, name| {
            Some(match name {
                "csrf" => &mut form.csrf,
                "once" => &mut form.once,
                "applicant_type" => &mut form.applicant_type,
                "name" => &mut form.name,
                "id_type" => &mut form.id_type,
                "id_number" => &mut form.id_number,
                "phone" => &mut form.phone,
                "email" => &mut form.email,
                "address" => &mut form.address,
                "description" => &mut form.description,
                "delivery_form" => &mut form.delivery_form,
                _ => return None,
            })
        })
        .await?;
        Ok(Submission { form, files })
    }
}

/// Reads a form that may carry files under `attachments`: multipart (each text field at most `BODY_LIMIT`,
/// written through `slot`; files returned as sent) or URL-encoded without files.
pub(crate) async fn form_with_files<F, S>(
    request: axum::extract::Request,
    state: &S,
    slot: impl for<'f> Fn(&'f mut F, &str) -> Option<&'f mut String>,
) -> Result<(F, Vec<(String, Vec<u8>)>), PageError>
where
    F: serde::de::DeserializeOwned + Default + Send,
    S: Send + Sync,
{
    let multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("multipart/form-data"));
    if !multipart {
        // Without files the fields alone are at most BODY_LIMIT, as on every other form.
        let (parts, body) = request.into_parts();
        let bytes = axum::body::to_bytes(body, crate::BODY_LIMIT)
            .await
            .map_err(|_| PageError::BadForm(StatusCode::PAYLOAD_TOO_LARGE))?;
        let request = axum::extract::Request::from_parts(parts, axum::body::Body::from(bytes));
        let PageForm(form) =
            <PageForm<F> as axum::extract::FromRequest<S>>::from_request(request, state).await?;
        return Ok((form, Vec::new()));
    }
    let mut body =
        <axum::extract::Multipart as axum::extract::FromRequest<S>>::from_request(request, state)
            .await
            .map_err(|rejection| PageError::BadForm(rejection.status()))?;
    let mut form = F::default();
    let mut files = Vec::new();
    while let Some(mut field) =
        body.next_field().await.map_err(|err| PageError::BadForm(err.status()))?
    {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "attachments" {
            let file_name = field.file_name().unwrap_or_default().to_owned();
            let data = field.bytes().await.map_err(|err| PageError::BadForm(err.status()))?;
            // An empty file input sends a part with no name and no bytes.
            if !(file_name.is_empty() && data.is_empty()) {
                files.push((file_name, data.to_vec()));
            }
            continue;
        }
        // A text field is at most BODY_LIMIT, as on every other form.
        let mut bytes = Vec::new();
        while let Some(chunk) =
            field.chunk().await.map_err(|err| PageError::BadForm(err.status()))?
        {
            if bytes.len() + chunk.len() > crate::BODY_LIMIT {
                return Err(PageError::BadForm(StatusCode::PAYLOAD_TOO_LARGE));
            }
            bytes.extend_from_slice(&chunk);
        }
        let text =
            String::from_utf8(bytes).map_err(|_| PageError::BadForm(StatusCode::BAD_REQUEST))?;
        if let Some(slot) = slot(&mut form, &name) {
            *slot = text;
        }
    }
    Ok((form, files))
}

/// The attached files' problems, in Chinese, for the message next to the file input.
pub(crate) fn check_files(files: &[(String, Vec<u8>)]) -> Option<FieldError> {
    use gongkai_store::applications::{MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS};
    let message = if files.len() > MAX_ATTACHMENTS {
        Some(format!("最多上传{MAX_ATTACHMENTS}个附件。"))
    } else {
        files.iter().find_map(|(name, data)| {
            let usable = gongkai_store::catalog::attachment_name(name).ok();
            let shown = usable.as_deref().unwrap_or("（无名文件）");
            let media_type = usable.as_deref().and_then(gongkai_store::catalog::media_type_of);
            if media_type.is_none() {
                Some(format!("附件“{shown}”的格式不支持，请上传 PDF、OFD、Word、Excel、JPG、PNG 或 ZIP 文件。"))
            } else if data.is_empty() {
                Some(format!("附件“{shown}”是空文件。"))
            } else if data.len() > MAX_ATTACHMENT_BYTES {
                Some(format!("附件“{shown}”超过5MB。"))
            } else if !media_type
                .is_some_and(|media_type| gongkai_store::catalog::content_matches(media_type, data))
            {
                Some(format!("附件“{shown}”的内容与文件类型不符（如网页或文本文件改了扩展名），无法接收。"))
            } else {
                None
            }
        })
    };
    message.map(|message| FieldError {
        field: "attachments",
        message: format!("{message}请重新选择附件。"),
    })
}

#[derive(Template)]
#[template(path = "receipt.html")]
struct ReceiptPage<'a> {
    attachments: Vec<String>,
    agency_name: &'a str,
    tracking_number: &'a str,
    verification_code: &'a str,
    submitted: String,
    due: Option<String>,
    provisional: bool,
    provisional_note: String,
}

fn form_page(
    headers: &HeaderMap,
    code: &str,
    name: &str,
    form: &ApplicationForm,
    errors: &[FieldError],
) -> Result<Response, PageError> {
    let (token, cookie) = csrf::issue(headers)?;
    let once = crate::once::token(&form.once)?;
    let page = ApplyPage {
        agency_code: code,
        agency_name: name,
        csrf: &token,
        once: &once,
        form,
        errors,
        applicant_types: &APPLICANT_TYPES,
        id_types: &ID_TYPES,
        delivery_forms: &DELIVERY_FORMS,
        person_fields: &PERSON_FIELDS,
    };
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok(csrf::with_cookie((status, Html(page.render()?)).into_response(), cookie))
}

pub(crate) async fn form(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let agency = state.agency(&code).await?;
    if let Some(refused) = crate::portal::refuse_if_closed(&agency, "apply", state.today())? {
        return Ok(refused);
    }
    let form =
        ApplicationForm { applicant_type: "natural".to_owned(), ..ApplicationForm::default() };
    form_page(&headers, &agency.code, &agency.name, &form, &[])
}

pub(crate) async fn submit(
    State(state): State<AppState>,
    Path(code): Path<String>,
    ClientAddress(client): ClientAddress,
    headers: HeaderMap,
    Submission { form, files }: Submission,
) -> Result<Response, PageError> {
    csrf::check(&headers, &form.csrf)?;
    let agency = state.agency(&code).await?;
    if let Some(refused) = crate::portal::refuse_if_closed(&agency, "apply", state.today())? {
        return Ok(refused);
    }
    let applicant = match (validate(&form), check_files(&files)) {
        (Ok(applicant), None) => applicant,
        (Ok(_), Some(file_error)) => {
            return form_page(&headers, &agency.code, &agency.name, &form, &[file_error]);
        }
        (Err(mut errors), file_error) => {
            errors.extend(file_error);
            return form_page(&headers, &agency.code, &agency.name, &form, &errors);
        }
    };
    let token = match crate::once::begin(&state, &form.once, "application", &form.csrf).await? {
        Ok(Begin::Act(token)) => token,
        Ok(Begin::Replay { result, secret }) => {
            return replayed_receipt(&state, &agency.name, &result, secret.as_deref()).await;
        }
        Err(pending) => return Ok(pending),
    };
    let today = state.today();
    // The platform acknowledges an online application at once: that is the confirmation of art. 31(三).
    let intake = Intake::received_on(Channel::Online, today);
    let application = NewApplication {
        applicant,
        name: form.name.trim(),
        id_type: form.id_type.trim(),
        id_number: &normalise_id(&form.id_number),
        phone: form.phone.trim(),
        address: form.address.trim(),
        email: form.email.trim(),
        description: form.description.trim(),
        delivery_form: form.delivery_form.trim(),
        intake: intake.clone(),
    };
    let address = client.to_string();
    let status = Application { intake: intake.clone(), regime: None, events: Vec::new() };
    let clock = clock::evaluate(&status, &state.calendar(), today).ok();
    let notice = applications::ReceiptNotice {
        due: clock.as_ref().and_then(|clock| clock.due),
        provisional: clock.as_ref().is_some_and(|clock| clock.provisional),
        channels: state.channels(),
    };
    let received = applications::intake_with_attachments(
        state.store(),
        &agency.code,
        &application,
        &files,
        &crate::client::network_key(client),
        Some(notice),
        &Actor::new("public", &address),
    )
    .await;
    let receipt = match received {
        Ok(receipt) => {
            state.counters().received("online");
            receipt
        }
        Err(err) => {
            crate::once::failed(&state, &token).await;
            let gongkai_store::StoreError::Quota(quota) = err else { return Err(err.into()) };
            let message = match quota {
                QuotaExceeded::Applicant => format!(
                    "同一申请人每日最多上传{}个附件、共{}MB，今日已达上限。请明日再提交附件，或先提交不带附件的申请。",
                    applications::DAILY_FILES_PER_APPLICANT,
                    applications::DAILY_BYTES_PER_APPLICANT / 1024 / 1024
                ),
                QuotaExceeded::Network => format!(
                    "从您所在网络今日上传的附件已达{}MB的上限。请明日再上传附件，或先提交不带附件的申请。",
                    applications::DAILY_BYTES_PER_NETWORK / 1024 / 1024
                ),
                QuotaExceeded::Platform => {
                    "今日平台接收的附件已达上限，请明日再上传附件，或先提交不带附件的申请。"
                        .to_owned()
                }
            };
            let error = FieldError { field: "attachments", message };
            return form_page(&headers, &agency.code, &agency.name, &form, &[error]);
        }
    };
    let names: Vec<String> = files
        .iter()
        .filter_map(|(name, _)| gongkai_store::catalog::attachment_name(name).ok())
        .collect();
    let result = serde_json::json!({ "tracking": receipt.tracking_number, "attachments": names });
    crate::once::done(&state, &token, &result.to_string(), Some(&receipt.verification_code))
        .await?;
    let page = receipt_page(
        &state,
        &agency.name,
        &receipt.tracking_number,
        &receipt.verification_code,
        names,
        &status,
    );
    Ok(Html(page.render()?).into_response())
}

/// The message for a field with a line break or control character where none belongs.
pub(crate) const NO_CONTROL: &str = "不能包含换行、制表符或其他控制字符。";

/// Whether `text` holds a control character: NUL and the like in any field, line breaks and tabs in
/// one-line fields (`multiline` false), and the invisible characters that reorder or hide text (bidi
/// overrides such as U+202E, zero-width spaces, the BOM). Such characters break letters, registers and CSV
/// exports, or make a name read otherwise than it is stored, and no applicant types them.
pub(crate) fn has_control(text: &str, multiline: bool) -> bool {
    text.chars().any(|c| {
        (c.is_control() && !(multiline && matches!(c, '\n' | '\r' | '\t')))
            || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
    })
}

fn normalise_id(text: &str) -> String {
    text.trim().to_uppercase()
}

/// Checks the form; every problem is reported at once, next to its field.
pub(crate) fn validate(form: &ApplicationForm) -> Result<ApplicantType, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut error = |field: &'static str, message: &str| {
        errors.push(FieldError { field, message: message.to_owned() });
    };
    for (field, value, multiline) in [
        ("name", &form.name, false),
        ("id_number", &form.id_number, false),
        ("phone", &form.phone, false),
        ("email", &form.email, false),
        ("address", &form.address, false),
        ("description", &form.description, true),
    ] {
        if has_control(value.trim(), multiline) {
            error(field, NO_CONTROL);
        }
    }
    let applicant = applicant_type(&form.applicant_type);
    if applicant.is_none() {
        error("applicant_type", "请选择申请人类型。");
    }
    let name = form.name.trim();
    if name.is_empty() {
        error("name", "请填写姓名或名称。");
    } else if name.chars().count() > 100 {
        error("name", "姓名或名称不能超过100个字。");
    }
    let id_type = form.id_type.trim();
    let id_number = normalise_id(&form.id_number);
    if !ID_TYPES.contains(&id_type) {
        error("id_type", "请选择身份证明类型。");
    } else {
        let organisation = applicant.is_some_and(|applicant| applicant != ApplicantType::Natural);
        if organisation && id_type == "居民身份证" {
            error("id_type", "法人或其他组织请选择“统一社会信用代码”或“其他有效证件”。");
        }
        if !organisation && applicant.is_some() && id_type == "统一社会信用代码" {
            error("id_type", "自然人请选择个人身份证件。");
        }
    }
    if id_number.is_empty() {
        error("id_number", "请填写身份证明号码。");
    } else if id_type == "居民身份证" && !resident_id_valid(&id_number) {
        error("id_number", "居民身份证号码应为18位，且校验码正确，请核对。");
    } else if id_type == "统一社会信用代码" && !credit_code_valid(&id_number) {
        error("id_number", "统一社会信用代码应为18位，且校验码正确，请核对。");
    } else if id_number.chars().count() > 40 {
        error("id_number", "身份证明号码不能超过40个字符。");
    }
    let phone = form.phone.trim();
    if phone.is_empty() {
        error("phone", "请填写联系电话。");
    } else if !phone_valid(phone) {
        error("phone", "请填写有效的手机号码（11位）或固定电话（如 0577-88888888）。");
    }
    let email = form.email.trim();
    if !email.is_empty() && !email_valid(email) {
        error("email", "电子邮箱格式不正确。");
    }
    if form.address.trim().is_empty() {
        error("address", "请填写通信地址。");
    } else if form.address.trim().chars().count() > 200 {
        error("address", "通信地址不能超过200个字。");
    }
    let description = form.description.trim();
    if description.chars().count() < 4 {
        error("description", "请描述所需政府信息的名称、文号或其他特征（至少4个字）。");
    } else if description.chars().count() > 2000 {
        error("description", "描述不能超过2000个字，请精简后提交。");
    }
    let delivery = form.delivery_form.trim();
    if !DELIVERY_FORMS.contains(&delivery) {
        error("delivery_form", "请选择获取信息的方式。");
    } else if delivery == "电子邮件" && email.is_empty() {
        error("email", "选择以电子邮件获取信息时，请填写电子邮箱。");
    }
    match applicant {
        Some(applicant) if errors.is_empty() => Ok(applicant),
        _ => Err(errors),
    }
}

/// The receipt of an application: its number and code (shown once), the date received and the due date.
fn receipt_page<'a>(
    state: &AppState,
    agency_name: &'a str,
    tracking_number: &'a str,
    verification_code: &'a str,
    attachments: Vec<String>,
    application: &Application,
) -> ReceiptPage<'a> {
    let clock = clock::evaluate(application, &state.calendar(), state.today()).ok();
    ReceiptPage {
        attachments,
        agency_name,
        tracking_number,
        verification_code,
        submitted: application.intake.submitted.to_string(),
        due: clock.as_ref().and_then(|report| report.due).map(|due| due.to_string()),
        provisional: clock.as_ref().is_some_and(|report| report.provisional),
        provisional_note: clock
            .as_ref()
            .map(|report| crate::track::provisional_note(&report.provisional_years))
            .unwrap_or_default(),
    }
}

/// The receipt again, for a reload or a second click of a form that was sent: the application it made, not
/// a second one.
async fn replayed_receipt(
    state: &AppState,
    agency_name: &str,
    result: &str,
    code: Option<&str>,
) -> Result<Response, PageError> {
    let result: serde_json::Value = serde_json::from_str(result)
        .map_err(|err| gongkai_store::StoreError::InvalidData(format!("form result: {err}")))?;
    let tracking = result["tracking"].as_str().unwrap_or_default();
    let attachments = result["attachments"]
        .as_array()
        .map(|names| names.iter().filter_map(|name| name.as_str().map(str::to_owned)).collect())
        .unwrap_or_default();
    let code = code.unwrap_or_default();
    let status = applications::public_status(state.store(), tracking, code)
        .await?
        .ok_or(PageError::NotFound)?;
    let application =
        Application { intake: status.intake, regime: status.regime, events: status.events };
    let page = receipt_page(state, agency_name, tracking, code, attachments, &application);
    Ok(Html(page.render()?).into_response())
}

/// GB 11643-1999: 17 digits and an ISO 7064 MOD 11-2 check character.
pub(crate) fn resident_id_valid(id: &str) -> bool {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: &[u8; 11] = b"10X98765432";
    let bytes = id.as_bytes();
    if bytes.len() != 18 || !bytes[..17].iter().all(u8::is_ascii_digit) {
        return false;
    }
    let sum: u32 =
        bytes[..17].iter().zip(WEIGHTS).map(|(byte, weight)| u32::from(byte - b'0') * weight).sum();
    CHECK[(sum % 11) as usize] == bytes[17]
}

/// GB 32100-2015: 18 characters from the code set, the last a MOD 31 check character.
pub(crate) fn credit_code_valid(code: &str) -> bool {
    const SET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    const WEIGHTS: [usize; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
    let values: Option<Vec<usize>> = code.chars().map(|c| SET.find(c)).collect();
    let Some(values) = values else {
        return false;
    };
    if values.len() != 18 {
        return false;
    }
    let sum: usize = values[..17].iter().zip(WEIGHTS).map(|(value, weight)| value * weight).sum();
    (31 - sum % 31) % 31 == values[17]
}

/// A mobile number (11 digits from 1), a landline with its area code (0 + 9–11 digits, e.g. 0577-88888888),
/// or a local number of 7–8 digits; spaces and dashes allowed, 20 characters in all.
pub(crate) fn phone_valid(phone: &str) -> bool {
    if phone.len() > 20 || !phone.chars().all(|c| c.is_ascii_digit() || c == '-' || c == ' ') {
        return false;
    }
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    let mobile = digits.len() == 11 && digits.starts_with('1');
    let with_area_code = digits.starts_with('0') && (10..=12).contains(&digits.len());
    let local = (7..=8).contains(&digits.len()) && !digits.starts_with(['0', '1']);
    mobile || with_area_code || local
}

fn email_valid(email: &str) -> bool {
    match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !email.contains(char::is_whitespace)
                && email.len() <= 254
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The form's codes are the report's column codes (they disagreed: `other_organisation` on the form,
    /// `other_org` in table 三); a page from before still posts the old one.
    #[test]
    fn every_applicant_type_of_the_form_is_its_report_column() {
        for (code, _) in APPLICANT_TYPES {
            assert_eq!(applicant_type(code).map(ApplicantType::code), Some(code));
        }
        assert_eq!(APPLICANT_TYPES.len(), ApplicantType::ALL.len());
        assert_eq!(applicant_type("other_organisation"), Some(ApplicantType::OtherOrganisation));
        assert_eq!(applicant_type("other"), None);
    }

    fn valid_form() -> ApplicationForm {
        ApplicationForm {
            csrf: String::new(),
            once: String::new(),
            applicant_type: "natural".into(),
            name: "张三".into(),
            id_type: "居民身份证".into(),
            id_number: "11010519491231002X".into(),
            phone: "13812345678".into(),
            email: "zhang@example.cn".into(),
            address: "温州市鹿城区人民路1号".into(),
            description: "2018年温州市司法局政府信息公开工作年度报告".into(),
            delivery_form: "电子邮件".into(),
        }
    }

    #[test]
    fn resident_id_check_character() {
        // The example of GB 11643-1999 appendix: sum of weighted digits = 167, 167 mod 11 = 2 → 'X'.
        assert!(resident_id_valid("11010519491231002X"));
        assert!(!resident_id_valid("110105194912310021"));
        assert!(!resident_id_valid("11010519491231002"));
        assert!(!resident_id_valid("1101051949123100２X"));
    }

    #[test]
    fn credit_code_check_character() {
        // A published code (国家税务总局: 91350100M000100Y43 is the standard's worked example).
        assert!(credit_code_valid("91350100M000100Y43"));
        assert!(!credit_code_valid("91350100M000100Y44"));
        assert!(!credit_code_valid("91350100M000100YI3"), "I is not in the code set");
    }

    #[test]
    fn a_valid_form_passes() {
        assert_eq!(validate(&valid_form()), Ok(ApplicantType::Natural));
    }

    #[test]
    fn every_problem_is_reported_next_to_its_field() {
        let form = ApplicationForm {
            applicant_type: "business".into(),
            name: " ".into(),
            id_type: "居民身份证".into(),
            id_number: "123".into(),
            phone: "12ab".into(),
            email: "not-an-email".into(),
            address: String::new(),
            description: "文件".into(),
            delivery_form: "飞鸽传书".into(),
            ..valid_form()
        };
        let errors = validate(&form).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|error| error.field).collect();
        assert_eq!(
            fields,
            [
                "name",
                "id_type",
                "id_number",
                "phone",
                "email",
                "address",
                "description",
                "delivery_form"
            ]
        );
    }

    #[test]
    fn email_delivery_needs_an_email() {
        let form = ApplicationForm { email: String::new(), ..valid_form() };
        let errors = validate(&form).unwrap_err();
        assert_eq!(errors[0].field, "email");
        let form = ApplicationForm {
            email: String::new(),
            delivery_form: "邮寄纸质文本".into(),
            ..valid_form()
        };
        assert!(validate(&form).is_ok());
    }

    #[test]
    fn phones() {
        assert!(phone_valid("13812345678"));
        assert!(phone_valid("0577-88888888"));
        assert!(!phone_valid("1381234567"));
        assert!(phone_valid("88888888"));
        assert!(!phone_valid("电话"));
        assert!(!phone_valid("12345"));
    }
}
