"""The voice-over, captions and music in the chat, over Chainlit's socket.io against the fake Replicate: the price
question shows who reads the voice-over, at what price, and its words, and Edit voice-over asks for new words and
replaces the waiting job; words change the last video's sound; the settings panel's voice, captions and music
reach the request; the ready message and the library link the captions and say the sound in one line."""

from __future__ import annotations

import asyncio
import re
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pysubs2
import pytest

from campaign.settings import Settings
from chat.agent import usd
from tests.e2e.chainlit_server import ChatClient, chainlit_server
from tests.fakes.replicate_server import FakeReplicate, replicate_settings
from tools.sound.voices import find_voice

BRIEF = 'make an 8s 16:9 video on veo-3.1 of a lighthouse at dawn, headline "Lighthouse Inn", Book now'


def _actions(tab: ChatClient, name: str) -> list[dict[str, Any]]:
    return [d for e, d in tab.events if e == "action" and d["name"] == name]


def answer_asks(tab: ChatClient, answers: list[str], late_s: float = 0) -> None:
    """The chat's box answers the chat's questions (Chainlit's AskUserMessage) with these words, in turn, as
    the UI does: the question's acknowledgement carries the user's message; with `late_s`, the first question
    is answered only that late."""

    async def ask(data: Any) -> dict[str, Any]:
        tab.events.append(("ask", data))
        words = answers.pop(0)
        if late_s and not [e for e, _ in tab.events[:-1] if e == "ask"]:
            await asyncio.sleep(late_s)
        return {
            "id": str(uuid.uuid4()), "threadId": "", "output": words, "name": "User",
            "type": "user_message", "createdAt": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        }  # fmt: skip

    tab.sio.on("ask", ask)


async def _job_sound(job_id: str) -> Any:
    from chat import runtime
    from tools.jobs.spec import JobSpec

    return JobSpec.of(await runtime.services().studio.store.job(job_id)).sound


async def test_the_price_question_shows_the_voice_over_and_edit_voice_over_replaces_the_waiting_job(
    fake_replicate: FakeReplicate, tmp_path: Path
) -> None:
    from chat import runtime

    async with chainlit_server(replicate_settings(fake_replicate, tmp_path / "data")) as base:
        studio = runtime.services().studio
        tab = ChatClient(base)
        new_words = "Dawn breaks over the lighthouse. Book your stay today."
        answer_asks(tab, [new_words])
        await tab.connect()
        await tab.send(f"{BRIEF} with a voice-over")
        [first] = await tab.wait_for(lambda: _actions(tab, "confirm_job"))
        [asked] = [m for m in tab.messages() if m.startswith("Start **Veo 3.1**")]
        sound = await _job_sound(first["payload"]["job_id"])
        voice, written = find_voice(sound.voice), sound.script.text()
        assert voice.paid and written, "with Replicate set up, a premium voice reads it"
        cost = voice.cost(sound.script)
        assert f"Voice-over: {voice.name} (premium voice on Replicate, {usd(cost)})\n> “{written}”" in asked
        assert f"for about ${3.20 + cost:.2f}?" in asked, "the voice-over is billed with the video"
        [edit] = await tab.wait_for(lambda: _actions(tab, "edit_voiceover"))
        assert (edit["label"], edit["payload"]["job_id"]) == ("Edit voice-over", first["payload"]["job_id"])

        assert (await tab.click(edit)).status_code == 200
        [(_, question)] = await tab.wait_for(lambda: [(e, d) for e, d in tab.events if e == "ask"])
        assert f"“{written}”" in question["msg"]["output"] and "Write the new words" in question["msg"]["output"]
        [second] = await tab.wait_for(lambda: _actions(tab, "confirm_job")[1:])
        again = await tab.wait_for(lambda: [m for m in tab.messages() if "earlier price question is canceled" in m])
        new_cost = usd(voice.cost((await _job_sound(second["payload"]["job_id"])).script))
        assert f"Voice-over: {voice.name} (premium voice on Replicate, {new_cost})\n> “{new_words}”" in again[0]
        removed = {d["id"] for e, d in tab.events if e == "remove_action"}
        assert {f"{kind}-{first['payload']['job_id']}" for kind in ("confirm", "cancel", "edit", "voice")} <= removed
        assert (await _job_sound(second["payload"]["job_id"])).script.text() == new_words
        old = await studio.store.job(first["payload"]["job_id"])
        assert (old.status, old.provider_job_id) == ("canceled", None)
        replaced = await tab.wait_for(lambda: [a["payload"] for a in _actions(tab, "edit_voiceover")][1:])
        assert replaced == [{"job_id": second["payload"]["job_id"], "script": new_words}]
        assert fake_replicate.creates() == []
        thread = await tab.thread()
        await tab.close()

        back = ChatClient(base)  # the conversation reopened: the question is asked again, with its voice-over
        await back.connect(thread_id=thread)
        [still] = await back.wait_for(lambda: [m for m in back.messages() if "Still waiting for your go-ahead" in m])
        assert f"Voice-over: {voice.name} (premium voice on Replicate, {new_cost})\n> “{new_words}”" in still
        [edit_again] = await back.wait_for(lambda: _actions(back, "edit_voiceover"))
        assert edit_again["payload"] == {"job_id": second["payload"]["job_id"], "script": new_words}
        await back.close()


