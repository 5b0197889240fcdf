//! The agency pages of the portal: 机构概况, 领导信息, 公开指南, 公开目录 (by category and year, paged), the item
//! page with its metadata block and attachments, and the 年度报告 archive with its downloads.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use gongkai_store::agencies::{self, AgencyRow, Leader};
use gongkai_store::catalog::{self, Filter, ItemSummary};
use gongkai_store::reports;
use serde::Deserialize;

use crate::{AppState, PageError};

/// Items per catalog page.
pub(crate) const PAGE_SIZE: i64 = 20;

/// The agency's heading and tabs, shared by its pages.
pub(crate) struct AgencyHeader {
    pub(crate) code: String,
    pub(crate) name: String,
    pub(crate) region: String,
    pub(crate) kind: &'static str,
    /// The tab shown: overview, leaders, guide, catalog, reports, apply, booking.
    pub(crate) tab: &'static str,
    /// The agencies above it, from the top of the tree: (code, name).
    pub(crate) trail: Vec<(String, String)>,
    /// The day it closed, or empty.
    pub(crate) closed_on: String,
    /// The agency that took over its work, or empty.
    pub(crate) successor_code: String,
    pub(crate) successor_name: String,
}

impl AgencyHeader {
    /// The header of `agency`'s pages, with its place in the tree (from the cached agency list).
    pub(crate) async fn load(
        state: &AppState,
        agency: &AgencyRow,
        tab: &'static str,
    ) -> Result<AgencyHeader, gongkai_store::StoreError> {
        let all = state.agencies().await?;
        let (successor_code, successor_name) = agency.successor.clone().unwrap_or_default();
        Ok(AgencyHeader {
            code: agency.code.clone(),
            name: agency.name.clone(),
            region: agency.region.clone(),
            kind: agency.kind.label(),
            tab,
            trail: trail(&all, agency),
            closed_on: closed_as_of(agency, state.today()).unwrap_or_default().to_owned(),
            successor_code,
            successor_name,
        })
    }

    /// `aria-current` for the tab `name`.
    pub(crate) fn current(&self, name: &str) -> &'static str {
        if self.tab == name { "page" } else { "false" }
    }
}

/// The agencies above `agency` in `all`, from the top of the tree down: (code, name). The tree is checked
/// acyclic on every write; the bound only guards a database edited by hand.
pub(crate) fn trail(all: &[AgencyRow], agency: &AgencyRow) -> Vec<(String, String)> {
    let mut trail = Vec::new();
    let mut next = agency.parent_code.as_deref();
    while let Some(code) = next {
        let Some(parent) = all.iter().find(|candidate| candidate.code == code) else { break };
        if trail.len() >= 32 {
            break;
        }
        trail.push((parent.code.clone(), parent.name.clone()));
        next = parent.parent_code.as_deref();
    }
    trail.reverse();
    trail
}

#[derive(Template)]
#[template(path = "closed.html")]
struct ClosedPage<'a> {
    code: &'a str,
    name: &'a str,
    closed_on: &'a str,
    successor_code: &'a str,
    successor_name: &'a str,
    /// What is no longer taken (政府信息公开申请, 查阅预约), and where at the successor.
    what: &'a str,
    path: &'a str,
    action: &'a str,
}

/// For a closed agency, the page that refuses a new application or booking (410 Gone) and sends the
/// visitor to its successor; `None` for an agency at work.
pub(crate) fn refuse_if_closed(
    agency: &AgencyRow,
    form: &str,
    today: time::Date,
) -> Result<Option<Response>, PageError> {
    let Some(closed_on) = closed_as_of(agency, today) else { return Ok(None) };
    let (successor_code, successor_name) =
        agency.successor.as_ref().map_or(("", ""), |(code, name)| (code.as_str(), name.as_str()));
    let (what, action) = match form {
        "booking" => ("查阅预约", "预约查阅"),
        _ => ("政府信息公开申请", "提出申请"),
    };
    let page = ClosedPage {
        code: &agency.code,
        name: &agency.name,
        closed_on,
        successor_code,
        successor_name,
        what,
        path: form,
        action,
    };
    Ok(Some((StatusCode::GONE, Html(page.render()?)).into_response()))
}

/// The day `agency` closed, if it has closed by `today` (a closure entered ahead of its day takes effect
/// on that day).
pub(crate) fn closed_as_of(agency: &AgencyRow, today: time::Date) -> Option<&str> {
    agency.closed_on.as_deref().filter(|closed_on| *closed_on <= today.to_string().as_str())
}

/// Text stored with blank lines between paragraphs, as paragraphs.
pub(crate) fn paragraphs(text: &str) -> Vec<String> {
    text.split("\n\n").map(str::trim).filter(|p| !p.is_empty()).map(str::to_owned).collect()
}

