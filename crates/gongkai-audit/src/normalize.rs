//! Tolerant reading of labels and cell values as real reports write them: full-width digits and letters,
//! spaces inside labels, numbering (一、 （一） 1. 其中：), local annotations in brackets, quotation marks,
//! known label variants and typos, thousands separators, units, and the marks of a cell left empty.

use gongkai_core::report::values::Quantity;

/// Label variants and typos seen in real reports, replaced before labels are compared.
const VARIANTS: [(&str, &str); 3] =
    [("这一情况", "这一情形"), ("内容事务", "内部事务"), ("部份", "部分")];

/// Full-width ASCII (digits, letters, `％`, `．`) and the ideographic space folded to ASCII; CJK
/// punctuation such as `，` is kept.
pub fn fold(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{3000}' => ' ',
            '０'..='９' | 'Ａ'..='Ｚ' | 'ａ'..='ｚ' | '％' | '．' | '－' | '／' | '＋' => {
                char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
            }
            _ => c,
        })
        .collect()
}

/// A label reduced to what identifies it: folded, without whitespace, bracketed annotations, leading
/// numbering, quotation marks or punctuation, with known variants replaced.
pub fn label_key(label: &str) -> String {
    let folded = fold(label);
    // Bracketed parts (annotations, and numbering like （一）) removed, nested brackets included.
    let mut depth = 0usize;
    let mut bare = String::with_capacity(folded.len());
    for c in folded.chars() {
        match c {
            '（' | '(' | '[' | '【' => depth += 1,
            '）' | ')' | ']' | '】' => depth = depth.saturating_sub(1),
            _ if depth == 0 => bare.push(c),
            _ => {}
        }
    }
    let mut text: &str = bare.trim();
    loop {
        let before = text.len();
        text = text.trim_start();
        for prefix in ["其中：", "其中:", "其中，", "其中"] {
            if let Some(rest) = text.strip_prefix(prefix) {
                text = rest;
            }
        }
        text = strip_numbering(text);
        if text.len() == before {
            break;
        }
    }
    let mut key: String =
        text.chars().filter(|c| !c.is_whitespace() && !is_punctuation(*c)).collect();
    for (from, to) in VARIANTS {
        if key.contains(from) {
            key = key.replace(from, to);
        }
    }
    key
}

fn is_punctuation(c: char) -> bool {
    matches!(
        c,
        '“' | '”'
            | '‘'
            | '’'
            | '"'
            | '\''
            | '「'
            | '」'
            | '《'
            | '》'
            | '、'
            | '，'
            | ','
            | '。'
            | '：'
            | ':'
            | '；'
            | ';'
            | '.'
            | '·'
            | '—'
            | '-'
            | '_'
            | '*'
    )
}

/// `一、` `十二、` `1.` `1、` `1．` `(1)` at the start.
fn strip_numbering(text: &str) -> &str {
    let numerals = |c: char| "一二三四五六七八九十".contains(c);
    let digits_end =
        text.char_indices().find(|(_, c)| !c.is_ascii_digit()).map_or(text.len(), |(i, _)| i);
    if digits_end > 0 {
        let rest = &text[digits_end..];
        for mark in ['.', '、', '．', ')', '）'] {
            if let Some(rest) = rest.strip_prefix(mark) {
                return rest;
            }
        }
        return text;
    }
    let numeral_end =
        text.char_indices().find(|(_, c)| !numerals(*c)).map_or(text.len(), |(i, _)| i);
    if numeral_end > 0
        && let Some(rest) = text[numeral_end..].strip_prefix('、')
    {
        return rest;
    }
    text
}

/// Similarity of two label keys in [0, 1]: 1 when equal, else twice the longest common subsequence over
/// the total length (0 when the lengths or the shared characters already rule out 0.6 or more).
pub fn similarity(a: &str, b: &str) -> f64 {
    if a == b {
        return if a.is_empty() { 0.0 } else { 1.0 };
    }
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.is_empty() || b.is_empty() || a.len() > 200 || b.len() > 200 {
        return 0.0;
    }
    // 2·LCS/(|a|+|b|) ≥ 0.8 needs similar lengths and many shared characters: cheap bounds first.
    let (short, long) = if a.len() <= b.len() { (a.len(), b.len()) } else { (b.len(), a.len()) };
    if (short as f64) < 0.6 * long as f64 {
        return 0.0;
    }
    let mut sorted_a = a.clone();
    let mut sorted_b = b.clone();
    sorted_a.sort_unstable();
    sorted_b.sort_unstable();
    let (mut i, mut j, mut shared) = (0, 0, 0usize);
    while i < sorted_a.len() && j < sorted_b.len() {
        match sorted_a[i].cmp(&sorted_b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                shared += 1;
                i += 1;
                j += 1;
            }
        }
    }
    if (2 * shared) as f64 / ((a.len() + b.len()) as f64) < 0.6 {
        // The LCS cannot exceed the shared characters: far below any threshold worth telling apart.
        return 0.0;
    }
    let mut previous = vec![0u16; b.len() + 1];
    let mut current = vec![0u16; b.len() + 1];
    for x in &a {
        for (j, y) in b.iter().enumerate() {
            current[j + 1] = if x == y { previous[j] + 1 } else { current[j].max(previous[j + 1]) };
        }
        std::mem::swap(&mut previous, &mut current);
    }
    2.0 * f64::from(previous[b.len()]) / (a.len() + b.len()) as f64
}

