//! Tests of the search index: Chinese words and their parts, 文号 and 索引号, facets, sorting, highlighting,
//! upserts and the marker.

use super::*;

fn doc(
    id: u64,
    agency: &str,
    title: &str,
    body: &str,
    category: &str,
    doc_number: &str,
    published: &str,
) -> Document {
    Document {
        id,
        agency_code: agency.to_owned(),
        agency_name: format!("{agency}名"),
        index_number: format!("{agency}/{}-{id:05}", &published[..4]),
        title: title.to_owned(),
        summary: body.chars().take(30).collect(),
        body: body.to_owned(),
        category: category.to_owned(),
        genre: if doc_number.is_empty() { "其他".to_owned() } else { "通知".to_owned() },
        doc_number: doc_number.to_owned(),
        published: published.to_owned(),
    }
}

fn sample() -> SearchIndex {
    let index = SearchIndex::in_memory().unwrap();
    let documents = [
        doc(
            1,
            "SFJ",
            "温州市司法局2018年政府信息公开工作年度报告",
            "本报告根据《中华人民共和国政府信息公开条例》要求编制。",
            "年度报告",
            "",
            "2019-03-20",
        ),
        doc(
            2,
            "SFJ",
            "温州市司法局关于印发《温州市人民调解工作实施意见》的通知",
            "各县（市、区）司法局：现将实施意见印发给你们。",
            "政策文件",
            "温司发〔2018〕12号",
            "2018-05-02",
        ),
        doc(
            3,
            "SFJ",
            "温州市司法局关于印发《温州市法律援助案件质量评估办法》的通知",
            "法律援助案件质量评估。",
            "政策文件",
            "温司发〔2018〕120号",
            "2018-09-12",
        ),
        doc(
            4,
            "JYJ",
            "市教育局召开全市教育工作会议",
            "会议部署依申请公开和主动公开工作。",
            "工作信息",
            "",
            "2024-02-01",
        ),
        doc(
            5,
            "JYJ",
            "义务教育阶段招生入学<公告>",
            "招生入学政策解读。",
            "通知公告",
            "",
            "2025-06-01",
        ),
        doc(
            6,
            "CZJ",
            "温州市财政局2024年度部门预算公开",
            "收入预算合计3,000万元。",
            "财政信息",
            "",
            "2024-01-15",
        ),
    ];
    index.upsert(&documents).unwrap();
    index.commit(6).unwrap();
    index
}

fn request(text: &str) -> Request {
    Request { text: text.to_owned(), limit: 10, facets: true, snippets: true, ..Request::default() }
}

fn ids(results: &Results) -> Vec<u64> {
    results.hits.iter().map(|hit| hit.id).collect()
}

#[test]
fn a_two_character_query_finds_longer_words_containing_it() {
    let index = sample();
    let found = ids(&index.search(&request("公开")).unwrap());
    for id in [1, 4, 6] {
        assert!(found.contains(&id), "公开 should find {id}: {found:?}");
    }
    assert!(!found.contains(&3));
}

#[test]
fn domain_words_are_found_whole_and_by_their_parts() {
    let index = sample();
    assert_eq!(ids(&index.search(&request("依申请公开")).unwrap()), vec![4]);
    assert!(ids(&index.search(&request("政府信息公开条例")).unwrap()).contains(&1));
    assert!(ids(&index.search(&request("信息公开")).unwrap()).contains(&1));
}

#[test]
fn a_document_number_finds_its_item_first_however_the_brackets_are_typed() {
    let index = sample();
    for typed in
        ["温司发〔2018〕12号", "温司发[2018]12号", "温司发（2018）12号", "温司发〔２０１８〕１２号"]
    {
        let results = index.search(&request(typed)).unwrap();
        assert_eq!(results.hits.first().map(|hit| hit.id), Some(2), "{typed}: {:?}", ids(&results));
    }
}

#[test]
fn an_index_number_finds_its_item() {
    let index = sample();
    let results = index.search(&request("SFJ/2018-00003")).unwrap();
    assert_eq!(results.hits.first().map(|hit| hit.id), Some(3));
}

#[test]
fn empty_and_punctuation_queries_are_flagged_not_errors() {
    let index = sample();
    for text in ["", "   ", "，。！？", "《》"] {
        let results = index.search(&request(text)).unwrap();
        assert!(results.empty_query, "{text:?}");
        assert_eq!(results.total, 0);
    }
}

#[test]
fn facets_count_the_whole_result_and_filters_narrow_it() {
    let index = sample();
    let results = index.search(&request("温州市")).unwrap();
    assert_eq!(results.total, 4, "item 4 says 市教育局, not 温州市");
    assert_eq!(results.facets.agencies.first(), Some(&("SFJ".to_owned(), 3)));
    assert!(results.facets.years.contains(&("2018".to_owned(), 2)));
    let mut narrowed = request("温州市");
    narrowed.agency = Some("CZJ".to_owned());
    assert_eq!(ids(&index.search(&narrowed).unwrap()), vec![6]);
    let mut by_year = request("温州市");
    by_year.year = Some(2018);
    let mut found = ids(&index.search(&by_year).unwrap());
    found.sort_unstable();
    assert_eq!(found, vec![2, 3]);
}

