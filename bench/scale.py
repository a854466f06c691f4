"""Does Clapboard scale out over worker processes, and does it lose or duplicate anything when workers die?

    .venv/bin/python bench/scale.py [--instances 2] [--workers 3] [--jobs 60] [--kills 3] [--paid-seconds 3]
                                    [--create-seconds 0.5] [--concurrency 2] [--poll 0.25] [--timeout 90]
                                    [--seed S] [--keep]

Real processes on this machine, as production runs them: --instances `clapboard serve` processes that only
serve (CLAPBOARD_EMBEDDED_WORKER=false) and `clapboard worker` processes that run the jobs (--concurrency jobs
each, CLAPBOARD_MAX_CONCURRENT_JOBS), sharing one data folder and a fresh PostgreSQL database on
127.0.0.1:5432 (user postgres, as the tests use it), with CLAPBOARD_JOB_LEASE_S=2 so that a dead worker's jobs
move on quickly. The fake Replicate runs in a process of its own (spawned, so that its threads do not count
against the processes measured); there a create is answered --create-seconds after the prediction is made
(Replicate's own latency: a worker killed meanwhile has paid for a prediction whose id it never learned), every
paid prediction stays "processing" until it is --paid-seconds old, then succeeds, and the workers poll it every
--poll s at first (CLAPBOARD_REPLICATE_POLL_S). The jobs are submitted in one burst through the servers' REST
API, round-robin (POST /api/video/generate, bearer token): half paid (veo-3.1-fast, 4 s, confirm: a worker slot
waiting on the provider) and half drafts (draft, 2-4 s, 1:1: rendered here with PyAV/x264, CPU-bound), shuffled.

Three phases, each on its own fresh database and data folder (dropped and removed after it):
  1 worker         --jobs/2 jobs, no kills: the baseline
  M workers        the same --jobs/2 jobs on --workers workers, no kills
  M workers+kills  --jobs jobs on --workers workers; --kills times, at a random moment (once a random share
                   of the jobs between 5% and 80% has ended, plus 0-1.5 s) a worker that is running a job is
                   SIGKILLed and a new one started, so M stay up. Its jobs must come back by themselves:
                   every 10 s a recovery task re-runs tasks whose worker stopped beating for a lease (2 s), and
                   the new holder follows the recorded prediction (or, killed before it was recorded, the one
                   found by its input) or renders the draft again.
For each phase:
  lost                 jobs neither succeeded nor failed when nothing has ended for --timeout s
  duplicated creatives creative rows beyond one per job (read in the database: the API's creatives have no
                       job id), plus jobs sharing a creative id (GET /api/jobs)
  creates / paid job   POST /v1/predictions the fake received, over the paid jobs submitted (and the most any
                       one job got: each prompt names its job)
  submit -> ready      from this process's clock just before the POST to the job's updated_at when it is first
                       seen succeeded (the commit time of its end; GET /api/jobs is read every 0.5 s); p50, p99
  throughput           succeeded jobs a minute, from the first submit to the last ready
  CPU                  user+sys seconds over the phase (from /proc/<pid>/stat: all threads) of each server,
                       worker, the fake, this process, PostgreSQL (postmaster, its live and its reaped
                       processes), and the whole machine's busy share of its cores (including whatever else
                       runs here); a killed worker's up to its kill, a replacement's from its start
  kills                when another runner was first seen holding each job the killed worker ran, and when
                       they were ready; target: taken up within 13 s (the lease, the recovery task's period)
Then the throughput of M workers over 1 worker. It should grow with workers until the cores are full: a draft
keeps a core busy, so on a small machine it stops growing near one render per core, while paid jobs only wait
and keep gaining from more slots. Targets: nothing lost, nothing duplicated, one provider create per paid job.

Each phase's server and worker logs are scanned for what they logged at WARNING or above, printed grouped by
message; --keep keeps the folder with the logs and data folders. Run it on a quiet machine: the CPU no process
here accounts for is printed as "other processes", and a note says when it disturbed a phase. The default run
(2 instances, 3 workers, 30 + 30 + 60 jobs, 3 kills) takes about 2.5 minutes on a quiet 2-core machine (3.5
on a busy one): starting the processes takes 10-30 s a phase, the jobs 15-55 s. Ctrl-C (or SIGTERM) stops every
process started here and drops the databases.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import multiprocessing
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import _drop, _postgres_database  # noqa: E402
from tests.e2e.server_process import ClapboardProcess, ServerProcess, token, worker  # noqa: E402
from tests.fakes.replicate_server import TERMINAL, TOKEN, FakeReplicate  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")
CORES = os.cpu_count() or 1
LEASE_S = 2
RECOVERY_S = LEASE_S + 10 + 1  # a dead worker's tasks are put back by a task run every 10 s; 1 s to be taken
ENDED = ("succeeded", "failed", "canceled")
POLL_JOBS_S = 0.5
START_TIMEOUT_S = 120.0
PAID = {"model": "veo-3.1-fast", "duration_s": 4, "confirm": True}
TAG = re.compile(r"run (\w+) job (\d+)")
SERVER_WARNING = re.compile(r"^\S+ \S+ - (WARNING|ERROR|CRITICAL) - (.*)$")
NUMBERS = re.compile(r"\b[0-9a-f]{32}\b|\b\d+(\.\d+)?\b")


# --- the fake Replicate, in its own process -----------------------------------------------------------------


def serve_fake(conn: Connection, hold_s: float, create_s: float) -> None:
    """The child process: a fake Replicate that answers a create `create_s` after making the prediction, which
    succeeds `hold_s` after its creation. Sends its base URL, answers each "creates" with the prompts of every
    create so far and the polls served, and stops on anything else."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the parent stops this one
    fake = FakeReplicate().start()
    fake.set_scenario("*", "hold", create_s=create_s)
    threading.Thread(target=complete_when_due, args=(fake, hold_s), daemon=True).start()
    conn.send(fake.base_url)
    while conn.recv() == "creates":
        with fake._lock:
            prompts = [str((r.json or {}).get("input", {}).get("prompt", "")) for r in fake.creates()]
            polls = len(fake.polls())
        conn.send({"prompts": prompts, "polls": polls})
    fake.close()


