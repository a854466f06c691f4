"""Prompt refinement: a brief rewritten into a prompt for a video model's footage, by an LLM or by rules.

Clapboard draws the ad's words, logo and end card over the footage (tools/finish), exactly as written, so the
prompt asks for footage only: the brief's words without its copy (tools/brief/footage.py), never a quoted line,
price, code, call to action or website, and it ends saying the footage has no text or logos and where it stays
calm for the words (`footage_only`). With an LLM key (OpenAI, Poe or any OpenAI-compatible endpoint) a ChatOpenAI
call rewrites that into a prompt that names the subject, action, camera, lighting, style, brand look and framing;
without one, the template's scaffold does it by rules. Either way every fact the footage needs (numbers, capitalised
names such as the product's, colours) must survive: the LLM's output is cleared of any copy it wrote back, checked
for each fact, missing ones are appended, and an output that lost most of them is replaced by the rule-based
prompt. With refinement off, a hosted model is sent the brief as written less its copy (`as_written`).
`Refined.note` says which method wrote the prompt and why, and that Clapboard draws the words over the footage,
for the user who sees both versions.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal, NamedTuple

from pydantic import BaseModel

from tools.brand import BrandKit
from tools.brand.colours import COLOUR_WORDS
from tools.brand.follow import colours_for, style_words
from tools.brief import (
    MAX_PROMPT_CHARS,
    ORIENTATION,
    TITLE_SPACE,
    Brief,
    Template,
    drawn_lines,
    footage_only,
    shape_of,
    without_copy,
)
from tools.channels import CHANNELS, hide_ordinary, show_ordinary
from tools.llm import chat_model

if TYPE_CHECKING:
    from campaign.settings import Settings

log = logging.getLogger(__name__)

LLM_TIMEOUT_S = 30.0
DRAWN_OVER = "Clapboard draws the words, logo and end card over the footage, exactly as written."

SYSTEM_PROMPT = """You write prompts for AI video models (Veo, Sora, Runway, Kling, Seedance, Hailuo) from a \
marketer's brief. The model makes the footage only: the ad's words, logo and end card are laid over it later.

Write one prompt of 60 to 160 words, in plain prose, that says in this order: the subject, the action over \
the clip's duration, the camera (shot size, movement), the lighting, the visual style, the brand look (its \
colours and tone), and the framing for the given aspect ratio, with calm space where the words will go.

