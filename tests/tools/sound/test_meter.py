"""The BS.1770 meter the mix and the delivery checks read: loudness as pyloudnorm reads it (the platforms' reference
here), also after a gain read without filtering again, and the true peak between the samples."""

from __future__ import annotations

import math

import numpy as np
import pyloudnorm
import pytest

from tests.fakes.listen import bursts, true_peak_db
from tools.sound.meter import Blocks, loudness, true_peak_dbtp
from tools.sound.music import bed_for, music_bed


def _sounds() -> dict[str, tuple[np.ndarray, int]]:
    rng = np.random.default_rng(7)
    voice = bursts(8.07, ((1.5, 3.0), (5.0, 6.5))).samples.astype(np.float64)  # silence between its lines
    return {
        "a bed": (music_bed(bed_for("social-media", None, "Summer sale", 0), 8).astype(np.float64), 48000),
        "a mono voice": (voice, 48000),
        "a stereo voice": (np.repeat(voice[:, None], 2, axis=1), 48000),
        "44.1 kHz noise": (rng.standard_normal((44100 * 3, 2)) * 0.05, 44100),
        "five channels": (rng.standard_normal((48000 * 2, 5)) * 0.05, 48000),
        "near the absolute gate": (rng.standard_normal((48000 * 3, 2)) * 10 ** (-69 / 20), 48000),
    }


@pytest.mark.parametrize("name", list(_sounds()))
def test_the_loudness_is_pyloudnorm_s_also_after_a_gain(name: str) -> None:
    x, rate = _sounds()[name]
    blocks = Blocks(x, rate)
    for gain in (1.0, 0.3, 2.0):
        expected = pyloudnorm.Meter(rate).integrated_loudness(x * gain)
        if math.isfinite(expected):
            assert blocks.lufs(gain) == pytest.approx(expected, abs=1e-9), gain
        else:  # the quiet noise at 0.3 falls under the absolute gate, as it does measured again
            assert blocks.lufs(gain) == -math.inf
    assert loudness(x, rate) == pytest.approx(pyloudnorm.Meter(rate).integrated_loudness(x), abs=1e-9)


def test_silence_and_a_sound_under_a_block_have_no_loudness() -> None:
    assert loudness(np.zeros((48000, 2)), 48000) == -math.inf
    assert loudness(np.full((19000, 2), 0.1), 48000) == -math.inf  # under 0.4 s


def test_the_true_peak_is_read_between_the_samples() -> None:
    t = np.arange(48000) / 48000
    between = np.sin(2 * np.pi * 12000 * t + math.pi / 4)  # its samples at +-0.707: -3 dB, the wave's peak at 0 dB
    assert 20 * math.log10(np.abs(between).max()) == pytest.approx(-3.01, abs=0.01)
    assert true_peak_dbtp(between) == pytest.approx(0.0, abs=0.2)
    bed = music_bed(bed_for("product-showcase", None, "Cold brew", 0), 6)
    assert true_peak_dbtp(bed) == pytest.approx(true_peak_db(bed), abs=0.05)  # scipy's own 4x resampling
    assert true_peak_dbtp(np.zeros((100, 2))) == -math.inf
