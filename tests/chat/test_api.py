"""The REST API behind users' tokens, scoped by team, and the signed, Range-capable file route, on the app
`create_app` builds."""

from __future__ import annotations

import asyncio
import contextlib
import time
from pathlib import Path
from urllib.parse import quote, urlsplit

import httpx
import jwt
import pytest

from campaign.settings import Settings
from tests.conftest import bearer, make_settings
from tests.e2e.chainlit_server import app_client


def _routes(schema: dict) -> list[tuple[str, str]]:
    """Every operation of the API, with its path parameters filled in."""
    return [
        (method, "/api" + path.replace("{", "").replace("}", ""))
        for path, operations in schema["paths"].items()
        for method in operations
    ]


async def test_every_route_refuses_a_missing_bad_expired_or_revoked_token(
    api: httpx.AsyncClient, settings: Settings
) -> None:
    from chat import runtime

    studio = runtime.services().studio
    await studio.accounts.add("bob", team="acme", password="bob-password")
    await studio.accounts.add("dave", team="acme", password="dave-password")
    bob, dave = await bearer(studio, "bob"), await bearer(studio, "dave")
    await studio.accounts.remove("bob")
    await studio.accounts.set_password("dave", "a-new-password")
    now = int(time.time())
    forged = jwt.encode({"sub": "x", "cred": 0, "iat": now, "exp": now + 60}, "another key" * 4, "HS256")
    refused = {
        "none": {"Authorization": ""},
        "garbage": {"Authorization": "Bearer nope"},
        "another key": {"Authorization": f"Bearer {forged}"},
        "removed user": bob,
        "changed password": dave,
    }
    routes = _routes((await api.get("/api/openapi.json")).json())
    routes.remove(("post", "/api/webhooks/provider"))  # providers sign their webhooks instead
    assert len(routes) >= 12
    unsigned = await api.post("/api/webhooks/replicate?job=nope", content=b"{}", headers={"Authorization": ""})
    assert unsigned.status_code == 401
    assert (await api.post("/api/webhooks/local?job=nope", content=b"{}")).status_code == 404  # the draft sends none
    for method, path in routes:
        for why, headers in refused.items():
            response = await api.request(method, path, headers=headers)
            assert response.status_code == 401, (method, path, why, response.text)
    assert "revoked" in (await api.get("/api/jobs", headers=bob)).json()["detail"]
    with pytest.raises(Exception, match="1 to 365 days"):
        await studio.accounts.issue_token("alice", days=100_000_000)
    with pytest.raises(Exception, match="no user called"):
        await studio.accounts.issue_token("nobody")


@pytest.mark.render
async def test_generate_poll_and_fetch_the_video_with_range_requests(api: httpx.AsyncClient) -> None:
    models = (await api.get("/api/video/models")).json()
    assert any(m["id"] == "draft" for m in models)

    response = await api.post("/api/video/generate", json={"prompt": "a 3 second square teaser", "duration_s": 3,
                                                           "aspect": "1:1"})  # fmt: skip
    assert response.status_code == 202, response.text
    job_id = response.json()["job_id"]
    from chat import runtime

    studio = runtime.services().studio
    await studio.jobs.wait(await studio.accounts.cli_actor("alice"), job_id)
    job = (await api.get(f"/api/jobs/{job_id}")).json()
    assert job["status"] == "succeeded", job
    assert (job["submitted_by"], job["confirmed_by"], job["canceled_by"]) == ("alice", None, None)

    creative = (await api.get(f"/api/creatives/{job['creative_id']}")).json()
    assert (creative["width"], creative["height"], creative["duration_s"]) == (480, 480, 3.0)
    video = await api.get(creative["url"], headers={"Range": "bytes=0-99"})
    assert video.status_code == 206
    assert video.headers["content-type"] == "video/mp4"
    assert video.headers["content-range"].startswith("bytes 0-99/") and len(video.content) == 100

    for tampered in (creative["url"].replace("sig=", "sig=x"), creative["url"].replace("sig=", "sig=%C3%A9")):
        assert (await api.get(tampered)).status_code == 403

    download = await api.get(creative["download_url"])
    assert download.status_code == 200 and download.content == (await api.get(creative["url"])).content
    name = f"{creative['title']}-1x1.mp4"
    assert creative["title"] == "Teaser, square"
    assert download.headers["content-disposition"] == (
        f"attachment; filename=\"{name}\"; filename*=UTF-8''{quote(name, safe='')}"
    )
    renamed = creative["download_url"].replace("download=", "download=x")
    assert (await api.get(renamed)).status_code == 403  # the name is signed
    assert (await api.get("/files/creatives/whatever/video.mp4")).status_code == 403


