//! Searching the audit trail of a platform five years old: 2,000,000 entries (3,000 agencies' clerks handling
//! about 300,000 applications a year, five to seven entries each, plus sign-ins and publishing), the searches
//! of the 审计日志 page.
//!
//! `cargo bench -p gongkai-store --bench audit_search`. The log is written once, by plain INSERTs of entries
//! hashed here as `audit` hashes them, into `target/bench-scale/audit.db`; with
//! `GONGKAI_BENCH_PG=postgres://…/db` PostgreSQL is measured too (analyzed after the load, as autovacuum
//! would). Cases:
//! - `newest_page`: the page as opened, no condition;
//! - `one_case`: the entries of one application (`subject` prefix), from the middle of the log;
//! - `one_clerk`: one clerk's newest page (`actor`);
//! - `one_day`: one day's newest page (`at` window);
//! - `nothing_found`: a subject that is not there;
//! - `verify_whole_chain`: `audit::verify` over every entry (the log is a real chain).

/// The allocator of the `gongkai` binary, so the figures are the server's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "scale/backends.rs"]
mod backends;

use std::hint::black_box;
use std::time::Instant;

use criterion::{Criterion, criterion_group, criterion_main};
use gongkai_store::Store;
use gongkai_store::audit::{self, Query};

const ENTRIES: usize = 2_000_000;
const CLERKS: usize = 12_000;
const ROWS_PER_INSERT: usize = 1_000;
const ACTIONS: [&str; 8] = [
    "application.intake",
    "application.assign",
    "letter.generate",
    "letter.send",
    "application.reply",
    "application.close",
    "user.sign_in_failed",
    "catalog.publish",
];

/// Entry `index`: written `index` × 78 s after 2022-01-01 (five years over two million entries), the
/// application of entry `index` is `index / 6`; chained from `prev_hash` by `audit::entry_hash`, so the log
/// verifies. Returns the VALUES tuple and the entry's hash.
fn row(index: usize, prev_hash: &str) -> (String, String) {
    let at = time::macros::datetime!(2022-01-01 00:00:00 UTC)
        + time::Duration::seconds(index as i64 * 78)
        + time::Duration::nanoseconds((index as i64 * 7_919) % 1_000_000_000);
    let at = at.format(&time::format_description::well_known::Rfc3339).unwrap();
    let action = ACTIONS[index % ACTIONS.len()];
    let subject = format!("application:YSQ{:010}", index / 6);
    let actor = format!("clerk{}", (index * 7) % CLERKS);
    let address = format!("10.{}.{}.{}", index % 200, (index / 200) % 250, index % 250 + 1);
    let after = format!("{{\"step\":{index}}}");
    let entry = audit::Action {
        actor: &actor,
        address: &address,
        action,
        subject: &subject,
        before: None,
        after: Some(&after),
    };
    let hash = audit::entry_hash(prev_hash, &at, &entry);
    let values = format!(
        "('{at}', '{actor}', '{address}', '{action}', '{subject}', NULL, '{after}', '{prev_hash}', '{hash}')"
    );
    (values, hash)
}

#[allow(clippy::print_stdout)]
async fn build(store: &Store) {
    let have = store.count_admin("SELECT COUNT(*) FROM audit_log").await.unwrap();
    if have as usize >= ENTRIES {
        return;
    }
    // A half-written log is not resumed.
    assert_eq!(
        have, 0,
        "a partial benchmark log: remove target/bench-scale/audit.db (or the PG database)"
    );
    let started = Instant::now();
    let mut prev_hash = "0".repeat(64);
    for first in (0..ENTRIES).step_by(ROWS_PER_INSERT) {
        let mut values = Vec::with_capacity(ROWS_PER_INSERT);
        for index in first..first + ROWS_PER_INSERT {
            let (tuple, hash) = row(index, &prev_hash);
            values.push(tuple);
            prev_hash = hash;
        }
        store
            .execute_admin(&format!(
                "INSERT INTO audit_log (at, actor, address, action, subject, before_state, after_state, prev_hash, hash) VALUES {}",
                values.join(", ")
            ))
            .await
            .unwrap();
    }
    store
        .execute_admin(&format!(
            "INSERT INTO audit_head (id, entries, hash) VALUES (1, {ENTRIES}, '{prev_hash}') \
             ON CONFLICT (id) DO UPDATE SET entries = excluded.entries, hash = excluded.hash"
        ))
        .await
        .unwrap();
    // Statistics, as autovacuum keeps them on a live PostgreSQL (off on this kind of machine); SQLite's
    // planner needs none for these searches.
    if store.backend() == gongkai_store::Backend::Postgres {
        store.execute_admin("ANALYZE audit_log").await.unwrap();
    }
    println!("wrote {ENTRIES} audit entries in {:.0} s", started.elapsed().as_secs_f64());
}

#[allow(clippy::print_stdout)]
fn bench_backend(c: &mut Criterion, name: &str, url: &str) {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let store = runtime.block_on(async {
        let store = Store::open(url).await.unwrap();
        build(&store).await;
        store
    });
    let case = format!("application:YSQ{:010}", ENTRIES / 12);
    let day = "2024-06-15";
    let (from, until) = ("2024-06-14T16:00:00", "2024-06-15T16:00:00");
    let searches: [(&str, Query<'_>, usize); 5] = [
        ("newest_page", Query::default(), 100),
        ("one_case", Query { subject: Some(&case), ..Query::default() }, 6),
        ("one_clerk", Query { actor: Some("clerk4321"), ..Query::default() }, 100),
        ("one_day", Query { from: Some(from), until: Some(until), ..Query::default() }, 100),
        ("nothing_found", Query { subject: Some("application:none"), ..Query::default() }, 0),
    ];
    let mut group = c.benchmark_group("audit_search");
    group.sample_size(10);
    for (label, query, expected) in searches {
        let found = runtime.block_on(audit::search(&store, &query, 100)).unwrap();
        assert_eq!(found.len(), expected, "{name} {label}");
        println!(
            "{name} {label}: {} entries{}",
            found.len(),
            if label == "one_day" { format!(" of {day}") } else { String::new() }
        );
        group.bench_function(format!("{name}_{label}"), |b| {
            b.iter(|| runtime.block_on(audit::search(&store, black_box(&query), 100)).unwrap())
        });
    }
    // The whole chain walked, as `gongkai audit-log verify` and the page's 校验哈希链 do.
    let verified = runtime.block_on(audit::verify(&store)).unwrap();
    assert_eq!(verified, audit::Verification::Intact { entries: ENTRIES as u64 }, "{name}");
    group.bench_function(format!("{name}_verify_whole_chain"), |b| {
        b.iter(|| runtime.block_on(audit::verify(&store)).unwrap())
    });
    group.finish();
    runtime.block_on(store.close());
}

fn bench(c: &mut Criterion) {
    for (name, url) in backends::backends("audit.db") {
        bench_backend(c, name, &url);
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
