//! [`evaluate`]: the clock run over an application's validated events, one step of the statute at a time —
//! the regime and receipt, 补正, the pauses (consultation, fee), extension requests, the period, the reply —
//! each a method of [`Run`] that adds its line to the trace and its findings.

use std::collections::BTreeSet;

use time::Date;

use super::validate::{Facts, validate};
use super::{
    Application, CONSULTATION_WORKING_DAYS, ClockError, ClockReport, Counter,
    FEE_PAYMENT_WORKING_DAYS, Finding, LapseReason, Party, Pause, SUPPLEMENT_NOTICE_WORKING_DAYS,
    State, Step, StepKind, article, fee_pause,
};
use crate::calendar::Calendar;
use crate::regime::{Receipt, Regime, receipt_date};

/// Runs the clock for `application` on `calendar`, as of the day `as_of`.
pub fn evaluate(
    application: &Application,
    calendar: &Calendar,
    as_of: Date,
) -> Result<ClockReport, ClockError> {
    // The receipt date does not depend on the regime; the regime depends on the receipt date.
    let provisional_receipt = receipt_date(&application.intake, Regime::Ordinance2019)?;
    let in_force = Regime::in_force_on(provisional_receipt.date);
    let regime = match (application.regime, in_force) {
        (Some(regime), _) => regime,
        (None, Some(regime)) => regime,
        (None, None) => {
            return Err(ClockError::BeforeOrdinance { received: provisional_receipt.date });
        }
    };
    let receipt = receipt_date(&application.intake, regime)?;
    let received = receipt.date;
    calendar.day(received).map_err(|source| ClockError::OutsideCalendar { received, source })?;
    let facts = validate(&application.events, regime, received)?;

    let mut run = Run::new(calendar, regime, as_of, received);
    run.regime_and_receipt(application.regime, in_force, &receipt);
    if let Some((requested, reply_by, supplement)) = facts.supplement {
        run.supplement(requested, reply_by, supplement);
    }
    for &(sent, answered, party) in &facts.consultations {
        run.consultation(sent, answered, party);
    }
    if let Some((notified, amount, paid)) = facts.fee {
        run.fee(notified, amount, paid);
    }
    for &(on, refused) in &facts.extension_requests {
        run.extension_requested(on, refused);
    }
    if let Some(on) = facts.reasons {
        run.reasons(on);
    }
    let (allowed, due, excluded) = run.period(&facts);
    let used = run.used(facts.replied);
    let on_time = run.on_time(facts.replied, due);
    if let Some(replied) = facts.replied {
        run.replied(replied, due);
    }
    let state = run.state(facts.replied, on_time);
    Ok(run.report(state, due, on_time, allowed, used, excluded))
}

/// The clock part-way through a run: what is known so far.
struct Run<'a> {
    regime: Regime,
    as_of: Date,
    received: Date,
    calendar: &'a Calendar,
    counter: Counter<'a>,
    trace: Vec<Step>,
    findings: Vec<Finding>,
    /// The day the period counts from: receipt, or receipt of the 补正; none while it waits or after a lapse.
    clock_start: Option<Date>,
    lapsed: Option<LapseReason>,
    awaiting_supplement: bool,
    awaiting_payment: bool,
    in_consultation: bool,
    supplement_notice_due: Option<Date>,
    pauses: Vec<Pause>,
}

impl<'a> Run<'a> {
    fn new(calendar: &'a Calendar, regime: Regime, as_of: Date, received: Date) -> Self {
        Run {
            regime,
            as_of,
            received,
            calendar,
            counter: Counter { calendar, provisional_years: BTreeSet::new() },
            trace: Vec::new(),
            findings: Vec::new(),
            clock_start: Some(received),
            lapsed: None,
            awaiting_supplement: false,
            awaiting_payment: false,
            in_consultation: false,
            supplement_notice_due: None,
            pauses: Vec::new(),
        }
    }

    fn step(&mut self, kind: StepKind, date: Date, text: String, citation: String) {
        self.trace.push(Step { kind, date, text, citation, skipped: Vec::new() });
    }

    fn finding(&mut self, code: &'static str, text: String) {
        self.findings.push(Finding { code, text });
    }

