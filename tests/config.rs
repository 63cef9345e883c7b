//! `.tracegate.toml [check]`: default < file < flag for every key, `--print-config`, the errors,
//! the trust model (a weakening key is named in every report; `--locked-config` refuses it), and
//! report paths from the file (under the working directory, never through a symlink).
//! The plan is testdata/config/plan.json; the files are testdata/config/*.toml.

mod common;
use common::{command, root, run_with, scratch, Outcome};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn plan() -> String {
    root()
        .join("testdata/config/plan.json")
        .display()
        .to_string()
}

/// A scratch directory whose `.tracegate.toml` is `toml`.
fn with_config(name: &str, toml: &str) -> PathBuf {
    let dir = scratch(name);
    std::fs::write(dir.join(".tracegate.toml"), toml).unwrap();
    dir
}

fn fixture(name: &str) -> String {
    String::from_utf8(common::read(&format!("testdata/config/{name}"))).unwrap()
}

/// `tracegate check` in `dir` (where `.tracegate.toml` is then found, there being no source
/// root).
fn check_in(dir: &Path, args: &[&str]) -> Outcome {
    let mut all = vec!["check"];
    all.extend(args);
    let mut command = command(&all);
    command.current_dir(dir);
    run_with(command, None)
}

/// The JSON report of a check of the config plan, with its exit code.
fn json_in(dir: &Path, args: &[&str]) -> (i32, Value, String) {
    let plan = plan();
    let mut all = vec![plan.as_str(), "--format", "json"];
    all.extend(args);
    let outcome = check_in(dir, &all);
    let report = serde_json::from_str(&outcome.stdout)
        .unwrap_or_else(|e| panic!("{e}: {} {}", outcome.stdout, outcome.stderr));
    (outcome.code, report, outcome.stderr)
}

fn setting<'r>(report: &'r Value, key: &str) -> &'r Value {
    report["settings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["key"] == key)
        .unwrap_or_else(|| panic!("no setting {key}"))
}

fn verdict<'r>(report: &'r Value, rule: &str, address: &str) -> Option<&'r Value> {
    report["plans"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["address"] == address && f["rule"] == rule)
        .map(|f| &f["verdict"])
}

const TRACING: &str = "D9.AWS.OPE.07";
const PERMISSION: &str = "TG.LAMBDA.XRAY.PERMISSION";

