""" "Your measured runs" (issue #11): upload run files into the store, see them beside the
estimate, and the calibration the page's figures carry.

The page's only writes go to the run store ($LLMEM_HOME/llmem.sqlite, llmem_core.store),
and only after every uploaded file validated (the core's llmem_core.runs, like `llmem runs
add`) and the user pressed the button. Every figure comes from the core (calibrate.compare, the
estimate's own calibration); this module formats. User text (file names, messages echoing a
file) reaches the page through `md()` or a dataframe cell, never as Markdown or HTML.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from llmem_core import safe_json
from llmem_core.calibrate import calibrations as fit_calibrations
from llmem_core.calibrate import compare
from llmem_core.calibrated import refusal_note
from llmem_core.calibration import Calibration, Calibrations
from llmem_core.errors import InputError
from llmem_core.runs import Run, parse
from llmem_core.store import Store, StoredRun
from llmem_core.units import GiB
from llmem_dashboard.safe import md

MAX_FILES = 50
MAX_UPLOAD_MB = 1

TEXT = {
    "title": {"en": "Your measured runs", "ja": "実測したラン"},
    "intro": {
        "en": "Runs measured on your GPUs (`llmem measure --json`, `llmem_core.record`, or an "
        "llmem-run/1 file) calibrate every estimate for that GPU type.",
        "ja": "あなたの GPU で実測したラン（`llmem measure --json`、`llmem_core.record`、"
        "llmem-run/1 ファイル）が、その GPU 種別のすべての見積もりを補正します。",
    },
    "store": {"en": "Store: {path}", "ja": "保存先: {path}"},
    "upload": {"en": "Run files (JSON)", "ja": "ランファイル（JSON）"},
    "valid": {"en": "{n} run(s) valid, not stored yet.", "ja": "{n} 件は有効です（未保存）。"},
    "add": {"en": "Store these runs", "ja": "このランを保存"},
    "added": {"en": "Stored as run(s) {ids}.", "ja": "ラン {ids} として保存しました。"},
    "bad": {
        "en": "Nothing stored. {name}: {field}: {message}",
        "ja": "保存していません。{name}: {field}: {message}",
    },
    "none": {"en": "No runs stored yet.", "ja": "保存されたランはまだありません。"},
    "store_error": {
        "en": "The run store cannot be used: {message}",
        "ja": "ランの保存先を使えません: {message}",
    },
    "calibrated": {
        "en": "Calibrated on {runs} measured run(s) of {gpu} ({family}): {level} × {a}, "
        "outside PyTorch {b}, largest residual {residual} %.",
        "ja": "{gpu}（{family}）の実測 {runs} 件で補正: {level} × {a}、PyTorch 外 {b}、"
        "最大残差 {residual} %。",
    },
    "model_b": {"en": "the model's", "ja": "モデルの値"},
    "uncalibrated": {
        "en": "Not calibrated: no measured runs of this GPU type are stored.",
        "ja": "未補正: この GPU 種別の実測ランは保存されていません。",
    },
    "off": {"en": "Calibration off.", "ja": "補正はオフです。"},
    "refused": {"en": "Not calibrated: {message}", "ja": "未補正: {message}"},
}
COLUMNS = (
    "id",
    "gpu",
    "method",
    "model",
    "batch",
    "seq",
    "level",
    "measured_gib",
    "estimate_gib",
    "error_pct",
)


def tr(lang: str, key: str, **values: object) -> str:
    text = TEXT[key].get(lang, TEXT[key]["en"])
    return text.format(**{k: md(v) for k, v in values.items()})


@dataclass(frozen=True)
class Checked:
    """Uploaded files after validation: the runs, or the first problem (nothing stored)."""

    runs: tuple[tuple[str, Run], ...] = ()
    problem: tuple[str, str, str] | None = None  # file name, field, message


def check_uploads(files: list[tuple[str, bytes]]) -> Checked:
    """Every file through the core's validation, as `llmem runs add` does (pure: no store)."""
    if len(files) > MAX_FILES:
        return Checked(problem=("", "files", f"at most {MAX_FILES} files at once"))
    runs = []
    for name, data in files:
        try:
            value = safe_json.loads(safe_json.decode(data, "file", "run file"), "file", "run file")
            items = value if isinstance(value, list) else [value]
            runs += [(name, parse(item)) for item in items]
        except InputError as err:
            return Checked(problem=(name, err.field, err.message))
    return Checked(runs=tuple(runs))


