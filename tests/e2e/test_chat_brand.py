"""The brand kit set in the chat, over socket.io as the browser does it: a logo with its attachment, two hex
colours, one colour changed (the version goes up), a headline font file, `/brand`, the card's Edit button; a
member is told that only an admin changes the team's kit and sets a campaign's instead. None of it starts a
video."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw

from campaign.models import DEFAULT_TEAM_ID
from campaign.settings import Settings
from tests.conftest import png_bytes
from tests.e2e.chainlit_server import ChatClient, chainlit_server
from tools.studio.types import BrandChanges

FONT = Path(__file__).resolve().parents[2] / "tools" / "fonts" / "RedHatDisplay-Black.ttf"


def partner_logo() -> bytes:
    """A logo as people attach one: a ring and a bar in one colour on a transparent ground."""
    image = Image.new("RGBA", (480, 200), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((20, 20, 180, 180), outline=(200, 30, 60, 255), width=26)
    draw.rounded_rectangle((210, 70, 460, 130), radius=30, fill=(200, 30, 60, 255))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def cards(tab: ChatClient) -> list[dict[str, Any]]:
    return [e["props"] for e in tab.elements("custom") if e.get("name") == "BrandCard"]


async def next_card(tab: ChatClient, seen: int) -> dict[str, Any]:
    found = await tab.wait_for(lambda: cards(tab)[seen:])
    return found[0]


async def test_a_logo_two_colours_a_changed_colour_a_font_and_slash_brand(settings: Settings) -> None:
    from chat import runtime

    async with chainlit_server(settings) as base:
        studio = runtime.services().studio
        tab = ChatClient(base)
        await tab.connect()  # the machine's owner: an admin
        logo = png_bytes((400, 200), color=(0, 0, 0, 0), mode="RGBA")  # transparent, with a blue square
        await tab.send("this is our logo", files=[await tab.upload("aurora.png", logo, "image/png")])
        card = await next_card(tab, 0)
        assert card["label"] == "team kit v1"
        [shown] = card["logos"]
        assert shown["kind"] == "main" and shown["url"]
        assert (await tab.http.get(shown["url"])).content.startswith(b"\x89PNG")  # the logo, served as it is stored
        assert "The team's kit is set: team kit v1." in tab.messages()

        await tab.send("our colours are #0A2540 and #FF5A1F")
        card = await next_card(tab, 1)
        assert (card["label"], [c["hex"] for c in card["colors"]]) == ("team kit v2", ["#0A2540", "#FF5A1F"])
        assert card["logos"][0]["kind"] == "main"  # the logo stays

        await tab.send("replace #FF5A1F with #00C2A8")
        card = await next_card(tab, 2)
        assert (card["label"], [c["hex"] for c in card["colors"]]) == ("team kit v3", ["#0A2540", "#00C2A8"])

        junk = await tab.upload("Inter.ttf", b"not a font at all" * 40, "font/ttf")
        await tab.send("use Inter for headlines", files=[junk])
        said = await tab.wait_for(lambda: [m for m in tab.messages() if m.startswith("The brand kit was not changed")])
        assert "font" in said[0].lower() and len(cards(tab)) == 3, said

        font = await tab.upload("RedHatDisplay-Black.ttf", FONT.read_bytes(), "font/ttf")
        await tab.send("use this font for headlines", files=[font])
        card = await next_card(tab, 3)
        [headline] = card["fonts"]
        assert (card["label"], headline["use"], headline["family"]) == ("team kit v4", "headline", "Red Hat Display")
        assert (await tab.http.get(headline["url"])).content == FONT.read_bytes()

        await tab.send("/brand")
        card = await next_card(tab, 4)
        assert card["label"] == "team kit v4" and card["logos"] and card["fonts"] and len(card["colors"]) == 2

        [edit] = [e for e in tab.events if e[0] == "element" and e[1].get("name") == "BrandCard"][-1:]
        answer = await tab.click({"name": "brand_edit", "payload": {"part": "colors"}, "forId": edit[1]["forId"],
                                  "id": "edit-colors", "label": "Edit"})  # fmt: skip
        assert answer.status_code == 200, answer.text
        await tab.wait_for(lambda: any(m.startswith("Type the new palette") for m in tab.messages()))

        assert not any("Making your video" in m or "costs about" in m for m in tab.messages()), tab.messages()
        assert await studio.store.jobs(DEFAULT_TEAM_ID) == []  # no message of these started a video
        await tab.close()


async def test_a_member_is_told_only_an_admin_changes_the_team_kit_and_sets_the_campaigns(settings: Settings) -> None:
    from chat import runtime

    async with chainlit_server(settings) as base:
        await runtime.services().studio.accounts.add("bob", team="acme", password="bob-password")
        tab = ChatClient(base)
        await tab.connect("bob", "bob-password")
        await tab.send("our colours are #0A2540 and #FF5A1F")
        await tab.wait_for(lambda: any("Only an admin can change the team's brand kit" in m for m in tab.messages()))
        assert cards(tab) == []

        await tab.send("background #0A2540, accent #FF5A1F for the Spring sale campaign")
        card = await next_card(tab, 0)
        assert (card["campaign"], card["label"], card["colors_campaign"]) == ("Spring sale", "campaign kit v1", True)
        assert [(c["hex"], c["role"]) for c in card["colors"]] == [("#0A2540", "background"), ("#FF5A1F", "accent")]
        await tab.close()


async def test_the_chat_model_sets_the_kit_through_the_same_tool(tmp_path: Path) -> None:
    """With an LLM, its set_brand call makes the same change and the same card."""
    from tests.conftest import make_settings
    from tests.fakes.openai_server import FakeOpenAI

    with FakeOpenAI() as llm:
        settings = make_settings(tmp_path / "data", openai_api_key=llm.api_key, openai_base_url=llm.base_url)
        colours = [{"hex": "#0A2540", "role": "background"}, {"hex": "#FF5A1F", "role": "accent"}]
        llm.queue_reply(tool_calls=[{"name": "set_brand", "arguments": {"colors": colours, "tone": ["bold"]}}])
        llm.queue_reply(content="Done: your palette and tone are in the team's kit.")
        async with chainlit_server(settings) as base:
            tab = ChatClient(base)
            await tab.connect()
            await tab.send("navy and orange are ours, and we sound bold")
            card = await next_card(tab, 0)
            await tab.close()
    assert (card["label"], [c["hex"] for c in card["colors"]]) == ("team kit v1", ["#0A2540", "#FF5A1F"])
    assert [w["value"] for w in card["words"]] == ["bold"]


async def test_a_logo_the_chat_model_sets_is_not_kept_as_the_next_videos_reference(tmp_path: Path) -> None:
    """A message the offline reader does not know, whose image the model's set_brand takes as the logo: the next
    video follows the kit's logo, not the attachment."""
    from tests.conftest import make_settings
    from tests.fakes.openai_server import FakeOpenAI

    with FakeOpenAI() as llm:
        settings = make_settings(tmp_path / "data", openai_api_key=llm.api_key, openai_base_url=llm.base_url)
        llm.queue_reply(tool_calls=[{"name": "set_brand", "arguments": {"logo": "main"}}])
        llm.queue_reply(content="Your logo is in the team's kit.")
        clip = {"prompt": "a lighthouse at dawn", "duration_s": 2}
        llm.queue_reply(tool_calls=[{"name": "generate_video", "arguments": clip}])
        llm.queue_reply(content="On it.")
        async with chainlit_server(settings) as base:
            tab = ChatClient(base)
            await tab.connect()
            mark = await tab.upload("aurora.png", partner_logo(), "image/png")
            await tab.send("here's the mark we put on everything", files=[mark])
            card = await next_card(tab, 0)
            await tab.send("now a clip of a lighthouse")
            ready = await tab.wait_for(lambda: [m for m in tab.messages() if m.startswith("Your video is ready")])
            await tab.close()
    assert card["logos"][0]["kind"] == "main"
    assert "attached logo" not in ready[0], ready


