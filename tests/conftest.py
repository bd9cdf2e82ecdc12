"""Shared builders for tests: a tiny hand-checkable model and request factories."""

from __future__ import annotations

import pytest

from llmem_core.models import (
    Architecture,
    Cluster,
    Method,
    Request,
    Runtime,
    Training,
)
from llmem_core.presets import find_gpu, find_model
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
    tp: int = 1,
    gpus: int = 1,
    batch: int = 8,
    seq: int = 512,
    gpu: str = "v100-16gb",
    memory_bytes: int | None = None,
    profile: str = "paper",
    precision: str = "amp-fp16",
    **runtime: object,
) -> Request:
    arch = find_model(model).architecture if isinstance(model, str) else model
    memory = memory_bytes or find_gpu(gpu).memory_bytes
    return Request(
        model=arch,
        training=Training(batch_size=batch, seq_len=seq, precision=precision),
        method=Method(kind=method, tp_degree=tp),
        cluster=Cluster(gpu_key=gpu, memory_bytes=memory, num_gpus=gpus),
        runtime=Runtime(profile=profile, **runtime),
    )


@pytest.fixture
def tiny() -> Architecture:
    return TINY


CHUNK_64MI = 64 * MiB  # an explicit Gemini chunk size (elements) so golden cases skip the search
