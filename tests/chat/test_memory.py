"""The agent's memory on the database (SQLite and PostgreSQL): a conversation's turns outlive the process that
held them, and "make it 10 seconds instead" revises the conversation's latest video."""

from __future__ import annotations

from contextlib import AsyncExitStack
from pathlib import Path

import pytest
from langchain_core.messages import HumanMessage

from campaign.people import LOCAL_OWNER as OWNER
from chat.agent import TurnContext, build_agent
from chat.memory import open_memory
from tests.conftest import make_settings
from tools.studio import Studio


@pytest.mark.render
async def test_the_conversation_is_remembered_across_processes(database_url: str, tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data", database_url=database_url)
    studio = await Studio.open(settings)
    config = {"configurable": {"thread_id": "thread-1"}}
    try:
        async with AsyncExitStack() as stack:
            memory = await open_memory(settings, stack)
            agent = build_agent(studio, memory)
            turn = TurnContext(studio, OWNER, origin="chat:thread-1")
            await agent.ainvoke(
                {"messages": [HumanMessage("make a 3s square clip of a paper plane")]}, config, context=turn
            )
        [first] = await studio.jobs.conversation(OWNER, "chat:thread-1")
        await studio.jobs.wait(OWNER, first.id)

        async with AsyncExitStack() as stack:  # another process, later
            memory = await open_memory(settings, stack)
            agent = build_agent(studio, memory)
            turn = TurnContext(studio, OWNER, origin="chat:thread-1", message_id="m2")
            result = await agent.ainvoke(
                {"messages": [HumanMessage("make it 5 seconds instead")]}, config, context=turn
            )
        said = [m.content for m in result["messages"] if isinstance(m, HumanMessage)]
        assert said == ["make a 3s square clip of a paper plane", "make it 5 seconds instead"]
        assert str(result["messages"][-1].content).startswith("Making your video: 5 s 1:1 (480x480)")
        latest, first = await studio.jobs.conversation(OWNER, "chat:thread-1")
        latest = await studio.jobs.wait(OWNER, latest.id)
        assert (latest.status, latest.title) == ("succeeded", first.title)
    finally:
        await studio.close()