/// For every key: the default, the file's value and a flag over the file, each seen in the
/// report's settings (value and origin) and in what the run does.
#[test]
fn precedence_default_file_flag_for_every_key() {
    /// A setting's value and a test of what the run did (exit code, report).
    type Expect = (Value, fn(i32, &Value) -> bool);
    struct Case {
        key: &'static str,
        file: &'static str,
        flag: &'static [&'static str],
        /// (value, what the run does) for default, file and flag.
        expect: [Expect; 3],
    }
    let cases = [
        Case {
            key: "unknown",
            file: "unknown = \"fail\"",
            flag: &["--unknown", "pass"],
            expect: [
                (Value::from("warn"), |_, r| r["summary"]["unknown_policy"] == "warn"),
                (Value::from("fail"), |_, r| r["summary"]["unknown_policy"] == "fail"),
                (Value::from("pass"), |_, r| r["summary"]["unknown_policy"] == "pass"),
            ],
        },
        Case {
            key: "fail_on",
            file: "fail_on = \"new\"",
            flag: &["--fail-on", "all"],
            expect: [
                (Value::from("all"), |_, r| {
                    !evidence_has(r, "aws_lambda_function.old_fail", "--fail-on new")
                }),
                (Value::from("new"), |_, r| {
                    evidence_has(r, "aws_lambda_function.old_fail", "--fail-on new")
                }),
                (Value::from("all"), |_, r| {
                    !evidence_has(r, "aws_lambda_function.old_fail", "--fail-on new")
                }),
            ],
        },
        Case {
            key: "changed_only",
            file: "changed_only = true",
            flag: &["--changed-only=false"],
            expect: [
                (Value::from(false), |_, r| {
                    verdict(r, TRACING, "aws_lambda_function.old_fail").unwrap() == "fail"
                }),
                (Value::from(true), |_, r| {
                    verdict(r, TRACING, "aws_lambda_function.old_fail").unwrap() == "skipped"
                }),
                (Value::from(false), |_, r| {
                    verdict(r, TRACING, "aws_lambda_function.old_fail").unwrap() == "fail"
                }),
            ],
        },
        Case {
            key: "rules",
            file: "rules = [\"D9.AWS.OPE.07\"]",
            flag: &["--rule", "D9.AWS.OPE.07", "--rule", "TG.LAMBDA.XRAY.PERMISSION"],
            expect: [
                (serde_json::json!([]), |_, r| {
                    verdict(r, PERMISSION, "aws_lambda_function.new_fail").is_some()
                }),
                (serde_json::json!([TRACING]), |_, r| {
                    verdict(r, PERMISSION, "aws_lambda_function.new_fail").is_none()
                }),
                (serde_json::json!([TRACING, PERMISSION]), |_, r| {
                    verdict(r, PERMISSION, "aws_lambda_function.new_fail").is_some()
                }),
            ],
        },
        Case {
            key: "skip_rules",
            file: "rules = [\"D9.AWS.OPE.07\", \"TG.LAMBDA.XRAY.PERMISSION\"]\nskip_rules = [\"TG.LAMBDA.XRAY.PERMISSION\"]",
            flag: &["--skip-rule", "D9.AWS.OPE.07"],
            expect: [
                (serde_json::json!([]), |_, r| {
                    verdict(r, TRACING, "aws_lambda_function.new_fail").is_some()
                }),
                (serde_json::json!([PERMISSION]), |_, r| {
                    verdict(r, PERMISSION, "aws_lambda_function.new_fail").is_none()
                        && verdict(r, TRACING, "aws_lambda_function.new_fail").is_some()
                }),
                (serde_json::json!([TRACING]), |_, r| {
                    verdict(r, PERMISSION, "aws_lambda_function.new_fail").is_some()
                        && verdict(r, TRACING, "aws_lambda_function.new_fail").is_none()
                }),
            ],
        },
        Case {
            key: "foreign_ignores",
            file: "foreign_ignores = true",
            flag: &["--foreign-ignores=false"],
            // The case's directory holds a main.tf whose new_fail carries a Checkov skip.
            expect: [
                (Value::from(false), |_, r| {
                    verdict(r, TRACING, "aws_lambda_function.new_fail").unwrap() == "fail"
                }),
                (Value::from(true), |_, r| {
                    verdict(r, TRACING, "aws_lambda_function.new_fail").unwrap() == "skipped"
                }),
                (Value::from(false), |_, r| {
                    verdict(r, TRACING, "aws_lambda_function.new_fail").unwrap() == "fail"
                }),
            ],
        },
        Case {
            key: "report",
            file: "report = { junit = \"from-file.xml\" }",
            flag: &["--report", "gitlab=from-flag.json"],
            // Which files were written is checked in the loop below.
            expect: [
                (serde_json::json!({}), |code, _| code == 1),
                (serde_json::json!({"junit": "from-file.xml"}), |code, _| code == 1),
                (serde_json::json!({"gitlab": "from-flag.json"}), |code, _| code == 1),
            ],
        },
    ];
    for case in cases {
        let dir = scratch(&format!("precedence-{}", case.key));
        if case.key == "foreign_ignores" {
            std::fs::write(
                dir.join("main.tf"),
                "resource \"aws_lambda_function\" \"new_fail\" {\n  #checkov:skip=CKV_AWS_50:traced by its caller\n  function_name = \"new_fail\"\n}\n",
            )
            .unwrap();
        }
        let runs: [(Option<String>, &[&str], &str); 3] = [
            (None, &[], "default"),
            (Some(format!("[check]\n{}\n", case.file)), &[], "file"),
            (Some(format!("[check]\n{}\n", case.file)), case.flag, "flag"),
        ];
        for ((toml, flags, origin), (value, behaves)) in runs.into_iter().zip(case.expect) {
            let _ = std::fs::remove_file(dir.join(".tracegate.toml"));
            if let Some(toml) = &toml {
                std::fs::write(dir.join(".tracegate.toml"), toml).unwrap();
            }
            let (code, report, stderr) = json_in(&dir, flags);
            let shown = setting(&report, case.key);
            assert_eq!(
                shown["value"], value,
                "{} from {origin}: {stderr}",
                case.key
            );
            assert_eq!(shown["origin"], origin, "{} from {origin}", case.key);
            assert!(
                behaves(code, &report),
                "{} from {origin}: {report}",
                case.key
            );
            if case.key == "report" {
                let (file, flag) = (dir.join("from-file.xml"), dir.join("from-flag.json"));
                assert_eq!(file.exists(), origin == "file", "from {origin}");
                assert_eq!(flag.exists(), origin == "flag", "from {origin}");
                let _ = std::fs::remove_file(file);
                let _ = std::fs::remove_file(flag);
            }
            if origin == "file" {
                // The key is the last line of what the case writes under [check].
                let line = case.file.lines().count() + 1;
                assert_eq!(shown["location"]["line"], line, "{}", case.key);
                assert!(stderr.contains("settings from .tracegate.toml"), "{stderr}");
            }
        }
    }
}

