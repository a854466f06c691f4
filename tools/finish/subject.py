"""Where the subject of some footage is, about six times a second: saliency and motion at low resolution.

Each sampled frame is shrunk to about 160x90 (luma and both chroma planes). Three cues find the subject:
- spectral-residual saliency (Hou and Zhang, 2007: what stands out of the frame's own spectrum), on Y, U and V;
  OpenCV's saliency module is not in opencv-python-headless, and this is a few FFTs of 64x64 in numpy;
- motion: the frame against the samples before and after it, each first shifted by the camera's own move
  between them (phase correlation), keeping the smaller difference, so that a moving thing lights up where it
  is now (not where it was) and a panning background does not light up at all;
- colour contrast against the frame's edges, when they are plain (a product on a sweep): the object's whole body,
  where saliency marks its outline and details.
Their sum, weighted a little toward the middle of the frame, is thresholded; the blobs holding most of it are the
subject: their weighted centre and the box around them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np

from campaign.errors import StorageFailed
from tools.finish.yuv import planes, yuv420

SAMPLES_PER_SECOND = 6
ANALYSIS_AREA = 160 * 90
SR_SIZE = 64  # spectral residual works on a fixed small square (the paper's 64x64)
CHANNEL_WEIGHTS = (1.0, 0.5, 0.5)  # Y, U, V
CONTRAST_WEIGHT = 0.7
CONTRAST_LEVEL = 60.0
PLAIN_SPREAD = 30.0  # edges whose colours spread this much (median distance from their median) are not plain
MOTION_WEIGHT = 1.5
MOTION_LEVEL = 24.0  # a luma difference this large (of 255) counts as sure motion
BLOB_LEVEL = 0.4  # of the map's peak
BLOB_SHARE = 0.3  # blobs with at least this share of the largest blob's mass are part of the subject


@dataclass(frozen=True)
class Sighting:
    """The subject in frame `frame`: its weighted centre and its box, as fractions of the frame's size."""

    frame: int
    centre: tuple[float, float]
    box: tuple[float, float, float, float]  # x0, y0, x1, y1


@dataclass(frozen=True)
class Track:
    """The footage's size, rate and frame count, and the subject in its sampled frames (none when nothing stood
    out, as in a black frame)."""

    width: int
    height: int
    rate: Fraction
    frames: int
    sightings: tuple[Sighting, ...]


@dataclass
class _Sample:
    frame: int
    luma: np.ndarray  # float32, analysis size, lightly blurred
    saliency: np.ndarray


def frame_rate(stream: av.VideoStream) -> Fraction:
    """The stream's frame rate (24 when the file does not say)."""
    return Fraction(stream.average_rate or stream.guessed_rate or 24)


def track_subject(path: Path) -> Track:
    """Decode the footage once and find its subject in every few frames."""
    with av.open(str(path)) as container:
        if not container.streams.video:
            raise StorageFailed("The footage has no video in it.", hint="Try generating it again.")
        stream = container.streams.video[0]
        stream.codec_context.options = {"skip_loop_filter": "all"}  # a quarter less decoding; not seen at 160x90
        rate = frame_rate(stream)
        step = max(1, round(float(rate) / SAMPLES_PER_SECOND))
        width = height = frames = 0
        size, prior = (16, 16), np.ones((16, 16), np.float32)
        before: _Sample | None = None
        now: _Sample | None = None
        sightings: list[Sighting] = []
        for frame in container.decode(stream):
            if frames == 0:
                width, height = frame.width, frame.height
                size = _analysis_size(width, height)
                prior = _centre_prior(size)
            if frames % step == 0:
                after = _sample(frames, yuv420(frame), size)
                if now is not None:
                    sightings.extend(_sight(before, now, after, prior))
                before, now = now, after
            frames += 1
        if now is not None:
            sightings.extend(_sight(before, now, None, prior))
    if not frames:
        raise StorageFailed("The footage has no frames.", hint="Try generating it again.")
    return Track(width, height, rate, frames, tuple(sightings))


def _analysis_size(width: int, height: int) -> tuple[int, int]:
    scale = min(1.0, (ANALYSIS_AREA / (width * height)) ** 0.5)
    return max(16, round(width * scale)), max(16, round(height * scale))


def _centre_prior(size: tuple[int, int]) -> np.ndarray:
    """0.6 at the corners up to 1.0 in the middle: framing puts subjects toward the middle more often than not."""
    w, h = size
    x = (np.arange(w, dtype=np.float32) + 0.5) / w - 0.5
    y = (np.arange(h, dtype=np.float32) + 0.5) / h - 0.5
    return 0.6 + 0.4 * np.exp(-(y[:, None] ** 2 + x[None, :] ** 2) / (2 * 0.35**2))


