//! The JSON API as a contract: agency keys issued by the agency's admin, the writes a system makes with them
//! (catalog, ledger), the reads (applications, report), and every answer under `/api/v1` as JSON.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::*;
use gongkai_store::api_keys::{self, Scope};
use serde_json::{Value, json};
use time::macros::date;

/// A system calling the API with `token`.
struct System {
    client: Client,
    token: String,
}

impl System {
    fn new(desk: &Desk, token: &str) -> System {
        System { client: Client::new(desk), token: token.to_owned() }
    }

    async fn call(
        &mut self,
        method: &str,
        uri: &str,
        idempotency: Option<&str>,
        body: Option<Value>,
    ) -> Answer {
        let mut request = Request::builder().method(method).uri(uri);
        if !self.token.is_empty() {
            request = request.header(header::AUTHORIZATION, format!("Bearer {}", self.token));
        }
        if let Some(key) = idempotency {
            request = request.header("idempotency-key", key);
        }
        let request = match body {
            Some(body) => request
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_string())),
            None => request.body(Body::empty()),
        };
        self.client.send(request.unwrap()).await
    }
}

fn json_of(answer: &Answer) -> Value {
    assert_eq!(
        answer.headers.get(header::CONTENT_TYPE).map(|value| value.to_str().unwrap()),
        Some("application/json"),
        "{} {}",
        answer.status,
        answer.text()
    );
    serde_json::from_slice(&answer.bytes).unwrap()
}

async fn issued(desk: &Desk, code: &str, name: &str, scopes: &[Scope]) -> String {
    api_keys::issue(&desk.store, code, name, scopes, None, &ACTOR).await.unwrap().token
}

async fn audited(desk: &Desk, actor: &str, action: &str) -> i64 {
    desk.store
        .count_admin(&format!(
            "SELECT COUNT(*) FROM audit_log WHERE actor = '{actor}' AND action = '{action}'"
        ))
        .await
        .unwrap()
}

fn item(title: &str) -> Value {
    json!({
        "title": title,
        "category": "通知公告",
        "body": "正文",
        "formed": "2026-11-18",
        "channels": { "website": null, "wechat": "2026-11-20" },
    })
}

