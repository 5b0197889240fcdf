//! The security review's findings (issue #16), each reproduced through the real router on a real SQLite
//! store — each test failed before its fix. Sign-in throttling is also tested in the store (`users`), with
//! the clock in the test's hands.

use std::net::SocketAddr;

use axum::http::{StatusCode, header};
use gongkai_core::calendar::Calendar;
use gongkai_core::records::PublishChannel;
use gongkai_store::publishing::{self, Publication};
use gongkai_store::{catalog, handling, users};
use gongkai_web::AppState;
use time::macros::date;

mod common;

use common::*;

/// A one-line item of the bureau, published through the store; returns its id.
async fn published_item(desk: &Desk, title: &str) -> i64 {
    let channels = [(PublishChannel::Website, date!(2026 - 11 - 18))];
    let item = Publication {
        title,
        summary: "",
        body: "正文",
        category: "通知公告",
        subject: "",
        genre: "通知",
        doc_number: "",
        formed: Some(date!(2026 - 11 - 16)),
        published: date!(2026 - 11 - 18),
        validity: "有效",
        normative: false,
        repealed: None,
        channels: &channels,
    };
    publishing::publish(&desk.store, "SFJ", &item, &ACTOR).await.unwrap().0
}

#[tokio::test]
async fn finding_1_a_withdrawn_item_shows_nothing_and_its_files_are_refused() {
    let desk = desk("sec_withdrawn").await;
    let title = "关于张三（身份证号11010519491231002X）的处理决定";
    let id = published_item(&desk, title).await;
    let file =
        catalog::attach(&desk.store, id, "决定书.pdf", b"%PDF-1.7 decision", &ACTOR).await.unwrap();
    let mut visitor = Client::new(&desk);
    let attachment = format!("/items/{id}/attachments/{}", file.id);
    assert_eq!(visitor.get(&attachment).await.status, StatusCode::OK, "public before");

    catalog::withdraw(&desk.store, id, &ACTOR).await.unwrap();
    let page = visitor.get(&format!("/items/{id}")).await;
    assert_eq!(page.status, StatusCode::GONE);
    assert!(page.text().contains("已撤回"), "{}", page.text());
    for exposed in ["11010519491231002X", "处理决定", "决定书.pdf", "/attachments/"] {
        assert!(!page.text().contains(exposed), "the withdrawn page shows `{exposed}`");
    }
    assert_eq!(visitor.get(&attachment).await.status, StatusCode::NOT_FOUND);
    let api = visitor.get(&format!("/api/v1/items/{id}")).await;
    assert_eq!(api.status, StatusCode::GONE);
    assert!(!api.text().contains("处理决定"));
}

