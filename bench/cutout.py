"""How well does the draft's cut-out keep the product and drop the backdrop? IoU per generated studio photo.

    .venv/bin/python bench/cutout.py [--before OLD_CUTOUT.py] [--sheet OUT.png] [--only TEXT]

Each photo of tests/tools/cutout_photos.py (drawn in code, its true mask known) is cut out as the draft does it:
the plate is the photo's border colour (kit._border_colour), then cut_out(photo, plate). Prints per photo the
intersection over union of the kept pixels (alpha >= 128) with the true mask and the milliseconds the cut-out took
(median of --runs). --before loads another cutout.py (e.g. `git show main:tools/engines/draft/cutout.py`) and
prints its IoU beside. --sheet writes a contact sheet: photo | true mask | the cut-out over a checkerboard.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import time
from pathlib import Path
from types import ModuleType

import numpy as np
from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.tools.cutout_photos import NAMES, iou, photo  # noqa: E402
from tools.engines.draft import cutout  # noqa: E402
from tools.engines.draft.kit import _border_colour  # noqa: E402

THUMB = (360, 270)


def timed(
    module: ModuleType, img: Image.Image, plate: tuple[int, int, int], runs: int
) -> tuple[Image.Image | None, float]:
    times, cut = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        cut = module.cut_out(img, plate)
        times.append((time.perf_counter() - t0) * 1000)
    return cut, statistics.median(times)


def load(path: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location("cutout_before", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def checker(size: tuple[int, int]) -> Image.Image:
    board = Image.new("RGB", size, (255, 255, 255))
    d = ImageDraw.Draw(board)
    for y in range(0, size[1], 12):
        for x in range((y // 12) % 2 * 12, size[0], 24):
            d.rectangle((x, y, x + 11, y + 11), fill=(200, 60, 200))
    return board


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--before", help="another cutout.py to compare with")
    ap.add_argument("--sheet", help="write a contact sheet PNG here")
    ap.add_argument("--only", default="", help="only photos whose name contains this")
    ap.add_argument("--runs", type=int, default=1)
    args = ap.parse_args()
    before = load(args.before) if args.before else None
    rows = []
    names = [n for n in NAMES if args.only in n]
    print(f"{'photo':40} {'size':>10} {'before':>7} {'after':>7} {'ms before':>9} {'ms after':>9}")
    for name in names:
        img, truth = photo(name)
        plate = _border_colour(img)
        assert plate is not None, name
        old, old_ms = timed(before, img, plate, args.runs) if before else (None, float("nan"))
        cut, ms = timed(cutout, img, plate, args.runs)
        size = f"{img.width}x{img.height}"
        b = f"{iou(old, truth):7.3f}" if before else f"{'':7}"
        print(f"{name:40} {size:>10} {b} {iou(cut, truth):7.3f} {old_ms:9.0f} {ms:9.0f}", flush=True)
        if args.sheet:
            thumb = img.resize(THUMB, Image.Resampling.BILINEAR, reducing_gap=2.0)
            mask = Image.fromarray(truth.astype(np.uint8) * 255).resize(THUMB, Image.Resampling.BILINEAR)
            board = checker(THUMB)
            if cut is not None:
                small = cut.resize(THUMB, Image.Resampling.BILINEAR, reducing_gap=2.0)
                board.paste(small, (0, 0), small)
            rows.append((name, f"IoU {iou(cut, truth):.3f}", [thumb, mask.convert("RGB"), board]))
    if args.sheet:
        sheet = Image.new("RGB", (3 * THUMB[0] + 40, len(rows) * (THUMB[1] + 28) + 10), (255, 255, 255))
        d = ImageDraw.Draw(sheet)
        for i, (name, score, tiles) in enumerate(rows):
            y = 10 + i * (THUMB[1] + 28)
            d.text((10, y), f"{name}   {score}", fill=(0, 0, 0))
            for j, tile in enumerate(tiles):
                sheet.paste(tile, (10 + j * (THUMB[0] + 10), y + 16))
        Path(args.sheet).parent.mkdir(parents=True, exist_ok=True)
        sheet.save(args.sheet)
        print("sheet:", args.sheet)


if __name__ == "__main__":
    main()
