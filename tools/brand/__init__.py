"""The brand kit (`kit`): what a team and its campaigns set once and every video follows; `follow`: what one video
takes from it (colours by role, the brief's own colours over them, words, style words for a video model);
`colours`: colours by name and those a brief asks for; `contrast`: WCAG contrast and the AA ratio for a text
size."""

from tools.brand.kit import MAX_COLORS, MAX_FONTS, BrandKit, BrandVersion, Color, Font

__all__ = ["MAX_COLORS", "MAX_FONTS", "BrandKit", "BrandVersion", "Color", "Font"]
