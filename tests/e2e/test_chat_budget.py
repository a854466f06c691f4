"""A paid video's Generate button over the team's monthly budget, over socket.io against the fake Replicate: the
chat says which budget, what is left and who can raise it, nothing reaches Replicate and the question stays open;
once the budget is raised, the same button starts the video."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from campaign.models import DEFAULT_TEAM_ID
from tests.e2e.chainlit_server import ChatClient, chainlit_server
from tests.fakes.replicate_server import FakeReplicate, replicate_settings


def _buttons(tab: ChatClient) -> list[dict[str, Any]]:
    return [d for e, d in tab.events if e == "action" and d["name"] == "confirm_job"]


async def test_a_generate_over_the_budget_says_who_can_raise_it_and_starts_nothing(
    fake_replicate: FakeReplicate, tmp_path: Path
) -> None:
    from chat import runtime

    async with chainlit_server(replicate_settings(fake_replicate, tmp_path / "data")) as base:
        store = runtime.services().studio.store
        await store.set_budget(DEFAULT_TEAM_ID, None, 2.0, set_by=None)  # the person at the machine's team
        tab = ChatClient(base)
        await tab.connect()
        await tab.send("make a 6s 16:9 video on veo-3.1 of a lighthouse at dawn")
        [button] = await tab.wait_for(lambda: _buttons(tab))
        assert button["label"].endswith("for $2.40")
        assert (await tab.click(button)).status_code == 200
        [refusal] = await tab.wait_for(lambda: [m for m in tab.messages() if "monthly budget" in m])
        assert refusal.startswith("This costs $2.40, more than is left of the default team's monthly budget of $2.00")
        assert "$0.00 spent and $0.00 reserved, so $2.00 is left. Nothing was started." in refusal
        assert "Ask an admin to raise it to $3.00 (in the API: PUT /api/budgets/team; the machine's operator: " \
            "clapboard budget set --team default --monthly 3)" in refusal  # fmt: skip
        assert not any(m.startswith("Started") for m in tab.messages())
        assert fake_replicate.creates() == []
        assert (await store.job(button["payload"]["job_id"])).status == "awaiting_confirmation"

        await store.set_budget(DEFAULT_TEAM_ID, None, 5.0, set_by=None)
        assert (await tab.click(button)).status_code == 200  # the same question, asked again
        await tab.wait_for(lambda: tab.elements("video"))
        assert len(fake_replicate.creates()) == 1
        await tab.close()
