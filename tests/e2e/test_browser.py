"""What a person sees: `clapboard serve` in Debian's Chromium, an attached photo, a brief, a playing video, and the
campaign library."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from tests.conftest import png_bytes
from tools.media import probe
from tools.tls import tls_context

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Locator, Page

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI", "POE", "REPLICATE", "DATABASE"))}
    env.update(CLAPBOARD_DATA_DIR=str(tmp_path / "data"))
    log = (tmp_path / "server.log").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "chat.cli", "serve", "--port", str(port)], env=env,
                            stdout=log, stderr=subprocess.STDOUT)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(base, timeout=1, verify=tls_context()).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            pytest.fail("the chat did not start: " + (tmp_path / "server.log").read_text()[-2000:])
        yield base
    finally:
        proc.terminate()
        proc.wait(10)


def open_chat(page: Page, url: str, reload: bool = False) -> None:
    """Open (or reload) the chat and wait until its socket session is up: an upload or a message sent before
    that reaches a session the server does not know yet."""
    with page.expect_response(lambda r: "/ws/socket.io/" in r.url and "sid=" in r.url, timeout=30000):
        if reload:
            page.reload(wait_until="networkidle")
        else:
            page.goto(url, wait_until="networkidle")


def clapboard(env: dict[str, str], cwd: Path, *args: str, stdin: str = "") -> str:
    """Run the `clapboard` command as the server's administrator would; its output."""
    done = subprocess.run([sys.executable, "-m", "chat.cli", *args], input=stdin, env=env, text=True, cwd=cwd,
                          capture_output=True)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


def add_people(env: dict[str, str], cwd: Path) -> None:
    """alice and bob of team acme, carol of team globex; each one's password is `<name>-password`."""
    for name, team in (("alice", "acme"), ("bob", "acme"), ("carol", "globex")):
        clapboard(env, cwd, "users", "add", name, "--team", team, "--password-stdin", stdin=f"{name}-password\n")


def sign_in(browser: Browser, url: str, name: str, shot: Path | None = None) -> Page:
    """A new browser profile at `url`: the sign-in form filled in as `name` (password `<name>-password`), then
    the chat once it is connected."""
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(url, wait_until="networkidle")
    page.wait_for_selector("input[type=password]", timeout=30000)
    if shot:
        page.screenshot(path=str(shot))
    page.locator("input:not([type=password])").first.fill(name)
    page.fill("input[type=password]", f"{name}-password")
    with page.expect_response(lambda r: "/ws/socket.io/" in r.url and "sid=" in r.url, timeout=30000):
        page.keyboard.press("Enter")
    page.wait_for_selector("#chat-input", timeout=30000)
    return page


def attach_photo(page: Page, tmp_path: Path) -> None:
    """Attach a product photo with the paperclip (a product showcase asks for one)."""
    photo = tmp_path / "product.png"
    photo.write_bytes(png_bytes((900, 700)))
    page.locator("#upload-button-input").set_input_files(str(photo))
    page.wait_for_selector("#attachments", timeout=15000)


def scroll_to(page: Page, target: Locator) -> None:
    """Scroll `target` into view; a message re-rendered under it meanwhile (a job's progress) is found again."""
    from playwright.sync_api import Error

    for _ in range(5):
        try:
            target.scroll_into_view_if_needed()
            return
        except Error:
            page.wait_for_timeout(300)
    target.scroll_into_view_if_needed()


def send(page: Page, text: str) -> None:
    """Type a message and send it once the chat takes it: Enter is ignored while the chat is busy (starting the
    session, answering), and the text would stay in the box. The box empties when the message is taken; while it
    still holds the text, Enter is pressed again (under the whole suite's load, a first one was once lost)."""
    from playwright.sync_api import Error, expect

    box = page.locator("#chat-input")
    box.fill(text)
    for _ in range(6):
        expect(page.locator("#chat-submit")).to_be_enabled(timeout=30000)
        box.press("Enter")
        try:
            page.wait_for_function("e => !(e.value ?? e.textContent)", arg=box.element_handle(), timeout=10000)
            return
        except Error:
            continue
    raise AssertionError(f"the chat never took {text!r}")


