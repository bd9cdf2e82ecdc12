#!/usr/bin/env bash
# Install everything the tests need into .venv and run the whole suite (the README's command).
# Needs only Python 3.11+; as root it also installs Debian's chromium and g++ for the browser
# and fake-GPU tests (elsewhere those tests say what is missing).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  need=()
  command -v chromium >/dev/null || need+=(chromium)
  command -v g++ >/dev/null || need+=(g++)
  # CJK glyphs for the Japanese dashboard screenshots of the browser test
  { command -v fc-list >/dev/null && fc-list | grep -qi "Noto Sans CJK"; } || need+=(fonts-noto-cjk)
  if [ ${#need[@]} -gt 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  fi
fi
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
# torch 2.13.0 (CPU build) must be asked for by exact version: it lies on local disk here, and
# any looser pin would pull a multi-GB CUDA build.
.venv/bin/python -m pip install -q "torch==2.13.0"
.venv/bin/python -m pip install -q -e '.[dashboard,measure,dev]'
.venv/bin/python -m ruff check .
exec .venv/bin/python -m pytest -q "$@"
