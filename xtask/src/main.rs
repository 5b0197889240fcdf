//! Project automation. `cargo xtask tidy` checks the rules a reviewer should not have to:
//!
//! 1. `gongkai-core` is pure: its normal dependency tree (from `cargo tree`) holds no async runtime,
//!    database, HTTP or other IO crate, and its sources use no file, network, process, environment or
//!    clock API.
//! 2. Every Rust file starts with a `//!` module doc.
//! 3. The web crate decides no statutory question: it names no regulation (`Regime::Ordinance…`) and no
//!    reply category (`Outcome::…`); it parses forms into the core's commands and shows the core's answers
//!    (`core::handling` decides which steps a case allows).
//!
//! The same checks run as a test (`cargo test -p xtask`), so README's test command enforces them.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use anyhow::{Context as _, bail};

/// Crates the core may never depend on, directly or transitively: async runtimes, database drivers,
/// HTTP stacks, and crates whose purpose is IO.
const FORBIDDEN_IN_CORE: &[&str] = &[
    "tokio",
    "async-std",
    "smol",
    "futures",
    "futures-util",
    "mio",
    "sqlx",
    "sqlx-core",
    "diesel",
    "sea-orm",
    "rusqlite",
    "libsqlite3-sys",
    "postgres",
    "tokio-postgres",
    "axum",
    "hyper",
    "reqwest",
    "tower",
    "tonic",
    "ureq",
    "socket2",
    "tantivy",
    "notify",
    "walkdir",
];

/// Source patterns the core may not contain: IO, environment and clock access.
const FORBIDDEN_PATTERNS_IN_CORE: &[&str] = &[
    "std::fs",
    "std::net",
    "std::process",
    "std::env::",
    "std::io::stdin",
    "SystemTime::now",
    "Instant::now",
    "now_utc",
    "now_local",
    "UtcDateTime::now",
    "async fn",
    ".await",
];

/// Source patterns gongkai-web may not contain: the statutory decisions belong to the core.
const FORBIDDEN_PATTERNS_IN_WEB: &[&str] =
    &["Regime::Ordinance2007", "Regime::Ordinance2019", "Outcome::"];

/// Whether `text` contains `pattern` as a whole: where the pattern ends in a name, the name must end there too
/// (`.await` is not in `self.awaiting`).
fn uses(text: &str, pattern: &str) -> bool {
    let is_name = |c: char| c.is_alphanumeric() || c == '_';
    let open_ended = !pattern.ends_with(is_name);
    text.match_indices(pattern)
        .any(|(at, _)| open_ended || !text[at + pattern.len()..].starts_with(is_name))
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask sits in the workspace root")
        .to_path_buf()
}

/// The crate names in the core's normal (non-dev, non-build) dependency tree.
fn core_dependencies(root: &Path) -> anyhow::Result<Vec<String>> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let output = Command::new(cargo)
        .current_dir(root)
        .args(["tree", "-p", "gongkai-core", "-e", "normal", "--prefix", "none", "--format", "{p}"])
        .output()
        .context("running `cargo tree`")?;
    if !output.status.success() {
        bail!("`cargo tree` failed: {}", String::from_utf8_lossy(&output.stderr));
    }
    let text = String::from_utf8(output.stdout).context("`cargo tree` output is not UTF-8")?;
    Ok(text.lines().filter_map(|line| line.split_whitespace().next()).map(str::to_owned).collect())
}

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    for entry in std::fs::read_dir(dir).with_context(|| format!("listing `{}`", dir.display()))? {
        let path = entry?.path();
        if path.is_dir() {
            if path.file_name().is_some_and(|name| name == "target") {
                continue;
            }
            rust_files(&path, found)?;
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            found.push(path);
        }
    }
    Ok(())
}

