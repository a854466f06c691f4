"""The process's one Studio, opened on first use (Chainlit's lifespan does not run in every server setup)."""

from __future__ import annotations

import asyncio

from campaign.settings import Settings
from tools.studio import Studio

_studio: Studio | None = None
_lock = asyncio.Lock()


async def get_studio() -> Studio:
    """Open the studio once: settings, migrations, default campaign, and jobs left over from a restart."""
    global _studio
    async with _lock:
        if _studio is None:
            studio = await Studio.open(Settings())
            from chat.notify import notifier

            studio.jobs.subscribe(notifier(studio))
            await studio.jobs.recover()
            _studio = studio
    return _studio


async def close_studio() -> None:
    global _studio
    if _studio is not None:
        await _studio.jobs.drain()
        await _studio.close()
        _studio = None
