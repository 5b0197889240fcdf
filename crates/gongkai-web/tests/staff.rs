//! The back office through the real router on a real SQLite store: sign-in, lockout, sign-out and password
//! change; registering and handling an application step by step with its letters; refusals of steps the
//! case's state does not allow; concurrent edits; and tenant isolation — staff of one agency trying every
//! staff route on another agency's records, and a clerk trying the head's action, all refused and logged.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::http::{StatusCode, header};
use gongkai_core::calendar::Calendar;
use gongkai_core::report::values::Quantity;
use gongkai_store::agencies;
use gongkai_store::{Store, handling, users};
use time::macros::date;

mod common;

use common::*;

#[tokio::test]
async fn sign_in_lockout_sign_out() {
    let desk = desk("signin").await;
    let mut anonymous = Client::new(&desk);
    let answer = anonymous.get("/staff/agencies/SFJ").await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    assert_eq!(answer.location(), "/staff/login?next=/staff/agencies/SFJ");

    // Wrong passwords: the same answer as for an unknown user; past the free ones, a growing wait — for
    // both alike, so the answer does not tell which usernames exist.
    for username in ["clerk1", "nobody"] {
        let mut client = Client::new(&desk);
        for attempt in 1..=users::FROM_ONE_PLACE.free {
            let answer = client
                .post("/staff/login", &[("username", username), ("password", "wrong-password")])
                .await;
            assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{username} attempt {attempt}");
            assert!(answer.text().contains("用户名或密码不正确"));
        }
        let slowed = client
            .post("/staff/login", &[("username", username), ("password", "wrong-password")])
            .await;
        assert_eq!(slowed.status, StatusCode::TOO_MANY_REQUESTS, "{username}");
        assert!(slowed.text().contains("尝试过多"), "{}", slowed.text());
        assert!(slowed.headers.contains_key(header::RETRY_AFTER));
        assert!(!client.cookies.contains_key("gk_staff"));
    }

    // Another user signs in, is sent where they were going, and signs out.
    let mut client = Client::new(&desk);
    let answer = client
        .post(
            "/staff/login",
            &[("username", "clerk2"), ("password", PASSWORD), ("next", "/staff/agencies/SFJ")],
        )
        .await;
    assert_eq!(answer.location(), "/staff/agencies/SFJ");
    let dashboard = client.get("/staff/agencies/SFJ").await;
    assert_eq!(dashboard.status, StatusCode::OK);
    assert!(dashboard.text().contains("温州市司法局"));
    assert_eq!(dashboard.headers[header::CACHE_CONTROL], "no-store");
    // An open redirect is not followed.
    let mut evil = Client::new(&desk);
    let answer = evil
        .post(
            "/staff/login",
            &[("username", "clerk2"), ("password", PASSWORD), ("next", "//evil.example/x")],
        )
        .await;
    assert_eq!(answer.location(), "/staff");
    let out = client.post("/staff/logout", &[]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(client.get("/staff/agencies/SFJ").await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_password_change_ends_the_other_sessions() {
    let desk = desk("password").await;
    let mut laptop = Client::sign_in(&desk, "clerk2").await;
    let mut phone = Client::sign_in(&desk, "clerk2").await;
    let mismatch = laptop
        .post(
            "/staff/password",
            &[("current", PASSWORD), ("new", "a new long password"), ("confirm", "another one!!")],
        )
        .await;
    assert_eq!(mismatch.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(mismatch.text().contains("两次输入的新密码不一致"));
    let wrong = laptop
        .post(
            "/staff/password",
            &[
                ("current", "not the password"),
                ("new", "a new long password"),
                ("confirm", "a new long password"),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.text().contains("当前密码不正确"));
    let changed = laptop
        .post(
            "/staff/password",
            &[
                ("current", PASSWORD),
                ("new", "a new long password"),
                ("confirm", "a new long password"),
            ],
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.text());
    assert!(changed.text().contains("密码已修改"));
    assert_eq!(laptop.get("/staff/agencies/SFJ").await.status, StatusCode::OK);
    assert_eq!(phone.get("/staff/agencies/SFJ").await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_letter_application_is_handled_to_a_reply() {
    let desk = desk("handling").await;
    let mut clerk = Client::sign_in(&desk, "clerk1").await;

    // Register a letter: received on the day of confirmation (art. 31(二)).
    let missing = clerk
        .post("/staff/agencies/SFJ/register", &[("channel", "letter"), ("submitted", "2026-11-02")])
        .await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    let text = missing.text();
    assert!(text.contains("请填写日期"), "the confirmation date is required: {text}");
    assert!(text.contains("请填写姓名或名称"));
    let registered = clerk
        .post(
            "/staff/agencies/SFJ/register",
            &[
                ("channel", "letter"),
                ("submitted", "2026-11-02"),
                ("confirmed", "2026-11-04"),
                ("applicant_type", "natural"),
                ("name", "李四"),
                ("id_type", "居民身份证"),
                ("id_number", "11010519491231002X"),
                ("phone", "13900139000"),
                ("address", "温州市瓯海区某街2号"),
                ("description", "2025年全市人民调解案件数量统计"),
                ("delivery_form", "邮寄纸质文本"),
            ],
        )
        .await;
    assert_eq!(registered.status, StatusCode::OK, "{}", registered.text());
    let text = registered.text();
    assert!(text.contains("2026-11-04"), "received on the confirmation day: {text}");
    let tracking = text
        .split("<strong>")
        .nth(1)
        .and_then(|rest| rest.split("</strong>").next())
        .unwrap()
        .to_owned();
    assert!(tracking.starts_with("YSQ2026"), "{tracking}");
    // Due 20 working days after 2026-11-04: 2026-12-02.
    assert!(text.contains("2026-12-02"), "{text}");

    // 补正 with a reply-by date, then the supplement arrives: the clock restarts.
    let answer = clerk
        .step(
            &tracking,
            &[
                ("action", "supplement"),
                ("on", "2026-11-06"),
                ("items", "请明确所需统计的区域范围"),
                ("reply_by", "2026-11-16"),
            ],
        )
        .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.text());
    let again = clerk
        .step(
            &tracking,
            &[
                ("action", "supplement"),
                ("on", "2026-11-09"),
                ("items", "再补"),
                ("reply_by", "2026-11-19"),
            ],
        )
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.text().contains("一次性告知"), "{}", again.text());
    let answer =
        clerk.step(&tracking, &[("action", "supplement_received"), ("on", "2026-11-10")]).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.text());

    // The clerk asks for an extension; they cannot approve it, nor can the head approve their own.
    let answer = clerk
        .step(
            &tracking,
            &[
                ("action", "extension_request"),
                ("on", "2026-11-19"),
                ("reason", "需要汇总各县区数据"),
                ("working_days", "10"),
            ],
        )
        .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.text());
    let own = clerk
        .step(
            &tracking,
            &[("action", "extension_decide"), ("on", "2026-11-19"), ("decision", "approve")],
        )
        .await;
    assert_eq!(own.status, StatusCode::FORBIDDEN, "a clerk is not the head");
    let mut head = Client::sign_in(&desk, "head").await;
    let page = head.get(&format!("/staff/cases/{tracking}")).await;
    assert!(page.text().contains("审批延期"), "{}", page.text());
    assert!(page.text().contains("需要汇总各县区数据"));
    let approved = head
        .step(
            &tracking,
            &[("action", "extension_decide"), ("on", "2026-11-20"), ("decision", "approve")],
        )
        .await;
    assert_eq!(approved.status, StatusCode::SEE_OTHER, "{}", approved.text());
    let twice = clerk
        .step(
            &tracking,
            &[
                ("action", "extension_request"),
                ("on", "2026-11-20"),
                ("reason", "还需要时间"),
                ("working_days", "5"),
            ],
        )
        .await;
    assert_eq!(twice.status, StatusCode::SEE_OTHER, "a second request may be made…");
    let second = head
        .step(
            &tracking,
            &[("action", "extension_decide"), ("on", "2026-11-20"), ("decision", "approve")],
        )
        .await;
    assert_eq!(second.status, StatusCode::UNPROCESSABLE_ENTITY, "…but never approved");
    assert!(second.text().contains("只能延长一次"), "{}", second.text());

    // The reply: partial disclosure needs the withheld parts and reasons.
    let incomplete = clerk
        .step(
            &tracking,
            &[
                ("action", "reply"),
                ("outcome", "partial"),
                ("method", "post"),
                ("on", "2026-11-20"),
            ],
        )
        .await;
    assert_eq!(incomplete.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(incomplete.text().contains("第三十七条"));
    let kept = incomplete.text();
    assert!(kept.contains(r#"value="partial" selected"#), "the choice is kept");
    let replied = clerk
        .step(
            &tracking,
            &[
                ("action", "reply"),
                ("outcome", "partial"),
                ("access", "随本答复书提供统计表一份"),
                ("withheld_parts", "涉及当事人姓名的调解案件明细"),
                ("reasons", "涉及个人隐私，公开会对第三方合法权益造成损害"),
                ("method", "post"),
                ("on", "2026-11-20"),
            ],
        )
        .await;
    assert_eq!(replied.status, StatusCode::SEE_OTHER, "{}", replied.text());
    let after = clerk
        .step(
            &tracking,
            &[
                ("action", "reply"),
                ("outcome", "disclosed"),
                ("method", "post"),
                ("on", "2026-11-20"),
            ],
        )
        .await;
    assert_eq!(after.status, StatusCode::UNPROCESSABLE_ENTITY, "reply after reply");
    assert!(after.text().contains("已办结"), "{}", after.text());
    let case = handling::case(&desk.store, &tracking).await.unwrap();
    assert_eq!(case.outcome, Some(gongkai_core::records::Outcome::PartiallyDisclosed));

    // Letters: 补正, 延期 and the reply, each DOCX and PDF, downloadable by staff of the agency.
    let page = clerk.get(&format!("/staff/cases/{tracking}")).await.text();
    assert!(page.contains("已答复"), "{page}");
    let letters = gongkai_store::letters::of_case(&desk.store, &tracking).await.unwrap();
    let kinds: Vec<&str> = letters.iter().map(|letter| letter.kind.as_str()).collect();
    assert_eq!(kinds, ["supplement", "supplement", "extension", "extension", "reply", "reply"]);
    for letter in &letters {
        let file = clerk.get(&format!("/staff/letters/{}", letter.id)).await;
        assert_eq!(file.status, StatusCode::OK);
        if letter.media_type.contains("pdf") {
            assert!(file.bytes.starts_with(b"%PDF"));
        } else {
            assert!(is_docx(&file.bytes));
        }
        assert!(letter.sent_on.is_some(), "recorded as sent");
    }
    // The reply's text: 李四 (the handler's letter is not masked), the article, the remedies.
    let reply_docx = clerk.get(&format!("/staff/letters/{}", letters[4].id)).await.bytes;
    let xml = docx_text(&reply_docx);
    assert!(xml.contains("李四："), "{xml}");
    assert!(xml.contains("第三十七条"), "{xml}");
    assert!(xml.contains("温州市人民政府申请行政复议"), "{xml}");
    assert!(xml.contains("涉及当事人姓名的调解案件明细"), "{xml}");
}

#[tokio::test]
async fn concurrent_steps_do_not_overwrite_each_other() {
    let desk = desk("conflict").await;
    let tracking = online_application(&desk.store, "SFJ", date!(2026 - 11 - 16)).await;
    let mut first = Client::sign_in(&desk, "clerk1").await;
    let mut second = Client::sign_in(&desk, "clerk2").await;
    // Both open the case at version 0.
    let fields_a = [
        ("version", "0"),
        ("action", "consult"),
        ("party", "third_party"),
        ("consulted", "某律师事务所"),
        ("on", "2026-11-17"),
    ];
    let fields_b = [
        ("version", "0"),
        ("action", "extension_request"),
        ("reason", "需要征求意见"),
        ("working_days", "5"),
        ("on", "2026-11-17"),
    ];
    let a = first.post(&format!("/staff/cases/{tracking}/steps"), &fields_a).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.text());
    let b = second.post(&format!("/staff/cases/{tracking}/steps"), &fields_b).await;
    assert_eq!(b.status, StatusCode::CONFLICT);
    let text = b.text();
    assert!(text.contains("已被他人更新"), "{text}");
    assert!(text.contains("需要征求意见"), "the second clerk's input is kept");
    assert!(text.contains("征求第三方意见"), "and they see the first clerk's step");
    let case = handling::case(&desk.store, &tracking).await.unwrap();
    assert_eq!(case.steps.len(), 1);
}

/// A request of the isolation test: method, path, form fields.
type Attempt<'a> = (&'a str, String, Vec<(&'a str, &'a str)>);

/// Every staff route, with how the isolation test calls it on another agency's records.
const STAFF_ROUTES: [&str; 36] = [
    "/login",
    "/logout",
    "/password",
    "/",
    "/agencies/{code}",
    "/agencies/{code}/applications",
    "/agencies/{code}/register",
    "/cases/{tracking}",
    "/cases/{tracking}/steps",
    "/cases/{tracking}/assign",
    "/letters/{id}",
    "/cases/{tracking}/attachments/{id}",
    "/agencies/{code}/reports",
    "/agencies/{code}/reports/history",
    "/agencies/{code}/reports/history/{year}",
    "/agencies/{code}/reports/{year}",
    "/agencies/{code}/reports/{year}/preview",
    "/agencies/{code}/reports/{year}/cells/{table}/{row}/{column}",
    "/agencies/{code}/items",
    "/agencies/{code}/items/new",
    "/agencies/{code}/items/bulk",
    "/items/{id}",
    "/items/{id}/withdraw",
    "/items/{id}/attachments",
    "/agencies/{code}/ledger",
    "/agencies/{code}/region",
    "/agencies/{code}/region/{year}/report",
    "/agencies/{code}/staff",
    "/agencies/{code}/settings",
    "/agencies/{code}/api-keys",
    "/agencies/{code}/settings/photo",
    "/agencies/{code}/registers",
    "/agencies/{code}/registers/{id}",
    "/admin",
    "/admin/audit",
    "/audit",
];

/// An online application to the bureau on 2026-11-16 whose clerk `clerk1` asked for a 补正 the next day.
async fn supplement_asked(desk: &Desk) -> (String, Client) {
    let tracking = online_application(&desk.store, "SFJ", date!(2026 - 11 - 16)).await;
    let mut clerk = Client::sign_in(desk, "clerk1").await;
    let answer = clerk
        .step(
            &tracking,
            &[
                ("action", "supplement"),
                ("on", "2026-11-17"),
                ("items", "请写明年份"),
                ("reply_by", "2026-11-27"),
            ],
        )
        .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    (tracking, clerk)
}

#[tokio::test]
async fn staff_act_only_within_their_agency_and_role() {
    // The list above must be every route the back office has.
    let source = include_str!("../src/staff/mod.rs");
    let routes: Vec<&str> = source
        .lines()
        .filter_map(|line| line.trim().strip_prefix(".route(\""))
        .filter_map(|rest| rest.split('"').next())
        .collect();
    assert_eq!(routes, STAFF_ROUTES, "add the new route to the isolation test");

    let desk = desk("isolation").await;
    let (tracking, mut owner) = supplement_asked(&desk).await;
    let letter = gongkai_store::letters::of_case(&desk.store, &tracking).await.unwrap()[0].id;
    let item = publish_one(&mut owner, "关于2026年法律援助工作的通知").await;
    let staged = owner
        .upload(
            "/staff/agencies/SFJ/registers",
            &[("kind", "applications")],
            "file",
            "台账.csv",
            "申请编号,申请人类型,申请方式,收到申请日期\nX-1,自然人,当面,2026-11-02\n".as_bytes(),
        )
        .await
        .location();
    assert!(staged.starts_with("/staff/agencies/SFJ/registers/"), "{staged}");

    let mut other = Client::sign_in(&desk, "other").await;
    let mut otherhead = Client::sign_in(&desk, "otherhead").await;
    let case = format!("/staff/cases/{tracking}");
    let steps = format!("{case}/steps");
    let attached = format!("{case}/attachments/1");
    let attempts: Vec<Attempt<'_>> = vec![
        ("GET", attached, vec![]),
        ("GET", "/staff/agencies/SFJ".to_owned(), vec![]),
        ("GET", "/staff/agencies/SFJ/applications".to_owned(), vec![]),
        ("GET", "/staff/agencies/SFJ/register".to_owned(), vec![]),
        ("POST", "/staff/agencies/SFJ/register".to_owned(), vec![("channel", "in-person")]),
        ("GET", case.clone(), vec![]),
        (
            "POST",
            steps.clone(),
            vec![("version", "1"), ("action", "supplement_received"), ("on", "2026-11-18")],
        ),
        (
            "POST",
            steps.clone(),
            vec![
                ("version", "1"),
                ("action", "reply"),
                ("outcome", "disclosed"),
                ("method", "post"),
                ("on", "2026-11-18"),
            ],
        ),
        ("POST", format!("{case}/assign"), vec![]),
        ("GET", format!("/staff/letters/{letter}"), vec![]),
        ("GET", "/staff/agencies/SFJ/reports".to_owned(), vec![]),
        ("GET", "/staff/agencies/SFJ/reports/history/2025".to_owned(), vec![]),
        ("GET", "/staff/agencies/SFJ/reports/2026".to_owned(), vec![]),
        (
            "POST",
            "/staff/agencies/SFJ/reports/2026".to_owned(),
            vec![("version", "0"), ("action", "submit"), ("phone", "1")],
        ),
        (
            "POST",
            "/staff/agencies/SFJ/reports/2026".to_owned(),
            vec![("version", "0"), ("action", "sign")],
        ),
        ("GET", "/staff/agencies/SFJ/reports/2026/preview".to_owned(), vec![]),
        ("GET", "/staff/agencies/SFJ/reports/2026/cells/t3/new/total".to_owned(), vec![]),
        ("GET", "/staff/agencies/SFJ/items".to_owned(), vec![]),
        ("GET", "/staff/agencies/SFJ/items/new".to_owned(), vec![]),
        (
            "POST",
            "/staff/agencies/SFJ/items/new".to_owned(),
            vec![("title", "x"), ("category", "y")],
        ),
        (
            "POST",
            "/staff/agencies/SFJ/items/bulk".to_owned(),
            vec![("ids", item.as_str()), ("field", "validity"), ("value", "废止")],
        ),
        ("GET", format!("/staff/items/{item}"), vec![]),
        (
            "POST",
            format!("/staff/items/{item}"),
            vec![("version", "1"), ("title", "改"), ("category", "y")],
        ),
        ("POST", format!("/staff/items/{item}/withdraw"), vec![]),
        ("GET", "/staff/agencies/SFJ/ledger".to_owned(), vec![]),
        (
            "POST",
            "/staff/agencies/SFJ/ledger".to_owned(),
            vec![("form", "complaint"), ("summary", "x"), ("day", "2026-11-18")],
        ),
        ("GET", "/staff/agencies/SFJ/region".to_owned(), vec![]),
        ("GET", "/staff/agencies/ZF/region/2025/report".to_owned(), vec![]),
        ("GET", "/staff/agencies/SFJ/staff".to_owned(), vec![]),
        (
            "POST",
            "/staff/agencies/SFJ/staff".to_owned(),
            vec![("action", "grant"), ("username", "other"), ("role", "clerk")],
        ),
        ("GET", "/staff/agencies/SFJ/settings".to_owned(), vec![]),
        (
            "POST",
            "/staff/agencies/SFJ/settings".to_owned(),
            vec![("action", "profile"), ("name", "改"), ("kind", "department")],
        ),
        ("GET", "/staff/agencies/SFJ/api-keys".to_owned(), vec![]),
        (
            "POST",
            "/staff/agencies/SFJ/api-keys".to_owned(),
            vec![("action", "issue"), ("name", "x"), ("scope", "catalog:write")],
        ),
        ("GET", "/staff/agencies/SFJ/registers".to_owned(), vec![]),
        ("GET", staged.clone(), vec![]),
        ("POST", staged.clone(), vec![]),
        ("GET", "/staff/admin".to_owned(), vec![]),
        (
            "POST",
            "/staff/admin".to_owned(),
            vec![("action", "grant"), ("username", "other"), ("role", "clerk"), ("agency", "SFJ")],
        ),
        ("GET", "/staff/admin/audit".to_owned(), vec![]),
        ("POST", "/staff/admin/audit".to_owned(), vec![("subject", "application:")]),
    ];
    let before = audit_denials(&desk.store).await;
    for client in [&mut other, &mut otherhead] {
        for (method, uri, fields) in &attempts {
            let answer = if *method == "GET" {
                client.get(uri).await
            } else {
                client.post(uri, fields).await
            };
            assert_eq!(answer.status, StatusCode::FORBIDDEN, "{method} {uri}");
            assert!(!answer.text().contains("李四") && !answer.text().contains("张三"));
        }
    }
    // The multipart forms: a leader's photo.
    for client in [&mut other, &mut otherhead] {
        let answer = client
            .upload(
                "/staff/agencies/SFJ/settings/photo",
                &[("action", "upload"), ("seq", "0"), ("name", "张三")],
                "file",
                "photo.png",
                b"\x89PNG\r\n\x1a\n",
            )
            .await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "leader photo");
    }
    assert_eq!(audit_denials(&desk.store).await - before, 2 * attempts.len() as i64 + 2);
    // Home lists only their own agency.
    let home = other.get("/staff").await;
    assert_eq!(home.location(), "/staff/agencies/CZJ");

    // Within the agency: a reviewer reads but cannot handle; a clerk cannot do the head's action.
    let mut reviewer = Client::sign_in(&desk, "reviewer").await;
    assert_eq!(reviewer.get(&case).await.status, StatusCode::OK);
    let answer =
        reviewer.step(&tracking, &[("action", "supplement_received"), ("on", "2026-11-18")]).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    let answer = owner
        .step(
            &tracking,
            &[("action", "extension_decide"), ("decision", "approve"), ("on", "2026-11-18")],
        )
        .await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);

    // The supervisor of the city reads every department's cases, masked, and handles none.
    let mut supervisor = Client::sign_in(&desk, "sup").await;
    let page = supervisor.get(&case).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("张*"), "masked for anyone but the handler");
    let answer = supervisor
        .step(&tracking, &[("action", "supplement_received"), ("on", "2026-11-18")])
        .await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert_eq!(audit_denials(&desk.store).await - before, 2 * attempts.len() as i64 + 5);
    // The handler sees the applicant unmasked.
    assert!(owner.get(&case).await.text().contains("张三"));
}

