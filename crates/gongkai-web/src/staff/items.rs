//! Publishing (主动公开) in the back office: the agency's items, a new item with its 索引号 generated from
//! the agency's pattern, editing against the item's version, channels with their dates, attachments,
//! normative-document status, withdrawal, bulk edits of category or validity, and the warning when an item
//! went out more than 20 working days after it was formed (2019 条例 art. 26).

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use gongkai_core::publishing::{Draft, DraftProblem, check_draft, late_by};
use gongkai_core::records::PublishChannel;
use gongkai_core::vocabulary::Vocabulary;
use gongkai_store::agencies::AgencyRow;
use gongkai_store::catalog::{self, Filter, ItemSummary};
use gongkai_store::publishing::{self, BulkField, Publication, VALIDITIES};
use gongkai_store::vocabularies;
use gongkai_store::{Refused, StoreError};
use serde::Deserialize;
use time::Date;

use super::{CsrfForm, Need, Staff, parse_date};
use crate::error::PageForm;
use crate::{AppState, PageError, csrf};

const PER_PAGE: i64 = 50;

/// The channels with their Chinese names (the annual report's table 二 columns).
const CHANNELS: [(PublishChannel, &str, &str); 5] = [
    (PublishChannel::Website, "website", "政府网站"),
    (PublishChannel::Gazette, "gazette", "政府公报"),
    (PublishChannel::Weibo, "weibo", "政务微博"),
    (PublishChannel::Wechat, "wechat", "政务微信"),
    (PublishChannel::Other, "other", "其他方式"),
];

#[derive(Template)]
#[template(path = "staff/items.html")]
struct ItemsPage<'a> {
    staff: &'a Staff,
    csrf: &'a str,
    agency: &'a AgencyRow,
    items: Vec<ItemSummary>,
    page: i64,
    pages: i64,
    total: i64,
    can_handle: bool,
    categories: Vec<String>,
    validities: &'static [&'static str],
    notice: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct PageQuery {
    page: String,
}

async fn items_page(
    state: &AppState,
    staff: &Staff,
    headers: &HeaderMap,
    agency: &AgencyRow,
    page: i64,
    notice: Option<String>,
) -> Result<Response, PageError> {
    let listing =
        catalog::list(state.store(), agency.id, Filter::default(), (page - 1) * PER_PAGE, PER_PAGE)
            .await?;
    let pages = ((listing.total + PER_PAGE - 1) / PER_PAGE).max(1);
    let facets = state.facets(agency.id).await?;
    let agencies = state.agencies().await?;
    let (token, cookie) = csrf::issue(headers)?;
    let page = ItemsPage {
        staff,
        csrf: &token,
        agency,
        items: listing.items,
        page: page.min(pages),
        pages,
        total: listing.total,
        can_handle: staff.may(&agency.code, &agencies, Need::Handle),
        categories: facets.0.iter().map(|(category, _)| category.clone()).collect(),
        validities: &VALIDITIES,
        notice,
    };
    Ok(csrf::with_cookie(Html(page.render()?).into_response(), cookie))
}

pub(crate) async fn list(
    State(state): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
    Query(query): Query<PageQuery>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let agency = staff.agency(&state, &code, Need::Read).await?;
    let page = query.page.parse::<i64>().ok().filter(|page| *page >= 1).unwrap_or(1);
    items_page(&state, &staff, &headers, &agency, page, None).await
}

/// The item form as posted: every field a string, so nothing typed is lost on an error.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub(crate) struct ItemForm {
    csrf: String,
    /// The one-time token of the new-item form (see `once`).
    once: String,
    version: String,
    title: String,
    summary: String,
    body: String,
    category: String,
    subject: String,
    genre: String,
    doc_number: String,
    formed: String,
    published: String,
    validity: String,
    normative: String,
    repealed: String,
    website: String,
    website_on: String,
    gazette: String,
    gazette_on: String,
    weibo: String,
    weibo_on: String,
    wechat: String,
    wechat_on: String,
    other: String,
    other_on: String,
}

impl ItemForm {
    fn channel(&self, code: &str) -> (&str, &str) {
        match code {
            "website" => (&self.website, &self.website_on),
            "gazette" => (&self.gazette, &self.gazette_on),
            "weibo" => (&self.weibo, &self.weibo_on),
            "wechat" => (&self.wechat, &self.wechat_on),
            _ => (&self.other, &self.other_on),
        }
    }

