//! The demo platform: several agencies of one city (温州市) with profiles, leaders, reading points and
//! thousands of catalog items whose titles and bodies are generated here from word lists and sentence
//! templates (deterministically; the product never reads ../shared). The justice bureau carries its full
//! records (2018 from the founding document, 2019–2025 synthetic), so its annual reports can be published.

use gongkai_core::records::{
    Agency, AgencyKind, AgencyRecords, CatalogItem, PublishChannel, ReadingPoint,
};
use time::{Date, Duration};

use crate::date;
use crate::rng::Rng;

mod items;

use items::item;

/// A leader as the portal shows them (领导信息).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoLeader {
    pub name: &'static str,
    pub post: &'static str,
    pub duties: String,
    pub biography: String,
}

/// What the portal shows of an item beyond the report engine's record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemText {
    pub summary: String,
    pub body: String,
    /// 主题分类.
    pub subject: String,
    /// 体裁分类 (通知, 公告, 意见, 办法, 报告, 其他).
    pub genre: String,
    pub doc_number: String,
    /// 有效, 失效 or 废止.
    pub validity: String,
}

/// One agency of the demo platform.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoAgency {
    pub code: &'static str,
    pub name: &'static str,
    pub kind: AgencyKind,
    pub region: &'static str,
    pub parent_code: Option<&'static str>,
    pub office: String,
    pub phone: &'static str,
    pub address: &'static str,
    pub hours: &'static str,
    pub email: &'static str,
    pub postcode: &'static str,
    pub fax: &'static str,
    pub overview: String,
    pub duties: String,
    pub leaders: Vec<DemoLeader>,
    /// The report engine's records; `records.catalog[i]` goes with `texts[i]`.
    pub records: AgencyRecords,
    pub texts: Vec<ItemText>,
    /// The years whose annual report the demo publishes (only agencies with full records have them).
    pub report_years: Vec<i32>,
}

/// Opening hours shown for every demo reading point.
pub const READING_HOURS: &str = "工作日 9:00-12:00，14:00-17:00（法定节假日除外）";
/// The slots of a reading point's day.
pub const READING_SLOTS: [&str; 4] = ["09:00-10:30", "10:30-12:00", "14:00-15:30", "15:30-17:00"];
/// Seats per slot of every demo reading point.
pub const READING_CAPACITY: i64 = 3;

struct Spec {
    code: &'static str,
    name: &'static str,
    short: &'static str,
    kind: AgencyKind,
    region: &'static str,
    parent: Option<&'static str>,
    phone: &'static str,
    address: &'static str,
    postcode: &'static str,
    /// The prefix of its document numbers, e.g. 温教 in 温教发〔2024〕3号.
    doc_prefix: &'static str,
    field: &'static str,
    subjects: &'static [&'static str],
    activities: &'static [&'static str],
    leaders: [(&'static str, &'static str); 4],
    items: usize,
}

/// The city government: the region's top agency, the supervisor's, and the demo platform's 主办单位.
pub const CITY: &str = "DEMO-330300-ZF";

