"""Templates: brand-animation, product-showcase, social-media and the plain `prompt` template.

A template is two things at once: a prompt scaffold that premium video models understand (subject, action,
camera, lighting, style, on-screen text) and a motion design the local `draft` engine renders. Its fields
(headline, tagline, features, price, cta) come from the user, or from the brief when not given.
"""

from __future__ import annotations

import difflib
import re

from pydantic import BaseModel

from campaign.errors import InvalidRequest

FIELD_NAMES: tuple[str, ...] = ("headline", "tagline", "features", "price", "cta")

_ORIENTATION = {"16:9": "landscape", "9:16": "vertical", "1:1": "square", "4:5": "portrait"}


class Template(BaseModel):
    """One template: its name, what it is for, and which on-screen fields it uses."""

    name: str
    title: str
    aliases: list[str]
    description: str
    fields: list[str]
    subject: str = ""
    action: str = ""
    camera: str = ""
    lighting: str = ""
    style: str = ""

    def scaffold(self, brief: str, fields: dict[str, str], aspect: str, duration_s: int) -> str:
        """A model-ready prompt: the brief kept whole, then subject, action, camera, lighting, style, text."""
        orientation = _ORIENTATION.get(aspect, aspect)
        lines = [
            f"{self.title}, {duration_s} seconds, {aspect} {orientation} video.",
            f"Brief: {brief.strip()}",
            f"Subject: {self.subject}",
            f"Action: {self.action}",
            f"Camera: {self.camera}",
            f"Lighting: {self.lighting}",
            f"Style: {self.style}",
        ]
        text = on_screen_text(fields)
        if text:
            intro = "On-screen text (exact spelling, legible, inside safe margins): "
            lines.append(intro + "; ".join(text) + ".")
        else:
            lines.append("On-screen text: none unless the brief asks for it.")
        return "\n".join(lines)


def on_screen_text(fields: dict[str, str]) -> list[str]:
    """The fields as labelled, quoted on-screen text, in display order."""
    out: list[str] = []
    labels = {
        "headline": "headline",
        "tagline": "tagline",
        "price": "price",
        "cta": "end card call to action",
    }
    for name in FIELD_NAMES:
        value = (fields.get(name) or "").strip()
        if not value:
            continue
        if name == "features":
            items = [f'"{f}"' for f in split_features(value)]
            out.append("feature captions in sequence " + ", ".join(items))
        else:
            out.append(f'{labels[name]} "{value}"')
    return out


TEMPLATES: dict[str, Template] = {
    t.name: t
    for t in (
        Template(
            name="brand-animation",
            title="Brand animation",
            aliases=[
                "brand",
                "branding",
                "logo animation",
                "logo reveal",
                "brand reveal",
                "brand animation",
            ],
            description="The logo revealed with motion (scale, fade, light sweep) over the brand palette, "
            "a tagline and an end card.",
            fields=["headline", "tagline", "cta"],
            subject="the brand's logo exactly as in the reference image: same shape, proportions and colours.",
            action="the logo scales up from 90% and fades in, a soft light sweep crosses it, the tagline "
            "rises in beneath it, then an end card holds the logo with the call to action.",
            camera="locked-off, centred, a slow push-in of a few percent.",
            lighting="clean studio light with a soft glow behind the logo; a single specular sweep.",
            style="premium motion graphics, flat background in the brand palette with a subtle gradient, "
            "crisp vector edges, no extra objects or people.",
        ),
        Template(
            name="product-showcase",
            title="Product showcase",
            aliases=["product", "showcase", "product demo", "product video", "product showcase", "packshot"],
            description="The product with pan and zoom, feature captions in sequence, and a price or "
            "call-to-action end card.",
            fields=["headline", "features", "price", "cta"],
            subject="the product exactly as in the reference image: same shape, materials, colours and details.",
            action="a slow pan and zoom across the product revealing its details, one feature caption per "
            "beat, ending on a hero shot with the price and call to action.",
            camera="smooth dolly and gentle orbit, shallow depth of field, macro close-ups between wide shots.",
            lighting="soft key light with a rim light that outlines the product, clean reflections.",
            style="commercial product photography in motion, seamless background in the brand colours, "
            "sharp focus on the product.",
        ),
        Template(
            name="social-media",
            title="Social media ad",
            aliases=[
                "social",
                "social media",
                "social ad",
                "social-ad",
                "tiktok",
                "tiktok ad",
                "reels",
                "instagram",
                "instagram reel",
            ],
            description="Vertical first: a hook line in the first second, quick cuts between references, "
            "captions in the platform's safe zones and a call-to-action end card.",
            fields=["headline", "features", "price", "cta"],
            subject="the product or brand from the reference images, true to their look.",
            action="open on a bold hook line within the first second, then quick cuts every second or so "
            "between the references with captions, ending on a call-to-action end card.",
            camera="handheld energy, punch-in zooms and snappy cuts on the beat.",
            lighting="bright, high-contrast, saturated.",
            style="native short-form social video, bold captions kept clear of the platform's interface "
            "(top 14% and bottom 20% left free), vertical composition.",
        ),
        Template(
            name="prompt",
            title="Prompt video",
            aliases=["none", "default", "free", "freeform", "free-form", "plain", "custom", "no template"],
            description="No template: the brief's key phrases over the references with gentle motion.",
            fields=["headline", "tagline"],
            subject="as described in the brief; keep the look of any reference images.",
            action="as described in the brief, with natural, continuous motion.",
            camera="as the brief suggests, otherwise a slow, steady push-in.",
            lighting="as the brief suggests, otherwise soft, natural light.",
            style="as the brief suggests, otherwise clean and cinematic.",
        ),
    )
}

