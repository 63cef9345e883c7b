//! Source trees from the second attack pass on the source layer, each rebuilt here as the attack
//! it stops: none may turn a plan-decided fail into unknown, print a secret, inject code into a
//! fix, or cost minutes.

mod common;
use common::{run, scratch};
use serde_json::{json, Value};
use std::path::Path;
use std::time::{Duration, Instant};

const LAMBDA: &str = r#"resource "aws_lambda_function" "fn" {
  function_name = "fn"
  dynamic "tracing_config" {
    for_each = FOR_EACH
    content {
      mode = "Active"
    }
  }
}
"#;

/// A plan creating `aws_lambda_function.fn` with the whole tracing block unknown (what an omitted
/// or dynamic block looks like), and `terraform_data.r` with its id unknown.
fn plan(dir: &Path, extra: Vec<Value>) {
    let mut changes = vec![
        json!({"address": "aws_lambda_function.fn", "mode": "managed", "type": "aws_lambda_function",
               "name": "fn", "change": {"actions": ["create"], "after": {"function_name": "fn"},
               "after_unknown": {"tracing_config": true}, "after_sensitive": {}}}),
        json!({"address": "terraform_data.r", "mode": "managed", "type": "terraform_data", "name": "r",
               "change": {"actions": ["create"], "after": {"input": "x"},
               "after_unknown": {"id": true, "output": true}, "after_sensitive": {}}}),
    ];
    changes.extend(extra);
    let plan = json!({"format_version": "1.2", "terraform_version": "1.11.4", "planned_values": {},
                      "resource_changes": changes,
                      "configuration": {"root_module": {"resources": [{"address": "aws_lambda_function.fn",
                          "mode": "managed", "type": "aws_lambda_function", "name": "fn", "expressions": {}}]}}});
    std::fs::write(dir.join("plan.json"), plan.to_string()).unwrap();
}

