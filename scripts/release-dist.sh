#!/usr/bin/env bash
# Packages built binaries into a release: one archive per target, SHA256SUMS over them, and the
# container image's build context. The release workflow runs it; tests/release.rs runs it on fake
# binaries, so a dry run needs no GitHub.
#
#   scripts/release-dist.sh VERSION BIN_DIR OUT_DIR
#
# BIN_DIR holds <target>/tracegate (or tracegate.exe) for each target. OUT_DIR gets
#   tracegate-VERSION-<target>.tar.gz   tracegate-VERSION-<target>/{tracegate,README.md,LICENSE,CHANGELOG.md}
#   SHA256SUMS                          `sha256sum -c` format, one line per archive
#   image/linux-<arch>/tracegate        the static musl binaries, for the Dockerfile (amd64, arm64)
set -euo pipefail
[ $# -eq 3 ] || { echo "usage: $0 VERSION BIN_DIR OUT_DIR" >&2; exit 2; }
version=$1 bins=$2 out=$3
[[ "$version" =~ ^v[0-9]+\.[0-9]+\.[0-9]+ ]] || { echo "release-dist: $version is not a release tag (v1.2.3)" >&2; exit 2; }
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

shopt -s nullglob
targets=("$bins"/*/)
[ ${#targets[@]} -gt 0 ] || { echo "release-dist: no <target>/ directories in $bins" >&2; exit 1; }
for dir in "${targets[@]}"; do
  target=$(basename "$dir")
  exe=tracegate
  [ -f "$dir/tracegate.exe" ] && exe=tracegate.exe
  [ -f "$dir/$exe" ] || { echo "release-dist: $dir holds no tracegate binary" >&2; exit 1; }
  name="tracegate-$version-$target"
  mkdir "$work/$name"
  install -m 755 "$dir/$exe" "$work/$name/$exe"
  cp "$root/README.md" "$root/LICENSE" "$root/CHANGELOG.md" "$work/$name/"
  # Reproducible archives: sorted names, fixed owner and time, no gzip timestamp.
  tar --sort=name --owner=0 --group=0 --numeric-owner --mtime='2020-01-01 00:00:00Z' \
    -C "$work" -cf - "$name" | gzip -n -9 > "$out/$name.tar.gz"
  case "$target" in
    x86_64-unknown-linux-musl) arch=amd64 ;;
    aarch64-unknown-linux-musl) arch=arm64 ;;
    *) arch="" ;;
  esac
  if [ -n "$arch" ]; then
    mkdir -p "$out/image/linux-$arch"
    install -m 755 "$dir/$exe" "$out/image/linux-$arch/tracegate"
  fi
done
cp "$root/Dockerfile" "$out/image/Dockerfile" 2>/dev/null || true
(cd "$out" && sha256sum tracegate-"$version"-*.tar.gz > SHA256SUMS)
echo "release-dist: $(wc -l < "$out/SHA256SUMS") archives and SHA256SUMS in $out"
