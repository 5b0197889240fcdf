//! The corpus of real published reports (tests/corpus/, issue #23): every report gives exactly the findings
//! judged by hand (`expected` in the manifest) — audited whole when its table is read, by the prose checks
//! that need no table otherwise — and no other report gets any: a report that starts getting findings must
//! be judged and recorded before this passes again. Prints how many reports had their table read and how
//! many of the annotated contradictions were found.

use std::path::PathBuf;

use gongkai_audit::audit;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct Manifest {
    report: Vec<Entry>,
}

#[derive(Debug, Deserialize)]
struct Entry {
    id: String,
    kind: String,
    files: Vec<String>,
    #[serde(default)]
    contradictions: Vec<toml::Value>,
    expected: Option<Vec<Expected>>,
}

#[derive(Debug, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
struct Expected {
    rule: String,
    expected: String,
    found: String,
}

#[test]
fn real_reports_give_exactly_the_findings_judged_by_hand() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let manifest: Manifest =
        toml::from_str(&std::fs::read_to_string(root.join("manifest.toml")).unwrap()).unwrap();
    let (mut full, mut read, mut found) = (0, 0, 0);
    let annotated: usize = manifest.report.iter().map(|entry| entry.contradictions.len()).sum();
    let mut problems = Vec::new();
    for entry in &manifest.report {
        let file = root.join(&entry.files[0]);
        let bytes = std::fs::read(&file).unwrap_or_else(|err| panic!("{}: {err}", file.display()));
        if entry.kind == "full" {
            full += 1;
        }
        // A report whose table is read is audited whole; any other (an opening, a table not read) by the
        // prose checks that need no table.
        let all = match audit(&bytes, None) {
            Ok(audited) => {
                read += 1;
                audited.findings
            }
            Err(_) => match gongkai_audit::read(&bytes, gongkai_audit::Kind::detect(&bytes)) {
                Ok(document) => gongkai_audit::audit_prose(&document).1,
                Err(_) => Vec::new(),
            },
        };
        if all.is_empty() && entry.expected.as_ref().is_none_or(Vec::is_empty) {
            continue;
        }
        let mut findings: Vec<Expected> = all
            .iter()
            .map(|finding| Expected {
                rule: finding.rule.clone(),
                expected: finding.expected.clone().unwrap_or_default(),
                found: finding.found.clone().unwrap_or_default(),
            })
            .collect();
        findings.sort();
        match &entry.expected {
            Some(expected) => {
                let mut expected: Vec<&Expected> = expected.iter().collect();
                expected.sort();
                if findings.iter().collect::<Vec<_>>() != expected {
                    problems.push(format!(
                        "{}: findings {findings:?}, judged by hand {expected:?}",
                        entry.id
                    ));
                }
                // `expected` is judged against the annotation: its findings are contradictions found.
                found += expected.len();
            }
            None => problems.push(format!(
                "{}: now read ({} findings: {findings:?}); judge them against its annotation and record \
                 `expected` in the manifest",
                entry.id,
                findings.len()
            )),
        }
    }
    eprintln!(
        "corpus: {full} full reports, {} openings; {read} with their table read; {found} of the {annotated} \
         annotated contradictions found, and no other finding",
        manifest.report.len() - full,
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(read >= 3, "the three PDF reports are read");
}
