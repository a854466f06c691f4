"""The finisher: the ad drawn over footage a video model made without words (or over any footage).

The brief's exact copy, timed to the footage (the hook first, features and the deal in the middle beats, the end
card with the call to action, website, end text, conditions and the kit's legal line over the last quarter), the
kit's logo (or an attached one) in a corner and large on the end card (coming in as the brief asks it to move), in
the kit's fonts and colours, and the sound: the footage's own sound when it has some, else one of the template's
music beds when the job asks for sound or follows a template, mixed with the voice-over and set to the loudness
target (tools/sound/mix.py), so every finished ad is as loud as the platform expects. What is drawn, where and
when, is `cues.py`; how it is drawn into yuv420p, `overlay.py`.

Three threads overlap like the draft's: one demuxes and decodes, one draws (a copy of each decoded frame, since
the decoder still reads its own; frames with nothing over them go to the encoder as decoded), and this one
encodes and muxes. The source's P and B frames stay P and B (as the reframer keeps them: x264 skips choosing
again). The output has the footage's own size and frame rate, and its length, cut at the job's duration when that is
shorter (its sound faded out over the cut, when the cut is longer than a model's rounding).
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import logging
import queue
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np

from campaign.errors import ClapboardError, ProviderFailed, out_of_space
from campaign.storage import BlobStorage, read_all
from tools.engines.base import Progress, RenderJob
from tools.engines.draft.engine import (
    QUEUE_FRAMES,
    BrandFiles,
    Cancelled,
    Report,
    brand_stage,
    encoder_stream,
    in_thread,
    mixed_sound,
    open_output,
    prepare_references,
    read_brand_files,
)
from tools.engines.draft.kit import SAFE_MARGINS, Box, RefImage, Stage, logo_score
from tools.engines.draft.motion import told
from tools.finish.cues import AdPlan, plan_ad
from tools.finish.overlay import Planes, dim, ground_range, mean_colour
from tools.finish.reframe import INTER, NONE
from tools.finish.sound import footage_audio
from tools.finish.subject import frame_rate
from tools.finish.yuv import planes, yuv420
from tools.sound.captions import captions_for
from tools.sound.mix import AudioTrack, Mixed
from tools.sound.speech import CreativeSound

log = logging.getLogger(__name__)

STAGE = "The ad could not be finished over the footage."
TRIM_FADE_S = 0.5  # footage cut short for a shorter job: its sound fades out over this much of the end
TRIM_FADE_AFTER_S = 0.2  # a cut shorter than this (a frame or a few of a model's rounding) cuts no sound short
BT709 = 1  # AVCOL_SPC_BT709: footage tagged so is HD-coded; anything else is read as BT.601


@dataclass
class Finished:
    """What finishing produced, besides the file."""

    frames: int
    width: int
    height: int
    fps: float
    audio: bool
    seconds: float  # how long finishing took
    text_boxes: set[Box] = field(default_factory=set)  # where words were drawn (x0, y0, x1, y1)
    text_times: dict[Box, tuple[float, float]] = field(default_factory=dict)  # each box's first and last time
    notice: str = ""  # how the video follows the brand kit, as the draft says it
    sound: CreativeSound | None = None  # the music bed and the loudness measured, when the ad has sound


def matrix_of(video: av.VideoStream) -> str:
    """The matrix the stream's colours are coded in: BT.709 when tagged so, else BT.601."""
    return "bt709" if video.codec_context.colorspace == BT709 else "bt601"


def aspect_of(width: int, height: int) -> str:
    """The format whose shape is nearest the footage's: its safe area is the one the copy must keep to."""
    ratios = {name: int(name.split(":")[0]) / int(name.split(":")[1]) for name in SAFE_MARGINS}
    return min(ratios, key=lambda name: abs(np.log(ratios[name] * height / width)))


def trimmed(job: RenderJob, frames: int, rate: Fraction) -> int:
    """How many of the footage's `frames` the job's video has: all of them, or as many as job.duration_s holds
    when it is shorter (the footage is cut there, and the end card is over the cut's end)."""
    return max(1, min(frames, round(job.duration_s * rate)))


def attached_logo(refs: list[RefImage]) -> RefImage | None:
    """The first reference that looks like a logo (as the draft takes it): it stands in for the kit's."""
    return next((r for r in refs if logo_score(r) >= 2.5), None)