fn evidence_has(report: &Value, address: &str, text: &str) -> bool {
    report["plans"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["address"] == address)
        .flat_map(|f| f["evidence"].as_array().unwrap())
        .any(|e| e["message"].as_str().unwrap().contains(text))
}

/// The file's report paths are written there; a command-line `--report` (or `--output`)
/// replaces them.
#[test]
fn report_paths_from_the_file_are_written_and_a_flag_replaces_them() {
    let dir = with_config("config-reports", &fixture("every-key.toml"));
    std::fs::create_dir(dir.join("reports")).unwrap();
    let plan = plan();
    let outcome = check_in(
        &dir,
        &[plan.as_str(), "--fail-on", "all", "--changed-only=false"],
    );
    assert_eq!(outcome.code, 1, "{}", outcome.stderr);
    let json: Value =
        serde_json::from_slice(&std::fs::read(dir.join("reports/tracegate.json")).unwrap())
            .unwrap();
    assert_eq!(json["version"], 1);
    // The file's [[ignore]] entry applies beside its [check].
    let old_fail = json["plans"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["address"] == "aws_lambda_function.old_fail" && f["rule"] == TRACING)
        .unwrap();
    assert_eq!(old_fail["suppression"]["kind"], "external");
    let sarif: Value =
        serde_json::from_slice(&std::fs::read(dir.join("tracegate.sarif")).unwrap()).unwrap();
    assert_eq!(sarif["version"], "2.1.0");

    let dir = with_config("config-reports-replaced", &fixture("every-key.toml"));
    std::fs::create_dir(dir.join("reports")).unwrap();
    for flag in [["--report", "junit=flag.xml"], ["--output", "flag.xml"]] {
        let outcome = check_in(&dir, &[plan.as_str(), flag[0], flag[1]]);
        assert_eq!(outcome.code, 1, "{}", outcome.stderr);
        assert!(dir.join("flag.xml").is_file());
        assert!(!dir.join("reports/tracegate.json").exists());
        assert!(!dir.join("tracegate.sarif").exists());
        std::fs::remove_file(dir.join("flag.xml")).unwrap();
    }
}

