"""The issue's must-show, through the CLI (the feed's images as paths beside it) and through the API (as URLs on
loopback): a 12-row CSV with three bad rows makes nine draft videos, each with its own row's words (read off its
last frame, the end card, by Tesseract) and its own photo (the product's colour, which differs row to row), and
reports the three bad rows with their reasons; nothing else is written for them: no job, no creative, no
reference stored or granted. The CLI's run writes a contact sheet of three videos' frames to CONTACT_SHEET.

Draft videos of 2 s, square at 480p (480x480, the draft's smallest frame), to keep it quick."""

from __future__ import annotations

import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import av
import httpx
import numpy as np
import pytest
from PIL import Image

from campaign.settings import Settings
from tests.chat.test_cli import clapboard
from tests.fakes.feeds import MUST_SHOW_BAD, csv_bytes, must_show_csv, product_png, products, serve_photos
from tests.fakes.http_server import ScriptedHTTPServer
from tests.fakes.ocr import needs_tesseract, read_words

pytestmark = [pytest.mark.render, needs_tesseract]

CONTACT_SHEET = Path("/tmp/clapboard-batch-contact-sheet.png")
OPTIONS = ("--duration", "2", "--aspect", "1:1")
GOOD = [n for n in range(1, 13) if n + 1 not in MUST_SHOW_BAD]  # product numbers (a product's row is n + 1)
REASONS = {4: ("title",), 8: ("price", "cheap"), 11: ("private",)}  # what each bad row's reason names


@pytest.fixture
def settings(settings: Settings, http_server: ScriptedHTTPServer) -> Settings:
    settings.url_allowed_hosts = [f"127.0.0.1:{http_server.port}"]
    return settings


@pytest.fixture
async def studio(api: httpx.AsyncClient) -> AsyncIterator[Any]:
    from chat import runtime

    studio = runtime.services().studio
    yield studio
    await studio.backend.drain()


def hue(pixels: np.ndarray) -> float:
    """The median hue (0-1) of the vivid pixels: the product's colour, whatever the ground around it."""
    hsv = np.asarray(Image.fromarray(pixels).convert("HSV")).reshape(-1, 3)
    vivid = hsv[(hsv[:, 1] > 127) & (hsv[:, 2] > 127)]
    assert len(vivid) > 100, "no product colour in the frame"
    return float(np.median(vivid[:, 0])) / 255


PHOTO_HUES = {n: hue(np.asarray(Image.open(io.BytesIO(product_png(n, 64))).convert("RGB"))) for n in range(1, 13)}


def nearest_photo(frame: np.ndarray) -> int:
    """Which product's photo the frame shows, by its colour (hues are circular)."""
    seen = hue(frame)
    return min(PHOTO_HUES, key=lambda n: min(abs(seen - PHOTO_HUES[n]), 1 - abs(seen - PHOTO_HUES[n])))


def frames_of(video: Path) -> list[np.ndarray]:
    with av.open(str(video)) as container:
        return [f.to_ndarray(format="rgb24") for f in container.decode(container.streams.video[0])]


