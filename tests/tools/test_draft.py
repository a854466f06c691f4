"""The draft engine: every template at every aspect, decoded and checked the way a viewer would notice."""

from __future__ import annotations

import asyncio
import hashlib
import io
import math
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageStat

from campaign.errors import InvalidRequest, ProviderFailed
from campaign.storage import LocalStorage, UrlSigner
from tests.fakes.footage import write_footage
from tests.fakes.listen import bursts, level_db, true_peak_db
from tools import media
from tools.brand.contrast import contrast
from tools.brief import AdCopy, key_phrases, read_copy
from tools.brief.variations import Variant
from tools.catalog import frame_size
from tools.engines.base import Reference, RenderJob
from tools.engines.draft.engine import (
    DraftEngine,
    bed_of,
    build_design,
    canvas_for,
    new_frame,
    prepare_references,
    render_draft,
)
from tools.engines.draft.kit import load_reference
from tools.engines.draft.palette import palette_from_brief, palette_from_images
from tools.engines.draft.provider import DRAFT
from tools.engines.draft.text import clean_text, fit_text, font

TEMPLATES = ["brand-animation", "product-showcase", "social-media", "prompt"]
ASPECTS = ["16:9", "9:16", "1:1", "4:5"]
BRIEFS = {
    "brand-animation": 'Logo reveal for Prism Labs. tagline: "Colour in motion". Learn more',
    "product-showcase": 'Showcase the "Spectra One" lamp, featuring 16M colours, app control and 40h battery. $129',
    "social-media": 'TikTok ad. Hook: "Light up your nights" features: sets the mood; syncs to music. Shop now',
    "prompt": 'A glowing lamp in a cosy living room at night, warm and calm: "Calm evenings, lit"',
}


# --- reference images made in code -------------------------------------------------------------------------


def rainbow(w: int = 1200, h: int = 900) -> Image.Image:
    """A full hue sweep: no palette-only frame has this many hues, so it shows where the reference is."""
    hue = Image.linear_gradient("L").rotate(90).resize((w, h))
    img = Image.merge("HSV", (hue, Image.new("L", (w, h), 235), Image.new("L", (w, h), 235)))
    return img.convert("RGB")


def rainbow_ring(size: int = 800) -> Image.Image:
    """A transparent logo: a rainbow ring with a transparent hole."""
    img = rainbow(size, size).convert("RGBA")
    mask = Image.new("L", (size, size), 0)
    d = ImageDraw.Draw(mask)
    d.ellipse((0, 0, size - 1, size - 1), fill=255)
    d.ellipse((size * 0.32, size * 0.32, size * 0.68, size * 0.68), fill=0)
    img.putalpha(mask)
    return img


def png(img: Image.Image) -> bytes:
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


def jpeg(img: Image.Image, exif: Image.Exif | None = None) -> bytes:
    out = io.BytesIO()
    img.convert("RGB").save(out, "JPEG", quality=92, exif=exif if exif is not None else Image.Exif())
    return out.getvalue()


def refs_for(template: str) -> list[bytes]:
    if template == "brand-animation":
        return [png(rainbow_ring())]
    return [jpeg(rainbow())]


def make_job(
    template: str | None,
    aspect: str = "16:9",
    duration: int = 2,
    resolution: str = "720p",
    fps: int = 24,
    brief: str | None = None,
    copy: AdCopy | None = None,
    references: list[Reference] | None = None,
    audio: bool = False,
    variant: Variant | None = None,
) -> RenderJob:
    w, h = frame_size(aspect, resolution)
    text = brief if brief is not None else BRIEFS.get(template or "prompt", "")
    return RenderJob(
        job_id="t",
        brief=text,
        prompt=text,
        model=DRAFT,
        duration_s=duration,
        aspect=aspect,
        resolution=resolution,
        width=w,
        height=h,
        fps=fps,
        template=template,
        copy=copy or read_copy(text),
        references=references or [],
        audio=audio,
        variant=variant or Variant(),
    )


# --- decoding helpers --------------------------------------------------------------------------------------


def decoded_frames(path: Path, count: int) -> list[Image.Image]:
    """`count` frames spread over the clip, decoded."""
    with av.open(str(path)) as c:
        stream = c.streams.video[0]
        total = stream.frames
        wanted = {min(total - 1, round((k + 0.5) * total / count)) for k in range(count)}
        return [f.to_image() for n, f in enumerate(c.decode(stream)) if n in wanted]


