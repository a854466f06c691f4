"""The Replicate engine against the fake Replicate API: what the user reads, what is stored, what is sent."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path
from typing import Any

import httpx
import pytest
import replicate
from PIL import Image
from pydantic.v1 import ValidationError as PydanticV1ValidationError

from campaign.errors import InvalidRequest, ModelUnavailable, ProviderFailed, ProviderUnreachable
from campaign.storage import BlobStorage, build_storage
from tests.conftest import png_bytes
from tests.fakes.replicate_server import FakeReplicate, replicate_settings
from tools.engines.base import Reference, RenderJob
from tools.engines.registry import build_catalog
from tools.engines.replicate.client import parse_duration_s
from tools.engines.replicate.errors import clean_provider_text
from tools.engines.replicate.run import ReplicateEngine
from tools.media import probe
from tools.references import ReferenceIntake
from tools.retry import retry_after_s


class Progress:
    def __init__(self) -> None:
        self.seen: list[tuple[float, str]] = []

    async def __call__(self, fraction: float, message: str) -> None:
        self.seen.append((fraction, message))

    def messages(self) -> list[str]:
        return [m for _, m in self.seen]


class Sleeps:
    """Records every wait the engine asks for, and waits only a moment."""

    def __init__(self) -> None:
        self.asked: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.asked.append(seconds)
        await asyncio.sleep(0)


def make_job(catalog: Any, model: str, references: list[Reference] | None = None, **options: Any) -> RenderJob:
    spec = catalog.get(model)
    if not spec.available:  # Sora is unavailable by default; the engine renders what it is given
        spec = spec.model_copy(update={"available": True})
        catalog._models[spec.id] = spec
    resolved = catalog.resolve(spec.id, references=len(references or []), **options)
    return RenderJob.of(
        "job-1",
        resolved,
        brief="A 4 second teaser of the Aurora X2 headphones, price $249",
        prompt="The Aurora X2 headphones turning slowly on a pedestal, price $249",
        references=list(references or []),
    )


@pytest.fixture
def env(fake_replicate: FakeReplicate, tmp_path: Path) -> Any:
    fake_replicate.output_scale = 1  # the engine's tests check the file is the one Replicate made, at its size
    settings = replicate_settings(fake_replicate, tmp_path / "data")
    storage = build_storage(settings)

    class Env:
        fake = fake_replicate
        catalog = build_catalog(settings)

        def __init__(self) -> None:
            self.settings = settings
            self.storage: BlobStorage = storage
            self.dest = tmp_path / "work" / "out.mp4"
            self.progress = Progress()
            self.sleeps = Sleeps()

        def engine(self, **kwargs: Any) -> ReplicateEngine:
            kwargs.setdefault("sleep", self.sleeps)
            return ReplicateEngine(self.settings, self.storage, **kwargs)

        async def render(self, job: RenderJob, **kwargs: Any) -> Any:
            return await self.engine(**kwargs).render(job, self.dest, self.progress)

        async def reference(self, size: tuple[int, int] = (640, 480)) -> Reference:
            return await ReferenceIntake(self.settings, self.storage).from_bytes(png_bytes(size), "logo.png")

    return Env()


# --- success ------------------------------------------------------------------------------------------------


async def test_a_finished_video_is_streamed_to_dest_and_the_prediction_recorded(env: Any) -> None:
    job = make_job(env.catalog, "veo-3.1", duration_s=4, aspect="9:16", resolution="720p", audio=False)

    outcome = await env.render(job)

    info = probe(env.dest)
    assert (info.codec, info.width, info.height) == ("h264", 720, 1280)
    assert info.duration_s == pytest.approx(4, abs=0.6)
    assert not list(env.dest.parent.glob("*.part"))
    [create] = env.fake.creates()
    assert outcome.provider_job_id in env.fake.predictions
    assert outcome.predict_time_s == pytest.approx(42.5)
    assert outcome.actual_cost_usd == pytest.approx(0.80)  # $0.20/s without sound, times 4 s
    assert create.path == "/v1/models/google/veo-3.1/predictions"
    assert create.headers["cancel-after"] == "30m"
    assert create.headers["authorization"] == f"Bearer {env.fake.token}"
    assert "prefer" not in create.headers  # no blocking wait on a minutes-long video
    assert create.json["input"] == {
        "prompt": job.prompt,
        "duration": 4,
        "aspect_ratio": "9:16",
        "resolution": "720p",
        "generate_audio": False,
    }
    assert any("Rendering on Veo 3.1" in m for m in env.progress.messages())
    assert env.progress.messages()[-1] == "Video copied from Replicate"


async def test_the_actual_cost_is_the_per_second_price_for_resolution_and_sound(env: Any) -> None:
    job = make_job(env.catalog, "kling-v3-omni", duration_s=10, resolution="720p", audio=True)

    outcome = await env.render(job)

    assert outcome.actual_cost_usd == pytest.approx(2.24)  # $0.224/s at 720p with sound
    sent = env.fake.creates()[0].json["input"]
    assert sent["mode"] == "standard" and sent["generate_audio"] is True and sent["duration"] == 10
    assert probe(env.dest).duration_s == pytest.approx(10, abs=0.6)


async def test_replicate_base_url_from_the_environment_is_honoured(
    fake_replicate: FakeReplicate,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("REPLICATE_BASE_URL", fake_replicate.base_url)
    fake_replicate.output_scale = 1
    settings = replicate_settings(fake_replicate, tmp_path, replicate_base_url=None)
    catalog = build_catalog(settings)
    job = make_job(catalog, "hailuo-2.3")

    await ReplicateEngine(settings, build_storage(settings)).render(job, tmp_path / "v.mp4", Progress())

    assert probe(tmp_path / "v.mp4").width == 1366
    assert fake_replicate.creates()[0].json["input"]["resolution"] == "768p"


async def test_a_cold_start_waits_and_says_so(env: Any) -> None:
    env.fake.set_scenario("runwayml/gen-4.5", "slow", starting_polls=4)
    job = make_job(env.catalog, "runway-gen-4.5", aspect="1:1")

    await env.render(job)

    assert "Waiting for Runway Gen-4.5 to start on Replicate" in env.progress.messages()
    assert probe(env.dest).width == 720 and probe(env.dest).height == 720
    assert len(env.fake.polls()) >= 5
    waits = env.sleeps.asked
    assert max(waits) > min(waits)  # polling backs off
    assert max(waits) <= env.settings.replicate_poll_s * 4 * 1.2  # and stays capped


async def test_the_token_goes_only_to_replicate_s_own_hosts(env: Any) -> None:
    job = make_job(env.catalog, "veo-3.1-fast", duration_s=4)
    await env.render(job)
    [same_host] = env.fake.find("GET", r"/delivery/.*")
    assert same_host.headers["authorization"] == f"Bearer {env.fake.token}"  # the API host itself

    env.fake.output_base_url = env.fake.base_url.replace("127.0.0.1", "localhost")  # another host
    env.dest.unlink()
    await env.render(job)

    other_host = env.fake.find("GET", r"/delivery/.*")[-1]
    assert other_host.headers["host"].startswith("localhost")
    assert "authorization" not in other_host.headers
    assert probe(env.dest).codec == "h264"


# --- references ---------------------------------------------------------------------------------------------


async def test_sora_gets_its_reference_as_a_first_frame_of_the_output_size_uploaded_to_replicate(
    env: Any,
) -> None:
    ref = await env.reference((800, 800))
    job = make_job(env.catalog, "sora-2-pro", [ref], duration_s=8, aspect="16:9", resolution="1024p")

    await env.render(job)

    sent = env.fake.creates()[0].json["input"]
    assert sent["seconds"] == 8 and sent["aspect_ratio"] == "landscape" and sent["resolution"] == "high"
    uploaded = env.fake.file_for_url(sent["input_reference"])
    assert uploaded is not None, "the reference must be a Replicate file URL, never a local path"
    data, content_type, _ = uploaded
    with Image.open(io.BytesIO(data)) as image:
        assert image.size == (1792, 1024)
    assert content_type == "image/jpeg"
    assert len(env.fake.find("POST", "/v1/files")) == 1


async def test_veo_takes_two_references_as_first_and_last_frame(env: Any) -> None:
    first, last = await env.reference((1280, 720)), await env.reference((300, 200))
    job = make_job(env.catalog, "veo-3.1", [first, last], duration_s=6)

    await env.render(job)

    sent = env.fake.creates()[0].json["input"]
    assert "reference_images" not in sent
    for field in ("image", "last_frame"):
        data, _, _ = env.fake.file_for_url(sent[field])
        with Image.open(io.BytesIO(data)) as image:
            assert image.size == (1920, 1080)


async def test_veo_takes_three_references_as_subject_images_at_16_9_and_8_s(env: Any) -> None:
    refs = [await env.reference((500 + i, 400)) for i in range(3)]
    job = make_job(env.catalog, "veo-3.1", refs, duration_s=8, aspect="16:9")

    await env.render(job)

    sent = env.fake.creates()[0].json["input"]
    assert "image" not in sent and len(sent["reference_images"]) == 3
    sizes = []
    for url in sent["reference_images"]:
        data, _, _ = env.fake.file_for_url(url)
        with Image.open(io.BytesIO(data)) as image:
            sizes.append(image.size)
    assert sorted(sizes) == [(500, 400), (501, 400), (502, 400)]  # subject images are not cropped


async def test_kling_names_its_reference_images_in_the_prompt(env: Any) -> None:
    refs = [await env.reference() for _ in range(2)]
    job = make_job(env.catalog, "kling-v3-omni", refs, duration_s=5)

    await env.render(job)

    sent = env.fake.creates()[0].json["input"]
    assert len(sent["reference_images"]) == 2
    assert sent["prompt"].startswith(job.prompt)
    assert "<<<image_1>>>" in sent["prompt"] and "<<<image_2>>>" in sent["prompt"]


async def test_on_s3_replicate_reads_the_reference_from_our_bucket(
    fake_replicate: FakeReplicate,
    s3_storage: Any,
    tmp_path: Path,
) -> None:
    settings = replicate_settings(fake_replicate, tmp_path)
    catalog = build_catalog(settings)
    ref = await ReferenceIntake(settings, s3_storage).from_bytes(png_bytes((900, 600)), "shot.png")
    job = make_job(catalog, "hailuo-2.3", [ref], aspect="9:16")

    await ReplicateEngine(settings, s3_storage).render(job, tmp_path / "v.mp4", Progress())

    url = fake_replicate.creates()[0].json["input"]["first_frame_image"]
    assert "X-Amz-Signature=" in url and not fake_replicate.find("POST", "/v1/files")
    async with httpx.AsyncClient() as http:
        fetched = await http.get(url)
    with Image.open(io.BytesIO(fetched.content)) as image:
        assert image.size == (768, 1366)  # fitted to the 9:16 first frame


# --- failures the fallback handles --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scenario", "expected"),
    [
        ("failed", "Veo 3.1 failed on Replicate: the machine running it on Replicate had a hardware (GPU) error"),
        ("canceled", "Veo 3.1 was canceled on Replicate before it finished"),
        ("aborted", "Replicate never started Veo 3.1"),
        ("data_removed", "Replicate had already removed the video"),
        ("output_gone", "Replicate had already removed the video"),
        ("create_error", "Replicate had a server error (500)"),
    ],
)
async def test_provider_failures_move_to_the_fallback_and_say_why(env: Any, scenario: str, expected: str) -> None:
    env.fake.set_scenario("google/veo-3.1", scenario)
    job = make_job(env.catalog, "veo-3.1", duration_s=4)

    with pytest.raises(ProviderFailed) as err:
        await env.render(job)

    assert err.value.user_input is False
    assert expected in str(err.value)
    assert not env.dest.exists()
    assert env.catalog.get("veo-3.1").fallback == "kling-v3-omni"


async def test_aborted_is_a_status_the_1_0_7_client_cannot_parse(env: Any) -> None:
    """Why the engine reads raw JSON: the client's own Prediction model rejects `aborted`."""
    env.fake.set_scenario("*", "aborted")
    client = replicate.Client(api_token=env.fake.token, base_url=env.fake.base_url)
    prediction = client.models.predictions.create("google/veo-3.1", input={"prompt": "x"})
    prediction.reload()
    with pytest.raises(PydanticV1ValidationError):
        prediction.reload()

    with pytest.raises(ProviderFailed, match="aborted, so nothing was charged"):
        await env.render(make_job(env.catalog, "veo-3.1"))


