//! Issue 18, "CI-native for real": what the CI platforms around the CLI need. An undecided gate
//! writes no SARIF and no GitLab Code Quality report, and its JUnit shows an error; suppressed findings stay out of SARIF unless asked; several plans keep their
//! identities apart in SARIF, GitLab and JUnit; annotations and the step summary respect GitHub's
//! limits; colour follows NO_COLOR, FORCE_COLOR and CLICOLOR_FORCE; `--quiet`; wrapping.

mod common;
use common::{command, run, run_with, scratch};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::path::Path;

/// A plan with `n` functions, all PassThrough (each fails).
fn failing_plan(n: usize) -> String {
    let changes: Vec<Value> = (0..n)
        .map(|i| {
            json!({
                "address": format!("aws_lambda_function.f{i:05}"),
                "mode": "managed",
                "type": "aws_lambda_function",
                "name": format!("f{i:05}"),
                "provider_name": "registry.terraform.io/hashicorp/aws",
                "change": {
                    "actions": ["create"],
                    "before": null,
                    "after": { "function_name": format!("f{i:05}"), "tracing_config": [ { "mode": "PassThrough" } ] },
                    "after_unknown": {},
                    "before_sensitive": false,
                    "after_sensitive": {}
                }
            })
        })
        .collect();
    serde_json::to_string(&json!({
        "format_version": "1.2",
        "terraform_version": "1.11.4",
        "resource_changes": changes,
    }))
    .unwrap()
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_owned()
}

/// An undecided gate writes neither SARIF nor GitLab Code Quality: both platforms read a report
/// without a plan's results as "all of those are fixed" (code scanning closes the open alerts
/// that the upload lacks; GitLab's merge request widget lists the target branch's issues that
/// the head report lacks as resolved). A report already at the path is removed, so that a
/// stale or committed one cannot be uploaded instead; a symlink there is removed, never followed.
#[test]
fn an_undecided_gate_writes_no_sarif_and_no_code_quality_report() {
    let dir = scratch("undecided-sarif");
    let sarif = dir.join("out.sarif");
    let gitlab = dir.join("gl.json");
    let junit = dir.join("junit.xml");
    let outside = dir.join("outside.json");
    std::fs::write(&outside, "keep").unwrap();
    // What a pull request could commit: an empty report, and a symlink to elsewhere.
    std::fs::write(&gitlab, "[]").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(&outside, &sarif).unwrap();
    let outcome = run(&[
        "check",
        "testdata/passthrough/plan.json",
        "testdata/bad/truncated.json",
        "--report",
        &format!("sarif={}", sarif.display()),
        "--report",
        &format!("gitlab={}", gitlab.display()),
        "--report",
        &format!("junit={}", junit.display()),
    ]);
    assert_eq!(outcome.code, 2, "{}", outcome.stderr);
    assert!(
        std::fs::symlink_metadata(&sarif).is_err(),
        "no SARIF for an undecided gate"
    );
    assert!(
        !gitlab.exists(),
        "no Code Quality report for an undecided gate"
    );
    assert_eq!(std::fs::read_to_string(&outside).unwrap(), "keep");
    assert!(junit.exists(), "the JUnit report is still written");
    for (name, harm) in [
        (
            "SARIF",
            "code scanning would close every open alert it lacks",
        ),
        (
            "GitLab Code Quality report",
            "the merge request would show every issue it lacks",
        ),
    ] {
        let line = outcome
            .stderr
            .lines()
            .find(|line| line.contains(&format!("no {name} written to")))
            .unwrap_or_else(|| panic!("no warning for {name}: {}", outcome.stderr));
        assert!(line.contains(harm), "{line}");
        assert!(
            line.ends_with("the file that was there is removed"),
            "{line}"
        );
    }
    // To stdout, too: nothing for upload-sarif or the artifact to pick up.
    for format in ["sarif", "gitlab"] {
        let outcome = run(&["check", "testdata/errored/plan.json", "--format", format]);
        assert_eq!(outcome.code, 2);
        assert_eq!(outcome.stdout, "", "{format}");
    }
    // A decided gate writes both.
    let outcome = run(&[
        "check",
        "testdata/passthrough/plan.json",
        "--report",
        &format!("sarif={}", sarif.display()),
        "--report",
        &format!("gitlab={}", gitlab.display()),
    ]);
    assert_eq!(outcome.code, 1);
    let log: Value = serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap()).unwrap();
    assert_eq!(
        log["runs"][0]["invocations"][0]["executionSuccessful"],
        true
    );
    let issues: Value = serde_json::from_str(&std::fs::read_to_string(&gitlab).unwrap()).unwrap();
    // The tracing fail, and the permission unknown (the role is not in the plan).
    assert_eq!(issues.as_array().map(Vec::len), Some(2));
}

