//! The roll-up report of a region of 3,000 agencies holding 2,000,000 catalog items and 300,000 applications,
//! in the 2021 format for 2025 (issue #5, target ≤ 2 s), next to hand-written SQL aggregates of the same
//! figures as the floor to compare with.
//!
//! `cargo bench -p gongkai-store --bench rollup`. Uses the scale database of `report_from_db` (built once
//! into `target/bench-scale/scale.db`); with `GONGKAI_BENCH_PG=postgres://…/db` PostgreSQL is measured too.
//!
//! - `engine`: what `/staff/agencies/{code}/region/{year}/report` does — `records::load_for_year` for every
//!   member (the year's catalog items counted in the database, the applications submitted by the year's end
//!   and every other record loaded with their events), then `rollup::build` (merge, derive every measure
//!   with the reply clock and the receipt rules, fill the 2021 tables, check the rules, write the text).
//! - `floor`: the figures a hand-written report would take straight from SQL — new applications by applicant
//!   type and outcome (by submission date, without the receipt rules, carry-over or lapses), items by
//!   category, normative items, items by channel, reviews and lawsuits by result — five GROUP BY queries
//!   over the same tables and indexes.

/// The allocator of the `gongkai` binary, so the figures are the server's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "scale/backends.rs"]
mod backends;

#[path = "scale/mod.rs"]
mod scale;

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use gongkai_core::calendar::Calendar;
use gongkai_core::records::{Agency, AgencyKind};
use gongkai_core::report::rollup;
use gongkai_store::{Store, agencies, records};

use scale::{AGENCIES, ITEMS, build};

const YEAR: i32 = 2025;

const FLOOR: [&str; 5] = [
    "SELECT applicant_type || ' ' || COALESCE(outcome, ''), COUNT(*) FROM applications \
     WHERE submitted >= '2025-01-01' AND submitted <= '2025-12-31' GROUP BY applicant_type, outcome",
    "SELECT category, COUNT(*) FROM catalog_items \
     WHERE published >= '2025-01-01' AND published <= '2025-12-31' GROUP BY category",
    "SELECT 'normative', COUNT(*) FROM catalog_items \
     WHERE published >= '2025-01-01' AND published <= '2025-12-31' AND normative <> 0",
    "SELECT c.channel, COUNT(*) FROM item_channels c JOIN catalog_items i ON i.id = c.item_id \
     WHERE i.published >= '2025-01-01' AND i.published <= '2025-12-31' GROUP BY c.channel",
    "SELECT 'reviews ' || COALESCE(result, 'pending'), COUNT(*) FROM reviews \
     WHERE filed >= '2025-01-01' AND filed <= '2025-12-31' GROUP BY result",
];

fn region() -> Agency {
    Agency {
        code: "REGION".to_owned(),
        name: "基准测试市人民政府（汇总）".to_owned(),
        kind: AgencyKind::Government,
        office: "政府办公室".to_owned(),
        phone: "0577-88000000".to_owned(),
    }
}

async fn engine(store: &Store, members: &[agencies::AgencyRow]) -> gongkai_core::report::Report {
    let loaded = records::load_for_year(store, members, YEAR).await.unwrap();
    let members =
        loaded.into_iter().map(|records| rollup::Member { records, published: true }).collect();
    rollup::build(region(), members, YEAR, Calendar::builtin()).unwrap()
}

async fn floor(store: &Store) -> Vec<Vec<(String, i64)>> {
    let mut all = Vec::new();
    for sql in FLOOR {
        all.push(store.counts_admin(sql).await.unwrap());
    }
    all
}

#[allow(clippy::print_stdout)]
fn bench_backend(c: &mut Criterion, name: &str, url: &str) {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let store = runtime.block_on(async {
        let store = Store::open(url).await.unwrap();
        build(&store).await;
        store
    });
    let members: Vec<_> = runtime
        .block_on(agencies::list(&store))
        .unwrap()
        .into_iter()
        .filter(|agency| agency.code.starts_with("BENCH"))
        .collect();
    assert_eq!(members.len(), AGENCIES);
    // The engine's figures against the floor's where they mean the same thing.
    let report = runtime.block_on(engine(&store, &members));
    let floor_figures = runtime.block_on(floor(&store));
    let items: i64 = floor_figures[1].iter().map(|(_, count)| count).sum();
    let tallied: u64 = report.categories.iter().map(|(_, count)| count).sum();
    assert_eq!(tallied as i64, items, "items published in {YEAR}");
    assert!(items > (ITEMS / 3) as i64, "{items}");
    let new_total = report.values.get("t3", "new", "total").unwrap();
    println!(
        "{name}: {} agencies, {items} items of {YEAR}, {} new applications in the table, {} findings",
        members.len(),
        new_total.whole(),
        report.findings.len()
    );
    let mut group = c.benchmark_group("rollup");
    group.sample_size(10);
    group.bench_function(format!("{name}_engine_3000_agencies_2021_format"), |b| {
        b.iter(|| runtime.block_on(engine(&store, black_box(&members))))
    });
    // The engine's two halves apart: reading the records, and deriving the report from them.
    group.bench_function(format!("{name}_engine_load_only"), |b| {
        b.iter(|| {
            runtime.block_on(records::load_for_year(&store, black_box(&members), YEAR)).unwrap()
        })
    });
    let loaded = runtime.block_on(records::load_for_year(&store, &members, YEAR)).unwrap();
    group.bench_function(format!("{name}_engine_build_only"), |b| {
        b.iter_batched(
            || {
                loaded
                    .iter()
                    .cloned()
                    .map(|records| rollup::Member { records, published: true })
                    .collect::<Vec<_>>()
            },
            |members| rollup::build(region(), members, YEAR, Calendar::builtin()).unwrap(),
            criterion::BatchSize::LargeInput,
        )
    });
    group.bench_function(format!("{name}_floor_hand_written_sql"), |b| {
        b.iter(|| runtime.block_on(floor(&store)))
    });
    group.finish();
    runtime.block_on(store.close());
}

fn bench(c: &mut Criterion) {
    for (name, url) in backends::backends("scale.db") {
        bench_backend(c, name, &url);
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
