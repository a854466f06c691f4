"""The draft's music bed: a short piece synthesised here with numpy (no samples, no downloads), in the template's
mood and tempo, at -16 LUFS, and the AAC stream it is written to.

Every ad tool a marketer knows puts music under a draft, and a silent draft reads as unfinished. The piece is
built from a four-bar loop per layer (pad, bass, arpeggio, drums), rendered once and arranged bar by bar (an
intro, then the full groove), so a 60 s bed costs little more than an 8 s one. The designs cut on its beats
(`Mood.beat`), the last seconds fade out, and the loudness is measured with the ITU-R BS.1770 gated method and
set to -16 LUFS (the usual level for social and web video). The noise of the drums comes from a seeded
generator and the encoder runs alone in its thread, so identical inputs give identical bytes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

import av
import numpy as np

SAMPLE_RATE = 48_000
TARGET_LUFS = -16.0
BIT_RATE = 160_000
PEAK = 10 ** (-1.0 / 20)  # -1 dBFS: AAC's own overshoot stays below full scale
CHUNK = 1024  # samples per audio frame handed to the encoder (AAC's own frame size)
TABLE = 4096  # samples in one period of a synthesised tone


@dataclass(frozen=True)
class Mood:
    """A template's music: tempo, key, chords (semitones over the key's root, one chord a bar) and how busy
    each layer is."""

    name: str
    bpm: float
    root: int  # MIDI note of the key's root in the bass octave
    chords: tuple[tuple[int, ...], ...]
    intro_bars: int  # bars before the drums come in
    kick: tuple[int, ...]  # eighth-note steps of a bar (0-7) with a kick
    clap: tuple[int, ...]
    hats: int  # hats per beat: 0, 2 or 4
    bass_steps: tuple[int, ...]  # eighth-note steps with a bass note
    arp_steps: int  # arpeggio notes per bar: 0, 4, 8
    pad_level: float
    brightness: float  # how many harmonics the pad and pluck keep

    @property
    def beat(self) -> float:
        """Seconds per beat: the grid every cut of the draft lands on."""
        return 60.0 / self.bpm

    @property
    def bar(self) -> float:
        return 4 * self.beat


MAJOR = ((0, 4, 7, 11), (9, 12, 16, 19), (5, 9, 12, 16), (7, 11, 14, 17))  # I - vi - IV - V
MINOR = ((0, 3, 7, 10), (8, 12, 15, 19), (3, 7, 10, 14), (10, 14, 17, 21))  # i - VI - III - VII
MOODS: dict[str, Mood] = {
    # Warm and confident: half-time kick, long pads, a bell arpeggio on the beat.
    "brand-animation": Mood("warm", 96, 38, MAJOR, 1, (0, 4), (), 2, (0, 3, 4), 4, 1.0, 0.6),
    # Clean and modern: a steady pulse with offbeat hats and a plucked eighth-note arpeggio.
    "product-showcase": Mood("clean", 112.5, 45, MINOR, 1, (0, 2, 4, 6), (2, 6), 2, (1, 3, 5, 7), 8, 0.7, 0.8),
    # Upbeat and punchy: four on the floor from the first beat, sixteenth hats, offbeat bass.
    "social-media": Mood("upbeat", 128, 40, MINOR, 0, (0, 2, 4, 6), (2, 6), 4, (1, 3, 5, 7), 8, 0.6, 1.0),
    # Calm: pads and a slow arpeggio, a soft pulse after the intro.
    "prompt": Mood("calm", 90, 41, MAJOR, 2, (0,), (), 0, (0, 4), 4, 1.1, 0.5),
}


def mood_for(template: str) -> Mood:
    return MOODS.get(template, MOODS["prompt"])


def _hz(midi: float) -> float:
    return 440.0 * 2 ** ((midi - 69) / 12)


def _env(n: int, attack: float, decay: float) -> np.ndarray:
    """A linear attack then an exponential decay (time constant `decay` seconds), n samples long."""
    t = np.arange(n) / SAMPLE_RATE
    env = np.exp(-t / decay)
    a = max(1, int(attack * SAMPLE_RATE))
    env[: min(a, n)] *= np.linspace(0.0, 1.0, min(a, n), endpoint=False)
    return env


@lru_cache(maxsize=16)
def _table(harmonics: int) -> np.ndarray:
    """One period of a tone of `harmonics` partials falling off as 1/k² (soft, triangle-like)."""
    phase = np.arange(TABLE) / TABLE
    return sum((np.sin(2 * np.pi * k * phase) / k**2 for k in range(1, harmonics + 1)), np.zeros(TABLE))


def _voice(freq: float, n: int, harmonics: int) -> np.ndarray:
    """n samples of a tone read from its one-period table (a lookup per sample, not a sine per partial)."""
    harmonics = max(1, min(harmonics, int(12_000 // freq)))
    index = (np.arange(n) * (freq * TABLE / SAMPLE_RATE)).astype(np.int64) % TABLE
    return _table(harmonics)[index]


def _pluck(freq: float, n: int, harmonics: int, decay: float) -> np.ndarray:
    """A plucked tone: bright at the attack, mellowing to its fundamental as it rings."""
    bright, dull = _voice(freq, n, harmonics), _voice(freq, n, 1)
    fade = np.exp(-np.arange(n) / (decay * SAMPLE_RATE))
    return dull + (bright - dull) * fade


def _band_noise(rng: np.random.Generator, n: int, low: float, high: float) -> np.ndarray:
    """White noise kept between two frequencies (filtered in the frequency domain, once per drum sound)."""
    spectrum = np.fft.rfft(rng.standard_normal(n))
    freqs = np.fft.rfftfreq(n, 1 / SAMPLE_RATE)
    spectrum[(freqs < low) | (freqs > high)] = 0
    noise = np.fft.irfft(spectrum, n)
    return noise / (np.abs(noise).max() or 1.0)


class _Loops:
    """Four bars, stereo, mixed as the notes are added: the intro's layers (pad and arpeggio) in one loop, the
    drums and bass in another (a loop per layer would be six clip-sized buffers). Notes that ring past the end
    wrap round to the start (seamless tiling)."""

    def __init__(self, length: int, gains: dict[str, float]) -> None:
        self.intro = np.zeros((length, 2))
        self.drums = np.zeros((length, 2))
        self.gains = gains

    def add(self, layer: str, at: float, sound: np.ndarray, left: float = 1.0, right: float = 1.0) -> None:
        buf = self.drums if layer in _DRUMS else self.intro
        gain = self.gains[layer]
        start = int(round(at * SAMPLE_RATE)) % len(buf)
        n = len(sound)
        pos = 0
        while pos < n:
            take = min(n - pos, len(buf) - start)
            buf[start : start + take, 0] += sound[pos : pos + take] * (left * gain)
            buf[start : start + take, 1] += sound[pos : pos + take] * (right * gain)
            pos += take
            start = 0


def _loops(mood: Mood, key: int, seed: int) -> _Loops:
    """The four-bar loops of the intro's layers and of the drums, each layer at its level in the mix."""
    rng = np.random.default_rng(seed)
    beat, bar = mood.beat, mood.bar
    length = int(round(4 * bar * SAMPLE_RATE))
    eighth = beat / 2
    loops = _Loops(length, {name: gain * (mood.pad_level if name == "pad" else 1.0) for name, gain in _MIX.items()})
    # Drum sounds, made once.
    kn = int(0.32 * SAMPLE_RATE)
    t = np.arange(kn) / SAMPLE_RATE
    sweep = 45 + 85 * np.exp(-t / 0.035)
    kick = np.sin(2 * np.pi * np.cumsum(sweep) / SAMPLE_RATE) * np.exp(-t / 0.11)
    cn = int(0.22 * SAMPLE_RATE)
    clap = _band_noise(rng, cn, 900, 6000) * _env(cn, 0.002, 0.06)
    hn = int(0.06 * SAMPLE_RATE)
    hat = _band_noise(rng, hn, 7000, 16000) * _env(hn, 0.001, 0.015)
    for b in range(4):
        chord = mood.chords[b % len(mood.chords)]
        t0 = b * bar
        # Pad: the chord held for the bar, each note a little detuned left and right for width.
        pn = int((bar + 0.6) * SAMPLE_RATE)
        env = _env(pn, 0.25, 1.8)
        env[-int(0.6 * SAMPLE_RATE) :] *= np.linspace(1.0, 0.0, int(0.6 * SAMPLE_RATE))
        harmonics = 2 + round(4 * mood.brightness)
        for note in chord:
            f = _hz(key + 12 + note)
            loops.add("pad", t0, _voice(f * 1.002, pn, harmonics) * env, 1.0, 0.55)
            loops.add("pad", t0, _voice(f * 0.998, pn, harmonics) * env, 0.55, 1.0)
        # Bass: the chord's root on the mood's eighth-note steps.
        bn = int(eighth * 1.8 * SAMPLE_RATE)
        bass = _voice(_hz(key + chord[0] % 12), bn, 3) * _env(bn, 0.004, eighth * 0.9)
        for step in mood.bass_steps:
            loops.add("bass", t0 + step * eighth, bass)
        # Arpeggio: chord notes an octave up, plucked, alternating sides.
        if mood.arp_steps:
            step_s = bar / mood.arp_steps
            an = int(step_s * 2.5 * SAMPLE_RATE)
            order = [*chord, chord[1] + 12] if mood.arp_steps > 4 else list(chord)
            for k in range(mood.arp_steps):
                f = _hz(key + 24 + order[k % len(order)])
                pluck = _pluck(f, an, 2 + round(5 * mood.brightness), 0.08) * _env(an, 0.003, step_s * 0.9)
                side = 0.35 if k % 2 else -0.35
                loops.add("arp", t0 + k * step_s, pluck, 1 - side, 1 + side)
        for step in mood.kick:
            loops.add("kick", t0 + step * eighth, kick)
        for step in mood.clap:
            loops.add("clap", t0 + step * eighth, clap)
        if mood.hats:
            for k in range(4 * mood.hats):
                accent = 1.0 if k % 2 else 0.55
                side = 0.2 if k % 4 < 2 else -0.2
                loops.add("hats", t0 + k * beat / mood.hats, hat * accent, 1 - side, 1 + side)
    return loops


