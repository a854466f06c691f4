"""Music beds: short pieces synthesised here with numpy (no samples, no downloads), several per template, that
differ in tempo, key (root, major or minor) and instruments (a plucked, bell, piano-like or saw lead; a soft or
saw pad; the drums' pattern), and the choice of one for a job.

Every ad tool a marketer knows puts music under a video, and ten ads of one template over one tune sound like one
ad. `bed_for` picks a bed by the mood the brief asked for ("upbeat", "calm"), else by the brief's own words, and
moves to the next for each variation. A bed is a four-bar loop per layer, rendered once and arranged bar by bar
(an intro, then the full groove), so a 60 s bed costs little more than an 8 s one. The designs cut on its beats
(`Mood.beat`) and the last seconds fade out; its level is set to `BED_LUFS` (ITU-R BS.1770, meter.py) on the
full loop, and the mix (mix.py) sets the ad's loudness. The drums' noise comes from a seeded generator, so
identical inputs give identical samples.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from functools import cache, lru_cache

import numpy as np

from tools.sound.meter import loudness

SAMPLE_RATE = 48_000
BED_LUFS = -20.0  # the bed alone; the mix sets the ad's loudness
TABLE = 4096  # samples in one period of a synthesised tone (a power of two: `& (TABLE - 1)` is its modulo)

KEYS = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")

# Chords, one a bar, in semitones over the key's root: every other bar is the tonic, and the minor's V has its
# leading tone, so the key is heard (and measured) as its root, not as its relative major or minor.
MAJOR = ((0, 4, 7, 12), (5, 9, 12, 17), (0, 4, 7, 12), (7, 11, 14, 19))  # I - IV - I - V
MINOR = ((0, 3, 7, 12), (5, 8, 12, 17), (0, 3, 7, 12), (7, 11, 14, 19))  # i - iv - i - V

# Drum patterns: eighth-note steps of a bar (0-7) with a kick, with a clap, and hats per beat (0, 2 or 4).
DRUMS: dict[str, tuple[tuple[int, ...], tuple[int, ...], int]] = {
    "four": ((0, 2, 4, 6), (2, 6), 4),  # four on the floor, sixteenth hats
    "break": ((0, 3, 5), (2, 6), 2),  # a broken kick under backbeat claps
    "half": ((0, 5), (4,), 2),  # half time: one clap a bar
    "pulse": ((0, 4), (), 2),  # a soft pulse on one and three
    "soft": ((0,), (), 0),  # one kick a bar
}


@dataclass(frozen=True)
class Mood:
    """One music bed: its feel (the mood word it answers to), tempo, key and instruments."""

    feel: str
    bpm: float
    root: int  # MIDI note of the key's root in the bass octave (36-47)
    minor: bool
    lead: str  # "pluck", "bell" or "piano": the arpeggio's instrument
    pad: str  # "soft" (round) or "saw" (bright)
    drums: str  # a pattern of DRUMS
    intro_bars: int = 1  # bars before the drums come in
    bass_steps: tuple[int, ...] = (0, 3, 4)  # eighth-note steps with a bass note
    arp_steps: int = 8  # arpeggio notes per bar: 4 or 8
    pad_level: float = 1.0

    @property
    def key(self) -> str:
        return KEYS[self.root % 12] + ("m" if self.minor else "")

    @property
    def name(self) -> str:
        """How the bed is named on the creative: "upbeat-128-Em"."""
        return f"{self.feel}-{round(self.bpm)}-{self.key}"

    @property
    def chords(self) -> tuple[tuple[int, ...], ...]:
        return MINOR if self.minor else MAJOR

    @property
    def beat(self) -> float:
        """Seconds per beat: the grid every cut of the draft lands on."""
        return 60.0 / self.bpm

    @property
    def bar(self) -> float:
        return 4 * self.beat


_OFF = (1, 3, 5, 7)  # offbeat bass
BEDS: dict[str, tuple[Mood, ...]] = {
    # Warm and confident: long pads, a bell on the beat, the pulse of a kick.
    "brand-animation": (
        Mood("warm", 96, 38, False, "bell", "soft", "pulse", arp_steps=4),
        Mood("calm", 84, 41, False, "piano", "soft", "soft", intro_bars=2, bass_steps=(0, 4), arp_steps=4),
        Mood("upbeat", 118, 43, False, "pluck", "soft", "four", bass_steps=_OFF),
        Mood("dramatic", 102, 36, True, "bell", "saw", "half", bass_steps=(0, 1, 2, 3, 4, 5, 6, 7)),
        Mood("energetic", 126, 40, True, "pluck", "saw", "four", intro_bars=0, bass_steps=_OFF, pad_level=0.7),
        Mood("warm", 110, 46, False, "piano", "soft", "break"),
    ),
    # Clean and modern: a steady pulse, a plucked eighth-note arpeggio.
    "product-showcase": (
        Mood("clean", 112.5, 45, True, "pluck", "soft", "break", bass_steps=_OFF, pad_level=0.7),
        Mood("calm", 90, 36, False, "piano", "soft", "soft", intro_bars=2, bass_steps=(0, 4), arp_steps=4),
        Mood("upbeat", 124, 40, False, "pluck", "saw", "four", bass_steps=_OFF, pad_level=0.7),
        Mood("dramatic", 96, 38, True, "bell", "saw", "half", bass_steps=(0, 1, 2, 3, 4, 5, 6, 7)),
        Mood("energetic", 132, 43, True, "pluck", "saw", "four", intro_bars=0, bass_steps=_OFF, pad_level=0.6),
        Mood("warm", 104, 44, False, "bell", "soft", "pulse", arp_steps=4),
    ),
    # Upbeat and punchy: four on the floor, offbeat bass.
    "social-media": (
        Mood("upbeat", 128, 40, True, "pluck", "soft", "four", intro_bars=0, bass_steps=_OFF, pad_level=0.6),
        Mood("energetic", 136, 45, True, "pluck", "saw", "four", intro_bars=0, bass_steps=_OFF, pad_level=0.6),
        Mood("upbeat", 120, 36, False, "bell", "soft", "break", bass_steps=_OFF),
        Mood("calm", 92, 43, False, "piano", "soft", "soft", intro_bars=2, bass_steps=(0, 4), arp_steps=4),
        Mood("dramatic", 104, 41, True, "bell", "saw", "half", bass_steps=(0, 1, 2, 3, 4, 5, 6, 7)),
        Mood("warm", 112, 38, False, "piano", "soft", "pulse"),
    ),
    # Calm: pads and a slow arpeggio, a soft pulse after the intro.
    "prompt": (
        Mood("calm", 90, 41, False, "pluck", "soft", "soft", intro_bars=2, bass_steps=(0, 4), arp_steps=4),
        Mood("warm", 100, 45, False, "piano", "soft", "pulse"),
        Mood("upbeat", 122, 38, False, "pluck", "saw", "four", bass_steps=_OFF, pad_level=0.7),
        Mood("dramatic", 96, 47, True, "bell", "saw", "half", bass_steps=(0, 1, 2, 3, 4, 5, 6, 7)),
        Mood("energetic", 130, 37, True, "pluck", "saw", "four", intro_bars=0, bass_steps=_OFF, pad_level=0.6),
        Mood("calm", 84, 39, False, "piano", "soft", "soft", intro_bars=2, bass_steps=(0, 4), arp_steps=4),
    ),
}

# The mood words a brief may ask for, each with the beds' feels that answer it.
FEELS: dict[str, tuple[str, ...]] = {
    "upbeat": ("upbeat", "energetic"),
    "energetic": ("energetic", "upbeat"),
    "calm": ("calm", "warm"),
    "warm": ("warm", "calm"),
    "dramatic": ("dramatic",),
    "clean": ("clean", "upbeat"),
}


def bed_for(template: str, mood: str | None, brief: str, seed: int) -> Mood:
    """The template's bed for this brief: among those of the asked mood's feel (all of them when no mood, or one
    the template has none of, is asked), one picked by a stable hash of the brief's words, and each variation
    (`seed`) the next one along, so ten briefs get varied beds and variations of one brief differ."""
    beds = BEDS.get(template, BEDS["prompt"])
    feels = FEELS.get((mood or "").strip().lower(), ())
    for feel in feels:  # the closest feel the template has
        if chosen := [b for b in beds if b.feel == feel]:
            beds = tuple(chosen)
            break
    words = " ".join(brief.lower().split()).encode()
    pick = int.from_bytes(hashlib.sha256(words).digest()[:8], "big")
    return beds[(pick + seed) % len(beds)]


def _hz(midi: float) -> float:
    return 440.0 * 2 ** ((midi - 69) / 12)


def _env(n: int, attack: float, decay: float) -> np.ndarray:
    """A linear attack then an exponential decay (time constant `decay` seconds), n samples long."""
    t = np.arange(n) / SAMPLE_RATE
    env = np.exp(-t / decay)
    a = max(1, int(attack * SAMPLE_RATE))
    env[: min(a, n)] *= np.linspace(0.0, 1.0, min(a, n), endpoint=False)
    return env


@lru_cache(maxsize=32)
def _table(harmonics: int, slope: int) -> np.ndarray:
    """One period of a tone of `harmonics` partials falling off as 1/k^slope (2: soft, triangle-like; 1: saw)."""
    phase = np.arange(TABLE) / TABLE
    return sum((np.sin(2 * np.pi * k * phase) / k**slope for k in range(1, harmonics + 1)), np.zeros(TABLE))


def _tone(freq: float, n: int, harmonics: int, slope: int = 2) -> np.ndarray:
    """n samples of a tone read from its one-period table (a lookup per sample, not a sine per partial)."""
    harmonics = max(1, min(harmonics, int(12_000 // freq)))
    index = (np.arange(n) * (freq * TABLE / SAMPLE_RATE)).astype(np.int64)
    return _table(harmonics, slope).take(index & (TABLE - 1))


def _pluck(freq: float, n: int) -> np.ndarray:
    """A plucked tone: bright at the attack, mellowing to its fundamental as it rings."""
    bright, dull = _tone(freq, n, 7), _tone(freq, n, 1)
    return dull + (bright - dull) * np.exp(-np.arange(n) / (0.08 * SAMPLE_RATE))


def _bell(freq: float, n: int) -> np.ndarray:
    """A bell: a sine frequency-modulated an octave up (a hollow, glassy tone), the modulation dying faster than
    the tone (an inharmonic ratio would add a third of its own over every note, heard as a major key)."""
    t = np.arange(n) / SAMPLE_RATE
    index = 2.5 * np.exp(-t / 0.25)
    return np.sin(2 * np.pi * freq * t + index * np.sin(2 * np.pi * 2.0 * freq * t)) * 0.8


def _piano(freq: float, n: int) -> np.ndarray:
    """A soft piano-like tone: six partials, each higher one dying sooner, a little stretched (as strings are)."""
    t = np.arange(n) / SAMPLE_RATE
    out = np.zeros(n)
    for k in range(1, 7):
        f = freq * k * (1 + 0.0004 * k * k)
        if f < 12_000:
            out += _tone(f, n, 1) * np.exp(-t * (1.2 + 1.6 * k)) / k
    return out


LEADS = {"pluck": _pluck, "bell": _bell, "piano": _piano}


def _band_noise(rng: np.random.Generator, n: int, low: float, high: float) -> np.ndarray:
    """White noise kept between two frequencies (filtered in the frequency domain, once per drum sound)."""
    spectrum = np.fft.rfft(rng.standard_normal(n))
    freqs = np.fft.rfftfreq(n, 1 / SAMPLE_RATE)
    spectrum[(freqs < low) | (freqs > high)] = 0
    noise = np.fft.irfft(spectrum, n)
    return noise / (np.abs(noise).max() or 1.0)


class _Loops:
    """Four bars, stereo, mixed as the notes are added: the intro's layers (pad, lead and bass) in one loop, the
    drums in another, each (2, n): a channel's samples side by side. Notes that ring past the end wrap round to the
    start (seamless tiling)."""

    def __init__(self, length: int, gains: dict[str, float]) -> None:
        self.intro = np.zeros((2, length))
        self.drums = np.zeros((2, length))
        self.gains = gains

    def add(self, layer: str, at: float, sound: np.ndarray, left: float = 1.0, right: float = 1.0) -> None:
        buf = self.drums if layer in _GROOVE else self.intro
        gain = self.gains[layer]
        length = buf.shape[1]
        start = int(round(at * SAMPLE_RATE)) % length
        n = len(sound)
        pos = 0
        while pos < n:
            take = min(n - pos, length - start)
            buf[0, start : start + take] += sound[pos : pos + take] * (left * gain)
            buf[1, start : start + take] += sound[pos : pos + take] * (right * gain)
            pos += take
            start = 0


_MIX = {"pad": 0.16, "bass": 0.3, "lead": 0.1, "kick": 0.55, "clap": 0.18, "hats": 0.07}
_GROOVE = ("kick", "clap", "hats")
_LEAD_GAIN = {"pluck": 1.0, "bell": 0.9, "piano": 1.6}


def _loops(mood: Mood, seed: int) -> _Loops:
    """The four-bar loops of the intro's layers and of the groove, each layer at its level in the mix."""
    rng = np.random.default_rng(seed)
    beat, bar, key = mood.beat, mood.bar, mood.root
    length = int(round(4 * bar * SAMPLE_RATE))
    eighth = beat / 2
    gains = dict(_MIX, pad=_MIX["pad"] * mood.pad_level, lead=_MIX["lead"] * _LEAD_GAIN[mood.lead])
    loops = _Loops(length, gains)
    kick_steps, clap_steps, hats = DRUMS[mood.drums]
    kn = int(0.32 * SAMPLE_RATE)
    t = np.arange(kn) / SAMPLE_RATE
    kick = np.sin(2 * np.pi * np.cumsum(45 + 85 * np.exp(-t / 0.035)) / SAMPLE_RATE) * np.exp(-t / 0.11)
    cn = int(0.22 * SAMPLE_RATE)
    clap = _band_noise(rng, cn, 900, 6000) * _env(cn, 0.002, 0.06)
    hn = int(0.06 * SAMPLE_RATE)
    hat = _band_noise(rng, hn, 7000, 16000) * _env(hn, 0.001, 0.015)
    # Each note is made once and added wherever it is played (a chord comes back every other bar).
    pad_harmonics, slope = (10, 1) if mood.pad == "saw" else (5, 2)
    pn = int((bar + 0.6) * SAMPLE_RATE)
    pad_env = _env(pn, 0.25, 1.8)
    pad_env[-int(0.6 * SAMPLE_RATE) :] *= np.linspace(1.0, 0.0, int(0.6 * SAMPLE_RATE))
    pad_gain = 0.45 if mood.pad == "saw" else 1.0
    bn = int(eighth * 1.8 * SAMPLE_RATE)
    bass_env = _env(bn, 0.004, eighth * 0.9)
    step_s = bar / mood.arp_steps
    an = int(step_s * 2.5 * SAMPLE_RATE)
    lead_env = _env(an, 0.003, step_s * 0.9)

    @cache
    def pad(note: int, detune: float) -> np.ndarray:
        return _tone(_hz(key + 12 + note) * detune, pn, pad_harmonics, slope) * pad_env * pad_gain

    @cache
    def bass(note: int) -> np.ndarray:
        return _tone(_hz(key + note % 12), bn, 3) * bass_env

    @cache
    def lead(note: int) -> np.ndarray:
        return LEADS[mood.lead](_hz(key + 24 + note), an) * lead_env

    for b in range(4):
        chord = mood.chords[b % len(mood.chords)]
        t0 = b * bar
        # Pad: the chord held for the bar, each note a little detuned left and right for width.
        for note in chord:
            loops.add("pad", t0, pad(note, 1.002), 1.0, 0.55)
            loops.add("pad", t0, pad(note, 0.998), 0.55, 1.0)
        # Bass: the chord's root on the mood's eighth-note steps.
        for step in mood.bass_steps:
            loops.add("bass", t0 + step * eighth, bass(chord[0]))
        # Lead: the chord's notes an octave up, arpeggiated, alternating sides.
        order = [*chord, chord[1] + 12] if mood.arp_steps > 4 else list(chord)
        for k in range(mood.arp_steps):
            side = 0.35 if k % 2 else -0.35
            loops.add("lead", t0 + k * step_s, lead(order[k % len(order)]), 1 - side, 1 + side)
        for step in kick_steps:
            loops.add("kick", t0 + step * eighth, kick)
        for step in clap_steps:
            loops.add("clap", t0 + step * eighth, clap)
        for k in range(4 * hats):
            accent = 1.0 if k % 2 else 0.55
            side = 0.2 if k % 4 < 2 else -0.2
            loops.add("hats", t0 + k * beat / hats, hat * accent, 1 - side, 1 + side)
    return loops


