//! Bulk load of catalog items into a fresh database (target ≥ 20,000 items/s on SQLite for 1,000,000 items).
//!
//! `cargo bench -p gongkai-store --bench bulk_load` loads `GONGKAI_BENCH_ITEMS` items (default 1,000,000)
//! with their metadata and channels into a new SQLite file under `target/`, in transactions of 10,000 items,
//! each audited; with `GONGKAI_BENCH_PG=postgres://…/db` it loads the same into that (emptied) database too.
//! A plain timed run, not criterion: one load of a million rows is the measurement.

use std::time::Instant;

use gongkai_store::agencies::{self, NewAgency};
use gongkai_store::catalog::{self, ItemMetadata, NewItem};
use gongkai_store::{Actor, Store};

const ACTOR: Actor<'static> = Actor::new("bench", "127.0.0.1");

fn items(n: usize) -> Vec<NewItem> {
    let records = gongkai_demo::scale::large_agency("BULK", n, 0);
    records
        .catalog
        .into_iter()
        .enumerate()
        .map(|(index, record)| NewItem {
            metadata: ItemMetadata {
                summary: format!("{}的内容概述，说明该信息的主要内容和适用范围。", record.title),
                body: "为进一步规范政府信息公开工作，依据《中华人民共和国政府信息公开条例》，结合本机关实际，现将有关事项通知如下。"
                    .repeat(4),
                subject: "综合政务".to_owned(),
                genre: if index % 5 == 0 { "通知" } else { "工作动态" }.to_owned(),
                doc_number: if index % 5 == 0 { format!("温司发〔{}〕{}号", record.published.year(), index % 200 + 1) } else { String::new() },
                ..ItemMetadata::default()
            },
            record,
        })
        .collect()
}

async fn load(url: &str, items: &[NewItem]) -> f64 {
    let store = Store::open(url).await.expect("database");
    agencies::add(
        &store,
        &NewAgency {
            code: "BULK",
            name: "基准测试局",
            kind: gongkai_core::records::AgencyKind::Department,
            region: "浙江省温州市",
            parent_code: None,
            index_pattern: "{code}/{year}-{serial:07}",
            office: "",
            phone: "",
            address: "",
            hours: "",
        },
        &ACTOR,
    )
    .await
    .expect("agency");
    let started = Instant::now();
    let written = catalog::import(&store, "BULK", items, 10_000, &ACTOR).await.expect("import");
    let seconds = started.elapsed().as_secs_f64();
    assert_eq!(written, items.len());
    let stored = store.count_admin("SELECT COUNT(*) FROM catalog_items").await.unwrap();
    assert_eq!(stored as usize, items.len());
    store.close().await;
    seconds
}

fn report(backend: &str, n: usize, seconds: f64) {
    #[allow(clippy::print_stdout)]
    {
        println!(
            "bulk_load/{backend}: {n} items in {seconds:.2} s = {:.0} items/s",
            n as f64 / seconds
        );
    }
}

fn main() {
    let n: usize = std::env::var("GONGKAI_BENCH_ITEMS")
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or(1_000_000);
    let items = items(n);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/bench-bulk");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("bulk.db");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
    }
    let seconds = runtime.block_on(load(&format!("sqlite://{}", file.display()), &items));
    report("sqlite", n, seconds);
    if let Ok(url) = std::env::var("GONGKAI_BENCH_PG") {
        runtime.block_on(async {
            let store = Store::connect(&url).await.unwrap();
            store.execute_admin("DROP SCHEMA public CASCADE").await.unwrap();
            store.execute_admin("CREATE SCHEMA public").await.unwrap();
            store.close().await;
        });
        let seconds = runtime.block_on(load(&url, &items));
        report("postgres", n, seconds);
    }
}
