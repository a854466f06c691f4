"""The import graph of our own packages, read from the source: no circles, and the layers' arrows one way
(DESIGN.md: chat/ -> tools/ -> campaign/; campaign/ imports nothing of ours, tools/ never imports chat/, engines
never import the job pipeline or the studio, front ends import only the facade and its public types).

Every import counts, wherever it stands (in a function, under TYPE_CHECKING): a lazy import hides a circle from
Python, not from a reader."""

from __future__ import annotations

import ast
import subprocess
import sys
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


# The facade and the types its calls take and return: all a front end (chat/) may import from below it.
FACADE = ("tools.studio", "tools.studio.types", "tools.studio.status", "tools.studio.models", "tools.studio.accounts",
          "tools.studio.brief", "tools.studio.credentials", "campaign.settings")  # fmt: skip
# Today's circles and today's imports past the facade or up a layer (issue 23 removes them). This list may only
# shrink: a new violation fails, and so does an entry that no longer happens (delete it).
KNOWN_CIRCLES: list[list[str]] = []
KNOWN_VIOLATIONS: set[tuple[str, str]] = set()


def violations(edges: dict[str, set[str]]) -> set[tuple[str, str]]:
    """Every (module, imported) pair that breaks a layer rule."""
    found = set()
    for module, deps in edges.items():
        for dep in deps:
            layer, below = module.split(".")[0], dep.split(".")[0]
            if (
                (layer == "campaign" and below != "campaign")
                or (layer == "tools" and below == "chat")
                or (module.startswith("tools.engines") and dep.startswith(("tools.jobs", "tools.studio")))
                or (layer == "chat" and below != "chat" and dep not in FACADE)
            ):
                found.add((module, dep))
    return found


def test_the_reader_finds_circles_and_violations() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    made_up = {"campaign.store": {"tools.catalog"}, "tools.catalog": {"chat.app"}, "chat.app": {"tools.studio"},
               "chat.cli": {"campaign.store"}, "tools.engines.draft": {"tools.jobs.events"}}  # fmt: skip
    wrong = {("campaign.store", "tools.catalog"), ("tools.catalog", "chat.app"), ("chat.cli", "campaign.store"),
             ("tools.engines.draft", "tools.jobs.events")}  # fmt: skip
    assert violations(made_up) == wrong
    edges = graph()
    assert "tools.catalog" in edges["tools.studio"]
    assert sum(len(v) for v in edges.values()) > 200


def test_no_new_import_circles_among_our_modules() -> None:
    found = cycles(graph())
    print(f"{len(found)} import circles, {len(KNOWN_CIRCLES)} known")
    assert [c for c in found if c not in KNOWN_CIRCLES] == [], "a new import circle"
    assert [c for c in KNOWN_CIRCLES if c not in found] == [], "a known circle is gone: delete it from KNOWN_CIRCLES"


def test_no_new_imports_against_the_layers() -> None:
    found = violations(graph())
    print(f"{len(found)} imports against the layers, {len(KNOWN_VIOLATIONS)} known")
    assert sorted(found - KNOWN_VIOLATIONS) == [], "a new import against the layers (see DESIGN.md)"
    gone = sorted(KNOWN_VIOLATIONS - found)
    assert gone == [], "these imports are gone: delete them from KNOWN_VIOLATIONS"


def loaded(*names: str) -> set[str]:
    """The top-level packages a fresh process has loaded once it imported `names`."""
    code = f"import sys, {', '.join(names)}; print(' '.join(sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    return {m.split(".")[0] for m in done.stdout.split()}


def test_the_views_load_neither_pyav_nor_c2pa() -> None:
    """What front ends show of an export (tools/views.py: its checks and credentials) is plain types: importing the
    job pipeline's public names, as every CLI command and the API do, loads no decoder and no native signer."""
    assert not loaded("tools.jobs", "tools.views") & {"av", "c2pa"}


def test_a_render_loads_no_scipy() -> None:
    """The job pipeline, the draft and the mix run on numpy alone: scipy.signal's import (0.5-0.7 s) was a fifth of
    a whole `clapboard generate` and of every `clapboard` command, which opens the job pipeline."""
    assert not loaded("tools.jobs.body", "tools.engines.draft.engine", "tools.finish.compose") & {"scipy", "pyloudnorm"}


def test_the_placements_table_is_data_alone() -> None:
    """The placements (and the margins and loudness they share with the draft and the mix) load no media code."""
    assert not loaded("tools.delivery.placements") & {"av", "c2pa", "numpy", "PIL", "pyloudnorm"}
