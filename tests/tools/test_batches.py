"""Batches through the facade: a quote checks and prices every row and keeps nothing of a bad one but its reason;
one confirmation writes every job with the batch's start; Stop cancels the rest; another team's batch is not
found, another person's is theirs to confirm; options no row could be made with are refused at once."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import func, select

from campaign.errors import Forbidden, InvalidRequest, NotFound, ProviderFailed
from campaign.models import Job, TeamReference
from campaign.people import Actor
from campaign.settings import Settings
from tests.conftest import png_bytes
from tests.fakes.http_server import Reply, ScriptedHTTPServer
from tests.tools.test_jobs import PREMIUM, Broken, runner
from tools.batches import BatchOptions
from tools.catalog import Catalog
from tools.engines.draft.provider import DRAFT
from tools.studio import Studio


async def _people(studio: Studio) -> dict[str, Actor]:
    for name, team, admin in (("alice", "acme", False), ("bob", "acme", False), ("erin", "acme", True),
                              ("carol", "globex", False)):  # fmt: skip
        await studio.accounts.add(name, team=team, password=f"{name}-password", admin=admin)
    return {name: await studio.accounts.cli_actor(name) for name in ("alice", "bob", "erin", "carol")}


def _rows(server: ScriptedHTTPServer) -> list[dict[str, Any]]:
    server.route("/kite.png", Reply(body=png_bytes(color=(200, 40, 40)), content_type="image/png"))
    server.route("/tool.png", Reply(body=b"MZ\x90\x00" + b"\x00" * 200, content_type="image/png"))
    return [
        {"id": "K1", "title": "Red kite", "price": "19.99 USD", "image_link": server.url("/kite.png"), "cta": "Fly"},
        {"id": "K2", "name": "", "price": "5"},  # no title
        {"id": "K3", "title": "Blue kite", "price": "cheap"},  # not a price
        {"id": "K4", "title": "Green kite", "price": "12", "image_link": server.url("/tool.png")},  # not an image
        {"id": "K5", "title": "Gold kite", "price": "$30", "image_link": "http://10.0.0.7/kite.png"},  # private
    ]


async def _count(studio: Studio, model: Any) -> int:
    async with studio.store._session() as s:
        return int(await s.scalar(select(func.count()).select_from(model)) or 0)


@pytest.fixture
def loopback(settings: Settings) -> Any:
    with ScriptedHTTPServer() as server:
        settings.url_allowed_hosts = [f"127.0.0.1:{server.port}"]
        yield server


@pytest.mark.render
async def test_a_quote_keeps_only_reasons_of_bad_rows_and_one_confirmation_makes_the_set(
    settings: Settings, loopback: ScriptedHTTPServer
) -> None:
    studio = await runner(settings)
    try:
        alice = (await _people(studio))["alice"]
        options = BatchOptions(prompt="a 2 second product video", duration_s=2, campaign="Kites")
        quote = await studio.batches.quote_rows(alice, _rows(loopback), options, origin="api:test")
        assert quote.status == "quoted" and quote.videos == 1 and quote.rejected == 4
        by_id = {r.id: r for r in quote.rows}
        assert by_id["K1"].problem is None and by_id["K1"].says[0] == "Red kite" and "$19.99" in by_id["K1"].says
        assert "title" in (by_id["K2"].problem or "")
        assert "cheap" in (by_id["K3"].problem or "")
        assert "image" in (by_id["K4"].problem or "").lower()
        assert "private" in (by_id["K5"].problem or "")
        assert await _count(studio, Job) == 0 and await _count(studio, TeamReference) == 1  # the kite's photo only
        started = await studio.batches.confirm(alice, quote.id)
        assert started.status in ("running", "done") and await _count(studio, Job) == 1
        assert (await studio.batches.confirm(alice, quote.id)).id == quote.id and await _count(studio, Job) == 1
        done = await studio.batches.wait(alice, quote.id)
        assert done.status == "done" and done.progress == "1 of 1 ready"
        creative = await studio.library.creative(alice, done.rows[0].videos[0].creative_id or "")
        assert creative.set_id == quote.set_id and creative.title.startswith("Red kite")
        assert creative.copy.headline == "Red kite" and creative.campaign == "Kites"
    finally:
        await studio.close()


async def test_a_batch_is_its_teams_and_its_askers(settings: Settings) -> None:
    studio = await runner(settings)
    try:
        who = await _people(studio)
        rows = [{"title": "Red kite", "price": "9"}]
        quote = await studio.batches.quote_rows(who["alice"], rows, BatchOptions(duration_s=2))
        with pytest.raises(NotFound):
            await studio.batches.get(who["carol"], quote.id)
        with pytest.raises(NotFound):
            await studio.batches.cancel(who["carol"], quote.id)
        with pytest.raises(Forbidden, match="alice"):
            await studio.batches.confirm(who["bob"], quote.id)
        withdrawn = await studio.batches.cancel(who["erin"], quote.id)  # an admin may
        assert withdrawn.status == "canceled" and withdrawn.canceled_by == "erin"
        assert (await studio.batches.confirm(who["alice"], quote.id)).status == "canceled"
        assert await _count(studio, Job) == 0
    finally:
        await studio.close()


async def test_options_no_row_could_be_made_with_are_refused_before_anything_is_written(settings: Settings) -> None:
    studio = await runner(settings)
    try:
        alice = (await _people(studio))["alice"]
        rows = [{"title": "Red kite", "price": "9"}]
        for options, words in ((BatchOptions(model="no-such-model"), "no-such-model"),
                               (BatchOptions(duration_s=999), "999"),
                               (BatchOptions(template="opera"), "opera"),
                               (BatchOptions(aspects=["9:16", "1:1", "4:5", "16:9", "21:9"]), "formats")):  # fmt: skip
            with pytest.raises(InvalidRequest, match=words):
                await studio.batches.quote_rows(alice, rows, options)
        assert await studio.batches.list(alice) == []
    finally:
        await studio.close()


async def test_each_format_is_a_video_and_the_photo_is_fetched_once(
    settings: Settings, loopback: ScriptedHTTPServer
) -> None:
    studio = await runner(settings)
    try:
        alice = (await _people(studio))["alice"]
        rows = _rows(loopback)[:1]
        quote = await studio.batches.quote_rows(alice, rows, BatchOptions(duration_s=2, aspects=["9:16", "1:1"]))
        assert [v.aspect for v in quote.rows[0].videos] == ["9:16", "1:1"] and quote.videos == 2
        assert [r.path for r in loopback.requests].count("/kite.png") == 1
    finally:
        await studio.close()


@pytest.mark.render
async def test_stop_cancels_what_has_not_finished(settings: Settings) -> None:
    settings.max_concurrent_jobs = 1
    studio = await runner(settings)
    try:
        alice = (await _people(studio))["alice"]
        rows = [{"title": f"Kite {n}", "price": "9"} for n in range(6)]
        quote = await studio.batches.quote_rows(alice, rows, BatchOptions(duration_s=2))
        await studio.batches.confirm(alice, quote.id)
        stopped = await studio.batches.cancel(alice, quote.id)
        assert stopped.status == "canceled" and stopped.active == 0 and stopped.canceled >= 5  # one may be made
        assert stopped.progress == f"{stopped.ready} of 6 ready, {stopped.canceled} stopped"
    finally:
        await studio.close()


async def test_five_hundred_rows_are_quoted(settings: Settings) -> None:
    studio = await runner(settings)
    try:
        alice = (await _people(studio))["alice"]
        rows = [{"title": f"Kite {n}", "price": f"{n}.99"} for n in range(500)]
        quote = await studio.batches.quote_rows(alice, rows, BatchOptions(duration_s=2))
        assert quote.videos == 500 and quote.rejected == 0 and quote.estimated_cost_usd == 0
    finally:
        await studio.close()


async def test_stop_racing_the_confirmation_never_leaves_a_canceled_batch_running(settings: Settings) -> None:
    studio = await runner(settings)
    try:
        alice = (await _people(studio))["alice"]
        for _ in range(4):
            rows = [{"title": f"Kite {n}", "price": "9"} for n in range(3)]
            quote = await studio.batches.quote_rows(alice, rows, BatchOptions(duration_s=2))
            await asyncio.gather(studio.batches.confirm(alice, quote.id), studio.batches.cancel(alice, quote.id))
            view = await studio.batches.get(alice, quote.id)
            assert view.status == "canceled" and view.active == 0, view.progress  # Stop came with or after it
    finally:
        await studio.backend.drain()
        await studio.close()


CHEAP = PREMIUM.model_copy(update={"id": "cheap", "name": "Cheap Test", "price_per_s": {"720p": 0.1},
                                   "fallback": "dear"})  # fmt: skip
DEAR = PREMIUM.model_copy(update={"id": "dear", "name": "Dear Test", "price_per_s": {"720p": 0.5}, "fallback": None})


async def test_a_batch_video_whose_model_fails_is_not_made_dearer_without_asking(settings: Settings) -> None:
    dear = Broken(ProviderFailed("unused"))
    engines = {"cheap": Broken(ProviderFailed("The model is overloaded.")), "dear": dear}
    studio = await Studio.open(settings, catalog=Catalog([DRAFT, CHEAP, DEAR]), engines=lambda spec: engines[spec.id])
    try:
        alice = (await _people(studio))["alice"]
        quote = await studio.batches.quote_rows(alice, [{"title": "Red kite", "price": "9"}],
                                                BatchOptions(model="cheap", duration_s=4))  # fmt: skip
        assert quote.estimated_cost_usd == 0.4
        await studio.batches.confirm(alice, quote.id)
        done = await studio.batches.wait(alice, quote.id)
        video = done.rows[0].videos[0]
        assert done.status == "done" and done.progress == "0 of 1 ready, 1 failed" and dear.calls == 0
        assert "Dear Test" in (video.error or "") and "not within the price confirmed" in (video.error or "")
        assert (await studio.budgets.spend(alice)).lines[0].actual_usd == 0  # billed nothing, reserved nothing now
    finally:
        await studio.close()
