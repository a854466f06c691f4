"""Prompt refinement: a brief rewritten into a model-ready video prompt, by an LLM or by rules.

With an LLM key (OpenAI, Poe or any OpenAI-compatible endpoint) a ChatOpenAI call rewrites the brief into a
prompt that names the subject, action, camera, lighting, style, brand cues and framing; without one, the
template's scaffold does it by rules. Either way every fact the user gave (numbers and prices, quoted text,
capitalised names, colours, web addresses) must survive: the LLM's output is checked for each of them, missing
ones are appended, and an output that lost most of them is replaced by the rule-based prompt. `Refined.note`
says which method wrote the prompt and why, for the user who sees both versions.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel

from tools.brand import BrandKit
from tools.brand.colours import COLOUR_WORDS
from tools.brand.follow import colours_for, style_words
from tools.brief import MAX_PROMPT_CHARS, AdCopy, Brief, Template, on_screen_text
from tools.channels import CHANNELS, hide_ordinary, show_ordinary
from tools.llm import chat_model

if TYPE_CHECKING:
    from campaign.settings import Settings

log = logging.getLogger(__name__)

LLM_TIMEOUT_S = 30.0

_ORIENTATION = {"16:9": "landscape", "9:16": "vertical", "1:1": "square", "4:5": "portrait"}

SYSTEM_PROMPT = """You write prompts for AI video models (Veo, Sora, Runway, Kling, Seedance, Hailuo) from a \
marketer's brief.

Write one prompt of 60 to 160 words, in plain prose, that says in this order: the subject, the action over \
the clip's duration, the camera (shot size, movement), the lighting, the visual style, the brand cues, any \
on-screen text, and the framing for the given aspect ratio.

Rules:
- Keep every fact from the brief exactly as written: names, product names, prices, numbers, percentages, \
colours, web addresses and any quoted text. Quoted text is on-screen text: repeat it inside double quotes, \
spelled exactly the same.
- Do not invent facts: no new prices, claims, names, logos or slogans.
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
    """The facts a refined prompt must keep: quoted text, numbers and prices, web addresses, colours (words
    and hex codes) and capitalised names, in order of appearance, without duplicates."""
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


def _shape(aspect: str) -> str:
    w, _, h = aspect.partition(":")
    try:
        ratio = int(w) / int(h)
    except (ValueError, ZeroDivisionError):
        return "wide"
    return "square" if ratio == 1 else "tall" if ratio < 1 else "wide"


def fit_format(prompt: str, aspect: str) -> str:
    """The prompt saying only the chosen format: another ratio, orientation word ("vertical composition" in a 16:9
    prompt) or a channel of another shape ("for TikTok" in a 16:9 prompt) is replaced by the chosen one or taken
    out. A brief's words ("a vertical teaser"), a template's style and an LLM's prose all pass through here."""
    shape = _shape(aspect)
    word = _ORIENTATION.get(aspect, _SHAPES[shape][0])
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
    other = "|".join(f"(?:{c.pattern})" for c in CHANNELS if _shape(c.aspect) != shape)
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
    """A refined prompt, which method wrote it, and a note for the user."""

    prompt: str
    method: Literal["llm", "rules"]
    note: str = ""


async def refine_brief(
    read: Brief,
    *,
    settings: Settings,
    aspect: str,
    duration_s: int,
    model: str | None = None,
    brand: BrandKit | None = None,
) -> Refined:
    """The brief as a model-ready prompt: by the LLM when a key is set, else by the template's rules; with the
    brand kit's colours and tone as style words (its call to action and website are in the brief's copy already,
    where the brief gave none: submission puts them there).

    Never raises for a failing LLM: the rules take over and `note` says so. `model` (a model's name) is only
    a hint for the LLM.
    """
    tpl, copy = read.template, read.copy
    brief = " ".join(read.words.split())  # no campaign name or "confidential" for the provider
    look = style_words(brand, brief)
    said = colours_for(brand, brief).notice  # the brief's own colours over the kit's: the user is told
    refined = await _refined(brief, tpl, copy, aspect, duration_s, model, settings, look)
    return refined.model_copy(update={"note": f"{refined.note} {said}".strip()}) if said else refined


