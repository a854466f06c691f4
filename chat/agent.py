"""The chat's agent: one graph per chat model, compiled once (LangChain's `create_agent`). Each turn passes who
is speaking and the chat settings as the graph's context; the conversation's attachments live in its state (kept
by the checkpointer until new ones replace them). Tools are plain functions whose docstrings are their
descriptions; they answer in words for the model and hand what they did (jobs started, a library to show) back
as artifacts."""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, NotRequired

from langchain.agents import AgentState, create_agent
from langchain.agents.middleware import ModelCallLimitMiddleware, ToolCallLimitMiddleware
from langchain.tools import ToolRuntime, tool
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage
from langgraph.checkpoint.base import BaseCheckpointSaver
from pydantic import BaseModel, Field, ValidationError, create_model

from chat.brand_words import BrandArgs, Palette, changes_of
from chat.export_report import started_text
from chat.planner import CHANGES, PRICED
from chat.planner_model import OfflinePlanner
from tools.studio import Studio, channel_of, read_channel
from tools.studio.brief import voice_names
from tools.studio.types import (
    ACTIVE,
    FIELD_NAMES,
    MAX_VARIATIONS,
    REVIEW_DEFAULT_DAYS,
    REVIEW_LABEL_CHARS,
    REVIEW_MAX_DAYS,
    VARIATION_ASKS,
    Actor,
    AdCopy,
    BrandChanges,
    BrandView,
    ClapboardError,
    ExportView,
    Forbidden,
    InvalidRequest,
    LibraryView,
    NotFound,
    PaidFormats,
    ReviewLinkView,
    ReviewNoteView,
    Submitted,
    VideoRequest,
    untitled,
)

SYSTEM = """You are Clapboard, an assistant that makes marketing video creatives for a team's campaigns.
Use list_video_models to see models, their durations, formats and prices. Use generate_video to make a new video:
pass the user's brief as the prompt, and put the words to show on screen in `copy` (sale, headline, tagline,
features, offer, price, conditions, code, cta, website, end_text) exactly as the user wrote them; never put
instructions, campaign, channel or model names in `copy`, and write a line yourself only when the user asks you
to. When the tool's answer says "I wrote this headline: ...", tell the user, with its question. Pass only the
options the user asked for; images attached in this conversation are used automatically.
To change this conversation's latest video ("make it square", "10 seconds", "change the headline to ...", "try it
on kling"), use revise_video with only what changes. Use make_variations for variations to A/B test, each changing
one thing (the hook, the headline order, the layout, the colourway, the pacing; `change` when the user names one:
"a variation with the price first", "try another colourway"), and make_formats for every channel format at once;
a paid model's video is then reframed from its footage for free, and `reframe` is false only when the user asks to
generate it anew on the model (at its price); its variations are drawn over its footage for free too, and
`new_footage` is true only when the user asks for new footage ("with new footage", "generate new ones"). For
several ads in one brief ("one for TikTok, one for YouTube, one for LinkedIn", "for each of Reels and Shorts") call
generate_video once with `channels`; a follow-up about one of them ("make the YouTube one 10 seconds") is
revise_video with `channel`. Use list_creatives to open the campaign library.
To deliver the latest video ("export it for TikTok and Reels", "export for all channels", "deliver it to Meta
feed"), use export_video with the placements the user named, ["all"] for every channel, none when they name none.
To have it approved ("share it for review", "send this to the client for approval", "a review link for all
formats"), use share_for_review (`whole_set` for all formats, the set or every version); the chat shows the link
itself. For "who approved it?", "any comments?", "what did the client say?", use review_notes: the chat shows what
the reviewers wrote beneath your answer, so never make up their words.
A voice-over is off unless the user asks for one (its words in the brief are enough: pass them on in the prompt).
To change the latest video's sound ("change the voice-over to ...", "voice-over: ...", "no voice", "female voice",
"use Hazel", "no captions", "no music"), use revise_video with `script`, `voice`, `captions` or `music`.
When the user sets the brand kit ("this is our logo" with an image, "our colours are #0A2540 and #FF5A1F", "make
the accent #00C2A8", "use Inter for headlines" with a font file, "our CTA is ...", "website ...", "tone: ...",
"legal line: ..."), call set_brand, never generate_video; show_brand shows the kit. Answer
questions (about models, prices, formats, lengths, what you can do) in words or with list_video_models, and greet
a greeting back: never make a video from a question or a greeting. When a tool reports a problem,
tell the user what is allowed and suggest the nearest valid request. Paid models ask the user to confirm the
price with buttons: never claim a paid video is on its way before that. A product feed attached (CSV, XLSX, XML)
is quoted by the chat itself as a batch, one video per row: its quote is in the conversation, and only its Make all
button starts it; never make its rows with generate_video. Keep answers short and plain."""

