//! The founding document (../shared/seed/, a real 2018 report): the auditor reports exactly the
//! contradictions found by reading it (listed in crates/gongkai-demo/data/README.md), and nothing else.

use std::path::PathBuf;

use gongkai_audit::{FindingKind, audit};
use gongkai_core::report::format::FormatId;

fn seed_files() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/seed");
    let Ok(entries) = std::fs::read_dir(&dir) else { return Vec::new() };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|extension| extension == "txt"))
        .collect();
    files.sort();
    files
}

/// (rule, found) of every contradiction of the seed, from reading it:
const EXPECTED: [(&str, &str); 14] = [
    // The annex's own sums.
    ("stats.received_by_channel", "3"), // 收到申请数 3, but 当面 0 + 传真 0 + 网络 3 + 信函 1 = 4
    ("stats.concluded", "3"),           // 申请办结数 3, but 按时 3 + 延期 1 = 4
    ("stats.answered", "1"),            // 申请答复数 1, but the eight answer rows add up to 3
    ("stats.answered_equals_concluded", "1"), // 申请答复数 1, but 申请办结数 3
    ("stats.refused_reasons", "0"),     // 不同意公开答复数 0, but 其中 涉及个人隐私 1
    // The prose against the annex.
    ("prose.table", "979条"), // 概述: 公开各类信息979条; 主动公开政府信息 992
    ("prose.table", "201篇"), // 微信发稿201篇; annex 政务微信 132
    ("prose.table", "42篇"),  // 新浪微博42篇; annex 政务微博 16
    ("prose.table", "1件"),   // 收到不予公开政府信息1件; annex 不同意公开答复数 0
    ("prose.mention", "0"),   // 图4 局长政策解读发布于《温州都市报》; annex 政策解读稿件发布数 0
    // The prose against itself.
    ("prose.part_exceeds_whole", "201篇"), // 累计发布148篇，其中微信发稿201篇
    ("prose.malformed_number", "81.8.0%"), // 工作信息类811条，占总体比例81.8.0%
    ("prose.plans_year", "2018年"), // 问题和改进: 2018年，我局将进一步做好… (the report covers 2018)
    ("prose.parts", ""),            // 六部分 listed without 政府信息公开的收费及减免情况
];

#[test]
fn the_seed_reports_exactly_its_contradictions() {
    let files = seed_files();
    if files.is_empty() {
        eprintln!("../shared/seed is not here; the seed test needs it");
        return;
    }
    for file in files {
        let bytes = std::fs::read(&file).unwrap();
        let audit = audit(&bytes, None).unwrap_or_else(|err| panic!("{}: {err}", file.display()));
        assert_eq!(audit.format, FormatId::Pre2019);
        assert_eq!(audit.year, Some(2018));
        let mut found: Vec<(String, String)> = audit
            .findings
            .iter()
            .map(|finding| (finding.rule.clone(), finding.found.clone().unwrap_or_default()))
            .collect();
        found.sort();
        let mut expected: Vec<(String, String)> = EXPECTED
            .iter()
            .map(|(rule, found)| ((*rule).to_owned(), (*found).to_owned()))
            .collect();
        expected.sort();
        assert_eq!(found, expected, "{:#?}", audit.findings);
        // Every cell of the annex was read: 57 value rows, two of them blank (专职人员数, 专项经费).
        let cells: Vec<_> = audit.tables.iter().flat_map(|table| &table.cells).collect();
        assert_eq!(cells.len(), 57);
        assert_eq!(cells.iter().filter(|cell| cell.value.is_none()).count(), 2);
        assert!(audit.findings.iter().all(|finding| finding.kind != FindingKind::Cell));
        let omitted = audit.findings.iter().find(|finding| finding.rule == "prose.parts").unwrap();
        assert!(omitted.description.contains("收费及减免"), "{omitted:?}");
    }
}