/// Lines of a paragraph (a signature block keeps its line breaks).
pub(crate) fn lines(text: &str) -> Vec<String> {
    text.lines().map(str::to_owned).collect()
}

#[derive(Template)]
#[template(path = "agency.html")]
struct OverviewPage {
    agency: AgencyHeader,
    overview: Vec<String>,
    duties: Vec<String>,
    latest: Vec<ItemSummary>,
}

pub(crate) async fn overview(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    let agency = state.agency(&code).await?;
    let profile = agencies::profile(state.store(), &code).await?;
    let latest = catalog::list(state.store(), agency.id, Filter::default(), 0, 8).await?.items;
    let page = OverviewPage {
        agency: AgencyHeader::load(&state, &agency, "overview").await?,
        overview: paragraphs(&profile.overview),
        duties: paragraphs(&profile.duties),
        latest,
    };
    Ok(Html(page.render()?).into_response())
}

#[derive(Template)]
#[template(path = "leaders.html")]
struct LeadersPage {
    agency: AgencyHeader,
    leaders: Vec<Leader>,
}

pub(crate) async fn leaders(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    let agency = state.agency(&code).await?;
    let profile = agencies::profile(state.store(), &code).await?;
    let page = LeadersPage {
        agency: AgencyHeader::load(&state, &agency, "leaders").await?,
        leaders: profile.leaders,
    };
    Ok(Html(page.render()?).into_response())
}

#[derive(Template)]
#[template(path = "guide.html")]
struct GuidePage {
    agency: AgencyHeader,
    row: AgencyRow,
    email: String,
    postcode: String,
    fax: String,
    reading_points: Vec<gongkai_store::bookings::ReadingPoint>,
    categories: Vec<(String, i64)>,
}

pub(crate) async fn guide(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    let agency = state.agency(&code).await?;
    let profile = agencies::profile(state.store(), &code).await?;
    let reading_points =
        gongkai_store::bookings::reading_points(state.store(), &code, state.today()).await?;
    let categories = state.facets(agency.id).await?.0.clone();
    let page = GuidePage {
        agency: AgencyHeader::load(&state, &agency, "guide").await?,
        row: agency,
        email: profile.email,
        postcode: profile.postcode,
        fax: profile.fax,
        reading_points,
        categories,
    };
    Ok(Html(page.render()?).into_response())
}

/// Query parameters of the catalog, kept as text: anything unreadable is ignored, not an error page.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct CatalogQuery {
    category: Option<String>,
    year: Option<String>,
    page: Option<String>,
}

pub(crate) struct PageLink {
    pub(crate) number: i64,
    pub(crate) href: String,
    pub(crate) current: bool,
}

#[derive(Template)]
#[template(path = "catalog.html")]
struct CatalogPage {
    agency: AgencyHeader,
    categories: Vec<(String, i64, String, bool)>,
    years: Vec<(i32, i64, String, bool)>,
    all_categories_href: String,
    all_years_href: String,
    category: Option<String>,
    year: Option<i32>,
    items: Vec<ItemSummary>,
    total: i64,
    page: i64,
    pages: i64,
    links: Vec<PageLink>,
    previous: Option<String>,
    next: Option<String>,
}

fn catalog_href(code: &str, category: Option<&str>, year: Option<i32>, page: i64) -> String {
    let mut parts = Vec::new();
    if let Some(category) = category {
        parts.push(format!("category={}", encode(category)));
    }
    if let Some(year) = year {
        parts.push(format!("year={year}"));
    }
    if page > 1 {
        parts.push(format!("page={page}"));
    }
    if parts.is_empty() {
        format!("/agencies/{code}/catalog")
    } else {
        format!("/agencies/{code}/catalog?{}", parts.join("&"))
    }
}

/// Percent-encodes a query value.
pub(crate) fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len() * 3);
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