#[tokio::test]
async fn finding_2_and_10_an_agency_admin_manages_only_its_own_staff() {
    let desk = desk("sec_takeover").await;
    // The government's agency admin, at the agency where the region's supervisor holds its role.
    users::add(&desk.store, "zfadmin", "市政府管理员", PASSWORD, &ACTOR).await.unwrap();
    users::grant(&desk.store, "zfadmin", users::Role::AgencyAdmin, Some("ZF"), &ACTOR)
        .await
        .unwrap();
    let mut admin = Client::sign_in(&desk, "zfadmin").await;
    let page = "/staff/agencies/ZF/staff";
    for action in ["reset_password", "disable"] {
        let answer = admin
            .post(
                page,
                &[("action", action), ("username", "sup"), ("password", "taken over 12345")],
            )
            .await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{action}");
        assert!(answer.text().contains("不是本单位人员"), "{action}: {}", answer.text());
    }
    let supervisor = users::find(&desk.store, "sup").await.unwrap().unwrap();
    assert!(!supervisor.disabled);
    Client::sign_in(&desk, "sup").await;

    // Granting: not to another agency's clerk, and an unknown name gets the very same answer.
    let foreign =
        admin.post(page, &[("action", "grant"), ("username", "other"), ("role", "clerk")]).await;
    let unknown =
        admin.post(page, &[("action", "grant"), ("username", "nobody"), ("role", "clerk")]).await;
    assert_eq!(foreign.status, StatusCode::UNPROCESSABLE_ENTITY);
    let message = |answer: &Answer, name: &str| {
        let text = answer.text();
        let start = text.find(&format!("“{name}”")).expect("the refusal names the user");
        text[start + name.len() + 6..].split('<').next().unwrap().to_owned()
    };
    assert_eq!(message(&foreign, "other"), message(&unknown, "nobody"), "no user enumeration");
    assert_eq!(users::find(&desk.store, "other").await.unwrap().unwrap().roles.len(), 1);

    // The bureau's own admin still manages the bureau's staff.
    let mut own = Client::sign_in(&desk, "sfjadmin").await;
    let granted = own
        .post(
            "/staff/agencies/SFJ/staff",
            &[("action", "grant"), ("username", "clerk1"), ("role", "reviewer")],
        )
        .await;
    assert_eq!(granted.status, StatusCode::OK, "{}", granted.text());
    // But not the head, who is also … only the bureau's: allowed; and not the supervisor from there either.
    let reset = own
        .post(
            "/staff/agencies/SFJ/staff",
            &[("action", "reset_password"), ("username", "sup"), ("password", "taken over 12345")],
        )
        .await;
    assert_eq!(reset.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn finding_3_letters_are_masked_for_readers_who_do_not_sign_them_and_downloads_audited() {
    let desk = desk("sec_letters").await;
    let tracking = online_application(&desk.store, "SFJ", date!(2026 - 11 - 16)).await;
    let mut clerk = Client::sign_in(&desk, "clerk1").await;
    clerk
        .step_done(
            &tracking,
            &[
                ("action", "supplement"),
                ("on", "2026-11-17"),
                ("items", "请补充所需信息的文号"),
                ("reply_by", "2026-11-27"),
            ],
        )
        .await;
    let letters = gongkai_store::letters::of_case(&desk.store, &tracking).await.unwrap();
    let docx = letters.iter().find(|letter| !letter.media_type.contains("pdf")).unwrap().id;
    let uri = format!("/staff/letters/{docx}");

    for (user, full) in [("clerk1", true), ("head", true), ("reviewer", false), ("sup", false)] {
        let mut reader = if user == "clerk1" {
            Client::sign_in(&desk, "clerk1").await
        } else {
            Client::sign_in(&desk, user).await
        };
        let file = reader.get(&uri).await;
        assert_eq!(file.status, StatusCode::OK, "{user}");
        let text = docx_text(&file.bytes);
        assert_eq!(text.contains("张三"), full, "{user}: {text}");
        if !full {
            assert!(text.contains("张*"), "{user}: the masked copy names the applicant masked");
        }
    }
    let downloads = desk
        .store
        .count_admin("SELECT COUNT(*) FROM audit_log WHERE action = 'letter.download'")
        .await
        .unwrap();
    assert_eq!(downloads, 4, "every download is audited");
    let masked = desk
        .store
        .count_admin(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'letter.download' AND after_state LIKE '%\"masked\":true%'",
        )
        .await
        .unwrap();
    assert_eq!(masked, 2);
}

/// Posts the tracking form from `address`.
async fn track_from(desk: &Desk, address: SocketAddr, number: &str, code: &str) -> Answer {
    let mut client = Client::new(desk);
    client.address = address;
    client.post("/track", &[("tracking_number", number), ("code", code)]).await
}

#[tokio::test]
async fn finding_4_verification_codes_are_throttled_per_number_and_keyed() {
    let desk = desk("sec_codes").await;
    let receipt = online_receipt(&desk.store, "SFJ", date!(2026 - 11 - 16)).await;
    let number = receipt.tracking_number.as_str();
    let wrong = if receipt.verification_code == "000000" { "000001" } else { "000000" };
    // A guesser with a fresh address (another /64 each time) for every try.
    let address = |n: u16| SocketAddr::from(([0x2001, 0xdb8, n, 0, 0, 0, 0, 1], 5000));
    for n in 0..6 {
        let answer = track_from(&desk, address(n), number, wrong).await;
        assert_eq!(answer.status, StatusCode::OK, "try {n}");
        assert!(answer.text().contains("不正确"));
    }
    // Now the number itself is held, from anywhere, even with the right code.
    let held = track_from(&desk, address(99), number, &receipt.verification_code).await;
    assert_eq!(held.status, StatusCode::TOO_MANY_REQUESTS, "{}", held.text());
    assert!(held.headers.contains_key(header::RETRY_AFTER));
    // The letters download and a booking cancellation are guarded alike (the same number's key).
    let mut client = Client::new(&desk);
    client.address = address(98);
    let letter = client
        .post(
            "/track/letter",
            &[("tracking_number", number), ("code", &receipt.verification_code), ("letter", "1")],
        )
        .await;
    assert_eq!(letter.status, StatusCode::TOO_MANY_REQUESTS);

    // What the database keeps is no SHA-256 of number and code (a backup alone no longer gives the code).
    let bare = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(format!("{number}:{}", receipt.verification_code)))
    };
    let stored = desk
        .store
        .count_admin(&format!(
            "SELECT COUNT(*) FROM applications WHERE verification_hash LIKE 'h1:%' AND verification_hash <> '{bare}'"
        ))
        .await
        .unwrap();
    assert_eq!(stored, 1);
}

