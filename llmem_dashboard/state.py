"""The page's state (what the widgets and the link hold) as frozen pydantic models derived from
the core's own specs, and the link codec over their fields.

`PlanInputs` is `llmem_core.spec.PlanSpec` as the sidebar holds it and `CostInputs` is
`llmem_core.cost.CostSpec` as the cost section holds it: the same field names and the same
bounds (`same_bounds`), plus the few choices that exist only on the page (language, view,
the open tab, "compare all", automatic tp, the data unit, the GPU shortlist, the counts shown).
Links keep their short parameter names (LINK_NAMES, pydantic aliases), so old links still open.
Two inputs are shown in other units than the core's: a custom GPU's memory in GiB and fractions
in %. DISPLAY_UNITS is the one table that scales their bounds and converts them back.

The codec is generic: each query parameter is read as its field's type and validated by the
model; a bad one becomes a LinkProblem whose detail is the field's allowed range (from
`validation.allowed_at`) and keeps its default, never an exception, so a mangled link still
opens a page. The cost parameters appear in the link only when they differ from their defaults.
"""

from __future__ import annotations

import base64
import binascii
import math
import sys
import typing
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal, NamedTuple, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

from llmem_core import safe_json
from llmem_core.cost import CostAssumptions, CostBasis, CostSpec, Currency, PriceOverride
from llmem_core.errors import InputError
from llmem_core.models import (
    LORA_ALL_LINEAR,
    LORA_ATTN,
    Architecture,
    FineTune,
    Loss,
    MethodKind,
    Offload,
    Optimizer,
    Precision,
    ProfileName,
    Sharding,
    Training,
    Zero3Engine,
    ZeroEngine,
)
from llmem_core.spec import PlanSpec
from llmem_core.validation import allowed_at, field_bounds, same_bounds, value_type

ALL_METHODS = "all"  # the method selector's "compare all" value
CUSTOM_GPU = "custom"  # the GPU selector's "custom memory" value
LANGS = ("en", "ja")
VIEWS = ("full", "present")
# the tabs below the memory chart, in their order (llmem_dashboard.app); the first opens first
TABS = ("plan", "cost", "whatif", "assumptions", "downloads", "runs")
DATA_UNITS = ("tokens", "samples")
GPU_SETS = ("short", "all")  # the shortlist (cost.SHORTLIST + the user's GPU) or the catalog
COUNT_SETS = ("fewest", "all")  # per GPU type the fewest GPUs, or every count that fits
# The price editor's figures, in the order of one edit in the link
# ("key:low:high:buy:watts:on-demand low:on-demand high:interruptible"); a link written before
# the listing kinds (issue #14) has the first four, and reads as before.
PRICE_FIELDS = (
    "cloud_per_gpu_hour_low",
    "cloud_per_gpu_hour_high",
    "purchase_per_gpu",
    "power_w",
    "on_demand_per_gpu_hour_low",
    "on_demand_per_gpu_hour_high",
    "interruptible_per_gpu_hour",
)
LINK_PRICES_BEFORE_KINDS = 4
# Currencies offered; any rate can be typed. The starting rates are rough round figures for a
# first look, not quotes: the page asks for today's rate.
STARTING_RATES = {"USD": 1.0, "JPY": 150.0, "EUR": 0.9, "GBP": 0.8, "CNY": 7.2, "KRW": 1400.0}

# The link's parameter names where they differ from the field names (the short names links
# have always used); every field is also read under its own name.
LINK_NAMES = {
    "num_gpus": "gpus",
    "batch_size": "batch",
    "seq_len": "seq",
    "grad_checkpointing": "ckpt",
    "vocab_size": "vocab",
    "cuda_context_mib": "context_mib",
    "chunk_size": "chunk",
    "usd_rate": "rate",
    "hours_per_month": "hours_pm",
    "power_price": "kwh",
    "price": "prices",
    "deadline_hours": "deadline",
    "cost_basis": "basis",
    "count_interruptions": "interrupts",
    "hours_between_interruptions": "interrupt_h",
    "checkpoint_minutes": "save_min",
    "restart_minutes": "restart_min",
}
NONE_TEXT = "none"  # an optional value left empty, in the link
LORA_TARGETS = (LORA_ATTN, LORA_ALL_LINEAR)  # the page's choices (a module list: CLI and API)
CKPT_MODES = ("full", "selective")  # checkpointing's mode when the toggle is on
# Links written before zero1/zero2 existed carry five per-method values (single … dp+tp).
LINK_METHODS_BEFORE_ZERO = 5


