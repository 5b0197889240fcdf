//! Telling the applicant: the receipt, a 补正 request and the reply go out by e-mail to a local SMTP server,
//! the letters attached as PDF; an unreachable server is retried without holding up the step; a send
//! interrupted by a stopped process is never repeated by the machine; without SMTP the case says nothing
//! was sent.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::http::StatusCode;
use base64::Engine;
use gongkai_store::applications::{self, NewApplication, ReceiptNotice};
use gongkai_store::notifications::{self, Channels, Status};
use gongkai_web::notify::{Mailer, Outbox};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

use crate::common::*;

/// How the local SMTP server answers a recipient.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Answer {
    Accept,
    /// 550: the mailbox does not exist (permanent).
    Refuse,
    /// Takes the message and never answers after it (a server that hangs).
    Stall,
}

/// A local SMTP server keeping every message it accepts (its DATA, as sent).
struct Sink {
    addr: SocketAddr,
    messages: Arc<Mutex<Vec<String>>>,
}

async fn sink(answer: Answer) -> Sink {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let messages = Arc::new(Mutex::new(Vec::new()));
    let kept = Arc::clone(&messages);
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let kept = Arc::clone(&kept);
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read);
                write.write_all(b"220 sink ESMTP\r\n").await.unwrap();
                let mut line = String::new();
                loop {
                    line.clear();
                    if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
                        return;
                    }
                    let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
                    let reply: &[u8] = match verb.as_str() {
                        "EHLO" | "HELO" => b"250 sink\r\n",
                        "RCPT" if answer == Answer::Refuse => b"550 5.1.1 no such mailbox\r\n",
                        "DATA" => {
                            write.write_all(b"354 go ahead\r\n").await.unwrap();
                            let mut data = String::new();
                            loop {
                                line.clear();
                                lines.read_line(&mut line).await.unwrap();
                                if line == ".\r\n" {
                                    break;
                                }
                                data.push_str(&line);
                            }
                            kept.lock().unwrap().push(data);
                            if answer == Answer::Stall {
                                tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
                            }
                            b"250 queued\r\n"
                        }
                        "QUIT" => {
                            write.write_all(b"221 bye\r\n").await.ok();
                            return;
                        }
                        _ => b"250 OK\r\n",
                    };
                    write.write_all(reply).await.unwrap();
                }
            });
        }
    });
    Sink { addr, messages }
}

impl Sink {
    fn outbox(&self, desk: &Desk) -> Outbox {
        let mailer = Mailer::new(
            &format!("smtp://{}", self.addr),
            "温州市司法局 <gongkai@wenzhou.example.cn>",
        )
        .unwrap();
        Outbox::new(desk.store.clone(), Some(mailer), None)
    }

    fn taken(&self) -> Vec<String> {
        self.messages.lock().unwrap().clone()
    }
}

/// A message with its base64 parts decoded (lettre sends Chinese text and PDFs as base64).
fn decoded(message: &str) -> (String, Vec<Vec<u8>>) {
    let mut text = String::new();
    let mut binaries = Vec::new();
    let unfolded = message.replace("\r\n", "\n");
    for part in unfolded.split("\n--") {
        let Some((head, body)) = part.split_once("\n\n") else { continue };
        if head.to_ascii_lowercase().contains("content-transfer-encoding: base64") {
            let joined: String = body.lines().take_while(|line| !line.is_empty()).collect();
            let bytes = base64::engine::general_purpose::STANDARD.decode(joined.trim()).unwrap();
            if head.contains("application/pdf") {
                binaries.push(bytes);
            } else {
                text.push_str(&String::from_utf8_lossy(&bytes));
            }
        } else {
            text.push_str(body);
        }
    }
    (text, binaries)
}

async fn set_channels(desk: &Desk, outbox: &Outbox) {
    let _ = desk.state.clone().with_channels(outbox.channels());
}

fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let from = text.find(start).unwrap_or_else(|| panic!("{start} in {text}")) + start.len();
    let to = text[from..].find(end).unwrap() + from;
    &text[from..to]
}

