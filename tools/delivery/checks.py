"""Checks of an exported file against its placement, measured from the file itself: container and codecs,
faststart, constant frame rate, size, duration, bitrate, resolution, audio format, loudness and true peak, and
words inside the safe zone. A failed check says by how much and, where the product can make it, the fix."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from tools.delivery.placements import Box, Placement


class Fix(BaseModel):
    """What the product can do about a failed check; `export ... --trim` (or the chat's button) does it."""

    kind: Literal["trim"]
    seconds: float  # trim to this length
    text: str  # "TikTok in-feed takes at most 60 s: trim to 60 s?"


class Check(BaseModel):
    name: str  # "duration", "loudness", "safe zone", ...
    ok: bool
    measured: str  # "75.0 s"
    limit: str  # "5–60 s"
    off_by: str = ""  # "15.0 s too long" when it failed
    skipped: str = ""  # why it was not measured (then ok is True and `measured` is empty)
    fix: Fix | None = None


class Measured(BaseModel):
    """What a file is, read from its bytes (PyAV, pyloudnorm, its MP4 boxes)."""

    container: str  # "mp4"
    video_codec: str  # "h264"
    audio_codec: str | None  # "aac"; None without an audio stream
    faststart: bool  # the moov box comes before mdat
    constant_fps: bool
    fps: float
    width: int
    height: int
    duration_s: float
    bytes: int
    kbps: float  # total bitrate
    audio_rate: int | None
    audio_channels: int | None
    audio_kbps: float | None
    loudness_lufs: float | None  # integrated, BS.1770
    true_peak_dbtp: float | None  # 4x oversampled


def measure(path: Path) -> Measured:
    """Blocking: `path` measured. Raises InvalidRequest when it is not a video."""
    raise NotImplementedError


def check(
    measured: Measured,
    placement: Placement,
    text_boxes: Sequence[Box] = (),
    read: Sequence[Box] | None = None,
) -> list[Check]:
    """Every check of `measured` against `placement`. `text_boxes` are where the finisher drew words (its own
    layout); `read` are the words' boxes read off the frames of model footage (None: not read)."""
    raise NotImplementedError
