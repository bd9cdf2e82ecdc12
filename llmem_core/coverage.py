"""Which parts of an estimate no reference checks here (issue #12).

The fake CUDA device runs PyTorch itself, so torch's and peft's code paths are measured
(tests/fixtures/reference); bitsandbytes' kernels, DeepSpeed's engine and Liger's Triton kernel
do not run there: their terms follow the source line by line (cited in the components) and the
estimate says so, with a wider band (estimate.FORMULA_ONLY_ERROR).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from llmem_core.models import (
    LORA_ALL_LINEAR,
    LORA_ATTN,
    FineTune,
    Loss,
    MethodKind,
    Offload,
    Optimizer,
    Zero3Engine,
    ZeroEngine,
)
from llmem_core.presets import RecipeChoice, recipe_choice

if TYPE_CHECKING:
    from llmem_core.request import Request


def formula_only(req: Request) -> tuple[str, ...]:
    """What in a request's estimate no fake-device reference checks (empty: all measured)."""
    t, sharding, kind = req.training, req.sharding, req.parallel.method.kind
    found = []
    if t.finetune == FineTune.QLORA:
        found.append("QLoRA (bitsandbytes NF4 kernels)")
    if t.optimizer in (Optimizer.ADAMW_8BIT, Optimizer.PAGED_ADAMW_8BIT):
        found.append(f"{t.optimizer} (bitsandbytes)")
    if kind in (MethodKind.ZERO1, MethodKind.ZERO2) and sharding.zero_engine != ZeroEngine.TORCH:
        found.append(f"{kind} (DeepSpeed's engine)")
    if kind == MethodKind.ADP and sharding.zero3_engine == Zero3Engine.DEEPSPEED:
        found.append("ZeRO-3 (DeepSpeed's engine)")
    if sharding.offload == Offload.OPTIMIZER:
        found.append("optimizer offload (DeepSpeed)")
    if t.loss == Loss.FUSED_LINEAR:
        found.append("fused linear cross-entropy (Liger's Triton kernel)")
    if t.activation_offload:
        found.append("activation offloading (torchtune; streams)")
    if t.optimizer_in_backward:
        found.append("optimizer in backward (torchtune)")
    if t.grad_accumulation > 1:
        found.append("gradient accumulation")
    if sharding.context_parallel > 1:
        found.append("context parallelism (torch's ring attention)")
    if t.peft and req.parallel.tp > 1:
        found.append("LoRA under tensor parallelism")
    if t.peft and t.lora_targets not in (LORA_ATTN, LORA_ALL_LINEAR):
        found.append("LoRA on a custom target list (nearest census)")
    choice = census_of(req)
    if choice.stand_in:
        found.append(f"activations of {req.model.family} from the {choice.family} census")
    return tuple(found)


def census_of(req: Request) -> RecipeChoice:
    """Whose census the request's activations use; `stand_in`: another family's (features.py)."""
    return recipe_choice(req.model, req.training.precision)
