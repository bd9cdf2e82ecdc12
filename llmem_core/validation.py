"""pydantic's validation errors → one InputError naming the field and its allowed range.

The range comes from the field's own declaration (its type, `ge`/`gt`/`le`/`lt`, its enum), so
a message can never drift from the bound that produced it. `Frozen`, the base of every llmem
model, raises through here: a bad value anywhere in the core is an InputError.
"""

from __future__ import annotations

import types
import typing
from enum import Enum
from typing import Any

import annotated_types
from pydantic import BaseModel, ValidationError

from llmem_core.errors import InputError, echo

# pydantic error types whose own wording is better than "must be <allowed>".
_OWN_WORDING = {"extra_forbidden", "missing", "frozen_instance", "model_type"}


def input_error(err: ValidationError, model: type[BaseModel]) -> InputError:
    """The first problem of a pydantic ValidationError as an InputError."""
    e = err.errors(include_url=False)[0]
    loc = tuple(str(p) for p in e["loc"])
    inner = (e.get("ctx") or {}).get("error")
    if isinstance(inner, InputError):  # raised by one of our validators: already worded
        return InputError(".".join((*loc, inner.field)), inner.message)
    if loc and loc[-1] == "[key]":  # a dict key that is not allowed (e.g. an unknown method)
        wanted = allowed_at(model, loc) or "an allowed key"
        return InputError(
            ".".join(loc[:-2]), f"{echo(loc[-2])} is not allowed: keys must be {wanted}"
        )
    field = ".".join(loc) or model.__name__
    if e["type"] == "missing":
        return InputError(field, f"required; give {allowed_at(model, loc) or 'a value'}")
    if e["type"] == "extra_forbidden":
        return InputError(field, f"unknown field; known: {', '.join(_known(model, loc))}")
    wanted = allowed_at(model, loc)
    if wanted and e["type"] not in _OWN_WORDING:
        return InputError(field, f"must be {wanted} (got {echo(e.get('input'))})")
    message = str(e["msg"]).removeprefix("Value error, ")
    return InputError(field, f"{message} (got {echo(e.get('input'))})")


def _known(model: type[BaseModel], loc: tuple[str, ...]) -> list[str]:
    owner = _owner(model, loc[:-1])
    return list(owner.model_fields) if owner else []


def _owner(model: type[BaseModel], path: tuple[str, ...]) -> type[BaseModel] | None:
    for name in path:
        info = model.model_fields.get(name)
        inner = _plain(info.annotation) if info else None
        if not (isinstance(inner, type) and issubclass(inner, BaseModel)):
            return None
        model = inner
    return model


def allowed_at(model: type[BaseModel], loc: tuple[str, ...]) -> str | None:
    """What the field at `loc` accepts, in words; None where it cannot be told."""
    if not loc:
        return None
    owner = _owner(model, loc[:1]) if len(loc) > 1 else None
    if owner is not None:
        return allowed_at(owner, loc[1:])
    info = model.model_fields.get(loc[0])
    if info is None:
        return None
    if len(loc) == 1:
        return allowed(info.annotation, info.metadata)
    return _allowed_inside(info.annotation, loc[1:])


def _allowed_inside(annotation: Any, rest: tuple[str, ...]) -> str | None:
    """Inside a dict or tuple field: the value (or key) type's description."""
    args = typing.get_args(_plain(annotation))
    if not args:
        return None
    value = args[-1] if typing.get_origin(_plain(annotation)) is dict else args[0]
    if rest and rest[-1] == "[key]":
        value = args[0]
    return allowed(*_split_annotated(value))


def _split_annotated(annotation: Any) -> tuple[Any, list[Any]]:
    if typing.get_origin(annotation) is typing.Annotated:
        base, *meta = typing.get_args(annotation)
        extra = [m for x in meta for m in (getattr(x, "metadata", None) or [x])]
        return base, extra
    return annotation, []


