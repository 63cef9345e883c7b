//! `tracegate fix`: golden files for every kind of fix site (`testdata/fix/<kind>/`: `fix.json`
//! names the sources and plan (a real-Terraform case) and the arguments; `after/` holds the
//! files as the fix leaves them, `diff.patch` what `--diff` prints, `report.txt` what `fix`
//! reports), idempotence, `--check`, and the refusals (symlinks, CRLF kept, no sources).
//! `TRACEGATE_FIX_GOLDEN=update cargo test --test fix` rewrites the golden files (review the
//! diff).

mod common;
use common::{command, run_with};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn root() -> &'static Path {
    common::root()
}

/// A fresh directory outside any repository, so that report paths are relative to it
/// (`common::scratch` is under the target directory, inside this repository); removed when the
/// test is over, passed or not. One directory per test and process, with no shared parent, so
/// that one test's removal never races another's creation.
fn scratch(name: &str) -> Scratch {
    let dir =
        std::env::temp_dir().join(format!("tracegate-fix-tests-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    Scratch(dir)
}

struct Scratch(PathBuf);

impl std::ops::Deref for Scratch {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl AsRef<Path> for Scratch {
    fn as_ref(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// What a golden case's sources are made of: files not written by the tests or the script.
fn is_source(name: &str) -> bool {
    !matches!(
        name,
        "after" | "diff.patch" | "report.txt" | "fix.json" | "README.md" | "truth.json"
    ) && !name.starts_with("before")
}

fn copy_tree(from: &Path, to: &Path, keep: &dyn Fn(&str) -> bool) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        if !keep(&name) {
            continue;
        }
        let target = to.join(&name);
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target, &|_| true);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A case's sources laid out as `terraform init` leaves them (registry modules in
/// `.terraform/modules`, as tests/real_terraform.rs does), in a scratch directory.
pub fn lay_out(case: &Path, dest: &Path) {
    copy_tree(case, dest, &|name| {
        is_source(name) && name != "modules.json"
    });
    let record = case.join("modules.json");
    if !record.exists() {
        return;
    }
    let modules = dest.join(".terraform/modules");
    std::fs::create_dir_all(&modules).unwrap();
    std::fs::copy(&record, modules.join("modules.json")).unwrap();
    let spec: Value =
        serde_json::from_slice(&std::fs::read(case.join("case.json")).unwrap()).unwrap();
    for (key, vendored) in spec["registry_modules"].as_object().unwrap() {
        copy_tree(
            &root()
                .join("testdata/real/_vendor")
                .join(vendored.as_str().unwrap()),
            &modules.join(key),
            &|name| name != "LICENSE" && name != "ORIGIN.md",
        );
    }
}

fn fix(dir: &Path, args: &[&str]) -> common::Outcome {
    let mut command = command(&["fix", "plan.json", "--source-root", "."]);
    command.args(args).current_dir(dir);
    run_with(command, None)
}

/// `tracegate check plan.json --source-root . [--format FORMAT]` in `dir`.
fn check_in(dir: &Path, format: Option<&str>) -> common::Outcome {
    let mut command = command(&["check", "plan.json", "--source-root", "."]);
    command.args(format.map(|f| ["--format", f]).into_iter().flatten());
    command.current_dir(dir);
    run_with(command, None)
}

/// Every suggestion of an rdjson report.
fn suggestions(report: &Value) -> Vec<Value> {
    report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|d| d["suggestions"].as_array().cloned().unwrap_or_default())
        .collect()
}

/// Every file under `dir` except `.terraform/`, as (relative path, bytes).
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let entry = entry.unwrap();
            let path = entry.path();
            if entry.file_name() == ".terraform" {
                continue;
            }
            if entry.file_type().unwrap().is_dir() {
                walk(base, &path, out);
            } else {
                let relative = path
                    .strip_prefix(base)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                out.push((relative, std::fs::read(&path).unwrap()));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

fn updating() -> bool {
    std::env::var("TRACEGATE_FIX_GOLDEN").is_ok_and(|v| v == "update")
}

fn golden(path: &Path, actual: &str) {
    if updating() {
        std::fs::write(path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (TRACEGATE_FIX_GOLDEN=update writes it)",
            path.display()
        )
    });
    assert_eq!(actual, expected, "{} differs", path.display());
}

fn kinds() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(root().join("testdata/fix"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("fix.json").exists())
        .collect();
    out.sort();
    out
}

#[test]
fn every_fix_site_kind_matches_its_golden_files_and_a_second_run_changes_nothing() {
    let kinds = kinds();
    assert!(kinds.len() >= 15, "{} kinds", kinds.len());
    for kind in kinds {
        let name = kind.file_name().unwrap().to_string_lossy().into_owned();
        let spec: Value =
            serde_json::from_slice(&std::fs::read(kind.join("fix.json")).unwrap()).unwrap();
        let sources = match spec["sources"].as_str() {
            Some(relative) => root().join(relative),
            None => kind.clone(),
        };
        let args: Vec<&str> = spec["args"]
            .as_array()
            .map(|a| a.iter().map(|v| v.as_str().unwrap()).collect())
            .unwrap_or_default();
        let dir = scratch(&name);
        lay_out(&sources, &dir);
        let before = files(&dir);

        let diff = fix(&dir, &[&args[..], &["--diff", "--color", "never"]].concat());
        assert_eq!(diff.code, 0, "{name}: {}", diff.stderr);
        golden(&kind.join("diff.patch"), &diff.stdout);
        assert_eq!(files(&dir), before, "{name}: --diff changed a file");

        let check = fix(
            &dir,
            &[&args[..], &["--check", "--color", "never"]].concat(),
        );
        let changes = !diff.stdout.is_empty();
        // The summary line ends with "…, N not fixed".
        let refused = !diff.stderr.trim_end().ends_with(", 0 not fixed");
        assert_eq!(
            check.code,
            i32::from(changes || refused),
            "{name}: --check: {}",
            check.stdout
        );
        assert_eq!(files(&dir), before, "{name}: --check changed a file");

        let applied = fix(&dir, &[&args[..], &["--color", "never"]].concat());
        assert_eq!(applied.code, 0, "{name}: {}", applied.stderr);
        golden(&kind.join("report.txt"), &applied.stdout);
        let after = files(&dir);
        let changed: Vec<&(String, Vec<u8>)> =
            after.iter().filter(|file| !before.contains(file)).collect();
        let after_dir = kind.join("after");
        if updating() {
            let _ = std::fs::remove_dir_all(&after_dir);
            for (path, bytes) in &changed {
                let target = after_dir.join(path);
                std::fs::create_dir_all(target.parent().unwrap()).unwrap();
                std::fs::write(target, bytes).unwrap();
            }
        } else {
            let expected = if after_dir.exists() {
                files(&after_dir)
            } else {
                Vec::new()
            };
            let changed: Vec<(String, Vec<u8>)> = changed.into_iter().cloned().collect();
            assert_eq!(
                changed, expected,
                "{name}: the files fix changed differ from after/"
            );
        }
        assert_eq!(
            changes,
            after != before,
            "{name}: --diff and the files disagree"
        );

        // A second run with the same plan: every edit is in place, nothing changes.
        let again = fix(&dir, &[&args[..], &["--color", "never"]].concat());
        assert_eq!(again.code, 0, "{name}: {}", again.stderr);
        assert_eq!(files(&dir), after, "{name}: the second run changed a file");
        assert!(
            again.stdout.contains("applied 0 fixes in 0 files"),
            "{name}: {}",
            again.stdout
        );
        // With the same (now stale) plan, nothing would change; --check still fails while a
        // failing function is left unfixed (a new plan is what shows the fix worked).
        let recheck = fix(&dir, &[&args[..], &["--check"]].concat());
        assert!(
            recheck.stdout.contains("would apply 0 fixes in 0 files"),
            "{name}: {}",
            recheck.stdout
        );
        assert_eq!(
            recheck.code,
            i32::from(!recheck.stdout.trim_end().ends_with(", 0 not fixed")),
            "{name}: --check after the fix: {}",
            recheck.stdout
        );
    }
}

/// A `.tf` that is a symlink (a pull request can commit one pointing anywhere) is read through
/// by the sources, as Terraform does, but never written through.
#[test]
fn a_symlinked_tf_file_is_not_written_through() {
    let dir = scratch("symlink");
    lay_out(&root().join("testdata/real/root-literals"), &dir);
    std::fs::rename(dir.join("main.tf"), dir.join("target.hcl")).unwrap();
    std::os::unix::fs::symlink("target.hcl", dir.join("main.tf")).unwrap();
    let before = std::fs::read(dir.join("target.hcl")).unwrap();
    let out = fix(&dir, &["--color", "never"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout
            .contains("why: main.tf is a symlink: tracegate does not write through one"),
        "{}",
        out.stdout
    );
    assert!(out
        .stdout
        .contains("applied 0 fixes in 0 files, 0 already in place, 2 not fixed"));
    assert_eq!(std::fs::read(dir.join("target.hcl")).unwrap(), before);
    assert!(std::fs::symlink_metadata(dir.join("main.tf"))
        .unwrap()
        .file_type()
        .is_symlink());
}

/// CRLF line ends stay CRLF, in the lines changed and those inserted; permissions are kept.
#[test]
fn crlf_and_permissions_are_kept() {
    use std::os::unix::fs::PermissionsExt;
    let dir = scratch("crlf");
    lay_out(&root().join("testdata/real/root-literals"), &dir);
    let text = std::fs::read_to_string(dir.join("main.tf")).unwrap();
    std::fs::write(dir.join("main.tf"), text.replace('\n', "\r\n")).unwrap();
    std::fs::set_permissions(dir.join("main.tf"), std::fs::Permissions::from_mode(0o640)).unwrap();
    let out = fix(&dir, &["--color", "never"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let fixed = std::fs::read_to_string(dir.join("main.tf")).unwrap();
    assert!(
        fixed.contains("    mode = \"Active\"\r\n  }\r\n}\r\n"),
        "{fixed:?}"
    );
    assert!(!fixed.contains("PassThrough"));
    assert_eq!(fixed.matches('\n').count(), fixed.matches("\r\n").count());
    assert_eq!(
        std::fs::metadata(dir.join("main.tf"))
            .unwrap()
            .permissions()
            .mode()
            & 0o777,
        0o640
    );
    // No temporary file is left beside it.
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names.iter().all(|n| !n.contains(".tracegate-fix-")),
        "{names:?}"
    );
}

#[test]
fn fix_without_sources_or_with_an_unreadable_plan_is_an_input_error() {
    let dir = scratch("no-sources");
    std::fs::copy(
        root().join("testdata/real/root-literals/plan.json"),
        dir.join("plan.json"),
    )
    .unwrap();
    let out = fix(&dir, &[]);
    assert_eq!(out.code, 2, "{}", out.stdout);
    assert!(
        out.stderr
            .contains("tracegate fix needs the Terraform sources: pass --source-root DIR"),
        "{}",
        out.stderr
    );
    lay_out(&root().join("testdata/real/root-literals"), &dir);
    std::fs::write(dir.join("plan.json"), "{").unwrap();
    let before = files(&dir);
    let out = fix(&dir, &[]);
    assert_eq!(out.code, 2, "{}", out.stdout);
    assert!(out.stderr.contains("nothing was changed"), "{}", out.stderr);
    assert_eq!(files(&dir), before);
}

/// The acceptance criterion's CI use: `--check` fails while a fix would change something.
#[test]
fn check_exits_one_until_the_fix_is_applied() {
    let dir = scratch("check");
    lay_out(&root().join("testdata/real/variable-tfvars"), &dir);
    assert_eq!(fix(&dir, &["--check"]).code, 1);
    assert_eq!(fix(&dir, &[]).code, 0);
    // The plan is now older than the files: no file would change, but the plan's failing
    // function is not shown fixed (its tfvars value differs from the plan's), so --check fails
    // until a new plan is judged.
    let recheck = fix(&dir, &["--check"]);
    assert_eq!(recheck.code, 1, "{}", recheck.stdout);
    assert!(
        recheck
            .stdout
            .contains("would apply 0 fixes in 0 files, 0 already in place, 1 not fixed"),
        "{}",
        recheck.stdout
    );
    // A plan that passes has nothing to fix.
    let passing = scratch("check-pass");
    lay_out(&root().join("testdata/real/module-active"), &passing);
    let out = fix(&passing, &["--check"]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert!(out
        .stdout
        .contains("would apply 0 fixes in 0 files, 0 already in place, 0 not fixed"));
}

fn rdjson_validator() -> common::schema::Schema {
    common::schema::Schema::load("testdata/schemas/reviewdog-rdf/DiagnosticResult.json")
}

/// `--format rdjson`: valid against reviewdog's schema, one diagnostic per failing function,
/// each fix edit as a suggestion reviewdog can post.
#[test]
fn rdjson_is_valid_and_carries_the_fix_as_a_suggestion() {
    let validator = rdjson_validator();
    let dir = scratch("rdjson");
    lay_out(&root().join("testdata/real/root-literals"), &dir);
    let out = check_in(&dir, Some("rdjson"));
    assert_eq!(out.code, 1, "{}", out.stderr);
    let report: Value = serde_json::from_str(&out.stdout).unwrap();
    let errors: Vec<String> = validator.errors(&report);
    assert!(errors.is_empty(), "{errors:?}");
    insta::assert_json_snapshot!(report, {
        ".source.url" => "[repository]",
        ".diagnostics[].source.url" => "[repository]",
    });
    // The schema does reject a broken one (a severity reviewdog does not know).
    let mut broken = report.clone();
    broken["diagnostics"][0]["severity"] = Value::from("FATAL");
    assert!(!validator.errors(&broken).is_empty());
    // Every fixture's rdjson is valid too.
    for folder in common::fixture_folders() {
        let plan = format!("testdata/{folder}/plan.json");
        if !root().join(&plan).exists() {
            continue;
        }
        let out = common::run(&["check", &plan, "--format", "rdjson"]);
        if out.code == 2 {
            continue;
        }
        let report: Value = serde_json::from_str(&out.stdout)
            .unwrap_or_else(|e| panic!("{folder}: {e}: {}", out.stdout));
        let errors: Vec<String> = validator.errors(&report);
        assert!(errors.is_empty(), "{folder}: {errors:?}");
    }
}

fn runs(program: &str, arg: &str) -> bool {
    std::process::Command::new(program)
        .arg(arg)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The proof on real Terraform: for failing real cases, `tracegate fix`, then a fresh `terraform
/// plan` and apply against the provider double (scripts/real-plans.sh on a copy of the case
/// whose `intended` outcome is now Active), and the new plan passes the gate. Needs terraform
/// and python3 (and the double's packages, which the script installs); skipped without them.
#[test]
fn fixed_real_cases_plan_active_with_real_terraform() {
    if !runs("terraform", "version") || !runs("python3", "--version") {
        eprintln!(
            "note: terraform or python3 is not on PATH: the real-Terraform fix proof is skipped"
        );
        return;
    }
    let both: &[&str] = &[
        "--rule",
        "D9.AWS.OPE.07",
        "--rule",
        "TG.LAMBDA.XRAY.PERMISSION",
    ];
    let cases: &[(&str, &[&str])] = &[
        ("root-literals", &[]),
        ("ignore-changes", &[]),
        ("module-passthrough", both),
        ("module-unset", both),
        ("nested-local-modules", &[]),
        ("variable-default", &[]),
        ("variable-tfvars", &[]),
        ("awscc", &[]),
        // The permission fix: an attachment and depends_on; the double refuses CreateFunction
        // and UpdateFunctionConfiguration with Active tracing for a role without X-Ray.
        ("xray-untraced-no-permission", both),
        ("xray-shared-role", both),
    ];
    let base = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("fix-real");
    let _ = std::fs::remove_dir_all(&base);
    let out_dir = base.join("out");
    std::fs::create_dir_all(&out_dir).unwrap();
    let mut paths = Vec::new();
    for (case, args) in cases {
        let real = root().join("testdata/real").join(case);
        let dir = base.join("cases").join(case);
        // The whole case (earlier configurations too), with the layout `fix` reads.
        copy_tree(&real, &dir, &|name| {
            !matches!(name, "README.md" | "truth.json" | "modules.json")
        });
        lay_out(&real, &dir);
        let out = fix(&dir, &[&args[..], &["--color", "never"]].concat());
        assert_eq!(out.code, 0, "{case}: {}{}", out.stdout, out.stderr);
        assert!(
            !out.stdout.contains("applied 0 fixes"),
            "{case}: {}",
            out.stdout
        );
        assert!(
            out.stdout.ends_with("0 not fixed\n"),
            "{case}: {}",
            out.stdout
        );
        // The script installs the registry modules itself; what it must now see is Active.
        std::fs::remove_dir_all(dir.join(".terraform")).ok();
        let spec_path = dir.join("case.json");
        let mut spec: Value = serde_json::from_slice(&std::fs::read(&spec_path).unwrap()).unwrap();
        let spec_object = spec.as_object_mut().unwrap();
        spec_object.remove("fix");
        spec_object.remove("xray");
        // After the fix the apply must succeed.
        spec_object.remove("apply_may_fail");
        for (_, intended) in spec_object["intended"].as_object_mut().unwrap() {
            if intended == "PassThrough" || intended == "refused" {
                *intended = Value::from("Active");
            }
        }
        std::fs::write(&spec_path, serde_json::to_vec_pretty(&spec).unwrap()).unwrap();
        paths.push(dir);
    }
    let status = std::process::Command::new(root().join("scripts/real-plans.sh"))
        .arg("--out")
        .arg(&out_dir)
        .args(&paths)
        .env("REAL_PLANS_JOBS", "2")
        .status()
        .expect("scripts/real-plans.sh runs");
    assert!(
        status.success(),
        "the fixed cases did not all end Active under real Terraform (see the script's output)"
    );
    for ((case, args), dir) in cases.iter().zip(&paths) {
        let plan = out_dir.join(case).join("plan.json");
        let mut check = command(&["check"]);
        check
            .arg(&plan)
            .args(["--source-root", "."])
            .args(*args)
            .current_dir(dir);
        let out = run_with(check, None);
        assert_eq!(
            out.code, 0,
            "{case}: the re-planned fix does not pass:\n{}",
            out.stdout
        );
        assert!(out.stdout.contains("0 fail"), "{case}: {}", out.stdout);
    }
}

/// reviewdog counts columns in UTF-8 bytes (testdata/schemas/reviewdog-rdf/Position.json:
/// "byte count in UTF-8"), tracegate's JSON in characters: on a line with multi-byte
/// characters before the fix site the two differ, and rdjson's suggestion must cover exactly
/// the literal's bytes.
#[test]
fn rdjson_columns_count_bytes_where_json_counts_characters() {
    let dir = scratch("rdjson-bytes");
    lay_out(&root().join("testdata/real/root-literals"), &dir);
    let text = std::fs::read_to_string(dir.join("main.tf")).unwrap();
    let marked = "    /* é𐐀 */ mode = \"PassThrough\"";
    let text = text.replacen("    mode = \"PassThrough\"", marked, 1);
    std::fs::write(dir.join("main.tf"), &text).unwrap();
    let line = text.lines().position(|l| l == marked).unwrap() as u64 + 1;
    let literal = marked.find("\"PassThrough\"").unwrap();
    let byte_start = literal as u64 + 1;
    let byte_end = (literal + "\"PassThrough\"".len()) as u64 + 1;
    let char_start = marked[..literal].chars().count() as u64 + 1;
    assert_eq!(byte_start - char_start, 1 + 3, "é is 2 bytes, 𐐀 is 4");

    let report = |format: &str| -> Value {
        let mut check = command(&[
            "check",
            "plan.json",
            "--source-root",
            ".",
            "--format",
            format,
        ]);
        check.current_dir(&dir);
        let out = run_with(check, None);
        assert_eq!(out.code, 1, "{}", out.stderr);
        serde_json::from_str(&out.stdout).unwrap()
    };
    let rdjson = report("rdjson");
    let ranges: Vec<&Value> = rdjson["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|d| d["suggestions"].as_array().into_iter().flatten())
        .map(|s| &s["range"])
        .filter(|r| r["start"]["line"] == line)
        .collect();
    assert_eq!(ranges.len(), 1, "{rdjson:#}");
    assert_eq!(ranges[0]["start"]["column"], byte_start);
    assert_eq!(ranges[0]["end"]["column"], byte_end);
    assert!(rdjson_validator().errors(&rdjson).is_empty());

    let json = report("json");
    let edit = json["plans"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|f| {
            f["fix"]["edit"]
                .as_object()
                .filter(|e| e["start"]["line"] == line)
        })
        .expect("the edit on the marked line");
    assert_eq!(edit["start"]["column"], char_start);
}

/// The permission fix's edits go together: a role in one file and its function in another
/// both change, and when the function's file may not be written (a symlink) the attachment is
/// not written alone either (nor would a depends_on be, naming an attachment that is not there).
#[test]
fn the_permission_fix_across_two_files_is_applied_whole_or_not_at_all() {
    let both = [
        "--rule",
        "D9.AWS.OPE.07",
        "--rule",
        "TG.LAMBDA.XRAY.PERMISSION",
        "--color",
        "never",
    ];
    let split = |name: &str| {
        let dir = scratch(name);
        lay_out(
            &root().join("testdata/real/xray-untraced-no-permission"),
            &dir,
        );
        let text = std::fs::read_to_string(dir.join("main.tf")).unwrap();
        let at = text.find("# No tracing_config").unwrap();
        std::fs::write(dir.join("main.tf"), &text[..at]).unwrap();
        std::fs::write(dir.join("lambda.tf"), &text[at..]).unwrap();
        dir
    };

    let dir = split("permission-two-files");
    let out = fix(&dir, &both);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout
            .ends_with("applied 3 fixes in 2 files, 0 already in place, 0 not fixed\n"),
        "{}",
        out.stdout
    );
    let iam = std::fs::read_to_string(dir.join("main.tf")).unwrap();
    let lambda = std::fs::read_to_string(dir.join("lambda.tf")).unwrap();
    assert!(
        iam.contains("resource \"aws_iam_role_policy_attachment\" \"fn_xray\" {"),
        "{iam}"
    );
    assert!(
        lambda.contains(
            "aws_iam_role_policy_attachment.logs, aws_iam_role_policy_attachment.fn_xray]"
        ),
        "{lambda}"
    );

    let dir = split("permission-two-files-symlink");
    std::fs::rename(dir.join("lambda.tf"), dir.join("lambda.hcl")).unwrap();
    std::os::unix::fs::symlink("lambda.hcl", dir.join("lambda.tf")).unwrap();
    let before = files(&dir);
    let out = fix(&dir, &both);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(files(&dir), before, "{}", out.stdout);
    assert!(
        out.stdout.contains("why: the other edits of this fix include one in lambda.tf, which is not edited: not applied alone"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .ends_with("applied 0 fixes in 0 files, 0 already in place, 3 not fixed\n"),
        "{}",
        out.stdout
    );
}

/// A case of `testdata/fix-attacks/`: the real case's plan (and modules) with the hostile
/// `main.tf` in place of its own.
fn hostile(case: &str, real: &str) -> Scratch {
    let dir = scratch(&format!("attack-{case}"));
    lay_out(&root().join("testdata/real").join(real), &dir);
    std::fs::copy(
        root()
            .join("testdata/fix-attacks")
            .join(case)
            .join("main.tf"),
        dir.join("main.tf"),
    )
    .unwrap();
    dir
}

/// An insertion goes at the start of the closing brace's line. When the brace shares that line
/// (a block on one line, `*/ }`), the line would land outside the block (a stray top-level block
/// that still parses) or inside a comment (reported fixed, still failing): refused, with the
/// reason, and the other fixes of the file are still made; `--check` fails on the refusal.
#[test]
fn an_insertion_before_a_brace_that_shares_its_line_is_refused() {
    for (case, real, refused) in [
        ("one-line-block", "root-literals", "main.tf:24"),
        ("comment-brace", "root-literals", "main.tf:30"),
        ("module-comment-brace", "module-unset", "main.tf:11"),
    ] {
        let dir = hostile(case, real);
        let before = std::fs::read_to_string(dir.join("main.tf")).unwrap();
        let check = fix(&dir, &["--check", "--color", "never"]);
        assert_eq!(check.code, 1, "{case}: {}", check.stdout);
        let out = fix(&dir, &["--color", "never"]);
        assert_eq!(out.code, 0, "{case}: {}", out.stderr);
        assert!(
            out.stdout.contains(&format!(
                "why: the block's closing brace at {refused} shares its line with other text (a one-line block, a comment)"
            )),
            "{case}: {}",
            out.stdout
        );
        let after = std::fs::read_to_string(dir.join("main.tf")).unwrap();
        // Nothing was inserted: only the literal (if any) changed.
        assert_eq!(
            after,
            before.replacen("mode = \"PassThrough\"", "mode = \"Active\"", 1),
            "{case}: {after}"
        );
        // check shows no suggestion for the refused insertion either.
        let rdjson = check_in(&dir, Some("rdjson"));
        let report: Value = serde_json::from_str(&rdjson.stdout).unwrap();
        let insertions = suggestions(&report)
            .iter()
            .filter(|s| s["range"]["start"] == s["range"]["end"])
            .count();
        assert_eq!(insertions, 0, "{case}: {report:#}");
    }
}

/// `fix --check` is a CI gate too: a failing function whose fix tracegate refuses (a computed
/// mode) fails it, so a pull request cannot pass it by making every fix site a refused one.
#[test]
fn check_fails_while_a_failing_function_is_left_unfixed() {
    let dir = scratch("check-refused");
    lay_out(&root().join("testdata/real/function-calls"), &dir);
    let verdict = check_in(&dir, None);
    assert_eq!(verdict.code, 1, "{}", verdict.stdout);
    let out = fix(&dir, &["--check", "--color", "never"]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(
        out.stdout.contains("would apply 0 fixes in 0 files"),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains(", 0 not fixed"), "{}", out.stdout);
}

/// reviewdog counts columns in UTF-8 bytes: with multi-byte characters before the literal on
/// its line, the suggestion's range still covers exactly the literal it replaces.
#[test]
fn rdjson_suggestions_count_bytes_on_lines_with_multibyte_characters() {
    let dir = hostile("multibyte", "root-literals");
    let out = check_in(&dir, Some("rdjson"));
    let report: Value = serde_json::from_str(&out.stdout).unwrap();
    assert!(rdjson_validator().errors(&report).is_empty());
    let text = std::fs::read(dir.join("main.tf")).unwrap();
    let lines: Vec<&[u8]> = text.split(|b| *b == b'\n').collect();
    let replaced: Vec<String> = suggestions(&report)
        .into_iter()
        .filter(|s| s["range"]["start"] != s["range"]["end"])
        .map(|s| {
            let (start, end) = (&s["range"]["start"], &s["range"]["end"]);
            assert_eq!(start["line"], end["line"]);
            let line = lines[start["line"].as_u64().unwrap() as usize - 1];
            let from = start["column"].as_u64().unwrap() as usize - 1;
            let to = end["column"].as_u64().unwrap() as usize - 1;
            String::from_utf8(line[from..to].to_vec()).unwrap()
        })
        .collect();
    assert_eq!(replaced, ["\"PassThrough\""]);
    // fix itself (character columns) edits the same text.
    assert_eq!(fix(&dir, &[]).code, 0);
    let fixed = std::fs::read_to_string(dir.join("main.tf")).unwrap();
    assert!(
        fixed.contains("\t\t/* é日本 */ mode = \"Active\" # ü\n"),
        "{fixed}"
    );
}

/// A hard link is a regular file inside the root: fix writes a new file and renames it over
/// the link, so the file outside the root it shared its data with is not changed.
#[test]
fn a_hard_link_is_replaced_not_written_through() {
    use std::os::unix::fs::MetadataExt;
    let dir = scratch("hardlink");
    lay_out(&root().join("testdata/real/root-literals"), &dir);
    let outside_dir = scratch("hardlink-outside");
    let outside = outside_dir.join("main.tf");
    std::fs::rename(dir.join("main.tf"), &outside).unwrap();
    std::fs::hard_link(&outside, dir.join("main.tf")).unwrap();
    let before = std::fs::read(&outside).unwrap();
    let out = fix(&dir, &["--color", "never"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains("applied 2 fixes in 1 file"),
        "{}",
        out.stdout
    );
    assert_eq!(std::fs::read(&outside).unwrap(), before);
    let fixed = std::fs::metadata(dir.join("main.tf")).unwrap();
    assert_ne!(fixed.ino(), std::fs::metadata(&outside).unwrap().ino());
    assert_eq!(std::fs::metadata(&outside).unwrap().nlink(), 1);
}

/// reviewdog decides the CI step in the documented workflow (`-fail-level=error`): a failing
/// function with no place in the files (a plan read from stdin) is still a diagnostic, against
/// the input, not left out.
#[test]
fn rdjson_reports_a_failure_without_a_location_against_the_plan() {
    let plan = std::fs::read(root().join("testdata/real/root-literals/plan.json")).unwrap();
    let out = run_with(command(&["check", "-", "--format", "rdjson"]), Some(&plan));
    assert_eq!(out.code, 1, "{}", out.stderr);
    let report: Value = serde_json::from_str(&out.stdout).unwrap();
    assert!(rdjson_validator().errors(&report).is_empty());
    let errors: Vec<&Value> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["severity"] == "ERROR")
        .collect();
    assert_eq!(errors.len(), 2, "{report:#}");
    assert!(errors
        .iter()
        .all(|d| d["location"]["path"] == "<stdin>" && d.get("suggestions").is_none()));
}

/// A file name that is not UTF-8 is shown with U+FFFD: a decoy named with a real U+FFFD would
/// be the file the shown path opens, and would get the edits computed for the other one.
#[test]
fn a_name_that_is_not_utf8_is_not_edited_nor_its_decoy() {
    use std::os::unix::ffi::OsStrExt;
    let dir = scratch("not-utf8-name");
    lay_out(&root().join("testdata/real/root-literals"), &dir);
    let text = std::fs::read_to_string(dir.join("main.tf")).unwrap();
    std::fs::remove_file(dir.join("main.tf")).unwrap();
    let judged = dir.join(std::ffi::OsStr::from_bytes(b"m\xff.tf"));
    std::fs::write(&judged, &text).unwrap();
    let decoy = dir.join("m\u{fffd}.tf");
    let decoy_text = text
        .replace("aws_lambda_function", "aws_other")
        .replace("mode = \"PassThrough\"", "name = \"PassThrough\"");
    std::fs::write(&decoy, &decoy_text).unwrap();
    let out = fix(&dir, &["--color", "never"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout
            .contains("has a name that is not UTF-8 (shown with U+FFFD)"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("applied 0 fixes in 0 files"),
        "{}",
        out.stdout
    );
    assert_eq!(std::fs::read_to_string(&decoy).unwrap(), decoy_text);
    assert_eq!(std::fs::read_to_string(&judged).unwrap(), text);
}

/// reviewdog posts an rdjson message as Markdown on the pull request: an address from the plan
/// cannot bring HTML, a link or a terminal escape into the comment.
#[test]
fn rdjson_messages_escape_markdown_and_html() {
    let out = common::run(&[
        "check",
        "testdata/hostile-names/plan.json",
        "--format",
        "rdjson",
    ]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let report: Value = serde_json::from_str(&out.stdout).unwrap();
    assert!(rdjson_validator().errors(&report).is_empty());
    let messages: Vec<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["message"].as_str().unwrap())
        .collect();
    assert!(!messages.is_empty());
    for message in messages {
        assert!(message.contains("&lt;b&gt;"), "{message}");
        assert!(
            !message.contains("<b>") && !message.contains('\u{1b}'),
            "{message}"
        );
        assert!(message.contains("\\[\"evil"), "{message}");
    }
}
