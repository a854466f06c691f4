"""The review page a client opens without an account (`/review/<token>`): it shows the creatives its link was made
for and nothing else, takes comments and decisions from plain forms and from JSON, shows what a reviewer typed as
text, sends strict headers, refuses links that are gone, and no log line holds a token."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncIterator
from datetime import timedelta
from html.parser import HTMLParser
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy import update

from campaign.models import Creative, JobStatus, ReviewLink, new_id, utcnow
from campaign.settings import Settings
from tests.e2e.chainlit_server import app_client
from tests.fakes.s3 import MotoS3
from tools.studio import Studio

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; "
       "media-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")  # fmt: skip
HOSTILE_NAME = "<script>alert(1)</script>"
HOSTILE_TEXT = 'javascript:alert(1) <a href="javascript:alert(1)">click</a> <img src=x onerror=alert(1)>'


class Tags(HTMLParser):
    """The tags of a page and their attributes, and its text as a person reads it."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def read(html: str) -> Tags:
    tags = Tags()
    tags.feed(html)
    return tags


def words(html: str) -> str:
    return " ".join(" ".join(read(html).text).split())


async def _creative(studio: Studio, title: str, set_id: str | None = None, poster: bool = True) -> str:
    actor = await studio.accounts.cli_actor("alice")
    campaign = await studio.store.campaign(actor.team_id, "Spring sneakers", create=True)
    job = await studio.store.add_job(id=new_id(), campaign_id=campaign.id, status=JobStatus.succeeded, spec={},
                                     model="draft", origin="chat:t1", submitted_by=actor.user_id)  # fmt: skip
    creative = await studio.store.add_creative(Creative(
        campaign_id=campaign.id, job_id=job.id, title=title, prompt="p", prompt_sent="p", model="draft",
        duration_s=8.0, aspect="9:16", width=720, height=1280, fps=30.0, bytes=1000, file_key=f"videos/{new_id()}.mp4",
        poster_key=f"posters/{new_id()}.jpg" if poster else None, copy={"headline": "Run further", "cta": "Shop now"},
        set_id=set_id, made_by=actor.user_id,
    ))  # fmt: skip
    return creative.id


@pytest.fixture
async def site(settings: Settings) -> AsyncIterator[tuple[httpx.AsyncClient, Studio]]:
    """The app in process, with alice of acme; no sign-in on the client: a reviewer has no account."""
    from chat import runtime

    async with app_client(settings, follow_redirects=False) as client:
        studio = runtime.services().studio
        await studio.accounts.add("alice", team="acme", password="alice-password")
        yield client, studio


async def _link(studio: Studio, creative_id: str, **kwargs: Any) -> str:
    actor = await studio.accounts.cli_actor("alice")
    return (await studio.reviews.share(actor, creative_id, label="client link", **kwargs)).path


