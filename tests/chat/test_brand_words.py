"""The brand kit said in words: what each message sets, which campaign's kit, and the briefs that stay briefs."""

from __future__ import annotations

from typing import Any

import pytest

from chat.brand_words import BrandArgs, Recolor, changes_of, read_brand
from chat.planner import plan

SAID = [
    ("this is our logo", {"logo": "main"}),
    ("Here's our new logo.", {"logo": "main"}),
    ("This is our light logo", {"logo": "light"}),
    ("logo for dark backgrounds", {"logo": "light"}),
    ("this is our logo for this campaign", {"for_campaign": True, "logo": "main"}),
    ("our colours are #0A2540 and #FF5A1F", {"colors": [{"hex": "#0A2540"}, {"hex": "#FF5A1F"}]}),
    (
        "background #0a2540, accent #FF5A1F",
        {"colors": [{"hex": "#0A2540", "role": "background"}, {"hex": "#FF5A1F", "role": "accent"}]},
    ),
    (
        "our colors are #0A2540 (background), #FF5A1F (accent) and #fff for text",
        {
            "colors": [
                {"hex": "#0A2540", "role": "background"},
                {"hex": "#FF5A1F", "role": "accent"},
                {"hex": "#FFFFFF", "role": "text"},
            ]
        },
    ),
    ("make the accent #00C2A8", {"recolor": [{"of": "accent", "hex": "#00C2A8"}]}),
    ("our colour is #0A2540", {"colors": [{"hex": "#0A2540"}]}),  # one: the tool asks for the whole palette
    ("change the background colour to #111111", {"recolor": [{"of": "background", "hex": "#111111"}]}),
    ("replace #FF5A1F with #00C2A8", {"recolor": [{"of": "#FF5A1F", "hex": "#00C2A8"}]}),
    ("our colours are navy and orange", {"colors": [{"hex": "#12234A"}, {"hex": "#F57C1F"}]}),
    ("make the accent teal", {"recolor": [{"of": "accent", "hex": "#12827E"}]}),
    (
        "white text on a dark green background",
        {"colors": [{"hex": "#FFFFFF", "role": "text"}, {"hex": "#1C5F2F", "role": "background"}]},
    ),
    ("use Inter for headlines", {"font": "headline"}),
    ("use this font for body text", {"font": "body"}),
    ("our CTA is Start free", {"cta": "Start free"}),
    ('our call to action: "Try it free"', {"cta": "Try it free"}),
    ("website aurora.run", {"website": "aurora.run"}),
    ("our website is aurora.run", {"website": "aurora.run"}),
    ("our handle is @aurora.run", {"website": "@aurora.run"}),
    ("tone: bold, playful", {"tone": ["bold", "playful"]}),
    ("legal line: Terms apply. See aurora.run/terms", {"legal": "Terms apply. See aurora.run/terms"}),
    ("legal: Promo valid until 31 Dec. Ad terms apply", {"legal": "Promo valid until 31 Dec. Ad terms apply"}),
    ("our CTA is Watch the video", {"cta": "Watch the video"}),
    (
        "our CTA is Shop now and our website is aurora.run",
        {"cta": "Shop now", "website": "aurora.run"},
    ),
    ("our CTA is Fish and chips, tone: warm", {"cta": "Fish and chips", "tone": ["warm"]}),
    (
        "our CTA is Start free and legal line: Terms apply and our site is better",
        {"cta": "Start free", "legal": "Terms apply and our site is better"},
    ),
    (
        "our colours are #0A2540 and #FF5A1F. Tone: bold and playful",
        {"colors": [{"hex": "#0A2540"}, {"hex": "#FF5A1F"}], "tone": ["bold", "playful"]},
    ),
    (
        "our CTA is Start free for the Spring sale campaign",
        {"for_campaign": True, "campaign": "Spring sale", "cta": "Start free"},
    ),
]


@pytest.mark.parametrize(("text", "expected"), SAID)
def test_what_a_message_sets_in_the_kit(text: str, expected: dict) -> None:
    found = read_brand(text)
    assert found is not None, text
    assert found.model_dump(exclude_defaults=True) == expected


@pytest.mark.parametrize(
    "text",
    [
        "a 10 s brand animation of our logo for YouTube",
        "make a video with our colours #0A2540 and #FF5A1F",
        "change the headline to Run the city",
        "website: aurora.run",  # the latest video's words (the planner's copy change)
        "the CTA is Shop now",
        "website redesign",
        "what's our logo?",
        "our new sneaker on a rooftop at dawn",
        "a red sneaker on a white background",
        "show a coffee cup, white text on a black background",
        "/generate a teaser",
        "Voice-over: Fresh socks, every day. Warm feet from dawn to dusk.",  # the video's words, not the kit's tone
    ],
)
def test_briefs_and_copy_changes_are_not_kit_messages(text: str) -> None:
    assert read_brand(text) is None