#[tokio::test]
async fn finding_4_rate_limits_hold_a_whole_ipv6_64() {
    use tower::ServiceExt;
    let desk = desk("sec_ipv6").await;
    // The desk's router has no rate limits; this one has them, as a server does (one router, one limiter).
    let state = AppState::with_clock(desk.store.clone(), Calendar::builtin().clone(), || {
        date!(2026 - 11 - 20)
    })
    .without_secure_cookies();
    let router = gongkai_web::router(state);
    let token = "0123456789abcdef0123456789abcdef";
    let mut statuses = Vec::new();
    for n in 0..12u16 {
        // Another number each time, so that only the form's rate limit can answer 429, and every request
        // from another address of one /64.
        let body = format!("csrf={token}&tracking_number=YSQ2026{n:06}&code=1");
        let mut request = axum::http::Request::post("/track")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, format!("gk_csrf={token}"))
            .body(axum::body::Body::from(body))
            .unwrap();
        let address = SocketAddr::from(([0x2001, 0xdb8, 7, 7, n, n, n, 1], 5000));
        request.extensions_mut().insert(axum::extract::ConnectInfo(address));
        statuses.push(router.clone().oneshot(request).await.unwrap().status());
    }
    assert!(statuses[..10].iter().all(|status| *status == StatusCode::OK), "{statuses:?}");
    assert_eq!(statuses[10..], [StatusCode::TOO_MANY_REQUESTS; 2], "{statuses:?}");
}

#[tokio::test]
async fn finding_6_anyone_can_slow_a_guesser_but_not_lock_the_owner_out() {
    let desk = desk("sec_lockout").await;
    let mut attacker = Client::new(&desk);
    attacker.address = SocketAddr::from(([203, 0, 113, 66], 4000));
    for _ in 0..10 {
        attacker.post("/staff/login", &[("username", "clerk1"), ("password", "guess-guess")]).await;
    }
    // The owner, elsewhere, signs in at once.
    let mut owner = Client::new(&desk);
    let answer =
        owner.post("/staff/login", &[("username", "clerk1"), ("password", PASSWORD)]).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.text());
}

/// The text of the element with `id` on a page.
fn receipt_field(page: &str, id: &str) -> String {
    let start = page.find(&format!("id=\"{id}\">")).expect(id) + id.len() + 6;
    page[start..].split('<').next().unwrap().to_owned()
}

