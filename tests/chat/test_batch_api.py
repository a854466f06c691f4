"""The batches API as a client uses it: a feed file (multipart) or rows (JSON) quoted row by row with the reasons
a row cannot be made and nothing run; one confirmation runs the draft videos to the end; stop; the team's own
batches only; the body never read past the feed's cap (a declared Content-Length over it, or a streamed one).

The product photos are served on loopback, allowed through `url_allowed_hosts` as the other URL tests do."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from campaign.settings import Settings
from tests.chat.test_uploads import GB, MULTIPART, Body
from tests.conftest import bearer
from tests.e2e.chainlit_server import app_client
from tests.fakes.feeds import PRIVATE_IMAGE, csv_bytes, executable_png, products, serve_photos
from tests.fakes.http_server import Reply, ScriptedHTTPServer
from tests.fakes.replicate_server import FakeReplicate, replicate_settings
from tools.studio.types import MAX_FEED_BYTES

QUICK = {"duration_s": 2, "aspects": ["1:1"]}  # draft videos that render fast


@pytest.fixture
def settings(settings: Settings, http_server: ScriptedHTTPServer) -> Settings:
    settings.url_allowed_hosts = [f"127.0.0.1:{http_server.port}"]
    return settings


@pytest.fixture
async def studio(api: httpx.AsyncClient) -> AsyncIterator[Any]:
    """The app's studio (the `api` fixture's), its jobs drained at the end."""
    from chat import runtime

    studio = runtime.services().studio
    yield studio
    await studio.backend.drain()


def feed(server: ScriptedHTTPServer, count: int) -> list[dict[str, str]]:
    """`count` products whose photos the server serves: product 2 has no title, product 3 a private image."""
    rows = products(count, image=serve_photos(server, count))
    rows[1]["title"] = ""
    rows[2]["image_link"] = PRIVATE_IMAGE
    return rows


async def quote_file(api: httpx.AsyncClient, data: bytes, name: str = "feed.csv", **fields: str) -> httpx.Response:
    return await api.post("/api/batches", files={"file": (name, data, "text/csv")}, data=fields)


async def test_a_feed_file_is_quoted_row_by_row_and_nothing_runs(
    api: httpx.AsyncClient, http_server: ScriptedHTTPServer
) -> None:
    rows = feed(http_server, 4)
    http_server.route("/not-an-image.png", Reply(body=executable_png(), content_type="image/png"))
    rows[3]["image_link"] = http_server.url("/not-an-image.png")
    rows.append({**products(5, image=serve_photos(http_server, 5))[4], "price": "cheap"})
    response = await quote_file(api, csv_bytes(rows), "spring.csv", campaign="Spring drop", aspect="9:16, 1:1",
                                duration_s="2", prompt="a bold product video")  # fmt: skip
    assert response.status_code == 201, response.text
    quote = response.json()
    assert response.headers["location"] == f"/api/batches/{quote['id']}"
    assert (quote["status"], quote["source"], quote["campaign"]) == ("quoted", "spring.csv", "Spring drop")
    assert quote["options"]["aspects"] == ["9:16", "1:1"] and quote["options"]["duration_s"] == 2
    by_row = {r["number"]: r for r in quote["rows"]}
    assert sorted(by_row) == [2, 3, 4, 5, 6]  # as a spreadsheet numbers them, under the header
    good = by_row[2]
    assert good["title"] == "Trail Runner 1" and "Trail Runner 1" in good["says"] and good["problem"] is None
    assert any("19.99" in said for said in good["says"]) and good["images"] == [rows[0]["image_link"]]
    assert [(v["aspect"], v["model"], v["status"], v["job_id"]) for v in good["videos"]] == [
        ("9:16", "draft", "quoted", None), ("1:1", "draft", "quoted", None),
    ]  # fmt: skip
    assert "title" in by_row[3]["problem"].lower()
    assert "private" in by_row[4]["problem"].lower()
    assert "image" in by_row[5]["problem"].lower()
    assert "price" in by_row[6]["problem"].lower() and "cheap" in by_row[6]["problem"]
    assert all(not by_row[n]["videos"] for n in (3, 4, 5, 6))
    assert (quote["videos"], quote["rejected"], quote["estimated_cost_usd"]) == (2, 4, 0.0)
    assert (quote["ready"], quote["active"], quote["progress"]) == (0, 0, "0 of 2 ready")
    assert (await api.get("/api/jobs")).json() == [] and (await api.get("/api/creatives")).json() == []
    assert (await api.get(f"/api/batches/{quote['id']}")).json() == quote


async def test_rows_sent_as_json_are_quoted_with_each_rows_reason(
    api: httpx.AsyncClient, http_server: ScriptedHTTPServer
) -> None:
    rows = feed(http_server, 3)
    body = {"rows": [{**rows[0], "price": 19.99}, rows[1], rows[2]],
            "options": {"aspects": ["all"], "duration_s": 2, "campaign": "Feed"}}  # fmt: skip
    response = await api.post("/api/batches", json=body)
    assert response.status_code == 201, response.text
    quote = response.json()
    assert (quote["source"], quote["campaign"], quote["videos"], quote["rejected"]) == ("rows", "Feed", 4, 2)
    [first, second, third] = quote["rows"]
    assert [r["number"] for r in quote["rows"]] == [1, 2, 3]  # rows sent as JSON count from 1
    assert [v["aspect"] for v in first["videos"]] == ["9:16", "1:1", "4:5", "16:9"]  # "all": the channel formats
    assert any("19.99" in said for said in first["says"])
    assert "title" in second["problem"].lower() and "private" in third["problem"].lower()
    assert (await api.get("/api/jobs")).json() == []


async def test_what_a_batch_does_not_take_is_refused_saying_what_it_takes(api: httpx.AsyncClient) -> None:
    data = csv_bytes(products(1))
    refusals = {
        "an unknown field": (await quote_file(api, data, colour="red"), "`colour`"),
        "no file": (await api.post("/api/batches", files={"feed": ("a.csv", data, "text/csv")}), "`file`"),
        "a file as text": (
            await api.post("/api/batches", data={"file": "title\nKite"}, files={"x": ("a.csv", b"", "text/csv")}),
            "`file`",
        ),
        "a bad duration": (await quote_file(api, data, duration_s="ten"), "whole number"),
        "a zero duration": (await quote_file(api, data, duration_s="0"), "duration_s"),
        "an unknown model": (await quote_file(api, data, model="nope"), "nope"),
        "too many formats": (await quote_file(api, data, aspect="all,2:3"), "at most 4"),
        "not a feed": (await quote_file(api, b"\x89PNG\r\n\x1a\n" + bytes(100), "a.png"), ""),
        "no rows": (await api.post("/api/batches", json={"rows": []}), "rows"),
        "an unknown option": (
            await api.post("/api/batches", json={"rows": [{"title": "A"}], "options": {"x": 1}}),
            "options.x",
        ),
        "broken JSON": (
            await api.post("/api/batches", content=b"{", headers={"Content-Type": "application/json"}),
            "not JSON",
        ),
        "plain text": (
            await api.post("/api/batches", content=b"hi", headers={"Content-Type": "text/plain"}),
            "multipart/form-data",
        ),
        "a NUL": (await api.post("/api/batches", json={"rows": [{"title": "A\u0000"}]}), "cannot be stored"),
        "a long ask": (await quote_file(api, data, prompt="x" * 1001), "prompt: String should have at most 1000"),
    }
    for why, (response, says) in refusals.items():
        assert response.status_code == 422, (why, response.text)
        assert says in response.json()["detail"], (why, response.json()["detail"])
    assert (await api.get("/api/batches")).json() == []  # nothing was quoted


async def test_the_body_is_refused_past_the_cap_declared_or_streamed_and_only_after_the_token(
    api: httpx.AsyncClient,
) -> None:
    body = Body(GB)
    unsigned = await api.post("/api/batches", content=body, headers={**MULTIPART, "Authorization": ""})
    assert unsigned.status_code == 401 and body.taken < 1_000_000
    body = Body(GB)
    declared = await api.post("/api/batches", content=body, headers={**MULTIPART, "Content-Length": str(GB)})
    assert declared.status_code == 413 and "10 MB" in declared.json()["detail"], declared.text
    assert body.taken < 1_000_000
    body = Body(GB)
    streamed = await api.post("/api/batches", content=body, headers=MULTIPART)
    assert streamed.status_code == 413, streamed.text
    assert body.taken <= MAX_FEED_BYTES + 128 * 1024
    json_body = Rows()
    declared = await api.post("/api/batches", content=json_body,
                              headers={"Content-Type": "application/json", "Content-Length": str(GB)})  # fmt: skip
    assert declared.status_code == 413 and json_body.taken < 1_000_000
    json_body = Rows()
    streamed = await api.post("/api/batches", content=json_body, headers={"Content-Type": "application/json"})
    assert streamed.status_code == 413 and "10 MB" in streamed.json()["detail"], streamed.text
    assert json_body.taken <= MAX_FEED_BYTES + 64 * 1024
    assert (await api.get("/api/batches")).json() == []


class Rows:
    """A JSON body of endless rows, streamed in 64 KiB chunks, counting what was taken of it."""

    def __init__(self) -> None:
        self.taken = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        row = b'{"title": "Kite", "price": "9.99"},'
        chunk = row * (64 * 1024 // len(row))
        yield b'{"rows": ['
        for _ in range(GB // len(chunk)):
            self.taken += len(chunk)
            yield chunk


async def test_routes_refuse_without_a_token_and_another_teams_batch_is_not_found(
    api: httpx.AsyncClient, http_server: ScriptedHTTPServer, studio: Any
) -> None:
    quote = (await quote_file(api, csv_bytes(products(1, image=serve_photos(http_server, 1))))).json()
    one = f"/api/batches/{quote['id']}"
    routes = [("get", "/api/batches"), ("post", "/api/batches"), ("get", one), ("post", f"{one}/confirm"),
              ("post", f"{one}/cancel")]  # fmt: skip
    for method, path in routes:
        response = await api.request(method, path, headers={"Authorization": ""})
        assert response.status_code == 401 and response.json()["detail"], (method, path)
    await studio.accounts.add("mallory", team="globex", password="mallory-password")
    theirs = await bearer(studio, "mallory")
    for method, path in routes[2:]:
        response = await api.request(method, path, headers=theirs)
        assert response.status_code == 404 and "no batch" in response.json()["detail"].lower(), (method, path)
    assert (await api.get("/api/batches", headers=theirs)).json() == []
    assert (await api.get(f"/api/batches/{quote['id']}")).json()["status"] == "quoted"  # untouched


async def test_only_the_asker_or_an_admin_confirms_or_stops_a_batch(
    api: httpx.AsyncClient, http_server: ScriptedHTTPServer, studio: Any
) -> None:
    accounts = studio.accounts
    await accounts.add("bob", team="acme", password="bob-password")
    await accounts.add("carol", team="acme", password="carol-password", admin=True)
    bob, carol = await bearer(studio, "bob"), await bearer(studio, "carol")
    data = csv_bytes(products(1, image=serve_photos(http_server, 1)))
    quote = (await quote_file(api, data, duration_s="2", aspect="1:1")).json()
    for verb in ("confirm", "cancel"):
        refused = await api.post(f"/api/batches/{quote['id']}/{verb}", headers=bob)
        assert refused.status_code == 403 and "alice or an admin" in refused.json()["detail"], refused.text
    assert (await api.get("/api/jobs")).json() == []
    listed = (await api.get("/api/batches", headers=bob)).json()
    assert [b["id"] for b in listed] == [quote["id"]] and listed[0]["created_by"] == "alice"  # the team's
    stopped = await api.post(f"/api/batches/{quote['id']}/cancel", headers=carol)
    assert stopped.status_code == 200 and (stopped.json()["status"], stopped.json()["canceled_by"]) == (
        "canceled", "carol",
    )  # fmt: skip
    again = await api.post(f"/api/batches/{quote['id']}/confirm")
    assert again.status_code == 409 and "send the feed again" in again.json()["detail"]
    assert (await api.get("/api/jobs")).json() == []


@pytest.mark.render
async def test_one_confirmation_runs_every_draft_video_to_the_end_in_one_set(
    api: httpx.AsyncClient, http_server: ScriptedHTTPServer, studio: Any
) -> None:
    rows = feed(http_server, 3)
    first = (await api.post("/api/batches", json={"rows": rows, "options": {**QUICK, "campaign": "Run"}})).json()
    second = (await api.post("/api/batches", json={"rows": rows[:1], "options": QUICK})).json()
    assert [b["id"] for b in (await api.get("/api/batches")).json()] == [second["id"], first["id"]]  # newest first
    started = await api.post(f"/api/batches/{first['id']}/confirm")
    assert started.status_code == 202, started.text
    assert started.json()["status"] in ("running", "done") and started.json()["confirmed_by"] == "alice"
    alice = await studio.accounts.cli_actor("alice")
    await studio.batches.wait(alice, first["id"])
    done = (await api.get(f"/api/batches/{first['id']}")).json()
    assert (done["status"], done["progress"], done["ready"], done["failed"]) == ("done", "1 of 1 ready", 1, 0)
    [video] = done["rows"][0]["videos"]
    creative = (await api.get(f"/api/creatives/{video['creative_id']}")).json()
    assert (creative["campaign"], creative["model"], creative["width"], creative["height"]) == ("Run", "draft", 480,
                                                                                              480)  # fmt: skip
    assert creative["duration_s"] == 2.0 and "Trail Runner 1" in creative["title"]
    jobs = (await api.get("/api/jobs")).json()
    assert [j["id"] for j in jobs] == [video["job_id"]]  # the rejected rows made no job
    again = await api.post(f"/api/batches/{first['id']}/confirm")
    assert again.status_code == 202 and again.json()["ready"] == 1
    assert len((await api.get("/api/jobs")).json()) == 1  # confirming again started nothing
    finished = await api.post(f"/api/batches/{first['id']}/cancel")
    assert finished.status_code == 409 and "already finished" in finished.json()["detail"]


@pytest.mark.render
async def test_stopping_a_running_batch_cancels_what_has_not_finished_and_keeps_what_has(
    api: httpx.AsyncClient, http_server: ScriptedHTTPServer, studio: Any, settings: Settings
) -> None:
    rows = products(4, image=serve_photos(http_server, 4))
    quote = (await api.post("/api/batches", json={"rows": rows, "options": QUICK})).json()
    assert (await api.post(f"/api/batches/{quote['id']}/confirm")).status_code == 202
    stopped = await api.post(f"/api/batches/{quote['id']}/cancel")
    assert stopped.status_code == 200, stopped.text
    await studio.backend.drain()
    view = (await api.get(f"/api/batches/{quote['id']}")).json()
    assert (view["status"], view["canceled_by"], view["active"]) == ("canceled", "alice", 0)
    assert view["ready"] + view["canceled"] + view["failed"] == view["videos"] == 4
    assert view["canceled"] >= 4 - settings.max_concurrent_jobs  # those still queued when it was stopped
    made = {v["creative_id"] for r in view["rows"] for v in r["videos"] if v["status"] == "succeeded"}
    assert {c["id"] for c in (await api.get("/api/creatives")).json()} == made  # what was ready stays
    assert "stopped" in view["progress"]


async def test_a_confirmation_over_the_budget_is_402_and_starts_nothing_until_it_is_raised(
    tmp_path: Path, fake_replicate: FakeReplicate, http_server: ScriptedHTTPServer
) -> None:
    """Needs the budgets (studio.budgets, the 402 in problems.py)."""
    from chat import runtime

    settings = replicate_settings(
        fake_replicate, tmp_path / "data", url_allowed_hosts=[f"127.0.0.1:{http_server.port}"]
    )
    async with app_client(settings) as api:
        studio = runtime.services().studio
        await studio.accounts.add("alice", team="acme", password="alice-password")
        api.headers.update(await bearer(studio, "alice"))
        await studio.budgets.operator_set(5.0, team="acme")
        rows = products(2, image=serve_photos(http_server, 2))
        options = {"model": "veo-3.1", "duration_s": 8, "aspects": ["16:9"]}
        quote = (await api.post("/api/batches", json={"rows": rows, "options": options})).json()
        assert quote["estimated_cost_usd"] > 5 and {v["model"] for r in quote["rows"] for v in r["videos"]} == {
            "veo-3.1"
        }
        refused = await api.post(f"/api/batches/{quote['id']}/confirm")
        assert refused.status_code == 402 and refused.json()["stage"] == "budget", refused.text
        assert "$5" in refused.json()["detail"]
        assert (await api.get("/api/jobs")).json() == [] and fake_replicate.creates() == []
        assert (await api.get(f"/api/batches/{quote['id']}")).json()["status"] == "quoted"  # still to confirm
        await studio.budgets.operator_set(20.0, team="acme")
        started = await api.post(f"/api/batches/{quote['id']}/confirm")
        assert started.status_code == 202 and started.json()["status"] == "running", started.text
        assert len((await api.get("/api/jobs")).json()) == 2
        assert (await api.post(f"/api/batches/{quote['id']}/cancel")).status_code == 200
        await studio.backend.drain()
