//! 单位设置: an agency's admin (or a platform admin) keeps what the portal shows of the agency — its name,
//! region, 索引号 pattern, the 公开指南's contact details (fax included), 机构概况 and 主要职责, 领导信息 — and its
//! reading points (查阅点) with their slots and seats, and sees a day's bookings. Moving the agency in the tree
//! and closing it are a platform admin's. Saved through the same checks as `gongkai agency import`
//! ([`gongkai_core::directory::check`]), so the back office and a file cannot disagree.

use std::collections::HashMap;

use askama::Template;
use axum::extract::Multipart;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use gongkai_core::directory::{self, AgencyEntry, LeaderEntry};
use gongkai_core::reading::{Schedule, ScheduleError, weekday_name};
use gongkai_core::vocabulary::{self, Kind};
use gongkai_store::agencies::{self, AgencyRow, Leader};
use gongkai_store::bookings::{self, DayBooking, NewPoint, PointChange, PointSettings};
use gongkai_store::{Actor, Refused, StoreError, vocabularies};
use serde::Deserialize;
use time::Date;

use super::{Need, Staff};
use crate::error::PageForm;
use crate::{AppState, PageError, csrf};

/// Blank leader rows offered below the agency's leaders.
const BLANK_LEADERS: usize = 3;
/// The most leader rows a form may post.
const MAX_LEADERS: usize = 60;

#[derive(Template)]
#[template(path = "staff/settings.html")]
struct SettingsPage<'a> {
    staff: &'a Staff,
    csrf: &'a str,
    agency: &'a AgencyRow,
    /// The agency as saved, or as the failed form had it.
    entry: AgencyEntry,
    leaders: Vec<LeaderEntry>,
    platform_admin: bool,
    /// Other agencies, for the parent and successor choices.
    agencies: Vec<(String, String)>,
    /// The leaders as stored, with their photos (the photo forms act on these).
    stored_leaders: Vec<Leader>,
    points: Vec<PointForm>,
    /// The weekday fields of the form adding a reading point, blank.
    new_week: Vec<(String, &'static str, String)>,
    day: String,
    bookings: Vec<DayBooking>,
    error: Option<(String, String)>,
    done: Option<String>,
    /// The agency's lists (目录分类, 主题分类, 体裁): kind, its label, the text of its form, whether it is
    /// open (not set up).
    vocabularies: Vec<(&'static str, &'static str, String, bool)>,
}

impl SettingsPage<'_> {
    fn error_in(&self, action: &str) -> Option<&str> {
        self.error.as_ref().filter(|(at, _)| at == action).map(|(_, message)| message.as_str())
    }

    fn text<'b>(&self, value: &'b Option<String>) -> &'b str {
        value.as_deref().unwrap_or("")
    }

    /// The 公开指南's contact fields: (form name, label, value).
    fn contacts(&self) -> Vec<(&'static str, &'static str, &str)> {
        let entry = &self.entry;
        [
            ("office", "政府信息公开工作机构", &entry.office),
            ("phone", "联系电话", &entry.phone),
            ("fax", "传真", &entry.fax),
            ("email", "电子邮箱", &entry.email),
            ("address", "办公地址", &entry.address),
            ("postcode", "邮政编码", &entry.postcode),
            ("hours", "办公时间", &entry.hours),
        ]
        .into_iter()
        .map(|(name, label, value)| (name, label, value.as_deref().unwrap_or("")))
        .collect()
    }
}

/// A reading point's form: its settings and its week, one field per weekday (name, label, as typed).
struct PointForm {
    settings: PointSettings,
    week: Vec<(String, &'static str, String)>,
}

impl PointForm {
    fn new(settings: PointSettings) -> Self {
        let week = week_fields(Some(&settings.point.schedule));
        PointForm { settings, week }
    }

