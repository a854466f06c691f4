"""Checks of an exported file against its placement, measured from the file itself: container and codecs,
faststart, constant frame rate, size, duration, bitrate, resolution, audio format, loudness and true peak, and
words inside the safe zone. A failed check says by how much and, where the product can make it, the fix.

`measure` reads the container's top-level MP4 boxes itself (is the index, moov, before the media, mdat?), the video
packets' timestamps (no frame is decoded: every frame lasting as long as the others within one tick is a constant
frame rate), and the decoded sound (integrated loudness by ITU-R BS.1770, the true peak 4x oversampled: the mix's
own meter, tools/sound/meter.py). `read_words` reads words off frames with RapidOCR, when it is installed.
"""

from __future__ import annotations

import functools
import math
import struct
from collections.abc import Callable, Sequence
from pathlib import Path

import av
import numpy as np
from pydantic import BaseModel

from campaign.errors import InvalidRequest
from tools.delivery.placements import Box, Placement
from tools.delivery.report import Check, Fix
from tools.sound.meter import loudness, true_peak_dbtp

SECONDS_SLACK = 0.05  # a file this much over or under a placement's lengths is not out of them (frame rounding)
OCR_SIDE = 960  # frames are read for words at most this long on their long side (boxes are scaled back)
DRAWN_MARGIN = 0.02  # of the frame: a word read this near where the finisher drew words is its, not the model's
SHOWN_PLACES = 3  # how many of the model's words outside the zone a failed check says the place of


class Measured(BaseModel):
    """What a file is, read from its bytes (PyAV, the BS.1770 meter, its MP4 boxes)."""

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
    audio_kbps: float | None  # bits the audio used, on average
    audio_nominal_kbps: float | None  # the rate it was encoded at (`nominal_audio_kbps`)
    loudness_lufs: float | None  # integrated, BS.1770; None without sound, or silent, or under 0.4 s
    true_peak_dbtp: float | None  # 4x oversampled


# --- measuring -------------------------------------------------------------------------------------------------


def top_boxes(path: Path) -> list[str]:
    """The types of the file's top-level ISO BMFF boxes, in order ("ftyp", "moov", "mdat")."""
    return [kind for kind, _, _ in _boxes(path)]


def _boxes(path: Path) -> list[tuple[str, int, int]]:
    """The file's top-level ISO BMFF boxes (type, offset, size), read from their headers (32-bit sizes, 64-bit ones
    after a size of 1, and a last box running to the end after a size of 0)."""
    found: list[tuple[str, int, int]] = []
    end = path.stat().st_size
    with path.open("rb") as f:
        at = 0
        while at + 8 <= end:
            f.seek(at)
            size, kind = struct.unpack(">I4s", f.read(8))
            if size == 1:
                (size,) = struct.unpack(">Q", f.read(8))
            elif size == 0:
                size = end - at
            if size < 8:  # not a box header: not an ISO file, or a broken one
                break
            found.append((kind.decode("latin-1"), at, size))
            at += size
    return found


def nominal_audio_kbps(path: Path) -> float | None:
    """The rate the AAC stream was encoded at, as its esds descriptor declares it (maxBitrate: FFmpeg writes the
    encoder's rate there, or the stream's average when that is higher); None without one. An encoder at 192 kb/s
    spends fewer bits on a plain sound (a tone used 52 kb/s): the platforms' audio rates are encoding settings."""
    moov = next(((at, size) for kind, at, size in _boxes(path) if kind == "moov"), None)
    if moov is None:
        return None
    with path.open("rb") as f:
        f.seek(moov[0])
        data = f.read(moov[1])
    at = data.find(b"esds")
    if at < 0:
        return None
    at += 8  # the type, then the full box's version and flags
    while at < len(data) and data[at] != 0x04:  # to the DecoderConfigDescriptor, past the ES_Descriptor's head
        at = _descriptor_body(data, at) + (3 if data[at] == 0x03 else 0)
    if at + 13 > len(data) or data[at] != 0x04:
        return None
    body = _descriptor_body(data, at)
    (max_rate,) = struct.unpack(">I", data[body + 5 : body + 9])
    return max_rate / 1000 or None


def _descriptor_body(data: bytes, at: int) -> int:
    """Where the body of the MPEG-4 descriptor at `at` starts: past its tag and its length (one to four bytes, each
    but the last with its top bit set)."""
    at += 1
    for _ in range(4):
        at += 1
        if not data[at - 1] & 0x80:
            break
    return at


