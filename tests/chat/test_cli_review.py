"""`clapboard review-link`, `review-links`, `review-revoke`, `reviews` and `approval` as a team runs them: the link's
whole address printed (CLAPBOARD_PUBLIC_URL, else what `make run` serves), what a reviewer said listed with who
and where in the video, a revoked link refused at once, another team's creative not found, and only an admin
turning the gate on. Each verb's --json is what the API answers."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from campaign.settings import Settings
from tests.chat.test_cli import clapboard
from tests.tools.test_reviews import _creative
from tools.studio import Studio
from tools.studio.types import LinkGone


def _with_studio(settings: Settings, fn: Callable[[Studio], Awaitable[Any]]) -> Any:
    """`fn` run on a studio of the CLI's database, as another process (the reviewer's server) would."""

    async def run() -> Any:
        studio = await Studio.open(settings, server=False)
        try:
            return await fn(studio)
        finally:
            await studio.close()

    return asyncio.run(run())


@pytest.fixture
def team(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    """alice (an admin) and bob of acme, carol of globex; two creatives of acme's, one set: their ids. The CLI
    shares the test's secret, so the links it makes open through the studio the test opens."""
    monkeypatch.setenv("CLAPBOARD_SECRET_KEY", settings.secret_key.get_secret_value() if settings.secret_key else "")
    monkeypatch.delenv("CLAPBOARD_PUBLIC_URL", raising=False)
    monkeypatch.delenv("CLAPBOARD_USER", raising=False)

    async def made(studio: Studio) -> tuple[str, str]:
        for name, team, admin in (("alice", "acme", True), ("bob", "acme", False), ("carol", "globex", False)):
            await studio.accounts.add(name, team=team, password=None, admin=admin)
        alice = await studio.accounts.cli_actor("alice")
        return (await _creative(studio, alice, "Sneaker showcase, vertical", set_id="s1"),
                await _creative(studio, alice, "Sneaker showcase, square", set_id="s1"))  # fmt: skip

    return _with_studio(settings, made)  # type: ignore[no-any-return]


def test_a_link_is_printed_followed_and_revoked(settings: Settings, team: tuple[str, str]) -> None:
    data = settings.data_dir
    made, square = team
    shared = clapboard(data, "review-link", made[:8], "--as", "bob", "--label", "client link", "--days", "3")
    assert shared.returncode == 0, shared.stderr
    url, said, assumed = shared.stdout.splitlines()
    assert assumed == "(The address assumes the server at http://127.0.0.1:8000: set the server's public URL to the " \
        "one reviewers reach.)"  # fmt: skip
    assert url.startswith("http://127.0.0.1:8000/review/") and len(url) > 60
    assert said.startswith("Opens “Sneaker showcase, vertical” until ") and " UTC, without an account." in said
    link_id = said.rsplit("clapboard review-revoke ", 1)[1]
    token = url.removeprefix("http://127.0.0.1:8000/review/")

    whole = clapboard(data, "review-link", square[:8], "--set", "--json", "--as", "alice")
    assert whole.returncode == 0, whole.stderr
    shown = json.loads(whole.stdout)
    assert shown["creative_ids"] == [made, square] and shown["url"] == "http://127.0.0.1:8000" + shown["path"]
    assert "and 1 more of its set" in clapboard(data, "review-link", made[:8], "--set", "--as", "bob").stdout

    async def reviewed(studio: Studio) -> None:
        await studio.reviews.comment(token, made, "Ann", "Logo too small", 3.2)
        await studio.reviews.decide(token, made, "Ann", "request changes", "<script>alert(1)</script> bigger")

    _with_studio(settings, reviewed)
    notes = clapboard(data, "reviews", made[:8], "--as", "bob")
    assert notes.returncode == 0, notes.stderr
    lines = notes.stdout.splitlines()
    assert lines[0] == "“Sneaker showcase, vertical”: changes requested"
    assert lines[1].endswith("  Ann (client link) commented at 0:03 on “Sneaker showcase, vertical”: Logo too small")
    assert lines[2].endswith(" asked for changes to “Sneaker showcase, vertical”: <script>alert(1)</script> bigger")
    as_json = json.loads(clapboard(data, "reviews", made, "--json", "--as", "bob").stdout)
    assert [(n["kind"], n["at"], n["link_label"]) for n in as_json] == [
        ("comment", "0:03", "client link"), ("changes requested", None, "client link")]  # fmt: skip
    assert clapboard(data, "reviews", square[:8], "--as", "bob").stdout.splitlines() == [
        "“Sneaker showcase, square”: in review", "  No comments yet."]  # fmt: skip

    listed = clapboard(data, "review-links", made[:8], "--as", "bob").stdout.splitlines()
    assert len(listed) == 6 and listed[4].startswith(f"{link_id}  live     until ") and listed[5] == f"  {url}"
    assert "1 video   by bob  client link" in listed[4] and "2 videos  by alice" in listed[2]
    revoked = clapboard(data, "review-revoke", link_id, "--as", "bob")
    assert (revoked.returncode, revoked.stdout) == (0, f"Revoked {link_id}: it opens nothing from now on.\n")

    async def opened(studio: Studio) -> None:
        await studio.reviews.page(token)

    with pytest.raises(LinkGone, match="withdrawn"):
        _with_studio(settings, opened)
    states = {
        x["id"]: x["state"] for x in json.loads(clapboard(data, "review-links", made, "--json", "--as", "bob").stdout)
    }
    assert states[link_id] == "revoked" and list(states.values()).count("live") == 2

    for refused in (("review-link", made), ("review-links", made), ("reviews", made), ("review-revoke", link_id)):
        answer = clapboard(data, *refused, "--as", "carol")
        assert answer.returncode == 2 and answer.stdout == "" and answer.stderr.startswith("error: "), refused
    too_long = clapboard(data, "review-link", made[:8], "--days", "91", "--as", "alice")
    assert too_long.returncode == 2 and "A review link lasts 1 to 90 days, not 91." in too_long.stderr


def test_the_address_is_the_public_url_when_set(
    settings: Settings, team: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLAPBOARD_PUBLIC_URL", "https://clapboard.acme.example")
    shared = clapboard(settings.data_dir, "review-link", team[0][:8], "--as", "bob")
    assert shared.returncode == 0 and shared.stdout.startswith("https://clapboard.acme.example/review/"), shared.stderr


def test_only_an_admin_turns_the_gate_on(settings: Settings, team: tuple[str, str]) -> None:
    data = settings.data_dir
    off = clapboard(data, "approval", "--as", "bob")
    assert off.stdout == "Exports of acme need no approval: any creative can be exported.\n", off.stderr
    member = clapboard(data, "approval", "on", "--as", "bob")
    assert member.returncode == 2 and "Only an admin can change whether exports need approval." in member.stderr
    on = clapboard(data, "approval", "on", "--as", "alice")
    assert on.stdout == "Exports of acme need approval: only a creative a reviewer approved is exported.\n"
    assert json.loads(clapboard(data, "approval", "--json", "--as", "bob").stdout) == {
        "team": "acme", "exports_need_approval": True}  # fmt: skip
    assert json.loads(clapboard(data, "approval", "--json", "--as", "carol").stdout)["exports_need_approval"] is False
    assert clapboard(data, "approval", "maybe", "--as", "alice").returncode == 2
    refused = clapboard(data, "export", team[0][:8], "--channels", "reels", "--as", "bob")
    assert refused.returncode == 2 and "your team exports approved videos only" in refused.stderr