    /// The day's slots one per line, as the form shows them.
    fn daily(&self) -> String {
        self.settings
            .point
            .schedule
            .daily()
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// A week's fields as the form has them, Monday first: `week_1` … `week_7`, the weekday's name, and its
/// value as typed (blank for a new point).
fn week_fields(schedule: Option<&Schedule>) -> Vec<(String, &'static str, String)> {
    WEEKDAYS
        .iter()
        .enumerate()
        .map(|(at, weekday)| {
            let typed =
                schedule.map(|schedule| schedule.typed_weekday(*weekday)).unwrap_or_default();
            (format!("week_{}", at + 1), weekday_name(*weekday), typed)
        })
        .collect()
}

const WEEKDAYS: [time::Weekday; 7] = [
    time::Weekday::Monday,
    time::Weekday::Tuesday,
    time::Weekday::Wednesday,
    time::Weekday::Thursday,
    time::Weekday::Friday,
    time::Weekday::Saturday,
    time::Weekday::Sunday,
];

#[derive(Debug, Default, Deserialize)]
pub(crate) struct DayQuery {
    #[serde(default)]
    day: String,
}

/// The agency `code` for its admin or a platform admin; anyone else is refused and the refusal audited.
async fn administered(state: &AppState, staff: &Staff, code: &str) -> Result<AgencyRow, PageError> {
    staff.agency(state, code, Need::Administer).await
}

async fn stored_entry(state: &AppState, code: &str) -> Result<AgencyEntry, PageError> {
    agencies::export(state.store(), Some(code))
        .await?
        .into_iter()
        .find(|entry| entry.code == code)
        .ok_or(PageError::NotFound)
}

#[expect(clippy::too_many_arguments, reason = "one page, rendered from the handlers below")]
async fn render(
    state: &AppState,
    staff: &Staff,
    headers: &HeaderMap,
    agency: &AgencyRow,
    entry: Option<AgencyEntry>,
    day: Date,
    error: Option<(String, String)>,
    done: Option<String>,
) -> Result<Response, PageError> {
    render_kept(state, staff, headers, agency, entry, day, error, done, None).await
}

/// [`render`], with a list's form as it was typed when it came back refused (kind, text).
#[expect(clippy::too_many_arguments, reason = "one page, rendered from the handlers below")]
async fn render_kept(
    state: &AppState,
    staff: &Staff,
    headers: &HeaderMap,
    agency: &AgencyRow,
    entry: Option<AgencyEntry>,
    day: Date,
    error: Option<(String, String)>,
    done: Option<String>,
    kept: Option<(Kind, String)>,
) -> Result<Response, PageError> {
    let entry = match entry {
        Some(entry) => entry,
        None => stored_entry(state, &agency.code).await?,
    };
    let mut leaders = entry.leaders.clone().unwrap_or_default();
    leaders.extend(std::iter::repeat_n(LeaderEntry::default(), BLANK_LEADERS));
    let all = state.agencies().await?;
    let agencies = all
        .iter()
        .filter(|other| other.code != agency.code && other.closed_on.is_none())
        .map(|other| (other.code.clone(), other.name.clone()))
        .collect();
    let points = bookings::all_points(state.store(), &agency.code)
        .await?
        .into_iter()
        .map(PointForm::new)
        .collect();
    let stored_leaders = agencies::profile(state.store(), &agency.code).await?.leaders;
    let list = bookings::on_day(state.store(), &agency.code, day, &staff.actor()).await?;
    let mut lists = Vec::new();
    for (kind, stored) in vocabularies::lists(state.store(), &agency.code).await? {
        let text = match &kept {
            Some((at, text)) if *at == kind => text.clone(),
            _ => vocabulary::format(&stored),
        };
        lists.push((kind.code(), kind.label(), text, stored.open));
    }
    let (token, cookie) = csrf::issue(headers)?;
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let page = SettingsPage {
        staff,
        csrf: &token,
        agency,
        entry,
        leaders,
        platform_admin: staff.is_platform_admin(),
        agencies,
        stored_leaders,
        points,
        new_week: week_fields(None),
        day: day.to_string(),
        bookings: list,
        error,
        done,
        vocabularies: lists,
    };
    Ok(csrf::with_cookie((status, Html(page.render()?)).into_response(), cookie))
}

pub(crate) async fn page(
    State(state): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
    Query(query): Query<DayQuery>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let agency = administered(&state, &staff, &code).await?;
    let day = super::parse_date(&query.day).unwrap_or_else(|| state.today());
    render(&state, &staff, &headers, &agency, None, day, None, None).await
}

fn field<'a>(form: &'a HashMap<String, String>, name: &str) -> &'a str {
    form.get(name).map_or("", String::as_str)
}

/// The agency as the profile form states it, on top of what is stored (the closure is kept; the parent
/// too unless a platform admin moved it).
fn posted_entry(
    form: &HashMap<String, String>,
    stored: &AgencyEntry,
    may_move: bool,
) -> AgencyEntry {
    let line = |name: &str| Some(field(form, name).trim().to_owned());
    // Text areas: the browser sends CRLF; stored with LF.
    let text = |name: &str| Some(field(form, name).replace("\r\n", "\n").trim().to_owned());
    let rows: usize = field(form, "leader_rows").parse().unwrap_or(0).min(MAX_LEADERS);
    let leaders = (0..rows)
        .map(|row| LeaderEntry {
            name: field(form, &format!("leader_name_{row}")).trim().to_owned(),
            post: field(form, &format!("leader_post_{row}")).trim().to_owned(),
            duties: field(form, &format!("leader_duties_{row}")).trim().to_owned(),
            biography: field(form, &format!("leader_biography_{row}"))
                .replace("\r\n", "\n")
                .trim()
                .to_owned(),
        })
        .filter(|leader| {
            !(leader.name.is_empty()
                && leader.post.is_empty()
                && leader.duties.is_empty()
                && leader.biography.is_empty())
        })
        .collect();
    // "" (the form's 无) puts it at the top of the tree; kept as it is for an agency admin.
    let parent = if may_move { Some(field(form, "parent").trim().to_owned()) } else { None };
    // The kind sets the report's deadline and the agency's place in the tree's order: a platform admin's.
    let kind = if may_move { field(form, "kind").trim().to_owned() } else { stored.kind.clone() };
    AgencyEntry {
        code: stored.code.clone(),
        name: field(form, "name").trim().to_owned(),
        kind,
        parent,
        region: line("region"),
        index_pattern: line("index_pattern").filter(|pattern| !pattern.is_empty()),
        office: line("office"),
        phone: line("phone"),
        fax: line("fax"),
        email: line("email"),
        address: line("address"),
        postcode: line("postcode"),
        hours: line("hours"),
        overview: text("overview"),
        duties: text("duties"),
        leaders: Some(leaders),
        closed_on: None,
        successor: None,
    }
}

/// The Chinese name of an agency file field, for the problems of the profile form.
fn field_label(field: &str) -> &'static str {
    match field {
        "code" => "单位代码",
        "name" => "单位名称",
        "kind" => "类型",
        "parent" => "上级单位",
        "region" => "所在地区",
        "index_pattern" => "索引号规则",
        "office" => "政府信息公开工作机构",
        "phone" => "联系电话",
        "fax" => "传真",
        "email" => "电子邮箱",
        "address" => "办公地址",
        "postcode" => "邮政编码",
        "hours" => "办公时间",
        "overview" => "机构概况",
        "duties" => "主要职责",
        "leader" => "领导信息",
        _ => "其他",
    }
}