const SPECS: [Spec; 6] = [
    Spec {
        code: CITY,
        name: "温州市人民政府",
        short: "市政府",
        kind: AgencyKind::Government,
        region: "浙江省温州市",
        parent: None,
        phone: "0577-88960000",
        address: "温州市鹿城区市府路500号",
        postcode: "325009",
        doc_prefix: "温政",
        field: "全市经济社会发展",
        subjects: &[
            "优化营商环境",
            "推进共同富裕示范区建设",
            "促进民营经济高质量发展",
            "加快建设现代化基础设施",
            "深化数字化改革",
            "加强城市精细化管理",
            "推进乡村振兴",
            "完善社会保障体系",
            "加强安全生产工作",
            "推动科技创新",
        ],
        activities: &[
            "召开市政府常务会议",
            "召开全市安全生产工作会议",
            "开展重大项目集中开工活动",
            "召开全市优化营商环境大会",
            "开展防汛防台应急演练",
            "举行民生实事项目推进会",
        ],
        leaders: [
            ("陈建华", "市长"),
            ("林晓东", "常务副市长"),
            ("王丽萍", "副市长"),
            ("郑国强", "副市长"),
        ],
        items: 900,
    },
    Spec {
        code: "DEMO-330300-JYJ",
        name: "温州市教育局",
        short: "市教育局",
        kind: AgencyKind::Department,
        region: "浙江省温州市",
        parent: Some(CITY),
        phone: "0577-88350000",
        address: "温州市鹿城区学院中路200号",
        postcode: "325000",
        doc_prefix: "温教",
        field: "教育事业",
        subjects: &[
            "义务教育阶段招生入学",
            "普通高中招生考试",
            "学前教育普及普惠",
            "中小学教师队伍建设",
            "校外培训机构监管",
            "学生资助",
            "中小学校园安全",
            "职业教育产教融合",
            "教育装备采购",
            "中小学课后服务",
        ],
        activities: &[
            "召开全市教育工作会议",
            "开展中小学校园安全专项检查",
            "举办中小学教师教学能力比赛",
            "开展义务教育招生政策宣传",
            "组织高考考务培训",
            "开展“双减”工作督查",
        ],
        leaders: [
            ("黄志明", "党委书记、局长"),
            ("吴秀英", "副局长"),
            ("李建军", "副局长"),
            ("周海燕", "副局长"),
        ],
        items: 700,
    },
    Spec {
        code: "DEMO-330300-CZJ",
        name: "温州市财政局",
        short: "市财政局",
        kind: AgencyKind::Department,
        region: "浙江省温州市",
        parent: Some(CITY),
        phone: "0577-88960100",
        address: "温州市鹿城区府东路100号",
        postcode: "325000",
        doc_prefix: "温财",
        field: "财政管理",
        subjects: &[
            "预算绩效管理",
            "政府采购",
            "国有资产管理",
            "政府债务管理",
            "财政专项资金管理",
            "会计监督",
            "非税收入管理",
            "惠企政策资金兑付",
        ],
        activities: &[
            "召开全市财政工作会议",
            "开展财政专项资金绩效评价",
            "组织政府采购业务培训",
            "开展会计信息质量检查",
            "推进预算管理一体化系统建设",
        ],
        leaders: [
            ("徐永康", "党组书记、局长"),
            ("潘美玲", "副局长"),
            ("杨志刚", "副局长"),
            ("金晓红", "副局长"),
        ],
        items: 600,
    },
    Spec {
        code: "DEMO-330300-STHJJ",
        name: "温州市生态环境局",
        short: "市生态环境局",
        kind: AgencyKind::Department,
        region: "浙江省温州市",
        parent: Some(CITY),
        phone: "0577-88230000",
        address: "温州市鹿城区车站大道300号",
        postcode: "325000",
        doc_prefix: "温环",
        field: "生态环境保护",
        subjects: &[
            "建设项目环境影响评价",
            "大气污染防治",
            "水污染防治",
            "土壤污染防治",
            "排污许可管理",
            "生态环境执法",
            "固体废物污染环境防治",
            "突发环境事件应急",
        ],
        activities: &[
            "开展“蓝天保卫战”专项执法行动",
            "召开全市生态环境保护大会",
            "开展饮用水水源地环境保护专项检查",
            "举办“六五”环境日宣传活动",
            "开展危险废物规范化管理评估",
        ],
        leaders: [
            ("朱伟民", "党组书记、局长"),
            ("许丽娟", "副局长"),
            ("蔡国华", "副局长"),
            ("谢建平", "副局长"),
        ],
        items: 600,
    },
    Spec {
        code: "DEMO-330302-ZF",
        name: "温州市鹿城区人民政府",
        short: "鹿城区政府",
        kind: AgencyKind::Government,
        region: "浙江省温州市鹿城区",
        parent: Some(CITY),
        phone: "0577-88270000",
        address: "温州市鹿城区府前街1号",
        postcode: "325000",
        doc_prefix: "温鹿政",
        field: "全区经济社会发展",
        subjects: &[
            "老旧小区改造",
            "街道社区治理",
            "农贸市场改造提升",
            "城中村改造",
            "养老服务体系建设",
            "背街小巷整治",
            "商贸流通业发展",
            "消防安全隐患排查整治",
        ],
        activities: &[
            "召开区政府常务会议",
            "开展城市环境综合整治行动",
            "召开全区经济工作会议",
            "开展安全生产大检查",
            "举办“鹿城民生实事”征集活动",
        ],
        leaders: [
            ("陈立新", "区长"),
            ("胡晓敏", "常务副区长"),
            ("项建国", "副区长"),
            ("叶秀芳", "副区长"),
        ],
        items: 500,
    },
    Spec {
        code: "DEMO-330304-ZF",
        name: "温州市瓯海区人民政府",
        short: "瓯海区政府",
        kind: AgencyKind::Government,
        region: "浙江省温州市瓯海区",
        parent: Some(CITY),
        phone: "0577-86550000",
        address: "温州市瓯海区娄桥街道瓯海大道1号",
        postcode: "325014",
        doc_prefix: "温瓯政",
        field: "全区经济社会发展",
        subjects: &[
            "眼镜产业转型升级",
            "美丽乡村建设",
            "小微企业园建设",
            "河道综合治理",
            "高铁新城开发建设",
            "社区卫生服务",
            "农村集体经济发展",
        ],
        activities: &[
            "召开区政府常务会议",
            "开展“五水共治”专项督查",
            "召开全区招商引资工作会议",
            "开展农村生活垃圾分类检查",
            "举办瓯海眼镜产业博览会",
        ],
        leaders: [
            ("戴永华", "区长"),
            ("孙丽华", "常务副区长"),
            ("邵建新", "副区长"),
            ("姜晓燕", "副区长"),
        ],
        items: 500,
    },
];

