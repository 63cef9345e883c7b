//! The X-Ray permission rule against hostile edits of real plans (testdata/xray-attacks): each
//! once gave a false pass, a false fail or showed a sensitive value.

use serde_json::Value;
use std::process::Command;

fn permission(plan: &str, address: &str) -> Value {
    let output = Command::new(env!("CARGO_BIN_EXE_tracegate"))
        .args([
            "check",
            &format!("testdata/xray-attacks/{plan}.json"),
            "--format",
            "json",
        ])
        .args([
            "--rule",
            "D9.AWS.OPE.07",
            "--rule",
            "TG.LAMBDA.XRAY.PERMISSION",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the binary runs");
    let report: Value = serde_json::from_slice(&output.stdout).expect("a JSON report");
    report["plans"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["address"] == address && f["rule"] == "TG.LAMBDA.XRAY.PERMISSION")
        .cloned()
        .unwrap_or_else(|| panic!("{plan}: no permission finding for {address}"))
}

#[test]
fn hostile_grants_never_pass() {
    for (plan, address, verdict) in [
        // A permissions boundary caps the grant: not evaluated, so not a pass.
        (
            "a01-permissions-boundary",
            "aws_lambda_function.daemon",
            "unknown",
        ),
        // policy_arn chosen by a conditional between an Allow and a Deny policy.
        (
            "a03-conditional-policy-arn",
            "aws_lambda_function.customer",
            "unknown",
        ),
        // IAM role names ignore case: a Deny on "XRAY-DAEMON-ROLE" is on the same role.
        ("a05-role-name-case", "aws_lambda_function.daemon", "fail"),
        // The policy expression references a document and more: not the document alone.
        (
            "a06-policy-expr-first-data-ref",
            "aws_lambda_function.inline",
            "unknown",
        ),
        // A role ARN of another account that shares the plan's role name is not that role.
        (
            "a09-role-arn-other-account-same-name",
            "aws_lambda_function.daemon",
            "unknown",
        ),
        // An attachment whose role is an object keyed serde's raw-value marker (a string to
        // serde's `Value`): no role name, so it may attach anything to any role.
        (
            "a12-raw-value-role-name",
            "aws_lambda_function.daemon",
            "unknown",
        ),
        // Exclusive policy names known only after apply may keep the grant: not a fail.
        (
            "a08-exclusive-unknown-names-falsefail",
            "aws_lambda_function.inline",
            "unknown",
        ),
    ] {
        let finding = permission(plan, address);
        assert_eq!(
            finding["verdict"], verdict,
            "{plan}: {}",
            finding["evidence"]
        );
    }
}

#[test]
fn statements_of_a_sensitive_policy_are_not_shown() {
    let finding = permission("a10-sensitive-policy-sid", "aws_lambda_function.inline");
    assert!(
        !finding.to_string().contains("SECRETs3cr3tTOKEN"),
        "{finding}"
    );
}

/// A plan large enough that `resource_changes` is read ahead on a second core (8 MB and up)
/// keeps the IAM grants the permission rule reads, from a file and from stdin.
#[test]
fn grants_survive_the_read_ahead_of_a_large_plan() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let text =
        std::fs::read_to_string(root.join("testdata/real/xray-no-dependency/plan.json")).unwrap();
    let mut plan: Value = serde_json::from_str(&text).unwrap();
    let filler = "y".repeat(200);
    let mut changes: Vec<Value> = (0..50_000)
        .map(|i| {
            serde_json::json!({"address": format!("null_resource.p{i}"), "mode": "managed",
                "type": "null_resource", "name": format!("p{i}"),
                "change": {"actions": ["no-op"], "after": {"x": filler}, "after_unknown": {}}})
        })
        .collect();
    changes.extend(plan["resource_changes"].as_array().unwrap().iter().cloned());
    plan["resource_changes"] = Value::Array(changes);
    let dir =
        std::env::temp_dir().join(format!("tracegate-xray-read-ahead-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("plan.json");
    std::fs::write(&path, plan.to_string()).unwrap();
    assert!(std::fs::metadata(&path).unwrap().len() > 8 << 20);
    for stdin in [false, true] {
        let mut command = Command::new(env!("CARGO_BIN_EXE_tracegate"));
        command.args([
            "check",
            "--format",
            "json",
            "--rule",
            "TG.LAMBDA.XRAY.PERMISSION",
        ]);
        if stdin {
            command.arg("-").stdin(std::fs::File::open(&path).unwrap());
        } else {
            command.arg(&path);
        }
        let output = command.output().unwrap();
        let report: Value = serde_json::from_slice(&output.stdout).unwrap();
        let verdicts: Vec<&Value> = report["plans"][0]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| &f["verdict"])
            .collect();
        assert_eq!(verdicts, ["warn"], "stdin: {stdin}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A role the plan marks sensitive is never shown, in any format, when it is outside the plan.
#[test]
fn a_sensitive_role_is_not_shown() {
    let finding = permission("a11-sensitive-role", "aws_lambda_function.f");
    assert_eq!(finding["verdict"], "unknown", "{finding}");
    for format in [
        "text", "json", "sarif", "github", "gitlab", "junit", "rdjson", "markdown",
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_tracegate"))
            .args(["check", "testdata/xray-attacks/a11-sensitive-role.json"])
            .args(["--format", format])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .expect("the binary runs");
        let shown = String::from_utf8_lossy(&output.stdout).into_owned()
            + &String::from_utf8_lossy(&output.stderr);
        assert!(!shown.contains("SECRETROLE"), "{format}: {shown}");
    }
}
