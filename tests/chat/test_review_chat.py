"""Review links in the chat, as the marketer meets them: Share for review under a ready video answers with the
link's whole address, its expiry and Revoke; a reviewer's comment (at 0:03) and decisions, posted through the
facade as the review page does, come into the conversation that made the video as they happen, and those left
while its tab was closed come once when it is reopened; the library card shows the status, the notes and the live
links. Whatever a reviewer types is shown as the characters they typed, never as markdown, HTML or a link."""

from __future__ import annotations

import asyncio
import html
import re

import pytest
from markdown_it import MarkdownIt

from campaign.settings import Settings
from chat.review_words import JOINER, plain, said
from tests.e2e.chainlit_server import ChatClient, chainlit_server
from tools.studio.types import LinkGone, ReviewNoteView

HOSTILE = [
    "<script>alert(1)</script>",
    "[click me](javascript:alert(1))",
    "<javascript:alert(1)>",
    "see https://evil.example/x and www.evil.example or ann@evil.example",
    "![pixel](https://evil.example/p.png) **bold** _it_ `code` ~~gone~~",
    "# heading",
    "- item | cell |",
    "1. first",
    "<img src=x onerror=alert(1)>",
    "[ref]: https://evil.example",
    "\\*not\\* *escaped*",
]
MARKDOWN = MarkdownIt("commonmark").enable(["table", "strikethrough"])
LAYOUT = r"</?(?:p|blockquote)>|<br ?/?>"  # paragraphs and quotes; the chat's own bold and italics besides
OURS = LAYOUT + r"|</?(?:strong|em)>"


def shown_text(markdown: str, ours: bool = False) -> str:
    """What a person reads once the markdown is rendered; no tag in it but paragraphs and quotes (and, `ours`, the
    chat's own bold and italics)."""
    rendered = MARKDOWN.render(markdown)
    left = re.sub(OURS if ours else LAYOUT, "", rendered)
    assert "<" not in left, rendered
    return html.unescape(left).replace(JOINER, "").strip()


@pytest.mark.parametrize("typed", HOSTILE)
def test_what_a_reviewer_typed_renders_as_the_characters_typed_and_nothing_else(typed: str) -> None:
    assert shown_text(plain(typed)) == typed
    for autolink in (r"https?://", r"www\.", r"\w@\w"):  # what GFM links on its own, found in the rendered text
        assert not re.search(autolink, html.unescape(MARKDOWN.render(plain(typed)))), typed


def test_a_note_reads_who_through_which_link_did_what_to_which_video() -> None:
    note = ReviewNoteView(id="n1", creative_id="c1", creative_title="Sneaker showcase, vertical", link_id="l1",
                          link_label="client link", kind="approved", name="Ann", text="", at_s=None, at=None,
                          created_at="2026-12-06T10:00:00+00:00")  # fmt: skip
    assert shown_text(ours=True, markdown=said(note)) == "Ann (client link) approved Sneaker showcase, vertical"
    assert said(note) == f"**Ann** (client link) approved *{plain(note.creative_title)}*"
    comment = note.model_copy(update={"kind": "comment", "at": "0:03", "at_s": 3.0, "text": "Bigger logo\n\n*now*"})
    assert shown_text(ours=True, markdown=said(comment)) == (
        "Ann (client link) commented at 0:03 on Sneaker showcase, vertical:\n\nBigger logo\n*now*"
    )
    hostile = note.model_copy(update={"name": HOSTILE[0], "link_label": HOSTILE[1], "kind": "changes requested",
                                      "text": "\n".join(HOSTILE)})  # fmt: skip
    read = shown_text(ours=True, markdown=said(hostile))
    assert read.startswith(f"{HOSTILE[0]} ({HOSTILE[1]}) asked for changes to Sneaker showcase, vertical:")
    assert all(line in read for line in HOSTILE)