def _plain(annotation: Any) -> Any:
    """Optional[X] → X."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        kept = [a for a in typing.get_args(annotation) if a is not type(None)]
        return kept[0] if len(kept) == 1 else annotation
    return annotation


def allowed(annotation: Any, metadata: list[Any]) -> str | None:
    """A type and its constraints in words: 'a whole number from 1 to 4,096', 'one of …'."""
    annotation, more = _split_annotated(annotation)
    metadata = [*metadata, *more]
    return _describe(_plain(annotation), metadata)


def _describe(kind: Any, metadata: list[Any]) -> str | None:
    if kind is bool:
        return "true or false"
    if isinstance(kind, type) and issubclass(kind, Enum):
        return "one of " + ", ".join(str(m.value) for m in kind)
    if typing.get_origin(kind) is typing.Literal:
        return "one of " + ", ".join(str(v) for v in typing.get_args(kind))
    if kind is int:
        return "a whole number" + _range(metadata, "{:,}")
    if kind is float:
        return "a number" + _range(metadata, "{:,.10g}")
    if kind is str:
        return "text" + _length(metadata)
    if isinstance(kind, type) and issubclass(kind, BaseModel):
        return f"a {kind.__name__} object"
    return None


def _bound(metadata: list[Any], kind: type) -> Any:
    return next((m for m in metadata if isinstance(m, kind)), None)


def _range(metadata: list[Any], fmt: str) -> str:
    ge, gt = _bound(metadata, annotated_types.Ge), _bound(metadata, annotated_types.Gt)
    le, lt = _bound(metadata, annotated_types.Le), _bound(metadata, annotated_types.Lt)
    low = f"{fmt.format(ge.ge)}" if ge else None
    high = f"{fmt.format(le.le)}" if le else None
    if low is not None and high is not None:
        return f" from {low} to {high}"
    parts = []
    if low is not None:
        parts.append(f"at least {low}")
    if gt is not None:
        parts.append(f"above {fmt.format(gt.gt)}")
    if high is not None:
        parts.append(f"at most {high}")
    if lt is not None:
        parts.append(f"below {fmt.format(lt.lt)}")
    return (" " + " and ".join(parts)) if parts else ""


def _length(metadata: list[Any]) -> str:
    longest = _bound(metadata, annotated_types.MaxLen)
    shortest = _bound(metadata, annotated_types.MinLen)
    if longest and shortest and shortest.min_length >= 1:
        return f" of 1 to {longest.max_length:,} characters"
    return f" of at most {longest.max_length:,} characters" if longest else ""


_BOUND_TYPES = {
    "ge": annotated_types.Ge,
    "gt": annotated_types.Gt,
    "le": annotated_types.Le,
    "lt": annotated_types.Lt,
}


def value_type(model: type[BaseModel], name: str) -> tuple[Any, list[Any]]:
    """A field's plain type and constraints; for a dict field, those of its values."""
    info = model.model_fields[name]
    annotation, metadata = info.annotation, list(info.metadata)
    if typing.get_origin(annotation) is dict:
        annotation, metadata = _split_annotated(typing.get_args(annotation)[1])
    else:
        annotation, more = _split_annotated(annotation)
        metadata += more
    return _plain(annotation), metadata


def field_bounds(model: type[BaseModel], name: str) -> dict[str, Any]:
    """The field's ge / gt / le / lt (of its values, for a dict field), by name."""
    _, metadata = value_type(model, name)
    return {
        key: getattr(m, key)
        for key, kind in _BOUND_TYPES.items()
        if (m := _bound(metadata, kind)) is not None
    }


def same_bounds(model: type[BaseModel], name: str, default: Any = None) -> Any:
    """A Field with the bounds of `model.name` and another default (None: not given), so a
    front end's field can never drift from the core's."""
    from pydantic import Field

    info = model.model_fields[name]
    return Field(default=default, description=info.description, **field_bounds(model, name))
