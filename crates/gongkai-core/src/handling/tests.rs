//! The steps as tables: each row a case, an actor and a command, and what the core answers.

use time::macros::date;

use super::*;
use crate::records::Withholding;
use crate::regime::{Channel, Intake};

const CLERK: Actor<'static> = Actor { username: "clerk", may_handle: true, may_approve: false };
const HEAD: Actor<'static> = Actor { username: "head", may_handle: true, may_approve: true };
const READER: Actor<'static> = Actor { username: "reader", may_handle: false, may_approve: false };

fn application(received: Date, regime: Option<Regime>, events: Vec<Event>) -> Application {
    Application { intake: Intake::received_on(Channel::InPerson, received), regime, events }
}

/// A 2019-regime case received on Monday 2 March 2026, seen on `today`.
fn case_2019(events: Vec<Event>) -> Application {
    application(date!(2026 - 03 - 02), None, events)
}

fn situation<'a>(
    application: &'a Application,
    today: Date,
    outcome: Option<Outcome>,
    pending: Option<PendingExtension<'a>>,
) -> Situation<'a> {
    Situation::new(application, Calendar::builtin(), today, outcome, pending).expect("valid case")
}

fn reply(code: &str, reasons: &str, withheld_parts: &str) -> Command {
    Command::Reply(Reply {
        on: date!(2026 - 03 - 10),
        category: reply_option(code).expect("a reply code"),
        method: SendMethod::Post,
        access: String::new(),
        withheld_parts: withheld_parts.to_owned(),
        reasons: reasons.to_owned(),
        responsible: None,
    })
}

#[test]
fn refusals_of_a_fresh_2019_case() {
    let case = case_2019(Vec::new());
    let fresh = situation(&case, date!(2026 - 03 - 10), None, None);
    let on = date!(2026 - 03 - 10);
    let rows: Vec<(Command, Actor<'_>, Refusal)> = vec![
        (
            Command::SupplementReceived { on: date!(2026 - 03 - 11), note: String::new() },
            CLERK,
            Refusal::FutureDate,
        ),
        (
            Command::RequestSupplement {
                on,
                items: " 年 ".into(),
                reply_by: date!(2026 - 03 - 20),
            },
            CLERK,
            Refusal::SupplementItemsMissing,
        ),
        (
            Command::RequestSupplement { on, items: "年份".into(), reply_by: on },
            CLERK,
            Refusal::SupplementPeriodTooShort,
        ),
        (
            Command::Consult { on, party: Party::ThirdParty, consulted: "  ".into() },
            CLERK,
            Refusal::ConsultedMissing,
        ),
        (
            Command::RequestExtension { on, working_days: 5, reason: "需要".into() },
            CLERK,
            Refusal::ExtensionReasonMissing,
        ),
        (
            Command::RequestExtension { on, working_days: 21, reason: "需要调取档案".into() },
            CLERK,
            Refusal::ExtensionLength { asked: 21, max: 20, regime: Regime::Ordinance2019 },
        ),
        (
            Command::RequestExtension { on, working_days: 0, reason: "需要调取档案".into() },
            CLERK,
            Refusal::ExtensionLength { asked: 0, max: 20, regime: Regime::Ordinance2019 },
        ),
        (
            Command::DecideExtension { on, approve: true, working_days: None, note: String::new() },
            HEAD,
            Refusal::NoPendingExtension,
        ),
        (
            Command::NotifyFee { on, basis: FeeBasis::PerVolume { pages: 30 } },
            CLERK,
            Refusal::ZeroFee,
        ),
        (
            Command::NotifyFee { on, basis: FeeBasis::PerApplication { nth: 0 } },
            CLERK,
            Refusal::Fee(fee::FeeError::ZeroApplicationNumber),
        ),
        (
            Command::NotifyFee { on, basis: FeeBasis::PerVolume { pages: fee::MAX_PAGES + 1 } },
            CLERK,
            Refusal::Fee(fee::FeeError::TooManyPages),
        ),
        (reply("partial", "涉及个人隐私", ""), CLERK, Refusal::PartialWithoutParts),
        (reply("partial", "", "第3页"), CLERK, Refusal::PartialWithoutParts),
        (reply("withheld.state_secret", " ", ""), CLERK, Refusal::ReasonsMissing),
        (reply("not_processed.repeat", "", ""), CLERK, Refusal::ReasonsMissing),
        (reply("told_to_amend", "", ""), CLERK, Refusal::ReplyNotUnderRegime("told_to_amend")),
        (reply("disclosed", "", ""), READER, Refusal::NotHandler),
        (Command::Close, CLERK, Refusal::NotLapsed),
    ];
    for (command, actor, expected) in rows {
        assert_eq!(apply(&fresh, &actor, &command).err(), Some(expected.clone()), "{command:?}");
        assert!(!expected.in_chinese().is_empty());
    }
}

