"""Drafts that follow a brand kit, rendered and measured: every text layer of a 30 s draft at or above its WCAG AA
contrast for a dark, a light and a low-contrast palette (measured on what is behind each layer as it is drawn,
and roughly again on the decoded video), the kit's logo on its own alpha, and the brief or an attachment taking
the kit's place for one video."""

from __future__ import annotations

import io
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter

from campaign.models import DEFAULT_TEAM_ID as TEAM
from campaign.models import JobStatus
from campaign.people import LOCAL_OWNER as OWNER
from campaign.settings import Settings
from campaign.storage import LocalStorage, UrlSigner
from tests.fakes.brand import KITS, brand_job, kit_and_files, logo_png
from tools.brand.contrast import AA_TEXT, contrast
from tools.brand.follow import ATTACHED_LOGO, BRIEF_COLOURS, BRIEF_ROLES
from tools.engines.base import RenderJob
from tools.engines.draft import engine as draft_engine
from tools.engines.draft.design import Design
from tools.engines.draft.engine import BrandFiles, DraftEngine, build_design, prepare_references, render_draft
from tools.engines.draft.kit import Lettering, RefImage, Stage
from tools.jobs import JobEvent, VideoRequest
from tools.studio import Studio

pytestmark = pytest.mark.render

BRIEF = ('Winter sale for Northwind. Sale: Winter sale. Headline "Warm starts here", tagline "Layers for every '
         'city", featuring recycled wool, storm-proof seams and a lifetime repair promise. 30% off all coats. '
         '$129. Free shipping over $50. Use code WARM30.')  # fmt: skip
TEMPLATE_FOR = {"dark": "brand-animation", "light": "product-showcase", "low-contrast": "social-media"}


def _lum(rgb: np.ndarray) -> np.ndarray:
    c = rgb / 255.0
    lin = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return lin @ np.array([0.2126, 0.7152, 0.0722])


def worst_contrast(before: Image.Image, words: Lettering) -> float:
    """The lowest contrast between the words' colour and any pixel under or right around their glyphs, as the
    frame was just before they were drawn (with their own plate, a label's box, laid over it)."""
    x0, y0, x1, y1 = words.box
    behind = before.crop(words.box).convert("RGB")
    if words.plate is not None:
        behind.paste(words.plate.convert("RGB"), (0, 0), words.plate.getchannel("A"))
    glyphs = np.asarray(words.mask.point(lambda v: 255 if v >= 128 else 0).filter(ImageFilter.MaxFilter(3))) > 0
    inside = np.zeros_like(glyphs)  # pixels of the box that are in the frame
    rows = slice(max(0, -y0), glyphs.shape[0] - max(0, y1 - before.height))
    inside[rows, max(0, -x0) : glyphs.shape[1] - max(0, x1 - before.width)] = True
    pixels = np.asarray(behind, dtype=float)[glyphs & inside]
    if not len(pixels):
        return 21.0
    text = _lum(np.array(words.colour, dtype=float))
    back = _lum(pixels)
    ratios = (np.maximum(text, back) + 0.05) / (np.minimum(text, back) + 0.05)
    return float(ratios.min())


