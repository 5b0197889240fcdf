//! The report's narrative, generated from the same measures as its tables so prose and table cannot
//! disagree. Paragraphs only people can write (overview highlights, problems and improvements, other
//! matters) come from [`StaffText`](crate::records::StaffText) and are kept as written.

use serde::Serialize;

use super::derive::{Extras, Measures};
use super::format::{Format, FormatId, Section};
use super::measure;
use crate::records::Content;
use crate::records::{AgencyRecords, StaffText};

/// One paragraph, and whether gongkai wrote it from the records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Paragraph {
    pub text: String,
    pub generated: bool,
}

/// A section of the report as rendered: heading, paragraphs, the tables it shows, whether it shows the
/// proactive-disclosure chart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SectionText {
    pub number: String,
    pub title: String,
    pub content: Content,
    pub paragraphs: Vec<Paragraph>,
    pub tables: Vec<String>,
    pub chart: bool,
}

impl SectionText {
    /// The heading as the formats print it: the number, "、", the title ("一、总体情况"); an annex
    /// "附表：…（2025年度）".
    #[must_use]
    pub fn heading(&self, year: i32) -> String {
        if self.content == Content::Annex {
            format!("{}：{}（{year}年度）", self.number, self.title)
        } else {
            format!("{}、{}", self.number, self.title)
        }
    }
}

/// Percentages with `decimals` decimals that add up to exactly 100 (largest remainder method), as strings.
///
/// Example: 137, 811, 19, 25 of 992 → 13.8, 81.8, 1.9, 2.5.
pub fn percentages(counts: &[u64], decimals: u32) -> Vec<String> {
    let total: u64 = counts.iter().sum();
    if total == 0 {
        return counts.iter().map(|_| format!("{:.*}", decimals as usize, 0.0)).collect();
    }
    let scale = 100 * 10u64.pow(decimals);
    // Exact shares in units of 10^-decimals percent, as (floor, remainder).
    let mut shares: Vec<(u64, u64, usize)> = counts
        .iter()
        .enumerate()
        .map(|(index, count)| (count * scale / total, count * scale % total, index))
        .collect();
    let assigned: u64 = shares.iter().map(|share| share.0).sum();
    let mut order: Vec<usize> = (0..shares.len()).collect();
    order.sort_by(|a, b| shares[*b].1.cmp(&shares[*a].1).then(a.cmp(b)));
    for index in order.into_iter().take((scale - assigned) as usize) {
        shares[index].0 += 1;
    }
    shares.sort_by_key(|share| share.2);
    let divisor = 10u64.pow(decimals);
    shares
        .iter()
        .map(|(units, _, _)| {
            if decimals == 0 {
                units.to_string()
            } else {
                format!(
                    "{}.{:0width$}",
                    units / divisor,
                    units % divisor,
                    width = decimals as usize
                )
            }
        })
        .collect()
}

/// One share as a percentage of a base with one decimal (e.g. 予以公开及部分公开 of all results).
pub fn percentage_of(part: u64, base: u64) -> String {
    if base == 0 {
        return "0.0".to_owned();
    }
    percentages(&[part, base - part.min(base)], 1).remove(0)
}

/// Whose report the narrative speaks for: one agency ("本机关"), or a region's roll-up of `members` agencies,
/// whose sentences give the region's sums and counts and never speak of one member as "本机关".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    Agency,
    Region { members: usize },
}

struct Writer<'a> {
    format: &'a Format,
    year: i32,
    subject: Subject,
    agency_name: &'a str,
    measures: &'a Measures,
    extras: &'a Extras,
    records: &'a AgencyRecords,
}