/// The justice bureau's code (the founding document's agency).
pub const JUSTICE: &str = "DEMO-330300-SFJ";

const CATEGORIES: [&str; 6] =
    ["政策文件", "工作信息", "人事信息", "财政信息", "规划计划", "通知公告"];

/// Every agency of the demo platform, parents before children.
pub fn agencies() -> Vec<DemoAgency> {
    let mut agencies: Vec<DemoAgency> = SPECS.iter().map(generated).collect();
    agencies.insert(1, justice());
    agencies
}

fn generated(spec: &Spec) -> DemoAgency {
    let mut rng = Rng::new(
        spec.code
            .bytes()
            .fold(7u64, |acc, byte| acc.wrapping_mul(131).wrapping_add(u64::from(byte))),
    );
    let mut records = AgencyRecords {
        agency: Some(Agency {
            code: spec.code.to_owned(),
            name: spec.name.to_owned(),
            kind: spec.kind,
            office: format!("{}政府信息公开工作办公室", spec.name),
            phone: spec.phone.to_owned(),
        }),
        ..AgencyRecords::default()
    };
    records.reading_points.push(ReadingPoint {
        name: format!("{}政府信息公开查阅点", spec.name),
        address: format!("{}一楼政务服务窗口", spec.address),
        opened: date(2019, 1, 2),
        closed: None,
    });
    let mut texts = Vec::with_capacity(spec.items);
    let start = date(2022, 1, 4);
    let span = (date(2025, 12, 30) - start).whole_days();
    let mut serials = std::collections::HashMap::new();
    for index in 0..spec.items {
        let published = start + Duration::days(index as i64 * span / spec.items as i64);
        let category = CATEGORIES[rng.below(CATEGORIES.len() as u64) as usize];
        let serial = serials.entry((published.year(), category)).or_insert(0usize);
        *serial += 1;
        let (record, text) = item(spec, &mut rng, category, published, *serial);
        records.catalog.push(record);
        texts.push(text);
    }
    DemoAgency {
        code: spec.code,
        name: spec.name,
        kind: spec.kind,
        region: spec.region,
        parent_code: spec.parent,
        office: format!("{}政府信息公开工作办公室", spec.name),
        phone: spec.phone,
        address: spec.address,
        hours: "工作日 8:30-12:00，14:00-17:30",
        email: "gkb@demo.wenzhou.example.cn",
        postcode: spec.postcode,
        fax: spec.phone,
        overview: format!(
            "{name}是{kind}，负责{field}相关工作。机关内设办公室、政策法规处、政府信息公开工作办公室等机构，\
             办公地址位于{address}。\n\n{name}坚持以公开为常态、不公开为例外，依照《中华人民共和国政府信息公开条例》\
             主动公开本机关的政府信息，并受理公民、法人和其他组织提出的政府信息公开申请。",
            name = spec.name,
            kind = if spec.kind == AgencyKind::Government {
                "本级人民政府"
            } else {
                "市人民政府工作部门"
            },
            field = spec.field,
            address = spec.address,
        ),
        duties: spec
            .subjects
            .iter()
            .take(5)
            .enumerate()
            .map(|(n, subject)| {
                format!(
                    "（{}）负责{subject}有关工作，拟订相关政策措施并组织实施。",
                    chinese_number(n + 1)
                )
            })
            .chain(std::iter::once(format!("（{}）完成上级交办的其他任务。", chinese_number(6))))
            .collect::<Vec<_>>()
            .join("\n\n"),
        leaders: spec
            .leaders
            .iter()
            .enumerate()
            .map(|(n, (name, post))| DemoLeader {
                name,
                post,
                duties: if n == 0 {
                    format!("主持{}全面工作。", spec.short)
                } else {
                    format!(
                        "负责{}、{}方面工作。",
                        spec.subjects[(n * 2) % spec.subjects.len()],
                        spec.subjects[(n * 2 + 1) % spec.subjects.len()]
                    )
                },
                biography: biography(&mut rng, name, spec.region),
            })
            .collect(),
        records,
        texts,
        report_years: Vec::new(),
    }
}