/// A pull request that commits `reports -> /elsewhere` (or the report name as a symlink) does not
/// get tracegate to write there.
#[cfg(unix)]
#[test]
fn report_paths_from_the_file_are_never_written_through_a_symlink() {
    let plan = plan();
    let outside = scratch("config-symlink-outside");
    std::fs::write(outside.join("victim.json"), "untouched").unwrap();

    let dir = with_config(
        "config-symlink-dir",
        "[check]\nreport = { json = \"reports/tracegate.json\" }\n",
    );
    std::os::unix::fs::symlink(&outside, dir.join("reports")).unwrap();
    let outcome = check_in(&dir, &[plan.as_str()]);
    assert_eq!(outcome.code, 2, "{}", outcome.stderr);
    assert_eq!(
        outcome.stderr.lines().last().unwrap(),
        format!("tracegate: error: cannot write the report reports/tracegate.json that {}:2 asks for: reports is a symlink or not a directory, and tracegate does not write through one", shown_config(&dir))
    );
    assert!(!outside.join("tracegate.json").exists());

    let dir = with_config(
        "config-symlink-file",
        "[check]\nreport = { json = \"out/victim.json\" }\n",
    );
    std::fs::create_dir(dir.join("out")).unwrap();
    std::os::unix::fs::symlink(outside.join("victim.json"), dir.join("out/victim.json")).unwrap();
    let outcome = check_in(&dir, &[plan.as_str()]);
    assert_eq!(outcome.code, 2, "{}", outcome.stderr);
    assert!(
        outcome
            .stderr
            .contains("out/victim.json is a symlink, and tracegate does not write through one"),
        "{}",
        outcome.stderr
    );
    assert_eq!(
        std::fs::read_to_string(outside.join("victim.json")).unwrap(),
        "untouched"
    );
    // Nothing left behind either.
    assert_eq!(std::fs::read_dir(dir.join("out")).unwrap().count(), 1);
}

/// How the tests' scratch `.tracegate.toml` is named: relative to the repository holding it
/// (the target directory may be outside this one), else to its directory.
fn shown_config(dir: &Path) -> String {
    let dir = dir.canonicalize().unwrap();
    let base = dir
        .ancestors()
        .find(|d| d.join(".git").exists())
        .unwrap_or(&dir);
    dir.join(".tracegate.toml")
        .strip_prefix(base)
        .unwrap()
        .display()
        .to_string()
}

