//! The report formats: SARIF validated against the official 2.1.0 schema on every fixture, the
//! Code Quality contract, JUnit parsed back, GitHub commands and Markdown escaped against hostile
//! plan values, suppressions, and one snapshot per format.

mod common;
use common::{command, run, run_with, scratch};
use serde_json::Value;

/// Every fixture that judges cleanly: (plan, extra arguments).
fn fixtures() -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = common::scenarios()
        .iter()
        .map(|s| (format!("testdata/{s}/plan.json"), Vec::new()))
        .collect();
    for (plan, root) in [
        ("testdata/sources/plan.json", "testdata/sources"),
        ("testdata/suppressions/plan.json", "testdata/suppressions"),
        ("testdata/escape/root/plan.json", "testdata/escape/root"),
    ] {
        out.push((
            plan.to_owned(),
            vec!["--source-root".to_owned(), root.to_owned()],
        ));
    }
    for entry in std::fs::read_dir(common::root().join("testdata/corpus/plans")).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if !name.starts_with("awssamples") {
            out.push((format!("testdata/corpus/plans/{name}"), Vec::new()));
        }
    }
    out
}

fn report(format: &str, plan: &str, extra: &[String]) -> common::Outcome {
    let mut args = vec!["check", plan, "--format", format];
    args.extend(extra.iter().map(String::as_str));
    run(&args)
}

/// The official SARIF 2.1.0 schema (draft-07).
struct SarifSchema;

impl SarifSchema {
    fn load() -> common::schema::Schema {
        common::schema::Schema::load("testdata/schemas/sarif-2.1.0.json")
    }
}

#[test]
fn sarif_is_valid_on_every_fixture_and_every_result_is_located() {
    let validator = SarifSchema::load();
    let mut results = 0;
    for (plan, extra) in fixtures() {
        let outcome = report("sarif", &plan, &extra);
        // An undecided gate (an errored plan) writes no SARIF: an upload would close alerts.
        if outcome.code == 2 {
            assert_eq!(outcome.stdout, "", "{plan}");
            assert!(outcome.stderr.contains("no SARIF written"), "{plan}");
            continue;
        }
        let sarif: Value = serde_json::from_str(&outcome.stdout).unwrap();
        assert_eq!(
            sarif["runs"][0]["invocations"][0]["executionSuccessful"], true,
            "{plan}: {}",
            outcome.stderr
        );
        let errors = validator.errors(&sarif);
        assert!(errors.is_empty(), "{plan}: {errors:#?}");
        for result in sarif["runs"][0]["results"].as_array().unwrap() {
            results += 1;
            let physical = &result["locations"][0]["physicalLocation"];
            let uri = physical["artifactLocation"]["uri"].as_str().expect("a uri");
            assert!(
                !uri.starts_with('/') && !uri.contains("..") && !uri.contains(':'),
                "{plan}: {uri}"
            );
            assert!(
                physical["region"]["startLine"].as_i64().unwrap() >= 1,
                "{plan}"
            );
            assert_eq!(
                result["locations"][0]["logicalLocations"][0]["kind"],
                "resource"
            );
            assert_eq!(
                result["partialFingerprints"]["tracegateFingerprint/v1"]
                    .as_str()
                    .unwrap()
                    .len(),
                64
            );
        }
    }
    assert!(results > 40, "the fixtures produce results ({results})");
    // The validator does reject what GitHub would: a result without its message, a bad level.
    let outcome = report("sarif", "testdata/passthrough/plan.json", &[]);
    let mut broken: Value = serde_json::from_str(&outcome.stdout).unwrap();
    broken["runs"][0]["results"][0]["level"] = Value::from("fatal");
    broken["runs"][0]["results"][0]
        .as_object_mut()
        .unwrap()
        .remove("message");
    let errors = validator.errors(&broken);
    assert!(
        errors.iter().any(|e| e.contains("/runs/0/results/0/level"))
            && errors.iter().any(|e| e.contains("message")),
        "{errors:#?}"
    );
    // And what only format assertions catch: a URI that is not one, a date that is not one.
    let mut broken: Value = serde_json::from_str(&outcome.stdout).unwrap();
    broken["runs"][0]["tool"]["driver"]["informationUri"] = Value::from("not a uri");
    let errors = validator.errors(&broken);
    assert!(
        errors
            .iter()
            .any(|e| e.contains("/runs/0/tool/driver/informationUri")),
        "{errors:#?}"
    );
    let mut broken: Value = serde_json::from_str(&outcome.stdout).unwrap();
    broken["runs"][0]["invocations"][0]["endTimeUtc"] = Value::from("yesterday");
    assert!(!validator.errors(&broken).is_empty());
    assert!(validator
        .errors(&serde_json::from_str(&outcome.stdout).unwrap())
        .is_empty());
}