/// A multipart application with `files`, posted by `client`.
async fn apply_with(
    client: &mut Client,
    fields: &[(&str, &str)],
    files: &[(&str, &[u8])],
) -> Answer {
    let token = client.csrf().await;
    let boundary = "gongkaiBoundary7MA4YWxk";
    let mut body = Vec::new();
    let mut part = |name: &str, value: &str| {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    };
    part("csrf", &token);
    for (name, value) in fields {
        part(name, value);
    }
    for (file_name, data) in files {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"attachments\"; filename=\"{file_name}\"\r\nContent-Type: application/pdf\r\n\r\n").as_bytes(),
        );
        body.extend_from_slice(data);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let request = axum::http::Request::post("/agencies/SFJ/apply")
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
        .body(axum::body::Body::from(body))
        .unwrap();
    client.send(request).await
}

const APPLICANT: [(&str, &str); 9] = [
    ("applicant_type", "natural"),
    ("name", "张三"),
    ("id_type", "居民身份证"),
    ("id_number", "11010519491231002X"),
    ("phone", "13800138000"),
    ("address", "温州市鹿城区某路1号"),
    ("email", ""),
    ("description", "2025年度律师事务所年度检查考核结果"),
    ("delivery_form", "邮寄纸质文本"),
];

#[tokio::test]
async fn finding_7_uploads_are_checked_by_content_limited_per_day_and_open_to_the_handler() {
    let desk = desk("sec_uploads").await;
    let mut applicant = Client::new(&desk);
    let html = b"<html><script>alert(1)</script></html>";
    let refused = apply_with(&mut applicant, &APPLICANT, &[("scan.pdf", html)]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().contains("内容与文件类型不符"), "{}", refused.text());
    assert_eq!(desk.store.count_admin("SELECT COUNT(*) FROM applications").await.unwrap(), 0);

    let pdf = b"%PDF-1.7 scan of an ID card";
    let accepted = apply_with(&mut applicant, &APPLICANT, &[("身份证.pdf", pdf)]).await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.text());
    let first_receipt = accepted.text();
    // The quota: one applicant sends at most ten files a day.
    let big = [b"%PDF-1.7 ".as_slice(), &vec![b'x'; 4 * 1024 * 1024]].concat();
    let mut last = accepted;
    for _ in 0..4 {
        let files: [(&str, &[u8]); 1] = [("大文件.pdf", &big)];
        last = apply_with(&mut applicant, &APPLICANT, &files).await;
    }
    assert_eq!(
        last.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "15 MB a day: the fourth 4 MB file is refused"
    );
    assert!(last.text().contains("每日最多上传"), "{}", last.text());

    // Staff: the handler opens the files, a reviewer may not.
    let number = receipt_field(&first_receipt, "tracking-number");
    let mut clerk = Client::sign_in(&desk, "clerk1").await;
    clerk.post(&format!("/staff/cases/{number}/assign"), &[]).await;
    let files = gongkai_store::applications::attached_files(&desk.store, &number).await.unwrap();
    assert!(!files.is_empty());
    let uri = format!("/staff/cases/{number}/attachments/{}", files[0].id);
    let opened = clerk.get(&uri).await;
    assert_eq!(opened.status, StatusCode::OK);
    assert!(opened.bytes.starts_with(b"%PDF"));
    let mut reviewer = Client::sign_in(&desk, "reviewer").await;
    assert_eq!(reviewer.get(&uri).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn finding_9_a_fee_past_any_real_count_is_refused_not_wrapped() {
    let desk = desk("sec_fee").await;
    let tracking = online_application(&desk.store, "SFJ", date!(2026 - 11 - 16)).await;
    let mut clerk = Client::sign_in(&desk, "clerk1").await;
    for (basis, field, value) in [
        ("per_application", "nth", "18446744073709551615"),
        ("per_application", "nth", "10001"),
        ("per_volume", "pages", "18446744073709551615"),
    ] {
        let answer = clerk
            .step(
                &tracking,
                &[("action", "fee"), ("on", "2026-11-17"), ("basis", basis), (field, value)],
            )
            .await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{basis} {value}");
        assert!(
            answer.text().contains("之间的整数") || answer.text().contains("不超过"),
            "{}",
            answer.text()
        );
    }
    let case = handling::case(&desk.store, &tracking).await.unwrap();
    assert!(case.steps.is_empty(), "no fee recorded, no letter issued");
    assert!(gongkai_store::letters::of_case(&desk.store, &tracking).await.unwrap().is_empty());
}

#[tokio::test]
async fn finding_11_hsts_behind_https_and_a_host_only_csrf_cookie_bound_to_the_session() {
    let desk = desk("sec_hsts").await;
    let proxies = gongkai_web::client::TrustedProxies::parse(&["10.0.0.0/8"]).unwrap();
    let secure = AppState::with_clock(desk.store.clone(), Calendar::builtin().clone(), || {
        date!(2026 - 11 - 20)
    })
    .without_rate_limits()
    .with_trusted_proxies(proxies);
    let mut client = Client::new(&desk);
    client.state = secure.clone();
    client.address = SocketAddr::from(([10, 0, 0, 5], 443));
    let mut request =
        axum::http::Request::get("/staff/login").body(axum::body::Body::empty()).unwrap();
    request.headers_mut().insert("x-forwarded-proto", "https".parse().unwrap());
    let login = client.send(request).await;
    assert_eq!(login.headers[header::STRICT_TRANSPORT_SECURITY], "max-age=31536000");
    let cookie = login.headers[header::SET_COOKIE].to_str().unwrap();
    assert!(
        cookie.starts_with("__Host-gk_csrf=")
            && cookie.contains("Secure")
            && cookie.contains("Path=/"),
        "{cookie}"
    );
    // Plain HTTP (no proxy saying https): no HSTS.
    let plain = Client::new(&desk).get("/staff/login").await;
    assert!(!plain.headers.contains_key(header::STRICT_TRANSPORT_SECURITY));

    // A plain `gk_csrf` (a sibling host could set one) is not the secure platform's token.
    let mut tossed = Client::new(&desk);
    tossed.state = secure.clone();
    tossed.cookies.insert("gk_csrf".to_owned(), "0123456789abcdef0123456789abcdef".to_owned());
    let mut request = axum::http::Request::post("/staff/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(axum::body::Body::from(format!(
            "csrf=0123456789abcdef0123456789abcdef&username=clerk1&password={}",
            encode(PASSWORD)
        )))
        .unwrap();
    request
        .headers_mut()
        .insert(header::COOKIE, "gk_csrf=0123456789abcdef0123456789abcdef".parse().unwrap());
    assert_eq!(tossed.send(request).await.status, StatusCode::FORBIDDEN);

    // Signed in, a token other than the one bound at sign-in does not work, even echoed in the form.
    let mut clerk = Client::sign_in(&desk, "clerk1").await;
    assert_eq!(clerk.post("/staff/password", &[]).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    clerk.cookies.insert("gk_csrf".to_owned(), "0123456789abcdef0123456789abcdef".to_owned());
    let refused = clerk.post("/staff/password", &[]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.text());
}

