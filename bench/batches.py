"""Is a 50-row draft batch faster than 50 `clapboard generate` calls one after another, and how much memory does
it take?

    .venv/bin/python bench/batches.py [--rows 50] [--duration 10]

A feed of --rows products (title, price, CTA, a product photo beside the file) and two ways of making the same
--duration s product-showcase draft per row (the same words, photo and format), each in a fresh data folder, one
after the other in the same run:
  generate   `clapboard generate --prompt ... --headline ... --price ... --cta ... --ref photo --json` per row, one
             process after another: what a script looping over the spreadsheet does today
  batch      `clapboard batch feed.csv --duration N --yes --json`: one process, one quote, every row on the job
             queue (the embedded backend runs `max_concurrent_jobs`, 2, at a time)
Prints each one's wall time, the videos made, batch's speed-up over generate, and the batch process's peak
resident memory (getrusage of the waited child: its largest resident set).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import png_bytes  # noqa: E402

CLAPBOARD = str(ROOT / ".venv" / "bin" / "clapboard")
PROMPT = "A {duration} second product video"


def write_feed(folder: Path, rows: int) -> list[dict[str, str]]:
    """A feed.csv of `rows` products, each with its own photo under photos/."""
    (folder / "photos").mkdir(parents=True)
    products = []
    for n in range(rows):
        photo = f"photos/p{n}.png"
        (folder / photo).write_bytes(png_bytes((800, 800), color=(40 + 4 * n % 200, 90, 200 - 3 * n % 180)))
        products.append({"id": f"SKU{n:03}", "title": f"Trail shoe {n}", "price": f"{89 + n}.00 USD",
                         "cta": "Shop now", "image": photo})  # fmt: skip
    with (folder / "feed.csv").open("w", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(products[0]))
        writer.writeheader()
        writer.writerows(products)
    return products


def run(args: list[str], data: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CLAPBOARD_DATA_DIR": str(data)}
    for key in ("REPLICATE_API_TOKEN", "REPLICATE_API_KEY", "OPENAI_API_KEY", "POE_API_KEY", "DATABASE_URL"):
        env.pop(key, None)
    done = subprocess.run([CLAPBOARD, *args], env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"clapboard {args[0]} failed: {done.stderr[-2000:]}")
    return done


def generate_each(folder: Path, products: list[dict[str, str]], duration: int) -> tuple[float, int]:
    start = time.perf_counter()
    for p in products:
        run(["generate", "--prompt", f"{PROMPT.format(duration=duration)} of {p['title']}", "--duration",
             str(duration), "--template", "product-showcase", "--headline", p["title"], "--price",
             "$" + p["price"].split()[0].removesuffix(".00"), "--cta", p["cta"], "--ref", str(folder / p["image"]),
             "--campaign", "Bench", "--json"], folder / "generate-data")  # fmt: skip
    return time.perf_counter() - start, len(products)


def batch(folder: Path, duration: int) -> tuple[float, int, float]:
    """Run first, so the largest resident set of the children so far is its own."""
    start = time.perf_counter()
    done = run(["batch", str(folder / "feed.csv"), "--prompt", PROMPT.format(duration=duration), "--duration",
                str(duration), "--campaign", "Bench", "--yes", "--json"], folder / "batch-data")  # fmt: skip
    seconds = time.perf_counter() - start
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    view = json.loads(done.stdout)
    return seconds, int(view["ready"]), peak_kib / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=50)
    parser.add_argument("--duration", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        products = write_feed(folder, args.rows)
        batch_s, made, peak_mib = batch(folder, args.duration)  # first: its peak is then its own
        generate_s, generated = generate_each(folder, products, args.duration)
    print(f"{args.rows} rows, {args.duration} s drafts, {os.cpu_count()} cores")
    print(f"  generate  {generate_s:7.1f} s  {generated} videos  ({generate_s / generated:.1f} s each)")
    print(f"  batch     {batch_s:7.1f} s  {made} videos  ({batch_s / max(made, 1):.1f} s each)")
    print(f"  batch is {generate_s / batch_s:.2f}x faster; its peak resident memory {peak_mib:.0f} MiB")


if __name__ == "__main__":
    main()