async def test_a_create_that_failed_on_the_server_is_not_sent_again(env: Any) -> None:
    env.fake.set_scenario("*", "create_error", status=502)

    with pytest.raises(ProviderFailed, match=r"server error \(502\)"):
        await env.render(make_job(env.catalog, "seedance-2.0"))

    assert len(env.fake.creates()) == 1


async def test_past_the_deadline_the_prediction_is_canceled(env: Any) -> None:
    env.fake.set_scenario("*", "stuck")
    env.settings.replicate_deadline_s = 0.3

    with pytest.raises(ProviderFailed) as err:
        await env.render(make_job(env.catalog, "veo-3.1-fast"), sleep=asyncio.sleep)

    assert "Veo 3.1 Fast did not finish within 0.3 seconds, so Clapboard canceled it on Replicate" in str(err.value)
    assert err.value.user_input is False
    [cancel] = env.fake.cancels()
    pid = cancel.path.split("/")[3]
    assert env.fake.predictions[pid].body["status"] == "canceled"


async def test_a_stopped_render_leaves_its_prediction_for_the_next_runner_to_follow(env: Any) -> None:
    env.fake.set_scenario("*", "hold")
    recorded: list[str] = []

    async def record(prediction_id: str) -> None:
        recorded.append(prediction_id)

    job = make_job(env.catalog, "veo-3.1", duration_s=4)
    job.record_prediction = record
    task = asyncio.create_task(env.render(job, sleep=asyncio.sleep))
    while len(env.fake.polls()) < 2:
        await asyncio.sleep(0.01)
    task.cancel()  # a restart, a deploy: nobody asked to stop paying for it
    with pytest.raises(asyncio.CancelledError):
        await task
    [pid] = recorded
    assert env.fake.cancels() == [] and env.fake.predictions[pid].body["status"] == "processing"
    assert env.fake.polls()[0].path == f"/v1/predictions/{pid}"  # recorded before the first poll

    env.fake.complete(pid)
    job.prediction_id = pid  # the next runner re-attaches
    outcome = await env.render(job)

    assert outcome.provider_job_id == pid and len(env.fake.creates()) == 1
    assert probe(env.dest).codec == "h264"
    assert "Following the earlier request to Veo 3.1 on Replicate" in env.progress.messages()


