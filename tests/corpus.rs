//! Every real plan of the corpus gets the verdicts its MANIFEST.tsv lists. Reads the copy in
//! testdata/corpus, so it does not depend on ../shared.

mod common;
use common::{map, run};
use std::collections::BTreeMap;

#[test]
fn corpus_verdicts_match_the_manifest() {
    let manifest =
        std::fs::read_to_string(common::root().join("testdata/corpus/MANIFEST.tsv")).unwrap();
    let mut lines = manifest.lines();
    let header: Vec<&str> = lines.next().unwrap().split('\t').collect();
    let column = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (plan_col, expected_col) = (column("plan"), column("expected"));
    let mut checked = 0;
    for line in lines.filter(|l| !l.trim().is_empty()) {
        let fields: Vec<&str> = line.split('\t').collect();
        let path = format!("testdata/corpus/plans/{}", fields[plan_col]);
        let expected = fields[expected_col];
        let outcome = run(&["check", &path, "--format", "json"]);
        if let Some(error) = expected.strip_prefix("error:") {
            assert_eq!(outcome.code, 2, "{path}");
            assert_eq!(outcome.stderr.lines().count(), 1, "{path}");
            assert!(
                error.trim().starts_with("not a plan")
                    && outcome.stderr.contains("not a Terraform plan"),
                "{path}: {}",
                outcome.stderr
            );
        } else {
            let expected: BTreeMap<String, String> = map(&expected
                .split(';')
                .map(str::trim)
                .filter(|item| !item.starts_with("note:"))
                .map(|item| item.split_once('=').unwrap())
                .collect::<Vec<_>>());
            let report: serde_json::Value = serde_json::from_str(&outcome.stdout).unwrap();
            let actual = common::verdicts_of(&report);
            assert_eq!(actual, expected, "{path}");
            let fails = expected.values().any(|v| v == "fail");
            assert_eq!(outcome.code, if fails { 1 } else { 0 }, "{path}");
            if expected_note(fields[expected_col]) {
                assert!(outcome.stderr.contains("setup-terraform wrapper"), "{path}");
            }
        }
        checked += 1;
    }
    assert_eq!(checked, 24, "every manifest row is checked");
}

fn expected_note(expected: &str) -> bool {
    expected.contains("note: setup-terraform wrapper")
}
