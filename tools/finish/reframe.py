"""Footage in other formats (1:1, 4:5, 9:16, 16:9) that follow its subject: free, on this machine, in seconds.

Two passes over the file, one frame in memory at a time. The first finds the subject about six times a second
(`subject.py`). Then, per format, the crop window's path: toward the subject's centre, smoothed by a critically
damped spring run forward and then backward (no lag, no overshoot, no jitter), stepped back inside a corridor
that keeps the subject's edges in the window, held still when the subject hardly moves, its speed capped. When
the subject is wider than the format's window can hold (a 16:9 group shot into 9:16), the window widens to hold
it (to the whole frame when that is most of it) and the footage is scaled to fit the frame over a darkened,
blurred copy of itself that covers it. The second pass decodes the footage once and feeds every format's encoder
(the draft's libx264 settings), each frame warped straight from the decoded Y, U and V planes (sub-pixel
positions, so slow pans do not step); the audio packets are copied through as they come (sound an MP4 cannot
hold, such as PCM, is encoded as AAC). `render` draws each output's ad over its frames before they are encoded,
when given what to draw (tools/finish/formats.py: a paid video's other formats, finished in this same pass), and
gives such an output its mixed sound (tools/sound/mix.py) instead of the footage's as it is.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Final

import av
import cv2
import numpy as np

from campaign.errors import InvalidRequest, StorageFailed
from tools.catalog import frame_size
from tools.engines.draft.engine import Cancelled, encoder_stream, open_output
from tools.finish.overlay import Planes
from tools.finish.sound import CopiedSound, audio_frames, footage_audio, mp4_holds
from tools.finish.subject import Track, frame_rate, track_subject
from tools.finish.yuv import planes, yuv420
from tools.sound.mix import AudioTrack

log = logging.getLogger(__name__)

ASPECTS: Final = ("1:1", "4:5", "9:16", "16:9")
FITS = 0.95  # a subject this share of the window wide, or less, is cropped to; a wider one gets the fill
FILL_MARGIN = 1.3  # room around a subject shown whole (its sightings' boxes are rough)
FILL_MIN = 1.25  # a filled frame's window is at least this much wider than the crop, so the fill looks meant
WHOLE = 0.75  # a filled window this share of the frame, or more, becomes the whole frame (no edge cut off)
SPRING = 4.0  # rad/s: the smoothing spring's stiffness (forward then backward: a jump becomes a glide of ~1 s)
HOLD = 0.08  # a subject that moves less than this share of the window leaves the window still
MAX_SPEED = 1.2  # windows per second
EDGE_ROOM = 0.04  # of the window, kept between the subject's edges and the window's when there is room
CORRIDOR_ROUNDS = 12
BLUR_SCALE = 8  # the fill is blurred at 1/8 of the frame's size
# The source's P and B frames stay P and B: its encoder chose them for these very frames, so x264 skips choosing
# again (a third less CPU). Intra frames are x264's to place (an all-intra source gets no all-intra reframes).
NONE, INTER = av.video.frame.PictureType.NONE, {av.video.frame.PictureType.P, av.video.frame.PictureType.B}


@dataclass(frozen=True)
class Reframed:
    """One format written: its file and size, and where the footage sits in it (x, y, width, height): the whole
    frame, unless `fill`, when the subject did not fit and the footage is a band over a blurred copy of itself."""

    aspect: str
    path: Path
    width: int
    height: int
    frames: int
    fill: bool
    footage: tuple[int, int, int, int]


def output_size(aspect: str, width: int, height: int) -> tuple[int, int]:
    """The format's standard size (1080x1920 for 9:16), scaled down to the footage's short side when it is less."""
    if aspect not in ASPECTS:
        raise InvalidRequest(f"Footage can be reframed to {', '.join(ASPECTS)}, not {aspect}.")
    w, h = frame_size(aspect, "1080p")
    k = min(1.0, min(width, height) / 1080)
    return 2 * round(w * k / 2), 2 * round(h * k / 2)


@dataclass(frozen=True)
class Plan:
    """One format's frames: the window over the footage in each frame, and where it lands in the output."""

    aspect: str
    size: tuple[int, int]
    axis: int  # 0: the window moves across (a narrower format), 1: up and down
    extent: float  # the window's length along the axis, in footage pixels
    crop: float  # the length of a window of the format's own shape
    centres: np.ndarray  # the window's centre along the axis, per frame
    footage: tuple[int, int, int, int]  # where the window lands in the output
    floor_kbps: int = 0  # the placement's bitrate floor, when the output is made for one (`encoder_stream`)

    @property
    def fill(self) -> bool:
        return self.extent > self.crop

    def window(self, i: int, length: float, full: tuple[int, int]) -> tuple[float, float, float, float]:
        """x, y, width, height in the footage of a window `length` long along the axis, centred as in frame i
        (kept inside the frame)."""
        along = full[self.axis]
        c = float(np.clip(self.centres[min(i, len(self.centres) - 1)], length / 2, along - length / 2))
        if self.axis == 0:
            return c - length / 2, 0.0, length, float(full[1])
        return 0.0, c - length / 2, float(full[0]), length