async def test_an_svg_is_taken_as_the_logo_and_refused_as_a_videos_reference(settings: Settings) -> None:
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100"><circle cx="50" cy="50" r="40"/></svg>'
    async with chainlit_server(settings) as base:
        tab = ChatClient(base)
        await tab.connect()
        await tab.send("this is our logo", files=[await tab.upload("aurora.svg", svg, "image/svg+xml")])
        card = await next_card(tab, 0)
        await tab.send("make a 2 second clip of this", files=[await tab.upload("mark.svg", svg, "image/svg+xml")])
        refused = await tab.wait_for(lambda: [m for m in tab.messages() if "Nothing was generated" in m])
        await tab.close()
    assert card["logos"][0]["kind"] == "main"
    assert "“mark.svg” is an SVG drawing, not a PNG, JPEG or WebP image. Reference images must be" in refused[0]


async def test_a_member_is_offered_the_campaigns_kit_with_a_button(settings: Settings) -> None:
    from chat import runtime

    async with chainlit_server(settings) as base:
        await runtime.services().studio.accounts.add("bob", team="acme", password="bob-password")
        tab = ChatClient(base)
        await tab.connect("bob", "bob-password")
        await tab.wait_for(lambda: any(e == "chat_settings" for e, _ in tab.events))
        await tab.sio.emit("chat_settings_change", {"campaign": "Spring sale"})  # the settings' default campaign
        await tab.wait_for(lambda: len([e for e, _ in tab.events if e == "chat_settings"]) > 1)
        await tab.send("tone: bold, playful")
        offer = await tab.wait_for(
            lambda: [d for e, d in tab.events if e == "action" and d["name"] == "brand_for_campaign"]
        )
        assert any("I can set it as the *Spring sale* campaign's kit instead." in m for m in tab.messages())
        assert (await tab.click(offer[0])).status_code == 200
        card = await next_card(tab, 0)
        assert (card["campaign"], card["label"], card["words"][0]["value"]) == (
            "Spring sale",
            "campaign kit v1",
            "bold, playful",
        )
        assert (await tab.click(offer[0])).status_code == 200  # again: the change was made once
        await tab.wait_for(lambda: any(m.startswith("That change is no longer waiting") for m in tab.messages()))
        assert len(cards(tab)) == 1
        await tab.close()