/// Every bad file is one line, exit 2: where, the key, and what is valid.
#[test]
fn errors_name_the_place_the_key_and_the_valid_ones() {
    let cases: &[(&str, &str)] = &[
        (
            "[check]\nunknwn = \"fail\"\n",
            ":2:1: unknown key `unknwn` in [check]; the keys are unknown, fail_on, changed_only, rules, skip_rules, foreign_ignores, report",
        ),
        (
            "[check]\nunknown = \"maybe\"\n",
            ":2:11: `unknown = \"maybe\"` is not a value of unknown; the values are \"fail\", \"warn\", \"pass\"",
        ),
        (
            "[check]\nfail_on = \"some\"\n",
            ":2:11: `fail_on = \"some\"` is not a value of fail_on; the values are \"all\", \"new\"",
        ),
        (
            "[check]\nchanged_only = \"yes\"\n",
            ":2:16: `changed_only` must be true or false, not a string",
        ),
        (
            "[check]\nforeign_ignores = 1\n",
            ":2:19: `foreign_ignores` must be true or false, not an integer",
        ),
        (
            "[check]\nunknown = true\n",
            ":2:11: `unknown` must be a string, not a boolean",
        ),
        (
            "[check]\nrules = \"D9.AWS.OPE.07\"\n",
            ":2:9: `rules` must be an array of rule ids, not a string",
        ),
        (
            "[check]\nskip_rules = [\"D9.AWS.OPE.07\", \"CKV_AWS_50\"]\n",
            ":2:32: `skip_rules` names no rule \"CKV_AWS_50\"; the rules are D9.AWS.OPE.07, TG.LAMBDA.XRAY.PERMISSION (see `tracegate rules`)",
        ),
        (
            "[check]\nreport = { pdf = \"x.pdf\" }\n",
            ":2:12: `report` has no format \"pdf\"; the formats are \"text\", \"json\", \"sarif\", \"gitlab\", \"junit\", \"github\", \"markdown\", \"rdjson\"",
        ),
        (
            "[check]\nreport = { sarif = \"../outside.sarif\" }\n",
            ":2:20: `report.sarif = \"../outside.sarif\"` is refused: a report path from the file must be relative to the working directory, at most 1024 bytes, without `..` or control characters, and not under .git or .terraform",
        ),
        (
            "[check]\nreport = { sarif = \"/tmp/x.sarif\" }\n",
            ":2:20: `report.sarif = \"/tmp/x.sarif\"` is refused: a report path from the file must be relative to the working directory, at most 1024 bytes, without `..` or control characters, and not under .git or .terraform",
        ),
        (
            "[check]\nreport = { json = \".git/hooks/x\" }\n",
            ":2:19: `report.json = \".git/hooks/x\"` is refused: a report path from the file must be relative to the working directory, at most 1024 bytes, without `..` or control characters, and not under .git or .terraform",
        ),
        (
            "[check]\nexit_zero = true\n",
            ":2:1: `exit_zero` cannot be set in .tracegate.toml: the file comes with the pull request it gates; pass --exit-zero in the workflow instead",
        ),
        (
            "check = 3\n",
            ":1:9: `check` must be a table: write [check] and its keys below it",
        ),
        (
            "[check]\n\"unknown\\u001b[31m\" = 1\n",
            ":2:1: unknown key `unknown\\u{1b}[31m` in [check]; the keys are unknown, fail_on, changed_only, rules, skip_rules, foreign_ignores, report",
        ),
    ];
    let plan = plan();
    for (toml, expected) in cases {
        let dir = with_config("config-errors", toml);
        let expected = format!("tracegate: error: {}{expected}\n", shown_config(&dir));
        for args in [vec![plan.as_str()], vec!["--print-config"]] {
            let outcome = check_in(&dir, &args);
            assert_eq!(outcome.code, 2, "{toml}");
            assert_eq!(outcome.stdout, "", "{toml}");
            assert_eq!(outcome.stderr, expected, "{toml}");
        }
    }
    // An unknown rule on the command line names the valid ones too.
    let dir = scratch("config-errors-flag");
    let outcome = check_in(&dir, &["--print-config", "--rule", "D9"]);
    assert_eq!(outcome.code, 2);
    assert_eq!(
        outcome.stderr,
        "tracegate: error: there is no rule \"D9\": the rules are D9.AWS.OPE.07, TG.LAMBDA.XRAY.PERMISSION (see `tracegate rules`)\n"
    );
}

/// Under `--locked-config` each weakening key of the file is an error naming it (and the flag
/// that does the same from the workflow); a key that does not weaken is fine.
#[test]
fn locked_config_refuses_every_weakening_key() {
    let plan = plan();
    let cases = [
        ("unknown = \"pass\"", "--unknown pass"),
        ("fail_on = \"new\"", "--fail-on new"),
        ("changed_only = true", "--changed-only"),
        ("rules = [\"TG.LAMBDA.XRAY.PERMISSION\"]", "--rule"),
        ("skip_rules = [\"D9.AWS.OPE.07\"]", "--skip-rule"),
        // On by default: leaving the permission rule out weakens the gate too.
        (
            "skip_rules = [\"TG.LAMBDA.XRAY.PERMISSION\"]",
            "--skip-rule",
        ),
        ("rules = [\"D9.AWS.OPE.07\"]", "--rule"),
        ("foreign_ignores = true", "--foreign-ignores"),
    ];
    for (key, flag) in cases {
        let dir = with_config("config-locked", &format!("[check]\n{key}\n"));
        // Even when a flag overrides it: the workflow is the only authority.
        for extra in [&[][..], &["--unknown", "fail", "--fail-on", "all"][..]] {
            let mut args = vec![plan.as_str(), "--locked-config"];
            args.extend(extra);
            let outcome = check_in(&dir, &args);
            assert_eq!(outcome.code, 2, "{key}");
            assert_eq!(
                outcome.stderr,
                format!("tracegate: error: {}:2:1: `{key}` weakens the gate, and --locked-config lets only the command line do that: remove it from .tracegate.toml, or pass {flag} in the workflow\n", shown_config(&dir)),
            );
        }
    }
    for fine in [
        "unknown = \"fail\"",
        "unknown = \"warn\"",
        "fail_on = \"all\"",
        "changed_only = false",
        "rules = [\"D9.AWS.OPE.07\", \"TG.LAMBDA.XRAY.PERMISSION\"]",
        "foreign_ignores = false",
    ] {
        let dir = with_config("config-locked-fine", &format!("[check]\n{fine}\n"));
        let outcome = check_in(&dir, &[plan.as_str(), "--locked-config"]);
        assert_eq!(outcome.code, 1, "{fine}: {}", outcome.stderr);
    }
}

