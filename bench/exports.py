"""What does exporting a creative to all seven placements cost, against encoding the creative once?

    .venv/bin/python bench/exports.py [--runs 3] [--out bench/out]

Two creatives, each made once through the studio (not timed): a 15 s local draft (9:16, 1080p, with a music bed)
and a paid video's 8 s finished ad over synthetic 1280x720 footage from the fake Replicate
(tests/fakes/footage.py, with sound). In one run, interleaved, --runs times each:
  encode-once   the baseline: the creative's own file decoded and encoded again at its size with the draft's
                encoder (libx264 veryfast crf 23), its sound copied: what writing the creative once costs
  export-7      `studio.exports` to tiktok, reels, stories, meta-feed, shorts, youtube and linkedin at their full
                sizes, to the end of the job: each placement's file made again (the draft drawn again in its frame;
                the footage reframed and finished for each placement from one decode), signed with content
                credentials, measured and checked, stored, zipped with manifest.json
Medians of wall time are printed with export-7's ratio to encode-once, and every check of the last export as a
table (measured value against the placement's limit). Then a sheet of three placements' frames with their safe
zones drawn (red) and the words' boxes the check read (the layout's), in --out.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import av  # noqa: E402
from PIL import Image, ImageDraw  # noqa: E402

from tests.conftest import make_settings  # noqa: E402
from tests.fakes.footage import write_footage  # noqa: E402
from tests.fakes.replicate_server import FakeReplicate, replicate_settings  # noqa: E402
from tools.delivery.placements import DEFAULT_KEYS, find_placements  # noqa: E402
from tools.engines.draft.engine import encoder_stream, open_output  # noqa: E402
from tools.jobs import VideoRequest  # noqa: E402
from tools.studio import Studio  # noqa: E402
from tools.studio.types import ExportView  # noqa: E402

COPY = '"Run wild", 20% off trail shoes, $49, code TRAIL20, Shop now at trail.example'
DRAFT = f"A 15 second vertical social media ad for our trail shoes: {COPY}"
PAID = f"An 8 second ad for our trail shoes on veo-3.1, {COPY}"
SHEET = ("tiktok", "reels", "meta-feed")


def encode_once(source: Path, dest: Path) -> None:
    """Decode the creative and encode it again at its own size, the sound copied."""
    with av.open(str(source)) as src, open_output(dest) as out:
        video = src.streams.video[0]
        rate = video.average_rate or 24
        stream = encoder_stream(out, video.codec_context.width, video.codec_context.height, rate)
        sound = out.add_stream_from_template(src.streams.audio[0]) if src.streams.audio else None
        for packet in src.demux(*([video] + ([src.streams.audio[0]] if sound else []))):
            if packet.stream.type == "audio" and sound is not None:
                if packet.dts is not None:
                    packet.stream = sound
                    out.mux(packet)
                continue
            for frame in packet.decode():
                frame.pict_type = av.video.frame.PictureType.NONE
                out.mux(stream.encode(frame.reformat(format="yuv420p")))
        out.mux(stream.encode(None))


async def made(studio: Studio, prompt: str, **asked: object) -> tuple[str, Path]:
    actor = await studio.accounts.cli_actor(None)
    job = await studio.jobs.submit(actor, VideoRequest(prompt=prompt, **asked), confirmed=True)
    done = await studio.jobs.wait(actor, job.job_id)
    assert done.status == "succeeded", done.error
    creative = await studio.library.creative(actor, done.creative_id or "")
    path = studio.library.storage.local_path(creative.file_key)
    assert path is not None
    return creative.id, path


async def exported(studio: Studio, creative: str) -> ExportView:
    actor = await studio.accounts.cli_actor(None)
    started = await studio.exports.export(actor, creative, list(DEFAULT_KEYS))
    done = await studio.exports.wait(actor, started.id)
    assert done.status == "succeeded", done.error
    return done


def table(done: ExportView) -> None:
    print(f"\n{'placement':<10} {'check':<20} {'measured':<30} {'limit':<42} result")
    for f in done.files:
        for c in f.checks:
            result = f"skipped: {c.skipped}" if c.skipped else "ok" if c.ok else f"FAILED {c.off_by}"
            print(f"{f.placement:<10} {c.name:<20} {c.measured:<30} {c.limit:<42} {result}")


async def sheet(studio: Studio, done: ExportView, dest: Path) -> None:
    """Three placements' frames (a third in, two thirds in, on the end card), each with its safe zone in red."""
    actor = await studio.accounts.cli_actor(None)
    folder = dest.parent / "export-files"
    await studio.exports.save(actor, done.id, folder)
    rows = []
    for key in SHEET:
        (p,) = find_placements(key)
        (f,) = [f for f in done.files if f.placement == key]
        with av.open(str(folder / (f.name or ""))) as container:
            frames = [fr.to_image() for fr in container.decode(video=0)]
        picked = [frames[int(len(frames) * share)] for share in (0.3, 0.6, 0.92)]
        for image in picked:
            ImageDraw.Draw(image).rectangle(p.safe_box(image.width, image.height), outline=(255, 40, 40), width=6)
        rows.append(picked)
    cell = 360
    scaled = [[im.resize((cell, round(im.height * cell / im.width))) for im in row] for row in rows]
    height = sum(max(im.height for im in row) for row in scaled) + 10 * len(scaled)
    out = Image.new("RGB", (3 * cell + 20, height), "white")
    y = 0
    for row in scaled:
        for i, im in enumerate(row):
            out.paste(im, (i * (cell + 10), y))
        y += max(im.height for im in row) + 10
    out.save(dest)
    print(f"\nsheet: {dest}")


async def bench(kind: str, studio: Studio, prompt: str, runs: int, out: Path, **asked: object) -> None:
    creative, path = await made(studio, prompt, **asked)
    once, seven = [], []
    done = None
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(runs):
            started = time.perf_counter()
            encode_once(path, Path(tmp) / "once.mp4")
            once.append(time.perf_counter() - started)
            started = time.perf_counter()
            done = await exported(studio, creative)
            seven.append(time.perf_counter() - started)
    assert done is not None
    with av.open(str(path)) as container:
        v = container.streams.video[0].codec_context
        size = f"{v.width}x{v.height}"
    base, total = statistics.median(once), statistics.median(seven)
    print(f"\n{kind} creative, {done.files[0].duration_s:g} s {size}: encode-once {base:.1f} s, export-7 {total:.1f} s "
          f"({total / base:.1f}x; {total / 7:.1f} s a placement), medians of {runs}")  # fmt: skip
    table(done)
    await sheet(studio, done, out / f"export-{kind}.png")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        studio = await Studio.open(make_settings(Path(tmp) / "draft"))
        try:
            await bench("draft", studio, DRAFT, args.runs, args.out, model="draft", resolution="1080p", duration_s=15,
                        aspect="9:16")  # fmt: skip
        finally:
            await studio.close()
        footage = write_footage(Path(tmp) / "footage.mp4", width=1280, height=720, seconds=8)
        with FakeReplicate() as fake:
            fake.set_scenario("*", "success", footage=footage.path)
            studio = await Studio.open(replicate_settings(fake, Path(tmp) / "paid"))
            try:
                await bench("paid", studio, PAID, args.runs, args.out, model="veo-3.1", duration_s=8, aspect="16:9")
            finally:
                await studio.close()


if __name__ == "__main__":
    asyncio.run(main())
