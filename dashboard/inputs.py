"""Every widget of the page, and nothing else: widgets → PlanInputs.

Each widget has an explicit key equal to its PlanInputs field. On a session's first run the
keys are seeded from the URL (state.from_query validates every parameter); after each run the
URL is rewritten from the inputs, so a copied link reopens the same plan. Under each widget
sits an empty slot where a message about that input goes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import streamlit as st
from pydantic import ValidationError
from streamlit.delta_generator import DeltaGenerator

from dashboard import export, state
from dashboard.compute import Results
from dashboard.i18n import FAMILY_NAMES, fmt_gib, fmt_int, fmt_params, method_label, t
from dashboard.state import ALL_METHODS, CUSTOM_GPU, DEFAULT, PlanInputs
from llmem_core import Architecture, Gpu, InputError, Optimizer, Precision, ProfileName
from llmem_core.hf_config import first_error, read_config_text
from llmem_core.models import MAX_BATCH, MAX_SEQ, MAX_VOCAB, ModelPreset
from llmem_core.params import counts
from llmem_core.plan import candidate_methods
from llmem_core.presets import load_gpus, load_models

UPLOAD_MAX_MB = 1  # also server.maxUploadSize in .streamlit/config.toml


@dataclass
class Sidebar:
    inputs: PlanInputs
    arch: Architecture  # the preset's, or the uploaded config's
    slots: dict[str, DeltaGenerator]  # field → where its message goes


@st.cache_resource
def presets() -> tuple[dict[str, ModelPreset], dict[str, Gpu]]:
    """The preset files, read once per server (the only I/O the page does)."""
    return load_models(), load_gpus()


def seed_from_link(models: dict[str, ModelPreset], gpus: dict[str, Gpu]) -> None:
    """First run of a session: widget values from the URL; problems kept for the page."""
    if st.session_state.get("_seeded"):
        return
    params = st.query_params.to_dict()
    plan, problems = state.from_query(params, list(models), list(gpus))
    if "lang" not in params and (st.context.locale or "").lower().startswith("ja"):
        plan = replace(plan, lang="ja")
    values: dict[str, Any] = state.as_dict(plan)
    values["vocab_on"] = plan.vocab is not None
    values["vocab"] = plan.vocab or models[plan.model].architecture.vocab_size
    values["present"] = plan.view == "present"
    values["model_source"] = "preset"
    st.session_state.update(values)
    st.session_state["_link_problems"] = problems
    st.session_state["_seeded"] = True


def link_problems() -> list[state.LinkProblem]:
    return st.session_state.get("_link_problems", [])


def _get(key: str) -> Any:
    return st.session_state.get(key, getattr(DEFAULT, key, None))


def _translated(widget: Callable[..., Any], field: str, lang: str, *args: Any,
                **kwargs: Any) -> None:
    """A widget whose option labels are translated. The browser holds the label it shows as
    the widget's value, so each language gets its own widget (key "field.lang"), seeded from
    the plan's value (session_state[field]) and copied back to it."""
    key = f"{field}.{lang}"
    if key not in st.session_state:
        st.session_state[key] = _get(field)
    widget(*args, key=key, **kwargs)
    st.session_state[field] = st.session_state[key]


def _set(field: str, value: Any, lang: str) -> None:
    """Change an input before its widget is drawn (a value that no longer applies)."""
    st.session_state[field] = value
    st.session_state[f"{field}.{lang}"] = value


def _forget_translated() -> None:
    """On a language switch: drop the per-language widgets so they reseed from the plan."""
    for key in [k for k in st.session_state if isinstance(k, str) and "." in k]:
        if key.rsplit(".", 1)[1] in state.LANGS:
            del st.session_state[key]


def _slot(slots: dict[str, DeltaGenerator], field: str) -> None:
    slots[field] = st.empty()


def _language() -> str:
    st.sidebar.segmented_control(
        "Language / 言語", ["en", "ja"], key="lang", required=True, on_change=_forget_translated,
        format_func=lambda x: {"en": "English", "ja": "日本語"}[x],
    )
    return _get("lang")


def _model_label(models: dict[str, ModelPreset], lang: str) -> Callable[[str], str]:
    def label(hf_id: str) -> str:
        p = models[hf_id]
        family = FAMILY_NAMES.get(p.architecture.family.value, p.architecture.family.value)
        return f"{family} · {hf_id} · {fmt_params(p.params_exact, lang)}"

    return label


