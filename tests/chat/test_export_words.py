"""The offline planner reads an export of the conversation's last video in words, with no LLM: the placements as
the user named them ("all" for every channel; none named: the chat asks with buttons), and leaves briefs, changes
of the video and questions alone."""

from __future__ import annotations

import pytest

from chat.planner import plan

NAMES = ["draft", "veo-3.1", "veo"]


@pytest.mark.parametrize(
    ("text", "args"),
    [
        ("export it for TikTok and Reels", {"placements": ["TikTok", "Reels"]}),
        ("export for all channels", {"placements": ["all"]}),
        ("Export the last video for YouTube", {"placements": ["YouTube"]}),
        ("deliver it to Meta feed", {"placements": ["Meta feed"]}),
        ("please export this one for TikTok, Instagram Reels and YouTube Shorts",
         {"placements": ["TikTok", "Instagram Reels", "YouTube Shorts"]}),
        ("export it for every placement", {"placements": ["all"]}),
        ("export it everywhere", {"placements": ["all"]}),
        ("export it for all seven", {"placements": ["all"]}),
        ("can you export the latest video for LinkedIn please?", {"placements": ["LinkedIn"]}),
        ("export it for the TikTok and Shorts placements", {"placements": ["TikTok", "Shorts"]}),
        ("export it for TikTok and trim it to fit", {"placements": ["TikTok"], "trim": True}),
        ("export it", {"placements": []}),
        ("export", {"placements": []}),
        ("/export tiktok, reels", {"placements": ["tiktok", "reels"]}),
        ("/export all", {"placements": ["all"]}),
        ("/export", {"placements": []}),
    ],
)  # fmt: skip
def test_an_export_in_words_exports_the_last_video(text: str, args: dict[str, object]) -> None:
    decided = plan(text, NAMES)
    assert (decided.tool, decided.args) == ("export_video", args)


@pytest.mark.parametrize(
    ("text", "tool"),
    [
        ("all channels", "make_formats"),  # the video in every format, not an export
        ("make it square", "revise_video"),
        ("Deliver happiness: a 6 second ad for our wool socks", "generate_video"),
        ("a 10 s video of our export business, for LinkedIn", "generate_video"),
        ("make a 6 second TikTok ad for our sneakers", "generate_video"),
        ("what can you export?", None),
    ],
)
def test_other_messages_are_no_export(text: str, tool: str | None) -> None:
    assert plan(text, NAMES).tool == tool
