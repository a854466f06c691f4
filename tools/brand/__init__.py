"""The brand kit (`kit`): what a team and its campaigns set once and every video follows; its logos and fonts, checked
on the way in (`files`); the kit a new job follows, the campaign's over the team's (`current`); what one video takes
from it (`follow`: colours by role, the brief's own colours over them, words, style words for a video model);
colours by name and those a brief asks for (`colours`); WCAG contrast and the AA ratio for a text size
(`contrast`)."""

from tools.brand.kit import MAX_COLORS, MAX_FONTS, BrandKit, BrandVersion, Color, Font

__all__ = ["MAX_COLORS", "MAX_FONTS", "BrandKit", "BrandVersion", "Color", "Font"]