/// What a value cell says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CellRead {
    /// Blank, `/`, `—`, `——`, `-`, `无`: not filled, which is not 0.
    NotFilled,
    Value(Quantity),
    /// Text that is not a number (the original text).
    Unreadable(String),
}

const NOT_FILLED: [&str; 9] = ["/", "—", "——", "-", "--", "–", "无", "空", "\\"];
const UNITS: [&str; 12] =
    ["万元", "千元", "人次", "元", "件", "条", "个", "人", "次", "篇", "项", "家"];

/// An amount unit as a power of ten of 元.
fn amount_exponent(unit: &str) -> Option<i32> {
    match unit {
        "元" => Some(0),
        "千元" => Some(3),
        "万元" => Some(4),
        _ => None,
    }
}

/// A decimal with any number of decimals (`75394432.52`), multiplied by ten to the power `exponent` and
/// rounded half away from zero to the four decimals a [`Quantity`] keeps; `None` when it is not one or does
/// not fit.
fn amount(digits: &str, exponent: i32) -> Option<Quantity> {
    let (negative, digits) = match digits.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, digits),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let valid = !whole.is_empty()
        && whole.len() + fraction.len() <= 30
        && whole.chars().chain(fraction.chars()).all(|c| c.is_ascii_digit());
    if !valid {
        return None;
    }
    let mantissa: i128 = format!("{whole}{fraction}").parse().ok()?;
    // value = mantissa × 10^(exponent − decimals); in ten-thousandths, × 10^4.
    let power = exponent + 4 - fraction.len() as i32;
    let raw = if power >= 0 {
        mantissa.checked_mul(10i128.checked_pow(power as u32)?)?
    } else {
        let divisor = 10i128.checked_pow(power.unsigned_abs())?;
        (mantissa + divisor / 2) / divisor
    };
    let raw = i64::try_from(raw).ok()?;
    Some(Quantity::from_ten_thousandths(if negative { -raw } else { raw }))
}

/// True for a cell that only names a unit (the unit column of the pre-2019 table) or marks a heading row.
pub fn is_unit(text: &str) -> bool {
    let text: String = fold(text).chars().filter(|c| !c.is_whitespace()).collect();
    UNITS.contains(&text.as_str()) || text == "——" || text == "—" || text == "单位"
}

/// True for a cell that holds a value or the mark of an empty value (not a label).
pub fn is_value_like(text: &str) -> bool {
    !matches!(read_cell(text, None), CellRead::Unreadable(_))
}

/// Reads a value cell. `unit` is the column's unit: an amount written in another amount unit (元 or 千元
/// under 万元, 万元 under 元) is converted, and an amount with more decimals than a [`Quantity`] keeps (元
/// with 分 under 万元, "24252.311082" 万元) is rounded to four decimals of the column's unit — amounts take
/// part in no rule of the formats (a test of the formats says so), so the rounding decides no finding.
pub fn read_cell(text: &str, unit: Option<&str>) -> CellRead {
    let folded: String = fold(text).chars().filter(|c| !c.is_whitespace()).collect();
    if folded.is_empty() || NOT_FILLED.contains(&folded.as_str()) {
        return CellRead::NotFilled;
    }
    let mut number = folded.as_str();
    let mut written_unit = None;
    for candidate in UNITS {
        if let Some(rest) = number.strip_suffix(candidate) {
            number = rest;
            written_unit = Some(candidate);
            break;
        }
    }
    let digits = strip_thousands(number);
    let Some(digits) = digits else { return CellRead::Unreadable(text.trim().to_owned()) };
    if let Some(column) = unit.and_then(amount_exponent) {
        let written = written_unit.and_then(amount_exponent).unwrap_or(column);
        return match amount(&digits, written - column) {
            Some(value) => CellRead::Value(value),
            None => CellRead::Unreadable(text.trim().to_owned()),
        };
    }
    match Quantity::parse(&digits) {
        Ok(value) => CellRead::Value(value),
        Err(_) => CellRead::Unreadable(text.trim().to_owned()),
    }
}