    /// The regime the clock runs under (the one chosen, or the one in force on receipt) and the receipt.
    fn regime_and_receipt(
        &mut self,
        chosen: Option<Regime>,
        in_force: Option<Regime>,
        receipt: &Receipt,
    ) {
        let received = self.received;
        let regime_text = match (chosen, in_force) {
            (Some(chosen), Some(in_force)) if chosen != in_force => {
                self.finding(
                    "regime_overridden",
                    format!(
                        "按指定的{}计算；收到申请之日适用的是{}",
                        chosen.citation(),
                        in_force.citation()
                    ),
                );
                format!("按指定的{}计算", chosen.citation())
            }
            _ => format!("收到申请之日为{received}，适用{}", self.regime.citation()),
        };
        self.step(
            StepKind::Regime,
            received,
            regime_text,
            "《政府信息公开条例》（2019年修订）自2019年5月15日起施行".to_owned(),
        );
        self.step(
            StepKind::Received,
            received,
            format!("{}：{received}；收到申请当日不计入期限", receipt.rule),
            receipt.citation.to_owned(),
        );
    }

    /// 补正 (2019 art. 30; 2007 art. 21(四)): the notice (within 7 working days of receipt under the 2019
    /// 条例), then the materials restart the clock, or their absence past the reply-by date ends the case.
    fn supplement(&mut self, requested: Date, reply_by: Option<Date>, arrived: Option<Date>) {
        let citation = article(self.regime, "第二十一条第（四）项", "第三十条");
        let mut text = format!("{requested}告知申请人补正");
        if self.regime == Regime::Ordinance2019 {
            text.push_str(&self.supplement_notice(requested));
        }
        match reply_by {
            Some(reply_by) => text.push_str(&format!("，补正期限至{reply_by}")),
            None => self.finding(
                "supplement_without_period",
                "补正告知未载明补正期限（第三十条要求说明合理的补正期限）".to_owned(),
            ),
        }
        self.step(StepKind::SupplementRequested, requested, text, citation.clone());
        match (arrived, reply_by) {
            (Some(arrived), _) => {
                self.clock_start = Some(arrived);
                let restart_note = match self.regime {
                    Regime::Ordinance2019 => "",
                    // The 2007 条例 states no restart; we apply the 2019 rule's restart, as practice did.
                    Regime::Ordinance2007 => {
                        "（2007年条例未明确规定，按实践中自收到补正之日起重新计算）"
                    }
                };
                self.step(
                    StepKind::SupplementReceived,
                    arrived,
                    format!("{arrived}收到补正，答复期限自该日起重新计算{restart_note}"),
                    citation,
                );
            }
            (None, Some(reply_by)) if self.as_of > reply_by => {
                self.lapsed = Some(LapseReason::SupplementNotReceived);
                self.clock_start = None;
                self.step(
                    StepKind::SupplementLapsed,
                    reply_by,
                    format!("申请人未在{reply_by}前补正，视为放弃申请，不再处理（其他处理）"),
                    citation,
                );
            }
            (None, _) => {
                self.awaiting_supplement = true;
                self.clock_start = None;
            }
        }
    }

    /// The 2019 条例's 7 working days for the 补正 notice (art. 30): the trace's note, and a finding if late.
    fn supplement_notice(&mut self, requested: Date) -> String {
        // Its own counter: the notice's last day does not make the due date provisional.
        let mut notice_counter =
            Counter { calendar: self.calendar, provisional_years: BTreeSet::new() };
        let notice_due =
            notice_counter.count_forward(self.received, SUPPLEMENT_NOTICE_WORKING_DAYS, &[]).0;
        self.supplement_notice_due = Some(notice_due);
        if requested > notice_due {
            self.finding(
                "supplement_notice_late",
                format!("补正告知于{requested}发出，晚于第三十条规定的{notice_due}"),
            );
        }
        format!("（补正告知应于收到申请后7个工作日内发出，即不晚于{notice_due}）")
    }