async def test_a_prediction_replicate_forgot_is_made_again(env: Any) -> None:
    job = make_job(env.catalog, "veo-3.1", duration_s=4)
    job.prediction_id = "gone0000000000000000"

    outcome = await env.render(job)

    assert outcome.provider_job_id != job.prediction_id and len(env.fake.creates()) == 1


async def test_canceling_a_prediction_stops_it_on_replicate(env: Any) -> None:
    env.fake.set_scenario("*", "hold")
    resp = httpx.post(
        env.fake.url("/v1/models/google/veo-3.1/predictions"),
        json={"input": {"prompt": "a kite", "duration": 4}},
        headers={"Authorization": f"Bearer {env.fake.token}"},
    )
    pid = resp.json()["id"]

    await env.engine().cancel(pid)

    assert env.fake.predictions[pid].body["status"] == "canceled"


@pytest.mark.parametrize(
    ("scenario", "expected"),
    [
        ("model_404", "Veo 3.1 is no longer offered on Replicate (google/veo-3.1 was not found)"),
        ("unauthorized", "Replicate did not accept Clapboard's access"),
        ("no_credit", "The Replicate account has run out of credit"),
    ],
)
async def test_an_unusable_model_is_unavailable(env: Any, scenario: str, expected: str) -> None:
    env.fake.set_scenario("*" if scenario == "unauthorized" else "google/veo-3.1", scenario)

    with pytest.raises(ModelUnavailable) as err:
        await env.render(make_job(env.catalog, "veo-3.1"))

    assert expected in str(err.value)
    assert env.fake.token not in str(err.value)


