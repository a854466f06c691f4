"""Money in the chat against the fake Replicate: a failed paid model asks before the next paid one starts, the
provider's own error text never reaches the user, the three starters succeed with a Replicate token set, and a
stop while Replicate is still answering the create cancels the prediction and says what was spent."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

from campaign.models import DEFAULT_TEAM_ID
from tests.conftest import png_bytes
from tests.e2e.chainlit_server import ChatClient, chainlit_server
from tests.e2e.server_process import until
from tests.fakes.replicate_server import FakeReplicate, replicate_settings
from tools.refine import DRAWN_OVER


def _actions(tab: ChatClient, name: str) -> list[dict[str, Any]]:
    return [d for e, d in tab.events if e == "action" and d["name"] == name]


async def _confirm(tab: ChatClient, count: int) -> dict[str, Any]:
    """Click the `count`-th Generate button the chat shows (waiting for it)."""
    buttons = await tab.wait_for(lambda: _actions(tab, "confirm_job")[count - 1 :])
    assert (await tab.click(buttons[0])).status_code == 200
    return buttons[0]


async def test_a_failed_paid_model_asks_with_the_next_ones_price(fake_replicate: FakeReplicate, tmp_path: Path) -> None:
    fake_replicate.set_scenario("google/veo-3.1", "failed")  # "CUDA error: an illegal memory access ..."
    async with chainlit_server(replicate_settings(fake_replicate, tmp_path / "data")) as base:
        tab = ChatClient(base)
        await tab.connect()
        await tab.send("make an 8s 16:9 video on veo-3.1 of a lighthouse at dawn")
        await _confirm(tab, 1)
        offer = await tab.wait_for(lambda: [m for m in tab.messages() if "can make it instead" in m])
        assert "Veo 3.1 could not make it" in offer[0] and "GPU" in offer[0]
        assert "Kling 3 Omni can make it instead" in offer[0] and "$2.24" in offer[0]
        assert len(fake_replicate.creates()) == 1  # the next paid model waits for the user
        second = (await tab.wait_for(lambda: _actions(tab, "confirm_job")[1:]))[0]
        assert second["label"] == "Generate “Lighthouse at dawn, landscape” for $2.24"

        await _confirm(tab, 2)
        await tab.wait_for(lambda: tab.elements("video"))
        assert [c.path for c in fake_replicate.creates()] == [
            "/v1/models/google/veo-3.1/predictions",
            "/v1/models/kwaivgi/kling-v3-omni-video/predictions",
        ]
        shown = "\n".join(tab.messages())
        assert "CUDA" not in shown and "illegal memory" not in shown
        await tab.close()


async def test_the_three_starters_succeed_with_a_replicate_token(fake_replicate: FakeReplicate, tmp_path: Path) -> None:
    from chat.panel import STARTERS

    async with chainlit_server(replicate_settings(fake_replicate, tmp_path / "data")) as base:
        tab = ChatClient(base)
        await tab.connect()
        for n, starter in enumerate(STARTERS, 1):
            await tab.send(starter.message)
            if starter.needs:
                await tab.wait_for(lambda s=starter: any(f"I need {s.needs}" in m for m in tab.messages()))
                image = await tab.upload("image.png", png_bytes((800, 800)), "image/png")
                await tab.send("", [image])
            await _confirm(tab, n)
            await tab.wait_for(lambda n=n: len(tab.elements("video")) == n, 120)
        shown = tab.messages()
        assert any("Veo 3.1 cannot make a 10 s 16:9 video, so this one is made on" in m for m in shown)
        assert any("Veo 3.1 cannot make a 15 s 9:16 video" in m for m in shown)
        creates = fake_replicate.creates()
        assert len(creates) == 3
        assert creates[0].path == "/v1/models/google/veo-3.1/predictions"  # the default model made the one it can
        assert all(any(str(v).startswith("http") for v in c.json["input"].values()) for c in creates[:2])
        await tab.close()


async def test_no_audio_in_words_changes_the_price_and_the_request(
    fake_replicate: FakeReplicate, tmp_path: Path
) -> None:
    async with chainlit_server(replicate_settings(fake_replicate, tmp_path / "data")) as base:
        tab = ChatClient(base)
        await tab.connect()
        await tab.send("make an 8s 16:9 video on veo-3.1 of a lighthouse at dawn")
        [with_sound] = await tab.wait_for(lambda: _actions(tab, "confirm_job"))
        await tab.send("make an 8s 16:9 video on veo-3.1 of a lighthouse at dawn, no audio")
        [silent] = await tab.wait_for(lambda: _actions(tab, "confirm_job")[1:])
        assert (
            with_sound["label"]
            == silent["label"].replace("$1.60", "$3.20")
            == ("Generate “Lighthouse at dawn, landscape” for $3.20")
        )
        assert (await tab.click(silent)).status_code == 200
        await tab.wait_for(lambda: tab.elements("video"))
        [create] = fake_replicate.creates()
        assert create.json["input"]["generate_audio"] is False
        await tab.close()


async def test_a_stop_while_replicate_answers_the_create_cancels_it_and_says_what_was_spent(
    fake_replicate: FakeReplicate, tmp_path: Path
) -> None:
    from chat import runtime

    async with chainlit_server(replicate_settings(fake_replicate, tmp_path / "data")) as base:
        studio = runtime.services().studio
        tab = ChatClient(base)
        await tab.connect()
        await tab.send("make an 8s 16:9 video on veo-3.1 of a lighthouse at dawn")
        fake_replicate.hold_creates()
        button = await _confirm(tab, 1)
        [pid] = await asyncio.to_thread(fake_replicate.wait_for_held, 1)  # made and paid for, id not yet known
        told = len(tab.messages())

        await tab.send("stop")
        async with asyncio.timeout(30):
            while (await studio.store.job(button["payload"]["job_id"])).status != "canceled":
                await asyncio.sleep(0.02)
        fake_replicate.release_creates()  # Replicate answers only now

        said = await tab.wait_for(lambda: [m for m in tab.messages()[told:] if m.startswith("Stopped")])
        assert fake_replicate.predictions[pid].body["status"] == "canceled"
        assert said[0].endswith("Spent: nothing; Veo 3.1 was stopped on Replicate before the video was finished.")
        await tab.close()


async def test_a_price_question_waits_in_its_own_conversation(fake_replicate: FakeReplicate, tmp_path: Path) -> None:
    """Two price questions asked in one conversation: a new conversation says they wait, with a link to it, and
    shows no buttons; a button clicked first never names a conversation; reopened, the conversation asks again,
    each button naming what it approves."""
    async with chainlit_server(replicate_settings(fake_replicate, tmp_path / "data")) as base:
        tab = ChatClient(base)
        await tab.connect()
        await tab.send("make an 8s 16:9 video on veo-3.1 of a lighthouse at dawn")
        [lighthouse] = await tab.wait_for(lambda: _actions(tab, "confirm_job"))
        assert lighthouse["label"] == "Generate “Lighthouse at dawn, landscape” for $3.20"
        await tab.send("make a 5s square video on kling-v3-omni of a red sneaker on a wet street")
        sneaker = (await tab.wait_for(lambda: _actions(tab, "confirm_job")[1:]))[0]
        assert sneaker["label"].startswith("Generate “") and sneaker["label"] != lighthouse["label"]
        thread = await tab.thread()
        await tab.close()

        fresh = ChatClient(base)
        await fresh.connect()
        [waiting] = await fresh.wait_for(lambda: [m for m in fresh.messages() if "Waiting for your go-ahead" in m])
        assert (
            f"*Lighthouse at dawn, landscape* on Veo 3.1, about $3.20 ([open its conversation](/thread/{thread}))"
            in waiting
        )
        assert sneaker["label"].split("“")[1].split("”")[0] in waiting and waiting.count(f"/thread/{thread}") == 2
        assert not [d for e, d in fresh.events if e == "action"]  # the questions are asked in their conversation
        [line] = [d for e, d in fresh.events if e == "new_message" and d["output"] == waiting]
        assert line["type"] == "system_message"  # not an answer: the page keeps showing the starters

        assert (await fresh.click(_actions(tab, "cancel_job")[0])).status_code == 200  # a button clicked first
        await fresh.wait_for(lambda: any("nothing was started or charged" in m for m in fresh.messages()))
        await fresh.send("/creatives")
        await fresh.wait_for(lambda: any("No creatives yet" in m for m in fresh.messages()))

        async def named() -> bool:  # the history is written in the background
            listed = await fresh.http.post("/project/threads", json={"pagination": {"first": 20}, "filter": {}})
            return sorted(t["name"] or "" for t in listed.json()["data"]) == [
                "/creatives",  # not "cancel_job": the conversation's first typed message
                "make an 8s 16:9 video on veo-3.1 of a lighthouse at dawn",
            ]

        await until(named, 10, "each conversation named after its first typed message")
        await fresh.close()

        back = ChatClient(base)
        await back.connect(thread_id=thread)
        [asked] = await back.wait_for(lambda: _actions(back, "confirm_job"))
        assert asked["label"] == sneaker["label"]  # the canceled one is not asked again
        assert any("Still waiting for your go-ahead" in m and "Kling 3 Omni" in m for m in back.messages())
        assert fake_replicate.creates() == []
        await back.close()


async def test_the_price_question_lists_the_words_and_a_change_before_confirming_asks_again(
    fake_replicate: FakeReplicate, tmp_path: Path
) -> None:
    """The price question says every word the video will show; "change the code to KNIT40" and the Edit text
    button before confirming replace the job (the old one canceled, nothing spent) and ask again with the new
    words; the confirmed job puts them on screen."""
    from chat import runtime

    async with chainlit_server(replicate_settings(fake_replicate, tmp_path / "data")) as base:
        studio = runtime.services().studio
        tab = ChatClient(base)
        await tab.connect()
        await tab.send('make an 8s 16:9 video on veo-3.1 of our knitwear, headline "Cosy season", $49, Shop now')
        [first] = await tab.wait_for(lambda: _actions(tab, "confirm_job"))
        [asked] = [m for m in tab.messages() if m.startswith("Start **Veo 3.1**")]
        assert asked.endswith("On screen: Headline “Cosy season” · Price “$49” · CTA “Shop now”")

        await tab.send("change the code to KNIT40")
        [second] = await tab.wait_for(lambda: _actions(tab, "confirm_job")[1:])
        again = await tab.wait_for(lambda: [m for m in tab.messages() if "earlier price question is canceled" in m])
        assert again[0].endswith(
            "On screen: Headline “Cosy season” · Price “$49” · Code “Use code KNIT40” · CTA “Shop now”"
        )
        assert second["label"] == first["label"]  # the same video, the same price
        removed = {d["id"] for e, d in tab.events if e == "remove_action"}
        assert {f"{kind}-{first['payload']['job_id']}" for kind in ("confirm", "cancel", "edit")} <= removed
        old = await studio.store.job(first["payload"]["job_id"])
        assert (old.status, old.confirmed_by, old.provider_job_id) == ("canceled", None, None)  # never started

        [edit] = [d for e, d in tab.events if e == "action" and d["id"] == f"edit-{second['payload']['job_id']}"]
        assert (await tab.click(edit)).status_code == 200
        shown = await tab.wait_for(lambda: [m for m in tab.messages() if m.startswith("The video will show")])
        assert "- Code: “Use code KNIT40”" in shown[0] and "ask the price again" in shown[0]
        await tab.send("remove the CTA")
        await tab.wait_for(lambda: _actions(tab, "confirm_job")[2:])
        [last] = [m for m in tab.messages() if "earlier price question is canceled" in m][1:]
        assert last.endswith("On screen: Headline “Cosy season” · Price “$49” · Code “Use code KNIT40”")
        assert (await studio.store.job(second["payload"]["job_id"])).status == "canceled"
        assert fake_replicate.creates() == []  # nothing was started, nothing paid

        await _confirm(tab, 3)
        await tab.wait_for(lambda: tab.elements("video"))
        [create] = fake_replicate.creates()
        assert create.path == "/v1/models/google/veo-3.1/predictions"
        prompt = create.json["input"]["prompt"]  # footage only: the words are drawn over it, as the user reads
        assert "knitwear" in prompt and "No on-screen text or logos" in prompt
        assert not re.search(r"Cosy season|\$49|KNIT40|Shop now|headline", prompt, re.I), prompt
        assert any(DRAWN_OVER in m for m in tab.messages())
        ready = next(m for m in tab.messages() if m.startswith("Your video is ready"))
        assert "- Code: “Use code KNIT40”" in ready and "Shop now" not in ready.split("On screen:")[1]
        jobs = await studio.store.jobs(DEFAULT_TEAM_ID)
        assert sorted(j.status for j in jobs) == ["canceled", "canceled", "succeeded"]
        assert [j.provider_job_id for j in jobs if j.status == "canceled"] == [None, None]
        await tab.close()
