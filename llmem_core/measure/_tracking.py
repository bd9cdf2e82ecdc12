"""Per-phase peaks from MemTracker (imported only in the worker).

MemTracker keeps one running peak per context. Resetting that peak to the current usage at each
phase boundary (what ``MemTracker.__enter__`` itself does) yields the peak of every phase; the
whole-step peak is then the largest phase peak, with its category breakdown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import torch
from torch.distributed._tools.mem_tracker import _PYTORCH_MIN_ALLOCATE, _TOTAL_KEY, MemTracker

PHASES = ("forward", "backward", "optimizer")

# MemTracker's category names → llmem's vocabulary. "Other" holds what track_external was given
# directly: the input ids (labels are the same tensor).
CATEGORY_NAMES = {
    "Parameter": "parameter",
    "Buffer": "buffer",
    "Gradient": "gradient",
    "Activation": "activation",
    "Temp": "temp",
    "Optstate": "optimizer_state",
    "Other": "input",
}


@dataclass
class PhasePeak:
    phase: str
    step: int
    total: int
    breakdown: dict[str, int]
    cuda_max_allocated: int | None = None


@dataclass
class PhaseLog:
    peaks: list[PhasePeak] = field(default_factory=list)

    def highest(self, steps: range) -> PhasePeak:
        return max((p for p in self.peaks if p.step in steps), key=lambda p: p.total)


class TraceMixin:
    """Records every storage the tracker sees being allocated or freed, in order, with its size
    and stream: the allocation trace that llmem_core.allocator.trace replays through the
    caching-allocator model (event format documented there). Hooked on `_update_snap`, where
    MemTracker itself counts each storage (ADD at creation, DEL at its weakref callback, SIZE
    at `UntypedStorage.resize_`, which FSDP2 uses to free and re-allocate unsharded
    parameters)."""

    trace: list[list[Any]] | None = None

    def start_trace(self) -> None:
        self.trace = []
        self._trace_ids = 0

    def mark_phase(self, label: str) -> None:
        if self.trace is not None:
            self.trace.append(["p", label])

    def record_collective(self, tensors: list[torch.Tensor]) -> None:
        """A collective is issued on these tensors. ProcessGroupNCCL, by default, calls
        recordStream on its inputs and outputs for its own stream
        (torch/csrc/distributed/c10d/ProcessGroupNCCL.cpp, `collective`; awgu in
        pytorch/torchtitan#735: "By default, ProcessGroupNCCL uses recordStream"), so their
        blocks stay active after the engine frees them until the collective has run. The
        replay decides when it has (llmem_core.allocator.trace, `comm_lag`)."""
        if self.trace is None:
            return
        for tensor in tensors:
            winfo, _ = self._WINFO.get(tensor.untyped_storage(), (None, None))  # type: ignore[attr-defined]
            trace_id = getattr(winfo, "_llmem_trace_id", None)
            if trace_id is not None:
                self.trace.append(["r", trace_id, NCCL_STREAM])
        self.trace.append(["k", NCCL_STREAM])

    def _update_snap(self, u_type: Any, winfo: Any, *args: Any, **kwargs: Any) -> None:
        super()._update_snap(u_type, winfo, *args, **kwargs)  # type: ignore[misc]
        if self.trace is None or str(getattr(winfo.device, "type", winfo.device)) != "cuda":
            return
        kind = getattr(u_type, "name", str(u_type))
        if kind in ("DEL", "SIZE") and getattr(winfo, "_llmem_trace_id", None) is not None:
            self.trace.append(["f", winfo._llmem_trace_id])
            winfo._llmem_trace_id = None
        nbytes = int(winfo.size) * int(winfo.element_size)
        if kind in ("ADD", "SIZE") and nbytes > 0:
            self._trace_ids += 1
            winfo._llmem_trace_id = self._trace_ids
            self.trace.append(["a", self._trace_ids, nbytes, current_stream_id()])


NCCL_STREAM = 1000  # the trace's id for ProcessGroupNCCL's internal stream
_STREAM_ID: list[int] = [0]  # the fake device's current stream (set by _distributed's stand-ins)
_REAL_GPU: list[bool] = [False]  # set by the session on a real GPU


def current_stream_id() -> int:
    """The stream an allocation happens on: a real GPU's current stream, else the fake's."""
    if _REAL_GPU[0]:
        return int(torch.cuda.current_stream().stream_id)
    return _STREAM_ID[-1]


class GlobalPeakTracker(TraceMixin, MemTracker):
    """MemTracker with the same device-wide peak but no per-module peaks, which we never read.

    The stock ``_update_peak_stats`` walks every tracked module after every op; on a 24-layer model
    that is most of the run time.
    """

    def _update_peak_stats(self, peak_state: Any) -> None:
        for dev, snap in self._curr_mem_snap.items():
            if self._peak_mem.get(dev, 0) < snap[_TOTAL_KEY]:
                self._peak_mem[dev] = snap[_TOTAL_KEY]
                self._peak_mem_snap[dev] = dict(snap)  # values are ints: a shallow copy is a copy

    def track_external(self, *external: Any) -> None:
        super().track_external(*external)
        skip_frozen_parameters(self, external)


class _NoHook:
    def remove(self) -> None:
        pass


def skip_frozen_parameters(tracker: MemTracker, external: Any) -> None:
    """MemTracker (torch 2.13) registers a gradient hook on every parameter of a module it
    enters, which raises for a frozen one (LoRA's base). A frozen parameter has no gradient to
    watch: mark it as hooked already (its memory is still counted as a parameter)."""
    for obj in external:
        if isinstance(obj, torch.nn.Module):
            for param in obj.parameters():
                if not param.requires_grad:
                    tracker._param_to_grad_hook_handles[param] = (_NoHook(), _NoHook())


def split_optimizer_temporaries(log: PhaseLog, optimizer: torch.optim.Optimizer) -> None:
    """Separate the optimizer step's temporaries from its persistent state.

    MemTracker files every tensor created inside ``optimizer.step()`` as optimizer state, including
    the foreach/fused scratch tensors; the persistent part is what ``optimizer.state`` holds after
    the step (constant from step 1 on). The excess at a peak is reported as ``optimizer_temp``.
    """
    persistent = _state_bytes(optimizer)
    for peak in log.peaks:
        at_peak = peak.breakdown.get("optimizer_state", 0)
        peak.breakdown["optimizer_state"] = min(at_peak, persistent)
        peak.breakdown["optimizer_temp"] = at_peak - min(at_peak, persistent)


def _state_bytes(optimizer: torch.optim.Optimizer) -> int:
    storages = {}
    for state in optimizer.state.values():
        for value in state.values():
            # CPU `step` counters (foreach) are not on the device; MemTracker counts them apart.
            if isinstance(value, torch.Tensor) and value.device.type == "cuda":
                storage = value.untyped_storage()
                storages[id(storage)] = storage.nbytes()
    return sum(_rounded(nbytes) for nbytes in storages.values())


def _rounded(nbytes: int) -> int:
    # MemTracker counts CUDA storages in the caching allocator's 512-byte blocks.
    return -(-nbytes // _PYTORCH_MIN_ALLOCATE) * _PYTORCH_MIN_ALLOCATE


def reset_peak(tracker: MemTracker) -> None:
    """Start a new peak window at the current usage (same as ``MemTracker.__enter__``)."""
    tracker._peak_mem_snap = tracker.get_tracker_snapshot("current")
    tracker._peak_mem = {dev: snap[_TOTAL_KEY] for dev, snap in tracker._peak_mem_snap.items()}


def read_peak(tracker: MemTracker, phase: str, step: int) -> PhasePeak:
    snapshot = _single_device(tracker.get_tracker_snapshot("peak"))
    breakdown = {
        CATEGORY_NAMES.get(str(getattr(key, "value", key)), str(key)): int(value)
        for key, value in snapshot.items()
        if key != _TOTAL_KEY
    }
    return PhasePeak(phase, step, int(snapshot.get(_TOTAL_KEY, 0)), breakdown)


def _single_device(snapshot: dict[torch.device, dict[Any, int]]) -> dict[Any, int]:
    # Everything lives on one device; the CPU entry can only hold zero-sized bookkeeping tensors.
    cuda = [snap for dev, snap in snapshot.items() if torch.device(dev).type == "cuda"]
    if len(cuda) > 1:
        raise RuntimeError(f"expected one CUDA device in the tracker, found {list(snapshot)}")
    return cuda[0] if cuda else {}
