"""HTTP response bodies read under a cap counted twice, while streaming: on the wire and after decoding.

httpx decodes each received chunk whole, so a few kilobytes of zstd or gzip become a gigabyte in memory before
any size check sees it. Here the body is read raw: we ask servers for `identity`, inflate gzip and deflate (which
some servers send anyway) with zlib's `max_length`, so no step ever yields more than the room left under the cap,
and refuse every other coding (zstd, br) without decoding a byte of it.
"""

from __future__ import annotations

import zlib

import httpx

ACCEPT_ENCODING = "identity"


class TooLarge(Exception):
    """The body (as sent or as decoded) went past the cap."""


class UnsupportedEncoding(Exception):
    """The server sent a content coding we did not ask for and do not decode."""


class Damaged(Exception):
    """The compressed body does not decode."""


class _Body:
    """A body as the pieces it came in, joined once at the end: one buffer grown piece by piece is copied as it
    grows, and how much memory that takes then depends on the allocator's history (20 MB or 67 MB for one bomb)."""

    def __init__(self) -> None:
        self.pieces: list[bytes] = []
        self.size = 0

    def add(self, piece: bytes) -> None:
        self.pieces.append(piece)
        self.size += len(piece)


class _Inflater:
    """gzip or deflate, decoded a bounded step at a time."""

    STEP = 1 << 20  # decoded bytes per step: the most a step holds besides the body itself

    def __init__(self, coding: str) -> None:
        self._coding = coding
        self._first = True
        self._zlib = zlib.decompressobj(zlib.MAX_WBITS | 16 if coding == "gzip" else zlib.MAX_WBITS)

    def feed(self, data: bytes, body: _Body, limit: int) -> None:
        """Decode `data` onto `body`, a step at a time, stopping as soon as the body passes `limit`."""
        if self._first and self._coding == "deflate":
            try:  # "deflate" is meant to be zlib-wrapped, but some servers send raw deflate
                zlib.decompressobj().decompress(data[:64], 1)
            except zlib.error:
                self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
        self._first = False
        while data and body.size <= limit:
            body.add(self._zlib.decompress(data, min(self.STEP, limit + 1 - body.size)))
            data = self._zlib.unconsumed_tail

    def finish(self, body: _Body, limit: int) -> None:
        body.add(self._zlib.flush(limit + 1 - body.size))


def _decoder(response: httpx.Response) -> _Inflater | None:
    codings = [c.strip().lower() for c in response.headers.get("content-encoding", "").split(",") if c.strip()]
    codings = [c for c in codings if c != "identity"]
    if not codings:
        return None
    if len(codings) == 1 and codings[0] in ("gzip", "x-gzip", "deflate"):
        return _Inflater("deflate" if codings[0] == "deflate" else "gzip")
    raise UnsupportedEncoding(", ".join(codings))


async def read_capped(response: httpx.Response, limit: int) -> bytes:
    """The body of a streamed response, at most `limit` bytes both as received and as decoded."""
    decoder = _decoder(response)
    body = _Body()
    wire = 0
    try:
        async for chunk in response.aiter_raw():
            wire += len(chunk)
            if wire > limit:
                raise TooLarge
            if decoder is None:
                body.add(chunk)
            else:
                decoder.feed(chunk, body, limit)
            if body.size > limit:
                raise TooLarge
        if decoder is not None:
            decoder.finish(body, limit)
            if body.size > limit:
                raise TooLarge
    except zlib.error:
        raise Damaged from None
    return b"".join(body.pieces)
