"""Motion asked for in words ("the logo spins", "the product slides in from the right"), read once from the brief;
the ad's own words (quoted, or given as copy) are never read as a motion."""

from __future__ import annotations

import pytest

from tools.brief import Motion, read_brief, read_motion
from tools.engines.base import RenderJob
from tools.engines.draft.provider import DRAFT

CASES: list[tuple[str, str, Motion | None]] = [
    ("Logo reveal for Acme, the logo spins", "brand-animation", Motion(target="logo", kind="spin")),
    ("A spinning logo on navy", "brand-animation", Motion(target="logo", kind="spin")),
    ("Logo reveal. Make it rotate!", "brand-animation", Motion(target="logo", kind="spin")),
    (
        "Showcase the Nord bag, product slides in from the right",
        "product-showcase",
        Motion(target="product", kind="slide_in", direction="right"),
    ),  # fmt: skip
    (
        "The bottle slides in from the left",
        "product-showcase",
        Motion(target="product", kind="slide_in", direction="left"),
    ),  # fmt: skip
    ("Fly in the logo from the bottom", "brand-animation", Motion(target="logo", kind="slide_in", direction="bottom")),
    ("The product comes in from the top", "social-media", Motion(target="product", kind="slide_in", direction="top")),
    ("Our sneaker glides in", "product-showcase", Motion(target="product", kind="slide_in")),
    ("The logo flips", "product-showcase", Motion(target="logo", kind="flip")),
    ("Zoom in on the product", "product-showcase", Motion(target="product", kind="zoom_in")),
    ("Push in on the logo", "product-showcase", Motion(target="logo", kind="zoom_in")),
    ("The logo zooms in", "brand-animation", Motion(target="logo", kind="zoom_in")),
    ("The logo rotates clockwise", "brand-animation", Motion(target="logo", kind="rotate")),
    ("The logo and the product spin", "prompt", Motion(target="both", kind="spin")),
    ("Showcase, spins", "product-showcase", Motion(target="product", kind="spin")),  # no target named: the product
    ("Logo reveal, no music, spinning logo", "brand-animation", Motion(target="logo", kind="spin")),
    # Not motion: the ad's own words, nouns of the business, a motion denied, no motion at all.
    ('Headline "Spin into savings". Shop now', "product-showcase", None),
    ("headline: Spin into savings", "product-showcase", None),
    (
        'Hook: "Carry more" The bag slides in from the right',
        "social-media",
        Motion(target="product", kind="slide_in", direction="right"),
    ),  # fmt: skip
    ("Tagline 'Flip the script on summer'", "brand-animation", None),
    ("An ad for our spin classes", "social-media", None),
    ("A flip phone, 30% off", "product-showcase", None),
    ("Our app in a slide deck", "prompt", None),
    ("Logo reveal, no spinning please", "brand-animation", None),
    ("Logo reveal, the logo doesn't spin", "brand-animation", None),
    ("Summer sale on sneakers", "prompt", None),
]


@pytest.mark.parametrize(("text", "template", "expected"), CASES)
def test_motion_words_are_read_and_copy_is_not(text: str, template: str, expected: Motion | None) -> None:
    assert read_motion(text, template) == expected


def test_the_brief_reads_it_once_and_the_render_job_reads_it_the_same_way() -> None:
    text = 'Logo reveal for Acme: the logo spins. Headline "Spin into savings"'
    brief = read_brief(text, template="brand-animation")
    assert brief.motion == Motion(target="logo", kind="spin")
    assert "Spin into savings" in brief.copy.texts()
    job = RenderJob(job_id="t", brief=text, prompt=text, model=DRAFT, duration_s=2, aspect="16:9", resolution="480p",
                    width=854, height=480, fps=24, template="brand-animation", copy=brief.copy)  # fmt: skip
    assert job.motion == brief.motion


def test_the_phrase_asking_for_a_motion_is_never_copy() -> None:
    brief = read_brief("Showcase the Nord bag, the product slides in from the right. Shop now")
    assert brief.motion == Motion(target="product", kind="slide_in", direction="right")
    assert brief.copy.cta == "Shop now"
    assert not any("slide" in line.lower() for line in brief.copy.texts())


@pytest.mark.parametrize(
    ("motion", "said"),
    [
        (Motion(target="logo", kind="spin"), "The logo spins in."),
        (Motion(target="product", kind="slide_in", direction="right"), "The product slides in from the right."),
        (Motion(target="both", kind="zoom_in"), "The logo and the product zoom in."),
    ],
)
def test_the_user_is_told_in_one_plain_line(motion: Motion, said: str) -> None:
    assert motion.sentence() == said
