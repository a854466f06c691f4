"""A contact sheet of one brief's original and its variations: is each variation's one change visible, and worth
an A/B test?

    .venv/bin/python bench/variations_sheet.py [--template product-showcase] [--aspect 9:16] [--duration 8] [--all]
    .venv/bin/python bench/variations_sheet.py --footage [--aspect 9:16] [--duration 8] [--all] [--out sheet.png]

Renders the original and the three variations the "Variations" button makes (hook, headline order, layout; with
--all also colourway and pacing) through the draft engine, and writes a sheet with a row each: frames at 0.5 s,
2 s, 4 s and the last, labelled with what the row changes. Prints the sheet's path and each render's time and
number of picture cuts (frame-to-frame jumps). With --footage, a paid video's variations instead: the finisher
draws the original and each variation (those drawn over footage: hook, headline order, layout; with --all the
colourway and the offer leading too) over the same synthetic footage, with the "dark" test brand kit.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import tempfile
import time
from pathlib import Path

import av
import numpy as np
from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.contact_sheets import _jpeg, product_photo  # noqa: E402
from tests.fakes.brand import brand_job, kit_and_files  # noqa: E402
from tests.fakes.footage import write_footage  # noqa: E402
from tools.brief import read_copy  # noqa: E402
from tools.brief.variations import Variant, plan  # noqa: E402
from tools.catalog import frame_size  # noqa: E402
from tools.engines.base import RenderJob  # noqa: E402
from tools.engines.draft.engine import render_draft  # noqa: E402
from tools.engines.draft.provider import DRAFT  # noqa: E402
from tools.engines.draft.text import font  # noqa: E402
from tools.finish.compose import finish  # noqa: E402

OUT = ROOT / "bench" / "out"
BRIEF = (
    'Sneaker showcase for the "Ridge Runner" trail shoe: "Built for mud", featuring grippy lugs, breathable mesh and '
    "a carbon plate. 30% off this week, $89. Shop now at ridgerunner.run"
)
TIMES = (0.5, 2.0, 4.0)
CUT = 4.5  # mean absolute difference (0-255) between two frames, a quarter size, that makes a cut


def frames_and_cuts(path: Path, times: list[float]) -> tuple[list[Image.Image], int]:
    """The frames nearest `times` (the last one for a time past the end) and how many cuts the video has."""
    with av.open(str(path)) as c:
        stream = c.streams.video[0]
        fps = float(stream.average_rate or 24)
        decoded = [f.to_ndarray(format="rgb24") for f in c.decode(stream)]
    picks = [Image.fromarray(decoded[min(len(decoded) - 1, round(t * fps))]) for t in times]
    small = [a[::4, ::4].astype(np.int16) for a in decoded]
    cuts = sum(1 for a, b in zip(small, small[1:], strict=False) if np.abs(a - b).mean() > CUT)
    return picks, cuts


def render(variant: Variant, template: str, aspect: str, duration: int, work: Path) -> tuple[Path, float]:
    w, h = frame_size(aspect, "720p")
    w, h = w // 2, h // 2
    job = RenderJob(job_id="sheet", brief=BRIEF, prompt=BRIEF, model=DRAFT, duration_s=duration, aspect=aspect,
                    resolution="720p", width=w, height=h, fps=24, template=template, copy=read_copy(BRIEF),
                    audio=True, variant=variant)  # fmt: skip
    dest = work / f"{variant.change or 'original'}.mp4"
    started = time.perf_counter()
    render_draft(job, [_jpeg(product_photo())], dest)
    return dest, time.perf_counter() - started


def finish_over(variant: Variant, footage: Path, aspect: str, duration: int, work: Path) -> tuple[Path, float]:
    """The ad a paid video's variation is: drawn by the finisher over the original's footage."""
    kit, files = kit_and_files("dark")
    job = dataclasses.replace(brand_job(kit, BRIEF, aspect=aspect, duration=duration), variant=variant)
    dest = work / f"{variant.change or 'original'}.mp4"
    started = time.perf_counter()
    finish(footage, dest, job, files)
    return dest, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--template", default="product-showcase")
    parser.add_argument("--aspect", default="9:16")
    parser.add_argument("--duration", type=int, default=8)
    parser.add_argument("--all", action="store_true", help="all five kinds of change, not the button's three")
    parser.add_argument("--footage", action="store_true", help="a paid video's variations, over the same footage")
    parser.add_argument("--out", type=Path, help="where the sheet goes (default: bench/out/)")
    args = parser.parse_args()
    count = 5 if args.all else 3
    variants = [Variant(), *plan(Variant(), read_copy(BRIEF), True, set(), count, footage=args.footage)]
    times = [*TIMES, args.duration]
    rows: list[tuple[str, list[Image.Image]]] = []
    with tempfile.TemporaryDirectory() as tmp:
        if args.footage:
            w, h = frame_size(args.aspect, "720p")
            footage = write_footage(Path(tmp) / "footage.mp4", w // 2, h // 2, args.duration, 24).path
        for n, variant in enumerate(variants):
            if args.footage:
                path, seconds = finish_over(variant, footage, args.aspect, args.duration, Path(tmp))
            else:
                path, seconds = render(variant, args.template, args.aspect, args.duration, Path(tmp))
            frames, cuts = frames_and_cuts(path, times)
            name = f"Variation {n} — {variant.label}" if n else "Original"
            print(f"{name}: rendered in {seconds:.1f} s, {cuts} cuts")
            rows.append((name if args.footage else f"{name}  ({cuts} cuts)", frames))  # footage: the model's cuts
    fw, fh = rows[0][1][0].size
    label_h, pad = 34, 8
    sheet = Image.new("RGB", (pad + len(times) * (fw + pad), len(rows) * (fh + label_h + pad) + pad), (24, 24, 28))
    draw = ImageDraw.Draw(sheet)
    face, small = font("bold", 18), font("medium", 13)
    for r, (name, frames) in enumerate(rows):
        y = pad + r * (fh + label_h + pad)
        draw.text((pad, y + 4), name, font=face, fill=(240, 240, 244))
        for k, (frame, t) in enumerate(zip(frames, times, strict=True)):
            x = pad + k * (fw + pad)
            sheet.paste(frame, (x, y + label_h))
            draw.text((x + 6, y + label_h + 6), "end" if k == len(TIMES) else f"{t:g} s", font=small,
                      fill=(255, 255, 255), stroke_width=2, stroke_fill=(0, 0, 0))  # fmt: skip
    kind = "footage" if args.footage else args.template
    dest = args.out or OUT / f"variations_{kind}_{args.aspect.replace(':', 'x')}{'_all' if args.all else ''}.png"
    dest.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(dest)
    print(dest)


if __name__ == "__main__":
    main()
