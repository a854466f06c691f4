"""Every field of the copy has a place in every design (issue 24): the sale's name over the headline, the offer,
price, conditions, code, call to action, website and end text on the end card, which closes the video. Frames
are drawn one by one and the stage records the words drawn in each (`Stage.said`): short clips and small frames,
where the property holds, keep the tests quick."""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from tests.tools.test_draft import make_job
from tools.brief import AdCopy
from tools.brief.copy import FIELD_NAMES
from tools.engines.draft.engine import build_design, prepare_references

TEMPLATES = ["brand-animation", "product-showcase", "social-media", "prompt"]
ALL = AdCopy(
    sale="Autumn sale", headline="Ridge Runner", tagline="Built for mud", features=["Grip", "Mesh", "Carbon sole"],
    offer="30% off all boots", price="$129", conditions=["Free shipping over $50", "While stocks last"],
    code="Use code RIDGE30", cta="Shop now", website="ridge.run", end_text="See you out there",
)  # fmt: skip
CLOSING = ("website", "end_text")
END_CARD = {"headline", "offer", "price", "conditions", "code", "cta", *CLOSING}


def said_per_frame(template: str, aspect: str, seconds: int, copy: AdCopy) -> list[set[str]]:
    """The words drawn at half opacity or more in each frame of a quarter-size draft."""
    job = make_job(template, aspect, duration=seconds, copy=copy)
    job.width, job.height = job.width // 4, job.height // 4
    design, stage = build_design(job, prepare_references([], job.width, job.height))
    frames = []
    for i in range(stage.frames):
        stage.said.clear()
        design.frame(i)
        frames.append(set(stage.said))
    sl, st, sr, sb = stage.safe
    slack = 2 * stage.u  # a line rising or popping into place
    drawn = [b for b in stage.text_boxes if b[2] > b[0]]
    outside = [b for b in drawn if b[0] < sl - slack or b[1] < st - slack or b[2] > sr + slack or b[3] > sb + slack]
    assert not outside, (stage.safe, outside)
    return frames


def texts_of(copy: AdCopy, names: Iterable[str]) -> set[str]:
    values = [getattr(copy, name) for name in names]
    return {x for v in values for x in (v if isinstance(v, list) else [v]) if x}


@pytest.mark.parametrize("seconds", [4, 6])
@pytest.mark.parametrize("aspect", ["9:16", "1:1"])
@pytest.mark.parametrize("template", TEMPLATES)
def test_every_field_is_drawn_in_order_and_the_end_card_closes_the_video(
    template: str, aspect: str, seconds: int
) -> None:
    frames = said_per_frame(template, aspect, seconds, ALL)
    first = {x: min(i for i, f in enumerate(frames) if x in f) for x in ALL.texts() if any(x in f for f in frames)}
    assert set(first) == set(ALL.texts()), set(ALL.texts()) - set(first)
    # In display order: each field first appears no earlier than the fields before it (the kicker arrives with
    # the headline); the end card, read as one, comes last.
    fps = 24
    closing = min(first[x] for x in texts_of(ALL, CLOSING))
    starts = [min(first[x] for x in texts_of(ALL, [name])) for name in FIELD_NAMES]
    starts = [closing if name in END_CARD - {"headline"} and s >= closing - fps else s
              for name, s in zip(FIELD_NAMES, starts, strict=True)]  # fmt: skip
    in_order = all(b >= a - fps // 4 for a, b in zip(starts, starts[1:], strict=False))
    assert in_order, dict(zip(FIELD_NAMES, starts, strict=True))
    # The end text and the website close the video: not before its last beat, then on screen to the last frame,
    # with nothing but the end card's words beside them.
    assert closing >= len(frames) - 3 * fps
    before_end = texts_of(ALL, set(FIELD_NAMES) - END_CARD)
    assert not any(f & before_end for f in frames[closing:]), [f & before_end for f in frames[closing:]]
    settled = max(first[x] for x in texts_of(ALL, CLOSING))
    assert all(texts_of(ALL, CLOSING) <= f for f in frames[settled:])
    assert all(not (f & texts_of(ALL, CLOSING)) for f in frames[:closing])


@pytest.mark.parametrize("template", TEMPLATES)
def test_a_4_second_draft_shows_headline_price_and_call_to_action(template: str) -> None:
    copy = AdCopy(headline="Ridge Runner", price="$129", cta="Shop now")
    frames = said_per_frame(template, "9:16", 4, copy)
    assert set(copy.texts()) <= set().union(*frames)


@pytest.mark.parametrize("aspect", ["9:16", "1:1"])
@pytest.mark.parametrize("template", ["brand-animation", "product-showcase", "social-media"])
def test_the_end_card_keeps_the_small_print_legible_and_below_the_price(template: str, aspect: str) -> None:
    """Conditions are legal-line size, not smaller: letters at least 2.5% of the short side tall (18 px in a
    720 x 1280 video, type of about 25 px),
    set under the price in the muted colour and smaller than it, so "$50" in them is never read as the price."""
    job = make_job(template, aspect, duration=8, copy=ALL)
    design, stage = build_design(job, [])
    card = design.end  # type: ignore[attr-defined]
    heights = {sprite.text: sprite.size[1] for _, sprite in card.items}
    order = [name for name, _ in card.items]
    assert order == ["head", "offer", "price", "conditions", "conditions", "code", "cta", "website"]
    assert card.items[0][1].text == ALL.end_text
    assert min(heights.values()) >= 2.5 * stage.u
    assert all(heights[c] < heights[ALL.price] / 2 for c in ALL.conditions)


@pytest.mark.parametrize("template", TEMPLATES)
def test_conditions_are_never_on_screen_without_the_offer_they_qualify(template: str) -> None:
    """ "Free shipping over $50" alone, in big type, reads as the price: it only ever rides with the offer."""
    copy = AdCopy(offer="25% off all jackets", conditions=["Free shipping over $50"], cta="Shop now")
    frames = said_per_frame(template, "9:16", 6, copy)
    with_condition = [f for f in frames if "Free shipping over $50" in f]
    assert with_condition and all("25% off all jackets" in f for f in with_condition)
