"""Every message template the chat can send, read from the source: no environment variable names, no "LLM key",
no raw JSON. The templates are the string constants and f-strings of chat/ (not the admin's `clapboard`
command, whose help names the variables on purpose), every string of tools/ that is not a docstring, a log line
or an argument description, and the models' notices (the chat lists them)."""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ENV_NAME = re.compile(
    r"\b(?:CLAPBOARD_[A-Z0-9_]+|REPLICATE_API_(?:TOKEN|KEY)|OPENAI_[A-Z_]+|POE_API_KEY|DATABASE_URL)\b"
)
LLM_KEY = re.compile(r"\bLLM\s+key\b", re.I)
JSON_TEXT = re.compile(r'^\s*[\[{]\s*"[^"]*"\s*:')
DUMPS = {"dumps", "model_dump_json", "model_dump", "to_json"}
QUIET_CALLS = {"debug", "info", "warning", "error", "exception", "critical", "Field", "add_argument", "getLogger"}


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def templates(source: str) -> Iterator[tuple[int, str, list[str]]]:
    """(line, text, what it interpolates) of each string a module can show: f-strings with `{}` for their
    values, constants as they are; docstrings, log lines and descriptions left out."""
    tree = ast.parse(source)
    skipped = _docstrings(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name in QUIET_CALLS:
                skipped.update(id(n) for arg in [*node.args, *node.keywords] for n in ast.walk(arg))
            if name == "encode" and isinstance(node.func, ast.Attribute):  # bytes to hash, not to show
                skipped.update(id(n) for n in ast.walk(node.func.value))
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.JoinedStr):
            skipped.update(id(v) for v in node.values)
            parts = [v.value if isinstance(v, ast.Constant) else "{}" for v in node.values]
            calls = [
                ast.unparse(v.value)
                for v in node.values
                if isinstance(v, ast.FormattedValue)
                and isinstance(v.value, ast.Call)
                and isinstance(v.value.func, ast.Attribute | ast.Name)
                and (v.value.func.attr if isinstance(v.value.func, ast.Attribute) else v.value.func.id) in DUMPS
            ]
            yield node.lineno, "".join(str(p) for p in parts), calls
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.lineno, node.value, []


def problems(found_templates: Iterable[tuple[int, str, list[str]]]) -> list[str]:
    """What is wrong in these templates (each module's are read once: parsing tools/ and chat/ is most of the scan)."""
    found = []
    for line, text, calls in found_templates:
        for what, bad in (("an environment variable", ENV_NAME.search(text)), ("LLM key", LLM_KEY.search(text)),
                          ("raw JSON", JSON_TEXT.match(text)), ("raw JSON", calls)):  # fmt: skip
            if bad:
                found.append(f"line {line}: {what} in {text!r}")
    return found


def sources() -> list[Path]:
    chat = [p for p in (ROOT / "chat").glob("*.py") if p.name != "cli.py"]
    return chat + sorted((ROOT / "tools").rglob("*.py"))


def test_the_scan_finds_what_it_looks_for() -> None:
    bad = '''
import json
def show(job):
    """Set CLAPBOARD_DATA_DIR first."""
    log.warning("REPLICATE_API_TOKEN is %s", job)
    say(f"Set REPLICATE_API_TOKEN to use {job.model}.")
    say("No LLM key is set.")
    say(f"Result: {json.dumps(job)}")
    say('{"job_id": "abc"}')
'''
    found = problems(templates(bad))
    assert len(found) == 4, found
    assert all("line 4" not in f and "line 5" not in f for f in found)  # docstrings and log lines are not shown


def test_no_message_the_chat_can_send_names_a_variable_an_llm_key_or_raw_json() -> None:
    found, count = [], 0
    for path in sources():
        shown = list(templates(path.read_text(encoding="utf-8")))
        count += len(shown)
        found += [f"{path.relative_to(ROOT)} {p}" for p in problems(shown)]
    for path in sorted((ROOT / "tools" / "engines").rglob("models.json")):
        for model in json.loads(path.read_text(encoding="utf-8")).get("models", []):
            found += [f"{path.name} {model['id']}: {p}" for p in problems(templates(repr(model.get("notice", ""))))]
    assert count > 500  # the scan reads the templates, not nothing
    assert found == []
