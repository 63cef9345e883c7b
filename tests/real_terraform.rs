//! Plans that a real `terraform` wrote (testdata/real/, made by scripts/real-plans.sh against the
//! provider double in tests/terraform/provider/): every function's verdict must match the ground
//! truth the double's fake account recorded after applying exactly that plan, with and without
//! `--source-root`. Judged through the CLI binary only. Needs no terraform.

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A known disagreement with the ground truth: (case, address, why, issue). Each must still
/// disagree, with and without `--source-root` (the test fails when one no longer does, so
/// whoever fixes it removes the entry).
type Gap = (&'static str, &'static str, &'static str, u32);

/// Disagreements that issue 12 fixes (tracegate reads only `resource_changes`).
const KNOWN_GAPS: &[Gap] = &[
    // None left: issue 12 made tracegate judge -refresh-only and -target plans (prior_state),
    // and the awscc object without a mode.
];

/// Disagreements these real plans found that no issue covers yet. None today.
const UNFILED: &[Gap] = &[];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn real() -> PathBuf {
    root().join("testdata/real")
}

/// The case folders: every folder of testdata/real except `_vendor` and other `_` names.
fn cases() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(real())
        .expect("testdata/real")
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .filter(|p| !p.file_name().unwrap().to_string_lossy().starts_with('_'))
        .collect();
    out.sort();
    out
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn name(case: &Path) -> String {
    case.file_name().unwrap().to_string_lossy().into_owned()
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// The source root for `--source-root`: the case folder itself, or for a case that uses a
/// registry module a scratch copy laid out as `terraform init` leaves it: the case's
/// `modules.json` (the record init wrote) in `.terraform/modules/` and the vendored module in
/// each registry module's directory.
fn source_root(case: &Path) -> PathBuf {
    let record = case.join("modules.json");
    if !record.exists() {
        return case.to_path_buf();
    }
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("real-terraform")
        .join(name(case));
    let _ = std::fs::remove_dir_all(&dir);
    copy_tree(case, &dir);
    let modules = dir.join(".terraform/modules");
    std::fs::create_dir_all(&modules).unwrap();
    std::fs::copy(&record, modules.join("modules.json")).unwrap();
    let spec = read_json(&case.join("case.json"));
    for (key, vendored) in spec["registry_modules"]
        .as_object()
        .expect("registry_modules")
    {
        copy_tree(
            &real().join("_vendor").join(vendored.as_str().unwrap()),
            &modules.join(key),
        );
    }
    dir
}

/// address → the verdicts of its findings (a deposed object shares the address).
fn judge(case: &Path, with_sources: bool) -> BTreeMap<String, Vec<String>> {
    let plan = case.join("plan.json");
    let mut command = Command::new(env!("CARGO_BIN_EXE_tracegate"));
    command
        .arg("check")
        .arg(&plan)
        .args(["--format", "json"])
        // The repository root holds no .tf files: without --source-root nothing is read.
        .current_dir(root())
        .env_remove("NO_COLOR")
        .env_remove("GITHUB_ACTIONS")
        .stdin(Stdio::null());
    if with_sources {
        command.arg("--source-root").arg(source_root(case));
    }
    let output = command.output().expect("the binary runs");
    let code = output.status.code().expect("exited");
    assert!(
        code == 0 || code == 1,
        "{}: exit {code}: {}",
        name(case),
        String::from_utf8_lossy(&output.stderr)
    );
    let report: Value = serde_json::from_slice(&output.stdout).expect("a JSON report");
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    // The tracing rule's verdicts; the permission rule's are checked by
    // xray_permission_verdicts_match_the_ground_truth.
    let findings = report["plans"][0]["findings"].as_array().expect("findings");
    for finding in findings.iter().filter(|f| f["rule"] == "D9.AWS.OPE.07") {
        out.entry(finding["address"].as_str().unwrap().to_owned())
            .or_default()
            .push(finding["verdict"].as_str().unwrap().to_owned());
    }
    out
}

/// What truth.json expects per address: the verdicts of the current object and of any deposed
/// ones (`absent-or-skipped`). Without sources, `without_sources` overrides where only the .tf
/// files can tell.
fn expected(truth: &Value, with_sources: bool) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for f in truth["functions"].as_array().expect("functions") {
        let expect = match &f["without_sources"] {
            Value::Object(w) if !with_sources => &w["expect"],
            _ => &f["expect"],
        };
        out.entry(f["address"].as_str().unwrap().to_owned())
            .or_default()
            .push(expect.as_str().unwrap().to_owned());
    }
    out
}

/// Whether the findings of one address match what is expected: each pass/fail/unknown once, and
/// each `absent-or-skipped` as a `skipped` finding or none.
fn agrees(expect: &[String], got: &[String]) -> bool {
    let mut got: Vec<&str> = got.iter().map(String::as_str).collect();
    for e in expect.iter().filter(|e| *e != "absent-or-skipped") {
        match got.iter().position(|g| g == e) {
            Some(i) => {
                got.remove(i);
            }
            None => return false,
        }
    }
    let absent = expect.iter().filter(|e| *e == "absent-or-skipped").count();
    got.len() <= absent && got.iter().all(|g| *g == "skipped")
}

fn known_gap(case: &str, address: &str) -> bool {
    KNOWN_GAPS
        .iter()
        .chain(UNFILED)
        .any(|(c, a, _, _)| *c == case && *a == address)
}

#[test]
fn every_case_folder_is_complete() {
    let cases = cases();
    assert!(
        cases.len() >= 25,
        "issue 11 asks for at least 25 real cases, found {}",
        cases.len()
    );
    let mut missing = Vec::new();
    for case in &cases {
        for file in ["case.json", "plan.json", "truth.json", "README.md"] {
            if !case.join(file).is_file() {
                missing.push(format!("{}/{file}", name(case)));
            }
        }
        let has_tf = std::fs::read_dir(case)
            .unwrap()
            .any(|e| e.unwrap().path().extension().is_some_and(|x| x == "tf"));
        if !has_tf {
            missing.push(format!("{}/*.tf", name(case)));
        }
    }
    assert!(
        missing.is_empty(),
        "run scripts/real-plans.sh: missing {missing:?}"
    );
    let index = std::fs::read_to_string(real().join("README.md")).unwrap();
    for case in &cases {
        assert!(
            index.contains(&format!("- `{}/`: ", name(case))),
            "testdata/real/README.md has no line for {}",
            name(case)
        );
    }
}

#[test]
fn plans_were_written_by_terraform() {
    for case in cases() {
        let plan = read_json(&case.join("plan.json"));
        assert_eq!(plan["terraform_version"], "1.11.4", "{}", name(&case));
        assert_eq!(
            plan["timestamp"],
            "1970-01-01T00:00:00Z",
            "{}: the script normalises the timestamp",
            name(&case)
        );
        let truth = read_json(&case.join("truth.json"));
        assert_eq!(truth["case"], name(&case).as_str());
        // The ground truth is what the case's author intended (case.json), not only what the
        // double happened to do.
        let intended = read_json(&case.join("case.json"))["intended"].clone();
        let ended: serde_json::Map<String, Value> = truth["functions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                let key = match f["deposed"].as_str() {
                    Some(d) => format!("{} (deposed {d})", f["address"].as_str().unwrap()),
                    None => f["address"].as_str().unwrap().to_owned(),
                };
                (key, f["final"].clone())
            })
            .collect();
        assert_eq!(
            Value::Object(ended),
            intended,
            "{}: truth.json against case.json's intended",
            name(&case)
        );
        let functions = truth["functions"].as_array().unwrap();
        assert!(!functions.is_empty(), "{}: no function", name(&case));
        for f in functions {
            let expect = f["expect"].as_str().unwrap();
            assert!(
                ["pass", "fail", "unknown", "absent-or-skipped"].contains(&expect),
                "{}: {f}",
                name(&case)
            );
            if let Value::Object(w) = &f["without_sources"] {
                assert!(
                    w["reason"].is_string(),
                    "{}: {f} needs a reason",
                    name(&case)
                );
            }
            if f["plan_can_know"] == false {
                assert!(
                    f["reason"].is_string(),
                    "{}: {f} needs a reason",
                    name(&case)
                );
            } else {
                // Where the plan can know, the expectation is the apply's outcome itself.
                let from_final = match f["final"].as_str().unwrap() {
                    "Active" => "pass",
                    // CreateFunction with Active tracing refused on the role's X-Ray permission
                    // (issue 15): rule 1 judges the mode the plan asks for. Rule 2's expectation
                    // is `xray_permission`, which this test does not read yet.
                    "refused" => "pass",
                    "PassThrough" => "fail",
                    _ => "absent-or-skipped",
                };
                assert_eq!(expect, from_final, "{}: {f}", name(&case));
            }
        }
    }
}

