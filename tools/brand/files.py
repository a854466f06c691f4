"""A kit's files, checked on the way in and stored content-addressed in the team's own folder,
`brand/<team_id>/<sha256>.<ext>`: one team's kit never names, or shares, another team's file.

Logos: PNG, WebP or JPEG, checked and re-encoded as the reference images are (`ReferenceIntake.normalise`: size
and pixel caps, decode budget, nothing kept but the pixels), always as PNG so a transparent logo keeps its alpha.
An SVG logo is refused when it holds anything active or outside itself (a script, an event handler, a
foreignObject, a link to another file or site, an embedded picture, which resvg would decode at whatever size it
claims), else drawn by resvg within a bounded square, as one of the intake's decodes at once,
and then checked as a PNG.

Fonts: TTF or OTF only, at most 5 MB, parsed by fontTools, with glyphs for A-Z, a-z and 0-9, and drawn by Pillow
once, so a font that would fail in a render is refused at the upload instead. The family name is the font's own.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import io
import re
import string
import struct
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from campaign.errors import InvalidRequest, ReferenceRejected
from campaign.storage import BlobStorage
from tools.brand.kit import LINE_CHARS, Use
from tools.references import ReferenceIntake, describe

FONT_MAX_BYTES = 5 * 1024 * 1024
SVG_MAX_BYTES = 1024 * 1024
SVG_SIZE = 1200  # pixels an SVG logo is drawn at on its long side
SVG_ASPECT = 10  # the most a logo's long side is of its short side
LATIN = string.ascii_uppercase + string.ascii_lowercase + string.digits
_FONT_MAGIC = {b"\x00\x01\x00\x00": "ttf", b"true": "ttf", b"OTTO": "otf"}
_TYPES = {"png": "image/png", "ttf": "font/ttf", "otf": "font/otf"}
_NOT_FONTS = (
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"RIFF", "a WebP image"),
    (b"wOFF", "a WOFF web font"),
    (b"wOF2", "a WOFF2 web font"),
)
_FONTS_ALLOWED = "Upload the font as a .ttf or .otf file (a .woff or .woff2 web font can be converted to one)."
_SVG_NEXT = "Export the logo as a PNG with a transparent background, or save the SVG without it, and upload it again."
# What makes an SVG more than a drawing: each refused, with what it is called in the message.
_SVG_ACTIVE = (
    (re.compile(rb"<\s*(?:[\w-]+:)?script\b", re.I), "a script"),
    (re.compile(rb"\son[a-z]+\s*=", re.I), "an event handler (onload, onclick, ...)"),
    (re.compile(rb"<\s*(?:[\w-]+:)?foreignObject\b", re.I), "a foreignObject (a web page inside the drawing)"),
    (re.compile(rb"""href\s*=\s*["']?\s*data:""", re.I), "a picture embedded in it"),
    (re.compile(rb"""href\s*=\s*["']?\s*(?!#)""", re.I), "a link to another file"),
    (re.compile(rb"url\(\s*[\"']?\s*(?!#)", re.I), "a link to another file"),
    (re.compile(rb"<!ENTITY|<!DOCTYPE[^>]*\[", re.I), "an XML entity"),
    (re.compile(rb"<\?xml-stylesheet|@import", re.I), "a linked stylesheet"),
)


def _label(name: str, what: str) -> str:
    name = Path(name.replace("\\", "/")).name if name else ""
    return f"The {what} “{name[:77] + '…' if len(name) > 80 else name}”" if name else f"The {what}"


async def store(storage: BlobStorage, team_id: str, data: bytes, ext: str) -> str:
    """Store a checked file (`check_logo`, `check_font`) in the team's folder; its storage key."""
    key = f"brand/{team_id}/{hashlib.sha256(data).hexdigest()}.{ext}"
    if not await storage.exists(key):
        await storage.put(key, data, _TYPES[ext])
    return key


def _is_svg(data: bytes, name: str) -> bool:
    head = data[:1024].lstrip().lower()
    return name.lower().endswith(".svg") or (head.startswith(b"<") and b"<svg" in head)


def check_svg(data: bytes, label: str) -> None:
    """Refuse an SVG with anything active in it, saying what."""
    if len(data) > SVG_MAX_BYTES:
        raise InvalidRequest(
            f"{label} is {len(data) / 1024**2:.1f} MB; an SVG logo can be at most 1 MB.", hint=_SVG_NEXT
        )
    for pattern, what in _SVG_ACTIVE:
        if pattern.search(data):
            raise InvalidRequest(f"{label} is an SVG with {what} in it; logos must be plain drawings.", hint=_SVG_NEXT)


