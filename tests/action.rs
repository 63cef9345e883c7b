//! The shipping pieces: the action's install script against a fake release (good and bad
//! checksums, the tool cache), its run script's outputs, completions and man pages.

mod common;
use common::{run, scratch};
use std::path::Path;
use std::process::Command;

#[cfg(unix)]
fn fake_release(dir: &Path, version: &str, target: &str, corrupt: bool) {
    let release = dir.join(version);
    let staging = dir
        .join("staging")
        .join(format!("tracegate-{version}-{target}"));
    std::fs::create_dir_all(&release).unwrap();
    std::fs::create_dir_all(&staging).unwrap();
    std::fs::copy(env!("CARGO_BIN_EXE_tracegate"), staging.join("tracegate")).unwrap();
    let archive = format!("tracegate-{version}-{target}.tar.gz");
    let status = Command::new("tar")
        .args(["-czf"])
        .arg(release.join(&archive))
        .arg("-C")
        .arg(staging.parent().unwrap())
        .arg(staging.file_name().unwrap())
        .status()
        .unwrap();
    assert!(status.success());
    let output = Command::new("sha256sum")
        .arg(release.join(&archive))
        .output()
        .unwrap();
    let mut sum = String::from_utf8(output.stdout)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();
    if corrupt {
        sum = sum.replace(&sum[..1], if &sum[..1] == "0" { "1" } else { "0" });
    }
    std::fs::write(release.join("SHA256SUMS"), format!("{sum}  {archive}\n")).unwrap();
}

#[cfg(unix)]
fn install(dir: &Path, cache: &Path) -> (std::process::Output, String) {
    let github_path = dir.join("github_path");
    let output = Command::new("bash")
        .arg(common::root().join("scripts/install.sh"))
        .env("TRACEGATE_VERSION", "v9.9.9")
        .env(
            "TRACEGATE_RELEASE_BASE",
            format!("file://{}", dir.join("releases").display()),
        )
        .env("RUNNER_OS", "Linux")
        .env("RUNNER_ARCH", "X64")
        .env("RUNNER_TOOL_CACHE", cache)
        .env("RUNNER_TEMP", dir)
        .env("GITHUB_PATH", &github_path)
        .output()
        .unwrap();
    let path = std::fs::read_to_string(github_path).unwrap_or_default();
    (output, path)
}

#[cfg(unix)]
#[test]
fn install_verifies_the_checksum_and_uses_the_tool_cache() {
    let dir = scratch("action-install-good");
    fake_release(
        &dir.join("releases"),
        "v9.9.9",
        "x86_64-unknown-linux-musl",
        false,
    );
    let cache = dir.join("cache");
    let (output, path) = install(&dir, &cache);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let bin = cache.join("tracegate/v9.9.9/x86_64-unknown-linux-musl/tracegate");
    assert!(bin.exists());
    assert_eq!(path.trim(), bin.parent().unwrap().to_str().unwrap());
    let version = Command::new(&bin).arg("--version").output().unwrap();
    assert!(String::from_utf8(version.stdout)
        .unwrap()
        .starts_with("tracegate "));
    // A second run finds it in the cache, without downloading.
    std::fs::remove_dir_all(dir.join("releases")).unwrap();
    let (output, _) = install(&dir, &cache);
    assert!(output.status.success());
    assert!(String::from_utf8_lossy(&output.stdout).contains("found in the tool cache"));
}

#[cfg(unix)]
#[test]
fn install_refuses_a_bad_checksum() {
    let dir = scratch("action-install-bad");
    fake_release(
        &dir.join("releases"),
        "v9.9.9",
        "x86_64-unknown-linux-musl",
        true,
    );
    let cache = dir.join("cache");
    let (output, path) = install(&dir, &cache);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("::error title=tracegate install::checksum mismatch"),
        "{stderr}"
    );
    assert!(!cache
        .join("tracegate/v9.9.9/x86_64-unknown-linux-musl/tracegate")
        .exists());
    assert!(path.is_empty());
}

