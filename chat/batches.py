"""A product feed in the chat: the marketer attaches a CSV, TSV, XLSX or Merchant XML feed ("make a 10 s product
video for each of these", or nothing at all), gets one quote (a table of the rows that will be made, what each says
and shows, its model and price; the rows that cannot be made, with why; the total) and one pair of buttons: Make all
/ Cancel. Confirmed, the batch is ONE message that updates in place ("Making 9 videos: 3 of 9 ready, 1 failed")
with a Stop button; its videos are never announced one by one (chat/notify.py leaves a batch's jobs to this module),
since forty would bury the conversation. Once it ends, the line says how and opens the campaign's library, where the
set is.

The quote is a markdown table, not a custom element: it stays in the conversation's history as it was shown
(custom elements can vanish when a conversation is reopened), and a reopened conversation updates the line it
already shows instead of adding another. A batch that ended while no tab watched is reported once on return
(`catch_up`), as one line, its videos' outcomes with it.

Each tab that shows a batch's line follows it with a task of its own, woken by the batch's job events and
refreshing from `studio.batches.progress` (its jobs' counts, one query), so a burst of forty events is one update, not
forty; the whole batch (`get`: every row, every video's outcome) is read once, for the end report."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import chainlit as cl
from langchain_core.messages import AIMessage, HumanMessage

from chat.agent import usd
from chat.batch_words import read_batch
from chat.library import show_library
from chat.notify import live_session
from chat.panel import ASPECT_WORDS
from chat.planner import PRICED
from chat.runtime import services
from tools.studio.types import (
    ACTIVE,
    Actor,
    BatchProgress,
    BatchRowView,
    BatchView,
    ClapboardError,
    JobEvent,
    JobStatus,
)

log = logging.getLogger(__name__)

FEED_SUFFIXES = (".csv", ".tsv", ".xlsx", ".xml", ".rss")  # what .chainlit/config.toml lets the paperclip attach
CONFIRM = "confirm_batch"
CANCEL = "cancel_batch"
STOP = "stop_batch"
OPEN_SET = "open_batch_library"
SHOWN_ROWS = 50  # rows listed in a quote; the rest are counted (a batch takes 500)
SHOWN_PROBLEMS = 50
SHOWN_FAILURES = 10
MAX_NOTES = 3  # distinct notices of its videos a quote shows (a model standing in for another, say)
CELL_CHARS = 60
RECHECK_S = 2.0  # a line re-reads its batch this often without events (an event from another machine missed)
GAP_S = 0.5  # at most two updates a second, however fast the videos finish
CATCH_UP_WINDOW = timedelta(hours=24)
OPEN = {*ACTIVE, JobStatus.awaiting_confirmation}  # a job of the conversation that a typed stop is for

_following: dict[tuple[str, str], asyncio.Task[None]] = {}  # (batch id, chat session id) -> the task following it
_lines: dict[tuple[str, str], str] = {}  # (batch id, conversation id) -> its line's message id, till its end is shown
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()<>#+!|~])")
_URL_KEPT = ":/?#@!$&'*+,;=%~-._"  # what a linked address keeps as it is; the rest (| [ ] ( ) < > ` \ space) encoded


def feed_of(elements: Sequence[Any]) -> Any | None:
    """The first attachment that is a product feed, by its name (its bytes are read by the feed reader)."""
    return next((el for el in elements if str(el.name).lower().endswith(FEED_SUFFIXES)), None)


async def quote_feed(feed: Any, others: Sequence[str], text: str, actor: Actor, defaults: dict[str, Any]) -> None:
    """Quote the attached feed with the options the words (else the chat settings) give, and show the quote with
    its buttons. `others` names the message's other attachments, which a batch does not use. Checking a long feed
    takes a while (each row's images are fetched): a message says so at once, and becomes the quote."""
    studio = services().studio
    shown = cl.Message(content=f"Checking the rows of *{_escaped(feed.name)}*: what each will say and show, and its "
                               "price…")  # fmt: skip
    await shown.send()
    try:
        options = read_batch(text, studio.models.names(), defaults, lambda m: studio.models.get(m).aspects)
        origin = f"chat:{cl.context.session.thread_id}"
        view = await studio.batches.quote_upload(actor, Path(feed.path or ""), feed.name, options, origin=origin)
    except ClapboardError as exc:  # its words may repeat the feed's own (its column names, the file's name)
        shown.content = f"{_escaped(str(exc))}\n\nNothing was quoted or made: change that and attach the file again."
        await shown.update()
        return
    except OSError:
        shown.content = f"Your file *{_escaped(feed.name)}* did not arrive, so nothing was quoted: attach it again."
        await shown.update()
        return
    models = {m.id: m.name for m in studio.models.list()}
    lead = ""
    if not text.strip():
        lead = (
            "You attached the file without a brief, so every video is made with the defaults below. To change them, "
            "attach it again with your words, e.g. *a 6 s vertical product video of each on Veo 3.1*.\n\n"
        )
    if others:
        lead += (
            f"Each row brings its own images, so {_listed(others)} attached with the file {_was(others)} not used.\n\n"
        )
    if not view.videos:
        await _delivered(actor, view.id)  # nothing to confirm: no catch-up asks it again
    quote = quote_text(view, models)
    shown.content, shown.actions = lead + quote, quote_actions(view)
    await shown.update()
    how = f"\n\n{PRICED}: Make all under the quote starts them, or Cancel withdraws it." if view.videos else ""
    await _remember(f"{text}\n\n[attached files: {feed.name}]".strip(), quote + how)


async def _remember(asked: str, said: str) -> None:
    """The quote in the agent's memory of the conversation, which never saw the file: the next message ("yes",
    "why was row 8 left out?") is read with it, by the chat model or the offline planner (they share the memory)."""
    config = {"configurable": {"thread_id": cl.context.session.thread_id}}
    try:
        await services().agent(True).aupdate_state(config, {"messages": [HumanMessage(asked), AIMessage(said)]})
    except Exception:  # the quote is shown: a conversation the agent cannot read back only lacks that context
        log.exception("could not keep the batch quote in the agent's memory")


def quote_text(view: BatchView, models: dict[str, str]) -> str:
    """The quote: what the batch makes and for how much, a table of its rows, and the rows left out with why."""
    good = [r for r in view.rows if not r.problem]
    bad = [r for r in view.rows if r.problem]
    parts = [_head(view, models)]
    if good:
        several = len(view.options.aspects) > 1
        head = ["Row", "Product", "On screen", "Image", *(["Formats"] if several else []), "Model", "Price"]
        align = ["--:", ":--", ":--", ":--", *([":--"] if several else []), ":--", "--:"]
        lines = [_table_row(head), _table_row(align)]
        lines += [_table_row(_cells(r, models, several)) for r in good[:SHOWN_ROWS]]
        if len(good) > SHOWN_ROWS:
            lines.append(f"\n…and {len(good) - SHOWN_ROWS} more rows, priced in the total.")
        parts.append("\n".join(lines))
    if bad:
        listed = [f"- Row {r.number}{_named(r)}: {_escaped(r.problem or '')}" for r in bad[:SHOWN_PROBLEMS]]
        if len(bad) > SHOWN_PROBLEMS:
            listed.append(f"- …and {len(bad) - SHOWN_PROBLEMS} more.")
        cannot = (
            f"**{_count(len(bad), 'row')} cannot be made**, so nothing is made of {'it' if len(bad) == 1 else 'them'}:"
        )
        parts.append(cannot + "\n" + "\n".join(listed))
    if not good:
        parts.append("None of the rows can be made: mend them as said and attach the file again.")
    return "\n\n".join(parts)


def quote_actions(view: BatchView) -> list[cl.Action]:
    """Make all / Cancel under a quote (none when no row can be made)."""
    return _quote_buttons(view.id, f"Make all {view.videos} ({_price(view.estimated_cost_usd)})") if view.videos else []


def _quote_buttons(batch_id: str, label: str) -> list[cl.Action]:
    """A quote's buttons, their ids from the batch, so that one click removes both."""
    return [
        cl.Action(id=f"confirm-{batch_id}", name=CONFIRM, payload={"batch_id": batch_id}, label=label, icon="play"),
        cl.Action(id=f"cancel-{batch_id}", name=CANCEL, payload={"batch_id": batch_id}, label="Cancel", icon="x"),
    ]


async def confirm(actor: Actor, batch_id: str) -> None:
    """Make all: start every video of the batch (refused, with nothing started, when it would pass a budget: the
    buttons stay, for after the budget is raised), then show its one line."""
    studio = services().studio
    try:
        before = await studio.batches.progress(actor, batch_id)
        view = await studio.batches.confirm(actor, batch_id)
    except ClapboardError as exc:
        await cl.Message(content=str(exc)).send()
        return
    await _remove_buttons(batch_id)
    if before.status == "canceled":
        await cl.Message(content="This batch was canceled, so nothing was started: attach the file again.").send()
    elif before.status == "quoted" or (batch_id, cl.context.session.id) not in _following:
        await _show_line(view, actor)


async def cancel(actor: Actor, batch_id: str) -> None:
    """Cancel under a quote: the batch is withdrawn, nothing was made or charged (one confirmed meanwhile, in
    another tab, is stopped)."""
    studio = services().studio
    try:
        before = await studio.batches.get(actor, batch_id)
        if before.status != "quoted":
            await _remove_buttons(batch_id)
            if before.confirmed_by is not None:  # withdrawn already, a second click says nothing
                await stop(actor, batch_id)
            return
        view = await studio.batches.cancel(actor, batch_id)
    except ClapboardError as exc:
        await cl.Message(content=str(exc)).send()
        return
    await _remove_buttons(batch_id)
    await _delivered(actor, batch_id)
    await cl.Message(content=f"Canceled the batch from *{_escaped(view.source)}*: nothing was made or charged.").send()


async def stop(actor: Actor, batch_id: str) -> None:
    """Stop under a batch's line (or "stop" typed): its videos not finished are canceled; those ready stay in the
    library. The line says so once the batch has ended."""
    studio = services().studio
    try:
        before = await studio.batches.get(actor, batch_id)
        if before.status != "running":  # nothing left to stop (and an ended batch stays "made", not "stopped")
            ended = f"The batch from *{_escaped(before.source)}* had already ended: {before.progress}."
            await cl.Message(content=ended).send()
            return
        view = await studio.batches.cancel(actor, batch_id)
    except ClapboardError as exc:
        await cl.Message(content=str(exc)).send()
        return
    kept = (
        f"; the {_count(view.ready, 'video')} ready {'is' if view.ready == 1 else 'are'} in the library"
        if view.ready
        else ""
    )
    await cl.Message(content=f"Stopped the batch from *{_escaped(view.source)}*: {view.progress}{kept}.").send()


async def stop_typed(actor: Actor) -> bool:
    """ "stop" or "cancel" typed: stops the conversation's latest batch being made (never one of its videos alone),
    else withdraws its latest quote when no video of its own is rendering or waiting for a price answer (that is
    chat/controls.py's to stop); False when it did neither."""
    studio = services().studio
    origin = f"chat:{cl.context.session.thread_id}"
    mine = await studio.batches.undelivered(actor, origin)
    if running := [b for b in mine if b.status == "running"]:
        await stop(actor, running[-1].id)
        return True
    quoted = [b for b in mine if b.status == "quoted" and b.videos]
    if not quoted or any(j.status in OPEN for j in await studio.jobs.conversation(actor, origin)):
        return False
    await cancel(actor, quoted[-1].id)
    return True


async def catch_up(actor: Actor, origin: str) -> None:
    """On chat start (every conversation: `chat:`) or resume (that one): batches still being made get their line
    again, followed; batches that ended while nobody watched are reported once, as their line; a quote still
    waiting is asked again in its own conversation. A reopened conversation's line is updated in place."""
    studio = services().studio
    since = datetime.now(UTC) - CATCH_UP_WINDOW
    resumed = origin != "chat:"
    for view in await studio.batches.undelivered(actor, origin):
        if datetime.fromisoformat(view.created_at) < since:
            if view.status != "running":  # too old to report: kept out of the next catch-ups' window
                await _delivered(actor, view.id)
            continue
        if view.status == "quoted":
            if resumed and view.videos:
                models = {m.id: m.name for m in studio.models.list()}
                text = f"Still waiting for your go-ahead:\n\n{quote_text(view, models)}"
                await cl.Message(content=text, actions=quote_actions(view)).send()
        elif view.status == "running":
            await _show_line(view, actor, resumed=True)
        elif view.confirmed_by is None:  # withdrawn at its quote: nothing to report
            await _delivered(actor, view.id)
        else:
            await _show_line(view, actor, resumed=True)


async def open_set(actor: Actor, campaign: str) -> None:
    """The button under an ended batch: the library of its campaign, where its videos are."""
    studio = services().studio
    await show_library(await studio.library.library(actor, campaign or None), campaign or None)


def line_text(view: BatchView, resumed: bool = False) -> str:
    """The batch's one line: "**Making 9 videos** from *feed.csv*: 3 of 9 ready, 1 failed", and once it has ended,
    where its videos are and which failed, with why. `resumed`: found on a chat's return, not followed from its
    start ("Still making", "while you were away")."""
    source = _escaped(view.source)
    videos = _count(view.videos, "video")
    if view.status == "running":
        return _making(view.source, view, resumed)
    away = " while you were away" if resumed else ""
    where = f" They are in the library, campaign *{_escaped(view.campaign)}*." if view.ready else ""
    if view.status == "canceled":
        head = f"**Stopped** the batch from *{source}*{away}: {view.progress}.{where}"
    else:
        head = f"**Made {videos}** from *{source}*{away}: {view.progress}.{where}"
    failed = [(r, v) for r in view.rows for v in r.videos if v.status == "failed"]
    listed = [f"- Row {r.number}{_named(r)}: {_escaped(v.error or 'failed')}" for r, v in failed[:SHOWN_FAILURES]]
    return head + ("\n\nFailed:\n" + "\n".join(listed) if listed else "")


def _making(source: str, now: BatchView | BatchProgress, resumed: bool) -> str:
    """A running batch's line, from its counts alone."""
    making = f"{'Still making' if resumed else 'Making'} {_count(now.videos, 'video')}"
    return f"**{making}** from *{_escaped(source)}*: {now.progress}."


async def _show_line(view: BatchView, actor: Actor, resumed: bool = False) -> None:
    """The batch's line in this tab (the one a reopened conversation shows, updated in place), followed until the
    batch ends when it is running."""
    session = cl.context.session
    earlier = _lines.get((view.id, session.thread_id))
    stop_button = cl.Action(id=f"stop-{view.id}", name=STOP, payload={"batch_id": view.id}, label="Stop",
                            icon="square")  # fmt: skip
    running = view.status == "running"
    message = cl.Message(content=line_text(view, resumed), actions=[stop_button] if running else [], id=earlier)
    if not running:
        message.actions = [_library_button(view)]
    if earlier is None:
        await message.send()
        _lines[(view.id, session.thread_id)] = message.id
    else:
        await message.update()
    if not running:
        await _delivered(actor, view.id)
        return
    key = (view.id, session.id)
    if key not in _following or _following[key].done():
        task = asyncio.create_task(_follow(view, actor, message, stop_button, session.id, resumed))
        _following[key] = task
        task.add_done_callback(lambda t: _following.pop(key, None) if _following.get(key) is t else None)


async def _follow(
    shown: BatchView, actor: Actor, message: cl.Message, stop_button: cl.Action, session_id: str, resumed: bool
) -> None:
    """Keep the line up to date as the batch's videos move (their counts only), then say how it ended (the whole
    batch, read once); the end counts as shown (its videos' outcomes with it) only if this tab is still open, else
    the next chat start reports it."""
    studio = services().studio
    batch_id = shown.id
    changed = asyncio.Event()

    async def heard(event: JobEvent) -> None:
        if event.batch_id == batch_id and event.kind != "progress":
            changed.set()

    unsubscribe = studio.subscribe(heard)
    try:
        while True:
            changed.clear()
            now = await studio.batches.progress(actor, batch_id)
            if now.status != "running":
                break
            if (text := _making(shown.source, now, resumed)) != message.content:
                message.content = text
                await message.update()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), RECHECK_S)
            await asyncio.sleep(GAP_S)
        view = await studio.batches.get(actor, batch_id)
        message.content = line_text(view, resumed)
        message.actions = [_library_button(view)]
        await stop_button.remove()
        await message.update()
        if live_session(session_id) is not None:  # else its line is kept, for a reopened conversation to update
            await _delivered(actor, batch_id)
            if view.status == "done":  # one toast for the batch (a stopped one was stopped here)
                said = f"Batch from {view.source}: {view.progress}"
                await cl.context.emitter.send_toast(said, "warning" if view.failed else "success")
    except Exception:
        log.exception("following batch %s failed", batch_id)
    finally:
        unsubscribe()


