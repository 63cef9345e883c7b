//! Bad input: exit 2 and one line that names the problem and the remedy, never a panic.

mod common;
use common::{command, read, run, run_with, scratch};

/// Runs on a file and on the same bytes through stdin; both must fail the same clean way.
fn assert_rejected(path: &str, expected: &str) {
    let from_file = run(&["check", path]);
    let from_stdin = run_with(command(&["check", "-"]), Some(&read(path)));
    for (how, outcome) in [("file", &from_file), ("stdin", &from_stdin)] {
        assert_eq!(outcome.code, 2, "{path} via {how}: {}", outcome.stderr);
        let lines: Vec<&str> = outcome.stderr.lines().collect();
        assert_eq!(lines.len(), 1, "{path} via {how}: one line, got {lines:?}");
        assert!(
            lines[0].starts_with("tracegate: error: "),
            "{path} via {how}: {}",
            lines[0]
        );
        assert!(
            lines[0].contains(expected),
            "{path} via {how}: expected {expected:?} in {}",
            lines[0]
        );
        assert!(!outcome.stderr.contains("panicked"), "{path}");
    }
}

#[test]
fn empty_input() {
    assert_rejected("testdata/bad/empty.json", "empty input");
    assert_rejected("testdata/bad/whitespace.json", "empty input");
}

#[test]
fn not_json() {
    assert_rejected("testdata/bad/plan-text.txt", "not JSON (plain text");
}

#[test]
fn truncated_json() {
    assert_rejected("testdata/bad/truncated.json", "truncated JSON");
}

#[test]
fn top_level_array_and_scalars() {
    assert_rejected("testdata/bad/array.json", "top level is a JSON array");
    assert_rejected("testdata/bad/string.json", "top level is a JSON string");
}

#[test]
fn hcl_files() {
    assert_rejected("testdata/bad/terraform.tfvars", "(HCL) file, not a plan");
    assert_rejected("testdata/bad/main.tf", "(HCL) file, not a plan");
}

#[test]
fn invalid_utf8_names_the_position() {
    assert_rejected(
        "testdata/bad/invalid-utf8.json",
        "invalid UTF-8 at line 28, column 33",
    );
}

#[test]
fn utf16_says_how_to_resave() {
    assert_rejected("testdata/bad/utf16.json", "UTF-16");
}

#[test]
fn deep_nesting() {
    assert_rejected("testdata/bad/deep.json", "nested deeper than 128 levels");
}

#[test]
fn documents_that_are_not_plans_say_what_they_are() {
    assert_rejected(
        "testdata/bad/cloudformation.json",
        "CloudFormation template",
    );
    assert_rejected("testdata/bad/terraform.tfstate", "raw Terraform state file");
    assert_rejected("testdata/bad/empty-object.json", "empty JSON object");
    assert_rejected(
        "testdata/corpus/plans/awssamples-pac__policy-as-code__OPA__policy__aws__lambda__aws-lambda-r-1.mock.json",
        "keys \"mock\"",
    );
}

#[test]
fn unsupported_major_format_version() {
    assert_rejected(
        "testdata/bad-format-2.0/plan.json",
        "unsupported format_version \"2.0\"",
    );
}

#[test]
fn trailing_garbage_is_not_wrapper_noise() {
    assert_rejected(
        "testdata/bad/trailing.json",
        "trailing data after the JSON document",
    );
}

#[test]
fn missing_file_and_directory() {
    let missing = run(&["check", "testdata/no-such-plan.json"]);
    assert_eq!(missing.code, 2);
    assert!(
        missing.stderr.contains("No such file"),
        "{}",
        missing.stderr
    );
    let directory = run(&["check", "testdata"]);
    assert_eq!(directory.code, 2);
    assert!(
        directory.stderr.contains("is a directory"),
        "{}",
        directory.stderr
    );
}

#[test]
fn one_bad_input_among_good_ones_is_an_error() {
    let outcome = run(&[
        "check",
        "testdata/active/plan.json",
        "testdata/bad/empty.json",
    ]);
    assert_eq!(outcome.code, 2);
    assert_eq!(outcome.stderr.lines().count(), 1);
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(run(&["check"]).code, 2);
    assert_eq!(run(&["check", "x.json", "--format", "yaml"]).code, 2);
    assert_eq!(run(&["check", "-", "-"]).code, 2);
    let root = run(&[
        "check",
        "testdata/active/plan.json",
        "--source-root",
        "testdata/nope",
    ]);
    assert_eq!(root.code, 2);
    assert!(root.stderr.contains("not a directory"));
}

