"""A variation of a draft changes the one thing it names, and a viewer sees nothing else change: each is rendered
beside the original (a 4 s vertical showcase of a product photo), decoded, and compared where the change shows and
where it must not."""

from __future__ import annotations

import io
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image, ImageDraw

from tests.fakes.ocr import needs_tesseract, read_words
from tools.brand.contrast import contrast
from tools.brief import AdCopy
from tools.brief.variations import Change, Variant
from tools.engines.base import RenderJob
from tools.engines.draft.engine import DraftResult, build_design, prepare_references, render_draft
from tools.engines.draft.provider import DRAFT

pytestmark = pytest.mark.render

FPS = 24
W, H = 360, 640
COPY = AdCopy(
    headline="Ridge Runner", tagline="Built for mud", features=["Grippy lugs", "Breathable mesh"], offer="30% off",
    price="$89", cta="Shop now", website="ridgerunner.run",
)  # fmt: skip
CUT = 4.5  # mean absolute difference (0-255) between two frames, a quarter size, that makes a cut


def product_photo() -> bytes:
    """A red shoe-like product on a grey studio sweep (the draft cuts it out)."""
    img = Image.new("RGB", (1600, 1200), (228, 228, 232))
    draw = ImageDraw.Draw(img)
    draw.rounded_rectangle((160, 520, 1440, 860), radius=120, fill=(214, 40, 48))
    draw.rectangle((200, 820, 1400, 880), fill=(245, 245, 240))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=92)
    return out.getvalue()


def job(variant: Variant, audio: bool = False) -> RenderJob:
    return RenderJob(job_id="v", brief="Ridge Runner trail shoe showcase", prompt="", model=DRAFT, duration_s=4,
                     aspect="9:16", resolution="720p", width=W, height=H, fps=FPS, template="product-showcase",
                     copy=COPY, audio=audio, variant=variant)  # fmt: skip


class Rendered:
    """A variation rendered and decoded: its frames (RGB arrays), its audio and what the draft reported."""

    def __init__(self, variant: Variant, folder: Path, audio: bool = False) -> None:
        dest = folder / f"{variant.change or 'original'}.mp4"
        self.result: DraftResult = render_draft(job(variant, audio), [product_photo()], dest)
        with av.open(str(dest)) as c:
            self.frames = [f.to_ndarray(format="rgb24") for f in c.decode(c.streams.video[0])]
        with av.open(str(dest)) as c:
            self.audio = np.concatenate([f.to_ndarray() for f in c.decode(audio=0)], axis=1) if audio else None

    def at(self, t: float) -> np.ndarray:
        return self.frames[min(len(self.frames) - 1, round(t * FPS))]

    def image(self, t: float) -> Image.Image:
        return Image.fromarray(self.at(t))

    def cuts(self) -> int:
        """The frames where the picture jumps (a cut, or each frame of a wipe)."""
        small = [a[::4, ::4].astype(np.int16) for a in self.frames]
        return sum(1 for a, b in zip(small, small[1:], strict=False) if np.abs(a - b).mean() > CUT)


def differ(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a.astype(np.int16) - b.astype(np.int16)).mean())