#[cfg(unix)]
#[test]
fn run_script_sets_outputs_and_respects_fail() {
    let dir = scratch("action-run");
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_tracegate")).parent().unwrap();
    let outputs = dir.join("outputs");
    let run_action = |fail: &str| {
        let _ = std::fs::remove_file(&outputs);
        Command::new("bash")
            .arg(common::root().join("scripts/run-action.sh"))
            .current_dir(common::root())
            .env(
                "PATH",
                format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap()),
            )
            .env("INPUT_PLAN", "testdata/sources/plan.json")
            .env("INPUT_SOURCE_ROOT", "testdata/sources")
            .env("INPUT_FORMAT", "github")
            .env("INPUT_SARIF_FILE", dir.join("out.sarif"))
            .env("INPUT_UNKNOWN", "warn")
            .env("INPUT_FAIL", fail)
            .env("INPUT_ARGS", "--changed-only")
            .env("GITHUB_OUTPUT", &outputs)
            .env("RUNNER_TEMP", &dir)
            .env_remove("GITHUB_ACTIONS")
            .output()
            .unwrap()
    };
    let output = run_action("true");
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let written = std::fs::read_to_string(&outputs).unwrap();
    // unknown counts findings: the permission rule cannot see these functions' role.
    for line in ["exit-code=1", "failed=9", "unknown=10"] {
        assert!(written.lines().any(|l| l == line), "{line} in {written}");
    }
    assert!(dir.join("out.sarif").exists());
    assert!(String::from_utf8_lossy(&output.stdout)
        .contains("::error file=testdata/sources/main.tf,line=12"));
    assert_eq!(
        run_action("false").status.code(),
        Some(0),
        "fail: false only reports"
    );

    // By default the SARIF goes under RUNNER_TEMP, outside the checkout; `none` writes none.
    for (sarif, expected_under_temp) in [("", true), ("none", false)] {
        let _ = std::fs::remove_file(&outputs);
        let output = Command::new("bash")
            .arg(common::root().join("scripts/run-action.sh"))
            .current_dir(common::root())
            .env(
                "PATH",
                format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap()),
            )
            .env("INPUT_PLAN", "testdata/active/plan.json")
            .env("INPUT_SARIF_FILE", sarif)
            .env("INPUT_SOURCE_ROOT", "")
            .env("GITHUB_OUTPUT", &outputs)
            .env("RUNNER_TEMP", &dir)
            .env_remove("GITHUB_ACTIONS")
            .output()
            .unwrap();
        assert_eq!(
            output.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let written = std::fs::read_to_string(&outputs).unwrap();
        let path = written.lines().find_map(|l| l.strip_prefix("sarif-file="));
        match (expected_under_temp, path) {
            (true, Some(path)) => {
                assert!(std::path::Path::new(path).starts_with(&dir), "{path}");
                assert!(std::path::Path::new(path).is_file(), "{path}");
            }
            (false, None) => {}
            other => panic!("sarif-file {sarif:?}: {other:?} in {written}"),
        }
    }
}

#[test]
fn completions_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let outcome = run(&["completions", shell]);
        assert_eq!(outcome.code, 0, "{shell}");
        assert!(outcome.stdout.contains("source-root"), "{shell}");
    }
}

#[test]
fn man_pages() {
    let main = run(&["man"]);
    assert_eq!(main.code, 0);
    assert!(main.stdout.starts_with(".ie") || main.stdout.contains(".TH tracegate 1"));
    let check = run(&["man", "check"]);
    assert!(check.stdout.contains(".TH tracegate-check 1"));
    assert!(check.stdout.contains("source\\-root"));
    assert_eq!(run(&["man", "nope"]).code, 2);
}

#[cfg(unix)]
fn install_with(dir: &Path, envs: &[(&str, &str)]) -> std::process::Output {
    let mut command = Command::new("bash");
    command
        .arg(common::root().join("scripts/install.sh"))
        .env(
            "TRACEGATE_RELEASE_BASE",
            format!("file://{}", dir.join("releases").display()),
        )
        .env("RUNNER_TOOL_CACHE", dir.join("cache"))
        .env("RUNNER_TEMP", dir)
        .env("GITHUB_PATH", dir.join("github_path"));
    for (key, value) in envs {
        command.env(key, value);
    }
    command.output().unwrap()
}

