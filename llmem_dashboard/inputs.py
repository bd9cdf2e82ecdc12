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

from llmem_dashboard import export, state
from llmem_dashboard.compute import Results
from llmem_dashboard.i18n import FAMILY_NAMES, fmt_gib, fmt_int, fmt_params, method_label, t
from llmem_dashboard.state import ALL_METHODS, CUSTOM_GPU, DEFAULT, PlanInputs
from llmem_core import Architecture, Gpu, InputError, Optimizer, Precision, ProfileName
from llmem_core.cost import CostBasis
from llmem_core.cost.inputs import MAX_MONEY
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
    del values["cost"]
    st.session_state.update(values)
    st.session_state["cost"] = plan.cost
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
    skip = ("vocab", "view", "cost")
    values = {k: _get(k) for k in state.as_dict(DEFAULT) if k not in skip}
    values["vocab"] = vocab
    values["view"] = "present" if _get("present") else "full"
    return PlanInputs(**values, cost=cost_inputs())


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


# ---- cost -------------------------------------------------------------------------------------
# The cost inputs live in session_state["cost"] (a CostInputs, seeded from the link); each
# widget "c_<field>" is seeded from it when drawn and read back before the page computes, so
# the headline uses this run's values and hiding the widgets (presentation view) keeps them.

COST_SCALARS = ("data", "unit", "epochs", "currency", "rate", "years", "hours_pm", "kwh", "pue",
                "deadline", "budget", "basis", "gpu_set", "counts")
TRANSLATED_COST = ("unit", "basis", "gpu_set", "counts")  # option labels in the page's language


def _cost_key(field: str, lang: str) -> str:
    return f"c_{field}.{lang}" if field in TRANSLATED_COST else f"c_{field}"


def _cost_state() -> state.CostInputs:
    return st.session_state.get("cost", DEFAULT.cost)


def cost_inputs() -> state.CostInputs:
    """This run's cost inputs: the stored ones with any widget the user just changed."""
    cost, lang = _cost_state(), _get("lang")
    changes: dict[str, Any] = {}
    for field in COST_SCALARS:
        key = _cost_key(field, lang)
        if key in st.session_state:
            changes[field] = st.session_state[key]
    for field, prefix in (("util_pct", "c_util_"), ("comm_pct", "c_comm_")):
        keys = [prefix + m for m in state.COST_METHODS]
        if all(k in st.session_state for k in keys):
            changes[field] = tuple(float(st.session_state[k]) for k in keys)
    cost = replace(cost, **changes)
    st.session_state["cost"] = cost
    return cost


def _seed(key: str, value: Any) -> str:
    if key not in st.session_state:
        st.session_state[key] = value
    return key


def _cost_widget(widget: Callable[..., Any], field: str, lang: str, *args: Any,
                 **kwargs: Any) -> None:
    widget(*args, key=_seed(_cost_key(field, lang), getattr(_cost_state(), field)), **kwargs)


def _forget(prefix: str) -> None:
    for key in [k for k in st.session_state if isinstance(k, str) and k.startswith(prefix)]:
        del st.session_state[key]


def _currency_changed() -> None:
    """Amounts typed in the old currency no longer mean anything: clear them, say so."""
    old, code = _cost_state(), st.session_state["c_currency"]
    st.session_state["cost"] = replace(old, currency=code,
                                       rate=state.STARTING_RATES.get(code, old.rate),
                                       prices=(), budget=None, kwh=None)
    for key in ("c_rate", "c_budget", "c_kwh"):
        st.session_state.pop(key, None)
    _forget("c_px.")
    if old.prices or old.budget is not None or old.kwh is not None:
        st.session_state["_cost_note"] = ("currency", t(_get("lang"), "c_currency_reset",
                                                        old=old.currency))


def _cost_slot(slots: dict[str, DeltaGenerator], field: str) -> None:
    slots[field] = st.empty()


