//! A register as offices keep it — six columns, a title row, one receipt date, mixed date forms, results
//! written the way the official table or the office words them, cases still open at the year's end —
//! imports, and the year's table 三 derived from it equals a table computed by hand, cell for cell.

use gongkai_core::calendar::Calendar;
use gongkai_core::records::AgencyRecords;
use gongkai_core::regime::Channel;
use gongkai_core::report::derive;
use gongkai_core::report::format::FormatId;
use gongkai_register::{FileKind, RegisterError, read_applications};
use time::macros::date;

/// The register: a title row, then the six columns many offices keep. Dates in four forms (ISO, slashes,
/// 年月日, dots) and one Excel serial (44986 = 2023-03-01). Results as the 2021 table prints them (with
/// enumerators, a new line between group and reason), shortened, in the pre-2019 names, or 办理中.
const REGISTER: &str = "\
温州市某局2023年政府信息公开申请登记台账,,,,,
申请编号,申请人类型,申请方式,收到申请日期,答复日期,办理结果
2022-101,自然人,网上申请,2022/12/26,2023/1/9,予以公开
2022-102,企业,邮寄,2022年12月28日,2023年1月16日,部分公开
2022-103,自然人,当面,2022-06-01,2022-06-10,予以公开
2023-001,自然人,网上申请,2023-01-05,2023-01-20,予以公开
2023-002,自然人,当面,2023-02-01,2023-02-15,\"（三）不予公开
1.属于国家秘密\"
2023-003,律师事务所,信函,2023-02-10,2023-03-01,不予公开-保护第三方合法权益
2023-004,公民,网络,44986,2023-03-15,无法提供：本机关不掌握相关政府信息
2023-005,企业,网上申请,2023/3/6,2023/3/10,2.没有现成信息需要另行制作
2023-006,自然人,邮寄,2023.4.3,2023.4.20,不予处理、重复申请
2023-007,自然人,网上申请,2023-04-10,2023-04-12,信访举报投诉类申请
2023-008,科研机构,网上申请,2023-05-08,2023-05-22,予以公开
2023-009,社会公益组织,当面,2023-05-15,2023-05-30,同意部分公开
2023-010,法人或其他组织,网上申请,2023-06-01,2023-06-20,其他处理：申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请
2023-011,自然人,网上申请,2023-07-03,2023-07-10,属于已主动公开范围
2023-012,自然人,网上申请,2023-08-01,2023-08-15,不属于本行政机关公开
2023-013,法律服务机构,当面,2023-09-04,2023-09-20,要求提供公开出版物
2023-014,自然人,网上申请,2023-10-09,2023-10-25,其他处理：其他
2023-015,企业,网上申请,2023-11-01,2023-11-20,不予公开：属于三类内部事务信息
2023-016,自然人,网上申请,2023-12-04,2023-12-18,（一）予以公开
2023-017,自然人,网上申请,2023-12-20,,办理中
2023-018,商业企业,邮寄,2023-12-27,,
2023-019,自然人,当面,2023-12-28,2024-01-04,予以公开
2023-020,自然人,网上申请,2023-06-12,2023-06-16,危及“三安全一稳定”
2023-021,自然人,网上申请,2023-07-17,2023-07-31,6.属于四类过程性信息
";

