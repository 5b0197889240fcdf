//! HTTP tests of the public application path, through the real router on a real SQLite store (no server):
//! form, CSRF, validation with input kept, intake, receipt, tracking, error pages and security headers.

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use gongkai_core::calendar::Calendar;
use gongkai_store::agencies::{self, NewAgency};
use gongkai_store::{Actor, Store};
use gongkai_web::AppState;
use http_body_util::BodyExt;
use tower::ServiceExt;

const TOKEN: &str = "0123456789abcdef0123456789abcdef";

struct Portal {
    state: AppState,
    dir: std::path::PathBuf,
}

impl Drop for Portal {
    fn drop(&mut self) {
        std::fs::remove_dir_all(&self.dir).ok();
    }
}

async fn portal(name: &str) -> Portal {
    let dir = std::env::temp_dir().join(format!("gk_web_{name}_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let store = Store::open(&format!("sqlite://{}", dir.join("gk.db").display())).await.unwrap();
    agencies::add(
        &store,
        &NewAgency {
            code: "SFJ",
            name: "温州市司法局",
            kind: gongkai_core::records::AgencyKind::Department,
            region: "浙江省温州市",
            parent_code: None,
            index_pattern: "{code}/{year}-{serial:05}",
            office: "办公室",
            phone: "0577-88000000",
            address: "温州市鹿城区",
            hours: "工作日",
        },
        &Actor::new("test", "cli"),
    )
    .await
    .unwrap();
    // Friday 2026-11-20 is "today".
    let state = AppState::with_clock(store, Calendar::builtin().clone(), || {
        time::macros::date!(2026 - 11 - 20)
    });
    Portal { state, dir }
}

struct Answer {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: String,
}

async fn send(portal: &Portal, request: Request<Body>) -> Answer {
    let mut request = request;
    request.extensions_mut().insert(ConnectInfo(SocketAddr::from(([203, 0, 113, 9], 40000))));
    let response = gongkai_web::router(portal.state.clone()).oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    Answer { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() }
}

async fn get(portal: &Portal, uri: &str) -> Answer {
    send(portal, Request::get(uri).body(Body::empty()).unwrap()).await
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

fn form_body(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(name, value)| format!("{name}={}", encode(value)))
        .collect::<Vec<_>>()
        .join("&")
}

async fn post(portal: &Portal, uri: &str, fields: &[(&str, &str)], cookie: Option<&str>) -> Answer {
    let mut request =
        Request::post(uri).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(token) = cookie {
        request = request.header(header::COOKIE, format!("__Host-gk_csrf={token}"));
    }
    send(portal, request.body(Body::from(form_body(fields))).unwrap()).await
}

fn application(description: &str) -> Vec<(&'static str, String)> {
    vec![
        ("csrf", TOKEN.to_owned()),
        ("applicant_type", "natural".to_owned()),
        ("name", "张三".to_owned()),
        ("id_type", "居民身份证".to_owned()),
        ("id_number", "11010519491231002x".to_owned()),
        ("phone", "13812345678".to_owned()),
        ("email", String::new()),
        ("address", "温州市鹿城区人民路1号".to_owned()),
        ("description", description.to_owned()),
        ("delivery_form", "邮寄纸质文本".to_owned()),
    ]
}

fn fields<'a>(pairs: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    pairs.iter().map(|(name, value)| (*name, value.as_str())).collect()
}

fn between<'a>(text: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = text.find(start)? + start.len();
    let to = text[from..].find(end)? + from;
    Some(&text[from..to])
}

async fn applications(portal: &Portal) -> i64 {
    portal.state.store().count_admin("SELECT COUNT(*) FROM applications").await.unwrap()
}