def _job_controls(slots: dict, lang: str, seq: int, data_note: str) -> None:
    cost = _cost_state()
    cols = st.columns([1.3, 1.4, 0.8, 0.8, 1.0])
    with cols[0]:
        _cost_widget(st.number_input, "data", lang, t(lang, "c_data"), 1, state.MAX_TOKENS,
                     step=1_000_000)
        if data_note:
            st.caption(data_note)
        _cost_slot(slots, "data")
    with cols[1]:
        _cost_widget(st.radio, "unit", lang, t(lang, "c_unit"), list(state.DATA_UNITS),
                     horizontal=True, format_func=lambda u: t(lang, f"unit_{u}", seq=seq))
    with cols[2]:
        _cost_widget(st.number_input, "epochs", lang, t(lang, "c_epochs"), 1e-3,
                     state.MAX_EPOCHS, step=1.0, format="%g")
        _cost_slot(slots, "epochs")
    with cols[3]:
        codes = list(dict.fromkeys([*state.STARTING_RATES, cost.currency]))
        st.selectbox(t(lang, "c_currency"), codes, key=_seed("c_currency", cost.currency),
                     on_change=_currency_changed)
        _cost_slot(slots, "currency")
    with cols[4]:
        _cost_widget(st.number_input, "rate", lang, t(lang, "c_rate", code=cost.currency),
                     1e-6, state.MAX_RATE, disabled=cost.currency == "USD",
                     help=t(lang, "c_rate_help"), format="%g")
        _cost_slot(slots, "rate")


def _filter_controls(slots: dict, lang: str, n_short: int, n_all: int, max_gpus: int) -> None:
    cost = _cost_state()
    cols = st.columns(5)
    with cols[0]:
        _cost_widget(st.number_input, "deadline", lang, t(lang, "c_deadline"), 1e-3,
                     state.MAX_DEADLINE_HOURS, value=None, placeholder=t(lang, "c_none"))
        _cost_slot(slots, "deadline")
    with cols[1]:
        _cost_widget(st.number_input, "budget", lang, t(lang, "c_budget", code=cost.currency),
                     1e-6, MAX_MONEY, value=None, placeholder=t(lang, "c_none"))
        _cost_slot(slots, "budget")
    with cols[2]:
        _cost_widget(st.selectbox, "basis", lang, t(lang, "c_basis"),
                     [b.value for b in CostBasis], format_func=lambda b: t(lang, f"basis_{b}"))
    with cols[3]:
        _cost_widget(st.selectbox, "gpu_set", lang, t(lang, "c_gpu_set"), list(state.GPU_SETS),
                     format_func=lambda g: t(lang, f"gpuset_{g}",
                                             n=n_short if g == "short" else n_all))
    with cols[4]:
        _cost_widget(st.selectbox, "counts", lang, t(lang, "c_counts"), list(state.COUNT_SETS),
                     format_func=lambda c: t(lang, f"counts_{c}", max=max_gpus))


def _assumption_controls(slots: dict, lang: str, kwh_default: str) -> None:
    cost = _cost_state()
    with st.expander(t(lang, "c_assumptions")):
        st.caption(t(lang, "c_speed_help"))
        cols = st.columns(len(state.COST_METHODS))
        for col, method, util, comm in zip(cols, state.COST_METHODS, cost.util_pct,
                                           cost.comm_pct, strict=True):
            name = method_short_name(method, lang)
            col.number_input(t(lang, "c_util", method=name), 0.1, 100.0, step=1.0,
                             key=_seed(f"c_util_{method}", util), format="%g")
            col.number_input(t(lang, "c_comm"), 0.0, 90.0, step=1.0,
                             key=_seed(f"c_comm_{method}", comm), format="%g")
        _cost_slot(slots, "util")
        cols = st.columns(4)
        with cols[0]:
            _cost_widget(st.number_input, "years", lang, t(lang, "c_years"), 0.1, 30.0, step=0.5,
                         format="%g")
            _cost_slot(slots, "years")
        with cols[1]:
            _cost_widget(st.number_input, "hours_pm", lang, t(lang, "c_hours_pm"), 1.0, 744.0,
                         step=10.0, format="%g")
            _cost_slot(slots, "hours_pm")
        with cols[2]:
            _cost_widget(st.number_input, "kwh", lang, t(lang, "c_kwh", code=cost.currency), 0.0,
                         MAX_MONEY, value=None, format="%g",
                         placeholder=t(lang, "c_kwh_default", value=kwh_default))
            _cost_slot(slots, "kwh")
        with cols[3]:
            _cost_widget(st.number_input, "pue", lang, t(lang, "c_pue"), 1.0, 3.0, step=0.1,
                         format="%g")
            _cost_slot(slots, "pue")


def method_short_name(method: str, lang: str) -> str:
    """A method's name without a layout (the assumptions hold for any TP degree)."""
    return {"tp": "TP", "dp_tp": "DP+TP"}.get(method) or t(lang, f"m_{method}")


