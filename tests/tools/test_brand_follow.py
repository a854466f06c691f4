"""What a video takes from the brand kit, without rendering: the colours a brief asks for, roles assigned, text
and accent colours chosen to meet WCAG AA on any kit palette, the kit's words and fonts, and the paid prompt's
style words."""

from __future__ import annotations

import io
import tracemalloc
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageDraw, ImageFont

from tests.conftest import make_settings
from tests.fakes.brand import KITS, headline_font
from tools.brand import BrandKit, Color
from tools.brand.colours import asked_colours, hex_of, mix, name_of, rgb_of
from tools.brand.contrast import contrast
from tools.brand.follow import BRIEF_COLOURS, BRIEF_ROLES, colours_for, filled, roles, style_words
from tools.brief import AdCopy, read_brief
from tools.engines.draft import text
from tools.engines.draft.kit import Marks, load_reference
from tools.engines.draft.palette import palette_from_roles
from tools.engines.draft.text import fit_text, font_file, kit_face
from tools.refine import refine_brief

NAVY_ORANGE = BrandKit(colors=[Color(hex="#0A2540"), Color(hex="#FF5A1F")], tone=["bold", "playful"], cta="Shop now",
                       website="northwind.example")  # fmt: skip


@pytest.mark.parametrize(
    ("brief", "asked"),
    [
        ("A teaser in navy and orange", [("#12234A", None), ("#F57C1F", None)]),
        ("#FF0000 background, white text", [("#FF0000", "background"), ("#FFFFFF", "text")]),
        ("on a navy background with orange accents", [("#12234A", "background"), ("#F57C1F", "accent")]),
        ("colours: teal, white", [("#12827E", None), ("#FFFFFF", None)]),
        ("use #0A2540 and #FF5A1F", [("#0A2540", None), ("#FF5A1F", None)]),
        ("Showcase our red sneaker", []),  # a thing's colour, not the video's
        ('Black Friday sale, headline "Red hot deals"', []),  # copy, not colours
        ("A 10s ad, #bad vibes only", []),  # a hashtag
    ],
)
def test_the_colours_a_brief_asks_for(brief: str, asked: list[tuple[str, str | None]]) -> None:
    assert [(c.hex, c.role) for c in asked_colours(brief)] == asked


def test_a_shade_word_mixes_the_colour_towards_white_or_black() -> None:
    assert rgb_of("navy") == (18, 35, 74) and hex_of((18, 35, 74)) == "#12234A"
    assert (rgb_of("light navy"), rgb_of("dark navy")) == (mix((18, 35, 74), (255, 255, 255), 0.4), (11, 21, 44))
    assert (rgb_of("#F00"), rgb_of("mauve")) == ((255, 0, 0), None)


def test_a_kits_hex_colours_have_colour_words_for_a_video_model() -> None:
    assert (name_of("#0A2540"), name_of("#FF5A1F"), name_of("#F6F1E7")) == ("navy", "orange", "cream")


def test_unassigned_roles_go_to_the_ground_the_vivid_colour_and_the_colour_that_reads() -> None:
    dark = roles(NAVY_ORANGE.colors)
    assert (dark.background, dark.accent, dark.text) == ((10, 37, 64), (255, 90, 31), None)
    light = roles(KITS["light"][0])
    assert (light.background, light.text, light.accent) == ((246, 241, 231), (31, 58, 46), (228, 87, 46))
    given = roles([Color(hex="#FFFFFF", role="text"), Color(hex="#E4572E"), Color(hex="#101014")])
    assert (given.background, given.text, given.accent) == ((16, 16, 20), (255, 255, 255), (228, 87, 46))


HARD = {
    **{name: colours for name, (colours, _, _) in KITS.items()},
    "mid greys": [Color(hex="#777777"), Color(hex="#888888")],
    "red ground, given white text": [Color(hex="#FF0000", role="background"), Color(hex="#FFFFFF", role="text")],
    "yellow on white": [Color(hex="#FFFFFF", role="background"), Color(hex="#FFD60A", role="text")],
    "accent the ground's twin": [Color(hex="#1F5FD6", role="background"), Color(hex="#2166DD", role="accent")],
}


@pytest.mark.parametrize("name", list(HARD))
def test_every_text_colour_of_a_kit_palette_reads_on_what_it_is_drawn_on(name: str) -> None:
    by_role = roles(HARD[name])
    assert by_role.background is not None
    p = palette_from_roles(by_role.background, by_role.text, by_role.accent, by_role.colours, "kit")
    assert p.min_contrast() >= 4.5, [(r, round(contrast(a, b), 2)) for r, a, b in p.text_pairs()]
    assert contrast(p.accent, p.bg) >= 3.0  # buttons and labels stand out from the ground


@pytest.mark.parametrize("name", ["dark", "light"])
def test_a_kit_whose_colours_read_keeps_them(name: str) -> None:
    by_role = roles(KITS[name][0])
    assert by_role.background is not None
    p = palette_from_roles(by_role.background, by_role.text, by_role.accent, by_role.colours, "kit")
    assert (p.bg, p.ink) == (by_role.background, by_role.text)