/// A reading point's week as its form states it: the day's slots (`slots`) and a field per weekday
/// (`week_1` … `week_7`, Monday first), or why not, in Chinese.
fn posted_week(form: &HashMap<String, String>) -> Result<Schedule, String> {
    let week: [&str; 7] = std::array::from_fn(|at| field(form, &format!("week_{}", at + 1)));
    Schedule::typed(field(form, "slots"), week).map_err(|err| match err {
        ScheduleError::BadSlot(slot) => {
            format!("时段“{slot}”应写作如 09:00-10:30（开始早于结束），每行一个或用逗号分隔。")
        }
        ScheduleError::Overlap(first, second) => format!("时段 {first} 与 {second} 重叠。"),
        ScheduleError::NoSlots => "请至少填写一个每日时段，如 09:00-10:30。".to_owned(),
        ScheduleError::NeverOpen => "每周至少应有一天开放。".to_owned(),
        ScheduleError::BadWeekday(_) => "星期的时段填写有误。".to_owned(),
    })
}

/// What a reading point's store refusal means for its form.
fn point_message(err: &StoreError) -> Option<String> {
    match err {
        StoreError::Refused(Refused::Capacity(_)) => {
            Some("每个时段的座位数应为1至500。".to_owned())
        }
        StoreError::Refused(Refused::PointWithoutNameOrAddress) => {
            Some("请填写查阅点名称和地址。".to_owned())
        }
        StoreError::NotFound { .. } => Some("该查阅点不存在或已关闭。".to_owned()),
        _ => None,
    }
}

/// Dates typed one per line or separated by commas.
fn typed_days(text: &str) -> Option<Vec<Date>> {
    text.split(|c: char| c == ',' || c == '，' || c == '、' || c.is_whitespace())
        .filter(|day| !day.trim().is_empty())
        .map(super::parse_date)
        .collect()
}