def _price_changed(gpu: str, index: int, key: str) -> None:
    cost = _cost_state()
    edit = list(cost.price_edit(gpu))
    edit[index] = st.session_state[key]
    prices = dict(cost.prices)
    if any(v is not None for v in edit):
        prices[gpu] = tuple(edit)
    else:
        prices.pop(gpu, None)
    st.session_state["cost"] = replace(cost, prices=tuple(sorted(prices.items())))


def _price_reset(gpu: str) -> None:
    cost = _cost_state()
    st.session_state["cost"] = replace(cost, prices=tuple(
        (k, e) for k, e in cost.prices if k != gpu))
    _forget(f"c_px.{gpu}.")


def price_editor(slots: dict, lang: str, gpus: dict[str, Gpu], keys: tuple[str, ...],
                 catalog: dict[str, tuple[str, ...]]) -> DeltaGenerator:
    """Pick a compared GPU, edit its four figures (empty = the catalog's). Returns the expander,
    for the price table under the editor. `catalog`: per GPU, its catalog figures formatted."""
    cost = _cost_state()
    box = st.expander(t(lang, "c_prices"))
    with box:
        st.caption(t(lang, "c_prices_help", code=cost.currency))
        top = st.columns([2, 1], vertical_alignment="bottom")
        gpu = top[0].selectbox(t(lang, "c_price_gpu"), list(keys), key="c_price_gpu",
                               format_func=lambda k: gpus[k].name.split(" [")[0])
        edit = cost.price_edit(gpu)
        cols = st.columns(4)
        labels = ("c_low", "c_high", "c_buy", "c_watts")
        for i, (col, label) in enumerate(zip(cols, labels, strict=True)):
            key = _seed(f"c_px.{gpu}.{cost.currency}.{i}", edit[i])
            col.number_input(t(lang, label, code=cost.currency), 1e-9, MAX_MONEY, value=None,
                             key=key, format="%g", on_change=_price_changed,
                             args=(gpu, i, key),
                             placeholder=catalog.get(gpu, ("—",) * 4)[i])
        top[1].button(t(lang, "c_reset"), key="c_price_reset", on_click=_price_reset,
                      args=(gpu,), type="tertiary", disabled=gpu not in dict(cost.prices))
        _cost_slot(slots, "prices")
    return box


def cost_controls(lang: str, seq: int, counts: tuple[int, int], max_gpus: int,
                  kwh_default: str, data_note: str) -> dict[str, DeltaGenerator]:
    """The cost section's inputs (job, currency, filters, assumptions); slots for messages.
    counts: (GPU types in the shortlist, in the catalog); data_note: tokens per run, shown."""
    slots: dict[str, DeltaGenerator] = {}
    _job_controls(slots, lang, seq, data_note)
    _filter_controls(slots, lang, *counts, max_gpus)
    _assumption_controls(slots, lang, kwh_default)
    note = st.session_state.pop("_cost_note", None)
    if note:
        slots[note[0]].info(note[1], icon="ℹ️")
    return slots


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


def downloads(res: Results, memory_fig: Any, link: str,
              cost_rows: tuple[dict[str, Any], ...] = ()) -> None:
    """CSV, JSON and HTML downloads, generated only when clicked (no rerun on click)."""
    lang, stem = res.inputs.lang, export.file_stem(res)
    c1, c2, c3, c4 = st.columns(4)
    c1.download_button(t(lang, "dl_csv"), lambda: export.plan_csv(res), f"{stem}.csv",
                       "text/csv", key="dl_csv", on_click="ignore", icon=":material/table:")
    c2.download_button(t(lang, "dl_json"), lambda: export.plan_json(res, link, cost_rows),
                       f"{stem}.json",
                       "application/json", key="dl_json", on_click="ignore",
                       icon=":material/data_object:")
    c3.download_button(t(lang, "dl_html"), lambda: export.chart_html(memory_fig),
                       f"{stem}-memory.html", "text/html", key="dl_html", on_click="ignore",
                       icon=":material/bar_chart:")
    if cost_rows:
        c4.download_button(t(lang, "dl_cost_csv"), lambda: export.cost_csv(cost_rows),
                           f"{stem}-cost.csv", "text/csv", key="dl_cost_csv",
                           on_click="ignore", icon=":material/payments:")
    st.caption(t(lang, "dl_png_hint"))
