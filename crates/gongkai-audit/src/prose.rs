//! The figures a report's prose states, tied to the table and checked.
//!
//! A *figure* is a number with its unit ("992条", "13.8%"); its *subject* is the text between the previous
//! figure (or the sentence start) and the number. The vocabulary (`data/claims.toml`) says which subjects
//! state which measures. Checks:
//! - a figure against the table cells showing its measures (their sum);
//! - a figure whose measures no table shows against the same claim stated earlier in the prose;
//! - a part after 其中 against its whole (the last figure before 其中 in the paragraph), which it cannot
//!   exceed;
//! - a percentage after 占 against its part and base (the claim's `percent_of`, or the whole of 其中),
//!   within one unit of its last decimal (shares are rounded so that they add up to 100);
//! - numbers that are not numbers ("81.8.0%");
//! - a sentence saying something happened (a policy interpretation published) while the table counts 0;
//! - the improvements of the coming year dated in the report year;
//! - the preamble's list of the report's parts against the section headings.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use gongkai_core::report::format::{Format, FormatId, RuleKind};
use gongkai_core::report::values::{CellKey, Quantity, TableValues};
use regex::Regex;
use serde::Deserialize;

use crate::mapping::cell_measures;
use crate::normalize::{fold, label_key};
use crate::{AuditFinding, FindingKind};

mod structure;

use structure::*;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ClaimDef {
    phrases: Vec<String>,
    #[serde(default)]
    all: Vec<String>,
    /// Words that make the subject something else (a channel, a category): none may be in it.
    #[serde(default)]
    none: Vec<String>,
    units: Vec<String>,
    measures: Vec<String>,
    #[serde(default)]
    percent_of: Vec<String>,
    /// Other sums of measures the figure may state ("收到申请21件" is 本年新收, or 本年新收 and 上年结转
    /// together): the figure agrees with the table when it equals the first sum or any of these.
    #[serde(default)]
    also: Vec<Vec<String>>,
    /// The subject must be the claim's words alone: besides the phrase and the `all` words, only the
    /// vocabulary's `filler` words, enumerators and punctuation. "区政府办代表区政府受理…17件" names a part of
    /// the body whose table it may be, "其中…" a part, "通过网络…" a channel: none is the claim.
    #[serde(default)]
    strict: bool,
    #[serde(default)]
    formats: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MentionDef {
    all: Vec<String>,
    measures: Vec<String>,
    description: String,
}

/// A sentence saying every case of a kind ended one way ("复议…诉讼…均获维持"): the part must be the whole.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EntireDef {
    /// One of these says "all of them".
    any: Vec<String>,
    /// And all of these name the kind, in the clause before it.
    all: Vec<String>,
    /// Words that contain a word of `all` but name another kind (复议后起诉 is a suit).
    #[serde(default)]
    except: Vec<String>,
    part: Vec<String>,
    whole: Vec<String>,
    description: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Vocabulary {
    /// Words a strict claim's subject may have besides its own ("共", "全年", "本机关", "政府信息公开").
    filler: Vec<String>,
    claim: Vec<ClaimDef>,
    mention: Vec<MentionDef>,
    #[serde(default)]
    entire: Vec<EntireDef>,
}

fn vocabulary() -> &'static Vocabulary {
    static VOCABULARY: OnceLock<Vocabulary> = OnceLock::new();
    VOCABULARY.get_or_init(|| {
        // Embedded and checked by the tests; a broken file is a defect of the build, not of the input.
        toml::from_str(include_str!("../data/claims.toml"))
            .unwrap_or_else(|err| panic!("data/claims.toml: {err}"))
    })
}

fn number_pattern() -> &'static Regex {
    static PATTERN: OnceLock<Regex> = OnceLock::new();
    PATTERN.get_or_init(|| {
        Regex::new(r"[0-9]+(?:[.,][0-9]+)*(万元|人次|%|元|件|条|篇|次|个|人|名|期|项|家|年|月|日|号|万|部分|起|份)?")
            .unwrap_or_else(|err| panic!("number pattern: {err}"))
    })
}

/// Units of counts and money: figures that can be claims or parts.
const COUNT_UNITS: [&str; 13] =
    ["万元", "人次", "元", "件", "条", "篇", "次", "个", "人", "名", "期", "起", "份"];

