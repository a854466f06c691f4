"""Loudness and true peak as ITU-R BS.1770 reads them, made cheap to read again after a gain change.

Loudness is pyloudnorm's (it reads the same to 1e-12 LU): its K-weighting filters, channel weights, 400 ms blocks
overlapping by 75 % and gating (absolute at -70 LUFS, relative 10 LU under), with the blocks summed at once. The
K-weighting is linear, so the blocks' powers of `x * g` are those of `x` times g²: `Blocks.lufs(g)` reads the loudness
of `x * g` without filtering again (the gates are applied to the scaled powers, so even the absolute gate reads as it
would). The true peak is read 4x oversampled with a 49-tap interpolation filter, one 13-tap filter per phase
(polyphase: the zeros stuffed between samples are never multiplied).

Numpy alone: the filters are run as one product of spectra, not with scipy.signal, whose import (0.5-0.7 s) every
process that renders a draft paid before its first frame.
"""

from __future__ import annotations

import math

import numpy as np

BLOCK_S, OVERLAP = 0.4, 0.75
ABSOLUTE_GATE, RELATIVE_GATE = -70.0, -10.0
CHANNEL_WEIGHTS = np.array([1.0, 1.0, 1.0, 1.41, 1.41])  # left, right, centre, the surrounds
OVERSAMPLING = 4
# The K-weighting's impulse response is under 1e-50 of its start after half a second (its high pass's poles are at
# 0.995 at 48 kHz): filtered as a product of spectra, the sound is padded by that much, so the circular convolution
# never wraps anything heard into its start.
SETTLE_S = 0.5


