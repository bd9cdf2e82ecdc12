"""llmem_core: estimate GPU memory for fine-tuning LLMs, choose the distribution method.

The public surface:
    estimate(request) -> Estimate        peak per GPU, breakdown, phase, terms
    plan(request) -> Plan                Algorithm 1: largest batch per method, the choice
    max_batch_size(request) -> int       largest batch for the request's method
    gpus_needed(request) -> (n, Plan)    smallest GPU count for the request's batch
    load_models(), load_gpus()           the presets
"""

from llmem_core.errors import InputError
from llmem_core.estimate import available_profiles, breakdown, estimate, peak_bytes
from llmem_core.models import (
    Architecture,
    Breakdown,
    Cluster,
    Estimate,
    Gpu,
    Method,
    MethodKind,
    Optimizer,
    Phase,
    Plan,
    Precision,
    ProfileName,
    Request,
    Runtime,
    Training,
)
from llmem_core.plan import gpus_needed, max_batch_size, plan
from llmem_core.presets import find_gpu, find_model, load_gpus, load_models, resolve_model

__all__ = [
    "Architecture",
    "Breakdown",
    "Cluster",
    "Estimate",
    "Gpu",
    "InputError",
    "Method",
    "MethodKind",
    "Optimizer",
    "Phase",
    "Plan",
    "Precision",
    "ProfileName",
    "Request",
    "Runtime",
    "Training",
    "available_profiles",
    "breakdown",
    "estimate",
    "find_gpu",
    "find_model",
    "gpus_needed",
    "load_gpus",
    "load_models",
    "max_batch_size",
    "peak_bytes",
    "plan",
    "resolve_model",
]
