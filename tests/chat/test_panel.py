"""The settings panel's values and labels, and the starters' plans, from the catalog."""

from __future__ import annotations

from pathlib import Path

from chat.panel import AUTO, STARTERS, model_label, normalised, starter_plan
from tests.conftest import make_settings
from tools.engines.registry import build_catalog


class _Studio:
    def __init__(self, token: str | None) -> None:
        self.catalog = build_catalog(make_settings(Path("/nonexistent"), replicate_api_token=token))


def test_settings_are_kept_as_requests_take_them_and_moved_to_what_the_model_offers() -> None:
    studio = _Studio("r8_test")
    values, moved = normalised(studio, {"model": "hailuo-2.3", "duration_s": "8", "aspect": "4:5", "audio": True})
    assert values == {"model": "hailuo-2.3", "aspect": None, "duration_s": 10, "audio": False, "campaign": None,
                      "refine": True, "auto_fallback": False}  # fmt: skip
    assert moved == ["Hailuo 2.3 does not make 4:5, so the format is now chosen for each video.",
                     "Hailuo 2.3 makes 6, 10 s, so the duration is now 10 s."]  # fmt: skip
    for unset in ("", AUTO):  # Auto: the brief or template decides (the panel's choice is "auto", never empty)
        auto, moved = normalised(studio, {"model": "veo-3.1", "aspect": unset, "duration_s": unset})
        assert (auto["aspect"], auto["duration_s"], moved) == (None, None, [])
    veo, _ = normalised(studio, {"model": "veo-3.1", "duration_s": "6", "audio": False, "auto_fallback": True})
    assert (veo["duration_s"], veo["audio"], veo["auto_fallback"]) == (6, False, True)
    assert normalised(_Studio(None), {"model": "veo-3.1"})[0]["model"] == "draft"  # no token: the draft


def test_model_labels_carry_price_and_limits_and_say_with_audio() -> None:
    veo = _Studio("r8_test").catalog.get("veo-3.1")
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
