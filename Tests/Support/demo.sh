#!/usr/bin/env bash
# `make demo`: the GitOps guide's pipeline end to end on this machine, with the plugin alone.
# Starts a local registry (Debian's docker-registry, 127.0.0.1 only) and the test API server with its simulated
# Flux controllers, then: render → push artifact → bootstrap oci → change → push → reconcile --with-source →
# get all -A. Everything it started is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/../.."
root="$(pwd)"
plugin="$(swift build --show-bin-path)/kubectl-gitops"
work="$(mktemp -d /tmp/kubectl-gitops-demo.XXXXXX)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

if [ -t 2 ] && [ -z "${NO_COLOR:-}" ]; then bold=$'\033[1m' plain=$'\033[0m'; else bold='' plain=''; fi
step() { printf '\n%s== %s%s\n' "$bold" "$*" "$plain" >&2; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }

step "starting a registry on 127.0.0.1"
port="$(free_port)"
mkdir -p "$work/registry"
cat > "$work/registry.yml" <<EOF
version: 0.1
log: {level: error}
storage: {filesystem: {rootdirectory: $work/registry}, delete: {enabled: true}}
http: {addr: 127.0.0.1:$port}
EOF
/usr/bin/docker-registry serve "$work/registry.yml" > "$work/registry.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$port/v2/" >/dev/null 2>&1 && break; sleep 0.1; done
echo "registry: 127.0.0.1:$port" >&2

step "starting the test API server with simulated Flux controllers"
python3 Tests/Support/kube-test-server/server.py --state-dir "$work/cluster" --controllers > "$work/cluster.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do [ -f "$work/cluster/ready.json" ] && break; sleep 0.1; done
export KUBECONFIG="$work/cluster/kubeconfig"
"$plugin" check

repo="oci://127.0.0.1:$port/podinfo"
source="https://github.com/stefanprodan/podinfo"

step "CI: render the staging manifests and push them as a Flux artifact"
echo "$ examples/render.sh examples/podinfo/staging.env | kubectl gitops push artifact $repo:staging --source=$source --revision=6.3.4 --path=-" >&2
examples/render.sh examples/podinfo/staging.env | "$plugin" push artifact "$repo:staging" --source="$source" --revision="6.3.4" --path=-

step "cluster: bootstrap the OCIRepository + Kustomization pair of the guide"
"$plugin" bootstrap oci podinfo --url "$repo" --tag staging --target-namespace apps --timeout 1m

step "CI: a change to the values (3 replicas, podinfo 6.3.5), pushed again"
examples/render.sh examples/podinfo/staging.env REPLICAS=3 VERSION=6.3.5 \
  | "$plugin" push artifact "$repo:staging" --source="$source" --revision="6.3.5" --path=-

step "cluster: reconcile now, source first, and watch the result"
"$plugin" reconcile ks podinfo --with-source --timeout 1m

step "what Flux runs now"
"$plugin" get all -A
"$plugin" list artifacts "$repo"
step "done"
