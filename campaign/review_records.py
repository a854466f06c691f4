"""The store's reviews (a part of `Store`): review links and the creatives each shows, the comments and decisions
left through them, and the review status they give a creative. Every query a team member reaches takes the team;
a reviewer's link is found by its id, once its token's signature has been checked (tools/studio/reviews.py)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from .errors import LinkGone, NotFound, TooMany
from .models import (
    Campaign,
    Creative,
    Job,
    ReviewLink,
    ReviewLinkCreative,
    ReviewNote,
    ReviewNoteKind,
    ReviewStatus,
    Team,
    utcnow,
)

DECISIONS = {
    ReviewNoteKind.approved: ReviewStatus.approved,
    ReviewNoteKind.changes_requested: ReviewStatus.changes_requested,
}


class ReviewRecords:
    engine: AsyncEngine
    _session: async_sessionmaker[AsyncSession]

    async def add_review_link(self, link: ReviewLink, creative_ids: Iterable[str]) -> ReviewLink:
        """Write a link and the creatives it shows; those still drafts are now in review."""
        ids = list(dict.fromkeys(creative_ids))
        async with self._session() as s:
            s.add(link)
            await s.flush()  # the creatives' rows point at the link (PostgreSQL checks it at once)
            s.add_all(ReviewLinkCreative(link_id=link.id, creative_id=i) for i in ids)
            await s.execute(
                update(Creative)
                .where(Creative.id.in_(ids), Creative.review_status == ReviewStatus.draft)
                .values(review_status=ReviewStatus.in_review)
            )
            await s.commit()
        return link

    async def review_link(self, link_id: str, team_id: str | None = None) -> ReviewLink:
        """A link by id; with `team_id`, only one of that team's (another team's id is not found)."""
        query = select(ReviewLink).where(ReviewLink.id == link_id)
        if team_id is not None:
            query = query.where(ReviewLink.team_id == team_id)
        async with self._session() as s:
            found = (await s.scalars(query)).first()
        if found is None:
            raise NotFound(f"There is no review link {link_id}.")
        return found

    async def review_links_by_id(self, team_id: str, link_ids: Iterable[str]) -> list[ReviewLink]:
        query = select(ReviewLink).where(ReviewLink.team_id == team_id, ReviewLink.id.in_(list(link_ids)))
        async with self._session() as s:
            return list((await s.scalars(query)).all())

    async def creative_titles(self, team_id: str, creative_ids: Iterable[str]) -> dict[str, str]:
        """The titles of these creatives of the team, by id (deleted ones are left out)."""
        query = (
            select(Creative.id, Creative.title)
            .join(Campaign)
            .where(Campaign.team_id == team_id, Creative.id.in_(list(creative_ids)))
        )
        async with self._session() as s:
            return {cid: title for cid, title in await s.execute(query)}

    async def review_links_of(self, team_id: str, creative_ids: Iterable[str]) -> list[tuple[ReviewLink, str]]:
        """The team's links that show these creatives, each with the creative it shows, newest first (a link
        of a set comes once per creative of it)."""
        query = (
            select(ReviewLink, ReviewLinkCreative.creative_id)
            .join(ReviewLinkCreative, ReviewLinkCreative.link_id == ReviewLink.id)
            .where(ReviewLink.team_id == team_id, ReviewLinkCreative.creative_id.in_(list(creative_ids)))
        )
        async with self._session() as s:
            return [(link, cid) for link, cid in await s.execute(query.order_by(ReviewLink.created_at.desc()))]

    async def shown_by(self, link_ids: Iterable[str]) -> dict[str, list[str]]:
        """The creatives each of these links shows that still exist, in the order they were made, by link id."""
        query = (
            select(ReviewLinkCreative.link_id, ReviewLinkCreative.creative_id)
            .join(Creative, Creative.id == ReviewLinkCreative.creative_id)
            .where(ReviewLinkCreative.link_id.in_(list(link_ids)))
            .order_by(Creative.created_at)
        )
        shown: dict[str, list[str]] = {}
        async with self._session() as s:
            for link_id, creative_id in await s.execute(query):
                shown.setdefault(link_id, []).append(creative_id)
        return shown

    async def link_creatives(self, link_id: str) -> list[Creative]:
        """The creatives a link shows that still exist, in the order they were made."""
        shown = select(ReviewLinkCreative.creative_id).where(ReviewLinkCreative.link_id == link_id)
        team = select(ReviewLink.team_id).where(ReviewLink.id == link_id).scalar_subquery()
        query = select(Creative).join(Campaign).where(Creative.id.in_(shown), Campaign.team_id == team)
        async with self._session() as s:
            return list((await s.scalars(query.order_by(Creative.created_at))).all())

    async def revoke_review_link(self, link_id: str, team_id: str, by: str) -> ReviewLink:
        """Withdraw one of the team's links at once; the creatives it showed that no live link shows and that
        have no decision go back to draft."""
        link = await self.review_link(link_id, team_id)
        now = utcnow()
        async with self._session() as s:
            await s.execute(
                update(ReviewLink)
                .where(ReviewLink.id == link.id, ReviewLink.revoked_at.is_(None))
                .values(revoked_at=now, revoked_by=by)
            )
            shown = select(ReviewLinkCreative.creative_id).where(ReviewLinkCreative.link_id == link.id)
            live = (
                select(ReviewLinkCreative.creative_id)
                .join(ReviewLink, ReviewLink.id == ReviewLinkCreative.link_id)
                .where(ReviewLink.revoked_at.is_(None), ReviewLink.expires_at > now)
            )
            await s.execute(
                update(Creative)
                .where(
                    Creative.id.in_(shown), Creative.id.not_in(live), Creative.review_status == ReviewStatus.in_review
                )
                .values(review_status=ReviewStatus.draft)
            )
            await s.commit()
        return await self.review_link(link.id)

    async def add_review_note(self, note: ReviewNote, *, most: int) -> ReviewNote:
        """Write a comment or a decision while its link is live and has taken fewer than `most` notes; a decision
        becomes its creative's review status. One transaction, the creative's notes one at a time (PostgreSQL
        locks the creative's row; SQLite's writers queue on its one lock, taken by a write to that row before
        anything is read), the note's time read once it holds the lock: a revoke that committed first refuses the
        note (LinkGone), and of two decisions at once the later one, last in the notes' order, is the status (timed
        before the lock, the one that waited was the status but listed first). Raises TooMany past `most`."""
        async with self._session() as s:
            row = Creative.id == note.creative_id
            if self.engine.dialect.name == "postgresql":
                await s.execute(select(Creative.id).where(row).with_for_update())
            else:
                await s.execute(update(Creative).where(row).values(review_status=Creative.review_status))
            note.created_at = utcnow()
            s.add(note)
            await s.flush()
            link = (await s.execute(select(ReviewLink.revoked_at, ReviewLink.expires_at).where(
                ReviewLink.id == note.link_id))).one()  # fmt: skip
            if link.revoked_at is not None or link.expires_at <= utcnow():
                await s.rollback()
                raise LinkGone("This review link has ended.", hint="Ask the team that sent it for a new one.")
            taken = await s.scalar(select(func.count(ReviewNote.id)).where(ReviewNote.link_id == note.link_id))
            if (taken or 0) > most:
                await s.rollback()
                raise TooMany(f"This link has taken its {most} comments.", hint="Ask the team for a new link.")
            if (status := DECISIONS.get(ReviewNoteKind(note.kind))) is not None:
                await s.execute(update(Creative).where(Creative.id == note.creative_id).values(review_status=status))
            await s.commit()
        return note

    async def review_note(self, note_id: str) -> ReviewNote:
        async with self._session() as s:
            found = await s.get(ReviewNote, note_id)
        if found is None:
            raise NotFound(f"There is no review note {note_id}.")
        return found

    async def review_notes(
        self, team_id: str, creative_ids: Iterable[str], *, link_id: str | None = None
    ) -> list[ReviewNote]:
        """The comments and decisions on these creatives of the team (through one link, when given), oldest first."""
        query = select(ReviewNote).where(ReviewNote.team_id == team_id, ReviewNote.creative_id.in_(list(creative_ids)))
        if link_id is not None:
            query = query.where(ReviewNote.link_id == link_id)
        async with self._session() as s:
            return list((await s.scalars(query.order_by(ReviewNote.created_at, ReviewNote.id))).all())

    async def undelivered_notes(self, team_id: str, origin: str, limit: int = 50) -> list[ReviewNote]:
        """The team's notes on creatives made by jobs from this origin ("chat:<thread id>") that no live chat has
        shown yet, oldest first."""
        made_there = select(Creative.id).join(Job, Job.id == Creative.job_id).where(Job.origin == origin)
        query = select(ReviewNote).where(
            ReviewNote.team_id == team_id, ReviewNote.delivered.is_(False), ReviewNote.creative_id.in_(made_there)
        )
        async with self._session() as s:
            return list((await s.scalars(query.order_by(ReviewNote.created_at, ReviewNote.id).limit(limit))).all())

    async def mark_note_delivered(self, note_id: str, team_id: str) -> None:
        async with self._session() as s:
            await s.execute(
                update(ReviewNote).where(ReviewNote.id == note_id, ReviewNote.team_id == team_id).values(delivered=True)
            )
            await s.commit()

    async def set_exports_need_approval(self, team_id: str, on: bool) -> None:
        async with self._session() as s:
            await s.execute(update(Team).where(Team.id == team_id).values(exports_need_approval=on))
            await s.commit()
