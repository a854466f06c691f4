"""The chat reads in the order things happen, on the real Chainlit server over socket.io with the fake Replicate:
a price question comes after the message that explains it, "Started" before the job's progress and its video,
and variations are shown in the order they were asked for, whichever finished first."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.e2e.chainlit_server import ChatClient, chainlit_server
from tests.e2e.server_process import until
from tests.fakes.replicate_server import FakeReplicate, replicate_settings

PAID_BRIEF = "make an 8s 16:9 video on veo-3.1 of a lighthouse at dawn"


def said(tab: ChatClient) -> list[tuple[int, dict[str, Any]]]:
    """The messages the chat showed, each at the place it appeared among everything the chat sent (a streamed
    answer appears with its first token)."""
    appeared: dict[str, int] = {}
    for n, (event, data) in enumerate(tab.events):
        if event in ("stream_start", "new_message"):
            appeared.setdefault(data["id"], n)
    final = {d["id"]: d for e, d in tab.events if e in ("new_message", "update_message")}
    return sorted((n, final.get(i, {"id": i, "output": ""})) for i, n in appeared.items())


def first(tab: ChatClient, *words: str) -> int:
    """Where the first message holding all these words (as it finally read) appeared."""
    found = [n for n, d in said(tab) if all(w in d["output"] for w in words)]
    assert found, f"no message says {words}"
    return found[0]


def buttons(tab: ChatClient, name: str) -> list[dict[str, Any]]:
    return [d for e, d in tab.events if e == "action" and d["name"] == name]


def asked_at(tab: ChatClient, job_id: str) -> int:
    """Where the message carrying a job's Generate button was sent."""
    [button] = [b for b in buttons(tab, "confirm_job") if b["payload"]["job_id"] == job_id]
    [asked] = [n for n, d in said(tab) if d["id"] == button["forId"]]
    return asked


async def test_a_price_question_comes_after_its_explanation_and_started_before_the_video(
    fake_replicate: FakeReplicate, tmp_path: Path
) -> None:
    fake_replicate.set_scenario("*", "hold")  # the render goes on until the test completes it
    async with chainlit_server(replicate_settings(fake_replicate, tmp_path / "data")) as base:
        tab = ChatClient(base)
        await tab.connect()
        await tab.send(PAID_BRIEF)
        [generate] = await tab.wait_for(lambda: buttons(tab, "confirm_job"))
        await tab.wait_for(lambda: any("Confirm with the button" in d["output"] for _, d in said(tab)))
        explained = first(tab, "costs about **$3.20**", "Confirm with the button")
        assert explained < asked_at(tab, generate["payload"]["job_id"])

        assert (await tab.click(generate)).status_code == 200
        await tab.wait_for(lambda: fake_replicate.predictions)
        [prediction] = fake_replicate.predictions
        await tab.wait_for(lambda: any(d["output"].startswith("**Rendering**") for _, d in said(tab)), 10)  # a tick
        fake_replicate.complete(prediction)
        await tab.wait_for(lambda: tab.elements("video"))
        assert first(tab, "Started") < first(tab, "Lighthouse at dawn, landscape", "at 100%") < first(tab, "is ready")
        await tab.close()


async def test_variations_are_shown_in_the_order_they_were_asked_for(
    fake_replicate: FakeReplicate, tmp_path: Path
) -> None:
    fake_replicate.set_scenario("*", "hold")
    async with chainlit_server(replicate_settings(fake_replicate, tmp_path / "data")) as base:
        from chat import runtime

        studio = runtime.services().studio
        tab = ChatClient(base)
        await tab.connect()
        await tab.send(PAID_BRIEF)
        [generate] = await tab.wait_for(lambda: buttons(tab, "confirm_job"))
        await tab.click(generate)
        await tab.wait_for(lambda: fake_replicate.predictions)
        fake_replicate.complete(next(iter(fake_replicate.predictions)))
        await tab.wait_for(lambda: buttons(tab, "make_variations"))

        await tab.send("3 variations with new footage")  # generated anew, so each finishes when Replicate says
        asked = await tab.wait_for(
            lambda: buttons(tab, "confirm_job")[1:4] if len(buttons(tab, "confirm_job")) == 4 else None
        )
        assert [b["label"] for b in asked] == [
            f"Generate “Lighthouse at dawn, landscape, variation {n} ({x}…” for $3.20"
            for n, x in enumerate(("oth", "fas", "oth"), 1)  # the titles cut short: other colourway, faster cuts
        ]
        for button in asked:
            await tab.click(button)
        actor = await studio.accounts.cli_actor(None)

        async def sent(n: str) -> str | None:
            """The prediction of variation n, once it was sent (two render at a time: the third waits)."""
            jobs = await studio.jobs.jobs(actor)
            return next((j.prediction_id for j in jobs if f", variation {n} (" in j.title), None)

        for n in "23":  # the second one asked for finishes first, then the third, then the first
            fake_replicate.complete(await until(lambda n=n: sent(n)))
        fake_replicate.complete(await until(lambda: sent("1")))
        await tab.wait_for(lambda: len(tab.elements("video")) == 4)
        ready = [d["output"] for _, d in said(tab) if d["output"].startswith("Your video is ready")]
        assert [text.split("**")[1] for text in ready[1:]] == [
            f"Lighthouse at dawn, landscape, variation {n} ({short})"
            for n, short in enumerate(("other colourway", "faster cuts", "other colourway"), 1)
        ]
        await tab.close()
