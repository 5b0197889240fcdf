//! Black-box tests of the `gongkai` binary: worked examples, JSON shape, exit codes and messages.

use std::path::PathBuf;
use std::process::{Command, Output};

fn gongkai(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gongkai")).args(args).output().expect("the binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("UTF-8 output")
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("UTF-8 output")
}

/// Runs `gongkai deadline ARGS --json` and returns the parsed document.
#[track_caller]
fn deadline_json(args: &[&str]) -> serde_json::Value {
    let mut all = vec!["deadline", "--json"];
    all.extend_from_slice(args);
    let output = gongkai(&all);
    assert!(output.status.success(), "{}", stderr(&output));
    serde_json::from_str(&stdout(&output)).expect("valid JSON")
}

#[track_caller]
fn check_due(args: &[&str], regime: &str, due: &str, provisional: bool) {
    let json = deadline_json(args);
    assert_eq!(json["regime"], regime, "{json:#}");
    assert_eq!(json["due"], due, "{json:#}");
    assert_eq!(json["provisional"], provisional, "{json:#}");
}

#[test]
fn deadline_2019_online_over_spring_festival() {
    // 2026-02-10 + 20 working days, Spring Festival 02-15..23 off, Saturdays 02-14 and 02-28 worked.
    check_due(
        &["--received", "2026-02-10", "--channel", "online", "--as-of", "2026-02-11"],
        "2019",
        "2026-03-16",
        false,
    );
}

#[test]
fn deadline_2019_consultation_and_extension() {
    // Consultation 02-26..03-06 removes 7 working days (03-16 -> 03-25); a 20-day extension -> 04-24
    // (03-26..04-03 is 7 days, 清明 04-04..06 off, 04-07..04-23 is 13 more).
    check_due(
        &[
            "--received",
            "2026-02-10",
            "--consultation",
            "2026-02-26:2026-03-06",
            "--extension",
            "--extension-on",
            "2026-03-20",
            "--as-of",
            "2026-03-20",
        ],
        "2019",
        "2026-04-23",
        false,
    );
}

#[test]
fn deadline_2007_by_post_around_national_day_2018() {
    check_due(
        &["--received", "2018-09-25", "--channel", "post", "--as-of", "2018-09-26"],
        "2007",
        "2018-10-19",
        false,
    );
}

#[test]
fn deadline_2007_extension_adds_15_working_days() {
    // 2018-10-19 + 15 working days: 10-22..26, 10-29..11-02, 11-05..09.
    check_due(
        &["--received", "2018-09-25", "--extension", "--as-of", "2018-10-19"],
        "2007",
        "2018-11-09",
        false,
    );
}

#[test]
fn deadline_regime_switches_on_2019_05_15() {
    let before = deadline_json(&["--received", "2019-05-14", "--as-of", "2019-05-15"]);
    let after = deadline_json(&["--received", "2019-05-15", "--as-of", "2019-05-15"]);
    assert_eq!((before["regime"].as_str(), after["regime"].as_str()), (Some("2007"), Some("2019")));
    // 2019-05-14 + 15 = 06-05 (端午 06-07 is after); 2019-05-15 + 20 = 06-13 (端午 06-07 skipped).
    assert_eq!(
        (before["due"].as_str(), after["due"].as_str()),
        (Some("2019-06-04"), Some("2019-06-13"))
    );
}

#[test]
fn deadline_into_2027_is_provisional_and_names_the_year() {
    let json = deadline_json(&["--received", "2026-12-15", "--as-of", "2026-12-16"]);
    // 2027-01-01 is 元旦 even before the 2027 notice is out.
    assert_eq!(json["due"], "2027-01-13");
    assert_eq!(json["provisional"], true);
    assert_eq!(json["provisional_years"], serde_json::json!([2027]));
}

