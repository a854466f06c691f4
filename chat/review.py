"""Share for review in the chat: the button under a ready video (or the words, through the agent's share_for_review)
makes a review link and answers with its address, its expiry and a Revoke button; Revoke withdraws it at once.
Asked "any comments?", the chat shows what reviewers wrote (the agent's review_notes). (The library's own buttons are
in chat/library.py; what reviewers say comes back as it comes through chat/notify.py.)"""

from __future__ import annotations

import re

import chainlit as cl

from chat.review_words import (
    LINK_KEY,
    REVOKE_ACTION,
    SHARE_ACTION,
    address,
    link_text,
    notes_text,
    plain,
    revoke_button,
)
from chat.runtime import services
from chat.signin import session_actor
from tools.studio.types import ClapboardError, ReviewLinkView, ReviewNoteView

_ORIGIN = re.compile(r"https?://[A-Za-z0-9.\-]+(:\d{1,5})?|https?://\[[0-9A-Fa-f:.]+\](:\d{1,5})?")


def page_origin() -> str:
    """Where the person's browser reached this server ("https://clapboard.example"), from the chat connection's
    headers: its Origin, else its Host; "" when neither is a plain address."""
    environ = cl.context.session.environ
    origin = str(environ.get("HTTP_ORIGIN", ""))
    if not _ORIGIN.fullmatch(origin):
        origin = f"{environ.get('wsgi.url_scheme', 'http')}://{environ.get('HTTP_HOST', '')}"
    return origin if _ORIGIN.fullmatch(origin) else ""


async def show_link(link: ReviewLinkView, title: str) -> None:
    """The message with a new link's address, until when it works, and its Revoke button."""
    text = link_text(link, title, address(link, page_origin()))
    await cl.Message(content=text, actions=[revoke_button(link)], metadata={LINK_KEY: link.id}).send()


async def show_notes(notes: list[ReviewNoteView]) -> None:
    """What reviewers wrote, escaped, beneath the answer that counts them."""
    await cl.Message(content=notes_text(notes)).send()


@cl.action_callback(SHARE_ACTION)
async def share(action: cl.Action) -> None:
    """Share for review under a ready video: a link for it, live for the default 7 days."""
    actor = await session_actor()
    if actor is None:
        return
    studio = services().studio
    creative_id = str(action.payload.get("creative_id", ""))
    try:
        creative = await studio.library.creative(actor, creative_id)
        link = await studio.reviews.share(actor, creative_id)
    except ClapboardError as exc:
        await cl.Message(content=f"No review link was made: {exc}").send()
        return
    await show_link(link, creative.title)


@cl.action_callback(REVOKE_ACTION)
async def revoke(action: cl.Action) -> None:
    """Revoke under a link's message: the link opens nothing from now on."""
    actor = await session_actor()
    if actor is None:
        return
    studio = services().studio
    try:
        link = await studio.reviews.revoke(actor, str(action.payload.get("link_id", "")))
    except ClapboardError as exc:
        await cl.Message(content=f"The link was not revoked: {exc}").send()
        return
    await action.remove()
    try:
        what = f"*{plain((await studio.library.creative(actor, link.creative_id)).title)}*"
    except ClapboardError:  # deleted since
        what = "a deleted video"
    await cl.Message(content=f"Revoked the review link for {what}: it opens nothing from now on. Share it again "
                     "for a new link.").send()  # fmt: skip
