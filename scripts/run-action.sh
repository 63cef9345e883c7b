#!/usr/bin/env bash
# Runs tracegate for the GitHub Action. Inputs arrive as environment variables (never interpolated
# into the script), and extra arguments are split on whitespace without evaluation.
set -uo pipefail

shopt -s nullglob globstar
plans=()
# PLAN: paths or globs, separated by spaces or newlines.
read -r -d '' -a patterns <<< "${INPUT_PLAN:-}" || true
for pattern in "${patterns[@]}"; do
  # Deliberately unquoted: the pattern is a glob to expand.
  # shellcheck disable=SC2206
  matches=($pattern)
  if [ ${#matches[@]} -eq 0 ]; then
    echo "::error title=tracegate::no plan matches ${pattern//%/%25}" >&2
    echo "exit-code=2" >> "${GITHUB_OUTPUT:-/dev/null}"
    exit 2
  fi
  plans+=("${matches[@]}")
done
[ ${#plans[@]} -gt 0 ] || { echo "::error title=tracegate::the plan input is empty" >&2; exit 2; }

# The source root: the input, else the plans' directory when they share one that holds .tf files
# (so annotations land on the diff for a plan in a subfolder), else tracegate's own default (the
# current directory when it holds .tf files).
source_root=${INPUT_SOURCE_ROOT:-}
if [ -z "$source_root" ]; then
  first_dir=$(dirname -- "${plans[0]}")
  same=true
  for plan in "${plans[@]}"; do
    [ "$(dirname -- "$plan")" = "$first_dir" ] || same=false
  done
  tf_files=("$first_dir"/*.tf "$first_dir"/*.tf.json)
  if [ "$same" = true ] && [ ${#tf_files[@]} -gt 0 ]; then
    source_root=$first_dir
  fi
fi

args=(check --format "${INPUT_FORMAT:-github}")
# Only an input that is set becomes a flag, so that .tracegate.toml [check] is not masked.
[ -n "${INPUT_UNKNOWN:-}" ] && args+=(--unknown "$INPUT_UNKNOWN")
[ "${INPUT_LOCKED_CONFIG:-false}" = true ] && args+=(--locked-config)
[ -n "$source_root" ] && args+=(--source-root "$source_root")
[ "${INPUT_CHANGED_ONLY:-false}" = true ] && args+=(--changed-only)
# Reports go under RUNNER_TEMP by default: outside the checkout, which the pull request controls.
reports="${RUNNER_TEMP:-/tmp}/tracegate-${GITHUB_JOB:-job}-$$"
mkdir -p "$reports"
sarif_file=${INPUT_SARIF_FILE:-}
if [ -z "$sarif_file" ]; then
  sarif_file="$reports/tracegate.sarif"
elif [ "$sarif_file" = none ]; then
  sarif_file=
fi
if [ -n "$sarif_file" ]; then
  args+=(--report "sarif=$sarif_file")
  category=${INPUT_CATEGORY:-}
  if [ -z "$category" ]; then
    # One SARIF category per plan set, so several plans in one workflow upload as separate runs.
    category="tracegate/${plans[0]}"
  fi
  args+=(--category "$category")
fi
json="$reports/tracegate.json"
gitlab="$reports/gl-code-quality-report.json"
junit="$reports/tracegate-junit.xml"
markdown="$reports/tracegate.md"
args+=(--report "json=$json" --report "gitlab=$gitlab" --report "junit=$junit" --report "markdown=$markdown")
read -r -a extra <<< "${INPUT_ARGS:-}" || true
args+=("${extra[@]}")

tracegate "${args[@]}" -- "${plans[@]}"
code=$?

count() {
  if command -v jq >/dev/null; then jq -r ".summary.$1" "$json"
  else python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['summary'][sys.argv[2]])" "$json" "$1"
  fi
}
{
  echo "exit-code=$code"
  if [ -f "$json" ]; then
    echo "failed=$(count fail)"
    echo "unknown=$(count unknown)"
  fi
  # Only files that were written: an undecided gate (exit 2) writes no SARIF, so that an upload
  # cannot close the alerts of the plans that were not read.
  [ -n "$sarif_file" ] && [ -f "$sarif_file" ] && echo "sarif-file=$sarif_file"
  [ -f "$json" ] && echo "json-file=$json"
  [ -f "$gitlab" ] && echo "gitlab-file=$gitlab"
  [ -f "$junit" ] && echo "junit-file=$junit"
  [ -f "$markdown" ] && echo "markdown-file=$markdown"
  echo "source-root=$source_root"
} >> "${GITHUB_OUTPUT:-/dev/null}"

# 2 means tracegate could not judge: never pass silently.
if [ "$code" -eq 2 ] || { [ "$code" -ne 0 ] && [ "${INPUT_FAIL:-true}" = true ]; }; then
  exit "$code"
fi
exit 0
