"""The LLM reader through the fake OpenAI-compatible server: per-field precision and recall of the checked copy
(scored as `tests/tools/test_brief_eval.py` scores the offline reader) when the model answers each brief's expected
copy faithfully, drops a price and quoted lines, rewrites codes and offers, invents a tagline, or puts the brief's
instructions on screen (the first as end text, the others as features).

    .venv/bin/python bench/brief_llm.py EVALUATION.json [...]

An evaluation file is a JSON list of {"id", "brief", "copy": {field: value}, "not_on_screen": [...]}. The baseline
is the model's answer unchecked, measured in the same run; the offline reader's figures come first.
"""

from __future__ import annotations

import asyncio
import json
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import make_settings  # noqa: E402
from tests.fakes.openai_server import FakeOpenAI  # noqa: E402
from tests.tools.test_brief_eval import evaluate  # noqa: E402
from tools.brief import read_brief, read_brief_llm  # noqa: E402
from tools.brief.instructions import QUOTED  # noqa: E402
from tools.engines.registry import build_catalog  # noqa: E402
from tools.llm import chat_model  # noqa: E402

KINDS = ("faithful", "drop", "rewrite", "invent", "instruction")


def answer(item: dict[str, Any], kind: str) -> dict[str, Any]:
    """What the fake model says for this brief."""
    said = {k: v for k, v in item["copy"].items() if v}
    quoted = {next(g for g in m.groups() if g is not None) for m in QUOTED.finditer(item["brief"])}
    if kind == "drop":
        said.pop("price", None)
        said = {k: v for k, v in said.items() if not (isinstance(v, str) and v in quoted)}
    elif kind == "rewrite":
        if "code" in said:
            said["code"] = re.sub(r"([A-Z]+)(\d+)", r"\1-\2", said["code"])
        if "offer" in said:
            said["offer"] = said["offer"].replace(" all ", " ").replace("%", " percent")
    elif kind == "invent":
        said["tagline"] = "Made for the bold"
    elif kind == "instruction" and item.get("not_on_screen"):
        first, *rest = item["not_on_screen"]
        said["end_text"] = first
        said["features"] = [*said.get("features", []), *rest][:8]
    return said


def table(items: list[dict[str, Any]], columns: dict[str, list[dict[str, Any]]]) -> str:
    """Per-field precision/recall (%) of each column's readings, and the briefs with an instruction on screen."""
    scored = {title: evaluate(items, readings) for title, readings in columns.items()}
    lines = ["| field | " + " | ".join(columns) + " |", "|---" * (len(columns) + 1) + "|"]
    for name in next(iter(scored.values()))[0]:
        cells = [f"{s[name][0]:.0%}/{s[name][1]:.0%}" for s, _ in scored.values()]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    leaks = [len({m.split()[0] for m in misses if "NOT ON SCREEN" in m}) for _, misses in scored.values()]
    lines.append("| briefs with an instruction on screen | " + " | ".join(map(str, leaks)) + " |")
    return "\n".join(lines)


async def run(items: list[dict[str, Any]]) -> None:
    models = build_catalog(make_settings(Path("unused"))).names()
    print("offline reader\n" + table(items, {"offline": [read_brief(i["brief"], models).copy.given() for i in items]}))
    with FakeOpenAI() as llm, tempfile.TemporaryDirectory() as tmp:
        settings = make_settings(Path(tmp), openai_api_key=llm.api_key, openai_base_url=llm.base_url)
        chat = chat_model(settings, temperature=0, timeout_s=10)
        for kind in KINDS:
            checked, unchecked = [], []
            for item in items:
                said = answer(item, kind)
                llm.queue_reply(tool_calls=[{"name": "AdCopy", "arguments": said}])
                checked.append((await read_brief_llm(item["brief"], chat, models)).copy.given())
                unchecked.append(said)
            exact = sum(g == {k: v for k, v in i["copy"].items() if v} for g, i in zip(checked, items, strict=True))
            print(f"\nfake LLM, {kind}: {exact}/{len(items)} briefs exact")
            print(table(items, {"checked": checked, "unchecked": unchecked}))


def main() -> None:
    items = [item for path in sys.argv[1:] for item in json.loads(Path(path).read_text(encoding="utf-8"))]
    asyncio.run(run(items))


if __name__ == "__main__":
    main()
