//! Realistic titles for a municipal justice bureau's catalog items, built from fixed word lists.

use crate::rng::Rng;

const DISTRICTS: [&str; 12] = [
    "鹿城区",
    "龙湾区",
    "瓯海区",
    "洞头区",
    "乐清市",
    "瑞安市",
    "永嘉县",
    "平阳县",
    "苍南县",
    "文成县",
    "泰顺县",
    "龙港市",
];

const POLICY_SUBJECTS: [&str; 14] = [
    "公共法律服务体系建设",
    "人民调解工作",
    "法律援助案件质量评估",
    "社区矫正对象分类管理",
    "律师执业行为规范",
    "公证服务便民措施",
    "司法鉴定机构监督管理",
    "普法责任制落实",
    "行政规范性文件合法性审核",
    "行政执法监督",
    "基层法律服务工作者管理",
    "安置帮教工作",
    "“民主法治村（社区）”创建",
    "涉企法律服务",
];

const POLICY_FORMS: [&str; 6] =
    ["实施意见", "实施办法", "工作方案", "管理办法", "考核细则", "指导意见"];

const WORK_ACTIVITIES: [&str; 16] = [
    "开展“宪法宣传周”系列活动",
    "召开人民调解工作推进会",
    "举办法律援助志愿者培训班",
    "推进公共法律服务中心规范化建设",
    "开展社区矫正对象集中教育",
    "组织律师进企业开展法治体检",
    "开展矛盾纠纷排查化解专项行动",
    "召开全市司法行政工作会议",
    "开展“八五”普法中期督导",
    "举行新任公证员宣誓仪式",
    "开展行政执法案卷评查",
    "推进“最多跑一次”改革",
    "开展农民工讨薪法律援助专项活动",
    "组织开展民法典宣传进社区",
    "召开律师行业党建工作会议",
    "开展司法鉴定行业专项检查",
];

const PERSONNEL: [&str; 5] = [
    "干部任前公示",
    "公开招聘工作人员公告",
    "公务员录用公示",
    "事业单位招聘拟聘用人员公示",
    "干部任免通知",
];

const MEDIA: [&str; 6] =
    ["温州日报", "温州都市报", "温州晚报", "温州商报", "温州电视台", "温州新闻网"];

/// A title for an item of `category` published in `year`; `serial` keeps titles distinct.
pub(crate) fn title(rng: &mut Rng, category: &str, year: i32, serial: usize) -> String {
    match category {
        "政策文件" => format!(
            "温州市司法局关于印发《温州市{}{}》的通知（温司发〔{year}〕{}号）",
            rng.pick(&POLICY_SUBJECTS),
            rng.pick(&POLICY_FORMS),
            serial % 200 + 1
        ),
        "人事信息" => {
            format!("温州市司法局{year}年{}（第{}批）", rng.pick(&PERSONNEL), serial % 9 + 1)
        }
        "媒体报道" => format!(
            "{}：温州司法行政{}",
            rng.pick(&MEDIA),
            rng.pick(&WORK_ACTIVITIES).trim_start_matches("开展")
        ),
        _ => format!("{}司法局{}", rng.pick(&DISTRICTS), rng.pick(&WORK_ACTIVITIES)),
    }
}
