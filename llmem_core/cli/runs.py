"""`llmem runs`: the store of measured runs that calibrates estimates (issue #11).

  llmem runs add FILE…        validate every file first, then store all or nothing; the ids
  llmem runs list [--json]    every run, its estimate beside what was measured, the fits
  llmem runs show ID [--json]
  llmem runs remove ID
  llmem runs export FILE      every stored run as a JSON list of llmem-run/1 objects

A FILE holds one llmem-run/1 object, a list of them (what `export` writes), or the JSON that
`llmem measure --json` wrote on a GPU. The store is $LLMEM_HOME/llmem.sqlite (store.py).
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from llmem_core import safe_json
from llmem_core.calibrate import compare
from llmem_core.calibration import Calibrations
from llmem_core.cli.options import add_json
from llmem_core.cli.output import emit, gib
from llmem_core.errors import InputError, echo
from llmem_core.runs import Run, read
from llmem_core.store import MAX_ID, Store, StoredRun, fitted

NAME = "runs"
HELP = "store measured runs that calibrate the estimates (add, list, show, remove, export)"
MAX_FILES = 1000


def configure(p: argparse.ArgumentParser) -> None:
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION", parser_class=type(p))
    add = actions.add_parser("add", help="validate run files, then store them all or none")
    add.add_argument("files", nargs="+", metavar="FILE")
    add_json(add)
    add_json(actions.add_parser("list", help="every stored run and the fits"))
    for name, text in (("show", "one stored run"), ("remove", "delete one stored run")):
        action = actions.add_parser(name, help=text)
        action.add_argument("id", metavar="ID")
        add_json(action)
    export = actions.add_parser("export", help="write every stored run to FILE (JSON list)")
    export.add_argument("file", metavar="FILE")
    add_json(export)


def read_runs(path: str) -> list[Run]:
    """Every run in one file; InputError naming the file and the field on the first problem."""
    try:
        return read(safe_json.read_file(path, "file", "run file"))
    except InputError as err:
        raise InputError(err.field, f"in {shown(path)}: {err.message}") from None


def shown(path: str, limit: int = 80) -> str:
    """A path for a message: its end (the file's name) when it is long."""
    text = path.encode("utf-8", "replace").decode("utf-8")
    return text if len(text) <= limit else "…" + text[-(limit - 1) :]


def _add(args: argparse.Namespace) -> int:
    if len(args.files) > MAX_FILES:
        raise InputError("files", f"at most {MAX_FILES:,} files at once")
    named = [(Path(f).name, run) for f in args.files for run in read_runs(f)]
    store = Store()
    ids = store.add(named)
    data = {"ids": ids, "store": str(store.path)}
    lines = [f"run {i} ← {name}" for i, (name, _) in zip(ids, named, strict=True)]
    return emit(args, data, lambda: "\n".join([*lines, f"stored in {store.path}"]))


def run_json(stored: StoredRun) -> dict[str, Any]:
    """One stored run, with the model's figure for it beside the measured one."""
    data: dict[str, Any] = {
        "id": stored.id,
        "added_at": stored.added_at,
        "name": stored.name,
        "gpu": stored.gpu,
        "method": stored.method,
        "run": stored.document,
        "problem": stored.problem,
        "estimate": None,
    }
    if stored.run is not None:
        c = compare(stored.run)
        data["estimate"] = {
            "level": c.level,
            "measured_bytes": c.measured,
            "modelled_bytes": c.modelled,
            "error_pct": 100 * c.error,
        }
    return data


def _row_text(stored: StoredRun) -> str:
    if stored.run is None:
        return f"{stored.id:>5}  {stored.name[:40]}: not usable ({stored.problem})"
    c, plan = compare(stored.run), stored.run.file.plan
    return (
        f"{stored.id:>5}  {stored.gpu:<16} {stored.method:<7} {stored.run.model_name[:32]:<32} "
        f"{plan.batch_size:>4} × {plan.seq_len:<6} {c.level:<21} {gib(c.measured):>12} "
        f"{gib(c.modelled):>12} {100 * c.error:+7.1f} %"
    )


def fits_text(cals: Calibrations) -> list[str]:
    lines = [
        f"fit {c.gpu} ({c.family}): {c.runs} run(s), a = {c.a:.4f} at {c.level}, "
        f"b = {gib(c.b)}, largest residual {c.residual_pct:.1f} %"
        for c in cals.fits
    ]
    return lines + [f"refused {r.gpu} ({r.family}): {r.message}" for r in cals.refused]


def _list(args: argparse.Namespace) -> int:
    store = Store()
    stored = store.runs()

    def text() -> str:
        if not stored:
            return f"no runs stored in {store.path} (`llmem runs add FILE`)"
        head = (
            f"{'id':>5}  {'gpu':<16} {'method':<7} {'model':<32} {'batch × seq':<13} "
            f"{'measured level':<21} {'measured':>12} {'estimate':>12}   error"
        )
        cals = fitted(stored)
        fits = fits_text(cals) if cals else []
        return "\n".join([head, *map(_row_text, stored), *fits, f"store: {store.path}"])

    return emit(args, [run_json(r) for r in stored] if args.json else [], text)


def _id(args: argparse.Namespace) -> int:
    text = str(args.id)
    if not text.isdigit() or len(text) > 19 or not 1 <= int(text) <= MAX_ID:
        raise InputError(
            "id", f"must be a run id, a whole number from 1 to {MAX_ID:,} (got {echo(text)})"
        )
    return int(text)


def _show(args: argparse.Namespace) -> int:
    stored = Store().get(_id(args))
    data = run_json(stored)
    return emit(args, data, lambda: f"{_row_text(stored)}\n{json.dumps(stored.document, indent=2)}")


def _remove(args: argparse.Namespace) -> int:
    store, run_id = Store(), _id(args)
    store.remove(run_id)
    return emit(args, {"removed": run_id}, lambda: f"removed run {run_id} from {store.path}")


def _export(args: argparse.Namespace) -> int:
    store = Store()
    target = Path(args.file)
    if _same_file(target, store.path):
        raise InputError("file", "that is the store itself; export to another file")
    documents = [r.document for r in store.runs()]
    _write_atomically(target, json.dumps(documents, indent=1, sort_keys=True))
    data = {"exported": len(documents), "file": str(target)}
    return emit(args, data, lambda: f"wrote {len(documents)} run(s) to {target}")


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def _write_atomically(target: Path, text: str) -> None:
    """A temporary file beside the target, renamed over it: never half a file."""
    try:
        fd, tmp = tempfile.mkstemp(dir=target.parent or Path("."), prefix=".llmem-export-")
    except OSError as err:
        raise InputError(
            "file", f"cannot write in {echo(str(target.parent))}: {err.strerror}"
        ) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text + "\n")
        os.replace(tmp, target)
    except OSError as err:
        Path(tmp).unlink(missing_ok=True)
        raise InputError("file", f"cannot write {echo(str(target))}: {err.strerror}") from None


ACTIONS = {"add": _add, "list": _list, "show": _show, "remove": _remove, "export": _export}


def run(args: argparse.Namespace) -> int:
    return ACTIONS[args.action](args)
