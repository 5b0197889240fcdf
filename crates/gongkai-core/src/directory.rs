//! The platform's agencies as a directory: what an agency file says of each agency (code, name, kind, its
//! parent in the tree, region, the 公开指南's contact details, 机构概况, 领导信息, the 索引号 pattern, and a
//! closure with its successor), and the checks a whole file must pass before anything of it is written:
//! every field well-formed, every parent known, no agency its own ancestor.
//!
//! An entry is applied as an update by code: a field the file leaves out (`None`) keeps what the platform
//! has, so that a list of names and parents does not wipe the contact details entered in the back office.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};
use time::Date;

use crate::publishing;
use crate::records::AgencyKind;

/// The 索引号 pattern an agency gets when its file gives none (《政府信息公开目录系统实施指引（试行）》:
/// 前段码/4位年份-5位流水号; see [`publishing::index_number`]).
pub const DEFAULT_INDEX_PATTERN: &str = "{code}/{year}-{serial:05}";

/// The longest code, name or single-line field an agency file may give.
pub const MAX_LINE: usize = 200;
/// The longest formatted text (机构概况, 主要职责, a leader's 履历).
pub const MAX_TEXT: usize = 20_000;

/// A leader (领导信息) as an agency file lists them, in order.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeaderEntry {
    /// 姓名.
    pub name: String,
    /// 职务.
    pub post: String,
    /// 分工.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub duties: String,
    /// 履历.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub biography: String,
}

/// An agency as an agency file states it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgencyEntry {
    /// The agency's code on the platform (its 统一社会信用代码 or another stable code); the key of the
    /// update.
    pub code: String,
    pub name: String,
    /// `government` (一级政府) or `department` (工作部门).
    pub kind: String,
    /// The code of the agency above it; `None` at the top of the tree.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// 行政区划, e.g. 浙江省温州市; a department given none takes its parent's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index_pattern: Option<String>,
    /// The disclosure office (政府信息公开工作机构).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub office: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fax: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postcode: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours: Option<String>,
    /// 机构概况: paragraphs separated by blank lines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overview: Option<String>,
    /// 主要职责: paragraphs separated by blank lines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duties: Option<String>,
    /// 领导信息, in order; `None` keeps the leaders the platform has.
    #[serde(default, rename = "leader", skip_serializing_if = "Option::is_none")]
    pub leaders: Option<Vec<LeaderEntry>>,
    /// The day the agency closed (撤销, 合并), `YYYY-MM-DD`; it stays in the tree, marked, with its
    /// archive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_on: Option<String>,
    /// The agency that took over its work, when it closed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub successor: Option<String>,
}

/// An agency the platform already has: its code, parent and region (what a file's tree is checked
/// against).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Existing {
    pub code: String,
    pub parent: Option<String>,
    pub region: String,
    pub closed: bool,
}

/// A problem with one entry of an agency file: the entry (0-based), the field, and the reason in Chinese.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntryProblem {
    pub entry: usize,
    pub field: &'static str,
    pub message: String,
}

/// The parent an entry will have: the one it names, none for `""`, or the platform's when it names none.
fn effective_parent<'a>(
    entry: &'a AgencyEntry,
    on_platform: &HashMap<&str, &'a Existing>,
) -> Option<&'a str> {
    match entry.parent.as_deref().map(str::trim) {
        Some("") => None,
        Some(code) => Some(code),
        None => on_platform.get(entry.code.trim()).and_then(|agency| agency.parent.as_deref()),
    }
}

/// A closing day as an agency file writes it (`2025-06-30`).
pub fn closing_day(text: &str) -> Option<Date> {
    crate::dates::parse_ymd(text.trim())
}

fn has_control(text: &str) -> bool {
    text.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
}

