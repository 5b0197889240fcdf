//! The registers' columns: for each field, the Chinese headers agencies use for it (the first is the one
//! gongkai writes), whether it is required, and how headers are matched to fields.
//! `docs/REGISTERS.md` lists the same mapping for people.

use std::collections::HashSet;

use serde::Serialize;

use crate::RegisterError;
use crate::sheet::{Sheet, Table};

/// Which register.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Register {
    /// 依申请公开登记台账.
    Applications,
    /// 主动公开目录.
    Catalog,
    /// 机构名录: the platform's agencies (`gongkai agency import`).
    Agencies,
    /// 行政复议台账: administrative reviews of the agency's disclosure work.
    Reviews,
    /// 行政诉讼台账: lawsuits about it.
    Lawsuits,
    /// 回应关切台账: responses to public concerns and policy interpretations.
    Responses,
    /// 培训台账: training courses on disclosure work.
    Trainings,
    /// 会议台账: meetings on disclosure work.
    Meetings,
}

impl Register {
    pub fn fields(self) -> &'static [Field] {
        match self {
            Register::Applications => &APPLICATION_FIELDS,
            Register::Catalog => &CATALOG_FIELDS,
            Register::Agencies => &AGENCY_FIELDS,
            Register::Reviews => &REVIEW_FIELDS,
            Register::Lawsuits => &LAWSUIT_FIELDS,
            Register::Responses => &RESPONSE_FIELDS,
            Register::Trainings => &TRAINING_FIELDS,
            Register::Meetings => &MEETING_FIELDS,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Register::Applications => "依申请公开登记台账",
            Register::Catalog => "主动公开目录",
            Register::Agencies => "机构名录",
            Register::Reviews => "行政复议台账",
            Register::Lawsuits => "行政诉讼台账",
            Register::Responses => "回应关切台账",
            Register::Trainings => "培训台账",
            Register::Meetings => "会议台账",
        }
    }
}

/// A column of a register.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Field {
    /// The field's name in `--map HEADER=FIELD`.
    pub key: &'static str,
    /// Headers meaning this field; the first is written on export.
    pub headers: &'static [&'static str],
    pub required: bool,
}

