"""The brief read once (`read_brief`): what submission, refinement, the title and the job spec take from it; the
options a front end read into a request, not read again; the catalog's model names, never a key phrase."""

from __future__ import annotations

from pathlib import Path

import pytest

from campaign.errors import InvalidRequest
from tests.conftest import make_settings
from tools.brief import AdCopy, key_phrases, read_brief, read_copy
from tools.engines.registry import build_catalog
from tools.jobs import VideoRequest

MODELS = ("veo-3.1", "draft")
BRIEF = (
    "A 6 second vertical video of our AURORA X2 headphones on veo-3.1 for the Spring Sale campaign, "
    "confidential, price $249, no audio, template=product-showcase https://example.com/phones.png"
)


def test_a_brief_is_read_once_into_what_every_later_step_takes() -> None:
    brief = read_brief(BRIEF, MODELS, template="showcase", copy=AdCopy(cta="Buy now"))

    for instruction in ("veo-3.1", "Spring Sale", "confidential", "template=", "https://"):
        assert instruction not in brief.words
    assert brief.copy == AdCopy(cta="Buy now").over(read_copy(BRIEF, MODELS))
    assert (brief.copy.headline, brief.copy.price, brief.copy.cta) == ("AURORA X2", "$249", "Buy now")
    assert brief.template.name == "product-showcase"
    assert brief.key_phrases == key_phrases(brief.words, skip=tuple(brief.copy.texts()))
    assert brief.options.model_dump() == {
        "reference_urls": ["https://example.com/phones.png"],
        "duration_s": 6,
        "aspect": "9:16",
        "resolution": None,
        "model": "veo-3.1",
        "template": "product-showcase",
        "campaign": "Spring Sale",
        "audio": False,
        "voice": None,
        "captions": None,
        "music": None,
        "mood": None,
        "broadcast": None,
        "prompt": "A 6 second vertical video of our AURORA X2 headphones on veo-3.1 for the Spring Sale campaign, "
        "confidential, price $249, no audio",
    }


def test_the_title_is_the_one_given_else_made_for_the_format() -> None:
    brief = read_brief(BRIEF, MODELS, template="product-showcase")

    assert brief.title == "" and brief.titled("9:16").title == "AURORA X2 showcase, vertical"
    assert read_brief(BRIEF, MODELS, title="Launch cut").titled("9:16").title == "Launch cut"


def test_an_unknown_template_is_refused_when_the_brief_is_read() -> None:
    with pytest.raises(InvalidRequest, match="no template called 'vaporwave'"):
        read_brief(BRIEF, MODELS, template="vaporwave")


def test_a_request_s_brief_takes_the_options_the_front_end_read_into_it() -> None:
    request = VideoRequest(prompt="a kite over the sea on veo-3.1", duration_s=4, template="social",
                           references=["https://example.com/kite.png", "refs/ab.png"])  # fmt: skip
    brief = read_brief(request.prompt, MODELS, template=request.template, options=request.options())

    assert (brief.options.duration_s, brief.options.reference_urls) == (4, ["https://example.com/kite.png"])
    assert brief.template.name == "social-media" and "veo" not in brief.words


def test_models_named_in_a_brief_offered_or_not_are_never_what_the_ad_is_about() -> None:
    names = build_catalog(make_settings(Path("unused"))).names()
    brief = read_brief("Pika or Luma ray 2 style: a 6s clip of our trail sneaker on Kling 2.1 master", names)

    assert brief.key_phrases == ["Style", "Trail sneaker"]
    assert not any(name in brief.titled("9:16").title.lower() for name in ("pika", "luma", "kling", "2.1"))


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("runway gen-4 video of the Orbit watch", "Orbit watch, vertical"),
        ("Wan 2.5 style: a trail shoe on a rock", "Style, vertical"),
        ("ray 3 look for hiking boots on a mountain", "Look for hiking boots on a mountain, vertical"),
    ],
)
def test_a_model_family_named_with_its_version_is_never_the_title(text: str, title: str) -> None:
    names = build_catalog(make_settings(Path("unused"))).names()

    assert read_brief(text, names).titled("9:16").title == title


def test_a_quoted_product_name_that_is_also_a_model_elsewhere_stays_on_screen() -> None:
    names = build_catalog(make_settings(Path("unused"))).names()
    brief = read_brief('A 10 s teaser for our espresso maker "The Dream Machine", $299, order now', names)

    assert (brief.copy.headline, brief.copy.price, brief.copy.cta) == ("The Dream Machine", "$299", "Order now")


def test_models_named_elsewhere_never_reach_the_screen_but_quoted_names_do() -> None:
    names = build_catalog(make_settings(Path("unused"))).names()
    brief = read_brief('Luma Ray 2 look, like Pika does: our "Veo 3 Pro" sunglasses on kling 3, shop now', names)

    assert brief.copy.given() == {"headline": "Veo 3 Pro", "cta": "Shop now"}
    assert not any(word in brief.words.lower() for word in ("luma", "pika", "kling"))
