"""The plan as plain values (what the widgets and the URL hold), and the URL codec.

`PlanInputs` is everything a user can set, in display units (GiB, MiB, %). It is turned into
a core `Request` by compute.py (and its `cost` part into the cost module's inputs by
cost.py); here it is only read from and written to the query string.
Every query parameter is validated: a bad one yields a `LinkProblem` and its default, never an
exception, so a mangled link still opens a page. The cost parameters appear in the link only
when they differ from their defaults, to keep it short.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from pydantic import ValidationError

from llmem_core.cost import CostBasis, PriceOverride
from llmem_core.cost.inputs import (
    HEURISTIC_AMORTISATION_YEARS,
    HEURISTIC_COMM_PENALTY,
    HEURISTIC_HFU,
    HEURISTIC_OWNED_HOURS_PER_MONTH,
    MAX_MONEY,
    MAX_TOKENS,
    PUE_GPU_ONLY,
)
from llmem_core.models import (
    MAX_BATCH,
    MAX_GPUS,
    MAX_SEQ,
    MAX_VOCAB,
    MethodKind,
    Optimizer,
    Precision,
    ProfileName,
    Runtime,
    Training,
)

ALL_METHODS = "all"  # the method selector's "compare all" value
CUSTOM_GPU = "custom"  # the GPU selector's "custom memory" value
LANGS = ("en", "ja")
VIEWS = ("full", "present")

# Widget bounds beyond the core's: sizes people type, not the core's absurdity guards.
MAX_GPUS_UI = min(MAX_GPUS, 4096)
MAX_GPU_GIB = 4096.0
MAX_CONTEXT_MIB = 65_536
MAX_SLACK_PCT = 100.0


# Cost: the methods in the order of the utilisation / penalty lists in the link.
COST_METHODS = ("single", "cdp", "adp", "tp", "dp_tp")
DATA_UNITS = ("tokens", "samples")
GPU_SETS = ("short", "all")  # the shortlist (cost.SHORTLIST + the user's GPU) or the catalog
COUNT_SETS = ("fewest", "all")  # per GPU type the fewest GPUs, or every count that fits
PRICE_FIELDS = ("low", "high", "buy", "watts")  # one price edit: cloud low/high, purchase, W
# Currencies offered; any rate can be typed. The starting rates are rough round figures for a
# first look, not quotes: the page asks for today's rate.
STARTING_RATES = {"USD": 1.0, "JPY": 150.0, "EUR": 0.9, "GBP": 0.8, "CNY": 7.2, "KRW": 1400.0}
MAX_RATE = 1e6
MAX_EPOCHS = 10_000.0
MAX_DEADLINE_HOURS = 1e7


def _default(model: type, name: str) -> Any:
    return model.model_fields[name].default


def _percents(table: dict[str, float]) -> tuple[float, ...]:
    return tuple(round(table[m] * 100, 6) for m in COST_METHODS)


@dataclass(frozen=True)
class CostInputs:
    """The cost question as the user states it: the data, the currency, the assumptions
    (utilisation and penalty in %), price edits and filters. Money is in `currency`."""

    data: int = 100_000_000  # dataset size, in `unit` (docs/cost.md's worked example)
    unit: str = "tokens"
    epochs: float = 3.0
    currency: str = "USD"
    rate: float = 1.0  # units of `currency` per US dollar
    util_pct: tuple[float, ...] = _percents(HEURISTIC_HFU)  # per COST_METHODS
    comm_pct: tuple[float, ...] = _percents(HEURISTIC_COMM_PENALTY)
    years: float = HEURISTIC_AMORTISATION_YEARS
    hours_pm: float = HEURISTIC_OWNED_HOURS_PER_MONTH  # hours a month owned GPUs run
    kwh: float | None = None  # power price per kWh in `currency`; None = the core's heuristic
    pue: float = PUE_GPU_ONLY
    prices: tuple[tuple[str, tuple[float | None, ...]], ...] = ()  # (gpu key, PRICE_FIELDS)
    deadline: float | None = None  # hours per run
    budget: float | None = None  # per run, on `basis`
    basis: str = CostBasis.CLOUD_LOW.value
    gpu_set: str = "short"
    counts: str = "fewest"

    def price_edit(self, gpu_key: str) -> tuple[float | None, ...]:
        return dict(self.prices).get(gpu_key, (None,) * len(PRICE_FIELDS))


@dataclass(frozen=True)
class PlanInputs:
    """One plan as the user states it. Defaults: the embedded demo plan."""

    lang: str = "en"
    model: str = "meta-llama/Llama-3.1-8B"
    vocab: int | None = None  # vocabulary what-if; None = the model's own
    gpu: str = "a100-80gb"  # catalog key or CUSTOM_GPU
    gpu_gib: float = 80.0  # memory per GPU when gpu == CUSTOM_GPU
    gpus: int = 4
    method: str = ALL_METHODS
    tp: int = 0  # tensor-parallel degree of dp+tp; 0 = the core's default
    batch: int = 4
    seq: int = 2048
    precision: str = _default(Training, "precision").value
    optimizer: str = _default(Training, "optimizer").value
    ckpt: bool = _default(Training, "grad_checkpointing")
    profile: str = _default(Runtime, "profile").value
    context_mib: int = 0  # 0 = the profile's default m_base
    slack_pct: float = 0.0
    chunk: int = 0  # Gemini chunk size in elements; 0 = searched as Gemini does
    view: str = "full"
    cost: CostInputs = CostInputs()


DEFAULT = PlanInputs()


@dataclass(frozen=True)
class LinkProblem:
    """A query parameter that could not be used: its name, the raw value, why."""

    param: str
    value: str
    reason: str  # an i18n key
    detail: str = ""


def _int(lo: int, hi: int) -> Callable[[str], int]:
    def parse(raw: str) -> int:
        value = int(raw)
        if not lo <= value <= hi:
            raise ValueError(f"{lo}–{hi}")
        return value

    return parse


def _float(lo: float, hi: float) -> Callable[[str], float]:
    def parse(raw: str) -> float:
        value = float(raw)
        if not lo <= value <= hi:  # also rejects nan
            raise ValueError(f"{lo:g}–{hi:g}")
        return value

    return parse


def _choice(allowed: Callable[[], list[str]]) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        options = allowed()
        if raw not in options:
            raise ValueError(", ".join(options[:8]) + (" …" if len(options) > 8 else ""))
        return raw

    return parse


def _bool(raw: str) -> bool:
    if raw.lower() in ("1", "true", "on", "yes"):
        return True
    if raw.lower() in ("0", "false", "off", "no"):
        return False
    raise ValueError("1, 0")


def _vocab(raw: str) -> int | None:
    return None if raw in ("", "model") else _int(1, MAX_VOCAB)(raw)


def _optional(parse: Callable[[str], float]) -> Callable[[str], float | None]:
    def parse_or_none(raw: str) -> float | None:
        return None if raw in ("", "none") else parse(raw)

    return parse_or_none


def _list(parse: Callable[[str], float], n: int) -> Callable[[str], tuple[float, ...]]:
    def parse_all(raw: str) -> tuple[float, ...]:
        parts = raw.split(",")
        if len(parts) != n:
            raise ValueError(f"{n} comma-separated numbers ({', '.join(COST_METHODS)})")
        return tuple(parse(p) for p in parts)

    return parse_all


def _util(raw: str) -> float:
    value = _float(0.0, 100.0)(raw)
    if value == 0:
        raise ValueError("0–100, above 0")
    return value


def _currency(raw: str) -> str:
    if len(raw) != 3 or not raw.isascii() or not raw.isalpha() or not raw.isupper():
        raise ValueError("a 3-letter code such as JPY")
    return raw


def _edit(raw: str, gpu_keys: list[str]) -> tuple[str, tuple[float | None, ...]]:
    key, _, rest = raw.partition(":")
    if key not in gpu_keys:
        raise ValueError(f"a catalog GPU key ({key!r} is not one)")
    values = rest.split(":")
    if len(values) != len(PRICE_FIELDS):
        raise ValueError(f"{key}:{':'.join(PRICE_FIELDS)} (empty keeps the catalog's)")
    edit = tuple(_optional(_float(1e-9, MAX_MONEY))(v) for v in values)
    try:  # the core's own bounds and checks (cloud low ≤ high)
        price_override(edit)
    except ValidationError as err:
        raise ValueError(f"{key}: {err.errors()[0]['msg']}") from None
    return key, edit


def price_override(edit: tuple[float | None, ...]) -> PriceOverride:
    """A price edit (PRICE_FIELDS order) as the core's PriceOverride. Raises on bad values."""
    names = ("cloud_per_gpu_hour_low", "cloud_per_gpu_hour_high", "purchase_per_gpu", "power_w")
    return PriceOverride(**dict(zip(names, edit, strict=True)))