const fn field(key: &'static str, headers: &'static [&'static str], required: bool) -> Field {
    Field { key, headers, required }
}

pub const APPLICATION_FIELDS: [Field; 21] = [
    field(
        "tracking_number",
        &["申请编号", "受理编号", "登记编号", "编号", "流水号", "申请号"],
        true,
    ),
    field("applicant_type", &["申请人类型", "申请人性质", "申请主体类型", "申请人类别"], true),
    field(
        "applicant_name",
        &["申请人", "申请人姓名", "申请人名称", "申请人姓名或名称", "姓名/名称"],
        false,
    ),
    field("channel", &["申请方式", "申请渠道", "提交方式", "收件方式", "申请形式"], true),
    // One of `submitted` and `received` is required (checked in `map_columns`).
    field("submitted", &["申请日期", "提交日期", "申请时间", "来件日期", "寄出日期"], false),
    field("signed_for", &["签收日期", "签收时间", "邮件签收日期"], false),
    field("confirmed", &["确认日期", "网上确认日期", "确认收到日期"], false),
    // The date of receipt as the register states it (条例第三十一条): for a post the day signed for,
    // online or by letter the day confirmed, in person the day handed in.
    field(
        "received",
        &[
            "收到申请日期",
            "收到日期",
            "受理日期",
            "收件日期",
            "接收日期",
            "收文日期",
            "申请收到日期",
            "收到申请时间",
            "受理时间",
        ],
        false,
    ),
    field(
        "description",
        &["申请内容", "申请公开的信息", "所需信息内容描述", "申请事项", "所需政府信息"],
        false,
    ),
    field("supplement_requested", &["补正告知日期", "补正通知日期", "告知补正日期"], false),
    field("supplement_by", &["补正期限", "补正截止日期"], false),
    field("supplement_received", &["补正日期", "补正收到日期", "收到补正日期"], false),
    field("consultation_sent", &["征求意见日期", "征求第三方意见日期", "书面征求意见日期"], false),
    field("consultation_party", &["征求意见对象", "被征求意见方"], false),
    field("consultation_answered", &["意见反馈日期", "征求意见答复日期", "第三方答复日期"], false),
    field("extension_approved", &["延期批准日期", "延期日期", "批准延期日期"], false),
    field("fee_notified", &["收费通知日期", "缴费通知日期"], false),
    field("fee_amount", &["收费金额（元）", "收费金额", "信息处理费（元）", "信息处理费"], false),
    field("fee_paid", &["缴费日期", "缴纳日期"], false),
    field("replied", &["答复日期", "办结日期", "送达日期", "答复时间"], false),
    field("outcome", &["答复结果", "办理结果", "答复类型", "处理结果", "答复情况"], false),
];

pub const CATALOG_FIELDS: [Field; 12] = [
    field("index_number", &["索引号"], true),
    // Also the headers of the catalog exports of the site CMSs agencies use (TRS WCM: 文档标题, 所属栏目;
    // Hanweb: 栏目名称, 信息类别).
    field("title", &["标题", "名称", "信息名称", "文件名称", "信息标题", "文档标题"], true),
    field(
        "category",
        &["分类", "信息分类", "目录分类", "类别", "公开目录", "所属栏目", "栏目名称", "信息类别"],
        true,
    ),
    field("subject", &["主题分类", "主题"], false),
    field("genre", &["体裁分类", "体裁"], false),
    field("doc_number", &["文号", "发文字号", "发文号", "文件编号"], false),
    field("formed", &["成文日期", "形成日期", "生成日期", "印发日期"], false),
    field("published", &["发布日期", "公开日期", "公开时间", "发布时间", "上网时间"], true),
    field("validity", &["有效性", "效力状态", "是否有效"], false),
    field("normative", &["规范性文件", "是否规范性文件"], false),
    field("channels", &["公开渠道", "公开方式", "发布渠道", "公开载体"], false),
    field("summary", &["内容概述", "摘要", "内容摘要"], false),
];

/// The columns of a register of administrative reviews (行政复议台账).
pub const REVIEW_FIELDS: [Field; 4] = [
    field(
        "filed",
        &[
            "复议申请日期",
            "申请复议日期",
            "收到复议申请日期",
            "复议受理日期",
            "受理日期",
            "立案日期",
        ],
        true,
    ),
    field(
        "application",
        &["关联申请编号", "申请编号", "原申请编号", "政府信息公开申请编号"],
        false,
    ),
    field("result", &["复议结果", "复议决定", "审理结果", "处理结果", "结果"], false),
    field("decided", &["决定日期", "复议决定日期", "结案日期", "审结日期"], false),
];

/// The columns of a register of lawsuits (行政诉讼台账).
pub const LAWSUIT_FIELDS: [Field; 6] = [
    field(
        "filed",
        &["起诉日期", "立案日期", "收到起诉状日期", "收到应诉通知日期", "受理日期"],
        true,
    ),
    field("after_review", &["是否经复议", "复议后起诉", "经复议"], false),
    field("as_review_organ", &["作为复议机关共同被告", "共同被告", "复议机关共同被告"], false),
    field(
        "application",
        &["关联申请编号", "申请编号", "原申请编号", "政府信息公开申请编号"],
        false,
    ),
    field("result", &["判决结果", "裁判结果", "审理结果", "诉讼结果", "结果"], false),
    field("decided", &["判决日期", "裁判日期", "结案日期", "审结日期"], false),
];

/// The columns of a register of responses (回应关切、政策解读).
pub const RESPONSE_FIELDS: [Field; 4] = [
    field("date", &["日期", "回应日期", "发布日期", "时间"], true),
    field("kind", &["方式", "回应方式", "形式", "类型"], true),
    field("topic", &["主题", "回应事项", "事项", "热点", "内容"], false),
    field("head_attended", &["主要负责同志参加", "负责同志出席", "主要负责人参加"], false),
];

/// The columns of a register of training courses.
pub const TRAINING_FIELDS: [Field; 3] = [
    field("date", &["日期", "培训日期", "举办日期", "时间"], true),
    field("title", &["培训名称", "名称", "培训班名称", "培训内容"], true),
    field("trainees", &["参训人次", "人次", "参训人数", "培训人次"], true),
];

/// The columns of a register of meetings.
pub const MEETING_FIELDS: [Field; 2] = [
    field("date", &["日期", "会议日期", "召开日期", "时间"], true),
    field("title", &["会议名称", "名称", "会议内容", "议题"], true),
];

/// The columns of an agency list; the keys are the fields of
/// [`gongkai_core::directory::AgencyEntry`].
pub const AGENCY_FIELDS: [Field; 17] = [
    field("code", &["机构代码", "代码", "机构编码", "单位代码", "编码"], true),
    field("name", &["机构名称", "名称", "单位名称"], true),
    field("kind", &["机构类型", "类型", "单位类型"], true),
    field("parent", &["上级机构代码", "上级代码", "上级单位代码", "上级机构编码"], false),
    field("region", &["地区", "行政区划", "所属地区", "区域"], false),
    field("index_pattern", &["索引号规则", "索引号格式"], false),
    field("office", &["公开工作机构", "政府信息公开工作机构", "承办机构"], false),
    field("phone", &["联系电话", "电话", "咨询电话"], false),
    field("fax", &["传真", "传真号码"], false),
    field("email", &["电子邮箱", "邮箱", "电子信箱"], false),
    field("address", &["地址", "办公地址", "通讯地址"], false),
    field("postcode", &["邮政编码", "邮编"], false),
    field("hours", &["办公时间", "工作时间"], false),
    field("overview", &["机构概况", "机构简介"], false),
    field("duties", &["主要职责", "职责"], false),
    field("closed_on", &["撤销日期", "关闭日期"], false),
    field("successor", &["承继机构代码", "承继机构"], false),
];

/// A header reduced for comparison: no whitespace, full-width brackets as ASCII, no trailing colon.
fn header_key(header: &str) -> String {
    header
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            _ => c,
        })
        .collect::<String>()
        .trim_end_matches([':', '：'])
        .to_owned()
}