/// Every problem found, one line each.
fn tidy(root: &Path) -> anyhow::Result<Vec<String>> {
    let mut problems = Vec::new();

    let dependencies = core_dependencies(root)?;
    if !dependencies.iter().any(|name| name == "gongkai-core") {
        bail!("`cargo tree` did not list gongkai-core itself; the check would prove nothing");
    }
    for name in &dependencies {
        if FORBIDDEN_IN_CORE.contains(&name.as_str()) {
            problems.push(format!(
                "gongkai-core depends on `{name}`: the core must stay free of IO and async"
            ));
        }
    }

    let mut core_sources = Vec::new();
    rust_files(&root.join("crates/gongkai-core/src"), &mut core_sources)?;
    if core_sources.is_empty() {
        bail!("no core sources found under `{}`", root.display());
    }
    for path in &core_sources {
        let text = std::fs::read_to_string(path)?;
        for pattern in FORBIDDEN_PATTERNS_IN_CORE {
            if uses(&text, pattern) {
                problems.push(format!(
                    "{} uses `{pattern}`: the core does no IO and never reads the clock",
                    path.display()
                ));
            }
        }
    }

    let mut web_sources = Vec::new();
    rust_files(&root.join("crates/gongkai-web/src"), &mut web_sources)?;
    for path in &web_sources {
        let text = std::fs::read_to_string(path)?;
        for pattern in FORBIDDEN_PATTERNS_IN_WEB {
            if uses(&text, pattern) {
                problems.push(format!(
                    "{} uses `{pattern}`: statutory decisions belong to gongkai-core",
                    path.display()
                ));
            }
        }
    }

    let mut all_sources = Vec::new();
    rust_files(&root.join("crates"), &mut all_sources)?;
    rust_files(&root.join("xtask"), &mut all_sources)?;
    for path in &all_sources {
        let text = std::fs::read_to_string(path)?;
        if !text.starts_with("//!") {
            problems.push(format!("{} does not start with a `//!` module doc", path.display()));
        }
    }
    Ok(problems)
}

fn main() -> ExitCode {
    let task = std::env::args().nth(1);
    match task.as_deref() {
        Some("tidy") => match tidy(&workspace_root()) {
            Ok(problems) if problems.is_empty() => {
                eprintln!("tidy: ok");
                ExitCode::SUCCESS
            }
            Ok(problems) => {
                for problem in problems {
                    eprintln!("tidy: {problem}");
                }
                ExitCode::FAILURE
            }
            Err(err) => {
                eprintln!("tidy: error: {err:#}");
                ExitCode::from(2)
            }
        },
        _ => {
            eprintln!("usage: cargo xtask tidy");
            ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tidy_finds_no_problem() {
        let problems = tidy(&workspace_root()).expect("tidy runs");
        assert!(problems.is_empty(), "{problems:#?}");
    }

    #[test]
    fn a_pattern_is_found_as_a_whole_name() {
        assert!(uses("let x = call().await;", ".await"));
        assert!(uses("call().await?", ".await"));
        assert!(!uses("self.awaiting_payment = true;", ".await"));
        assert!(uses("x = Outcome::Replied", "Outcome::"));
        assert!(uses("use std::fs;", "std::fs"));
        assert!(!uses("use std::fsx;", "std::fs"));
        // Every pattern the web may not use is found as the web would write it.
        for (code, pattern) in [
            ("match regime { Regime::Ordinance2019 => 20, _ => 15 }", "Regime::Ordinance2019"),
            ("if regime == Regime::Ordinance2007 {", "Regime::Ordinance2007"),
            ("Some(Outcome::Other(kind))", "Outcome::"),
        ] {
            assert!(FORBIDDEN_PATTERNS_IN_WEB.contains(&pattern));
            assert!(uses(code, pattern), "{code}");
        }
    }

    #[test]
    fn core_dependency_tree_is_read_and_checked() {
        // The check must see the core's real dependencies, or it proves nothing.
        let dependencies = core_dependencies(&workspace_root()).unwrap();
        assert!(dependencies.iter().any(|name| name == "time"), "{dependencies:?}");
        assert!(!dependencies.iter().any(|name| FORBIDDEN_IN_CORE.contains(&name.as_str())));
    }
}
