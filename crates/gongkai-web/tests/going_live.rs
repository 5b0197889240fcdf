//! Issue #17: an office goes live through the back office — its profile, leaders, contact details and
//! reading points, a day's bookings, its place in the tree and its closure — and the portal shows each.

mod common;

use axum::http::StatusCode;
use common::{Client, desk};

fn profile_form<'a>(name: &'a str, parent: &'a str, fax: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("action", "profile"),
        ("name", name),
        ("kind", "department"),
        ("parent", parent),
        ("region", "浙江省温州市"),
        ("index_pattern", "{code}/{year}-{serial:05}"),
        ("office", "温州市司法局办公室"),
        ("phone", "0577-88000001"),
        ("fax", fax),
        ("email", "sfj@wenzhou.gov.cn"),
        ("address", "温州市鹿城区市府路500号"),
        ("postcode", "325000"),
        ("hours", "工作日 8:30-12:00，14:00-17:30"),
        ("overview", "温州市司法局是市政府工作部门。\r\n\r\n局机关设9个内设机构。"),
        ("duties", "负责全市法治宣传工作。"),
        ("leader_rows", "4"),
        ("leader_name_0", "张三"),
        ("leader_post_0", "局长"),
        ("leader_duties_0", "主持全面工作"),
        ("leader_name_1", ""),
        ("leader_post_1", ""),
    ]
}