#[test]
fn binary_plan_on_stdin() {
    let outcome = run_with(
        command(&["check", "-"]),
        Some(&read("testdata/binary-plan/tf.plan")),
    );
    assert_eq!(outcome.code, 2);
    assert!(
        outcome.stderr.contains("stdin holds a binary plan"),
        "{}",
        outcome.stderr
    );
}

#[cfg(unix)]
mod binary_plans {
    use super::*;
    use std::os::unix::fs::PermissionsExt;
    use std::path::Path;

    fn fake_tool(dir: &Path, name: &str, script: &str) {
        let path = dir.join(name);
        std::fs::write(&path, script).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }

    #[test]
    fn no_terraform_or_tofu_on_path() {
        let empty = scratch("no-tools");
        let mut cmd = command(&["check", "testdata/binary-plan/tf.plan"]);
        cmd.env("PATH", &empty);
        let outcome = run_with(cmd, None);
        assert_eq!(outcome.code, 2);
        assert_eq!(outcome.stderr.lines().count(), 1);
        assert!(
            outcome
                .stderr
                .contains("neither `terraform` nor `tofu` is on PATH"),
            "{}",
            outcome.stderr
        );
    }

    #[test]
    fn terraform_show_is_run_for_a_binary_plan() {
        let bin = scratch("fake-terraform");
        let json = common::root().join("testdata/passthrough/plan.json");
        fake_tool(
            &bin,
            "terraform",
            &format!(
                "#!/bin/sh\n[ \"$1 $2\" = \"show -json\" ] || exit 9\n/bin/cat '{}'\n",
                json.display()
            ),
        );
        let mut cmd = command(&["check", "testdata/binary-plan/tf.plan", "--format", "json"]);
        cmd.env("PATH", &bin);
        let outcome = run_with(cmd, None);
        assert_eq!(outcome.code, 1, "{}", outcome.stderr);
        let report: serde_json::Value = serde_json::from_str(&outcome.stdout).unwrap();
        assert_eq!(report["plans"][0]["path"], "testdata/binary-plan/tf.plan");
        assert_eq!(report["plans"][0]["findings"][0]["verdict"], "fail");
    }

    #[test]
    fn tofu_is_used_when_terraform_is_absent() {
        let bin = scratch("fake-tofu");
        let json = common::root().join("testdata/active/plan.json");
        fake_tool(
            &bin,
            "tofu",
            &format!("#!/bin/sh\n/bin/cat '{}'\n", json.display()),
        );
        let mut cmd = command(&["check", "testdata/binary-plan/tf.plan"]);
        cmd.env("PATH", &bin);
        assert_eq!(run_with(cmd, None).code, 0);
    }

    #[test]
    fn a_failing_terraform_show_is_one_line() {
        let bin = scratch("failing-terraform");
        fake_tool(
            &bin,
            "terraform",
            "#!/bin/sh\necho '╷' >&2\necho '│ Error: Failed to load plugin schemas' >&2\necho '╵' >&2\nexit 1\n",
        );
        let mut cmd = command(&["check", "testdata/binary-plan/tf.plan"]);
        cmd.env("PATH", &bin);
        let outcome = run_with(cmd, None);
        assert_eq!(outcome.code, 2);
        assert_eq!(outcome.stderr.lines().count(), 1, "{}", outcome.stderr);
        assert!(outcome
            .stderr
            .contains("Error: Failed to load plugin schemas"));
    }
}

