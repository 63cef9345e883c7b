//! The source files tracegate reads are exactly those Terraform reads, each read safely and
//! once: every test here is an attack that worked before (a hang, a hidden file that changed the
//! outcome, JSON sources ignored, a directory parsed once per module path).

mod common;
use common::{command, scratch};
use serde_json::{json, Value};
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

/// A plan whose functions (address, mode) are all created.
fn plan(functions: &[(&str, &str)], variables: Value) -> String {
    let changes: Vec<Value> = functions
        .iter()
        .map(|(address, mode)| {
            let (modules, name) = address.rsplit_once("aws_lambda_function.").unwrap();
            let mut change = json!({"address": address, "mode": "managed", "type": "aws_lambda_function",
                "name": name, "change": {"actions": ["create"], "after": {"tracing_config": [{"mode": mode}]},
                "after_unknown": {}}});
            if let Some(module) = modules.strip_suffix('.') {
                change["module_address"] = json!(module);
            }
            change
        })
        .collect();
    json!({"format_version": "1.2", "planned_values": {}, "variables": variables,
        "resource_changes": changes})
    .to_string()
}

/// Runs `check` on `dir/plan.json` with `dir` as the source root; fails the test if the run takes
/// longer than `limit` (the child is killed then).
fn judge(dir: &Path, limit: Duration) -> (i32, Value, String, Duration) {
    let mut cmd = command(&[
        "check",
        dir.join("plan.json").to_str().unwrap(),
        "--source-root",
        dir.to_str().unwrap(),
        "--format",
        "json",
    ]);
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let started = Instant::now();
    let mut child = cmd.spawn().unwrap();
    // Read both pipes while waiting: a large report would otherwise fill the pipe and block.
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut out, &mut s).unwrap();
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = Vec::new();
        std::io::Read::read_to_end(&mut err, &mut s).unwrap();
        String::from_utf8_lossy(&s).into_owned()
    });
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > limit {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("tracegate did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let took = started.elapsed();
    let stdout = out.join().unwrap();
    let report = serde_json::from_str(&stdout).unwrap_or(Value::Null);
    (status.code().unwrap(), report, err.join().unwrap(), took)
}

fn finding<'r>(report: &'r Value, address: &str) -> &'r Value {
    common::tracing_findings(report, 0)
        .into_iter()
        .find(|f| f["address"] == address)
        .unwrap_or_else(|| panic!("no finding for {address}: {report}"))
}

fn warnings(report: &Value) -> String {
    report["plans"][0]["warnings"].to_string()
}

const PASSTHROUGH_TF: &str = "resource \"aws_lambda_function\" \"f\" {\n  function_name = \"f\"\n  tracing_config {\n    mode = \"PassThrough\"\n  }\n}\n";

