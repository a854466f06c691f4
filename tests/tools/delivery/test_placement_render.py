"""Files made for a placement by the renderer itself: a draft and finished footage keep their words inside the
placement's safe zone, at its size, mixed to its loudness under its true-peak ceiling; several placements of one
aspect come from one decode of the footage; footage longer than the job is cut to the job's length."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest

from tests.fakes.brand import brand_job, kit_and_files
from tests.fakes.footage import Footage, write_footage
from tests.fakes.listen import bursts, true_peak_db
from tools.brief import AdCopy
from tools.delivery.placements import Box, Placement
from tools.engines.base import RenderJob
from tools.engines.draft.engine import brand_stage, encoder_stream, open_output, render_draft
from tools.finish.compose import TRIM_FADE_S, finish
from tools.finish.formats import finish_formats
from tools.sound.captions import captions_for
from tools.sound.mix import mix
from tools.sound.music import bed_for
from tools.sound.speech import SoundSpec, Speech, SpokenLine, Word

pytestmark = pytest.mark.render

COPY = AdCopy(headline="Run wild", features=["Grippy soles"], cta="Shop now", website="northwind.example")
# Two vertical placements at a test's size: Reels keeps the bottom 35% clear, Stories 20%; both quieter than the
# mix's own -14 LUFS, so a file at -16 follows the placement.
REELS = Placement(key="reels", label="Reels", aspect="9:16", width=360, height=640, min_width=360, min_height=640,
                  fps=(23.976, 60.0), duration_s=(1.0, 90.0), video_kbps=(128, 50_000), max_bytes=4 << 30,
                  audio_rates=(48_000,), audio_channels=2, audio_kbps_min=128, loudness_lufs=-16.0,
                  true_peak_dbtp=-1.0, safe=(0.06, 0.14, 0.06, 0.35), disclosure="", sources=("test",))  # fmt: skip
STORIES = replace(REELS, key="stories", label="Stories", safe=(0.10, 0.14, 0.10, 0.20))


def inside(box: Box, safe: Box) -> bool:
    return safe[0] <= box[0] and safe[1] <= box[1] and box[2] <= safe[2] and box[3] <= safe[3]


def placed(placement: Placement, seconds: int, **rest: Any) -> RenderJob:
    kit, _ = kit_and_files("dark")
    job = brand_job(kit, "Trail shoes", aspect=placement.aspect, duration=seconds, copy=COPY, **rest)
    return replace(job, width=placement.width, height=placement.height, placement=placement)


def heard(path: Path) -> tuple[float, np.ndarray | None, int]:
    """The video's length in seconds, its sound (n, 2), and its frame count, as decoded."""
    with av.open(str(path)) as container:
        frames = sum(1 for _ in container.decode(video=0))
        video = container.streams.video[0]
        seconds = float(video.duration * video.time_base) if video.duration and video.time_base else 0.0
    with av.open(str(path)) as container:
        chunks = [f.to_ndarray() for f in container.decode(audio=0)] if container.streams.audio else []
    return seconds, np.concatenate(chunks, axis=1).T if chunks else None, frames


def test_the_mix_follows_the_placements_loudness_and_ceiling() -> None:
    import pyloudnorm

    for target, ceiling in ((-16.0, -1.0), (-14.0, -2.0)):
        mixed = mix(3, target, ceiling_dbtp=ceiling, bed=bed_for("social-media", "upbeat", "Trail shoes", 0))
        assert mixed is not None
        level = pyloudnorm.Meter(48_000).integrated_loudness(mixed.samples.astype(np.float64))
        assert level == pytest.approx(target, abs=0.2) and true_peak_db(mixed.samples) < ceiling


def voice_over() -> Speech:
    """Two spoken lines over a synthetic voice, each word timed."""
    lines = []
    for text, start, end in (("Built for mud and rain", 0.3, 1.4), ("Shop the trail shoe now", 1.5, 2.6)):
        words, step = text.split(), (end - start) / len(text.split())
        lines.append(
            SpokenLine(
                text=text,
                start=start,
                end=end,
                words=[
                    Word(text=w, start=start + k * step, end=start + (k + 0.85) * step) for k, w in enumerate(words)
                ],
            )
        )
    return replace(bursts(3, ((0.3, 1.4), (1.5, 2.6))), lines=lines)  # fmt: skip


def test_a_draft_for_a_placement_keeps_its_words_in_its_safe_zone_at_its_loudness(tmp_path: Path) -> None:
    import pyloudnorm

    _, files = kit_and_files("dark")
    job = placed(REELS, 3, template="social-media")
    job.audio, job.sound, job.speech = True, SoundSpec(voice="joe", captions=True), voice_over()
    result = render_draft(job, [], tmp_path / "reels.mp4", files=files)
    safe = REELS.safe_box(job.width, job.height)
    assert result.text_boxes and (result.width, result.height) == (360, 640)
    assert result.safe[:3] == safe[:3] and result.safe[3] < safe[3]  # the placement's zone, less the captions
    outside = [b for b in result.text_boxes if not inside(b, safe)]
    assert not outside, f"words outside {safe}: {outside}"
    stage = brand_stage(job, [], files)
    captions = captions_for(job, stage)
    assert captions is not None
    for k in range(len(captions.phrases)):
        x, y = captions.place(k)
        w, h = captions.picture(k, 0).size
        assert inside((x, y, x + w, y + h), safe) and y >= result.safe[3], "the captions in the placement's zone"
    _, samples, _ = heard(tmp_path / "reels.mp4")
    assert samples is not None
    assert pyloudnorm.Meter(48_000).integrated_loudness(samples.astype(np.float64)) == pytest.approx(-16.0, abs=1.0)
    assert true_peak_db(samples) <= REELS.true_peak_dbtp
    assert result.sound is not None and result.sound.target_lufs == -16.0


