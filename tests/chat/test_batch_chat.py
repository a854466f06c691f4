"""A product feed in the chat, unit by unit: the words of the message read into the batch's options as a single
request's are (the chat settings filling the rest), the quote as the marketer reads it (a table of what each row
will say and cost, the rows left out with why, a feed's own text never taken as markdown), and the batch's one line
as it moves and ends. The whole flow over the real server is tests/e2e/test_chat_batch.py."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import unquote

import pytest
from chainlit.emitter import BaseChainlitEmitter
from chainlit.session import HTTPSession

from chat import batches
from chat.batch_words import read_batch
from chat.batches import SHOWN_ROWS, catch_up, feed_of, line_text, quote_actions, quote_feed, quote_text
from tests.fakes.feeds import csv_bytes, products, serve_photos
from tests.fakes.http_server import ScriptedHTTPServer
from tools.studio.types import Actor, BatchOptions, BatchView, InvalidRequest

NAMES = ["draft", "veo-3.1", "veo", "sora-2-pro", "kling-v3-omni"]
ASPECTS = {"draft": ["16:9", "9:16", "1:1", "4:5"], "veo-3.1": ["16:9", "9:16"]}
MODELS = {"draft": "Clapboard Draft", "veo-3.1": "Veo 3.1"}
SETTINGS = {"model": "draft", "aspect": None, "duration_s": None, "campaign": None}


def read(text: str, **settings: Any) -> Any:
    return read_batch(text, NAMES, {**SETTINGS, **settings}, lambda m: ASPECTS[m or "draft"])


def test_the_words_say_the_length_the_format_the_model_and_the_campaign() -> None:
    asked = read("make a 10 s product video for each of these")
    assert (asked.duration_s, asked.aspects, asked.model) == (10, [], "draft")
    assert asked.prompt == "make a 10 s product video for each of these"
    assert read("square ones, 6 seconds").aspects == ["1:1"]
    assert read("vertical videos on veo-3.1").model == "veo-3.1"
    assert read("a video of each for the spring sale campaign").campaign == "Spring sale"


def test_all_formats_are_the_channel_formats_the_model_makes_and_channels_named_give_theirs() -> None:
    assert read("all formats please").aspects == ["9:16", "1:1", "4:5", "16:9"]
    assert read("every format on veo-3.1").aspects == ["9:16", "16:9"], "Veo makes no square or 4:5"
    assert read("one for TikTok and one for YouTube").aspects == ["9:16", "16:9"]


def test_the_chat_settings_fill_what_the_words_leave_out_and_the_words_win() -> None:
    settings = {"model": "veo-3.1", "aspect": "9:16", "duration_s": 8, "campaign": "Autumn"}
    asked = read("", **settings)
    assert (asked.model, asked.aspects, asked.duration_s, asked.campaign) == ("veo-3.1", ["9:16"], 8, "Autumn")
    asked = read("4 s landscape drafts on draft for the Winter campaign", **settings)
    assert (asked.model, asked.aspects, asked.duration_s, asked.campaign) == ("draft", ["16:9"], 4, "Winter")


def test_a_length_that_cannot_be_read_is_refused_with_how_to_write_it() -> None:
    with pytest.raises(InvalidRequest, match="write it like 8s"):
        read("duration=forever")


def test_a_brief_longer_than_a_batch_takes_is_refused_in_words() -> None:
    assert read("a short product video of each, " + "x" * 969).prompt.endswith("x"), "1,000 characters are taken"
    with pytest.raises(InvalidRequest, match="A batch's brief is at most 1,000 characters; yours has 1,001") as refused:
        read("a short product video of each, " + "x" * 970)
    assert "sentence or two" in str(refused.value)


def test_a_feed_is_told_from_other_attachments_by_its_name() -> None:
    photo, feed = SimpleNamespace(name="shoe.png"), SimpleNamespace(name="Products.XLSX")
    assert feed_of([photo, feed]) is feed
    assert feed_of([photo]) is None
    assert all(feed_of([SimpleNamespace(name=f"f.{s}")]) for s in ("csv", "tsv", "xml", "rss"))


def _row(number: int, title: str, price: float = 0.0, problem: str | None = None, **extra: Any) -> dict[str, Any]:
    videos = [] if problem else [{"aspect": "9:16", "model": "draft", "duration_s": 4, "estimated_cost_usd": price,
                                  "notice": None, "job_id": None, "status": "quoted"}]  # fmt: skip
    return {"number": number, "id": f"SKU-{number}", "title": title, "says": [title, "$89", "Shop now"],
            "images": [f"http://127.0.0.1:8000/photos/{number}.png"], "problem": problem, "videos": videos,
            **extra}  # fmt: skip


def _view(rows: list[dict[str, Any]], **extra: Any) -> BatchView:
    videos = sum(len(r["videos"]) for r in rows)
    fields = {
        "id": "b1", "campaign": "Spring sale", "set_id": "s1", "status": "quoted", "source": "products.csv",
        "options": {"duration_s": 4}, "rows": rows, "videos": videos,
        "rejected": sum(1 for r in rows if r["problem"]), "estimated_cost_usd": 0.0, "ready": 0, "failed": 0,
        "canceled": 0, "active": 0, "progress": f"0 of {videos} ready", "created_by": "dana", "confirmed_by": None,
        "canceled_by": None, "created_at": "2026-12-06T12:00:00+00:00",
    }  # fmt: skip
    return BatchView.model_validate({**fields, **extra})


def test_the_quote_is_a_table_of_the_rows_then_the_rows_left_out_with_why() -> None:
    view = _view([_row(2, "Trail runner"), _row(3, "", problem="No title: fill in title or name."), _row(4, "Boot")])
    text = quote_text(view, MODELS)
    head, table, cannot = text.split("\n\n")[0:1] + text.split("\n\n")[2:4]
    assert head == ("**2 videos** from 2 rows of *products.csv* for the campaign *Spring sale*: Clapboard Draft · 4 s"
                    " · 9:16 vertical · product showcase.")  # fmt: skip
    assert "Total: **free**" in text
    lines = table.splitlines()
    assert lines[0] == "| Row | Product | On screen | Image | Model | Price |"
    assert lines[1] == "| --: | :-- | :-- | :-- | :-- | --: |", "numbers and prices right-aligned"
    assert lines[2] == ("| 2 | Trail runner (SKU-2) | Trail runner · $89 · Shop now | "
                        "[2.png](http://127.0.0.1:8000/photos/2.png) | Clapboard Draft | free |")  # fmt: skip
    assert len(lines) == 4
    assert (
        cannot
        == "**1 row cannot be made**, so nothing is made of it:\n- Row 3 (SKU-3): No title: fill in title or name."
    )
    assert [a.label for a in quote_actions(view)] == ["Make all 2 (free)", "Cancel"]


def test_a_paid_quote_prices_each_row_and_the_total() -> None:
    view = _view([_row(2, "Jacket", 2.4), _row(3, "Scarf", 2.4)], estimated_cost_usd=4.8)
    text = quote_text(view, MODELS)
    assert "Total: **$4.80**" in text and text.count("| $2.40 |") == 2
    assert quote_actions(view)[0].label == "Make all 2 ($4.80)"


EVIL_IMAGE = "https://shop.example/a.png?x=|[Pay here](https://evil.example/x)|<b>`*_\\"


def test_a_feeds_own_text_is_shown_as_words_never_as_markdown() -> None:
    """A cell may hold a pipe (which would break the table), a link or an image (which the browser would load); an
    image's address is linked, percent-encoded, so that nothing in it is markdown either."""
    view = _view([_row(2, "Socks | 2 pack ![x](http://evil.test/t.png) **NEW**", images=[EVIL_IMAGE])])
    row = quote_text(view, MODELS).split("\n\n")[2].splitlines()[2]
    assert row.count(" | ") == 5, "the pipes in the title and the image's address do not add a column"
    assert "\\!\\[x\\]\\(http://evil.test/t.png\\)" in row and "\\*\\*NEW\\*\\*" in row
    assert "![" not in row.replace("\\![", "")
    image = re.split(r"(?<!\\)\|", row)[4].strip()
    linked = re.fullmatch(r"\[a\.png\]\(([^()\[\]|<>`\\\s]+)\)", image)
    assert linked, f"one link, to an address with nothing markdown reads in it: {image}"
    assert unquote(linked[1]) == EVIL_IMAGE, "the address the marketer's browser opens is the feed's own"
    assert "Pay here" not in row and "evil.example/x)" not in row


