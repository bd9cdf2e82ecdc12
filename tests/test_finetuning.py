"""Issue #12 in the pytorch profile: LoRA/QLoRA, optimizers, checkpointing modes, the loss, ZeRO
stages and offload — invariants, hand-checked formulas and refusals (the measured accuracy is in
tests/test_accuracy_features.py)."""

from __future__ import annotations

import pytest

from llmem_core import InputError, PlanSpec, estimate
from llmem_core.adapters import adapter_params, nf4_bytes, roles
from llmem_core.components.optimizer import adafactor_bytes, adamw_8bit_bytes, paged_bytes
from llmem_core.ladder import zero_ladder
from llmem_core.models import MethodKind
from llmem_core.presets import find_model
from llmem_core.units import GiB

LLAMA8 = "meta-llama/Llama-3.1-8B"


def spec(**kw: object) -> PlanSpec:
    base = {"model": LLAMA8, "gpu": "a100-80gb", "batch_size": 1, "seq_len": 2048}
    if kw.get("num_gpus", 1) == 1:
        base["method"] = "single"
    return PlanSpec(**{**base, **kw})


def peak(**kw: object) -> int:
    return estimate(spec(**kw).request()).peak_bytes


# ---- formulas by hand ------------------------------------------------------------------------


def test_lora_adapter_count_by_hand() -> None:
    """Llama-3.1-8B, r = 16 on q, k, v, o: per layer 16·((4096+4096) + (4096+1024)·2 +
    (4096+4096)) = 425,984, × 32 layers = 13,631,488 (peft's print_trainable_parameters for
    this config gives the same)."""
    arch = find_model(LLAMA8).architecture
    assert adapter_params(arch, roles("attn"), 16) == 13_631_488


def test_all_linear_adds_the_mlp() -> None:
    arch = find_model(LLAMA8).architecture
    mlp = 16 * ((4096 + 14336) * 2 + (14336 + 4096)) * 32
    assert adapter_params(arch, roles("all-linear"), 16) == 13_631_488 + mlp


@pytest.mark.parametrize(
    ("numel", "expected"),
    [
        (4096 * 4096, 8_388_608 + 262_144 + 4 * 1024 + 4 + 1024),
        (64, 32 + 1 + 4 + 4 + 1024),
    ],
    ids=["4096-square", "one-block"],
)
def test_nf4_bytes_with_double_quantisation(numel: int, expected: int) -> None:
    """½ byte per weight, one 8-bit absmax per 64, one fp32 absmax per 256 blocks, the offset
    and the 256-entry fp32 code book (bitsandbytes quantize_4bit, compress_statistics)."""
    assert nf4_bytes(numel) == expected


def test_eight_bit_states_by_hand() -> None:
    """Optimizer2State: under 4,096 elements fp32 (8 bytes); else 2 + 8/256 per element."""
    assert adamw_8bit_bytes((1000,)) == 8000
    assert adamw_8bit_bytes((65536,)) == 2 * 65536 + 8 * 256
    assert paged_bytes((65536, 200_000)) == adamw_8bit_bytes((200_000,))


def test_adafactor_factors_matrices() -> None:
    """A 100 × 50 weight keeps 150 elements, a 50-vector 50 (torch.optim.Adafactor)."""
    assert adafactor_bytes((5000, 50), ((100, 50),), 4) == (150 + 50) * 4


# ---- invariants ------------------------------------------------------------------------------


def test_lora_and_qlora_need_less_than_full() -> None:
    full, lora, qlora = (peak(finetune=f) for f in ("full", "lora", "qlora"))
    assert qlora < lora < full


def test_adapter_rank_grows_the_peak() -> None:
    assert peak(finetune="lora", lora_rank=8) < peak(finetune="lora", lora_rank=256)


@pytest.mark.parametrize(
    "optimizer", ["sgd", "adafactor", "adamw-8bit", "paged-adamw-8bit"], ids=str
)
def test_lighter_optimizers_need_less_than_adamw(optimizer: str) -> None:
    assert peak(optimizer=optimizer) < peak(optimizer="adamw-foreach")


def test_selective_checkpointing_sits_between_off_and_full() -> None:
    kw = {"precision": "bf16", "batch_size": 4}
    full = peak(checkpointing="full", **kw)
    off = peak(checkpointing="off", **kw)
    assert full < peak(checkpointing="selective", checkpoint_every=2, **kw) < off


