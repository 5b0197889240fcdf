//! A generated agency's catalog items: one template per category (policy documents, work news, personnel
//! notices, budgets, plans, public notices), each with its number, body and channels.

use super::*;

/// What a category's template writes for one item.
struct Draft {
    title: String,
    /// 体裁分类.
    genre: &'static str,
    doc_number: String,
    body: String,
}

/// An item of `category`: its record and its text.
pub(super) fn item(
    spec: &Spec,
    rng: &mut Rng,
    category: &str,
    published: Date,
    serial: usize,
) -> (CatalogItem, ItemText) {
    let year = published.year();
    let subject = *rng.pick(spec.subjects);
    let formed = published - Duration::days(rng.between(1, 12) as i64);
    let date_cn = format!("{}年{}月{}日", formed.year(), u8::from(formed.month()), formed.day());
    let Draft { title, genre, doc_number, body } = match category {
        "政策文件" => policy_document(spec, rng, subject, &date_cn, year, serial),
        "工作信息" => work_news(spec, rng, subject, &date_cn, year),
        "人事信息" => personnel_notice(spec, rng, &date_cn, year, serial),
        "财政信息" => budget_disclosure(spec, rng, year),
        "规划计划" => plan_document(spec, rng, subject, year),
        _ => public_notice(spec, rng, subject, &date_cn),
    };
    let channels = item_channels(rng, category);
    let normative = category == "政策文件" && rng.chance(30);
    let validity = if category == "政策文件" && year < 2023 && rng.chance(15) {
        "失效"
    } else {
        "有效"
    };
    let summary: String = body.split("\n\n").nth(1).unwrap_or(&body).chars().take(90).collect();
    let record = CatalogItem {
        index_number: format!("{}/{year}-{:05}", spec.code, serial_in_year(serial, category)),
        title,
        category: category.to_owned(),
        formed: Some(formed),
        published,
        channels,
        normative,
    };
    let text = ItemText {
        summary,
        body,
        subject: subject_class(category).to_owned(),
        genre: genre.to_owned(),
        doc_number,
        validity: validity.to_owned(),
    };
    (record, text)
}

/// A 政策文件: a notice issuing a numbered policy on `subject`.
fn policy_document(
    spec: &Spec,
    rng: &mut Rng,
    subject: &str,
    date_cn: &str,
    year: i32,
    serial: usize,
) -> Draft {
    let forms = ["实施意见", "实施办法", "管理办法", "工作方案", "若干措施"];
    let form = rng.pick(&forms);
    let doc_number = format!("{}发〔{year}〕{}号", spec.doc_prefix, serial);
    let inner = format!("温州市{subject}{form}");
    let title = format!("{}关于印发《{inner}》的通知", spec.name);
    let body = format!(
        "各有关单位：\n\n为深入贯彻落实党中央、国务院和省委、省政府关于{subject}的决策部署，进一步提升{field}\
         水平，经研究，现将《{inner}》印发给你们，请结合实际认真贯彻执行。\n\n第一条 为规范和推进本市{subject}\
         工作，根据有关法律法规和政策规定，结合本市实际，制定本{form}。\n\n第二条 本{form}适用于本市行政区域内\
         {subject}的组织实施和监督管理。\n\n第三条 {subject}工作坚持依法依规、公开透明、便民高效的原则，\
         实行统一领导、分级负责。\n\n第四条 各县（市、区）和市直有关部门应当明确责任分工，加强协同配合，\
         每年{month}月底前将上一年度工作情况报送{short}。\n\n第五条 本{form}自{date_cn}起施行，有效期五年。\n\n\
         {name}\n{date_cn}",
        field = spec.field,
        month = rng.between(1, 3),
        short = spec.short,
        name = spec.name,
    );
    Draft { title, genre: "通知", doc_number, body }
}

/// A 工作信息: news of one of the agency's activities.
fn work_news(spec: &Spec, rng: &mut Rng, subject: &str, date_cn: &str, year: i32) -> Draft {
    let activity = rng.pick(spec.activities);
    let title = format!("{}{activity}", spec.short);
    let body = format!(
        "{date_cn}，{name}{activity}。会议（活动）听取了{year}年以来{subject}工作情况汇报，研究部署下一阶段\
         重点任务。\n\n会议指出，{subject}事关群众切身利益，要坚持问题导向，聚焦群众反映强烈的突出问题，\
         拿出务实管用的举措。\n\n会议强调，要压实工作责任，细化任务清单，加强督查考核，确保各项工作落地见效，\
         并及时通过门户网站和政务新媒体公开工作进展，主动接受社会监督。",
        name = spec.name,
    );
    Draft { title, genre: "其他", doc_number: String::new(), body }
}