async def test_a_reopened_conversation_shows_the_kit_as_it_is_now(settings: Settings) -> None:
    """The history brings the card back (its props an object again); the kit changed since adds a card with its
    latest version, after the history, and an unchanged one adds nothing."""
    from chat import runtime

    async with chainlit_server(settings) as base:
        studio = runtime.services().studio
        await studio.accounts.add("alice", team="acme", password="alice-password", admin=True)
        tab = ChatClient(base)
        await tab.connect("alice", "alice-password")
        await tab.send("our colours are #0A2540 and #FF5A1F")
        await next_card(tab, 0)
        thread_id = await tab.thread()
        await tab.close()

        same = ChatClient(base)
        await same.connect("alice", "alice-password", thread_id=thread_id)
        [resumed] = await same.wait_for(lambda: [d for e, d in same.events if e == "resume_thread"])
        [kept] = [e for e in resumed["elements"] if e.get("name") == "BrandCard"]
        assert kept["props"]["label"] == "team kit v1"
        await same.close()

        await studio.brand.set(await studio.accounts.cli_actor("alice"), BrandChanges(cta="Shop now"))
        back = ChatClient(base)
        await back.connect("alice", "alice-password", thread_id=thread_id)
        card = await next_card(back, 0)
        [resumed] = [d for e, d in back.events if e == "resume_thread"]
        history = [e["props"]["label"] for e in resumed["elements"] if e.get("name") == "BrandCard"]
        assert history == ["team kit v1"], "reopening with the kit unchanged added no card"
        resumed_at = next(i for i, (e, _) in enumerate(back.events) if e == "resume_thread")
        shown_at = next(i for i, (e, d) in enumerate(back.events) if e == "element" and d.get("name") == "BrandCard")
        assert shown_at > resumed_at and card["label"] == "team kit v2"
        assert "The brand kit now: team kit v2." in back.messages()
        await back.close()


async def test_the_chat_says_when_a_brief_or_an_attachment_overrides_the_kit_and_nothing_otherwise(
    settings: Settings,
) -> None:
    async with chainlit_server(settings) as base:
        tab = ChatClient(base)
        await tab.connect()
        await tab.send("our colours are #0A2540 and #FF5A1F")
        await next_card(tab, 0)

        def ready() -> list[str]:
            return [m for m in tab.messages() if m.startswith("Your video is ready")]

        await tab.send("make a 2 second clip of a lighthouse at dawn")
        [kit] = await tab.wait_for(ready)
        assert "brand kit" not in kit, kit
        await tab.send("make a 2 second clip of a lighthouse at dawn in teal and white")
        told = await tab.wait_for(lambda: ready()[1:])
        assert "This video uses the brief's colours instead of the brand kit's." in told[0], told

        mark = png_bytes((300, 120), color=(0, 0, 0, 0), mode="RGBA")
        await tab.send("this is our logo", files=[await tab.upload("aurora.png", mark, "image/png")])
        await next_card(tab, 1)
        other = await tab.upload("partner-logo.png", partner_logo(), "image/png")
        await tab.send("make a 2 second brand animation with this logo", files=[other])
        told = await tab.wait_for(lambda: ready()[2:])
        assert "This video uses the attached logo instead of the brand kit's." in told[0], told
        await tab.close()
