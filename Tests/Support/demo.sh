#!/usr/bin/env bash
# Placeholder until the demo issue lands: builds and runs `kubectl gitops version --client`.
set -euo pipefail
cd "$(dirname "$0")/../.."
"$(swift build --show-bin-path)/kubectl-gitops" --version
