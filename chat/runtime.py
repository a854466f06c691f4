"""The process's one Studio, chat notifier and agent memory, opened on first use (Chainlit's lifespan does not
always run)."""

from __future__ import annotations

import asyncio
import os
from contextlib import AsyncExitStack
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver

from campaign.errors import ClapboardError
from campaign.settings import Settings
from chat.agent import build_agent
from chat.memory import open_memory
from chat.notify import ChatNotifier
from tools.studio import Studio

_studio: Studio | None = None
_notifier: ChatNotifier | None = None
_memory: BaseCheckpointSaver | None = None
_agents: dict[bool, Any] = {}  # offline or not -> the compiled agent graph
_stack: AsyncExitStack | None = None
_lock = asyncio.Lock()


class StartupTimedOut(ClapboardError):
    """The database was not ready within the start-up time limit."""

    stage = "start"


async def start(settings: Settings) -> Studio:
    """Open the studio (migrations, jobs left by a crash taken over), the chat notifier and the agent's memory,
    within `startup_timeout_s`: a database that cannot be set up fails the start, saying why, never hangs it."""
    global _studio, _notifier, _memory, _stack
    os.environ.setdefault("CHAINLIT_AUTH_SECRET", settings.chat_session_secret)  # read by Chainlit on each use
    studio: Studio | None = None
    stack = AsyncExitStack()
    try:
        async with asyncio.timeout(settings.startup_timeout_s):
            studio = await Studio.open(settings)
            memory = await open_memory(settings, stack)
    except TimeoutError:
        await stack.aclose()
        if studio is not None:
            await studio.close()
        raise StartupTimedOut(
            f"The database was not ready within {settings.startup_timeout_s:g} s: another server may still be "
            "setting it up, or a transaction left open holds it.",
            hint="Check the database and start again.",
        ) from None
    _stack, _memory = stack, memory
    _notifier = ChatNotifier(studio)
    studio.subscribe(_notifier)
    _studio = studio
    return studio


async def get_studio() -> Studio:
    async with _lock:
        if _studio is None:
            await start(Settings())
    assert _studio is not None
    return _studio


def current_studio() -> Studio | None:
    """The studio when it is open (Chainlit asks for its data layer from synchronous code)."""
    return _studio


def get_notifier() -> ChatNotifier:
    assert _notifier is not None, "the notifier starts with the studio"
    return _notifier


def get_agent(offline: bool) -> Any:
    """The agent graph for the configured chat model (or the offline planner), compiled on first use."""
    assert _studio is not None and _memory is not None, "the agent needs the studio and its memory"
    if offline not in _agents:
        _agents[offline] = build_agent(_studio, _memory, offline=offline)
    return _agents[offline]


async def stop() -> None:
    """Give running jobs back (their predictions go on, for the next runner) and close the database."""
    global _studio, _notifier, _memory, _stack
    if _notifier is not None:
        await _notifier.close()
    if _stack is not None:
        await _stack.aclose()
    if _studio is not None:
        await _studio.close()
    _studio = _notifier = _memory = _stack = None
    _agents.clear()