/// Without the lock, a weakening key acts, and every report says so.
#[test]
fn weakening_keys_from_the_file_are_named_in_every_report() {
    let dir = with_config("config-weakening", &fixture("weakening.toml"));
    let plan = plan();
    let (code, report, stderr) = json_in(&dir, &[]);
    // skip_rules drops the tracing rule: nothing is judged, so the gate passes; that is why
    // the file must never do it silently.
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        stderr,
        format!("tracegate: warning: settings from .tracegate.toml: unknown = \"pass\" ({0}:3, weakens the gate), fail_on = \"new\" ({0}:4, weakens the gate), changed_only = true ({0}:5, weakens the gate), skip_rules = [\"D9.AWS.OPE.07\"] ({0}:6, weakens the gate), foreign_ignores = true ({0}:7, weakens the gate)\n", shown_config(&dir))
    );
    for key in [
        "unknown",
        "fail_on",
        "changed_only",
        "skip_rules",
        "foreign_ignores",
    ] {
        let shown = setting(&report, key);
        assert_eq!(shown["origin"], "file", "{key}");
        assert_eq!(shown["weakens"], true, "{key}");
    }
    assert_eq!(setting(&report, "rules")["weakens"], false);
    // --quiet hides warnings, not this one.
    let quiet = check_in(&dir, &[plan.as_str(), "--quiet"]);
    assert_eq!(quiet.stderr, stderr);

    let markdown = check_in(&dir, &[plan.as_str(), "--format", "markdown"]);
    let line = markdown
        .stdout
        .lines()
        .find(|l| l.starts_with("Settings from `.tracegate.toml`"))
        .expect("a settings line");
    assert_eq!(line.matches("**weakens the gate**").count(), 5, "{line}");

    let sarif = check_in(&dir, &[plan.as_str(), "--format", "sarif"]);
    let sarif: Value = serde_json::from_str(&sarif.stdout).unwrap();
    assert_valid_sarif(&sarif);
    let invocation = &sarif["runs"][0]["invocations"][0];
    let notes = invocation["toolConfigurationNotifications"]
        .as_array()
        .unwrap();
    assert_eq!(notes.len(), 5);
    assert!(notes.iter().all(|n| n["level"] == "warning"
        && n["message"]["text"]
            .as_str()
            .unwrap()
            .ends_with("weakens the gate")));
    assert_eq!(invocation["properties"]["settings"], report["settings"]);
}

fn assert_valid_sarif(sarif: &Value) {
    let errors = common::schema::Schema::load("testdata/schemas/sarif-2.1.0.json").errors(sarif);
    assert!(errors.is_empty(), "{errors:?}");
}

