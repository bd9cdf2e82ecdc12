"""One rank of an N-GPU fine-tuning job: DDP, FSDP2, tensor parallel, FSDP2 × TP (worker only).

On the fake CUDA device one process plays rank 0 of N with PyTorch's fake process group (every
collective is a no-op that returns correctly shaped tensors), so the trackers see exactly the
tensors rank 0 would hold. On real GPUs the same code runs under ``torchrun`` with NCCL, one process
per GPU, each rank reporting itself. See docs/reference-measurement.md ("Several GPUs") for why each
stand-in below is needed.

llmem's names → PyTorch: ``cdp`` = DDP (default buckets), ``adp`` = FSDP2 ``fully_shard`` on each
decoder layer then the root, ``tp`` = DTensor Colwise/Rowwise plans, ``dp+tp`` = FSDP2 over a 2-D
(dp, tp) mesh on top of the TP plan.
"""

from __future__ import annotations

import contextlib
import os
import time
from typing import Any

import torch
import torch.distributed as dist
from torch import nn

from llmem_core.measure import _fake_cuda, _session, _tracking
from llmem_core.measure._tracking import (
    PHASES,
    GlobalPeakTracker,
    PhaseLog,
    TraceMixin,
    _rounded,
)

FSDP_METHODS = ("adp", "dp+tp")
TP_METHODS = ("tp", "dp+tp")

# Tracker categories (MemTracker's, as _tracking names them, and FSDPMemTracker's) → llmem's names.
CATEGORY_NAMES = {
    "_FSDPRefType.SHARDED_PARAM": "sharded_parameter",
    "_FSDPRefType.UNSHARDED_PARAM": "unsharded_parameter",
    "_FSDPRefType.SHARDED_GRAD": "sharded_gradient",
    "_FSDPRefType.UNSHARDED_GRAD": "unsharded_gradient",
    "_FSDPRefType.ALL_GATHER": "all_gather",
    "_FSDPRefType.REDUCE_SCATTER": "reduce_scatter",
    "_FSDPRefType.OPT": "optimizer_state",
    "_FSDPRefType.INP": "input",
}

# Submodule names in a decoder layer → TP style (Megatron: column-parallel in, row-parallel out).
COLWISE = ("q_proj", "k_proj", "v_proj", "gate_proj", "up_proj", "fc1", "c_fc", "c_attn")
ROWWISE = ("o_proj", "out_proj", "down_proj", "fc2", "c_proj", "dense_4h_to_h")


