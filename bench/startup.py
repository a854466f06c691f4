"""Do two servers starting together on a fresh PostgreSQL database both come up, while the agent memory's set-up
lock is held and an index is built concurrently (the hang of issue 21, item 3)?

    .venv/bin/python bench/startup.py [--runs 10] [--timeout 90]

Each run: a fresh database on 127.0.0.1:5432 (user postgres, as the tests use it); a connection takes the memory
set-up's advisory lock, as the first server to reach the set-up does; two `clapboard serve` processes are started
together (defaults otherwise: each runs the embedded worker) and wait for that lock; then, on another connection,
the holder builds an index with CREATE INDEX CONCURRENTLY (LangGraph's set-up does so), which waits for every
transaction open on the database: a waiting server that kept one open would block it for good (here lock_timeout
ends it at --timeout s and the run counts as hung). Then the lock is released and both servers must answer their
API within --timeout s. Prints, per run, the seconds the index build took while both waited and the seconds from
start until both answered; then how many runs had both servers up. Before the fix every run hung at the index.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from chat.memory import MEMORY_LOCK  # noqa: E402
from tests.conftest import _drop, _postgres_database  # noqa: E402
from tests.e2e.server_process import ServerProcess  # noqa: E402

# Servers whose last statement was the memory lock's (pg_advisory_lock or pg_try_advisory_lock, parameters bound).
WAITING = (
    "SELECT count(DISTINCT pid) FROM pg_stat_activity WHERE datname = current_database() "
    "AND pid <> pg_backend_pid() AND query LIKE '%advisory_lock(%'"
)


async def one_run(index: int, timeout: float, folder: Path) -> tuple[bool, float | None, float | None]:
    url = await _postgres_database()
    if url is None:
        raise SystemExit("no PostgreSQL server answered on 127.0.0.1:5432 (set CLAPBOARD_TEST_DATABASE_URL)")
    conninfo = "postgresql://" + url.split("://", 1)[1]
    servers = [ServerProcess(folder / f"run{index}" / "data", DATABASE_URL=url) for _ in range(2)]
    try:
        async with (
            await psycopg.AsyncConnection.connect(conninfo, autocommit=True) as holder,
            await psycopg.AsyncConnection.connect(conninfo, autocommit=True) as builder,
        ):
            await holder.execute("SELECT pg_advisory_lock(%s)", (MEMORY_LOCK,))
            started = time.monotonic()
            up = [asyncio.create_task(asyncio.to_thread(s.start, timeout + 60)) for s in servers]
            while (await (await holder.execute(WAITING)).fetchone())[0] < 2:
                if any(t.done() for t in up):
                    await asyncio.gather(*up)  # a server exited: its log is in the error
                await asyncio.sleep(0.2)
            await builder.execute(f"SET lock_timeout = '{timeout:g}s'")
            await builder.execute("CREATE TABLE held (id int)")
            built = time.monotonic()
            try:
                await builder.execute("CREATE INDEX CONCURRENTLY held_id ON held (id)")
            except psycopg.errors.LockNotAvailable:
                return False, None, None
            build_s = time.monotonic() - built
            await holder.execute("SELECT pg_advisory_unlock(%s)", (MEMORY_LOCK,))
        await asyncio.gather(*up)
        return True, build_s, time.monotonic() - started
    finally:
        for server in servers:
            server.stop()
        await _drop(url)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--timeout", type=float, default=90.0)
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as folder:
        for i in range(args.runs):
            ok, build_s, up_s = await one_run(i, args.timeout, Path(folder))
            results.append((ok, build_s, up_s))
            said = f"index built in {build_s:.2f} s while both waited, both up {up_s:.1f} s after start" if ok else ""
            print(f"run {i + 1}: " + (said or f"HUNG: the index build waited {args.timeout:g} s"), flush=True)
    ups = [r for r in results if r[0]]
    print(f"\nboth servers up: {len(ups)} of {len(results)} runs")
    if ups:
        print(f"index build while both waited: median {statistics.median(r[1] for r in ups):.2f} s, "
              f"max {max(r[1] for r in ups):.2f} s")  # fmt: skip
        print(f"both up after start: median {statistics.median(r[2] for r in ups):.1f} s, "
              f"max {max(r[2] for r in ups):.1f} s")  # fmt: skip


if __name__ == "__main__":
    asyncio.run(main())
