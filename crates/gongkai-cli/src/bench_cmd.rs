//! `gongkai bench`: measurements on any corpus.
//!
//! - `bench corpus` samples the paragraphs of a folder of Markdown texts (such as a corpus of legal texts)
//!   into documents of 0.5–5 KB as JSON Lines (`id`, `title`, `body`, `year`, `category`), and a query file
//!   of words drawn from the same texts;
//! - `bench search` indexes such a corpus and reports the build rate, index size, peak memory and the
//!   single-threaded latency (p50/p95/p99) and QPS of a query file, top 10 hits.

use std::io::{BufRead, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use clap::{Args, Subcommand};
use serde::Deserialize;

use crate::{Outcome, UsageError};

#[derive(Debug, Subcommand)]
pub(crate) enum BenchCommand {
    /// Sample a folder of Markdown texts into a JSON Lines corpus and a query file.
    Corpus(CorpusArgs),
    /// Index a JSON Lines corpus and time a query file against it.
    Search(SearchArgs),
    /// Write a folder of generated annual reports (three formats; HTML, DOCX and text) for `gongkai audit`.
    Reports(ReportsArgs),
    /// Write a generated application register (CSV or XLSX) for `gongkai import applications`.
    Register(RegisterArgs),
    /// Write a generated province of agencies (TOML) for `gongkai agency import`.
    Agencies(AgenciesArgs),
}

#[derive(Debug, Args)]
pub(crate) struct AgenciesArgs {
    /// How many agencies.
    #[arg(long, default_value_t = 3_000)]
    count: usize,
    /// The TOML file to write.
    #[arg(long, value_name = "FILE.toml")]
    out: PathBuf,
}

#[derive(Debug, Args)]
pub(crate) struct ReportsArgs {
    /// How many reports.
    #[arg(long, default_value_t = 1_000)]
    count: usize,
    /// The folder to write them to (created).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
}

#[derive(Debug, Args)]
pub(crate) struct RegisterArgs {
    /// How many rows.
    #[arg(long, default_value_t = 100_000)]
    rows: usize,
    /// The file to write; the extension picks csv or xlsx.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
}

#[derive(Debug, Args)]
pub(crate) struct CorpusArgs {
    /// Folder searched recursively for `.md` files.
    #[arg(long, value_name = "DIR")]
    from: PathBuf,
    /// Number of documents to write.
    #[arg(long, default_value_t = 1_000_000)]
    docs: usize,
    /// The JSON Lines file to write.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// The query file to write (one query per line).
    #[arg(long, value_name = "FILE")]
    queries_out: PathBuf,
    /// Number of queries.
    #[arg(long, default_value_t = 200)]
    queries: usize,
    /// Seed of the sampling (the same seed gives the same files).
    #[arg(long, default_value_t = 2026)]
    seed: u64,
}

#[derive(Debug, Args)]
pub(crate) struct SearchArgs {
    /// JSON Lines with `id`, `title`, `body`, `year`, `category`.
    #[arg(long, value_name = "FILE.jsonl")]
    corpus: PathBuf,
    /// One query per line.
    #[arg(long, value_name = "FILE")]
    queries: PathBuf,
    /// Where to build the index (default: a new temporary directory, removed afterwards).
    #[arg(long, value_name = "DIR")]
    index_dir: Option<PathBuf>,
    /// Reuse an index already built in `--index-dir` instead of building it.
    #[arg(long, requires = "index_dir")]
    reuse: bool,
    /// Times each query is run (after one warm-up run of the whole file).
    #[arg(long, default_value_t = 5)]
    rounds: usize,
}

pub(crate) fn run(command: &BenchCommand, out: &mut impl Write) -> anyhow::Result<Outcome> {
    match command {
        BenchCommand::Corpus(args) => corpus(args, out),
        BenchCommand::Search(args) => search(args, out),
        BenchCommand::Reports(args) => reports(args, out),
        BenchCommand::Register(args) => register(args, out),
        BenchCommand::Agencies(args) => agencies(args, out),
    }
}

/// A province's agencies, as `gongkai agency import` reads them: the provincial government and its
/// departments, its cities with theirs, their counties with theirs — `count` in all, every one with its
/// contact details and 机构概况.
fn agencies(args: &AgenciesArgs, out: &mut impl Write) -> anyhow::Result<Outcome> {
    use gongkai_core::directory::AgencyEntry;
    let departments = [
        "发展和改革委员会",
        "教育局",
        "公安局",
        "民政局",
        "司法局",
        "财政局",
        "人力资源和社会保障局",
        "自然资源和规划局",
        "生态环境局",
        "住房和城乡建设局",
        "交通运输局",
        "水利局",
        "农业农村局",
        "商务局",
        "文化广电旅游局",
        "卫生健康委员会",
        "应急管理局",
        "审计局",
        "市场监督管理局",
        "统计局",
        "医疗保障局",
        "信访局",
    ];
    let mut entries: Vec<AgencyEntry> = Vec::with_capacity(args.count);
    let entry = |code: String,
                 name: String,
                 kind: &str,
                 parent: Option<String>,
                 region: Option<String>| AgencyEntry {
        phone: Some(format!("0571-{:08}", code.len() * 7919 % 100_000_000)),
        address: Some(format!("{name}办公楼")),
        hours: Some("工作日 8:30-12:00，14:00-17:30".to_owned()),
        overview: Some(format!(
            "{name}是依法设立的行政机关。\n\n本机关依照《中华人民共和国政府信息公开条例》做好政府信息公开工作。"
        )),
        code,
        name,
        kind: kind.to_owned(),
        parent,
        region,
        ..AgencyEntry::default()
    };
    let push = |entries: &mut Vec<AgencyEntry>, agency: AgencyEntry| {
        if entries.len() < args.count {
            entries.push(agency);
        }
    };
    push(
        &mut entries,
        entry(
            "33".to_owned(),
            "浙江省人民政府".to_owned(),
            "government",
            None,
            Some("浙江省".to_owned()),
        ),
    );
    let mut level: Vec<(String, String)> = vec![("33".to_owned(), "浙江省".to_owned())];
    // Levels until the count is reached: each government gets its departments and its next-level governments.
    let mut depth = 0;
    while entries.len() < args.count && !level.is_empty() && depth < 4 {
        let mut next = Vec::new();
        for (code, region) in &level {
            for (index, department) in departments.iter().enumerate() {
                let prefix = if depth == 0 { "省" } else { "" };
                push(
                    &mut entries,
                    entry(
                        format!("{code}-D{index:02}"),
                        format!("{region}{prefix}{department}"),
                        "department",
                        Some(code.clone()),
                        None,
                    ),
                );
            }
            for index in 0..11 {
                let child = format!("{code}{index:02}");
                let child_region =
                    format!("{region}第{}{}", index + 1, if depth == 0 { "市" } else { "县" });
                push(
                    &mut entries,
                    entry(
                        child.clone(),
                        format!("{child_region}人民政府"),
                        "government",
                        Some(code.clone()),
                        Some(child_region.clone()),
                    ),
                );
                next.push((child, child_region));
            }
        }
        level = next;
        depth += 1;
    }
    let text = gongkai_register::write_agencies(&entries)?;
    crate::write_atomically(&args.out, text.as_bytes())?;
    writeln!(out, "wrote {} agencies to {}", entries.len(), args.out.display())?;
    Ok(Outcome::Success)
}

/// Reports of agencies of different sizes (generated records), years 2018–2025 so every format occurs,
/// rendered in turn as HTML, DOCX and text.
fn reports(args: &ReportsArgs, out: &mut impl Write) -> anyhow::Result<Outcome> {
    use gongkai_core::calendar::Calendar;
    use gongkai_render::Output;
    std::fs::create_dir_all(&args.out).with_context(|| format!("{}", args.out.display()))?;
    let mut rng = Rng(2026);
    let sizes: Vec<gongkai_core::records::AgencyRecords> = (0..10)
        .map(|index| {
            gongkai_demo::scale::large_agency(
                &format!("B{index}"),
                200 + rng.below(3_000),
                20 + rng.below(300),
            )
        })
        .collect();
    let demo = gongkai_demo::wenzhou_justice();
    let outputs = [Output::Html, Output::Docx, Output::Text];
    for index in 0..args.count {
        let year = 2018 + (index % 8) as i32;
        let records = if year < 2024 { &demo } else { &sizes[index % sizes.len()] };
        let report = gongkai_core::report::build(records, year, None, Calendar::builtin())?;
        let output = outputs[index % outputs.len()];
        let bytes = gongkai_render::render(&report, output)?;
        let path = args.out.join(format!("report-{index:05}-{year}.{}", output.extension()));
        std::fs::write(&path, bytes).with_context(|| format!("{}", path.display()))?;
    }
    writeln!(out, "wrote {} reports to {}", args.count, args.out.display())?;
    Ok(Outcome::Success)
}

/// A register of `rows` applications over 2020–2025: every applicant type and channel, a fifth with a
/// supplement, a tenth with a consultation, some extended, most replied with an outcome of the 2021 table.
fn register(args: &RegisterArgs, out: &mut impl Write) -> anyhow::Result<Outcome> {
    use gongkai_core::records::{ApplicantType, Outcome as Reply};
    use gongkai_core::regime::Channel;
    let kind = gongkai_register::FileKind::from_name(&args.out.to_string_lossy())
        .ok_or_else(|| crate::UsageError::new("--out", "use a .csv or .xlsx file"))?;
    let start = time::Date::from_calendar_date(2020, time::Month::January, 6)?;
    let mut rng = Rng(109);
    let mut rows = Vec::with_capacity(args.rows);
    for index in 0..args.rows {
        let submitted = start + time::Duration::days((index * 2_100 / args.rows.max(1)) as i64);
        let day = |offset: i64| (submitted + time::Duration::days(offset)).to_string();
        let channel = Channel::ALL[rng.below(Channel::ALL.len())];
        let (signed, confirmed) = match channel {
            Channel::InPerson => (String::new(), String::new()),
            Channel::Post => (day(1), String::new()),
            _ => (String::new(), day(0)),
        };
        let supplement = rng.below(5) == 0;
        let consultation = rng.below(10) == 0;
        let extended = rng.below(8) == 0;
        let replied = rng.below(20) != 0;
        let outcome = Reply::ALL[rng.below(18)];
        rows.push(vec![
            format!("BENCH-{index:07}"),
            ApplicantType::ALL[rng.below(6)].label().to_owned(),
            format!("申请人{}", rng.below(100_000)),
            channel.label().to_owned(),
            submitted.to_string(),
            signed,
            confirmed,
            // 收到申请日期: from the 签收/确认 columns.
            String::new(),
            format!("申请公开第{index}号文件及其附件"),
            if supplement { day(3) } else { String::new() },
            if supplement { day(18) } else { String::new() },
            if supplement { day(8) } else { String::new() },
            if consultation { day(10) } else { String::new() },
            if consultation { "第三方".to_owned() } else { String::new() },
            if consultation { day(20) } else { String::new() },
            if extended { day(22) } else { String::new() },
            String::new(),
            String::new(),
            String::new(),
            if replied { day(30) } else { String::new() },
            if replied { outcome.register_label() } else { String::new() },
        ]);
    }
    let bytes = gongkai_register::write(gongkai_register::Register::Applications, &rows, kind)?;
    std::fs::write(&args.out, bytes).with_context(|| format!("{}", args.out.display()))?;
    writeln!(out, "wrote {} rows to {}", args.rows, args.out.display())?;
    Ok(Outcome::Success)
}

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n.max(1) as u64) as usize
    }
}

