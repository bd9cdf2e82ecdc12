"""The plan as plain values (what the widgets and the URL hold), and the URL codec.

`PlanInputs` is everything a user can set, in display units (GiB, MiB, %). It is turned into
a core `Request` by compute.py; here it is only read from and written to the query string.
Every query parameter is validated: a bad one yields a `LinkProblem` and its default, never an
exception, so a mangled link still opens a page.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

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


def _default(model: type, name: str) -> Any:
    return model.model_fields[name].default


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
    table = parsers(model_ids, gpu_keys)
    values: dict[str, Any] = {}
    problems: list[LinkProblem] = []
    for name, raw in params.items():
        text = raw[-1] if isinstance(raw, list) else str(raw)
        if name not in table:
            problems.append(LinkProblem(name, text[:80], "link_unknown_param"))
            continue
        try:
            values[name] = table[name](text.strip())
        except ValueError as err:
            problems.append(LinkProblem(name, text[:80], "link_bad_value", str(err)))
    return replace(DEFAULT, **values), problems


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def to_query(plan: PlanInputs) -> dict[str, str]:
    """Every input as a query parameter (vocab only when overridden), in field order."""
    out = {f.name: _text(getattr(plan, f.name)) for f in fields(plan)}
    if plan.vocab is None:
        del out["vocab"]
    return out


def as_dict(plan: PlanInputs) -> dict[str, Any]:
    return asdict(plan)
