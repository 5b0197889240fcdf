//! Handling an application step by step with its letters, concurrent steps, and the dashboard following every change.

use axum::http::StatusCode;
use gongkai_store::handling;
use std::sync::{Arc, Mutex};
use time::macros::date;

use crate::common::*;

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
    clerk
        .step_done(
            &tracking,
            &[
                ("action", "supplement"),
                ("on", "2026-11-06"),
                ("items", "请明确所需统计的区域范围"),
                ("reply_by", "2026-11-16"),
            ],
        )
        .await;
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
    clerk.step_done(&tracking, &[("action", "supplement_received"), ("on", "2026-11-10")]).await;

    // The clerk asks for an extension; they cannot approve it, nor can the head approve their own.
    clerk
        .step_done(
            &tracking,
            &[
                ("action", "extension_request"),
                ("on", "2026-11-19"),
                ("reason", "需要汇总各县区数据"),
                ("working_days", "10"),
            ],
        )
        .await;
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
    head.step_done(
        &tracking,
        &[("action", "extension_decide"), ("on", "2026-11-20"), ("decision", "approve")],
    )
    .await;
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
    clerk
        .step_done(
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
    let kinds: Vec<&str> = letters.iter().map(|letter| letter.kind.code()).collect();
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

    // 归档: the handler takes the whole case as one ZIP; a reader who may not see the applicant cannot.
    assert!(page.contains("dossier.zip"), "the handler is offered the dossier");
    let dossier = clerk.get(&format!("/staff/cases/{tracking}/dossier.zip")).await;
    assert_eq!(dossier.status, StatusCode::OK);
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(dossier.bytes.clone())).unwrap();
    let names: Vec<String> = archive.file_names().map(str::to_owned).collect();
    assert_eq!(names.len(), 3 + letters.len(), "{names:?}");
    assert!(names.iter().any(|name| name == "归档.pdf"), "{names:?}");
    assert!(names.iter().any(|name| name.starts_with("文书/") && name.ends_with("补正告知书.pdf")));
    assert!(names.iter().any(|name| name.ends_with("政府信息公开申请答复书.docx")), "{names:?}");
    let mut summary = String::new();
    std::io::Read::read_to_string(&mut archive.by_name("案件.txt").unwrap(), &mut summary).unwrap();
    for expected in [
        "2025年全市人民调解案件数量统计",
        "申请人：李四",
        "期限计算",
        "第三十条",
        "记录人：clerk1",
        "部分公开",
    ] {
        assert!(summary.contains(expected), "{expected}: {summary}");
    }
    // The same as one PDF: the case, steps and trace, then every letter's pages.
    let pdf = clerk.get(&format!("/staff/cases/{tracking}/dossier.pdf")).await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(pdf.headers["content-type"], "application/pdf");
    assert!(pdf.bytes.starts_with(b"%PDF-"));
    if let Some(text) = pdf_text(&pdf.bytes) {
        for expected in [
            "政府信息公开申请办理归档",
            "2025年全市人民调解案件数量统计",
            "李四",
            "答复期限计算",
            "第三十条",
            "附件 1：文书：",
            "补正告知书",
            "涉及当事人姓名的调解案件明细",
        ] {
            assert!(text.contains(expected), "{expected}: {text}");
        }
    }
    let mut reviewer = Client::sign_in(&desk, "reviewer").await;
    assert!(
        !reviewer.get(&format!("/staff/cases/{tracking}")).await.text().contains("dossier.zip")
    );
    let refused = reviewer.get(&format!("/staff/cases/{tracking}/dossier.pdf")).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let refused = reviewer.get(&format!("/staff/cases/{tracking}/dossier.zip")).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let mut other = Client::sign_in(&desk, "other").await;
    let foreign = other.get(&format!("/staff/cases/{tracking}/dossier.zip")).await;
    assert!(matches!(foreign.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND));
    assert_eq!(
        gongkai_store::audit::count_actions(&desk.store, "case.dossier").await.unwrap(),
        2,
        "the download is audited"
    );
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

