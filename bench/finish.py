"""How much does finishing footage (the ad's copy, logo, end card and sound drawn over it) cost, against encoding
the same footage alone?

    .venv/bin/python bench/finish.py [--runs 3] [--seconds 8] [--out bench/out] [--brief "Winter sale"]

The footage: --seconds of synthetic 24 fps video with AAC sound at 1080x1920 and at 1920x1080
(tests/fakes/footage.py), made once and not timed. In one run, interleaved, --runs times each, per size:
  encode-alone  the baseline: decode the footage and encode it again at its own size with the same encoder
                settings (encoder_stream: libx264 veryfast crf 23), sound copied, the decoded frames' picture
                types cleared so x264 chooses I, P and B frames itself (bench/reframe.py's baseline)
  same-types    the same with the source's picture types kept, as the finisher keeps them: like for like
  finish        tools.finish.compose.finish with a full copy (sale, headline, tagline, two features, offer,
                price, conditions, code, call to action, website, end text) and a brand kit with logos, fonts
                and a legal line; a --brief asking a motion ("The logo spins in.") moves the end card's logo
Medians of CPU seconds (all threads of this process) and wall time are printed, with the ratios finish /
encode-alone (the issue's bound: 1.5x CPU) and finish / same-types. A contact sheet of eight frames of each
finished ad goes to --out.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import av  # noqa: E402
from PIL import Image  # noqa: E402
from reframe import encode_alone, timed  # noqa: E402

from tests.fakes.brand import brand_job, kit_and_files  # noqa: E402
from tests.fakes.footage import write_footage  # noqa: E402
from tools.brief import AdCopy  # noqa: E402
from tools.finish.compose import finish  # noqa: E402

SIZES = ((1080, 1920), (1920, 1080))
COPY = AdCopy(sale="Winter sale", headline="Warm starts here", tagline="Layers for every city",
              features=["Recycled wool", "Storm-proof seams"], offer="30% off all coats", price="$129",
              conditions=["Free shipping over $50"], code="Use code WARM30", cta="Shop now",
              website="northwind.example", end_text="Stay warm")  # fmt: skip


def contact_sheet(path: Path, dest: Path, count: int = 8, height: int = 360) -> None:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        picks = {round(k * (stream.frames - 1) / (count - 1)) for k in range(count)}
        images = [f.to_image() for i, f in enumerate(container.decode(stream)) if i in picks]
    images = [im.resize((round(im.width * height / im.height), height)) for im in images]
    sheet = Image.new("RGB", (sum(im.width + 6 for im in images), height), "white")
    x = 0
    for im in images:
        sheet.paste(im, (x, 0))
        x += im.width + 6
    sheet.save(dest)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    parser.add_argument("--brief", default="Winter sale")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    kit, files = kit_and_files("dark")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for w, h in SIZES:
            source = write_footage(folder / f"footage-{w}x{h}.mp4", w, h, args.seconds, 24).path
            aspect = "9:16" if h > w else "16:9"
            job = brand_job(kit, args.brief, aspect=aspect, duration=round(args.seconds), copy=COPY)
            dest = folder / f"finished-{w}x{h}.mp4"
            runs: dict[str, list[tuple[float, float]]] = {"encode-alone": [], "same-types": [], "finish": []}
            for _ in range(args.runs):
                runs["encode-alone"].append(timed(partial(encode_alone, source, folder / "alone.mp4")))
                runs["same-types"].append(timed(partial(encode_alone, source, folder / "same.mp4", same_types=True)))
                runs["finish"].append(timed(partial(finish, source, dest, job, files)))
            print(f"{w}x{h}, {args.seconds:g} s at 24 fps, median of {args.runs}:")
            cpu = {name: statistics.median(c for _, c in r) for name, r in runs.items()}
            wall = {name: statistics.median(t for t, _ in r) for name, r in runs.items()}
            for name in runs:
                print(f"  {name:13s} cpu {cpu[name]:6.2f} s   wall {wall[name]:6.2f} s")
            for base in ("encode-alone", "same-types"):
                print(f"  finish / {base:12s} cpu {cpu['finish'] / cpu[base]:.2f}x   "
                      f"wall {wall['finish'] / wall[base]:.2f}x")  # fmt: skip
            contact_sheet(dest, args.out / f"finish-{w}x{h}.png")
    print(f"contact sheets in {args.out}")


if __name__ == "__main__":
    main()
