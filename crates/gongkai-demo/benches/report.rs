//! Deriving one agency's annual report from 100,000 applications and 1,000,000 catalog items
//! (target ≤ 50 ms): measures of the year and of the year before (for cross-year rules), rules, narrative.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use gongkai_core::calendar::Calendar;
use gongkai_core::report::format::FormatId;
use gongkai_core::report::{self};
use gongkai_demo::scale::large_agency;

fn bench_report(c: &mut Criterion) {
    let records = large_agency("BENCH", 1_000_000, 100_000);
    let calendar = Calendar::builtin();
    let report = report::build(&records, 2025, None, calendar).unwrap();
    assert!(report.findings.is_empty(), "{:?}", report.findings);
    assert!(report.values.get("t3", "new", "total").is_some());
    let mut group = c.benchmark_group("report");
    group.sample_size(20);
    group.bench_function("build_2021_format_100k_applications_1m_items", |b| {
        b.iter(|| {
            report::build(black_box(&records), 2025, Some(FormatId::F2021), calendar).unwrap()
        })
    });
    group.bench_function("table_values_only_100k_applications_1m_items", |b| {
        b.iter(|| report::table_values(black_box(&records), 2025, FormatId::F2021, calendar))
    });
    group.finish();
}

criterion_group!(benches, bench_report);
criterion_main!(benches);