Rules:
- Describe the footage only. Write no words for the screen: no quoted text, headlines, slogans, prices, offers, \
promo codes, calls to action, web addresses, captions, titles, logos, signs or end cards.
- Keep every fact from the brief exactly as written: names, product names, numbers and colours.
- Do not invent facts: no new claims, names, logos or slogans.
- Answer with the prompt only: no title, no preamble, no markdown, no quotes around it."""

# --- facts ------------------------------------------------------------------------------------------------

_COLOUR = re.compile(r"\b(" + "|".join(COLOUR_WORDS) + r")\b", re.IGNORECASE)
_HEX = re.compile(r"#[0-9a-fA-F]{6}\b|#[0-9a-fA-F]{3}\b")
_QUOTED = re.compile(r"\"([^\"\n]{1,200})\"|“([^”\n]{1,200})”|«([^»\n]{1,200})»")
_NUMBER = re.compile(
    r"(?<![A-Za-z0-9])(?:[$€£¥₹]\s?)?\d+(?:[.,:]\d+)*(?:\s?%|(?:\s?(?:USD|EUR|GBP|k|K|x))\b)?(?:[$€£¥₹])?"
)
_WEB = re.compile(r"\b(?:https?://)?(?:www\.)?[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.(?:com|io|co|app|net|org|"
                  r"shop|store|ai|dev|uk|de|fr)(?:/[^\s\"']*)?", re.IGNORECASE)  # fmt: skip
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9'’&-]*")


def brief_facts(brief: str) -> list[str]:
    """The facts a refined prompt must keep of a text (for a footage prompt, the brief without its copy): quoted
    text, numbers and prices, web addresses, colours (words and hex codes) and capitalised names, in order of
    appearance, without duplicates."""
    text = brief or ""
    found: list[tuple[int, str]] = []
    for m in _QUOTED.finditer(text):
        found.append((m.start(), next(g for g in m.groups() if g is not None).strip()))
    for m in _WEB.finditer(text):
        found.append((m.start(), m.group(0).rstrip(".,;:!?")))
    for m in _HEX.finditer(text):
        found.append((m.start(), m.group(0)))
    covered = [(m.start(), m.end()) for rx in (_WEB, _HEX) for m in rx.finditer(text)]

    def inside(pos: int) -> bool:
        return any(a <= pos < b for a, b in covered)

    for m in _NUMBER.finditer(text):
        if not inside(m.start()):
            found.append((m.start(), m.group(0).strip()))
    for m in _COLOUR.finditer(text):
        if not inside(m.start()):
            found.append((m.start(), m.group(0).lower()))
    for start, name in _names(text):
        if not inside(start):
            found.append((start, name))
    facts: list[str] = []
    for _, fact in sorted(found, key=lambda x: x[0]):
        if fact and _norm(fact) not in {_norm(f) for f in facts} and _norm(fact) not in _LABEL_WORDS:
            facts.append(fact)
    # A fact inside a longer one ("black" in "Black Friday", "20%" in a quoted line) is kept with it.
    return [f for f in facts if not any(g is not f and _within(_norm(f), _norm(g)) for g in facts)]


def _within(short: str, long: str) -> bool:
    return len(short) < len(long) and re.search(rf"(?<!\w){re.escape(short)}(?!\w)", long) is not None


def _names(text: str) -> list[tuple[int, str]]:
    """Runs of capitalised words (or words with capitals inside, like "iPhone"): names, brands, products.

    A capitalised word that starts a sentence counts only when it is not an ordinary sentence word
    ("Make", "The", "Our")."""
    out: list[tuple[int, str]] = []
    run: list[tuple[int, str]] = []
    last_end = 0
    for m in _WORD.finditer(text):
        word = m.group(0).rstrip("'’-")
        between = text[last_end : m.start()]
        starts_sentence = m.start() == 0 or re.search(r"[.!?:;\n]\s*$", text[: m.start()]) is not None
        name_like = (word[:1].isupper() or any(c.isupper() for c in word[1:])) and word != "I"
        if starts_sentence and word.lower() in _SENTENCE_WORDS:
            name_like = False
        if run and (not name_like or between not in (" ", " & ", "-")):
            out.append((run[0][0], text[run[0][0] : run[-1][0] + len(run[-1][1])]))
            run = []
        if name_like:
            run.append((m.start(), word))
        last_end = m.end()
    if run:
        out.append((run[0][0], text[run[0][0] : run[-1][0] + len(run[-1][1])]))
    return out


# Ordinary words that are capitalised only because they start a sentence.
_SENTENCE_TEXT = """
    make create show use give add put let start open end close turn keep build need want please
    generate render animate film shoot do get set try highlight feature featuring include including
    mention finish introduce present announce celebrate focus target aim think imagine picture a an
    the this that these those our my your their its we you they it he she for with without and or
    but in on at by of to from as into over under after before during new now here there then when
    while if so all each every some any one two three four five six seven eight nine ten video clip
    ad teaser spot reel story short brand logo product launch campaign vertical horizontal square
    portrait landscape headline tagline price cta features title slogan button intro outro scene
    shot camera music sound voice voiceover text hook end style mood tone look feel background
    lighting colour colours color colors website site url web link