# ---- bounds read from the core's fields ------------------------------------------------------


def _value_type(model: type[BaseModel], name: str) -> Any:
    """A field's number type (of its values, for a dict field)."""
    return value_type(model, name)[0]


bounds = field_bounds  # the field's ge / gt / le / lt, as the core declares them


_TINY = sys.float_info.min


def widget_range(model: type[BaseModel], name: str) -> tuple[Any, Any]:
    """(min_value, max_value) for a number_input of the field: its own bounds, inclusive."""
    kind = _value_type(model, name)
    b = bounds(model, name)
    low, high = b.get("ge"), b.get("le")
    if "gt" in b:  # the next value up (for floats a normal one: 1e-320 % is no fraction)
        low = b["gt"] + 1 if kind is int else b["gt"] + max(math.ulp(b["gt"]), _TINY)
    if "lt" in b:
        high = b["lt"] - 1 if kind is int else b["lt"] - max(math.ulp(b["lt"]), _TINY)
    return (None if low is None else kind(low)), (None if high is None else kind(high))


def _default(model: type[BaseModel], name: str) -> Any:
    info = model.model_fields[name]
    return info.default_factory() if info.default_factory else info.default  # type: ignore[call-arg]


class Scale(NamedTuple):
    """A field shown in other units than the core's: display value = core value × per_core."""

    model: type[BaseModel]
    field: str
    per_core: float

    def bounds(self) -> dict[str, float]:
        return {k: self.from_core(v) for k, v in bounds(self.model, self.field).items()}

    def from_core(self, value: float) -> float:
        return float(f"{value * self.per_core:.12g}")  # 0.9 × 100 is 90, not 90.00000000000001

    def to_core(self, value: float) -> float | int:
        kind = _value_type(self.model, self.field)
        core = value / self.per_core
        return round(core) if kind is int else core


MIB_PER_GIB = 1024
PERCENT = 100.0
DISPLAY_UNITS = {
    "gpu_gib": Scale(PlanSpec, "gpu_memory_mib", 1 / MIB_PER_GIB),
    "slack_pct": Scale(PlanSpec, "allocator_slack", PERCENT),
    "util_pct": Scale(CostSpec, "utilisation", PERCENT),
    "comm_pct": Scale(CostSpec, "comm_penalty", PERCENT),
}


def _shown(name: str, default: float) -> Any:
    return Field(default=default, **DISPLAY_UNITS[name].bounds())


def _percents(name: str, fractions: Mapping[MethodKind, float]) -> dict[MethodKind, float]:
    return {kind: DISPLAY_UNITS[name].from_core(fractions[kind]) for kind in MethodKind}


UtilPct = Annotated[float, Field(**DISPLAY_UNITS["util_pct"].bounds())]
CommPct = Annotated[float, Field(**DISPLAY_UNITS["comm_pct"].bounds())]
MethodChoice = Literal[(ALL_METHODS, *MethodKind)]  # type: ignore[valid-type]