/// An online application to the bureau on 2026-11-16 whose clerk `clerk1` asked for a 补正 the next day.
pub(crate) async fn supplement_asked(desk: &Desk) -> (String, Client) {
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
    clerk
        .step_done(
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
    let page = clerk.get("/staff/agencies/SFJ").await.text();
    assert!(page.contains("全部在办（1）") && !page.contains(&first), "a reply: {page}");
    assert!(page.contains("3个工作日内到期（0）"), "{page}");
    set(date!(2026 - 12 - 29));
    let page = clerk.get("/staff/agencies/SFJ").await.text();
    assert!(page.contains("已超期（1）"), "overdue on a later day: {page}");
}

/// What the back office answered before the handling rules moved into the core, kept (a review of the move
/// found these changed): a closed case says so even to a stale form; a reply that does not name another
/// agency ignores the responsible-agency field; refusing an extension ignores the days field.
#[tokio::test]
async fn steps_answer_as_they_did_before_the_rules_moved_into_the_core() {
    let desk = desk("core_answers").await;
    let tracking = online_application(&desk.store, "SFJ", date!(2026 - 11 - 16)).await;
    let mut clerk = Client::sign_in(&desk, "clerk1").await;
    clerk
        .step_done(
            &tracking,
            &[
                ("action", "extension_request"),
                ("on", "2026-11-18"),
                ("reason", "需要调取档案"),
                ("working_days", "5"),
            ],
        )
        .await;
    let mut head = Client::sign_in(&desk, "head").await;
    head.step_done(
        &tracking,
        &[
            ("action", "extension_decide"),
            ("on", "2026-11-19"),
            ("decision", "refuse"),
            ("working_days", "abc"),
        ],
    )
    .await;
    clerk
        .step_done(
            &tracking,
            &[
                ("action", "reply"),
                ("outcome", "disclosed"),
                ("method", "post"),
                ("on", "2026-11-20"),
                ("responsible", "NO-SUCH-AGENCY"),
            ],
        )
        .await;
    let stale = clerk
        .post(
            &format!("/staff/cases/{tracking}/steps"),
            &[("version", "0"), ("action", "fee_paid"), ("on", "2026-11-20")],
        )
        .await;
    assert_eq!(stale.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(stale.text().contains("该申请已办结"), "{}", stale.text());
}

/// A lapsed case nobody had taken is closed by a clerk, who becomes its handler: the 告知书 names the
/// applicant in full (it is sent to them), not as the masked copy other readers see.
#[tokio::test]
async fn closing_an_unassigned_lapsed_case_sends_an_unmasked_letter() {
    let clock = Arc::new(Mutex::new(date!(2026 - 11 - 17)));
    let desk = desk_on("closeunassigned", Arc::clone(&clock)).await;
    let (tracking, _) = supplement_asked(&desk).await;
    // As an imported case would be: lapsed, with no handler.
    desk.store.execute_admin("UPDATE applications SET handler_id = NULL").await.unwrap();
    *clock.lock().unwrap() = date!(2026 - 12 - 07);
    let mut other_clerk = Client::sign_in(&desk, "clerk2").await;
    other_clerk.step_done(&tracking, &[("action", "close")]).await;
    let case = handling::case(&desk.store, &tracking).await.unwrap();
    assert_eq!(case.handler.as_deref(), Some("clerk2"), "closing made them the handler");
    let letters = gongkai_store::letters::of_case(&desk.store, &tracking).await.unwrap();
    let closing = letters
        .iter()
        .find(|letter| {
            letter.kind == gongkai_store::letters::LetterKind::Reply
                && !letter.media_type.contains("pdf")
        })
        .unwrap();
    let docx = other_clerk.get(&format!("/staff/letters/{}", closing.id)).await.bytes;
    let xml = docx_text(&docx);
    assert!(xml.contains("张三："), "{xml}");
    assert!(xml.contains("视为放弃申请"), "{xml}");
}

/// The case search page: every case of the agency paged (not capped), found by text and number, the
/// applicant's name searched only in the searcher's own cases, a bad date answered in Chinese with the form
/// kept, and the dashboard's year link still working.
#[tokio::test]
async fn the_case_search_finds_pages_and_keeps_names_to_the_handler() {
    let desk = desk("case_search").await;
    let mut numbers = Vec::new();
    for day in 1..=55u8 {
        let submitted =
            time::Date::from_calendar_date(2026, time::Month::October, day % 28 + 1).unwrap();
        numbers.push(online_application(&desk.store, "SFJ", submitted).await);
    }
    let last = numbers.last().unwrap().clone();
    let mut clerk = Client::sign_in(&desk, "clerk1").await;

    let all = clerk.get("/staff/agencies/SFJ/applications").await;
    assert_eq!(all.status, StatusCode::OK);
    let text = all.text();
    assert!(text.contains("共 55 件，第 1 / 2 页"), "{text}");
    assert!(text.contains("rel=\"next\""), "{text}");
    let second = clerk.get("/staff/agencies/SFJ/applications?page=2").await.text();
    assert_eq!(second.matches("/staff/cases/YSQ").count(), 5, "{second}");

    let found = clerk.get(&format!("/staff/agencies/SFJ/applications?number={last}")).await.text();
    assert!(found.contains("共 1 件"), "{found}");
    let found = clerk.get("/staff/agencies/SFJ/applications?text=%E8%80%83%E6%A0%B8").await.text();
    assert!(found.contains("共 55 件"), "考核 is in every description: {found}");

    // 张三's name: found only once the clerk handles the case.
    let by_name = "/staff/agencies/SFJ/applications?text=%E5%BC%A0%E4%B8%89";
    assert!(clerk.get(by_name).await.text().contains("共 0 件"));
    let taken = clerk.post(&format!("/staff/cases/{last}/assign"), &[]).await;
    assert!(taken.status.is_redirection(), "{}", taken.text());
    assert!(clerk.get(by_name).await.text().contains("共 1 件"));
    let mut other_clerk = Client::sign_in(&desk, "clerk2").await;
    assert!(other_clerk.get(by_name).await.text().contains("共 0 件"));
    // The same applicant (one ID number) recognised: counts for every reader, the list for the handler.
    let page = clerk.get(&format!("/staff/cases/{last}")).await.text();
    assert!(page.contains("该申请人在本平台共提交申请55件，其中向本机关55件"), "{page}");
    assert!(page.contains("此前向本机关提交的申请（最近20件）"), "{page}");
    let other_view = other_clerk.get(&format!("/staff/cases/{last}")).await.text();
    assert!(other_view.contains("共提交申请55件"), "{other_view}");
    assert!(other_view.contains("仅向本案经办人和单位负责人显示"), "{other_view}");
    assert!(!other_view.contains("此前向本机关提交的申请"), "{other_view}");
    let mine = clerk.get("/staff/agencies/SFJ/applications?handler=clerk1").await.text();
    assert!(mine.contains("共 1 件") && mine.contains(&last), "{mine}");

    let bad = clerk.get("/staff/agencies/SFJ/applications?from=2026-13-01&text=abc").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let bad = bad.text();
    assert!(bad.contains("提交日期（起）不是有效日期"), "{bad}");
    assert!(bad.contains("value=\"abc\""), "the form keeps what was typed: {bad}");
    let reversed =
        clerk.get("/staff/agencies/SFJ/applications?from=2026-10-20&to=2026-10-01").await.text();
    assert!(reversed.contains("起始日不能晚于截止日"), "{reversed}");

    let year = clerk.get("/staff/agencies/SFJ/applications?year=2025").await.text();
    assert!(year.contains("共 0 件") && year.contains("value=\"2025-01-01\""), "{year}");
}

/// The text of a PDF by poppler's `pdftotext` (installed by .ci/run); `None` where it is missing outside CI.
fn pdf_text(pdf: &[u8]) -> Option<String> {
    let path = std::env::temp_dir().join(format!("gk_pdf_text_{}.pdf", std::process::id()));
    std::fs::write(&path, pdf).unwrap();
    let output = std::process::Command::new("pdftotext").arg(&path).arg("-").output();
    std::fs::remove_file(&path).ok();
    match output {
        Ok(output) if output.status.success() => {
            Some(String::from_utf8_lossy(&output.stdout).into_owned())
        }
        _ => {
            assert!(std::env::var_os("CI").is_none(), "CI must provide pdftotext (poppler-utils)");
            eprintln!("pdftotext is not installed; the dossier PDF's text is not checked");
            None
        }
    }
}

/// Art. 35 on the case page: the handler asks for reasons (the facts prefilled from the applicant's count),
/// the step and its letter show, the due date stays, and it is not offered again.
#[tokio::test]
async fn the_handler_asks_the_applicant_for_reasons() {
    let desk = desk("reasons").await;
    for _ in 0..2 {
        online_application(&desk.store, "SFJ", date!(2026 - 11 - 16)).await;
    }
    let tracking = online_application(&desk.store, "SFJ", date!(2026 - 11 - 16)).await;
    let mut clerk = Client::sign_in(&desk, "clerk1").await;
    let taken = clerk.post(&format!("/staff/cases/{tracking}/assign"), &[]).await;
    assert!(taken.status.is_redirection());
    let page = clerk.get(&format!("/staff/cases/{tracking}")).await.text();
    assert!(page.contains("2026年11月，本机关共收到您的政府信息公开申请3件"), "{page}");
    let due_before =
        page.split("答复期限").nth(1).unwrap_or_default().chars().take(40).collect::<String>();
    clerk
        .step_done(
            &tracking,
            &[
                ("action", "reasons"),
                ("on", "2026-11-18"),
                ("facts", "2026年11月，本机关共收到您的政府信息公开申请3件"),
            ],
        )
        .await;
    let page = clerk.get(&format!("/staff/cases/{tracking}")).await.text();
    assert!(page.contains("要求说明理由"), "{page}");
    assert!(page.contains("政府信息公开申请要求说明理由告知书"), "{page}");
    assert!(!page.contains("id=\"form-reasons\""), "offered once: {page}");
    assert!(page.contains("超过合理范围的情况：2026年11月"), "the detail's label: {page}");
    let letters = gongkai_store::letters::of_case(&desk.store, &tracking).await.unwrap();
    let letter =
        letters.iter().find(|letter| letter.title.contains("说明理由")).expect("the letter");
    let download = clerk.get(&format!("/staff/letters/{}", letter.id)).await;
    let disposition = download.headers["content-disposition"].to_str().unwrap().to_owned();
    assert!(!disposition.contains("supplement"), "named by its title: {disposition}");
    let due_after =
        page.split("答复期限").nth(1).unwrap_or_default().chars().take(40).collect::<String>();
    assert_eq!(due_before, due_after, "the due date stays");

    // The reasons are found reasonable: a later date, the letter, the due date moved.
    let late = clerk
        .step(
            &tracking,
            &[
                ("action", "defer"),
                ("on", "2026-11-20"),
                ("until", "2026-12-01"),
                ("reason", "需核对"),
            ],
        )
        .await;
    assert_eq!(late.status, StatusCode::UNPROCESSABLE_ENTITY, "not later than the due date");
    assert!(late.text().contains("延迟答复的期限应晚于现答复期限"), "{}", late.text());
    clerk
        .step_done(
            &tracking,
            &[
                ("action", "defer"),
                ("on", "2026-11-20"),
                ("until", "2027-01-29"),
                ("reason", "需调取五年的调解档案逐件核对"),
            ],
        )
        .await;
    let page = clerk.get(&format!("/staff/cases/{tracking}")).await.text();
    assert!(page.contains("确定延迟答复期限至2027-01-29"), "{page}");
    assert!(page.contains("政府信息公开申请延迟答复告知书"), "{page}");
    assert!(page.contains("2027-01-29"), "{page}");
}