def test_a_marketer_attaches_a_photo_and_iterates_on_the_video(served: str, tmp_path: Path) -> None:
    """One conversation with the offline planner: a product photo and a brief, then "make it square", "3
    variations", "all formats" and "change the headline to Run the city". Each step's videos are decoded and their
    on-screen copy checked; the ready video shows its buttons."""
    from playwright.sync_api import sync_playwright

    photo = tmp_path / "sneaker.png"
    photo.write_bytes(png_bytes((900, 700)))
    shots = Path(os.environ.get("CLAPBOARD_SCREENSHOT_DIR", tmp_path))
    env = {**os.environ, "CLAPBOARD_DATA_DIR": str(tmp_path / "data")}
    seen: set[str] = set()

    def new_creatives(count: int) -> list[dict]:
        """The creatives made since the last step, oldest first, each decoded."""
        made = [c for c in json.loads(clapboard(env, tmp_path, "creatives", "--json")) if c["id"] not in seen]
        assert len(made) == count, made
        for c in made:
            seen.add(c["id"])
            info = probe(Path(c["file"]), count_frames=True)
            assert (info.codec, info.width, info.height) == ("h264", c["width"], c["height"])
            assert abs(info.duration_s - 6) <= 1 / info.fps
        return sorted(made, key=lambda c: c["created_at"])

    def step(page: Page, text: str, videos: int) -> None:
        send(page, text)
        page.wait_for_function(f"document.querySelectorAll('video').length >= {videos}", timeout=120000)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        open_chat(page, served)
        assert "Clapboard" in page.content()
        page.locator("#upload-button-input").set_input_files(str(photo))
        page.wait_for_selector("#attachments", timeout=15000)
        send(page, "make a 6 second vertical product showcase of our sneaker, price $129")
        page.wait_for_selector("video", timeout=90000)
        page.wait_for_function("document.querySelector('video').readyState >= 1", timeout=30000)
        size = page.evaluate("(v => [v.videoWidth, v.videoHeight, v.duration])(document.querySelector('video'))")
        assert size[:2] == [480, 854] and abs(size[2] - 6) < 0.1
        assert "/poster.jpg" in page.evaluate("document.querySelector('video').getAttribute('poster')")
        page.evaluate("document.querySelector('video').muted = true; document.querySelector('video').play()")
        page.wait_for_function("document.querySelector('video').currentTime > 0.5", timeout=15000)
        for button in ("Variations", "Other formats", "Edit text", "Another model", "Library"):
            page.get_by_role("button", name=button).first.wait_for(timeout=15000)
        assert page.get_by_text("Price: “$129”").count() >= 1
        scroll_to(page, page.get_by_role("button", name="Variations").first)
        page.screenshot(path=str(shots / "chat.png"))
        [first] = new_creatives(1)
        assert first["aspect"] == "9:16" and first["copy"]["price"] == "$129" and not first["copy"]["headline"]
        assert first["reference_keys"], "the photo is the video's reference"

        step(page, "make it square", 2)
        [square] = new_creatives(1)
        assert square["aspect"] == "1:1" and square["copy"] == first["copy"]
        assert square["reference_keys"] == first["reference_keys"]

        step(page, "3 variations", 5)
        takes = new_creatives(3)
        assert {c["aspect"] for c in takes} == {"1:1"} and all(c["copy"] == first["copy"] for c in takes)
        assert len({c["set_id"] for c in takes}) == 1 and takes[0]["set_id"]
        assert len({c["bytes"] for c in takes}) == 3, "each variation is a different video"

        step(page, "all formats", 8)
        formats = new_creatives(3)
        assert sorted(c["aspect"] for c in formats) == ["16:9", "4:5", "9:16"]
        assert len({c["set_id"] for c in formats}) == 1 and all(c["copy"] == first["copy"] for c in formats)

        step(page, "change the headline to Run the city", 9)
        [edited] = new_creatives(1)
        assert edited["copy"]["headline"] == "Run the city" and edited["copy"]["price"] == "$129"
        assert edited["aspect"] == "16:9", "the conversation's latest video: the last of the formats"
        page.get_by_text("Headline: “Run the city”").first.wait_for(timeout=15000)
        page.screenshot(path=str(shots / "iterations.png"), full_page=True)
        browser.close()