@pytest.mark.e2e
@pytest.mark.render
async def test_share_a_video_then_hear_comments_and_decisions_live_and_after_a_reload(settings: Settings) -> None:
    async with chainlit_server(settings) as base:
        from chat import runtime

        studio = runtime.services().studio
        await studio.accounts.add("dana", team="acme", password="dana-password")
        dana = await studio.accounts.sign_in("dana", "dana-password")
        assert dana is not None
        tab = ChatClient(base)
        await tab.connect("dana", "dana-password")
        await tab.send('a 4 second vertical draft of our sneaker, headline "Run free"')
        await tab.wait_for(lambda: any(m.startswith("Your video is ready") for m in tab.messages()), timeout=180)
        [share] = await tab.wait_for(
            lambda: [d for e, d in tab.events if e == "action" and d["name"] == "share_review"]
        )
        assert share["label"] == "Share for review"
        creative_id = share["payload"]["creative_id"]
        title = (await studio.library.creative(dana, creative_id)).title

        assert (await tab.click(share)).status_code == 200
        [shared] = await tab.wait_for(lambda: [m for m in tab.messages() if m.startswith("Review link for")])
        url = re.search(r"\n\n(\S+)\n\n", shared)
        assert url and url.group(1).startswith(f"{base}/review/"), shared
        assert f"Review link for *{plain(title)}*, live until " in shared
        token = url.group(1).rsplit("/", 1)[1]
        [revoke] = await tab.wait_for(
            lambda: [d for e, d in tab.events if e == "action" and d["name"] == "revoke_review"]
        )

        # A comment at 0:03 through the link from the chat, as it comes.
        await studio.reviews.comment(token, creative_id, "Ann", "The logo could be bigger here", 3.0)
        [comment] = await tab.wait_for(lambda: [m for m in tab.messages() if m.startswith("**Ann** commented")])
        assert comment == f"**Ann** commented at **0:03** on *{plain(title)}*:\n\n> The logo could be bigger here"

        # A labelled link; a request for changes from someone whose name and note are hostile: text, not markup.
        client = await studio.reviews.share(dana, creative_id, label="client link")
        client_token = client.path.rsplit("/", 1)[1]
        await studio.reviews.decide(client_token, creative_id, HOSTILE[0], "request changes", "\n".join(HOSTILE))
        [asked] = await tab.wait_for(lambda: [m for m in tab.messages() if "asked for changes" in m])
        assert "<script>" not in asked and "](javascript" not in asked
        assert shown_text(asked, ours=True).startswith(f"{HOSTILE[0]} (client link) asked for changes to {title}:")
        assert all(line in shown_text(asked, ours=True) for line in HOSTILE[2:4])

        # Revoke under the first link's message: it opens nothing from now on.
        assert (await tab.click(revoke)).status_code == 200
        await tab.wait_for(lambda: any(m.startswith("Revoked the review link for") for m in tab.messages()))
        with pytest.raises(LinkGone):
            await studio.reviews.page(token)

        # The tab closes; the client approves meanwhile; the reopened conversation says so, once.
        thread = await tab.thread()
        await tab.close()
        await studio.reviews.decide(client_token, creative_id, "Ann", "approve")
        again = ChatClient(base)
        await again.connect("dana", "dana-password", thread_id=thread)
        [approved] = await again.wait_for(lambda: [m for m in again.messages() if m.startswith("While you were")])
        assert approved == f"While you were away: **Ann** (client link) approved *{plain(title)}*"
        for _ in range(100):  # marked delivered once shown (the message may come a moment before)
            if not await studio.reviews.undelivered(dana, f"chat:{thread}"):
                break
            await asyncio.sleep(0.05)
        assert await studio.reviews.undelivered(dana, f"chat:{thread}") == []
        await again.send("/library")
        [library] = await again.wait_for(lambda: [e for e in again.elements() if e.get("name") == "Library"])
        [card] = library["props"]["campaigns"][0]["items"]
        assert card["review_status"] == "approved"
        assert [(n["name"], n["kind"], n["at"]) for n in card["notes"]] == [
            ("Ann", "comment", "0:03"), (HOSTILE[0], "changes requested", None), ("Ann", "approved", None)
        ]  # fmt: skip
        assert [link["label"] for link in card["links"]] == ["client link"], "the revoked link is not listed"
        await again.close()

        third = ChatClient(base)  # reopened once more: nothing told twice
        await third.connect("dana", "dana-password", thread_id=thread)
        [again_shown] = await third.wait_for(lambda: [e for e in third.elements() if e.get("name") == "Library"])
        assert again_shown["props"]["campaigns"][0]["items"][0]["review_status"] == "approved", "shown again, fresh"
        [(_, resumed)] = [(e, d) for e, d in third.events if e == "resume_thread"]
        assert [e["id"] for e in resumed["elements"] if e.get("name") == "Library"] == [again_shown["id"]], "in place"
        assert not [m for m in third.messages() if m.startswith("While you were")]
        await third.close()
