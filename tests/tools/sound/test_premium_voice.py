"""A premium voice on (the fake) Replicate: ONE prediction for the whole script, its id recorded before any wait,
followed again instead of paid twice, its audio split back into lines at the pauses and placed on the beats."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import replicate

from campaign.errors import ModelUnavailable, ProviderFailed
from tests.fakes.replicate_server import SPEECH_CHAR_S, FakeReplicate, replicate_settings
from tools.brief import AdCopy
from tools.engines.replicate.client import make_client
from tools.sound.premium import speak_premium
from tools.sound.script import write_script
from tools.sound.speech import SPEECH_RATE
from tools.sound.spoken import PAUSE, spoken
from tools.sound.voices import find_voice

COPY = AdCopy(
    headline="Meet the Aurora runner",
    tagline="Built for every mile",
    features=["Carbon plate"],
    offer="30% off",
    code="Use code RUN30",
    cta="Shop now",
    website="aurora.run",
)
SCRIPT = write_script(COPY, 15, "product-showcase")


@pytest.fixture
async def client(fake_replicate: FakeReplicate, tmp_path: Path) -> AsyncIterator[replicate.Client]:
    made = make_client(replicate_settings(fake_replicate, tmp_path))
    yield made
    await made._async_client.aclose()


async def test_one_prediction_says_the_script_and_its_lines_land_on_their_beats(
    client: replicate.Client, fake_replicate: FakeReplicate
) -> None:
    voice = find_voice("hazel")
    recorded: list[tuple[str, str]] = []

    async def record(pid: str) -> None:
        recorded.append((pid, fake_replicate.predictions[pid].body["status"]))

    speech = await speak_premium(client, SCRIPT, voice, 15, prediction_id=None, record=record)

    [made] = fake_replicate.speeches()
    assert made["model"] == "minimax/speech-02-hd" and made["input"]["voice_id"] == "Wise_Woman"
    assert made["input"]["text"].count(PAUSE) == len(SCRIPT.lines) - 1
    assert "aurora dot run" in made["input"]["text"]
    assert recorded == [(made["id"], "starting")]  # recorded before the first poll
    assert voice.cost(SCRIPT) == round(len(made["input"]["text"]) * 0.10 / 1000, 4)
    assert len(speech.samples) == 15 * SPEECH_RATE and speech.voice == "hazel"
    assert [line.text for line in speech.lines] == [line.text for line in SCRIPT.lines]
    for said, line in zip(speech.lines, SCRIPT.lines, strict=True):
        assert abs(said.start - line.start) < 0.03
        # each line is its own stretch of the file: as long as the fake says its characters
        assert abs((said.end - said.start) - len(spoken(line.text)) * SPEECH_CHAR_S) < 0.06


async def test_a_recorded_prediction_is_followed_not_paid_again(
    client: replicate.Client, fake_replicate: FakeReplicate
) -> None:
    voice = find_voice("poppy")
    ids: list[str] = []

    async def record(pid: str) -> None:
        ids.append(pid)

    first = await speak_premium(client, SCRIPT, voice, 15, prediction_id=None, record=record)
    again = await speak_premium(client, SCRIPT, voice, 15, prediction_id=ids[0], record=record)

    assert len(fake_replicate.speeches()) == 1 and len(ids) == 1
    assert fake_replicate.speeches()[0]["model"] == "minimax/speech-02-turbo"
    assert [line.start for line in again.lines] == [line.start for line in first.lines]

    await speak_premium(client, SCRIPT, voice, 15, prediction_id="gone-long-ago", record=record)
    assert len(fake_replicate.speeches()) == 2 and len(ids) == 2  # unknown to Replicate: made anew


async def test_a_failed_voice_and_an_account_without_credit_are_clear_errors(
    client: replicate.Client, fake_replicate: FakeReplicate
) -> None:
    async def record(pid: str) -> None:
        return None

    fake_replicate.set_scenario("minimax/speech-02-hd", "failed")
    with pytest.raises(ProviderFailed, match="Hazel voice failed"):
        await speak_premium(client, SCRIPT, find_voice("hazel"), 15, prediction_id=None, record=record)

    fake_replicate.set_scenario("minimax/speech-02-hd", "no_credit")
    with pytest.raises(ModelUnavailable, match="credit"):
        await speak_premium(client, SCRIPT, find_voice("hazel"), 15, prediction_id=None, record=record)