def _sample(index: int, frame: av.VideoFrame, size: tuple[int, int]) -> _Sample:
    small = [cv2.resize(p, size, interpolation=cv2.INTER_AREA).astype(np.float32) for p in planes(frame)]
    square = np.zeros((SR_SIZE, SR_SIZE), np.float32)
    for weight, channel in zip(CHANNEL_WEIGHTS, small, strict=True):
        square += weight * _spectral_residual(channel)
    saliency = cv2.resize(square, size, interpolation=cv2.INTER_LINEAR)
    still = saliency / (saliency.max() + 1e-6) + CONTRAST_WEIGHT * _contrast(small)
    return _Sample(index, cv2.GaussianBlur(small[0], (0, 0), 1.0), still)


def _contrast(small: list[np.ndarray]) -> np.ndarray:
    """How far each pixel's colour is from the frame's edges' (1 at CONTRAST_LEVEL): the whole of an object on a
    plain backdrop, where saliency marks its details and outline. Nothing when the edges are not plain (a
    landscape, a street): there the edges are no backdrop."""
    distance = np.zeros_like(small[0])
    edge_distance = 0.0
    for channel in small:
        edges = np.concatenate([channel[[0, -1]].ravel(), channel[:, [0, -1]].ravel()])
        distance += (channel - np.median(edges)) ** 2
        edge_distance += (edges - np.median(edges)) ** 2
    plain = 1.0 - float(np.median(np.sqrt(edge_distance))) / PLAIN_SPREAD
    if plain <= 0:
        return np.zeros_like(distance)
    return plain * np.clip(np.sqrt(distance) / CONTRAST_LEVEL, 0.0, 1.0)


def _spectral_residual(channel: np.ndarray) -> np.ndarray:
    """Saliency of one channel, SR_SIZE square, scaled to a peak of 1 (0 for a flat channel)."""
    img = cv2.resize(channel, (SR_SIZE, SR_SIZE), interpolation=cv2.INTER_AREA).astype(np.float64)
    if img.std() < 1.0:
        return np.zeros((SR_SIZE, SR_SIZE), np.float32)
    spectrum = np.fft.fft2(img - img.mean())
    log_amp = np.log(np.abs(spectrum) + 1e-6)
    residual = log_amp - cv2.blur(log_amp, (3, 3))
    saliency = np.abs(np.fft.ifft2(np.exp(residual + 1j * np.angle(spectrum)))) ** 2
    saliency = cv2.GaussianBlur(saliency, (0, 0), 2.5).astype(np.float32)
    return saliency / (saliency.max() + 1e-12)


def _aligned_difference(now: np.ndarray, other: np.ndarray) -> np.ndarray:
    """|now - other| after shifting `other` by the camera's move between them; 0 where the shift leaves no pixels."""
    h, w = now.shape
    (dx, dy), _ = cv2.phaseCorrelate(other, now)
    moved = cv2.warpAffine(
        other, np.array([[1, 0, dx], [0, 1, dy]], np.float32), (w, h), borderMode=cv2.BORDER_REPLICATE
    )
    diff = np.abs(now - moved)
    bx, by = int(np.ceil(abs(dx))) + 1, int(np.ceil(abs(dy))) + 1
    diff[:, : bx if dx > 0 else 0] = 0
    diff[:, w - (bx if dx < 0 else 0) :] = 0
    diff[: by if dy > 0 else 0] = 0
    diff[h - (by if dy < 0 else 0) :] = 0
    return diff


def _sight(before: _Sample | None, now: _Sample, after: _Sample | None, prior: np.ndarray) -> Iterator[Sighting]:
    """The subject in `now` (nothing when nothing stands out); motion from the samples beside it."""
    diffs = [_aligned_difference(now.luma, s.luma) for s in (before, after) if s is not None]
    cue = now.saliency.copy()
    if diffs:
        motion = np.minimum(diffs[0], diffs[1]) if len(diffs) == 2 else diffs[0]
        motion = cv2.GaussianBlur(motion, (0, 0), 1.5)
        cue += MOTION_WEIGHT * np.clip(motion / MOTION_LEVEL, 0.0, 1.0)
    cue *= prior
    peak = float(cue.max())
    if peak < 0.05:
        return
    count, labels, stats, _ = cv2.connectedComponentsWithStats((cue >= BLOB_LEVEL * peak).astype(np.uint8))
    mass = np.bincount(labels.ravel(), weights=cue.ravel(), minlength=count)[1:]
    keep = np.flatnonzero(mass >= BLOB_SHARE * mass.max()) + 1
    chosen = np.isin(labels, keep)
    ys, xs = np.nonzero(chosen)
    weights = cue[ys, xs]
    h, w = cue.shape
    cx = float(np.average(xs + 0.5, weights=weights)) / w
    cy = float(np.average(ys + 0.5, weights=weights)) / h
    x0, y0 = stats[keep, cv2.CC_STAT_LEFT].min(), stats[keep, cv2.CC_STAT_TOP].min()
    x1 = (stats[keep, cv2.CC_STAT_LEFT] + stats[keep, cv2.CC_STAT_WIDTH]).max()
    y1 = (stats[keep, cv2.CC_STAT_TOP] + stats[keep, cv2.CC_STAT_HEIGHT]).max()
    yield Sighting(now.frame, (cx, cy), (x0 / w, y0 / h, x1 / w, y1 / h))