struct Text {
    title: String,
    year: i32,
    category: String,
    paragraphs: Vec<String>,
}

fn markdown_files(dir: &Path, found: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<PathBuf> =
        std::fs::read_dir(dir)?.map(|entry| entry.map(|e| e.path())).collect::<Result<_, _>>()?;
    entries.sort();
    for path in entries {
        if path.is_dir() {
            markdown_files(&path, found)?;
        } else if path.extension().is_some_and(|ext| ext == "md") {
            found.push(path);
        }
    }
    Ok(())
}

/// The title, year (from a `(YYYY-MM-DD)` in the file name) and body paragraphs of a Markdown text.
fn read_text(path: &Path, root: &Path) -> std::io::Result<Option<Text>> {
    let content = std::fs::read_to_string(path)?;
    let name = path.file_stem().map(|stem| stem.to_string_lossy().into_owned()).unwrap_or_default();
    let year = name
        .rsplit_once('(')
        .and_then(|(_, date)| date.get(..4))
        .and_then(|year| year.parse().ok())
        .unwrap_or(2000);
    let category = path
        .strip_prefix(root)
        .ok()
        .and_then(|relative| relative.components().next())
        .map(|first| first.as_os_str().to_string_lossy().into_owned())
        .filter(|first| !first.ends_with(".md"))
        .unwrap_or_else(|| "其他".to_owned());
    let mut title = String::new();
    let mut paragraphs = Vec::new();
    let mut in_front_matter = false;
    for line in content.lines().map(str::trim) {
        if line == "---" {
            in_front_matter = !in_front_matter;
            continue;
        }
        if in_front_matter || line.is_empty() || line.starts_with("<!--") {
            continue;
        }
        if let Some(heading) = line.strip_prefix("# ") {
            title = heading.trim().to_owned();
        } else if !line.starts_with('#') && line.chars().count() >= 8 {
            paragraphs.push(line.to_owned());
        }
    }
    if title.is_empty() || paragraphs.is_empty() {
        return Ok(None);
    }
    Ok(Some(Text { title, year, category, paragraphs }))
}