def complete_when_due(fake: FakeReplicate, hold_s: float) -> None:
    """Every 0.1 s, make the held predictions that are `hold_s` old succeed."""
    while True:
        now = datetime.now(UTC)
        with fake._lock:  # the fake's own lock: request handlers add predictions concurrently
            for pid, state in fake.predictions.items():
                created = datetime.fromisoformat(state.body["created_at"])
                if state.body["status"] not in TERMINAL and (now - created).total_seconds() >= hold_s:
                    fake.complete(pid)
        time.sleep(0.1)


class Fake:
    def __init__(self, hold_s: float, create_s: float) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.conn, theirs = ctx.Pipe()
        self.process = ctx.Process(target=serve_fake, args=(theirs, hold_s, create_s), daemon=True)
        self.process.start()
        self.base_url: str = self.conn.recv()

    @property
    def pid(self) -> int:
        assert self.process.pid is not None
        return self.process.pid

    def creates(self) -> dict[str, Any]:
        self.conn.send("creates")
        return self.conn.recv()

    def close(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            self.conn.send("stop")
        self.process.join(10)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(5)


# --- CPU ----------------------------------------------------------------------------------------------------


def _stat(pid: int | str) -> tuple[str, list[str]] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.index("(") + 1 : text.rindex(")")], text[text.rindex(")") + 1 :].split()


def cpu_seconds(pid: int) -> float | None:
    """user+sys CPU of a process (all its threads, and the children it has waited for); None when it is gone."""
    stat = _stat(pid)
    return None if stat is None else sum(int(f) for f in stat[1][11:15]) / TICKS


def postgres_cpu() -> float | None:
    """CPU seconds of the local PostgreSQL: the postmaster and the processes it has reaped (its cutime, cstime),
    and its live processes; None when it runs elsewhere."""
    stats = {int(d.name): s for d in Path("/proc").iterdir() if d.name.isdigit() and (s := _stat(d.name))}
    ours = {pid for pid, (comm, _) in stats.items() if comm == "postgres"}
    if not ours:
        return None
    total = 0
    for pid in ours:
        fields = stats[pid][1]
        total += int(fields[11]) + int(fields[12])
        if int(fields[1]) not in ours:  # the postmaster: add what its ended children used
            total += int(fields[13]) + int(fields[14])
    return total / TICKS


