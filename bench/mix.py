"""What does the ad's sound cost to mix, against the mix as it was before the BS.1770 meter (tools/sound/meter.py)?

    .venv/bin/python bench/mix.py [--runs 9] [--renders 5]

The baseline is the previous tools/sound/mix.py and music.py, loaded from git history (the parent of the commit that
added meter.py) and run in this process: pyloudnorm per measurement (its K-weighting filters made and run each
time, up to five times a mix), the true peak read by resample_poly three times, the bed synthesised note by note.
In one run, old and new interleaved, --runs times each, `mix()` of:
  8 s draft bed     the 8 s 720p product-showcase draft's bed at -14 LUFS (bench/render.py's clip)
  30 s bed, voice   a 30 s social-media bed under three lines of a synthetic voice (tests/fakes/listen.py), -14 LUFS
Medians of CPU time (the mix is single-threaded numpy and scipy) and wall time, the new/old ratios, and whether the
two agree: the largest sample difference, and the loudness and true peak each reported.
Then --renders whole draft renders of bench/render.py's clip (decode, cut-out, draw, mix, encode), old and new mix
interleaved: the medians of the render's CPU time (all threads), and the saving.
"""

from __future__ import annotations

import argparse
import functools
import statistics
import subprocess
import sys
import tempfile
import time
import types
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import numpy as np  # noqa: E402
from contact_sheets import _jpeg, product_photo  # noqa: E402
from render import BRIEF, SECONDS, cpu_seconds, run_draft  # noqa: E402

from tests.fakes.listen import bursts  # noqa: E402
from tools.engines.draft import engine as draft  # noqa: E402
from tools.sound import mix as new  # noqa: E402
from tools.sound.music import bed_for  # noqa: E402

METER = "tools/sound/meter.py"


def _source(commit: str, path: str) -> str:
    return subprocess.run(["git", "-C", str(ROOT), "show", f"{commit}:{path}"], capture_output=True, text=True,
                          check=True).stdout  # fmt: skip


def old_mix() -> types.ModuleType:
    """The mix and the beds as they were before meter.py, from git history: music.py loaded as a module of its
    own, and mix.py run against it."""
    added = subprocess.run(["git", "-C", str(ROOT), "log", "--diff-filter=A", "--format=%H", "--", METER],
                           capture_output=True, text=True, check=True).stdout.split()  # fmt: skip
    if not added:
        sys.exit(f"{METER} is not in this checkout's history: no baseline to compare with")
    before = f"{added[-1]}^"
    modules = {}
    for name, path in (("old_music", "tools/sound/music.py"), ("old_mix", "tools/sound/mix.py")):
        module = types.ModuleType(name)
        sys.modules[name] = module  # dataclasses look their module up
        source = _source(before, path).replace("from tools.sound.music import", "from old_music import")
        exec(compile(source, f"{before}:{path}", "exec"), module.__dict__)
        modules[name] = module
    return modules["old_mix"]


def measured(work: Callable[[], object]) -> tuple[float, float]:
    """CPU and wall seconds of one call."""
    cpu, started = time.process_time(), time.perf_counter()
    work()
    return time.process_time() - cpu, time.perf_counter() - started


def agreement(old: types.ModuleType, args: tuple, kwargs: dict) -> str:
    a, b = old.mix(*args, **kwargs), new.mix(*args, **kwargs)
    diff = float(np.abs(a.samples.astype(np.float64) - b.samples).max())
    return (
        f"largest sample difference {diff:.1e}; LUFS {a.sound.lufs} old, {b.sound.lufs} new; "
        f"dBTP {a.sound.true_peak_dbtp} old, {b.sound.true_peak_dbtp} new"
    )


def mixes(old: types.ModuleType, runs: int) -> None:
    cases = {
        "8 s draft bed": ((SECONDS, -14.0), {"bed": bed_for("product-showcase", None, BRIEF, 0)}),
        "30 s bed, voice": (
            (30.0, -14.0),
            {
                "bed": bed_for("social-media", None, "Summer sale on linen shirts, 30% off", 0),
                "speech": bursts(30.0, ((1.5, 6.0), (9.0, 16.5), (20.0, 27.0))),
            },
        ),
    }
    print(f"mix(), medians of {runs} runs, old and new interleaved:")
    print(f"  {'case':16} {'old CPU':>8} {'new CPU':>8} {'new/old':>8}   {'old wall':>8} {'new wall':>8}")
    for name, (args, kwargs) in cases.items():
        works = {"old": functools.partial(old.mix, *args, **kwargs), "new": functools.partial(new.mix, *args, **kwargs)}
        times: dict[str, list[tuple[float, float]]] = {"old": [], "new": []}
        for work in works.values():
            work()  # first-use caches (tone tables, filters)
        for _ in range(runs):
            for key, work in works.items():
                times[key].append(measured(work))
        cpu = {k: statistics.median(t[0] for t in v) for k, v in times.items()}
        wall = {k: statistics.median(t[1] for t in v) for k, v in times.items()}
        print(
            f"  {name:16} {cpu['old']:7.3f}s {cpu['new']:7.3f}s {cpu['new'] / cpu['old']:7.2f}x"
            f"   {wall['old']:7.3f}s {wall['new']:7.3f}s"
        )
        print(f"  {'':16} {agreement(old, args, kwargs)}")


def renders(old: types.ModuleType, runs: int) -> None:
    reference = _jpeg(product_photo(2000, 1500))
    cpu: dict[str, list[float]] = {"old": [], "new": []}
    with tempfile.TemporaryDirectory() as tmp:
        run_draft(reference, Path(tmp) / "warmup.mp4")
        for n in range(runs):
            for name, mix in (("old", old.mix), ("new", new.mix)):
                draft.mix = mix  # the engine's own name for it
                before = cpu_seconds()
                run_draft(reference, Path(tmp) / f"{name}{n}.mp4")
                cpu[name].append(cpu_seconds() - before)
        draft.mix = new.mix
    med = {k: statistics.median(v) for k, v in cpu.items()}
    print(f"\n8 s 720p product-showcase draft renders, CPU (all threads), medians of {runs}, interleaved:")
    paired = statistics.median(o - n for o, n in zip(cpu["old"], cpu["new"], strict=True))
    print(
        f"  old mix {med['old']:.2f} s   new mix {med['new']:.2f} s   saving {med['old'] - med['new']:.3f} s a render"
    )
    print(f"  (median of the paired savings, old minus new in each run: {paired:.3f} s)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--renders", type=int, default=5)
    args = parser.parse_args()
    old = old_mix()
    mixes(old, args.runs)
    if args.renders:
        renders(old, args.renders)


if __name__ == "__main__":
    main()
