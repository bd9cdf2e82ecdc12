"""Live: the allocation trace `measure --trace` records agrees with the tracker it comes from.

Oracle: with expandable segments every block is split to its 512-byte-rounded request, so the
replay's peak allocated bytes per phase must equal MemTracker's own peak of that phase — for
one GPU and for FSDP2 on the fake process group (whose collectives the trace marks).
"""

from __future__ import annotations

import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")

from llmem_core.allocator import AllocatorConfig, replay
from llmem_core.measure.request import MeasureRequest
from llmem_core.measure.runner import measure

CASES = [
    MeasureRequest("facebook/opt-125m", batch_size=1, seq_len=64, precision="amp-bf16",
                   steps=2, trace=True),
    MeasureRequest("facebook/opt-125m", batch_size=1, seq_len=64, precision="bf16", steps=2,
                   method="adp", num_gpus=4, grad_checkpointing=True, trace=True),
]  # fmt: skip


@pytest.mark.slow
@pytest.mark.parametrize("request_", CASES, ids=["single", "fsdp2"])
def test_the_replay_reproduces_the_trackers_peaks(request_: MeasureRequest) -> None:
    result = measure(request_, command="pytest", timeout_s=180)
    events = result["allocation_trace"]
    phases = replay(events, AllocatorConfig(expandable_segments=True)).phases
    for phase, tracked in result["phase_peaks"]["steady"].items():
        assert phases[f"2:{phase}"].allocated == tracked, phase
    if request_.method == "adp":
        streams = {e[3] for e in events if e[0] == "a"}
        assert len(streams) > 1  # FSDP2's all-gather / reduce-scatter streams have their pools
        assert any(e[0] == "k" for e in events)  # its collectives are marked
