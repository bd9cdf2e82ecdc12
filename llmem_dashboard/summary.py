"""The plan in one line, for every place a plan leaves the page: the presentation view, the
memory chart's title (so its PNG and HTML carry it), the JSON export. Pure; plain text — the
caller makes it inert for Markdown or HTML (the model's name may be an upload's).

"Llama-3.1-8B (vocabulary 200,000, what-if; its own 128,256) · 4 × A100 80GB · ADP · batch 4
× 2,048 tokens · amp-bf16 · checkpointing: every layer · LoRA r16 · Fits: 41.2–47.0 GiB of
79.6 GiB"
"""

from __future__ import annotations

from llmem_core.models import Checkpointing, FineTune
from llmem_core.results import Estimate
from llmem_dashboard.compute import Results
from llmem_dashboard.i18n import fmt_gib, fmt_int, method_short, t
from llmem_dashboard.tables import short_gpu_name


def model_part(res: Results) -> str:
    """The model's real name, and the vocabulary what-if when one is set."""
    lang, model = res.inputs.lang, res.request.model
    if model.vocab_size == res.model_vocab:
        return model.name
    return t(
        lang,
        "sum_vocab",
        model=model.name,
        vocab=fmt_int(model.vocab_size, lang),
        own=fmt_int(res.model_vocab, lang),
    )


def training_part(res: Results) -> list[str]:
    """Precision, checkpointing (and its mode), what trains."""
    lang, training = res.inputs.lang, res.request.training
    mode = training.checkpointing
    ckpt = {
        Checkpointing.OFF: t(lang, "sum_ckpt_off"),
        Checkpointing.FULL: t(lang, "sum_ckpt_full"),
        Checkpointing.SELECTIVE: t(lang, "sum_ckpt_every", k=training.checkpoint_every),
    }[mode]
    parts = [training.precision.value, ckpt]
    if training.finetune != FineTune.FULL:
        parts.append(f"{t(lang, f'ft_{training.finetune.value}')} r{training.lora_rank}")
    return parts


def range_words(est: Estimate, lang: str) -> dict[str, str]:
    """The estimate's range and the capacity it is judged against, formatted: low, high, cap."""
    low, high = est.range_bytes
    return {
        "low": fmt_gib(low, lang),
        "high": fmt_gib(high, lang),
        "cap": fmt_gib(est.judged_bytes, lang),
    }


def verdict_part(res: Results) -> str:
    """The verdict word with the estimate's band against the usable capacity."""
    lang, est = res.inputs.lang, res.focus.estimate
    verdict = t(lang, f"vshort_{est.verdict.value}")
    return t(lang, "sum_verdict", verdict=verdict, **range_words(est, lang))


def plan_parts(res: Results) -> tuple[list[str], list[str]]:
    """(what runs where: model, GPUs, method, batch × sequence; how: precision,
    checkpointing, what trains, the verdict)."""
    lang, req = res.inputs.lang, res.request
    n = req.cluster.num_gpus
    gpu = short_gpu_name(res.gpu_name) or fmt_gib(req.cluster.memory_bytes, lang)
    where = [
        model_part(res),
        t(lang, "sum_gpus", n=fmt_int(n, lang), gpu=gpu),
        method_short(res.focus.method, n, lang)[0],
        t(
            lang,
            "sum_batch",
            batch=fmt_int(req.training.batch_size, lang),
            seq=fmt_int(req.training.seq_len, lang),
        ),
    ]
    return where, [*training_part(res), verdict_part(res)]


def plan_line(res: Results) -> str:
    """Model · GPUs · method · batch × sequence · precision · checkpointing · verdict."""
    where, how = plan_parts(res)
    return " · ".join([*where, *how])
