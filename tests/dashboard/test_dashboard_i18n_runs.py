"""Issue #14: the "Your measured runs" section in Japanese. Every message it can show is
provoked here — an upload the core's llmem_core.runs refuses (malformed file, wrong format
version, unknown GPU, figures out of order or past the GPU, a `measure --json` off a GPU),
a store llmem_core.store refuses (not SQLite, another program's, a newer schema, a damaged
schema table, locked, a directory), a stored row that no longer validates, and every
calibration refusal of llmem_core.calibration — and its Japanese must exist, keep the core's
figures and leave no English sentence (paths, field names, values, `code` and a quoted
system message stay as written)."""

from __future__ import annotations

import json
import os
import re
import sqlite3
from pathlib import Path

import pytest

from llmem_core.calibration import Family, Point, Refusal, fit
from llmem_core.errors import InputError
from llmem_core.store import FILE_NAME, SCHEMA_VERSION, Store
from llmem_dashboard.i18n_core import core_text
from llmem_dashboard.runs_view import MAX_FILES, check_uploads
from llmem_dashboard.safe import plain
from tests.dashboard.page import on_tab
from tests.dashboard.test_dashboard_i18n_refusals import CODE, ENGLISH, JAPANESE, translated

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
# A system's own words (the OS's strerror, SQLite's error) quoted in 「」: shown as written.
QUOTED = re.compile(r"「[^」]*」")


def assert_japanese(text: str) -> None:
    """As the refusal sweep's check, with quoted system words kept as written."""
    ja = translated(text)
    assert ja is not None, text
    assert JAPANESE.search(ja), (text, ja)
    left = ENGLISH.findall(CODE.sub("", QUOTED.sub("", ja)))
    assert not left, (text, ja, left)
    numbers = [n.rstrip(".,") for n in re.findall(r"(?<![\w.-])\d[\d,.]*(?![\w-])", text)]
    assert all(n in ja for n in numbers), (text, ja)  # the core's figures survive


GiB = 2**30
RUN = {
    "format": "llmem-run/1",
    "plan": {"model": "meta-llama/Llama-3.1-8B", "gpu": "a100-80gb", "num_gpus": 1,
             "method": "single", "batch_size": 1, "seq_len": 2048, "precision": "amp-bf16"},
    "measured": {"max_memory_reserved": 70 * GiB, "device_used": 71 * GiB},
    "source": "test",
}  # fmt: skip
PLAN = RUN["plan"]
MEASURE = {"peak_bytes_steady": 1, "max_memory_reserved": 5 * GiB, "model": "gpt2"}

BAD_UPLOADS = {
    "not-json": b"{not json",
    "not-an-object": b"5",
    "format-version": {**RUN, "format": "llmem-run/2"},
    "unknown-field": {**RUN, "extra": 1},
    "no-gpu": {**RUN, "plan": {**PLAN, "gpu": None}},
    "unknown-gpu": {**RUN, "plan": {**PLAN, "gpu": "nope"}},
    "bad-batch": {**RUN, "plan": {**PLAN, "batch_size": 0}},
    "bad-plan": {**RUN, "plan": {**PLAN, "method": "single", "num_gpus": 4}},
    "nothing-measured": {**RUN, "measured": {}},
    "out-of-order": {**RUN, "measured": {"max_memory_allocated": 80 * GiB,
                                         "max_memory_reserved": 70 * GiB}},
    "past-the-gpu": {**RUN, "measured": {"device_used": 900 * GiB}},
    "not-bytes": {**RUN, "measured": {"device_used": "40 GiB"}},
    "long-source": {**RUN, "source": "x" * 3000},
    "list-item": [RUN, {**RUN, "measured": {}}],
    "too-many-runs": b"[" + b"1," * 10_001 + b"1]",
    "measure-on-cpu": {**MEASURE, "device": "cpu"},
    "measure-unknown-gpu": {**MEASURE, "device": "cuda", "gpu": "Weird Card 9000",
                            "gpu_total_bytes": 10 * GiB},
}  # fmt: skip


def _bytes(value: object) -> bytes:
    return value if isinstance(value, bytes) else json.dumps(value).encode()


@pytest.mark.parametrize("upload", BAD_UPLOADS.values(), ids=BAD_UPLOADS)
def test_every_refused_run_file_is_said_in_japanese(upload):
    problem = check_uploads([("run.json", _bytes(upload))]).problem
    assert problem is not None, upload
    assert_japanese(problem[2])


def test_too_many_files_is_said_in_japanese():
    files = [("run.json", _bytes(RUN))] * (MAX_FILES + 1)
    assert_japanese(check_uploads(files).problem[2])


# ---- the store --------------------------------------------------------------------------------


def _refusal(call) -> str:
    with pytest.raises(InputError) as caught:
        call()
    return caught.value.message


def _run():
    return check_uploads([("run.json", _bytes(RUN))]).runs[0]


def _stored(path: Path) -> None:
    Store(path).add([_run()])


def _not_sqlite(path: Path) -> None:
    path.write_bytes(b"my notes, not a database\n" * 10)


def _foreign(path: Path) -> None:
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE users (name TEXT)")


def _schema(version: object):
    def set_version(path: Path) -> None:
        _stored(path)
        with sqlite3.connect(path) as db:
            db.execute("UPDATE schema_version SET version = ?", (version,))

    return set_version


def _truncated(path: Path) -> None:
    store = Store(path)
    store.add([_run()] * 40)
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) // 2])