#[test]
fn sarif_rule_metadata() {
    let outcome = report(
        "sarif",
        "testdata/passthrough/plan.json",
        &["--category".into(), "infra/prod".into()],
    );
    let sarif: Value = serde_json::from_str(&outcome.stdout).unwrap();
    let run = &sarif["runs"][0];
    let rule = &run["tool"]["driver"]["rules"][0];
    assert_eq!(rule["id"], "D9.AWS.OPE.07");
    assert_eq!(rule["properties"]["security-severity"], "3.0");
    assert_eq!(rule["properties"]["precision"], "very-high");
    assert_eq!(rule["defaultConfiguration"]["level"], "error");
    assert!(rule["help"]["markdown"]
        .as_str()
        .unwrap()
        .contains("AWSXRayDaemonWriteAccess"));
    assert!(rule["help"]["text"]
        .as_str()
        .unwrap()
        .contains("update-function-configuration"));
    assert!(rule["fullDescription"]["text"].is_string());
    assert_eq!(run["automationDetails"]["id"], "infra/prod/");
    assert_eq!(run["invocations"][0]["executionSuccessful"], true);
    assert_eq!(run["tool"]["driver"]["version"], env!("CARGO_PKG_VERSION"));
}

#[test]
fn sarif_results_carry_fixes_related_locations_and_suppressions() {
    let sources = vec!["--source-root".to_owned(), "testdata/sources".to_owned()];
    let sarif: Value =
        serde_json::from_str(&report("sarif", "testdata/sources/plan.json", &sources).stdout)
            .unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    // pass functions are not results; unknown is a warning under the default policy. The
    // permission rule adds an unknown for each of the 10 functions it judges (their role is
    // not in the plan).
    let tracing = results
        .iter()
        .filter(|r| r["ruleId"] == common::TRACING)
        .count();
    assert_eq!((tracing, results.len() - tracing), (9, 10));
    let worker = results
        .iter()
        .find(|r| {
            r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]
                == "module.worker.aws_lambda_function.this[0]"
        })
        .unwrap();
    assert_eq!(
        worker["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "testdata/sources/main.tf"
    );
    assert_eq!(
        worker["locations"][0]["physicalLocation"]["region"]["startLine"],
        55
    );
    assert!(worker["relatedLocations"].as_array().unwrap().len() >= 3);
    let replacement = &worker["fixes"][0]["artifactChanges"][0]["replacements"][0];
    assert_eq!(
        replacement["insertedContent"]["text"],
        "  tracing_mode = \"Active\"\n"
    );
    assert_eq!(
        replacement["deletedRegion"]["startLine"], 59,
        "before the closing brace"
    );
    // Every function of the sources fixture is decided; an unknown one is a warning: only
    // the permission rule's, whose roles are not in the plan.
    let warnings: Vec<&Value> = results.iter().filter(|r| r["level"] == "warning").collect();
    assert_eq!(warnings.len(), 10);
    assert!(warnings.iter().all(|r| r["ruleId"] == common::PERMISSION));
    let unknown: Value =
        serde_json::from_str(&report("sarif", "testdata/mode-unknown/plan.json", &[]).stdout)
            .unwrap();
    let levels: Vec<&Value> = unknown["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["level"])
        .collect();
    // The tracing unknown, and the permission rule's (its role is not in the plan).
    assert_eq!(levels, [&Value::from("warning"), &Value::from("warning")]);

    // Kept only when asked: code scanning ignores `suppressions` (see tests/ci_native.rs).
    let suppressed = vec![
        "--source-root".to_owned(),
        "testdata/suppressions".to_owned(),
        "--sarif-suppressed".to_owned(),
    ];
    let sarif: Value = serde_json::from_str(
        &report("sarif", "testdata/suppressions/plan.json", &suppressed).stdout,
    )
    .unwrap();
    let kinds: Vec<&str> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["suppressions"][0]["kind"].as_str())
        .collect();
    assert_eq!(kinds.iter().filter(|k| **k == "inSource").count(), 2);
    assert_eq!(kinds.iter().filter(|k| **k == "external").count(), 2);
}