pub(crate) async fn catalog_page(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(query): Query<CatalogQuery>,
) -> Result<Response, PageError> {
    let agency = state.agency(&code).await?;
    let facets = state.facets(agency.id).await?;
    let (all_categories, all_years) = (&facets.0, &facets.1);
    let category =
        query.category.filter(|category| all_categories.iter().any(|(known, _)| known == category));
    let year = query
        .year
        .and_then(|year| year.parse::<i32>().ok())
        .filter(|year| all_years.iter().any(|(known, _)| known == year));
    let requested = query.page.and_then(|page| page.parse::<i64>().ok()).unwrap_or(1).max(1);
    let filter = Filter { category: category.as_deref(), year };
    // The facets give the total unless both filters are set.
    let count_of =
        |name: &str| all_categories.iter().find(|(known, _)| known == name).map(|(_, n)| *n);
    let total = match (&category, year) {
        (None, None) => all_categories.iter().map(|(_, n)| n).sum(),
        (Some(category), None) => count_of(category).unwrap_or(0),
        (None, Some(year)) => {
            all_years.iter().find(|(known, _)| *known == year).map_or(0, |(_, n)| *n)
        }
        (Some(_), Some(_)) => catalog::count(state.store(), agency.id, filter).await?,
    };
    let pages = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    let page = requested.min(pages);
    let items =
        catalog::page(state.store(), agency.id, filter, (page - 1) * PAGE_SIZE, PAGE_SIZE).await?;
    let window = (page - 4).max(1)..=(page + 4).min(pages);
    let links = window
        .map(|number| PageLink {
            number,
            href: catalog_href(&code, category.as_deref(), year, number),
            current: number == page,
        })
        .collect();
    let page_view = CatalogPage {
        categories: all_categories
            .iter()
            .map(|(name, count)| {
                let current = category.as_deref() == Some(name.as_str());
                (name.clone(), *count, catalog_href(&code, Some(name), year, 1), current)
            })
            .collect(),
        years: all_years
            .iter()
            .map(|(known, count)| {
                (
                    *known,
                    *count,
                    catalog_href(&code, category.as_deref(), Some(*known), 1),
                    year == Some(*known),
                )
            })
            .collect(),
        all_categories_href: catalog_href(&code, None, year, 1),
        all_years_href: catalog_href(&code, category.as_deref(), None, 1),
        previous: (page > 1).then(|| catalog_href(&code, category.as_deref(), year, page - 1)),
        next: (page < pages).then(|| catalog_href(&code, category.as_deref(), year, page + 1)),
        agency: AgencyHeader::load(&state, &agency, "catalog").await?,
        category,
        year,
        total,
        items,
        page,
        pages,
        links,
    };
    Ok(Html(page_view.render()?).into_response())
}

/// A channel's Chinese name.
pub(crate) fn channel_label(code: &str) -> &'static str {
    match code {
        "website" => "政府网站",
        "gazette" => "政府公报",
        "weibo" => "政务微博",
        "wechat" => "政务微信",
        _ => "其他方式",
    }
}

