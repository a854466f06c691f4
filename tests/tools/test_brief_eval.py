"""The offline reader against an evaluation set of briefs written the way marketers write (brief_eval.json: short
and long, labelled and not, several languages' punctuation and currency, typos), each with the copy expected field
by field and words that must never be on screen. The report gives per-field precision and recall; `pytest -s`
prints it, and a failing assertion shows it.

A value matches when equal after the case of its first letter and surrounding spaces and punctuation; quoted text
of the brief must match byte for byte. The bar (issue 24): 95% precision and recall on quoted text, prices, codes
and offers, and no instruction word on screen in any brief; the other fields hold floors just under what the
reader reaches, so a regression fails.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.conftest import make_settings
from tools.brief import FIELD_NAMES, read_brief
from tools.engines.registry import build_catalog

EVAL = json.loads((Path(__file__).parent / "brief_eval.json").read_text(encoding="utf-8"))
MODELS = build_catalog(make_settings(Path("unused"))).names()
QUOTED = re.compile(
    r"\"([^\"\n]+)\"|“([^”\n]+)”|„([^“”\n]+)[“”]|«\s?([^»\n]+?)\s?»|‘([^’\n]+)’|(?<!\w)'([^'\n]+)'(?!\w)"
)
STRICT = ("quoted", "price", "code", "offer")
FLOORS = {  # measured (precision, recall) minus a small margin
    "sale": (0.95, 0.95),
    "headline": (0.93, 0.90),
    "tagline": (0.95, 0.80),
    "features": (0.95, 0.88),
    "conditions": (0.95, 0.95),
    "cta": (0.95, 0.95),
    "website": (0.95, 0.95),
    "end_text": (0.80, 0.80),
}


def _loose(value: str) -> str:
    value = value.strip(" \t\n.,;:!?¡¿-–—")
    return value[:1].lower() + value[1:]


def _values(copy: dict, name: str) -> list[str]:
    value = copy.get(name) or []
    return [v for v in (value if isinstance(value, list) else [value]) if v]


def _count(expected: list[str], got: list[str], quoted: set[str]) -> tuple[int, int, int]:
    """Matches, values read and values expected; quoted text matches only byte for byte."""
    left = list(expected)
    hits = 0
    for value in got:
        for want in left:
            if value == want or (want not in quoted and _loose(value) == _loose(want)):
                left.remove(want)
                hits += 1
                break
    return hits, len(got), len(expected)


def evaluate(briefs: list[dict], readings: list[dict]) -> tuple[dict[str, tuple[float, float, int]], list[str]]:
    """Per field (and for quoted text across fields) of `readings` (the copy read from each brief, its fields
    that hold text): precision, recall and the number expected; and the misreadings, one line each."""
    totals = {name: [0, 0, 0] for name in (*FIELD_NAMES, "quoted")}
    misses: list[str] = []
    for case, got in zip(briefs, readings, strict=True):
        want = case["copy"]
        quoted = {next(g for g in m.groups() if g is not None).strip() for m in QUOTED.finditer(case["brief"])}
        for name in FIELD_NAMES:
            counts = _count(_values(want, name), _values(got, name), quoted)
            totals[name] = [t + c for t, c in zip(totals[name], counts, strict=True)]
            if counts[0] != counts[1] or counts[0] != counts[2]:
                misses.append(f"{case['id']} {name}: read {_values(got, name)}, expected {_values(want, name)}")
        wanted = [f"{n}={v}" for n in FIELD_NAMES for v in _values(want, n) if v in quoted]
        read = [f"{n}={v}" for n in FIELD_NAMES for v in _values(got, n) if _loose(v) in {_loose(q) for q in quoted}]
        hits = sum(1 for r in read if r in wanted)
        totals["quoted"] = [t + c for t, c in zip(totals["quoted"], (hits, len(read), len(wanted)), strict=True)]
        for value in (v for n in FIELD_NAMES for v in _values(got, n)):
            for word in case["not_on_screen"]:
                if re.search(rf"(?i)(?<!\w){re.escape(word)}(?!\w)", value):
                    misses.append(f"{case['id']} NOT ON SCREEN {word!r} in {value!r}")
    scores = {
        name: (hits / read if read else 1.0, hits / wanted if wanted else 1.0, wanted)
        for name, (hits, read, wanted) in totals.items()
    }
    return scores, misses


def report(scores: dict[str, tuple[float, float, int]], misses: list[str]) -> str:
    lines = [f"{'field':<11} {'precision':>9} {'recall':>7} {'expected':>8}"]
    lines += [f"{name:<11} {p:>9.1%} {r:>7.1%} {n:>8}" for name, (p, r, n) in scores.items()]
    return "\n".join([*lines, "", *misses])


def test_the_offline_reader_reads_the_evaluation_set() -> None:
    scores, misses = evaluate(EVAL, [read_brief(case["brief"], MODELS).copy.given() for case in EVAL])
    table = report(scores, misses)
    print("\n" + table)
    assert len(EVAL) >= 60
    assert not [m for m in misses if "NOT ON SCREEN" in m], table
    for name in STRICT:
        precision, recall, _ = scores[name]
        assert precision >= 0.95 and recall >= 0.95, f"{name}\n{table}"
    for name, (precision_floor, recall_floor) in FLOORS.items():
        precision, recall, _ = scores[name]
        assert precision >= precision_floor and recall >= recall_floor, f"{name}\n{table}"