/// What a settings action came to: the notice to show, or why it was refused (in Chinese).
type Outcome = Result<String, String>;

/// What the profile form came to: the notice, or the entry as posted and its problems (in Chinese).
type ProfileOutcome = Result<String, (AgencyEntry, String)>;

/// Saves one of the settings forms (`action`); answers with the settings page and what happened.
pub(crate) async fn submit(
    State(state): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
    headers: HeaderMap,
    PageForm(form): PageForm<HashMap<String, String>>,
) -> Result<Response, PageError> {
    csrf::check(&headers, field(&form, "csrf"))?;
    let agency = administered(&state, &staff, &code).await?;
    let action = field(&form, "action").to_owned();
    let today = state.today();
    let actor = staff.actor();
    let result = match action.as_str() {
        "profile" => match save_profile(&state, &staff, &agency, &form, &actor).await? {
            Ok(done) => Ok(done),
            Err((entry, message)) => {
                let error = Some((action, message));
                return render(&state, &staff, &headers, &agency, Some(entry), today, error, None)
                    .await;
            }
        },
        "vocabulary" => {
            let kind = Kind::from_code(field(&form, "kind"))
                .ok_or(PageError::BadForm(StatusCode::BAD_REQUEST))?;
            let text = field(&form, "terms");
            let list = vocabulary::parse(text);
            let saved = if list.terms.is_empty() && !list.aliases.is_empty() {
                Err(StoreError::InvalidData("只有别名而没有词条：请先列出词条。".to_owned()))
            } else {
                vocabularies::set(state.store(), &agency.code, kind, &list, &actor).await
            };
            match saved {
                Ok(()) if list.terms.is_empty() => Ok(format!(
                    "已清空{}表：可填写任意值（与已用值相同的写法自动归并）。",
                    kind.label()
                )),
                Ok(()) => Ok(format!("已保存{}表（{}项）。", kind.label(), list.terms.len())),
                Err(StoreError::InvalidData(message)) => {
                    let error = Some((
                        format!("vocabulary-{}", kind.code()),
                        format!("{message}。").replace("。。", "。"),
                    ));
                    let kept = Some((kind, text.to_owned()));
                    return render_kept(
                        &state, &staff, &headers, &agency, None, today, error, None, kept,
                    )
                    .await;
                }
                Err(err) => return Err(err.into()),
            }
        }
        "close" => close_agency(&state, &staff, &agency, &form, &actor).await?,
        "add_point" => add_reading_point(&state, &agency, &form, today, &actor).await?,
        "configure_point" | "close_point" => {
            change_reading_point(&state, &agency, &form, &action, today, &actor).await?
        }
        _ => Err("未知的操作。".to_owned()),
    };
    let agency = state.agency(&code).await?;
    match result {
        Ok(done) => render(&state, &staff, &headers, &agency, None, today, None, Some(done)).await,
        Err(message) => {
            let error = Some((action, message));
            render(&state, &staff, &headers, &agency, None, today, error, None).await
        }
    }
}

/// Saves the profile form through the directory checks, as `gongkai agency import` would.
async fn save_profile(
    state: &AppState,
    staff: &Staff,
    agency: &AgencyRow,
    form: &HashMap<String, String>,
    actor: &Actor<'_>,
) -> Result<ProfileOutcome, PageError> {
    let stored = stored_entry(state, &agency.code).await?;
    let entry = posted_entry(form, &stored, staff.is_platform_admin());
    let existing = agencies::existing(state.store()).await?;
    match directory::check(std::slice::from_ref(&entry), &existing) {
        Err(problems) => {
            let message = problems
                .iter()
                .map(|problem| format!("{}：{}", field_label(problem.field), problem.message))
                .collect::<Vec<_>>()
                .join("；");
            Ok(Err((entry, message)))
        }
        Ok((order, regions)) => {
            let counts = agencies::import(
                state.store(),
                std::slice::from_ref(&entry),
                &order,
                &regions,
                "agency.edit",
                actor,
            )
            .await?;
            state.forget_agencies();
            let notice = if counts.changed > 0 {
                "已保存单位信息。"
            } else {
                "单位信息没有变化。"
            };
            Ok(Ok(notice.to_owned()))
        }
    }
}

