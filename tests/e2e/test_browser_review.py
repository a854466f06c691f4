"""A client with no account opens the review link of a real draft in a phone-sized Chromium (390x844): watches it,
comments at 0:03, requests changes with a note, then approves; the page asks nothing of any other server, and what
a reviewer typed (`<script>`, `javascript:`) reads as text. Without JavaScript the same page still takes a comment."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from campaign.settings import Settings
from tests.conftest import bearer
from tests.e2e.chainlit_server import chainlit_server
from tests.e2e.test_browser import ARGS, CHROMIUM

pytestmark = [pytest.mark.e2e, pytest.mark.browser, pytest.mark.render,
              pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="no chromium")]  # fmt: skip

BRIEF = 'a 6 second vertical product showcase of our trail sneakers, headline "Run further", Shop now'
PHONE = {"width": 390, "height": 844}
HOSTILE = "<script>alert(1)</script> javascript:alert(1)"


async def _draft_link(base: str) -> tuple[str, str]:
    """A real draft rendered by the studio's draft engine through the API, shared for review: (its path, title)."""
    import httpx

    from chat import runtime

    studio = runtime.services().studio
    await studio.accounts.add("alice", team="acme", password="alice-password")
    alice = await studio.accounts.cli_actor("alice")
    async with httpx.AsyncClient(base_url=base, headers=await bearer(studio, "alice"), timeout=30) as api:
        asked = await api.post("/api/video/generate", json={"prompt": BRIEF, "duration_s": 6, "aspect": "9:16",
                                                             "campaign": "Trail sneakers, spring launch"})  # fmt: skip
        assert asked.status_code == 202, asked.text
        job_id = asked.json()["job_id"]
        await studio.jobs.wait(alice, job_id)
        job = (await api.get(f"/api/jobs/{job_id}")).json()
    assert job["status"] == "succeeded", job
    creative = await studio.library.creative(alice, job["creative_id"])
    link = await studio.reviews.share(alice, creative.id, label="client link")
    return link.path, creative.title