async def test_without_a_token_replicate_models_are_unavailable(env: Any) -> None:
    env.settings.replicate_api_token = None

    with pytest.raises(ModelUnavailable, match="need an API token"):
        await env.render(make_job(env.catalog, "veo-3.1"))

    assert env.fake.requests == []


# --- failures that are the request's own --------------------------------------------------------------------


async def test_a_content_refusal_is_the_users_to_fix_not_a_fallback(env: Any) -> None:
    env.fake.set_scenario("*", "refused")

    with pytest.raises(ProviderFailed) as err:
        await env.render(make_job(env.catalog, "seedance-2.0"))

    assert err.value.user_input is True
    assert "Seedance 2.0 refused to make this video" in str(err.value)
    assert "safety filter flagged" in str(err.value) and "E005" not in str(err.value)
    assert "Rephrase the brief" in str(err.value)


async def test_a_422_says_what_the_model_allows_and_the_nearest_valid_request(env: Any) -> None:
    # The live model changed since the catalog was written: Veo now refuses 6 s.
    schema = env.fake.schemas["google/veo-3.1"]["components"]["schemas"]["Input"]["properties"]
    schema["duration"]["enum"] = [4, 8]
    job = make_job(env.catalog, "veo-3.1", duration_s=6)

    with pytest.raises(InvalidRequest) as err:
        await env.render(job)

    text = str(err.value)
    assert "Veo 3.1 on Replicate refused the request: it no longer makes 6 s videos." in text
    assert "Try 4 s or 8 s." in text
    assert "an administrator can refresh them" in text and "must be one of" not in text
    assert not env.dest.exists()


