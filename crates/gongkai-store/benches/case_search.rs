//! Case search (issue #19) over 300,000 applications, all of one agency (the worst case: the search is per
//! agency, so a platform's other agencies only make it cheaper).
//!
//! `cargo bench -p gongkai-store --bench case_search`. The applications are written once, by plain INSERTs,
//! into `target/bench-scale/cases.db`: descriptions are 20–120 characters cut from the legal corpus in
//! `../shared/data/corpus` when present (from a fixed vocabulary otherwise), received over five years, nine
//! in ten closed, a third assigned to one of 40 clerks. The first search indexes them all (the catch-up, timed
//! and printed). Then 400 searches as clerks type them — a word of 2–4 characters cut from the same text,
//! two words, a word and a year, part of a tracking number, open cases of a clerk, a month's closed cases of
//! one outcome, a word nowhere, a page deep in the list — are each timed and p50/p99/max printed; criterion
//! measures six of them.

/// The allocator of the `gongkai` binary, so the figures are the server's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "scale/backends.rs"]
mod backends;

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use gongkai_store::Store;
use gongkai_store::handling::search::{self, CaseQuery, Handler, Status};
use time::macros::date;

const APPLICATIONS: usize = 300_000;
const ROWS_PER_INSERT: usize = 1_000;
const CLERKS: usize = 40;
const PER_PAGE: u32 = 50;
const OUTCOMES: [&str; 5] = [
    "\"disclosed\"",
    "\"partially_disclosed\"",
    "{\"withheld\":\"state_secret\"}",
    "{\"unavailable\":\"not_held\"}",
    "\"not_this_agency\"",
];

/// A small deterministic generator (xorshift), so every run builds the same data and asks the same things.
struct Draw(u64);

impl Draw {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// The text descriptions are cut from: the corpus's CJK characters, or a fixed vocabulary.
fn source_text() -> Vec<char> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/corpus");
    let mut text = Vec::new();
    let mut stack = vec![dir];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        let mut entries: Vec<_> = entries.flatten().map(|entry| entry.path()).collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|ext| ext == "md") {
                let body = std::fs::read_to_string(&path).unwrap_or_default();
                text.extend(body.chars().filter(|ch| ('\u{4e00}'..='\u{9fff}').contains(ch)));
            }
            if text.len() > 3_000_000 {
                return text;
            }
        }
    }
    if text.len() < 10_000 {
        let vocabulary = "政府信息公开申请拆迁补偿标准律师事务所年度考核结果人民调解经费预算决算行政处罚决定书\
                          土地征收批复文件环境影响评价报告会议纪要招标采购合同道路规划许可证统计数据";
        let words: Vec<char> = vocabulary.chars().collect();
        let mut draw = Draw(7);
        text = (0..200_000).map(|_| words[draw.below(words.len())]).collect();
    }
    text
}