_MIX = {"pad": 0.16, "bass": 0.3, "arp": 0.1, "kick": 0.55, "clap": 0.18, "hats": 0.07}
_DRUMS = ("kick", "clap", "hats", "bass")


def music_bed(template: str, duration_s: float, variant: int = 0) -> np.ndarray:
    """The music under a draft of `template`: float32 stereo samples (n, 2) at 48 kHz, `duration_s` long, at
    -16 LUFS integrated, with a fade-out over the last seconds. Each variant is in another key."""
    mood = mood_for(template)
    key = mood.root + (0, 2, -2, 5, -3)[variant % 5]
    n = int(round(duration_s * SAMPLE_RATE))
    loops = _loops(mood, key, seed=1000 + variant)
    intro = loops.intro
    full = intro + loops.drums
    del loops
    drums_from = min(n, int(round(mood.intro_bars * mood.bar * SAMPLE_RATE)))
    fade = min(n, int(min(2.5, max(0.6, 0.12 * duration_s)) * SAMPLE_RATE))
    # The loudness is measured on the same arrangement of the K-weighted loops' power: filtering a loop in the
    # frequency domain is exact for a signal that repeats, and far cheaper than filtering the whole clip; the
    # clip-long arrays are one channel of power, not two of samples.
    power = _arranged(_power(_k_weighted(full)), _power(_k_weighted(intro)), n, drums_from, fade, squared=True)
    loudness = _gated_loudness(power)
    del power
    mix = _arranged(full, intro, n, drums_from, fade)
    del full, intro
    mix *= 10 ** ((TARGET_LUFS - loudness) / 20)
    if float(np.abs(mix).max()) > PEAK:
        mix = _limited(mix)
    return mix.astype(np.float32)


