"""The voice-over's script, timed to the video's beats: the opening from just after the start, the features and
the offer through the middle, and the close (call to action and website) over the end card, the last
`card_length(duration)` seconds.

Lines are the copy's own words (what the captions show; how a voice says "aurora.run" is the voice's business),
budgeted at `WORDS_PER_S` with margins, and what does not fit is dropped or shortened, features first. The rules
write it offline (`write_script`); an LLM may word it (`written_script`), held to the same beats, budgets and
facts, else the rules' script stands; a user's own words are spread over the same beats (`script_from_text`).
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from tools.brief.copy import AdCopy
from tools.finish.cues import card_length
from tools.sound.speech import Part, ScriptLine, VoiceScript
from tools.sound.spoken import spoken

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

log = logging.getLogger(__name__)

WORDS_PER_S = 2.5  # an ad read briskly but clearly
OPENING_AT = 0.3  # the first words come after the first frames
MARGIN_S = 0.3  # silence kept before the end card and before the video's end
GAP_S = 0.3  # the least pause between two lines
CLOSE_AFTER_S = 0.2  # the close starts once the end card is in
NO_FEATURES = {"brand-animation"}  # templates whose middle shows no feature captions

# A call to action that reads on into the website: "Shop now at aurora.run".
_GOES_AT = re.compile(
    r"(?i)^(?:shop|order|buy|book|visit|learn|get|find|discover|try|sign up|join|download|subscribe|see|read|"
    r"explore|reserve|start)\b"
)
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=\S)")


def words(text: str) -> int:
    """How many words saying the text takes: as a voice says it ("aurora.run" is three), a number a word a digit
    or so ("129" is "one hundred twenty-nine")."""
    said = spoken(text)
    return len(said.split()) + sum(len(n) - 1 for n in re.findall(r"\d+", said))


def write_script(copy: AdCopy, duration_s: float, template: str | None) -> VoiceScript:
    """The rules' script for this copy and length (offline, deterministic): the fullest lines that fit their
    beats, features dropped first (the last first), then the longest line shortened, then the offer dropped."""
    body, close = _windows(duration_s)
    body_lines = _fit_body(_body_choices(copy, template), body)
    lines = _spread(body_lines, body)
    if said := _fit_line(_close_choices(copy), close):
        lines.append(ScriptLine(text=said, start=close[0], end=close[1], part="close"))
    return VoiceScript(lines=lines, source="rules")


def script_from_text(text: str, duration_s: float, copy: AdCopy | None = None) -> VoiceScript:
    """A user's words as the script, sentence by sentence, spread over the same beats: the last sentence over
    the end card when there are two or more, the others through the opening and middle by their length. Nothing
    is cut (a voice speeds up a little, then runs on, when a line is long). `copy` names the parts: a sentence
    with the offer, price or code is the offer, one with a feature a feature."""
    sentences = [s.strip() for s in _SENTENCE.split(" ".join(text.split())) if s.strip()]
    if not sentences:
        return VoiceScript(lines=[], source="user")
    body, close = _windows(duration_s)
    tail = sentences.pop() if len(sentences) > 1 else None
    parts: list[tuple[Part, str]] = [(_part_of(s, i, copy), s) for i, s in enumerate(sentences)]
    if tail is None:  # one sentence: it runs from the opening to the end
        body = (body[0], close[1])
    lines = _spread(parts, body)
    if tail is not None:
        lines.append(ScriptLine(text=tail, start=close[0], end=close[1], part="close"))
    return VoiceScript(lines=lines, source="user")


# --- the LLM's wording ------------------------------------------------------------------------------------

SYSTEM = """You write the voice-over of a short video ad, spoken over it line by line.
Use only the facts in the ad's copy: never add a price, discount, code, date, website or claim it does not have, \
and keep numbers, prices, codes and websites exactly as the copy writes them ("30%", not "thirty percent"). \
Write plain spoken sentences, no emojis, no stage directions, no quotes. Keep each line within its word limit; \
leave a line empty when the copy has nothing for it."""


class WrittenLines(BaseModel):
    """The voice-over's lines, part by part."""

    opening: str = Field(default="", description="The opening line: the hook, the product.")
    features: list[str] = Field(default_factory=list, description="One line per feature, in order.")
    offer: str = Field(default="", description="The offer, price and code line.")
    close: str = Field(default="", description="The call to action and the website, said over the end card.")


