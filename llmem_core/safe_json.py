"""Reading a user's JSON file without trusting it: bounded before, during and after parsing.

A config.json is a few kilobytes. Before anything is parsed: the path is checked (length,
a regular file) and its size read with `stat`; then at most MAX_BYTES + 1 bytes are read (a
/proc file reports size 0, a sparse file a size it does not hold on disk). Then, still before
json.loads, one linear scan of the text (`prescan`: strings skipped whole, escapes included)
refuses nesting deeper than MAX_DEPTH and numbers whose integer part has more than
MAX_INT_DIGITS digits (Python's own int() limit is 4,300, far beyond any shape and a slow
path). Parsing checks the same again as a second line, and refuses NaN and infinities. Every
refusal is an InputError for the field the caller names.
"""

from __future__ import annotations

import json
import math
import os
import re
import stat
from itertools import accumulate
from pathlib import Path
from typing import Any

from llmem_core.errors import InputError, echo

MAX_BYTES = 1_000_000  # 1 MB: a config.json is ~1–10 kB
MAX_DEPTH = 64  # real configs nest 3–4 deep (rope_scaling, task_specific_params)
MAX_INT_DIGITS = 30  # 10**30 is beyond every bound of the estimator
MAX_PATH_BYTES = 4096  # PATH_MAX on Linux
MAX_NAME_BYTES = 255  # NAME_MAX of common file systems


def read_file(path_text: str, field: str, what: str = "config.json") -> str:
    """The text of a small regular file, or one InputError saying why not (`what` the file
    should be, for the messages)."""
    path = _checked_path(path_text, field)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise InputError(field, f"no such {what} {echo(path_text)}") from None
    except OSError as err:
        raise InputError(field, f"cannot read {echo(path_text)}: {err.strerror}") from None
    if not stat.S_ISREG(info.st_mode):
        raise InputError(field, f"{echo(path_text)} is not a regular file")
    if info.st_size > MAX_BYTES:
        raise InputError(
            field,
            f"{echo(path_text)} is {info.st_size:,} bytes; a {what} is at most {MAX_BYTES:,}",
        )
    return decode(_bounded_read(path, path_text, field, what), field, what)


def _checked_path(path_text: str, field: str) -> Path:
    raw = os.fsencode(path_text)
    if b"\0" in raw:
        raise InputError(field, "a path cannot contain a NUL character")
    if len(raw) > MAX_PATH_BYTES or any(len(p) > MAX_NAME_BYTES for p in raw.split(b"/")):
        raise InputError(
            field,
            f"path is too long (at most {MAX_PATH_BYTES:,} bytes, "
            f"{MAX_NAME_BYTES} per name): {echo(path_text)}",
        )
    return Path(path_text)


def _bounded_read(path: Path, path_text: str, field: str, what: str) -> bytes:
    try:
        with path.open("rb") as f:
            data = f.read(MAX_BYTES + 1)
    except OSError as err:
        raise InputError(field, f"cannot read {echo(path_text)}: {err.strerror}") from None
    if len(data) > MAX_BYTES:
        raise InputError(
            field,
            f"{echo(path_text)} is larger than {MAX_BYTES:,} bytes; is it really a {what}?",
        )
    return data


def decode(data: bytes, field: str, what: str = "config.json") -> str:
    """Bytes of an upload or file → text, refusing what is too large or not UTF-8."""
    if len(data) > MAX_BYTES:
        raise InputError(
            field, f"the file is {len(data):,} bytes; a {what} is at most {MAX_BYTES:,}"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputError(field, f"not UTF-8 text (byte {err.start:,})") from None


# A JSON string, escapes consumed whole so an escaped quote does not end it; an unterminated
# one runs to the end of the text. Possessive, so a failed match cannot backtrack.
_STRING = re.compile(r'"(?:[^"\\]++|\\.)*+"?', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]++")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}
# A number's integer part: a digit run not after a digit, the point or an exponent's e, E, + or -.
_LONG_INTEGER = re.compile(rf"(?<![0-9.eE+])(?<![eE]-)[0-9]{{{MAX_INT_DIGITS + 1}}}")
_DIGITS = re.compile(r"[0-9]*+")


def prescan(text: str, field: str, what: str = "config.json") -> int:
    """The deepest nesting of containers in JSON `text` (0 for a scalar), found before any
    parsing in a few passes of `re` over the text, each linear; InputError if it is deeper
    than MAX_DEPTH or a number's integer part is longer than MAX_INT_DIGITS digits."""
    outside = _STRING.sub('""', text)
    long = _LONG_INTEGER.search(outside)
    if long:
        digits = _DIGITS.match(outside, long.start()).end() - long.start()
        raise InputError(field, f"{what}: {_too_long(digits)}")
    brackets = _NOT_BRACKET.sub("", outside)
    depth = max(accumulate(map(_STEP.__getitem__, brackets)), default=0)
    if depth > MAX_DEPTH:
        raise InputError(field, _too_deep(depth))
    return max(depth, 0)


def _too_long(digits: int) -> str:
    return f"an integer of {digits:,} digits (at most {MAX_INT_DIGITS})"


def _too_deep(depth: int | None = None) -> str:
    seen = f" ({depth:,} levels)" if depth else ""
    return f"JSON nested more than {MAX_DEPTH} deep{seen}; at most {MAX_DEPTH} levels allowed"


def _int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise ValueError(_too_long(len(text.lstrip("-"))))
    return int(text)


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {text[:20]} is too large")
    return value


def _constant(text: str) -> Any:
    raise ValueError(f"{text} is not a number JSON allows")


def loads(text: str, field: str, what: str = "config.json") -> Any:
    """JSON text → Python values, bounded in size, depth and number size before parsing
    (`prescan`) and again while parsing."""
    if len(text) > MAX_BYTES:
        raise InputError(field, f"the text is {len(text):,} characters; at most {MAX_BYTES:,}")
    prescan(text, field, what)
    try:
        value = json.loads(text, parse_int=_int, parse_float=_float, parse_constant=_constant)
    except json.JSONDecodeError as err:
        raise InputError(field, f"not valid JSON (line {err.lineno}: {err.msg})") from None
    except RecursionError:
        raise InputError(field, _too_deep()) from None
    except ValueError as err:
        raise InputError(field, f"{what}: {err}") from None
    _check_depth(value, field)
    return value


def _check_depth(value: Any, field: str) -> None:
    """Containers only count, as in `prescan` (a list holding a number is 1 deep). Iteratively,
    so a deep value cannot exhaust the stack here either."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if not isinstance(item, dict | list):
            continue
        if depth > MAX_DEPTH:
            raise InputError(field, _too_deep())
        children = item.values() if isinstance(item, dict) else item
        stack.extend((child, depth + 1) for child in children)