async def _delivered(actor: Actor, batch_id: str) -> None:
    """The batch counts as shown: no catch-up brings it back, so no conversation's line of it is updated again."""
    await services().studio.batches.mark_delivered(actor, batch_id)
    for key in [k for k in _lines if k[0] == batch_id]:
        del _lines[key]


def _library_button(view: BatchView) -> cl.Action:
    return cl.Action(id=f"set-{view.id}", name=OPEN_SET, payload={"campaign": view.campaign},
                     label="Open in the library", icon="library")  # fmt: skip


async def _remove_buttons(batch_id: str) -> None:
    for action in _quote_buttons(batch_id, ""):
        await action.remove()


def _head(view: BatchView, models: dict[str, str]) -> str:
    """What the batch makes, with what, and for how much."""
    videos = [v for r in view.rows for v in r.videos]
    names = list(dict.fromkeys(models.get(v.model, v.model) for v in videos))
    formats = list(dict.fromkeys(v.aspect for v in videos))
    seconds = sorted({v.duration_s for v in videos})
    length = " to ".join(f"{s} s" for s in seconds[:: max(len(seconds) - 1, 1)]) or "the template's length"
    template = (view.options.template or "product showcase").replace("-", " ")
    shapes = ", ".join(ASPECT_WORDS.get(a, a).split(" (")[0] for a in formats)  # "9:16 vertical"
    what = " · ".join([*names, length, *([shapes] if shapes else []), template])
    rows = _count(len(view.rows) - view.rejected, "row")
    made = f"**{_count(view.videos, 'video')}** from {rows} of *{_escaped(view.source)}*"
    notes = list(dict.fromkeys(v.notice for v in videos if v.notice))[:MAX_NOTES]  # a model standing in, say
    noted = "".join(f"\n\n*{_escaped(n)}*" for n in notes)
    return (f"{made} for the campaign *{_escaped(view.campaign)}*: {what}.{noted}\n\n"
            f"Total: **{_price(view.estimated_cost_usd)}**")  # fmt: skip


