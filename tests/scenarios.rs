//! The verdict model (ARCHITECTURE.md, the verdict model), one scenario plan each. These are the spec.

mod common;
use common::{json_report, map, run, verdicts};

fn plan(scenario: &str) -> String {
    format!("testdata/{scenario}/plan.json")
}

fn assert_verdicts(scenario: &str, code: i32, expected: &[(&str, &str)]) {
    let path = plan(scenario);
    let (actual_code, actual) = verdicts(&["check", &path]);
    assert_eq!(actual, map(expected), "{scenario}");
    assert_eq!(actual_code, code, "{scenario} exit code");
}

#[test]
fn active_passes() {
    assert_verdicts("active", 0, &[("aws_lambda_function.api", "pass")]);
}

#[test]
fn passthrough_fails() {
    assert_verdicts("passthrough", 1, &[("aws_lambda_function.api", "fail")]);
}

#[test]
fn omitted_block_fails_in_both_shapes() {
    assert_verdicts("omitted-unknown", 1, &[("aws_lambda_function.api", "fail")]);
    assert_verdicts("omitted-empty", 1, &[("aws_lambda_function.api", "fail")]);
    let (_, report) = json_report(&["check", &plan("omitted-unknown")]);
    let evidence = report["plans"][0]["findings"][0]["evidence"].to_string();
    assert!(evidence.contains("AWS applies PassThrough"), "{evidence}");
    assert!(evidence.contains("assumed omitted"), "{evidence}");
}

#[test]
fn computed_mode_is_unknown_and_warns_by_default() {
    assert_verdicts("mode-unknown", 0, &[("aws_lambda_function.api", "unknown")]);
    let (_, report) = json_report(&["check", &plan("mode-unknown")]);
    let evidence = report["plans"][0]["findings"][0]["evidence"].to_string();
    assert!(
        evidence.contains("aws_ssm_parameter.tracing.value"),
        "{evidence}"
    );
}

#[test]
fn unknown_policy_decides_the_gate() {
    let path = plan("mode-unknown");
    assert_eq!(
        run(&[&path, "--unknown", "fail"]).code,
        2,
        "check is a subcommand"
    );
    assert_eq!(run(&["check", &path, "--unknown", "fail"]).code, 1);
    assert_eq!(run(&["check", &path, "--unknown", "warn"]).code, 0);
    assert_eq!(run(&["check", &path, "--unknown", "pass"]).code, 0);
}

#[test]
fn root_variable_is_named_in_the_evidence() {
    assert_verdicts("variable", 1, &[("aws_lambda_function.api", "fail")]);
    let (_, report) = json_report(&["check", &plan("variable")]);
    let finding = &report["plans"][0]["findings"][0];
    let first = finding["evidence"][0]["message"].as_str().unwrap();
    assert_eq!(first, "var.tracing_mode = \"PassThrough\" (plan variables)");
    assert!(finding["fix"]["description"]
        .as_str()
        .unwrap()
        .starts_with("set var.tracing_mode = \"Active\""));
}

#[test]
fn nested_module_inputs_resolve_to_the_root() {
    assert_verdicts(
        "nested-module",
        1,
        &[
            ("module.fed.module.inner.aws_lambda_function.this", "fail"),
            ("module.svc.module.inner.aws_lambda_function.this", "fail"),
            (
                "module.traced.module.inner.aws_lambda_function.this",
                "pass",
            ),
        ],
    );
    let (_, report) = json_report(&["check", &plan("nested-module")]);
    let findings = report["plans"][0]["findings"].as_array().unwrap();
    let by_address = |address: &str| {
        findings
            .iter()
            .find(|f| f["address"] == address)
            .unwrap()
            .clone()
    };
    let svc = by_address("module.svc.module.inner.aws_lambda_function.this");
    assert_eq!(
        svc["evidence"][0]["message"],
        "module.svc does not set tracing_mode, so var.tracing_mode takes its default \"PassThrough\""
    );
    assert_eq!(
        svc["fix"]["description"],
        "set tracing_mode = \"Active\" in module \"svc\" (module.svc)"
    );
    let fed = by_address("module.fed.module.inner.aws_lambda_function.this");
    assert_eq!(
        fed["evidence"][0]["message"],
        "var.mode = \"PassThrough\" (plan variables)"
    );
    assert_eq!(
        fed["evidence"][1]["message"],
        "module.fed sets tracing_mode = var.mode"
    );
}

#[test]
fn every_count_and_for_each_instance_is_judged() {
    assert_verdicts(
        "count-for-each",
        1,
        &[
            ("aws_lambda_function.counted[0]", "pass"),
            ("aws_lambda_function.counted[1]", "pass"),
            ("aws_lambda_function.each[\"a\"]", "pass"),
            ("aws_lambda_function.each[\"b\"]", "fail"),
            ("module.per_env[\"prod\"].aws_lambda_function.this", "fail"),
        ],
    );
}

#[test]
fn data_sources_are_never_judged() {
    assert_verdicts("data-source", 0, &[("aws_lambda_function.api", "pass")]);
}