fn mkfifo(path: &Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn a_fifo_named_like_a_source_file_does_not_hang_the_gate() {
    for name in [
        "x.tf",
        "x.tf.json",
        "terraform.tfvars",
        "terraform.tfvars.json",
        "a.auto.tfvars",
    ] {
        let dir = scratch(&format!("fifo-{name}"));
        // The mode comes from a variable, so that the variable files are read too.
        std::fs::write(
            dir.join("main.tf"),
            "variable \"mode\" {}\nresource \"aws_lambda_function\" \"f\" {\n  tracing_config {\n    mode = var.mode\n  }\n}\n",
        )
        .unwrap();
        std::fs::write(
            dir.join("plan.json"),
            plan(
                &[("aws_lambda_function.f", "PassThrough")],
                json!({"mode": {"value": "PassThrough"}}),
            ),
        )
        .unwrap();
        mkfifo(&dir.join(name));
        let (code, report, stderr, _) = judge(&dir, Duration::from_secs(30));
        assert_eq!(code, 1, "{name}: {stderr}");
        assert_eq!(finding(&report, "aws_lambda_function.f")["verdict"], "fail");
        assert!(
            warnings(&report).contains(&format!("{name} is not a regular file")),
            "{name}: {}",
            warnings(&report)
        );
    }
}

#[test]
fn a_fifo_for_modules_json_or_the_config_does_not_hang_the_gate() {
    let dir = scratch("fifo-modules-json");
    std::fs::write(dir.join("main.tf"), PASSTHROUGH_TF).unwrap();
    std::fs::write(
        dir.join("plan.json"),
        plan(&[("aws_lambda_function.f", "PassThrough")], json!({})),
    )
    .unwrap();
    std::fs::create_dir_all(dir.join(".terraform/modules")).unwrap();
    mkfifo(&dir.join(".terraform/modules/modules.json"));
    let (code, report, stderr, _) = judge(&dir, Duration::from_secs(30));
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(finding(&report, "aws_lambda_function.f")["verdict"], "fail");
    mkfifo(&dir.join(".tracegate.toml"));
    let (code, _, stderr, _) = judge(&dir, Duration::from_secs(30));
    assert_ne!(code, 0, "{stderr}");
}

/// A file Terraform ignores (a dotfile, an editor backup) once held a suppressed copy of the
/// resource that sorted before `main.tf`, so the gate passed on code Terraform never reads.
#[test]
fn files_terraform_ignores_are_not_read() {
    let shadow = "# tracegate:ignore[D9.AWS.OPE.07] shadowed\nresource \"aws_lambda_function\" \"f\" {\n  tracing_config {\n    mode = \"Active\"\n  }\n}\n";
    for name in [".shadow.tf", ".#main.tf", "a.tf~", "#a.tf#", "a.tf.bak"] {
        let dir = scratch(&format!("ignored-{}", name.replace(['#', '~', '.'], "_")));
        std::fs::write(dir.join("main.tf"), PASSTHROUGH_TF).unwrap();
        std::fs::write(dir.join(name), shadow).unwrap();
        std::fs::write(
            dir.join("plan.json"),
            plan(&[("aws_lambda_function.f", "PassThrough")], json!({})),
        )
        .unwrap();
        let (code, report, stderr, _) = judge(&dir, Duration::from_secs(30));
        assert_eq!(code, 1, "{name}: {stderr}");
        let f = finding(&report, "aws_lambda_function.f");
        assert_eq!(f["verdict"], "fail", "{name}");
        assert!(
            f["location"]["file"]
                .as_str()
                .unwrap()
                .ends_with("/main.tf"),
            "{name}: {f}"
        );
    }
}

/// A directory of `.tf` files is not a module directory's subfolder: only files directly in it.
#[test]
fn a_directory_named_like_a_tf_file_is_skipped() {
    let dir = scratch("dir-named-tf");
    std::fs::write(dir.join("main.tf"), PASSTHROUGH_TF).unwrap();
    std::fs::create_dir_all(dir.join("extra.tf")).unwrap();
    std::fs::write(
        dir.join("plan.json"),
        plan(&[("aws_lambda_function.f", "PassThrough")], json!({})),
    )
    .unwrap();
    let (code, report, stderr, _) = judge(&dir, Duration::from_secs(30));
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(warnings(&report), "[]");
}

const JSON_TF: &str = r#"{
  "variable": {
    "mode": {
      "default": "PassThrough"
    }
  },
  "resource": {
    "aws_lambda_function": {
      "f": {
        "//": "tracing comes from a variable",
        "function_name": "f",
        "tracing_config": {
          "mode": "${var.mode}"
        }
      }
    }
  }
}
"#;

/// JSON sources were not read at all: a root of `.tf.json` files had no sources.
#[test]
fn tf_json_sources_are_read_with_their_own_lines() {
    let dir = scratch("tf-json");
    std::fs::write(dir.join("main.tf.json"), JSON_TF).unwrap();
    std::fs::write(
        dir.join("plan.json"),
        plan(
            &[("aws_lambda_function.f", "PassThrough")],
            json!({"mode": {"value": "PassThrough"}}),
        ),
    )
    .unwrap();
    let (code, report, stderr, _) = judge(&dir, Duration::from_secs(30));
    assert_eq!(code, 1, "{stderr}");
    let f = finding(&report, "aws_lambda_function.f");
    assert!(f["location"]["file"]
        .as_str()
        .unwrap()
        .ends_with("/main.tf.json"));
    assert_eq!(f["location"]["line"], 9);
    let evidence = f["evidence"].to_string();
    assert!(
        evidence.contains("sets mode = var.mode"),
        "the JSON template \"${{var.mode}}\" is the expression var.mode: {evidence}"
    );
    // The fix replaces the JSON default's value, exactly where it is.
    let edit = &f["fix"]["edit"];
    assert!(edit["start"]["file"]
        .as_str()
        .unwrap()
        .ends_with("/main.tf.json"));
    assert_eq!(
        (&edit["start"]["line"], &edit["start"]["column"]),
        (&json!(4), &json!(18))
    );
    assert_eq!(
        (&edit["end"]["line"], &edit["end"]["column"]),
        (&json!(4), &json!(31))
    );
}

