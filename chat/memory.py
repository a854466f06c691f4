"""The agent's memory of each conversation: a LangGraph checkpointer on our database (SQLite or PostgreSQL),
keyed by the chat's thread id, so a reload, a restart or another browser carries the conversation on."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from typing import TYPE_CHECKING, Any

from langgraph.checkpoint.base import BaseCheckpointSaver

from campaign.settings import Settings

if TYPE_CHECKING:
    import psycopg

MEMORY_LOCK = 0x434C4D45  # "CLME": PostgreSQL's advisory lock key for creating the checkpointer's tables
LOCK_POLL_S = 0.1


async def open_memory(settings: Settings, stack: AsyncExitStack) -> BaseCheckpointSaver:
    """Open the checkpointer for the configured database (its tables created when missing); `stack` closes it."""
    if conninfo := settings.postgres_conninfo:
        from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver

        await _set_up_postgres(conninfo)
        return await stack.enter_async_context(AsyncPostgresSaver.from_conn_string(conninfo))
    from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

    path = settings.sqlalchemy_url.split(":///", 1)[1]
    sqlite_saver = await stack.enter_async_context(AsyncSqliteSaver.from_conn_string(path))
    await sqlite_saver.setup()
    return sqlite_saver


async def _set_up_postgres(conninfo: str) -> None:
    """Create the checkpointer's tables, one server at a time, on the one connection that holds the lock.

    The set-up builds indexes with CREATE INDEX CONCURRENTLY, which waits for every transaction open on the
    database. A server blocked in `pg_advisory_lock` is such a transaction, waiting for the holder: a cycle
    PostgreSQL cannot see when the index is built on another connection. So the lock is tried, not waited for
    (between tries a waiting server holds no transaction), and the holder builds on its locked connection."""
    import psycopg
    from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
    from psycopg.rows import dict_row

    async with await psycopg.AsyncConnection.connect(
        conninfo, autocommit=True, prepare_threshold=0, row_factory=dict_row
    ) as conn:
        while not await _try_lock(conn):
            await asyncio.sleep(LOCK_POLL_S)
        await AsyncPostgresSaver(conn).setup()  # the lock goes with the connection when it closes


async def _try_lock(conn: psycopg.AsyncConnection[dict[str, Any]]) -> bool:
    row = await (await conn.execute("SELECT pg_try_advisory_lock(%s) AS got", (MEMORY_LOCK,))).fetchone()
    return bool(row and row["got"])
