"""Exports in the real Chainlit server, driven over socket.io as the browser does by a signed-in user: a 5 s draft
(TikTok takes 5 s at least), then "export it for TikTok and Reels" shows the export's progress with Stop, then its
report (a line per placement, the content credentials) whose zip link downloads the two signed MP4s and
manifest.json; the Export button under the video asks which placements and a choice exports it too; a conversation
reopened shows the reports again, and an export that ended while the tab was closed is reported on return."""

from __future__ import annotations

import asyncio
import io
import json
import re
import zipfile
from typing import Any

import pytest

from campaign.settings import Settings
from tests.e2e.chainlit_server import ChatClient, chainlit_server
from tests.e2e.server_process import until
from tools.delivery.placements import find_placements

pytestmark = [pytest.mark.e2e, pytest.mark.render, pytest.mark.usefixtures("small_placements")]

REPORT = "**Exported “"
LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")


def _links(text: str) -> dict[str, str]:
    return {name: url for name, url in LINK.findall(text)}


def _size(key: str) -> str:
    [placement] = find_placements(key)
    return f"{placement.width}x{placement.height}"


def _drawn_after(monkeypatch: pytest.MonkeyPatch) -> asyncio.Event:
    """An event the export's drawing waits for: a shrunk export ends within a second, before its progress message
    (with Stop) is shown, a reloaded page is back or a Stop reaches it, on a quick machine or a loaded one."""
    import tools.jobs.exporting as exporting

    released, drawn = asyncio.Event(), exporting._drawn

    async def held(*args: Any) -> Any:
        await released.wait()
        return await drawn(*args)

    monkeypatch.setattr(exporting, "_drawn", held)
    return released


async def _with_video(base: str, brief: str) -> ChatClient:
    """Dana of acme signed in, and the video `brief` asks for made in her conversation."""
    from chat import runtime

    await runtime.services().studio.accounts.add("dana", team="acme", password="dana-password")
    tab = ChatClient(base)
    await tab.connect("dana", "dana-password")
    await tab.send(brief)
    await tab.wait_for(lambda: any(m.startswith("Your video is ready") for m in tab.messages()))
    return tab


