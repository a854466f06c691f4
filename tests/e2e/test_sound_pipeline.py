"""A video with a voice-over through the real job pipeline, by the REST API: the offline voice on a free draft
(its captions stored as SRT and WebVTT and downloadable, the video's sound at social loudness), and a premium
voice on the fake Replicate (priced with the video, confirmed, ONE text-to-speech prediction, mixed in)."""

from __future__ import annotations

import asyncio
import io
import re

import av
import httpx
import numpy as np
import pyloudnorm
import pysubs2
import pytest

from campaign.settings import Settings
from tests.conftest import bearer, png_bytes
from tests.e2e.chainlit_server import app_client
from tests.fakes.asr import in_order, transcribe
from tests.fakes.replicate_server import FakeReplicate, replicate_settings
from tools.jobs.soundfiles import samples_of
from tools.sound.speech import SPEECH_RATE, VoiceScript
from tools.sound.spoken import spoken as said_as
from tools.sound.voices import find_voice

BRIEF = (
    'A 15 second product showcase of the Aero desk lamp with a voice-over. Headline "Light that follows you". '
    "Only $99. Shop now"
)


async def _finished(api: httpx.AsyncClient, job_id: str) -> dict:
    """The job once it has ended (waited for on the studio, read back by the API)."""
    from chat import runtime

    studio = runtime.services().studio
    await studio.jobs.wait(await studio.accounts.cli_actor("alice"), job_id)
    return (await api.get(f"/api/jobs/{job_id}")).json()


def _sound_of(video: bytes) -> tuple[np.ndarray, int]:
    """The video's sound track decoded: samples (frames x channels) as float and its rate."""
    chunks: list[np.ndarray] = []
    with av.open(io.BytesIO(video), "r") as container:
        stream = container.streams.audio[0]
        rate = stream.codec_context.sample_rate
        resampler = av.AudioResampler(format="fltp", layout="stereo", rate=rate)
        for frame in container.decode(stream):
            chunks += [f.to_ndarray() for f in resampler.resample(frame)]
    return np.concatenate(chunks, axis=1).T, rate


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9$]+", text.lower())


async def test_an_offline_product_ad_with_a_voice_over_has_captions_and_social_loudness(
    api: httpx.AsyncClient,
) -> None:
    photo = await api.post("/api/references", files={"file": ("lamp.png", png_bytes((480, 480)), "image/png")})
    asked = await api.post("/api/video/generate", json={"prompt": BRIEF, "duration_s": 15, "aspect": "9:16",
                                                         "references": [photo.json()["key"]]})  # fmt: skip
    assert asked.status_code == 202, asked.text
    submitted = asked.json()
    assert submitted["status"] == "queued" and submitted["estimated_cost_usd"] == 0  # the offline voice is free
    assert submitted["voice_name"] == "Joe" and submitted["sound"]["captions"]
    script = submitted["sound"]["script"]["lines"]
    assert script and "light that follows you" in " ".join(line["text"] for line in script).lower()

    job = await _finished(api, submitted["job_id"])
    assert job["status"] == "succeeded", job
    creative = (await api.get(f"/api/creatives/{job['creative_id']}")).json()
    sound = creative["sound"]
    assert sound["voice"] == "joe" and sound["lines"] and sound["voice_key"]

    srt = await api.get(creative["captions_srt_url"])
    vtt = await api.get(creative["captions_vtt_url"])
    assert srt.status_code == vtt.status_code == 200 and vtt.text.startswith("WEBVTT")
    cues = pysubs2.SSAFile.from_string(srt.text, format_="srt")
    spoken = [w for line in sound["lines"] for w in _words(line["text"])]
    assert [w for cue in cues for w in _words(cue.plaintext)] == spoken  # every word, in order
    first = sound["lines"][0]
    assert abs(cues[0].start / 1000 - first["start"]) <= 0.3 and cues[-1].end / 1000 <= creative["duration_s"] + 0.3

    video = (await api.get(creative["url"])).content
    samples, rate = await asyncio.to_thread(_sound_of, video)  # off the loop the app's runners share
    measured = pyloudnorm.Meter(rate).integrated_loudness(samples)
    assert abs(measured + 14) <= 1, measured
    assert abs(sound["lufs"] + 14) <= 1 and sound["true_peak_dbtp"] <= -1 and sound["target_lufs"] == -14
    voiced = samples[int(first["start"] * rate) : int(first["end"] * rate)]
    assert np.sqrt(np.mean(voiced**2)) > 0.01, "the voice is heard where its first line is"

    from chat import runtime

    stored = runtime.services().studio.library.storage.local_path(sound["voice_key"])
    assert stored is not None
    # What the voice says ("$99" is "99 dollars", "aero.com" "aero dot com"), in words a listener can write down,
    # heard line by line (the music between lines is no words) in the video's own sound and in the voice alone.
    said = [w for line in sound["lines"] for w in re.findall(r"[a-z]+", said_as(line["text"]).lower())]
    lines = [(round(line["start"] * rate), round((line["end"] + 0.15) * rate)) for line in sound["lines"]]
    voice = samples_of(stored.read_bytes())
    mixed = [w for a, b in lines for w in await asyncio.to_thread(transcribe, samples[a:b], rate)]
    alone = [w for a, b in lines for w in await asyncio.to_thread(transcribe, voice[a:b], SPEECH_RATE)]
    print(
        f"offline ad: {measured:.2f} LUFS measured, stored {sound['lufs']} LUFS, true peak "
        f"{sound['true_peak_dbtp']} dBTP; first cue at {cues[0].start / 1000:.2f} s, its line at "
        f"{first['start']:.2f} s\nsaid:  {' '.join(said)}\nheard in the ad:  {' '.join(mixed)} "
        f"({in_order(said, mixed):.0%})\nheard in the voice alone:  {' '.join(alone)} ({in_order(said, alone):.0%})"
    )
    # pocketsphinx is a small recogniser: it hears about half of Piper's words, in order (38 to 68% over takes)
    assert in_order(said, mixed) >= 0.3 and in_order(said, alone) >= 0.3
    other = [
        "the",
        "ocean",
        "breeze",
        "carries",
        "warm",
        "coffee",
        "to",
        "the",
        "garden",
        "window",
    ]  # words nobody said
    assert in_order(other, mixed) < 0.3 and in_order(list(reversed(said)), mixed) < in_order(said, mixed)