#[test]
fn the_clock_refuses_what_it_cannot_count() {
    let on = date!(2026 - 03 - 10);
    // A fee paid with no fee notice, a second 补正 notice (art. 30: 一次性告知).
    let case = case_2019(Vec::new());
    let fresh = situation(&case, on, None, None);
    let paid = apply(&fresh, &CLERK, &Command::FeePaid { on, note: String::new() });
    assert!(matches!(paid, Err(Refusal::Clock(ClockError::FeePayment { .. }))), "{paid:?}");
    let asked = case_2019(vec![Event::SupplementRequested {
        on: date!(2026 - 03 - 03),
        reply_by: Some(date!(2026 - 03 - 20)),
    }]);
    let again =
        Command::RequestSupplement { on, items: "再补".into(), reply_by: date!(2026 - 03 - 20) };
    let refusal = apply(&situation(&asked, on, None, None), &CLERK, &again).unwrap_err();
    assert!(refusal.in_chinese().contains("一次性告知"), "{refusal:?}");
}

#[test]
fn what_each_step_records_and_sends() {
    let case = case_2019(Vec::new());
    let fresh = situation(&case, date!(2026 - 03 - 10), None, None);
    let on = date!(2026 - 03 - 10);
    let rows: Vec<(Command, Option<Event>, Option<&str>, &str)> = vec![
        (
            Command::RequestSupplement {
                on,
                items: " 年份 ".into(),
                reply_by: date!(2026 - 03 - 20),
            },
            Some(Event::SupplementRequested { on, reply_by: Some(date!(2026 - 03 - 20)) }),
            Some("supplement"),
            "supplement",
        ),
        (
            Command::Consult { on, party: Party::OtherAgency, consulted: "市财政局".into() },
            Some(Event::ConsultationSent { on, party: Party::OtherAgency }),
            Some("consultation"),
            "consult",
        ),
        (
            Command::RequestExtension { on, working_days: 20, reason: "需要调取档案".into() },
            Some(Event::ExtensionRequested { on }),
            None,
            "extension.request",
        ),
        // 250 pages: 70 × 10 + 100 × 20 + 50 × 40 = 4,700 元 (109号 art. 5).
        (
            Command::NotifyFee { on, basis: FeeBasis::PerVolume { pages: 250 } },
            Some(Event::FeeNotified { on, amount_yuan: 4_700 }),
            Some("fee"),
            "fee",
        ),
        // The 11th application in a month: 100 元 (109号 art. 4).
        (
            Command::NotifyFee { on, basis: FeeBasis::PerApplication { nth: 11 } },
            Some(Event::FeeNotified { on, amount_yuan: 100 }),
            Some("fee"),
            "fee",
        ),
        (reply("disclosed", "", ""), Some(Event::Replied { on }), Some("reply"), "reply"),
    ];
    for (command, event, letter, audit) in rows {
        let applied = apply(&fresh, &CLERK, &command).expect("allowed");
        assert_eq!(applied.event, event, "{command:?}");
        assert_eq!(applied.letter.as_ref().map(|plan| plan.kind().code()), letter, "{command:?}");
        assert_eq!(applied.audit_action, audit);
        assert_eq!(applied.on, on);
    }
}

