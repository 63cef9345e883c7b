#!/usr/bin/env bash
# Regenerates testdata/real/: every case is planned and applied by a real `terraform` (on PATH)
# against the provider double in tests/terraform/provider. Usage:
#   scripts/real-plans.sh [--out DIR] [CASE...]
# --out writes the results into DIR (a scratch copy, for diffing) instead of testdata/real.
# The double's Python packages are installed, pinned, into target/real-plans/venv.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v terraform >/dev/null 2>&1; then
  echo "real-plans: terraform is not on PATH" >&2
  exit 2
fi
venv=${REAL_PLANS_VENV:-target/real-plans/venv}
requirements=tests/terraform/provider/requirements.txt
stamp="$venv/requirements.sha256"
want=$(sha256sum "$requirements" | cut -d' ' -f1)
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
  echo "$want" >"$stamp"
fi
exec "$venv/bin/python" tests/terraform/regen.py "$@"
