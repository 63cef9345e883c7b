#!/usr/bin/env bash
# Times the whole binary on generated plans and prints Markdown tables: wall time and peak RSS
# (from /usr/bin/time, the plain build), peak heap (one more run of the heap-stats build), for a file and for stdin, and beside each
# row the floor measured in the same run on the same file (examples/floor.rs: mmap + memchr, read +
# memchr; for stdin, the pipe alone: cat | wc -l), so that a loaded machine moves both, and the plan reader alone ("scan only": map, UTF-8,
# scan, kept entries parsed; no judging, no report). Before timing, each plan's verdict counts on
# file and stdin are checked against the generator's truth (<plan>.expected.json). The cost per
# function comes from a pair: the same number of resources with no Lambda functions ("empty
# twin", scaled to the row's size), (file time - twin time) / functions. "with sources" is the file
# run with --source-root (the Action reads sources by default where it finds .tf files) over a
# one-block source tree that configures none of the plan's resources: the cost of reading the plan
# for the source layer.
#
#   scripts/bench.sh                      # the goal rows (730 MB at 1, 10, 30 % Lambda), sizes, doubling
#   ROWS="15000:1 15000:10" scripts/bench.sh   # RESOURCES:PERCENT rows only
#   RUNS=5 scripts/bench.sh               # best of N runs (default 5), warm page cache
#   DOUBLING=0 scripts/bench.sh           # without the doubling series
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${ROWS:-"1500:1 15000:1 17000:30 100000:1 100000:10 100000:30 140000:10"}
DOUBLING=${DOUBLING:-"1"}
RUNS=${RUNS:-5}
DIR=${BENCH_DIR:-target/bench}
mkdir -p "$DIR"
SOURCES="$DIR/sources"
mkdir -p "$SOURCES"
printf 'resource "aws_lambda_function" "benchmark" {\n  function_name = "benchmark"\n}\n' >"$SOURCES/main.tf"

# The heap is counted by a build with the counting allocator; times and RSS come from the plain
# build (the counter adds an atomic operation to every allocation).
cargo build --release --quiet --features heap-stats
cp target/release/tracegate "$DIR/tracegate-heap-stats"
cargo build --release --quiet --bin tracegate --example gen_plan --example floor
BIN=${BIN:-target/release/tracegate}   # BIN=path/to/another/build compares builds on the same plans
HEAP_BIN="$DIR/tracegate-heap-stats"
FLOOR=target/release/examples/floor

# best-of-N of a command that runs "@BIN@": prints "seconds max_rss_kb peak_heap_bytes"; the
# heap from one more run with the counting build.
measure() {
  local best="" line heap
  for _ in $(seq "$RUNS"); do
    line=$( { /usr/bin/time -f "TIME %e %M" bash -c "${1//@BIN@/$BIN}" >/dev/null; } 2>&1 | awk '/^TIME/ {print $2, $3}')
    if [ -z "$best" ] || awk -v a="${line%% *}" -v b="${best%% *}" 'BEGIN {exit !(a < b)}'; then best=$line; fi
  done
  heap=$( { bash -c "${1//@BIN@/$HEAP_BIN}" >/dev/null; } 2>&1 | awk '/peak heap/ {h=$4} END {print h}')
  echo "$best $heap"
}

# The page cache is dropped for the plan and filled again by one sequential read before it is
# timed: how the cache holds a file moves the floor itself (mmap + memchr over the 730 MB plan:
# 0.026 s after a sequential read, 0.11-0.13 s after the file came back through page faults of a
# map, e.g. once a build had evicted it), so every row starts from the same state.
settle() {
  dd if="$1" iflag=nocache count=0 2>/dev/null
  dd if="$1" of=/dev/null bs=16M 2>/dev/null
}

plan_for() { # resources percent -> path (generated once)
  local plan="$DIR/plan-$1-$2.json"
  [ -f "$plan" ] || ./target/release/examples/gen_plan --resources "$1" --lambda-percent "$2" --out "$plan" >/dev/null
  echo "$plan"
}

declare -A TWIN # resources -> "seconds bytes" of the plan with no functions