impl Writer<'_> {
    /// Who did what the sentence counts: "本机关", or "本区域N个单位共" (a sum).
    fn who(&self) -> String {
        match self.subject {
            Subject::Agency => "本机关".to_owned(),
            Subject::Region { members } => format!("本区域{members}个单位共"),
        }
    }

    /// Who did none of it: "本机关", or "本区域N个单位均".
    fn none(&self) -> String {
        match self.subject {
            Subject::Agency => "本机关".to_owned(),
            Subject::Region { members } => format!("本区域{members}个单位均"),
        }
    }

    fn count(&self, measure: &str) -> u64 {
        self.measures.get(measure).map_or(0, |value| value.whole().max(0) as u64)
    }

    fn staff_paragraphs(&self, content: Content) -> Vec<String> {
        self.records
            .texts
            .iter()
            .filter(|text: &&StaffText| text.year == self.year && text.section == content)
            .flat_map(|text| text.paragraphs.clone())
            .collect()
    }

    /// "a件、b件" lists of the non-zero items, or `None` when all are zero.
    fn listing(&self, items: &[(&str, &str, &str)]) -> Option<String> {
        let parts: Vec<String> = items
            .iter()
            .filter_map(|(label, measure, unit)| {
                let count = self.count(measure);
                (count > 0).then(|| format!("{label}{count}{unit}"))
            })
            .collect();
        (!parts.is_empty()).then(|| parts.join("，"))
    }

    fn categories_sentence(&self) -> Option<String> {
        let categories = &self.extras.categories;
        if categories.is_empty() {
            return None;
        }
        let counts: Vec<u64> = categories.iter().map(|(_, count)| *count).collect();
        let shares = percentages(&counts, 1);
        let parts: Vec<String> = categories
            .iter()
            .zip(&shares)
            .map(|((name, count), share)| {
                // "工作信息类" is named once as a class: never "工作信息类类".
                let class = if name.ends_with('类') { "" } else { "类" };
                format!("{name}{class}{count}条，占总体比例{share}%")
            })
            .collect();
        Some(format!("其中，{}。详细情况如图1所示。", parts.join("；")))
    }

    fn proactive(&self) -> Vec<String> {
        let total = self.count(measure::CATALOG_TOTAL);
        let mut paragraphs = Vec::new();
        let mut first = format!("{}年，{}主动公开政府信息{total}条。", self.year, self.who());
        if let Some(categories) = self.categories_sentence() {
            first.push_str(&categories);
        }
        paragraphs.push(first);
        let channels = self.listing(&[
            ("政府公报公开", "catalog.channel.gazette", "条"),
            ("政府网站公开", "catalog.channel.website", "条"),
            ("政务微博公开", "catalog.channel.weibo", "条"),
            ("政务微信公开", "catalog.channel.wechat", "条"),
            ("其他方式公开", "catalog.channel.other", "条"),
        ]);
        if let Some(channels) = channels {
            paragraphs.push(format!(
                "按公开渠道统计（同一信息通过不同渠道公开的，各渠道分别计数），{channels}。"
            ));
        }
        if self.format.id != FormatId::Pre2019 {
            let sources: std::collections::BTreeSet<&str> = self
                .records
                .declared
                .iter()
                .filter(|figure| figure.year == self.year)
                .map(|figure| figure.source.as_str())
                .collect();
            if !sources.is_empty() {
                paragraphs.push(match self.subject {
                    Subject::Agency => format!(
                        "表中行政许可、行政处罚、行政强制、收费等数据由相关业务系统统计填报，数据来源：{}。",
                        sources.into_iter().collect::<Vec<_>>().join("；")
                    ),
                    Subject::Region { .. } => "表中行政许可、行政处罚、行政强制、收费等数据为各单位相关业务系统统计填报数据的合计。".to_owned(),
                });
            }
            let made = self.count("normative.doc.made");
            let in_force = self.count("normative.doc.in_force");
            let whose = match self.subject {
                Subject::Agency => "",
                Subject::Region { .. } => "本区域各单位",
            };
            paragraphs
                .push(format!("{whose}本年制发规范性文件{made}件，年末现行有效{in_force}件。"));
        }
        paragraphs
    }

    fn applications_pre2019(&self) -> Vec<String> {
        let received = self.count(measure::APP_RECEIVED);
        if received == 0 && self.count(measure::APP_CONCLUDED) == 0 {
            return vec![format!("{}年，{}未收到政府信息公开申请。", self.year, self.none())];
        }
        let mut text = format!("{}年，{}收到政府信息公开申请{received}件", self.year, self.who());
        if let Some(channels) = self.listing(&[
            ("当面申请", "app.received.in_person", "件"),
            ("传真申请", "app.received.fax", "件"),
            ("网络申请", "app.received.online", "件"),
            ("信函申请", "app.received.letter", "件"),
        ]) {
            text.push_str(&format!("，其中{channels}"));
        }
        text.push_str(&format!(
            "。办结{}件，其中按时办结{}件，延期办结{}件。",
            self.count(measure::APP_CONCLUDED),
            self.count(measure::APP_CONCLUDED_ON_TIME),
            self.count(measure::APP_CONCLUDED_EXTENDED)
        ));
        if let Some(answers) = self.listing(&[
            ("属于已主动公开范围", "app.answer.already_public", "件"),
            ("同意公开", "app.answer.disclosed", "件"),
            ("同意部分公开", "app.answer.partial", "件"),
            ("不同意公开", measure::APP_ANSWER_REFUSED, "件"),
            ("不属于本行政机关公开", "app.answer.not_this_agency", "件"),
            ("申请信息不存在", "app.answer.not_exist", "件"),
            ("告知作出更改补充", "app.answer.amend", "件"),
            ("告知通过其他途径办理", "app.answer.other_channel", "件"),
        ]) {
            text.push_str(&format!("答复情况：{answers}。"));
        }
        vec![text]
    }

    fn applications_current(&self) -> Vec<String> {
        let new = self.count("app.new.all");
        let carried_in = self.count("app.carried_in.all");
        let total = self.count("app.result.total.all");
        let carried_out = self.count("app.carried_out.all");
        let mut text = format!(
            "{}年，{}新收政府信息公开申请{new}件，上年结转{carried_in}件，本年度办结{total}件，结转下年度继续办理{carried_out}件。",
            self.year,
            self.who()
        );
        if total > 0 {
            let disclosed = self.count("app.result.disclosed.all");
            let partial = self.count("app.result.partial.all");
            text.push_str(&format!(
                "办结的申请中，予以公开{disclosed}件，部分公开{partial}件，予以公开及部分公开{}件，占{}%",
                disclosed + partial,
                percentage_of(disclosed + partial, total)
            ));
            let withheld: u64 = [
                "state_secret",
                "forbidden_by_law",
                "security",
                "third_party",
                "internal",
                "deliberative",
                "enforcement_file",
                "administrative_query",
            ]
            .iter()
            .map(|reason| self.count(&format!("app.result.withheld.{reason}.all")))
            .sum();
            let unavailable: u64 = ["not_held", "needs_creation", "still_unclear"]
                .iter()
                .map(|reason| self.count(&format!("app.result.unavailable.{reason}.all")))
                .sum();
            let not_processed: u64 =
                ["petition", "repeat", "publication", "excessive", "confirmation"]
                    .iter()
                    .map(|reason| self.count(&format!("app.result.not_processed.{reason}.all")))
                    .sum();
            let other = self.count("app.result.other.all");
            for (label, count) in [
                ("不予公开", withheld),
                ("无法提供", unavailable),
                ("不予处理", not_processed),
                ("其他处理", other),
            ] {
                if count > 0 {
                    text.push_str(&format!("，{label}{count}件"));
                }
            }
            text.push('。');
        }
        vec![text]
    }

    fn reviews(&self) -> Vec<String> {
        if self.format.id == FormatId::Pre2019 {
            let reviews = self.count("review_concluded.total");
            let suits = self.count("suit_concluded.total");
            let complaints = self.count(measure::COMPLAINT_TOTAL);
            if reviews + suits + complaints == 0 {
                let own = match self.subject {
                    Subject::Agency => "本机关",
                    Subject::Region { .. } => "其",
                };
                return vec![format!(
                    "{}年，{}未发生针对{own}政府信息公开事务的行政复议案、行政诉讼案和举报投诉。",
                    self.year,
                    self.none()
                )];
            }
            return vec![format!(
                "{}年，{}办结因政府信息公开引起的行政复议案{reviews}件（维持{}件，被依法纠错{}件，其他情形{}件），行政诉讼案{suits}件（维持或驳回{}件，被依法纠错{}件，其他情形{}件），收到举报投诉{complaints}件。",
                self.year,
                self.who(),
                self.count("review_concluded.upheld"),
                self.count("review_concluded.corrected"),
                self.count("review_concluded.other"),
                self.count("suit_concluded.upheld"),
                self.count("suit_concluded.corrected"),
                self.count("suit_concluded.other"),
            )];
        }
        let reviews = self.count("review.total");
        let direct = self.count("suit.direct.total");
        let after = self.count("suit.after_review.total");
        if reviews + direct + after == 0 {
            return vec![format!(
                "{}年，{}未发生因政府信息公开工作被申请行政复议、提起行政诉讼的情况。",
                self.year,
                self.none()
            )];
        }
        vec![format!(
            "{}年，{}因政府信息公开工作被申请行政复议{reviews}件（结果维持{}件，结果纠正{}件，其他结果{}件，尚未审结{}件），被提起行政诉讼{}件（未经复议直接起诉{direct}件，复议后起诉{after}件）。",
            self.year,
            self.who(),
            self.count("review.upheld"),
            self.count("review.corrected"),
            self.count("review.other"),
            self.count("review.pending"),
            direct + after,
        )]
    }

    fn fees(&self) -> String {
        let collected = self.extras.fees_collected_yuan;
        let waived = self.extras.fees_waived;
        let (who, none) = (self.who(), self.none());
        // "共计" after "本机关"; a region's subject already says "共".
        let total = if self.subject == Subject::Agency { "共计" } else { "" };
        match (self.format.id, collected, waived) {
            (FormatId::Pre2019, 0, 0) => {
                format!("{}年，{none}未发生政府信息公开的收费及减免情况。", self.year)
            }
            (FormatId::Pre2019, _, _) => format!(
                "{}年，{who}收取检索、复制、邮寄等成本费用{collected}元，减免收费{waived}件。",
                self.year
            ),
            (_, 0, 0) => format!(
                "依据《政府信息公开信息处理费管理办法》，{}年{none}未收取信息处理费。",
                self.year
            ),
            (_, _, _) => format!(
                "依据《政府信息公开信息处理费管理办法》，{}年{who}收取信息处理费{total}{collected}元，减免{waived}件。",
                self.year
            ),
        }
    }

    fn overview(&self) -> Vec<String> {
        let mut paragraphs = Vec::new();
        if self.format.id == FormatId::Pre2019 {
            let titles: Vec<&str> = self
                .format
                .sections
                .iter()
                .filter(|section| section.content != Content::Annex)
                .map(|section| section.title.as_str())
                .collect();
            let by = match self.subject {
                Subject::Agency => self.agency_name.to_owned(),
                Subject::Region { members } => {
                    format!("{}根据本区域{members}个单位的记录汇总", self.agency_name)
                }
            };
            paragraphs.push(format!(
                "本报告是根据《中华人民共和国政府信息公开条例》要求，由{by}编制。全文由{}等{}部分组成，并附指标统计附表。本报告中所列数据的统计期限自{}年1月1日至{}年12月31日止。",
                titles.join("、"),
                chinese_number(titles.len()),
                self.year,
                self.year
            ));
        } else {
            paragraphs.push(format!(
                "本报告根据《中华人民共和国政府信息公开条例》第五十条和《中华人民共和国政府信息公开工作年度报告格式》（{}）编制，所列数据的统计期限自{}年1月1日至{}年12月31日止。",
                self.format.notice, self.year, self.year
            ));
        }
        paragraphs.push(format!(
            "{}年，{}主动公开政府信息{}条，{}收到和结转政府信息公开申请{}件。",
            self.year,
            self.who(),
            self.count(measure::CATALOG_TOTAL),
            if self.format.id == FormatId::Pre2019 { "" } else { "新" },
            if self.format.id == FormatId::Pre2019 {
                self.count(measure::APP_RECEIVED)
            } else {
                self.count("app.new.all") + self.count("app.carried_in.all")
            }
        ));
        let staff = self.count(measure::ORG_STAFF);
        let trainings = self.count(measure::TRAINING_COURSES);
        let trainees = self.count(measure::TRAINING_TRAINEES);
        let mut support = match self.subject {
            Subject::Agency => format!("本机关从事政府信息公开工作人员{staff}人"),
            Subject::Region { members } => {
                format!("本区域{members}个单位从事政府信息公开工作人员共{staff}人")
            }
        };
        if trainings > 0 {
            support.push_str(&format!("，举办培训{trainings}次，培训{trainees}人次"));
        }
        support.push('。');
        paragraphs.push(support);
        paragraphs
    }

    fn section(&self, section: &Section) -> SectionText {
        let staff = |content| self.staff_paragraphs(content);
        let generated =
            |texts: Vec<String>| texts.into_iter().map(|text| Paragraph { text, generated: true });
        let written =
            |texts: Vec<String>| texts.into_iter().map(|text| Paragraph { text, generated: false });
        let mut paragraphs: Vec<Paragraph> = Vec::new();
        let mut chart = false;
        match section.content {
            Content::Overview => {
                paragraphs.extend(generated(self.overview()));
                paragraphs.extend(written(staff(Content::Overview)));
            }
            Content::Proactive => {
                paragraphs.extend(generated(self.proactive()));
                paragraphs.extend(written(staff(Content::Proactive)));
                chart = !self.extras.categories.is_empty();
            }
            Content::Applications => {
                let texts = if self.format.id == FormatId::Pre2019 {
                    self.applications_pre2019()
                } else {
                    self.applications_current()
                };
                paragraphs.extend(generated(texts));
            }
            Content::Fees => paragraphs.extend(generated(vec![self.fees()])),
            Content::Reviews => paragraphs.extend(generated(self.reviews())),
            Content::Problems => {
                // The first paragraph states the problems; the rest are next year's improvements,
                // introduced by a generated line only when there are some (never a lead-in to nothing).
                let mut texts = staff(Content::Problems).into_iter();
                if let Subject::Region { .. } = self.subject {
                    // The region's problems are its members' own; the roll-up says where they are.
                    paragraphs.push(Paragraph {
                        text: "本区域各单位存在的主要问题及改进情况，见各单位公布的本年度政府信息公开工作年度报告。".to_owned(),
                        generated: true,
                    });
                }
                paragraphs.extend(written(texts.next().into_iter().collect()));
                let improvements: Vec<String> = texts.collect();
                if !improvements.is_empty() {
                    let who = match self.subject {
                        Subject::Agency => "本机关",
                        Subject::Region { .. } => "本区域",
                    };
                    paragraphs.push(Paragraph {
                        text: format!("{}年，{who}将重点做好以下工作：", self.year + 1),
                        generated: true,
                    });
                }
                paragraphs.extend(written(improvements));
            }
            Content::Other => {
                paragraphs.extend(generated(vec![self.fees()]));
                paragraphs.extend(written(staff(Content::Other)));
            }
            Content::Annex => {}
        }
        SectionText {
            number: section.number.clone(),
            title: section.title.clone(),
            content: section.content,
            paragraphs,
            tables: section.tables.clone(),
            chart,
        }
    }
}

