//! Suppressions count only from reviewed code: a real HCL comment in a file of the repository
//! that Terraform reads, or a well-formed `.tracegate.toml` entry. Every test here is a way to
//! pass the gate that worked before.

mod common;
use common::{run, scratch};
use serde_json::{json, Value};
use std::path::Path;

fn plan(addresses: &[&str]) -> String {
    let changes: Vec<Value> = addresses
        .iter()
        .map(|address| {
            let (modules, name) = address.rsplit_once("aws_lambda_function.").unwrap();
            let mut change = json!({"address": address, "mode": "managed", "type": "aws_lambda_function",
                "name": name, "change": {"actions": ["create"], "after": {"tracing_config": [{"mode": "PassThrough"}]},
                "after_unknown": {}}});
            if let Some(module) = modules.strip_suffix('.') {
                change["module_address"] = json!(module);
            }
            change
        })
        .collect();
    json!({"format_version": "1.2", "planned_values": {}, "resource_changes": changes}).to_string()
}

/// address → verdict, with the exit code and stderr.
fn judge(dir: &Path, addresses: &[&str]) -> (i32, Value, String) {
    std::fs::write(dir.join("plan.json"), plan(addresses)).unwrap();
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

fn verdict<'r>(report: &'r Value, address: &str) -> &'r Value {
    &report["plans"][0]["findings"]
        .as_array()
        .unwrap_or_else(|| panic!("no findings: {report}"))
        .iter()
        .find(|f| f["address"] == address)
        .unwrap_or_else(|| panic!("no finding for {address}"))["verdict"]
}

const BODY: &str = "  function_name = \"f\"\n}\n";

/// The marker text in a string on the header line of a one-line block looked like a `#`
/// comment to a line scan.
#[test]
fn marker_text_inside_a_string_does_not_suppress() {
    let dir = scratch("suppress-in-string");
    std::fs::create_dir_all(dir.join("m")).unwrap();
    std::fs::write(
        dir.join("main.tf"),
        "resource \"aws_lambda_function\" \"f\" { function_name = \"x #tracegate:ignore[D9.AWS.OPE.07] trusted\" }\n\
         module \"m\" { source = \"./m#tracegate:ignore[D9.AWS.OPE.07] trusted\" }\n\
         resource \"aws_lambda_function\" \"g\" {\n  description = <<EOT\n# tracegate:ignore[D9.AWS.OPE.07] in a heredoc\nEOT\n}\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("m/main.tf"),
        format!("resource \"aws_lambda_function\" \"f\" {{\n{BODY}"),
    )
    .unwrap();
    let (code, report, stderr) = judge(
        &dir,
        &[
            "aws_lambda_function.f",
            "aws_lambda_function.g",
            "module.m.aws_lambda_function.f",
        ],
    );
    assert_eq!(code, 1, "{stderr}");
    for address in [
        "aws_lambda_function.f",
        "aws_lambda_function.g",
        "module.m.aws_lambda_function.f",
    ] {
        assert_eq!(verdict(&report, address), "fail", "{address}");
    }
}

/// Real comments still count: above the header, on the header line after `{`, and before the
/// header on its own line.
#[test]
fn real_comments_suppress() {
    let dir = scratch("suppress-real");
    std::fs::write(
        dir.join("main.tf"),
        format!(
            "# tracegate:ignore[D9.AWS.OPE.07] above\nresource \"aws_lambda_function\" \"a\" {{\n{BODY}\
             resource \"aws_lambda_function\" \"b\" {{ // tracegate:ignore[D9.AWS.OPE.07] inline\n{BODY}\
             /* tracegate:ignore[D9.AWS.OPE.07] before */ resource \"aws_lambda_function\" \"c\" {{\n{BODY}\
             # tracegate:ignore[D9.AWS.OPE.07] \u{200B}\u{2060}\u{FEFF}\nresource \"aws_lambda_function\" \"d\" {{\n{BODY}"
        ),
    )
    .unwrap();
    let addresses = [
        "aws_lambda_function.a",
        "aws_lambda_function.b",
        "aws_lambda_function.c",
        "aws_lambda_function.d",
    ];
    let (_, report, stderr) = judge(&dir, &addresses);
    assert_eq!(verdict(&report, addresses[0]), "skipped", "{stderr}");
    assert_eq!(verdict(&report, addresses[1]), "skipped");
    assert_eq!(verdict(&report, addresses[2]), "skipped");
    assert_eq!(
        verdict(&report, addresses[3]),
        "fail",
        "a reason of invisible characters is no reason"
    );
}

