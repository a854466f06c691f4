"""Turns job events into chat messages: live progress with a Stop button, the video playing inline, price
questions (a failed model's paid fallback asks first), failures and toasts.

Each job a chat session watches gets one progress message: its stage, a percentage and how long is left (for a
provider, from the model's typical wait), refreshed every second by one ticker for all of them, since a provider
reports only at its polls. A reloaded page re-attaches: `catch_up` watches the jobs still running and the ticker
sends their progress message, with its Stop button, to the new session.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import chainlit as cl
from chainlit.context import init_ws_context
from chainlit.server import sio
from chainlit.session import WebsocketSession

from campaign.models import ACTIVE, JobStatus
from campaign.people import Actor
from tools.adcopy import FIELD_NAMES
from tools.engines.base import PROVIDER_ANSWERED
from tools.jobs import JobEvent
from tools.studio import ModelView, Studio
from tools.views import CreativeView, JobView

log = logging.getLogger(__name__)

CATCH_UP_WINDOW = timedelta(hours=24)
LIBRARY_ACTION = "open_library"
STOP_ACTION = "stop_job"
TICK_S = 1.0  # how often progress messages are refreshed
BAR_CELLS = 12


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


def clock(seconds: float) -> str:
    """A duration as people read it on a timer: 0:07, 1:05, 12:30."""
    s = max(0, round(seconds))
    return f"{s // 60}:{s % 60:02d}"


@dataclass
class Live:
    """A job whose progress the chat shows: what it is, how far it got, and its message in each session."""

    job_id: str
    title: str
    model: str
    status: str
    since: float  # wall-clock time it started (or was submitted, for a job found on reload)
    fraction: float = 0.0
    note: str = ""
    resumed: bool = False  # found on a reload: "Still rendering"
    messages: dict[str, cl.Message] = field(default_factory=dict)  # chainlit session id -> its message
    stops: dict[str, cl.Action] = field(default_factory=dict)  # chainlit session id -> its Stop button
    shown: dict[str, str] = field(default_factory=dict)  # chainlit session id -> the text it shows
    threads: dict[str, str] = field(default_factory=dict)  # conversation -> its progress message's id


def progress_text(live: Live, model: ModelView | None, now: float) -> str:
    """The progress message: stage, a bar with the percentage, time spent and, when it can be told, time left
    (a provider's from the model's typical wait, the draft's from its pace)."""
    name = model.name if model else live.model
    lead = "Still rendering" if live.resumed else "Rendering"
    elapsed = now - live.since
    if live.status == JobStatus.queued:
        return f"**Queued**: *{live.title}* on {name}, waiting for a free slot ({clock(elapsed)})."
    fraction, left = live.fraction, ""
    if model is not None and model.provider != "local" and fraction >= PROVIDER_ANSWERED:  # it took the request
        typical = max(1, model.typical_wait_s)
        fraction = max(fraction, min(0.9, 0.9 * elapsed / typical))
        left = (
            f"about {clock(typical - elapsed)} left ({name} usually takes about {clock(typical)})"
            if elapsed < typical
            else f"taking longer than the usual {clock(typical)} for {name}"
        )
    elif fraction >= 0.05:
        left = f"about {clock(elapsed * (1 - fraction) / fraction)} left"
    cells = round(BAR_CELLS * fraction)
    bar = "▰" * cells + "▱" * (BAR_CELLS - cells)
    timing = ", ".join(t for t in (f"{clock(elapsed)} elapsed", left) if t)
    stage = f"{live.note} · " if live.note else ""
    return f"**{lead}** *{live.title}* on {name}\n\n{bar} **{round(fraction * 100)}%** · {stage}{timing}"


def ended_text(live: Live, how: str, now: float) -> str:
    """The progress message once the job is no longer rendering."""
    return f"**{how}** *{live.title}* at {round(live.fraction * 100)}% after {clock(now - live.since)}."


class ChatNotifier:
    """Knows which chat sessions wait for which jobs, shows their progress, and tells them when something
    happens."""

    def __init__(self, studio: Studio) -> None:
        self.studio = studio
        self.watchers: dict[str, dict[str, Actor]] = defaultdict(dict)  # job id -> chainlit session id -> actor
        self.live: dict[str, Live] = {}
        self._lock = asyncio.Lock()  # the ticker and the events edit the same messages
        self._ticker: asyncio.Task[None] | None = None

    def watch(self, job_id: str, session_id: str, actor: Actor) -> None:
        self.watchers[job_id][session_id] = actor

    async def close(self) -> None:
        if self._ticker is not None:
            self._ticker.cancel()
            self._ticker = None

    def _session(self, session_id: str) -> WebsocketSession | None:
        """The session if its browser is still connected (a closed tab's session lingers for an hour)."""
        session = WebsocketSession.get_by_id(session_id)
        return session if session is not None and sio.manager.is_connected(session.socket_id, "/") else None

    def _live(self, job_id: str) -> list[WebsocketSession]:
        """Watching sessions whose browser is still connected."""
        return [s for sid in self.watchers.get(job_id, ()) if (s := self._session(sid)) is not None]

    def _models(self) -> dict[str, ModelView]:
        return {m.id: m for m in self.studio.models()}

    async def __call__(self, event: JobEvent) -> None:
        if event.kind == "resync":
            await self.resync()
            return
        if event.job_id not in self.watchers:
            return
        if event.kind in ("queued", "running", "progress"):
            self._follow(event)
            return
        if event.kind in ("creative_ready", "failed", "canceled", "offered"):
            how = {"creative_ready": "Done", "failed": "Failed", "canceled": "Stopped", "offered": "Paused"}
            await self._end(event.job_id, how[event.kind])
        if event.kind == "canceled":
            self.watchers.pop(event.job_id, None)
            return
        if event.kind not in ("creative_ready", "failed", "offered"):
            return
        sessions = self._live(event.job_id)
        if not sessions:
            return  # shown by catch_up when its owner opens the chat
        for session in sessions:
            init_ws_context(session)
            await self._show(event)
        if event.kind == "offered":
            return  # still watched: a confirmation starts it again
        watchers = self.watchers.pop(event.job_id, {})
        if watchers:  # empty when the same event came twice: the first delivery already recorded it
            await self.studio.mark_delivered(next(iter(watchers.values())), event.job_id)

    def _follow(self, event: JobEvent) -> None:
        """Record how far a watched job got; the ticker shows it."""
        status = JobStatus.queued if event.kind == "queued" else JobStatus.running
        live = self.live.get(event.job_id)
        if live is None:
            live = self.live[event.job_id] = Live(event.job_id, event.title, event.model, status, time.time())
        if status == JobStatus.running and live.status != JobStatus.running:
            live.status, live.since = status, time.time()
        if event.kind == "progress":
            live.fraction = max(live.fraction, event.fraction or 0.0)
            live.note = event.message
        self._start_ticker()

    def _start_ticker(self) -> None:
        if self._ticker is None or self._ticker.done():
            self._ticker = asyncio.create_task(self._tick(), name="chat-progress", context=contextvars.Context())

    async def _tick(self) -> None:
        while self.live:
            try:
                async with self._lock:
                    await self._refresh()
            except Exception:  # a session that went away mid-update: the next tick tries again
                log.exception("refreshing progress messages failed")
            await asyncio.sleep(TICK_S)

    async def _refresh(self) -> None:
        """Send or update each live job's progress message in each connected session watching it."""
        models, now = self._models(), time.time()
        for live in list(self.live.values()):
            text = progress_text(live, models.get(live.model), now)
            for session_id in list(self.watchers.get(live.job_id, ())):
                session = self._session(session_id)
                if session is None or live.shown.get(session_id) == text:
                    continue
                init_ws_context(session)
                message = live.messages.get(session_id)
                if message is None:
                    await self._attach(live, session, text)
                else:
                    message.content = text
                    await message.update()
                live.shown[session_id] = text

    async def _attach(self, live: Live, session: WebsocketSession, text: str) -> None:
        """A session's progress message with its Stop button: in a conversation reopened after a reload, the one
        its history already shows, updated in place."""
        stop = cl.Action(name=STOP_ACTION, payload={"job_id": live.job_id}, label="Stop", icon="square")
        earlier = live.threads.get(session.thread_id)
        message = cl.Message(content=text, actions=[stop], **({"id": earlier} if earlier else {}))
        live.messages[session.id], live.stops[session.id] = message, stop
        if earlier is None:
            await message.send()
            live.threads[session.thread_id] = message.id
        else:
            await message.update()  # which sends its Stop button too

    async def _end(self, job_id: str, how: str) -> None:
        """The job stopped rendering: its progress messages say how, and lose their Stop button."""
        async with self._lock:
            live = self.live.pop(job_id, None)
            if live is None:
                return
            for session_id, message in live.messages.items():
                session = self._session(session_id)
                if session is None:
                    continue
                init_ws_context(session)
                if how == "Done":
                    live.fraction = 1.0
                message.content = ended_text(live, how, time.time())
                await message.update()
                await live.stops[session_id].remove()

    async def _show(self, event: JobEvent) -> None:
        creative = event.creative
        if event.kind == "offered":
            actor = next(iter(self.watchers[event.job_id].values()))
            job = await self.studio.job(actor, event.job_id)
            await cl.Message(content=event.message, actions=confirm_actions(job.id, job.estimated_cost_usd)).send()
            await cl.context.emitter.send_toast("A model failed: your go-ahead is needed", "warning")
        elif creative is not None:
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
            elif job.status == JobStatus.canceled:
                await self(JobEvent(kind="canceled", job_id=job_id))

    async def catch_up(self, session_id: str, actor: Actor, origin: str = "chat:") -> None:
        """On chat start (every conversation) or resume (that one, `chat:<thread id>`): show the actor's results
        they have not seen yet, ask the price questions still open, and follow their jobs still running (their
        progress message, with its Stop button, comes with the next tick)."""
        since = datetime.now(UTC) - CATCH_UP_WINDOW
        for job in await self.studio.undelivered(actor, origin):
            if datetime.fromisoformat(job.created_at) < since:
                continue
            if job.status in ACTIVE:
                self._reattach(job, session_id, actor)
            elif job.status == JobStatus.awaiting_confirmation:
                why = f" {job.notice}" if job.notice else ""
                await cl.Message(
                    content=f"Still waiting for your go-ahead: *{job.title}* on {job.model} "
                    f"for about ${job.estimated_cost_usd:.2f}.{why}",
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

    def _reattach(self, job: JobView, session_id: str, actor: Actor) -> None:
        self.watch(job.id, session_id, actor)
        live = self.live.get(job.id)
        if live is None:
            started = datetime.fromisoformat(job.created_at).timestamp()
            live = self.live[job.id] = Live(job.id, job.title, job.model, job.status, started, job.progress)
        live.resumed = True
        self._start_ticker()