    fn checked(&self, code: &str) -> bool {
        !self.channel(code).0.is_empty()
    }

    fn channel_date(&self, code: &str) -> &str {
        self.channel(code).1
    }

    /// The text inputs of the form: (name, label, value).
    fn text_fields(&self) -> [(&'static str, &'static str, &str); 5] {
        [
            ("title", "标题", &self.title),
            ("category", "目录分类", &self.category),
            ("subject", "主题分类", &self.subject),
            ("genre", "体裁", &self.genre),
            ("doc_number", "文号", &self.doc_number),
        ]
    }

    /// The date inputs of the form: (name, label, value).
    fn date_fields(&self) -> [(&'static str, &'static str, &str); 2] {
        [("formed", "成文日期", &self.formed), ("published", "发布日期", &self.published)]
    }
}

#[derive(Template)]
#[template(path = "staff/item.html")]
struct ItemPage<'a> {
    staff: &'a Staff,
    csrf: &'a str,
    once: &'a str,
    agency: &'a AgencyRow,
    /// `None` for a new item.
    item: Option<(i64, String, bool, Vec<catalog::AttachmentInfo>)>,
    form: &'a ItemForm,
    errors: &'a [(&'static str, String)],
    notice: Option<String>,
    channels: &'static [(PublishChannel, &'static str, &'static str)],
    validities: &'static [&'static str],
    can_handle: bool,
    /// The agency's lists of 目录分类, 主题分类, 体裁 (by field name).
    vocabularies: Vec<(&'static str, Vocabulary)>,
}

impl ItemPage<'_> {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|(name, _)| *name == field).map(|(_, message)| message.as_str())
    }

    /// Whether two texts are the same (the template compares a field's name, or a term with its value).
    fn same(&self, left: &str, right: &str) -> bool {
        left == right
    }

    /// Whether `value` is one of the list's terms.
    fn listed(&self, list: &Vocabulary, value: &str) -> bool {
        list.terms.iter().any(|term| term == value)
    }

    /// The list a field takes its values from (目录分类, 主题分类, 体裁), if it is one of them.
    fn vocabulary(&self, field: &str) -> Option<&Vocabulary> {
        self.vocabularies.iter().find(|(name, _)| *name == field).map(|(_, list)| list)
    }
}