#[tokio::test]
async fn the_applicant_is_told_of_the_receipt_the_supplement_and_the_reply_by_mail() {
    let desk = desk("notices_mail").await;
    let sink = sink(Answer::Accept).await;
    let outbox = sink.outbox(&desk);
    set_channels(&desk, &outbox).await;

    // The applicant applies online, asking for e-mail.
    let mut public = Client::new(&desk);
    let form = public.get("/agencies/SFJ/apply").await;
    assert_eq!(form.status, StatusCode::OK);
    let receipt = public
        .post(
            "/agencies/SFJ/apply",
            &[
                ("applicant_type", "natural"),
                ("name", "张三"),
                ("id_type", "居民身份证"),
                ("id_number", "11010519491231002X"),
                ("phone", "13812345678"),
                ("email", "zhangsan@example.cn"),
                ("address", "温州市鹿城区人民路1号"),
                ("description", "2025年度行政复议决定书目录"),
                ("delivery_form", "电子邮件"),
            ],
        )
        .await;
    assert_eq!(receipt.status, StatusCode::OK, "{}", receipt.text());
    let page = receipt.text();
    let tracking = between(&page, "id=\"tracking-number\">", "<").to_owned();
    let code = between(&page, "id=\"verification-code\">", "<").to_owned();
    assert!(sink.taken().is_empty(), "nothing leaves before the worker runs");
    assert_eq!(
        outbox.deliver_due().await.unwrap(),
        1,
        "the e-mail; no SMS gateway, so the SMS is skipped"
    );
    let taken = sink.taken();
    assert_eq!(taken.len(), 1);
    let (text, pdfs) = decoded(&taken[0]);
    assert!(taken[0].contains("To: zhangsan@example.cn"), "{}", taken[0]);
    assert!(taken[0].contains("Message-ID: <gongkai-notice-"), "{}", taken[0]);
    assert!(text.contains(&tracking) && text.contains(&format!("查询码：{code}")), "{text}");
    // Received Friday 2026-11-20 online; 20 working days from Monday 11-23 → 12-18.
    assert!(text.contains("答复期限至2026年12月18日"), "{text}");
    assert!(pdfs.is_empty());
    let kept_codes = desk
        .store
        .count_admin(&format!(
            "SELECT COUNT(*) FROM notifications WHERE secret IS NOT NULL OR body LIKE '%{code}%'"
        ))
        .await
        .unwrap();
    assert_eq!(kept_codes, 0, "the code leaves the outbox with the notice");
    assert_eq!(outbox.deliver_due().await.unwrap(), 0, "sent once");

    // The clerk asks for a 补正: the applicant gets the notice with the letter.
    let mut clerk = Client::sign_in(&desk, "clerk1").await;
    clerk
        .step_done(
            &tracking,
            &[
                ("action", "supplement"),
                ("on", "2026-11-20"),
                ("items", "请写明所需决定书的年份"),
                ("reply_by", "2026-12-04"),
            ],
        )
        .await;
    assert_eq!(outbox.deliver_due().await.unwrap(), 1);
    let (text, pdfs) = decoded(&sink.taken()[1]);
    assert!(text.contains("请于2026年12月4日前补正以下内容：请写明所需决定书的年份"), "{text}");
    assert_eq!(pdfs.len(), 1, "the 补正告知书 as PDF");
    assert!(pdfs[0].starts_with(b"%PDF"));
    assert!(sink.taken()[1].contains("filename"), "the attachment is named");

    // The supplement arrives (nothing to tell), then the reply, served by e-mail.
    clerk.step_done(&tracking, &[("action", "supplement_received"), ("on", "2026-11-20")]).await;
    assert_eq!(outbox.deliver_due().await.unwrap(), 0, "an arrival is not told");
    clerk
        .step_done(
            &tracking,
            &[
                ("action", "reply"),
                ("outcome", "disclosed"),
                ("method", "online"),
                ("access", "电子邮件发送"),
                ("on", "2026-11-20"),
            ],
        )
        .await;
    assert_eq!(outbox.deliver_due().await.unwrap(), 1);
    let (text, pdfs) = decoded(&sink.taken()[2]);
    assert!(text.contains("已于2026年11月20日作出答复（予以公开）"), "{text}");
    assert_eq!(pdfs.len(), 1, "the 答复书 as PDF");

    // The case page lists every notice, where it went, and the day of electronic service.
    let case = clerk.get(&format!("/staff/cases/{tracking}")).await.text();
    assert!(case.contains("通知申请人"), "{case}");
    assert_eq!(case.matches("已发送").count(), 3, "{case}");
    assert!(case.contains("受理回执") && case.contains("补正通知") && case.contains("答复通知"));
    assert!(case.contains("zhangsan@example.cn"), "the handler sees the address");
    assert!(case.contains("电子送达日期"), "{case}");
    assert_eq!(case.matches("本平台未配置短信网关，未发送").count(), 3, "{case}");
    // A reader who does not handle the case sees the address masked.
    let mut reviewer = Client::sign_in(&desk, "reviewer").await;
    let masked = reviewer.get(&format!("/staff/cases/{tracking}")).await.text();
    assert!(!masked.contains("zhangsan@") && masked.contains("***@example.cn"), "{masked}");
    assert!(!masked.contains("13812345678"));
    // So does the agency's head, as in the applicant block above it: only the handler sees the address.
    let mut head = Client::sign_in(&desk, "head").await;
    let page = head.get(&format!("/staff/cases/{tracking}")).await.text();
    assert!(!page.contains("zhangsan@") && page.contains("***@example.cn"), "{page}");
}

fn application<'a>(email: &'a str) -> NewApplication<'a> {
    NewApplication {
        applicant: gongkai_core::records::ApplicantType::Natural,
        name: "张三",
        id_type: "居民身份证",
        id_number: "11010519491231002X",
        phone: "0577-88000001",
        address: "温州市鹿城区某路1号",
        email,
        description: "2025年度律师事务所年度检查考核结果",
        delivery_form: "电子邮件",
        intake: gongkai_core::regime::Intake::received_on(
            gongkai_core::regime::Channel::Online,
            time::macros::date!(2026 - 11 - 20),
        ),
    }
}

