"""The placements table as a user names it (keys, the platforms' own words, "all") and as data a check can trust:
every row's export size has its aspect, every row cites a source."""

from __future__ import annotations

import pytest

from campaign.errors import InvalidRequest
from tools.delivery.placements import DEFAULT_KEYS, EXPORT_FPS, PLACEMENTS, find_placements


def keys(names: str | list[str]) -> list[str]:
    return [p.key for p in find_placements(names)]


def test_all_is_the_default_placements_in_order() -> None:
    assert keys("all") == list(DEFAULT_KEYS)
    assert "meta-feed-square" not in keys("ALL")
    assert keys("all, meta-feed-square") == [*DEFAULT_KEYS, "meta-feed-square"]


@pytest.mark.parametrize(
    ("said", "key"),
    [
        ("TikTok", "tiktok"),
        ("instagram reels", "reels"),
        ("Facebook Reels", "reels"),
        ("meta feed", "meta-feed"),
        ("feed", "meta-feed"),
        ("yt shorts", "shorts"),
        ("YouTube Shorts", "shorts"),
        ("youtube in-stream", "youtube"),
        ("linked in", "linkedin"),
        ("  Meta-Feed-Square ", "meta-feed-square"),
    ],
)
def test_a_placement_is_found_by_the_words_people_use(said: str, key: str) -> None:
    assert keys(said) == [key]


def test_each_placement_once_in_the_order_named() -> None:
    assert keys("reels, tiktok, instagram reels, TikTok") == ["reels", "tiktok"]
    assert keys(["yt shorts", "linkedin,feed", "shorts"]) == ["shorts", "linkedin", "meta-feed"]


def test_an_unknown_word_is_named_with_the_placements_there_are() -> None:
    with pytest.raises(InvalidRequest) as caught:
        find_placements("tiktok, snapchat")
    assert "'snapchat' is not a placement" in caught.value.message
    assert all(p.key in caught.value.hint for p in PLACEMENTS)
    with pytest.raises(InvalidRequest, match="'myspace' and 'vine' are not placements"):
        find_placements(["myspace", "reels", "vine"])
    with pytest.raises(InvalidRequest, match="at least one placement"):
        find_placements(" , ")


def test_every_row_is_consistent_and_cites_its_sources() -> None:
    assert {p.key for p in PLACEMENTS} >= set(DEFAULT_KEYS) | {"meta-feed-square"}
    for p in PLACEMENTS:
        w, h = (int(n) for n in p.aspect.split(":"))
        assert p.width * h == p.height * w, p.key
        assert p.min_width <= p.width and p.min_height <= p.height, p.key
        assert p.fps[0] <= EXPORT_FPS <= p.fps[1], p.key
        assert p.duration_s[0] < p.duration_s[1] and p.video_kbps[0] < p.video_kbps[1], p.key
        assert 48_000 in p.audio_rates and p.audio_channels == 2, p.key  # what the mix writes
        assert (p.loudness_lufs, p.true_peak_dbtp) == (-14.0, -1.0), p.key
        left, top, right, bottom = p.safe_box()
        assert 0 < left < right < p.width and 0 < top < bottom < p.height, p.key
        assert all(": https://" in s or ": tools/" in s for s in p.sources), p.key  # a title and an address each
    square = {p.key: p for p in PLACEMENTS}["meta-feed-square"]
    assert (square.width, square.height) == (1080, 1080)