/// `terraform.tfvars.json` was not read, so a value set there was not attributed to it.
#[test]
fn tfvars_json_is_read() {
    let dir = scratch("tfvars-json");
    std::fs::write(dir.join("main.tf.json"), JSON_TF).unwrap();
    std::fs::write(
        dir.join("terraform.tfvars.json"),
        "{\n  \"//\": \"set by CI\",\n  \"mode\": \"PassThrough-from-json\"\n}\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("plan.json"),
        plan(
            &[("aws_lambda_function.f", "PassThrough-from-json")],
            json!({"mode": {"value": "PassThrough-from-json"}}),
        ),
    )
    .unwrap();
    let (code, report, stderr, _) = judge(&dir, Duration::from_secs(30));
    assert_eq!(code, 1, "{stderr}");
    let f = finding(&report, "aws_lambda_function.f");
    let evidence = f["evidence"].to_string();
    assert!(
        evidence.contains("set in ") && evidence.contains("/terraform.tfvars.json"),
        "{evidence}"
    );
    assert!(f["fix"]["location"]["file"]
        .as_str()
        .unwrap()
        .ends_with("/terraform.tfvars.json"));
    assert_eq!(f["fix"]["location"]["line"], 3);
}

/// Forty module calls of the same directory (`source = "./"`) over a large file parsed it once
/// per module path: minutes and gigabytes. It is parsed once now.
#[test]
fn a_directory_reached_by_many_module_paths_is_parsed_once() {
    let dir = scratch("parse-once");
    let mut tf = String::from(PASSTHROUGH_TF);
    for i in 0..40 {
        tf.push_str(&format!("module \"m{i}\" {{\n  source = \"./\"\n}}\n"));
    }
    tf.push_str("locals {\n");
    for i in 0..60_000 {
        tf.push_str(&format!("  l{i} = [\"value {i}\", {i}, {{ k = \"v\" }}]\n"));
    }
    tf.push_str("}\n");
    assert!(tf.len() > 2 << 20 && tf.len() < 4 << 20);
    std::fs::write(dir.join("main.tf"), &tf).unwrap();
    // A broken file beside it: its problem is met once per parse.
    std::fs::write(dir.join("broken.tf"), "resource {\n").unwrap();
    let functions: Vec<String> = (0..40)
        .map(|i| format!("module.m{i}.aws_lambda_function.f"))
        .collect();
    let pairs: Vec<(&str, &str)> = functions
        .iter()
        .map(|f| (f.as_str(), "PassThrough"))
        .collect();
    std::fs::write(dir.join("plan.json"), plan(&pairs, json!({}))).unwrap();
    let (code, report, stderr, took) = judge(&dir, Duration::from_secs(120));
    assert_eq!(code, 1, "{stderr}");
    for function in &functions {
        let f = finding(&report, function);
        assert_eq!(f["verdict"], "fail");
        // A file Terraform reads could not be read: the directory is not evaluated from the
        // rest (fail closed), and the verdict rests on the plan.
        assert!(
            f["evidence"].to_string().contains("is not evaluated"),
            "{}",
            f["evidence"]
        );
    }
    let warnings = warnings(&report);
    assert_eq!(
        warnings.matches("broken.tf could not be parsed").count(),
        1,
        "parsed once, not once per module path: {warnings}"
    );
    assert!(took < Duration::from_secs(10), "took {took:?}");
}

