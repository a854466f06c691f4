"""What does following many slow Replicate predictions cost the process that follows them?

    .venv/bin/python bench/poll_load.py [--predictions 200] [--poll 3.0] [--budget 10] [--seconds-per-prediction 75]

One process runs `ReplicateEngine.render` for N veo-3.1-fast predictions at once (asyncio.gather, one shared
engine, as the job runner has it) against the fake Replicate, which runs in a separate process (spawned), so
that its threads do not count against the process measured. There every prediction stays "processing" until
it is --seconds-per-prediction old, then succeeds; the engine polls it at its own pace (--poll is
`replicate_poll_s`, 3.0 by default as in production; the interval grows x1.5 per poll up to
min(10, 4x poll), jittered; the process polls --budget times a second at most, `replicate_polls_per_s`) and
streams the output mp4 (tiny here) to a temp file: the whole path runs. Run it with --budget 1000 for the
baseline without a budget.

A first render on veo-3.1, which succeeds at once, warms up imports and connections. Then, measured in turn:
  idle             the event loop with nothing to follow, for 5 s (the baseline)
  20 predictions   the same measurement while following 20
  N predictions    ... and N (the issue's load: 200)
For each: the process's CPU time (all threads) over wall time, as a percentage of one core; event-loop lag,
from a task that sleeps 10 ms over and over and records how late it wakes (p50, p99, max); the renders that
succeeded; and the polls and requests the fake served in that time (counted in the fake's process). CPU per
poll is the CPU time above the idle baseline divided by the polls made. Targets, for N: CPU under 10% of a
core, lag p99 under 50 ms. The whole run takes about 3 minutes.

A stall of the loop is one late wake-up, however long it lasts, so a 5 s freeze among 5000 samples leaves
p99 untouched. "p99 by time" corrects for that: a wake-up L ms late also counts the 10 ms ticks it swallowed
(L-10, L-20, ... ms late), so it is the lag a request arriving at a random moment would meet.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from campaign.storage import build_storage  # noqa: E402
from tests.fakes.replicate_server import TERMINAL, TOKEN, FakeReplicate, replicate_settings  # noqa: E402
from tools.engines.base import RenderJob  # noqa: E402
from tools.engines.registry import build_catalog  # noqa: E402
from tools.engines.replicate.run import ReplicateEngine  # noqa: E402

MODEL, WARMUP_MODEL = "veo-3.1-fast", "veo-3.1"
WARMUP_SLUG = "google/veo-3.1"
BRIEF = "A runner laces up the AirFlow X at dawn; slow push-in on the carbon sole. Shop now."
IDLE_S = 5.0
TICK_S = 0.010
CPU_TARGET_PCT, LAG_TARGET_MS = 10.0, 50.0


# --- the fake, in its own process ---------------------------------------------------------------------------


def serve_fake(conn: Connection, hold_s: float) -> None:
    """The child process: a fake Replicate whose predictions succeed `hold_s` after their creation (the warm-up
    model's at once). Sends its base URL, answers each "counts" with the requests it served so far, and stops
    on anything else."""
    fake = FakeReplicate().start()
    fake.set_scenario("*", "hold")
    fake.set_scenario(WARMUP_SLUG, "success")
    threading.Thread(target=complete_when_due, args=(fake, hold_s), daemon=True).start()
    conn.send(fake.base_url)
    while conn.recv() == "counts":
        conn.send(served(fake))
    fake.close()


def complete_when_due(fake: FakeReplicate, hold_s: float) -> None:
    """Every 0.1 s, make the held predictions that are `hold_s` old succeed."""
    while True:
        now = datetime.now(UTC)
        with fake._lock:  # the fake's own lock: request handlers add predictions concurrently
            for pid, state in fake.predictions.items():
                created = datetime.fromisoformat(state.body["created_at"])
                held = state.scenario.name == "hold" and state.body["status"] not in TERMINAL
                if held and (now - created).total_seconds() >= hold_s:
                    fake.complete(pid)
        time.sleep(0.1)


def served(fake: FakeReplicate) -> dict[str, int]:
    return {"requests": len(fake.requests), "polls": len(fake.polls())}


def start_fake(hold_s: float) -> tuple[multiprocessing.process.BaseProcess, Connection, str]:
    ctx = multiprocessing.get_context("spawn")
    ours, theirs = ctx.Pipe()
    proc = ctx.Process(target=serve_fake, args=(theirs, hold_s), daemon=True)
    proc.start()
    return proc, ours, ours.recv()


def fake_counts(conn: Connection) -> dict[str, int]:
    conn.send("counts")
    return conn.recv()


# --- the measured process -----------------------------------------------------------------------------------


@dataclass
class Row:
    name: str
    wall_s: float
    cpu_s: float
    lags_ms: list[float]
    ok: int
    renders: int
    served: dict[str, int]  # requests and polls the fake served during the measurement

    @property
    def cpu_pct(self) -> float:
        return 100 * self.cpu_s / self.wall_s

    def lag(self, percentile: int) -> float:
        return statistics.quantiles(self.lags_ms, n=100, method="inclusive")[percentile - 1]

    def lag_by_time(self, percentile: int) -> float:
        """The percentile with each late wake-up also counting the ticks it swallowed (see the docstring)."""
        tick_ms = TICK_S * 1000
        lags = [lag - k * tick_ms for lag in self.lags_ms for k in range(int(lag // tick_ms) + 1)]
        return statistics.quantiles(lags, n=100, method="inclusive")[percentile - 1]


async def sample_lag(lags_ms: list[float]) -> None:
    """Sleep 10 ms over and over; record how much later than asked each wake-up came."""
    while True:
        start = time.perf_counter()
        await asyncio.sleep(TICK_S)
        lags_ms.append((time.perf_counter() - start - TICK_S) * 1000)


async def measure(name: str, renders: int, work: Callable[[], Awaitable[int]], conn: Connection) -> Row:
    """Run `work` (which returns the renders that succeeded) under the lag sampler; CPU and wall time of it."""
    before = fake_counts(conn)
    lags_ms: list[float] = []
    sampler = asyncio.create_task(sample_lag(lags_ms))
    wall0, cpu0 = time.perf_counter(), time.process_time()
    ok = await work()
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    sampler.cancel()
    after = fake_counts(conn)
    return Row(name, wall, cpu, lags_ms, ok, renders, {k: after[k] - before[k] for k in after})


async def ignore_progress(fraction: float, message: str) -> None:
    pass


async def follow(engine: ReplicateEngine, model: str, n: int, out: Path) -> int:
    """Render `n` 4 s videos at once on `model`; how many succeeded (the first failure is printed)."""
    resolved = build_catalog(engine.settings).resolve(model, duration_s=4)

    async def one(i: int) -> None:
        job = RenderJob.of(f"{model}-{n}-{i}", resolved, brief=BRIEF, prompt=BRIEF, references=[])
        await engine.render(job, out / f"{job.job_id}.mp4", ignore_progress)

    results = await asyncio.gather(*(one(i) for i in range(n)), return_exceptions=True)
    failures = [r for r in results if isinstance(r, BaseException)]
    if failures:
        print(f"  {len(failures)} of {n} renders failed; the first: {failures[0]!r}")
    return n - len(failures)


async def run(args: argparse.Namespace, base_url: str, conn: Connection, tmp: Path) -> list[Row]:
    fake = SimpleNamespace(token=TOKEN, base_url=base_url)  # all replicate_settings reads of a FakeReplicate
    settings = replicate_settings(fake, tmp, replicate_poll_s=args.poll, replicate_polls_per_s=args.budget)
    engine = ReplicateEngine(settings, build_storage(settings))
    if await follow(engine, WARMUP_MODEL, 1, tmp) != 1:
        raise SystemExit("the warm-up render failed")
    rows = [await measure("idle", 0, lambda: asyncio.sleep(IDLE_S, result=0), conn)]
    for n in sorted({20, args.predictions}):
        rows.append(await measure(f"{n} predictions", n, lambda n=n: follow(engine, MODEL, n, tmp), conn))
    return rows


# --- report -------------------------------------------------------------------------------------------------


COLUMNS = [  # (heading, width) after the row's name
    ("CPU % core", 10), ("lag p50", 8), ("p99", 7), ("max ms", 8), ("p99 by time", 11), ("renders ok", 10),
    ("polls", 6), ("requests", 8), ("wall s", 7), ("CPU ms/poll", 11),
]  # fmt: skip


def cells(row: Row, idle: Row) -> list[str]:
    polls = row.served["polls"]
    above_idle_s = row.cpu_s - idle.cpu_s / idle.wall_s * row.wall_s
    return [
        f"{row.cpu_pct:.1f}",
        f"{row.lag(50):.2f}",
        f"{row.lag(99):.2f}",
        f"{max(row.lags_ms):.1f}",
        f"{row.lag_by_time(99):.2f}",
        f"{row.ok}/{row.renders}",
        str(polls),
        str(row.served["requests"]),
        f"{row.wall_s:.1f}",
        f"{above_idle_s * 1000 / polls:.2f}" if polls else "",
    ]


def print_line(name: str, texts: list[str]) -> None:
    print(f"{name:16}" + "".join(f" {text:>{width}}" for text, (_, width) in zip(texts, COLUMNS, strict=True)))


def report(rows: list[Row]) -> None:
    idle, top = rows[0], rows[-1]
    print_line("", [heading for heading, _ in COLUMNS])
    for row in rows:
        print_line(row.name, cells(row, idle))
    ratios = f"{top.name} vs idle: CPU x{top.cpu_pct / idle.cpu_pct:.1f}, lag p99 x{top.lag(99) / idle.lag(99):.1f}"
    if len(rows) == 3:
        mid = rows[1]
        ratios += (
            f"; vs {mid.name}: CPU x{top.cpu_s / mid.cpu_s:.1f}, polls x{top.served['polls'] / mid.served['polls']:.1f}"
        )
    print(ratios)
    n = top.renders
    print(f"CPU share {n}: {top.cpu_pct:.1f}% (target < {CPU_TARGET_PCT:g}%)")
    print(f"lag p99 {n}: {top.lag(99):.1f} ms, by time {top.lag_by_time(99):.1f} ms (target < {LAG_TARGET_MS:g} ms)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--predictions", type=int, default=200, help="predictions followed at once (default 200)")
    parser.add_argument("--poll", type=float, default=3.0, help="replicate_poll_s (default 3.0, production's)")
    parser.add_argument(
        "--budget", type=float, default=10.0, help="replicate_polls_per_s: the process's poll budget (default 10)"
    )
    parser.add_argument(
        "--seconds-per-prediction",
        type=float,
        default=75.0,
        help="how long each prediction runs (default 75: Veo 3.1 Fast's typical wait in the catalog)",
    )
    args = parser.parse_args()
    proc, conn, base_url = start_fake(args.seconds_per_prediction)
    print(
        f"following up to {args.predictions} predictions of {args.seconds_per_prediction:g} s each, "
        f"replicate_poll_s={args.poll:g}, at most {args.budget:g} polls/s, fake Replicate in process {proc.pid}"
    )
    try:
        with tempfile.TemporaryDirectory() as tmp:
            rows = asyncio.run(run(args, base_url, conn, Path(tmp)))
    finally:
        conn.send("stop")
        proc.join(10)
    report(rows)


if __name__ == "__main__":
    main()