/// A downloaded module (under `.terraform/`) is not reviewed in the pull request: its comments
/// do not suppress.
#[test]
fn a_comment_in_a_downloaded_module_does_not_suppress() {
    let dir = scratch("suppress-downloaded");
    std::fs::create_dir_all(dir.join(".terraform/modules/m")).unwrap();
    std::fs::write(
        dir.join("main.tf"),
        "module \"m\" {\n  source = \"example/m/aws\"\n}\n",
    )
    .unwrap();
    std::fs::write(
        dir.join(".terraform/modules/modules.json"),
        r#"{"Modules":[{"Key":"","Source":"","Dir":"."},{"Key":"m","Source":"example/m/aws","Dir":".terraform/modules/m"}]}"#,
    )
    .unwrap();
    std::fs::write(
        dir.join(".terraform/modules/m/main.tf"),
        format!("# tracegate:ignore[D9.AWS.OPE.07] upstream says so\nresource \"aws_lambda_function\" \"f\" {{\n{BODY}"),
    )
    .unwrap();
    let (code, report, stderr) = judge(&dir, &["module.m.aws_lambda_function.f"]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(verdict(&report, "module.m.aws_lambda_function.f"), "fail");
}

/// Two non-UTF-8 file names that display alike (`a\u{FFFD}.tf`) shared their line lookups: a
/// comment in one file suppressed a resource in the other.
#[cfg(unix)]
#[test]
fn files_whose_names_display_alike_do_not_share_comments() {
    use std::os::unix::ffi::OsStrExt;
    let dir = scratch("suppress-twins");
    let first = dir.join(std::ffi::OsStr::from_bytes(b"a\xfe.tf"));
    let second = dir.join(std::ffi::OsStr::from_bytes(b"a\xff.tf"));
    if std::fs::write(
        &first,
        "# tracegate:ignore[D9.AWS.OPE.07] about the locals below\nlocals {}\n",
    )
    .is_err()
    {
        return; // a file system that refuses non-UTF-8 names cannot be attacked this way
    }
    std::fs::write(
        &second,
        format!("locals {{}}\nresource \"aws_lambda_function\" \"f\" {{\n{BODY}"),
    )
    .unwrap();
    let (code, report, stderr) = judge(&dir, &["aws_lambda_function.f"]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(verdict(&report, "aws_lambda_function.f"), "fail");
}

fn config_dir(name: &str, toml: &str) -> std::path::PathBuf {
    let dir = scratch(name);
    std::fs::write(
        dir.join("main.tf"),
        format!("resource \"aws_lambda_function\" \"f\" {{\n{BODY}"),
    )
    .unwrap();
    std::fs::write(dir.join(".tracegate.toml"), toml).unwrap();
    dir
}

/// A bare time has no date, so the entry never expired; a datetime is not the date the field
/// asks for. Both are errors naming the entry.
#[test]
fn expires_must_be_a_date() {
    for (name, expires) in [
        ("time", "10:00:00"),
        ("datetime", "2999-01-01T00:00:00"),
        ("offset", "2999-01-01T00:00:00Z"),
    ] {
        let dir = config_dir(
            &format!("expires-{name}"),
            &format!("[[ignore]]\naddress = \"aws_lambda_function.f\"\nreason = \"legacy\"\nexpires = {expires}\n"),
        );
        let (code, _, stderr) = judge(&dir, &["aws_lambda_function.f"]);
        assert_eq!(code, 2, "{name}: {stderr}");
        assert!(
            stderr.contains("aws_lambda_function.f") && stderr.contains("not a date"),
            "{name}: {stderr}"
        );
    }
    let dir = config_dir(
        "expires-date",
        "[[ignore]]\naddress = \"aws_lambda_function.f\"\nreason = \"legacy\"\nexpires = 2999-01-01\n",
    );
    let (code, report, stderr) = judge(&dir, &["aws_lambda_function.f"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(verdict(&report, "aws_lambda_function.f"), "skipped");
}

#[test]
fn a_reason_of_invisible_characters_does_not_suppress() {
    for reason in ["\\u200B", "\\u2060\\u00A0", "\\uFEFF \\t", "\\u200D\\u200C"] {
        let dir = config_dir(
            "invisible-reason",
            &format!("[[ignore]]\naddress = \"aws_lambda_function.f\"\nreason = \"{reason}\"\n"),
        );
        let (code, report, stderr) = judge(&dir, &["aws_lambda_function.f"]);
        assert_eq!(code, 1, "{reason:?}: {stderr}");
        assert_eq!(
            verdict(&report, "aws_lambda_function.f"),
            "fail",
            "{reason:?}"
        );
    }
}