async fn audit_denials(store: &Store) -> i64 {
    gongkai_store::audit::count_actions(store, "access.denied").await.unwrap()
}

/// The platform admin's 审计日志: a clerk's step found by actor and subject with the client's address and
/// Beijing time; a bad date refused next to its field with the search kept; the search exported as CSV
/// (and the export audited); the chain verified, then an edited entry reported where it is.
#[tokio::test]
async fn a_platform_admin_searches_exports_and_verifies_the_audit_log() {
    let desk = desk("audit-log").await;
    let (tracking, _clerk) = supplement_asked(&desk).await;
    let mut admin = Client::sign_in(&desk, "admin").await;
    assert!(admin.get("/staff/admin").await.text().contains(r#"href="/staff/admin/audit""#));

    let page =
        admin.get(&format!("/staff/admin/audit?actor=clerk1&subject=application:{tracking}")).await;
    assert_eq!(page.status, StatusCode::OK);
    let text = page.text();
    assert!(text.contains("<td>application.supplement</td>"), "{text}");
    assert!(text.contains("<td>198.51.100.7</td>"), "the client's address");
    assert!(text.contains(&format!("<td>application:{tracking}</td>")));
    assert!(!text.contains("<td>user.add</td>"), "only the clerk's entries on the case");
    assert!(text.contains(r#"value="clerk1""#), "the search is kept in the form");
    // Beijing time: the entry was written now, so today's date in China is on the page.
    let china_now = time::OffsetDateTime::now_utc().to_offset(time::macros::offset!(+8));
    assert!(text.contains(&format!("<td>{} ", china_now.date())), "{text}");

    let bad = admin.get("/staff/admin/audit?actor=clerk1&from=2026-13-01").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text().contains("日期格式应为YYYY-MM-DD。"));
    assert!(
        bad.text().contains(r#"value="2026-13-01""#) && bad.text().contains(r#"value="clerk1""#)
    );
    assert!(!bad.text().contains("<td>application.supplement</td>"), "no results for a bad search");
    // A day window in Beijing time that holds today finds the step; one that ended yesterday does not.
    let today = china_now.date();
    let window = |from: time::Date, until: time::Date| {
        format!("/staff/admin/audit?actor=clerk1&from={from}&until={until}")
    };
    assert!(admin.get(&window(today, today)).await.text().contains("application.supplement"));
    let yesterday = today.previous_day().unwrap();
    let before = admin.get(&window(yesterday, yesterday)).await.text();
    assert!(before.contains("没有符合条件的记录"), "{before}");

    let export = admin.post("/staff/admin/audit", &[("actor", "clerk1")]).await;
    assert_eq!(export.status, StatusCode::OK);
    assert_eq!(export.headers[header::CONTENT_TYPE], "text/csv; charset=utf-8");
    assert!(export.bytes.starts_with(b"\xEF\xBB\xBF"), "BOM for Excel");
    let csv = String::from_utf8(export.bytes[3..].to_vec()).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].starts_with("编号,时间（北京时间）,时间（UTC）,操作人,地址,操作,对象"));
    assert!(lines.len() >= 3, "the step and the letter at least: {csv}");
    assert!(lines[1..].iter().all(|line| line.contains(",clerk1,198.51.100.7,")), "{csv}");
    assert!(csv.contains(&format!(",application.supplement,application:{tracking},")));
    assert_eq!(gongkai_store::audit::count_actions(&desk.store, "audit.export").await.unwrap(), 1);

    let verified = admin.get("/staff/admin/audit?verify=1").await.text();
    assert!(verified.contains("哈希链完整"), "{verified}");
    desk.store
        .execute_admin(
            "UPDATE audit_log SET address = '10.9.9.9' WHERE action = 'application.supplement'",
        )
        .await
        .unwrap();
    let broken = admin.get("/staff/admin/audit?verify=1").await.text();
    assert!(broken.contains("哈希链在第") && broken.contains("该记录被修改过"), "{broken}");
}

#[tokio::test]
async fn a_platform_admin_manages_agencies_users_and_roles() {
    let desk = desk("admin").await;
    let mut admin = Client::sign_in(&desk, "admin").await;
    assert!(admin.get("/staff").await.text().contains("平台管理"));
    let page = admin.get("/staff/admin").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("温州市财政局"));

    let short = admin
        .post(
            "/staff/admin",
            &[
                ("action", "add_user"),
                ("username", "newclerk"),
                ("display_name", "新经办"),
                ("password", "short"),
            ],
        )
        .await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(short.text().contains("密码至少需要10个字符"), "{}", short.text());
    assert!(short.text().contains(r#"value="newclerk""#), "input kept");
    let added = admin
        .post(
            "/staff/admin",
            &[
                ("action", "add_user"),
                ("username", "newclerk"),
                ("display_name", "新经办"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert!(added.text().contains("已添加用户 newclerk"), "{}", added.text());
    let duplicate = admin
        .post(
            "/staff/admin",
            &[
                ("action", "add_user"),
                ("username", "newclerk"),
                ("display_name", "新经办"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert!(duplicate.text().contains("用户“newclerk”已存在"), "{}", duplicate.text());

    let mut newcomer = Client::sign_in(&desk, "newclerk").await;
    assert_eq!(
        newcomer.get("/staff/agencies/SFJ").await.status,
        StatusCode::FORBIDDEN,
        "no role yet"
    );
    let granted = admin
        .post(
            "/staff/admin",
            &[("action", "grant"), ("username", "newclerk"), ("role", "clerk"), ("agency", "SFJ")],
        )
        .await;
    assert!(granted.text().contains("已授予"), "{}", granted.text());
    assert_eq!(
        newcomer.get("/staff/agencies/SFJ").await.status,
        StatusCode::OK,
        "a role works at once"
    );
    admin
        .post(
            "/staff/admin",
            &[("action", "revoke"), ("username", "newclerk"), ("role", "clerk"), ("agency", "SFJ")],
        )
        .await;
    assert_eq!(
        newcomer.get("/staff/agencies/SFJ").await.status,
        StatusCode::FORBIDDEN,
        "and is gone at once"
    );
    admin.post("/staff/admin", &[("action", "disable"), ("username", "newclerk")]).await;
    assert_eq!(
        newcomer.get("/staff").await.status,
        StatusCode::SEE_OTHER,
        "a disabled account is signed out"
    );

    let agency = admin
        .post(
            "/staff/admin",
            &[
                ("action", "add_agency"),
                ("code", "330300-JYJ"),
                ("name", "温州市教育局"),
                ("kind", "department"),
                ("region", "浙江省温州市"),
                ("parent", "ZF"),
            ],
        )
        .await;
    assert!(agency.text().contains("已添加单位 温州市教育局"), "{}", agency.text());
    let bad = admin
        .post(
            "/staff/admin",
            &[
                ("action", "add_agency"),
                ("code", "有 空格"),
                ("name", "x"),
                ("kind", "department"),
                ("region", "y"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(agencies::by_code(&desk.store, "330300-JYJ").await.is_ok());
}

async fn report_version(store: &Store, year: i32) -> String {
    gongkai_store::reports::workflow(store, "SFJ", year)
        .await
        .unwrap()
        .map_or(0, |workflow| workflow.version)
        .to_string()
}

#[tokio::test]
async fn the_annual_report_is_drafted_reviewed_signed_and_published() {
    let desk = desk("report").await;
    // A year of work: one application replied to.
    let tracking = online_application(&desk.store, "SFJ", date!(2026 - 03 - 02)).await;
    let mut clerk = Client::sign_in(&desk, "clerk1").await;
    let replied = clerk
        .step(
            &tracking,
            &[
                ("action", "reply"),
                ("outcome", "disclosed"),
                ("access", "电子邮件"),
                ("method", "online"),
                ("on", "2026-03-16"),
            ],
        )
        .await;
    assert_eq!(replied.status, StatusCode::SEE_OTHER, "{}", replied.text());

    let dashboard = clerk.get("/staff/agencies/SFJ").await.text();
    assert!(
        dashboard.contains("2025年度政府信息公开工作年度报告应于2026-01-31前向社会公布"),
        "{dashboard}"
    );
    let page = clerk.get("/staff/agencies/SFJ/reports/2026").await;
    assert_eq!(page.status, StatusCode::OK);
    let text = page.text();
    assert!(text.contains("温州市司法局2026年政府信息公开工作年度报告"), "{text}");
    assert!(text.contains("没有发现矛盾"), "{text}");

    // The clerk writes the problems section and submits.
    let version = report_version(&desk.store, 2026).await;
    let saved = clerk
        .post(
            "/staff/agencies/SFJ/reports/2026",
            &[
                ("version", &version),
                ("action", "text"),
                ("section", "problems"),
                ("text", "一是主动公开的及时性有待提高。\n\n二是加强培训。"),
            ],
        )
        .await;
    assert!(saved.text().contains("已保存"), "{}", saved.text());
    assert!(saved.text().contains("一是主动公开的及时性有待提高。"));
    let version = report_version(&desk.store, 2026).await;
    let submitted = clerk
        .post(
            "/staff/agencies/SFJ/reports/2026",
            &[("version", &version), ("action", "submit"), ("phone", "0577-88367543")],
        )
        .await;
    assert!(submitted.text().contains("已提交审核"), "{}", submitted.text());
    let late_text = clerk
        .post(
            "/staff/agencies/SFJ/reports/2026",
            &[("version", "1"), ("action", "text"), ("section", "problems"), ("text", "改")],
        )
        .await;
    assert_eq!(
        late_text.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a submitted report is not edited"
    );
    let not_reviewer = clerk
        .post("/staff/agencies/SFJ/reports/2026", &[("version", "1"), ("action", "approve")])
        .await;
    assert_eq!(not_reviewer.status, StatusCode::FORBIDDEN);

    // The reviewer returns it; the clerk resubmits; the reviewer approves.
    let mut reviewer = Client::sign_in(&desk, "reviewer").await;
    let version = report_version(&desk.store, 2026).await;
    let bare = reviewer
        .post("/staff/agencies/SFJ/reports/2026", &[("version", &version), ("action", "return")])
        .await;
    assert!(bare.text().contains("退回时请写明修改意见"));
    let returned = reviewer
        .post(
            "/staff/agencies/SFJ/reports/2026",
            &[("version", &version), ("action", "return"), ("comments", "请补充培训情况")],
        )
        .await;
    assert!(returned.text().contains("已退回填报人修改"), "{}", returned.text());
    let stale = reviewer
        .post("/staff/agencies/SFJ/reports/2026", &[("version", &version), ("action", "approve")])
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.text());
    let version = report_version(&desk.store, 2026).await;
    clerk
        .post(
            "/staff/agencies/SFJ/reports/2026",
            &[("version", &version), ("action", "submit"), ("phone", "0577-88367543")],
        )
        .await;
    let version = report_version(&desk.store, 2026).await;
    let approved = reviewer
        .post(
            "/staff/agencies/SFJ/reports/2026",
            &[("version", &version), ("action", "approve"), ("comments", "同意")],
        )
        .await;
    assert!(approved.text().contains("已审核通过"), "{}", approved.text());

    // The head signs; the clerk publishes; the portal has it with the signature block.
    let mut head = Client::sign_in(&desk, "head").await;
    let version = report_version(&desk.store, 2026).await;
    let signed = head
        .post("/staff/agencies/SFJ/reports/2026", &[("version", &version), ("action", "sign")])
        .await;
    assert!(signed.text().contains("已签发"), "{}", signed.text());
    let version = report_version(&desk.store, 2026).await;
    let published = clerk
        .post("/staff/agencies/SFJ/reports/2026", &[("version", &version), ("action", "publish")])
        .await;
    assert!(published.text().contains("已公开"), "{}", published.text());
    let mut public = Client::new(&desk);
    let archive = public.get("/agencies/SFJ/reports").await;
    assert!(archive.text().contains("2026"), "{}", archive.text());
    let html = public.get("/agencies/SFJ/reports/2026.html").await;
    assert_eq!(html.status, StatusCode::OK);
    let html = html.text();
    for name in ["陈局长", "赵审核", "王经办", "0577-88367543", "一是主动公开的及时性有待提高"]
    {
        assert!(html.contains(name), "{name} in the published report");
    }
}

#[tokio::test]
async fn the_preparer_cannot_sign_their_own_report() {
    let desk = desk("ownreport").await;
    // The head is also a clerk of the bureau: they may prepare, but then neither review nor sign.
    let mut head = Client::sign_in(&desk, "head").await;
    head.post(
        "/staff/agencies/SFJ/reports/2026",
        &[("version", "0"), ("action", "submit"), ("phone", "0577-1")],
    )
    .await;
    let mut reviewer = Client::sign_in(&desk, "reviewer").await;
    let version = report_version(&desk.store, 2026).await;
    reviewer
        .post("/staff/agencies/SFJ/reports/2026", &[("version", &version), ("action", "approve")])
        .await;
    let version = report_version(&desk.store, 2026).await;
    let own = head
        .post("/staff/agencies/SFJ/reports/2026", &[("version", &version), ("action", "sign")])
        .await;
    assert_eq!(own.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(own.text().contains("填报人不能签发自己填报的报告"), "{}", own.text());
}

/// Publishes an item in SFJ through the form; returns its id.
async fn publish_one(client: &mut Client, title: &str) -> String {
    let answer = client
        .post(
            "/staff/agencies/SFJ/items/new",
            &[
                ("title", title),
                ("category", "通知公告"),
                ("formed", "2026-11-16"),
                ("published", "2026-11-18"),
                ("validity", "有效"),
                ("website", "on"),
                ("website_on", "2026-11-18"),
            ],
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    let text = answer.text();
    let start = text.find(r#"action="/staff/items/"#).expect("the edit form of the new item") + 21;
    text[start..].split('"').next().unwrap().to_owned()
}

#[tokio::test]
async fn a_clerk_publishes_edits_attaches_and_withdraws_items() {
    let desk = desk("publishing").await;
    let mut clerk = Client::sign_in(&desk, "clerk1").await;
    let form = clerk.get("/staff/agencies/SFJ/items/new").await;
    assert_eq!(form.status, StatusCode::OK);

    // Bad input comes back next to the fields, input kept.
    let bad = clerk
        .post(
            "/staff/agencies/SFJ/items/new",
            &[
                ("title", ""),
                ("category", "通知公告"),
                ("summary", "保留的概述"),
                ("published", "2026-11-18"),
                ("validity", "有效"),
                ("website", "on"),
                ("website_on", "2026-11-17"),
                ("normative", "on"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let text = bad.text();
    for message in
        ["请填写标题", "政府网站的发布日期不能早于发布日期", "规范性文件须填写文号", "保留的概述"]
    {
        assert!(text.contains(message), "{message}: {text}");
    }

    // Formed 2026-10-12, published 2026-11-18: more than 20 working days → the art. 26 warning.
    let published = clerk
        .post(
            "/staff/agencies/SFJ/items/new",
            &[
                ("title", "温州市司法局关于开展2026年度人民调解员培训的通知"),
                ("category", "通知公告"),
                ("doc_number", "温司发〔2026〕18号"),
                ("normative", "on"),
                ("formed", "2026-10-12"),
                ("published", "2026-11-18"),
                ("validity", "有效"),
                ("website", "on"),
                ("website_on", "2026-11-18"),
                ("wechat", "on"),
                ("wechat_on", "2026-11-19"),
            ],
        )
        .await;
    assert_eq!(published.status, StatusCode::OK, "{}", published.text());
    let text = published.text();
    assert!(text.contains("已发布，索引号 SFJ/2026-00001"), "{text}");
    assert!(text.contains("第二十六条规定的20个工作日"), "{text}");
    let start = text.find(r#"action="/staff/items/"#).unwrap() + 21;
    let id = text[start..].split('"').next().unwrap().to_owned();
    let second = publish_one(&mut clerk, "关于2026年法律援助工作的通知").await;
    let second_page = clerk.get(&format!("/staff/items/{second}")).await.text();
    assert!(second_page.contains("SFJ/2026-00002"), "serials run on");
    assert!(!second_page.contains("第二十六条规定的20个工作日"));

    // On the portal with both channels; a normative document is registered for the report.
    let mut public = Client::new(&desk);
    let page = public.get(&format!("/items/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("温司发〔2026〕18号"));
    let records = gongkai_store::records::load(&desk.store, "SFJ").await.unwrap();
    assert_eq!(records.normative_documents.len(), 1);
    let item = records.catalog.iter().find(|item| item.title.contains("人民调解员培训")).unwrap();
    assert_eq!(item.channels.len(), 2);

    // Edit against the version: a stale form is refused with both edits kept apart.
    let stale = clerk
        .post(
            &format!("/staff/items/{id}"),
            &[
                ("version", "0"),
                ("title", "改过的标题"),
                ("category", "通知公告"),
                ("published", "2026-11-18"),
                ("validity", "有效"),
                ("website", "on"),
                ("website_on", "2026-11-18"),
            ],
        )
        .await;
    assert_eq!(stale.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(stale.text().contains("已被他人修改"), "{}", stale.text());
    let (_, version) =
        gongkai_store::publishing::owner(&desk.store, id.parse().unwrap()).await.unwrap().unwrap();
    let edited = clerk
        .post(
            &format!("/staff/items/{id}"),
            &[
                ("version", &version.to_string()),
                ("title", "温州市司法局关于开展2026年度人民调解员培训的通知（修订）"),
                ("category", "通知公告"),
                ("doc_number", "温司发〔2026〕18号"),
                ("normative", "on"),
                ("repealed", "2026-11-20"),
                ("formed", "2026-11-16"),
                ("published", "2026-11-18"),
                ("validity", "废止"),
                ("website", "on"),
                ("website_on", "2026-11-18"),
                ("gazette", "on"),
                ("gazette_on", "2026-11-20"),
            ],
        )
        .await;
    assert!(edited.text().contains("已保存"), "{}", edited.text());
    let records = gongkai_store::records::load(&desk.store, "SFJ").await.unwrap();
    assert_eq!(records.normative_documents[0].repealed, Some(date!(2026 - 11 - 20)));

    // Attach a PDF; a script is refused.
    let attached = clerk
        .upload(
            &format!("/staff/items/{id}/attachments"),
            &[],
            "file",
            "培训安排.pdf",
            b"%PDF-1.4 test",
        )
        .await;
    assert!(attached.text().contains("已上传附件“培训安排.pdf”"), "{}", attached.text());
    let refused = clerk
        .upload(&format!("/staff/items/{id}/attachments"), &[], "file", "run.sh", b"#!/bin/sh")
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Bulk edit of both items.
    let bulk = clerk
        .post(
            "/staff/agencies/SFJ/items/bulk",
            &[("ids", &id), ("ids", &second), ("field", "category"), ("value", "培训通知")],
        )
        .await;
    assert!(bulk.text().contains("已修改2条信息"), "{}", bulk.text());

    // Withdraw: the portal answers 410.
    let withdrawn = clerk.post(&format!("/staff/items/{second}/withdraw"), &[]).await;
    assert_eq!(withdrawn.status, StatusCode::SEE_OTHER);
    assert_eq!(public.get(&format!("/items/{second}")).await.status, StatusCode::GONE);

    // Staff of another agency cannot attach to it.
    let mut other = Client::sign_in(&desk, "other").await;
    let foreign = other
        .upload(&format!("/staff/items/{id}/attachments"), &[], "file", "x.pdf", b"%PDF")
        .await;
    assert_eq!(foreign.status, StatusCode::FORBIDDEN);
}

/// The id of the first review in the ledger page's decide forms.
fn first_review_id(page: &str) -> String {
    let marker = r#"name="kind" value="review"><input type="hidden" name="id" value=""#;
    let start = page.find(marker).expect("a review to decide") + marker.len();
    page[start..].split('"').next().unwrap().to_owned()
}

#[tokio::test]
async fn the_rest_of_the_year_is_recorded_and_reaches_the_report() {
    let desk = desk("ledger").await;
    let tracking = online_application(&desk.store, "SFJ", date!(2026 - 03 - 02)).await;
    let mut clerk = Client::sign_in(&desk, "clerk1").await;
    let page = clerk.get("/staff/agencies/SFJ/ledger").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("行政许可"), "declarable cells come from the format");

    let unknown = clerk
        .post(
            "/staff/agencies/SFJ/ledger",
            &[("form", "review"), ("application", "YSQ2026999999"), ("day", "2026-05-06")],
        )
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unknown.text().contains("没有申请编号为“YSQ2026999999”的申请"), "{}", unknown.text());
    assert!(unknown.text().contains(r#"value="YSQ2026999999""#), "input kept");
    for fields in [
        vec![("form", "review"), ("application", tracking.as_str()), ("day", "2026-05-06")],
        vec![
            ("form", "lawsuit"),
            ("application", tracking.as_str()),
            ("after_review", "on"),
            ("day", "2026-07-01"),
        ],
        vec![
            ("form", "response"),
            ("kind", "press_conference"),
            ("topic", "法律援助新政"),
            ("head_attended", "on"),
            ("day", "2026-06-01"),
        ],
        vec![("form", "complaint"), ("summary", "某局未按时答复"), ("day", "2026-04-01")],
        vec![("form", "meeting"), ("title", "政务公开工作推进会"), ("day", "2026-02-10")],
        vec![
            ("form", "training"),
            ("title", "政府信息公开条例培训"),
            ("trainees", "35"),
            ("day", "2026-03-10"),
        ],
        vec![("form", "staff"), ("label", "王经办"), ("full_time", "on"), ("day", "2026-01-01")],
        vec![("form", "funding"), ("amount", "3.5")],
        vec![
            ("form", "declared"),
            ("measure", "declared.licensing.decisions"),
            ("value", "128"),
            ("source", "省政务服务网"),
        ],
    ] {
        let answer = clerk.post("/staff/agencies/SFJ/ledger", &fields).await;
        assert_eq!(answer.status, StatusCode::OK, "{fields:?}: {}", answer.text());
        assert!(answer.text().contains("已登记"), "{fields:?}");
    }
    let bad = clerk
        .post(
            "/staff/agencies/SFJ/ledger",
            &[("form", "declared"), ("measure", "app.total"), ("value", "1"), ("source", "x")],
        )
        .await;
    assert_eq!(
        bad.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "only cells from other systems are declared"
    );

    // The review is decided later.
    let records = gongkai_store::records::load(&desk.store, "SFJ").await.unwrap();
    assert_eq!(records.reviews.len(), 1);
    assert_eq!(records.lawsuits.len(), 1);
    let page = clerk.get("/staff/agencies/SFJ/ledger").await.text();
    let review_id = first_review_id(&page);
    let decided = clerk
        .post(
            "/staff/agencies/SFJ/ledger",
            &[
                ("form", "decide"),
                ("kind", "review"),
                ("id", &review_id),
                ("result", "upheld"),
                ("day", "2026-08-01"),
            ],
        )
        .await;
    assert!(decided.text().contains("结果：维持（驳回）（2026-08-01）"), "{}", decided.text());
    assert!(decided.text().contains("新闻发布会：法律援助新政（主要负责人参加）"));
    assert!(decided.text().contains("行政许可：本年处理决定数量（件）＝128"), "{}", decided.text());

    // The report of the year counts them.
    let records = gongkai_store::records::load(&desk.store, "SFJ").await.unwrap();
    let report = gongkai_core::report::build(
        &records,
        2026,
        None,
        gongkai_core::calendar::Calendar::builtin(),
    )
    .unwrap();
    let json = serde_json::to_string(&report.values).unwrap();
    assert!(json.contains("128"), "declared licensing decisions in the table");
    assert!(records.trainings.iter().any(|training| training.trainees == 35));
    assert_eq!(records.declared.len(), 1);
}

#[tokio::test]
async fn the_supervisor_sees_the_region() {
    let desk = desk("region").await;
    // An application of the finance bureau left unanswered since September: overdue on 2026-11-20.
    let late = online_application(&desk.store, "CZJ", date!(2026 - 09 - 01)).await;
    online_application(&desk.store, "SFJ", date!(2026 - 11 - 16)).await;
    let mut supervisor = Client::sign_in(&desk, "sup").await;
    let page = supervisor.get("/staff/agencies/ZF/region").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    let text = page.text();
    assert!(text.contains("2025年度报告：3个单位，已公开0个，逾期未公开3个"), "{text}");
    assert!(text.contains(&late), "the overdue application is listed: {text}");
    assert!(text.contains("本区域超期未答复的申请（1）"), "{text}");
    // The supervisor opens it (masked) but cannot handle it.
    let case = supervisor.get(&format!("/staff/cases/{late}")).await;
    assert_eq!(case.status, StatusCode::OK);
    assert!(!case.text().contains("form-reply"));
    let rollup = supervisor.get("/staff/agencies/ZF/region/2026/report").await;
    assert_eq!(rollup.status, StatusCode::OK);
    let html = rollup.text();
    assert!(html.contains("温州市人民政府（汇总）"), "{html}");
    // A department's clerk does not supervise.
    let mut clerk = Client::sign_in(&desk, "clerk1").await;
    assert_eq!(clerk.get("/staff/agencies/ZF/region").await.status, StatusCode::FORBIDDEN);
    assert_eq!(clerk.get("/staff/agencies/SFJ/region").await.status, StatusCode::FORBIDDEN);
}

/// The reply categories on a case page's reply form, in order.
fn reply_categories(page: &str) -> Vec<String> {
    let start = page.find(r#"<select id="reply-outcome""#).expect("the reply form");
    let select = &page[start..start + page[start..].find("</select>").unwrap()];
    select
        .split(r#"value=""#)
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .filter(|value| !value.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The report row a reply category is counted in (2021 format, 三、收到和处理政府信息公开申请情况),
/// written out here from the format's labels rather than taken from the engine.
fn report_row(category: &str) -> &str {
    match category {
        "already_published" => "disclosed",
        "withheld.trade_secret" | "withheld.privacy" | "withheld.third_party" => {
            "withheld.third_party"
        }
        "not_this_agency" => "unavailable.not_held",
        other => other,
    }
}

#[tokio::test]
async fn a_year_at_the_bureau_ends_in_a_signed_report_that_matches_the_records() {
    let clock = Arc::new(Mutex::new(date!(2025 - 01 - 06)));
    let desk = desk_on("year", Arc::clone(&clock)).await;
    let set = |day: time::Date| *clock.lock().unwrap() = day;
    let calendar = Calendar::builtin();
    let working =
        |day: time::Date| calendar.add_working_days(day, 1).unwrap().previous_day().unwrap();
    let mut clerk = Client::sign_in(&desk, "clerk1").await;
    let mut head = Client::sign_in(&desk, "head").await;

    // Publications on several channels through the year.
    let items = [
        (
            "温州市司法局2025年度普法依法治理工作要点",
            "2025-02-20",
            "2025-02-24",
            ["website", "wechat"],
        ),
        (
            "温州市司法局关于公布法律援助联系点的公告",
            "2025-05-06",
            "2025-05-08",
            ["website", "weibo"],
        ),
        (
            "温州市司法局2025年上半年行政执法数据",
            "2025-07-10",
            "2025-07-15",
            ["website", "gazette"],
        ),
    ];
    for (title, formed, published, channels) in items {
        set(time::Date::parse(
            published,
            &time::macros::format_description!("[year]-[month]-[day]"),
        )
        .unwrap());
        let mut fields = vec![
            ("title", title),
            ("category", "通知公告"),
            ("formed", formed),
            ("published", published),
            ("validity", "有效"),
        ];
        let dates: Vec<String> = channels.iter().map(|code| format!("{code}_on")).collect();
        for (code, date_field) in channels.iter().zip(&dates) {
            fields.push((code, "on"));
            fields.push((date_field, published));
        }
        let answer = clerk.post("/staff/agencies/SFJ/items/new", &fields).await;
        assert_eq!(answer.status, StatusCode::OK, "{title}: {}", answer.text());
        assert!(answer.text().contains("已发布，索引号"), "{title}");
    }

    // One application for every reply category the case page offers, received in turn in person, by
    // post, by letter, by fax and online, from every type of applicant; each replied to two working days
    // after receipt. Two get more steps: an extension approved by the head, a third party consulted.
    let channels = ["in-person", "post", "letter", "fax", "online"];
    let applicants =
        ["natural", "business", "research", "public_interest", "legal_service", "other_org"];
    let column = |applicant: &str| applicant.to_owned();
    let mut expected: HashMap<String, i64> = HashMap::new();
    let mut count = |row: &str, applicant: &str| {
        for key in [format!("{row}.{}", column(applicant)), format!("{row}.all")] {
            *expected.entry(key).or_default() += 1;
        }
    };
    let mut day = working(date!(2025 - 02 - 10));
    let register = async |clerk: &mut Client, day: time::Date, n: usize| {
        set(day);
        let channel = channels[n % channels.len()];
        let applicant = applicants[n % applicants.len()];
        let (id_type, id_number) = if applicant == "natural" {
            ("居民身份证", "11010519491231002X")
        } else {
            ("统一社会信用代码", "91350100M000100Y43")
        };
        let day_text = day.to_string();
        let answer = clerk
            .post(
                "/staff/agencies/SFJ/register",
                &[
                    ("channel", channel),
                    ("submitted", &day_text),
                    ("signed_for", if channel == "post" { &day_text } else { "" }),
                    (
                        "confirmed",
                        if ["letter", "fax", "online"].contains(&channel) { &day_text } else { "" },
                    ),
                    ("applicant_type", applicant),
                    ("name", if applicant == "natural" { "李四" } else { "温州某某有限公司" }),
                    ("id_type", id_type),
                    ("id_number", id_number),
                    ("phone", "13900139000"),
                    ("address", "温州市瓯海区某街2号"),
                    ("description", "2024年度全市公共法律服务经费使用情况"),
                    ("delivery_form", "邮寄纸质文本"),
                ],
            )
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{channel} on {day}: {}", answer.text());
        let text = answer.text();
        assert!(text.contains(&day_text), "received the same day ({channel}): {text}");
        let tracking = text.split("<strong>").nth(1).unwrap().split("</strong>").next().unwrap();
        (tracking.to_owned(), applicant)
    };
    let first = register(&mut clerk, day, 0).await.0;
    let categories = reply_categories(&clerk.get(&format!("/staff/cases/{first}")).await.text());
    assert_eq!(categories.len(), 23, "every 2019 category: {categories:?}");
    let mut tracking_numbers = Vec::new();
    for (n, category) in categories.iter().enumerate() {
        let (tracking, applicant) = if n == 0 {
            (first.clone(), applicants[0])
        } else {
            register(&mut clerk, day, n).await
        };
        if category == "disclosed" {
            let asked = clerk
                .step(
                    &tracking,
                    &[
                        ("action", "extension_request"),
                        ("on", &day.to_string()),
                        ("reason", "需要调取历年档案核对"),
                        ("working_days", "10"),
                    ],
                )
                .await;
            assert_eq!(asked.status, StatusCode::SEE_OTHER, "{}", asked.text());
            let approved = head
                .step(
                    &tracking,
                    &[
                        ("action", "extension_decide"),
                        ("on", &day.to_string()),
                        ("decision", "approve"),
                    ],
                )
                .await;
            assert_eq!(approved.status, StatusCode::SEE_OTHER, "{}", approved.text());
        }
        let reply_on = calendar.add_working_days(day, 2).unwrap();
        if category == "withheld.trade_secret" {
            let next = calendar.add_working_days(day, 1).unwrap();
            set(next);
            let sent = clerk
                .step(
                    &tracking,
                    &[
                        ("action", "consult"),
                        ("party", "third_party"),
                        ("consulted", "温州某某科技有限公司"),
                        ("on", &day.to_string()),
                    ],
                )
                .await;
            assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.text());
            let answered = clerk
                .step(
                    &tracking,
                    &[
                        ("action", "consult_answered"),
                        ("opinion", "disagree"),
                        ("on", &next.to_string()),
                    ],
                )
                .await;
            assert_eq!(answered.status, StatusCode::SEE_OTHER, "{}", answered.text());
        }
        set(reply_on);
        let replied = clerk
            .step(
                &tracking,
                &[
                    ("action", "reply"),
                    ("outcome", category),
                    ("access", "随本答复书邮寄"),
                    ("withheld_parts", "涉及第三方的内容"),
                    ("reasons", "依据《条例》相关规定"),
                    ("responsible", if category == "not_this_agency" { "CZJ" } else { "" }),
                    ("method", "post"),
                    ("on", &reply_on.to_string()),
                ],
            )
            .await;
        assert_eq!(replied.status, StatusCode::SEE_OTHER, "{category}: {}", replied.text());
        count(&format!("app.result.{}", report_row(category)), applicant);
        count("app.new", applicant);
        tracking_numbers.push(tracking);
        day = working(day + time::Duration::days(7));
    }

    // 补正 not answered, and a fee not paid: both end as 其他处理 once the time has run out.
    let n = categories.len();
    let (unanswered, applicant) = register(&mut clerk, day, n).await;
    let answer = clerk
        .step(
            &unanswered,
            &[
                ("action", "supplement"),
                ("on", &day.to_string()),
                ("items", "请明确所需信息的年份"),
                ("reply_by", &calendar.add_working_days(day, 10).unwrap().to_string()),
            ],
        )
        .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.text());
    count("app.result.other.no_supplement", applicant);
    count("app.new", applicant);
    let (unpaid, fee_applicant) = register(&mut clerk, day, n + 1).await;
    let answer = clerk
        .step(
            &unpaid,
            &[
                ("action", "fee"),
                ("on", &day.to_string()),
                ("basis", "per_volume"),
                ("pages", "250"),
            ],
        )
        .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.text());
    count("app.result.other.fee_not_paid", fee_applicant);
    count("app.new", fee_applicant);
    set(calendar.add_working_days(day, 25).unwrap());
    for tracking in [&unanswered, &unpaid] {
        let closed = clerk.step(tracking, &[("action", "close")]).await;
        assert_eq!(closed.status, StatusCode::SEE_OTHER, "{tracking}: {}", closed.text());
    }

    // A review and a lawsuit about two of the replies; the review is decided within the year.
    set(date!(2025 - 10 - 15));
    for fields in [
        vec![
            ("form", "review"),
            ("application", tracking_numbers[2].as_str()),
            ("day", "2025-09-01"),
        ],
        vec![
            ("form", "lawsuit"),
            ("application", tracking_numbers[3].as_str()),
            ("day", "2025-10-10"),
        ],
    ] {
        let answer = clerk.post("/staff/agencies/SFJ/ledger", &fields).await;
        assert!(answer.text().contains("已登记"), "{fields:?}: {}", answer.text());
    }
    let page = clerk.get("/staff/agencies/SFJ/ledger").await.text();
    let review_id = first_review_id(&page);
    let decided = clerk
        .post(
            "/staff/agencies/SFJ/ledger",
            &[
                ("form", "decide"),
                ("kind", "review"),
                ("id", &review_id),
                ("result", "corrected"),
                ("day", "2025-10-15"),
            ],
        )
        .await;
    assert!(decided.text().contains("（2025-10-15）"), "{}", decided.text());

    // An application received just before the year's end is carried over.
    let (carried, applicant) = register(&mut clerk, working(date!(2025 - 12 - 29)), n + 2).await;
    count("app.new", applicant);
    count("app.carried_out", applicant);

    // January: the clerk submits the year's report, the reviewer approves, the head signs and publishes.
    set(date!(2026 - 01 - 12));
    let dashboard = clerk.get("/staff/agencies/SFJ").await.text();
    assert!(dashboard.contains("2025年度政府信息公开工作年度报告应于2026-01-31前"), "{dashboard}");
    assert!(dashboard.contains(&carried), "the carried-over application is open: {dashboard}");
    let page = clerk.get("/staff/agencies/SFJ/reports/2025").await.text();
    assert!(page.contains("没有发现矛盾"), "no findings: {page}");
    let version = report_version(&desk.store, 2025).await;
    let submitted = clerk
        .post(
            "/staff/agencies/SFJ/reports/2025",
            &[("version", &version), ("action", "submit"), ("phone", "0577-88367543")],
        )
        .await;
    assert!(submitted.text().contains("已提交审核"), "{}", submitted.text());
    let mut reviewer = Client::sign_in(&desk, "reviewer").await;
    let version = report_version(&desk.store, 2025).await;
    let approved = reviewer
        .post("/staff/agencies/SFJ/reports/2025", &[("version", &version), ("action", "approve")])
        .await;
    assert!(approved.text().contains("已审核通过"), "{}", approved.text());
    let version = report_version(&desk.store, 2025).await;
    let signed = head
        .post("/staff/agencies/SFJ/reports/2025", &[("version", &version), ("action", "sign")])
        .await;
    assert!(signed.text().contains("已签发"), "{}", signed.text());
    let version = report_version(&desk.store, 2025).await;
    let published = head
        .post("/staff/agencies/SFJ/reports/2025", &[("version", &version), ("action", "publish")])
        .await;
    assert!(published.text().contains("已公开"), "{}", published.text());

    // The signed report says what the records say: the test's own tally of what it did, cell by cell.
    let records = gongkai_store::records::load(&desk.store, "SFJ").await.unwrap();
    let (measures, extras) = gongkai_core::report::derive::measures(&records, 2025, calendar);
    assert!(extras.record_problems.is_empty(), "{:?}", extras.record_problems);
    for (key, count) in &expected {
        assert_eq!(measures.get(key), Some(Quantity::count(*count)), "{key}");
    }
    let total = categories.len() as i64 + 3;
    assert_eq!(measures.get("app.new.all"), Some(Quantity::count(total)));
    assert_eq!(measures.get("app.result.total.all"), Some(Quantity::count(total - 1)));
    assert_eq!(measures.get("review.corrected"), Some(Quantity::count(1)));
    assert_eq!(measures.get("suit.direct.pending"), Some(Quantity::count(1)));
    // The figures drill down to the records: the preview's cells link to the applications counted.
    let preview = clerk.get("/staff/agencies/SFJ/reports/2025/preview").await.text();
    let link = "/staff/agencies/SFJ/reports/2025/cells/t3/new/total";
    assert!(preview.contains(&format!(r#"<a href="{link}">{total}</a>"#)), "{preview}");
    let cell = clerk.get(link).await;
    assert_eq!(cell.status, StatusCode::OK);
    let cell = cell.text();
    for tracking in tracking_numbers.iter().chain([&unanswered, &unpaid, &carried]) {
        assert!(cell.contains(&format!(r#"<a href="/staff/cases/{tracking}">"#)), "{tracking}");
    }
    assert_eq!(cell.matches(r#"<a href="/staff/cases/"#).count(), total as usize);
    let carried_cell =
        clerk.get("/staff/agencies/SFJ/reports/2025/cells/t3/carried_out/total").await.text();
    assert_eq!(carried_cell.matches(r#"<a href="/staff/cases/"#).count(), 1, "{carried_cell}");
    assert!(carried_cell.contains(&carried));
    let built = gongkai_core::report::build(&records, 2025, None, calendar).unwrap();
    assert!(built.findings.is_empty(), "{:?}", built.findings);
    let mut public = Client::new(&desk);
    let html = public.get("/agencies/SFJ/reports/2025.html").await;
    assert_eq!(html.status, StatusCode::OK);
    let html = html.text();
    for name in ["陈局长", "赵审核", "王经办", "0577-88367543"] {
        assert!(html.contains(name), "{name} in the published report");
    }
    assert!(html.contains(&format!(">{total}<")), "{total} new applications in the table");
}

/// The dashboard's lists are reused between requests only while nothing changed: a new application, a
/// step, and a new day each show at once.
#[tokio::test]
async fn the_dashboard_follows_every_change() {
    let clock = Arc::new(Mutex::new(date!(2026 - 11 - 20)));
    let desk = desk_on("dashboard", Arc::clone(&clock)).await;
    let set = |day: time::Date| *clock.lock().unwrap() = day;
    // Received Monday 2026-11-02, due 20 working days later: Monday 2026-11-30.
    let first = online_application(&desk.store, "SFJ", date!(2026 - 11 - 02)).await;
    let mut clerk = Client::sign_in(&desk, "clerk1").await;
    let page = clerk.get("/staff/agencies/SFJ").await.text();
    assert!(page.contains("全部在办（1）") && page.contains("3个工作日内到期（0）"), "{page}");
    assert!(clerk.get("/staff/agencies/SFJ").await.text().contains(&first), "served again");
    set(date!(2026 - 11 - 26));
    let page = clerk.get("/staff/agencies/SFJ").await.text();
    assert!(page.contains("3个工作日内到期（1）"), "a new day: {page}");
    let second = online_application(&desk.store, "SFJ", date!(2026 - 11 - 26)).await;
    let page = clerk.get("/staff/agencies/SFJ").await.text();
    assert!(page.contains("全部在办（2）") && page.contains(&second), "a new application: {page}");
    let replied = clerk
        .step(
            &first,
            &[
                ("action", "reply"),
                ("outcome", "disclosed"),
                ("access", "电子邮件"),
                ("method", "online"),
                ("on", "2026-11-26"),
            ],
        )
        .await;
    assert_eq!(replied.status, StatusCode::SEE_OTHER, "{}", replied.text());
    let page = clerk.get("/staff/agencies/SFJ").await.text();
    assert!(page.contains("全部在办（1）") && !page.contains(&first), "a reply: {page}");
    assert!(page.contains("3个工作日内到期（0）"), "{page}");
    set(date!(2026 - 12 - 29));
    let page = clerk.get("/staff/agencies/SFJ").await.text();
    assert!(page.contains("已超期（1）"), "overdue on a later day: {page}");
}

#[tokio::test]
async fn a_report_uploaded_for_audit_shows_its_findings_in_table_and_text() {
    let desk = desk("report-audit").await;
    let mut staff = Client::sign_in(&desk, "clerk1").await;
    let page = staff.get("/staff/audit").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("年度报告核查"));
    let report = gongkai_core::report::build(
        &gongkai_demo::wenzhou_justice(),
        2021,
        None,
        gongkai_core::calendar::Calendar::builtin(),
    )
    .unwrap();
    // A report gongkai made: no findings.
    let docx = gongkai_render::render(&report, gongkai_render::Output::Docx).unwrap();
    let clean = staff.upload("/staff/audit", &[], "file", "report.docx", &docx).await;
    assert_eq!(clean.status, StatusCode::OK, "{}", clean.text());
    assert!(clean.text().contains("发现问题0项"), "{}", clean.text());
    assert!(clean.text().contains("统计表符合格式的全部勾稽关系"));
    // A figure of the text changed and a cell of table 三 changed: both flagged where they are.
    let text =
        String::from_utf8(gongkai_render::render(&report, gongkai_render::Output::Text).unwrap())
            .unwrap();
    let tampered = text.replacen("本机关新收政府信息公开申请", "本机关新收政府信息公开申请1", 1);
    let flagged =
        staff.upload("/staff/audit", &[], "file", "report.txt", tampered.as_bytes()).await;
    assert_eq!(flagged.status, StatusCode::OK);
    let body = flagged.text();
    assert!(body.contains("发现问题1项"), "{body}");
    assert!(body.contains("<mark>"), "the sentence is marked");
    assert!(body.contains(r#"class="flag""#), "the cell is marked");
    // Nothing given, or not a report: the form again with the reason.
    let empty = staff.upload("/staff/audit", &[], "file", "", b"").await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.text().contains("请上传报告文件，或粘贴报告全文"));
    let letter = staff
        .upload(
            "/staff/audit",
            &[],
            "file",
            "letter.txt",
            "关于某事的复函\n经研究，答复如下。".as_bytes(),
        )
        .await;
    assert_eq!(letter.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(letter.text().contains("未在报告中找到政府信息公开情况统计表"));
}

/// `report` (gongkai's text rendering: a row's cells one per line after its label, a blank line after the
/// row) with the first and the last value of the row labelled `label` raised by one.
fn raise_row(report: &str, label: &str) -> String {
    let mut lines: Vec<String> = report.lines().map(str::to_owned).collect();
    let at = lines.iter().position(|line| line.trim() == label).unwrap();
    let end = at + 1 + lines[at + 1..].iter().position(|line| line.trim().is_empty()).unwrap();
    for index in [at + 1, end - 1] {
        let value: u64 = lines[index].trim().parse().unwrap();
        lines[index] = format!("\t{}", value + 1);
    }
    lines.join("\n") + "\n"
}

/// A supervisor uploads a region's reports at once: one line per report (read or why not), the findings of
/// each, the carry-over between an agency's consecutive years, the prose of a report whose table is not read
/// checked alone, and the same as CSV.
#[tokio::test]
async fn many_reports_uploaded_at_once_are_audited_as_a_batch_with_a_csv() {
    let desk = desk("report-audit-batch").await;
    let mut staff = Client::sign_in(&desk, "clerk1").await;
    let calendar = gongkai_core::calendar::Calendar::builtin();
    let records = gongkai_demo::wenzhou_justice();
    let text = |year| {
        let report = gongkai_core::report::build(&records, year, None, calendar).unwrap();
        String::from_utf8(gongkai_render::render(&report, gongkai_render::Output::Text).unwrap())
            .unwrap()
    };
    let (last, this) = (text(2021), text(2022));
    // 2021's 结转下年度 raised by one application of a 自然人 (and its 总计): 2022's 上年结转 no longer
    // carries it on, which only the two reports together show.
    let last = raise_row(&last, "四、结转下年度继续办理");
    let notes_only = "某某局2022年政府信息公开工作年度报告\n\
                      共公布政府信息100条（其中机构职能类10条，政策文件类20条，规划计划类30条，其他信息30条）。";
    let batch = [
        ("2021.txt", last.as_bytes()),
        ("2022.txt", this.as_bytes()),
        ("notes.txt", notes_only.as_bytes()),
        ("broken.pdf", b"%PDF-1.7\n1 0 obj\n".as_slice()),
    ];
    let page = staff.upload_files("/staff/audit", &[], "file", &batch).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    let body = page.text();
    assert!(body.contains("批量核查结果（4份）"), "{body}");
    assert!(body.contains("已读取统计表"), "{body}");
    assert!(body.contains("该 PDF 文件不完整"), "the truncated PDF says why: {body}");
    assert!(body.contains("未在报告中找到政府信息公开情况统计表"), "{body}");
    assert!(
        body.contains("“其中”所列4项之和为90条"),
        "the prose of the notes checked alone: {body}"
    );
    assert!(body.contains("与2021年报告核对"), "2022 against 2021's carry-over: {body}");
    let csv = staff.upload_files("/staff/audit", &[("output", "csv")], "file", &batch).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert_eq!(csv.headers[header::CONTENT_TYPE], "text/csv; charset=utf-8");
    let csv_text = csv.text();
    assert!(csv_text.starts_with('\u{feff}'), "a BOM for spreadsheets");
    let lines = |file: &str, word: &str| {
        csv_text.lines().filter(|line| line.starts_with(file) && line.contains(word)).count()
    };
    assert_eq!(lines("2022.txt,", "t3.carry_over"), 2, "a line per finding: {csv_text}");
    assert_eq!(lines("broken.pdf,", "该 PDF 文件不完整"), 1, "a line for a report not read");
    assert!(
        csv_text
            .lines()
            .any(|line| line.starts_with("notes.txt,") && line.contains("prose.parts_sum"))
    );
    // More than the most one upload may hold: refused whole, with the limit.
    let many: Vec<(&str, &[u8])> = (0..51).map(|_| ("2021.txt", last.as_bytes())).collect();
    let refused = staff.upload_files("/staff/audit", &[], "file", &many).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().contains("一次最多核查50份报告"), "{}", refused.text());
}

/// An agency's admin manages its own staff: adds a clerk (account and role at once), grants and revokes the
/// agency's roles, resets the password only of someone who works nowhere else; never a role outside the
/// agency's four, never another agency's staff. A clerk cannot open the page.
#[tokio::test]
async fn an_agency_admin_manages_only_its_own_staff() {
    let desk = desk("agency-admin").await;
    let mut clerk = Client::sign_in(&desk, "clerk1").await;
    assert_eq!(clerk.get("/staff/agencies/SFJ/staff").await.status, StatusCode::FORBIDDEN);

    let mut admin = Client::sign_in(&desk, "sfjadmin").await;
    let dashboard = admin.get("/staff/agencies/SFJ").await.text();
    assert!(dashboard.contains("/staff/agencies/SFJ/staff"), "the dashboard links to the page");
    let page = admin.get("/staff/agencies/SFJ/staff").await;
    assert_eq!(page.status, StatusCode::OK);
    let text = page.text();
    assert!(text.contains("王经办") && !text.contains("财政局经办"), "only this agency's staff");
    assert!(!text.contains("value=\"supervisor\""), "only the agency's roles are offered");

    let at = "/staff/agencies/SFJ/staff";
    let added = admin
        .post(
            at,
            &[
                ("action", "add_user"),
                ("username", "clerk3"),
                ("display_name", "孙经办"),
                ("password", "a long enough password"),
                ("role", "clerk"),
            ],
        )
        .await;
    assert_eq!(added.status, StatusCode::OK, "{}", added.text());
    let user = users::find(&desk.store, "clerk3").await.unwrap().unwrap();
    assert_eq!(user.roles, vec![(Some("SFJ".to_owned()), "clerk".to_owned())]);
    // Signs in and works at once.
    let mut new_clerk = Client::sign_in_with(&desk, "clerk3", "a long enough password").await;
    assert_eq!(new_clerk.get("/staff/agencies/SFJ/register").await.status, StatusCode::OK);

    let granted =
        admin.post(at, &[("action", "grant"), ("username", "clerk3"), ("role", "reviewer")]).await;
    assert_eq!(granted.status, StatusCode::OK);
    let revoked =
        admin.post(at, &[("action", "revoke"), ("username", "clerk3"), ("role", "reviewer")]).await;
    assert_eq!(revoked.status, StatusCode::OK);
    assert_eq!(users::find(&desk.store, "clerk3").await.unwrap().unwrap().roles.len(), 1);

    // Refused, with the reason next to the form and nothing changed.
    for (fields, reason) in [
        (vec![("action", "grant"), ("username", "clerk3"), ("role", "supervisor")], "本单位的角色"),
        (
            vec![("action", "grant"), ("username", "clerk3"), ("role", "platform_admin")],
            "本单位的角色",
        ),
        (
            vec![
                ("action", "reset_password"),
                ("username", "other"),
                ("password", "another long password"),
            ],
            "联系平台管理员",
        ),
        (vec![("action", "disable"), ("username", "admin")], "联系平台管理员"),
        (
            vec![("action", "revoke"), ("username", "sfjadmin"), ("role", "agency_admin")],
            "不能收回自己",
        ),
        (vec![("action", "add_agency"), ("code", "X"), ("name", "某局")], "未知的操作"),
    ] {
        let answer = admin.post(at, &fields).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{fields:?}");
        assert!(answer.text().contains(reason), "{fields:?}: {}", answer.text());
    }
    assert_eq!(users::find(&desk.store, "clerk3").await.unwrap().unwrap().roles.len(), 1);
    assert!(!users::find(&desk.store, "admin").await.unwrap().unwrap().disabled);

    // Six wrong passwords slow clerk3's guesser down; a password reset clears that, and clerk3 signs in with
    // the new password at once, from the same address.
    let mut guesser = Client::new(&desk);
    let mut last = None;
    for _ in 0..=users::FROM_ONE_PLACE.free {
        last = Some(
            guesser
                .post("/staff/login", &[("username", "clerk3"), ("password", "wrong-password")])
                .await,
        );
    }
    assert_eq!(last.unwrap().status, StatusCode::TOO_MANY_REQUESTS);

    // Someone who works only here: password reset (their session ends) and disabling.
    let reset = admin
        .post(
            at,
            &[
                ("action", "reset_password"),
                ("username", "clerk3"),
                ("password", "a brand new password"),
            ],
        )
        .await;
    assert_eq!(reset.status, StatusCode::OK, "{}", reset.text());
    let back = guesser
        .post("/staff/login", &[("username", "clerk3"), ("password", "a brand new password")])
        .await;
    assert_eq!(back.status, StatusCode::SEE_OTHER, "{}", back.text());
    let disabled = admin.post(at, &[("action", "disable"), ("username", "clerk3")]).await;
    assert_eq!(disabled.status, StatusCode::OK);
    assert!(users::find(&desk.store, "clerk3").await.unwrap().unwrap().disabled);
}
