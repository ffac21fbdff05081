#!/usr/bin/env bash
# Set up, then run the main job: the Prefect flow `monthly_payroll` on the sample batch (October 2026).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export DO_NOT_TRACK=1
export PREFECT_HOME="${PREFECT_HOME:-$PWD/.prefect}"
.venv/bin/payroll run sample_data/batch_2026_10 --period 2026-10 --run-date 2026-11-02 \
  --out out/2026-10 --store run_store --overwrite --replace --via-prefect "$@"
