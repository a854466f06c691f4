"""What a price question says will be on screen: every field in display order, or plainly nothing."""

from __future__ import annotations

from chat.agent import usd
from chat.notify import confirm_actions, copy_lines, format_choice, screen_words
from tools.studio.types import FIELD_NAMES, AdCopy, PaidFormats


def test_the_price_question_lists_every_field_in_display_order() -> None:
    copy = AdCopy(
        sale="Autumn sale", headline="AURORA X", tagline="Run further", features=["Light", "Warm"],
        offer="25% off all jackets", price="$129", conditions=["Free shipping over $50", "While stocks last"],
        code="Use code KNIT30", cta="Shop now", website="aurora.run", end_text="Available Friday",
    )  # fmt: skip
    assert screen_words(copy) == (
        "On screen: Sale “Autumn sale” · Headline “AURORA X” · Tagline “Run further” · Features “Light”, “Warm” · "
        "Offer “25% off all jackets” · Price “$129” · Conditions “Free shipping over $50”, “While stocks last” · "
        "Code “Use code KNIT30” · CTA “Shop now” · Website “aurora.run” · End card “Available Friday”"
    )
    assert len(copy_lines(copy.given()).splitlines()) == len(FIELD_NAMES)  # Edit text lists every field too


def test_no_words_is_said_plainly() -> None:
    assert screen_words(AdCopy()) == "Nothing will be written on screen."
    assert screen_words(AdCopy(offer="25% off all jackets")) == "On screen: Offer “25% off all jackets”"


def test_a_paid_videos_formats_offer_the_free_reframe_and_the_price_only_when_the_model_can_make_them() -> None:
    paid = PaidFormats(model="veo-3.1", model_name="Veo 3.1", aspects=["9:16"], price_usd=1.6)
    assert [a.label for a in format_choice("j1", paid)] == ["Reframe, free", "Generate 9:16 on Veo 3.1 for $1.60"]
    assert [a.label for a in format_choice("j1", None)] == ["Reframe, free"], "its model makes none of them now"


def test_a_price_under_a_cent_is_never_said_as_nothing() -> None:
    """A free draft read by a premium voice costs a fraction of a cent: its price question says so."""
    assert [usd(a) for a in (3.2, 0.0123, 0.0012, 0.0004)] == ["$3.20", "$0.01", "$0.001", "$0.001"]
    assert confirm_actions("j1", "Socks", 0.0012)[0].label == "Generate “Socks” for $0.001"
    assert [a.label for a in confirm_actions("j1", "Socks", 0.0012, "Warm feet.")][1:] == [
        "Cancel", "Edit text", "Edit voice-over"]  # fmt: skip