def _model_options(models: dict[str, ModelPreset]) -> list[str]:
    """Grouped by family (in the order families first appear), smallest first within one."""
    families = list(dict.fromkeys(p.architecture.family for p in models.values()))
    return sorted(models, key=lambda k: (families.index(models[k].architecture.family),
                                         models[k].params_exact))


def _model(models: dict[str, ModelPreset], slots: dict, lang: str) -> Architecture:
    _translated(st.radio, "model_source", lang, t(lang, "model_source"), ["preset", "upload"],
                horizontal=True, format_func=lambda x: t(lang, f"source_{x}"))
    _translated(st.selectbox, "model", lang, t(lang, "model_preset"), _model_options(models),
                format_func=_model_label(models, lang))
    arch = models[_get("model")].architecture
    if _get("model_source") == "upload":
        arch = _upload(arch, lang) or arch
    _slot(slots, "model")
    return arch


def _upload(fallback: Architecture, lang: str) -> Architecture | None:
    file = st.file_uploader(t(lang, "model_upload"), type=["json"], key="config_file",
                            help=t(lang, "upload_hint"), max_upload_size=UPLOAD_MAX_MB)
    if file is None:
        st.caption(t(lang, "upload_waiting"))
        return None
    try:
        arch = read_config_text(file.getvalue().decode("utf-8", errors="replace"),
                                file.name.removesuffix(".json"))
    except InputError as err:
        st.error(str(err), icon="⚠️")
        return None
    except ValidationError as err:
        st.error(first_error(err), icon="⚠️")
        return None
    st.caption(t(lang, "upload_ok", name=file.name, params=fmt_params(counts(arch).total, lang)))
    return arch


def _vocab(arch: Architecture, slots: dict, lang: str) -> int | None:
    def turned_on() -> None:
        st.session_state["vocab"] = arch.vocab_size

    st.toggle(t(lang, "vocab_whatif"), key="vocab_on", on_change=turned_on)
    if not _get("vocab_on"):
        return None
    if "vocab" not in st.session_state:
        st.session_state["vocab"] = arch.vocab_size
    st.number_input(t(lang, "vocab_size"), 1, MAX_VOCAB, step=1024, key="vocab",
                    help=t(lang, "vocab_model", vocab=fmt_int(arch.vocab_size, lang)))
    _slot(slots, "vocab")
    return int(st.session_state["vocab"])


def _gpu(gpus: dict[str, Gpu], slots: dict, lang: str) -> None:
    def label(key: str) -> str:
        if key == CUSTOM_GPU:
            return t(lang, "gpu_custom")
        return f"{gpus[key].name} · {fmt_gib(gpus[key].memory_bytes, lang, 0)}"

    _translated(st.selectbox, "gpu", lang, t(lang, "gpu_type"), [*gpus, CUSTOM_GPU],
                format_func=label)
    if _get("gpu") == CUSTOM_GPU:
        st.number_input(t(lang, "gpu_gib"), 0.5, state.MAX_GPU_GIB, step=1.0, key="gpu_gib")
    _slot(slots, "gpu")
    st.number_input(t(lang, "num_gpus"), 1, state.MAX_GPUS_UI, step=1, key="gpus")
    _slot(slots, "gpus")


def _method(notes: dict[str, str], slots: dict, lang: str) -> None:
    n = int(_get("gpus"))
    methods = {m.kind.value: m for m in candidate_methods(n)}
    if _get("method") not in (ALL_METHODS, *methods):
        notes["method"] = t(lang, "method_reset", method=_get("method"), gpus=n)
        _set("method", ALL_METHODS, lang)
    _translated(st.selectbox, "method", lang, t(lang, "method"), [ALL_METHODS, *methods],
                format_func=lambda k: t(lang, "method_all") if k == ALL_METHODS
                else method_label(methods[k], n, lang))
    _slot(slots, "method")
    _tp(n, notes, slots, lang)


