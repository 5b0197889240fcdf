//! Registers of administrative reviews (行政复议台账) and lawsuits (行政诉讼台账) about the agency's disclosure
//! work, as offices keep them: the day filed, the application it is about, the result and the day decided —
//! the figures of the report's table 四. Validated row by row like the application register; all or nothing.

use gongkai_core::records::{
    CaseResult, Lawsuit, Meeting, Response, ResponseKind, Review, Training,
};

use crate::fields::{ColumnMap, Register};
use crate::rows::{Problem, RowReader};
use crate::sheet::Sheet;

/// Results still pending: the case is counted as 尚未审结.
const PENDING: [&str; 7] = ["审理中", "未决", "尚未审结", "未审结", "待决定", "待判决", "正在审理"];

/// A result as registers write it (2019 条例 table 四's columns: 结果维持, 结果纠正, 其他结果, 尚未审结).
///
/// 维持 covers 驳回复议申请 and 驳回诉讼请求 (the agency's act stands; `CaseResult::Upheld`'s own words);
/// 纠正 covers 撤销, 变更, 确认违法 and 责令履行. 驳回起诉 (a suit dismissed on procedure, the act not
/// examined) is read as 其他结果 — my reading, not a rule of the format [U]. Anything else is refused.
fn result(text: &str) -> Result<Option<CaseResult>, String> {
    let text: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    if text.is_empty() || PENDING.contains(&text.as_str()) {
        return Ok(None);
    }
    let upheld = ["维持", "结果维持", "驳回复议申请", "驳回诉讼请求", "驳回原告诉讼请求", "胜诉"];
    let corrected = [
        "纠正",
        "结果纠正",
        "撤销",
        "变更",
        "确认违法",
        "责令履行",
        "责令重新答复",
        "撤销并责令重新答复",
        "败诉",
    ];
    let other = ["其他", "其他结果", "终止", "撤回", "撤回申请", "撤诉", "驳回起诉", "调解"];
    if upheld.contains(&text.as_str()) {
        Ok(Some(CaseResult::Upheld))
    } else if corrected.contains(&text.as_str()) {
        Ok(Some(CaseResult::Corrected))
    } else if other.contains(&text.as_str()) {
        Ok(Some(CaseResult::Other))
    } else {
        Err(format!(
            "无法识别的结果“{text}”，应为维持、纠正（撤销、确认违法、责令履行）、其他（终止、撤回）或审理中"
        ))
    }
}

/// The result and the day decided of a row, with the problems of either.
fn decided(reader: &mut RowReader<'_>) -> Option<(CaseResult, time::Date)> {
    let text = reader.text("result").to_owned();
    let day = reader.date("decided");
    match result(&text) {
        Err(message) => {
            reader.problem("result", message);
            None
        }
        Ok(None) => {
            if day.is_some() {
                reader.problem("decided", "结果为审理中（或未填），却填写了决定日期".to_owned());
            }
            None
        }
        Ok(Some(result)) => match day {
            Some(day) => Some((result, day)),
            None => {
                if reader.text("decided").is_empty() {
                    reader.problem("decided", "已填结果，须填写决定（判决）日期".to_owned());
                }
                None
            }
        },
    }
}

fn application(reader: &RowReader<'_>) -> Option<String> {
    Some(reader.text("application").to_owned()).filter(|number| !number.is_empty())
}

/// A required text cell.
fn required_text(reader: &mut RowReader<'_>, key: &str) -> Option<String> {
    let text = Some(reader.text(key).to_owned()).filter(|text| !text.is_empty());
    if text.is_none() {
        reader.problem(key, "必填，不能为空".to_owned());
    }
    text
}

