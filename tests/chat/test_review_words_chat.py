"""Review in words, over the real Chainlit server's socket.io as the marketer meets it: "send this to the client for
approval" answers with the same link message and Revoke button as the Share for review button, a link that opens the
review page; "any comments?" counts what reviewers said and shows their words as the characters they typed."""

from __future__ import annotations

import re

import httpx
import pytest

from campaign.settings import Settings
from chat.review_words import plain
from tests.chat.test_review_chat import HOSTILE, shown_text
from tests.e2e.chainlit_server import ChatClient, chainlit_server


def _after(tab: ChatClient, first: str, count: int = 2) -> list[str]:
    """`count` messages from the first one that starts with `first` on (each once, as last updated; the tools' steps
    left out), or [] until they have come."""
    said: dict[str, str] = {}
    for event, data in tab.events:
        if event in ("new_message", "update_message") and data and data.get("type") != "tool":  # no step
            said[data["id"]] = data.get("output", "")
    shown = list(said.values())
    found = next((shown[i : i + count] for i, m in enumerate(shown) if m.startswith(first)), [])
    return found if len(found) == count else []


@pytest.mark.e2e
@pytest.mark.render
async def test_the_words_share_a_link_with_revoke_and_any_comments_shows_them_escaped(settings: Settings) -> None:
    async with chainlit_server(settings) as base:
        from chat import runtime

        studio = runtime.services().studio
        tab = ChatClient(base)
        await tab.connect()
        await tab.send('a 4 second vertical draft of our kite, headline "Fly high"')
        await tab.wait_for(lambda: any(m.startswith("Your video is ready") for m in tab.messages()), timeout=180)

        await tab.send("send this to the client for approval")
        answer, shared = await tab.wait_for(lambda: _after(tab, "Made a review link for"))
        title = re.fullmatch(r"Made a review link for \*(.+)\*: here it is, with its expiry and a Revoke button\.",
                             answer)  # fmt: skip
        assert title, answer
        assert shared.startswith(f"Review link for *{plain(title.group(1))}*, live until ")
        url = re.search(r"\n\n(\S+)\n\n", shared)
        assert url and url.group(1).startswith(f"{base}/review/"), shared
        async with httpx.AsyncClient() as browser:  # the reviewer's phone, no account
            page = await browser.get(url.group(1))
            assert page.status_code == 200 and "Fly high" in page.text
        [revoke] = await tab.wait_for(  # a message's buttons come just after it
            lambda: [d for e, d in tab.events if e == "action" and d["name"] == "revoke_review"]
        )

        [item] = (await studio.reviews.page(url.group(1).rsplit("/", 1)[1])).items
        token = url.group(1).rsplit("/", 1)[1]
        await studio.reviews.comment(token, item.id, HOSTILE[0], HOSTILE[1], 3.0)
        await tab.wait_for(lambda: any("commented at **0:03**" in m for m in tab.messages()))  # heard as it came

        await tab.send("any comments?")
        counted, notes = await tab.wait_for(lambda: _after(tab, "Review so far:"))
        assert counted == (f"Review so far:\n- *{title.group(1)}*: in review, 1 comment\n\n"
                           "What the reviewers wrote is below.")  # fmt: skip
        assert "<script>" not in notes and "](javascript" not in notes
        read = shown_text(notes, ours=True)
        assert read == f"{HOSTILE[0]} (client link) commented at 0:03 on {title.group(1)}:\n\n{HOSTILE[1]}"

        assert (await tab.click(revoke)).status_code == 200  # the words' link has the button's Revoke
        await tab.wait_for(lambda: any(m.startswith("Revoked the review link for") for m in tab.messages()))
        async with httpx.AsyncClient() as browser:
            assert (await browser.get(url.group(1))).status_code == 410
        await tab.close()
