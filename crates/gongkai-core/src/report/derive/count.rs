//! The counting of one year: a method per kind of record, each adding its measures and noting the records
//! behind them. [`super::count`] runs them in order.

use std::collections::BTreeSet;

use time::Date;

use super::*;

/// One year being counted: the records, the year's bounds, and what has been counted so far.
pub(super) struct Tally<'a, 'r> {
    pub(super) records: &'a AgencyRecords,
    pub(super) year: i32,
    pub(super) calendar: &'a Calendar,
    pub(super) recorder: &'a mut Recorder<'r>,
    pub(super) measures: Measures,
    pub(super) extras: Extras,
}

impl Tally<'_, '_> {
    /// Applications: table 三 (2019/2021) and the pre-2019 统计表, by applicant column and by result.
    pub(super) fn applications(&mut self) {
        let (records, year, calendar) = (self.records, self.year, self.calendar);
        let (first_day, last_day) = year_bounds(year);
        let in_year = |date: Date| date.year() == year;
        let measures = &mut self.measures;
        let extras = &mut self.extras;
        let recorder = &mut *self.recorder;
        // Applications, counted into arrays indexed by applicant column (the last is "all").
        let mut counts = ApplicationCounts::default();
        for application in &records.applications {
            let Some(counted) =
                count_application(application, calendar, &mut extras.record_problems)
            else {
                continue;
            };
            let columns = [counted.applicant as usize, COLUMNS - 1];
            let ended_before_year = counted.ended.is_some_and(|(date, _)| date < first_day);
            if counted.received > last_day || ended_before_year {
                continue;
            }
            let code = counted.applicant.code();
            let this =
                || Source::Application { tracking_number: application.tracking_number.clone() };
            let both =
                |prefix: &str| vec![measure::key(&[prefix, code]), measure::key(&[prefix, "all"])];
            if in_year(counted.received) {
                columns.iter().for_each(|column| counts.new[*column] += 1);
                let channel = match counted.channel {
                    Channel::InPerson => 0,
                    Channel::Fax => 1,
                    Channel::Online => 2,
                    Channel::Post | Channel::Letter => 3,
                };
                counts.received_by_channel[channel] += 1;
                recorder.note(
                    || {
                        let mut keys = both(APP_NEW);
                        keys.push(APP_RECEIVED.to_owned());
                        keys.push(measure::key(&[APP_RECEIVED, RECEIVED_CHANNELS[channel]]));
                        keys
                    },
                    this,
                );
            } else {
                columns.iter().for_each(|column| counts.carried_in[*column] += 1);
                recorder.note(|| both(APP_CARRIED_IN), this);
            }
            match counted.ended {
                Some((ended_on, outcome)) if ended_on <= last_day => {
                    let result =
                        RESULT_MEASURES.iter().position(|measure| *measure == outcome.measure());
                    let result = result.expect("every outcome maps to a result row");
                    columns.iter().for_each(|column| counts.results[result][*column] += 1);
                    counts.concluded += 1;
                    let late =
                        year <= 2018 && ended_late_or_extended(application, ended_on, calendar);
                    if late {
                        counts.extended += 1;
                    }
                    let answer = LEGACY_ANSWER_MEASURES
                        .iter()
                        .position(|measure| *measure == outcome.legacy_measure());
                    counts.answers[answer.expect("every outcome maps to an answer type")] += 1;
                    recorder.note(
                        || {
                            let mut keys = both(&measure::key(&[APP_RESULT, outcome.measure()]));
                            keys.extend(both(APP_RESULT_TOTAL));
                            if outcome.measure().starts_with("other.") {
                                keys.extend(both(APP_RESULT_OTHER));
                            }
                            keys.push(APP_CONCLUDED.to_owned());
                            keys.push(
                                if late { APP_CONCLUDED_EXTENDED } else { APP_CONCLUDED_ON_TIME }
                                    .to_owned(),
                            );
                            keys.push(APP_ANSWERED.to_owned());
                            keys.push(measure::key(&[APP_ANSWER, outcome.legacy_measure()]));
                            if outcome.legacy_measure().starts_with("refused.") {
                                keys.push(APP_ANSWER_REFUSED.to_owned());
                            }
                            keys
                        },
                        this,
                    );
                }
                _ => {
                    columns.iter().for_each(|column| counts.carried_out[*column] += 1);
                    recorder.note(|| both(APP_CARRIED_OUT), this);
                }
            }
        }
        counts.add_to(measures);
    }

