"""The campaign library through the facade: rename (anyone in the team), delete (its maker or an admin; the files
leave storage, local or S3), spend per campaign, ids by their first characters; another team's ids are not found."""

from __future__ import annotations

from pathlib import Path

import pytest

from campaign.errors import Forbidden, InvalidRequest, NotFound
from campaign.models import Creative
from campaign.people import Actor
from campaign.settings import Settings
from campaign.storage import build_storage
from tests.conftest import make_settings
from tests.fakes.s3 import MotoS3
from tests.tools.test_jobs import runner
from tools.engines.base import RenderJob, RenderOutcome
from tools.engines.draft.engine import DraftEngine
from tools.jobs import VideoRequest
from tools.studio import Studio


class Billed:
    """The draft engine standing in for a paid model, reporting what the provider charged."""

    def __init__(self, settings: Settings, charged: float) -> None:
        self.draft, self.charged = DraftEngine(build_storage(settings)), charged

    async def render(self, job: RenderJob, dest: Path, progress: object) -> RenderOutcome:
        await self.draft.render(job, dest, progress)
        return RenderOutcome(provider_job_id="p-1", actual_cost_usd=self.charged)

    async def cancel(self, prediction_id: str) -> None:
        pass


async def _team(studio: Studio) -> dict[str, Actor]:
    for name, team, admin in (("alice", "acme", False), ("bob", "acme", False), ("erin", "acme", True),
                              ("carol", "globex", False)):  # fmt: skip
        await studio.accounts.add(name, team=team, password=f"{name}-password", admin=admin)
    return {name: await studio.accounts.cli_actor(name) for name in ("alice", "bob", "erin", "carol")}


async def _make(studio: Studio, actor: Actor, prompt: str, **options: object) -> str:
    request = VideoRequest(**{"prompt": prompt, "duration_s": 2, **options})
    submitted = await studio.jobs.submit(actor, request, confirmed=True)
    job = await studio.jobs.wait(actor, submitted.job_id)
    assert job.status == "succeeded", job.error
    return job.creative_id or ""


@pytest.mark.render
async def test_rename_delete_and_spend_within_the_team(settings: Settings) -> None:
    studio = await runner(settings, {"premium": Billed(settings, charged=0.8)})
    try:
        who = await _team(studio)
        alice, bob, erin, carol = who["alice"], who["bob"], who["erin"], who["carol"]
        kite = await _make(studio, alice, "a vertical video of a red kite", aspect="9:16", campaign="Spring")
        paid = await _make(studio, alice, "a landscape video of a kite festival", model="premium", duration_s=4,
                           campaign="Spring")  # fmt: skip
        boat = await _make(studio, bob, "a square video of a sail boat", aspect="1:1", campaign="Autumn")

        spend = {c.name: (c.creatives, c.spend_usd) for c in await studio.library.campaigns(bob)}
        assert spend == {"Spring": (2, 0.8), "Autumn": (1, 0.0)}  # the provider's charge, not the $1.00 estimate
        assert await studio.library.campaigns(carol) == []

        renamed = await studio.library.rename_creative(bob, kite, "  Kite   teaser\nfor spring ")  # anyone in the team
        assert renamed.title == "Kite teaser for spring" and renamed.made_by == "alice"
        assert renamed.download_url != (await studio.library.creative(alice, paid)).download_url
        assert "Kite%20teaser%20for%20spring-9x16.mp4" in renamed.download_url
        for bad in ("", "   ", "x" * 121):
            with pytest.raises(InvalidRequest, match="1 to 120 characters"):
                await studio.library.rename_creative(alice, kite, bad)
        for bad in ("Kite\x00teaser", "Kite \ud800"):  # PostgreSQL refuses NUL; a lone surrogate is not UTF-8
            with pytest.raises(InvalidRequest, match="cannot be stored"):
                await studio.library.rename_creative(alice, kite, bad)
        with pytest.raises(NotFound):
            await studio.library.rename_creative(carol, kite, "Mine now")
        assert (await studio.library.creative(alice, kite)).title == "Kite teaser for spring"

        library = await studio.library.library(bob)
        assert [c.id for c in library.creatives] == [boat, paid, kite]
        assert library.deletable == [boat]  # bob's own; alice's are hers (or an admin's) to delete
        assert set((await studio.library.library(erin)).deletable) == {boat, paid, kite}
        assert [c.name for c in (await studio.library.library(alice, "spring")).campaigns] == ["Spring"]
        assert (await studio.library.library(carol)).creatives == []
        with pytest.raises(NotFound):
            await studio.library.library(carol, "Spring")

        with pytest.raises(Forbidden, match="Only alice or an admin can delete this creative"):
            await studio.library.delete_creative(bob, kite)
        with pytest.raises(NotFound):
            await studio.library.delete_creative(carol, kite)
        files = [
            studio.files.storage.local_path(k) for k in (f"creatives/{kite}/video.mp4", f"creatives/{kite}/poster.jpg")
        ]
        assert all(f is not None and f.is_file() for f in files)
        job_id = next(j.id for j in await studio.jobs.jobs(alice) if j.creative_id == kite)

        await studio.library.delete_creative(alice, kite)
        assert not any(f.exists() for f in files if f)
        with pytest.raises(NotFound):
            await studio.library.creative(alice, kite)
        job = await studio.jobs.job(alice, job_id)  # the job keeps its history
        assert (job.status, job.submitted_by, job.creative_id) == ("succeeded", "alice", None)
        assert job_id not in {
            j.id for j in await studio.jobs.undelivered(alice, "")
        }  # no "finished while you were away"
        await studio.library.delete_creative(erin, boat)  # an admin may delete anyone's
        assert {c.name: c.creatives for c in await studio.library.campaigns(alice)} == {"Spring": 1, "Autumn": 0}
    finally:
        await studio.close()


