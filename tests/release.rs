//! The release, tested without GitHub: the packaging script on fake binaries (archives,
//! SHA256SUMS, the image context) and the action's installer against what it wrote, the version
//! pin, the Dockerfile, the crate's file list, and the pre-commit hooks' entry.

mod common;
use common::{run, scratch};
use std::path::Path;
use std::process::Command;

fn ok(output: &std::process::Output) {
    assert!(
        output.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[cfg(unix)]
#[test]
fn release_dist_packages_checksums_and_the_image_context_and_install_reads_them() {
    let dir = scratch("release-dist");
    let bins = dir.join("bins");
    for target in [
        "x86_64-unknown-linux-musl",
        "aarch64-unknown-linux-musl",
        "x86_64-pc-windows-msvc",
    ] {
        let exe = if target.contains("windows") {
            "tracegate.exe"
        } else {
            "tracegate"
        };
        std::fs::create_dir_all(bins.join(target)).unwrap();
        // A stand-in binary: packaging does not look inside, and the real debug build is large.
        std::fs::write(
            bins.join(target).join(exe),
            format!("#!/bin/sh\necho tracegate 9.9.9 {target}\n"),
        )
        .unwrap();
    }
    let releases = dir.join("releases");
    let out = releases.join("v9.9.9");
    let output = Command::new("bash")
        .arg(common::root().join("scripts/release-dist.sh"))
        .args(["v9.9.9"])
        .arg(&bins)
        .arg(&out)
        .output()
        .unwrap();
    ok(&output);
    let sums = std::fs::read_to_string(out.join("SHA256SUMS")).unwrap();
    assert_eq!(sums.lines().count(), 3, "{sums}");
    assert!(sums.contains("  tracegate-v9.9.9-x86_64-unknown-linux-musl.tar.gz"));
    let check = Command::new("sha256sum")
        .args(["-c", "SHA256SUMS"])
        .current_dir(&out)
        .output()
        .unwrap();
    ok(&check);
    // The archive holds the binary and the documents under its own directory.
    let list = Command::new("tar")
        .args(["-tzf", "tracegate-v9.9.9-x86_64-pc-windows-msvc.tar.gz"])
        .current_dir(&out)
        .output()
        .unwrap();
    let list = String::from_utf8(list.stdout).unwrap();
    for name in ["tracegate.exe", "README.md", "LICENSE", "CHANGELOG.md"] {
        assert!(
            list.contains(&format!("tracegate-v9.9.9-x86_64-pc-windows-msvc/{name}")),
            "{list}"
        );
    }
    // The image's build context: the musl binaries by Docker architecture, and the Dockerfile.
    for arch in ["amd64", "arm64"] {
        assert!(out.join(format!("image/linux-{arch}/tracegate")).is_file());
    }
    assert!(out.join("image/Dockerfile").is_file());
    // Reproducible: packaging again gives the same sums.
    let again = dir.join("again");
    ok(&Command::new("bash")
        .arg(common::root().join("scripts/release-dist.sh"))
        .args(["v9.9.9"])
        .arg(&bins)
        .arg(&again)
        .output()
        .unwrap());
    assert_eq!(
        std::fs::read_to_string(again.join("SHA256SUMS")).unwrap(),
        sums
    );

    // The action's installer takes exactly that layout as a release.
    let github_path = dir.join("github_path");
    let install = Command::new("bash")
        .arg(common::root().join("scripts/install.sh"))
        .env("TRACEGATE_VERSION", "v9.9.9")
        .env(
            "TRACEGATE_RELEASE_BASE",
            format!("file://{}", releases.display()),
        )
        .env("RUNNER_OS", "Linux")
        .env("RUNNER_ARCH", "ARM64")
        .env("RUNNER_TOOL_CACHE", dir.join("cache"))
        .env("RUNNER_TEMP", &dir)
        .env("GITHUB_PATH", &github_path)
        .output()
        .unwrap();
    ok(&install);
    assert!(dir
        .join("cache/tracegate/v9.9.9/aarch64-unknown-linux-musl/tracegate")
        .is_file());

    // Not a release tag: refused.
    let bad = Command::new("bash")
        .arg(common::root().join("scripts/release-dist.sh"))
        .args(["main"])
        .arg(&bins)
        .arg(dir.join("bad"))
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
}

#[cfg(unix)]
#[test]
fn pin_version_pins_the_action_the_examples_and_the_hooks() {
    let dir = scratch("pin-version");
    let root = common::root();
    for file in [
        "action.yml",
        "Cargo.toml",
        "README.md",
        ".pre-commit-hooks.yaml",
        "examples/github/pull-request.yml",
        "examples/github/matrix.yml",
        "examples/github/reviewdog.yml",
        "examples/gitlab/tracegate.gitlab-ci.yml",
    ] {
        std::fs::create_dir_all(dir.join(file).parent().unwrap()).unwrap();
        std::fs::copy(root.join(file), dir.join(file)).unwrap();
    }
    let pin = |version: &str| {
        Command::new("bash")
            .arg(root.join("scripts/pin-version.sh"))
            .arg(version)
            .arg(&dir)
            .output()
            .unwrap()
    };
    // Cargo.toml must say the version first.
    let refused = pin("v7.8.9");
    assert_eq!(refused.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("bump it first"));
    let cargo = std::fs::read_to_string(dir.join("Cargo.toml"))
        .unwrap()
        .replacen(
            &format!("version = \"{}\"", env!("CARGO_PKG_VERSION")),
            "version = \"7.8.9\"",
            1,
        );
    std::fs::write(dir.join("Cargo.toml"), cargo).unwrap();
    ok(&pin("v7.8.9"));
    let read = |file: &str| std::fs::read_to_string(dir.join(file)).unwrap();
    let action = read("action.yml");
    assert!(action.contains("default: \"v7.8.9\""), "{action}");
    assert_eq!(
        action.matches("v7.8.9").count(),
        1,
        "only the version input"
    );
    assert!(read("examples/github/pull-request.yml").contains("tracegate/tracegate@v7.8.9"));
    assert!(read("examples/github/matrix.yml").contains("tracegate/tracegate@v7.8.9"));
    assert!(read("examples/github/reviewdog.yml").contains("tracegate/tracegate@v7.8.9"));
    let gitlab = read("examples/gitlab/tracegate.gitlab-ci.yml");
    assert!(gitlab.contains("TRACEGATE_VERSION: \"v7.8.9\""), "{gitlab}");
    assert!(gitlab.contains("tracegate/tracegate/v7.8.9/examples"));
    assert!(read(".pre-commit-hooks.yaml").contains("rev: v7.8.9"));
    let readme = read("README.md");
    assert!(readme.contains("tracegate/tracegate@v7.8.9"));
    assert!(!readme.contains(&format!("tracegate@v{}", env!("CARGO_PKG_VERSION"))));
    assert!(pin("7.8.9").status.code() == Some(2));
}

#[test]
fn the_image_is_the_static_binary_on_scratch_as_a_non_root_user() {
    let dockerfile = std::fs::read_to_string(common::root().join("Dockerfile")).unwrap();
    let instructions: Vec<&str> = dockerfile
        .lines()
        .filter(|l| !l.trim_start().starts_with('#') && !l.trim().is_empty())
        .collect();
    let froms: Vec<&&str> = instructions
        .iter()
        .filter(|l| l.starts_with("FROM "))
        .collect();
    assert_eq!(froms, [&"FROM scratch"]);
    assert!(instructions.contains(&"COPY --chmod=0755 linux-${TARGETARCH}/tracegate /tracegate"));
    let user = instructions
        .iter()
        .find_map(|l| l.strip_prefix("USER "))
        .expect("a USER");
    assert!(
        !user.starts_with("0") && !user.starts_with("root"),
        "non-root: {user}"
    );
    assert!(instructions.contains(&"ENTRYPOINT [\"/tracegate\"]"));
    let workflow =
        std::fs::read_to_string(common::root().join(".github/workflows/release.yml")).unwrap();
    for needed in [
        "x86_64-unknown-linux-musl",
        "aarch64-unknown-linux-musl",
        "x86_64-apple-darwin",
        "aarch64-apple-darwin",
        "x86_64-pc-windows-msvc",
        "scripts/release-dist.sh",
        "sha256sum -c SHA256SUMS",
        "actions/attest-build-provenance",
        "docker/build-push-action",
        "context: dist/image",
        "scripts/pin-version.sh",
        "cargo publish --locked --dry-run",
    ] {
        assert!(workflow.contains(needed), "release.yml: {needed}");
    }
}

#[test]
fn the_crate_ships_sources_and_documents_not_fixtures() {
    let output = Command::new(env!("CARGO"))
        .args(["package", "--list", "--allow-dirty", "--offline"])
        .current_dir(common::root())
        .output()
        .unwrap();
    ok(&output);
    let list = String::from_utf8(output.stdout).unwrap();
    let files: Vec<&str> = list.lines().collect();
    for needed in [
        "Cargo.lock",
        "Cargo.toml",
        "README.md",
        "LICENSE",
        "src/main.rs",
        "src/lib.rs",
    ] {
        assert!(files.contains(&needed), "{needed} in {list}");
    }
    assert!(
        files
            .iter()
            .all(|f| !f.starts_with("testdata/") && !f.starts_with("fuzz/") && *f != "plan.json"),
        "{list}"
    );
    // Well under crates.io's 10 MB.
    let size: u64 = files
        .iter()
        .filter_map(|f| std::fs::metadata(common::root().join(f)).ok())
        .map(|m| m.len())
        .sum();
    assert!(size < 2_000_000, "{size} bytes");
}

#[test]
fn pre_commit_hooks_judge_the_files_they_are_given() {
    let hooks = std::fs::read_to_string(common::root().join(".pre-commit-hooks.yaml")).unwrap();
    // Two hooks: build from source, and the installed binary.
    let blocks: Vec<&str> = hooks.split("\n- id: ").skip(1).collect();
    assert_eq!(blocks.len(), 2, "{hooks}");
    let field = |block: &str, key: &str| -> String {
        block
            .lines()
            .find_map(|l| l.trim().strip_prefix(&format!("{key}: ")))
            .unwrap_or_else(|| panic!("{key} in {block}"))
            .to_owned()
    };
    let mut languages = Vec::new();
    for block in &blocks {
        languages.push(field(block, "language"));
        assert_eq!(field(block, "entry"), "tracegate check");
        assert_eq!(field(block, "pass_filenames"), "true");
        let files = field(block, "files");
        // The pattern pre-commit matches (Python `re.search`), where Python is here.
        if Command::new("python3").arg("--version").output().is_ok() {
            let script = "import re,sys\np=re.compile(sys.argv[1])\nfor f in sys.argv[2:]:\n  print(f, bool(p.search(f)))";
            let output = Command::new("python3")
                .args(["-c", script, &files])
                .args([
                    "plan.json",
                    "infra/prod/plan.json",
                    "tfplan.json",
                    "infra/app.plan.json",
                    "package.json",
                    "plan.json.bak",
                ])
                .output()
                .unwrap();
            let shown = String::from_utf8(output.stdout).unwrap();
            assert_eq!(
                shown,
                "plan.json True\ninfra/prod/plan.json True\ntfplan.json True\ninfra/app.plan.json True\npackage.json False\nplan.json.bak False\n"
            );
        }
    }
    languages.sort();
    assert_eq!(languages, ["rust", "system"]);
    // What pre-commit runs for `--files testdata/passthrough/plan.json`: the entry and the file.
    let judged = run(&["check", "testdata/passthrough/plan.json"]);
    assert_eq!(judged.code, 1, "the failing plan fails the hook");
    assert!(judged.stdout.contains("FAIL    aws_lambda_function.api"));
    assert_eq!(run(&["check", "testdata/active/plan.json"]).code, 0);
    assert!(Path::new(&common::root().join("Cargo.toml")).exists());
}
