"""The run store: an embedded SQLite database, `llmem.sqlite` in $LLMEM_HOME (issue #11).

$LLMEM_HOME defaults to the platform's user data directory (platformdirs: ~/.local/share/llmem
on Linux). Every write is one transaction (BEGIN IMMEDIATE … COMMIT): `add` stores all its runs
or none; two processes writing at once take turns (SQLite's lock, waited for up to
BUSY_TIMEOUT_S). A table `schema_version` says which layout a file has; `MIGRATIONS` bring an
older one up to SCHEMA_VERSION inside the first write transaction.

A file that is not an SQLite database, one that is damaged or truncated, one without an
llmem schema (another program's database), one from a newer schema, or one locked past the
timeout is refused with one StoreError naming the path, and is left exactly as it was: it is
checked through a read-only connection before anything is written, and never created, moved
or rewritten. Each stored run is its llmem-run/1 document, validated again when read.

This module does file I/O; the estimator (llmem_core's pure core) never imports it.
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from llmem_core import safe_json
from llmem_core.calibrate import calibrations
from llmem_core.calibration import Calibrations
from llmem_core.errors import InputError, echo
from llmem_core.runs import Run, parse

FILE_NAME = "llmem.sqlite"
SCHEMA_VERSION = 1
HEADER = b"SQLite format 3\x00"  # the first 16 bytes of every SQLite 3 file (sqlite.org/fileformat)
BUSY_TIMEOUT_S = 5.0  # how long a write waits for another process's transaction
MAX_RUNS_LISTED = 100_000
MAX_ID = 2**63 - 1  # SQLite's INTEGER PRIMARY KEY

MIGRATIONS: dict[int, tuple[str, ...]] = {  # version reached → its statements (from the one below)
    1: (
        "CREATE TABLE schema_version (version INTEGER NOT NULL)",
        "INSERT INTO schema_version (version) VALUES (0)",
        "CREATE TABLE runs ("
        " id INTEGER PRIMARY KEY AUTOINCREMENT,"
        " added_at TEXT NOT NULL,"
        " name TEXT NOT NULL,"
        " gpu TEXT NOT NULL,"
        " method TEXT NOT NULL,"
        " document TEXT NOT NULL)",
    ),
}


class StoreError(InputError):
    """The store cannot be used as it is; the message names its path and why."""

    def __init__(self, message: str) -> None:
        super().__init__("store", message)


def home() -> Path:
    """$LLMEM_HOME, else the platform's user data directory for llmem."""
    given = os.environ.get("LLMEM_HOME", "").strip()
    if given:
        return Path(given).expanduser()
    import platformdirs  # a dependency of the CLI's store only

    return Path(platformdirs.user_data_dir("llmem", appauthor=False))


def default_path() -> Path:
    return home() / FILE_NAME


@dataclass(frozen=True)
class StoredRun:
    """One row: its id, when and from which file it was added, and the run (None, with the
    reason, if its document no longer validates — e.g. a preset this version lacks)."""

    id: int
    added_at: str
    name: str
    gpu: str
    method: str
    document: dict[str, object]
    run: Run | None
    problem: str | None = None


def fitted(stored: list[StoredRun]) -> Calibrations | None:
    """The fits of the stored runs that still validate (None: there are none)."""
    usable = [(r.id, r.run) for r in stored if r.run is not None]
    return calibrations(usable) if usable else None


