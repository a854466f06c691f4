"""Other formats of portrait footage reframed and finished in one pass (tools.finish.formats): the same size,
rate, length and sound as reframing and then finishing, the brief's words on screen, and the words kept off the
subject (the yellow disc of tests/fakes/footage.py) while it stays in every frame."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from tests.fakes.brand import brand_job, kit_and_files
from tests.fakes.footage import Footage, write_footage, yellow_mask
from tests.fakes.ocr import needs_tesseract, read_words
from tools.brief import AdCopy
from tools.engines.base import RenderJob
from tools.engines.draft.engine import BrandFiles
from tools.engines.draft.kit import Box
from tools.finish.compose import Finished, finish
from tools.finish.cues import card_length
from tools.finish.formats import finish_format, finish_formats
from tools.finish.reframe import output_size, reframe

pytestmark = pytest.mark.render

ASPECTS = ("1:1", "4:5", "16:9")
SECONDS = 4.0
# A one-line opening: with a tagline under it, the stack is taller than the room the square's subject leaves
# above or below it in the opening beat (the words then cover it the least they can; see cues.plan_ad's `avoid`).
COPY = AdCopy(headline="Run wild", features=["Grippy soles"], cta="Shop now", website="northwind.example")


@pytest.fixture(scope="module")
def footage(tmp_path_factory: pytest.TempPathFactory) -> Footage:
    return write_footage(tmp_path_factory.mktemp("formats") / "portrait.mp4", 360, 640, SECONDS, 24)


@pytest.fixture(scope="module")
def kit() -> tuple[dict[str, RenderJob], BrandFiles]:
    brand, files = kit_and_files("dark")
    jobs = {a: brand_job(brand, "Trail shoes", aspect=a, duration=round(SECONDS), copy=COPY) for a in ASPECTS}
    return jobs, files


@pytest.fixture(scope="module")
def fused(
    footage: Footage, kit: tuple[dict[str, RenderJob], BrandFiles], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, tuple[Path, Finished]]:
    """The three formats from one decode."""
    jobs, files = kit
    folder = tmp_path_factory.mktemp("fused")
    outputs = {a: (folder / f"{a.replace(':', 'x')}.mp4", jobs[a]) for a in ASPECTS}
    made = finish_formats(footage.path, outputs, files=files)
    return {a: (outputs[a][0], made[a]) for a in ASPECTS}


def described(path: Path) -> tuple[int, int, float, int, bool]:
    """Width, height, frame rate, frame count and whether there is sound, as decoded."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        count = sum(1 for _ in container.decode(stream))
        return stream.width, stream.height, float(stream.average_rate or 0), count, bool(container.streams.audio)


def decoded(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]


def overlaps(a: Box, b: Box) -> bool:
    return min(a[2], b[2]) > max(a[0], b[0]) and min(a[3], b[3]) > max(a[1], b[1])


def test_one_pass_makes_what_reframing_then_finishing_made(
    footage: Footage,
    kit: tuple[dict[str, RenderJob], BrandFiles],
    fused: dict[str, tuple[Path, Finished]],
    tmp_path: Path,
) -> None:
    jobs, files = kit
    for aspect in ASPECTS:
        framed, finished = tmp_path / f"framed-{aspect[0]}.mp4", tmp_path / f"finished-{aspect[0]}.mp4"
        reframe(footage.path, {aspect: framed})
        finish(framed, finished, jobs[aspect], files)
        path, made = fused[aspect]
        before, now = described(finished), described(path)
        assert now == before, f"{aspect}: {now} where reframing then finishing made {before}"
        assert (made.width, made.height) == output_size(aspect, footage.width, footage.height) == now[:2]
        assert made.frames == footage.frames and made.audio and now[4]
        assert made.sound is not None and made.sound.lufs == pytest.approx(-14, abs=0.1)  # its sound mixed
    one = tmp_path / "one.mp4"
    made = finish_format(footage.path, one, jobs["16:9"], files)
    assert described(one) == described(fused["16:9"][0]) and made.text_boxes == fused["16:9"][1].text_boxes


@needs_tesseract
def test_the_words_are_read_in_every_format(fused: dict[str, tuple[Path, Finished]]) -> None:
    for aspect, (path, made) in fused.items():
        frames = decoded(path)
        fps = made.fps
        # The opening beat at full opacity: its boxes drawn at 0.6 s, read together (enlarged for Tesseract).
        t = 0.6
        index = round(t * fps)
        boxes = [b for b, (first, last) in made.text_times.items() if first <= index / fps <= last]
        assert boxes, f"{aspect}: words are on screen at {t} s"
        x0, y0 = min(b[0] for b in boxes), min(b[1] for b in boxes)
        x1, y1 = max(b[2] for b in boxes), max(b[3] for b in boxes)
        crop = Image.fromarray(frames[index][y0:y1, x0:x1])
        words = read_words(crop.resize((crop.width * 3, crop.height * 3), Image.Resampling.LANCZOS))
        assert {"run", "wild"} <= words, f"{aspect}: read {sorted(words)}"


def test_the_words_keep_off_the_subject_in_every_format(
    footage: Footage, fused: dict[str, tuple[Path, Finished]], tmp_path: Path
) -> None:
    before_card = SECONDS - card_length(SECONDS)
    for aspect, (path, made) in fused.items():
        bare = tmp_path / f"bare-{aspect[0]}.mp4"
        reframe(footage.path, {aspect: bare})  # the same frames without the ad: where the subject is in each
        plain, finished = decoded(bare), decoded(path)
        assert len(plain) == len(finished)
        sampled = range(0, int(before_card * made.fps), 3)
        for i in sampled:
            shown = yellow_mask(finished[i])
            assert shown.sum() > 200, f"{aspect}: the subject is in frame {i}"
            ys, xs = np.nonzero(yellow_mask(plain[i]))
            subject = (int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1)
            t = i / made.fps
            words = [b for b, (first, last) in made.text_times.items() if first <= t <= last]
            assert not [b for b in words if overlaps(b, subject)], f"{aspect}: words over the subject at {t:.2f} s"
    # Portrait footage's subject sits low in a 16:9 frame: there the words went to the head of the safe area.
    wide = fused["16:9"][1]
    assert any(b[3] < wide.height / 2 for b in wide.text_boxes), "some words moved above the subject"