#[derive(Debug, Clone)]
struct Figure {
    paragraph: usize,
    sentence: String,
    text: String,
    value: Option<Quantity>,
    unit: String,
    subject: String,
    /// Index into the vocabulary's claims.
    claim: Option<usize>,
    /// How many brackets are open where the number stands in its sentence: "办结1191件（含上年结转189件）"
    /// has 189 at depth 1.
    depth: usize,
    /// In brackets that say what a figure before them includes ("（含…", "（其中…", "（包括…", "（另…"): an
    /// aside, never the whole of a list after the brackets close — unlike "（合计15件）".
    aside: bool,
}

fn parse_number(text: &str) -> Option<Quantity> {
    let digits: String = text.chars().filter(|c| *c != ',').collect();
    Quantity::parse(&digits).ok()
}

fn malformed(text: &str) -> bool {
    text.matches('.').count() > 1
}

/// The claim a figure states: of the claims for its unit and format whose words are in the subject, the
/// one whose phrase ends latest (the longer phrase on a tie). A phrase followed, before the number, by a
/// colon or a category ("主动公开政府信息的主要类别有：机构职能类信息117条") names what a list is of, not
/// the figure.
fn claim_of(subject: &str, unit: &str, format: FormatId) -> Option<usize> {
    // (end, phrase length, claim, ruled out): a claim ruled out by its `none` words or by what follows its
    // phrase still takes its place — the figure is then no claim at all, never a weaker one found earlier
    // in the subject ("通过政府网站、政务微博、微信等渠道主动公开政府信息2602条" is not a 微信 figure).
    // A list of channels (…、…等渠道) before the total's words is the total by all of them: no one channel's.
    let listed = subject.contains('等') || subject.contains('、');
    let mut best: Option<(usize, usize, usize, bool)> = None;
    let mut allowed: Option<(usize, usize, usize)> = None;
    for (index, claim) in vocabulary().claim.iter().enumerate() {
        if !claim.units.iter().any(|u| u == unit)
            || (!claim.formats.is_empty() && !claim.formats.iter().any(|f| f == format.code()))
            || !claim.all.iter().all(|word| subject.contains(word.as_str()))
        {
            continue;
        }
        let excluded = claim.none.iter().any(|word| subject.contains(word.as_str()));
        for phrase in &claim.phrases {
            if let Some(position) = subject.rfind(phrase.as_str()) {
                let rest = &subject[position + phrase.len()..];
                let listing = rest.contains(['：', ':', '类']);
                // A strict claim's subject with other words is a part, a channel or another body's
                // figure: not this claim, and not a weaker one either.
                let impure = claim.strict && !only_claim_words(subject, phrase, claim);
                let excluded = excluded || impure;
                // Blocks every weaker claim: a list's name, the total through a list of channels, or a
                // strict claim's words with others.
                let blocks = listing || (excluded && listed) || impure;
                let candidate = (position + phrase.len(), phrase.chars().count(), index, blocks);
                if best.is_none_or(|best| (candidate.0, candidate.1) > (best.0, best.1)) {
                    best = Some(candidate);
                }
                if !excluded
                    && !listing
                    && allowed.is_none_or(|best| (candidate.0, candidate.1) > (best.0, best.1))
                {
                    allowed = Some((candidate.0, candidate.1, index));
                }
            }
        }
    }
    match best {
        Some((.., true)) => None,
        _ => allowed.map(|(_, _, index)| index),
    }
}

/// Whether `subject` says `claim` in its words alone (see [`ClaimDef::strict`]): with the phrase, the claim's
/// `all` words, the vocabulary's filler words, enumerators ("（二）", "2.") and punctuation removed, nothing
/// is left.
fn only_claim_words(subject: &str, phrase: &str, claim: &ClaimDef) -> bool {
    static ENUMERATOR: OnceLock<Regex> = OnceLock::new();
    let enumerator = ENUMERATOR.get_or_init(|| {
        Regex::new(r"[（(][一二三四五六七八九十0-9]+[)）]|[一二三四五六七八九十]+、|[0-9]+[.、．]")
            .unwrap_or_else(|err| panic!("enumerator pattern: {err}"))
    });
    let mut rest = enumerator.replace_all(subject, "").replacen(phrase, "", 1);
    let mut words: Vec<&str> =
        claim.all.iter().chain(&vocabulary().filler).map(String::as_str).collect();
    // Longer words first: "政府信息公开" before "公开".
    words.sort_by_key(|word| std::cmp::Reverse(word.chars().count()));
    for word in words {
        rest = rest.replace(word, "");
    }
    rest.chars()
        .all(|c| c.is_whitespace() || c.is_ascii_punctuation() || "，、；：（）“”。".contains(c))
}

