#!/usr/bin/env bash
# Install the dashboard into .venv and start it on the embedded default plan (the README's command).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q -e '.[dashboard]'
if [ -f dashboard/app.py ]; then
  exec .venv/bin/python -m streamlit run dashboard/app.py "$@"
fi
# Until the dashboard lands: the CLI on a demo plan.
.venv/bin/llmem plan --model meta-llama/Llama-3.1-8B --gpu a100-80gb --num-gpus 4 --seq-len 2048
