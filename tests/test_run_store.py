"""The run store (llmem_core/store.py): transactions, migrations, and files it must refuse
while leaving them exactly as they were."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from llmem_core import store as store_module
from llmem_core.cli import main
from llmem_core.errors import InputError
from llmem_core.runs import parse
from llmem_core.store import FILE_NAME, SCHEMA_VERSION, Store, StoreError

ROOT = Path(__file__).resolve().parents[1]
DOC = {
    "format": "llmem-run/1",
    "plan": {"model": "gpt2", "gpu": "a100-80gb", "method": "single", "batch_size": 2,
             "seq_len": 512},
    "measured": {"max_memory_reserved": 3 * 2**30, "device_used": 4 * 2**30},
    "source": "test",
}  # fmt: skip


def run(batch: int = 2):
    return parse({**DOC, "plan": {**DOC["plan"], "batch_size": batch}})


@pytest.fixture
def path() -> Path:
    return Path(os.environ["LLMEM_HOME"]) / FILE_NAME


def _stored(path: Path, n: int = 2) -> bytes:
    Store(path).add([(f"r{i}.json", run(i + 1)) for i in range(n)])
    return path.read_bytes()


def test_reading_an_absent_store_creates_nothing(path: Path) -> None:
    assert Store(path).runs() == []
    assert not path.exists() and not path.parent.joinpath(FILE_NAME + "-journal").exists()


def test_add_list_remove_and_schema_version(path: Path) -> None:
    ids = Store(path).add([("a.json", run(1)), ("b.json", run(2))])
    assert ids == [1, 2]
    listed = Store(path).runs()
    assert [(r.id, r.name, r.gpu, r.method) for r in listed] == [
        (1, "a.json", "a100-80gb", "single"),
        (2, "b.json", "a100-80gb", "single"),
    ]
    assert listed[1].run.file.plan.batch_size == 2
    Store(path).remove(1)
    assert [r.id for r in Store(path).runs()] == [2]
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT version FROM schema_version").fetchall() == [(SCHEMA_VERSION,)]


def test_a_failed_add_stores_nothing(path: Path) -> None:
    before = _stored(path)

    class Boom(Exception):
        pass

    good = run(3)
    with pytest.raises(Boom), Store(path)._writing() as db:
        store_module._insert(db, "now", "c.json", good)
        raise Boom
    assert path.read_bytes() == before
    assert [r.id for r in Store(path).runs()] == [1, 2]


def _refused(path: Path, capsys, word: str) -> None:
    """Every command that opens the store refuses it with one line; the file is unchanged."""
    before = path.read_bytes()
    good = path.parent / "good.json"
    good.write_text(json.dumps(DOC))
    for argv in (["runs", "list"], ["runs", "add", str(good)], ["runs", "remove", "1"]):
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert len(err.strip().splitlines()) == 1 and word in err, err
        assert path.read_bytes() == before
    estimate = ["estimate", "--model", "gpt2", "--gpu", "a100-80gb", "--method", "single",
                "--batch-size", "1", "--seq-len", "512"]  # fmt: skip
    assert main(estimate) == 2 and "--calibration off" in capsys.readouterr().err
    assert main([*estimate, "--calibration", "off"]) == 0
    assert path.read_bytes() == before


def test_not_a_database(path: Path, capsys) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"my notes, not a database\n" * 10)
    _refused(path, capsys, "not an SQLite database")


def test_truncated_database(path: Path, capsys) -> None:
    whole = _stored(path, 40)
    path.write_bytes(whole[: len(whole) // 2])
    _refused(path, capsys, "damaged")


def test_foreign_database(path: Path, capsys) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE users (name TEXT)")
        db.execute("INSERT INTO users VALUES ('ada')")
    _refused(path, capsys, "another program's SQLite database")


def test_newer_schema(path: Path, capsys) -> None:
    _stored(path)
    with sqlite3.connect(path) as db:
        db.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION + 1,))
    _refused(path, capsys, "newer llmem")


def test_locked_store(path: Path, capsys, monkeypatch) -> None:
    before = _stored(path)
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT_S", 0.2)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        good = path.parent / "good.json"
        good.write_text(json.dumps(DOC))
        assert main(["runs", "add", str(good)]) == 2
        err = capsys.readouterr().err
        assert "locked by another process" in err and len(err.strip().splitlines()) == 1
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert path.read_bytes() == before
    assert [r.id for r in Store(path).runs()] == [1, 2]


def test_a_damaged_row_is_reported_not_fatal(path: Path) -> None:
    _stored(path)
    with sqlite3.connect(path) as db:
        db.execute("UPDATE runs SET document = ? WHERE id = 2", ('{"format": NaN}',))
    rows = Store(path).runs()
    assert rows[0].run is not None
    assert rows[1].run is None and "NaN" in rows[1].problem


def test_bad_ids(path: Path) -> None:
    _stored(path)
    for bad in (0, -1, 2**63):
        with pytest.raises(InputError) as err:
            Store(path).get(bad)
        assert err.value.field == "id"
    with pytest.raises(InputError):
        Store(path).remove(99)


def test_a_store_error_is_an_input_error() -> None:
    assert issubclass(StoreError, InputError)


@pytest.mark.slow
def test_two_processes_writing_at_once(path: Path, tmp_path: Path) -> None:
    """Two `llmem runs add` started together, each with 20 runs: both succeed, 40 stored,
    no id twice (SQLite's write lock serialises the two transactions)."""
    files = []
    for p in range(2):
        f = tmp_path / f"batch{p}.json"
        f.write_text(json.dumps([{**DOC, "source": f"process {p}, run {i}"} for i in range(20)]))
        files.append(f)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "llmem_core.cli", "runs", "add", str(f), "--json"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for f in files
    ]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    ids = sorted(i for out, _ in outs for i in json.loads(out)["ids"])
    assert ids == list(range(1, 41))
    sources = sorted(r.document["source"] for r in Store(path).runs())
    assert len(sources) == 40 and len(set(sources)) == 40