class State(BaseModel):
    """Frozen, strict about unknown fields; read under the link's names or the fields' own."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        allow_inf_nan=False,
        alias_generator=lambda name: LINK_NAMES.get(name, name),
        validate_by_name=True,
        validate_by_alias=True,
    )

    def values(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in type(self).model_fields}

    def with_(self, **changes: Any) -> Self:
        """A validated copy with some fields changed (by their names)."""
        return type(self).model_validate({**self.values(), **changes})


def _one_of(allowed: list[str]) -> str:
    return "one of " + ", ".join(allowed[:8]) + (" …" if len(allowed) > 8 else "")


def _check_catalog(value: str, info: ValidationInfo) -> str:
    """A preset id or GPU key from a link must be in the catalog (`context` names it)."""
    allowed = (info.context or {}).get(info.field_name)
    if allowed is not None and value not in allowed:
        raise ValueError(_one_of(list(allowed)))
    return value


class CostInputs(State):
    """The cost question as the cost section states it: CostSpec's fields (data as an amount
    and a unit; utilisation and penalty in %, per method); money in `currency`."""

    data: int = same_bounds(CostSpec, "dataset_tokens", 100_000_000)  # docs/cost.md's example
    unit: Literal[DATA_UNITS] = "tokens"  # type: ignore[valid-type]
    epochs: float = same_bounds(CostSpec, "epochs", 3.0)
    currency: Annotated[str, *Currency.model_fields["code"].metadata] = "USD"
    usd_rate: float = same_bounds(CostSpec, "usd_rate", 1.0)
    util_pct: dict[MethodKind, UtilPct] = Field(
        default_factory=lambda: _percents("util_pct", CostAssumptions().utilisation)
    )
    comm_pct: dict[MethodKind, CommPct] = Field(
        default_factory=lambda: _percents("comm_pct", CostAssumptions().comm_penalty)
    )
    years: float = same_bounds(CostSpec, "years", _default(CostAssumptions, "amortisation_years"))
    hours_per_month: float = same_bounds(
        CostSpec, "hours_per_month", _default(CostAssumptions, "owned_hours_per_month")
    )
    power_price: float | None = same_bounds(CostSpec, "power_price")
    pue: float = same_bounds(CostSpec, "pue", _default(CostAssumptions, "pue"))
    count_interruptions: bool = _default(CostAssumptions, "count_interruptions")
    hours_between_interruptions: float = same_bounds(
        CostSpec,
        "hours_between_interruptions",
        _default(CostAssumptions, "hours_between_interruptions"),
    )
    checkpoint_minutes: float = same_bounds(
        CostSpec, "checkpoint_minutes", _default(CostAssumptions, "checkpoint_minutes")
    )
    restart_minutes: float = same_bounds(
        CostSpec, "restart_minutes", _default(CostAssumptions, "restart_minutes")
    )
    price: dict[str, PriceOverride] = Field(default_factory=dict, description="by GPU key")
    deadline_hours: float | None = same_bounds(CostSpec, "deadline_hours")
    budget: float | None = same_bounds(CostSpec, "budget")
    cost_basis: CostBasis = _default(CostSpec, "cost_basis")
    gpu_set: Literal[GPU_SETS] = "short"  # type: ignore[valid-type]
    counts: Literal[COUNT_SETS] = "fewest"  # type: ignore[valid-type]

    @field_validator("util_pct", "comm_pct")
    @classmethod
    def _every_method(
        cls, value: dict[MethodKind, float], info: ValidationInfo
    ) -> dict[MethodKind, float]:
        default = _default(cls, info.field_name)
        return {kind: value.get(kind, default[kind]) for kind in MethodKind}

    @field_validator("price")
    @classmethod
    def _catalog_keys(
        cls, value: dict[str, PriceOverride], info: ValidationInfo
    ) -> dict[str, PriceOverride]:
        for key in value:
            _check_catalog(key, info)
        return dict(sorted(value.items()))

    def price_edit(self, gpu_key: str) -> PriceOverride:
        return self.price.get(gpu_key) or PriceOverride()

    def spec(self, gpu_keys: tuple[str, ...], max_gpus: int) -> CostSpec:
        """The core's cost question: these inputs in its units, over these GPU types."""
        size = "dataset_tokens" if self.unit == "tokens" else "dataset_samples"
        util, comm = DISPLAY_UNITS["util_pct"], DISPLAY_UNITS["comm_pct"]
        return CostSpec(
            **{size: self.data},
            epochs=self.epochs,
            currency=self.currency,
            usd_rate=self.usd_rate,
            utilisation={k: util.to_core(v) for k, v in self.util_pct.items()},
            comm_penalty={k: comm.to_core(v) for k, v in self.comm_pct.items()},
            years=self.years,
            hours_per_month=self.hours_per_month,
            power_price=self.power_price,
            pue=self.pue,
            count_interruptions=self.count_interruptions,
            hours_between_interruptions=self.hours_between_interruptions,
            checkpoint_minutes=self.checkpoint_minutes,
            restart_minutes=self.restart_minutes,
            price=self.price,
            gpu=gpu_keys,
            max_gpus=max_gpus,
            all_counts=self.counts == "all",
            deadline_hours=self.deadline_hours,
            budget=self.budget,
            cost_basis=self.cost_basis,
        )


