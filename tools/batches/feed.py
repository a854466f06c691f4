"""Reading a product feed: CSV or TSV, XLSX (python-calamine), a Google Merchant RSS 2.0 / Atom feed with the `g:`
namespace (defusedxml), or rows sent as JSON; Merchant's column names and plain ones (`name`, `image`,
`headline`, `cta`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tools.batches import FeedRow


def read_feed(data: bytes, name: str) -> list[FeedRow]:
    """The rows of a feed file called `name` (its suffix, else its first bytes, say which kind).

    Raises TooLarge past MAX_FEED_BYTES, InvalidRequest for a file that is no feed we read, has none of the
    columns we know (saying which it found and which we read), or has more than MAX_ROWS rows."""
    raise NotImplementedError


def read_feed_file(path: Path) -> list[FeedRow]:
    """`read_feed` of a file on disk, refused by its size before it is read (TooLarge)."""
    raise NotImplementedError


def rows_of(items: list[dict[str, Any]]) -> list[FeedRow]:
    """Rows sent as JSON objects (the API), with the same column names as a file's; numbered from 1."""
    raise NotImplementedError
