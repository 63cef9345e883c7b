#!/usr/bin/env bash
# Regenerates testdata/real/: every case is planned and applied by a real `terraform` (on PATH)
# against the provider double in tests/terraform/provider. Usage:
#   scripts/real-plans.sh [--out DIR] [CASE...]
# --out writes the results into DIR (a scratch copy, for diffing) instead of testdata/real.
# The double's Python packages are installed, pinned, into target/real-plans/py (from PyPI).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v terraform >/dev/null 2>&1; then
  echo "real-plans: terraform is not on PATH" >&2
  exit 2
fi
version=$(terraform version -json 2>/dev/null | python3 -c 'import json, sys; print(json.load(sys.stdin)["terraform_version"])')
if [ "$version" != "1.11.4" ]; then
  echo "real-plans: warning: terraform $version, the committed plans were made by 1.11.4 (terraform_version and maybe more will differ)" >&2
fi
py=${REAL_PLANS_PY:-target/real-plans/py}
requirements=tests/terraform/provider/requirements.txt
stamp="$py/requirements.sha256"
want=$(sha256sum "$requirements" | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  rm -rf "$py"
  python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --target "$py" -r "$requirements"
  echo "$want" >"$stamp"
fi
py=$(cd "$py" && pwd)
# Terraform passes its environment on to the provider double, which needs the same packages.
PYTHONDONTWRITEBYTECODE=1 PYTHONPATH="$py${PYTHONPATH:+:$PYTHONPATH}" exec python3 tests/terraform/regen.py "$@"
