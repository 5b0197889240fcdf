//! The platform's own marks as a government website: what every public page's footer shows.
//!
//! 《政府网站发展指引》(国办发〔2017〕47号) asks each government website to show, at the foot of its pages,
//! the 主办单位 and its 联系方式, the 网站标识码 (the code of the national register of government websites),
//! the ICP备案编号 (the MIIT registration of the site) and the 公安机关备案号, and to link to the national
//! 政府网站找错 service. [U] (gip-rules.md does not cover the guideline): the formats checked here are those
//! the registers issue — `浙ICP备12345678号` (optionally `-2` for a second site), `浙公网安备 33030202000123号`
//! (14 digits), and a 10-character 标识码 (`3303000001`, `bm09000001`).

/// The platform's marks; an empty field is not shown.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct SiteInfo {
    /// 主办单位: the body that runs the platform (e.g. 温州市人民政府办公室).
    pub host: String,
    /// 联系方式: a telephone with its area code, or an address.
    pub contact: String,
    /// ICP备案编号.
    pub icp: String,
    /// 公安机关备案号.
    pub police: String,
    /// 网站标识码.
    pub site_code: String,
    /// The 政府网站找错 address for this site.
    pub report_url: String,
}

/// A field of [`SiteInfo`] that does not hold what its register issues, with the message (Chinese, for the
/// admin's form).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The field's name in [`SiteInfo`].
    pub field: &'static str,
    /// What is wrong, in Chinese.
    pub message: String,
}

/// Longest text a field holds.
pub const MAX_FIELD_CHARS: usize = 200;

impl SiteInfo {
    /// Every field trimmed.
    #[must_use]
    pub fn trimmed(&self) -> SiteInfo {
        SiteInfo {
            host: self.host.trim().to_owned(),
            contact: self.contact.trim().to_owned(),
            icp: self.icp.trim().to_owned(),
            police: self.police.trim().to_owned(),
            site_code: self.site_code.trim().to_owned(),
            report_url: self.report_url.trim().to_owned(),
        }
    }

    /// What is wrong with the (trimmed) fields; empty when all may be shown. An empty field is allowed: a
    /// platform not yet registered shows what it has.
    #[must_use]
    pub fn problems(&self) -> Vec<Problem> {
        let mut problems = Vec::new();
        let mut problem =
            |field: &'static str, message: String| problems.push(Problem { field, message });
        for (field, label, value) in [
            ("host", "主办单位", &self.host),
            ("contact", "联系方式", &self.contact),
            ("icp", "ICP备案编号", &self.icp),
            ("police", "公安机关备案号", &self.police),
            ("site_code", "网站标识码", &self.site_code),
            ("report_url", "政府网站找错地址", &self.report_url),
        ] {
            if value.chars().count() > MAX_FIELD_CHARS {
                problem(field, format!("{label}不能超过{MAX_FIELD_CHARS}个字"));
            }
        }
        if !self.icp.is_empty() && !is_icp(&self.icp) {
            problem("icp", "ICP备案编号应为“浙ICP备12345678号”的格式".to_owned());
        }
        if !self.police.is_empty() && !is_police(&self.police) {
            problem(
                "police",
                "公安机关备案号应为“浙公网安备 33030202000123号”的格式（14位数字）".to_owned(),
            );
        }
        if !self.site_code.is_empty() && !is_site_code(&self.site_code) {
            problem("site_code", "网站标识码应为10位数字或字母".to_owned());
        }
        let web_address = |url: &str| url.starts_with("https://") || url.starts_with("http://");
        if !self.report_url.is_empty() && !web_address(&self.report_url) {
            problem("report_url", "政府网站找错地址应以 https:// 开头".to_owned());
        }
        problems
    }

