#!/usr/bin/env bash
# Installs tracegate for the GitHub Action: the prebuilt release binary for this runner, verified
# against the release's SHA256SUMS and kept in the tool cache. It builds from source only when
# asked (`version: source`), and uses a tracegate already on PATH only when asked
# (`version: installed`).
#
# Environment (set by action.yml; all optional but RUNNER_*):
#   TRACEGATE_VERSION       a release tag (v1.2.3; action.yml pins the release it was cut with),
#                           `source` (cargo install from the action's own checkout) or `installed`
#   TRACEGATE_REPOSITORY    owner/name of the releases (default: tracegate/tracegate)
#   TRACEGATE_RELEASE_BASE  where releases live (default: https://github.com/$REPO/releases/download)
#   RUNNER_OS, RUNNER_ARCH, RUNNER_TOOL_CACHE, RUNNER_TEMP, GITHUB_PATH, GITHUB_ACTION_PATH
set -euo pipefail

fail() { echo "::error title=tracegate install::$*" >&2; exit 1; }

version=${TRACEGATE_VERSION:-}
repo=${TRACEGATE_REPOSITORY:-tracegate/tracegate}
base=${TRACEGATE_RELEASE_BASE:-https://github.com/$repo/releases/download}
cache_root=${RUNNER_TOOL_CACHE:-${RUNNER_TEMP:-/tmp}}/tracegate
runner="${RUNNER_OS:-unknown OS}/${RUNNER_ARCH:-unknown architecture}"

case "${RUNNER_OS:-}-${RUNNER_ARCH:-}" in
  Linux-X64) target=x86_64-unknown-linux-musl ;;
  Linux-ARM64) target=aarch64-unknown-linux-musl ;;
  macOS-X64) target=x86_64-apple-darwin ;;
  macOS-ARM64) target=aarch64-apple-darwin ;;
  Windows-X64) target=x86_64-pc-windows-msvc ;;
  *) target="" ;;
esac
exe=tracegate
[ "${RUNNER_OS:-}" = Windows ] && exe=tracegate.exe

add_to_path() {
  if [ -n "${GITHUB_PATH:-}" ]; then echo "$1" >> "$GITHUB_PATH"; fi
  echo "tracegate installed in $1"
}

choices="release binaries exist for Linux x64/arm64, macOS x64/arm64 and Windows x64; on another runner set \`version: source\` (builds the action's source with cargo; install Rust first, e.g. dtolnay/rust-toolchain) or install tracegate yourself and set \`version: installed\`"

case "$version" in
  source)
    command -v cargo >/dev/null || fail "version: source builds tracegate with cargo, and this runner ($runner) has none; install Rust (e.g. dtolnay/rust-toolchain) before this step"
    root="${RUNNER_TEMP:-/tmp}/tracegate-cargo"
    echo "building tracegate from the action's source with cargo install"
    cargo install --locked --root "$root" --path "${GITHUB_ACTION_PATH:?}"
    add_to_path "$root/bin"
    exit 0
    ;;
  installed)
    found=$(command -v tracegate || true)
    [ -n "$found" ] || fail "version: installed, but there is no tracegate on PATH on this runner ($runner); install it before this step, or use a release (the default) or \`version: source\`"
    echo "using $found ($("$found" --version))"
    exit 0
    ;;
  v[0-9]*.[0-9]*.[0-9]*) ;;
  "") fail "no version: action.yml pins a release, so an empty \`version\` input means the pin was removed; set a release tag (v1.2.3), \`source\` or \`installed\`" ;;
  *) fail "version must be a release tag (v1.2.3), \`source\` or \`installed\`, not ${version//%/%25}" ;;
esac

[ -n "$target" ] || fail "no prebuilt tracegate $version for this runner ($runner): $choices"

dir="$cache_root/$version/$target"
if [ -x "$dir/$exe" ]; then
  echo "tracegate $version found in the tool cache"
  add_to_path "$dir"
  exit 0
fi

archive="tracegate-$version-$target.tar.gz"
work=$(mktemp -d "${RUNNER_TEMP:-/tmp}/tracegate-install.XXXXXX")
trap 'rm -rf "$work"' EXIT
echo "downloading $base/$version/$archive"
curl -fsSL --retry 3 -o "$work/$archive" "$base/$version/$archive" \
  || fail "cannot download $archive of release $version for this runner ($runner): the release or its binary is missing, or the network is down; $choices"
curl -fsSL --retry 3 -o "$work/SHA256SUMS" "$base/$version/SHA256SUMS" \
  || fail "the release $version has no SHA256SUMS file, so $archive cannot be verified"
expected=$(awk -v f="$archive" '$2 == f || $2 == "*"f {print $1}' "$work/SHA256SUMS")
[ -n "$expected" ] || fail "SHA256SUMS of $version does not list $archive"
if command -v sha256sum >/dev/null; then
  actual=$(sha256sum "$work/$archive" | awk '{print $1}')
else
  actual=$(shasum -a 256 "$work/$archive" | awk '{print $1}')
fi
[ "$actual" = "$expected" ] || fail "checksum mismatch for $archive: expected $expected, got $actual; the download is corrupt or tampered with"

mkdir -p "$dir"
tar -xzf "$work/$archive" -C "$work"
found=$(find "$work" -type f -name "$exe" | head -n 1)
[ -n "$found" ] || fail "$archive holds no $exe"
install -m 755 "$found" "$dir/$exe"
add_to_path "$dir"