def _cells(row: BatchRowView, models: dict[str, str], several: bool) -> list[str]:
    product = _escaped(_short(row.title)) + (f" ({_escaped(_short(row.id, 20))})" if row.id else "")
    says = " · ".join(_escaped(_short(s, 40)) for s in row.says) or "—"
    image = _image_link(row.images[0]) if row.images else "—"
    extra = f" +{len(row.images) - 1}" if len(row.images) > 1 else ""
    formats = [", ".join(v.aspect for v in row.videos)] if several else []
    names = ", ".join(dict.fromkeys(models.get(v.model, v.model) for v in row.videos))
    price = _price(sum(v.estimated_cost_usd for v in row.videos))
    return [str(row.number), product, says, image + extra, *formats, names, price]


def _image_link(url: str) -> str:
    """An image as its file's name (the last part of its address's path), linked to it when it is a web address."""
    name = re.split(r"[?#]", url, maxsplit=1)[0].rstrip("/").rsplit("/", 1)[-1] or url
    label = _escaped(_short(name, 32))
    if re.match(r"https?://", url, re.IGNORECASE):  # percent-encoded (spaces too): nothing in it is markdown
        return f"[{label}]({quote(url, safe=_URL_KEPT)})"
    return label


def _table_row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _escaped(text: str) -> str:
    """A feed's text as plain words in markdown: no links, images, emphasis or table breaks of its own."""
    return _MARKDOWN.sub(r"\\\1", " ".join(text.split()))


def _short(text: str, limit: int = CELL_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _named(row: BatchRowView) -> str:
    """How a row is named after its number: its title, else its product id."""
    if row.title:
        return f" (*{_escaped(_short(row.title, 40))}*)"
    return f" ({_escaped(_short(row.id, 20))})" if row.id else ""


def _price(amount: float) -> str:
    return usd(amount) if amount > 0 else "free"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _listed(names: Sequence[str]) -> str:
    return ", ".join(f"*{_escaped(n)}*" for n in names)


def _was(names: Sequence[str]) -> str:
    return "was" if len(names) == 1 else "were"
