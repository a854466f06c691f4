"""What a job asks of its sound (`SoundSpec`), the voice-over's script timed to the video's beats
(`VoiceScript`), the speech a voice made of it with each word's time (`Speech`), and what is stored with the
creative (`CreativeSound`).

The script is written once, at submission (by the LLM when there is one, by rules offline), shown before a paid
render and edited in words; the speech is made by the job, and its word times drive the captions and the ducking.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from pydantic import BaseModel, Field

SPEECH_RATE = 48_000  # samples per second of every voice's speech, as the mix takes it

Part = Literal["opening", "feature", "offer", "close"]


class ScriptLine(BaseModel):
    """One line of the voice-over and the beat it is spoken in: it starts at `start` and is over by `end`."""

    text: str
    start: float
    end: float
    part: Part = "opening"


class VoiceScript(BaseModel):
    """The voice-over, line by line, and who wrote it."""

    lines: list[ScriptLine] = Field(default_factory=list)
    source: Literal["rules", "llm", "user"] = "rules"

    def text(self) -> str:
        """The whole script as the user reads and edits it."""
        return " ".join(line.text for line in self.lines)


class SoundSpec(BaseModel):
    """What a job asks of its sound. `voice` is a voice id (tools/sound/voices.py) or None for no voice-over;
    captions show the voice-over's words, so they need one; `mood` names the music bed's mood when the brief
    asks for one ("upbeat", "calm"); `broadcast` when the brief or channel asks for TV (a 16:9 ad is then mixed
    to -23 LUFS, not -14)."""

    voice: str | None = None
    script: VoiceScript | None = None
    captions: bool = True
    music: bool = True
    mood: str | None = None
    broadcast: bool = False


class Word(BaseModel):
    """One spoken word and when it is heard, in seconds from the video's start."""

    text: str
    start: float
    end: float


class SpokenLine(BaseModel):
    """One script line as spoken: when it is heard and its words."""

    text: str
    start: float
    end: float
    words: list[Word] = Field(default_factory=list)


@dataclass
class Speech:
    """A voice-over made: mono float32 samples at `SPEECH_RATE` from the video's start, and its lines' times."""

    samples: np.ndarray
    lines: list[SpokenLine] = field(default_factory=list)
    voice: str = ""

    @property
    def words(self) -> list[Word]:
        return [w for line in self.lines for w in line.words]


class CreativeSound(BaseModel):
    """What a creative's sound is, stored with it (`Creative.sound`): the voice and its timed lines, the music
    bed, the loudness measured on the file (ITU-R BS.1770), and the keys of its stored voice and captions."""

    voice: str | None = None
    lines: list[SpokenLine] = Field(default_factory=list)
    music: str | None = None  # the bed's name, None for no music
    target_lufs: float | None = None
    lufs: float | None = None  # integrated loudness, measured
    true_peak_dbtp: float | None = None
    voice_key: str | None = None  # the voice alone, so other formats are mixed again without paying again
    srt_key: str | None = None
    vtt_key: str | None = None