def _edits(gpu_keys: list[str]) -> Callable[[str], tuple]:
    def parse(raw: str) -> tuple:
        found = dict(_edit(part, gpu_keys) for part in raw.split(";") if part)
        return tuple(sorted(found.items()))

    return parse


def cost_parsers(gpu_keys: list[str]) -> dict[str, Callable[[str], Any]]:
    """One validating parser per CostInputs field (the URL's parameter names)."""
    return {
        "data": _int(1, MAX_TOKENS),
        "unit": _choice(lambda: list(DATA_UNITS)),
        "epochs": _float(1e-3, MAX_EPOCHS),
        "currency": _currency,
        "rate": _float(1e-6, MAX_RATE),
        "util_pct": _list(_util, len(COST_METHODS)),
        "comm_pct": _list(_float(0.0, 90.0), len(COST_METHODS)),
        "years": _float(0.1, 30.0),
        "hours_pm": _float(1.0, 744.0),
        "kwh": _optional(_float(0.0, MAX_MONEY)),
        "pue": _float(1.0, 3.0),
        "prices": _edits(gpu_keys),
        "deadline": _optional(_float(1e-3, MAX_DEADLINE_HOURS)),
        "budget": _optional(_float(1e-6, MAX_MONEY)),
        "basis": _choice(lambda: [b.value for b in CostBasis]),
        "gpu_set": _choice(lambda: list(GPU_SETS)),
        "counts": _choice(lambda: list(COUNT_SETS)),
    }


