"""What a listener hears in a track, measured from its samples (tempo, key, level over time), and a synthetic
voice to mix: the tests and bench/beds.py judge the music by these, not by the names the code gives it."""

from __future__ import annotations

import numpy as np

from tools.sound.speech import SPEECH_RATE, Speech

RATE = 48_000
HOP = 256  # the onset envelope's step: 187.5 values a second
NOTES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
# Krumhansl-Kessler key profiles: how well each pitch class fits a major and a minor key on C.
MAJOR = np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88])
MINOR = np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17])


def _mono(samples: np.ndarray) -> np.ndarray:
    return samples.astype(np.float64).mean(axis=1) if samples.ndim == 2 else samples.astype(np.float64)


def tempo_of(samples: np.ndarray, low: float = 80.0, high: float = 160.0) -> float:
    """Beats per minute: the strongest period of the onset envelope's autocorrelation (spectral flux, smoothed)
    between `low` and `high` bpm, refined between lags by a parabola."""
    x = _mono(samples)
    frames = np.lib.stride_tricks.sliding_window_view(x, 1024)[::HOP]
    spectra = np.abs(np.fft.rfft(frames * np.hanning(1024), axis=1))
    flux = np.maximum(0.0, np.diff(np.log1p(100 * spectra), axis=0)).sum(axis=1)
    flux = np.convolve(flux, np.hanning(7), mode="same")  # an onset a few frames wide: lags between frames match
    flux -= flux.mean()
    corr = np.fft.irfft(np.abs(np.fft.rfft(flux, 2 * len(flux))) ** 2)[: len(flux)]
    fps = RATE / HOP
    lags = np.arange(int(fps * 60 / high), int(fps * 60 / low) + 1)
    k = int(lags[np.argmax(corr[lags])])
    a, b, c = corr[k - 1], corr[k], corr[k + 1]
    shift = 0.5 * (a - c) / (a - 2 * b + c) if a - 2 * b + c else 0.0
    return 60 * fps / (k + shift)


def key_of(samples: np.ndarray) -> str:
    """The key ("C", "Am") whose Krumhansl-Kessler profile best matches the track's chroma: the FFT's energy
    between 130 Hz and 2 kHz (over the kick's thump) folded into the twelve pitch classes, compressed (a fourth
    root) so the loudest note does not stand for the whole."""
    x = _mono(samples)
    power = np.abs(np.fft.rfft(x * np.hanning(len(x)))) ** 2
    freqs = np.fft.rfftfreq(len(x), 1 / RATE)
    keep = (freqs > 130) & (freqs < 2000)
    classes = np.round(12 * np.log2(freqs[keep] / 440.0) + 69).astype(int) % 12
    chroma = np.bincount(classes, weights=power[keep], minlength=12)
    chroma = (chroma / chroma.max()) ** 0.25
    scores = {}
    for root in range(12):
        for profile, suffix in ((MAJOR, ""), (MINOR, "m")):
            scores[NOTES[root] + suffix] = float(np.corrcoef(chroma, np.roll(profile, root))[0, 1])
    return max(scores, key=lambda name: scores[name])


def level_db(samples: np.ndarray, start: float, end: float, above_hz: float = 0.0) -> float:
    """The RMS level in dBFS between two times (seconds), of what is over `above_hz` when given."""
    part = _mono(samples)[int(start * RATE) : int(end * RATE)]
    if above_hz:
        spectrum = np.fft.rfft(part)
        spectrum[np.fft.rfftfreq(len(part), 1 / RATE) < above_hz] = 0
        part = np.fft.irfft(spectrum, len(part))
    return float(10 * np.log10(np.mean(part**2) + 1e-20))


def true_peak_db(samples: np.ndarray) -> float:
    """The true peak in dBTP: the largest magnitude of the samples oversampled 4x (scipy's own filter)."""
    from scipy.signal import resample_poly

    return float(20 * np.log10(np.abs(resample_poly(samples.astype(np.float64), 4, 1, axis=0)).max()))


def bursts(duration_s: float, spans: tuple[tuple[float, float], ...], peak: float = 0.3) -> Speech:
    """A synthetic voice: noise-modulated tones (a 140 Hz buzz with harmonics up to 1.5 kHz, its amplitude moved
    by noise smoothed to a syllable rate) during each span, silence between; nothing over 2 kHz, so what is heard
    up there in a mix is the music."""
    rng = np.random.default_rng(5)
    n = int(duration_s * SPEECH_RATE)
    t = np.arange(n) / SPEECH_RATE
    buzz = sum(np.sin(2 * np.pi * 140 * k * t) / k for k in range(1, 12))
    hop = SPEECH_RATE // 8  # a new syllable's strength every 125 ms, glided to
    strengths = rng.uniform(0.3, 1.0, n // hop + 2)
    syllables = np.interp(t, np.arange(len(strengths)) * hop / SPEECH_RATE, strengths)
    out = np.zeros(n)
    for start, end in spans:
        a, b = int(start * SPEECH_RATE), int(end * SPEECH_RATE)
        out[a:b] = buzz[a:b] * syllables[a:b]
    return Speech(samples=(peak * out / np.abs(out).max()).astype(np.float32), voice="test")
