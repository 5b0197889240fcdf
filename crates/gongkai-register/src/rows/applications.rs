//! A register's application rows read into entries: each row's cells, its steps as the reply clock's events,
//! checked against the clock; every problem of every row reported.

use super::*;

/// Reads the applications of a register. `calendar` and `as_of` are what the reply clock checks the steps
/// with. Every problem of every row is returned; no record is returned unless all rows are valid.
pub fn applications(
    sheet: &Sheet,
    map: &ColumnMap,
    calendar: &Calendar,
    as_of: Date,
) -> Result<Vec<ApplicationEntry>, Vec<Problem>> {
    debug_assert_eq!(map.register, Register::Applications);
    let mut entries = Vec::with_capacity(sheet.rows.len());
    let mut problems = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let types = ApplicantType::ALL.map(ApplicantType::label).join("、");
    let channels = Channel::ALL.map(Channel::label).join("、");
    for (row, cells) in &sheet.rows {
        let reader =
            RowReader { map, headers: &sheet.headers, cells, row: *row, problems: Vec::new() };
        match application_entry(reader, &mut seen, &types, &channels, calendar, as_of) {
            Ok(entry) => entries.push(entry),
            Err(found) => problems.extend(found),
        }
    }
    if problems.is_empty() { Ok(entries) } else { Err(problems) }
}

/// Reads one row of the applications register (`seen`: tracking number → its row): its entry, or
/// every problem of the row.
fn application_entry(
    mut reader: RowReader<'_>,
    seen: &mut HashMap<String, usize>,
    types: &str,
    channels: &str,
    calendar: &Calendar,
    as_of: Date,
) -> Result<ApplicationEntry, Vec<Problem>> {
    let tracking = reader.unique_key("tracking_number", "编号", seen);
    let applicant = reader
        .required("applicant_type")
        .and_then(|_| reader.parsed("applicant_type", applicant_type, types));
    let cells = ApplicationCells::read(&mut reader, channels);
    cells.check_steps(&mut reader);
    let lapse = matches!(
        cells.outcome,
        Some(Outcome::OtherHandling(OtherHandling::NoSupplement | OtherHandling::FeeNotPaid))
    );
    let intake = cells.read_intake(&mut reader);
    cells.check_reply(&mut reader, lapse);
    let (Some(tracking), Some(applicant), Some(intake)) = (tracking, applicant, intake) else {
        return Err(reader.problems);
    };
    if !reader.problems.is_empty() {
        return Err(reader.problems);
    }
    let events = cells.events(&intake);
    let application = Application { intake: intake.clone(), regime: None, events: events.clone() };
    if let Err(err) = clock::evaluate(&application, calendar, as_of) {
        let message = err.in_chinese();
        return Err(vec![Problem { row: reader.row, column: "办理过程".to_owned(), message }]);
    }
    Ok(ApplicationEntry {
        record: ApplicationRecord {
            tracking_number: tracking,
            applicant,
            intake,
            regime: None,
            events,
            // A lapse's outcome comes from the clock, not from the register.
            outcome: if lapse && cells.replied.is_none() { None } else { cells.outcome },
        },
        applicant_name: reader.free_text("applicant_name"),
        description: reader.free_text("description"),
    })
}

/// The cells of an application row from its channel on, each read by itself.
struct ApplicationCells {
    channel: Option<Channel>,
    submitted: Option<Date>,
    received: Option<Date>,
    signed_for: Option<Date>,
    confirmed: Option<Date>,
    supplement_requested: Option<Date>,
    supplement_by: Option<Date>,
    supplement_received: Option<Date>,
    consultation_sent: Option<Date>,
    consultation_party: Option<Party>,
    consultation_answered: Option<Date>,
    extension_approved: Option<Date>,
    fee_notified: Option<Date>,
    fee_amount: Option<u64>,
    fee_paid: Option<Date>,
    replied: Option<Date>,
    /// The outcome as written.
    outcome_text: String,
    outcome: Option<Outcome>,
    /// The outcome written says the application is not yet settled.
    open: bool,
}

