"""llmem_core: estimate GPU memory for fine-tuning LLMs, choose the distribution method.

The public surface:
    PlanSpec(...).job() / .request()     the user's plan, by the CLI's names → a Job / Request
    Job, Request                         valid by construction; vary them with .with_(…)
    estimate(request) -> Estimate        peak per GPU, breakdown, phase, terms
    prepare(request).peak(batch)         the peak at many batch sizes, fast
    plan(job) -> Plan                    Algorithm 1: largest batch per method, the choice
    max_batch_size(request) -> int       largest batch for the request's method
    gpus_needed(job) -> Plan | None      the plan on the smallest GPU count for the job's batch
    load_models(), load_gpus()           the presets
Bad input anywhere raises InputError(field, message).
"""

from llmem_core.errors import InputError
from llmem_core.estimate import available_profiles, breakdown, estimate, peak_bytes, prepare
from llmem_core.models import (
    Architecture,
    Cluster,
    Gpu,
    Method,
    MethodKind,
    Optimizer,
    Precision,
    ProfileName,
    Runtime,
    Training,
)
from llmem_core.parallelism import Engine, Parallelism
from llmem_core.plan import gpus_needed, max_batch_size, plan
from llmem_core.presets import find_gpu, find_model, load_gpus, load_models, resolve_model
from llmem_core.request import Job, Request
from llmem_core.results import Breakdown, Estimate, MethodPlan, Phase, Plan
from llmem_core.spec import PlanSpec

__all__ = [
    "Architecture",
    "Breakdown",
    "Cluster",
    "Engine",
    "Estimate",
    "Gpu",
    "InputError",
    "Job",
    "Method",
    "MethodKind",
    "MethodPlan",
    "Optimizer",
    "Parallelism",
    "Phase",
    "Plan",
    "PlanSpec",
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
    "prepare",
    "resolve_model",
]