NEEDS_PHOTO = (
    "a product showcase is made from a photo of the product: attach one with the paperclip (PNG, JPEG or WebP) "
    "or paste its link, and send the brief again"
)
MAX_TOOL_CALLS = 4  # per turn: a weak model that repeats itself is stopped, and told so
MAX_MODEL_CALLS = 6


@dataclass
class TurnContext:
    """What one chat turn gives the tools: the studio, who is speaking, and the chat's settings."""

    studio: Studio
    actor: Actor
    origin: str = ""
    message_id: str = ""  # keys this turn's submissions: a resent message or a repeated call makes no new job
    defaults: dict[str, Any] = field(default_factory=dict)  # chat settings: model, aspect, duration_s, ...
    focus: str | None = None  # the job of the video the user pointed at with a button, if any
    uploads: list[tuple[str, Path]] = field(default_factory=list)  # this message's files: name and path

    def key_for(self, tool_name: str, asked: dict[str, Any]) -> str | None:
        """The idempotency key of a request made in this turn: the message, the tool and what it asks for."""
        if not self.message_id:
            return None
        body = f"{tool_name}:{sorted(asked.items())!r}".encode()
        return f"{self.message_id}:{hashlib.sha256(body).hexdigest()[:16]}"


class Conversation(AgentState):
    """The agent's state: the messages, and the stored keys of the images attached most recently."""

    attachments: NotRequired[list[str]]


@dataclass
class BrandOffer:
    """A change to the team's kit a member may not make, offered as the campaign's kit instead."""

    args: BrandArgs
    campaign: str
    uploads: list[tuple[str, Path]]


@dataclass
class Outcome:
    """What a tool did besides its words: jobs started (to follow and to confirm), a library or a brand kit to
    show, a brand kit to offer."""

    submitted: list[Submitted] = field(default_factory=list)
    library: LibraryView | None = None
    campaign: str | None = None
    brand: BrandView | None = None  # a brand kit to show
    brand_offer: BrandOffer | None = None  # the campaign's kit, offered to a member instead of the team's
    generate: Generate | None = None  # beside a free reframe: the same format(s) generated anew, at a price
    export: ExportView | None = None  # an export started: followed like a render
    export_choice: tuple[str, str] | None = None  # a creative (id, title) whose placements the chat asks with buttons
    review_link: tuple[ReviewLinkView, str] | None = None  # a review link made, and its video's title: with Revoke
    review_notes: list[ReviewNoteView] = field(default_factory=list)  # what reviewers wrote, shown escaped

    def shows_something(self) -> bool:
        """Whether the chat shows something of it besides the answer's words (a library, a kit, an export, a
        question with buttons, a review link)."""
        shown = (self.library, self.brand, self.export, self.export_choice, self.review_link)
        return any(x is not None for x in shown)


@dataclass
class Generate:
    """The paid alternative to a reframe the agent started: the video's format(s) made anew on its model."""

    job_id: str
    paid: PaidFormats
    aspect: str | None  # one format; None for every other format


Runtime = ToolRuntime[TurnContext, Conversation]
Result = tuple[str, Outcome]

# The tools' arguments are the request's own fields (one definition, one set of descriptions).
_ASKED = ("prompt", "model", "duration_s", "aspect", "resolution", "template", "campaign", "audio", "refine", "copy")
_KEPT_ON_ANOTHER_MODEL = ("campaign", "refine", "auto_fallback", "voice", "captions", "music")


def _fields(names: tuple[str, ...]) -> dict[str, Any]:
    return {name: (VideoRequest.model_fields[name].annotation, VideoRequest.model_fields[name]) for name in names}


# The sound's fields, described for the model: set only from what the user said.
SOUND: dict[str, Any] = {
    "voice": (
        str | None,
        Field(
            default=None,
            description="The voice-over's voice, only when the user asks for one: 'on' for the default voice ('with "
            "a voice-over'), 'none' for no voice-over ('no voice'), 'female' or 'male' ('a female voice'), or a "
            "voice's name ('use Hazel').",
        ),
    ),
    "script": (
        str | None,
        Field(
            default=None,
            description="The words the voice-over speaks, exactly as the user wrote them ('change the voice-over to "
            "...', 'voice-over: ...'); only when the user gives them. Giving words turns the voice-over on.",
        ),
    ),
    "captions": (
        bool | None,
        Field(
            default=None,
            description="False when the user says 'no captions' or 'no subtitles', true when they ask for them back. "
            "Captions show the voice-over's words; they are on whenever there is a voice-over.",
        ),
    ),
    "music": (
        bool | None,
        Field(default=None, description="False when the user says 'no music', true when they ask for music back."),
    ),
}
REFRAME = Field(
    default=True,
    description="For a video made on a paid model: reframe its footage to the new format, free and at once "
    "(the default); false only when the user asks to generate it anew on the model, at its price.",
)


