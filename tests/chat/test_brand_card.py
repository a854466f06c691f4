"""The brand card's props: the kit a video follows, what the campaign sets itself, swatches with a readable ink."""

from __future__ import annotations

from chat.brand import card_props
from tools.brand import BrandKit, BrandVersion, Color, Font
from tools.studio.brand import look_of
from tools.studio.types import BrandView, KitVersionView

LOGO, FONT = "brand/logo.png", "brand/inter.ttf"


def _version(kit: BrandKit, version: int) -> KitVersionView:
    return KitVersionView(version=version, kit=kit, created_by="alice", created_at="2026-12-06T01:00:00+00:00")


def test_a_campaign_card_shows_the_kit_over_the_teams_and_marks_what_the_campaign_sets() -> None:
    team = BrandKit(
        logo=LOGO,
        colors=[Color(hex="#FF5A1F", role="accent"), Color(hex="#0A2540", role="background")],
        fonts=[Font(key=FONT, family="Inter", use="headline")],
        cta="Start free",
        tone=["bold", "playful"],
    )
    mine = BrandKit(website="aurora.run/spring")
    view = BrandView(
        campaign="Spring sale",
        campaign_id="c1",
        team_kit=_version(team, 3),
        campaign_kit=_version(mine, 2),
        effective=mine.over(team),
        version=BrandVersion(team=3, campaign=2),
        label="team kit v3 + campaign kit v2",
        history=[],
        files={LOGO: "/files/brand/logo.png?sig=1", FONT: "/files/brand/inter.ttf?sig=2"},
        look=look_of(mine.over(team)),
    )
    props = card_props(view, expires_at=1000.5)
    assert (props["campaign"], props["label"], props["expires_at"]) == ("Spring sale", view.label, 1000)
    assert props["logos"] == [{"kind": "main", "label": "Logo", "url": view.files[LOGO], "campaign": False}]
    assert [(c["hex"], c["role"], c["ink"]) for c in props["colors"]] == [
        ("#0A2540", "background", "#FFFFFF"),
        ("#FF5A1F", "accent", "#000000"),
    ]
    assert props["dark"] == "#0A2540"  # the logo's dark tile is the kit's own dark background
    assert props["fonts"] == [
        {"use": "headline", "family": "Inter", "url": view.files[FONT], "face": "brand-headline-0"}
    ]
    assert [(w["key"], w["value"], w["campaign"]) for w in props["words"]] == [
        ("cta", "Start free", False),
        ("website", "aurora.run/spring", True),
        ("tone", "bold, playful", False),
    ]
    assert not props["colors_campaign"] and not props["empty"]
    assert props["preview"] == {
        "background": "#0A2540",
        "text": "#FFFFFF",  # no text colour in the kit: what reads on its background
        "accent": "#FF5A1F",
        "accent_ink": "#000000",
        "logo": view.files[LOGO],  # no light logo: the main one
        "cta": "Start free",
        "website": "aurora.run/spring",
    }


def _view(kit: BrandKit) -> BrandView:
    return BrandView(
        campaign=None, campaign_id=None, team_kit=_version(kit, 1), campaign_kit=None, effective=kit,
        version=BrandVersion(team=1), label="team kit v1", history=[], files={LOGO: "/l", LIGHT: "/ll"},
        look=look_of(kit),
    )  # fmt: skip


LIGHT = "brand/light.png"


def test_the_card_shows_the_roles_a_video_gives_a_palette_without_roles() -> None:
    """The render's roles (tools/brand/follow.roles): the most neutral colour is the background, the most vivid
    the accent, whatever their order; each swatch says its role and the ink that reads on it."""
    kit = BrandKit(logo=LOGO, logo_light=LIGHT, colors=[Color(hex="#FF5A1F"), Color(hex="#0A2540")])
    props = card_props(_view(kit), expires_at=1)
    assert [(c["hex"], c["role"], c["ink"]) for c in props["colors"]] == [
        ("#0A2540", "background", "#FFFFFF"),
        ("#FF5A1F", "accent", "#000000"),
    ]
    preview = props["preview"]
    assert (preview["background"], preview["text"], preview["accent"]) == ("#0A2540", "#FFFFFF", "#FF5A1F")
    assert preview["logo"] == "/ll"  # the light logo on the dark background
    assert props["dark"] == "#0A2540"
    white = BrandKit(colors=[Color(hex="#FF5A1F"), Color(hex="#0A2540"), Color(hex="#FFFFFF")])
    assert [(c["hex"], c["role"]) for c in card_props(_view(white), expires_at=1)["colors"]] == [
        ("#FFFFFF", "background"),  # the most neutral
        ("#0A2540", "text"),
        ("#FF5A1F", "accent"),
    ]


def test_a_light_logo_alone_is_drawn_on_a_light_background_too() -> None:
    kit = BrandKit(logo_light=LIGHT, colors=[Color(hex="#F5EEDC"), Color(hex="#00C2A8")])
    props = card_props(_view(kit), expires_at=1)
    assert props["preview"]["background"] == "#F5EEDC"
    assert props["preview"]["logo"] == "/ll"
    assert [c["ink"] for c in props["colors"]] == ["#000000", "#000000"]
