"""Servers starting together on a fresh PostgreSQL database: the agent memory's schema set-up never hangs. While
one server holds the set-up lock and builds its indexes (CREATE INDEX CONCURRENTLY, which waits for every
transaction open on the database), another server waiting for that lock must not hold a transaction open; and a
start-up that cannot finish fails within its time limit, saying why."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from pathlib import Path

import psycopg
import pytest

from campaign.errors import ClapboardError
from chat import runtime
from chat.memory import MEMORY_LOCK, open_memory
from tests.conftest import make_settings


async def test_a_server_waiting_for_the_setup_lock_lets_the_holder_build_its_indexes(
    postgres_url: str, tmp_path: Path
) -> None:
    settings = make_settings(tmp_path / "data", database_url=postgres_url)
    conninfo = settings.postgres_conninfo
    assert conninfo is not None
    async with (
        await psycopg.AsyncConnection.connect(conninfo, autocommit=True) as holder,
        await psycopg.AsyncConnection.connect(conninfo, autocommit=True) as builder,
    ):
        await holder.execute("SELECT pg_advisory_lock(%s)", (MEMORY_LOCK,))  # the first server, mid set-up
        async with AsyncExitStack() as stack:
            second = asyncio.create_task(open_memory(settings, stack))
            async with asyncio.timeout(30):  # until the second server has asked for the lock
                while not await _asked_for_lock(holder):
                    await asyncio.sleep(0.05)
            assert not second.done()
            # Its set-up builds an index concurrently on another connection: that waits for every open
            # transaction, so a waiter holding one would hang both servers for good (PostgreSQL cannot see that
            # cycle; here lock_timeout ends the wait).
            await builder.execute("SET lock_timeout = '10s'")
            await builder.execute("CREATE TABLE held (id int)")
            await builder.execute("CREATE INDEX CONCURRENTLY held_id ON held (id)")
            await holder.execute("SELECT pg_advisory_unlock(%s)", (MEMORY_LOCK,))
            memory = await asyncio.wait_for(second, 30)
            assert await memory.aget_tuple({"configurable": {"thread_id": "none"}}) is None


async def test_a_start_that_cannot_set_up_fails_within_its_limit_saying_why(postgres_url: str, tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data", database_url=postgres_url, startup_timeout_s=2)
    conninfo = settings.postgres_conninfo
    assert conninfo is not None
    async with await psycopg.AsyncConnection.connect(conninfo, autocommit=True) as holder:
        await holder.execute("SELECT pg_advisory_lock(%s)", (MEMORY_LOCK,))  # a server stuck mid set-up
        with pytest.raises(ClapboardError) as failed:
            await asyncio.wait_for(runtime.Services.open(settings), 30)
    assert str(failed.value) == (
        "The database was not ready within 2 s: another server may still be setting it up, or a transaction "
        "left open holds it. Check the database and start again."
    )
    assert runtime.current_studio() is None


async def _asked_for_lock(holder: psycopg.AsyncConnection) -> bool:
    """Whether another connection of this database has asked for an advisory lock (waiting or trying)."""
    found = await holder.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() "
        "AND query LIKE '%advisory_lock%'"
    )
    row = await found.fetchone()
    return bool(row and row[0])
