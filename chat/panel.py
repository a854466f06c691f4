"""What surrounds the conversation: the settings panel, the starters, and the footer.

Settings (`cl.user_session.get("chat_settings")`, the request defaults of every message): `model`, `aspect`,
`duration_s` (an int, one the model offers), `audio` (a bool the model offers), `campaign`, `refine`,
`auto_fallback`, and the sound: `voice` (a voice's id, or "none"), `captions` and `music`. The panel lists each
model with its price and limits; format, duration and audio follow the chosen model, and the prices say "with
audio" when the switch makes them so. The voices listed are those usable here (premium ones with Replicate).

Starters work whatever the model: one the chosen model cannot make is made on the cheapest model that can (or at
the nearest duration it offers), and the chat says so; one that needs a logo or a product photo asks for it
first, and goes ahead with the next message that brings it (or "go" without a logo; a showcase needs its photo).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import chainlit as cl
from chainlit.config import config
from chainlit.input_widget import Select, Switch, TextInput
from starlette.requests import Request
from starlette.responses import JSONResponse

from chat.runtime import services
from chat.sound_words import NO_VOICE  # also the Voice-over choice for none
from tools.studio import Studio
from tools.studio.models import AUTO  # the Auto choice's value: the browser's select refuses an empty one
from tools.studio.types import ModelSpec, VoiceView, usd_text

ASPECT_WORDS = {
    "16:9": "16:9 landscape (YouTube, web)",
    "9:16": "9:16 vertical (TikTok, Reels, Shorts)",
    "1:1": "1:1 square (Instagram feed)",
    "4:5": "4:5 portrait (feeds)",
}
STARTER_KEY = "starter_waiting"  # the starter waiting for its attachment, in the user session
_GO_WITHOUT = re.compile(r"^\s*(?:go|go ahead|skip|without|no (?:logo|photo|image)|make it anyway)\b", re.I)


def rate_text(spec: ModelSpec, audio: bool | None) -> str:
    """A model's price per second as the switch makes it: "free", "$0.40/s with audio", "from $0.168/s"."""
    if not spec.paid:
        return "free"
    sound = spec.effective_audio(audio)
    rates = sorted({spec.price(r, sound) for r in spec.resolutions})
    lead = "from " if len(rates) > 1 else ""
    return f"{lead}{usd_text(rates[0])}/s{' with audio' if sound else ''}"


def model_label(spec: ModelSpec, audio: bool | None) -> str:
    """The model as the panel lists it: name, price and limits."""
    refs = f"up to {spec.max_references} image{'s' if spec.max_references != 1 else ''}"
    return f"{spec.name} · {rate_text(spec, audio)} · {spec.duration_text()} · {', '.join(spec.aspects)} · {refs}"


def audio_label(spec: ModelSpec) -> str:
    if spec.audio_options == [True]:
        return f"Audio ({spec.name} always adds sound)"
    if True not in spec.audio_options:
        return f"Audio ({spec.name} makes silent videos)"
    return f"Audio ({spec.name}: {rate_text(spec, True)}, or {rate_text(spec, False)} silent)"


AUTO_LABEL = "Auto (from the brief, the template or the model)"


def voice_items(voices: list[VoiceView]) -> dict[str, str]:
    """The Voice-over choices: none, then each voice usable here with who it is and its price (the browser's
    select refuses an empty value, so none is "none")."""
    items = {"None": NO_VOICE}
    for v in voices:
        paid = f"premium on Replicate, {usd_text(v.usd_per_1k_chars)} per 1,000 characters"
        if v.available:
            items[f"{v.name} — {v.gender}, {paid if v.usd_per_1k_chars else 'offline, free'}"] = v.id
    return items


def fit(raw: dict[str, Any] | None) -> tuple[dict[str, Any], list[str]]:
    """Settings as requests take them: the model's (fitted to what it offers, with what had to move) and the
    sound's (a voice usable here or "none"; captions and music on unless switched off)."""
    models = services().studio.models
    values, moved = models.fit_settings(raw or {})
    usable = {v.id for v in models.voices() if v.available}
    voice = (raw or {}).get("voice")
    values.update(
        voice=voice if voice in usable else NO_VOICE,
        captions=(raw or {}).get("captions") is not False,
        music=(raw or {}).get("music") is not False,
    )
    return values, moved


async def send_settings(raw: dict[str, Any] | None = None) -> list[str]:
    """Show the settings panel for these settings (the session's when None) and make them the session's; what
    had to be moved to fit the model."""
    models = services().studio.models
    values, moved = fit(cl.user_session.get("chat_settings") if raw is None else raw)
    spec = models.get(values["model"])
    await cl.ChatSettings(
        [
            Select(
                id="model",
                label="Video model",
                items={model_label(m, values["audio"]): m.id for m in models.available()},
                initial_value=spec.id,
            ),
            Select(
                id="aspect",
                label="Format",
                items={AUTO_LABEL: AUTO, **{ASPECT_WORDS.get(a, a): a for a in spec.aspects}},
                initial_value=values["aspect"] or AUTO,
            ),
            Select(
                id="duration_s",
                label=f"Duration ({spec.name} makes {spec.duration_text()})",
                items={AUTO_LABEL: AUTO, **{f"{d} s": str(d) for d in spec.durations}},
                initial_value=str(values["duration_s"] or AUTO),
            ),
            Switch(id="audio", label=audio_label(spec), initial=values["audio"]),
            Select(
                id="voice",
                label="Voice-over (read from a script written for the video; words in a brief win)",
                items=voice_items(models.voices()),
                initial_value=values["voice"],
            ),
            Switch(
                id="captions",
                label="Captions of the voice-over (burned in, and SRT/VTT files)",
                initial=values["captions"],
            ),  # fmt: skip
            Switch(id="music", label="Music under the video", initial=values["music"]),
            TextInput(
                id="campaign",
                label="Default campaign",
                initial=values["campaign"] or "",
                placeholder="Default campaign",
            ),
            Switch(
                id="auto_fallback",
                label="When a paid model fails, go on to the next paid model without asking (never above the "
                "price you approved)",
                initial=values["auto_fallback"],
            ),
            Switch(id="refine", label="Refine prompts for paid models", initial=values["refine"]),
        ]
    ).send()
    cl.context.session.chat_settings = values  # as requests take them: the panel's widgets send strings
    return moved


