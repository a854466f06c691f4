"""Sprites blended straight into yuv420p planes: the same picture as mixing in floats, at any opacity, over any
footage (no 16-bit wrap over white), only inside the sprite's box, clipped at the frame's edges."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from tools.finish.overlay import Overlay, dim, to_rgb, to_yuv


def sprite() -> tuple[Image.Image, np.ndarray]:
    rng = np.random.default_rng(1)
    px = rng.integers(0, 256, (20, 30, 4), dtype=np.uint8)
    return Image.fromarray(px), px


@pytest.mark.parametrize("ground", [0, 16, 128, 235, 255])
@pytest.mark.parametrize("opacity", [1.0, 0.99, 0.5, 0.03])
def test_a_blend_is_the_float_mix_within_two_levels(ground: int, opacity: float) -> None:
    image, px = sprite()
    planes = tuple(np.full(shape, ground, np.uint8) for shape in ((40, 60), (20, 30), (20, 30)))
    box = Overlay(image).blend(planes, 4, 6, opacity)  # type: ignore[arg-type]
    assert box == (4, 6, 34, 26)
    alpha = px[..., 3] / 255 * round(opacity * 64) / 64
    want = ground * (1 - alpha) + to_yuv(px[..., :3].astype(float))[..., 0] * alpha
    assert np.abs(planes[0][6:26, 4:34].astype(float) - want).max() <= 2
    untouched = planes[0].copy()
    untouched[6:26, 4:34] = ground
    assert (untouched == ground).all()


def test_a_sprite_past_the_edge_is_clipped() -> None:
    image, _ = sprite()
    planes = tuple(np.zeros(shape, np.uint8) for shape in ((40, 60), (20, 30), (20, 30)))
    assert Overlay(image).blend(planes, 50, 30, 1.0) == (50, 30, 60, 40)  # type: ignore[arg-type]
    assert Overlay(image).blend(planes, 70, 0, 1.0) == (0, 0, 0, 0)  # type: ignore[arg-type]


def test_dimming_mixes_toward_the_colour() -> None:
    src = tuple(np.full(shape, 200, np.uint8) for shape in ((4, 4), (2, 2), (2, 2)))
    dst = tuple(np.zeros(shape, np.uint8) for shape in ((4, 4), (2, 2), (2, 2)))
    dim(src, dst, (0, 0, 0), 0.5)  # type: ignore[arg-type]
    black = to_yuv(np.array([0.0, 0.0, 0.0]))
    assert abs(int(dst[0][0, 0]) - round(100 + black[0] / 2)) <= 1
    assert np.allclose(to_rgb(to_yuv(np.array([224.0, 32.0, 27.0]))), [224, 32, 27], atol=0.5)
