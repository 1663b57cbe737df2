#!/usr/bin/env bash
# Renders examples/podinfo with a values file into one multi-document YAML stream on stdout, the way
# `timoni build` does (each object followed by `---`). Usage: render.sh VALUES_FILE [KEY=VALUE ...]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
values="$1"; shift
set -a; . "$values"; set +a
for override in "$@"; do export "$override"; done
for manifest in "$here"/podinfo/*.yaml; do
  while IFS= read -r line || [ -n "$line" ]; do
    line="${line//\$\{REPLICAS\}/$REPLICAS}"
    line="${line//\$\{VERSION\}/$VERSION}"
    line="${line//\$\{MESSAGE\}/$MESSAGE}"
    printf '%s\n' "$line"
  done < "$manifest"
  echo '---'
done