def _container(path: Path, format_name: str) -> str:
    """The container's name: mp4 or mov (told apart by the ftyp box's major brand), else FFmpeg's first name."""
    if "mp4" not in format_name.split(","):
        return format_name.split(",")[0]
    with path.open("rb") as f:
        head = f.read(12)
    return "mov" if head[4:8] == b"ftyp" and head[8:12] == b"qt  " else "mp4"


def _constant(pts: list[int]) -> bool:
    """Every frame lasts as long as the others, within one tick of the stream's time base."""
    steps = np.diff(np.sort(np.asarray(pts, dtype=np.int64)))
    return len(steps) < 2 or int(steps.max() - steps.min()) <= 1


def measure(path: Path) -> Measured:
    """Blocking: `path` measured. Raises InvalidRequest when it is not a video."""
    try:
        container = av.open(str(path))
    except (av.FFmpegError, UnicodeDecodeError) as exc:
        raise InvalidRequest(f"{path.name} is not a video that can be read.", hint="Export it again.") from exc
    with container:
        if not container.streams.video:
            raise InvalidRequest(f"{path.name} has no picture: it is not a video.", hint="Export it again.")
        video = container.streams.video[0]
        audio = container.streams.audio[0] if container.streams.audio else None
        try:
            pts, samples, audio_bytes = _packets(container, video, audio)
        except av.FFmpegError as exc:
            raise InvalidRequest(f"{path.name} is a damaged video.", hint="Export it again.") from exc
        duration = _length(container, video, pts)
        size = path.stat().st_size
        loudness, peak = _loudness(samples, audio.codec_context.sample_rate) if audio is not None else (None, None)
        boxes = top_boxes(path)
        audio_kbps = None
        if audio is not None and duration:
            audio_kbps = (audio.bit_rate or audio_bytes * 8 / duration) / 1000
        return Measured(
            container=_container(path, container.format.name),
            video_codec=video.codec_context.name,
            audio_codec=audio.codec_context.name if audio is not None else None,
            faststart="moov" in boxes and "mdat" in boxes and boxes.index("moov") < boxes.index("mdat"),
            constant_fps=_constant(pts),
            fps=float(video.average_rate or video.guessed_rate or 0),
            width=video.codec_context.width,
            height=video.codec_context.height,
            duration_s=duration,
            bytes=size,
            kbps=size * 8 / duration / 1000 if duration else 0.0,
            audio_rate=audio.codec_context.sample_rate if audio is not None else None,
            audio_channels=audio.codec_context.channels if audio is not None else None,
            audio_kbps=audio_kbps,
            audio_nominal_kbps=nominal_audio_kbps(path) if audio is not None else None,
            loudness_lufs=loudness,
            true_peak_dbtp=peak,
        )


def _packets(
    container: av.container.InputContainer, video: av.VideoStream, audio: av.AudioStream | None
) -> tuple[list[int], np.ndarray | None, int]:
    """One pass over the file: the video packets' timestamps (not decoded), the sound decoded to float samples
    (n, channels), and the audio packets' bytes."""
    pts: list[int] = []
    sound: list[np.ndarray] = []  # planar frames (channels, n)
    planar = av.AudioResampler(format="fltp")  # whatever the decoder gives: float samples, one row a channel
    audio_bytes = 0
    for packet in container.demux([video] if audio is None else [video, audio]):
        if packet.pts is None:
            continue  # the demuxer's flush packet
        if packet.stream is video:
            pts.append(packet.pts)
        elif audio is not None:
            audio_bytes += packet.size
            sound.extend(f.to_ndarray() for frame in audio.decode(packet) for f in planar.resample(frame))
    return pts, (np.concatenate(sound, axis=1).T if sound else None), audio_bytes


def _length(container: av.container.InputContainer, video: av.VideoStream, pts: list[int]) -> float:
    """The file's length: the container's, else the video's last frame's end."""
    if container.duration:
        return container.duration / av.time_base
    if pts and video.time_base is not None:
        step = float(np.median(np.diff(sorted(pts)))) if len(pts) > 1 else 0.0
        return float((max(pts) - min(pts) + step) * video.time_base)
    return 0.0


def _loudness(samples: np.ndarray | None, rate: int) -> tuple[float | None, float | None]:
    """Integrated loudness (None when silent or under 0.4 s) and true peak (None when silent) of `samples`."""
    if samples is None or not len(samples):
        return None, None
    peak, level = true_peak_dbtp(samples), loudness(samples, rate)
    return (round(level, 2) if math.isfinite(level) else None), (round(peak, 2) if math.isfinite(peak) else None)


# --- judging ---------------------------------------------------------------------------------------------------


