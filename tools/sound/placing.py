"""A voice's audio made into `Speech`, the same way for every voice: decoded to mono at `SPEECH_RATE`, each
line's clip trimmed of its silence, placed at its line's start (or just after the line before it, when that one
ran long), never past the video's end, and its words timed by their characters across the clip."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

import av
import numpy as np

from campaign.errors import ProviderFailed
from tools.sound.speech import SPEECH_RATE, Speech, SpokenLine, VoiceScript, Word

FRAME_S = 0.01  # the window silence is measured in
SILENT_DB = -40.0  # below the clip's peak: silence
KEEP_S = 0.02  # of silence kept at each end of a trimmed clip
LINE_GAP_S = 0.15  # the least pause after a line that ran past its beat
FADE_S = 0.05  # the fade out of a line cut at the video's end
LEAST_S = 0.25  # a line with less time than this left before the end is not said
PEAK = 10 ** (-1 / 20)  # the loudest sample of a placed track (-1 dBFS): voices come out at full scale or over


def decode(data: bytes | Path) -> np.ndarray:
    """Any audio file PyAV reads (WAV, MP3, FLAC) as mono float32 samples at `SPEECH_RATE`."""
    source = io.BytesIO(data) if isinstance(data, bytes) else str(data)
    try:
        with av.open(source, mode="r") as container:
            resampler = av.AudioResampler(format="flt", layout="mono", rate=SPEECH_RATE)
            chunks = [
                out.to_ndarray().reshape(-1) for frame in container.decode(audio=0) for out in resampler.resample(frame)
            ]
            chunks += [out.to_ndarray().reshape(-1) for out in resampler.resample(None)]
    except (av.FFmpegError, IndexError, ValueError) as exc:
        raise ProviderFailed("The voice-over's audio could not be read.", hint="Try again.") from exc
    return np.concatenate(chunks).astype(np.float32) if chunks else np.zeros(0, np.float32)


def loud_frames(samples: np.ndarray) -> np.ndarray:
    """For each `FRAME_S` window of the samples, whether it is louder than silence (relative to the peak)."""
    size = round(FRAME_S * SPEECH_RATE)
    n = len(samples) // size
    if n == 0:
        return np.zeros(0, bool)
    rms = np.sqrt(np.mean(np.square(samples[: n * size].reshape(n, size), dtype=np.float64), axis=1))
    peak = float(rms.max())
    return rms > max(peak * 10 ** (SILENT_DB / 20), 1e-5)


def trimmed(samples: np.ndarray) -> np.ndarray:
    """The samples without the silence before and after the speech (a little kept at each end)."""
    loud = np.flatnonzero(loud_frames(samples))
    if len(loud) == 0:
        return samples[:0]
    size = round(FRAME_S * SPEECH_RATE)
    keep = round(KEEP_S * SPEECH_RATE)
    return samples[max(0, loud[0] * size - keep) : min(len(samples), (loud[-1] + 1) * size + keep)]


def place(script: VoiceScript, clips: Sequence[np.ndarray], duration_s: float, voice: str) -> Speech:
    """The clips (one per script line, at `SPEECH_RATE`) placed on a track of `duration_s`: each trimmed, at
    its line's start or after the line before it ends, cut with a short fade at the video's end; the track's
    peak at most `PEAK`."""
    total = round(duration_s * SPEECH_RATE)
    track = np.zeros(total, np.float32)
    lines: list[SpokenLine] = []
    free_at = 0.0
    for line, clip in zip(script.lines, clips, strict=True):
        said = trimmed(clip)
        start = max(line.start, free_at)
        first = round(start * SPEECH_RATE)
        if len(said) == 0 or first >= total - round(LEAST_S * SPEECH_RATE):
            continue
        words = spread_words(line.text, start, start + len(said) / SPEECH_RATE)
        if first + len(said) > total:  # cut at the end: fade out instead of a click, and the words cut off go
            said = said[: total - first].copy()
            fade = min(len(said), round(FADE_S * SPEECH_RATE))
            said[len(said) - fade :] *= np.linspace(1.0, 0.0, fade, dtype=np.float32)
            words = [w.model_copy(update={"end": min(w.end, duration_s)}) for w in words if w.start < duration_s]
        track[first : first + len(said)] += said
        end = start + len(said) / SPEECH_RATE
        lines.append(SpokenLine(text=" ".join(w.text for w in words), start=start, end=end, words=words))
        free_at = end + LINE_GAP_S
    peak = float(np.abs(track).max(initial=0.0))
    if peak > PEAK:  # kept below full scale, so the voice alone is stored without clipping
        track *= PEAK / peak
    return Speech(samples=track, lines=lines, voice=voice)


def spread_words(text: str, start: float, end: float) -> list[Word]:
    """The line's words across start..end, each given time by its characters (a space counted with it)."""
    said = text.split()
    if not said:
        return []
    weights = np.array([len(w) + 1 for w in said], float)
    edges = start + (end - start) * np.concatenate([[0.0], np.cumsum(weights)]) / weights.sum()
    return [Word(text=w, start=float(a), end=float(b)) for w, a, b in zip(said, edges[:-1], edges[1:], strict=True)]
