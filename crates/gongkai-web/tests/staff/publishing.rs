//! Publishing: a clerk publishes, edits, attaches to and withdraws catalog items.

use axum::http::StatusCode;
use time::macros::date;

use crate::common::*;

/// Publishes an item in SFJ through the form; returns its id.
pub(crate) async fn publish_one(client: &mut Client, title: &str) -> String {
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

/// Issue #20: the agency admin sets the 目录分类 list (with another system's name as an alias); the publish
/// form then offers the list, stores the term for the alias, and refuses a value outside it next to the
/// field, input kept; a confusing list comes back with its text kept.
#[tokio::test]
async fn the_agencys_category_list_is_set_by_its_admin_and_offered_to_the_clerk() {
    let desk = desk("vocabulary").await;
    let mut admin = Client::sign_in(&desk, "sfjadmin").await;
    let settings = admin.get("/staff/agencies/SFJ/settings").await;
    assert!(settings.text().contains("尚未设置"), "an open list at first");
    let confusing = admin
        .post(
            "/staff/agencies/SFJ/settings",
            &[("action", "vocabulary"), ("kind", "category"), ("terms", "工作信息\n工作信息类")],
        )
        .await;
    assert_eq!(confusing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(confusing.text().contains("是同一目录分类"), "{}", confusing.text());
    assert!(confusing.text().contains("工作信息\n工作信息类</textarea>"), "the text is kept");
    let saved = admin
        .post(
            "/staff/agencies/SFJ/settings",
            &[
                ("action", "vocabulary"),
                ("kind", "category"),
                ("terms", "通知公告\n工作信息\n工作动态=工作信息"),
            ],
        )
        .await;
    assert!(saved.text().contains("已保存目录分类表（2项）"), "{}", saved.text());

    let mut clerk = Client::sign_in(&desk, "clerk1").await;
    let form = clerk.get("/staff/agencies/SFJ/items/new").await;
    assert!(
        form.text().contains(r#"<select id="category" name="category">"#),
        "a list to choose from"
    );
    let post = |category: &'static str| {
        vec![
            ("title", "关于某事项的通知"),
            ("category", category),
            ("formed", "2026-11-16"),
            ("published", "2026-11-18"),
            ("validity", "有效"),
            ("website", "on"),
            ("website_on", "2026-11-18"),
        ]
    };
    let refused = clerk.post("/staff/agencies/SFJ/items/new", &post("人事信息")).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.text().contains("目录分类“人事信息”不在本单位的目录分类表中"),
        "{}",
        refused.text()
    );
    let published = clerk.post("/staff/agencies/SFJ/items/new", &post("工作动态")).await;
    assert_eq!(published.status, StatusCode::OK, "{}", published.text());
    assert!(
        published.text().contains(r#"<option value="工作信息" selected>"#),
        "stored as the term"
    );
}
