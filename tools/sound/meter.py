"""Loudness and true peak as ITU-R BS.1770 reads them, made cheap to read again after a gain change.

Loudness is pyloudnorm's (it reads the same to 1e-12 LU): its K-weighting filters, channel weights, 400 ms blocks
overlapping by 75 % and gating (absolute at -70 LUFS, relative 10 LU under), with the filters run once over all
channels and the blocks summed at once. The K-weighting is linear, so the blocks' powers of `x * g` are those of `x`
times g²: `Blocks.lufs(g)` reads the loudness of `x * g` without filtering again (the gates are applied to the
scaled powers, so even the absolute gate reads as it would). The true peak is read 4x oversampled with a 49-tap
interpolation filter, one 13-tap filter per phase (polyphase: the zeros stuffed between samples are never
multiplied).
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from pyloudnorm import IIRfilter
from scipy.ndimage import correlate1d
from scipy.signal import firwin, sosfilt

BLOCK_S, OVERLAP = 0.4, 0.75
ABSOLUTE_GATE, RELATIVE_GATE = -70.0, -10.0
CHANNEL_WEIGHTS = np.array([1.0, 1.0, 1.0, 1.41, 1.41])  # left, right, centre, the surrounds
OVERSAMPLING = 4
# Added to the samples before the K-weighting: far under anything heard or gated (the high pass takes it out again),
# it keeps the filters' state from decaying into subnormal numbers through digital silence (a voice's pauses), which
# the CPU computes many times slower; the loudness reads the same.
SUBNORMAL_GUARD = 1e-20


@lru_cache(maxsize=4)
def _k_weighting(rate: int) -> np.ndarray:
    """pyloudnorm's two K-weighting biquads (the high shelf, then the high pass) as second-order sections."""
    stages = (
        IIRfilter(4.0, 1 / math.sqrt(2), 1500.0, rate, "high_shelf"),
        IIRfilter(0.0, 0.5, 38.0, rate, "high_pass"),
    )
    return np.array([[*stage.b, *stage.a] for stage in stages])


class Blocks:
    """The K-weighted mean square of each gating block of a sound (n, channels) or mono, its channels weighed and
    summed."""

    def __init__(self, x: np.ndarray, rate: int) -> None:
        n = len(x)
        seconds, step = n / rate, 1 - OVERLAP  # step: the hop from a block to the next, of a block's length
        if seconds < BLOCK_S:
            self.powers = np.zeros(0)
            return
        weighted = sosfilt(_k_weighting(rate), x + SUBNORMAL_GUARD, axis=0)
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


# The interpolator, one row a phase: phase p's value after sample m is sum_i _PHASES[p, i] * x[m - 6 + i]. Phase 0
# falls on the samples themselves: its other taps are the windowed sinc's zeros (under 1e-16), so it is read as the
# samples times its middle tap.
_INTERPOLATOR = firwin(12 * OVERSAMPLING + 1, 1 / OVERSAMPLING, window=("kaiser", 5.0))
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
            over = correlate1d(channel, phase, mode="constant")
            np.maximum(peaks, np.abs(over, out=over), out=peaks)
    return peaks


def true_peak_dbtp(x: np.ndarray) -> float:
    """The true peak in dBTP, read 4x oversampled (ITU-R BS.1770 annex 2); -inf for silence."""
    return dbtp(true_peaks(x))


def dbtp(peaks: np.ndarray) -> float:
    """The largest of `true_peaks` in dBTP."""
    peak = float(peaks.max()) if len(peaks) else 0.0
    return 20 * math.log10(peak) if peak > 0 else -math.inf
