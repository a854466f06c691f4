"""Which music bed do ten briefs of one template get, and what does a listener hear: tempo and key measured from
the samples (tests/fakes/listen.py: onset autocorrelation, chroma against key profiles), not read from the names.
And what a bed costs to make against the one bed per template there was before (tools/engines/draft/audio.py as it
was in git, loaded from history), and what the mix (the bed, a voice, ducking, limiter, loudness) adds.

    .venv/bin/python bench/beds.py [--template social-media] [--seconds 15] [--runs 3]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fakes.listen import bursts, key_of, tempo_of  # noqa: E402
from tests.tools.test_mix import TEN_BRIEFS  # noqa: E402
from tools.sound.mix import mix, target_lufs  # noqa: E402
from tools.sound.music import bed_for, music_bed  # noqa: E402

OLD = "tools/engines/draft/audio.py"


def old_module() -> types.ModuleType | None:
    """The single-bed module as it was before it became tools/sound/music.py, from git history."""
    git = ["git", "-C", str(ROOT)]
    removed = subprocess.run([*git, "rev-list", "-1", "HEAD", "--", OLD], capture_output=True, text=True).stdout.strip()
    if not removed:
        return None
    source = subprocess.run([*git, "show", f"{removed}^:{OLD}"], capture_output=True, text=True)
    if source.returncode:
        return None
    module = types.ModuleType("old_audio")
    sys.modules["old_audio"] = module  # dataclasses look their module up
    exec(compile(source.stdout, OLD, "exec"), module.__dict__)
    return module


def median_seconds(work, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--template", default="social-media")
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"{args.template}, {args.seconds:g} s beds: the bed named, and as measured")
    print(f"{'brief':52} {'bed':20} {'tempo':>6} {'key':>4}")
    heard = set()
    for brief in TEN_BRIEFS:
        bed = bed_for(args.template, None, brief, 0)
        samples = music_bed(bed, args.seconds)
        tempo, key = tempo_of(samples), key_of(samples)
        heard.add((round(tempo), key))
        print(f"{brief[:52]:52} {bed.name:20} {tempo:6.1f} {key:>4}")
    print(f"{len(heard)} different beds heard in ten briefs")
    bed = bed_for(args.template, None, TEN_BRIEFS[0], 0)
    voice = bursts(args.seconds, ((1.0, 4.0), (6.0, 9.0)))
    rows = [
        ("a bed (music_bed)", lambda: music_bed(bed, args.seconds)),
        ("the mix: bed, mastered", lambda: mix(args.seconds, target_lufs("9:16", False), bed=bed)),
        ("the mix: bed and a voice", lambda: mix(args.seconds, target_lufs("9:16", False), bed=bed, speech=voice)),
    ]
    old = old_module()
    if old is not None:
        rows.insert(0, ("the old single bed", lambda: old.music_bed(args.template, args.seconds)))
    print(f"\nmedian of {args.runs} runs, {args.seconds:g} s:")
    for name, work in rows:
        print(f"  {name:28} {median_seconds(work, args.runs):6.3f} s")


if __name__ == "__main__":
    main()
