"""What a marketer sees of the team's budget in Debian's Chromium: the library's first line says what was spent,
what is reserved and what is left of the month's budget, with one paid video made (by `clapboard generate`) and one
still rendering at the fake Replicate (confirmed through the API)."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from tests.e2e.test_browser import ARGS, CHROMIUM, clapboard, scroll_to, send, sign_in
from tests.fakes.replicate_server import FakeReplicate

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="no chromium")]

PAID = {"prompt": "a sneaker turning on a plinth", "model": "veo-3.1", "duration_s": 6, "audio": True,
        "aspect": "16:9", "voice": "none", "confirm": True}  # fmt: skip  # $2.40


def test_the_library_says_what_is_spent_reserved_and_left_this_month(
    fake_replicate: FakeReplicate, tmp_path: Path
) -> None:
    from playwright.sync_api import expect, sync_playwright

    from tests.e2e.server_process import ServerProcess, replicate_env

    shots = Path(os.environ.get("CLAPBOARD_SCREENSHOT_DIR", tmp_path))
    server = ServerProcess(tmp_path / "data", **replicate_env(fake_replicate))
    env = server.env
    clapboard(env, tmp_path, "users", "add", "dana", "--team", "acme", "--admin", "--password-stdin",
              stdin="dana-password\n")  # fmt: skip
    clapboard(env, tmp_path, "budget", "set", "--team", "acme", "--monthly", "10")
    clapboard(env, tmp_path, "generate", "--as", "dana", "--prompt", PAID["prompt"], "--model", "veo-3.1",
              "--duration", "6", "--audio", "--no-voice", "--title", "Sneaker on a plinth", "--yes")  # fmt: skip
    token = clapboard(env, tmp_path, "token", "--user", "dana").strip()
    server.start()
    try:
        fake_replicate.set_scenario("google/veo-3.1", "stuck")  # the second video renders until the end
        started = httpx.post(f"{server.base}/api/video/generate", json=PAID, timeout=30,
                             headers={"Authorization": f"Bearer {token}"})  # fmt: skip
        assert started.status_code == 202, started.text
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = sign_in(browser, server.base, "dana")
            send(page, "/library")
            library = page.locator("#campaign-library")
            month = datetime.now(UTC).strftime("%B")
            expect(library.locator("[data-field=month]")).to_have_text(
                f"{month}: $2.40 spent, $2.40 reserved, $5.20 left of the $10.00 budget", timeout=30000
            )
            expect(library.locator("[data-creative-id]")).to_have_count(1)
            scroll_to(page, library)  # the stuck video's progress can re-render the message under it
            page.screenshot(path=str(shots / "library-budget.png"))
            browser.close()
    finally:
        server.stop()
