"""Cutting a product out of a plain backdrop (OpenCV: flood fill, then GrabCut), so the draft can set it on the
brand background with a shadow of its own instead of showing the studio sweep as a grey box.

The backdrop is what a flood fill reaches from the image's border while colours change smoothly (a sweep's
gradient and the soft shadow on it included), plus enclosed pockets of the backdrop's own colour (the inside of
an O). GrabCut then settles the edge from those two seeds. The work is done at a few hundred pixels and the
mask scaled up with a feathered edge a pixel or two wide, eroded a little so no backdrop fringe is left around
the product. OpenCV's random generator is seeded, so the same photo always gives the same mask.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

WORK_SIDE = 400  # the longest side the mask is worked out at
STEP = 5  # largest colour step between neighbouring backdrop pixels (flood fill's floating range)
SAME = 10  # how close an enclosed pocket's colour must be to the backdrop's to count as backdrop
MIN_SUBJECT, MAX_SUBJECT = 0.03, 0.9  # share of the image a product must cover to be cut out


def cut_out(img: Image.Image, plate: tuple[int, int, int]) -> Image.Image | None:
    """`img` (opaque) with its plain backdrop of colour `plate` made transparent, or None when no clear subject
    stands on it (an empty backdrop, or a ground that is not a backdrop after all)."""
    import cv2  # loaded only when a reference has a plain backdrop

    rgb = np.asarray(img.convert("RGB"))
    h, w = rgb.shape[:2]
    scale = min(1.0, WORK_SIDE / max(h, w))
    small = cv2.resize(rgb, (max(8, round(w * scale)), max(8, round(h * scale))), interpolation=cv2.INTER_AREA)
    backdrop = _flooded(cv2, small, plate)
    share = 1.0 - backdrop.mean()
    if not MIN_SUBJECT <= share <= MAX_SUBJECT:
        return None
    subject = _grabcut(cv2, small, backdrop)
    if not MIN_SUBJECT <= subject.mean() <= MAX_SUBJECT:
        return None
    # Smooth the mask where it was worked out (no staircase once scaled up), scale it up, and give it an edge
    # about two pixels wide, pulled in a little (no light fringe on a dark background).
    # The full-size steps are done in place: a 6-megapixel photo's float mask is 24 MB a copy.
    soft = cv2.GaussianBlur(subject.astype(np.float32), (0, 0), 1.2)
    alpha: np.ndarray = cv2.resize(soft, (w, h), interpolation=cv2.INTER_CUBIC)  # float32, as `soft` is
    edge = max(1.0, 1.5 / scale)  # the smoothed edge's width in full-size pixels
    half = min(0.29, 1.0 / edge)  # the ramp around 0.7 reaches 0 and 1 within the smoothed values (a small
    alpha -= 0.7 - half  # photo's product stays fully opaque, not see-through)
    alpha /= 2.0 * half
    np.clip(alpha, 0.0, 1.0, out=alpha)
    alpha *= 255
    out = img.convert("RGBA")
    out.putalpha(Image.fromarray(np.rint(alpha, out=alpha).astype(np.uint8), "L"))
    return out


def _flooded(cv2, small: np.ndarray, plate: tuple[int, int, int]) -> np.ndarray:  # noqa: ANN001
    """True where the backdrop is: reached from the border in small colour steps, or an enclosed pocket of the
    backdrop's own colour."""
    sh, sw = small.shape[:2]
    mask = np.zeros((sh + 2, sw + 2), np.uint8)
    flags = 8 | cv2.FLOODFILL_MASK_ONLY | (255 << 8)
    near = np.abs(small.astype(np.int16) - np.array(plate, np.int16)).max(axis=2)
    work = small.copy()
    edge = [(x, 0) for x in range(sw)] + [(x, sh - 1) for x in range(sw)]
    edge += [(0, y) for y in range(sh)] + [(sw - 1, y) for y in range(sh)]
    for x, y in edge[::2]:
        if not mask[y + 1, x + 1] and near[y, x] < 3 * SAME:
            cv2.floodFill(work, mask, (x, y), (0, 0, 0), (STEP,) * 3, (STEP,) * 3, flags)
    return (mask[1:-1, 1:-1] > 0) | (near < SAME)


def _grabcut(cv2, small: np.ndarray, backdrop: np.ndarray) -> np.ndarray:  # noqa: ANN001
    """The subject's mask, GrabCut settling the edge between the backdrop and what stands on it."""
    kernel = np.ones((5, 5), np.uint8)
    sure_back = cv2.erode(backdrop.astype(np.uint8), kernel) > 0
    sure_front = cv2.erode((~backdrop).astype(np.uint8), kernel, iterations=2) > 0
    seeds = np.full(backdrop.shape, cv2.GC_PR_FGD, np.uint8)
    seeds[backdrop] = cv2.GC_PR_BGD
    seeds[sure_back] = cv2.GC_BGD
    seeds[sure_front] = cv2.GC_FGD
    if not (seeds == cv2.GC_FGD).any() or not (seeds == cv2.GC_BGD).any():
        return ~backdrop
    cv2.setRNGSeed(0)
    bgd, fgd = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
    cv2.grabCut(cv2.cvtColor(small, cv2.COLOR_RGB2BGR), seeds, None, bgd, fgd, 2, cv2.GC_INIT_WITH_MASK)
    subject = (seeds == cv2.GC_FGD) | (seeds == cv2.GC_PR_FGD)
    # Specks GrabCut left on the backdrop go; the product is the large parts.
    count, labels, stats, _ = cv2.connectedComponentsWithStats(subject.astype(np.uint8), connectivity=8)
    if count > 2:
        biggest = stats[1:, cv2.CC_STAT_AREA].max()
        keep = np.zeros(count, bool)
        keep[1:] = stats[1:, cv2.CC_STAT_AREA] >= 0.02 * biggest
        subject = keep[labels]
    return subject