class PlanInputs(State):
    """One plan as the sidebar states it: PlanSpec's fields, a preset id for the model, the
    custom GPU's memory in GiB and the allocator slack in %. Defaults: the demo plan."""

    lang: Literal[LANGS] = "en"  # type: ignore[valid-type]
    model: str = "meta-llama/Llama-3.1-8B"
    vocab_size: int | None = same_bounds(PlanSpec, "vocab_size")  # None: the model's own
    gpu: str = "a100-80gb"  # a catalog key or CUSTOM_GPU
    gpu_gib: float = _shown("gpu_gib", 80.0)  # memory per GPU when gpu == CUSTOM_GPU
    num_gpus: int = same_bounds(PlanSpec, "num_gpus", 4)
    method: MethodChoice = ALL_METHODS
    tp: int = Field(
        default=0,
        ge=0,
        le=bounds(PlanSpec, "tp")["le"],
        description="dp+tp's tensor-parallel degree; 0: the core's default",
    )
    batch_size: int = same_bounds(PlanSpec, "batch_size", 4)
    seq_len: int = same_bounds(PlanSpec, "seq_len", 2048)
    precision: Precision = _default(Training, "precision")
    optimizer: Optimizer = _default(Training, "optimizer")
    grad_checkpointing: bool = _default(Training, "grad_checkpointing")
    profile: ProfileName = _default(PlanSpec, "profile")
    cuda_context_mib: int = same_bounds(PlanSpec, "cuda_context_mib", 0)  # 0: the default
    slack_pct: float = _shown("slack_pct", 0.0)
    chunk_size: int = same_bounds(PlanSpec, "chunk_size", 0)  # 0: searched as Gemini does
    # Issue #12: what trains, checkpointing's mode (when on), the loss, ZeRO's engine, offload.
    finetune: FineTune = _default(Training, "finetune")
    lora_rank: int = same_bounds(PlanSpec, "lora_rank", _default(Training, "lora_rank"))
    lora_targets: Literal[LORA_TARGETS] = "attn"  # type: ignore[valid-type]
    lora_dropout: float = same_bounds(PlanSpec, "lora_dropout", 0.0)
    ckpt_mode: Literal[CKPT_MODES] = "full"  # type: ignore[valid-type]
    checkpoint_every: int = same_bounds(PlanSpec, "checkpoint_every", 2)
    loss: Loss = _default(Training, "loss")
    offload: Offload = _default(Sharding, "offload")
    zero3_engine: Zero3Engine = _default(Sharding, "zero3_engine")
    zero_engine: ZeroEngine = _default(Sharding, "zero_engine")
    reshard_after_forward: bool = _default(Sharding, "reshard_after_forward")
    view: Literal[VIEWS] = "full"  # type: ignore[valid-type]
    tab: Literal[TABS] = TABS[0]  # type: ignore[valid-type]
    cost: CostInputs = CostInputs()

    @field_validator("model", "gpu")
    @classmethod
    def _in_catalog(cls, value: str, info: ValidationInfo) -> str:
        return _check_catalog(value, info)

    @property
    def custom_gpu(self) -> bool:
        return self.gpu == CUSTOM_GPU

    def method_kind(self) -> MethodKind | None:
        """The method asked for; None: compare all."""
        return None if self.method == ALL_METHODS else MethodKind(self.method)

    def tp_asked(self) -> int | None:
        """dp+tp's degree where it applies (comparing all, or dp+tp); None: the default."""
        applies = self.method in (ALL_METHODS, MethodKind.DP_TP)
        return (self.tp or None) if applies else None

    def spec(self) -> PlanSpec:
        """The core's plan: these inputs by PlanSpec's names and units."""
        memory = DISPLAY_UNITS["gpu_gib"].to_core(self.gpu_gib) if self.custom_gpu else None
        return PlanSpec(
            model=self.model,
            gpu=None if self.custom_gpu else self.gpu,
            gpu_memory_mib=memory,
            num_gpus=self.num_gpus,
            method=self.method_kind(),
            tp=self.tp_asked(),
            batch_size=self.batch_size,
            seq_len=self.seq_len,
            precision=self.precision,
            optimizer=self.optimizer,
            grad_checkpointing=self.grad_checkpointing,
            checkpointing=self.ckpt_mode if self.grad_checkpointing else None,
            checkpoint_every=self.checkpoint_every,
            finetune=self.finetune,
            lora_rank=self.lora_rank,
            lora_targets=self.lora_targets,
            lora_dropout=self.lora_dropout,
            loss=self.loss,
            offload=self.offload,
            zero3_engine=self.zero3_engine,
            zero_engine=self.zero_engine,
            reshard_after_forward=self.reshard_after_forward,
            profile=self.profile,
            vocab_size=self.vocab_size,
            cuda_context_mib=self.cuda_context_mib,
            allocator_slack=DISPLAY_UNITS["slack_pct"].to_core(self.slack_pct),
            chunk_size=self.chunk_size,
        )