# --- starters ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StarterBrief:
    """A starter: what it says, what it asks for, and the attachment it needs."""

    label: str
    message: str  # as the button sends it (and the chat shows it)
    request: str  # the request it stands for, with {d} for its duration
    duration_s: int
    aspect: str
    needs: str | None  # the attachment it asks for first
    icon: str
    go_without: bool = True  # "go" makes it without the attachment (a showcase without its product cannot be)


STARTERS = (
    StarterBrief(
        label="Vertical product showcase",
        message="make a 6 second vertical product showcase of our sneaker",
        request="make a {d} second vertical product showcase of our sneaker",
        duration_s=6,
        aspect="9:16",
        needs="a photo of your product",
        icon="/public/favicon.svg",
        go_without=False,
    ),
    StarterBrief(
        label="Logo animation for YouTube",
        message='a 10 s brand animation of our logo for YouTube, tagline "Run the city"',
        request='a {d} s brand animation of our logo for YouTube, tagline "Run the city"',
        duration_s=10,
        aspect="16:9",
        needs="your logo",
        icon="/public/favicon.svg",
    ),
    StarterBrief(
        label="TikTok sale ad",
        message="15s TikTok social media ad for the spring sale: 20% off everything, Shop now",
        request="{d}s TikTok social media ad for the spring sale: 20% off everything, Shop now",
        duration_s=15,
        aspect="9:16",
        needs=None,
        icon="/public/favicon.svg",
    ),
)


def starter_buttons() -> list[cl.Starter]:
    return [cl.Starter(label=s.label, message=s.message, icon=s.icon) for s in STARTERS]


def starter_plan(studio: Studio, starter: StarterBrief, chosen: str | None) -> tuple[str, str]:
    """The request a starter stands for on the chosen model (or the catalog's default), and what the chat says
    about it: another model that can make it (the cheapest), else the chosen model's nearest duration."""
    spec, other, cost = studio.models.fit_starter(
        chosen, duration_s=starter.duration_s, aspect=starter.aspect, references=1 if starter.needs else 0
    )
    if other is spec:
        return starter.request.format(d=starter.duration_s), ""
    if other is not None:
        price = f"about ${cost:.2f}" if cost else "free"
        note = (
            f"{spec.name} cannot make a {starter.duration_s} s {starter.aspect} video, so this one is made on "
            f"{other.name} ({price})."
        )
        return f"{starter.request.format(d=starter.duration_s)} model={other.id}", note
    near = min(spec.durations, key=lambda d: (abs(d - starter.duration_s), -d))
    note = f"{spec.name} makes {spec.duration_text()}, so this one is {near} s instead of {starter.duration_s} s."
    return starter.request.format(d=near), note


async def expand_starter(message: cl.Message) -> bool:
    """A starter clicked: ask for its attachment first (True: answered here), or rewrite the message into the
    request it stands for on a model that can make it (False: the agent makes it). The message that brings the
    attachment a starter asked for (or "go" without it) becomes that request."""
    waiting = cl.user_session.get(STARTER_KEY)
    cl.user_session.set(STARTER_KEY, None)
    text = message.content.strip()
    starter = next((s for s in STARTERS if s.message == text), None)
    asked = next((s for s in STARTERS if s.label == waiting), None)
    if starter is None and asked is not None and (message.elements or asked.go_without and _GO_WITHOUT.match(text)):
        starter = asked
    elif starter is not None and starter.needs and not message.elements:
        cl.user_session.set(STARTER_KEY, starter.label)
        go = " Or say **go** to make it without one." if starter.go_without else ""
        await cl.Message(
            content=f"For this one I need {starter.needs}: attach it with the paperclip (PNG, JPEG or WebP) and "
            f"send.{go}"
        ).send()
        return True
    if starter is None:
        return False
    studio = services().studio
    request, note = starter_plan(studio, starter, (cl.user_session.get("chat_settings") or {}).get("model"))
    if note:
        await cl.Message(content=note).send()
    message.content = request
    return False


# --- the footer -----------------------------------------------------------------------------------------------


async def translations(request: Request) -> JSONResponse:
    """Chainlit's texts for the page, without the footer's "LLMs can make mistakes" when no LLM answers here
    (the offline planner does not guess); served in place of Chainlit's own route (chat/server.py)."""
    language = request.query_params.get("language", "en-US")
    if not re.fullmatch(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*", language):
        language = "en-US"
    translation = config.load_translation(config.ui.language or language)
    if services().studio.offline and isinstance(translation.get("chat"), dict):
        translation["chat"]["watermark"] = " "
    return JSONResponse({"translation": translation})