fn corpus(args: &CorpusArgs, out: &mut impl Write) -> anyhow::Result<Outcome> {
    let mut files = Vec::new();
    markdown_files(&args.from, &mut files).map_err(|err| {
        UsageError::new("--from", format!("cannot read {}: {err}", args.from.display()))
    })?;
    let mut texts = Vec::new();
    for file in &files {
        if let Some(text) =
            read_text(file, &args.from).with_context(|| format!("reading {}", file.display()))?
        {
            texts.push(text);
        }
    }
    if texts.is_empty() {
        return Err(UsageError::new(
            "--from",
            format!("no Markdown texts with a title in {}", args.from.display()),
        )
        .into());
    }
    let mut rng = Rng(args.seed.max(1));
    let file = std::fs::File::create(&args.out).map_err(|err| {
        UsageError::new("--out", format!("cannot create {}: {err}", args.out.display()))
    })?;
    let mut writer = BufWriter::new(file);
    let mut bytes = 0usize;
    for id in 0..args.docs {
        let text = &texts[rng.below(texts.len())];
        let target = 500 + rng.below(4_501);
        let start = rng.below(text.paragraphs.len());
        let mut body = String::with_capacity(target + 512);
        let mut next = start;
        while body.len() < target {
            if !body.is_empty() {
                body.push('\n');
            }
            body.push_str(&text.paragraphs[next % text.paragraphs.len()]);
            next += 1;
            if next - start > text.paragraphs.len() * 4 {
                break;
            }
        }
        // Cut at a character boundary at most 5 KB.
        if body.len() > 5_000 {
            let mut end = 5_000;
            while !body.is_char_boundary(end) {
                end -= 1;
            }
            body.truncate(end);
        }
        bytes += body.len();
        let title = format!("{}（第{}部分）", text.title, start / 8 + 1);
        let line = serde_json::json!({ "id": id, "title": title, "body": body, "year": text.year, "category": text.category });
        writeln!(writer, "{line}")?;
    }
    writer.flush()?;
    let mut queries = BufWriter::new(std::fs::File::create(&args.queries_out).map_err(|err| {
        UsageError::new(
            "--queries-out",
            format!("cannot create {}: {err}", args.queries_out.display()),
        )
    })?);
    let mut written = 0;
    while written < args.queries {
        let text = &texts[rng.below(texts.len())];
        let paragraph = &text.paragraphs[rng.below(text.paragraphs.len())];
        let words: Vec<String> = gongkai_search::terms(paragraph)
            .into_iter()
            .filter(|word| word.chars().count() >= 2)
            .collect();
        if words.is_empty() {
            continue;
        }
        let take = 1 + rng.below(3).min(words.len() - 1);
        let first = rng.below(words.len() + 1 - take);
        writeln!(queries, "{}", words[first..first + take].join(" "))?;
        written += 1;
    }
    queries.flush()?;
    writeln!(
        out,
        "wrote {} documents ({:.1} MB, mean {:.0} bytes) from {} texts to {}, and {} queries to {}",
        args.docs,
        bytes as f64 / 1e6,
        bytes as f64 / args.docs.max(1) as f64,
        texts.len(),
        args.out.display(),
        args.queries,
        args.queries_out.display()
    )?;
    Ok(Outcome::Success)
}