async def test_export_it_for_tiktok_and_reels_gives_a_report_and_a_zip_of_both(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    drawing = _drawn_after(monkeypatch)
    async with chainlit_server(settings) as base:
        tab = await _with_video(base, 'a 5 second vertical draft of our wool socks, headline "Warm feet"')
        await tab.wait_for(lambda: tab.elements("video"))

        await tab.send("export it for TikTok and Reels")
        # the export's progress, with its Stop button
        await tab.wait_for(lambda: [d for e, d in tab.events if e == "action" and d["name"] == "stop_job"])
        drawing.set()
        [report] = await tab.wait_for(lambda: [m for m in tab.messages() if m.startswith(REPORT)], timeout=240)
        said = "\n".join(tab.messages())
        assert "Exporting *" in said and "for TikTok in-feed and Instagram/Facebook Reels" in said

        head, lines, *rest = report.split("\n\n")
        assert "** for 2 placements. [Download all (zip)](" in head  # both delivered
        file_lines = lines.splitlines()
        assert [line.split("**")[1] for line in file_lines] == ["TikTok in-feed", "Instagram/Facebook Reels"]
        for line in file_lines:
            assert line.startswith("- ✓ ") and _size("tiktok") in line and " 5.0 s " in line and ".mp4](" in line
        assert any(p.startswith("Signed with content credentials: made by ") for p in rest)

        links = _links(report)
        bundle = await tab.http.get(links["Download all (zip)"])
        assert bundle.status_code == 200, bundle.text
        with zipfile.ZipFile(io.BytesIO(bundle.content)) as z:
            names = z.namelist()
            manifest = json.loads(z.read("manifest.json"))
        assert sorted(n.rsplit("-", 1)[-1] for n in names if n.endswith(".mp4")) == ["reels.mp4", "tiktok.mp4"]
        assert "manifest.json" in names
        assert [f["placement"] for f in manifest["files"]] == ["tiktok", "reels"]
        assert all(f["delivered"] for f in manifest["files"])
        assert (await tab.http.get(links["manifest.json"])).json()["files"] == manifest["files"]

        # The Export button under the video asks which placements; a choice exports it.
        [export] = [d for e, d in tab.events if e == "action" and d["name"] == "export_video"]
        assert (await tab.click(export)).status_code == 200
        choices = await tab.wait_for(lambda: [d for e, d in tab.events if e == "action" and d["name"] == "export_to"])
        labels = [c["label"] for c in choices]
        assert labels[0] == "All seven" and "YouTube Shorts" in labels
        [shorts] = [c for c in choices if c["label"] == "YouTube Shorts"]
        assert (await tab.click(shorts)).status_code == 200
        await tab.wait_for(lambda: len([m for m in tab.messages() if m.startswith(REPORT)]) == 2, timeout=240)
        [second] = [m for m in tab.messages() if m.startswith(REPORT)][1:]
        assert f"- ✓ **YouTube Shorts** · {_size('shorts')}" in second
        thread = await tab.thread()
        await tab.close()

        again = ChatClient(base)
        await again.connect("dana", "dana-password", thread_id=thread)
        resumed = await again.wait_for(lambda: [d for e, d in again.events if e == "resume_thread"])
        shown = [s.get("output", "") for s in resumed[0]["steps"]]
        assert sum(s.startswith(REPORT) for s in shown) == 2, "a reopened conversation shows both reports"
        await again.close()


async def test_an_export_that_ended_while_the_tab_was_closed_is_reported_on_return(settings: Settings) -> None:
    async with chainlit_server(settings) as base:
        from chat import runtime

        first = await _with_video(base, "a 2 second square draft of a paper boat")
        await first.send("/export reels")
        await first.wait_for(lambda: any(m.startswith("Exporting *") for m in first.messages()))
        await first.close()
        await runtime.services().studio.backend.drain()  # it ends while nobody is looking

        later = ChatClient(base)
        await later.connect("dana", "dana-password")
        [report] = await later.wait_for(
            lambda: [m for m in later.messages() if m.startswith(f"Finished while you were away: {REPORT}")]
        )
        assert f"- ✓ **Instagram/Facebook Reels** · {_size('reels')} · 2.0 s" in report
        await later.close()

        studio = runtime.services().studio
        team = await studio.store.team("acme")

        async def shown() -> bool:  # counted as shown once sent
            return not await studio.store.jobs(team.id, kind="export", delivered=False)

        await until(shown, 30, "the report counted as shown, so that it is shown once, not again")


async def test_a_page_reloaded_mid_export_follows_it_and_shows_its_report(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    reloaded = _drawn_after(monkeypatch)
    async with chainlit_server(settings) as base:
        first = await _with_video(base, "a 10 second landscape draft of a lighthouse at dawn")
        await first.send("export it for YouTube")
        await first.wait_for(lambda: any(m.startswith("Exporting *") for m in first.messages()))
        await first.close()  # reloaded: a new session, the old socket gone

        second = ChatClient(base)
        await second.connect("dana", "dana-password")
        await second.wait_for(lambda: any(m.startswith("**Still exporting** *") for m in second.messages()))
        # with its Stop button; then the export may go on
        await second.wait_for(lambda: [d for e, d in second.events if e == "action" and d["name"] == "stop_job"])
        reloaded.set()
        [report] = await second.wait_for(lambda: [m for m in second.messages() if m.startswith(REPORT)])
        assert f"- ✓ **YouTube in-stream** · {_size('youtube')} · 10.0 s" in report
        await second.close()


async def test_stop_under_an_export_or_typed_stops_it_and_nothing_is_delivered(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    _drawn_after(monkeypatch)  # never released: the export waits at its first render until it is stopped
    async with chainlit_server(settings) as base:
        from chat import runtime

        tab = await _with_video(base, "a 4 second landscape draft of a lighthouse at dawn")

        before = len(tab.events)
        await tab.send("export it for YouTube")
        stop = await tab.wait_for(
            lambda: next((d for e, d in tab.events[before:] if e == "action" and d["name"] == "stop_job"), None)
        )
        assert (await tab.click(stop)).status_code == 200
        await tab.wait_for(lambda: any(m.startswith("Stopped exporting *") for m in tab.messages()))
        await tab.wait_for(lambda: any(m.startswith("**Stopped** exporting *") for m in tab.messages()))  # progress

        await tab.send("export it for LinkedIn")
        await tab.wait_for(lambda: any("**Exporting** *" in m and "LinkedIn" in m for m in tab.messages()))
        await tab.send("stop")
        await tab.wait_for(lambda: len([m for m in tab.messages() if m.startswith("Stopped exporting *")]) == 2)
        await runtime.services().studio.backend.drain()
        assert not any(m.startswith(REPORT) for m in tab.messages()), "a stopped export delivers nothing"
        await tab.close()
