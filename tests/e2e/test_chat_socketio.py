"""The real Chainlit server driven over socket.io, as the browser does: upload, message, video, creatives."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import httpx

from campaign.models import DEFAULT_TEAM_ID
from campaign.people import LOCAL_OWNER
from campaign.settings import Settings
from tests.conftest import make_settings, png_bytes
from tests.e2e.chainlit_server import ChatClient, chainlit_server
from tools.media import probe


async def _decode(base: str, url: str, tmp: Path) -> object:
    async with httpx.AsyncClient(base_url=base) as http:
        response = await http.get(url)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "video/mp4"
    path = tmp / "downloaded.mp4"
    path.write_bytes(response.content)
    return probe(path, count_frames=True)


async def test_attached_photo_and_brief_give_a_playing_video_and_a_creative(settings: Settings, tmp_path: Path) -> None:
    async with chainlit_server(settings) as base:
        tab = ChatClient(base)
        await tab.connect()
        file_id = await tab.upload("sneaker.png", png_bytes((800, 600)), "image/png")
        await tab.send("make a 6 second vertical product showcase of our sneaker", [file_id])

        videos = await tab.wait_for(lambda: tab.elements("video"))
        video = videos[0]
        assert video["mime"] == "video/mp4" and video["display"] == "inline"
        info = await _decode(base, video["url"], tmp_path)
        assert (info.codec, info.width, info.height) == ("h264", 480, 854)
        assert abs(info.duration_s - 6) <= 1 / info.fps
        assert any("Your video is ready" in m for m in tab.messages())
        toasts = [d for e, d in tab.events if e == "toast"]
        assert any(t["type"] == "success" and t["message"].startswith("Video ready") for t in toasts)
        steps = [d for e, d in tab.events if e == "new_message" and d.get("type") == "tool"]
        assert any(s["name"] == "the video maker" and not s["output"].lstrip().startswith("{") for s in steps)

        from chat import runtime

        creatives = await runtime.services().studio.library.creatives(LOCAL_OWNER, "Default campaign")
        assert len(creatives) == 1 and creatives[0].reference_keys

        await tab.send("/creatives")
        await tab.wait_for(lambda: any("1 creative" in m for m in tab.messages()))
        [library] = await tab.wait_for(lambda: tab.elements("custom"))
        assert urlsplit(library["props"]["campaigns"][0]["items"][0]["url"]).path == urlsplit(video["url"]).path
        await tab.close()


async def test_reload_mid_render_still_shows_the_video(settings: Settings, tmp_path: Path) -> None:
    async with chainlit_server(settings) as base:
        first = ChatClient(base)
        await first.connect()
        await first.send("make a 12s landscape video of a lighthouse at dawn")
        await first.wait_for(lambda: any("Making your video: 12 s" in m for m in first.messages()))
        await first.close()  # the page is reloaded: a new session id, the old socket gone

        second = ChatClient(base)
        await second.connect()
        videos = await second.wait_for(lambda: second.elements("video"))
        info = await _decode(base, videos[0]["url"], tmp_path)
        assert (info.width, info.height) == (854, 480)
        await second.close()


async def test_bad_requests_get_clear_messages_and_write_nothing(settings: Settings) -> None:
    async with chainlit_server(settings) as base:
        tab = ChatClient(base)
        await tab.connect()
        exe = b"MZ\x90\x00" + bytes(2000)  # a Windows executable renamed .png
        file_id = await tab.upload("logo.png", exe, "image/png")
        await tab.send("make a 6 second video of our logo", [file_id])
        await tab.wait_for(lambda: any("Nothing was generated" in m for m in tab.messages()))

        for text, expected in [
            ("make a 150 second video of a kite", "offers 2–120 s"),
            ("make a 4:3 video of a kite", "does not make 4:3 videos"),
            ("make a video on sora-9 of a kite", "no model called"),
            ("/generate", "prompt is empty"),
        ]:
            await tab.send(text)
            await tab.wait_for(lambda expected=expected: any(expected in m for m in tab.messages()))

        from chat import runtime

        studio = runtime.services().studio
        assert await studio.store.jobs(DEFAULT_TEAM_ID) == []
        assert not list((settings.data_dir / "files").rglob("*.*"))
        await tab.close()


async def test_a_video_finished_after_the_tab_closed_is_shown_on_return(settings: Settings) -> None:
    async with chainlit_server(settings) as base:
        first = ChatClient(base)
        await first.connect()
        await first.send("make a 4s square video of a paper boat")
        await first.wait_for(lambda: any("Making your video" in m for m in first.messages()))
        await first.close()
        from chat import runtime

        await runtime.services().studio.backend.drain()  # it finishes while nobody is looking

        later = ChatClient(base)
        await later.connect()
        await later.wait_for(lambda: later.elements("video"))
        assert any("Finished while you were away" in m for m in later.messages())
        await later.close()


async def test_pages_of_other_sites_cannot_drive_the_chat(settings: Settings) -> None:
    """Another site's page, a sandboxed or file: page (Origin: null) and a DNS-rebinding page (its own name as
    Host) reach neither the HTTP routes nor the chat's websocket; this server's own page does."""
    import socketio

    async with chainlit_server(settings) as base:
        port = urlsplit(base).port
        rebound = {"Host": f"rebind.example:{port}", "Origin": f"http://rebind.example:{port}"}
        hostile = [{"Origin": "https://evil.example"}, {"Origin": "null"}, rebound, {"Host": rebound["Host"]}]
        async with httpx.AsyncClient(base_url=base) as http:
            for headers in hostile:
                foreign = await http.post("/project/action", json={}, headers=headers)
                assert foreign.status_code in (400, 403), headers
            same = await http.get("/", headers={"Origin": base})
            assert same.status_code == 200

        async def connects(headers: dict[str, str]) -> bool:
            sio = socketio.AsyncClient(reconnection=False)
            try:
                await sio.connect(base, socketio_path="/ws/socket.io", transports=["websocket"], headers=headers,
                                  wait_timeout=5)  # fmt: skip
                return True
            except socketio.exceptions.ConnectionError:
                return False
            finally:
                await sio.disconnect()

        for headers in hostile:
            assert not await connects(headers), headers
        tab = ChatClient(base)
        await tab.connect()  # this server's own page still works
        await tab.send("/models")
        await tab.wait_for(lambda: any("draft" in m for m in tab.messages()))
        await tab.close()


async def test_a_photo_that_did_not_arrive_is_said_and_a_showcase_asks_for_its_photo(tmp_path: Path) -> None:
    """An upload that failed, and one whose file is gone by the time the brief is sent: the chat says the photo
    did not arrive and makes nothing; a product showcase brief with no photo at all asks for one."""
    from chat import runtime
    from chat.http.uploads import files_directory

    settings = make_settings(tmp_path / "data", reference_max_bytes=200_000)
    async with chainlit_server(settings) as base:
        tab = ChatClient(base)
        await tab.connect()
        url = f"/project/file?session_id={tab.session_id}"
        failed = await tab.http.post(url, files={"file": ("sneaker.png", b"\x89PNG" + bytes(300_000), "image/png")})
        assert failed.status_code == 413
        await tab.send("make a 6 second vertical product showcase of our sneaker, price $129")
        said = await tab.wait_for(lambda: [m for m in tab.messages() if "did not arrive" in m])
        assert "upload failed" in said[0] and "attach it again" in said[0]

        photo = await tab.upload("sneaker.png", png_bytes((320, 240)), "image/png")
        for path in (files_directory() / tab.session_id).iterdir():
            path.unlink()  # what another server's shutdown did to it
        await tab.send("make a 6 second vertical product showcase of our sneaker, price $129", [photo])
        said = await tab.wait_for(lambda: [m for m in tab.messages() if "*sneaker.png* did not arrive" in m])
        assert "attach it again" in said[0]

        await tab.send("a 4 second product showcase of our lamp")
        await tab.wait_for(lambda: any("photo of the product" in m for m in tab.messages()))
        studio = runtime.services().studio
        assert await studio.jobs.jobs(LOCAL_OWNER) == [] and tab.elements("video") == []
        await tab.close()
