//! Tests of `rows`.

use super::*;

#[test]
fn dates_as_registers_write_them() {
    let expected = Date::from_calendar_date(2025, time::Month::January, 2).ok();
    for text in ["2025-01-02", "2025/1/2", "2025.1.2", "2025年1月2日", "2025-01-02 10:30:00"] {
        assert_eq!(parse_date(text), expected, "{text}");
    }
    for text in ["2025-13-01", "2025-02-30", "明天", "2025", "1/2/2025"] {
        assert_eq!(parse_date(text), None, "{text}");
    }
}

#[test]
fn outcomes_by_label_ground_or_old_name() {
    for outcome in Outcome::ALL {
        assert_eq!(super::outcome(&outcome.register_label()), Ok(Some(outcome)));
    }
    assert_eq!(super::outcome("同意公开"), Ok(Some(Outcome::Disclosed)));
    assert_eq!(
        super::outcome("不予公开-属于国家秘密"),
        Ok(Some(Outcome::Withheld(Withholding::StateSecret)))
    );
    assert!(super::outcome("不予公开").unwrap_err().contains("须写明理由"));
    assert!(super::outcome("看情况").is_err());
}

/// Every row label of the 2021 and 2019 tables, as the format data prints it (with its enumerator),
/// joined to its group in each of the ways registers join them, reads as that row's outcome.
#[test]
fn every_table_row_label_in_every_register_form() {
    use gongkai_core::report::format::FormatId;
    for format in [FormatId::F2021, FormatId::F2019] {
        let table = format.format().table("t3").expect("table 三");
        let mut group = "";
        for row in table.blocks.iter().flat_map(|block| &block.rows) {
            if row.group && row.level == 1 {
                group = row.label.as_str();
                continue;
            }
            let Some(suffix) =
                row.measure.as_deref().and_then(|measure| measure.strip_prefix("app.result."))
            else {
                continue;
            };
            let expected: Vec<Outcome> =
                Outcome::ALL.into_iter().filter(|outcome| outcome.measure() == suffix).collect();
            if expected.is_empty() || row.key == "total" {
                continue;
            }
            let label = row.label.as_str();
            let reads = |text: &str| super::outcome(text).ok().flatten();
            if row.level <= 1 {
                let found = reads(label).unwrap_or_else(|| panic!("{format}: {label}"));
                assert!(expected.contains(&found), "{format}: {label} → {found:?}");
                continue;
            }
            let group_name = group.trim_start_matches(|c: char| !"予部不无其".contains(c));
            for text in [
                label.to_owned(),
                format!("{group}\n{label}"),
                format!("{group_name}：{label}"),
                format!("{group_name}、{label}"),
                format!("{group_name}-{label}"),
                format!("三、本年度办理结果 {group} {label}"),
            ] {
                if text.ends_with("其他") && !text.contains("处理") {
                    // A bare 其他 is not guessed (see the test below).
                    continue;
                }
                let found = reads(&text).unwrap_or_else(|| panic!("{format}: {text:?}"));
                assert!(expected.contains(&found), "{format}: {text:?} → {found:?}");
            }
        }
    }
}

#[test]
fn the_full_2021_labels_and_the_pre2019_answer_types() {
    let cases = [
        (
            "其他处理：申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
            Outcome::OtherHandling(OtherHandling::NoSupplement),
        ),
        (
            "（六）其他处理\n2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
            Outcome::OtherHandling(OtherHandling::FeeNotPaid),
        ),
        ("1.属于已主动公开范围数", Outcome::AlreadyPublished),
        ("2.同意公开答复数", Outcome::Disclosed),
        ("3.同意部分公开答复数", Outcome::PartiallyDisclosed),
        (
            "不同意公开答复数 其中：涉及商业秘密",
            Outcome::Withheld(Withholding::ThirdPartyTradeSecret),
        ),
        ("不同意公开-涉及个人隐私", Outcome::Withheld(Withholding::ThirdPartyPrivacy)),
        (
            "不同意公开：危及国家安全、公共安全、经济安全和社会稳定",
            Outcome::Withheld(Withholding::Security),
        ),
        ("5.不属于本行政机关公开数", Outcome::NotThisAgency),
        ("6.申请信息不存在数", Outcome::Unavailable(Unavailability::NotHeld)),
        ("7.告知作出更改补充数", Outcome::ToldToAmend),
        ("8.告知通过其他途径办理数", Outcome::ToldOtherChannel),
        ("危及\"三安全一稳定\"", Outcome::Withheld(Withholding::Security)),
        ("①重复申请", Outcome::NotProcessed(gongkai_core::records::NonProcessing::Repeat)),
    ];
    for (text, expected) in cases {
        assert_eq!(super::outcome(text), Ok(Some(expected)), "{text}");
    }
    for open in ["办理中", "未办结", "正在办理", " 办理中 ", "办理结果：办理中"]
    {
        assert_eq!(super::outcome(open), Ok(None), "{open}");
    }
    // Not guessed: a group without its reason, a bare 其他, a reason no row has.
    for vague in ["其他", "无法提供", "不予处理", "其他处理", "已处理"] {
        assert!(super::outcome(vague).is_err(), "{vague}");
    }
}
