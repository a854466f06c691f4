"""Contact sheets: one PNG per template (six frames each) so anyone can look at what the draft engine makes.

    .venv/bin/python bench/contact_sheets.py [--aspect 16:9] [--all-aspects] [--duration 8] [--qa] [--long]

Writes bench/out/<template>[_<aspect>].png and the MP4s next to them (with their music bed). With --qa, also the
cases testers reported (bench/out/qa_*.png): transparent and navy wordmarks, a 60 s showcase, briefs that are all
instructions. With --long, 30 s and 60 s drafts of every template with and without references, a frame every
2.5 s or 5 s (bench/out/long_<template>_<seconds>s[_norefs].png): is there a new beat every few seconds?
"""

from __future__ import annotations

import argparse
import io
import math
import sys
import time
from pathlib import Path

import av
from PIL import Image, ImageDraw, ImageFilter

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tools.brief import get_template, read_copy  # noqa: E402
from tools.catalog import frame_size  # noqa: E402
from tools.engines.base import RenderJob  # noqa: E402
from tools.engines.draft.engine import render_draft  # noqa: E402
from tools.engines.draft.provider import DRAFT  # noqa: E402
from tools.engines.draft.text import font  # noqa: E402

OUT = ROOT / "bench" / "out"


# --- sample references, drawn in code (no binary files in the repo) ----------------------------------------


def _png(img: Image.Image) -> bytes:
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


def _jpeg(img: Image.Image, quality: int = 90) -> bytes:
    out = io.BytesIO()
    img.convert("RGB").save(out, "JPEG", quality=quality)
    return out.getvalue()


