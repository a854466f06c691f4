"""How any voice's lines land on the video's track: each where its beat starts, its words from where the speech
starts (not its clip's leading silence), a line that runs long pushing the next one later, and nothing past the
video's end (cut with a fade, not a click)."""

from __future__ import annotations

import numpy as np

from tools.sound.placing import place
from tools.sound.speech import SPEECH_RATE, ScriptLine, VoiceScript


def tone(seconds: float, silence_s: float = 0.0) -> np.ndarray:
    """A clip: `silence_s` of silence, then a tone, then the same silence (as a voice's clip comes)."""
    t = np.arange(round(seconds * SPEECH_RATE)) / SPEECH_RATE
    quiet = np.zeros(round(silence_s * SPEECH_RATE), np.float32)
    return np.concatenate([quiet, (0.5 * np.sin(2 * np.pi * 220 * t)).astype(np.float32), quiet])


def loud_at(samples: np.ndarray, t: float) -> bool:
    i = round(t * SPEECH_RATE)
    return float(np.abs(samples[i : i + 480]).max(initial=0.0)) > 0.05


SCRIPT = VoiceScript(
    lines=[
        ScriptLine(text="Meet the Aurora runner.", start=0.3, end=2.0),
        ScriptLine(text="30% off.", start=2.3, end=3.5, part="offer"),
        ScriptLine(text="Shop now at aurora.run.", start=4.2, end=5.7, part="close"),
    ]
)


def test_lines_start_on_their_beats_with_their_words_where_the_speech_starts() -> None:
    speech = place(SCRIPT, [tone(1.5, 0.4), tone(0.8, 0.2), tone(1.2, 0.3)], 6.0, "joe")

    assert len(speech.samples) == 6 * SPEECH_RATE
    assert [round(line.start, 2) for line in speech.lines] == [0.3, 2.3, 4.2]
    first = speech.lines[0]
    assert loud_at(speech.samples, first.words[0].start + 0.03) and not loud_at(speech.samples, first.start - 0.05)
    assert abs(first.end - (0.3 + 1.5)) < 0.05  # the clip's silence trimmed away
    assert [w.text for w in first.words] == ["Meet", "the", "Aurora", "runner."]
    assert first.words[2].end - first.words[2].start > first.words[1].end - first.words[1].start  # by characters
    assert first.words[-1].end == first.end
    assert speech.lines[-1].text == "Shop now at aurora.run."  # written as on screen: the captions' words


def test_a_long_line_pushes_the_next_and_nothing_is_said_past_the_end() -> None:
    speech = place(SCRIPT, [tone(2.6), tone(0.8), 2.4 * tone(2.5)], 6.0, "joe")

    assert speech.lines[1].start >= speech.lines[0].end + 0.1  # pushed, not on top of the line before
    assert speech.lines[-1].end <= 6.0 and speech.lines[-1].words[-1].end <= 6.0
    tail = speech.samples[-240:]
    assert float(np.abs(tail).max()) <= 0.1 * float(np.abs(speech.samples).max())  # faded out, no click
    assert loud_at(speech.samples, 5.8)
    assert 0.85 < float(np.abs(speech.samples).max()) <= 10 ** (-1 / 20) + 1e-6  # a voice over full scale, under it