    /// Catalog items of the year, by channel and category; tallies counted in the database add the same sums.
    pub(super) fn catalog(&mut self) {
        let (records, year) = (self.records, self.year);
        let in_year = |date: Date| date.year() == year;
        let measures = &mut self.measures;
        let extras = &mut self.extras;
        let recorder = &mut *self.recorder;
        // Catalog.
        measures.add(CATALOG_TOTAL, 0);
        measures.add(CATALOG_NORMATIVE, 0);
        for channel in crate::records::PublishChannel::ALL {
            measures.add(&measure::key(&[CATALOG_CHANNEL, channel.code()]), 0);
        }
        let mut channel_counts = [0i64; 5];
        let mut total = 0i64;
        let mut normative = 0i64;
        // Categories in the order the agency first used them (as its own catalog lists them). Agencies use a
        // handful, so a short list checked from the last hit beats hashing every item's category.
        let mut categories: Vec<(&str, u64)> = Vec::new();
        let mut last = 0usize;
        for item in records.catalog.iter().filter(|item| in_year(item.published)) {
            recorder.note(
                || {
                    let mut keys = vec![CATALOG_TOTAL.to_owned()];
                    if item.normative {
                        keys.push(CATALOG_NORMATIVE.to_owned());
                    }
                    keys.extend(
                        item.channels.iter().map(|c| measure::key(&[CATALOG_CHANNEL, c.code()])),
                    );
                    keys
                },
                || Source::Item {
                    index_number: item.index_number.clone(),
                    title: item.title.clone(),
                },
            );
            total += 1;
            normative += i64::from(item.normative);
            let category = item.category.as_str();
            if categories.get(last).is_none_or(|(name, _)| *name != category) {
                last = match categories.iter().position(|(name, _)| *name == category) {
                    Some(index) => index,
                    None => {
                        categories.push((category, 0));
                        categories.len() - 1
                    }
                };
            }
            categories[last].1 += 1;
            for channel in &item.channels {
                channel_counts[*channel as usize] += 1;
            }
        }
        // Items counted in the database (a region's roll-up): the same sums; categories the items did not
        // use yet follow in the tally's order.
        for tally in records.catalog_tallies.iter().filter(|tally| tally.year == year) {
            total += tally.total() as i64;
            normative += tally.normative as i64;
            for (category, count) in &tally.categories {
                match categories.iter_mut().find(|(name, _)| name == category) {
                    Some((_, sum)) => *sum += count,
                    None => categories.push((category, *count)),
                }
            }
            for (channel, count) in &tally.channels {
                channel_counts[*channel as usize] += *count as i64;
            }
        }
        measures.add(CATALOG_TOTAL, total);
        measures.add(CATALOG_NORMATIVE, normative);
        for channel in crate::records::PublishChannel::ALL {
            measures.add(
                &measure::key(&[CATALOG_CHANNEL, channel.code()]),
                channel_counts[channel as usize],
            );
        }
        extras.categories =
            categories.into_iter().map(|(name, count)| (name.to_owned(), count)).collect();
    }

    /// Rules and normative documents made, repealed, in force and published.
    pub(super) fn normative(&mut self) {
        let (records, year) = (self.records, self.year);
        let (_, last_day) = year_bounds(year);
        let in_year = |date: Date| date.year() == year;
        let measures = &mut self.measures;
        let recorder = &mut *self.recorder;
        // Normative documents.
        for (kind, prefix) in
            [(NormativeKind::Rule, NORMATIVE_RULE), (NormativeKind::Document, NORMATIVE_DOC)]
        {
            let documents =
                records.normative_documents.iter().filter(|document| document.kind == kind);
            let (mut made, mut repealed, mut in_force, mut published, mut published_total) =
                (0, 0, 0, 0, 0);
            for document in documents {
                let counts = [
                    ("made", in_year(document.made)),
                    ("repealed", document.repealed.is_some_and(in_year)),
                    (
                        "in_force",
                        document.made <= last_day
                            && document.repealed.is_none_or(|date| date > last_day),
                    ),
                    ("published", document.published.is_some_and(in_year)),
                    ("published_total", document.published.is_some_and(|date| date <= last_day)),
                ];
                made += i64::from(counts[0].1);
                repealed += i64::from(counts[1].1);
                in_force += i64::from(counts[2].1);
                published += i64::from(counts[3].1);
                published_total += i64::from(counts[4].1);
                recorder.note(
                    || {
                        let counted = counts.iter().filter(|(_, counted)| *counted);
                        counted.map(|(name, _)| measure::key(&[prefix, name])).collect()
                    },
                    || Source::Document {
                        number: document.number.clone(),
                        title: document.title.clone(),
                    },
                );
            }
            measures.add(&measure::key(&[prefix, "made"]), made);
            measures.add(&measure::key(&[prefix, "repealed"]), repealed);
            measures.add(&measure::key(&[prefix, "in_force"]), in_force);
            measures.add(&measure::key(&[prefix, "published"]), published);
            measures.add(&measure::key(&[prefix, "published_total"]), published_total);
        }
    }

