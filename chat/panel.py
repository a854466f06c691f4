"""What surrounds the conversation: the settings panel, the starters, and the footer.

Settings (`cl.user_session.get("chat_settings")`, the request defaults of every message): `model`, `aspect`,
`duration_s` (an int, one the model offers), `audio` (a bool the model offers), `campaign`, `refine` and
`auto_fallback`. The panel lists each model with its price and limits; format, duration and audio follow the
chosen model, and the prices say "with audio" when the switch makes them so.

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

from campaign.errors import ClapboardError
from chat.runtime import services
from tools.catalog import ModelSpec, usd_text
from tools.studio import Studio

AUTO = "auto"  # the Auto choice's value: the browser's select refuses an empty one (the page went blank)
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


def normalised(studio: Studio, raw: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The settings as requests take them, each moved to what the chosen model offers; and what was moved."""
    catalog = studio.catalog
    try:
        spec = catalog.get(raw.get("model") or catalog.default_model)
    except ClapboardError:
        spec = catalog.get(catalog.default_model)
    if not spec.available:
        spec = catalog.first_available(spec.id)
    moved: list[str] = []
    # Format and duration are "Auto" (None) until picked: the brief, the template or the model decides then.
    picked = {k: None if raw.get(k) in ("", AUTO) else raw.get(k) for k in ("aspect", "duration_s")}
    aspect = picked["aspect"] if picked["aspect"] in spec.aspects else None
    if picked["aspect"] and aspect is None:
        moved.append(f"{spec.name} does not make {picked['aspect']}, so the format is now chosen for each video.")
    try:
        asked = int(picked["duration_s"]) if picked["duration_s"] else None
    except (TypeError, ValueError):
        asked = None
    duration = min(spec.durations, key=lambda d: (abs(d - asked), -d)) if asked is not None else None
    if asked is not None and duration != asked:
        moved.append(f"{spec.name} makes {spec.duration_text()}, so the duration is now {duration} s.")
    audio = raw.get("audio") if isinstance(raw.get("audio"), bool) else spec.audio
    if audio not in spec.audio_options:
        audio = spec.audio_options[0]
    campaign = str(raw.get("campaign") or "").strip() or None
    values = {
        "model": spec.id,
        "aspect": aspect,
        "duration_s": duration,
        "audio": audio,
        "campaign": campaign,
        "refine": raw.get("refine") is not False,
        "auto_fallback": raw.get("auto_fallback") is True,
    }
    return values, moved


AUTO_LABEL = "Auto (from the brief, the template or the model)"


async def send_settings(raw: dict[str, Any] | None = None) -> list[str]:
    """Show the settings panel for these settings (the session's when None) and make them the session's; what
    had to be moved to fit the model."""
    studio = services().studio
    values, moved = normalised(studio, cl.user_session.get("chat_settings") if raw is None else raw)
    spec = studio.catalog.get(values["model"])
    models = [m for m in studio.catalog.all() if m.available]
    await cl.ChatSettings(
        [
            Select(
                id="model",
                label="Video model",
                items={model_label(m, values["audio"]): m.id for m in models},
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
    catalog = studio.catalog
    spec = catalog.first_available(chosen or catalog.default_model)
    refs = 1 if starter.needs else 0
    ask = {"duration_s": starter.duration_s, "aspect": starter.aspect, "references": refs}
    fitting = catalog.fits(**ask)
    if spec in fitting:
        return starter.request.format(d=starter.duration_s), ""
    paid = spec.paid
    others = [m for m in fitting if m.paid == paid] or fitting
    if others:
        other = min(others, key=lambda m: catalog.resolve(m.id, **ask).estimated_cost_usd)
        cost = catalog.resolve(other.id, **ask).estimated_cost_usd
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
    studio = services().studio
    if not studio.settings.llm_key and isinstance(translation.get("chat"), dict):
        translation["chat"]["watermark"] = " "
    return JSONResponse({"translation": translation})
