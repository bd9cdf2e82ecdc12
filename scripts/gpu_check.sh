#!/usr/bin/env bash
# One command on a machine with a GPU: measure about a dozen single-GPU cases chosen to test the
# allocator and outside-PyTorch terms (scripts/gpu_check.py) and write the fixtures under
# tests/fixtures/reference/gpu/. Within 10 minutes on one GPU. Without a GPU: --dry-run.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
[ -x "$PY" ] || PY=python3
exec "$PY" scripts/gpu_check.py "$@"
