"""Review links: their tokens, the limits on what a reviewer may send, and the views of links, comments and the
review page.

A token is the link's id signed with a key derived from the server's secret (itsdangerous), so the database holds
no token, every instance sharing the secret accepts it, and a guessed or altered one fails its signature before
any query. Whether the link still opens anything (revoked, expired) is the database's to say."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import datetime

from itsdangerous import BadSignature, Signer
from pydantic import BaseModel

from campaign.models import Creative, ReviewLink, ReviewNote, utcnow
from campaign.settings import Settings
from tools.brief import AdCopy

DEFAULT_DAYS = 7
MAX_DAYS = 90
LABEL_CHARS = 80
NAME_CHARS = 80  # a reviewer's name as typed
TEXT_CHARS = 2000  # a comment, or a decision's note
NOTES_PER_LINK = 1000  # comments and decisions one link takes in all
BURST = 20  # posts through one link at once, then one every POST_EVERY_S seconds
POST_EVERY_S = 3.0
FILE_LINK_S = 300  # how long the signed address a review page's video is sent to works (a revoke ends the rest)
PATH = "/review/"
STATUS_WORDS = {"draft": "a draft, not shared for review", "in review": "still in review",
                "changes requested": "waiting for the changes a reviewer asked for"}  # fmt: skip
GATE_HINTS = {"draft": "Share it for review and export it once it is approved.",
              "in review": "Export it once a reviewer approves it.",
              "changes requested": "Make the changes, then share the new version for review."}  # fmt: skip
KIND_WORDS = {"comment": "commented", "approved": "approved", "changes requested": "asked for changes"}


class ReviewTokens:
    """Signs a link's id into its token and reads the id back from a token."""

    def __init__(self, settings: Settings) -> None:
        self._signer = Signer(settings.signing_key("review-links"), salt="review-link", digest_method=hashlib.sha256)

    def token(self, link_id: str) -> str:
        return self._signer.sign(link_id).decode()

    def link_id(self, token: str) -> str | None:
        """The id a token was signed for; None when it was not signed by us (guessed, cut short or altered)."""
        try:
            return self._signer.unsign(token.encode()).decode()
        except (BadSignature, UnicodeError):
            return None


def link_state(link: ReviewLink, now: datetime | None = None) -> str:
    """ "live", "revoked" or "expired"."""
    if link.revoked_at is not None:
        return "revoked"
    return "expired" if link.expires_at <= (now or utcnow()) else "live"


def clock(seconds: float) -> str:
    """0:03, 1:20: where in a video."""
    whole = int(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


class ReviewLinkView(BaseModel):
    """A review link as the team sees it: what it shows, until when, and its address."""

    id: str
    creative_id: str  # the creative it was made from
    creative_ids: list[str]  # what it shows (that creative, or its set as it was)
    whole_set: bool
    label: str  # who it is for, as the team named it
    path: str  # /review/<token>
    url: str  # the whole address, when the server's public URL is known (else the path)
    state: str  # live, revoked or expired
    created_by: str | None  # a name
    created_at: str
    expires_at: str
    revoked_at: str | None

    @classmethod
    def of(cls, link: ReviewLink, token: str, creative_ids: Sequence[str], base_url: str,
           people: Mapping[str, str] = {}) -> ReviewLinkView:  # fmt: skip
        path = PATH + token
        return cls(id=link.id, creative_id=link.creative_id, creative_ids=list(creative_ids), whole_set=link.whole_set,
                   label=link.label, path=path, url=base_url.rstrip("/") + path if base_url else path,
                   state=link_state(link), created_by=people.get(link.created_by or "", link.created_by),
                   created_at=link.created_at.isoformat(), expires_at=link.expires_at.isoformat(),
                   revoked_at=link.revoked_at.isoformat() if link.revoked_at else None)  # fmt: skip


class ReviewNoteView(BaseModel):
    """A comment or a decision, with who left it (the typed name and the link's label) and when."""

    id: str
    creative_id: str
    creative_title: str
    link_id: str
    link_label: str
    link_by: str | None = None  # who in the team made the link (a name): what an approval rests on
    kind: str  # comment, approved, changes requested
    name: str
    text: str
    at_s: float | None  # where in the video a comment was left
    at: str | None  # the same as 0:03
    created_at: str

    @classmethod
    def of(cls, note: ReviewNote, creative_title: str, link_label: str, link_by: str | None = None) -> ReviewNoteView:
        return cls(id=note.id, creative_id=note.creative_id, creative_title=creative_title, link_id=note.link_id,
                   link_label=link_label, link_by=link_by, kind=note.kind, name=note.name, text=note.text,
                   at_s=note.at_s,
                   at=clock(note.at_s) if note.at_s is not None else None,
                   created_at=note.created_at.isoformat())  # fmt: skip

    def said(self) -> str:
        """One line in words: "Ann (client link) approved “Sneaker showcase, vertical”: Ship it" (the text on the
        same line, so no comment can look like another note)."""
        via = f" ({self.link_label})" if self.link_label else ""
        text = " ".join(self.text.split())
        return f"{self.name}{via} {self.verb()} “{self.creative_title}”" + (f": {text}" if text else "")

    def verb(self, at: str = "") -> str:
        """What they did to the video: "commented at 0:03 on", "approved", "asked for changes to" (`at`: the time
        as the caller shows it)."""
        if self.kind == "comment":
            return f"commented at {at or self.at} on" if self.at else "commented on"
        return "approved" if self.kind == "approved" else "asked for changes to"


class CreativeReview(BaseModel):
    """A creative's review as its team sees it: the comments and decisions, and the links that show it."""

    notes: list[ReviewNoteView]
    links: list[ReviewLinkView]


class ReviewItem(BaseModel):
    """A creative as the review page shows it: nothing about who made it, what it cost or the team."""

    id: str
    title: str
    aspect: str
    width: int
    height: int
    duration_s: float
    words: list[str]  # the words on screen, in display order
    status: str  # this link's latest decision on it ("approved", "changes requested"), else "in review"
    video_path: str  # /review/<token>/video/<id>: the link's own address of the file
    poster_path: str | None
    notes: list[ReviewNoteView]

    @classmethod
    def of(cls, c: Creative, token: str, notes: list[ReviewNoteView]) -> ReviewItem:
        base = f"{PATH}{token}"
        return cls(id=c.id, title=c.title, aspect=c.aspect, width=c.width, height=c.height, duration_s=c.duration_s,
                   words=AdCopy.model_validate(c.copy or {}).texts(), status=_decided(notes),
                   video_path=f"{base}/video/{c.id}", poster_path=f"{base}/poster/{c.id}" if c.poster_key else None,
                   notes=notes)  # fmt: skip


def _decided(notes: list[ReviewNoteView]) -> str:
    """The latest decision among these notes, else "in review"."""
    return next((n.kind for n in reversed(notes) if n.kind != "comment"), "in review")


class ReviewPage(BaseModel):
    """What a review link opens (nothing the team named: not even the link's label)."""

    campaign: str  # its name ("" for the team's default campaign, which no one named)
    expires_at: str
    items: list[ReviewItem]
