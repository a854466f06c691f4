"""Brand kits made in code for the draft's brand tests: logos (a ring and a wordmark on their own alpha, in a dark
and a light variant), real font files, and a job that follows a kit."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageDraw

from tools.brand import BrandKit, Color, Font
from tools.brand.follow import filled
from tools.brief import AdCopy, read_copy
from tools.catalog import frame_size
from tools.engines.base import RenderJob
from tools.engines.draft.engine import BrandFiles
from tools.engines.draft.provider import DRAFT
from tools.engines.draft.text import font

FONTS = Path(__file__).resolve().parents[2] / "tools" / "fonts"
SERIF = Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf")
RGB = tuple[int, int, int]


def logo_png(word: RGB, ring: RGB, text: str = "Northwind") -> bytes:
    """A transparent logo: a ring and a wordmark, nothing around them."""
    f = font("black", 160)
    img = Image.new("RGBA", (int(f.getlength(text)) + 260, 240), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    d.ellipse((10, 20, 210, 220), fill=ring + (255,))
    d.ellipse((60, 70, 160, 170), fill=(0, 0, 0, 0))
    d.text((240, 190), text, font=f, fill=word + (255,), anchor="ls")
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


def headline_font() -> bytes:
    """A second family for headlines: DejaVu Serif where Debian has it, else the bundled Red Hat Display."""
    return (SERIF if SERIF.is_file() else FONTS / "RedHatDisplay-Black.ttf").read_bytes()


KITS: dict[str, tuple[list[Color], RGB, RGB]] = {
    # name: (colours, logo colour, light logo colour)
    "dark": ([Color(hex="#0B0F1A", role="background"), Color(hex="#E8EEF5", role="text"), Color(hex="#00C2A8")],
             (11, 15, 26), (232, 238, 245)),
    "light": ([Color(hex="#F6F1E7"), Color(hex="#1F3A2E"), Color(hex="#E4572E")], (31, 58, 46), (246, 241, 231)),
    # three greys a few shades apart: no pair of them reads as text
    "low-contrast": ([Color(hex="#8A9BA8"), Color(hex="#A3B1BC"), Color(hex="#B9C4CC")], (150, 165, 176),
                     (190, 200, 208)),
}  # fmt: skip


def kit_and_files(name: str) -> tuple[BrandKit, BrandFiles]:
    """One of the `KITS`, with its call to action, website, tone, legal line, logos and fonts."""
    colours, dark, light = KITS[name]
    kit = BrandKit(
        logo="brand/logo.png",
        logo_light="brand/logo-light.png",
        colors=colours,
        fonts=[
            Font(key="brand/headline.ttf", family="Headline", use="headline"),
            Font(key="brand/body.ttf", family="Red Hat Display", use="body"),
        ],  # fmt: skip
        cta="Shop now",
        website="northwind.example",
        tone=["bold", "playful"],
        legal="Offer valid in participating stores until 31 December. Terms apply.",
    )
    files = BrandFiles(
        logo=logo_png(dark, (255, 90, 31)),
        logo_light=logo_png(light, (255, 90, 31)),
        fonts={"headline": headline_font(), "body": (FONTS / "RedHatDisplay-Medium.ttf").read_bytes()},
    )
    return kit, files


def brand_job(
    kit: BrandKit | None,
    brief: str,
    *,
    template: str | None = None,
    aspect: str = "16:9",
    duration: int = 30,
    copy: AdCopy | None = None,
) -> RenderJob:
    """A render job following `kit`, its copy read from the brief and filled from the kit as submission does."""
    w, h = frame_size(aspect, "720p")
    return RenderJob(job_id="brand", brief=brief, prompt=brief, model=DRAFT, duration_s=duration, aspect=aspect,
                     resolution="720p", width=w, height=h, fps=24, template=template,
                     copy=filled(copy or read_copy(brief), kit), brand=kit)  # fmt: skip