#[test]
fn a_reply_records_its_outcome_and_closes_the_offers() {
    let case = case_2019(Vec::new());
    let fresh = situation(&case, date!(2026 - 03 - 10), None, None);
    let applied = apply(&fresh, &CLERK, &reply("withheld.privacy", "涉及个人隐私", "")).unwrap();
    assert_eq!(applied.outcome, Some(Outcome::Withheld(Withholding::ThirdPartyPrivacy)));
    assert_eq!(applied.details["outcome"], "不予公开：保护第三方合法权益（个人隐私）");
    // The method's name, not the form's hint (issue #20: "邮政寄送（日期填交邮之日）" was stored).
    assert_eq!(applied.details["method"], "邮政寄送");
    assert_eq!(SendMethod::from_stored("邮政寄送（日期填交邮之日）"), Some(SendMethod::Post));
    assert_eq!(applied.report.state, State::Replied);

    let replied = case_2019(vec![Event::Replied { on: date!(2026 - 03 - 10) }]);
    let closed = situation(&replied, date!(2026 - 03 - 11), Some(Outcome::Disclosed), None);
    assert_eq!(offers(&closed, &HEAD), Offers::default());
    let note = Command::FeePaid { on: date!(2026 - 03 - 11), note: String::new() };
    assert_eq!(apply(&closed, &CLERK, &note).err(), Some(Refusal::Closed));
}

#[test]
fn an_extension_is_approved_once_by_someone_else_and_never_after_the_due_date() {
    let on = date!(2026 - 03 - 10);
    let requested = case_2019(vec![Event::ExtensionRequested { on }]);
    let pending =
        PendingExtension { requested_by: "head", working_days: Some(10), reason: "调档" };
    let waiting = situation(&requested, on, None, Some(pending));
    assert!(!offers(&waiting, &CLERK).extension_request, "one request at a time");
    assert!(!offers(&waiting, &CLERK).extension_decide, "a clerk does not approve");
    assert!(!offers(&waiting, &HEAD).extension_decide, "not one's own request");
    let decide =
        Command::DecideExtension { on, approve: true, working_days: None, note: "".into() };
    assert_eq!(apply(&waiting, &CLERK, &decide).err(), Some(Refusal::NotApprover));
    assert_eq!(apply(&waiting, &HEAD, &decide).err(), Some(Refusal::OwnExtension));
    assert!(Refusal::OwnExtension.forbidden());

    let other_head = Actor { username: "head2", ..HEAD };
    assert!(offers(&waiting, &other_head).extension_decide);
    let applied = apply(&waiting, &other_head, &decide).unwrap();
    // What was asked for, when the head gives no number.
    assert_eq!(applied.event, Some(Event::ExtensionApproved { on, working_days: 10 }));
    assert_eq!(applied.audit_action, "extension.approve");

    let approved = case_2019(vec![
        Event::ExtensionRequested { on },
        Event::ExtensionApproved { on, working_days: 10 },
    ]);
    let once = situation(&approved, on, None, None);
    assert!(!offers(&once, &CLERK).extension_request, "art. 33: once");
    let again = Command::RequestExtension { on, working_days: 5, reason: "仍需调档".into() };
    // Asked again, it is recorded; approved again, the clock refuses it.
    let asked_again = apply(&once, &CLERK, &again).unwrap();
    let twice = case_2019(vec![
        Event::ExtensionRequested { on },
        Event::ExtensionApproved { on, working_days: 10 },
        asked_again.event.unwrap(),
    ]);
    let pending_again =
        PendingExtension { requested_by: "clerk", working_days: Some(5), reason: "仍需调档" };
    let second = situation(&twice, on, None, Some(pending_again));
    let refusal = apply(&second, &other_head, &decide).unwrap_err();
    assert_eq!(refusal, Refusal::Clock(ClockError::SecondExtension));

    let refused = case_2019(vec![Event::ExtensionRequested { on }, Event::ExtensionRefused { on }]);
    assert!(offers(&situation(&refused, on, None, None), &CLERK).extension_request);

    // Received 2 March 2026: 20 working days end on 30 March; a request dated 31 March is too late.
    let late = situation(&case_2019(Vec::new()), date!(2026 - 04 - 01), None, None).report.due;
    assert_eq!(late, Some(date!(2026 - 03 - 30)));
    let case = case_2019(Vec::new());
    let overdue = situation(&case, date!(2026 - 04 - 01), None, None);
    let request = Command::RequestExtension {
        on: date!(2026 - 03 - 31),
        working_days: 5,
        reason: "需要调档".into(),
    };
    assert_eq!(
        apply(&overdue, &CLERK, &request).err(),
        Some(Refusal::ExtensionAfterDue { due: date!(2026 - 03 - 30) })
    );
}

