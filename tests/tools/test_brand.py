"""`studio.brand`: the team's kit (admins change it) and each campaign's (any member), versioned; logos and fonts
checked on the way in; the kit every new job follows."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from campaign.errors import Forbidden, InvalidRequest, NotFound
from campaign.people import LOCAL_OWNER, Actor
from campaign.storage import read_all
from tests.conftest import png_bytes
from tools.brand import BrandVersion, files
from tools.studio import Studio
from tools.studio.brand import BrandChanges, FileUpload, parse_colors

FONT = Path(__file__).parents[2] / "tools" / "fonts" / "RedHatDisplay-Bold.ttf"
SLIVER = b'<svg xmlns="http://www.w3.org/2000/svg" width="1" height="100000"><rect width="1" height="9"/></svg>'
SCRIPTED_SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script><rect width="9" height="9"/></svg>'


def _upload(data: bytes, name: str) -> FileUpload:
    return FileUpload(data=data, name=name)


async def _people(studio: Studio) -> dict[str, Actor]:
    accounts = studio.accounts
    await accounts.add("alice", team="acme", password=None)
    await accounts.add("erin", team="acme", password=None, admin=True)
    await accounts.add("carol", team="globex", password=None)
    return {name: await accounts.cli_actor(name) for name in ("alice", "erin", "carol")}


async def test_the_team_kit_is_the_admins_and_a_campaigns_any_members(studio: Studio) -> None:
    who = await _people(studio)
    alice, erin = who["alice"], who["erin"]
    with pytest.raises(Forbidden, match="Only an admin"):
        await studio.brand.set(alice, BrandChanges(cta="Shop now"))
    await studio.brand.set(erin, BrandChanges(colors="#0a2540, #FF5A1F:accent", cta="Shop now", tone="bold, playful"))
    edited = await studio.brand.set(erin, BrandChanges(cta="Buy now"))
    assert edited.team_kit is not None and edited.team_kit.version == 2 and edited.label == "team kit v2"
    assert [c.hex for c in edited.effective.colors] == ["#0A2540", "#FF5A1F"]
    assert edited.effective.tone == ["bold", "playful"] and [v.created_by for v in edited.history] == ["erin"] * 2
    spring = await studio.brand.set(alice, BrandChanges(cta="Spring deals"), "Spring")  # a member, a campaign
    assert (spring.effective.cta, spring.effective.tone, spring.label) == ("Spring deals", ["bold", "playful"],
                                                                           "team kit v2 + campaign kit v1")  # fmt: skip
    same = await studio.brand.set(alice, BrandChanges(cta="Spring deals"), campaign_id=spring.campaign_id)
    assert same.label == spring.label  # nothing changed: no new version
    kit, version = await studio.brand.current(alice, spring.campaign_id)
    assert kit is not None and kit.cta == "Spring deals" and version == BrandVersion(team=2, campaign=1)


async def test_a_refused_change_makes_no_campaign_and_a_blank_name_is_not_the_teams_kit(studio: Studio) -> None:
    alice = (await _people(studio))["alice"]
    with pytest.raises(InvalidRequest, match="not a colour"):
        await studio.brand.set(alice, BrandChanges(colors="fog, mist"), "Sprng")
    assert await studio.library.campaigns(alice) == []
    for blank in ("  ", ""):
        with pytest.raises(InvalidRequest, match="campaign name"):
            await studio.brand.set(alice, BrandChanges(cta="Shop now"), blank)
        with pytest.raises(InvalidRequest, match="campaign name"):
            await studio.brand.get(alice, blank)
    assert (await studio.brand.get(alice)).version is None and await studio.library.campaigns(alice) == []


async def test_names_are_looked_up_in_the_actors_team_only(studio: Studio) -> None:
    who = await _people(studio)
    alice, carol = who["alice"], who["carol"]
    names = await studio.brand.store.user_names(alice.team_id, [alice.user_id, carol.user_id, None])
    assert names == {alice.user_id: "alice"}


async def test_another_teams_campaign_kit_is_not_found(studio: Studio) -> None:
    who = await _people(studio)
    spring = await studio.brand.set(who["alice"], BrandChanges(cta="Spring deals"), "Spring")
    carol = who["carol"]
    for call in (
        studio.brand.get(carol, campaign_id=spring.campaign_id),
        studio.brand.set(carol, BrandChanges(cta="x"), campaign_id=spring.campaign_id),
        studio.brand.get(carol, "Spring"),
    ):
        with pytest.raises(NotFound):
            await call
    assert (await studio.brand.get(carol)).version is None  # another team has its own (unset) kit
    assert await studio.brand.current(carol, spring.campaign_id) == (None, None)


async def test_a_logo_keeps_its_alpha_and_a_font_its_family(studio: Studio) -> None:
    transparent = png_bytes((300, 120), (0, 0, 0, 0), mode="RGBA")
    view = await studio.brand.set(
        LOCAL_OWNER,
        BrandChanges(logo=_upload(transparent, "logo.png"), font=_upload(FONT.read_bytes(), "Display.ttf")),
    )
    kit = view.effective
    assert kit.logo is not None and kit.logo.startswith("brand/") and kit.logo.endswith(".png")
    stored = Image.open(io.BytesIO(await read_all(studio.files.storage, kit.logo)))
    assert stored.mode == "RGBA" and stored.getpixel((0, 0))[3] == 0  # transparent where it was
    [font] = kit.fonts
    assert (font.family, font.use, font.key.endswith(".ttf")) == ("Red Hat Display", "headline", True)
    assert set(view.files) == {kit.logo, font.key}
    jpeg = io.BytesIO()
    Image.new("RGB", (200, 100), (200, 30, 30)).save(jpeg, "JPEG")
    light = await studio.brand.set(LOCAL_OWNER, BrandChanges(logo_light=_upload(jpeg.getvalue(), "light.jpg")))
    assert (light.effective.logo_light or "").endswith(".png") and light.effective.logo == kit.logo


async def test_each_teams_files_are_its_own_even_the_same_bytes(studio: Studio) -> None:
    who = await _people(studio)
    logo = png_bytes((300, 120), (10, 20, 30))
    acme = await studio.brand.set(who["erin"], BrandChanges(logo=_upload(logo, "logo.png")))
    globex = await studio.brand.set(who["carol"], BrandChanges(logo=_upload(logo, "logo.png")), "Spring")
    mine, theirs = acme.effective.logo or "", globex.effective.logo or ""
    assert mine.startswith(f"brand/{who['erin'].team_id}/") and theirs.startswith(f"brand/{who['carol'].team_id}/")
    assert mine != theirs and mine not in globex.files and theirs not in acme.files


async def test_a_change_refused_for_its_words_or_one_file_stores_no_file(studio: Studio) -> None:
    logo = _upload(png_bytes((300, 120), (10, 20, 30)), "logo.png")
    refused = (
        BrandChanges(logo=logo, cta="x" * 121),
        BrandChanges(logo=logo, colors="#0A2540"),
        BrandChanges(logo=logo, font=_upload(b"not a font", "Inter.ttf")),
    )
    for changes in refused:
        with pytest.raises(InvalidRequest):
            await studio.brand.set(LOCAL_OWNER, changes)
    root = studio.files.storage.root  # type: ignore[attr-defined]
    assert not (root / "brand").exists()


async def test_an_svg_logo_is_drawn_as_one_of_the_decodes_at_once(
    studio: Studio, monkeypatch: pytest.MonkeyPatch
) -> None:
    free: list[int] = []
    slots = studio.brand.intake._decodes

    def drawn(data: bytes, label: str) -> bytes:
        free.append(slots._value)  # type: ignore[attr-defined]  # the slots left while it draws
        return draw(data, label)

    draw = files._rasterise
    monkeypatch.setattr(files, "_rasterise", drawn)
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="300" height="120"><rect width="300" height="120"/></svg>'
    await studio.brand.set(LOCAL_OWNER, BrandChanges(logo=_upload(svg, "logo.svg")))
    assert free == [studio.settings.reference_decodes - 1]


@pytest.mark.parametrize(
    ("changes", "said"),
    [
        (BrandChanges(font=_upload(png_bytes((40, 40)), "Inter.ttf")), "is a PNG image, not a TTF or OTF font"),
        (BrandChanges(font=_upload(b"MZ\x90\x00" + b"\x00" * 200, "Inter.ttf")), "is a Windows program, not a TTF"),
        (BrandChanges(font=_upload(b"\x00\x01\x00\x00garbage", "Inter.ttf")), "is damaged"),
        (BrandChanges(logo=_upload(SCRIPTED_SVG, "logo.svg")), "is an SVG with a script in it"),
        (BrandChanges(logo=_upload(b'<svg onload="x()"/>', "logo.svg")), "with an event handler"),
        (BrandChanges(logo=_upload(b'<svg><image href="https://x.example/a.png"/></svg>', "l.svg")), "a link to"),
        (BrandChanges(logo=_upload(b"<svg><foreignObject><p/></foreignObject></svg>", "l.svg")), "a foreignObject"),
        (BrandChanges(logo=_upload(b"MZ\x90\x00" * 30, "logo.png")), "is a Windows program, not a PNG"),
        (BrandChanges(logo=_upload(b'<svg><image href="data:image/png;base64,iVBO"/></svg>', "l.svg")), "embedded"),
        (BrandChanges(logo=_upload(SLIVER, "l.svg")), "is drawn 1×1200: a logo can be at most 10 times"),
        (BrandChanges(colors="#0A2540"), "Colours: a palette has 2 to 6 colours"),
        (BrandChanges(colors=",".join(["#0A2540"] * 7)), "not changed. Colours: at most 6."),
        (
            BrandChanges(cta="x" * 121, legal="y" * 301),
            "Call to action: at most 120 characters; Legal line: at most 300",
        ),
        (BrandChanges(tone="bold, " + "z" * 121), "Tone words: at most 120 characters"),
        (BrandChanges(colors="#0A2540, fog"), "'fog' is not a colour"),
        (BrandChanges(colors="#0A2540, #12345G"), "'#12345G' is not a colour"),
    ],
)
async def test_what_is_refused_says_why_and_writes_nothing(studio: Studio, changes: BrandChanges, said: str) -> None:
    with pytest.raises(InvalidRequest) as refused:
        await studio.brand.set(LOCAL_OWNER, changes)
    assert said in str(refused.value)
    assert (await studio.brand.get(LOCAL_OWNER)).version is None


async def test_an_svg_logo_without_anything_active_is_drawn_on_its_alpha(studio: Studio) -> None:
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100">'
    svg += b'<circle cx="50" cy="50" r="40" fill="#f00"/></svg>'
    view = await studio.brand.set(LOCAL_OWNER, BrandChanges(logo=_upload(svg, "logo.svg")))
    logo = Image.open(io.BytesIO(await read_all(studio.files.storage, view.effective.logo or "")))
    assert logo.mode == "RGBA" and logo.width == 1200 and logo.getpixel((0, 0))[3] == 0
    assert logo.getpixel((300, 300))[:3] == (255, 0, 0)


def test_colours_take_roles() -> None:
    assert [(c.hex, c.role) for c in parse_colors("#0a2540:background; FF5A1F accent,#ffffff")] == [
        ("#0A2540", "background"), ("#FF5A1F", "accent"), ("#FFFFFF", None)]  # fmt: skip


def test_colours_may_be_colour_words() -> None:
    """The same words a brief's colours are read in (tools/brand/colours.py)."""
    assert [(c.hex, c.role) for c in parse_colors("navy:background, orange accent, #F00")] == [
        ("#12234A", "background"), ("#F57C1F", "accent"), ("#FF0000", None)]  # fmt: skip