/// `--print-config` shows the effective settings and where each came from, reads no plan (none
/// is given; a plan named is not read) and exits 0.
#[test]
fn print_config_shows_each_setting_and_its_origin() {
    let dir = with_config("config-print", &fixture("every-key.toml"));
    let outcome = check_in(
        &dir,
        &[
            "--print-config",
            "--unknown",
            "warn",
            "--skip-rule",
            "D9.AWS.OPE.07",
        ],
    );
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    assert_eq!(outcome.stderr, "");
    let shown = shown_config(&dir);
    insta::with_settings!({ filters => vec![(shown.as_str(), "[dir]/.tracegate.toml")] }, {
        insta::assert_snapshot!(outcome.stdout);
    });
    // What it prints is TOML that reads back as the same [check].
    let printed: toml::Table = toml::from_str(&outcome.stdout).unwrap();
    assert_eq!(printed["check"]["unknown"].as_str(), Some("warn"));
    assert_eq!(printed["check"]["fail_on"].as_str(), Some("new"));

    let none = scratch("config-print-none");
    let outcome = check_in(&none, &["--print-config", "no-such-plan.json"]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    insta::assert_snapshot!("print_config_defaults", outcome.stdout);
}

/// Other tools' skip comments: the fixture's verdicts with `foreign_ignores = true` (from its
/// `.tracegate.toml`), and none of them counts with `--foreign-ignores=false`.
#[test]
fn foreign_ignores_of_each_tool() {
    let fixture = root().join("testdata/foreign-ignores");
    let source_root = fixture.display().to_string();
    let plan = fixture.join("plan.json").display().to_string();
    let run = |extra: &[&str]| {
        let mut args = vec![
            "check",
            plan.as_str(),
            "--source-root",
            source_root.as_str(),
            "--format",
            "json",
        ];
        args.extend(extra);
        let outcome = common::run(&args);
        let report: Value = serde_json::from_str(&outcome.stdout).unwrap();
        (outcome.code, report)
    };
    let (code, report) = run(&[]);
    assert_eq!(code, 1);
    let findings = report["plans"][0]["findings"].as_array().unwrap();
    let by = |name: &str| {
        findings
            .iter()
            .find(|f| f["address"] == format!("aws_lambda_function.{name}"))
            .unwrap_or_else(|| panic!("{name}"))
    };
    for (name, tool, line, comment) in [
        ("checkov_in_body", "checkov", 5, "#checkov:skip=CKV_AWS_50:batch job, its caller traces every invocation"),
        ("trivy_above", "trivy", 22, "#trivy:ignore:AVD-AWS-0066 legacy, retired in Q1"),
        ("tfsec_inline", "tfsec", 40, "# tfsec:ignore:aws-lambda-enable-tracing:exp:2999-12-31 owned by the vendor's pipeline"),
    ] {
        let finding = by(name);
        assert_eq!(finding["verdict"], "skipped", "{name}");
        let suppression = &finding["suppression"];
        assert_eq!(suppression["kind"], "inSource", "{name}");
        assert_eq!(suppression["tool"], tool, "{name}");
        assert_eq!(suppression["comment"], comment, "{name}");
        assert_eq!(suppression["location"]["line"], line, "{name}");
        assert_eq!(suppression["suppressed_verdict"], "fail", "{name}");
    }
    let why = |name: &str| -> Vec<String> {
        common::evidence_messages(by(name))
            .into_iter()
            .filter(|m| m.contains("comment"))
            .map(str::to_owned)
            .collect()
    };
    for (name, reason) in [
        ("checkov_no_reason", "the checkov skip comment has no reason, so it does not suppress: write `#checkov:skip=CKV_AWS_50:why`"),
        ("trivy_expired", "the trivy ignore comment expired on 2020-01-01 and no longer suppresses"),
        ("trivy_no_reason", "the trivy ignore comment has no reason, so it does not suppress: write `#trivy:ignore:AVD-AWS-0066 why` (the reason after it, on its line)"),
        ("tfsec_workspace", "the tfsec ignore comment is scoped to `prod`, which tracegate cannot tell from a plan, so it does not suppress"),
    ] {
        assert_eq!(by(name)["verdict"], "fail", "{name}");
        assert_eq!(why(name), [reason], "{name}");
    }
    // Another check's id, marker text in strings, Trivy's syntax in the body, and a downloaded
    // module's comments: nothing counts, and nothing is said.
    for name in ["checkov_other_check", "in_strings", "trivy_in_body"] {
        assert_eq!(by(name)["verdict"], "fail", "{name}");
        assert_eq!(why(name), Vec::<String>::new(), "{name}");
    }
    let vendor = findings
        .iter()
        .find(|f| f["address"] == "module.vendor.aws_lambda_function.this")
        .unwrap();
    assert_eq!(vendor["verdict"], "fail");

    // Off unless the file (or the flag) says so.
    let (code, report) = run(&["--foreign-ignores=false"]);
    assert_eq!(code, 1);
    assert_eq!(report["summary"]["skipped"], 0);
    assert_eq!(report["summary"]["fail"], 11);
}

/// SARIF (with `--sarif-suppressed`) marks the foreign skips as inSource suppressions, with the
/// tool and the comment as written, and stays valid.
#[test]
fn foreign_ignores_in_sarif() {
    let fixture = root().join("testdata/foreign-ignores");
    let outcome = common::run(&[
        "check",
        fixture.join("plan.json").to_str().unwrap(),
        "--source-root",
        fixture.to_str().unwrap(),
        "--format",
        "sarif",
        "--sarif-suppressed",
    ]);
    assert_eq!(outcome.code, 1);
    let sarif: Value = serde_json::from_str(&outcome.stdout).unwrap();
    assert_valid_sarif(&sarif);
    let suppressions: Vec<&Value> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["suppressions"].as_array())
        .flatten()
        .collect();
    assert_eq!(suppressions.len(), 3);
    let trivy = suppressions
        .iter()
        .find(|s| s["properties"]["tool"] == "trivy")
        .unwrap();
    assert_eq!(trivy["kind"], "inSource");
    assert_eq!(trivy["justification"], "legacy, retired in Q1");
    assert_eq!(
        trivy["properties"]["comment"],
        "#trivy:ignore:AVD-AWS-0066 legacy, retired in Q1"
    );
    assert_eq!(
        trivy["location"]["physicalLocation"]["region"]["startLine"],
        22
    );
}