#[test]
fn the_2007_regulation_has_no_agency_consultation_no_fee_and_its_own_replies() {
    // Received in 2018: the 2007 条例 governs.
    let case = application(date!(2018 - 03 - 05), None, Vec::new());
    let old = situation(&case, date!(2018 - 03 - 06), None, None);
    assert_eq!(old.report.regime, Regime::Ordinance2007);
    let on = date!(2018 - 03 - 06);
    let consult =
        Command::Consult { on, party: Party::OtherAgency, consulted: "市财政局".into() };
    assert_eq!(apply(&old, &CLERK, &consult).err(), Some(Refusal::AgencyConsultationUnder2007));
    assert!(!offers(&old, &CLERK).fee);
    let fee = Command::NotifyFee { on, basis: FeeBasis::PerVolume { pages: 250 } };
    assert_eq!(
        apply(&old, &CLERK, &fee).err(),
        Some(Refusal::Clock(ClockError::FeeUnderOrdinance2007))
    );
    let extension =
        Command::RequestExtension { on, working_days: 16, reason: "需要调取档案".into() };
    let refusal = apply(&old, &CLERK, &extension).unwrap_err();
    assert_eq!(refusal.in_chinese(), "延长的期限最长不得超过15个工作日。");
    assert_eq!(refusal.basis().as_deref(), Some("2007年《条例》第二十四条第二款"));
    assert_eq!(reply_options(Regime::Ordinance2007).len(), 26);
    assert_eq!(reply_options(Regime::Ordinance2019).len(), 23);
    let amend = Command::Reply(Reply {
        on,
        category: reply_option("told_to_amend").unwrap(),
        method: SendMethod::Direct,
        access: String::new(),
        withheld_parts: String::new(),
        reasons: String::new(),
        responsible: None,
    });
    assert_eq!(apply(&old, &CLERK, &amend).unwrap().outcome, Some(Outcome::ToldToAmend));
}

#[test]
fn a_lapsed_case_is_closed_as_other_handling() {
    // 补正 asked on 3 March with 10 March as the last day; nothing came.
    let case = case_2019(vec![Event::SupplementRequested {
        on: date!(2026 - 03 - 03),
        reply_by: Some(date!(2026 - 03 - 10)),
    }]);
    let waiting = situation(&case, date!(2026 - 03 - 09), None, None);
    assert!(offers(&waiting, &CLERK).supplement_received);
    assert!(!offers(&waiting, &CLERK).reply, "no reply while the supplement is owed");
    let lapsed = situation(&case, date!(2026 - 04 - 20), None, None);
    assert_eq!(lapsed.report.state, State::Lapsed(LapseReason::SupplementNotReceived));
    assert!(offers(&lapsed, &CLERK).close);
    let applied = apply(&lapsed, &CLERK, &Command::Close).unwrap();
    assert_eq!(applied.outcome, Some(Outcome::OtherHandling(OtherHandling::NoSupplement)));
    assert_eq!(applied.event, None);
    assert_eq!(lapsed_outcome(LapseReason::FeeNotPaid).label(), "其他处理");
    // The closing has its letter: a 告知书 that the application is taken as abandoned (art. 30), with the
    // applicant's remedies.
    let text = closing_letter(&lapsed, &applied);
    assert!(text.contains("政府信息公开申请告知书"), "{text}");
    assert!(text.contains("逾期未补正，视为放弃申请"), "{text}");
    assert!(text.contains("第三十条"), "{text}");
    assert!(text.contains("60日内向温州市人民政府申请行政复议"), "{text}");

    // A fee notified on 3 March and never paid: the case lapses after 20 working days (109号 art. 8).
    let unpaid =
        case_2019(vec![Event::FeeNotified { on: date!(2026 - 03 - 03), amount_yuan: 100 }]);
    let lapsed = situation(&unpaid, date!(2026 - 04 - 20), None, None);
    assert_eq!(lapsed.report.state, State::Lapsed(LapseReason::FeeNotPaid));
    let applied = apply(&lapsed, &CLERK, &Command::Close).unwrap();
    assert_eq!(applied.outcome, Some(Outcome::OtherHandling(OtherHandling::FeeNotPaid)));
    let text = closing_letter(&lapsed, &applied);
    assert!(text.contains("逾期未缴纳，视为放弃申请"), "{text}");
    assert!(text.contains("国办函〔2020〕109号"), "{text}");
}

