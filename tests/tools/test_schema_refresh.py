"""`clapboard models --refresh`: live Cog schemas reconciled with the catalog, cached, and read back."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from campaign.errors import InvalidRequest, ModelUnavailable
from campaign.settings import Settings
from tests.fakes.http_server import Reply, ScriptedHTTPServer, Seen, endless
from tests.fakes.replicate_server import DEFAULT_SCHEMAS, TOKEN, FakeReplicate, _prop, replicate_settings
from tools.catalog import cache_path
from tools.engines.registry import build_catalog
from tools.engines.replicate.schemas import input_schema, refresh_catalog


def props(fake: FakeReplicate, slug: str) -> dict[str, Any]:
    return fake.schemas[slug]["components"]["schemas"]["Input"]["properties"]


def check(report: Any, model_id: str) -> Any:
    return next(c for c in report.checks if c.id == model_id)


async def test_a_refresh_against_unchanged_models_finds_them_all_and_lists_sora_again(
    fake_replicate: FakeReplicate,
    tmp_path: Path,
) -> None:
    settings = replicate_settings(fake_replicate, tmp_path)

    report = await refresh_catalog(settings)

    assert {c.status for c in report.checks} == {"ok"}
    assert len(fake_replicate.find("GET", r"/v1/models/[^/]+/[^/]+")) == 9
    assert check(report, "veo-3.1").line() == "veo-3.1 (google/veo-3.1): available, matches the catalog"
    assert "listed on Replicate again: marked available" in check(report, "sora-2-pro").changes
    assert Path(report.cache_file) == cache_path(settings.data_dir)
    # the cache is what later catalogs are built from
    assert build_catalog(settings).get("sora-2-pro").available
    assert build_catalog(settings).get("veo-3.1").schema_checked_at == report.refreshed_at


async def test_enums_behind_ref_and_inline_update_the_allowed_values(
    fake_replicate: FakeReplicate,
    tmp_path: Path,
) -> None:
    # Sora's schema keeps its enums behind $ref; OpenAI added 16 and 20 s.
    fake_replicate.schemas["openai/sora-2-pro"]["components"]["schemas"]["seconds"]["enum"] = [
        4,
        8,
        12,
        16,
        20,
    ]
    # Veo's schema has them inline; 6 s went away and 4k came (which Clapboard does not make).
    props(fake_replicate, "google/veo-3.1")["duration"]["enum"] = [4, 8]
    props(fake_replicate, "google/veo-3.1")["resolution"]["enum"] = ["720p", "1080p", "4k"]
    settings = replicate_settings(fake_replicate, tmp_path)

    report = await refresh_catalog(settings)
    catalog = build_catalog(settings)  # the cache applied

    sora = catalog.get("sora-2-pro")
    assert sora.durations == [4, 8, 12, 16, 20]
    assert "durations 4, 8, 12 s -> 4, 8, 12, 16, 20 s" in check(report, "sora-2-pro").changes
    veo = catalog.get("veo-3.1")
    assert veo.durations == [4, 8] and veo.default_duration == 8 and veo.resolutions == ["720p", "1080p"]
    assert "ignores resolution 4k (not supported by Clapboard)" in check(report, "veo-3.1").changes
    with pytest.raises(InvalidRequest) as err:
        catalog.resolve("veo-3.1", duration_s=6)
    assert "Veo 3.1 cannot make a 6 s video; it offers 4, 8 s. Try 4 s or 8 s." in str(err.value)


async def test_model_values_are_read_back_into_ours(
    fake_replicate: FakeReplicate,
    tmp_path: Path,
) -> None:
    props(fake_replicate, "kwaivgi/kling-v3-omni-video")["aspect_ratio"] = _prop(
        "string", 6, enum=["16:9", "9:16", "1:1", "4:3"], default="16:9"
    )
    fake_replicate.schemas["kwaivgi/kling-v3-omni-video"]["components"]["schemas"].pop("aspect_ratio", None)
    fake_replicate.schemas["kwaivgi/kling-v3-omni-video"]["components"]["schemas"]["mode"]["enum"] = ["standard"]

    settings = replicate_settings(fake_replicate, tmp_path)
    await refresh_catalog(settings)
    catalog = build_catalog(settings)  # the cache applied

    kling = catalog.get("kling-v3-omni")
    assert kling.aspects == ["16:9", "9:16", "1:1", "4:3"]
    assert kling.resolutions == ["720p"] and kling.default_resolution == "720p"  # "standard" is our 720p
    seedance = catalog.get("seedance-2.0")
    assert "9:21" in seedance.aspects and "adaptive" not in seedance.aspects
    assert seedance.durations[0] == 4  # a minimum of -1 ("auto") keeps the catalog's lower bound


async def test_inputs_that_disappear_take_their_capability_with_them(
    fake_replicate: FakeReplicate,
    tmp_path: Path,
) -> None:
    del props(fake_replicate, "google/veo-3.1")["reference_images"]
    props(fake_replicate, "kwaivgi/kling-v3-omni-video")["reference_images"]["maxItems"] = 4
    del props(fake_replicate, "google/veo-3.1-fast")["generate_audio"]

    settings = replicate_settings(fake_replicate, tmp_path)
    report = await refresh_catalog(settings)
    catalog = build_catalog(settings)  # the cache applied

    assert "no longer takes reference images ('reference_images')" in check(report, "veo-3.1").changes
    with pytest.raises(InvalidRequest, match="Veo 3.1 takes a first and a last frame; you gave 3"):
        catalog.resolve("veo-3.1", references=3, aspect="16:9", duration_s=8)
    assert catalog.get("kling-v3-omni").max_references == 4
    fast = catalog.get("veo-3.1-fast")
    assert fast.inputs.audio is None and fast.audio_options == [True]


async def test_a_new_required_input_makes_the_model_unavailable(
    fake_replicate: FakeReplicate,
    tmp_path: Path,
) -> None:
    schema = fake_replicate.schemas["minimax/hailuo-2.3"]["components"]["schemas"]["Input"]
    schema["properties"]["style_video"] = _prop("uri", 9)
    schema["required"].append("style_video")

    settings = replicate_settings(fake_replicate, tmp_path)
    report = await refresh_catalog(settings)
    catalog = build_catalog(settings)  # the cache applied

    assert check(report, "hailuo-2.3").status == "unavailable"
    assert "requires style_video" in check(report, "hailuo-2.3").line()
    with pytest.raises(ModelUnavailable, match="now requires style_video"):
        catalog.resolve("hailuo-2.3")


async def test_a_model_that_answers_404_is_shown_as_unavailable_and_falls_back(
    fake_replicate: FakeReplicate,
    tmp_path: Path,
) -> None:
    fake_replicate.remove_model("google/veo-3.1")
    fake_replicate.set_scenario("openai/sora-2", "model_404")
    settings = replicate_settings(fake_replicate, tmp_path)

    report = await refresh_catalog(settings)

    line = check(report, "veo-3.1").line()
    assert line == "veo-3.1 (google/veo-3.1): unavailable, Replicate no longer lists google/veo-3.1."
    assert "Replicate no longer lists openai/sora-2." in check(report, "sora-2").message
    catalog = build_catalog(settings)
    assert not catalog.get("veo-3.1").available
    resolved = catalog.resolve("veo-3.1", duration_s=8, fallback=True)
    assert resolved.model.id == "kling-v3-omni"
    assert "Replicate no longer lists google/veo-3.1. Kling 3 Omni makes this video instead." in resolved.notice


async def test_a_model_that_could_not_be_checked_keeps_what_was_known(
    fake_replicate: FakeReplicate,
    tmp_path: Path,
) -> None:
    settings = replicate_settings(fake_replicate, tmp_path)
    props(fake_replicate, "google/veo-3.1")["duration"]["enum"] = [4, 8]
    await refresh_catalog(settings)
    fake_replicate.set_scenario("google/veo-3.1", "schema_error")
    props(fake_replicate, "google/veo-3.1")["duration"]["enum"] = [8]

    report = await refresh_catalog(settings)
    catalog = build_catalog(settings)  # the cache applied

    assert check(report, "veo-3.1").status == "error"
    assert check(report, "veo-3.1").line().endswith("not checked, Replicate answered 500 (kept as before)")
    assert len(fake_replicate.find("GET", "/v1/models/google/veo-3.1")) == 1 + 3  # the first refresh, 3 tries
    assert catalog.get("veo-3.1").durations == [4, 8]
    saved = json.loads(Path(report.cache_file).read_text())
    assert saved["models"]["veo-3.1"]["fields"]["durations"] == [4, 8]


async def test_a_refused_token_stops_the_refresh_and_writes_nothing(
    fake_replicate: FakeReplicate,
    tmp_path: Path,
) -> None:
    settings = replicate_settings(fake_replicate, tmp_path, replicate_api_token="r8_wrong_token")

    with pytest.raises(ModelUnavailable) as err:
        await refresh_catalog(settings)

    assert "Replicate did not accept Clapboard's access" in str(err.value)
    assert "r8_wrong_token" not in str(err.value)
    assert not cache_path(settings.data_dir).exists()


async def test_without_a_token_there_is_nothing_to_refresh(tmp_path: Path) -> None:
    from tests.conftest import make_settings

    with pytest.raises(ModelUnavailable, match="need an API token"):
        await refresh_catalog(make_settings(tmp_path))


# --- answers the fake does not give: a model page that fails, then works ------------------------------------


def model_page(slug: str, schema: dict[str, Any] | None) -> Reply:
    """Replicate's `GET /v1/models/{owner}/{name}` body; `schema` None: a model with no published version."""
    owner, name = slug.split("/")
    version = {
        "id": "v" * 64,
        "created_at": "2026-10-01T00:00:00.000000Z",
        "cog_version": "0.14.0",
        "openapi_schema": schema,
    }
    body = {
        "url": f"https://replicate.com/{slug}",
        "owner": owner,
        "name": name,
        "description": None,
        "visibility": "public",
        "github_url": None,
        "paper_url": None,
        "license_url": None,
        "run_count": 1,
        "cover_image_url": None,
        "default_example": None,
        "latest_version": version if schema is not None else None,
    }
    return Reply(body=json.dumps(body).encode(), content_type="application/json")