_LOOKUP: dict[str, str] = {}
for _t in TEMPLATES.values():
    for _n in (_t.name, _t.title, *_t.aliases):
        _LOOKUP[_n.lower()] = _t.name


def _norm(name: str) -> str:
    return re.sub(r"[\s_\-]+", " ", name.strip().lower())


_LOOKUP_NORM = {_norm(k): v for k, v in _LOOKUP.items()}


def get_template(name: str | None) -> Template:
    """The template for a name or alias, case-insensitively; None (or "") is the plain `prompt` template.

    Raises InvalidRequest listing the templates for an unknown name.
    """
    if name is None or not name.strip():
        return TEMPLATES["prompt"]
    key = _norm(name)
    if key in _LOOKUP_NORM:
        return TEMPLATES[_LOOKUP_NORM[key]]
    for suffix in (" template", " video", " ad"):
        if key.endswith(suffix) and key[: -len(suffix)] in _LOOKUP_NORM:
            return TEMPLATES[_LOOKUP_NORM[key[: -len(suffix)]]]
    close = difflib.get_close_matches(key, list(_LOOKUP_NORM), n=1, cutoff=0.75)
    hint = f"Did you mean {_LOOKUP_NORM[close[0]]}? " if close else ""
    raise InvalidRequest(
        f"There is no template called '{name}'.",
        hint=f"{hint}Available: {', '.join(TEMPLATES)}.",
    )


# --- fields from the brief -------------------------------------------------------------------------------

_QUOTED = re.compile(r"\"([^\"\n]{1,200})\"|“([^”\n]{1,200})”|«([^»\n]{1,200})»|(?<![\w'])'([^'\n]{2,200}?)'(?!\w)")
_LABELS = r"headline|title|hook|tagline|slogan|features?|price|cta|call to action|call-to-action|button"
_QUOTE_ALTS = r"\"([^\"\n]+)\"|“([^”\n]+)”|«([^»\n]+)»|'([^'\n]+?)'(?!\w)"
_LABEL = re.compile(
    rf"(?im)\b({_LABELS})\s*[:=]\s*(?:{_QUOTE_ALTS}|"
    rf"(.+?)(?=(?:\s*[;\n])|(?:\.\s)|(?:\s+[-–—]\s)|(?:\s+\b(?:{_LABELS})\s*[:=])|$))"
)
# "tagline "Run the city"", "headline is 'Big deals'": a label and quoted text, no colon.
_LABEL_QUOTED = re.compile(
    rf"(?i)\b({_LABELS})\s+(?:(?:that\s+|which\s+)?(?:is|reads|says|saying|reading|of)\s+)?(?:{_QUOTE_ALTS})"
)
# "tagline Run the city, CTA Shop now": a label and plain words up to the next punctuation or label. Only for
# labels that are rarely ordinary words in a brief, and not when a plain word follows ("a bold headline and ...").
_PLAIN_LABELS = r"headline|tagline|slogan|cta|call to action|call-to-action"
_NOT_A_VALUE = (
    r"and|or|with|without|in|on|at|for|to|that|which|should|must|will|would|can|could|is|are|was|be|text|font|"
    r"fonts|colou?rs?|style|size|animation|below|above|under|over|then|plus|appears?|shows?|fades?|slides?|only|"
    r"too|also|here|there|of|from|about|like|as|first|last|line|lines|copy|card|button|box|area|placement|space|"
    r"reads?|says?|saying|reading|please|the|a|an|in|it|its|this|these|those|our|my|their|your"
)
_LABEL_PLAIN = re.compile(
    rf"(?i)\b({_PLAIN_LABELS})\s+(?:(?:is|reads|says)\s+)?(?!(?:{_NOT_A_VALUE})\b)([^\s,;.!?\n\"“«'][^,;\n\"“«]*?)"
    rf"(?=\s*[,;\n!?]|\.\s|\.$|\s+[-–—]\s|\s+\b(?:{_LABELS})\b|$)"
)
_FEATURES_LABEL = re.compile(rf"(?im)\bfeatures?\s*[:=]\s*(.+?)(?=(?:\.\s)|\n|(?:\s+\b(?:{_LABELS})\s*[:=])|\.?$)")
_LABEL_FIELD = {
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
}
_CUR_SYM = "$€£¥₹"
_CUR_CODE = r"USD|EUR|GBP|JPY|CAD|AUD|CHF|INR|SEK|NOK|DKK|PLN"
# An amount: thousands grouped by commas or dots ("1,299", "1.299,00"), or plain digits with cents; never a
# trailing comma ("$249, headline ...").
_AMOUNT = r"(?:\d{1,3}(?:[,.]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?)(?![\d])"
_PRICE = re.compile(
    rf"(?<![\w.])(?:[{_CUR_SYM}]\s?{_AMOUNT}|{_AMOUNT}\s?[{_CUR_SYM}]"
    rf"|{_AMOUNT}\s?(?:{_CUR_CODE})\b|(?:{_CUR_CODE})\s?{_AMOUNT})"
)
_CTAS = (
    "shop now",
    "buy now",
    "order now",
    "pre-order now",
    "preorder now",
    "pre-order today",
    "order today",
    "get yours today",
    "get yours",
    "learn more",
    "find out more",
    "discover more",
    "discover now",
    "sign up today",
    "sign up now",
    "sign up",
    "join now",
    "join today",
    "subscribe now",
    "subscribe",
    "get started",
    "start free trial",
    "try it free",
    "try it now",
    "try for free",
    "try now",
    "download now",
    "download the app",
    "install now",
    "book now",
    "book today",
    "reserve now",
    "see more",
    "watch now",
    "visit us",
    "claim your offer",
    "limited time only",
)
_CTA = re.compile(r"(?i)\b(" + "|".join(re.escape(c) for c in _CTAS) + r")\b")
_BULLET = re.compile(r"(?m)^\s*(?:[-*•–]|\d+[.)])\s+(.+?)\s*$")
_FEATURING = re.compile(
    r"(?i)\b(?:featuring|features|with features|highlights?|highlighting)\s*:?\s+(.+?)(?:[.;!?\n]|$)"
)


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