#[test]
fn the_applicant_sends_the_supplement_or_withdraws_online() {
    // 补正 asked on 3 March, 10 March the last day; the applicant sends it online on 5 March.
    let case = case_2019(vec![Event::SupplementRequested {
        on: date!(2026 - 03 - 03),
        reply_by: Some(date!(2026 - 03 - 10)),
    }]);
    let waiting = situation(&case, date!(2026 - 03 - 05), None, None);
    let sent = supplement_sent(&waiting, " 所需信息为2025年的 ", &["说明.pdf".to_owned()]).unwrap();
    assert_eq!(sent.event, Some(Event::SupplementReceived { on: date!(2026 - 03 - 05) }));
    assert_eq!(sent.details["note"], "所需信息为2025年的");
    assert_eq!(sent.details["files"][0], "说明.pdf");
    // The period runs from the supplement's arrival (Thursday 5 March): 20 working days → 2 April.
    assert_eq!(sent.report.clock_start, Some(date!(2026 - 03 - 05)));
    assert_eq!(sent.report.due, Some(date!(2026 - 04 - 02)));
    // Nothing is awaited on a fresh case or once it arrived; a closed case says so.
    let fresh = case_2019(Vec::new());
    let fresh = situation(&fresh, date!(2026 - 03 - 05), None, None);
    assert_eq!(supplement_sent(&fresh, "x", &[]).unwrap_err(), Refusal::NoSupplementAwaited);
    let closed = situation(&case, date!(2026 - 03 - 05), Some(Outcome::Disclosed), None);
    assert_eq!(supplement_sent(&closed, "x", &[]).unwrap_err(), Refusal::Closed);

    // A withdrawal closes the case as 其他处理 with a 终止办理告知书 citing no article and stating no remedy.
    let withdrawn = withdraw(&waiting).unwrap();
    assert_eq!(withdrawn.outcome, Some(Outcome::OtherHandling(OtherHandling::Other)));
    // The case ends that day, as the report counts it (not carried over as open).
    assert_eq!(withdrawn.event, Some(Event::Replied { on: date!(2026 - 03 - 05) }));
    assert_eq!(withdrawn.report.state, State::Replied);
    let lapsed = situation(&case, date!(2026 - 04 - 20), None, None);
    assert_eq!(
        withdraw(&lapsed).unwrap_err(),
        Refusal::Closed,
        "a lapsed case is the agency's to close"
    );
    let text = closing_letter(&waiting, &withdrawn);
    assert!(text.contains("终止办理告知书") && text.contains("2026年3月5日申请撤回"), "{text}");
    assert!(!text.contains("第三十") && !text.contains("行政复议"), "{text}");
    assert_eq!(withdraw(&closed).unwrap_err(), Refusal::Closed, "a reply cannot be withdrawn");
}