impl ApplicationCells {
    /// Reads the cells of `reader`'s row from the channel on, reporting each that cannot be read.
    fn read(reader: &mut RowReader<'_>, channels: &str) -> ApplicationCells {
        let channel =
            reader.required("channel").and_then(|_| reader.parsed("channel", channel, channels));
        let submitted = reader.date("submitted");
        let received = reader.date("received");
        let signed_for = reader.date("signed_for");
        let confirmed = reader.date("confirmed");
        if reader.text("submitted").is_empty() && reader.text("received").is_empty() {
            let key =
                if reader.map.column("received").is_some() { "received" } else { "submitted" };
            reader.problem(key, "必填，不能为空".to_owned());
        }
        let supplement_requested = reader.date("supplement_requested");
        let supplement_by = reader.date("supplement_by");
        let supplement_received = reader.date("supplement_received");
        let consultation_sent = reader.date("consultation_sent");
        let consultation_party = reader.parsed("consultation_party", party, "第三方或其他机关");
        let consultation_answered = reader.date("consultation_answered");
        let extension_approved = reader.date("extension_approved");
        let fee_notified = reader.date("fee_notified");
        let fee_amount = read_fee_amount(reader);
        let fee_paid = reader.date("fee_paid");
        let replied = reader.date("replied");
        let (outcome_text, outcome, open) = read_outcome(reader);
        ApplicationCells {
            channel,
            submitted,
            received,
            signed_for,
            confirmed,
            supplement_requested,
            supplement_by,
            supplement_received,
            consultation_sent,
            consultation_party,
            consultation_answered,
            extension_approved,
            fee_notified,
            fee_amount,
            fee_paid,
            replied,
            outcome_text,
            outcome,
            open,
        }
    }

    /// Reports the steps that need another step the row does not have.
    fn check_steps(&self, reader: &mut RowReader<'_>) {
        if self.open && self.replied.is_some() {
            let outcome_text = &self.outcome_text;
            reader.problem(
                "replied",
                format!("答复结果为“{outcome_text}”（尚未办结），却填写了答复日期"),
            );
        }
        if self.supplement_by.is_some() && self.supplement_requested.is_none() {
            reader.problem("supplement_by", "有补正期限但没有补正告知日期".to_owned());
        }
        if self.supplement_received.is_some() && self.supplement_requested.is_none() {
            reader.problem("supplement_received", "有补正日期但没有补正告知日期".to_owned());
        }
        if self.consultation_answered.is_some() && self.consultation_sent.is_none() {
            reader.problem("consultation_answered", "有意见反馈日期但没有征求意见日期".to_owned());
        }
        if self.fee_notified.is_some() != self.fee_amount.is_some() {
            reader.problem("fee_amount", "收费通知日期与收费金额须同时填写".to_owned());
        }
        if self.fee_paid.is_some() && self.fee_notified.is_none() {
            reader.problem("fee_paid", "有缴费日期但没有收费通知日期".to_owned());
        }
    }

    /// The intake of the row, from its channel and dates (none when the channel is not read).
    fn read_intake(&self, reader: &mut RowReader<'_>) -> Option<Intake> {
        self.channel.and_then(|channel| {
            intake(reader, channel, self.submitted, self.received, self.signed_for, self.confirmed)
        })
    }

    /// Reports a reply date without an outcome, and an outcome without a reply date (but a lapse).
    fn check_reply(&self, reader: &mut RowReader<'_>, lapse: bool) {
        if self.replied.is_some() && self.outcome.is_none() && self.outcome_text.is_empty() {
            reader.problem("outcome", "已填答复日期，须填写答复结果".to_owned());
        }
        // An unreadable reply date is reported as such, not again as missing.
        if self.outcome.is_some() && reader.text("replied").is_empty() && !lapse {
            reader.problem("replied", "已填答复结果，须填写答复日期".to_owned());
        }
    }

    /// The steps of the row as events of the reply clock, in date order.
    fn events(&self, intake: &Intake) -> Vec<Event> {
        let mut events = Vec::new();
        if let Some(on) = self.supplement_requested {
            events.push(Event::SupplementRequested { on, reply_by: self.supplement_by });
        }
        if let Some(on) = self.supplement_received {
            events.push(Event::SupplementReceived { on });
        }
        if let Some(on) = self.consultation_sent {
            events.push(Event::ConsultationSent {
                on,
                party: self.consultation_party.unwrap_or(Party::ThirdParty),
            });
        }
        if let Some(on) = self.consultation_answered {
            events.push(Event::ConsultationAnswered { on });
        }
        if let Some(on) = self.extension_approved {
            let regime = Regime::in_force_on(
                intake.confirmed.or(intake.signed_for).unwrap_or(intake.submitted),
            )
            .unwrap_or(Regime::Ordinance2019);
            events.push(Event::ExtensionApproved {
                on,
                working_days: regime.max_extension_working_days(),
            });
        }
        if let (Some(on), Some(amount_yuan)) = (self.fee_notified, self.fee_amount) {
            events.push(Event::FeeNotified { on, amount_yuan });
        }
        if let Some(on) = self.fee_paid {
            events.push(Event::FeePaid { on });
        }
        if let Some(on) = self.replied {
            events.push(Event::Replied { on });
        }
        events.sort_by_key(Event::date);
        events
    }
}

