#!/usr/bin/env bash
# Benchmark of `kubectl-gitops build artifact` and `push artifact` (not a test; run on demand), release build of the
# CLI. Builds a deterministic payload, then measures in the same run with /usr/bin/time -v:
#   gzip      tar | gzip -6 | sha256sum            (single-threaded baseline)
#   pigz      tar | pigz -6 -n | sha256sum         (parallel baseline)
#   build     kubectl-gitops build artifact         (tar + parallel gzip + sha256 into a file)
#   push      kubectl-gitops push artifact          (build + upload to a local docker-registry over loopback)
#   repush    the same push with --skip-unchanged  (tar digest only, nothing uploaded)
#   oras      oras-py pushing the same directory as one tar+gzip layer (only when `python3 -c "import oras"` works;
#             `pip install oras` adds it): the reference client the issue names
# and prints wall, CPU, peak RSS, size, and the ratios; bytes uploaded come from the registry's storage.
#
# Usage: bench/push.sh [--mib 200] [--files 2000] [--seed N] [--work DIR] [--no-build]
set -euo pipefail
cd "$(dirname "$0")/.."

MIB=200 FILES=2000 SEED=20261126 WORK=${TMPDIR:-/tmp}/kubectl-gitops-bench BUILD=1
while [ $# -gt 0 ]; do
  case $1 in
    --mib) MIB=$2; shift 2;; --files) FILES=$2; shift 2;; --seed) SEED=$2; shift 2;;
    --work) WORK=$2; shift 2;; --no-build) BUILD=0; shift;;
    *) echo "unknown argument $1" >&2; exit 64;;
  esac
done
PAYLOAD=$WORK/payload-$MIB-$FILES-$SEED
mkdir -p "$WORK"

# The shipped binary: the Makefile's release flags (static Swift runtime, stripped).
[ "$BUILD" = 1 ] && swift build -c release --static-swift-stdlib -Xlinker -s --product kubectl-gitops >&2
CLI=$(swift build -c release --show-bin-path)/kubectl-gitops
[ -x "$CLI" ] || { echo "no release build at $CLI" >&2; exit 1; }

if [ ! -f "$PAYLOAD/.complete" ]; then
  rm -rf "$PAYLOAD"; mkdir -p "$PAYLOAD"
  echo "generating $MIB MiB in $FILES files (seed $SEED) in $PAYLOAD" >&2
  # Half Kubernetes-like YAML (compressible), half random bytes, in nested folders; Mersenne Twister seeded, so the
  # same seed gives the same tree on every machine.
  python3 - "$PAYLOAD" "$MIB" "$FILES" "$SEED" <<'PY'
