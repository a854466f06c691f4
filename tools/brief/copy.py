"""On-screen copy: the words a creative shows, as explicit fields (sale, headline, tagline, features, offer, price,
conditions, promo code, call to action, website, end text), and the strict reading of a brief that finds them when they were not given.

A brief mixes what the ad says with how to make it. Only text the brief gives *as copy* is taken: quoted text,
labelled fields ("tagline: ...", "CTA Shop now"), prices and percentage offers, calls to action, features listed
after "featuring" or "features:", "the words ... at the end", and product or brand names (AURORA, iPhone, Nike
Air Max). Campaign names, instructions, confidentiality markers, model, template and platform words and stage
directions are never copy: what the brief does not give as copy stays off screen.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from campaign.text import storable
from tools.brief.instructions import QUOTED, without_instructions

# Requests, jobs and creatives call their copy `copy` (the API's word), which shadows pydantic's deprecated
# BaseModel.copy(); every such model imports this module first.
warnings.filterwarnings("ignore", message='Field name "copy" .* shadows an attribute', category=UserWarning)

COPY_CHARS = 120
MAX_FEATURES = 8
MAX_CONDITIONS = 4
FIELD_NAMES: tuple[str, ...] = (
    "sale",
    "headline",
    "tagline",
    "features",
    "offer",
    "price",
    "conditions",
    "code",
    "cta",
    "website",
    "end_text",
)

Line = Annotated[str, StringConstraints(strip_whitespace=True, max_length=COPY_CHARS), AfterValidator(storable)]


class AdCopy(BaseModel):
    """The words on screen. Empty fields show nothing; nothing else is ever drawn."""

    model_config = ConfigDict(extra="forbid")

    sale: Line = Field(default="", description="The sale's name when the brief names one: Autumn sale.")
    headline: Line = Field(default="", description="The main line, shown big: the product, the offer or a hook.")
    tagline: Line = Field(default="", description="A short line under the headline or the logo.")
    features: list[Line] = Field(
        default_factory=list, max_length=MAX_FEATURES, description="Feature captions, one per beat."
    )
    offer: Line = Field(default="", description="What is off, with its scope: 25% off all jackets.")
    price: Line = Field(default="", description="The price as written: $129, €49,99.")
    conditions: list[Line] = Field(
        default_factory=list,
        max_length=MAX_CONDITIONS,
        description="The offer's terms, shown small: Free shipping over $50, While stocks last.",
    )
    code: Line = Field(default="", description="A promo code with its verb: Use code KNIT30.")
    cta: Line = Field(default="", description="The call to action in the brief's words: Shop now, Swipe up.")
    website: Line = Field(default="", description="The website or handle for the end card: aurora.run, @aurora.")
    end_text: Line = Field(default="", description="Words on the end card, shown only at the close.")

    def texts(self) -> list[str]:
        """Every text on screen, in display order."""
        return [t for name in FIELD_NAMES for t in self._values(name)]

    def given(self) -> dict[str, Any]:
        """The fields that hold text."""
        return self.model_dump(exclude_defaults=True)

    def over(self, base: AdCopy) -> AdCopy:
        """This copy's fields, and the base's where this one has none."""
        return base.model_copy(update=self.given())

    def _values(self, name: str) -> list[str]:
        value = getattr(self, name)
        return [v for v in (value if isinstance(value, list) else [value]) if v]


def split_features(text: str) -> list[str]:
    """Feature captions from a newline-, semicolon- or comma-separated list ("a, b and c" gives three)."""
    if "\n" in text:
        parts = text.splitlines()
    elif ";" in text:
        parts = text.split(";")
    else:
        parts = re.split(r",\s*(?:and\s+)?|\s+and\s+", text)
    out = []
    for p in parts:
        p = p.strip(" \t-*•–.")
        if p:
            out.append(p[0].upper() + p[1:])
    return out


# --- what is copy -----------------------------------------------------------------------------------------

_LABELS = (
    r"headline|title|hook|tagline|slogan|features?|price|cta|call to action|call-to-action|button|"
    r"end text|end card|end line|closing line|sign-off"
)
_QUOTE_ALTS = r"\"([^\"\n]+)\"|“([^”\n]+)”|«([^»\n]+)»|'([^'\n]+?)'(?!\w)"
_LABEL = re.compile(
    rf"(?im)\b({_LABELS})\s*[:=]\s*(?:{_QUOTE_ALTS}|"
    rf"(.+?)(?=(?:\s*[;\n])|(?:\.\s)|(?:\s+[-–—]\s)|(?:,?\s+(?:and\s+)?\b(?:{_LABELS})\b\s*[:=]?)|$))"
)
# "tagline "Run the city"", "headline is 'Big deals'": a label and quoted text, no colon.
_LABEL_WORD = re.compile(rf"(?i)\b(?:{_LABELS})\b")
_LABEL_QUOTED = re.compile(
    rf"(?i)\b({_LABELS})\s+(?:(?:that\s+|which\s+)?(?:is|reads|says|saying|reading|of|to)\s+)?(?:{_QUOTE_ALTS})"
)
# "tagline Run the city, CTA Shop now": a label and plain words up to the next punctuation or label. Only for
# labels that are rarely ordinary words in a brief, and not when a plain word follows ("a bold headline and ...").
_PLAIN_LABELS = r"headline|tagline|slogan|cta|call to action|call-to-action|price"
_NOT_A_VALUE = (
    r"and|or|with|without|in|on|at|for|to|that|which|should|must|will|would|can|could|is|are|was|be|text|font|"
    r"fonts|colou?rs?|style|size|animation|below|above|under|over|then|plus|appears?|shows?|fades?|slides?|only|"
    r"too|also|here|there|of|from|about|like|as|first|last|line|lines|copy|card|button|box|area|placement|space|"
    r"reads?|says?|saying|reading|please|the|a|an|in|it|its|this|these|those|our|my|their|your|tag|point"
)
_LABEL_PLAIN = re.compile(
    rf"(?i)\b({_PLAIN_LABELS})\s+(?:(?:is|reads|says|of)\s+)?(?!(?:{_NOT_A_VALUE})\b)([^\s,;.!?\n\"“«'][^,;\n\"“«]*?)"
    rf"(?=\s*[,;\n!?]|\.\s|\.$|\s+[-–—]\s|\s+\b(?:{_LABELS})\b|$)"
)
# A feature list ends at a full stop, a line end, or a semicolon before the next label or a price.
_FEATURES_LABEL = re.compile(
    rf"(?im)\bfeatures?\s*[:=]\s*(.+?)(?=\.\s|\n|;\s*(?:(?:{_LABELS})\b|[$€£¥₹])|\s+\b(?:{_LABELS})\b\s*[:=]|\.?$)"
)
LABEL_FIELDS = {
    "headline": "headline",
    "title": "headline",
    "hook": "headline",
    "tagline": "tagline",
    "slogan": "tagline",
    "feature": "features",
    "features": "features",
    "price": "price",
    "cta": "cta",
    "call to action": "cta",
    "button": "cta",
    "end text": "end_text",
    "end card": "end_text",
    "end line": "end_text",
    "closing line": "end_text",
    "sign off": "end_text",
}
# "with the words Run further at the end", "end on 'See you out there'", "ending with Just run"
_END_WORDS = re.compile(
    rf"(?i)\b(?:with|and|showing|show|put|add)\s+(?:the\s+)?(?:words?|text|line)\s+(?:{_QUOTE_ALTS}|(.+?))"
    r"\s+(?:at|on)\s+the\s+(?:end|close|finish)(?:\s+card)?\b"
    rf"|\b(?:end|ending|close|closing|finish)\s+(?:on|with)\s+(?:the\s+(?:words?|line)\s+)?(?:{_QUOTE_ALTS})"
)
_CUR_SYM = "$€£¥₹"
_CUR_CODE = r"USD|EUR|GBP|JPY|CAD|AUD|CHF|INR|SEK|NOK|DKK|PLN"
# An amount: thousands grouped by commas or dots ("1,299", "1.299,00"), or plain digits with cents; never a
# trailing comma ("$249, headline ...").
_AMOUNT = r"(?:\d{1,3}(?:[,.]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?)(?![\d])"
_PRICE = re.compile(
    rf"(?<![\w.])(?:(?:from|only|just)\s+)?(?:[{_CUR_SYM}]\s?{_AMOUNT}|{_AMOUNT}\s?[{_CUR_SYM}]"
    rf"|{_AMOUNT}\s?(?:{_CUR_CODE})\b|(?:{_CUR_CODE})\s?{_AMOUNT})",
    re.I,
)
_OFFER = re.compile(
    r"(?i)(?<![\w.])(?:(?:up\s+to|save|extra)\s+\d{1,3}(?:[.,]\d)?\s?%(?:\s*(?:off|discount))?"
    r"|\d{1,3}(?:[.,]\d)?\s?%\s*(?:off|discount))"
    r"(?:\s+(?:everything|everywhere|sitewide|storewide|all\s+[\w-]+(?:\s+[\w-]+)?|your\s+first\s+order|"
    r"(?:all\s+)?(?:shoes|sneakers|orders?|items|products|purchases|subscriptions?)))?"
)
_CTAS = (
    "shop now", "buy now", "order now", "pre-order now", "preorder now", "pre-order today", "order today",
    "get yours today", "get yours", "learn more", "find out more", "discover more", "discover now",
    "sign up today", "sign up now", "sign up", "join now", "join today", "subscribe now", "subscribe",
    "get started", "start free trial", "try it free", "try it now", "try for free", "try now", "download now",
    "download the app", "install now", "book now", "book today", "reserve now", "see more", "watch now",
    "visit us", "claim your offer", "limited time only", "shop the sale", "shop the collection",
)  # fmt: skip
_CTA = re.compile(r"(?i)\b(" + "|".join(re.escape(c) for c in _CTAS) + r")\b")
_BULLET = re.compile(r"(?m)^\s*(?:[-*•–]|\d+[.)])\s+(.+?)\s*$")
_FEATURING = re.compile(r"(?i)\b(?:featuring|with features|highlights?|highlighting)\s*:?\s+(.+?)(?:[.;!?\n]|$)")
# Product and brand names: AURORA, iPhone, PlayStation, or two or more capitalised words inside a sentence
# (Nike Air Max). A lone capitalised word is too often an ordinary word at the start of a clause.
_SHOUTED = re.compile(r"(?<![\w'’-])([A-Z][A-Z0-9&]{2,}(?:[-\s][A-Z0-9&]{2,})*)(?![\w'’-])")
_INNER_CAP = re.compile(r"(?<![\w'’-])([a-z]+[A-Z][\w]*|[A-Z][a-z]+[A-Z][\w]*)(?![\w'’-])")
_TITLE_RUN = re.compile(r"(?<=[a-z,]\s)([A-Z][\w'’&-]+(?:\s+[A-Z0-9][\w'’&-]*)+)")
_PLACE = re.compile(r"\b(?:in|over|at|near|from|across|through|on|to|into|above|under|around)\s+(?:the\s+)?$", re.I)
_NOT_NAMES = {
    "cta", "usd", "eur", "gbp", "jpy", "cad", "aud", "chf", "inr", "sek", "nok", "dkk", "pln", "hd", "uhd", "fhd",
    "fps", "mp4", "mov", "gif", "png", "jpg", "jpeg", "url", "api", "llm", "seo", "roi", "kpi", "dtc", "b2b",
    "b2c", "faq", "asap", "fyi", "nda", "tbd", "tbc", "eta", "and", "the", "for", "new", "now", "off", "sale",
    "free", "buy", "shop", "all", "you", "our", "tiktok", "youtube", "linkedin", "ios", "macos", "pdf", "ceo",
    "cmo", "lufs", "aac",
}  # fmt: skip
_NOT_NAME_WORDS = re.compile(
    r"(?i)^(?:instagram|facebook|youtube|tiktok|reels?|shorts|stories|snapchat|pinterest|twitter|linkedin|"
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march|april|may|june|july|"
    r"august|september|october|november|december|black|cyber|christmas|easter|halloween|"
    r"open|cut|close|fade|end|start|pan|zoom|show|then|make|use|add)$"
)


def read_copy(brief: str, model_names: Sequence[str] = ()) -> AdCopy:
    """The copy a brief gives (see `copy_in`), its instructions left out first."""
    return copy_in(without_instructions(brief, model_names))


def copy_in(text: str) -> AdCopy:
    """The copy in a brief without instructions: labelled fields win, quoted text fills the headline, then the
    tagline, then the features; prices, offers, calls to action, listed features, end words and product names
    fill the rest."""
    found: dict[str, str | list[str]] = {}

    def put(name: str, value: str | list[str]) -> bool:
        if not value or name in found:
            return False
        found[name] = value
        return True

    labelled: list[tuple[int, str, str]] = []
    for regex in (_LABEL, _LABEL_QUOTED, _LABEL_PLAIN):
        for label in regex.finditer(text):
            value = next((g for g in label.groups()[1:] if g is not None), "")
            labelled.append((label.start(), LABEL_FIELDS[re.sub(r"[\s-]+", " ", label.group(1).lower())], value))
    for _, name, raw in sorted(labelled, key=lambda x: x[0]):
        value = _clean(raw)
        if name == "features" and (fm := _FEATURES_LABEL.search(text)):
            value = _clean(fm.group(1))
        if name == "price" and not (_PRICE.search(value) or _OFFER.search(value)):
            continue  # "price point", "price tag": not a price
        put(name, split_features(value) if name == "features" else value)
    if m := _END_WORDS.search(text):
        put("end_text", _clean(next((g for g in m.groups() if g is not None), "")))

    taken = {v for v in found.values() if isinstance(v, str)}
    quoted = [_clean(next(g for g in m.groups() if g is not None)) for m in QUOTED.finditer(text)]
    extra: list[str] = []
    for q in (q for q in quoted if q and q not in taken):
        if not (_CTA.fullmatch(q) and put("cta", q)) and not put("headline", q) and not put("tagline", q):
            extra.append(q)

    unquoted = QUOTED.sub(" ", text)
    if m := _PRICE.search(unquoted):
        put("price", m.group(0).strip())
    for m in _OFFER.finditer(unquoted):
        offer = m.group(0).strip()
        if not (put("price", offer) or put("headline", offer) or put("tagline", offer)):
            extra.append(offer)
    if m := _CTA.search(unquoted):
        put("cta", m.group(1)[0].upper() + m.group(1)[1:].lower())

    bullets = [b.strip() for b in _BULLET.findall(text)]
    if bullets:
        put("features", split_features("\n".join(bullets)))
    elif m := _FEATURING.search(unquoted):
        put("features", split_features(m.group(1)))
    if extra:
        found["features"] = [*found.get("features", []), *(e for e in extra if e not in found.get("features", []))]
    if "headline" not in found and (name := product_name(_CTA.sub(" ", _LABEL_WORD.sub(" ", unquoted)))):
        found["headline"] = name
    fitted = {k: [_fit(x) for x in v[:MAX_FEATURES]] if isinstance(v, list) else _fit(v) for k, v in found.items()}
    return AdCopy.model_validate(fitted)


def product_name(text: str) -> str:
    """The first product or brand name in the text (AURORA, iPhone, Nike Air Max), or ""."""
    candidates: list[tuple[int, str]] = []
    for regex in (_SHOUTED, _INNER_CAP, _TITLE_RUN):
        for m in regex.finditer(text):
            if regex is _TITLE_RUN and _PLACE.search(text, 0, m.start()):
                continue  # "open on a sunrise over Mount Rainier": where a shot is, not what is sold
            words = [w for w in m.group(1).split() if not _NOT_NAME_WORDS.match(w)]
            name = " ".join(words)
            if name and name.lower() not in _NOT_NAMES and not _CTA.fullmatch(name) and not name.isdigit():
                candidates.append((m.start(), name))
    return min(candidates)[1] if candidates else ""


def _fit(text: str) -> str:
    """The text cut between words to COPY_CHARS characters (a word longer than that is cut)."""
    if len(text) <= COPY_CHARS:
        return text
    cut = text[: COPY_CHARS + 1].rsplit(" ", 1)[0]
    return (cut if len(cut) <= COPY_CHARS else text[:COPY_CHARS]).rstrip(" ,;:-")


def _clean(value: str) -> str:
    """A value without surrounding quotes, unbalanced quote marks or trailing punctuation."""
    value = value.strip().strip("\"“”«»'").strip()
    for a, b in (('"', '"'), ("“", "”"), ("«", "»")):
        if value.count(a) % 2 if a == b else value.count(a) != value.count(b):
            value = value.replace(a, "").replace(b, "")
    return value.rstrip(".,;:").strip()