async def test_words_change_the_last_videos_voice_captions_and_music(
    fake_replicate: FakeReplicate, tmp_path: Path
) -> None:
    """Each change replaces the waiting job with one whose sound changed as said, and nothing else."""
    async with chainlit_server(replicate_settings(fake_replicate, tmp_path / "data")) as base:
        tab = ChatClient(base)
        await tab.connect()
        await tab.send(f"{BRIEF} with a voice-over")
        await tab.wait_for(lambda: _actions(tab, "confirm_job"))
        start = await _job_sound(_actions(tab, "confirm_job")[-1]["payload"]["job_id"])
        assert start.voice and start.captions and start.music

        async def changed(text: str) -> Any:
            asked = len(_actions(tab, "confirm_job"))
            await tab.send(text)
            latest = (await tab.wait_for(lambda: _actions(tab, "confirm_job")[asked:]))[-1]
            return await _job_sound(latest["payload"]["job_id"])

        spoken = "Where the light meets the sea. Book now."
        assert (await changed(f"change the voice-over to {spoken}")).script.text() == spoken
        assert (await changed("no music")).music is False
        after = await changed("no captions")
        assert (after.captions, after.music, after.script.text()) == (False, False, spoken)  # the rest is kept
        assert (await changed("use Dexter")).voice == "dexter"
        assert (await changed("a female voice")).voice in ("hazel", "clara", "poppy")
        silent = await changed("no voice")
        assert silent.voice is None
        last = [m for m in tab.messages() if "earlier price question is canceled" in m][-1]
        assert "Voice-over" not in last and not any(
            a["payload"]["job_id"] == _actions(tab, "confirm_job")[-1]["payload"]["job_id"]
            for a in _actions(tab, "edit_voiceover")
        )
        assert fake_replicate.creates() == []
        await tab.close()


async def test_the_settings_panels_voice_captions_and_music_reach_the_request(
    fake_replicate: FakeReplicate, tmp_path: Path
) -> None:
    async with chainlit_server(replicate_settings(fake_replicate, tmp_path / "data")) as base:
        tab = ChatClient(base)
        await tab.connect()
        [panel] = await tab.wait_for(lambda: [d for e, d in tab.events if e == "chat_settings"])
        voice = next(w for w in panel if w["id"] == "voice")
        assert voice["initial"] == "none"
        listed = [item["label"] for item in voice["items"]]
        assert listed[:2] == ["None", "Joe — male, offline, free"]
        assert "Hazel — female, premium on Replicate, $0.10 per 1,000 characters" in listed
        assert {w["id"]: w["initial"] for w in panel if w["id"] in ("captions", "music")} == {
            "captions": True, "music": True,
        }  # fmt: skip

        values = {w["id"]: w.get("initial") for w in panel}
        await tab.sio.emit("chat_settings_change", {**values, "voice": "joe", "music": False})
        await tab.send(BRIEF)
        [job] = await tab.wait_for(lambda: _actions(tab, "confirm_job"))
        sound = await _job_sound(job["payload"]["job_id"])
        assert (sound.voice, sound.captions, sound.music) == ("joe", True, False)
        assert any("Voice-over: Joe (offline, free)" in m for m in tab.messages())

        await tab.send(f"{BRIEF}, no voice-over")  # the brief's words win over the settings
        [other] = await tab.wait_for(lambda: _actions(tab, "confirm_job")[1:])
        assert (await _job_sound(other["payload"]["job_id"])).voice is None
        await tab.close()


