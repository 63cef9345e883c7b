//! Never a false pass, part 2: the sources only make a verdict more precise. Each test is the
//! attack it stops (testdata/source-attacks/, judged with the folder as `--source-root`), and the
//! cost an attacker picks is bounded.

mod common;
use common::{json_report, run, scratch};
use serde_json::Value;
use std::time::{Duration, Instant};

fn judge(scenario: &str) -> (i32, Value) {
    let root = format!("testdata/source-attacks/{scenario}");
    let plan = format!("{root}/plan.json");
    json_report(&["check", &plan, "--source-root", &root])
}

fn only_finding(report: &Value) -> &Value {
    let findings = common::tracing_findings(report, 0);
    assert_eq!(findings.len(), 1, "{report}");
    findings[0]
}

#[test]
fn values_the_plan_knows_are_not_called_unknown() {
    for scenario in ["known-index", "known-splat", "known-computed"] {
        let (code, report) = judge(scenario);
        let finding = only_finding(&report);
        assert_eq!(finding["verdict"], "fail", "{scenario}: {finding}");
        assert_eq!(code, 1, "{scenario}");
        let words = finding["evidence"].to_string();
        assert!(words.contains("rests on the plan"), "{scenario}: {words}");
        assert!(
            !words.contains("computed by the provider"),
            "{scenario}: {words}"
        );
    }
}

#[test]
fn a_value_the_plan_marks_unknown_stays_unknown() {
    let (code, report) = judge("unknown-new");
    let finding = only_finding(&report);
    assert_eq!(finding["verdict"], "unknown", "{finding}");
    assert_eq!(code, 0, "unknown warns by default");
    assert!(finding["evidence"]
        .to_string()
        .contains("the plan marks aws_ssm_parameter.mode.arn unknown until apply"));
}

#[test]
fn secrets_stay_hidden_however_sensitive_is_written() {
    for scenario in ["sensitive-string", "sensitive-parenthesis"] {
        let root = format!("testdata/source-attacks/{scenario}");
        let plan = format!("{root}/plan.json");
        for format in [
            "text", "json", "sarif", "github", "junit", "gitlab", "markdown",
        ] {
            let outcome = run(&[
                "check",
                &plan,
                "--source-root",
                &root,
                "--format",
                format,
                "--verbose",
            ]);
            assert_eq!(outcome.code, 1, "{scenario} {format}");
            assert!(
                !outcome.stdout.contains("hunter2") && !outcome.stderr.contains("hunter2"),
                "{scenario} ({format}) printed the secret:\n{}",
                outcome.stdout
            );
        }
    }
}

#[test]
fn ignore_changes_is_named_and_the_fix_removes_it() {
    let (code, report) = judge("ignore-changes");
    assert_eq!(code, 1);
    let finding = only_finding(&report);
    let words = finding["evidence"].to_string();
    assert!(words.contains("lifecycle.ignore_changes"), "{words}");
    assert!(
        !words.contains("older than the sources"),
        "not a stale plan: {words}"
    );
    let fix = &finding["fix"];
    assert!(
        fix["description"]
            .as_str()
            .unwrap()
            .contains("remove tracing_config from lifecycle.ignore_changes"),
        "{fix}"
    );
    assert_eq!(fix["location"]["line"], 9);
}

#[test]
fn a_passing_function_carries_no_words_about_an_omitted_block() {
    let (code, report) = judge("undecided-active");
    assert_eq!(code, 0);
    let finding = only_finding(&report);
    assert_eq!(finding["verdict"], "pass");
    let words = finding["evidence"].to_string();
    assert!(!words.contains("sends no tracing_config"), "{words}");
    assert!(!words.contains("rests on the plan"), "{words}");
}

