//! Helpers shared by the CLI tests: run the real binary from the repository root.
#![allow(dead_code)]

pub mod schema;

use serde_json::Value;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub struct Outcome {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

pub fn command(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tracegate"));
    command
        .args(args)
        .current_dir(root())
        .env_remove("NO_COLOR")
        .env_remove("FORCE_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("COLUMNS")
        .env_remove("GITHUB_ACTIONS");
    command
}

pub fn run_with(mut command: Command, stdin: Option<&[u8]>) -> Outcome {
    command
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().expect("the binary runs");
    if let Some(input) = stdin {
        let mut pipe = child.stdin.take().unwrap();
        // The binary may stop reading early (a binary plan); a broken pipe is fine then.
        let _ = pipe.write_all(input);
    }
    let output = child.wait_with_output().unwrap();
    Outcome {
        code: output.status.code().expect("exited, not killed"),
        stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
    }
}

pub fn run(args: &[&str]) -> Outcome {
    run_with(command(args), None)
}

pub fn read(path: &str) -> Vec<u8> {
    std::fs::read(root().join(path)).unwrap()
}

/// The JSON report of a run.
pub fn json_report(args: &[&str]) -> (i32, Value) {
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    let outcome = run(&all);
    let report = serde_json::from_str(&outcome.stdout)
        .unwrap_or_else(|e| panic!("JSON report ({e}): {}\n{}", outcome.stdout, outcome.stderr));
    (outcome.code, report)
}

/// The evidence messages of one finding of a JSON report, in order.
pub fn evidence_messages(finding: &Value) -> Vec<&str> {
    finding["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["message"].as_str().unwrap())
        .collect()
}

/// The tracing rule's findings (D9.AWS.OPE.07) of one plan of a JSON report: one per function.
pub fn tracing_findings(report: &Value, plan: usize) -> Vec<&Value> {
    rule_findings(report, plan, TRACING)
}

/// One rule's findings of one plan of a JSON report.
pub fn rule_findings<'r>(report: &'r Value, plan: usize, rule: &str) -> Vec<&'r Value> {
    report["plans"][plan]["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == rule)
        .collect()
}

pub const TRACING: &str = "D9.AWS.OPE.07";
pub const PERMISSION: &str = "TG.LAMBDA.XRAY.PERMISSION";

/// address → tracing verdict of the first plan of a JSON report.
pub fn verdicts_of(report: &Value) -> BTreeMap<String, String> {
    tracing_findings(report, 0)
        .into_iter()
        .map(|f| {
            (
                f["address"].as_str().unwrap().to_owned(),
                f["verdict"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// address → tracing verdict for the single plan of a run.
pub fn verdicts(args: &[&str]) -> (i32, BTreeMap<String, String>) {
    let (code, report) = json_report(args);
    let findings = tracing_findings(&report, 0);
    let mut out = BTreeMap::new();
    for finding in findings {
        let address = finding["address"].as_str().unwrap().to_owned();
        let verdict = finding["verdict"].as_str().unwrap().to_owned();
        // Deposed objects share their address with the current object.
        let key = if out.contains_key(&address) {
            format!("{address} (deposed)")
        } else {
            address
        };
        out.insert(key, verdict);
    }
    (code, out)
}

pub fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(a, v)| (a.to_string(), v.to_string()))
        .collect()
}

/// A fresh empty directory under the target dir.
pub fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// What a fixture folder under `testdata/` is expected to give, so that every folder is
/// accounted for: a new folder without an entry here fails `tests/fixtures.rs`.
#[derive(Debug, Clone, Copy)]
pub enum Expect {
    /// `plan.json` judged (with `--source-root` the folder itself when it holds `.tf` files):
    /// the exit code and the verdict counts fail, unknown, pass, skipped.
    Judged { exit: i32, counts: [usize; 4] },
    /// Not a scenario plan: data that the named test reads.
    Data(&'static str),
}

use Expect::{Data, Judged};

#[rustfmt::skip]
pub const FIXTURES: &[(&str, Expect)] = &[
    ("active", Judged { exit: 0, counts: [0, 0, 1, 0] }),
    ("awscc", Judged { exit: 1, counts: [2, 0, 1, 0] }),
    ("awscc-empty-object", Judged { exit: 1, counts: [2, 1, 0, 0] }),
    ("bad", Data("tests/bad_input.rs")),
    ("bad-format-2.0", Judged { exit: 2, counts: [0, 0, 0, 0] }),
    ("binary-plan", Data("tests/bad_input.rs, tests/sources.rs")),
    ("corpus", Data("tests/corpus.rs")),
    ("count-for-each", Judged { exit: 1, counts: [2, 0, 3, 0] }),
    ("data-source", Judged { exit: 0, counts: [0, 0, 1, 0] }),
    ("deferred", Judged { exit: 1, counts: [1, 1, 2, 0] }),
    ("delete", Judged { exit: 0, counts: [0, 0, 0, 1] }),
    ("deposed", Judged { exit: 0, counts: [0, 0, 1, 1] }),
    ("deposed-kept", Judged { exit: 1, counts: [1, 0, 1, 0] }),
    ("envelopes", Data("testdata/generate.py: real Terraform envelopes of the scope scenarios")),
    ("errored", Judged { exit: 2, counts: [0, 0, 1, 0] }),
    ("escape", Data("tests/sources.rs, tests/reports.rs")),
    ("fix", Data("tests/fix.rs")),
    ("foreign-ignores", Judged { exit: 1, counts: [8, 0, 0, 3] }),
    ("config", Judged { exit: 1, counts: [2, 1, 0, 0] }),
    ("fix-attacks", Data("tests/fix.rs")),
    ("format-1.0", Judged { exit: 0, counts: [0, 0, 1, 0] }),
    ("format-1.1", Judged { exit: 0, counts: [0, 0, 1, 0] }),
    ("format-1.2", Judged { exit: 0, counts: [0, 0, 1, 0] }),
    ("format-1.3", Judged { exit: 0, counts: [0, 0, 1, 0] }),
    ("hostile-names", Judged { exit: 1, counts: [1, 0, 0, 0] }),
    ("json-overrides", Judged { exit: 1, counts: [1, 0, 1, 0] }),
    ("mode-unknown", Judged { exit: 0, counts: [0, 1, 0, 0] }),
    ("nested-module", Judged { exit: 1, counts: [2, 0, 1, 0] }),
    ("no-op", Judged { exit: 1, counts: [1, 0, 1, 0] }),
    ("odd-shapes", Judged { exit: 1, counts: [2, 5, 0, 0] }),
    ("omitted-empty", Judged { exit: 1, counts: [1, 0, 0, 0] }),
    ("omitted-unknown", Judged { exit: 1, counts: [1, 0, 0, 0] }),
    ("opentofu-forget", Judged { exit: 1, counts: [1, 0, 0, 1] }),
    ("passthrough", Judged { exit: 1, counts: [1, 0, 0, 0] }),
    ("plan-attacks", Data("tests/scope.rs")),
    ("plan-path-duplicate", Data("tests/scope.rs")),
    ("real", Data("tests/real_terraform.rs")),
    ("xray-attacks", Data("tests/xray_attacks.rs")),
    ("refresh-only", Judged { exit: 1, counts: [1, 0, 1, 0] }),
    ("replace", Judged { exit: 1, counts: [1, 0, 1, 0] }),
    ("schemas", Data("tests/reports.rs")),
    ("sensitive", Judged { exit: 1, counts: [1, 0, 0, 0] }),
    ("source-attacks", Data("tests/source_truth.rs")),
    ("sources", Judged { exit: 1, counts: [9, 0, 1, 0] }),
    ("state", Judged { exit: 1, counts: [1, 0, 1, 0] }),
    ("suppressions", Judged { exit: 1, counts: [2, 0, 0, 4] }),
    ("targeted", Judged { exit: 1, counts: [1, 0, 1, 0] }),
    ("targeted-opentofu", Judged { exit: 1, counts: [1, 0, 1, 0] }),
    ("terraform-envelope", Judged { exit: 0, counts: [0, 0, 0, 0] }),
    ("update-keeps-active", Judged { exit: 0, counts: [0, 0, 1, 0] }),
    ("variable", Judged { exit: 1, counts: [1, 0, 0, 0] }),
    ("wrapper-debug", Judged { exit: 0, counts: [0, 0, 1, 0] }),
];

/// The fixture folders under `testdata/`, found on disk.
pub fn fixture_folders() -> Vec<String> {
    let mut folders: Vec<String> = std::fs::read_dir(root().join("testdata"))
        .unwrap()
        .map(|entry| entry.unwrap())
        .filter(|entry| entry.file_type().unwrap().is_dir())
        .map(|entry| entry.file_name().into_string().unwrap())
        .collect();
    folders.sort();
    folders
}

/// Whether a fixture folder holds Terraform sources (it is then judged with `--source-root`).
pub fn has_sources(folder: &str) -> bool {
    std::fs::read_dir(root().join("testdata").join(folder))
        .unwrap()
        .any(|e| e.unwrap().path().extension().is_some_and(|x| x == "tf"))
}

/// The scenario plans under testdata/ that judge cleanly without sources: the one shared fixture
/// set of the snapshot and report tests, found on disk.
pub fn scenarios() -> Vec<String> {
    fixture_folders()
        .into_iter()
        .filter(|folder| {
            let expected = FIXTURES.iter().find(|(name, _)| name == folder);
            // Plans that judge functions (an errored plan does, with exit 2); not unreadable ones.
            let judged = matches!(expected, Some((_, Judged { exit, counts }))
                if *exit != 2 || counts.iter().sum::<usize>() > 0);
            judged && !has_sources(folder)
        })
        .collect()
}
