"""The process's one Studio and chat notifier, opened on first use (Chainlit's lifespan does not always run)."""

from __future__ import annotations

import asyncio
import os

from campaign.settings import Settings
from chat.notify import ChatNotifier
from tools.studio import Studio

_studio: Studio | None = None
_notifier: ChatNotifier | None = None
_lock = asyncio.Lock()


async def start(settings: Settings) -> Studio:
    """Open the studio (migrations, the default campaign, jobs left by a crash taken over) and the chat notifier."""
    global _studio, _notifier
    os.environ.setdefault("CHAINLIT_AUTH_SECRET", settings.chat_session_secret)  # read by Chainlit on each use
    studio = await Studio.open(settings)
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


def get_notifier() -> ChatNotifier:
    assert _notifier is not None, "the notifier starts with the studio"
    return _notifier


async def stop() -> None:
    """Give running jobs back (their predictions go on, for the next runner) and close the database."""
    global _studio, _notifier
    if _studio is not None:
        await _studio.close()
    _studio = _notifier = None
