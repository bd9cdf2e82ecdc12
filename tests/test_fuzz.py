"""Hostile input, thousands of times: the CLI, the config reader and the plan spec never raise
anything but InputError, never print a traceback, and every refusal names a field.

Hypothesis drives `main(argv)` in-process with options drawn from every command's flags and
values drawn from what breaks parsers (huge, negative and fractional numbers, 5,000 digits,
NaN, text, control characters, 300-byte names, special files), and the config reader with
mutated real configs and arbitrary JSON.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from llmem_core import InputError, PlanSpec, estimate
from llmem_core.cli import main
from llmem_core.cli.parser import build_parser
from llmem_core.hf_config import architecture_from_config, read_config_text
from llmem_core.presets import model_records

FUZZ = settings(
    deadline=None,
    max_examples=int(os.environ.get("LLMEM_FUZZ_EXAMPLES", 1500)),
    suppress_health_check=list(HealthCheck),
)
FEW = settings(deadline=None, max_examples=150, suppress_health_check=list(HealthCheck))

PYTHON_WORDING = (
    "Traceback",
    "invalid literal",
    "invalid int value",
    "invalid float value",
    "Input should be",
    "object has no attribute",
    "unhashable",
    "NoneType",
)

numbers = st.one_of(
    st.integers(-(10**6), 10**6).map(str),
    st.integers(-(2**80), 2**80).map(str),
    st.sampled_from(
        [
            "0",
            "1",
            "2",
            "3",
            "4",
            "8",
            "-1",
            "1e9",
            "1.5",
            "nan",
            "inf",
            "-inf",
            "0x10",
            "1_000",
            " 4 ",
            "",
            "9" * 5000,
            "٣",
            "½",
            "4.0",
            "true",
        ]
    ),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)
texts = st.one_of(
    st.text(max_size=40),
    st.text(st.characters(codec="utf-8"), min_size=250, max_size=400),
    st.sampled_from(
        [
            "gpt2",
            "opt-125m",
            "facebook/opt-1.3b",
            "meta-llama/Llama-3.1-8B",
            "a100-80gb",
            "v100-16gb",
            "h100-80gb",
            "/proc/self/mem",
            "/dev/zero",
            "/dev/null",
            "/",
            ".",
            "/etc/passwd",
            "x" * 300 + ".json",
            "../../x.json",
            "[link](https://evil.example)",
            "single",
            "cdp",
            "adp",
            "tp",
            "dp+tp",
            "paper",
            "pytorch",
            "fp32",
            "amp-bf16",
            "bf16",
            "adamw-fused",
            "tp=0.3",
            "dp+tp=2",
            "a100-80gb.cloud-low=1",
            "cloud-low",
            "USD",
            "JPY",
            "\x00",
            "--json",
            "-h",
        ]
    ),
)
values = st.one_of(numbers, texts)


def _flags(command: str) -> list[str]:
    sub = build_parser()._subparsers._group_actions[0].choices[command]  # type: ignore[union-attr]
    return sorted(
        {s for a in sub._actions for s in a.option_strings if s.startswith("--")} - {"--help"}
    )


COMMANDS = {
    name: _flags(name) for name in ("estimate", "plan", "gpus", "cost", "models", "catalog")
}
BASE = {
    "estimate": [
        "--model",
        "gpt2",
        "--gpu",
        "a100-80gb",
        "--method",
        "single",
        "--batch-size",
        "1",
        "--seq-len",
        "128",
    ],
    "plan": ["--model", "gpt2", "--gpu", "a100-80gb", "--num-gpus", "4", "--seq-len", "128"],
    "gpus": [
        "--model",
        "gpt2",
        "--gpu",
        "a100-80gb",
        "--batch-size",
        "1",
        "--seq-len",
        "128",
        "--max-gpus",
        "8",
    ],
    "cost": [
        "--model",
        "gpt2",
        "--seq-len",
        "128",
        "--batch-size",
        "1",
        "--dataset-tokens",
        "1000",
        "--gpu",
        "a100-80gb",
        "--max-gpus",
        "2",
    ],
    "models": [],
    "catalog": [],
}
FAST = ("estimate", "plan", "models", "catalog")


@st.composite
def argvs(draw: st.DrawFn, commands: tuple[str, ...]) -> list[str]:
    command = draw(st.sampled_from(commands))
    argv = [command] + (list(BASE[command]) if draw(st.booleans()) else [])
    flags = COMMANDS[command]
    for _ in range(draw(st.integers(0, 6))):
        flag = draw(st.sampled_from([*flags, "--no-such-flag", "-x"]))
        argv.append(flag)
        if draw(st.integers(0, 9)):  # usually with a value, sometimes bare
            argv.append(draw(values))
    if draw(st.booleans()):
        argv.append("--json")
    return argv


def run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


def check(argv: list[str]) -> None:
    code, out, err = run(argv)
    assert code in (0, 2), (argv, code, err)
    if any(a in ("-h", "--help") for a in argv) and code == 0:
        return
    if code == 0:
        assert err == "", (argv, err)
        if argv[-1] == "--json" and "--json" in argv:
            json.loads(out)
        return
    lines = err.splitlines()
    assert len(lines) == 1 and ": error: " in lines[0] and len(lines[0]) < 600, (argv, err)
    assert not any(w in err for w in PYTHON_WORDING), (argv, err)
    if "--json" in argv:
        problem = json.loads(out)["error"]
        assert problem["field"] and problem["message"], (argv, out)
        assert lines[0].endswith(f"{problem['field']}: {problem['message']}"), (argv, err)


@FUZZ
@given(argvs(FAST))
def test_the_cli_never_tracebacks(argv: list[str]) -> None:
    check(argv)


@FEW
@given(argvs(("gpus", "cost")))
def test_the_slow_commands_never_traceback(argv: list[str]) -> None:
    check(argv)


# ---- the config reader -----------------------------------------------------------------

PRESET_CONFIGS = [rec["config"] for rec in model_records().values()]
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)
hostile = st.one_of(
    json_values,
    st.sampled_from(
        [0, -1, 2**64, 10**30, 1.5, "64", "false", "true", [], {}, ["opt"], None, True, 1e308]
    ),
)


@st.composite
def mutated_configs(draw: st.DrawFn) -> dict:
    cfg = dict(draw(st.sampled_from(PRESET_CONFIGS)))
    keys = sorted(cfg)
    for _ in range(draw(st.integers(1, 4))):
        if draw(st.booleans()):
            cfg[draw(st.sampled_from(keys))] = draw(hostile)
        else:
            cfg.pop(draw(st.sampled_from(keys)), None)
    return cfg


def _estimate_small(arch) -> None:
    """Whatever the reader accepts, the estimator can estimate (or refuses by field)."""
    try:
        spec = PlanSpec(
            model=arch.name,
            gpu="h200-141gb",
            method="single",
            batch_size=1,
            seq_len=min(64, arch.max_seq_len or 64),
        )
        estimate(spec.request(architecture=arch))
    except InputError as err:
        assert err.field


@FUZZ
@given(mutated_configs())
def test_the_config_reader_takes_or_refuses_by_field(cfg: dict) -> None:
    try:
        arch = architecture_from_config(cfg, "fuzzed")
    except InputError as err:
        assert err.field == "model" and err.message.startswith("config.json: "), err
        return
    assert arch.num_layers >= 1 and arch.hidden_size >= 1
    _estimate_small(arch)


@FUZZ
@given(json_values)
def test_arbitrary_json_is_refused_by_field(value) -> None:
    try:
        architecture_from_config(value, "fuzzed")
    except InputError as err:
        assert err.field == "model"


@FEW
@given(
    st.one_of(
        st.binary(max_size=200).map(lambda b: b.decode("latin-1")),
        st.text(max_size=200),
        st.integers(1, 5000).map(lambda n: "[" * n + "]" * n),
        st.integers(1, 6000).map(lambda n: '{"model_type": "gpt2", "n_embd": ' + "9" * n + "}"),
    )
)
def test_config_text_is_parsed_within_bounds(text: str) -> None:
    try:
        read_config_text(text, "fuzzed")
    except InputError as err:
        assert err.field == "model"


# ---- the plan spec (the one builder of requests) ---------------------------------------

spec_fields = {
    name: st.one_of(
        values,
        st.integers(-5, 5000),
        st.booleans(),
        st.none(),
        st.floats(allow_nan=True),
        st.lists(st.integers(), max_size=2),
    )
    for name in PlanSpec.model_fields
}


@FUZZ
@given(st.fixed_dictionaries({}, optional=spec_fields))
def test_a_plan_spec_is_valid_or_names_its_field(fields: dict) -> None:
    try:
        request = PlanSpec(**fields).request()
    except InputError as err:
        assert err.field.split(".")[0] in {*PlanSpec.model_fields, "PlanSpec"}, err
        return
    peak = estimate(request).peak_bytes
    assert peak > 0 and not math.isnan(peak)
