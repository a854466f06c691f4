"""What a brief asks of the footage a hosted model makes: its words without the copy Clapboard draws over it.

The finisher draws every word, the logo and the end card over the footage, exactly as written; a video model asked
to draw them spells them wrong and draws them twice. So a prompt for one carries none of the copy (`drawn_lines`): no
quoted text, headline, tagline, sale, offer, price, conditions, promo code, call to action, website or end text.
What the model must show stays: the product's name (a headline the brief gives unquoted and unlabelled, "the
Lumen desk lamp"), the features it gives unquoted and unlabelled (what the product is like: "a backpack with a
laptop sleeve"), colours and every direction.
`without_copy` takes the drawn lines out of any text, a brief or an LLM's prompt, with the words that only
introduce them ("headline:", "use code", "shop at", "on the end card").
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from tools.brief.copy import FIELD, FIELD_NAMES, AdCopy
from tools.brief.instructions import QUOTED

_MARK = "\x00"
_QUOTES = "\"'“”„«»‘’"
# Words that only introduce, place or frame copy: a clause left with these alone said nothing but the copy.
_GLUE_TEXT = """
    a an the and or with at on in for of to from by is are be as our your its their this that these those it
    which says say saying reads read reading shows show showing display displays written write put add use enter
    apply visit shop go get text words word line lines copy caption captions title titles headline tagline slogan
    hook price priced cost costs offer deal discount code promo coupon voucher cta call action button website site
    web url link handle end card final frame closing close ending finish sign off screen onscreen overlay big bold
    large small print conditions terms sale name plus then also just only now here today online store checkout bio
    feature features
"""
_GLUE = frozenset(_GLUE_TEXT.split())
_GLUE_WORDS = "|".join(sorted(_GLUE, key=len, reverse=True))
# The glue words and punctuation right before a line taken out: "that says", "use code", "headline:".
_LEAD_IN = re.compile(rf"(?i)(?:(?:\b(?:{_GLUE_WORDS})\b|[:=\-–—])[ \t]*)*{_MARK}")
# Where a clause ends: a sentence's end, a comma, a line, a bar, and the "and", "with", "&" or "or" of a list.
_SEPARATOR = re.compile(r"(\s*[.;!?]+(?=\s|$)\s*|\s*[,\n|]\s*|\s+(?:and|with|&|or)\s+)", re.I)
_BRACKETS = re.compile(r"\s*\(([^()]*)\)")
_TOKEN = re.compile(r"[^\W_]+")
# What of a line the brief said otherwise still names it: its codes, amounts and web addresses ("KNIT30" of "Use
# code KNIT30" when the brief said "code KNIT30").
_DISTINCT = re.compile(r"[$€£¥₹]?\d[\w.,%$€£¥₹]*|\b[A-Z0-9]*[A-Z]{2,}[A-Z0-9-]*\b|\b[\w-]+\.[a-z]{2,}\b")


def drawn_lines(copy: AdCopy, words: str) -> list[str]:
    """The lines of `copy` drawn over the footage, longest first: every line but the product's name (a headline
    `words` say unquoted and not after a headline's label) and the features they say unquoted and unlabelled."""
    quoted = {_key(next(g for g in m.groups() if g is not None)) for m in QUOTED.finditer(words)}
    lines = []
    for name in FIELD_NAMES:
        labels = "|".join(FIELD[name].labels)
        gap = r"[^.;!?\n]*?" if name == "features" else r"[\s:=\-–—]*(?:is\s+|reads\s+)?"  # a list, or the line
        for line in copy.lines(name):
            labelled = labels and re.search(rf"(?i)\b(?:{labels})\b{gap}{re.escape(line)}", words)
            shown = name in ("headline", "features") and not labelled and _key(line) not in quoted
            if not shown or not _find(line, words):
                lines.append(line)
    return sorted(set(lines), key=len, reverse=True)


def without_copy(text: str, lines: Sequence[str]) -> str:
    """`text` without `lines` and without quoted text (the ad's own words), each with the words that introduce it;
    a clause left with nothing else ("price $49", "shop at aurora.run") is dropped, and so is a bracket."""
    marked = QUOTED.sub(_MARK, text)
    for line in sorted(lines, key=len, reverse=True):
        found = _find(line, marked)
        if found:
            marked = found.sub(_MARK, marked)
        else:  # said otherwise ("code KNIT30" for "Use code KNIT30"): its codes, amounts and addresses
            for token in _DISTINCT.findall(line):
                marked = re.sub(rf"(?<![\w$€£¥₹]){re.escape(token)}(?![\w]|[.,]\d)", _MARK, marked)
    if _MARK not in marked:
        return text
    marked = _BRACKETS.sub(lambda m: "" if _MARK in m.group(1) and _empty(m.group(1)) else m.group(0), marked)
    parts = _SEPARATOR.split(marked)
    clauses, seps = parts[::2], ["", *parts[1::2]]
    kept: list[str] = []
    for clause, sep in zip(clauses, seps, strict=True):
        if _MARK not in clause:
            kept += [sep, clause]
        elif not _empty(clause):
            kept += [sep, _LEAD_IN.sub("", clause).replace(_MARK, "")]
    out = "".join(kept)
    out = re.sub(r"[ \t]{2,}", " ", out)
    out = re.sub(r"[ \t]+([,.;:!?])", r"\1", out)
    out = re.sub(r"([,;:])(?:\s*[,;:])+", r"\1", out)
    out = re.sub(r"[,;:]\s*(?=[.!?]|$)", "", out)
    return re.sub(rf"^[\s,;:.!?{re.escape(_QUOTES)}]+", "", out).strip()


def _find(line: str, text: str) -> re.Pattern[str] | None:
    """The pattern of `line` said in `text` as a whole (case aside, in quotes or not), or None."""
    quote = f"[{re.escape(_QUOTES)}]?"
    pattern = re.compile(rf"(?i){quote}(?<![\w$€£¥₹]){re.escape(line)}(?!\w|[.,]\d){quote}")
    return pattern if pattern.search(text) else None


def _empty(clause: str) -> bool:
    """Whether a clause says nothing but copy and the words that introduce it."""
    return all(t in _GLUE for t in _TOKEN.findall(clause.replace(_MARK, " ").casefold()))


def _key(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()