    /// A consultation (2019 arts. 32–34; 2007 arts. 23–24): the time it takes is not counted, up to 15
    /// working days under the 2019 条例; under the 2007 条例 only a third party's is excluded.
    fn consultation(&mut self, sent: Date, answered: Option<Date>, party: Party) {
        let regime = self.regime;
        let counts = match (regime, party) {
            (Regime::Ordinance2007, Party::OtherAgency) => {
                self.finding(
                    "agency_consultation_counts_under_2007",
                    format!("{sent}征求其他机关意见：2007年条例仅扣除征求第三方意见的时间，该期间计入答复期限"),
                );
                false
            }
            _ => true,
        };
        let who = match party {
            Party::ThirdParty => "第三方",
            Party::OtherAgency => "其他机关",
        };
        let (end, note) = self.consultation_end(sent, answered, counts);
        let citation = match (regime, party) {
            (Regime::Ordinance2007, _) => article(regime, "第二十三条、第二十四条", ""),
            (Regime::Ordinance2019, Party::ThirdParty) => {
                article(regime, "", "第三十二条、第三十三条")
            }
            (Regime::Ordinance2019, Party::OtherAgency) => {
                article(regime, "", "第三十三条、第三十四条")
            }
        };
        let text = if counts {
            let excluded = self.counter.paused_working_days(sent, end);
            self.pauses.push(Pause { from: sent, to: end, reason: "征求意见期间" });
            format!(
                "{sent}书面征求{who}意见，{note}；{sent}次日至{end}的{excluded}个工作日不计入答复期限"
            )
        } else {
            format!("{sent}书面征求{who}意见，{note}")
        };
        self.step(StepKind::Consultation, sent, text, citation);
    }

    /// The last day of a consultation's pause and what the trace says of it.
    fn consultation_end(
        &mut self,
        sent: Date,
        answered: Option<Date>,
        counts: bool,
    ) -> (Date, String) {
        let as_of = self.as_of;
        match self.regime {
            Regime::Ordinance2019 => {
                let cap = self.counter.count_forward(sent, CONSULTATION_WORKING_DAYS, &[]).0;
                match answered {
                    Some(answered) if answered <= cap => (answered, format!("{answered}收到意见")),
                    Some(answered) => (
                        cap,
                        format!(
                            "{answered}收到意见，已超过15个工作日的意见期限（{cap}），超出部分计入答复期限"
                        ),
                    ),
                    None if as_of <= cap => {
                        self.in_consultation |= counts;
                        (cap, format!("尚未收到意见；意见期限至{cap}，按最长期限预计"))
                    }
                    None => (cap, format!("逾期未提出意见（期限至{cap}），由本机关依法决定")),
                }
            }
            Regime::Ordinance2007 => match answered {
                Some(answered) => (answered, format!("{answered}收到意见")),
                None => {
                    self.in_consultation |= counts;
                    let end = as_of.max(sent);
                    (end, format!("尚未收到意见；暂按截至{end}计算，收到意见前答复期限顺延"))
                }
            },
        }
    }

    /// A fee notice (国办函〔2020〕109号): paid within 20 working days, or the application lapses.
    fn fee(&mut self, notified: Date, amount: u64, paid: Option<Date>) {
        let pay_by = self.counter.count_forward(notified, FEE_PAYMENT_WORKING_DAYS, &[]).0;
        let (end, note) = match paid {
            Some(paid) if paid <= pay_by => (paid, format!("{paid}缴费")),
            Some(paid) => {
                self.finding(
                    "fee_paid_late",
                    format!("{paid}缴费，晚于缴费期限{pay_by}；逾期未缴费本应视为放弃申请"),
                );
                (paid, format!("{paid}缴费（逾期）"))
            }
            None if self.as_of > pay_by => {
                self.lapsed = self.lapsed.or(Some(LapseReason::FeeNotPaid));
                (pay_by, format!("申请人未在{pay_by}前缴费，视为放弃申请，不再处理（其他处理）"))
            }
            None => {
                self.awaiting_payment = true;
                (pay_by, format!("尚未缴费；缴费期限至{pay_by}"))
            }
        };
        let excluded = self.counter.paused_working_days(notified, end);
        self.step(
            StepKind::Fee,
            notified,
            format!(
                "{notified}发出收费通知，金额{amount}元，应于收到通知次日起20个工作日内缴纳；{note}；\
                 通知至缴费期间的{excluded}个工作日不计入答复期限"
            ),
            "国办函〔2020〕109号《政府信息公开信息处理费管理办法》".to_owned(),
        );
        if fee_pause() {
            self.pauses
                .push(Pause { from: notified, to: end, reason: "收费通知至缴费期间" });
        }
    }