async def test_bad_requests_are_422_with_what_is_allowed(api: httpx.AsyncClient) -> None:
    response = await api.post("/api/video/generate", json={"prompt": "a kite", "duration_s": 7, "model": "nope"})
    assert response.status_code == 422 and "no model called" in response.json()["detail"]
    response = await api.post("/api/video/generate", json={"prompt": "a kite", "duration_s": 150})
    assert response.status_code == 422 and "offers 2–120 s" in response.json()["detail"]
    response = await api.post("/api/video/generate", json={"prompt": " "})
    assert response.status_code == 422
    assert (await api.get("/api/creatives")).json() == []


@pytest.mark.render
async def test_uploaded_references_are_checked_and_used(api: httpx.AsyncClient) -> None:
    from tests.conftest import png_bytes

    bad = await api.post("/api/references", files={"file": ("logo.png", b"MZ\x90\x00" + bytes(500), "image/png")})
    assert bad.status_code == 422 and "not a PNG, JPEG or WebP" in bad.json()["detail"]
    good = await api.post("/api/references", files={"file": ("logo.png", png_bytes((300, 200)), "image/png")})
    assert good.status_code == 201, good.text
    key = good.json()["key"]
    assert key.startswith("refs/") and good.json()["width"] == 300

    job_id = (
        await api.post("/api/video/generate", json={"prompt": "a 2 second logo sting", "duration_s": 2,
                                                    "references": [key]})
    ).json()["job_id"]  # fmt: skip
    from chat import runtime

    studio = runtime.services().studio
    await studio.jobs.wait(await studio.accounts.cli_actor("alice"), job_id)
    creative = (await api.get("/api/creatives")).json()[0]
    assert creative["reference_keys"] == [key]
    assert creative["file"] is None  # the server's paths stay on the server
    assert (await api.post(f"/api/jobs/{job_id}/confirm")).status_code == 409
    assert (await api.post(f"/api/jobs/{job_id}/cancel")).status_code == 409
    assert (await api.post("/api/campaigns", json={"name": ""})).status_code == 422


@pytest.mark.render
async def test_the_same_idempotency_key_makes_one_job_even_when_sent_twice_at_once(api: httpx.AsyncClient) -> None:
    body = {"prompt": "a 2 second kite teaser", "duration_s": 2}
    key = {"Idempotency-Key": "order-42"}

    first, second = await asyncio.gather(
        api.post("/api/video/generate", json=body, headers=key), api.post("/api/video/generate", json=body, headers=key)
    )

    assert first.status_code == second.status_code == 202, (first.text, second.text)
    assert first.json()["job_id"] == second.json()["job_id"]
    other = await api.post("/api/video/generate", json={**body, "duration_s": 3}, headers=key)
    assert other.status_code == 409 and "already used for a different request" in other.json()["detail"]
    example = await api.post("/api/video/examples/social-media", json=body, headers={"Idempotency-Key": "ex-1"})
    assert example.status_code == 202
    again = await api.post("/api/video/examples/social-media", json=body, headers={"Idempotency-Key": "ex-1"})
    assert again.json()["job_id"] == example.json()["job_id"]
    assert (await api.post("/api/video/generate", json=body, headers={"Idempotency-Key": "k" * 201})).status_code == 422
    from chat import runtime

    studio = runtime.services().studio
    await studio.backend.drain()
    assert len(await studio.jobs.jobs(await studio.accounts.cli_actor("alice"))) == 2

    schema = (await api.get("/api/openapi.json")).json()
    for path in ("/video/generate", "/video/examples/{template}"):
        operation = schema["paths"][path]["post"]
        [header] = [p for p in operation["parameters"] if p["in"] == "header"]
        assert header["name"] == "Idempotency-Key" and "409" in header["description"]
        assert "409" in operation["responses"]


