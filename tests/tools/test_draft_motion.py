"""The draft shows logos and products as they are and moves them as the brief asks: a transparent logo on its own
alpha (no card around it) on dark and light grounds, a spin that turns the logo edge-on and back, a slide in
that comes from off the frame and stops, a zoom that grows, a flip through edge-on; measured on the frames."""

from __future__ import annotations

import io
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image, ImageDraw

from campaign.models import DEFAULT_TEAM_ID as TEAM
from campaign.models import JobStatus
from campaign.people import LOCAL_OWNER as OWNER
from campaign.settings import Settings
from tools.brief import read_copy
from tools.catalog import frame_size
from tools.engines.base import RenderJob
from tools.engines.draft.engine import build_design, prepare_references, render_draft
from tools.engines.draft.kit import Stage
from tools.engines.draft.provider import DRAFT
from tools.engines.draft.scenes import Design
from tools.jobs import JobEvent, VideoRequest
from tools.references import normalise_image
from tools.studio import Studio

pytestmark = pytest.mark.render

NAVY = (20, 40, 120)


def logo_png(colour: tuple[int, int, int] = NAVY) -> bytes:
    """A transparent logo: a disc (its box's corners are transparent, where a card would show)."""
    img = Image.new("RGBA", (600, 600), (0, 0, 0, 0))
    ImageDraw.Draw(img).ellipse((20, 20, 580, 580), fill=colour + (255,))
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


def logo_jpeg() -> bytes:
    """An opaque logo filling its square: a navy disc on a yellow-to-red badge (no plain border to cut away), so it
    has no shape of its own to show."""
    ramp = Image.linear_gradient("L").resize((600, 600)).rotate(90)
    img = Image.merge("RGB", (Image.new("L", (600, 600), 235), ramp, Image.new("L", (600, 600), 40)))
    ImageDraw.Draw(img).ellipse((60, 60, 540, 540), fill=NAVY)
    out = io.BytesIO()
    img.save(out, "JPEG", quality=92)
    return out.getvalue()


def bag_jpeg() -> bytes:
    """A maroon product on a plain studio backdrop (cut out by the draft)."""
    photo = Image.new("RGB", (1200, 900), (228, 228, 232))
    ImageDraw.Draw(photo).rounded_rectangle((300, 250, 900, 650), radius=60, fill=(150, 30, 60))
    out = io.BytesIO()
    photo.save(out, "JPEG", quality=95)
    return out.getvalue()


def job_for(template: str, brief: str, duration: int = 4, aspect: str = "16:9") -> RenderJob:
    w, h = frame_size(aspect, "480p")
    return RenderJob(job_id="t", brief=brief, prompt=brief, model=DRAFT, duration_s=duration, aspect=aspect,
                     resolution="480p", width=w, height=h, fps=24, template=template,
                     copy=read_copy(brief))  # fmt: skip


def design_for(template: str, brief: str, raw: list[bytes], duration: int = 4) -> tuple[Design, Stage]:
    job = job_for(template, brief, duration)
    return build_design(job, prepare_references(raw, job.width, job.height))


def box_of(mask: np.ndarray) -> tuple[int, int, int, int] | None:
    """The bounding box (left, top, right, bottom) of a mask's true pixels, or None when there are none."""
    ys, xs = np.nonzero(mask)
    if len(xs) < 4:
        return None
    return int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1


def bluish(frame: Image.Image) -> np.ndarray:
    """Where the navy logo is, front or back (its back is a darker navy): blue well above red, on a grey ground."""
    a = np.asarray(frame.convert("RGB"), dtype=int)
    return (a[..., 2] - a[..., 0] > 40) & (a[..., 2] - a[..., 1] > 25)


# --- transparent logos on their own alpha -------------------------------------------------------------------


