#!/usr/bin/env bash
# Install the dashboard into .venv and start it on the embedded default plan (the README's command).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q -e '.[dashboard]'
exec .venv/bin/llmem dashboard "$@"
