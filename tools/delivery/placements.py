"""The placements a campaign ships to, as data: each row's numbers and where they come from (`sources`).

What every row shares: we export H.264 and stereo AAC in MP4; frame rates from 23 (23.976 film) to 60 are taken (YouTube
lists 24 to 60 as common; LinkedIn takes at most 30): a file keeps its creative's frame rate where the placement takes
it, else is made at 30 fps (`EXPORT_FPS`), and a paid video's footage keeps its own rate; the mix is made to -14 LUFS
integrated with a -1 dBTP true-peak ceiling (tools/sound/targets.py), where social and streaming platforms normalise
(some measure TikTok and Reels nearer -16 LUFS: the 1 LU tolerance does not reach that far, on purpose: one mix serves
every placement); stereo AAC of at least 128 kb/s (Meta's figure; we write 192). Only TikTok states a bitrate floor
(516 kb/s); the others take any (a flat 15 s draft at 1080x1920 measured 461 kb/s in all: TikTok alone would refuse it).
None states a ceiling: 50 Mb/s is above YouTube's recommendation for 4K at 30 fps (35-45 Mb/s), so more is only bytes.
Where a platform lays no buttons over a video (feeds, in-stream, LinkedIn) the safe zone is the house margins
(`SAFE_MARGINS`, which the draft lays its words out in).
Numbers taken from third-party pages are marked "third-party" beside them: recheck them before relying on them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from campaign.errors import InvalidRequest
from tools.sound.targets import PEAK_CEILING_DBTP, SOCIAL_LUFS

Box = tuple[int, int, int, int]  # left, top, right, bottom (pixels)

# The house's text-safe margins, as shares of the frame's width and height (left, top, right, bottom): where the
# draft lays its words out, and the safe zone of a placement that lays no buttons over a video.
SAFE_MARGINS: dict[str, tuple[float, float, float, float]] = {
    "16:9": (0.06, 0.08, 0.06, 0.08),
    "1:1": (0.07, 0.07, 0.07, 0.07),
    "4:5": (0.07, 0.07, 0.07, 0.08),
    # Vertical video goes to TikTok, Reels and Shorts: their captions and buttons cover the bottom fifth, the
    # top bar and the right-hand column.
    "9:16": (0.07, 0.14, 0.12, 0.22),
}


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
    video_kbps: tuple[int, int]  # the file's TOTAL bitrate taken, video and audio together (lowest, highest)
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


EXPORT_FPS = 30  # the frame rate of a file whose creative's rate its placement does not take (every row takes 30)
FPS = (23.0, 60.0)
KBPS = (0, 50_000)
RATES = (44_100, 48_000)
AUDIO_KBPS = 128
MB, GB = 1_000_000, 1_000_000_000

TIKTOK_SPECS = (
    "TikTok Ads Manager help, Video Ads Specifications: https://ads.tiktok.com/help/article?aid=6669199281502552069"
)
META_REELS = "Agency spec sheet (third-party), MediaMax Network social ads: https://mediamaxnetwork.com/?p=4172"
META_SIZES = (
    "Meta Ad Sizes & Safe Zones 2026 (third-party), MarketerTools: "
    "https://www.marketertools.fyi/blog/meta-ad-sizes-safe-zones-2026"
)
META_MINIMUM = "Meta Ads (Facebook, Instagram) specs (third-party), XYZ Lab: https://www.xyzlab.com/meta-ads-specs"
YOUTUBE_ENCODING = (
    "YouTube Help, Recommended upload encoding settings: https://support.google.com/youtube/answer/1722171"
)
LOUDNESS = (
    "LUFS targets per platform 2026 (third-party), Fora Soft: "
    "https://www.forasoft.com/learn/audio-for-video/articles-audio/lufs-targets-per-platform-2026"
)
HOUSE_MARGINS = "Clapboard's text-safe margins (SAFE_MARGINS): tools/delivery/placements.py"

PLACEMENTS: tuple[Placement, ...] = (
    Placement(
        key="tiktok",
        label="TikTok in-feed",
        aspect="9:16",
        width=1080,
        height=1920,
        min_width=720,
        min_height=1280,
        fps=FPS,
        duration_s=(5.0, 60.0),
        video_kbps=(516, KBPS[1]),
        max_bytes=500 * MB,
        audio_rates=RATES,
        audio_channels=2,
        audio_kbps_min=AUDIO_KBPS,
        loudness_lufs=SOCIAL_LUFS,
        true_peak_dbtp=PEAK_CEILING_DBTP,
        # third-party: top 150 px (the For You tabs), right 150 px (the buttons), bottom 440 px (caption and
        # music) of 1080x1920; TikTok's own help gives the zone as downloadable templates only. Left: house margin.
        safe=(SAFE_MARGINS["9:16"][0], 150 / 1920, 150 / 1080, 440 / 1920),
        disclosure="tiktok.is_aigc",  # the Content Posting API's post_info.is_aigc
        sources=(
            TIKTOK_SPECS,
            "TikTok ad sizes and safe zones (third-party), AdFuse: https://adfuseai.com/blog/tiktok-ad-sizes-specs-guide",
            LOUDNESS,
        ),
    ),
    Placement(
        key="reels",
        label="Instagram/Facebook Reels",
        aspect="9:16",
        width=1080,
        height=1920,
        min_width=500,  # third-party: Meta's 9:16 minimum width
        min_height=889,
        fps=FPS,
        duration_s=(1.0, 90.0),  # third-party: 90 s is the common Reels ad limit
        video_kbps=KBPS,
        max_bytes=4 * GB,
        audio_rates=RATES,
        audio_channels=2,
        audio_kbps_min=AUDIO_KBPS,
        loudness_lufs=SOCIAL_LUFS,
        true_peak_dbtp=PEAK_CEILING_DBTP,
        safe=(0.06, 0.14, 0.06, 0.35),  # third-party: top 14%, sides 6%, bottom 35% clear
        disclosure="",  # Meta labels "AI info" from the file's C2PA or IPTC metadata
        sources=(META_REELS, META_SIZES, META_MINIMUM, LOUDNESS),
    ),
    Placement(
        key="stories",
        label="Meta Stories",
        aspect="9:16",
        width=1080,
        height=1920,
        min_width=500,  # third-party
        min_height=889,
        fps=FPS,
        duration_s=(1.0, 120.0),  # third-party
        video_kbps=KBPS,
        max_bytes=4 * GB,
        audio_rates=RATES,
        audio_channels=2,
        audio_kbps_min=AUDIO_KBPS,
        loudness_lufs=SOCIAL_LUFS,
        true_peak_dbtp=PEAK_CEILING_DBTP,
        safe=(0.06, 0.14, 0.06, 0.20),  # third-party: top 14%, bottom 20%; sides 6% as for Meta's other 9:16
        disclosure="",
        sources=(
            "Digital specs guide, Meta Stories text-safe zone (third-party): "
            "https://digitalspecsguide.webdev13.acsmi.com/social-creative",
            META_REELS,
            META_MINIMUM,
            LOUDNESS,
        ),
    ),
    Placement(
        key="meta-feed",
        label="Meta feed (4:5)",
        aspect="4:5",
        width=1080,
        height=1350,
        min_width=600,  # third-party: Meta's feed minimum width
        min_height=750,
        fps=FPS,
        duration_s=(1.0, 241 * 60.0),  # third-party: 1 s to 241 min
        video_kbps=KBPS,
        max_bytes=4 * GB,
        audio_rates=RATES,
        audio_channels=2,
        audio_kbps_min=AUDIO_KBPS,
        loudness_lufs=SOCIAL_LUFS,
        true_peak_dbtp=PEAK_CEILING_DBTP,
        safe=SAFE_MARGINS["4:5"],  # no buttons over a feed video: the house margins
        disclosure="",
        sources=(META_SIZES, META_MINIMUM, HOUSE_MARGINS, LOUDNESS),
    ),
    Placement(
        key="meta-feed-square",
        label="Meta feed (1:1)",
        aspect="1:1",
        width=1080,
        height=1080,
        min_width=600,  # third-party
        min_height=600,
        fps=FPS,
        duration_s=(1.0, 241 * 60.0),  # third-party
        video_kbps=KBPS,
        max_bytes=4 * GB,
        audio_rates=RATES,
        audio_channels=2,
        audio_kbps_min=AUDIO_KBPS,
        loudness_lufs=SOCIAL_LUFS,
        true_peak_dbtp=PEAK_CEILING_DBTP,
        safe=SAFE_MARGINS["1:1"],
        disclosure="",
        sources=(META_SIZES, META_MINIMUM, HOUSE_MARGINS, LOUDNESS),
    ),
    Placement(
        key="shorts",
        label="YouTube Shorts",
        aspect="9:16",
        width=1080,
        height=1920,
        min_width=600,  # Google's Demand Gen minimum for 9:16 images; third-party pages give it for Shorts video
        min_height=1067,
        fps=FPS,
        duration_s=(1.0, 60.0),  # up to 3 min is taken, but only the first 60 s play in the Shorts feed
        video_kbps=KBPS,
        max_bytes=256 * GB,  # third-party: YouTube's upload limit
        audio_rates=(48_000, 96_000),  # YouTube: 48 or 96 kHz
        audio_channels=2,
        audio_kbps_min=AUDIO_KBPS,
        loudness_lufs=SOCIAL_LUFS,
        true_peak_dbtp=PEAK_CEILING_DBTP,
        # third-party: the bottom 25% (title, channel, subscribe); the right-hand buttons and the top bar as for
        # TikTok's and the house 9:16 margins.
        safe=(SAFE_MARGINS["9:16"][0], SAFE_MARGINS["9:16"][1], 150 / 1080, 0.25),
        disclosure="youtube.containsSyntheticMedia",  # the Data API's status.containsSyntheticMedia
        sources=(
            "Google Ads Help, YouTube Shorts ads asset specifications: https://support.google.com/google-ads/answer/16041697",
            "Google Ads Help, Demand Gen campaign asset specs: https://support.google.com/google-ads/answer/13704860",
            YOUTUBE_ENCODING,
            "YouTube Shorts safe zones (third-party): "
            "https://www.youraithumbnailgenerator.com/guides/youtube-shorts-safe-zones-complete-guide",
            LOUDNESS,
        ),
    ),
    Placement(
        key="youtube",
        label="YouTube in-stream",
        aspect="16:9",
        width=1920,
        height=1080,
        min_width=640,  # 360p, the smallest size in YouTube's bitrate table
        min_height=360,
        fps=FPS,
        # Skippable in-stream ads have no maximum; Google recommends under 3 min (non-skippable: 15 s at most).
        duration_s=(1.0, 180.0),
        video_kbps=KBPS,
        max_bytes=256 * GB,
        audio_rates=(48_000, 96_000),
        audio_channels=2,
        audio_kbps_min=AUDIO_KBPS,
        loudness_lufs=SOCIAL_LUFS,
        true_peak_dbtp=PEAK_CEILING_DBTP,
        safe=SAFE_MARGINS["16:9"],  # the house margins
        disclosure="youtube.containsSyntheticMedia",
        sources=(
            YOUTUBE_ENCODING,
            "Google Ads Help, Skippable in-stream ads: https://support.google.com/google-ads/answer/6055025",
            "Google Ads Help, How video ads work: https://support.google.com/google-ads/answer/6244557",
            HOUSE_MARGINS,
            LOUDNESS,
        ),
    ),
    # LinkedIn takes 16:9, 1:1, 4:5 and 9:16; it is square here: it fills the same box in the desktop and the
    # mobile feed (16:9 shrinks to a strip on a phone, where most of the feed is read; vertical shows as vertical
    # only on recent mobile apps), and it reuses the 1:1 layout the Meta square already has.
    Placement(
        key="linkedin",
        label="LinkedIn video ad",
        aspect="1:1",
        width=1080,
        height=1080,
        min_width=360,
        min_height=360,
        fps=(23.0, 30.0),  # LinkedIn: "less than 30 fps" (Hootsuite's copy: 30 or less); we export 30
        duration_s=(3.0, 30 * 60.0),
        video_kbps=KBPS,
        max_bytes=500 * MB,  # older copies of the page say 200 MB
        audio_rates=RATES,  # LinkedIn: AAC or MPEG-4 audio under 64 kHz
        audio_channels=2,
        audio_kbps_min=AUDIO_KBPS,
        loudness_lufs=SOCIAL_LUFS,
        true_peak_dbtp=PEAK_CEILING_DBTP,
        safe=SAFE_MARGINS["1:1"],  # the house margins
        disclosure="",  # LinkedIn shows content credentials (C2PA) it finds in the file
        sources=(
            "LinkedIn Help, Video ads advertising specifications: https://www.linkedin.com/help/lms/answer/a424737",
            "Hootsuite Help, LinkedIn video specifications for ads (third-party): "
            "https://help.hootsuite.com/hc/en-us/articles/1260802306130-LinkedIn-video-specifications-for-ads",
            HOUSE_MARGINS,
            LOUDNESS,
        ),
    ),
)
DEFAULT_KEYS = ("tiktok", "reels", "stories", "meta-feed", "shorts", "youtube", "linkedin")  # "all"

_BY_KEY = {p.key: p for p in PLACEMENTS}
_ALIASES = {
    "instagramreels": "reels",
    "facebookreels": "reels",
    "metareels": "reels",
    "igreels": "reels",
    "instagramstories": "stories",
    "facebookstories": "stories",
    "metastories": "stories",
    "feed": "meta-feed",
    "instagramfeed": "meta-feed",
    "facebookfeed": "meta-feed",
    "squarefeed": "meta-feed-square",
    "ytshorts": "shorts",
    "youtubeshorts": "shorts",
    "youtubeinstream": "youtube",
    "instream": "youtube",
    "yt": "youtube",
}


def _spelled(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.casefold())


_NAMES = {_spelled(p.key): p.key for p in PLACEMENTS} | _ALIASES


def find_placements(names: str | Iterable[str]) -> list[Placement]:
    """The placements named ("tiktok,reels", ["TikTok", "instagram reels"], "all"), each once, in the order
    named. Raises InvalidRequest naming what is not a placement and listing those that are."""
    words = [names] if isinstance(names, str) else list(names)
    asked = [w.strip() for word in words for w in word.split(",") if w.strip()]
    keys: list[str] = []
    unknown: list[str] = []
    for word in asked:
        spelled = _spelled(word)
        found = DEFAULT_KEYS if spelled == "all" else (_NAMES[spelled],) if spelled in _NAMES else ()
        keys.extend(k for k in found if k not in keys)
        if not found:
            unknown.append(word)
    listed = f"Placements: {', '.join(_BY_KEY)}, or all."
    if unknown:
        quoted = " and ".join(f"'{w}'" for w in unknown)
        raise InvalidRequest(f"{quoted} {'is not a placement' if len(unknown) == 1 else 'are not placements'}.",
                             hint=listed)  # fmt: skip
    if not keys:
        raise InvalidRequest("Name at least one placement to export to.", hint=listed)
    return [_BY_KEY[k] for k in keys]
