"""Replicate out of reach (nothing listens at its address): the progress says it waits for Replicate and does not
climb, and the chat offers the free draft with the reason, never another model on the same unreachable service."""

from __future__ import annotations

import re
import socket
from pathlib import Path

from tests.e2e.chainlit_server import ChatClient, chainlit_server
from tests.fakes.replicate_server import FakeReplicate, replicate_settings


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_an_unreachable_replicate_waits_without_climbing_then_offers_the_free_draft(
    fake_replicate: FakeReplicate, tmp_path: Path
) -> None:
    settings = replicate_settings(
        fake_replicate, tmp_path / "data", replicate_base_url=f"http://127.0.0.1:{_closed_port()}", replicate_poll_s=0.8
    )
    async with chainlit_server(settings) as base:
        tab = ChatClient(base)
        await tab.connect()
        await tab.send("make an 8s 16:9 video on veo-3.1 of a lighthouse at dawn")
        [button] = await tab.wait_for(
            lambda: [d for e, d in tab.events if e == "action" and d["name"] == "confirm_job"]
        )
        assert (await tab.click(button)).status_code == 200

        def rendering() -> list[str]:
            return [m for m in tab.messages() if m.startswith("**Rendering**")]

        waited = await tab.wait_for(lambda: [m for m in rendering() if re.search(r"0:0[3-9] elapsed", m)])
        assert "Waiting for Replicate" in waited[0], waited[0]
        for shown in rendering():  # nothing was taken by Replicate: no estimate from the clock
            assert re.search(r"\*\*[0-4]%\*\*", shown) and "left" not in shown, shown

        [offer] = await tab.wait_for(lambda: [m for m in tab.messages() if "free draft instead?" in m])
        assert "Replicate cannot be reached right now" in offer, offer
        assert not re.search(r"Kling|Sora|Runway|Veo 3.1 Fast|Wan|Seedance|Hailuo", offer), offer
        buttons = await tab.wait_for(
            lambda: [d for e, d in tab.events if e == "action" and d["name"] == "confirm_job"][1:]
        )
        assert buttons[0]["label"].startswith("Make “") and buttons[0]["label"].endswith("as a free draft")
        assert (await tab.click(buttons[0])).status_code == 200
        await tab.wait_for(lambda: tab.elements("video"))
        assert any(m.startswith("Your video is ready") and "draft" in m for m in tab.messages()), tab.messages()
        assert fake_replicate.creates() == []
        await tab.close()