def problem(status: int, **headers: str) -> Reply:
    body = json.dumps({"detail": "Something went wrong", "status": status}).encode()
    return Reply(status=status, body=body, content_type="application/problem+json", headers=headers)


DROPPED = endless(max_chunks=0)  # headers, then the connection closes: an httpx.TransportError


@pytest.fixture
def replicate_pages() -> Iterator[tuple[ScriptedHTTPServer, dict[str, list[Reply]]]]:
    """A server answering every catalog model's page: first the replies scripted for its slug, then the page
    with the fake's default schema."""
    scripts: dict[str, list[Reply]] = {slug: [] for slug in DEFAULT_SCHEMAS}

    def page(slug: str) -> Any:
        def answer(seen: Seen) -> Reply:
            script = scripts[slug]
            return script.pop(0) if script else model_page(slug, copy.deepcopy(DEFAULT_SCHEMAS[slug]))

        return answer

    with ScriptedHTTPServer() as server:
        for slug in DEFAULT_SCHEMAS:
            server.route(f"/v1/models/{slug}", page(slug), method="GET")
        yield server, scripts


def pages_settings(server: ScriptedHTTPServer, data_dir: Path) -> Settings:
    return Settings(
        _env_file=None,
        data_dir=data_dir,
        replicate_api_token=TOKEN,
        replicate_base_url=server.url(""),
        secret_key="test-secret-key-" + "x" * 32,
    )


