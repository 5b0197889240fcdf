//! One agency's annual report straight from a database holding 3,000 agencies, 2,000,000 catalog items and
//! 300,000 applications (target ≤ 200 ms on SQLite): load the agency's records, derive the 2021-format report.
//!
//! `cargo bench -p gongkai-store --bench report_from_db`. The database is built once into
//! `target/bench-scale/scale.db` (a few minutes; reused while it is complete) through the store's own write
//! paths. With `GONGKAI_BENCH_PG=postgres://…/db` the same database is built there (once) and measured too.
//! Before measuring, the query plans of every load query are printed.

use std::hint::black_box;
use std::time::Instant;

use criterion::{Criterion, criterion_group, criterion_main};
use gongkai_core::calendar::Calendar;
use gongkai_core::report::{self, format::FormatId};
use gongkai_store::agencies::{self, NewAgency};
use gongkai_store::{Actor, Backend, Store, records};

const AGENCIES: usize = 3_000;
const ITEMS: usize = 2_000_000;
const APPLICATIONS_PER_AGENCY: usize = 100;
const ACTOR: Actor<'static> = Actor::new("bench", "127.0.0.1");

fn code(index: usize) -> String {
    format!("BENCH{index:04}")
}

#[allow(clippy::print_stdout)]
async fn build(store: &Store) {
    let complete = store
        .count_admin("SELECT COUNT(*) FROM counters WHERE name = 'bench:complete'")
        .await
        .unwrap_or(0);
    if complete == 1 {
        return;
    }
    let started = Instant::now();
    let per_agency = ITEMS / AGENCIES;
    let extra = ITEMS % AGENCIES; // the first `extra` agencies get one more item
    for index in 0..AGENCIES {
        let code = code(index);
        agencies::add(
            store,
            &NewAgency {
                code: &code,
                name: &format!("基准测试第{index}局"),
                kind: "department",
                region: "浙江省温州市",
                parent_code: None,
                index_pattern: "{code}/{year}-{serial:07}",
                office: "办公室",
                phone: "0577-88000000",
                address: "",
                hours: "",
            },
            &ACTOR,
        )
        .await
        .unwrap();
        let items = per_agency + usize::from(index < extra);
        let records = gongkai_demo::scale::large_agency(&code, items, APPLICATIONS_PER_AGENCY);
        records::save(store, &code, &records, &ACTOR).await.unwrap();
        if index % 500 == 499 {
            println!("built {} agencies in {:.0} s", index + 1, started.elapsed().as_secs_f64());
        }
    }
    store
        .execute_admin("INSERT INTO counters (name, value) VALUES ('bench:complete', 1)")
        .await
        .unwrap();
    if store.backend() == Backend::Postgres {
        store.execute_admin("ANALYZE").await.unwrap();
    }
    println!("built the scale database in {:.0} s", started.elapsed().as_secs_f64());
}

#[allow(clippy::print_stdout)]
async fn print_plans(store: &Store, agency_id: i64) {
    for sql in records::LOAD_QUERIES {
        let explain = match store.backend() {
            Backend::Sqlite => {
                format!("EXPLAIN QUERY PLAN {}", sql.replace("$1", &agency_id.to_string()))
            }
            Backend::Postgres => format!("EXPLAIN {}", sql.replace("$1", &agency_id.to_string())),
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
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/bench-scale");
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("scale.db").display());
    bench_backend(c, "sqlite", &url);
    if let Ok(url) = std::env::var("GONGKAI_BENCH_PG") {
        bench_backend(c, "postgres", &url);
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