GenerateArgs = create_model(
    "GenerateArgs",
    **_fields(_ASKED),
    **SOUND,
    reference_urls=(list[str], Field(default_factory=list, description="Image URLs the user pasted.")),
    channels=(
        list[str],
        Field(
            default_factory=list,
            description="For several ads in one brief, one per channel: the channels named (tiktok, reels, shorts, "
            "stories, youtube, linkedin, facebook, instagram feed), each optionally with the format the user stated "
            "for it ('linkedin 16:9'). Each is made in its channel's format, kept as one set. Leave `aspect` unset.",
        ),
    ),
)
ReviseArgs = create_model(
    "ReviseArgs",
    **_fields(CHANGES),
    **SOUND,
    copy=(
        AdCopy | None,
        Field(default=None, description="Only the on-screen words that change; an empty field removes its words."),
    ),
    use_attachments=(
        bool,
        Field(default=False, description="Use the images attached in this conversation instead of the video's."),
    ),
    channel=(
        str | None,
        Field(
            default=None,
            description="The channel a follow-up names ('the YouTube one', 'now for LinkedIn'): changes this "
            "conversation's video for that channel, or makes the latest video's version for it.",
        ),
    ),
    reframe=(bool, REFRAME),
)


VariationAsk = Literal[tuple(VARIATION_ASKS)]  # type: ignore[valid-type]


class FormatsArgs(BaseModel):
    reframe: bool = REFRAME


class VariationsArgs(BaseModel):
    count: int = Field(default=3, description=f"How many variations, 1 to {MAX_VARIATIONS}.")
    change: VariationAsk | None = Field(  # type: ignore[valid-type]
        default=None,
        description="The one thing a variation changes, when the user names it ('a variation with the price first' "
        "-> price first, 'try another colourway' -> colourway); unset: each variation changes another thing.",
    )
    new_footage: bool = Field(
        default=False,
        description="For a paid model's video: true only when the user asks for new footage ('with new footage', "
        "'generate new ones'); then each variation is generated anew at the model's price, else it is drawn over "
        "the video's footage for free.",
    )


class ExportArgs(BaseModel):
    placements: list[str] = Field(
        default_factory=list,
        description="The placements the user named, as they said them (TikTok, Reels, Stories, Meta feed, Meta feed "
        "square, Shorts, YouTube, LinkedIn), or ['all'] for every channel; empty when they named none (the chat then "
        "asks with buttons).",
    )
    trim: bool = Field(
        default=False,
        description="True only when the user asks to trim the video to fit a placement's longest length.",
    )


class ShareArgs(BaseModel):
    whole_set: bool = Field(
        default=False,
        description="True when the user asks for all formats, the set, every version or all variations: one link "
        "shows every video of the latest video's set. False for the latest video alone.",
    )
    label: str = Field(
        default="",
        max_length=REVIEW_LABEL_CHARS,
        description="Who the link is for, only when the user says: 'client link' for 'send it to the client', "
        "'manager link' for 'to my manager'. Empty otherwise.",
    )
    days: int = Field(
        default=REVIEW_DEFAULT_DAYS,
        description=f"How many days the link works (1 to {REVIEW_MAX_DAYS}), only when the user says; "
        f"{REVIEW_DEFAULT_DAYS} otherwise.",
    )


class CreativesArgs(BaseModel):
    campaign: str | None = Field(default=None, description="Campaign name; all campaigns when omitted.")


@tool("list_video_models", response_format="content_and_artifact")
async def list_video_models(runtime: Runtime) -> Result:
    """List the video models with their durations, formats, reference images, price and availability."""
    notes: list[str] = []
    rows = ["| model | durations | formats | refs | price per second | status |", "|---|---|---|---|---|---|"]
    for m in runtime.context.studio.models.list():
        status = "available"
        if not m.available:
            notes += [m.notice] if m.notice not in notes else []
            status = f"unavailable [{notes.index(m.notice) + 1}]"
        cells = [f"**{m.id}**", m.durations, " ".join(m.aspects), str(m.max_references), m.price, status]
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows + [""] + [f"[{i}] {note}" for i, note in enumerate(notes, 1)]), Outcome()