async def test_a_422_on_an_aspect_names_the_values_in_our_terms(env: Any) -> None:
    env.fake.set_scenario(
        "openai/sora-2",
        "invalid",
        field="aspect_ratio",
        description="aspect_ratio must be one of the following: portrait, landscape",
    )

    with pytest.raises(InvalidRequest) as err:
        await env.render(make_job(env.catalog, "sora-2", aspect="9:16"))

    assert "It takes 9:16, 16:9." in str(err.value)


# --- retries ------------------------------------------------------------------------------------------------


async def test_a_throttled_create_waits_as_retry_after_says_then_goes_on(env: Any) -> None:
    env.fake.set_scenario("*", "throttled", retry_after="1", where="create")

    await env.render(make_job(env.catalog, "veo-3.1-fast", duration_s=4))

    assert len(env.fake.creates()) == 2
    assert 1.0 in env.sleeps.asked
    assert probe(env.dest).codec == "h264"


async def test_throttled_and_failing_polls_are_retried(env: Any) -> None:
    env.fake.set_scenario("google/veo-3.1", "throttled", retry_after="0", where="get", times=2)
    env.fake.set_scenario("minimax/hailuo-2.3", "server_error", times=3)

    await env.render(make_job(env.catalog, "veo-3.1", duration_s=4))
    env.dest.unlink()
    await env.render(make_job(env.catalog, "hailuo-2.3"))

    assert probe(env.dest).codec == "h264"
    assert len(env.fake.creates()) == 2


@pytest.mark.parametrize("proof", ["webhook", "a prompt no other job asked for"])
async def test_an_ambiguous_create_is_looked_up_not_sent_twice(env: Any, proof: str) -> None:
    env.fake.set_scenario("*", "slow_create", delay=1.0)
    job = make_job(env.catalog, "veo-3.1", duration_s=4)
    if proof == "webhook":
        env.settings.public_url = env.fake.base_url  # the prediction's webhook names the job
    else:
        job.prompt_shared = False

    await env.render(job, timeout=httpx.Timeout(5.0, read=0.3))

    assert len(env.fake.creates()) == 1
    assert env.fake.find("GET", "/v1/predictions")  # the lookup by creation time
    assert probe(env.dest).codec == "h264"


async def test_an_ambiguous_create_nothing_proves_ours_is_reported_not_guessed_nor_sent_twice(env: Any) -> None:
    env.fake.set_scenario("*", "slow_create", delay=1.0)
    job = make_job(env.catalog, "veo-3.1", duration_s=4)  # no webhook, and another job may share the prompt
    assert job.prompt_shared

    with pytest.raises(ProviderFailed, match="It was not sent again, so that nothing is paid twice"):
        await env.render(job, timeout=httpx.Timeout(5.0, read=0.3))

    assert len(env.fake.creates()) == 1


async def test_an_unreachable_replicate_is_retried_then_reported(env: Any) -> None:
    env.settings.replicate_base_url = "http://127.0.0.1:9"  # discard port: nothing listens

    with pytest.raises(ProviderUnreachable, match="Replicate cannot be reached right now"):
        await env.render(make_job(env.catalog, "veo-3.1"))

    assert len(env.sleeps.asked) == 4  # five attempts, since none reached the server


# --- helpers ------------------------------------------------------------------------------------------------


def test_cancel_after_and_retry_after_are_read_as_replicate_writes_them() -> None:
    assert parse_duration_s("30m") == 1800
    assert parse_duration_s("1h30m") == 5400
    assert parse_duration_s("30") == 30
    assert parse_duration_s("soon") is None
    assert retry_after_s(httpx.Headers({"Retry-After": "3"})) == 3
    assert retry_after_s(httpx.Headers({"ratelimit-reset": "2"})) == 2
    assert retry_after_s(httpx.Headers({})) is None
    assert retry_after_s(httpx.Headers({"Retry-After": "86400"})) == 60


def test_provider_errors_are_shown_without_tracebacks_or_tokens() -> None:
    text = 'Traceback (most recent call last):\n  File "x.py", line 1\nRuntimeError: bad token r8_abcdefghijkl'
    assert clean_provider_text(text) == "RuntimeError: bad token [redacted]"
    assert len(clean_provider_text("x" * 1000)) == 240


async def test_polls_are_spread_within_the_process_budget() -> None:
    from tools.engines.replicate.hooks import Pacer

    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    pacer = Pacer(rate=10)
    for _ in range(5):  # five predictions due at the same moment
        await pacer.turn(sleep)

    assert len(waits) == 4 and [round(w, 1) for w in waits] == [0.1, 0.2, 0.3, 0.4]