def test_the_briefs_colours_win_over_the_kits_and_say_so() -> None:
    followed = colours_for(NAVY_ORANGE, "A teaser in teal and white")
    assert (followed.source, followed.notice) == ("brief", BRIEF_COLOURS)
    assert colours_for(NAVY_ORANGE, "A teaser for our new coat").source == "kit"
    assert colours_for(None, "A teaser in teal").notice == ""  # nothing was overridden


def test_colours_for_roles_take_only_those_roles_and_the_kit_fills_the_rest() -> None:
    followed = colours_for(NAVY_ORANGE, "A teal kettle on a white background")
    by_role = roles(followed.colors)
    assert (by_role.background, by_role.accent, by_role.text) == ((255, 255, 255), (255, 90, 31), (10, 37, 64))
    assert (followed.source, followed.notice) == ("kit", BRIEF_ROLES.format("background colour"))
    dark = BrandKit(colors=KITS["dark"][0])
    followed = colours_for(dark, "on a navy background with orange accents")
    by_role = roles(followed.colors)
    assert (by_role.background, by_role.accent, by_role.text) == ((18, 35, 74), (245, 124, 31), (232, 238, 245))
    assert followed.notice == BRIEF_ROLES.format("background and accent colours")
    assert colours_for(None, "on a white background").colors == [Color(hex="#FFFFFF", role="background")]


def test_the_kits_call_to_action_and_website_fill_the_copy_the_brief_leaves_empty() -> None:
    assert filled(AdCopy(headline="Warm"), NAVY_ORANGE).cta == "Shop now"
    mine = filled(AdCopy(cta="Book a fitting", website="nw.example/fit"), NAVY_ORANGE)
    assert (mine.cta, mine.website) == ("Book a fitting", "nw.example/fit")


def _logo(colour: tuple[int, int, int]) -> bytes:
    img = Image.new("RGBA", (120, 60), (0, 0, 0, 0))
    ImageDraw.Draw(img).rectangle((10, 10, 110, 50), fill=colour + (255,))
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


def test_the_logo_that_stands_out_from_the_ground_is_chosen() -> None:
    marks = Marks(logo=load_reference(_logo((10, 37, 64)), 200), logo_light=load_reference(_logo((250, 250, 250)), 200))
    assert marks.logo_on((12, 20, 40)) is marks.logo_light
    assert marks.logo_on((245, 240, 230)) is marks.logo
    assert Marks().logo_on((0, 0, 0)) is None


def test_a_kit_font_sets_the_text() -> None:
    bundled = fit_text("Warm starts here", "black", 800, 200, size_max=60, size_min=60)
    kit = fit_text("Warm starts here", "black", 800, 200, size_max=60, size_min=60,
                   faces={"black": kit_face(headline_font())})  # fmt: skip
    assert bundled.size == kit.size
    assert bundled.mask.size != kit.mask.size or ImageChops.difference(bundled.mask, kit.mask).getbbox()


def test_a_kit_font_at_many_sizes_is_read_from_one_file_and_never_swapped_for_pillows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(text, "KIT_FONT_DIR", tmp_path)
    data = headline_font()
    faces = [kit_face(data + bytes(k)) for k in range(20)]  # more kits than the old cache of 16
    assert kit_face(data) == kit_face(data) and Path(kit_face(data)).read_bytes() == data  # named by its content
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        fonts = [font_file(faces[0], size) for size in range(150, 190)]
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert grown < len(data)  # 40 sizes hold no copy of the file each
    assert all(isinstance(f, ImageFont.FreeTypeFont) and f.path == faces[0] for f in fonts)
    assert all(font_file(face, 40).path == face for face in faces)
    assert len(list(tmp_path.iterdir())) == 20  # one file a font, none left half written


def test_the_style_words_name_the_kits_colours_by_role_and_its_tone() -> None:
    assert style_words(NAVY_ORANGE, "A teaser") == (
        "brand colours navy (#0A2540) background, orange (#FF5A1F) accent; tone bold, playful"
    )
    assert style_words(NAVY_ORANGE, "A teaser in teal") == "tone bold, playful"  # the brief's colours are its own
    assert style_words(None, "A teaser") == ""


async def test_a_paid_prompt_carries_the_kits_look_and_words(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    read = read_brief('A product showcase of the Northwind parka, headline "Warm starts here"')
    refined = await refine_brief(read, settings=settings, aspect="16:9", duration_s=8, brand=NAVY_ORANGE)
    assert "Brand look: brand colours navy (#0A2540) background, orange (#FF5A1F) accent; tone bold, playful." in (
        refined.prompt
    )
    own = await refine_brief(read_brief("A showcase of the parka in teal and white"), settings=settings,
                             aspect="16:9", duration_s=8, brand=NAVY_ORANGE)  # fmt: skip
    assert "#0A2540" not in own.prompt and own.note.endswith(BRIEF_COLOURS)