    /// A handler's request to extend, and its refusal if the head refused it.
    fn extension_requested(&mut self, on: Date, refused: bool) {
        let text = if refused {
            format!("{on}延期申请未获政府信息公开工作机构负责人同意")
        } else {
            format!("{on}经办人申请延期（须经负责人同意方可延长）")
        };
        self.step(StepKind::Extension, on, text, article(self.regime, "第二十四条", "第三十三条"));
    }

    /// The applicant asked for reasons (2019 art. 35): recorded, the period unchanged.
    fn reasons(&mut self, on: Date) {
        let text = format!(
            "{on}因申请数量、频次明显超过合理范围，要求申请人说明理由；本平台仍按原答复期限计算\
             （机关认为理由合理并确定延迟答复的合理期限的，以告知申请人的期限为准）"
        );
        self.step(StepKind::Reasons, on, text, article(self.regime, "", "第三十五条"));
    }

    /// The pauses that fall after `start`.
    fn pauses_after(&self, start: Date) -> Vec<Pause> {
        self.pauses.iter().filter(|pause| pause.to > start).cloned().collect()
    }

    /// The period (2019 art. 33; 2007 art. 24): its working days (with an extension approved in time), its
    /// last day and the paused working days it leaves out. No due date while the clock waits or after a lapse.
    fn period(&mut self, facts: &Facts) -> (u32, Option<Date>, u32) {
        let regime = self.regime;
        let base_days = regime.reply_working_days();
        let (Some(start), None) = (self.clock_start, self.lapsed) else {
            return (base_days, None, 0);
        };
        let relevant = self.pauses_after(start);
        let excluded = relevant
            .iter()
            .map(|pause| self.counter.paused_working_days(pause.from.max(start), pause.to))
            .sum::<u32>();
        let (base_due, _) = self.counter.count_forward(start, base_days, &relevant);
        let mut allowed = base_days;
        if let Some((approved_on, extension_days)) = facts.extension {
            if approved_on <= base_due {
                allowed += extension_days;
                self.step(
                    StepKind::Extension,
                    approved_on,
                    format!(
                        "{approved_on}经政府信息公开工作机构负责人同意延长答复期限{extension_days}个工作日\
                         （最长{}个工作日），并应告知申请人",
                        regime.max_extension_working_days()
                    ),
                    article(regime, "第二十四条", "第三十三条"),
                );
            } else {
                self.finding(
                    "extension_after_due",
                    format!(
                        "{approved_on}批准的延期晚于原答复期限{base_due}，不能延长已届满的期限"
                    ),
                );
            }
        }
        let (statutory_due, skipped) = self.counter.count_forward(start, allowed, &relevant);
        let extension_text = if allowed > base_days {
            format!("（含延长的{}个工作日）", allowed - base_days)
        } else {
            String::new()
        };
        let pause_text = if excluded > 0 {
            format!("，扣除不计入期限的{excluded}个工作日")
        } else {
            String::new()
        };
        self.trace.push(Step {
            kind: StepKind::Period,
            date: statutory_due,
            text: format!(
                "自{start}次日起计算{allowed}个工作日{extension_text}{pause_text}，答复期限届满日为{statutory_due}"
            ),
            citation: article(regime, "第二十四条", "第三十三条"),
            skipped,
        });
        let due = self.deferral(facts.deferred, statutory_due);
        if due != statutory_due {
            // The period is the one told to the applicant: its working days, and no longer provisional (the
            // date is fixed whatever a holiday notice says).
            allowed = self.counter.count_between(start, due, &relevant);
            self.counter.provisional_years.clear();
        }
        (allowed, Some(due), excluded)
    }