/// Reads every row of `sheet` with `row`, which returns the record when its cells make one; every problem
/// of every row, or every record (a row with any problem gives none).
fn read_rows<T>(
    sheet: &Sheet,
    map: &ColumnMap,
    register: Register,
    row: impl Fn(&mut RowReader<'_>) -> Option<T>,
) -> Result<Vec<T>, Vec<Problem>> {
    debug_assert_eq!(map.register, register);
    let mut found = Vec::with_capacity(sheet.rows.len());
    let mut problems = Vec::new();
    for (number, cells) in &sheet.rows {
        let mut reader = RowReader::new(map, &sheet.headers, cells, *number);
        match row(&mut reader) {
            Some(record) if reader.problems.is_empty() => found.push(record),
            _ => problems.extend(reader.problems),
        }
    }
    if problems.is_empty() { Ok(found) } else { Err(problems) }
}

/// The decision of a review or lawsuit filed on `filed`; a decision before the filing is refused.
fn decided_after(
    reader: &mut RowReader<'_>,
    filed: Option<time::Date>,
    decided_label: &str,
    filed_label: &str,
) -> Option<(CaseResult, time::Date)> {
    let decided = decided(reader);
    if let (Some(filed), Some((_, day))) = (filed, decided)
        && day < filed
    {
        reader.problem("decided", format!("{decided_label} {day} 早于{filed_label} {filed}"));
    }
    decided
}

/// Reads the reviews of a register; every problem of every row, or every review.
pub fn reviews(sheet: &Sheet, map: &ColumnMap) -> Result<Vec<Review>, Vec<Problem>> {
    read_rows(sheet, map, Register::Reviews, |reader| {
        let filed = reader.required_date("filed");
        let decided = decided_after(reader, filed, "决定日期", "申请日期");
        Some(Review { filed: filed?, application: application(reader), decided })
    })
}

/// Reads the lawsuits of a register; every problem of every row, or every lawsuit.
pub fn lawsuits(sheet: &Sheet, map: &ColumnMap) -> Result<Vec<Lawsuit>, Vec<Problem>> {
    read_rows(sheet, map, Register::Lawsuits, |reader| {
        let filed = reader.required_date("filed");
        let after_review = reader.parsed("after_review", crate::rows::yes, "“是”或“否”");
        let as_review_organ = reader.parsed("as_review_organ", crate::rows::yes, "“是”或“否”");
        let decided = decided_after(reader, filed, "判决日期", "起诉日期");
        Some(Lawsuit {
            filed: filed?,
            after_review: after_review?,
            as_review_organ: as_review_organ?,
            application: application(reader),
            decided,
        })
    })
}

/// A response's kind as registers name it (the 2019 format's table rows of 回应关切).
fn response_kind(text: &str) -> Option<ResponseKind> {
    let text: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    Some(match text.as_str() {
        "新闻发布会" | "召开新闻发布会" | "参加新闻发布会" | "发布会" => {
            ResponseKind::PressConference
        }
        "在线访谈" | "政府网站在线访谈" | "网上访谈" | "访谈" => {
            ResponseKind::OnlineInterview
        }
        "政策解读" | "解读" | "政策解读稿件" | "解读稿件" | "图文解读" => {
            ResponseKind::Interpretation
        }
        "微博微信" | "政务微博" | "政务微信" | "微博" | "微信" | "微博微信回应" => {
            ResponseKind::WeiboWechat
        }
        "其他" | "其他方式" => ResponseKind::Other,
        _ => return None,
    })
}

/// Reads a register of responses (回应关切、政策解读); every problem of every row, or every response.
pub fn responses(sheet: &Sheet, map: &ColumnMap) -> Result<Vec<Response>, Vec<Problem>> {
    read_rows(sheet, map, Register::Responses, |reader| {
        let date = reader.required_date("date");
        let kind =
            reader.parsed("kind", response_kind, "新闻发布会、在线访谈、政策解读、微博微信或其他");
        let head_attended = reader.parsed("head_attended", crate::rows::yes, "“是”或“否”");
        let topic = Some(reader.text("topic").to_owned()).filter(|topic| !topic.is_empty());
        Some(Response { date: date?, kind: kind?, topic, head_attended: head_attended? })
    })
}

/// Reads a register of training courses; every problem of every row, or every course.
pub fn trainings(sheet: &Sheet, map: &ColumnMap) -> Result<Vec<Training>, Vec<Problem>> {
    read_rows(sheet, map, Register::Trainings, |reader| {
        let date = reader.required_date("date");
        let title = required_text(reader, "title");
        let trainees = reader.parsed(
            "trainees",
            |text| {
                text.trim_end_matches(['人', '次']).parse::<u32>().ok().filter(|n| *n <= 1_000_000)
            },
            "人次（整数）",
        );
        Some(Training { date: date?, title: title?, trainees: trainees? })
    })
}

/// Reads a register of meetings; every problem of every row, or every meeting.
pub fn meetings(sheet: &Sheet, map: &ColumnMap) -> Result<Vec<Meeting>, Vec<Problem>> {
    read_rows(sheet, map, Register::Meetings, |reader| {
        let date = reader.required_date("date");
        let title = required_text(reader, "title");
        Some(Meeting { date: date?, title: title? })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_as_registers_write_them() {
        assert_eq!(result("维持"), Ok(Some(CaseResult::Upheld)));
        assert_eq!(result("驳回诉讼请求"), Ok(Some(CaseResult::Upheld)));
        assert_eq!(result("确认违法"), Ok(Some(CaseResult::Corrected)));
        assert_eq!(result("撤诉"), Ok(Some(CaseResult::Other)));
        assert_eq!(result("驳回起诉"), Ok(Some(CaseResult::Other)));
        assert_eq!(result("审理中"), Ok(None));
        assert_eq!(result(""), Ok(None));
        assert!(result("部分支持").is_err());
    }

    #[test]
    fn response_kinds_as_registers_name_them() {
        assert_eq!(response_kind("召开新闻发布会"), Some(ResponseKind::PressConference));
        assert_eq!(response_kind("政务微信"), Some(ResponseKind::WeiboWechat));
        assert_eq!(response_kind("解读稿件"), Some(ResponseKind::Interpretation));
        assert_eq!(response_kind("座谈会"), None);
    }
}