/// Checks a whole agency file against the agencies the platform has. Returns the order in which the
/// entries can be written (every parent before its children) and each entry's region (its own, or its
/// parent's), or every problem: a field missing or malformed, a code twice in the file, a parent that is
/// neither in the file nor on the platform, an agency that would be its own ancestor (the chain is named),
/// a successor unknown or itself closed.
pub fn check(
    entries: &[AgencyEntry],
    existing: &[Existing],
) -> Result<(Vec<usize>, Vec<String>), Vec<EntryProblem>> {
    let mut problems = Vec::new();
    let on_platform: HashMap<&str, &Existing> =
        existing.iter().map(|agency| (agency.code.as_str(), agency)).collect();
    let mut in_file: HashMap<&str, usize> = HashMap::new();
    for (index, entry) in entries.iter().enumerate() {
        check_fields(index, entry, &mut in_file, &mut problems);
    }
    let parents = tree_as_it_will_be(entries, existing, &on_platform);
    for (index, entry) in entries.iter().enumerate() {
        check_parent(index, entry, &parents, &mut problems);
    }
    for (index, entry) in entries.iter().enumerate() {
        check_successor(index, entry, entries, &in_file, &on_platform, &mut problems);
    }
    if !problems.is_empty() {
        problems.sort_by_key(|problem| problem.entry);
        return Err(problems);
    }
    let order = parents_first(entries, &parents);
    let resolved = resolve_regions(entries, existing, &on_platform, &order)?;
    Ok((order, resolved))
}

/// Records that entry `entry`'s `field` is wrong, and why.
fn problem(problems: &mut Vec<EntryProblem>, entry: usize, field: &'static str, message: String) {
    problems.push(EntryProblem { entry, field, message });
}

/// Checks every field of one entry on its own, and its code against the codes before it in the file
/// (recorded in `in_file`).
fn check_fields<'a>(
    index: usize,
    entry: &'a AgencyEntry,
    in_file: &mut HashMap<&'a str, usize>,
    problems: &mut Vec<EntryProblem>,
) {
    check_code(index, entry, in_file, problems);
    check_name_and_kind(index, entry, problems);
    check_lengths(index, entry, problems);
    check_phones(index, entry, problems);
    check_leaders(index, entry, problems);
    check_pattern_and_closing(index, entry, problems);
}

/// Checks that the entry's code is given, usable (at most 64 characters, no spaces, no `/ ? # % \`)
/// and not already given by an earlier entry.
fn check_code<'a>(
    index: usize,
    entry: &'a AgencyEntry,
    in_file: &mut HashMap<&'a str, usize>,
    problems: &mut Vec<EntryProblem>,
) {
    let code = entry.code.trim();
    if code.is_empty() {
        problem(problems, index, "code", "机构代码必填".to_owned());
    } else if code != entry.code
        || code.chars().count() > 64
        || code.chars().any(|c| c.is_whitespace() || c.is_control() || "/?#%\\".contains(c))
    {
        problem(
            problems,
            index,
            "code",
            format!("机构代码“{}”不可用：不超过64个字符，不含空格和 / ? # % \\", entry.code),
        );
    } else if let Some(first) = in_file.insert(code, index) {
        problem(problems, index, "code", format!("机构代码“{code}”与第{}个机构重复", first + 1));
    }
}

/// Checks that the entry has a name and a kind the platform knows.
fn check_name_and_kind(index: usize, entry: &AgencyEntry, problems: &mut Vec<EntryProblem>) {
    if entry.name.trim().is_empty() {
        problem(problems, index, "name", "机构名称必填".to_owned());
    }
    if AgencyKind::from_name(&entry.kind).is_none() {
        problem(
            problems,
            index,
            "kind",
            format!(
                "机构类型“{}”无法识别，应为 government（政府）或 department（部门）",
                entry.kind
            ),
        );
    }
}

/// Checks that each single-line field is one line of at most [`MAX_LINE`] characters, and each text
/// at most [`MAX_TEXT`], without control characters.
fn check_lengths(index: usize, entry: &AgencyEntry, problems: &mut Vec<EntryProblem>) {
    let lines = [
        ("name", Some(&entry.name)),
        ("region", entry.region.as_ref()),
        ("index_pattern", entry.index_pattern.as_ref()),
        ("office", entry.office.as_ref()),
        ("phone", entry.phone.as_ref()),
        ("fax", entry.fax.as_ref()),
        ("email", entry.email.as_ref()),
        ("address", entry.address.as_ref()),
        ("postcode", entry.postcode.as_ref()),
        ("hours", entry.hours.as_ref()),
    ];
    for (field, value) in lines {
        let Some(value) = value else { continue };
        if value.chars().count() > MAX_LINE || value.contains(['\n', '\r']) || has_control(value) {
            problem(problems, index, field, format!("不超过{MAX_LINE}个字符的一行文字"));
        }
    }
    let texts = [("overview", entry.overview.as_ref()), ("duties", entry.duties.as_ref())];
    for (field, value) in texts {
        if value.is_some_and(|value| value.chars().count() > MAX_TEXT || has_control(value)) {
            problem(problems, index, field, format!("不超过{MAX_TEXT}个字符的文字"));
        }
    }
}