@pytest.mark.render
async def test_a_creative_is_found_by_the_start_of_its_id(settings: Settings) -> None:
    studio = await runner(settings)
    try:
        who = await _team(studio)
        made = await _make(studio, who["alice"], "a video of a lighthouse")
        assert (await studio.library.find_creative(who["bob"], made[:8].upper())).id == made
        assert (await studio.library.find_creative(who["bob"], made)).id == made
        for missing in (made[:3], "zzzzzzzz", made[:8] + "x"):
            with pytest.raises(NotFound):
                await studio.library.find_creative(who["bob"], missing)
        with pytest.raises(NotFound):
            await studio.library.find_creative(who["carol"], made[:8])
        original = await studio.store.creative(made, who["alice"].team_id)
        for twin in ("abcd1111", "abcd2222"):  # ids are random: two that start alike, written as the runner does
            await studio.store.add_creative(Creative(**{
                c.key: getattr(original, c.key) for c in Creative.__table__.columns if c.key not in ("id", "job_id")
            }, id=twin + "0" * 24))  # fmt: skip
        with pytest.raises(InvalidRequest, match="More than one creative starts with 'abcd'"):
            await studio.library.find_creative(who["bob"], "abcd")
        assert (await studio.library.find_creative(who["bob"], "abcd2")).id == "abcd2222" + "0" * 24
    finally:
        await studio.close()


@pytest.mark.render
async def test_deleting_removes_the_files_from_s3(tmp_path: Path, moto_s3: MotoS3, monkeypatch) -> None:
    bucket = moto_s3.create_bucket()
    for name, value in moto_s3.env(bucket).items():
        monkeypatch.setenv(name, value)
    studio = await runner(make_settings(tmp_path / "data"))
    try:
        made = await _make(studio, (await _team(studio))["alice"], "a video of a lighthouse", campaign="Harbour")
        alice = await studio.accounts.cli_actor("alice")
        keys = {o["Key"] for o in moto_s3.client().list_objects_v2(Bucket=bucket)["Contents"]}
        assert {f"creatives/{made}/video.mp4", f"creatives/{made}/poster.jpg"} <= keys
        await studio.library.delete_creative(alice, made)
        left = {o["Key"] for o in moto_s3.client().list_objects_v2(Bucket=bucket).get("Contents", [])}
        assert not {k for k in left if k.startswith("creatives/")}
        assert [(c.name, c.creatives) for c in await studio.library.campaigns(alice)] == [("Harbour", 0)]
    finally:
        await studio.close()