/// Above a module call, Trivy's and tfsec's ignores cover the functions inside (as those tools
/// read them); a Checkov skip in the call's body is about the call, and covers nothing.
#[test]
fn foreign_ignores_at_module_calls() {
    let dir = scratch("foreign-module-calls");
    std::fs::create_dir_all(dir.join("m")).unwrap();
    std::fs::write(
        dir.join(".tracegate.toml"),
        "[check]\nforeign_ignores = true\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("main.tf"),
        "#tfsec:ignore:aws-lambda-enable-tracing the vendor module traces itself\nmodule \"above\" {\n  source = \"./m\"\n}\n\nmodule \"in_body\" {\n  #checkov:skip=CKV_AWS_50:a skip in the call's body\n  source = \"./m\"\n}\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("m/main.tf"),
        "resource \"aws_lambda_function\" \"f\" {\n  function_name = \"f\"\n}\n",
    )
    .unwrap();
    let changes: Vec<Value> = ["above", "in_body"]
        .iter()
        .map(|m| {
            serde_json::json!({"address": format!("module.{m}.aws_lambda_function.f"), "module_address": format!("module.{m}"),
                "mode": "managed", "type": "aws_lambda_function", "name": "f",
                "change": {"actions": ["create"], "after": {"tracing_config": [{"mode": "PassThrough"}]}, "after_unknown": {}}})
        })
        .collect();
    let plan = serde_json::json!({"format_version": "1.2", "planned_values": {}, "resource_changes": changes});
    std::fs::write(dir.join("plan.json"), plan.to_string()).unwrap();
    let (code, report, _) = {
        let outcome = check_in(&dir, &["plan.json", "--format", "json"]);
        let report: Value = serde_json::from_str(&outcome.stdout).unwrap();
        (outcome.code, report, outcome.stderr)
    };
    assert_eq!(code, 1);
    assert_eq!(
        verdict(&report, TRACING, "module.above.aws_lambda_function.f").unwrap(),
        "skipped"
    );
    assert_eq!(
        verdict(&report, TRACING, "module.in_body.aws_lambda_function.f").unwrap(),
        "fail"
    );
}
