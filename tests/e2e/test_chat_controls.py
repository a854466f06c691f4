"""The chat's controls over socket.io, as the browser uses them: live progress with a Stop button, "stop",
"cancel" and /cancel, and the Download link of a ready video."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx

from campaign.models import DEFAULT_TEAM_ID
from campaign.settings import Settings
from chat.planner import is_stop
from tests.e2e.chainlit_server import ChatClient, chainlit_server

STOP_WITHIN_S = 3.0  # the bound, from the click (or the message) to the job canceled and the user told
LONG_DRAFT = "make a 60 second 1080p landscape video of a lighthouse at dawn"


def test_stop_words_are_told_from_briefs() -> None:
    for text in ("stop", "Cancel", "/cancel", "/stop", "stop the video that is rendering", "please stop it"):
        assert is_stop(text), text
    for text in (
        "make a video of a stop sign",
        "cancel culture: a 10 s teaser about our new app",
        "stopwatch ad",
        "Stop motion video of our sneaker",
        "Stop scrolling: 20% off, Shop now",
        "Halt! A teaser for our game",
    ):
        assert not is_stop(text), text


def _stop_button(tab: ChatClient, seen: set[str]) -> dict[str, Any] | None:
    return next((d for e, d in tab.events if e == "action" and d["name"] == "stop_job" and d["id"] not in seen), None)


def _progress(tab: ChatClient, message_id: str) -> list[str]:
    return [d["output"] for e, d in tab.events if e in ("new_message", "update_message") and d["id"] == message_id]


async def _canceled(studio: Any, job_id: str) -> None:
    while (await studio.store.job(job_id)).status != "canceled":
        await asyncio.sleep(0.05)


async def _stop_one(tab: ChatClient, studio: Any, how: str, seen: set[str]) -> float:
    """Start a long draft, watch its progress move, stop it `how`; the seconds until it was stopped and said."""
    await tab.send(LONG_DRAFT)
    button = await tab.wait_for(lambda: _stop_button(tab, seen))
    seen.add(button["id"])
    progress_id = button["forId"]
    moving = await tab.wait_for(lambda: [t for t in _progress(tab, progress_id) if "elapsed" in t and "left" in t])
    assert "%" in moving[0]  # it shows how far it got and how long is left while it renders
    told = len(tab.messages())
    started = time.monotonic()
    if how == "button":
        assert (await tab.click(button)).status_code == 200
    else:
        await tab.send(how)
    await asyncio.wait_for(_canceled(studio, button["payload"]["job_id"]), STOP_WITHIN_S)
    said = await tab.wait_for(lambda: [m for m in tab.messages()[told:] if m.startswith("Stopped")], STOP_WITHIN_S)
    took = time.monotonic() - started
    assert "Spent: nothing (drafts are free)" in said[0]
    await tab.wait_for(lambda: any(t.startswith("**Stopped") for t in _progress(tab, progress_id)))
    await tab.wait_for(lambda: any(d["id"] == button["id"] for e, d in tab.events if e == "remove_action"))  # no Stop
    return took


async def test_a_long_render_shows_progress_and_stops_from_its_button_stop_and_cancel(settings: Settings) -> None:
    from chat import runtime

    async with chainlit_server(settings) as base:
        studio = runtime.services().studio
        tab = ChatClient(base)
        await tab.connect()
        seen: set[str] = set()
        latencies = {how: await _stop_one(tab, studio, how, seen) for how in ("button", "stop", "/cancel")}
        print("stop latencies (s):", {k: round(v, 2) for k, v in latencies.items()})
        assert max(latencies.values()) < STOP_WITHIN_S
        jobs = await studio.store.jobs(DEFAULT_TEAM_ID)
        assert len(jobs) == 3 and {j.status for j in jobs} == {"canceled"}  # "stop" and /cancel made no video

        await tab.send("cancel")  # nothing is running now
        await tab.wait_for(lambda: any("nothing to stop" in m for m in tab.messages()))
        assert len(await studio.store.jobs(DEFAULT_TEAM_ID)) == 3
        await tab.close()


async def test_the_ready_message_downloads_a_file_named_after_the_creative(settings: Settings) -> None:
    async with chainlit_server(settings) as base:
        tab = ChatClient(base)
        await tab.connect()
        await tab.send("make a 3 second square video of a paper boat")
        ready = await tab.wait_for(lambda: [m for m in tab.messages() if m.startswith("Your video is ready")])
        link = ready[0].split("[Download](", 1)[1].rstrip(")").split(")")[0]
        async with httpx.AsyncClient(base_url=base) as http:
            response = await http.get(link)
        assert response.status_code == 200 and response.content[4:8] == b"ftyp"
        disposition = response.headers["content-disposition"]
        assert disposition.startswith("attachment;") and "-1x1.mp4" in disposition.replace("%20", " ").lower()
        assert "boat" in disposition.lower()
        await tab.close()