async def _refined(
    brief: str,
    tpl: Template,
    copy: AdCopy,
    aspect: str,
    duration_s: int,
    model: str | None,
    settings: Settings,
    look: str,
) -> Refined:
    if not settings.llm_key:
        prompt = rules_prompt(brief, tpl, copy, aspect, duration_s, look)
        return Refined(
            prompt=prompt,
            method="rules",
            note=f"The prompt was refined by rules from the {tpl.title} template.",
        )
    try:
        text = await _llm_prompt(brief, tpl, copy, aspect, duration_s, model, settings, look)
    except Exception as exc:  # any failure of the LLM (network, auth, timeout, bad answer) falls back
        log.warning("prompt refinement by LLM failed: %s", type(exc).__name__)
        prompt = rules_prompt(brief, tpl, copy, aspect, duration_s, look)
        why = _why(exc)
        return Refined(
            prompt=prompt,
            method="rules",
            note=f"The LLM could not refine the prompt ({why}), so it was refined by rules from the "
            f"{tpl.title} template.",
        )
    facts = brief_facts(brief)
    missing = missing_facts(brief, text)
    if facts and len(missing) * 2 > len(facts):
        log.info("LLM prompt dropped %d of %d facts; using rules", len(missing), len(facts))
        return Refined(
            prompt=rules_prompt(brief, tpl, copy, aspect, duration_s, look),
            method="rules",
            note=f"The LLM's prompt left out most of the brief's facts ({_list(missing)}), so it was refined "
            f"by rules from the {tpl.title} template instead.",
        )
    if look and missing_facts(look, text):  # the kit's colours and tone are asked for in its own words
        text = f"{text.rstrip()}\nBrand look: {look}."
    if missing:
        text = f"{text.rstrip()}\nKeep exactly as given: {_list(missing)}."
        return Refined(
            prompt=text,
            method="llm",
            note=f"Refined by the LLM ({settings.llm_model}); facts it left out were added back: {_list(missing)}.",
        )
    return Refined(prompt=text, method="llm", note=f"Refined by the LLM ({settings.llm_model}).")


def rules_prompt(brief: str, template: Template, copy: AdCopy, aspect: str, duration_s: int, look: str = "") -> str:
    """The template's scaffold around the whole brief, with the brand's look (`style_words`) and the on-screen
    copy."""
    prompt = template.scaffold(brief, copy, aspect, duration_s, look)
    missing = missing_facts(brief, prompt)
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


async def _llm_prompt(
    brief: str,
    template: Template,
    copy: AdCopy,
    aspect: str,
    duration_s: int,
    model: str | None,
    settings: Settings,
    look: str = "",
) -> str:
    from langchain_core.messages import HumanMessage, SystemMessage

    chat = chat_model(settings, temperature=0.4, timeout_s=LLM_TIMEOUT_S)
    orientation = _ORIENTATION.get(aspect, aspect)
    lines = [
        f"Brief: {brief.strip()}",
        f"Template: {template.title}: {template.description}",
        f"Template guidance: subject {template.subject} Action: {template.action} Camera: {template.camera} "
        f"Lighting: {template.lighting} Style: {template.style}",
        f"Aspect ratio: {aspect} ({orientation})",
        f"Duration: {duration_s} seconds",
    ]
    if look:
        lines.append(f"Brand look (name these colours and this tone as the visual style): {look}")
    if on_screen := on_screen_text(copy):
        lines.append("On-screen text: " + "; ".join(on_screen))
    if model:
        lines.append(f"Video model: {model}")
    reply = await chat.ainvoke([SystemMessage(SYSTEM_PROMPT), HumanMessage("\n".join(lines))])
    text = reply.content if isinstance(reply.content, str) else _joined(reply.content)
    text = _clean(text)
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