/// Whether `sentence` says every case of `entire`'s kind ended so: in one of its clauses parted by ；, the
/// words of `all` (but `except`) before the phrase, and nothing saying some are not concluded (尚未审结,
/// 审理中: then "all" is of the concluded ones).
fn says_entire(sentence: &str, entire: &EntireDef) -> bool {
    sentence.split(['；', ';']).any(|clause| {
        let Some(at) = entire.any.iter().filter_map(|word| clause.find(word.as_str())).min() else {
            return false;
        };
        let mut before = clause[..at].to_owned();
        for word in &entire.except {
            before = before.replace(word.as_str(), "");
        }
        entire.all.iter().all(|word| before.contains(word.as_str()))
            && !["审结", "审理", "已结", "未结", "尚在"].iter().any(|word| clause.contains(word))
    })
}

/// Whether a figure's subject opens a list of parts of `before`, the figure before it: "其中…", or "…中，"
/// right after `before` in its sentence ("在主动公开的1913条政府信息中，机构职能…信息133条"; not
/// "办结的申请中，予以公开36件" at the start of a sentence, which names no figure as its whole).
fn opens_parts(figure: &Figure, before: Option<&Figure>) -> bool {
    let subject = &figure.subject;
    if subject.contains("其中") {
        return true;
    }
    let attached = before.is_some_and(|before| {
        (before.paragraph, &before.sentence) == (figure.paragraph, &figure.sentence)
    });
    attached
        && ["中，", "中,", "中："].iter().any(|mark| {
            subject.find(mark).is_some_and(|at| {
                // The noun right after the whole ("条政府信息中"), no clause between them.
                let before = &subject[..at];
                before.chars().count() <= 12
                    && !before.chars().any(|c| c.is_ascii_digit() || "，；,;。".contains(c))
            })
        })
}

/// The figure just before `figures[at]`, skipping asides in brackets that closed since ([`Figure::aside`]):
/// the whole a list opened at `at` can break down.
fn outer_before(figures: &[Figure], at: usize) -> Option<&Figure> {
    let depth = figures.get(at)?.depth;
    figures[..at].iter().rev().find(|figure| !(figure.aside && figure.depth > depth))
}

/// A paragraph cut into sentences (after 。！？), as the checks quote them.
pub fn sentences(paragraph: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for c in paragraph.chars() {
        current.push(c);
        if matches!(c, '。' | '！' | '？' | '!' | '?') {
            out.push(std::mem::take(&mut current));
        }
    }
    if !current.trim().is_empty() {
        out.push(current);
    }
    out
}

/// The figures of `paragraphs`. A figure right after another year than the report's `year`
/// ("2022年收到…80件") states no claim of the report.
fn figures(paragraphs: &[String], format: FormatId, year: Option<i32>) -> Vec<Figure> {
    let mut figures = Vec::new();
    for (index, paragraph) in paragraphs.iter().enumerate() {
        let paragraph = fold(paragraph);
        for sentence in sentences(&paragraph) {
            let mut previous_end = 0;
            let mut other_year = false;
            for captures in number_pattern().captures_iter(&sentence) {
                let Some(found) = captures.get(0) else { continue };
                let full = found.as_str();
                let unit = captures.get(1).map_or("", |unit| unit.as_str());
                let text = &full[..full.len() - unit.len()];
                let subject = sentence[previous_end..found.start()].to_owned();
                previous_end = found.end();
                let before = &sentence[..found.start()];
                let depth = before.chars().fold(0usize, |depth, c| match c {
                    '（' | '(' => depth + 1,
                    '）' | ')' => depth.saturating_sub(1),
                    _ => depth,
                });
                let aside = depth > 0
                    && before.rfind(['（', '(']).is_some_and(|open| {
                        let inside = before[open..].trim_start_matches(['（', '(']);
                        ["含", "其中", "包括", "另"].iter().any(|word| inside.starts_with(word))
                    });
                let claim = if COUNT_UNITS.contains(&unit) && !other_year {
                    claim_of(&subject, unit, format)
                } else {
                    None
                };
                // A year names the time of the figures after it, up to the next year.
                if unit == "年" && text.len() == 4 {
                    other_year = year.is_some_and(|year| text.parse::<i32>().ok() != Some(year));
                }
                figures.push(Figure {
                    paragraph: index,
                    sentence: sentence.trim().to_owned(),
                    text: text.to_owned(),
                    value: parse_number(text),
                    unit: unit.to_owned(),
                    subject,
                    claim,
                    depth,
                    aside,
                });
            }
        }
    }
    figures
}

