"""Templates: names and aliases, and prompt scaffolds for premium models."""

from __future__ import annotations

import pytest

from campaign.errors import InvalidRequest
from tools.brief import TEMPLATES, get_template, read_copy


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