#[test]
fn suppressions_skip_and_do_not_fail_the_gate() {
    let (code, verdicts) = common::verdicts(&[
        "check",
        "testdata/suppressions/plan.json",
        "--source-root",
        "testdata/suppressions",
    ]);
    assert_eq!(
        verdicts,
        common::map(&[
            ("aws_lambda_function.by_file", "skipped"),
            ("aws_lambda_function.expired", "fail"),
            ("aws_lambda_function.ignored_above", "skipped"),
            ("aws_lambda_function.ignored_inline", "skipped"),
            ("aws_lambda_function.no_reason", "fail"),
            ("module.legacy.aws_lambda_function.old", "skipped"),
        ])
    );
    assert_eq!(code, 1, "no_reason and expired still fail");
    let (_, report) = common::json_report(&[
        "check",
        "testdata/suppressions/plan.json",
        "--source-root",
        "testdata/suppressions",
    ]);
    let findings = report["plans"][0]["findings"].as_array().unwrap();
    let by = |a: &str| findings.iter().find(|f| f["address"] == a).unwrap();
    assert_eq!(
        by("aws_lambda_function.by_file")["suppression"]["kind"],
        "external"
    );
    assert_eq!(
        by("aws_lambda_function.by_file")["suppression"]["suppressed_verdict"],
        "fail"
    );
    assert!(by("aws_lambda_function.expired")["evidence"]
        .to_string()
        .contains("expired on 2000-01-01"));
    assert!(by("aws_lambda_function.no_reason")["evidence"]
        .to_string()
        .contains("has no reason"));
}

