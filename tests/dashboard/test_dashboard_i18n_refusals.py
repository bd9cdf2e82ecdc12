"""Issue #14: the core's refusals reach the Japanese page in Japanese. Each refusal the page
can reach is provoked here — a bad value for every field of the models the page builds
(PlanInputs and CostInputs from a link, Architecture from a linked or uploaded config), every
cross-field rule of a plan, hostile files and the Hub's failures — and its Japanese must exist,
keep the core's figures, and leave no English sentence untranslated (names of fields and
values, and `code`, may stay)."""

from __future__ import annotations

import base64
import json
import re
import socket
import zlib

import pytest

from llmem_core import InputError, safe_json
from llmem_core.hf_config import read_config_text
from llmem_core.hub import config_text
from llmem_core.models import Architecture
from llmem_dashboard import compute, state
from llmem_dashboard.i18n_core import core_text, translated
from llmem_dashboard.safe import plain
from llmem_dashboard.state import DEFAULT
from tests.dashboard.page import TINY_LLAMA
from tests.test_hub import hub  # noqa: F401  (the fixture: a Hub-compatible server on loopback)

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
# Three English words in a row outside `code` and quotes: a sentence left in English.
ENGLISH = re.compile(r"\b[A-Za-z][a-z]+(?: [A-Za-z][a-z]+){2,}\b")
CODE = re.compile(r"`[^`]*`|'[^']*'|\"[^\"]*\"")
# Values a link may carry for any parameter: out of every range, of the wrong type, empty.
BAD_VALUES = ["-1", "0", "abc", "99999999999999", "1e400", "nan", "", "1,2", "a100-80gb:-1:::"]


def assert_japanese(text: str) -> None:
    ja = translated(text)
    assert ja is not None, text
    assert JAPANESE.search(ja), (text, ja)
    left = ENGLISH.findall(CODE.sub("", ja))
    assert not left, (text, ja, left)
    numbers = [n.rstrip(".,") for n in re.findall(r"(?<![\w.-])\d[\d,.]*(?![\w-])", text)]
    assert all(n in ja for n in numbers), (text, ja)  # the core's figures survive


def _link_details(params: dict[str, str], models, gpus) -> list[str]:
    _, problems = state.from_query(params, list(models), list(gpus))
    return [p.detail for p in problems if p.detail]


def test_every_link_parameter_refused_is_said_in_japanese(models, gpus):
    details = {
        detail
        for param in state._params()
        for value in BAD_VALUES
        for detail in _link_details({param: value}, models, gpus)
    }
    details |= {  # the cost rules between fields (the core's CostSpec)
        *_link_details({"currency": "USD", "rate": "150"}, models, gpus),
        *_link_details({"currency": "JPY", "rate": "0"}, models, gpus),
        *_link_details({"prices": "a100-80gb:9:1::"}, models, gpus),
    }
    assert len(details) > 40  # every field has its range
    for detail in details:
        assert_japanese(detail)


def _packed(fields: dict) -> str:
    """A config as the page writes it into a link (state.config_param's format)."""
    raw = zlib.compress(json.dumps(fields).encode())
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _refusal(read, *args) -> str:
    with pytest.raises(InputError) as caught:
        read(*args)
    return caught.value.message


def test_every_architecture_field_refused_is_said_in_japanese(models):
    base = models["meta-llama/Llama-3.1-8B"].architecture.model_dump(mode="json")
    messages = set()
    for name in Architecture.model_fields:
        for value in (-1, 10**12, "abc", None, 0.5, [1]):
            try:
                state.config_from_param(_packed({**base, name: value}))
            except InputError as err:
                messages.add(err.message)
    assert len(messages) > 2 * len(Architecture.model_fields)  # every field refuses some
    messages |= {
        _refusal(state.config_from_param, _packed({**base, "unknown": 1})),
        _refusal(state.config_from_param, _packed({**base, "num_key_value_heads": 3})),
        _refusal(state.config_from_param, _packed({**base, "experts_per_token": 2})),
        _refusal(state.config_from_param, _packed({**base, "dense_layers": 99})),
        _refusal(state.config_from_param, _packed({**base, "learned_positions": 8})),
        _refusal(state.config_from_param, _packed([1])),
        _refusal(state.config_from_param, "!!not base64"),
        _refusal(state.config_from_param, "A" * 5_000),
        _refusal(
            state.config_from_param, base64.urlsafe_b64encode(zlib.compress(b"[" * 99)).decode()
        ),
    }
    for message in messages:
        assert_japanese(message)


LLAMA = TINY_LLAMA
HOSTILE_CONFIGS = [
    b"{not json",
    b'{"a": "unterminated',
    b"[1, 2]",
    b"\xff\xfe not utf-8",
    b'{"a": ' * 100 + b"1" + b"}" * 100,
    b'{"n": ' + b"9" * 5_000 + b"}",
    b'{"n": NaN}',
    b'{"n": 1e999}',
    b'{"model_type": ["opt"]}',
    b'{"model_type": "t5", "d_model": 512, "num_layers": 6}',
    b'{"model_type": "llama", "hidden_size": 64}',
    json.dumps({**LLAMA, "hidden_size": "big"}).encode(),
    json.dumps({**LLAMA, "num_hidden_layers": 0}).encode(),
    json.dumps({**LLAMA, "tie_word_embeddings": "false"}).encode(),
    json.dumps({**LLAMA, "hidden_act": "x" * 300}).encode(),
    json.dumps({**LLAMA, "attention_dropout": 2}).encode(),
    json.dumps({**LLAMA, "hidden_size": 100, "num_attention_heads": 12}).encode(),
    json.dumps({**LLAMA, "num_key_value_heads": 3}).encode(),
    json.dumps({**LLAMA, "model_type": "qwen3_moe", "decoder_sparse_step": 2}).encode(),
    json.dumps({**LLAMA, "quantization_config": [1]}).encode(),
    b" " * (safe_json.MAX_BYTES + 1),
]


