"""The ad's sound: the music bed, the voice-over and the footage's own sound mixed, the music ducked under the
voice, the true peak limited and the loudness set to the platform's target; and the AAC stream it is written to.

Ducking is a sidechain: the voice's envelope (attack 30 ms, release 300 ms, 20 ms of look-ahead so a word's first
syllable is not covered) lowers the music and the footage's sound by `DUCK_DB` while the voice speaks. Loudness is
ITU-R BS.1770 integrated (meter.py), to the platform's target or the placement's; the true peak is read 4x
oversampled and held `HEADROOM_DB` under the ceiling (-1 dBTP, or the placement's: AAC overshoots a little, the file
stays under it) by a look-ahead limiter, then the gain is set again, so a loud TTS peak costs a little gain
reduction, not clipping. Nothing is measured again for a gain alone (both measures are linear in it): only what the
limiter changed is. Everything is numpy with fixed parameters: identical inputs give identical samples,
and the encoder runs alone in its thread, so identical bytes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import av
import numpy as np

from tools.sound.meter import Blocks, dbtp, loudness, true_peaks
from tools.sound.music import SAMPLE_RATE, Mood, music_bed
from tools.sound.speech import SPEECH_RATE, CreativeSound, Speech
from tools.sound.targets import BROADCAST_LUFS, PEAK_CEILING_DBTP, SOCIAL_LUFS

HEADROOM_DB = 0.6  # the mix's true peaks are held this far under the ceiling: room for AAC's overshoot
VOICE_LUFS = -16.0  # the voice alone, before the mix: 4 LU over the bed
FOOTAGE_LUFS = -20.0  # the footage's own sound under a voice, as loud as a bed
DUCK_DB = 12.0
ATTACK_S, RELEASE_S, LOOKAHEAD_S = 0.03, 0.3, 0.02
FRAME_S = 0.005  # the sidechain's envelope is read every 5 ms
BIT_RATE = 192_000
# FFmpeg's default AAC coder (twoloop) overshot a limited mix's true peak by up to 2.7 dB at 160 kb/s; the fast
# coder at 192 kb/s by at most 0.03 dB over the 24 beds, with and without a voice (checked).
AAC_OPTIONS: dict[str, object] = {"aac_coder": "fast"}
CHUNK = 1024  # samples per audio frame handed to the encoder (AAC's own frame size)

assert SPEECH_RATE == SAMPLE_RATE  # the voice is mixed as it comes


def target_lufs(aspect: str, broadcast: bool) -> float:
    """The integrated loudness an ad is mixed to: -23 LUFS for a 16:9 ad made for broadcast, else -14."""
    return BROADCAST_LUFS if broadcast and aspect == "16:9" else SOCIAL_LUFS


def limiting(peaks: np.ndarray, ceiling_dbtp: float) -> np.ndarray | None:
    """The gain (n,) that holds a sound of true peaks `peaks` under the ceiling, None when none passes it: each
    sample's need over the 20 ms around it (a running minimum: the gain is down before a peak comes), smoothed over
    10 ms (the smoothing never rises above what a sample needs)."""
    need = np.minimum(1.0, 10 ** (ceiling_dbtp / 20) / np.maximum(peaks, 1e-12))
    if need.min() >= 1.0:
        return None
    reach = int(0.02 * SAMPLE_RATE)
    return running_mean(running_min(need, 2 * reach + 1), reach // 2)


def running_min(x: np.ndarray, size: int) -> np.ndarray:
    """The minimum over the `size` (odd) samples centred on each (scipy.ndimage's minimum_filter1d, without its
    0.2 s import): van Herk and Gil-Werman's two passes over blocks of `size`, the minima up to and from each."""
    reach = size // 2
    padded = np.pad(x, (reach, reach + (-(len(x) + 2 * reach)) % size), mode="edge")
    blocks = padded.reshape(-1, size)
    upto = np.minimum.accumulate(blocks, axis=1).ravel()
    onward = np.minimum.accumulate(blocks[:, ::-1], axis=1)[:, ::-1].ravel()
    return np.minimum(onward[: len(x)], upto[size - 1 : size - 1 + len(x)])