async def test_the_page_shows_its_creatives_only_with_strict_headers(
    site: tuple[httpx.AsyncClient, Studio],
) -> None:
    client, studio = site
    vertical = await _creative(studio, "Sneaker showcase, vertical", set_id="s1")
    square = await _creative(studio, "Sneaker showcase, square", set_id="s1", poster=False)
    other = await _creative(studio, "Lighthouse")
    path = await _link(studio, vertical)

    page = await client.get(path)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    said = words(page.text)
    assert "Spring sneakers" in said and "Sneaker showcase, vertical" in said and "In review" in said
    assert "Run further" in said and "Shop now" in said and "No comments yet" in said
    assert "square" not in said and "Lighthouse" not in said
    assert "acme" not in page.text and "alice" not in page.text and "client link" not in page.text
    assert page.headers["content-security-policy"] == CSP
    assert page.headers["referrer-policy"] == "no-referrer" and page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["cache-control"] == "no-store" and page.headers["x-frame-options"] == "DENY"
    sources = {a.get("src") or a.get("href") for t, a in read(page.text).tags if t in ("script", "link", "video")}
    assert sources == {"/review/assets/review.js", "/review/assets/review.css", f"{path}/video/{vertical}"}
    for asset in ("review.js", "review.css"):
        served = await client.get(f"/review/assets/{asset}")
        assert served.status_code == 200 and served.headers["x-content-type-options"] == "nosniff"

    video = await client.get(f"{path}/video/{vertical}")
    assert video.status_code == 302 and video.headers["location"].startswith("/files/videos/")
    assert video.headers["referrer-policy"] == "no-referrer"
    assert (await client.get(f"{path}/poster/{vertical}")).headers["location"].startswith("/files/posters/")
    for elsewhere in (f"{path}/video/{square}", f"{path}/video/{other}", f"{path}/poster/{other}"):
        refused = await client.get(elsewhere)
        assert refused.status_code == 404 and "does not show that video" in words(refused.text)
        assert "location" not in refused.headers
    refused = await client.post(f"{path}/comments", json={"creative_id": other, "name": "Ann", "text": "hi"})
    assert refused.status_code == 404

    whole = await _link(studio, square, whole_set=True)
    both = words((await client.get(whole)).text)
    assert "Sneaker showcase, vertical" in both and "Sneaker showcase, square" in both and "Lighthouse" not in both
    assert (await client.get(f"{whole}/poster/{square}")).status_code == 404  # it has none


async def test_forged_revoked_and_expired_links_open_nothing(site: tuple[httpx.AsyncClient, Studio]) -> None:
    client, studio = site
    made = await _creative(studio, "Lighthouse")
    path = await _link(studio, made)
    token = path.removeprefix("/review/")
    for forged in (token[:-2] + "xx", "nothing", made, token + "/video"):
        answer = await client.get(f"/review/{forged}")
        assert answer.status_code == 404 and "no such review link" in words(answer.text)
        assert answer.headers["content-security-policy"] == CSP and "Lighthouse" not in answer.text

    actor = await studio.accounts.cli_actor("alice")
    [link] = await studio.reviews.links(actor, made)
    await studio.reviews.revoke(actor, link.id)
    posted = {"creative_id": made, "name": "Ann", "text": "x"}
    for answer in (await client.get(path), await client.get(f"{path}/video/{made}"),
                   await client.post(f"{path}/comments", data=posted)):  # fmt: skip
        assert answer.status_code == 410 and "withdrawn" in words(answer.text) and "Lighthouse" not in answer.text

    later = await _link(studio, made)
    async with studio.store._session() as s:
        await s.execute(update(ReviewLink).where(ReviewLink.id != link.id).values(expires_at=utcnow() - timedelta(1)))
        await s.commit()
    answer = await client.get(later)
    assert answer.status_code == 410 and "expired" in words(answer.text) and "new one" in words(answer.text)
    sent = await client.post(f"{later}/decision", json={"creative_id": made, "name": "Ann", "decision": "approve"})
    assert sent.status_code == 410 and "expired" in sent.json()["detail"]


