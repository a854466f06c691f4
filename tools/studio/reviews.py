"""`studio.reviews`: review links a client or a manager opens without an account, the comments and decisions left
through them, and the team's gate that lets only approved creatives be exported.

The team's calls take the actor. A reviewer's calls take the link's token instead: it opens the creatives the link
was made for and nothing else (no other creative, no file outside them, no team name beyond the campaign's), while
the link is live. Each comment and decision is published as a `review` event, so the conversation that made the
video hears it (chat/notify.py), and is kept undelivered until a chat has shown it."""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from datetime import timedelta
from typing import Literal

from campaign.errors import Forbidden, InvalidRequest, LinkGone, NotFound, TooMany
from campaign.models import Creative, ReviewLink, ReviewNote, ReviewNoteKind, new_id, utcnow
from campaign.people import Actor
from campaign.settings import Settings
from campaign.storage import BlobStorage
from campaign.store import DEFAULT_CAMPAIGN, Store
from campaign.text import unstorable_removed
from tools.jobs.events import EventBus, JobEvent
from tools.reviews import (
    BURST,
    DEFAULT_DAYS,
    FILE_LINK_S,
    LABEL_CHARS,
    MAX_DAYS,
    NAME_CHARS,
    NOTES_PER_LINK,
    POST_EVERY_S,
    TEXT_CHARS,
    CreativeReview,
    ReviewItem,
    ReviewLinkView,
    ReviewNoteView,
    ReviewPage,
    ReviewTokens,
    link_state,
)
from tools.throttle import Buckets

Decision = Literal["approve", "request changes"]
BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")  # they reorder what is shown after them
DECIDED = {"approve": ReviewNoteKind.approved, "request changes": ReviewNoteKind.changes_requested}