def music_bed(mood: Mood, duration_s: float) -> np.ndarray:
    """The bed: float32 stereo samples (n, 2) at 48 kHz, `duration_s` long, the full groove at `BED_LUFS`, faded
    in over 50 ms (a kick on the first sample made AAC's first frame overshoot by 3 dB) and out over the last
    seconds."""
    n = int(round(duration_s * SAMPLE_RATE))
    loops = _loops(mood, seed=1000 + mood.root)
    intro, full = loops.intro.T, (loops.intro + loops.drums).T
    del loops
    gain = 10 ** ((BED_LUFS - loudness(full, SAMPLE_RATE)) / 20)
    out = np.resize(full, (n, 2))
    drums_from = min(n, int(round(mood.intro_bars * mood.bar * SAMPLE_RATE)))
    if drums_from:
        out[:drums_from] = np.resize(intro, (drums_from, 2))
    fade_in = min(n, int(0.05 * SAMPLE_RATE))
    fade = min(n, int(min(2.5, max(0.6, 0.12 * duration_s)) * SAMPLE_RATE))
    out[:fade_in] *= np.linspace(0.0, 1.0, fade_in)[:, None]
    out[n - fade :] *= (0.5 + 0.5 * np.cos(np.linspace(0.0, math.pi, fade)))[:, None]
    return (out * gain).astype(np.float32)
