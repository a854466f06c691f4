"""How much does reframing footage into three formats cost, against encoding the same footage once?

    .venv/bin/python bench/reframe.py [--runs 3] [--seconds 8] [--out bench/out]

The footage: 8 s of synthetic 1920x1080 at 24 fps with AAC sound (tests/fakes/footage.py: a subject crossing a
panning textured background), made once and not timed. In one run, interleaved, --runs times each:
  encode-alone  the baseline: decode the footage and encode it again at its own size with the same encoder
                settings (the draft's libx264 veryfast crf 23), sound copied: what writing this footage once costs.
                Each decoded frame's picture type is cleared first, as a reframed frame's is (a new frame has
                none): x264 chooses I, P and B frames itself, as it does for the reframes and the finisher
  same-types    the same, the decoded frames' picture types left set: x264 then copies the source's I/P/B
                pattern and skips its own choice (about 40% less CPU here): the cheapest way to write it once
  reframe-3     tools.finish.reframe: find the subject (its own decoding pass), then decode once more and write
                1:1 (1080x1080), 4:5 (1080x1350) and 9:16 (1080x1920), sound copied (it keeps the source's P
                and B frames too, so against same-types it is like for like)
  track         the subject-finding pass alone (part of reframe-3)
Medians of wall time are printed with the ratio reframe-3 / encode-alone (the issue's bound: 3x), and the CPU
seconds each used, which other work on a shared machine disturbs less. Then the peak memory (VmHWM) of one
reframe-3 in a fresh process, and a contact sheet of the three formats (six frames each) in --out.
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

from tests.fakes.footage import write_footage  # noqa: E402
from tools.engines.draft.engine import encoder_stream, open_output  # noqa: E402
from tools.finish.reframe import output_size, reframe  # noqa: E402
from tools.finish.subject import frame_rate, track_subject  # noqa: E402

ASPECTS = ("1:1", "4:5", "9:16")


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


def reframe_three(source: Path, folder: Path) -> None:
    reframe(source, {a: folder / f"{a.replace(':', 'x')}.mp4" for a in ASPECTS})


def peak_memory_mb(source: Path, folder: Path) -> float:
    """VmHWM of a fresh process that reframes the footage into the three formats (imports included)."""
    code = (
        "import sys; from pathlib import Path; sys.path[:0] = [sys.argv[1], sys.argv[1] + '/bench']\n"
        "from reframe import reframe_three; reframe_three(Path(sys.argv[2]), Path(sys.argv[3]))\n"
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
        with av.open(str(folder / f"{aspect.replace(':', 'x')}.mp4")) as container:
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
    times: dict[str, list[float]] = {"encode-alone": [], "same-types": [], "reframe-3": [], "track": []}
    cpu: dict[str, list[float]] = {k: [] for k in times}
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        source = write_footage(tmp / "footage.mp4", 1920, 1080, args.seconds, 24, audio=True).path
        runs: dict[str, Callable[[], object]] = {
            "encode-alone": lambda: encode_alone(source, tmp / "alone.mp4"),
            "same-types": lambda: encode_alone(source, tmp / "same.mp4", same_types=True),
            "reframe-3": lambda: reframe_three(source, tmp),
            "track": lambda: track_subject(source),
        }
        for n in range(args.runs):
            for name, fn in runs.items():
                wall, used = timed(fn)
                times[name].append(wall)
                cpu[name].append(used)
            print(f"run {n + 1}: " + "  ".join(f"{k} {v[-1]:.2f}s" for k, v in times.items()), flush=True)
        contact_sheet(tmp, args.out / "reframe_sheet.png")
        peak = peak_memory_mb(source, tmp)
    med = {k: statistics.median(v) for k, v in times.items()}
    med_cpu = {k: statistics.median(v) for k, v in cpu.items()}
    print(f"\n{args.seconds:g} s of 1920x1080 at 24 fps with sound, median of {args.runs}:")
    for name in times:
        print(f"  {name:13s} {med[name]:6.2f} s wall  {med_cpu[name]:6.2f} s CPU")
    for base in ("encode-alone", "same-types"):
        ratio, ratio_cpu = med["reframe-3"] / med[base], med_cpu["reframe-3"] / med_cpu[base]
        print(f"  reframe-3 / {base}: {ratio:.2f}x wall, {ratio_cpu:.2f}x CPU (bound: 3x)")
    pixels = sum(w * h for w, h in (output_size(a, 1920, 1080) for a in ASPECTS)) / (1920 * 1080)
    print(f"  (the three formats hold {pixels:.2f}x the footage's pixels)")
    print(f"  peak memory of one reframe-3 process: {peak:.0f} MB")
    print(f"  contact sheet: {args.out / 'reframe_sheet.png'}")


if __name__ == "__main__":
    main()