/// `application` received by 温州市司法局 with its receipt notice on `channels`.
async fn received(
    desk: &Desk,
    application: &NewApplication<'_>,
    channels: Channels,
) -> applications::Receipt {
    let notice = ReceiptNotice { due: None, provisional: false, channels };
    applications::intake_with_attachments(
        &desk.store,
        "SFJ",
        application,
        &[],
        "203.0.113.0",
        Some(notice),
        &ACTOR,
    )
    .await
    .unwrap()
}

async fn intake(desk: &Desk, email: &str, channels: Channels) -> String {
    received(desk, &application(email), channels).await.tracking_number
}

async fn statuses(desk: &Desk, tracking: &str) -> Vec<(Status, i64, String)> {
    let case = gongkai_store::handling::case(&desk.store, tracking).await.unwrap();
    notifications::of_case(&desk.store, case.id)
        .await
        .unwrap()
        .into_iter()
        .map(|notice| (notice.status, notice.attempts, notice.last_error))
        .collect()
}

#[tokio::test]
async fn an_unreachable_server_is_retried_and_an_interrupted_send_waits_for_a_person() {
    let desk = desk("notices_retry").await;
    // A port nobody listens on.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let mailer = Mailer::new(&format!("smtp://{closed}"), "gongkai@wenzhou.example.cn").unwrap();
    let down = Outbox::new(desk.store.clone(), Some(mailer), None);
    set_channels(&desk, &down).await;
    let tracking = intake(&desk, "zhangsan@example.cn", down.channels()).await;
    assert_eq!(down.deliver_due().await.unwrap(), 1);
    let after = statuses(&desk, &tracking).await;
    assert_eq!(after.len(), 1, "a landline takes no SMS: {after:?}");
    assert_eq!((after[0].0, after[0].1), (Status::Pending, 1), "{after:?}");
    assert!(after[0].2.contains("邮件服务器"), "{after:?}");
    assert_eq!(down.deliver_due().await.unwrap(), 0, "not again before its time");
    // The step was never held up: the case takes its next step.
    let mut clerk = Client::sign_in(&desk, "clerk1").await;
    clerk
        .step_done(
            &tracking,
            &[
                ("action", "supplement"),
                ("on", "2026-11-20"),
                ("items", "年份"),
                ("reply_by", "2026-12-04"),
            ],
        )
        .await;
    let page = clerk.get(&format!("/staff/cases/{tracking}")).await.text();
    assert!(page.contains("待发送") && page.contains("邮件服务器"), "{page}");

    // The server is back; the retry is due (moved forward here instead of waiting 30 s).
    let sink = sink(Answer::Accept).await;
    let up = sink.outbox(&desk);
    desk.store
        .execute_admin("UPDATE notifications SET next_attempt_at = 0 WHERE status = 'pending'")
        .await
        .unwrap();
    assert_eq!(up.deliver_due().await.unwrap(), 2);
    assert_eq!(sink.taken().len(), 2);

    // A process that stopped mid-send leaves its claim: the row becomes unknown, and is not sent again.
    let second = intake(&desk, "lisi@example.cn", up.channels()).await;
    desk.store
        .execute_admin(
            "UPDATE notifications SET status = 'sending', claimed_until = 1 WHERE recipient = 'lisi@example.cn'",
        )
        .await
        .unwrap();
    assert_eq!(up.deliver_due().await.unwrap(), 0);
    assert_eq!(sink.taken().len(), 2, "not sent a second time by the machine");
    let unknown = statuses(&desk, &second).await;
    assert_eq!(unknown[0].0, Status::Unknown, "{unknown:?}");
    // The handler checks and sends it again; a second resend of the same notice is refused.
    let mut handler = Client::sign_in(&desk, "clerk2").await;
    handler.post(&format!("/staff/cases/{second}/assign"), &[]).await;
    let page = handler.get(&format!("/staff/cases/{second}")).await.text();
    assert!(page.contains("结果不明") && page.contains("重新发送"), "{page}");
    let id = notifications::of_case(
        &desk.store,
        gongkai_store::handling::case(&desk.store, &second).await.unwrap().id,
    )
    .await
    .unwrap()[0]
        .id;
    let resend = format!("/staff/cases/{second}/notices/{id}/resend");
    assert_eq!(handler.post(&resend, &[]).await.status, StatusCode::SEE_OTHER);
    assert_eq!(handler.post(&resend, &[]).await.status, StatusCode::CONFLICT);
    assert_eq!(up.deliver_due().await.unwrap(), 1);
    let (text, _) = decoded(&sink.taken()[2]);
    assert!(
        text.contains("提交申请时页面显示的查询码"),
        "a resent receipt no longer has the code: {text}"
    );
    let audited = desk
        .store
        .count_admin("SELECT COUNT(*) FROM audit_log WHERE action = 'notification.resend' AND actor = 'clerk2'")
        .await
        .unwrap();
    assert_eq!(audited, 1);
}

