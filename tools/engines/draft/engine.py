"""The `draft` engine: a local renderer (Pillow draws, PyAV/libx264 encodes) that needs no provider.

It turns a brief, its on-screen copy and its reference images into a short motion design: brand animation,
product showcase, social-media ad, or the copy over the references, over one of the template's music beds
(tools/sound/music.py) whose beats the cuts land on, mixed with the voice-over (tools/sound/mix.py). Frames
stream from a drawing thread into the encoder (a small bounded queue, never a clip-sized frame list), so drawing
and x264's own threads overlap; the sound is mixed meanwhile and muxed in step with the video. The encoders'
settings and thread counts are fixed, so identical inputs give identical bytes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction
from pathlib import Path
from typing import Final, TypeVar

import av
import numpy as np
from PIL import Image

from campaign.errors import ClapboardError, ProviderFailed, out_of_space
from campaign.storage import BlobStorage, read_all
from tools.brand.follow import ATTACHED_LOGO, colours_for, roles
from tools.brief import AdCopy, get_template
from tools.brief.variations import Change
from tools.engines.base import Progress, RenderJob, RenderOutcome
from tools.engines.draft.hooks import HOOKS, Hooked
from tools.engines.draft.kit import Box, Marks, Probe, RefImage, Stage, load_reference, logo_score
from tools.engines.draft.motion import told
from tools.engines.draft.palette import (
    Palette,
    palette_from_brief,
    palette_from_images,
    palette_from_roles,
    swapped,
)
from tools.engines.draft.scenes import DESIGNS, Design
from tools.engines.draft.text import kit_face
from tools.sound.captions import captions_for
from tools.sound.mix import PEAK_CEILING_DBTP, AudioTrack, Mixed, mix, target_lufs
from tools.sound.music import Mood, bed_for
from tools.sound.placing import onto_card
from tools.sound.speech import CreativeSound, Speech

log = logging.getLogger(__name__)

# Encoder settings shared with bench/render.py's encode-only baseline.
CODEC: Final = "libx264"  # a literal: PyAV then types the stream it adds as video
PRESET = "veryfast"
CRF = "23"
# A fixed thread count: x264's output depends on it, so a fixed number keeps the bytes identical on any machine.
THREADS = 3
LOOKAHEAD = "5"


def _x264_asm() -> dict[str, str]:
    """x264's options for its CPU code: PyAV 18's x264 on an AVX-512 Xeon read memory it had not written, so the same
    frames encoded after other work (a decode) came out as other bytes, and a frame's words could blur past reading
    at 352 or 360 wide; its AVX2 code gives the same bytes every time, as fast. Elsewhere x264 picks its own."""
    try:
        cpu = Path("/proc/cpuinfo").read_text()
    except OSError:
        return {}
    return {"x264-params": "asm=AVX2"} if " avx512f" in cpu else {}


X264_ASM: Final = _x264_asm()
ABR_OVER_FLOOR = 4  # a placement's bitrate floor times this is the least average asked: x264 lands within ~10%
BITS_PER_PIXEL = 0.1  # per pixel per frame, the least average asked for a placement with a floor: camera footage
# keeps its detail (6.2 Mb/s at 1080x1920 and 30 fps, where 4 x TikTok's floor alone is 2.1)
QUEUE_FRAMES = 3
REPORT_EVERY_S = 1.0  # progress at each tenth of the frames, and at least this often (a 60 s 1080p draft's tenth
# took 3-4 s here: its bar stood still between)

Report = Callable[[float, str], None]
T = TypeVar("T")


class Cancelled(Exception):
    """The render was stopped before it finished."""


@dataclass
class DraftResult:
    """What a render produced, besides the file."""

    frames: int
    width: int
    height: int
    fps: int
    audio: bool
    palette: Palette
    copy: AdCopy
    text_boxes: set[Box] = field(default_factory=set)
    safe: Box = (0, 0, 0, 0)
    seconds: float = 0.0
    notice: str = ""
    sound: CreativeSound | None = None  # the music bed and the loudness measured, when the draft has sound
    speech: Speech | None = None  # the voice-over as it was placed on the draft's beats, when it has one


def bed_of(job: RenderJob, template: str) -> Mood:
    """The music bed the job's video is cut to (its beats), heard or not: by the mood asked, the brief's words and
    the variation's seed. A variation changes one thing: a music one takes the next bed along, any other keeps the
    music (a pacing one cuts faster to the same beats); one with other shots (another seed) gets another bed."""
    other = 1 if job.variant.change == Change.music else 0  # a music variation: the next bed along
    return bed_for(template, job.sound.mood, job.brief, job.variant.seed + other)


def mixed_sound(job: RenderJob, template: str, duration_s: float, *, music: bool,
                footage: np.ndarray | None = None, fade_out_s: float = 0.0) -> Mixed | None:  # fmt: skip
    """The job's sound: its bed (when `music` and the job did not say "no music"), its voice-over and the footage's
    own sound, mixed to the job's loudness target and true-peak ceiling (its placement's, when it is made for one),
    faded out over its last `fade_out_s` (sound cut short); None when there is nothing to hear."""
    bed = bed_of(job, template) if music and job.sound.music else None
    if (placement := job.placement) is not None:
        target, ceiling = placement.loudness_lufs, placement.true_peak_dbtp
    else:
        target, ceiling = target_lufs(job.aspect, job.sound.broadcast), PEAK_CEILING_DBTP
    return mix(duration_s, target, ceiling_dbtp=ceiling, fade_out_s=fade_out_s, bed=bed, speech=job.speech,
               footage=footage)  # fmt: skip


def encoder_stream(
    container: av.container.OutputContainer, width: int, height: int, fps: int | Fraction, floor_kbps: int = 0
) -> av.VideoStream:
    """The H.264 stream every draft (and the bench's encode-only baseline, and reframed footage) is written with:
    constant quality, or for a placement that takes no less than `floor_kbps` (TikTok: 516 kb/s; a plain 15 s
    1080x1920 draft at constant quality used 461 in all) an average bitrate of `ABR_OVER_FLOOR` times that floor
    or `BITS_PER_PIXEL` of every frame's pixels, whichever is more."""
    stream = container.add_stream(CODEC, rate=fps)
    stream.width, stream.height = width, height
    stream.pix_fmt = "yuv420p"
    stream.time_base = Fraction(1, fps)
    stream.codec_context.time_base = Fraction(1, fps)
    stream.codec_context.thread_count = THREADS
    # A short lookahead: x264 holds that many frames per thread, about 60 MB less at 1080x1920 (the drafts'
    # motion is planned, so rate control gains little from looking further).
    stream.options = {"preset": PRESET, "crf": CRF, "threads": str(THREADS), "rc-lookahead": LOOKAHEAD, **X264_ASM}
    if floor_kbps:
        stream.options = {"preset": PRESET, "threads": str(THREADS), "rc-lookahead": LOOKAHEAD, **X264_ASM}
        stream.bit_rate = round(max(floor_kbps * ABR_OVER_FLOOR * 1000, BITS_PER_PIXEL * width * height * fps))
    return stream


def new_frame(width: int, height: int, index: int) -> av.VideoFrame:
    """An empty RGB0 video frame for frame number `index`."""
    vf = av.VideoFrame(width, height, "rgb0")
    vf.pts = index
    return vf


def canvas_for(vf: av.VideoFrame) -> Image.Image:
    """A Pillow RGBX image whose pixels are the video frame's own buffer: what is drawn on it is the frame,
    with no copy between drawing and encoding."""
    plane = vf.planes[0]
    # Pillow types `data` as bytes, but reads any buffer; the plane is one (PyAV types it with `__buffer__`).
    canvas = Image.frombuffer("RGBX", (vf.width, vf.height), plane, "raw", "RGBX", plane.line_size, 1)  # type: ignore[arg-type]
    # Pillow marks images over foreign buffers read-only (copy on first write); this buffer is ours to fill.
    canvas.readonly = 0
    return canvas


def open_output(dest: Path) -> av.container.OutputContainer:
    """An MP4 with its index (moov) first, so playback starts before the download ends."""
    return av.open(str(dest), "w", format="mp4", options={"movflags": "faststart"})


def prepare_references(raw: Sequence[bytes], width: int, height: int) -> list[RefImage]:
    """Decode stored reference bytes at a size that is enough for this frame size."""
    max_side = int(max(width, height) * 1.25)
    refs = []
    for k, data in enumerate(raw):
        try:
            ref = load_reference(data, max_side)
            ref.drop()  # decoded again when a layer needs the pixels, one reference at a time
            refs.append(ref)
        except (OSError, ValueError, Image.DecompressionBombError) as exc:
            raise ProviderFailed(
                f"Reference image {k + 1} could not be read.",
                hint="Upload it again as a PNG or JPEG.",
                user_input=True,
            ) from exc
    return refs


@dataclass
class BrandFiles:
    """The stored files of a job's brand kit, read for one render: its logos and its fonts by use."""

    logo: bytes | None = None
    logo_light: bytes | None = None
    fonts: dict[str, bytes] = field(default_factory=dict)  # "headline" / "body" -> the font file


async def read_brand_files(storage: BlobStorage, job: RenderJob) -> BrandFiles:
    """The kit's logos and fonts from storage; one that cannot be read is left out (the video is made without it)."""
    kit, files = job.brand, BrandFiles()
    if kit is None:
        return files

    async def read(key: str | None) -> bytes | None:
        if key is None:
            return None
        try:
            return await read_all(storage, key)
        except ClapboardError as exc:
            log.warning("draft %s: brand file %s could not be read (%s)", job.job_id, key, exc)
            return None

    files.logo, files.logo_light = await read(kit.logo), await read(kit.logo_light)
    for font in kit.fonts:
        if (data := await read(font.key)) is not None:
            files.fonts[font.use] = data
    return files


def _brand_logo(data: bytes | None, max_side: int) -> RefImage | None:
    if data is None:
        return None
    try:
        return load_reference(data, max_side)
    except (OSError, ValueError, Image.DecompressionBombError):
        log.warning("a brand kit's logo could not be read; the video is made without it")
        return None


def brand_stage(
    job: RenderJob, refs: list[RefImage], files: BrandFiles | None = None, probe: Probe | None = None
) -> Stage:
    """The job's stage: its frame, the palette, fonts, logos and legal line it follows (the draft's designs and the
    finisher draw with the same ones).

    The brand kit's colours (or the brief's own, when it asks for some) make the palette; the references' colours
    only when neither gives any. An attached logo takes the kit's logo's place for this video."""
    template = job.template or "prompt"  # the template's name, as the job's spec keeps it; else looked up
    if template not in DESIGNS:
        template = get_template(template).name  # an alias, or InvalidRequest naming the templates
    kit, files = job.brand, files or BrandFiles()
    followed = colours_for(kit, job.brief)
    notices = [followed.notice]
    side = int(max(job.width, job.height) * 1.25)
    marks = Marks(logo=_brand_logo(files.logo, side), logo_light=_brand_logo(files.logo_light, side),
                  legal=kit.legal if kit is not None else "")  # fmt: skip
    if marks.logo is None:
        marks.logo, marks.logo_light = marks.logo_light, None
    if marks.logo is not None and any(logo_score(r) >= 2.5 for r in refs):
        marks.logo = marks.logo_light = None
        notices.append(ATTACHED_LOGO)
    images = [r.thumb for r in refs]
    # Logos and the first reference (the subject) count most for the brand palette.
    weights = [3.0 if (k == 0 or logo_score(r) >= 2.5) else 1.0 for k, r in enumerate(refs)]
    if marks.logo is not None:
        images, weights = [marks.logo.thumb, *images], [3.0, *weights]
    if followed.colors:
        by_role = roles(followed.colors)
        background = by_role.background or followed.colors[0].rgb
        palette = palette_from_roles(background, by_role.text, by_role.accent, by_role.colours, followed.source)
    else:
        palette = palette_from_images(images, job.brief, weights) if images else palette_from_brief(job.brief)
    if job.variant.change == Change.colourway:
        palette = swapped(palette)
    faces = {}
    if headline := files.fonts.get("headline"):
        faces["black"] = kit_face(headline)
    if body := files.fonts.get("body"):
        faces["bold"] = faces["medium"] = kit_face(body)
    stage = Stage(
        width=job.width,
        height=job.height,
        fps=job.fps,
        frames=job.duration_s * job.fps,
        aspect=job.aspect,
        palette=palette,
        template=template,
        beat=bed_of(job, template).beat,
        variant=job.variant.seed,
        change=job.variant.change,
        faces=faces,
        probe=probe,
        marks=marks,
        notice=" ".join(n for n in notices if n),
        motion=job.motion,
        margins=job.placement.safe if job.placement is not None else None,
    )
    if (captions := captions_for(job, stage)) is not None:  # the designs' words keep above the captions
        stage.caption_band = captions.band
    return stage


def build_design(
    job: RenderJob, refs: list[RefImage], files: BrandFiles | None = None, probe: Probe | None = None
) -> tuple[Design, Stage]:
    """The template's motion design for this job, with its palette, fonts, logo and copy, ready to draw: a hook
    variation plays its hook over the start of the template's design."""
    stage = brand_stage(job, refs, files, probe)
    copy = job.variant.copy_for(job.copy)
    design = DESIGNS[stage.template]
    drawn = Hooked(stage, refs, copy, design) if job.variant.change in HOOKS else design(stage, refs, copy)
    if stage.motion is not None and stage.moved:  # the user is told the motion the video does
        stage.notice = " ".join(n for n in [stage.notice, told(stage.motion, stage.moved)] if n)
    return drawn, stage


def render_draft(
    job: RenderJob,
    raw_references: Sequence[bytes],
    dest: Path,
    report: Report | None = None,
    cancel: threading.Event | None = None,
    files: BrandFiles | None = None,
) -> DraftResult:
    """Render the job to `dest` (blocking; run it in a worker thread). Raises Cancelled when `cancel` is set."""
    started = time.perf_counter()
    refs = prepare_references(raw_references, job.width, job.height)
    design, stage = build_design(job, refs, files)
    for ref in [*refs, stage.marks.logo, stage.marks.logo_light]:  # the design made what it needs; shots decode
        if ref is not None:  # their reference again when they start
            ref.drop()
    del refs
    if job.speech is not None and job.sound.script is not None:  # the price and the close said on the end card
        job = replace(job, speech=onto_card(job.speech, job.sound.script, design.end_start, stage.duration))
    captions = captions_for(job, stage)
    total = stage.frames
    frames: queue.Queue = queue.Queue(maxsize=QUEUE_FRAMES)
    stop = cancel or threading.Event()
    failure: list[BaseException] = []

    def draw_frames() -> None:
        try:
            # One RGB frame is drawn over and over (fresh buffers would cost page faults on every frame); each
            # drawing is converted here to the encoder's pixel format, a new frame, so the encoding thread only
            # encodes.
            rgb = new_frame(stage.width, stage.height, 0)
            canvas = canvas_for(rgb)
            for i in range(total):
                if stop.is_set():
                    break
                design.draw(i, canvas)
                if captions is not None:
                    captions.draw(canvas, i / stage.fps)
                vf = rgb.reformat(format="yuv420p")
                vf.pts = i
                vf.time_base = Fraction(1, stage.fps)
                while not stop.is_set():
                    try:
                        frames.put(vf, timeout=0.2)
                        break
                    except queue.Full:
                        continue
        except BaseException as exc:  # handed to the encoding thread, which raises it
            failure.append(exc)
        finally:
            while True:
                try:
                    frames.put(None, timeout=0.2)
                    break
                except queue.Full:
                    if stop.is_set():
                        with contextlib.suppress(queue.Empty):
                            frames.get_nowait()

    drawer = threading.Thread(target=draw_frames, name="draft-draw", daemon=True)
    step = max(1, total // 10)
    written, reported = 0, time.monotonic()
    try:
        with open_output(dest) as container:
            stream = encoder_stream(container, stage.width, stage.height, stage.fps, job.floor_kbps)
            heard = job.speech is not None or (job.audio and job.sound.music)
            track = AudioTrack(container) if heard else None
            drawer.start()
            mixed = None
            if track is not None:  # made while the first frames are drawn
                mixed = mixed_sound(job, stage.template, stage.duration, music=job.audio)
                track.samples = mixed.samples if mixed is not None else track.samples
            while True:
                vf = frames.get()
                if vf is None:
                    break
                container.mux(stream.encode(vf))
                written += 1
                if track is not None:
                    track.feed_until(written / stage.fps)
                if (
                    report is not None
                    and written < total
                    and (written % step == 0 or time.monotonic() - reported >= REPORT_EVERY_S)
                ):
                    report(written / total, f"Rendered {written} of {total} frames")
                    reported = time.monotonic()
            if failure:
                raise failure[0]
            if stop.is_set() and written < total:
                raise Cancelled()
            container.mux(stream.encode(None))
            if track is not None:
                track.finish()
    except BaseException:
        stop.set()
        drawer.join(timeout=5)
        dest.unlink(missing_ok=True)
        raise
    drawer.join()
    return DraftResult(
        frames=written,
        width=stage.width,
        height=stage.height,
        fps=stage.fps,
        audio=track is not None,
        palette=stage.palette,
        copy=design.copy,
        text_boxes=stage.text_boxes,
        safe=stage.safe,
        seconds=time.perf_counter() - started,
        notice=stage.notice,
        sound=mixed.sound if mixed is not None else None,
        speech=job.speech,
    )


async def in_thread(work: Callable[[Report, threading.Event], T], progress: Progress) -> T:
    """Run blocking `work(report, cancel)` in a worker thread, passing its progress on as 0.02..0.98 of the step's.
    When this coroutine is cancelled, `cancel` is set and the thread is waited for: it stops at its next frame and
    removes what it wrote (its Cancelled is expected then)."""
    loop = asyncio.get_running_loop()
    notes: asyncio.Queue[tuple[float, str]] = asyncio.Queue()
    cancel = threading.Event()

    def report(fraction: float, note: str) -> None:
        loop.call_soon_threadsafe(notes.put_nowait, (fraction, note))

    task = asyncio.ensure_future(asyncio.to_thread(work, report, cancel))
    task.add_done_callback(lambda t: None if t.cancelled() else t.exception())
    try:
        while not task.done():
            getter = asyncio.ensure_future(notes.get())
            await asyncio.wait({task, getter}, return_when=asyncio.FIRST_COMPLETED)
            if getter.done():
                fraction, note = getter.result()
                await progress(round(0.02 + 0.96 * fraction, 3), note)
            else:
                getter.cancel()
        return task.result()
    except asyncio.CancelledError:
        cancel.set()
        await asyncio.wait({task})
        raise


class DraftEngine:
    """Renders a motion draft of the brief over its references, on this machine, for free."""

    def __init__(self, storage: BlobStorage) -> None:
        self.storage = storage

    async def render(self, job: RenderJob, dest: Path, progress: Progress) -> RenderOutcome:
        await progress(0.0, "Reading the references")
        raw = [await read_all(self.storage, ref.key) for ref in job.references]
        files = await read_brand_files(self.storage, job)
        await progress(0.02, "Drawing the draft")
        try:
            result = await in_thread(
                lambda report, cancel: render_draft(job, raw, dest, report, cancel, files), progress
            )
        except ClapboardError:
            raise
        except Exception as exc:
            if full := out_of_space(exc):
                log.error("draft render of job %s: out of disk space (%s)", job.job_id, exc)
                raise full from exc
            log.exception("draft render failed for job %s", job.job_id)
            raise ProviderFailed(
                "The draft could not be rendered.", hint="Try again, or try other reference images."
            ) from exc
        log.info(
            "draft %s: %d frames %dx%d@%d in %.2fs",
            job.job_id,
            result.frames,
            result.width,
            result.height,
            result.fps,
            result.seconds,
        )
        await progress(1.0, "Draft rendered")
        return RenderOutcome(provider_job_id=None, predict_time_s=round(result.seconds, 3), actual_cost_usd=0.0,
                             notice=result.notice, sound=result.sound, speech=result.speech)  # fmt: skip

    async def cancel(self, prediction_id: str) -> None:
        """Nothing runs elsewhere: cancelling `render` stops the drawing thread."""
