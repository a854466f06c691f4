"""The sound a job asks for, decided once at submission (`sound_for`): which voice speaks (the one named, or the
kit's tone's; premium voices only when Replicate is set up), the script it reads (the user's words, else written
from the brief and its copy: by the LLM when there is one, by rules offline), captions, music and its mood, and the
loudness preset. The script is stored on the job so the user sees it before a paid render, and edits it in words.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from campaign.errors import InvalidRequest
from tools.brand import BrandKit
from tools.brief import Brief
from tools.sound.script import script_from_text, written_script
from tools.sound.speech import SoundSpec
from tools.sound.voices import OFFLINE, Voice, find_voice, pick_voice

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

ON, NONE = "on", "none"  # a voice-over with the default voice; none
GENDERS = ("female", "male")
NOTHING_TO_SAY = (
    "The brief gives the voice-over nothing to say (no product, feature, offer or call to action), so this video has "
    "none. Give its words, e.g. “change the voice-over to Meet Aero, light that follows you.”"
)


@dataclass(frozen=True)
class Sound:
    """A job's sound as submitted: the spec stored on the job, its voice (None: no voice-over) and what to say of
    the choice ("" when it is what was asked)."""

    spec: SoundSpec
    voice: Voice | None
    notice: str = ""

    @property
    def cost_usd(self) -> float:
        """What the voice-over costs: nothing offline, the premium voice's price per character otherwise."""
        return voice_cost_of(self.spec)


def chosen_voice(
    asked: str | None, kit: BrandKit | None, *, premium: bool, paid_video: bool
) -> tuple[Voice | None, str]:
    """The voice `asked` for ("none", "on", "female", "male", a voice's id or name; None: no voice-over) and what
    to say of it. A premium voice needs Replicate (`premium`): one named without it is an InvalidRequest saying
    what to do. A default voice is the kit's tone's: a premium one for a paid video, or for a gender the offline
    voice is not of; otherwise the free offline voice, so a free draft stays free. A gender the offline voice is
    not of, without Replicate, goes on with the offline voice, said so."""
    if asked is None or asked.lower() == NONE:
        return None, ""
    tone = " ".join(kit.tone) if kit and kit.tone else None
    word = asked.lower()
    if word in (ON, *GENDERS):
        gender = word if word in GENDERS else None
        offline = find_voice(OFFLINE)
        voice = pick_voice(gender, tone, premium and (paid_video or gender not in (None, offline.gender)))
        if gender and voice.gender != gender:
            return voice, (
                f"There is no {gender} voice offline, so {voice.name} ({voice.gender}) reads the voice-over. For a "
                f"{gender} voice, ask whoever runs Clapboard to connect Replicate (premium voices, paid per character)."
            )
        return voice, ""
    voice = find_voice(asked)
    if voice.paid and not premium:
        raise InvalidRequest(
            f"{voice.name} is a premium voice on Replicate, which is not set up here.",
            hint=f"Ask whoever runs Clapboard to connect Replicate, or ask for the offline voice ({OFFLINE}) or no "
            "voice-over.",
        )
    return voice, ""


async def sound_for(
    brief: Brief,
    *,
    script: str | None,
    kit: BrandKit | None,
    duration_s: int,
    premium: bool,
    paid_video: bool,
    llm: BaseChatModel | None,
) -> Sound:
    """The sound of a job for `brief` (its options say what the words and the request asked): a given `script`
    turns the voice-over on and is spoken as written; otherwise it is written for the video's length by `llm`
    (by rules without one). `premium`: Replicate is set up; `paid_video`: the video's model is paid."""
    options = brief.options
    asked = options.voice
    if script and asked is None:
        asked = ON
    voice, notice = chosen_voice(asked, kit, premium=premium, paid_video=paid_video)
    written = None
    if voice is not None:
        template = None if brief.template.name == "prompt" else brief.template.name
        written = (
            script_from_text(script, duration_s, brief.copy)
            if script
            else await written_script(llm, brief.words, brief.copy, duration_s, template)
        )
    if written is not None and not written.lines:  # nothing in the brief or its copy to say
        voice, written, notice = None, None, NOTHING_TO_SAY
    spec = SoundSpec(
        voice=voice.id if voice else None,
        script=written,
        captions=voice is not None and options.captions is not False,
        music=options.music is not False,
        mood=options.mood,
        broadcast=bool(options.broadcast),
    )
    return Sound(spec, voice, notice)


def voice_of(spec: SoundSpec) -> Voice | None:
    """The voice a stored spec names (None: no voice-over)."""
    return find_voice(spec.voice) if spec.voice else None


def voice_cost_of(spec: SoundSpec) -> float:
    """What a stored spec's voice-over costs (part of its job's price)."""
    voice = voice_of(spec)
    return round(voice.cost(spec.script), 4) if voice and spec.script else 0.0
