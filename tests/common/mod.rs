//! Helpers shared by the CLI tests: run the real binary from the repository root.
#![allow(dead_code)]

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

/// address → verdict of the first plan of a JSON report.
pub fn verdicts_of(report: &Value) -> BTreeMap<String, String> {
    report["plans"][0]["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["address"].as_str().unwrap().to_owned(),
                f["verdict"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// address → verdict for the single plan of a run.
pub fn verdicts(args: &[&str]) -> (i32, BTreeMap<String, String>) {
    let (code, report) = json_report(args);
    let findings = report["plans"][0]["findings"].as_array().expect("findings");
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

/// The scenario plans under testdata/ that judge without sources: the one shared fixture set.
pub const SCENARIOS: &[&str] = &[
    "active",
    "awscc",
    "count-for-each",
    "data-source",
    "delete",
    "deposed",
    "hostile-names",
    "mode-unknown",
    "nested-module",
    "no-op",
    "omitted-empty",
    "omitted-unknown",
    "opentofu-forget",
    "passthrough",
    "replace",
    "sensitive",
    "state",
    "update-keeps-active",
    "variable",
    "wrapper-debug",
    "format-1.3",
];
