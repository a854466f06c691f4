"""Reframing footage to other formats: sizes, timing and sound kept, the subject inside every frame.

The footage is synthetic (tests/fakes/footage.py): a yellow subject at a known place in every frame, crossing a
panning textured background, or a bar too wide for a portrait crop.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from campaign.errors import InvalidRequest, StorageFailed
from tests.fakes.footage import Footage, write_footage, yellow_mask
from tools import media
from tools.finish.reframe import Reframed, output_size, plan, reframe
from tools.finish.subject import Sighting, Track


def _frames(path: Path, every: int) -> list[tuple[int, np.ndarray]]:
    with av.open(str(path)) as container:
        return [(i, f.to_ndarray(format="rgb24")) for i, f in enumerate(container.decode(video=0)) if i % every == 0]


def _audio_seconds(path: Path) -> float | None:
    with av.open(str(path)) as container:
        if not container.streams.audio:
            return None
        stream = container.streams.audio[0]
        return float(stream.duration * stream.time_base)


def _check_file(out: Reframed, source: Footage) -> None:
    """The format's size and shape, and the source's codec-independent timing: rate, frames, duration."""
    info = media.probe(out.path, count_frames=True)
    assert (info.width, info.height) == (out.width, out.height)
    assert info.width % 2 == 0 and info.height % 2 == 0
    w, h = (int(v) for v in out.aspect.split(":"))
    assert info.width / info.height == pytest.approx(w / h, rel=0.01)
    assert (info.codec, info.pix_fmt) == ("h264", "yuv420p")
    assert info.fps == pytest.approx(source.fps)
    assert abs(info.frames - source.frames) <= 1
    assert info.duration_s == pytest.approx(source.frames / source.fps, abs=1.0 / source.fps)


@pytest.mark.render
def test_a_moving_subject_stays_inside_every_format_with_the_sound(tmp_path: Path) -> None:
    source = write_footage(tmp_path / "clip.mp4", seconds=2.0, fps=24, audio=True)
    outputs = {aspect: tmp_path / f"{aspect.replace(':', 'x')}.mp4" for aspect in ("1:1", "4:5", "9:16")}
    made = reframe(source.path, outputs)
    assert [m.aspect for m in made] == list(outputs)
    assert [(m.width, m.height) for m in made] == [(360, 360), (360, 450), (360, 640)]
    source_audio = _audio_seconds(source.path)
    assert source_audio is not None
    for out in made:
        _check_file(out, source)
        assert not out.fill and out.footage == (0, 0, out.width, out.height)
        assert _audio_seconds(out.path) == pytest.approx(source_audio, abs=0.03)
        scale = out.height / source.height
        for i, rgb in _frames(out.path, every=4):
            x0, _, x1, _ = source.boxes[i]
            disc = np.pi * ((x1 - x0) / 2 * scale) ** 2
            ys, xs = np.nonzero(yellow_mask(rgb))
            assert len(xs) > 0.85 * disc, f"{out.aspect} frame {i}: the subject is cut"
            assert xs.min() > 0 and xs.max() < out.width - 1 and ys.min() > 0 and ys.max() < out.height - 1


@pytest.mark.render
def test_a_subject_too_wide_for_portrait_sits_whole_over_a_blurred_fill(tmp_path: Path) -> None:
    source = write_footage(tmp_path / "wide.mp4", seconds=2.0, fps=30, audio=False, wide=True)
    (out,) = reframe(source.path, {"9:16": tmp_path / "tall.mp4"})
    _check_file(out, source)
    assert _audio_seconds(out.path) is None
    assert out.fill
    x, y, w, h = out.footage
    assert (x, w) == (0, out.width) and 0 < h < out.height / 2 and y == pytest.approx((out.height - h) / 2, abs=2)
    scale = w / source.width  # at most: the band holds part of the frame's width at least as large
    for i, rgb in _frames(out.path, every=5):
        x0, _, x1, _ = source.boxes[i]
        ys, xs = np.nonzero(yellow_mask(rgb))
        assert xs.min() > 0 and xs.max() < out.width - 1, f"frame {i}: the bar is cut"
        assert xs.max() - xs.min() >= 0.95 * (x1 - x0) * scale
        assert ys.min() >= y - 1 and ys.max() <= y + h + 1
        fill = rgb[: y - 4].astype(float)
        band = rgb[y + 4 : y + h - 4].astype(float)
        assert fill.std() > 1.0, "the fill is the footage blurred, not a flat colour"
        assert fill.mean() < band.mean(), "the fill is darker than the footage over it"


def test_output_sizes_are_the_standard_ones_or_the_footages_own_class() -> None:
    assert [output_size(a, 1920, 1080) for a in ("1:1", "4:5", "9:16", "16:9")] == [
        (1080, 1080),
        (1080, 1350),
        (1080, 1920),
        (1920, 1080),
    ]
    assert output_size("9:16", 1280, 720) == (720, 1280)
    assert output_size("4:5", 640, 360) == (360, 450)
    with pytest.raises(InvalidRequest):
        output_size("21:9", 1920, 1080)


def _track(centres: np.ndarray, span: float, width: int = 1920, height: int = 1080, step: int = 4) -> Track:
    """Sightings every `step` frames at `centres` (fractions along x), each `span` wide."""
    sightings = tuple(
        Sighting(k * step, (float(c), 0.5), (float(c) - span / 2, 0.4, float(c) + span / 2, 0.6))
        for k, c in enumerate(centres)
    )
    return Track(width, height, Fraction(24), len(centres) * step, sightings)


def test_the_window_follows_a_jittery_subject_smoothly_inside_the_frame() -> None:
    rng = np.random.default_rng(3)
    truth = np.linspace(0.2, 0.8, 48)  # 8 s across the frame, seen six times a second
    track = _track(truth + rng.normal(0, 0.02, truth.size), span=0.1)
    p = plan(track, "9:16")
    assert not p.fill and p.axis == 0
    assert p.extent == pytest.approx(1080 * 9 / 16)
    centres = p.centres
    assert centres.min() >= p.extent / 2 - 1e-6 and centres.max() <= 1920 - p.extent / 2 + 1e-6
    assert np.abs(np.diff(centres, 2)).max() < 1.0, "the path jitters"  # pixels per frame per frame
    assert np.abs(np.diff(centres)).max() <= 1.2 * p.extent / 24 + 1e-6
    frames = np.arange(track.frames)
    inside = np.clip(np.interp(frames, frames[::4], truth * 1920), p.extent / 2, 1920 - p.extent / 2)
    assert np.abs(centres - inside)[24:-24].max() < 0.2 * p.extent, "the window lags the subject"


def test_a_still_subject_keeps_the_window_still_and_a_wide_one_gets_the_fill() -> None:
    rng = np.random.default_rng(4)
    still = plan(_track(0.6 + rng.normal(0, 0.005, 30), span=0.1), "1:1")
    assert np.ptp(still.centres) == 0 and still.centres[0] == pytest.approx(0.6 * 1920, abs=20)
    stray = plan(_track(np.r_[0.15, np.full(29, 0.6)], span=0.1), "9:16")  # the first sighting is something else
    assert np.ptp(stray.centres) == 0
    wide = plan(_track(np.full(30, 0.5), span=0.8), "9:16")
    assert wide.fill and wide.extent == 1920 and wide.footage == (0, 656, 1080, 608)  # the whole frame, fitted
    wider = plan(_track(np.full(30, 0.5), span=0.45), "9:16")
    assert wider.fill and wider.extent == pytest.approx(0.45 * 1920 * 1.3)  # room around the subject, no more


def test_tall_footage_into_landscape_moves_the_window_up_and_down() -> None:
    sightings = tuple(Sighting(k * 4, (0.5, 0.3), (0.45, 0.25, 0.55, 0.35)) for k in range(12))
    p = plan(Track(720, 1280, Fraction(30), 48, sightings), "16:9")
    assert p.axis == 1 and p.size == (1280, 720) and not p.fill
    assert p.extent == pytest.approx(720 * 9 / 16)
    assert p.centres[0] == pytest.approx(max(0.3 * 1280, p.extent / 2), abs=2)


@pytest.mark.render
def test_footage_an_mp4_cannot_hold_as_it_is_comes_out_with_its_sound_as_aac(tmp_path: Path) -> None:
    """A Matroska file, 4:4:4 chroma, odd half-sizes and PCM sound: the sound is encoded (not dropped)."""
    source = tmp_path / "clip.mkv"
    with av.open(str(source), "w") as container:
        video = container.add_stream("libx264", rate=25)
        video.width, video.height, video.pix_fmt = 322, 182, "yuv444p"
        sound = container.add_stream("pcm_s16le", rate=44100, layout="stereo")
        for k in range(25):
            rgb = np.full((182, 322, 3), 40, np.uint8)
            rgb[70:110, 20 + 10 * k : 60 + 10 * k] = (255, 220, 40)
            frame = av.VideoFrame.from_ndarray(rgb, format="rgb24").reformat(format="yuv444p")
            frame.pts = k
            container.mux(video.encode(frame))
            tone = (3000 * np.sin(np.arange(1764) / 10)).astype(np.int16)
            chunk = av.AudioFrame.from_ndarray(np.repeat(tone, 2)[None, :], format="s16", layout="stereo")
            chunk.sample_rate, chunk.pts = 44100, k * 1764
            container.mux(sound.encode(chunk))
        container.mux(video.encode(None))
        container.mux(sound.encode(None))
    (out,) = reframe(source, {"9:16": tmp_path / "tall.mp4"})
    info = media.probe(out.path, count_frames=True)
    assert (info.width, info.height, info.frames, info.pix_fmt) == (182, 324, 25, "yuv420p")
    with av.open(str(out.path)) as container:
        assert container.streams.audio[0].codec_context.name == "aac"
    assert _audio_seconds(out.path) == pytest.approx(1.0, abs=0.05)


def test_a_file_that_is_no_video_fails_as_storage_and_leaves_no_output(tmp_path: Path) -> None:
    source, out = tmp_path / "clip.mp4", tmp_path / "square.mp4"
    source.write_bytes(b"<html>not a video</html>" * 50)
    with pytest.raises(StorageFailed):
        reframe(source, {"1:1": out})
    assert not out.exists()