/// Which column holds each field (`None`: the file does not have it), and the headers left unmapped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnMap {
    pub register: Register,
    pub columns: Vec<Option<usize>>,
    pub unmapped: Vec<String>,
}

impl ColumnMap {
    /// The column of `key`.
    pub fn column(&self, key: &str) -> Option<usize> {
        let index = self.register.fields().iter().position(|field| field.key == key)?;
        self.columns[index]
    }
}

/// Maps `headers` onto the register's fields. `overrides` are (header, field key) pairs given by the user
/// for headers the built-in list does not know. Errors (in Chinese): an override naming an unknown field or
/// header, a field found in two columns, a required field missing.
pub fn map_columns(
    register: Register,
    headers: &[String],
    overrides: &[(String, String)],
) -> Result<ColumnMap, Vec<String>> {
    let fields = register.fields();
    let mut columns: Vec<Option<usize>> = vec![None; fields.len()];
    let mut problems = Vec::new();
    let mut claimed = vec![false; headers.len()];
    let keys: Vec<String> = headers.iter().map(|header| header_key(header)).collect();
    for (header, key) in overrides {
        let Some(field_index) = fields.iter().position(|field| field.key == key) else {
            let known: Vec<&str> = fields.iter().map(|field| field.key).collect();
            problems.push(format!(
                "映射“{header}={key}”：没有名为“{key}”的字段（可用：{}）",
                known.join("、")
            ));
            continue;
        };
        match keys.iter().position(|candidate| *candidate == header_key(header)) {
            Some(column) => {
                columns[field_index] = Some(column);
                claimed[column] = true;
            }
            None => problems.push(format!("映射“{header}={key}”：文件中没有“{header}”列")),
        }
    }
    for (field_index, field) in fields.iter().enumerate() {
        if columns[field_index].is_some() {
            continue;
        }
        let matches: Vec<usize> = (0..headers.len())
            .filter(|column| !claimed[*column])
            .filter(|column| field.headers.iter().any(|header| header_key(header) == keys[*column]))
            .collect();
        match matches.as_slice() {
            [] => {}
            [column] => {
                columns[field_index] = Some(*column);
                claimed[*column] = true;
            }
            several => problems.push(format!(
                "“{}”出现在多列（{}）：请用 --map 指定其中一列",
                field.headers[0],
                several
                    .iter()
                    .map(|column| headers[*column].as_str())
                    .collect::<Vec<_>>()
                    .join("、")
            )),
        }
    }
    for (field_index, field) in fields.iter().enumerate() {
        if field.required && columns[field_index].is_none() {
            problems.push(format!(
                "缺少必填列“{}”（可用的表头：{}）",
                field.headers[0],
                field.headers.join("、")
            ));
        }
    }
    if register == Register::Applications {
        let column = |key: &str| {
            fields.iter().position(|field| field.key == key).and_then(|index| columns[index])
        };
        if column("submitted").is_none() && column("received").is_none() {
            let accepted: Vec<&str> = fields
                .iter()
                .filter(|field| matches!(field.key, "received" | "submitted"))
                .flat_map(|field| field.headers.iter().copied())
                .collect();
            problems.push(format!(
                "缺少必填列“收到申请日期”或“申请日期”（可用的表头：{}）",
                accepted.join("、")
            ));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let unmapped = headers
        .iter()
        .zip(&claimed)
        .filter(|(header, claimed)| {
            !**claimed && !header.trim().is_empty() && !is_row_number(header)
        })
        .map(|(header, _)| header.clone())
        .collect();
    Ok(ColumnMap { register, columns, unmapped })
}

/// How far down a worksheet its header is looked for (title rows, notes above the table).
const HEADER_SEARCH: usize = 10;

/// A header in two rows: the lower row's cell where it has one, else the merged group cell above it (a
/// merged cell's text is in its first cell only, so a column under a group spanning it and with no
/// header of its own keeps the group's name, and a header spanning both rows keeps its own).
fn two_row_header(upper: &[String], lower: &[String]) -> Vec<String> {
    (0..upper.len().max(lower.len()))
        .map(|column| {
            let below = lower.get(column).map_or("", |cell| cell.trim());
            if below.is_empty() {
                upper.get(column).map_or("", |cell| cell.trim()).to_owned()
            } else {
                below.to_owned()
            }
        })
        .collect()
}

/// A header found in a worksheet: (known headers in it, rows it takes, its first row, the header).
type HeaderFound = (usize, usize, usize, Vec<String>);

/// Finds the register in a file: the worksheet with the register's headers, and its header (the row,
/// or two rows under merged group cells, with the most of the register's headers among the first
/// [`HEADER_SEARCH`] rows; title rows above it are skipped). Two worksheets that both hold the register's
/// headers are refused: which one is meant is not guessed. A file where no worksheet has two of the
/// register's headers is read from its first row, so that the missing columns are named.
pub fn locate(register: Register, tables: Vec<Table>) -> Result<Sheet, RegisterError> {
    let known: HashSet<String> = register
        .fields()
        .iter()
        .flat_map(|field| field.headers.iter().map(|header| header_key(header)))
        .collect();
    let score = |cells: &[String]| -> usize {
        cells.iter().filter(|cell| known.contains(&header_key(cell))).count()
    };
    let mut best: Vec<Option<HeaderFound>> = Vec::new();
    for table in &tables {
        let mut found: Option<HeaderFound> = None;
        for start in 0..table.rows.len().min(HEADER_SEARCH) {
            let upper = &table.rows[start].1;
            let mut candidates =
                vec![(1, upper.iter().map(|cell| cell.trim().to_owned()).collect())];
            if let Some((_, lower)) = table.rows.get(start + 1) {
                candidates.push((2, two_row_header(upper, lower)));
            }
            for (depth, headers) in candidates {
                let points = score(&headers);
                let better = found.as_ref().is_none_or(|(best_points, best_depth, _, _)| {
                    (points, std::cmp::Reverse(depth))
                        > (*best_points, std::cmp::Reverse(*best_depth))
                });
                if better {
                    found = Some((points, depth, start, headers));
                }
            }
        }
        best.push(found);
    }
    let holding: Vec<usize> = (0..tables.len())
        .filter(|index| best[*index].as_ref().is_some_and(|(points, ..)| *points >= 2))
        .collect();
    if holding.len() > 1 {
        let names: Vec<String> =
            holding.iter().map(|index| format!("“{}”", tables[*index].name)).collect();
        return Err(RegisterError::Columns(vec![format!(
            "工作表{}都有{}的表头：无法确定导入哪一个，请每次只导入一个工作表（删去或另存其他工作表）",
            names.join("、"),
            register.name()
        )]));
    }
    let chosen = holding
        .first()
        .copied()
        .or_else(|| tables.iter().position(|table| !table.rows.is_empty()))
        .ok_or_else(|| RegisterError::Unreadable("the file has no rows (表格为空)".to_owned()))?;
    let mut table = tables.into_iter().nth(chosen).unwrap_or_default();
    let (depth, start, headers) = match best[chosen].take() {
        Some((points, depth, start, headers)) if points >= 2 => (depth, start, headers),
        _ => (1, 0, table.rows[0].1.iter().map(|cell| cell.trim().to_owned()).collect()),
    };
    let rows = table.rows.split_off(start + depth);
    Ok(Sheet { headers, rows })
}

/// 序号 columns carry no data.
fn is_row_number(header: &str) -> bool {
    matches!(header_key(header).as_str(), "序号" | "编号序" | "No." | "#")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(list: &[&str]) -> Vec<String> {
        list.iter().map(|header| (*header).to_owned()).collect()
    }

    #[test]
    fn known_headers_map_and_unknown_ones_are_named() {
        let map = map_columns(
            Register::Catalog,
            &headers(&["序号", "索引号", "信息名称", "信息分类", "发布日期 ", "备注"]),
            &[],
        )
        .unwrap();
        assert_eq!(map.column("title"), Some(2));
        assert_eq!(map.column("published"), Some(4));
        assert_eq!(map.unmapped, vec!["备注"]);
    }

    #[test]
    fn a_missing_required_column_and_a_bad_override_are_refused() {
        let problems = map_columns(
            Register::Catalog,
            &headers(&["索引号", "标题", "发布日期"]),
            &[
                ("栏目".to_owned(), "category".to_owned()),
                ("标题".to_owned(), "heading".to_owned()),
            ],
        )
        .unwrap_err();
        assert!(
            problems.iter().any(|problem| problem.contains("文件中没有“栏目”列")),
            "{problems:?}"
        );
        assert!(
            problems.iter().any(|problem| problem.contains("没有名为“heading”的字段")),
            "{problems:?}"
        );
        assert!(
            problems.iter().any(|problem| problem.contains("缺少必填列“分类”")),
            "{problems:?}"
        );
    }

    #[test]
    fn an_override_maps_an_unknown_header() {
        let map = map_columns(
            Register::Catalog,
            &headers(&["索引号", "标题", "栏目", "发布日期"]),
            &[("栏目".to_owned(), "category".to_owned())],
        )
        .unwrap();
        assert_eq!(map.column("category"), Some(2));
        assert!(map.unmapped.is_empty());
    }
}