@pytest.mark.parametrize(
    "brief",
    [
        "Logo reveal for Acme. Black background",  # dark ground: the navy would be lost, so it is lit from behind
        "Logo reveal for Acme. White background",  # light ground: it stands out as it is
        "Logo reveal for Acme",  # the palette taken from the logo itself: navy on navy
    ],
)
def test_a_transparent_logo_is_drawn_on_its_own_alpha_with_no_card(brief: str) -> None:
    design, stage = design_for("brand-animation", brief, [logo_png()])
    frame = design.frame(round(design.reveal * 0.5 * stage.fps))
    boxes = [box for kind, box in stage.shown if kind == "subject"]
    assert boxes, "the logo is on screen"
    x0, y0, x1, y1 = boxes[0]
    a = np.asarray(frame, dtype=int)
    logo = np.abs(a[y0:y1, x0:x1] - np.array(NAVY)).max(axis=2) <= 12
    assert logo.mean() > 0.4  # the logo's own pixels, most of its box
    # The corners of its box, outside the disc, show the ground around it, as just outside the box: no card.
    c = max(3, (x1 - x0) // 10)
    corners = np.concatenate([a[y0:y0 + c, x0:x0 + c], a[y0:y0 + c, x1 - c:x1], a[y1 - c:y1, x0:x0 + c],
                              a[y1 - c:y1, x1 - c:x1]]).reshape(-1, 3)  # fmt: skip
    ring = np.concatenate([a[y0 - 2 * c : y0 - c, x0:x1], a[y1 + c : y1 + 2 * c, x0:x1]]).reshape(-1, 3)
    assert np.abs(np.median(corners, axis=0) - np.median(ring, axis=0)).max() < 16, (corners.mean(0), ring.mean(0))
    assert (corners.min(axis=1) > 235).mean() < 0.02 or (ring.min(axis=1) > 235).mean() > 0.5  # no white plate


def test_a_transparent_logo_uploaded_to_the_chat_keeps_its_alpha_and_gets_no_card() -> None:
    """A WebP logo attached to the chat goes through the references' intake (stored as a PNG with its alpha)."""
    img = Image.open(io.BytesIO(logo_png()))
    webp = io.BytesIO()
    img.save(webp, "WEBP", lossless=True)
    stored = normalise_image(webp.getvalue(), "Reference image 1", max_bytes=10_000_000, max_pixels=40_000_000)
    design, stage = design_for("brand-animation", "Logo reveal for Acme. Black background", [stored.data])
    assert design.refs[0].has_alpha and not design.refs[0].cut_out
    alpha = np.asarray(design.logo.image.getchannel("A"))
    assert max(alpha[0, 0], alpha[0, -1], alpha[-1, 0], alpha[-1, -1]) == 0  # no card: its corners are clear
    assert alpha.mean() < 0.9 * 255


def test_an_opaque_logo_is_still_shown_as_a_card() -> None:
    design, stage = design_for("brand-animation", "Logo reveal for Acme. Black background", [logo_jpeg()])
    assert not design.refs[0].has_alpha
    alpha = np.asarray(design.logo.image.getchannel("A"))
    h, w = alpha.shape
    assert alpha[h // 2, 2] == 255 and alpha[2, w // 2] == 255  # a card: its edges are opaque, its corners rounded
    assert alpha[0, 0] < 255


# --- motion asked for in words ------------------------------------------------------------------------------


def test_a_spinning_logo_turns_edge_on_and_back_in_the_video(tmp_path: Path) -> None:
    job = job_for("brand-animation", "Logo reveal for Acme, the logo spins. White background", duration=3)
    dest = tmp_path / "spin.mp4"
    result = render_draft(job, [logo_png()], dest)
    assert "The logo spins in." in result.notice
    with av.open(str(dest)) as c:
        frames = [f.to_image() for n, f in enumerate(c.decode(video=0)) if n < 48]
    widths = []
    for f in frames:
        box = box_of(bluish(f))
        widths.append(0 if box is None else box[2] - box[0])
    full = max(widths)
    assert full > 40
    # Edge-on (or not drawn: exactly edge-on) twice as it turns, then its full width again, held.
    thin = [n for n, w in enumerate(widths) if w < 0.2 * full and any(widths[:n])]
    assert thin and max(thin) < 40, widths
    assert any(0.3 * full < w < 0.9 * full for w in widths[: max(thin)]), widths  # turning, not blinking
    assert min(widths[-4:]) >= 0.85 * full, widths


def test_a_product_slides_in_from_the_left_and_stops() -> None:
    brief = 'Showcase the "Nord" bag; the product slides in from the left. White background. Shop now'
    job = job_for("product-showcase", brief, 4)
    job.sound.mood = "clean"  # the template's 112 bpm bed: its first second is before the second beat
    design, stage = build_design(job, prepare_references([bag_jpeg()], job.width, job.height))
    assert "The product slides in from the left." in stage.notice
    rights = []
    for i in range(0, 25):  # its first second, before the second beat
        a = np.asarray(design.frame(i), dtype=int)
        box = box_of((a[..., 0] - a[..., 1] > 60) & (a[..., 0] > 90))
        rights.append(0 if box is None else box[2])  # its right edge: the left one is off the frame at first
    assert rights[0] == 0 and 0 < min(r for r in rights if r) < 0.2 * design.W, rights  # from off the frame
    assert all(b >= a - 1 for a, b in zip(rights, rights[1:], strict=False)), rights  # left to right, never back
    assert rights[-1] > 0.5 * design.W and rights[-1] - rights[-5] <= 3, rights  # and it has stopped


def test_a_logo_zooming_in_grows() -> None:
    design, stage = design_for("brand-animation", "Logo reveal for Acme, zoom in on the logo. White background",
                               [logo_png()])  # fmt: skip
    areas = []
    for i in range(2, 24, 3):
        box = box_of(bluish(design.frame(i)))
        areas.append(0 if box is None else (box[2] - box[0]) * (box[3] - box[1]))
    assert areas[0] < 0.2 * areas[-1], areas
    assert all(b >= a for a, b in zip(areas, areas[1:], strict=False)), areas


def test_a_flipping_logo_goes_through_edge_on() -> None:
    design, stage = design_for(
        "brand-animation", "Logo reveal for Acme, the logo flips. White background", [logo_png()]
    )
    heights = []
    for i in range(2, 20):
        box = box_of(bluish(design.frame(i)))
        heights.append(0 if box is None else box[3] - box[1])
    full = max(heights)
    low = min(range(len(heights)), key=lambda n: heights[n])
    assert heights[low] < 0.25 * full and 0 < low < len(heights) - 1, heights
    assert heights[-1] >= 0.95 * full, heights


def test_quoted_copy_moves_nothing() -> None:
    design, stage = design_for("brand-animation", 'Logo reveal. Headline "Spin into savings". White background',
                               [logo_png()])  # fmt: skip
    assert stage.motion is None and not stage.moved and "spins" not in stage.notice


def test_a_plain_brief_spins_its_product_too() -> None:
    """No template named: the plain design's first picture (a cut-out product) spins in, as asked."""
    design, stage = design_for("prompt", "A 4 second video of our bag, it spins. White background", [bag_jpeg()])
    assert "The product spins in." in stage.notice
    widths = []
    for i in range(40):
        a = np.asarray(design.frame(i), dtype=int)
        box = box_of((a[..., 0] - a[..., 1] > 40) & (a[..., 0] > 60))  # the maroon bag, front or (darker) back
        widths.append(0 if box is None else box[2] - box[0])
    full = max(widths)
    peak = next(n for n, w in enumerate(widths) if w > 0.8 * full)  # first seen face on
    assert any(w < 0.3 * full for w in widths[peak:]), widths  # edge-on after its full width
    assert min(widths[-3:]) >= 0.85 * full, widths  # and facing the viewer again


async def test_the_creative_and_the_ready_message_say_the_logo_spins(settings: Settings) -> None:
    studio = await Studio.open(settings)
    try:
        events: list[JobEvent] = []

        async def listen(event: JobEvent) -> None:
            events.append(event)

        studio.subscribe(listen)
        request = VideoRequest(prompt="A 2 second logo reveal for Acme, the logo spins", duration_s=2,
                               template="brand-animation")  # fmt: skip
        submitted = await studio.jobs.submit(OWNER, request)
        job = await studio.jobs.wait(OWNER, submitted.job_id)
        assert job.status == JobStatus.succeeded
        await studio.bus.drain()
        creative = (await studio.store.creatives(TEAM))[0]
        assert "The logo spins in." in (creative.notice or "")
        assert events[-1].kind == "creative_ready" and "The logo spins in." in events[-1].message
    finally:
        await studio.close()
