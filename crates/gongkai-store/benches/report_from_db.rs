//! One agency's annual report straight from a database holding 3,000 agencies, 2,000,000 catalog items and
//! 300,000 applications (target ≤ 200 ms on SQLite): load the agency's records, derive the 2021-format report.
//!
//! `cargo bench -p gongkai-store --bench report_from_db`. The database is built once into
//! `target/bench-scale/scale.db` (a few minutes; reused while it is complete) through the store's own write
//! paths. With `GONGKAI_BENCH_PG=postgres://…/db` the same database is built there (once) and measured too.
//! Before measuring, the query plans of every load query are printed.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use gongkai_core::calendar::Calendar;
use gongkai_core::report::{self, format::FormatId};
use gongkai_store::agencies;
use gongkai_store::{Backend, Store, records};

#[path = "scale/backends.rs"]
mod backends;
#[path = "scale/mod.rs"]
mod scale;

use scale::{AGENCIES, APPLICATIONS_PER_AGENCY, build, code};

#[allow(clippy::print_stdout)]
async fn print_plans(store: &Store, agency_id: i64) {
    for (sql, _) in records::load_queries(None) {
        let sql = sql.replace("{agencies}", &agency_id.to_string());
        let explain = match store.backend() {
            Backend::Sqlite => format!("EXPLAIN QUERY PLAN {sql}"),
            Backend::Postgres => format!("EXPLAIN {sql}"),
        };
        let plan = store.plan_admin(&explain).await.unwrap();
        println!("{sql}\n    {}", plan.join("\n    "));
    }
}

fn bench_backend(c: &mut Criterion, name: &str, url: &str) {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let store = runtime.block_on(async {
        let store = Store::open(url).await.unwrap();
        build(&store).await;
        store
    });
    let middle = code(AGENCIES / 2);
    let agency = runtime.block_on(agencies::by_code(&store, &middle)).unwrap();
    runtime.block_on(print_plans(&store, agency.id));
    let calendar = Calendar::builtin();
    let records = runtime.block_on(records::load(&store, &middle)).unwrap();
    assert_eq!(records.applications.len(), APPLICATIONS_PER_AGENCY);
    let report = report::build(&records, 2025, Some(FormatId::F2021), calendar).unwrap();
    assert!(report.values.get("t3", "new", "total").is_some());
    let mut group = c.benchmark_group("report_from_db");
    group.sample_size(20);
    group.bench_function(format!("{name}_load_and_build_one_agency_of_3000"), |b| {
        b.iter(|| {
            runtime.block_on(async {
                let records = records::load(&store, black_box(&middle)).await.unwrap();
                report::build(&records, 2025, Some(FormatId::F2021), calendar).unwrap()
            })
        })
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