def _rasterise(data: bytes, label: str) -> bytes:
    """The SVG drawn by resvg within a `SVG_SIZE` pixel square, on its own transparency. Fitting it in a square
    bounds the render whatever size the drawing claims (a 1 x 100000 drawing drawn 1200 wide would need 576 GB,
    and resvg aborts the process when an allocation fails); then a sliver is refused."""
    import resvg_py

    try:
        drawn = bytes(resvg_py.svg_to_bytes(svg_string=data.decode("utf-8"), width=SVG_SIZE, height=SVG_SIZE))
    except Exception as exc:  # resvg raises on anything it cannot read
        raise InvalidRequest(f"{label} is not an SVG drawing that could be read.", hint=_SVG_NEXT) from exc
    width, height = struct.unpack(">II", drawn[16:24])  # the PNG's IHDR
    if max(width, height) > SVG_ASPECT * max(1, min(width, height)):
        raise InvalidRequest(
            f"{label} is drawn {width}×{height}: a logo can be at most {SVG_ASPECT} times wider than tall, or "
            "taller than wide.",
            hint=_SVG_NEXT,
        )
    return drawn


async def check_logo(intake: ReferenceIntake, data: bytes, name: str, what: str = "logo") -> bytes:
    """A logo checked and re-encoded as a PNG (its alpha kept), to `store`."""
    label = _label(name, what)
    if _is_svg(data, name):
        check_svg(data, label)
        data = await intake.decode(functools.partial(_rasterise, data, label))  # one of the decodes at once
    try:
        image = await intake.normalise(data, label, lossless=True)
    except ReferenceRejected as exc:  # its words are about reference images
        said = exc.message.replace("reference images", "logos").replace("reference image", "logo")
        raise InvalidRequest(
            said, hint="Logos must be PNG, JPEG, WebP or SVG files; export it as one and try again."
        ) from None
    return image.data


def _font_family(data: bytes, label: str) -> tuple[str, str]:
    """The font's family name and extension; InvalidRequest saying why when it is not a usable TTF or OTF."""
    if not data:
        raise InvalidRequest(f"{label} is empty.", hint=_FONTS_ALLOWED)
    if len(data) > FONT_MAX_BYTES:
        raise InvalidRequest(
            f"{label} is {len(data) / 1024**2:.1f} MB; a font can be at most 5 MB.", hint=_FONTS_ALLOWED
        )
    ext = _FONT_MAGIC.get(data[:4])
    if ext is None:
        what = describe(data) or next((what for magic, what in _NOT_FONTS if data.startswith(magic)), None)
        raise InvalidRequest(f"{label} is {what or 'not a font file'}, not a TTF or OTF font.", hint=_FONTS_ALLOWED)
    from fontTools.ttLib import TTFont

    try:
        font = TTFont(io.BytesIO(data), lazy=False)
        cmap = font.getBestCmap() or {}
        family = font["name"].getBestFamilyName() or ""
    except Exception as exc:  # fontTools raises many kinds for a broken table
        raise InvalidRequest(f"{label} is damaged and could not be read as a font.", hint=_FONTS_ALLOWED) from exc
    missing = "".join(c for c in LATIN if ord(c) not in cmap)
    if missing:
        raise InvalidRequest(
            f"{label} has no letters for {missing[:12]}{'…' if len(missing) > 12 else ''}; a kit's font must "
            "cover A-Z, a-z and 0-9.",
            hint="Choose a font with Latin letters and digits.",
        )
    try:
        drawn = ImageFont.truetype(io.BytesIO(data), 48)
        canvas = Image.new("L", (2000, 100))
        ImageDraw.Draw(canvas).text((10, 10), LATIN, font=drawn, fill=255)
    except Exception as exc:  # FreeType refuses what fontTools read
        raise InvalidRequest(f"{label} could not be drawn; it may be damaged.", hint=_FONTS_ALLOWED) from exc
    if canvas.getbbox() is None:
        raise InvalidRequest(f"{label} draws nothing for ordinary letters.", hint="Choose another font.")
    family = " ".join("".join(c for c in family if c.isprintable()).split())[:LINE_CHARS] or "Unnamed font"
    return family, ext


async def check_font(data: bytes, name: str, use: Use) -> tuple[str, str]:
    """A font checked, to `store`: the family name its file gives, and its extension."""
    return await asyncio.to_thread(_font_family, data, _label(name, f"{use} font"))