#[tokio::test]
async fn an_agency_admin_issues_a_key_once_and_a_system_publishes_edits_attaches_and_withdraws_with_it()
 {
    let desk = desk("api_catalog").await;
    // The agency admin's page: only for the agency's admin.
    let mut clerk = Client::sign_in(&desk, "clerk1").await;
    assert_eq!(clerk.get("/staff/agencies/SFJ/api-keys").await.status, StatusCode::FORBIDDEN);
    let mut admin = Client::sign_in(&desk, "sfjadmin").await;
    let refused = admin
        .post("/staff/agencies/SFJ/api-keys", &[("action", "issue"), ("name", "网站群")])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().contains("请至少选择一项权限"));
    // Every applicant unmasked is a platform admin's grant, not the agency admin's (a review found the
    // agency admin could give it to a key, although the back office shows it only to a case's handler).
    let personal = admin
        .post(
            "/staff/agencies/SFJ/api-keys",
            &[("action", "issue"), ("name", "办公系统"), ("scope", "applications:personal")],
        )
        .await;
    assert_eq!(personal.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(personal.text().contains("只能由平台管理员授予"), "{}", personal.text());
    let mut platform = Client::sign_in(&desk, "admin").await;
    let granted = platform
        .post(
            "/staff/agencies/SFJ/api-keys",
            &[
                ("action", "issue"),
                ("name", "办公系统"),
                ("scope", "applications:read"),
                ("scope", "applications:personal"),
            ],
        )
        .await;
    assert!(granted.text().contains("<code class=\"token\">gk_"), "{}", granted.text());
    let page = admin
        .post(
            "/staff/agencies/SFJ/api-keys",
            &[("action", "issue"), ("name", "网站群"), ("scope", "catalog:write"), ("expires", "")],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    let text = page.text();
    let opening = "<code class=\"token\">";
    let start = text.find(&format!("{opening}gk_")).expect("the new key is shown") + opening.len();
    let token = text[start..].split('<').next().unwrap().to_owned();
    assert_eq!(token.len(), 3 + 12 + 1 + 64, "{token}");
    // Shown once: the list shows the prefix only.
    let listed = admin.get("/staff/agencies/SFJ/api-keys").await.text();
    assert!(!listed.contains(&token) && listed.contains(&token[..15]), "{listed}");

    let mut system = System::new(&desk, &token);
    let mut anonymous = System::new(&desk, "");
    let no_key =
        anonymous.call("POST", "/api/v1/agencies/SFJ/items", Some("k0"), Some(item("x"))).await;
    assert_eq!(no_key.status, StatusCode::UNAUTHORIZED);
    assert!(no_key.headers.contains_key(header::WWW_AUTHENTICATE));
    assert!(json_of(&no_key)["error"].as_str().unwrap().contains("API key"));
    let no_idempotency =
        system.call("POST", "/api/v1/agencies/SFJ/items", None, Some(item("x"))).await;
    assert_eq!(no_idempotency.status, StatusCode::BAD_REQUEST);
    assert!(json_of(&no_idempotency)["error"].as_str().unwrap().contains("Idempotency-Key"));

    // Published, with the agency's next 索引号; the same request again is answered from the first.
    let first = system
        .call("POST", "/api/v1/agencies/SFJ/items", Some("k1"), Some(item("关于某事项的通知")))
        .await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text());
    let written = json_of(&first);
    let id = written["id"].as_i64().unwrap();
    assert!(written["index_number"].as_str().unwrap().starts_with("SFJ/2026-"), "{written}");
    assert_eq!(written["version"], 1);
    assert_eq!(first.location(), format!("/api/v1/items/{id}"));
    assert_eq!(first.headers.get(header::CACHE_CONTROL).unwrap(), "no-store");
    let again = system
        .call("POST", "/api/v1/agencies/SFJ/items", Some("k1"), Some(item("关于某事项的通知")))
        .await;
    assert_eq!(again.status, StatusCode::CREATED);
    assert_eq!(again.headers.get("idempotent-replayed").unwrap(), "true");
    assert_eq!(json_of(&again)["id"], id);
    let other =
        system.call("POST", "/api/v1/agencies/SFJ/items", Some("k1"), Some(item("另一条"))).await;
    assert_eq!(other.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        desk.store.count_admin("SELECT COUNT(*) FROM catalog_items").await.unwrap(),
        1,
        "one item for one key"
    );
    let public = system.call("GET", &format!("/api/v1/items/{id}"), None, None).await;
    let public = json_of(&public);
    assert_eq!(public["title"], "关于某事项的通知");
    assert_eq!(public["channels"].as_array().unwrap().len(), 2, "{public}");
    let portal = Client::new(&desk).get(&format!("/items/{id}")).await;
    assert!(portal.text().contains("关于某事项的通知"));
    assert_eq!(audited(&desk, "api:SFJ/网站群", "catalog.publish").await, 1);

    // The rules of the back office, all of them named.
    let mut late = item("日期有误");
    late["published"] = json!("2026-11-21");
    late["formed"] = json!("2026-11-22");
    let refused = system.call("POST", "/api/v1/agencies/SFJ/items", Some("k2"), Some(late)).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let error = json_of(&refused)["error"].as_str().unwrap().to_owned();
    assert!(error.contains("`published` is after today") && error.contains("`formed`"), "{error}");
    let mut normative = item("规范性文件");
    normative["normative"] = json!(true);
    let refused =
        system.call("POST", "/api/v1/agencies/SFJ/items", Some("k3"), Some(normative)).await;
    assert!(json_of(&refused)["error"].as_str().unwrap().contains("doc_number"));
    // `null` where the document allows none is refused, not read as absent (a review found both taken).
    let mut null_channels = item("渠道为空");
    null_channels["channels"] = Value::Null;
    let refused =
        system.call("POST", "/api/v1/agencies/SFJ/items", Some("k6"), Some(null_channels)).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    let mut null_version = item("版本为空");
    null_version["version"] = Value::Null;
    let refused =
        system.call("POST", "/api/v1/agencies/SFJ/items", Some("k7"), Some(null_version)).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    let mut unknown = item("多余字段");
    unknown["author"] = json!("某人");
    let refused =
        system.call("POST", "/api/v1/agencies/SFJ/items", Some("k4"), Some(unknown)).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(json_of(&refused)["error"].as_str().unwrap().contains("author"));

    // Another agency's catalog, and a scope the key lacks: 403, in the audit trail.
    let foreign =
        system.call("POST", "/api/v1/agencies/CZJ/items", Some("k5"), Some(item("越权"))).await;
    assert_eq!(foreign.status, StatusCode::FORBIDDEN);
    let applications = system.call("GET", "/api/v1/agencies/SFJ/applications", None, None).await;
    assert_eq!(applications.status, StatusCode::FORBIDDEN);
    assert!(json_of(&applications)["error"].as_str().unwrap().contains("applications:read"));
    assert_eq!(audited(&desk, "api:SFJ/网站群", "access.denied").await, 2);

    // Editing against the version read; a stale version is a conflict.
    let mut edited = item("关于某事项的通知（修订）");
    edited["version"] = json!(1);
    let answer =
        system.call("PUT", &format!("/api/v1/items/{id}"), Some("e1"), Some(edited.clone())).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    assert_eq!(json_of(&answer)["version"], 2);
    let stale =
        system.call("PUT", &format!("/api/v1/items/{id}"), Some("e2"), Some(edited.clone())).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    // A conflict is not kept for the key: read again, the same key goes through with the new version.
    edited["version"] = json!(2);
    let retried =
        system.call("PUT", &format!("/api/v1/items/{id}"), Some("e2"), Some(edited)).await;
    assert_eq!(retried.status, StatusCode::OK, "{}", retried.text());
    assert_eq!(json_of(&retried)["version"], 3);
    let mut current = item("关于某事项的通知（修订）");
    current["version"] = json!(1);
    let replay =
        system.call("PUT", &format!("/api/v1/items/{id}"), Some("e1"), Some(current)).await;
    assert_eq!(replay.status, StatusCode::OK, "the first edit's answer, again");

    // A file, by its name; a name the portal does not serve is refused.
    let mut request =
        Request::post(format!("/api/v1/items/{id}/attachments?name=%E9%99%84%E4%BB%B6.pdf"))
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header("idempotency-key", "a1")
            .header(header::CONTENT_TYPE, "application/octet-stream");
    let attached =
        system.client.send(request.body(Body::from(b"%PDF-1.4\n%%EOF\n".to_vec())).unwrap()).await;
    assert_eq!(attached.status, StatusCode::CREATED, "{}", attached.text());
    assert_eq!(json_of(&attached)["name"], "附件.pdf");
    request = Request::post(format!("/api/v1/items/{id}/attachments?name=run.exe"))
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header("idempotency-key", "a2");
    let refused = system.client.send(request.body(Body::from("MZ")).unwrap()).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Withdrawn: gone from the API and the portal; withdrawing again is 410.
    let withdrawn = system.call("DELETE", &format!("/api/v1/items/{id}"), Some("w1"), None).await;
    assert_eq!(withdrawn.status, StatusCode::OK);
    // A retry of the withdrawal gets its first answer, not 410 (a review found the state judged first).
    let retry = system.call("DELETE", &format!("/api/v1/items/{id}"), Some("w1"), None).await;
    assert_eq!(retry.status, StatusCode::OK);
    assert_eq!(retry.headers.get("idempotent-replayed").unwrap(), "true");
    let gone = system.call("GET", &format!("/api/v1/items/{id}"), None, None).await;
    assert_eq!(gone.status, StatusCode::GONE);
    let again = system.call("DELETE", &format!("/api/v1/items/{id}"), Some("w2"), None).await;
    assert_eq!(again.status, StatusCode::GONE);
    // The request's own form is judged before the record it names (Schemathesis found a request without
    // its Idempotency-Key, or with a body that is not JSON, answered 410 for a withdrawn item).
    let no_key = system.call("DELETE", &format!("/api/v1/items/{id}"), None, None).await;
    assert_eq!(no_key.status, StatusCode::BAD_REQUEST);
    let request = Request::put(format!("/api/v1/items/{id}"))
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header("idempotency-key", "w3")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from("F\u{fffd}p"))
        .unwrap();
    assert_eq!(system.client.send(request).await.status, StatusCode::BAD_REQUEST);
    assert_eq!(audited(&desk, "api:SFJ/网站群", "catalog.withdraw").await, 1);

    // Revoked by the admin: refused from then on.
    let sfj = gongkai_store::agencies::by_code(&desk.store, "SFJ").await.unwrap();
    let key_id = api_keys::list(&desk.store, sfj.id).await.unwrap()[0].id;
    let revoked = admin
        .post("/staff/agencies/SFJ/api-keys", &[("action", "revoke"), ("id", &key_id.to_string())])
        .await;
    assert!(revoked.text().contains("已吊销"), "{}", revoked.text());
    let refused =
        system.call("POST", "/api/v1/agencies/SFJ/items", Some("k9"), Some(item("吊销后"))).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert!(json_of(&refused)["error"].as_str().unwrap().contains("revoked"));
}