def dominant(frame: np.ndarray) -> tuple[int, int, int]:
    """The most common colour of a frame, to 16 levels a channel."""
    q = (frame[::4, ::4] // 16).reshape(-1, 3)
    values, counts = np.unique(q, axis=0, return_counts=True)
    return tuple(int(v) * 16 + 8 for v in values[counts.argmax()])  # type: ignore[return-value]


def said(variant: Variant) -> tuple[list[str], set[str]]:
    """The texts the draft draws, in the order they first appear, and every one drawn at half opacity or more."""
    design, stage = build_design(job(variant), prepare_references([product_photo()], W, H))
    order: list[str] = []
    for i in range(stage.frames):
        design.frame(i)
        order += [x for x in sorted(stage.said) if x not in order]
    return order, stage.said


@pytest.fixture(scope="module")
def original(tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    return Rendered(Variant(), tmp_path_factory.mktemp("original"), audio=True)


def test_the_price_first_hook_changes_the_first_second_and_keeps_the_end_card(original: Rendered, tmp_path: Path):
    hooked = Rendered(Variant(change=Change.hook_price), tmp_path)
    assert min(differ(original.at(t), hooked.at(t)) for t in (0.2, 0.5, 0.8)) > 30  # another opening
    assert differ(original.at(4.0), hooked.at(4.0)) < 4  # the same end card
    assert said(Variant())[1] <= said(Variant(change=Change.hook_price))[1]  # every word still said


@needs_tesseract
def test_the_price_first_hook_is_read_in_the_first_second(original: Rendered, tmp_path: Path) -> None:
    hooked = Rendered(Variant(change=Change.hook_price), tmp_path)
    assert "$89" in read_words(hooked.image(0.5)) and "$89" not in read_words(original.image(0.5))


def test_the_close_up_hook_fills_the_first_second_with_the_product(original: Rendered, tmp_path: Path) -> None:
    hooked = Rendered(Variant(change=Change.hook_closeup), tmp_path)

    def red(frame: np.ndarray) -> float:
        r, g, b = (frame[..., k].astype(int) for k in range(3))
        return float(((r > 150) & (g < 90) & (b < 90)).mean())

    assert red(hooked.at(0.5)) > 2 * red(original.at(0.5)) and red(hooked.at(0.5)) > 0.15  # the product, closer
    assert differ(original.at(4.0), hooked.at(4.0)) < 4


def test_the_offer_leads_in_the_headline_order_with_the_same_words() -> None:
    first, words = said(Variant())
    first_varied, words_varied = said(Variant(change=Change.order_offer))
    assert first[0] == "Ridge Runner" and first_varied[0] == "30% off"
    assert words == words_varied


def test_the_layout_moves_the_words_and_the_picture(original: Rendered, tmp_path: Path) -> None:
    moved = Rendered(Variant(change=Change.layout), tmp_path)

    def middle(result: DraftResult) -> float:
        return float(np.mean([(b[1] + b[3]) / 2 for b in result.text_boxes]))

    assert middle(original.result) > H * 0.55 and middle(moved.result) < H * 0.45  # the words went up
    assert said(Variant())[1] == said(Variant(change=Change.layout))[1]
    assert differ(original.at(2.0), moved.at(2.0)) > 10


def test_the_colourway_swaps_the_ground_and_keeps_the_words_readable(original: Rendered, tmp_path: Path) -> None:
    recoloured = Rendered(Variant(change=Change.colourway), tmp_path)
    before, after = original.result.palette, recoloured.result.palette
    assert after.min_contrast() >= 4.5  # every text role still passes AA
    assert contrast(after.bg, before.bg) > 3 and contrast(after.bg, before.accent) < 1.5  # the accent is the ground
    for t in (1.0, 2.5, 4.0):
        assert max(abs(a - b) for a, b in zip(dominant(original.at(t)), dominant(recoloured.at(t)), strict=True)) > 60
    assert said(Variant())[1] == said(Variant(change=Change.colourway))[1]


def test_the_faster_pacing_cuts_more_to_the_same_music(original: Rendered, tmp_path: Path) -> None:
    paced = Rendered(Variant(change=Change.pacing), tmp_path, audio=True)
    assert paced.cuts() >= original.cuts() + 3
    assert original.audio is not None and paced.audio is not None
    assert np.array_equal(original.audio, paced.audio)  # the same bed, the same tempo
    assert said(Variant())[1] == said(Variant(change=Change.pacing))[1]
    assert differ(original.at(4.0), paced.at(4.0)) < 4  # the same end card


def test_a_job_stored_before_variations_had_names_keeps_its_seed() -> None:
    assert Variant.model_validate(5) == Variant(seed=5) and Variant.model_validate(5).label == "other shots"