class Store:
    def __init__(self, path: Path | None = None, timeout_s: float | None = None) -> None:
        self.path = Path(path) if path is not None else default_path()
        self.timeout_s = BUSY_TIMEOUT_S if timeout_s is None else timeout_s

    # Reading never creates the file: no store yet is an empty store.
    def runs(self) -> list[StoredRun]:
        if not self._exists():
            return []
        with self._reading() as db:
            if "runs" not in _tables(db):  # a new database another add is creating
                return []
            rows = db.execute(
                "SELECT id, added_at, name, gpu, method, document FROM runs ORDER BY id LIMIT ?",
                (MAX_RUNS_LISTED,),
            ).fetchall()
        return [_stored(row) for row in rows]

    def calibrations(self) -> Calibrations | None:
        """The fits every estimate for these GPU types gets (`fitted` over `runs()`)."""
        return fitted(self.runs())

    def get(self, run_id: int) -> StoredRun:
        _check_id(run_id)
        found = [r for r in self.runs() if r.id == run_id]
        if not found:
            raise InputError("id", f"no run with id {run_id} in {self.path} (`llmem runs list`)")
        return found[0]

    def add(self, runs: list[tuple[str, Run]]) -> list[int]:
        """Store every run or none (one transaction); their new ids, in order."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self._writing() as db:
            return [_insert(db, now, name, run) for name, run in runs]

    def remove(self, run_id: int) -> None:
        _check_id(run_id)
        if not self._exists():
            raise InputError("id", f"no run with id {run_id}: the store {self.path} is empty")
        with self._writing() as db:
            if db.execute("DELETE FROM runs WHERE id = ?", (run_id,)).rowcount != 1:
                raise InputError("id", f"no run with id {run_id} in {self.path}")

    def _exists(self) -> bool:
        try:
            info = self.path.stat()
        except FileNotFoundError:
            return False
        except OSError as err:
            raise StoreError(f"cannot read {self.path}: {err.strerror}") from None
        if not stat.S_ISREG(info.st_mode):
            raise StoreError(f"{self.path} is not a regular file")
        return info.st_size > 0  # an empty file (being created by another add) holds nothing

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        self._check_header()
        with _failures(self.path), closing(self._connect("ro")) as db:
            _check_schema(db, self.path, writing=False)
            yield db

    @contextmanager
    def _writing(self) -> Iterator[sqlite3.Connection]:
        """One IMMEDIATE transaction: committed when the block ends, rolled back if it raises."""
        existed = self._exists()
        if existed:
            self._check_header()
            with _failures(self.path), closing(self._connect("ro")) as db:
                _check_schema(db, self.path, writing=True)
        else:
            self._make_home()
        with _failures(self.path), closing(self._connect("rwc")) as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                _migrate(db, self.path)
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def _connect(self, mode: str) -> sqlite3.Connection:
        uri = f"{self.path.resolve().as_uri()}?mode={mode}"
        db = sqlite3.connect(uri, uri=True, timeout=self.timeout_s, isolation_level=None)
        db.execute("PRAGMA foreign_keys = ON")
        return db

    def _check_header(self) -> None:
        try:
            with self.path.open("rb") as f:
                head = f.read(len(HEADER))
        except OSError as err:
            raise StoreError(f"cannot read {self.path}: {err.strerror}") from None
        if head != HEADER:
            raise StoreError(
                f"{self.path} is not an llmem store (not an SQLite database); left as it "
                "was — move it away or set LLMEM_HOME to another directory"
            )

    def _make_home(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise StoreError(f"cannot create {self.path.parent}: {err.strerror}") from None


@contextmanager
def _failures(path: Path) -> Iterator[None]:
    """SQLite's errors as one StoreError line each (the file is left as it was)."""
    try:
        yield
    except sqlite3.OperationalError as err:
        text = str(err)
        if "locked" in text or "busy" in text:
            raise StoreError(
                f"{path} is locked by another process; try again when it has finished"
            ) from None
        raise StoreError(f"cannot use {path}: {text}") from None
    except sqlite3.DatabaseError as err:
        raise StoreError(
            f"{path} is damaged or not an llmem store ({err}); left as it was — restore a "
            "copy, or set LLMEM_HOME to another directory"
        ) from None


def _tables(db: sqlite3.Connection) -> set[str]:
    return {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def _version(db: sqlite3.Connection, path: Path) -> int:
    """The file's schema version: 0 for a new, empty database."""
    tables = _tables(db)
    if not tables:
        return 0
    if "schema_version" not in tables:
        raise StoreError(
            f"{path} is another program's SQLite database (no schema_version table); left "
            "as it was — set LLMEM_HOME to another directory"
        )
    rows = db.execute("SELECT version FROM schema_version").fetchall()
    if len(rows) != 1 or not isinstance(rows[0][0], int):
        raise StoreError(f"{path} has a damaged schema_version table; left as it was")
    return rows[0][0]


def _check_schema(db: sqlite3.Connection, path: Path, writing: bool) -> None:
    problems = [r[0] for r in db.execute("PRAGMA quick_check").fetchall()]
    if problems != ["ok"]:
        raise StoreError(f"{path} is damaged ({problems[0][:120]}); left as it was")
    version = _version(db, path)
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"{path} was written by a newer llmem (schema {version}; this one reads up to "
            f"{SCHEMA_VERSION}); upgrade llmem — the file is left as it was"
        )
    if version < SCHEMA_VERSION and not writing and version != 0:
        raise StoreError(f"{path} has schema {version}: `llmem runs add` migrates it")


def _migrate(db: sqlite3.Connection, path: Path) -> None:
    """Inside the write transaction: every migration past the file's version, in order."""
    version = _version(db, path)
    if version > SCHEMA_VERSION:
        raise StoreError(f"{path} was written by a newer llmem (schema {version})")
    for target in range(version + 1, SCHEMA_VERSION + 1):
        for statement in MIGRATIONS[target]:
            db.execute(statement)
        db.execute("UPDATE schema_version SET version = ?", (target,))


def _insert(db: sqlite3.Connection, now: str, name: str, run: Run) -> int:
    cursor = db.execute(
        "INSERT INTO runs (added_at, name, gpu, method, document) VALUES (?, ?, ?, ?, ?)",
        (now, name[:500], run.gpu, run.request.parallel.method.kind.value, _dumps(run)),
    )
    return int(cursor.lastrowid or 0)


def _dumps(run: Run) -> str:
    return json.dumps(run.document(), sort_keys=True, allow_nan=False)


def _stored(row: tuple[object, ...]) -> StoredRun:
    run_id, added_at, name, gpu, method, text = row
    base = {"id": int(run_id), "added_at": str(added_at), "name": str(name)}  # type: ignore[call-overload]
    try:
        document = safe_json.loads(str(text), "document", what="run file")
        run, problem = parse(document), None
    except InputError as err:
        document, run, problem = {}, None, f"{err.field}: {err.message}"
    return StoredRun(
        **base,  # type: ignore[arg-type]
        gpu=str(gpu),
        method=str(method),
        document=document if isinstance(document, dict) else {},
        run=run,
        problem=problem,
    )


def _check_id(run_id: int) -> None:
    if not 1 <= run_id <= MAX_ID:
        raise InputError("id", f"must be a whole number from 1 to {MAX_ID:,} (got {echo(run_id)})")
