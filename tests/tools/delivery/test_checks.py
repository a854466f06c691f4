"""An exported file measured from its bytes (boxes, packets, decoded sound) and judged against a placement: small
MP4s written here with PyAV, each made to pass or fail one check; the judging alone on hand-made measurements."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import av
import numpy as np
import pyloudnorm
import pytest
from PIL import Image, ImageDraw

from campaign.errors import InvalidRequest
from tools.delivery.checks import Check, Measured, check, measure, read_words, top_boxes
from tools.delivery.placements import find_placements
from tools.engines.draft.engine import encoder_stream
from tools.engines.draft.text import font
from tools.sound.mix import SOCIAL_LUFS, AudioTrack, mix
from tools.sound.music import SAMPLE_RATE, bed_for

TIKTOK = find_placements("tiktok")[0]

# What a good 9:16 export measures; a test changes what it is about.
GOOD = Measured(
    container="mp4",
    video_codec="h264",
    audio_codec="aac",
    faststart=True,
    constant_fps=True,
    fps=30.0,
    width=1080,
    height=1920,
    duration_s=15.0,
    bytes=9_000_000,
    kbps=4800.0,
    audio_rate=48_000,
    audio_channels=2,
    audio_kbps=190.0,
    audio_nominal_kbps=192.0,
    loudness_lufs=-14.0,
    true_peak_dbtp=-1.5,
)


def write_clip(
    path: Path,
    width: int = 64,
    height: int = 64,
    frames: int = 30,
    fps: int = 30,
    *,
    faststart: bool = True,
    pts: list[int] | None = None,
    sound: np.ndarray | None = None,
    picture: np.ndarray | None = None,
) -> Path:
    """An H.264 MP4 of `frames` frames (`pts` in 1/fps ticks, one a frame unless given), a changing grey or
    `picture`, with `sound` (float stereo at 48 kHz) as AAC when given; the index first when `faststart`."""
    options = {"movflags": "faststart"} if faststart else {}
    with av.open(str(path), "w", format="mp4", options=options) as container:
        stream = encoder_stream(container, width, height, fps)
        track = AudioTrack(container, sound) if sound is not None else None
        for i in range(frames):
            rgb = picture if picture is not None else np.full((height, width, 3), (i * 37) % 256, np.uint8)
            frame = av.VideoFrame.from_ndarray(rgb, format="rgb24").reformat(format="yuv420p")
            frame.pts = pts[i] if pts is not None else i
            container.mux(stream.encode(frame))
            if track is not None:
                track.feed_until((frame.pts + 1) / fps)
        container.mux(stream.encode(None))
        if track is not None:
            track.finish()
    return path


def named(checks: list[Check], name: str) -> Check:
    return next(c for c in checks if c.name == name)


@pytest.mark.render
def test_faststart_is_read_from_the_boxes(tmp_path: Path) -> None:
    first = write_clip(tmp_path / "first.mp4")
    last = write_clip(tmp_path / "last.mp4", faststart=False)
    assert top_boxes(first).index("moov") < top_boxes(first).index("mdat")
    assert top_boxes(last).index("moov") > top_boxes(last).index("mdat")
    assert measure(first).faststart
    measured = measure(last)
    assert not measured.faststart
    failed = named(check(measured, TIKTOK), "faststart")
    assert not failed.ok and failed.measured == "index after the media"


def test_a_64_bit_box_size_is_followed(tmp_path: Path) -> None:
    boxes = b"\x00\x00\x00\x10ftypisom\x00\x00\x02\x00"  # 16 bytes
    boxes += b"\x00\x00\x00\x01mdat" + (24).to_bytes(8, "big") + b"\x00" * 8  # a 64-bit size: 24 bytes in all
    boxes += b"\x00\x00\x00\x08free" + b"\x00\x00\x00\x00moov"  # the last box runs to the end
    path = tmp_path / "boxes.mp4"
    path.write_bytes(boxes)
    assert top_boxes(path) == ["ftyp", "mdat", "free", "moov"]


@pytest.mark.render
def test_a_variable_frame_rate_is_caught(tmp_path: Path) -> None:
    steady = measure(write_clip(tmp_path / "cfr.mp4", frames=12))
    assert steady.constant_fps and steady.fps == pytest.approx(30)
    jumpy = measure(write_clip(tmp_path / "vfr.mp4", frames=12, pts=[0, 1, 2, 4, 5, 6, 9, 10, 11, 12, 14, 15]))
    assert not jumpy.constant_fps
    failed = named(check(jumpy, TIKTOK), "constant frame rate")
    assert not failed.ok and failed.measured == "variable"


def stereo_sine(hz: float, amplitude: float, phase: float = 0.0, seconds: float = 2.0) -> np.ndarray:
    t = np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    sine = (amplitude * np.sin(2 * np.pi * hz * t + phase)).astype(np.float32)
    return np.stack([sine, sine], axis=1)


@pytest.mark.render
def test_loudness_and_true_peak_of_known_sines(tmp_path: Path) -> None:
    full = measure(write_clip(tmp_path / "full.mp4", frames=60, sound=stereo_sine(997, 1.0)))
    assert full.true_peak_dbtp == pytest.approx(0.0, abs=0.5)
    assert (full.audio_codec, full.audio_rate, full.audio_channels) == ("aac", 48_000, 2)
    checks = check(full, TIKTOK)
    assert named(checks, "loudness").off_by.endswith("LU too loud")
    assert not named(checks, "true peak").ok and named(checks, "true peak").off_by.endswith("dB over")
    # A 12 kHz sine sampled 45 degrees off its crests: its samples peak at -9 dBFS, its true peak is -6 dBTP.
    between = stereo_sine(12_000, 0.5, math.pi / 4)
    assert 20 * math.log10(float(np.abs(between).max())) == pytest.approx(-9.0, abs=0.1)
    measured = measure(write_clip(tmp_path / "between.mp4", frames=60, sound=between))
    expected = pyloudnorm.Meter(SAMPLE_RATE).integrated_loudness(between.astype(np.float64))
    assert measured.loudness_lufs == pytest.approx(expected, abs=0.3)
    assert measured.true_peak_dbtp == pytest.approx(-6.0, abs=0.4)


@pytest.mark.render
def test_too_long_for_tiktok_offers_a_trim(tmp_path: Path) -> None:
    measured = measure(write_clip(tmp_path / "long.mp4", 32, 32, frames=75, fps=1))
    assert measured.duration_s == pytest.approx(75.0, abs=0.01)
    failed = named(check(measured, TIKTOK), "duration")
    assert not failed.ok
    assert (failed.measured, failed.limit, failed.off_by) == ("75.0 s", "5–60 s", "15.0 s too long")
    assert failed.fix is not None and failed.fix.seconds == 60
    assert failed.fix.text == "TikTok in-feed takes at most 60 s: trim to 60 s?"


def test_too_short_says_what_it_takes_and_offers_nothing() -> None:
    failed = named(check(GOOD.model_copy(update={"duration_s": 3.0}), TIKTOK), "duration")
    assert not failed.ok and failed.fix is None
    assert failed.off_by == "2.0 s too short: TikTok in-feed takes at least 5 s"


@pytest.mark.render
def test_a_file_made_to_the_placement_passes_every_check(tmp_path: Path) -> None:
    small = dataclasses.replace(TIKTOK, width=144, height=256, min_width=144, min_height=256, video_kbps=(100, 50_000),
                                duration_s=(1.0, 60.0))  # fmt: skip
    music = mix(2.0, SOCIAL_LUFS, bed=bed_for("social media", None, "Summer sale on linen shirts", 0))
    assert music is not None
    measured = measure(write_clip(tmp_path / "good.mp4", 144, 256, frames=60, sound=music.samples))
    words = [small.safe_box()[:2] + (small.safe_box()[0] + 40, small.safe_box()[1] + 20)]
    checks = check(measured, small, words, read=[])
    assert [c.name for c in checks if not c.ok] == []
    assert {c.name for c in checks if c.skipped} == set()
    assert named(checks, "resolution").measured == "144x256"
    assert named(checks, "words on the footage").measured == "no words read"


def test_no_sound_and_no_reading_are_skipped_with_the_reason() -> None:
    silent = GOOD.model_copy(update={"audio_codec": None, "audio_rate": None, "audio_channels": None,
                                     "audio_kbps": None, "audio_nominal_kbps": None, "loudness_lufs": None,
                                     "true_peak_dbtp": None})  # fmt: skip
    checks = check(silent, TIKTOK)
    skipped = {c.name: c.skipped for c in checks if c.skipped}
    assert skipped == {"audio format": "no sound", "audio bitrate": "no sound", "loudness": "no sound",
                       "true peak": "no sound", "safe zone": "no words drawn",
                       "words on the footage": "not read"}  # fmt: skip
    assert all(c.ok for c in checks)


def test_words_under_the_bottom_zone_fail_by_how_far() -> None:
    left, top, right, bottom = TIKTOK.safe_box(1080, 1920)
    inside = (left, top, left + 300, top + 80)
    under = (left + 10, bottom - 40, left + 400, bottom + 120)  # the caption and music line's area
    failed = named(check(GOOD, TIKTOK, [inside, under]), "safe zone")
    assert not failed.ok
    assert failed.measured == "1 of 2 words drawn outside"
    assert failed.off_by == "120 px over the bottom"


def test_only_the_models_words_count_on_the_footage_and_a_failure_says_where_they_are() -> None:
    left, top, right, bottom = TIKTOK.safe_box(1080, 1920)
    cta = (left + 100, bottom - 10, left + 500, bottom + 60)  # the finisher's own line, a little under the zone
    read_cta = (cta[0] - 12, cta[1] - 20, cta[2] + 15, cta[3] + 25)  # OCR's box of it: a little wider
    assert named(check(GOOD, TIKTOK, [cta], read=[read_cta]), "words on the footage").ok, "the finisher's words"
    sign = (right - 100, bottom + 200, right + 60, bottom + 260)  # a sign the model drew, far from any of ours
    failed = named(check(GOOD, TIKTOK, [cta], read=[read_cta, sign]), "words on the footage")
    assert not failed.ok and failed.measured == "1 of 1 words read outside"
    assert failed.off_by == (f"60 px over the right, 260 px over the bottom; at {right - 100}–{right + 60} px "
                             f"across, {bottom + 200}–{bottom + 260} px down")  # fmt: skip


def test_loudness_resolution_and_audio_format_say_by_how_much() -> None:
    checks = check(
        GOOD.model_copy(update={"loudness_lufs": -11.9, "width": 1080, "height": 1080, "audio_channels": 1}), TIKTOK
    )
    assert named(checks, "loudness").off_by == "2.1 LU too loud"
    assert named(checks, "resolution").off_by == "1:1, not 9:16; 200 px too short"
    assert named(checks, "audio format").off_by == "mono, not stereo"
    quiet = named(check(GOOD.model_copy(update={"loudness_lufs": -15.5}), TIKTOK), "loudness")
    assert not quiet.ok and quiet.off_by == "1.5 LU too quiet"
    assert named(check(GOOD.model_copy(update={"loudness_lufs": -14.9}), TIKTOK), "loudness").ok


def test_what_is_not_a_video_is_refused(tmp_path: Path) -> None:
    notes = tmp_path / "notes.mp4"
    notes.write_text("not a video at all")
    with pytest.raises(InvalidRequest, match="not a video"):
        measure(notes)


@pytest.mark.render
def test_words_read_off_the_footage_are_held_to_the_safe_zone(tmp_path: Path) -> None:
    pytest.importorskip("rapidocr_onnxruntime")
    width, height = 270, 480
    image = Image.new("RGB", (width, height), (20, 40, 70))
    draw = ImageDraw.Draw(image)
    draw.text(
        (20, 420), "BIG SALE", font=font("black", 30), fill=(255, 255, 255)
    )  # in TikTok's bottom zone (from 365 px)
    path = write_clip(tmp_path / "words.mp4", width, height, frames=3, picture=np.asarray(image))
    boxes = read_words(path, [0.0])
    assert boxes and any(top > 400 for _, top, _, _ in boxes)
    failed = named(check(measure(path), TIKTOK, read=boxes), "words on the footage")
    assert not failed.ok and "over the bottom" in failed.off_by


def test_only_tiktok_holds_a_bitrate_floor() -> None:
    flat = GOOD.model_copy(update={"kbps": 461.0})  # what a flat 15 s 1080x1920 draft measured
    tiktok = named(check(flat, TIKTOK), "bitrate")
    assert not tiktok.ok and (tiktok.limit, tiktok.off_by) == ("516–50,000 kb/s", "55 kb/s too low")
    reels = named(check(flat, find_placements("reels")[0]), "bitrate")
    assert reels.ok and reels.limit == "at most 50,000 kb/s"


@pytest.mark.render
@pytest.mark.parametrize("rate", [192_000, 96_000])
def test_the_audio_rate_checked_is_the_one_it_was_encoded_at(tmp_path: Path, rate: int) -> None:
    """A plain tone encoded at 192 kb/s uses about 52: the check reads the rate it was encoded at (the esds box),
    which Meta's 128 kb/s is; one encoded at 96 kb/s fails."""
    path = tmp_path / "tone.mp4"
    t = np.arange(SAMPLE_RATE * 2) / SAMPLE_RATE
    tone = (0.2 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    with av.open(str(path), "w", format="mp4", options={"movflags": "faststart"}) as container:
        video = container.add_stream("libx264", rate=24)
        video.width, video.height, video.pix_fmt = 64, 64, "yuv420p"
        track = AudioTrack(container, np.stack([tone, tone], axis=1))
        track.stream.bit_rate = rate
        for i in range(48):
            frame = av.VideoFrame.from_ndarray(np.zeros((64, 64, 3), np.uint8), format="rgb24")
            frame.pts = i
            for packet in video.encode(frame):
                container.mux(packet)
            track.feed_until(i / 24)
        for packet in video.encode(None):
            container.mux(packet)
        track.finish()
    m = measure(path)
    assert m.audio_nominal_kbps == rate / 1000 and m.audio_kbps is not None and m.audio_kbps < 100
    (audio,) = [c for c in check(m, find_placements("reels")[0]) if c.name == "audio bitrate"]
    assert audio.ok == (rate == 192_000), audio
