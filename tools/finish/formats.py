"""Other formats of footage, or its files for placements, finished in the pass that reframes them: each output's
reframed frames go through the finisher's painter (the ad's words, logo and end card, blended into the yuv planes)
before its one encode, so an output costs one decode of the footage (shared by all) and one encode of its own
frames (not a reframe written, decoded again and written again). An output made for a placement (its job's
`placement`) is laid out in the placement's safe zone, at its size, mixed to its loudness. The words keep off the
subject: the reframer's track gives where the subject is in each output over time, and each beat's words go to the
band of the safe area (foot or head) that covers it least.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import replace
from functools import partial
from pathlib import Path

import av

from campaign.errors import ProviderFailed
from tools.engines.base import RenderJob
from tools.engines.draft.engine import BrandFiles, Report
from tools.engines.draft.kit import Box
from tools.finish.compose import STAGE, Finished, Painter, matrix_of
from tools.finish.overlay import Planes
from tools.finish.reframe import Over, Plan, plan, render
from tools.finish.subject import Track, track_subject


def finish_formats(
    footage: Path,
    outputs: Mapping[str, tuple[Path, RenderJob]],
    track: Track | None = None,
    files: BrandFiles | None = None,
    report: Report | None = None,
    cancel: threading.Event | None = None,
    *,
    references: Sequence[bytes] = (),
) -> dict[str, Finished]:
    """Blocking: `footage` reframed and finished for each of `outputs` (any name, such as a placement's key ->
    (MP4 path, the job whose ad is drawn over it)), from one decode: each in its job's aspect, at its placement's
    size (the format's standard size for the footage without one), cut at its job's duration when that is shorter
    than the footage. Several outputs may share an aspect (TikTok, Reels and Shorts, each with its own safe zone).
    `track` is the subject as `track_subject` found it, when known. Returns each name's Finished. Raises Cancelled
    when `cancel` is set, ProviderFailed when the footage does not decode (every path removed)."""
    started = time.perf_counter()
    try:
        track = track or track_subject(footage)
        with av.open(str(footage)) as source:
            matrix = matrix_of(source.streams.video[0])
        plans = {name: replace(plan(track, job.aspect, placed_size(job)), floor_kbps=job.floor_kbps)
                 for name, (_, job) in outputs.items()}  # fmt: skip
        painters = {}
        for name, (_, job) in outputs.items():
            avoid = partial(subject_boxes, track, plans[name])
            size = plans[name].size
            painters[name] = Painter(job, *size, track.rate, track.frames, matrix, files, references, avoid=avoid)
        overs = [Over(partial(_in_place, painter), painter.mixed_with, painter.cut) for painter in painters.values()]
        heard = (lambda share: report(share, f"Finished {round(share * 100)}% of the frames")) if report else None
        frames = render(footage, track, list(plans.values()), [path for path, _ in outputs.values()], overs,
                        stop=cancel, report=heard)  # fmt: skip
    except BaseException as exc:
        for path, _ in outputs.values():
            path.unlink(missing_ok=True)
        if isinstance(exc, (av.FFmpegError, OSError)) and not isinstance(exc, FileNotFoundError):
            raise ProviderFailed(
                f"{STAGE} The footage did not decode as a video.", hint="Try generating it again."
            ) from exc
        raise
    made = {}
    for name, painter in painters.items():
        made[name] = painter.finished(min(frames, painter.frames))
        made[name].seconds = time.perf_counter() - started
    return made


def placed_size(job: RenderJob) -> tuple[int, int] | None:
    """The size a job's footage is reframed to: its placement's, or None for the format's standard size."""
    return (job.placement.width, job.placement.height) if job.placement is not None else None


def finish_format(
    footage: Path,
    dest: Path,
    job: RenderJob,
    files: BrandFiles | None = None,
    report: Report | None = None,
    cancel: threading.Event | None = None,
    *,
    references: Sequence[bytes] = (),
) -> Finished:
    """`finish`, with the footage reframed to job.aspect in the same pass: what a job making one other format of a
    paid video runs (tools.finish.compose.finish_footage's `work`)."""
    made = finish_formats(footage, {job.aspect: (dest, job)}, None, files, report, cancel, references=references)
    return made[job.aspect]


def subject_boxes(track: Track, p: Plan, start: float, end: float) -> list[Box]:
    """Where the subject is in output `p`'s frames between `start` and `end` seconds (output pixels): its sightings
    then, or the one nearest the span's middle when none fall in it."""
    rate = float(track.rate)
    within = [s for s in track.sightings if start <= s.frame / rate <= end]
    if not within and track.sightings:
        within = [min(track.sightings, key=lambda s: abs(s.frame / rate - (start + end) / 2))]
    full = (track.width, track.height)
    fx, fy, fw, fh = p.footage
    boxes = []
    for s in within:
        x, y, w, h = p.window(s.frame, p.extent, full)
        x0, y0, x1, y1 = s.box
        sx, sy = fw / w, fh / h
        box = (fx + (x0 * track.width - x) * sx, fy + (y0 * track.height - y) * sy,
               fx + (x1 * track.width - x) * sx, fy + (y1 * track.height - y) * sy)  # fmt: skip
        clipped = (max(fx, box[0]), max(fy, box[1]), min(fx + fw, box[2]), min(fy + fh, box[3]))
        if clipped[2] > clipped[0] and clipped[3] > clipped[1]:
            boxes.append(tuple(round(v) for v in clipped))
    return boxes  # type: ignore[return-value]


def _in_place(painter: Painter, frame: Planes, t: float) -> None:
    painter.paint(frame, t, lambda: frame)