#[test]
fn disclosing_over_a_third_partys_objection_needs_reasons_and_tells_the_party() {
    let case = case_2019(vec![
        Event::ConsultationSent { on: date!(2026 - 03 - 03), party: Party::ThirdParty },
        Event::ConsultationAnswered { on: date!(2026 - 03 - 06) },
    ]);
    let objected = situation(&case, date!(2026 - 03 - 10), None, None)
        .with_objections(vec!["某律师事务所".to_owned()]);
    // Without reasons, refused with its rule.
    let refused = apply(&objected, &CLERK, &reply("disclosed", "", "")).unwrap_err();
    assert_eq!(refused, Refusal::OverruledWithoutReasons);
    assert!(refused.basis().unwrap().contains("第三十二条"));
    // With them: the reply, and a notice to the party citing art. 32 — the applicant not named.
    let applied =
        apply(&objected, &CLERK, &reply("disclosed", "涉及公共安全，公众需要知晓", "")).unwrap();
    assert_eq!(applied.others.len(), 1);
    let plan = &applied.others[0];
    assert!(!plan.kind().to_applicant(), "never shown to the applicant");
    let sender =
        Sender {
            name: "温州市司法局", office: "办公室", phone: "0577-88888888", parent: None
        };
    let letter = plan.compose(
        &sender,
        "YSQ2026000001",
        "2025年人民调解案件统计",
        "张三",
        &applied.report,
        applied.on,
        objected.calendar,
    );
    let text = letter.paragraphs.join("");
    assert_eq!(letter.addressee, "某律师事务所：");
    assert!(
        text.contains("对公共利益造成重大影响，决定予以公开") && text.contains("涉及公共安全"),
        "{text}"
    );
    assert!(text.contains("第三十二条") && !text.contains("张三"), "{text}");
    // Withholding, or no objection: no letter to anyone else.
    let withheld =
        apply(&objected, &CLERK, &reply("withheld.trade_secret", "商业秘密", "")).unwrap();
    assert!(withheld.others.is_empty());
    let plain = situation(&case, date!(2026 - 03 - 10), None, None);
    assert!(apply(&plain, &CLERK, &reply("disclosed", "", "")).unwrap().others.is_empty());
}

/// The text of the letter a closing sends, from 温州市司法局 (its review body 温州市人民政府).
fn closing_letter(situation: &Situation<'_>, applied: &Applied) -> String {
    let plan = applied.letter.as_ref().expect("a closing sends a letter");
    assert_eq!(plan.kind(), crate::letters::LetterKind::Reply);
    let sender = Sender {
        name: "温州市司法局",
        office: "办公室",
        phone: "0577-88888888",
        parent: Some("温州市人民政府"),
    };
    let letter = plan.compose(
        &sender,
        "YSQ2026000001",
        "2025年人民调解案件统计",
        "张三",
        &applied.report,
        applied.on,
        situation.calendar,
    );
    format!("{}\n{}", letter.title, letter.paragraphs.join("\n"))
}

#[test]
fn every_statutory_refusal_names_its_rule() {
    let statutory = [
        Refusal::NotApprover,
        Refusal::SupplementItemsMissing,
        Refusal::SupplementPeriodTooShort,
        Refusal::AgencyConsultationUnder2007,
        Refusal::ExtensionReasonMissing,
        Refusal::ExtensionLength { asked: 21, max: 20, regime: Regime::Ordinance2019 },
        Refusal::ExtensionAfterDue { due: date!(2026 - 03 - 30) },
        Refusal::OwnExtension,
        Refusal::ZeroFee,
        Refusal::PartialWithoutParts,
        Refusal::ReasonsMissing,
        Refusal::NotLapsed,
        Refusal::NoSupplementAwaited,
        Refusal::OverruledWithoutReasons,
    ];
    for refusal in statutory {
        let basis = refusal.basis().unwrap_or_else(|| panic!("{refusal:?} names no rule"));
        assert!(basis.contains('第') || basis.contains("国办函"), "{refusal:?}: {basis}");
    }
}

