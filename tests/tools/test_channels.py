"""Channels read from a brief, each with its format (or the one stated for it), and each channel's own brief."""

from __future__ import annotations

import pytest

from campaign.errors import InvalidRequest
from chat.planner import channel_set
from tools.channels import channels_in, for_channel, read_channel


@pytest.mark.parametrize(
    ("brief", "channels"),
    [
        ("three different 6 second ads for our socks, one for TikTok, one for YouTube, one for LinkedIn",
         ["tiktok", "youtube", "linkedin"]),
        ("a 10 s teaser of our app for each of Reels and Shorts", ["reels", "shorts"]),
        ("ads for Instagram feed and YouTube Shorts", ["instagram-feed", "shorts"]),
        ("one for YouTube and one square for LinkedIn, and one for TikTok in 16:9",
         ["youtube", "linkedin 1:1", "tiktok 16:9"]),
        ("a 10 s TikTok ad for the spring sale", []),  # one video
        ("a 6 s teaser for TikTok and Reels", []),  # one video serves both: same format, one asked
        ("a runner in shorts for youtube and tiktok", ["youtube", "tiktok"]),  # shorts she wears
        ("ads for TikTok and LinkedIn: share your stories, our reels of the season", ["tiktok", "linkedin"]),
        ("3 ads for our socks: TikTok, Reels and Shorts, one square for LinkedIn",
         ["tiktok", "reels", "shorts", "linkedin 1:1"]),
    ],
)  # fmt: skip
def test_a_brief_for_several_ads_names_its_channels(brief: str, channels: list[str]) -> None:
    assert channel_set(brief) == channels


def test_each_channel_has_its_format_unless_one_is_stated() -> None:
    assert [read_channel(c)[1] for c in ("TikTok", "youtube", "LinkedIn", "instagram feed", "Stories")] == [
        "9:16", "16:9", "1:1", "1:1", "9:16",
    ]  # fmt: skip
    assert read_channel("linkedin 16:9") == (read_channel("linkedin")[0], "16:9")
    with pytest.raises(InvalidRequest, match="no channel called 'myspace'"):
        read_channel("myspace")


def test_each_channels_brief_names_only_its_own_channel() -> None:
    brief = "three different 6 second ads for our socks, one for TikTok, one for YouTube, one for LinkedIn"
    found = [c for c, _ in channels_in(brief)]
    assert [for_channel(brief, c) for c in found] == [
        "6 second ad for our socks, for TikTok",
        "6 second ad for our socks, for YouTube",
        "6 second ad for our socks, for LinkedIn",
    ]


def test_a_word_that_only_looks_like_a_channel_stays_in_each_brief() -> None:
    brief = "a runner in shorts telling stories for youtube and tiktok"
    assert [for_channel(brief, c) for c, _ in channels_in(brief)] == [
        "a runner in shorts telling stories, for YouTube",
        "a runner in shorts telling stories, for TikTok",
    ]
