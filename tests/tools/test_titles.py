"""Titles from real briefs (the starters, the README, testers' briefs): short, whole words, no instructions."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from tests.conftest import make_settings
from tools.brief import TITLE_MAX, AdCopy, download_name, key_phrases, read_copy
from tools.brief.instructions import without_instructions
from tools.brief.titles import title_for
from tools.engines.registry import build_catalog

MODELS = build_catalog(make_settings(Path("unused"))).names()


def make_title(
    prompt: str, *, template: str | None, aspect: str, copy: AdCopy | None = None, model_names: Sequence[str] = ()
) -> str:
    """The title of a brief given as text, with only the copy given (none read from the words)."""
    words = without_instructions(prompt, model_names)
    copy = copy or AdCopy()
    phrases = key_phrases(words, limit=1, skip=tuple(copy.texts()), model_names=model_names)
    return title_for(words, template=template, aspect=aspect, copy=copy, phrases=phrases)


BRIEFS = [
    # brief (as the planner passes it on), template, aspect, title
    ("make a 6 second vertical product showcase of our sneaker", "product-showcase", "9:16",
     "Sneaker showcase, vertical"),
    ("a 10 s brand animation of our logo for YouTube, tagline 'Run the city'", "brand-animation", "16:9",
     "Run the city brand animation, YouTube"),
    ("15s TikTok social media ad for the spring sale: 20% off everything, Shop now", "social-media", "9:16",
     "Spring sale TikTok ad"),
    ("a vertical 15s Reels video with Sora 2 Pro of a cat surfing at sunset", "social-media", "9:16",
     "Cat surfing at sunset Reels ad"),
    ("make a 2 second square video of a lighthouse at dawn on draft", None, "1:1", "Lighthouse at dawn, square"),
    ("make an 8s 16:9 video on veo-3.1 of a lighthouse at dawn", None, "16:9", "Lighthouse at dawn, landscape"),
    ('make a 30 second landscape video of a lighthouse at dawn for the "Harbour" campaign', None, "16:9",
     "Lighthouse at dawn, landscape"),
    ("Summer sale ad for sneakers, price $249, CTA Shop now", None, "1:1", "Summer sale ad, square"),
    ("a short vertical clip of a paper plane over a city", None, "9:16", "Paper plane over a city, vertical"),
    ("TikTok social media ad for the spring sale of our sneakers. Shop now", "social-media", "9:16",
     "Spring sale TikTok ad"),
    ('Logo animation for Northwind Labs. tagline: "Ideas that move." Learn more', "brand-animation", "16:9",
     "Northwind Labs brand animation, landscape"),
    ('TikTok ad for our summer trail shoe. Hook: "Your weekend just got lighter" - features: grips any trail; '
     "dries in minutes; made from recycled nylon. €89. Get yours", "social-media", "9:16",
     "Summer trail shoe TikTok ad"),
    ("Instagram feed post for our new coffee blend, Morning Ritual", "social-media", "1:1",
     "New coffee blend Instagram ad"),
    ("A calm morning hike through green hills at sunrise, fresh air, golden light, find your trail this spring",
     None, "16:9", "Calm morning hike through green hills, landscape"),
    ("a 2 second logo sting", None, "16:9", "Logo sting, landscape"),
    ("a 3 second square teaser", None, "1:1", "Teaser, square"),
    ("please make me a 10 second video", None, "4:5", "Video, portrait"),
    ("backpack with laptop sleeve, water-resistant, lifetime warranty, ending with our website aurora.run", None,
     "16:9", "Backpack, landscape"),
]  # fmt: skip


@pytest.mark.parametrize(("brief", "template", "aspect", "expected"), BRIEFS)
def test_titles_name_the_subject_the_kind_and_the_format(brief: str, template: str | None, aspect: str,
                                                         expected: str) -> None:  # fmt: skip
    copy = read_copy(brief, MODELS)
    title = make_title(brief, template=template, aspect=aspect, copy=copy, model_names=MODELS)
    assert title == expected
    assert len(title) <= TITLE_MAX


def test_a_long_subject_is_cut_between_words_and_never_ends_on_a_small_word() -> None:
    brief = "a video of the extraordinarily comfortable waterproof hiking boots of the autumn collection"
    title = make_title(brief, template="product-showcase", aspect="9:16")
    assert title == "Extraordinarily comfortable showcase, vertical"
    for width in range(20, 200, 7):
        words = " ".join(["sneaker"] * (width // 8))
        cut = make_title(f"a showcase of our {words}", template="product-showcase", aspect="1:1")
        assert len(cut) <= TITLE_MAX and cut.endswith("showcase, square") and "sneak " not in cut + " "


def test_download_names_keep_the_title_and_say_the_format() -> None:
    assert download_name("Sneaker showcase, vertical", "9:16") == "Sneaker showcase, vertical-9x16.mp4"
    assert download_name('Spring "sale": 20/80 <b>', "1:1") == "Spring sale 20 80 b-1x1.mp4"
    assert download_name("Café crème", "16:9") == "Café crème-16x9.mp4"
    assert download_name("../..", "4:5") == "video-4x5.mp4"
