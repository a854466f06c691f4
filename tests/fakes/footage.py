"""Synthetic footage with a subject whose place is known in every frame, for the reframing tests and bench.

A bright yellow subject crosses a dark, textured blue-green background from left to right while the camera pans
the other way (the texture slides), so saliency and motion both have something to find and a tracker that
follows the texture instead of the subject loses it. `wide=True` makes the subject a bar 70% of the frame wide
that bobs in place, too wide for a portrait crop. Yellow is found again in decoded frames by `yellow_mask`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import av
import cv2
import numpy as np

from tools.engines.draft import engine
from tools.sound.mix import AudioTrack
from tools.sound.music import SAMPLE_RATE

YELLOW = (255, 220, 40)


@dataclass(frozen=True)
class Footage:
    """What was written: the subject's box (x0, y0, x1, y1, source pixels) in every frame."""

    path: Path
    width: int
    height: int
    fps: int
    boxes: list[tuple[int, int, int, int]]

    @property
    def frames(self) -> int:
        return len(self.boxes)


def _texture(width: int, height: int, seed: int) -> np.ndarray:
    """A dark blue-green RGB texture, blotches at several scales, `width` wide (wider than the frame, to pan)."""
    rng = np.random.default_rng(seed)
    acc = np.zeros((height, width), np.float32)
    for cell, weight in ((48, 1.0), (16, 0.6), (4, 0.35)):
        small = rng.random((height // cell + 2, width // cell + 2)).astype(np.float32)
        acc += weight * cv2.resize(small, (width, height), interpolation=cv2.INTER_CUBIC)
    acc = (acc - acc.min()) / (np.ptp(acc) + 1e-6)
    rgb = np.stack([20 + 40 * acc, 50 + 70 * acc, 60 + 80 * (1 - acc)], axis=-1)
    return np.clip(rgb, 0, 255).astype(np.uint8)


def subject_box(width: int, height: int, t: float, wide: bool) -> tuple[int, int, int, int]:
    """The subject's box at time fraction `t` (0 to 1)."""
    if wide:
        w, h = int(width * 0.70), int(height * 0.22)
        cx = width * 0.5
        cy = height * (0.5 + 0.12 * np.sin(2 * np.pi * t))
    else:
        w = h = int(height * 0.18)
        ease = t * t * (3 - 2 * t)
        cx = width * (0.15 + 0.70 * ease)
        cy = height * (0.55 + 0.10 * np.sin(np.pi * t))
    x0, y0 = int(round(cx - w / 2)), int(round(cy - h / 2))
    return x0, y0, x0 + w, y0 + h


def write_footage(
    path: Path,
    width: int = 640,
    height: int = 360,
    seconds: float = 2.0,
    fps: int = 24,
    *,
    audio: bool = True,
    wide: bool = False,
) -> Footage:
    """Encode the clip (H.264, and a 440 Hz AAC tone when `audio`) and return where its subject is."""
    frames = int(round(seconds * fps))
    pan = int(width * 0.25)
    background = _texture(width + pan, height, seed=7)
    boxes = []
    with engine.open_output(path) as container:
        stream = engine.encoder_stream(container, width, height, fps)
        track = None
        if audio:
            t = np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE
            tone = (0.2 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
            track = AudioTrack(container, np.stack([tone, tone], axis=1))
        for i in range(frames):
            t = i / max(1, frames - 1)
            offset = int(round(pan * (1 - t)))  # the texture slides right: the camera pans left
            rgb = np.ascontiguousarray(background[:, offset : offset + width])
            box = subject_box(width, height, t, wide)
            x0, y0, x1, y1 = box
            if wide:
                cv2.rectangle(rgb, (x0, y0), (x1 - 1, y1 - 1), YELLOW, thickness=-1)
            else:
                cv2.circle(rgb, ((x0 + x1) // 2, (y0 + y1) // 2), (x1 - x0) // 2, YELLOW, thickness=-1)
            boxes.append(box)
            vf = av.VideoFrame.from_ndarray(rgb, format="rgb24").reformat(format="yuv420p")
            vf.pts = i
            container.mux(stream.encode(vf))
            if track is not None:
                track.feed_until((i + 1) / fps)
        container.mux(stream.encode(None))
        if track is not None:
            track.finish()
    return Footage(path, width, height, fps, boxes)


def yellow_mask(rgb: np.ndarray) -> np.ndarray:
    """Where a decoded RGB frame shows the subject's yellow (not its darkened, blurred copy in a fill)."""
    r, g, b = (rgb[..., k].astype(np.int16) for k in range(3))
    return (r > 190) & (g > 160) & (b < 120)