    /// Figures declared from other systems, as given.
    pub(super) fn declared(&mut self) {
        let (records, year) = (self.records, self.year);
        let measures = &mut self.measures;
        let recorder = &mut *self.recorder;
        // Declared figures from other systems.
        for figure in records.declared.iter().filter(|figure| figure.year == year) {
            measures.set(&figure.measure, figure.value);
            recorder.note(
                || vec![figure.measure.clone()],
                || Source::Declared { source: figure.source.clone() },
            );
        }
    }

    /// Responses to public concerns, by kind, with the topics and the head's attendance.
    pub(super) fn responses(&mut self) {
        let (records, year) = (self.records, self.year);
        let in_year = |date: Date| date.year() == year;
        let measures = &mut self.measures;
        let recorder = &mut *self.recorder;
        // Responses and interpretations.
        let responses: Vec<_> =
            records.responses.iter().filter(|response| in_year(response.date)).collect();
        let topics: BTreeSet<&str> =
            responses.iter().filter_map(|response| response.topic.as_deref()).collect();
        measures.add(RESPONSE_TOPICS, topics.len() as i64);
        let responses_key = |kind: ResponseKind| match kind {
            ResponseKind::PressConference => RESPONSE_PRESS_CONFERENCE,
            ResponseKind::OnlineInterview => RESPONSE_ONLINE_INTERVIEW,
            ResponseKind::Interpretation => RESPONSE_INTERPRETATION,
            ResponseKind::WeiboWechat => RESPONSE_WEIBO_WECHAT,
            ResponseKind::Other => RESPONSE_OTHER,
        };
        for response in &responses {
            recorder.note(
                || {
                    let key = responses_key(response.kind);
                    let mut keys = vec![key.to_owned()];
                    if response.topic.is_some() {
                        keys.push(RESPONSE_TOPICS.to_owned());
                    }
                    if response.head_attended {
                        keys.push(measure::key(&[key, HEAD]));
                    }
                    keys
                },
                || Source::Response { date: response.date, topic: response.topic.clone() },
            );
        }
        for (kind, key) in [
            (ResponseKind::PressConference, RESPONSE_PRESS_CONFERENCE),
            (ResponseKind::OnlineInterview, RESPONSE_ONLINE_INTERVIEW),
            (ResponseKind::Interpretation, RESPONSE_INTERPRETATION),
            (ResponseKind::WeiboWechat, RESPONSE_WEIBO_WECHAT),
            (ResponseKind::Other, RESPONSE_OTHER),
        ] {
            let of_kind = responses.iter().filter(|response| response.kind == kind);
            measures.add(key, of_kind.clone().count() as i64);
            if matches!(kind, ResponseKind::PressConference | ResponseKind::OnlineInterview) {
                measures.add(
                    &measure::key(&[key, HEAD]),
                    of_kind.filter(|response| response.head_attended).count() as i64,
                );
            }
        }
    }

