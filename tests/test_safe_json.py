"""safe_json bounds depth and number size before json.loads runs (issue #14: "upload size,
depth and number sizes bounded before parsing"), and its pre-scan agrees with JSON itself.

Oracles: the standard library's json (what a valid text means) and a recursive depth of the
parsed value written here, independent of the scan of the text.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from llmem_core import safe_json
from llmem_core.errors import InputError

FEW = settings(deadline=None, max_examples=300, suppress_health_check=list(HealthCheck))


def depth_of(value: Any) -> int:
    """Containers nested in a parsed value: 0 for a scalar, 1 for [1] or {"a": 1}."""
    if isinstance(value, dict):
        return 1 + max(map(depth_of, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(depth_of, value), default=0)
    return 0


@pytest.fixture
def parser_never_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """json.loads fails the test if it is reached: the refusal must come before parsing."""

    def reached(*args: object, **kwargs: object) -> None:
        pytest.fail("json.loads ran on a text the pre-scan should have refused")

    monkeypatch.setattr(safe_json.json, "loads", reached)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("[" * 100_000, "nested more than 64 deep (100,000 levels); at most 64 levels allowed"),
        ('{"a": ' * 100_000 + "1" + "}" * 100_000, "at most 64 levels allowed"),
        ('{"n_embd": ' + "9" * 5_000 + "}", "an integer of 5,000 digits (at most 30)"),
        ('{"n_embd": -' + "9" * 5_000 + ".5}", "an integer of 5,000 digits (at most 30)"),
    ],
    ids=["100000-deep-lists", "100000-deep-objects", "5000-digit-integer", "5000-digit-float"],
)
def test_refused_before_parsing_with_field_and_range(parser_never_runs, text, says) -> None:
    with pytest.raises(InputError) as caught:
        safe_json.loads(text, "model")
    assert caught.value.field == "model"
    assert says in caught.value.message


@pytest.mark.parametrize(
    "text",
    [
        '{"name": "' + "[" * 1_000 + '"}',  # brackets inside a string are text
        '{"name": "\\"' + "{" * 1_000 + '"}',  # an escaped quote does not end the string
        '{"id": "' + "9" * 5_000 + '"}',  # digits inside a string are text
        '{"eps": 0.' + "0" * 5_000 + "1}",  # a long fraction is a small number
        '{"eps": 1e-' + "0" * 5_000 + "5}",  # so is a long exponent
    ],
    ids=["brackets-in-string", "escaped-quote", "digits-in-string", "long-fraction", "exponent"],
)
def test_what_is_inside_strings_or_after_the_point_is_not_refused(text) -> None:
    assert safe_json.loads(text, "model") == json.loads(text)


def test_exactly_the_limit_parses_and_one_more_is_refused() -> None:
    deepest = "[" * safe_json.MAX_DEPTH + "1" + "]" * safe_json.MAX_DEPTH
    assert depth_of(safe_json.loads(deepest, "model")) == safe_json.MAX_DEPTH
    with pytest.raises(InputError, match="at most 64 levels"):
        safe_json.loads("[" + deepest + "]", "model")
    assert safe_json.loads("9" * safe_json.MAX_INT_DIGITS, "model") == int("9" * 30)
    with pytest.raises(InputError, match="31 digits"):
        safe_json.loads("-" + "9" * (safe_json.MAX_INT_DIGITS + 1), "model")


def _published_configs() -> dict[str, Any]:
    text = resources.files("llmem_core.presets").joinpath("hf-model-configs.json").read_text()
    return {name: record["config"] for name, record in json.loads(text).items()}


@pytest.mark.parametrize(("name", "config"), _published_configs().items())
def test_a_published_config_parses_as_json_reads_it(name, config) -> None:
    text = json.dumps(config, indent=2)  # as transformers' save_pretrained writes it
    assert safe_json.loads(text, "model") == json.loads(text)
    assert safe_json.prescan(text, "model") == depth_of(config)


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**30) + 1, 10**30 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    # strings heavy in what a naive scan would miscount: brackets, quotes, backslashes
    st.text(st.sampled_from('[]{}"\\:,0123456789.eE-+ ') | st.characters(), max_size=12),
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=30,
)


@FEW
@given(
    values,
    st.integers(0, 90),
    st.sampled_from([None, 0, 2]),
    st.booleans(),
)
def test_the_prescan_agrees_with_json_on_depth(value, wraps, indent, ascii_only) -> None:
    for _ in range(wraps):  # deepen it past the limit now and then
        value = [value]
    text = json.dumps(value, indent=indent, ensure_ascii=ascii_only)
    depth = depth_of(json.loads(text))
    if depth <= safe_json.MAX_DEPTH:
        assert safe_json.prescan(text, "model") == depth
        assert safe_json.loads(text, "model") == json.loads(text)
    else:
        with pytest.raises(InputError, match="at most 64 levels"):
            safe_json.prescan(text, "model")
