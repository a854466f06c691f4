"""The finisher's end-card logo comes in as the brief asks it to move ("the logo spins", "slides in from the left"),
then holds; without a motion it fades in and stays as it was. Read back from the decoded video: the pixels of the
logo's orange ring on the end card, frame by frame (the corner logo, gone by then, is left out)."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest

from tests.fakes.brand import brand_job, kit_and_files
from tests.fakes.footage import write_footage
from tools.brief import AdCopy
from tools.finish.compose import Finished, finish
from tools.finish.cues import MOVE_MAX, card_length

pytestmark = pytest.mark.render

COPY = AdCopy(headline="Warm starts here", end_text="Stay warm", cta="Shop now", website="northwind.example")
ORANGE = (255, 90, 31)  # the ring of the kit's logo (tests/fakes/brand.py)
SECONDS, FPS = 5.0, 10
CARD = SECONDS - card_length(SECONDS)  # when the end card starts
HELD = round((CARD + 0.1 + MOVE_MAX) * FPS) + 1  # the first frame after any move of the end card's logo


@pytest.fixture(scope="module")
def footage(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_footage(tmp_path_factory.mktemp("footage") / "v.mp4", 360, 640, SECONDS, FPS).path


def finished(footage: Path, dest: Path, brief: str) -> tuple[list[np.ndarray], Finished]:
    """The ad finished for `brief`, and the orange of the logo in each of its frames (a mask; the corner logo's
    place, found before the end card, cleared)."""
    kit, files = kit_and_files("dark")
    result = finish(footage, dest, brand_job(kit, brief, aspect="9:16", duration=round(SECONDS), copy=COPY), files)
    with av.open(str(dest)) as container:
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(container.streams.video[0])]
    masks = [np.abs(f.astype(int) - np.array(ORANGE)).max(axis=2) < 50 for f in frames]
    ys, xs = np.nonzero(masks[round(CARD * FPS) - 2])
    assert len(ys), "the corner logo is there before the end card"
    for mask in masks:
        mask[max(0, ys.min() - 3) : ys.max() + 4, max(0, xs.min() - 3) : xs.max() + 4] = False
    return masks, result


def extent(mask: np.ndarray) -> tuple[int, int] | None:
    """The leftmost and rightmost columns of the orange, None when none shows."""
    xs = np.nonzero(mask.any(axis=0))[0]
    return (int(xs[0]), int(xs[-1])) if len(xs) else None


def test_a_spinning_logo_turns_edge_on_and_back_then_holds(footage: Path, tmp_path: Path) -> None:
    masks, result = finished(footage, tmp_path / "spin.mp4", "Winter sale. The logo spins in.")
    counts = [int(m.sum()) for m in masks]
    held = counts[HELD]
    assert held > 300, "the logo's ring at rest on the end card"
    assert all(abs(c - held) <= 0.03 * held for c in counts[HELD:]), "it holds once the move is over"
    card = counts[round(CARD * FPS) : HELD]
    shows = next(k for k, c in enumerate(card) if c > 0.2 * held)  # the ring first seen, turning
    move = card[shows:]
    turned = move.index(min(move))
    assert move[turned] < 0.1 * held, "mid-spin the ring is edge-on or turned away"
    assert max(move[turned:]) > 0.8 * held, "and it turns back to face the viewer"
    assert "The logo spins in." in result.notice


def test_a_logo_sliding_in_from_the_left_moves_right_then_stops(footage: Path, tmp_path: Path) -> None:
    masks, result = finished(footage, tmp_path / "slide.mp4", "Winter sale. The logo slides in from the left.")
    rest = extent(masks[HELD])
    assert rest is not None
    seen = [e for e in (extent(m) for m in masks[round(CARD * FPS) : HELD]) if e is not None]
    assert seen[0][0] < rest[0] - 40, "it comes from the left"
    lefts = [left for left, _ in seen]
    assert lefts == sorted(lefts), "moving left to right"
    assert all(extent(m) == rest for m in masks[HELD:]), "then it stops"
    assert "The logo slides in from the left." in result.notice


def test_without_a_motion_the_logo_fades_in_at_its_width(footage: Path, tmp_path: Path) -> None:
    masks, result = finished(footage, tmp_path / "still.mp4", "Winter sale")
    rest = extent(masks[-1])
    assert rest is not None
    widths = [e[1] - e[0] for e in (extent(m) for m in masks[round(CARD * FPS) :]) if e is not None]
    assert len(widths) >= len(masks) - HELD, "the logo shows on the end card"
    assert all(abs(w - (rest[1] - rest[0])) <= 2 for w in widths), "as wide from the first frame it shows"
    assert "logo" not in result.notice.lower()