async def test_the_ready_message_links_the_captions_and_says_the_sound(
    fake_replicate: FakeReplicate, tmp_path: Path
) -> None:
    """A video made with a voice-over and captions (its creative's sound has SRT and WebVTT files): the ready
    message links both, and they download as the video's captions; its sound is said in one line; the library's
    card links them too."""
    from campaign.models import Creative, new_id
    from chat import runtime
    from tests.fakes.replicate_server import make_mp4

    async with chainlit_server(replicate_settings(fake_replicate, tmp_path / "data")) as base:
        studio = runtime.services().studio
        tab = ChatClient(base)
        await tab.connect()
        await tab.send(f"{BRIEF} with a voice-over")
        [asked] = await tab.wait_for(lambda: _actions(tab, "confirm_job"))
        job = await studio.store.job(asked["payload"]["job_id"])

        cid, storage = new_id(), studio.library.storage
        srt = "1\n00:00:00,500 --> 00:00:02,000\nDawn at the lighthouse.\n"
        vtt = "WEBVTT\n\n00:00:00.500 --> 00:00:02.000\nDawn at the lighthouse.\n"
        for key, body, mime in ((f"creatives/{cid}/video.mp4", make_mp4(320, 180, 2), "video/mp4"),
                                (f"creatives/{cid}/captions.srt", srt.encode(), "application/x-subrip"),
                                (f"creatives/{cid}/captions.vtt", vtt.encode(), "text/vtt")):  # fmt: skip
            await storage.put(key, body, mime)
        sound = {"voice": "joe", "music": "Morning drive", "target_lufs": -14.0, "lufs": -14.04,
                 "true_peak_dbtp": -1.6, "srt_key": f"creatives/{cid}/captions.srt",
                 "vtt_key": f"creatives/{cid}/captions.vtt"}  # fmt: skip
        await studio.store.add_creative(
            Creative(id=cid, campaign_id=job.campaign_id, job_id=job.id, title="Lighthouse at dawn",
                     prompt=BRIEF, prompt_sent=BRIEF, model="veo-3.1", duration_s=2.0, aspect="16:9", width=320,
                     height=180, fps=2.0, bytes=1, file_key=f"creatives/{cid}/video.mp4", poster_key=None,
                     footage_key=None, made_by=job.submitted_by, sound=sound)
        )  # fmt: skip
        await studio.store.update_job(job.id, status="succeeded", creative_id=cid)
        await runtime.services().notifier.resync()  # as after events were missed: the watched job is done

        [ready] = await tab.wait_for(lambda: [m for m in tab.messages() if m.startswith("Your video is ready")])
        assert "Voice-over by Joe · captions · -14.0 LUFS" in ready
        links = dict(re.findall(r"\[(SRT|VTT)\]\(([^)]+)\)", ready))
        assert set(links) == {"SRT", "VTT"}
        async with httpx.AsyncClient(base_url=base, cookies=tab.http.cookies) as http:
            got = {kind: await http.get(url) for kind, url in links.items()}
        assert got["SRT"].text == srt and got["VTT"].text == vtt
        assert 'filename="Lighthouse at dawn-16x9.srt"' in got["SRT"].headers["content-disposition"]

        [library] = await tab.wait_for(lambda: _actions(tab, "open_library"))  # the library lists them too
        assert (await tab.click(library)).is_success
        [element] = await tab.wait_for(lambda: tab.elements("custom"))
        [card] = element["props"]["campaigns"][0]["items"]
        listed = {"SRT": card["captions_srt_url"], "VTT": card["captions_vtt_url"]}
        assert {kind: url.split("?")[0] for kind, url in listed.items()} == {  # signed afresh: another expiry
            kind: url.split("?")[0] for kind, url in links.items()
        }
        assert card["sound"] == "Voice-over by Joe · captions · -14.0 LUFS"
        await tab.close()