def finish(
    footage: Path,
    dest: Path,
    job: RenderJob,
    files: BrandFiles | None = None,
    report: Report | None = None,
    cancel: threading.Event | None = None,
    *,
    references: Sequence[bytes] = (),
) -> Finished:
    """Blocking: draw job.copy, the kit's logo, the end card and the sound bed over `footage`, write dest (mp4,
    faststart). `references` are the job's reference images (an attached logo among them takes the kit's place).
    Raises Cancelled when `cancel` is set (dest removed), ProviderFailed when the footage does not decode."""
    started = time.perf_counter()
    stop = cancel or threading.Event()
    try:
        source = av.open(str(footage))
    except (av.FFmpegError, OSError) as exc:
        raise _undecodable() from exc
    try:
        with source:
            if not source.streams.video:
                raise ProviderFailed(f"{STAGE} The footage has no video in it.", hint="Try generating it again.")
            result = _Finishing(source, footage, job, files, references, stop).run(dest, report)
    except BaseException:
        dest.unlink(missing_ok=True)
        raise
    result.seconds = time.perf_counter() - started
    return result


def _undecodable() -> ProviderFailed:
    return ProviderFailed(f"{STAGE} The footage did not decode as a video.", hint="Try generating it again.")


Avoid = Callable[[float, float], Sequence[Box]]  # where the subject is between two times (frame pixels)


class Painter:
    """The ad over frames of one size: the job's stage (kit, copy, logos) and its plan, laid out on the first
    frame; where it drew words. The finisher paints decoded frames with it, the fused reframer reframed ones.
    Footage of `total` frames longer than the job's duration is cut to it (`frames`, `cut`)."""

    def __init__(self, job: RenderJob, width: int, height: int, rate: Fraction, total: int, matrix: str,
                 files: BrandFiles | None, references: Sequence[bytes],
                 avoid: Avoid | None = None) -> None:  # fmt: skip
        self.job, self.matrix, self.avoid = job, matrix, avoid
        self.width, self.height, self.rate = width, height, rate
        self.frames = trimmed(job, total, rate)  # the video's length in frames
        self.cut = self.frames if self.frames < total else None  # where the footage is cut, when it is
        self.fade_out_s = TRIM_FADE_S if (total - self.frames) / float(rate) > TRIM_FADE_AFTER_S else 0.0
        self.duration = self.frames / float(rate)
        asked = dataclasses.replace(job, width=width, height=height, fps=max(1, round(rate)),
                                    aspect=aspect_of(width, height))  # fmt: skip
        refs = prepare_references(references, width, height)
        self.logo = attached_logo(refs)
        self.stage: Stage = brand_stage(asked, refs, files)
        self.stage.frames = self.frames
        self.captions = captions_for(asked, self.stage)
        self.plan: AdPlan | None = None
        self.text_boxes: set[Box] = set()
        self.text_times: dict[Box, tuple[float, float]] = {}
        self.mixed: Mixed | None = None

    @property
    def wants_bed(self) -> bool:
        """Footage without sound gets a music bed when the job asks for sound or follows a template (a template has
        its beds), unless the job said "no music"."""
        return (self.job.audio or self.job.template is not None) and self.job.sound.music

    def hears(self, footage_sound: bool) -> bool:
        """Whether the ad has sound: the footage's own (`footage_sound`), a bed or a voice-over."""
        return footage_sound or self.wants_bed or self.job.speech is not None

    def mixed_with(self, footage: np.ndarray | None) -> np.ndarray | None:
        """The ad's sound over the footage's own (stereo at 48 kHz from the video's start, None when it has none):
        a bed only under footage without sound; the voice-over ducks the rest."""
        self.mixed = mixed_sound(self.job, self.stage.template, self.duration, music=self.wants_bed and footage is None,
                                 footage=footage, fade_out_s=self.fade_out_s)  # fmt: skip
        return self.mixed.samples if self.mixed is not None else None

    def finished(self, frames: int) -> Finished:
        """What was made, once `frames` frames are written."""
        return Finished(frames=frames, width=self.width, height=self.height, fps=float(self.rate),
                        audio=self.mixed is not None, seconds=0.0, text_boxes=self.text_boxes,
                        text_times=self.text_times, notice=self.notice,
                        sound=self.mixed.sound if self.mixed is not None else None)  # fmt: skip

    @property
    def notice(self) -> str:
        """How the video follows the kit, and the motion drawn as the brief asked, as the draft says them."""
        moved = told(self.stage.motion, self.stage.moved) if self.stage.motion and self.stage.moved else ""
        return " ".join(n for n in (self.stage.notice, moved) if n)

    def paint(self, src: Planes, t: float, into: Callable[[], Planes | None]) -> bool:
        """The ad over `src` at `t` seconds, drawn into the planes `into()` gives (`src` itself draws in place);
        False, `into` not called, when nothing is over the frame then (or `into` gives none: stopped)."""
        if self.plan is None:  # laid out on the first frame: the corner's logo is chosen by its ground
            ground = functools.partial(mean_colour, src, matrix=self.matrix)
            copy = self.job.variant.copy_for(self.job.copy)  # a headline-order variation's order
            self.plan = plan_ad(self.stage, copy, self.duration, self.logo, ground, self.matrix, self.avoid)
            if self.captions is not None:  # over everything else
                self.plan.cues += self.captions.cues(self.matrix)
        grounds = functools.partial(ground_range, src, matrix=self.matrix)
        # Plates are measured on the footage, before anything is over it.
        shown = [(cue, placed) for cue in self.plan.cues if (placed := cue.placed(t, grounds)) is not None]
        strength = self.plan.dim_at(t)
        if not shown and strength <= 0:
            return False
        dst = into()
        if dst is None:
            return False
        if strength > 0:
            dim(src, dst, self.plan.dim_colour, strength, self.matrix)
        elif dst is not src:
            for a, b in zip(src, dst, strict=True):
                np.copyto(b, a)
        for cue, (picture, x, y, opacity) in shown:
            box = picture.blend(dst, x, y, opacity)
            if cue.words and box[2] > box[0]:
                self.text_boxes.add(box)
                self.text_times[box] = (self.text_times.get(box, (t, t))[0], t)
        return True


