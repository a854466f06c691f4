"""The LLM reader through the fake OpenAI-compatible server: per-field precision and recall of the checked copy
when the model answers each brief's expected copy faithfully, drops a price and quoted lines, rewrites codes and
offers, invents a tagline, or puts one of the brief's instructions on screen.

    .venv/bin/python bench/brief_llm.py EVALUATION.json [...]

An evaluation file is a JSON list of {"id", "brief", "copy": {field: value}, "not_on_screen": [...]}. The baseline
is the model's answer unchecked, measured in the same run.
"""

from __future__ import annotations

import asyncio
import json
import re
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import make_settings  # noqa: E402
from tests.fakes.openai_server import FakeOpenAI  # noqa: E402
from tools.brief import FIELD_NAMES, AdCopy, read_brief_llm  # noqa: E402
from tools.brief.instructions import QUOTED  # noqa: E402
from tools.engines.registry import build_catalog  # noqa: E402
from tools.llm import chat_model  # noqa: E402

SHOWN = ("headline", "tagline", "offer", "price", "code", "cta", "conditions", "features", "website", "end_text")


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
        said["end_text"] = item["not_on_screen"][0]
    return said


def values(copy: dict[str, Any], name: str) -> set[str]:
    value = copy.get(name) or []
    return set(value if isinstance(value, list) else [value])


def figures(pairs: list[tuple[dict[str, Any], dict[str, Any]]]) -> str:
    tp, fp, fn = Counter[str](), Counter[str](), Counter[str]()
    for got, expected in pairs:
        for name in FIELD_NAMES:
            g, e = values(got, name), values(expected, name)
            tp[name] += len(g & e)
            fp[name] += len(g - e)
            fn[name] += len(e - g)
    cells = []
    for name in SHOWN:
        p = tp[name] / (tp[name] + fp[name]) if tp[name] + fp[name] else 1.0
        r = tp[name] / (tp[name] + fn[name]) if tp[name] + fn[name] else 1.0
        cells.append(f"{name} {p:.0%}/{r:.0%}")
    return ", ".join(cells)


async def run(items: list[dict[str, Any]]) -> None:
    models = build_catalog(make_settings(Path("unused"))).names()
    with FakeOpenAI() as llm, tempfile.TemporaryDirectory() as tmp:
        settings = make_settings(Path(tmp), openai_api_key=llm.api_key, openai_base_url=llm.base_url)
        chat = chat_model(settings, temperature=0, timeout_s=10)
        for kind in ("faithful", "drop", "rewrite", "invent", "instruction"):
            checked, unchecked, leaks = [], [], [0, 0]
            for item in items:
                expected = {k: v for k, v in item["copy"].items() if v}
                said = answer(item, kind)
                llm.queue_reply(tool_calls=[{"name": "AdCopy", "arguments": said}])
                got = (await read_brief_llm(item["brief"], chat, models)).copy
                checked.append((got.model_dump(exclude_defaults=True), expected))
                unchecked.append((said, expected))
                allowed = " ".join(AdCopy.model_validate(expected).texts())
                not_copy = [w for w in item.get("not_on_screen", []) if w and w not in allowed]
                leaks[0] += any(w in " ".join(AdCopy.model_validate(said).texts()) for w in not_copy)
                leaks[1] += any(w in " ".join(got.texts()) for w in not_copy)
            exact = sum(g == e for g, e in checked)
            print(f"{kind}: {exact}/{len(items)} briefs exact; instruction on screen in {leaks[1]} "
                  f"(unchecked {leaks[0]})")  # fmt: skip
            print(f"  checked   (precision/recall): {figures(checked)}")
            print(f"  unchecked (precision/recall): {figures(unchecked)}")


def main() -> None:
    items = [item for path in sys.argv[1:] for item in json.loads(Path(path).read_text(encoding="utf-8"))]
    asyncio.run(run(items))


if __name__ == "__main__":
    main()