#[test]
fn verdicts_match_the_ground_truth() {
    let mut wrong = Vec::new();
    let mut gaps_seen = Vec::new();
    for case in cases() {
        let case_name = name(&case);
        let truth = read_json(&case.join("truth.json"));
        for with_sources in [false, true] {
            let expect = expected(&truth, with_sources);
            let got = judge(&case, with_sources);
            for (address, want) in &expect {
                let have = got.get(address).cloned().unwrap_or_default();
                let ok = agrees(want, &have);
                if known_gap(&case_name, address) {
                    if ok {
                        wrong.push(format!(
                            "{case_name} {address} (source root: {with_sources}): listed in KNOWN_GAPS but \
                             now agrees with the truth ({want:?}): remove the entry"
                        ));
                    }
                    gaps_seen.push((case_name.clone(), address.clone()));
                } else if !ok {
                    wrong.push(format!(
                        "{case_name} {address} (source root: {with_sources}): expected {want:?}, got {have:?}"
                    ));
                }
            }
            // A finding for a function that the truth does not know is wrong too.
            for address in got.keys().filter(|a| !expect.contains_key(*a)) {
                wrong.push(format!(
                    "{case_name} {address} (source root: {with_sources}): a finding for a function \
                     the ground truth does not have"
                ));
            }
        }
    }
    for (case, address, _, _) in KNOWN_GAPS.iter().chain(UNFILED) {
        assert!(
            gaps_seen.iter().any(|(c, a)| c == case && a == address),
            "KNOWN_GAPS names {case} {address}, which no truth.json has"
        );
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The X-Ray permission rule against what the double's fake account did: every function whose
/// truth records `xray_permission` gets that verdict (`warning` is the `warn` verdict), with and
/// without the sources, and its fix names both settings where the tracing rule fails too.
#[test]
fn xray_permission_verdicts_match_the_ground_truth() {
    let mut checked = 0;
    let mut wrong = Vec::new();
    for case in cases() {
        let truth = read_json(&case.join("truth.json"));
        let wanted: Vec<(&str, &Value)> = truth["functions"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|f| Some((f["address"].as_str()?, f.get("xray_permission")?)))
            .collect();
        if wanted.is_empty() {
            continue;
        }
        for with_sources in [false, true] {
            let mut command = Command::new(env!("CARGO_BIN_EXE_tracegate"));
            command
                .arg("check")
                .arg(case.join("plan.json"))
                .args(["--format", "json"])
                .current_dir(root())
                .stdin(Stdio::null());
            if with_sources {
                command.arg("--source-root").arg(source_root(&case));
            }
            let output = command.output().expect("the binary runs");
            let report: Value = serde_json::from_slice(&output.stdout).expect("a JSON report");
            let findings = report["plans"][0]["findings"].as_array().unwrap();
            for (address, permission) in &wanted {
                checked += 1;
                let expect = match permission["expect"].as_str().unwrap() {
                    "warning" => "warn",
                    other => other,
                };
                let found = findings
                    .iter()
                    .find(|f| f["address"] == *address && f["rule"] == "TG.LAMBDA.XRAY.PERMISSION");
                let got = found.map_or("none", |f| f["verdict"].as_str().unwrap());
                if got != expect {
                    wrong.push(format!(
                        "{} {address} (sources: {with_sources}): expected {expect}, got {got}: {}",
                        name(&case),
                        found.map_or(String::new(), |f| f["evidence"].to_string())
                    ));
                }
                if expect == "fail" || expect == "warn" {
                    let fix = found
                        .and_then(|f| f["fix"]["description"].as_str())
                        .unwrap_or("");
                    if fix.is_empty() {
                        wrong.push(format!("{} {address}: no fix", name(&case)));
                    }
                }
            }
        }
    }
    assert!(checked >= 22, "only {checked} permission truths checked");
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
