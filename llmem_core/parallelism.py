"""How a method spreads one job over the GPUs: its degrees and its engine, computed once.

Like torchtitan's `ParallelDims` (torchtitan/distributed/parallel_dims.py), the degrees are
derived and checked in one place, when a request is built; everything downstream trusts them.
world = dp_replicate · dp_shard · tp:

    single   1 · 1 · 1          one GPU
    cdp      N · 1 · 1          DDP: a full replica per GPU
    adp      1 · N · 1          FSDP2 / ZeRO-3: parameters, gradients and states sharded
    tp       1 · 1 · N          tensor parallel over every GPU
    dp+tp    1 · N/t · t        FSDP2 over groups of t tensor-parallel GPUs
    zero1    N · 1 · 1          DeepSpeed ZeRO-1: weights whole, optimizer states ÷ N
    zero2    N · 1 · 1          DeepSpeed ZeRO-2: weights whole, states and gradients ÷ N

ZeRO-1/2 replicate the weights like DDP (dp_replicate = N) and partition the rest
(`zero_stage`); adp is ZeRO-3 (dp_shard = N).

On one GPU every method is plain single-GPU training (Algorithm 1's premise), so its degrees
are all 1.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from llmem_core.errors import InputError
from llmem_core.models import Architecture, Frozen, Method, MethodKind, ProfileName

GPUS_PER_NODE = 8  # GPUs per server (HGX/DGX boards hold 8): what one node's host memory serves


class Engine(StrEnum):
    """The software a profile models for a method (shown with the estimate)."""

    ONE_GPU = "one-gpu"  # plain training loop on one GPU
    DDP = "ddp"  # torch.nn.parallel.DistributedDataParallel
    FSDP2 = "fsdp2"  # torch.distributed.fsdp.fully_shard (ZeRO-3)
    DTENSOR_TP = "dtensor-tp"  # torch.distributed.tensor.parallel (Megatron-style)
    FSDP2_TP = "fsdp2+dtensor-tp"  # fully_shard over a 2-D mesh with DTensor TP
    GEMINI = "colossalai-gemini"  # Colossal-AI Gemini (ZeRO-3 with chunks), LLMem's ADP
    COLOSSALAI_TP = "colossalai-tp"  # Colossal-AI 1-D tensor parallel, LLMem's TP
    GEMINI_TP = "colossalai-gemini+tp"  # Gemini over tensor-parallel groups, LLMem's DP+TP
    DS_ZERO1 = "deepspeed-zero1"  # DeepSpeed ZeRO stage 1 (stage_1_and_2.py)
    DS_ZERO2 = "deepspeed-zero2"  # DeepSpeed ZeRO stage 2 (stage_1_and_2.py)
    DS_ZERO3 = "deepspeed-zero3"  # DeepSpeed ZeRO stage 3 (stage3.py), adp's variant
    TORCH_ZERO1 = "ddp+zero-redundancy"  # DDP + torch.distributed.optim.ZeroRedundancyOptimizer


ENGINES: dict[ProfileName, dict[MethodKind, Engine]] = {
    ProfileName.PYTORCH: {
        MethodKind.SINGLE: Engine.ONE_GPU,
        MethodKind.CDP: Engine.DDP,
        MethodKind.ADP: Engine.FSDP2,
        MethodKind.TP: Engine.DTENSOR_TP,
        MethodKind.DP_TP: Engine.FSDP2_TP,
        MethodKind.ZERO1: Engine.DS_ZERO1,
        MethodKind.ZERO2: Engine.DS_ZERO2,
    },
    ProfileName.PAPER: {
        MethodKind.SINGLE: Engine.ONE_GPU,
        MethodKind.CDP: Engine.DDP,
        MethodKind.ADP: Engine.GEMINI,
        MethodKind.TP: Engine.COLOSSALAI_TP,
        MethodKind.DP_TP: Engine.GEMINI_TP,
    },
}


class Parallelism(Frozen):
    """The degrees of one request's layout; derived, never typed in."""

    method: Method = Field(description="the method with its tensor-parallel degree resolved")
    gpus: int = Field(ge=1)
    dp_replicate: int = Field(ge=1, description="replicas holding everything (DDP)")
    dp_shard: int = Field(ge=1, description="ranks sharing one copy of the states (FSDP)")
    tp: int = Field(ge=1, description="tensor-parallel degree")
    engine: Engine
    zero_stage: int = Field(
        default=0, ge=0, le=3, description="DeepSpeed ZeRO stage of zero1/zero2 (0: none)"
    )

    def __hash__(self) -> int:  # the degrees say it all; cheaper than hashing the nested method
        return hash(
            (self.gpus, self.dp_replicate, self.dp_shard, self.tp, self.engine, self.zero_stage)
        )

    @property
    def dp(self) -> int:
        """Data-parallel ranks: each runs its own micro-batch."""
        return self.dp_replicate * self.dp_shard

    @property
    def sharded(self) -> bool:
        """Parameters, gradients and optimizer states sharded over the data-parallel ranks."""
        return self.dp_shard > 1

    @property
    def partitions(self) -> int:
        """Ranks a ZeRO-1/2 partition divides the optimizer states (and ZeRO-2 gradients) over."""
        return self.dp_replicate if self.zero_stage else 1