#[tokio::test]
async fn a_key_reads_the_applications_and_the_report_and_records_the_ledger() {
    let desk = desk("api_office").await;
    let tracking = online_application(&desk.store, "SFJ", date!(2026 - 11 - 16)).await;
    let token = issued(
        &desk,
        "SFJ",
        "统计平台",
        &[Scope::ApplicationsRead, Scope::LedgerWrite, Scope::ReportsRead],
    )
    .await;
    let mut system = System::new(&desk, &token);
    let answer = system.call("GET", "/api/v1/agencies/SFJ/applications", None, None).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    let list = json_of(&answer);
    let case = &list["applications"][0];
    assert_eq!(case["tracking_number"], tracking.as_str());
    assert_eq!(case["applicant"]["name"], "张*");
    assert_eq!(case["applicant"]["masked"], true);
    assert_eq!(case["clock"]["state"], "in_progress");
    // Received online on Monday 16 November: 20 working days run to Monday 14 December.
    assert_eq!(case["clock"]["due"], "2026-12-14", "{case}");
    assert_eq!(audited(&desk, "api:SFJ/统计平台", "api.applications.read").await, 1);
    let personal =
        issued(&desk, "SFJ", "办公系统", &[Scope::ApplicationsRead, Scope::ApplicationsPersonal])
            .await;
    let answer = System::new(&desk, &personal)
        .call("GET", "/api/v1/agencies/SFJ/applications?year=2026", None, None)
        .await;
    assert_eq!(json_of(&answer)["applications"][0]["applicant"]["name"], "张三");

    // Ledger entries: recorded once per Idempotency-Key, checked as in the back office.
    let training = json!({ "kind": "training", "day": "2026-11-10", "title": "政务公开业务培训", "trainees": 35 });
    let answer = system
        .call("POST", "/api/v1/agencies/SFJ/ledger", Some("t1"), Some(training.clone()))
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text());
    system.call("POST", "/api/v1/agencies/SFJ/ledger", Some("t1"), Some(training)).await;
    let lines = gongkai_store::ledger::lines(&desk.store, "SFJ", 2026).await.unwrap();
    assert_eq!(lines.iter().filter(|line| line.kind == "training").count(), 1);
    for (body, status) in [
        (
            json!({ "kind": "meeting", "day": "2026-11-21", "title": "明天的会" }),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({ "kind": "review", "filed": "2026-11-02", "application": "SFJ-NONE" }),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({ "kind": "funding", "year": 2026, "amount_wan_yuan": "1.23456" }),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (json!({ "kind": "party", "day": "2026-11-02" }), StatusCode::BAD_REQUEST),
        // JSON Schema's integers include 12.0 (Schemathesis sent one and got 400); a fraction is not one.
        (
            json!({ "kind": "training", "day": "2026-11-12", "title": "业务培训", "trainees": 12.0 }),
            StatusCode::CREATED,
        ),
        (
            json!({ "kind": "training", "day": "2026-11-12", "title": "业务培训", "trainees": 12.5 }),
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({ "kind": "funding", "year": 1.0e20, "amount_wan_yuan": "1" }),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({ "kind": "complaint", "received": "2026-11-02", "summary": " \u{3000}" }),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        // A complaint names an application of the agency's, or none: absent, null or blank as documented.
        (
            json!({ "kind": "complaint", "received": "2026-11-02", "summary": "答复超期", "application": "SFJ-NONE" }),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({ "kind": "complaint", "received": "2026-11-02", "summary": "答复超期", "application": " " }),
            StatusCode::CREATED,
        ),
        (
            json!({ "kind": "complaint", "received": "2026-11-03", "summary": "答复超期", "application": null }),
            StatusCode::CREATED,
        ),
    ] {
        let key = format!("bad-{body}");
        let answer =
            system.call("POST", "/api/v1/agencies/SFJ/ledger", Some(&key), Some(body)).await;
        assert_eq!(answer.status, status, "{}", answer.text());
    }
    let funding = json!({ "kind": "funding", "year": 2026, "amount_wan_yuan": "12.5" });
    let answer =
        system.call("POST", "/api/v1/agencies/SFJ/ledger", Some("f1"), Some(funding)).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text());

    // The report of the year, as the records say now.
    let answer = system.call("GET", "/api/v1/agencies/SFJ/reports/2026", None, None).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    let report = json_of(&answer);
    assert_eq!(
        (report["year"].as_i64(), report["sign_off_state"].as_str()),
        (Some(2026), Some("draft"))
    );
    assert!(report["cells"].as_array().unwrap().len() > 50);
    for uri in ["/api/v1/agencies/SFJ/reports/2007", "/api/v1/agencies/SFJ/reports/x"] {
        assert_eq!(system.call("GET", uri, None, None).await.status, StatusCode::BAD_REQUEST);
    }

    // A key past its last day is refused.
    let expired = api_keys::issue(
        &desk.store,
        "SFJ",
        "旧系统",
        &[Scope::ReportsRead],
        Some(date!(2026 - 11 - 19)),
        &ACTOR,
    )
    .await
    .unwrap()
    .token;
    let answer = System::new(&desk, &expired)
        .call("GET", "/api/v1/agencies/SFJ/reports/2026", None, None)
        .await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert!(json_of(&answer)["error"].as_str().unwrap().contains("expired"));
    // Another last character (a key ending in 0 once made this "forgery" the key itself).
    let last = if token.ends_with('0') { '1' } else { '0' };
    let forged = format!("{}{last}", &token[..token.len() - 1]);
    let answer = System::new(&desk, &forged)
        .call("GET", "/api/v1/agencies/SFJ/reports/2026", None, None)
        .await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn every_answer_under_the_api_is_json_with_its_documented_status() {
    let desk = desk("api_contract").await;
    let token = issued(&desk, "SFJ", "测试", &[Scope::CatalogWrite]).await;
    let mut system = System::new(&desk, &token);
    let long = format!("/api/v1/search?q={}", "a".repeat(5000));
    for (method, uri, status) in [
        ("GET", "/api/v1/agencies/SFJ/items?year=2026&year=2025", StatusCode::BAD_REQUEST),
        ("GET", "/api/v1/agencies/SFJ/items?page=", StatusCode::BAD_REQUEST),
        ("GET", "/api/v1/agencies/SFJ/items?per_page=", StatusCode::BAD_REQUEST),
        ("GET", "/api/v1/agencies/SFJ/items?year=99999999999", StatusCode::BAD_REQUEST),
        ("GET", "/api/v1/agencies/SFJ/items?year=10000", StatusCode::BAD_REQUEST),
        ("GET", "/api/v1/agencies/SFJ/items?page=%2B1", StatusCode::BAD_REQUEST),
        ("GET", "/api/v1/search?q=a&facets=", StatusCode::BAD_REQUEST),
        ("GET", &long, StatusCode::URI_TOO_LONG),
        ("PATCH", "/api/v1/items/1", StatusCode::METHOD_NOT_ALLOWED),
        ("GET", "/api/v1/nothing", StatusCode::NOT_FOUND),
    ] {
        let answer = system.call(method, uri, None, None).await;
        assert_eq!(answer.status, status, "{method} {uri}: {}", answer.text());
        assert!(json_of(&answer)["error"].is_string(), "{uri}");
        assert!(!answer.text().contains("<html"), "{uri}");
    }
    let answer = system.call("PATCH", "/api/v1/items/1", None, None).await;
    assert!(answer.headers.contains_key(header::ALLOW));
    // A body over the limit, and one that is not JSON.
    let mut huge = item("大");
    huge["body"] = json!("长".repeat(400_000));
    let answer = system.call("POST", "/api/v1/agencies/SFJ/items", Some("h"), Some(huge)).await;
    assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE);
    json_of(&answer);
    let request = Request::post("/api/v1/agencies/SFJ/items")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header("idempotency-key", "form")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("title=x"))
        .unwrap();
    let answer = system.client.send(request).await;
    assert_eq!(answer.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    json_of(&answer);
    // Search without `q` (documented as optional) answers.
    let answer = system.call("GET", "/api/v1/search", None, None).await;
    assert_ne!(answer.status, StatusCode::BAD_REQUEST, "{}", answer.text());
}

