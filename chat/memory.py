"""The agent's memory of each conversation: a LangGraph checkpointer on our database (SQLite or PostgreSQL),
keyed by the chat's thread id, so a reload, a restart or another browser carries the conversation on."""

from __future__ import annotations

from contextlib import AsyncExitStack

from langgraph.checkpoint.base import BaseCheckpointSaver

from campaign.settings import Settings

MEMORY_LOCK = 0x434C4D45  # "CLME": PostgreSQL's advisory lock key for creating the checkpointer's tables


async def open_memory(settings: Settings, stack: AsyncExitStack) -> BaseCheckpointSaver:
    """Open the checkpointer for the configured database (its tables created when missing); `stack` closes it."""
    if conninfo := settings.postgres_conninfo:
        import psycopg
        from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver

        saver = await stack.enter_async_context(AsyncPostgresSaver.from_conn_string(conninfo))
        async with await psycopg.AsyncConnection.connect(conninfo, autocommit=True) as lock:
            await lock.execute("SELECT pg_advisory_lock(%s)", (MEMORY_LOCK,))  # instances starting together
            await saver.setup()
        return saver
    from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

    path = settings.sqlalchemy_url.split(":///", 1)[1]
    sqlite_saver = await stack.enter_async_context(AsyncSqliteSaver.from_conn_string(path))
    await sqlite_saver.setup()
    return sqlite_saver
