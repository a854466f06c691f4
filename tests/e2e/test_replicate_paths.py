"""Premium models end to end against the fake Replicate: CLI with --yes, price confirmation in the chat,
fallback when a model is down, and the live schema refresh."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.e2e.chainlit_server import ChatClient, chainlit_server
from tests.fakes.replicate_server import FakeReplicate, replicate_settings
from tools.media import probe


def clapboard(fake: FakeReplicate, data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI", "POE", "REPLICATE", "DATABASE"))}
    env.update(CLAPBOARD_DATA_DIR=str(data_dir), REPLICATE_API_TOKEN=fake.token, REPLICATE_BASE_URL=fake.base_url,
               CLAPBOARD_REPLICATE_POLL_S="0.01")  # fmt: skip
    return subprocess.run([sys.executable, "-m", "chat.cli", *args], capture_output=True, text=True, env=env,
                          cwd=data_dir.parent, timeout=240, stdin=subprocess.DEVNULL)  # fmt: skip


def test_cli_generates_on_veo_with_a_reference_and_records_the_prediction(
    fake_replicate: FakeReplicate, tmp_path: Path, product_png: Path
) -> None:
    done = clapboard(fake_replicate, tmp_path / "data", "generate", "--model", "veo-3.1", "--duration", "8",
                     "--aspect", "16:9", "--ref", str(product_png), "--prompt", "our logo on a sunrise beach",
                     "--yes", "--json")  # fmt: skip
    assert done.returncode == 0, done.stderr
    creative = json.loads(done.stdout)
    assert creative["model"] == "veo-3.1" and creative["provider_job_id"]
    assert creative["actual_cost_usd"] > 0 and creative["estimated_cost_usd"] > 0
    info = probe(Path(creative["file"]))
    assert info.codec == "h264" and abs(info.duration_s - 8) < 0.6

    (create,) = fake_replicate.creates()
    assert create.path == "/v1/models/google/veo-3.1/predictions"
    assert create.headers.get("cancel-after")
    sent = create.json["input"]
    assert sent["duration"] == 8 and sent["aspect_ratio"] == "16:9"
    assert any(str(v).startswith("http") for k, v in sent.items() if k in ("image", "reference_images"))
    assert creative["provider_job_id"] == fake_replicate.polls()[-1].path.rsplit("/", 1)[1]


def test_cli_asks_before_spending_and_refuses_invalid_requests_before_any_call(
    fake_replicate: FakeReplicate, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    unconfirmed = clapboard(fake_replicate, data, "generate", "--model", "veo-3.1", "--prompt", "a kite")
    assert unconfirmed.returncode == 2 and "Add --yes" in unconfirmed.stderr and "$" in unconfirmed.stderr
    seven = clapboard(fake_replicate, data, "generate", "--model", "veo-3.1", "--duration", "7", "--prompt", "a kite")
    assert seven.returncode == 2 and "6 s or 8 s" in seven.stderr
    assert fake_replicate.creates() == []


def test_a_model_that_is_down_falls_back_and_the_cli_says_which_made_it(
    fake_replicate: FakeReplicate, tmp_path: Path
) -> None:
    fake_replicate.set_scenario("google/veo-3.1", "failed")
    done = clapboard(fake_replicate, tmp_path / "data", "generate", "--model", "veo-3.1", "--duration", "8",
                     "--prompt", "a lighthouse at dawn", "--yes")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Veo 3.1 could not make it" in done.stdout
    assert len(fake_replicate.creates()) >= 1


def test_models_refresh_marks_a_delisted_model_unavailable(fake_replicate: FakeReplicate, tmp_path: Path) -> None:
    fake_replicate.remove_model("runwayml/gen4-turbo")
    done = clapboard(fake_replicate, tmp_path / "data", "models", "--refresh", "--json")
    assert done.returncode == 0, done.stderr
    models = {m["id"]: m for m in json.loads(done.stdout)}
    turbo = next(m for m in models.values() if m["id"].startswith("gen4-turbo") or "turbo" in m["id"])
    assert not turbo["available"]
    assert models["veo-3.1"]["available"]
    again = clapboard(fake_replicate, tmp_path / "data", "models", "--json")  # the cache is used afterwards
    assert not {m["id"]: m for m in json.loads(again.stdout)}[turbo["id"]]["available"]


async def test_chat_shows_the_price_and_generates_after_the_click(
    fake_replicate: FakeReplicate, tmp_path: Path
) -> None:
    settings = replicate_settings(fake_replicate, tmp_path / "data")
    async with chainlit_server(settings) as base:
        tab = ChatClient(base)
        await tab.connect()
        await tab.send("make an 8s 16:9 video on veo-3.1 of a lighthouse at dawn")
        actions = await tab.wait_for(lambda: [d for e, d in tab.events if e == "action"])
        assert any("$" in m and "Veo 3.1" in m for m in tab.messages())
        assert fake_replicate.creates() == []  # nothing is spent before the click
        confirm = next(a for a in actions if a["name"] == "confirm_job")
        response = await tab.click(confirm)
        assert response.status_code == 200, response.text
        videos = await tab.wait_for(lambda: tab.elements("video"))
        assert videos and any("veo-3.1" in m for m in tab.messages())
        removed = {d["id"] for e, d in tab.events if e == "remove_action"}
        assert {a["id"] for a in actions} <= removed  # both buttons go, so Cancel cannot be clicked afterwards
        assert len(fake_replicate.creates()) == 1
        await tab.close()


async def test_a_reload_keeps_the_price_question_and_nothing_runs_until_confirmed(
    fake_replicate: FakeReplicate, tmp_path: Path
) -> None:
    settings = replicate_settings(fake_replicate, tmp_path / "data")
    async with chainlit_server(settings) as base:
        first = ChatClient(base)
        await first.connect()
        await first.send("make an 8s 16:9 video on veo-3.1 of a lighthouse at dawn")
        await first.wait_for(lambda: [d for e, d in first.events if e == "action"])
        thread = await first.thread()
        await first.close()

        second = ChatClient(base)
        await second.connect(thread_id=thread)  # a reload reopens the conversation, which asks again
        actions = await second.wait_for(lambda: [d for e, d in second.events if e == "action"])
        assert any("Still waiting for your go-ahead" in m for m in second.messages())
        cancel = next(a for a in actions if a["name"] == "cancel_job")
        await second.click(cancel)
        await second.wait_for(lambda: any("nothing was started or charged" in m for m in second.messages()))
        assert fake_replicate.creates() == []
        await second.close()
