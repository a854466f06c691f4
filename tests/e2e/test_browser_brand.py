"""What a marketer sees in Chromium when setting the brand kit in the chat: the brand card with the logo on a
checkerboard, on white and on the kit's dark colour, the light logo, the swatches with hex and role, a headline
sample drawn in the uploaded font, the kit's words and its version; then one colour changed. A screenshot is kept
(CLAPBOARD_SCREENSHOT_DIR) to look at."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from PIL import Image, ImageDraw

from tests.e2e.test_browser import ARGS, CHROMIUM, open_chat, scroll_to, send, served  # noqa: F401  (served: the fixture)

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="no chromium")]
FONT = Path(__file__).resolve().parents[2] / "tools" / "fonts" / "RedHatDisplay-Black.ttf"


def logo(path: Path, ink: tuple[int, int, int]) -> Path:
    """A logo on a transparent background: a ring and a bar in `ink`, an orange dot."""
    image = Image.new("RGBA", (480, 200), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((20, 20, 180, 180), outline=(*ink, 255), width=26)
    draw.ellipse((80, 80, 120, 120), fill=(255, 90, 31, 255))
    draw.rounded_rectangle((210, 70, 460, 130), radius=30, fill=(*ink, 255))
    image.save(path)
    return path


def attach(page: Page, path: Path) -> None:
    page.locator("#upload-button-input").set_input_files(str(path))
    page.wait_for_selector("#attachments", timeout=15000)


def card_count(page: Page, count: int) -> None:
    page.wait_for_function(f"document.querySelectorAll('#brand-card').length >= {count}", timeout=60000)


def test_the_brand_card_shows_logos_swatches_and_the_font(served: str, tmp_path: Path) -> None:  # noqa: F811
    from playwright.sync_api import expect, sync_playwright

    shots = Path(os.environ.get("CLAPBOARD_SCREENSHOT_DIR", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 1700})
        open_chat(page, served)
        send(page, "/brand")
        card_count(page, 1)
        empty = page.locator("#brand-card").first
        expect(empty.get_by_text("Not set yet.")).to_have_count(4)
        expect(empty.get_by_role("button", name="Set Logos")).to_be_visible()
        expect(empty.locator("[data-field=version]")).to_have_text("no brand kit")
        empty.screenshot(path=str(shots / "brand-card-empty.png"))
        attach(page, logo(tmp_path / "aurora.png", (10, 37, 64)))
        send(page, "this is our logo")
        card_count(page, 2)
        attach(page, logo(tmp_path / "aurora-light.png", (255, 255, 255)))
        send(page, "this is our light logo")
        card_count(page, 3)
        send(page, "our colours are #FF5A1F and #0A2540")  # no roles: the card shows those a video gives them
        card_count(page, 4)
        attach(page, FONT)
        send(page, "use this font for headlines")
        card_count(page, 5)
        send(page, "our CTA is Start free; website aurora.run; tone: bold, playful; legal line: Terms apply.")
        card_count(page, 6)
        send(page, "/brand")
        card_count(page, 7)

        card = page.locator("#brand-card").last
        expect(card.locator("[data-field=version]")).to_have_text("team kit v5")
        assert card.locator("[data-logo] img").count() == 6  # two logos, each on three tiles
        page.wait_for_function(
            "[...document.querySelectorAll('#brand-card')].pop().querySelectorAll('img')"
            ".length && [...[...document.querySelectorAll('#brand-card')].pop().querySelectorAll('img')]"
            ".every(i => i.complete && i.naturalWidth === 480)",
            timeout=15000,
        )
        assert [card.locator(f"[data-color='{c}']").count() for c in ("#0A2540", "#FF5A1F")] == [1, 1]
        expect(card.locator("[data-color='#FF5A1F']")).to_contain_text("accent")  # the most vivid
        expect(card.locator("[data-color='#0A2540']")).to_contain_text("background")  # the most neutral
        expect(card.locator("[data-part=preview]")).to_have_css("background-color", "rgb(10, 37, 64)")
        sample = card.locator("[data-font=headline] div").nth(1)
        page.wait_for_function(
            "[...document.fonts].some(f => f.family.includes('brand-headline') && f.status === 'loaded')",
            timeout=15000,
        )
        assert "brand-headline" in sample.evaluate("e => getComputedStyle(e).fontFamily")
        expect(card.locator("[data-word=cta]")).to_have_text("Start free")
        expect(card.locator("[data-word=legal]")).to_have_text("Terms apply.")
        expect(card.locator("[data-field=preview-cta]")).to_have_text("Start free")
        assert card.locator("[data-part=preview] img").get_attribute("src") == card.locator(
            "[data-logo=light] img"
        ).first.get_attribute("src")  # on the kit's dark background, the light logo
        scroll_to(page, card)
        card.screenshot(path=str(shots / "brand-card.png"))

        card.get_by_role("button", name="Edit Colours").click()
        page.get_by_text("Type the new palette").last.wait_for(timeout=15000)
        send(page, "make the accent #00C2A8")
        card_count(page, 8)
        changed = page.locator("#brand-card").last
        expect(changed.locator("[data-field=version]")).to_have_text("team kit v6")
        assert changed.locator("[data-color='#00C2A8']").count() == 1
        assert changed.locator("[data-color='#FF5A1F']").count() == 0  # the accent replaced, not a third colour
        assert page.locator("video").count() == 0  # nothing of it made a video
        page.screenshot(path=str(shots / "brand-chat.png"), full_page=True)
        browser.close()