/// Why a telephone number as a public page or a letter prints it cannot be dialled from outside the
/// agency's city, if it cannot: a fixed line given without its area code (长途区号) — "88367543" reaches
/// nobody from another city, "0577-88367543" does. Only that is refused (a false refusal would keep an
/// office from saving its profile): a number of 7 or 8 digits, nothing else, not starting with 0 or 1
/// (a mobile starts with 1; 0 opens an area code), written with half- or full-width digits, spaces, hyphens
/// or brackets. Several numbers may be given, separated by 、，,;；/; what follows a number's digits (an
/// extension after 转 or 分机, a note in brackets) is not looked at.
pub fn phone_problem(text: &str) -> Option<String> {
    for number in text.split(['、', '，', ',', ';', '；', '/']).map(str::trim) {
        let normal: String = number
            .chars()
            .map(|c| match c {
                '０'..='９' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
                '－' | '—' | '–' => '-',
                '（' => '(',
                '）' => ')',
                '　' => ' ',
                _ => c,
            })
            .collect();
        let only_digits = normal.chars().all(|c| c.is_ascii_digit() || " -()".contains(c));
        let digits: String = normal.chars().filter(char::is_ascii_digit).collect();
        if only_digits && (7..=8).contains(&digits.len()) && !digits.starts_with(['0', '1']) {
            return Some(format!(
                "电话“{number}”缺少区号，请写作“区号-{digits}”（如温州为 0577-{digits}）"
            ));
        }
    }
    None
}

/// Checks that the phone and fax numbers can be dialled from outside the city ([`phone_problem`]).
fn check_phones(index: usize, entry: &AgencyEntry, problems: &mut Vec<EntryProblem>) {
    for (field, value) in [("phone", entry.phone.as_ref()), ("fax", entry.fax.as_ref())] {
        if let Some(message) = value.and_then(|value| phone_problem(value)) {
            problem(problems, index, field, message);
        }
    }
}

/// Checks that each leader has a name and a post, and no field too long or with control characters.
fn check_leaders(index: usize, entry: &AgencyEntry, problems: &mut Vec<EntryProblem>) {
    for (number, leader) in entry.leaders.iter().flatten().enumerate() {
        if leader.name.trim().is_empty() || leader.post.trim().is_empty() {
            problem(problems, index, "leader", format!("第{}位领导须有姓名和职务", number + 1));
        }
        let long = [&leader.name, &leader.post, &leader.duties]
            .iter()
            .any(|text| text.chars().count() > MAX_LINE || has_control(text))
            || leader.biography.chars().count() > MAX_TEXT
            || has_control(&leader.biography);
        if long {
            let message = format!("第{}位领导的信息过长或含控制字符", number + 1);
            problem(problems, index, "leader", message);
        }
    }
}

/// Checks that the entry's 索引号 pattern makes a number, that its closing day is a date, and
/// that it names a successor only when it is closed.
fn check_pattern_and_closing(index: usize, entry: &AgencyEntry, problems: &mut Vec<EntryProblem>) {
    let code = entry.code.trim();
    if let Some(pattern) = entry.index_pattern.as_deref()
        && let Err(err) = publishing::index_number(
            pattern,
            code,
            Date::from_calendar_date(2026, time::Month::January, 1).expect("a valid date"),
            1,
        )
    {
        let message = format!("索引号规则“{pattern}”不可用：{err}");
        problem(problems, index, "index_pattern", message);
    }
    if let Some(day) = entry.closed_on.as_deref()
        && closing_day(day).is_none()
    {
        let message = format!("撤销日期“{day}”不是日期（应为如 2025-06-30）");
        problem(problems, index, "closed_on", message);
    }
    if entry.successor.is_some() && entry.closed_on.is_none() {
        problem(
            problems,
            index,
            "successor",
            "只有已撤销的机构才有承继机构（须同时填写撤销日期）".to_owned(),
        );
    }
}

