"""How fast is the draft engine, against what it could be and against the usual Python way?

    .venv/bin/python bench/render.py [--runs 5] [--skip-moviepy]

In one run, for an 8 s 720p `product-showcase` at 24 fps with one 2000x1500 reference and its music bed:
  draft        the engine's render_draft (decode reference, cut it out, lay out, draw, make the music, encode
               video and audio, write the MP4)
  encode-only  the ceiling: the same clip's frames and music, made beforehand and held in memory, through the
               same encoders (libx264 veryfast crf 23, same threads; AAC 160 kb/s; faststart)
  moviepy      an equivalent MoviePy 2 clip: the reference zooming, a caption over it, the same music, same size,
               fps, codec, preset and crf (its ffmpeg comes from imageio-ffmpeg)
Each is run --runs times, interleaved (other work on the machine hits all three alike); medians of wall time are
printed with the ratios, and the CPU time each used (all threads and child processes), which other work on a
shared machine disturbs less. The ready-made frames are RGB, as a renderer makes them: their conversion to
yuv420p is part of the encode, as it is in the draft (which does it in its drawing thread).
Then whole processes, as a user runs them: `clapboard generate` of that clip against a Python process that imports
MoviePy and makes the same clip, and `clapboard models`; medians of --runs each.
Then peak memory (VmHWM) of 8 s 720p and 1080p renders and a 15 s 1080x1920 social ad with 8 references, each in a
fresh subprocess.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import av  # noqa: E402
import numpy as np  # noqa: E402
from contact_sheets import _jpeg, _png, lifestyle_photo, product_photo, transparent_logo  # noqa: E402

from tools.brief import read_copy  # noqa: E402
from tools.catalog import frame_size  # noqa: E402
from tools.engines.base import RenderJob  # noqa: E402
from tools.engines.draft import engine as draft  # noqa: E402
from tools.engines.draft.provider import DRAFT  # noqa: E402
from tools.engines.draft.text import FONT_DIR  # noqa: E402
from tools.sound.mix import AudioTrack  # noqa: E402
from tools.sound.music import SAMPLE_RATE, bed_for, music_bed  # noqa: E402

BRIEF = (
    'Product showcase of the new "AirFlow X" runner, featuring breathable mesh, carbon plate sole and 20% lighter '
    "build. Only $129. Shop now"
)
SECONDS, FPS = 8, 24


def job_for(resolution: str) -> RenderJob:
    w, h = frame_size("16:9", resolution)
    return RenderJob(
        job_id="bench",
        brief=BRIEF,
        prompt=BRIEF,
        model=DRAFT,
        duration_s=SECONDS,
        aspect="16:9",
        resolution=resolution,
        width=w,
        height=h,
        fps=FPS,
        template="product-showcase",
        copy=read_copy(BRIEF),
        audio=True,
    )


def cpu_seconds() -> float:
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def timed(fn, *args) -> tuple[float, float]:
    """Wall and CPU seconds of one call."""
    cpu, started = cpu_seconds(), time.perf_counter()
    fn(*args)
    return time.perf_counter() - started, cpu_seconds() - cpu


def run_draft(reference: bytes, dest: Path) -> None:
    draft.render_draft(job_for("720p"), [reference], dest)


def ready_made_music() -> np.ndarray:
    return music_bed(bed_for("product-showcase", None, BRIEF, 0), SECONDS)


def ready_made_frames(reference: bytes) -> list[av.VideoFrame]:
    """The draft's own frames, drawn beforehand."""
    job = job_for("720p")
    refs = draft.prepare_references([reference], job.width, job.height)
    design, stage = draft.build_design(job, refs)
    frames = []
    for i in range(stage.frames):
        vf = draft.new_frame(stage.width, stage.height, i)
        design.draw(i, draft.canvas_for(vf))
        frames.append(vf)
    return frames


def run_encode_only(made: tuple[list[av.VideoFrame], np.ndarray], dest: Path) -> None:
    frames, music = made
    job = job_for("720p")
    with draft.open_output(dest) as container:
        stream = draft.encoder_stream(container, job.width, job.height, job.fps)
        track = AudioTrack(container, music)
        for n, vf in enumerate(frames, start=1):
            container.mux(stream.encode(vf))
            track.feed_until(n / job.fps)
        container.mux(stream.encode(None))
        track.finish()