/// Override files replace what tracegate would read in the base files. Before, the un-merged base
/// was evaluated: it says Active everywhere here, while Terraform plans what the overrides say.
/// Now the lookups merge them as Terraform does, and the evidence and fix site point into the
/// override files.
#[test]
fn override_files_are_merged_as_terraform_merges_them() {
    let dir = scratch("override");
    std::fs::write(
        dir.join("main.tf"),
        "variable \"mode\" {\n  type    = string\n  default = \"Active\"\n}\n\
         locals {\n  m     = \"Active\"\n  other = 1\n}\n\
         resource \"aws_lambda_function\" \"by_variable\" {\n  tracing_config {\n    mode = var.mode\n  }\n}\n\
         resource \"aws_lambda_function\" \"by_local\" {\n  tracing_config {\n    mode = local.m\n  }\n}\n\
         resource \"aws_lambda_function\" \"by_block\" {\n  function_name = \"f\"\n  tracing_config {\n    mode = \"Active\"\n  }\n}\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("override.tf"),
        "variable \"mode\" {\n  default = \"PassThrough\"\n}\nlocals {\n  m = \"PassThrough\"\n}\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("main_override.tf"),
        "resource \"aws_lambda_function\" \"by_block\" {\n  dynamic \"tracing_config\" {\n    for_each = [1]\n    content {\n      mode = \"PassThrough\"\n    }\n  }\n}\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("plan.json"),
        plan(
            &[
                ("aws_lambda_function.by_variable", "PassThrough"),
                ("aws_lambda_function.by_local", "PassThrough"),
                ("aws_lambda_function.by_block", "PassThrough"),
            ],
            json!({"mode": {"value": "PassThrough"}}),
        ),
    )
    .unwrap();
    let (code, report, stderr, _) = judge(&dir, Duration::from_secs(30));
    assert_eq!(code, 1, "{stderr}");
    let evidence = |address: &str| finding(&report, address)["evidence"].to_string();
    let by_variable = evidence("aws_lambda_function.by_variable");
    assert!(
        by_variable.contains("its default") && by_variable.contains("/override.tf"),
        "the override's default is the default: {by_variable}"
    );
    let fix = &finding(&report, "aws_lambda_function.by_variable")["fix"]["location"];
    assert!(
        fix["file"].as_str().unwrap().ends_with("/override.tf"),
        "{fix}"
    );
    assert_eq!(fix["line"], 2);
    let by_local = evidence("aws_lambda_function.by_local");
    assert!(
        by_local.contains("/override.tf") && by_local.contains("\"line\":5"),
        "the override's local is the local: {by_local}"
    );
    let by_block = evidence("aws_lambda_function.by_block");
    assert!(
        by_block.contains("/main_override.tf") && !by_block.contains("Active"),
        "the override's dynamic block replaces the base's tracing_config: {by_block}"
    );
    assert_eq!(warnings(&report), "[]");
}

/// The committed fixture: a JSON root module with a JSON and a native override file.
#[test]
fn a_json_module_with_overrides_is_judged_from_the_merged_sources() {
    let (code, report) = common::json_report(&[
        "check",
        "testdata/json-overrides/plan.json",
        "--source-root",
        "testdata/json-overrides",
    ]);
    assert_eq!(code, 1);
    let api = finding(&report, "aws_lambda_function.api");
    assert_eq!(api["verdict"], "pass");
    let evidence = api["evidence"].to_string();
    assert!(
        evidence.contains("its default")
            && evidence
                .contains("\"file\":\"testdata/json-overrides/override.tf.json\",\"line\":4"),
        "{evidence}"
    );
    let worker = finding(&report, "aws_lambda_function.worker");
    assert_eq!(worker["verdict"], "fail");
    let evidence = worker["evidence"].to_string();
    assert!(
        evidence.contains("\"file\":\"testdata/json-overrides/worker_override.tf\",\"line\":6"),
        "{evidence}"
    );
    assert_eq!(
        worker["location"]["file"],
        "testdata/json-overrides/main.tf.json"
    );
    assert_eq!(worker["location"]["line"], 21);
}
