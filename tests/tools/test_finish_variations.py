"""A paid video's variation is its change drawn by the finisher over the same footage, and a viewer sees that one
change and nothing else: each variation the finisher draws (price first, the tagline leading, the layout, the
colourway) is finished over the same 4 s of 360x640 footage as the original, decoded, and compared with it where
the change shows (words read at a time, where words were drawn, colours) and where it must not (the end card)."""

from __future__ import annotations

import dataclasses

import av
import numpy as np
import pytest
from PIL import Image

from tests.fakes.brand import brand_job, kit_and_files
from tests.fakes.footage import write_footage
from tests.fakes.ocr import needs_tesseract, read_text, read_words
from tools.brief import AdCopy
from tools.brief.variations import Change, Variant, asked, plan
from tools.finish.compose import Finished, finish
from tools.finish.cues import card_length

pytestmark = pytest.mark.render

W, H, FPS, SECONDS = 360, 640, 10, 4
COPY = AdCopy(headline="Ridge Runner", tagline="Built for mud", features=["Breathable mesh"], offer="30% off",
              price="$89", cta="Shop now", website="ridgerunner.run")  # fmt: skip
ORANGE = (255, 90, 31)  # the ring of the kit's logo (tests/fakes/brand.py)
TEAL = (0, 194, 168)  # the "dark" kit's accent
CHANGES = (Change.hook_price, Change.order_tagline, Change.layout, Change.colourway)


@dataclasses.dataclass
class Ad:
    frames: list[np.ndarray]
    result: Finished

    def at(self, t: float) -> Image.Image:
        image = Image.fromarray(self.frames[min(len(self.frames) - 1, round(t * FPS))])
        return image.resize((2 * W, 2 * H), Image.Resampling.LANCZOS)  # Tesseract reads small type better larger


@pytest.fixture(scope="module")
def ads(tmp_path_factory: pytest.TempPathFactory) -> dict[Change | None, Ad]:
    """The original and each variation, finished over the same footage with the same kit."""
    folder = tmp_path_factory.mktemp("variations")
    footage = write_footage(folder / "footage.mp4", W, H, SECONDS, FPS, audio=False).path
    kit, files = kit_and_files("dark")
    made: dict[Change | None, Ad] = {}
    for change in (None, *CHANGES):
        job = brand_job(kit, "Ridge Runner trail shoes", aspect="9:16", duration=SECONDS, copy=COPY)
        dest = folder / f"{change or 'original'}.mp4"
        result = finish(footage, dest, dataclasses.replace(job, variant=Variant(change=change)), files)
        with av.open(str(dest)) as container:
            frames = [f.to_ndarray(format="rgb24") for f in container.decode(container.streams.video[0])]
        made[change] = Ad(frames, result)
    return made


def near(frame: np.ndarray, colour: tuple[int, int, int], within: int = 60) -> np.ndarray:
    return np.abs(frame.astype(int) - np.array(colour)).max(axis=2) < within


def same_end_card(a: Ad, b: Ad) -> bool:
    """Whether the last frames match (the encoder's own noise aside)."""
    return float(np.abs(a.frames[-1].astype(int) - b.frames[-1]).mean()) < 2.0


def test_a_footage_set_takes_only_the_changes_drawn_over_footage() -> None:
    """With pictures a draft's set has a close-up hook and faster cuts; over footage, neither: they are the
    model's shots and cuts. Past one of each kind comes the offer leading, then nothing."""
    drafts = plan(Variant(), COPY, True, set(), 6)
    assert Change.pacing in {v.change for v in drafts} and len(drafts) == 6
    footage = plan(Variant(), COPY, True, set(), 6, footage=True)
    assert [v.change for v in footage] == [*CHANGES, Change.order_offer]
    assert plan(Variant(), COPY, True, set(footage[:4]), 3, footage=True) == footage[4:]
    assert asked("close-up first", Variant(), COPY, True, set(), footage=True) is None
    assert asked("pacing", Variant(), COPY, True, set(), footage=True) is None
    made = {Variant(change=Change.hook_price)}
    assert asked("price first", Variant(), COPY, True, made, footage=True) == Variant(change=Change.order_offer)
    assert asked("colourway", Variant(), COPY, True, {Variant(change=Change.colourway)}, footage=True) is None


