//! Tenant isolation and roles: staff of one agency trying every staff route on another agency's records, the platform admin's audit log and administration, an agency admin managing only its own staff.

use axum::http::{StatusCode, header};
use gongkai_store::agencies;
use gongkai_store::{Store, users};

use crate::cases::supplement_asked;
use crate::common::*;
use crate::publishing::publish_one;

/// A request of the isolation test: method, path, form fields.
type Attempt<'a> = (&'a str, String, Vec<(&'a str, &'a str)>);

/// Every staff route, with how the isolation test calls it on another agency's records.
const STAFF_ROUTES: [&str; 39] = [
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
    "/cases/{tracking}/dossier.zip",
    "/cases/{tracking}/dossier.pdf",
    "/cases/{tracking}/notices/{id}/resend",
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

#[tokio::test]
async fn staff_act_only_within_their_agency_and_role() {
    // The list above must be every route the back office has.
    let source = include_str!("../../src/staff/mod.rs");
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
        ("GET", format!("{case}/dossier.zip"), vec![]),
        ("GET", format!("{case}/dossier.pdf"), vec![]),
        ("POST", format!("{case}/notices/1/resend"), vec![]),
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
    // The action by its Chinese name, its code beside it (issue #20: codes were shown alone).
    assert!(
        text.contains("<td>告知补正<br><small><code>application.supplement</code></small></td>"),
        "{text}"
    );
    assert!(text.contains("<td>198.51.100.7</td>"), "the client's address");
    assert!(text.contains(&format!("<td>application:{tracking}</td>")));
    assert!(!text.contains("<code>user.add</code>"), "only the clerk's entries on the case");
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
    // Issue #21: an entry records the id of the request that wrote it (the id on its log lines), and the
    // page finds entries by it.
    let token = admin.csrf().await;
    let request = axum::http::Request::post("/staff/admin/audit")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("x-request-id", "req-export-2")
        .body(axum::body::Body::from(format!("csrf={token}&actor=clerk1")))
        .unwrap();
    assert_eq!(admin.send(request).await.status, StatusCode::OK);
    let by_request = admin.get("/staff/admin/audit?request=req-export-2").await.text();
    assert!(by_request.contains("本页1条") && by_request.contains("audit.export"), "{by_request}");
    assert!(by_request.contains("请求编号：<code>req-export-2</code>"), "{by_request}");

    let verified = admin.get("/staff/admin/audit?verify=1").await.text();
    assert!(verified.contains("哈希链完整"), "{verified}");
    // The scheduled duties' latest runs (issue #21): none yet, then the one recorded.
    assert!(verified.contains("哈希链每日校验") && verified.contains("尚未运行"), "{verified}");
    let run = gongkai_store::duties::Run {
        duty: gongkai_store::duties::BACKUP.to_owned(),
        holder: "node-2:4711".to_owned(),
        started_at: 1_796_694_700,
        finished_at: 1_796_694_762,
        status: gongkai_store::duties::Status::Failed,
        detail: "写入 /srv/backups/x.jsonl 失败：磁盘已满".to_owned(),
    };
    gongkai_store::duties::record(&desk.store, &run).await.unwrap();
    // Each instance's index check has its line: a healthy one does not hide another's problem.
    let just_now = time::OffsetDateTime::now_utc().unix_timestamp();
    for (holder, outcome, detail) in [
        (
            "node-1:1:aa",
            gongkai_store::duties::Status::Problem,
            "检索索引共9条，目录中未撤回的为10条",
        ),
        (
            "node-2:1:bb",
            gongkai_store::duties::Status::Ok,
            "检索索引共10条，与目录中未撤回的10条一致",
        ),
    ] {
        let check = gongkai_store::duties::Run {
            duty: gongkai_store::duties::INDEX_HEALTH.to_owned(),
            holder: holder.to_owned(),
            started_at: just_now,
            finished_at: just_now,
            status: outcome,
            detail: detail.to_owned(),
        };
        gongkai_store::duties::record(&desk.store, &check).await.unwrap();
    }
    let duties = admin.get("/staff/admin/audit").await.text();
    assert!(duties.contains("目录中未撤回的为10条") && duties.contains("node-1:1:aa"), "{duties}");
    assert!(duties.contains("node-2:1:bb"), "{duties}");
    for shown in ["定时备份", "2026-12-08 09:52:42", "node-2:4711", "未能完成", "磁盘已满"]
    {
        assert!(duties.contains(shown), "{shown}: {duties}");
    }
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
    // A phone without its area code would be printed on letters nobody outside the city can dial (#20).
    let local = admin
        .post(
            "/staff/admin",
            &[
                ("action", "add_agency"),
                ("code", "330300-WJW"),
                ("name", "温州市卫生健康委员会"),
                ("kind", "department"),
                ("region", "浙江省温州市"),
                ("phone", "88960000"),
            ],
        )
        .await;
    assert_eq!(local.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(local.text().contains("缺少区号"), "{}", local.text());
    assert!(agencies::by_code(&desk.store, "330300-WJW").await.is_err());
}

/// An agency's admin manages its own staff: adds a clerk (account and role at once), grants and revokes the
/// agency's roles, resets the password only of someone who works nowhere else; never a role outside the
/// agency's four, never another agency's staff. A clerk cannot open the page.
#[tokio::test]
async fn an_agency_admin_manages_only_its_own_staff() {
    let desk = desk("agency-admin").await;
    let mut clerk = Client::sign_in(&desk, "clerk1").await;
    assert_eq!(clerk.get("/staff/agencies/SFJ/staff").await.status, StatusCode::FORBIDDEN);

    // The platform admin on the agency's page is sent to the platform page, not told to ask itself
    // (issue #20).
    let mut platform = Client::sign_in(&desk, "admin").await;
    let page = platform.get("/staff/agencies/SFJ/staff").await.text();
    assert!(page.contains(r#"请到<a href="/staff/admin">平台管理</a>调整"#), "{page}");
    assert!(!page.contains("联系平台管理员"), "{page}");
    let refused = platform
        .post("/staff/agencies/SFJ/staff", &[("action", "disable"), ("username", "other")])
        .await
        .text();
    assert!(refused.contains("请到“平台管理”页调整该用户"), "{refused}");

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
    assert_eq!(user.roles, vec![(Some("SFJ".to_owned()), gongkai_store::users::Role::Clerk)]);
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