def hue_bins(img: Image.Image, bins: int = 12, min_share: float = 0.001) -> int:
    """How many hue bins hold saturated, bright pixels."""
    small = img.resize((160, 90 if img.width > img.height else 160), Image.Resampling.NEAREST).convert("HSV")
    counts = [0] * bins
    pixels = list(small.getdata())
    for h, s, v in pixels:
        if s > 150 and v > 150:
            counts[h * bins // 256] += 1
    return sum(1 for c in counts if c >= min_share * len(pixels))


def share_near(img: Image.Image, colour: tuple[int, int, int], tol: int = 18) -> float:
    small = img.resize((img.width // 4, img.height // 4), Image.Resampling.NEAREST)
    pixels = list(small.getdata())
    near = sum(1 for p in pixels if max(abs(p[i] - colour[i]) for i in range(3)) <= tol)
    return near / len(pixels)


# --- the matrix --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("aspect", ASPECTS)
@pytest.mark.parametrize("template", TEMPLATES)
def test_every_template_at_every_aspect(template: str, aspect: str, tmp_path: Path) -> None:
    job = make_job(template, aspect)
    dest = tmp_path / "out.mp4"
    result = render_draft(job, refs_for(template), dest)

    info = media.probe(dest, count_frames=True)
    assert (info.codec, info.pix_fmt) == ("h264", "yuv420p")
    assert (info.width, info.height) == (job.width, job.height)
    assert info.fps == 24
    assert info.frames == 48 == result.frames
    assert info.duration_s == pytest.approx(2.0, abs=0.01)
    assert info.faststart

    frames = decoded_frames(dest, 6)
    # The reference is on screen: some frame shows (nearly) all of its hues.
    assert max(hue_bins(f) for f in frames) >= 9
    # The palette is on screen: its background and, where the design uses it, its accent.
    pal = result.palette
    assert max(max(share_near(f, pal.bg), share_near(f, pal.bg2)) for f in frames) > 0.01
    if template != "prompt":
        assert max(share_near(f, pal.accent) for f in frames) > 0.001
    # Text stays inside the frame, inside the aspect's safe zone.
    assert result.text_boxes, "no text was drawn"
    sl, st, sr, sb = result.safe
    for x0, y0, x1, y1 in result.text_boxes:
        assert x0 >= 0 and y0 >= 0 and x1 <= job.width and y1 <= job.height
        assert sl - 1 <= x0 and st - 1 <= y0 and x1 <= sr + 1 and y1 <= sb + 1, (x0, y0, x1, y1, result.safe)


def test_1080p_social_vertical_with_several_references(tmp_path: Path) -> None:
    job = make_job("social-media", "9:16", duration=2, resolution="1080p", fps=30)
    refs = [jpeg(rainbow()), png(rainbow_ring()), jpeg(rainbow(900, 1600))]
    dest = tmp_path / "out.mp4"
    render_draft(job, refs, dest)
    info = media.probe(dest, count_frames=True)
    assert (info.width, info.height, info.fps, info.frames) == (1080, 1920, 30.0, 60)
    assert info.faststart and info.pix_fmt == "yuv420p"


def test_identical_inputs_give_identical_bytes(tmp_path: Path) -> None:
    job = make_job("product-showcase", "1:1", audio=True)
    refs = refs_for("product-showcase")
    a, b = tmp_path / "a.mp4", tmp_path / "b.mp4"
    render_draft(job, refs, a)
    render_draft(job, refs, b)
    assert hashlib.sha256(a.read_bytes()).hexdigest() == hashlib.sha256(b.read_bytes()).hexdigest()


def test_the_encoder_gives_the_same_bytes_after_other_work(tmp_path: Path) -> None:
    """x264's AVX-512 code read memory it had not written: a clip encoded after a decode came out other bytes."""
    digests = set()
    for n in range(4):
        clip = write_footage(tmp_path / f"{n}.mp4", 360, 640, 5.0, 10, audio=False).path
        digests.add(hashlib.sha256(clip.read_bytes()).hexdigest())
        with av.open(str(clip)) as container:  # decoded in between, as the finisher's tests do
            assert len([frame.to_ndarray() for frame in container.decode(video=0)]) == 50
    assert len(digests) == 1


def decoded_audio(path: Path) -> tuple[av.audio.stream.AudioStream, np.ndarray] | None:
    """The clip's audio stream and its samples (n, channels), or None when it has none."""
    with av.open(str(path)) as c:
        if not c.streams.audio:
            return None
        stream = c.streams.audio[0]
        samples = np.concatenate([f.to_ndarray() for f in c.decode(stream)], axis=1).T
        return stream, samples


@pytest.mark.parametrize("template", TEMPLATES)
def test_every_draft_has_a_music_bed_at_social_loudness(template: str, tmp_path: Path) -> None:
    import pyloudnorm  # here, not at the top: it imports scipy.signal (0.8 s), which every worker's collection paid

    dest = tmp_path / "out.mp4"
    job = make_job(template, "16:9", duration=5, audio=True)
    result = render_draft(job, refs_for(template), dest)
    found = decoded_audio(dest)
    assert found is not None, "no audio stream"
    stream, samples = found
    assert (stream.codec_context.name, stream.rate, stream.channels) == ("aac", 48000, 2)
    assert samples.shape[0] / 48000 == pytest.approx(media.probe(dest).duration_s, abs=0.05)
    assert pyloudnorm.Meter(48000).integrated_loudness(samples.astype(np.float64)) == pytest.approx(-14.0, abs=1.0)
    assert true_peak_db(samples) <= -1.0  # as the file plays, after AAC
    assert np.abs(samples[-480:]).max() < 0.02  # faded out at the end
    assert result.sound is not None and result.sound.music == bed_of(job, template).name
    assert result.sound.lufs == pytest.approx(-14.0, abs=0.1) and result.sound.target_lufs == -14.0


def test_a_broadcast_16_9_draft_with_a_voice_is_at_minus_23_with_the_music_ducked(tmp_path: Path) -> None:
    import pyloudnorm

    dest = tmp_path / "out.mp4"
    job = make_job("social-media", "16:9", duration=5, audio=True)
    job.sound.broadcast, job.sound.mood = True, "upbeat"  # hats all along: the music over 4 kHz
    job.speech = bursts(5, ((1.0, 2.5),))
    result = render_draft(job, [], dest)
    found = decoded_audio(dest)
    assert found is not None
    samples = found[1]
    assert pyloudnorm.Meter(48000).integrated_loudness(samples.astype(np.float64)) == pytest.approx(-23.0, abs=1.0)
    assert true_peak_db(samples) <= -1.0
    # The synthetic voice has nothing over 2 kHz: over 4 kHz is the music, lower while the voice speaks.
    assert level_db(samples, 3.0, 4.0, above_hz=4000) - level_db(samples, 1.3, 2.3, above_hz=4000) >= 8
    assert result.sound is not None and result.sound.target_lufs == -23.0 and result.sound.voice == "test"


def test_audio_off_gives_a_video_without_an_audio_stream(tmp_path: Path) -> None:
    dest = tmp_path / "out.mp4"
    render_draft(make_job("social-media", "9:16", duration=2, audio=False), [], dest)
    assert decoded_audio(dest) is None
    assert media.probe(dest, count_frames=True).frames == 48


def test_the_draft_offers_sound_for_free() -> None:
    assert DRAFT.audio and DRAFT.audio_options == [True, False]
    assert DRAFT.cost(30, "1080p", audio=True) == DRAFT.cost(30, "1080p", audio=False) == 0.0


@pytest.mark.parametrize("template", TEMPLATES)
def test_no_references_uses_a_palette_from_the_brief(template: str, tmp_path: Path) -> None:
    job = make_job(template, "4:5")
    dest = tmp_path / "out.mp4"
    result = render_draft(job, [], dest)
    assert result.palette == palette_from_brief(job.brief)
    assert result.palette.source == "brief"
    frames = decoded_frames(dest, 4)
    assert max(share_near(f, result.palette.bg) for f in frames) > 0.01
    assert result.text_boxes
    for x0, y0, x1, y1 in result.text_boxes:
        assert x0 >= 0 and y0 >= 0 and x1 <= job.width and y1 <= job.height


def test_long_clips_lay_out_every_second(tmp_path: Path) -> None:
    """A 60 s clip's timeline, drawn (not encoded) every few seconds: no gaps, no text outside the frame."""
    for template in TEMPLATES:
        job = make_job(template, "16:9", duration=60, fps=24)
        refs = prepare_references(refs_for(template) + [jpeg(rainbow(800, 800))], job.width, job.height)
        design, stage = build_design(job, refs)
        for i in range(0, stage.frames, 24 * 3 + 5):
            frame = design.frame(i)
            assert frame.size == (job.width, job.height)
        for x0, y0, x1, y1 in stage.text_boxes:
            assert x0 >= 0 and y0 >= 0 and x1 <= job.width and y1 <= job.height


def test_social_hook_is_on_screen_within_the_first_second() -> None:
    job = make_job("social-media", "9:16", duration=8)
    design, stage = build_design(job, prepare_references(refs_for("social-media"), job.width, job.height))
    design.frame(job.fps // 2)  # half a second in
    assert stage.text_boxes, "no hook line in the first half second"
    top = min(y0 for _, y0, _, _ in stage.text_boxes)
    assert top >= stage.safe[1]  # below the platform's top bar


@pytest.mark.parametrize("template", TEMPLATES)
def test_text_colours_read_on_every_background_pixel(template: str) -> None:
    for refs in (refs_for(template), [jpeg(Image.new("RGB", (400, 300), (250, 250, 245)))], []):
        job = make_job(template, "16:9")
        design, stage = build_design(job, prepare_references(refs, job.width, job.height))
        pal = stage.palette
        colours = {c for _, c in design.bg.convert("RGB").resize((64, 36)).getcolors(64 * 36)}
        for text in (pal.ink, pal.muted, pal.accent_ink):
            assert min(contrast(text, c) for c in colours) >= 4.5


def test_drawing_on_the_canvas_fills_the_video_frame() -> None:
    """Frames are drawn straight into the encoder's buffer (no copy): what Pillow paints is what is encoded."""
    vf = new_frame(64, 32, 0)
    canvas_for(vf).paste((200, 30, 60), (0, 0, 64, 32))
    assert vf.reformat(format="rgb24").to_image().getpixel((10, 10)) == (200, 30, 60)


# --- logos, products, motion and transitions ---------------------------------------------------------------


def wordmark(text: str = "ACME", fill: tuple[int, int, int] | None = None, size: int = 220) -> Image.Image:
    """A transparent wordmark: the letters (rainbow-filled, or one colour) and nothing around them."""
    f = font("black", size)
    mask = Image.new("L", (int(f.getlength(text)) + size // 5, int(size * 1.4)), 0)
    ImageDraw.Draw(mask).text((size // 10, size // 10), text, font=f, fill=255)
    img = (rainbow(*mask.size) if fill is None else Image.new("RGB", mask.size, fill)).convert("RGBA")
    img.putalpha(mask)
    return img


def product_shot(w: int, h: int) -> Image.Image:
    """A product filling most of a studio shot: a red body from 4% to 96% of the width on a plain grey ground."""
    img = Image.new("RGB", (w, h), (228, 228, 232))
    ImageDraw.Draw(img).rounded_rectangle((w * 0.04, h * 0.3, w * 0.96, h * 0.75), radius=w // 30, fill=(220, 30, 40))
    return img


def overlaps(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def drawn(design, stage, i: int) -> Image.Image:  # noqa: ANN001
    """Frame i, with the stage recording only this frame's text."""
    stage.text_boxes.clear()
    return design.frame(i)


@pytest.mark.parametrize("aspect", ["1:1", "9:16"])
def test_a_transparent_logo_is_shown_whole_over_the_brand_background(aspect: str) -> None:
    """Social media: a transparent wordmark used to become a black band, cover-cropped ("ACME" cut at the edge),
    with the hook box over it."""
    job = make_job("social-media", aspect, duration=4, brief="Spring sale ad for our sneakers. Shop now")
    design, stage = build_design(job, prepare_references([png(wordmark())], job.width, job.height))
    bg = design.bg.convert("RGB")
    seen = 0
    for i in range(0, math.floor(design.end_start * job.fps), 3):  # before the end card
        frame = drawn(design, stage, i)
        # What is not background and not text is the logo.
        diff = ImageChops.difference(frame, bg).convert("L").point(lambda v: 255 if v > 40 else 0)
        for box in stage.text_boxes:
            diff.paste(0, box)
        box = diff.getbbox()
        if box is None:
            continue
        seen += 1
        mx, my = job.width // 50, job.height // 50
        assert box[0] >= mx and box[1] >= my and box[2] <= job.width - mx and box[3] <= job.height - my, box
        assert not any(overlaps(box, text) for text in stage.text_boxes), (box, stage.text_boxes)
        dark = sum(frame.convert("L").point(lambda v: 255 if v < 12 else 0).histogram()[255:])
        assert dark < 0.005 * job.width * job.height  # no black where the logo was transparent
    assert seen >= 5


def contrast_around(frame: Image.Image, box: tuple[int, int, int, int], colour: tuple[int, int, int]) -> float:
    """Contrast between the pixels of `colour` in `box` and the pixels right around them."""
    crop = frame.crop(box)
    near = crop.point(lambda v: v).convert("RGB")
    mask = Image.new("L", crop.size, 0)
    px, mk = near.load(), mask.load()
    for y in range(crop.height):
        for x in range(crop.width):
            if max(abs(px[x, y][k] - colour[k]) for k in range(3)) <= 30:
                mk[x, y] = 255
    ring = ImageChops.subtract(mask.filter(ImageFilter.MaxFilter(9)), mask.filter(ImageFilter.MaxFilter(3)))
    if ring.getbbox() is None or mask.getbbox() is None:
        return 1.0
    inside = tuple(round(v) for v in ImageStat.Stat(crop, mask).mean[:3])
    around = tuple(round(v) for v in ImageStat.Stat(crop, ring).mean[:3])
    return contrast(inside, around)


def test_a_logo_stays_legible_on_a_background_taken_from_its_own_colours(tmp_path: Path) -> None:
    """Brand animation: a navy wordmark used to sit on the navy background made from its own colour."""
    navy = (22, 34, 90)
    job = make_job("brand-animation", "16:9", duration=4, brief='Logo reveal, tagline "Run the city"')
    raw = [png(wordmark(fill=navy))]
    design, _ = build_design(job, prepare_references(raw, job.width, job.height))
    dest = tmp_path / "out.mp4"
    render_draft(job, raw, dest)
    with av.open(str(dest)) as c:
        frames = [f.to_image() for f in c.decode(video=0)]
    lw, lh = design.logo.size
    for frame, cy, scale in ((frames[2 * job.fps], design.logo_cy, 1.0), (frames[-1], design.end_logo_cy, 0.7)):
        w, h = lw * scale, lh * scale
        box = (round(job.width / 2 - w / 2), round(cy - h / 2), round(job.width / 2 + w / 2), round(cy + h / 2))
        assert contrast_around(frame, box, navy) >= 3.0


def mean_diff(a: Image.Image, b: Image.Image) -> float:
    small = (160, round(160 * a.height / a.width))
    return ImageStat.Stat(
        ImageChops.difference(a.convert("L").resize(small, Image.Resampling.BOX), b.convert("L").resize(small))
    ).mean[0]


MOTION_CASES = [
    ("product-showcase", "16:9", "product"),
    ("product-showcase", "16:9", None),
    ("brand-animation", "16:9", "logo"),
    ("brand-animation", "16:9", "logo+photo"),
    ("brand-animation", "16:9", None),
    ("social-media", "9:16", "product"),
    ("social-media", "9:16", None),
    ("prompt", "16:9", "photo"),
    ("prompt", "16:9", None),
]


PACING_BRIEF = '"Summer trail shoe", tagline: Built for mud, featuring grip, mesh and carbon sole. $129. Shop now'


@pytest.mark.parametrize("duration", [30, 60])
@pytest.mark.parametrize(("template", "aspect", "refs"), MOTION_CASES)
def test_pacing_scales_with_length(template: str, aspect: str, refs: str | None, duration: int) -> None:
    """Frames 1 s apart: a new beat at least every 4 s, never a still stretch over 4 s, never more than 1 s with
    neither the subject nor text on screen (a 60 s brand animation used to be one logo card for a minute)."""
    make = {
        "product": lambda: [jpeg(product_shot(1600, 1200))],
        "logo": lambda: [png(rainbow_ring(600))],
        "logo+photo": lambda: [png(rainbow_ring(600)), jpeg(rainbow(900, 600))],
        "photo": lambda: [jpeg(rainbow(900, 600))],
    }
    raw = make[refs]() if refs else []
    job = make_job(template, aspect, duration=duration, brief=PACING_BRIEF)
    job.width, job.height = job.width // 2, job.height // 2  # half size: the layout is relative, drawing 4x cheaper
    design, stage = build_design(job, prepare_references(raw, job.width, job.height))
    frames, empty = [], []
    for k in range(2 * duration):
        frames.append(design.frame(round(k * 0.5 * job.fps)))
        empty.append(not stage.shown)
    # Still: each frame against the one a second later.
    diffs = [mean_diff(frames[k], frames[k + 2]) for k in range(0, len(frames) - 2, 2)]
    still = longest_run([d < 1.0 for d in diffs])
    assert still <= 4, (still, [round(d, 1) for d in diffs])
    # Empty: three samples in a row (a second or more) with nothing on screen.
    assert longest_run(empty) < 3, [k / 2 for k, e in enumerate(empty) if e]
    # Beats: a big change somewhere in the frame (a cut, a new line, a new pose) a second apart; at least one
    # every 4 s, 12 in a minute.
    local = [region_diff(frames[k], frames[k + 2]) for k in range(0, len(frames) - 2, 2)]
    beats = [k for k, d in enumerate(local) if d >= BEAT_DIFF]
    gaps = [b - a for a, b in zip([0, *beats], [*beats, len(diffs)], strict=False)]
    assert max(gaps) <= 4, (gaps, [round(d) for d in local])
    assert len(beats) >= (12 if duration == 60 else 6), len(beats)


BEAT_DIFF = 30.0


def region_diff(a: Image.Image, b: Image.Image) -> float:
    """The largest mean difference over a 16 x 16 grid of the frame: a new caption changes its region a lot, a slow
    move changes every region a little."""
    grid = (16, 16)
    diff = ImageChops.difference(a.convert("L").resize((160, 160)), b.convert("L").resize((160, 160)))
    return max(diff.resize(grid, Image.Resampling.BOX).getdata())


def longest_run(flags: list[bool]) -> int:
    best = run = 0
    for flag in flags:
        run = run + 1 if flag else 0
        best = max(best, run)
    return best


@pytest.mark.parametrize(
    ("template", "aspect", "raw"),
    [
        ("social-media", "9:16", lambda: [jpeg(rainbow())]),
        ("social-media", "9:16", list),
        ("brand-animation", "16:9", lambda: [png(rainbow_ring()), jpeg(rainbow())]),
        ("brand-animation", "16:9", list),
    ],
)
def test_no_frame_is_one_flat_colour(template: str, aspect: str, raw, tmp_path: Path) -> None:  # noqa: ANN001
    """Wipes used to fill whole frames with the accent colour, which looks like a glitch."""
    dest = tmp_path / "out.mp4"
    render_draft(make_job(template, aspect, duration=4), raw(), dest)
    with av.open(str(dest)) as c:
        spreads = [max(ImageStat.Stat(f.to_image().resize((90, 160))).stddev) for f in c.decode(video=0)]
    assert min(spreads) >= 2.5, (spreads.index(min(spreads)), min(spreads))


def test_a_single_feature_is_not_numbered() -> None:
    counts = {}
    for brief in ('"AirFlow" runner featuring breathable mesh', '"AirFlow" runner featuring breathable mesh and grip'):
        job = make_job("product-showcase", "16:9", duration=8, brief=brief)
        design, stage = build_design(job, prepare_references([jpeg(product_shot(1600, 1200))], job.width, job.height))
        drawn(design, stage, round(3.2 * job.fps))  # a feature is on screen, under the small headline
        counts[len(design.copy.features)] = len(stage.text_boxes)
    assert counts == {1: 2, 2: 3}  # headline and feature; with two features, the number "01" as well


@pytest.mark.parametrize("size", [(1500, 2000), (2000, 1500)])
def test_product_shots_are_never_cut_in_vertical_social_video(size: tuple[int, int]) -> None:
    w, h = size
    source_ratio = (0.92 * w) / (0.45 * h)
    job = make_job("social-media", "9:16", duration=4, brief="Summer sale, grips any trail. Shop now")
    design, stage = build_design(job, prepare_references([jpeg(product_shot(w, h))], job.width, job.height))
    for i in range(round(0.9 * job.fps), round(2.9 * job.fps), 4):  # the cuts, after the hook, before the end
        frame = drawn(design, stage, i)
        red = frame.convert("HSV").split()
        mask = ImageChops.multiply(
            red[1].point(lambda v: 255 if v > 150 else 0), red[2].point(lambda v: 255 if v > 150 else 0)
        )
        for text in stage.text_boxes:
            mask.paste(0, text)
        box = mask.getbbox()
        assert box is not None
        assert box[0] > 2 and box[2] < job.width - 2 and box[1] > 2 and box[3] < job.height - 2, box
        ratio = (box[2] - box[0]) / (box[3] - box[1])
        assert ratio == pytest.approx(source_ratio, rel=0.08), (i, box)


# --- briefs with little or nothing to show -----------------------------------------------------------------

ODD_BRIEFS = [
    "ad",
    "hi",
    "go",
    "a",
    "ad!",
    "",
    "   ",
    "!!! ???",
    "a 3 second square teaser",
    "make it 4:3 please, 8 seconds",
    "a 2 second logo sting",
    "123 456",
    "🎉🔥✨",
    "Supercalifragilisticexpialidocious" * 8,
    ("spring sale on running shoes for the city, bright and fast, " * 70)[:4000],
    "新しいスニーカーの広告、東京の夜",
    "إعلان لحذاء رياضي جديد",
    "Новые кроссовки уже в продаже",
]


@pytest.mark.parametrize("brief", ODD_BRIEFS)
def test_the_prompt_template_draws_any_brief(brief: str) -> None:
    """A brief with no key phrase left ("ad", "a 3 second square teaser") used to crash the default template."""
    for refs in ([], [jpeg(rainbow(600, 400))]):
        job = make_job(None, "9:16", duration=3, brief=brief)
        design, stage = build_design(job, prepare_references(refs, job.width, job.height))
        for i in (0, stage.frames // 2, stage.frames - 1):
            assert design.frame(i).size == (job.width, job.height)
        # Whatever is on screen can be drawn: no letter is lost to a missing glyph (no empty boxes).
        for text in design.copy.texts():
            assert [c for c in clean_text(text, "black") if c.isalnum()] == [c for c in text if c.isalnum()]
        for x0, y0, x1, y1 in stage.text_boxes:
            assert x0 >= 0 and y0 >= 0 and x1 <= job.width and y1 <= job.height


@pytest.mark.parametrize("brief", ["ad", "a 3 second square teaser"])
def test_a_brief_with_nothing_to_say_still_renders_a_moving_video(brief: str, tmp_path: Path) -> None:
    dest = tmp_path / "out.mp4"
    result = render_draft(make_job("prompt", "1:1", duration=2, brief=brief), [], dest)
    assert media.probe(dest, count_frames=True).frames == result.frames == 48
    first, last = decoded_frames(dest, 2)
    assert ImageStat.Stat(ImageChops.difference(first, last)).mean[0] > 0.5


# --- references --------------------------------------------------------------------------------------------


def test_exif_orientation_is_honoured() -> None:
    # A landscape image stored sideways: red on the left, blue on the right, tagged "rotate 90 CW to view".
    img = Image.new("RGB", (400, 200), (220, 30, 30))
    img.paste((30, 30, 220), (200, 0, 400, 200))
    exif = Image.Exif()
    exif[0x0112] = 6
    ref = load_reference(jpeg(img, exif), 2000)
    assert ref.image.size == (200, 400)  # upright: portrait
    top = ref.image.getpixel((100, 20))
    bottom = ref.image.getpixel((100, 380))
    assert top[0] > 150 and top[2] < 100  # red is on top once turned
    assert bottom[2] > 150 and bottom[0] < 100


def test_transparent_logo_keeps_its_alpha_over_the_background(tmp_path: Path) -> None:
    job = make_job("brand-animation", "16:9", duration=3)
    refs = prepare_references([png(rainbow_ring())], job.width, job.height)
    assert refs[0].has_alpha
    design, _ = build_design(job, refs)
    dest = tmp_path / "out.mp4"
    render_draft(job, [png(rainbow_ring())], dest)
    last = decoded_frames(dest, 1)
    with av.open(str(dest)) as c:
        last = [f.to_image() for f in c.decode(video=0)][-1]
    # The ring's hole shows the background, not black or white where the transparent pixels were.
    cx, cy = job.width // 2, round(design.end_logo_cy)
    got = last.getpixel((cx, cy))
    want = design.bg.getpixel((cx, cy))
    assert max(abs(got[i] - want[i]) for i in range(3)) < 24, (got, want)


def test_unreadable_reference_is_a_render_failure_the_user_can_fix(tmp_path: Path) -> None:
    with pytest.raises(ProviderFailed) as err:
        render_draft(make_job("prompt"), [b"not an image"], tmp_path / "out.mp4")
    assert err.value.user_input
    assert "Reference image 1" in str(err.value)
    assert not (tmp_path / "out.mp4").exists()


def test_unknown_template_is_refused() -> None:
    with pytest.raises(InvalidRequest):
        render_draft(make_job("vaporwave"), [], Path("/nonexistent/out.mp4"))


# --- palette and text --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "colours",
    [
        [(255, 255, 255)],
        [(0, 0, 0)],
        [(255, 230, 0)],
        [(128, 128, 128), (140, 140, 140)],
        [(230, 30, 40), (20, 60, 160)],
        [(0, 255, 0), (255, 0, 255), (0, 255, 255)],
    ],
)
def test_palette_text_is_readable(colours: list[tuple[int, int, int]]) -> None:
    img = Image.new("RGB", (300, 100), colours[0])
    for k, c in enumerate(colours[1:], start=1):
        img.paste(c, (k * 100, 0, k * 100 + 100, 100))
    pal = palette_from_images([img], "spring sale")
    assert 3 <= len(pal.colours) <= 5
    assert pal.min_contrast() >= 4.5
    assert contrast(pal.accent, pal.bg) >= 3.0  # buttons and bars stand out (WCAG non-text contrast)


def test_palette_comes_from_the_references() -> None:
    img = Image.new("RGB", (400, 300), (240, 240, 240))
    ImageDraw.Draw(img).rectangle((100, 80, 300, 220), fill=(220, 40, 40))
    pal = palette_from_images([img])
    assert any(c[0] > 180 and c[1] < 90 and c[2] < 90 for c in pal.colours)  # the red is a brand colour
    assert pal.accent[0] > pal.accent[2]  # and drives the accent


def test_brief_palettes_are_deterministic_and_readable() -> None:
    for brief in ["luxury watch launch", "eco friendly garden tools", "", "something else entirely", "AI app"]:
        a, b = palette_from_brief(brief), palette_from_brief(brief)
        assert a == b
        assert a.min_contrast() >= 4.5
        assert contrast(a.accent, a.bg) >= 3.0
        assert 3 <= len(a.colours) <= 5
    assert palette_from_brief("luxury gold watch") != palette_from_brief("eco organic garden")


@pytest.mark.parametrize(
    "text",
    [
        "Hi",
        "A much longer headline that has to wrap over several lines to fit",
        "Pneumonoultramicroscopic" * 3,
        "word " * 500,
        "Emoji 🎉 and ünïcödé €49",
    ],
)
def test_text_always_fits_its_box(text: str) -> None:
    block = fit_text(text, "black", 300, 160, size_max=90, size_min=20)
    assert block.width <= 300 and block.height <= 160
    assert block.mask.getbbox() is not None


DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")


@pytest.mark.skipif(not DEJAVU.is_file(), reason="no font for other scripts on this machine")
@pytest.mark.parametrize("text", ["Новые кроссовки", "إعلان لحذاء رياضي جديد"])
def test_scripts_the_bundled_font_lacks_are_drawn_with_an_installed_font(text: str) -> None:
    assert clean_text(text, "black") == text
    block = fit_text(text, "black", 500, 200, size_max=60)
    assert block.mask.getbbox() is not None and block.width > 100


def test_letters_no_font_has_are_left_out_not_drawn_as_boxes() -> None:
    text = "\U0001d56c\U0001d56d Sale"  # mathematical fraktur letters: in no font here
    assert clean_text(text, "black") == "Sale"
    assert clean_text("\U0001d56c\U0001d56d", "black") == ""


def test_key_phrases_drop_production_directives() -> None:
    phrases = key_phrases("Make a 10 second vertical video of our new sneaker, bright and fun, in 1080p")
    assert phrases == ["New sneaker", "Bright and fun"]
    assert all("second" not in p and "1080p" not in p for p in phrases)


def test_wcag_contrast() -> None:
    assert contrast((255, 255, 255), (0, 0, 0)) == pytest.approx(21.0)
    assert contrast((118, 118, 118), (255, 255, 255)) == pytest.approx(4.54, abs=0.01)


# --- the engine interface ----------------------------------------------------------------------------------


@pytest.fixture
def storage(tmp_path: Path) -> LocalStorage:
    return LocalStorage(tmp_path / "files", UrlSigner(b"test-secret"))


async def test_engine_renders_from_storage_with_progress_and_a_free_event_loop(
    storage: LocalStorage, tmp_path: Path
) -> None:
    await storage.put("refs/logo.png", png(rainbow_ring(400)), "image/png")
    await storage.put("refs/photo.jpg", jpeg(rainbow(800, 600)), "image/jpeg")
    refs = [Reference("refs/logo.png", "image/png", 400, 400), Reference("refs/photo.jpg", "image/jpeg", 800, 600)]
    job = make_job("brand-animation", "1:1", duration=3, references=refs)
    seen: list[float] = []

    async def progress(fraction: float, note: str) -> None:
        assert note
        seen.append(fraction)

    ticks = 0
    done = asyncio.Event()

    async def ticker() -> None:
        nonlocal ticks
        while not done.is_set():
            ticks += 1
            await asyncio.sleep(0.005)

    tick_task = asyncio.create_task(ticker())
    dest = tmp_path / "video.mp4"
    outcome = await DraftEngine(storage).render(job, dest, progress)
    done.set()
    await tick_task
    assert outcome.actual_cost_usd == 0.0
    assert seen == sorted(seen) and seen[0] == 0.0 and seen[-1] == 1.0 and len(seen) >= 5
    assert ticks >= 3  # the event loop kept running while frames were drawn
    info = media.probe(dest)
    assert (info.width, info.height, info.frames) == (720, 720, 72)
    assert media.poster(dest)[:2] == b"\xff\xd8"


async def test_cancelling_a_render_stops_it_and_removes_the_partial_file(storage: LocalStorage, tmp_path: Path) -> None:
    job = make_job("prompt", "16:9", duration=30)
    dest = tmp_path / "video.mp4"
    started = asyncio.Event()

    async def progress(fraction: float, note: str) -> None:
        if fraction > 0.05:
            started.set()

    task = asyncio.create_task(DraftEngine(storage).render(job, dest, progress))
    await asyncio.wait_for(started.wait(), 30)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    for _ in range(200):
        if not dest.exists():
            break
        await asyncio.sleep(0.05)
    assert not dest.exists()


@pytest.mark.parametrize("template", TEMPLATES)
def test_every_brief_of_the_copy_tests_draws_in_every_template(template: str) -> None:
    """Sparse or odd copy (no headline, no call to action, only end words, no words at all) never breaks a
    design, short or long."""
    from tests.tools.test_adcopy import BRIEFS

    for brief, _ in BRIEFS:
        job = make_job(template, "9:16", duration=30, brief=brief)
        job.width, job.height = job.width // 4, job.height // 4
        design, stage = build_design(job, prepare_references([], job.width, job.height))
        for i in range(0, stage.frames, job.fps):
            assert design.frame(i).size == (job.width, job.height)


# --- copy, variations and cut-outs ------------------------------------------------------------------------

FULL_COPY = AdCopy(
    headline="Ridge Runner", tagline="Built for mud", features=["Grip", "Mesh", "Carbon sole"], price="$129",
    cta="Shop now", end_text="See you out there",
)  # fmt: skip


@pytest.mark.parametrize("with_refs", [True, False])
@pytest.mark.parametrize("template", TEMPLATES)
def test_every_line_of_the_copy_is_on_screen(template: str, with_refs: bool) -> None:
    """Each feature, the price, the call to action and the end text, in every template (a brand animation used
    to show neither features nor price)."""
    job = make_job(template, "16:9", duration=30, copy=FULL_COPY)
    job.width, job.height = job.width // 2, job.height // 2
    raw = [jpeg(product_shot(1600, 1200)), jpeg(rainbow(900, 600))] if with_refs else []
    design, stage = build_design(job, prepare_references(raw, job.width, job.height))
    for i in range(0, stage.frames, job.fps // 4):
        design.frame(i)
    assert set(FULL_COPY.texts()) <= stage.said, set(FULL_COPY.texts()) - stage.said


def test_storyboard_beats_never_repeat_the_shot_and_line_before_them() -> None:
    for refs in ([], [jpeg(rainbow(900, 600))]):
        for template in ("brand-animation", "product-showcase"):
            job = make_job(template, "16:9", duration=60, copy=AdCopy(headline="Ridge Runner"))
            design, _ = build_design(job, prepare_references(refs, job.width, job.height))
            beats = design.story.beats
            assert len(beats) >= 12
            assert all((a.shot, a.line) != (b.shot, b.line) for a, b in zip(beats, beats[1:], strict=False))
            assert all(b.b - b.a <= 4.0 for b in beats)


def test_a_social_ad_without_a_call_to_action_draws_no_button() -> None:
    job = make_job("social-media", "9:16", duration=6, copy=AdCopy(headline="Ridge Runner", price="$129"))
    design, stage = build_design(job, [])
    assert "cta" not in [name for name, _ in design.end.items]
    last = design.frame(stage.frames - 1)
    assert share_near(last, stage.palette.accent) < 0.002  # no empty accent pill on the end card
    assert "$129" in stage.said


@pytest.mark.parametrize("template", TEMPLATES)
def test_another_seed_gives_other_shots_and_each_is_reproducible(template: str) -> None:
    raw = [jpeg(product_shot(1600, 1200)), png(rainbow_ring(600)), jpeg(rainbow(900, 600))]
    frames = {}
    for variant in (0, 1, 1):
        job = make_job(template, "16:9", duration=12, copy=FULL_COPY, variant=Variant(seed=variant))
        job.width, job.height = job.width // 2, job.height // 2
        design, _ = build_design(job, prepare_references(raw, job.width, job.height))
        frames.setdefault(variant, []).append([design.frame(round(t * job.fps)) for t in (3.0, 5.0, 7.0)])
    same = frames[1][0], frames[1][1]
    assert all(a.tobytes() == b.tobytes() for a, b in zip(*same, strict=True))
    assert max(mean_diff(a, b) for a, b in zip(frames[0][0], frames[1][0], strict=True)) > 8.0


BACKDROP = (228, 228, 232)


@pytest.mark.parametrize(("template", "aspect"), [("product-showcase", "16:9"), ("social-media", "9:16")])
def test_a_product_on_a_plain_backdrop_is_cut_out(template: str, aspect: str) -> None:
    """The grey studio sweep used to come along as a box around the product."""
    job = make_job(template, aspect, duration=8, brief='"Ridge Runner", featuring grip and mesh. Shop now')
    refs = prepare_references([jpeg(product_shot(1600, 1200))], job.width, job.height)
    assert refs[0].cut_out and refs[0].has_alpha
    design, stage = build_design(job, refs)
    assert all(max(abs(a - b) for a, b in zip(c, BACKDROP, strict=True)) > 40 for c in stage.palette.colours)
    for t in (1.0, 3.0, 5.0):
        frame = design.frame(round(t * job.fps))
        assert hue_bins(frame) >= 1 or share_near(frame, (220, 30, 40), 40) > 0.01  # the red product is there
        assert share_near(frame, BACKDROP, 10) < 0.003, t  # and its backdrop is not


@pytest.mark.parametrize("side", [400, 700, 1600])
def test_a_cut_out_product_is_opaque_whatever_the_photos_size(side: int) -> None:
    """Small photos used to come out see-through (alpha 185 of 255 at 400 px): the background showed through."""
    [ref] = prepare_references([jpeg(product_shot(side, side * 3 // 4))], 1280, 720)
    alpha = ref.image.getchannel("A")
    assert ref.cut_out and alpha.getextrema() == (0, 255)
    inside = [alpha.getpixel((x, y)) for x, y in ((alpha.width // 2, alpha.height // 2),)]
    assert inside == [255]


def test_a_busy_photo_stays_framed_and_a_transparent_png_stays_as_it_is() -> None:
    busy, ring = prepare_references([jpeg(rainbow(1200, 900)), png(rainbow_ring(600))], 1280, 720)
    assert not busy.cut_out and not busy.has_alpha and busy.size == (1200, 900)
    assert not ring.cut_out and ring.has_alpha
    assert (
        ring.image.getchannel("A").tobytes()
        == load_reference(png(rainbow_ring(600)), 900).image.getchannel("A").tobytes()
    )