struct Checker<'a> {
    format: FormatId,
    /// The table definition the values were read in (the format's, or a local table of its era).
    definition: &'a Format,
    /// For each paragraph, the heading of its section ("一、概述").
    sections: Vec<Option<String>>,
    values: &'a TableValues,
    /// Cells whose text is not a number: not filled in `values`, but not blank either.
    unreadable: std::collections::BTreeSet<CellKey>,
    cells: BTreeMap<String, CellKey>,
    findings: Vec<AuditFinding>,
}

impl Checker<'_> {
    /// A cell in words: its row label, and its column label when the row has several columns.
    fn cell_label(&self, key: &CellKey) -> String {
        let Some(table) = self.definition.table(&key.table) else { return key.to_string() };
        let Some((block, row)) = table.row(&key.row) else { return key.to_string() };
        let column = block.columns.iter().find(|column| column.key == key.column);
        match column {
            Some(column) if row.label.is_empty() => column.label.clone(),
            Some(column) if block.columns.len() > 1 => format!("{}·{}", row.label, column.label),
            _ => row.label.clone(),
        }
    }

    /// Where paragraph `index` is, in words.
    fn place(&self, index: usize) -> String {
        match self.sections.get(index).cloned().flatten() {
            Some(heading) => format!("正文第{}段（{heading}）", index + 1),
            None => format!("正文第{}段", index + 1),
        }
    }

    /// The table's value of `measures` summed, when the table shows every one of them and any is filled
    /// (a blank total counted as its parts, [`Checker::cell_value`]); and whether a total was so counted.
    fn table_value(&self, measures: &[String]) -> Option<(Quantity, Vec<CellKey>, bool)> {
        let mut sum = Quantity::ZERO;
        let mut keys = Vec::new();
        let mut filled = false;
        let mut summed = false;
        for measure in measures {
            let key = self.cells.get(measure)?;
            if !self.values.has(&key.table, &key.row, &key.column) {
                return None;
            }
            if let Some((value, from_parts)) = self.cell_value(key).ok()? {
                sum = sum + value;
                filled = true;
                summed |= from_parts;
            }
            keys.push(key.clone());
        }
        filled.then_some((sum, keys, summed))
    }

    /// A cell's value, and whether it was counted from its parts: a total column the table shows but
    /// leaves blank on a row whose parts are filled ("总计" left empty, 自然人 and the 法人或其他组织
    /// columns given) is the sum of those parts, as the format defines it (its `column_sum` rule, e.g.
    /// 国办公开办函〔2019〕60号 表三: 总计 = 自然人 + 法人或其他组织五类). Blank parts count 0, as in the
    /// format's own rules; a row with every part blank has no value.
    /// `Err` when the value cannot be known: the cell, or a part of its blank total, is not a number.
    fn cell_value(&self, key: &CellKey) -> Result<Option<(Quantity, bool)>, ()> {
        if self.unreadable.contains(key) {
            return Err(());
        }
        if let Some(value) = self.values.get(&key.table, &key.row, &key.column) {
            return Ok(Some((value, false)));
        }
        for rule in &self.definition.rules {
            let RuleKind::ColumnSum { total, parts } = &rule.kind else { continue };
            if rule.table != key.table
                || *total != key.column
                || !parts.iter().all(|part| self.values.has(&key.table, &key.row, part))
            {
                continue;
            }
            if parts
                .iter()
                .any(|part| self.unreadable.contains(&CellKey::new(&key.table, &key.row, part)))
            {
                return Err(());
            }
            let filled: Vec<Quantity> = parts
                .iter()
                .filter_map(|part| self.values.get(&key.table, &key.row, part))
                .collect();
            if !filled.is_empty() {
                let sum = filled.into_iter().fold(Quantity::ZERO, |sum, value| sum + value);
                return Ok(Some((sum, true)));
            }
        }
        Ok(None)
    }

    fn prose_finding(
        &mut self,
        rule: &str,
        description: String,
        figure: &Figure,
        expected: Option<String>,
        cells: Vec<CellKey>,
    ) {
        self.findings.push(AuditFinding {
            kind: FindingKind::Prose,
            rule: rule.to_owned(),
            description,
            location: self.place(figure.paragraph),
            quote: Some(figure.sentence.clone()),
            expected,
            found: Some(format!("{}{}", figure.text, figure.unit)),
            cells,
        });
    }

    /// Each claim the prose states, against the table (or, for a measure the table lacks, against the same
    /// claim elsewhere). Only a paragraph's first statement of a claim is its claim: a later one in the same
    /// paragraph is a part or a sub-group in the whole's words ("区直、县直各单位主动公开政府信息303条" after
    /// "主动公开政府信息425条"), which the words alone do not tell from the whole.
    fn claims(&mut self, figures: &[Figure]) {
        let mut stated: BTreeMap<usize, (Quantity, String)> = BTreeMap::new();
        let mut seen_in_paragraph: std::collections::BTreeSet<(usize, usize)> =
            std::collections::BTreeSet::new();
        for figure in figures {
            let (Some(index), Some(value)) = (figure.claim, figure.value) else { continue };
            let first = seen_in_paragraph.insert((figure.paragraph, index));
            if !first {
                continue;
            }
            let claim = &vocabulary().claim[index];
            let label = claim.phrases[0].clone();
            if let Some((expected, cells, summed)) = self.table_value(&claim.measures) {
                let also = claim.also.iter().any(|measures| {
                    self.table_value(measures).is_some_and(|(other, ..)| other == value)
                });
                if expected != value && !also {
                    let rows =
                        cells.iter().map(|key| self.cell_label(key)).collect::<Vec<_>>().join("＋");
                    let summed =
                        if summed { "（总计栏空白，按各列之和计）" } else { "" };
                    // What else the figure might have meant, and is not either.
                    let others: String = claim
                        .also
                        .iter()
                        .filter_map(|measures| self.table_value(measures))
                        .map(|(other, cells, _)| {
                            let rows = cells
                                .iter()
                                .map(|key| self.cell_label(key))
                                .collect::<Vec<_>>()
                                .join("＋");
                            format!("，亦非“{rows}”（{other}{}）", figure.unit)
                        })
                        .collect();
                    self.prose_finding(
                        "prose.table",
                        format!("正文所述“{label}”与统计表“{rows}”{summed}不一致{others}"),
                        figure,
                        Some(format!("{expected}{}", figure.unit)),
                        cells,
                    );
                }
            } else if !claim.also.is_empty() {
                // Two statements may each be one of its readings ("收到95件", then "受理98件（含上年结转
                // 3件）"): without the table, nothing tells them apart.
            } else if let Some((first, quote)) = stated.get(&index) {
                if *first != value {
                    let description = format!("正文两处所述“{label}”不一致（前文：{quote}）");
                    let expected = Some(format!("{first}{}", figure.unit));
                    self.prose_finding("prose.repeated", description, figure, expected, Vec::new());
                }
            } else {
                stated.insert(index, (value, figure.sentence.clone()));
            }
        }
    }

    fn parts_and_percentages(&mut self, figures: &[Figure]) {
        // The whole of 其中: the last count figure before 其中 in the paragraph.
        let mut whole: Option<&Figure> = None;
        let mut parts_open = false;
        let mut counts: Vec<&Figure> = Vec::new();
        let mut last_sentence = (usize::MAX, String::new());
        for figure in figures {
            if (figure.paragraph, &figure.sentence) != (last_sentence.0, &last_sentence.1) {
                if figure.paragraph != last_sentence.0 {
                    counts.clear();
                    whole = None;
                }
                parts_open = false;
                last_sentence = (figure.paragraph, figure.sentence.clone());
            }
            // The whole a list here would break down: the last count before it but an aside in
            // brackets that closed since ("办结1191件（含上年结转189件）。其中…" breaks down 1191).
            let outer = counts
                .iter()
                .rev()
                .find(|count| !(count.aside && count.depth > figure.depth))
                .copied();
            if opens_parts(figure, outer) {
                // Parts follow; the whole is the last count before this 其中.
                whole = outer;
                parts_open = true;
            }
            if malformed(&figure.text)
                && (figure.unit == "%" || COUNT_UNITS.contains(&figure.unit.as_str()))
            {
                self.prose_finding(
                    "prose.malformed_number",
                    format!("数字“{}{}”格式有误", figure.text, figure.unit),
                    figure,
                    None,
                    Vec::new(),
                );
                continue;
            }
            if figure.unit == "%" {
                // The part is the last count outside brackets that closed since: "其他处理319件（含…撤回
                // 157件），占26.78%" is 319's share.
                let part = counts
                    .iter()
                    .rev()
                    .find(|count| !(count.aside && count.depth > figure.depth))
                    .copied();
                self.percentage(figure, part, whole.filter(|_| parts_open));
                continue;
            }
            if !COUNT_UNITS.contains(&figure.unit.as_str()) {
                continue;
            }
            if parts_open
                && let (Some(whole), Some(part)) = (whole, figure.value)
                && whole.unit == figure.unit
                && whole.value.is_some_and(|total| part > total)
            {
                let description = format!(
                    "“其中”所列的一项（{}{}）超过其总数（{}{}）",
                    figure.text, figure.unit, whole.text, whole.unit
                );
                let expected = Some(format!("不超过{}{}", whole.text, whole.unit));
                self.prose_finding(
                    "prose.part_exceeds_whole",
                    description,
                    figure,
                    expected,
                    Vec::new(),
                );
            }
            counts.push(figure);
        }
    }

    /// A list that breaks a stated whole down completely: "共公布政府信息2602条（其中机构职能类信息82条，…，
    /// 其他应主动公开政府信息1053条）". Checked only when it is certain the list is the whole breakdown: the
    /// parts follow 其中 in the same sentence as the whole, in the whole's unit, at least three, the last one
    /// the catch-all (其他…), and no part is itself broken down or added to (其中, 含, 包括, 分别, 另).
    fn parts_sum(&mut self, figures: &[Figure]) {
        let mut at = 0;
        while at < figures.len() {
            let opener = &figures[at];
            let opens =
                opener.subject.contains("其中") && COUNT_UNITS.contains(&opener.unit.as_str());
            // The whole: the count figure just before the 其中, in the same sentence (brackets closed before
            // the 其中 skipped, see [`Figure::depth`]).
            let whole = outer_before(figures, at).filter(|whole| {
                whole.paragraph == opener.paragraph
                    && whole.sentence == opener.sentence
                    && whole.unit == opener.unit
                    && whole.value.is_some()
            });
            let (true, Some(whole)) = (opens, whole) else {
                at += 1;
                continue;
            };
            let mut parts: Vec<&Figure> = Vec::new();
            let mut certain = true;
            for figure in &figures[at..] {
                if figure.paragraph != opener.paragraph || figure.sentence != opener.sentence {
                    break;
                }
                if figure.unit == "%" {
                    continue;
                }
                if figure.unit != whole.unit || figure.value.is_none() {
                    certain = false;
                    break;
                }
                // A part broken down again (其中, 含, 包括, 分别) or an addition (另): not one level.
                let nested = ["其中", "含", "包括", "分别", "另"];
                if !parts.is_empty() && nested.iter().any(|word| figure.subject.contains(word)) {
                    certain = false;
                    break;
                }
                parts.push(figure);
            }
            if !certain {
                // A list not known to be one level: nothing else of the sentence is taken for one.
                at += figures[at..]
                    .iter()
                    .take_while(|figure| {
                        figure.paragraph == opener.paragraph && figure.sentence == opener.sentence
                    })
                    .count();
                continue;
            }
            at += parts.len().max(1);
            let catch_all = parts.last().is_some_and(|last| {
                let words =
                    last.subject.trim_start_matches(['，', ',', '、', '；', ';', '（', '(']);
                words.starts_with("其他") || words.starts_with("其它")
            });
            if parts.len() < 3 || !catch_all {
                continue;
            }
            let sum = parts
                .iter()
                .filter_map(|part| part.value)
                .fold(Quantity::ZERO, |sum, value| sum + value);
            if whole.value != Some(sum) {
                self.parts_sum_finding("“其中”所列", parts.len(), sum, whole);
            }
        }
    }

    /// Parts whose shares add up to 100 %: "2012年主动公开政府信息1913条。其中，区直、县直各单位…1397条，
    /// 占73%。各乡镇…534条，占27%。" — shares that make the whole (100 %, within their rounding) say the
    /// parts are all of it, so they must add up to the whole stated before 其中 (1397 + 534 = 1931 ≠ 1913).
    /// Each part is a count in the whole's unit followed by its share (占…%); the run ends at a count without
    /// one, a new 其中 or the paragraph's end.
    fn parts_by_shares(&mut self, figures: &[Figure]) {
        let mut at = 0;
        while at < figures.len() {
            let opener = &figures[at];
            let whole = outer_before(figures, at).filter(|whole| {
                whole.paragraph == opener.paragraph
                    && COUNT_UNITS.contains(&whole.unit.as_str())
                    && whole.value.is_some()
            });
            let (Some(whole), true) = (whole, opens_parts(opener, whole)) else {
                at += 1;
                continue;
            };
            let mut parts: Vec<(&Figure, &Figure)> = Vec::new();
            let mut next = at;
            while let (Some(part), Some(share)) = (figures.get(next), figures.get(next + 1)) {
                let fits = part.paragraph == whole.paragraph
                    && share.paragraph == whole.paragraph
                    && part.unit == whole.unit
                    && part.value.is_some()
                    && share.unit == "%"
                    && share.subject.contains('占')
                    && share.value.is_some()
                    && !malformed(&share.text)
                    && (parts.is_empty() || !part.subject.contains("其中"));
                if !fits {
                    break;
                }
                parts.push((part, share));
                next += 2;
            }
            at = next.max(at + 1);
            if parts.len() < 2 {
                continue;
            }
            let decimals = parts
                .iter()
                .map(|(_, share)| share.text.split_once('.').map_or(0, |(_, f)| f.len()))
                .max()
                .unwrap_or(0) as i32;
            let shares: f64 = parts
                .iter()
                .filter_map(|(_, share)| share.value)
                .map(|value| value.ten_thousandths() as f64 / 10_000.0)
                .sum();
            let rounding = parts.len() as f64 * 0.5 * 10f64.powi(-decimals) + 1e-9;
            if (shares - 100.0).abs() > rounding {
                continue;
            }
            let sum = parts
                .iter()
                .filter_map(|(part, _)| part.value)
                .fold(Quantity::ZERO, |sum, value| sum + value);
            let Some(stated) = whole.value.filter(|stated| *stated != Quantity::ZERO) else {
                continue;
            };
            // Parts above their whole are wrong whatever the rounding; parts below it only when what is
            // missing is more than the shares' rounding could hide (75 % + 24 % of 200 leaves 2 unlisted).
            let missing = (stated.ten_thousandths() - sum.ten_thousandths()) as f64 * 100.0
                / stated.ten_thousandths() as f64;
            if sum > stated || missing > rounding {
                self.parts_sum_finding("所占比例合计为100%的", parts.len(), sum, whole);
            }
        }
    }

    /// Parts (`count` of them, named by `which`) that add up to `sum`, not to their stated `whole`.
    fn parts_sum_finding(&mut self, which: &str, count: usize, sum: Quantity, whole: &Figure) {
        let unit = &whole.unit;
        let description =
            format!("{which}{count}项之和为{sum}{unit}，与所述总数{}{unit}不符", whole.text);
        let expected = Some(format!("{sum}{unit}"));
        self.prose_finding("prose.parts_sum", description, whole, expected, Vec::new());
    }

    fn percentage(&mut self, figure: &Figure, part: Option<&Figure>, whole: Option<&Figure>) {
        if !(figure.subject.contains('占') || figure.subject.contains("比例")) {
            return;
        }
        let (Some(part), Some(stated)) = (part, figure.value) else { return };
        let Some(part_value) = part.value else { return };
        let base = part
            .claim
            .map(|index| &vocabulary().claim[index].percent_of)
            .filter(|measures| !measures.is_empty())
            .and_then(|measures| self.table_value(measures).map(|(value, _, _)| value))
            .or_else(|| whole.and_then(|whole| whole.value));
        let Some(base) = base else { return };
        if base == Quantity::ZERO {
            return;
        }
        let decimals = figure.text.split_once('.').map_or(0, |(_, fraction)| fraction.len()) as i32;
        let exact = part_value.ten_thousandths() as f64 * 100.0 / base.ten_thousandths() as f64;
        let stated_value = stated.ten_thousandths() as f64 / 10_000.0;
        let unit = 10f64.powi(-decimals);
        if (exact - stated_value).abs() >= unit - 1e-9 {
            let description = format!(
                "百分比与其所依据的数字不符：{}{} ÷ {} = {:.2}%",
                part.text, part.unit, base, exact
            );
            let expected = Some(format!("{:.*}%", decimals as usize, exact));
            self.prose_finding("prose.percentage", description, figure, expected, Vec::new());
        }
    }

    /// "均获维持" and its kind: the part (结果维持) the table shows must be all of the whole (总计) — 上海市人民
    /// 政府办公厅 2019 (tests/corpus) said its 7 reviews and 9 suits 均获维持 while its table has 2 and 1
    /// 尚未审结. Checked only when the table shows both, filled, and the whole is not 0.
    fn entire(&mut self, paragraphs: &[String]) {
        for entire in &vocabulary().entire {
            let (Some((part, part_cells, _)), Some((whole, whole_cells, _))) =
                (self.table_value(&entire.part), self.table_value(&entire.whole))
            else {
                continue;
            };
            if part == whole || whole == Quantity::ZERO {
                continue;
            }
            for (index, paragraph) in paragraphs.iter().enumerate() {
                let folded = fold(paragraph);
                let Some(sentence) =
                    sentences(&folded).into_iter().find(|sentence| says_entire(sentence, entire))
                else {
                    continue;
                };
                self.findings.push(AuditFinding {
                    kind: FindingKind::Prose,
                    rule: "prose.entire".to_owned(),
                    description: entire.description.clone(),
                    location: self.place(index),
                    quote: Some(sentence.trim().to_owned()),
                    expected: Some(format!("{part}/{whole}")),
                    found: Some(format!("{whole}/{whole}")),
                    cells: part_cells.iter().chain(&whole_cells).cloned().collect(),
                });
                break;
            }
        }
    }

    fn mentions(&mut self, paragraphs: &[String]) {
        for mention in &vocabulary().mention {
            let Some((value, cells, _)) = self.table_value(&mention.measures) else { continue };
            if value != Quantity::ZERO {
                continue;
            }
            for (index, paragraph) in paragraphs.iter().enumerate() {
                if let Some(sentence) = sentences(paragraph).into_iter().find(|sentence| {
                    mention.all.iter().all(|word| sentence.contains(word.as_str()))
                }) {
                    self.findings.push(AuditFinding {
                        kind: FindingKind::Prose,
                        rule: "prose.mention".to_owned(),
                        description: mention.description.clone(),
                        location: self.place(index),
                        quote: Some(sentence.trim().to_owned()),
                        expected: Some("至少1".to_owned()),
                        found: Some("0".to_owned()),
                        cells: cells.clone(),
                    });
                    break;
                }
            }
        }
    }
}