def _directory(path: Path) -> None:
    path.mkdir()


BAD_STORES = {
    "not-sqlite": _not_sqlite,
    "foreign": _foreign,
    "newer-schema": _schema(SCHEMA_VERSION + 1),
    "damaged-schema-table": _schema("one"),
    "truncated": _truncated,
    "a-directory": _directory,
}


@pytest.mark.parametrize("spoil", BAD_STORES.values(), ids=BAD_STORES)
def test_every_refused_store_is_said_in_japanese(tmp_path, spoil):
    path = tmp_path / FILE_NAME
    spoil(path)
    assert_japanese(_refusal(Store(path).runs))
    assert_japanese(_refusal(lambda: Store(path).add([_run()])))


def test_a_locked_store_is_said_in_japanese(tmp_path):
    path = tmp_path / FILE_NAME
    _stored(path)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        assert_japanese(_refusal(lambda: Store(path, timeout_s=0.05).add([_run()])))
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_a_store_under_a_file_is_said_in_japanese(tmp_path):
    (tmp_path / "home").write_text("a file where the store's folder should be")
    assert_japanese(_refusal(lambda: Store(tmp_path / "home" / FILE_NAME).add([_run()])))


def test_a_stored_run_that_no_longer_validates_is_said_in_japanese(tmp_path):
    path = tmp_path / FILE_NAME
    _stored(path)
    for document in ('{"format": NaN}', json.dumps({**RUN, "format": "llmem-run/9"})):
        with sqlite3.connect(path) as db:
            db.execute("UPDATE runs SET document = ?", (document,))
        (row,) = Store(path).runs()
        assert_japanese(row.problem)


# ---- calibration refusals (calibration.fit on hand-made points, as tests/test_calibration.py) --


def _points(factor: float = 1.1, outside: int = GiB) -> list[Point]:
    sizes = (10 * GiB, 23 * GiB, 41 * GiB)
    return [Point(i + 1, m - GiB, m, outside, None, round(factor * m), None)
            for i, m in enumerate(sizes)]  # fmt: skip


def _with_device(points: list[Point], gap: int) -> list[Point]:
    return [p._replace(device=p.reserved + gap) for p in points]


REFUSED_FITS = {
    "disagree": lambda: [*_points()[:2], _points(1.6)[2]],
    "device-disagrees": lambda: [
        *_with_device(_points()[:2], GiB), *_with_device(_points()[2:], 9 * GiB)
    ],
    "factor-out-of-range": lambda: _points(1 / 1024),
    "device-below-reserved": lambda: _with_device(_points(), -GiB),
    "device-below-outside": lambda: [
        p._replace(reserved=None, device=GiB // 2) for p in _points(outside=GiB)
    ],
}  # fmt: skip


@pytest.mark.parametrize("points", REFUSED_FITS.values(), ids=REFUSED_FITS)
def test_every_calibration_refusal_is_said_in_japanese(points):
    refused = fit("a100-80gb", Family.SINGLE, points())
    assert isinstance(refused, Refusal), refused
    assert_japanese(refused.message)
    assert_japanese(f"calibration refused, estimate uncalibrated: {refused.message}")


# ---- on the page ----------------------------------------------------------------------------


def _page_texts(at) -> list[str]:
    return [plain(e.value) for e in (*at.error, *at.caption)]


def test_the_japanese_page_says_a_refused_upload_in_japanese(app):
    app.query_params["lang"] = "ja"
    on_tab(app, "runs")
    at = app.run()
    bad = _bytes({**RUN, "format": "llmem-run/2"})
    at = at.file_uploader(key="run_files_0").upload("mine.json", bad, "application/json").run()
    assert not at.exception, at.exception
    errors = [plain(e.value) for e in at.error]
    assert any("'llmem-run/1'である必要があります" in e for e in errors), errors
    assert not any("must be" in e for e in errors), errors


def test_the_japanese_page_says_a_refused_store_in_japanese(app):
    path = Path(os.environ["LLMEM_HOME"]) / FILE_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    _foreign(path)
    app.query_params["lang"] = "ja"
    on_tab(app, "runs")
    at = app.run()
    assert not at.exception, at.exception
    errors = [plain(e.value) for e in at.error]
    assert any("別のプログラムのSQLiteデータベース" in e for e in errors), errors
    assert not any(re.search(r"another program", e) for e in errors), errors


def test_the_japanese_page_says_a_calibration_refusal_in_japanese(app):
    """Two stored runs of the default plan's GPU (A100-80GB), 60 % apart: the fit refuses them
    and the caption under the headline says why."""
    plan = {**PLAN, "method": "adp", "num_gpus": 4, "batch_size": 4}
    runs = [{**RUN, "plan": {**plan, "seq_len": seq},
             "measured": {"max_memory_reserved": gib * GiB}}
            for seq, gib in ((1024, 20), (2048, 60))]  # fmt: skip
    Store().add(list(check_uploads([("r.json", _bytes(runs))]).runs))
    app.query_params["lang"] = "ja"
    at = app.run()
    assert not at.exception, at.exception
    notes = [c for c in _page_texts(at) if c.startswith("未補正")]
    assert any("補正を拒否しました" in n for n in notes), notes
    assert not any("disagree" in n or "refused" in n for n in notes), notes
    assert core_text("runs disagree", "ja") == "runs disagree"  # a made-up shape stays English
