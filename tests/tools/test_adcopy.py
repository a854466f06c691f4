"""On-screen copy read from a brief: only what the brief gives as copy, never its instructions."""

from __future__ import annotations

import re

import pytest
from pydantic import ValidationError

from tools.brief import AdCopy, campaign_named, read_copy, rewritten, split_features

MODELS = ["draft", "veo-3.1", "kling-v2.1", "kling", "sora-2-pro", "seedance-1-pro", "hailuo-02", "runway"]


def copy_of(brief: str) -> dict:
    return read_copy(brief, MODELS).given()


def test_a_product_brief() -> None:
    brief = (
        'A 10 second showcase of our new sneaker "AirFlow X", featuring breathable mesh, carbon sole and '
        "20% lighter. Only $129. Shop now!"
    )
    assert copy_of(brief) == {
        "headline": "AirFlow X",
        "features": ["Breathable mesh", "Carbon sole", "20% lighter"],
        "price": "Only $129",
        "cta": "Shop now",
    }


@pytest.mark.parametrize(
    ("brief", "price"),
    [("now €49.99 only", "€49.99"), ("costs 29 USD", "29 USD"), ("£5 off", None), ("no price here", None)],
)
def test_prices(brief: str, price: str | None) -> None:
    assert copy_of(brief).get("price") == price


def test_labelled_fields_win_and_quotes_are_on_screen_text() -> None:
    brief = 'Brand intro for Acme. headline: Acme Robotics. tagline: "Built to last." Learn more at acme.com'
    assert copy_of(brief) == {"headline": "Acme Robotics", "tagline": "Built to last.", "cta": "Learn more",
                              "website": "acme.com"}  # fmt: skip


def test_bullets_and_labelled_feature_lists() -> None:
    brief = "Vertical TikTok ad\n- Fast charging\n- 2 day battery\n- Waterproof\nprice: €49.99 cta: Get yours"
    assert copy_of(brief) == {
        "features": ["Fast charging", "2 day battery", "Waterproof"],
        "price": "€49.99",
        "cta": "Get yours",
    }
    brief = 'hook: "Your weekend just got lighter" - features: grips any trail; dries in minutes. Shop now'
    copy = copy_of(brief)
    assert copy["headline"] == "Your weekend just got lighter"
    assert copy["features"] == ["Grips any trail", "Dries in minutes"]


def test_features_price_and_cta_split_from_one_line() -> None:
    brief = "features: featherlight foam, recycled knit, all-day grip; price $129, Shop now"
    assert copy_of(brief) == {
        "features": ["Featherlight foam", "Recycled knit", "All-day grip"],
        "price": "$129",
        "cta": "Shop now",
    }


def test_split_features() -> None:
    assert split_features("a, b and c") == ["A", "B", "C"]
    assert split_features("one; two") == ["One", "Two"]
    assert split_features("x\n- y\n") == ["X", "Y"]


@pytest.mark.parametrize(
    ("brief", "price"),
    [
        ("Showcase our trail shoe, price $249, headline Built for mud", "$249"),
        ("only $1,299, shop now", "only $1,299"),
        ("now €1.299,00 instead of more", "€1.299,00"),
        ("just 49,90 €, today", "just 49,90 €"),
    ],
)
def test_a_price_never_takes_the_comma_after_it(brief: str, price: str) -> None:
    assert copy_of(brief)["price"] == price


@pytest.mark.parametrize(
    ("brief", "expected"),
    [
        ('a 10 s brand animation of our logo for YouTube, tagline "Run the city"', {"tagline": "Run the city"}),
        ("a 10 s brand animation of our logo for YouTube, tagline 'Run the city'", {"tagline": "Run the city"}),
        ("tagline Run the city, CTA Shop now", {"tagline": "Run the city", "cta": "Shop now"}),
        ('headline is "Big summer deals" - cta: Join now', {"headline": "Big summer deals", "cta": "Join now"}),
        ("a bold headline and a tagline, with the CTA button at the end", {}),
        ('tagline: "Run the city', {"tagline": "Run the city"}),
    ],
)
def test_labels_without_a_colon_and_quotes_of_any_kind(brief: str, expected: dict) -> None:
    assert copy_of(brief) == expected