def test_chunked_and_fused_loss_need_less_than_the_standard_one() -> None:
    kw = {"precision": "bf16", "batch_size": 4, "finetune": "lora"}
    standard, chunked, fused = (peak(loss=x, **kw) for x in ("standard", "chunked", "fused-linear"))
    assert fused < chunked < standard


def test_zero_stages_fall_for_a_large_model() -> None:
    """Llama-3.1-8B full fine-tuning on 8 × A100-40GB: ZeRO-1 > ZeRO-2 > ZeRO-3."""
    job = spec(gpu="a100-40gb", num_gpus=8, batch_size=4).job()
    rungs = zero_ladder(job)
    assert [r.method for r in rungs] == [MethodKind.ZERO1, MethodKind.ZERO2, MethodKind.ADP]
    assert rungs[0].peak_bytes > rungs[1].peak_bytes > rungs[2].peak_bytes
    assert all(r.falls for r in rungs)


def test_zero2_over_zero1_does_not_fall_for_lora_and_says_why() -> None:
    job = spec(gpu="a100-40gb", num_gpus=8, finetune="lora").job()
    rung = zero_ladder(job)[1]
    assert not rung.falls and "adapters" in rung.reason


def test_optimizer_offload_moves_states_to_the_host() -> None:
    kw = {"gpu": "a100-40gb", "num_gpus": 8, "method": "zero2"}
    on_gpu = estimate(spec(**kw).request())
    offloaded = estimate(spec(offload="optimizer", **kw).request())
    assert on_gpu.host_bytes == 0
    assert offloaded.peak_bytes < on_gpu.peak_bytes
    # 18 bytes per parameter over the 8 ranks of the node (fp32 master 4, Adam 8, fp32
    # gradient 4, pinned 16-bit staging 2), rounded up per rank: about 18·P.
    params = 8_030_261_248
    assert offloaded.host_bytes == pytest.approx(18 * params, rel=1e-6)


def test_fsdp2_cpu_offload_keeps_only_gathered_units_on_the_gpu() -> None:
    kw = {"gpu": "a100-40gb", "num_gpus": 8, "method": "adp"}
    est = estimate(spec(offload="optimizer+params", **kw).request())
    assert est.host_bytes > 16 * 8e9 * 0.99  # sharded fp32 weights, grads, Adam states, temp
    assert est.components.optimizer == 0 and est.peak_bytes < peak(**kw)


def test_fsdp2_without_resharding_holds_every_layer() -> None:
    kw = {"gpu": "a100-40gb", "num_gpus": 8, "method": "adp"}
    assert peak(reshard_after_forward=False, **kw) > peak(**kw) + 10 * GiB


def test_grad_accumulation_keeps_gradients_through_the_next_micro_batch() -> None:
    assert peak(grad_accumulation=4, batch_size=8) > peak(batch_size=8)


def test_the_three_questions_of_the_issue() -> None:
    qlora = estimate(
        spec(gpu="rtx4090-24gb", finetune="qlora", optimizer="paged-adamw-8bit").request()
    )
    assert qlora.fits
    zero2 = estimate(spec(gpu="a100-40gb", num_gpus=8, method="zero2", offload="optimizer")
                     .request())  # fmt: skip
    assert zero2.fits and zero2.host_bytes > 100 * GiB
    lora = estimate(
        spec(num_gpus=4, method="adp", finetune="lora", lora_rank=64, seq_len=32768).request()
    )
    assert lora.peak_bytes > 0 and lora.components.lm_head > lora.components.transformer


