"""Shared builders for tests: a tiny hand-checkable model and request factories."""

from __future__ import annotations

import pytest

from llmem_core import Architecture, Job, Method, Parallelism, PlanSpec, Request
from llmem_core.models import ProfileName
from llmem_core.parallelism import layout
from llmem_core.presets import find_model
from llmem_core.units import MiB

# A two-layer GPT-2-shaped model small enough to check every number by hand.
TINY = Architecture(
    name="tiny-gpt2",
    family="gpt2",
    num_layers=2,
    hidden_size=64,
    num_attention_heads=4,
    num_key_value_heads=4,
    head_dim=16,
    intermediate_size=256,
    mlp_kind="plain",
    activation="gelu_new",
    vocab_size=1000,
    embedding_dim=64,
    tie_word_embeddings=True,
    position_embedding="learned",
    learned_positions=128,
    norm_kind="layernorm",
    norms_per_layer=2,
    final_norm=True,
    qkv_bias=True,
    o_bias=True,
    mlp_bias=True,
    fused_qkv=True,
)


def make_request(
    model: str | Architecture = "facebook/opt-1.3b",
    *,
    method: str = "single",
    tp: int | None = None,
    gpus: int = 1,
    batch: int = 8,
    seq: int = 512,
    gpu: str = "v100-16gb",
    memory_bytes: int | None = None,
    profile: str = "paper",
    precision: str = "amp-fp16",
    **runtime: object,
) -> Request:
    """A request through the one builder (PlanSpec); `model` may be an Architecture."""
    arch = model if isinstance(model, Architecture) else None
    memory = {"gpu_memory_mib": memory_bytes // MiB} if memory_bytes else {}
    spec = PlanSpec(
        model=arch.name if arch else model,
        gpu=gpu,
        num_gpus=gpus,
        method=method,
        tp=tp,
        batch_size=batch,
        seq_len=seq,
        profile=profile,
        precision=precision,
        **memory,
        **runtime,
    )
    return spec.request(architecture=arch)


def make_job(
    model: str = "facebook/opt-1.3b",
    *,
    gpus: int = 1,
    batch: int = 8,
    seq: int = 512,
    gpu: str = "v100-16gb",
    profile: str = "paper",
    precision: str = "amp-fp16",
) -> Job:
    """A job (no method yet) through PlanSpec, as `plan` and `gpus_needed` take it."""
    return PlanSpec(
        model=model,
        gpu=gpu,
        num_gpus=gpus,
        batch_size=batch,
        seq_len=seq,
        profile=profile,
        precision=precision,
    ).job()


def layout_of(
    kind: str, gpus: int, model: str = "meta-llama/Llama-3.1-8B", tp: int | None = None
) -> Parallelism:
    """The pytorch profile's layout of a method (what the components take)."""
    arch = find_model(model).architecture
    return layout(Method(kind=kind, tp=tp), gpus, arch, ProfileName.PYTORCH)


@pytest.fixture
def tiny() -> Architecture:
    return TINY


CHUNK_64MI = 64 * MiB  # an explicit Gemini chunk size (elements) so golden cases skip the search


@pytest.fixture(autouse=True)
def _own_run_store(tmp_path_factory, monkeypatch) -> None:
    """Every test gets an empty run store of its own (issue #11): estimates are calibrated by
    $LLMEM_HOME/llmem.sqlite, and no test may read or write the user's."""
    monkeypatch.setenv("LLMEM_HOME", str(tmp_path_factory.mktemp("llmem-home")))