#[cfg(unix)]
#[test]
fn a_closed_stdout_is_not_an_error() {
    // Enough output to overflow the pipe buffer after the reader has gone away.
    let plans: Vec<String> = (0..200)
        .map(|_| "testdata/nested-module/plan.json".to_owned())
        .collect();
    let mut args = vec!["check", "--verbose", "--color", "never"];
    args.extend(plans.iter().map(String::as_str));
    let mut child = command(&args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(
        output.status.code(),
        Some(1),
        "the gate's own code: {stderr}"
    );
    assert!(!stderr.contains("error"), "{stderr}");
}

#[test]
fn duplicate_keys_cannot_hide_a_function() {
    assert_rejected(
        "testdata/bad/duplicate-key.json",
        "duplicate key \"resource_changes\"",
    );
    assert_rejected(
        "testdata/bad/duplicate-attribute.json",
        "duplicate attribute \"tracing_config\"",
    );
}

/// A plan with one Lambda entry whose `change` (and extra entry fields) are given.
fn one_function(dir: &std::path::Path, name: &str, entry_extra: &str, change: &str) -> String {
    let path = dir.join(format!("{name}.json"));
    std::fs::write(
        &path,
        format!(
            r#"{{"format_version":"1.2","planned_values":{{}},"resource_changes":[{{"address":"aws_lambda_function.f","mode":"managed","type":"aws_lambda_function","name":"f"{entry_extra},"change":{change}}}]}}"#
        ),
    )
    .unwrap();
    path.to_str().unwrap().to_owned()
}

#[test]
fn shapes_terraform_does_not_write_cannot_pass_the_gate() {
    let dir = scratch("odd-shapes");
    let passthrough = r#"{"actions":["create"],"after":{"tracing_config":[{"mode":"PassThrough"}]},"after_unknown":{}}"#;
    // Unrecognised or empty actions: unknown, which fails under --unknown fail.
    for actions in [r#"["create","open"]"#, r#"["Create"]"#, "[]"] {
        let plan = one_function(
            &dir,
            "actions",
            "",
            &passthrough.replace(r#"["create"]"#, actions),
        );
        let (_, verdicts) = common::verdicts(&["check", &plan]);
        assert_eq!(verdicts["aws_lambda_function.f"], "unknown", "{actions}");
        assert_eq!(
            run(&["check", &plan, "--unknown", "fail"]).code,
            1,
            "{actions}"
        );
    }
    // A "deposed" object that is created is judged like any other.
    let plan = one_function(&dir, "deposed", r#","deposed":"""#, passthrough);
    assert_eq!(
        common::verdicts(&["check", &plan]).1["aws_lambda_function.f"],
        "fail"
    );
    // Two blocks: the PassThrough one decides.
    let two = r#"{"actions":["create"],"after":{"tracing_config":[{"mode":"Active"},{"mode":"PassThrough"}]},"after_unknown":{}}"#;
    let plan = one_function(&dir, "two-blocks", "", two);
    assert_eq!(
        common::verdicts(&["check", &plan]).1["aws_lambda_function.f"],
        "fail"
    );
    // A repeated key inside the judged attribute is refused.
    let dup = r#"{"actions":["create"],"after":{"tracing_config":[{"mode":"PassThrough","mode":"Active"}]},"after_unknown":{}}"#;
    let plan = one_function(&dir, "dup-mode", "", dup);
    let outcome = run(&["check", &plan]);
    assert_eq!(outcome.code, 2);
    assert!(
        outcome.stderr.contains("duplicate attribute \"mode\""),
        "{}",
        outcome.stderr
    );
    // A sensitive after hides the mode everywhere.
    let hidden = r#"{"actions":["create"],"after":{"tracing_config":[{"mode":"PassThrough"}]},"after_unknown":{},"after_sensitive":true}"#;
    let plan = one_function(&dir, "all-sensitive", "", hidden);
    let (_, report) = common::json_report(&["check", &plan]);
    assert_eq!(
        report["plans"][0]["findings"][0]["mode"],
        serde_json::Value::Null
    );
    assert!(report["plans"][0]["findings"][0]["evidence"]
        .to_string()
        .contains("(sensitive)"));
}

#[test]
fn a_literal_that_is_not_null_is_not_read_as_null() {
    let dir = scratch("not-null");
    let path = dir.join("plan.json");
    std::fs::write(
        &path,
        r#"{"format_version":"1.2","planned_values":{},"resource_changes":nXYZ}"#,
    )
    .unwrap();
    let outcome = run(&["check", path.to_str().unwrap()]);
    assert_eq!(outcome.code, 2, "{}", outcome.stderr);
}

#[cfg(unix)]
#[test]
fn config_files_leading_out_of_the_source_root_are_not_read() {
    let dir = scratch("toml-link");
    std::fs::write(
        dir.join("main.tf"),
        "resource \"aws_lambda_function\" \"api\" {}\n",
    )
    .unwrap();
    std::os::unix::fs::symlink("/dev/zero", dir.join(".tracegate.toml")).unwrap();
    let outcome = run(&[
        "check",
        "testdata/omitted-unknown/plan.json",
        "--source-root",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(outcome.code, 2);
    assert!(
        outcome.stderr.contains(".tracegate.toml leads outside"),
        "{}",
        outcome.stderr
    );
}

/// The whole one-line message of every file in `testdata/bad/` (found on disk, so a new file
/// without a pinned message fails), through a file and through stdin.
#[test]
fn every_bad_input_message_is_pinned_whole() {
    let mut names: Vec<String> = std::fs::read_dir(common::root().join("testdata/bad"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|name| name != "README.md")
        .collect();
    names.sort();
    for name in names {
        let path = format!("testdata/bad/{name}");
        let from_file = run(&["check", &path]);
        let from_stdin = run_with(command(&["check", "-"]), Some(&read(&path)));
        insta::assert_snapshot!(
            format!("bad-{name}"),
            format!(
                "file  (exit {}): {}stdin (exit {}): {}",
                from_file.code, from_file.stderr, from_stdin.code, from_stdin.stderr
            )
        );
    }
}

/// On stdin, text after the document is inspected for wrapper noise up to 1 MiB; past that, the
/// stream must still hold nothing but blanks to its end: a second plan after a megabyte of spaces
/// once passed the gate unread.
#[test]
fn a_second_document_after_a_megabyte_of_blanks_is_trailing_data() {
    let dir = scratch("trailing-after-blanks");
    let active = read("testdata/active/plan.json");
    let passthrough = read("testdata/passthrough/plan.json");
    for blanks in [(1 << 20) - 1, 1 << 20, (1 << 20) + 1, 3 << 20] {
        let mut plan = active.clone();
        plan.extend(std::iter::repeat_n(b' ', blanks));
        plan.extend_from_slice(&passthrough);
        let path = dir.join(format!("plan-{blanks}.json"));
        std::fs::write(&path, &plan).unwrap();
        assert_rejected(
            path.to_str().unwrap(),
            "trailing data after the JSON document",
        );
    }
}

/// A form feed is not JSON whitespace (serde refuses it): between tokens it is an error, on both
/// paths, as it is for `--plan-path`.
#[test]
fn a_form_feed_between_tokens_is_invalid_json() {
    let dir = scratch("form-feed");
    let text = String::from_utf8(read("testdata/passthrough/plan.json")).unwrap();
    let at = text.find(':').unwrap() + 1;
    let plan = format!("{}\u{c}{}", &text[..at], &text[at..]);
    let path = dir.join("plan.json");
    std::fs::write(&path, plan).unwrap();
    assert_rejected(path.to_str().unwrap(), "invalid JSON");
}

/// With `--source-root`, every entry's summary is read (which attributes the plan leaves unknown):
/// from a file and from stdin alike, a summary Terraform never writes is refused as it was when
/// serde read each entry whole (actions that are no list, a change written as an array of the
/// wrong things, a repeated key in the marks), one nested one level short of serde's limit is
/// read, and a broken member that nothing reads is passed over the same way on both paths
/// (attack review of the summary walk, 2026-12-03).
#[test]
fn summaries_are_read_alike_from_a_file_and_from_stdin() {
    let plan = String::from_utf8(read("testdata/source-attacks/known-computed/plan.json")).unwrap();
    let mut value: serde_json::Value = serde_json::from_str(&plan).unwrap();
    let at = value["resource_changes"]
        .as_array()
        .unwrap()
        .iter()
        .position(|c| c["address"] == "aws_ssm_parameter.mode")
        .unwrap();
    let deep = |n: usize| "{\"arn\":".repeat(n) + "true" + &"}".repeat(n);
    let variants: Vec<(String, Option<i32>)> = vec![
        (
            r#"{"actions":true,"after_unknown":{"arn":true}}"#.to_owned(),
            Some(2),
        ),
        (
            r#"{"actions":["no-op"],"actions":["no-op"],"after_unknown":{"arn":true}}"#.to_owned(),
            Some(2),
        ),
        ("[true]".to_owned(), Some(2)),
        (r#"[{"arn":true},{}]"#.to_owned(), Some(2)),
        (
            r#"{"after_unknown":{"arn":true,"arn":false}}"#.to_owned(),
            Some(2),
        ),
        (
            format!(r#"{{"actions":["no-op"],"after_unknown":{}}}"#, deep(124)),
            None,
        ),
        (
            format!(r#"{{"actions":["no-op"],"after_unknown":{}}}"#, deep(125)),
            None,
        ),
        (
            format!(r#"{{"actions":["no-op"],"after_unknown":{}}}"#, deep(126)),
            Some(2),
        ),
        (
            r#"{"actions":["no-op"],"before":{"a":tru},"after_unknown":{"arn":true}}"#.to_owned(),
            None,
        ),
    ];
    let dir = scratch("summaries-alike");
    std::fs::copy(
        common::root().join("testdata/source-attacks/known-computed/main.tf"),
        dir.join("main.tf"),
    )
    .unwrap();
    for (change, expected) in variants {
        let marker = "\"CHANGE_HERE\"";
        value["resource_changes"][at]["change"] = serde_json::Value::from("CHANGE_HERE");
        let text = serde_json::to_string(&value)
            .unwrap()
            .replace(marker, &change);
        let path = dir.join("plan.json");
        std::fs::write(&path, &text).unwrap();
        let path = path.to_str().unwrap();
        let root = dir.to_str().unwrap();
        let from_file = run(&["check", path, "--source-root", root, "--format", "json"]);
        let from_stdin = run_with(
            command(&["check", "-", "--source-root", root, "--format", "json"]),
            Some(text.as_bytes()),
        );
        assert_eq!(
            from_file.code, from_stdin.code,
            "{change}: file {} / stdin {}",
            from_file.stderr, from_stdin.stderr
        );
        if let Some(code) = expected {
            assert_eq!(from_file.code, code, "{change}: {}", from_file.stderr);
        } else {
            assert_ne!(from_file.code, 2, "{change}: {}", from_file.stderr);
        }
        assert!(!from_file.stderr.contains("panicked") && !from_stdin.stderr.contains("panicked"));
        let findings = |stdout: &str| -> Vec<serde_json::Value> {
            match serde_json::from_str::<serde_json::Value>(stdout) {
                Ok(report) => report["plans"][0]["findings"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
                    .into_iter()
                    .map(|f| serde_json::json!([f["address"], f["verdict"]]))
                    .collect(),
                Err(_) => Vec::new(),
            }
        };
        assert_eq!(
            findings(&from_file.stdout),
            findings(&from_stdin.stdout),
            "{change}"
        );
    }
}

/// A plan whose function lives in module `m`, with the given module-call inputs, resource
/// expressions and module variables in its configuration.
fn configured_in_module(
    dir: &std::path::Path,
    name: &str,
    inputs: &str,
    expressions: &str,
    variables: &str,
) -> String {
    let path = dir.join(format!("{name}.json"));
    std::fs::write(
        &path,
        format!(
            r#"{{"format_version":"1.2","planned_values":{{}},"resource_changes":[{{"address":"module.m.aws_lambda_function.f","module_address":"module.m","mode":"managed","type":"aws_lambda_function","name":"f","change":{{"actions":["create"],"after":{{"tracing_config":[{{"mode":"PassThrough"}}]}},"after_unknown":{{}}}}}}],"configuration":{{"root_module":{{"module_calls":{{"m":{{"source":"./m","expressions":{inputs},"module":{{"resources":[{{"address":"aws_lambda_function.f","mode":"managed","type":"aws_lambda_function","name":"f","expressions":{expressions}}}],"variables":{variables}}}}}}}}}}}}}"#
        ),
    )
    .unwrap();
    path.to_str().unwrap().to_owned()
}

/// The configuration's inputs, expressions and defaults are held as text and read when a trace
/// asks: what serde would have refused while building them is still refused, on a file and on
/// stdin, before any function is judged.
#[test]
fn configuration_values_are_checked_when_read() {
    let dir = scratch("configuration-values");
    let inputs = r#"{"tracing_mode":{"constant_value":"PassThrough"}}"#;
    let expressions = r#"{"tracing_config":[{"mode":{"references":["var.tracing_mode"]}}]}"#;
    let variables = r#"{"tracing_mode":{"default":"Active"}}"#;
    // The well-formed plan is judged, its trace read through the module input.
    let good = configured_in_module(&dir, "good", inputs, expressions, variables);
    let (_, report) = common::json_report(&["check", &good]);
    let evidence = report["plans"][0]["findings"][0]["evidence"].to_string();
    assert!(
        evidence.contains(r#"module.m sets tracing_mode = \"PassThrough\""#),
        "{evidence}"
    );
    let deep = |n: usize| "[".repeat(n) + &"]".repeat(n);
    let cases = [
        (
            r#"{"tracing_mode":{"constant_value":"Active"},"tracing_mode":{"constant_value":"PassThrough"}}"#.to_owned(),
            expressions.to_owned(),
            variables.to_owned(),
            "duplicate key \"tracing_mode\"",
        ),
        (
            r#"{"tracing_mode":{"constant_value":"Active","constant_value":"PassThrough"}}"#.to_owned(),
            expressions.to_owned(),
            variables.to_owned(),
            "duplicate attribute \"constant_value\"",
        ),
        (
            format!(r#"{{"tracing_mode":{}}}"#, deep(200)),
            expressions.to_owned(),
            variables.to_owned(),
            "nested deeper than 128 levels",
        ),
        (
            inputs.to_owned(),
            r#"{"tracing_config":[{"mode":{"references":["var.a"],"references":["var.b"]}}]}"#.to_owned(),
            variables.to_owned(),
            "duplicate attribute \"references\"",
        ),
        (
            inputs.to_owned(),
            r#"{"tracing_config":[],"tracing_config":[{"mode":{"constant_value":"Active"}}]}"#.to_owned(),
            variables.to_owned(),
            "duplicate attribute \"tracing_config\"",
        ),
        (
            inputs.to_owned(),
            expressions.to_owned(),
            r#"{"tracing_mode":{"default":{"mode":"Active","mode":"PassThrough"}}}"#.to_owned(),
            "duplicate attribute \"mode\"",
        ),
        (
            inputs.to_owned(),
            expressions.to_owned(),
            format!(r#"{{"tracing_mode":{{"default":{}}}}}"#, deep(200)),
            "nested deeper than 128 levels",
        ),
    ];
    for (number, (inputs, expressions, variables, expected)) in cases.iter().enumerate() {
        let plan = configured_in_module(
            &dir,
            &format!("bad-{number}"),
            inputs,
            expressions,
            variables,
        );
        assert_rejected(&plan, expected);
    }
}

/// serde_json's `Value` takes an object keyed `$serde_json::private::RawValue` for a raw value of
/// its own (and refuses one that is not a string of JSON); a `.tf` can write that key as a map
/// key. The configuration's values and the kept attributes are built without that rule: judged,
/// never a panic, never a pass.
#[test]
fn a_raw_value_key_is_an_ordinary_key() {
    let dir = scratch("raw-value-key");
    let magic = r#"{"$serde_json::private::RawValue":1}"#;
    let inputs = format!(r#"{{"tracing_mode":{{"constant_value":{magic}}}}}"#);
    let expressions = r#"{"tracing_config":[{"mode":{"references":["var.tracing_mode"]}}]}"#;
    let variables = r#"{"tracing_mode":{"default":"Active"}}"#;
    let plans = [
        configured_in_module(&dir, "input", &inputs, expressions, variables),
        configured_in_module(
            &dir,
            "default",
            "{}",
            expressions,
            r#"{"tracing_mode":{"default":{"$serde_json::private::RawValue":"["}}}"#,
        ),
        configured_in_module(
            &dir,
            "expression",
            "{}",
            &format!(r#"{{"tracing_config":[{{"mode":{{"constant_value":{magic}}}}}]}}"#),
            variables,
        ),
        one_function(
            &dir,
            "kept",
            "",
            &format!(
                r#"{{"actions":["create"],"after":{{"tracing_config":[{{"mode":{magic}}}]}},"after_unknown":{{}}}}"#
            ),
        ),
    ];
    // A root variable's value likewise.
    let variable = dir.join("variable.json");
    std::fs::write(
        &variable,
        std::fs::read_to_string(&plans[0])
            .unwrap()
            .replacen(
                r#"{"format_version":"1.2","#,
                r#"{"format_version":"1.2","variables":{"tags":{"value":{"$serde_json::private::RawValue":"x"}}},"#,
                1,
            ),
    )
    .unwrap();
    let plans: Vec<String> = plans
        .into_iter()
        .chain([variable.to_str().unwrap().to_owned()])
        .collect();
    for plan in plans {
        let outcome = run(&["check", &plan, "--format", "json"]);
        assert!(
            !outcome.stderr.contains("panicked"),
            "{plan}: {}",
            outcome.stderr
        );
        assert_eq!(outcome.code, 1, "{plan}: {}", outcome.stderr);
        let report: serde_json::Value = serde_json::from_str(&outcome.stdout).unwrap();
        let verdicts = common::verdicts_of(&report);
        assert!(
            verdicts.values().all(|v| v != "pass"),
            "{plan}: {verdicts:?}"
        );
    }
}
