//! The scale database shared by the store's benchmarks: 3,000 agencies, 2,000,000 catalog items and 300,000
//! applications (2024–2025), written once through the store's own write paths and reused while complete.

use std::time::Instant;

use gongkai_store::agencies::{self, NewAgency};
use gongkai_store::{Actor, Backend, Store, records};

pub(crate) const AGENCIES: usize = 3_000;
pub(crate) const ITEMS: usize = 2_000_000;
pub(crate) const APPLICATIONS_PER_AGENCY: usize = 100;
const ACTOR: Actor<'static> = Actor::new("bench", "127.0.0.1");

pub(crate) fn code(index: usize) -> String {
    format!("BENCH{index:04}")
}

#[allow(clippy::print_stdout)]
pub(crate) async fn build(store: &Store) {
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
                kind: gongkai_core::records::AgencyKind::Department,
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