#[allow(clippy::too_many_arguments)]
async fn item_page(
    state: &AppState,
    staff: &Staff,
    headers: &HeaderMap,
    agency: &AgencyRow,
    item_id: Option<i64>,
    form: &ItemForm,
    errors: &[(&'static str, String)],
    notice: Option<String>,
) -> Result<Response, PageError> {
    let item = match item_id {
        Some(id) => {
            let view = catalog::item(state.store(), id).await?.ok_or(PageError::NotFound)?;
            Some((id, view.summary.index_number, view.withdrawn, view.attachments))
        }
        None => None,
    };
    let agencies = state.agencies().await?;
    let vocabularies = vocabularies::lists(state.store(), &agency.code)
        .await?
        .into_iter()
        .map(|(kind, list)| (kind.code(), list))
        .collect();
    let (token, cookie) = csrf::issue(headers)?;
    let once = crate::once::token(&form.once)?;
    let page = ItemPage {
        staff,
        csrf: &token,
        once: &once,
        agency,
        item,
        form,
        errors,
        notice,
        channels: &CHANNELS,
        validities: &VALIDITIES,
        can_handle: staff.may(&agency.code, &agencies, Need::Handle),
        vocabularies,
    };
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok(csrf::with_cookie((status, Html(page.render()?)).into_response(), cookie))
}

pub(crate) async fn new_form(
    State(state): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let agency = staff.agency(&state, &code, Need::Handle).await?;
    let today = state.today().to_string();
    let form = ItemForm {
        published: today.clone(),
        formed: today.clone(),
        validity: "有效".to_owned(),
        website: "on".to_owned(),
        website_on: today,
        ..ItemForm::default()
    };
    item_page(&state, &staff, &headers, &agency, None, &form, &[], None).await
}

/// A message next to the field it is about.
type FieldError = (&'static str, String);

/// The form as a publication (formed, published, repealed), or the problems next to their fields: dates that
/// do not parse here, the publishing rules (`gongkai_core::publishing::check_draft`) on what does.
fn validate(
    form: &ItemForm,
    today: Date,
    channels: &mut Vec<(PublishChannel, Date)>,
) -> Result<(Option<Date>, Date, Option<Date>), Vec<FieldError>> {
    let mut errors: Vec<(&'static str, String)> = Vec::new();
    let published = parse_date(&form.published);
    if published.is_none() {
        errors.push(("published", "请填写发布日期（格式：2026-11-27）。".to_owned()));
    }
    let optional =
        |text: &str, field: &'static str, message: &str, errors: &mut Vec<FieldError>| {
            if text.trim().is_empty() {
                return None;
            }
            let day = parse_date(text);
            if day.is_none() {
                errors.push((field, message.to_owned()));
            }
            day
        };
    let formed = optional(&form.formed, "formed", "成文日期格式不正确。", &mut errors);
    let repealed = optional(&form.repealed, "repealed", "废止日期格式不正确。", &mut errors);
    for (channel, code, label) in CHANNELS {
        if !form.checked(code) {
            continue;
        }
        match parse_date(form.channel_date(code)) {
            Some(day) => channels.push((channel, day)),
            None => errors.push(("channels", format!("请填写{label}的发布日期。"))),
        }
    }
    let draft = Draft {
        title: &form.title,
        category: &form.category,
        body: &form.body,
        doc_number: &form.doc_number,
        // An unreadable publication day is reported above; the other rules are still checked.
        published: published.unwrap_or(today),
        formed,
        validity: &form.validity,
        normative: !form.normative.is_empty(),
        repealed,
        channels: channels.as_slice(),
    };
    let typed_channel = errors.iter().any(|(field, _)| *field == "channels");
    for problem in check_draft(&draft, today) {
        // Rules against the publication day wait until it reads.
        let against_published = matches!(
            problem,
            DraftProblem::PublishedAfterToday
                | DraftProblem::FormedAfterPublished
                | DraftProblem::ChannelBeforePublished(_)
        );
        if (problem == DraftProblem::NoChannel && typed_channel)
            || (against_published && published.is_none())
        {
            continue;
        }
        errors.push((problem.field(), problem.message()));
    }
    match published {
        Some(published) if errors.is_empty() => Ok((formed, published, repealed)),
        _ => Err(errors),
    }
}

fn publication<'a>(
    form: &'a ItemForm,
    formed: Option<Date>,
    published: Date,
    repealed: Option<Date>,
    channels: &'a [(PublishChannel, Date)],
) -> Publication<'a> {
    Publication {
        title: &form.title,
        summary: &form.summary,
        body: &form.body,
        category: &form.category,
        subject: &form.subject,
        genre: &form.genre,
        doc_number: &form.doc_number,
        formed,
        published,
        validity: &form.validity,
        normative: !form.normative.is_empty(),
        repealed,
        channels,
    }
}

/// The art. 26 warning for an item formed on `formed` and published on `published`.
fn lateness(state: &AppState, formed: Option<Date>, published: Date) -> Option<String> {
    let formed = formed?;
    let late = late_by(&state.calendar(), formed, published).ok().flatten()?;
    Some(format!(
        "注意：该信息成文于{formed}，{published}公开，超出《中华人民共和国政府信息公开条例》第二十六条规定的20个工作日{late}个工作日。"
    ))
}

fn store_refusal(err: StoreError) -> Result<Vec<(&'static str, String)>, PageError> {
    match err {
        StoreError::Refused(Refused::NormativeWithoutNumber) => {
            Ok(vec![("doc_number", "规范性文件须填写文号。".to_owned())])
        }
        StoreError::Refused(Refused::NotInVocabulary { field, message }) => {
            Ok(vec![(field, format!("{message}。"))])
        }
        StoreError::Refused(Refused::IndexPattern(_)) => {
            Ok(vec![("title", "本单位的索引号规则有误，请联系平台管理员。".to_owned())])
        }
        StoreError::Conflict { .. } => Ok(vec![(
            "title",
            "该信息在您打开页面后已被他人修改，请核对最新内容后重新保存。".to_owned(),
        )]),
        other => Err(other.into()),
    }
}

pub(crate) async fn create(
    State(state): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
    headers: HeaderMap,
    PageForm(form): PageForm<ItemForm>,
) -> Result<Response, PageError> {
    csrf::check(&headers, &form.csrf)?;
    let agency = staff.agency(&state, &code, Need::Handle).await?;
    let mut channels = Vec::new();
    let (formed, published, repealed) = match validate(&form, state.today(), &mut channels) {
        Ok(dates) => dates,
        Err(errors) => {
            return item_page(&state, &staff, &headers, &agency, None, &form, &errors, None).await;
        }
    };
    let item = publication(&form, formed, published, repealed, &channels);
    let token = match crate::once::begin(&state, &form.once, "publication", &form.csrf).await? {
        Ok(crate::once::Begin::Act(token)) => token,
        // The same form again (a reload after publishing): the item it published, not a second one.
        Ok(crate::once::Begin::Replay { result, .. }) => {
            let (id, notice) = result.split_once(' ').unwrap_or((result.as_str(), ""));
            let id: i64 = id.parse().map_err(|_| PageError::NotFound)?;
            let (owner, _) =
                publishing::owner(state.store(), id).await?.ok_or(PageError::NotFound)?;
            if owner != agency.code {
                return Err(PageError::NotFound);
            }
            let form = edit_form(&state, id).await?;
            let notice = Some(notice.to_owned());
            return item_page(&state, &staff, &headers, &agency, Some(id), &form, &[], notice)
                .await;
        }
        Err(pending) => return Ok(pending),
    };
    match publishing::publish(state.store(), &agency.code, &item, &staff.actor()).await {
        Ok((id, number)) => {
            let mut notice = format!("已发布，索引号 {number}。");
            if let Some(late) = lateness(&state, formed, published) {
                notice.push_str(&late);
            }
            crate::once::done(&state, &token, &format!("{id} {notice}"), None).await?;
            let form = edit_form(&state, id).await?;
            item_page(&state, &staff, &headers, &agency, Some(id), &form, &[], Some(notice)).await
        }
        Err(err) => {
            crate::once::failed(&state, &token).await;
            let errors = store_refusal(err)?;
            item_page(&state, &staff, &headers, &agency, None, &form, &errors, None).await
        }
    }
}

/// The form filled from the stored item.
async fn edit_form(state: &AppState, id: i64) -> Result<ItemForm, PageError> {
    let view = catalog::item(state.store(), id).await?.ok_or(PageError::NotFound)?;
    let (_, version) = publishing::owner(state.store(), id).await?.ok_or(PageError::NotFound)?;
    let mut form = ItemForm {
        version: version.to_string(),
        title: view.summary.title,
        summary: view.summary_text,
        body: view.body,
        category: view.summary.category,
        subject: view.subject,
        genre: view.genre,
        doc_number: view.summary.doc_number,
        formed: view.formed.unwrap_or_default(),
        published: view.summary.published,
        validity: view.validity,
        normative: if view.normative { "on".to_owned() } else { String::new() },
        ..ItemForm::default()
    };
    for (code, day) in view.channels {
        let (checked, date) = match code.as_str() {
            "website" => (&mut form.website, &mut form.website_on),
            "gazette" => (&mut form.gazette, &mut form.gazette_on),
            "weibo" => (&mut form.weibo, &mut form.weibo_on),
            "wechat" => (&mut form.wechat, &mut form.wechat_on),
            _ => (&mut form.other, &mut form.other_on),
        };
        *checked = "on".to_owned();
        *date = day;
    }
    Ok(form)
}

async fn owned_item(
    state: &AppState,
    staff: &Staff,
    id: &str,
    need: Need,
) -> Result<(i64, AgencyRow), PageError> {
    let id: i64 = id.parse().map_err(|_| PageError::NotFound)?;
    let (code, _) = publishing::owner(state.store(), id).await?.ok_or(PageError::NotFound)?;
    staff.require(state, &code, need, &format!("item:{id}")).await?;
    Ok((id, state.agency(&code).await?))
}

pub(crate) async fn edit_page(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let (id, agency) = owned_item(&state, &staff, &id, Need::Read).await?;
    let form = edit_form(&state, id).await?;
    item_page(&state, &staff, &headers, &agency, Some(id), &form, &[], None).await
}

pub(crate) async fn edit(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    headers: HeaderMap,
    PageForm(form): PageForm<ItemForm>,
) -> Result<Response, PageError> {
    csrf::check(&headers, &form.csrf)?;
    let (id, agency) = owned_item(&state, &staff, &id, Need::Handle).await?;
    let mut channels = Vec::new();
    let (formed, published, repealed) = match validate(&form, state.today(), &mut channels) {
        Ok(dates) => dates,
        Err(errors) => {
            return item_page(&state, &staff, &headers, &agency, Some(id), &form, &errors, None)
                .await;
        }
    };
    let version = form.version.trim().parse::<i64>().unwrap_or(-1);
    let item = publication(&form, formed, published, repealed, &channels);
    match publishing::edit(state.store(), id, version, &item, &staff.actor()).await {
        Ok(()) => {
            let mut notice = "已保存。".to_owned();
            if let Some(late) = lateness(&state, formed, published) {
                notice.push_str(&late);
            }
            let fresh = edit_form(&state, id).await?;
            item_page(&state, &staff, &headers, &agency, Some(id), &fresh, &[], Some(notice)).await
        }
        Err(err) => {
            let errors = store_refusal(err)?;
            item_page(&state, &staff, &headers, &agency, Some(id), &form, &errors, None).await
        }
    }
}

pub(crate) async fn withdraw(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    headers: HeaderMap,
    PageForm(form): PageForm<CsrfForm>,
) -> Result<Response, PageError> {
    csrf::check(&headers, &form.csrf)?;
    let (id, agency) = owned_item(&state, &staff, &id, Need::Handle).await?;
    match catalog::withdraw(state.store(), id, &staff.actor()).await {
        Ok(()) | Err(StoreError::NotFound { .. }) => {}
        Err(err) => return Err(err.into()),
    }
    Ok(Redirect::to(&format!("/staff/agencies/{}/items", agency.code)).into_response())
}

/// An attachment upload (multipart: `csrf`, `file`).
pub(crate) async fn attach(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Multipart,
) -> Result<Response, PageError> {
    let (id, agency) = owned_item(&state, &staff, &id, Need::Handle).await?;
    let mut upload = super::Upload::read(body).await?;
    let file = upload.take_file();
    csrf::check(&headers, upload.field("csrf"))?;
    let form = edit_form(&state, id).await?;
    let Some((name, data)) = file.filter(|(name, data)| !name.is_empty() && !data.is_empty())
    else {
        let errors = [("file", "请选择要上传的文件。".to_owned())];
        return item_page(&state, &staff, &headers, &agency, Some(id), &form, &errors, None).await;
    };
    match catalog::attach(state.store(), id, &name, &data, &staff.actor()).await {
        Ok(info) => {
            let notice = format!("已上传附件“{}”。", info.name);
            item_page(&state, &staff, &headers, &agency, Some(id), &form, &[], Some(notice)).await
        }
        Err(StoreError::InvalidData(_)) => {
            let errors = [(
                "file",
                "附件须为 PDF、OFD、Word、Excel、JPG、PNG 或 ZIP 文件，且不超过20MB。".to_owned(),
            )];
            item_page(&state, &staff, &headers, &agency, Some(id), &form, &errors, None).await
        }
        Err(err) => Err(err.into()),
    }
}

/// Bulk edit: the posted form has `ids` (repeated), `field` and `value`.
pub(crate) async fn bulk(
    State(state): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, PageError> {
    // Repeated `ids` keys: `form_urlencoded` keeps every pair (serde's form decoding would not).
    let pairs: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
    let value_of = |name: &str| {
        pairs.iter().find(|(key, _)| key == name).map(|(_, value)| value.as_str()).unwrap_or("")
    };
    csrf::check(&headers, value_of("csrf"))?;
    let agency = staff.agency(&state, &code, Need::Handle).await?;
    let ids: Vec<i64> = pairs
        .iter()
        .filter(|(key, _)| key == "ids")
        .filter_map(|(_, id)| id.parse().ok())
        .collect();
    let field = match value_of("field") {
        "category" => BulkField::Category,
        "validity" => BulkField::Validity,
        _ => return Err(PageError::BadForm(StatusCode::BAD_REQUEST)),
    };
    let value = value_of("value");
    let notice = if ids.is_empty() {
        "请先勾选要修改的信息。".to_owned()
    } else {
        match publishing::bulk_set(state.store(), agency.id, &ids, field, value, &staff.actor())
            .await
        {
            Ok(changed) => format!("已修改{changed}条信息。"),
            Err(StoreError::InvalidData(_)) => "请填写或选择新的值。".to_owned(),
            Err(StoreError::Refused(Refused::NotInVocabulary { message, .. })) => {
                format!("{message}。")
            }
            Err(err) => return Err(err.into()),
        }
    };
    items_page(&state, &staff, &headers, &agency, 1, Some(notice)).await
}