/// A 人事信息: a personnel announcement of the `serial`th batch.
fn personnel_notice(spec: &Spec, rng: &mut Rng, date_cn: &str, year: i32, serial: usize) -> Draft {
    let kinds = ["干部任前公示", "公开招聘工作人员公告", "拟聘用人员公示", "干部任免通知"];
    let kind = rng.pick(&kinds);
    let title = format!("{}{year}年{kind}（第{serial}批）", spec.name);
    let body = format!(
        "根据有关规定，经{name}党组（党委）研究，现将{year}年{kind}有关事项公布如下。\n\n一、公示（公告）\
         对象的基本情况、拟任职务或岗位详见附件。\n\n二、公示期为{date_cn}起5个工作日。公示期间，如对公示\
         对象有不同意见，可通过来信、来电、来访等方式向{name}组织人事部门反映。\n\n联系电话：{phone}\n\n\
         {name}\n{date_cn}",
        name = spec.name,
        phone = spec.phone,
    );
    Draft { title, genre: "公告", doc_number: String::new(), body }
}

/// A 财政信息: a budget or accounts disclosure with a random balanced total.
fn budget_disclosure(spec: &Spec, rng: &mut Rng, year: i32) -> Draft {
    let kinds = ["部门预算", "部门决算", "“三公”经费预算", "政府采购意向"];
    let kind = rng.pick(&kinds);
    let amount = rng.between(3_000, 90_000);
    let title = format!("{}{year}年度{kind}公开", spec.name);
    let body = format!(
        "按照《中华人民共和国预算法》和财政部门关于预决算公开的规定，现将{name}{year}年度{kind}公开如下。\n\n\
         一、部门基本情况：{name}主要负责{field}相关工作。\n\n二、收支总体情况：{year}年度收入总计{amount}.{cents:02}\
         万元，支出总计{amount}.{cents:02}万元，收支平衡。\n\n三、“三公”经费情况：因公出国（境）费、公务用车\
         购置及运行费、公务接待费均严格控制在预算额度以内。\n\n四、名词解释及其他需要说明的事项详见附表。",
        name = spec.name,
        field = spec.field,
        cents = rng.below(100),
    );
    Draft { title, genre: "报告", doc_number: String::new(), body }
}

/// A 规划计划: the year's plan or summary for `subject`.
fn plan_document(spec: &Spec, rng: &mut Rng, subject: &str, year: i32) -> Draft {
    let kinds = ["工作要点", "工作计划", "重点任务清单", "年度工作总结"];
    let kind = rng.pick(&kinds);
    let title = format!("{}{year}年{subject}{kind}", spec.name);
    let body = format!(
        "{year}年，{name}围绕{subject}目标，统筹推进各项工作。\n\n一、总体要求：以习近平新时代中国特色社会主义\
         思想为指导，坚持稳中求进工作总基调，全面提升{field}水平。\n\n二、主要任务：（一）完善制度机制；\
         （二）强化重点领域监管；（三）提升公共服务水平；（四）加强政务公开和政策解读。\n\n三、保障措施：\
         加强组织领导，落实工作责任，强化督查考核。",
        name = spec.name,
        field = spec.field,
    );
    Draft { title, genre: "计划", doc_number: String::new(), body }
}

/// A 通知公告: a public notice or guide on `subject`.
fn public_notice(spec: &Spec, rng: &mut Rng, subject: &str, date_cn: &str) -> Draft {
    let kinds =
        ["关于征求意见的公告", "关于开展专项检查的通知", "关于公布投诉举报渠道的公告", "办事指南"];
    let kind = rng.pick(&kinds);
    let title = format!("{}{subject}{kind}", spec.name);
    let body = format!(
        "为做好{subject}有关工作，现将有关事项公告如下。\n\n一、适用范围：本市行政区域内{subject}相关单位和个人。\
         \n\n二、办理方式：可通过政务服务网在线办理，或到{address}窗口办理，办理时间为工作日。\n\n三、意见反馈：\
         社会公众可于{date_cn}起30日内，通过电子邮件、信函等方式提出意见建议。\n\n联系电话：{phone}",
        address = spec.address,
        phone = spec.phone,
    );
    Draft { title, genre: "公告", doc_number: String::new(), body }
}

/// The channels of an item: the website, some also 微信 and 微博, policy documents also the gazette.
fn item_channels(rng: &mut Rng, category: &str) -> Vec<PublishChannel> {
    let mut channels = vec![PublishChannel::Website];
    if rng.chance(25) {
        channels.push(PublishChannel::Wechat);
    }
    if rng.chance(10) {
        channels.push(PublishChannel::Weibo);
    }
    if category == "政策文件" && rng.chance(50) {
        channels.push(PublishChannel::Gazette);
    }
    channels
}
