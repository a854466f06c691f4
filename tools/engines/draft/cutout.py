"""Cutting a product out of a plain backdrop (OpenCV), so the draft can set it on the brand background with a
shadow of its own instead of showing the studio sweep as a grey box.

The bare backdrop's colour is modelled at every pixel from the image's edges (a sweep's gradient and vignette).
The backdrop is then what is reached from the border over pixels of that colour, or of its shadow (the same hue,
darker), without crossing an edge: a sharp step or line, which a soft shadow's fall-off is not. So a white sole,
stripe, label or lace stays with the product, fenced off by its outline even where its colour is the backdrop's,
and a soft contact shadow goes. Thin channels of that flood are leaks through gaps in an outline and are dropped;
wide enclosed areas of the bare backdrop's colour (the inside of a handle) are backdrop; each pixel on an edge
goes to the side, product or backdrop, whose colour beside it is nearer. The work is done at WORK_SIDE pixels
and the mask scaled to the photo with a feathered edge a pixel or two wide, pulled in a little so no backdrop
fringe is left around the product. Nothing is random: the same photo always gives the same mask.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

WORK_SIDE = 800  # the longest side the mask is worked out at
NEAR = 6  # how far (in levels, any channel) from the backdrop model a pixel may be and still be plain backdrop
EDGE = 3.0  # how far (levels) a pixel may stand out of its blurred surroundings before it is an edge
SHADOW = 0.2, 1.02  # a shadow keeps the backdrop's hue and darkens it to no less than this share of its light
HUE = 0.04  # how far a shadow's channels may stray from darkening the backdrop evenly (share of each channel)
NEXT = 10  # how far (pixels) around an edge pixel the colours of the product and the backdrop beside it are taken
THIN = 3  # a channel of backdrop narrower than twice this (pixels) is a leak
POCKET = 3  # how close (levels) an enclosed pocket's pixels must be to the backdrop model
FENCED = 0.6  # the share of an enclosed pocket's surroundings that must be edges for it to be a hole
MIN_SUBJECT, MAX_SUBJECT = 0.03, 0.9  # share of the image a product must cover to be cut out


def cut_out(img: Image.Image, plate: tuple[int, int, int]) -> Image.Image | None:
    """`img` (opaque) with its plain backdrop of colour `plate` made transparent, or None when no clear subject
    stands on it (an empty backdrop, or a ground that is not a backdrop after all)."""
    import cv2  # loaded only when a reference has a plain backdrop

    rgb = np.asarray(img.convert("RGB"))
    h, w = rgb.shape[:2]
    scale = WORK_SIDE / max(h, w)  # a small photo is scaled up: edges and shadows measure the same in pixels
    size = (max(8, round(w * scale)), max(8, round(h * scale)))
    small = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)
    subject = _subject(cv2, small.astype(np.float32), plate)
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


def _model(cv2, small: np.ndarray, plate: tuple[int, int, int]) -> np.ndarray:  # noqa: ANN001
    """The bare backdrop's colour at every pixel: the top edge's colours, shifted row by row as much as the left
    and right edges change from the top down, blended across (a sweep's gradient and a vignette). The bottom edge,
    where a shadow or the product's foot may reach, is not used; the edges are smoothed and held near `plate`
    where something crosses them."""
    held = np.array(plate, np.float32)

    def line(px: np.ndarray) -> np.ndarray:
        px = np.clip(px, held - 30, held + 30)
        return cv2.GaussianBlur(px[None], (0, 0), max(2.0, len(px) / 100))[0]

    top, left, right = line(small[:2].mean(axis=0)), line(small[:, :2].mean(axis=1)), line(small[:, -2:].mean(axis=1))
    u = np.linspace(0, 1, small.shape[1], dtype=np.float32)[None, :, None]
    model = top[None] + (1 - u) * (left - top[0])[:, None]
    model += u * (right - top[-1])[:, None]
    return model


def _maps(cv2, small: np.ndarray, plate: tuple[int, int, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # noqa: ANN001
    """The backdrop model, where a pixel has the backdrop's colour or its shadow's, and where an edge is."""
    model = _model(cv2, small, plate)
    soft = cv2.GaussianBlur(small, (0, 0), 0.7)  # sensor noise and JPEG blocks smoothed a little
    diff = _most(np.abs(soft - model))
    light = (_total(soft) + 3) / (_total(model) + 3)
    evenly = _most(np.abs(soft - light[:, :, None] * model)) < np.maximum(4.0, HUE * _most(model))
    like = (diff < NEAR) | ((light > SHADOW[0]) & (light < SHADOW[1]) & evenly)
    # An edge is a sharp change (a step or a thin line), which a soft shadow's gradual fall-off is not.
    edge = _most(np.abs(soft - cv2.GaussianBlur(small, (0, 0), 2.0))) > EDGE
    return model, like, edge


def _subject(cv2, small: np.ndarray, plate: tuple[int, int, int]) -> np.ndarray:  # noqa: ANN001
    """True on the product. The backdrop is what is reached from the image's border over pixels of the
    backdrop's colour or its shadow without crossing an edge, plus enclosed pockets showing the bare backdrop
    (the inside of a handle); white or light parts of the product stay, being fenced off by its outline."""
    model, like, edge = _maps(cv2, small, plate)
    count, labels = cv2.connectedComponents((like & ~edge).astype(np.uint8), connectivity=4)
    outer = _touching(labels, count)
    # Thin channels of it are leaks through gaps in an outline, into a light rim or lace or a dark product the
    # colour of a shadow: they are opened away, and what they alone led to is not backdrop.
    disk = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * THIN + 1, 2 * THIN + 1))
    backdrop = _reached(cv2, cv2.morphologyEx(outer[labels].astype(np.uint8), cv2.MORPH_OPEN, disk))
    # Enclosed pockets of the bare backdrop (the inside of a handle) are backdrop too: wide areas within POCKET of its
    # colour, fenced by edges all round (where a light part's shading passes the backdrop's colour, no edge is).
    bare = (np.abs(_total(small - model)) < 3 * POCKET) & ~edge & ~backdrop
    wide = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (4 * THIN + 1, 4 * THIN + 1))  # not a light part's rim
    count, labels, stats, _ = cv2.connectedComponentsWithStats(
        cv2.morphologyEx(bare.astype(np.uint8), cv2.MORPH_OPEN, wide), connectivity=4
    )
    pocket = stats[:, cv2.CC_STAT_AREA] >= 0.001 * labels.size
    pocket[0] = False
    if pocket.any():
        grown = cv2.dilate(labels.astype(np.float32), np.ones((3, 3), np.uint8)).astype(np.int32)
        ring = (grown > 0) & (labels == 0)  # the pixels just outside each pocket
        fenced = cv2.dilate(edge.astype(np.uint8), wide)[ring]
        share = np.bincount(grown[ring], fenced, count) / np.maximum(np.bincount(grown[ring], None, count), 1)
        pocket &= share > FENCED
    backdrop |= pocket[labels]
    # The pixels along the edges go to the side whose colour they are nearer: the product's or the backdrop's
    # next to them.
    product = ~backdrop & ~edge
    band = ~backdrop & edge
    window = (2 * NEXT + 1, 2 * NEXT + 1)
    sides = []
    for side in (product, backdrop):
        weight = cv2.blur(side.astype(np.float32), window)
        mean = cv2.blur(small * side[:, :, None], window) / np.maximum(weight, 1e-3)[:, :, None]
        sides.append(np.where(weight > 0.01, _most(np.abs(small - mean)), np.nan))
    backdrop |= band & (sides[1] < sides[0])  # (never where either side is missing: nan compares false)
    # Ragged bits of the outline (a pixel or two, from noise along a faint edge) are smoothed away.
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (5, 5))
    subject = cv2.morphologyEx((~backdrop).astype(np.uint8), cv2.MORPH_OPEN, disc)
    subject = cv2.morphologyEx(subject, cv2.MORPH_CLOSE, disc) > 0
    # Specks left on the backdrop go; the product is the large parts.
    count, labels, stats, _ = cv2.connectedComponentsWithStats(subject.astype(np.uint8), connectivity=8)
    if count > 2:
        biggest = stats[1:, cv2.CC_STAT_AREA].max()
        keep = np.zeros(count, bool)
        keep[1:] = stats[1:, cv2.CC_STAT_AREA] >= 0.02 * biggest
        subject = keep[labels]
    return subject


def _touching(labels: np.ndarray, count: int) -> np.ndarray:
    """Which of `count` labelled components touch the image's border (label 0, the unlabelled, never)."""
    outer = np.zeros(count, bool)
    outer[np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]]))] = True
    outer[0] = False
    return outer


def _reached(cv2, mask: np.ndarray) -> np.ndarray:  # noqa: ANN001
    """The parts of `mask` (uint8) connected to the image's border."""
    count, labels = cv2.connectedComponents(mask, connectivity=4)
    return _touching(labels, count)[labels]


def _most(a: np.ndarray) -> np.ndarray:
    """The largest of each pixel's three channels (numpy's max over the last axis is several times slower)."""
    return np.maximum(np.maximum(a[..., 0], a[..., 1]), a[..., 2])


def _total(a: np.ndarray) -> np.ndarray:
    """The sum of each pixel's three channels."""
    return a[..., 0] + a[..., 1] + a[..., 2]
