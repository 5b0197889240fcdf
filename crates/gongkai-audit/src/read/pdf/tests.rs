//! Tests of `pdf`.

use super::*;

fn glyphs(text: &str, x: f64, y: f64, size: f64) -> Vec<Placed> {
    let mut x = x;
    text.chars()
        .map(|c| {
            let glyph = Placed { text: c.to_string(), x, y, size };
            x += glyph.width();
            glyph
        })
        .collect()
}

fn h(at: f64, start: f64, end: f64) -> Segment {
    Segment { at, start, end }
}

#[test]
fn page_numbers_are_known() {
    for number in ["3", "- 3 -", "— 12 —", "第3页", "第 3 页 共 9 页", "3/9"] {
        assert!(is_page_number(number), "{number}");
    }
    for text in ["2023年", "三、", "第三章", "共计3件"] {
        assert!(!is_page_number(text), "{text}");
    }
}

#[test]
fn a_ruled_grid_with_a_merged_header_is_a_table_with_spans() {
    // Three columns; the header's last two positions are one cell (no border between them in row 0).
    let horizontal = vec![h(100.0, 50.0, 350.0), h(120.0, 50.0, 350.0), h(140.0, 50.0, 350.0)];
    let vertical = vec![
        h(50.0, 100.0, 140.0),
        h(150.0, 100.0, 140.0),
        h(250.0, 120.0, 140.0),
        h(350.0, 100.0, 140.0),
    ];
    let grids = grids(&horizontal, &vertical);
    assert_eq!(grids.len(), 1);
    let grid = &grids[0];
    let mut cells = vec![Vec::new(); grid.regions.len()];
    for glyph in glyphs("指标", 60.0, 115.0, 10.0)
        .into_iter()
        .chain(glyphs("申请人情况", 200.0, 115.0, 10.0))
        .chain(glyphs("收到", 60.0, 135.0, 10.0))
        .chain(glyphs("12", 160.0, 135.0, 10.0))
        .chain(glyphs("3", 260.0, 135.0, 10.0))
    {
        let region = grid.region_at(glyph.center()).unwrap();
        cells[region].push(glyph);
    }
    let (table, _) = grid.table(cells).unwrap();
    let texts: Vec<Vec<(&str, u16)>> = table
        .rows
        .iter()
        .map(|row| row.iter().map(|cell| (cell.text.as_str(), cell.colspan)).collect())
        .collect();
    assert_eq!(
        texts,
        vec![vec![("指标", 1), ("申请人情况", 2)], vec![("收到", 1), ("12", 1), ("3", 1)]]
    );
}

#[test]
fn lines_become_paragraphs_across_wraps_and_pages() {
    // A 20-character body: the first paragraph wraps (full line, next not indented) and continues on
    // the next page; an indented line starts the second one; a page number is dropped.
    let size = 10.0;
    let mut page_one: Vec<Placed> = Vec::new();
    page_one.extend(glyphs("一、总体情况", 50.0, 100.0, size));
    page_one.extend(glyphs("全年主动公开政府信息三百二十条，其中机构", 70.0, 115.0, size));
    page_one.extend(glyphs("职能类十二条，政策文件类四十条，其他类二百六", 50.0, 130.0, size));
    page_one.extend(glyphs("- 1 -", 150.0, 790.0, size));
    let mut page_two = glyphs("十八条。", 50.0, 100.0, size);
    page_two.extend(glyphs("二、收到和处理政府信息公开申请情况", 70.0, 115.0, size));
    let mut lines = page_lines(page_one, 0, 842.0);
    lines.extend(page_lines(page_two, 1, 842.0));
    let text = paragraphs_text(&lines);
    assert_eq!(
        text.lines().collect::<Vec<_>>(),
        vec![
            "一、总体情况",
            "全年主动公开政府信息三百二十条，其中机构职能类十二条，政策文件类四十条，其他类二百六十八条。",
            "二、收到和处理政府信息公开申请情况",
        ]
    );
}

#[test]
fn a_spaced_row_with_fewer_cells_than_its_table_is_left_out() {
    // 总计 row without its second figure: which column is blank cannot be told.
    let mut lines = Vec::new();
    for (y, cells) in
        [(100.0, ["一、本年新收", "3", "1", "4"]), (115.0, ["二、上年结转", "0", "", "0"])]
            .into_iter()
            .chain([(130.0, ["四、结转下年度", "1", "0", "1"])])
    {
        let mut glyphs_of_line = Vec::new();
        for (column, text) in cells.iter().enumerate() {
            glyphs_of_line.extend(glyphs(text, 50.0 + 100.0 * column as f64, y, 10.0));
        }
        lines.extend(page_lines(glyphs_of_line, 0, 842.0));
    }
    let text = paragraphs_text(&lines);
    assert_eq!(text, "一、本年新收\t3\t1\t4\n四、结转下年度\t1\t0\t1\n");
}

#[test]
fn runs_apart_are_cells() {
    let mut line = glyphs("规章", 50.0, 100.0, 10.0);
    line.extend(glyphs("0", 200.0, 100.0, 10.0));
    line.extend(glyphs("1", 300.0, 100.0, 10.0));
    assert_eq!(line_text(&line, true), "规章\t0\t1");
    assert_eq!(line_text(&glyphs("2,345 元", 50.0, 100.0, 10.0), true), "2,345 元");
}

#[test]
fn dictionary_depth_counts_nesting_outside_strings() {
    assert_eq!(dict_depth(b"/P << /MCID 0 >> BDC (<<<<<<) Tj EMC"), 1);
    assert_eq!(dict_depth(b"<< /A << /B << >> >> >>"), 3);
    assert_eq!(dict_depth(b"(a \\) << ) << >>"), 1);
    assert_eq!(dict_depth(&b"<<".repeat(100)), 100);
}

#[test]
fn object_depth_counts_arrays_and_dictionaries_outside_strings_and_streams() {
    assert_eq!(object_depth(b"1 0 obj << /A [ 1 [ 2 ] ] >> endobj"), 3);
    assert_eq!(object_depth(b"(a [[[[ (b) c) <3c3c3c> % [[[[[[\n [ ]"), 1);
    assert_eq!(object_depth(b"<< /Length 8 >>\nstream\n[[[[[[[[\nendstream [ ]"), 1);
    assert_eq!(object_depth(&b"[".repeat(1000)), 1000);
}
