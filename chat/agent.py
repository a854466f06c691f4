"""Builds the LangChain agent: ChatOpenAI when a key is set, the offline planner otherwise, same tools either way."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from langchain.agents import create_agent
from langchain_core.language_models import BaseChatModel
from langchain_core.tools import BaseTool, StructuredTool
from langgraph.checkpoint.base import BaseCheckpointSaver
from pydantic import BaseModel, Field, ValidationError

from campaign.errors import ClapboardError
from campaign.people import Actor
from chat.planner_model import OfflinePlanner
from tools.jobs import Submitted, VideoRequest
from tools.studio import Studio
from tools.views import LibraryView

log = logging.getLogger(__name__)

SYSTEM = """You are Clapboard, an assistant that makes marketing video creatives for a team's campaigns.
Use list_video_models to see models, their durations, formats and prices. Use generate_video to make a video:
pass the user's brief as the prompt with every fact they gave (names, prices, colours, text to show), and only
the options they asked for; images the user attached are used automatically. When the user asks to change the
latest video of this conversation ("make it square", "10 seconds instead", "try it on kling"), use revise_video
with only what changes. Use list_creatives to open the campaign library (the team's creatives with their cost,
to play, download, rename or delete). When a tool reports a problem, tell the user what is allowed and suggest
the nearest valid request. Paid models ask the user to confirm the price with buttons: never claim a paid video
is on its way before that. Keep answers short."""


@dataclass
class Turn:
    """What one chat turn gives the tools: who is speaking, attachments, chat settings, and hooks back into the
    chat."""

    actor: Actor
    origin: str = ""
    message_id: str = ""  # keys this turn's submissions: a resent message or a retried call makes no new job
    attachments: list[str] = field(default_factory=list)  # stored reference keys
    defaults: dict[str, Any] = field(default_factory=dict)  # chat settings: model, aspect, duration_s, refine
    on_submitted: Callable[[Submitted], Awaitable[None]] | None = None
    on_library: Callable[[LibraryView, str | None], Awaitable[None]] | None = None  # shows it in the chat
    submitted: list[Submitted] = field(default_factory=list)

    def key_for(self, asked: BaseModel) -> str | None:
        """The idempotency key of a request made in this turn: the message and what it asks for."""
        if not self.message_id:
            return None
        digest = hashlib.sha256(f"{type(asked).__name__}:{asked.model_dump_json()}".encode()).hexdigest()[:16]
        return f"{self.message_id}:{digest}"


class GenerateArgs(BaseModel):
    prompt: str = Field(description="The brief, with every fact the user gave.")
    model: str | None = Field(default=None, description="Model id or alias; omit for the default.")
    duration_s: int | None = Field(default=None, description="Length in seconds.")
    aspect: str | None = Field(default=None, description="16:9, 9:16, 1:1 or 4:5.")
    resolution: str | None = Field(default=None, description="e.g. 720p or 1080p.")
    template: str | None = Field(default=None, description="brand-animation, product-showcase or social-media.")
    reference_urls: list[str] = Field(default_factory=list, description="Image URLs the user pasted.")
    campaign: str | None = Field(default=None, description="Campaign name; the default campaign when omitted.")
    refine: bool | None = Field(default=None, description="Rewrite the brief for the model.")


class ReviseArgs(BaseModel):
    aspect: str | None = Field(default=None, description="The new format: 16:9, 9:16, 1:1 or 4:5.")
    duration_s: int | None = Field(default=None, description="The new length in seconds.")
    model: str | None = Field(default=None, description="Another model, by id or alias.")
    resolution: str | None = Field(default=None, description="e.g. 720p or 1080p.")
    audio: bool | None = Field(default=None, description="Sound on or off, where the model offers it.")


class CreativesArgs(BaseModel):
    campaign: str | None = Field(default=None, description="Campaign name; all campaigns when omitted.")


def build_tools(studio: Studio, turn: Turn) -> list[BaseTool]:
    """The agent's tools, bound to this turn's attachments and chat settings."""

    async def list_video_models() -> str:
        """List the video models with their durations, formats, reference images, price and availability."""
        notes: list[str] = []
        rows = ["| model | durations | formats | refs | price per second | status |", "|---|---|---|---|---|---|"]
        for m in studio.models():
            status = "available"
            if not m.available:
                notes += [m.notice] if m.notice not in notes else []
                status = f"unavailable [{notes.index(m.notice) + 1}]"
            cells = [f"**{m.id}**", m.durations, " ".join(m.aspects), str(m.max_references), m.price, status]
            rows.append("| " + " | ".join(cells) + " |")
        return "\n".join(rows + [""] + [f"[{i}] {note}" for i, note in enumerate(notes, 1)])

    async def started(submit: Callable[[], Awaitable[Submitted]], failed: str) -> str:
        """Run a submission; the words the user reads after it, or what to change."""
        try:
            submitted = await submit()
        except ValidationError as exc:
            return f"{failed}: " + "; ".join(e["msg"].removeprefix("Value error, ") for e in exc.errors())
        except ClapboardError as exc:
            return f"{failed}: {exc}"
        turn.submitted.append(submitted)
        if turn.on_submitted:
            await turn.on_submitted(submitted)
        return describe_submission(submitted)

    async def generate_video(**kwargs: Any) -> str:
        """Make a video from a brief. Returns the job id and what happens next, or what to change."""
        urls = kwargs.pop("reference_urls", None) or []
        defaults = {k: v for k, v in turn.defaults.items() if v is not None}
        chosen = {k: v for k, v in kwargs.items() if v is not None}

        async def submit() -> Submitted:
            request = VideoRequest(**{**defaults, **chosen}, references=[*turn.attachments, *urls])
            return await studio.submit(turn.actor, request, origin=turn.origin, idempotency_key=turn.key_for(request))

        return await started(submit, "Could not start the video")

    async def revise_video(**kwargs: Any) -> str:
        """Make a new version of this conversation's latest video with some changes (format, length, model,
        resolution, sound): the brief, images, template, copy and campaign stay the same."""
        changes = ReviseArgs(**kwargs)
        if not changes.model_dump(exclude_none=True):
            return "Say what to change: a format (square, 9:16), a length (10 seconds) or a model."
        latest = await studio.conversation(turn.actor, turn.origin, limit=1)
        if not latest:
            return "There is no video in this conversation yet: describe one and I'll make it."

        async def submit() -> Submitted:
            changed = changes.model_dump(exclude_none=True)
            key = turn.key_for(changes)
            return await studio.revise(turn.actor, latest[0].id, changed, origin=turn.origin, idempotency_key=key)

        return await started(submit, "Could not make that version")

    async def list_creatives(campaign: str | None = None) -> str:
        """Open the campaign library (one campaign's when named): the team's creatives with what they cost."""
        try:
            library = await studio.library(turn.actor, campaign)
        except ClapboardError as exc:
            return str(exc)
        if not library.creatives:
            return "No creatives yet. Describe a video and I'll make the first one."
        if turn.on_library:
            await turn.on_library(library, campaign)
        return library_summary(library)

    return [
        StructuredTool.from_function(coroutine=list_video_models, name="list_video_models"),
        StructuredTool.from_function(coroutine=generate_video, name="generate_video", args_schema=GenerateArgs),
        StructuredTool.from_function(coroutine=revise_video, name="revise_video", args_schema=ReviseArgs),
        StructuredTool.from_function(coroutine=list_creatives, name="list_creatives", args_schema=CreativesArgs),
    ]


def library_summary(library: LibraryView) -> str:
    """The library in one line: "The library: 3 creatives in 2 campaigns, $1.80 spent." """
    count = sum(c.creatives for c in library.campaigns)
    used = sum(1 for c in library.campaigns if c.creatives)
    spend = sum(c.spend_usd for c in library.campaigns)
    spent = f"${spend:.2f} spent" if spend else "nothing spent"
    return f"The library: {_plural(count, 'creative')} in {_plural(used, 'campaign')}, {spent}."


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def describe_submission(s: Submitted) -> str:
    """The words the user reads right after a job is accepted."""
    size = f"{s.duration_s} s {s.aspect} ({s.width}x{s.height})"
    lines = []
    if s.needs_confirmation:
        lines.append(
            f"{size} on **{s.model_name}** costs about **${s.estimated_cost_usd:.2f}**. "
            "Confirm with the button to start it."
        )
    else:
        lines.append(
            f"Making your video: {size} on **{s.model_name}** (job `{s.job_id[:8]}`). It appears here when ready."
        )
    if s.prompt_sent != s.prompt:
        lines.append(
            f"Prompt sent to the model ({s.refine_method}):\n> {s.prompt_sent.replace(chr(10), chr(10) + '> ')}"
        )
    if s.notice:
        lines.append(s.notice)
    return "\n\n".join(lines)


def chat_model(studio: Studio, offline: bool = False) -> BaseChatModel:
    """ChatOpenAI on the configured endpoint when there is a key, else (or when asked) the offline planner."""
    settings = studio.settings
    if settings.llm_key and not offline:
        from langchain_openai import ChatOpenAI

        return ChatOpenAI(
            model=settings.llm_model,
            api_key=settings.llm_key,
            base_url=settings.llm_base_url,
            streaming=True,
            temperature=0.2,
            max_retries=1,
            timeout=60,
        )
    return OfflinePlanner(model_names=studio.catalog.names())


def build_agent(
    studio: Studio, turn: Turn, checkpointer: BaseCheckpointSaver | None = None, offline: bool = False
) -> Any:
    """The agent graph for one turn (tools are bound to the turn's attachments and settings)."""
    return create_agent(
        chat_model(studio, offline), tools=build_tools(studio, turn), system_prompt=SYSTEM, checkpointer=checkpointer
    )
