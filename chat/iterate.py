"""What the buttons under a ready video do (Variations, Other formats, Edit text, Another model: chat/notify.py
draws them), and how the jobs they or the agent start are shown: followed until ready, or asked about when paid.

A paid video's other formats are a choice between reframing its footage (free, at once) and generating them anew
on its model (at the price the button names, asked again like any paid job).

A button makes its video the conversation's focus: "change the headline to ..." typed after "Edit text" changes
that video, not merely the latest one. Under a price question, Edit text changes the words of the job before it
starts: the job is replaced by one with the new words, and the price is asked again. Edit voice-over does the
same for the words the voice-over speaks.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import chainlit as cl

from chat.agent import describe_submission, usd
from chat.notify import (
    VOICE_ACTION,
    confirm_actions,
    copy_lines,
    format_choice,
    generate_action,
    price_words,
    remove_confirm_actions,
    script_of,
)
from chat.planner import is_stop
from chat.runtime import services
from chat.signin import session_actor
from chat.sound_words import only_filler, sound_changes, spoken_change
from tools.studio import Studio
from tools.studio.brief import voice_names
from tools.studio.types import Actor, ClapboardError, JobStatus, JobView, PaidFormats, Submitted

FOCUS = "focus_job"  # the user session's key for the video the user last pointed at
ASK_WORDS_S = 600  # how long Edit voice-over waits for the new words
_asking: dict[str, asyncio.Task[None]] = {}  # chainlit session id -> its Edit voice-over question waiting


def follow(submitted: list[Submitted], actor: Actor) -> None:
    """Follow the jobs a turn or a button started, before anything is sent (a draft can be ready within a
    second); the videos of one request are shown in the order they were asked for."""
    notifier, session_id = services().notifier, cl.context.session.id
    for s in submitted:
        notifier.watch(s.job_id, session_id, actor)
    notifier.in_order([s.job_id for s in submitted])


async def ask_prices(submitted: list[Submitted]) -> None:
    """The price question of each paid job, after the words that explain it, with the words it puts on screen;
    its button names the video. A job that replaced a price question (its words changed before it started)
    takes that question's buttons away."""
    voices = services().studio.models.voices()
    for s in submitted:
        if s.replaces:
            await remove_confirm_actions(s.replaces)
        if s.needs_confirmation:
            instead = "The earlier price question is canceled: nothing was charged. " if s.replaces else ""
            await cl.Message(
                content=f"{instead}Start **{s.model_name}** for about {usd(s.estimated_cost_usd)}?\n\n"
                f"{price_words(s, voices)}",
                actions=confirm_actions(s.job_id, s.title, s.estimated_cost_usd, script_of(s)),
            ).send()


Start = Callable[[Studio, Actor, str, str], Awaitable[list[Submitted]]]


async def _act(action: cl.Action, start: Start, lead: str) -> None:
    """Run a button's request on its video as the session's actor, and show what started (or why not) before
    anything the jobs have to say."""
    await _start(str(action.payload.get("job_id", "")), start, lead)


async def _start(job_id: str, start: Start, lead: str) -> None:
    studio = services().studio
    actor = await session_actor()
    if actor is None:
        return
    origin = f"chat:{cl.context.session.thread_id}"
    async with services().notifier.turn(cl.context.session.id):
        try:
            submitted = await start(studio, actor, job_id, origin)
        except ClapboardError as exc:
            await cl.Message(content=str(exc)).send()
            return
        cl.user_session.set(FOCUS, job_id)  # a checked video of the team: the next typed change is about it
        follow(submitted, actor)
        await cl.Message(content=lead + "\n\n".join(describe_submission(s) for s in submitted)).send()
        await ask_prices(submitted)


@cl.action_callback("make_variations")
async def variations(action: cl.Action) -> None:
    async def start(studio: Studio, actor: Actor, job_id: str, origin: str) -> list[Submitted]:
        key = f"{action.id}:variations"
        return await studio.jobs.variations(actor, job_id, 3, origin=origin, idempotency_key=key)

    await _act(action, start, "Variations to A/B test, each changing one thing, kept with the original:\n\n")


@cl.action_callback("make_formats")
async def formats(action: cl.Action) -> None:
    """A draft's other formats are made at once; a paid video's are a choice: reframed from its footage for
    free, or generated anew on its model for the price the button names."""
    if (pointed := await _pointed(action)) is None:
        return
    studio, actor, job = pointed
    try:
        footage = await studio.jobs.has_footage(actor, job.id)
        paid = await studio.jobs.regenerate_price(actor, job.id) if footage else None
    except ClapboardError as exc:
        await cl.Message(content=str(exc)).send()
        return
    if not footage:
        await _formats(action, reframe=False)
        return
    anew = f", or generated anew on {paid.model_name} for about ${paid.price_usd:.2f}" if paid else ""
    await cl.Message(
        content=f"The other formats can be reframed from this video's footage, following its subject, for free{anew}.",
        actions=format_choice(job.id, paid),
    ).send()


@cl.action_callback("reframe_formats")
async def reframe_formats(action: cl.Action) -> None:
    await _formats(action, reframe=True)


@cl.action_callback("generate_formats")
async def generate_formats(action: cl.Action) -> None:
    await _formats(action, reframe=False)


async def _formats(action: cl.Action, *, reframe: bool) -> None:
    missing: list[str] = []

    async def start(studio: Studio, actor: Actor, job_id: str, origin: str) -> list[Submitted]:
        key = f"{action.id}:formats"
        made, skipped = await studio.jobs.formats(actor, job_id, origin=origin, idempotency_key=key, reframe=reframe)
        missing.extend(skipped)
        return made

    await _act(action, start, "The other formats, kept together with the original:\n\n")
    if missing:
        await cl.Message(content=f"This model does not make {' or '.join(missing)}.").send()


