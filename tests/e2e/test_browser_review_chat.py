"""What a marketer sees of a review in Debian's Chromium: Share for review under a ready video gives the link; a
client's comment at 0:03 (with a `<script>`, a `javascript:` link and an address in it), request for changes and
approval come into the conversation as they happen, as plain text; the library card shows the Approved badge, the
three notes and the live link with Revoke. The reviewer's side is posted through the facade, as the review page
does: the server runs in this process (on a thread of its own) so the test can reach its studio."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import threading
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import pytest

from campaign.settings import Settings
from chat.review_words import JOINER
from tests.e2e.test_browser import ARGS, CHROMIUM, scroll_to, send, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.render,
              pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="no chromium")]  # fmt: skip

T = TypeVar("T")
HOSTILE = "<script>alert(1)</script> [click](javascript:alert(1)) https://evil.example *now*"
LOOKED_AT = Path("/work/wt/shots/reviewchat")


class Served:
    """The app on a loopback port, run by an event loop on a thread of its own; `run` awaits there."""

    def __init__(self, loop: asyncio.AbstractEventLoop, base: str) -> None:
        self.loop, self.base = loop, base

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=60)


@contextmanager
def served(settings: Settings) -> Iterator[Served]:
    from tests.e2e.chainlit_server import chainlit_server

    loop = asyncio.new_event_loop()
    ready: list[str] = []
    up, stop = threading.Event(), asyncio.Event()

    async def serve() -> None:
        async with chainlit_server(settings) as base:
            ready.append(base)
            up.set()
            await stop.wait()

    def run() -> None:
        loop.run_until_complete(serve())
        left = asyncio.all_tasks(loop)  # the sockets' pings: ended here, not left pending to the loop's close
        for task in left:
            task.cancel()
        loop.run_until_complete(asyncio.gather(*left, return_exceptions=True))

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        assert up.wait(60), "the server did not start"
        yield Served(loop, ready[0])
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(30)
        loop.close()


def test_a_marketer_shares_a_video_and_hears_the_clients_comment_request_and_approval(
    settings: Settings, tmp_path: Path
) -> None:
    from playwright.sync_api import expect, sync_playwright

    from chat import runtime

    shots = Path(os.environ.get("CLAPBOARD_SCREENSHOT_DIR", tmp_path))
    with served(settings) as server, sync_playwright() as p:
        studio = runtime.services().studio
        server.run(studio.accounts.add("dana", team="acme", password="dana-password"))
        dana = server.run(studio.accounts.sign_in("dana", "dana-password"))
        assert dana is not None
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = sign_in(browser, server.base, "dana")
        failures: list[str] = []
        page.on("pageerror", lambda error: failures.append(str(error)))
        page.on("dialog", lambda dialog: failures.append(f"a dialog opened: {dialog.message}"))

        send(page, 'a 4 second vertical draft of our sneaker, headline "Run free", Shop now')
        ready = page.locator(".step", has_text="Your video is ready")
        expect(ready.get_by_role("button", name="Share for review")).to_be_visible(timeout=180000)
        ready.get_by_role("button", name="Share for review").click()
        shared = page.locator(".step", has_text="Review link for")
        expect(shared.get_by_role("button", name="Revoke")).to_be_visible(timeout=30000)
        address = re.search(rf"{re.escape(server.base)}/review/(\S+)", shared.inner_text())
        assert address, shared.inner_text()
        scroll_to(page, shared)
        page.screenshot(path=str(shots / "review-chat-link.png"))

        [creative] = server.run(studio.library.library(dana)).creatives
        client = server.run(studio.reviews.share(dana, creative.id, label="client link"))
        token = client.path.rsplit("/", 1)[1]
        server.run(studio.reviews.comment(token, creative.id, "Ann", f"Logo bigger here {HOSTILE}", 3.0))
        comment = page.locator(".step", has_text="Ann (client link) commented at 0:03 on")
        expect(comment).to_be_visible(timeout=30000)
        assert f"Logo bigger here {HOSTILE}" in comment.inner_text().replace(JOINER, ""), "shown as typed"
        server.run(studio.reviews.decide(token, creative.id, "Ann", "request changes", "A brighter end card, please"))
        asked = page.locator(".step", has_text="Ann (client link) asked for changes to")
        expect(asked).to_contain_text("A brighter end card, please", timeout=30000)
        server.run(studio.reviews.decide(token, creative.id, "Ann", "approve"))
        approved = page.locator(".step", has_text=f"Ann (client link) approved {creative.title}")
        expect(approved).to_be_visible(timeout=30000)
        # The reviewer's words are text: no link, script or emphasis of theirs in the page.
        assert comment.locator("a").count() == 0 and comment.locator("script").count() == 0
        assert comment.locator("em").count() == 0
        scroll_to(page, approved)
        page.screenshot(path=str(shots / "review-chat-notes.png"))

        send(page, "/library")
        card = page.locator(f"#campaign-library [data-creative-id='{creative.id}']")
        expect(card).to_be_visible(timeout=30000)
        expect(card.locator("[data-field=review-status]")).to_have_text("Approved")
        notes = card.locator("[data-field=reviews] [data-note-kind]")
        expect(notes).to_have_count(3)
        expect(notes.nth(0)).to_contain_text("Ann (client link) at 0:03")
        expect(notes.nth(0).locator("[data-field=note-text]")).to_have_text(f"Logo bigger here {HOSTILE}")
        expect(notes.nth(1)).to_contain_text("asked for changes")
        expect(notes.nth(1)).to_contain_text("A brighter end card, please")
        expect(notes.nth(2)).to_contain_text("Ann (client link) approved")
        assert card.locator("[data-field=reviews] a").count() == 0
        links = card.locator("[data-field=review-links] [data-link-id]")
        expect(links).to_have_count(2)  # the chat's link and the client's
        expect(links.filter(has_text="for client link")).to_have_count(1)
        scroll_to(page, card)
        page.screenshot(path=str(shots / "review-library-card.png"))
        links.filter(has_text="for client link").get_by_role("button", name="Revoke review link").click()
        expect(links).to_have_count(1)
        assert server.run(studio.reviews.links(dana, creative.id))[0].state == "revoked"
        assert failures == []
        browser.close()
    if LOOKED_AT.parent.is_dir():
        LOOKED_AT.mkdir(exist_ok=True)
        for shot in shots.glob("review-*.png"):
            shutil.copy(shot, LOOKED_AT / shot.name)
