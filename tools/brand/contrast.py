"""WCAG 2 contrast: relative luminance, the contrast ratio of two colours, and the ratio text must reach (AA, 4.5:1;
the renderer holds every size of text to it)."""

from __future__ import annotations

RGB = tuple[int, int, int]

AA_TEXT = 4.5


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