#[test]
fn deletes_are_skipped() {
    assert_verdicts("delete", 0, &[("aws_lambda_function.old", "skipped")]);
}

#[test]
fn replace_is_judged_on_after() {
    assert_verdicts(
        "replace",
        1,
        &[
            ("aws_lambda_function.api", "pass"),
            ("aws_lambda_function.worker", "fail"),
        ],
    );
}

#[test]
fn update_without_block_keeps_the_prior_mode() {
    assert_verdicts(
        "update-keeps-active",
        0,
        &[("aws_lambda_function.api", "pass")],
    );
}

#[test]
fn no_op_is_judged_unless_changed_only() {
    assert_verdicts(
        "no-op",
        1,
        &[
            ("aws_lambda_function.new", "pass"),
            ("aws_lambda_function.stable", "fail"),
        ],
    );
    let (code, changed) = verdicts(&["check", &plan("no-op"), "--changed-only"]);
    assert_eq!(
        changed,
        map(&[
            ("aws_lambda_function.new", "pass"),
            ("aws_lambda_function.stable", "skipped"),
        ])
    );
    assert_eq!(code, 0);
}

#[test]
fn awscc_functions_are_judged() {
    assert_verdicts(
        "awscc",
        1,
        &[
            ("awscc_lambda_function.passing", "fail"),
            ("awscc_lambda_function.plain", "fail"),
            ("awscc_lambda_function.traced", "pass"),
        ],
    );
}

#[test]
fn opentofu_forget_actions_are_a_set() {
    assert_verdicts(
        "opentofu-forget",
        1,
        &[
            ("aws_lambda_function.moved", "fail"),
            ("aws_lambda_function.released", "skipped"),
        ],
    );
}

#[test]
fn deposed_objects_are_skipped() {
    assert_verdicts(
        "deposed",
        0,
        &[
            ("aws_lambda_function.api", "skipped"),
            ("aws_lambda_function.api (deposed)", "pass"),
        ],
    );
}

#[test]
fn state_json_is_judged_from_its_values() {
    assert_verdicts(
        "state",
        1,
        &[
            ("aws_lambda_function.api", "pass"),
            ("module.jobs.aws_lambda_function.nightly", "fail"),
        ],
    );
    let (_, report) = json_report(&["check", &plan("state")]);
    assert_eq!(report["plans"][0]["kind"], "state");
}

#[test]
fn all_supported_format_versions_read() {
    for version in ["1.0", "1.1", "1.2"] {
        let outcome = run(&["check", &plan(&format!("format-{version}"))]);
        assert_eq!(outcome.code, 0, "{version}: {}", outcome.stderr);
        assert_eq!(outcome.stderr, "", "{version}");
    }
    let newer = run(&["check", &plan("format-1.3")]);
    assert_eq!(newer.code, 0);
    assert!(newer.stderr.contains("warning") && newer.stderr.contains("1.3"));
}

#[test]
fn wrapper_noise_is_recovered_with_a_warning() {
    let outcome = run(&["check", &plan("wrapper-debug")]);
    assert_eq!(outcome.code, 0);
    assert!(
        outcome.stderr.contains("setup-terraform wrapper"),
        "{}",
        outcome.stderr
    );
}

#[test]
fn real_terraform_envelopes_read_cleanly() {
    for path in [
        "testdata/terraform-envelope/plan.json",
        "testdata/terraform-envelope/state.json",
    ] {
        let (code, report) = json_report(&["check", path]);
        assert_eq!(code, 0, "{path}");
        assert_eq!(report["summary"]["functions"], 0);
        assert_eq!(report["errors"].as_array().unwrap().len(), 0);
    }
}

#[test]
fn several_plans_in_one_run() {
    let (code, report) = json_report(&["check", &plan("active"), &plan("passthrough")]);
    assert_eq!(code, 1);
    assert_eq!(report["plans"].as_array().unwrap().len(), 2);
    assert_eq!(report["plans"][0]["path"], "testdata/active/plan.json");
    assert_eq!(report["summary"]["pass"], 1);
    assert_eq!(report["summary"]["fail"], 1);
}

#[test]
fn stdin_gives_the_same_verdicts_as_the_file() {
    for scenario in [
        "nested-module",
        "count-for-each",
        "awscc",
        "state",
        "wrapper-debug",
    ] {
        let path = plan(scenario);
        let (_, from_file) = verdicts(&["check", &path]);
        let mut command = common::command(&["check", "-", "--format", "json"]);
        command.current_dir(common::root());
        let outcome = common::run_with(command, Some(&common::read(&path)));
        let report: serde_json::Value = serde_json::from_str(&outcome.stdout).unwrap();
        let from_stdin = common::verdicts_of(&report);
        let from_file: std::collections::BTreeMap<String, String> = from_file
            .into_iter()
            .filter(|(a, _)| !a.ends_with("(deposed)"))
            .collect();
        assert_eq!(from_stdin, from_file, "{scenario}");
    }
}