class _Finishing:
    """One footage file being finished: its streams, the painter, and the three threads' hand-offs."""

    def __init__(self, source: av.container.InputContainer, path: Path, job: RenderJob, files: BrandFiles | None,
                 references: Sequence[bytes], stop: threading.Event) -> None:  # fmt: skip
        self.source, self.path, self.job, self.stop = source, path, job, stop
        self.video = source.streams.video[0]
        self.audio = source.streams.audio[0] if source.streams.audio else None
        self.rate = frame_rate(self.video)
        ctx = self.video.codec_context
        self.width, self.height = ctx.width, ctx.height
        if not self.width or not self.height:
            raise _undecodable()
        frames = self.video.frames or max(1, round(float(source.duration or 0) / av.time_base * self.rate))
        self.painter = Painter(job, self.width, self.height, self.rate, frames, matrix_of(self.video), files,
                               references)  # fmt: skip
        self.total = self.painter.frames
        self.failure: list[BaseException] = []

    def run(self, dest: Path, report: Report | None) -> Finished:
        decoded: queue.Queue[Any] = queue.Queue(maxsize=QUEUE_FRAMES)
        drawn: queue.Queue[Any] = queue.Queue(maxsize=QUEUE_FRAMES)
        # Frames drawn into and handed back once encoded (x264 copies what it is given): no fresh buffer per frame.
        free: queue.Queue[av.VideoFrame] = queue.Queue()
        for _ in range(2 * QUEUE_FRAMES + 3):
            free.put(av.VideoFrame(self.width, self.height, "yuv420p"))
        threads = [
            threading.Thread(target=self._guarded, args=(self._decode, decoded), name="finish-decode", daemon=True),
            threading.Thread(
                target=self._guarded, args=(self._draw, decoded, drawn, free), name="finish-draw", daemon=True
            ),  # fmt: skip
        ]
        written = 0
        step = max(1, self.total // 10)
        try:
            with open_output(dest) as container:
                stream = encoder_stream(container, self.width, self.height, self.rate)
                track = AudioTrack(container) if self.painter.hears(self.audio is not None) else None
                for thread in threads:
                    thread.start()
                if track is not None:  # mixed while the first frames are decoded and drawn
                    heard = footage_audio(self.path, self.painter.duration) if self.audio is not None else None
                    if (samples := self.painter.mixed_with(heard)) is not None:
                        track.samples = samples
                for item in _drain(drawn):
                    frame, pooled = item[1], item[2]
                    frame.pts, frame.time_base = written, stream.codec_context.time_base
                    container.mux(stream.encode(frame))
                    if pooled:
                        free.put(frame)
                    written += 1
                    if track is not None:
                        track.feed_until(written / float(self.rate))
                    if report is not None and written % step == 0 and written < self.total:
                        report(written / self.total, f"Finished {written} of {self.total} frames")
                if self.failure:
                    raise self.failure[0]
                if self.stop.is_set():
                    raise Cancelled()
                if written == 0:
                    raise _undecodable()
                container.mux(stream.encode(None))
                if track is not None:
                    track.finish()
        except BaseException:
            self.stop.set()
            for thread in threads:
                thread.join(timeout=5)
            raise
        for thread in threads:
            thread.join()
        return self.painter.finished(written)

    def _guarded(self, body: Callable[..., None], *queues: queue.Queue[Any]) -> None:
        """Run a thread's body; its failure is handed to the encoding thread, and its output always ends."""
        try:
            body(*queues)
        except av.FFmpegError as exc:
            failure = _undecodable()
            failure.__cause__ = exc
            self.failure.append(failure)
        except BaseException as exc:
            self.failure.append(exc)
        finally:
            out = queues[1] if len(queues) > 1 else queues[0]
            _put(out, None, self.stop, force=True)

    def _decode(self, decoded: queue.Queue[Any]) -> None:
        """The footage's frames, as far as the video goes (`Painter.cut`)."""
        count = 0
        for packet in self.source.demux(self.video):  # the sound is decoded on its own, for the mix
            if self.stop.is_set() or self.failure:
                return
            for frame in packet.decode():
                if self.painter.cut is not None and count >= self.painter.cut:
                    return
                if not _put(decoded, ("video", frame), self.stop):
                    return
                count += 1

    def _draw(self, decoded: queue.Queue[Any], drawn: queue.Queue[Any], free: queue.Queue[av.VideoFrame]) -> None:
        for index, item in enumerate(_drain(decoded)):
            if self.stop.is_set() or self.failure:
                return
            frame = yuv420(item[1])
            taken: list[av.VideoFrame] = []
            pooled = functools.partial(self._pooled, free, taken)
            drew = self.painter.paint(planes(frame), index / float(self.rate), pooled)
            target = taken[0] if drew else frame  # a frame taken and not drawn into (stopped) is dropped
            target.pict_type = frame.pict_type if frame.pict_type in INTER else NONE
            if not _put(drawn, ("video", target, drew), self.stop):
                return

    def _pooled(self, free: queue.Queue[av.VideoFrame], taken: list[av.VideoFrame]) -> Planes | None:
        """A frame of the pool to draw into (kept in `taken`); None when stopped first."""
        if (out := _take(free, self.stop)) is None:
            return None
        taken.append(out)
        return planes(out)


def _put(q: queue.Queue[Any], item: Any, stop: threading.Event, force: bool = False) -> bool:
    """Hand `item` on, waiting while the queue is full; False when stopped first (with `force`, room is made)."""
    while True:
        try:
            q.put(item, timeout=0.2)
            return True
        except queue.Full:
            if stop.is_set():
                if not force:
                    return False
                with contextlib.suppress(queue.Empty):
                    q.get_nowait()


def _take(free: queue.Queue[av.VideoFrame], stop: threading.Event) -> av.VideoFrame | None:
    while not stop.is_set():
        try:
            return free.get(timeout=0.2)
        except queue.Empty:
            continue
    return None


def _drain(q: queue.Queue[Any]) -> Iterator[Any]:
    while (item := q.get()) is not None:
        yield item


async def finish_footage(
    storage: BlobStorage,
    job: RenderJob,
    footage: Path,
    dest: Path,
    progress: Progress,
    work: Callable[..., Finished] = finish,
) -> Finished:
    """Finish `footage` into `dest` in a worker thread, with the kit's files and the job's references from storage.
    `work` is `finish`, or one that reframes in the same pass (tools.finish.formats.finish_format), called alike.

    Progress runs 0..1; cancelling stops the thread at its next frame and removes dest before it returns. A failure
    is a ProviderFailed (stage "render") whose message says the ad could not be finished over the footage, a
    ClapboardError the work raised as it is, or StorageFailed for a full disk; the job body (JobBody._finish) turns each
    but the last into FinishingFailed, the stage a user sees."""
    await progress(0.0, "Reading the brand kit")
    files = await read_brand_files(storage, job)
    try:
        raw = [await read_all(storage, ref.key) for ref in job.references]
    except ClapboardError as exc:  # an attached logo would be left out for the kit's: the ad waits for it instead
        raise ProviderFailed(f"{STAGE} A reference image could not be read.", hint="Try again in a minute.") from exc
    await progress(0.02, "Drawing the ad over the footage")
    try:
        result = await in_thread(
            lambda report, cancel: work(footage, dest, job, files, report, cancel, references=raw), progress
        )
    except ClapboardError:
        raise
    except Exception as exc:
        if full := out_of_space(exc):
            log.error("finishing job %s: out of disk space (%s)", job.job_id, exc)
            raise full from exc
        log.exception("finishing failed for job %s", job.job_id)
        raise ProviderFailed(STAGE, hint="Try again; if it fails again, generate the footage again.") from exc
    log.info("finished %s: %d frames %dx%d@%.3g in %.2fs", job.job_id, result.frames, result.width, result.height,
             result.fps, result.seconds)  # fmt: skip
    await progress(1.0, "Ad finished")
    return result
