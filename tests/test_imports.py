"""The import graph of our own packages, read from the source: no circles, and the layers' arrows one way
(DESIGN.md: chat/ -> tools/ -> campaign/; campaign/ imports nothing of ours, tools/ never imports chat/).

Every import counts, wherever it stands (in a function, under TYPE_CHECKING): a lazy import hides a circle from
Python, not from a reader."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("chat", "tools", "campaign")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for pkg in PACKAGES for p in sorted((ROOT / pkg).rglob("*.py"))}


def imports(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """Our modules that `name` imports: `from a.b import c` is `a.b.c` when that is a module, else `a.b`."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(
                    [*package.split(".")[: len(package.split(".")) - node.level + 1], *([base] if base else [])]
                )
            found |= {f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names}
    return {m for m in found if m in known and m != name}


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imports(name, path, known) for name, path in known.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def test_the_reader_finds_a_circle_and_the_graph_is_not_empty() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    edges = graph()
    assert "tools.engines.registry" in edges["tools.studio"]
    assert sum(len(v) for v in edges.values()) > 200


def test_no_import_circles_among_our_modules() -> None:
    assert cycles(graph()) == []


def test_campaign_imports_nothing_of_ours() -> None:
    edges = graph()
    upward = {f"{m} -> {d}" for m, deps in edges.items() if m.startswith("campaign") for d in deps
              if not d.startswith("campaign")}  # fmt: skip
    assert upward == set()


def test_engines_never_import_the_job_pipeline_or_the_studio() -> None:
    edges = graph()
    upward = {f"{m} -> {d}" for m, deps in edges.items() if m.startswith("tools.engines") for d in deps
              if d.startswith(("tools.jobs", "tools.studio"))}  # fmt: skip
    assert upward == set()


def test_tools_never_imports_chat() -> None:
    edges = graph()
    upward = {f"{m} -> {d}" for m, deps in edges.items() if m.startswith("tools") for d in deps if d.startswith("chat")}
    assert upward == set()