/// Table 三 of 2023 counted by hand from the rows above (columns: 自然人, 商业企业, 科研机构, 社会公益组织,
/// 法律服务机构, 其他, 总计). Rows not listed are all zero.
/// - 新收: the 21 rows received in 2023; 上年结转: 2022-101 and 2022-102 (received in 2022, replied in 2023);
///   2022-103 ended in 2022 and is in neither.
/// - 予以公开: 2022-101, 001, 011 (already published counts here), 016, and 008 (科研机构).
/// - 无法提供 1: 004 and 012 (不属于本行政机关公开 is counted with 本机关不掌握 since 2019).
/// - 结转下年度: 017 (办理中), 018 (blank), 019 (replied in 2024).
const EXPECTED: [(&str, [i64; 7]); 25] = [
    ("new", [13, 3, 1, 1, 2, 1, 21]),
    ("carried_in", [1, 1, 0, 0, 0, 0, 2]),
    ("disclosed", [4, 0, 1, 0, 0, 0, 5]),
    ("partial", [0, 1, 0, 1, 0, 0, 2]),
    ("withheld_secret", [1, 0, 0, 0, 0, 0, 1]),
    ("withheld_law", [0; 7]),
    ("withheld_security", [1, 0, 0, 0, 0, 0, 1]),
    ("withheld_third_party", [0, 0, 0, 0, 1, 0, 1]),
    ("withheld_internal", [0, 1, 0, 0, 0, 0, 1]),
    ("withheld_process", [1, 0, 0, 0, 0, 0, 1]),
    ("withheld_enforcement", [0; 7]),
    ("withheld_query", [0; 7]),
    ("unavailable_not_held", [2, 0, 0, 0, 0, 0, 2]),
    ("unavailable_needs_creation", [0, 1, 0, 0, 0, 0, 1]),
    ("unavailable_unclear", [0; 7]),
    ("not_processed_petition", [1, 0, 0, 0, 0, 0, 1]),
    ("not_processed_repeat", [1, 0, 0, 0, 0, 0, 1]),
    ("not_processed_publication", [0, 0, 0, 0, 1, 0, 1]),
    ("not_processed_excessive", [0; 7]),
    ("not_processed_confirmation", [0; 7]),
    ("other_no_supplement", [0, 0, 0, 0, 0, 1, 1]),
    ("other_fee_unpaid", [0; 7]),
    ("other_other", [1, 0, 0, 0, 0, 0, 1]),
    ("total", [12, 3, 1, 1, 2, 1, 20]),
    ("carried_out", [2, 1, 0, 0, 0, 0, 3]),
];

const COLUMNS: [&str; 7] =
    ["natural", "business", "research", "public_interest", "legal_service", "other", "total"];

#[test]
fn the_table_derived_from_an_office_register_equals_the_hand_count() {
    let read = read_applications(
        REGISTER.as_bytes(),
        FileKind::Csv,
        &[],
        Calendar::builtin(),
        date!(2024 - 01 - 05),
    )
    .unwrap_or_else(|err| match err {
        RegisterError::Rows(problems) => panic!("{problems:#?}"),
        other => panic!("{other}"),
    });
    assert_eq!(read.entries.len(), 24);
    assert!(read.unmapped.is_empty(), "{:?}", read.unmapped);

    // The receipt date is the register's statement: the clock's receipt event is on that day.
    let posted = &read.entries[1].record;
    assert_eq!(posted.intake.channel, Channel::Post);
    assert_eq!(posted.intake.signed_for, Some(date!(2022 - 12 - 28)));
    let serial = &read.entries[6].record;
    assert_eq!(serial.intake.confirmed, Some(date!(2023 - 03 - 01)));

    let records = AgencyRecords {
        applications: read.entries.into_iter().map(|entry| entry.record).collect(),
        ..AgencyRecords::default()
    };
    let (measures, extras) = derive::measures(&records, 2023, Calendar::builtin());
    assert!(extras.record_problems.is_empty(), "{:?}", extras.record_problems);
    let values = derive::fill(FormatId::F2021.format(), &measures);
    let table = FormatId::F2021.format().table("t3").expect("the 2021 format has table 三");
    let mut compared = 0;
    for (_, row, column) in table.value_cells() {
        let expected = EXPECTED
            .iter()
            .find(|(key, _)| *key == row.key)
            .map(|(_, cells)| {
                let index = COLUMNS.iter().position(|key| *key == column.key).expect("a column");
                cells[index]
            })
            .unwrap_or_else(|| panic!("no hand count for row {}", row.key));
        let derived = values.get("t3", &row.key, &column.key).map(|quantity| quantity.whole());
        assert_eq!(derived, Some(expected), "{} / {}", row.label, column.label);
        compared += 1;
    }
    assert_eq!(compared, 25 * 7, "every cell of table 三 was compared");
    for column in 0..7 {
        let cell = |key: &str| EXPECTED.iter().find(|(row, _)| *row == key).unwrap().1[column];
        // The balance the table's note states: 新收 + 结转 = 总计 + 结转下年度.
        assert_eq!(
            cell("new") + cell("carried_in"),
            cell("total") + cell("carried_out"),
            "the hand count balances"
        );
    }
}

fn workbook(sheets: &[(&str, &[&[&str]])], merge_group: bool) -> Vec<u8> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    for (name, rows) in sheets {
        let sheet = workbook.add_worksheet();
        sheet.set_name(*name).unwrap();
        for (row, cells) in rows.iter().enumerate() {
            for (column, cell) in cells.iter().enumerate() {
                if !cell.is_empty() {
                    sheet.write_string(row as u32, column as u16, *cell).unwrap();
                }
            }
        }
        if merge_group && rows.len() > 2 {
            // 办理过程 over the two date columns, as the office's template has it.
            sheet.merge_range(1, 3, 1, 4, "办理过程", &rust_xlsxwriter::Format::new()).unwrap();
        }
    }
    workbook.save_to_buffer().unwrap()
}

