"""The brief without the copy Clapboard draws over the footage: what a hosted model is asked to show."""

from __future__ import annotations

import pytest

from tools.brief import AdCopy, drawn_lines, read_brief, without_copy


def footage(brief: str, copy: AdCopy | None = None) -> str:
    read = read_brief(brief, copy=copy)
    return without_copy(read.words, drawn_lines(read.copy, read.words))


def test_every_copy_field_comes_out_and_the_product_its_colour_and_the_scene_stay() -> None:
    brief = (
        'Autumn sale: 30% off all boots. The Ridge Runner hiking boot in tan on a misty ridge, tagline "Built for '
        'mud", features: Grip, Mesh. $129, free shipping over $50. Use code RIDGE30. Shop now at ridge.run. End '
        "card: See you out there."
    )
    read = read_brief(brief)
    assert set(read.copy.given()) == {"sale", "headline", "tagline", "features", "offer", "price", "conditions",
                                      "code", "cta", "website", "end_text"}  # fmt: skip
    assert footage(brief) == "The Ridge Runner hiking boot in tan on a misty ridge"


@pytest.mark.parametrize(
    ("brief", "shown"),
    [
        ("an 8 second ad for our backpack with laptop sleeve, water-resistant, lifetime warranty",
         "an 8 second ad for our backpack with laptop sleeve, water-resistant, lifetime warranty"),
        ("a video of our Kettle Pro 2 featuring rapid boil, keep-warm and a glass window, $89",
         "a video of our Kettle Pro 2 featuring rapid boil, keep-warm and a glass window"),
        ('A 10 s vertical teaser of our trail shoe "Ridge 2" in forest green, price $99, Shop now',
         "A 10 s vertical teaser of our trail shoe in forest green"),
        ('Make an ad of the Aurora shoe that says "Run further" in red (use code KNIT30), Shop now',
         "Make an ad of the Aurora shoe in red"),
        ("an 8s 16:9 ad for our knitwear. headline: Cosy season, use code KNIT30, Shop now",
         "an 8s 16:9 ad for our knitwear"),
    ],
)  # fmt: skip
def test_what_the_product_is_like_stays_and_quoted_or_labelled_lines_go(brief: str, shown: str) -> None:
    """Features said of the product ("with a laptop sleeve") are what the footage shows; a quoted line is always a
    line to draw, even a name ("Ridge 2")."""
    assert footage(brief) == shown


def test_a_line_the_brief_says_otherwise_goes_by_its_code() -> None:
    """The copy's "Use code KNIT40" (the user changed the code) when the brief said "code KNIT40 at checkout"."""
    text = "A cosy knit on a chair, code KNIT40 at checkout, 2 chairs in oak"
    assert without_copy(text, ["Use code KNIT40"]) == "A cosy knit on a chair, 2 chairs in oak"


def test_copy_the_brief_does_not_say_is_drawn_too() -> None:
    """The kit's call to action and website, put in the copy at submission: an LLM that writes them is cleared."""
    read = read_brief("A lighthouse at dawn, teal sea", copy=AdCopy(cta="Book now", website="lighthouse.io"))
    assert drawn_lines(read.copy, read.words) == ["lighthouse.io", "Book now"]
    echoed = "A lighthouse at dawn over a teal sea, a Book now button and lighthouse.io on the end card."
    assert without_copy(echoed, drawn_lines(read.copy, read.words)) == "A lighthouse at dawn over a teal sea."


def test_a_text_without_copy_is_left_as_it_is() -> None:
    text = "A runner in shorts at 10:30, black and white, 1:1 - slow pan (handheld)."
    assert without_copy(text, ["Shop now", "$49"]) == text