import os, random, sys
root, mib, files, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
rng = random.Random(seed)
per_file = max(1, (mib << 20) // max(1, files))
kinds = ["Deployment", "Service", "ConfigMap", "Ingress", "StatefulSet", "CronJob"]
words = ["frontend", "backend", "cache", "queue", "worker", "gateway", "metrics", "auth", "search", "billing"]
def yaml_text(size):
    parts, total = [], 0
    while total < size:
        name = f"{rng.choice(words)}-{rng.randrange(100000):x}"
        doc = (f"apiVersion: apps/v1\nkind: {rng.choice(kinds)}\nmetadata:\n  name: {name}\n  namespace: team-{rng.randrange(40)}\n"
               f"  labels:\n    app.kubernetes.io/name: {name}\n    app.kubernetes.io/version: \"{rng.randrange(10)}.{rng.randrange(30)}.{rng.randrange(100)}\"\n"
               f"spec:\n  replicas: {1 + rng.randrange(9)}\n  template:\n    spec:\n      containers:\n        - name: main\n"
               f"          image: registry.example.com/{name}:{rng.getrandbits(48):012x}\n"
               f"          resources:\n            limits: {{cpu: {100 + rng.randrange(1900)}m, memory: {64 * (1 + rng.randrange(32))}Mi}}\n---\n")
        parts.append(doc); total += len(doc)
    return "".join(parts).encode()[:size]
for index in range(files):
    folder = os.path.join(root, f"group-{index % 10}", f"set-{index % 7}")
    os.makedirs(folder, exist_ok=True)
    size = per_file // 2 + rng.randrange(per_file + 1)
    text = index % 2 == 0
    data = yaml_text(size) if text else rng.randbytes(size)
    with open(os.path.join(folder, f"file-{index:05d}" + (".yaml" if text else ".bin")), "wb") as f:
        f.write(data)
PY
  touch "$PAYLOAD/.complete"
fi
# Warm the page cache so every contender reads from memory.
tar -cf - -C "$PAYLOAD" . >/dev/null

# A local registry for the push (plain HTTP on a free loopback port); removed on exit.
REG=$WORK/registry
rm -rf "$REG"; mkdir -p "$REG"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$REG/config.yml" <<YML
version: 0.1
log: {level: info, formatter: text}
storage: {filesystem: {rootdirectory: $REG/storage}, maintenance: {uploadpurging: {enabled: false}}}
http: {addr: 127.0.0.1:$PORT, secret: bench}
YML
env -i PATH=/usr/bin:/bin HOME="$REG" /usr/bin/docker-registry serve "$REG/config.yml" >"$REG/log" 2>&1 &
REGISTRY_PID=$!
trap 'kill "$REGISTRY_PID" 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/v2/" >/dev/null && break; sleep 0.1; done
uploaded_bytes() {
  local blobs=$REG/storage/docker/registry/v2/blobs
  [ -d "$blobs" ] || { echo 0; return; }
  find "$blobs" -type f -name data -printf '%s\n' | awk '{s += $1} END {print s + 0}'
}

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
rm -f "$WORK"/*.tgz
TARFLAGS=(--sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf - -C "$PAYLOAD" .)
URL=oci://127.0.0.1:$PORT/bench/app:v1
PUSH=(push artifact "$URL" --path "$PAYLOAD" --source https://example.com/bench --revision "seed-$SEED" --reproducible)
measure gzip bash -c "tar ${TARFLAGS[*]@Q} | gzip -6 | tee '$WORK/gzip.tgz' | sha256sum >/dev/null"
measure pigz bash -c "tar ${TARFLAGS[*]@Q} | pigz -6 -n | tee '$WORK/pigz.tgz' | sha256sum >/dev/null"
measure build "$CLI" build artifact --path "$PAYLOAD" -o "$WORK/build.tgz" 2>/dev/null
gzip -t "$WORK/build.tgz"
before=$(uploaded_bytes)
measure push "$CLI" "${PUSH[@]}" 2>"$WORK/push.err"
push_bytes=$(( $(uploaded_bytes) - before ))
grep -q 'artifact successfully pushed' "$WORK/push.err" || { cat "$WORK/push.err" >&2; exit 1; }
puts_before=$(grep -c 'http.request.method=PUT ' "$REG/log" || true)
before=$(uploaded_bytes)
measure repush "$CLI" "${PUSH[@]}" --skip-unchanged --revision "seed-$SEED-again" 2>"$WORK/repush.err"
repush_bytes=$(( $(uploaded_bytes) - before ))
repush_puts=$(( $(grep -c 'http.request.method=PUT ' "$REG/log" || true) - puts_before ))
grep -q 'artifact unchanged' "$WORK/repush.err" || { cat "$WORK/repush.err" >&2; exit 1; }
if python3 -c 'import oras.client' 2>/dev/null; then
  # oras-py tars and gzips the directory to a temporary file (Python's tarfile + gzip, level 9 by default),
  # then uploads it; run from the payload's parent so the layer is named after the folder.
  ORAS_TARGET="127.0.0.1:$PORT/bench/oras:v1"
  measure oras bash -c "cd ${PAYLOAD%/*} && python3 -c 'import sys, oras.client; oras.client.OrasClient(insecure=True).push(target=sys.argv[1], files=[sys.argv[2]], disable_path_validation=True)' '$ORAS_TARGET' '${PAYLOAD##*/}' >/dev/null"
fi

size() { stat -c %s "$1"; }
echo
echo "payload: $(du -sm --apparent-size "$PAYLOAD" | cut -f1) MiB, $FILES files, seed $SEED; $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-8s %9s %9s %13s %10s\n' contender wall_s cpu_s peak_rss_MiB size_MiB
while read -r name wall cpu rss; do
  file=$WORK/$name.tgz; sz=-; [ -f "$file" ] && sz=$(echo "scale=2; $(size "$file") / 1048576" | bc)
  printf '%-8s %9.2f %9.2f %13.1f %10s\n' "$name" "$wall" "$cpu" "$(echo "$rss / 1024" | bc -l)" "$sz"
done < "$WORK/figures"
get() { awk -v n="$1" -v c="$2" '$1 == n {print $c}' "$WORK/figures"; }
ratio() { echo "scale=3; $1 / $2" | bc -l; }
echo
echo "ratios (ours / baseline, same run):"
for base in gzip pigz; do
  echo "  build vs $base: wall $(ratio "$(get build 2)" "$(get $base 2)")  cpu $(ratio "$(get build 3)" "$(get $base 3)")" \
       " peak_rss $(ratio "$(get build 4)" "$(get $base 4)")  size $(ratio "$(size "$WORK/build.tgz")" "$(size "$WORK/$base.tgz")")"
  echo "  push  vs $base: wall $(ratio "$(get push 2)" "$(get $base 2)")  cpu $(ratio "$(get push 3)" "$(get $base 3)")" \
       " peak_rss $(ratio "$(get push 4)" "$(get $base 4)")"
done
if grep -q '^oras ' "$WORK/figures"; then
  echo "  push  vs oras-py push: wall $(ratio "$(get push 2)" "$(get oras 2)")  cpu $(ratio "$(get push 3)" "$(get oras 3)")" \
       " peak_rss $(ratio "$(get push 4)" "$(get oras 4)")"
fi
echo "  repush (--skip-unchanged) vs push: wall $(ratio "$(get repush 2)" "$(get push 2)")  cpu $(ratio "$(get repush 3)" "$(get push 3)")"
echo "bytes uploaded: push $push_bytes (layer $(size "$WORK/build.tgz") + config + manifest), repush $repush_bytes; PUT requests during repush: $repush_puts"
echo "peak RSS (MiB): build $(( $(get build 4) / 1024 )), push $(( $(get push 4) / 1024 )), repush $(( $(get repush 4) / 1024 )) (target <= 32)"