def _k_weighting(n: int, rate: int) -> np.ndarray:
    """The spectrum (rfft of length n) of pyloudnorm's two K-weighting biquads, the high shelf (+4 dB from 1500 Hz)
    then the high pass (38 Hz): the RBJ cookbook's coefficients, as pyloudnorm's IIRfilter makes them."""
    a = 10 ** (4.0 / 40)
    w = 2 * math.pi * 1500.0 / rate
    alpha, cos = math.sin(w) / (2 / math.sqrt(2)), math.cos(w)
    shelf_b = a * np.array([(a + 1) + (a - 1) * cos + 2 * math.sqrt(a) * alpha, -2 * ((a - 1) + (a + 1) * cos),
                            (a + 1) + (a - 1) * cos - 2 * math.sqrt(a) * alpha])  # fmt: skip
    shelf_a = np.array([(a + 1) - (a - 1) * cos + 2 * math.sqrt(a) * alpha, 2 * ((a - 1) - (a + 1) * cos),
                        (a + 1) - (a - 1) * cos - 2 * math.sqrt(a) * alpha])  # fmt: skip
    w = 2 * math.pi * 38.0 / rate
    alpha, cos = math.sin(w) / (2 * 0.5), math.cos(w)
    pass_b = np.array([(1 + cos) / 2, -(1 + cos), (1 + cos) / 2])
    pass_a = np.array([1 + alpha, -2 * cos, 1 - alpha])
    z = np.exp(-2j * math.pi * np.arange(n // 2 + 1) / n)  # z^-1 at each of the rfft's frequencies

    def response(b: np.ndarray, a: np.ndarray) -> np.ndarray:
        return (b[0] + z * (b[1] + z * b[2])) / (a[0] + z * (a[1] + z * a[2]))

    return response(shelf_b, shelf_a) * response(pass_b, pass_a)


def _fast_length(n: int) -> int:
    """The smallest length of at least n that is 1, 3, 5, 9 or 15 times a power of two: a fast FFT's."""
    return min(f * 2 ** max(0, math.ceil(math.log2(n / f))) for f in (1, 3, 5, 9, 15))


def k_weighted(x: np.ndarray, rate: int) -> np.ndarray:
    """Samples (n, channels) or mono through the K-weighting, as filtering them from silence does (to 1e-13)."""
    n = len(x)
    size = _fast_length(n + int(SETTLE_S * rate))
    channels = np.fft.rfft(x.T, size)  # each channel's samples contiguous: a third faster than along axis 0
    return np.fft.irfft(channels * _k_weighting(size, rate), size)[..., :n].T


class Blocks:
    """The K-weighted mean square of each gating block of a sound (n, channels) or mono, its channels weighed and
    summed."""

    def __init__(self, x: np.ndarray, rate: int) -> None:
        n = len(x)
        seconds, step = n / rate, 1 - OVERLAP  # step: the hop from a block to the next, of a block's length
        if seconds < BLOCK_S:
            self.powers = np.zeros(0)
            return
        weighted = k_weighted(np.asarray(x, dtype=np.float64), rate)
        if weighted.ndim == 2:
            square = np.einsum("ij,ij,j->i", weighted, weighted, CHANNEL_WEIGHTS[: weighted.shape[1]])
        else:
            square = weighted * weighted
        summed = np.concatenate(([0.0], np.cumsum(square)))  # a block's sum: the difference of two
        j = np.arange(int(np.round((seconds - BLOCK_S) / (BLOCK_S * step))) + 1)  # pyloudnorm's bounds, to the sample
        lower = np.minimum((BLOCK_S * (j * step) * rate).astype(np.int64), n)
        upper = np.minimum((BLOCK_S * (j * step + 1) * rate).astype(np.int64), n)
        self.powers = np.maximum(summed[upper] - summed[lower], 0.0) / (BLOCK_S * rate)

    def lufs(self, gain: float = 1.0) -> float:
        """Integrated loudness of the sound times `gain`, gated; -inf for silence or a sound under 0.4 s."""
        powers = self.powers * (gain * gain)
        with np.errstate(divide="ignore"):
            levels = -0.691 + 10 * np.log10(powers)
        heard = levels >= ABSOLUTE_GATE
        if not heard.any():
            return -math.inf
        relative = -0.691 + 10 * math.log10(float(powers[heard].mean())) + RELATIVE_GATE
        kept = (levels > relative) & heard
        if not kept.any():
            return -math.inf
        return -0.691 + 10 * math.log10(float(powers[kept].mean()))


def loudness(x: np.ndarray, rate: int) -> float:
    """Integrated loudness (ITU-R BS.1770) of samples (n, channels) or mono; -inf for silence or under 0.4 s."""
    return Blocks(x, rate).lufs()


# The interpolator: scipy's firwin(49, 1 / 4, window=("kaiser", 5.0)), a windowed sinc with unit gain at 0 Hz. One
# row a phase: phase p's value after sample m is sum_i _PHASES[p, i] * x[m - 6 + i]. Phase 0 falls on the samples
# themselves: its other taps are the windowed sinc's zeros (under 1e-16), so it is read as the samples times its
# middle tap.
_TAPS = np.arange(12 * OVERSAMPLING + 1) - 6 * OVERSAMPLING
_INTERPOLATOR = np.sinc(_TAPS / OVERSAMPLING) * np.kaiser(len(_TAPS), 5.0)
_INTERPOLATOR /= _INTERPOLATOR.sum()
_PHASES = np.stack(
    [OVERSAMPLING * np.concatenate((np.zeros(3), _INTERPOLATOR))[3 - p :: OVERSAMPLING] for p in range(OVERSAMPLING)]
)


def true_peaks(x: np.ndarray) -> np.ndarray:
    """Each sample's true peak over its channels: the largest magnitude of the four values oversampled from it (a
    49-tap interpolation filter, about BS.1770's own 48 taps)."""
    peaks = np.zeros(len(x))
    for channel in np.atleast_2d(np.asarray(x, dtype=np.float64).T):
        np.maximum(peaks, np.abs(channel) * _PHASES[0, 6], out=peaks)
        for phase in _PHASES[1:]:
            over = np.correlate(channel, phase, mode="same")
            np.maximum(peaks, np.abs(over, out=over), out=peaks)
    return peaks


def true_peak_dbtp(x: np.ndarray) -> float:
    """The true peak in dBTP, read 4x oversampled (ITU-R BS.1770 annex 2); -inf for silence."""
    return dbtp(true_peaks(x))


def dbtp(peaks: np.ndarray) -> float:
    """The largest of `true_peaks` in dBTP."""
    peak = float(peaks.max()) if len(peaks) else 0.0
    return 20 * math.log10(peak) if peak > 0 else -math.inf
