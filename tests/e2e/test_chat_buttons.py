"""A reopened conversation gets its buttons back: those under each ready video, and Revoke under a review link
while the link lives (Chainlit's history keeps the messages, not their actions)."""

from __future__ import annotations

from typing import Any

from campaign.settings import Settings
from tests.e2e.chainlit_server import ChatClient, chainlit_server


def _actions(tab: ChatClient, since: int = 0) -> list[dict[str, Any]]:
    return [d for e, d in tab.events[since:] if e == "action"]


def _resumed_at(tab: ChatClient) -> int:
    return next(i for i, (e, _) in enumerate(tab.events) if e == "resume_thread")


async def test_a_reopened_conversation_has_its_buttons_back(settings: Settings) -> None:
    async with chainlit_server(settings) as base:
        from chat import runtime

        studio = runtime.services().studio
        await studio.accounts.add("dana", team="acme", password="dana-password")
        tab = ChatClient(base)
        await tab.connect("dana", "dana-password")
        await tab.send('a 2 second square draft of our sneaker, headline "Run free"')
        [ready] = await tab.wait_for(
            lambda: [d for e, d in tab.events if e == "new_message" and d["output"].startswith("Your video is ready")]
        )
        [share] = await tab.wait_for(lambda: [a for a in _actions(tab) if a["name"] == "share_review"])
        under_video = sorted(a["name"] for a in _actions(tab) if a["forId"] == ready["id"])
        assert (await tab.click(share)).status_code == 200
        [linked] = await tab.wait_for(
            lambda: [d for e, d in tab.events if e == "new_message" and d["output"].startswith("Review link for")]
        )
        [revoke] = await tab.wait_for(lambda: [a for a in _actions(tab) if a["name"] == "revoke_review"])
        thread = await tab.thread()
        await tab.close()

        again = ChatClient(base)
        await again.connect("dana", "dana-password", thread_id=thread)
        await again.wait_for(lambda: any(a["name"] == "revoke_review" for a in _actions(again)))
        back = _actions(again, _resumed_at(again))
        assert sorted(a["name"] for a in back if a["forId"] == ready["id"]) == under_video
        assert [a["forId"] for a in back if a["name"] == "revoke_review"] == [linked["id"]]
        assert (await again.click(revoke)).status_code == 200  # the button works as it did
        await again.wait_for(lambda: any(m.startswith("Revoked the review link") for m in again.messages()))
        await again.close()

        third = ChatClient(base)
        await third.connect("dana", "dana-password", thread_id=thread)
        await third.wait_for(lambda: any(a["forId"] == ready["id"] for a in _actions(third)))
        assert not [a for a in _actions(third) if a["name"] == "revoke_review"], "a revoked link has no Revoke"
        await third.close()
