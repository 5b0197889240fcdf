//! HTTP tests of the portal's reading side, through the real router on a real SQLite store: agency pages,
//! the catalog with paging, item pages and attachments, the report archive, search (with the index rebuilt
//! from the store and kept current from the outbox), booking, feeds, the sitemap, the JSON API and its
//! `OpenAPI` document, rate limits and bad input.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use gongkai_core::calendar::Calendar;
use gongkai_core::records::{AgencyRecords, CatalogItem, PublishChannel, ReadingPoint};
use gongkai_search::SearchIndex;
use gongkai_store::agencies::{self, Leader, NewAgency, Profile};
use gongkai_store::catalog::{self, ItemMetadata, NewItem};
use gongkai_store::{Actor, Store, bookings, records, reports};
use gongkai_web::AppState;
use http_body_util::BodyExt;
use time::macros::date;
use tower::ServiceExt;

const TOKEN: &str = "0123456789abcdef0123456789abcdef";
const ACTOR: Actor<'static> = Actor::new("test", "cli");

struct Portal {
    state: AppState,
    store: Store,
    index: Arc<SearchIndex>,
    rebuilt: gongkai_web::indexer::Rebuilt,
    dir: std::path::PathBuf,
}

impl Drop for Portal {
    fn drop(&mut self) {
        std::fs::remove_dir_all(&self.dir).ok();
    }
}

fn new_agency<'a>(
    code: &'a str,
    name: &'a str,
    kind: &'a str,
    parent: Option<&'a str>,
) -> NewAgency<'a> {
    NewAgency {
        code,
        name,
        kind: gongkai_core::records::AgencyKind::from_name(kind).expect("an agency kind"),
        region: "浙江省温州市",
        parent_code: parent,
        index_pattern: "{code}/{year}-{serial:05}",
        office: "政府信息公开办公室",
        phone: "0577-88000000",
        address: "温州市鹿城区市府路500号",
        hours: "工作日 8:30-12:00，14:00-17:30",
    }
}

fn item(
    code: &str,
    n: usize,
    title: &str,
    category: &str,
    doc_number: &str,
    published: time::Date,
) -> NewItem {
    NewItem {
        record: CatalogItem {
            index_number: format!("{code}/{}-{n:05}", published.year()),
            title: title.to_owned(),
            category: category.to_owned(),
            formed: Some(published - time::Duration::days(3)),
            published,
            channels: vec![PublishChannel::Website, PublishChannel::Wechat],
            normative: false,
        },
        metadata: ItemMetadata {
            summary: format!("{title}的概述"),
            body: format!("各有关单位：\n\n{title}，现予公开。\n\n温州市司法局\n{published}"),
            subject: "综合政务/其他".to_owned(),
            genre: if doc_number.is_empty() { "其他" } else { "通知" }.to_owned(),
            doc_number: doc_number.to_owned(),
            ..ItemMetadata::default()
        },
    }
}