    /// The due date with a later reply date set under art. 35: it counts when set by the statutory due date
    /// and later than it; otherwise the statutory date stands, with a finding.
    fn deferral(&mut self, deferred: Option<(Date, Date)>, statutory_due: Date) -> Date {
        let Some((decided_on, until)) = deferred else {
            return statutory_due;
        };
        if decided_on > statutory_due {
            self.finding(
                "deferral_after_due",
                format!("{decided_on}确定的延迟答复期限晚于原答复期限{statutory_due}届满，不能延长已届满的期限"),
            );
            return statutory_due;
        }
        if until <= statutory_due {
            self.finding(
                "deferral_overtaken",
                format!(
                    "确定的延迟答复期限{until}不晚于现答复期限{statutory_due}，按现答复期限计算"
                ),
            );
            return statutory_due;
        }
        self.step(
            StepKind::Reasons,
            decided_on,
            format!(
                "{decided_on}认为申请理由合理，但无法在法定期限内答复，确定延迟答复的合理期限至{until}并告知申请人"
            ),
            article(self.regime, "", "第三十五条"),
        );
        until
    }

    /// Working days counted from the clock's start to the reply (or to `as_of`).
    fn used(&mut self, replied: Option<Date>) -> u32 {
        match (self.clock_start, self.lapsed) {
            (Some(start), None) => {
                let end = replied.unwrap_or(self.as_of);
                let relevant = self.pauses_after(start);
                if end > start { self.counter.count_between(start, end, &relevant) } else { 0 }
            }
            _ => 0,
        }
    }

    /// Whether the reply came in time; `Some(false)` too for a case past its due date while nothing pauses it.
    fn on_time(&self, replied: Option<Date>, due: Option<Date>) -> Option<bool> {
        match (replied, due) {
            (Some(replied), Some(due)) => Some(replied <= due),
            (None, Some(due))
                if self.as_of > due
                    && self.lapsed.is_none()
                    && !self.awaiting_payment
                    && !self.in_consultation =>
            {
                Some(false)
            }
            _ => None,
        }
    }

    /// The reply, against the due date (served as 国办公开办函〔2016〕235号 dates it).
    fn replied(&mut self, replied: Date, due: Option<Date>) {
        let verdict = match due {
            Some(due) if replied <= due => format!("，在期限{due}内"),
            Some(due) => format!("，超过期限{due}"),
            None => String::new(),
        };
        self.step(
            StepKind::Replied,
            replied,
            format!("{replied}送达答复（直接送达以签收之日、邮寄以交邮之日为准）{verdict}"),
            "国办公开办函〔2016〕235号".to_owned(),
        );
    }

    fn state(&self, replied: Option<Date>, on_time: Option<bool>) -> State {
        if replied.is_some() {
            State::Replied
        } else if let Some(reason) = self.lapsed {
            State::Lapsed(reason)
        } else if self.awaiting_supplement {
            State::AwaitingSupplement
        } else if self.awaiting_payment {
            State::AwaitingPayment
        } else if self.in_consultation {
            State::InConsultation
        } else if on_time == Some(false) {
            State::Overdue
        } else {
            State::InProgress
        }
    }

    /// The report, with a finding for every year whose holidays the counting had to guess.
    fn report(
        mut self,
        state: State,
        due: Option<Date>,
        on_time: Option<bool>,
        allowed: u32,
        used: u32,
        excluded: u32,
    ) -> ClockReport {
        let provisional_years: Vec<i32> =
            std::mem::take(&mut self.counter.provisional_years).into_iter().collect();
        if !provisional_years.is_empty() {
            let years = provisional_years.iter().map(i32::to_string).collect::<Vec<_>>().join("、");
            self.finding(
                "provisional",
                format!(
                    "期限跨入尚未公布节假日安排的年份（{years}年），暂按法定节假日（《全国年节及纪念日放假办法》）和周末计算，调休尚未计入；国务院通知公布后将重新计算"
                ),
            );
        }
        ClockReport {
            regime: self.regime,
            received: self.received,
            clock_start: self.clock_start,
            state,
            due,
            on_time,
            allowed_working_days: allowed,
            used_working_days: used,
            excluded_working_days: excluded,
            provisional: !provisional_years.is_empty(),
            provisional_years,
            supplement_notice_due: self.supplement_notice_due,
            trace: self.trace,
            findings: self.findings,
        }
    }
}