def gets(server: ScriptedHTTPServer, slug: str) -> int:
    return sum(1 for r in server.requests if r.method == "GET" and r.path == f"/v1/models/{slug}")


async def test_a_model_page_that_fails_for_a_while_is_tried_again_and_checked(
    replicate_pages: tuple[ScriptedHTTPServer, dict[str, list[Reply]]],
    tmp_path: Path,
) -> None:
    server, scripts = replicate_pages
    scripts["google/veo-3.1"] = [problem(500), problem(502)]
    scripts["google/veo-3.1-fast"] = [DROPPED]
    # the replicate client's own transport retries a 429 up to 10 times in all; the 11th answer is ours to retry
    scripts["openai/sora-2"] = [problem(429, **{"Retry-After": "0"}) for _ in range(10)]

    report = await refresh_catalog(pages_settings(server, tmp_path))

    assert check(report, "veo-3.1").line() == "veo-3.1 (google/veo-3.1): available, matches the catalog"
    assert check(report, "veo-3.1-fast").status == "ok"
    assert check(report, "sora-2").status == "ok"
    assert {c.status for c in report.checks} == {"ok"}
    assert gets(server, "google/veo-3.1") == 3
    assert gets(server, "google/veo-3.1-fast") == 2
    assert gets(server, "openai/sora-2") == 11
    assert gets(server, "minimax/hailuo-2.3") == 1


async def test_a_model_page_that_never_answers_is_not_checked_and_keeps_what_was_known(
    replicate_pages: tuple[ScriptedHTTPServer, dict[str, list[Reply]]],
    tmp_path: Path,
) -> None:
    server, scripts = replicate_pages
    settings = pages_settings(server, tmp_path)
    await refresh_catalog(settings)
    scripts["google/veo-3.1"] = [DROPPED] * 3
    scripts["runwayml/gen-4.5"] = [model_page("runwayml/gen-4.5", None)]

    report = await refresh_catalog(settings)

    line = check(report, "veo-3.1").line()
    assert line == (
        "veo-3.1 (google/veo-3.1): not checked, Replicate could not be reached (RemoteProtocolError) (kept as before)"
    )
    assert gets(server, "google/veo-3.1") == 1 + 3
    assert check(report, "runway-gen-4.5").line().endswith("not checked, it has no published schema (kept as before)")
    saved = json.loads(Path(report.cache_file).read_text())
    assert saved["models"]["veo-3.1"]["status"] == "ok" and saved["models"]["runway-gen-4.5"]["status"] == "ok"


def test_cog_inputs_are_read_through_ref_allof_and_anyof() -> None:
    schema = {
        "components": {
            "schemas": {
                "Input": {
                    "required": ["prompt"],
                    "properties": {
                        "prompt": {"type": "string"},
                        "aspect": {"allOf": [{"$ref": "#/components/schemas/aspect"}], "default": "16:9"},
                        "seconds": {"anyOf": [{"$ref": "#/components/schemas/seconds"}, {"type": "null"}]},
                        "image": {"anyOf": [{"type": "string", "format": "uri"}, {"type": "null"}]},
                    },
                },
                "aspect": {"enum": ["16:9", "9:16"], "type": "string"},
                "seconds": {"enum": [4, 8], "type": "integer"},
            }
        }
    }

    found, required = input_schema(schema)

    assert required == ["prompt"]
    assert found["aspect"] == {"default": "16:9", "enum": ["16:9", "9:16"], "type": "string"}
    assert found["seconds"]["enum"] == [4, 8]
    assert found["image"]["format"] == "uri"