@pytest.mark.render
async def test_jobs_are_listed_newest_first_and_filtered(api: httpx.AsyncClient) -> None:
    from chat import runtime

    done = (await api.post("/api/video/generate", json={"prompt": "a 2 second clip", "duration_s": 2})).json()
    studio = runtime.services().studio
    await studio.jobs.wait(await studio.accounts.cli_actor("alice"), done["job_id"])
    asking = await api.post(
        "/api/video/generate", json={"prompt": "an 8 s kite", "model": "draft", "duration_s": 2, "campaign": "Kites"}
    )
    assert asking.status_code == 202

    listed = (await api.get("/api/jobs")).json()
    assert [j["id"] for j in listed] == [asking.json()["job_id"], done["job_id"]]
    assert listed[1]["status"] == "succeeded" and listed[1]["title"] and listed[1]["attempts"] == 1
    kites = (await api.get("/api/jobs", params={"campaign": "kites"})).json()
    assert [j["campaign"] for j in kites] == ["Kites"]
    succeeded = (await api.get("/api/jobs", params={"status": "succeeded"})).json()
    assert all(j["status"] == "succeeded" for j in succeeded) and done["job_id"] in {j["id"] for j in succeeded}
    assert (await api.get("/api/jobs", params={"status": "exploded"})).status_code == 422
    assert (await api.get("/api/jobs", params={"campaign": "Nope"})).status_code == 404
    await runtime.services().studio.backend.drain()


@pytest.mark.render
async def test_creatives_are_renamed_and_deleted_and_campaigns_show_their_spend(
    api: httpx.AsyncClient, settings: Settings
) -> None:
    from chat import runtime

    studio = runtime.services().studio
    await studio.accounts.add("bob", team="acme", password="bob-password")
    await studio.accounts.add("carol", team="globex", password="carol-password")
    bob, carol = await bearer(studio, "bob"), await bearer(studio, "carol")
    alice = await studio.accounts.cli_actor("alice")
    made = []
    for body in ({"prompt": "a 2 second clip of a kite", "campaign": "Spring"}, {"prompt": "a 2 second boat clip"}):
        job_id = (await api.post("/api/video/generate", json={**body, "duration_s": 2})).json()["job_id"]
        made.append((await studio.jobs.wait(alice, job_id)).creative_id)
    kite, boat = made
    campaigns = (await api.get("/api/campaigns")).json()
    assert [(c["name"], c["creatives"], c["spend_usd"]) for c in campaigns] == [
        ("Spring", 1, 0.0), ("Default campaign", 1, 0.0),
    ]  # fmt: skip

    renamed = await api.patch(f"/api/creatives/{kite}", json={"title": "  Kite teaser, spring  "}, headers=bob)
    assert renamed.status_code == 200 and renamed.json()["title"] == "Kite teaser, spring"
    assert renamed.json()["file"] is None and "Kite%20teaser%2C%20spring-16x9.mp4" in renamed.json()["download_url"]
    for bad in ({"title": ""}, {"title": " "}, {"title": "x" * 121}, {}):
        assert (await api.patch(f"/api/creatives/{kite}", json=bad)).status_code == 422, bad
    assert (await api.patch(f"/api/creatives/{kite}", json={"title": "Mine"}, headers=carol)).status_code == 404

    video = await api.get(renamed.json()["url"])
    assert video.status_code == 200
    refused = await api.delete(f"/api/creatives/{kite}", headers=bob)
    assert refused.status_code == 403 and "Only alice or an admin" in refused.json()["detail"]
    assert (await api.delete(f"/api/creatives/{kite}", headers=carol)).status_code == 404
    gone = await api.delete(f"/api/creatives/{kite}")
    assert gone.status_code == 204 and gone.content == b""
    assert (await api.get(renamed.json()["url"])).status_code == 404  # the file left storage
    assert (await api.get(f"/api/creatives/{kite}")).status_code == 404
    assert (await api.delete(f"/api/creatives/{kite}")).status_code == 404
    assert [c["id"] for c in (await api.get("/api/creatives")).json()] == [boat]
    assert [c["creatives"] for c in (await api.get("/api/campaigns")).json()] == [0, 1]
    assert (await api.get("/api/campaigns", headers=carol)).json() == []