def run(spec: dict[str, Any], fake: bool) -> dict[str, Any]:
    request = spec["request"]
    method, world = request["method"], request["num_gpus"]
    tp = request["tp"] if method in TP_METHODS else 1
    param_dtype, autocast_dtype = _session.PRECISION_DTYPES[request["precision"]]
    mp_dtype = None
    if method in FSDP_METHODS and autocast_dtype is not None:
        # amp under FSDP2 = fp32 sharded parameters, 16-bit unsharded compute copies, no autocast.
        mp_dtype, autocast_dtype = autocast_dtype, None
    torch.manual_seed(0)
    if fake:
        _fake_cuda.install()
        _install_fake_cuda_runtime()
        _own_fake_mode_for_dtensor_propagation()
        _mesh_tensors_outside_fake_mode()
    else:
        _tracking._REAL_GPU[0] = True
    rank = _init_process_group(world, fake)
    started = time.perf_counter()
    extra: dict[str, Any] = {}
    with _session._device_context(fake):
        mesh = _mesh(method, world, tp)
        model = _session._build_model(spec, param_dtype, request["grad_checkpointing"], fake)
        model = _session._finetune(model, spec)  # LoRA before wrapping, as peft users do
        params_global = sum(p.numel() for p in model.parameters())
        layers = _decoder_layers(model)
        if method in TP_METHODS:
            _apply_tp(model, layers, mesh["tp"] if method == "dp+tp" else mesh, tp)
        if method in FSDP_METHODS:
            dp_mesh = mesh["dp"] if method == "dp+tp" else mesh
            extra.update(_apply_fsdp(model, layers, dp_mesh, mp_dtype, request))
        if method == "cdp":
            model, buckets = _apply_ddp(model, fake)
            extra["ddp_bucket_bytes"] = sum(_rounded(b.untyped_storage().nbytes()) for b in buckets)
        else:
            buckets = []
        optimizer = _build_optimizer(model, request["optimizer"], request.get("zero_redundancy"))
        shape = (request["batch_size"], request["seq_len"])
        ids = torch.randint(0, spec["config"]["vocab_size"], shape)
        log, cuda_stats, trace = _train(
            model,
            optimizer,
            ids,
            autocast_dtype,
            request["steps"],
            method,
            buckets,
            fake,
            bool(request.get("trace")),
        )
    _rename_categories(log, extra.get("ddp_bucket_bytes", 0))
    _split_optimizer_temporaries(log, optimizer)
    result = _session._summarise(log, request["steps"])
    result.update(
        rank=rank,
        params=params_global,
        params_per_rank=sum(_local(p).numel() for p in model.parameters()),
        trainable_params=sum(p.numel() for p in model.parameters() if p.requires_grad),
        mesh=[world // tp, tp] if method == "dp+tp" else [world],
        attention_impl=_session._attention_impl(_unwrap(model)),
        grad_scaler=False,
        wall_seconds=round(time.perf_counter() - started, 2),
        **extra,
        **cuda_stats,
    )
    if trace is not None:
        result["allocation_trace"] = trace
    if dist.is_initialized():
        dist.destroy_process_group()
    return result


# --- the fake device's runtime stand-ins -------------------------------------------------------


class _FakeEvent:
    def record(self, stream: Any = None) -> _FakeEvent:
        return self

    def wait(self, stream: Any = None) -> None:
        pass

    def synchronize(self) -> None:
        pass

    def query(self) -> bool:
        return True


class _FakeStream:
    """A stream with an id, so the allocation trace knows which pool each block belongs to."""

    priority = 0
    device = torch.device("cuda", 0)
    _made = 0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.stream_id = _FakeStream._made
        _FakeStream._made += 1
        _STREAMS[self.stream_id] = self

    def wait_stream(self, stream: Any) -> None:
        pass

    def wait_event(self, event: Any) -> None:
        pass

    def record_event(self, event: Any = None) -> _FakeEvent:
        return event or _FakeEvent()

    def synchronize(self) -> None:
        pass

    def query(self) -> bool:
        return True

    def __enter__(self) -> _FakeStream:
        _tracking._STREAM_ID.append(self.stream_id)
        return self

    def __exit__(self, *args: Any) -> None:
        _tracking._STREAM_ID.pop()


_STREAMS: dict[int, _FakeStream] = {}
_STREAM = _FakeStream()  # the default stream: id 0


def _current_stream(device: Any = None) -> _FakeStream:
    return _STREAMS[_tracking._STREAM_ID[-1]]


@contextlib.contextmanager
def _use_stream(stream: Any):  # type: ignore[no-untyped-def]
    """torch.cuda.stream(s): work (and allocations) inside go to s."""
    _tracking._STREAM_ID.append(getattr(stream, "stream_id", 0))
    try:
        yield
    finally:
        _tracking._STREAM_ID.pop()


def _install_fake_cuda_runtime() -> None:
    """What FSDP2, DTensor and the device mesh ask of the CUDA runtime, answered for device 0."""
    torch.cuda.current_device = lambda: 0
    torch.cuda.set_device = lambda device: None
    torch.cuda.device_count = lambda: 1
    torch.cuda.get_device_capability = lambda device=None: (9, 0)
    torch.cuda.Stream = _FakeStream  # type: ignore[misc,assignment]
    torch.cuda.Event = _FakeEvent  # type: ignore[misc,assignment]
    torch.cuda.current_stream = _current_stream  # type: ignore[assignment]
    torch.cuda.default_stream = lambda device=None: _STREAM  # type: ignore[assignment]
    torch.cuda.stream = _use_stream  # type: ignore[assignment]
    torch.cuda.synchronize = lambda device=None: None


def _own_fake_mode_for_dtensor_propagation() -> None:
    # DTensor computes output shapes by running each op on full-size scratch tensors under the fake
    # mode it detects. If it detects ours, the trackers count that scratch (step 1 came out 3×).
    from torch._subclasses.fake_tensor import FakeTensorMode
    from torch.distributed.tensor import _sharding_prop

    own = FakeTensorMode()
    _sharding_prop.detect_fake_mode = lambda *args, **kwargs: own


def _mesh_tensors_outside_fake_mode() -> None:
    # A device mesh computes its rank tensor on each access; FSDP2 over TP builds a joint
    # (dp, tp) mesh inside fully_shard, where our fake mode would meet that real tensor.
    from torch._subclasses.fake_tensor import unset_fake_temporarily
    from torch.distributed.device_mesh import DeviceMesh

    real_mesh, real_init = DeviceMesh.mesh.fget, DeviceMesh.__init__

    def mesh(self: DeviceMesh) -> torch.Tensor:
        with unset_fake_temporarily():
            return real_mesh(self)

    def init(self: DeviceMesh, *args: Any, **kwargs: Any) -> None:
        with unset_fake_temporarily():
            real_init(self, *args, **kwargs)

    DeviceMesh.mesh = property(mesh)  # type: ignore[method-assign,assignment]
    DeviceMesh.__init__ = init  # type: ignore[method-assign]


def _init_process_group(world: int, fake: bool) -> int:
    if fake:
        from torch.testing._internal.distributed.fake_pg import FakeStore  # registers "fake"

        dist.init_process_group("fake", store=FakeStore(), rank=0, world_size=world)
        return 0
    # A real GPU job: one process per GPU under torchrun (RANK, WORLD_SIZE, LOCAL_RANK, MASTER_*).
    launched = int(os.environ.get("WORLD_SIZE", "1"))
    if launched != world:
        raise RuntimeError(
            f"num_gpus: {world} asked for but WORLD_SIZE is {launched}; run under "
            f"`torchrun --nproc-per-node {world} -m llmem_core.cli measure …`"
        )
    torch.cuda.set_device(int(os.environ.get("LOCAL_RANK", "0")))
    dist.init_process_group("nccl")
    return dist.get_rank()


def _mesh(method: str, world: int, tp: int) -> Any:
    from torch._subclasses.fake_tensor import unset_fake_temporarily
    from torch.distributed.device_mesh import init_device_mesh

    with unset_fake_temporarily():  # the mesh holds real rank tensors
        if method == "dp+tp":
            return init_device_mesh("cuda", (world // tp, tp), mesh_dim_names=("dp", "tp"))
        if method == "cdp":
            return None
        return init_device_mesh("cuda", (world,))


# --- wrapping ----------------------------------------------------------------------------------


def _decoder_layers(model: nn.Module) -> nn.ModuleList:
    count = getattr(model.config, "num_hidden_layers", None)
    lists = [m for m in model.modules() if isinstance(m, nn.ModuleList) and len(m) > 0]
    for candidate in lists:
        if count is None or len(candidate) == count:
            return candidate
    raise RuntimeError("model: no decoder-layer list found to shard")


def _apply_fsdp(
    model: nn.Module,
    layers: nn.ModuleList,
    mesh: Any,
    mp_dtype: torch.dtype | None,
    request: dict[str, Any],
) -> dict[str, Any]:
    from torch.distributed.fsdp import MixedPrecisionPolicy, fully_shard

    kwargs: dict[str, Any] = {
        "mesh": mesh,
        "reshard_after_forward": request["reshard_after_forward"],
    }
    if mp_dtype is not None:
        kwargs["mp_policy"] = MixedPrecisionPolicy(param_dtype=mp_dtype, reduce_dtype=torch.float32)
    if request.get("cpu_offload"):  # sharded parameters, gradients and states in CPU memory
        from torch.distributed.fsdp import CPUOffloadPolicy

        kwargs["offload_policy"] = CPUOffloadPolicy(
            pin_memory=False
        )  # (no pinning without a driver)
    # Global shapes; under dp+tp the parameters are TP DTensors already and FSDP2 shards their
    # local shards along a strided layout, so the per-rank count is reported for adp only.
    shapes = [tuple(p.shape) for p in model.parameters()]
    for layer in layers:
        fully_shard(layer, **kwargs)
    fully_shard(model, **kwargs)
    if request["method"] != "adp":
        return {}
    dp = mesh.size()
    per_rank = [0] * dp
    for shape in shapes:
        rest = 1
        for d in shape[1:]:
            rest *= d
        chunk = -(-shape[0] // dp)  # torch.chunk: the first ranks get ceil, the last may get less
        for r in range(dp):
            per_rank[r] += max(0, min(chunk, shape[0] - r * chunk)) * rest
    return {"dp_rank_sharded_numel": per_rank}


def _apply_tp(model: nn.Module, layers: nn.ModuleList, mesh: Any, tp: int) -> None:
    from torch.distributed.tensor.parallel import (
        ColwiseParallel,
        RowwiseParallel,
        parallelize_module,
    )

    config = model.config
    heads = getattr(config, "num_attention_heads", None)
    kv_heads = getattr(config, "num_key_value_heads", None) or heads
    if heads and (heads % tp or kv_heads % tp):
        raise RuntimeError(
            f"tp: {tp} does not divide the {heads} attention heads / {kv_heads} key-value heads "
            f"of {config.model_type} (a rank would hold part of a head)"
        )
    for layer in layers:
        plan: dict[str, Any] = {}
        for name, module in layer.named_modules():
            leaf = name.rsplit(".", 1)[-1]
            if not isinstance(module, nn.Linear):
                continue
            if leaf in COLWISE:
                plan[name] = ColwiseParallel()
            elif leaf in ROWWISE:
                plan[name] = RowwiseParallel()
        if not plan:
            raise RuntimeError(
                f"tp: no nn.Linear q/k/v/o or MLP projections in {type(layer).__name__} "
                "(GPT-2-style fused Conv1D projections have no stock DTensor plan)"
            )
        parallelize_module(layer, mesh, plan)
        for module in layer.modules():  # modules that count heads themselves (GPT-Neo)
            for attr in ("num_heads", "num_attention_heads"):
                if isinstance(getattr(module, attr, None), int) and hasattr(module, "head_dim"):
                    heads = getattr(module, attr)
                    if heads % tp:
                        raise RuntimeError(f"tp: {tp} does not divide the {heads} attention heads")
                    setattr(module, attr, heads // tp)


class _DoNothingLogger:
    """DDP's logger reads CUDA timers, which the CPU build lacks; logging is memory-neutral."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def __getattr__(self, name: str) -> Any:
        return lambda *args, **kwargs: None


def _apply_ddp(model: nn.Module, fake: bool) -> tuple[nn.Module, list[torch.Tensor]]:
    from torch.nn.parallel import DistributedDataParallel
    from torch.utils._python_dispatch import TorchDispatchMode

    class _Capture(TorchDispatchMode):
        """The reducer's bucket buffers, allocated in C++ before any tracker starts."""

        def __init__(self) -> None:
            super().__init__()
            self.made: list[torch.Tensor] = []

        def __torch_dispatch__(self, func, types, args=(), kwargs=None):  # type: ignore[no-untyped-def]
            out = func(*args, **(kwargs or {}))
            if func in (torch.ops.aten.empty.memory_format, torch.ops.aten.zeros.default):
                self.made.append(out)
            return out

    capture = _Capture()
    with capture:
        ddp = (
            DistributedDataParallel(model, init_sync=False)
            if fake
            else DistributedDataParallel(model)
        )
    if fake:
        ddp.register_comm_hook(None, _allreduce_hook)
        ddp.reducer = _NoRebuildReducer(ddp.reducer)  # type: ignore[assignment]
        ddp.logger = _DoNothingLogger()  # type: ignore[assignment]
    param_bytes = sum(p.numel() * p.element_size() for p in model.parameters() if p.requires_grad)
    buckets = [t for t in capture.made if t.dim() == 1 and t.numel() > 0]
    if sum(b.numel() * b.element_size() for b in buckets) != param_bytes:
        raise RuntimeError(
            f"DDP buckets: captured {[tuple(b.shape) for b in buckets]}, "
            f"expected {param_bytes} bytes (one gradient per parameter)"
        )
    return ddp, buckets


class _NoRebuildReducer:
    """DDP's reducer, minus the first-iteration bucket rebuild (it syncs bucket indices across
    ranks, which the fake group cannot answer). Memory-neutral: torch 2.13 starts with one bucket
    of all parameters, and the rebuild only reorders them."""

    def __init__(self, reducer: Any) -> None:
        self._reducer = reducer

    def __getattr__(self, name: str) -> Any:
        return getattr(self._reducer, name)

    def _rebuild_buckets(self) -> bool:
        return False


def _allreduce_hook(state, bucket):  # type: ignore[no-untyped-def]
    # DDP's default hook, except that it returns a completed future: the fake work's holds None.
    # (No annotations: DDP checks them against the real classes, and these would be strings.)
    tensor = bucket.buffer()
    tensor.div_(dist.get_world_size())
    dist.all_reduce(tensor)
    future: torch.futures.Future[torch.Tensor] = torch.futures.Future()
    future.set_result(tensor)
    return future


def _unwrap(model: nn.Module) -> nn.Module:
    return getattr(model, "module", model)


def _local(tensor: torch.Tensor) -> torch.Tensor:
    from torch.distributed.tensor import DTensor

    return tensor.to_local() if isinstance(tensor, DTensor) else tensor


def _build_optimizer(
    model: nn.Module, name: str, zero_redundancy: bool = False
) -> torch.optim.Optimizer:
    # foreach/fused AdamW refuse a mix of DTensors and plain tensors: separate groups, as users do.
    from torch.distributed.tensor import DTensor

    flag = {"adamw-foreach": "foreach", "adamw-fused": "fused"}[name]
    params = [p for p in model.parameters() if p.requires_grad]
    if zero_redundancy:  # PyTorch's ZeRO-1: each rank steps (and keeps states of) its share
        from torch.distributed.optim import ZeroRedundancyOptimizer

        return ZeroRedundancyOptimizer(
            params, optimizer_class=torch.optim.AdamW, lr=1e-5, **{flag: True}
        )
    groups = [
        {"params": [p for p in params if isinstance(p, DTensor)]},
        {"params": [p for p in params if not isinstance(p, DTensor)]},
    ]
    return torch.optim.AdamW([g for g in groups if g["params"]], lr=1e-5, **{flag: True})


# --- tracking ----------------------------------------------------------------------------------


def _fsdp_tracker_class() -> type:
    from torch.distributed._tools.fsdp2_mem_tracker import FSDPMemTracker

    class FastFSDPMemTracker(TraceMixin, FSDPMemTracker):
        # Same device-wide peak, no per-module peaks (see GlobalPeakTracker).
        _update_peak_stats = GlobalPeakTracker._update_peak_stats

    return FastFSDPMemTracker


def _train(
    model: nn.Module,
    optimizer: torch.optim.Optimizer,
    ids: torch.Tensor,
    autocast_dtype: torch.dtype | None,
    steps: int,
    method: str,
    buckets: list[torch.Tensor],
    fake: bool,
    trace: bool = False,
) -> tuple[PhaseLog, dict[str, Any], list[list[Any]] | None]:
    if method in FSDP_METHODS:
        tracker = _fsdp_tracker_class()(model, optimizer)
        if trace:
            tracker.start_trace()
            _trace_collectives(tracker)
        tracker.track_inputs((ids,))
    else:
        tracker = GlobalPeakTracker()
        if trace:
            tracker.start_trace()
        tracker.track_external(model, optimizer, ids, *buckets)
    log = PhaseLog()
    cuda_meter = None if fake else _session._CudaMeter()  # real GPUs: the allocator's own figures
    with tracker:
        for step in range(1, steps + 1):
            tracker.reset_mod_stats()
            record = _session._phase_recorder(tracker, log, step, cuda_meter)
            with record("forward"), _session._autocast(autocast_dtype):
                loss = model(input_ids=ids, labels=ids).loss
            with record("backward"):
                if fake:
                    loss.register_hook(_session._lift_cpu_tensors_in_backward_thread)
                loss.backward()
                del loss
            with record("optimizer"):
                optimizer.step()
                optimizer.zero_grad(set_to_none=True)
            if cuda_meter and step == 1:
                cuda_meter.start_steady()
    return log, cuda_meter.report() if cuda_meter else {}, tracker.trace


def _trace_collectives(tracker: TraceMixin) -> None:
    """Mark in the trace each collective FSDP2 issues, with the tensors it uses
    (torch/distributed/fsdp/_fully_shard/_fsdp_collectives.py: DefaultAllGather and
    DefaultReduceScatter call dist.all_gather_single / dist.reduce_scatter_single; HSDP's
    all-reduce is dist.all_reduce)."""

    def wrap(real: Any, names: tuple[str, ...]) -> Any:
        def issue(*args: Any, **kwargs: Any) -> Any:
            given = list(args[: len(names)]) + [kwargs[n] for n in names if n in kwargs]
            tracker.record_collective([t for t in given if isinstance(t, torch.Tensor)])
            return real(*args, **kwargs)

        return issue

    dist.all_gather_single = wrap(dist.all_gather_single, ("output_tensor", "input_tensor"))
    dist.reduce_scatter_single = wrap(dist.reduce_scatter_single, ("output", "input"))
    dist.all_reduce = wrap(dist.all_reduce, ("tensor",))


def _rename_categories(log: PhaseLog, bucket_bytes: int) -> None:
    for peak in log.peaks:
        renamed: dict[str, int] = {}
        for key, value in peak.breakdown.items():
            name = CATEGORY_NAMES.get(key, key)
            renamed[name] = renamed.get(name, 0) + value
        if bucket_bytes:  # tracked as "Other" together with the input ids
            renamed["input"] -= bucket_bytes
            renamed["ddp_bucket"] = bucket_bytes
        peak.breakdown = renamed
    assert {p.phase for p in log.peaks} == set(PHASES)


def _split_optimizer_temporaries(log: PhaseLog, optimizer: torch.optim.Optimizer) -> None:
    """As ``_tracking.split_optimizer_temporaries``, counting a DTensor state by its local shard."""
    storages = {}
    inner = getattr(optimizer, "optim", optimizer)  # ZeroRedundancyOptimizer: the local one
    for state in inner.state.values():
        for value in state.values():
            if isinstance(value, torch.Tensor):
                local = _local(value)
                if local.device.type == "cuda":
                    storage = local.untyped_storage()
                    storages[id(storage)] = storage.nbytes()
    persistent = sum(_rounded(n) for n in storages.values())
    for peak in log.peaks:
        at_peak = peak.breakdown.get("optimizer_state", 0)
        peak.breakdown["optimizer_state"] = min(at_peak, persistent)
        peak.breakdown["optimizer_temp"] = at_peak - min(at_peak, persistent)