/// Closes the agency on the posted date, with the posted successor if any (a platform admin's).
async fn close_agency(
    state: &AppState,
    staff: &Staff,
    agency: &AgencyRow,
    form: &HashMap<String, String>,
    actor: &Actor<'_>,
) -> Result<Outcome, PageError> {
    if !staff.is_platform_admin() {
        return Ok(Err("撤销单位须由平台管理员办理。".to_owned()));
    }
    let Some(day) = super::parse_date(field(form, "closed_on")) else {
        return Ok(Err("请填写撤销日期（如 2026-06-30）。".to_owned()));
    };
    let successor = Some(field(form, "successor").trim()).filter(|code| !code.is_empty());
    match agencies::close(state.store(), &agency.code, successor, day, actor).await {
        Ok(open) => {
            state.forget_agencies();
            Ok(Ok(if open > 0 {
                format!("已撤销。本单位尚有{open}件申请未记录答复，请继续办结。")
            } else {
                "已撤销。".to_owned()
            }))
        }
        Err(StoreError::Refused(Refused::AgencyClosed { .. })) => {
            Ok(Err("本单位已经撤销。".to_owned()))
        }
        Err(StoreError::Refused(Refused::SuccessorClosed(_))) => {
            Ok(Err("承继单位本身已撤销，请另选。".to_owned()))
        }
        Err(StoreError::NotFound { .. }) => Ok(Err("承继单位不存在。".to_owned())),
        Err(err) => Err(err.into()),
    }
}

/// Adds the reading point the form states, opened on the posted date (today when none is posted).
async fn add_reading_point(
    state: &AppState,
    agency: &AgencyRow,
    form: &HashMap<String, String>,
    today: Date,
    actor: &Actor<'_>,
) -> Result<Outcome, PageError> {
    let schedule = match posted_week(form) {
        Err(message) => return Ok(Err(message)),
        Ok(schedule) => schedule,
    };
    let capacity = field(form, "capacity").trim().parse::<i64>().unwrap_or(0);
    let opened = super::parse_date(field(form, "opened")).unwrap_or(today);
    let point = NewPoint {
        name: field(form, "point_name"),
        address: field(form, "point_address"),
        hours: field(form, "hours"),
        capacity,
        schedule: &schedule,
        opened,
    };
    match bookings::add_point(state.store(), &agency.code, &point, actor).await {
        Ok(_) => Ok(Ok(format!("已添加查阅点“{}”。", point.name.trim()))),
        Err(err) => point_refusal(err),
    }
}

/// Configures or closes (by `action`) the posted reading point, one of the agency's open ones.
async fn change_reading_point(
    state: &AppState,
    agency: &AgencyRow,
    form: &HashMap<String, String>,
    action: &str,
    today: Date,
    actor: &Actor<'_>,
) -> Result<Outcome, PageError> {
    let id = field(form, "point").parse::<i64>().unwrap_or(-1);
    let points = bookings::all_points(state.store(), &agency.code).await?;
    if !points.iter().any(|point| point.point.id == id && point.closed.is_none()) {
        Ok(Err("该查阅点不存在或已关闭。".to_owned()))
    } else if action == "configure_point" {
        configure_reading_point(state, agency, form, id, today, actor).await
    } else {
        close_reading_point(state, agency, form, id, actor).await
    }
}

/// Saves a reading point's hours, seats, week and closure days; bookings left stranded are counted.
async fn configure_reading_point(
    state: &AppState,
    agency: &AgencyRow,
    form: &HashMap<String, String>,
    id: i64,
    today: Date,
    actor: &Actor<'_>,
) -> Result<Outcome, PageError> {
    let capacity = field(form, "capacity").trim().parse::<i64>().unwrap_or(0);
    let week = posted_week(form);
    let (schedule, closed_days) = match (week, typed_days(field(form, "closed_days"))) {
        (Err(message), _) => return Ok(Err(message)),
        (_, None) => return Ok(Err("闭馆日期应写作如 2026-12-24，每行一个。".to_owned())),
        (Ok(schedule), Some(closed_days)) => (schedule, closed_days),
    };
    let change = PointChange {
        hours: field(form, "hours"),
        capacity,
        schedule: &schedule,
        closed_days: &closed_days,
    };
    match bookings::configure(state.store(), &agency.code, id, &change, today, actor).await {
        Ok(0) => Ok(Ok("已保存查阅点设置。".to_owned())),
        Ok(stranded) => Ok(Ok(format!(
            "已保存查阅点设置。已有{stranded}个有效预约落在闭馆日或不再开放的时段，预约仍然有效，请逐一通知预约人。"
        ))),
        Err(err) => point_refusal(err),
    }
}

