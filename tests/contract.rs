//! The JSON report is a contract (README "JSON report"): these fields, these types, this order.

mod common;
use common::json_report;
use serde_json::Value;

fn keys(value: &Value) -> Vec<&str> {
    value
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect()
}

#[test]
fn top_level_shape() {
    let (_, report) = json_report(&[
        "check",
        "testdata/nested-module/plan.json",
        "testdata/bad/empty.json",
    ]);
    let mut top = keys(&report);
    top.sort_unstable();
    assert_eq!(
        top,
        [
            "errors",
            "plans",
            "settings",
            "source_root",
            "summary",
            "tool",
            "version"
        ]
    );
    assert!(report["source_root"].is_null());
    // Every setting, in one order, with where it came from (none from a file here).
    let settings = report["settings"].as_array().unwrap();
    let settings_keys: Vec<&str> = settings
        .iter()
        .map(|s| s["key"].as_str().unwrap())
        .collect();
    assert_eq!(
        settings_keys,
        [
            "unknown",
            "fail_on",
            "changed_only",
            "rules",
            "skip_rules",
            "foreign_ignores",
            "report"
        ]
    );
    assert_eq!(keys(&settings[0]), ["key", "origin", "value", "weakens"]);
    assert_eq!(settings[0]["value"], "warn");
    assert_eq!(settings[0]["origin"], "default");
    assert_eq!(report["version"], 1);
    assert_eq!(report["tool"]["name"], "tracegate");
    assert!(report["tool"]["version"].is_string());
    let rule = &report["tool"]["rules"][0];
    assert_eq!(rule["id"], "D9.AWS.OPE.07");
    assert_eq!(rule["risk"], "Low");
    assert!(rule["targets"].as_array().unwrap().len() == 2);

    let error = &report["errors"][0];
    assert_eq!(error["path"], "testdata/bad/empty.json");
    assert!(error["message"].as_str().unwrap().contains("empty input"));

    let summary = &report["summary"];
    for field in ["plans", "functions", "pass", "fail", "unknown", "skipped"] {
        assert!(summary[field].is_u64(), "summary.{field}");
    }
    assert_eq!(summary["gate"], "error");
    assert_eq!(summary["unknown_policy"], "warn");
}

#[test]
fn plan_and_finding_shape() {
    let (_, report) = json_report(&["check", "testdata/nested-module/plan.json"]);
    let plan = &report["plans"][0];
    assert_eq!(plan["path"], "testdata/nested-module/plan.json");
    assert_eq!(plan["kind"], "plan");
    assert_eq!(plan["format_version"], "1.2");
    assert_eq!(plan["terraform_version"], "1.11.4");
    assert!(plan["warnings"].is_array());
    assert_eq!(
        plan["scope"],
        serde_json::json!({"complete": true, "errored": false, "refresh_only": false, "from_prior_state": 0, "deferred": 0})
    );
    assert_eq!(plan["summary"]["functions"], 3);
    assert_eq!(report["summary"]["gate"], "fail");

    for finding in plan["findings"].as_array().unwrap() {
        for field in [
            "rule",
            "address",
            "type",
            "verdict",
            "mode",
            "actions",
            "evidence",
            "fingerprint",
        ] {
            assert!(finding.get(field).is_some(), "finding.{field}");
        }
        assert!(
            [common::TRACING, common::PERMISSION].contains(&finding["rule"].as_str().unwrap()),
            "{finding}"
        );
        assert_eq!(finding["type"], "aws_lambda_function");
        assert!(["pass", "fail", "unknown", "warn", "skipped"]
            .contains(&finding["verdict"].as_str().unwrap()));
        assert!(finding["mode"].is_string() || finding["mode"].is_null());
        assert_eq!(finding["actions"], serde_json::json!(["create"]));
        let fingerprint = finding["fingerprint"].as_str().unwrap();
        assert_eq!(fingerprint.len(), 64);
        assert!(fingerprint.chars().all(|c| c.is_ascii_hexdigit()));
        for step in finding["evidence"].as_array().unwrap() {
            assert!(step["message"].is_string());
            if let Some(location) = step.get("location") {
                assert!(location["file"].is_string());
                assert!(location["line"].as_u64().unwrap() >= 1);
            }
        }
        if finding["verdict"] == "fail" {
            assert!(finding["fix"]["description"].is_string());
        } else {
            assert!(finding.get("fix").is_none());
        }
    }
}

#[test]
fn findings_are_sorted_and_stable() {
    let (_, first) = json_report(&["check", "testdata/count-for-each/plan.json"]);
    let (_, second) = json_report(&["check", "testdata/count-for-each/plan.json"]);
    assert_eq!(first, second);
    let lines: Vec<u64> = first["plans"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let location = &f["location"];
            location["line"].as_u64().unwrap() * 1_000_000 + location["column"].as_u64().unwrap()
        })
        .collect();
    let mut sorted = lines.clone();
    sorted.sort_unstable();
    assert_eq!(
        lines, sorted,
        "findings follow the plan's order of appearance"
    );
}

#[test]
fn fingerprints_ignore_lines_and_plans() {
    let (_, compact) = json_report(&["check", "testdata/active/plan.json"]);
    let (_, other) = json_report(&["check", "testdata/format-1.0/plan.json"]);
    assert_eq!(
        compact["plans"][0]["findings"][0]["fingerprint"],
        other["plans"][0]["findings"][0]["fingerprint"]
    );
}

#[test]
fn scope_and_deposed_fields() {
    let (_, targeted) = json_report(&["check", "testdata/targeted/plan.json"]);
    let scope = &targeted["plans"][0]["scope"];
    assert_eq!(scope["complete"], false);
    assert_eq!(scope["from_prior_state"], 1);
    assert!(scope["deferred"].is_u64());
    let (_, deposed) = json_report(&["check", "testdata/deposed-kept/plan.json"]);
    let findings = common::tracing_findings(&deposed, 0);
    assert!(findings[0].get("deposed").is_none());
    assert_eq!(findings[1]["deposed"], "522d8f92");
    let (code, errored) = json_report(&["check", "testdata/errored/plan.json"]);
    assert_eq!(code, 2);
    assert_eq!(errored["summary"]["gate"], "error");
    assert!(errored["errors"].as_array().unwrap().is_empty());
}