def test_a_reload_during_the_render_still_shows_the_video(served: str, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        open_chat(page, served)
        shots = Path(os.environ.get("CLAPBOARD_SCREENSHOT_DIR", tmp_path))
        attach_photo(page, tmp_path)
        send(page, "a 30 second vertical product showcase of our sneaker at 720p")  # long enough to reload during
        page.get_by_text("Making your video").wait_for(timeout=30000)
        page.get_by_text("left").first.wait_for(timeout=30000)  # the live progress, with its Stop button
        page.get_by_role("button", name="Stop").wait_for(timeout=10000)
        page.screenshot(path=str(shots / "progress.png"))
        open_chat(page, served, reload=True)
        page.get_by_text("Still rendering").wait_for(timeout=30000)
        page.get_by_role("button", name="Stop").wait_for(timeout=10000)  # re-attached, Stop included
        page.screenshot(path=str(shots / "progress-after-reload.png"))
        assert page.get_by_text("Rendering", exact=True).count() == 0  # the history's progress message is the live one
        page.wait_for_selector("video", timeout=90000)
        page.wait_for_function("document.querySelector('video').readyState >= 1", timeout=30000)
        assert page.evaluate("document.querySelector('video').duration") == 30
        browser.close()


def test_three_people_sign_in_and_each_sees_their_teams_things(tmp_path: Path) -> None:
    """alice and bob of acme, carol of globex, in their own browsers: alice's video is in acme's library (bob
    sees it), her price question is hers alone, and globex sees nothing of acme, in the chat or by id."""
    from playwright.sync_api import sync_playwright

    from tests.e2e.server_process import ServerProcess, replicate_env
    from tests.fakes.replicate_server import FakeReplicate

    shots = Path(os.environ.get("CLAPBOARD_SCREENSHOT_DIR", tmp_path))
    with FakeReplicate() as fake:
        server = ServerProcess(tmp_path / "data", **replicate_env(fake))
        add_people(server.env, tmp_path)
        server.start()
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                alice = sign_in(browser, server.base, "alice", shot=shots / "signin.png")
                send(alice, "make a 2 second square video of a lighthouse at dawn on draft")
                alice.wait_for_selector("video", timeout=90000)
                send(alice, "make an 8s 16:9 video on veo-3.1 of a lighthouse at dawn")
                alice.get_by_role("button", name="Generate “Lighthouse at dawn, landscape” for $").wait_for(
                    timeout=30000
                )
                alice.screenshot(path=str(shots / "alice.png"))

                bob = sign_in(browser, server.base, "bob")
                send(bob, "/creatives")
                # the whole suite's load can hold a chat's answer for half a minute: waits as long as a render's
                bob.get_by_text("The library: 1 creative in 1 campaign").wait_for(timeout=90000)
                bob.wait_for_selector("#campaign-library video", timeout=90000)
                assert (
                    bob.get_by_text("go-ahead").count() == 0 and bob.get_by_role("button", name="Generate").count() == 0
                )
                bob.screenshot(path=str(shots / "bob.png"))

                carol = sign_in(browser, server.base, "carol")
                send(carol, "/creatives")
                carol.get_by_text("No creatives yet").wait_for(timeout=30000)
                assert carol.locator("video").count() == 0
                carol.screenshot(path=str(shots / "carol.png"))
                browser.close()

            token = clapboard(server.env, tmp_path, "token", "--user", "carol").strip()
            [creative] = json.loads(clapboard(server.env, tmp_path, "creatives", "--as", "alice", "--json"))
            carols = httpx.get(
                f"{server.base}/api/creatives/{creative['id']}", headers={"Authorization": f"Bearer {token}"}
            )
            assert carols.status_code == 404
            assert fake.creates() == []  # the price question was never answered
        finally:
            server.stop()


def test_a_conversation_reopens_from_the_sidebar_after_a_restart(tmp_path: Path) -> None:
    """alice makes a video with her logo; the server restarts; in a fresh browser she opens the conversation from
    the sidebar and finds it whole, and "make it square" remakes it square with the same logo. bob's sidebar does
    not list it, and carol cannot open it by its address."""
    from playwright.sync_api import sync_playwright

    from tests.e2e.server_process import ServerProcess

    shots = Path(os.environ.get("CLAPBOARD_SCREENSHOT_DIR", tmp_path))
    logo = tmp_path / "logo.png"
    logo.write_bytes(png_bytes((600, 400), (30, 60, 200)))
    server = ServerProcess(tmp_path / "data")
    add_people(server.env, tmp_path)
    server.start()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            alice = sign_in(browser, server.base, "alice")
            alice.locator("#upload-button-input").set_input_files(str(logo))
            alice.wait_for_selector("#attachments", timeout=15000)
            send(alice, "make a 4 second vertical brand animation of our logo, tagline 'Run the city'")
            alice.wait_for_selector("video", timeout=90000)
            alice.context.close()

            server.kill()
            server.start()

            fresh = sign_in(browser, server.base, "alice")
            fresh.get_by_text("make a 4 second vertical brand animation").first.click(timeout=30000)
            fresh.get_by_text("Your video is ready").wait_for(timeout=30000)
            fresh.wait_for_function("document.querySelector('video')?.readyState >= 1", timeout=30000)
            assert fresh.evaluate("document.querySelector('video').videoHeight") == 854
            fresh.screenshot(path=str(shots / "resumed.png"))
            thread_url = fresh.url
            send(fresh, "make it square")
            fresh.wait_for_function("document.querySelectorAll('video').length >= 2", timeout=90000)
            fresh.wait_for_function("[...document.querySelectorAll('video')].every(v => v.readyState >= 1)",
                                    timeout=30000)  # fmt: skip
            sizes = fresh.evaluate("[...document.querySelectorAll('video')].map(v => [v.videoWidth, v.videoHeight])")
            assert sizes == [[480, 854], [480, 480]]
            fresh.screenshot(path=str(shots / "square.png"))

            bob = sign_in(browser, server.base, "bob")
            bob.wait_for_timeout(1000)
            assert bob.get_by_text("make a 4 second vertical brand animation").count() == 0
            carol = sign_in(browser, thread_url, "carol")
            carol.goto(thread_url, wait_until="networkidle")
            carol.wait_for_timeout(1000)
            assert carol.locator("video").count() == 0 and carol.get_by_text("Run the city").count() == 0
            carol.screenshot(path=str(shots / "carol-thread.png"))
            browser.close()
        listed = json.loads(clapboard(server.env, tmp_path, "jobs", "--as", "alice", "--json"))
        assert [j["status"] for j in listed] == ["succeeded", "succeeded"]
    finally:
        server.stop()


def test_the_campaign_library_plays_downloads_renames_and_deletes(served: str, tmp_path: Path) -> None:
    """Two videos, then the library from the Library button: cards with posters and titles and the brand kit
    versions each followed, play, a real download with a readable name, rename, delete (the files leave the data
    folder), spend per campaign."""
    from playwright.sync_api import expect, sync_playwright

    shots = Path(os.environ.get("CLAPBOARD_SCREENSHOT_DIR", tmp_path))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI", "POE", "REPLICATE", "DATABASE"))}
    for kit in (["--colors", "#0A2540,#FF5A1F"], ["--campaign", "Spring sale", "--cta", "Spring deals"]):
        subprocess.run([sys.executable, "-m", "chat.cli", "brand", "set", *kit], check=True, timeout=60,
                       env={**env, "CLAPBOARD_DATA_DIR": str(tmp_path / "data")})  # fmt: skip
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 1500}, accept_downloads=True)
        open_chat(page, served)
        attach_photo(page, tmp_path)
        briefs = ["/generate a 2 second vertical product showcase of our sneaker",
                  '/generate a 2 second square social media ad for the spring sale campaign="Spring sale"']  # fmt: skip
        for made, brief in enumerate(briefs, 1):
            send(page, brief)
            expect(page.get_by_text("Your video is ready")).to_have_count(made, timeout=60000)
        page.get_by_role("button", name="Library").last.click()

        library = page.locator("#campaign-library")
        cards = library.locator("[data-creative-id]")
        expect(cards).to_have_count(2, timeout=30000)
        expect(cards.locator("[data-field=title]")).to_have_text(["Spring sale social ad, square",
                                                                   "Sneaker showcase, vertical"])  # fmt: skip
        expect(cards.locator("[data-field=brand]")).to_have_text(["team kit v1 + campaign kit v1", "team kit v1"])
        expect(library.locator("[data-campaign] [data-field=spend]")).to_have_text(
            ["1 creative · nothing spent", "1 creative · nothing spent"]
        )
        for poster in cards.locator("video").evaluate_all("vs => vs.map(v => v.poster)"):
            answer = page.request.get(poster)
            assert answer.status == 200 and answer.headers["content-type"] == "image/jpeg"
        scroll_to(page, library)
        library.screenshot(path=str(shots / "library.png"))

        def pinned(text: str) -> Locator:  # a card found by its id: it stays found while its text changes
            return library.locator(
                f"[data-creative-id='{cards.filter(has_text=text).get_attribute('data-creative-id')}']"
            )

        sneaker, ad = pinned("Sneaker showcase"), pinned("Spring sale")
        sneaker.get_by_role("button", name="Play Sneaker showcase, vertical").click()
        page.wait_for_function("v => v.currentTime > 0.3", arg=sneaker.locator("video").element_handle(), timeout=15000)
        library.screenshot(path=str(shots / "library-playing.png"))
        with page.expect_download() as download:
            sneaker.get_by_role("link", name="Download").click()
        assert download.value.suggested_filename == "Sneaker showcase, vertical-9x16.mp4"
        saved = tmp_path / download.value.suggested_filename
        download.value.save_as(saved)
        info = probe(saved)
        assert (info.codec, info.width, info.height) == ("h264", 480, 854) and abs(info.duration_s - 2) < 0.1

        ad.get_by_role("button", name="Rename").click()
        ad.get_by_label("New title").fill("Spring sale teaser, square")
        ad.get_by_label("New title").press("Enter")
        expect(ad.locator("[data-field=title]")).to_have_text("Spring sale teaser, square")

        video_file = (
            tmp_path / "data" / "files" / "creatives" / str(sneaker.get_attribute("data-creative-id")) / "video.mp4"
        )
        assert video_file.is_file()
        sneaker.get_by_role("button", name="Delete").click()
        sneaker.get_by_text("Delete this video for the whole team?").wait_for()
        library.screenshot(path=str(shots / "library-confirm-delete.png"))
        sneaker.get_by_role("button", name="Delete").click()
        expect(cards).to_have_count(1)
        assert not video_file.exists() and not video_file.with_name("poster.jpg").exists()
        expect(library.locator("[data-campaign='Default campaign']")).to_contain_text("0 creatives · nothing spent")
        library.screenshot(path=str(shots / "library-after.png"))
        browser.close()


