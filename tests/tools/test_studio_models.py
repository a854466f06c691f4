"""`studio.models`: a chat's settings fitted to the model they name, as the catalog answers."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import make_settings
from tools.studio.models import AUTO, Models


def _models(token: str | None) -> Models:
    return Models.configured(make_settings(Path("/nonexistent"), replicate_api_token=token))


def test_settings_are_kept_as_requests_take_them_and_moved_to_what_the_model_offers() -> None:
    models = _models("r8_test")
    values, moved = models.fit_settings({"model": "hailuo-2.3", "duration_s": "8", "aspect": "4:5", "audio": True})
    assert values == {"model": "hailuo-2.3", "aspect": None, "duration_s": 10, "audio": False, "campaign": None,
                      "refine": True, "auto_fallback": False}  # fmt: skip
    assert moved == ["Hailuo 2.3 does not make 4:5, so the format is now chosen for each video.",
                     "Hailuo 2.3 makes 6, 10 s, so the duration is now 10 s."]  # fmt: skip
    for unset in ("", AUTO):  # Auto: the brief or template decides (the panel's choice is "auto", never empty)
        auto, moved = models.fit_settings({"model": "veo-3.1", "aspect": unset, "duration_s": unset})
        assert (auto["aspect"], auto["duration_s"], moved) == (None, None, [])
    veo, _ = models.fit_settings({"model": "veo-3.1", "duration_s": "6", "audio": False, "auto_fallback": True})
    assert (veo["duration_s"], veo["audio"], veo["auto_fallback"]) == (6, False, True)
    assert _models(None).fit_settings({"model": "veo-3.1"})[0]["model"] == "draft"  # no token: the draft
