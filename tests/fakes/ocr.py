"""Words read off a video frame by Tesseract, for tests that check what a viewer reads on screen.

Tests that need it use `needs_tesseract` (they skip, saying why, where `tesseract` is not installed) and
`read_words`, which returns the words Tesseract read, lower-cased, with punctuation kept inside words ("$49",
"shop.com") and dropped around them.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from PIL import Image, ImageOps

TESSERACT = shutil.which("tesseract")
needs_tesseract = pytest.mark.skipif(TESSERACT is None, reason="needs Tesseract (apt-get install tesseract-ocr)")


def read_text(image: Image.Image, *, invert: bool = False, scale: float = 1.0) -> str:
    """Tesseract's reading of `image` (grey, optionally inverted for light text on dark, optionally scaled)."""
    assert TESSERACT is not None
    grey = ImageOps.grayscale(image)
    if invert:
        grey = ImageOps.invert(grey)
    if scale != 1.0:
        grey = grey.resize((round(grey.width * scale), round(grey.height * scale)), Image.Resampling.LANCZOS)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "frame.png"
        grey.save(path)
        # One thread: the suite's workers read frames side by side, and Tesseract's OpenMP threads spin while they
        # wait (a 720x1280 frame: 0.19 s of CPU in one thread, 0.37 s in two).
        done = subprocess.run([TESSERACT, str(path), "stdout", "--psm", "11"], capture_output=True, text=True,
                              env={**os.environ, "OMP_THREAD_LIMIT": "1"}, timeout=60, check=True)  # fmt: skip
    return done.stdout


def read_words(image: Image.Image) -> set[str]:
    """The words on `image`, read both as dark-on-light and light-on-dark (ads use both)."""
    text = read_text(image) + "\n" + read_text(image, invert=True)
    return {w.strip(".,:;!?\"'()").lower() for w in re.split(r"\s+", text) if w.strip(".,:;!?\"'()")}
