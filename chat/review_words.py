"""What the chat says about review links and what reviewers said through them.

A reviewer has no account and types what they like, so their words reach the chat as plain text, never as
markdown: `plain` escapes every ASCII punctuation mark (no link, image, emphasis, code, heading, list, table or
HTML of theirs) and breaks what GFM would turn into a link on its own (`https://`, `www.`, an e-mail address) with
an invisible word joiner, since those are found in the text after the escapes are read.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

import chainlit as cl

from tools.studio.types import ReviewLinkView, ReviewNoteView

SHARE_ACTION = "share_review"  # under a ready video: a review link for it (chat/review.py answers it)
REVOKE_ACTION = "revoke_review"  # under a link's message: withdraw it
LINK_KEY = "review_link_id"  # in a link's message metadata: its Revoke comes back while the link is live
NOTES_SHOWN = 20  # asked "any comments?": the latest ones in one message, the rest in the library
JOINER = "\u2060"  # WORD JOINER: invisible, and not a character a link address is made of
_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")  # every ASCII punctuation character: each may be escaped
_AUTOLINK = re.compile(r"(?i)(?<=:)(?=//)|(?<=www)(?=\.)|(?=@)")  # where GFM would start a link of its own


def plain(text: str) -> str:
    """Text someone outside the team typed, shown as the very characters they typed (one line)."""
    return _PUNCTUATION.sub(r"\\\1", _AUTOLINK.sub(JOINER, " ".join(text.split())))


def quoted(text: str) -> str:
    """A reviewer's comment or note, line by line, as a quote."""
    return "\n".join(f"> {plain(line)}" if line.strip() else ">" for line in text.split("\n"))


def said(note: ReviewNoteView, lead: str = "") -> str:
    """A comment or decision as the chat shows it: "Ann (client link) approved *Sneaker showcase, vertical*", then
    what they wrote. The words are `ReviewNoteView.said`'s, escaped."""
    who = f"**{plain(note.name)}**" + (f" ({plain(note.link_label)})" if note.link_label else "")
    line = f"{lead}{who} {note.verb(f'**{note.at}**')} *{plain(note.creative_title)}*"
    return f"{line}:\n\n{quoted(note.text)}" if note.text else line


def notes_text(notes: Sequence[ReviewNoteView], shown: int = NOTES_SHOWN) -> str:
    """What reviewers said, oldest first, each as the chat tells it as it comes; the latest `shown` of many."""
    lines = [said(note) for note in notes[-shown:]]
    if len(notes) > shown:
        lines.insert(0, f"The latest {shown} of {len(notes)}; the library shows them all.")
    return "\n\n".join(lines)


def link_text(link: ReviewLinkView, title: str, url: str) -> str:
    """The message with a new review link: what it shows, its address, until when, and what a reviewer can do."""
    count = len(link.creative_ids)
    what = f"the set of *{plain(title)}* ({count} video{'' if count == 1 else 's'})" if link.whole_set else \
        f"*{plain(title)}*"  # fmt: skip
    return (f"Review link for {what}, live until {day(link.expires_at)}:\n\n{url}\n\n"
            "Anyone with this link can watch, comment at a moment in the video, approve or ask for changes, without "
            "an account. Their comments and decisions appear here and in the library, where you can also revoke "
            "it.")  # fmt: skip


def address(link: ReviewLinkView, origin: str) -> str:
    """The link's whole address: the server's public URL when set (`link.url`), else the page's own origin."""
    return link.url if link.url != link.path or not origin else origin + link.path


def day(iso: str) -> str:
    """2026-12-13T10:00:00+00:00 as "13 Dec 2026"."""
    return datetime.fromisoformat(iso).strftime("%-d %b %Y")


def share_button(creative_id: str) -> cl.Action:
    return cl.Action(name=SHARE_ACTION, payload={"creative_id": creative_id}, label="Share for review", icon="send")


def revoke_button(link: ReviewLinkView) -> cl.Action:
    return cl.Action(id=f"revoke-{link.id}", name=REVOKE_ACTION, payload={"link_id": link.id}, label="Revoke",
                     icon="link-2-off")  # fmt: skip