def _tp(n: int, notes: dict[str, str], slots: dict, lang: str) -> None:
    degrees = [d for d in range(2, n // 2 + 1) if n % d == 0]
    if not degrees or _get("method") not in (ALL_METHODS, "dp+tp"):
        return
    if _get("tp") not in (0, *degrees):
        notes["tp"] = t(lang, "tp_reset", tp=_get("tp"), gpus=n)
        _set("tp", 0, lang)
    auto = candidate_methods(n)[-1].tp_degree
    _translated(st.selectbox, "tp", lang, t(lang, "tp_degree"), [0, *degrees],
                format_func=lambda d: t(lang, "tp_auto", tp=auto) if d == 0 else str(d))
    _slot(slots, "tp")


def _sizes(slots: dict, lang: str) -> None:
    st.number_input(t(lang, "batch"), 1, MAX_BATCH, step=1, key="batch")
    _slot(slots, "batch")
    st.number_input(t(lang, "seq"), 1, MAX_SEQ, step=256, key="seq")
    _slot(slots, "seq")


def _training(slots: dict, lang: str) -> None:
    with st.expander(t(lang, "training_details")):
        st.selectbox(t(lang, "precision"), [p.value for p in Precision], key="precision")
        _slot(slots, "precision")
        st.selectbox(t(lang, "optimizer"), [o.value for o in Optimizer], key="optimizer")
        _slot(slots, "optimizer")
        st.toggle(t(lang, "ckpt"), key="ckpt")
        _slot(slots, "ckpt")
        st.selectbox(t(lang, "profile"), [p.value for p in ProfileName], key="profile")
        _slot(slots, "profile")
    with st.expander(t(lang, "advanced")):
        st.number_input(t(lang, "context_mib"), 0, state.MAX_CONTEXT_MIB, step=64,
                        key="context_mib")
        _slot(slots, "context_mib")
        st.number_input(t(lang, "slack_pct"), 0.0, state.MAX_SLACK_PCT, step=1.0,
                        key="slack_pct")
        _slot(slots, "slack_pct")
        st.number_input(t(lang, "chunk"), 0, 2**34, step=1_048_576, key="chunk")
        _slot(slots, "chunk")


def _current(vocab: int | None) -> PlanInputs:
    values = {k: _get(k) for k in state.as_dict(DEFAULT) if k not in ("vocab", "view")}
    values["vocab"] = vocab
    values["view"] = "present" if _get("present") else "full"
    return PlanInputs(**values)


def sidebar(models: dict[str, ModelPreset], gpus: dict[str, Gpu]) -> Sidebar:
    """Render the sidebar; return the plan it states and the slots for messages."""
    slots: dict[str, DeltaGenerator] = {}
    notes: dict[str, str] = {}
    lang = _language()
    with st.sidebar:
        st.header(t(lang, "plan_header"))
        arch = _model(models, slots, lang)
        vocab = _vocab(arch, slots, lang)
        _gpu(gpus, slots, lang)
        _method(notes, slots, lang)
        _sizes(slots, lang)
        _training(slots, lang)
        st.divider()
        st.toggle(t(lang, "presentation"), key="present")
        st.caption(t(lang, "link_hint"))
    for field, message in notes.items():
        slots[field].warning(message, icon="ℹ️")
    return Sidebar(_current(vocab), arch, slots)


def exit_presentation(lang: str) -> None:
    def leave() -> None:
        st.session_state["present"] = False

    st.button(t(lang, "exit_presentation"), key="exit_present", on_click=leave, type="tertiary")


def sync_link(plan: PlanInputs) -> None:
    """Rewrite the URL from the inputs (only when it changed, to keep history quiet)."""
    wanted = state.to_query(plan)
    if st.query_params.to_dict() != wanted:
        st.query_params.from_dict(wanted)


def current_link(plan: PlanInputs) -> str:
    base = (st.context.url or "").split("?")[0]
    return f"{base}?{'&'.join(f'{k}={v}' for k, v in state.to_query(plan).items())}"


def downloads(res: Results, memory_fig: Any, link: str) -> None:
    """CSV, JSON and HTML downloads, generated only when clicked (no rerun on click)."""
    lang, stem = res.inputs.lang, export.file_stem(res)
    c1, c2, c3 = st.columns(3)
    c1.download_button(t(lang, "dl_csv"), lambda: export.plan_csv(res), f"{stem}.csv",
                       "text/csv", key="dl_csv", on_click="ignore", icon=":material/table:")
    c2.download_button(t(lang, "dl_json"), lambda: export.plan_json(res, link), f"{stem}.json",
                       "application/json", key="dl_json", on_click="ignore",
                       icon=":material/data_object:")
    c3.download_button(t(lang, "dl_html"), lambda: export.chart_html(memory_fig),
                       f"{stem}-memory.html", "text/html", key="dl_html", on_click="ignore",
                       icon=":material/bar_chart:")
    st.caption(t(lang, "dl_png_hint"))