def default_dp_tp_degree(num_gpus: int) -> int:
    """tp for DP+TP when not given: the largest divisor ≤ √N, so 4 GPUs → 2 × 2, 8 → 4 × 2."""
    best, d = 1, 2
    while d * d <= num_gpus:
        if num_gpus % d == 0:
            best = d
        d += 1
    return best


def dp_tp_degree(num_gpus: int, tp: int | None) -> int:
    """The tensor-parallel degree of dp+tp on num_gpus GPUs: given or default, checked."""
    degree = default_dp_tp_degree(num_gpus) if tp is None else tp
    if num_gpus % degree:
        raise InputError("tp", f"must divide num_gpus ({num_gpus:,}); got {degree:,}")
    if not 1 < degree < num_gpus:
        raise InputError("tp", _dp_tp_range(num_gpus, degree))
    return degree


def _dp_tp_range(num_gpus: int, degree: int) -> str:
    choices = [d for d in range(2, num_gpus // 2 + 1) if num_gpus % d == 0][:12]
    if not choices:
        return (
            f"dp+tp needs a GPU count with a divisor from 2 to half of it; "
            f"{num_gpus:,} has none (use tp or adp)"
        )
    return (
        f"dp+tp on {num_gpus:,} GPUs needs a divisor from 2 to {num_gpus // 2:,} "
        f"({', '.join(map(str, choices))}); got {degree:,} (1 is adp, {num_gpus:,} is tp)"
    )


def layout(method: Method, num_gpus: int, arch: Architecture, profile: ProfileName) -> Parallelism:
    """The request's degrees; InputError naming `method`, `tp` or `num_gpus` when impossible."""
    kind, tp = method.kind, method.tp
    if kind == MethodKind.SINGLE and num_gpus != 1:
        raise InputError(
            "method",
            f"single runs on one GPU, but num_gpus is {num_gpus:,}; use cdp, adp, tp or dp+tp",
        )
    no_tp = (MethodKind.SINGLE, MethodKind.CDP, MethodKind.ADP, *ZERO_KINDS)
    if kind in no_tp and tp not in (None, 1):
        raise InputError(
            "tp", f"applies to tp and dp+tp only; {kind} has no tensor parallelism (got {tp:,})"
        )
    if kind not in ENGINES[profile]:
        raise InputError("method", f"profile {profile} does not model {kind}; use profile pytorch")
    engine = ENGINES[profile][kind if num_gpus > 1 or kind in ZERO_KINDS else MethodKind.SINGLE]
    degrees = _degrees(kind, num_gpus, tp)
    if profile == ProfileName.PAPER:
        _check_widths(arch, degrees[2])
    else:
        _check_heads(arch, degrees[2])
    replicate, shard, tensor = degrees
    return Parallelism.model_construct(  # every field derived and checked above
        method=Method.model_construct(kind=kind, tp=tensor if kind in _TP_KINDS else None),
        gpus=num_gpus,
        dp_replicate=replicate,
        dp_shard=shard,
        tp=tensor,
        engine=engine,
        zero_stage=ZERO_KINDS.get(kind, 0),
    )


_TP_KINDS = (MethodKind.TP, MethodKind.DP_TP)
# DeepSpeed runs ZeRO-1/2 on one GPU too (ZeRO-Offload's setting): its engine, not one-gpu.
ZERO_KINDS = {MethodKind.ZERO1: 1, MethodKind.ZERO2: 2}


def _degrees(kind: MethodKind, n: int, tp: int | None) -> tuple[int, int, int]:
    """(dp_replicate, dp_shard, tp)."""
    if n == 1:
        if tp not in (None, 1):
            raise InputError("tp", f"must be 1 on one GPU (got {tp:,})")
        return 1, 1, 1
    if kind in (MethodKind.CDP, *ZERO_KINDS):
        return n, 1, 1
    if kind == MethodKind.ADP:
        return 1, n, 1
    if kind == MethodKind.TP:
        if tp not in (None, n):
            raise InputError(
                "tp",
                f"method tp spans all {n:,} GPUs (tp {n:,}); got {tp:,}; "
                "use dp+tp for a smaller degree",
            )
        return 1, 1, n
    degree = dp_tp_degree(n, tp)
    return 1, n // degree, degree


def _check_heads(arch: Architecture, tp: int) -> None:
    heads = arch.num_attention_heads
    if heads % tp:
        raise InputError("tp", f"degree {tp:,} must divide the model's {heads:,} attention heads")


def _check_widths(arch: Architecture, tp: int) -> None:
    """The paper's tensor parallelism (Colossal-AI 1-D, as the authors set it up: every Linear
    split along its input features, every Embedding along its width; tp_real.py L310-337,
    colossalai/nn/parallel/layers/linear.py) needs the degree to divide those widths, not the
    head count."""
    widths = {
        "hidden size": arch.hidden_size,
        "MLP width": arch.intermediate_size,
        "embedding width": arch.embedding_dim,
        "attention width": arch.num_attention_heads * arch.head_dim,
    }
    for name, width in widths.items():
        if width % tp:
            raise InputError(
                "tp",
                f"degree {tp:,} must divide the model's {name} ({width:,}): the paper's "
                "tensor parallelism splits every Linear's input and every Embedding's width",
            )