#[derive(Debug, Deserialize)]
struct CorpusLine {
    id: u64,
    title: String,
    body: String,
    year: i32,
    category: String,
}

/// Peak resident memory of this process in MB (`VmHWM`), if the platform tells.
fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn dir_size(dir: &Path) -> std::io::Result<u64> {
    let mut total = 0;
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let metadata = entry.metadata()?;
        total += if metadata.is_dir() { dir_size(&entry.path())? } else { metadata.len() };
    }
    Ok(total)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Indexes a corpus (unless `--reuse`), then reports index size, query latency and peak memory.
fn search(args: &SearchArgs, out: &mut impl Write) -> anyhow::Result<Outcome> {
    let queries = read_queries(&args.queries)?;
    let dir = bench_index_dir(args);
    if !args.reuse && dir.exists() {
        std::fs::remove_dir_all(&dir).map_err(|err| {
            UsageError::new("--index-dir", format!("cannot clear {}: {err}", dir.display()))
        })?;
    }
    let index = crate::index_cmd::open(&dir)?;
    if !args.reuse {
        build_index(&index, &args.corpus, out)?;
    }
    writeln!(
        out,
        "index: {} documents, {:.0} MB on disk at {}",
        index.len(),
        dir_size(&dir)? as f64 / 1e6,
        dir.display()
    )?;
    for (label, snippets) in [("top 10", false), ("top 10 with highlighted snippets", true)] {
        time_queries(&index, &queries, args.rounds, label, snippets, out)?;
    }
    write_peak_memory(out)?;
    drop(index);
    if args.index_dir.is_none() {
        std::fs::remove_dir_all(&dir).ok();
    }
    Ok(Outcome::Success)
}