row() { # resources percent
  local n=$1 p=$2 plan bytes functions ft fr fh st sr sh pt mm rm sc tt tb twin wt wr
  plan=$(plan_for "$n" "$p")
  bytes=$(stat -L -c %s "$plan")
  functions=$(sed 's/.*"functions":\([0-9]*\).*/\1/' "$plan.expected.json")
  settle "$plan"
  read -r mm rm sc < <("$FLOOR" "$plan" "$RUNS" | awk '$1 == "mmap+memchr" {m=$2} $1 == "read+memchr" {r=$2} $1 == "scan" {s=$2} END {print m, r, s}')
  # The verdicts first: file and stdin both give the generator's truth.
  for via in file stdin; do
    # The generator's truth is the tracing rule's; the timed runs below run every default rule.
    if [ "$via" = file ]; then "$BIN" check "$plan" --format json --skip-rule TG.LAMBDA.XRAY.PERMISSION >"$DIR/out.json" 2>/dev/null || true
    else "$BIN" check - --format json --skip-rule TG.LAMBDA.XRAY.PERMISSION <"$plan" >"$DIR/out.json" 2>/dev/null || true; fi
    got=$(sed -n 's/.*"summary": *{[^}]*"functions": *\([0-9]*\), *"pass": *\([0-9]*\), *"fail": *\([0-9]*\), *"unknown": *\([0-9]*\).*/\1 \2 \3 \4/p' <(tr -d '\n' <"$DIR/out.json"))
    want=$(sed 's/.*"functions":\([0-9]*\),"pass":\([0-9]*\),"fail":\([0-9]*\),"unknown":\([0-9]*\).*/\1 \2 \3 \4/' "$plan.expected.json")
    [ "$got" = "$want" ] || { echo "verdicts differ from the generator's truth ($via, $plan): got '$got', want '$want'" >&2; exit 1; }
  done
  read -r ft fr fh < <(measure "@BIN@ check '$plan' --format sarif --output '$DIR/out.sarif' || [ \$? -eq 1 ]")
  read -r st sr sh < <(measure "cat '$plan' | @BIN@ check - --format sarif --output '$DIR/out.sarif' || [ \$? -eq 1 ]")
  read -r wt wr _ < <(measure "@BIN@ check '$plan' --source-root '$SOURCES' --format sarif --output '$DIR/out.sarif' || [ \$? -eq 1 ]")
  # What the pipe alone costs: cat writing and a reader counting lines, on the same two cores.
  read -r pt _ _ < <(measure "cat '$plan' | wc -l")
  if [ -z "${TWIN[$n]:-}" ]; then
    twin=$(plan_for "$n" 0)
    settle "$twin"
    read -r tt _ _ < <(measure "@BIN@ check '$twin' --format sarif --output '$DIR/out.sarif'")
    TWIN[$n]="$tt $(stat -L -c %s "$twin")"
  fi
  read -r tt tb <<<"${TWIN[$n]}"
  awk -v n="$n" -v p="$p" -v b="$bytes" -v fn="$functions" -v ft="$ft" -v fr="$fr" -v fh="$fh" \
      -v st="$st" -v sr="$sr" -v sh="$sh" -v pt="$pt" -v mm="$mm" -v rm="$rm" -v sc="$sc" -v tt="$tt" -v tb="$tb" -v wt="$wt" -v wr="$wr" 'BEGIN {
    per = (fn > 0 ? (ft - tt * b / tb) / fn * 1e6 : 0)
    printf "| %d | %d %% | %d | %.0f MB | %.3f s | %.0f | %.1f µs | %.1f MB | %.1f MB | %.3f s | %.2f× | %.3f s | %.2f× | %.1f MB | %.1f MB | %.3f s | %.2f× | %.3f s | %.3f s | %.2f× | %.3f s | %.2f× | %.1f MB |\n",
      n, p, fn, b/1e6, ft, (ft > 0 ? b/1e6/ft : 0), per, fr/1024, fh/1e6, st,
      (ft > 0 ? st/ft : 0), pt, (pt > 0 ? st/pt : 0), sr/1024, sh/1e6, sc, (mm > 0 ? sc/mm : 0), mm, rm, (mm > 0 ? ft/mm : 0),
      wt, (ft > 0 ? wt/ft : 0), wr/1024 }'
}

header() {
  echo "| resources | Lambda | functions | plan size | file: wall | file: MB/s | per function | file: peak RSS | file: peak heap | stdin: wall | stdin/file | pipe floor: cat \\| wc -l | stdin/pipe floor | stdin: peak RSS | stdin: peak heap | scan only | scan/floor | floor: mmap+memchr | floor: read+memchr | file/floor | with sources: wall | sources/file | with sources: peak RSS |"
  echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
}

echo "Skipper backend: $(grep -q avx2 /proc/cpuinfo && echo avx2 || echo sse2); $(nproc) cores; best of $RUNS"
echo
header
for spec in $ROWS; do
  row "${spec%%:*}" "${spec##*:}"
done

if [ "$DOUBLING" = "1" ]; then
  echo
  echo "Doubling series (10 % Lambda): the time per MB stays flat when there is no superlinear term."
  echo
  header
  for n in 1500 3000 6000 12000 24000 48000 96000; do
    row "$n" 10
  done
fi