#[tokio::test]
async fn finding_12_sessions_slide_and_are_stored_hashed() {
    let desk = desk("sec_sessions").await;
    let mut clerk = Client::sign_in(&desk, "clerk1").await;
    let id = clerk.cookies["gk_staff"].clone();
    let clear = desk
        .store
        .count_admin(&format!(
            "SELECT COUNT(*) FROM sessions WHERE id = '{}'",
            id.replace('\'', "")
        ))
        .await
        .unwrap();
    assert_eq!(clear, 0, "the database does not hold the session id itself");
    assert_eq!(desk.store.count_admin("SELECT COUNT(*) FROM sessions").await.unwrap(), 1);
    // Every answer renews the session's cookie, so its 8 hours run from the last request.
    let page = clerk.get("/staff").await;
    let renewed = page.headers.get_all(header::SET_COOKIE).iter().any(|value| {
        let text = value.to_str().unwrap();
        text.starts_with("gk_staff=") && text.contains("Max-Age=28800")
    });
    assert!(renewed, "{:?}", page.headers);
}

#[tokio::test]
async fn finding_13_and_14_personal_data_is_not_cached_and_fields_are_bounded() {
    let desk = desk("sec_fields").await;
    let mut applicant = Client::new(&desk);
    // The review stored a 30,013-character phone number: spaces around eleven digits.
    let long_phone = format!("138{}00138000", " ".repeat(3_000));
    for (field, value) in [
        ("phone", long_phone.as_str()),
        ("name", "张三\0"),
        ("name", "张三\r\n李四"),
        ("address", "温州市\n某路"),
    ] {
        let fields: Vec<(&str, &str)> = APPLICANT
            .iter()
            .map(|(name, default)| (*name, if *name == field { value } else { *default }))
            .collect();
        let answer = applicant.post("/agencies/SFJ/apply", &fields).await;
        assert_eq!(
            answer.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}: {} chars",
            value.len()
        );
        assert_eq!(
            answer.headers[header::CACHE_CONTROL],
            "no-store",
            "the form with its data comes back"
        );
    }
    assert_eq!(desk.store.count_admin("SELECT COUNT(*) FROM applications").await.unwrap(), 0);
    let receipt = applicant.post("/agencies/SFJ/apply", &APPLICANT).await;
    assert_eq!(receipt.status, StatusCode::OK);
    assert_eq!(receipt.headers[header::CACHE_CONTROL], "no-store");
}

