"""Compression bombs for download tests: small on the wire, 1 GiB once decoded, served by `ScriptedHTTPServer`.

The zstd frame is written by hand (raw RLE blocks, as the format allows: 4 bytes stand for 128 KiB), gzip and
deflate repeat one compressed 64 MiB block (built once), so serving one allocates nothing of note.
"""

from __future__ import annotations

import functools
import struct
import zlib
from collections.abc import Iterator

from tests.fakes.http_server import Reply

GIB = 1 << 30
_ZSTD_BLOCK = 128 * 1024


def zstd_bomb(size: int = GIB) -> bytes:
    """A zstd frame of `size` zero bytes made of RLE blocks: about 32 KB for 1 GiB."""
    header = b"\x28\xb5\x2f\xfd" + bytes([0x00, 7 << 3])  # magic; no content size; a 128 KiB window
    blocks = size // _ZSTD_BLOCK
    body = bytearray()
    for n in range(blocks):
        last = 1 if n == blocks - 1 else 0
        body += struct.pack("<I", (_ZSTD_BLOCK << 3) | (1 << 1) | last)[:3] + b"\0"
    return header + bytes(body)


@functools.cache
def _zlib_blocks(wbits: int, step: int = 64 << 20) -> tuple[bytes, bytes]:
    """The stream's first 64 MiB (with its header) and any later 64 MiB: after a full flush the compressor starts
    afresh, so every later block is the same bytes."""
    packer = zlib.compressobj(9, zlib.DEFLATED, wbits)
    zeros = bytes(step)
    head = packer.compress(zeros) + packer.flush(zlib.Z_FULL_FLUSH)
    return head, packer.compress(zeros) + packer.flush(zlib.Z_FULL_FLUSH)


def zlib_bomb(wbits: int, size: int = GIB) -> Iterator[bytes]:
    """`size` zero bytes compressed (gzip: wbits 31, zlib deflate: 15), about 64 KB a chunk for 64 MiB each;
    built before it is served, so serving it allocates nothing."""
    head, block = _zlib_blocks(wbits)
    return iter([head, *[block] * (size // (64 << 20) - 1)])


def bomb(coding: str) -> Reply:
    """A reply that says it is a PNG, compressed with `coding` (zstd, gzip or deflate), 1 GiB decoded."""
    body = zstd_bomb() if coding == "zstd" else zlib_bomb(31 if coding == "gzip" else 15)
    return Reply(body=body, content_type="image/png", headers={"Content-Encoding": coding})