class Reviews:
    """Review links of the actor's team, and what reviewers do through them."""

    def __init__(self, settings: Settings, store: Store, storage: BlobStorage, bus: EventBus) -> None:
        self.store = store
        self.storage = storage
        self.bus = bus
        self.tokens = ReviewTokens(settings)
        self.base_url = settings.public_url
        self._posts = Buckets(size=BURST, every_s=POST_EVERY_S)  # per link, in this process

    # the team's side

    async def share(self, actor: Actor, creative_id: str, *, days: int = DEFAULT_DAYS, whole_set: bool = False,
                    label: str = "") -> ReviewLinkView:  # fmt: skip
        """A new review link for one of the team's creatives (or, `whole_set`, for every creative of its set as it
        is now: its variations and formats), live for `days` (1 to 90); the creatives still drafts are now in
        review. Raises NotFound for another team's creative, InvalidRequest for days out of range."""
        if not 1 <= days <= MAX_DAYS:
            raise InvalidRequest(f"A review link lasts 1 to {MAX_DAYS} days, not {days}.")
        label = _one_line(label, LABEL_CHARS, "A link's label")
        creative = await self.store.creative(creative_id, actor.team_id)
        shown = [creative.id]
        if whole_set and creative.set_id:
            shown = [c.id for c in await self.store.set_creatives(actor.team_id, creative.set_id)] or shown
        link = ReviewLink(id=new_id(), team_id=actor.team_id, campaign_id=creative.campaign_id,
                          creative_id=creative.id, whole_set=whole_set, label=label, created_by=actor.user_id,
                          expires_at=utcnow() + timedelta(days=days))  # fmt: skip
        await self.store.add_review_link(link, shown)
        return (await self._link_views(actor, [link]))[0]

    async def links(self, actor: Actor, creative_id: str) -> list[ReviewLinkView]:
        """The links that show one of the team's creatives, newest first (revoked and expired ones too)."""
        creative = await self.store.creative(creative_id, actor.team_id)
        return (await self.of_creatives(actor, [creative.id]))[creative.id].links

    async def link(self, actor: Actor, link_id: str) -> ReviewLinkView:
        """One of the team's links (another team's is not found)."""
        return (await self._link_views(actor, [await self.store.review_link(link_id, actor.team_id)]))[0]

    async def revoke(self, actor: Actor, link_id: str) -> ReviewLinkView:
        """Withdraw one of the team's links: it opens nothing from now on. Anyone in the team may."""
        link = await self.store.revoke_review_link(link_id, actor.team_id, actor.user_id)
        return (await self._link_views(actor, [link]))[0]

    async def notes(self, actor: Actor, creative_id: str) -> list[ReviewNoteView]:
        """The comments and decisions on one of the team's creatives, oldest first."""
        creative = await self.store.creative(creative_id, actor.team_id)
        return (await self.of_creatives(actor, [creative.id]))[creative.id].notes

    async def of_creatives(self, actor: Actor, creative_ids: Sequence[str]) -> dict[str, CreativeReview]:
        """The review of each of these creatives of the team (the library's cards): its comments and decisions,
        oldest first, and the links that show it, newest first. A few queries, whatever their number."""
        wanted = list(dict.fromkeys(creative_ids))
        found = await self.store.review_links_of(actor.team_id, wanted)
        views = {v.id: v for v in await self._link_views(actor, list({link.id: link for link, _ in found}.values()))}
        notes = await self._note_views(actor.team_id, await self.store.review_notes(actor.team_id, wanted))
        return {
            cid: CreativeReview(
                notes=[n for n in notes if n.creative_id == cid],
                links=[views[link.id] for link, shown in found if shown == cid],
            )  # fmt: skip
            for cid in wanted
        }

    async def undelivered(self, actor: Actor, origin: str) -> list[ReviewNoteView]:
        """Comments and decisions on the videos a conversation (`chat:<thread id>`) made that it has not shown yet,
        oldest first; a chat marks each shown with `mark_delivered`."""
        return await self._note_views(actor.team_id, await self.store.undelivered_notes(actor.team_id, origin))

    async def mark_delivered(self, actor: Actor, note_id: str) -> None:
        await self.store.mark_note_delivered(note_id, actor.team_id)

    async def gate(self, actor: Actor) -> bool:
        """Whether the team's exports need approval."""
        return (await self.store.team_by_id(actor.team_id)).exports_need_approval

    async def set_gate(self, actor: Actor, on: bool) -> bool:
        """Turn the team's "exports need approval" on or off; admins only (Forbidden otherwise)."""
        if not actor.admin:
            raise Forbidden("Only an admin can change whether exports need approval.")
        await self.store.set_exports_need_approval(actor.team_id, on)
        return on

    # the reviewer's side: the token is the permission

    async def page(self, token: str) -> ReviewPage:
        """What the link opens: the campaign's name, and each creative with its words on screen, the comments and
        decisions left through this link (not through the team's other links), and this link's decision on it."""
        link = await self._live(token)
        creatives = await self.store.link_creatives(link.id)
        found = await self.store.review_notes(link.team_id, [c.id for c in creatives], link_id=link.id)
        notes = [ReviewNoteView.of(n, "", "") for n in found]
        campaign = await self.store.campaign_by_id(link.campaign_id)
        items = [ReviewItem.of(c, token, [n for n in notes if n.creative_id == c.id]) for c in creatives]
        shown = "" if campaign.name == DEFAULT_CAMPAIGN else campaign.name  # an unnamed campaign is not a name
        return ReviewPage(campaign=shown, expires_at=link.expires_at.isoformat(), items=items)

    async def file_url(self, token: str, creative_id: str, *, poster: bool = False) -> str:
        """A short-lived address of a video (or its poster) the link shows; NotFound for any other."""
        creative = await self._shown(await self._live(token), creative_id)
        key = creative.poster_key if poster else creative.file_key
        if key is None:
            raise NotFound("This video has no poster.")
        return self.storage.url(key, expires_s=FILE_LINK_S)

    async def comment(self, token: str, creative_id: str, name: str, text: str, at_s: float | None) -> ReviewNoteView:
        """A comment on a creative the link shows, at a time in the video (seconds from its start) or on the
        whole of it."""
        link = await self._live(token)
        creative = await self._shown(link, creative_id)
        if at_s is not None and not 0 <= at_s <= creative.duration_s + 0.5:
            raise InvalidRequest(f"A comment's time is within the video: 0 to {creative.duration_s:g} seconds.")
        text = _words(text, "A comment")
        if not text:
            raise InvalidRequest("A comment needs some words.")
        return await self._note(link, creative, ReviewNoteKind.comment, name, text, at_s)

    async def decide(
        self, token: str, creative_id: str, name: str, decision: Decision, note: str = ""
    ) -> ReviewNoteView:
        """Approve a creative the link shows, or request changes with a note saying what to change; the latest
        decision is its review status."""
        link = await self._live(token)
        creative = await self._shown(link, creative_id)
        kind = DECIDED.get(decision)
        if kind is None:
            raise InvalidRequest("A decision is “approve” or “request changes”.")
        text = _words(note, "A note")
        if kind == ReviewNoteKind.changes_requested and not text:
            raise InvalidRequest("Say what to change: a request for changes needs a note.")
        return await self._note(link, creative, kind, name, text, None)

    async def _note(self, link: ReviewLink, creative: Creative, kind: ReviewNoteKind, name: str, text: str,
                    at_s: float | None) -> ReviewNoteView:  # fmt: skip
        name = _one_line(name, NAME_CHARS, "A name")
        if not name:
            raise InvalidRequest("Type your name first: the team sees who said what.")
        now = time.monotonic()
        if (wait := self._posts.wait(link.id, now)) > 0:
            raise TooMany(f"Too many comments at once through this link. Wait {wait:.0f} seconds and send it again.")
        self._posts.pour(link.id, now)  # before any wait: posts sent together are counted together
        note = ReviewNote(id=new_id(), team_id=link.team_id, creative_id=creative.id, link_id=link.id, kind=kind,
                          name=name, text=text, at_s=at_s)  # fmt: skip
        try:
            await self.store.add_review_note(note, most=NOTES_PER_LINK)
        except (LinkGone, TooMany):
            self._posts.take_back(link.id, time.monotonic())
            raise
        view = ReviewNoteView.of(note, creative.title, link.label)
        if creative.job_id is not None:
            made_by = await self.store.job(creative.job_id)
            self.bus.publish(JobEvent(kind="review", job_id=made_by.id, campaign_id=creative.campaign_id,
                                      origin=made_by.origin, title=creative.title, message=view.said(),
                                      review=view))  # fmt: skip
        return view

    async def _live(self, token: str) -> ReviewLink:
        """The link a token opens: NotFound for a token we did not sign or a link that is gone, LinkGone for one
        revoked or expired."""
        link_id = self.tokens.link_id(token)
        if link_id is None:
            raise NotFound("There is no such review link. Check the address you were sent.")
        link = await self.store.review_link(link_id)
        state = link_state(link)
        if state == "revoked":
            raise LinkGone("This review link was withdrawn by the team that sent it.", hint="Ask them for a new one.")
        if state == "expired":
            raise LinkGone("This review link has expired.", hint="Ask the team that sent it for a new one.")
        return link

    async def _shown(self, link: ReviewLink, creative_id: str) -> Creative:
        for creative in await self.store.link_creatives(link.id):
            if creative.id == creative_id:
                return creative
        raise NotFound("This link does not show that video.")

    async def _link_views(self, actor: Actor, links: list[ReviewLink]) -> list[ReviewLinkView]:
        shown = await self.store.shown_by(link.id for link in links)
        people = await self.store.user_names(actor.team_id, (link.created_by for link in links))
        return [ReviewLinkView.of(link, self.tokens.token(link.id), shown.get(link.id, []), self.base_url, people)
                for link in links]  # fmt: skip

    async def _note_views(self, team_id: str, notes: list[ReviewNote]) -> list[ReviewNoteView]:
        """The notes with their creatives' titles and their links' labels and makers (a few queries)."""
        titles = await self.store.creative_titles(team_id, {n.creative_id for n in notes})
        links = {link.id: link for link in await self.store.review_links_by_id(team_id, {n.link_id for n in notes})}
        people = await self.store.user_names(team_id, (link.created_by for link in links.values()))
        return [ReviewNoteView.of(n, titles.get(n.creative_id, ""), links[n.link_id].label,
                                  people.get(links[n.link_id].created_by or "")) for n in notes]  # fmt: skip


def _one_line(value: str, limit: int, what: str) -> str:
    """A name or label: one line without control characters, at most `limit` characters."""
    value = " ".join(BIDI.sub("", unstorable_removed(value)).split())
    if len(value) > limit:
        raise InvalidRequest(f"{what} is at most {limit} characters.")
    return value


def _words(value: str, what: str) -> str:
    """A comment or note: lines kept, other control characters dropped, at most TEXT_CHARS characters."""
    lines = BIDI.sub("", unstorable_removed(value)).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    value = "\n".join(line.rstrip() for line in lines).strip()
    if len(value) > TEXT_CHARS:
        raise InvalidRequest(f"{what} is at most {TEXT_CHARS} characters.")
    return value
