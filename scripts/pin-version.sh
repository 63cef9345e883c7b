#!/usr/bin/env bash
# Pins the release the action installs: action.yml's `version` default, the examples' `@vX.Y.Z`
# and the GitLab template's TRACEGATE_VERSION, to VERSION (which must be Cargo.toml's version).
# The release workflow runs it before it tags, so the tagged commit, and main after it, install
# the binary of that release; `@v1`, `@main` and `@<sha>` then download, never build.
#
#   scripts/pin-version.sh v1.2.3 [ROOT]     (ROOT: the checkout to edit, default this one)
set -euo pipefail
version=${1:?usage: $0 vX.Y.Z [ROOT]}
root=${2:-$(cd "$(dirname "$0")/.." && pwd)}
[[ "$version" =~ ^v[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "pin-version: $version is not vX.Y.Z" >&2; exit 2; }
crate=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$root/Cargo.toml" | head -n 1)
[ "v$crate" = "$version" ] || { echo "pin-version: Cargo.toml is at $crate, not ${version#v}; bump it first" >&2; exit 1; }

# action.yml: the line after the "Pinned by scripts/pin-version.sh" comment.
awk -v v="$version" '
  pin { sub(/default: "[^"]*"/, "default: \"" v "\""); pin = 0 }
  /Pinned by scripts\/pin-version.sh/ { pin = 1 }
  { print }
' "$root/action.yml" > "$root/action.yml.tmp" && mv "$root/action.yml.tmp" "$root/action.yml"
grep -q "default: \"$version\"" "$root/action.yml" || { echo "pin-version: action.yml has no pinned version line" >&2; exit 1; }
for file in "$root"/examples/github/*.yml "$root"/examples/gitlab/*.yml "$root/README.md" "$root/.pre-commit-hooks.yaml"; do
  sed -i.bak -E "s#tracegate/tracegate@v[0-9]+\.[0-9]+\.[0-9]+#tracegate/tracegate@$version#g; s#tracegate/tracegate/v[0-9]+\.[0-9]+\.[0-9]+/#tracegate/tracegate/$version/#g; s#^(\#     rev: )v[0-9]+\.[0-9]+\.[0-9]+#\1$version#" "$file"
  rm -f "$file.bak"
done
sed -i.bak -E "s#^(  TRACEGATE_VERSION: )\"v[0-9]+\.[0-9]+\.[0-9]+\"#\1\"$version\"#" "$root/examples/gitlab/tracegate.gitlab-ci.yml"
rm -f "$root/examples/gitlab/tracegate.gitlab-ci.yml.bak"
echo "pin-version: $version pinned in action.yml, examples/ and README.md"
