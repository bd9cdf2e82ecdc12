"""The LLMem paper's own tables (tests/fixtures/paper/) next to the `paper` profile.

Table 2 gives single-GPU peaks (the authors' estimate and the measured figure) at a batch size
the paper does not publish; Table 3 gives, for nine models on 4 × V100-16GB at sequence 512,
which distributed methods ran or ran out of memory and which one LLMem selected. Used by
tests/test_paper_tables.py and bench/bench_paper_tables.py.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, NamedTuple

from llmem_core.estimate import prepare
from llmem_core.models import MethodKind
from llmem_core.plan import largest_batch, plan
from llmem_core.request import Job
from llmem_core.spec import PlanSpec
from llmem_core.units import MiB


class SingleGpuRow(NamedTuple):
    model: str
    paper_name: str
    llmem_mib: int  # the authors' estimate
    dnnmem_mib: int
    measured_mib: int


class SelectionRow(NamedTuple):
    model: str
    paper_name: str
    selected: MethodKind | None  # None: the paper recommends CPU offloading
    ran: dict[MethodKind, bool]  # False: the paper's run ran out of memory
    seconds: dict[MethodKind, int | None]


def load_single_gpu(path: Path) -> tuple[dict[str, Any], list[SingleGpuRow]]:
    data = json.loads(path.read_text())
    return data["setting"], [SingleGpuRow(**row) for row in data["rows"]]


def load_selection(path: Path) -> tuple[dict[str, Any], list[SelectionRow]]:
    data = json.loads(path.read_text())
    columns = {name: MethodKind(kind) for name, kind in data["columns"].items()}
    pick = {
        name: None if kind is None else MethodKind(kind) for name, kind in data["selection"].items()
    }
    rows = []
    for row in data["rows"]:
        cells = {columns[name]: value for name, value in row["seconds"].items()}
        rows.append(
            SelectionRow(
                model=row["model"],
                paper_name=row["paper_name"],
                selected=pick[row["selected"]],
                ran={kind: value != "OOM" for kind, value in cells.items()},
                seconds={kind: None if value == "OOM" else value for kind, value in cells.items()},
            )
        )
    return data["setting"], rows


def job_for(setting: dict[str, Any], model: str, m_base_mib: int | None = None) -> Job:
    return PlanSpec(
        model=model,
        gpu=setting["gpu"],
        num_gpus=setting["num_gpus"],
        seq_len=setting["seq_len"],
        precision=setting["precision"],
        grad_checkpointing=setting["grad_checkpointing"],
        profile="paper",
        cuda_context_mib=m_base_mib,
    ).job()


class SingleGpuResult(NamedTuple):
    row: SingleGpuRow
    batch: int  # the profile's largest batch on the GPU
    peak_mib: float | None  # the profile's peak there


def single_gpu(
    setting: dict[str, Any], row: SingleGpuRow, m_base_mib: int | None = None
) -> SingleGpuResult:
    job = job_for(setting, row.model, m_base_mib)
    req = job.request(plan(job).methods[MethodKind.SINGLE].method)
    prepared = prepare(req)
    batch = largest_batch(prepared, job.cluster.memory_bytes)
    return SingleGpuResult(row, batch, prepared.peak(batch) / MiB if batch else None)


class SelectionResult(NamedTuple):
    row: SelectionRow
    choice: MethodKind | None
    batches: dict[MethodKind, int]  # 0: does not fit batch 1, or cannot run (see applicable)
    applicable: dict[MethodKind, bool]

    def fits(self, kind: MethodKind) -> bool:
        return self.applicable[kind] and self.batches[kind] > 0

    @property
    def agreeing_cells(self) -> int:
        return sum(self.fits(kind) == ran for kind, ran in self.row.ran.items())

    @property
    def same_choice(self) -> bool:
        return self.choice == self.row.selected


def selection(
    setting: dict[str, Any], row: SelectionRow, m_base_mib: int | None = None
) -> SelectionResult:
    result = plan(job_for(setting, row.model, m_base_mib), tp=setting["dp_tp_degree"])
    methods = result.methods.values()
    return SelectionResult(
        row=row,
        choice=result.choice,
        batches={m.kind: m.max_batch_size for m in methods},
        applicable={m.kind: m.applicable for m in methods},
    )


class Agreement(NamedTuple):
    choices: int
    models: int
    cells: int
    cells_total: int


def agreement(results: list[SelectionResult]) -> Agreement:
    return Agreement(
        choices=sum(r.same_choice for r in results),
        models=len(results),
        cells=sum(r.agreeing_cells for r in results),
        cells_total=sum(len(r.row.ran) for r in results),
    )