/// The tree as it will be: the platform's parents, with the file's over them.
fn tree_as_it_will_be<'a>(
    entries: &'a [AgencyEntry],
    existing: &'a [Existing],
    on_platform: &HashMap<&str, &'a Existing>,
) -> HashMap<&'a str, Option<&'a str>> {
    let mut parents: HashMap<&str, Option<&str>> =
        existing.iter().map(|agency| (agency.code.as_str(), agency.parent.as_deref())).collect();
    for entry in entries {
        parents.insert(entry.code.trim(), effective_parent(entry, on_platform));
    }
    parents
}

/// Checks the parent an entry names: not itself, in the file or on the platform, and not making the
/// entry its own ancestor in the tree as it will be (`parents`).
fn check_parent(
    index: usize,
    entry: &AgencyEntry,
    parents: &HashMap<&str, Option<&str>>,
    problems: &mut Vec<EntryProblem>,
) {
    let Some(parent) = entry.parent.as_deref().map(str::trim).filter(|code| !code.is_empty())
    else {
        return;
    };
    if parent == entry.code.trim() {
        problem(problems, index, "parent", "上级机构不能是它自己".to_owned());
        return;
    }
    if !parents.contains_key(parent) {
        let message = format!("上级机构“{parent}”不在文件中，也不在平台上");
        problem(problems, index, "parent", message);
        return;
    }
    // Walk up: reaching the entry again is a cycle.
    let mut chain = vec![entry.code.trim()];
    let mut seen: HashSet<&str> = HashSet::from([entry.code.trim()]);
    let mut at = Some(parent);
    while let Some(code) = at {
        chain.push(code);
        if code == entry.code.trim() {
            problem(problems, index, "parent", format!("上级关系成环：{}", chain.join(" → ")));
            break;
        }
        if !seen.insert(code) {
            // A cycle above this entry, reported at its own entries.
            break;
        }
        at = parents.get(code).copied().flatten();
    }
}

/// Checks the successor an entry names: not itself, in the file or on the platform, and not itself
/// closed there.
fn check_successor(
    index: usize,
    entry: &AgencyEntry,
    entries: &[AgencyEntry],
    in_file: &HashMap<&str, usize>,
    on_platform: &HashMap<&str, &Existing>,
    problems: &mut Vec<EntryProblem>,
) {
    let Some(successor) = entry.successor.as_deref().map(str::trim) else { return };
    if successor == entry.code.trim() {
        problem(problems, index, "successor", "承继机构不能是它自己".to_owned());
    } else if let Some(at) = in_file.get(successor) {
        let closed_on_platform = on_platform.get(successor).is_some_and(|agency| agency.closed);
        if entries[*at].closed_on.is_some() || closed_on_platform {
            problem(problems, index, "successor", format!("承继机构“{successor}”本身已撤销"));
        }
    } else if let Some(agency) = on_platform.get(successor) {
        if agency.closed {
            problem(problems, index, "successor", format!("承继机构“{successor}”本身已撤销"));
        }
    } else {
        let message = format!("承继机构“{successor}”不在文件中，也不在平台上");
        problem(problems, index, "successor", message);
    }
}

/// The entries' indices with parents first: by depth in the tree as it will be (`parents`), then by
/// place in the file.
fn parents_first(entries: &[AgencyEntry], parents: &HashMap<&str, Option<&str>>) -> Vec<usize> {
    let mut depth_memo: HashMap<&str, usize> = HashMap::new();
    let mut by_depth: Vec<(usize, usize)> = entries
        .iter()
        .enumerate()
        .map(|(index, entry)| (depth(entry.code.trim(), parents, &mut depth_memo), index))
        .collect();
    by_depth.sort();
    by_depth.into_iter().map(|(_, index)| index).collect()
}

