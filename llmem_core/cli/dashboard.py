"""`llmem dashboard`: start the Streamlit dashboard of the installed package."""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
from importlib import resources
from pathlib import Path

from llmem_core.errors import InputError

NAME = "dashboard"
HELP = "start the dashboard in a browser (extra: dashboard)"


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "streamlit_args",
        nargs=argparse.REMAINDER,
        help="passed to `streamlit run` (e.g. --server.port 8502)",
    )


def app_path() -> Path:
    try:
        return Path(str(resources.files("llmem_dashboard") / "app.py"))
    except ModuleNotFoundError:
        raise InputError(
            "command", "the dashboard is not installed; pip install 'llmem[dashboard]'"
        ) from None


def run(args: argparse.Namespace) -> int:
    app = app_path()
    if importlib.util.find_spec("streamlit") is None:
        raise InputError("command", "the dashboard needs its extra: pip install 'llmem[dashboard]'")
    # Streamlit reads .streamlit/config.toml from the working directory: the package's own
    # (headless serving, upload limit, no error details on the page, the theme).
    return subprocess.call(
        [sys.executable, "-m", "streamlit", "run", str(app), *args.streamlit_args], cwd=app.parent
    )