/// The fee amount in 元 of `reader`'s row, when filled; a problem when it is not a whole number.
fn read_fee_amount(reader: &mut RowReader<'_>) -> Option<u64> {
    let fee_amount_text = reader.text("fee_amount").to_owned();
    if fee_amount_text.is_empty() {
        None
    } else {
        let amount = fee_amount_text.trim_end_matches('元').parse::<u64>().ok();
        if amount.is_none() {
            reader.problem("fee_amount", format!("“{fee_amount_text}”不是整数金额（元）"));
        }
        amount
    }
}

/// The outcome of `reader`'s row: its text, the outcome read, and whether the text says the
/// application is not yet settled.
fn read_outcome(reader: &mut RowReader<'_>) -> (String, Option<Outcome>, bool) {
    let outcome_text = reader.text("outcome").to_owned();
    let (outcome, open) = if outcome_text.is_empty() {
        (None, false)
    } else {
        match outcome(&outcome_text) {
            Ok(Some(outcome)) => (Some(outcome), false),
            Ok(None) => (None, true),
            Err(message) => {
                reader.problem("outcome", message);
                (None, false)
            }
        }
    };
    (outcome_text, outcome, open)
}

/// The intake of a register row, from its dates (条例第三十一条: the date of receipt is the day handed in,
/// signed for (邮寄) or confirmed (网上、信函、传真)).
///
/// - A receipt date alone (收到申请日期, 受理日期, 收件日期 …) is the register's statement of the date of
///   receipt, recorded as that: the channel's receipt event happened on it ([`Intake::received_on`]).
/// - A submission date alone is the day handed in or sent; the clock then needs the 签收/确认 date of a
///   posted or online application from its own column.
/// - Both: the submission date is kept, and the receipt date is the channel's receipt event (it must agree
///   with a 签收/确认 column where that is filled, and with the submission day for one handed in).
fn intake(
    reader: &mut RowReader<'_>,
    channel: Channel,
    submitted: Option<Date>,
    received: Option<Date>,
    signed_for: Option<Date>,
    confirmed: Option<Date>,
) -> Option<Intake> {
    let Some(received) = received else {
        return submitted.map(|submitted| Intake { channel, submitted, signed_for, confirmed });
    };
    let Some(submitted) = submitted else {
        let stated = Intake::received_on(channel, received);
        for (key, date) in [("signed_for", signed_for), ("confirmed", confirmed)] {
            if date.is_some_and(|date| date != received) {
                let header = reader.header("received");
                reader.problem(key, format!("与“{header}”{received}不一致"));
            }
        }
        return Some(Intake { signed_for: signed_for.or(stated.signed_for), ..stated });
    };
    if received < submitted {
        let header = reader.header("submitted");
        reader.problem("received", format!("收到日期 {received} 早于“{header}”{submitted}"));
        return None;
    }
    let stated = |slot: Option<Date>, key: &str, reader: &mut RowReader<'_>| {
        if slot.is_some_and(|date| date != received) {
            let header = reader.header("received");
            reader.problem(key, format!("与“{header}”{received}不一致"));
        }
        Some(received)
    };
    Some(match channel {
        Channel::InPerson => {
            if received != submitted {
                reader.problem(
                    "received",
                    format!(
                        "当面提交的申请当日收到：收到日期 {received} 应与申请日期 {submitted} 相同"
                    ),
                );
                return None;
            }
            Intake { channel, submitted, signed_for, confirmed }
        }
        Channel::Post => Intake {
            channel,
            submitted,
            signed_for: stated(signed_for, "signed_for", reader),
            confirmed,
        },
        Channel::Letter | Channel::Online | Channel::Fax => Intake {
            channel,
            submitted,
            signed_for,
            confirmed: stated(confirmed, "confirmed", reader),
        },
    })
}
