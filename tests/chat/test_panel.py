"""The settings panel's labels, and the starters' plans, from the facade's models."""

from __future__ import annotations

from pathlib import Path

from chat.panel import STARTERS, model_label, starter_plan, voice_items
from tests.conftest import make_settings
from tools.studio.models import Models


class _Studio:
    def __init__(self, token: str | None) -> None:
        self.models = Models.configured(make_settings(Path("/nonexistent"), replicate_api_token=token))


def test_model_labels_carry_price_and_limits_and_say_with_audio() -> None:
    veo = _Studio("r8_test").models.get("veo-3.1")
    assert model_label(veo, True) == "Veo 3.1 · $0.40/s with audio · 4, 6, 8 s · 16:9, 9:16 · up to 3 images"
    assert model_label(veo, False).startswith("Veo 3.1 · $0.20/s · ")


def test_starters_take_a_model_that_can_make_them_or_the_nearest_duration() -> None:
    studio = _Studio("r8_test")
    product, logo, sale = STARTERS
    assert starter_plan(studio, product, "veo-3.1") == (product.message, "")
    request, note = starter_plan(studio, logo, "veo-3.1")
    assert request.endswith("model=hailuo-2.3") and note.startswith("Veo 3.1 cannot make a 10 s 16:9 video")
    assert starter_plan(studio, sale, "draft") == (sale.message, "")
    assert starter_plan(_Studio(None), sale, None) == (sale.message, "")  # the draft makes every starter


def test_the_voice_over_choice_lists_premium_voices_with_their_price_only_with_replicate() -> None:
    offline = voice_items(_Studio(None).models.voices())
    assert offline == {"None": "none", "Joe — male, offline, free": "joe"}
    premium = voice_items(_Studio("r8_test").models.voices())
    assert list(premium.items())[:3] == [
        ("None", "none"), ("Joe — male, offline, free", "joe"),
        ("Hazel — female, premium on Replicate, $0.10 per 1,000 characters", "hazel"),
    ]  # fmt: skip
    assert len(premium) > 4 and all(v == "none" or " — " in k for k, v in premium.items())
