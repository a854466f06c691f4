"""Turns job events into chat messages: the video playing inline, progress, failures and toasts."""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

import chainlit as cl
from chainlit.context import init_ws_context
from chainlit.server import sio
from chainlit.session import WebsocketSession

from campaign.models import ACTIVE, JobStatus
from campaign.people import Actor
from tools.adcopy import FIELD_NAMES
from tools.jobs import JobEvent
from tools.studio import Studio
from tools.views import CreativeView

log = logging.getLogger(__name__)

CATCH_UP_WINDOW = timedelta(hours=24)
LIBRARY_ACTION = "open_library"


def video_element(c: CreativeView) -> cl.Video:
    """The creative playing inline, with its poster frame until it starts."""
    attributes = {"preload": "metadata", **({"poster": c.poster_url} if c.poster_url else {})}
    return cl.Video(
        name=f"{c.title[:60]}.mp4",
        url=c.url,
        object_key=c.file_key,  # the history keeps a pointer to the creative's file, signed afresh on resume
        mime="video/mp4",
        display="inline",
        size="large",
        player_config={"file": {"attributes": attributes}},
    )


def creative_text(c: CreativeView, lead: str = "") -> str:
    cost = f", ${c.actual_cost_usd:.2f}" if c.actual_cost_usd else ""
    head = f"{lead}**{c.title}**: {c.duration_s:g} s, {c.width}x{c.height}, {c.model}{cost}, on {c.campaign}."
    words = copy_lines(c.copy.given())
    return f"{head} [Download]({c.download_url})" + (f"\n\nOn screen:\n{words}" if words else "")


def ready_actions(c: CreativeView) -> list[cl.Action]:
    """Under a ready video: what to make of it next, and the library."""
    return [*creative_actions(c.job_id), library_button()] if c.job_id else [library_button()]


_LABELS = {"headline": "Headline", "tagline": "Tagline", "features": "Features", "price": "Price", "cta": "Button",
           "end_text": "End card"}  # fmt: skip


def creative_actions(job_id: str) -> list[cl.Action]:
    """The buttons under a ready video."""
    return [
        cl.Action(name="make_variations", payload={"job_id": job_id}, label="Variations", icon="shuffle"),
        cl.Action(name="make_formats", payload={"job_id": job_id}, label="Other formats", icon="ratio"),
        cl.Action(name="edit_text", payload={"job_id": job_id}, label="Edit text", icon="type"),
        cl.Action(name="another_model", payload={"job_id": job_id}, label="Another model", icon="cpu"),
    ]


def copy_lines(copy: dict[str, Any]) -> str:
    """The words on screen, one field per line, for the ready message and Edit text."""
    lines = []
    for name in FIELD_NAMES:
        value = copy.get(name)
        if value:
            shown = " · ".join(value) if isinstance(value, list) else value
            lines.append(f"- {_LABELS[name]}: “{shown}”")
    return "\n".join(lines)


def library_button() -> cl.Action:
    """Opens the campaign library (chat/library.py answers it)."""
    return cl.Action(name=LIBRARY_ACTION, payload={}, label="Library", icon="library")


def confirm_actions(job_id: str, price_usd: float) -> list[cl.Action]:
    """Generate / Cancel buttons for a paid job; their ids derive from the job so either click removes both."""
    return [
        cl.Action(
            id=f"confirm-{job_id}",
            name="confirm_job",
            payload={"job_id": job_id},
            label=f"Generate for ${price_usd:.2f}",
            icon="play",
        ),
        cl.Action(id=f"cancel-{job_id}", name="cancel_job", payload={"job_id": job_id}, label="Cancel", icon="x"),
    ]


async def remove_confirm_actions(job_id: str) -> None:
    for action in confirm_actions(job_id, 0):
        await action.remove()