def _arranged(
    full: np.ndarray, intro: np.ndarray, n: int, drums_from: int, fade: int, *, squared: bool = False
) -> np.ndarray:
    """The loops (samples, or with `squared` their power) laid end to end for n samples: the intro's bars, then
    the full groove; faded in and out (the fades squared too, for power)."""
    out = np.resize(full, (n, *full.shape[1:]))
    if drums_from:
        out[:drums_from] = np.resize(intro, (drums_from, *intro.shape[1:]))
    fade_in = min(n, int(0.01 * SAMPLE_RATE))
    ramp_in = np.linspace(0.0, 1.0, fade_in)
    ramp_out = 0.5 + 0.5 * np.cos(np.linspace(0.0, math.pi, fade))
    if squared:
        ramp_in, ramp_out = ramp_in**2, ramp_out**2
    shape = (-1,) + (1,) * (out.ndim - 1)
    out[:fade_in] *= ramp_in.reshape(shape)
    out[n - fade :] *= ramp_out.reshape(shape)
    return out


# --- loudness (ITU-R BS.1770-4) ----------------------------------------------------------------------------

# K-weighting at 48 kHz: a high shelf, then the RLB high-pass (the standard's own coefficients).
_SHELF = ((1.53512485958697, -2.69169618940638, 1.19839281085285), (1.0, -1.69065929318241, 0.73248077421585))
_HIGHPASS = ((1.0, -2.0, 1.0), (1.0, -1.99004745483398, 0.99007225036621))