#[tokio::test]
async fn finding_16_a_step_and_its_letters_commit_together() {
    let desk = desk("sec_atomic").await;
    let tracking = online_application(&desk.store, "SFJ", date!(2026 - 11 - 16)).await;
    let step = handling::NewStep {
        event: Some(gongkai_core::clock::Event::SupplementRequested {
            on: date!(2026 - 11 - 17),
            reply_by: Some(date!(2026 - 11 - 27)),
        }),
        details: serde_json::json!({}),
        outcome: None,
        regime: None,
        action: "supplement",
    };
    // The second letter cannot be written (not a DOCX or PDF): the step is not recorded either.
    let letters = [
        gongkai_store::letters::NewLetter {
            title: None,
            kind: gongkai_store::letters::LetterKind::Supplement,
            media_type: "application/pdf",
            data: b"%PDF-1.7 letter",
            masked: Some(b"%PDF-1.7 masked"),
            sent_on: Some(date!(2026 - 11 - 17)),
        },
        gongkai_store::letters::NewLetter {
            title: None,
            kind: gongkai_store::letters::LetterKind::Supplement,
            media_type: "text/html",
            data: b"%PDF-1.7 other",
            masked: Some(b"%PDF-1.7 other masked"),
            sent_on: Some(date!(2026 - 11 - 17)),
        },
    ];
    let failed = handling::record_with(
        &desk.store,
        &tracking,
        0,
        &step,
        handling::With { letters: &letters, ..handling::With::default() },
        &ACTOR,
    )
    .await;
    assert!(failed.is_err());
    assert!(handling::case(&desk.store, &tracking).await.unwrap().steps.is_empty());
    assert!(gongkai_store::letters::of_case(&desk.store, &tracking).await.unwrap().is_empty());
    // With its letter alone, both are there.
    handling::record_with(
        &desk.store,
        &tracking,
        0,
        &step,
        handling::With { letters: &letters[..1], ..handling::With::default() },
        &ACTOR,
    )
    .await
    .unwrap();
    assert_eq!(handling::case(&desk.store, &tracking).await.unwrap().steps.len(), 1);
    let kept = gongkai_store::letters::of_case(&desk.store, &tracking).await.unwrap();
    assert_eq!(kept.len(), 1);
    assert!(kept[0].sent_on.is_some());
}

