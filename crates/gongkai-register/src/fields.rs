//! The registers' columns: for each field, the Chinese headers agencies use for it (the first is the one
//! gongkai writes), whether it is required, and how headers are matched to fields.
//! `docs/REGISTERS.md` lists the same mapping for people.

use serde::Serialize;

/// Which register.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Register {
    /// 依申请公开登记台账.
    Applications,
    /// 主动公开目录.
    Catalog,
}

impl Register {
    pub fn fields(self) -> &'static [Field] {
        match self {
            Register::Applications => &APPLICATION_FIELDS,
            Register::Catalog => &CATALOG_FIELDS,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Register::Applications => "依申请公开登记台账",
            Register::Catalog => "主动公开目录",
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

pub const APPLICATION_FIELDS: [Field; 20] = [
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
    field("submitted", &["申请日期", "提交日期", "申请时间", "来件日期", "收到申请日期"], true),
    field("signed_for", &["签收日期", "收件日期", "签收时间"], false),
    field("confirmed", &["确认日期", "网上确认日期", "确认收到日期"], false),
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
    field("title", &["标题", "名称", "信息名称", "文件名称", "信息标题"], true),
    field("category", &["分类", "信息分类", "目录分类", "类别", "公开目录"], true),
    field("subject", &["主题分类", "主题"], false),
    field("genre", &["体裁分类", "体裁"], false),
    field("doc_number", &["文号", "发文字号", "发文号"], false),
    field("formed", &["成文日期", "形成日期", "生成日期"], false),
    field("published", &["发布日期", "公开日期", "公开时间", "发布时间"], true),
    field("validity", &["有效性", "效力状态", "是否有效"], false),
    field("normative", &["规范性文件", "是否规范性文件"], false),
    field("channels", &["公开渠道", "公开方式", "发布渠道", "公开载体"], false),
    field("summary", &["内容概述", "摘要", "内容摘要"], false),
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
