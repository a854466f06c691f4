"""How much does making a paid video's other formats cost (reframed, and finished with the ad), against encoding
the same footage once?

    .venv/bin/python bench/reframe.py [--runs 3] [--seconds 8] [--out bench/out]

The footage: 8 s of synthetic 1080x1920 at 24 fps with AAC sound (tests/fakes/footage.py: a subject crossing a
panning textured background), made once and not timed; its other formats are 1:1 (1080x1080), 4:5 (1080x1350) and
16:9 (1920x1080), 2.27x its pixels together. In one run, interleaved, --runs times each:
  encode-alone  the baseline: decode the footage and encode it again at its own size with the same encoder
                settings (the draft's libx264 veryfast crf 23), sound copied: what writing this footage once costs.
                Each decoded frame's picture type is cleared first, as a reframed frame's is (a new frame has
                none): x264 chooses I, P and B frames itself, as it does for the reframes and the finisher
  same-types    the same, the decoded frames' picture types left set: x264 then copies the source's I/P/B
                pattern and skips its own choice (about 40% less CPU here): the cheapest way to write it once
  reframe-3     tools.finish.reframe: find the subject (its own decoding pass), then decode once more and write
                the three formats, sound copied (it keeps the source's P and B frames too, so against same-types
                it is like for like): reframing alone, no words
  track         the subject-finding pass alone (part of every row below)
  two-pass-1    one format (16:9) as a reframe job made it before: reframe (track, decode, encode), then finish
                the reframed file (decode it, draw the ad, encode again)
  two-pass-3    the three formats so: three jobs, each its own two passes
  fused-1       one format as a reframe job makes it now (tools.finish.formats.finish_format): track, decode,
                reframe, draw the ad, encode once
  fused-3       the three formats so: three jobs (the job system's one job, one creative), three tracks and
                decodes, one encode per format
  shared-3      tools.finish.formats.finish_formats with the three outputs: one track, one decode, three encodes
                (what a set-level job would cost)
The ad is bench/finish.py's full copy (sale, headline, tagline, two features, deal, end card) with a brand kit.
Medians of CPU seconds (all threads of this process), which other work on a shared machine disturbs less, and of
wall time are printed with each row's ratio to encode-alone (the issue's bound for three finished formats: 3x
CPU). Then the peak memory (VmHWM) of one fused-3 in a fresh process, and a contact sheet of the three fused
formats (six frames each) in --out.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import av  # noqa: E402
from PIL import Image, ImageDraw  # noqa: E402

from tests.fakes.brand import brand_job, kit_and_files  # noqa: E402
from tests.fakes.footage import write_footage  # noqa: E402
from tools.brief import AdCopy  # noqa: E402
from tools.engines.base import RenderJob  # noqa: E402
from tools.engines.draft.engine import BrandFiles, encoder_stream, open_output  # noqa: E402
from tools.finish.compose import finish  # noqa: E402
from tools.finish.formats import finish_format, finish_formats  # noqa: E402
from tools.finish.reframe import output_size, reframe  # noqa: E402
from tools.finish.subject import frame_rate, track_subject  # noqa: E402

SIZE = (1080, 1920)
ASPECTS = ("1:1", "4:5", "16:9")
ONE = "16:9"
COPY = AdCopy(sale="Winter sale", headline="Warm starts here", tagline="Layers for every city",
              features=["Recycled wool", "Storm-proof seams"], offer="30% off all coats", price="$129",
              conditions=["Free shipping over $50"], code="Use code WARM30", cta="Shop now",
              website="northwind.example", end_text="Stay warm")  # fmt: skip


def cpu_seconds() -> float:
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def timed(fn: Callable[[], object]) -> tuple[float, float]:
    cpu, started = cpu_seconds(), time.perf_counter()
    fn()
    return time.perf_counter() - started, cpu_seconds() - cpu


def encode_alone(source: Path, dest: Path, same_types: bool = False) -> None:
    """The footage decoded and encoded again as it is, its sound copied."""
    with av.open(str(source)) as container, open_output(dest) as out:
        video, audio = container.streams.video[0], container.streams.audio[0]
        stream = encoder_stream(out, video.codec_context.width, video.codec_context.height, frame_rate(video))
        sound = out.add_stream_from_template(audio)
        n = 0
        for packet in container.demux(video, audio):
            if packet.stream is video:
                for frame in packet.decode():
                    frame.pts, frame.time_base = n, stream.codec_context.time_base
                    if not same_types:
                        frame.pict_type = av.video.frame.PictureType.NONE
                    out.mux(stream.encode(frame))
                    n += 1
            elif packet.dts is not None:
                copy = av.Packet(bytes(packet))
                copy.pts, copy.dts, copy.time_base = packet.pts, packet.dts, packet.time_base
                copy.stream = sound
                out.mux(copy)
        out.mux(stream.encode(None))


def named(folder: Path, aspect: str, kind: str) -> Path:
    return folder / f"{kind}-{aspect.replace(':', 'x')}.mp4"


def reframe_three(source: Path, folder: Path) -> None:
    reframe(source, {a: named(folder, a, "reframed") for a in ASPECTS})


def jobs(seconds: float) -> tuple[dict[str, RenderJob], BrandFiles]:
    kit, files = kit_and_files("dark")
    return {a: brand_job(kit, "Winter sale", aspect=a, duration=round(seconds), copy=COPY) for a in ASPECTS}, files


def two_pass(source: Path, folder: Path, aspects: tuple[str, ...], seconds: float) -> None:
    """As a reframe job made its format before: reframed to a file, then that file finished."""
    made, files = jobs(seconds)
    for a in aspects:
        framed = named(folder, a, "framed")
        reframe(source, {a: framed})
        finish(framed, named(folder, a, "two-pass"), made[a], files)


def fused(source: Path, folder: Path, aspects: tuple[str, ...], seconds: float) -> None:
    """As a reframe job makes its format now: one job per format, each one pass."""
    made, files = jobs(seconds)
    for a in aspects:
        finish_format(source, named(folder, a, "fused"), made[a], files)


def shared(source: Path, folder: Path, seconds: float) -> None:
    """The three formats from one decode."""
    made, files = jobs(seconds)
    finish_formats(source, {a: (named(folder, a, "shared"), made[a]) for a in ASPECTS}, files=files)


def peak_memory_mb(source: Path, folder: Path) -> float:
    """VmHWM of a fresh process that makes the three finished formats as the jobs do (imports included)."""
    code = (
        "import sys; from pathlib import Path; sys.path[:0] = [sys.argv[1], sys.argv[1] + '/bench']\n"
        "from reframe import ASPECTS, fused; fused(Path(sys.argv[2]), Path(sys.argv[3]), ASPECTS, 8.0)\n"
        "print([l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(ROOT), str(source), str(folder)], capture_output=True, text=True, check=True
    )
    return int(done.stdout.strip()) / 1024


def contact_sheet(folder: Path, dest: Path, count: int = 6, height: int = 300) -> None:
    """Six evenly spaced frames of each format, a row each."""
    rows = []
    for aspect in ASPECTS:
        with av.open(str(named(folder, aspect, "fused"))) as container:
            stream = container.streams.video[0]
            picks = {round(k * (stream.frames - 1) / (count - 1)) for k in range(count)}
            images = [f.to_image() for i, f in enumerate(container.decode(stream)) if i in picks]
        images = [im.resize((round(im.width * height / im.height), height)) for im in images]
        row = Image.new("RGB", (60 + sum(im.width + 8 for im in images), height), "white")
        ImageDraw.Draw(row).text((6, 6), aspect, fill="black")
        x = 60
        for im in images:
            row.paste(im, (x, 0))
            x += im.width + 8
        rows.append(row)
    sheet = Image.new("RGB", (max(r.width for r in rows), sum(r.height + 8 for r in rows)), "white")
    y = 0
    for row in rows:
        sheet.paste(row, (0, y))
        y += row.height + 8
    sheet.save(dest)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=8.0)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        source = write_footage(tmp / "footage.mp4", *SIZE, args.seconds, 24, audio=True).path
        secs = args.seconds
        runs: dict[str, Callable[[], object]] = {
            "encode-alone": lambda: encode_alone(source, tmp / "alone.mp4"),
            "same-types": lambda: encode_alone(source, tmp / "same.mp4", same_types=True),
            "reframe-3": lambda: reframe_three(source, tmp),
            "track": lambda: track_subject(source),
            "two-pass-1": lambda: two_pass(source, tmp, (ONE,), secs),
            "two-pass-3": lambda: two_pass(source, tmp, ASPECTS, secs),
            "fused-1": lambda: fused(source, tmp, (ONE,), secs),
            "fused-3": lambda: fused(source, tmp, ASPECTS, secs),
            "shared-3": lambda: shared(source, tmp, secs),
        }
        times: dict[str, list[float]] = {k: [] for k in runs}
        cpu: dict[str, list[float]] = {k: [] for k in runs}
        for n in range(args.runs):
            for name, fn in runs.items():
                wall, used = timed(fn)
                times[name].append(wall)
                cpu[name].append(used)
            print(f"run {n + 1}: " + "  ".join(f"{k} {v[-1]:.2f}s" for k, v in cpu.items()), flush=True)
        contact_sheet(tmp, args.out / "formats_sheet.png")
        peak = peak_memory_mb(source, tmp)
    med = {k: statistics.median(v) for k, v in times.items()}
    med_cpu = {k: statistics.median(v) for k, v in cpu.items()}
    w, h = SIZE
    print(f"\n{args.seconds:g} s of {w}x{h} at 24 fps with sound, to {', '.join(ASPECTS)} (one: {ONE}), "
          f"median of {args.runs}:")  # fmt: skip
    base, base_wall = med_cpu["encode-alone"], med["encode-alone"]
    for name in runs:
        print(f"  {name:13s} cpu {med_cpu[name]:6.2f} s  {med_cpu[name] / base:5.2f}x   "
              f"wall {med[name]:6.2f} s  {med[name] / base_wall:5.2f}x")  # fmt: skip
    print("  (ratios to encode-alone; the bound for three finished formats: 3x CPU)")
    pixels = sum(ow * oh for ow, oh in (output_size(a, w, h) for a in ASPECTS)) / (w * h)
    print(f"  (the three formats hold {pixels:.2f}x the footage's pixels)")
    print(f"  peak memory of one fused-3 process: {peak:.0f} MB")
    print(f"  contact sheet: {args.out / 'formats_sheet.png'}")


if __name__ == "__main__":
    main()
