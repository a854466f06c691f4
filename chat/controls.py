"""Stop: the Stop button under a job's progress, the Cancel button of a price question, and "stop", "cancel" or
`/cancel` typed into the chat. Typed, it stops the conversation's latest job still rendering (or, when none is,
its open price question) and never starts a video. Either way the user is told what was spent."""

from __future__ import annotations

import asyncio
import contextlib

import chainlit as cl

from chat.agent import usd
from chat.notify import remove_confirm_actions
from chat.panel import expand_starter
from chat.planner import is_stop
from chat.runtime import services
from tools.studio.types import ACTIVE, Actor, ClapboardError, JobEvent, JobStatus, JobView

STOP_WORD_S = 10.0  # how long a stop waits for the job's runner to say what the stopped prediction cost


async def handled_here(message: cl.Message, actor: Actor) -> bool:
    """What `on_message` asks first: True when the message was a control answered here (a stop, or a starter
    that asks for its attachment), so nothing else runs for it. A starter going ahead is rewritten in place
    into the request it stands for, and False lets the agent make it."""
    if is_stop(message.content):
        await stop_latest(actor)
        return True
    return await expand_starter(message)


async def stop_latest(actor: Actor) -> None:
    """Stop this conversation's latest job still rendering, else the latest export this tab follows, else its
    latest open price question."""
    studio, notifier = services().studio, services().notifier
    jobs = await studio.jobs.conversation(actor, f"chat:{cl.context.session.thread_id}")
    exporting = [j for j in notifier.exporting if cl.context.session.id in notifier.watchers.get(j, {})]
    rendering = next((j.id for j in jobs if j.status in ACTIVE), None)
    asking = next((j.id for j in jobs if j.status == JobStatus.awaiting_confirmation), None)
    target = rendering or (exporting[-1] if exporting else None) or asking
    if target is None:
        await cl.Message(content="Nothing is being made in this conversation right now, so nothing to stop.").send()
        return
    await stop_job(actor, target)


async def stop_job(actor: Actor, job_id: str) -> None:
    """Stop one job (only its asker or an admin may) and say what was spent: for a paid job that may have
    started, what its runner (on any process) says once the provider's prediction was stopped."""
    studio = services().studio
    word: asyncio.Future[str] = asyncio.get_running_loop().create_future()

    async def heard(event: JobEvent) -> None:
        if event.job_id == job_id and event.kind == "canceled" and not word.done():
            word.set_result(event.message)

    unsubscribe = studio.subscribe(heard)  # before the cancel: the runner may answer at once
    try:
        try:
            before = await studio.jobs.job(actor, job_id)
            exporting = job_id in services().notifier.exporting  # known before its canceled event forgets it
            after = await studio.jobs.cancel(actor, job_id)
        except ClapboardError as exc:
            await cl.Message(content=str(exc)).send()
            return
        await remove_confirm_actions(job_id)
        if after.status != JobStatus.canceled:
            ended = f"*{after.title}* had already {_ended(after)}, so there was nothing to stop."
            await cl.Message(content=ended).send()
            return
        if exporting:
            done = round(before.progress * 100)
            await cl.Message(content=f"Stopped exporting *{before.title}* at {done}%: nothing was delivered, and "
                             "exports are free.").send()  # fmt: skip
            return
        said = None
        if before.status in ACTIVE and before.estimated_cost_usd > 0:
            with contextlib.suppress(TimeoutError):
                said = await asyncio.wait_for(asyncio.shield(word), STOP_WORD_S)
        await cl.Message(content=await stopped_text(before, said)).send()
    finally:
        unsubscribe()


def canceled_text(job: JobView) -> str:
    """A job canceled at its price question: nothing was started, unless a failed model's offer came after its
    premium voice-over was made (and paid)."""
    if job.voice_prediction_id and job.voice_cost_usd:
        return (
            f"Canceled *{job.title}*: no video was started; its voice-over by {job.voice_name} was made already "
            f"({usd(job.voice_cost_usd)}), and that is all it cost."
        )
    return f"Canceled *{job.title}*: nothing was started or charged."


def _ended(job: JobView) -> str:
    return {JobStatus.succeeded: "finished", JobStatus.failed: "failed"}.get(JobStatus(job.status), "stopped")


async def stopped_text(before: JobView, said: str | None = None) -> str:
    """What stopping the job cost: what its runner said (`said`: "Spent: ..." once the provider's prediction was
    stopped, anything else when it never started), else what is known from where it was when stopped."""
    studio = services().studio
    model = next((m for m in studio.models.list() if m.id == before.model), None)
    name = model.name if model else before.model
    where = f"Stopped *{before.title}* at {round(before.progress * 100)}% on {name}."
    if said is not None and said.startswith("Spent:"):
        return f"{where} {said}"
    if before.status == JobStatus.awaiting_confirmation:
        return canceled_text(before)
    free = model is None or model.price == "free"
    if said is not None or (free and before.status == JobStatus.queued):
        return f"Stopped *{before.title}* before it started: nothing was spent."
    if free:
        return f"{where} Spent: nothing (drafts are free)."
    return (
        f"{where} Its request to {name} is being canceled; {name} bills only a finished video (this one would "
        f"have cost about ${before.estimated_cost_usd:.2f})."
    )