/// The configuration is held as text and read when a trace asks (owned text on stdin, borrowed
/// from the map for a file): the evidence and the fix that come from it are the same both ways.
#[test]
fn stdin_traces_the_configuration_as_the_file_does() {
    // As a set: a file's findings are sorted by their place in it, stdin's by address.
    let findings = |report: &serde_json::Value| -> std::collections::BTreeSet<String> {
        report["plans"][0]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                let evidence = common::evidence_messages(f);
                format!(
                    "{} {} {evidence:?} {}",
                    f["address"], f["rule"], f["fix"]["description"]
                )
            })
            .collect::<std::collections::BTreeSet<String>>()
    };
    let mut plans = vec![plan("nested-module"), plan("variable")];
    // The IAM layer reads the configuration's role and policy references.
    let attacks = common::root().join("testdata/xray-attacks");
    let mut attack_plans: Vec<String> = std::fs::read_dir(&attacks)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|name| name.ends_with(".json"))
        .map(|name| format!("testdata/xray-attacks/{name}"))
        .collect();
    attack_plans.sort();
    plans.extend(attack_plans);
    for path in plans {
        let scenario = &path;
        let (_, from_file) = common::json_report(&["check", &path]);
        let mut command = common::command(&["check", "-", "--format", "json"]);
        command.current_dir(common::root());
        let outcome = common::run_with(command, Some(&common::read(&path)));
        let from_stdin: serde_json::Value = serde_json::from_str(&outcome.stdout).unwrap();
        let traced = findings(&from_file);
        if !scenario.contains("xray-attacks") {
            assert!(
                traced.iter().any(|f| f.contains(" sets ")),
                "{scenario}: a trace through the configuration"
            );
        }
        assert_eq!(findings(&from_stdin), traced, "{scenario}");
    }
}

#[test]
fn sensitive_values_never_appear() {
    let secret = "s3cr3t-token-do-not-print";
    let path = plan("sensitive");
    for format in ["text", "json"] {
        for verbose in [false, true] {
            let mut args = vec!["check", path.as_str(), "--format", format];
            if verbose {
                args.push("--verbose");
            }
            let outcome = run(&args);
            assert_eq!(outcome.code, 1);
            assert!(!outcome.stdout.contains(secret), "{format}");
            assert!(!outcome.stderr.contains(secret), "{format}");
            // The sensitive variable's value is shown as such, not echoed.
            assert!(
                outcome.stdout.contains("var.tracing_mode = (sensitive)"),
                "{format}"
            );
        }
    }
}

#[test]
fn plan_path_selects_a_nested_plan() {
    let mock = "testdata/corpus/plans/awssamples-pac__policy-as-code__OPA__policy__aws__lambda__aws-lambda-r-1.mock.json";
    let (code, report) = json_report(&[
        "check",
        mock,
        "--plan-path",
        "$.mock.valid.concrete_key_value",
    ]);
    assert_eq!(report["errors"].as_array().unwrap().len(), 0, "{report}");
    assert_eq!(code, 1);
    assert!(report["summary"]["functions"].as_u64().unwrap() >= 1);
    let missing = run(&["check", mock, "--plan-path", "$.nothing"]);
    assert_eq!(missing.code, 2);
    assert!(
        missing.stderr.contains("selects nothing"),
        "{}",
        missing.stderr
    );
}

/// A role outside the plan: the permission rule cannot judge it, and its unknown counts as every
/// unknown does (README, "Roles outside the plan").
#[test]
fn a_role_outside_the_plan_is_unknown_and_counts_as_the_policy_says() {
    let active = plan("active");
    let (_, report) = json_report(&["check", &active]);
    let permission = common::rule_findings(&report, 0, common::PERMISSION);
    assert_eq!(permission.len(), 1, "{report}");
    assert_eq!(permission[0]["verdict"], "unknown");
    assert!(permission[0]["evidence"]
        .to_string()
        .contains("not managed in this plan"));
    assert_eq!(run(&["check", &active]).code, 0, "warn: the gate passes");
    assert_eq!(run(&["check", &active, "--unknown", "fail"]).code, 1);
    let skipped = run(&[
        "check",
        &active,
        "--unknown",
        "fail",
        "--skip-rule",
        common::PERMISSION,
    ]);
    assert_eq!(skipped.code, 0, "{}", skipped.stdout);
}

#[test]
fn a_registry_module_fix_without_sources_names_its_mode_input_not_its_policy_switch() {
    // The registry module has `attach_tracing_policy` (a bool that grants X-Ray) and
    // `tracing_mode` (the mode): the tracing fix must name the second.
    let (_, report) = json_report(&["check", "testdata/real/module-count/plan.json"]);
    let failing: Vec<&str> = common::tracing_findings(&report, 0)
        .into_iter()
        .filter(|f| f["verdict"] == "fail")
        .map(|f| f["fix"]["description"].as_str().expect("a fix"))
        .collect();
    assert_eq!(
        failing,
        [
            "set tracing_mode = \"Active\" in the module \"fn\" block (module.fn): the function is \
             defined in terraform-aws-modules/lambda/aws"
        ]
    );
}