async def test_a_reviewer_comments_requests_changes_and_approves_by_form_and_by_json(
    site: tuple[httpx.AsyncClient, Studio],
) -> None:
    client, studio = site
    made = await _creative(studio, "Sneaker showcase, vertical")
    path = await _link(studio, made)

    posted = {"creative_id": made, "name": "Ann", "text": "Logo too small", "at_s": "3.2"}
    foreign = await client.post(f"{path}/comments", data=posted, headers={"Origin": "https://elsewhere.example"})
    assert foreign.status_code == 403  # another site's page may not post through a link
    sent = await client.post(f"{path}/comments", data=posted, headers={"Origin": "null"})  # the page's own form
    assert sent.status_code == 303 and sent.headers["location"] == f"{path}#item-{made}"
    assert f"Path={path}" in sent.headers["set-cookie"] and "HttpOnly" in sent.headers["set-cookie"]
    page = await client.get(path)  # the client keeps the cookie, as a browser does
    assert "Ann commented at 0:03" in words(page.text) and "Logo too small" in words(page.text)
    [name] = [a for t, a in read(page.text).tags if t == "input" and a.get("name") == "name"]
    assert name["value"] == "Ann"  # typed once

    empty = await client.post(f"{path}/comments", data={"creative_id": made, "name": "Ann", "text": " ", "at_s": ""})
    assert empty.status_code == 422 and "A comment needs some words." in words(empty.text)
    asked = {"creative_id": made, "name": "Ann", "decision": "request changes", "text": ""}
    changes = await client.post(f"{path}/decision", data=asked)
    assert changes.status_code == 422 and "Say what to change" in words(changes.text)
    changes = await client.post(f"{path}/decision", data={**asked, "text": "Bigger logo"})
    assert changes.status_code == 303
    assert "Changes requested" in words((await client.get(path)).text)

    said = await client.post(f"{path}/comments", json={"creative_id": made, "name": "Ben", "text": "Love the end",
                                                        "at_s": 7})  # fmt: skip
    assert said.status_code == 201
    assert [said.json()[k] for k in ("name", "text", "at", "kind")] == ["Ben", "Love the end", "0:07", "comment"]
    assert "status" not in said.json() and "link_label" not in said.json(), "a comment changes no status"
    for bad, detail in (({"at_s": 99}, "0 to 8 seconds"), ({"at_s": "soon"}, "number of seconds"),
                        ({"name": ""}, "Type your name"), ({"text": ["x"]}, "is text")):  # fmt: skip
        refused = await client.post(f"{path}/comments", json={"creative_id": made, "name": "Ben", "text": "x", **bad})
        assert refused.status_code == 422 and detail in refused.json()["detail"]
    refused = await client.post(f"{path}/comments", json=["not", "an", "object"])
    assert refused.status_code == 422
    huge = await client.post(f"{path}/comments", json={"creative_id": made, "name": "Ben", "text": "x" * 40000})
    assert huge.status_code == 413 and "at most 2000 characters" in huge.json()["detail"]

    approved = await client.post(f"{path}/decision", json={"creative_id": made, "name": "Ben", "decision": "approve",
                                                            "note": "Ship it"})  # fmt: skip
    assert approved.status_code == 201 and approved.json()["status"] == "approved"
    said_now = words((await client.get(path)).text)
    assert "Approved" in said_now and "Ann asked for changes" in said_now and "Ben approved" in said_now
    actor = await studio.accounts.cli_actor("alice")
    notes = await studio.reviews.notes(actor, made)
    assert [(n.kind, n.name, n.text, n.at) for n in notes] == [
        ("comment", "Ann", "Logo too small", "0:03"), ("changes requested", "Ann", "Bigger logo", None),
        ("comment", "Ben", "Love the end", "0:07"), ("approved", "Ben", "Ship it", None)]  # fmt: skip


async def test_what_a_reviewer_typed_is_text_never_markup(site: tuple[httpx.AsyncClient, Studio]) -> None:
    client, studio = site
    made = await _creative(studio, "Lighthouse")
    path = await _link(studio, made)
    sent = await client.post(f"{path}/comments", data={"creative_id": made, "name": HOSTILE_NAME,
                                                        "text": HOSTILE_TEXT, "at_s": "1"})  # fmt: skip
    assert sent.status_code == 303
    await client.post(f"{path}/decision", json={"creative_id": made, "name": "javascript:alert(1)",
                                                "decision": "request changes", "note": HOSTILE_NAME})  # fmt: skip
    page = (await client.get(path)).text
    said = words(page)
    assert f"{HOSTILE_NAME} commented at 0:01" in said and "javascript:alert(1) asked for changes" in said
    assert " ".join(HOSTILE_TEXT.split()) in said
    tags = read(page).tags
    assert [a.get("src") for t, a in tags if t == "script"] == ["/review/assets/review.js"]
    assert not [t for t, _ in tags if t in ("a", "img")]
    attributes = [(k, v or "") for _, a in tags for k, v in a.items() if k != "value"]
    assert not [(k, v) for k, v in attributes if k.startswith("on") or "javascript:" in v]
    [name] = [a["value"] for t, a in tags if t == "input" and a.get("name") == "name"]
    assert name == "javascript:alert(1)"  # the name typed last, as the box's text