@tool("generate_video", args_schema=GenerateArgs, response_format="content_and_artifact")
async def generate_video(
    runtime: Runtime, reference_urls: list[str] | None = None, channels: list[str] | None = None, **asked: Any
) -> Result:
    """Make a new video from a brief, or one per channel when the brief asks for several ads ("one for TikTok, one
    for YouTube"). Returns what happens next, or what to change."""
    ctx = runtime.context
    chosen = {k: v for k, v in asked.items() if v is not None}
    defaults = {k: v for k, v in ctx.defaults.items() if v is not None}
    if chosen.get("model") not in (None, defaults.get("model")):  # the settings' format and length were that model's
        defaults = {k: v for k, v in defaults.items() if k in _KEPT_ON_ANOTHER_MODEL}
    defaults = _unsaid(defaults, str(chosen.get("prompt") or ""))
    references = [*(runtime.state.get("attachments") or []), *(reference_urls or [])]
    notes = ""
    if isinstance(copy := chosen.get("copy"), AdCopy) and copy.texts() and (said := _said(runtime)):
        checked = ctx.studio.jobs.checked_copy(said, copy)  # the model's copy, held to the user's own words
        chosen["copy"], notes = checked.copy, checked.say()
    if len(channels or []) > 1:
        return _noted(await _for_channels(ctx, {**defaults, **chosen}, references, channels or []), notes)
    if channels:  # one channel: one video in its format (or the one stated for it), unless an aspect is given
        try:
            chosen.setdefault("aspect", read_channel(channels[0])[1])
        except ClapboardError as exc:
            return f"Could not start the video: {exc}", Outcome()
    key = ctx.key_for("generate_video", {**chosen, "references": references})

    async def submit() -> list[Submitted]:
        request = VideoRequest(**{**defaults, **chosen}, references=references)
        brief = ctx.studio.jobs.brief_of(request)
        if not references and brief.template.name == "product-showcase":
            raise InvalidRequest(NEEDS_PHOTO)  # made without it, the showcase has no product to show
        return [await ctx.studio.jobs.submit(ctx.actor, request, origin=ctx.origin, idempotency_key=key, brief=brief)]

    return _noted(await _started(submit, "Could not start the video"), notes)


def _unsaid(defaults: dict[str, Any], prompt: str) -> dict[str, Any]:
    """The settings' sound, but for what the brief's words say of it: "no voice" wins over a voice chosen in the
    settings, "with music" over music switched off."""
    try:
        said = VideoRequest(prompt=prompt).options()
    except ValidationError:  # an empty or overlong brief: the request itself says what is wrong with it
        return defaults
    return {k: v for k, v in defaults.items() if k not in SOUND or getattr(said, k, None) is None}


def _said(runtime: Runtime) -> str:
    """What the user said in this conversation (a brief may take several messages): what the model's copy is
    checked against."""
    return "\n".join(m.text for m in runtime.state.get("messages") or [] if isinstance(m, HumanMessage))


def _noted(result: Result, notes: str) -> Result:
    """A started job's words with what the copy's check changed, or the lines the assistant wrote for it."""
    text, outcome = result
    return (f"{text}\n\n{notes}" if notes and outcome.submitted else text), outcome


async def _for_channels(ctx: TurnContext, asked: dict[str, Any], references: list[str], channels: list[str]) -> Result:
    """One video per channel, each in its channel's format (so no format is passed on), said as one set."""
    asked = {k: v for k, v in asked.items() if k != "aspect"}
    key = ctx.key_for("generate_video", {**asked, "references": references, "channels": channels})

    async def submit() -> list[Submitted]:
        request = VideoRequest(**asked, references=references)
        return await ctx.studio.jobs.channels(ctx.actor, request, channels, origin=ctx.origin, idempotency_key=key)

    text, outcome = await _started(submit, "Could not start the ads")
    if not outcome.submitted:
        return text, outcome
    made = ", ".join(f"{channel_of(s.channel or '').label} {s.aspect}" for s in outcome.submitted)
    return f"{len(outcome.submitted)} ads, one per channel ({made}), kept together as one set.\n\n{text}", outcome