#[test]
fn date_sort_puts_the_newest_first() {
    let index = sample();
    let mut by_date = request("温州市");
    by_date.sort = Sort::Date;
    assert_eq!(ids(&index.search(&by_date).unwrap()), vec![6, 1, 3, 2]);
}

#[test]
fn snippets_are_escaped_and_highlighted() {
    let index = sample();
    let results = index.search(&request("招生")).unwrap();
    let hit = &results.hits[0];
    assert_eq!(hit.id, 5);
    assert!(hit.title_html.contains("<mark>招生</mark>"), "{}", hit.title_html);
    assert!(hit.title_html.contains("&lt;公告&gt;"), "{}", hit.title_html);
    assert!(!hit.title_html.contains("<公告>"));
}

#[test]
fn upserting_replaces_and_removing_removes() {
    let index = sample();
    let replaced = doc(
        2,
        "SFJ",
        "温州市司法局关于废止有关文件的通知",
        "废止。",
        "政策文件",
        "温司发〔2018〕12号",
        "2018-05-02",
    );
    index.upsert([&replaced]).unwrap();
    index.commit(7).unwrap();
    assert_eq!(index.len(), 6);
    assert_eq!(ids(&index.search(&request("废止")).unwrap()), vec![2]);
    assert!(ids(&index.search(&request("人民调解")).unwrap()).is_empty());
    index.remove([2]);
    index.commit(8).unwrap();
    assert!(ids(&index.search(&request("废止")).unwrap()).is_empty());
    assert_eq!(index.marker().unwrap(), Some(8));
}

#[test]
fn the_marker_survives_reopening_the_index() {
    let dir = tempfile::tempdir().unwrap();
    {
        let index = SearchIndex::open(dir.path()).unwrap();
        assert_eq!(index.marker().unwrap(), None);
        index
            .upsert([&doc(9, "SFJ", "调休安排", "节假日调休。", "通知公告", "", "2025-01-02")])
            .unwrap();
        index.commit(42).unwrap();
    }
    let index = SearchIndex::open(dir.path()).unwrap();
    assert_eq!(index.marker().unwrap(), Some(42));
    assert_eq!(ids(&index.search(&request("调休")).unwrap()), vec![9]);
}

#[test]
fn query_terms_drop_punctuation() {
    assert_eq!(terms("“公开”！"), vec!["公开".to_owned()]);
    assert!(terms("——").is_empty());
}

#[test]
fn titles_are_highlighted_by_whole_words() {
    let words = terms("温司发〔2018〕12号");
    let html = highlight("关于印发《办法》的通知（温司发〔2018〕123号）", &words);
    assert!(!html.contains("<mark>12</mark>3"), "{html}");
    assert!(html.contains("<mark>2018</mark>"), "{html}");
    assert_eq!(highlight("a<b>", &["b".to_owned()]), "a&lt;<mark>b</mark>&gt;");
}

#[test]
fn overlapping_snippet_ranges_are_merged_not_a_panic() {
    let fragment = "文职人员服装<b>";
    assert_eq!(
        mark_ranges(fragment, &[0..12, 0..6, 6..12, 3..30]),
        "<mark>文职人员服装&lt;b&gt;</mark>"
    );
    assert_eq!(mark_ranges("公开", &[]), "公开");
}

#[test]
fn searching_text_with_overlapping_words_gives_snippets() {
    let index = SearchIndex::in_memory().unwrap();
    let body = "人员应当依照军队有关规定穿着文职人员服装。文职人员服装的制式及其标志服饰由中央军事委员会规定。";
    index.upsert([&doc(1, "X", "文职人员条例", body, "行政法规", "", "2022-12-01")]).unwrap();
    index.commit(1).unwrap();
    let results = index.search(&request("文职人员 服装")).unwrap();
    assert!(results.hits[0].snippet_html.contains("<mark>"), "{}", results.hits[0].snippet_html);
}

#[test]
fn snippets_cut_from_a_longer_body_say_so_with_ellipses() {
    let index = SearchIndex::in_memory().unwrap();
    let long = format!(
        "{}本机关依法受理政府信息公开申请，{}",
        "各县（市、区）人民政府，市政府各部门：".repeat(8),
        "并按照规定的期限作出答复。".repeat(10)
    );
    index
        .upsert([
            &doc(1, "SFJ", "长文", &long, "通知公告", "", "2025-01-02"),
            &doc(2, "SFJ", "短文", "受理政府信息公开申请。", "通知公告", "", "2025-01-03"),
        ])
        .unwrap();
    index.commit(1).unwrap();
    let results = index.search(&request("受理")).unwrap();
    let snippet = |id: u64| {
        results.hits.iter().find(|hit| hit.id == id).map(|hit| hit.snippet_html.clone()).unwrap()
    };
    let cut = snippet(1);
    assert!(cut.starts_with('…') && cut.ends_with('…'), "{cut}");
    assert!(cut.contains("<mark>受理</mark>"), "{cut}");
    // A body shown whole has none.
    let whole = snippet(2);
    assert!(!whole.contains('…'), "{whole}");
}
