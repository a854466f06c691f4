"""Templates: names and aliases, and prompt scaffolds for premium models."""

from __future__ import annotations

import pytest

from campaign.errors import InvalidRequest
from tools.brief import TEMPLATES, AdCopy, get_template, read_copy


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (None, "prompt"),
        ("", "prompt"),
        ("brand", "brand-animation"),
        ("Logo Animation", "brand-animation"),
        ("BRAND-ANIMATION", "brand-animation"),
        ("product", "product-showcase"),
        ("showcase", "product-showcase"),
        ("product_showcase", "product-showcase"),
        ("social", "social-media"),
        ("Social Media", "social-media"),
        ("tiktok ad", "social-media"),
        ("reels", "social-media"),
        ("prompt", "prompt"),
        ("none", "prompt"),
        ("product template", "product-showcase"),
    ],
)
def test_names_and_aliases_resolve(name: str | None, expected: str) -> None:
    assert get_template(name).name == expected


def test_unknown_template_lists_the_templates() -> None:
    with pytest.raises(InvalidRequest) as err:
        get_template("vaporwave")
    text = str(err.value)
    for name in TEMPLATES:
        assert name in text


def test_a_near_miss_is_suggested() -> None:
    with pytest.raises(InvalidRequest, match="Did you mean product-showcase"):
        get_template("product-showcse")


@pytest.mark.parametrize("name", list(TEMPLATES))
def test_scaffold_keeps_the_brief_and_names_every_part(name: str) -> None:
    brief = 'A 10 s vertical teaser of our trail shoe "Ridge 2" in forest green, price $99, Shop now'
    template = TEMPLATES[name]
    copy = read_copy(brief)
    text = template.scaffold(brief, copy, "9:16", 10)
    assert brief in text  # every fact of the brief is kept
    for part in ("Subject:", "Action:", "Camera:", "Lighting:", "Style:", "On-screen text"):
        assert part in text
    assert "10 seconds" in text and "9:16" in text and "vertical" in text
    assert copy.texts() == ["Ridge 2", "$99", "Shop now"]
    for line in copy.texts():
        assert f'"{line}"' in text


def test_the_prompt_lists_every_copy_field_in_display_order_with_the_end_text_last() -> None:
    """A video model is told each field's place: the sale over the headline, the conditions as small print, the
    code as a badge, the website and end text on the end card."""
    copy = AdCopy(
        sale="Autumn sale", headline="Ridge Runner", tagline="Built for mud", features=["Grip", "Mesh"],
        offer="30% off all boots", price="$129", conditions=["Free shipping over $50"], code="Use code RIDGE30",
        cta="Shop now", website="ridge.run", end_text="See you out there",
    )  # fmt: skip
    text = TEMPLATES["social-media"].scaffold("an autumn boots ad", copy, "9:16", 8)
    spots = [text.index(f'"{line}"') for line in copy.texts()]
    assert spots == sorted(spots)
    for said in ('sale name above the headline "Autumn sale"', 'offer "30% off all boots"', 'price "$129"',
                 'small print under the offer and price "Free shipping over $50"',
                 'promo code badge "Use code RIDGE30"', 'end card website "ridge.run"',
                 'end card text, shown only at the very end "See you out there"'):  # fmt: skip
        assert said in text