@pytest.fixture(scope="module")
def footage(tmp_path_factory: pytest.TempPathFactory) -> Footage:
    return write_footage(tmp_path_factory.mktemp("placements") / "wide.mp4", 640, 360, 4.0, 24)


def test_two_vertical_placements_come_from_one_decode_each_in_its_own_safe_zone(
    footage: Footage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, files = kit_and_files("dark")
    opened = []
    real_open = av.open

    def counted(file: Any, *args: Any, **kwargs: Any) -> Any:
        if str(file) == str(footage.path):
            opened.append(file)
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(av, "open", counted)
    finish_formats(footage.path, {"reels": (tmp_path / "one.mp4", placed(REELS, 4))}, files=files)
    once = len(opened)
    opened.clear()
    outputs = {p.key: (tmp_path / f"{p.key}.mp4", placed(p, 4)) for p in (REELS, STORIES)}
    made = finish_formats(footage.path, outputs, files=files)
    assert len(opened) == once, "a second placement reads the footage again"
    for p in (REELS, STORIES):
        finished, safe = made[p.key], p.safe_box()
        assert (finished.width, finished.height) == (p.width, p.height) and finished.text_boxes
        outside = [b for b in finished.text_boxes if not inside(b, safe)]
        assert not outside, f"{p.key}: words outside {safe}: {outside}"
        _, samples, frames = heard(outputs[p.key][0])
        assert frames == footage.frames and samples is not None
        assert finished.sound is not None and finished.sound.lufs == pytest.approx(-16.0, abs=0.2)
    lowest = {p.key: max(b[3] for b in made[p.key].text_boxes) for p in (REELS, STORIES)}
    assert lowest["reels"] <= REELS.safe_box()[3] < lowest["stories"], "Stories' words go lower than Reels allows"


@pytest.mark.parametrize("reframed", [False, True])
def test_footage_longer_than_the_job_is_cut_to_it(footage: Footage, tmp_path: Path, reframed: bool) -> None:
    _, files = kit_and_files("dark")
    dest = tmp_path / "cut.mp4"
    if reframed:  # with another placement that takes the footage's whole length, from the same decode
        whole = tmp_path / "whole.mp4"
        outputs = {"reels": (dest, placed(REELS, 2)), "stories": (whole, placed(STORIES, 4))}
        both = finish_formats(footage.path, outputs, files=files)
        made = both["reels"]
        assert both["stories"].frames == heard(whole)[2] == footage.frames
    else:
        kit, _ = kit_and_files("dark")
        made = finish(footage.path, dest, brand_job(kit, "Trail shoes", duration=2, copy=COPY), files)
    seconds, samples, frames = heard(dest)
    assert frames == made.frames == 48 and seconds == pytest.approx(2.0, abs=0.05)
    assert samples is not None and len(samples) / 48_000 == pytest.approx(2.0, abs=0.05)
    fade = int(TRIM_FADE_S * 48_000)
    assert np.abs(samples[-480:]).max() < 0.3 * np.abs(samples[-3 * fade : -fade]).max(), "the sound fades out"
    assert any(last >= 1.8 for _, last in made.text_times.values()), "the end card is over the cut's end"


def test_footage_a_frame_longer_than_the_job_keeps_its_sound_to_the_end(tmp_path: Path) -> None:
    kit, files = kit_and_files("dark")
    footage = write_footage(tmp_path / "rounded.mp4", 320, 180, 2 + 1 / 24, 24)  # a model's rounding: one frame over
    made = finish(footage.path, tmp_path / "cut.mp4", brand_job(kit, "Trail shoes", duration=2, copy=COPY), files)
    _, samples, frames = heard(tmp_path / "cut.mp4")
    assert frames == made.frames == 48 and samples is not None
    fade = int(TRIM_FADE_S * 48_000)
    assert np.abs(samples[-480:]).max() > 0.7 * np.abs(samples[-3 * fade : -fade]).max(), "no fade for one frame"


def test_a_placement_with_a_bitrate_floor_asks_enough_for_camera_footage_at_its_size(tmp_path: Path) -> None:
    with open_output(tmp_path / "tiktok.mp4") as container:
        full = encoder_stream(container, 1080, 1920, 30, floor_kbps=516).bit_rate
        small = encoder_stream(container, 180, 320, 30, floor_kbps=516).bit_rate
    assert full == round(0.1 * 1080 * 1920 * 30), "0.1 bit per pixel per frame: 6.2 Mb/s, not 4 x 516 kb/s"
    assert small == 4 * 516 * 1000, "a small frame still asks 4 times the floor"
