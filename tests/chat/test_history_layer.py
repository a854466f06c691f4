"""The history's tables against what Chainlit 2.12 writes, on SQLite and PostgreSQL: a message, a tool step with
every option, a video pointing at a stored file and an attachment round-trip (Chainlit logs a missing column as
a warning and drops the row, so only reading them back shows it)."""

from __future__ import annotations

import logging
import uuid
from pathlib import Path

import chainlit as cl
import pytest
from chainlit.context import init_http_context

from chat.history import History
from tests.conftest import make_settings, png_bytes
from tools.studio import Studio


async def test_steps_and_elements_round_trip(
    database_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    studio = await Studio.open(make_settings(tmp_path / "data", database_url=database_url))
    history = History(studio)
    try:
        user = await history.create_user(cl.User(identifier="u-1", display_name="alice"))
        assert user is not None
        thread_id = str(uuid.uuid4())
        init_http_context(thread_id=thread_id, user=user)
        await history.update_thread(thread_id, name="Sneaker teaser", user_id=user.id, metadata={"attachments": []})
        caplog.set_level(logging.WARNING)

        message = cl.Message(content="make a sneaker teaser", author="alice", type="user_message")
        await history.create_step(message.to_dict())
        step = cl.Step(name="generate_video", type="tool", default_open=True, auto_collapse=True, show_input="json")
        step.input, step.output = {"prompt": "a sneaker"}, "Making your video"
        await history.create_step({**step.to_dict(), "threadId": thread_id, "parentId": message.id})
        photo = tmp_path / "photo.png"
        photo.write_bytes(png_bytes((320, 240)))
        attachment = cl.Image(name="photo.png", path=str(photo), for_id=message.id, mime="image/png")
        player = {"file": {"attributes": {"preload": "metadata"}}}
        video = cl.Video(name="teaser.mp4", url="http://x/files/v.mp4", object_key="creatives/c1/video.mp4",
                         for_id=message.id, player_config=player)  # fmt: skip
        for element in (attachment, video):
            element.thread_id = thread_id
            await history.create_element(element)

        thread = await history.get_thread(thread_id)
        assert thread is not None and thread["name"] == "Sneaker teaser"
        steps = {s["name"]: s for s in thread["steps"]}
        assert sorted(steps) == ["alice", "generate_video"]
        tool = steps["generate_video"]
        assert (tool["output"], tool["parentId"]) == ("Making your video", message.id)
        kept = {e["name"]: e for e in thread["elements"]}
        assert kept["teaser.mp4"]["objectKey"] == "creatives/c1/video.mp4"
        assert kept["teaser.mp4"]["url"].startswith("/files/creatives/c1/video.mp4?")  # signed afresh
        assert kept["photo.png"]["objectKey"].startswith("refs/")  # the attachment as a checked reference
        assert not [r for r in caplog.records if r.name.startswith("chainlit")]  # nothing dropped or refused

        await history.update_thread(thread_id, name="Spring teaser")  # the sidebar's rename
        listed = await history.list_threads(cl.types.Pagination(first=10), cl.types.ThreadFilter(userId=user.id))
        assert [(t["id"], t["name"]) for t in listed.data] == [(thread_id, "Spring teaser")]
        await history.delete_thread(thread_id)
        assert await history.get_thread(thread_id) is None
        assert await studio.files.storage.exists("refs/" + kept["photo.png"]["objectKey"].split("/", 1)[1])
    finally:
        await history.close()
        await studio.close()