/// 1–10 in Chinese numerals (section counts).
fn chinese_number(n: usize) -> String {
    const DIGITS: [&str; 11] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];
    DIGITS.get(n).map_or_else(|| n.to_string(), |digit| (*digit).to_owned())
}

/// The narrative of every section of `format`, spoken for `subject`.
pub fn sections(
    format: &Format,
    year: i32,
    subject: Subject,
    agency_name: &str,
    measures: &Measures,
    extras: &Extras,
    records: &AgencyRecords,
) -> Vec<SectionText> {
    let writer = Writer { format, year, subject, agency_name, measures, extras, records };
    format.sections.iter().map(|section| writer.section(section)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue #20: a category named as a class ("工作信息类") read "工作信息类类2条" in the draft.
    #[test]
    fn a_category_named_as_a_class_is_not_classed_twice() {
        let extras = Extras {
            categories: vec![("工作信息类".to_owned(), 2), ("通知公告".to_owned(), 2)],
            ..Extras::default()
        };
        let writer = Writer {
            format: FormatId::F2021.format(),
            year: 2025,
            subject: Subject::Agency,
            agency_name: "某局",
            measures: &Measures::default(),
            extras: &extras,
            records: &AgencyRecords::default(),
        };
        assert_eq!(
            writer.categories_sentence().unwrap(),
            "其中，工作信息类2条，占总体比例50.0%；通知公告类2条，占总体比例50.0%。详细情况如图1所示。"
        );
    }

    #[test]
    fn seed_category_shares_sum_to_100() {
        // The seed's categories: 137, 811, 19, 25 of 992.
        assert_eq!(percentages(&[137, 811, 19, 25], 1), vec!["13.8", "81.8", "1.9", "2.5"]);
    }

    #[test]
    fn largest_remainder_keeps_the_sum_at_100() {
        let shares = percentages(&[1, 1, 1], 1);
        assert_eq!(shares, vec!["33.4", "33.3", "33.3"]);
        let total: f64 = shares.iter().map(|share| share.parse::<f64>().unwrap()).sum();
        assert!((total - 100.0).abs() < 1e-9);
        assert_eq!(percentages(&[0, 0], 1), vec!["0.0", "0.0"]);
    }

    #[test]
    fn share_of_a_base() {
        assert_eq!(percentage_of(258, 300), "86.0");
        assert_eq!(percentage_of(0, 0), "0.0");
    }
}