def _k_weighted(x: np.ndarray, pad: int = 0) -> np.ndarray:
    """The signal through the K-weighting filters, in the frequency domain: circular (a loop's steady state)
    without `pad`, else zero-padded by `pad` samples (a signal that starts and ends in silence)."""
    n = len(x)
    size = n + pad
    z = np.exp(-2j * np.pi * np.fft.rfftfreq(size))
    response = np.ones_like(z)
    for b, a in (_SHELF, _HIGHPASS):
        response *= (b[0] + b[1] * z + b[2] * z**2) / (a[0] + a[1] * z + a[2] * z**2)
    return np.fft.irfft(np.fft.rfft(x, size, axis=0) * response[:, None], size, axis=0)[:n]


def _power(y: np.ndarray) -> np.ndarray:
    """Each sample's power, summed over the channels (the standard weighs left and right alike)."""
    return np.einsum("ij,ij->i", y, y)


def _gated_loudness(power: np.ndarray) -> float:
    """Gated loudness in LUFS of the power of K-weighted samples: 400 ms blocks every 100 ms, gated at -70 LUFS
    and 10 LU below the mean."""
    block, hop = int(0.4 * SAMPLE_RATE), int(0.1 * SAMPLE_RATE)
    if len(power) < block:
        return -70.0
    total = np.zeros(len(power) + 1)
    np.cumsum(power, out=total[1:])
    starts = np.arange(0, len(power) - block + 1, hop)
    z = (total[starts + block] - total[starts]) / block
    with np.errstate(divide="ignore"):
        loud = -0.691 + 10 * np.log10(z)
    kept = z[loud > -70.0]
    if not len(kept):
        return -70.0
    relative = -0.691 + 10 * np.log10(kept.mean()) - 10.0
    kept = z[(loud > -70.0) & (loud > relative)]
    return float(-0.691 + 10 * np.log10(kept.mean()))


def integrated_loudness(x: np.ndarray) -> float:
    """Integrated loudness in LUFS of stereo samples (n, 2) at 48 kHz."""
    return _gated_loudness(_power(_k_weighted(x.astype(np.float64), pad=SAMPLE_RATE)))


def _limited(x: np.ndarray) -> np.ndarray:
    """`x` with its few peaks over -1 dBFS rounded off by a soft knee, brought back to the target loudness."""
    for _ in range(4):
        knee = PEAK * 0.8
        over = np.abs(x) > knee
        x[over] = np.sign(x[over]) * (knee + (PEAK - knee) * np.tanh((np.abs(x[over]) - knee) / (PEAK - knee)))
        x = x * 10 ** ((TARGET_LUFS - integrated_loudness(x)) / 20)
        if float(np.abs(x).max()) <= PEAK:
            break
    return x


# --- encoding ----------------------------------------------------------------------------------------------


class AudioTrack:
    """The music bed as an AAC stereo 48 kHz stream of an output container, fed in step with the video."""

    def __init__(self, container: av.container.OutputContainer, samples: np.ndarray | None = None) -> None:
        self.container = container
        self.samples = samples if samples is not None else np.zeros((0, 2), np.float32)
        self.stream = container.add_stream("aac", rate=SAMPLE_RATE, layout="stereo")
        self.stream.bit_rate = BIT_RATE
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
