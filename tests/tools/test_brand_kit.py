"""The brand kit's model: colours checked and upper-cased, a palette of 2 to 6, a campaign's kit over its team's."""

import pytest
from pydantic import ValidationError

from tools.brand import BrandKit, BrandVersion, Color, Font


def test_a_campaign_kit_overrides_only_the_fields_it_sets() -> None:
    team = BrandKit(colors=[Color(hex="#0a2540", role="background"), Color(hex="#FF5A1F")], cta="Shop now",
                    legal="© Aurora 2026")  # fmt: skip
    campaign = BrandKit(cta="Pre-order now", website="aurora.run")
    kit = campaign.over(team)
    assert kit.cta == "Pre-order now" and kit.website == "aurora.run" and kit.legal == "© Aurora 2026"
    assert [c.hex for c in kit.colors] == ["#0A2540", "#FF5A1F"]
    assert BrandKit().over(team) == team and BrandKit().is_empty() and not team.is_empty()


def test_a_campaign_takes_fonts_by_use_and_the_two_logos_together() -> None:
    headline, body = Font(key="brand/t/a.ttf", family="Inter"), Font(key="brand/t/b.ttf", family="Lora", use="body")
    team = BrandKit(logo="brand/t/logo.png", logo_light="brand/t/light.png", fonts=[headline, body])
    campaign_body = Font(key="brand/t/c.ttf", family="Serif", use="body")
    kit = BrandKit(logo="brand/t/spring.png", fonts=[campaign_body]).over(team)
    assert kit.fonts == [headline, campaign_body]  # the team's headline font stays
    assert (kit.logo, kit.logo_light) == ("brand/t/spring.png", None)  # not the team's light logo beside it
    light_only = BrandKit(logo_light="brand/t/spring-light.png").over(team)
    assert (light_only.logo, light_only.logo_light) == (None, "brand/t/spring-light.png")
    assert BrandKit(cta="Go").over(team).logo_light == "brand/t/light.png"


@pytest.mark.parametrize(
    ("colors", "message"),
    [
        (["red", "#FFFFFF"], "is not a colour"),
        (["#0A2540"], "2 to 6 colours"),
        (["#000000"] * 7, "at most 6"),
        (["#000000:background", "#111111:background"], "one colour the background role, not 2"),
    ],
)
def test_a_palette_that_is_not_one_is_refused_saying_why(colors: list[str], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        BrandKit.model_validate({"colors": [dict(zip(("hex", "role"), c.split(":"), strict=False)) for c in colors]})


def test_fonts_one_per_use_and_versions_named() -> None:
    with pytest.raises(ValidationError, match="one font for headlines"):
        BrandKit(fonts=[Font(key="brand/a.ttf", family="Inter"), Font(key="brand/b.ttf", family="Lora")])
    kit = BrandKit(fonts=[Font(key="brand/a.ttf", family="Inter"), Font(key="brand/b.otf", family="Lora", use="body")])
    assert kit.font_for("body") and kit.font_for("body").family == "Lora"  # type: ignore[union-attr]
    assert BrandVersion(team=3, campaign=2).label() == "team kit v3 + campaign kit v2"
    assert BrandVersion().label() == "no brand kit"
