"""Chainlit hooks only: sign-in (chat/signin.py), chat start and resume (the history: chat/history.py), message,
settings and actions. The work happens in tools/; every call carries the signed-in actor. chat/server.py builds the
app they run in; they read its services from `services()`."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import chainlit as cl
from chainlit.types import ThreadDict
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage, ToolMessage

import chat.batches as batches
import chat.history  # noqa: F401  (registers the data layer)
from chat.agent import Outcome, TurnContext, describe_submission
from chat.brand import offer, show_again, show_brand
from chat.brand_words import is_font, read_brand
from chat.buttons import restore_buttons
from chat.controls import handled_here, stop_job
from chat.exports import ask_placements, follow_export
from chat.http.uploads import session_ended, upload_failed
from chat.iterate import FOCUS, ask_prices, follow, offer_generate
from chat.library import show_library, show_library_again
from chat.notify import STOP_ACTION, remove_confirm_actions
from chat.panel import fit, send_settings, starter_buttons
from chat.planner import is_stop
from chat.review import show_link, show_notes  # its module registers Share for review and Revoke too
from chat.runtime import services
from chat.signin import session_actor
from chat.sound_words import NO_VOICE
from tools.studio.types import ACTIVE, Actor, ClapboardError, JobStatus

log = logging.getLogger(__name__)


@cl.on_chat_end
async def end() -> None:
    """The tab closed: its uploads (already copied into storage as references) leave the disk now."""
    await session_ended(cl.context.session.id)


@cl.set_starters
async def starters(user: Any = None, language: Any = None) -> list[cl.Starter]:
    return starter_buttons()


@cl.on_chat_start
async def start() -> None:
    actor = await session_actor()
    if actor is None:
        return
    await send_settings()
    await services().notifier.catch_up(cl.context.session.id, actor)
    await batches.catch_up(actor, "chat:")


@cl.on_chat_resume
async def resume(thread: ThreadDict) -> None:
    """Reopen a conversation (Chainlit shows its messages, videos and attachments; the agent's memory is keyed by
    its id) and, once the page shows the history (Chainlit sends it after this hook, and what is sent before is
    lost, #2611), its jobs still running or waiting for a price answer."""
    actor = await session_actor()
    if actor is None:
        return
    await send_settings()
    emitter, session_id = cl.context.emitter, cl.context.session.id
    show_history = emitter.resume_thread

    async def then_catch_up(thread_dict: ThreadDict) -> None:
        await show_history(thread_dict)
        await restore_buttons(thread_dict, actor)
        await show_again(thread_dict, actor)
        await show_library_again(thread_dict, actor)
        await services().notifier.catch_up(session_id, actor, origin=f"chat:{thread['id']}")
        await batches.catch_up(actor, f"chat:{thread['id']}")

    emitter.resume_thread = then_catch_up  # type: ignore[method-assign]


@cl.on_message
async def on_message(message: cl.Message) -> None:
    actor = await session_actor()
    if actor is None:
        return
    async with services().notifier.turn(cl.context.session.id):  # the answer first, then what the jobs say
        await _answer(message, actor)


async def _answer(message: cl.Message, actor: Actor) -> None:
    studio = services().studio
    if not is_stop(message.content) and (lost := not_arrived(message)):
        await cl.Message(content=lost).send()
        return
    if is_stop(message.content) and await batches.stop_typed(actor):  # a batch stops whole, never one video
        return
    if await handled_here(message, actor):
        return
    files = message.elements or []
    if (feed := batches.feed_of(files)) is not None:  # a product feed: one video per row, quoted first
        others = [el.name for el in files if el is not feed]
        defaults = request_defaults(fit(cl.user_session.get("chat_settings"))[0])
        await batches.quote_feed(feed, others, message.content, actor, defaults)
        return
    # A logo for the brand kit, and any font file, is the kit's (set_brand reads it), not an image for the videos.
    images = [] if read_brand(message.content) else [el for el in files if not is_font(el.name)]
    try:
        attached = [await studio.files.add_reference(actor, path=Path(el.path or ""), name=el.name) for el in images]
    except ClapboardError as exc:
        await cl.Message(content=f"{exc}\n\nNothing was generated; fix the attachment and ask again.").send()
        return
    context = TurnContext(
        studio=studio,
        actor=actor,
        origin=f"chat:{cl.context.session.thread_id}",
        message_id=message.id,
        # As requests take them, whatever the session holds (the panel's raw strings while it is being sent).
        defaults=request_defaults(fit(cl.user_session.get("chat_settings"))[0]),
        focus=cl.user_session.get(FOCUS),
        uploads=[(el.name, Path(el.path or "")) for el in files],
    )
    cl.user_session.set(FOCUS, None)  # a button points at a video for the next message only
    text = message.content
    if files:  # the model is told what came; images for videos replace the conversation's earlier ones
        text += f"\n\n[attached files: {', '.join(el.name for el in files)}]"
    state = {"messages": [HumanMessage(text)], **({"attachments": [r.key for r in attached]} if attached else {})}
    await _run_agent(context, state, offline=message.content.lstrip().startswith("/"))


def not_arrived(message: cl.Message) -> str | None:
    """What to say when a photo meant for this message did not arrive: its upload failed, or its file is gone
    (a brief made without it would silently leave the photo out)."""
    gone = [el.name for el in message.elements or [] if not el.path or not Path(el.path).is_file()]
    if gone:
        names = ", ".join(f"*{name}*" for name in gone)
        return f"Your photo {names} did not arrive, so nothing was made: attach it again and send your message."
    if upload_failed(cl.context.session.id):
        return (
            "Your photo did not arrive (its upload failed), so nothing was made: attach it again and send your message."
        )
    return None


def request_defaults(settings: dict[str, Any]) -> dict[str, Any]:
    """The chat settings as defaults of a video request (what the message asks for wins). The sound's are set
    only when they differ from a request's own defaults: a voice chosen, captions or music switched off."""
    chosen = {k: settings.get(k) for k in ("model", "aspect", "duration_s", "audio", "campaign", "auto_fallback")}
    sound = {
        "voice": None if settings.get("voice", NO_VOICE) == NO_VOICE else settings["voice"],
        "captions": None if settings.get("captions", True) else False,
        "music": None if settings.get("music", True) else False,
    }
    return {**chosen, **sound, "refine": None if settings.get("refine", True) else False}


_STEPS = {  # Chainlit shows "Used <name>" once a step is done
    "list_video_models": "the model list",
    "generate_video": "the video maker",
    "revise_video": "the video editor",
    "make_variations": "variations",
    "make_formats": "every format",
    "export_video": "the export",
    "share_for_review": "the review link",
    "review_notes": "the review notes",
    "list_creatives": "the library",
    "set_brand": "the brand kit",
    "show_brand": "the brand kit",
}


async def _run_agent(context: TurnContext, state: dict[str, Any], offline: bool = False) -> None:
    """Run the agent for one message (slash commands are planned offline whatever the chat model), following
    the jobs its tools start and showing what they open as each tool answers; the price questions come after
    the answer that explains them."""
    config = {"configurable": {"thread_id": cl.context.session.thread_id}}
    answer: cl.Message | None = None
    outcomes: list[Outcome] = []
    graph = services().agent(offline)
    # This message's images replace the conversation's references, unless set_brand takes one as the kit's logo.
    kept = (await graph.aget_state(config)).values.get("attachments", []) if "attachments" in state else None
    logo_taken = False
    try:
        async for mode, data in graph.astream(
            state, config=config, context=context, stream_mode=["messages", "updates"]
        ):
            if mode == "messages":
                chunk, meta = data
                if (
                    isinstance(chunk, AIMessageChunk | AIMessage)
                    and meta.get("langgraph_node") == "model"
                    and chunk.text
                ):
                    answer = answer or cl.Message(content="")
                    await answer.stream_token(chunk.text)
                continue
            for update in data.values():
                for msg in (update or {}).get("messages", []) if isinstance(update, dict) else []:
                    if isinstance(msg, AIMessage):
                        logo_taken |= any(c["name"] == "set_brand" and c["args"].get("logo") for c in msg.tool_calls)
                    if isinstance(msg, ToolMessage):
                        if isinstance(msg.artifact, Outcome):  # followed at once: a draft can be ready in a second
                            outcomes.append(msg.artifact)
                            follow(msg.artifact.submitted, context.actor)
                            if msg.artifact.export is not None:
                                follow_export(msg.artifact.export, context.actor)
                            if msg.artifact.library is not None:
                                await show_library(msg.artifact.library, msg.artifact.campaign)
                        failed = msg.status == "error" or not isinstance(msg.artifact, Outcome)
                        name = "a step that could not run" if failed else _STEPS.get(msg.name or "", "a tool")
                        async with cl.Step(name=name, type="tool", show_input=False) as step:
                            step.output = (
                                "The assistant's request did not fit the tool; it was told what to fix."
                                if msg.status == "error"
                                else str(msg.content).split("\n", 1)[0][:200]
                            )
    except Exception:
        log.exception("the agent failed")
        await cl.Message(
            content="The assistant could not answer just now. Try again, or use `/generate <brief>`, "
            "which always works."
        ).send()
        await ask_prices([s for outcome in outcomes for s in outcome.submitted])  # started before it failed
        return
    if logo_taken and kept is not None:  # the kit's logo is no image for the videos
        await graph.aupdate_state(config, {"attachments": kept})
    started = [s for outcome in outcomes for s in outcome.submitted]
    if answer is not None:
        await answer.send()
    elif started:  # the model went quiet after starting jobs: say what started
        await cl.Message(content="\n\n".join(describe_submission(s) for s in started)).send()
    elif not any(o.shows_something() for o in outcomes):
        # No words and nothing shown: a model that failed to call a tool properly, or was stopped repeating itself.
        await cl.Message(
            content="I could not finish that request. Say it another way, or use `/generate <brief>`."
        ).send()
    for outcome in outcomes:  # the kit, under the words that say what changed
        if outcome.brand is not None:
            await show_brand(outcome.brand)
        if outcome.brand_offer is not None:
            await offer(outcome.brand_offer)
        if outcome.generate is not None:
            await offer_generate(outcome.generate.job_id, outcome.generate.paid, outcome.generate.aspect)
        if outcome.export_choice is not None:
            await ask_placements(*outcome.export_choice)
        if outcome.review_link is not None:
            await show_link(*outcome.review_link)
        if outcome.review_notes:
            await show_notes(outcome.review_notes)
    await ask_prices(started)


@cl.action_callback("confirm_job")
async def confirm_job(action: cl.Action) -> None:
    studio = services().studio
    actor = await session_actor()
    if actor is None:
        return
    job_id = str(action.payload.get("job_id", ""))
    notifier = services().notifier
    async with notifier.turn(cl.context.session.id):  # "Started" before its progress and its video
        try:
            # A second button of the same question (a stale one, or one asked again) starts nothing: say nothing.
            asked = (await studio.jobs.job(actor, job_id)).status == JobStatus.awaiting_confirmation
            job = await studio.jobs.confirm(actor, job_id)
        except ClapboardError as exc:
            await cl.Message(content=str(exc)).send()
            return
        notifier.watch(job_id, cl.context.session.id, actor)
        await remove_confirm_actions(job_id)
        if not asked:
            return
        if job.status in ACTIVE:
            name = studio.models.name_of(job.model)
            await cl.Message(content=f"Started *{job.title}* on {name}; the video appears here when ready.").send()
        else:
            await cl.Message(content=f"This video was not started: it is {job.status.replace('_', ' ')}.").send()


@cl.action_callback("cancel_job")  # a price question's Cancel
@cl.action_callback(STOP_ACTION)  # a render's Stop
async def stop_render(action: cl.Action) -> None:
    actor = await session_actor()
    if actor is not None:
        await stop_job(actor, str(action.payload.get("job_id", "")))


@cl.action_callback(batches.CONFIRM)  # a batch quote's Make all
async def confirm_batch(action: cl.Action) -> None:
    actor = await session_actor()
    if actor is not None:
        await batches.confirm(actor, str(action.payload.get("batch_id", "")))


@cl.action_callback(batches.CANCEL)  # a batch quote's Cancel
async def cancel_batch(action: cl.Action) -> None:
    actor = await session_actor()
    if actor is not None:
        await batches.cancel(actor, str(action.payload.get("batch_id", "")))


@cl.action_callback(batches.STOP)  # Stop under a batch's line
async def stop_batch(action: cl.Action) -> None:
    actor = await session_actor()
    if actor is not None:
        await batches.stop(actor, str(action.payload.get("batch_id", "")))


@cl.action_callback(batches.OPEN_SET)  # under an ended batch's line
async def open_batch_set(action: cl.Action) -> None:
    actor = await session_actor()
    if actor is not None:
        await batches.open_set(actor, str(action.payload.get("campaign", "")))


@cl.on_settings_update
async def settings_update(settings: dict[str, Any]) -> None:
    """Keep the settings as requests take them; say what had to move to fit the chosen model."""
    moved = await send_settings()
    if moved:
        await cl.Message(content=" ".join(moved)).send()