def _clean(value: str) -> str:
    """A field value without surrounding quotes, unbalanced quote marks or trailing punctuation."""
    value = value.strip().strip("\"“”«»'").strip()
    for a, b in (('"', '"'), ("“", "”"), ("«", "»")):
        if value.count(a) % 2 if a == b else value.count(a) != value.count(b):
            value = value.replace(a, "").replace(b, "")
    return value.rstrip(".,;").strip()


def extract_fields(brief: str, template: Template) -> dict[str, str]:
    """On-screen fields the template uses, taken from the brief where it states them.

    Labelled values ("headline: ...", "price: ...") win; quoted text ("...") is on-screen text and fills the
    headline, then the tagline (or the features when the template has no tagline); prices such as "$129",
    "€49.99" or "29 USD" and calls to action such as "Shop now" are recognised anywhere; features come from a
    bullet list or "featuring a, b and c" and are returned newline-separated.
    """
    found: dict[str, str] = {}
    text = brief or ""

    labelled: list[tuple[int, str, str]] = []
    for regex in (_LABEL, _LABEL_QUOTED, _LABEL_PLAIN):
        for m in regex.finditer(text):
            value = next((g for g in m.groups()[1:] if g is not None), "")
            labelled.append((m.start(), _LABEL_FIELD[re.sub(r"[\s-]+", " ", m.group(1).lower())], value))
    for _, name, raw in sorted(labelled, key=lambda x: x[0]):
        value = _clean(raw)
        if value and name not in found:
            if name == "features" and (fm := _FEATURES_LABEL.search(text)):
                value = _clean(fm.group(1))
            found[name] = "\n".join(split_features(value)) if name == "features" else value

    quoted = [_clean(next(g for g in m.groups() if g is not None)) for m in _QUOTED.finditer(text)]
    quoted = [q for q in quoted if q and q not in found.values()]
    extra_features: list[str] = []
    for q in quoted:
        if _CTA.fullmatch(q) and "cta" not in found:
            found["cta"] = q
        elif "headline" not in found:
            found["headline"] = q
        elif "tagline" not in found and "tagline" in template.fields:
            found["tagline"] = q
        else:
            extra_features.append(q)

    if "price" not in found and (m := _PRICE.search(text)):
        found["price"] = m.group(0).strip()

    if "cta" not in found and (m := _CTA.search(text)):
        cta = m.group(1)
        found["cta"] = cta[0].upper() + cta[1:].lower()

    if "features" not in found:
        bullets = [b.strip() for b in _BULLET.findall(text)]
        if bullets:
            found["features"] = "\n".join(split_features("\n".join(bullets)))
        elif m := _FEATURING.search(text):
            found["features"] = "\n".join(split_features(m.group(1)))
        elif extra_features:
            found["features"] = "\n".join(extra_features)

    return {k: found[k] for k in FIELD_NAMES if k in found and k in template.fields and found[k]}


def template_names() -> list[str]:
    return list(TEMPLATES)