#[tokio::test]
async fn an_agency_admin_sets_up_its_profile_and_reading_point_and_sees_the_days_bookings() {
    let desk = desk("live_profile").await;
    let page = "/staff/agencies/SFJ/settings";
    // Not a clerk's page.
    let mut clerk = Client::sign_in(&desk, "clerk1").await;
    assert_eq!(clerk.get(page).await.status, StatusCode::FORBIDDEN);

    let mut admin = Client::sign_in(&desk, "sfjadmin").await;
    assert_eq!(admin.get(page).await.status, StatusCode::OK);
    // An agency admin cannot move the agency: the parent posted is ignored.
    let saved = admin.post(page, &profile_form("温州市司法局", "CZJ", "0577-88000002")).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.text());
    assert!(saved.text().contains("已保存单位信息"), "{}", saved.text());

    let mut public = Client::new(&desk);
    let overview = public.get("/agencies/SFJ").await.text();
    assert!(overview.contains("<p>温州市司法局是市政府工作部门。</p>"), "{overview}");
    assert!(overview.contains("局机关设9个内设机构"), "{overview}");
    assert!(
        overview.contains("<a href=\"/directory/ZF\">温州市人民政府</a>"),
        "the breadcrumb walks the tree, still under the government: {overview}"
    );
    let leaders = public.get("/agencies/SFJ/leaders").await.text();
    assert!(leaders.contains("张三") && leaders.contains("主持全面工作"), "{leaders}");
    let guide = public.get("/agencies/SFJ/guide").await.text();
    assert!(guide.contains("<dt>传真</dt><dd>0577-88000002</dd>"), "{guide}");

    // A control character in a one-line field: refused with the field named, nothing saved.
    let refused = admin.post(page, &profile_form("温州市司法局", "", "0577\u{0007}")).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().contains("传真："), "{}", refused.text());

    // A reading point with a bad slot is refused; a good one shows on the portal's booking page.
    let bad = admin
        .post(
            page,
            &[
                ("action", "add_point"),
                ("point_name", "市司法局政务公开查阅室"),
                ("point_address", "市府路500号1楼"),
                ("hours", "工作日"),
                ("capacity", "3"),
                ("slots", "9:00-10:00"),
                ("opened", "2026-11-20"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text().contains("时段“9:00-10:00”应写作如 09:00-10:30"), "{}", bad.text());
    let added = admin
        .post(
            page,
            &[
                ("action", "add_point"),
                ("point_name", "市司法局政务公开查阅室"),
                ("point_address", "市府路500号1楼"),
                ("hours", "工作日 9:00-12:00"),
                ("capacity", "3"),
                ("slots", "09:00-10:30\r\n10:30-12:00"),
                ("opened", "2026-11-20"),
            ],
        )
        .await;
    assert!(added.text().contains("已添加查阅点"), "{}", added.text());
    let booking = public.get("/agencies/SFJ/booking").await.text();
    assert!(booking.contains("市司法局政务公开查阅室"), "{booking}");
    assert!(booking.contains("10:30-12:00"), "{booking}");

    // The day's bookings: none yet, and looking is audited.
    let day = admin.get("/staff/agencies/SFJ/settings?day=2026-11-23").await.text();
    assert!(day.contains("2026-11-23 的预约（0）"), "{day}");
    let viewed = desk
        .store
        .count_admin(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'bookings.view' AND actor = 'sfjadmin'",
        )
        .await
        .unwrap();
    assert!(viewed >= 1, "viewing the visitors' names and phones is audited");
}

#[tokio::test]
async fn the_platform_admin_moves_and_closes_an_agency_and_the_portal_follows() {
    let desk = desk("live_close").await;
    let mut admin = Client::sign_in(&desk, "admin").await;
    // A cycle: the government under its own department.
    let cycle = admin
        .post(
            "/staff/agencies/ZF/settings",
            &[
                ("action", "profile"),
                ("name", "温州市人民政府"),
                ("kind", "government"),
                ("parent", "SFJ"),
                ("region", "浙江省温州市"),
                ("leader_rows", "0"),
            ],
        )
        .await;
    assert_eq!(cycle.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(cycle.text().contains("上级关系成环：ZF → SFJ → ZF"), "{}", cycle.text());

    // Moved under the finance bureau (a platform admin may), then closed into it.
    let moved =
        admin.post("/staff/agencies/SFJ/settings", &profile_form("温州市司法局", "CZJ", "")).await;
    assert!(moved.text().contains("已保存单位信息"), "{}", moved.text());
    let mut public = Client::new(&desk);
    let overview = public.get("/agencies/SFJ").await.text();
    assert!(
        overview.contains("<a href=\"/directory/ZF\">温州市人民政府</a> › <a href=\"/directory/CZJ\">温州市财政局</a> › <a href=\"/agencies/SFJ\">温州市司法局</a>"),
        "{overview}"
    );
    let closed = admin
        .post(
            "/staff/agencies/SFJ/settings",
            &[("action", "close"), ("closed_on", "2026-11-20"), ("successor", "CZJ")],
        )
        .await;
    assert!(closed.text().contains("已撤销"), "{}", closed.text());

    let overview = public.get("/agencies/SFJ").await.text();
    assert!(overview.contains("本机关已于2026-11-20撤销"), "{overview}");
    assert!(overview.contains("<a href=\"/agencies/CZJ\">温州市财政局</a>承继"), "{overview}");
    let apply = public.get("/agencies/SFJ/apply").await;
    assert_eq!(apply.status, StatusCode::GONE);
    assert!(apply.text().contains("/agencies/CZJ/apply"), "{}", apply.text());
    assert_eq!(public.get("/agencies/SFJ/booking").await.status, StatusCode::GONE);
    // Its archive stays.
    assert_eq!(public.get("/agencies/SFJ/reports").await.status, StatusCode::OK);

    // The tree: the top level, the government's level with its department, the closed one marked.
    let top = public.get("/directory").await.text();
    assert!(
        top.contains("<a class=\"agency-name\" href=\"/agencies/ZF\">温州市人民政府</a>"),
        "{top}"
    );
    assert!(top.contains("下级机构 1 个"), "{top}");
    let finance = public.get("/directory/CZJ").await.text();
    assert!(finance.contains("已于2026-11-20撤销"), "{finance}");
    assert_eq!(public.get("/directory/NOWHERE").await.status, StatusCode::NOT_FOUND);

    // The home page links the tree and the platform's feed, which is Atom.
    let home = public.get("/").await.text();
    assert!(home.contains("href=\"/directory\"") && home.contains("href=\"/feed.atom\""), "{home}");
    let feed = public.get("/feed.atom").await;
    assert_eq!(feed.status, StatusCode::OK);
    assert!(feed.text().contains("<feed xmlns=\"http://www.w3.org/2005/Atom\""), "{}", feed.text());
}

/// A register as an office keeps it: a title row, one receipt date, results as the 2021 table words them,
/// a case still open.
const OFFICE_REGISTER: &str = "\
温州市司法局2026年政府信息公开申请登记台账,,,,,
申请编号,申请人类型,申请方式,收到申请日期,答复日期,办理结果
SFJ-2026-001,自然人,网上申请,2026/3/2,2026/3/16,予以公开
SFJ-2026-002,企业,邮寄,2026年4月1日,2026年4月20日,\"（三）不予公开
1.属于国家秘密\"
SFJ-2026-003,律师事务所,当面,2026-11-16,,办理中
";

#[tokio::test]
async fn a_register_is_uploaded_previewed_with_its_problems_and_imported_once() {
    let desk = desk("live_register").await;
    let page = "/staff/agencies/SFJ/registers";
    let mut clerk = Client::sign_in(&desk, "clerk1").await;
    assert_eq!(clerk.get(page).await.status, StatusCode::OK);
    let mut stranger = Client::sign_in(&desk, "other").await;
    assert_eq!(stranger.get(page).await.status, StatusCode::FORBIDDEN);

    // A bad register: each problem next to its row, with the row's cells; nothing to confirm.
    let bad = OFFICE_REGISTER.replace("律师事务所", "外星人").replace("2026/3/16", "2026/2/30");
    let uploaded =
        clerk.upload(page, &[("kind", "applications")], "file", "台账.csv", bad.as_bytes()).await;
    assert_eq!(uploaded.status, StatusCode::SEE_OTHER, "{}", uploaded.text());
    let preview = clerk.get(&uploaded.location()).await.text();
    assert!(preview.contains("发现 2 处问题，未导入任何记录"), "{preview}");
    assert!(preview.contains("<td>3</td><td>答复日期</td>"), "{preview}");
    assert!(preview.contains("<td>6</td><td>申请人类型</td><td>“外星人”无法识别"), "{preview}");
    assert!(preview.contains("SFJ-2026-003 | 外星人 | 当面"), "the row's cells: {preview}");
    assert!(!preview.contains("确认导入"), "{preview}");

    // The register as kept: previewed, confirmed by its uploader only, imported once.
    let uploaded = clerk
        .upload(page, &[("kind", "applications")], "file", "台账.csv", OFFICE_REGISTER.as_bytes())
        .await;
    let at = uploaded.location();
    let preview = clerk.get(&at).await.text();
    assert!(preview.contains("共 3 行，全部有效"), "{preview}");
    let mut colleague = Client::sign_in(&desk, "clerk2").await;
    assert_eq!(colleague.post(&at, &[]).await.status, StatusCode::FORBIDDEN);
    let confirmed = clerk.post(&at, &[]).await;
    assert_eq!(confirmed.status, StatusCode::SEE_OTHER);
    let mut done = String::new();
    for _ in 0..400 {
        done = clerk.get(&at).await.text();
        if done.contains("导入完成") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(done.contains("导入完成：新增3条，已存在0条"), "{done}");
    // A second confirmation imports nothing more.
    assert_eq!(clerk.post(&at, &[]).await.status, StatusCode::SEE_OTHER);
    let count = desk
        .store
        .count_admin("SELECT COUNT(*) FROM applications WHERE tracking_number LIKE 'SFJ-2026-%'")
        .await
        .unwrap();
    assert_eq!(count, 3);
    // The open case is open, with its clock: it is on the bureau's dashboard.
    let dashboard = clerk.get("/staff/agencies/SFJ").await.text();
    assert!(dashboard.contains("SFJ-2026-003"), "{dashboard}");
}

#[tokio::test]
async fn past_reports_enter_the_archive_read_by_the_auditor_and_check_the_first_year() {
    let desk = desk("live_history").await;
    let mut clerk = Client::sign_in(&desk, "clerk1").await;
    let upload = "/staff/agencies/SFJ/reports/history";
    let report = gongkai_core::report::build(
        &gongkai_demo::wenzhou_justice(),
        2025,
        None,
        gongkai_core::calendar::Calendar::builtin(),
    )
    .unwrap();
    let html = gongkai_render::render(&report, gongkai_render::Output::Html).unwrap();
    let carry_over = "本年“二、上年结转”= 上年“四、结转下年度继续办理”";
    let before = clerk.get("/staff/agencies/SFJ/reports/2026").await.text();
    assert!(!before.contains(carry_over), "derived from the records alone, 2025 agrees: {before}");

    // Refused, nothing stored: another year than its title's, a file that is not a report, a text file.
    let wrong_year =
        clerk.upload(upload, &[("year", "2024")], "file", "2025年报.html", &html).await;
    assert_eq!(wrong_year.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        wrong_year.text().contains("该报告标题为2025年度，与所选的2024年度不符"),
        "{}",
        wrong_year.text()
    );
    let notice = "<html><body><p>关于召开年度工作会议的通知</p></body></html>";
    let not_a_report =
        clerk.upload(upload, &[("year", "2024")], "file", "通知.html", notice.as_bytes()).await;
    assert!(
        not_a_report.text().contains("不像政府信息公开工作年度报告"),
        "{}",
        not_a_report.text()
    );
    let text =
        clerk.upload(upload, &[("year", "2024")], "file", "a.txt", "纯文本".as_bytes()).await;
    assert!(text.text().contains("只能上传 PDF、Word（DOCX）或网页（HTML）"), "{}", text.text());

    // The 2025 report: read, no findings (gongkai made it), in the portal's archive as 历史报告.
    let stored = clerk.upload(upload, &[("year", "2025")], "file", "2025年报.html", &html).await;
    assert_eq!(stored.status, StatusCode::OK, "{}", stored.text());
    assert!(stored.text().contains("已存入2025年度历史报告，并已核查"), "{}", stored.text());
    assert!(stored.text().contains("未发现问题"), "{}", stored.text());
    // A PDF cut short is refused; a PDF is read like any other report (issue #23).
    let cut = clerk
        .upload(
            upload,
            &[("year", "2019")],
            "file",
            "2019年报.pdf",
            b"%PDF-1.7\n%\xe2\xe3\n1 0 obj\n",
        )
        .await;
    assert_eq!(cut.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(cut.text().contains("该 PDF 文件不完整"), "{}", cut.text());
    let report_2019 = gongkai_core::report::build(
        &gongkai_demo::wenzhou_justice(),
        2019,
        None,
        gongkai_core::calendar::Calendar::builtin(),
    )
    .unwrap();
    let pdf_2019 = gongkai_render::render(&report_2019, gongkai_render::Output::Pdf).unwrap();
    let pdf = clerk.upload(upload, &[("year", "2019")], "file", "2019年报.pdf", &pdf_2019).await;
    assert!(pdf.text().contains("已存入2019年度历史报告，并已核查"), "{}", pdf.text());

    let mut public = Client::new(&desk);
    let archive = public.get("/agencies/SFJ/reports").await.text();
    assert!(
        archive.contains("历史报告") && archive.contains("/agencies/SFJ/reports/history/2025"),
        "{archive}"
    );
    let file = public.get("/agencies/SFJ/reports/history/2025").await;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(file.bytes, html);
    assert!(file.headers["content-disposition"].to_str().unwrap().starts_with("attachment"));
    assert_eq!(file.headers["content-security-policy"], "sandbox");
    // Findings are for staff: the portal has no page of them.
    assert_eq!(
        public.get("/staff/agencies/SFJ/reports/history/2025").await.status,
        StatusCode::SEE_OTHER
    );
    let findings = clerk.get("/staff/agencies/SFJ/reports/history/2025").await.text();
    assert!(findings.contains("未发现表格内或文字与表格之间的矛盾"), "{findings}");
    // The supervisor's region page shows each agency's own published report with its audit, linked to
    // the findings; an agency with nothing uploaded or published shows nothing there.
    let mut supervisor = Client::sign_in(&desk, "sup").await;
    let region = supervisor.get("/staff/agencies/ZF/region?year=2025").await.text();
    assert!(
        region.contains(
            r#"<a href="/staff/agencies/SFJ/reports/history/2025">已核查，未发现问题</a>"#
        ),
        "{region}"
    );
    assert_eq!(region.matches("已核查").count(), 1, "{region}");
    assert_eq!(
        supervisor.get("/staff/agencies/SFJ/reports/history/2025").await.status,
        StatusCode::OK,
        "the supervisor reads the findings"
    );

    // The first year on the platform is checked against it: the bureau's records have no case carried
    // over into 2026, while its 2025 report said some were.
    let carried = report.values.get("t3", "carried_out", "total").unwrap().whole();
    assert!(carried > 0, "the demo's 2025 report carries cases over");
    let year = clerk.get("/staff/agencies/SFJ/reports/2026").await.text();
    assert!(year.contains(carry_over), "the carry-over rule against the 2025 report: {year}");
}

/// A fee notified and paid on a case reaches the report's 收费 sentence (before issue #17 the sentence read
/// only a ledger the demo loader wrote, so a real office's report said no fee was collected).
#[tokio::test]
async fn a_fee_paid_on_a_case_reaches_the_report() {
    let desk = desk("live_fee").await;
    let tracking =
        common::online_application(&desk.store, "SFJ", time::macros::date!(2026 - 11 - 02)).await;
    let mut clerk = Client::sign_in(&desk, "clerk1").await;
    let amount = gongkai_core::fee::per_volume(250).unwrap().amount_yuan;
    assert!(amount > 0);
    let preview = "/staff/agencies/SFJ/reports/2026/preview";
    let before = clerk.get(preview).await.text();
    assert!(before.contains("2026年本机关未收取信息处理费"), "{before}");
    for fields in [
        vec![("action", "fee"), ("on", "2026-11-04"), ("basis", "per_volume"), ("pages", "250")],
        vec![("action", "fee_paid"), ("on", "2026-11-09")],
        vec![
            ("action", "reply"),
            ("outcome", "disclosed"),
            ("access", "电子邮件"),
            ("method", "online"),
            ("on", "2026-11-12"),
        ],
    ] {
        let answer = clerk.step(&tracking, &fields).await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "{fields:?}: {}", answer.text());
    }
    let after = clerk.get(preview).await.text();
    assert!(
        after.contains(&format!("2026年本机关收取信息处理费共计{amount}元")),
        "{amount} 元 in: {after}"
    );
}

/// Review of issue #17: a closure entered ahead of its day takes effect on that day, not at once.
#[tokio::test]
async fn a_closure_entered_ahead_takes_effect_on_its_day() {
    let today = std::sync::Arc::new(std::sync::Mutex::new(time::macros::date!(2026 - 06 - 20)));
    let desk = common::desk_on("live_ahead", std::sync::Arc::clone(&today)).await;
    gongkai_store::agencies::close(
        &desk.store,
        "SFJ",
        Some("CZJ"),
        time::macros::date!(2026 - 07 - 01),
        &common::ACTOR,
    )
    .await
    .unwrap();
    let mut public = Client::new(&desk);
    assert_eq!(public.get("/agencies/SFJ/apply").await.status, StatusCode::OK);
    assert!(!public.get("/agencies/SFJ").await.text().contains("撤销"));
    *today.lock().unwrap() = time::macros::date!(2026 - 07 - 01);
    assert_eq!(public.get("/agencies/SFJ/apply").await.status, StatusCode::GONE);
}

#[tokio::test]
async fn a_register_of_reviews_is_uploaded_and_imported() {
    let desk = desk("live_reviews").await;
    let tracking =
        common::online_application(&desk.store, "SFJ", time::macros::date!(2026 - 03 - 02)).await;
    let mut clerk = Client::sign_in(&desk, "clerk1").await;
    let page = "/staff/agencies/SFJ/registers";
    let register = format!(
        "申请编号,复议申请日期,复议结果,决定日期\n{tracking},2026-05-06,确认违法,2026-07-01\n,2026-10-09,审理中,\n"
    );
    let uploaded =
        clerk.upload(page, &[("kind", "reviews")], "file", "复议.csv", register.as_bytes()).await;
    let at = uploaded.location();
    let preview = clerk.get(&at).await.text();
    assert!(
        preview.contains("行政复议台账：复议.csv") && preview.contains("共 2 行，全部有效"),
        "{preview}"
    );
    clerk.post(&at, &[]).await;
    let mut done = String::new();
    for _ in 0..400 {
        done = clerk.get(&at).await.text();
        if done.contains("导入") && !done.contains("正在导入") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(done.contains("导入完成：新增2条"), "{done}");
    let stored = desk.store.count_admin("SELECT COUNT(*) FROM reviews").await.unwrap();
    assert_eq!(stored, 2);
}

/// A reading point's closure day (闭馆日, beyond the holidays): shown as 闭馆 on the booking page, and no
/// booking is taken on it.
#[tokio::test]
async fn a_closure_day_of_a_reading_point_takes_no_booking() {
    use gongkai_store::bookings::{self, Booked, NewBooking, NewPoint};
    let desk = desk("live_closure_day").await;
    let schedule = gongkai_core::reading::Schedule::typed("09:00-10:30", [""; 7]).unwrap();
    let point = NewPoint {
        name: "查阅室",
        address: "市府路500号",
        hours: "工作日",
        capacity: 2,
        schedule: &schedule,
        opened: time::macros::date!(2026 - 11 - 01),
    };
    let id = bookings::add_point(&desk.store, "SFJ", &point, &common::ACTOR).await.unwrap();
    let mut admin = Client::sign_in(&desk, "sfjadmin").await;
    let saved = admin
        .post(
            "/staff/agencies/SFJ/settings",
            &[
                ("action", "configure_point"),
                ("point", &id.to_string()),
                ("hours", "工作日"),
                ("capacity", "2"),
                ("slots", "09:00-10:30"),
                ("closed_days", "2026-11-24"),
            ],
        )
        .await;
    assert!(saved.text().contains("已保存查阅点设置"), "{}", saved.text());
    let bad = admin
        .post(
            "/staff/agencies/SFJ/settings",
            &[
                ("action", "configure_point"),
                ("point", &id.to_string()),
                ("capacity", "2"),
                ("slots", "09:00-10:30"),
                ("closed_days", "明天"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Good closure days with a bad slot: refused whole, the closure days not half-saved.
    let bad_slot = admin
        .post(
            "/staff/agencies/SFJ/settings",
            &[
                ("action", "configure_point"),
                ("point", &id.to_string()),
                ("capacity", "2"),
                ("slots", "9:00-10:30"),
                ("closed_days", "2026-11-24\r\n2026-11-26"),
            ],
        )
        .await;
    assert_eq!(bad_slot.status, StatusCode::UNPROCESSABLE_ENTITY);
    let today = time::macros::date!(2026 - 11 - 20);
    let stored = bookings::reading_point(&desk.store, id, today).await.unwrap().unwrap();
    assert_eq!(stored.closed_days, ["2026-11-24"]);
    let mut public = Client::new(&desk);
    let page = public.get("/agencies/SFJ/booking").await.text();
    assert!(page.contains("2026-11-24") && page.contains("闭馆"), "{page}");
    let calendar = gongkai_core::calendar::Calendar::builtin();
    let booking = |day| NewBooking {
        point_id: id,
        day,
        slot: "09:00-10:30",
        name: "张三",
        phone: "13800138000",
    };
    let closed = bookings::book(
        &desk.store,
        calendar,
        today,
        &booking(time::macros::date!(2026 - 11 - 24)),
        &common::ACTOR,
    )
    .await
    .unwrap();
    assert!(matches!(closed, Booked::Refused(_)), "{closed:?}");
    let open = bookings::book(
        &desk.store,
        calendar,
        today,
        &booking(time::macros::date!(2026 - 11 - 25)),
        &common::ACTOR,
    )
    .await
    .unwrap();
    assert!(matches!(open, Booked::Confirmed(_)), "{open:?}");
}

/// A reading point's week set in 单位设置 (issue #17): closed on Wednesdays, mornings only on Fridays. The
/// booking page shows each day's own slots; a slot the day does not offer is refused with the day's slots.
#[tokio::test]
async fn a_reading_points_week_is_set_in_the_form_and_each_day_offers_its_own_slots() {
    use gongkai_store::bookings::{self, Booked, NewBooking};
    let desk = desk("live_week").await;
    let mut admin = Client::sign_in(&desk, "sfjadmin").await;
    let page = "/staff/agencies/SFJ/settings";
    let week = |fields: &[(&'static str, &'static str)]| {
        let mut form = vec![
            ("action", "add_point"),
            ("point_name", "查阅室"),
            ("point_address", "市府路500号1楼"),
            ("hours", "工作日 9:00-12:00，14:00-17:00（周三不开放）"),
            ("capacity", "2"),
            ("slots", "09:00-10:30\r\n14:00-15:30"),
            ("opened", "2026-11-20"),
        ];
        form.extend_from_slice(fields);
        form
    };
    let overlapping = admin.post(page, &week(&[("week_5", "09:00-10:30 10:00-11:00")])).await;
    assert_eq!(overlapping.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        overlapping.text().contains("时段 09:00-10:30 与 10:00-11:00 重叠"),
        "{}",
        overlapping.text()
    );
    let never = (1..=7).map(|_| "不开放");
    let closed: Vec<(&str, &str)> =
        ["week_1", "week_2", "week_3", "week_4", "week_5", "week_6", "week_7"]
            .into_iter()
            .zip(never)
            .collect();
    let refused = admin.post(page, &week(&closed)).await;
    assert!(refused.text().contains("每周至少应有一天开放"), "{}", refused.text());
    let added = admin.post(page, &week(&[("week_3", "不开放"), ("week_5", "09:00-10:30")])).await;
    assert!(added.text().contains("已添加查阅点"), "{}", added.text());
    let settings = admin.get(page).await.text();
    assert!(
        settings.contains(r#"name="week_3" type="text" maxlength="200" value="不开放""#),
        "{settings}"
    );

    // Today is Friday 2026-11-20: Wednesday 11-25 is 不开放, Friday 11-27 has no afternoon.
    let mut public = Client::new(&desk);
    let booking = public.get("/agencies/SFJ/booking").await.text();
    assert!(
        booking.contains(r#"<th scope="row">2026-11-25 星期三</th><td colspan="2">不开放</td>"#),
        "{booking}"
    );
    assert!(
        booking.contains(
            r#"<th scope="row">2026-11-27 星期五</th><td>2</td><td><span title="当日不开放">—</span></td>"#
        ),
        "{booking}"
    );
    let id = bookings::all_points(&desk.store, "SFJ").await.unwrap()[0].point.id;
    let calendar = gongkai_core::calendar::Calendar::builtin();
    let today = time::macros::date!(2026 - 11 - 20);
    let book =
        |day, slot| NewBooking { point_id: id, day, slot, name: "张三", phone: "13800138000" };
    let friday = time::macros::date!(2026 - 11 - 27);
    let afternoon =
        bookings::book(&desk.store, calendar, today, &book(friday, "14:00-15:30"), &common::ACTOR)
            .await
            .unwrap();
    assert_eq!(
        afternoon,
        Booked::Refused("所选时段在2026-11-27不开放，当日可预约的时段为：09:00-10:30。".to_owned())
    );
    let morning =
        bookings::book(&desk.store, calendar, today, &book(friday, "09:00-10:30"), &common::ACTOR)
            .await
            .unwrap();
    assert!(matches!(morning, Booked::Confirmed(_)), "{morning:?}");

    // Fridays closed from now on: saved, and the office told of the booking it strands.
    let changed = admin
        .post(
            page,
            &[
                ("action", "configure_point"),
                ("point", &id.to_string()),
                ("hours", "工作日"),
                ("capacity", "2"),
                ("slots", "09:00-10:30\r\n14:00-15:30"),
                ("week_3", "不开放"),
                ("week_5", "不开放"),
                ("closed_days", ""),
            ],
        )
        .await;
    assert!(
        changed.text().contains("已有1个有效预约落在闭馆日或不再开放的时段"),
        "{}",
        changed.text()
    );
}

/// A real 4×4 PNG.
const PNG: &[u8] = b"\x89\x50\x4e\x47\x0d\x0a\x1a\x0a\x00\x00\x00\x0d\x49\x48\x44\x52\x00\x00\x00\x04\x00\x00\x00\x04\x08\x02\x00\x00\x00\x26\x93\x09\x29\x00\x00\x00\x10\x49\x44\x41\x54\x78\x9c\x63\x38\x60\x60\x00\x47\x0c\xc4\x71\x00\xdd\x43\x12\x01\x80\x75\xa2\x41\x00\x00\x00\x00\x49\x45\x4e\x44\xae\x42\x60\x82";

/// 领导信息 with a photo (issue #17): uploaded in 单位设置, shown on the portal, served only under its
/// agency, kept when the profile is saved again; a file that is not JPEG or PNG is refused; removed, it is
/// gone from the portal.
#[tokio::test]
async fn a_leaders_photo_is_uploaded_and_shown_on_the_portal() {
    let desk = desk("live_photo").await;
    let mut admin = Client::sign_in(&desk, "sfjadmin").await;
    let page = "/staff/agencies/SFJ/settings";
    admin.post(page, &profile_form("温州市司法局", "", "0577-88000002")).await;
    let photo_form = "/staff/agencies/SFJ/settings/photo";
    let leader = [("action", "upload"), ("seq", "0"), ("name", "张三")];
    let gif = admin.upload(photo_form, &leader, "file", "photo.png", b"GIF89a\x01\x00").await;
    assert_eq!(gif.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(gif.text().contains("照片应为 JPG 或 PNG 图片"), "{}", gif.text());
    let moved = [("action", "upload"), ("seq", "0"), ("name", "李四")];
    let stale = admin.upload(photo_form, &moved, "file", "photo.png", PNG).await;
    assert!(stale.text().contains("领导信息已有变化"), "{}", stale.text());
    // Not a clerk's: refused before anything is read.
    let mut clerk = Client::sign_in(&desk, "clerk1").await;
    let refused = clerk.upload(photo_form, &leader, "file", "photo.png", PNG).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let uploaded = admin.upload(photo_form, &leader, "file", "photo.png", PNG).await;
    assert!(uploaded.text().contains("已更新张三的照片"), "{}", uploaded.text());

    let mut public = Client::new(&desk);
    let leaders = public.get("/agencies/SFJ/leaders").await.text();
    let src = leaders
        .split(r#"<img class="leader-photo" src=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("no photo: {leaders}"))
        .to_owned();
    let image = public.get(&src).await;
    assert_eq!(image.status, StatusCode::OK);
    assert_eq!(image.headers["content-type"], "image/png");
    assert_eq!(image.headers["x-content-type-options"], "nosniff");
    assert_eq!(image.bytes, PNG);
    assert_eq!(public.get(&src.replace("/SFJ/", "/CZJ/")).await.status, StatusCode::NOT_FOUND);
    // Saved again (the same leader): the photo stays (seen on the back office's page, never cached).
    admin.post(page, &profile_form("温州市司法局", "", "0577-88000003")).await;
    assert!(admin.get(page).await.text().contains(&src));
    let removed = admin
        .upload(
            photo_form,
            &[("action", "remove"), ("seq", "0"), ("name", "张三")],
            "file",
            "",
            b"",
        )
        .await;
    assert!(removed.text().contains("已删除张三的照片"), "{}", removed.text());
    assert!(!removed.text().contains(&src));
    assert_eq!(public.get(&src).await.status, StatusCode::NOT_FOUND);
}