/// The queries of the query file, one per non-blank line, trimmed; a file without any is refused.
fn read_queries(path: &Path) -> anyhow::Result<Vec<String>> {
    let queries: Vec<String> = std::fs::read_to_string(path)
        .map_err(|err| {
            UsageError::new("--queries", format!("cannot read {}: {err}", path.display()))
        })?
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(str::to_owned)
        .collect();
    if queries.is_empty() {
        return Err(UsageError::new("--queries", "the file has no queries").into());
    }
    Ok(queries)
}

/// Where the index is built: `--index-dir`, or a temporary directory named after this process.
fn bench_index_dir(args: &SearchArgs) -> PathBuf {
    match &args.index_dir {
        Some(dir) => dir.clone(),
        None => std::env::temp_dir().join(format!("gongkai-bench-index-{}", std::process::id())),
    }
}

/// Indexes the JSON Lines `corpus` in batches of 10,000, commits, and writes the build rate.
fn build_index(
    index: &gongkai_search::SearchIndex,
    corpus: &Path,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let file = std::fs::File::open(corpus).map_err(|err| {
        UsageError::new("--corpus", format!("cannot read {}: {err}", corpus.display()))
    })?;
    let started = Instant::now();
    let mut batch = Vec::with_capacity(10_000);
    let mut count = 0u64;
    let mut bytes = 0u64;
    for (number, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line.with_context(|| format!("reading {}", corpus.display()))?;
        if line.trim().is_empty() {
            continue;
        }
        let parsed = parse_corpus_line(&line, number)?;
        bytes += parsed.body.len() as u64;
        batch.push(bench_document(parsed));
        if batch.len() == batch.capacity() {
            index.upsert(&batch)?;
            count += batch.len() as u64;
            batch.clear();
        }
    }
    index.upsert(&batch)?;
    count += batch.len() as u64;
    index.commit(0)?;
    let seconds = started.elapsed().as_secs_f64();
    writeln!(
        out,
        "build: {count} documents ({:.0} MB of text) in {seconds:.1} s = {:.0} docs/s",
        bytes as f64 / 1e6,
        count as f64 / seconds
    )?;
    Ok(())
}

