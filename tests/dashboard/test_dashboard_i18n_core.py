"""Issue #14: the page in Japanese is complete, the core's texts included — the terms table,
the notes, the accuracy band's source, a method's refusal. A sweep over the core's plans
collects every text it writes and fails on any left without its translation (a rewording in
the core shows up here)."""

from __future__ import annotations

import itertools
import re

import pytest

from llmem_dashboard import compute
from llmem_dashboard.i18n_core import core_text, is_citation, translated
from llmem_dashboard.safe import plain
from llmem_dashboard.state import DEFAULT
from tests.dashboard.page import on_tab

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
SWEEP = {
    "profile": ["pytorch", "paper"],
    "finetune": ["full", "lora", "qlora"],
    "optimizer": ["adamw-foreach", "adamw-8bit"],
    "offload": ["none", "optimizer", "optimizer+params"],
    "precision": ["amp-bf16", "fp32"],
    "num_gpus": [1, 4],
}

# a dense model, the MoE families (old and 2025), checkpoints published quantised, local/global
MODELS = (
    "meta-llama/Llama-3.1-8B",
    "mistralai/Mixtral-8x7B-v0.1",
    "Qwen/Qwen3-30B-A3B",
    "openai/gpt-oss-20b",
    "deepseek-ai/DeepSeek-V2-Lite",
    "google/gemma-3-1b-pt",
)


@pytest.fixture(scope="module")
def core_texts(models, gpus) -> dict[str, set[str]]:
    texts: dict[str, set[str]] = {"term": set(), "source": set(), "note": set(), "band": set()}
    texts["refusal"] = set()
    for values in itertools.product(*SWEEP.values()):
        plan = DEFAULT.with_(**dict(zip(SWEEP, values, strict=True)))
        for model in MODELS:
            res = compute.run(plan.with_(model=model), models[model].architecture, gpus)
            if isinstance(res, compute.FieldError):
                continue
            for row in res.methods:
                _collect(texts, row)
    return texts


def _collect(texts: dict[str, set[str]], row) -> None:
    if row.error:
        texts["refusal"].add(row.error)
    est = row.estimate
    if est is None:
        return
    texts["term"].update(x.name for x in est.terms)
    texts["source"].update(x.source for x in est.terms)
    texts["note"].update(est.notes)
    if est.band:
        texts["band"].add(est.band.errors.source)


@pytest.mark.parametrize("kind", ["term", "source", "note", "band", "refusal"])
def test_every_core_text_has_its_japanese(core_texts, kind):
    assert core_texts[kind], kind  # the sweep found some
    missing = [x for x in core_texts[kind] if translated(x) is None and not is_citation(x)]
    assert not missing, missing
    for text in (x for x in core_texts[kind] if not is_citation(x)):
        ja = core_text(text, "ja")
        assert JAPANESE.search(ja), (text, ja)
        numbers = [n.rstrip(".,") for n in re.findall(r"(?<![\w.-])\d[\d,.]*(?![\w-])", text)]
        assert all(n in ja for n in numbers), (text, ja)  # the core's figures survive


def test_english_stays_the_cores_own():
    text = "LoRA under TP: adapters assumed sliced with their base layers."
    assert core_text(text, "en") == text
    assert core_text("a text the table lacks", "ja") == "a text the table lacks"


def test_the_japanese_page_shows_the_terms_and_notes_in_japanese(app):
    app.query_params["lang"] = "ja"
    on_tab(app, "assumptions")
    at = app.run()
    assert not at.exception
    terms = next(d.value for d in at.dataframe if "式" in d.value.columns)
    assert all(JAPANESE.search(x) for x in terms.iloc[:, 1]), list(terms.iloc[:, 1])
    notes = [plain(m.value) for m in at.markdown if "見積もりの注記" in m.value]
    assert notes and not re.search(r"\bSeveral GPUs\b", " ".join(notes))
