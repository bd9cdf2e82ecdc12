"""Build the model and optimizer on the target device and run the training steps (worker only)."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable
from typing import Any

import torch

from llmem_core.measure import _fake_cuda, _moe, _tracking
from llmem_core.measure._tracking import (
    PHASES,
    GlobalPeakTracker,
    PhaseLog,
    PhasePeak,
    read_peak,
    reset_peak,
    split_optimizer_temporaries,
)

# precision → (dtype of parameters and optimizer states, autocast dtype or None)
PRECISION_DTYPES: dict[str, tuple[torch.dtype, torch.dtype | None]] = {
    "fp32": (torch.float32, None),
    "amp-bf16": (torch.float32, torch.bfloat16),
    "amp-fp16": (torch.float32, torch.float16),
    "bf16": (torch.bfloat16, None),
}


def run(spec: dict[str, Any], fake: bool) -> dict[str, Any]:
    request = spec["request"]
    param_dtype, autocast_dtype = PRECISION_DTYPES[request["precision"]]
    torch.manual_seed(0)
    if fake:
        _fake_cuda.install()
    else:
        _tracking._REAL_GPU[0] = True
    started = time.perf_counter()
    with _device_context(fake):
        model = _build_model(spec, param_dtype, request["grad_checkpointing"], fake)
        model = _finetune(model, spec)
        optimizer = _build_optimizer(model, request["optimizer"])
        ids = torch.randint(0, model.config.vocab_size, (request["batch_size"], request["seq_len"]))
        scaler = _grad_scaler(request["precision"], fake)
        forward = _forward(model, request)
        log, cuda_stats, trace = _train(
            model,
            optimizer,
            ids,
            autocast_dtype,
            request["steps"],
            scaler,
            request.get("trace"),
            forward,
        )
    result = _summarise(log, request["steps"])
    if trace is not None:
        result["allocation_trace"] = trace
    result.update(
        params=sum(p.numel() for p in model.parameters()),
        trainable_params=sum(p.numel() for p in model.parameters() if p.requires_grad),
        attention_impl=_attention_impl(model),
        grad_scaler=scaler is not None,
        wall_seconds=round(time.perf_counter() - started, 2),
        **cuda_stats,
    )
    return result


@contextlib.contextmanager
def _device_context(fake: bool):  # type: ignore[no-untyped-def]
    with contextlib.ExitStack() as stack:
        if fake:
            from torch._subclasses.fake_tensor import FakeTensorMode

            stack.enter_context(FakeTensorMode())
        stack.enter_context(torch.device("cuda"))
        yield


def _build_model(
    spec: dict[str, Any], dtype: torch.dtype, checkpointing: bool, fake: bool
) -> torch.nn.Module:
    from transformers import AutoConfig, AutoModelForCausalLM

    config_dict = dict(spec["config"])
    config = AutoConfig.for_model(config_dict.pop("model_type"), **config_dict)
    config.use_cache = False
    # Built directly in the target dtype: a fake model cannot be converted afterwards.
    kwargs: dict[str, Any] = {"dtype": dtype}
    if spec["attention_impl_default"]:
        kwargs["attn_implementation"] = spec["attention_impl_default"]
    kwargs |= _moe.build_kwargs(config, dtype, fake)
    model = AutoModelForCausalLM.from_config(config, **kwargs)
    if checkpointing:
        model.activation_checkpointing_enable(
            activation_checkpointing_kwargs={"use_reentrant": False, "preserve_rng_state": False}
        )
        _selective(model, spec["request"])
    return model.train()  # dropout as in the config


def _selective(model: torch.nn.Module, request: dict[str, Any]) -> None:
    """Selective checkpointing by layer, as torchtitan's `selective` with an int frequency
    (torchtitan/models/llama3/infra/parallelize.py `_apply_ac_to_transformer_block`): layer i
    is checkpointed when i % k == 0; the others keep all their activations."""
    if request.get("checkpointing") != "selective":
        return
    every = request["checkpoint_every"]
    layers = [m for m in model.modules() if hasattr(m, "gradient_checkpointing")]
    for i, layer in enumerate(layers):
        layer.gradient_checkpointing = i % every == 0


def _finetune(model: torch.nn.Module, spec: dict[str, Any]) -> torch.nn.Module:
    """LoRA through peft (frozen base in its dtype, adapters upcast to fp32 as peft's
    `autocast_adapter_dtype=True` does); with checkpointing, the embedding's output is made to
    require grad (`enable_input_require_grads`, what transformers' Trainer does for peft)."""
    request = spec["request"]
    if request.get("finetune", "full") == "full":
        return model
    from peft import LoraConfig, get_peft_model

    from llmem_core.adapters import peft_target_modules
    from llmem_core.models import Family

    family = Family(spec["config"]["model_type"])
    config = LoraConfig(
        r=request["lora_rank"],
        lora_alpha=request["lora_alpha"],
        lora_dropout=request["lora_dropout"],
        target_modules=peft_target_modules(family, request["lora_targets"]),
        task_type="CAUSAL_LM",
    )
    if request["grad_checkpointing"]:
        model.enable_input_require_grads()
    with _adapters_made_in_place():
        return get_peft_model(model, config).train()


@contextlib.contextmanager
def _adapters_made_in_place():  # type: ignore[no-untyped-def]
    """peft makes each adapter in torch's default dtype (fp32) on the current device, then
    moves it to the base layer's device and dtype; `autocast_adapter_dtype=True` (its
    default) then casts 16-bit adapters back to fp32, and each new module is moved to the
    device it is already on. Converting a fake tensor fails (even to where it is), and every
    round trip ends where it started (fp32 adapters on the device): skip the moves."""
    from peft.tuners.tuners_utils import BaseTunerLayer

    moves = (BaseTunerLayer._move_adapter_to_device_of_base_layer, torch.nn.Module.to)
    BaseTunerLayer._move_adapter_to_device_of_base_layer = lambda self, *a, **k: None
    torch.nn.Module.to = lambda self, *a, **k: self  # type: ignore[method-assign]
    try:
        yield
    finally:
        BaseTunerLayer._move_adapter_to_device_of_base_layer, torch.nn.Module.to = moves


def _build_optimizer(model: torch.nn.Module, name: str) -> torch.optim.Optimizer:
    # Explicit: on fake tensors the default would pick the for-loop implementation.
    params = [p for p in model.parameters() if p.requires_grad]
    if name == "sgd":  # torch.optim.SGD with momentum: one momentum buffer per parameter
        return torch.optim.SGD(params, lr=1e-5, momentum=0.9, foreach=True)
    if name == "adafactor":  # torch.optim.Adafactor (torch ≥ 2.5): factored second moment
        return torch.optim.Adafactor(params, lr=1e-2, foreach=True)
    flag = {"adamw-foreach": "foreach", "adamw-fused": "fused"}[name]
    return torch.optim.AdamW(params, lr=1e-5, **{flag: True})


def _forward(model: torch.nn.Module, request: dict[str, Any]) -> Callable[[torch.Tensor], Any]:
    """The loss of one micro-batch: transformers' own, or torchtune's chunked cross-entropy
    (torchtune/modules/loss/ce_chunked_output_loss.py `CEWithChunkedOutputLoss`, with the
    output projection per chunk as torchtune's TransformerDecoder does with
    `num_output_chunks`): each chunk's logits are projected, upcast to fp32 and reduced."""
    if request.get("loss", "standard") == "standard":
        return lambda ids: model(input_ids=ids, labels=ids).loss
    chunks = request["loss_chunks"]

    def chunked(ids: torch.Tensor) -> torch.Tensor:
        # The lm_head's weight is applied as a function per chunk: MemTracker refuses a module
        # that runs twice in one iteration (the same memory as calling the module).
        causal = model.get_base_model() if hasattr(model, "get_base_model") else model
        head = causal.get_output_embeddings()
        hidden = causal.base_model(input_ids=ids).last_hidden_state
        labels = torch.nn.functional.pad(ids[:, 1:], (0, 1), value=-100)  # shifted, as HF
        total = hidden.new_zeros((), dtype=torch.float32)
        for h, y in zip(hidden.chunk(chunks, dim=1), labels.chunk(chunks, dim=1), strict=True):
            logits = torch.nn.functional.linear(h, head.weight, head.bias).float()
            total = total + torch.nn.functional.cross_entropy(
                logits.reshape(-1, logits.shape[-1]), y.reshape(-1), reduction="sum"
            )
        return total / (labels != -100).sum()

    return chunked


def _grad_scaler(precision: str, fake: bool) -> Any:
    # fp16 training on a GPU uses a GradScaler (two scalars of memory). Its constructor refuses a
    # device without a driver, so the fake run goes without; that changes a few bytes at most.
    if precision != "amp-fp16" or fake:
        return None
    return torch.amp.GradScaler("cuda")


def _train(
    model: torch.nn.Module,
    optimizer: torch.optim.Optimizer,
    ids: torch.Tensor,
    autocast_dtype: torch.dtype | None,
    steps: int,
    scaler: Any,
    trace: bool = False,
    forward: Callable[[torch.Tensor], Any] | None = None,
) -> tuple[PhaseLog, dict[str, Any], list[list[Any]] | None]:
    forward = forward or (lambda x: model(input_ids=x, labels=x).loss)
    tracker = GlobalPeakTracker()
    if trace:
        tracker.start_trace()
    tracker.track_external(model, optimizer, ids)
    log = PhaseLog()
    real_gpu = not isinstance(ids, torch._subclasses.FakeTensor)
    cuda_meter = _CudaMeter() if real_gpu else None
    with tracker:
        for step in range(1, steps + 1):
            tracker.reset_mod_stats()  # MemTracker refuses a second root forward otherwise
            record = _phase_recorder(tracker, log, step, cuda_meter)
            with record("forward"), _autocast(autocast_dtype):
                loss = forward(ids)  # outputs (logits) dropped at once
            with record("backward"):
                if not real_gpu:
                    loss.register_hook(_lift_cpu_tensors_in_backward_thread)
                (scaler.scale(loss) if scaler else loss).backward()
                del loss
            with record("optimizer"):
                _optimizer_step(optimizer, scaler)
            if cuda_meter and step == 1:
                cuda_meter.start_steady()
    split_optimizer_temporaries(log, optimizer)
    return log, cuda_meter.report() if cuda_meter else {}, tracker.trace


def _lift_cpu_tensors_in_backward_thread(grad: torch.Tensor) -> None:
    # Backward of "cuda" tensors runs on the autograd engine's CUDA device thread. FakeTensorMode's
    # "only lift CPU tensors" switch is thread-local and set only in this thread, so
    # `torch.tensor(x, device="cuda")` inside a checkpoint recomputation (GPT-Neo's attention
    # does that) would reach the missing CUDA kernels. This hook runs first on that thread.
    torch._C._set_only_lift_cpu_tensors(True)


def _optimizer_step(optimizer: torch.optim.Optimizer, scaler: Any) -> None:
    if scaler:
        scaler.step(optimizer)
        scaler.update()
    else:
        with _scalars_of_fake_tensors(optimizer):
            optimizer.step()
    optimizer.zero_grad(set_to_none=True)


@contextlib.contextmanager
def _scalars_of_fake_tensors(optimizer: torch.optim.Optimizer):  # type: ignore[no-untyped-def]
    """Adafactor reads each parameter's norm as a Python number (`p.norm(2).item()`, its
    relative step size); a fake tensor has no value. The number only scales the update, so on
    the fake device it reads 1.0 (memory unchanged: the norm's scalar is still allocated)."""
    if not isinstance(optimizer, torch.optim.Adafactor):
        yield
        return
    from torch._subclasses.fake_tensor import FakeTensor
    from torch.overrides import TorchFunctionMode

    class _Items(TorchFunctionMode):
        def __torch_function__(self, func, types, args=(), kwargs=None):  # type: ignore[no-untyped-def]
            if func is torch.Tensor.item and isinstance(args[0], FakeTensor):
                return 1.0
            return func(*args, **(kwargs or {}))

    with _Items():
        yield


def _autocast(dtype: torch.dtype | None) -> contextlib.AbstractContextManager[None]:
    return torch.autocast("cuda", dtype=dtype) if dtype else contextlib.nullcontext()


def _phase_recorder(
    tracker: GlobalPeakTracker, log: PhaseLog, step: int, cuda_meter: _CudaMeter | None
) -> Callable[[str], contextlib.AbstractContextManager[None]]:
    @contextlib.contextmanager
    def record(phase: str):  # type: ignore[no-untyped-def]
        reset_peak(tracker)
        tracker.mark_phase(f"{step}:{phase}")
        if cuda_meter:
            cuda_meter.start_phase()
        yield
        peak = read_peak(tracker, phase, step)
        if cuda_meter:
            peak.cuda_max_allocated = cuda_meter.phase_peak()
        log.peaks.append(peak)

    return record


class _CudaMeter:
    """The allocator's own figures on a real GPU, per phase and over the steady steps."""

    def __init__(self) -> None:
        self._steady_allocated = 0
        self._steady_reserved = 0
        self._steady_active = 0
        self._nvml_peak = 0

    def start_phase(self) -> None:
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()

    def phase_peak(self) -> int:
        torch.cuda.synchronize()
        allocated = torch.cuda.max_memory_allocated()
        stats = torch.cuda.memory_stats()
        self._steady_allocated = max(self._steady_allocated, allocated)
        self._steady_reserved = max(self._steady_reserved, torch.cuda.max_memory_reserved())
        self._steady_active = max(self._steady_active, stats.get("active_bytes.all.peak", 0))
        # Reserved memory is only returned by empty_cache, so NVML's "used" at the end of a
        # phase holds the phase's peak reserved bytes plus everything outside PyTorch.
        self._nvml_peak = max(self._nvml_peak, _nvml_used().get("nvml_used_bytes") or 0)
        return allocated

    def start_steady(self) -> None:
        self._steady_allocated = 0
        self._steady_reserved = 0
        self._steady_active = 0

    def report(self) -> dict[str, Any]:
        keys = (
            "active_bytes.all.peak",
            "inactive_split_bytes.all.peak",
            "requested_bytes.all.peak",
            "segment.all.peak",
            "num_alloc_retries",
            "num_ooms",
            "num_device_alloc",
        )
        stats = torch.cuda.memory_stats()
        return {
            "max_memory_allocated": self._steady_allocated,
            "max_memory_reserved": self._steady_reserved,
            "max_memory_active": self._steady_active,
            "nvml_used_peak_bytes": self._nvml_peak or None,
            "memory_stats": {k: stats.get(k) for k in keys},
            "allocator_conf": os.environ.get("PYTORCH_CUDA_ALLOC_CONF", ""),
            "gpu": torch.cuda.get_device_name(),
            "gpu_total_bytes": torch.cuda.get_device_properties(0).total_memory,
            "cuda": torch.version.cuda,
            **_nvml_used(),
        }


def _nvml_used() -> dict[str, Any]:
    """Device-level used bytes (includes the CUDA context); the LLMem paper's ground truth."""
    try:
        import pynvml
    except ImportError:
        return {"nvml_used_bytes": None, "nvml_note": "nvidia-ml-py not installed"}
    pynvml.nvmlInit()
    try:
        index = torch.cuda.current_device()
        handle = pynvml.nvmlDeviceGetHandleByIndex(index)
        return {"nvml_used_bytes": int(pynvml.nvmlDeviceGetMemoryInfo(handle).used)}
    finally:
        pynvml.nvmlShutdown()


def _summarise(log: PhaseLog, steps: int) -> dict[str, Any]:
    first, steady = range(1, 2), range(2, steps + 1)
    steady_peak = log.highest(steady)
    summary: dict[str, Any] = {
        "peak_bytes_step1": log.highest(first).total,
        "peak_bytes_steady": steady_peak.total,
        "peak_phase": steady_peak.phase,
        "breakdown": steady_peak.breakdown,
        "phase_peaks": {"step1": _phase_totals(log, first), "steady": _phase_totals(log, steady)},
        "phase_breakdowns": {
            "step1": _phase_breakdowns(log, first),
            "steady": _phase_breakdowns(log, steady),
        },
    }
    if steady_peak.cuda_max_allocated is not None:  # real GPU: the allocator's view per phase
        summary["cuda_phase_peaks"] = {
            name: {p: _phase_max(log, steps, p).cuda_max_allocated for p in PHASES}
            for name, steps in (("step1", first), ("steady", steady))
        }
    return summary


def _phase_totals(log: PhaseLog, steps: range) -> dict[str, int]:
    return {phase: _phase_max(log, steps, phase).total for phase in PHASES}


def _phase_breakdowns(log: PhaseLog, steps: range) -> dict[str, dict[str, int]]:
    return {phase: _phase_max(log, steps, phase).breakdown for phase in PHASES}


def _phase_max(log: PhaseLog, steps: range, phase: str) -> PhasePeak:
    return max(
        (p for p in log.peaks if p.step in steps and p.phase == phase), key=lambda p: p.total
    )


def _attention_impl(model: torch.nn.Module) -> str:
    impl = str(model.config._attn_implementation)
    kernels = ",".join(sorted(_fake_cuda.SDPA_KERNELS))
    return f"{impl}({kernels})" if impl == "sdpa" and kernels else impl
