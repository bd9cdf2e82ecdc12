"""A wheel built from the project installs into a fresh virtual environment (not editable) and
estimates and plans from a directory outside the checkout: the presets travel as package data."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _source_copy(dest: Path) -> Path:
    """The project as a clean checkout has it (tracked and unignored files), so stale build
    outputs of this working tree cannot leak into the wheel."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for name in listed.splitlines():
        src = ROOT / name
        if src.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)
    return dest


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    src = _source_copy(tmp_path_factory.mktemp("src"))
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(src)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    return out


def test_the_wheel_carries_the_data(dist: Path) -> None:
    wheel = next(dist.glob("*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for data in ("hf-model-configs.json", "gpus.json", "activation-recipes.json"):
        assert f"llmem_core/presets/{data}" in names
    assert "llmem_core/measure/fake_cuda_guard.cpp" in names
    assert "llmem_dashboard/app.py" in names and "llmem_dashboard/.streamlit/config.toml" in names
    assert next(dist.glob("*.tar.gz"))  # and an sdist


@pytest.mark.slow
def test_a_wheel_install_outside_the_checkout_estimates_and_plans(
    dist: Path, tmp_path: Path
) -> None:
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    py = env_dir / "bin" / "python"
    subprocess.run(
        [str(py), "-m", "pip", "install", "-q", str(next(dist.glob("*.whl")))],
        check=True,
        capture_output=True,
        timeout=600,
    )
    clean = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "LLMEM_PRESETS")}
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()

    def llmem(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(env_dir / "bin" / "llmem"), *args],
            cwd=elsewhere,
            env=clean,
            capture_output=True,
            text=True,
            timeout=120,
        )

    est = llmem(
        "estimate",
        "--model",
        "meta-llama/Llama-3.1-8B",
        "--gpu",
        "a100-80gb",
        "--num-gpus",
        "4",
        "--method",
        "adp",
        "--batch-size",
        "4",
        "--seq-len",
        "2048",
        "--json",
    )
    assert est.returncode == 0, est.stderr
    assert json.loads(est.stdout)["peak_bytes"] > 0
    plan = llmem(
        "plan",
        "--model",
        "facebook/opt-1.3b",
        "--gpu",
        "v100-16gb",
        "--num-gpus",
        "4",
        "--seq-len",
        "512",
        "--json",
    )
    assert plan.returncode == 0, plan.stderr
    assert json.loads(plan.stdout)["choice"] == "adp"
    where = subprocess.run(
        [str(py), "-c", "import llmem_core; print(llmem_core.__file__)"],
        cwd=elsewhere,
        env=clean,
        capture_output=True,
        text=True,
    )
    assert str(env_dir) in where.stdout  # the installed copy, not the checkout
    # Without the dashboard extra, `llmem dashboard` says what to install (exit 2).
    dash = llmem("dashboard")
    assert dash.returncode == 2 and "llmem[dashboard]" in dash.stderr
