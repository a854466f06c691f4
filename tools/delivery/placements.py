"""The placements a campaign ships to, as data: each row's numbers and where they come from (`sources`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

Box = tuple[int, int, int, int]  # left, top, right, bottom (pixels)


@dataclass(frozen=True)
class Placement:
    """One placement's specs: the file exported for it is made to them and checked against them."""

    key: str  # "tiktok": how a user names it (`clapboard export --channels`)
    label: str  # "TikTok in-feed"
    aspect: str  # "9:16"
    width: int  # the size exported
    height: int
    min_width: int  # the smallest frame the placement takes
    min_height: int
    fps: tuple[float, float]  # frame rates taken (lowest, highest)
    duration_s: tuple[float, float]  # lengths taken (shortest, longest)
    video_kbps: tuple[int, int]  # total bitrate taken (lowest, highest)
    max_bytes: int
    audio_rates: tuple[int, ...]  # sample rates taken (Hz)
    audio_channels: int  # 2: stereo
    audio_kbps_min: int
    loudness_lufs: float  # integrated loudness the mix is made to (BS.1770)
    true_peak_dbtp: float  # the ceiling no true peak may pass
    safe: tuple[float, float, float, float]  # share of the frame kept clear of words: left, top, right, bottom
    disclosure: str  # the platform's own AI-made flag ("" where it has none)
    sources: tuple[str, ...]  # where the numbers come from: a title and address each
    loudness_tolerance_lu: float = 1.0  # how far from `loudness_lufs` a file may measure

    def safe_box(self, width: int | None = None, height: int | None = None) -> Box:
        """The part of a `width` x `height` frame (the placement's own size by default) words may sit in."""
        w, h = width or self.width, height or self.height
        left, top, right, bottom = self.safe
        return (round(w * left), round(h * top), round(w * (1 - right)), round(h * (1 - bottom)))


PLACEMENTS: tuple[Placement, ...] = ()
DEFAULT_KEYS = ("tiktok", "reels", "stories", "meta-feed", "shorts", "youtube", "linkedin")  # "all"


def find_placements(names: str | Iterable[str]) -> list[Placement]:
    """The placements named ("tiktok,reels", ["TikTok", "instagram reels"], "all"), each once, in the order
    named. Raises InvalidRequest naming what is not a placement and listing those that are."""
    raise NotImplementedError
