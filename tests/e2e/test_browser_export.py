"""What a marketer sees of an export in Debian's Chromium: a 6 s draft exported for TikTok and Reels at their full
sizes, the report with its lines, links and content credentials; the library card saying what it was exported for
and what its content credentials say; and its Export button asking which placements. (A refused placement's trim
button is driven over socket.io in test_chat_export.py, with the placements shrunk: here the server is a process
of its own, and a 61 s draft exported at full size took 2 minutes of both cores.)"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.e2e.test_browser import ARGS, CHROMIUM, clapboard, scroll_to, send, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.render,
              pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="no chromium")]  # fmt: skip

BRIEF = 'a 6 second vertical draft of our wool socks, headline "Warm feet", Shop now'


def test_a_marketer_exports_a_video_trims_what_is_too_long_and_exports_from_the_library(tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    from tests.e2e.server_process import ServerProcess

    shots = Path(os.environ.get("CLAPBOARD_SCREENSHOT_DIR", tmp_path))
    server = ServerProcess(tmp_path / "data")
    clapboard(server.env, tmp_path, "users", "add", "dana", "--team", "acme", "--password-stdin",
              stdin="dana-password\n")  # fmt: skip
    server.start()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = sign_in(browser, server.base, "dana")
            failures: list[str] = []
            page.on("pageerror", lambda error: failures.append(str(error)))
            send(page, BRIEF)
            ready = page.locator(".step", has_text="Your video is ready")
            expect(ready.get_by_role("button", name="Export")).to_be_visible(timeout=180000)

            send(page, "export it for TikTok and Reels")
            report = page.locator(".step", has_text="Exported “")
            expect(report).to_be_visible(timeout=240000)
            expect(report.get_by_text("TikTok in-feed", exact=True)).to_be_visible()
            expect(report.get_by_text("Instagram/Facebook Reels", exact=True)).to_be_visible()
            expect(report.get_by_role("link", name="Download all (zip)")).to_be_visible()
            expect(report.get_by_text("Signed with content credentials")).to_be_visible()
            expect(report).not_to_contain_text("✗")
            scroll_to(page, report)
            page.screenshot(path=str(shots / "export-report.png"))

            send(page, "/library")
            card = page.locator("#campaign-library [data-creative-id]").first
            expect(card).to_be_visible(timeout=30000)
            exported = card.locator('[data-field="export"]')
            expect(exported).to_contain_text("Exported for TikTok in-feed and Instagram/Facebook Reels")
            expect(exported).to_contain_text("Signed with content credentials: made by Clapboard Draft")
            scroll_to(page, card)
            page.screenshot(path=str(shots / "export-library-card.png"))
            card.get_by_role("button", name="Export").click()
            choice = page.locator(".step", has_text="for which placements?")
            expect(choice.get_by_role("button", name="All seven")).to_be_visible(timeout=30000)
            expect(choice.get_by_role("button", name="LinkedIn video ad")).to_be_visible()
            scroll_to(page, choice)
            page.screenshot(path=str(shots / "export-choice.png"))
            assert failures == []
            browser.close()
    finally:
        server.stop()