def _n(x: float, digits: int = 2) -> str:
    """A number as people write it: 30, 29.97, 1.5."""
    return f"{x:.{digits}f}".rstrip("0").rstrip(".")


def _span(seconds: float) -> str:
    return f"{_n(seconds / 60, 1)} min" if seconds >= 600 else f"{_n(seconds, 1)} s"


def _span_range(lo: float, hi: float) -> str:
    """A span of seconds as "5–60 s", or "1 s–241 min" (one unit when both ends have it)."""
    low, high = _span(lo), _span(hi)
    return f"{low.split()[0]}–{high}" if low.split()[1] == high.split()[1] else f"{low}–{high}"


def _bytes(n: float) -> str:
    return f"{_n(n / 1e9)} GB" if n >= 1e9 else f"{_n(n / 1e6, 1)} MB" if n >= 1e6 else f"{_n(n / 1e3, 1)} KB"


def _shape(width: int, height: int) -> str:
    """A frame's shape: 4:5 for 1080x1350, 1.23:1 where the smallest whole numbers are not small."""
    g = math.gcd(width, height) or 1
    return f"{width // g}:{height // g}" if max(width, height) // g <= 64 else f"{width / max(1, height):.2f}:1"


def _ratio(aspect: str) -> float:
    w, h = aspect.split(":")
    return int(w) / int(h)


def _outside(boxes: Sequence[Box], zone: Box) -> tuple[list[Box], str]:
    """The `boxes` that reach out of `zone`, and by how far on each side (the farthest box a side): "120 px over
    the bottom, 30 px over the right"."""
    zl, zt, zr, zb = zone
    over = {"left": 0, "top": 0, "right": 0, "bottom": 0}
    out = []
    for box in boxes:
        left, top, right, bottom = box
        sides = {"left": zl - left, "top": zt - top, "right": right - zr, "bottom": bottom - zb}
        if any(v > 0 for v in sides.values()):
            out.append(box)
        for side, v in sides.items():
            over[side] = max(over[side], v)
    return out, ", ".join(f"{v} px over the {side}" for side, v in over.items() if v > 0)


def _zone_check(name: str, boxes: Sequence[Box], zone: Box, what: str, *, placed: bool = False) -> Check:
    """Whether `boxes` keep inside `zone`; with `placed`, a failure also says where the first words outside are."""
    limit = f"inside {zone[0]}–{zone[2]} px across, {zone[1]}–{zone[3]} px down"
    out, far = _outside(boxes, zone)
    measured = f"{len(out)} of {len(boxes)} {what} outside" if out else f"all {len(boxes)} {what} inside"
    if not boxes:
        measured = f"no {what}"
    if out and placed:
        far += "; at " + "; ".join(f"{left}–{right} px across, {top}–{bottom} px down"
                                   for left, top, right, bottom in out[:SHOWN_PLACES])  # fmt: skip
    return Check(name=name, ok=not out, measured=measured, limit=limit, off_by=far)


def models_words(read: Sequence[Box], drawn: Sequence[Box], width: int, height: int) -> list[Box]:
    """The words read off the frames that the model drew: those not on (nor within 2% of the frame of) a box where
    the finisher drew words."""
    mx, my = round(width * DRAWN_MARGIN), round(height * DRAWN_MARGIN)
    grown = [(left - mx, top - my, right + mx, bottom + my) for left, top, right, bottom in drawn]

    def ours(box: Box) -> bool:
        return any(box[0] < g[2] and g[0] < box[2] and box[1] < g[3] and g[1] < box[3] for g in grown)

    return [box for box in read if not ours(box)]


