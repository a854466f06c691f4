"""A video frame's Y, U and V planes as numpy arrays over the frame's own memory (no copies)."""

from __future__ import annotations

import av
import numpy as np


def planes(frame: av.VideoFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The Y plane and the half-size U and V planes of a yuv420p frame, as writable views of its buffers."""
    views = []
    for plane in frame.planes[:3]:
        rows = np.frombuffer(memoryview(plane), np.uint8).reshape(plane.height, plane.line_size)
        views.append(rows[:, : plane.width])
    return views[0], views[1], views[2]


def yuv420(frame: av.VideoFrame) -> av.VideoFrame:
    """The frame in 8-bit yuv420p (most footage already is: then the frame itself)."""
    return frame if frame.format.name == "yuv420p" else frame.reformat(format="yuv420p")