def test_the_settings_panel_opens_and_the_next_video_follows_it(tmp_path: Path) -> None:
    """The gear opens the settings (the page stayed blank when a choice had an empty value); a model, a format,
    a length, sound off and a default campaign are picked and confirmed, and the next brief, which names none
    of them, is made that way: the request Replicate got, the creative, and its decoded file."""
    from playwright.sync_api import expect, sync_playwright

    from tests.e2e.server_process import ServerProcess, replicate_env
    from tests.fakes.replicate_server import FakeReplicate

    shots = Path(os.environ.get("CLAPBOARD_SCREENSHOT_DIR", tmp_path))
    with FakeReplicate() as fake:
        server = ServerProcess(tmp_path / "data", **replicate_env(fake))
        server.start()
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                page = browser.new_page(viewport={"width": 1280, "height": 1000})
                failures: list[str] = []
                page.on("pageerror", lambda error: failures.append(str(error)))
                open_chat(page, server.base)
                page.locator("#chat-settings-open-modal").click()
                panel = page.get_by_role("dialog")
                expect(panel.get_by_text("Video model")).to_be_visible(timeout=15000)
                for widget, choice in (
                    ("#model", "Veo 3.1 Fast ·"),
                    ("#aspect", "9:16 vertical"),
                    ("#duration_s", "6 s"),
                ):
                    panel.locator(widget).click()
                    page.get_by_role("option", name=choice).first.click()
                panel.locator("#audio").click()
                expect(panel.locator("#audio")).to_have_attribute("aria-checked", "false")
                panel.locator("#campaign").fill("Spring launch")
                panel.screenshot(path=str(shots / "settings-panel.png"))
                panel.get_by_role("button", name="Confirm").click()
                expect(panel).to_be_hidden()

                page.locator("#chat-settings-open-modal").click()  # opened again: it kept what was chosen
                expect(panel.locator("#model")).to_contain_text("Veo 3.1 Fast · $0.10/s ·")
                expect(panel.locator("#aspect")).to_contain_text("9:16 vertical")
                expect(panel.locator("#duration_s")).to_have_text("6 s")
                expect(panel.locator("#audio")).to_have_attribute("aria-checked", "false")
                expect(panel.locator("#campaign")).to_have_value("Spring launch")
                panel.screenshot(path=str(shots / "settings-panel-reopened.png"))
                panel.get_by_role("button", name="Cancel").click()
                assert failures == []

                send(page, "a video of a lighthouse at dawn")
                page.get_by_role("button", name="Generate").click(timeout=30000)
                page.wait_for_function("document.querySelector('video')?.readyState >= 1", timeout=90000)
                box = page.locator("video").bounding_box()  # the shape of its picture, not the whole column
                assert box and box["height"] <= 420 and abs(box["width"] / box["height"] - 9 / 16) < 0.02
                page.screenshot(path=str(shots / "settings-video.png"))
                browser.close()
            [create] = fake.creates()
            assert create.path == "/v1/models/google/veo-3.1-fast/predictions"
            asked = create.json["input"]
            assert (asked["aspect_ratio"], asked["duration"], asked["generate_audio"]) == ("9:16", 6, False)
            [creative] = json.loads(clapboard(server.env, tmp_path, "creatives", "--json"))
            made = (creative["model"], creative["aspect"], creative["duration_s"], creative["campaign"])
            assert made == ("veo-3.1-fast", "9:16", 6, "Spring launch")
            info = probe(Path(creative["file"]))
            assert info.height > info.width and (info.width, info.height) == (creative["width"], creative["height"])
            assert abs(info.duration_s - 6) <= 1 / info.fps
        finally:
            server.stop()