/// `1,234` / `1，234` → `1234`; a separator not between groups of three digits makes it unreadable.
fn strip_thousands(number: &str) -> Option<String> {
    if !number.contains([',', '，']) {
        return Some(number.to_owned());
    }
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    let groups: Vec<&str> = whole.split([',', '，']).collect();
    let valid = !groups[0].is_empty()
        && groups[0].len() <= 3
        && groups[1..].iter().all(|group| group.len() == 3);
    if !valid {
        return None;
    }
    let mut digits = groups.concat();
    if !fraction.is_empty() || number.contains('.') {
        digits.push('.');
        digits.push_str(fraction);
    }
    Some(digits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_lose_numbering_annotations_and_variants() {
        assert_eq!(
            label_key("（一）主动公开政府信息数\n（不同渠道和方式公开相同信息计1条）"),
            "主动公开政府信息数"
        );
        assert_eq!(label_key("    其中：主动公开规范性文件数"), "主动公开规范性文件数");
        assert_eq!(label_key("统　计　指　标"), "统计指标");
        assert_eq!(label_key("3.危及“三安全一稳定”"), "危及三安全一稳定");
        assert_eq!(label_key("５．属于三类内容事务信息"), "属于三类内部事务信息");
        assert_eq!(label_key("四、行政复议数量"), "行政复议数量");
        assert_eq!(label_key("1.本机关不掌握相关政府信息（含本区）"), "本机关不掌握相关政府信息");
    }

    #[test]
    fn similar_labels_score_high_and_different_ones_low() {
        assert_eq!(similarity("予以公开", "予以公开"), 1.0);
        assert!(similarity("同意部分公开答复数", "同意部份公开答复数") > 0.85);
        assert!(similarity("按时办结数", "延期办结数") < 0.85);
    }

    /// Amount cells are read rounded to four decimals ([`read_cell`]); that decides no finding only while no
    /// rule of a format takes an amount cell.
    #[test]
    fn no_rule_of_a_format_takes_an_amount_cell() {
        use gongkai_core::report::format::FormatId;
        let definitions = FormatId::ALL
            .iter()
            .map(|format| format.format())
            .chain(crate::mapping::local_formats());
        for format in definitions {
            for rule in &format.rules {
                let Some(table) = format.table(&rule.table) else { continue };
                let (rows, columns) = rule.kind.keys();
                for (block, row, column) in table.value_cells() {
                    let taken = rows.contains(&&row.key) || columns.contains(&&column.key);
                    let unit = column.unit.as_deref().or(row.unit.as_deref()).unwrap_or("");
                    assert!(
                        !(taken && amount_exponent(unit).is_some()),
                        "{}: rule {} takes the amount cell {}/{} ({:?})",
                        format.name,
                        rule.id,
                        row.key,
                        column.key,
                        block.heading
                    );
                }
            }
        }
    }

    #[test]
    fn cells_as_real_reports_write_them() {
        let q = |text: &str| Quantity::parse(text).unwrap();
        assert_eq!(read_cell("１２３", None), CellRead::Value(q("123")));
        assert_eq!(read_cell("1,234", None), CellRead::Value(q("1234")));
        assert_eq!(read_cell("12,345.5万元", Some("万元")), CellRead::Value(q("12345.5")));
        assert_eq!(read_cell("400元", Some("万元")), CellRead::Value(q("0.04")));
        assert_eq!(read_cell("3件", None), CellRead::Value(q("3")));
        // Amounts as real reports write them: 元 with 分 under 万元 (平潭 2019's 采购总金额), 万元 with six
        // decimals (平潭 2021's 收费金额), 千元, and 万元 under a 元 column.
        assert_eq!(read_cell("75394432.52元", Some("万元")), CellRead::Value(q("7539.4433")));
        assert_eq!(read_cell("24252.311082", Some("万元")), CellRead::Value(q("24252.3111")));
        assert_eq!(read_cell("1,500千元", Some("万元")), CellRead::Value(q("150")));
        assert_eq!(read_cell("2.5万元", Some("元")), CellRead::Value(q("25000")));
        assert_eq!(read_cell("-3.00005", Some("万元")), CellRead::Value(q("-3.0001")));
        assert!(matches!(read_cell("7539万", Some("万元")), CellRead::Unreadable(_)));
        assert!(matches!(
            read_cell("99999999999999999999999元", Some("万元")),
            CellRead::Unreadable(_)
        ));
        for empty in ["", "  ", "/", "—", "——", "无", "－"] {
            assert_eq!(read_cell(empty, None), CellRead::NotFilled, "{empty:?}");
        }
        assert_eq!(read_cell("0", None), CellRead::Value(Quantity::ZERO));
        assert!(matches!(read_cell("81.8.0", None), CellRead::Unreadable(_)));
        assert!(matches!(read_cell("12,34", None), CellRead::Unreadable(_)));
        assert!(matches!(read_cell("约5", None), CellRead::Unreadable(_)));
    }
}