#[tokio::test]
async fn home_lists_agencies_with_security_headers() {
    let portal = portal("home").await;
    let home = get(&portal, "/").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.body.contains("温州市司法局") && home.body.contains("/agencies/SFJ/apply"));
    assert!(home.body.contains("lang=\"zh-CN\"") && home.body.contains("跳到主要内容"));
    let csp = home.headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"));
    assert_eq!(home.headers[header::X_FRAME_OPTIONS], "DENY");
    assert_eq!(home.headers[header::REFERRER_POLICY], "same-origin");
    // Scripts only enhance (file fields, suggestions) and none is inline: every tag has a source.
    assert_eq!(
        home.body.matches("<script").count(),
        home.body.matches("<script src=\"/static/").count()
    );
    let css = get(&portal, "/static/site.css").await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(css.headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/css"));
}

/// Issue #21: `/livez` answers while the process runs; `/readyz` says 503 while the search index is not
/// built (this portal has none), with each part's state, and never from a cache.
#[tokio::test]
async fn probes_say_live_and_not_ready_without_a_search_index() {
    let portal = portal("probes").await;
    let live = get(&portal, "/livez").await;
    assert_eq!((live.status, live.body.as_str()), (StatusCode::OK, "ok"));
    let ready = get(&portal, "/readyz").await;
    assert_eq!(ready.status, StatusCode::SERVICE_UNAVAILABLE);
    let state: serde_json::Value = serde_json::from_str(&ready.body).unwrap();
    assert_eq!(state["ready"], false);
    assert_eq!(state["database"], "reachable");
    assert_eq!(state["schema"], state["schema_known"], "migrated by Store::open");
    assert_eq!(state["index"], "building");
    assert_eq!(ready.headers[header::CACHE_CONTROL], "no-store");
}

/// Issue #20: the footer carries the platform's marks from 平台管理, the 适老化 switch persists in a cookie
/// and returns only to a path on this site (review: "/\t/evil.example" read as "//evil.example"), and a
/// page varies with the cookie.
#[tokio::test]
async fn pages_carry_the_sites_marks_and_the_elder_switch_returns_only_here() {
    let portal = portal("marks").await;
    let info = gongkai_core::site::SiteInfo {
        host: "温州市人民政府办公室".to_owned(),
        icp: "浙ICP备05013566号".to_owned(),
        police: "浙公网安备 33030202000123号".to_owned(),
        ..gongkai_core::site::SiteInfo::default()
    };
    gongkai_store::site::set_info(portal.state.store(), &info, &Actor::new("test", "cli"))
        .await
        .unwrap();
    let home = get(&portal, "/").await;
    assert!(home.body.contains("主办单位：温州市人民政府办公室"), "{}", home.body);
    assert!(home.body.contains(">浙ICP备05013566号</a>"));
    assert!(home.body.contains("webSearch?code=33030202000123"));
    assert!(!home.body.contains("<!--gongkai:"), "every marker filled");
    assert!(home.body.contains("/display?mode=elder&amp;back=%2F"), "the switch returns here");
    assert_eq!(home.headers[header::VARY], "Cookie");

    let switched = get(&portal, "/display?mode=elder&back=%2Fagencies%2FSFJ%2Fguide%3Fx%3D1").await;
    assert_eq!(switched.status, StatusCode::SEE_OTHER);
    assert_eq!(switched.headers[header::LOCATION], "/agencies/SFJ/guide?x=1");
    let cookie = switched.headers[header::SET_COOKIE].to_str().unwrap();
    assert!(
        cookie.starts_with("gk_display=elder;") && cookie.contains("Max-Age=31536000"),
        "{cookie}"
    );
    for away in [
        "%2F%09%2Fevil.example",
        "%2F%2Fevil.example",
        "https%3A%2F%2Fevil.example",
        "%2F%5Cevil.example",
    ] {
        let answer = get(&portal, &format!("/display?mode=elder&back={away}")).await;
        assert_eq!(answer.headers[header::LOCATION], "/", "{away}");
    }
    assert_eq!(get(&portal, "/display?mode=huge&back=%2F").await.status, StatusCode::BAD_REQUEST);

    let mut request = Request::get("/").body(Body::empty()).unwrap();
    request.headers_mut().insert(header::COOKIE, "gk_display=elder".parse().unwrap());
    let elder = send(&portal, request).await;
    assert!(elder.body.contains("<html lang=\"zh-CN\" class=\"elder\">"));
    assert!(elder.body.contains("mode=standard"), "the switch back");
    let css = get(&portal, "/static/site.css").await;
    assert!(css.body.contains("html.elder { font-size: 20px; }"));
}

