"""Templates: names and aliases, and prompt scaffolds for the footage of premium models."""

from __future__ import annotations

import re

import pytest

from campaign.errors import InvalidRequest
from tools.brief import NO_TEXT, ORIENTATION, TEMPLATES, TITLE_SPACE, footage_only, get_template


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
def test_scaffold_keeps_the_brief_and_names_every_part_of_the_footage(name: str) -> None:
    brief = "A 10 s vertical teaser of our trail shoe in forest green"  # a brief without its copy (tools/brief/footage)
    text = TEMPLATES[name].scaffold(brief, "9:16", 10)
    assert f"Brief: {brief}\n" in text  # every fact of the brief is kept
    for part in ("Subject:", "Action:", "Camera:", "Lighting:", "Style:", "Framing:"):
        assert part in text
    assert "10 seconds" in text and "9:16" in text and "vertical" in text
    assert text.endswith(f"{TITLE_SPACE['tall']}.\n{NO_TEXT}")


@pytest.mark.parametrize("name", list(TEMPLATES))
def test_no_template_asks_the_model_for_words_a_logo_or_an_end_card(name: str) -> None:
    """Clapboard draws those over the footage: a template that asked for them would have them drawn twice."""
    template = TEMPLATES[name]
    asked = " ".join((template.subject, template.action, template.camera, template.lighting, template.style))
    assert not re.search(r"logo|caption|tagline|headline|hook line|price|call to action|end card|text", asked, re.I)


@pytest.mark.parametrize(("aspect", "shape"), [("9:16", "tall"), ("4:5", "tall"), ("16:9", "wide"), ("1:1", "square")])
def test_the_footage_keeps_calm_space_where_the_words_go_for_its_shape(aspect: str, shape: str) -> None:
    assert footage_only(aspect) == f"Framing: {aspect} {ORIENTATION[aspect]}, {TITLE_SPACE[shape]}.\n{NO_TEXT}"