"""
_SENTENCE_WORDS = frozenset(_SENTENCE_TEXT.split())
_LABEL_WORDS = frozenset({"cta", "url", "faq", "ai", "hd", "4k", "ok"})  # capitalised, yet not names


def _norm(text: str) -> str:
    text = text.replace("“", '"').replace("”", '"').replace("’", "'").replace("«", '"').replace("»", '"')
    return re.sub(r"\s+", " ", text).strip().casefold()


def missing_facts(brief: str, prompt: str) -> list[str]:
    """The brief's facts that `prompt` does not contain (case- and spacing-insensitive)."""
    target = _norm(prompt)
    missing = []
    for fact in brief_facts(brief):
        key = _norm(fact)
        if re.fullmatch(r"[$€£¥₹]?\s?\d[\d.,:]*\s?%?[$€£¥₹]?", key):
            ok = re.search(r"(?<![\d.,])" + re.escape(key) + r"(?![\d])", target) is not None
        else:
            ok = key in target
        if not ok:
            missing.append(fact)
    return missing


# --- the format ------------------------------------------------------------------------------------------

_SHAPES = {"tall": ("vertical", "portrait"), "wide": ("landscape", "horizontal", "widescreen"), "square": ("square",)}
_FORMAT_NOUNS = (
    r"format|video|clip|ad|frame|framing|composition|crop|orientation|aspect|version|reel|teaser|spot|promo|cut|"
    r"showcase|animation|shot|layout"
)
_FORMAT_RATIOS = {"16:9", "9:16", "1:1", "4:5", "5:4", "4:3", "3:4", "3:2", "2:3", "21:9", "9:21"}
_ANY_RATIO = re.compile(r"(?<![\d:x.])(\d{1,2})\s?[:x]\s?(\d{1,2})(?![\d:x])")
# A ratio stands as a format after "in", "at", "ratio" or a length, in brackets or between commas ("in 9:16,",
# "8s 16:9", "(1:1)"), or before a format word ("a 9:16 video"), never in "1:1 coaching" or "our 16:9 deal".
_AS_FORMAT_BEFORE = re.compile(
    r"(?:\b(?:in|at|as|to|into|ratio|format|aspect)\s*:?|[(,:;\[]|^|\d\s*(?:s|secs?|seconds?))\s*$", re.I
)
_AS_FORMAT_AFTER = re.compile(
    rf"\s*(?:[,.;:)\]!?]|$|(?:-\s*)?(?:{_FORMAT_NOUNS}|ratio|vertical|portrait|landscape|horizontal|widescreen|"
    r"square)\b)",
    re.I,
)


def fit_format(prompt: str, aspect: str) -> str:
    """The prompt saying only the chosen format: another ratio, orientation word ("vertical composition" in a 16:9
    prompt) or a channel of another shape ("for TikTok" in a 16:9 prompt) is replaced by the chosen one or taken
    out, and the calm space left for the words is the chosen shape's (`TITLE_SPACE`). A brief's words ("a vertical
    teaser"), a template's style and an LLM's prose all pass through here."""
    shape = shape_of(aspect)
    word = ORIENTATION.get(aspect, _SHAPES[shape][0])
    for other, space in TITLE_SPACE.items():
        prompt = prompt if other == shape else prompt.replace(space, TITLE_SPACE[shape])
    text = _ANY_RATIO.sub(lambda m: aspect if _other_format(m, aspect) else m.group(0), hide_ordinary(prompt))
    for other, words in _SHAPES.items():
        if other == shape:
            continue
        said = "|".join(words)
        always = "|".join(w for w in words if w in ("vertical", "horizontal", "widescreen"))
        pattern = rf"\bin\s+(?:{said})\b|\b(?:{said})(?=\s+(?:{_FORMAT_NOUNS})\b)"
        if always:
            pattern += rf"|\b(?:{always})\b"
        text = re.sub(
            pattern, lambda m: f"in {word}" if m.group(0).lower().startswith("in ") else word, text, flags=re.I
        )
    other = "|".join(f"(?:{c.pattern})" for c in CHANNELS if shape_of(c.aspect) != shape)
    joined = r"\s*(?:,|&|/|\band\b|\bor\b)\s*"
    text = re.sub(rf"(?:\b(?:for|on)\s+)?(?<![\w-])(?:{other})(?:{joined}(?:{other}))*(?![\w-])", "", text, flags=re.I)
    text = re.sub(r"([,;])(?:[ \t]*[,;])+", r"\1", re.sub(r"[ \t]+([,.;:])", r"\1", text))
    return show_ordinary(re.sub(r"[ \t]{2,}", " ", text))