def test_a_long_feed_lists_the_first_rows_and_counts_the_rest() -> None:
    view = _view([_row(n, f"Product {n}") for n in range(2, SHOWN_ROWS + 12)])
    table = quote_text(view, MODELS).split("\n\n")[2]
    assert len(table.splitlines()) == 2 + SHOWN_ROWS
    assert quote_text(view, MODELS).split("\n\n")[3] == "…and 10 more rows, priced in the total."


def test_a_feed_with_no_row_to_make_says_so_and_offers_no_button() -> None:
    view = _view([_row(2, "", problem="No title: fill in title or name.")])
    assert quote_text(view, MODELS).endswith(
        "None of the rows can be made: mend them as said and attach the file again."
    )
    assert quote_actions(view) == []


def _made(statuses: list[str], status: str = "running", **extra: Any) -> BatchView:
    rows = []
    for n, s in enumerate(statuses, 2):
        row = _row(n, f"Product {n}")
        row["videos"][0].update(
            status=s, job_id=f"j{n}", error="The render ran out of memory." if s == "failed" else None
        )
        rows.append(row)
    counts = {k: statuses.count(v) for k, v in (("ready", "succeeded"), ("failed", "failed"), ("canceled", "canceled"))}
    progress = f"{counts['ready']} of {len(statuses)} ready" + (
        f", {counts['failed']} failed" if counts["failed"] else ""
    )
    progress += f", {counts['canceled']} stopped" if counts["canceled"] else ""
    return _view(rows, status=status, progress=progress, confirmed_by="dana", **counts, **extra)