#[tokio::test]
async fn a_refused_mailbox_fails_at_once_and_without_smtp_nothing_is_sent() {
    let desk = desk("notices_refused").await;
    let sink = sink(Answer::Refuse).await;
    let outbox = sink.outbox(&desk);
    let tracking = intake(&desk, "nobody@example.cn", outbox.channels()).await;
    assert_eq!(outbox.deliver_due().await.unwrap(), 1);
    let after = statuses(&desk, &tracking).await;
    assert_eq!((after[0].0, after[0].1), (Status::Failed, 1), "a 550 is not retried: {after:?}");

    // A malformed address, and a platform with no SMTP: recorded as not sent, with the reason.
    let malformed = intake(&desk, "zhangsan@example", outbox.channels()).await;
    let skipped = statuses(&desk, &malformed).await;
    assert_eq!(skipped[0].0, Status::Skipped);
    assert!(skipped[0].2.contains("格式有误"), "{skipped:?}");
    let unconfigured = intake(&desk, "zhangsan@example.cn", Channels::default()).await;
    let skipped = statuses(&desk, &unconfigured).await;
    assert_eq!(skipped[0].0, Status::Skipped);
    assert!(skipped[0].2.contains("未配置邮件发送"), "{skipped:?}");
    assert_eq!(outbox.deliver_due().await.unwrap(), 0, "skipped rows are never sent");
    let mut head = Client::sign_in(&desk, "head").await;
    let page = head.get(&format!("/staff/cases/{unconfigured}")).await.text();
    assert!(
        page.contains("未发送") && page.contains("本平台未配置邮件发送（SMTP），未发送"),
        "{page}"
    );
    assert!(
        page.contains("本平台未配置邮件或短信发送"),
        "the page says no notice goes out: {page}"
    );
}

