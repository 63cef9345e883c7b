#!/usr/bin/env bash
# Installs tracegate for the GitHub Action: the prebuilt release binary for this runner, verified
# against the release's SHA256SUMS and kept in the tool cache; `cargo install` when no binary fits.
#
# Environment (set by action.yml; all optional but RUNNER_*):
#   TRACEGATE_VERSION       release tag (v1.2.3); a branch or SHA builds from the action's source
#   TRACEGATE_REPOSITORY    owner/name of the releases (default: tracegate/tracegate)
#   TRACEGATE_RELEASE_BASE  where releases live (default: https://github.com/$REPO/releases/download)
#   RUNNER_OS, RUNNER_ARCH, RUNNER_TOOL_CACHE, RUNNER_TEMP, GITHUB_PATH, GITHUB_ACTION_PATH
set -euo pipefail

fail() { echo "::error title=tracegate install::$*" >&2; exit 1; }

version=${TRACEGATE_VERSION:-}
repo=${TRACEGATE_REPOSITORY:-tracegate/tracegate}
base=${TRACEGATE_RELEASE_BASE:-https://github.com/$repo/releases/download}
cache_root=${RUNNER_TOOL_CACHE:-${RUNNER_TEMP:-/tmp}}/tracegate

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

build_from_source() {
  command -v cargo >/dev/null || fail "no prebuilt binary for ${RUNNER_OS:-?}/${RUNNER_ARCH:-?} and no cargo to build one; install Rust (e.g. dtolnay/rust-toolchain) before this step"
  local root="${RUNNER_TEMP:-/tmp}/tracegate-cargo"
  if [[ "$version" =~ ^v?[0-9]+\.[0-9]+\.[0-9]+ ]]; then
    echo "building tracegate ${version#v} with cargo install"
    cargo install --locked --root "$root" tracegate --version "${version#v}"
  else
    echo "building tracegate from the action's source (${version:-no version})"
    cargo install --locked --root "$root" --path "${GITHUB_ACTION_PATH:?}"
  fi
  add_to_path "$root/bin"
}

# Only release tags have binaries; a branch or SHA (or an unknown platform) builds from source.
if [[ ! "$version" =~ ^v[0-9]+\.[0-9]+\.[0-9]+ ]] || [ -z "$target" ]; then
  build_from_source
  exit 0
fi

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
if ! curl -fsSL --retry 3 -o "$work/$archive" "$base/$version/$archive"; then
  echo "no release binary $archive; falling back to cargo install"
  build_from_source
  exit 0
fi
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
