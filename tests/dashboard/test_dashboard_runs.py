"""The "your measured runs" section (issue #11) under streamlit.testing, and its pure parts:
uploads validated like `llmem runs add` and stored only when valid and asked for; the stored
runs beside the estimate; the calibration the headline's estimate carries."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from llmem_core.store import FILE_NAME, Store
from llmem_dashboard.runs_view import calibration_text, check_uploads, runs_table
from llmem_dashboard.safe import plain
from tests.dashboard.page import on_tab

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

RUN = {
    "format": "llmem-run/1",
    "plan": {"model": "meta-llama/Llama-3.1-8B", "gpu": "a100-80gb", "num_gpus": 1,
             "method": "single", "batch_size": 1, "seq_len": 2048, "precision": "amp-bf16"},
    "measured": {"max_memory_reserved": 70 * 2**30, "device_used": 71 * 2**30},
    "source": "test",
}  # fmt: skip


def store_path() -> Path:
    return Path(os.environ["LLMEM_HOME"]) / FILE_NAME


def _captions(at) -> list[str]:
    return [plain(c.value) for c in at.caption]


def _peak(at) -> str:
    return next(m.value for m in at.metric if m.label == "Peak per GPU (nvidia-smi)")


def test_check_uploads_is_all_or_nothing() -> None:
    good = ("good.json", json.dumps(RUN).encode())
    bad = ("bad.json", json.dumps({**RUN, "measured": {"device_used": -1}}).encode())
    assert len(check_uploads([good, good]).runs) == 2
    checked = check_uploads([good, bad])
    assert checked.runs == () and checked.problem[:2] == ("bad.json", "measured.device_used")
    assert check_uploads([("n.json", b'{"format": NaN}')]).problem[1] == "file"


def test_runs_table_shows_the_estimate_beside_the_measurement() -> None:
    run = check_uploads([("a.json", json.dumps(RUN).encode())]).runs[0]
    Store().add([run])
    table = runs_table(Store().runs())
    row = table.iloc[0]
    assert row["measured_gib"] == 70.0 and row["level"] == "max_memory_reserved"
    expected = round(100 * (row["estimate_gib"] - 70.0) / 70.0, 1)
    assert row["error_pct"] == pytest.approx(expected, abs=0.2)


def test_calibration_text_when_off_or_absent() -> None:
    assert calibration_text(None, None, "en", False) == "Calibration off."
    assert "no measured runs" in calibration_text(None, None, "en", True)
    assert "disagree" in plain(calibration_text(None, "runs disagree", "en", True))


def test_uploading_a_run_stores_it_and_calibrates_the_page(app) -> None:
    on_tab(app, "runs")
    at = app.run()
    peak_before = _peak(at)
    assert any("Not calibrated" in c for c in _captions(at))
    assert any(str(store_path()) in c for c in _captions(at))  # the store's path is shown
    at.file_uploader(key="run_files_0").upload(
        "mine.json", json.dumps(RUN).encode(), "application/json"
    ).run()
    assert not at.exception
    assert any("1 run(s) valid, not stored yet" in c for c in _captions(at))
    assert not store_path().exists()  # nothing stored before the button
    at.button(key="runs_add").click().run()
    assert not at.exception
    assert [plain(s.value) for s in at.success] == ["Stored as run(s) 1."]
    assert [r.id for r in Store().runs()] == [1]
    # the default plan is 4 × A100-80GB: the pooled A100 fit applies (a only)
    assert any("Calibrated on 1 measured run(s) of a100-80gb" in c for c in _captions(at))
    assert _peak(at) != peak_before  # the headline's figure is the calibrated one
    table = next(d.value for d in at.dataframe if "error_pct" in d.value.columns)
    assert table["id"].tolist() == [1] and table["measured_gib"].tolist() == [70.0]


def test_a_bad_upload_stores_nothing(app) -> None:
    on_tab(app, "runs")
    at = app.run()
    bad = {**RUN, "measured": {"max_memory_reserved": 20}}  # GiB where bytes belong
    at.file_uploader(key="run_files_0").upload(
        "[evil](http://x).json", json.dumps(bad).encode(), "application/json"
    ).run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and "measured.max_memory_reserved" in plain(errors[0])
    assert "](http" not in errors[0]  # the file name is shown as text, not as a link
    assert not [b for b in at.button if b.key == "runs_add"]
    assert not store_path().exists()