def test_the_planner_sets_the_kit_and_starts_no_video() -> None:
    decided = plan("this is our logo", ["draft"], attached=["aurora.png"])
    assert (decided.tool, decided.args) == ("set_brand", {"logo": "main"})
    assert plan("our colours are #0A2540 and #FF5A1F", ["draft"]).tool == "set_brand"
    assert plan("our colours are navy and orange", ["draft"]).tool == "set_brand"  # colour words: no video
    assert plan("make the accent teal", ["draft"]).tool == "set_brand"
    assert plan("a 6 second ad with our logo", ["draft"], attached=["aurora.png"]).tool == "generate_video"
    assert (plan("/brand", ["draft"]).tool, plan("/brand Spring sale", ["draft"]).args) == (
        "show_brand",
        {"campaign": "Spring sale"},
    )
    assert plan("show our brand kit", ["draft"]).tool == "show_brand"
    font_alone = plan("", ["draft"], attached=["Inter.ttf"])
    assert font_alone.tool is None and "use this font for headlines" in font_alone.reply


def _colors(changes: dict[str, Any] | str) -> str | None:
    assert isinstance(changes, dict), changes
    return changes.get("colors")


def test_one_colour_changes_within_the_palette() -> None:
    palette: list[tuple[str, str | None]] = [("#0A2540", "background"), ("#FF5A1F", "accent")]
    by_role = BrandArgs(recolor=[Recolor(of="accent", hex="#00c2a8")])
    assert _colors(changes_of(by_role, [], palette, {})) == "#0A2540:background,#00C2A8:accent"
    by_hex = BrandArgs(recolor=[Recolor(of="#0a2540", hex="#111111")])
    assert _colors(changes_of(by_hex, [], palette, {})) == "#111111:background,#FF5A1F:accent"
    new_role = BrandArgs(recolor=[Recolor(of="text", hex="#FFFFFF")])
    assert _colors(changes_of(new_role, [], palette, {})) == "#0A2540:background,#FF5A1F:accent,#FFFFFF:text"
    unknown = changes_of(BrandArgs(recolor=[Recolor(of="#123456", hex="#FFFFFF")]), [], palette, {})
    assert unknown == (
        "The kit has no colour #123456: its colours are #0A2540 background, #FF5A1F accent. Say which to change."
    )
    lone = changes_of(BrandArgs(recolor=[Recolor(of="accent", hex="#00C2A8")]), [], [], {})
    assert lone == (
        "A palette has 2 to 6 colours, and this would make 1 (#00C2A8 accent). Give the whole palette, e.g. *our "
        "colours are #0A2540 and #FF5A1F*."
    )
    seven = BrandArgs.model_validate({"colors": [{"hex": f"#00000{i}"} for i in range(7)]})
    assert str(changes_of(seven, [], [], {})).startswith("A palette has 2 to 6 colours, and this would make 7")


def test_a_role_changes_the_colour_a_video_gives_it_in_a_palette_without_roles() -> None:
    """ "make the accent #00C2A8" on #0A2540, #FF5A1F (no roles): the orange a video makes the accent is replaced,
    and keeps the role from now on."""
    palette: list[tuple[str, str | None]] = [("#0A2540", None), ("#FF5A1F", None)]
    assigned = {"background": "#0A2540", "accent": "#FF5A1F"}
    accent = BrandArgs(recolor=[Recolor(of="accent", hex="#00C2A8")])
    assert _colors(changes_of(accent, [], palette, assigned)) == "#0A2540,#00C2A8:accent"
    text = BrandArgs(recolor=[Recolor(of="text", hex="#FFFFFF")])  # no colour has that role: one more
    assert _colors(changes_of(text, [], palette, assigned)) == "#0A2540,#FF5A1F,#FFFFFF:text"


def test_files_come_from_the_message_and_are_asked_for_when_missing() -> None:
    files = [("aurora.png", b"png"), ("Inter.ttf", b"ttf")]
    assert changes_of(BrandArgs(logo="light"), files, [], {}) == {"logo_light": {"data": b"png", "name": "aurora.png"}}
    assert changes_of(BrandArgs(font="body"), files, [], {}) == {"body_font": {"data": b"ttf", "name": "Inter.ttf"}}
    assert "Attach the logo" in str(changes_of(BrandArgs(logo="main"), [], [], {}))
    assert "TTF or OTF" in str(changes_of(BrandArgs(font="headline"), [("aurora.png", b"png")], [], {}))
    words = changes_of(BrandArgs(tone=["bold", "playful"], cta="Start free"), [], [], {})
    assert words == {"tone": "bold, playful", "cta": "Start free"}