DEFAULT = PlanInputs()


# ---- the link ------------------------------------------------------------------------------


@dataclass(frozen=True)
class LinkProblem:
    """A query parameter that could not be used: its name, the raw value, why."""

    param: str
    value: str
    reason: str  # an i18n key
    detail: str = ""


def _params() -> dict[str, tuple[type[State], str]]:
    """Every query parameter → (the model holding it, its field): link names and field names."""
    out: dict[str, tuple[type[State], str]] = {}
    for model in (PlanInputs, CostInputs):
        for name, info in model.model_fields.items():
            if name != "cost":
                out[name] = out[info.alias or name] = (model, name)
    return out


def _shape(model: type[State], name: str) -> str:
    """How a field is written in the link: per method, price edits, optional or plain."""
    annotation = model.model_fields[name].annotation
    if typing.get_origin(annotation) is dict:
        key = typing.get_args(annotation)[0]
        return "per_method" if key is MethodKind else "prices"
    return "optional" if type(None) in typing.get_args(annotation) else "plain"


def _read(model: type[State], name: str, text: str) -> Any:
    """A parameter's text as the value its field validates (a ValueError if it has no shape)."""
    shape = _shape(model, name)
    if shape == "per_method":
        parts = text.split(",")
        if len(parts) not in (len(MethodKind), LINK_METHODS_BEFORE_ZERO):
            raise ValueError("wrong count")
        return dict(zip(MethodKind, parts, strict=False))  # an older link: the rest default
    if shape == "prices":
        edits: dict[str, dict[str, str | None]] = {}
        for part in filter(None, text.split(";")):
            key, _, rest = part.partition(":")
            figures = rest.split(":")
            if len(figures) not in (len(PRICE_FIELDS), LINK_PRICES_BEFORE_KINDS):
                raise ValueError("wrong count")
            edits[key] = {f: v or None for f, v in zip(PRICE_FIELDS, figures, strict=False)}
        return edits
    if shape == "optional" and text.lower() in ("", NONE_TEXT):
        return None
    return text