def check(
    measured: Measured,
    placement: Placement,
    text_boxes: Sequence[Box] = (),
    read: Sequence[Box] | None = None,
    unread: str = "not read",
) -> list[Check]:
    """Every check of `measured` against `placement`. `text_boxes` are where the finisher drew words (its own
    layout); `read` are the words' boxes read off the frames of model footage (None: not read, for `unread`), of
    which those the model drew (not on the finisher's words) must keep inside the safe zone."""
    m, p = measured, placement
    checks = [
        Check(name="container", ok=m.container == "mp4", measured=m.container, limit="mp4"),
        Check(name="video codec", ok=m.video_codec == "h264", measured=m.video_codec, limit="h264"),
        _audio_format(m, p),
        Check(
            name="faststart",
            ok=m.faststart,
            measured="index first" if m.faststart else "index after the media",
            limit="index (moov) before the media (mdat)",
        ),
        Check(
            name="constant frame rate",
            ok=m.constant_fps,
            measured="constant" if m.constant_fps else "variable",
            limit="constant",
        ),
        _within("frame rate", m.fps, p.fps, "fps", _n),
        _resolution(m, p),
        duration_check(m.duration_s, p),
        Check(
            name="file size",
            ok=m.bytes <= p.max_bytes,
            measured=_bytes(m.bytes),
            limit=f"at most {_bytes(p.max_bytes)}",
            off_by="" if m.bytes <= p.max_bytes else f"{_bytes(m.bytes - p.max_bytes)} too big",
        ),
        _within("bitrate", m.kbps, p.video_kbps, "kb/s", lambda x: f"{x:,.0f}"),
        *_sound(m, p),
    ]
    zone = p.safe_box(m.width, m.height)
    if text_boxes:
        checks.append(_zone_check("safe zone", text_boxes, zone, "words drawn"))
    else:
        checks.append(Check(name="safe zone", ok=True, measured="", limit="", skipped="no words drawn"))
    if read is None:
        checks.append(Check(name="words on the footage", ok=True, measured="", limit="", skipped=unread))
    else:
        model = models_words(read, text_boxes, m.width, m.height)
        checks.append(_zone_check("words on the footage", model, zone, "words read", placed=True))
    return checks


def _within(name: str, value: float, span: tuple[float, float], unit: str, say: Callable[[float], str]) -> Check:
    """`value` inside `span` (a span from 0 is said as "at most")."""
    lo, hi = span
    limit = f"at most {say(hi)} {unit}" if lo <= 0 else f"{say(lo)}–{say(hi)} {unit}"
    off = (
        f"{say(lo - value)} {unit} too low"
        if value < lo
        else f"{say(value - hi)} {unit} too high"
        if value > hi
        else ""
    )
    return Check(name=name, ok=not off, measured=f"{say(value)} {unit}", limit=limit, off_by=off)


def _audio_format(m: Measured, p: Placement) -> Check:
    rates = " or ".join(f"{_n(r / 1000, 1)} kHz" for r in p.audio_rates)
    channels = "stereo" if p.audio_channels == 2 else f"{p.audio_channels} channels"
    limit = f"aac, {channels}, {rates}"
    if m.audio_codec is None:
        return Check(name="audio format", ok=True, measured="", limit=limit, skipped="no sound")
    heard = "stereo" if m.audio_channels == 2 else "mono" if m.audio_channels == 1 else f"{m.audio_channels} channels"
    wrong = [
        f"{m.audio_codec}, not aac" if m.audio_codec != "aac" else "",
        f"{heard}, not {channels}" if m.audio_channels != p.audio_channels else "",
        f"{_n((m.audio_rate or 0) / 1000, 1)} kHz, not {rates}" if m.audio_rate not in p.audio_rates else "",
    ]
    off = "; ".join(w for w in wrong if w)
    measured = f"{m.audio_codec}, {heard}, {_n((m.audio_rate or 0) / 1000, 1)} kHz"
    return Check(name="audio format", ok=not off, measured=measured, limit=limit, off_by=off)


def _resolution(m: Measured, p: Placement) -> Check:
    want = _ratio(p.aspect)
    have = m.width / m.height if m.height else 0.0
    wrong = []
    if abs(have - want) > 0.01 * want:
        wrong.append(f"{_shape(m.width, m.height)}, not {p.aspect}")
    if m.width < p.min_width:
        wrong.append(f"{p.min_width - m.width} px too narrow")
    if m.height < p.min_height:
        wrong.append(f"{p.min_height - m.height} px too short")
    return Check(
        name="resolution",
        ok=not wrong,
        measured=f"{m.width}x{m.height}",
        limit=f"{p.aspect}, at least {p.min_width}x{p.min_height}",
        off_by="; ".join(wrong),
    )


def duration_check(seconds: float, p: Placement) -> Check:
    """Whether a video `seconds` long fits `p`'s lengths; too long, with the trim that fixes it. Checked before
    an export renders (from the creative's length) and on every file it made."""
    lo, hi = p.duration_s
    limit, measured = _span_range(lo, hi), f"{seconds:.1f} s"
    if seconds > hi + SECONDS_SLACK:  # a frame's rounding is not too long
        text = f"{p.label} takes at most {_span(hi)}: trim to {_span(hi)}?"
        return Check(
            name="duration",
            ok=False,
            measured=measured,
            limit=limit,
            off_by=f"{seconds - hi:.1f} s too long",
            fix=Fix(kind="trim", seconds=hi, text=text),
        )
    if seconds < lo - SECONDS_SLACK:
        off = f"{lo - seconds:.1f} s too short: {p.label} takes at least {_span(lo)}"
        return Check(name="duration", ok=False, measured=measured, limit=limit, off_by=off)
    return Check(name="duration", ok=True, measured=measured, limit=limit)


