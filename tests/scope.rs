//! Never a false pass, part 1: every function the apply leaves is judged, in every kind of plan,
//! and shapes Terraform never writes get no benefit of the doubt. Each test is written as the
//! plan that passed the gate before.

mod common;
use common::{json_report, map, run};
use serde_json::Value;

fn plan(scenario: &str) -> String {
    format!("testdata/{scenario}/plan.json")
}

/// (address, deposed key or "") → verdict of the first plan.
fn verdicts(report: &Value) -> Vec<(String, String, String)> {
    common::tracing_findings(report, 0)
        .into_iter()
        .map(|f| {
            (
                f["address"].as_str().unwrap().to_owned(),
                f["deposed"].as_str().unwrap_or("").to_owned(),
                f["verdict"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn finding<'r>(report: &'r Value, address: &str) -> &'r Value {
    common::tracing_findings(report, 0)
        .into_iter()
        .find(|f| f["address"] == address && f.get("deposed").is_none())
        .unwrap_or_else(|| panic!("no finding for {address}"))
}

fn evidence(report: &Value, address: &str) -> String {
    finding(report, address)["evidence"].to_string()
}

#[test]
fn an_errored_plan_is_never_a_pass() {
    let outcome = run(&["check", &plan("errored")]);
    assert_eq!(outcome.code, 2, "{}", outcome.stderr);
    let errors: Vec<&str> = outcome
        .stderr
        .lines()
        .filter(|l| l.starts_with("tracegate: error:"))
        .collect();
    assert_eq!(errors.len(), 1, "{}", outcome.stderr);
    assert!(errors[0].contains("the plan errored"), "{}", errors[0]);
    assert!(errors[0].contains("fix the errors"), "{}", errors[0]);
    // What the plan holds is still judged and reported.
    let (code, report) = json_report(&["check", &plan("errored")]);
    assert_eq!(code, 2);
    assert_eq!(report["summary"]["gate"], "error");
    assert_eq!(report["plans"][0]["scope"]["errored"], true);
    assert_eq!(report["plans"][0]["scope"]["complete"], false);
    assert_eq!(
        verdicts(&report),
        [("aws_lambda_function.ok".into(), "".into(), "pass".into())]
    );
    // Every other plan writes `errored: false` (or nothing): it changes nothing.
    let (_, active) = json_report(&["check", &plan("active")]);
    assert_eq!(active["plans"][0]["scope"]["errored"], false);
    assert_eq!(active["summary"]["gate"], "pass");
}

#[test]
fn a_targeted_plan_judges_the_functions_it_leaves_alone() {
    for scenario in ["targeted", "targeted-opentofu"] {
        let (code, report) = json_report(&["check", &plan(scenario)]);
        assert_eq!(
            code, 1,
            "{scenario}: the untargeted PassThrough function fails the gate"
        );
        assert_eq!(
            verdicts(&report),
            [
                ("aws_lambda_function.a".into(), "".into(), "pass".into()),
                ("aws_lambda_function.b".into(), "".into(), "fail".into())
            ],
            "{scenario}"
        );
        let words = evidence(&report, "aws_lambda_function.b");
        assert!(words.contains("judged from prior state"), "{words}");
        assert_eq!(report["plans"][0]["scope"]["from_prior_state"], 1);
    }
    let (_, targeted) = json_report(&["check", &plan("targeted")]);
    assert!(evidence(&targeted, "aws_lambda_function.b").contains("(targeted plan)"));
    assert_eq!(targeted["plans"][0]["scope"]["complete"], false);
    let (_, opentofu) = json_report(&["check", &plan("targeted-opentofu")]);
    assert_eq!(opentofu["plans"][0]["scope"]["complete"], Value::Null);

    // The warning says the plan is incomplete; the text summary says it in words.
    let outcome = run(&["check", &plan("targeted"), "--color", "never"]);
    assert!(
        outcome.stderr.contains("the plan is incomplete"),
        "{}",
        outcome.stderr
    );
    assert!(
        outcome
            .stdout
            .contains("1 function not in this plan, judged from prior state"),
        "{}",
        outcome.stdout
    );

    // --changed-only leaves them out, as it does no-ops.
    let (code, report) = json_report(&["check", &plan("targeted"), "--changed-only"]);
    assert_eq!(code, 0);
    assert_eq!(
        finding(&report, "aws_lambda_function.b")["verdict"],
        "skipped"
    );
}

#[test]
fn a_refresh_only_plan_judges_the_refreshed_state() {
    let (code, report) = json_report(&["check", &plan("refresh-only")]);
    assert_eq!(code, 1);
    assert_eq!(
        verdicts(&report),
        [
            ("aws_lambda_function.b".into(), "".into(), "fail".into()),
            ("aws_lambda_function.keep".into(), "".into(), "pass".into())
        ]
    );
    let words = evidence(&report, "aws_lambda_function.b");
    assert!(words.contains("refresh-only plan"), "{words}");
    assert!(words.contains("the refreshed state has"), "{words}");
    assert_eq!(report["plans"][0]["scope"]["refresh_only"], true);
}

#[test]
fn deferred_changes_are_unknown_and_never_dropped() {
    let (code, report) = json_report(&["check", &plan("deferred")]);
    let deferred = finding(&report, "module.fns[*].aws_lambda_function.f[*]");
    assert_eq!(deferred["verdict"], "unknown");
    let words = deferred["evidence"].to_string();
    assert!(words.contains("instance_count_unknown"), "{words}");
    assert!(words.contains("covers 1 existing instance"), "{words}");
    assert_eq!(report["plans"][0]["scope"]["deferred"], 1);
    // The existing instance it covers stays as it is until the later plan: judged (PassThrough).
    let covered = finding(&report, "module.fns[\"a\"].aws_lambda_function.f[0]");
    assert_eq!(covered["verdict"], "fail");
    assert_eq!(code, 1);
    // Without that instance, the deferred function alone: unknown warns, --unknown fail fails.
    let only_deferred = run(&["check", &plan("deferred"), "--changed-only"]);
    assert_eq!(only_deferred.code, 0, "{}", only_deferred.stdout);
    assert_eq!(
        run(&[
            "check",
            &plan("deferred"),
            "--changed-only",
            "--unknown",
            "fail"
        ])
        .code,
        1,
        "--unknown fail fails on a deferred function"
    );
}

#[test]
fn an_awscc_object_without_a_mode_fails() {
    let (code, report) = json_report(&["check", &plan("awscc-empty-object")]);
    assert_eq!(code, 1);
    let verdicts: Vec<(String, String)> = verdicts(&report)
        .into_iter()
        .map(|(a, _, v)| (a, v))
        .collect();
    assert_eq!(
        verdicts,
        [
            ("awscc_lambda_function.empty".to_owned(), "fail".to_owned()),
            (
                "awscc_lambda_function.from_ssm".to_owned(),
                "unknown".to_owned()
            ),
            (
                "aws_lambda_function.null_mode".to_owned(),
                "fail".to_owned()
            ),
        ]
    );
    let words = evidence(&report, "awscc_lambda_function.empty");
    assert!(words.contains("AWS applies PassThrough"), "{words}");
    let words = evidence(&report, "aws_lambda_function.null_mode");
    assert!(
        words.contains("without a mode and AWS applies PassThrough"),
        "{words}"
    );
}

#[test]
fn shapes_terraform_never_writes_get_no_benefit_of_the_doubt() {
    let (_, report) = json_report(&["check", &plan("odd-shapes")]);
    let got: std::collections::BTreeMap<String, String> = verdicts(&report)
        .into_iter()
        .map(|(a, _, v)| (a, v))
        .collect();
    assert_eq!(
        got,
        map(&[
            ("aws_lambda_function.update_forget", "unknown"),
            ("aws_lambda_function.forget_noop", "unknown"),
            ("aws_lambda_function.known_but_unknown", "fail"),
            ("aws_lambda_function.active_but_unknown", "unknown"),
            ("aws_lambda_function.second_without_mode", "fail"),
            ("aws_lambda_function.second_unknown", "unknown"),
            ("aws_lambda_function.wholly_unknown", "unknown"),
        ])
    );
    let words = evidence(&report, "aws_lambda_function.wholly_unknown");
    assert!(words.contains("whole resource unknown"), "{words}");
    assert!(!words.contains("no tracing_config"), "{words}");
    assert_eq!(
        run(&["check", &plan("odd-shapes"), "--unknown", "fail"]).code,
        1
    );
}

#[test]
fn entries_that_hide_a_function_are_input_errors() {
    for (file, expected) in [
        (
            "testdata/bad/missing-type.json",
            "\"type\" or \"mode\" says otherwise",
        ),
        ("testdata/bad/wrapper-json.txt", "holds JSON"),
    ] {
        let outcome = run(&["check", file]);
        assert_eq!(outcome.code, 2, "{file}: {}", outcome.stderr);
        assert!(
            outcome.stderr.contains(expected),
            "{file}: {}",
            outcome.stderr
        );
    }
}

#[test]
fn deposed_objects_have_their_own_key_and_fingerprint() {
    let (code, report) = json_report(&["check", &plan("deposed-kept")]);
    assert_eq!(code, 1, "the deposed PassThrough object is still deployed");
    assert_eq!(
        verdicts(&report),
        [
            ("aws_lambda_function.x".into(), "".into(), "pass".into()),
            (
                "aws_lambda_function.x".into(),
                "522d8f92".into(),
                "fail".into()
            )
        ]
    );
    let findings = common::tracing_findings(&report, 0);
    assert_ne!(findings[0]["fingerprint"], findings[1]["fingerprint"]);
    // Text and SARIF name the key.
    let text = run(&["check", &plan("deposed-kept"), "--color", "never"]);
    assert!(
        text.stdout
            .contains("aws_lambda_function.x (deposed 522d8f92)"),
        "{}",
        text.stdout
    );
    let sarif = run(&["check", &plan("deposed-kept"), "--format", "sarif"]);
    let sarif: Value = serde_json::from_str(&sarif.stdout).unwrap();
    let results: Vec<&Value> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["ruleId"] == common::TRACING)
        .collect();
    assert_eq!(results.len(), 1);
    assert_eq!(results[0]["properties"]["deposed"], "522d8f92");
    assert!(results[0]["message"]["text"]
        .as_str()
        .unwrap()
        .contains("(deposed 522d8f92)"));
    // A deposed object the plan destroys is skipped, and also keyed apart from the current one.
    let (_, destroyed) = json_report(&["check", &plan("deposed")]);
    let findings = destroyed["plans"][0]["findings"].as_array().unwrap();
    let deposed = findings
        .iter()
        .find(|f| f["deposed"] == "00000001")
        .unwrap();
    assert_eq!(deposed["verdict"], "skipped");
    let current = findings
        .iter()
        .find(|f| f.get("deposed").is_none())
        .unwrap();
    assert_ne!(deposed["fingerprint"], current["fingerprint"]);
}

#[test]
fn plan_path_refuses_repeated_keys_as_the_main_reader_does() {
    let outcome = run(&[
        "check",
        "testdata/plan-path-duplicate/envelope.json",
        "--plan-path",
        "$.mock.valid",
    ]);
    assert_eq!(outcome.code, 2, "{}", outcome.stderr);
    assert!(outcome.stderr.contains("duplicate"), "{}", outcome.stderr);
    assert!(outcome.stderr.contains("\"valid\""), "{}", outcome.stderr);
}

/// No plan under testdata/ makes the gate pass while a function that survives the apply is not
/// Active: a pass means every surviving function passed (or was an unknown under `warn`).
#[test]
fn no_fixture_passes_with_a_surviving_function_that_is_not_active() {
    for (folder, expected) in common::FIXTURES {
        let common::Expect::Judged { .. } = expected else {
            continue;
        };
        let path = plan(folder);
        let mut args = vec!["check", path.as_str(), "--unknown", "fail"];
        let root = format!("testdata/{folder}");
        if common::has_sources(folder) {
            args.extend(["--source-root", root.as_str()]);
        }
        let (code, report) = json_report(&args);
        if code != 0 {
            continue;
        }
        for plan in report["plans"].as_array().unwrap() {
            for finding in plan["findings"].as_array().unwrap() {
                let verdict = finding["verdict"].as_str().unwrap();
                let suppressed = finding.get("suppression").is_some();
                assert!(
                    verdict == "pass" || verdict == "skipped",
                    "{folder}: {} is {verdict} and the gate passed",
                    finding["address"]
                );
                if verdict == "skipped" && !suppressed {
                    let actions: Vec<&str> = finding["actions"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|a| a.as_str().unwrap())
                        .collect();
                    assert!(
                        actions == ["delete"] || actions == ["forget"] || actions == ["read"],
                        "{folder}: {} skipped while it survives ({actions:?})",
                        finding["address"]
                    );
                }
            }
        }
    }
}

/// Hostile plans from an attack pass (testdata/plan-attacks/README.md): none passes the gate, and
/// no secret is printed in any format.
#[test]
fn hostile_plans_never_pass_and_never_print_a_secret() {
    let expected: &[(&str, i32)] = &[
        ("child-module-address-unprefixed", 1),
        ("deferred-covers-passthrough", 1),
        ("leak-sensitive-mode-via-variable", 1),
        ("leak-sensitive-subkey", 1),
        ("planned-values-beside-prior-state", 1),
        ("planned-values-only", 1),
        ("read-action-noprior", 1),
        ("read-action", 1),
        ("state-with-configuration", 2),
        ("state-with-planned-values", 2),
        ("state-with-rc-null", 2),
        ("trailer-same-line", 2),
        ("trailer-second-document", 2),
        ("type-awscc-at-aws-address-delete", 2),
        ("type-awscc-at-aws-address-noop", 2),
    ];
    let on_disk = std::fs::read_dir(common::root().join("testdata/plan-attacks"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "json")
        })
        .count();
    assert_eq!(
        on_disk,
        expected.len(),
        "every attack plan has an expectation"
    );
    for (name, code) in expected {
        let path = format!("testdata/plan-attacks/{name}.json");
        for format in [
            "text", "json", "sarif", "github", "junit", "gitlab", "markdown",
        ] {
            let file = run(&["check", &path, "--unknown", "fail", "--format", format]);
            assert_eq!(
                file.code, *code,
                "{name} ({format}): {}{}",
                file.stdout, file.stderr
            );
            assert!(
                !file.stdout.contains("SECRET") && !file.stderr.contains("SECRET"),
                "{name} ({format}) printed a secret"
            );
        }
        let stdin = common::run_with(
            common::command(&["check", "-", "--unknown", "fail"]),
            Some(&common::read(&path)),
        );
        assert_eq!(stdin.code, *code, "{name} on stdin: {}", stdin.stderr);
    }
}