def test_the_line_says_how_far_the_batch_is_then_where_its_videos_are() -> None:
    assert (
        line_text(_made(["succeeded", "running", "queued"])) == "**Making 3 videos** from *products.csv*: 1 of 3 ready."
    )
    assert line_text(_made(["running"]), resumed=True).startswith("**Still making 1 video** from *products.csv*")
    done = line_text(_made(["succeeded", "failed", "succeeded"], status="done"))
    assert done == (
        "**Made 3 videos** from *products.csv*: 2 of 3 ready, 1 failed. They are in the library, campaign *Spring "
        "sale*.\n\nFailed:\n- Row 3 (*Product 3*): The render ran out of memory."
    )
    away = line_text(_made(["succeeded"], status="done"), resumed=True)
    assert away.startswith("**Made 1 video** from *products.csv* while you were away: 1 of 1 ready.")


def test_a_stopped_batch_says_what_was_kept() -> None:
    stopped = line_text(_made(["succeeded", "canceled", "canceled"], status="canceled"))
    assert stopped == ("**Stopped** the batch from *products.csv*: 1 of 3 ready, 2 stopped. They are in the library, "
                       "campaign *Spring sale*.")  # fmt: skip
    assert "library" not in line_text(_made(["canceled"], status="canceled")), "nothing made, nothing to point at"


def test_a_batch_in_several_formats_lists_each_rows_formats_and_prices_them_together() -> None:
    row = _row(2, "Jacket", 2.4)
    row["videos"].append({**row["videos"][0], "aspect": "16:9"})
    view = _view([row], options={"aspects": ["9:16", "16:9"], "duration_s": 8}, estimated_cost_usd=4.8)
    text = quote_text(view, MODELS)
    assert "· 9:16 vertical, 16:9 landscape ·" in text.split("\n\n")[0]
    table = text.split("\n\n")[2].splitlines()
    assert table[0] == "| Row | Product | On screen | Image | Formats | Model | Price |"
    assert table[2].endswith("| 9:16, 16:9 | Clapboard Draft | $4.80 |")
    assert quote_actions(view)[0].label == "Make all 2 ($4.80)"


class _Recorder(BaseChainlitEmitter):
    """A chat tab that keeps what the server sends it, as (event, data), named as the browser hears them."""

    def __init__(self, session: HTTPSession) -> None:
        super().__init__(session)
        self.sent: list[tuple[str, Any]] = []

    async def send_step(self, step_dict: Any) -> None:
        self.sent.append(("new_message", step_dict))

    async def update_step(self, step_dict: Any) -> None:
        self.sent.append(("update_message", step_dict))

    async def emit(self, event: str, data: Any) -> None:
        self.sent.append((event, data))

    def said(self, kind: str = "new_message") -> list[dict[str, Any]]:
        return [d for e, d in self.sent if e == kind]

    def shown(self) -> list[str]:
        """What the tab shows, message by message as sent or updated (as ChatClient.messages())."""
        return [d["output"] for e, d in self.sent if e in ("new_message", "update_message")]


