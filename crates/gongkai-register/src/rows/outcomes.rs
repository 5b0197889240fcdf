//! How registers name an application's state and outcome: the words for an open case, the groups and
//! headings of result columns, and every name of each reply category (2019 and pre-2019 labels).

use super::*;

/// Result texts of a case not yet ended: it imports as open, with its clock.
pub(super) const OPEN: [&str; 12] = [
    "办理中",
    "正在办理",
    "未办结",
    "尚未办结",
    "在办",
    "处理中",
    "正在处理",
    "待答复",
    "尚未答复",
    "未答复",
    "结转下年度",
    "结转下年度继续办理",
];

/// The groups of the table's result rows whose rows need a reason, with the names registers give them.
pub(super) const GROUPS: [(&str, &[&str]); 4] = [
    ("不予公开", &["不予公开", "不同意公开"]),
    ("无法提供", &["无法提供"]),
    ("不予处理", &["不予处理"]),
    ("其他处理", &["其他处理"]),
];

/// Words a register puts before a result that are the table's headings, not the result.
pub(super) const HEADINGS: [&str; 5] =
    ["本年度办理结果", "办理结果", "答复结果", "其中", "答复类型"];

/// A result text reduced for matching: enumerators dropped ("三、", "（六）", "1.", "①"), the table's
/// headings and note dropped, and every separator (：、-—/ and new lines), quote and space removed, so
/// that "（三）不予公开\n1.属于国家秘密", "不予公开-属于国家秘密" and "不予公开：属于国家秘密" are one text.
pub(super) fn outcome_key(text: &str) -> String {
    let text = match text.find("（区分处理") {
        Some(open) => match text[open..].find('）') {
            Some(close) => format!("{}{}", &text[..open], &text[open + close + '）'.len_utf8()..]),
            None => text.to_owned(),
        },
        None => text.to_owned(),
    };
    let is_numeral = |c: char| c.is_ascii_digit() || "一二三四五六七八九十".contains(c);
    let mut key = String::new();
    for segment in text.split(|c: char| c.is_whitespace() || "：:、-—－/／;；|，,".contains(c))
    {
        let mut segment = segment.trim();
        loop {
            let before = segment;
            // （一） (1) 1. 1． ① …
            if let Some(rest) = segment.strip_prefix(['（', '('])
                && let Some(close) = rest.find(['）', ')'])
                && close > 0
                && rest[..close].chars().all(is_numeral)
            {
                segment = rest[close..].trim_start_matches(['）', ')']);
            }
            let numerals = segment.chars().take_while(|c| is_numeral(*c)).count();
            if numerals > 0 {
                let rest: String = segment.chars().skip(numerals).collect();
                if rest.is_empty() {
                    segment = "";
                } else if let Some(stripped) = rest.strip_prefix(['.', '．', '。']) {
                    let offset = segment.len() - stripped.len();
                    segment = &segment[offset..];
                }
            }
            segment = segment.trim_start_matches(|c: char| ('①'..='⑳').contains(&c));
            for heading in HEADINGS {
                if let Some(rest) = segment.strip_prefix(heading) {
                    segment = rest;
                }
            }
            if segment == before {
                break;
            }
        }
        // The pre-2019 table counts answers: "同意公开答复数", "申请信息不存在数".
        let segment = segment
            .strip_suffix("答复数")
            .or_else(|| segment.strip_suffix('数'))
            .unwrap_or(segment);
        key.extend(segment.chars().filter(|c| !"“”\"'‘’「」《》".contains(*c)).map(|c| match c {
            '（' => '(',
            '）' => ')',
            _ => c,
        }));
    }
    key
}