/// Closes a reading point from the posted date; bookings still held from then on are counted.
async fn close_reading_point(
    state: &AppState,
    agency: &AgencyRow,
    form: &HashMap<String, String>,
    id: i64,
    actor: &Actor<'_>,
) -> Result<Outcome, PageError> {
    let Some(day) = super::parse_date(field(form, "closed")) else {
        return Ok(Err("请填写关闭日期（如 2026-06-30）。".to_owned()));
    };
    match bookings::close_point(state.store(), &agency.code, id, day, actor).await {
        Ok(0) => Ok(Ok("已关闭查阅点。".to_owned())),
        Ok(held) => {
            Ok(Ok(format!("已关闭查阅点。该日及以后尚有{held}个有效预约，请逐一通知预约人。")))
        }
        Err(err) => point_refusal(err),
    }
}

/// A reading point's store error as the form's refusal, or the page's error if the form can't say.
fn point_refusal(err: StoreError) -> Result<Outcome, PageError> {
    match point_message(&err) {
        Some(message) => Ok(Err(message)),
        None => Err(err.into()),
    }
}

/// The largest leader photo form: the photo and its few fields.
pub(crate) const PHOTO_FORM_LIMIT: usize = agencies::PHOTO_LIMIT + 64 * 1024;

/// The media type of a photo by its first bytes: JPEG or PNG, whatever name or type the browser gave it.
fn photo_type(data: &[u8]) -> Option<&'static str> {
    if data.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if data.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else {
        None
    }
}

/// A leader's photo (multipart): `csrf`, `seq` and `name` (the leader as the page showed them), `action`
/// (`upload` with `file`, or `remove`). Answers with the settings page and what happened.
pub(crate) async fn photo(
    State(state): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
    headers: HeaderMap,
    body: Multipart,
) -> Result<Response, PageError> {
    let agency = administered(&state, &staff, &code).await?;
    let mut upload = super::Upload::read(body).await?;
    csrf::check(&headers, upload.field("csrf"))?;
    let file = upload.take_file().map(|(_, data)| data).filter(|data| !data.is_empty());
    let seq = upload.field("seq").trim().parse::<i64>().unwrap_or(-1);
    let name = upload.field("name").trim().to_owned();
    let photo = match (upload.field("action"), &file) {
        ("remove", _) => Ok(None),
        (_, None) => Err("请选择照片文件。".to_owned()),
        (_, Some(data)) => match photo_type(data) {
            None => Err("照片应为 JPG 或 PNG 图片。".to_owned()),
            Some(_) if data.len() > agencies::PHOTO_LIMIT => {
                Err(format!("照片不能超过{}MB。", agencies::PHOTO_LIMIT / 1024 / 1024))
            }
            Some(media_type) => Ok(Some((media_type, data.as_slice()))),
        },
    };
    let outcome = match photo {
        Err(message) => Err(message),
        Ok(photo) => {
            match agencies::set_leader_photo(
                state.store(),
                &agency.code,
                seq,
                &name,
                photo,
                &staff.actor(),
            )
            .await
            {
                Ok(()) if photo.is_some() => Ok(format!("已更新{name}的照片。")),
                Ok(()) => Ok(format!("已删除{name}的照片。")),
                Err(StoreError::NotFound { .. }) => {
                    Err("领导信息已有变化，请刷新页面后重试。".to_owned())
                }
                Err(err) => return Err(err.into()),
            }
        }
    };
    let today = state.today();
    match outcome {
        Ok(done) => render(&state, &staff, &headers, &agency, None, today, None, Some(done)).await,
        Err(message) => {
            let error = Some(("photo".to_owned(), message));
            render(&state, &staff, &headers, &agency, None, today, error, None).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::photo_type;

    #[test]
    fn a_photo_is_known_by_its_first_bytes() {
        assert_eq!(photo_type(b"\xFF\xD8\xFF\xE0\x00\x10JFIF"), Some("image/jpeg"));
        assert_eq!(photo_type(b"\x89PNG\r\n\x1a\n\x00\x00"), Some("image/png"));
        assert_eq!(photo_type(b"GIF89a"), None);
        assert_eq!(photo_type(b"<svg xmlns="), None);
        assert_eq!(photo_type(b""), None);
    }
}
