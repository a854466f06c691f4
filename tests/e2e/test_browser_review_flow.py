"""The review flow as two people live it, in two Chromium windows: a marketer signs in, makes a short draft in the
chat and shares it for review; the client, with no account, opens the link on a phone (390x844), comments at 0:03,
asks for changes with a note, then approves, with a `<script>` in their name and a `javascript:` link in their
comment. The marketer's chat tells each one as it comes, as plain text; the library card shows the Approved badge and
the three notes; Revoke there closes the client's page at once; a reload shows each of the client's words once.
The server runs in this process, on a thread of its own, so the test can read its studio as the team does."""

from __future__ import annotations

import asyncio
import os
import re
import threading
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import pytest

from campaign.settings import Settings
from chat.review_words import JOINER
from tests.e2e.test_browser import ARGS, CHROMIUM, open_chat, scroll_to, send, sign_in
from tests.e2e.test_browser_review import PHONE

pytestmark = [pytest.mark.e2e, pytest.mark.browser, pytest.mark.render,
              pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="no chromium")]  # fmt: skip

BRIEF = 'a 4 second vertical draft of our trail sneaker, headline "Run free", Shop now'
NAME = "Ann <script>alert(1)</script>"
LINKS = '<a href="javascript:alert(1)">see</a> [click](javascript:alert(1)) https://evil.example *now*'
COMMENT = f"Logo bigger here {LINKS}"
CHANGES = "A brighter end card, please"
T = TypeVar("T")


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