def runs_table(stored: list[StoredRun]) -> pd.DataFrame:
    """One row per stored run: the measured level beside the (uncalibrated) estimate of it."""
    rows = []
    for r in stored:
        if r.run is None:
            rows.append({"id": r.id, "gpu": r.gpu, "method": r.method, "model": r.problem})
            continue
        c, plan = compare(r.run), r.run.file.plan
        rows.append(
            {
                "id": r.id,
                "gpu": r.gpu,
                "method": r.method,
                "model": plan.model if isinstance(plan.model, str) else "(embedded config)",
                "batch": plan.batch_size,
                "seq": plan.seq_len,
                "level": c.level,
                "measured_gib": round(c.measured / GiB, 2),
                "estimate_gib": round(c.modelled / GiB, 2),
                "error_pct": round(100 * c.error, 1),
            }
        )
    return pd.DataFrame(rows, columns=list(COLUMNS))


def calibration_text(cal: Calibration | None, refused: str | None, lang: str, on: bool) -> str:
    if not on:
        return tr(lang, "off")
    if cal is None:
        return tr(lang, "refused", message=refused) if refused else tr(lang, "uncalibrated")
    b = tr(lang, "model_b") if cal.b is None else f"{cal.b / GiB:.2f} GiB"
    return tr(
        lang,
        "calibrated",
        runs=cal.runs,
        gpu=cal.gpu,
        family=cal.family.value,
        level=cal.level.value,
        a=f"{cal.a:.4f}",
        b=b,
        residual=f"{cal.residual_pct:.1f}",
    )


def calibrations() -> Calibrations | None:
    """The store's fits for the page's estimates (None: no runs, or a store it cannot use —
    then the section below says why)."""
    try:
        stored = Store().runs()
    except InputError:
        return None
    usable = [(r.id, r.run) for r in stored if r.run is not None]
    return fit_calibrations(usable) if usable else None


def calibration_note(estimate: object, lang: str) -> None:
    """Next to the headline: the calibration the focus estimate carries."""
    cal = getattr(estimate, "calibration", None)
    request = getattr(estimate, "request", None)
    refused = refusal_note(request) if request is not None and cal is None else None
    st.caption(calibration_text(cal, refused, lang, True))


def section(lang: str) -> None:
    """The upload, the stored runs and the store's path."""
    store = Store()
    st.subheader(TEXT["title"].get(lang, TEXT["title"]["en"]))
    st.caption(TEXT["intro"].get(lang, TEXT["intro"]["en"]))
    st.caption(tr(lang, "store", path=store.path))
    _upload(store, lang)
    try:
        stored = store.runs()
    except InputError as err:
        st.error(tr(lang, "store_error", message=err.message))
        return
    if stored:
        st.dataframe(runs_table(stored), hide_index=True, key="runs_table")
    else:
        st.caption(tr(lang, "none"))


def _upload(store: Store, lang: str) -> None:
    added = st.session_state.pop("runs_added", None)
    if added:
        st.success(tr(lang, "added", ids=", ".join(map(str, added))))
    round_ = st.session_state.setdefault("run_files_round", 0)  # a new key empties the box
    files = st.file_uploader(
        tr(lang, "upload"),
        type=["json"],
        accept_multiple_files=True,
        key=f"run_files_{round_}",
        max_upload_size=MAX_UPLOAD_MB,
    )
    if not files:
        return
    checked = check_uploads([(f.name, f.getvalue()) for f in files])
    if checked.problem is not None:
        name, field, message = checked.problem
        st.error(tr(lang, "bad", name=name, field=field, message=message))
        return
    st.caption(tr(lang, "valid", n=len(checked.runs)))
    if st.button(tr(lang, "add"), key="runs_add"):
        try:
            ids = store.add(list(checked.runs))
        except InputError as err:
            st.error(tr(lang, "store_error", message=err.message))
            return
        st.session_state["runs_added"] = ids
        st.session_state["run_files_round"] = round_ + 1
        st.rerun()  # the page's estimates, calibrated by the new runs
