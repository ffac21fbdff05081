#!/usr/bin/env bash
# Set up, then run every test (unit, rules, contracts, integration and the Prefect flow tests).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export DO_NOT_TRACK=1
export PREFECT_SERVER_ANALYTICS_ENABLED=false
export PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS=120
export PREFECT_HOME="${PREFECT_HOME:-$(mktemp -d)}"
.venv/bin/python -m pytest "$@"