def _allowed(model: type[State], name: str) -> str:
    """What the link may hold for a field, in words (the range is the field's own)."""
    shape = _shape(model, name)
    if shape == "per_method":
        each = allowed_at(model, (name, MethodKind.SINGLE.value))
        return f"{len(MethodKind)} comma-separated values ({', '.join(MethodKind)}), each {each}"
    if shape == "prices":
        each = allowed_at(PriceOverride, (PRICE_FIELDS[0],))
        return (
            f"GPU_KEY:{':'.join(PRICE_FIELDS)} per edit, joined by ';' (an empty figure "
            f"keeps the catalog's), each {each}"
        )
    info = model.model_fields[name]
    words = allowed_at(model, (name,)) or "a valid value"
    pattern = next((m.pattern for m in info.metadata if getattr(m, "pattern", None)), None)
    if pattern:
        words += f" matching {pattern}"
    return words + (" or none" if shape == "optional" else "")


def _detail(model: type[State], name: str, err: Exception) -> str:
    """Why a value is refused: a check's own message, else the field's allowed range."""
    if isinstance(err, ValidationError):
        first = err.errors(include_url=False)[0]
        inner = (first.get("ctx") or {}).get("error")
        if isinstance(inner, InputError):
            return f"{inner.field}: {inner.message}"
        if first["type"] == "value_error":
            return str(inner or first["msg"])
    return _allowed(model, name)


def _last(raw: str | list[str]) -> str:
    return (raw[-1] if raw else "") if isinstance(raw, list) else str(raw)


def from_query(
    params: Mapping[str, str | list[str]], model_ids: list[str], gpu_keys: list[str]
) -> tuple[PlanInputs, list[LinkProblem]]:
    """A plan from a query string; each unusable parameter keeps its default and is reported."""
    known = _params()
    context = {"model": model_ids, "gpu": [*gpu_keys, CUSTOM_GPU], "price": gpu_keys}
    found: dict[type[State], dict[str, Any]] = {PlanInputs: {}, CostInputs: {}}
    given: dict[str, tuple[str, str]] = {}  # field → (param, text), for the cross-field check
    problems: list[LinkProblem] = []
    for param, raw in params.items():
        text = _last(raw).strip()
        if param not in known:
            problems.append(LinkProblem(param[:80], text[:80], "link_unknown_param"))
            continue
        model, name = known[param]
        try:
            checked = model.model_validate({name: _read(model, name, text)}, context=context)
        except ValueError as err:  # ValidationError is one
            problems.append(
                LinkProblem(param, text[:80], "link_bad_value", _detail(model, name, err))
            )
            continue
        found[model][name] = getattr(checked, name)
        given[name] = (param, text[:80])
    cost, more = _consistent(found[CostInputs], given)
    return PlanInputs(**found[PlanInputs], cost=cost), problems + more


def _consistent(
    values: dict[str, Any], given: dict[str, tuple[str, str]]
) -> tuple[CostInputs, list[LinkProblem]]:
    """Rules between cost fields are the core's (a US dollar is worth one US dollar): the
    CostSpec of these inputs is built, and a field it refuses keeps its default."""
    problems = []
    for _ in range(len(values) + 1):
        cost = CostInputs(**values)
        try:
            spec = cost.spec((), _default(CostSpec, "max_gpus"))
            spec.assumptions()  # the currency and its rate
            spec.options()
            return cost, problems
        except InputError as err:
            name = err.field.split(".")[0]
            if name not in values:
                return CostInputs(), [*problems, _problem(err, err.field, "")]
            param, text = given.get(name, (name, ""))
            problems.append(_problem(err, param, text))
            del values[name]
    return CostInputs(), problems


def _problem(err: InputError, param: str, text: str) -> LinkProblem:
    return LinkProblem(param, text, "link_bad_value", err.message)


def _number(value: float) -> str:
    """The shortest text that reads back as the same float."""
    short = f"{value:g}"
    return short if float(short) == value else repr(value)


