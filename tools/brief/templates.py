"""Templates: brand-animation, product-showcase, social-media and the plain `prompt` template.

A template is two things at once: a prompt scaffold that premium video models understand (subject, action,
camera, lighting, style, framing) for footage without a word on it, and a motion design the local `draft` engine
renders. The words on screen are the brief's copy (tools/brief/copy.py), whatever the template: Clapboard draws
them, the logo and the end card over the footage, so a prompt asks for none of them (`FOOTAGE_ONLY`) and leaves
calm space where they go (`title_space`).
"""

from __future__ import annotations

import difflib
import re

from pydantic import BaseModel

from campaign.errors import InvalidRequest

ORIENTATION = {"16:9": "landscape", "9:16": "vertical", "1:1": "square", "4:5": "portrait"}
NO_TEXT = (
    "No on-screen text or logos: no captions, titles, subtitles, logos, watermarks, signs or lettering on "
    "packaging anywhere in the footage."
)
# Where the finisher lays the words, by the frame's shape: kept calm in the footage.
TITLE_SPACE = {
    "tall": "the subject in the middle third, the top and bottom thirds of the frame calm and uncluttered",
    "wide": "the subject in the upper two thirds, the lower third of the frame calm and uncluttered",
    "square": "the subject in the centre, the top and bottom quarters of the frame calm and uncluttered",
}


def shape_of(aspect: str) -> str:
    """The frame's shape: "tall", "wide" or "square" ("wide" for an aspect that is no ratio)."""
    w, _, h = aspect.partition(":")
    try:
        ratio = int(w) / int(h)
    except (ValueError, ZeroDivisionError):
        return "wide"
    return "square" if ratio == 1 else "tall" if ratio < 1 else "wide"


def footage_only(aspect: str) -> str:
    """What every prompt for a hosted model ends with: its framing, with calm space where the words go, and no
    text or logos of its own."""
    return f"Framing: {aspect} {ORIENTATION.get(aspect, shape_of(aspect))}, {TITLE_SPACE[shape_of(aspect)]}.\n{NO_TEXT}"


class Template(BaseModel):
    """One template: its name, what it is for, and the prompt scaffold's parts (footage only)."""

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

    def scaffold(self, brief: str, aspect: str, duration_s: int, brand: str = "") -> str:
        """A model-ready prompt for footage: the brief (its words without the copy, `without_copy`) kept whole,
        then subject, action, camera, lighting, style, the brand's look (`brand`: its colours and tone in words,
        tools/brand/follow.py), the framing and no text or logos."""
        orientation = ORIENTATION.get(aspect, aspect)
        lines = [
            f"{self.title} footage, {duration_s} seconds, {aspect} {orientation} video.",
            *([f"Brief: {brief.strip()}"] if brief.strip() else []),
            f"Subject: {self.subject}",
            f"Action: {self.action}",
            f"Camera: {self.camera}",
            f"Lighting: {self.lighting}",
            f"Style: {self.style}",
        ]
        if brand:
            lines.append(f"Brand look: {brand}.")
        lines.append(footage_only(aspect))
        return "\n".join(lines)


def aspect_for(template: Template, asked: str | None, offered: list[str]) -> tuple[str | None, str]:
    """The format to make: the one asked for, else the template's own when the model offers it (a social ad is
    vertical); and a notice saying so when the template chose it."""
    if asked or template.aspect is None or template.aspect not in offered:
        return asked, ""
    orientation = ORIENTATION.get(template.aspect, template.aspect)
    return template.aspect, f"{template.title}s are {orientation} ({template.aspect}) unless you name a format."


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
            subject="an abstract backdrop in the brand palette: soft gradients, shapes and light, with no mark or "
            "emblem of its own.",
            action="slow, flowing motion that builds to a soft light sweep across the centre, then settles into a "
            "calm, steady final second.",
            camera="locked-off, centred, a slow push-in of a few percent.",
            lighting="clean studio light with a soft glow at the centre; a single specular sweep.",
            style="premium motion graphics, flat background in the brand palette with a subtle gradient, "
            "crisp edges, no objects or people.",
        ),
        Template(
            name="product-showcase",
            title="Product showcase",
            aliases=["product", "showcase", "product demo", "product video", "product showcase", "packshot"],
            description="The product with pan and zoom, feature captions in sequence, and a price or "
            "call-to-action end card.",
            subject="the product exactly as in the reference image: same shape, materials, colours and details.",
            action="a slow pan and zoom across the product revealing its details, one detail per beat, ending on "
            "a steady hero shot with room around the product.",
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
            action="open on a striking moment within the first second, then quick cuts every second or so "
            "between the references, ending on a steady, simple hero shot.",
            camera="handheld energy, punch-in zooms and snappy cuts on the beat.",
            lighting="bright, high-contrast, saturated.",
            style="native short-form social video, the subject kept clear of the platform's interface (top 14% "
            "and bottom 20% of the frame), vertical composition.",
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
