"""What a marketer sees of a batch in Debian's Chromium: the issue's 12-row CSV attached with the paperclip and
"make a 2 s product video for each of these" give a quote whose table lists the nine rows to make (what each says,
its photo, model and price) and whose list names the three rows left out with why, under Make all / Cancel; Make all
gives one line that ends "Made 9 videos" with the library button, which opens the nine. Screenshots: batch-quote.png,
batch-done.png."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.e2e.test_browser import ARGS, CHROMIUM, clapboard, scroll_to, send, sign_in
from tests.fakes.feeds import must_show_csv, serve_photos
from tests.fakes.http_server import ScriptedHTTPServer

pytestmark = [pytest.mark.browser, pytest.mark.render,
              pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="no chromium")]  # fmt: skip


def test_a_marketer_reads_a_batch_quote_and_makes_it(tmp_path: Path, http_server: ScriptedHTTPServer) -> None:
    from playwright.sync_api import expect, sync_playwright

    from tests.e2e.server_process import ServerProcess

    shots = Path(os.environ.get("CLAPBOARD_SCREENSHOT_DIR", tmp_path))
    feed = tmp_path / "spring-products.csv"
    feed.write_bytes(must_show_csv(serve_photos(http_server, 12)))
    allowed = json.dumps([f"127.0.0.1:{http_server.port}"])
    server = ServerProcess(tmp_path / "data", CLAPBOARD_URL_ALLOWED_HOSTS=allowed)
    clapboard(server.env, tmp_path, "users", "add", "dana", "--team", "acme", "--password-stdin",
              stdin="dana-password\n")  # fmt: skip
    server.start()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = sign_in(browser, server.base, "dana")
            failures: list[str] = []
            page.on("pageerror", lambda error: failures.append(str(error)))
            page.locator("#upload-button-input").set_input_files(str(feed))
            page.wait_for_selector("#attachments", timeout=15000)
            send(page, "make a 2 s product video for each of these")

            quote = page.locator(".step", has_text="cannot be made")
            expect(quote).to_be_visible(timeout=60000)
            rows = quote.locator("table tbody tr")
            expect(rows).to_have_count(9)
            expect(rows.first).to_contain_text("Trail Runner 1")
            expect(rows.first.get_by_role("link", name="1.png")).to_be_visible()
            expect(quote.locator("li")).to_have_count(3)
            expect(quote.locator("li").nth(1)).to_contain_text("cheap")
            make = quote.get_by_role("button", name="Make all 9 (free)")
            expect(make).to_be_visible()
            expect(quote.get_by_role("button", name="Cancel")).to_be_visible()
            page.set_viewport_size({"width": 1280, "height": 1500})  # the whole quote, as on a tall screen
            scroll_to(page, quote)
            page.screenshot(path=str(shots / "batch-quote.png"))

            make.click()
            line = page.locator(".step", has_text="Made 9 videos")
            expect(line).to_contain_text("9 of 9 ready", timeout=240000)
            expect(line.get_by_role("button", name="Open in the library")).to_be_visible()
            expect(page.locator(".step", has_text="Your video is ready")).to_have_count(0)
            scroll_to(page, line)
            page.screenshot(path=str(shots / "batch-done.png"))
            line.get_by_role("button", name="Open in the library").click()
            expect(page.locator("#campaign-library [data-creative-id]")).to_have_count(9, timeout=30000)
            assert failures == []
            browser.close()
    finally:
        server.stop()
