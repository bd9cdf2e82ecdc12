"""llmem_core.record on CPU with a tiny model: the plan it extracts is the job's, and without a
GPU it records the plan and says that no GPU figures exist (`llmem runs add` refuses it)."""

from __future__ import annotations

import json

import pytest

from llmem_core.cli import main
from llmem_core.spec import PlanSpec

pytestmark = pytest.mark.slow  # runs PyTorch

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")


def tiny_gpt2(name: str = ""):
    config = transformers.GPT2Config(
        n_layer=2, n_embd=64, n_head=4, vocab_size=1000, n_positions=128
    )
    config._name_or_path = name
    return transformers.GPT2LMHeadModel(config)


def train(model, optimizer, batch: int = 3, seq: int = 32, steps: int = 2) -> None:
    from llmem_core import record

    record.watch(model)
    for step in range(steps):
        ids = torch.randint(0, 1000, (batch, seq))
        model(input_ids=ids, labels=ids).loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        if step == 0:
            record.start_steady()


def test_custom_loop_on_cpu(tmp_path) -> None:
    from llmem_core.record import NO_GPU, write_run

    model = tiny_gpt2()
    getattr(model, "activation_checkpointing_enable", model.gradient_checkpointing_enable)()
    model.train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4, foreach=True)
    train(model, optimizer)
    path = tmp_path / "run.json"
    doc = write_run(path, model, optimizer, gpu="a100-80gb")
    assert json.loads(path.read_text()) == doc
    plan = doc["plan"]
    assert plan["batch_size"] == 3 and plan["seq_len"] == 32
    assert plan["num_gpus"] == 1 and plan["method"] == "single"
    assert plan["precision"] == "fp32" and plan["optimizer"] == "adamw-foreach"
    assert plan["grad_checkpointing"] is True
    assert plan["model"]["n_layer"] == 2  # not a preset: the config is embedded
    arch = PlanSpec(**plan).architecture()
    assert (arch.num_layers, arch.hidden_size, arch.vocab_size) == (2, 64, 1000)
    assert doc["measured"] == {} and NO_GPU in doc["source"]
    assert main(["runs", "add", str(path)]) == 2  # no GPU figures: not a calibration run


def test_a_preset_is_named_and_the_optimizer_read(tmp_path) -> None:
    from llmem_core.record import optimizer_name, plan_of

    model = tiny_gpt2("gpt2")
    train(model, torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9), steps=1)
    plan = plan_of(model, torch.optim.AdamW(model.parameters(), fused=True), gpu="a100-80gb")
    assert plan["model"] == "gpt2"
    assert plan["optimizer"] == "adamw-fused" and plan["grad_checkpointing"] is False
    assert optimizer_name(torch.optim.SGD(model.parameters(), lr=0.1)) == "sgd"
    with pytest.raises(Exception, match="optimizer"):
        optimizer_name(torch.optim.RMSprop(model.parameters()))


def test_trainer_callback_on_cpu(tmp_path) -> None:
    from torch.utils.data import Dataset

    from llmem_core.record import LlmemCallback

    class Ids(Dataset):
        def __len__(self) -> int:
            return 64

        def __getitem__(self, i: int) -> dict:
            ids = torch.randint(0, 1000, (16,))
            return {"input_ids": ids, "labels": ids}

    path = tmp_path / "trainer.json"
    args = transformers.TrainingArguments(
        output_dir=str(tmp_path / "out"),
        per_device_train_batch_size=2,
        max_steps=4,
        use_cpu=True,
        report_to=[],
        save_strategy="no",
        logging_strategy="no",
        activation_checkpointing=True,
    )
    callback = LlmemCallback(str(path), warmup=1, steps=2, gpu="h100-80gb")
    transformers.Trainer(
        model=tiny_gpt2(), args=args, train_dataset=Ids(), callbacks=[callback]
    ).train()
    plan = json.loads(path.read_text())["plan"]
    assert (plan["batch_size"], plan["seq_len"], plan["gpu"]) == (2, 16, "h100-80gb")
    # transformers 5's default optim is adamw_torch_fused
    assert plan["grad_checkpointing"] is True and plan["optimizer"] == "adamw-fused"
    assert plan["grad_accumulation"] == 1


def test_the_callback_is_one_class() -> None:
    from llmem_core import record

    assert record.LlmemCallback is record.LlmemCallback  # isinstance works across imports
    assert issubclass(record.LlmemCallback, transformers.TrainerCallback)