def run_moviepy(reference_path: Path, dest: Path) -> None:
    """The same clip made the MoviePy way (the music read from a WAV file next to the reference)."""
    from moviepy import AudioFileClip, CompositeVideoClip, ImageClip, TextClip

    w, h = frame_size("16:9", "720p")
    photo = ImageClip(str(reference_path)).with_duration(SECONDS)
    base = h / photo.h
    photo = photo.resized(lambda t: base * (1.0 + 0.12 * t / SECONDS)).with_position("center")
    caption = TextClip(
        font=str(FONT_DIR / "RedHatDisplay-Bold.ttf"),
        text="Breathable mesh",
        font_size=48,
        color="white",
        duration=SECONDS,
    ).with_position((80, 300))
    clip = CompositeVideoClip([photo, caption], size=(w, h), bg_color=(60, 14, 12)).with_duration(SECONDS)
    clip = clip.with_audio(AudioFileClip(str(reference_path.with_name("music.wav"))))
    clip.write_videofile(
        str(dest),
        fps=FPS,
        codec="libx264",
        preset=draft.PRESET,
        audio_codec="aac",
        audio_fps=SAMPLE_RATE,
        audio_bitrate="160k",
        threads=draft.THREADS,
        ffmpeg_params=["-crf", draft.CRF, "-pix_fmt", "yuv420p", "-movflags", "+faststart"],
        logger=None,
    )


