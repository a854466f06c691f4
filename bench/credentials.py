"""What signing an export with content credentials costs, and reading them back, against copying the file.

    .venv/bin/python bench/credentials.py [--runs 5] [--seconds 15]

The file: --seconds of synthetic 1080x1920 at 24 fps with AAC sound (tests/fakes/footage.py), film grain added
until it weighs what a model's 1080p footage does (about 12 Mbit/s, 22 MB for 15 s), made once and not timed; the
ingredient is a second such file (the model's raw output). In one run, interleaved, --runs times each:
  copy          the baseline: the file copied (shutil.copyfile), what writing it once more costs
  sign          tools.delivery.credentials.sign for a draft: read, hash and write the file with a manifest
  sign+footage  the same for finished model footage, its raw output read in as an ingredient
  verify        tools.delivery.credentials.verify of the signed file: read it and check every hash
Medians of wall time, with the ratio to copy. The local certificate is made before the first run (not timed).
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import av  # noqa: E402
import numpy as np  # noqa: E402

from tests.conftest import make_settings  # noqa: E402
from tests.fakes.footage import write_footage  # noqa: E402
from tests.tools.delivery.test_credentials import DRAFT, FINISHED_VEO  # noqa: E402
from tools.delivery.certificate import credential  # noqa: E402
from tools.delivery.credentials import sign, verify  # noqa: E402
from tools.engines.draft.engine import encoder_stream, open_output  # noqa: E402

GRAIN = 12  # the noise's amplitude: 1080x1920 at crf 23 then takes about 12 Mbit/s


def grainy(clean: Path, dest: Path) -> Path:
    """`clean` encoded again with film grain, its sound copied."""
    noise = [np.random.default_rng(k).integers(-GRAIN, GRAIN, (1920, 1080, 3), dtype=np.int16) for k in range(6)]
    with av.open(str(clean)) as source, open_output(dest) as out:
        video = encoder_stream(out, 1080, 1920, 24)
        sound = out.add_stream_from_template(source.streams.audio[0])
        for packet in source.demux():
            if packet.stream.type == "audio" and packet.dts is not None:
                packet.stream = sound
                out.mux(packet)
            elif packet.stream.type == "video":
                for frame in packet.decode():
                    pixels = frame.to_ndarray(format="rgb24").astype(np.int16) + random.choice(noise)
                    grain = av.VideoFrame.from_ndarray(pixels.clip(0, 255).astype(np.uint8), format="rgb24")
                    out.mux(video.encode(grain))
        out.mux(video.encode())
    return dest


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=15.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-credentials-") as tmp:
        folder = Path(tmp)
        clean = write_footage(folder / "clean.mp4", 1080, 1920, args.seconds).path
        src, footage = grainy(clean, folder / "ad.mp4"), grainy(clean, folder / "footage.mp4")
        settings = make_settings(folder / "data")
        credential(settings)
        rows: dict[str, Callable[[], object]] = {
            "copy": lambda: shutil.copyfile(src, folder / "copy.mp4"),
            "sign": lambda: sign(src, folder / "signed.mp4", DRAFT, settings),
            "sign+footage": lambda: sign(src, folder / "finished.mp4", FINISHED_VEO, settings, ingredient=footage),
            "verify": lambda: verify(folder / "finished.mp4"),
        }
        times: dict[str, list[float]] = {name: [] for name in rows}
        for _ in range(args.runs):
            for name, run in rows.items():
                start = time.perf_counter()
                run()
                times[name].append(time.perf_counter() - start)
        size, raw = src.stat().st_size / 1e6, footage.stat().st_size / 1e6
        print(f"{args.seconds:g} s of 1080x1920 with sound: {size:.1f} MB; the ingredient {raw:.1f} MB")
        print(f"manifest adds {((folder / 'finished.mp4').stat().st_size - src.stat().st_size) / 1e3:.1f} kB")
        base = statistics.median(times["copy"])
        for name, measured in times.items():
            median = statistics.median(measured)
            print(f"{name:<13} {median * 1000:8.1f} ms   {median / base:6.1f}x copy")


if __name__ == "__main__":
    main()
