"""Every widget of the page, and nothing else: widgets → PlanInputs.

Each widget has an explicit key equal to its PlanInputs field (PlanSpec's names) and takes its
bounds from that field (state.widget_range), so no bound is declared twice. On a session's
first run the keys are seeded from the URL (state.from_query validates every parameter); after
each run the URL is rewritten from the inputs, so a copied link reopens the same plan. Under
each widget sits an empty slot where a message about that input goes.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from functools import partial
from typing import Any
from urllib.parse import quote, urlencode

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from llmem_core import (
    Architecture,
    Gpu,
    InputError,
    Method,
    MethodKind,
    Optimizer,
    Precision,
    safe_json,
)
from llmem_core.cost import CostBasis, PriceOverride
from llmem_core.estimate import available_profiles
from llmem_core.hf_config import architecture_from_config
from llmem_core.models import FineTune, Loss, ModelPreset, Offload, Zero3Engine, ZeroEngine
from llmem_core.parallelism import default_dp_tp_degree, dp_tp_degree
from llmem_core.params import counts
from llmem_core.plan import candidate_methods
from llmem_core.presets import load_gpus, load_models
from llmem_core.safe_json import MAX_BYTES, decode
from llmem_core.support import unsupported
from llmem_dashboard import export, hub_box, state
from llmem_dashboard.compute import Results
from llmem_dashboard.i18n import FAMILY_NAMES, fmt_gib, fmt_int, fmt_params, method_label, t
from llmem_dashboard.i18n_core import core_text
from llmem_dashboard.safe import md, one_line, say
from llmem_dashboard.state import ALL_METHODS, CUSTOM_GPU, DEFAULT, CostInputs, PlanInputs

UPLOAD_MAX_MB = max(1, MAX_BYTES // 1_000_000)  # also server.maxUploadSize in .streamlit/


@dataclass
class Sidebar:
    inputs: PlanInputs
    arch: Architecture  # the preset's, or the uploaded config's
    slots: dict[str, DeltaGenerator]  # field → where its message goes
    uploaded: bool = False  # arch is an upload's (or a link's embedded config), not the preset


@st.cache_resource
def presets() -> tuple[dict[str, ModelPreset], dict[str, Gpu]]:
    """The preset files, read once per server (the only I/O the page does)."""
    return load_models(), load_gpus()


def seed_from_link(models: dict[str, ModelPreset], gpus: dict[str, Gpu]) -> None:
    """First run of a session: widget values from the URL; problems kept for the page."""
    if st.session_state.get("_seeded"):
        return
    params = st.query_params.to_dict()
    packed = params.pop(state.CONFIG_PARAM, None)
    hub_id = params.pop(hub_box.PARAM, None)
    plan, problems = state.from_query(params, list(models), list(gpus))
    if "lang" not in params and (st.context.locale or "").lower().startswith("ja"):
        plan = plan.with_(lang="ja")
    values: dict[str, Any] = state.as_dict(plan)
    del values["cost"]
    values["vocab_on"] = plan.vocab_size is not None
    values["vocab_size"] = plan.vocab_size or models[plan.model].architecture.vocab_size
    values["present"] = plan.view == "present"
    values["model_source"] = "preset"
    if packed is not None and _seed_linked_config(state._last(packed), problems):
        values["model_source"] = "upload"
    if hub_id is not None and hub_box.seed(state._last(hub_id), problems):
        values["model_source"] = hub_box.SOURCE
    st.session_state.update(values)
    st.session_state["cost"] = plan.cost
    st.session_state["_link_problems"] = problems
    st.session_state["_seeded"] = True


def _seed_linked_config(packed: str, problems: list[state.LinkProblem]) -> bool:
    """A link's embedded config: kept for the upload slot (True), or a problem (False)."""
    try:
        st.session_state["_linked_arch"] = state.config_from_param(packed.strip())
    except InputError as err:
        problems.append(
            state.LinkProblem(state.CONFIG_PARAM, packed[:80], "link_bad_value", err.message)
        )
        return False
    return True


def link_problems() -> list[state.LinkProblem]:
    return st.session_state.get("_link_problems", [])


def _get(key: str) -> Any:
    return st.session_state.get(key, getattr(DEFAULT, key, None))


def _translated(
    widget: Callable[..., Any], field: str, lang: str, *args: Any, **kwargs: Any
) -> None:
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


def _number(label: str, model: type, field: str, key: str | None = None, **kwargs: Any) -> None:
    """A number_input bounded by the model field's own bounds."""
    low, high = state.widget_range(model, field)
    st.number_input(label, low, high, key=key or field, **kwargs)