def product_photo(w: int = 2000, h: int = 1500) -> Image.Image:
    """A studio shot of a sneaker-like product on a soft grey sweep."""
    img = Image.linear_gradient("L").resize((w, h)).point(lambda v: 236 - v // 9).convert("RGB")
    d = ImageDraw.Draw(img)
    k = w / 2000
    # floor shadow
    shadow = Image.new("L", (w, h), 0)
    ImageDraw.Draw(shadow).ellipse((420 * k, 1060 * k, 1620 * k, 1180 * k), fill=150)
    shadow = shadow.filter(ImageFilter.GaussianBlur(28 * k))
    img.paste((60, 60, 70), (0, 0), shadow)
    # sole
    d.rounded_rectangle((430 * k, 960 * k, 1600 * k, 1080 * k), radius=50 * k, fill=(245, 245, 240))
    d.rounded_rectangle((430 * k, 1040 * k, 1600 * k, 1090 * k), radius=25 * k, fill=(40, 40, 48))
    # upper
    d.polygon(
        [
            (470 * k, 970 * k),
            (560 * k, 640 * k),
            (900 * k, 560 * k),
            (1180 * k, 720 * k),
            (1560 * k, 820 * k),
            (1590 * k, 970 * k),
        ],
        fill=(226, 58, 52),
    )
    d.polygon([(560 * k, 640 * k), (900 * k, 560 * k), (980 * k, 700 * k), (640 * k, 780 * k)], fill=(30, 42, 92))
    for n in range(6):
        x = 900 * k + n * 60 * k
        d.line(
            (x, 640 * k + n * 14 * k, x + 90 * k, 700 * k + n * 14 * k),
            fill=(250, 250, 250),
            width=int(12 * k),
        )
    d.ellipse((1220 * k, 820 * k, 1320 * k, 900 * k), fill=(250, 250, 250))
    # swoosh-like stripe
    d.arc((700 * k, 700 * k, 1500 * k, 1100 * k), 200, 320, fill=(250, 250, 250), width=int(26 * k))
    return img


def transparent_logo(size: int = 900) -> Image.Image:
    """A transparent two-colour logo mark with a wordmark bar."""
    img = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    s = size / 900
    d.ellipse((150 * s, 80 * s, 750 * s, 680 * s), fill=(18, 110, 220, 255))
    d.pieslice((150 * s, 80 * s, 750 * s, 680 * s), 200, 340, fill=(255, 170, 20, 255))
    d.ellipse((330 * s, 260 * s, 570 * s, 500 * s), fill=(0, 0, 0, 0))
    d.rounded_rectangle((170 * s, 740 * s, 730 * s, 820 * s), radius=40 * s, fill=(18, 110, 220, 255))
    return img


def wordmark(text: str = "ACME", colour: tuple[int, int, int] = (20, 32, 84), size: int = 220) -> Image.Image:
    """A transparent one-colour wordmark, nothing around the letters."""
    f = font("black", size)
    img = Image.new("RGBA", (int(f.getlength(text)) + size // 5, int(size * 1.4)), colour + (0,))
    ImageDraw.Draw(img).text((size // 10, size // 10), text, font=f, fill=colour + (255,))
    return img


def lifestyle_photo(w: int = 1600, h: int = 1200, seed: int = 1) -> Image.Image:
    """An outdoor scene: sky gradient, sun, hills, a path."""
    sky = Image.linear_gradient("L").resize((w, h))
    top, bottom = (86, 156, 230), (255, 205, 150)
    img = Image.composite(Image.new("RGB", (w, h), bottom), Image.new("RGB", (w, h), top), sky)
    d = ImageDraw.Draw(img)
    d.ellipse((w * 0.62, h * 0.18, w * 0.78, h * 0.39), fill=(255, 236, 180))
    for n, colour in enumerate([(70, 130, 90), (46, 100, 70), (30, 74, 52)]):
        pts = [(0, h)]
        for x in range(0, w + 40, 40):
            y = h * (0.55 + n * 0.1) + math.sin(x / w * 6 + n * 2 + seed) * h * 0.05
            pts.append((x, y))
        pts.append((w, h))
        d.polygon(pts, fill=colour)
    d.polygon([(w * 0.45, h), (w * 0.55, h), (w * 0.51, h * 0.72), (w * 0.49, h * 0.72)], fill=(200, 180, 140))
    return img


def rainbow(w: int = 1200, h: int = 900, alpha: bool = False) -> Image.Image:
    """A hue sweep (used by tests to find the reference in decoded frames)."""
    hue = Image.linear_gradient("L").rotate(90).resize((w, h))
    sat = Image.new("L", (w, h), 230)
    val = Image.new("L", (w, h), 235)
    img = Image.merge("HSV", (hue, sat, val)).convert("RGBA")
    if alpha:
        mask = Image.new("L", (w, h), 0)
        ImageDraw.Draw(mask).ellipse((w * 0.05, h * 0.05, w * 0.95, h * 0.95), fill=255)
        img.putalpha(mask)
    return img


SAMPLES = {
    "product": lambda: _jpeg(product_photo()),
    "logo": lambda: _png(transparent_logo()),
    "lifestyle": lambda: _jpeg(lifestyle_photo()),
    "lifestyle2": lambda: _jpeg(lifestyle_photo(seed=4).transpose(Image.Transpose.FLIP_LEFT_RIGHT)),
    "acme": lambda: _png(wordmark()),
    "product_tall": lambda: _jpeg(product_photo(1500, 2000)),
}

# name: (template, aspect, seconds, brief, references)
QA_CASES = {
    "qa_social_logo_9x16": (
        "social-media",
        "9:16",
        8,
        "TikTok social media ad for the spring sale of our sneakers. Shop now",
        ["acme", "product_tall", "lifestyle"],
    ),
    "qa_social_logo_1x1": ("social-media", "1:1", 8, "Summer sale ad for sneakers, price $249, CTA Shop now", ["acme"]),
    "qa_brand_navy_logo": (
        "brand-animation",
        "16:9",
        10,
        'a 10 s brand animation of our logo for YouTube, tagline "Run the city"',
        ["acme"],
    ),
    "qa_showcase_60s": (
        "product-showcase",
        "16:9",
        60,
        "Product showcase of our sneaker, featuring breathable mesh, carbon plate sole and 20% lighter build",
        ["product"],
    ),
    "qa_brand_60s": (
        "brand-animation",
        "16:9",
        60,
        "Logo animation for Northwind Labs, tagline: Ideas that move",
        ["logo"],
    ),
    "qa_prompt_ad": ("prompt", "9:16", 4, "ad", []),
    "qa_prompt_teaser": ("prompt", "1:1", 4, "a 3 second square teaser", ["lifestyle"]),
}


CASES = {
    "brand-animation": (
        'Logo animation for Northwind Labs. tagline: "Ideas that move." Learn more',
        ["logo", "lifestyle"],
    ),
    "product-showcase": (
        'Product showcase of the new "AirFlow X" runner, featuring breathable mesh, carbon plate sole and '
        "20% lighter build. Only $129. Shop now",
        ["product"],
    ),
    "social-media": (
        'TikTok ad for our summer trail shoe. Hook: "Your weekend just got lighter" - features: grips any trail; '
        "dries in minutes; made from recycled nylon. €89. Get yours",
        ["product", "lifestyle", "lifestyle2"],
    ),
    "prompt": (
        "A calm morning hike through green hills at sunrise, fresh air, golden light, find your trail this spring",
        ["lifestyle", "lifestyle2"],
    ),
}


def make_job(name: str, template: str, brief: str, aspect: str, seconds: int, resolution: str) -> RenderJob:
    w, h = frame_size(aspect, resolution)
    return RenderJob(
        job_id=name,
        brief=brief,
        prompt=brief,
        model=DRAFT,
        duration_s=seconds,
        aspect=aspect,
        resolution=resolution,
        width=w,
        height=h,
        fps=24,
        template=template,
        copy=read_copy(brief),
        audio=True,
    )


def long_sheets(refs_cache: dict[str, bytes], resolution: str) -> None:
    """30 s and 60 s drafts of every template, with and without references."""
    for name, (brief, ref_names) in CASES.items():
        aspect = get_template(name).aspect or "16:9"
        for seconds in (30, 60):
            for raw in ([refs_cache[r] for r in ref_names], []):
                stem = f"long_{name}_{seconds}s" + ("" if raw else "_norefs")
                job = make_job(stem, name, brief, aspect, seconds, resolution)
                video = OUT / f"{stem}.mp4"
                started = time.perf_counter()
                render_draft(job, raw, video)
                took = time.perf_counter() - started
                title = f"{name} {aspect} {seconds}s {'refs' if raw else 'no refs'}  rendered in {took:.1f}s"
                sheet(title, sample_frames(video, 12)).save(OUT / f"{stem}.png")
                print(f"bench/out/{stem}.png  {took:.1f}s", flush=True)


def sample_frames(path: Path, count: int = 6) -> list[tuple[float, Image.Image]]:
    with av.open(str(path)) as c:
        stream = c.streams.video[0]
        total = stream.frames
        wanted = {round((k + 0.5) * total / count) for k in range(count)}
        out = []
        for n, frame in enumerate(c.decode(stream)):
            if n in wanted:
                out.append((frame.time or 0.0, frame.to_image()))
        return out


def sheet(title: str, frames: list[tuple[float, Image.Image]]) -> Image.Image:
    w, h = frames[0][1].size
    scale = 420 / max(w, h)
    tw, th = round(w * scale), round(h * scale)
    cols = 3
    rows = (len(frames) + cols - 1) // cols
    pad, head = 16, 44
    img = Image.new("RGB", (cols * (tw + pad) + pad, head + rows * (th + pad + 22) + pad), (32, 32, 36))
    d = ImageDraw.Draw(img)
    d.text((pad, 12), title, font=font("bold", 20), fill=(235, 235, 240))
    for k, (t, frame) in enumerate(frames):
        x = pad + (k % cols) * (tw + pad)
        y = head + (k // cols) * (th + pad + 22)
        img.paste(frame.resize((tw, th), Image.Resampling.LANCZOS), (x, y))
        d.text((x, y + th + 3), f"t = {t:.2f} s", font=font("medium", 15), fill=(180, 180, 190))
    return img


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--aspect", default=None)
    ap.add_argument("--all-aspects", action="store_true")
    ap.add_argument("--duration", type=int, default=8)
    ap.add_argument("--resolution", default="720p")
    ap.add_argument("--template", default=None)
    ap.add_argument("--no-refs", action="store_true")
    ap.add_argument("--qa", action="store_true", help="also render the cases testers reported")
    ap.add_argument("--long", action="store_true", help="only 30 s and 60 s drafts, with and without references")
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    refs_cache = {name: make() for name, make in SAMPLES.items()}
    if args.long:
        long_sheets(refs_cache, args.resolution)
        return
    if args.qa:
        for name, (template, aspect, seconds, brief, ref_names) in QA_CASES.items():
            job = make_job(name, template, brief, aspect, seconds, args.resolution)
            video = OUT / f"{name}.mp4"
            started = time.perf_counter()
            result = render_draft(job, [refs_cache[r] for r in ref_names], video)
            took = time.perf_counter() - started
            title = f"{name}  {template} {aspect} {seconds}s  headline {result.copy.headline!r}  {took:.2f}s"
            png = OUT / f"{name}.png"
            sheet(title, sample_frames(video, 9)).save(png)
            print(f"{png.relative_to(ROOT)}  {took:.2f}s")
    for name, (brief, ref_names) in CASES.items():
        if args.template and args.template != name:
            continue
        aspects = (
            ["16:9", "9:16", "1:1", "4:5"] if args.all_aspects else [args.aspect or get_template(name).aspect or "16:9"]
        )
        for aspect in aspects:
            job = make_job(f"sheet-{name}", name, brief, aspect, args.duration, args.resolution)
            w, h = job.width, job.height
            raw = [] if args.no_refs else [refs_cache[r] for r in ref_names]
            suffix = "" if len(aspects) == 1 and not args.aspect else f"_{aspect.replace(':', 'x')}"
            suffix += "_norefs" if args.no_refs else ""
            video = OUT / f"{name}{suffix}.mp4"
            started = time.perf_counter()
            result = render_draft(job, raw, video)
            took = time.perf_counter() - started
            title = f"{name}  {aspect} {w}x{h}  {args.duration}s  rendered in {took:.2f}s"
            png = OUT / f"{name}{suffix}.png"
            sheet(title, sample_frames(video)).save(png)
            pal = " ".join("#{:02x}{:02x}{:02x}".format(*c) for c in result.palette.colours)
            print(f"{png.relative_to(ROOT)}  {took:.2f}s  palette {pal}")


if __name__ == "__main__":
    main()