async def test_a_client_on_a_phone_comments_at_0_03_requests_changes_then_approves(
    settings: Settings, tmp_path: Path
) -> None:
    from playwright.async_api import async_playwright, expect

    shots = Path(os.environ.get("CLAPBOARD_SCREENSHOT_DIR", tmp_path))
    async with chainlit_server(settings) as base:
        path, title = await _draft_link(base)
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            context = await browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
            page = await context.new_page()
            asked: list[str] = []
            failures: list[str] = []
            page.on("request", lambda r: asked.append(r.url))
            page.on("pageerror", lambda e: failures.append(str(e)))
            page.on("console", lambda m: failures.append(m.text) if m.type == "error" else None)
            page.on("dialog", lambda d: failures.append(f"a dialog opened: {d.message}"))

            await page.goto(base + path, wait_until="networkidle")
            await expect(page.get_by_role("heading", level=1)).to_have_text("Trail sneakers, spring launch")
            item = page.locator("article.item")
            await expect(item.get_by_role("heading", level=2)).to_have_text(title)
            await expect(item.locator("[data-status]")).to_have_text("In review")
            await expect(item.locator(".words")).to_contain_text("Run further")
            video = item.locator("video")
            await expect(video).to_be_visible()
            box = await video.bounding_box()
            assert box is not None and box["width"] >= 340  # the video spans the phone's width
            assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways scroll
            await page.screenshot(path=str(shots / "review-phone-open.png"))

            await video.evaluate("""v => new Promise(done => {
                const seek = () => { v.addEventListener('seeked', done, {once: true}); v.currentTime = 3; };
                v.readyState >= 1 ? seek() : v.addEventListener('loadedmetadata', seek, {once: true}); })""")
            assert await video.evaluate("v => v.duration") == pytest.approx(6, abs=0.3)  # the real file played
            comment_button = item.get_by_role("button", name="Add comment at 0:03")
            await expect(comment_button).to_be_visible()
            await item.get_by_label("Your name").fill("Ann")
            await item.get_by_label("Comment, or what to change").fill("The logo is too small here")
            await comment_button.click()
            notes = item.locator("[data-notes] > li")
            await expect(notes).to_have_count(1)
            await expect(notes.nth(0)).to_contain_text("Ann commented at 0:03")
            await expect(notes.nth(0)).to_contain_text("The logo is too small here")

            await item.get_by_label("Comment, or what to change").fill(HOSTILE)
            await item.get_by_role("button", name="Add comment").click()
            await expect(notes).to_have_count(2)
            await expect(notes.nth(1).locator(".note__text")).to_have_text(HOSTILE)

            await item.get_by_role("button", name="Request changes").click()
            await expect(item.locator("[data-error]")).to_contain_text("Say what to change")
            await item.get_by_label("Comment, or what to change").fill("Make the logo bigger in the first seconds")
            await item.get_by_role("button", name="Request changes").click()
            await expect(notes).to_have_count(3)
            await expect(notes.nth(2)).to_contain_text("Ann asked for changes")
            await expect(item.locator("[data-status]")).to_have_text("Changes requested")
            await item.locator(".decide").scroll_into_view_if_needed()
            await page.screenshot(path=str(shots / "review-phone-changes.png"))

            await item.get_by_role("button", name="Approve").click()
            await expect(notes).to_have_count(4)
            await expect(item.locator("[data-status]")).to_have_text("Approved")

            await page.reload(wait_until="networkidle")  # kept by the server, the name remembered
            await expect(item.locator("[data-status]")).to_have_text("Approved")
            await expect(notes).to_have_count(4)
            await expect(notes.nth(1).locator(".note__text")).to_have_text(HOSTILE)
            await expect(item.get_by_label("Your name")).to_have_value("Ann")
            await page.locator("[data-notes]").scroll_into_view_if_needed()
            await page.screenshot(path=str(shots / "review-phone-approved.png"))
            await page.screenshot(path=str(shots / "review-phone-full.png"), full_page=True)
            await notes.nth(0).get_by_role("button", name="at 0:03").click()  # seeks the video back there
            assert int(await video.evaluate("v => v.currentTime")) == 3

            plain = await browser.new_context(viewport=PHONE, java_script_enabled=False)
            bare = await plain.new_page()
            bare.on("request", lambda r: asked.append(r.url))
            await bare.goto(base + path)
            bare_item = bare.locator("article.item")
            await bare_item.get_by_label("Your name").fill("Ben")
            await bare_item.get_by_label("Comment, or what to change").fill("Works without scripts too")
            await bare_item.get_by_label("At second").fill("1.5")
            await bare_item.get_by_role("button", name="Add comment").click()
            await expect(bare_item.locator("[data-notes] > li").last).to_contain_text("Ben commented at 0:01")
            await bare.screenshot(path=str(shots / "review-phone-nojs.png"), full_page=True)
            await browser.close()
        notes_kept = await _notes_kept(path)

    assert notes_kept == [("comment", "Ann", "0:03"), ("comment", "Ann", "0:03"), ("changes requested", "Ann", None),
                          ("approved", "Ann", None), ("comment", "Ben", "0:01")]  # fmt: skip
    outside = [url for url in asked if not url.startswith(base + "/")]
    assert outside == [] and any("/files/" in url for url in asked)  # the video came from this server
    refused = "Failed to load resource: the server responded with a status of 422 (Unprocessable Entity)"
    assert failures == [refused]  # the request for changes without a note, said on the page; nothing else


async def _notes_kept(path: str) -> list[tuple[str, str, str | None]]:
    """The comments and decisions as the team reads them."""
    from chat import runtime

    studio = runtime.services().studio
    alice = await studio.accounts.cli_actor("alice")
    page = await studio.reviews.page(path.removeprefix("/review/"))
    return [(n.kind, n.name, n.at) for n in await studio.reviews.notes(alice, page.items[0].id)]
