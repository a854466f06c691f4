"""Exports in the chat: the Export button under a ready video and on a library card asks which placements (every
default one, or one per button), and a choice starts the export; the words ("export it for TikTok and Reels") go
through the agent's `export_video` tool. An export is followed like a render (its progress with Stop, then its
report: chat/notify.py), and its report's fix button ("Trim to 60 s and export") exports those placements again,
trimmed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import chainlit as cl

from chat.export_report import all_label, started_text
from chat.export_words import ALL
from chat.notify import EXPORT_ACTION, EXPORT_FIX
from chat.runtime import services
from chat.signin import SIGNED_OUT, session_actor
from tools.studio.types import Actor, ClapboardError, ExportView

EXPORT_TO = "export_to"  # a placement choice: starts the export


def choice_actions(creative_id: str) -> list[cl.Action]:
    """Every default placement at once ("All seven"), then one button per placement."""
    exports = services().studio.exports

    def to(label: str, placements: str | list[str], icon: str | None = None) -> cl.Action:
        payload = {"creative_id": creative_id, "placements": placements}
        return cl.Action(name=EXPORT_TO, payload=payload, label=label, icon=icon)

    return [to(all_label(len(exports.defaults)), ALL, "package"), *(to(p.label, [p.key]) for p in exports.placements)]


async def ask_placements(creative_id: str, title: str) -> None:
    """Which placements to export the creative to: a message with a button for each choice."""
    await cl.Message(
        content=f"Export *{title}* for which placements? Each file is made for its placement, signed with content "
        "credentials and checked against its specs; a file that fails a check is not delivered.",
        actions=choice_actions(creative_id),
    ).send()


def follow_export(view: ExportView, actor: Actor) -> None:
    """Follow an export a turn or a button started: its progress with Stop, then its report."""
    services().notifier.watch_export(view, cl.context.session.id, actor)


async def start_export(creative_id: str, placements: str | Sequence[str], trim: bool = False) -> None:
    """Export the creative as the session's actor, say so, and follow it; or say why it could not start."""
    actor = await session_actor()
    if actor is None:
        return
    studio, notifier = services().studio, services().notifier
    asked = placements if isinstance(placements, str) else list(placements)
    origin = f"chat:{cl.context.session.thread_id}"
    async with notifier.turn(cl.context.session.id):  # "Exporting ..." before its progress and its report
        try:
            view = await studio.exports.export(actor, creative_id, asked, trim=trim, origin=origin)
        except ClapboardError as exc:
            await cl.Message(content=f"Could not export it: {exc}").send()
            return
        follow_export(view, actor)
        await cl.Message(content=started_text(view, studio.exports.placements)).send()


async def _ask(creative_id: str) -> str | None:
    """Ask which placements for a creative of the actor's team; what went wrong otherwise."""
    actor = await session_actor()
    if actor is None:
        return SIGNED_OUT
    try:
        creative = await services().studio.library.creative(actor, creative_id)
    except ClapboardError as exc:
        return str(exc)
    await ask_placements(creative.id, creative.title)
    return None


@cl.action_callback(EXPORT_ACTION)
async def export_button(action: cl.Action) -> None:
    """Export under a ready video."""
    if (problem := await _ask(str(action.payload.get("creative_id", "")))) is not None:
        await cl.Message(content=problem).send()


@cl.action_callback("library_export")
async def library_export(action: cl.Action) -> dict[str, Any]:
    """Export on a library card: the question comes in the chat; the card is told only what went wrong."""
    problem = await _ask(str(action.payload.get("id", "")))
    return {"error": problem} if problem else {}


@cl.action_callback(EXPORT_TO)
async def export_to(action: cl.Action) -> None:
    """A placement choice: the export starts (the choice stays, to export for another placement too)."""
    placements = action.payload.get("placements") or ALL
    await start_export(str(action.payload.get("creative_id", "")), placements)


@cl.action_callback(EXPORT_FIX)
async def export_fix(action: cl.Action) -> None:
    """A report's fix: the placements whose files failed the length check, exported again trimmed."""
    await action.remove()
    placements = [str(p) for p in action.payload.get("placements") or []]
    await start_export(str(action.payload.get("creative_id", "")), placements, trim=True)