/// The report year from the title ("2018年度政府信息公开工作报告", "…2021年政府信息公开工作年度报告", or with
/// the agency between: "2025年上海市人民政府办公厅政府信息公开工作年度报告").
pub fn report_year(paragraphs: &[String]) -> Option<i32> {
    static YEAR: OnceLock<Regex> = OnceLock::new();
    let pattern = YEAR.get_or_init(|| {
        Regex::new(r"(20[0-9]{2})年度?(?:[^0-9，。；、,;（）()]{0,30}?政府信息公开工作(?:年度)?报告|政府信息公开)")
            .unwrap_or_else(|err| panic!("year pattern: {err}"))
    });
    paragraphs.iter().take(5).find_map(|paragraph| {
        pattern.captures(&fold(paragraph)).and_then(|captures| captures[1].parse().ok())
    })
}

/// Checks the prose of a report whose tables were read in `definition` (a format's, or a local table of
/// its era) against their `values`.
pub fn check(
    paragraphs: &[String],
    definition: &Format,
    values: &TableValues,
    unreadable: &[CellKey],
    year: Option<i32>,
) -> Vec<AuditFinding> {
    let format = definition.id;
    // A measure's cell the table has (a local table may show one measure in rows of different years).
    let cells = cell_measures(definition)
        .into_iter()
        .filter(|(_, key)| values.has(&key.table, &key.row, &key.column))
        .collect();
    let sections = sections_of(paragraphs);
    let unreadable = unreadable.iter().cloned().collect();
    let mut checker =
        Checker { format, definition, sections, values, unreadable, cells, findings: Vec::new() };
    let figures = figures(paragraphs, checker.format, year);
    checker.claims(&figures);
    checker.parts_and_percentages(&figures);
    checker.parts_sum(&figures);
    checker.parts_by_shares(&figures);
    checker.mentions(paragraphs);
    checker.entire(paragraphs);
    checker.structure(paragraphs, year);
    checker.findings
}