def _language() -> str:
    st.sidebar.segmented_control(
        "Language / 言語",
        list(state.LANGS),
        key="lang",
        required=True,
        on_change=_forget_translated,
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
    return sorted(
        models,
        key=lambda k: (families.index(models[k].architecture.family), models[k].params_exact),
    )


def _model(models: dict[str, ModelPreset], slots: dict, lang: str) -> Architecture:
    _translated(
        st.radio,
        "model_source",
        lang,
        t(lang, "model_source"),
        ["preset", "upload", hub_box.SOURCE],
        horizontal=True,
        format_func=lambda x: t(lang, f"source_{x}"),
    )
    _translated(
        st.selectbox,
        "model",
        lang,
        t(lang, "model_preset"),
        _model_options(models),
        format_func=_model_label(models, lang),
    )
    arch, problem = models[_get("model")].architecture, None
    uploaded = None
    if _get("model_source") == "upload":
        uploaded, problem = _upload(lang)
        uploaded = uploaded or _linked(lang, problem is None)
        arch = uploaded or arch
    if _get("model_source") == hub_box.SOURCE:  # issue #13: a Hub id (hub_box.py)
        fetched, problem = hub_box.hub_model(lang)
        arch = fetched or arch
    _slot(slots, "model")
    if problem:
        slots["model"].error(md(core_text(problem, lang)), icon="⚠️")
    return arch, uploaded is not None


def _linked(lang: str, show: bool) -> Architecture | None:
    """The model a link carried (its embedded config), while no file replaces it."""
    arch = st.session_state.get("_linked_arch")
    if arch is not None and show:
        params = fmt_params(counts(arch).total, lang)
        st.caption(say(lang, "linked_model", name=arch.name, params=params))
    return arch


# File names that say nothing about the model (a browser adds " (1)" to a second download).
GENERIC_NAMES = ("config", "config.json", "model")


def _upload_name(file_name: str, config: object) -> str:
    """An uploaded model's display name (1–200 characters): the file's name, unless it is a
    generic "config.json", then the config's own `_name_or_path`, else its model type."""
    stem = one_line(file_name).removesuffix(".json").strip()
    if stem.split(" (")[0].lower() not in GENERIC_NAMES and stem:
        return stem[:200]
    fields = config if isinstance(config, dict) else {}
    for key in ("_name_or_path", "model_type"):
        value = fields.get(key)
        if isinstance(value, str) and one_line(value):
            suffix = "" if key == "_name_or_path" else " (uploaded config.json)"
            return (one_line(value)[: 200 - len(suffix)] + suffix).strip()
    return "uploaded config.json"


def _upload(lang: str) -> tuple[Architecture | None, str | None]:
    """The uploaded config.json read by the core: bounded (size, UTF-8, depth, number sizes)
    before anything else, strictly typed after. (architecture, None) or (None, why not)."""
    file = st.file_uploader(
        t(lang, "model_upload"),
        type=["json"],
        key="config_file",
        help=t(lang, "upload_hint"),
        max_upload_size=UPLOAD_MAX_MB,
    )
    if file is None:
        st.caption(t(lang, "upload_waiting"))
        return None, None
    try:
        config = safe_json.loads(decode(file.getvalue(), "model"), "model")
        arch = architecture_from_config(config, _upload_name(file.name, config))
    except InputError as err:
        return None, err.message
    params = fmt_params(counts(arch).total, lang)
    st.caption(say(lang, "upload_ok", name=arch.name, file=file.name, params=params))
    size = len(state.config_param(arch))
    if size > state.MAX_CONFIG_CHARS:
        st.warning(
            t(lang, "upload_not_in_link", n=fmt_int(size, lang), max=state.MAX_CONFIG_CHARS),
            icon="🔗",
        )
    return arch, None


def _vocab(arch: Architecture, slots: dict, lang: str) -> int | None:
    def turned_on() -> None:
        st.session_state["vocab_size"] = arch.vocab_size

    st.toggle(t(lang, "vocab_whatif"), key="vocab_on", on_change=turned_on)
    if not _get("vocab_on"):
        return None
    if "vocab_size" not in st.session_state:
        st.session_state["vocab_size"] = arch.vocab_size
    _number(
        t(lang, "vocab_size"),
        PlanInputs,
        "vocab_size",
        step=1024,
        help=t(lang, "vocab_model", vocab=fmt_int(arch.vocab_size, lang)),
    )
    _slot(slots, "vocab_size")
    return int(st.session_state["vocab_size"])


def _gpu(gpus: dict[str, Gpu], slots: dict, lang: str) -> None:
    def label(key: str) -> str:
        if key == CUSTOM_GPU:
            return t(lang, "gpu_custom")
        return f"{gpus[key].name} · {fmt_gib(gpus[key].memory_bytes, lang)}"  # as the catalog

    _translated(
        st.selectbox, "gpu", lang, t(lang, "gpu_type"), [*gpus, CUSTOM_GPU], format_func=label
    )
    if _get("gpu") == CUSTOM_GPU:
        _number(t(lang, "gpu_gib"), PlanInputs, "gpu_gib", step=1.0)
    _slot(slots, "gpu")
    precision = Precision(_get("precision"))
    if unsupported(_get("gpu"), precision):  # next to the GPU: the precision sits in a fold
        st.warning(say(lang, "precision_unsupported", gpu=gpus[_get("gpu")].name.split(" (")[0],
                       precision=precision.value), icon="⚠️")  # fmt: skip
    _number(t(lang, "num_gpus"), PlanInputs, "num_gpus", step=1)
    _slot(slots, "num_gpus")


def dp_tp_degrees(num_gpus: int) -> list[int]:
    """The tensor-parallel degrees dp+tp can take on num_gpus GPUs, as the core rules them."""
    degrees = []
    for degree in range(2, num_gpus):
        with contextlib.suppress(InputError):
            degrees.append(dp_tp_degree(num_gpus, degree))
    return degrees


def _method(notes: dict[str, str], slots: dict, lang: str) -> None:
    n = int(_get("num_gpus"))
    kinds = [m.kind.value for m in candidate_methods(n)]  # Algorithm 1's candidates here
    if not dp_tp_degrees(n):  # no dp+tp mesh on n GPUs (the core's rule): not offered
        kinds = [k for k in kinds if k != MethodKind.DP_TP.value]
    if _get("method") not in (ALL_METHODS, *kinds):
        notes["method"] = say(lang, "method_reset", method=_get("method"), gpus=n)
        _set("method", ALL_METHODS, lang)
    _translated(
        st.selectbox,
        "method",
        lang,
        t(lang, "method"),
        [ALL_METHODS, *kinds],
        format_func=lambda k: (
            t(lang, "method_all") if k == ALL_METHODS else method_label(Method(kind=k), n, lang)
        ),
    )
    _slot(slots, "method")
    _tp(n, notes, slots, lang)


def _tp(n: int, notes: dict[str, str], slots: dict, lang: str) -> None:
    """dp+tp's degree: drawn when dp+tp is asked for or compared and has a layout here; its
    slot is there either way (the core names `tp` when dp+tp cannot run)."""
    degrees, method = dp_tp_degrees(n), _get("method")
    shown = method == MethodKind.DP_TP.value or (method == ALL_METHODS and bool(degrees))
    if _get("tp") not in (0, *degrees):
        if shown:  # else dp+tp has no layout here at all: the method's note says so
            notes["tp"] = say(lang, "tp_reset", tp=_get("tp"), gpus=n)
        _set("tp", 0, lang)
    if shown:
        auto = (
            t(lang, "tp_auto", tp=default_dp_tp_degree(n))
            if degrees
            else t(lang, "tp_auto_none", gpus=n)
        )
        _translated(
            st.selectbox,
            "tp",
            lang,
            t(lang, "tp_degree"),
            [0, *degrees],
            format_func=lambda d: auto if d == 0 else str(d),
        )
    _slot(slots, "tp")


def _sizes(slots: dict, lang: str) -> None:
    _number(t(lang, "batch"), PlanInputs, "batch_size", step=1)
    _slot(slots, "batch_size")
    _number(t(lang, "seq"), PlanInputs, "seq_len", step=256)
    _slot(slots, "seq_len")


def _training(slots: dict, lang: str) -> None:
    with st.expander(t(lang, "training_details")):
        st.selectbox(t(lang, "precision"), [p.value for p in Precision], key="precision")
        _slot(slots, "precision")
        st.selectbox(t(lang, "optimizer"), [o.value for o in Optimizer], key="optimizer")
        _slot(slots, "optimizer")
        st.toggle(t(lang, "ckpt"), key="grad_checkpointing")
        _slot(slots, "grad_checkpointing")
        _checkpointing(slots, lang)
        st.selectbox(t(lang, "profile"), [p.value for p in available_profiles()], key="profile")
        _slot(slots, "profile")
    _finetuning(slots, lang)
    with st.expander(t(lang, "advanced")):
        _number(t(lang, "context_mib"), PlanInputs, "cuda_context_mib", step=64)
        _slot(slots, "cuda_context_mib")
        _number(t(lang, "slack_pct"), PlanInputs, "slack_pct", step=1.0)
        _slot(slots, "slack_pct")
        _number(t(lang, "chunk"), PlanInputs, "chunk_size", step=1_048_576)
        _slot(slots, "chunk_size")


def _checkpointing(slots: dict, lang: str) -> None:
    """Checkpointing's mode (full, or every k-th layer), when checkpointing is on."""
    if not _get("grad_checkpointing"):
        return
    _translated(
        st.radio,
        "ckpt_mode",
        lang,
        t(lang, "ckpt_mode"),
        list(state.CKPT_MODES),
        horizontal=True,
        format_func=lambda m: t(lang, f"ckpt_{m}"),
    )
    _slot(slots, "ckpt_mode")
    if _get("ckpt_mode") == "selective":
        _number(t(lang, "checkpoint_every"), PlanInputs, "checkpoint_every", step=1)
        _slot(slots, "checkpoint_every")


def _finetuning(slots: dict, lang: str) -> None:
    """Issue #12: what trains (LoRA/QLoRA), the loss, ZeRO-3's engine and offload."""
    with st.expander(t(lang, "finetuning")):
        _translated(
            st.selectbox, "finetune", lang, t(lang, "finetune"), [f.value for f in FineTune],
            format_func=lambda f: t(lang, f"ft_{f}"),
        )  # fmt: skip
        _slot(slots, "finetune")
        if _get("finetune") != FineTune.FULL.value:
            _number(t(lang, "lora_rank"), PlanInputs, "lora_rank", step=8)
            _slot(slots, "lora_rank")
            _translated(
                st.radio, "lora_targets", lang, t(lang, "lora_targets"), list(state.LORA_TARGETS),
                horizontal=True, format_func=lambda x: t(lang, f"lt_{x}"),
            )  # fmt: skip
            _slot(slots, "lora_targets")
            _number(t(lang, "lora_dropout"), PlanInputs, "lora_dropout", step=0.05)
            _slot(slots, "lora_dropout")
        _translated(
            st.selectbox, "loss", lang, t(lang, "loss"), [x.value for x in Loss],
            format_func=lambda x: t(lang, f"loss_{x}"),
        )  # fmt: skip
        _slot(slots, "loss")
        _translated(
            st.selectbox, "offload", lang, t(lang, "offload_label"), [x.value for x in Offload],
            format_func=lambda x: t(lang, f"offload_{x}"),
        )  # fmt: skip
        _slot(slots, "offload")
        _translated(
            st.radio, "zero3_engine", lang, t(lang, "zero3_engine"), [x.value for x in Zero3Engine],
            horizontal=True,
        )  # fmt: skip
        _slot(slots, "zero3_engine")
        _translated(
            st.radio, "zero_engine", lang, t(lang, "zero_engine"), [x.value for x in ZeroEngine],
            horizontal=True,
        )  # fmt: skip
        _slot(slots, "zero_engine")
        st.toggle(t(lang, "reshard"), key="reshard_after_forward")
        _slot(slots, "reshard_after_forward")


def _current(vocab: int | None) -> PlanInputs:
    """The plan the widgets state (their values are within the fields' bounds by design)."""
    skip = ("vocab_size", "view", "cost")
    values = {k: _get(k) for k in PlanInputs.model_fields if k not in skip}
    return PlanInputs(
        **values,
        vocab_size=vocab,
        view="present" if _get("present") else "full",
        cost=cost_inputs(),
    )


def sidebar(models: dict[str, ModelPreset], gpus: dict[str, Gpu]) -> Sidebar:
    """Render the sidebar; return the plan it states and the slots for messages."""
    slots: dict[str, DeltaGenerator] = {}
    notes: dict[str, str] = {}
    lang = _language()
    with st.sidebar:
        st.header(t(lang, "plan_header"))
        arch, uploaded = _model(models, slots, lang)
        vocab = _vocab(arch, slots, lang)
        _gpu(gpus, slots, lang)
        _method(notes, slots, lang)
        _sizes(slots, lang)
        data_controls(slots, lang, int(_get("seq_len")))
        _training(slots, lang)
        st.divider()
        st.toggle(t(lang, "presentation"), key="present")
        st.caption(t(lang, "link_hint"))
    for field, message in notes.items():
        slots[field].warning(message, icon="ℹ️")
    return Sidebar(_current(vocab), arch, slots, uploaded)


# ---- cost -------------------------------------------------------------------------------------
# The cost inputs live in session_state["cost"] (a CostInputs, seeded from the link); each
# widget "c_<field>" is seeded from it when drawn and read back before the page computes, so
# the headline uses this run's values and hiding the widgets (presentation view) keeps them.

COST_SCALARS = (
    "data",
    "unit",
    "epochs",
    "currency",
    "usd_rate",
    "years",
    "hours_per_month",
    "power_price",
    "pue",
    "count_interruptions",
    "hours_between_interruptions",
    "checkpoint_minutes",
    "restart_minutes",
    "deadline_hours",
    "budget",
    "cost_basis",
    "gpu_set",
    "counts",
)
TRANSLATED_COST = ("unit", "cost_basis", "gpu_set", "counts")  # labels in the page's language
PER_METHOD = {"util_pct": "c_util_", "comm_pct": "c_comm_"}  # field → widget key prefix


def _cost_key(field: str, lang: str) -> str:
    return f"c_{field}.{lang}" if field in TRANSLATED_COST else f"c_{field}"


def _cost_state() -> CostInputs:
    return st.session_state.get("cost", DEFAULT.cost)


def cost_inputs() -> CostInputs:
    """This run's cost inputs: the stored ones with any widget the user just changed."""
    cost, lang = _cost_state(), _get("lang")
    changes: dict[str, Any] = {}
    for field in COST_SCALARS:
        key = _cost_key(field, lang)
        if key in st.session_state:
            changes[field] = st.session_state[key]
    for field, prefix in PER_METHOD.items():
        keys = {kind: prefix + kind.value for kind in MethodKind}
        if all(k in st.session_state for k in keys.values()):
            changes[field] = {kind: float(st.session_state[k]) for kind, k in keys.items()}
    cost = cost.with_(**changes)
    st.session_state["cost"] = cost
    return cost


def _seed(key: str, value: Any) -> str:
    if key not in st.session_state:
        st.session_state[key] = value.value if isinstance(value, Enum) else value
    return key


def _cost_widget(
    widget: Callable[..., Any], field: str, lang: str, *args: Any, **kwargs: Any
) -> None:
    widget(*args, key=_seed(_cost_key(field, lang), getattr(_cost_state(), field)), **kwargs)


def _cost_number(label: str, field: str, lang: str, **kwargs: Any) -> None:
    low, high = state.widget_range(CostInputs, field)
    _cost_widget(st.number_input, field, lang, label, low, high, **kwargs)


def _forget(prefix: str) -> None:
    for key in [k for k in st.session_state if isinstance(k, str) and k.startswith(prefix)]:
        del st.session_state[key]


def _note(slot: str, level: str, message: str) -> None:
    """A message for a cost input, shown on the next run (set in a callback)."""
    st.session_state["_cost_note"] = (slot, level, message)


def _currency_changed() -> None:
    """Amounts typed in the old currency no longer mean anything: clear them, say so."""
    old, code = _cost_state(), st.session_state["c_currency"]
    st.session_state["cost"] = old.with_(
        currency=code,
        usd_rate=state.STARTING_RATES.get(code, old.usd_rate),
        price={},
        budget=None,
        power_price=None,
    )
    for key in ("c_usd_rate", "c_budget", "c_power_price"):
        st.session_state.pop(key, None)
    _forget("c_px.")
    if old.price or old.budget is not None or old.power_price is not None:
        _note("currency", "info", say(_get("lang"), "c_currency_reset", old=old.currency))


def _cost_slot(slots: dict[str, DeltaGenerator], field: str) -> None:
    slots[field] = st.empty()


def _unit_changed(seq: int) -> None:
    """Tokens ↔ samples of `seq` tokens: the amount is converted so the data stays the same
    (it was multiplied by the sequence length before), and the page says so."""
    cost, lang = _cost_state(), _get("lang")
    unit = st.session_state[_cost_key("unit", lang)]
    data = int(st.session_state.get("c_data", cost.data))
    if unit == cost.unit:
        return
    low, high = state.widget_range(CostInputs, "data")
    new = data // seq if unit == "samples" else data * seq
    new = min(max(new, low), high)
    st.session_state["c_data"] = new
    st.session_state["cost"] = cost.with_(unit=unit, data=new)
    old_text = f"{fmt_int(data, lang)} {t(lang, f'unit_{cost.unit}', seq=fmt_int(seq, lang))}"
    new_text = f"{fmt_int(new, lang)} {t(lang, f'unit_{unit}', seq=fmt_int(seq, lang))}"
    _note("data", "info", say(lang, "c_unit_converted", old=old_text, new=new_text))


def data_controls(slots: dict, lang: str, seq: int) -> None:
    """The data set and the epochs, in the plan panel (they set the time and money)."""
    st.subheader(t(lang, "data_header"))
    _cost_number(t(lang, "c_data"), "data", lang, step=1_000_000)
    _cost_slot(slots, "data")
    _cost_widget(
        st.radio,
        "unit",
        lang,
        t(lang, "c_unit"),
        list(state.DATA_UNITS),
        horizontal=True,
        format_func=lambda u: t(lang, f"unit_{u}", seq=fmt_int(seq, lang)),
        on_change=_unit_changed,
        args=(seq,),
    )
    _cost_slot(slots, "data_note")
    _cost_number(t(lang, "c_epochs"), "epochs", lang, step=1.0, format="%g")
    _cost_slot(slots, "epochs")


def _job_controls(slots: dict, lang: str) -> None:
    cost = _cost_state()
    cols = st.columns(2)
    with cols[0]:
        codes = list(dict.fromkeys([*state.STARTING_RATES, cost.currency]))
        st.selectbox(
            t(lang, "c_currency"),
            codes,
            key=_seed("c_currency", cost.currency),
            on_change=_currency_changed,
        )
        _cost_slot(slots, "currency")
    with cols[1]:
        _cost_number(
            t(lang, "c_rate", code=cost.currency),
            "usd_rate",
            lang,
            disabled=cost.currency == "USD",
            help=t(lang, "c_rate_help"),
            format="%g",
        )
        _cost_slot(slots, "usd_rate")


def _filter_controls(slots: dict, lang: str, n_short: int, n_all: int, max_gpus: int) -> None:
    cost = _cost_state()
    cols = st.columns(5)
    with cols[0]:
        _cost_number(
            t(lang, "c_deadline"), "deadline_hours", lang, value=None, placeholder=t(lang, "c_none")
        )
        _cost_slot(slots, "deadline_hours")
    with cols[1]:
        _cost_number(
            t(lang, "c_budget", code=cost.currency),
            "budget",
            lang,
            value=None,
            placeholder=t(lang, "c_none"),
        )
        _cost_slot(slots, "budget")
    with cols[2]:
        _cost_widget(
            st.selectbox,
            "cost_basis",
            lang,
            t(lang, "c_basis"),
            [b.value for b in CostBasis],
            format_func=lambda b: t(lang, f"basis_{b}"),
        )
    with cols[3]:
        _cost_widget(
            st.selectbox,
            "gpu_set",
            lang,
            t(lang, "c_gpu_set"),
            list(state.GPU_SETS),
            format_func=lambda g: t(lang, f"gpuset_{g}", n=n_short if g == "short" else n_all),
        )
    with cols[4]:
        _cost_widget(
            st.selectbox,
            "counts",
            lang,
            t(lang, "c_counts"),
            list(state.COUNT_SETS),
            format_func=lambda c: t(lang, f"counts_{c}", max=max_gpus),
        )


def _per_method_controls(slots: dict, lang: str) -> None:
    """Utilisation and communication penalty, in %, one column per method."""
    cost = _cost_state()
    util, comm = (
        state.widget_range(CostInputs, "util_pct"),
        state.widget_range(CostInputs, "comm_pct"),
    )
    cols = st.columns(len(MethodKind))
    for col, kind in zip(cols, MethodKind, strict=True):
        col.number_input(
            t(lang, "c_util", method=method_short_name(kind, lang)),
            *util,
            step=1.0,
            key=_seed(f"c_util_{kind.value}", cost.util_pct[kind]),
            format="%g",
        )
        col.number_input(
            t(lang, "c_comm"),
            *comm,
            step=1.0,
            key=_seed(f"c_comm_{kind.value}", cost.comm_pct[kind]),
            format="%g",
        )
    _cost_slot(slots, "util_pct")


def _assumption_controls(slots: dict, lang: str, kwh_default: str) -> None:
    cost = _cost_state()
    with st.expander(t(lang, "c_assumptions")):
        st.caption(t(lang, "c_speed_help"))
        _per_method_controls(slots, lang)
        cols = st.columns(4)
        with cols[0]:
            _cost_number(t(lang, "c_years"), "years", lang, step=0.5, format="%g")
            _cost_slot(slots, "years")
        with cols[1]:
            _cost_number(t(lang, "c_hours_pm"), "hours_per_month", lang, step=10.0, format="%g")
            _cost_slot(slots, "hours_per_month")
        with cols[2]:
            _cost_number(
                t(lang, "c_kwh", code=cost.currency),
                "power_price",
                lang,
                value=None,
                format="%g",
                placeholder=t(lang, "c_kwh_default", value=kwh_default),
            )
            _cost_slot(slots, "power_price")
        with cols[3]:
            _cost_number(t(lang, "c_pue"), "pue", lang, step=0.1, format="%g")
            _cost_slot(slots, "pue")
        _interruption_controls(slots, lang)


INTERRUPTION_NUMBERS = {  # field → (label key, step)
    "hours_between_interruptions": ("c_mtbi", 6.0),
    "checkpoint_minutes": ("c_save_min", 1.0),
    "restart_minutes": ("c_restart_min", 5.0),
}


def _interruption_controls(slots: dict, lang: str) -> None:
    """The floor's interruptions (llmem_core/cost/interruption.py): counted or not, and the
    three heuristics the model needs."""
    d = DEFAULT.cost  # the model's defaults (CostAssumptions), as the help states them
    hours, save, restart = (
        f"{v:g}" for v in (d.hours_between_interruptions, d.checkpoint_minutes, d.restart_minutes)
    )
    st.caption(t(lang, "c_interrupts_help", hours=hours, save=save, restart=restart))
    cols = st.columns(4, vertical_alignment="bottom")
    with cols[0]:
        _cost_widget(st.toggle, "count_interruptions", lang, t(lang, "c_interrupts"))
    off = not _cost_state().count_interruptions
    for col, (field, (label, step)) in zip(cols[1:], INTERRUPTION_NUMBERS.items(), strict=True):
        with col:
            _cost_number(t(lang, label), field, lang, step=step, format="%g", disabled=off)
            _cost_slot(slots, field)


def method_short_name(kind: MethodKind, lang: str) -> str:
    """A method's name without a layout (the assumptions hold for any TP degree)."""
    return {MethodKind.TP: "TP", MethodKind.DP_TP: "DP+TP"}.get(kind) or t(lang, f"m_{kind}")


def _price_changed(gpu: str, field: str, key: str) -> None:
    """One figure of a GPU's price edit, checked by the core's PriceOverride; a refused one
    is put back and the reason shown next to the editor."""
    cost = _cost_state()
    old = cost.price_edit(gpu)
    try:
        edit = PriceOverride(**{**old.values(), field: st.session_state[key]})
    except InputError as err:
        st.session_state[key] = getattr(old, field)
        _note("price", "error", md(core_text(err.message, _get("lang"))))
        return
    prices = {k: e for k, e in cost.price.items() if k != gpu}
    if edit != PriceOverride():
        prices[gpu] = edit
    st.session_state["cost"] = cost.with_(price=prices)


def _price_reset(gpu: str) -> None:
    cost = _cost_state()
    st.session_state["cost"] = cost.with_(price={k: e for k, e in cost.price.items() if k != gpu})
    _forget(f"c_px.{gpu}.")


# The editor's figures, a row each: rent by listing kind (the page shows them; the overall range
# follows them, llmem_core.cost.money), then buying. The overall low and high of older links
# still apply; `llmem cost --price KEY.cloud-low=…` edits them.
PRICE_ROWS = (
    ("on_demand_per_gpu_hour_low", "on_demand_per_gpu_hour_high", "interruptible_per_gpu_hour"),
    ("purchase_per_gpu", "power_w"),
)
PRICE_LABELS = {
    "on_demand_per_gpu_hour_low": "c_od_low",
    "on_demand_per_gpu_hour_high": "c_od_high",
    "interruptible_per_gpu_hour": "c_floor",
    "purchase_per_gpu": "c_buy",
    "power_w": "c_watts",
}


def _price_input(col: DeltaGenerator, lang: str, gpu: str, field: str, placeholder: str) -> None:
    """One figure of the GPU's edit; its key holds the field's place in the link."""
    cost = _cost_state()
    i = state.PRICE_FIELDS.index(field)
    key = _seed(f"c_px.{gpu}.{cost.currency}.{i}", getattr(cost.price_edit(gpu), field))
    low, high = state.widget_range(PriceOverride, field)
    col.number_input(
        t(lang, PRICE_LABELS[field], code=cost.currency),
        low,
        high,
        value=None,
        key=key,
        format="%g",
        on_change=_price_changed,
        args=(gpu, field, key),
        placeholder=placeholder,
    )


def price_editor(
    slots: dict,
    lang: str,
    gpus: dict[str, Gpu],
    keys: tuple[str, ...],
    catalog: dict[str, dict[str, str]],
) -> DeltaGenerator:
    """Pick a compared GPU, edit its figures (empty = the catalog's). Returns the expander,
    for the price table under the editor. `catalog`: per GPU, its catalog figures formatted,
    by field."""
    cost = _cost_state()
    box = st.expander(t(lang, "c_prices"))
    with box:
        st.caption(t(lang, "c_prices_help", code=cost.currency))
        top = st.columns([2, 1], vertical_alignment="bottom")
        gpu = top[0].selectbox(
            t(lang, "c_price_gpu"),
            list(keys),
            key="c_price_gpu",
            format_func=lambda k: gpus[k].name,
        )
        for fields in PRICE_ROWS:
            for col, field in zip(st.columns(3), fields, strict=False):
                _price_input(col, lang, gpu, field, catalog.get(gpu, {}).get(field, "—"))
        top[1].button(
            t(lang, "c_reset"),
            key="c_price_reset",
            on_click=_price_reset,
            args=(gpu,),
            type="tertiary",
            disabled=gpu not in cost.price,
        )
        _cost_slot(slots, "price")
    return box


def cost_controls(
    lang: str, counts: tuple[int, int], max_gpus: int, kwh_default: str
) -> dict[str, DeltaGenerator]:
    """The cost section's inputs (currency, filters, assumptions; the data set and epochs are
    in the plan panel); slots for messages. counts: (GPU types in the shortlist, in the
    catalog)."""
    slots: dict[str, DeltaGenerator] = {}
    _job_controls(slots, lang)
    _filter_controls(slots, lang, *counts, max_gpus)
    _assumption_controls(slots, lang, kwh_default)
    return slots


def cost_notes(slots: dict[str, DeltaGenerator]) -> None:
    """The message a cost callback left (a currency switch, a refused price), next to its
    input; call once every cost slot exists."""
    note = st.session_state.pop("_cost_note", None)
    if note and note[0] in slots:
        slot, level, message = note
        getattr(slots[slot], level)(message, icon="ℹ️" if level == "info" else "⚠️")


def open_tab() -> str:
    """The tab open now (a tab click changed it since the page's full run)."""
    return _get("tab")


def tabs(lang: str) -> dict[str, DeltaGenerator]:
    """The tabs below the memory chart (state.TABS), by name; only the open one's `.open` is
    True, so only its section is built and sent. The open tab is a plan input (the link keeps
    it): session_state["tab"], copied from the widget by its callback; the widget has a key per
    language (its value is the label shown)."""
    labels = {name: t(lang, f"tab_{name}") for name in state.TABS}
    key = _seed(f"tab.{lang}", labels[_get("tab")])

    def chosen() -> None:
        st.session_state["tab"] = {v: k for k, v in labels.items()}[st.session_state[key]]

    shown = st.tabs(list(labels.values()), key=key, on_change=chosen)
    return dict(zip(labels, shown, strict=True))


def exit_presentation(lang: str) -> None:
    def leave() -> None:
        st.session_state["present"] = False

    st.button(t(lang, "exit_presentation"), key="exit_present", on_click=leave, type="tertiary")


def link_query(side: Sidebar) -> dict[str, str]:
    """The link's parameters: every plan input, an uploaded model's validated config when it
    fits the link (else the page said so under the uploader), and the Hub id in its box."""
    query = state.to_query(side.inputs)
    query |= hub_box.link_params(_get("model_source"), st.session_state.get(hub_box.KEY))
    if side.uploaded:
        packed = state.config_param(side.arch)
        if len(packed) <= state.MAX_CONFIG_CHARS:
            query[state.CONFIG_PARAM] = packed
    return query


def sync_link(query: dict[str, str]) -> None:
    """Rewrite the URL from the inputs (only when it changed, to keep history quiet)."""
    if st.query_params.to_dict() != query:
        st.query_params.from_dict(query)


def link(base: str, query: dict[str, str]) -> str:
    """A shareable link: every value percent-encoded (RFC 3986), so "dp+tp" reads back as
    "dp+tp" and not as "dp tp"."""
    return f"{base.split('?')[0]}?{urlencode(query, quote_via=quote)}"


def current_link(query: dict[str, str]) -> str:
    return link(st.context.url or "", query)


def _download(
    column: DeltaGenerator, lang: str, key: str, data: Callable, name: str, mime: str, icon: str
) -> None:
    """One download button, its file generated only when clicked (no rerun on click); `key`
    is its widget key and its label's."""
    column.download_button(
        t(lang, key), data, name, mime, key=key, on_click="ignore", icon=f":material/{icon}:"
    )


def downloads(
    res: Results, memory_fig: Any, link: str, cost_rows: tuple[dict[str, Any], ...] = ()
) -> None:
    """CSV, JSON and HTML downloads, generated only when clicked (no rerun on click)."""
    lang, stem = res.inputs.lang, export.file_stem(res)
    c1, c2, c3, c4, c5 = st.columns(5)
    _download(c1, lang, "dl_csv", partial(export.plan_csv, res), f"{stem}.csv", "text/csv", "table")
    plan_json = partial(export.plan_json, res, link, cost_rows)
    _download(c2, lang, "dl_json", plan_json, f"{stem}.json", "application/json", "data_object")
    if memory_fig is not None:
        html = partial(export.chart_html, memory_fig)
        _download(c3, lang, "dl_html", html, f"{stem}-memory.html", "text/html", "bar_chart")
        light = partial(export.chart_html_light, memory_fig, res)
        name = f"{stem}-memory-small.html"
        _download(c4, lang, "dl_html_light", light, name, "text/html", "cloud")
    if cost_rows:
        csv = partial(export.cost_csv, cost_rows)
        _download(c5, lang, "dl_cost_csv", csv, f"{stem}-cost.csv", "text/csv", "payments")
    if memory_fig is not None:
        st.caption(t(lang, "dl_html_help"))
    st.caption(t(lang, "dl_png_hint"))