@tool("revise_video", args_schema=ReviseArgs, response_format="content_and_artifact")
async def revise_video(
    runtime: Runtime, use_attachments: bool = False, channel: str | None = None, reframe: bool = True, **changes: Any
) -> Result:
    """Make a new version of this conversation's latest video with some changes (format, length, model,
    resolution, sound, on-screen words, images, the voice-over's words or voice, captions, music); everything
    else stays the same."""
    ctx = runtime.context
    changed = {k: v for k, v in changes.items() if v is not None}
    if isinstance(copy := changed.get("copy"), AdCopy):
        # The fields given, an empty one removing its words; a model that filled in every field changes only those
        # with words.
        whole = len(copy.model_fields_set) == len(FIELD_NAMES)
        changed["copy"] = copy.given() if whole else copy.model_dump(include=copy.model_fields_set)
    notes = ""
    if changed.get("copy") and (said := _said(runtime)):  # the new words, held to the user's own like the first
        changed["copy"], checked = ctx.studio.jobs.checked_edit(said, changed["copy"])
        notes = checked.say()
        if not changed["copy"]:
            del changed["copy"]
    if use_attachments:
        if not (attachments := runtime.state.get("attachments")):
            return "No image is attached in this conversation yet: attach one and ask again.", Outcome()
        changed["references"] = attachments
    latest = await _latest(ctx)
    if channel:
        try:
            label = channel_of(channel).label
        except ClapboardError as exc:
            return str(exc), Outcome()
        if found := await ctx.studio.jobs.channel_job(ctx.actor, ctx.origin, channel):
            latest = found  # the set's video for that channel
        else:
            changed["channel"] = channel  # the latest video's version for that channel
        if found and not changed:
            return (
                f"Say what to change in the {label} one: a format, a length, the words on screen or a model.",
                Outcome(),
            )
    if not changed:
        said = "Say what to change: a format (square, 9:16), a length, the words on screen, the voice-over or a model."
        return " ".join(n for n in (notes, said) if n), Outcome()
    if latest is None:
        return _NOTHING_YET, Outcome()
    key = ctx.key_for("revise_video", {**changed, **({} if reframe else {"reframe": False})})
    made = await _started(
        lambda: _one(ctx.studio.jobs.revise(ctx.actor, latest, changed, origin=ctx.origin, idempotency_key=key,
                                            reframe=reframe)),
        "Could not make that version",
    )  # fmt: skip
    return _noted(await _or_generate(ctx, latest, made, changed.get("aspect")), notes)


@tool("make_variations", args_schema=VariationsArgs, response_format="content_and_artifact")
async def make_variations(
    runtime: Runtime, count: int = 3, change: str | None = None, new_footage: bool = False
) -> Result:
    """Make variations of this conversation's latest video to A/B test, each changing one named thing from it (the
    hook, the headline order, the layout, the colourway or the pacing; `change` names one), kept with it as a set
    in its campaign. A paid model's video's variations are drawn over its footage for free, unless `new_footage`."""
    ctx = runtime.context
    if (latest := await _latest(ctx)) is None:
        return _NOTHING_YET, Outcome()
    wanted = 1 if change else count
    fresh = {"new_footage": True} if new_footage else {}  # keys of requests made before it stay the same
    key = ctx.key_for("make_variations", {"count": count, "change": change, **fresh})
    text, outcome = await _started(
        lambda: ctx.studio.jobs.variations(
            ctx.actor, latest, wanted, change=change, new_footage=new_footage, origin=ctx.origin, idempotency_key=key
        ),  # fmt: skip
        "Could not make variations",
    )
    made = outcome.submitted
    if made and len(made) < wanted and all(s.footage_of for s in made):
        noun = "change" if len(made) == 1 else "changes"
        text += (f"\n\nOnly {len(made)} more {noun} can be drawn over this footage. For more, ask for variations "
                 "with new footage (generated anew, at the model's price).")  # fmt: skip
    return text, outcome


@tool("make_formats", args_schema=FormatsArgs, response_format="content_and_artifact")
async def make_formats(runtime: Runtime, reframe: bool = True) -> Result:
    """Make this conversation's latest video in every other channel format (9:16, 1:1, 4:5, 16:9) in one go,
    kept with it as a set in its campaign. A paid model's video is reframed from its footage for free unless
    `reframe` is false."""
    ctx = runtime.context
    if (latest := await _latest(ctx)) is None:
        return _NOTHING_YET, Outcome()
    missing: list[str] = []

    async def submit() -> list[Submitted]:
        key = ctx.key_for("make_formats", {} if reframe else {"reframe": False})
        made, skipped = await ctx.studio.jobs.formats(ctx.actor, latest, origin=ctx.origin, idempotency_key=key,
                                                      reframe=reframe)  # fmt: skip
        missing.extend(skipped)
        return made

    text, outcome = await _or_generate(ctx, latest, await _started(submit, "Could not make the other formats"))
    if missing:
        text += f"\n\nThis model does not make {' or '.join(missing)}."
    return text, outcome


async def _or_generate(ctx: TurnContext, job_id: str, result: Result, aspect: str | None = None) -> Result:
    """A free reframe's answer, with what generating the same format(s) anew on the model would cost (the chat
    shows its button)."""
    text, outcome = result
    if not any(s.footage_of for s in outcome.submitted):
        return result
    try:
        paid = await ctx.studio.jobs.regenerate_price(ctx.actor, job_id, aspect)
    except ClapboardError:
        return result
    if paid is None:  # its model makes none of them now: the reframe alone
        return result
    which = "it" if aspect else "them"
    text += (
        f"\n\nTo generate {which} anew on {paid.model_name} instead ({', '.join(paid.aspects)}): about "
        f"${paid.price_usd:.2f}, asked before it starts."
    )
    outcome.generate = Generate(job_id, paid, aspect)
    return text, outcome