def _text(value: Any, shape: str = "plain") -> str:
    """A field's value as the link writes it (what `_read` reads back)."""
    if value is None:
        return NONE_TEXT
    if shape == "per_method":
        return ",".join(_text(value[kind]) for kind in MethodKind)
    if shape == "prices":
        return ";".join(f"{key}:{_edit_text(edit)}" for key, edit in sorted(value.items()))
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return _number(value)
    return str(value)


def _edit_text(edit: PriceOverride) -> str:
    """One price edit's figures, ':'-separated; an empty one keeps the catalog's."""
    figures = (getattr(edit, f) for f in PRICE_FIELDS)
    return ":".join("" if v is None else _text(v) for v in figures)


def to_query(plan: PlanInputs) -> dict[str, str]:
    """Every plan input as a query parameter (left out when None), in field order, then the
    cost inputs that differ from their defaults; under the link's names."""
    out = {}
    for name, info in PlanInputs.model_fields.items():
        value = getattr(plan, name)
        if name != "cost" and value is not None:
            out[info.alias or name] = _text(value, _shape(PlanInputs, name))
    for name, info in CostInputs.model_fields.items():
        value = getattr(plan.cost, name)
        if value != getattr(DEFAULT.cost, name):
            out[info.alias or name] = _text(value, _shape(CostInputs, name))
    return out


def as_dict(plan: PlanInputs) -> dict[str, Any]:
    """The inputs as JSON values (enums as their text), under the fields' own names."""
    return plan.model_dump(mode="json")


# ---- an uploaded config in the link ----------------------------------------------------------
# The validated Architecture (not the raw file: only the fields the estimator reads, defaults
# left out) as compact JSON, deflated (zlib, RFC 1950) and written base64url (RFC 4648 §5).
# Read back it is bounded before anything is decoded (its length), while inflating (at most
# CONFIG_JSON_BYTES) and after (safe_json's depth and number limits, then Architecture's own
# bounds): nothing in a link is executed or unpickled.
CONFIG_PARAM = "config"
# RFC 9110 §4.1 recommends that senders and recipients support URIs of at least 8,000 octets;
# the config's share is kept well under that so the rest of the link and a chat tool's
# wrapping still fit (a heuristic; a Llama config takes about 400 characters).
MAX_CONFIG_CHARS = 3_000
CONFIG_JSON_BYTES = 16_000  # an Architecture's JSON is under 1 kB


def config_param(arch: Architecture) -> str:
    """An architecture as the link's `config` value (may be longer than MAX_CONFIG_CHARS)."""
    text = arch.model_dump_json(exclude_defaults=True)
    packed = zlib.compress(text.encode("utf-8"), 9)
    return base64.urlsafe_b64encode(packed).decode("ascii").rstrip("=")


def _inflate(packed: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(packed + "=" * (-len(packed) % 4))
        inflater = zlib.decompressobj()
        data = inflater.decompress(raw, CONFIG_JSON_BYTES)
    except (binascii.Error, ValueError, zlib.error):
        raise InputError(
            CONFIG_PARAM, "not a model written by this page (compressed JSON in base64url)"
        ) from None
    if inflater.unconsumed_tail:
        raise InputError(CONFIG_PARAM, f"inflates past {CONFIG_JSON_BYTES:,} bytes")
    return data


def config_from_param(packed: str) -> Architecture:
    """The link's `config` value → a validated Architecture, or InputError(`config`, why)."""
    if len(packed) > MAX_CONFIG_CHARS:
        raise InputError(
            CONFIG_PARAM, f"is {len(packed):,} characters; at most {MAX_CONFIG_CHARS:,}"
        )
    fields = safe_json.loads(safe_json.decode(_inflate(packed), CONFIG_PARAM), CONFIG_PARAM)
    if not isinstance(fields, dict):
        raise InputError(CONFIG_PARAM, "expected a JSON object")
    try:
        return Architecture(**fields)
    except InputError as err:
        raise InputError(CONFIG_PARAM, f"{err.field}: {err.message}") from None
