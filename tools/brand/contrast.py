"""WCAG 2 contrast: relative luminance, the contrast ratio of two colours, and the ratio text of a size must reach
(AA: 4.5:1 below 24 px, 3:1 at 24 px and above)."""

from __future__ import annotations

RGB = tuple[int, int, int]

AA_SMALL = 4.5
AA_LARGE = 3.0
LARGE_PX = 24  # WCAG's large text is 18 pt: 24 CSS pixels


def _lin(c: float) -> float:
    c = c / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(c: RGB) -> float:
    """WCAG relative luminance of an sRGB colour."""
    r, g, b = c
    return 0.2126 * _lin(r) + 0.7152 * _lin(g) + 0.0722 * _lin(b)


def contrast(a: RGB, b: RGB) -> float:
    """WCAG contrast ratio between two colours (1 to 21)."""
    la, lb = luminance(a), luminance(b)
    hi, lo = max(la, lb), min(la, lb)
    return (hi + 0.05) / (lo + 0.05)


def aa_ratio(size_px: float) -> float:
    """The contrast text drawn at `size_px` (its font size in pixels) must reach for WCAG AA."""
    return AA_LARGE if size_px >= LARGE_PX else AA_SMALL
