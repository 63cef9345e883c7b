//! `--fail-on new` (the ratchet, read from each change's `before`) and `--exit-zero`, on plans
//! written by real Terraform (testdata/real).

mod common;
use common::{command, run_with};
use serde_json::Value;

fn check(plan: &str, extra: &[&str]) -> (i32, Value) {
    let mut args = vec!["check", plan, "--format", "json"];
    args.extend_from_slice(extra);
    let outcome = run_with(command(&args), None);
    (
        outcome.code,
        serde_json::from_str(&outcome.stdout).expect("a JSON report"),
    )
}

fn finding<'r>(report: &'r Value, address: &str) -> &'r Value {
    report["plans"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["address"] == address)
        .unwrap_or_else(|| panic!("no finding for {address}"))
}

#[test]
fn a_function_deployed_untraced_and_left_so_is_existing_and_only_warns() {
    let plan = "testdata/real/drift-no-block/plan.json";
    let (all, report) = check(plan, &[]);
    assert_eq!(all, 1);
    assert_eq!(
        finding(&report, "aws_lambda_function.fn")["baseline"],
        "existing"
    );
    let (new, report) = check(plan, &["--fail-on", "new"]);
    assert_eq!(new, 0, "an existing failure does not fail --fail-on new");
    let fn_ = finding(&report, "aws_lambda_function.fn");
    assert_eq!(fn_["verdict"], "fail");
    assert!(fn_["evidence"]
        .to_string()
        .contains("already deployed without Active tracing"));
    assert_eq!(report["summary"]["gate"], "pass");
}

#[test]
fn an_update_from_active_is_new_and_fails() {
    let plan = "testdata/real/update-switch-mode/plan.json";
    let (code, report) = check(plan, &["--fail-on", "new"]);
    assert_eq!(code, 1);
    assert_eq!(
        finding(&report, "aws_lambda_function.down")["baseline"],
        "new"
    );
}

#[test]
fn created_and_replaced_functions_are_new() {
    let (code, report) = check("testdata/real/replace/plan.json", &["--fail-on", "new"]);
    assert_eq!(code, 1);
    assert_eq!(
        finding(&report, "aws_lambda_function.renamed_unset")["baseline"],
        "new"
    );
    let (_, report) = check(
        "testdata/real/root-literals/plan.json",
        &["--fail-on", "new"],
    );
    assert_eq!(
        finding(&report, "aws_lambda_function.unset")["baseline"],
        "new"
    );
    // A passing function has no baseline: only failing and unknown ones are compared.
    let (_, report) = check("testdata/real/update-switch-mode/plan.json", &[]);
    for f in report["plans"][0]["findings"].as_array().unwrap() {
        if f["verdict"] == "pass" {
            assert!(f.get("baseline").is_none(), "{f}");
        }
    }
}

/// An import adopts a function this configuration did not manage: it is not part of the baseline.
#[test]
fn an_imported_untraced_function_is_new() {
    let plan = "testdata/real/import-block/plan.json";
    let (code, report) = check(plan, &["--fail-on", "new"]);
    assert_eq!(code, 1);
    assert_eq!(
        finding(&report, "aws_lambda_function.adopted_as_is")["baseline"],
        "new"
    );
}

#[test]
fn sarif_marks_the_baseline_state() {
    let outcome = run_with(
        command(&[
            "check",
            "testdata/real/drift-no-block/plan.json",
            "--format",
            "sarif",
        ]),
        None,
    );
    let sarif: Value = serde_json::from_str(&outcome.stdout).unwrap();
    let states: Vec<&Value> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["baselineState"])
        .collect();
    // The permission finding follows its function's tracing finding: the role's X-Ray grant is
    // asked for only by the tracing fix that `--fail-on new` does not demand yet.
    assert_eq!(states, ["unchanged", "unchanged"]);
}

#[test]
fn exit_zero_reports_but_never_fails_and_input_errors_still_exit_2() {
    let (code, report) = check("testdata/real/root-literals/plan.json", &["--exit-zero"]);
    assert_eq!(code, 0);
    assert_eq!(
        report["summary"]["gate"], "fail",
        "the report still says the gate failed"
    );
    let outcome = run_with(
        command(&["check", "testdata/bad/truncated.json", "--exit-zero"]),
        None,
    );
    assert_eq!(outcome.code, 2, "{}", outcome.stderr);
}