def _sound(m: Measured, p: Placement) -> list[Check]:
    """The audio bitrate, loudness and true peak checks (skipped without sound, or what could not be measured)."""
    target, tolerance = p.loudness_lufs, p.loudness_tolerance_lu
    loud_limit = f"{_n(target, 1)} ±{_n(tolerance, 1)} LUFS"
    peak_limit = f"at most {_n(p.true_peak_dbtp, 1)} dBTP"
    kbps_limit = f"at least {p.audio_kbps_min} kb/s"
    if m.audio_codec is None:
        return [
            Check(name=name, ok=True, measured="", limit=limit, skipped="no sound")
            for name, limit in (("audio bitrate", kbps_limit), ("loudness", loud_limit), ("true peak", peak_limit))
        ]
    kbps = m.audio_nominal_kbps or m.audio_kbps or 0.0
    used = f" ({m.audio_kbps:.0f} used)" if m.audio_nominal_kbps and m.audio_kbps else ""
    checks = [
        Check(
            name="audio bitrate",
            ok=kbps >= p.audio_kbps_min,
            measured=f"{kbps:.0f} kb/s{used}",
            limit=kbps_limit,
            off_by="" if kbps >= p.audio_kbps_min else f"{p.audio_kbps_min - kbps:.0f} kb/s too low",
        )
    ]
    if m.loudness_lufs is None:
        checks.append(Check(name="loudness", ok=True, measured="", limit=loud_limit, skipped="silent or under 0.4 s"))
    else:
        diff = m.loudness_lufs - target
        ok = abs(diff) <= tolerance + 1e-9
        off = "" if ok else f"{abs(diff):.1f} LU too {'loud' if diff > 0 else 'quiet'}"
        checks.append(
            Check(name="loudness", ok=ok, measured=f"{m.loudness_lufs:.1f} LUFS", limit=loud_limit, off_by=off)
        )
    if m.true_peak_dbtp is None:
        checks.append(Check(name="true peak", ok=True, measured="", limit=peak_limit, skipped="silent"))
    else:
        over = m.true_peak_dbtp - p.true_peak_dbtp
        checks.append(
            Check(
                name="true peak",
                ok=over <= 1e-9,
                measured=f"{m.true_peak_dbtp:.1f} dBTP",
                limit=peak_limit,
                off_by="" if over <= 1e-9 else f"{over:.1f} dB over",
            )
        )
    return checks


# --- reading words off frames --------------------------------------------------------------------------------


@functools.cache
def _ocr() -> object | None:
    """RapidOCR's engine (its models ship in the wheel; loading takes about half a second), or None where it is
    not installed (Python 3.13)."""
    try:
        from rapidocr_onnxruntime import RapidOCR
    except ImportError:
        return None
    return RapidOCR()


def read_words(path: Path, times: Sequence[float]) -> list[Box] | None:
    """Blocking: the boxes of the words read off the video's frames at `times` (seconds), in the frame's pixels;
    None where no OCR is installed. About a second a frame on two cores."""
    engine = _ocr()
    if engine is None:
        return None
    boxes: list[Box] = []
    with av.open(str(path)) as container:
        video = container.streams.video[0]
        for t in sorted(times):
            frame = _frame_at(container, video, t)
            if frame is None:
                continue
            scale = min(1.0, OCR_SIDE / max(frame.width, frame.height))
            w, h = round(frame.width * scale), round(frame.height * scale)
            image = frame.to_ndarray(format="bgr24", width=w, height=h)
            found, _ = engine(image, use_cls=False)  # type: ignore[operator]
            for corners, _text, _score in found or ():
                xs, ys = [x for x, _ in corners], [y for _, y in corners]
                boxes.append(
                    (
                        math.floor(min(xs) / scale),
                        math.floor(min(ys) / scale),
                        math.ceil(max(xs) / scale),
                        math.ceil(max(ys) / scale),
                    )
                )
    return boxes


def _frame_at(container: av.container.InputContainer, video: av.VideoStream, t: float) -> av.VideoFrame | None:
    """The frame showing at `t` seconds: decoded from the key frame before it."""
    assert video.time_base is not None
    container.seek(int(t / video.time_base), stream=video, backward=True)
    shown = None
    for frame in container.decode(video):
        if frame.time is not None and frame.time > t + 1e-6:
            return shown or frame
        shown = frame
    return shown
