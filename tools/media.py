"""Probing videos and taking poster frames with PyAV."""

from __future__ import annotations

import io
from fractions import Fraction
from pathlib import Path

import av
from pydantic import BaseModel

from campaign.errors import StorageFailed


class VideoInfo(BaseModel):
    codec: str
    width: int
    height: int
    fps: float
    frames: int
    duration_s: float
    pix_fmt: str | None
    bytes: int
    faststart: bool


def _moov_first(path: Path) -> bool:
    """True when the `moov` atom comes before `mdat`, so playback can start before the download ends."""
    with path.open("rb") as fh:
        while header := fh.read(8):
            if len(header) < 8:
                return False
            size, kind = int.from_bytes(header[:4], "big"), header[4:]
            if kind == b"moov":
                return True
            if kind == b"mdat":
                return False
            if size == 1:
                size = int.from_bytes(fh.read(8), "big") - 8
            if size < 8:
                return False
            fh.seek(size - 8, io.SEEK_CUR)
    return False


def probe(path: Path, *, count_frames: bool = False) -> VideoInfo:
    """Read a video's codec, size, rate and duration; raises StorageFailed when it does not decode."""
    try:
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            rate = stream.average_rate or stream.guessed_rate or Fraction(0)
            frames = stream.frames
            if count_frames or not frames:
                frames = sum(1 for _ in container.decode(stream))
            if stream.duration is not None and stream.time_base is not None:
                duration = float(stream.duration * stream.time_base)
            else:
                duration = (container.duration or 0) / av.time_base
            return VideoInfo(
                codec=stream.codec_context.name,
                width=stream.codec_context.width,
                height=stream.codec_context.height,
                fps=float(rate),
                frames=frames,
                duration_s=round(duration, 3),
                pix_fmt=stream.codec_context.pix_fmt,
                bytes=path.stat().st_size,
                faststart=_moov_first(path),
            )
    except (av.FFmpegError, IndexError, OSError) as exc:
        raise StorageFailed(
            "The video file could not be decoded.", hint="Try generating it again, or pick another model."
        ) from exc


def poster(path: Path, at_s: float = 1.0, max_width: int = 960) -> bytes:
    """A JPEG of the frame at `at_s` (or the last one before it), at most `max_width` wide."""
    try:
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            chosen = None
            for frame in container.decode(stream):
                chosen = frame
                if frame.time is not None and frame.time >= at_s:
                    break
            if chosen is None:
                raise StorageFailed("The video has no frames.")
            image = chosen.to_image()
    except av.FFmpegError as exc:
        raise StorageFailed("The video file could not be decoded.") from exc
    if image.width > max_width:
        image = image.resize((max_width, round(image.height * max_width / image.width)))
    out = io.BytesIO()
    image.convert("RGB").save(out, "JPEG", quality=85)
    return out.getvalue()
