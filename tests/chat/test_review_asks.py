"""The offline planner reads a request for a review link, or for what reviewers said, from the chat's words, and
leaves alone what only sounds like one: "review the script", a brief that starts with "Share", "send it to TikTok",
and "I approve the price" said to a paid video's price question (its button approves it)."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage

from chat.planner import BY_BUTTON, plan
from chat.planner_model import OfflinePlanner
from chat.review_asks import REVOKE_HOW
from chat.review_words import notes_text
from tests.chat.test_review_chat import HOSTILE, shown_text
from tools.studio.types import ReviewNoteView

NAMES = ["draft", "veo-3.1", "kling"]
PRICE = [
    HumanMessage("make an 8s video on veo-3.1 of a lighthouse"),
    AIMessage("8 s 16:9 (1280x720) on **Veo 3.1** costs about **$3.20**. Confirm with the button to start it."),
]


@pytest.mark.parametrize(
    ("text", "args"),
    [("share it for review", {}), ("Share for review", {}), ("can you share the latest video for approval?", {}),
     ("Please share this one for review, thanks!", {}), ("put it up for review", {}), ("a review link please", {}),
     ("new review link", {}), ("send this to the client for approval", {"label": "client link"}),
     ("send it to the client", {"label": "client link"}), ("get the client's approval", {"label": "client link"}),
     ("send it to my manager for feedback", {"label": "manager link"}),
     ("make a review link for all formats", {"whole_set": True}), ("share the set for approval", {"whole_set": True}),
     ("get me a review link for the whole set", {"whole_set": True}),
     ("share every version with the client for sign-off", {"whole_set": True, "label": "client link"}),
     ("send all formats to the agency to review", {"whole_set": True, "label": "agency link"}),
     ("share it for review for 30 days", {"days": 30}), ("review link for 2 weeks", {"days": 14})],
)  # fmt: skip
def test_a_review_link_asked_for_in_words(text: str, args: dict[str, Any]) -> None:
    decided = plan(text, NAMES)
    assert (decided.tool, decided.args) == ("share_for_review", args)


@pytest.mark.parametrize(
    "text",
    ["who approved it?", "any comments?", "Any feedback from the client yet?", "what did the client say?",
     "is it approved yet?", "has anyone commented?", "did the client approve it?", "show the comments",
     "show me the review notes", "what's the review status?", "any new comments on this one?", "so, who approved it?"],
)  # fmt: skip
def test_what_reviewers_said_asked_for_in_words(text: str) -> None:
    assert (plan(text, NAMES).tool, plan(text, NAMES).args) == ("review_notes", {})


@pytest.mark.parametrize(
    ("text", "tool"),
    [("review the script", None), ("approve it", None), ("share it", None), ("send it", None),
     ("send it to TikTok", "revise_video"), ("revoke the review link", None), ("remove the tagline", "revise_video"),
     ("is the price approved?", "list_video_models"),
     ("what comments can I add?", None), ("any ideas for a video?", None),
     ("Share the joy: a 6 s ad for our candles", "generate_video"),
     ("make a video for our review site", "generate_video"),
     ("a 10 s ad about customer reviews and comments, vertical", "generate_video"),
     ("export it for review", "export_video"), ("show the library", "list_creatives"),
     ("make it square", "revise_video")],
)  # fmt: skip
def test_words_that_only_sound_like_a_review_are_read_as_what_they_are(text: str, tool: str | None) -> None:
    decided = plan(text, NAMES)
    assert decided.tool not in ("share_for_review", "review_notes")
    assert decided.tool == tool, (text, decided.tool, decided.args)


@pytest.mark.parametrize(
    "text", ["revoke the review link", "please withdraw the link", "delete all review links", "stop sharing it"]
)
def test_withdrawing_a_link_in_words_points_to_its_revoke_button(text: str) -> None:
    assert (plan(text, NAMES).tool, plan(text, NAMES).reply) == (None, REVOKE_HOW)


@pytest.mark.parametrize(
    "text", ["I approve the price", "approve it", "approved", "confirm", "OK, I confirm the price", "the price is fine"]
)
async def test_approving_a_paid_video_s_price_in_words_points_to_its_button(text: str) -> None:
    answer = await OfflinePlanner(model_names=NAMES).ainvoke([*PRICE, HumanMessage(text)])
    assert not answer.tool_calls and str(answer.content).startswith(BY_BUTTON)
    # asked again after the price question: the notes are asked about, not the price
    asked = await OfflinePlanner(model_names=NAMES).ainvoke([*PRICE, HumanMessage("who approved it?")])
    assert asked.tool_calls[0]["name"] == "review_notes"


def test_the_notes_shown_are_what_reviewers_typed_as_text_and_the_latest_twenty_of_many() -> None:
    note = ReviewNoteView(id="n", creative_id="c", creative_title="Kite, vertical", link_id="l",
                          link_label="client link", kind="comment", name=HOSTILE[0], text=HOSTILE[1],
                          at_s=3.0, at="0:03", created_at="2026-12-06T10:00:00+00:00")  # fmt: skip
    read = shown_text(notes_text([note]), ours=True)
    assert read == f"{HOSTILE[0]} (client link) commented at 0:03 on Kite, vertical:\n\n{HOSTILE[1]}"
    many = [note.model_copy(update={"id": f"n{i}", "name": f"Reviewer {i}", "text": ""}) for i in range(25)]
    read = shown_text(notes_text(many), ours=True)
    assert read.startswith("The latest 20 of 25; the library shows them all.")
    assert "Reviewer 4 " not in read and "Reviewer 5 " in read and "Reviewer 24 " in read
