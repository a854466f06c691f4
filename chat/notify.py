"""Turns job events into chat messages: live progress with a Stop button, the video playing inline, price
questions (a failed model's paid fallback asks first), failures and toasts.

Each job a chat session watches gets one progress message: its stage, a percentage and how long is left (for a
provider, from the model's typical wait), refreshed every second by one ticker for all of them, since a provider
reports only at its polls. A reloaded page re-attaches: `catch_up` watches the jobs still running and the ticker
sends their progress message, with its Stop button, to the new session.

The chat reads in the order things happened: while a handler answers in a session (`turn`), the jobs' new
messages there wait until it is done (a draft can be ready before the message that says it started), and the
videos of one set (variations, formats) are shown in the order they were asked for, whichever finished first.
A price question is asked in the conversation it belongs to, with the words the video will show; another
conversation only says it is waiting, with a link to it.

A batch's videos are never shown here one by one: chat/batches.py shows a batch as one line that updates in place.

What a reviewer says through a review link (a comment, a decision) is told in the conversation that made the video,
in each tab that has it open, as it comes, and marked delivered; a conversation reopened later shows those it missed,
once (`catch_up`).
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import time
from collections import OrderedDict, defaultdict
from collections.abc import AsyncIterator, Hashable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import chainlit as cl
from chainlit.context import init_ws_context
from chainlit.server import sio
from chainlit.session import WebsocketSession, ws_sessions_id

from chat.agent import usd
from chat.export_report import fixed_placements, labels_of, listed, report_text
from chat.review_words import said, share_button
from tools.studio import Studio
from tools.studio.types import (
    ACTIVE,
    FIELDS,
    PROVIDER_ANSWERED,
    Actor,
    AdCopy,
    CreativeView,
    ExportView,
    JobEvent,
    JobStatus,
    JobView,
    ModelView,
    NotFound,
    PaidFormats,
    ReviewNoteView,
    Submitted,
    VoiceView,
)

log = logging.getLogger(__name__)

CATCH_UP_WINDOW = timedelta(hours=24)
LIBRARY_ACTION = "open_library"
EXPORT_ACTION = "export_video"  # asks which placements to export a creative to (chat/exports.py answers it)
EXPORT_FIX = "export_fix"  # exports again with a failed check's fix (a trim)
STOP_ACTION = "stop_job"
VOICE_ACTION = "edit_voiceover"
TICK_S = 1.0  # how often progress messages are refreshed
BAR_CELLS = 12
NOTES_REMEMBERED = 1000  # review notes shown lately: a note told live and found undelivered at once is shown once


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


def creative_text(c: CreativeView, lead: str = "", voices: Sequence[VoiceView] = ()) -> str:
    """The ready message: what was made, its downloads (the video, a paid model's footage, the captions), its
    sound in one line, and the words on screen. `voices` name the voice-over's voice."""
    cost = f", {usd(c.actual_cost_usd)}" if c.actual_cost_usd else ""
    head = f"{lead}**{c.title}**: {c.duration_s:g} s, {c.width}x{c.height}, {c.model}{cost}, on {c.campaign}."
    if c.variation:
        head += f" The one change from the original: {c.variation}."
    words = copy_lines(c.copy.given())
    footage = f" · [Footage]({c.footage_url}) (the model's video, without the words)" if c.footage_url else ""
    captions = [f"[{kind}]({url})" for kind, url in (("SRT", c.captions_srt_url), ("VTT", c.captions_vtt_url)) if url]
    subtitles = f" · Captions: {' · '.join(captions)}" if captions else ""
    sound = f"\n\n{line}" if (line := sound_line(c, voices)) else ""
    on_screen = f"\n\nOn screen:\n{words}" if words else ""
    return f"{head} [Download]({c.download_url}){footage}{subtitles}{sound}{on_screen}"


def sound_line(c: CreativeView, voices: Sequence[VoiceView] = ()) -> str:
    """A creative's sound in one short line: "Voice-over by Joe · captions · -14.0 LUFS" ("" for a creative made
    without one)."""
    sound = c.sound
    if sound is None:
        return ""
    parts = []
    if sound.voice:
        parts.append(f"Voice-over by {voice_name(sound.voice, voices)}")
    if c.captions_srt_url or c.captions_vtt_url:
        parts.append("captions")
    if sound.lufs is not None:
        parts.append(f"{sound.lufs:.1f} LUFS")
    return " · ".join(parts)


def voice_name(voice: str, voices: Sequence[VoiceView]) -> str:
    """A voice's name for people, from its id; the id itself for a voice no longer listed."""
    return next((v.name for v in voices if v.id == voice), voice)


def voice_label(voice: VoiceView | None, name: str, cost_usd: float) -> str:
    """Who reads a voice-over and what it costs: "Joe (offline, free)", "Hazel (premium voice on Replicate,
    $0.02)"."""
    where = "offline" if voice is None or voice.engine == "piper" else "premium voice on Replicate"
    return f"{name} ({where}, {usd(cost_usd) if cost_usd else 'free'})"


def script_of(s: Submitted | JobView) -> str:
    """The words a job's voice-over speaks ("" without one)."""
    return s.sound.script.text() if s.sound.voice and s.sound.script else ""


def spoken_text(s: Submitted | JobView, voices: Sequence[VoiceView]) -> str:
    """What the voice-over of a job waiting for its price will be: who reads it at what price, then its words (""
    without a voice-over)."""
    if not (script := script_of(s)):
        return ""
    voice = next((v for v in voices if v.id == s.sound.voice), None)
    return f"Voice-over: {voice_label(voice, s.voice_name or s.sound.voice or '', s.voice_cost_usd)}\n> “{script}”"


def price_words(s: Submitted | JobView, voices: Sequence[VoiceView]) -> str:
    """Under a price question: every word the video puts on screen, then its voice-over (when it has one)."""
    spoken = spoken_text(s, voices)
    return screen_words(s.copy) + (f"\n\n{spoken}" if spoken else "")


CREATIVE_KEY = "creative_id"  # in a ready video's message metadata: its buttons come back when it is reopened


def ready_actions(c: CreativeView) -> list[cl.Action]:
    """Under a ready video: what to make of it next, its export, a review link for it, and the library."""
    made = creative_actions(c.job_id) if c.job_id else []
    return [*made, export_button(c.id), share_button(c.id), library_button()]


def export_button(creative_id: str) -> cl.Action:
    """Export: asks which placements, then exports the creative for them."""
    return cl.Action(name=EXPORT_ACTION, payload={"creative_id": creative_id}, label="Export", icon="package")


def fix_actions(view: ExportView) -> list[cl.Action]:
    """Under an export's report: the export again with a failed check's fix ("Trim to 60 s and export"), for the
    placements it fixes."""
    fixed = fixed_placements(view)
    if fixed is None:
        return []
    keys, label = fixed
    payload = {"creative_id": view.creative_id, "placements": keys, "trim": True}
    return [cl.Action(id=f"fix-{view.id}", name=EXPORT_FIX, payload=payload, label=label, icon="scissors")]


def edit_button(job_id: str) -> cl.Action:
    """Edit text: shows the words on screen and asks for the change (chat/iterate.py answers it)."""
    return cl.Action(id=f"edit-{job_id}", name="edit_text", payload={"job_id": job_id}, label="Edit text", icon="type")


def creative_actions(job_id: str) -> list[cl.Action]:
    """The buttons under a ready video."""
    return [
        cl.Action(name="make_variations", payload={"job_id": job_id}, label="Variations", icon="shuffle"),
        cl.Action(name="make_formats", payload={"job_id": job_id}, label="Other formats", icon="ratio"),
        cl.Action(name="edit_text", payload={"job_id": job_id}, label="Edit text", icon="type"),
        cl.Action(name="another_model", payload={"job_id": job_id}, label="Another model", icon="cpu"),
    ]


def format_choice(job_id: str, paid: PaidFormats | None) -> list[cl.Action]:
    """A paid video's other formats: reframed from its footage, free and at once, and beside it, when its model
    can make any of them now, generated anew on that model, which asks its price like any paid job."""
    reframe = cl.Action(name="reframe_formats", payload={"job_id": job_id}, label="Reframe, free", icon="crop")
    return [reframe, generate_action(job_id, paid)] if paid else [reframe]


def generate_action(job_id: str, paid: PaidFormats, aspect: str | None = None) -> cl.Action:
    """The button that generates a paid video's other formats (or `aspect` alone) anew on its model, naming
    them and the price."""
    return cl.Action(
        name="generate_format" if aspect else "generate_formats",
        payload={"job_id": job_id, **({"aspect": aspect} if aspect else {})},
        label=f"Generate {', '.join(paid.aspects)} on {paid.model_name} for ${paid.price_usd:.2f}",
        icon="sparkles",
    )


def screen_words(copy: AdCopy) -> str:
    """What a price question says will be on screen, field by field in display order, or that nothing will."""
    given = copy.given()
    shown = [
        f"{f.label} " + ", ".join(f"“{v}”" for v in (value if isinstance(value, list) else [value]))
        for f in FIELDS
        if (value := given.get(f.name))
    ]
    return "On screen: " + " · ".join(shown) if shown else "Nothing will be written on screen."


def copy_lines(copy: dict[str, Any]) -> str:
    """The words on screen, one field per line, for the ready message and Edit text."""
    lines = []
    for f in FIELDS:
        value = copy.get(f.name)
        if value:
            shown = " · ".join(value) if isinstance(value, list) else value
            lines.append(f"- {f.label}: “{shown}”")
    return "\n".join(lines)


def library_button() -> cl.Action:
    """Opens the campaign library (chat/library.py answers it)."""
    return cl.Action(name=LIBRARY_ACTION, payload={}, label="Library", icon="library")


def voice_button(job_id: str, script: str) -> cl.Action:
    """Edit voice-over: asks for the new words of a job's voice-over (chat/iterate.py answers it)."""
    return cl.Action(
        id=f"voice-{job_id}",
        name=VOICE_ACTION,
        payload={"job_id": job_id, "script": script},
        label="Edit voice-over",
        icon="mic",
    )


def confirm_actions(job_id: str, title: str, price_usd: float, script: str = "") -> list[cl.Action]:
    """Generate / Cancel / Edit text buttons for a paid job (and Edit voice-over when it has one: `script`), the
    first naming what it approves (two questions never look alike; a free draft offered instead of a paid model
    says so); their ids derive from the job so a click on Generate or Cancel, or a change of its words, removes
    them all."""
    short = title if len(title) <= 48 else title[:47].rstrip() + "…"
    go = f"Generate “{short}” for {usd(price_usd)}" if price_usd > 0 else f"Make “{short}” as a free draft"
    return [
        cl.Action(
            id=f"confirm-{job_id}",
            name="confirm_job",
            payload={"job_id": job_id},
            label=go,
            icon="play",
        ),
        cl.Action(id=f"cancel-{job_id}", name="cancel_job", payload={"job_id": job_id}, label="Cancel", icon="x"),
        edit_button(job_id),
        *([voice_button(job_id, script)] if script else []),
    ]


async def remove_confirm_actions(job_id: str) -> None:
    for action in [*confirm_actions(job_id, "", 0), voice_button(job_id, "")]:
        await action.remove()


def waiting_text(jobs: list[JobView], models: dict[str, ModelView]) -> str:
    """Price questions of other conversations, one line each with a link to the conversation that asks it."""
    lines = []
    for job in jobs:
        name = models[job.model].name if job.model in models else job.model
        thread = job.origin.removeprefix("chat:")
        where = f" ([open its conversation](/thread/{thread}))" if thread else ""
        lines.append(f"- *{job.title}* on {name}, about {usd(job.estimated_cost_usd)}{where}")
    return "Waiting for your go-ahead:\n" + "\n".join(lines)


def live_session(session_id: str) -> WebsocketSession | None:
    """The session if its browser is still connected (a closed tab's session lingers for an hour)."""
    session = WebsocketSession.get_by_id(session_id)
    return session if session is not None and sio.manager.is_connected(session.socket_id, "/") else None


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
    exporting: str = ""  # an export's placements ("TikTok in-feed and Instagram Reels"); "" for a video
    messages: dict[str, cl.Message] = field(default_factory=dict)  # chainlit session id -> its message
    stops: dict[str, cl.Action] = field(default_factory=dict)  # chainlit session id -> its Stop button
    shown: dict[str, str] = field(default_factory=dict)  # chainlit session id -> the text it shows
    threads: dict[str, str] = field(default_factory=dict)  # conversation -> its progress message's id


class Recent:
    """The last `size` keys seen, oldest forgotten first: memory that stays bounded however long the server runs."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._seen: OrderedDict[Hashable, None] = OrderedDict()

    def add(self, key: Hashable) -> bool:
        """Remember the key; False when it was among the last ones seen."""
        if key in self._seen:
            return False
        self._seen[key] = None
        while len(self._seen) > self.size:
            self._seen.popitem(last=False)
        return True

    def __len__(self) -> int:
        return len(self._seen)


@dataclass
class Held:
    """How a job ended, waiting to be shown in a session (see `ChatNotifier.turn` and `in_order`)."""

    event: JobEvent
    actor: Actor


def progress_text(live: Live, model: ModelView | None, now: float) -> str:
    """The progress message: stage, a bar with the percentage, time spent and, when it can be told, time left
    (a provider's from the model's typical wait, the draft's from its pace)."""
    name = model.name if model else live.model
    lead = "Still rendering" if live.resumed else "Rendering"
    elapsed = now - live.since
    if live.exporting:
        return export_progress_text(live, elapsed)
    if live.status == JobStatus.queued:
        return f"**Queued**: *{live.title}* on {name}, waiting for a free slot ({clock(elapsed)})."
    fraction, left = live.fraction, ""
    if model is not None and model.hosted and fraction >= PROVIDER_ANSWERED:  # it took the request
        typical = max(1, model.typical_wait_s)
        fraction = max(fraction, min(0.9, 0.9 * elapsed / typical))
        left = (
            f"about {clock(typical - elapsed)} left ({name} usually takes about {clock(typical)})"
            if elapsed < typical
            else f"taking longer than the usual {clock(typical)} for {name}"
        )
    elif fraction >= 0.05:
        left = f"about {clock(elapsed * (1 - fraction) / fraction)} left"
    return f"**{lead}** *{live.title}* on {name}\n\n{bar_line(fraction, live.note, elapsed, left)}"


def bar_line(fraction: float, note: str, elapsed: float, left: str) -> str:
    """A bar with the percentage, the stage and the time spent and left: "▰▰▰▱▱▱ **40%** · Drawing · 0:04 elapsed"."""
    cells = round(BAR_CELLS * fraction)
    bar = "▰" * cells + "▱" * (BAR_CELLS - cells)
    timing = ", ".join(t for t in (f"{clock(elapsed)} elapsed", left) if t)
    stage = f"{note} · " if note else ""
    return f"{bar} **{round(fraction * 100)}%** · {stage}{timing}"


def export_progress_text(live: Live, elapsed: float) -> str:
    """An export's progress message: "Exporting <title> for TikTok in-feed and Instagram Reels", a bar with the
    percentage, the step it is at, and time spent and left."""
    lead = "Still exporting" if live.resumed else "Exporting"
    if live.status == JobStatus.queued:
        return f"**Queued**: exporting *{live.title}* for {live.exporting}, waiting for a free slot ({clock(elapsed)})."
    left = f"about {clock(elapsed * (1 - live.fraction) / live.fraction)} left" if live.fraction >= 0.05 else ""
    return f"**{lead}** *{live.title}* for {live.exporting}\n\n{bar_line(live.fraction, live.note, elapsed, left)}"


def ended_text(live: Live, how: str, now: float) -> str:
    """The progress message once the job is no longer rendering."""
    what = f"exporting *{live.title}*" if live.exporting else f"*{live.title}*"
    return f"**{how}** {what} at {round(live.fraction * 100)}% after {clock(now - live.since)}."


class ChatNotifier:
    """Knows which chat sessions wait for which jobs, shows their progress, and tells them when something
    happens."""

    def __init__(self, studio: Studio) -> None:
        self.studio = studio
        self.watchers: dict[str, dict[str, Actor]] = defaultdict(dict)  # job id -> chainlit session id -> actor
        self.live: dict[str, Live] = {}
        self.turns: dict[str, int] = defaultdict(int)  # chainlit session id -> its handlers still answering
        self.held: dict[str, list[Held]] = defaultdict(list)  # chainlit session id -> endings not shown yet
        self.earlier: dict[str, list[str]] = {}  # job id -> the jobs of its set asked for before it
        self.exporting: dict[str, str] = {}  # export job id -> its placements' labels, listed
        self.notes_shown = Recent(NOTES_REMEMBERED)  # (chainlit session id, review note id) shown lately
        self._lock = asyncio.Lock()  # the ticker and the events edit the same messages
        self._showing = asyncio.Lock()  # one session's endings are shown one after the other
        self._ticker: asyncio.Task[None] | None = None

    def watch(self, job_id: str, session_id: str, actor: Actor) -> None:
        self.watchers[job_id][session_id] = actor

    def watch_export(self, view: ExportView, session_id: str, actor: Actor) -> None:
        """Follow an export like a render: its progress with Stop, then its report."""
        self.exporting[view.id] = listed(labels_of(self.studio.exports.placements, view.placements))
        self.watch(view.id, session_id, actor)

    def in_order(self, job_ids: list[str]) -> None:
        """Jobs asked for together (variations, formats): each one's video is shown after those asked for before
        it that are still rendering."""
        for n, job_id in enumerate(job_ids[1:], 1):
            self.earlier[job_id] = job_ids[:n]

    @asynccontextmanager
    async def turn(self, session_id: str) -> AsyncIterator[None]:
        """A handler answering in this session: the jobs' new messages there (progress, videos, failures) wait
        until it has said what it started, then come in the order they happened."""
        self.turns[session_id] += 1
        try:
            yield
        finally:
            self.turns[session_id] -= 1
            if not self.turns[session_id]:
                del self.turns[session_id]
                await self._flush_apart()

    async def _flush_apart(self) -> None:
        """`_flush` in a task of its own, so the sessions it speaks in (`init_ws_context`) never become the
        handler's, and what fails there is logged rather than shown in the handler's chat."""
        try:
            await asyncio.create_task(self._flush())
        except Exception:
            log.exception("Could not show the jobs' held messages")

    async def close(self) -> None:
        if self._ticker is not None:
            self._ticker.cancel()
            self._ticker = None

    def _session(self, session_id: str) -> WebsocketSession | None:
        return live_session(session_id)

    def _live(self, job_id: str) -> list[WebsocketSession]:
        """Watching sessions whose browser is still connected."""
        return [s for sid in self.watchers.get(job_id, ()) if (s := self._session(sid)) is not None]

    def _models(self) -> dict[str, ModelView]:
        return {m.id: m for m in self.studio.models.list()}

    async def __call__(self, event: JobEvent) -> None:
        if event.kind == "resync":
            await self.resync()
            return
        if event.kind == "review":
            await self._reviewed(event)
            return
        if event.job_id not in self.watchers or event.batch_id:  # a batch's videos are its one line (chat/batches.py)
            return
        if event.kind in ("queued", "running", "progress"):
            self._follow(event)
            return
        if event.kind in ("creative_ready", "export_ready", "failed", "canceled", "offered"):
            how = {"creative_ready": "Done", "export_ready": "Done", "failed": "Failed", "canceled": "Stopped",
                   "offered": "Paused"}  # fmt: skip
            await self._end(event.job_id, how[event.kind])
        if event.kind == "canceled":
            self.watchers.pop(event.job_id, None)
            self.earlier.pop(event.job_id, None)
            self.exporting.pop(event.job_id, None)
        elif event.kind in ("creative_ready", "export_ready", "failed", "offered"):
            if not self._live(event.job_id):
                return  # shown by catch_up when its owner opens the chat
            # An offered job stays watched: a confirmation starts it again.
            watchers = self.watchers[event.job_id] if event.kind == "offered" else self.watchers.pop(event.job_id)
            for session_id, actor in watchers.items():
                if event.kind == "offered" and not self._in_conversation(session_id, event.origin):
                    continue  # a price question is asked in its own conversation; others list it as waiting
                self.held[session_id].append(Held(event, actor))
        await self._flush()  # this one, and the videos of its set that waited for it

    async def _reviewed(self, event: JobEvent) -> None:
        """A comment or decision on a video: told in each connected tab showing the conversation that made it (none:
        `catch_up` shows it when the conversation is reopened)."""
        if event.review is None or not event.origin.startswith("chat:"):
            return
        for session in list(ws_sessions_id.values()):
            if f"chat:{session.thread_id}" != event.origin or self._session(session.id) is None or not session.user:
                continue
            user = session.user
            actor = await self.studio.accounts.actor(user.identifier, int(user.metadata.get("credentials", -1)))
            if actor is not None and await self._sees(actor, event.review.creative_id):
                self.held[session.id].append(Held(event, actor))
        await self._flush()

    async def _sees(self, actor: Actor, creative_id: str) -> bool:
        """Whether the creative is of the actor's team: a reviewer's words are told to that team alone."""
        try:
            await self.studio.library.creative(actor, creative_id)
        except NotFound:
            return False
        return True

    def _in_conversation(self, session_id: str, origin: str) -> bool:
        session = self._session(session_id)
        return session is not None and origin == f"chat:{session.thread_id}"

    async def _flush(self) -> None:
        """Show the held endings of the sessions no handler is answering in, each after the videos of its set
        asked for before it; the first showing records the job as delivered."""
        async with self._showing:
            for session_id in [s for s in self.held if not self.turns.get(s)]:
                held = self.held[session_id]
                while due := next((h for h in held if self._due(h, held)), None):
                    held.remove(due)
                    if (session := self._session(session_id)) is None:
                        held.clear()  # the tab closed: catch_up shows what it did not see
                        break
                    init_ws_context(session)
                    if due.event.review is not None:
                        await self._show_note(session_id, due.event.review, due.actor)
                        continue
                    await self._show(due.event, due.actor)
                    if due.event.kind != "offered":
                        self.earlier.pop(due.event.job_id, None)
                        self.exporting.pop(due.event.job_id, None)
                        await self.studio.jobs.mark_delivered(due.actor, due.event.job_id)
                if not held:
                    del self.held[session_id]

    def _due(self, held: Held, waiting: list[Held]) -> bool:
        """True unless a job of its set asked for before it is still rendering or not shown yet."""
        unshown = {h.event.job_id for h in waiting}
        return not any(j in self.live or j in unshown for j in self.earlier.get(held.event.job_id, ()))

    def _follow(self, event: JobEvent) -> None:
        """Record how far a watched job got; the ticker shows it."""
        status = JobStatus.queued if event.kind == "queued" else JobStatus.running
        live = self.live.get(event.job_id)
        if live is None:
            live = self.live[event.job_id] = Live(event.job_id, event.title, event.model, status, time.time(),
                                                  exporting=self.exporting.get(event.job_id, ""))  # fmt: skip
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
        # A set's progress messages come in the order its jobs were asked for, whichever started first.
        for live in sorted(self.live.values(), key=lambda live: len(self.earlier.get(live.job_id, ()))):
            text = progress_text(live, models.get(live.model), now)
            for session_id in list(self.watchers.get(live.job_id, ())):
                session = self._session(session_id)
                if session is None or live.shown.get(session_id) == text:
                    continue
                init_ws_context(session)
                message = live.messages.get(session_id)
                if message is None:
                    if self.turns.get(session_id):
                        continue  # after what the handler answering there says
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
        message = cl.Message(content=text, actions=[stop], id=earlier)
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

    async def _show(self, event: JobEvent, actor: Actor) -> None:
        creative = event.creative
        if event.job_id in self.exporting:
            view = event.export or await self.studio.exports.get(actor, event.job_id)
            await self.show_export(view)
            ok = any(f.delivered for f in view.files)
            said = f"Exported: {view.title}" if ok else f"The export of {view.title} delivered nothing"
            await cl.context.emitter.send_toast(said, "success" if ok else "error")
        elif event.kind == "offered":
            job = await self.studio.jobs.job(actor, event.job_id)
            actions = confirm_actions(job.id, job.title, job.estimated_cost_usd, script_of(job))
            await cl.Message(content=f"{event.message}\n\n{price_words(job, self.studio.models.voices())}",
                             actions=actions).send()  # fmt: skip
            await cl.context.emitter.send_toast("A model failed: your go-ahead is needed", "warning")
        elif creative is not None:
            note = f"\n\n{creative.notice}" if creative.notice else ""
            await cl.Message(
                content=creative_text(creative, "Your video is ready: ", self.studio.models.voices()) + note,
                elements=[video_element(creative)],
                actions=ready_actions(creative),
                metadata={CREATIVE_KEY: creative.id},
            ).send()
            await cl.context.emitter.send_toast(f"Video ready: {creative.title}", "success")
        else:
            await cl.Message(content=f"The video could not be made ({event.stage} stage): {event.message}").send()
            await cl.context.emitter.send_toast("A video failed", "error")

    async def _show_note(self, session_id: str, note: ReviewNoteView, actor: Actor, lead: str = "") -> None:
        """A reviewer's comment or decision, once in a tab, then delivered."""
        if not self.notes_shown.add((session_id, note.id)):
            return
        await cl.Message(content=said(note, lead)).send()
        if not lead:
            how: Literal["success", "warning", "info"] = (
                "success" if note.kind == "approved" else "warning" if note.kind == "changes requested" else "info"
            )
            await cl.context.emitter.send_toast(note.said()[:120], how)
        await self.studio.reviews.mark_delivered(actor, note.id)

    @staticmethod
    async def show_export(view: ExportView, lead: str = "") -> None:
        """An export's report, with the button of the fix a failed check offers."""
        await cl.Message(content=report_text(view, lead), actions=fix_actions(view)).send()

    async def resync(self) -> None:
        """After events may have been missed: deliver the watched jobs that have finished meanwhile."""
        for job_id, watchers in list(self.watchers.items()):
            actor = next(iter(watchers.values()))
            job = await self.studio.jobs.job(actor, job_id)
            if job.status == JobStatus.succeeded and job_id in self.exporting:
                await self(JobEvent(kind="export_ready", job_id=job_id))
            elif job.status == JobStatus.succeeded and job.creative_id:
                creative = await self.studio.library.creative(actor, job.creative_id)
                await self(JobEvent(kind="creative_ready", job_id=job_id, creative=creative))
            elif job.status == JobStatus.failed:
                await self(JobEvent(kind="failed", job_id=job_id, message=job.error or "", stage=job.stage))
            elif job.status == JobStatus.canceled:
                await self(JobEvent(kind="canceled", job_id=job_id))

    async def catch_up(self, session_id: str, actor: Actor, origin: str = "chat:") -> None:
        """On chat start (every conversation) or resume (that one, `chat:<thread id>`): show the actor's results
        they have not seen yet, and follow their jobs still running (their progress message, with its Stop
        button, comes with the next tick). A price question still open is asked again in its own conversation;
        a new conversation only lists them, with a link to each one's conversation."""
        since = datetime.now(UTC) - CATCH_UP_WINDOW
        models, waiting = self._models(), []
        async with self.turn(session_id):
            for job in await self.studio.jobs.undelivered(actor, origin):
                if datetime.fromisoformat(job.created_at) < since:
                    continue
                if job.status in ACTIVE:
                    self._reattach(job, session_id, actor)
                elif job.status == JobStatus.awaiting_confirmation and job.origin != origin:
                    waiting.append(job)
                elif job.status == JobStatus.awaiting_confirmation:
                    why = f" {job.notice}" if job.notice else ""
                    name = models[job.model].name if job.model in models else job.model
                    await cl.Message(
                        content=f"Still waiting for your go-ahead: *{job.title}* on {name} "
                        f"for about {usd(job.estimated_cost_usd)}.{why}\n\n"
                        f"{price_words(job, self.studio.models.voices())}",
                        actions=confirm_actions(job.id, job.title, job.estimated_cost_usd, script_of(job)),
                    ).send()
                elif job.status == JobStatus.succeeded and job.creative_id:
                    creative = await self.studio.library.creative(actor, job.creative_id)
                    await cl.Message(
                        content=creative_text(creative, "Finished while you were away: ", self.studio.models.voices()),
                        elements=[video_element(creative)],
                        actions=ready_actions(creative),
                        metadata={CREATIVE_KEY: creative.id},
                    ).send()
                    await self.studio.jobs.mark_delivered(actor, job.id)
                elif job.status == JobStatus.failed:
                    text = f"A video failed while you were away ({job.stage} stage): {job.error}"
                    await cl.Message(content=text).send()
                    await self.studio.jobs.mark_delivered(actor, job.id)
            for export in await self.studio.exports.undelivered(actor, origin):
                await self._catch_up_export(export, session_id, actor, since)
            if origin != "chat:":  # reviewers' words are told in the conversation that made the video
                for note in await self.studio.reviews.undelivered(actor, origin):
                    await self._show_note(session_id, note, actor, "While you were away: ")
            if waiting:
                await cl.Message(content=waiting_text(waiting, models), type="system_message").send()

    async def _catch_up_export(self, view: ExportView, session_id: str, actor: Actor, since: datetime) -> None:
        """An export on chat start or resume: followed while it runs, its report shown once it has ended."""
        if datetime.fromisoformat(view.created_at) < since or view.status == JobStatus.canceled:
            return
        if view.status in ACTIVE:
            self.watch_export(view, session_id, actor)
            self._reattach(view, session_id, actor)
            return
        await self.show_export(view, "Finished while you were away: ")
        await self.studio.jobs.mark_delivered(actor, view.id)

    def _reattach(self, job: JobView | ExportView, session_id: str, actor: Actor) -> None:
        self.watch(job.id, session_id, actor)
        live = self.live.get(job.id)
        if live is None:
            started = datetime.fromisoformat(job.created_at).timestamp()
            model = job.model if isinstance(job, JobView) else ""
            live = self.live[job.id] = Live(job.id, job.title, model, job.status, started, job.progress,
                                            exporting=self.exporting.get(job.id, ""))  # fmt: skip
        live.resumed = True
        self._start_ticker()