    /// The digits of the 公安机关备案号 (the register's search takes them), when the number has them.
    #[must_use]
    pub fn police_digits(&self) -> Option<&str> {
        let digits = self.police.trim_end_matches('号');
        let digits = &digits[digits.len().saturating_sub(14)..];
        (digits.len() == 14 && digits.bytes().all(|byte| byte.is_ascii_digit())).then_some(digits)
    }
}

/// A province's one-character abbreviation, as the registers begin their numbers.
fn province_prefix(text: &str) -> Option<&str> {
    let first = text.chars().next()?;
    ('\u{4e00}'..='\u{9fff}').contains(&first).then(|| &text[first.len_utf8()..])
}

/// `浙ICP备12345678号` or `浙ICP备12345678号-2`: 6 to 10 digits (older numbers are shorter).
fn is_icp(text: &str) -> bool {
    let Some(rest) = province_prefix(text).and_then(|rest| rest.strip_prefix("ICP备")) else {
        return false;
    };
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    let Some(tail) = rest[digits..].strip_prefix('号') else {
        return false;
    };
    (6..=10).contains(&digits)
        && (tail.is_empty()
            || tail
                .strip_prefix('-')
                .is_some_and(|n| !n.is_empty() && n.bytes().all(|byte| byte.is_ascii_digit())))
}

/// `浙公网安备 33030202000123号` (the space optional).
fn is_police(text: &str) -> bool {
    let Some(rest) = province_prefix(text).and_then(|rest| rest.strip_prefix("公网安备"))
    else {
        return false;
    };
    let rest = rest.trim_start();
    rest.strip_suffix('号').is_some_and(|digits| {
        digits.len() == 14 && digits.bytes().all(|byte| byte.is_ascii_digit())
    })
}

/// Ten ASCII letters or digits.
fn is_site_code(text: &str) -> bool {
    text.len() == 10 && text.bytes().all(|byte| byte.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(info: &SiteInfo) -> Vec<&'static str> {
        info.problems().iter().map(|problem| problem.field).collect()
    }

    #[test]
    fn registered_numbers_in_their_registers_formats_pass() {
        let info = SiteInfo {
            host: "温州市人民政府办公室".to_owned(),
            contact: "0577-88968000".to_owned(),
            icp: "浙ICP备05013566号-1".to_owned(),
            police: "浙公网安备 33030202000123号".to_owned(),
            site_code: "3303000001".to_owned(),
            report_url: "https://zfwzzc.www.gov.cn/".to_owned(),
        };
        assert_eq!(fields(&info), Vec::<&str>::new());
        assert_eq!(info.police_digits(), Some("33030202000123"));
        assert_eq!(fields(&SiteInfo::default()), Vec::<&str>::new(), "nothing set is allowed");
    }

    #[test]
    fn numbers_not_in_their_registers_formats_are_refused() {
        for (icp, ok) in [
            ("浙ICP备05013566号", true),
            ("京ICP备123456号", true),
            ("ICP备05013566号", false),
            ("浙ICP备05013566", false),
            ("浙ICP备0501号", false),
            ("浙ICP备05013566号-", false),
            ("浙ICP证05013566号", false),
        ] {
            let info = SiteInfo { icp: icp.to_owned(), ..SiteInfo::default() };
            assert_eq!(fields(&info).is_empty(), ok, "{icp}");
        }
        for (police, ok) in [
            ("浙公网安备33030202000123号", true),
            ("浙公网安备 3303020200012号", false),
            ("公网安备 33030202000123号", false),
        ] {
            let info = SiteInfo { police: police.to_owned(), ..SiteInfo::default() };
            assert_eq!(fields(&info).is_empty(), ok, "{police}");
        }
        let info = SiteInfo {
            site_code: "330300001".to_owned(),
            report_url: "zfwzzc.www.gov.cn".to_owned(),
            host: "办".repeat(MAX_FIELD_CHARS + 1),
            ..SiteInfo::default()
        };
        assert_eq!(fields(&info), ["host", "site_code", "report_url"]);
    }
}