@cl.action_callback("generate_format")
async def generate_format(action: cl.Action) -> None:
    aspect = str(action.payload.get("aspect", ""))

    async def start(studio: Studio, actor: Actor, job_id: str, origin: str) -> list[Submitted]:
        key = f"{action.id}:generate"
        return [
            await studio.jobs.revise(actor, job_id, {"aspect": aspect}, origin=origin, idempotency_key=key,
                                     reframe=False)
        ]  # fmt: skip

    await _act(action, start, "")


async def offer_generate(job_id: str, paid: PaidFormats, aspect: str | None) -> None:
    """Under a free reframe the agent started: the same format(s) generated anew on the model, at its price."""
    await cl.Message(
        content="Or generate it anew on the model:", actions=[generate_action(job_id, paid, aspect)]
    ).send()


async def _pointed(action: cl.Action) -> tuple[Studio, Actor, JobView] | None:
    """The team's job a button under a video points at, made the conversation's focus; None (the user told why)
    when it is not theirs to see."""
    studio = services().studio
    actor = await session_actor()
    if actor is None:
        return None
    try:
        job = await studio.jobs.job(actor, str(action.payload.get("job_id", "")))
    except ClapboardError as exc:
        await cl.Message(content=str(exc)).send()
        return None
    cl.user_session.set(FOCUS, job.id)
    return studio, actor, job


@cl.action_callback("edit_text")
async def edit_text(action: cl.Action) -> None:
    if (pointed := await _pointed(action)) is None:
        return
    studio, actor, job = pointed
    waiting = job.status == JobStatus.awaiting_confirmation
    try:
        made = (await studio.library.creative(actor, job.creative_id)).copy if job.creative_id else None
    except ClapboardError as exc:  # the video was deleted from the library meanwhile
        await cl.Message(content=str(exc)).send()
        return
    shown = (made or job.copy).given() if made or waiting else {}
    lead = "The video will show" if waiting else "On screen now"
    now = f"{lead}:\n{copy_lines(shown)}" if shown else f"There are no words on screen {'yet' if waiting else 'now'}."
    then = "I'll ask the price again with the new words" if waiting else "I'll make a new version"
    await cl.Message(
        content=f"{now}\n\nWrite the change, e.g. *change the headline to Run the city*, *price: $99*, *change the "
        f"code to KNIT40*, *the offer is 30% off boots*, *website: aurora.run* or *remove the tagline*, and {then}."
    ).send()


@cl.action_callback("another_model")
async def another_model(action: cl.Action) -> None:
    if (pointed := await _pointed(action)) is None:
        return
    studio, _, job = pointed
    models = [m for m in studio.models.list() if m.available and m.id != (job.model_used or job.model)]
    if not models:
        await cl.Message(content="No other model is available here right now; only the free draft is.").send()
        return
    await cl.Message(
        content="Which model should make it? The price is asked before a paid model starts.",
        actions=[
            cl.Action(name="use_model", payload={"job_id": job.id, "model": m.id}, label=f"{m.name} ({m.price})")
            for m in models
        ],
    ).send()


@cl.action_callback("use_model")
async def use_model(action: cl.Action) -> None:
    model = str(action.payload.get("model", ""))

    async def start(studio: Studio, actor: Actor, job_id: str, origin: str) -> list[Submitted]:
        key = f"{action.id}:model"
        return [await studio.jobs.revise(actor, job_id, {"model": model}, origin=origin, idempotency_key=key)]

    await action.remove()
    await _act(action, start, "")


@cl.action_callback(VOICE_ACTION)
async def edit_voiceover(action: cl.Action) -> None:
    """Edit voice-over under a price question: the chat asks for the new words (in a task of its own, so the
    button's request returns at once while the question waits for the chat's box), then the waiting job is
    replaced by one that speaks them, and the price is asked again."""
    job_id, script = str(action.payload.get("job_id", "")), str(action.payload.get("script", ""))
    session_id = cl.context.session.id
    if (earlier := _asking.get(session_id)) is not None:  # the chat's box answers one question: the latest
        earlier.cancel()
        await asyncio.wait([earlier])  # gone from the chat before the new one is asked
    task = _asking[session_id] = asyncio.create_task(_new_words(job_id, script))
    task.add_done_callback(lambda done: _asking.pop(session_id) if _asking.get(session_id) is done else None)


async def _new_words(job_id: str, script: str) -> None:
    question = cl.AskUserMessage(
        content=f"The voice-over says:\n> “{script}”\n\nWrite the new words and send them (or another voice: *female "
        "voice*, *no voice*): I'll ask the price again.",
        timeout=ASK_WORDS_S,
    )
    try:
        try:
            asked = await question.send()
        except asyncio.CancelledError:  # a newer question took its place: it leaves the chat
            await question.remove()
            raise
        if asked is None:  # not answered in time: the question is gone, the job waits as it was
            return
        words = str(asked.get("output", "")).strip()
        if not words or is_stop(words):
            await cl.Message(content="The voice-over stays as it was.").send()
            return
        # Words that change the voice ("no voice", "female voice", "Hazel please") do that; any others are spoken.
        names = voice_names()
        sound, rest = sound_changes(words, names)
        change = sound if sound and only_filler(rest) else spoken_change(words, names)

        async def start(studio: Studio, actor: Actor, job_id: str, origin: str) -> list[Submitted]:
            key = f"{asked['id']}:voice"
            return [await studio.jobs.revise(actor, job_id, change, origin=origin, idempotency_key=key)]

        await _start(job_id, start, "")
    finally:
        await cl.context.emitter.task_end()  # the question ends in Chainlit's "working" state: nothing is left