@tool("export_video", args_schema=ExportArgs, response_format="content_and_artifact")
async def export_video(runtime: Runtime, placements: list[str] | None = None, trim: bool = False) -> Result:
    """Export this conversation's latest finished video for the placements named: each file made for its
    placement, signed with content credentials, checked against its specs and zipped with manifest.json. Free."""
    ctx = runtime.context
    found = await _latest_creative(ctx)
    if found is None:
        return "There is no finished video in this conversation to export yet.", Outcome()
    creative_id, title = found
    if not placements:
        return f"For which placements shall I export *{title}*?", Outcome(export_choice=found)
    try:
        view = await ctx.studio.exports.export(ctx.actor, creative_id, placements, trim=trim, origin=ctx.origin)
    except ClapboardError as exc:
        return f"Could not export it: {exc}", Outcome()
    return started_text(view, ctx.studio.exports.placements), Outcome(export=view)


async def _latest_creative(ctx: TurnContext) -> tuple[str, str] | None:
    """The creative (id, title) of the video the user pointed at, else of this conversation's latest finished
    video."""
    if ctx.focus:
        jobs = [await ctx.studio.jobs.job(ctx.actor, ctx.focus)]
    else:
        jobs = await ctx.studio.jobs.conversation(ctx.actor, ctx.origin)
    job = next((j for j in jobs if j.creative_id), None)
    return (job.creative_id, job.title) if job and job.creative_id else None


@tool("share_for_review", args_schema=ShareArgs, response_format="content_and_artifact")
async def share_for_review(
    runtime: Runtime, whole_set: bool = False, label: str = "", days: int = REVIEW_DEFAULT_DAYS
) -> Result:
    """Make a review link for this conversation's latest finished video (or, `whole_set`, for every video of its
    set: its formats and variations). Whoever has the link watches, comments at a moment in the video, approves or
    asks for changes, without an account; the chat shows the link with its expiry and a Revoke button."""
    ctx = runtime.context
    found = await _latest_creative(ctx)
    if found is None:
        return "There is no finished video in this conversation to share for review yet.", Outcome()
    creative_id, title = found
    try:
        whole = whole_set and (await ctx.studio.library.creative(ctx.actor, creative_id)).set_id is not None
        link = await ctx.studio.reviews.share(ctx.actor, creative_id, days=days, whole_set=whole, label=label)
    except ClapboardError as exc:
        return f"No review link was made: {exc}", Outcome()
    what = f"the set of *{title}* ({_plural(len(link.creative_ids), 'video')})" if whole else f"*{title}*"
    text = f"Made a review link for {what}: here it is, with its expiry and a Revoke button."
    if whole_set and not whole:
        text += " It has no other formats or variations yet, so the link shows this video alone."
    elif whole and any(j.status in ACTIVE for j in await ctx.studio.jobs.conversation(ctx.actor, ctx.origin)):
        text += " The videos still being made are not in it: share the set again once they are ready."
    return text, Outcome(review_link=(link, title))


@tool("review_notes", response_format="content_and_artifact")
async def review_notes(runtime: Runtime) -> Result:
    """What reviewers said through review links about this conversation's videos (the one the user pointed at,
    else every one): each video's review status and how many comments and decisions it has. The chat shows who
    said what beneath the answer."""
    ctx = runtime.context
    jobs = [await ctx.studio.jobs.job(ctx.actor, ctx.focus)] if ctx.focus else \
        await ctx.studio.jobs.conversation(ctx.actor, ctx.origin)  # fmt: skip
    lines: list[str] = []
    notes: list[ReviewNoteView] = []
    for creative_id in dict.fromkeys(j.creative_id for j in jobs if j.creative_id):
        try:
            creative = await ctx.studio.library.creative(ctx.actor, creative_id)
            said = await ctx.studio.reviews.notes(ctx.actor, creative_id)
        except NotFound:  # deleted since
            continue
        notes += said
        if said or creative.review_status != "draft":
            lines.append(f"- *{creative.title}*: {creative.review_status}, {_tally(said)}")
    if not lines:
        return "No video of this conversation has been shared for review yet: say *share it for review* for a " \
            "link a client or a manager opens without an account.", Outcome()  # fmt: skip
    # Only the tally reaches the model: a reviewer's words are no instructions to it, and the chat shows them.
    beneath = "\n\nWhat the reviewers wrote is below." if notes else ""
    notes.sort(key=lambda n: n.created_at)
    return "Review so far:\n" + "\n".join(lines) + beneath, Outcome(review_notes=notes)