#[test]
fn deadline_recomputes_once_next_years_notice_is_given() {
    let dir = std::env::temp_dir().join(format!("gongkai-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file: PathBuf = dir.join("2027.toml");
    std::fs::write(
        &file,
        "year = 2027\n[[notice]]\nid = \"annual\"\ntitle = \"国务院办公厅关于2027年部分节假日安排的通知\"\n\
         url = \"https://example.invalid\"\n[[holiday]]\nname = \"元旦\"\noff = [\"2027-01-01..2027-01-03\"]\n",
    )
    .unwrap();
    let json = deadline_json(&[
        "--received",
        "2026-12-15",
        "--as-of",
        "2026-12-16",
        "--calendar",
        file.to_str().unwrap(),
    ]);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(json["due"], "2027-01-13");
    assert_eq!(json["provisional"], false);
}

#[test]
fn deadline_text_output_shows_the_trace_with_articles() {
    let output = gongkai(&[
        "deadline",
        "--received",
        "2026-03-02",
        "--channel",
        "online",
        "--as-of",
        "2026-03-03",
    ]);
    let text = stdout(&output);
    assert!(output.status.success());
    assert!(text.contains("due:          2026-03-30"), "{text}");
    assert!(text.contains("第三十一条") && text.contains("第三十三条"), "{text}");
    assert!(text.contains("周末"), "{text}");
}

/// Bad input: exit code 2, a message naming the argument, no panic.
#[track_caller]
fn check_bad_input(args: &[&str], argument: &str) {
    let mut all = vec!["deadline"];
    all.extend_from_slice(args);
    let output = gongkai(&all);
    let message = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{message}");
    assert!(message.contains(argument), "expected `{argument}` in: {message}");
    assert!(!message.contains("panicked"), "{message}");
}

#[test]
fn deadline_bad_input_names_the_argument_and_exits_2() {
    check_bad_input(&["--received", "2026-03-02", "--channel", "email"], "--channel");
    check_bad_input(&["--received", "2026-02-30"], "--received");
    check_bad_input(
        &["--received", "2026-03-02", "--consultation", "2026-03-10:2026-03-05"],
        "--consultation",
    );
    check_bad_input(
        &[
            "--received",
            "2026-03-02",
            "--consultation",
            "2026-03-03:2026-03-10",
            "--consultation",
            "2026-03-05:2026-03-12",
        ],
        "--consultation",
    );
    check_bad_input(
        &["--received", "2026-03-02", "--supplement", "2026-03-10:2026-03-05"],
        "--supplement",
    );
    check_bad_input(&["--received", "2026-03-02", "--extension", "--extension"], "--extension");
    check_bad_input(
        &["--received", "2026-03-02", "--extension", "--extension-days", "21"],
        "--extension-days",
    );
    check_bad_input(&["--received", "2027-01-05"], "--received");
    check_bad_input(&["--received", "2026-03-02", "--replied", "2026-03-01"], "--replied");
    check_bad_input(&["--received", "2018-03-05", "--fee", "2018-03-06:"], "--fee");
}

#[test]
fn fee_per_application_and_per_volume() {
    let output = gongkai(&["fee", "--nth-in-month", "31"]);
    assert!(stdout(&output).starts_with("200 yuan\n"), "{}", stdout(&output));
    let output = gongkai(&["fee", "--pages", "250"]);
    assert!(stdout(&output).starts_with("4700 yuan\n"), "{}", stdout(&output));
    let output = gongkai(&["fee", "--nth-in-month", "10", "--json"]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(json["amount_yuan"], 0);
}

#[test]
fn fee_bad_input_exits_2() {
    assert_eq!(gongkai(&["fee", "--nth-in-month", "0"]).status.code(), Some(2));
    assert_eq!(gongkai(&["fee"]).status.code(), Some(2));
    assert_eq!(gongkai(&["fee", "--nth-in-month", "3", "--pages", "4"]).status.code(), Some(2));
}

fn shared_holiday_cn() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/holiday-cn");
    if dir.is_dir() {
        Some(dir)
    } else {
        assert!(std::env::var_os("CI").is_none(), "CI must provide ../shared/data/holiday-cn");
        None
    }
}

#[test]
fn calendar_check_against_holiday_cn_finds_no_difference() {
    let Some(dir) = shared_holiday_cn() else { return };
    let output = gongkai(&["calendar", "check", dir.to_str().unwrap()]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{text}");
    assert!(text.contains("\n0 differing days\n"), "{text}");
}

#[test]
fn calendar_check_reports_each_difference_and_exits_1() {
    let Some(source) = shared_holiday_cn() else { return };
    let dir = std::env::temp_dir().join(format!("gongkai-holiday-cn-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for year in 2024..=2026 {
        let text = std::fs::read_to_string(source.join(format!("{year}.json"))).unwrap();
        // Drop the 2025-10-11 adjusted working Saturday from the reference.
        let text = if year == 2025 { drop_day(&text, "2025-10-11") } else { text };
        std::fs::write(dir.join(format!("{year}.json")), text).unwrap();
    }
    let output = gongkai(&["calendar", "check", dir.to_str().unwrap()]);
    std::fs::remove_dir_all(&dir).unwrap();
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains("1 differing days"), "{text}");
    assert!(text.contains("2025-10-11: gongkai working day, reference day off"), "{text}");
}

fn drop_day(json: &str, date: &str) -> String {
    let mut value: serde_json::Value = serde_json::from_str(json).unwrap();
    value["days"].as_array_mut().unwrap().retain(|day| day["date"] != date);
    value.to_string()
}

#[test]
fn calendar_check_of_a_missing_directory_exits_2() {
    let output = gongkai(&["calendar", "check", "/nonexistent/holiday-cn"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("/nonexistent/holiday-cn"));
}

#[test]
fn demo_runs_every_example() {
    let output = gongkai(&["demo"]);
    let text = stdout(&output);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(text.contains("5. "), "{text}");
    assert!(text.contains("(provisional)"), "{text}");
}

/// Runs `gongkai ARGS` against the SQLite database `db`, with `stdin` as standard input.
fn gongkai_db(db: &std::path::Path, args: &[&str], stdin: &str) -> Output {
    use std::io::Write as _;
    let mut child = Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .args(args)
        .env("GONGKAI_DATABASE_URL", format!("sqlite://{}", db.display()))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the binary runs");
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn a_platform_is_set_up_from_the_cli_and_reports_from_the_database_match_the_demo() {
    let dir = std::env::temp_dir().join(format!("gongkai-cli-db-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("gongkai.db");
    let ok = |args: &[&str], stdin: &str| {
        let output = gongkai_db(&db, args, stdin);
        assert!(output.status.success(), "{args:?}: {}", stderr(&output));
        stdout(&output)
    };
    assert!(ok(&["migrate"], "").contains("schema at version 19"));
    let loaded = ok(&["demo", "load"], "");
    assert!(loaded.contains("loaded DEMO-330300-SFJ: 9325 catalog items"), "{loaded}");
    assert_eq!(loaded.lines().count(), 7, "seven demo agencies: {loaded}");
    ok(
        &[
            "agency",
            "add",
            "--code",
            "330301",
            "--name",
            "温州市人民政府",
            "--kind",
            "government",
            "--region",
            "浙江省温州市",
        ],
        "",
    );
    assert!(ok(&["agency", "list"], "").contains("8 agencies"));
    ok(&["user", "add", "head1", "--name", "负责人"], "correct horse battery\n");
    ok(&["user", "grant", "head1", "head", "--agency", "DEMO-330300-SFJ"], "");

    // An agency API key: printed once, listed by prefix, revoked by id; an unknown scope is a usage error.
    let key = ok(
        &[
            "api-key",
            "issue",
            "--agency",
            "DEMO-330300-SFJ",
            "--name",
            "网站群",
            "--scope",
            "catalog:write",
        ],
        "",
    );
    let key = key.trim();
    assert!(key.starts_with("gk_") && key.len() == 80, "{key}");
    let listed = ok(&["api-key", "list", "--agency", "DEMO-330300-SFJ"], "");
    assert!(
        listed.contains(&key[..15]) && !listed.contains(key) && listed.contains("active"),
        "{listed}"
    );
    let id = listed.split('\t').next().unwrap().to_owned();
    assert!(ok(&["api-key", "revoke", "--agency", "DEMO-330300-SFJ", &id], "").contains("revoked"));
    assert!(ok(&["api-key", "list", "--agency", "DEMO-330300-SFJ"], "").contains("revoked"));
    let refused = gongkai_db(
        &db,
        &[
            "api-key",
            "issue",
            "--agency",
            "DEMO-330300-SFJ",
            "--name",
            "x",
            "--scope",
            "catalog:delete",
        ],
        "",
    );
    assert_eq!(refused.status.code(), Some(2));
    assert!(stderr(&refused).contains("unknown scope `catalog:delete`"), "{}", stderr(&refused));

    let refused = gongkai_db(&db, &["user", "grant", "head1", "emperor", "--agency", "330301"], "");
    assert_eq!(refused.status.code(), Some(2));
    assert!(stderr(&refused).contains("unknown role `emperor`"), "{}", stderr(&refused));
    let duplicate =
        gongkai_db(&db, &["agency", "add", "--code", "330301", "--name", "x", "--region", "y"], "");
    assert_eq!(duplicate.status.code(), Some(2));
    assert!(stderr(&duplicate).contains("already exists"));

    let verified = ok(&["audit-log", "verify"], "");
    let entries = |text: &str| -> usize {
        text.split("all ")
            .nth(1)
            .and_then(|rest| rest.split(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    };
    let before = entries(&verified);
    assert!(before > 7 && verified.contains("entries verify"), "{verified}");
    for year in ["2018", "2021"] {
        let from_db = dir.join(format!("db-{year}.json"));
        let from_demo = dir.join(format!("demo-{year}.json"));
        ok(
            &[
                "report",
                "--agency",
                "DEMO-330300-SFJ",
                "--year",
                year,
                "--out",
                from_db.to_str().unwrap(),
            ],
            "",
        );
        ok(
            &[
                "report",
                "--demo",
                "wenzhou-justice",
                "--year",
                year,
                "--out",
                from_demo.to_str().unwrap(),
            ],
            "",
        );
        assert_eq!(std::fs::read(&from_db).unwrap(), std::fs::read(&from_demo).unwrap(), "{year}");
    }
    let unknown = gongkai_db(&db, &["report", "--agency", "NOPE", "--year", "2018", "--check"], "");
    assert_eq!(unknown.status.code(), Some(2));

    // Next year's notice, entered when it appears; a second entry needs --correction.
    let notice = dir.join("2027.toml");
    std::fs::write(
        &notice,
        "year = 2027\n[[notice]]\nid = \"annual\"\ntitle = \"国务院办公厅关于2027年部分节假日安排的通知\"\nurl = \"https://www.gov.cn/\"\n\n[[holiday]]\nname = \"元旦\"\noff = [\"2027-01-01..2027-01-03\"]\n",
    )
    .unwrap();
    let notice = notice.to_str().unwrap();
    assert!(
        ok(&["calendar", "add", notice], "").contains("added calendar year 2027 from 2027.toml")
    );
    let again = gongkai_db(&db, &["calendar", "add", notice], "");
    assert_eq!(again.status.code(), Some(2));
    assert!(stderr(&again).contains("explicit correction"), "{}", stderr(&again));
    assert!(
        ok(&["calendar", "add", notice, "--correction"], "")
            .contains("corrected calendar year 2027")
    );
    let listed = ok(&["calendar", "list"], "");
    assert!(
        listed.contains("2027\tcorrection\t2027.toml") && listed.contains("2007–2027"),
        "{listed}"
    );
    let broken = dir.join("broken.toml");
    std::fs::write(&broken, "year = 2028\n").unwrap();
    let refused = gongkai_db(&db, &["calendar", "add", broken.to_str().unwrap()], "");
    assert_eq!(refused.status.code(), Some(2));
    assert!(stderr(&refused).contains("notice"), "{}", stderr(&refused));
    assert_eq!(
        entries(&ok(&["audit-log", "verify"], "")),
        before + 2,
        "two calendar years audited"
    );

    let bad_addr = gongkai_db(&db, &["serve", "--addr", "localhost"], "");
    assert_eq!(bad_addr.status.code(), Some(2));
    assert!(stderr(&bad_addr).contains("--addr"));
    let bad_proxy = gongkai_db(&db, &["serve", "--trusted-proxy", "10.0.0.0/8,balancer.local"], "");
    assert_eq!(bad_proxy.status.code(), Some(2));
    assert!(stderr(&bad_proxy).contains("--trusted-proxy"), "{}", stderr(&bad_proxy));
    assert!(stderr(&bad_proxy).contains("`balancer.local`"), "{}", stderr(&bad_proxy));
    std::fs::remove_dir_all(&dir).ok();
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gongkai-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `report` (gongkai's text rendering: a row's cells one per line after its label, a blank line after the
/// row) with the first and the last value of the row labelled `label` raised by one.
fn raise_row(report: &str, label: &str) -> String {
    let mut lines: Vec<String> = report.lines().map(str::to_owned).collect();
    let at = lines.iter().position(|line| line.trim() == label).unwrap();
    let end = at + 1 + lines[at + 1..].iter().position(|line| line.trim().is_empty()).unwrap();
    for index in [at + 1, end - 1] {
        let value: u64 = lines[index].trim().parse().unwrap();
        lines[index] = format!("\t{}", value + 1);
    }
    lines.join("\n") + "\n"
}

#[test]
fn audit_exit_codes_json_and_batch_summary() {
    let dir = scratch("audit");
    let path = |name: &str| dir.join(name).to_string_lossy().into_owned();
    // A report gongkai generates audits clean in every reading format: exit 0.
    for extension in ["html", "docx", "txt", "pdf"] {
        let out = path(&format!("r2021.{extension}"));
        let made =
            gongkai(&["report", "--demo", "wenzhou-justice", "--year", "2021", "--out", &out]);
        assert!(made.status.success(), "{}", stderr(&made));
        let audited = gongkai(&["audit", &out]);
        assert_eq!(audited.status.code(), Some(0), "{extension}: {}", stdout(&audited));
        assert!(stdout(&audited).contains("format 2021, year 2021"), "{}", stdout(&audited));
    }
    // A figure changed by hand: exit 1, the rule and the cell named; --json has the parsed table.
    let text = std::fs::read_to_string(path("r2021.txt")).unwrap();
    let tampered = text.replacen("本机关新收政府信息公开申请", "本机关新收政府信息公开申请1", 1);
    assert_ne!(tampered, text);
    std::fs::write(path("tampered.txt"), tampered).unwrap();
    let audited = gongkai(&["audit", &path("tampered.txt")]);
    assert_eq!(audited.status.code(), Some(1));
    assert!(stdout(&audited).contains("[prose.table]"), "{}", stdout(&audited));
    let json = gongkai(&["audit", "--json", &path("tampered.txt")]);
    let parsed: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(parsed[0]["format"], "2021");
    assert!(parsed[0]["tables"].as_array().unwrap().len() >= 3);
    assert_eq!(parsed[0]["findings"][0]["rule"], "prose.table");
    // No table: exit 2 with the reason.
    std::fs::write(path("letter.txt"), "关于某事的复函\n经研究，现答复如下。\n").unwrap();
    let refused = gongkai(&["audit", &path("letter.txt")]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(stdout(&refused).contains("no statistics table"), "{}", stdout(&refused));
    // No table read, but the prose alone has a breakdown that does not add up: shown, still exit 2.
    let opening = "某区2020年政府信息公开工作年度报告\n\
                   全年共公布政府信息2602条（其中机构职能类信息82条，政策文件类信息80条，规划计划类信息21条，\
                   其他信息2420条）。\n";
    std::fs::write(path("opening.txt"), opening).unwrap();
    let prose_only = gongkai(&["audit", &path("opening.txt")]);
    assert_eq!(prose_only.status.code(), Some(2));
    let printed = stdout(&prose_only);
    assert!(
        printed.contains("the prose alone (checks that need no table): 1 findings"),
        "{printed}"
    );
    assert!(
        printed.contains("[prose.parts_sum]") && printed.contains("expected 2603条, found 2602条")
    );
    std::fs::remove_file(path("opening.txt")).unwrap();
    // A folder: every report, a summary, exit 2 because one file has no table.
    let batch = gongkai(&["audit", "--summary", &dir.to_string_lossy()]);
    assert_eq!(batch.status.code(), Some(2));
    let summary = stdout(&batch);
    assert!(
        summary.contains("6 reports: 4 without findings, 1 with findings, 1 unreadable"),
        "{summary}"
    );
    assert!(summary.contains("温州市司法局\t2021\t2021\t0"), "{summary}");
    // Two years of one agency given together: 2022's 上年结转 against 2021's 结转下年度, which was raised by
    // one (自然人 and 总计) in 2021's copy only.
    let years = scratch("audit-years");
    let at = |name: &str| years.join(name).to_string_lossy().into_owned();
    for year in ["2021", "2022"] {
        let out = at(&format!("{year}.txt"));
        let made = gongkai(&["report", "--demo", "wenzhou-justice", "--year", year, "--out", &out]);
        assert!(made.status.success(), "{}", stderr(&made));
    }
    let last = std::fs::read_to_string(at("2021.txt")).unwrap();
    std::fs::write(at("2021.txt"), raise_row(&last, "四、结转下年度继续办理")).unwrap();
    let this_alone = gongkai(&["audit", &at("2022.txt")]);
    assert_eq!(this_alone.status.code(), Some(0), "{}", stdout(&this_alone));
    let both = gongkai(&["audit", &at("2021.txt"), &at("2022.txt")]);
    let printed = stdout(&both);
    assert_eq!(printed.matches("[t3.carry_over]").count(), 2, "自然人 and 总计: {printed}");
    assert!(printed.contains("（与2021年报告核对）"), "{printed}");
    std::fs::remove_dir_all(&years).ok();
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn registers_import_all_or_nothing_and_export_back() {
    let dir = scratch("registers");
    let db = format!("sqlite://{}", dir.join("gongkai.db").display());
    let added = gongkai(&[
        "agency",
        "add",
        "--db",
        &db,
        "--code",
        "T1",
        "--name",
        "测试局",
        "--region",
        "浙江省温州市",
    ]);
    assert!(added.status.success(), "{}", stderr(&added));
    let bad = dir.join("bad.csv");
    std::fs::write(
        &bad,
        "申请编号,申请人类型,申请方式,申请日期,确认日期,答复日期,答复结果\n\
         A1,自然人,网络,2025-03-03,2025-03-03,2025-03-20,予以公开\n\
         A2,外星人,网络,2025-03-03,2025-03-03,,\n",
    )
    .unwrap();
    let refused =
        gongkai(&["import", "applications", "--db", &db, "--agency", "T1", &bad.to_string_lossy()]);
    assert_eq!(refused.status.code(), Some(1));
    let report = stdout(&refused);
    assert!(report.contains("1 problems; nothing was imported"), "{report}");
    assert!(report.contains("3\t申请人类型\t“外星人”无法识别"), "{report}");
    let good = dir.join("good.csv");
    std::fs::write(&good, "申请编号,申请人类型,申请方式,申请日期,确认日期,答复日期,答复结果,备注\nA1,自然人,网络,2025-03-03,2025-03-03,2025-03-20,予以公开,\n").unwrap();
    let imported = gongkai(&[
        "import",
        "applications",
        "--db",
        &db,
        "--agency",
        "T1",
        &good.to_string_lossy(),
    ]);
    assert!(imported.status.success(), "{}", stderr(&imported));
    assert!(
        stdout(&imported).contains("columns not read (map them with --map HEADER=FIELD): 备注")
    );
    assert!(
        stdout(&imported).contains("1 rows, 1 added, 0 already present"),
        "{}",
        stdout(&imported)
    );
    let again = gongkai(&[
        "import",
        "applications",
        "--db",
        &db,
        "--agency",
        "T1",
        &good.to_string_lossy(),
    ]);
    assert!(stdout(&again).contains("1 rows, 0 added, 1 already present"), "{}", stdout(&again));
    let out = dir.join("out.xlsx");
    let exported = gongkai(&[
        "export",
        "applications",
        "--db",
        &db,
        "--agency",
        "T1",
        "--out",
        &out.to_string_lossy(),
    ]);
    assert!(exported.status.success(), "{}", stderr(&exported));
    let wrong =
        gongkai(&["export", "applications", "--db", &db, "--agency", "T1", "--out", "x.pdf"]);
    assert_eq!(wrong.status.code(), Some(2));
    assert!(
        stderr(&wrong).contains("error: --out: `x.pdf`: use a .xlsx or .csv file"),
        "{}",
        stderr(&wrong)
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// Writes an age identity file as `age-keygen` does (comments, then the secret key) and returns its public key.
fn age_identity_file(path: &std::path::Path) -> String {
    use age::secrecy::ExposeSecret as _;
    let identity = age::x25519::Identity::generate();
    let recipient = identity.to_public().to_string();
    std::fs::write(
        path,
        format!(
            "# created: by the test\n# public key: {recipient}\n{}\n",
            identity.to_string().expose_secret()
        ),
    )
    .unwrap();
    recipient
}

#[test]
fn encrypted_backup_restores_only_with_a_recipients_identity_issue_16() {
    let dir = scratch("encrypted-backup");
    let source = dir.join("source.db");
    let path = |name: &str| dir.join(name).to_string_lossy().into_owned();
    let ok = |db: &std::path::Path, args: &[&str], stdin: &str| {
        let output = gongkai_db(db, args, stdin);
        assert!(output.status.success(), "{args:?}: {}", stderr(&output));
        stdout(&output)
    };
    ok(
        &source,
        &["agency", "add", "--code", "T1", "--name", "测试局", "--region", "浙江省温州市"],
        "",
    );
    ok(&source, &["user", "add", "head1", "--name", "负责人"], "correct horse battery\n");
    ok(&source, &["user", "grant", "head1", "head", "--agency", "T1"], "");
    ok(&source, &["backup", &path("source.jsonl")], "");

    // Two recipients: one by its key, one from a recipients file with a comment.
    let first = age_identity_file(&dir.join("first.key"));
    let second = age_identity_file(&dir.join("second.key"));
    std::fs::write(dir.join("recipients.txt"), format!("# the offline key\n\n{second}\n")).unwrap();
    let written = ok(
        &source,
        &[
            "backup",
            "--encrypt-to",
            &first,
            "--encrypt-to",
            &path("recipients.txt"),
            &path("b.age"),
        ],
        "",
    );
    assert!(written.contains("(encrypted to 2 recipients)"), "{written}");
    let encrypted = std::fs::read(dir.join("b.age")).unwrap();
    assert!(encrypted.starts_with(b"age-encryption.org/v1\n"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.join("b.age")).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "a backup is readable by its owner only");
    }
    let plaintext = std::fs::read(dir.join("source.jsonl")).unwrap();
    let contains =
        |haystack: &[u8], needle: &[u8]| haystack.windows(needle.len()).any(|w| w == needle);
    for known in ["head1", "测试局", "$argon2", "gongkai_backup", "SQLite format 3"] {
        assert!(!contains(&encrypted, known.as_bytes()), "`{known}` in the encrypted backup");
    }
    assert!(contains(&plaintext, b"head1") && contains(&plaintext, "测试局".as_bytes()));

    let target = dir.join("target.db");
    ok(&target, &["migrate"], "");
    let refused = gongkai_db(&target, &["restore", &path("b.age")], "");
    assert_eq!(refused.status.code(), Some(2));
    let message = stderr(&refused);
    assert!(
        message.contains("error: --identity: `")
            && message.contains("b.age` is an encrypted backup (age)")
            && message.contains("give the identity file that decrypts it with --identity FILE"),
        "{message}"
    );
    age_identity_file(&dir.join("stranger.key"));
    let wrong =
        gongkai_db(&target, &["restore", "--identity", &path("stranger.key"), &path("b.age")], "");
    assert_eq!(wrong.status.code(), Some(2));
    assert!(
        stderr(&wrong).contains("--identity: `")
            && stderr(&wrong).contains("no identity in it is a recipient"),
        "{}",
        stderr(&wrong)
    );
    // A public key is not an identity.
    let not_identity = gongkai_db(
        &target,
        &["restore", "--identity", &path("recipients.txt"), &path("b.age")],
        "",
    );
    assert_eq!(not_identity.status.code(), Some(2));
    assert!(
        stderr(&not_identity).contains("recipients.txt`: not an age identity file"),
        "{}",
        stderr(&not_identity)
    );
    // A damaged file (its last byte changed) fails its authentication.
    let mut damaged = encrypted.clone();
    *damaged.last_mut().unwrap() ^= 1;
    std::fs::write(dir.join("damaged.age"), damaged).unwrap();
    let damaged = gongkai_db(
        &target,
        &["restore", "--identity", &path("first.key"), &path("damaged.age")],
        "",
    );
    assert_eq!(damaged.status.code(), Some(2), "{}", stderr(&damaged));
    assert!(ok(&target, &["agency", "list"], "").contains("0 agencies"), "all or nothing");

    // Either recipient's identity restores every record.
    for (key, db) in [("first.key", &target), ("second.key", &dir.join("other.db"))] {
        let restored = ok(db, &["restore", "--identity", &path(key), &path("b.age")], "");
        assert!(restored.contains("(decrypted)"), "{restored}");
        let copy = path(&format!("{key}.jsonl"));
        ok(db, &["backup", &copy], "");
        assert_eq!(std::fs::read(&copy).unwrap(), plaintext, "{key}: the same rows");
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn backup_refuses_a_bad_recipient_naming_the_flag_issue_16() {
    use age::secrecy::ExposeSecret as _;
    let dir = scratch("bad-recipient");
    let db = dir.join("never-created.db");
    let out = dir.join("b.age").to_string_lossy().into_owned();
    let secret = age::x25519::Identity::generate().to_string().expose_secret().to_owned();
    let recipients = dir.join("recipients.txt");
    let valid = age::x25519::Identity::generate().to_public().to_string();
    std::fs::write(&recipients, format!("# comment\n{valid}\nssh-ed25519 AAAA\n")).unwrap();
    let recipients = recipients.to_string_lossy().into_owned();
    let cases: [(&str, &str); 5] = [
        ("age1notakey", "`age1notakey` is not an age X25519 recipient"),
        (
            "no-such-file",
            "`no-such-file` is neither an age X25519 recipient (`age1…`) nor a file of them",
        ),
        (&secret, "the value is an age secret key"),
        (&recipients, "line 3 is not an age X25519 recipient"),
        ("", "neither"),
    ];
    for (value, message) in cases {
        let output =
            gongkai_db(&db, &["backup", "--encrypt-to", &valid, "--encrypt-to", value, &out], "");
        let text = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{value}: {text}");
        assert!(
            text.contains("error: --encrypt-to: ") && text.contains(message),
            "{value}: {text}"
        );
        assert!(!text.contains(&secret), "the secret key is never echoed: {text}");
    }
    assert!(!db.exists(), "nothing opened or written");
    assert!(!dir.join("b.age").exists() && !dir.join("b.age.partial").exists());
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn agencies_import_from_a_sheet_export_to_toml_and_read_back_issue_17() {
    let dir = scratch("agencies");
    let db = format!("sqlite://{}", dir.join("gongkai.db").display());
    let run = |args: &[&str]| {
        let mut all = args.to_vec();
        all.extend_from_slice(&["--db", &db]);
        gongkai(&all)
    };
    // A sheet as an office keeps it: a title row, Chinese kinds, departments taking the city's region.
    let sheet = dir.join("机构.csv");
    std::fs::write(
        &sheet,
        "某市机构名录,,,,,\n\
         机构代码,机构名称,机构类型,上级机构代码,地区,联系电话\n\
         SFJ,某市司法局,部门,CITY,,0577-88000001\n\
         CITY,某市人民政府,政府,PROV,浙江省某市,0577-88000002\n\
         PROV,浙江省人民政府,政府,,浙江省,0571-88000003\n",
    )
    .unwrap();
    let imported = run(&["agency", "import", &sheet.to_string_lossy()]);
    assert!(imported.status.success(), "{}", stderr(&imported));
    assert!(
        stdout(&imported).contains("3 agencies, 3 added, 0 changed, 0 unchanged"),
        "{}",
        stdout(&imported)
    );
    let again = run(&["agency", "import", &sheet.to_string_lossy()]);
    assert!(
        stdout(&again).contains("3 agencies, 0 added, 0 changed, 3 unchanged"),
        "{}",
        stdout(&again)
    );

    // A list without a parent column (phone numbers only) keeps every agency where it is.
    let phones = dir.join("电话.csv");
    std::fs::write(
        &phones,
        "机构代码,机构名称,机构类型,联系电话
SFJ,某市司法局,部门,0577-88000009
",
    )
    .unwrap();
    let updated = run(&["agency", "import", &phones.to_string_lossy()]);
    assert!(stdout(&updated).contains("1 agencies, 0 added, 1 changed"), "{}", stdout(&updated));
    let listed = stdout(&run(&["agency", "list"]));
    assert!(listed.contains("SFJ	某市司法局	department	浙江省某市	parent CITY"), "{listed}");

    // A cycle and a missing parent: each named with its row, nothing written.
    let bad = dir.join("bad.csv");
    std::fs::write(
        &bad,
        "机构代码,机构名称,机构类型,上级机构代码\n\
         PROV,浙江省人民政府,政府,SFJ\n\
         NEW,新局,部门,NOWHERE\n",
    )
    .unwrap();
    let refused = run(&["agency", "import", &bad.to_string_lossy()]);
    assert_eq!(refused.status.code(), Some(1), "{}", stderr(&refused));
    let report = stdout(&refused);
    assert!(report.contains("2 problems; nothing was written"), "{report}");
    assert!(report.contains("2\t上级机构代码\t上级关系成环：PROV → SFJ → CITY → PROV"), "{report}");
    assert!(
        report.contains("3\t上级机构代码\t上级机构“NOWHERE”不在文件中，也不在平台上"),
        "{report}"
    );

    // Edit, close into a successor, export, and the export reads back unchanged.
    let edited =
        run(&["agency", "edit", "SFJ", "--fax", "0577-88000010", "--email", "sfj@example.gov.cn"]);
    assert!(stdout(&edited).contains("1 agencies, 0 added, 1 changed"), "{}", stdout(&edited));
    let added = run(&["agency", "import", &{
        let file = dir.join("new.toml");
        std::fs::write(
            &file,
            "[[agency]]\ncode = \"SFJ2\"\nname = \"某市司法局（新）\"\nkind = \"department\"\nparent = \"CITY\"\n\n\
             [[agency.leader]]\nname = \"张三\"\npost = \"局长\"\n",
        )
        .unwrap();
        file.to_string_lossy().into_owned()
    }]);
    assert!(added.status.success(), "{}", stdout(&added));
    let closed = run(&["agency", "close", "SFJ", "--successor", "SFJ2", "--on", "2026-06-30"]);
    assert!(
        stdout(&closed).contains("closed SFJ on 2026-06-30; its work passes to SFJ2"),
        "{}",
        stderr(&closed)
    );
    let twice = run(&["agency", "close", "SFJ"]);
    assert_eq!(twice.status.code(), Some(2));
    assert!(stderr(&twice).contains("was closed on 2026-06-30"), "{}", stderr(&twice));
    let out = dir.join("out.toml");
    let exported = run(&["agency", "export", "CITY", "--out", &out.to_string_lossy()]);
    assert!(stdout(&exported).contains("wrote 3 agencies"), "{}", stderr(&exported));
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(
        text.contains("closed_on = \"2026-06-30\"") && text.contains("successor = \"SFJ2\""),
        "{text}"
    );
    assert!(
        text.contains("fax = \"0577-88000010\"") && text.contains("region = \"浙江省某市\""),
        "{text}"
    );
    assert!(!text.contains("code = \"PROV\""), "only CITY and what is under it:\n{text}");
    let back = run(&["agency", "import", &out.to_string_lossy()]);
    assert!(
        stdout(&back).contains("3 agencies, 0 added, 0 changed, 3 unchanged"),
        "{}",
        stdout(&back)
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn registers_of_reviews_and_lawsuits_import_all_or_nothing_issue_17() {
    let dir = scratch("cases");
    let db = format!("sqlite://{}", dir.join("gongkai.db").display());
    let run = |args: &[&str]| {
        let mut all = args.to_vec();
        all.extend_from_slice(&["--db", &db]);
        gongkai(&all)
    };
    assert!(
        run(&["agency", "add", "--code", "T3", "--name", "测试局", "--region", "浙江省温州市"])
            .status
            .success()
    );
    let applications = dir.join("申请.csv");
    std::fs::write(&applications, "申请编号,申请人类型,申请方式,收到申请日期,答复日期,办理结果\nA1,自然人,当面,2025-03-03,2025-03-20,予以公开\n").unwrap();
    assert!(
        run(&["import", "applications", "--agency", "T3", &applications.to_string_lossy()])
            .status
            .success()
    );

    let reviews = dir.join("复议.csv");
    std::fs::write(
        &reviews,
        "某局行政复议台账,,,\n申请编号,复议申请日期,复议结果,决定日期\n\
         A1,2025-05-06,驳回复议申请,2025-06-20\n,2025-11-03,审理中,\n",
    )
    .unwrap();
    let imported = run(&["import", "reviews", "--agency", "T3", &reviews.to_string_lossy()]);
    assert!(
        stdout(&imported).contains("2 rows, 2 added, 0 already present (行政复议台账)"),
        "{}{}",
        stdout(&imported),
        stderr(&imported)
    );
    let again = run(&["import", "reviews", "--agency", "T3", &reviews.to_string_lossy()]);
    assert!(stdout(&again).contains("2 rows, 0 added, 2 already present"), "{}", stdout(&again));

    // Bad rows: every problem with its row; a result no column has, a decision before the filing.
    let bad = dir.join("诉讼.csv");
    std::fs::write(
        &bad,
        "起诉日期,是否经复议,申请编号,判决结果,判决日期\n\
         2025-08-01,是,A1,部分支持,2025-10-01\n2025-09-01,否,,确认违法,2025-08-01\n",
    )
    .unwrap();
    let refused = run(&["import", "lawsuits", "--agency", "T3", &bad.to_string_lossy()]);
    assert_eq!(refused.status.code(), Some(1));
    let report = stdout(&refused);
    assert!(report.contains("2\t判决结果\t无法识别的结果“部分支持”"), "{report}");
    assert!(
        report.contains("3\t判决日期\t判决日期 2025-08-01 早于起诉日期 2025-09-01"),
        "{report}"
    );
    // An application the agency does not have: refused, nothing written.
    let foreign = dir.join("诉讼2.csv");
    std::fs::write(
        &foreign,
        "起诉日期,申请编号,判决结果,判决日期\n2025-08-01,NOPE,维持,2025-10-01\n",
    )
    .unwrap();
    let refused = run(&["import", "lawsuits", "--agency", "T3", &foreign.to_string_lossy()]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        stderr(&refused).contains("application `NOPE` does not exist: nothing was imported"),
        "{}",
        stderr(&refused)
    );
    // Responses, trainings and meetings, as offices list them.
    for (which, text, expected) in [
        (
            "responses",
            "日期,回应方式,回应事项,主要负责同志参加\n2025-03-15,召开新闻发布会,法律援助新政,是\n2025-04-02,解读稿件,,否\n",
            "2 rows, 2 added",
        ),
        (
            "trainings",
            "培训日期,培训名称,参训人次\n2025-05-20,政务公开业务培训,35人次\n",
            "1 rows, 1 added",
        ),
        ("meetings", "会议日期,会议名称\n2025-02-11,政务公开工作推进会\n", "1 rows, 1 added"),
    ] {
        let file = dir.join(format!("{which}.csv"));
        std::fs::write(&file, text).unwrap();
        let imported = run(&["import", which, "--agency", "T3", &file.to_string_lossy()]);
        assert!(
            stdout(&imported).contains(expected),
            "{which}: {}{}",
            stdout(&imported),
            stderr(&imported)
        );
        let again = run(&["import", which, "--agency", "T3", &file.to_string_lossy()]);
        assert!(stdout(&again).contains("0 added"), "{which}: {}", stdout(&again));
    }
    let bad = dir.join("回应.csv");
    std::fs::write(&bad, "日期,回应方式\n2025-03-15,座谈会\n").unwrap();
    let refused = run(&["import", "responses", "--agency", "T3", &bad.to_string_lossy()]);
    assert!(stdout(&refused).contains("2\t回应方式\t“座谈会”无法识别"), "{}", stdout(&refused));
    std::fs::remove_dir_all(&dir).ok();
}

/// Issue #21: `serve --log-format json` writes one JSON object a line to stderr, a request's lines carrying
/// its id (`X-Request-Id`, the proxy's when it sends one), and the answer repeats the id.
#[test]
fn serve_writes_json_log_lines_with_the_request_id() {
    use std::io::{BufRead, BufReader, Read, Write};
    let dir = scratch("json-logs");
    let mut child = Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .args(["serve", "--addr", "127.0.0.1:0", "--no-rate-limit", "--log-format", "json", "--db"])
        .arg(format!("sqlite://{}", dir.join("gongkai.db").display()))
        .arg("--index")
        .arg(dir.join("index"))
        .arg("--secret-file")
        .arg(dir.join("secret.key"))
        .env("GONGKAI_LOG", "info,tower_http=debug")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let address = line
        .split_whitespace()
        .find_map(|word| word.strip_prefix("http://"))
        .expect("serving on URL")
        .trim_end_matches('/')
        .to_owned();
    let mut stream = std::net::TcpStream::connect(&address).unwrap();
    stream
        .write_all(b"GET /livez HTTP/1.1\r\nHost: gongkai\r\nX-Request-Id: req-7f3a\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.to_ascii_lowercase().contains("x-request-id: req-7f3a"), "{answer}");
    // A request without an id, or with one that is no plain token, gets one made here (a UUID).
    for extra in ["", "X-Request-Id: \"quoted\" id with spaces\r\n"] {
        let mut stream = std::net::TcpStream::connect(&address).unwrap();
        let request =
            format!("GET /livez HTTP/1.1\r\nHost: gongkai\r\n{extra}Connection: close\r\n\r\n");
        stream.write_all(request.as_bytes()).unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        let id = answer
            .lines()
            .find_map(|line| {
                line.to_ascii_lowercase().strip_prefix("x-request-id: ").map(str::to_owned)
            })
            .unwrap_or_else(|| panic!("{answer}"));
        assert_eq!(id.len(), 36, "a UUID: {id}");
    }
    std::thread::sleep(std::time::Duration::from_millis(300));
    child.kill().unwrap();
    let mut logs = String::new();
    child.stderr.take().unwrap().read_to_string(&mut logs).unwrap();
    child.wait().unwrap();
    let lines: Vec<serde_json::Value> = logs
        .lines()
        .map(|line| {
            serde_json::from_str(line).unwrap_or_else(|err| panic!("not JSON ({err}): {line}"))
        })
        .collect();
    let of_request: Vec<&serde_json::Value> =
        lines.iter().filter(|line| line["span"]["request_id"] == "req-7f3a").collect();
    assert!(!of_request.is_empty(), "{logs}");
    assert_eq!(of_request[0]["span"]["path"], "/livez", "{logs}");
    std::fs::remove_dir_all(&dir).ok();
}

/// `gongkai` with every inherited `GONGKAI_*` variable removed (the tests set their own).
fn gongkai_clean_env() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_gongkai"));
    for (name, _) in std::env::vars().filter(|(name, _)| name.starts_with("GONGKAI_")) {
        command.env_remove(name);
    }
    command
}

/// Issue #21: every setting of `serve` comes from a flag, a `GONGKAI_*` variable, the `--config` file or its
/// default, the first that gives one winning; `config check` shows each with where it came from, masks the
/// secrets, and its output is itself a configuration file; a misspelt key or settings that need one another
/// are refused; `serve` listens and stores where the file says.
#[test]
fn settings_come_from_a_flag_a_variable_the_file_or_the_default_in_that_order() {
    let dir = scratch("config");
    let file = dir.join("gongkai.toml");
    std::fs::write(
        &file,
        r#"# a province's instance
addr = "0.0.0.0:8080"
db = "postgres://gongkai:s3cret@db.internal:5432/gongkai?sslmode=require"
threads = 3
log-format = "json"
no-rate-limit = false
trusted-proxy = ["10.0.0.0/8", "192.0.2.10"]
smtp-url = "smtp://mailer:hunter2@mail.example.gov.cn:587?tls=required"
mail-from = "某市司法局 <gongkai@example.gov.cn>"
"#,
    )
    .unwrap();
    let check = gongkai_clean_env()
        .args(["config", "check", "--threads", "2", "--config"])
        .arg(&file)
        .env("GONGKAI_LOG_FORMAT", "text")
        .env("GONGKAI_NO_RATE_LIMIT", "yes")
        .output()
        .unwrap();
    let shown = stdout(&check);
    assert_eq!(check.status.code(), Some(0), "{shown}{}", stderr(&check));
    for line in [
        "addr = \"0.0.0.0:8080\"  # file",
        "db = \"postgres://gongkai:***@db.internal:5432/gongkai?sslmode=require\"  # file",
        "threads = 2  # flag",
        "log-format = \"text\"  # GONGKAI_LOG_FORMAT",
        "no-rate-limit = true  # GONGKAI_NO_RATE_LIMIT",
        "index = \"gongkai-index\"  # default",
        "trusted-proxy = [\"10.0.0.0/8\", \"192.0.2.10\"]  # file",
        "smtp-url = \"smtp://mailer:***@mail.example.gov.cn:587?tls=required\"  # file",
        "# sms-url is not set (GONGKAI_SMS_URL)",
    ] {
        assert!(shown.lines().any(|shown| shown == line), "missing `{line}` in\n{shown}");
    }
    assert!(!shown.contains("s3cret") && !shown.contains("hunter2"), "{shown}");
    // The output is a configuration file: read back, it gives the same settings (now all from the file).
    let again = dir.join("again.toml");
    std::fs::write(&again, &shown).unwrap();
    let reread =
        gongkai_clean_env().args(["config", "check", "--config"]).arg(&again).output().unwrap();
    assert_eq!(reread.status.code(), Some(0), "{}", stderr(&reread));
    assert!(stdout(&reread).contains("threads = 2  # file"), "{}", stdout(&reread));
    assert!(stdout(&reread).contains("no-rate-limit = true  # file"), "{}", stdout(&reread));

    // Refused, exit 2, naming what to fix: a misspelt key (with its line), a bad value from the file,
    // a sender without a server.
    for (text, expected) in [
        ("addr = \"0.0.0.0:8080\"\ntrusted-proxies = \"10.0.0.0/8\"\n", "trusted-proxies"),
        ("addr = \"localhost\"\n", "--addr"),
        ("log = \"info,,=\"\n", "--log"),
        ("mail-from = \"a <a@example.gov.cn>\"\n", "mail-from"),
        ("trusted-proxy = \"10.0.0.0/33\"\n", "--trusted-proxy"),
    ] {
        std::fs::write(&file, text).unwrap();
        let refused =
            gongkai_clean_env().args(["config", "check", "--config"]).arg(&file).output().unwrap();
        assert_eq!(refused.status.code(), Some(2), "{text}: {}", stdout(&refused));
        assert!(stderr(&refused).contains(expected), "{text}: {}", stderr(&refused));
    }
    // A flag undoes the file's `true` (`--flag=false`); a variable saying `false` is no conflict; a sender
    // given as a flag with its server in the file is whole (a review found clap refusing the last two).
    std::fs::write(&file, "no-rate-limit = true\nsmtp-url = \"smtp://localhost:25\"\n").unwrap();
    let combined = gongkai_clean_env()
        .args(["config", "check", "--no-rate-limit=false", "--insecure-cookies"])
        .args(["--mail-from", "某局 <gongkai@example.gov.cn>", "--config"])
        .arg(&file)
        .env("GONGKAI_HSTS", "false")
        .output()
        .unwrap();
    assert_eq!(combined.status.code(), Some(0), "{}", stderr(&combined));
    for line in [
        "no-rate-limit = false  # flag",
        "hsts = false  # GONGKAI_HSTS",
        "insecure-cookies = true  # flag",
    ] {
        assert!(
            stdout(&combined).lines().any(|shown| shown == line),
            "{line}: {}",
            stdout(&combined)
        );
    }
    let both = gongkai_clean_env()
        .args(["config", "check", "--insecure-cookies", "--hsts"])
        .output()
        .unwrap();
    assert_eq!(both.status.code(), Some(2), "{}", stdout(&both));
    let unknown = {
        std::fs::write(&file, "addr = \"0.0.0.0:8080\"\ntrusted-proxies = \"10.0.0.0/8\"\n")
            .unwrap();
        gongkai_clean_env().args(["config", "check", "--config"]).arg(&file).output().unwrap()
    };
    assert!(stderr(&unknown).contains("line 2"), "{}", stderr(&unknown));

    // `serve` takes the file's address, database, index and key file (no flags).
    std::fs::write(
        &file,
        format!(
            "addr = \"127.0.0.1:0\"\ndb = \"sqlite://{}\"\nindex = \"{}\"\nsecret-file = \"{}\"\nno-rate-limit = true\n",
            dir.join("from-file.db").display(),
            dir.join("index").display(),
            dir.join("secret.key").display()
        ),
    )
    .unwrap();
    let mut child = gongkai_clean_env()
        .args(["serve", "--config"])
        .arg(&file)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.stdout.take().unwrap()),
        &mut line,
    )
    .unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(line.starts_with("gongkai serving on http://127.0.0.1:"), "{line}");
    assert!(dir.join("from-file.db").exists() && dir.join("secret.key").exists());
    std::fs::remove_dir_all(&dir).ok();
}

/// Issue #21: a served instance verifies the audit chain and writes a backup on its own soon after start
/// (then daily, and every --backup-every hours), keeps only the newest --backup-keep backups, and says so in
/// `/metrics`; the backup restores.
#[test]
fn the_server_verifies_the_audit_chain_and_backs_up_on_schedule() {
    use std::io::{BufRead, BufReader, Read, Write};
    let dir = scratch("duties");
    let backups = dir.join("backups");
    std::fs::create_dir_all(&backups).unwrap();
    // Two old backups of the schedule's and a file of someone else's: with --backup-keep 2, the oldest of
    // ours goes, the other file stays.
    for name in [
        "gongkai-backup-20200101T000000Z.jsonl",
        "gongkai-backup-20200102T000000Z.jsonl",
        "notes.txt",
    ] {
        std::fs::write(backups.join(name), "old").unwrap();
    }
    let db = format!("sqlite://{}", dir.join("gongkai.db").display());
    let mut child = gongkai_clean_env()
        .args(["serve", "--demo", "--addr", "127.0.0.1:0", "--backup-keep", "2", "--db", &db])
        .arg("--backup-dir")
        .arg(&backups)
        .arg("--index")
        .arg(dir.join("index"))
        .arg("--secret-file")
        .arg(dir.join("secret.key"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let address = line
        .split_whitespace()
        .find_map(|word| word.strip_prefix("http://"))
        .expect("serving on URL")
        .trim_end_matches('/')
        .to_owned();
    let scrape = || {
        let mut stream = std::net::TcpStream::connect(&address).unwrap();
        stream
            .write_all(b"GET /metrics HTTP/1.1\r\nHost: gongkai\r\nConnection: close\r\n\r\n")
            .unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        answer
    };
    let ours = || {
        let mut names: Vec<String> = std::fs::read_dir(&backups)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    let started = std::time::Instant::now();
    let mut metrics = String::new();
    while started.elapsed() < std::time::Duration::from_secs(60) {
        metrics = scrape();
        let names = ours();
        let pruned = !names.contains(&"gongkai-backup-20200101T000000Z.jsonl".to_owned());
        let whole = names.len() == 3 && !names.iter().any(|name| name.ends_with(".partial"));
        if metrics.lines().any(|line| line == "gongkai_audit_chain_intact 1") && pruned && whole {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(500));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(metrics.lines().any(|line| line == "gongkai_audit_chain_intact 1"), "{metrics}");
    let verified = metrics
        .lines()
        .find_map(|line| line.strip_prefix("gongkai_audit_chain_last_verified_timestamp_seconds "))
        .and_then(|value| value.parse::<f64>().ok())
        .unwrap_or_default();
    assert!(verified > 1.7e9, "{metrics}");
    let names = ours();
    assert_eq!(names.len(), 3, "{names:?}");
    assert_eq!(names[0], "gongkai-backup-20200102T000000Z.jsonl", "{names:?}");
    assert!(names[1].starts_with("gongkai-backup-") && names[1].ends_with(".jsonl"), "{names:?}");
    assert_eq!(names[2], "notes.txt");
    // The scheduled backup is a whole backup: it restores into an empty database.
    let restored = gongkai(&[
        "restore",
        "--db",
        &format!("sqlite://{}", dir.join("restored.db").display()),
        &backups.join(&names[1]).to_string_lossy(),
    ]);
    assert_eq!(restored.status.code(), Some(0), "{}", stderr(&restored));
    std::fs::remove_dir_all(&dir).ok();
}