    /// Reviews and lawsuits filed and concluded, and complaints.
    pub(super) fn cases(&mut self) {
        let (records, year) = (self.records, self.year);
        let (_, last_day) = year_bounds(year);
        let in_year = |date: Date| date.year() == year;
        let measures = &mut self.measures;
        let recorder = &mut *self.recorder;
        // Reviews and lawsuits.
        let result_name = |result: CaseResult| match result {
            CaseResult::Upheld => "upheld",
            CaseResult::Corrected => "corrected",
            CaseResult::Other => "other",
        };
        // 2019/2021: cases filed in the year, with their status at the year's end.
        let status_at_year_end = |decided: Option<(CaseResult, Date)>| match decided {
            Some((result, date)) if date <= last_day => result_name(result),
            _ => "pending",
        };
        for prefix in [REVIEW, SUIT_DIRECT, SUIT_AFTER_REVIEW] {
            for result in ["upheld", "corrected", "other", "pending", "total"] {
                measures.add(&measure::key(&[prefix, result]), 0);
            }
        }
        for prefix in [REVIEW_CONCLUDED, SUIT_CONCLUDED] {
            for result in ["upheld", "corrected", "other", "total"] {
                measures.add(&measure::key(&[prefix, result]), 0);
            }
        }
        for review in &records.reviews {
            recorder.note(
                || {
                    let mut keys = Vec::new();
                    if in_year(review.filed) {
                        keys.push(measure::key(&[REVIEW, status_at_year_end(review.decided)]));
                        keys.push(measure::key(&[REVIEW, TOTAL]));
                    }
                    if let Some((result, _)) = review.decided.filter(|(_, date)| in_year(*date)) {
                        keys.push(measure::key(&[REVIEW_CONCLUDED, result_name(result)]));
                        keys.push(measure::key(&[REVIEW_CONCLUDED, TOTAL]));
                    }
                    keys
                },
                || Source::Review { filed: review.filed, application: review.application.clone() },
            );
            if in_year(review.filed) {
                measures.add(&measure::key(&[REVIEW, status_at_year_end(review.decided)]), 1);
                measures.add(&measure::key(&[REVIEW, TOTAL]), 1);
            }
            if let Some((result, _)) = review.decided.filter(|(_, date)| in_year(*date)) {
                measures.add(&measure::key(&[REVIEW_CONCLUDED, result_name(result)]), 1);
                measures.add(&measure::key(&[REVIEW_CONCLUDED, TOTAL]), 1);
            }
        }
        for lawsuit in records.lawsuits.iter().filter(|lawsuit| !lawsuit.as_review_organ) {
            let prefix = if lawsuit.after_review { SUIT_AFTER_REVIEW } else { SUIT_DIRECT };
            recorder.note(
                || {
                    let mut keys = Vec::new();
                    if in_year(lawsuit.filed) {
                        keys.push(measure::key(&[prefix, status_at_year_end(lawsuit.decided)]));
                        keys.push(measure::key(&[prefix, TOTAL]));
                    }
                    if let Some((result, _)) = lawsuit.decided.filter(|(_, date)| in_year(*date)) {
                        keys.push(measure::key(&[SUIT_CONCLUDED, result_name(result)]));
                        keys.push(measure::key(&[SUIT_CONCLUDED, TOTAL]));
                    }
                    keys
                },
                || Source::Lawsuit {
                    filed: lawsuit.filed,
                    application: lawsuit.application.clone(),
                },
            );
            if in_year(lawsuit.filed) {
                measures.add(&measure::key(&[prefix, status_at_year_end(lawsuit.decided)]), 1);
                measures.add(&measure::key(&[prefix, TOTAL]), 1);
            }
            if let Some((result, _)) = lawsuit.decided.filter(|(_, date)| in_year(*date)) {
                measures.add(&measure::key(&[SUIT_CONCLUDED, result_name(result)]), 1);
                measures.add(&measure::key(&[SUIT_CONCLUDED, TOTAL]), 1);
            }
        }
        let complaints = records.complaints.iter().filter(|complaint| in_year(complaint.received));
        count_each(measures, recorder, COMPLAINT_TOTAL, complaints, |complaint| {
            Source::Complaint { received: complaint.received, summary: complaint.summary.clone() }
        });
    }

