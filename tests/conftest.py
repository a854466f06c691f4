"""Fixtures every test may use: isolated settings, a studio, databases, and test images."""

from __future__ import annotations

import asyncio
import gc
import inspect
import io
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

# Collecting imports the app and the suite: collect garbage less often meanwhile, as `clapboard` does while it imports
# (1.5 s less CPU per pytest process). pytest_collection_finish sets the usual thresholds back for the tests.
_GC_THRESHOLDS = gc.get_threshold()
gc.set_threshold(50_000, 20, 20)

ROOT = Path(__file__).resolve().parent.parent
# Chainlit reads these at import: use the committed .chainlit/ and never a developer's .env.
os.environ["CHAINLIT_APP_ROOT"] = str(ROOT)
os.environ["CHAINLIT_ENV_FILE"] = str(ROOT / "tests" / "no.env")
# Drafts a test does not size are made at 480p, the quick-look resolution (half the CPU of 720p), here and in the
# servers and commands the tests start; the tests of sizes name theirs.
os.environ["CLAPBOARD_DRAFT_RESOLUTION"] = "480p"
for name in ("OPENAI_API_KEY", "POE_API_KEY", "REPLICATE_API_TOKEN", "REPLICATE_API_KEY", "DATABASE_URL",
             "CLAPBOARD_S3_BUCKET", "R2_BUCKET_NAME", "CLAPBOARD_USER", "CLAPBOARD_AUTH_HEADER", "CI"):  # fmt: skip
    os.environ.pop(name, None)

from pwdlib import PasswordHash  # noqa: E402
from pwdlib.hashers.argon2 import Argon2Hasher  # noqa: E402

from campaign import people  # noqa: E402
from campaign.settings import Settings  # noqa: E402

# Passwords in this process are argon2id at the cheapest cost: the production cost (64 MB, 3 passes, 4 lanes) takes
# 0.2 s of CPU a hash, 14 s over the fast lane's 69. Servers the tests start keep it; test_accounts checks it.
PRODUCTION_HASHER = people._hasher
people._hasher = PasswordHash((Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1),))

# The fakes' fixtures (fake_replicate, fake_openai, moto_s3, s3_storage, http_server) for every test module.
pytest_plugins = [
    "tests.fakes.http_server",
    "tests.fakes.openai_server",
    "tests.fakes.replicate_server",
    "tests.fakes.s3",
]

PG_URL = os.environ.get("CLAPBOARD_TEST_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")


