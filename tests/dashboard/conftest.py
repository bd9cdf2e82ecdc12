"""Fixtures for the dashboard tests: presets, a plan runner, and an AppTest factory."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from llmem_core import load_gpus, load_models
from llmem_core.cli.dashboard import app_path
from llmem_dashboard import compute
from llmem_dashboard.compute import FieldError, Results
from llmem_dashboard.state import DEFAULT, PlanInputs

APP = app_path()  # the installed package's page, as `llmem dashboard` runs it


@pytest.fixture(scope="session")
def models():
    return load_models()


@pytest.fixture(scope="session")
def gpus():
    return load_gpus()


@pytest.fixture(scope="session")
def run_plan(models, gpus) -> Callable[..., Results | FieldError]:
    """run_plan(batch_size=8, …): the dashboard's compute for the default plan with changes."""

    def run(**changes) -> Results | FieldError:
        plan: PlanInputs = DEFAULT.with_(**changes)
        return compute.run(plan, models[plan.model].architecture, gpus)

    return run


@pytest.fixture(scope="session")
def default_results(run_plan) -> Results:
    res = run_plan()
    assert isinstance(res, Results)
    return res


@pytest.fixture
def app():
    """A fresh AppTest of the page (not yet run)."""
    from streamlit.testing.v1 import AppTest

    return AppTest.from_file(str(APP), default_timeout=60)
