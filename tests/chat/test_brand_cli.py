"""`clapboard brand show|set`, run in this process: a kit set and edited from the command line is what every new
draft follows, each creative names the kit versions it was made with, and a campaign's kit overrides the team's."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from campaign.settings import Settings
from campaign.store import Store
from chat.cli import _run
from tests.conftest import png_bytes
from tools.jobs.spec import JobSpec

FONT = Path(__file__).parents[2] / "tools" / "fonts" / "RedHatDisplay-Bold.ttf"
Cli = Callable[..., tuple[int, str, str]]


@pytest.fixture
def cli(settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Cli:
    """`clapboard ARGS` on the test's data folder: its exit code, output and errors."""
    for name in os.environ:
        if name.startswith(("OPENAI", "POE", "REPLICATE", "DATABASE", "CLAPBOARD")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("CLAPBOARD_DATA_DIR", str(settings.data_dir))
    monkeypatch.chdir(settings.data_dir.parent)

    def run(*args: str) -> tuple[int, str, str]:
        code = _run(list(args))
        said = capsys.readouterr()
        return code, said.out, said.err

    return run


def test_show_and_set_say_what_the_kit_is(cli: Cli, tmp_path: Path) -> None:
    assert cli("brand", "show")[1].startswith("Team kit: not set\nNew videos follow: no brand kit")
    logo = tmp_path / "logo.png"
    logo.write_bytes(png_bytes((300, 120), (0, 0, 0, 0), mode="RGBA"))
    code, out, err = cli("brand", "set", "--logo", str(logo), "--colors", "#0A2540:background,#FF5A1F",
                         "--font", str(FONT), "--tone", "bold, playful", "--cta", "Shop now")  # fmt: skip
    assert code == 0, err
    assert "Team kit: v1, by owner" in out and "New videos follow: team kit v1" in out
    assert "colours:    #0A2540 background, #FF5A1F" in out and "fonts:      Red Hat Display (headline)" in out
    code, out, _ = cli("brand", "set", "--clear", "font", "--clear", "logo-light", "--json")
    kit = json.loads(out)
    assert (kit["label"], kit["effective"]["fonts"], kit["effective"]["cta"]) == ("team kit v2", [], "Shop now")


def test_what_a_kit_cannot_take_is_refused_naming_it(cli: Cli, tmp_path: Path) -> None:
    not_font = tmp_path / "Inter.ttf"
    not_font.write_bytes(b"MZ\x90\x00" + bytes(300))
    code, _, err = cli("brand", "set", "--body-font", str(not_font))
    assert code == 2 and "The body font “Inter.ttf” is a Windows program, not a TTF or OTF font" in err
    code, _, err = cli("brand", "set", "--logo", str(tmp_path / "missing.png"))
    assert code == 2 and "--logo: " in err and "could not be read" in err
    code, _, err = cli("brand", "show", "--campaign", "Nope")
    assert code == 2 and "There is no campaign called 'Nope'" in err
    code, _, err = cli("brand", "set", "--campaign", "", "--cta", "Shop now")
    assert code == 2 and "A campaign name must be 1 to 200 characters" in err
    assert cli("brand", "show")[1].startswith("Team kit: not set")


@pytest.mark.render
def test_every_draft_follows_the_kit_and_names_its_version(cli: Cli, settings: Settings, tmp_path: Path) -> None:
    import asyncio

    logo = tmp_path / "logo.png"
    logo.write_bytes(png_bytes((300, 120), (0, 0, 0, 0), mode="RGBA"))
    assert cli("brand", "set", "--logo", str(logo), "--colors", "#0A2540,#FF5A1F", "--cta", "Shop now")[0] == 0

    def draft(*more: str) -> dict:
        code, out, err = cli("generate", "--prompt", "a 2 second teaser", "--duration", "2", "--json", *more)
        assert code == 0, err
        return json.loads(out)

    first = draft()
    assert first["brand_version"] == {"team": 1, "campaign": None}
    assert cli("brand", "set", "--colors", "#111111,#FFCC00")[0] == 0
    second = draft()
    assert second["brand_version"] == {"team": 2, "campaign": None}
    code, out, _ = cli("creatives", "--json")
    assert {c["id"]: c["brand_version"]["team"] for c in json.loads(out)} == {first["id"]: 1, second["id"]: 2}

    code, out, err = cli("brand", "set", "--campaign", "Spring", "--cta", "Spring deals", "--json")
    assert code == 0, err
    spring = json.loads(out)
    assert spring["version"] == {"team": 2, "campaign": 1} and spring["label"] == "team kit v2 + campaign kit v1"
    assert (spring["effective"]["cta"], spring["effective"]["colors"][0]["hex"]) == ("Spring deals", "#111111")
    assert spring["team_kit"]["kit"]["cta"] == "Shop now"  # the team's kit is untouched
    third = draft("--campaign", "Spring")
    assert third["brand_version"] == {"team": 2, "campaign": 1}

    async def specs() -> dict[str, JobSpec]:
        store = await Store.open(settings.sqlalchemy_url)
        try:
            return {j.creative_id or "": JobSpec.of(j) for j in await store.jobs("default")}
        finally:
            await store.close()

    made = asyncio.run(specs())
    kits = {cid: s.brand for cid, s in made.items() if s.brand}
    assert kits[first["id"]].colors[0].hex == "#0A2540" and kits[second["id"]].colors[0].hex == "#111111"
    assert kits[third["id"]].cta == "Spring deals" and kits[third["id"]].logo == kits[first["id"]].logo
