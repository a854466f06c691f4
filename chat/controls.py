"""Stop: the Stop button under a job's progress, the Cancel button of a price question, and "stop", "cancel" or
`/cancel` typed into the chat. Typed, it stops the conversation's latest job still rendering (or, when none is,
its open price question) and never starts a video. Either way the user is told what was spent."""

from __future__ import annotations

import chainlit as cl

from campaign.errors import ClapboardError
from campaign.models import ACTIVE, JobStatus
from campaign.people import Actor
from chat.notify import remove_confirm_actions
from chat.panel import expand_starter
from chat.planner import is_stop
from chat.runtime import get_studio
from tools.views import JobView


async def handled_here(message: cl.Message, actor: Actor) -> bool:
    """What `on_message` asks first: True when the message was a control answered here (a stop, or a starter
    that asks for its attachment), so nothing else runs for it. A starter going ahead is rewritten in place
    into the request it stands for, and False lets the agent make it."""
    if is_stop(message.content):
        await stop_latest(actor)
        return True
    return await expand_starter(message)


async def stop_latest(actor: Actor) -> None:
    """Stop this conversation's latest job still rendering, else its latest open price question."""
    studio = await get_studio()
    jobs = await studio.conversation(actor, f"chat:{cl.context.session.thread_id}")
    target = next((j for j in jobs if j.status in ACTIVE), None) or next(
        (j for j in jobs if j.status == JobStatus.awaiting_confirmation), None
    )
    if target is None:
        await cl.Message(content="Nothing is being made in this conversation right now, so nothing to stop.").send()
        return
    await stop_job(actor, target.id)


async def stop_job(actor: Actor, job_id: str) -> None:
    """Stop one job (only its asker or an admin may) and say what was spent."""
    studio = await get_studio()
    try:
        before = await studio.job(actor, job_id)
        after = await studio.cancel(actor, job_id)
    except ClapboardError as exc:
        await cl.Message(content=str(exc)).send()
        return
    await remove_confirm_actions(job_id)
    if after.status != JobStatus.canceled:
        await cl.Message(content=f"*{after.title}* had already {_ended(after)}, so there was nothing to stop.").send()
        return
    await cl.Message(content=await stopped_text(before)).send()


def _ended(job: JobView) -> str:
    return {JobStatus.succeeded: "finished", JobStatus.failed: "failed"}.get(JobStatus(job.status), "stopped")


async def stopped_text(before: JobView) -> str:
    """What stopping the job cost, from where it was when stopped."""
    studio = await get_studio()
    model = next((m for m in studio.models() if m.id == before.model), None)
    name = model.name if model else before.model
    if before.status == JobStatus.awaiting_confirmation:
        return f"Canceled *{before.title}*: nothing was started or charged."
    if before.status == JobStatus.queued:
        return f"Stopped *{before.title}* before it started: nothing was spent."
    where = f"Stopped *{before.title}* at {round(before.progress * 100)}% on {name}."
    if model is None or model.price == "free":
        return f"{where} Spent: nothing (drafts are free)."
    return (
        f"{where} Spent: nothing; {name} is billed only for a finished video (this one would have cost about "
        f"${before.estimated_cost_usd:.2f})."
    )
