"""A listener for tests: speech read back to words with pocketsphinx (offline; its US English model is in the
wheel), and how much of what was meant to be said was heard, in order.

    heard = transcribe(speech.samples, 48_000)
    assert in_order(["thirty", "percent", "off"], heard) >= 0.6

pocketsphinx is a small recogniser: it hears a clear synthetic voice well enough to tell speech from noise and
words in the right order from the wrong ones, not every word; tests ask for a share, never a transcript.
"""

from __future__ import annotations

import re
from math import gcd

import numpy as np
from scipy.signal import resample_poly

RATE = 16_000  # what the model was trained on


def transcribe(samples: np.ndarray, rate: int) -> list[str]:
    """The words pocketsphinx hears in mono float samples (-1..1) at `rate`, lower case."""
    from pocketsphinx import Decoder

    mono = samples if samples.ndim == 1 else samples.mean(axis=0 if samples.shape[0] < samples.shape[1] else 1)
    g = gcd(RATE, rate)
    at16k = resample_poly(mono.astype(np.float64), RATE // g, rate // g)
    pcm = (np.clip(at16k, -1.0, 1.0) * 32767).astype("<i2").tobytes()
    decoder = Decoder(samprate=RATE)
    decoder.start_utt()
    decoder.process_raw(pcm, full_utt=True)
    decoder.end_utt()
    hyp = decoder.hyp()
    return [re.sub(r"\(\d+\)$", "", w) for w in hyp.hypstr.lower().split()] if hyp else []


def in_order(expected: list[str], heard: list[str]) -> float:
    """The share of the expected words heard in the same order (the longest common subsequence), 0.0 to 1.0."""
    want = [w.lower() for w in expected]
    got = [w.lower() for w in heard]
    if not want:
        return 1.0
    row = [0] * (len(got) + 1)
    for w in want:
        diagonal = 0
        for j, g in enumerate(got, start=1):
            diagonal, row[j] = row[j], diagonal + 1 if w == g else max(row[j], row[j - 1])
    return row[-1] / len(want)