/// One line of the corpus (`number` counts from 0), or which line is not a document and why.
fn parse_corpus_line(line: &str, number: usize) -> Result<CorpusLine, UsageError> {
    serde_json::from_str(line).map_err(|err| {
        UsageError::new(
            "--corpus",
            format!("line {}: {err} (expected id, title, body, year, category)", number + 1),
        )
    })
}

/// A corpus line as a document of the benchmark's one agency, published on 1 January of its year.
fn bench_document(parsed: CorpusLine) -> gongkai_search::Document {
    gongkai_search::Document {
        id: parsed.id,
        agency_code: "BENCH".to_owned(),
        agency_name: "基准".to_owned(),
        index_number: format!("BENCH/{}-{:07}", parsed.year, parsed.id),
        title: parsed.title,
        summary: String::new(),
        body: parsed.body,
        category: parsed.category,
        genre: String::new(),
        doc_number: String::new(),
        published: format!("{:04}-01-01", parsed.year),
    }
}

/// Runs every query once (counting hits), then `rounds` timed rounds; writes the latencies and QPS.
fn time_queries(
    index: &gongkai_search::SearchIndex,
    queries: &[String],
    rounds: usize,
    label: &str,
    snippets: bool,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let request = |text: &str| gongkai_search::Request {
        text: text.to_owned(),
        limit: 10,
        snippets,
        ..gongkai_search::Request::default()
    };
    let mut hits = 0usize;
    for query in queries {
        hits += index.search(&request(query))?.hits.len();
    }
    let mut latencies = Vec::with_capacity(queries.len() * rounds);
    let started = Instant::now();
    for _ in 0..rounds.max(1) {
        for query in queries {
            let one = Instant::now();
            let results = index.search(&request(query))?;
            latencies.push(one.elapsed().as_secs_f64() * 1_000.0);
            std::hint::black_box(results);
        }
    }
    let total = started.elapsed().as_secs_f64();
    latencies.sort_by(f64::total_cmp);
    writeln!(
        out,
        "{label}: {} queries x {} rounds, single thread: p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms, max {:.2} ms, {:.0} QPS ({:.1} hits per query)",
        queries.len(),
        rounds.max(1),
        percentile(&latencies, 50.0),
        percentile(&latencies, 95.0),
        percentile(&latencies, 99.0),
        latencies.last().copied().unwrap_or_default(),
        latencies.len() as f64 / total,
        hits as f64 / queries.len() as f64
    )?;
    Ok(())
}

/// Writes this process's peak resident memory, or that the platform does not tell it.
fn write_peak_memory(out: &mut impl Write) -> std::io::Result<()> {
    match peak_rss_mb() {
        Some(mb) => writeln!(out, "peak memory (VmHWM): {mb:.0} MB"),
        None => writeln!(out, "peak memory: not available on this platform"),
    }
}