def make_settings(data_dir: Path, **overrides: object) -> Settings:
    """Settings that read no .env and keep every file under `data_dir`."""
    return Settings(_env_file=None, data_dir=data_dir, secret_key="test-secret-key-" + "x" * 32, **overrides)


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty SQLite database at the newest migration, made once per session (per xdist worker)."""
    from sqlalchemy import create_engine

    from campaign.store import _upgrade

    path = tmp_path_factory.mktemp("template") / "clapboard.db"
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        _upgrade(connection)
    engine.dispose()
    return path


@pytest.fixture
def settings(tmp_path: Path, migrated_sqlite: Path) -> Settings:
    """A data folder of the test's own, its database a copy of the migrated template. The copy costs 0.2 ms (the
    migration 620 ms, and opening a studio on it 8 ms, medians measured under load); a database per module with a
    team per test could save only that 0.2 ms and would let a module's tests see each other's users, jobs and
    queue (the job runners claim any team's jobs), so each test keeps a database of its own."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    shutil.copyfile(migrated_sqlite, data_dir / "clapboard.db")
    return make_settings(data_dir)


@pytest.fixture
async def studio(settings: Settings) -> AsyncIterator[object]:
    from tools.studio import Studio

    studio = await Studio.open(settings)
    yield studio
    await studio.backend.drain()
    await studio.close()


@pytest.fixture
async def api(settings: Settings) -> AsyncIterator[Any]:
    """The REST API of an app on these settings (in process), signed in as alice of the team acme."""
    from chat import runtime
    from tests.e2e.chainlit_server import app_client

    async with app_client(settings) as client:
        studio = runtime.services().studio
        await studio.accounts.add("alice", team="acme", password="alice-password")
        client.headers.update(await bearer(studio, "alice"))
        yield client


@pytest.fixture
def small_placements(monkeypatch: pytest.MonkeyPatch) -> None:
    """The placements at a sixth of their size (the same frames, safe zones, lengths and loudness), their bitrate
    floors dropped (a 180-pixel-wide file cannot carry TikTok's 516 kb/s): exports in tests draw few pixels.
    bench/exports.py runs them full size."""
    import tools.delivery.placements as placements

    for key, p in list(placements._BY_KEY.items()):
        small = replace(p, width=p.width // 6 // 2 * 2, height=p.height // 6 // 2 * 2, min_width=2, min_height=2,
                        video_kbps=(0, p.video_kbps[1]))  # fmt: skip
        monkeypatch.setitem(placements._BY_KEY, key, small)


def png_bytes(size: tuple[int, int] = (640, 480), color: tuple[int, ...] = (220, 40, 40), mode: str = "RGB") -> bytes:
    """A PNG with a solid colour and a contrasting square, so it can be found in rendered frames."""
    image = Image.new(mode, size, color)
    inner = (size[0] // 4, size[1] // 4, size[0] * 3 // 4, size[1] * 3 // 4)
    image.paste((30, 30, 200) + ((255,) if mode == "RGBA" else ()), inner)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def product_png(tmp_path: Path) -> Path:
    path = tmp_path / "sneaker.png"
    path.write_bytes(png_bytes())
    return path


async def _postgres_database() -> str | None:
    """A fresh, empty PostgreSQL database, or None when no server answers."""
    import asyncpg

    base = PG_URL.replace("postgresql+asyncpg://", "postgresql://")
    try:
        conn = await asyncio.wait_for(asyncpg.connect(base), 5)
    except (TimeoutError, OSError, asyncpg.PostgresError):
        return None
    name = f"clapboard_test_{uuid.uuid4().hex[:10]}"
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    return PG_URL.rsplit("/", 1)[0] + f"/{name}"


async def _drop(url: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_URL.replace("postgresql+asyncpg://", "postgresql://"))
    await conn.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')
    await conn.close()


async def _database(kind: str, path: Path, template: Path | None) -> AsyncIterator[str]:
    """A database of the test's own: SQLite at `path` (a copy of `template` when given, else empty), or a fresh
    empty PostgreSQL database, dropped afterwards (the test is skipped when no server answers)."""
    if kind == "sqlite":
        if template is not None:
            shutil.copyfile(template, path)
        yield f"sqlite+aiosqlite:///{path}"
        return
    url = await _postgres_database()
    if url is None:
        pytest.skip(f"no PostgreSQL server answered at {PG_URL} (set CLAPBOARD_TEST_DATABASE_URL)")
    yield url
    await _drop(url)


@pytest.fixture(params=["sqlite", "postgresql"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path, migrated_sqlite: Path) -> AsyncIterator[str]:
    """Each store test runs on SQLite and, where a server answers, on PostgreSQL. SQLite's is a copy of the migrated
    template, as in `settings`: migrating it took 0.1 s of CPU and 0.3-0.7 s (its commits wait for the disk) in each of
    the ~35 fast tests that take this; PostgreSQL's is empty, migrated by the first `Store.open`. Tests of the
    migrations themselves take `empty_database_url`."""
    async for url in _database(request.param, tmp_path / "store.db", migrated_sqlite):
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
async def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """An empty database on SQLite and, where a server answers, on PostgreSQL: for the tests of the migrations."""
    async for url in _database(request.param, tmp_path / "store.db", None):
        yield url


@pytest.fixture
async def postgres_url() -> AsyncIterator[str]:
    """A fresh PostgreSQL database for tests that need PostgreSQL itself (the job queue, NOTIFY)."""
    url = await _postgres_database()
    if url is None:
        pytest.skip(f"no PostgreSQL server answered at {PG_URL} (set CLAPBOARD_TEST_DATABASE_URL)")
    yield url
    await _drop(url)


# The fast lane (`make check`, FAST in the Makefile) leaves out what these markers name; `make test` runs everything.
# Modules whose tests render and decode draft videos for most of their time.
RENDERS = {"tests/tools/test_draft.py", "tests/tools/test_iterate.py"}


# Tests that take seconds of CPU each for reasons other than these markers, marked slow: loads (30 images decoded at
# the pixel cap, 8 at a time; a 500-row feed quoted) and ten music beds listened to.
SLOW = {"tests/tools/test_references.py::test_30_uploads_at_once_stay_within_the_decode_budget",
        "tests/tools/test_batches.py::test_five_hundred_rows_are_quoted",
        "tests/tools/test_mix.py::test_ten_briefs_of_one_template_get_at_least_four_beds_heard_apart"}  # fmt: skip


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Marks each test by what it needs, from where it lives, what its module starts and which fixtures it takes:
    e2e for tests/e2e and for modules that run clapboard in a process of its own (`subprocess`) or serve the chat
    over socket.io (`chainlit_server`). Then puts the long tests first (`_cost_rank`), so xdist's workers start on
    them and finish on short ones, instead of one worker running a two-minute test alone at the end (the suite's
    last 9% took 4 of its 14 minutes when they came last)."""
    for item in items:
        path = item.path.relative_to(ROOT).as_posix()
        module = getattr(item, "module", None)
        if path.startswith("tests/e2e/") or any(hasattr(module, name) for name in ("subprocess", "chainlit_server")):
            item.add_marker(pytest.mark.e2e)
        if path == "tests/e2e/test_browser.py":
            item.add_marker(pytest.mark.browser)
        params = getattr(item, "callspec", None)
        if "postgres_url" in item.fixturenames or (
            params and "postgresql" in (params.params.get("database_url"), params.params.get("empty_database_url"))
        ):
            item.add_marker(pytest.mark.postgres)
        if path in RENDERS:
            item.add_marker(pytest.mark.render)
        if item.nodeid.split("[")[0] in SLOW:
            item.add_marker(pytest.mark.slow)
        if inspect.iscoroutinefunction(getattr(item, "obj", None)):
            item.fixturenames.insert(0, "_tasks_end_with_the_test")  # first set up, so torn down last
    items.sort(key=_cost_rank)  # stable: each rank keeps the collection order


@pytest.fixture
async def _tasks_end_with_the_test() -> AsyncIterator[None]:
    """Cancels what a test's loop still runs once its fixtures are torn down, again until it ends: pytest-asyncio's
    loop cancels each task once, and a task cut off while closing an aiosqlite connection (SQLAlchemy's shielded
    graceful close, raced by its forced close when the query's task was canceled) waits in its `finally` for a
    connection thread that has stopped: the worker hung there for good (once in a full run under load)."""
    yield
    for _ in range(10):
        left = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
        if not left:
            return
        for task in left:
            task.cancel()
        await asyncio.wait(left, timeout=2)


def pytest_collection_finish(session: pytest.Session) -> None:
    """What collection imported lives to the end: frozen, the tests' collections no longer walk it."""
    gc.freeze()
    gc.set_threshold(*_GC_THRESHOLDS)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Iterator[None]:
    """Once a test's fixtures are torn down, what it left alive is frozen too (its garbage collected first): the heap
    a full collection walks stays small, and every job's own collection (`tools/jobs/backends.py`) costs what that
    job made, not what the tests before it left (it was 30 of the fast lane's 100 s of CPU)."""
    try:
        return (yield)
    finally:
        gc.collect()
        gc.freeze()


def _cost_rank(item: pytest.Item) -> int:
    """0 for the tests that start `clapboard` processes (the `processes` fixture: 20 s to two minutes each), 1 for
    the other e2e tests, 2 for render and slow, 3 for the rest."""
    if "processes" in getattr(item, "fixturenames", ()):
        return 0
    if item.get_closest_marker("e2e"):
        return 1
    if item.get_closest_marker("render") or item.get_closest_marker("slow"):
        return 2
    return 3


@pytest.fixture(scope="session")
def anyio_backend() -> Iterator[str]:
    yield "asyncio"


async def bearer(studio: Any, name: str | None) -> dict[str, str]:
    """The Authorization header of a user's API token (the local owner's for None, while no user exists)."""
    return {"Authorization": f"Bearer {await studio.accounts.issue_token(name)}"}