#[tokio::test]
async fn an_online_application_gets_a_tracking_number_a_code_and_its_due_date() {
    let portal = portal("apply").await;
    let form = get(&portal, "/agencies/SFJ/apply").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.headers[header::SET_COOKIE].to_str().unwrap().starts_with("__Host-gk_csrf="));
    assert!(form.body.contains("name=\"csrf\" value=\""));
    assert!(form.body.contains("<label for=\"description\">"));

    let fields_owned = application("2025年度行政复议决定书目录");
    let receipt = post(&portal, "/agencies/SFJ/apply", &fields(&fields_owned), Some(TOKEN)).await;
    assert_eq!(receipt.status, StatusCode::OK, "{}", receipt.body);
    let number = between(&receipt.body, "id=\"tracking-number\">", "<").unwrap().to_owned();
    let code = between(&receipt.body, "id=\"verification-code\">", "<").unwrap().to_owned();
    assert_eq!(number, "YSQ2026000001");
    assert_eq!(code.len(), 6);
    // Received Friday 2026-11-20 (online, confirmed at once); 20 working days from Monday 11-23 → 12-18.
    assert!(receipt.body.contains("2026-12-18"), "{}", receipt.body);
    assert_eq!(receipt.headers[header::CACHE_CONTROL], "no-store");
    assert_eq!(applications(&portal).await, 1);
    let stored_id = portal
        .state
        .store()
        .count_admin("SELECT COUNT(*) FROM applications WHERE id_number = '11010519491231002X' AND channel = 'online'")
        .await
        .unwrap();
    assert_eq!(stored_id, 1, "the ID number is stored normalised");
    let audited = portal
        .state
        .store()
        .count_admin("SELECT COUNT(*) FROM audit_log WHERE action = 'application.intake' AND actor = 'public' AND address = '203.0.113.9'")
        .await
        .unwrap();
    assert_eq!(audited, 1, "audited with the client address");

    // Tracking: the stage and the clock's trace, never the applicant's identity.
    let track = [("csrf", TOKEN), ("tracking_number", number.as_str()), ("code", code.as_str())];
    let status = post(&portal, "/track", &track, Some(TOKEN)).await;
    assert_eq!(status.status, StatusCode::OK);
    assert!(
        status.body.contains("办理进度") && status.body.contains("2026-12-18"),
        "{}",
        status.body
    );
    assert!(status.body.contains("2019年修订"));
    for personal in ["张三", "13812345678", "11010519491231002X", "人民路"] {
        assert!(!status.body.contains(personal), "the status page shows {personal}");
    }
    // A wrong code and an unknown number get the same page.
    let wrong = post(
        &portal,
        "/track",
        &[("csrf", TOKEN), ("tracking_number", &number), ("code", "000000")],
        Some(TOKEN),
    )
    .await;
    let unknown = post(
        &portal,
        "/track",
        &[("csrf", TOKEN), ("tracking_number", "YSQ2026999999"), ("code", "000000")],
        Some(TOKEN),
    )
    .await;
    assert!(wrong.body.contains("查询号或查询码不正确"));
    assert_eq!(wrong.status, unknown.status);
    assert_eq!(wrong.body.replace(&number, "N"), unknown.body.replace("YSQ2026999999", "N"));
    // An empty form is asked for what it lacks, not told it is wrong (issue #20).
    for (given_number, given_code, asked) in [
        ("", "", "请填写查询号和查询码"),
        (number.as_str(), "", "请填写查询码"),
        ("", "123456", "请填写查询号"),
    ] {
        let empty = post(
            &portal,
            "/track",
            &[("csrf", TOKEN), ("tracking_number", given_number), ("code", given_code)],
            Some(TOKEN),
        )
        .await;
        assert!(empty.body.contains(asked), "{asked}: {}", empty.body);
        assert!(!empty.body.contains("不正确"), "{asked}");
    }
}

