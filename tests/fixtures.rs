//! Every folder under `testdata/` is found on disk and accounted for in `common::FIXTURES`: a new
//! folder without an expectation fails here, and each judged folder gives its exit code and
//! verdict counts.

mod common;
use common::{fixture_folders, has_sources, json_report, Expect, FIXTURES};

#[test]
fn every_fixture_folder_has_an_expectation() {
    let on_disk = fixture_folders();
    let missing: Vec<&String> = on_disk
        .iter()
        .filter(|folder| !FIXTURES.iter().any(|(name, _)| name == folder))
        .collect();
    assert!(
        missing.is_empty(),
        "testdata folders without an entry in tests/common FIXTURES: {missing:?}"
    );
    let stale: Vec<&str> = FIXTURES
        .iter()
        .map(|(name, _)| *name)
        .filter(|name| !on_disk.iter().any(|folder| folder == name))
        .collect();
    assert!(
        stale.is_empty(),
        "FIXTURES entries with no folder: {stale:?}"
    );
}

#[test]
fn every_judged_fixture_gives_its_expected_gate_and_counts() {
    for (folder, expected) in FIXTURES {
        let Expect::Judged { exit, counts } = *expected else {
            continue;
        };
        let plan = format!("testdata/{folder}/plan.json");
        let root = format!("testdata/{folder}");
        let mut args = vec!["check", plan.as_str()];
        if has_sources(folder) {
            args.extend(["--source-root", root.as_str()]);
        }
        let (code, report) = json_report(&args);
        assert_eq!(code, exit, "{folder}: exit code");
        // The counts are the tracing rule's (one finding per function); the permission rule's
        // are tested where IAM is planned (tests/xray_attacks.rs, tests/real_terraform.rs).
        let plans = report["plans"].as_array().expect("plans").len();
        let tracing: Vec<&serde_json::Value> = (0..plans)
            .flat_map(|plan| common::tracing_findings(&report, plan))
            .collect();
        let got = ["fail", "unknown", "pass", "skipped"]
            .map(|key| tracing.iter().filter(|f| f["verdict"] == key).count());
        assert_eq!(got, counts, "{folder}: fail, unknown, pass, skipped");
    }
}