#[test]
fn an_invalid_tracegate_toml_is_an_error() {
    let dir = scratch("bad-toml");
    std::fs::write(
        dir.join("main.tf"),
        "resource \"aws_lambda_function\" \"api\" {}\n",
    )
    .unwrap();
    std::fs::write(
        dir.join(".tracegate.toml"),
        "[[ignore]]\nadress = \"typo\"\n",
    )
    .unwrap();
    let outcome = run(&[
        "check",
        "testdata/omitted-unknown/plan.json",
        "--source-root",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(outcome.code, 2);
    assert!(
        outcome
            .stderr
            .contains(".tracegate.toml:2:1 is invalid: unknown field `adress`"),
        "{}",
        outcome.stderr
    );
}

#[test]
fn gitlab_code_quality_contract() {
    let sources = vec!["--source-root".to_owned(), "testdata/sources".to_owned()];
    let outcome = report("gitlab", "testdata/sources/plan.json", &sources);
    let issues: Value = serde_json::from_str(&outcome.stdout).unwrap();
    let issues = issues.as_array().unwrap();
    assert_eq!(
        issues.len(),
        9 + 10,
        "as SARIF: 9 of the tracing rule, 10 of the permission rule"
    );
    let mut fingerprints = std::collections::HashSet::new();
    for issue in issues {
        assert!(issue["description"].as_str().unwrap().len() > 10);
        assert!(
            [common::TRACING, common::PERMISSION].contains(&issue["check_name"].as_str().unwrap())
        );
        assert!(
            fingerprints.insert(issue["fingerprint"].as_str().unwrap().to_owned()),
            "unique fingerprints"
        );
        assert!(["info", "minor", "major", "critical", "blocker"]
            .contains(&issue["severity"].as_str().unwrap()));
        assert!(issue["location"]["path"]
            .as_str()
            .unwrap()
            .starts_with("testdata/sources/"));
        assert!(issue["location"]["lines"]["begin"].as_u64().unwrap() >= 1);
    }
    // Suppressed findings are not Code Quality issues.
    // Kept only when asked: code scanning ignores `suppressions` (see tests/ci_native.rs).
    let suppressed = vec![
        "--source-root".to_owned(),
        "testdata/suppressions".to_owned(),
        "--sarif-suppressed".to_owned(),
    ];
    let issues: Value = serde_json::from_str(
        &report("gitlab", "testdata/suppressions/plan.json", &suppressed).stdout,
    )
    .unwrap();
    // The two unsuppressed fails, and their permission unknowns; the suppressed functions'
    // permission findings go with their suppressed tracing findings.
    assert_eq!(issues.as_array().unwrap().len(), 4);
}

#[test]
fn junit_parses_back() {
    use quick_xml::events::Event;
    use quick_xml::Reader;
    for (plan, extra) in fixtures() {
        let outcome = report("junit", &plan, &extra);
        let mut reader = Reader::from_str(&outcome.stdout);
        let (mut cases, mut failures, mut declared_failures, mut skipped) = (0, 0, None, 0);
        let mut errors = 0;
        loop {
            match reader.read_event() {
                Ok(Event::Start(e)) | Ok(Event::Empty(e)) => match e.name().as_ref() {
                    b"testsuites" => {
                        let attr = e.try_get_attribute("failures").unwrap().unwrap();
                        declared_failures =
                            Some(attr.unescape_value().unwrap().parse::<usize>().unwrap());
                    }
                    b"testcase" => cases += 1,
                    b"failure" => failures += 1,
                    b"error" => errors += 1,
                    b"skipped" => skipped += 1,
                    _ => {}
                },
                Ok(Event::Eof) => break,
                Ok(_) => {}
                Err(e) => panic!("{plan}: invalid XML: {e}"),
            }
        }
        assert_eq!(declared_failures, Some(failures), "{plan}");
        let (_, report) = common::json_report(
            &[
                &["check", plan.as_str()][..],
                &extra.iter().map(String::as_str).collect::<Vec<_>>(),
            ]
            .concat(),
        );
        // One case per finding (a function has one per rule that judges it), and an error case
        // for a plan that errored (the gate is not decided: GitLab's test panel must not show it
        // green).
        let errored = usize::from(report["plans"][0]["scope"]["errored"] == true);
        assert_eq!(errors, errored, "{plan}");
        let findings: usize = report["plans"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["findings"].as_array().unwrap().len())
            .sum();
        assert_eq!(cases, findings + errored, "{plan}");
        assert_eq!(
            skipped as u64,
            report["summary"]["skipped"].as_u64().unwrap(),
            "{plan}"
        );
    }
}

const HOSTILE: &str = "testdata/hostile-names/plan.json";
const SECRET: &str = "s3cr3t-token-do-not-print";

#[test]
fn hostile_values_are_escaped_in_every_format() {
    for format in [
        "text", "json", "sarif", "gitlab", "junit", "github", "markdown",
    ] {
        for plan in [HOSTILE, "testdata/sensitive/plan.json"] {
            let outcome = report(format, plan, &[]);
            assert!(!outcome.stdout.contains(SECRET), "{format}: secret leaked");
            assert!(!outcome.stdout.contains('\x1b'), "{format}: raw ESC");
            assert!(
                !outcome.stderr.contains(SECRET),
                "{format}: secret leaked on stderr"
            );
        }
    }
    // Workflow commands: the injected text cannot start a line or end the command.
    let github = report("github", HOSTILE, &[]).stdout;
    let lines: Vec<&str> = github.lines().collect();
    // The tracing rule's error, the permission rule's warning, the summary line.
    assert_eq!(lines.len(), 3, "{github}");
    assert!(lines[0].starts_with("::error file=testdata/hostile-names/plan.json,line=1,col="));
    assert!(
        lines[0].contains("evil%250A%3A%3Aerror%3A%3Apwned%0A|<b>"),
        "{}",
        lines[0]
    );
    assert!(lines[1].starts_with("::warning file=testdata/hostile-names/plan.json,line=1,col="));
    assert!(lines[2].starts_with("tracegate: "));
    // Markdown: every row keeps its six cell borders; no raw HTML.
    let markdown = report("markdown", HOSTILE, &[]).stdout;
    for row in markdown.lines().filter(|l| l.starts_with("| ❌")) {
        assert_eq!(
            row.matches('|').count() - row.matches("\\|").count(),
            6,
            "{row}"
        );
        assert!(!row.contains('<'), "{row}");
    }
    // Text: the newline and ESC are shown, not acted on.
    let text = report("text", HOSTILE, &["--color".into(), "never".into()]).stdout;
    assert!(text.contains("pwned\\u{a}|<b>\\u{1b}[31mred"), "{text}");
}

#[test]
fn several_reports_in_one_run() {
    let dir = scratch("several-reports");
    let sarif = dir.join("out.sarif");
    let gitlab = dir.join("gl-code-quality-report.json");
    let summary = dir.join("summary.md");
    let outcome = run(&[
        "check",
        "testdata/nested-module/plan.json",
        "--report",
        &format!("sarif={}", sarif.display()),
        "--report",
        &format!("gitlab={}", gitlab.display()),
        "--summary",
        summary.to_str().unwrap(),
        "--color",
        "never",
    ]);
    assert_eq!(outcome.code, 1);
    assert!(
        outcome.stdout.contains("FAIL    module.svc"),
        "text still goes to stdout"
    );
    let sarif: Value = serde_json::from_str(&std::fs::read_to_string(sarif).unwrap()).unwrap();
    // 2 tracing fails, 3 permission unknowns (no role of the plan).
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), 5);
    let gitlab: Value = serde_json::from_str(&std::fs::read_to_string(gitlab).unwrap()).unwrap();
    assert_eq!(gitlab.as_array().unwrap().len(), 5);
    assert!(std::fs::read_to_string(summary)
        .unwrap()
        .starts_with("### tracegate: ❌ gate failed"));
    let bad = run(&["check", "testdata/active/plan.json", "--report", "yaml=x"]);
    assert_eq!(bad.code, 2);
}