#[tokio::test]
async fn a_client_over_the_rate_limit_gets_json_with_when_to_retry() {
    let desk = desk("api_rate").await;
    // The desk's state has the limits off (its tests post many forms); the server's default has them on.
    let state = gongkai_web::AppState::with_clock(
        desk.store.clone(),
        gongkai_core::calendar::Calendar::builtin().clone(),
        || date!(2026 - 11 - 20),
    );
    // One router for every request, as a server has (its rate limiter lives in it).
    let app = gongkai_web::router(state);
    let mut limited = None;
    for _ in 0..40 {
        let mut request = Request::get("/api/v1/search?q=a").body(Body::empty()).unwrap();
        request.extensions_mut().insert(axum::extract::ConnectInfo(std::net::SocketAddr::from((
            [198, 51, 100, 9],
            5000,
        ))));
        let response = tower::ServiceExt::oneshot(app.clone(), request).await.unwrap();
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            let headers = response.headers().clone();
            let bytes = http_body_util::BodyExt::collect(response.into_body())
                .await
                .unwrap()
                .to_bytes()
                .to_vec();
            limited = Some(Answer { status: StatusCode::TOO_MANY_REQUESTS, headers, bytes });
            break;
        }
    }
    let answer = limited.expect("a burst of 30 searches, then 2 a second");
    assert!(answer.headers.contains_key(header::RETRY_AFTER));
    assert!(json_of(&answer)["error"].as_str().unwrap().contains("Retry-After"));
}