def test_an_apostrophe_is_not_a_quote() -> None:
    assert copy_of("Rock 'n' roll shoes, don't miss the 'Big Sale'") == {"headline": "Big Sale"}


def test_a_copy_given_wins_over_the_brief_field_by_field() -> None:
    given = AdCopy(headline="Run the city", features=["Light", "Fast", "Warm"])
    merged = given.over(read_copy('a showcase of "Ridge 2", price $99'))
    assert merged.given() == {"headline": "Run the city", "features": ["Light", "Fast", "Warm"], "price": "$99"}
    assert merged.texts() == ["Run the city", "Light", "Fast", "Warm", "$99"]


@pytest.mark.parametrize("bad", ["\x00", "a\ud800b", "x" * 121])
def test_copy_refuses_what_cannot_be_stored_or_shown(bad: str) -> None:
    with pytest.raises(ValidationError):
        AdCopy(headline=bad)


# The briefs a marketer wrote that put instructions on screen, and twenty more: what they give as copy (quoted text,
# labels, prices, offers, calls to action, product names) is there, and none of their instruction words.
BRIEFS: list[tuple[str, dict]] = [
    ('make a 15s social media ad for the "Spring sale" campaign: sneakers 20% off', {"offer": "20% off"}),
    ('confidential: teaser of our new trail shoe for the "Project X" campaign, launch in May', {}),
    ("a 6 second product showcase of our sneaker on draft", {}),
    ("brand animation of our logo with the words Run further at the end", {"end_text": "Run further"}),
    ("Open on a sunrise ridge. Cut to the shoe on wet rock. Close on the logo.", {}),
    (
        "We're launching AURORA trail shoes next month, something energetic for Instagram",
        {"headline": "AURORA"},
    ),
    ("make a 6 second vertical product showcase of our sneaker, price $129", {"price": "$129"}),
    ("15s TikTok social media ad for the spring sale: 20% off everything, Shop now",
     {"sale": "Spring sale", "offer": "20% off everything", "cta": "Shop now"}),
    ('a 10 s brand animation of our logo for YouTube, tagline "Run the city"', {"tagline": "Run the city"}),
    (
        "product video for the spring sale campaign of our Nike Air Max, featuring air cushioning, breathable mesh "
        "and a grippy sole",
        {"headline": "Nike Air Max", "features": ["Air cushioning", "Breathable mesh", "A grippy sole"]},
    ),
    ("headline: Big summer deals; CTA: Book now", {"headline": "Big summer deals", "cta": "Book now"}),
    ("an ad for our iPhone case, quick cuts, call to action Order today", {"headline": "iPhone", "cta": "Order today"}),
    ('Teaser for the holiday campaign. Headline "Gifts that glow". End on "See you in December"',
     {"headline": "Gifts that glow", "end_text": "See you in December"}),
    ("internal only - 8s clip of the new espresso machine on kling, warm morning light", {}),
    ('do not share: "Coming soon" teaser for the Q3 launch campaign, 9:16, 1080p', {"headline": "Coming soon"}),
    ("A slow pan across our linen shirts, soft daylight, model=veo-3.1 campaign=Summer", {}),
    ("Show the logo, then fade to black. Use the attached photo. Make it punchy and upbeat.", {}),
    ("square instagram feed post for the Black Friday campaign, up to 50% off all jackets, Shop now",
     {"offer": "Up to 50% off all jackets", "cta": "Shop now"}),
    ('social ad, hook "Still wearing last year\'s shoes?", price €89, cta: Get yours', 
     {"headline": "Still wearing last year's shoes?", "price": "€89", "cta": "Get yours"}),
    ("code name Falcon: a 10 second teaser for our new drone with the words Fly higher at the end",
     {"end_text": "Fly higher"}),
    ("Close-up of coffee beans, then the cup. Dolly in slowly. Shot on 35mm, cinematic.", {}),
    ("A 30 second brand story for LUMEN lamps on veo-3.1 with a voice-over", {"headline": "LUMEN"}),
    ("explainer for our budgeting app BudgetBee, features: auto-categories, shared wallets and alerts",
     {"headline": "BudgetBee", "features": ["Auto-categories", "Shared wallets", "Alerts"]}),
    ('Reels ad: "New drop Friday" then "Only 200 pairs", for the Sneaker drop campaign',
     {"headline": "New drop Friday", "tagline": "Only 200 pairs"}),
    ("please make a landscape youtube bumper, six seconds, with our logo and the slogan Made to move",
     {"tagline": "Made to move"}),
    ("Embargoed until June 1: our Solstice collection, slogan 'Light all night', price from $49",
     {"tagline": "Light all night", "price": "from $49"}),
    ("Open on a runner at dawn, cut to the shoe, end card with the logo; tagline: Own the morning",
     {"tagline": "Own the morning"}),
    ("open on a sunrise over Mount Rainier, then cut to the shoe, shot in New York", {}),
    ("price: $1,299.00 and headline: The big one", {"headline": "The big one", "price": "$1,299.00"}),
]  # fmt: skip
INSTRUCTION_WORDS = re.compile(
    r"(?i)\b(campaign|confidential|internal|draft|kling|veo|instagram|tiktok|youtube|reels|template|make|"
    r"showcase|second|seconds|vertical|square|open on|cut to|close on|fade|words|project x|falcon|embargoed|"
    r"model|use|attached|logo|1080p|9:16|mount|rainier|new york|and)\b"
)