fn judge(dir: &Path) -> (i32, Value, String) {
    let outcome = run(&[
        "check",
        dir.join("plan.json").to_str().unwrap(),
        "--source-root",
        dir.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let report = serde_json::from_str(&outcome.stdout).unwrap_or(Value::Null);
    (outcome.code, report, outcome.stderr)
}

fn verdict(report: &Value) -> String {
    report["plans"][0]["findings"][0]["verdict"]
        .as_str()
        .unwrap_or("none")
        .to_owned()
}

#[test]
fn an_unknown_part_that_does_not_decide_leaves_the_verdict_known() {
    let dir = scratch("composite-unknown");
    plan(&dir, Vec::new());
    for for_each in [
        "[[], terraform_data.r.id][0]",
        "{ a = [], b = terraform_data.r.id }.a",
        "false && terraform_data.r.id == \"\" ? [1] : []",
        "true || terraform_data.r.id == \"\" ? [] : [1]",
        "length([terraform_data.r.id]) == 1 ? [] : [1]",
        "terraform_data.r.id != \"\" ? [] : []",
        // Terraform knows these too: a string against a number, lengths that differ, and `null`
        // (which a provider may refine an unknown away from).
        "terraform_data.r.id == 0 ? [1] : []",
        "[terraform_data.r.id] == [] ? [1] : []",
        "terraform_data.r.id == null ? [1] : []",
        "terraform_data.r.id == \"x\" && terraform_data.r.id == 0 ? [1] : []",
    ] {
        std::fs::write(
            dir.join("main.tf"),
            format!(
                "resource \"terraform_data\" \"r\" {{\n  input = \"x\"\n}}\n{}",
                LAMBDA.replace("FOR_EACH", for_each)
            ),
        )
        .unwrap();
        let (code, report, stderr) = judge(&dir);
        assert_eq!(verdict(&report), "fail", "{for_each}: {stderr}");
        assert_eq!(code, 1, "{for_each}");
    }
    // Where the unknown part does decide, the verdict is unknown.
    std::fs::write(
        dir.join("main.tf"),
        format!(
            "resource \"terraform_data\" \"r\" {{\n  input = \"x\"\n}}\n{}",
            LAMBDA.replace("FOR_EACH", "terraform_data.r.id == \"\" ? [] : [1]")
        ),
    )
    .unwrap();
    assert_eq!(verdict(&judge(&dir).1), "unknown");
}

#[test]
fn a_file_terraform_reads_but_tracegate_cannot_leaves_the_module_to_the_plan() {
    let dir = scratch("oversized-override");
    plan(&dir, Vec::new());
    std::fs::write(
        dir.join("main.tf"),
        format!(
            "resource \"terraform_data\" \"r\" {{\n  input = \"x\"\n}}\n{}",
            LAMBDA.replace("FOR_EACH", "terraform_data.r.id == \"\" ? [] : [1]")
        ),
    )
    .unwrap();
    // Terraform merges it (the block is dropped): tracegate cannot read it, so it must not judge
    // the base alone (which says unknown).
    let mut big = String::from("resource \"aws_lambda_function\" \"fn\" {\n  dynamic \"tracing_config\" {\n    for_each = []\n    content {\n      mode = \"Active\"\n    }\n  }\n}\n");
    big.push_str(&format!("# {}\n", "x".repeat(5 << 20)));
    std::fs::write(dir.join("zz_override.tf"), big).unwrap();
    let (code, report, stderr) = judge(&dir);
    assert_eq!(verdict(&report), "fail", "{stderr}");
    assert_eq!(code, 1);
    assert!(stderr.contains("is not evaluated"), "{stderr}");
}

#[test]
fn opentofu_files_leave_the_module_to_the_plan() {
    let dir = scratch("tofu-files");
    plan(&dir, Vec::new());
    let decoy = LAMBDA.replace("FOR_EACH", "terraform_data.r.id == \"\" ? [] : [1]");
    std::fs::write(
        dir.join("main.tf"),
        format!("resource \"terraform_data\" \"r\" {{\n  input = \"x\"\n}}\n{decoy}"),
    )
    .unwrap();
    std::fs::write(
        dir.join("main.tofu"),
        "resource \"aws_lambda_function\" \"fn\" {\n  function_name = \"fn\"\n}\n",
    )
    .unwrap();
    let (code, report, stderr) = judge(&dir);
    assert_eq!(verdict(&report), "fail", "{stderr}");
    assert_eq!(code, 1);
}

#[cfg(unix)]
#[test]
fn a_module_path_is_cleaned_before_symlinks_are_followed() {
    let dir = scratch("dotdot-symlink");
    std::fs::create_dir_all(dir.join("real")).unwrap();
    std::fs::create_dir_all(dir.join("sub/x")).unwrap();
    std::fs::create_dir_all(dir.join("sub/real")).unwrap();
    std::os::unix::fs::symlink(dir.join("sub/x"), dir.join("link")).unwrap();
    // Terraform reads real/ (the path cleaned as text): no block, PassThrough.
    std::fs::write(
        dir.join("real/main.tf"),
        "resource \"aws_lambda_function\" \"fn\" {\n  function_name = \"fn\"\n}\n",
    )
    .unwrap();
    // The decoy behind the link: a dynamic block over an unknown value.
    std::fs::write(
        dir.join("sub/real/main.tf"),
        format!(
            "resource \"terraform_data\" \"r\" {{\n  input = \"x\"\n}}\n{}",
            LAMBDA.replace("FOR_EACH", "terraform_data.r.id == \"\" ? [] : [1]")
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("main.tf"),
        "module \"svc\" {\n  source = \"./link/../real\"\n}\n",
    )
    .unwrap();
    let plan = json!({"format_version": "1.2", "planned_values": {}, "resource_changes": [
        {"address": "module.svc.aws_lambda_function.fn", "module_address": "module.svc", "mode": "managed",
         "type": "aws_lambda_function", "name": "fn", "change": {"actions": ["create"],
         "after": {"function_name": "fn"}, "after_unknown": {"tracing_config": true}, "after_sensitive": {}}},
        {"address": "module.svc.terraform_data.r", "module_address": "module.svc", "mode": "managed",
         "type": "terraform_data", "name": "r", "change": {"actions": ["create"], "after": {},
         "after_unknown": {"id": true}, "after_sensitive": {}}}]});
    std::fs::write(dir.join("plan.json"), plan.to_string()).unwrap();
    let (code, report, stderr) = judge(&dir);
    assert_eq!(verdict(&report), "fail", "{stderr}");
    assert_eq!(code, 1);
}

#[test]
fn an_attribute_the_plan_marks_sensitive_is_never_printed() {
    let dir = scratch("sensitive-attribute");
    let secret = "hunter2-TOPSECRET";
    let ssm = json!({"address": "aws_ssm_parameter.db", "mode": "managed", "type": "aws_ssm_parameter",
        "name": "db", "change": {"actions": ["create"], "after": {"value": secret},
        "after_unknown": {"arn": true}, "after_sensitive": {"value": true}}});
    plan(&dir, vec![ssm]);
    let mut document: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("plan.json")).unwrap()).unwrap();
    document["resource_changes"][0]["change"]["after"]["tracing_config"] =
        json!([{"mode": "PassThrough"}]);
    document["resource_changes"][0]["change"]["after_unknown"] = json!({});
    document["variables"] = json!({"db_password": {"value": secret}});
    std::fs::write(dir.join("plan.json"), document.to_string()).unwrap();
    std::fs::write(
        dir.join("main.tf"),
        "variable \"db_password\" {}\nresource \"aws_ssm_parameter\" \"db\" {\n  value = var.db_password\n}\nlocals {\n  cfg = { password = aws_ssm_parameter.db.value, mode = \"PassThrough\" }\n}\nresource \"aws_lambda_function\" \"fn\" {\n  tracing_config {\n    mode = local.cfg.mode\n  }\n}\n",
    )
    .unwrap();
    for format in [
        "text", "json", "sarif", "github", "junit", "gitlab", "markdown",
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
        assert_eq!(outcome.code, 1, "{format}: {}", outcome.stderr);
        assert!(
            !outcome.stdout.contains(secret),
            "{format} printed the secret"
        );
    }
}

#[test]
fn a_map_key_cannot_become_code_in_a_fix() {
    let dir = scratch("fix-key-injection");
    let key = "a = 1 }\nresource \"null_resource\" \"pwn\" {\n  triggers = { b";
    let document = json!({"format_version": "1.2", "planned_values": {}, "variables": {"cfg": {"value": {key: "v", "mode": "PassThrough"}}},
        "resource_changes": [{"address": "aws_lambda_function.fn", "mode": "managed", "type": "aws_lambda_function",
        "name": "fn", "change": {"actions": ["create"], "after": {"tracing_config": [{"mode": "PassThrough"}]},
        "after_unknown": {}, "after_sensitive": {}}}]});
    std::fs::write(dir.join("plan.json"), document.to_string()).unwrap();
    std::fs::write(
        dir.join("main.tf"),
        format!("variable \"cfg\" {{\n  default = {{ {} = \"v\", mode = \"PassThrough\" }}\n}}\nresource \"aws_lambda_function\" \"fn\" {{\n  tracing_config {{\n    mode = var.cfg.mode\n  }}\n}}\n", serde_json::to_string(key).unwrap()),
    )
    .unwrap();
    let (code, report, stderr) = judge(&dir);
    assert_eq!(code, 1, "{stderr}");
    let edit = report["plans"][0]["findings"][0]["fix"]["edit"]["text"]
        .as_str()
        .unwrap_or("")
        .to_owned();
    let parsed = hcl_edit::parser::parse_expr(&edit);
    assert!(parsed.is_ok(), "the edit is one HCL expression: {edit}");
    assert!(!edit.contains('\n'), "{edit}");
}

#[test]
fn positions_in_a_long_line_are_linear() {
    let dir = scratch("json-one-line");
    plan(&dir, Vec::new());
    let locals: Vec<String> = (0..20_000).map(|i| format!("\"a{i}\": 0")).collect();
    std::fs::write(
        dir.join("a.tf.json"),
        format!("{{\"locals\": {{{}}}}}", locals.join(", ")),
    )
    .unwrap();
    std::fs::write(
        dir.join("main.tf"),
        LAMBDA.replace("FOR_EACH", "local.a19999 == 0 ? [] : [1]"),
    )
    .unwrap();
    let started = Instant::now();
    let (code, report, stderr) = judge(&dir);
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(verdict(&report), "fail");
}

#[test]
fn a_fan_out_of_locals_under_many_instances_is_bounded() {
    let dir = scratch("evidence-amplification");
    let mut tf = String::from("locals {\n");
    for i in 0..4095 {
        if i < 2047 {
            tf.push_str(&format!(
                "  l{i} = [local.l{}, local.l{}]\n",
                2 * i + 1,
                2 * i + 2
            ));
        } else {
            tf.push_str(&format!("  l{i} = []\n"));
        }
    }
    tf.push_str("}\n");
    tf.push_str(
        &LAMBDA
            .replace("FOR_EACH", "length(local.l0) > 5 ? [1] : []")
            .replace(
                "function_name = \"fn\"",
                "count = 500\n  function_name = \"fn\"",
            ),
    );
    std::fs::write(dir.join("main.tf"), tf).unwrap();
    let changes: Vec<Value> = (0..500)
        .map(|i| json!({"address": format!("aws_lambda_function.fn[{i}]"), "mode": "managed",
            "type": "aws_lambda_function", "name": "fn", "index": i, "change": {"actions": ["create"],
            "after": {}, "after_unknown": {"tracing_config": true}, "after_sensitive": {}}}))
        .collect();
    let document =
        json!({"format_version": "1.2", "planned_values": {}, "resource_changes": changes});
    std::fs::write(dir.join("plan.json"), document.to_string()).unwrap();
    let started = Instant::now();
    let outcome = run(&[
        "check",
        dir.join("plan.json").to_str().unwrap(),
        "--source-root",
        dir.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(outcome.code, 1, "{}", outcome.stderr);
    assert!(
        outcome.stdout.len() < 20 << 20,
        "{} bytes of report",
        outcome.stdout.len()
    );
    let report: Value = serde_json::from_str(&outcome.stdout).unwrap();
    let steps = report["plans"][0]["findings"][0]["evidence"]
        .as_array()
        .unwrap()
        .len();
    assert!(steps < 40, "{steps} evidence steps");
}

/// A resource the plan already holds is read from the plan, not from its configuration: under
/// `ignore_changes` the two differ, and the plan is what apply uses.
#[test]
fn a_resource_the_plan_holds_is_not_read_from_its_configuration() {
    let dir = scratch("configured-attribute");
    let noop = json!({"address": "terraform_data.q", "mode": "managed", "type": "terraform_data", "name": "q",
        "change": {"actions": ["no-op"], "before": {"input": "x"}, "after": {"input": "x"},
        "after_unknown": {}, "after_sensitive": {}}});
    plan(&dir, vec![noop]);
    std::fs::write(
        dir.join("main.tf"),
        format!(
            "resource \"terraform_data\" \"r\" {{\n  input = \"x\"\n}}\nresource \"terraform_data\" \"q\" {{\n  input = terraform_data.r.id\n  lifecycle {{\n    ignore_changes = [input]\n  }}\n}}\n{}",
            LAMBDA.replace("FOR_EACH", "terraform_data.q.input == \"x\" ? [] : [1]")
        ),
    )
    .unwrap();
    let (code, report, stderr) = judge(&dir);
    assert_eq!(verdict(&report), "fail", "{stderr}");
    assert_eq!(code, 1);
}
