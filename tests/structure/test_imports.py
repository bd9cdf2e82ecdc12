"""The package's import graph: no cycles, and the layers import downward only.

Read from the source with `ast` (every import statement, at module level or inside a function,
counts), so a lazy import cannot hide a cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("llmem_core", "llmem_dashboard")


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py")}


MODULES = _modules()


def _target(name: str) -> str | None:
    """The project module an imported name lives in (a submodule if it is one)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _imports(module: str, path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_package = path.name == "__init__.py"
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module if is_package else module.rpartition(".")[0]
                for _ in range(node.level - 1):
                    anchor = anchor.rpartition(".")[0]
                base = f"{anchor}.{base}".strip(".")
            names = [f"{base}.{alias.name}" for alias in node.names] + [base]
            names = [n for n in names if n in MODULES] or [base]
        else:
            continue
        out |= {t for n in names if (t := _target(n)) and t != module}
    return out


GRAPH = {m: _imports(m, p) for m, p in MODULES.items()}


def _package_parents(module: str) -> set[str]:
    """The packages above a module (importing one of those runs its __init__ first anyway)."""
    parts = module.split(".")
    return {".".join(parts[:i]) for i in range(1, len(parts))}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph, or None (iterative depth-first search)."""
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    for start in sorted(graph):
        if state.get(start):
            continue
        stack, path = [(start, iter(sorted(graph[start])))], [start]
        state[start] = 1
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[node] = 2
                stack.pop()
                path.pop()
            elif state.get(child) == 1:
                return [*path[path.index(child) :], child]
            elif not state.get(child):
                state[child] = 1
                stack.append((child, iter(sorted(graph[child]))))
                path.append(child)
    return None


def test_the_graph_was_read() -> None:
    assert len(GRAPH) > 40
    assert "llmem_core.request" in GRAPH["llmem_core.plan"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


def test_no_import_cycle() -> None:
    graph = {m: deps - _package_parents(m) for m, deps in GRAPH.items()}
    cycle = find_cycle(graph)
    assert cycle is None, " → ".join(cycle or [])


LAYERS = [  # a module may import its own layer and those below, never one above
    ("llmem_core.errors", "llmem_core.units", "llmem_core.allocator"),
    ("llmem_core.validation", "llmem_core.safe_json", "llmem_core.calibration"),
    ("llmem_core.models",),
    (
        "llmem_core.params",
        "llmem_core.hf_config",
        "llmem_core.parallelism",
        "llmem_core.adapters",
        "llmem_core.attention",
        "llmem_core.features",
    ),
    ("llmem_core.hub",),  # network I/O: only the presets' resolution of --model calls it
    ("llmem_core.presets", "llmem_core.request", "llmem_core.coverage"),
    ("llmem_core.results", "llmem_core.components", "llmem_core.verdict"),
    ("llmem_core.profiles",),
    ("llmem_core.estimate", "llmem_core.calibrated"),
    (
        "llmem_core.plan",
        "llmem_core.spec",
        "llmem_core.accuracy",
        "llmem_core.ladder",
        "llmem_core.runs",
        "llmem_core.calibrate",
    ),
    ("llmem_core.cost",),
    ("llmem_core.measure", "llmem_core.store", "llmem_core.record"),
    ("llmem_core.cli", "llmem_core"),
    ("llmem_dashboard",),
]


def _layer(module: str) -> int:
    best = -1, -1
    for i, prefixes in enumerate(LAYERS):
        for p in prefixes:
            if (module == p or module.startswith(p + ".")) and len(p) > best[1]:
                best = i, len(p)
    return best[0]


@pytest.mark.parametrize("module", sorted(GRAPH))
def test_imports_go_downward(module: str) -> None:
    """Components never import profiles, the core never imports the dashboard or the CLI."""
    mine = _layer(module)
    assert mine >= 0, f"{module} is in no layer"
    upward = [
        t
        for t in GRAPH[module]
        if _layer(t) > mine
        and t not in _package_parents(module)
        and not (module == "llmem_core" and t.startswith("llmem_core."))
    ]
    assert not upward, f"{module} imports from above: {upward}"