def _other_format(m: re.Match[str], aspect: str) -> bool:
    """Whether a ratio in a prompt is a format other than `aspect`, said as a format."""
    ratio = f"{m.group(1)}:{m.group(2)}"
    if ratio == aspect or ratio not in _FORMAT_RATIOS:
        return False
    after = _AS_FORMAT_AFTER.match(m.string, m.end())
    return bool(after and (after.group(0).strip()[:1].isalpha() or _AS_FORMAT_BEFORE.search(m.string[: m.start()])))


# --- refinement -------------------------------------------------------------------------------------------


class Refined(BaseModel):
    """A prompt for a video model, which method wrote it, and a note for the user."""

    prompt: str
    method: Literal["llm", "rules", "as written"]
    note: str = ""


class _Footage(NamedTuple):
    """What a footage prompt is made of: the brief without its copy, the copy lines kept out of it, the template,
    the format and length, and the brand's look in words."""

    brief: str
    drawn: list[str]
    template: Template
    aspect: str
    duration_s: int
    look: str


async def refine_brief(
    read: Brief,
    *,
    settings: Settings,
    aspect: str,
    duration_s: int,
    model: str | None = None,
    brand: BrandKit | None = None,
) -> Refined:
    """The brief as a prompt for footage: by the LLM when a key is set, else by the template's rules; with the
    brand kit's colours and tone as style words. The brief's copy (and the kit's call to action and website, which
    submission puts there) is drawn over the footage by Clapboard, so it is left out.

    Never raises for a failing LLM: the rules take over and `note` says so. `model` (a model's name) is only
    a hint for the LLM.
    """
    words = " ".join(read.words.split())  # no campaign name or "confidential" for the provider
    drawn = drawn_lines(read.copy, words)
    look = style_words(brand, words)
    said = colours_for(brand, words).notice  # the brief's own colours over the kit's: the user is told
    footage = _Footage(without_copy(words, drawn), drawn, read.template, aspect, duration_s, look)
    refined = await _refined(footage, model, settings)
    return refined.model_copy(update={"note": " ".join(n for n in (refined.note, DRAWN_OVER, said) if n)})


def as_written(read: Brief, aspect: str) -> Refined:
    """The prompt for a hosted model when refinement is off: the brief as written less its copy (Clapboard draws
    it over the footage), and the framing with no text or logos."""
    words = " ".join(read.words.split())
    footage = without_copy(words, drawn_lines(read.copy, words))
    prompt = "\n".join(p for p in (footage, footage_only(aspect)) if p)
    return Refined(prompt=prompt, method="as written", note=DRAWN_OVER)


async def _refined(footage: _Footage, model: str | None, settings: Settings) -> Refined:
    title = footage.template.title
    if not settings.llm_key:
        return Refined(
            prompt=_rules_prompt(footage),
            method="rules",
            note=f"The prompt was refined by rules from the {title} template.",
        )
    try:
        text = await _llm_prompt(footage, model, settings)
    except Exception as exc:  # any failure of the LLM (network, auth, timeout, bad answer) falls back
        log.warning("prompt refinement by LLM failed: %s", type(exc).__name__)
        return Refined(
            prompt=_rules_prompt(footage),
            method="rules",
            note=f"The LLM could not refine the prompt ({_why(exc)}), so it was refined by rules from the "
            f"{title} template.",
        )
    facts = brief_facts(footage.brief)
    missing = missing_facts(footage.brief, text)
    if facts and len(missing) * 2 > len(facts):
        log.info("LLM prompt dropped %d of %d facts; using rules", len(missing), len(facts))
        return Refined(
            prompt=_rules_prompt(footage),
            method="rules",
            note=f"The LLM's prompt left out most of the brief's facts ({_list(missing)}), so it was refined "
            f"by rules from the {title} template instead.",
        )
    if footage.look and missing_facts(footage.look, text):  # the kit's colours and tone in its own words
        text = f"{text.rstrip()}\nBrand look: {footage.look}."
    note = f"Refined by the LLM ({settings.llm_model})"
    if missing:
        text = f"{text.rstrip()}\nKeep exactly as given: {_list(missing)}."
        note += f"; facts it left out were added back: {_list(missing)}"
    return Refined(prompt=f"{text.rstrip()}\n{footage_only(footage.aspect)}", method="llm", note=f"{note}.")