class ChatNotifier:
    """Knows which chat sessions wait for which jobs, and tells them when something happens."""

    def __init__(self, studio: Studio) -> None:
        self.studio = studio
        self.watchers: dict[str, dict[str, Actor]] = defaultdict(dict)  # job id -> chainlit session id -> actor

    def watch(self, job_id: str, session_id: str, actor: Actor) -> None:
        self.watchers[job_id][session_id] = actor

    def _live(self, job_id: str) -> list[WebsocketSession]:
        """Watching sessions whose browser is still connected (a closed tab's session lingers for an hour)."""
        sessions = [WebsocketSession.get_by_id(sid) for sid in self.watchers.get(job_id, ())]
        return [s for s in sessions if s is not None and sio.manager.is_connected(s.socket_id, "/")]

    async def __call__(self, event: JobEvent) -> None:
        if event.kind == "resync":
            await self.resync()
            return
        if event.kind not in ("creative_ready", "failed"):
            return
        sessions = self._live(event.job_id)
        if not sessions:
            return  # shown by catch_up when its owner opens the chat
        for session in sessions:
            init_ws_context(session)
            await self._show(event)
        watchers = self.watchers.pop(event.job_id, {})
        if watchers:  # empty when the same event came twice: the first delivery already recorded it
            await self.studio.mark_delivered(next(iter(watchers.values())), event.job_id)

    async def _show(self, event: JobEvent) -> None:
        creative = event.creative
        if creative is not None:
            note = f"\n\n{creative.notice}" if creative.notice else ""
            await cl.Message(
                content=creative_text(creative, "Your video is ready: ") + note,
                elements=[video_element(creative)],
                actions=ready_actions(creative),
            ).send()
            await cl.context.emitter.send_toast(f"Video ready: {creative.title}", "success")
        else:
            await cl.Message(content=f"The video could not be made ({event.stage} stage): {event.message}").send()
            await cl.context.emitter.send_toast("A video failed", "error")

    async def resync(self) -> None:
        """After events may have been missed: deliver the watched jobs that have finished meanwhile."""
        for job_id, watchers in list(self.watchers.items()):
            actor = next(iter(watchers.values()))
            job = await self.studio.job(actor, job_id)
            if job.status == JobStatus.succeeded and job.creative_id:
                creative = await self.studio.creative(actor, job.creative_id)
                await self(JobEvent(kind="creative_ready", job_id=job_id, creative=creative))
            elif job.status == JobStatus.failed:
                await self(JobEvent(kind="failed", job_id=job_id, message=job.error or "", stage=job.stage))

    async def catch_up(self, session_id: str, actor: Actor, origin: str = "chat:") -> None:
        """On chat start (every conversation) or resume (that one, `chat:<thread id>`): show the actor's results
        they have not seen yet, ask the price questions still open, and follow their jobs still running."""
        since = datetime.now(UTC) - CATCH_UP_WINDOW
        for job in await self.studio.undelivered(actor, origin):
            if datetime.fromisoformat(job.created_at) < since:
                continue
            if job.status in ACTIVE:
                self.watch(job.id, session_id, actor)
                await cl.Message(
                    content=f"Still rendering on {job.model}: *{job.title}* "
                    f"({round(job.progress * 100)}%). It appears here when ready."
                ).send()
            elif job.status == JobStatus.awaiting_confirmation:
                await cl.Message(
                    content=f"Still waiting for your go-ahead: *{job.title}* on {job.model} "
                    f"for about ${job.estimated_cost_usd:.2f}.",
                    actions=confirm_actions(job.id, job.estimated_cost_usd),
                ).send()
            elif job.status == JobStatus.succeeded and job.creative_id:
                creative = await self.studio.creative(actor, job.creative_id)
                await cl.Message(
                    content=creative_text(creative, "Finished while you were away: "),
                    elements=[video_element(creative)],
                    actions=ready_actions(creative),
                ).send()
                await self.studio.mark_delivered(actor, job.id)
            elif job.status == JobStatus.failed:
                await cl.Message(content=f"A video failed while you were away ({job.stage} stage): {job.error}").send()
                await self.studio.mark_delivered(actor, job.id)
