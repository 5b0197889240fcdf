//! The annual report: drafted, reviewed, signed and published; a year of records reaching it; the supervisor's region; reports uploaded for audit.

use axum::http::{StatusCode, header};
use gongkai_core::calendar::Calendar;
use gongkai_core::report::values::Quantity;
use gongkai_store::Store;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use time::macros::date;

use crate::common::*;

async fn report_version(store: &Store, year: i32) -> String {
    gongkai_store::reports::workflow(store, "SFJ", year)
        .await
        .unwrap()
        .map_or(0, |workflow| workflow.version)
        .to_string()
}

/// Posts a sign-off step (`fields`, with its action) on SFJ's report of `year` at the report's current version.
async fn act_on_report(
    client: &mut Client,
    store: &Store,
    year: i32,
    fields: &[(&str, &str)],
) -> Answer {
    let version = report_version(store, year).await;
    let mut form = vec![("version", version.as_str())];
    form.extend_from_slice(fields);
    client.post(&format!("/staff/agencies/SFJ/reports/{year}"), &form).await
}

#[tokio::test]
async fn the_annual_report_is_drafted_reviewed_signed_and_published() {
    let desk = desk("report").await;
    // A year of work: one application replied to.
    let tracking = online_application(&desk.store, "SFJ", date!(2026 - 03 - 02)).await;
    let mut clerk = Client::sign_in(&desk, "clerk1").await;
    clerk
        .step_done(
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
    let saved = act_on_report(
        &mut clerk,
        &desk.store,
        2026,
        &[
            ("action", "text"),
            ("section", "problems"),
            ("text", "一是主动公开的及时性有待提高。\n\n二是加强培训。"),
        ],
    )
    .await;
    assert!(saved.text().contains("已保存"), "{}", saved.text());
    assert!(saved.text().contains("一是主动公开的及时性有待提高。"));
    // The phone printed on the report carries its area code (issue #20: "88367543" reaches no one outside).
    let local = act_on_report(
        &mut clerk,
        &desk.store,
        2026,
        &[("action", "submit"), ("phone", "88367543")],
    )
    .await;
    assert!(local.text().contains("缺少区号"), "{}", local.text());
    let submitted = act_on_report(
        &mut clerk,
        &desk.store,
        2026,
        &[("action", "submit"), ("phone", "0577-88367543")],
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
    act_on_report(
        &mut clerk,
        &desk.store,
        2026,
        &[("action", "submit"), ("phone", "0577-88367543")],
    )
    .await;
    let approved = act_on_report(
        &mut reviewer,
        &desk.store,
        2026,
        &[("action", "approve"), ("comments", "同意")],
    )
    .await;
    assert!(approved.text().contains("已审核通过"), "{}", approved.text());

    // The head signs; the clerk publishes; the portal has it with the signature block.
    let mut head = Client::sign_in(&desk, "head").await;
    let signed = act_on_report(&mut head, &desk.store, 2026, &[("action", "sign")]).await;
    assert!(signed.text().contains("已签发"), "{}", signed.text());
    let published = act_on_report(&mut clerk, &desk.store, 2026, &[("action", "publish")]).await;
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
    act_on_report(&mut reviewer, &desk.store, 2026, &[("action", "approve")]).await;
    let own = act_on_report(&mut head, &desk.store, 2026, &[("action", "sign")]).await;
    assert_eq!(own.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(own.text().contains("填报人不能签发自己填报的报告"), "{}", own.text());
}

/// A step whose form carries no usable version is refused, not taken against a made-up one (it used to become
/// version -1 and, for most steps, reach the store).
#[tokio::test]
async fn a_report_step_without_a_version_is_refused() {
    let desk = desk("reportversion").await;
    let mut clerk = Client::sign_in(&desk, "clerk1").await;
    for version in ["x", "", "1.5"] {
        let refused = clerk
            .post(
                "/staff/agencies/SFJ/reports/2026",
                &[("version", version), ("action", "submit"), ("phone", "0577-1")],
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{version:?}");
        assert!(
            refused.text().contains("表单版本号无效，请刷新页面后重试。"),
            "{}",
            refused.text()
        );
    }
    assert_eq!(report_version(&desk.store, 2026).await, "0", "nothing was written");
    let submitted =
        act_on_report(&mut clerk, &desk.store, 2026, &[("action", "submit"), ("phone", "0577-1")])
            .await;
    assert!(submitted.text().contains("已提交审核"), "{}", submitted.text());
}

/// A ledger entry made by mistake is removed (the audit trail keeps it), and a staff member who left stops
/// counting from the day after their last day; neither reaches another agency's entries.
#[tokio::test]
async fn a_mistaken_entry_is_removed_and_a_leaver_leaves_the_headcount() {
    let desk = desk("ledgerfix").await;
    let mut clerk = Client::sign_in(&desk, "clerk1").await;
    for (label, day) in [("张三", "2026-01-05"), ("李四", "2026-02-02")] {
        let added = clerk
            .post(
                "/staff/agencies/SFJ/ledger",
                &[("form", "staff"), ("label", label), ("full_time", "on"), ("day", day)],
            )
            .await;
        assert!(added.text().contains("已登记"), "{}", added.text());
    }
    let lines = gongkai_store::ledger::lines(&desk.store, "SFJ", 2026).await.unwrap();
    let id_of = |name: &str| {
        lines.iter().find(|line| line.kind == "staff" && line.text.starts_with(name)).unwrap().id
    };
    let (zhang, li) = (id_of("张三").to_string(), id_of("李四").to_string());

    // 张三 left on 30 June: the page says so, and the records end there.
    let left = clerk
        .post(
            "/staff/agencies/SFJ/ledger",
            &[("form", "left"), ("id", &zhang), ("day", "2026-06-30")],
        )
        .await;
    assert!(left.text().contains("已登记离岗"), "{}", left.text());
    assert!(left.text().contains("2026-06-30离岗"), "{}", left.text());
    let again = clerk
        .post(
            "/staff/agencies/SFJ/ledger",
            &[("form", "left"), ("id", &zhang), ("day", "2026-07-01")],
        )
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.text().contains("不在岗"), "{}", again.text());
    let records = gongkai_store::records::load(&desk.store, "SFJ").await.unwrap();
    let zhang_record = records.staff.iter().find(|staff| staff.id == "张三").unwrap();
    assert_eq!(zhang_record.to, Some(date!(2026 - 06 - 30)));

    // Another agency's clerk can neither remove nor end SFJ's entries, on their page or on SFJ's.
    let mut other = Client::sign_in(&desk, "other").await;
    let theirs = other
        .post("/staff/agencies/CZJ/ledger", &[("form", "remove"), ("kind", "staff"), ("id", &li)])
        .await;
    assert_eq!(theirs.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(theirs.text().contains("本单位没有这条登记"), "{}", theirs.text());
    let ours = other
        .post("/staff/agencies/SFJ/ledger", &[("form", "remove"), ("kind", "staff"), ("id", &li)])
        .await;
    assert_eq!(ours.status, StatusCode::FORBIDDEN);

    // 李四 was entered by mistake: removed, gone from the records, kept in the audit trail.
    let removed = clerk
        .post("/staff/agencies/SFJ/ledger", &[("form", "remove"), ("kind", "staff"), ("id", &li)])
        .await;
    assert!(removed.text().contains("已删除"), "{}", removed.text());
    let records = gongkai_store::records::load(&desk.store, "SFJ").await.unwrap();
    assert!(records.staff.iter().all(|staff| staff.id != "李四"), "{:?}", records.staff);
    assert!(records.staff.iter().any(|staff| staff.id == "张三"));
    assert_eq!(
        gongkai_store::audit::count_actions(&desk.store, "ledger.staff.remove").await.unwrap(),
        1
    );
    let twice = clerk
        .post("/staff/agencies/SFJ/ledger", &[("form", "remove"), ("kind", "staff"), ("id", &li)])
        .await;
    assert_eq!(twice.status, StatusCode::UNPROCESSABLE_ENTITY);
    let funding = clerk
        .post("/staff/agencies/SFJ/ledger", &[("form", "remove"), ("kind", "funding"), ("id", "0")])
        .await;
    assert!(funding.text().contains("未知的登记事项"), "{}", funding.text());
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
        vec![
            ("form", "complaint"),
            ("summary", "某局未按时答复"),
            ("application", tracking.as_str()),
            ("day", "2026-04-01"),
        ],
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
    // The complaint about the same application is concluded once, with what was found and done.
    let complaint = gongkai_store::ledger::lines(&desk.store, "SFJ", 2026)
        .await
        .unwrap()
        .into_iter()
        .find(|line| line.kind == "complaint")
        .unwrap()
        .id
        .to_string();
    for (day, handling, status, said) in [
        ("2026-03-01", "已督促答复", StatusCode::UNPROCESSABLE_ENTITY, "早于收到日期"),
        ("2026-04-20", "", StatusCode::UNPROCESSABLE_ENTITY, "请填写处理情况"),
        ("2026-04-20", "已督促承办处室答复并约谈", StatusCode::OK, "已登记办结"),
        ("2026-04-21", "再次办结", StatusCode::UNPROCESSABLE_ENTITY, "已办结"),
    ] {
        let form = [
            ("form", "conclude"),
            ("id", complaint.as_str()),
            ("result", "founded"),
            ("handling", handling),
            ("day", day),
        ];
        let answer = clerk.post("/staff/agencies/SFJ/ledger", &form).await;
        assert_eq!(answer.status, status, "{form:?}: {}", answer.text());
        assert!(answer.text().contains(said), "{form:?}: {}", answer.text());
    }
    let records = gongkai_store::records::load(&desk.store, "SFJ").await.unwrap();
    let concluded = records.complaints[0].concluded.as_ref().unwrap();
    assert_eq!(records.complaints[0].application.as_deref(), Some(tracking.as_str()));
    assert_eq!(
        (concluded.on, concluded.result, concluded.handling.as_str()),
        (
            date!(2026 - 04 - 20),
            gongkai_core::records::ComplaintResult::Founded,
            "已督促承办处室答复并约谈"
        )
    );

    // The case page shows the review, the lawsuit and the complaint about it, and where each stands.
    let case = clerk.get(&format!("/staff/cases/{tracking}")).await.text();
    assert!(case.contains("2026-04-01</span> 举报投诉（收到）　2026-04-20办结：属实"), "{case}");
    assert!(case.contains("行政复议、行政诉讼和举报投诉"), "{case}");
    assert!(
        case.contains("2026-05-06</span> 行政复议（立案）　2026-08-01审结：维持（驳回）"),
        "{case}"
    );
    assert!(case.contains("2026-07-01</span> 行政诉讼（立案）　尚未审结"), "{case}");
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
            clerk
                .step_done(
                    &tracking,
                    &[
                        ("action", "extension_request"),
                        ("on", &day.to_string()),
                        ("reason", "需要调取历年档案核对"),
                        ("working_days", "10"),
                    ],
                )
                .await;
            head.step_done(
                &tracking,
                &[
                    ("action", "extension_decide"),
                    ("on", &day.to_string()),
                    ("decision", "approve"),
                ],
            )
            .await;
        }
        let reply_on = calendar.add_working_days(day, 2).unwrap();
        if category == "withheld.trade_secret" {
            let next = calendar.add_working_days(day, 1).unwrap();
            set(next);
            clerk
                .step_done(
                    &tracking,
                    &[
                        ("action", "consult"),
                        ("party", "third_party"),
                        ("consulted", "温州某某科技有限公司"),
                        ("on", &day.to_string()),
                    ],
                )
                .await;
            clerk
                .step_done(
                    &tracking,
                    &[
                        ("action", "consult_answered"),
                        ("opinion", "disagree"),
                        ("on", &next.to_string()),
                    ],
                )
                .await;
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
    clerk
        .step_done(
            &unanswered,
            &[
                ("action", "supplement"),
                ("on", &day.to_string()),
                ("items", "请明确所需信息的年份"),
                ("reply_by", &calendar.add_working_days(day, 10).unwrap().to_string()),
            ],
        )
        .await;
    count("app.result.other.no_supplement", applicant);
    count("app.new", applicant);
    let (unpaid, fee_applicant) = register(&mut clerk, day, n + 1).await;
    clerk
        .step_done(
            &unpaid,
            &[
                ("action", "fee"),
                ("on", &day.to_string()),
                ("basis", "per_volume"),
                ("pages", "250"),
            ],
        )
        .await;
    count("app.result.other.fee_not_paid", fee_applicant);
    count("app.new", fee_applicant);
    set(calendar.add_working_days(day, 25).unwrap());
    for tracking in [&unanswered, &unpaid] {
        let closed = clerk.step(tracking, &[("action", "close")]).await;
        assert_eq!(closed.status, StatusCode::SEE_OTHER, "{tracking}: {}", closed.text());
        // Closing a lapsed case sends its 告知书, sent the day it is closed, as DOCX and PDF.
        let letters = gongkai_store::letters::of_case(&desk.store, tracking).await.unwrap();
        let closing: Vec<_> = letters
            .iter()
            .filter(|letter| letter.kind == gongkai_store::letters::LetterKind::Reply)
            .collect();
        assert_eq!(closing.len(), 2, "{tracking}: {letters:?}");
        assert!(closing.iter().all(|letter| letter.sent_on.is_some()), "{closing:?}");
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
    let submitted = act_on_report(
        &mut clerk,
        &desk.store,
        2025,
        &[("action", "submit"), ("phone", "0577-88367543")],
    )
    .await;
    assert!(submitted.text().contains("已提交审核"), "{}", submitted.text());
    let mut reviewer = Client::sign_in(&desk, "reviewer").await;
    let approved = act_on_report(&mut reviewer, &desk.store, 2025, &[("action", "approve")]).await;
    assert!(approved.text().contains("已审核通过"), "{}", approved.text());
    let signed = act_on_report(&mut head, &desk.store, 2025, &[("action", "sign")]).await;
    assert!(signed.text().contains("已签发"), "{}", signed.text());
    let published = act_on_report(&mut head, &desk.store, 2025, &[("action", "publish")]).await;
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

/// The ledger's forms refuse what they cannot record, each with its reason in the form that was sent.
#[tokio::test]
async fn the_ledger_refuses_what_it_cannot_record() {
    let desk = desk("ledger_refusals").await;
    let mut clerk = Client::sign_in(&desk, "clerk1").await;
    let cases: [(&[(&str, &str)], &str); 5] = [
        (
            &[("form", "review"), ("day", "2026-11-10"), ("application", "YSQ-NONE")],
            "本单位没有申请编号为“YSQ-NONE”的申请",
        ),
        (&[("form", "review"), ("day", "2026-11-21")], "日期不能晚于今天"),
        (
            &[("form", "training"), ("day", "2026-11-10"), ("title", "培训"), ("trainees", "十")],
            "请填写培训人次（整数）",
        ),
        (
            &[("form", "complaint"), ("day", "2026-11-10"), ("summary", " ")],
            "请填写举报投诉的内容摘要",
        ),
        (
            &[
                ("form", "declared"),
                ("measure", "no.such.measure"),
                ("value", "1"),
                ("source", "平台"),
            ],
            "请选择报告中的项目",
        ),
    ];
    for (fields, message) in cases {
        let answer = clerk.post("/staff/agencies/SFJ/ledger", fields).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{fields:?}");
        assert!(answer.text().contains(message), "{fields:?}: {}", answer.text());
    }
    let recorded = clerk
        .post(
            "/staff/agencies/SFJ/ledger",
            &[
                ("form", "training"),
                ("day", "2026-11-10"),
                ("title", "业务培训"),
                ("trainees", "12"),
            ],
        )
        .await;
    assert!(recorded.text().contains("已登记"), "{}", recorded.text());
}

/// A ledger entry corrected in place: the 更正 link opens its kind's form saying what it replaces; saving
/// replaces it in one step, audited with the old entry; another agency's entry cannot be corrected.
#[tokio::test]
async fn a_ledger_entry_is_corrected_in_place() {
    let desk = desk("ledgercorrect").await;
    let mut clerk = Client::sign_in(&desk, "clerk1").await;
    let added = clerk
        .post(
            "/staff/agencies/SFJ/ledger",
            &[
                ("form", "training"),
                ("title", "政务公开培训班"),
                ("trainees", "30"),
                ("day", "2026-03-05"),
            ],
        )
        .await;
    assert!(added.text().contains("已登记"), "{}", added.text());
    let lines = gongkai_store::ledger::lines(&desk.store, "SFJ", 2026).await.unwrap();
    let id = lines.iter().find(|line| line.kind == "training").unwrap().id;

    let page = clerk.get("/staff/agencies/SFJ/ledger?year=2026").await.text();
    assert!(page.contains(&format!("correct=training:{id}")), "the 更正 link: {page}");
    let form = clerk
        .get(&format!("/staff/agencies/SFJ/ledger?year=2026&correct=training:{id}"))
        .await
        .text();
    assert!(form.contains("更正原登记：2026-03-05"), "{form}");
    assert!(form.contains(&format!("name=\"replaces\" value=\"{id}\"")), "{form}");

    let corrected = clerk
        .post(
            "/staff/agencies/SFJ/ledger",
            &[
                ("form", "training"),
                ("replaces", &id.to_string()),
                ("title", "政务公开专题培训班"),
                ("trainees", "45"),
                ("day", "2026-03-05"),
            ],
        )
        .await;
    assert!(corrected.text().contains("已登记"), "{}", corrected.text());
    let lines = gongkai_store::ledger::lines(&desk.store, "SFJ", 2026).await.unwrap();
    let trainings: Vec<&str> = lines
        .iter()
        .filter(|line| line.kind == "training")
        .map(|line| line.text.as_str())
        .collect();
    assert_eq!(trainings.len(), 1, "{trainings:?}");
    assert!(
        trainings[0].contains("政务公开专题培训班") && trainings[0].contains("45"),
        "{trainings:?}"
    );
    assert_eq!(
        gongkai_store::audit::count_actions(&desk.store, "ledger.training.correct").await.unwrap(),
        1
    );
    // Correcting what is gone (or another agency's) changes nothing.
    let again = clerk
        .post(
            "/staff/agencies/SFJ/ledger",
            &[
                ("form", "training"),
                ("replaces", &id.to_string()),
                ("title", "再改"),
                ("trainees", "1"),
                ("day", "2026-03-05"),
            ],
        )
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    let mut other = Client::sign_in(&desk, "other").await;
    let new_id = gongkai_store::ledger::lines(&desk.store, "SFJ", 2026)
        .await
        .unwrap()
        .iter()
        .find(|line| line.kind == "training")
        .unwrap()
        .id;
    let foreign = other
        .post(
            "/staff/agencies/CZJ/ledger",
            &[
                ("form", "training"),
                ("replaces", &new_id.to_string()),
                ("title", "冒改"),
                ("trainees", "1"),
                ("day", "2026-03-05"),
            ],
        )
        .await;
    assert_eq!(foreign.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", foreign.text());
    let still = gongkai_store::ledger::lines(&desk.store, "SFJ", 2026).await.unwrap();
    assert!(still.iter().any(|line| line.kind == "training" && line.text.contains("专题")));
}
