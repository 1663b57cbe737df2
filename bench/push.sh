#!/usr/bin/env bash
# Benchmark of the artifact builder (not a test; run on demand): builds a deterministic payload and compares
# kubectl-gitops' tar + parallel gzip + sha256 with `tar | gzip -6 | sha256sum` and `tar | pigz -6 -n | sha256sum`,
# all measured in this run with /usr/bin/time -v. Prints wall, CPU, peak RSS and compressed size as ratios.
#
# Usage: bench/push.sh [--mib 200] [--files 2000] [--seed N] [--config release|debug] [--work DIR]
# Until `kubectl-gitops build artifact` exists, "ours" runs through the BENCH=build hook in
# Tests/OCITests/ArtifactBenchmarkTests.swift (the test binary; its RSS includes the test runner, so the
# in-process peak measured after resetting the watermark is printed too). Set USE_CLI=1 to use the CLI instead.
set -euo pipefail
cd "$(dirname "$0")/.."

MIB=200 FILES=2000 SEED=20261126 CONFIG=release WORK=${TMPDIR:-/tmp}/kubectl-gitops-bench
while [ $# -gt 0 ]; do
  case $1 in
    --mib) MIB=$2; shift 2;; --files) FILES=$2; shift 2;; --seed) SEED=$2; shift 2;;
    --config) CONFIG=$2; shift 2;; --work) WORK=$2; shift 2;;
    *) echo "unknown argument $1" >&2; exit 64;;
  esac
done
PAYLOAD=$WORK/payload-$MIB-$FILES-$SEED
mkdir -p "$WORK"

# The test target uses @testable imports, so a release build of it needs -enable-testing.
swift build -c "$CONFIG" --build-tests -Xswiftc -enable-testing >&2
BIN=$(swift build -c "$CONFIG" --show-bin-path)
TESTS=$BIN/kubectl-gitopsPackageTests.xctest
run_hook() { "$TESTS" --testing-library swift-testing --filter "ArtifactBenchmark/$1" >/dev/null; }

if [ ! -f "$PAYLOAD/.complete" ]; then
  rm -rf "$PAYLOAD"; mkdir -p "$PAYLOAD"
  echo "generating $MIB MiB in $FILES files (seed $SEED) in $PAYLOAD" >&2
  BENCH=generate BENCH_DIR=$PAYLOAD BENCH_MIB=$MIB BENCH_FILES=$FILES BENCH_SEED=$SEED run_hook generatePayload
  touch "$PAYLOAD/.complete"
fi
# Warm the page cache so every contender reads from memory.
tar -cf - -C "$PAYLOAD" . >/dev/null

# measure NAME COMMAND...: wall seconds, user+sys seconds, peak RSS KiB from /usr/bin/time -v
measure() {
  local name=$1; shift
  /usr/bin/time -v -o "$WORK/$name.time" "$@"
  local wall user sys rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,p,":"); s=0; for(i=1;i<=n;i++) s=s*60+p[i]; print s}' "$WORK/$name.time")
  user=$(awk -F': ' '/User time/ {print $2}' "$WORK/$name.time")
  sys=$(awk -F': ' '/System time/ {print $2}' "$WORK/$name.time")
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/$name.time")
  echo "$name $wall $(echo "$user + $sys" | bc -l) $rss" >> "$WORK/figures"
}
: > "$WORK/figures"
TARFLAGS=(--sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf - -C "$PAYLOAD" .)
measure gzip bash -c "tar ${TARFLAGS[*]@Q} | gzip -6 | tee '$WORK/gzip.tgz' | sha256sum >/dev/null"
measure pigz bash -c "tar ${TARFLAGS[*]@Q} | pigz -6 -n | tee '$WORK/pigz.tgz' | sha256sum >/dev/null"
if [ "${USE_CLI:-0}" = 1 ]; then
  measure ours "$BIN/kubectl-gitops" build artifact --path "$PAYLOAD" -o "$WORK/ours.tgz"
else
  BENCH=noop measure runner "$TESTS" --testing-library swift-testing --filter ArtifactBenchmark/baselineProcess
  BENCH=build BENCH_DIR=$PAYLOAD BENCH_OUTPUT=$WORK/ours.tgz BENCH_RESULT=$WORK/ours.inprocess \
    measure ours "$TESTS" --testing-library swift-testing --filter ArtifactBenchmark/buildArtifact
  BENCH=build BENCH_THREADS=1 BENCH_DIR=$PAYLOAD BENCH_OUTPUT=$WORK/ours1.tgz BENCH_RESULT=$WORK/ours1.inprocess \
    measure ours_1thread "$TESTS" --testing-library swift-testing --filter ArtifactBenchmark/buildArtifact
  cmp -s "$WORK/ours.tgz" "$WORK/ours1.tgz" && echo "threads=1 and threads=$(nproc) outputs are byte-identical" \
    || echo "WARNING: outputs differ between thread counts"
fi
gzip -t "$WORK/ours.tgz"

size() { stat -c %s "$1"; }
echo
echo "payload: $(du -sm --apparent-size "$PAYLOAD" | cut -f1) MiB, $FILES files, seed $SEED; $(nproc) cores; build $CONFIG"
printf '%-14s %9s %9s %11s %12s\n' contender wall_s cpu_s peak_rss_MiB size_MiB
while read -r name wall cpu rss; do
  file=$WORK/$name.tgz; [ "$name" = ours_1thread ] && file=$WORK/ours1.tgz
  sz=-; [ -f "$file" ] && sz=$(echo "scale=2; $(size "$file") / 1048576" | bc)
  printf '%-14s %9.2f %9.2f %11.1f %12s\n' "$name" "$wall" "$cpu" "$(echo "$rss / 1024" | bc -l)" "$sz"
done < "$WORK/figures"
if [ -f "$WORK/ours.inprocess" ]; then
  . <(grep -E '^(wall_seconds|cpu_seconds|rss_before_kib|peak_rss_kib)=' "$WORK/ours.inprocess")
  echo "ours in-process: wall ${wall_seconds}s cpu ${cpu_seconds}s, peak RSS during build $((peak_rss_kib / 1024)) MiB" \
       "(process RSS before build $((rss_before_kib / 1024)) MiB, growth $(((peak_rss_kib - rss_before_kib) / 1024)) MiB)"
fi
get() { awk -v n="$1" -v c="$2" '$1 == n {print $c}' "$WORK/figures"; }
ratio() { echo "scale=3; $1 / $2" | bc -l; }
echo
echo "ratios (ours / baseline, same run):"
for base in gzip pigz; do
  echo "  vs $base: wall $(ratio "$(get ours 2)" "$(get $base 2)")  cpu $(ratio "$(get ours 3)" "$(get $base 3)")" \
       " peak_rss $(ratio "$(get ours 4)" "$(get $base 4)")  size $(ratio "$(size "$WORK/ours.tgz")" "$(size "$WORK/$base.tgz")")"
done
