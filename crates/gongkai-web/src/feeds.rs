//! Atom feeds (per agency, optionally per category), the sitemap (an index of files of at most 50,000
//! URLs) and robots.txt.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use gongkai_store::catalog::{self, Filter};
use serde::Deserialize;

use crate::portal::encode;
use crate::{AppState, PageError};

/// URLs per sitemap file (the sitemap protocol's limit).
const SITEMAP_URLS: i64 = 50_000;
/// Entries per feed.
const FEED_ENTRIES: i64 = 50;

/// `http://host` from the request's Host header (only host-name characters are accepted).
fn base_url(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|value| value.to_str().ok())
        .filter(|host| {
            !host.is_empty()
                && host.len() <= 255
                && host.chars().all(|ch| {
                    ch.is_ascii_alphanumeric() || matches!(ch, '.' | '-' | ':' | '[' | ']')
                })
        })
        .unwrap_or("localhost");
    format!("http://{host}")
}

/// Escapes text for XML.
pub(crate) fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 forbids.
            ch if (ch as u32) < 0x20 && !matches!(ch, '\t' | '\n' | '\r') => {}
            _ => out.push(ch),
        }
    }
    out
}

fn xml_response(content_type: &'static str, body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=300")),
        ],
        body,
    )
        .into_response()
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct FeedQuery {
    category: Option<String>,
}

/// An Atom feed of catalog items.
fn atom(
    base: &str,
    title: &str,
    self_href: &str,
    alternate: &str,
    author: &str,
    items: &[gongkai_store::catalog::ItemSummary],
) -> String {
    let updated = items.first().map_or("2000-01-01", |item| item.published.as_str());
    let mut body = String::with_capacity(16 * 1024);
    body.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"zh-CN\">\n");
    body.push_str(&format!(
        "<title>{}</title>\n<id>{}</id>\n<link rel=\"self\" href=\"{}\"/>\n<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n<updated>{updated}T00:00:00+08:00</updated>\n<author><name>{}</name></author>\n",
        xml(title),
        xml(self_href),
        xml(self_href),
        xml(alternate),
        xml(author)
    ));
    for item in items {
        body.push_str(&format!(
            "<entry>\n<title>{}</title>\n<id>{base}/items/{}</id>\n<link rel=\"alternate\" type=\"text/html\" href=\"{base}/items/{}\"/>\n<updated>{}T00:00:00+08:00</updated>\n<author><name>{}</name></author>\n<category term=\"{}\"/>\n<summary>{}</summary>\n</entry>\n",
            xml(&item.title),
            item.id,
            item.id,
            xml(&item.published),
            xml(&item.agency_name),
            xml(&item.category),
            xml(&[item.index_number.as_str(), item.doc_number.as_str()].iter().filter(|s| !s.is_empty()).copied().collect::<Vec<_>>().join(" "))
        ));
    }
    body.push_str("</feed>\n");
    body
}

/// The platform's feed: the newest items of every agency (linked from the home page).
pub(crate) async fn platform_feed(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let items = catalog::latest(state.store(), FEED_ENTRIES).await?;
    let base = base_url(&headers);
    let body = atom(
        &base,
        "政府信息公开平台 · 最新公开信息",
        &format!("{base}/feed.atom"),
        &format!("{base}/"),
        "政府信息公开平台",
        &items,
    );
    Ok(xml_response("application/atom+xml; charset=utf-8", body))
}

pub(crate) async fn agency_feed(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(query): Query<FeedQuery>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let agency = state.agency(&code).await?;
    let category = query.category.filter(|category| !category.is_empty());
    let filter = Filter { category: category.as_deref(), year: None };
    let listing = catalog::list(state.store(), agency.id, filter, 0, FEED_ENTRIES).await?;
    if category.is_some() && listing.total == 0 {
        return Err(PageError::NotFound);
    }
    let base = base_url(&headers);
    let title = match &category {
        Some(category) => format!("{} · {category}", agency.name),
        None => format!("{} · 主动公开信息", agency.name),
    };
    let self_href = match &category {
        Some(category) => format!("{base}/agencies/{code}/feed.atom?category={}", encode(category)),
        None => format!("{base}/agencies/{code}/feed.atom"),
    };
    let body = atom(
        &base,
        &title,
        &self_href,
        &format!("{base}/agencies/{code}/catalog"),
        &agency.name,
        &listing.items,
    );
    Ok(xml_response("application/atom+xml; charset=utf-8", body))
}

pub(crate) async fn robots(headers: HeaderMap) -> Response {
    let base = base_url(&headers);
    (
        [(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"))],
        format!(
            "User-agent: *\nDisallow: /track\nDisallow: /booking/cancel\nDisallow: /search\nAllow: /\n\nSitemap: {base}/sitemap.xml\n"
        ),
    )
        .into_response()
}

/// The sitemap index: the agencies' pages, then the items in files of 50,000 ids.
pub(crate) async fn sitemap_index(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let base = base_url(&headers);
    let max_id = catalog::max_id(state.store()).await?;
    let files = (max_id + SITEMAP_URLS - 1) / SITEMAP_URLS;
    let mut body = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    body.push_str(&format!("<sitemap><loc>{base}/sitemaps/agencies.xml</loc></sitemap>\n"));
    for file in 0..files {
        body.push_str(&format!("<sitemap><loc>{base}/sitemaps/items-{file}.xml</loc></sitemap>\n"));
    }
    body.push_str("</sitemapindex>\n");
    Ok(xml_response("application/xml; charset=utf-8", body))
}

/// `/sitemaps/agencies.xml` or `/sitemaps/items-N.xml`.
pub(crate) async fn sitemap_file(
    State(state): State<AppState>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let base = base_url(&headers);
    let mut body = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    if file == "agencies.xml" {
        body.push_str(&format!("<url><loc>{base}/</loc></url>\n"));
        for agency in gongkai_store::agencies::list(state.store()).await? {
            for page in ["", "/leaders", "/guide", "/catalog", "/reports", "/apply", "/booking"] {
                body.push_str(&format!(
                    "<url><loc>{base}/agencies/{}{page}</loc></url>\n",
                    xml(&agency.code)
                ));
            }
        }
    } else {
        let number: i64 = file
            .strip_prefix("items-")
            .and_then(|rest| rest.strip_suffix(".xml"))
            .and_then(|number| number.parse().ok())
            .filter(|number| *number >= 0 && *number < i64::MAX / SITEMAP_URLS - 1)
            .ok_or(PageError::NotFound)?;
        let entries = catalog::sitemap_entries(
            state.store(),
            number * SITEMAP_URLS,
            (number + 1) * SITEMAP_URLS,
        )
        .await?;
        if entries.is_empty() {
            return Err(PageError::NotFound);
        }
        for (id, published) in entries {
            body.push_str(&format!(
                "<url><loc>{base}/items/{id}</loc><lastmod>{}</lastmod></url>\n",
                xml(&published)
            ));
        }
    }
    body.push_str("</urlset>\n");
    Ok(xml_response("application/xml; charset=utf-8", body))
}