async def test_hostile_values_are_refused_before_anything_is_written(api: httpx.AsyncClient) -> None:
    raw = {"Content-Type": "application/json"}
    for body in (
        '{"prompt": "a kite", "duration_s": NaN}',
        '{"prompt": "a kite", "duration_s": Infinity}',
        '{"prompt": "a kite", "duration_s": 4.0}',
        '{"prompt": "a kite", "audio": 0.0}',
        '{"prompt": "a kite \\ud800 over a beach"}',
        '{"prompt": "a kite \\u0000 over a beach"}',
        '{"prompt": "a kite", "campaign": "Spring\\u0000sale"}',
        '{"prompt": "a kite", "title": "Kite\\u0007"}',
        '{"prompt": "a kite", "copy": {"headline": "\\udfff"}}',
    ):
        response = await api.post("/api/video/generate", content=body, headers=raw)
        assert response.status_code == 422, (body, response.text)
        assert "detail" in response.json()
    assert (await api.post("/api/campaigns", json={"name": "Spring\x00sale"})).status_code == 422
    for path in ("/api/jobs/%00", "/api/jobs/nope", "/api/creatives/" + "a" * 33):
        assert (await api.get(path)).status_code == 422, path
    assert (await api.get("/api/jobs")).json() == [] and (await api.get("/api/campaigns")).json() == []


@pytest.mark.render
async def test_the_file_route_answers_head_ignores_a_nonsense_range_and_says_nosniff(api: httpx.AsyncClient) -> None:
    from chat import runtime

    job_id = (await api.post("/api/video/generate", json={"prompt": "a 2 second clip", "duration_s": 2})).json()
    studio = runtime.services().studio
    job = await studio.jobs.wait(await studio.accounts.cli_actor("alice"), job_id["job_id"])
    url = (await api.get(f"/api/creatives/{job.creative_id}")).json()["url"]
    head = await api.head(url)
    size = int(head.headers["content-length"])
    assert head.status_code == 200 and head.content == b"" and size > 1000
    assert head.headers["x-content-type-options"] == "nosniff"
    backwards = await api.get(url, headers={"Range": "bytes=100-50"})
    assert backwards.status_code == 200 and len(backwards.content) == size  # RFC 9110: ignored, not refused
    part = await api.get(url, headers={"Range": "bytes=0-9"})
    assert part.status_code == 206 and len(part.content) == 10


async def test_only_pages_of_this_server_may_drive_it(api: httpx.AsyncClient, settings: Settings) -> None:
    for origin in ("null", "file://", "https://evil.example", "http://rebind.example:8000"):
        response = await api.get("/api/jobs", headers={"Origin": origin, "Host": "127.0.0.1:8000"})
        assert response.status_code == 403, origin
    # A DNS-rebinding page reaches 127.0.0.1 under its own name, and sends that name as both Host and Origin.
    rebound = {"Origin": "http://rebind.example:8000", "Host": "rebind.example:8000"}
    refused = await api.get("/api/jobs", headers=rebound)
    assert refused.status_code == 400 and "allowed hosts" in refused.text
    assert (await api.get("/api/jobs", headers={"Host": "rebind.example"})).status_code == 400  # no Origin either
    for origin in ("http://127.0.0.1:8000", "http://localhost:8000", "http://[::1]:8000"):
        response = await api.get("/api/jobs", headers={"Origin": origin, "Host": "127.0.0.1:8000"})
        assert response.status_code == 200, origin
    # Another program's page on this machine (a dev server, a local app) is another site.
    for origin in ("http://localhost:3000", "http://127.0.0.1:8001", "http://127.0.0.1"):
        response = await api.get("/api/jobs", headers={"Origin": origin, "Host": "127.0.0.1:8000"})
        assert response.status_code == 403, origin
    assert (await api.get("/api/jobs", headers={"Origin": "http://localhost"})).status_code == 200  # port 80
    settings.public_url = "https://chat.acme.example"
    public = {"Origin": "https://chat.acme.example", "Host": "chat.acme.example"}
    assert (await api.get("/api/jobs", headers=public)).status_code == 200
    assert (await api.get("/api/jobs", headers={"Origin": "http://chat.acme.example"})).status_code == 403
    settings.allowed_hosts = ["rebind.example"]  # a name the operator says is theirs
    assert (await api.get("/api/jobs", headers=rebound)).status_code == 200