#[test]
fn form_codes_round_trip() {
    for action in Action::ALL {
        assert_eq!(Action::from_code(action.code()), Some(action));
    }
    for method in SendMethod::ALL {
        assert_eq!(SendMethod::from_code(method.code()), Some(method));
    }
    for option in REPLY_OPTIONS {
        assert_eq!(reply_option(option.code), Some(option));
    }
    assert_eq!(Opinion::from_code("none").map(Opinion::label), Some("逾期未提出意见"));
}

/// Art. 35: asking the applicant for reasons is offered once under the 2019 条例, sends its letter citing
/// the article, and leaves the due date where it was (the 条例 neither stops nor extends the period for it).
#[test]
fn a_request_for_reasons_sends_its_letter_and_leaves_the_period() {
    let on = date!(2026 - 03 - 10);
    let case = case_2019(Vec::new());
    let fresh = situation(&case, on, None, None);
    assert!(offers(&fresh, &CLERK).reasons);
    assert!(!offers(&fresh, &READER).reasons);
    let empty = Command::RequestReasons { on, facts: " ".into() };
    assert_eq!(apply(&fresh, &CLERK, &empty), Err(Refusal::ReasonsFactsMissing));
    let command =
        Command::RequestReasons { on, facts: "本自然月您已提交申请15件".into() };
    let applied = apply(&fresh, &CLERK, &command).unwrap();
    assert_eq!(applied.event, Some(Event::ReasonsRequested { on }));
    assert_eq!(applied.report.due, fresh.report.due, "the period is unchanged");
    assert!(applied.report.trace.iter().any(|step| step.citation.contains("第三十五条")));
    let Some(plan) = &applied.letter else { panic!("a letter") };
    let sender =
        Sender { name: "温州市司法局", office: "办公室", phone: "0577-1", parent: None };
    let letter =
        plan.compose(&sender, "YSQ1", "统计表", "张三", &applied.report, on, Calendar::builtin());
    assert_eq!(letter.title, "政府信息公开申请要求说明理由告知书");
    let text = letter.paragraphs.join("");
    assert!(text.contains("本自然月您已提交申请15件。") && text.contains("第三十五条"), "{text}");
    assert!(text.contains("不予处理") && text.contains("延迟答复的合理期限"), "{text}");

    // Not once the period has run out (received 03-02, due 03-30).
    let late = situation(&case, date!(2026 - 04 - 01), None, None);
    assert!(!offers(&late, &CLERK).reasons);
    let after_due = Command::RequestReasons { on: date!(2026 - 04 - 01), facts: "15件".into() };
    assert_eq!(
        apply(&late, &CLERK, &after_due),
        Err(Refusal::ReasonsAfterDue { due: date!(2026 - 03 - 30) })
    );

    // Once only; and not under the 2007 条例, which has no such article.
    let asked = case_2019(vec![Event::ReasonsRequested { on }]);
    assert!(!offers(&situation(&asked, on, None, None), &CLERK).reasons);
    let old = application(date!(2018 - 03 - 05), None, Vec::new());
    assert!(!offers(&situation(&old, date!(2018 - 03 - 06), None, None), &CLERK).reasons);
    let twice = application(
        date!(2026 - 03 - 02),
        None,
        vec![Event::ReasonsRequested { on }, Event::ReasonsRequested { on }],
    );
    assert_eq!(
        clock::evaluate(&twice, Calendar::builtin(), on).map(|_| ()),
        Err(ClockError::SecondReasonsRequest)
    );
}