#[cfg(unix)]
#[test]
fn install_never_builds_unless_asked_and_names_the_runner_and_the_choices() {
    let dir = scratch("action-install-choices");
    std::fs::create_dir_all(dir.join("releases")).unwrap();
    // A runner without a binary: an error naming it and the choices, no cargo build.
    let output = install_with(
        &dir,
        &[
            ("TRACEGATE_VERSION", "v9.9.9"),
            ("RUNNER_OS", "Linux"),
            ("RUNNER_ARCH", "ARM"),
        ],
    );
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("this runner (Linux/ARM)"), "{stderr}");
    assert!(
        stderr.contains("version: source") && stderr.contains("version: installed"),
        "{stderr}"
    );
    assert!(!String::from_utf8_lossy(&output.stdout).contains("cargo"));
    // A release without the binary: an error, not a build from source.
    let output = install_with(
        &dir,
        &[
            ("TRACEGATE_VERSION", "v9.9.9"),
            ("RUNNER_OS", "Linux"),
            ("RUNNER_ARCH", "X64"),
        ],
    );
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("cannot download"), "{stderr}");
    assert!(!String::from_utf8_lossy(&output.stdout).contains("building"));
    // A branch or SHA is not a version (the pin in action.yml is).
    for version in ["main", "0123456789abcdef0123456789abcdef01234567", ""] {
        let output = install_with(
            &dir,
            &[
                ("TRACEGATE_VERSION", version),
                ("RUNNER_OS", "Linux"),
                ("RUNNER_ARCH", "X64"),
            ],
        );
        assert!(!output.status.success(), "{version}");
        assert!(
            String::from_utf8_lossy(&output.stderr).contains("`source`"),
            "{version}"
        );
    }
    // `installed` uses the tracegate on PATH.
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_tracegate")).parent().unwrap();
    let output = install_with(
        &dir,
        &[
            ("TRACEGATE_VERSION", "installed"),
            (
                "PATH",
                &format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap()),
            ),
        ],
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("using "));
}

#[test]
fn action_yml_pins_the_release_of_its_version() {
    let action = std::fs::read_to_string(common::root().join("action.yml")).unwrap();
    let pinned = format!("default: \"v{}\"", env!("CARGO_PKG_VERSION"));
    assert!(
        action.contains(&pinned),
        "action.yml's version input pins v{} (scripts/pin-version.sh)",
        env!("CARGO_PKG_VERSION")
    );
    assert!(action.contains("TRACEGATE_VERSION: ${{ inputs.version }}"));
    assert!(!action.contains("github.action_ref"));
}

#[cfg(unix)]
#[test]
fn run_script_exposes_every_report_and_defaults_the_source_root_to_the_plans_directory() {
    let dir = scratch("action-run-reports");
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_tracegate")).parent().unwrap();
    let outputs = dir.join("outputs");
    let run_action = |plan: &str| {
        let _ = std::fs::remove_file(&outputs);
        let output = Command::new("bash")
            .arg(common::root().join("scripts/run-action.sh"))
            .current_dir(common::root())
            .env(
                "PATH",
                format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap()),
            )
            .env("INPUT_PLAN", plan)
            .env("GITHUB_OUTPUT", &outputs)
            .env("RUNNER_TEMP", &dir)
            .env_remove("INPUT_SOURCE_ROOT")
            .env_remove("GITHUB_ACTIONS")
            .output()
            .unwrap();
        let written = std::fs::read_to_string(&outputs).unwrap();
        let value = |key: &str| {
            written
                .lines()
                .find_map(|l| l.strip_prefix(&format!("{key}=")))
                .map(str::to_owned)
        };
        (output, value("source-root"), {
            let mut files = std::collections::BTreeMap::new();
            for key in [
                "sarif-file",
                "json-file",
                "gitlab-file",
                "junit-file",
                "markdown-file",
            ] {
                files.insert(key, value(key));
            }
            files
        })
    };
    // A plan in a folder with .tf files: that folder is the source root, so the annotation is
    // on the .tf line, not on the plan.
    let (output, root, files) = run_action("testdata/sources/plan.json");
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(root.as_deref(), Some("testdata/sources"));
    assert!(String::from_utf8_lossy(&output.stdout)
        .contains("::error file=testdata/sources/main.tf,line=12"));
    for (key, path) in &files {
        let path = path.as_ref().unwrap_or_else(|| panic!("{key} is set"));
        assert!(Path::new(path).starts_with(&dir), "{key}: {path}");
        assert!(Path::new(path).is_file(), "{key}: {path}");
    }
    // A folder without .tf files: none.
    let (_, root, _) = run_action("testdata/passthrough/plan.json");
    assert_eq!(root.as_deref(), Some(""));
    // An unreadable plan: no SARIF to upload and no Code Quality report (either would mark the
    // unread plan's findings fixed), the other reports are there.
    let (output, _, files) =
        run_action("testdata/passthrough/plan.json testdata/bad/truncated.json");
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(files["sarif-file"], None);
    assert_eq!(files["gitlab-file"], None);
    assert!(files["json-file"].is_some() && files["junit-file"].is_some());
}