#[tokio::test]
async fn invalid_input_comes_back_with_messages_next_to_the_fields_and_nothing_stored() {
    let portal = portal("invalid").await;
    let mut bad = application("文件");
    bad[4].1 = "110105194912310021".to_owned(); // wrong check character
    bad[5].1 = "12345".to_owned();
    bad[9].1 = "电子邮件".to_owned(); // needs an email
    let answer = post(&portal, "/agencies/SFJ/apply", &fields(&bad), Some(TOKEN)).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    for message in ["校验码正确", "有效的手机号码", "请填写电子邮箱", "至少4个字"]
    {
        assert!(answer.body.contains(message), "missing `{message}`");
    }
    assert!(answer.body.contains("value=\"张三\""), "input kept");
    assert!(answer.body.contains(">文件</textarea>"), "input kept");
    assert!(answer.body.contains("aria-invalid=\"true\""));
    assert_eq!(applications(&portal).await, 0);

    // Markup in the input is escaped, never interpreted.
    let mut hostile = application("<script>alert(1)</script>的文件");
    hostile[2].1 = "<b>张</b>".to_owned();
    hostile[5].1 = "x".to_owned();
    let answer = post(&portal, "/agencies/SFJ/apply", &fields(&hostile), Some(TOKEN)).await;
    assert!(!answer.body.contains("<script>alert") && !answer.body.contains("<b>张</b>"));
    assert!(answer.body.contains("&#60;script&#62;") || answer.body.contains("&lt;script&gt;"));
}

#[tokio::test]
async fn posts_without_the_token_or_from_another_site_are_refused() {
    let portal = portal("csrf").await;
    let owned = application("2025年度行政复议决定书目录");
    let without_cookie = post(&portal, "/agencies/SFJ/apply", &fields(&owned), None).await;
    assert_eq!(without_cookie.status, StatusCode::FORBIDDEN);
    assert!(without_cookie.body.contains("表单已过期"));
    let other = "fedcba9876543210fedcba9876543210";
    let mismatched = post(&portal, "/agencies/SFJ/apply", &fields(&owned), Some(other)).await;
    assert_eq!(mismatched.status, StatusCode::FORBIDDEN);
    let request = Request::post("/agencies/SFJ/apply")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, format!("__Host-gk_csrf={TOKEN}"))
        .header(header::HOST, "gongkai.example")
        .header(header::ORIGIN, "https://evil.example")
        .body(Body::from(form_body(&fields(&owned))))
        .unwrap();
    assert_eq!(send(&portal, request).await.status, StatusCode::FORBIDDEN);
    assert_eq!(applications(&portal).await, 0);
}

#[tokio::test]
async fn errors_are_chinese_pages_with_the_right_status() {
    let portal = portal("errors").await;
    let missing = get(&portal, "/agencies/NOBODY/apply").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.body.contains("不存在"));
    assert_eq!(get(&portal, "/no/such/page").await.status, StatusCode::NOT_FOUND);
    let huge = "文".repeat(30_000); // 90 KB of description
    let owned = application(&huge);
    let answer = post(&portal, "/agencies/SFJ/apply", &fields(&owned), Some(TOKEN)).await;
    assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE);
    let malformed = Request::post("/agencies/SFJ/apply")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, format!("__Host-gk_csrf={TOKEN}"))
        .body(Body::from("csrf=%ZZ&&&==="))
        .unwrap();
    let answer = send(&portal, malformed).await;
    assert!(answer.status.is_client_error(), "{}", answer.status);
    assert_eq!(applications(&portal).await, 0);
}