def write_wav(path: Path, samples: np.ndarray) -> None:
    """16-bit stereo WAV of the music (what a MoviePy user would hand it)."""
    import wave

    with wave.open(str(path), "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())


MOVIEPY_PROCESS = (
    "import sys; sys.path[:0] = [sys.argv[3], sys.argv[3] + '/bench']\n"
    "from pathlib import Path\n"
    "from render import run_moviepy\n"
    "run_moviepy(Path(sys.argv[1]), Path(sys.argv[2]))\n"
)


def whole_processes(reference: bytes, runs: int, skip_moviepy: bool) -> None:
    """`clapboard generate` and a MoviePy process making the same clip, and `clapboard models`, each a fresh
    process timed from start to exit."""
    clapboard = str(Path(sys.executable).with_name("clapboard"))
    times: dict[str, list[float]] = {"clapboard generate": [], "moviepy process": [], "clapboard models": []}
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        ref = tmp / "reference.jpg"
        ref.write_bytes(reference)
        write_wav(tmp / "music.wav", ready_made_music())
        # PYTHONPATH: the processes run this checkout's code, even from a virtualenv installed from another one.
        env = {**os.environ, "CLAPBOARD_DATA_DIR": str(tmp / "data"), "PYTHONPATH": str(ROOT)}
        env = {k: v for k, v in env.items() if not k.startswith(("REPLICATE", "OPENAI", "POE", "DATABASE"))}
        generate = [clapboard, "generate", "--prompt", BRIEF, "--template", "product-showcase", "--duration",
                    str(SECONDS), "--aspect", "16:9", "--resolution", "720p", "--ref", str(ref)]  # fmt: skip
        commands = {
            "clapboard generate": generate,
            "moviepy process": [sys.executable, "-c", MOVIEPY_PROCESS, str(ref), str(tmp / "mp.mp4"), str(ROOT)],
            "clapboard models": [clapboard, "models"],
        }
        if skip_moviepy:
            del commands["moviepy process"]
        subprocess.run(generate, env=env, cwd=tmp, capture_output=True, check=True)  # the database is made once
        for _ in range(runs):
            for name, command in commands.items():
                started = time.perf_counter()
                subprocess.run(command, env=env, cwd=tmp, capture_output=True, check=True)
                times[name].append(time.perf_counter() - started)
    med = {k: statistics.median(v) for k, v in times.items() if v}
    print()
    print(f"Whole processes, medians of {runs}:")
    for k, v in med.items():
        print(f"  {k:<20} {v:6.2f} s")
    if "moviepy process" in med:
        ratio = med["moviepy process"] / med["clapboard generate"]
        print(f"  moviepy process / clapboard generate = {ratio:.1f}x   (target >= 4x)")
    print(f"  clapboard models: {med['clapboard models']:.2f} s   (target < 0.5 s)")


def heavy_job() -> tuple[RenderJob, list[bytes]]:
    """A heavier 1080p case: a 15 s vertical social ad at 30 fps with eight references."""
    w, h = frame_size("9:16", "1080p")
    brief = 'TikTok ad. Hook: "Your weekend just got lighter" features: grips any trail; dries fast. €89. Get yours'
    job = RenderJob(
        job_id="bench-heavy",
        brief=brief,
        prompt=brief,
        model=DRAFT,
        duration_s=15,
        aspect="9:16",
        resolution="1080p",
        width=w,
        height=h,
        fps=30,
        template="social-media",
        copy=read_copy(brief),
        audio=True,
    )
    refs = [
        _jpeg(product_photo()),
        _png(transparent_logo()),
        _jpeg(lifestyle_photo()),
        _jpeg(lifestyle_photo(seed=3)),
        _jpeg(lifestyle_photo(1200, 1600, seed=5)),
        _jpeg(product_photo(1500, 2000)),
        _jpeg(lifestyle_photo(seed=7)),
        _jpeg(product_photo(3000, 2000)),
    ]
    return job, refs


def child_peak_memory(case: str) -> None:
    """Runs in a fresh process: one render, then print the peak resident set size."""
    if case == "1080p-heavy":
        job, refs = heavy_job()
    else:
        job, refs = job_for(case), [_jpeg(product_photo())]
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        draft.render_draft(job, refs, Path(tmp) / "out.mp4")
        took = time.perf_counter() - started
        size = (Path(tmp) / "out.mp4").stat().st_size
    # VmHWM: this process's peak resident memory (ru_maxrss would include the parent's, inherited at fork).
    status = Path("/proc/self/status").read_text().splitlines()
    peak_kb = next(int(line.split()[1]) for line in status if line.startswith("VmHWM"))
    peak_mb = peak_kb / 1024
    print(json.dumps({"peak_mb": round(peak_mb, 1), "seconds": round(took, 2), "bytes": size}))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--skip-moviepy", action="store_true")
    ap.add_argument("--child", choices=["720p", "1080p", "1080p-heavy"], help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child_peak_memory(args.child)
        return

    reference = _jpeg(product_photo(2000, 1500))
    times: dict[str, list[float]] = {"draft": [], "encode-only": [], "moviepy": []}
    cpu: dict[str, list[float]] = {"draft": [], "encode-only": [], "moviepy": []}
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        ref_path = tmp / "reference.jpg"
        ref_path.write_bytes(reference)
        write_wav(tmp / "music.wav", ready_made_music())
        frames = (ready_made_frames(reference), ready_made_music())
        run_draft(reference, tmp / "warmup.mp4")  # imports, font loading, first-use caches
        for n in range(args.runs):
            runs = [
                ("draft", run_draft, reference, tmp / f"draft{n}.mp4"),
                ("encode-only", run_encode_only, frames, tmp / f"enc{n}.mp4"),
            ]
            if not args.skip_moviepy:
                runs.append(("moviepy", run_moviepy, ref_path, tmp / f"moviepy{n}.mp4"))
            for name, fn, source, dest in runs:
                wall, used = timed(fn, source, dest)
                times[name].append(wall)
                cpu[name].append(used)
            print(
                f"run {n + 1}: " + "  ".join(f"{k} {v[-1]:.2f}s" for k, v in times.items() if v),
                flush=True,
            )
        same = (tmp / "draft0.mp4").read_bytes() == (tmp / f"draft{args.runs - 1}.mp4").read_bytes()
        del frames

    med = {k: statistics.median(v) for k, v in times.items() if v}
    med_cpu = {k: statistics.median(v) for k, v in cpu.items() if v}
    frames_n = SECONDS * FPS
    print()
    print(f"8 s 720p product-showcase, {frames_n} frames, one 2000x1500 reference; medians of {args.runs} runs")
    for k, v in med.items():
        print(f"  {k:<12} {v:6.2f} s wall  {frames_n / v:6.1f} fps   {med_cpu[k]:6.2f} s CPU")
    print(
        f"  draft / encode-only = {med['draft'] / med['encode-only']:.2f}x wall, "
        f"{med_cpu['draft'] / med_cpu['encode-only']:.2f}x CPU   (target <= 1.5x)"
    )
    if "moviepy" in med:
        print(
            f"  moviepy / draft     = {med['moviepy'] / med['draft']:.1f}x wall, "
            f"{med_cpu['moviepy'] / med_cpu['draft']:.1f}x CPU"
        )
    print(f"  identical bytes across runs: {same}")
    whole_processes(reference, args.runs, args.skip_moviepy)

    cases = {
        "720p": "8 s 720p product-showcase, 1 reference",
        "1080p": "8 s 1080p product-showcase, 1 reference",
        "1080p-heavy": "15 s 1080x1920 30 fps social-media, 8 references",
    }
    for case, label in cases.items():
        out = subprocess.run([sys.executable, __file__, "--child", case], capture_output=True, text=True, check=True)
        stats = json.loads(out.stdout.strip().splitlines()[-1])
        print(
            f"  peak memory, {label}, fresh process: {stats['peak_mb']:.0f} MB"
            f"   ({stats['seconds']:.2f} s, {stats['bytes'] / 1e6:.2f} MB file)"
            + ("   (target < 400 MB)" if case.startswith("1080p") else "")
        )


if __name__ == "__main__":
    main()
