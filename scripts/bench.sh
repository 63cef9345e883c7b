#!/usr/bin/env bash
# Times the whole binary on generated plans and prints a Markdown table: wall time and peak RSS
# (from /usr/bin/time), peak heap (the heap-stats build), for a file and for stdin.
#
#   scripts/bench.sh                 # 10k, 100k resources (about 73 MB and 730 MB) and 1 GB
#   SIZES="1500 15000" scripts/bench.sh
#   RUNS=5 scripts/bench.sh          # best of N runs (default 3), warm page cache
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES=${SIZES:-"1500 15000 100000 140000"}
RUNS=${RUNS:-3}
DIR=${BENCH_DIR:-target/bench}
mkdir -p "$DIR"

cargo build --release --quiet --example gen_plan
cargo build --release --quiet --features heap-stats
BIN=target/release/tracegate

# best-of-N: prints "seconds max_rss_kb peak_heap_bytes"
measure() {
  local best="" line
  for _ in $(seq "$RUNS"); do
    line=$( { /usr/bin/time -f "TIME %e %M" bash -c "$1" >/dev/null; } 2>&1 | awk '/^TIME/ {t=$2; r=$3} /peak heap/ {h=$4} END {print t, r, h}')
    if [ -z "$best" ] || awk -v a="${line%% *}" -v b="${best%% *}" 'BEGIN {exit !(a < b)}'; then best=$line; fi
  done
  echo "$best"
}

echo "| resources | plan size | file: wall | file: MB/s | file: peak RSS | file: peak heap | stdin: wall | stdin: peak RSS | stdin: peak heap |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for n in $SIZES; do
  plan="$DIR/plan-$n.json"
  [ -f "$plan" ] || ./target/release/examples/gen_plan --resources "$n" --out "$plan" >/dev/null
  bytes=$(stat -c %s "$plan")
  cat "$plan" >/dev/null   # warm the page cache
  read -r ft fr fh < <(measure "$BIN check '$plan' --format sarif --output '$DIR/out.sarif' || [ \$? -eq 1 ]")
  read -r st sr sh < <(measure "cat '$plan' | $BIN check - --format sarif --output '$DIR/out.sarif' || [ \$? -eq 1 ]")
  awk -v n="$n" -v b="$bytes" -v ft="$ft" -v fr="$fr" -v fh="$fh" -v st="$st" -v sr="$sr" -v sh="$sh" 'BEGIN {
    printf "| %d | %.0f MB | %.2f s | %.0f | %.1f MB | %.1f MB | %.2f s | %.1f MB | %.1f MB |\n",
      n, b/1e6, ft, (ft > 0 ? b/1e6/ft : 0), fr/1024, fh/1e6, st, sr/1024, sh/1e6 }'
done
