"""What a person sees of the voice-over in Debian's Chromium: a new user's first settings panel with the
Voice-over choice (the premium voices priced, since Replicate is set up), Captions and Music; then a paid brief's
price question with the voice-over's words, and Edit voice-over asking for new words in the chat's box; a free
draft's ready message and its library card with the captions' downloads."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from tests.e2e.test_browser import ARGS, CHROMIUM, clapboard, scroll_to, send, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="no chromium")]

BRIEF = 'an 8s 16:9 video on veo-3.1 of a lighthouse at dawn, headline "Lighthouse Inn", Book now'
NEW_WORDS = "Dawn at the lighthouse. Book your stay today."
DRAFT = 'a 4 second vertical video of our wool socks on draft with a voice-over, headline "Warm feet"'


def test_a_new_user_chooses_a_voice_and_edits_the_voice_over_before_paying(tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    from tests.e2e.server_process import ServerProcess, replicate_env
    from tests.fakes.replicate_server import FakeReplicate

    shots = Path(os.environ.get("CLAPBOARD_SCREENSHOT_DIR", tmp_path))
    with FakeReplicate() as fake:
        server = ServerProcess(tmp_path / "data", **replicate_env(fake))
        clapboard(server.env, tmp_path, "users", "add", "dana", "--team", "acme", "--password-stdin",
                  stdin="dana-password\n")  # fmt: skip
        server.start()
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                page = sign_in(browser, server.base, "dana")
                failures: list[str] = []
                page.on("pageerror", lambda error: failures.append(str(error)))
                page.locator("#chat-settings-open-modal").click()
                panel = page.get_by_role("dialog")
                expect(panel.get_by_text("Voice-over (read from a script")).to_be_visible(timeout=15000)
                expect(panel.locator("#voice")).to_have_text("None")
                expect(panel.locator("#captions")).to_have_attribute("aria-checked", "true")
                expect(panel.locator("#music")).to_have_attribute("aria-checked", "true")
                panel.locator("#voice").click()
                hazel = page.get_by_role("option", name="Hazel — female, premium on Replicate, $0.10 per 1,000")
                expect(hazel).to_be_visible()
                page.screenshot(path=str(shots / "settings-voices.png"))
                page.get_by_role("option", name="Joe — male, offline, free").click()
                panel.locator("#music").click()
                expect(panel.locator("#music")).to_have_attribute("aria-checked", "false")
                panel.screenshot(path=str(shots / "settings-sound.png"))
                panel.get_by_role("button", name="Confirm").click()
                expect(panel).to_be_hidden()

                send(page, BRIEF)
                expect(page.get_by_text("Voice-over: Joe (offline, free)")).to_be_visible(timeout=30000)
                expect(page.get_by_role("button", name="Edit voice-over")).to_be_visible()
                scroll_to(page, page.get_by_role("button", name="Edit voice-over"))
                page.screenshot(path=str(shots / "price-voice-over.png"))

                page.get_by_role("button", name="Edit voice-over").click()
                expect(page.get_by_text("Write the new words")).to_be_visible(timeout=15000)
                page.get_by_role("button", name="Edit voice-over").click()  # again: one question is answered
                asked = page.locator(".step", has_text="Write the new words")
                expect(asked).to_have_count(1)  # the earlier question left
                page.screenshot(path=str(shots / "voice-over-asked.png"))
                send(page, NEW_WORDS)
                expect(page.get_by_text(f"“{NEW_WORDS}”")).to_be_visible(timeout=30000)
                expect(page.get_by_text("The earlier price question is canceled")).to_be_visible()
                expect(page.get_by_role("button", name="Edit voice-over")).to_have_count(1)
                expect(page.get_by_role("button", name="Generate")).to_have_count(1)
                expect(page.locator("#stop-button")).to_have_count(0, timeout=15000)  # the chat is not left "working"
                scroll_to(page, page.get_by_role("button", name="Edit voice-over"))
                page.screenshot(path=str(shots / "price-voice-over-edited.png"))

                send(page, DRAFT)  # free: made at once, read by the offline voice, with captions
                page.wait_for_function("document.querySelector('video')?.readyState >= 1", timeout=90000)
                ready = page.locator(".step", has_text="Your video is ready")
                expect(ready.get_by_role("link", name="SRT")).to_be_visible(timeout=15000)
                expect(ready.get_by_role("link", name="VTT")).to_be_visible()
                expect(ready.get_by_text("Voice-over by Joe · captions ·")).to_be_visible()
                scroll_to(page, ready.get_by_role("link", name="SRT"))
                page.screenshot(path=str(shots / "ready-captions.png"))
                ready.get_by_role("button", name="Library").click()
                card = page.locator("#campaign-library [data-creative-id]").first
                expect(card.locator("[data-field=captions]")).to_have_text("Captions: SRT · VTT", timeout=30000)
                expect(card.locator("[data-field=sound]")).to_contain_text("Voice-over by Joe · captions ·")
                with page.expect_download() as download:
                    card.get_by_role("link", name="SRT").click()
                assert download.value.suggested_filename.endswith("-9x16.srt")
                scroll_to(page, card)
                page.screenshot(path=str(shots / "library-captions.png"))
                assert failures == []
                browser.close()
            deadline = time.monotonic() + 2
            while time.monotonic() < deadline:  # nothing reaches Replicate without Generate
                assert fake.creates() == []
                time.sleep(0.2)
        finally:
            server.stop()