#[derive(Template)]
#[template(path = "item.html")]
struct ItemPage {
    agency: AgencyHeader,
    item: catalog::ItemView,
    body: Vec<Vec<String>>,
    channels: Vec<(&'static str, String)>,
    /// `(href, name, size)`.
    attachments: Vec<(String, String, String)>,
}

/// A size for people: 12.3 KB, 1.2 MB.
pub(crate) fn human_size(bytes: i64) -> String {
    let bytes = bytes as f64;
    if bytes >= 1024.0 * 1024.0 {
        format!("{:.1} MB", bytes / 1024.0 / 1024.0)
    } else {
        format!("{:.1} KB", bytes / 1024.0)
    }
}

pub(crate) async fn item(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id: i64 = id.parse().map_err(|_| PageError::NotFound)?;
    let item = catalog::item(state.store(), id).await?.ok_or(PageError::NotFound)?;
    if item.withdrawn {
        // Nothing of a withdrawn item is shown, not even its title: it may be what exposed personal data.
        return Ok(crate::error::page(
            StatusCode::GONE,
            "该信息已撤回",
            "该信息已由发布机关撤回，不再公开。如需了解相关情况，可依法提出政府信息公开申请。",
        ));
    }
    let agency = state.agency(&item.summary.agency_code).await?;
    let body = paragraphs(&item.body).iter().map(|paragraph| lines(paragraph)).collect();
    let channels =
        item.channels.iter().map(|(code, date)| (channel_label(code), date.clone())).collect();
    let attachments = item
        .attachments
        .iter()
        .map(|file| {
            (
                format!("/items/{id}/attachments/{}", file.id),
                file.name.clone(),
                human_size(file.size),
            )
        })
        .collect();
    let page = ItemPage {
        agency: AgencyHeader::load(&state, &agency, "catalog").await?,
        item,
        body,
        channels,
        attachments,
    };
    Ok(Html(page.render()?).into_response())
}

/// A `Content-Disposition` that names the file in UTF-8 (RFC 6266), with an ASCII fallback.
pub(crate) fn disposition(kind: &str, name: &str) -> HeaderValue {
    let fallback: String = name
        .chars()
        .map(|ch| if ch.is_ascii_alphanumeric() || ch == '.' { ch } else { '_' })
        .collect();
    HeaderValue::from_str(&format!(
        "{kind}; filename=\"{fallback}\"; filename*=UTF-8''{}",
        encode(name)
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

pub(crate) async fn attachment(
    State(state): State<AppState>,
    Path((id, attachment)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let id: i64 = id.parse().map_err(|_| PageError::NotFound)?;
    let attachment: i64 = attachment.parse().map_err(|_| PageError::NotFound)?;
    let (name, media_type, data) =
        catalog::attachment(state.store(), id, attachment).await?.ok_or(PageError::NotFound)?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_str(&media_type).map_err(|_| PageError::NotFound)?,
            ),
            (header::CONTENT_DISPOSITION, disposition("attachment", &name)),
        ],
        data,
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "reports.html")]
struct ReportsPage {
    agency: AgencyHeader,
    reports: Vec<ReportRow>,
    /// Reports published before the platform (历史报告).
    history: Vec<gongkai_store::history::HistoryReport>,
}

struct ReportRow {
    year: i32,
    format: String,
    published: String,
    /// `(href, label)` per file kind.
    links: Vec<(String, &'static str)>,
}

pub(crate) async fn report_list(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    let agency = state.agency(&code).await?;
    let reports = reports::published(state.store(), &code)
        .await?
        .into_iter()
        .map(|report| ReportRow {
            year: report.year,
            format: format_name(&report.format).to_owned(),
            published: report.published_at.chars().take(10).collect(),
            links: report
                .kinds
                .iter()
                .map(|kind| {
                    (format!("/agencies/{code}/reports/{}.{kind}", report.year), kind_name(kind))
                })
                .collect(),
        })
        .collect();
    let history = gongkai_store::history::list(state.store(), &code).await?;
    let page = ReportsPage {
        agency: AgencyHeader::load(&state, &agency, "reports").await?,
        reports,
        history,
    };
    Ok(Html(page.render()?).into_response())
}

/// A 历史报告 as the agency published it before the platform: the file itself, for download.
pub(crate) async fn history_file(
    State(state): State<AppState>,
    Path((code, year)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let agency = state.agency(&code).await?;
    let year: i32 = year.parse().map_err(|_| PageError::NotFound)?;
    let (name, media_type, bytes) = gongkai_store::history::file(state.store(), &agency.code, year)
        .await?
        .ok_or(PageError::NotFound)?;
    let encoded: String = name
        .bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => {
                (byte as char).to_string()
            }
            _ => format!("%{byte:02X}"),
        })
        .collect();
    let disposition = format!("attachment; filename=\"report-{year}\"; filename*=UTF-8''{encoded}");
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&media_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    // An uploaded HTML report never runs as a page of the portal, even if a browser opens it.
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("sandbox"));
    Ok(response)
}

/// A leader's photo (领导信息), by its SHA-256: served only when a leader of this agency has it, as the
/// image it was checked to be; cached for an hour (a removed photo leaves shared caches soon).
pub(crate) async fn leader_photo(
    State(state): State<AppState>,
    Path((code, sha256)): Path<(String, String)>,
) -> Result<Response, PageError> {
    if sha256.len() != 64 || !sha256.bytes().all(|byte| byte.is_ascii_hexdigit()) {
        return Err(PageError::NotFound);
    }
    let (media_type, bytes) = agencies::leader_photo(state.store(), &code, &sha256)
        .await?
        .filter(|(media_type, _)| agencies::PHOTO_TYPES.contains(&media_type.as_str()))
        .ok_or(PageError::NotFound)?;
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&media_type).map_err(|_| PageError::NotFound)?,
    );
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
    Ok(response)
}

/// The name of a report format.
fn format_name(format: &str) -> &'static str {
    match format {
        "pre2019" => "2008年格式",
        "2019" => "2019年格式（试行）",
        _ => "2021年格式",
    }
}

/// The label of a report file's kind.
pub(crate) fn kind_name(kind: &str) -> &'static str {
    match kind {
        "html" => "网页",
        "docx" => "Word",
        "pdf" => "PDF",
        "xlsx" => "Excel",
        _ => "JSON 数据",
    }
}

/// `/agencies/{code}/reports/{file}`, where `file` is `2018.pdf` and the like.
pub(crate) async fn report_file(
    State(state): State<AppState>,
    Path((code, file)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let (year, kind) = file.split_once('.').ok_or(PageError::NotFound)?;
    let year: i32 = year.parse().map_err(|_| PageError::NotFound)?;
    if !reports::KINDS.contains(&kind) {
        return Err(PageError::NotFound);
    }
    let agency = state.agency(&code).await?;
    let (media_type, data) =
        reports::file(state.store(), &code, year, kind).await?.ok_or(PageError::NotFound)?;
    let name = format!("{}{year}年政府信息公开工作年度报告.{kind}", agency.name);
    let inline = matches!(kind, "html" | "pdf" | "json");
    let mut response = (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_str(&media_type).map_err(|_| PageError::NotFound)?,
            ),
            (
                header::CONTENT_DISPOSITION,
                disposition(if inline { "inline" } else { "attachment" }, &name),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600")),
        ],
        data,
    )
        .into_response();
    if kind == "html" {
        // The report's HTML carries its own stylesheet inline and no script.
        response.headers_mut().insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; base-uri 'none'",
            ),
        );
    }
    Ok(response)
}
