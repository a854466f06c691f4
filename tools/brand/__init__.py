"""The brand kit (`kit`): what a team and its campaigns set once and every video follows."""

from tools.brand.kit import MAX_COLORS, MAX_FONTS, BrandKit, BrandVersion, Color, Font

__all__ = ["MAX_COLORS", "MAX_FONTS", "BrandKit", "BrandVersion", "Color", "Font"]