/// A local SMS gateway: answers every POST with `status` and keeps the bodies.
async fn gateway(status: StatusCode) -> (String, Arc<Mutex<Vec<String>>>) {
    let bodies = Arc::new(Mutex::new(Vec::new()));
    let kept = Arc::clone(&bodies);
    let app = axum::Router::new().route(
        "/sms",
        axum::routing::post(move |body: String| {
            let kept = Arc::clone(&kept);
            async move {
                kept.lock().unwrap().push(body);
                status
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.ok() });
    (format!("http://{addr}/sms"), bodies)
}

#[tokio::test]
async fn an_sms_goes_to_the_gateway_in_its_own_template() {
    use gongkai_web::notify::SmsGateway;
    let desk = desk("notices_sms").await;
    let (url, bodies) = gateway(StatusCode::OK).await;
    let template = r#"{"mobile":"{phone}","content":"{text}","sign":"温州市司法局"}"#;
    let outbox =
        Outbox::new(desk.store.clone(), None, Some(SmsGateway::new(&url, template, None).unwrap()));
    let mut mobile = application("");
    mobile.phone = "+86 13812345678";
    let receipt = received(&desk, &mobile, outbox.channels()).await;
    assert_eq!(outbox.deliver_due().await.unwrap(), 1);
    let sent = bodies.lock().unwrap().clone();
    assert_eq!(sent.len(), 1);
    let body: serde_json::Value = serde_json::from_str(&sent[0]).unwrap();
    assert_eq!(body["mobile"], "13812345678", "the number as the gateway wants it");
    assert_eq!(body["sign"], "温州市司法局");
    let text = body["content"].as_str().unwrap();
    assert!(text.starts_with("【温州市司法局】"), "{text}");
    assert!(
        text.contains(&receipt.tracking_number) && text.contains(&receipt.verification_code),
        "{text}"
    );
    assert_eq!(statuses(&desk, &receipt.tracking_number).await[0].0, Status::Sent);

    // A gateway that is down (503) is tried again later; one that refuses the request (400) is not.
    for (status, fate) in [
        (StatusCode::SERVICE_UNAVAILABLE, Status::Pending),
        (StatusCode::BAD_REQUEST, Status::Failed),
    ] {
        let (url, _) = gateway(status).await;
        let outbox = Outbox::new(
            desk.store.clone(),
            None,
            Some(SmsGateway::new(&url, gongkai_web::notify::DEFAULT_SMS_TEMPLATE, None).unwrap()),
        );
        let tracking = received(&desk, &mobile, outbox.channels()).await.tracking_number;
        assert_eq!(outbox.deliver_due().await.unwrap(), 1);
        let after = statuses(&desk, &tracking).await;
        assert_eq!(after[0].0, fate, "{status}: {after:?}");
        assert!(after[0].2.contains(status.as_str()), "{after:?}");
    }
}

#[tokio::test]
async fn a_server_that_hangs_after_the_message_leaves_the_notice_unknown_not_sent_twice() {
    let desk = desk("notices_stall").await;
    let sink = sink(Answer::Stall).await;
    let outbox = sink.outbox(&desk).with_attempt_timeout(std::time::Duration::from_secs(2));
    let tracking = intake(&desk, "zhangsan@example.cn", outbox.channels()).await;
    assert_eq!(outbox.deliver_due().await.unwrap(), 1);
    assert_eq!(sink.taken().len(), 1, "the server had the message when it stopped answering");
    let after = statuses(&desk, &tracking).await;
    assert_eq!(after[0].0, Status::Unknown, "{after:?}");
    assert!(after[0].2.contains("无法确认"), "{after:?}");
    desk.store.execute_admin("UPDATE notifications SET next_attempt_at = 0").await.unwrap();
    assert_eq!(outbox.deliver_due().await.unwrap(), 0, "not sent a second time");
    // A reader who does not handle the case is not shown the server's answer (it may repeat the address).
    let mut reviewer = Client::sign_in(&desk, "reviewer").await;
    let page = reviewer.get(&format!("/staff/cases/{tracking}")).await.text();
    assert!(page.contains("结果不明") && page.contains("详情仅经办人可见"), "{page}");
    assert!(!page.contains("无法确认是否送达"), "{page}");
}

#[tokio::test]
async fn a_gateway_answering_200_with_an_error_code_is_not_taken_for_sent() {
    use gongkai_web::notify::{DEFAULT_SMS_TEMPLATE, SmsGateway};
    let desk = desk("notices_sms_code").await;
    let app = axum::Router::new()
        .route("/sms", axum::routing::post(|| async { r#"{"code":1,"msg":"余额不足"}"# }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/sms", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.ok() });
    let checked = SmsGateway::new(&url, DEFAULT_SMS_TEMPLATE, Some("/code=0")).unwrap();
    let outbox = Outbox::new(desk.store.clone(), None, Some(checked));
    let mut mobile = application("");
    mobile.phone = "13812345678";
    let tracking = received(&desk, &mobile, outbox.channels()).await.tracking_number;
    assert_eq!(outbox.deliver_due().await.unwrap(), 1);
    let after = statuses(&desk, &tracking).await;
    assert_eq!(after[0].0, Status::Failed, "{after:?}");
    assert!(after[0].2.contains("余额不足"), "{after:?}");
}

/// Applies online through the portal (with e-mail), returning the tracking number and code.
async fn apply_online(public: &mut Client, email: &str) -> (String, String) {
    let delivery = if email.is_empty() { "当面领取" } else { "电子邮件" };
    public.get("/agencies/SFJ/apply").await;
    let receipt = public
        .post(
            "/agencies/SFJ/apply",
            &[
                ("applicant_type", "natural"),
                ("name", "张三"),
                ("id_type", "居民身份证"),
                ("id_number", "11010519491231002X"),
                ("phone", "0577-88000001"),
                ("email", email),
                ("address", "温州市鹿城区人民路1号"),
                ("description", "2025年度行政复议决定书目录"),
                ("delivery_form", delivery),
            ],
        )
        .await;
    assert_eq!(receipt.status, StatusCode::OK, "{}", receipt.text());
    let page = receipt.text();
    (
        between(&page, "id=\"tracking-number\">", "<").to_owned(),
        between(&page, "id=\"verification-code\">", "<").to_owned(),
    )
}

#[tokio::test]
async fn the_applicant_sends_the_supplement_online_and_gets_the_reply_by_mail() {
    let desk = desk("applicant_online").await;
    let sink = sink(Answer::Accept).await;
    let outbox = sink.outbox(&desk);
    set_channels(&desk, &outbox).await;
    let mut public = Client::new(&desk);
    let (tracking, code) = apply_online(&mut public, "zhangsan@example.cn").await;
    let mut clerk = Client::sign_in(&desk, "clerk1").await;
    clerk
        .step_done(
            &tracking,
            &[
                ("action", "supplement"),
                ("on", "2026-11-20"),
                ("items", "请写明所需决定书的年份"),
                ("reply_by", "2026-12-04"),
            ],
        )
        .await;
    assert_eq!(outbox.deliver_due().await.unwrap(), 2, "the receipt and the 补正 notice");
    let ids = [("tracking_number", tracking.as_str()), ("code", code.as_str())];
    let status = public.post("/track", &ids).await.text();
    assert!(status.contains("提交补正材料") && status.contains("撤回申请"), "{status}");
    assert!(status.contains("补正告知书（PDF") && status.contains("补正告知书（Word"), "{status}");

    // A wrong code, a file of the wrong kind, nothing at all: refused, nothing recorded.
    let wrong = public
        .upload(
            "/track/supplement",
            &[("tracking_number", &tracking), ("code", "000000"), ("note", "x")],
            "attachments",
            "a.pdf",
            b"%PDF-1.7",
        )
        .await
        .text();
    assert!(wrong.contains("查询号或查询码不正确"), "{wrong}");
    let fields =
        [("tracking_number", tracking.as_str()), ("code", code.as_str()), ("note", "2025年")];
    let exe = public
        .upload("/track/supplement", &fields, "attachments", "补正.exe", b"MZ\x90\x00")
        .await
        .text();
    assert!(exe.contains("格式不支持"), "{exe}");
    let empty = public
        .post("/track/supplement", &[("tracking_number", &tracking), ("code", &code)])
        .await
        .text();
    assert!(empty.contains("请填写补正内容或上传补正材料"), "{empty}");
    let case = gongkai_store::handling::case(&desk.store, &tracking).await.unwrap();
    assert_eq!(case.steps.len(), 1, "nothing recorded by a refused 补正");

    // The 补正 with its file: recorded as arrived today, by the applicant, the file kept with the case.
    let sent = public
        .upload("/track/supplement", &fields, "attachments", "补正说明.pdf", b"%PDF-1.7 supplement")
        .await;
    assert_eq!(sent.status, StatusCode::OK);
    let page = sent.text();
    assert!(page.contains("补正材料已提交"), "{page}");
    assert!(!page.contains("提交补正材料</h2>"), "the form is gone once it arrived: {page}");
    let case = gongkai_store::handling::case(&desk.store, &tracking).await.unwrap();
    let last = case.steps.last().unwrap();
    assert_eq!(
        last.event,
        gongkai_core::clock::Event::SupplementReceived { on: time::macros::date!(2026 - 11 - 20) }
    );
    assert_eq!(
        (last.recorded_by.as_str(), last.details["note"].as_str()),
        ("applicant", Some("2025年"))
    );
    let files = applications::attached_files(&desk.store, &tracking).await.unwrap();
    assert_eq!(files.iter().map(|file| file.name.as_str()).collect::<Vec<_>>(), ["补正说明.pdf"]);
    let again = public
        .upload("/track/supplement", &fields, "attachments", "再次.pdf", b"%PDF-1.7 again")
        .await
        .text();
    assert!(again.contains("当前无需补正"), "{again}");

    // The clerk replies online; the reply reaches the applicant's mailbox with its letter.
    clerk
        .step_done(
            &tracking,
            &[
                ("action", "reply"),
                ("outcome", "disclosed"),
                ("method", "online"),
                ("access", "电子邮件发送"),
                ("on", "2026-11-20"),
            ],
        )
        .await;
    assert_eq!(outbox.deliver_due().await.unwrap(), 1);
    let (text, pdfs) = decoded(sink.taken().last().unwrap());
    assert!(text.contains("作出答复（予以公开）") && pdfs.len() == 1, "{text}");
    // Closed: no more actions offered, and a withdrawal after the reply is refused.
    let closed = public.post("/track", &ids).await.text();
    assert!(
        !closed.contains("撤回申请</h2>") && closed.contains("政府信息公开申请答复书（PDF"),
        "{closed}"
    );
    let late = public
        .post(
            "/track/withdraw",
            &[("tracking_number", &tracking), ("code", &code), ("confirm", "yes")],
        )
        .await
        .text();
    assert!(late.contains("不能撤回"), "{late}");
}

#[tokio::test]
async fn the_applicant_withdraws_online_and_chooses_how_to_receive() {
    let desk = desk("applicant_withdraw").await;
    let sink = sink(Answer::Accept).await;
    let outbox = sink.outbox(&desk);
    set_channels(&desk, &outbox).await;
    let mut public = Client::new(&desk);
    let (tracking, code) = apply_online(&mut public, "").await;
    let ids = [("tracking_number", tracking.as_str()), ("code", code.as_str())];
    // The delivery: 电子邮件 needs an address on file; a listed form is kept and audited.
    let email = public
        .post("/track/delivery", &[ids[0], ids[1], ("delivery_form", "电子邮件")])
        .await
        .text();
    assert!(email.contains("未留有效的电子邮箱"), "{email}");
    let post = public
        .post("/track/delivery", &[ids[0], ids[1], ("delivery_form", "邮寄纸质文本")])
        .await
        .text();
    assert!(post.contains("已改为：邮寄纸质文本"), "{post}");
    let case = gongkai_store::handling::case(&desk.store, &tracking).await.unwrap();
    assert_eq!(case.delivery_form, "邮寄纸质文本");
    let odd = public
        .post("/track/delivery", &[ids[0], ids[1], ("delivery_form", "飞鸽传书")])
        .await
        .text();
    assert!(odd.contains("请选择获取信息的方式"), "{odd}");

    // Withdrawing needs the confirmation; then the case is closed with its letter.
    let unconfirmed = public.post("/track/withdraw", &ids).await.text();
    assert!(unconfirmed.contains("请勾选确认撤回申请"), "{unconfirmed}");
    let withdrawn =
        public.post("/track/withdraw", &[ids[0], ids[1], ("confirm", "yes")]).await.text();
    assert!(withdrawn.contains("您的申请已撤回"), "{withdrawn}");
    assert!(
        withdrawn.contains("政府信息公开申请终止办理告知书（PDF，2026-11-20 送达）")
            && withdrawn.contains("已撤回（终止办理）")
            && withdrawn.contains("申请人撤回申请，终止办理")
            && !withdrawn.contains("送达答复"),
        "{withdrawn}"
    );
    let case = gongkai_store::handling::case(&desk.store, &tracking).await.unwrap();
    assert_eq!(
        case.outcome,
        Some(gongkai_core::records::Outcome::OtherHandling(
            gongkai_core::records::OtherHandling::Other
        ))
    );
    let letters = gongkai_store::letters::of_case(&desk.store, &tracking).await.unwrap();
    assert_eq!(letters.len(), 2, "DOCX and PDF");
    let docx = gongkai_store::letters::applicant_copy(&desk.store, &tracking, &code, letters[0].id)
        .await
        .unwrap()
        .unwrap()
        .1;
    let text = docx_text(&docx);
    assert!(
        text.contains("终止办理告知书") && text.contains("张三"),
        "the applicant named in full"
    );
    // Nothing more: a second withdrawal, a staff reply, a new delivery form are all refused.
    let twice = public.post("/track/withdraw", &[ids[0], ids[1], ("confirm", "yes")]).await.text();
    assert!(twice.contains("不能撤回"), "{twice}");
    let mut clerk = Client::sign_in(&desk, "clerk1").await;
    let reply = clerk
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
    assert_ne!(reply.status, StatusCode::SEE_OTHER);
    let changed = public
        .post("/track/delivery", &[ids[0], ids[1], ("delivery_form", "当面领取")])
        .await
        .text();
    assert!(changed.contains("已办结"), "{changed}");
    let audited = desk
        .store
        .count_admin("SELECT COUNT(*) FROM audit_log WHERE action IN ('application.withdraw', 'application.delivery') AND actor = 'applicant'")
        .await
        .unwrap();
    assert_eq!(audited, 2);
    // No e-mail was left, so nothing went out (the case says so).
    assert_eq!(outbox.deliver_due().await.unwrap(), 0);
    // With an address, the withdrawal is told by mail, its letter attached.
    let mut second = Client::new(&desk);
    let (tracking, code) = apply_online(&mut second, "lisi@example.cn").await;
    let done = second
        .post(
            "/track/withdraw",
            &[("tracking_number", &tracking), ("code", &code), ("confirm", "yes")],
        )
        .await
        .text();
    assert!(done.contains("您的申请已撤回"), "{done}");
    assert_eq!(outbox.deliver_due().await.unwrap(), 2, "the receipt and the withdrawal");
    // One case's notices go out in the order written: the receipt, then the withdrawal.
    let taken = sink.taken();
    let texts: Vec<(String, Vec<Vec<u8>>)> = taken.iter().map(|message| decoded(message)).collect();
    let receipt =
        texts.iter().position(|(text, _)| text.contains(&tracking) && text.contains("查询码："));
    let withdrawal = texts.iter().position(|(text, _)| text.contains("撤回请求终止办理"));
    assert!(receipt.is_some() && withdrawal.is_some(), "both told: {texts:?}");
    assert!(receipt < withdrawal, "the receipt first");
    let told = (&taken[withdrawal.unwrap()], &texts[withdrawal.unwrap()]);
    assert_eq!(told.1.1.len(), 1, "its letter attached");
    assert!(told.0.contains("filename"), "the letter is attached by name");
}

#[tokio::test]
async fn a_case_is_transferred_to_another_agency_of_the_platform() {
    let desk = desk("transfer").await;
    let sink = sink(Answer::Accept).await;
    let outbox = sink.outbox(&desk);
    set_channels(&desk, &outbox).await;
    let mut public = Client::new(&desk);
    let (tracking, code) = apply_online(&mut public, "zhangsan@example.cn").await;
    assert_eq!(outbox.deliver_due().await.unwrap(), 1, "the receipt");
    let mut clerk = Client::sign_in(&desk, "clerk1").await;
    // A transfer needs an agency of the platform chosen.
    let reply = |responsible: &'static str| {
        [
            ("action", "reply"),
            ("outcome", "not_this_agency"),
            ("responsible", responsible),
            ("transfer", "yes"),
            ("method", "online"),
            ("on", "2026-11-20"),
        ]
    };
    let refused = clerk.step(&tracking, &reply("")).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().contains("转办须从列表中选择"), "{}", refused.text());
    clerk.step_done(&tracking, &reply("CZJ")).await;

    // Here: closed as 不属于本机关, its 告知书 saying where it went; there: a new application, its own clock.
    let here = gongkai_store::handling::case(&desk.store, &tracking).await.unwrap();
    assert_eq!(here.outcome, Some(gongkai_core::records::Outcome::NotThisAgency));
    let moved = here.transferred_to.clone().expect("linked to the new application");
    let there = gongkai_store::handling::case(&desk.store, &moved).await.unwrap();
    assert_eq!(there.agency_code, "CZJ");
    assert_eq!(there.transferred_from.as_deref(), Some(tracking.as_str()));
    assert_eq!((there.outcome, there.handler.as_deref(), there.steps.len()), (None, None, 0));
    assert_eq!(there.intake.submitted, time::macros::date!(2026 - 11 - 20));
    assert_eq!(there.description, here.description);
    let letters = gongkai_store::letters::of_case(&desk.store, &tracking).await.unwrap();
    let docx = gongkai_store::letters::applicant_copy(&desk.store, &tracking, &code, letters[0].id)
        .await
        .unwrap()
        .unwrap()
        .1;
    let text = docx_text(&docx);
    assert!(
        text.contains("温州市财政局") && text.contains("本机关已将您的申请转至该机关办理"),
        "{text}"
    );

    // Both sides show it; the other agency's clerk handles it, this one cannot open it.
    let page = clerk.get(&format!("/staff/cases/{tracking}")).await.text();
    assert!(
        page.contains(&format!("新申请编号 <a href=\"/staff/cases/{moved}\">{moved}</a>")),
        "{page}"
    );
    assert_eq!(clerk.get(&format!("/staff/cases/{moved}")).await.status, StatusCode::FORBIDDEN);
    let mut other = Client::sign_in(&desk, "other").await;
    let theirs = other.get(&format!("/staff/cases/{moved}")).await;
    assert_eq!(theirs.status, StatusCode::OK);
    assert!(
        theirs
            .text()
            .contains(&format!("原申请编号 <a href=\"/staff/cases/{tracking}\">{tracking}</a>"))
    );
    assert!(other.get("/staff/agencies/CZJ").await.text().contains(&moved), "on their dashboard");

    // The applicant: told twice (the 告知书, the new receipt), tracks both numbers with the one code.
    assert_eq!(outbox.deliver_due().await.unwrap(), 2);
    let texts: Vec<String> = sink.taken().iter().map(|message| decoded(message).0).collect();
    assert!(texts.iter().any(|text| text.contains("您的申请已转至温州市财政局办理")), "{texts:?}");
    assert!(
        texts.iter().any(
            |text| text.contains(&format!("新申请编号 {moved}")) && text.contains("查询码不变")
        ),
        "{texts:?}"
    );
    let status =
        public.post("/track", &[("tracking_number", &moved), ("code", &code)]).await.text();
    assert!(
        status.contains(&format!("由原申请 {tracking} 转来")) && status.contains("2026-12-18"),
        "{status}"
    );
    let old =
        public.post("/track", &[("tracking_number", &tracking), ("code", &code)]).await.text();
    assert!(old.contains(&format!("新申请编号 {moved}")), "{old}");
    let wrong =
        public.post("/track", &[("tracking_number", &moved), ("code", "000000")]).await.text();
    assert!(wrong.contains("查询号或查询码不正确"), "{wrong}");
    // The applicant acts on the new case with the same code.
    let withdrawn = public
        .post(
            "/track/withdraw",
            &[("tracking_number", &moved), ("code", &code), ("confirm", "yes")],
        )
        .await
        .text();
    assert!(withdrawn.contains("您的申请已撤回"), "{withdrawn}");
}

#[tokio::test]
async fn a_third_party_that_objected_is_told_of_the_disclosure_and_the_applicant_does_not_see_it() {
    let desk = desk("third_party").await;
    let receipt = online_receipt(&desk.store, "SFJ", time::macros::date!(2026 - 11 - 16)).await;
    let tracking = receipt.tracking_number.clone();
    let mut clerk = Client::sign_in(&desk, "clerk1").await;
    clerk
        .step_done(
            &tracking,
            &[
                ("action", "consult"),
                ("on", "2026-11-17"),
                ("party", "third_party"),
                ("consulted", "某律师事务所"),
            ],
        )
        .await;
    clerk
        .step_done(
            &tracking,
            &[("action", "consult_answered"), ("on", "2026-11-18"), ("opinion", "disagree")],
        )
        .await;
    let disclose = |reasons: &'static str| {
        [
            ("action", "reply"),
            ("outcome", "disclosed"),
            ("method", "post"),
            ("on", "2026-11-20"),
            ("reasons", reasons),
        ]
    };
    let refused = clerk.step(&tracking, &disclose("")).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().contains("第三方不同意公开"), "{}", refused.text());
    clerk.step_done(&tracking, &disclose("事关公共安全，公众需要知晓")).await;
    let letters = gongkai_store::letters::of_case(&desk.store, &tracking).await.unwrap();
    let titles: Vec<&str> = letters.iter().map(|letter| letter.title.as_str()).collect();
    assert!(titles.contains(&"政府信息公开决定告知书（第三方）"), "{titles:?}");
    let page = clerk.get(&format!("/staff/cases/{tracking}")).await.text();
    assert!(page.contains("政府信息公开决定告知书（第三方）（PDF）"), "{page}");
    // The applicant sees the reply, never the letter to the third party.
    let sent = gongkai_store::letters::sent_to_applicant(
        &desk.store,
        &tracking,
        &receipt.verification_code,
    )
    .await
    .unwrap()
    .unwrap();
    let seen: Vec<&str> = sent.iter().map(|letter| letter.title.as_str()).collect();
    assert_eq!(seen, ["政府信息公开申请答复书", "政府信息公开申请答复书"], "{seen:?}");
    let visible = desk
        .store
        .count_admin(&format!(
            "SELECT COUNT(*) FROM letters l JOIN applications a ON a.id = l.application_id \
             WHERE a.tracking_number = '{tracking}' AND l.kind = 'consultation' AND l.title LIKE '%第三方%'"
        ))
        .await
        .unwrap();
    assert_eq!(visible, 2, "DOCX and PDF kept as letters to the consulted party");
}
