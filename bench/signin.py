"""Do password guessers slow down the server for everyone else?

    .venv/bin/python bench/signin.py [--guessers 8] [--seconds 60] [--idle-seconds 15] [--spread]

A real `clapboard serve` process (as tests/e2e/server_process.py starts it) with one user, alice, on a loopback
port. A sampler loads two pages one after another, 20 times a second at most: the chat's page (`GET /`) and who
is signed in (`GET /user` with alice's session cookie: the session re-checked against the database). Measured in
the same run:

  idle       the sampler alone, for --idle-seconds
  attack     the sampler while --guessers clients post wrong passwords for alice to `POST /login` for
             --seconds, each as fast as it is answered (keep-alive, one request in flight each), from one
             address (anonymous guessers on one machine: the issue's attack)
  spread     with --spread, then the same, each guess from another address (X-Forwarded-For, which the
             server takes from a loopback proxy) and for another name: no bucket fills, so every guess is a
             password check (the hash of an unknown user's dummy); the worst case for the hashing itself

For each: page-load p50 and p90 of each page and their ratio to idle (target: p50 within 2x), the guesses
answered 401 (a password was checked), 429 (refused before any check; each must carry Retry-After) and other.
Before the fix (issue 21: every page 57-62x slower, no 429), on the parent commit with --seconds 30: `/` p50
x107, `/user` x448, 126 guesses all answered 401. Takes about --idle-seconds + --seconds (x2 with
--spread) plus a few seconds to start.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.e2e.server_process import SECRET, ServerProcess  # noqa: E402

PAGES = ("/", "/user")
SAMPLE_EVERY_S = 0.05
TARGET = 2.0


async def sample(base: str, cookie: str, stop: asyncio.Event) -> dict[str, list[float]]:
    """Page-load times (ms) of each page, loaded in turn until `stop`."""
    times: dict[str, list[float]] = {page: [] for page in PAGES}
    async with httpx.AsyncClient(base_url=base, cookies={"access_token": cookie}, timeout=60) as http:
        while not stop.is_set():
            for page in PAGES:
                started = time.perf_counter()
                response = await http.get(page)
                response.raise_for_status()
                times[page].append((time.perf_counter() - started) * 1000)
            await asyncio.sleep(SAMPLE_EVERY_S)
    return times


async def guess(base: str, spread: bool, until: float, answers: Counter[str], serial: itertools.count) -> None:
    """Wrong passwords for alice (or, spread, for other names from other addresses) until `until`."""
    async with httpx.AsyncClient(base_url=base, timeout=60) as http:
        while time.monotonic() < until:
            n = next(serial)
            headers = {"X-Forwarded-For": f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"} if spread else {}
            form = {"username": f"user{n}" if spread else "alice", "password": f"guess-{n:08d}"}
            response = await http.post("/login", data=form, headers=headers)
            code = response.status_code
            if code == 429 and not response.headers.get("Retry-After", "").isdigit():
                code = "429 without Retry-After"
            answers[str(code)] += 1


async def phase(base: str, cookie: str, seconds: float, guessers: int, spread: bool | None) -> tuple:
    """Sample the pages for `seconds`, with `guessers` guessing meanwhile (none for spread=None)."""
    stop, answers, serial = asyncio.Event(), Counter[str](), itertools.count(1)
    sampler = asyncio.create_task(sample(base, cookie, stop))
    until = time.monotonic() + seconds
    if spread is None:
        await asyncio.sleep(seconds)
    else:
        await asyncio.gather(*(guess(base, spread, until, answers, serial) for _ in range(guessers)))
    stop.set()
    return await sampler, answers


def report(name: str, times: dict[str, list[float]], idle: dict[str, list[float]], answers: Counter[str]) -> bool:
    ok = True
    cells = []
    for page in PAGES:
        p50, p90 = statistics.median(times[page]), statistics.quantiles(times[page], n=10)[-1]
        ratio = p50 / statistics.median(idle[page])
        ok = ok and ratio <= TARGET
        cells.append(f"{page:<6} p50 {p50:7.1f} ms  p90 {p90:7.1f} ms  x{ratio:5.2f}")
    total = sum(answers.values())
    said = ", ".join(f"{code}: {count}" for code, count in sorted(answers.items())) or "-"
    print(f"{name:<7} " + " | ".join(cells) + f" | {len(times[PAGES[0]])} loads | guesses {total} ({said})")
    return ok and "429 without Retry-After" not in answers


def add_user(data: Path) -> None:
    env = {"CLAPBOARD_DATA_DIR": str(data), "CLAPBOARD_SECRET_KEY": SECRET, "PATH": "/usr/bin:/bin"}
    subprocess.run([sys.executable, "-m", "chat.cli", "users", "add", "alice", "--team", "acme", "--password-stdin"],
                   input="alice-password\n", text=True, env=env, cwd=ROOT, check=True, capture_output=True)  # fmt: skip


async def main(args: argparse.Namespace) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        add_user(data)
        server = ServerProcess(data).start()
        try:
            async with httpx.AsyncClient(base_url=server.base, timeout=60) as http:
                signed = await http.post("/login", data={"username": "alice", "password": "alice-password"})
                signed.raise_for_status()
                cookie = signed.cookies["access_token"]
            await phase(server.base, cookie, 2, 0, None)  # warm up
            idle, _ = await phase(server.base, cookie, args.idle_seconds, 0, None)
            print(f"{args.guessers} guessers for {args.seconds:.0f} s against one `clapboard serve` "
                  f"(target: p50 within {TARGET:.0f}x idle, every 429 with Retry-After)")  # fmt: skip
            report("idle", idle, idle, Counter())
            attack, answers = await phase(server.base, cookie, args.seconds, args.guessers, False)
            ok = report("attack", attack, idle, answers)
            if args.spread:
                spread, answers = await phase(server.base, cookie, args.seconds, args.guessers, True)
                report("spread", spread, idle, answers)
        finally:
            server.stop()
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--guessers", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--idle-seconds", type=float, default=15.0)
    parser.add_argument("--spread", action="store_true", help="also guess from many addresses at many names")
    sys.exit(asyncio.run(main(parser.parse_args())))
