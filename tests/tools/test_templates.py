"""Templates: names and aliases, fields taken from a brief, and prompt scaffolds for premium models."""

from __future__ import annotations

import pytest

from campaign.errors import InvalidRequest
from tools.templates import TEMPLATES, extract_fields, get_template, split_features


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


def test_every_template_has_its_own_fields_and_scaffold_parts() -> None:
    assert set(TEMPLATES) == {"brand-animation", "product-showcase", "social-media", "prompt"}
    for t in TEMPLATES.values():
        assert t.title and t.description and t.fields
        assert set(t.fields) <= {"headline", "tagline", "features", "price", "cta"}
    assert "price" in TEMPLATES["product-showcase"].fields
    assert "tagline" in TEMPLATES["brand-animation"].fields


def test_fields_from_a_product_brief() -> None:
    brief = (
        'A 10 second showcase of our new sneaker "AirFlow X", featuring breathable mesh, carbon sole and '
        "20% lighter. Only $129. Shop now!"
    )
    fields = extract_fields(brief, get_template("product"))
    assert fields == {
        "headline": "AirFlow X",
        "features": "Breathable mesh\nCarbon sole\n20% lighter",
        "price": "$129",
        "cta": "Shop now",
    }


@pytest.mark.parametrize(
    ("brief", "price"),
    [("now €49.99 only", "€49.99"), ("costs 29 USD", "29 USD"), ("£5 off", "£5"), ("no price here", None)],
)
def test_prices(brief: str, price: str | None) -> None:
    assert extract_fields(brief, get_template("product")).get("price") == price


def test_labelled_fields_win_and_quotes_are_on_screen_text() -> None:
    brief = 'Brand intro for Acme. headline: Acme Robotics. tagline: "Built to last." Learn more at acme.com'
    fields = extract_fields(brief, get_template("brand"))
    assert fields == {"headline": "Acme Robotics", "tagline": "Built to last", "cta": "Learn more"}


def test_bullets_and_labelled_feature_lists() -> None:
    brief = "Vertical TikTok ad\n- Fast charging\n- 2 day battery\n- Waterproof\nprice: €49.99 cta: Get yours"
    assert extract_fields(brief, get_template("social")) == {
        "features": "Fast charging\n2 day battery\nWaterproof",
        "price": "€49.99",
        "cta": "Get yours",
    }
    brief = 'hook: "Your weekend just got lighter" - features: grips any trail; dries in minutes. Shop now'
    fields = extract_fields(brief, get_template("social"))
    assert fields["headline"] == "Your weekend just got lighter"
    assert fields["features"] == "Grips any trail\nDries in minutes"


def test_only_the_templates_own_fields_are_returned() -> None:
    brief = '"Hello world" for $10, features: a, b. Buy now'
    assert set(extract_fields(brief, get_template("prompt"))) <= {"headline", "tagline"}


def test_split_features() -> None:
    assert split_features("a, b and c") == ["A", "B", "C"]
    assert split_features("one; two") == ["One", "Two"]
    assert split_features("x\n- y\n") == ["X", "Y"]


@pytest.mark.parametrize("name", list(TEMPLATES))
def test_scaffold_keeps_the_brief_and_names_every_part(name: str) -> None:
    brief = 'A 10 s vertical teaser of our trail shoe "Ridge 2" in forest green, price $99, Shop now'
    template = TEMPLATES[name]
    fields = extract_fields(brief, template)
    text = template.scaffold(brief, fields, "9:16", 10)
    assert brief in text  # every fact of the brief is kept
    for part in ("Subject:", "Action:", "Camera:", "Lighting:", "Style:", "On-screen text"):
        assert part in text
    assert "10 seconds" in text and "9:16" in text and "vertical" in text
    for value in fields.values():
        for line in value.splitlines():
            assert line in text


@pytest.mark.parametrize(
    ("brief", "price"),
    [
        ("Showcase our trail shoe, price $249, headline Built for mud", "$249"),
        ("only $1,299, shop now", "$1,299"),
        ("now €1.299,00 instead of more", "€1.299,00"),
        ("just 49,90 €, today", "49,90 €"),
    ],
)
def test_a_price_never_takes_the_comma_after_it(brief: str, price: str) -> None:
    assert extract_fields(brief, get_template("product"))["price"] == price


@pytest.mark.parametrize(
    ("brief", "expected"),
    [
        (
            'a 10 s brand animation of our logo for YouTube, tagline "Run the city"',
            {"tagline": "Run the city"},
        ),
        ("a 10 s brand animation of our logo for YouTube, tagline 'Run the city'", {"tagline": "Run the city"}),
        ("tagline Run the city, CTA Shop now", {"tagline": "Run the city", "cta": "Shop now"}),
        ('headline is "Big summer deals" - cta: Join now', {"headline": "Big summer deals", "cta": "Join now"}),
        ("a bold headline and a tagline, with the CTA button at the end", {}),
        ('tagline: "Run the city', {"tagline": "Run the city"}),
    ],
)
def test_labels_without_a_colon_and_quotes_of_any_kind(brief: str, expected: dict[str, str]) -> None:
    assert extract_fields(brief, get_template("brand")) == expected


def test_explicit_fields_in_a_product_brief_are_taken_verbatim() -> None:
    brief = "Showcase our trail shoe, price $249, headline Built for mud, CTA Shop now"
    assert extract_fields(brief, get_template("product")) == {
        "headline": "Built for mud",
        "price": "$249",
        "cta": "Shop now",
    }


def test_an_apostrophe_is_not_a_quote() -> None:
    assert extract_fields("Rock 'n' roll shoes, don't miss the 'Big Sale'", get_template("social")) == {
        "headline": "Big Sale"
    }