@pytest.mark.render
async def test_a_free_draft_with_a_voice_over_says_its_words_then_links_captions_of_them(
    settings: Settings, tmp_path: Path
) -> None:
    """Offline, a draft asked "with a voice-over" starts at once (free, read by the offline voice): its started
    message says the words; the ready message's SRT download has those words, timed within the video."""
    async with chainlit_server(settings) as base:
        tab = ChatClient(base)
        await tab.connect()
        await tab.send('make a 4 second vertical video of our wool socks with a voice-over, headline "Warm feet"')
        await tab.wait_for(lambda: tab.elements("video"), 120)
        [started] = [m for m in tab.messages() if m.startswith("Making your video") and "Voice-over" in m]
        spoken = started.split("Voice-over by Joe:\n> “")[1].removesuffix("”")
        assert "Warm feet" in spoken
        [ready] = [m for m in tab.messages() if m.startswith("Your video is ready")]
        assert re.search(r"\n\nVoice-over by Joe · captions · -1[345]\.\d LUFS\n", ready), ready  # as measured
        links = dict(re.findall(r"\[(SRT|VTT)\]\(([^)]+)\)", ready))
        async with httpx.AsyncClient(base_url=base) as http:
            srt = (await http.get(links["SRT"])).text
        cues = pysubs2.SSAFile.from_string(srt)
        heard = " ".join(cue.plaintext.replace("\n", " ") for cue in cues)
        assert re.sub(r"\W+", " ", heard).lower().strip() == re.sub(r"\W+", " ", spoken).lower().strip()
        assert 0 <= cues[0].start < cues[-1].end <= 4000
        await tab.close()


async def test_edit_voice_over_pressed_twice_asks_once_and_the_latest_question_is_answered(
    fake_replicate: FakeReplicate, tmp_path: Path
) -> None:
    """The chat's box answers one question: a second click replaces the first question, whose late answer
    changes nothing; one new price question comes, with the words given to the second."""
    async with chainlit_server(replicate_settings(fake_replicate, tmp_path / "data")) as base:
        tab = ChatClient(base)
        answer_asks(tab, ["Words for the first question.", "Words for the second question."], late_s=1.5)
        await tab.connect()
        await tab.send(f"{BRIEF} with a voice-over")
        [first] = await tab.wait_for(lambda: _actions(tab, "confirm_job"))
        [edit] = await tab.wait_for(lambda: _actions(tab, "edit_voiceover"))
        assert (await tab.click(edit)).status_code == 200
        await tab.wait_for(lambda: [e for e, _ in tab.events if e == "ask"])
        assert (await tab.click(edit)).status_code == 200
        [second] = await tab.wait_for(lambda: _actions(tab, "confirm_job")[1:])
        await asyncio.sleep(2)  # the first question's answer arrives, too late
        assert len(_actions(tab, "confirm_job")) == 2
        assert (await _job_sound(second["payload"]["job_id"])).script.text() == "Words for the second question."
        assert not [m for m in tab.messages() if "stays as it was" in m]
        await tab.close()


async def test_edit_voice_over_answered_with_no_voice_takes_the_voice_over_off(
    fake_replicate: FakeReplicate, tmp_path: Path
) -> None:
    async with chainlit_server(replicate_settings(fake_replicate, tmp_path / "data")) as base:
        tab = ChatClient(base)
        answer_asks(tab, ["no voice"])
        await tab.connect()
        await tab.send(f"{BRIEF} with a voice-over")
        await tab.wait_for(lambda: _actions(tab, "confirm_job"))
        [edit] = await tab.wait_for(lambda: _actions(tab, "edit_voiceover"))
        assert (await tab.click(edit)).status_code == 200
        [second] = await tab.wait_for(lambda: _actions(tab, "confirm_job")[1:])
        assert (await _job_sound(second["payload"]["job_id"])).voice is None
        [again] = await tab.wait_for(lambda: [m for m in tab.messages() if "earlier price question is canceled" in m])
        assert "Voice-over" not in again and "no voice" not in again
        await tab.close()