@contextlib.asynccontextmanager
async def _chat(settings: Any, photos: ScriptedHTTPServer) -> AsyncIterator[tuple[Any, Actor, _Recorder]]:
    """The app in process (its studio), dana of acme signed in, and a tab of hers in conversation t1 that keeps
    what it is sent; the photo server's address is allowed."""
    from chainlit.context import ChainlitContext, context_var

    from chat import runtime
    from tests.e2e.chainlit_server import app_client

    async with app_client(settings.model_copy(update={"url_allowed_hosts": [f"127.0.0.1:{photos.port}"]})):
        studio = runtime.services().studio
        await studio.accounts.add("dana", team="acme", password="dana-password")
        dana = await studio.accounts.cli_actor("dana")
        session = HTTPSession(id="s1", client_type="webapp", thread_id="t1")
        tab = _Recorder(session)
        token = context_var.set(ChainlitContext(session, emitter=tab))
        try:
            yield studio, dana, tab
        finally:
            context_var.reset(token)


def _attached(path: Path) -> Any:
    """The file as Chainlit hands an attachment over: its name and where it saved it."""
    return SimpleNamespace(name=path.name, path=str(path))


async def _unmade(studio: Any) -> list[Any]:
    return await studio.store.batches((await studio.store.team("acme")).id, delivered=False)


async def test_a_feed_is_checked_in_a_message_at_once_which_becomes_its_quote(
    settings: Any, http_server: ScriptedHTTPServer, tmp_path: Path
) -> None:
    feed = tmp_path / "products.csv"
    feed.write_bytes(csv_bytes(products(2, image=serve_photos(http_server, 2))))
    async with _chat(settings, http_server) as (_, dana, tab):
        await quote_feed(_attached(feed), [], "make a 2 s product video for each of these", dana, SETTINGS)
    [checking] = tab.said()
    assert checking["output"] == "Checking the rows of *products.csv*: what each will say and show, and its price…"
    [quote] = tab.said("update_message")
    assert quote["id"] == checking["id"] and quote["output"].startswith("**2 videos** from 2 rows of *products.csv*")
    assert "| Row | Product |" in quote["output"]
    buttons = [(a["label"], a["forId"]) for a in tab.said("action")]
    assert buttons == [("Make all 2 (free)", checking["id"]), ("Cancel", checking["id"])]


def _never_read(*args: object, **kwargs: object) -> Any:
    raise AssertionError("the feed was read")


