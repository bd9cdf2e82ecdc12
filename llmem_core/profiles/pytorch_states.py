"""Model states per GPU in the `pytorch` profile for what trains and how it is sharded (issue #12):
full fine-tuning or LoRA / QLoRA adapters; AdamW, 8-bit AdamW, Adafactor or SGD; one GPU, DDP,
FSDP2, DTensor TP, DeepSpeed ZeRO-1/2/3; optimizer-in-backward; CPU offload.

Bytes by what each one is (the profile puts them in its bar segments):
    body, lm          weights (frozen base and adapters; the V·E matrix apart)
    grads_body/lm     gradients alive after backward
    optimizer         persistent optimizer state (+ fp32 master copy under DeepSpeed)
    temp              scratch during optimizer.step()
    host              what lives in CPU memory per rank (offload), pinned
Symbols: P parameters held, A trainable adapter elements, N data-parallel ranks, pb parameter
bytes, sb state bytes. DeepSpeed ZeRO-1/2 (deepspeed/runtime/zero/stage_1_and_2.py, bf16/fp16
mixed precision): 16-bit weights whole (2·P); gradients whole (ZeRO-1) or partitioned (ZeRO-2);
fp32 master partition (`single_partition_of_fp32_groups`, 4·P/N), optimizer states of it, and at
the step its fp32 gradient partition (4·P/N) — DeepSpeed's own estimator counts the same
"2 + 18/N" per parameter for ZeRO-2 (`estimate_zero2_model_states_mem_needs`). Its optimizer is
a fused one (no foreach scratch). DeepSpeed ZeRO-3 (stage3.py) partitions the 16-bit weights
too (`estimate_zero3_model_states_mem_needs`: largest layer + 18·P/N).
Offload (DeepSpeed `offload_optimizer`): the fp32 master, states and fp32 gradients go to
pinned CPU memory with a pinned 16-bit staging copy (`param_buffer_of_bit16_for_cpu_offload_
groups`): 18·P/N per rank on the host, the step runs on the CPU. FSDP2 `CPUOffloadPolicy`:
sharded parameters, gradients and optimizer states on the CPU (pinned), the step there too.
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

from llmem_core import adapters
from llmem_core.components import optimizer as opt
from llmem_core.models import Architecture, FineTune, Offload, Optimizer, Precision, Training
from llmem_core.parallelism import Engine, Parallelism
from llmem_core.params import split, tensors
from llmem_core.units import B16, B32

ZERO_ENGINES = (Engine.DS_ZERO1, Engine.DS_ZERO2, Engine.DS_ZERO3)


class States(NamedTuple):
    body: int  # transformer parameters + buffers (+ adapters)
    lm: int  # the V·E matrix
    grads_body: int
    grads_lm: int
    optimizer: int
    temp: int
    host: int = 0  # bytes per rank in CPU memory (offloaded states, pinned)
    trainable: int = 0  # trainable elements per rank (the DDP bucket, FSDP's reduce-scatter)


class StateKey(NamedTuple):
    """The training fields the model states depend on (not the batch or the sequence), so
    one request's states serve every batch size (a cheap, hashable cache key)."""

    finetune: FineTune
    optimizer: Optimizer
    precision: Precision
    lora_targets: str
    lora_rank: int
    optimizer_in_backward: bool

    @property
    def peft(self) -> bool:
        return self.finetune != FineTune.FULL

    @classmethod
    def of(cls, t: Training) -> StateKey:
        return cls(t.finetune, t.optimizer, t.precision, t.lora_targets, t.lora_rank,
                   t.optimizer_in_backward)  # fmt: skip


class Trainables(NamedTuple):
    """The trainable tensors (whole model, before sharding): their element counts, the 2-D
    ones' shapes, and whether the V·E matrix trains."""

    numels: tuple[int, ...]
    shapes: tuple[tuple[int, int], ...]
    lm_trains: bool

    @property
    def total(self) -> int:
        return sum(self.numels)


def _full(arch: Architecture) -> Trainables:
    ts = tensors(arch)
    shapes = tuple(_shape(arch, t.name, t.numel) for t in ts if t.kind in ("linear", "embedding"))
    return Trainables(tuple(t.numel for t in ts), tuple(s for s in shapes if s), True)