@pytest.mark.parametrize("data", HOSTILE_CONFIGS, ids=range(len(HOSTILE_CONFIGS)))
def test_every_refused_upload_is_said_in_japanese(data):
    def read(raw: bytes) -> None:  # as inputs._upload reads a file
        read_config_text(safe_json.decode(raw, "model"), "upload")

    assert_japanese(_refusal(read, data))


# Every rule between a plan's fields that the core enforces (request.py, parallelism.py),
# reached from the sidebar's widgets: each plan here is one the page lets a user build.
REFUSED_PLANS = {
    "tp-divides-gpus": {"method": "dp+tp", "num_gpus": 2, "tp": 4},
    "dp+tp-no-divisor": {"method": "dp+tp", "num_gpus": 7},
    "dp+tp-range": {"method": "dp+tp", "num_gpus": 8, "tp": 8},
    "tp-divides-heads": {"model": "facebook/opt-125m", "method": "dp+tp", "num_gpus": 16, "tp": 8},
    "single-on-4": {"method": "single", "num_gpus": 4},
    "position-table": {"model": "openai-community/gpt2", "seq_len": 4096},
    "paper-precision": {"profile": "paper", "precision": "fp32", "method": "adp"},
    "paper-ckpt": {"profile": "paper", "grad_checkpointing": False, "method": "adp"},
    "paper-optimizer": {"profile": "paper", "optimizer": "sgd", "method": "adp"},
    "paper-lora": {"profile": "paper", "finetune": "lora", "method": "adp"},
    "paper-loss": {"profile": "paper", "loss": "chunked", "method": "adp"},
    "paper-zero1": {"profile": "paper", "method": "zero1"},
    "paper-deepspeed": {"profile": "paper", "method": "adp", "zero3_engine": "deepspeed"},
    "offload-cdp": {"offload": "optimizer", "method": "cdp"},
    "offload-params-zero1": {"offload": "optimizer+params", "method": "zero1"},
    "offload-fsdp2": {"offload": "optimizer", "method": "adp"},
    "torch-zero2": {"zero_engine": "torch", "method": "zero2"},
    "torch-offload": {"zero_engine": "torch", "method": "zero1", "offload": "optimizer"},
    "deepspeed-cdp": {"zero3_engine": "deepspeed", "method": "cdp"},
    "reshard-cdp": {"reshard_after_forward": False, "method": "cdp"},
    "lora-moe-mlp": {
        "model": "mistralai/Mixtral-8x7B-v0.1",
        "finetune": "lora",
        "lora_targets": "all-linear",
        "method": "adp",
    },
}


@pytest.mark.parametrize("changes", REFUSED_PLANS.values(), ids=REFUSED_PLANS)
def test_every_refused_plan_is_said_in_japanese(models, gpus, changes):
    plan = DEFAULT.with_(**changes)
    res = compute.run(plan, models[plan.model].architecture, gpus)
    assert isinstance(res, compute.FieldError), changes  # the core refuses it
    assert_japanese(res.message)


@pytest.mark.parametrize("hub_id", ["acme/gated", "acme/missing", "acme/encoder"])
def test_every_hub_refusal_is_said_in_japanese(hub, hub_id):  # noqa: F811
    assert_japanese(_refusal(config_text_read, hub_id))


def config_text_read(hub_id: str) -> None:  # as hub_box reads an id
    read_config_text(config_text(hub_id), hub_id)


def test_an_unreachable_hub_is_said_in_japanese(monkeypatch, tmp_path):
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("HF_HOME", str(tmp_path))
    assert_japanese(_refusal(config_text_read, "acme/qwen3"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert_japanese(_refusal(config_text_read, "acme/qwen3"))


def test_an_unmatched_part_leaves_the_whole_message_in_english():
    """A shape whose part has no rule is not half-translated: the core's English is kept."""
    text = "must be a shape no rule knows (got 3)"
    assert translated(text) is None
    assert core_text(text, "ja") == text


# ---- on the page -----------------------------------------------------------------------------


def test_the_japanese_page_says_a_plan_refusal_in_japanese(app):
    app.query_params.update({"lang": "ja", "model": "openai-community/gpt2", "seq": "4096"})
    at = app.run()
    assert not at.exception, at.exception
    errors = [plain(e.value) for e in at.sidebar.error]
    assert any("位置テーブルの大きさ1,024以下である必要があります" in e for e in errors), errors
    assert not any("must be at most" in e for e in errors), errors


def test_the_japanese_page_says_a_link_range_in_japanese(app):
    app.query_params.update({"lang": "ja", "batch": "0"})
    at = app.run()
    assert not at.exception, at.exception
    warnings = " ".join(plain(w.value) for w in at.warning)
    assert "1〜" in warnings and "の整数" in warnings, warnings
    assert "a whole number" not in warnings, warnings


def test_the_japanese_page_says_an_upload_refusal_in_japanese(app):
    app.query_params["lang"] = "ja"
    at = app.run()
    at.radio(key="model_source.ja").set_value("upload").run()
    deep = b'{"a": ' * 100 + b"1" + b"}" * 100
    at = at.file_uploader(key="config_file").upload("config.json", deep, "application/json").run()
    errors = [plain(e.value) for e in at.sidebar.error]
    assert any("JSONの入れ子が64段を超えています" in e for e in errors), errors
