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

args=(check --format "${INPUT_FORMAT:-github}" --unknown "${INPUT_UNKNOWN:-warn}")
[ -n "${INPUT_SOURCE_ROOT:-}" ] && args+=(--source-root "$INPUT_SOURCE_ROOT")
[ "${INPUT_CHANGED_ONLY:-false}" = true ] && args+=(--changed-only)
# Reports go under RUNNER_TEMP by default: outside the checkout, which the pull request controls.
sarif_file=${INPUT_SARIF_FILE:-}
if [ -z "$sarif_file" ]; then
  sarif_file="${RUNNER_TEMP:-/tmp}/tracegate-${GITHUB_JOB:-job}-$$.sarif"
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
json="${RUNNER_TEMP:-/tmp}/tracegate-$$.json"
args+=(--report "json=$json")
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
  [ -n "$sarif_file" ] && echo "sarif-file=$sarif_file"
} >> "${GITHUB_OUTPUT:-/dev/null}"
rm -f "$json"

# 2 means tracegate could not judge: never pass silently.
if [ "$code" -eq 2 ] || { [ "$code" -ne 0 ] && [ "${INPUT_FAIL:-true}" = true ]; }; then
  exit "$code"
fi
exit 0