fn chinese_number(n: usize) -> &'static str {
    ["〇", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十"]
        .get(n)
        .copied()
        .unwrap_or("十")
}

fn biography(rng: &mut Rng, name: &str, region: &str) -> String {
    let born = 1968 + rng.below(12) as i32;
    let joined = born + 22;
    let degrees = [
        "大学学历，法学学士",
        "研究生学历，管理学硕士",
        "大学学历，工学学士",
        "研究生学历，经济学硕士",
    ];
    format!(
        "{name}，{born}年生，浙江{}人，{}，中共党员。{joined}年参加工作，历任{}乡镇干部、\
         县（市、区）部门负责人等职，现任现职。",
        region.trim_start_matches("浙江省"),
        rng.pick(&degrees),
        region.trim_start_matches("浙江省"),
    )
}

/// A serial unique within the agency and year: the category's position times 10,000 plus its own serial.
fn serial_in_year(serial: usize, category: &str) -> usize {
    let position = CATEGORIES.iter().position(|known| *known == category).unwrap_or(0);
    (position + 1) * 10_000 + serial
}

/// 主题分类 by catalog category.
fn subject_class(category: &str) -> &'static str {
    match category {
        "政策文件" => "综合政务/政策法规",
        "人事信息" => "综合政务/人事工作",
        "财政信息" => "财政、金融、审计/财政",
        "规划计划" => "综合政务/规划计划",
        _ => "综合政务/其他",
    }
}

/// The justice bureau with its full records and a text for each of its items, derived from the title.
fn justice() -> DemoAgency {
    let records = crate::wenzhou_justice();
    let agency = records.agency.clone().expect("the demo bureau names itself");
    let mut records = records;
    if records.reading_points.is_empty() {
        records.reading_points.push(ReadingPoint {
            name: "温州市司法局政府信息公开查阅点".to_owned(),
            address: "温州市鹿城区市府路500号行政管理中心1号楼".to_owned(),
            opened: date(2018, 1, 2),
            closed: None,
        });
    }
    let texts = records.catalog.iter().map(justice_text).collect();
    let report_years = (2018..=2025)
        .filter(|year| records.catalog.iter().any(|item| item.published.year() == *year))
        .collect();
    DemoAgency {
        code: JUSTICE,
        name: "温州市司法局",
        kind: AgencyKind::Department,
        region: "浙江省温州市",
        parent_code: Some(CITY),
        office: agency.office,
        phone: "0577-88367543",
        address: "温州市鹿城区市府路500号行政管理中心1号楼",
        hours: "工作日 8:30-12:00，14:00-17:30",
        email: "sfj@demo.wenzhou.example.cn",
        postcode: "325009",
        fax: "0577-88367500",
        overview: "温州市司法局是温州市人民政府工作部门，负责全市司法行政工作，统筹推进法治温州建设，\
                   承担全面依法治市委员会办公室的日常工作。\n\n局机关内设办公室、法治调研处、行政复议与应诉处、\
                   普法与依法治理处、公共法律服务管理处、律师工作处、人民参与和促进法治处等处室，\
                   政府信息公开工作由办公室承担。"
            .to_owned(),
        duties: "（一）承担全面依法治市重大问题的政策研究，协调有关方面提出全面依法治市中长期规划建议。\n\n\
                 （二）承担统筹规划法治社会建设的责任，负责拟订法治宣传教育规划，组织实施普法宣传工作。\n\n\
                 （三）负责起草或者组织起草市政府规章草案，承担行政规范性文件的合法性审核工作。\n\n\
                 （四）承担市政府行政复议、行政应诉工作，指导、监督全市行政复议、行政应诉工作。\n\n\
                 （五）负责拟订公共法律服务体系建设规划并指导实施，统筹和布局城乡公共法律服务资源。\n\n\
                 （六）完成市委、市政府交办的其他任务。"
            .to_owned(),
        leaders: vec![
            DemoLeader {
                name: "张文斌",
                post: "党委书记、局长",
                duties: "主持局全面工作。".to_owned(),
                biography: "张文斌，1970年生，浙江永嘉人，研究生学历，法学硕士，中共党员。1992年参加工作，\
                            历任县司法局副局长、局长，市司法局副局长等职。"
                    .to_owned(),
            },
            DemoLeader {
                name: "潘晓燕",
                post: "党委委员、副局长",
                duties: "负责法治调研、行政复议与应诉工作。".to_owned(),
                biography: "潘晓燕，1975年生，浙江瑞安人，大学学历，法学学士，中共党员。1997年参加工作，\
                            历任市司法局处长等职。"
                    .to_owned(),
            },
            DemoLeader {
                name: "林志勇",
                post: "党委委员、副局长",
                duties: "负责公共法律服务、律师、公证、司法鉴定工作。".to_owned(),
                biography: "林志勇，1973年生，浙江乐清人，大学学历，中共党员。1995年参加工作，\
                            历任区司法局局长等职。"
                    .to_owned(),
            },
        ],
        records,
        texts,
        report_years,
    }
}