def measured_render(
    job: RenderJob, files: BrandFiles, dest: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[list[tuple[int, Lettering, float]], Design]:
    """Render the job to `dest`, seeing every text layer of every frame drawn at full opacity, with its worst
    contrast: the probe rides along the one render (drawing every frame apart from it cost as much again)."""
    found: list[tuple[int, Lettering, float]] = []
    now = [0]
    designs: list[Design] = []

    def with_probe(job: RenderJob, refs: list[RefImage], files: BrandFiles | None = None) -> tuple[Design, Stage]:
        design, stage = build_design(job, refs, files, probe=lambda frame, words: found.append(
            (now[0], words, worst_contrast(frame, words))))  # fmt: skip
        draw = design.draw

        def counted(i: int, frame: Image.Image) -> None:
            now[0] = i
            draw(i, frame)

        setattr(design, "draw", counted)  # noqa: B010 (a method of this instance only)
        designs.append(design)
        return design, stage

    monkeypatch.setattr(draft_engine, "build_design", with_probe)
    render_draft(job, [], dest, files=files)
    return found, designs[0]


def decoded(path: Path, wanted: set[int]) -> dict[int, Image.Image]:
    with av.open(str(path)) as c:
        return {n: f.to_image() for n, f in enumerate(c.decode(video=0)) if n in wanted}


def seen_contrast(frame: Image.Image, words: Lettering) -> float | None:
    """Roughly, on a decoded frame: the contrast between the glyphs' middle and the pixels just around them."""
    mask = words.mask
    core = np.asarray(mask.filter(ImageFilter.MinFilter(3))) >= 250
    near = np.asarray(mask.filter(ImageFilter.MaxFilter(3))) > 0
    ring = (np.asarray(mask.filter(ImageFilter.MaxFilter(7))) > 0) & ~near
    if core.sum() < 30 or ring.sum() < 30:
        return None
    crop = np.asarray(frame.crop(words.box).convert("RGB"), dtype=float)
    a = tuple(int(v) for v in np.median(crop[core], axis=0))
    b = tuple(int(v) for v in np.median(crop[ring], axis=0))
    return contrast(a, b)  # type: ignore[arg-type]


@pytest.mark.parametrize("palette", list(KITS))
def test_every_text_layer_of_a_30s_kit_draft_meets_wcag_aa(
    palette: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kit, files = kit_and_files(palette)
    job = brand_job(kit, BRIEF, template=TEMPLATE_FOR[palette])
    dest = tmp_path / "kit.mp4"
    layers, design = measured_render(job, files, dest, monkeypatch)
    texts = {words.text for _, words, _ in layers}
    assert {"Warm starts here", "Shop now", "northwind.example", kit.legal} <= texts, texts
    failures = [(i, w.text, w.size, round(r, 2)) for i, w, r in layers if r < AA_TEXT]
    assert not failures, failures[:10]
    assert len(layers) > 500  # every frame's layers, not a sample
    # The decoded video, roughly: a frame every two seconds outside the wipes, each layer drawn in it.
    wanted = {i for i in range(12, 30 * 24, 48) if design._wipe_window(i) is None}
    frames = decoded(dest, wanted)
    checked = 0
    for i, words, _ in layers:
        if i in frames and (seen := seen_contrast(frames[i], words)) is not None:
            checked += 1
            assert seen >= AA_TEXT * 0.85, (i, words.text, round(seen, 2))
    assert checked >= 5


def colour_share(img: Image.Image, colour: tuple[int, int, int], tol: int = 30) -> float:
    px = np.asarray(img.convert("RGB").resize((img.width // 4, img.height // 4)), dtype=int)
    return float((np.abs(px - np.array(colour)).max(axis=2) <= tol).mean())


@pytest.mark.parametrize("template", [None, "brand-animation", "product-showcase", "social-media"])
def test_a_draft_with_no_attachment_is_in_the_kits_colours_with_its_logo(template: str | None) -> None:
    kit, files = kit_and_files("dark")
    job = brand_job(kit, 'A teaser for our winter collection. Headline "Warm starts here"', template=template,
                    duration=12)  # fmt: skip
    design, stage = build_design(job, [], files)
    assert stage.palette.source == "kit" and stage.palette.bg == (11, 15, 26)
    assert not stage.notice
    frames = [design.frame(i) for i in range(0, stage.frames, 12)]  # every half second: the end card is beats long
    # The logo's orange ring shows, in most of a no-attachment draft, and at its end.
    with_logo = [f for f in frames if colour_share(f, (255, 90, 31), 12) > 0.0008]
    assert len(with_logo) >= 2 and colour_share(design.frame(stage.frames - 1), (255, 90, 31), 12) > 0.0008
    for f in frames:  # no white card: the kit's light logo sits on the dark ground itself
        assert colour_share(f, (255, 255, 255), 8) < 0.02


def test_the_light_logo_goes_on_dark_grounds_and_the_main_one_on_light_grounds() -> None:
    for palette, word in (("dark", (232, 238, 245)), ("light", (31, 58, 46))):
        kit, files = kit_and_files(palette)
        design, stage = build_design(brand_job(kit, "Logo reveal", template="brand-animation", duration=4), [], files)
        chosen = stage.marks.logo_on(stage.palette.bg)
        assert chosen is not None
        assert contrast(chosen.opaque_mean, stage.palette.bg) >= contrast(
            (stage.marks.logo_light if chosen is stage.marks.logo else stage.marks.logo).opaque_mean,  # type: ignore[union-attr]
            stage.palette.bg,
        )
        end = design.frame(stage.frames - 1)
        assert colour_share(end, word, 10) > 0.001, palette


def test_a_low_contrast_logo_is_lit_from_behind_not_put_on_a_card() -> None:
    kit, files = kit_and_files("low-contrast")
    # Only a mid-grey logo, close to the ground: it gets a soft light along its shape, never a box.
    files = BrandFiles(logo=logo_png((150, 165, 176), (150, 165, 176)), fonts=files.fonts)
    design, stage = build_design(brand_job(kit.model_copy(update={"logo_light": None}), "Logo reveal",
                                           template="brand-animation", duration=4), [], files)  # fmt: skip
    logo = design.logo.image
    alpha = np.asarray(logo.getchannel("A"))
    corners = [alpha[0, 0], alpha[0, -1], alpha[-1, 0], alpha[-1, -1]]
    assert max(corners) == 0  # no plate: its corners are clear
    assert alpha.mean() < 0.75 * 255  # and most of its box lets the ground through


def test_the_briefs_colours_win_for_that_video_and_the_user_is_told() -> None:
    kit, files = kit_and_files("dark")
    design, stage = build_design(brand_job(kit, "A teaser in navy and orange", duration=4), [], files)
    assert stage.palette.source == "brief" and stage.notice == BRIEF_COLOURS
    assert stage.palette.bg != (11, 15, 26)


def test_an_attached_logo_takes_the_kits_place_for_that_video() -> None:
    kit, files = kit_and_files("dark")
    raw = [logo_png((20, 120, 220), (20, 120, 220), "Other")]
    job = brand_job(kit, "Logo reveal", template="brand-animation", duration=4)
    design, stage = build_design(job, prepare_references(raw, job.width, job.height), files)
    assert stage.notice == ATTACHED_LOGO and stage.marks.logo is None
    assert stage.palette.source == "kit"  # the kit's colours stay
    assert colour_share(design.frame(stage.frames - 1), (20, 120, 220), 20) > 0.001


async def test_the_engine_reads_the_kits_files_from_storage_and_reports_what_it_followed(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path / "files", UrlSigner("k" * 32))
    kit, files = kit_and_files("light")
    assert files.logo is not None and files.logo_light is not None
    await storage.put("brand/logo.png", files.logo, "image/png")
    await storage.put("brand/logo-light.png", files.logo_light, "image/png")
    await storage.put("brand/headline.ttf", files.fonts["headline"], "font/ttf")
    await storage.put("brand/body.ttf", files.fonts["body"], "font/ttf")

    async def progress(fraction: float, note: str) -> None:
        return None

    dest = tmp_path / "out.mp4"
    job = brand_job(kit, "A 2 second teaser, #FF0000 background", duration=2)
    outcome = await DraftEngine(storage).render(job, dest, progress)
    assert outcome.notice == BRIEF_ROLES.format("background colour")
    frame = next(iter(decoded(dest, {47}).values()))
    assert colour_share(frame, (230, 0, 0), 50) > 0.3  # the brief's red ground


def test_a_product_lost_on_the_kits_ground_is_lit_from_behind() -> None:
    """A maroon product on a studio sweep, cut out onto a navy kit's ground (contrast about 1.2): a light follows its
    shape so it stands out from the ground."""
    kit, files = kit_and_files("dark")
    maroon = (70, 18, 40)
    photo = Image.new("RGB", (1200, 900), (228, 228, 232))
    ImageDraw.Draw(photo).rounded_rectangle((300, 250, 900, 650), radius=60, fill=maroon)
    out = io.BytesIO()
    photo.save(out, "JPEG", quality=95)
    job = brand_job(kit, 'Showcase the "Nord" bag', template="product-showcase", duration=6)
    refs = prepare_references([out.getvalue()], job.width, job.height)
    assert refs[0].cut_out and contrast(maroon, (11, 15, 26)) < 3
    design, stage = build_design(job, refs, files)
    frame = np.asarray(design.frame(stage.frames // 3), dtype=int)
    product = np.abs(frame - np.array(maroon)).max(axis=2) <= 14
    assert product.mean() > 0.02
    mask = Image.fromarray((product * 255).astype(np.uint8))
    near = np.asarray(mask.filter(ImageFilter.MaxFilter(3))) > 0
    ring = (np.asarray(mask.filter(ImageFilter.MaxFilter(9))) > 0) & ~near
    around = tuple(int(v) for v in np.median(frame[ring], axis=0))
    assert contrast(maroon, around) >= 3.0, around  # type: ignore[arg-type]


async def test_the_creative_and_the_ready_message_say_the_brief_took_the_kits_place(settings: Settings) -> None:
    studio = await Studio.open(settings)
    try:
        kit, files = kit_and_files("dark")
        assert files.logo is not None
        await studio.files.storage.put("brand/logo.png", files.logo, "image/png")
        events: list[JobEvent] = []

        async def listen(event: JobEvent) -> None:
            events.append(event)

        studio.subscribe(listen)
        await studio.store.add_brand_kit(TEAM, None, kit.model_copy(update={"logo_light": None}).model_dump(), None)
        request = VideoRequest(prompt="A 2 second teaser in teal and white", duration_s=2)
        submitted = await studio.jobs.submit(OWNER, request)
        assert (submitted.copy.cta, submitted.copy.website) == ("Shop now", "northwind.example")  # the kit's words
        job = await studio.jobs.wait(OWNER, submitted.job_id)
        assert job.status == JobStatus.succeeded
        await studio.bus.drain()
        creative = (await studio.store.creatives(TEAM))[0]
        assert BRIEF_COLOURS in (creative.notice or "")
        assert events[-1].kind == "creative_ready" and BRIEF_COLOURS in events[-1].message
    finally:
        await studio.close()