def plan(track: Track, aspect: str, size: tuple[int, int] | None = None) -> Plan:
    """Where the window goes in every frame of `track` for `aspect` at `size` (a placement's; by default the
    format's standard size for the footage, `output_size`), and whether the subject needs the fill."""
    tw, th = size or output_size(aspect, track.width, track.height)
    axis = 0 if tw * track.height <= th * track.width else 1
    full = (track.width, track.height)[axis]
    crop = min(float(full), track.height * tw / th if axis == 0 else track.width * th / tw)
    spans = np.array([(s.box[axis + 2] - s.box[axis]) * full for s in track.sightings])
    extent = crop
    if len(spans) and np.percentile(spans, 80) > FITS * crop:
        wanted = max(float(np.percentile(spans, 90)) * FILL_MARGIN, crop * FILL_MIN)
        extent = float(full) if wanted >= WHOLE * full else wanted
    if extent > crop:  # the window's whole other side, scaled to the output's width (or height) in a band
        band = 2 * round((track.height * tw / extent if axis == 0 else track.width * th / extent) / 2)
        footage = (0, 2 * ((th - band) // 4), tw, band) if axis == 0 else (2 * ((tw - band) // 4), 0, band, th)
    else:
        footage = (0, 0, tw, th)
    sampled = np.array([s.frame for s in track.sightings])
    centres = np.array([s.centre[axis] for s in track.sightings]) * full
    near = np.array([s.box[axis] for s in track.sightings]) * full
    far = np.array([s.box[axis + 2] for s in track.sightings]) * full
    path = _path(track.frames, sampled, (centres, near, far), extent, full, float(track.rate))
    return Plan(aspect, (tw, th), axis, extent, crop, path, footage)


def _path(
    frames: int, sampled: np.ndarray, subject: tuple[np.ndarray, ...], extent: float, full: int, fps: float
) -> np.ndarray:
    """The window's centre in every frame, given the subject's centre and near and far edges in sampled frames.

    It follows the centre, smoothly, no faster than MAX_SPEED, still when the subject hardly moves, and keeps
    the subject's edges inside the window (a corridor of centres) when the window can hold them: smoothing and
    stepping back into the corridor, in turns, settle on a smooth path that does not cut the subject."""
    lo, hi = extent / 2, full - extent / 2
    if not len(sampled):
        return np.full(frames, full / 2)
    every = np.arange(frames)
    centre, near, far = (np.interp(every, sampled, _median3(v)) for v in subject)
    margin = EDGE_ROOM * extent
    low = np.clip(far + margin - extent / 2, lo, hi)
    high = np.clip(near - margin + extent / 2, lo, hi)
    squeezed = low > high  # the subject is wider than the window here: its centre, then
    low[squeezed] = high[squeezed] = np.clip(centre[squeezed], lo, hi)
    raw = np.clip(centre, low, high)
    if np.ptp(raw) < HOLD * extent and low.max() <= high.min():
        return np.full(frames, float(np.clip(np.median(raw), low.max(), high.min())))
    dt = 1.0 / fps
    path = raw
    for _ in range(CORRIDOR_ROUNDS):
        path = np.clip(_smooth(path, dt), low, high)
    path = _smooth(path, dt)  # where the corridor jumps the window glides, within the room around the subject
    step = MAX_SPEED * extent * dt
    for i in range(1, frames):
        path[i] = path[i - 1] + np.clip(path[i] - path[i - 1], -step, step)
    return np.clip(path, np.maximum(low - margin, lo), np.minimum(high + margin, hi))


def _median3(values: np.ndarray) -> np.ndarray:
    """Each value the median of itself and its neighbours: one stray sighting does not move the window."""
    if len(values) < 3:
        return values
    # beyond each end, the line through the two values next to it: an end keeps a steady motion, loses a stray
    padded = np.concatenate([2 * values[1:2] - values[2:3], values, 2 * values[-2:-1] - values[-3:-2]])
    return np.median(np.stack([padded[:-2], padded[1:-1], padded[2:]]), axis=0)


def _smooth(path: np.ndarray, dt: float) -> np.ndarray:
    """The path through the spring forward and then backward (no lag), each end first extended by a second of
    its own trend (odd reflection), so the ends are not pulled toward standing still."""
    pad = min(len(path) - 1, round(1 / dt))
    head = 2 * path[0] - path[pad:0:-1]
    tail = 2 * path[-1] - path[-2 : -pad - 2 : -1]
    padded = np.concatenate([head, path, tail])
    smooth = _spring(_spring(padded, dt)[::-1], dt)[::-1]
    return smooth[pad : pad + len(path)]


def _spring(targets: np.ndarray, dt: float) -> np.ndarray:
    """A critically damped spring pulled along the targets (starting at rest on the first)."""
    out = np.empty_like(targets)
    pos, vel = float(targets[0]), 0.0
    for i, target in enumerate(targets):
        vel = (vel + SPRING * SPRING * dt * (target - pos)) / (1 + SPRING * dt) ** 2  # implicit: stable at any rate
        pos += vel * dt
        out[i] = pos
    return out


def reframe(source: Path, outputs: Mapping[str, Path], track: Track | None = None) -> list[Reframed]:
    """Write the footage at `source` in each aspect of `outputs` (aspect -> MP4 path), following its subject.

    Blocking (run it in a worker thread). `track` is the subject as `track_subject` found it, when already known.
    Raises InvalidRequest for an aspect not in ASPECTS, StorageFailed when the footage does not decode."""
    try:
        track = track or track_subject(source)
        plans = [plan(track, aspect) for aspect in outputs]
        frames = render(source, track, plans, [outputs[p.aspect] for p in plans])
    except av.FFmpegError as exc:
        for path in outputs.values():
            path.unlink(missing_ok=True)
        raise StorageFailed(
            "The footage could not be reframed: it did not decode.", hint="Try generating it again."
        ) from exc
    except BaseException:
        for path in outputs.values():
            path.unlink(missing_ok=True)
        raise
    for p in plans:
        log.info("reframed %s to %s %dx%d%s", source.name, p.aspect, *p.size, " with fill" if p.fill else "")
    return [Reframed(p.aspect, outputs[p.aspect], p.size[0], p.size[1], frames, p.fill, p.footage) for p in plans]


@dataclass(frozen=True)
class Over:
    """What one output gets besides its reframed frames, in the same pass (the fused finisher): `paint` draws
    over each frame in place (its planes, its time in seconds); `sound` mixes the output's sound from the
    footage's own (samples, None when it has none): the samples to write, None for a silent output; `frames` is
    the output's length when it ends before the footage does (a trimmed output), else None."""

    paint: Callable[[Planes, float], None]
    sound: Callable[[np.ndarray | None], np.ndarray | None]
    frames: int | None = None


@dataclass
class _Output:
    plan: Plan
    container: av.container.OutputContainer
    video: av.VideoStream
    sound: CopiedSound | None
    frame: av.VideoFrame  # drawn into again for every frame (the encoder copies it)
    over: Over | None
    bed: AudioTrack | None


def render(source: Path, track: Track, plans: Sequence[Plan], paths: Sequence[Path],
           overs: Sequence[Over | None] = (), *, stop: threading.Event | None = None,
           report: Callable[[float], None] | None = None) -> int:  # fmt: skip
    """Decode `source` once and encode every plan's frames (each drawn over by its `overs` entry, if any, and cut
    at its length); returns the number of frames decoded, the footage's unless every output ended before it (the
    footage is read only as far as the longest output). Raises Cancelled when `stop` is set; `report` hears the
    share done."""
    full = (track.width, track.height)
    written = 0
    lengths = [over.frames if over is not None and over.frames is not None else track.frames for over in overs]
    longest = max(lengths, default=track.frames)
    last = longest if longest < track.frames else None  # every output ends before the footage: read no further
    step = max(1, longest // 10)
    with av.open(str(source)) as container:
        video = container.streams.video[0]
        audio = container.streams.audio[0] if container.streams.audio else None
        rate = frame_rate(video)
        start = float(video.start_time * video.time_base) if video.start_time and video.time_base else 0.0
        outputs: list[_Output] = []
        overs = overs or [None] * len(plans)
        heard = footage_audio(source, track.frames / float(rate)) if audio is not None and any(overs) else None
        try:
            for p, path, over in zip(plans, paths, overs, strict=True):
                outputs.append(_open(p, path, rate, audio, over, heard))
            copied = audio if any(out.sound is not None for out in outputs) else None
            for packet in container.demux(*[s for s in (video, copied) if s is not None]):
                if stop is not None and stop.is_set():
                    raise Cancelled()
                if packet.stream is video:
                    for frame in packet.decode():
                        assert isinstance(frame, av.VideoFrame)
                        if last is not None and written >= last:
                            break
                        src = planes(yuv420(frame))
                        kind = frame.pict_type if frame.pict_type in INTER else NONE
                        for out in outputs:
                            if out.over is not None and out.over.frames is not None and written >= out.over.frames:
                                continue
                            _draw(out.plan, written, full, src, out.frame)
                            if out.over is not None:
                                out.over.paint(planes(out.frame), written / float(rate))
                            out.frame.pts, out.frame.pict_type = written, kind
                            out.container.mux(out.video.encode(out.frame))
                            if out.bed is not None:
                                out.bed.feed_until((written + 1) / float(rate))
                        written += 1
                        if report is not None and written % step == 0 and written < longest:
                            report(written / longest)
                    if last is not None and written >= last:
                        break
                elif packet.dts is not None:
                    decoded = [] if audio is None or mp4_holds(audio) else list(audio_frames(packet))
                    for out in outputs:
                        if out.sound is not None:
                            out.sound.add(packet, decoded, start)
            for out in outputs:
                out.container.mux(out.video.encode(None))
                for sound in (out.sound, out.bed):
                    if sound is not None:
                        sound.finish()
        finally:
            for out in outputs:
                out.container.close()
    return written


def _open(plan: Plan, path: Path, rate: Fraction, audio: av.AudioStream | None, over: Over | None,
          heard: np.ndarray | None) -> _Output:  # fmt: skip
    """One output: a finished one (`over`) gets its mixed sound (from the footage's, `heard`), any other the
    footage's own sound as it is."""
    container = open_output(path)
    video = encoder_stream(container, *plan.size, rate, plan.floor_kbps)
    sound = CopiedSound(container, audio) if audio is not None and over is None else None
    mixed = over.sound(heard) if over is not None else None
    bed = AudioTrack(container, mixed) if mixed is not None else None
    return _Output(plan, container, video, sound, av.VideoFrame(*plan.size, "yuv420p"), over, bed)


def _draw(p: Plan, i: int, full: tuple[int, int], src: tuple[np.ndarray, ...], frame: av.VideoFrame) -> None:
    """Frame i of plan `p` into `frame`: the window scaled into place, over the blurred cover when filled."""
    window = p.window(i, p.extent, full)
    cover = p.window(i, p.crop, full) if p.fill else None
    x, y, w, h = p.footage
    for k, (plane, out) in enumerate(zip(src, planes(frame), strict=True)):
        sub = 1 if k == 0 else 2
        if cover is not None:
            _blurred(plane, [v / sub for v in cover], out, luma=k == 0)
        _place(plane, [v / sub for v in window], out[y // sub : (y + h) // sub, x // sub : (x + w) // sub])


def _place(src: np.ndarray, window: list[float], dst: np.ndarray) -> None:
    """The window (x, y, w, h, sub-pixel) of `src` scaled to fill `dst`."""
    x0, y0, w, h = window
    dh, dw = dst.shape
    sx, sy = dw / w, dh / h
    if min(sx, sy) >= 0.7:
        m = np.array([[sx, 0, 0.5 * (sx - 1) - sx * x0], [0, sy, 0.5 * (sy - 1) - sy * y0]], np.float32)
        cv2.warpAffine(src, m, (dw, dh), dst=dst, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    else:  # shrinking a lot: whole pixels, averaged (a warp would alias)
        cv2.resize(_crop(src, window), (dw, dh), dst=dst, interpolation=cv2.INTER_AREA)


def _blurred(src: np.ndarray, window: list[float], dst: np.ndarray, luma: bool) -> None:
    """The window of `src`, shrunk, blurred, darkened (luma) or greyed (chroma) and scaled up to cover `dst`."""
    dh, dw = dst.shape
    small = cv2.resize(
        _crop(src, window), (max(2, dw // BLUR_SCALE), max(2, dh // BLUR_SCALE)), interpolation=cv2.INTER_AREA
    )
    small = cv2.GaussianBlur(small, (0, 0), 2.0)
    small = (
        cv2.convertScaleAbs(small, alpha=0.55, beta=16 * 0.45)
        if luma
        else cv2.convertScaleAbs(small, alpha=0.7, beta=128 * 0.3)
    )
    cv2.resize(small, (dw, dh), dst=dst, interpolation=cv2.INTER_LINEAR)


def _crop(src: np.ndarray, window: list[float]) -> np.ndarray:
    x0, y0, w, h = (int(round(v)) for v in window)
    return src[max(0, y0) : y0 + h, max(0, x0) : x0 + w]
