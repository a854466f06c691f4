"""A paid video in the chat, over socket.io, on the fake Replicate serving text-free footage with a yellow subject:
the ad delivered shows the brief's exact words and the kit's logo over that footage, its footage download is the
provider's video as it came, and "all formats" then makes 1:1, 4:5 and 16:9 from the same footage without a
single new prediction, the subject inside every frame sampled. Sampled frames are saved in the test's tmp_path
(its `frames` folder) to look at."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest
from PIL import Image

from campaign.models import DEFAULT_TEAM_ID
from tests.e2e.chainlit_server import ChatClient, chainlit_server
from tests.fakes.brand import logo_png
from tests.fakes.footage import write_footage, yellow_mask
from tests.fakes.ocr import needs_tesseract, read_words
from tests.fakes.replicate_server import FakeReplicate, replicate_settings
from tests.tools.test_paid_footage import frames as frames_of

pytestmark = [pytest.mark.e2e, pytest.mark.render]

MAGENTA = (210, 30, 170)  # the logo's colour: nowhere in the footage
BRIEF = 'make a 4s 9:16 ad on veo-3.1 for our trail shoes, headline "Run wild", Shop now'
SUBJECT_PIXELS = 400  # of the yellow disc, in a frame it is inside (the disc is over 10,000 at this size)


def _actions(tab: ChatClient, name: str) -> list[dict[str, Any]]:
    return [d for e, d in tab.events if e == "action" and d["name"] == name]


def sampled(path: Path, count: int = 8) -> list[np.ndarray]:
    """`count` frames spread over the video, as RGB."""
    with av.open(str(path)) as container:
        decoded = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
    step = max(1, len(decoded) // count)
    return decoded[::step][:count]


def logo_pixels(rgb: np.ndarray) -> int:
    r, g, b = (rgb[..., k].astype(np.int16) for k in range(3))
    return int(((abs(r - MAGENTA[0]) < 45) & (g < 90) & (abs(b - MAGENTA[2]) < 50)).sum())


def seen(rgb: np.ndarray) -> set[str]:
    """The words on a frame, read in grey and in its green channel: white on the kit's magenta button is plain to
    the eye but close in grey, far apart in green."""
    return read_words(Image.fromarray(rgb)) | read_words(Image.fromarray(np.ascontiguousarray(rgb[..., 1])))


def save(frames: list[np.ndarray], folder: Path, name: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i, rgb in enumerate(frames):
        Image.fromarray(rgb).save(folder / f"{name}-{i}.png")


@needs_tesseract
async def test_a_paid_ad_is_finished_over_the_footage_and_its_formats_reframed_for_free(
    fake_replicate: FakeReplicate, tmp_path: Path
) -> None:
    from chat import runtime

    footage = write_footage(tmp_path / "footage.mp4", width=720, height=1280, seconds=4)
    fake_replicate.set_scenario("*", "success", footage=footage.path)
    assert not any(logo_pixels(f) for f in sampled(footage.path)), "the footage has nothing of the logo's colour"
    async with chainlit_server(replicate_settings(fake_replicate, tmp_path / "data")) as base:
        studio = runtime.services().studio
        tab = ChatClient(base)
        await tab.connect()
        logo = logo_png(MAGENTA, MAGENTA, "Trailhead")
        await tab.send("this is our logo", files=[await tab.upload("logo.png", logo, "image/png")])
        await tab.wait_for(lambda: any("The team's kit is set" in m for m in tab.messages()))

        await tab.send(BRIEF)
        [go] = await tab.wait_for(lambda: _actions(tab, "confirm_job"))
        assert (await tab.click(go)).status_code == 200
        await tab.wait_for(lambda: tab.elements("video"), 180)
        [ready] = [m for m in tab.messages() if m.startswith("Your video is ready")]
        assert "[Footage](" in ready
        footage_url = re.search(r"\[Footage\]\(([^)]+)\)", ready).group(1)  # type: ignore[union-attr]
        raw = await tab.http.get(footage_url)
        assert raw.status_code == 200 and raw.content == footage.path.read_bytes(), "the provider's video, as it came"
        assert "-footage.mp4" in raw.headers["content-disposition"]

        [creative] = await studio.library.creatives(await studio.accounts.cli_actor(None))
        assert creative.footage_key and (creative.width, creative.height) == (720, 1280)
        video = studio.library.storage.local_path(creative.file_key)
        assert video is not None
        # Decoding and reading run in a thread: the server and this tab's socket share the test's event loop.
        frames = await asyncio.to_thread(sampled, video, 12)
        save(frames, tmp_path / "frames", "ad-9x16")
        words = set().union(*await asyncio.gather(*(asyncio.to_thread(seen, f) for f in frames)))
        assert {"run", "wild"} <= words and {"shop", "now"} <= words, words
        assert max(logo_pixels(f) for f in frames) > 200, "the kit's logo is drawn over the footage"
        under = await asyncio.to_thread(frames_of, video, 8, before_end_card=True)
        assert all(yellow_mask(f).sum() > SUBJECT_PIXELS for f in under), "drawn over that footage"

        await tab.send("all formats")
        await tab.wait_for(lambda: len(tab.elements("video")) == 4, 240)
        assert len(fake_replicate.creates()) == 1, "the other formats asked Replicate for nothing"
        owner = await studio.accounts.cli_actor(None)
        made = [c for c in await studio.library.creatives(owner) if c.id != creative.id]
        assert sorted(c.aspect for c in made) == ["16:9", "1:1", "4:5"]
        for c in made:
            assert (c.model, c.actual_cost_usd) == ("veo-3.1", 0.0) and "Reframed" in (c.notice or "")
            path = studio.library.storage.local_path(c.file_key)
            assert path is not None
            save(await asyncio.to_thread(sampled, path), tmp_path / "frames", f"reframed-{c.aspect.replace(':', 'x')}")
            # Sampled before the end card, which dims the footage under it.
            before = await asyncio.to_thread(frames_of, path, 6, before_end_card=True)
            inside = [int(yellow_mask(f).sum()) for f in before]
            assert len(inside) >= 6 and all(n > SUBJECT_PIXELS for n in inside), (c.aspect, inside)
        jobs = await studio.store.jobs(DEFAULT_TEAM_ID, limit=10)
        assert sorted(j.estimated_cost_usd for j in jobs)[:3] == [0.0, 0.0, 0.0]
        shown = "\n".join(tab.messages())
        assert "To generate them anew on Veo 3.1 instead (16:9): about $" in shown
        assert _actions(tab, "generate_formats"), "the paid way is a button under the free one"

        # "Other formats" under the paid video: the free reframe and the paid generation, side by side.
        other = next(a for a in _actions(tab, "make_formats") if a["payload"]["job_id"] == creative.job_id)
        assert (await tab.click(other)).status_code == 200
        choice = await tab.wait_for(lambda: _actions(tab, "reframe_formats"))
        paid = await tab.wait_for(lambda: _actions(tab, "generate_formats")[1:])  # the first came after "all formats"
        assert [a["label"] for a in [*choice, *paid]] == ["Reframe, free", "Generate 16:9 on Veo 3.1 for $1.60"]
        assert (await tab.click(paid[0])).status_code == 200
        asked = await tab.wait_for(lambda: [a for a in _actions(tab, "confirm_job") if a["id"] != go["id"]])
        assert asked[0]["label"].endswith("for $1.60"), "generating anew asks its price first"
        assert len(fake_replicate.creates()) == 1
        await tab.close()