#[test]
fn a_workbook_with_a_title_a_two_row_header_and_a_notes_sheet_reads() {
    let register: &[&[&str]] = &[
        &["某局2024年依申请公开登记台账"],
        &["申请编号", "申请人类型", "申请方式", "办理过程", "", "办理结果"],
        &["", "", "", "收到申请日期", "答复日期", ""],
        &["2024-001", "自然人", "网上申请", "45299", "2024-01-19", "予以公开"],
    ];
    let notes: &[&[&str]] = &[&["填表说明"], &["日期请按 2024-01-05 的格式填写"]];
    let bytes = workbook(&[("说明", notes), ("台账", register)], true);
    let read =
        read_applications(&bytes, FileKind::Xlsx, &[], Calendar::builtin(), date!(2024 - 02 - 01))
            .unwrap_or_else(|err| panic!("{err:?}"));
    assert_eq!(read.entries.len(), 1);
    // 45299 is the Excel serial of 2024-01-08.
    assert_eq!(read.entries[0].record.intake.confirmed, Some(date!(2024 - 01 - 08)));
}

#[test]
fn two_sheets_with_the_registers_headers_are_refused_by_name() {
    let year: &[&[&str]] = &[
        &["申请编号", "申请人类型", "申请方式", "收到申请日期"],
        &["A", "自然人", "当面", "2024-01-02"],
    ];
    let bytes = workbook(&[("2023年", year), ("2024年", year)], false);
    let Err(RegisterError::Columns(problems)) =
        read_applications(&bytes, FileKind::Xlsx, &[], Calendar::builtin(), date!(2024 - 02 - 01))
    else {
        panic!("two registers in one file must be refused");
    };
    assert!(
        problems[0].contains("工作表“2023年”、“2024年”都有依申请公开登记台账的表头"),
        "{problems:?}"
    );
}

#[test]
fn a_receipt_date_beside_a_submission_date_must_agree_with_it() {
    let file = "申请编号,申请人类型,申请方式,申请日期,收到申请日期,签收日期\n\
                A1,自然人,当面,2024-03-01,2024-03-04,\n\
                A2,自然人,邮寄,2024-03-05,2024-03-01,\n\
                A3,自然人,邮寄,2024-03-01,2024-03-04,2024-03-05\n\
                A4,自然人,邮寄,2024-03-01,2024-03-04,\n";
    let Err(RegisterError::Rows(problems)) = read_applications(
        file.as_bytes(),
        FileKind::Csv,
        &[],
        Calendar::builtin(),
        date!(2024 - 04 - 01),
    ) else {
        panic!("expected row problems");
    };
    let at = |row: usize| {
        problems
            .iter()
            .filter(|problem| problem.row == row)
            .map(|p| p.message.clone())
            .collect::<Vec<_>>()
    };
    assert!(at(2)[0].contains("当面提交的申请当日收到"), "{problems:#?}");
    assert!(at(3)[0].contains("早于"), "{problems:#?}");
    assert!(at(4)[0].contains("不一致"), "{problems:#?}");
    assert!(at(5).is_empty(), "a posted application received after it was sent: {problems:#?}");
}

#[test]
fn a_catalog_export_of_a_site_cms_reads() {
    // As a TRS WCM site exports its 信息公开 column: 文档标题, 所属栏目, times after the dates.
    let export = "序号,文档标题,索引号,发文字号,所属栏目,成文日期,发布时间\n\
                  1,关于印发《某某办法》的通知,001234567/2024-00012,温司发〔2024〕3号,政策文件,2024-03-01,2024-03-05 10:22:13\n\
                  2,2024年法治宣传工作要点,001234567/2024-00013,,工作计划,,2024/3/8 9:00\n";
    let read = gongkai_register::read_catalog(export.as_bytes(), FileKind::Csv, &[])
        .unwrap_or_else(|err| panic!("{err:?}"));
    assert_eq!(read.entries.len(), 2);
    assert_eq!(read.entries[0].item.category, "政策文件");
    assert_eq!(read.entries[0].doc_number, "温司发〔2024〕3号");
    assert_eq!(read.entries[1].item.published, date!(2024 - 03 - 08));
    assert!(read.unmapped.is_empty(), "{:?}", read.unmapped);
}