def test_a_paid_price_question_lists_the_words_and_edit_text_changes_them_before_paying(tmp_path: Path) -> None:
    """A paid brief's price question says what will be on screen; Edit text and a typed change ask again with the
    new words (the old question's buttons gone), and nothing reaches Replicate until Generate, then once, asking for
    footage without the words (Clapboard draws them over it)."""
    from playwright.sync_api import expect, sync_playwright

    from tests.e2e.server_process import ServerProcess, replicate_env
    from tests.fakes.replicate_server import FakeReplicate

    shots = Path(os.environ.get("CLAPBOARD_SCREENSHOT_DIR", tmp_path))
    with FakeReplicate() as fake:
        server = ServerProcess(tmp_path / "data", **replicate_env(fake))
        server.start()
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                page = browser.new_page(viewport={"width": 1280, "height": 1000})
                open_chat(page, server.base)
                send(page, "a 4 second 16:9 video on veo-3.1 of cosy sweaters. Headline: Cosy season. Use code KNIT30")
                expect(page.get_by_text("Code “Use code KNIT30”")).to_be_visible(timeout=30000)
                page.screenshot(path=str(shots / "price-question.png"))
                page.get_by_role("button", name="Edit text").last.click()
                send(page, "change the code to KNIT40")
                expect(page.get_by_text("Code “Use code KNIT40”")).to_be_visible(timeout=30000)
                expect(page.get_by_role("button", name="Generate")).to_have_count(1)
                page.screenshot(path=str(shots / "price-question-edited.png"))
                assert fake.creates() == []
                page.get_by_role("button", name="Generate").click()
                deadline = time.monotonic() + 30
                while not fake.creates() and time.monotonic() < deadline:
                    time.sleep(0.2)
                browser.close()
            [create] = fake.creates()
            prompt = create.json["input"]["prompt"]  # footage only: Clapboard draws the words over it
            assert "sweaters" in prompt and "No on-screen text or logos" in prompt
            assert not re.search(r"Cosy season|KNIT30|KNIT40|Headline", prompt), prompt
        finally:
            server.stop()
