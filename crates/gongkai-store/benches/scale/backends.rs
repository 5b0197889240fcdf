//! The backends a store benchmark measures.

/// SQLite at `target/bench-scale/{file}` (the folder created), then PostgreSQL at `GONGKAI_BENCH_PG` when set.
pub(crate) fn backends(file: &str) -> Vec<(&'static str, String)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/bench-scale");
    std::fs::create_dir_all(&dir).unwrap();
    let mut backends = vec![("sqlite", format!("sqlite://{}", dir.join(file).display()))];
    if let Ok(url) = std::env::var("GONGKAI_BENCH_PG") {
        backends.push(("postgres", url));
    }
    backends
}
