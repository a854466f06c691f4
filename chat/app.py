"""Chainlit hooks only: sign-in (chat/signin.py), chat start and resume (the history: chat/history.py), message,
settings and actions. The work happens in tools/; every call carries the signed-in actor."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import chainlit as cl
from chainlit.types import ThreadDict
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage, ToolMessage

import chat.api  # noqa: F401  (mounts the REST API and the file route)
import chat.history  # noqa: F401  (registers the data layer)
from campaign.errors import ClapboardError
from campaign.models import ACTIVE
from campaign.people import Actor
from chat.agent import Turn, build_agent
from chat.controls import handled_here, stop_job
from chat.library import show_library
from chat.notify import STOP_ACTION, confirm_actions, remove_confirm_actions
from chat.panel import send_settings, starter_buttons
from chat.runtime import get_memory, get_notifier, get_studio, stop
from chat.signin import session_actor
from tools.jobs import Submitted

log = logging.getLogger(__name__)


@cl.on_app_startup
async def startup() -> None:
    """Apply migrations and pick up jobs left over from a restart before the first visitor arrives."""
    await get_studio()


@cl.on_app_shutdown
async def shutdown() -> None:
    await stop()


@cl.set_starters
async def starters(user: Any = None, language: Any = None) -> list[cl.Starter]:
    return starter_buttons()


async def _send_settings() -> None:
    await send_settings()


@cl.on_chat_start
async def start() -> None:
    actor = await session_actor()
    if actor is None:
        return
    await _send_settings()
    await get_notifier().catch_up(cl.context.session.id, actor)


@cl.on_chat_resume
async def resume(thread: ThreadDict) -> None:
    """Reopen a conversation (Chainlit shows its messages, videos and attachments; the agent's memory is keyed by
    its id) and, once the page shows the history (Chainlit sends it after this hook, and what is sent before is
    lost, #2611), its jobs still running or waiting for a price answer."""
    actor = await session_actor()
    if actor is None:
        return
    await _send_settings()
    emitter, session_id = cl.context.emitter, cl.context.session.id
    show_history = emitter.resume_thread

    async def then_catch_up(thread_dict: ThreadDict) -> None:
        await show_history(thread_dict)
        await get_notifier().catch_up(session_id, actor, origin=f"chat:{thread['id']}")

    emitter.resume_thread = then_catch_up  # type: ignore[method-assign]


@cl.on_message
async def on_message(message: cl.Message) -> None:
    studio = await get_studio()
    actor = await session_actor()
    if actor is None:
        return
    if await handled_here(message, actor):
        return
    try:
        attachments = [
            (await studio.add_reference(actor, path=Path(el.path or ""), name=el.name)).key
            for el in message.elements or []
        ]
    except ClapboardError as exc:
        await cl.Message(content=f"{exc}\n\nNothing was generated; fix the attachment and ask again.").send()
        return
    settings = cl.user_session.get("chat_settings") or {}
    session_id = cl.context.session.id
    turn = Turn(
        actor=actor,
        origin=f"chat:{cl.context.session.thread_id}",
        message_id=message.id,
        attachments=attachments,
        defaults={"model": settings.get("model"), "refine": None if settings.get("refine", True) else False},
        on_submitted=lambda s: _submitted(s, session_id, actor),
        on_library=show_library,
    )
    await _run_agent(studio, turn, message.content, offline=message.content.lstrip().startswith("/"))


async def _submitted(s: Submitted, session_id: str, actor: Actor) -> None:
    get_notifier().watch(s.job_id, session_id, actor)


async def _run_agent(studio: Any, turn: Turn, text: str, offline: bool = False) -> None:
    """Run the agent for one message; slash commands are planned offline whatever the chat model."""
    agent = build_agent(studio, turn, checkpointer=get_memory(), offline=offline)
    config = {"configurable": {"thread_id": cl.context.session.thread_id}}
    answer: cl.Message | None = None
    calls: dict[str, dict[str, Any]] = {}
    try:
        async for mode, data in agent.astream(
            {"messages": [HumanMessage(text)]}, config=config, stream_mode=["messages", "updates"]
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
            for node, update in data.items():
                for msg in (update or {}).get("messages", []):
                    if node == "model" and isinstance(msg, AIMessage):
                        calls.update({c["id"]: c["args"] for c in msg.tool_calls})
                    elif isinstance(msg, ToolMessage):
                        async with cl.Step(name=msg.name or "tool", type="tool") as step:
                            step.input = calls.get(msg.tool_call_id, {})
                            step.output = str(msg.content)
    except Exception:
        log.exception("the agent failed")
        await cl.Message(
            content="The assistant could not answer just now. Try again, or use `/generate <brief>`, "
            "which works without the language model."
        ).send()
        return
    if answer is not None:
        await answer.send()
    for s in turn.submitted:
        if s.needs_confirmation:
            await cl.Message(
                content=f"Start **{s.model_name}** for about ${s.estimated_cost_usd:.2f}?",
                actions=confirm_actions(s.job_id, s.estimated_cost_usd),
            ).send()


@cl.action_callback("confirm_job")
async def confirm_job(action: cl.Action) -> None:
    studio = await get_studio()
    actor = await session_actor()
    if actor is None:
        return
    job_id = str(action.payload.get("job_id", ""))
    try:
        job = await studio.confirm(actor, job_id)
    except ClapboardError as exc:
        await cl.Message(content=str(exc)).send()
        return
    get_notifier().watch(job_id, cl.context.session.id, actor)
    await remove_confirm_actions(job_id)
    if job.status in ACTIVE:
        await cl.Message(content=f"Started on {job.model}; the video appears here when ready.").send()
    else:
        await cl.Message(content=f"This video was not started: it is {job.status.replace('_', ' ')}.").send()


@cl.action_callback("cancel_job")
async def cancel_job(action: cl.Action) -> None:
    actor = await session_actor()
    if actor is not None:
        await stop_job(actor, str(action.payload.get("job_id", "")))


@cl.action_callback(STOP_ACTION)
async def stop_render(action: cl.Action) -> None:
    actor = await session_actor()
    if actor is not None:
        await stop_job(actor, str(action.payload.get("job_id", "")))


@cl.on_settings_update
async def settings_update(settings: dict[str, Any]) -> None:
    """Keep the settings as requests take them; say what had to move to fit the chosen model."""
    moved = await send_settings()
    if moved:
        await cl.Message(content=" ".join(moved)).send()
