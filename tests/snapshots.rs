//! Snapshots of the CLI's output for every scenario: text (plain) and JSON, volatile fields
//! redacted. Review changes with `cargo insta review`.

mod common;
use common::{command, run, run_with};

fn redact(text: &str) -> String {
    text.replace(env!("CARGO_PKG_VERSION"), "[version]")
}

fn render(args: &[&str]) -> String {
    let outcome = run(args);
    redact(&format!(
        "exit: {}\n--- stdout\n{}--- stderr\n{}",
        outcome.code, outcome.stdout, outcome.stderr
    ))
}

#[test]
fn text_output() {
    for scenario in common::scenarios() {
        let path = format!("testdata/{scenario}/plan.json");
        insta::assert_snapshot!(
            format!("text-{scenario}"),
            render(&["check", &path, "--color", "never", "--verbose"])
        );
    }
}

#[test]
fn text_output_default_hides_passing() {
    insta::assert_snapshot!(render(&[
        "check",
        "testdata/nested-module/plan.json",
        "--color",
        "never"
    ]));
}

#[test]
fn coloured_text() {
    insta::assert_snapshot!(render(&[
        "check",
        "testdata/nested-module/plan.json",
        "--color",
        "always"
    ]));
}

#[test]
fn no_color_is_honoured_and_always_overrides_it() {
    let mut plain = command(&["check", "testdata/passthrough/plan.json", "--color", "auto"]);
    plain.env("NO_COLOR", "1");
    assert!(!run_with(plain, None).stdout.contains('\x1b'));
    let mut forced = command(&[
        "check",
        "testdata/passthrough/plan.json",
        "--color",
        "always",
    ]);
    forced.env("NO_COLOR", "1");
    assert!(run_with(forced, None).stdout.contains('\x1b'));
}

#[test]
fn json_output() {
    for scenario in ["nested-module", "awscc", "mode-unknown", "state"] {
        let path = format!("testdata/{scenario}/plan.json");
        insta::assert_snapshot!(
            format!("json-{scenario}"),
            render(&["check", &path, "--format", "json"])
        );
    }
}

#[test]
fn corpus_text_output() {
    insta::assert_snapshot!(render(&[
        "check",
        "--color",
        "never",
        "testdata/corpus/plans/tfcompliance__tests__functional__test_issue-249-bad_feature__plan.out.json",
        "testdata/corpus/plans/infracost__cmd__infracost__testdata__plan_with_terraform_wrapper.json",
        "testdata/corpus/plans/infracost__cmd__infracost__testdata__example_plan.json",
    ]));
}

#[test]
fn rules_command() {
    insta::assert_snapshot!(render(&["rules"]));
    let json = run(&["rules", "--format", "json"]);
    let rules: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(rules[0]["id"], "D9.AWS.OPE.07");
    assert_eq!(
        rules[0]["targets"][0]["mode_path"],
        "$.tracing_config[0].mode"
    );
}

#[test]
fn help_and_version() {
    insta::assert_snapshot!(render(&["check", "--help"]));
    let version = run(&["--version"]);
    assert_eq!(version.code, 0);
    assert_eq!(
        version.stdout,
        format!("tracegate {}\n", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn output_file() {
    let dir = common::scratch("output-file");
    let out = dir.join("verdicts.json");
    let outcome = run(&[
        "check",
        "testdata/passthrough/plan.json",
        "--format",
        "json",
        "--output",
        out.to_str().unwrap(),
    ]);
    assert_eq!(outcome.code, 1);
    assert_eq!(outcome.stdout, "");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out).unwrap()).unwrap();
    assert_eq!(report["summary"]["fail"], 1);
}