/// How deep `code` is in the tree `parents` (1 at the top), remembering in `memo` the depth of
/// every agency on the way up. A loop in `parents` (only a database edited by hand could hold one: every
/// write is checked against it) ends the walk as if the agency it came back to were at the top, so the
/// check still ends.
fn depth<'a>(
    code: &'a str,
    parents: &HashMap<&'a str, Option<&'a str>>,
    memo: &mut HashMap<&'a str, usize>,
) -> usize {
    let mut chain = Vec::new();
    let mut at = code;
    let base = loop {
        if let Some(known) = memo.get(at) {
            break *known;
        }
        if chain.len() > parents.len() {
            break 0;
        }
        chain.push(at);
        match parents.get(at).copied().flatten() {
            Some(parent) => at = parent,
            None => break 0,
        }
    };
    let mut level = base;
    for code in chain.into_iter().rev() {
        level += 1;
        memo.insert(code, level);
    }
    memo.get(code).copied().unwrap_or(base)
}

/// Each entry's region, resolved in `order` (parents first): its own, the platform's, or its
/// parent's; or a problem for every entry left with none.
fn resolve_regions(
    entries: &[AgencyEntry],
    existing: &[Existing],
    on_platform: &HashMap<&str, &Existing>,
    order: &[usize],
) -> Result<Vec<String>, Vec<EntryProblem>> {
    let mut regions: HashMap<&str, String> =
        existing.iter().map(|agency| (agency.code.as_str(), agency.region.clone())).collect();
    let mut resolved = vec![String::new(); entries.len()];
    let mut missing = Vec::new();
    for index in order {
        let entry = &entries[*index];
        let region =
            match entry.region.as_deref().map(str::trim).filter(|region| !region.is_empty()) {
                Some(region) => Some(region.to_owned()),
                None => on_platform
                    .get(entry.code.trim())
                    .map(|agency| agency.region.clone())
                    .filter(|region| !region.is_empty())
                    .or_else(|| {
                        effective_parent(entry, on_platform)
                            .and_then(|parent| regions.get(parent).cloned())
                    }),
            };
        match region {
            Some(region) => {
                regions.insert(entry.code.trim(), region.clone());
                resolved[*index] = region;
            }
            None => missing.push(EntryProblem {
                entry: *index,
                field: "region",
                message: "地区必填（没有上级机构可沿用）".to_owned(),
            }),
        }
    }
    if !missing.is_empty() {
        missing.sort_by_key(|problem| problem.entry);
        return Err(missing);
    }
    Ok(resolved)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue #20: a letter gave "88367543" — a number nobody outside 温州 can dial.
    #[test]
    fn phone_numbers_must_be_diallable_from_another_city() {
        for taken in [
            "0577-88367543",
            "(0577)88367543",
            "010 12345678",
            "0577-88960000转123",
            "13812345678",
            "400-123-4567",
            "12348",
            "0577-88367543、12345",
        ] {
            assert_eq!(phone_problem(taken), None, "{taken}");
        }
        assert_eq!(
            phone_problem("88367543").as_deref(),
            Some("电话“88367543”缺少区号，请写作“区号-88367543”（如温州为 0577-88367543）")
        );
        // Review: numbers offices write that must not be refused.
        for taken in [
            "0577-88960000-8001",
            "0577-12345",
            "0577-96345",
            "０５７７－８８９６００００",
            "+86 577 88960000",
            "0577-88960000（工作日）",
            "0577-88960000分机8001",
            "95598",
        ] {
            assert_eq!(phone_problem(taken), None, "{taken}");
        }
        for refused in ["8836 7543", "（88367543）", "８８３６７５４３", "0577-88367543、6543210"]
        {
            assert!(phone_problem(refused).is_some(), "{refused}");
        }
    }

    #[test]
    fn a_loop_in_a_stored_tree_does_not_hang_the_check() {
        // a → b → c → a, as only a hand-edited database could hold; d sits under a.
        let parents: HashMap<&str, Option<&str>> =
            [("a", Some("b")), ("b", Some("c")), ("c", Some("a")), ("d", Some("a"))].into();
        let mut memo = HashMap::new();
        let levels = ["a", "b", "c", "d"].map(|code| depth(code, &parents, &mut memo));
        assert!(levels.iter().all(|level| *level <= parents.len() + 2), "{levels:?}");
        let mut memo = HashMap::new();
        let tree: HashMap<&str, Option<&str>> =
            [("top", None), ("mid", Some("top")), ("leaf", Some("mid"))].into();
        assert_eq!(["top", "mid", "leaf"].map(|code| depth(code, &tree, &mut memo)), [1, 2, 3]);
    }

    fn entry(code: &str, kind: &str, parent: Option<&str>, region: Option<&str>) -> AgencyEntry {
        AgencyEntry {
            code: code.to_owned(),
            name: format!("{code}名称"),
            kind: kind.to_owned(),
            parent: parent.map(str::to_owned),
            region: region.map(str::to_owned),
            ..AgencyEntry::default()
        }
    }

    #[test]
    fn parents_come_first_and_departments_take_their_parents_region() {
        let entries = vec![
            entry("SFJ", "部门", Some("CITY"), None),
            entry("CITY", "政府", Some("PROV"), Some("浙江省温州市")),
        ];
        let existing = vec![Existing {
            code: "PROV".to_owned(),
            parent: None,
            region: "浙江省".to_owned(),
            closed: false,
        }];
        let (order, regions) = check(&entries, &existing).unwrap();
        assert_eq!(order, vec![1, 0]);
        assert_eq!(regions, vec!["浙江省温州市", "浙江省温州市"]);
    }

    #[test]
    fn a_missing_parent_and_a_cycle_are_named() {
        let entries = vec![
            entry("A", "government", Some("B"), Some("甲")),
            entry("B", "government", Some("C"), Some("乙")),
            entry("C", "government", Some("A"), Some("丙")),
            entry("D", "department", Some("NOWHERE"), None),
        ];
        let problems = check(&entries, &[]).unwrap_err();
        assert!(
            problems
                .iter()
                .any(|problem| problem.entry == 0
                    && problem.message == "上级关系成环：A → B → C → A")
        );
        assert!(
            problems
                .iter()
                .any(|problem| problem.entry == 3 && problem.message.contains("“NOWHERE”"))
        );
    }

    /// The platform's tree: PROV at the top, CITY under it.
    fn province_and_city() -> Vec<Existing> {
        vec![
            Existing { code: "PROV".into(), parent: None, region: "省".into(), closed: false },
            Existing {
                code: "CITY".into(),
                parent: Some("PROV".into()),
                region: "市".into(),
                closed: false,
            },
        ]
    }

    #[test]
    fn a_file_can_make_a_cycle_with_the_platforms_tree() {
        // On the platform PROV is above CITY; the file puts PROV under CITY.
        let existing = province_and_city();
        let problems =
            check(&[entry("PROV", "government", Some("CITY"), None)], &existing).unwrap_err();
        assert_eq!(problems[0].message, "上级关系成环：PROV → CITY → PROV");
    }

    #[test]
    fn a_file_that_names_no_parent_keeps_the_platforms_and_an_empty_one_is_the_top() {
        let existing = province_and_city();
        // No parent given: CITY stays under PROV, so PROV under CITY is still a cycle.
        let kept = vec![
            entry("CITY", "government", None, None),
            entry("PROV", "government", Some("CITY"), None),
        ];
        let problems = check(&kept, &existing).unwrap_err();
        assert!(problems.iter().any(|problem| problem.message.contains("成环")), "{problems:?}");
        // "" moves CITY to the top: then PROV may go under it.
        let moved = vec![
            entry("CITY", "government", Some(""), None),
            entry("PROV", "government", Some("CITY"), None),
        ];
        let (order, _) = check(&moved, &existing).unwrap();
        assert_eq!(order, vec![0, 1]);
    }

    #[test]
    fn bad_fields_are_each_reported() {
        let mut bad = entry("X Y", "局", None, None);
        bad.index_pattern = Some("{code}-{year}".to_owned());
        bad.successor = Some("Z".to_owned());
        let problems = check(&[bad], &[]).unwrap_err();
        let fields: Vec<&str> = problems.iter().map(|problem| problem.field).collect();
        assert_eq!(fields, vec!["code", "kind", "index_pattern", "successor", "successor"]);
    }
}
