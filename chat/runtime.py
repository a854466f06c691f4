"""The services a served app runs on (the studio, the chat notifier, the agent's memory and the agent), opened
together by the app's lifespan (chat/server.py) and closed together.

Chainlit is one app per process (its hooks, sessions and socket.io server are module state), so its hooks, which
get no app, read the services of the app being served from one accessor, `services()`."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver

from campaign.settings import Settings
from chat.agent import build_agent
from chat.memory import open_memory
from chat.notify import ChatNotifier
from tools.studio import Studio
from tools.studio.types import ClapboardError


class StartupTimedOut(ClapboardError):
    """The database was not ready within the start-up time limit."""

    stage = "start"


@dataclass
class Services:
    settings: Settings  # the app's own (its guards read them); the studio's calls take none
    studio: Studio
    notifier: ChatNotifier
    memory: BaseCheckpointSaver
    stack: AsyncExitStack  # what the memory holds open
    agents: dict[bool, Any] = field(default_factory=dict)  # offline or not -> the compiled agent graph

    @classmethod
    async def open(cls, settings: Settings) -> Services:
        """Open the studio (migrations, jobs left by a crash taken over), the chat notifier and the agent's
        memory, within `startup_timeout_s`: a database that cannot be set up fails the start, saying why, never
        hangs it."""
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
        notifier = ChatNotifier(studio)
        studio.subscribe(notifier)
        return cls(settings=settings, studio=studio, notifier=notifier, memory=memory, stack=stack)

    def agent(self, offline: bool) -> Any:
        """The agent graph for the configured chat model (or the offline planner), compiled on first use."""
        if offline not in self.agents:
            self.agents[offline] = build_agent(self.studio, self.memory, offline=offline)
        return self.agents[offline]

    async def close(self) -> None:
        """Give running jobs back (their predictions go on, for the next runner) and close the database."""
        await self.notifier.close()
        await self.stack.aclose()
        await self.studio.close()


_served: Services | None = None


def serve(opened: Services | None) -> None:
    """Make these the services Chainlit's hooks read (None once the app stops)."""
    global _served
    _served = opened


def services() -> Services:
    """The services of the app being served."""
    if _served is None:
        raise RuntimeError("the app's services are opened by its lifespan (chat.server.create_app)")
    return _served


def current_studio() -> Studio | None:
    """The studio when the app is served (Chainlit asks for its data layer from synchronous code)."""
    return _served.studio if _served is not None else None