@pytest.mark.parametrize(("brief", "expected"), BRIEFS, ids=[b[:40] for b, _ in BRIEFS])
def test_only_what_the_brief_gives_as_copy_goes_on_screen(brief: str, expected: dict) -> None:
    copy = read_copy(brief, MODELS)
    assert copy.given() == expected
    for text in copy.texts():
        assert not INSTRUCTION_WORDS.search(text), text


@pytest.mark.parametrize(
    ("brief", "campaign"),
    [
        ('for the "Spring sale" campaign', "Spring sale"),
        ("an ad for the spring sale campaign", "Spring sale"),
        ("in our Black Friday campaign, 20% off", "Black Friday"),
        ("campaign: Summer drop", "Summer drop"),
        ("model=draft campaign=Launch", "Launch"),
        ("a video of our campaign results", None),
        ("a sneaker ad", None),
    ],
)
def test_the_campaign_a_brief_names(brief: str, campaign: str | None) -> None:
    assert campaign_named(brief) == campaign


# Issue 24: what ads say, read from plain briefs.
@pytest.mark.parametrize(
    ("brief", "expected"),
    [
        ("25% off all jackets, free shipping over $50, Shop now",
         {"offer": "25% off all jackets", "conditions": ["Free shipping over $50"], "cta": "Shop now"}),
        ("Headline: Cosy season is here. 30% off all knitwear, use code KNIT30, swipe up.",
         {"headline": "Cosy season is here", "offer": "30% off all knitwear", "code": "Use code KNIT30",
          "cta": "Swipe up"}),
        ("backpack with laptop sleeve, water-resistant, lifetime warranty, ending with our website aurora.run",
         {"headline": "Backpack", "features": ["Laptop sleeve", "Water-resistant", "Lifetime warranty"],
          "website": "aurora.run"}),
        ("Autumn sale: 30% off boots, link in bio",
         {"sale": "Autumn sale", "offer": "30% off boots", "cta": "Link in bio"}),
        ('Headline: AURORA X. Tagline: "Built for the long run." Order today',
         {"headline": "AURORA X", "tagline": "Built for the long run.", "cta": "Order today"}),
    ],
)  # fmt: skip
def test_offers_conditions_codes_websites_and_sales(brief: str, expected: dict) -> None:
    assert copy_of(brief) == expected


