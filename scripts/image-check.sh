#!/usr/bin/env bash
# Builds the container image as the release does and runs it on shipped plans: the static
# binary (musl where that target is installed, else glibc linked with +crt-static, which runs on
# scratch the same way), the context laid out by scripts/release-dist.sh, the Dockerfile, then
# `docker run` as the image's user 65534. tests/container.rs runs it where a Docker daemon answers.
#
#   scripts/image-check.sh            exit 0 when every check held; 77 when it cannot run here
#
# It needs a Docker daemon and a BuildKit builder (the Dockerfile uses COPY --chmod and
# TARGETARCH): `docker buildx`, or a Docker client older than 23 (built-in BuildKit). DOCKER
# names the client to use; otherwise each `docker` on PATH is tried.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
skip() { echo "image-check: skipped: $*" >&2; exit 77; }
fail() { echo "image-check: FAILED: $*" >&2; exit 1; }

case "$(uname -m)" in
  x86_64) triple=x86_64 ;;
  aarch64 | arm64) triple=aarch64 ;;
  *) skip "no image for $(uname -m)" ;;
esac

clients=()
if [ -n "${DOCKER:-}" ]; then clients=("$DOCKER"); else mapfile -t clients < <(type -ap docker); fi
[ ${#clients[@]} -gt 0 ] || skip "no docker client on PATH"
docker=
build=()
for client in "${clients[@]}"; do
  "$client" info >/dev/null 2>&1 || continue
  if "$client" buildx version >/dev/null 2>&1; then
    docker=$client build=("$client" buildx build --load)
    break
  fi
  major=$("$client" version --format '{{.Client.Version}}' 2>/dev/null | cut -d. -f1)
  if [ -n "$major" ] && [ "$major" -lt 23 ] 2>/dev/null; then
    docker=$client build=(env DOCKER_BUILDKIT=1 "$client" build)
    break
  fi
done
[ -n "$docker" ] || skip "no Docker daemon answers, or no BuildKit builder (docker buildx, or a client older than 23) among: ${clients[*]}"

if rustup target list --installed 2>/dev/null | grep -qx "$triple-unknown-linux-musl"; then
  target=$triple-unknown-linux-musl
  cargo build --release --locked --target "$target"
else
  target=$triple-unknown-linux-gnu
  RUSTFLAGS="-C target-feature=+crt-static" cargo build --release --locked --target "$target"
fi
binary=target/$target/release/tracegate

work=$(mktemp -d)
trap 'rm -rf "$work"; "$docker" image rm -f "$tag" >/dev/null 2>&1 || true' EXIT
tag=tracegate-image-check:$$
# release-dist.sh takes the image binaries from the musl targets' directories: the glibc static
# binary stands in for the musl one under that name.
mkdir -p "$work/bins/$triple-unknown-linux-musl"
install -m 755 "$binary" "$work/bins/$triple-unknown-linux-musl/tracegate"
version=v$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -1)
scripts/release-dist.sh "$version" "$work/bins" "$work/dist" >/dev/null
"${build[@]}" --quiet -t "$tag" "$work/dist/image" >/dev/null

config=$("$docker" image inspect "$tag" --format '{{.Config.User}} {{.Config.WorkingDir}} {{json .Config.Entrypoint}}')
[ "$config" = '65534:65534 /work ["/tracegate"]' ] || fail "image config is $config"
layers=$("$docker" image inspect "$tag" --format '{{len .RootFS.Layers}}')
[ "$layers" -le 2 ] || fail "$layers layers: FROM scratch holds the binary and /work only"

run() { "$docker" run --rm --network none -v "$root/testdata:/work:ro" "$@"; }
expect() {
  local want=$1 out rc=0
  shift
  out=$(run "$tag" "$@" 2>&1) || rc=$?
  [ "$rc" -eq "$want" ] || fail "tracegate $* exited $rc, not $want: $out"
  printf '%s\n' "$out"
}

out=$(expect 1 check passthrough/plan.json)
grep -q 'FAIL    aws_lambda_function.api  mode PassThrough' <<<"$out" || fail "no failure evidence: $out"
grep -q 'fix: set tracing_config\[0\].mode = "Active"' <<<"$out" || fail "no fix: $out"
out=$(expect 0 check active/plan.json)
grep -q 'gate passed' <<<"$out" || fail "no pass: $out"

# Reports go to a mounted directory, written as user 65534.
reports=$work/reports
mkdir -m 777 "$reports"
rc=0
run -v "$reports:/out" "$tag" check passthrough/plan.json \
  --report sarif=/out/tracegate.sarif --report junit=/out/junit.xml --report gitlab=/out/gl.json >/dev/null || rc=$?
[ "$rc" -eq 1 ] || fail "the reports run exited $rc, not 1"
for file in tracegate.sarif junit.xml gl.json; do
  [ -s "$reports/$file" ] || fail "no $file written"
  owner=$(stat -c %u "$reports/$file")
  [ "$owner" = 65534 ] || fail "$file is owned by $owner, not 65534"
done
grep -q '"ruleId": "D9.AWS.OPE.07"' "$reports/tracegate.sarif" || fail "SARIF without the finding"
# An undecided gate: exit 2 and no SARIF.
rm -f "$reports"/*
rc=0
run -v "$reports:/out" "$tag" check errored/plan.json --report sarif=/out/tracegate.sarif >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 2 ] || fail "an errored plan exited $rc, not 2"
[ ! -e "$reports/tracegate.sarif" ] || fail "SARIF written for an undecided gate"
# A directory user 65534 cannot write to: a one-line error, exit 2.
locked=$work/locked
mkdir -m 755 "$locked"
rc=0
out=$(run -v "$locked:/out" "$tag" check active/plan.json --report sarif=/out/t.sarif 2>&1) || rc=$?
[ "$rc" -eq 2 ] || fail "unwritable report directory exited $rc, not 2"
grep -q '^tracegate: error: cannot write the report to /out/t.sarif: Permission denied' <<<"$out" || fail "unwritable: $out"

size=$("$docker" image inspect "$tag" --format '{{.Size}}')
echo "image-check: ok: $target binary on scratch as 65534:65534 ($size bytes); fail exits 1 with evidence, pass 0, reports written to a mount, undecided exits 2 without SARIF"