/// Art. 35's second half: reasons found reasonable, a reasonable later date set — only after the request for
/// reasons, later than the due date, once; the due date moves to it and the letter says so.
#[test]
fn a_later_reply_date_follows_reasons_found_reasonable() {
    let asked_on = date!(2026 - 03 - 10);
    let on = date!(2026 - 03 - 16);
    let fresh = case_2019(Vec::new());
    assert!(
        !offers(&situation(&fresh, on, None, None), &CLERK).defer,
        "not before reasons are asked"
    );
    let asked = case_2019(vec![Event::ReasonsRequested { on: asked_on }]);
    let now = situation(&asked, on, None, None);
    assert!(offers(&now, &CLERK).defer);
    // Received 03-02: due 03-30.
    assert_eq!(now.report.due, Some(date!(2026 - 03 - 30)));
    let command = |until, reason: &str| Command::DeferReply { on, until, reason: reason.into() };
    assert_eq!(
        apply(&now, &CLERK, &command(date!(2026 - 04 - 30), " ")),
        Err(Refusal::DeferralReasonMissing)
    );
    assert_eq!(
        apply(&now, &CLERK, &command(date!(2026 - 03 - 27), "需汇总五年档案")),
        Err(Refusal::DeferralNotLater { due: date!(2026 - 03 - 30) })
    );
    let applied = apply(&now, &CLERK, &command(date!(2026 - 04 - 30), "需汇总五年档案")).unwrap();
    assert_eq!(applied.event, Some(Event::ReplyDeferred { on, until: date!(2026 - 04 - 30) }));
    assert_eq!(applied.report.due, Some(date!(2026 - 04 - 30)));
    let Some(plan) = &applied.letter else { panic!("a letter") };
    let sender =
        Sender { name: "温州市司法局", office: "办公室", phone: "0577-1", parent: None };
    let letter =
        plan.compose(&sender, "YSQ1", "统计表", "张三", &applied.report, on, Calendar::builtin());
    assert_eq!(letter.title, "政府信息公开申请延迟答复告知书");
    let text = letter.paragraphs.join("");
    assert!(text.contains("2026年4月30日前作出答复") && text.contains("第三十五条"), "{text}");

    assert_eq!(
        apply(&now, &CLERK, &command(date!(2027 - 06 - 30), "需汇总五年档案")),
        Err(Refusal::DeferralTooFar)
    );
    let same_day = situation(&asked, asked_on, None, None);
    let too_soon = Command::DeferReply {
        on: asked_on,
        until: date!(2026 - 04 - 30),
        reason: "需汇总五年档案".into(),
    };
    assert_eq!(apply(&same_day, &CLERK, &too_soon), Err(Refusal::DeferralBeforeReasons));
    // The period is now the one told: its working days counted to it, no art. 33 extension after it.
    let set = case_2019(vec![
        Event::ReasonsRequested { on: asked_on },
        Event::ReplyDeferred { on, until: date!(2026 - 04 - 30) },
    ]);
    let after = situation(&set, on, None, None);
    assert!(after.report.allowed_working_days > 20, "{}", after.report.allowed_working_days);
    assert!(!offers(&after, &CLERK).extension_request);
    let extension =
        Command::RequestExtension { on, working_days: 10, reason: "需要调取档案".into() };
    assert_eq!(apply(&after, &CLERK, &extension), Err(Refusal::ExtensionAfterDeferral));
    // The trace tells the statutory date first, then the later one.
    let order: Vec<&str> = after.report.trace.iter().map(|step| step.citation.as_str()).collect();
    assert!(order.last().is_some_and(|citation| citation.contains("第三十五条")), "{order:?}");

    // A reply on 04-20 is then on time; without the request for reasons the clock refuses the date.
    let deferred = case_2019(vec![
        Event::ReasonsRequested { on: asked_on },
        Event::ReplyDeferred { on, until: date!(2026 - 04 - 30) },
        Event::Replied { on: date!(2026 - 04 - 20) },
    ]);
    let report = clock::evaluate(&deferred, Calendar::builtin(), date!(2026 - 04 - 21)).unwrap();
    assert_eq!(report.on_time, Some(true));
    let without = case_2019(vec![Event::ReplyDeferred { on, until: date!(2026 - 04 - 30) }]);
    assert_eq!(
        clock::evaluate(&without, Calendar::builtin(), on).map(|_| ()),
        Err(ClockError::DeferralWithoutReasons)
    );
}