def _rules_prompt(footage: _Footage) -> str:
    """The template's scaffold around the brief without its copy, with the brand's look (`style_words`)."""
    prompt = footage.template.scaffold(footage.brief, footage.aspect, footage.duration_s, footage.look)
    missing = missing_facts(footage.brief, prompt)
    if missing:  # the scaffold keeps the brief whole, so this is only a safety net
        prompt += f"\nKeep exactly as given: {_list(missing)}."
    return prompt


def _list(facts: list[str]) -> str:
    return ", ".join(f'"{f}"' for f in facts)


def _why(exc: Exception) -> str:
    name = type(exc).__name__
    if "Timeout" in name:
        return "it did not answer in time"
    if "Authentication" in name or "PermissionDenied" in name:
        return "its key was refused"
    if "RateLimit" in name:
        return "it is rate-limited"
    if "Connection" in name:
        return "it could not be reached"
    if isinstance(exc, ValueError):
        return "its answer was unusable"
    return "it answered with an error"


async def _llm_prompt(footage: _Footage, model: str | None, settings: Settings) -> str:
    """The LLM's prompt for the footage, without any of the copy it wrote back (quoted lines, a price, ...)."""
    from langchain_core.messages import HumanMessage, SystemMessage

    chat = chat_model(settings, temperature=0.4, timeout_s=LLM_TIMEOUT_S)
    template, aspect = footage.template, footage.aspect
    lines = [
        f"Brief: {footage.brief.strip()}",
        f"Template: {template.title}",
        f"Template guidance: subject {template.subject} Action: {template.action} Camera: {template.camera} "
        f"Lighting: {template.lighting} Style: {template.style}",
        f"Aspect ratio: {aspect} ({ORIENTATION.get(aspect, aspect)}); keep {TITLE_SPACE[shape_of(aspect)]}",
        f"Duration: {footage.duration_s} seconds",
    ]
    if footage.look:
        lines.append(f"Brand look (name these colours and this tone as the visual style): {footage.look}")
    if model:
        lines.append(f"Video model: {model}")
    reply = await chat.ainvoke([SystemMessage(SYSTEM_PROMPT), HumanMessage("\n".join(lines))])
    text = reply.content if isinstance(reply.content, str) else _joined(reply.content)
    text = without_copy(_clean(text), footage.drawn)
    if not text:
        raise ValueError("the LLM answered with an empty prompt")
    return text


def _joined(parts: Sequence[object]) -> str:
    out = []
    for p in parts:
        if isinstance(p, str):
            out.append(p)
        elif isinstance(p, dict) and isinstance(p.get("text"), str):
            out.append(p["text"])
    return "".join(out)


def _clean(text: str) -> str:
    text = text.strip()
    text = re.sub(r"^```[a-z]*\s*|\s*```$", "", text).strip()
    text = re.sub(r"^(?:refined\s+)?prompt\s*:\s*", "", text, flags=re.IGNORECASE).strip()
    if len(text) > 1 and text[0] == text[-1] == '"' and text.count('"') == 2:
        text = text[1:-1].strip()
    return text[:MAX_PROMPT_CHARS]