/// Every way a register writes each outcome, reduced by [`outcome_key`]: the outcome's own label, its
/// group and ground (the 2019/2021 table's short and full row labels), the pre-2019 统计表's answer types,
/// and common spoken names. A text two outcomes could claim is left out (not guessed).
pub(super) fn outcome_names() -> &'static HashMap<String, Option<Outcome>> {
    static NAMES: std::sync::OnceLock<HashMap<String, Option<Outcome>>> =
        std::sync::OnceLock::new();
    NAMES.get_or_init(|| {
        let mut names: HashMap<String, Option<Outcome>> = HashMap::new();
        let mut add = |text: &str, outcome: Outcome| {
            let key = outcome_key(text);
            let entry = names.entry(key).or_insert(Some(outcome));
            if *entry != Some(outcome) {
                *entry = None;
            }
        };
        for outcome in Outcome::ALL {
            add(&outcome.register_label(), outcome);
            for reason in reasons(outcome) {
                if let Some((_, names)) = GROUPS.iter().find(|(group, _)| *group == outcome.label())
                {
                    for group in *names {
                        add(&format!("{group}：{reason}"), outcome);
                    }
                }
                // The reason alone names its row, except the bare 其他.
                if reason != "其他" {
                    add(reason, outcome);
                }
            }
            if outcome.ground().is_none() {
                add(outcome.label(), outcome);
            }
        }
        let plain: [(&[&str], Outcome); 7] = [
            (
                &[
                    "所申请信息已经主动公开",
                    "属于已主动公开范围",
                    "予以公开：已主动公开",
                    "已主动公开",
                ],
                Outcome::AlreadyPublished,
            ),
            (&["予以公开", "同意公开", "公开", "全部公开", "同意全部公开"], Outcome::Disclosed),
            (
                &[
                    "部分公开",
                    "同意部分公开",
                    "予以部分公开",
                    "部分公开（区分处理的，只计这一情形，不计其他情形）",
                ],
                Outcome::PartiallyDisclosed,
            ),
            (
                &[
                    "不属于本行政机关公开",
                    "不属于本机关公开",
                    "不属于本机关负责公开",
                    "不属于本行政机关负责公开",
                    "非本机关信息",
                    "非本机关政府信息",
                ],
                Outcome::NotThisAgency,
            ),
            (
                &["申请信息不存在", "信息不存在", "政府信息不存在", "本机关不掌握"],
                Outcome::Unavailable(Unavailability::NotHeld),
            ),
            (&["告知作出更改补充", "告知更改补充"], Outcome::ToldToAmend),
            (&["告知通过其他途径办理", "告知其他途径办理"], Outcome::ToldOtherChannel),
        ];
        for (texts, outcome) in plain {
            for text in texts {
                add(text, outcome);
            }
        }
        add("逾期不补正", Outcome::OtherHandling(OtherHandling::NoSupplement));
        add("视为放弃申请", Outcome::OtherHandling(OtherHandling::NoSupplement));
        add("逾期未缴费", Outcome::OtherHandling(OtherHandling::FeeNotPaid));
        add("逾期未缴纳费用", Outcome::OtherHandling(OtherHandling::FeeNotPaid));
        names
    })
}

/// The reasons a register gives for an outcome with a ground: the 2019/2021 row labels (short and
/// full) and the pre-2019 统计表's (不同意公开答复数 其中：涉及国家秘密 …).
pub(super) fn reasons(outcome: Outcome) -> Vec<&'static str> {
    let mut reasons: Vec<&'static str> = outcome.ground().into_iter().collect();
    reasons.extend(match outcome {
        Outcome::Withheld(Withholding::StateSecret) => &["涉及国家秘密"][..],
        Outcome::Withheld(Withholding::ThirdPartyTradeSecret) => &["涉及商业秘密"],
        Outcome::Withheld(Withholding::ThirdPartyPrivacy) => &["涉及个人隐私"],
        Outcome::Withheld(Withholding::Security) => {
            &["危及国家安全、公共安全、经济安全和社会稳定", "危及“三安全一稳定”"]
        }
        Outcome::Withheld(Withholding::ForbiddenByLaw) => &["法律法规规定的其他情形"],
        Outcome::OtherHandling(OtherHandling::NoSupplement) => {
            &["申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"]
        }
        Outcome::OtherHandling(OtherHandling::FeeNotPaid) => {
            &["申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"]
        }
        _ => &[],
    });
    reasons
}

/// Reads a result cell: `Ok(None)` for a case still open (办理中 …), the outcome, or why not (in Chinese).
pub(super) fn outcome(text: &str) -> Result<Option<Outcome>, String> {
    let key = outcome_key(text);
    // "办理中", or "办理结果：办理中" with the table's heading before it.
    if OPEN.contains(&squeeze(text).as_str()) || OPEN.contains(&key.as_str()) {
        return Ok(None);
    }
    let names = outcome_names();
    // The pre-2019 table counts answers: "同意公开答复数", "申请信息不存在数".
    let candidates = [
        Some(key.as_str()),
        key.strip_suffix("答复数"),
        key.strip_suffix("数"),
        key.strip_suffix("件"),
    ];
    for candidate in candidates.into_iter().flatten() {
        match names.get(candidate) {
            Some(Some(outcome)) => return Ok(Some(*outcome)),
            Some(None) => {
                return Err(format!("答复结果“{}”可指多种情形，请写明类别和理由", text.trim()));
            }
            None => {}
        }
    }
    if let Some((group, _)) = GROUPS.iter().find(|(_, names)| {
        names
            .iter()
            .any(|name| candidates.into_iter().flatten().any(|key| outcome_key(name) == key))
    }) {
        let example = Outcome::ALL
            .iter()
            .find(|outcome| outcome.label() == *group)
            .and_then(|outcome| outcome.ground())
            .unwrap_or("");
        return Err(format!("“{}”须写明理由，例如“{group}：{example}”", text.trim()));
    }
    Err(format!(
        "无法识别的答复结果“{}”，应为如“予以公开”“部分公开”“不予公开：属于国家秘密”“办理中”等",
        text.trim()
    ))
}