#[test]
fn github_step_summary_is_written_in_actions() {
    let dir = scratch("step-summary");
    let summary = dir.join("step_summary.md");
    std::fs::write(&summary, "earlier step\n").unwrap();
    let mut cmd = command(&["check", "testdata/active/plan.json", "--format", "github"]);
    cmd.env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", &summary);
    let outcome = run_with(cmd, None);
    assert_eq!(outcome.code, 0);
    let written = std::fs::read_to_string(summary).unwrap();
    assert!(
        written.starts_with("earlier step\n### tracegate: ✅ gate passed"),
        "{written}"
    );
}

#[test]
fn one_snapshot_per_format() {
    let sources = vec!["--source-root".to_owned(), "testdata/sources".to_owned()];
    for format in ["sarif", "gitlab", "junit", "github", "markdown"] {
        let outcome = report(format, "testdata/sources/plan.json", &sources);
        // SARIF is written on one line: the snapshot shows it indented, to be read in review.
        let text = if format == "sarif" {
            let value: serde_json::Value = serde_json::from_str(&outcome.stdout).unwrap();
            serde_json::to_string_pretty(&value).unwrap() + "\n"
        } else {
            outcome.stdout
        };
        let redacted = text.replace(env!("CARGO_PKG_VERSION"), "[version]");
        insta::assert_snapshot!(format!("sources-{format}"), redacted);
    }
    let outcome = report(
        "markdown",
        "testdata/suppressions/plan.json",
        &["--source-root".into(), "testdata/suppressions".into()],
    );
    insta::assert_snapshot!("suppressions-markdown", outcome.stdout);
}