@pytest.mark.parametrize(
    ("brief", "expected"),
    [
        ("headline: Cosy season, use code KNIT30", {"headline": "Cosy season", "code": "Use code KNIT30"}),
        ("tagline: Run the city, shop now", {"tagline": "Run the city", "cta": "Shop now"}),
        ("Headline: Big deals, 30% off all boots", {"headline": "Big deals", "offer": "30% off all boots"}),
        ("Headline: Warm, cosy and yours", {"headline": "Warm, cosy and yours"}),
        (
            'Headline: "Big deals, use code KNIT30"',
            {"headline": "Big deals, use code KNIT30"},
        ),
    ],
)
def test_a_labelled_line_does_not_swallow_the_fields_after_it(brief: str, expected: dict) -> None:
    assert read_copy(brief).given() == expected


def test_a_brief_rewritten_with_changed_copy() -> None:
    brief = "knitwear, headline: Cosy season, use code KNIT30, free shipping over $50, shop now. Code: SNOW40"
    old = AdCopy(headline="Cosy season", code="Use code KNIT30", conditions=["Free shipping over $50"], cta="Shop now")

    new = AdCopy(headline="Warm days", code="Use code KNIT40", cta="Order today")

    assert rewritten(brief, old, new) == "knitwear, headline: Warm days, Use code KNIT40, Order today. Code: SNOW40"
    assert rewritten("Use code SNOW40 today", AdCopy(code="Use code SNOW40"), AdCopy(code="Use code SNOW50")) == (
        "Use code SNOW50 today"
    )


@pytest.mark.parametrize(
    ("brief", "features"),
    [
        ("An 8 second ad for our Aurora backpack with laptop sleeve, water-resistant, lifetime warranty",
         ["Laptop sleeve", "Water-resistant", "Lifetime warranty"]),
        ("a teaser with upbeat vibes", None),
        ("The Zip charger: charges in 30 seconds, 2-day battery, USB-C",
         ["Charges in 30 seconds", "2-day battery", "USB-C"]),
        ("A 10 second video with soft light, slow zoom and music", None),
    ],
)  # fmt: skip
def test_a_feature_list_after_the_video_s_length_and_kind(brief: str, features: list[str] | None) -> None:
    assert read_copy(brief).given().get("features") == features


@pytest.mark.parametrize(
    ("brief", "expected"),
    [
        ("Streamly Plus, $14.99/month, cancel anytime", {"headline": "Streamly Plus", "price": "$14.99/month",
                                                         "conditions": ["Cancel anytime"]}),
        ("Buy one, get one free on all socks", {"offer": "Buy one, get one free on all socks"}),
        ("Your first order 20% off. Shop now", {"offer": "Your first order 20% off", "cta": "Shop now"}),
        ("15% off mugs with code TAKE15", {"offer": "15% off mugs", "code": "Use code TAKE15"}),
        ("30% off all mugs, until Friday", {"offer": "30% off all mugs", "conditions": ["Until Friday"]}),
        ("Orbit bike, 0% finance available. Register now",
         {"headline": "Orbit bike", "conditions": ["0% finance available"], "cta": "Register now"}),
        ("Lumo Lampe, 49 €. Hochformat 9:16", {"headline": "Lumo Lampe", "price": "49 €"}),
    ],
)  # fmt: skip
def test_prices_per_unit_offer_scopes_dates_and_calls_to_action(brief: str, expected: dict) -> None:
    assert read_copy(brief).given() == expected


def test_through_a_place_is_no_date() -> None:
    assert "conditions" not in read_copy("A calm walk through green hills, 30% off all boots").given()