def check_batch(view: dict[str, Any], video_of: Callable[[str], Path]) -> dict[int, list[np.ndarray]]:
    """Nine videos, each showing its own row's words and photo; the three bad rows with their reasons and no
    video. Returns each product's frames."""
    assert (view["status"], view["videos"], view["ready"], view["failed"], view["rejected"]) == ("done", 9, 9, 0, 3)
    rows = {r["number"]: r for r in view["rows"]}
    for number, named in REASONS.items():
        assert rows[number]["problem"] and not rows[number]["videos"], rows[number]
        assert all(word in rows[number]["problem"].lower() for word in named), rows[number]["problem"]
    shown: dict[int, list[np.ndarray]] = {}
    for n in GOOD:
        row = rows[n + 1]
        [video] = row["videos"]
        assert video["status"] == "succeeded" and row["problem"] is None
        frames = shown[n] = frames_of(video_of(video["creative_id"]))
        read = read_words(Image.fromarray(frames[-1]))  # the end card: the title, the price, the CTA
        title = [w.lower() for w in row["title"].split() if not w.isdigit()]
        price = [s for s in row["says"] if s.startswith("$")][-1]  # the sale price, when on sale
        assert set(title) <= read and price.lower() in read, (n, row["says"], sorted(read))
        assert nearest_photo(frames[len(frames) // 2]) == n, n
    return shown


def check_store(database: Path, files: Path, view: dict[str, Any]) -> None:
    """Only the nine good rows wrote anything: their jobs, creatives and reference images, nothing else."""
    with sqlite3.connect(database) as db:
        jobs = db.execute("SELECT batch_id, spec FROM jobs").fetchall()
        creatives = db.execute("SELECT COUNT(*) FROM creatives").fetchone()[0]
        granted = {key for (key,) in db.execute("SELECT key FROM team_references")}
    assert len(jobs) == 9 and {batch for batch, _ in jobs} == {view["id"]} and creatives == 9
    used = {r["key"] for _, spec in jobs for r in json.loads(spec)["references"]}
    assert granted == used and len(used) == 9  # one photo each, none for a bad row
    stored = {p.relative_to(files).as_posix() for p in (files / "refs").rglob("*") if p.is_file()}
    assert stored == used


def contact_sheet(shown: dict[int, list[np.ndarray]], products: list[int]) -> None:
    """Five frames of each of these products' videos, a row each."""
    size = 240
    picks = [0.15, 0.35, 0.55, 0.75, 1.0]
    sheet = Image.new("RGB", (size * len(picks), size * len(products)), "white")
    for y, n in enumerate(products):
        frames = shown[n]
        for x, at in enumerate(picks):
            frame = Image.fromarray(frames[min(len(frames) - 1, round(at * (len(frames) - 1)))])
            sheet.paste(frame.resize((size, size)), (x * size, y * size))
    sheet.save(CONTACT_SHEET)


def test_twelve_rows_three_bad_through_the_cli(tmp_path: Path) -> None:
    shop, data = tmp_path / "shop", tmp_path / "data"
    (shop / "photos").mkdir(parents=True)
    for n in range(1, 13):
        (shop / "photos" / f"{n}.png").write_bytes(product_png(n, 256))
    (shop / "feed.csv").write_bytes(must_show_csv(lambda n: f"photos/{n}.png"))
    done = clapboard(data, "batch", str(shop / "feed.csv"), *OPTIONS, "--campaign", "Must show")
    assert done.returncode == 1, done.stderr  # three rows were not made
    quote, _, result = done.stdout.partition("Total: 9 videos, free")
    assert "feed.csv: 12 rows, 9 can be made: 9 videos on draft for Must show" in quote
    assert all(f"\n{n + 1:>3}  " in quote for n in GOOD) and "3 rows cannot be made:" in quote
    for number, named in REASONS.items():
        [said] = [line for line in quote.splitlines() if line.startswith(f"  row {number}")]
        assert all(word in said.lower() for word in named), said
    assert done.stderr.splitlines()[-1] == "9 of 9 ready" and result.strip().startswith("9 of 9 ready.")
    [view] = json.loads(clapboard(data, "batches", "--json").stdout)
    files = {c["id"]: Path(c["file"]) for c in json.loads(clapboard(data, "creatives", "--json").stdout)}
    shown = check_batch(view, files.__getitem__)
    check_store(data / "clapboard.db", data / "files", view)
    contact_sheet(shown, GOOD[:3])


async def test_twelve_rows_three_bad_through_the_api(
    api: httpx.AsyncClient, http_server: ScriptedHTTPServer, studio: Any, settings: Settings, tmp_path: Path
) -> None:
    feed = must_show_csv(serve_photos(http_server, 12))
    quoted = await api.post("/api/batches", files={"file": ("feed.csv", feed, "text/csv")},
                            data={"duration_s": "2", "aspect": "1:1", "campaign": "Must show"})  # fmt: skip
    assert quoted.status_code == 201, quoted.text
    quote = quoted.json()
    assert (quote["videos"], quote["rejected"], quote["estimated_cost_usd"]) == (9, 3, 0.0)
    assert (await api.post(f"/api/batches/{quote['id']}/confirm")).status_code == 202
    await studio.batches.wait(await studio.accounts.cli_actor("alice"), quote["id"])
    view = (await api.get(f"/api/batches/{quote['id']}")).json()
    videos: dict[str, Path] = {}
    for row in view["rows"]:
        for video in row["videos"]:
            creative = (await api.get(f"/api/creatives/{video['creative_id']}")).json()
            path = videos[video["creative_id"]] = tmp_path / f"{video['creative_id']}.mp4"
            path.write_bytes((await api.get(creative["url"])).content)
    check_batch(view, videos.__getitem__)
    check_store(settings.data_dir / "clapboard.db", settings.data_dir / "files", view)
    fetched = sorted({seen.path for seen in http_server.requests})
    assert fetched == sorted(f"/photos/{n}.png" for n in GOOD)  # the bad rows' photos were never fetched


def test_ctrl_c_in_a_terminal_stops_the_batch_and_keeps_what_was_made(tmp_path: Path) -> None:
    """A real SIGINT to `clapboard batch`: the rest of the batch is stopped, what was made is kept, no traceback."""
    shop, data = tmp_path / "shop", tmp_path / "data"
    (shop / "photos").mkdir(parents=True)
    for n in range(1, 5):
        (shop / "photos" / f"{n}.png").write_bytes(product_png(n, 256))
    (shop / "feed.csv").write_bytes(csv_bytes(products(4, image=lambda n: f"photos/{n}.png")))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI", "POE", "REPLICATE", "DATABASE"))}
    env.update(CLAPBOARD_DATA_DIR=str(data), CLAPBOARD_MAX_CONCURRENT_JOBS="1")
    argv = [sys.executable, "-m", "chat.cli", "batch", str(shop / "feed.csv"), *OPTIONS]
    command = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path)
    try:
        assert command.stderr is not None
        first = command.stderr.readline()  # the progress starts once the batch is confirmed
        assert first.strip() == "0 of 4 ready", first
        command.send_signal(signal.SIGINT)
        out, err = command.communicate(timeout=120)
    finally:
        command.kill()
    assert command.returncode == 1, err
    assert "Traceback" not in err and "Stopped: " in err and "stay in the library (Default campaign)" in err
    with sqlite3.connect(data / "clapboard.db") as db:
        [(status,)] = db.execute("SELECT status FROM batches").fetchall()
        jobs = dict(db.execute("SELECT status, COUNT(*) FROM jobs GROUP BY status").fetchall())
        creatives = db.execute("SELECT COUNT(*) FROM creatives").fetchone()[0]
    assert status == "canceled" and jobs.get("canceled", 0) >= 1 and set(jobs) <= {"succeeded", "canceled"}
    assert creatives == jobs.get("succeeded", 0) and sum(jobs.values()) == 4
    assert out.count(": stopped") == jobs["canceled"] and "queued" not in out  # each video as it ended
