#!/usr/bin/env bash
# Runs the pre-commit hooks of .pre-commit-hooks.yaml as a user would: `pre-commit try-repo` of
# this repository in a scratch git repository, `--files` a failing and a passing plan, for the
# `tracegate` hook (language: rust: pre-commit runs `cargo install` of the repository, a release
# build: minutes the first time, seconds after through CARGO_TARGET_DIR) and the
# `tracegate-system` hook (the tracegate on PATH: this checkout's debug build).
#
#   scripts/precommit-check.sh        exit 0 when every hook did what it should; 77 without pre-commit
#
# PRE_COMMIT names the pre-commit to run (default: the one on PATH). .ci/run runs this where
# pre-commit is installed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
pre_commit=${PRE_COMMIT:-pre-commit}
command -v "$pre_commit" >/dev/null 2>&1 || { echo "precommit-check: skipped: no pre-commit on PATH (pip install pre-commit, or set PRE_COMMIT)" >&2; exit 77; }
fail() { echo "precommit-check: FAILED: $*" >&2; exit 1; }

cargo build --locked --quiet
export PATH="$root/target/debug:$PATH"
export CARGO_TARGET_DIR="$root/target/precommit-target"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
export PRE_COMMIT_HOME="$scratch/cache"
git init -q "$scratch/repo"
mkdir -p "$scratch/repo/infra"
cp testdata/passthrough/plan.json "$scratch/repo/infra/plan.json"
cp testdata/active/plan.json "$scratch/repo/tfplan.json"
cp testdata/passthrough/plan.json "$scratch/repo/notes.json"
git -C "$scratch/repo" add .
git -C "$scratch/repo" -c user.name=check -c user.email=check@localhost commit -qm plans

# Each try-repo of the rust hook installs it anew (a new clone, so cargo rebuilds tracegate
# itself): two runs of it, the file pattern is checked on the system hook.
for hook in tracegate-system tracegate; do
  for case in "infra/plan.json 1 FAIL    aws_lambda_function.api  mode PassThrough" "tfplan.json 0 gate passed"; do
    read -r file want words <<<"$case"
    rc=0
    out=$(cd "$scratch/repo" && "$pre_commit" try-repo "$root" "$hook" --files "$file" --verbose 2>&1) || rc=$?
    [ "$rc" -eq "$want" ] || fail "$hook --files $file exited $rc, not $want: $out"
    grep -q "$words" <<<"$out" || fail "$hook --files $file: no '$words' in: $out"
  done
  echo "precommit-check: $hook: fails infra/plan.json with its evidence, passes tfplan.json"
done
# A JSON file not named like a plan is not judged.
rc=0
out=$(cd "$scratch/repo" && "$pre_commit" try-repo "$root" tracegate-system --files notes.json 2>&1) || rc=$?
if [ "$rc" -ne 0 ] || ! grep -q 'no files to check' <<<"$out"; then fail "tracegate-system --files notes.json: $out"; fi
echo "precommit-check: ok"
