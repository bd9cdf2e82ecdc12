"""How a plan's GPUs talk to each other: one node or several, over a switched fabric or PCIe.

The communication penalty c of a method (inputs.HEURISTIC_COMM_PENALTY) is stated for GPUs in
one node joined by a switched fabric (NVLink/NVSwitch, AMD Infinity Fabric, Gaudi's on-chip
RoCE). Two things make exposed communication longer, and each multiplies c (capped at
MAX_COMM_PENALTY), both heuristics and inputs (CostAssumptions):

- PCIe instead of a fabric: PCIe Gen4 x16 moves 64 GB/s against NVLink 3's 600 GB/s and
  NVLink 4's 900 GB/s (NVIDIA A100/H100 datasheets, the catalog's `interconnect` column), so
  less of the all-reduce hides behind compute: c × pcie_comm_factor.
- More than one node (more than NODE_SIZE GPUs): collectives cross the data-centre network
  (400 Gb/s InfiniBand NDR = 50 GB/s per GPU, NVIDIA ConnectX-7 datasheet): c ×
  multi_node_comm_factor.

The link of each catalog GPU is read from presets/gpus.json's `interconnect` column once, by
hand, into GPU_LINKS below; tests/test_cost_interconnect.py checks the two agree.
"""

from __future__ import annotations

import math
from enum import StrEnum
from typing import NamedTuple

from llmem_core.plan import NODE_SIZE


class Link(StrEnum):
    """How GPUs inside one node are joined."""

    FABRIC = "fabric"  # every GPU to every GPU at full speed: NVSwitch, Infinity Fabric, RoCE
    BRIDGE = "bridge"  # an NVLink bridge joins pairs; beyond 2 GPUs traffic crosses PCIe
    PCIE = "pcie"  # PCIe only


GPU_LINKS: dict[str, Link] = {
    "v100-16gb": Link.FABRIC,  # NVLink 2.0 300 GB/s (SXM2)
    "v100-32gb": Link.FABRIC,
    "t4-16gb": Link.PCIE,  # "PCIe Gen3 x16; no NVLink"
    "a10-24gb": Link.PCIE,
    "a10g-24gb": Link.PCIE,
    "l4-24gb": Link.PCIE,
    "l40s-48gb": Link.PCIE,
    "a100-pcie-40gb": Link.BRIDGE,  # "optional NVLink bridge 600 GB/s (2 GPUs)"
    "a100-40gb": Link.FABRIC,  # NVLink 3 600 GB/s
    "a100-pcie-80gb": Link.BRIDGE,
    "a100-80gb": Link.FABRIC,
    "h100-pcie-80gb": Link.BRIDGE,  # "NVLink bridge 600 GB/s (pairs)"
    "h100-80gb": Link.FABRIC,  # NVLink 4 900 GB/s
    "h100-nvl-94gb": Link.BRIDGE,
    "h200-141gb": Link.FABRIC,
    "b200-180gb": Link.FABRIC,  # NVLink 5 1.8 TB/s
    "gh200-96gb": Link.FABRIC,  # NVLink 4 to other GPUs (NVL32 systems)
    "rtx3090-24gb": Link.BRIDGE,  # "NVLink bridge (2-way)"
    "rtx4090-24gb": Link.PCIE,
    "rtx5090-32gb": Link.PCIE,
    "rtx-a6000-48gb": Link.BRIDGE,
    "rtx6000-ada-48gb": Link.PCIE,
    "mi300x-192gb": Link.FABRIC,  # Infinity Fabric 7 links, 896 GB/s aggregate
    "mi325x-256gb": Link.FABRIC,
    "gaudi2-96gb": Link.FABRIC,  # 24× 100GbE RoCE on-chip
    "gaudi3-128gb": Link.FABRIC,
}
BRIDGED_GPUS = 2  # an NVLink bridge joins two GPUs


def link_of(gpu_key: str) -> Link:
    """A catalog GPU's link; a GPU not in the table is taken as PCIe (the slower case)."""
    return GPU_LINKS.get(gpu_key, Link.PCIE)


def over_fabric(gpu_key: str, num_gpus: int) -> bool:
    """Whether every GPU of the plan's node reaches every other over a fabric."""
    link = link_of(gpu_key)
    return link == Link.FABRIC or (link == Link.BRIDGE and num_gpus <= BRIDGED_GPUS)


def nodes(num_gpus: int) -> int:
    """Servers the plan needs: NODE_SIZE GPUs each (plan.rentable_counts's whole nodes)."""
    return math.ceil(num_gpus / NODE_SIZE)


class Topology(NamedTuple):
    """What the communication penalty of a plan depends on (CostAssumptions.comm)."""

    fabric: bool = True  # over_fabric
    nodes: int = 1


ONE_NODE_FABRIC = Topology()  # where the stated penalties hold


def topology(gpu_key: str, num_gpus: int) -> Topology:
    return Topology(over_fabric(gpu_key, num_gpus), nodes(num_gpus))
