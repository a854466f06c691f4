"""A feed's row as a video: why it cannot be made, and the request of the video it makes."""

from __future__ import annotations

from pathlib import Path

from tools.batches import BatchOptions, FeedRow
from tools.jobs.spec import VideoRequest


def row_problem(row: FeedRow, *, paths: bool) -> str | None:
    """Why the row cannot be made, in a sentence naming the column ("No title: fill in title or name."); None
    when it can. `paths`: an image may be a file path (the CLI), else it must be an http(s) URL. The images
    themselves are fetched and checked when the row's request is prepared, as every reference is."""
    raise NotImplementedError


def request_for(row: FeedRow, options: BatchOptions, aspect: str | None, base: Path | None) -> VideoRequest:
    """The request of the row's video in `aspect` (None: the model's default): the batch's ask with the row's
    product in it, its words as the copy (headline, price and sale, CTA), its images as references (paths taken
    relative to `base`, the feed file's folder, when given)."""
    raise NotImplementedError