async def test_a_feed_over_its_cap_is_refused_by_its_size_before_it_is_read(
    settings: Any, http_server: ScriptedHTTPServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The chat lets attachments of 20 MB through; a feed may be 10."""
    feed = tmp_path / "products.csv"
    with feed.open("wb") as fh:
        fh.truncate(15 * 1048576)  # 15 MB on paper, none on disk
    async with _chat(settings, http_server) as (studio, dana, tab):
        with monkeypatch.context() as reads:
            reads.setattr(Path, "read_bytes", _never_read)
            reads.setattr(Path, "open", _never_read)
            await quote_feed(_attached(feed), [], "a product video of each", dana, SETTINGS)
        assert await _unmade(studio) == []
    assert tab.shown()[-1] == (
        "The feed is 15.0 MB; a feed may be at most 10 MB. Split it into files of at most 500 rows, or leave out "
        "columns Clapboard does not read.\n\nNothing was quoted or made: change that and attach the file again."
    )


async def test_a_refusal_that_repeats_the_feeds_words_shows_them_as_words(
    settings: Any, http_server: ScriptedHTTPServer, tmp_path: Path
) -> None:
    """A feed whose columns Clapboard does not read is refused naming them: as words, not as a link or bold."""
    feed = tmp_path / "products.csv"
    feed.write_bytes(b"[Pay here](http://evil.test/x),**Buy**\n1,2\n")
    async with _chat(settings, http_server) as (_, dana, tab):
        await quote_feed(_attached(feed), [], "a product video of each", dana, SETTINGS)
    refused = tab.shown()[-1]
    assert refused.startswith("None of the feed's columns is one Clapboard reads: it has ")
    assert "\\[Pay here\\]\\(http://evil.test/x\\), \\*\\*Buy\\*\\*." in refused
    assert "](" not in refused.replace("\\](", "")


async def test_a_batchs_line_is_forgotten_once_its_end_is_shown(settings: Any, http_server: ScriptedHTTPServer) -> None:
    """The tab keeps each line's message id (a reopened conversation updates it in place) only until the end is
    shown: a server that makes batches all day does not keep them all."""
    photo = serve_photos(http_server, 1)(1)
    async with _chat(settings, http_server) as (studio, dana, tab):
        rows = [{"title": "Wool Beanie", "price": "19.99 USD", "image_link": photo}]
        made = await studio.batches.quote_rows(dana, rows, BatchOptions(), origin="chat:t1")
        await studio.batches.confirm(dana, made.id)
        await studio.batches.cancel(dana, made.id)  # it ends while no tab follows it
        await catch_up(dana, "chat:t1")
        assert [m["output"] for m in tab.said()] == ["**Stopped** the batch from *rows* while you were away: 0 of 1 "
                                                     "ready, 1 stopped."]  # fmt: skip
        assert await _unmade(studio) == []
    assert [key for key in batches._lines if key[0] == made.id] == []


async def test_a_followed_line_ticks_on_its_batchs_counts_and_reads_the_whole_batch_once_at_its_end(
    settings: Any, http_server: ScriptedHTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A line re-reads its batch every few seconds in every tab that shows it: the counts (one query), not every
    row with its videos' specs (~90 ms for 500 rows), which only the end report needs."""
    from tools.engines.draft.engine import DraftEngine

    async def held(*args: object) -> None:  # every draft waits until it is stopped
        await asyncio.Event().wait()

    monkeypatch.setattr(DraftEngine, "render", held)
    photo = serve_photos(http_server, 1)(1)
    async with _chat(settings, http_server) as (studio, dana, tab):
        rows = [{"title": "Wool Beanie", "price": "19.99 USD", "image_link": photo}] * 2
        made = await studio.batches.quote_rows(dana, rows, BatchOptions(), origin="chat:t1")
        await studio.batches.confirm(dana, made.id)
        read_whole: list[str] = []
        whole = studio.batches.get

        async def get(actor: Actor, batch_id: str) -> BatchView:
            read_whole.append(batch_id)
            return await whole(actor, batch_id)

        monkeypatch.setattr(studio.batches, "get", get)
        await catch_up(dana, "chat:t1")  # its line, followed
        [line] = tab.said()
        assert line["output"].startswith("**Still making 2 videos** from *rows*: 0 of 2 ready")
        following = batches._following[(made.id, "s1")]  # it leaves the table when it ends
        await studio.batches.cancel(dana, made.id)
        await asyncio.wait_for(following, 60)
        assert tab.shown()[-1] == "**Stopped** the batch from *rows* while you were away: 0 of 2 ready, 2 stopped."
        assert read_whole == [made.id] * 2, "the Stop's own answer, then the end report: no tick reads it whole"


async def test_catch_up_asks_a_waiting_quote_again_in_its_conversation_and_lets_old_ones_go(
    settings: Any, http_server: ScriptedHTTPServer
) -> None:
    photo = serve_photos(http_server, 1)(1)
    async with _chat(settings, http_server) as (studio, dana, tab):
        rows = [{"title": "Wool Beanie", "price": "19.99 USD", "image_link": photo}]
        waiting = await studio.batches.quote_rows(dana, rows, BatchOptions(), origin="chat:t1")
        old = await studio.batches.quote_rows(dana, rows, BatchOptions(), origin="chat:t1")
        await studio.store.update_batch(old.id, dana.team_id, created_at=datetime.now(UTC) - timedelta(days=2))

        await catch_up(dana, "chat:")  # a new conversation: a quote is asked only where it was made
        assert [b.id for b in await studio.batches.undelivered(dana, "chat:")] == [waiting.id]
        await catch_up(dana, "chat:t1")
        [asked] = tab.said()
        assert asked["output"].startswith("Still waiting for your go-ahead:\n\n**1 video** from 1 row of *rows*")