fn quoted(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

#[allow(clippy::print_stdout)]
async fn build(store: &Store, text: &[char]) {
    let have = store.count_admin("SELECT COUNT(*) FROM applications").await.unwrap();
    if have as usize >= APPLICATIONS {
        return;
    }
    assert_eq!(have, 0, "a partial benchmark database: remove target/bench-scale/cases.db");
    let started = Instant::now();
    store
        .execute_admin(
            "INSERT INTO agencies (code, name, kind, region, index_pattern, office, phone, address, hours, created_at) \
             VALUES ('SFJ', '温州市司法局', 'department', '浙江省温州市', '{code}/{year}-{serial:05}', '办公室', \
             '0577-88000000', '温州市', '工作日', '2022-01-01T00:00:00Z')",
        )
        .await
        .unwrap();
    let mut clerks = Vec::new();
    for clerk in 0..CLERKS {
        clerks.push(format!("('clerk{clerk}', '经办人{clerk}', 'x', 0, '2022-01-01T00:00:00Z')"));
    }
    store
        .execute_admin(&format!(
            "INSERT INTO users (username, display_name, password_hash, disabled, created_at) VALUES {}",
            clerks.join(", ")
        ))
        .await
        .unwrap();
    let mut draw = Draw(42);
    for first in (0..APPLICATIONS).step_by(ROWS_PER_INSERT) {
        let mut values = Vec::with_capacity(ROWS_PER_INSERT);
        for index in first..first + ROWS_PER_INSERT {
            let length = 20 + draw.below(100);
            let start = draw.below(text.len() - length);
            let description: String = text[start..start + length].iter().collect();
            let submitted =
                date!(2022 - 01 - 01) + time::Duration::days((index * 1_826 / APPLICATIONS) as i64);
            let outcome = if draw.below(10) < 9 {
                quoted(OUTCOMES[draw.below(OUTCOMES.len())])
            } else {
                "NULL".to_owned()
            };
            let handler = if draw.below(3) == 0 {
                format!("(SELECT id FROM users WHERE username = 'clerk{}')", draw.below(CLERKS))
            } else {
                "NULL".to_owned()
            };
            let name: String =
                (0..2 + draw.below(2)).map(|_| text[draw.below(text.len())]).collect();
            values.push(format!(
                "(1, 'YSQ{}{:07}', 'natural', {}, {}, 'online', '{submitted}', {outcome}, {handler}, '{submitted}T08:00:00Z')",
                submitted.year(),
                index,
                quoted(&name),
                quoted(&description),
            ));
        }
        store
            .execute_admin(&format!(
                "INSERT INTO applications (agency_id, tracking_number, applicant_type, applicant_name, description, \
                 channel, submitted, outcome, handler_id, created_at) VALUES {}",
                values.join(", ")
            ))
            .await
            .unwrap();
    }
    println!("wrote {APPLICATIONS} applications in {:.1} s", started.elapsed().as_secs_f64());
}

/// The searches clerks make, drawn from the same text.
fn queries(text: &[char]) -> Vec<(String, CaseQuery, u32)> {
    let mut draw = Draw(2026);
    let word = |draw: &mut Draw, length: usize| -> String {
        let start = draw.below(text.len() - length);
        text[start..start + length].iter().collect()
    };
    let mut list = Vec::new();
    for round in 0..50 {
        let length = 2 + draw.below(3);
        let one = word(&mut draw, length);
        let two = format!("{} {}", word(&mut draw, 2), word(&mut draw, 2));
        let clerk = format!("clerk{}", draw.below(CLERKS));
        let month = date!(2022 - 01 - 01) + time::Duration::days(draw.below(1_800) as i64);
        let (from, to) = (month, month + time::Duration::days(30));
        list.push((
            format!("word {one}"),
            CaseQuery { text: one.clone(), ..CaseQuery::default() },
            1,
        ));
        list.push((format!("two words {two}"), CaseQuery { text: two, ..CaseQuery::default() }, 1));
        list.push((
            format!("word and year {one}"),
            CaseQuery {
                text: one.clone(),
                from: Some(date!(2025 - 01 - 01)),
                to: Some(date!(2025 - 12 - 31)),
                ..CaseQuery::default()
            },
            1,
        ));
        list.push((
            format!("number part {round}"),
            CaseQuery { number: format!("{:05}", draw.below(100_000)), ..CaseQuery::default() },
            1,
        ));
        list.push((
            format!("open cases of {clerk}"),
            CaseQuery {
                status: Status::Open,
                handler: Handler::User(clerk.clone()),
                ..CaseQuery::default()
            },
            1,
        ));
        list.push((
            format!("a month closed withheld {from}"),
            CaseQuery {
                status: Status::Closed,
                outcome: Some("withheld".to_owned()),
                from: Some(from),
                to: Some(to),
                ..CaseQuery::default()
            },
            1,
        ));
        list.push((
            "a word nowhere".to_owned(),
            CaseQuery { text: "乾坤大挪移".to_owned(), ..CaseQuery::default() },
            1,
        ));
        list.push((
            format!("page {}", 10 + round * 40),
            CaseQuery::default(),
            10 + round as u32 * 40,
        ));
    }
    list
}

#[allow(clippy::print_stdout)]
fn bench(c: &mut Criterion) {
    let text = source_text();
    let (_, url) = backends::backends("cases.db").remove(0);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let store = runtime.block_on(async {
        let store = Store::open(&url).await.unwrap();
        build(&store, &text).await;
        store
    });
    let started = Instant::now();
    let indexed = runtime.block_on(search::catch_up(&store, None)).unwrap().added;
    println!("catch-up indexed {indexed} applications in {:.1} s", started.elapsed().as_secs_f64());

    let list = queries(&text);
    let mut timings: Vec<(Duration, String, i64)> = Vec::new();
    for (label, query, page) in &list {
        let started = Instant::now();
        let found = runtime.block_on(search::search(&store, &[1], query, *page, PER_PAGE)).unwrap();
        timings.push((started.elapsed(), label.clone(), found.total.at_least));
    }
    timings.sort_by_key(|(elapsed, _, _)| *elapsed);
    let at = |quantile: f64| {
        timings[((timings.len() as f64 * quantile) as usize).min(timings.len() - 1)].0
    };
    println!(
        "{} searches over {APPLICATIONS} applications: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        timings.len(),
        at(0.50).as_secs_f64() * 1e3,
        at(0.99).as_secs_f64() * 1e3,
        timings.last().unwrap().0.as_secs_f64() * 1e3
    );
    for (elapsed, label, total) in timings.iter().rev().take(5) {
        println!(
            "  slowest: {label}: {total} found (counted to {}) in {:.1} ms",
            search::COUNT_CAP,
            elapsed.as_secs_f64() * 1e3
        );
    }

    let mut group = c.benchmark_group("case_search");
    group.sample_size(20);
    for index in [0, 1, 3, 4, 6, 7] {
        let (label, query, page) = &list[index];
        let name = label.split(' ').take(2).collect::<Vec<_>>().join("_");
        group.bench_function(name, |b| {
            b.iter(|| {
                runtime
                    .block_on(search::search(&store, &[1], black_box(query), *page, PER_PAGE))
                    .unwrap()
            })
        });
    }
    group.finish();
    runtime.block_on(store.close());
}

criterion_group!(benches, bench);
criterion_main!(benches);