# ---- refusals --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"method": "cdp", "num_gpus": 4, "offload": "optimizer"}, "offload"),
        ({"method": "zero2", "num_gpus": 4, "offload": "optimizer+params"}, "offload"),
        ({"method": "adp", "num_gpus": 4, "offload": "optimizer"}, "offload"),
        ({"method": "cdp", "num_gpus": 4, "zero3_engine": "deepspeed"}, "zero3_engine"),
        ({"method": "cdp", "num_gpus": 4, "reshard_after_forward": False}, "reshard_after_forward"),
        ({"method": "single", "finetune": "lora", "lora_targets": "wq"}, "lora_targets"),
        ({"method": "single", "finetune": "lora", "lora_targets": " , "}, "lora_targets"),
        ({"method": "single", "grad_checkpointing": False, "checkpointing": "full"},
         "checkpointing"),
        ({"method": "zero2", "num_gpus": 4, "zero_engine": "torch"}, "zero_engine"),
        ({"method": "zero1", "num_gpus": 4, "zero_engine": "torch", "offload": "optimizer"},
         "offload"),
        ({"method": "single", "lora_dropout": 1.0}, "lora_dropout"),
        ({"method": "zero1", "profile": "paper", "model": "facebook/opt-125m"}, "method"),
        ({"method": "single", "profile": "paper", "model": "facebook/opt-125m",
          "finetune": "lora"}, "finetune"),
    ],
    ids=["offload-cdp", "zero2-params", "fsdp2-optimizer-only", "ds3-on-cdp", "reshard-cdp",
         "unknown-target", "empty-target", "checkpointing-contradiction", "torch-zero2",
         "torch-zero1-offload", "dropout-1",
         "paper-zero1", "paper-lora"],
)  # fmt: skip
def test_bad_combinations_name_their_field(kw: dict, field: str) -> None:
    with pytest.raises(InputError) as err:
        spec(**kw).request()
    assert err.value.field == field


def test_checkpointing_alone_sets_the_old_flag() -> None:
    training = spec(checkpointing="off").training()
    assert training.grad_checkpointing is False
    assert spec(grad_checkpointing=False).training().checkpointing == "off"
    assert training.model_copy(update={"grad_checkpointing": True}).checkpointing == "full"


def test_zero_redundancy_partition_by_hand() -> None:
    """Largest first, each to the least loaded rank: 10, 7, 5, 3, 1 over 2 ranks → {10, 1} and
    {7, 5}... 10 | 7 → 10 | 12 → 13 | 12 → 13 | 13: the most loaded holds 13."""
    from llmem_core.profiles.pytorch_states import zero_redundancy_shard

    assert zero_redundancy_shard((1, 3, 5, 7, 10), 2) == 13
    assert zero_redundancy_shard((4, 4, 4, 4), 4) == 4


def test_torch_zero1_divides_only_the_optimizer_states() -> None:
    kw = {"gpu": "a100-40gb", "num_gpus": 8, "model": "meta-llama/Llama-3.2-1B", "batch_size": 4}
    ddp = estimate(spec(method="cdp", **kw).request())
    zero1 = estimate(spec(method="zero1", zero_engine="torch", **kw).request())
    assert zero1.request.parallel.engine == "ddp+zero-redundancy"
    assert zero1.components.optimizer < ddp.components.optimizer / 4
    assert zero1.components.transient == ddp.components.transient  # DDP's bucket stays


# ---- context parallelism (formula only) --------------------------------------------------------


def test_context_parallelism_splits_a_long_sequence() -> None:
    """Llama-3.1-8B at 128k tokens on 8 × A100-80GB: out of memory on FSDP2 alone, fits when
    each sequence is split over the 8 GPUs (the ring's all-gathered K and V added)."""
    kw = {"num_gpus": 8, "method": "adp", "seq_len": 131072, "loss": "chunked"}
    alone = estimate(spec(**kw).request())
    split = estimate(spec(context_parallel=8, **kw).request())
    assert not alone.fits and split.fits
    assert split.components.transient > alone.components.transient


def test_context_parallel_ranks_share_each_sample_in_the_score() -> None:
    from llmem_core.plan import plan_request

    row = plan_request(spec(num_gpus=8, method="adp", context_parallel=4, seq_len=8192).request())
    assert row.samples_per_step == row.max_batch_size * 2


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"num_gpus": 8, "method": "cdp", "context_parallel": 2}, "context_parallel"),
        ({"num_gpus": 6, "method": "adp", "context_parallel": 4}, "context_parallel"),
        ({"num_gpus": 8, "method": "adp", "context_parallel": 8, "seq_len": 2056}, "seq_len"),
        ({"num_gpus": 4, "method": "adp", "context_parallel": 2, "model": "bigscience/bloom-560m"},
         "context_parallel"),
    ],
    ids=["not-adp", "not-a-divisor", "sequence-not-split-evenly", "eager-attention"],
)  # fmt: skip
def test_context_parallel_refusals(kw: dict, field: str) -> None:
    with pytest.raises(InputError) as err:
        spec(**kw).request()
    assert err.value.field == field
