"""Music beds and the mix, judged by ear-like measures of the samples (tests/fakes/listen.py): tempo and key heard,
the music's level under the voice and between its lines, loudness and true peak as a platform reads them. No video
is rendered here (tests/tools/test_draft.py and test_finish.py decode the files)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pyloudnorm
import pytest

from tests.fakes.brand import brand_job
from tests.fakes.listen import bursts, key_of, level_db, tempo_of, true_peak_db
from tools.brief.variations import Change, Variant, plan
from tools.engines.draft.engine import bed_of
from tools.sound.mix import mix, running_mean, running_min, target_lufs
from tools.sound.music import bed_for, music_bed

TEN_BRIEFS = [
    "Summer sale on linen shirts, 30% off this weekend",
    "Launch of the Aurora smartwatch with a seven day battery",
    "Grand opening of Bella's bakery on Main Street",
    "Cold brew coffee subscription, first box free",
    "Eco friendly yoga mats made from cork",
    "Back to school backpacks from $39",
    "Noise cancelling headphones for the daily commute",
    "Fresh pasta delivered in 30 minutes",
    "A winter jacket that packs into its own pocket",
    "Book a spa day for two this Valentine's",
]
VOICE = ((1.5, 3.0), (5.0, 6.5))  # two 1.5 s lines of a synthetic voice in 8 s


def test_ten_briefs_of_one_template_get_at_least_four_beds_heard_apart() -> None:
    heard = []
    for brief in TEN_BRIEFS:
        bed = bed_for("social-media", None, brief, 0)
        samples = music_bed(bed, 15)
        tempo, key = tempo_of(samples), key_of(samples)
        assert tempo == pytest.approx(bed.bpm, rel=0.02) and key == bed.key, bed.name  # named as it sounds
        heard.append((round(tempo), key))
    assert len(set(heard)) >= 4, heard


def test_a_mood_word_picks_its_beds_and_each_variation_another() -> None:
    brief = "Summer sale on linen shirts"
    assert bed_for("social-media", "calm", brief, 0).feel == "calm"
    assert {bed_for("prompt", "upbeat", brief, seed).feel for seed in range(4)} <= {"upbeat", "energetic"}
    assert len({bed_for("product-showcase", None, brief, seed).name for seed in range(4)}) == 4
    assert bed_for("brand-animation", None, brief, 1) == bed_for("brand-animation", None, f" {brief.upper()} ", 1)


def test_a_music_variation_takes_another_bed_and_the_others_keep_it() -> None:
    job = brand_job(None, "Summer sale on linen shirts, 30% off this weekend. Shop now", template="social-media")
    variants = [Variant(), *plan(Variant(), job.copy, True, set(), 12)]
    beds = {v: bed_of(dataclasses.replace(job, variant=v), "social-media").name for v in variants}
    original = beds[Variant()]
    music = [v for v in variants if v.change == Change.music]
    assert music and all(beds[v] != original for v in music if v.seed == 0)  # the one change: the music
    kept = [v for v in variants if v.seed == 0 and v.change != Change.music]
    assert {beds[v] for v in kept} == {original}  # a hook, an order, a layout, a colourway or pacing keeps it
    assert len(set(beds.values())) >= 3  # other shots (another seed), other beds


def test_the_music_ducks_under_the_voice() -> None:
    bed = bed_for("social-media", "upbeat", "Summer sale", 0)  # drums with hats: music over 4 kHz all along
    mixed = mix(8, -14, bed=bed, speech=bursts(8, VOICE))
    assert mixed is not None and mixed.sound.music == bed.name
    # The synthetic voice has nothing over 2 kHz: over 4 kHz is the music alone.
    under = max(level_db(mixed.samples, 1.8, 2.9, above_hz=4000), level_db(mixed.samples, 5.3, 6.4, above_hz=4000))
    between = level_db(mixed.samples, 3.7, 4.8, above_hz=4000)
    assert between - under >= 8


def test_no_music_with_a_voice_is_the_voice_alone_at_the_target_loudness() -> None:
    mixed = mix(8, -14, speech=bursts(8, VOICE, peak=1.4))  # a TTS voice peaking over full scale
    assert mixed is not None and mixed.sound.music is None and mixed.sound.voice == "test"
    samples = mixed.samples
    assert level_db(samples, 3.2, 4.8) < -90 and level_db(samples, 0, 1.4) < -90  # silence between its lines
    assert level_db(samples, 1.6, 2.9) > -30
    assert pyloudnorm.Meter(48000).integrated_loudness(samples.astype(np.float64)) == pytest.approx(-14, abs=0.5)
    assert true_peak_db(samples) <= -1.5
    assert mixed.sound.lufs == pytest.approx(-14, abs=0.1) and mixed.sound.true_peak_dbtp <= -1.5


def test_a_broadcast_16_9_ad_is_mixed_to_minus_23() -> None:
    assert (target_lufs("16:9", True), target_lufs("9:16", True), target_lufs("16:9", False)) == (-23, -14, -14)
    bed = bed_for("brand-animation", None, "A new season of the show", 0)
    mixed = mix(6, target_lufs("16:9", True), bed=bed, speech=bursts(6, ((1.0, 2.5),)))
    assert mixed is not None
    assert pyloudnorm.Meter(48000).integrated_loudness(mixed.samples.astype(np.float64)) == pytest.approx(-23, abs=1)
    assert mixed.sound.target_lufs == -23


def test_the_same_mix_twice_gives_the_same_samples() -> None:
    bed = bed_for("prompt", None, "Fresh pasta", 2)
    a, b = mix(4, -14, bed=bed, speech=bursts(4, ((1, 2),))), mix(4, -14, bed=bed, speech=bursts(4, ((1, 2),)))
    assert a is not None and b is not None and a.samples.tobytes() == b.samples.tobytes()


@pytest.mark.parametrize("n", [1, 5, 960, 961, 1000, 48000 * 8 + 17])
def test_the_limiter_s_running_filters_are_scipy_s(n: int) -> None:
    """The limiter's running minimum and mean read as scipy.ndimage's filters do, at the edges too."""
    from scipy.ndimage import minimum_filter1d, uniform_filter1d

    need = np.minimum(1.0, np.random.default_rng(n).random(n) * 1.5)
    assert np.array_equal(running_min(need, 961), minimum_filter1d(need, 961))
    for size in (4, 5, 480):
        assert np.allclose(running_mean(need, size), uniform_filter1d(need, size, mode="nearest"), rtol=0, atol=1e-10)