def _tally(notes: list[ReviewNoteView]) -> str:
    """ "2 comments, 1 request for changes, 1 approval", or "no comments or decisions yet"."""
    kinds = [n.kind for n in notes]
    counts = [(kinds.count("comment"), "comment", "comments"), (kinds.count("changes requested"), "request for "
              "changes", "requests for changes"), (kinds.count("approved"), "approval", "approvals")]  # fmt: skip
    said = [f"{n} {one if n == 1 else many}" for n, one, many in counts if n]
    return ", ".join(said) if said else "no comments or decisions yet"


@tool("list_creatives", args_schema=CreativesArgs, response_format="content_and_artifact")
async def list_creatives(runtime: Runtime, campaign: str | None = None) -> Result:
    """Open the campaign library (one campaign's when named): the team's creatives with what they cost."""
    ctx = runtime.context
    try:
        library = await ctx.studio.library.library(ctx.actor, campaign)
    except ClapboardError as exc:
        return str(exc), Outcome()
    if not library.creatives:
        return "No creatives yet. Describe a video and I'll make the first one.", Outcome()
    return library_summary(library), Outcome(library=library, campaign=campaign)


class ShowBrandArgs(BaseModel):
    campaign: str | None = Field(
        default=None, description="A campaign's kit (over the team's); the team's when omitted."
    )


@tool("set_brand", args_schema=BrandArgs, response_format="content_and_artifact")
async def set_brand(runtime: Runtime, **given: Any) -> Result:
    """Change the brand kit every video follows: the team's, or the campaign's when the user says "for this
    campaign" or names one. Sets the logo (or light logo) from an image attached to this message, the palette or
    one colour, a font from a TTF/OTF file attached to this message, the call to action, website, tone words or
    legal line. Makes no video."""
    ctx, args = runtime.context, BrandArgs(**given)
    campaign = args.campaign or (await _this_campaign(ctx) if args.for_campaign else None)
    if args.for_campaign and not campaign:
        return "Which campaign is this kit for? Say *for the Spring sale campaign*, or choose a default campaign " \
            "in the settings.", Outcome()  # fmt: skip
    if campaign is None and not ctx.actor.admin:
        where = await _this_campaign(ctx)
        if where is None:
            return (
                f"{ONLY_ADMINS} Say it again with *for the Spring sale campaign* for a campaign's own kit.",
                Outcome(),
            )
        offer = BrandOffer(args.model_copy(update={"for_campaign": True, "campaign": where}), where, ctx.uploads)
        return f"{ONLY_ADMINS} I can set it as the *{where}* campaign's kit instead.", Outcome(brand_offer=offer)
    return await apply_brand(ctx.studio, ctx.actor, args, campaign, ctx.uploads)


ONLY_ADMINS = "Only an admin can change the team's brand kit, so nothing changed."
NOT_CHANGED = "The brand kit was not changed"


async def apply_brand(
    studio: Studio, actor: Actor, args: BrandArgs, campaign: str | None, files: list[tuple[str, Path]]
) -> Result:
    """Change the team's kit (campaign None) or a campaign's as `args` say, with a message's files."""
    palette: Palette
    try:
        kit = await studio.brand.get(actor, campaign)
        palette, assigned = [(c.hex, c.role) for c in kit.effective.colors], kit.look.roles
    except NotFound:
        palette, assigned = [], {}  # a campaign named for the first time: made when its kit is set
    uploads = [(name, await asyncio.to_thread(path.read_bytes)) for name, path in files]
    changes = changes_of(args, uploads, palette, assigned)
    if isinstance(changes, str):
        return changes, Outcome()
    try:
        view = await studio.brand.set(actor, BrandChanges.model_validate(changes), campaign)
    except Forbidden:
        return ONLY_ADMINS, Outcome()
    except ClapboardError as exc:
        said = str(exc)
        return (said if said.startswith(NOT_CHANGED) else f"{NOT_CHANGED}: {said}"), Outcome()
    whose = f"The {view.campaign} campaign's kit" if view.campaign else "The team's kit"
    return f"{whose} is set: {view.label}.", Outcome(brand=view)


@tool("show_brand", args_schema=ShowBrandArgs, response_format="content_and_artifact")
async def show_brand(runtime: Runtime, campaign: str | None = None) -> Result:
    """Show the brand kit (logos, colours, fonts, words, version): the team's, or a campaign's over it."""
    ctx = runtime.context
    try:
        view = await ctx.studio.brand.get(ctx.actor, campaign or None)  # a model may send "" for none
    except ClapboardError as exc:
        return str(exc), Outcome()
    if view.effective.is_empty():
        return "No brand kit yet. Attach your logo and say *this is our logo*, or type *our colours are " \
            "#0A2540 and #FF5A1F*.", Outcome(brand=view)  # fmt: skip
    return f"The brand kit: {view.label}.", Outcome(brand=view)