async def written_script(
    llm: BaseChatModel | None, brief: str, copy: AdCopy, duration_s: float, template: str | None
) -> VoiceScript:
    """The script as the LLM words it when it answers well: a line for each of the rules' lines, fitting the
    same beats at the same pace, every number, code, website and handle it says taken from the copy. Otherwise
    (no LLM, a failure, a part left out, or lines that break these) the rules' script."""
    rules = write_script(copy, duration_s, template)
    if llm is None or not rules.lines:
        return rules
    from langchain_core.messages import HumanMessage, SystemMessage

    try:
        writer = llm.with_structured_output(WrittenLines, method="function_calling")
        said = WrittenLines.model_validate(
            await writer.ainvoke([SystemMessage(SYSTEM), HumanMessage(_asking(brief, copy, rules))])
        )
    except Exception as exc:  # any failure of the model (network, key, timeout, bad answer): the rules' script
        log.warning("writing the voice-over by LLM failed: %s", type(exc).__name__)
        return rules
    texts = _in_order(said, rules)
    if texts is None or not all(_holds(t, copy) for t in texts):
        log.info("the LLM's voice-over left out a part or said what the copy does not; the rules' script is used")
        return rules
    body, close = _windows(duration_s)
    parts = [(line.part, text) for line, text in zip(rules.lines, texts, strict=True)]
    said_body: list[tuple[Part, str]] = [(part, text) for part, text in parts if part != "close"]
    said_close = [text for part, text in parts if part == "close"]
    if _fit_body([(part, [text]) for part, text in said_body], body) != said_body or any(
        words(text) > _budget(*close) for text in said_close
    ):
        log.info("the LLM's voice-over is longer than its beats; the rules' script is used")
        return rules
    lines = _spread(said_body, body)
    lines += [ScriptLine(text=text, start=close[0], end=close[1], part="close") for text in said_close]
    return VoiceScript(lines=lines, source="llm")


def _asking(brief: str, copy: AdCopy, rules: VoiceScript) -> str:
    """The request: the brief, the copy, the rules' script as a draft, and each part's word limit."""
    limits = {"opening": 0, "feature": 0, "offer": 0, "close": 0}
    features = 0
    for line in rules.lines:
        limits[line.part] = max(limits[line.part], _budget(line.start, line.end))
        features += line.part == "feature"
    wanted = [
        f"opening: at most {limits['opening']} words" if limits["opening"] else "opening: empty",
        f"features: exactly {features} lines, each at most {limits['feature']} words" if features else "features: none",
        f"offer: at most {limits['offer']} words" if limits["offer"] else "offer: empty",
        f"close: at most {limits['close']} words" if limits["close"] else "close: empty",
    ]
    copy_lines = "\n".join(f"- {name}: {value}" for name, value in copy.given().items())
    return (
        f"Brief: {brief.strip()}\n\nThe ad's copy:\n{copy_lines}\n\nA draft to improve on:\n"
        + "\n".join(f"- {line.part}: {line.text}" for line in rules.lines)
        + "\n\nLines and word limits:\n"
        + "\n".join(f"- {w}" for w in wanted)
    )


def _in_order(said: WrittenLines, rules: VoiceScript) -> list[str] | None:
    """The LLM's lines in the rules' order, or None when it answered another shape (a line missing, a feature
    short)."""
    features = iter(t.strip() for t in said.features)
    out = []
    for line in rules.lines:
        text = next(features, "") if line.part == "feature" else getattr(said, line.part).strip()
        if not text:
            return None
        out.append(" ".join(text.split()))
    return out


_FACT = re.compile(r"\S*\d\S*|\S*[$€£¥₹%@]\S*|\b[A-Z][A-Z0-9]*\d[A-Z0-9]*\b|\b[\w-]+\.(?:[a-z]{2,})(?:/\S*)?")


_NUMBER_WORDS = re.compile(
    r"(?i)\b(?:zero|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|(?:thir|four|fif|six|seven|eigh|nine)"
    r"teen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|million|half|double|triple)\b"
)


def _holds(text: str, copy: AdCopy) -> bool:
    """Whether every number, code, price, website and handle the line says is the copy's, written as the copy
    writes it (a number spelled out, "fifty percent", only when the copy spells it so)."""
    said = " ".join(copy.texts()).casefold()
    facts = [f.strip(".,;:!?\"'()").casefold() for f in [*_FACT.findall(text), *_NUMBER_WORDS.findall(text)]]
    return all(re.search(rf"(?<!\w){re.escape(fact)}", said) for fact in facts)


# --- beats and budgets ------------------------------------------------------------------------------------


def _windows(duration_s: float) -> tuple[tuple[float, float], tuple[float, float]]:
    """The opening-and-middle window and the end card's window, in seconds."""
    card_start = duration_s - card_length(duration_s)
    body = (OPENING_AT, max(OPENING_AT, card_start - MARGIN_S))
    close = (min(card_start + CLOSE_AFTER_S, duration_s), max(card_start + CLOSE_AFTER_S, duration_s - MARGIN_S))
    return body, close


def _budget(start: float, end: float) -> int:
    """The words that fit between start and end."""
    return max(0, math.floor((end - start) * WORDS_PER_S + 1e-9))


def _need(text: str) -> float:
    return words(text) / WORDS_PER_S


def _sentence(*parts: str) -> str:
    """Copy fields said as one line of sentences: "Autumn sale. Cosy season."."""
    kept = [p.strip().rstrip(".,;:") if p.strip()[-1:] not in "!?" else p.strip() for p in parts if p.strip()]
    return " ".join(p if p[-1] in ".!?" else p + "." for p in kept)


