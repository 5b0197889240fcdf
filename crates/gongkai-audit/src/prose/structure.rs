//! The report's structure read from its paragraphs: section headings and their numbering, checked against
//! the format's sections and the report year.

use super::*;

/// A section heading: 一、概述.
pub(super) fn heading(paragraph: &str) -> Option<String> {
    let trimmed = paragraph.trim();
    let (numeral, title) = trimmed.split_once('、')?;
    (!numeral.is_empty()
        && numeral.chars().all(|c| "一二三四五六七八九十".contains(c))
        && title.chars().count() <= 40
        && !title.contains('。'))
    .then(|| title.trim().to_owned())
}

pub(super) fn chinese_count(text: &str) -> Option<usize> {
    const NUMERALS: [&str; 10] = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];
    NUMERALS.iter().position(|numeral| *numeral == text).map(|index| index + 1)
}

pub(super) fn common_prefix(a: &str, b: &str) -> usize {
    a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count()
}

/// The row labels of every format's tables ("本年新收政府信息公开申请数量", "结转下年度继续办理"), as keys: a
/// line "四、结转下年度继续办理" of a table copied out as text is a row, not a section of the report.
fn table_rows() -> &'static std::collections::BTreeSet<String> {
    static ROWS: OnceLock<std::collections::BTreeSet<String>> = OnceLock::new();
    ROWS.get_or_init(|| {
        FormatId::ALL
            .iter()
            .flat_map(|format| format.format().tables.iter())
            .flat_map(|table| table.blocks.iter())
            .flat_map(|block| block.rows.iter())
            .map(|row| label_key(&row.label))
            .filter(|key| !key.is_empty())
            .collect()
    })
}

/// The report's section headings, in order: lines "一、…" that are not a table's rows, each numbered one
/// more than the last (a table's rows copied out as lines restart at 一、 inside a section).
fn sections(paragraphs: &[String]) -> Vec<(usize, String)> {
    let mut out: Vec<(usize, String)> = Vec::new();
    for (index, paragraph) in paragraphs.iter().enumerate() {
        let Some(title) = heading(paragraph) else { continue };
        let numeral = paragraph.trim().split_once('、').map(|(numeral, _)| numeral).unwrap_or("");
        if table_rows().contains(&label_key(&title))
            || chinese_count(numeral) != Some(out.len() + 1)
        {
            continue;
        }
        out.push((index, title));
    }
    out
}

/// Verbs that make a clause's 将 "把" (将X纳入Y: "我乡将信息公开工作纳入考核" is done), not "will": such a
/// clause is no plan, whatever its year.
const BA: [&str; 8] = ["纳入", "列入", "作为", "列为", "放在", "摆在", "融入", "贯穿"];

impl Checker<'_> {
    pub(super) fn structure(&mut self, paragraphs: &[String], year: Option<i32>) {
        let headings = sections(paragraphs);
        // Improvements dated in the report year.
        if let Some(year) = year
            && let Some(&(start, _)) = headings.iter().find(|(_, title)| title.contains("问题"))
        {
            let end = headings
                .iter()
                .map(|(index, _)| *index)
                .find(|index| *index > start)
                .unwrap_or(paragraphs.len());
            static PLANS: OnceLock<Regex> = OnceLock::new();
            let plans = PLANS.get_or_init(|| {
                Regex::new(r"(20[0-9]{2})年[，,]?[^。；，,]{0,12}将")
                    .unwrap_or_else(|err| panic!("plans: {err}"))
            });
            for (index, paragraph) in paragraphs.iter().enumerate().take(end).skip(start + 1) {
                let folded = fold(paragraph);
                if let Some(captures) = plans.captures(&folded)
                    && captures[1].parse::<i32>().ok() == Some(year)
                    && captures.get(0).is_some_and(|found| {
                        let clause =
                            folded[found.end()..].split(['，', '。', '；', ',', ';']).next();
                        !clause.is_some_and(|clause| BA.iter().any(|verb| clause.contains(verb)))
                    })
                {
                    let sentence = sentences(&folded)
                        .into_iter()
                        .find(|sentence| sentence.contains(&captures[0]))
                        .unwrap_or_default();
                    let location = self.place(index);
                    self.findings.push(AuditFinding {
                        kind: FindingKind::Structure,
                        rule: "prose.plans_year".to_owned(),
                        description: "改进措施是下一年度的工作，却写作报告年度".to_owned(),
                        location,
                        quote: Some(sentence.trim().to_owned()),
                        expected: Some(format!("{}年", year + 1)),
                        found: Some(format!("{year}年")),
                        cells: Vec::new(),
                    });
                }
            }
        }
        // The preamble's list of parts.
        static PARTS: OnceLock<Regex> = OnceLock::new();
        let parts = PARTS.get_or_init(|| {
            Regex::new(r"由([^。]+?)等?([一二三四五六七八九十])部分组成")
                .unwrap_or_else(|err| panic!("parts: {err}"))
        });
        let Some((index, captures)) =
            paragraphs.iter().enumerate().find_map(|(index, paragraph)| {
                parts.captures(paragraph).map(|captures| (index, captures))
            })
        else {
            return;
        };
        if headings.is_empty() {
            return;
        }
        let listed: Vec<String> = captures[1]
            .split(['、', '，', ','])
            .map(label_key)
            .filter(|item| !item.is_empty())
            .collect();
        let stated = chinese_count(&captures[2]);
        // "由概述、主动公开…等五部分组成" naming fewer parts than it counts names some of them: none missing
        // from it is an omission. Naming as many (or with no 等) it names them all (温州市司法局 2018, the
        // seed: six named, "等六部分", one section left out).
        let exhaustive =
            !captures[0].contains("等") || stated.is_some_and(|stated| listed.len() >= stated);
        // A statistics table or attachment listed as a part needs no numbered heading of its own.
        let tables = listed
            .iter()
            .filter(|item| ["统计表", "附表", "附件"].iter().any(|word| item.contains(word)))
            .filter(|item| {
                !headings.iter().any(|(_, title)| label_key(title).contains(item.as_str()))
            })
            .count();
        let quote = captures[0].to_owned();
        let location = self.place(index);
        let mut push = |description: String, expected: Option<String>, found: Option<String>| {
            self.findings.push(AuditFinding {
                kind: FindingKind::Structure,
                rule: "prose.parts".to_owned(),
                description,
                location: location.clone(),
                quote: Some(quote.clone()),
                expected,
                found,
                cells: Vec::new(),
            });
        };
        if let Some(stated) = stated
            && stated != headings.len() + tables
        {
            push(
                "所述组成部分数与正文的部分数不一致".to_owned(),
                Some(format!("{}部分", headings.len() + tables)),
                Some(format!("{stated}部分")),
            );
        }
        for (_, title) in headings.iter().filter(|_| exhaustive) {
            let key = label_key(title);
            let covered = listed.iter().any(|item| {
                key.contains(item.as_str())
                    || item.contains(key.as_str())
                    || common_prefix(item, &key) as f64
                        >= 0.8 * item.chars().count().min(key.chars().count()) as f64
            });
            if !covered {
                push(format!("概述列举的组成部分遗漏了“{title}”"), Some(title.clone()), None);
            }
        }
    }
}