/// Each paragraph's section: the heading above it ("一、概述").
fn sections_of(paragraphs: &[String]) -> Vec<Option<String>> {
    let mut current = None;
    paragraphs
        .iter()
        .map(|paragraph| {
            if heading(paragraph).is_some() {
                current = Some(paragraph.trim().to_owned());
            }
            current.clone()
        })
        .collect()
}

/// The checks of the prose against itself alone, for a report whose table was not read (or that has none):
/// a breakdown against its whole, a part above its whole, percentages against the figures beside them,
/// malformed numbers — and, when `year` is given, the checks that need the whole report (the preamble's
/// parts against the headings, the year of its plans); `None` for a part of a report (an opening). Not the
/// checks that need the table (a figure is compared with nothing it might name).
pub fn check_without_table(
    paragraphs: &[String],
    format: FormatId,
    whole: Option<Option<i32>>,
) -> Vec<AuditFinding> {
    let values = TableValues::default();
    let mut checker = Checker {
        format,
        definition: format.format(),
        sections: sections_of(paragraphs),
        values: &values,
        unreadable: std::collections::BTreeSet::new(),
        cells: BTreeMap::new(),
        findings: Vec::new(),
    };
    let figures = figures(paragraphs, format, whole.flatten());
    checker.parts_and_percentages(&figures);
    checker.parts_sum(&figures);
    checker.parts_by_shares(&figures);
    if let Some(year) = whole {
        checker.structure(paragraphs, year);
    }
    checker.findings
}

#[cfg(test)]
mod tests;
