"""A paid job says "Started" once: a second click on its Generate button (a stale button, or the same question
asked again on reconnect) starts nothing and says nothing more."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.chainlit_server import ChatClient, chainlit_server
from tests.fakes.replicate_server import FakeReplicate, replicate_settings


async def test_a_confirmed_job_says_started_once(fake_replicate: FakeReplicate, tmp_path: Path) -> None:
    async with chainlit_server(replicate_settings(fake_replicate, tmp_path / "data")) as base:
        tab = ChatClient(base)
        await tab.connect()
        await tab.send("make an 8s 16:9 video on veo-3.1 of a lighthouse at dawn")
        [button] = await tab.wait_for(
            lambda: [d for e, d in tab.events if e == "action" and d["name"] == "confirm_job"]
        )
        assert (await tab.click(button)).status_code == 200
        assert (await tab.click(button)).status_code == 200
        await tab.wait_for(lambda: tab.elements("video"))
        assert (await tab.click(button)).status_code == 200  # after the video, too
        started = [m for m in tab.messages() if m.startswith("Started ")]
        assert len(started) == 1, tab.messages()
        assert len(fake_replicate.creates()) == 1
        await tab.close()
