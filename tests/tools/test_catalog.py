"""The model catalog: entries, checks before spend, what the user reads, prices, aliases and fallbacks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from campaign.errors import InvalidRequest, ModelUnavailable
from tests.conftest import make_settings
from tools.catalog import Catalog, cache_path
from tools.engines.registry import build_catalog
from tools.engines.replicate.models import builtin_models


@pytest.fixture
def catalog(tmp_path: Path) -> Catalog:
    return build_catalog(make_settings(tmp_path, replicate_api_token="r8_test"))


def test_the_issue_s_models_are_all_there_with_their_replicate_slugs(catalog: Catalog) -> None:
    slugs = {m.id: m.slug for m in catalog.all()}
    assert slugs == {
        "draft": None,
        "sora-2-pro": "openai/sora-2-pro",
        "sora-2": "openai/sora-2",
        "veo-3.1": "google/veo-3.1",
        "veo-3.1-fast": "google/veo-3.1-fast",
        "runway-gen-4.5": "runwayml/gen-4.5",
        "runway-gen4-turbo": "runwayml/gen4-turbo",
        "kling-v3-omni": "kwaivgi/kling-v3-omni-video",
        "seedance-2.0": "bytedance/seedance-2.0",
        "hailuo-2.3": "minimax/hailuo-2.3",
    }
    assert catalog.get("kwaivgi/kling-v3-omni-video").id == "kling-v3-omni"
    assert catalog.get("Veo 3.1 Fast").id == "veo-3.1-fast"
    assert catalog.get("SORA 2 PRO").id == "sora-2-pro"


def test_every_fallback_chain_ends_at_draft(catalog: Catalog) -> None:
    for spec in catalog.all():
        chain = catalog.chain(spec.id)
        assert chain[-1].id == "draft", spec.id
        assert len({m.id for m in chain}) == len(chain)
    assert [m.id for m in catalog.chain("sora-2-pro")] == [
        "sora-2-pro",
        "veo-3.1",
        "kling-v3-omni",
        "seedance-2.0",
        "draft",
    ]


def test_sora_is_kept_but_unavailable_by_default_with_a_notice(catalog: Catalog) -> None:
    spec = catalog.get("sora-2-pro")
    assert not spec.available and "shut Sora 2 down on 24 September 2026" in spec.notice
    assert catalog.default_model == "veo-3.1"  # the first available model of the seed's primary's chain

    with pytest.raises(ModelUnavailable) as err:
        catalog.resolve("sora-2-pro")
    assert "Sora 2 Pro is not available right now." in str(err.value)
    assert "Try veo-3.1." in str(err.value)


def test_an_unavailable_model_moves_to_its_fallback_when_asked(catalog: Catalog) -> None:
    resolved = catalog.resolve("sora-2-pro", duration_s=12, aspect="9:16", fallback=True)

    assert resolved.model.id == "veo-3.1"
    assert (resolved.duration_s, resolved.aspect, resolved.width, resolved.height) == (8, "9:16", 1080, 1920)
    assert "Veo 3.1 makes this video instead." in resolved.notice
    assert "Veo 3.1 makes 8 s instead of 12 s." in resolved.notice


def test_without_a_token_replicate_models_are_listed_but_fall_back_to_draft(tmp_path: Path) -> None:
    catalog = build_catalog(make_settings(tmp_path))

    assert catalog.default_model == "draft"
    assert not any(m.available for m in catalog.all() if m.provider == "replicate")
    resolved = catalog.resolve("veo-3.1", duration_s=8, fallback=True)
    assert resolved.model.id == "draft"
    assert "Needs a Replicate account" in resolved.notice
    assert "Clapboard Draft makes this video instead." in resolved.notice


@pytest.mark.parametrize(("setting", "size"), [("720p", (720, 1280)), ("480p", (480, 854)), ("1080p", (1080, 1920))])
def test_the_draft_is_made_at_the_settings_resolution_unless_a_request_names_one(
    tmp_path: Path, setting: str, size: tuple[int, int]
) -> None:
    catalog = build_catalog(make_settings(tmp_path, draft_resolution=setting))
    assert (catalog.resolve("draft", aspect="9:16").width, catalog.resolve("draft", aspect="9:16").height) == size
    asked = catalog.resolve("draft", aspect="9:16", resolution="720p")
    assert (asked.width, asked.height) == (720, 1280)
    assert catalog.get("draft").resolutions == ["480p", "720p", "1080p"]


def test_the_drafts_own_resolution_is_720p() -> None:
    from campaign.settings import Settings

    assert Settings.model_fields["draft_resolution"].default == "720p"


# --- validation before spend --------------------------------------------------------------------------------


def test_a_duration_the_model_lacks_proposes_the_nearest_on_each_side_and_models_that_can(
    catalog: Catalog,
) -> None:
    with pytest.raises(InvalidRequest) as err:
        catalog.resolve("veo-3.1", duration_s=7)

    assert str(err.value) == (
        "Veo 3.1 cannot make a 7 s video; it offers 4, 6, 8 s. Try 6 s or 8 s. "
        "Models that can: kling-v3-omni, seedance-2.0, draft."
    )


def test_an_aspect_and_a_resolution_the_model_lacks_say_what_it_offers(catalog: Catalog) -> None:
    with pytest.raises(InvalidRequest) as err:
        catalog.resolve("veo-3.1", aspect="1:1")
    assert "Veo 3.1 does not make 1:1 videos; it offers 16:9, 9:16." in str(err.value)
    assert "kling-v3-omni" in str(err.value)

    with pytest.raises(InvalidRequest) as err:
        catalog.resolve("veo-3.1", resolution="480p")
    assert str(err.value) == (
        "Veo 3.1 has no 480p output; it offers 720p, 1080p. Try 720p. Models that can: seedance-2.0, draft."
    )


def test_veo_takes_subject_images_only_at_16_9_and_8_s(catalog: Catalog) -> None:
    ok = catalog.resolve("veo-3.1", references=3, aspect="16:9", duration_s=8)
    assert ok.reference_roles == ["subject", "subject", "subject"]
    assert catalog.resolve("veo-3.1", references=2).reference_roles == ["first_frame", "last_frame"]
    assert catalog.resolve("veo-3.1", references=1).reference_roles == ["first_frame"]

    with pytest.raises(InvalidRequest) as err:
        catalog.resolve("veo-3.1", references=3, aspect="9:16", duration_s=8)
    text = str(err.value)
    assert "Veo 3.1 takes a first and a last frame or up to 3 reference images (only for 16:9, 8 s videos)" in text
    assert "Make it 16:9 at 8 s" in text
    assert "kling-v3-omni" in text


def test_veo_fast_takes_no_subject_images(catalog: Catalog) -> None:
    with pytest.raises(InvalidRequest) as err:
        catalog.resolve("veo-3.1-fast", references=3, aspect="16:9", duration_s=8)

    assert "Veo 3.1 Fast takes a first and a last frame; you gave 3" in str(err.value)
    assert "veo-3.1" in str(err.value)


def test_reference_limits_of_kling_and_seedance(catalog: Catalog) -> None:
    assert catalog.resolve("kling-v3-omni", references=7).reference_roles == ["subject"] * 7
    assert catalog.resolve("seedance-2.0", references=9).reference_roles == ["subject"] * 9
    assert catalog.resolve("seedance-2.0", references=1, reference_role="first_frame").reference_roles == [
        "first_frame"
    ]

    with pytest.raises(InvalidRequest) as err:
        catalog.resolve("kling-v3-omni", references=8)
    assert "Kling 3 Omni takes up to 7 reference images; you gave 8" in str(err.value)
    assert "Models that can: seedance-2.0" in str(err.value)


def test_runway_gen_3_and_gen_2_resolve_to_what_replicate_offers_and_say_so(catalog: Catalog) -> None:
    resolved = catalog.resolve("Runway Gen-3")
    assert resolved.model.id == "runway-gen-4.5"
    assert "Runway Gen-3 is not offered on Replicate, so Runway Gen-4.5" in resolved.notice

    assert catalog.get("gen-2").id == "runway-gen4-turbo"
    assert "Runway Gen-2 is not offered on Replicate" in catalog.alias_notice("Runway Gen-2")
    with pytest.raises(InvalidRequest) as err:
        catalog.resolve("gen-2")
    assert "Runway Gen-4 Turbo needs a first-frame image." in str(err.value)
    assert "runway-gen-4.5" in str(err.value)
    resolved = catalog.resolve("gen-2", references=1)
    assert resolved.model.id == "runway-gen4-turbo" and resolved.reference_roles == ["first_frame"]


def test_hailuo_rules_across_options_propose_a_valid_request(catalog: Catalog) -> None:
    with pytest.raises(InvalidRequest) as err:
        catalog.resolve("hailuo-2.3", resolution="1080p", duration_s=10)
    assert str(err.value).startswith("Hailuo 2.3 makes 1080p videos only at 6 s. Try 6 s at 1080p or 768p with 10 s.")

    with pytest.raises(InvalidRequest) as err:
        catalog.resolve("hailuo-2.3", aspect="9:16")
    assert "Attach an image for the first frame, or make it 16:9." in str(err.value)
    resolved = catalog.resolve("hailuo-2.3", aspect="9:16", references=1)
    assert (resolved.width, resolved.height) == (768, 1366)


def test_sound_is_checked_against_the_model(catalog: Catalog) -> None:
    with pytest.raises(InvalidRequest) as err:
        catalog.resolve("runway-gen-4.5", audio=True)
    assert "Runway Gen-4.5 makes silent videos." in str(err.value)
    assert "seedance-2.0" in str(err.value)

    spec = catalog.get("sora-2").model_copy(update={"available": True})
    always = Catalog([*catalog.all()[:1], spec]).resolve("sora-2", audio=False)
    assert always.audio is True and "Sora 2 always adds sound" in always.notice


def test_an_unknown_model_names_the_ones_that_exist(catalog: Catalog) -> None:
    with pytest.raises(InvalidRequest) as err:
        catalog.resolve("sora-9")
    assert "There is no model called 'sora-9'. Did you mean sora-2?" in str(err.value)
    assert "veo-3.1" in str(err.value)


def test_output_sizes_follow_the_model(catalog: Catalog) -> None:
    hailuo = catalog.resolve("hailuo-2.3")
    assert (hailuo.resolution, hailuo.width, hailuo.height) == ("768p", 1366, 768)
    sora = catalog.get("sora-2-pro")
    assert sora.frame("16:9", "1024p") == (1792, 1024)
    assert sora.frame("9:16", "720p") == (720, 1280)
    kling = catalog.resolve("kling-v3-omni", aspect="1:1")
    assert (kling.width, kling.height) == (1080, 1080)


# --- prices -------------------------------------------------------------------------------------------------


def test_the_estimate_is_seconds_times_the_price_for_resolution_and_sound(catalog: Catalog) -> None:
    assert catalog.resolve("veo-3.1", duration_s=8).estimated_cost_usd == pytest.approx(3.20)
    assert catalog.resolve("veo-3.1", duration_s=8, audio=False).estimated_cost_usd == pytest.approx(1.60)
    assert catalog.resolve("veo-3.1-fast", duration_s=8).estimated_cost_usd == pytest.approx(1.20)
    assert catalog.resolve("kling-v3-omni", duration_s=10, resolution="1080p", audio=True).estimated_cost_usd == (
        pytest.approx(2.80)
    )
    assert catalog.resolve("kling-v3-omni", duration_s=10, resolution="720p").estimated_cost_usd == (
        pytest.approx(1.68)
    )
    sora = catalog.get("sora-2-pro")
    assert sora.cost(8, "1024p") == pytest.approx(4.00) and sora.cost(8, "720p") == pytest.approx(2.40)
    assert catalog.get("draft").cost(8, "720p") == 0 and not catalog.get("draft").paid
    assert all(m.paid for m in catalog.all() if m.provider == "replicate")


def test_prices_read_as_a_user_reads_them(catalog: Catalog) -> None:
    assert catalog.get("veo-3.1").price_text() == "$0.20/s, $0.40/s with audio"
    assert catalog.get("kling-v3-omni").price_text().startswith("$0.168/s at 720p, $0.224/s at 720p with audio")
    assert catalog.get("runway-gen-4.5").price_text() == "about $0.12/s"


# --- data and cache -----------------------------------------------------------------------------------------


def test_the_catalog_data_is_consistent() -> None:
    for spec in builtin_models():
        assert spec.default_duration in spec.durations, spec.id
        assert spec.default_aspect in spec.aspects, spec.id
        assert spec.default_resolution in spec.resolutions, spec.id
        assert spec.audio in spec.audio_options, spec.id
        assert spec.typical_wait_s > 0 and spec.tier in ("budget", "standard", "premium")
        for aspect in spec.aspects:
            for res in spec.resolutions:
                w, h = spec.frame(aspect, res)
                assert w % 2 == 0 and h % 2 == 0
        for res in spec.resolutions:
            assert spec.price(res) > 0, (spec.id, res)


def test_build_catalog_applies_the_schema_cache_from_the_data_folder(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, replicate_api_token="r8_test")
    cache = cache_path(settings.data_dir)
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text(
        json.dumps(
            {
                "version": 1,
                "models": {
                    "sora-2-pro": {"fields": {"available": True, "durations": [4, 8, 12, 16, 20]}},
                    "veo-3.1": {"fields": {"available": False, "notice": "Replicate no longer lists it."}},
                    "hailuo-2.3": {"fields": {"durations": "not a list"}},
                },
            }
        )
    )

    catalog = build_catalog(settings)

    assert catalog.get("sora-2-pro").available and catalog.get("sora-2-pro").durations[-1] == 20
    assert not catalog.get("veo-3.1").available
    assert catalog.get("hailuo-2.3").durations == [6, 10]  # an unusable cache entry is ignored
    assert catalog.resolve("sora-2-pro", duration_s=20).estimated_cost_usd == pytest.approx(6.0)


def test_a_broken_cache_file_is_ignored(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, replicate_api_token="r8_test")
    cache_path(settings.data_dir).parent.mkdir(parents=True, exist_ok=True)
    cache_path(settings.data_dir).write_text("{not json")

    assert build_catalog(settings).get("veo-3.1").durations == [4, 6, 8]