def parsers(model_ids: list[str], gpu_keys: list[str]) -> dict[str, Callable[[str], Any]]:
    """One validating parser per PlanInputs field (the URL's parameter names)."""
    methods = [ALL_METHODS, *(m.value for m in MethodKind)]
    return {
        "lang": _choice(lambda: list(LANGS)),
        "model": _choice(lambda: model_ids),
        "vocab": _vocab,
        "gpu": _choice(lambda: [*gpu_keys, CUSTOM_GPU]),
        "gpu_gib": _float(0.5, MAX_GPU_GIB),
        "gpus": _int(1, MAX_GPUS_UI),
        "method": _choice(lambda: methods),
        "tp": _int(0, MAX_GPUS_UI),
        "batch": _int(1, MAX_BATCH),
        "seq": _int(1, MAX_SEQ),
        "precision": _choice(lambda: [p.value for p in Precision]),
        "optimizer": _choice(lambda: [o.value for o in Optimizer]),
        "ckpt": _bool,
        "profile": _choice(lambda: [p.value for p in ProfileName]),
        "context_mib": _int(0, MAX_CONTEXT_MIB),
        "slack_pct": _float(0.0, MAX_SLACK_PCT),
        "chunk": _int(0, 2**34),
        "view": _choice(lambda: list(VIEWS)),
    }


def from_query(
    params: Mapping[str, str | list[str]], model_ids: list[str], gpu_keys: list[str]
) -> tuple[PlanInputs, list[LinkProblem]]:
    """A plan from a query string; each unusable parameter keeps its default and is reported."""
    plan_table, cost_table = parsers(model_ids, gpu_keys), cost_parsers(gpu_keys)
    values: dict[str, Any] = {}
    costs: dict[str, Any] = {}
    problems: list[LinkProblem] = []
    for name, raw in params.items():
        text = raw[-1] if isinstance(raw, list) else str(raw)
        table, out = (plan_table, values) if name in plan_table else (cost_table, costs)
        if name not in table or name == "cost":
            problems.append(LinkProblem(name, text[:80], "link_unknown_param"))
            continue
        try:
            out[name] = table[name](text.strip())
        except ValueError as err:
            problems.append(LinkProblem(name, text[:80], "link_bad_value", str(err)))
    cost, more = _consistent(replace(DEFAULT.cost, **costs))
    return replace(DEFAULT, **values, cost=cost), problems + more


def _consistent(cost: CostInputs) -> tuple[CostInputs, list[LinkProblem]]:
    """Cross-field rule the core also enforces: a US dollar is worth one US dollar."""
    if cost.currency == "USD" and cost.rate != 1.0:
        return replace(cost, rate=1.0), [LinkProblem("rate", f"{cost.rate:g}", "link_bad_value",
                                                     "1 for USD")]
    return cost, []


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _cost_text(name: str, value: Any) -> str:
    if name == "prices":
        return ";".join(f"{key}:" + ":".join("" if v is None else f"{v:g}" for v in edit)
                        for key, edit in value)
    if isinstance(value, tuple):
        return ",".join(f"{v:g}" for v in value)
    return "none" if value is None else _text(value)


def to_query(plan: PlanInputs) -> dict[str, str]:
    """Every plan input as a query parameter (vocab only when overridden), in field order, then
    the cost inputs that differ from their defaults."""
    out = {f.name: _text(getattr(plan, f.name)) for f in fields(plan) if f.name != "cost"}
    if plan.vocab is None:
        del out["vocab"]
    for f in fields(plan.cost):
        value = getattr(plan.cost, f.name)
        if value != getattr(DEFAULT.cost, f.name):
            out[f.name] = _cost_text(f.name, value)
    return out


def as_dict(plan: PlanInputs) -> dict[str, Any]:
    return asdict(plan)
