//! The source layer: exact lines, dynamic blocks, module inputs, the fix site, and the limits
//! that keep an untrusted source tree from leading tracegate astray.

mod common;
use common::{command, json_report, map, run, run_with, scratch};
use serde_json::Value;
use std::collections::BTreeMap;

const PLAN: &str = "testdata/sources/plan.json";
const ROOT: &str = "testdata/sources";

fn findings(report: &Value) -> BTreeMap<String, Value> {
    common::tracing_findings(report, 0)
        .into_iter()
        .map(|f| (f["address"].as_str().unwrap().to_owned(), f.clone()))
        .collect()
}

fn with_sources() -> BTreeMap<String, Value> {
    let (_, report) = json_report(&["check", PLAN, "--source-root", ROOT]);
    findings(&report)
}

fn fix_location(finding: &Value) -> String {
    let location = &finding["fix"]["location"];
    format!(
        "{}:{}",
        location["file"].as_str().unwrap(),
        location["line"]
    )
}

#[test]
fn verdicts_with_sources() {
    let verdicts: BTreeMap<String, String> = with_sources()
        .into_iter()
        .map(|(a, f)| (a, f["verdict"].as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(
        verdicts,
        map(&[
            ("aws_lambda_function.by_default", "fail"),
            ("aws_lambda_function.by_tfvars", "fail"),
            ("aws_lambda_function.literal", "fail"),
            ("aws_lambda_function.omitted", "fail"),
            ("module.api.aws_lambda_function.this[0]", "pass"),
            ("module.cfg.aws_lambda_function.this", "fail"),
            ("module.from_ssm.aws_lambda_function.this[0]", "fail"),
            ("module.local_fn.aws_lambda_function.this", "fail"),
            ("module.worker.aws_lambda_function.this[0]", "fail"),
            (
                "module.wrapper.module.lambda.aws_lambda_function.this[0]",
                "fail"
            ),
        ])
    );
}

#[test]
fn sources_only_make_verdicts_more_precise() {
    let (_, without) = json_report(&["check", PLAN]);
    let with = with_sources();
    for (address, plain) in findings(&without) {
        let located = &with[&address];
        if plain["verdict"] != located["verdict"] {
            // Only what the plan could not decide may change: a block it had to assume omitted.
            assert!(
                plain["evidence"].to_string().contains("assumed omitted"),
                "{address}: {} without sources, {} with",
                plain["verdict"],
                located["verdict"]
            );
        }
    }
}

#[test]
fn literal_mode_is_the_fix_site() {
    let finding = &with_sources()["aws_lambda_function.literal"];
    assert_eq!(fix_location(finding), "testdata/sources/main.tf:12");
    assert_eq!(finding["fix"]["edit"]["text"], "\"Active\"");
    assert_eq!(finding["fix"]["edit"]["start"]["column"], 12);
    assert_eq!(finding["fix"]["edit"]["end"]["column"], 25);
}

#[test]
fn omitted_block_is_added_to_the_resource() {
    let finding = &with_sources()["aws_lambda_function.omitted"];
    assert_eq!(fix_location(finding), "testdata/sources/main.tf:16");
    let edit = &finding["fix"]["edit"];
    assert_eq!(edit["start"]["line"], 22, "before the closing brace");
    assert_eq!(
        edit["text"],
        "  tracing_config {\n    mode = \"Active\"\n  }\n"
    );
    assert!(!finding["evidence"].to_string().contains("assumed"));
}

#[test]
fn variables_are_fixed_where_their_value_is_written() {
    let all = with_sources();
    assert_eq!(
        fix_location(&all["aws_lambda_function.by_default"]),
        "testdata/sources/variables.tf:8"
    );
    let tfvars = &all["aws_lambda_function.by_tfvars"];
    assert_eq!(fix_location(tfvars), "testdata/sources/terraform.tfvars:1");
    assert!(tfvars["evidence"][0]["message"]
        .as_str()
        .unwrap()
        .contains("set in testdata/sources/terraform.tfvars"));
}

#[test]
fn a_local_module_is_fixed_at_its_call() {
    let finding = &with_sources()["module.local_fn.aws_lambda_function.this"];
    assert_eq!(fix_location(finding), "testdata/sources/main.tf:49");
    let edit = &finding["fix"]["edit"];
    assert_eq!(edit["start"]["line"], 52, "before the closing brace");
    assert_eq!(edit["text"], "  tracing_mode = \"Active\"\n");
}

#[test]
fn the_registry_dynamic_pattern_resolves() {
    let all = with_sources();
    let worker = &all["module.worker.aws_lambda_function.this[0]"];
    let messages = common::evidence_messages(worker);
    assert_eq!(messages[0], "module \"worker\" does not set tracing_mode");
    assert_eq!(messages[1], "var.tracing_mode defaults to null");
    assert!(messages[2].starts_with("dynamic \"tracing_config\" has for_each = var.tracing_mode == null ? [] : [true], which is empty"));
    assert_eq!(
        worker["evidence"][1]["location"]["file"],
        "testdata/sources/.terraform/modules/lambda/variables.tf"
    );
    // The fix is the module call in the repository, never the downloaded module.
    assert_eq!(fix_location(worker), "testdata/sources/main.tf:55");
    assert_eq!(
        worker["fix"]["edit"]["text"],
        "  tracing_mode = \"Active\"\n"
    );

    let api = &all["module.api.aws_lambda_function.this[0]"];
    assert_eq!(api["verdict"], "pass");
    assert!(api.get("fix").is_none());

    let cfg = &all["module.cfg.aws_lambda_function.this"];
    assert_eq!(fix_location(cfg), "testdata/sources/main.tf:69");
    assert_eq!(
        cfg["fix"]["edit"]["text"],
        "  tracing_config = { mode = \"Active\" }\n"
    );
}

#[test]
fn nested_modules_pass_the_input_through() {
    let finding = &with_sources()["module.wrapper.module.lambda.aws_lambda_function.this[0]"];
    let evidence = finding["evidence"].to_string();
    for step in [
        "local.wrapper_mode = coalesce(var.override_mode, \\\"PassThrough\\\")",
        "module \\\"wrapper\\\" sets mode = local.wrapper_mode",
        "module \\\"lambda\\\" sets tracing_mode = var.mode",
    ] {
        assert!(evidence.contains(step), "{step} in {evidence}");
    }
    assert!(!fix_location(finding).contains(".terraform"));
}

#[test]
fn a_comparison_terraform_may_know_rests_on_the_plan() {
    // `var.tracing_mode == null` over a value the plan leaves unknown: a provider may refine an
    // unknown as not null, and then Terraform knows the for_each (empty: no block). The plan
    // shows the same whole-unknown block either way, so the verdict rests on the plan.
    let finding = &with_sources()["module.from_ssm.aws_lambda_function.this[0]"];
    assert_eq!(finding["verdict"], "fail");
    let evidence = finding["evidence"].to_string();
    assert!(
        evidence.contains("whose result Terraform may know"),
        "{evidence}"
    );
    assert!(evidence.contains("rests on the plan"), "{evidence}");
}

#[test]
fn every_fix_site_is_in_the_repository() {
    for (address, finding) in with_sources() {
        if let Some(location) = finding["fix"].get("location") {
            assert!(
                !location["file"].as_str().unwrap().contains(".terraform/"),
                "{address}"
            );
        }
    }
}

#[test]
fn the_current_directory_is_the_default_source_root() {
    let mut cmd = command(&["check", "plan.json", "--format", "json"]);
    cmd.current_dir(common::root().join(ROOT));
    let outcome = run_with(cmd, None);
    let report: Value = serde_json::from_str(&outcome.stdout).unwrap();
    let all = findings(&report);
    assert_eq!(
        fix_location(&all["aws_lambda_function.literal"]),
        "testdata/sources/main.tf:12",
        "paths are relative to the repository root"
    );
}

#[test]
fn nothing_outside_the_source_root_is_read() {
    let outcome = run(&[
        "check",
        "testdata/escape/root/plan.json",
        "--source-root",
        "testdata/escape/root",
        "--format",
        "json",
        "--verbose",
    ]);
    assert!(!outcome.stdout.contains("outside-secret-marker"));
    assert!(
        outcome
            .stderr
            .contains("leak.tf leads outside the source root"),
        "{}",
        outcome.stderr
    );
    let report: Value = serde_json::from_str(&outcome.stdout).unwrap();
    let all = findings(&report);
    for address in [
        "module.climb.aws_lambda_function.api",
        "module.absolute.aws_lambda_function.api",
    ] {
        let evidence = all[address]["evidence"].to_string();
        assert!(
            evidence.contains("outside the source root"),
            "{address}: {evidence}"
        );
        // Layers 1–2 still decide.
        assert_eq!(all[address]["verdict"], "fail");
    }
}

/// A scratch source root holding `main.tf`, judged against the plan of a scenario.
fn judge_with_tf(name: &str, tf: &str, scenario: &str) -> (common::Outcome, Value) {
    let dir = scratch(name);
    std::fs::write(dir.join("main.tf"), tf).unwrap();
    let plan = common::root().join(format!("testdata/{scenario}/plan.json"));
    let outcome = run(&[
        "check",
        plan.to_str().unwrap(),
        "--source-root",
        dir.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let report = serde_json::from_str(&outcome.stdout).unwrap_or(Value::Null);
    (outcome, report)
}

#[test]
fn an_oversized_file_is_not_read() {
    let big = format!(
        "resource \"aws_lambda_function\" \"api\" {{\n  function_name = \"api\"\n}}\n{}",
        "# padding padding padding padding padding padding padding padding padding\n"
            .repeat(70_000)
    );
    assert!(big.len() > 4 << 20);
    let (outcome, report) = judge_with_tf("big-tf", &big, "omitted-unknown");
    assert_eq!(outcome.code, 1);
    assert!(
        outcome.stderr.contains("larger than 4 MiB"),
        "{}",
        outcome.stderr
    );
    assert_eq!(common::tracing_findings(&report, 0)[0]["verdict"], "fail");
}

#[test]
fn deep_nesting_in_a_tf_file_is_a_parse_problem() {
    let depth = 5_000;
    let tf = format!(
        "resource \"aws_lambda_function\" \"api\" {{\n  tracing_config {{\n    mode = {}\"Active\"{}\n  }}\n}}\n",
        "(".repeat(depth),
        ")".repeat(depth)
    );
    let (outcome, report) = judge_with_tf("deep-tf", &tf, "passthrough");
    assert_eq!(outcome.code, 1, "{}", outcome.stderr);
    assert!(
        outcome.stderr.contains("could not be parsed"),
        "{}",
        outcome.stderr
    );
    assert_eq!(common::tracing_findings(&report, 0)[0]["verdict"], "fail");
}

#[test]
fn evaluation_is_bounded() {
    // Each local doubles the work: without a step limit this would take 2^40 steps.
    let mut tf = String::from(
        "resource \"aws_lambda_function\" \"api\" {\n  tracing_config {\n    mode = local.l0[0]\n  }\n}\nlocals {\n",
    );
    for i in 0..40 {
        tf.push_str(&format!("  l{i} = [local.l{}, local.l{}]\n", i + 1, i + 1));
    }
    tf.push_str("  l40 = local.l0\n}\n");
    let started = std::time::Instant::now();
    let (outcome, report) = judge_with_tf("bounded-eval", &tf, "mode-unknown");
    assert!(started.elapsed().as_secs() < 20, "bounded");
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    let finding = common::tracing_findings(&report, 0)[0];
    assert_eq!(finding["verdict"], "unknown");
    let evidence = finding["evidence"].to_string();
    assert!(
        evidence.contains("step limit") || evidence.contains("nest too deeply"),
        "{evidence}"
    );
}

#[test]
fn text_output_with_sources() {
    let outcome = run(&[
        "check",
        PLAN,
        "--source-root",
        ROOT,
        "--color",
        "never",
        "--verbose",
    ]);
    insta::assert_snapshot!(format!(
        "exit: {}\n--- stdout\n{}--- stderr\n{}",
        outcome.code, outcome.stdout, outcome.stderr
    ));
}

#[test]
fn a_plan_older_than_the_sources_follows_the_plan() {
    // The sources set Active, but the plan (made before that edit) sends no block.
    let tf = "resource \"aws_lambda_function\" \"api\" {\n  tracing_config {\n    mode = \"Active\"\n  }\n}\n";
    let (outcome, report) = judge_with_tf("stale-plan", tf, "omitted-unknown");
    assert_eq!(outcome.code, 1);
    let finding = common::tracing_findings(&report, 0)[0];
    assert_eq!(finding["verdict"], "fail", "apply does what the plan says");
    assert!(finding["evidence"]
        .to_string()
        .contains("the sources and the plan disagree"));
    assert!(finding["fix"]["description"]
        .as_str()
        .unwrap()
        .contains("terraform plan again"));
}

#[test]
fn what_tracegate_cannot_evaluate_leaves_the_verdict_to_the_plan() {
    // Terraform evaluates these to empty lists: no block is sent. tracegate does not evaluate
    // them, so it must not call the function unknown (that would pass the gate).
    for for_each in [
        "[for m in [] : m]",
        "compact([])",
        "1 > 2 ? [\"x\"] : []",
        "local.missing",
    ] {
        let tf = format!(
            "resource \"aws_lambda_function\" \"api\" {{\n  dynamic \"tracing_config\" {{\n    for_each = {for_each}\n    content {{\n      mode = \"Active\"\n    }}\n  }}\n}}\n"
        );
        let (outcome, report) = judge_with_tf("not-evaluated", &tf, "omitted-unknown");
        assert_eq!(outcome.code, 1, "{for_each}: {}", outcome.stdout);
        let finding = common::tracing_findings(&report, 0)[0];
        assert_eq!(finding["verdict"], "fail", "{for_each}");
        assert!(
            finding["evidence"]
                .to_string()
                .contains("rests on the plan"),
            "{for_each}"
        );
    }
}

#[test]
fn a_sensitive_variable_stays_hidden_through_module_inputs() {
    let dir = scratch("sensitive-module");
    std::fs::create_dir_all(dir.join("m")).unwrap();
    std::fs::write(
        dir.join("main.tf"),
        "variable \"secret\" {\n  sensitive = true\n}\nmodule \"m\" {\n  source       = \"./m\"\n  tracing_mode = var.secret\n}\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("m/main.tf"),
        "variable \"tracing_mode\" {}\nresource \"aws_lambda_function\" \"this\" {\n  tracing_config {\n    mode = var.tracing_mode\n  }\n}\n",
    )
    .unwrap();
    let plan = serde_json::json!({"format_version": "1.2", "planned_values": {},
        "variables": {"secret": {"value": "hunter2-SECRET"}},
        "resource_changes": [{"address": "module.m.aws_lambda_function.this", "module_address": "module.m",
            "mode": "managed", "type": "aws_lambda_function", "name": "this",
            "change": {"actions": ["create"], "after": {"tracing_config": [{"mode": "hunter2-SECRET"}]},
                "after_unknown": {}, "after_sensitive": {"tracing_config": [{"mode": true}]}}}]});
    std::fs::write(dir.join("plan.json"), plan.to_string()).unwrap();
    for format in [
        "text", "json", "sarif", "github", "markdown", "junit", "gitlab",
    ] {
        let outcome = run(&[
            "check",
            dir.join("plan.json").to_str().unwrap(),
            "--source-root",
            dir.to_str().unwrap(),
            "--format",
            format,
            "--verbose",
        ]);
        assert_eq!(outcome.code, 1, "{format}");
        assert!(
            !outcome.stdout.contains("hunter2"),
            "{format}: {}",
            outcome.stdout
        );
    }
}

#[test]
fn a_deep_module_path_does_not_overflow_the_stack() {
    let dir = scratch("deep-modules");
    std::fs::write(
        dir.join("main.tf"),
        "module \"a\" {\n  source = \"./\"\n}\n",
    )
    .unwrap();
    let modules = vec!["module.a"; 20_000].join(".");
    let plan = serde_json::json!({"format_version": "1.2", "planned_values": {},
        "resource_changes": [{"address": format!("{modules}.aws_lambda_function.f"), "module_address": modules,
            "mode": "managed", "type": "aws_lambda_function", "name": "f",
            "change": {"actions": ["create"], "after": {}, "after_unknown": {"tracing_config": true}}}]});
    std::fs::write(dir.join("plan.json"), plan.to_string()).unwrap();
    let outcome = run(&[
        "check",
        dir.join("plan.json").to_str().unwrap(),
        "--source-root",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(outcome.code, 1, "{}", outcome.stderr);
}