async def test_posts_through_one_link_are_limited(site: tuple[httpx.AsyncClient, Studio]) -> None:
    client, studio = site
    made = await _creative(studio, "Lighthouse")
    path = await _link(studio, made)
    for n in range(20):
        sent = await client.post(f"{path}/comments", json={"creative_id": made, "name": "Ann", "text": f"note {n}"})
        assert sent.status_code == 201
    refused = await client.post(f"{path}/comments", json={"creative_id": made, "name": "Ann", "text": "one more"})
    assert refused.status_code == 429 and "Wait" in refused.json()["detail"]
    page = await client.post(f"{path}/comments", data={"creative_id": made, "name": "Ann", "text": "one more"})
    assert page.status_code == 429 and "Too many comments at once" in words(page.text)
    assert "one more" in words(page.text)  # what was typed is kept in the box


async def test_no_log_line_holds_a_token(settings: Settings) -> None:
    """uvicorn's access log (on, at info) and any other record: the served app's process writes `/review/…`."""
    from chat.server import create_app

    lines: list[str] = []

    class Kept(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(self.format(record))

    app = create_app(settings)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, lifespan="on", log_level="info"))
    kept = Kept()
    kept.setFormatter(logging.Formatter("%(name)s %(message)s"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.02)
    for name in ("uvicorn.access", "uvicorn.error", ""):
        logging.getLogger(name).addHandler(kept)
    try:
        from chat import runtime

        studio = runtime.services().studio
        await studio.accounts.add("alice", team="acme", password="alice-password")
        made = await _creative(studio, "Lighthouse")
        path = await _link(studio, made)
        token = path.removeprefix("/review/")
        base = f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
        async with httpx.AsyncClient(base_url=base) as http:
            assert (await http.get(f"{path}?x=1")).status_code == 200
            assert (await http.get(f"{path}/video/{made}")).status_code == 302
            await http.post(f"{path}/comments", data={"creative_id": made, "name": "Ann", "text": "hi"})
            await http.get(f"/review/{token[:-1]}")
        try:
            raise ValueError(f"could not open {base}{path}")
        except ValueError:
            logging.getLogger("chat.anything").exception("while serving %s", path)
    finally:
        server.should_exit = True
        await task
        for name in ("uvicorn.access", "uvicorn.error", ""):
            logging.getLogger(name).removeHandler(kept)
    written = "\n".join(lines)
    assert 'GET /review/…?x=1 HTTP/1.1" 200' in written and f"GET /review/…/video/{made}" in written
    assert "POST /review/…/comments" in written and "could not open http://127.0.0.1" in written
    assert token not in written and token.split(".")[0] not in written and token[:-1] not in written


async def test_videos_on_s3_are_allowed_by_the_page_policy_and_nothing_else(
    settings: Settings, moto_s3: MotoS3, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chat import runtime

    for name, value in moto_s3.env(moto_s3.create_bucket()).items():
        monkeypatch.setenv(name, value)
    on_s3 = settings.model_copy(update={"s3_bucket": os.environ["CLAPBOARD_S3_BUCKET"],
                                        "s3_endpoint_url": moto_s3.endpoint_url, "s3_region": "us-east-1"})  # fmt: skip
    async with app_client(on_s3, follow_redirects=False) as client:
        studio = runtime.services().studio
        await studio.accounts.add("alice", team="acme", password="alice-password")
        made = await _creative(studio, "Lighthouse")
        path = await _link(studio, made)
        page = await client.get(path)
        video = await client.get(f"{path}/video/{made}")
    assert video.status_code == 302 and video.headers["location"].startswith(moto_s3.endpoint_url + "/")
    policy = dict(p.strip().split(" ", 1) for p in page.headers["content-security-policy"].split(";"))
    assert policy["media-src"] == policy["img-src"] == f"'self' {moto_s3.endpoint_url}"
    assert policy["default-src"] == "'none'" and policy["script-src"] == policy["connect-src"] == "'self'"