def test_a_client_on_a_phone_reviews_what_a_marketer_shared_and_the_chat_hears_it(
    settings: Settings, tmp_path: Path
) -> None:
    from playwright.sync_api import expect, sync_playwright

    from chat import runtime

    shots = Path(os.environ.get("CLAPBOARD_SCREENSHOT_DIR", tmp_path))
    with served(settings) as server, sync_playwright() as p:
        studio = runtime.services().studio
        server.run(studio.accounts.add("dana", team="acme", password="dana-password"))
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        failures: list[str] = []

        # The marketer: a draft in the chat, then Share for review; the link is read off the message.
        chat = sign_in(browser, server.base, "dana")
        chat.on("pageerror", lambda error: failures.append(f"chat: {error}"))
        chat.on("dialog", lambda dialog: failures.append(f"chat: a dialog opened: {dialog.message}"))
        send(chat, BRIEF)
        ready = chat.locator(".step", has_text="Your video is ready")
        expect(ready.get_by_role("button", name="Share for review")).to_be_visible(timeout=180000)
        ready.get_by_role("button", name="Share for review").click()
        shared = chat.locator(".step", has_text="Review link for")
        expect(shared.get_by_role("button", name="Revoke")).to_be_visible(timeout=30000)
        found = re.search(rf"{re.escape(server.base)}/review/\S+", shared.inner_text())
        assert found, shared.inner_text()
        link = found.group(0)
        scroll_to(chat, shared)
        chat.screenshot(path=str(shots / "flow-chat-link.png"))

        # The client: a phone with no cookies opens the link, watches to 0:03 and comments there.
        phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2).new_page()
        phone.on("pageerror", lambda error: failures.append(f"phone: {error}"))
        phone.on("dialog", lambda dialog: failures.append(f"phone: a dialog opened: {dialog.message}"))
        phone.goto(link, wait_until="networkidle")
        item = phone.locator("article.item")
        expect(item.locator("[data-status]")).to_have_text("In review")
        expect(item.locator(".words")).to_contain_text("Run free")
        title = item.get_by_role("heading", level=2).inner_text()
        video = item.locator("video")
        video.evaluate("""v => new Promise(done => {
            const seek = () => { v.addEventListener('seeked', done, {once: true}); v.currentTime = 3; };
            v.readyState >= 1 ? seek() : v.addEventListener('loadedmetadata', seek, {once: true}); })""")
        phone.wait_for_function("document.querySelector('video').readyState >= 3")  # the frame at 0:03 is shown
        phone.screenshot(path=str(shots / "flow-phone-open.png"))
        item.get_by_label("Your name").fill(NAME)
        item.get_by_label("Comment, or what to change").fill(COMMENT)
        item.get_by_role("button", name="Add comment at 0:03").click()
        notes = item.locator("[data-notes] > li")
        expect(notes).to_have_count(1)
        expect(notes.nth(0).locator(".note__name")).to_have_text(NAME)
        expect(notes.nth(0).locator(".note__text")).to_have_text(COMMENT)

        commented = chat.locator(".step", has_text=f"{NAME} commented at 0:03 on {title}")
        expect(commented).to_be_visible(timeout=30000)  # as it comes: no reload
        assert COMMENT in commented.inner_text().replace(JOINER, ""), "shown as typed"

        item.get_by_label("Comment, or what to change").fill(CHANGES)
        item.get_by_role("button", name="Request changes").click()
        expect(item.locator("[data-status]")).to_have_text("Changes requested")
        asked = chat.locator(".step", has_text=f"{NAME} asked for changes to {title}")
        expect(asked).to_contain_text(CHANGES, timeout=30000)

        item.get_by_role("button", name="Approve").click()
        expect(item.locator("[data-status]")).to_have_text("Approved")
        expect(notes).to_have_count(3)
        approved = chat.locator(".step", has_text=f"{NAME} approved {title}")
        expect(approved).to_be_visible(timeout=30000)
        phone.locator("[data-notes]").scroll_into_view_if_needed()
        phone.screenshot(path=str(shots / "flow-phone-approved.png"))
        scroll_to(chat, approved)
        chat.screenshot(path=str(shots / "flow-chat-notes.png"))
        # What the client typed is text in the chat: no link, script or emphasis of theirs.
        for said in (commented, asked, approved):
            assert said.locator(".message-content").locator("a, script, em, img").count() == 0, said.inner_html()

        # The library: the Approved badge, the three notes as text, the live link.
        send(chat, "/library")
        card = chat.locator("#campaign-library [data-creative-id]").filter(has_text=title)
        expect(card).to_be_visible(timeout=30000)
        expect(card.locator("[data-field=review-status]")).to_have_text("Approved")
        kept = card.locator("[data-field=reviews] [data-note-kind]")
        expect(kept).to_have_count(3)
        expect(kept.nth(0)).to_contain_text(f"{NAME} commented at 0:03")
        expect(kept.nth(0).locator("[data-field=note-text]")).to_have_text(COMMENT)
        expect(kept.nth(1)).to_contain_text("asked for changes")
        expect(kept.nth(1)).to_contain_text(CHANGES)
        expect(kept.nth(2)).to_contain_text(f"{NAME} approved")
        assert card.locator("[data-field=reviews] a, [data-field=reviews] script").count() == 0
        scroll_to(chat, card)
        chat.screenshot(path=str(shots / "flow-library-card.png"))

        # Revoke in the library: the client's page is gone at once.
        live = card.locator("[data-field=review-links] [data-link-id]")
        expect(live).to_have_count(1)
        live.get_by_role("button", name="Revoke review link").click()
        expect(live).to_have_count(0)
        answer = phone.goto(link)
        assert answer is not None and answer.status == 410
        phone.screenshot(path=str(shots / "flow-phone-revoked.png"))
        # A reload: each of the client's words once (all were delivered live), and the library as it is now.
        thread = chat.url.rsplit("/thread/", 1)[1]
        dana = server.run(studio.accounts.cli_actor("dana"))
        assert server.run(studio.reviews.undelivered(dana, f"chat:{thread}")) == []
        open_chat(chat, chat.url, reload=True)
        again = chat.locator("#campaign-library")  # the history's copy, as the library is now
        expect(again.locator("[data-field=review-status]")).to_have_text("Approved", timeout=30000)
        expect(again.locator("[data-field=reviews] [data-note-kind]")).to_have_count(3)
        expect(again.locator("[data-field=review-links] [data-link-id]")).to_have_count(0)  # revoked
        send(chat, "/library")  # answered after the reopened conversation's catch-up
        expect(chat.locator("#campaign-library")).to_have_count(2, timeout=30000)
        for text in (f"{NAME} commented at 0:03", f"{NAME} asked for changes", f"{NAME} approved {title}"):
            said_once = chat.locator(".step", has_text=text, has_not=chat.locator("#campaign-library"))
            expect(said_once).to_have_count(1)
        expect(chat.get_by_text("While you were away")).to_have_count(0)
        expect(chat.get_by_text("Cannot read properties")).to_have_count(0)  # the history's copy of the library
        scroll_to(chat, chat.locator(".step", has_text=f"{NAME} approved {title}"))
        chat.screenshot(path=str(shots / "flow-chat-reloaded.png"))
        assert failures == []
        browser.close()