async def test_the_chat_refuses_to_be_framed_by_other_sites_and_its_cookie_stays_on_this_site(
    api: httpx.AsyncClient,
) -> None:
    page = await api.get("/", headers={"Authorization": ""})
    assert page.status_code == 200 and "<html" in page.text.lower()
    assert page.headers["content-security-policy"] == "frame-ancestors 'self'"
    assert page.headers["x-frame-options"] == "SAMEORIGIN"
    assert (await api.get("/api/jobs")).headers["content-security-policy"] == "frame-ancestors 'self'"
    signed_in = await api.post("/login", data={"username": "alice", "password": "alice-password"})
    assert signed_in.status_code == 200, signed_in.text
    assert "samesite=lax" in signed_in.headers["set-cookie"].lower()


async def test_an_id_with_a_line_break_gets_an_answer_in_the_apis_shape(api: httpx.AsyncClient) -> None:
    answered = await api.patch("/api/creatives/%F0%AF%8E%AA_%0AA", json={"title": "x"})
    assert answered.status_code == 422 and answered.json()["stage"] == "request"


async def test_the_owners_token_says_why_it_stopped_once_users_exist(settings: Settings) -> None:
    """A token made while nobody had to sign in stops when the first user is added: the answer says so and what
    to do, not that a user was removed or changed their password."""
    from chat import runtime

    async with app_client(settings) as client:
        studio = runtime.services().studio
        client.headers.update(await bearer(studio, None))
        assert (await client.get("/api/jobs")).status_code == 200
        await studio.accounts.add("alice", team="acme", password="alice-password")
        refused = await client.get("/api/jobs")
    assert refused.status_code == 401
    assert refused.json() == {
        "detail": "This token was made before sign-in was turned on, so it no longer works. Make a new one with "
        "`clapboard token --user NAME`.",
        "stage": "sign-in",
        "errors": [],
    }


async def test_a_dependency_overridden_on_the_app_is_what_the_api_routes_get(settings: Settings) -> None:
    """Tests stand in for what the routes depend on (here the actor a token names) on the app the factory builds,
    although the API is an app of its own mounted in it."""
    from campaign.people import LOCAL_OWNER
    from chat.http.deps import actor

    async with app_client(settings, overrides={actor: lambda: LOCAL_OWNER}) as client:
        created = await client.post("/api/campaigns", json={"name": "Spring"})
        listed = await client.get("/api/campaigns")
    assert created.status_code == 201, created.text
    assert [c["name"] for c in listed.json()] == ["Spring"]


class _Proxy:
    """A loopback TCP proxy to PostgreSQL: stopping it is the database going away, as in a restart."""

    def __init__(self) -> None:
        self.server: asyncio.Server | None = None
        self.writers: list[asyncio.StreamWriter] = []

    async def start(self, host: str, port: int) -> int:
        async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            with contextlib.suppress(OSError):
                while data := await reader.read(65536):
                    writer.write(data)
                    await writer.drain()
            writer.close()

        async def accept(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            up_reader, up_writer = await asyncio.open_connection(host, port)
            self.writers += [writer, up_writer]
            await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))

        self.server = await asyncio.start_server(accept, "127.0.0.1", 0)
        return self.server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        assert self.server is not None
        self.server.close()
        for writer in self.writers:
            writer.transport.abort()
        await self.server.wait_closed()


async def test_the_database_going_away_answers_503_with_retry_after(postgres_url: str, tmp_path: Path) -> None:
    """While PostgreSQL restarts, the API answers in its one error shape with a 503 and when to try again, not a
    plain-text 500 with a traceback."""
    from chat import runtime

    proxy = _Proxy()
    where = urlsplit(postgres_url)
    port = await proxy.start(where.hostname or "127.0.0.1", where.port or 5432)
    url = postgres_url.replace(where.netloc, f"{where.username}@127.0.0.1:{port}")
    settings = make_settings(tmp_path / "data", database_url=url, embedded_worker=False)
    async with app_client(settings, raise_app_exceptions=False) as client:
        client.headers.update(await bearer(runtime.services().studio, None))
        assert (await client.get("/api/jobs")).status_code == 200
        await proxy.stop()
        answers = [await client.get("/api/jobs"), await client.get("/api/campaigns")]
    for answer in answers:
        assert (answer.status_code, answer.headers["retry-after"]) == (503, "5")
        assert answer.json() == {
            "detail": "The database cannot be reached just now. Try again in a few seconds.",
            "stage": "database",
            "errors": [],
        }


