"""Each server's chat uploads are its own: two real `clapboard serve` processes started from the same folder (as
`make test` beside `make run` does), one stopped; the other still takes uploads and makes a video from them."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import png_bytes
from tests.e2e.chainlit_server import ChatClient
from tests.e2e.server_process import ClapboardProcess, ServerProcess


async def test_another_server_stopping_leaves_this_servers_uploads(
    tmp_path: Path, processes: list[ClapboardProcess]
) -> None:
    first = ServerProcess(tmp_path / "first").start()
    processes.append(first)
    second = ServerProcess(tmp_path / "second").start()
    processes.append(second)
    tab = ChatClient(second.base)
    await tab.connect()
    photo = await tab.upload("sneaker.png", png_bytes((320, 240)), "image/png")

    first.stop()  # SIGTERM: Chainlit's shutdown removes its uploads folder

    again = await tab.http.post(
        f"/project/file?session_id={tab.session_id}", files={"file": ("sneaker-2.png", png_bytes(), "image/png")}
    )
    assert again.status_code == 200, again.text
    await tab.send("/generate a 2 second vertical product showcase of our sneaker", files=[photo])
    await tab.wait_for(lambda: tab.elements("video"))
    assert not any("did not arrive" in m or "could not be read" in m for m in tab.messages()), tab.messages()
    await tab.close()