async def test_a_premium_voice_is_priced_confirmed_made_once_and_mixed(
    fake_replicate: FakeReplicate, settings: Settings
) -> None:
    from chat import runtime

    paid = replicate_settings(fake_replicate, settings.data_dir)
    async with app_client(paid) as api:
        studio = runtime.services().studio
        await studio.accounts.add("alice", team="acme", password="alice-password")
        api.headers.update(await bearer(studio, "alice"))
        asked = await api.post("/api/video/generate", json={"prompt": BRIEF, "model": "draft", "duration_s": 8,
                                                             "aspect": "1:1", "voice": "hazel"})  # fmt: skip
        assert asked.status_code == 202, asked.text
        submitted = asked.json()
        hazel = find_voice("hazel")
        script = VoiceScript.model_validate(submitted["sound"]["script"])
        assert submitted["status"] == "awaiting_confirmation" and submitted["voice_name"] == "Hazel"
        assert submitted["voice_cost_usd"] == hazel.cost(script) > 0
        assert submitted["estimated_cost_usd"] == pytest.approx(submitted["voice_cost_usd"])  # the draft is free
        assert fake_replicate.speeches() == []  # nothing is spoken, or paid, before the price is confirmed

        confirmed = await api.post(f"/api/jobs/{submitted['job_id']}/confirm")
        assert confirmed.status_code == 200, confirmed.text
        job = await _finished(api, submitted["job_id"])
        assert job["status"] == "succeeded", job
        [spoken] = fake_replicate.speeches()  # ONE prediction for the whole script
        assert spoken["model"] == hazel.model and spoken["input"]["voice_id"] == hazel.voice_id
        assert job["prediction_id"] is None  # the draft made the video: no video prediction
        assert (await studio.store.job(job["id"])).voice_prediction_id == spoken["id"]  # a restart follows it

        creative = (await api.get(f"/api/creatives/{job['creative_id']}")).json()
        assert creative["actual_cost_usd"] == pytest.approx(submitted["voice_cost_usd"])
        sound = creative["sound"]
        assert sound["voice"] == "hazel" and len(sound["lines"]) == len(script.lines) and sound["voice_key"]
        samples, rate = await asyncio.to_thread(_sound_of, (await api.get(creative["url"])).content)
        first = sound["lines"][0]
        voiced = samples[int(first["start"] * rate) : int(first["end"] * rate)]
        assert np.sqrt(np.mean(voiced**2)) > 0.01, "the voice is in the video's sound"
        assert abs(sound["lufs"] + 14) <= 1 and sound["true_peak_dbtp"] <= -1