async def test_the_schema_says_what_a_request_body_may_not_hold(api: httpx.AsyncClient) -> None:
    """What the API refuses is outside its schema, so a client (or schemathesis) that follows the schema is not
    refused for it: no empty reference, no length or rate of 0 or less, no empty upload."""
    from jsonschema import Draft202012Validator

    schema = (await api.get("/api/openapi.json")).json()
    body = Draft202012Validator({"$ref": "#/components/schemas/GenerateBody", "components": schema["components"]})
    refused = [{"duration_s": -1}, {"duration_s": 0}, {"fps": 0}, {"references": [""]}, {"references": [" refs/a"]}]
    for extra in refused:
        request = {"prompt": "a kite", **extra}
        assert not body.is_valid(request), request
        for path in ("/api/video/generate", "/api/video/examples/social-media"):
            answer = await api.post(path, json=request)
            assert answer.status_code == 422 and answer.json()["detail"], (path, extra, answer.text)
    assert body.is_valid({"prompt": "a kite", "duration_s": 2, "references": ["refs/a.png", "https://x.example/a"]})
    upload = schema["paths"]["/references"]["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert upload["properties"]["file"]["minLength"] == 1
    empty = await api.post("/api/references", files={"file": ("a.png", b"", "image/png")})
    assert empty.status_code == 422 and "empty" in empty.json()["detail"]


async def test_a_paid_creatives_footage_is_shown_and_served_to_its_team_only(
    api: httpx.AsyncClient, tmp_path: Path
) -> None:
    """GET /api/creatives/{id} gives the footage's signed link, which serves the model's raw video as
    "<title>-footage.mp4"; without a token the creative is a 401, for another team a 404; deleting the creative
    takes its footage too."""
    from campaign.models import Creative, new_id
    from chat import runtime
    from tests.fakes.replicate_server import make_mp4

    studio = runtime.services().studio
    await studio.accounts.add("carol", team="globex", password="carol-password")
    carol = await bearer(studio, "carol")
    alice = await studio.accounts.cli_actor("alice")
    campaign = await studio.store.campaign(alice.team_id, "Spring", create=True)
    cid = new_id()
    storage, raw, ad = studio.library.storage, make_mp4(320, 180, 2), make_mp4(320, 180, 3)
    for key, body in ((f"creatives/{cid}/footage.mp4", raw), (f"creatives/{cid}/video.mp4", ad)):
        await storage.put(key, body, "video/mp4")
    await studio.store.add_creative(
        Creative(id=cid, campaign_id=campaign.id, job_id=None, title="Kite teaser", prompt="a kite",
                 prompt_sent="a kite", model="veo-3.1", duration_s=2.0, aspect="16:9", width=320, height=180,
                 fps=2.0, bytes=len(ad), file_key=f"creatives/{cid}/video.mp4", poster_key=None,
                 footage_key=f"creatives/{cid}/footage.mp4", made_by=alice.user_id)
    )  # fmt: skip

    shown = (await api.get(f"/api/creatives/{cid}")).json()
    assert shown["footage_key"] == f"creatives/{cid}/footage.mp4"
    footage = await api.get(shown["footage_url"])
    assert footage.status_code == 200 and footage.content == raw != ad
    assert 'filename="Kite teaser-footage.mp4"' in footage.headers["content-disposition"]
    assert (await api.get(shown["url"])).content == ad
    assert (await api.get(f"/api/creatives/{cid}", headers={"Authorization": ""})).status_code == 401
    refused = await api.get(f"/api/creatives/{cid}", headers=carol)
    assert refused.status_code == 404 and "footage" not in refused.text
    assert all(c["id"] != cid for c in (await api.get("/api/creatives", headers=carol)).json())
    tampered = shown["footage_url"].replace("footage.mp4", "video.mp4")
    assert (await api.get(tampered)).status_code in (403, 404), "a signature covers its own file only"

    assert (await api.delete(f"/api/creatives/{cid}")).status_code == 204
    assert (await api.get(shown["footage_url"])).status_code == 404, "the footage left storage with it"


async def test_a_creative_s_sound_and_caption_files_are_shown_and_served_to_its_team_only(
    api: httpx.AsyncClient,
) -> None:
    """GET /api/creatives/{id} shows the voice-over, its loudness and its captions' signed links, which serve the
    SRT and VTT as "<title>-<format>.srt/.vtt"; without a token it is a 401, for another team a 404; deleting the
    creative takes its sound files too. POST /api/video/generate takes the sound fields and says what it chose."""
    from campaign.models import Creative, new_id
    from chat import runtime
    from tests.fakes.replicate_server import make_mp4
    from tools.sound.speech import CreativeSound, SpokenLine, Word

    studio = runtime.services().studio
    await studio.accounts.add("carol", team="globex", password="carol-password")
    carol = await bearer(studio, "carol")
    alice = await studio.accounts.cli_actor("alice")
    campaign = await studio.store.campaign(alice.team_id, "Spring", create=True)
    cid = new_id()
    storage, ad = studio.library.storage, make_mp4(320, 180, 2)
    srt = "1\n00:00:00,500 --> 00:00:02,000\nMeet Aero.\n"
    vtt = "WEBVTT\n\n00:00:00.500 --> 00:00:02.000\nMeet Aero.\n"
    files = {"video.mp4": ad, "voice.flac": b"fLaC", "captions.srt": srt.encode(), "captions.vtt": vtt.encode()}
    for name, body in files.items():
        await storage.put(f"creatives/{cid}/{name}", body, "application/octet-stream")
    line = SpokenLine(text="Meet Aero.", start=0.5, end=2.0, words=[Word(text="Meet", start=0.5, end=1.0)])
    sound = CreativeSound(voice="joe", lines=[line], music="calm-1", target_lufs=-14.0, lufs=-14.2,
                          true_peak_dbtp=-1.3, voice_key=f"creatives/{cid}/voice.flac",
                          srt_key=f"creatives/{cid}/captions.srt", vtt_key=f"creatives/{cid}/captions.vtt")  # fmt: skip
    await studio.store.add_creative(
        Creative(id=cid, campaign_id=campaign.id, job_id=None, title="Aero ad", prompt="a lamp", prompt_sent="a lamp",
                 model="draft", duration_s=2.0, aspect="16:9", width=320, height=180, fps=2.0, bytes=len(ad),
                 file_key=f"creatives/{cid}/video.mp4", poster_key=None, made_by=alice.user_id,
                 sound=sound.model_dump(mode="json"))
    )  # fmt: skip

    shown = (await api.get(f"/api/creatives/{cid}")).json()
    assert shown["sound"]["voice"] == "joe" and shown["sound"]["lufs"] == -14.2
    assert shown["sound"]["lines"][0]["text"] == "Meet Aero."
    got_srt, got_vtt = await api.get(shown["captions_srt_url"]), await api.get(shown["captions_vtt_url"])
    assert (got_srt.status_code, got_srt.text) == (200, srt) and (got_vtt.status_code, got_vtt.text) == (200, vtt)
    assert 'filename="Aero ad-16x9.srt"' in got_srt.headers["content-disposition"]
    assert 'filename="Aero ad-16x9.vtt"' in got_vtt.headers["content-disposition"]
    assert (await api.get(f"/api/creatives/{cid}", headers={"Authorization": ""})).status_code == 401
    refused = await api.get(f"/api/creatives/{cid}", headers=carol)
    assert refused.status_code == 404 and "captions" not in refused.text

    asked = await api.post("/api/video/generate", json={"prompt": 'a narrated lamp ad: "Meet Aero"', "duration_s": 2,
                                                         "voice": "none", "music": False})  # fmt: skip
    assert asked.status_code == 202, asked.text
    assert (asked.json()["sound"]["voice"], asked.json()["sound"]["music"], asked.json()["voice_name"]) == (
        None, False, "")  # fmt: skip
    voices = {v["id"]: v for v in (await api.get("/api/video/voices")).json()}
    assert voices["joe"]["available"] and not voices["hazel"]["available"]  # no Replicate token here
    assert (await api.get("/api/video/voices", headers={"Authorization": ""})).status_code == 401
    bad = await api.post("/api/video/generate", json={"prompt": "a lamp ad", "voice": "nobody"})
    assert bad.status_code == 422 and "no voice called" in bad.text.lower()

    assert (await api.delete(f"/api/creatives/{cid}")).status_code == 204
    assert (await api.get(shown["captions_srt_url"])).status_code == 404, "the captions left storage with it"
    assert storage.local_path(f"creatives/{cid}/voice.flac") is None