def machine_cpu() -> tuple[float, float]:
    """(busy, all) CPU seconds of the machine since boot, summed over its cores."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    return (sum(values) - values[3] - values[4]) / TICKS, sum(values) / TICKS


# --- the processes ------------------------------------------------------------------------------------------


@dataclass
class Member:
    """A `clapboard` process of the cluster and its CPU over the phase."""

    role: str
    process: ClapboardProcess
    cpu0: float = 0.0  # at the phase's start (0 for one started during it: its start-up counts)
    cpu_s: float | None = None  # read last before it was stopped or killed
    fate: str = ""

    @property
    def alive(self) -> bool:
        return self.process.process is not None and self.process.process.poll() is None

    def read_cpu(self) -> None:
        if self.process.process is not None and (now := cpu_seconds(self.process.pid)) is not None:
            self.cpu_s = now - self.cpu0


@dataclass
class Cleanup:
    """What to undo on the way out, whatever happens: processes, databases, the fake, the folder."""

    members: list[Member] = field(default_factory=list)
    databases: list[str] = field(default_factory=list)

    def stop(self, members: list[Member], grace_s: float = 20.0) -> None:
        """SIGTERM them all at once (a graceful stop), then SIGKILL those still running after `grace_s`."""
        live = [m for m in members if m.alive]
        for m in live:
            assert m.process.process is not None
            m.process.process.terminate()
        deadline = time.monotonic() + grace_s
        for m in live:
            assert m.process.process is not None
            try:
                m.process.process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                m.process.process.kill()
                m.process.process.wait(10)
        for m in members:
            if m in self.members:
                self.members.remove(m)

    def run(self) -> None:
        self.stop(list(self.members), grace_s=5.0)
        for url in list(self.databases):
            try:
                asyncio.run(_drop(url))
            except Exception as exc:  # the server went away: say so, the database stays
                print(f"could not drop {url.rsplit('/', 1)[1]}: {exc!r}")
        self.databases.clear()


# --- the workload -------------------------------------------------------------------------------------------


@dataclass
class Plan:
    index: int
    paid: bool
    body: dict[str, Any]


def workload(n: int, rng: random.Random, key: str) -> list[Plan]:
    """`n` jobs, half paid and half drafts (2-4 s, 1:1), shuffled; each prompt names its run and job."""
    kinds = [True] * (n // 2) + [False] * (n - n // 2)
    rng.shuffle(kinds)
    plans = []
    for i, paid in enumerate(kinds):
        prompt = f"Scale bench run {key} job {i}: a paper kite over a windy beach at dawn, slow push-in."
        body = {**PAID} if paid else {"model": "draft", "duration_s": rng.randint(2, 4), "aspect": "1:1"}
        plans.append(Plan(i, paid, {"prompt": prompt, **body}))
    return plans


def retagged(plans: list[Plan], key: str) -> list[Plan]:
    """The same jobs for another run."""
    return [
        Plan(p.index, p.paid, {**p.body, "prompt": TAG.sub(f"run {key} job {p.index}", p.body["prompt"])})
        for p in plans
    ]


@dataclass
class Tracked:
    plan: Plan
    submitted_at: float  # this process's clock just before the POST
    job_id: str | None = None
    error: str = ""
    status: str = "not submitted"
    ready_at: float | None = None  # the job's updated_at when first seen succeeded
    attempts: int = 0
    creative_id: str | None = None
    runner: str | None = None
    runners: list[tuple[float, str]] = field(default_factory=list)  # (when first seen, runner) at each change


@dataclass
class Kill:
    at: float  # wall clock
    victim: str
    pid: int
    jobs: list[str]
    replacement: str = ""


@dataclass
class Phase:
    key: str
    title: str
    workers: int
    plans: list[Plan]
    kills: int


@dataclass
class Result:
    phase: Phase
    members: list[Member]
    tracked: list[Tracked]
    kills: list[Kill]
    t0: float
    wall_s: float
    fake_cpu_s: float
    postgres_cpu_s: float | None
    bench_cpu_s: float
    machine_busy_s: float
    machine_all_s: float
    creates: list[str]
    polls: int
    creative_rows: int
    creative_jobs: int
    api_creatives: int
    stored_videos: int
    temp_folders: int
    log_notes: Counter[str]
    reruns_logged: int

    @property
    def submitted(self) -> list[Tracked]:
        return [t for t in self.tracked if t.job_id]

    def count(self, status: str) -> int:
        return sum(t.status == status for t in self.submitted)

    @property
    def lost(self) -> int:
        return sum(t.status not in ENDED for t in self.submitted)

    @property
    def duplicated(self) -> int:
        ids = [t.creative_id for t in self.submitted if t.creative_id]
        return (self.creative_rows - self.creative_jobs) + (len(ids) - len(set(ids)))

    @property
    def paid(self) -> list[Tracked]:
        return [t for t in self.submitted if t.plan.paid]

    def creates_per_job(self) -> Counter[int]:
        """Creates the fake received for each job of this run (by the job its prompt names)."""
        counts: Counter[int] = Counter()
        for prompt in self.creates:
            if (m := TAG.search(prompt)) and m.group(1) == self.phase.key:
                counts[int(m.group(2))] += 1
        return counts

    def latencies(self, paid: bool | None = None) -> list[float]:
        return [
            t.ready_at - t.submitted_at
            for t in self.submitted
            if t.ready_at is not None and (paid is None or t.plan.paid == paid)
        ]

    @property
    def throughput(self) -> float:
        ready = [t.ready_at for t in self.submitted if t.ready_at is not None]
        if not ready:
            return 0.0
        return 60 * len(ready) / (max(ready) - min(t.submitted_at for t in self.submitted))

    @property
    def other_cpu_s(self) -> float:
        """The machine's busy time that none of the processes measured accounts for: someone else's."""
        ours = [*(m.cpu_s for m in self.members), self.fake_cpu_s, self.postgres_cpu_s, self.bench_cpu_s]
        return self.machine_busy_s - sum(cpu or 0.0 for cpu in ours)

    @property
    def ours_pct(self) -> float:
        return 100 * (self.machine_busy_s - self.other_cpu_s) / self.machine_all_s if self.machine_all_s else 0.0

    @property
    def machine_pct(self) -> float:
        return 100 * self.machine_busy_s / self.machine_all_s if self.machine_all_s else 0.0


def percentile(values: list[float], p: int) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


def timestamp(text: str) -> float:
    moment = datetime.fromisoformat(text)
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


# --- one phase ----------------------------------------------------------------------------------------------


class Run:
    """One phase: its cluster, its jobs, its kills."""

    def __init__(self, phase: Phase, args: argparse.Namespace, fake: Fake, cleanup: Cleanup, folder: Path) -> None:
        self.phase, self.args, self.fake, self.cleanup = phase, args, fake, cleanup
        self.folder = folder
        self.data = folder / "data"
        self.rng = random.Random(f"{args.seed}-{phase.key}")
        self.members: list[Member] = []
        self.workers: list[Member] = []
        self.tracked: list[Tracked] = []
        self.kills: list[Kill] = []
        self.ended = 0
        self.t0 = 0.0
        self.env: dict[str, str] = {}
        self.starting: asyncio.Future[Any] | None = None  # a replacement worker starting

    def add(self, role: str, process: ClapboardProcess) -> Member:
        member = Member(role, process)
        self.members.append(member)
        self.cleanup.members.append(member)
        if role.startswith("worker"):
            self.workers.append(member)
        return member

    async def run(self) -> Result:
        url = await _postgres_database()
        if url is None:
            raise SystemExit("no PostgreSQL server answered on 127.0.0.1:5432 (set CLAPBOARD_TEST_DATABASE_URL)")
        self.cleanup.databases.append(url)
        self.env = {
            "REPLICATE_API_TOKEN": TOKEN, "REPLICATE_BASE_URL": self.fake.base_url,
            "CLAPBOARD_REPLICATE_POLL_S": str(self.args.poll), "CLAPBOARD_JOB_LEASE_S": str(LEASE_S),
            "DATABASE_URL": url, "CLAPBOARD_EMBEDDED_WORKER": "false",
            "CLAPBOARD_MAX_CONCURRENT_JOBS": str(self.args.concurrency),
        }  # fmt: skip
        servers = [ServerProcess(self.data, **self.env) for _ in range(self.args.instances)]
        for i, server in enumerate(servers):
            self.add(f"server {i + 1}", server)
        for i in range(self.phase.workers):
            self.add(f"worker {i + 1}", worker(self.data, **self.env))
        started = time.monotonic()
        await asyncio.gather(*(asyncio.to_thread(m.process.start, START_TIMEOUT_S) for m in self.members))
        print(f"  {len(servers)} servers and {len(self.workers)} workers up in {time.monotonic() - started:.1f} s")

        headers = token()
        clients = [httpx.AsyncClient(base_url=s.base, headers=headers, timeout=30) for s in servers]
        try:
            for m in self.members:
                m.cpu0 = cpu_seconds(m.process.pid) or 0.0
            fake0, pg0, bench0 = cpu_seconds(self.fake.pid) or 0.0, postgres_cpu(), time.process_time()
            before = self.fake.creates()
            busy0, all0 = machine_cpu()
            self.t0 = time.time()
            await self.submit(clients)
            killer = asyncio.create_task(self.killer(clients[0]))
            try:
                await self.follow(clients)
            finally:
                killer.cancel()
                await asyncio.gather(killer, return_exceptions=True)
                if self.starting is not None:
                    await asyncio.gather(self.starting, return_exceptions=True)
            wall_s = time.time() - self.t0
            for m in self.members:
                if m.alive:
                    m.read_cpu()
            busy1, all1 = machine_cpu()
            fake_cpu = (cpu_seconds(self.fake.pid) or 0.0) - fake0
            pg1 = postgres_cpu()
            bench_cpu = time.process_time() - bench0
            seen = self.fake.creates()
            jobs = await fetch_jobs(clients[0])
            self.observe(jobs)
            api_creatives = len((await clients[0].get("/api/creatives")).json())
        finally:
            for client in clients:
                await client.aclose()
        rows, with_job = await creative_rows(url)
        await asyncio.to_thread(self.cleanup.stop, self.members)
        for m in self.members:
            m.fate = m.fate or "stopped at the end"
        await _drop(url)
        self.cleanup.databases.remove(url)
        notes, reruns = scan_logs(self.members)
        return Result(
            phase=self.phase,
            members=self.members,
            tracked=self.tracked,
            kills=self.kills,
            t0=self.t0,
            wall_s=wall_s,
            fake_cpu_s=fake_cpu,
            postgres_cpu_s=None if pg0 is None or pg1 is None else pg1 - pg0,
            bench_cpu_s=bench_cpu,
            machine_busy_s=busy1 - busy0,
            machine_all_s=all1 - all0,
            creates=seen["prompts"][len(before["prompts"]) :],
            polls=seen["polls"] - before["polls"],
            creative_rows=rows,
            creative_jobs=with_job,
            api_creatives=api_creatives,
            stored_videos=len(list((self.data / "files" / "creatives").glob("*/video.mp4"))),
            temp_folders=len(list((self.data / "tmp").glob("job-*"))),
            log_notes=notes,
            reruns_logged=reruns,
        )

    async def submit(self, clients: list[httpx.AsyncClient]) -> None:
        """Every job, one after the other, round-robin over the servers."""
        for plan in self.phase.plans:
            client = clients[plan.index % len(clients)]
            tracked = Tracked(plan, time.time())
            self.tracked.append(tracked)
            try:
                response = await client.post("/api/video/generate", json=plan.body)
                response.raise_for_status()
                tracked.job_id, tracked.status = response.json()["job_id"], "queued"
            except httpx.HTTPStatusError as exc:
                tracked.error = f"{exc.response.status_code} {exc.response.text[:200]}"
            except httpx.HTTPError as exc:
                tracked.error = repr(exc)
        failed = [t for t in self.tracked if t.error]
        print(f"  submitted {len(self.tracked) - len(failed)} jobs in {time.time() - self.t0:.1f} s", end="")
        print(f"; {len(failed)} refused, the first: {failed[0].error}" if failed else "")

    def observe(self, jobs: list[dict[str, Any]]) -> None:
        by_id = {t.job_id: t for t in self.tracked if t.job_id}
        for job in jobs:
            if (t := by_id.get(job["id"])) is None:
                continue
            t.status, t.attempts = job["status"], job["attempts"]
            t.creative_id, t.runner = job["creative_id"], job["runner"]
            if t.runner and (not t.runners or t.runners[-1][1] != t.runner):
                t.runners.append((time.time(), t.runner))
            if t.status == "succeeded" and t.ready_at is None:
                t.ready_at = timestamp(job["updated_at"])
        self.ended = sum(t.status in ENDED for t in by_id.values())

    async def follow(self, clients: list[httpx.AsyncClient]) -> None:
        """Read GET /api/jobs every 0.5 s (from each server in turn) until every job has ended, or nothing has
        ended for --timeout s (the jobs still unfinished then are lost)."""
        total = sum(1 for t in self.tracked if t.job_id)
        last_change, last_ended, last_print, n = time.monotonic(), -1, time.monotonic(), 0
        while True:
            try:
                self.observe(await fetch_jobs(clients[n % len(clients)]))
            except httpx.HTTPError as exc:
                print(f"  GET /api/jobs failed: {exc!r}")
            n += 1
            now = time.monotonic()
            if self.ended != last_ended:
                last_change, last_ended = now, self.ended
            if now - last_print >= 10:
                last_print = now
                running = sum(t.status == "running" for t in self.tracked)
                print(f"  {time.time() - self.t0:5.1f} s: {self.ended}/{total} ended, {running} running")
            if self.ended >= total:
                return
            if now - last_change > self.args.timeout:
                print(f"  nothing ended for {self.args.timeout:g} s: giving up on {total - self.ended} jobs")
                return
            await asyncio.sleep(POLL_JOBS_S)

    async def killer(self, client: httpx.AsyncClient) -> None:
        """SIGKILL a worker that runs a job at random moments, starting a new one each time."""
        total = sum(1 for t in self.tracked if t.job_id)
        for share in sorted(self.rng.uniform(0.05, 0.8) for _ in range(self.phase.kills)):
            while self.ended < share * total:
                await asyncio.sleep(0.1)
            await asyncio.sleep(self.rng.uniform(0, 1.5))
            try:
                jobs = await fetch_jobs(client)
            except httpx.HTTPError:
                jobs = []
            live = [m for m in self.workers if m.alive]
            busy = {m.role: running_on(jobs, m.process.pid) for m in live}
            victim = self.rng.choice([m for m in live if busy[m.role]] or live)
            victim.read_cpu()
            await asyncio.to_thread(victim.process.kill)
            kill = Kill(time.time(), victim.role, victim.process.pid, busy[victim.role])
            self.kills.append(kill)
            victim.fate = f"SIGKILLed at {kill.at - self.t0:.1f} s, running {len(kill.jobs)} jobs"
            print(
                f"  {kill.at - self.t0:5.1f} s: SIGKILL {victim.role} (pid {kill.pid}), running {len(kill.jobs)} jobs"
            )
            replacement = self.add(f"worker {len(self.workers) + 1}", worker(self.data, **self.env))
            kill.replacement = replacement.role
            # Not cancelled with the killer: the phase waits for it, so that no process starts after the stop.
            self.starting = asyncio.ensure_future(asyncio.to_thread(replacement.process.start, START_TIMEOUT_S))
            await asyncio.shield(self.starting)
            replacement.fate = f"started at {time.time() - self.t0:.1f} s for {victim.role} (its start-up counts)"


def running_on(jobs: list[dict[str, Any]], pid: int) -> list[str]:
    """The jobs running on the process with this pid (a runner is host:pid:id)."""
    return [j["id"] for j in jobs if j["status"] == "running" and f":{pid}:" in (j["runner"] or "")]


async def fetch_jobs(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    response = await client.get("/api/jobs", params={"limit": 500})
    response.raise_for_status()
    return response.json()


async def creative_rows(url: str) -> tuple[int, int]:
    """Creative rows in the database, and the distinct jobs they belong to."""
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        row = await conn.fetchrow("SELECT count(*) AS n, count(DISTINCT job_id) AS jobs FROM creatives")
    finally:
        await conn.close()
    return row["n"], row["jobs"]


def scan_logs(members: list[Member]) -> tuple[Counter[str], int]:
    """What the processes logged at WARNING or above, by message (ids and numbers as #, "role: message"), and
    the tasks re-run for a worker that stopped beating. A server logs "date - LEVEL - logger - message"; a worker
    configures no logging, so all it writes after its "Worker on" line is a warning or worse (or a traceback)."""
    notes: Counter[str] = Counter()
    reruns = 0
    for m in members:
        try:
            lines = m.process.log.read_text(errors="replace").splitlines()
        except OSError:
            continue
        reruns += sum("stopped beating is run again" in line for line in lines)
        for line in lines:
            if m.role.startswith("server"):
                found = SERVER_WARNING.match(line)
                text = f"{found.group(1)} {found.group(2)}" if found else ""
            else:
                text = "" if line.startswith(("Worker on", " ")) or not line.strip() else line
            if text:
                notes[f"{m.role.rsplit(' ', 1)[0]}: {NUMBERS.sub('#', text.strip())[:160]}"] += 1
    return notes, reruns


# --- report -------------------------------------------------------------------------------------------------


def fmt(value: float | None, spec: str = ".1f") -> str:
    return "-" if value is None else format(value, spec)


def table(results: list[Result]) -> None:
    rows: list[tuple[str, list[str]]] = []

    def row(name: str, cell: Any) -> None:
        rows.append((name, [cell(r) for r in results]))

    row("workers", lambda r: str(r.phase.workers))
    row("SIGKILLs", lambda r: str(len(r.kills)))
    row("submitted", lambda r: str(len(r.submitted)))
    row("  paid / drafts", lambda r: f"{len(r.paid)} / {len(r.submitted) - len(r.paid)}")
    row("succeeded", lambda r: str(r.count("succeeded")))
    row("failed", lambda r: str(r.count("failed")))
    row("lost", lambda r: str(r.lost))
    row("duplicated creatives", lambda r: str(r.duplicated))
    row("  creative rows / jobs", lambda r: f"{r.creative_rows} / {r.creative_jobs}")
    row("  creatives in the API (<= 100)", lambda r: str(r.api_creatives))
    row("  stored videos", lambda r: str(r.stored_videos))
    row("provider creates / paid job", lambda r: fmt(len(r.creates) / len(r.paid) if r.paid else None, ".2f"))
    row("  most creates for one job", lambda r: str(max(r.creates_per_job().values(), default=0)))
    row("jobs run more than once", lambda r: str(sum(t.attempts > 1 for t in r.submitted)))
    row("submit->ready p50 s", lambda r: fmt(percentile(r.latencies(), 50)))
    row("submit->ready p99 s", lambda r: fmt(percentile(r.latencies(), 99)))
    row(
        "  drafts p50 / p99 s",
        lambda r: f"{fmt(percentile(r.latencies(False), 50))} / {fmt(percentile(r.latencies(False), 99))}",
    )
    row(
        "  paid p50 / p99 s",
        lambda r: f"{fmt(percentile(r.latencies(True), 50))} / {fmt(percentile(r.latencies(True), 99))}",
    )
    row("throughput jobs/min", lambda r: fmt(r.throughput))
    row("wall s", lambda r: fmt(r.wall_s))
    row(f"machine CPU busy % of {CORES} cores", lambda r: fmt(r.machine_pct, ".0f"))
    row("temp folders left", lambda r: str(r.temp_folders))
    names = [r.phase.title for r in results]
    width = max(len(n) for n in names) + 2
    print(f"{'':34}" + "".join(f"{n:>{max(width, 12)}}" for n in names))
    for name, cells in rows:
        print(f"{name:34}" + "".join(f"{c:>{max(width, 12)}}" for c in cells))


def cpu_report(result: Result) -> None:
    print(f"CPU, {result.phase.title} ({result.wall_s:.1f} s): user+sys s, % of one core over the phase")
    lines: list[tuple[str, float | None, str]] = [(m.role, m.cpu_s, m.fate) for m in result.members]
    lines += [
        ("fake Replicate", result.fake_cpu_s, f"{result.polls} polls served"),
        ("PostgreSQL", result.postgres_cpu_s, "all its processes" if result.postgres_cpu_s is not None else "not here"),
        ("this bench", result.bench_cpu_s, "submitting, reading /api/jobs"),
        ("machine (all)", result.machine_busy_s, f"{result.machine_pct:.0f}% of {CORES} cores"),
    ]
    lines.append(("other processes", result.other_cpu_s, "whatever else ran here meanwhile"))
    for role, cpu, note in lines:
        pct = f"{100 * cpu / result.wall_s:5.0f}%" if cpu is not None else "     -"
        print(f"  {role:28} {fmt(cpu):>7} {pct}  {note}")


def taken_up(t: Tracked, kill: Kill) -> float | None:
    """When another runner was first seen holding a job the killed worker ran, or it was ready if earlier (it
    may have ended between two reads of GET /api/jobs)."""
    again = [at for at, runner in t.runners if at > kill.at and f":{kill.pid}:" not in runner]
    return min([*again, *([t.ready_at] if t.ready_at is not None else [])], default=None)


def kill_report(result: Result) -> None:
    by_id = {t.job_id: t for t in result.submitted}
    for kill in result.kills:
        jobs = [by_id[j] for j in kill.jobs if j in by_id]
        ready = [t.ready_at for t in jobs if t.ready_at is not None]
        taken = [at for t in jobs if (at := taken_up(t, kill)) is not None]
        if not jobs:
            after = "none to recover"
        elif len(ready) < len(jobs):
            after = f"{len(jobs) - len(ready)} of them never ready"
        else:
            after = f"taken up again after {max(taken) - kill.at:.1f} s, all ready after {max(ready) - kill.at:.1f} s"
        print(
            f"  {kill.at - result.t0:5.1f} s  {kill.victim} (pid {kill.pid}) running {len(kill.jobs)} jobs: "
            f"{after}; replaced by {kill.replacement}"
        )
    print(f"  tasks re-run for a worker that stopped beating (from the logs): {result.reruns_logged}")
    waits = [
        at - kill.at for kill in result.kills for j in kill.jobs if j in by_id and (at := taken_up(by_id[j], kill))
    ]
    if waits:
        slowest = max(waits)
        verdict = "OK" if slowest <= RECOVERY_S else "NOT MET"
        print(
            f"  slowest take-up {slowest:.1f} s after its kill (target: within {RECOVERY_S:g} s, the lease and the "
            f"recovery task's period): {verdict}"
        )


def report(results: list[Result], args: argparse.Namespace) -> None:
    print()
    table(results)
    print()
    for result in results:
        cpu_report(result)
    main = results[-1]
    if main.kills:
        print(f"kills, {main.phase.title}:")
        kill_report(main)
    print()
    one, many = results[0], results[1]
    ratio = many.throughput / one.throughput if one.throughput else float("nan")
    print(
        f"throughput, {many.phase.workers} workers vs 1: {many.throughput:.1f} / {one.throughput:.1f} jobs/min = "
        f"x{ratio:.2f}; our processes kept {one.ours_pct:.0f}% -> {many.ours_pct:.0f}% of the {CORES} cores busy "
        f"(the machine {one.machine_pct:.0f}% -> {many.machine_pct:.0f}%)"
    )
    full = "full" if many.machine_pct >= 85 else "not full"
    print(
        f"this machine has {CORES} cores, {full} with {many.phase.workers} workers x {args.concurrency} jobs: drafts "
        f"(CPU-bound) cannot go faster than {CORES} renders at once; paid jobs (waiting on the provider) gain from "
        "every slot"
    )
    for result in results:
        lost, dup = result.lost, result.duplicated
        per_job = max(result.creates_per_job().values(), default=0)
        creates = len(result.creates)
        verdict = "OK" if not lost and not dup and creates == len(result.paid) and per_job <= 1 else "NOT MET"
        print(
            f"targets, {result.phase.title}: lost {lost}, duplicated {dup}, creates {creates} for {len(result.paid)} "
            f"paid jobs (at most {per_job} for one): {verdict}"
        )
    for result in results:
        other = result.other_cpu_s
        if other > 0.2 * result.wall_s:
            print(
                f"note: other processes used {100 * other / result.wall_s:.0f}% of a core during {result.phase.title}: "
                "its figures are disturbed; run again on a quiet machine"
            )
    print("logged at WARNING or above (servers with their level; a worker logs nothing else), by message:")
    for result in results:
        for note, count in result.log_notes.most_common(8):
            print(f"  [{result.phase.title}] {count} x {note}")
        if not result.log_notes:
            print(f"  [{result.phase.title}] nothing")


# --- main ---------------------------------------------------------------------------------------------------


def interrupted(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--instances", type=int, default=2, help="`clapboard serve` processes (default 2)")
    parser.add_argument("--workers", type=int, default=3, help="`clapboard worker` processes, M (default 3)")
    parser.add_argument("--jobs", type=int, default=60, help="jobs of the kill phase; the others get half (default 60)")
    parser.add_argument("--kills", type=int, default=3, help="workers SIGKILLed in the kill phase (default 3)")
    parser.add_argument("--paid-seconds", type=float, default=3.0, help="how long a paid prediction runs (default 3)")
    parser.add_argument(
        "--create-seconds", type=float, default=0.5, help="how long Replicate takes to answer a create (default 0.5)"
    )
    parser.add_argument(
        "--concurrency", type=int, default=2, help="jobs at a time per worker (default 2, production's)"
    )
    parser.add_argument("--poll", type=float, default=0.25, help="CLAPBOARD_REPLICATE_POLL_S (default 0.25)")
    parser.add_argument("--timeout", type=float, default=90.0, help="give up when nothing ended for this long (s)")
    parser.add_argument("--seed", type=int, default=None, help="random seed (default: a new one, printed)")
    parser.add_argument("--keep", action="store_true", help="keep the folder with the logs and data folders")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, interrupted)  # a SIGTERM cleans up as Ctrl-C does
    args.seed = args.seed if args.seed is not None else random.randrange(10_000)
    rng = random.Random(args.seed)
    base = workload(max(2, args.jobs // 2), rng, "a")
    phases = [
        Phase("a", "1 worker", 1, base, 0),
        Phase("b", f"{args.workers} workers", args.workers, retagged(base, "b"), 0),
        Phase("c", f"{args.workers} w + kills", args.workers, workload(args.jobs, rng, "c"), args.kills),
    ]
    folder = Path(tempfile.mkdtemp(prefix="clapboard-scale-"))
    cleanup = Cleanup()
    fake: Fake | None = None
    started = time.monotonic()
    results: list[Result] = []
    try:
        fake = Fake(args.paid_seconds, args.create_seconds)
        print(
            f"{args.instances} servers, {args.workers} workers x {args.concurrency} jobs, {CORES} cores here; "
            f"paid predictions take {args.paid_seconds:g} s at the fake Replicate (process {fake.pid}), "
            f"their creates {args.create_seconds:g} s; "
            f"lease {LEASE_S} s; seed {args.seed}; folder {folder}"
        )
        for n, phase in enumerate(phases, 1):
            paid = sum(p.paid for p in phase.plans)
            print(
                f"phase {n}/{len(phases)}, {phase.title}: {len(phase.plans)} jobs ({paid} paid, "
                f"{len(phase.plans) - paid} drafts), {phase.kills} kills"
            )
            run = Run(phase, args, fake, cleanup, folder / phase.key)
            results.append(asyncio.run(run.run()))
    except KeyboardInterrupt:
        print("interrupted: stopping every process started here and dropping the databases")
        raise SystemExit(130) from None
    finally:
        cleanup.run()
        if fake is not None:
            fake.close()
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    report(results, args)
    print(f"whole run: {time.monotonic() - started:.0f} s" + (f"; logs and data kept in {folder}" if args.keep else ""))


if __name__ == "__main__":
    main()
