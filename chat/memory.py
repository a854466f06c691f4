"""The agent's memory of each conversation: a LangGraph checkpointer on our database (SQLite or PostgreSQL),
keyed by the chat's thread id, so a reload, a restart or another browser carries the conversation on."""

from __future__ import annotations

from contextlib import AsyncExitStack

from langgraph.checkpoint.base import BaseCheckpointSaver

from campaign.settings import Settings


async def open_memory(settings: Settings, stack: AsyncExitStack) -> BaseCheckpointSaver:
    """Open the checkpointer for the configured database (its tables created when missing); `stack` closes it."""
    if conninfo := settings.postgres_conninfo:
        from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver

        saver: BaseCheckpointSaver = await stack.enter_async_context(AsyncPostgresSaver.from_conn_string(conninfo))
    else:
        from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

        path = settings.sqlalchemy_url.split(":///", 1)[1]
        saver = await stack.enter_async_context(AsyncSqliteSaver.from_conn_string(path))
    await saver.setup()  # type: ignore[attr-defined]
    return saver