    /// The organisation at the year's end (offices, reading points, staff, funding), meetings and trainings.
    pub(super) fn organisation(&mut self) {
        let (records, year) = (self.records, self.year);
        let (_, last_day) = year_bounds(year);
        let in_year = |date: Date| date.year() == year;
        let measures = &mut self.measures;
        let recorder = &mut *self.recorder;
        // Organisation at the year's end.
        let offices =
            records.offices.iter().filter(|office| active_at(office.from, office.to, last_day));
        count_each(measures, recorder, ORG_OFFICES, offices, |office| Source::Office {
            name: office.name.clone(),
        });
        let points = records
            .reading_points
            .iter()
            .filter(|point| active_at(point.opened, point.closed, last_day));
        count_each(measures, recorder, ORG_READING_POINTS, points, |point| Source::ReadingPoint {
            name: point.name.clone(),
        });
        let staff: Vec<_> = records
            .staff
            .iter()
            .filter(|staff| active_at(staff.from, staff.to, last_day))
            .collect();
        for member in &staff {
            let kind = if member.full_time { ORG_STAFF_FULL_TIME } else { ORG_STAFF_PART_TIME };
            recorder.note(
                || vec![ORG_STAFF.to_owned(), kind.to_owned()],
                || Source::Staff { id: member.id.clone() },
            );
        }
        let full_time = staff.iter().filter(|staff| staff.full_time).count() as i64;
        measures.add(ORG_STAFF_FULL_TIME, full_time);
        measures.add(ORG_STAFF_PART_TIME, staff.len() as i64 - full_time);
        measures.add(ORG_STAFF, staff.len() as i64);
        let funding: Vec<_> =
            records.funding.iter().filter(|funding| funding.year == year).collect();
        if !funding.is_empty() {
            measures.set(ORG_FUNDING, funding.iter().map(|funding| funding.amount_wan_yuan).sum());
            recorder.note(|| vec![ORG_FUNDING.to_owned()], || Source::Funding { year });
        }
        let meetings = records.meetings.iter().filter(|meeting| in_year(meeting.date));
        count_each(measures, recorder, TRAINING_MEETINGS, meetings, |meeting| Source::Meeting {
            date: meeting.date,
            title: meeting.title.clone(),
        });
        let trainings: Vec<_> =
            records.trainings.iter().filter(|training| in_year(training.date)).collect();
        for training in &trainings {
            recorder.note(
                || vec![TRAINING_COURSES.to_owned(), TRAINING_TRAINEES.to_owned()],
                || Source::Training {
                    date: training.date,
                    title: training.title.clone(),
                    trainees: training.trainees,
                },
            );
        }
        measures.add(TRAINING_COURSES, trainings.len() as i64);
        measures.add(
            TRAINING_TRAINEES,
            trainings.iter().map(|training| i64::from(training.trainees)).sum(),
        );
    }
}

/// Columns of the applications' arrays: one per applicant type, then "all".
const COLUMNS: usize = ApplicantType::ALL.len() + 1;

/// The year's applications counted by column (and by result row, channel, answer type).
#[derive(Default)]
struct ApplicationCounts {
    new: [i64; COLUMNS],
    carried_in: [i64; COLUMNS],
    carried_out: [i64; COLUMNS],
    results: [[i64; COLUMNS]; RESULT_MEASURES.len()],
    received_by_channel: [i64; 4],
    concluded: i64,
    extended: i64,
    answers: [i64; LEGACY_ANSWER_MEASURES.len()],
}

impl ApplicationCounts {
    /// The measures of table 三 and of the pre-2019 统计表 from the counts, with their sums.
    fn add_to(&self, measures: &mut Measures) {
        let column_codes =
            ApplicantType::ALL.iter().map(|applicant| applicant.code()).chain(["all"]);
        for (column, code) in column_codes.enumerate() {
            measures.add(&measure::key(&[APP_NEW, code]), self.new[column]);
            measures.add(&measure::key(&[APP_CARRIED_IN, code]), self.carried_in[column]);
            measures.add(&measure::key(&[APP_CARRIED_OUT, code]), self.carried_out[column]);
            let mut total = 0;
            let mut other = 0;
            for (index, result) in RESULT_MEASURES.iter().enumerate() {
                let count = self.results[index][column];
                measures.add(&measure::key(&[APP_RESULT, result, code]), count);
                total += count;
                if result.starts_with("other.") {
                    other += count;
                }
            }
            measures.add(&measure::key(&[APP_RESULT_TOTAL, code]), total);
            measures.add(&measure::key(&[APP_RESULT_OTHER, code]), other);
        }
        measures.add(APP_RECEIVED, self.received_by_channel.iter().sum());
        for (index, channel) in RECEIVED_CHANNELS.into_iter().enumerate() {
            measures.add(&measure::key(&[APP_RECEIVED, channel]), self.received_by_channel[index]);
        }
        measures.add(APP_CONCLUDED, self.concluded);
        measures.add(APP_CONCLUDED_ON_TIME, self.concluded - self.extended);
        measures.add(APP_CONCLUDED_EXTENDED, self.extended);
        measures.add(APP_ANSWERED, self.answers.iter().sum());
        let mut refused = 0;
        for (index, answer) in LEGACY_ANSWER_MEASURES.iter().enumerate() {
            measures.add(&measure::key(&[APP_ANSWER, answer]), self.answers[index]);
            if answer.starts_with("refused.") {
                refused += self.answers[index];
            }
        }
        measures.add(APP_ANSWER_REFUSED, refused);
    }
}