#[tokio::test]
async fn finding_17_the_audit_export_is_a_post() {
    let desk = desk("sec_export").await;
    let mut admin = Client::sign_in(&desk, "admin").await;
    let got = admin.get("/staff/admin/audit?format=csv&actor=clerk1").await;
    assert_eq!(got.status, StatusCode::OK);
    assert!(got.headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/html"));
    assert_eq!(gongkai_store::audit::count_actions(&desk.store, "audit.export").await.unwrap(), 0);
    let posted = admin.post("/staff/admin/audit", &[("actor", "clerk1")]).await;
    assert_eq!(posted.headers[header::CONTENT_TYPE], "text/csv; charset=utf-8");
    assert_eq!(gongkai_store::audit::count_actions(&desk.store, "audit.export").await.unwrap(), 1);
}

/// The value of the hidden `once` field on a form page.
fn once_token(page: &str) -> String {
    let start = page.find(r#"name="once" value=""#).expect("the form has a one-time token") + 19;
    page[start..start + 32].to_owned()
}

#[tokio::test]
async fn finding_18_every_form_submits_once() {
    let desk = desk("sec_once").await;
    // An application: the receipt reloaded (the same post again) is the same application.
    let mut applicant = Client::new(&desk);
    let form = applicant.get("/agencies/SFJ/apply").await.text();
    let token = once_token(&form);
    let mut fields = APPLICANT.to_vec();
    fields.push(("once", &token));
    let first = applicant.post("/agencies/SFJ/apply", &fields).await;
    let again = applicant.post("/agencies/SFJ/apply", &fields).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text());
    assert_eq!(again.status, StatusCode::OK, "{}", again.text());
    assert_eq!(
        receipt_field(&first.text(), "tracking-number"),
        receipt_field(&again.text(), "tracking-number")
    );
    assert_eq!(
        receipt_field(&first.text(), "verification-code"),
        receipt_field(&again.text(), "verification-code"),
        "the applicant sees their code again"
    );
    assert_eq!(desk.store.count_admin("SELECT COUNT(*) FROM applications").await.unwrap(), 1);
    // A new form page is a new application.
    let token = once_token(&applicant.get("/agencies/SFJ/apply").await.text());
    let mut fields = APPLICANT.to_vec();
    fields.push(("once", &token));
    applicant.post("/agencies/SFJ/apply", &fields).await;
    assert_eq!(desk.store.count_admin("SELECT COUNT(*) FROM applications").await.unwrap(), 2);

    // Publishing: a reload after publishing does not publish a second item.
    let mut clerk = Client::sign_in(&desk, "clerk1").await;
    let token = once_token(&clerk.get("/staff/agencies/SFJ/items/new").await.text());
    let item = [
        ("once", token.as_str()),
        ("title", "关于2026年法律援助工作的通知"),
        ("category", "通知公告"),
        ("formed", "2026-11-16"),
        ("published", "2026-11-18"),
        ("validity", "有效"),
        ("website", "on"),
        ("website_on", "2026-11-18"),
    ];
    let published = clerk.post("/staff/agencies/SFJ/items/new", &item).await;
    let reloaded = clerk.post("/staff/agencies/SFJ/items/new", &item).await;
    assert_eq!(published.status, StatusCode::OK, "{}", published.text());
    assert_eq!(reloaded.status, StatusCode::OK, "{}", reloaded.text());
    assert!(reloaded.text().contains("已发布"), "the reload shows the published item");
    assert_eq!(desk.store.count_admin("SELECT COUNT(*) FROM catalog_items").await.unwrap(), 1);

    // Registering at the counter: the receipt reloaded is the same case.
    let token = once_token(&clerk.get("/staff/agencies/SFJ/register").await.text());
    let mut fields = APPLICANT.to_vec();
    fields.extend([
        ("once", token.as_str()),
        ("channel", "in-person"),
        ("submitted", "2026-11-19"),
    ]);
    let registered = clerk.post("/staff/agencies/SFJ/register", &fields).await;
    let reloaded = clerk.post("/staff/agencies/SFJ/register", &fields).await;
    assert_eq!(registered.status, StatusCode::OK, "{}", registered.text());
    assert_eq!(reloaded.status, StatusCode::OK, "{}", reloaded.text());
    assert_eq!(desk.store.count_admin("SELECT COUNT(*) FROM applications").await.unwrap(), 3);
}

#[tokio::test]
async fn review_a_form_token_seen_by_someone_else_gives_them_nothing() {
    let desk = desk("sec_once_owner").await;
    let mut applicant = Client::new(&desk);
    let token = once_token(&applicant.get("/agencies/SFJ/apply").await.text());
    let mut fields = APPLICANT.to_vec();
    fields.push(("once", &token));
    let receipt = applicant.post("/agencies/SFJ/apply", &fields).await;
    let code = receipt_field(&receipt.text(), "verification-code");
    // Another browser (another CSRF cookie) posting the same token: refused, and no code shown.
    let mut stranger = Client::new(&desk);
    stranger.address = SocketAddr::from(([192, 0, 2, 44], 4000));
    let replay = stranger.post("/agencies/SFJ/apply", &fields).await;
    assert_eq!(replay.status, StatusCode::FORBIDDEN, "{}", replay.text());
    assert!(!replay.text().contains(&code));
    assert_eq!(desk.store.count_admin("SELECT COUNT(*) FROM applications").await.unwrap(), 1);
}

#[tokio::test]
async fn review_staff_forms_work_again_after_the_browser_lost_its_csrf_cookie() {
    let desk = desk("sec_restart").await;
    let mut clerk = Client::sign_in(&desk, "clerk1").await;
    // A browser restarted: it kept the session cookie, not the CSRF one; the next page gives it back.
    clerk.cookies.remove("gk_csrf");
    let page = clerk.get("/staff/password").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(clerk.cookies.contains_key("gk_csrf"), "the page restored the session's token");
    let token = {
        let text = page.text();
        let start = text.find(r#"name="csrf" value=""#).unwrap() + 19;
        text[start..start + 32].to_owned()
    };
    assert_eq!(clerk.cookies["gk_csrf"], token, "the page's forms carry the session's token");
    let changed = clerk
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
}

#[tokio::test]
async fn review_invented_applicants_are_held_by_where_they_upload_from() {
    let desk = desk("sec_network_quota").await;
    let mut uploader = Client::new(&desk);
    let big = [b"%PDF-1.7 ".as_slice(), &vec![b'x'; 4 * 1024 * 1024]].concat();
    let mut statuses = Vec::new();
    let mut last = None;
    for n in 0..13 {
        // Each time another applicant, under an ID type whose number is not checked.
        let number = format!("FAKE{n:08}");
        let fields: Vec<(&str, &str)> = APPLICANT
            .iter()
            .map(|(name, value)| match *name {
                "id_type" => (*name, "其他有效证件"),
                "id_number" => (*name, number.as_str()),
                _ => (*name, *value),
            })
            .collect();
        let answer = apply_with(&mut uploader, &fields, &[("证明.pdf", &big)]).await;
        statuses.push(answer.status);
        last = Some(answer);
    }
    // 12 × 4 MiB fit under 50 MiB; the 13th does not.
    assert!(statuses[..12].iter().all(|status| *status == StatusCode::OK), "{statuses:?}");
    assert_eq!(statuses[12], StatusCode::UNPROCESSABLE_ENTITY);
    assert!(last.unwrap().text().contains("从您所在网络今日上传的附件已达"));
}
