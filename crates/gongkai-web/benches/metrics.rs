//! What `/metrics` adds to a request (issue #21, target: ≤ 2 % of the catalog pages' throughput): the same
//! cached public page through the whole router (every layer: request id, trace, site marks, page cache…),
//! with the metrics layer and without it, in one process on one thread, so that only the layer differs.
//!
//! `cargo bench -p gongkai-web --bench metrics`. SQLite in a temporary directory with one agency; the page is
//! the agency's catalog, served from the page cache as nearly every catalog request is.

use std::hint::black_box;
use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use criterion::{Criterion, criterion_group, criterion_main};
use gongkai_store::agencies::{self, NewAgency};
use gongkai_store::{Actor, Store};
use gongkai_web::AppState;
use http_body_util::BodyExt;
use tower::ServiceExt;

const ACTOR: Actor<'static> = Actor::new("bench", "127.0.0.1");
const PAGE: &str = "/agencies/SFJ/catalog";

async fn store(dir: &std::path::Path) -> Store {
    let store = Store::open(&format!("sqlite://{}", dir.join("gk.db").display())).await.unwrap();
    let agency = NewAgency {
        code: "SFJ",
        name: "温州市司法局",
        kind: gongkai_core::records::AgencyKind::Department,
        region: "浙江省温州市",
        parent_code: None,
        index_pattern: "{code}/{year}-{serial:05}",
        office: "政府信息公开办公室",
        phone: "0577-88000000",
        address: "温州市鹿城区市府路500号",
        hours: "工作日 8:30-12:00，14:00-17:30",
    };
    agencies::add(&store, &agency, &ACTOR).await.unwrap();
    store
}

async fn get(router: &axum::Router) -> usize {
    let mut request =
        Request::get(PAGE).header(header::HOST, "gk.example.cn").body(Body::empty()).unwrap();
    request.extensions_mut().insert(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 40000))));
    let response = router.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response.into_body().collect().await.unwrap().to_bytes().len()
}

fn cached_page(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = runtime.block_on(store(dir.path()));
    let mut group = c.benchmark_group("cached catalog page");
    let routers: Vec<(bool, axum::Router)> = [false, true]
        .into_iter()
        .map(|metrics| {
            let mut state =
                runtime.block_on(AppState::new(store.clone())).unwrap().without_rate_limits();
            if metrics {
                state = state.with_metrics(gongkai_web::metrics::Access::loopback());
            }
            let router = gongkai_web::router(state);
            runtime.block_on(get(&router));
            (metrics, router)
        })
        .collect();
    // Three rounds, alternating: the spread between rounds of one kind is the noise to judge the
    // difference by (machine load, the order of the runs).
    for round in 1..=3 {
        for (metrics, router) in &routers {
            let name = format!("metrics {}, round {round}", if *metrics { "on" } else { "off" });
            group.bench_function(name, |b| b.iter(|| black_box(runtime.block_on(get(router)))));
        }
    }
    group.finish();
}

criterion_group!(benches, cached_page);
criterion_main!(benches);