/// A plan of `count` instances of one module's function (created, whole block unknown), and a
/// module whose dynamic block reads a chain of locals.
fn many_instances(dir: &std::path::Path, count: usize) -> std::path::PathBuf {
    let changes: Vec<String> = (0..count)
        .map(|i| {
            format!(
                r#"{{"address":"module.fn[\"k{i}\"].aws_lambda_function.this","module_address":"module.fn[\"k{i}\"]","mode":"managed","type":"aws_lambda_function","name":"this","provider_name":"registry.terraform.io/hashicorp/aws","change":{{"actions":["create"],"before":null,"after":{{"function_name":"f{i}"}},"after_unknown":{{"tracing_config":true}},"before_sensitive":false,"after_sensitive":{{}}}}}}"#
            )
        })
        .collect();
    let plan = format!(
        r#"{{"format_version":"1.2","terraform_version":"1.11.4","planned_values":{{}},"resource_changes":[{}],"configuration":{{"root_module":{{"module_calls":{{"fn":{{"source":"./fn","module":{{"resources":[{{"address":"aws_lambda_function.this","mode":"managed","type":"aws_lambda_function","name":"this","expressions":{{}}}}]}}}}}}}}}}}}"#,
        changes.join(",")
    );
    std::fs::write(dir.join("plan.json"), plan).unwrap();
    let keys: Vec<String> = (0..count).map(|i| format!("k{i} = {i}")).collect();
    std::fs::write(
        dir.join("main.tf"),
        format!(
            "module \"fn\" {{\n  for_each = {{ {} }}\n  source   = \"./fn\"\n}}\n",
            keys.join(", ")
        ),
    )
    .unwrap();
    std::fs::create_dir_all(dir.join("fn")).unwrap();
    let mut locals = String::from("locals {\n  l0 = \"PassThrough\"\n");
    for i in 1..50 {
        locals.push_str(&format!("  l{i} = local.l{}\n", i - 1));
    }
    locals.push_str("}\n");
    std::fs::write(
        dir.join("fn/main.tf"),
        format!("{locals}resource \"aws_lambda_function\" \"this\" {{\n  dynamic \"tracing_config\" {{\n    for_each = local.l49 == \"Active\" ? [1] : []\n    content {{\n      mode = \"Active\"\n    }}\n  }}\n}}\n"),
    )
    .unwrap();
    dir.join("plan.json")
}

#[test]
fn many_instances_of_one_function_are_evaluated_once() {
    let dir = scratch("many-instances");
    let plan = many_instances(&dir, 2000);
    let started = Instant::now();
    let outcome = run(&[
        "check",
        plan.to_str().unwrap(),
        "--source-root",
        dir.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let took = started.elapsed();
    assert_eq!(outcome.code, 1, "{}", outcome.stderr);
    let report: Value = serde_json::from_str(&outcome.stdout).unwrap();
    assert_eq!(report["summary"]["fail"], 2000);
    // Debug build on a loaded 2-core machine: seconds, not the minutes it took before.
    assert!(took < Duration::from_secs(30), "took {took:?}");
}

#[test]
fn a_large_string_referenced_many_times_is_bounded() {
    let dir = scratch("large-string");
    let big = "x".repeat(1 << 20);
    let refs: Vec<String> = (0..200).map(|_| "local.big".to_owned()).collect();
    std::fs::write(
        dir.join("main.tf"),
        format!(
            "locals {{\n  big  = \"{big}\"\n  many = [{}]\n}}\n\nresource \"aws_lambda_function\" \"api\" {{\n  dynamic \"tracing_config\" {{\n    for_each = length(local.many) > 0 ? [] : [1]\n    content {{\n      mode = \"Active\"\n    }}\n  }}\n}}\n",
            refs.join(", ")
        ),
    )
    .unwrap();
    let plan = common::root().join("testdata/omitted-unknown/plan.json");
    let started = Instant::now();
    let outcome = run(&[
        "check",
        plan.to_str().unwrap(),
        "--source-root",
        dir.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert!(started.elapsed() < Duration::from_secs(30));
    assert_eq!(outcome.code, 1, "{}", outcome.stderr);
    let report: Value = serde_json::from_str(&outcome.stdout).unwrap();
    let words = common::tracing_findings(&report, 0)[0]["evidence"].to_string();
    assert!(words.contains("MiB tracegate evaluates"), "{words}");
}
