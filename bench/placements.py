"""What does making a creative's files for its placements cost, against making it once?

    .venv/bin/python bench/placements.py [--runs 3] [--out bench/out]

Two renders, each against its baseline in the same run (interleaved, --runs times each):
  draft            a 15 s 1080x1920 social-media draft with its music bed (the baseline: the video as made now)
  draft-reels      the same draft made for Reels (its safe zone, -14 LUFS): a placement re-lays it, at the same cost
  encode-alone     8 s of synthetic 1280x720 footage at 24 fps with AAC sound (tests/fakes/footage.py, as a 720p
                   model makes it), decoded and encoded again as it is (bench/reframe.py's baseline)
  finish-1         tools.finish.formats.finish_formats to one placement (Reels, 1080x1920): track, decode, reframe,
                   draw the ad, encode
  finish-4         the same to TikTok, Reels, Stories and Shorts (each 1080x1920, its own safe zone) from one decode
Medians of CPU seconds (all threads of this process) and wall time, with ratios to each pair's baseline; then a
contact sheet of the four placements (five frames each) in --out. The placements are stand-ins with the frame size
and safe zones of the channel table's rows (tools/delivery/placements.py): the cost follows the size alone.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import av  # noqa: E402
from PIL import Image, ImageDraw  # noqa: E402
from reframe import COPY, encode_alone, timed  # noqa: E402

from tests.fakes.brand import brand_job, kit_and_files  # noqa: E402
from tests.fakes.footage import write_footage  # noqa: E402
from tools.catalog import frame_size  # noqa: E402
from tools.delivery.placements import Placement  # noqa: E402
from tools.engines.base import RenderJob  # noqa: E402
from tools.engines.draft.engine import render_draft  # noqa: E402
from tools.finish.formats import finish_formats  # noqa: E402

FOOTAGE = (1280, 720)
SECONDS = 8.0
DRAFT_SECONDS = 15
REELS = Placement(key="reels", label="Meta Reels", aspect="9:16", width=1080, height=1920, min_width=540,
                  min_height=960, fps=(23.976, 60.0), duration_s=(1.0, 90.0), video_kbps=(516, 50_000),
                  max_bytes=4 << 30, audio_rates=(44_100, 48_000), audio_channels=2, audio_kbps_min=128,
                  loudness_lufs=-14.0, true_peak_dbtp=-1.0, safe=(0.06, 0.14, 0.06, 0.35), disclosure="",
                  sources=("bench stand-in",))  # fmt: skip
VERTICAL = (
    replace(REELS, key="tiktok", safe=(0.07, 0.14, 0.12, 0.22)),
    REELS,
    replace(REELS, key="stories", safe=(0.06, 0.14, 0.06, 0.20)),
    replace(REELS, key="shorts", safe=(0.07, 0.14, 0.12, 0.22)),
)


def job_for(placement: Placement | None, seconds: float, template: str | None = None) -> RenderJob:
    kit, _ = kit_and_files("dark")
    job = brand_job(kit, "Winter sale", template=template, aspect="9:16", duration=round(seconds), copy=COPY)
    job.audio = True
    if placement is None:
        return job
    return replace(job, width=placement.width, height=placement.height, placement=placement)


def draft(dest: Path, placement: Placement | None) -> None:
    _, files = kit_and_files("dark")
    job = job_for(placement, DRAFT_SECONDS, "social-media")
    job.width, job.height = frame_size("9:16", "1080p")
    render_draft(job, [], dest, files=files)


def finished(source: Path, folder: Path, placements: tuple[Placement, ...]) -> None:
    _, files = kit_and_files("dark")
    outputs = {p.key: (folder / f"{p.key}.mp4", job_for(p, SECONDS)) for p in placements}
    finish_formats(source, outputs, files=files)


def contact_sheet(folder: Path, dest: Path, count: int = 5, height: int = 400) -> None:
    """Five evenly spaced frames of each placement, a row each."""
    rows = []
    for p in VERTICAL:
        with av.open(str(folder / f"{p.key}.mp4")) as container:
            stream = container.streams.video[0]
            picks = {round(k * (stream.frames - 1) / (count - 1)) for k in range(count)}
            images = [f.to_image() for i, f in enumerate(container.decode(stream)) if i in picks]
        images = [im.resize((round(im.width * height / im.height), height)) for im in images]
        row = Image.new("RGB", (70 + sum(im.width + 8 for im in images), height), "white")
        ImageDraw.Draw(row).text((6, 6), p.key, fill="black")
        for k, im in enumerate(images):
            row.paste(im, (70 + k * (im.width + 8), 0))
        rows.append(row)
    sheet = Image.new("RGB", (max(r.width for r in rows), sum(r.height + 8 for r in rows)), "white")
    for k, row in enumerate(rows):
        sheet.paste(row, (0, k * (height + 8)))
    sheet.save(dest)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        source = write_footage(tmp / "footage.mp4", *FOOTAGE, SECONDS, 24, audio=True).path
        runs: dict[str, Callable[[], object]] = {
            "draft": lambda: draft(tmp / "draft.mp4", None),
            "draft-reels": lambda: draft(tmp / "draft-reels.mp4", REELS),
            "encode-alone": lambda: encode_alone(source, tmp / "alone.mp4"),
            "finish-1": lambda: finished(source, tmp, (REELS,)),
            "finish-4": lambda: finished(source, tmp, VERTICAL),
        }
        wall: dict[str, list[float]] = {k: [] for k in runs}
        cpu: dict[str, list[float]] = {k: [] for k in runs}
        for n in range(args.runs):
            for name, fn in runs.items():
                took, used = timed(fn)
                wall[name].append(took)
                cpu[name].append(used)
            print(f"run {n + 1}: " + "  ".join(f"{k} {v[-1]:.2f}s" for k, v in wall.items()), flush=True)
        contact_sheet(tmp, args.out / "placements_sheet.png")
    med = {k: statistics.median(v) for k, v in wall.items()}
    med_cpu = {k: statistics.median(v) for k, v in cpu.items()}
    base = {"draft": "draft", "draft-reels": "draft", "encode-alone": "encode-alone", "finish-1": "encode-alone",
            "finish-4": "encode-alone"}  # fmt: skip
    w, h = FOOTAGE
    print(f"\ndraft: {DRAFT_SECONDS} s 1080x1920 at 24 fps; footage: {SECONDS:g} s {w}x{h} at 24 fps with sound, "
          f"to {', '.join(p.key for p in VERTICAL)} at 1080x1920; median of {args.runs}:")  # fmt: skip
    for name in runs:
        b = base[name]
        print(f"  {name:13s} cpu {med_cpu[name]:6.2f} s  {med_cpu[name] / med_cpu[b]:5.2f}x   "
              f"wall {med[name]:6.2f} s  {med[name] / med[b]:5.2f}x   (against {b})")  # fmt: skip
    print(f"  contact sheet: {args.out / 'placements_sheet.png'}")


if __name__ == "__main__":
    main()