async def _this_campaign(ctx: TurnContext) -> str | None:
    """ "This campaign": the settings' default campaign, else that of this conversation's latest video."""
    if chosen := ctx.defaults.get("campaign"):
        return str(chosen)
    latest = await ctx.studio.jobs.conversation(ctx.actor, ctx.origin, limit=1)
    return latest[0].campaign if latest else None


TOOLS = [list_video_models, generate_video, revise_video, make_variations, make_formats, export_video, share_for_review,
         review_notes, list_creatives, set_brand, show_brand]  # fmt: skip
_NOTHING_YET = "There is no video in this conversation yet: describe one and I'll make it."


async def _latest(ctx: TurnContext) -> str | None:
    """The job id of the video the user pointed at, else of this conversation's latest video."""
    if ctx.focus:
        return ctx.focus
    latest = await ctx.studio.jobs.conversation(ctx.actor, ctx.origin, limit=1)
    return latest[0].id if latest else None


async def _one(pending: Any) -> list[Submitted]:
    return [await pending]


async def _started(submit: Any, failed: str) -> Result:
    """Run a submission; the words the user reads after it (or what to change), and the jobs it started."""
    try:
        submitted = await submit()
    except ValidationError as exc:
        return f"{failed}: " + "; ".join(e["msg"].removeprefix("Value error, ") for e in exc.errors()), Outcome()
    except ClapboardError as exc:
        return f"{failed}: {exc}", Outcome()
    return "\n\n".join(describe_submission(s) for s in submitted), Outcome(submitted=submitted)


def library_summary(library: LibraryView) -> str:
    """The library in one line: "The library: 3 creatives in 2 campaigns, $1.80 spent." """
    count = sum(c.creatives for c in library.campaigns)
    used = sum(1 for c in library.campaigns if c.creatives)
    spend = sum(c.spend_usd for c in library.campaigns)
    spent = f"${spend:.2f} spent" if spend else "nothing spent"
    return f"The library: {_plural(count, 'creative')} in {_plural(used, 'campaign')}, {spent}."


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def usd(amount: float) -> str:
    """A price as the chat says it: in cents ("$3.20"), or under a cent (a premium voice-over's few words on a
    free draft) to a tenth of a cent, never as nothing ("$0.001")."""
    return f"${max(amount, 0.001):.3f}" if 0 < amount < 0.01 else f"${amount:.2f}"


def describe_submission(s: Submitted) -> str:
    """The words the user reads right after a job is accepted."""
    size = f"{s.duration_s} s {s.aspect} ({s.width}x{s.height})"
    if s.channel:
        size = f"{channel_of(s.channel).label}: {size}"
    lines = []
    if s.variation:
        lines.append(f"**Variation {untitled(s.title)[1]} — {s.variation}** (*{s.title}*)")
    if s.footage_of:  # its notice says how: drawn over the footage as it is, or reframed from it
        lines.append(f"{s.notice} Making {size}, free: it appears here when ready.")
    elif s.needs_confirmation:
        lines.append(f"{size} on **{s.model_name}** costs about **{usd(s.estimated_cost_usd)}**. {PRICED} to start it.")
    else:
        lines.append(f"Making your video: {size} on **{s.model_name}**. It appears here when ready.")
    if not s.needs_confirmation and s.sound.voice and s.sound.script:  # a paid job's price question shows it
        lines.append(f"Voice-over by {s.voice_name or s.sound.voice}:\n> “{s.sound.script.text()}”")
    if s.prompt_sent != s.prompt:
        lines.append(
            f"Prompt sent to the model ({s.refine_method}):\n> {s.prompt_sent.replace(chr(10), chr(10) + '> ')}"
        )
    if s.notice and not s.footage_of:  # a footage job's notice is its first line
        lines.append(s.notice)
    return "\n\n".join(lines)


def build_agent(studio: Studio, checkpointer: BaseCheckpointSaver | None, offline: bool = False) -> Any:
    """The agent graph for one chat model: the configured LLM, or (without a key, or when asked) the offline
    planner. Compile it once and pass a TurnContext with each turn."""
    model: BaseChatModel = (
        OfflinePlanner(model_names=studio.models.names(), voice_names=voice_names())
        if studio.offline or offline
        else studio.chat_model(temperature=0.2, timeout_s=60.0, streaming=True)
    )
    # Their state schemas extend the agent's own: to mypy a list of them is no list of AgentMiddleware[AgentState].
    limits: list[Any] = [
        ToolCallLimitMiddleware(run_limit=MAX_TOOL_CALLS, exit_behavior="end"),
        ModelCallLimitMiddleware(run_limit=MAX_MODEL_CALLS, exit_behavior="end"),
    ]
    return create_agent(
        model,
        tools=TOOLS,
        system_prompt=SYSTEM,
        state_schema=Conversation,
        context_schema=TurnContext,
        checkpointer=checkpointer,
        middleware=limits,
    )