/// The text of one of the justice bureau's items, derived from its title.
fn justice_text(item: &CatalogItem) -> ItemText {
    let doc_number = item
        .title
        .rsplit_once('（')
        .and_then(|(_, tail)| tail.strip_suffix('）'))
        .filter(|inner| inner.ends_with('号'))
        .unwrap_or_default()
        .to_owned();
    let date_cn = format!(
        "{}年{}月{}日",
        item.published.year(),
        u8::from(item.published.month()),
        item.published.day()
    );
    let body = match item.category.as_str() {
        "政策文件" => format!(
            "各县（市、区）司法局，局机关各处室、直属各单位：\n\n现将{}印发给你们，请认真贯彻执行。执行中遇到的\
             问题，请及时向市司法局反映。\n\n温州市司法局\n{date_cn}",
            item.title
                .split('《')
                .nth(1)
                .and_then(|rest| rest.split('》').next())
                .map_or_else(|| "有关文件".to_owned(), |name| format!("《{name}》"))
        ),
        "人事信息" => format!(
            "根据有关规定，经温州市司法局党委研究，现将有关事项予以公布。公示期为{date_cn}起5个工作日，\
             如有意见，请向温州市司法局政治部反映。联系电话：0577-88367543。"
        ),
        _ => format!(
            "{date_cn}，{}。此项工作是全市司法行政系统贯彻落实全面依法治市部署的重要举措，\
             有关单位将继续做好公共法律服务、人民调解、法治宣传等工作，更好满足人民群众的法治需求。",
            item.title
        ),
    };
    let summary: String = body.chars().take(90).collect();
    ItemText {
        summary,
        body,
        subject: subject_class(&item.category).to_owned(),
        genre: if doc_number.is_empty() { "其他" } else { "通知" }.to_owned(),
        doc_number,
        validity: "有效".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_platform_has_several_agencies_and_thousands_of_items() {
        let agencies = agencies();
        assert!(agencies.len() >= 6);
        let items: usize = agencies.iter().map(|agency| agency.records.catalog.len()).sum();
        assert!(items >= 5_000, "{items} items");
        for agency in &agencies {
            assert_eq!(agency.records.catalog.len(), agency.texts.len());
            let mut numbers = std::collections::HashSet::new();
            for item in &agency.records.catalog {
                assert!(numbers.insert(&item.index_number), "duplicate {}", item.index_number);
            }
            if let Some(parent) = agency.parent_code {
                let position = agencies.iter().position(|other| other.code == parent).unwrap();
                let own = agencies.iter().position(|other| other.code == agency.code).unwrap();
                assert!(position < own, "{} before its parent", agency.code);
            }
        }
    }

    #[test]
    fn the_justice_bureau_keeps_its_document_numbers() {
        let justice = justice();
        let numbered =
            justice.texts.iter().filter(|text| text.doc_number.starts_with("温司发〔")).count();
        assert!(numbered > 0);
        assert!(justice.report_years.contains(&2018));
    }

    #[test]
    fn generated_bodies_are_chinese_prose() {
        let agencies = agencies();
        let text = &agencies[0].texts[0];
        assert!(text.body.chars().count() > 100, "{}", text.body);
        assert!(text.body.contains('。'));
    }
}