/// Two agencies, 45 items of the bureau (3 policy documents with numbers), one of the city, a reading point
/// with 2 seats per slot, a published report; "today" is Friday 2026-11-20.
async fn portal(name: &str) -> Portal {
    let dir = std::env::temp_dir().join(format!("gk_pages_{name}_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let store = Store::open(&format!("sqlite://{}", dir.join("gk.db").display())).await.unwrap();
    agencies::add(&store, &new_agency("ZF", "温州市人民政府", "government", None), &ACTOR)
        .await
        .unwrap();
    agencies::add(&store, &new_agency("SFJ", "温州市司法局", "department", Some("ZF")), &ACTOR)
        .await
        .unwrap();
    let profile = Profile {
        overview: "温州市司法局是市政府工作部门。\n\n负责全市司法行政工作。".to_owned(),
        duties: "（一）统筹法治建设。".to_owned(),
        email: "sfj@example.cn".to_owned(),
        postcode: "325009".to_owned(),
        fax: "0577-88000001".to_owned(),
        leaders: vec![Leader {
            name: "张文斌".to_owned(),
            post: "局长".to_owned(),
            duties: "主持全面工作。".to_owned(),
            biography: "1970年生，法学硕士。".to_owned(),
            photo: None,
        }],
    };
    agencies::set_profile(&store, "SFJ", &profile, &ACTOR).await.unwrap();
    let mut items = vec![
        item(
            "SFJ",
            1,
            "温州市司法局关于印发《温州市人民调解工作实施意见》的通知",
            "政策文件",
            "温司发〔2018〕12号",
            date!(2018 - 05 - 02),
        ),
        item(
            "SFJ",
            2,
            "温州市司法局关于印发《法律援助案件质量评估办法》的通知",
            "政策文件",
            "温司发〔2018〕120号",
            date!(2018 - 09 - 12),
        ),
        item(
            "SFJ",
            3,
            "温州市司法局2019年政府信息公开工作年度报告",
            "政策文件",
            "温司发〔2019〕3号",
            date!(2019 - 03 - 20),
        ),
        item(
            "SFJ",
            4,
            "市司法局召开依申请公开工作培训会 <b>加强</b>",
            "工作信息",
            "",
            date!(2025 - 06 - 01),
        ),
    ];
    for n in 5..=45 {
        items.push(item(
            "SFJ",
            n,
            &format!("市司法局开展普法宣传活动（第{n}期）"),
            "工作信息",
            "",
            date!(2024 - 01 - 01) + time::Duration::days(n as i64),
        ));
    }
    catalog::import(&store, "SFJ", &items, 100, &ACTOR).await.unwrap();
    catalog::import(
        &store,
        "ZF",
        &[item(
            "ZF",
            1,
            "温州市人民政府关于优化营商环境的若干意见",
            "政策文件",
            "温政发〔2024〕1号",
            date!(2024 - 02 - 01),
        )],
        10,
        &ACTOR,
    )
    .await
    .unwrap();
    let records = AgencyRecords {
        reading_points: vec![ReadingPoint {
            name: "温州市司法局查阅点".to_owned(),
            address: "行政中心一楼".to_owned(),
            opened: date!(2019 - 01 - 01),
            closed: None,
        }],
        ..AgencyRecords::default()
    };
    records::save(&store, "SFJ", &records, &ACTOR).await.unwrap();
    let point = bookings::reading_points(&store, "SFJ", date!(2026 - 11 - 20)).await.unwrap()[0].id;
    let schedule =
        gongkai_core::reading::Schedule::typed("09:00-10:30 14:00-15:30", [""; 7]).unwrap();
    let change = bookings::PointChange {
        hours: "工作日 9:00-12:00",
        capacity: 2,
        schedule: &schedule,
        closed_days: &[],
    };
    bookings::configure(&store, "SFJ", point, &change, date!(2026 - 11 - 20), &ACTOR)
        .await
        .unwrap();
    let demo = gongkai_demo::wenzhou_justice();
    let report = gongkai_core::report::build(&demo, 2021, None, Calendar::builtin()).unwrap();
    let files: Vec<reports::ReportFile> =
        [gongkai_render::Output::Html, gongkai_render::Output::Json]
            .into_iter()
            .map(|output| reports::ReportFile {
                kind: output.extension(),
                media_type: output.media_type(),
                data: gongkai_render::render(&report, output).unwrap(),
            })
            .collect();
    reports::publish(&store, "SFJ", 2021, "2021", &files, &ACTOR).await.unwrap();
    let state =
        AppState::with_clock(store.clone(), Calendar::builtin().clone(), || date!(2026 - 11 - 20));
    let index = Arc::new(SearchIndex::in_memory().unwrap());
    let rebuilt = gongkai_web::indexer::rebuild(&store, &index).await.unwrap();
    assert_eq!(rebuilt.items, 46);
    state.set_search(Arc::clone(&index));
    Portal { state, store, index, rebuilt, dir }
}

struct Answer {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: String,
}

async fn send_to(router: axum::Router, request: Request<Body>) -> Answer {
    let mut request = request;
    request.extensions_mut().insert(ConnectInfo(SocketAddr::from(([203, 0, 113, 9], 40000))));
    let response = router.oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    Answer { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() }
}

async fn get(portal: &Portal, uri: &str) -> Answer {
    send_to(
        gongkai_web::router(portal.state.clone()),
        Request::get(uri).header(header::HOST, "portal.example.cn").body(Body::empty()).unwrap(),
    )
    .await
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (byte as char).to_string()
            }
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

fn post_request(uri: &str, fields: &[(&str, &str)]) -> Request<Body> {
    let body = fields
        .iter()
        .map(|(name, value)| format!("{name}={}", encode(value)))
        .collect::<Vec<_>>()
        .join("&");
    Request::post(uri)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, format!("__Host-gk_csrf={TOKEN}"))
        .body(Body::from(body))
        .unwrap()
}

async fn post(portal: &Portal, uri: &str, fields: &[(&str, &str)]) -> Answer {
    send_to(gongkai_web::router(portal.state.clone()), post_request(uri, fields)).await
}

async fn first_item_id(portal: &Portal, title_part: &str) -> i64 {
    catalog::documents_after(&portal.store, 0, 1_000)
        .await
        .unwrap()
        .into_iter()
        .find(|d| d.title.contains(title_part))
        .unwrap()
        .id
}

/// Issue #21: with the index built and caught up, `/readyz` answers 200 with a lag of 0; a change (here a
/// withdrawal) not yet applied shows as lag, and the instance stays ready (the catch-up applies it within seconds).
#[tokio::test]
async fn ready_once_the_index_is_built_with_its_lag_reported() {
    let portal = portal("ready").await;
    let ready = get(&portal, "/readyz").await;
    assert_eq!(ready.status, StatusCode::OK, "{}", ready.body);
    let state: serde_json::Value = serde_json::from_str(&ready.body).unwrap();
    assert_eq!((state["ready"].clone(), state["index"].clone()), (true.into(), "ready".into()));
    assert_eq!(state["index_lag"], 0, "{state}");
    let item = first_item_id(&portal, "").await;
    catalog::withdraw(&portal.store, item, &ACTOR).await.unwrap();
    let behind: serde_json::Value =
        serde_json::from_str(&get(&portal, "/readyz").await.body).unwrap();
    assert_eq!(
        (behind["ready"].clone(), behind["index_lag"].clone()),
        (true.into(), 1.into()),
        "{behind}"
    );
}

#[tokio::test]
async fn agency_pages_show_the_profile_leaders_and_guide_from_the_records() {
    let portal = portal("agency").await;
    let home = get(&portal, "/").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.body.contains("温州市人民政府") && home.body.contains("href=\"/agencies/SFJ\""));
    assert!(
        home.body.contains("市司法局召开依申请公开工作培训会"),
        "latest items on the home page"
    );
    let overview = get(&portal, "/agencies/SFJ").await;
    assert!(
        overview.body.contains("负责全市司法行政工作") && overview.body.contains("统筹法治建设")
    );
    assert!(overview.body.contains("aria-current=\"page\">机构概况"));
    let leaders = get(&portal, "/agencies/SFJ/leaders").await;
    for text in ["张文斌", "局长", "主持全面工作。", "1970年生，法学硕士。"] {
        assert!(leaders.body.contains(text), "{text}");
    }
    let guide = get(&portal, "/agencies/SFJ/guide").await;
    for text in [
        "政府信息公开办公室",
        "温州市鹿城区市府路500号",
        "0577-88000000",
        "325009",
        "sfj@example.cn",
        "温州市司法局查阅点",
        "工作信息</a>（42条）",
    ] {
        assert!(guide.body.contains(text), "guide lacks {text}");
    }
    assert_eq!(get(&portal, "/agencies/NONE").await.status, StatusCode::NOT_FOUND);
    assert_eq!(get(&portal, "/agencies/NONE/catalog").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_catalog_pages_by_category_and_year() {
    let portal = portal("catalog").await;
    let first = get(&portal, "/agencies/SFJ/catalog").await;
    assert!(first.body.contains("共 45 条，第 1/3 页"), "{}", first.body);
    let third = get(&portal, "/agencies/SFJ/catalog?page=3").await;
    assert!(third.body.contains("第 3/3 页"));
    assert_eq!(third.body.matches("href=\"/items/").count(), 5);
    let beyond = get(&portal, "/agencies/SFJ/catalog?page=99").await;
    assert!(beyond.body.contains("第 3/3 页"), "a page past the end shows the last");
    let junk = get(&portal, "/agencies/SFJ/catalog?page=abc&year=x&category=%E6%97%A0").await;
    assert_eq!(junk.status, StatusCode::OK);
    assert!(junk.body.contains("共 45 条"), "unreadable filters are ignored");
    let policy =
        get(&portal, &format!("/agencies/SFJ/catalog?category={}&year=2018", encode("政策文件")))
            .await;
    assert!(policy.body.contains("共 2 条"), "{}", policy.body);
    assert!(policy.body.contains("温司发〔2018〕12号"));
    assert!(!policy.body.contains("<b>加强</b>"));
}

#[tokio::test]
async fn an_item_page_has_the_metadata_block_and_its_attachments() {
    let portal = portal("item").await;
    let id = first_item_id(&portal, "人民调解").await;
    let attachment = catalog::attach(
        &portal.store,
        id,
        "C:\\Users\\x\\实施意见（全文）.pdf",
        b"%PDF-1.7",
        &ACTOR,
    )
    .await
    .unwrap();
    let page = get(&portal, &format!("/items/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    for text in [
        "索引号",
        "SFJ/2018-00001",
        "分类",
        "发布机构",
        "温州市司法局",
        "文号",
        "温司发〔2018〕12号",
        "成文日期",
        "2018-04-29",
        "发布日期",
        "2018-05-02",
        "有效性",
        "有效",
        "政务微信",
        "实施意见（全文）.pdf",
    ] {
        assert!(page.body.contains(text), "item page lacks {text}");
    }
    let file = get(&portal, &format!("/items/{id}/attachments/{}", attachment.id)).await;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(file.headers[header::CONTENT_TYPE], "application/pdf");
    let disposition = file.headers[header::CONTENT_DISPOSITION].to_str().unwrap();
    assert!(
        disposition.starts_with("attachment;") && disposition.contains("filename*=UTF-8''"),
        "{disposition}"
    );
    assert!(!disposition.contains('\\') && !disposition.contains("Users"));
    assert_eq!(
        get(&portal, &format!("/items/{id}/attachments/999")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(get(&portal, "/items/..%2F..%2Fetc%2Fpasswd").await.status, StatusCode::NOT_FOUND);
    assert_eq!(get(&portal, "/items/99999").await.status, StatusCode::NOT_FOUND);
    let escaped = get(&portal, &format!("/items/{}", first_item_id(&portal, "培训会").await)).await;
    assert!(
        escaped.body.contains("加强") && !escaped.body.contains("<b>加强"),
        "the title is escaped"
    );
    catalog::withdraw(&portal.store, id, &ACTOR).await.unwrap();
    let gone = get(&portal, &format!("/items/{id}")).await;
    assert_eq!(gone.status, StatusCode::GONE);
    assert!(gone.body.contains("该信息已撤回"));
}

#[tokio::test]
async fn the_report_archive_serves_the_published_files() {
    let portal = portal("reports").await;
    let list = get(&portal, "/agencies/SFJ/reports").await;
    assert!(list.body.contains("温州市司法局2021年政府信息公开工作年度报告"));
    assert!(list.body.contains("/agencies/SFJ/reports/2021.json"));
    let html = get(&portal, "/agencies/SFJ/reports/2021.html").await;
    assert_eq!(html.status, StatusCode::OK);
    assert!(html.body.contains("收到和处理政府信息公开申请情况"), "the rendered report");
    assert!(
        html.headers[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .contains("default-src 'none'")
    );
    let json = get(&portal, "/agencies/SFJ/reports/2021.json").await;
    let value: serde_json::Value = serde_json::from_str(&json.body).unwrap();
    assert_eq!(value["year"], 2021);
    for missing in [
        "/agencies/SFJ/reports/2021.pdf",
        "/agencies/SFJ/reports/2020.html",
        "/agencies/SFJ/reports/2021.exe",
        "/agencies/SFJ/reports/..%2F2021.html",
        "/agencies/SFJ/reports/x",
    ] {
        assert_eq!(get(&portal, missing).await.status, StatusCode::NOT_FOUND, "{missing}");
    }
}

#[tokio::test]
async fn search_finds_words_document_numbers_and_index_numbers() {
    let portal = portal("search").await;
    let found = get(&portal, &format!("/search?q={}", encode("公开"))).await;
    assert_eq!(found.status, StatusCode::OK);
    assert!(found.body.contains("<mark>公开</mark>"), "highlighted");
    assert!(found.body.contains("2019年政府信息"), "公开 finds 政府信息公开");
    for typed in ["温司发〔2018〕12号", "温司发[2018]12号"] {
        let page = get(&portal, &format!("/search?q={}", encode(typed))).await;
        let first_hit = page.body.split("<ol class=\"hits\">").nth(1).unwrap();
        let first_title = first_hit.split("</h3>").next().unwrap();
        assert!(first_title.contains("人民调解"), "{typed}: {first_title}");
    }
    let by_index = get(&portal, &format!("/search?q={}", encode("SFJ/2018-00002"))).await;
    assert!(
        by_index.body.contains("找到 1 条结果") && by_index.body.contains("法律援助"),
        "{}",
        by_index.body
    );
    // Facets and filters.
    let filtered = get(&portal, &format!("/search?q={}&agency=ZF", encode("温州市"))).await;
    assert!(filtered.body.contains("找到 1 条结果") && filtered.body.contains("营商环境"));
    let escaped = get(&portal, &format!("/search?q={}", encode("培训会"))).await;
    assert!(
        escaped.body.contains("&lt;b&gt;") && !escaped.body.contains("<b>加强"),
        "{}",
        escaped.body
    );
    // Empty, punctuation-only and over-long queries.
    for query in ["", "%EF%BC%8C%E3%80%82", "%20%20"] {
        let page = get(&portal, &format!("/search?q={query}")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("请输入要查找的内容"), "{query}");
    }
    let long = get(&portal, &format!("/search?q={}", encode(&"公开".repeat(80)))).await;
    assert_eq!(long.status, StatusCode::OK);
    assert!(long.body.contains("只按前100个字搜索"));
    let huge = get(&portal, &format!("/search?q={}", "a".repeat(10_000))).await;
    assert_eq!(huge.status, StatusCode::URI_TOO_LONG);
    assert!(huge.body.contains("地址过长"));
    // Issue #20: 500 characters pasted into the search get the page with a search box to try again.
    let pasted = get(&portal, &format!("/search?q={}", encode(&"政府信息公开".repeat(84)))).await;
    assert_eq!(pasted.status, StatusCode::URI_TOO_LONG);
    assert!(pasted.body.contains(r#"action="/search""#), "{}", pasted.body);
    assert!(pasted.body.contains(r#"maxlength="100""#));
    let missing = get(&portal, "/items/999999999").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.body.contains(r#"action="/search""#), "{}", missing.body);
}

#[tokio::test]
async fn a_published_item_becomes_searchable_from_the_outbox_and_a_withdrawn_one_leaves() {
    let portal = portal("outbox").await;
    // A catch-up started fresh re-reads the last minute of the outbox (the rebuild's items)...
    let mut fresh = gongkai_web::indexer::CatchUp::new(&portal.index).unwrap();
    assert_eq!(fresh.run(&portal.store, &portal.index).await.unwrap(), 46);
    // ...one started after the rebuild knows what it covered.
    let mut catch_up =
        gongkai_web::indexer::CatchUp::after(&portal.index, &portal.rebuilt).unwrap();
    assert_eq!(
        catch_up.run(&portal.store, &portal.index).await.unwrap(),
        0,
        "nothing new after a rebuild"
    );
    let query = format!("/search?q={}", encode("调休"));
    assert!(get(&portal, &query).await.body.contains("找到 0 条结果"));
    catalog::import(
        &portal.store,
        "SFJ",
        &[item("SFJ", 46, "关于2027年节假日调休安排的公告", "工作信息", "", date!(2026 - 11 - 19))],
        10,
        &ACTOR,
    )
    .await
    .unwrap();
    assert_eq!(catch_up.run(&portal.store, &portal.index).await.unwrap(), 1);
    assert!(get(&portal, &query).await.body.contains("找到 1 条结果"));
    assert_eq!(catch_up.run(&portal.store, &portal.index).await.unwrap(), 0, "applied once");
    let id = first_item_id(&portal, "调休安排").await;
    catalog::withdraw(&portal.store, id, &ACTOR).await.unwrap();
    assert_eq!(catch_up.run(&portal.store, &portal.index).await.unwrap(), 1);
    assert!(get(&portal, &query).await.body.contains("找到 0 条结果"));
}

#[tokio::test]
async fn booking_a_slot_until_full_then_cancelling_frees_it() {
    let portal = portal("booking").await;
    let page = get(&portal, "/agencies/SFJ/booking").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("温州市司法局查阅点") && page.body.contains("2026-11-23 星期一"));
    assert!(!page.body.contains("2026-11-21"), "Saturday is not offered");
    let point =
        bookings::reading_points(&portal.store, "SFJ", date!(2026 - 11 - 20)).await.unwrap()[0]
            .id
            .to_string();
    let form = |name: &'static str, day: &'static str| {
        vec![
            ("csrf", TOKEN),
            ("point", Box::leak(point.clone().into_boxed_str()) as &str),
            ("day", day),
            ("slot", "09:00-10:30"),
            ("name", name),
            ("phone", "13812345678"),
        ]
    };
    let mut references = Vec::new();
    for name in ["甲", "乙"] {
        let booked = post(&portal, "/agencies/SFJ/booking", &form(name, "2026-11-23")).await;
        assert_eq!(booked.status, StatusCode::OK, "{}", booked.body);
        let reference = booked
            .body
            .split("id=\"booking-reference\">")
            .nth(1)
            .unwrap()
            .split('<')
            .next()
            .unwrap()
            .to_owned();
        let code = booked
            .body
            .split("id=\"booking-code\">")
            .nth(1)
            .unwrap()
            .split('<')
            .next()
            .unwrap()
            .to_owned();
        references.push((reference, code));
    }
    let full = post(&portal, "/agencies/SFJ/booking", &form("丙", "2026-11-23")).await;
    assert_eq!(full.status, StatusCode::CONFLICT);
    assert!(full.body.contains("该时段已约满") && full.body.contains("value=\"丙\""), "input kept");
    let saturday = post(&portal, "/agencies/SFJ/booking", &form("丙", "2026-11-21")).await;
    assert_eq!(saturday.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(saturday.body.contains("不是工作日"));
    let invalid = post(
        &portal,
        "/agencies/SFJ/booking",
        &[
            ("csrf", TOKEN),
            ("point", "x"),
            ("day", "明天"),
            ("slot", ""),
            ("name", ""),
            ("phone", "12"),
        ],
    )
    .await;
    assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
    for message in ["请选择查阅点", "请选择预约日期", "请选择时段", "请填写姓名", "有效的手机号码"]
    {
        assert!(invalid.body.contains(message), "{message}");
    }
    let (reference, code) = &references[0];
    let wrong = post(
        &portal,
        "/booking/cancel",
        &[("csrf", TOKEN), ("reference", reference), ("code", "999999x")],
    )
    .await;
    let unknown = post(
        &portal,
        "/booking/cancel",
        &[("csrf", TOKEN), ("reference", "YY2026999999"), ("code", code)],
    )
    .await;
    assert_eq!((wrong.status, unknown.status), (StatusCode::NOT_FOUND, StatusCode::NOT_FOUND));
    assert_eq!(
        wrong.body.replace(reference.as_str(), ""),
        unknown.body.replace("YY2026999999", ""),
        "same answer"
    );
    let cancelled = post(
        &portal,
        "/booking/cancel",
        &[("csrf", TOKEN), ("reference", reference), ("code", code)],
    )
    .await;
    assert_eq!(cancelled.status, StatusCode::OK);
    assert!(cancelled.body.contains("已取消"));
    let again = post(&portal, "/agencies/SFJ/booking", &form("丙", "2026-11-23")).await;
    assert_eq!(again.status, StatusCode::OK);
    let no_token = send_to(
        gongkai_web::router(portal.state.clone()),
        Request::post("/agencies/SFJ/booking")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from("name=x"))
            .unwrap(),
    )
    .await;
    assert_eq!(no_token.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn feeds_sitemap_and_robots_describe_the_catalog() {
    let portal = portal("feeds").await;
    let feed = get(&portal, "/agencies/SFJ/feed.atom").await;
    assert_eq!(feed.headers[header::CONTENT_TYPE], "application/atom+xml; charset=utf-8");
    assert!(
        feed.body.starts_with("<?xml")
            && feed.body.contains("<feed xmlns=\"http://www.w3.org/2005/Atom\"")
    );
    assert_eq!(feed.body.matches("<entry>").count(), 45);
    assert!(feed.body.contains("&lt;b&gt;加强&lt;/b&gt;"), "titles are escaped");
    assert!(feed.body.contains("http://portal.example.cn/items/"));
    let policy =
        get(&portal, &format!("/agencies/SFJ/feed.atom?category={}", encode("政策文件"))).await;
    assert_eq!(policy.body.matches("<entry>").count(), 3);
    assert_eq!(
        get(&portal, &format!("/agencies/SFJ/feed.atom?category={}", encode("无此类")))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let index = get(&portal, "/sitemap.xml").await;
    assert!(index.body.contains("<sitemapindex") && index.body.contains("/sitemaps/items-0.xml"));
    let items = get(&portal, "/sitemaps/items-0.xml").await;
    assert_eq!(items.body.matches("<url>").count(), 46);
    let pages = get(&portal, "/sitemaps/agencies.xml").await;
    assert!(pages.body.contains("http://portal.example.cn/agencies/SFJ/guide"));
    assert_eq!(get(&portal, "/sitemaps/items-1.xml").await.status, StatusCode::NOT_FOUND);
    assert_eq!(get(&portal, "/sitemaps/items-x.xml").await.status, StatusCode::NOT_FOUND);
    let robots = get(&portal, "/robots.txt").await;
    assert!(robots.body.contains("Sitemap: http://portal.example.cn/sitemap.xml"));
}

#[tokio::test]
async fn every_path_of_the_openapi_document_answers_with_its_documented_fields() {
    let portal = portal("api").await;
    let document: serde_json::Value =
        serde_json::from_str(&get(&portal, "/api/v1/openapi.json").await.body).unwrap();
    let id = first_item_id(&portal, "人民调解").await;
    let paths = document["paths"].as_object().unwrap();
    // The public reads (the operations with an agency key are called in tests/api.rs).
    let public: Vec<&String> = paths
        .iter()
        .filter(|(_, operations)| {
            operations.get("get").is_some_and(|get| get.get("security").is_none())
        })
        .map(|(path, _)| path)
        .collect();
    assert_eq!(public.len(), 4);
    for path in public {
        let uri = path.replace("{code}", "SFJ").replace("{id}", &id.to_string());
        let uri =
            if uri.ends_with("/search") { format!("{uri}?q={}", encode("公开")) } else { uri };
        let answer = get(&portal, &uri).await;
        assert_eq!(answer.status, StatusCode::OK, "{uri}");
        let value: serde_json::Value = serde_json::from_str(&answer.body).unwrap();
        let schema =
            &paths[path]["get"]["responses"]["200"]["content"]["application/json"]["schema"];
        let schema = match schema.get("$ref") {
            Some(reference) => {
                let name = reference.as_str().unwrap().rsplit('/').next().unwrap();
                document["components"]["schemas"][name]["allOf"][1].clone()
            }
            None => schema.clone(),
        };
        for field in schema["required"].as_array().unwrap() {
            assert!(value.get(field.as_str().unwrap()).is_some(), "{uri} lacks {field}");
        }
    }
    let items: serde_json::Value = serde_json::from_str(
        &get(&portal, "/api/v1/agencies/SFJ/items?per_page=10&page=5").await.body,
    )
    .unwrap();
    assert_eq!((items["total"].as_i64(), items["items"].as_array().unwrap().len()), (Some(45), 5));
    for (uri, status) in [
        ("/api/v1/agencies/SFJ/items?per_page=1000", StatusCode::BAD_REQUEST),
        ("/api/v1/agencies/SFJ/items?page=x", StatusCode::BAD_REQUEST),
        ("/api/v1/agencies/NONE/items", StatusCode::NOT_FOUND),
        ("/api/v1/items/abc", StatusCode::NOT_FOUND),
        ("/api/v1/search?q=a&sort=x", StatusCode::BAD_REQUEST),
        ("/api/v1/nothing", StatusCode::NOT_FOUND),
    ] {
        let answer = get(&portal, uri).await;
        assert_eq!(answer.status, status, "{uri}");
        let value: serde_json::Value = serde_json::from_str(&answer.body).unwrap();
        assert!(value["error"].is_string(), "{uri}");
    }
    let any: serde_json::Value = serde_json::from_str(
        &get(
            &portal,
            &format!(
                "/api/v1/search?agency=SFJ&match=any&q={}",
                encode("我想要人民调解方面的文件")
            ),
        )
        .await
        .body,
    )
    .unwrap();
    assert!(any["hits"][0]["title"].as_str().unwrap().contains("人民调解"), "{any}");
}

#[tokio::test]
async fn pages_carry_security_headers_and_no_inline_script_or_style() {
    let portal = portal("headers").await;
    let id = first_item_id(&portal, "人民调解").await;
    for uri in [
        "/",
        "/agencies/SFJ",
        "/agencies/SFJ/leaders",
        "/agencies/SFJ/guide",
        "/agencies/SFJ/catalog",
        "/agencies/SFJ/reports",
        "/agencies/SFJ/apply",
        "/agencies/SFJ/booking",
        "/booking/cancel",
        "/track",
        &format!("/items/{id}"),
        "/search?q=%E5%85%AC%E5%BC%80",
    ] {
        let page = get(&portal, uri).await;
        assert_eq!(page.status, StatusCode::OK, "{uri}");
        let csp = page.headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), "{uri}");
        assert_eq!(page.headers[header::X_FRAME_OPTIONS], "DENY");
        assert!(page.headers.contains_key(header::REFERRER_POLICY));
        assert!(
            page.body.contains("<html lang=\"zh-CN\">") && page.body.contains("class=\"skip\""),
            "{uri}"
        );
        assert!(
            !page.body.contains(" style=") && !page.body.contains("<style"),
            "{uri} has inline style"
        );
        for script in page.body.split("<script").skip(1) {
            assert!(
                script.trim_start().starts_with("src=\"/static/"),
                "{uri} has an inline script"
            );
        }
    }
}

#[tokio::test]
async fn forms_and_searches_are_rate_limited_per_address() {
    let portal = portal("limits").await;
    let router = gongkai_web::router(portal.state.clone());
    let mut statuses = Vec::new();
    for n in 0..12 {
        // Another number each time: wrong codes for one number are throttled on their own (security.rs).
        let number = format!("YSQ2026{n:06}");
        let answer = send_to(
            router.clone(),
            post_request(
                "/track",
                &[("csrf", TOKEN), ("tracking_number", &number), ("code", "000000")],
            ),
        )
        .await;
        statuses.push(answer.status);
        if answer.status == StatusCode::TOO_MANY_REQUESTS {
            assert!(answer.body.contains("操作过于频繁"));
            assert!(answer.headers.contains_key(header::RETRY_AFTER));
        }
    }
    assert_eq!(
        statuses.iter().filter(|status| **status == StatusCode::TOO_MANY_REQUESTS).count(),
        2,
        "{statuses:?}"
    );
    // Pages are not limited.
    for _ in 0..40 {
        assert_eq!(
            send_to(
                router.clone(),
                Request::get("/agencies/SFJ/catalog").body(Body::empty()).unwrap()
            )
            .await
            .status,
            StatusCode::OK
        );
    }
    let unlimited = gongkai_web::router(portal.state.clone().without_rate_limits());
    for n in 0..15 {
        // No code: nothing to count against the number or the address (wrong codes are, see security.rs).
        let number = format!("YSQ2027{n:06}");
        let answer = send_to(
            unlimited.clone(),
            post_request("/track", &[("csrf", TOKEN), ("tracking_number", &number), ("code", "")]),
        )
        .await;
        assert_ne!(answer.status, StatusCode::TOO_MANY_REQUESTS);
    }
}

/// A tracking lookup from `forwarded` (as the `X-Forwarded-For` a balancer adds), sent from `send_to`'s peer.
/// Each lookup is of another number, so that only the form's rate limit can answer 429.
fn track_from(forwarded: &str) -> Request<Body> {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let number = format!("YSQ2028{:06}", NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
    let mut request = post_request(
        "/track",
        &[("csrf", TOKEN), ("tracking_number", &number), ("code", "000000")],
    );
    request.headers_mut().insert("x-forwarded-for", forwarded.parse().unwrap());
    request
}

#[tokio::test]
async fn behind_a_trusted_balancer_each_client_has_its_own_limit_and_a_forged_header_counts_for_nothing()
 {
    // `send_to`'s peer, 203.0.113.9, is the balancer here.
    let balanced = portal("balanced").await;
    let proxies = gongkai_web::client::TrustedProxies::parse(&["203.0.113.0/24"]).unwrap();
    let router = gongkai_web::router(balanced.state.clone().with_trusted_proxies(proxies));
    for attempt in 0..10 {
        let answer = send_to(router.clone(), track_from("198.51.100.1")).await;
        assert_ne!(answer.status, StatusCode::TOO_MANY_REQUESTS, "attempt {attempt}");
    }
    let answer = send_to(router.clone(), track_from("198.51.100.1")).await;
    assert_eq!(answer.status, StatusCode::TOO_MANY_REQUESTS);
    // Another client behind the same balancer is not held back by the first one.
    let answer = send_to(router.clone(), track_from("198.51.100.2")).await;
    assert_ne!(answer.status, StatusCode::TOO_MANY_REQUESTS);
    // The first client cannot escape by prepending an address of its own: the balancer appended the
    // real one last.
    let answer = send_to(router.clone(), track_from("192.0.2.77, 198.51.100.1")).await;
    assert_eq!(answer.status, StatusCode::TOO_MANY_REQUESTS);

    // Without trusted proxies the header is ignored: a client naming a new address each time is still
    // limited as the one peer it is.
    let direct = portal("direct").await;
    let router = gongkai_web::router(direct.state.clone());
    let mut limited = 0;
    for attempt in 0..12 {
        let answer = send_to(router.clone(), track_from(&format!("198.51.100.{attempt}"))).await;
        limited += usize::from(answer.status == StatusCode::TOO_MANY_REQUESTS);
    }
    assert_eq!(limited, 2);
}

#[tokio::test]
async fn a_server_reuses_a_rendered_page_for_a_few_seconds_only() {
    let portal = portal("cache").await;
    let router = gongkai_web::router(portal.state.clone());
    let id = first_item_id(&portal, "人民调解").await;
    let uri = format!("/items/{id}");
    let first = send_to(router.clone(), Request::get(&uri).body(Body::empty()).unwrap()).await;
    assert_eq!(first.status, StatusCode::OK);
    catalog::withdraw(&portal.store, id, &ACTOR).await.unwrap();
    let cached = send_to(router.clone(), Request::get(&uri).body(Body::empty()).unwrap()).await;
    assert_eq!(
        (cached.status, cached.body.len()),
        (StatusCode::OK, first.body.len()),
        "within the TTL"
    );
    assert!(
        cached.headers.contains_key(header::CONTENT_SECURITY_POLICY),
        "security headers on cached pages too"
    );
    tokio::time::sleep(gongkai_web::cache::TTL + std::time::Duration::from_millis(200)).await;
    let fresh = send_to(router.clone(), Request::get(&uri).body(Body::empty()).unwrap()).await;
    assert_eq!(fresh.status, StatusCode::GONE, "after the TTL the withdrawal shows");
    // Forms are never cached: each answer carries its own token cookie.
    let form =
        send_to(router.clone(), Request::get("/agencies/SFJ/apply").body(Body::empty()).unwrap())
            .await;
    let again =
        send_to(router, Request::get("/agencies/SFJ/apply").body(Body::empty()).unwrap()).await;
    assert!(
        form.headers.contains_key(header::SET_COOKIE)
            && again.headers.contains_key(header::SET_COOKIE)
    );
}

/// Two instances on one PostgreSQL database, each with its own index: an item published through either is
/// found by both once their catch-up has run (every 2 s in `serve`).
#[tokio::test]
async fn two_instances_on_postgres_each_catch_up_from_the_outbox() {
    let admin_url = std::env::var("GONGKAI_TEST_PG")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned());
    let admin = Store::connect(&admin_url)
        .await
        .unwrap_or_else(|err| panic!("PostgreSQL at {admin_url} is required: {err}"));
    let name = format!("gk_pages_two_{}", std::process::id());
    admin.execute_admin(&format!("CREATE DATABASE {name}")).await.unwrap();
    let url = format!("{}/{name}", &admin_url[..admin_url.rfind('/').unwrap()]);
    let first = Store::open(&url).await.unwrap();
    let second = Store::open(&url).await.unwrap();
    agencies::add(&first, &new_agency("SFJ", "温州市司法局", "department", None), &ACTOR)
        .await
        .unwrap();
    let indexes =
        [Arc::new(SearchIndex::in_memory().unwrap()), Arc::new(SearchIndex::in_memory().unwrap())];
    let mut catch_ups = Vec::new();
    for (store, index) in [(&first, &indexes[0]), (&second, &indexes[1])] {
        let rebuilt = gongkai_web::indexer::rebuild(store, index).await.unwrap();
        catch_ups.push(gongkai_web::indexer::CatchUp::after(index, &rebuilt).unwrap());
    }
    let request = |text: &str| gongkai_search::Request {
        text: text.to_owned(),
        limit: 10,
        ..gongkai_search::Request::default()
    };
    // Published through the first instance, then through the second.
    catalog::import(
        &first,
        "SFJ",
        &[item("SFJ", 1, "关于公共法律服务中心搬迁的公告", "通知公告", "", date!(2026 - 11 - 19))],
        10,
        &ACTOR,
    )
    .await
    .unwrap();
    catalog::import(
        &second,
        "SFJ",
        &[item("SFJ", 2, "关于调整法律援助值班时间的公告", "通知公告", "", date!(2026 - 11 - 20))],
        10,
        &ACTOR,
    )
    .await
    .unwrap();
    for (n, (store, index)) in
        [(&first, &indexes[0]), (&second, &indexes[1])].into_iter().enumerate()
    {
        catch_ups[n].run(store, index).await.unwrap();
        assert_eq!(index.search(&request("搬迁")).unwrap().total, 1, "instance {n}");
        assert_eq!(index.search(&request("值班时间")).unwrap().total, 1, "instance {n}");
    }
    first.close().await;
    second.close().await;
    admin.execute_admin(&format!("DROP DATABASE {name} WITH (FORCE)")).await.unwrap();
    admin.close().await;
}

fn multipart(fields: &[(&str, &str)], files: &[(&str, &[u8])]) -> Request<Body> {
    let boundary = "gongkaiBoundary7MA4YWxk";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    for (file_name, data) in files {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"attachments\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
        );
        body.extend_from_slice(data);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    Request::post("/agencies/SFJ/apply")
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
        .header(header::COOKIE, format!("__Host-gk_csrf={TOKEN}"))
        .body(Body::from(body))
        .unwrap()
}

const APPLICATION: [(&str, &str); 10] = [
    ("csrf", TOKEN),
    ("applicant_type", "natural"),
    ("name", "张三"),
    ("id_type", "居民身份证"),
    ("id_number", "11010519491231002X"),
    ("phone", "13812345678"),
    ("email", ""),
    ("address", "温州市鹿城区人民路1号"),
    ("description", "2024年人民调解经费使用情况"),
    ("delivery_form", "邮寄纸质文本"),
];

async fn count(store: &Store, sql: &str) -> i64 {
    store.count_admin(sql).await.unwrap()
}

#[tokio::test]
async fn an_application_can_carry_attachments_and_bad_ones_store_nothing() {
    let portal = portal("uploads").await;
    let router = || gongkai_web::router(portal.state.clone());
    let accepted = send_to(
        router(),
        multipart(
            &APPLICATION,
            &[("..\\..\\身份证明.pdf", b"%PDF-1.7 scan"), ("线索.png", b"\x89PNG\r\n\x1a\n data")],
        ),
    )
    .await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);
    assert!(accepted.body.contains("身份证明.pdf、线索.png"), "the receipt names the files");
    assert_eq!(
        count(&portal.store, "SELECT COUNT(*) FROM attachments WHERE application_id IS NOT NULL")
            .await,
        2
    );
    assert_eq!(
        count(&portal.store, "SELECT COUNT(*) FROM attachments WHERE name = '身份证明.pdf'").await,
        1,
        "the path is cut off"
    );
    // An empty file input sends an empty part: no attachment, still accepted.
    let without = send_to(router(), multipart(&APPLICATION, &[("", b"")])).await;
    assert_eq!(without.status, StatusCode::OK);
    let applications = count(&portal.store, "SELECT COUNT(*) FROM applications").await;
    for (files, message) in [
        (vec![("run.exe", &b"MZ"[..])], "格式不支持"),
        (
            vec![
                ("a.pdf", &b"1"[..]),
                ("b.pdf", &b"2"[..]),
                ("c.pdf", &b"3"[..]),
                ("d.pdf", &b"4"[..]),
            ],
            "最多上传3个附件",
        ),
        (vec![("empty.pdf", &b""[..])], "空文件"),
    ] {
        let refused = send_to(router(), multipart(&APPLICATION, &files)).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{message}");
        assert!(
            refused.body.contains(message) && refused.body.contains("请重新选择附件"),
            "{message}"
        );
        assert!(refused.body.contains("value=\"张三\""), "input kept");
    }
    let big = vec![b'x'; 5 * 1024 * 1024 + 1];
    let too_big = send_to(router(), multipart(&APPLICATION, &[("big.pdf", &big)])).await;
    assert_eq!(too_big.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(too_big.body.contains("超过5MB"));
    let huge = vec![b'x'; 17 * 1024 * 1024];
    let over_limit = send_to(router(), multipart(&APPLICATION, &[("huge.pdf", &huge)])).await;
    assert_eq!(over_limit.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        count(&portal.store, "SELECT COUNT(*) FROM applications").await,
        applications,
        "nothing stored"
    );
    assert_eq!(
        count(&portal.store, "SELECT COUNT(*) FROM attachments WHERE application_id IS NOT NULL")
            .await,
        2
    );
}

#[tokio::test]
async fn an_oversized_text_field_in_a_multipart_application_is_refused() {
    let portal = portal("bigfield").await;
    let huge = "文".repeat(30_000);
    let mut fields = APPLICATION.to_vec();
    fields[8] = ("description", &huge);
    let answer = send_to(gongkai_web::router(portal.state.clone()), multipart(&fields, &[])).await;
    assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(count(&portal.store, "SELECT COUNT(*) FROM applications").await, 0);
}

#[tokio::test]
async fn the_status_page_offers_the_reply_once_sent_and_only_with_the_code() {
    use gongkai_store::{applications, letters};
    let portal = portal("letters").await;
    let accepted =
        send_to(gongkai_web::router(portal.state.clone()), multipart(&APPLICATION, &[])).await;
    let number = accepted
        .body
        .split("id=\"tracking-number\">")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_owned();
    let code = accepted
        .body
        .split("id=\"verification-code\">")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_owned();
    let reply = letters::add(
        &portal.store,
        &number,
        letters::LetterKind::Reply,
        "application/pdf",
        b"%PDF-1.7 reply",
        &ACTOR,
    )
    .await
    .unwrap();
    let track = [("csrf", TOKEN), ("tracking_number", number.as_str()), ("code", code.as_str())];
    let before = post(&portal, "/track", &track).await;
    assert!(
        before.body.contains("办理进度") && !before.body.contains("答复（告知）书"),
        "not sent yet"
    );
    letters::mark_sent(&portal.store, reply, date!(2026 - 11 - 20), &ACTOR).await.unwrap();
    let after = post(&portal, "/track", &track).await;
    assert!(
        after.body.contains("政府信息公开申请答复（告知）书（PDF，2026-11-20 送达）"),
        "{}",
        after.body
    );
    assert_eq!(after.headers[header::CACHE_CONTROL], "no-store");
    let id = reply.to_string();
    let file = post(
        &portal,
        "/track/letter",
        &[("csrf", TOKEN), ("tracking_number", &number), ("code", &code), ("letter", &id)],
    )
    .await;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(file.body, "%PDF-1.7 reply");
    assert!(file.headers[header::CONTENT_DISPOSITION].to_str().unwrap().starts_with("attachment;"));
    let wrong = post(
        &portal,
        "/track/letter",
        &[("csrf", TOKEN), ("tracking_number", &number), ("code", "000000x"), ("letter", &id)],
    )
    .await;
    assert_eq!(wrong.status, StatusCode::NOT_FOUND);
    assert!(applications::verify_code(&portal.store, &number, &code).await.unwrap());
}

/// A bulk import of more than one read's worth of rows in the last minute must not hide a new item from the
/// catch-up (it did: the rows re-read by time filled the read before the new row's turn).
#[tokio::test]
async fn a_new_item_is_indexed_right_after_a_bulk_import() {
    let portal = portal("bulk_outbox").await;
    let many: Vec<NewItem> = (1_000..11_500)
        .map(|n| {
            item("SFJ", n, &format!("批量导入的信息第{n}号"), "工作信息", "", date!(2026 - 11 - 02))
        })
        .collect();
    catalog::import(&portal.store, "SFJ", &many, 5_000, &ACTOR).await.unwrap();
    let index = SearchIndex::in_memory().unwrap();
    let rebuilt = gongkai_web::indexer::rebuild(&portal.store, &index).await.unwrap();
    let mut catch_up = gongkai_web::indexer::CatchUp::after(&index, &rebuilt).unwrap();
    assert_eq!(catch_up.run(&portal.store, &index).await.unwrap(), 0);
    catalog::import(
        &portal.store,
        "SFJ",
        &[item("SFJ", 20_000, "关于法律援助联系点的公告", "通知公告", "", date!(2026 - 11 - 19))],
        10,
        &ACTOR,
    )
    .await
    .unwrap();
    assert_eq!(catch_up.run(&portal.store, &index).await.unwrap(), 1, "found in the first round");
}

/// `request` from `address` (the connection's peer), through a fresh router on `state`.
async fn send_from(state: &AppState, request: Request<Body>, address: [u8; 4]) -> Answer {
    let mut request = request;
    request.extensions_mut().insert(ConnectInfo(SocketAddr::from((address, 40000))));
    let response = gongkai_web::router(state.clone()).oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    Answer { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() }
}

/// Issue #21: `/metrics` answers in the `OpenMetrics` text format to loopback and private networks only (404 to
/// the public, to a request forwarded by an unnamed proxy, and when metrics are off); requests are counted
/// under their route template — a path no route knows as `unmatched`, never as itself —, searches and the
/// index's state and the intake channels are there.
#[tokio::test]
async fn metrics_count_requests_by_route_and_answer_only_inside_the_network() {
    let portal = portal("metrics").await;
    let off = send_from(
        &portal.state,
        Request::get("/metrics").body(Body::empty()).unwrap(),
        [127, 0, 0, 1],
    )
    .await;
    assert_eq!(off.status, StatusCode::NOT_FOUND, "metrics are off until asked for");
    let state = portal.state.clone().with_metrics(gongkai_web::metrics::Access::private());
    let get_from = |uri: &str, address: [u8; 4]| {
        let request = Request::get(uri)
            .header(header::HOST, "portal.example.cn")
            .body(Body::empty())
            .unwrap();
        send_from(&state, request, address)
    };
    for uri in [
        "/agencies/SFJ/catalog",
        "/agencies/SFJ/catalog",
        "/search?q=%E5%8F%B8%E6%B3%95",
        "/no-such-page-7f3a",
    ] {
        get_from(uri, [203, 0, 113, 9]).await;
    }
    let public = get_from("/metrics", [203, 0, 113, 9]).await;
    assert_eq!(public.status, StatusCode::NOT_FOUND);
    let forwarded = send_from(
        &state,
        Request::get("/metrics").header("x-forwarded-for", "10.1.2.3").body(Body::empty()).unwrap(),
        [10, 0, 0, 2],
    )
    .await;
    assert_eq!(forwarded.status, StatusCode::NOT_FOUND, "forwarded by a proxy nobody named");
    let scrape = get_from("/metrics", [10, 0, 0, 5]).await;
    assert_eq!(scrape.status, StatusCode::OK);
    assert!(
        scrape.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("application/openmetrics-text"),
        "{:?}",
        scrape.headers
    );
    let text = scrape.body;
    for line in [
        "gongkai_http_request_duration_seconds_count{method=\"GET\",route=\"/agencies/{code}/catalog\",status=\"200\"} 2",
        "gongkai_http_request_duration_seconds_count{method=\"GET\",route=\"/search\",status=\"200\"} 1",
        "gongkai_http_request_duration_seconds_count{method=\"GET\",route=\"unmatched\",status=\"404\"} 1",
        "gongkai_search_duration_seconds_count 1",
        "gongkai_search_index_ready 1",
        "gongkai_search_index_lag_changes 0",
        "gongkai_applications_received_total{channel=\"online\"} 0",
        // Each request here has a router of its own (a page cache of its own); the state's caches are shared.
        "gongkai_cache_requests_total{cache=\"facets\",result=\"hit\"} 1",
        "gongkai_audit_chain_intact 0",
    ] {
        assert!(text.lines().any(|shown| shown == line), "missing `{line}` in\n{text}");
    }
    assert!(!text.contains("no-such-page"), "a visitor's path never becomes a series");
    assert!(text.trim_end().ends_with("# EOF"));
}
