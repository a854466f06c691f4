"""The brand kit (`kit`): what a team and its campaigns set once and every video follows; its logos and fonts, checked
on the way in (`files`); and the kit a new job follows, the campaign's over the team's (`current`)."""

from tools.brand.kit import MAX_COLORS, MAX_FONTS, BrandKit, BrandVersion, Color, Font

__all__ = ["MAX_COLORS", "MAX_FONTS", "BrandKit", "BrandVersion", "Color", "Font"]