/// A stale report at a path under a symlinked directory is not removed through it: the run
/// stops with the same error a write would give.
#[cfg(unix)]
#[test]
fn an_undecided_gate_removes_nothing_through_a_symlinked_directory() {
    let dir = scratch("undecided-symlinked-dir");
    let elsewhere = dir.join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    std::fs::write(elsewhere.join("gl.json"), "[]").unwrap();
    std::os::unix::fs::symlink(&elsewhere, dir.join("reports")).unwrap();
    let mut check = command(&[
        "check",
        common::root()
            .join("testdata/errored/plan.json")
            .to_str()
            .unwrap(),
        "--report",
        "gitlab=reports/gl.json",
    ]);
    check.current_dir(&dir);
    let outcome = run_with(check, None);
    assert_eq!(outcome.code, 2, "{}", outcome.stderr);
    assert!(elsewhere.join("gl.json").exists());
    assert!(
        outcome.stderr.contains("reports is a symlink"),
        "{}",
        outcome.stderr
    );
}

/// GitLab's test panel compares the head's JUnit with the target branch's: a report whose
/// cases all pass reads green. An errored plan's suite holds an error case (as an unreadable
/// input's does), so an undecided gate never shows as passing tests.
#[test]
fn an_undecided_gate_shows_an_error_in_the_junit_report() {
    let outcome = run(&["check", "testdata/errored/plan.json", "--format", "junit"]);
    assert_eq!(outcome.code, 2, "{}", outcome.stderr);
    let xml = outcome.stdout;
    assert!(
        xml.contains(
            // The error case, and the function's two findings (one per rule).
            r#"<testsuites name="tracegate" tests="3" failures="0" errors="1" skipped="0">"#
        ),
        "{xml}"
    );
    assert!(
        xml.contains(r#"<testsuite name="testdata/errored/plan.json" tests="3" failures="0" errors="1" skipped="0">"#),
        "{xml}"
    );
    assert!(
        xml.contains(r#"<testcase name="the plan is complete" classname="tracegate">"#),
        "{xml}"
    );
    assert!(
        xml.contains("<error message=\"the plan errored: Terraform saved a partial plan"),
        "{xml}"
    );
    // The plan's passing function is still there, as passing.
    assert!(
        xml.contains(r#"<testcase name="aws_lambda_function.ok""#),
        "{xml}"
    );
    // An unreadable input: its own suite with one error case.
    let outcome = run(&[
        "check",
        "testdata/active/plan.json",
        "testdata/bad/truncated.json",
        "--format",
        "junit",
    ]);
    assert_eq!(outcome.code, 2);
    assert!(
        outcome.stdout.contains(
            r#"<testcase name="read the plan" classname="testdata/bad/truncated.json:tracegate">"#
        ),
        "{}",
        outcome.stdout
    );
    assert!(outcome.stdout.contains(r#"failures="0" errors="1""#));
    // A decided, passing gate has no error case.
    let outcome = run(&["check", "testdata/active/plan.json", "--format", "junit"]);
    assert_eq!(outcome.code, 0);
    assert!(!outcome.stdout.contains("<error"), "{}", outcome.stdout);
}

#[test]
fn suppressed_findings_stay_out_of_sarif_unless_asked() {
    let base = [
        "check",
        "testdata/suppressions/plan.json",
        "--source-root",
        "testdata/suppressions",
        "--format",
        "sarif",
    ];
    let results = |extra: &[&str]| -> Vec<Value> {
        let mut args = base.to_vec();
        args.extend(extra);
        let outcome = run(&args);
        let log: Value = serde_json::from_str(&outcome.stdout).unwrap();
        log["runs"][0]["results"].as_array().unwrap().clone()
    };
    let default = results(&[]);
    assert!(!default.is_empty());
    assert!(default.iter().all(|r| r.get("suppressions").is_none()));
    let kept = results(&["--sarif-suppressed"]);
    let suppressed = kept
        .iter()
        .filter(|r| r.get("suppressions").is_some())
        .count();
    assert!(suppressed > 0);
    assert_eq!(kept.len(), default.len() + suppressed);
}

#[test]
fn several_plans_keep_their_identities_apart() {
    let dir = scratch("several-plans-identity");
    let plan = String::from_utf8(common::read("testdata/passthrough/plan.json")).unwrap();
    let a = write(&dir, "a/plan.json", &plan);
    let b = write(&dir, "b/plan.json", &plan);

    // One plan: the SARIF fingerprint is the finding's own (rule + address), as before.
    let (_, single) = common::json_report(&["check", &a]);
    let own = single["plans"][0]["findings"][0]["fingerprint"].clone();
    let one = run(&["check", &a, "--format", "sarif"]);
    let log: Value = serde_json::from_str(&one.stdout).unwrap();
    assert_eq!(
        log["runs"][0]["results"][0]["partialFingerprints"]["tracegateFingerprint/v1"],
        own
    );

    let two = run(&["check", &a, &b, "--format", "sarif"]);
    let log: Value = serde_json::from_str(&two.stdout).unwrap();
    let prints: BTreeSet<String> = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["partialFingerprints"]["tracegateFingerprint/v1"].to_string())
        .collect();
    // Two plans, two rules (the role is not in the plan: the permission rule's unknown).
    assert_eq!(
        prints.len(),
        4,
        "two plans, two rules, four alerts: {prints:?}"
    );

    let gitlab = run(&["check", &a, &b, "--format", "gitlab"]);
    let issues: Value = serde_json::from_str(&gitlab.stdout).unwrap();
    let prints: BTreeSet<String> = issues
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["fingerprint"].to_string())
        .collect();
    assert_eq!(prints.len(), 4);

    let junit = run(&["check", &a, &b, "--format", "junit"]).stdout;
    let cases: Vec<(String, String)> = junit
        .lines()
        .filter(|l| l.trim_start().starts_with("<testcase") && l.contains(common::TRACING))
        .map(|l| {
            let attr = |name: &str| {
                let start = l.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
                l[start..start + l[start..].find('"').unwrap()].to_owned()
            };
            (attr("classname"), attr("name"))
        })
        .collect();
    assert_eq!(cases.len(), 2);
    assert_ne!(cases[0], cases[1], "{cases:?}");
    assert!(
        cases[0].0.ends_with("a/plan.json:D9.AWS.OPE.07"),
        "{cases:?}"
    );
}

#[test]
fn annotations_respect_githubs_per_step_limits() {
    let dir = scratch("annotation-caps");
    let plan = write(&dir, "plan.json", &failing_plan(25));
    let outcome = run(&[
        "check",
        &plan,
        "testdata/bad/truncated.json",
        "--format",
        "github",
    ]);
    let lines: Vec<&str> = outcome.stdout.lines().collect();
    let errors: Vec<&&str> = lines.iter().filter(|l| l.starts_with("::error ")).collect();
    assert_eq!(errors.len(), 10, "{}", outcome.stdout);
    // The most important first: the input that could not be read.
    assert!(errors[0].contains("title=tracegate could not read"));
    let notices: Vec<&&str> = lines
        .iter()
        .filter(|l| l.starts_with("::notice "))
        .collect();
    assert_eq!(notices.len(), 1);
    // 25 fails and the input error (16 past the 10 errors shown), and 25 permission unknowns
    // (15 past the 10 warnings shown).
    assert!(
        notices[0].contains("31 more findings are not annotated"),
        "{}",
        notices[0]
    );
    assert!(notices[0].contains("job summary and the SARIF"));
    let plain = lines
        .iter()
        .filter(|l| l.starts_with("tracegate: not annotated: "))
        .count();
    assert_eq!(plain, 31);

    // Under the limit nothing is said.
    let few = run(&[
        "check",
        "testdata/passthrough/plan.json",
        "--format",
        "github",
    ]);
    assert!(!few.stdout.contains("::notice"));
}

#[test]
fn the_step_summary_stays_under_one_mebibyte() {
    let dir = scratch("summary-cap");
    let plan = write(&dir, "plan.json", &failing_plan(40));
    let summary = dir.join("summary.md");
    // What an earlier writer in this step put there counts too.
    std::fs::write(&summary, "x".repeat(996_000)).unwrap();
    let outcome = run(&["check", &plan, "--summary", summary.to_str().unwrap()]);
    assert_eq!(outcome.code, 1);
    let written = std::fs::read_to_string(&summary).unwrap();
    assert!(written.len() <= 1_000_000, "{}", written.len());
    let added = &written[996_000..];
    assert!(added.contains("### tracegate: ❌ gate failed"), "{added}");
    assert!(
        added.contains("more findings left out: the summary stays under GitHub's 1 MiB step limit"),
        "{added}"
    );

    // With room, every row is there and nothing is said.
    let roomy = dir.join("roomy.md");
    run(&["check", &plan, "--summary", roomy.to_str().unwrap()]);
    let written = std::fs::read_to_string(&roomy).unwrap();
    assert_eq!(written.matches("| ❌ fail |").count(), 40);
    assert!(!written.contains("left out"));
}

fn colored(envs: &[(&str, &str)], args: &[&str]) -> String {
    let mut all = vec!["check", "testdata/passthrough/plan.json"];
    all.extend(args);
    let mut cmd = command(&all);
    for (key, value) in envs {
        cmd.env(key, value);
    }
    run_with(cmd, None).stdout
}

#[test]
fn colour_follows_no_color_force_color_and_clicolor_force() {
    let has_colour = |s: &str| s.contains("\x1b[");
    // stdout is a pipe here: auto is plain...
    assert!(!has_colour(&colored(&[], &[])));
    // ...unless forced.
    assert!(has_colour(&colored(&[("FORCE_COLOR", "1")], &[])));
    assert!(has_colour(&colored(&[("CLICOLOR_FORCE", "1")], &[])));
    assert!(!has_colour(&colored(&[("CLICOLOR_FORCE", "0")], &[])));
    assert!(!has_colour(&colored(&[("FORCE_COLOR", "0")], &[])));
    // NO_COLOR wins over both; an empty one does not count.
    assert!(!has_colour(&colored(
        &[
            ("NO_COLOR", "1"),
            ("FORCE_COLOR", "1"),
            ("CLICOLOR_FORCE", "1")
        ],
        &[]
    )));
    assert!(has_colour(&colored(
        &[("NO_COLOR", ""), ("FORCE_COLOR", "1")],
        &[]
    )));
    // The flag wins over everything.
    assert!(!has_colour(&colored(
        &[("FORCE_COLOR", "1")],
        &["--color", "never"]
    )));
    assert!(has_colour(&colored(
        &[("NO_COLOR", "1")],
        &["--color", "always"]
    )));
    // Hyperlinks never leave a terminal, even with colour forced.
    assert!(!colored(&[("FORCE_COLOR", "1")], &[]).contains("\x1b]8;"));
    assert!(!colored(&[], &["--color", "always"]).contains("\x1b]8;"));
}

#[test]
fn quiet_prints_only_failures_and_the_summary_line() {
    let outcome = run(&[
        "check",
        "testdata/nested-module/plan.json",
        "--quiet",
        "--color",
        "never",
    ]);
    assert_eq!(outcome.code, 1);
    insta::assert_snapshot!(outcome.stdout);
    // Unknowns do not fail the gate by default, so quiet leaves them out; with --unknown fail
    // they are failures.
    let unknown = |policy: &str| {
        run(&[
            "check",
            "testdata/mode-unknown/plan.json",
            "--quiet",
            "--unknown",
            policy,
        ])
        .stdout
    };
    assert!(!unknown("warn").contains("UNKNOWN"));
    assert!(unknown("fail").contains("UNKNOWN"));
    // Warnings leave stderr; errors stay.
    let targeted = run(&["check", "testdata/targeted/plan.json", "--quiet"]);
    assert_eq!(targeted.stderr, "");
    let bad = run(&["check", "testdata/bad/truncated.json", "--quiet"]);
    assert!(bad.stderr.contains("error"));
    assert_eq!(run(&["check", "x", "--quiet", "--verbose"]).code, 2);
}

#[test]
fn evidence_wraps_at_the_width_with_its_tree_intact() {
    let mut cmd = command(&[
        "check",
        "testdata/sources/plan.json",
        "--source-root",
        "testdata/sources",
        "--color",
        "never",
    ]);
    cmd.env("COLUMNS", "72");
    let text = run_with(cmd, None).stdout;
    for line in text.lines() {
        let width = line.chars().count();
        // Evidence and fixes (indented) are longer only when one word (a path, an address) is;
        // headlines are not wrapped.
        if width > 72 && line.starts_with("        ") {
            let longest = line.split(' ').map(|w| w.chars().count()).max().unwrap();
            assert!(longest + 13 > 72, "{width}: {line}");
        }
    }
    // Continuation lines keep the tree's column.
    assert!(text.lines().any(|l| l.starts_with("        │  ")), "{text}");
    insta::assert_snapshot!(text);
    // Without COLUMNS, a pipe is not wrapped.
    let plain = run(&[
        "check",
        "testdata/sources/plan.json",
        "--source-root",
        "testdata/sources",
        "--color",
        "never",
    ])
    .stdout;
    assert!(!plain.lines().any(|l| l.starts_with("        │  ")));
}

#[test]
fn config_and_usage_errors_name_the_key_and_the_choices() {
    let dir = scratch("toml-errors");
    let plan = String::from_utf8(common::read("testdata/passthrough/plan.json")).unwrap();
    write(&dir, "plan.json", &plan);
    write(
        &dir,
        "main.tf",
        "resource \"aws_lambda_function\" \"api\" {}\n",
    );
    for (toml, expected) in [
        (
            "[[ignore]]\naddress = \"x\"\nreson = \"typo\"\n",
            ".tracegate.toml:3:1 is invalid: unknown field `reson`, expected one of `address`, `rule`, `reason`, `expires`",
        ),
        (
            "[[ignore]]\naddress = 3\nreason = \"r\"\n",
            ".tracegate.toml:2:11 is invalid: key `address`: invalid type: integer `3`, expected a string",
        ),
    ] {
        write(&dir, ".tracegate.toml", toml);
        let mut cmd = command(&["check", "plan.json"]);
        cmd.current_dir(&dir);
        let outcome = run_with(cmd, None);
        assert_eq!(outcome.code, 2);
        assert!(outcome.stderr.contains(expected), "{}", outcome.stderr);
    }
    let bogus = run(&["check", "x", "--report", "bogus=x"]);
    assert_eq!(bogus.code, 2);
    assert!(
        bogus.stderr.contains(
            "no report format \"bogus\"; the formats are text, json, sarif, gitlab, junit, github, markdown"
        ),
        "{}",
        bogus.stderr
    );
}

/// A withheld report's path that is not a file (a device such as `/dev/null`, a FIFO) is never
/// removed: only a stale report file or a link is (run as root in CI, removing `/dev/null`
/// would break every later command of the job).
#[cfg(unix)]
#[test]
fn an_undecided_gate_never_removes_a_device_or_fifo_at_a_report_path() {
    let dir = scratch("withheld-fifo");
    let fifo = dir.join("out.sarif");
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(status.success());
    let outcome = run(&[
        "check",
        "testdata/errored/plan.json",
        "--report",
        &format!("sarif={}", fifo.display()),
        "--report",
        "gitlab=/dev/null",
    ]);
    assert_eq!(outcome.code, 2, "{}", outcome.stderr);
    use std::os::unix::fs::FileTypeExt;
    let kept = std::fs::symlink_metadata(&fifo).expect("the FIFO is still there");
    assert!(kept.file_type().is_fifo());
    let null = std::fs::symlink_metadata("/dev/null").expect("/dev/null is still there");
    assert!(null.file_type().is_char_device(), "/dev/null was replaced");
    let null = std::fs::symlink_metadata("/dev/null").expect("/dev/null is still there");
    assert!(null.file_type().is_char_device());
}