def _body_choices(copy: AdCopy, template: str | None) -> list[tuple[Part, list[str]]]:
    """The opening, each feature and the offer, each with its wordings from fullest to shortest."""
    head = copy.headline or copy.sale or copy.tagline
    opening = _sentence(copy.sale, copy.headline) if copy.sale else _sentence(copy.headline, copy.tagline)
    offer, price, code = copy.offer, copy.price, copy.code
    offers = [_sentence(offer, price, code), _sentence(offer, code), _sentence(offer, price), _sentence(offer)]
    offers += [_sentence(price, code), _sentence(price), _sentence(code)]
    choices: list[tuple[Part, list[str]]] = [("opening", _shorter([opening or _sentence(head), _sentence(head)]))]
    if template not in NO_FEATURES:
        choices += [("feature", [_sentence(f)]) for f in copy.features]
    choices.append(("offer", _shorter(offers)))
    return [(part, said) for part, said in choices if said]


def _close_choices(copy: AdCopy) -> list[str]:
    cta, site = copy.cta.strip().rstrip(".!"), copy.website.strip()
    joined = f"{cta} at {site}" if _GOES_AT.match(cta) else _sentence(cta, site)
    said = [_sentence(joined) if cta and site else "", _sentence(cta), _sentence(site), _sentence(copy.end_text)]
    return _distinct(said)


def _distinct(texts: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(t for t in texts if t))


def _shorter(texts: Sequence[str]) -> list[str]:
    """The wordings, each kept only when shorter than the ones before it."""
    out: list[str] = []
    for text in _distinct(texts):
        if not out or words(text) < words(out[-1]):
            out.append(text)
    return out


def _fit_body(choices: list[tuple[Part, list[str]]], window: tuple[float, float]) -> list[tuple[Part, str]]:
    """The fullest lines that fit the window with a pause between them: features dropped (the last first), then
    the longest line shortened, then the offer dropped; a line still too long alone is cut to the window."""
    span = window[1] - window[0]
    picked = [0] * len(choices)

    def total() -> float:
        chosen = [said[i] for (_, said), i in zip(choices, picked, strict=True)]
        return sum(_need(t) for t in chosen) + GAP_S * max(0, len(chosen) - 1)

    while choices and total() > span:
        features = [i for i, (part, _) in enumerate(choices) if part == "feature"]
        can = [i for i in range(len(choices)) if picked[i] + 1 < len(choices[i][1])]
        if features:
            del choices[features[-1]], picked[features[-1]]
        elif can:  # the longest line that has a shorter wording gives way first
            picked[max(can, key=lambda i: words(choices[i][1][picked[i]]))] += 1
        elif len(choices) > 1:
            del choices[-1], picked[-1]
        else:
            break
    lines = [(part, said[i]) for (part, said), i in zip(choices, picked, strict=True)]
    if len(lines) == 1:
        part, text = lines[0]
        cut = _cut(text, _budget(*window))
        return [(part, cut)] if cut else []
    return lines


def _fit_line(choices: list[str], window: tuple[float, float]) -> str:
    """The fullest wording that fits the window, else the shortest cut to it ("" when nothing fits)."""
    budget = _budget(*window)
    for text in choices:
        if words(text) <= budget:
            return text
    return _cut(choices[-1], budget) if choices else ""


def _cut(text: str, budget: int) -> str:
    if words(text) <= budget:
        return text
    kept = text.split()[:budget]
    return _sentence(" ".join(kept)) if kept else ""


def _spread(lines: list[tuple[Part, str]], window: tuple[float, float]) -> list[ScriptLine]:
    """Lines one after another across the window, each given its speaking time and a share of the time to
    spare by its length, with a pause between lines; when they need more than the window, each gets its share
    of the window by length."""
    if not lines:
        return []
    start, end = window
    gaps = GAP_S * (len(lines) - 1)
    needs = [max(_need(text), 0.4) for _, text in lines]
    spare = (end - start) - gaps - sum(needs)
    if spare >= 0:
        lengths = [n + spare * n / sum(needs) for n in needs]
    else:
        room = max(end - start - gaps, 0.1 * len(lines))
        lengths = [room * n / sum(needs) for n in needs]
        gaps = max(0.0, (end - start) - room)
    out, at = [], start
    gap = gaps / (len(lines) - 1) if len(lines) > 1 else 0.0
    for (part, text), length in zip(lines, lengths, strict=True):
        out.append(ScriptLine(text=text, start=round(at, 3), end=round(at + length, 3), part=part))
        at += length + gap
    return out


def _part_of(sentence: str, index: int, copy: AdCopy | None) -> Part:
    if copy is not None:
        said = sentence.casefold()
        if any(t and t.casefold() in said for t in (copy.offer, copy.price, copy.code)):
            return "offer"
        if any(f.casefold() in said for f in copy.features):
            return "feature"
    return "opening" if index == 0 else "feature"
