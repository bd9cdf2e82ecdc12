"""Generate the issue-#12 references under tests/fixtures/reference/features/ (fake CUDA device).

One stage per feature the harness can run: LoRA through peft (one GPU, and under DDP and FSDP2),
torch's Adafactor and SGD, selective (every k-th layer) checkpointing, torchtune-style chunked
cross-entropy, FSDP2 variants (no resharding after forward, CPUOffloadPolicy), PyTorch's ZeRO-1
(ZeroRedundancyOptimizer), and long
sequences (8k-32k). Each case runs ``python -m llmem_core.cli measure … --json`` in its own
process (at most 2 at a time) and appends the JSON line to ``<stage>.jsonl``. Resumable: a case
already in its file is skipped; failures go to ``failures.jsonl``.

    python scripts/make_feature_fixtures.py --stage lora optim selective chunked --jobs 2
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import make_fixtures  # beside this script: the shared single-measurement runner

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "fixtures" / "reference" / "features"

SMALL = ("facebook/opt-125m", "openai-community/gpt2", "Qwen/Qwen2-0.5B", "meta-llama/Llama-3.2-1B")
Case = tuple[tuple[str, str], ...]  # (flag, value) pairs after the model; "" = a bare flag


def _case(model: str, batch: int, seq: int, precision: str, **flags: Any) -> Case:
    pairs = [("--model", model), ("--batch-size", str(batch)), ("--seq-len", str(seq)),
             ("--precision", precision)]  # fmt: skip
    for name, value in flags.items():
        flag = "--" + name.replace("_", "-")
        pairs.append((flag, "" if value is True else str(value)))
    return tuple(pairs)


def _lora() -> list[Case]:
    # Four architectures × (precision, checkpointing, targets) in pairs that cover each value.
    shapes = (("amp-bf16", "off", "attn"), ("amp-bf16", "full", "attn"),
              ("bf16", "off", "all-linear"), ("bf16", "full", "all-linear"))  # fmt: skip
    cases = [
        _case(m, 4, 512, p, finetune="lora", lora_targets=t, checkpointing=c)
        for m in SMALL
        for p, c, t in shapes
    ]
    for model in ("facebook/opt-125m", "meta-llama/Llama-3.2-1B"):
        cases += [
            _case(model, 4, 512, "amp-bf16", finetune="lora", lora_rank=64, checkpointing="off"),
            _case(model, 4, 512, "amp-bf16", finetune="lora", lora_dropout=0.1,
                  checkpointing="off"),
            _case(model, 4, 512, "fp32", finetune="lora", checkpointing="off"),
            _case(model, 1, 512, "amp-bf16", finetune="lora", lora_targets="q_proj,v_proj",
                  checkpointing="full"),
        ]  # fmt: skip
    return cases


def _lora_dist() -> list[Case]:
    cases = [
        _case(m, 4, 512, "amp-bf16", finetune="lora", lora_rank=64, method=method, num_gpus=4,
              checkpointing="full")
        for m in ("facebook/opt-125m", "meta-llama/Llama-3.2-1B")
        for method in ("cdp", "adp")
    ]  # fmt: skip
    return [
        *cases,
        _case("Qwen/Qwen2-0.5B", 1, 512, "amp-bf16", finetune="lora", method="adp", num_gpus=2,
              checkpointing="off"),
    ]  # fmt: skip


def _optim() -> list[Case]:
    return [
        _case(m, b, 512, p, optimizer=o, checkpointing="full")
        for m in SMALL
        for o in ("adafactor", "sgd")
        for p, b in (("amp-bf16", 8), ("bf16", 1))
    ]


def _selective() -> list[Case]:
    return [
        _case(m, 4, 512, p, checkpointing="selective", checkpoint_every=k)
        for m in SMALL
        for p, k in (("amp-bf16", 2), ("bf16", 3))
    ]


def _chunked() -> list[Case]:
    return [
        _case(m, 4, 512, p, loss="chunked", loss_chunks=8, checkpointing=c)
        for m in SMALL
        for p, c in (("amp-bf16", "off"), ("bf16", "full"))
    ]


def _fsdp() -> list[Case]:
    base = {"method": "adp", "num_gpus": 4}
    return [
        _case(m, 8, 512, "amp-bf16", **base, **extra)
        for m in ("facebook/opt-125m", "meta-llama/Llama-3.2-1B")
        for extra in ({"no_reshard_after_forward": True}, {"cpu_offload": True})
    ]


def _long() -> list[Case]:
    model = "meta-llama/Llama-3.2-1B"
    cases = []
    for seq in (8192, 16384, 32768):
        cases.append(_case(model, 1, seq, "bf16", checkpointing="full"))
        cases.append(_case(model, 1, seq, "bf16", checkpointing="full", finetune="lora"))
        cases.append(_case(model, 1, seq, "bf16", checkpointing="full", loss="chunked"))
    return cases


def _zero1_torch() -> list[Case]:
    """PyTorch's ZeRO-1 (DDP + ZeroRedundancyOptimizer): what DeepSpeed's ZeRO-1 partitions
    (the optimizer states), in the engine that runs here."""
    cases = [
        _case(m, 8, 512, "amp-bf16", method="cdp", num_gpus=n, zero_redundancy=True,
              checkpointing="off")
        for m in ("facebook/opt-125m", "Qwen/Qwen2-0.5B", "meta-llama/Llama-3.2-1B")
        for n in (2, 8)
    ]  # fmt: skip
    return [*cases, _case("meta-llama/Llama-3.2-1B", 1, 512, "amp-bf16", method="cdp",
                          num_gpus=4, zero_redundancy=True, checkpointing="full")]  # fmt: skip


STAGES = {
    "lora": _lora,
    "lora-dist": _lora_dist,
    "optim": _optim,
    "selective": _selective,
    "chunked": _chunked,
    "fsdp": _fsdp,
    "long": _long,
    "zero1-torch": _zero1_torch,
}


def argv_of(case: Case) -> list[str]:
    argv = [x for flag, value in case for x in ((flag, value) if value else (flag,))]
    return [*argv, "--device", "fake-cuda", "--json"]


def case_of(record: dict[str, Any]) -> Case:
    return tuple(tuple(pair) for pair in record["case"])


def done_cases(stage: str) -> set[Case]:
    path = OUT / f"{stage}.jsonl"
    if not path.exists():
        return set()
    return {case_of(json.loads(line)) for line in path.read_text().splitlines() if line.strip()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stage", nargs="+", choices=tuple(STAGES), required=True)
    parser.add_argument("--jobs", type=int, default=2, help="parallel cases (2 cores: 2)")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per case")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    for stage in args.stage:
        todo = [c for c in STAGES[stage]() if c not in done_cases(stage)]

        def run(case: Case, timeout_s: float) -> dict[str, Any]:
            result = make_fixtures.run_case(case, timeout_s, argv_of)
            result["case"] = [list(pair) for pair in case]
            return result

        def keep(result: dict[str, Any], stage: str = stage) -> None:
            if "error" in result:
                make_fixtures.record(result, OUT)
            else:
                label = " ".join(v for _, v in case_of(result))
                make_fixtures.record(result, OUT, OUT / f"{stage}.jsonl", label)

        make_fixtures.run_all(todo, args.jobs, args.timeout, run, keep)
    return 0


if __name__ == "__main__":
    sys.exit(main())
