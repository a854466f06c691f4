"""Real `clapboard serve` and `clapboard worker` processes, as production runs them: started, killed with
SIGKILL or stopped with SIGTERM, started again."""

from __future__ import annotations

import asyncio
import functools
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from tests.fakes.replicate_server import FakeReplicate
from tools.media import probe
from tools.tls import tls_context

SECRET = "e2e-secret-key-" + "y" * 32


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ClapboardProcess:
    """A `clapboard` command in its own process, with its own data folder and these settings (environment names)."""

    def __init__(self, data_dir: Path, args: list[str], **env: str) -> None:
        self.data_dir = data_dir
        self.args = args
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI", "POE", "REPLICATE", "DATABASE"))}
        self.env.update(CLAPBOARD_DATA_DIR=str(data_dir), CLAPBOARD_SECRET_KEY=SECRET, **env)
        self.log = data_dir.parent / f"{args[0]}-{free_port()}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60.0) -> ClapboardProcess:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "chat.cli", *self.args], env=self.env, cwd=self.data_dir.parent, stdout=log,
                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            )  # fmt: skip
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.args[0]} exited: {self.log.read_text()[-3000:]}")
            if self.ready():
                return self
            time.sleep(0.2)
        self.kill()  # nobody holds it to stop it: left running, it would load the machine to the suite's end
        raise RuntimeError(f"{self.args[0]} did not start: {self.log.read_text()[-3000:]}")

    def ready(self) -> bool:
        return "Worker on" in self.log.read_text()

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def kill(self) -> None:
        """SIGKILL: no shutdown hook runs, nothing is given back."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        """SIGTERM, as a deploy does: a graceful stop."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


class ServerProcess(ClapboardProcess):
    """`clapboard serve` on a loopback port."""

    def __init__(self, data_dir: Path, **env: str) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        super().__init__(data_dir, ["serve", "--port", str(self.port)], **env)

    def ready(self) -> bool:
        try:
            # the process's one TLS context: httpx builds one per call otherwise, 14-19 ms of CPU each poll
            return httpx.get(f"{self.base}/api/video/models", timeout=1, verify=tls_context()).status_code == 401
        except httpx.TransportError:
            return False


def worker(data_dir: Path, **env: str) -> ClapboardProcess:
    """`clapboard worker` on both queues."""
    return ClapboardProcess(data_dir, ["worker"], **env)


LEASE = {"CLAPBOARD_JOB_LEASE_S": "2"}


@functools.cache
def token() -> dict[str, str]:
    """The local owner's API token, from `clapboard token` as a user gets it (every process here shares SECRET;
    the token holds while no user exists)."""
    with tempfile.TemporaryDirectory() as data:
        env = {**os.environ, "CLAPBOARD_DATA_DIR": data, "CLAPBOARD_SECRET_KEY": SECRET}
        printed = subprocess.run([sys.executable, "-m", "chat.cli", "token"], env=env, capture_output=True, text=True,
                                 check=True, cwd=data)  # fmt: skip
    return {"Authorization": f"Bearer {printed.stdout.strip()}"}


def replicate_env(fake: FakeReplicate) -> dict[str, str]:
    return {"REPLICATE_API_TOKEN": fake.token, "REPLICATE_BASE_URL": fake.base_url,
            "CLAPBOARD_REPLICATE_POLL_S": "0.05", **LEASE}  # fmt: skip


async def until(predicate: Any, timeout: float = 60.0, what: str = "") -> Any:
    """Ask again after 0.1 s, then less often, up to every 0.5 s: a predicate that asks a server (the jobs'
    list) cost that server more CPU than the jobs while it was asked ten times a second throughout."""
    deadline = time.monotonic() + timeout
    pause = 0.1
    while time.monotonic() < deadline:
        if found := await predicate():
            return found
        await asyncio.sleep(pause)
        pause = min(pause * 1.25, 0.5)
    raise AssertionError(f"timed out waiting for {what or predicate}")


async def api_jobs(server: ServerProcess, headers: dict[str, str]) -> list[dict[str, Any]]:
    async with httpx.AsyncClient(base_url=server.base, headers=headers, timeout=10) as http:
        response = await http.get("/api/jobs")
    response.raise_for_status()
    return response.json()


async def decoded(server: ServerProcess, url: str, tmp: Path) -> Any:
    async with httpx.AsyncClient(base_url=server.base, timeout=30) as http:
        response = await http.get(url)
    assert response.status_code == 200
    path = tmp / "video.mp4"
    path.write_bytes(response.content)
    return probe(path, count_frames=True)