def _shape(arch: Architecture, name: str, numel: int) -> tuple[int, int] | None:
    """(rows, cols) of a 2-D weight: the embedding/lm_head are V × E, a linear out × in
    (its input width is what params.py's layer shapes give; otherwise the hidden size)."""
    if name.startswith(("embed_tokens", "lm_head")):
        return arch.vocab_size, arch.embedding_dim
    width = arch.intermediate_size if ".down" in name else arch.hidden_size
    if ".attn.o" in name:
        width = arch.num_attention_heads * arch.head_dim
    if ".experts." in name:  # 3-D expert tensors: E × rows × cols, factored per expert
        return None
    return (numel // width, width) if numel % width == 0 else None


def _lora_of(arch: Architecture, targets: str, r: int) -> Trainables:
    shapes = []
    for n_in, n_out in adapters.adapted(arch, adapters.roles(targets)):
        shapes += [(r, n_in), (n_out, r)]  # lora_A: r × n_in, lora_B: n_out × r
    shapes = shapes * arch.num_layers
    return Trainables(tuple(a * b for a, b in shapes), tuple(shapes), False)


@lru_cache(maxsize=256)
def _trainables(arch: Architecture, peft: bool, targets: str, rank: int) -> Trainables:
    if not peft:
        return _full(arch)
    return _lora_of(arch, targets, rank)


def trainables(arch: Architecture, training: Training | StateKey) -> Trainables:
    return _trainables(arch, training.peft, training.lora_targets, training.lora_rank)


# peft keeps adapters in fp32 (get_peft_model's autocast_adapter_dtype=True upcasts 16-bit
# adapters; peft/tuners/tuners_utils.py `_cast_adapter_dtype`), whatever the base's dtype.
ADAPTER_BYTES = B32


def frozen_base_bytes(arch: Architecture, training: Training, body: int, pb: int) -> int:
    """The frozen body's weights: in its dtype (LoRA), or NF4 for the decoder layers' linears
    and its dtype for the rest (QLoRA; adapters.py)."""
    if training.finetune != FineTune.QLORA:
        return body * pb
    quantised = adapters.quantised_linear_params(arch)
    per_tensor = [n_in * n_out for _, (n_in, n_out) in adapters._linears(arch)]
    nf4 = arch.num_layers * sum(adapters.nf4_bytes(n) for n in per_tensor)
    return nf4 + (body - quantised) * pb


def pytorch_states(
    arch: Architecture, training: Training, lay: Parallelism, offload: Offload, pb: int
) -> States:
    """Every case's model states per rank (the module docstring)."""
    return _pytorch_states(arch, StateKey.of(training), lay, offload, pb)


@lru_cache(maxsize=1024)
def _pytorch_states(
    arch: Architecture, training: StateKey, lay: Parallelism, offload: Offload, pb: int
) -> States:
    from llmem_core.components import weights

    body, lm = weights.pytorch_shard(arch, split(arch), lay)
    train = trainables(arch, training)
    if lay.engine in ZERO_ENGINES:
        return _deepspeed(arch, training, lay, offload, train, body, lm, pb)
    if training.peft:
        st, gb = _adapter_states(arch, training, lay, train, body, lm, pb), ADAPTER_BYTES
    else:
        st, gb = _full_states(arch, training, lay, train, body, lm, pb), pb
    if lay.engine == Engine.TORCH_ZERO1:
        local = zero_redundancy_shard(train.numels, lay.dp)
        st = st._replace(
            optimizer=_local_state(training, train, local, gb),
            temp=opt.step_temporary(training.optimizer, local, local, gb, local),
        )
    if offload == Offload.OPTIMIZER_PARAMS:  # FSDP2 CPUOffloadPolicy: all sharded states
        host = st.body - arch.buffer_bytes + st.lm + st.grads_body + st.grads_lm
        host += st.optimizer + st.temp
        return st._replace(body=arch.buffer_bytes, lm=0, optimizer=0, temp=0, host=host)
    return _in_backward(st, training, train, gb)


def zero_redundancy_shard(numels: tuple[int, ...], ranks: int) -> int:
    """Elements whose optimizer state the most loaded rank holds under torch's
    ZeroRedundancyOptimizer: parameters sorted by size, largest first, each given whole to the
    rank with the fewest elements so far (torch/distributed/optim/zero_redundancy_optimizer.py
    `_partition_parameters`)."""
    sizes = [0] * ranks
    for n in sorted(numels, reverse=True):
        sizes[sizes.index(min(sizes))] += n
    return max(sizes)


def _local_state(training: Training, train: Trainables, local: int, sb: int) -> int:
    """The optimizer state of `local` of the trainable elements (a shard or a TP slice): exact
    per element for AdamW and SGD, in proportion for the per-tensor ones."""
    whole = opt.state_bytes(training.optimizer, train.numels, train.shapes, sb)
    if training.optimizer in (Optimizer.ADAMW_FOREACH, Optimizer.ADAMW_FUSED, Optimizer.SGD):
        return whole // max(train.total, 1) * local
    return -(-whole * local // max(train.total, 1))


def _full_states(
    arch: Architecture,
    training: StateKey,
    lay: Parallelism,
    train: Trainables,
    body: int,
    lm: int,
    pb: int,
) -> States:
    local = body + lm
    return States(
        body=body * pb + arch.buffer_bytes,
        lm=lm * pb,
        grads_body=body * pb,
        grads_lm=lm * pb,
        optimizer=_local_state(training, train, local, pb),
        temp=_temp(arch, training, lay, train, local, pb),
        trainable=local,
    )


def _adapter_states(
    arch: Architecture,
    training: StateKey,
    lay: Parallelism,
    train: Trainables,
    body: int,
    lm: int,
    pb: int,
) -> States:
    """LoRA/QLoRA: the frozen base (sharded as full fine-tuning shards it) and the adapters,
    sharded by FSDP2 and, as an approximation, sliced with their base by TP."""
    local = -(-train.total // ((lay.dp if lay.sharded else 1) * lay.tp))
    return States(
        body=frozen_base_bytes(arch, training, body, pb)
        + local * ADAPTER_BYTES
        + arch.buffer_bytes,
        lm=lm * pb,
        grads_body=local * ADAPTER_BYTES,
        grads_lm=0,
        optimizer=_local_state(training, train, local, ADAPTER_BYTES),
        temp=_temp(arch, training, lay, train, local, ADAPTER_BYTES),
        trainable=local,
    )


def _temp(
    arch: Architecture,
    training: StateKey,
    lay: Parallelism,
    train: Trainables,
    local: int,
    sb: int,
) -> int:
    """The step's scratch over the largest group: foreach/fused AdamW refuse to mix DTensor and
    plain tensors, so full fine-tuning under TP without FSDP steps two groups (the sharded
    matmul weights, the replicated rest; reference notes)."""
    group = local
    if lay.tp > 1 and not lay.sharded and not training.peft:
        sharded = -(-split(arch).matmul_total // lay.tp)
        group = max(sharded, local - sharded)
    share = local / max(train.total, 1)
    factored = round(sum(r * c for r, c in train.shapes) * share)
    largest = max(train.numels, default=0)
    return opt.step_temporary(training.optimizer, group, factored, sb, largest)


def _in_backward(st: States, training: Training, train: Trainables, gb: int) -> States:
    """torchtune's optimizer-in-backward (torchtune/training/memory.py
    `register_optim_in_bwd_hooks`): each parameter is stepped and its gradient freed as soon
    as it is accumulated, so at most the largest tensor's gradient and step scratch exist."""
    if not training.optimizer_in_backward:
        return st
    largest = max(train.numels, default=0)
    temp = opt.step_temporary(training.optimizer, largest, largest, gb, largest)
    return st._replace(grads_body=largest * gb, grads_lm=0, temp=temp)


def _deepspeed(
    arch: Architecture,
    training: StateKey,
    lay: Parallelism,
    offload: Offload,
    train: Trainables,
    body: int,
    lm: int,
    pb: int,
) -> States:
    """DeepSpeed ZeRO-1/2/3 (module docstring). body/lm: elements held per rank (ZeRO-3:
    partitioned by pytorch_shard already)."""
    n = lay.dp
    # fp32 training keeps fp32 weights and no master copy; bf16/fp16 (DeepSpeed's mixed
    # precision, which `amp-*` and `bf16` both mean here) 16-bit weights and an fp32 master.
    w = B32 if training.precision == Precision.FP32 else B16
    trained = train.total
    part = -(-trained // n)
    master = 0 if w == B32 else B32 * part
    states = -(-opt.state_bytes(training.optimizer, train.numels, train.shapes, B32) // n)
    grads16 = trained * w if lay.zero_stage == 1 else part * w
    weights_body = body * w
    if training.peft:  # the frozen base stays 16-bit (or NF4), never partitioned by ZeRO-1/2
        weights_body = (
            frozen_base_bytes(arch, training, body, w)
            + (part if lay.engine == Engine.DS_ZERO3 else trained) * ADAPTER_BYTES
        )
        grads16 = (trained if lay.zero_stage == 1 else part) * ADAPTER_BYTES
    lm_bytes = lm * w
    temp = B32 * part if w != B32 else 0  # the fp32 gradient partition at the step
    if offload == Offload.NONE:
        return States(
            body=weights_body + arch.buffer_bytes,
            lm=lm_bytes,
            grads_body=grads16,
            grads_lm=0,
            optimizer=master + states,
            temp=temp,
            trainable=trained,
        )
    staging = B16 * part  # pinned 16-bit copy of the partition (stage_1_and_2.py)
    host = master + states + B32 * part + staging
    kept_grads = grads16 if lay.zero_stage == 1 else 0
    if offload == Offload.OPTIMIZER_PARAMS:  # ZeRO-3 offload_param: partitions on the CPU
        host += weights_body + lm_bytes
        weights_body, lm_bytes = 0, 0
    return States(
        body=weights_body + arch.buffer_bytes,
        lm=lm_bytes,
        grads_body=kept_grads,
        grads_lm=0,
        optimizer=0,
        temp=0,
        host=host,
        trainable=trained,
    )