def test_every_variation_keeps_the_footages_size_and_length(ads: dict[Change | None, Ad]) -> None:
    for change, ad in ads.items():
        assert (ad.result.width, ad.result.height, len(ad.frames)) == (W, H, SECONDS * FPS), change


@needs_tesseract
def test_price_first_shows_the_price_in_the_first_second_then_the_original(ads: dict[Change | None, Ad]) -> None:
    original, hooked = ads[None], ads[Change.hook_price]
    first = read_words(hooked.at(0.5))
    assert {"$89", "30%", "off"} <= first and "ridge" not in first, "the price and offer open, before the headline"
    opening = read_words(original.at(0.5))
    assert "$89" not in opening and {"ridge", "runner"} <= opening, "the original opens on its headline"
    assert {"ridge", "runner"} <= read_words(hooked.at(1.1)), "the opening's words come after the hook"
    assert same_end_card(original, hooked), "the end card is the original's"


@needs_tesseract
def test_the_tagline_leads_in_its_variation_with_the_same_words(ads: dict[Change | None, Ad]) -> None:
    def words(ad: Ad) -> list[str]:
        return [w.strip(".,").lower() for w in read_text(ad.at(0.4)).split()]

    original, swapped = words(ads[None]), words(ads[Change.order_tagline])
    lines = ("ridge", "runner", "built", "for", "mud")
    assert set(lines) <= set(original) and set(lines) <= set(swapped), "the same words show"
    assert original.index("ridge") < original.index("built"), "the headline on top, the tagline under it"
    assert swapped.index("built") < swapped.index("ridge"), "the tagline on top, the headline under it"
    assert same_end_card(ads[None], ads[Change.order_tagline])


@needs_tesseract
def test_the_layout_moves_the_words_to_the_top_and_the_logo_to_the_bottom(ads: dict[Change | None, Ad]) -> None:
    original, moved = ads[None], ads[Change.layout]
    before, after = original.result.text_boxes, moved.result.text_boxes
    only_before, only_after = before - after, after - before
    assert only_before and all(b[1] >= H / 2 for b in only_before), "the original's words sit in the bottom half"
    assert only_after and all(b[3] <= H / 2 for b in only_after), "the variation's words sit in the top half"
    for ad, top in ((original, True), (moved, False)):
        ring = near(ad.frames[round(1.0 * FPS)], ORANGE, 40)
        upper, lower = int(ring[: H // 4].sum()), int(ring[3 * H // 4 :].sum())
        assert (upper > 20 and lower == 0) if top else (lower > 20 and upper == 0), "the logo's corner"
    assert {"ridge", "runner", "built", "for", "mud"} <= read_words(moved.at(0.4)), "the same words, elsewhere"
    assert same_end_card(original, moved)


@needs_tesseract
def test_the_colourway_sets_the_words_on_the_accent_and_nothing_moves(ads: dict[Change | None, Ad]) -> None:
    original, other = ads[None], ads[Change.colourway]
    assert other.result.text_boxes == original.result.text_boxes, "every word is drawn where it was"
    opening = round(0.4 * FPS)
    assert not near(original.frames[opening], TEAL).any(), "the original's plates are its dark ground"
    assert near(other.frames[opening], TEAL).sum() > 5000, "the variation's plates are the accent"
    assert {"ridge", "runner"} <= read_words(other.at(0.4))
    card = len(original.frames) - round(card_length(SECONDS) / 2 * FPS)
    teal = [int(near(ad.frames[card], TEAL).sum()) for ad in (original, other)]
    assert teal[1] > 10 * teal[0] > 0, "the original's card has a teal button; the variation's is on teal"
    assert not same_end_card(original, other)
