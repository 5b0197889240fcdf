//! The Chinese names of the audit trail's action codes and actors, for the pages that show them (the codes
//! stay what is stored, searched for and exported).

/// Fixed codes and their names.
const ACTIONS: [(&str, &str); 58] = [
    ("access.denied", "访问被拒绝"),
    ("agency.add", "新增单位"),
    ("agency.close", "撤销单位"),
    ("agency.edit", "修改单位"),
    ("agency.import", "导入单位"),
    ("agency.leader_photo", "上传领导照片"),
    ("agency.profile", "修改单位信息"),
    ("api.applications.read", "接口读取申请"),
    ("api.report.read", "接口读取年度报告"),
    ("apikey.issue", "签发接口密钥"),
    ("apikey.revoke", "吊销接口密钥"),
    ("application.intake", "收到申请"),
    ("application.assign", "分派承办人"),
    ("application.transfer", "转送申请"),
    ("application.delivery", "登记送达"),
    ("application.supplement", "告知补正"),
    ("application.supplement_received", "收到补正"),
    ("application.consult", "征求第三方意见"),
    ("application.consult_answered", "收到第三方意见"),
    ("application.extension_request", "申请延期"),
    ("application.extension_decide", "审批延期"),
    ("application.extension_approve", "批准延期"),
    ("application.fee", "发出缴费通知"),
    ("application.fee_paid", "登记缴费"),
    ("application.reply", "答复"),
    ("application.close", "办结"),
    ("application.reasons", "要求说明理由"),
    ("application.defer", "确定延迟答复"),
    ("application.withdraw", "申请人撤回申请"),
    ("applications.import", "导入申请台账"),
    ("attachment.download", "下载附件"),
    ("audit.export", "导出审计日志"),
    ("booking.cancel", "取消查阅预约"),
    ("booking.create", "预约查阅"),
    ("bookings.view", "查看预约名单"),
    ("calendar.add", "新增日历安排"),
    ("calendar.correct", "更正日历安排"),
    ("case.dossier", "导出归档卷"),
    ("catalog.attach", "添加附件"),
    ("catalog.bulk_edit", "批量修改目录"),
    ("catalog.edit", "修改目录信息"),
    ("catalog.import", "导入目录"),
    ("catalog.publish", "发布信息"),
    ("catalog.withdraw", "撤回信息"),
    ("history_report.put", "上传历史年度报告"),
    ("letter.download", "下载文书"),
    ("letter.generate", "生成文书"),
    ("letter.send", "发出文书"),
    ("notification.resend", "重发通知"),
    ("reading_point.add", "新增查阅点"),
    ("reading_point.close", "关闭查阅点"),
    ("reading_point.configure", "设置查阅点"),
    ("records.import", "导入记录台账"),
    ("register.upload", "上传台账"),
    ("report.approve", "审核年度报告"),
    ("report.publish", "发布年度报告"),
    ("report.return", "退回年度报告"),
    ("report.submit", "提交年度报告"),
];

/// Further fixed codes (kept apart so each list stays readable).
const MORE_ACTIONS: [(&str, &str); 11] = [
    ("report.sign", "签发年度报告"),
    ("report.text", "修改年度报告文字"),
    ("site.info", "修改网站信息"),
    ("user.add", "新增用户"),
    ("user.disable", "停用用户"),
    ("user.enable", "启用用户"),
    ("user.grant", "授予角色"),
    ("user.passwd", "修改密码"),
    ("user.revoke", "撤销角色"),
    ("user.sign_in_failed", "登录失败"),
    ("vocabulary.set", "修改分类表"),
];

/// The Chinese name of an audit action, or the code itself when it has none.
pub(crate) fn action(code: &str) -> String {
    if let Some((_, name)) = ACTIONS.iter().chain(&MORE_ACTIONS).find(|(known, _)| *known == code) {
        return (*name).to_owned();
    }
    if let Some(rest) = code.strip_prefix("ledger.") {
        let (kind, what) = rest.split_once('.').unwrap_or((rest, ""));
        if let Some((_, ledger)) =
            super::ledger::KIND_LABELS.iter().find(|(known, _)| *known == kind)
        {
            let verb = match what {
                "" => "登记",
                "decide" | "conclude" => "办结",
                "remove" => "删除",
                "correct" => "更正",
                "left" => "离岗",
                _ => return code.to_owned(),
            };
            return format!("台账·{ledger}：{verb}");
        }
    }
    code.to_owned()
}

/// The actor as a person reads it: the public, a command on the server, or the user name.
pub(crate) fn actor(actor: &str) -> String {
    match actor {
        "public" => "公众".to_owned(),
        other => match other.strip_prefix("cli:") {
            Some(user) => format!("服务器命令行（{user}）"),
            None => other.to_owned(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_shown_to_a_person_have_their_chinese_names() {
        assert_eq!(action("letter.send"), "发出文书");
        assert_eq!(action("application.reply"), "答复");
        assert_eq!(action("ledger.review"), "台账·行政复议：登记");
        assert_eq!(action("ledger.complaint.conclude"), "台账·举报投诉：办结");
        assert_eq!(action("ledger.staff.left"), "台账·工作人员：离岗");
        assert_eq!(action("something.new"), "something.new");
        assert_eq!(actor("cli:unknown"), "服务器命令行（unknown）");
        assert_eq!(actor("public"), "公众");
        assert_eq!(actor("clerk"), "clerk");
        // Every code the steps of a case record has a name.
        for step in gongkai_core::handling::Action::ALL {
            let code = format!("application.{}", step.code());
            assert_ne!(action(&code), code, "{code}");
        }
    }
}
