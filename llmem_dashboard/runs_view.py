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
from llmem_core.calibrate import compare
from llmem_core.calibrated import refusal_note
from llmem_core.calibration import Calibration, Calibrations
from llmem_core.errors import InputError
from llmem_core.results import Estimate
from llmem_core.runs import Run, read
from llmem_core.store import Store, StoredRun
from llmem_core.units import GiB
from llmem_dashboard.i18n import Lang, fmt_gib, t
from llmem_dashboard.i18n_core import core_text
from llmem_dashboard.safe import say

MAX_FILES = 50
MAX_UPLOAD_MB = 1

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


def tr(lang: Lang, key: str, **values: object) -> str:
    """This section's text (i18n's runs_* entries), user values made inert for Markdown."""
    return say(lang, f"runs_{key}", **values)


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
            runs += [(name, run) for run in read(safe_json.decode(data, "file", "run file"))]
        except InputError as err:
            return Checked(problem=(name, err.field, err.message))
    return Checked(runs=tuple(runs))


def runs_table(stored: list[StoredRun], lang: Lang = "en") -> pd.DataFrame:
    """One row per stored run: the measured level beside the (uncalibrated) estimate of it;
    a row that no longer validates says why, in the page's language."""
    rows = []
    for r in stored:
        if r.run is None:
            problem = core_text(r.problem or "", lang)
            rows.append({"id": r.id, "gpu": r.gpu, "method": r.method, "model": problem})
            continue
        c, plan = compare(r.run), r.run.file.plan
        rows.append(
            {
                "id": r.id,
                "gpu": r.gpu,
                "method": r.method,
                "model": r.run.model_name,
                "batch": plan.batch_size,
                "seq": plan.seq_len,
                "level": c.level,
                "measured_gib": round(c.measured / GiB, 2),
                "estimate_gib": round(c.modelled / GiB, 2),
                "error_pct": round(100 * c.error, 1),
            }
        )
    return pd.DataFrame(rows, columns=list(COLUMNS))


def calibration_text(cal: Calibration | None, refused: str | None, lang: Lang, on: bool) -> str:
    if not on:
        return tr(lang, "off")
    if cal is None:
        if refused:
            return tr(lang, "refused", message=core_text(refused, lang))
        return tr(lang, "uncalibrated")
    b = tr(lang, "model_b") if cal.b is None else fmt_gib(cal.b, lang, 2)
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
        return Store().calibrations()
    except InputError:
        return None


def calibration_note(estimate: Estimate | None, lang: Lang) -> None:
    """Next to the headline: the calibration the focus estimate carries (or why none);
    nothing when the focus method has no estimate (the headline says why)."""
    if estimate is None:
        return
    cal = estimate.calibration
    refused = refusal_note(estimate.request) if cal is None else None
    st.caption(calibration_text(cal, refused, lang, True))


def section(lang: Lang) -> None:
    """The upload, the stored runs and the store's path."""
    store = Store()
    st.subheader(t(lang, "sec_runs"))
    st.caption(tr(lang, "intro"))
    st.caption(tr(lang, "store", path=store.path))
    _upload(store, lang)
    try:
        stored = store.runs()
    except InputError as err:
        st.error(tr(lang, "store_error", message=core_text(err.message, lang)))
        return
    if stored:
        st.dataframe(runs_table(stored, lang), hide_index=True, key="runs_table")
    else:
        st.caption(tr(lang, "none"))


def _upload(store: Store, lang: Lang) -> None:
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
        st.error(tr(lang, "bad", name=name, field=field, message=core_text(message, lang)))
        return
    st.caption(tr(lang, "valid", n=len(checked.runs)))
    if st.button(tr(lang, "add"), key="runs_add"):
        try:
            ids = store.add(list(checked.runs))
        except InputError as err:
            st.error(tr(lang, "store_error", message=core_text(err.message, lang)))
            return
        st.session_state["runs_added"] = ids
        st.session_state["run_files_round"] = round_ + 1
        st.rerun()  # the page's estimates, calibrated by the new runs
