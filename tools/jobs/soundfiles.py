"""A creative's sound files beside its video: the voice-over alone (`voice.flac`, so another format of the video is
mixed again without paying for the voice again) and, with captions on, its captions as SubRip and WebVTT files
(`captions.srt`, `captions.vtt`) for the platforms that take them apart from the picture. And a job's premium
voice as Replicate made it (`jobs/<id>/voice.flac`), kept the moment it is spoken: Replicate removes its audio
after about an hour, and a job may need it later (a fallback offer confirmed, a restart)."""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
from dataclasses import dataclass

import av
import numpy as np

from campaign.errors import ClapboardError, StorageFailed
from campaign.storage import BlobStorage, read_all
from tools.sound.captions import srt, vtt
from tools.sound.speech import SPEECH_RATE, CreativeSound, Speech

VOICE_FILE, SRT_FILE, VTT_FILE = "voice.flac", "captions.srt", "captions.vtt"
SRT_TYPE, VTT_TYPE = "application/x-subrip", "text/vtt"
_FRAME = 4096  # samples per encoded frame

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SoundKeys:
    """Where a creative's sound files were stored (None: not stored)."""

    voice_key: str | None = None
    srt_key: str | None = None
    vtt_key: str | None = None

    def keys(self) -> list[str]:
        return [k for k in (self.voice_key, self.srt_key, self.vtt_key) if k]


def flac_of(samples: np.ndarray) -> bytes:
    """Mono float32 samples at SPEECH_RATE as a FLAC file (lossless, about half a WAV's size)."""
    pcm = (np.clip(samples, -1.0, 1.0) * 32767).astype(np.int16)
    out = io.BytesIO()
    with av.open(out, "w", format="flac") as container:
        stream = container.add_stream("flac", rate=SPEECH_RATE, layout="mono")
        for at in range(0, len(pcm), _FRAME):
            frame = av.AudioFrame.from_ndarray(pcm[None, at : at + _FRAME], format="s16", layout="mono")
            frame.sample_rate = SPEECH_RATE
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return out.getvalue()


def samples_of(flac: bytes) -> np.ndarray:
    """A stored voice file's samples: mono float32 at SPEECH_RATE."""
    resampler = av.AudioResampler(format="flt", layout="mono", rate=SPEECH_RATE)
    chunks: list[np.ndarray] = []
    with av.open(io.BytesIO(flac), "r") as container:
        for frame in container.decode(audio=0):
            chunks += [f.to_ndarray().reshape(-1) for f in resampler.resample(frame)]
    chunks += [f.to_ndarray().reshape(-1) for f in resampler.resample(None)]
    return np.concatenate(chunks).astype(np.float32) if chunks else np.zeros(0, np.float32)


async def store_sound(storage: BlobStorage, key_prefix: str, speech: Speech, captions: bool) -> SoundKeys:
    """Store the voice-over alone and, when `captions`, its SRT and VTT files under `key_prefix`; their keys.
    Raises StorageFailed when storage refuses one (those stored are removed)."""
    prefix = key_prefix.strip("/")
    flac = await asyncio.to_thread(flac_of, speech.samples)
    files = [(f"{prefix}/{VOICE_FILE}", flac, "audio/flac")]
    if captions and speech.lines:
        files += [(f"{prefix}/{SRT_FILE}", srt(speech.lines).encode(), SRT_TYPE),
                  (f"{prefix}/{VTT_FILE}", vtt(speech.lines).encode(), VTT_TYPE)]  # fmt: skip
    stored: list[str] = []
    try:
        for key, data, content_type in files:
            await storage.put(key, data, content_type)
            stored.append(key)
    except BaseException:
        for key in stored:
            await asyncio.shield(_forget(storage, key))
        raise
    named = dict(zip((VOICE_FILE, SRT_FILE, VTT_FILE), stored + [None] * (3 - len(stored)), strict=True))
    return SoundKeys(named[VOICE_FILE], named[SRT_FILE], named[VTT_FILE])


async def stored_speech(storage: BlobStorage, sound: CreativeSound) -> Speech:
    """The voice-over a creative was made with, from its stored voice file: reused by its other formats, which
    are mixed again without paying for the voice again. Raises StorageFailed when it cannot be read."""
    try:
        flac = await read_all(storage, sound.voice_key or "")
        samples = await asyncio.to_thread(samples_of, flac)
    except ClapboardError:
        raise
    except Exception as exc:  # a file PyAV cannot decode
        raise StorageFailed(
            "The original video's voice-over could not be read.", hint="Ask for this format as a new video."
        ) from exc
    return Speech(samples=samples, lines=list(sound.lines), voice=sound.voice or "")


def job_voice_key(job_id: str) -> str:
    """Where a job's premium voice is kept until the job has made its creative."""
    return f"jobs/{job_id}/{VOICE_FILE}"


async def keep_job_voice(storage: BlobStorage, job_id: str, samples: np.ndarray) -> None:
    """Keep a job's premium voice the moment it is spoken. A refusal is logged, not raised: the voice is in hand
    and the job goes on (its prediction is still followed within the hour)."""
    try:
        await storage.put(job_voice_key(job_id), await asyncio.to_thread(flac_of, samples), "audio/flac")
    except ClapboardError as exc:
        log.warning("job %s: its voice-over could not be kept (%s)", job_id, exc)


async def kept_job_voice(storage: BlobStorage, job_id: str) -> np.ndarray | None:
    """A job's premium voice as kept (`keep_job_voice`), None when none was kept or it cannot be read."""
    key = job_voice_key(job_id)
    try:
        if not await storage.exists(key):
            return None
        return await asyncio.to_thread(samples_of, await read_all(storage, key))
    except Exception as exc:  # a storage error, a file PyAV cannot decode: the voice comes from its prediction
        log.warning("job %s: its kept voice-over could not be read (%s)", job_id, exc)
        return None


async def _forget(storage: BlobStorage, key: str) -> None:
    with contextlib.suppress(ClapboardError):
        await storage.delete(key)