def running_mean(x: np.ndarray, size: int) -> np.ndarray:
    """The mean over `size` samples around each, the edges held (scipy.ndimage's uniform_filter1d in its
    "nearest" mode, to 1e-11)."""
    padded = np.pad(x, (size // 2, size - 1 - size // 2), mode="edge")
    summed = np.concatenate(([0.0], np.cumsum(padded)))
    return (summed[size:] - summed[:-size]) / size


@dataclass
class Mastered:
    """A mastered sound (n, 2) and its integrated loudness and true peak, as measured."""

    samples: np.ndarray
    lufs: float
    true_peak_dbtp: float


def mastered(x: np.ndarray, target: float, ceiling_dbtp: float = PEAK_CEILING_DBTP) -> Mastered:
    """`x` at `target` LUFS integrated with its true peak `HEADROOM_DB` under `ceiling_dbtp`: gain and limit, again
    while the limiter took loudness away (silence is left as it is). The loudness of `x` times a gain is read from
    the blocks already measured, and the true peaks the limiter read are the result's unless it then acted: only
    what the limiter changed is measured again."""
    blocks, scale, peaks = Blocks(x, SAMPLE_RATE), 1.0, None  # scale: of `x` over what `blocks` measured
    level = blocks.lufs()
    for _ in range(4):
        if not math.isfinite(level):
            break
        gain = 10 ** ((target - level) / 20)
        x, scale = x * gain, scale * gain
        peaks = true_peaks(x)
        held = limiting(peaks, ceiling_dbtp - HEADROOM_DB)
        if held is not None:
            x, peaks = x * held[:, None], None
            blocks, scale = Blocks(x, SAMPLE_RATE), 1.0
        level = blocks.lufs(scale)
        if abs(level - target) < 0.05:
            break
    return Mastered(x, level, dbtp(peaks if peaks is not None else true_peaks(x)))


def ducking(voice: np.ndarray) -> np.ndarray:
    """The gain (n,) the music and footage sound get under `voice` (mono): 1 where it is silent, -DUCK_DB while it
    speaks, moving with the sidechain's attack and release, `LOOKAHEAD_S` early."""
    n, hop = len(voice), int(FRAME_S * SAMPLE_RATE)
    frames = -(-n // hop)
    power = np.zeros(frames * hop)
    power[:n] = voice.astype(np.float64) ** 2
    rms = np.sqrt(np.maximum(0.0, running_mean(power.reshape(frames, hop).mean(axis=1), 4)))
    with np.errstate(divide="ignore"):
        level = 20 * np.log10(rms)
    if not frames or not np.isfinite(level.max()):
        return np.ones(n)
    speaking = (level > max(-55.0, float(level.max()) - 30.0)).astype(np.float64)
    ahead = round(LOOKAHEAD_S / FRAME_S)
    speaking = np.concatenate([speaking[ahead:], np.zeros(ahead)])
    attack, release = 1 - math.exp(-FRAME_S / ATTACK_S), 1 - math.exp(-FRAME_S / RELEASE_S)
    depth, follow = np.empty(frames), 0.0
    for i, want in enumerate(speaking):  # 200 steps a second: the sidechain's follower, attack and release
        follow += (want - follow) * (attack if want > follow else release)
        depth[i] = follow
    gain_db = np.interp(np.arange(n), np.arange(frames) * hop + hop / 2, -DUCK_DB * depth)
    return 10 ** (gain_db / 20)


def _fitted(x: np.ndarray, n: int) -> np.ndarray:
    out = np.zeros((n, *x.shape[1:]))
    out[: min(n, len(x))] = x[:n]
    return out


def _at(x: np.ndarray, lufs: float) -> np.ndarray:
    level = loudness(x, SAMPLE_RATE)
    return x * 10 ** ((lufs - level) / 20) if math.isfinite(level) else x


@dataclass
class Mixed:
    """The ad's sound: float32 stereo samples (n, 2) at 48 kHz, and what it is (the bed, the loudness measured)."""

    samples: np.ndarray
    sound: CreativeSound


def faded_out(x: np.ndarray, seconds: float) -> np.ndarray:
    """`x` fading to silence over its last `seconds` (a raised cosine): sound cut short ends without a click."""
    n = min(len(x), int(round(seconds * SAMPLE_RATE)))
    if n <= 0:
        return x
    out = x.copy()
    out[-n:] *= (0.5 + 0.5 * np.cos(np.linspace(0.0, math.pi, n)))[:, None]
    return out


def mix(duration_s: float, target: float, *, ceiling_dbtp: float = PEAK_CEILING_DBTP, fade_out_s: float = 0.0,
        bed: Mood | None = None, speech: Speech | None = None,
        footage: np.ndarray | None = None) -> Mixed | None:  # fmt: skip
    """The bed (when given), the voice (when given) and the footage's own sound (stereo at 48 kHz from the video's
    start, when it has some) mixed for `duration_s`, the others ducked under the voice, faded out over the last
    `fade_out_s` (sound cut short), mastered to `target` LUFS with its true peak under `ceiling_dbtp`; None when
    there is nothing to hear."""
    if bed is None and speech is None and footage is None:
        return None
    n = int(round(duration_s * SAMPLE_RATE))
    under = np.zeros((n, 2))
    if bed is not None:
        under += music_bed(bed, duration_s)
    if footage is not None:
        heard = _fitted(footage, n)
        under += _at(heard, FOOTAGE_LUFS) if speech is not None or bed is not None else heard
    out = under
    if speech is not None:
        voice = _fitted(speech.samples.astype(np.float64), n)
        out = under * ducking(voice)[:, None] + _at(np.repeat(voice[:, None], 2, axis=1), VOICE_LUFS)
    master = mastered(faded_out(out, fade_out_s), target, ceiling_dbtp)
    level, peak = master.lufs, master.true_peak_dbtp
    sound = CreativeSound(
        voice=speech.voice if speech is not None else None,
        lines=speech.lines if speech is not None else [],
        music=bed.name if bed is not None else None,
        target_lufs=target,
        lufs=round(level, 2) if math.isfinite(level) else None,
        true_peak_dbtp=round(peak, 2) if math.isfinite(peak) else None,
    )
    return Mixed(master.samples.astype(np.float32), sound)


class AudioTrack:
    """The ad's sound as an AAC stereo 48 kHz stream of an output container, fed in step with the video."""

    def __init__(self, container: av.container.OutputContainer, samples: np.ndarray | None = None) -> None:
        self.container = container
        self.samples = samples if samples is not None else np.zeros((0, 2), np.float32)
        self.stream = container.add_stream("aac", rate=SAMPLE_RATE, layout="stereo")
        self.stream.bit_rate = BIT_RATE
        self.stream.options = dict(AAC_OPTIONS)
        self.stream.time_base = Fraction(1, SAMPLE_RATE)
        self.stream.codec_context.thread_count = 1
        self.sent = 0

    def feed_until(self, seconds: float) -> None:
        """Encode and mux the samples up to `seconds` into the clip."""
        upto = min(len(self.samples), int(round(seconds * SAMPLE_RATE)))
        while self.sent + CHUNK <= upto or (upto == len(self.samples) and self.sent < upto):
            chunk = self.samples[self.sent : min(upto, self.sent + CHUNK)]
            frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(chunk.T), format="fltp", layout="stereo")
            frame.sample_rate = SAMPLE_RATE
            frame.pts = self.sent
            frame.time_base = Fraction(1, SAMPLE_RATE)
            self.container.mux(self.stream.encode(frame))
            self.sent += len(chunk)

    def finish(self) -> None:
        self.feed_until(len(self.samples) / SAMPLE_RATE)
        self.container.mux(self.stream.encode(None))
