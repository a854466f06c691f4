"""Templates: brand-animation, product-showcase, social-media and the plain `prompt` template.

A template is two things at once: a prompt scaffold that premium video models understand (subject, action,
camera, lighting, style, on-screen text) and a motion design the local `draft` engine renders. The words on
screen are the brief's copy (tools/brief/copy.py), whatever the template.
"""

from __future__ import annotations

import difflib
import re

from pydantic import BaseModel

from campaign.errors import InvalidRequest
from tools.brief.copy import FIELDS, AdCopy

_ORIENTATION = {"16:9": "landscape", "9:16": "vertical", "1:1": "square", "4:5": "portrait"}


class Template(BaseModel):
    """One template: its name, what it is for, and the prompt scaffold's parts."""

    name: str
    title: str
    aliases: list[str]
    description: str
    subject: str = ""
    action: str = ""
    camera: str = ""
    lighting: str = ""
    style: str = ""
    aspect: str | None = None  # the format it is made in when the request names none (None: the model's default)

    def scaffold(self, brief: str, copy: AdCopy, aspect: str, duration_s: int, brand: str = "") -> str:
        """A model-ready prompt: the brief kept whole, then subject, action, camera, lighting, style, the brand's
        look (`brand`: its colours and tone in words, tools/brand/follow.py) and the text."""
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
        if brand:
            lines.append(f"Brand look: {brand}.")
        text = on_screen_text(copy)
        if text:
            intro = "On-screen text (exact spelling, legible, inside safe margins): "
            lines.append(intro + "; ".join(text) + ".")
        else:
            lines.append("On-screen text: none unless the brief asks for it.")
        return "\n".join(lines)


def aspect_for(template: Template, asked: str | None, offered: list[str]) -> tuple[str | None, str]:
    """The format to make: the one asked for, else the template's own when the model offers it (a social ad is
    vertical); and a notice saying so when the template chose it."""
    if asked or template.aspect is None or template.aspect not in offered:
        return asked, ""
    orientation = _ORIENTATION.get(template.aspect, template.aspect)
    return template.aspect, f"{template.title}s are {orientation} ({template.aspect}) unless you name a format."


def on_screen_text(copy: AdCopy) -> list[str]:
    """The copy as labelled, quoted on-screen text, in display order."""
    out: list[str] = []
    for f in FIELDS:
        value = getattr(copy, f.name)
        if value:
            out.append(f"{f.place} " + ", ".join(f'"{v}"' for v in (value if isinstance(value, list) else [value])))
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
            subject="the product or brand from the reference images, true to their look.",
            action="open on a bold hook line within the first second, then quick cuts every second or so "
            "between the references with captions, ending on a call-to-action end card.",
            camera="handheld energy, punch-in zooms and snappy cuts on the beat.",
            lighting="bright, high-contrast, saturated.",
            style="native short-form social video, bold captions kept clear of the platform's interface "
            "(top 14% and bottom 20% left free), vertical composition.",
            aspect="9:16",
        ),
        Template(
            name="prompt",
            title="Prompt video",
            aliases=["none", "default", "free", "freeform", "free-form", "plain", "custom", "no template"],
            description="No template: the brief's key phrases over the references with gentle motion.",
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
