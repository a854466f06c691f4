"""Reference images: intake from uploads, paths and URLs, checks by their bytes, normalising, and fitting.

Every reference ends up in our storage, content-addressed: `refs/<sha256 of the stored bytes>.<png|jpg>`, so the
same image is stored once however often it is brought. What is stored is never the file as it came but its first
frame re-encoded from the decoded pixels, upright: PNG when it has transparency or came as PNG (lossless), else
JPEG at quality 95 with 4:4:4 chroma, keeping its colour profile and nothing else: no metadata, comments, other
frames or bytes appended after the image (a polyglot "PNG" that is also a web page is stored as a plain PNG).
Earlier versions kept some files' bytes, so `.webp` keys may still be stored and are read as ever.

Decoding is what costs memory (4 bytes a pixel), so the pixel cap bounds one decode (24 million pixels: about
100 MB) and `reference_decodes` bounds how many run at once; a flood of uploads waits its turn. Normalising makes
no second full-size copy where it can help it: PNG's own kinds (grey, grey with alpha, a palette with its
transparency) are stored as they are, 16-bit grey is scaled to 8 bits a band of rows at a time, and a JPEG that
needs a copy (CMYK to RGB, a turn to upright) beyond one cap-sized decode is decoded at a smaller scale.

URLs are fetched with an SSRF guard: http and https only, every address the host resolves to must be
public (unless the host and port are listed in `url_allowed_hosts`), and the connection goes to the checked
address itself, so a DNS answer that changes between the check and the connection cannot redirect it. Each
redirect is checked again. The body is capped as it streams, both as sent and as decoded (tools/bodies.py).
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import io
import ipaddress
import logging
import re
import socket
import ssl
import warnings
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar, cast
from urllib.parse import urljoin

import httpx
import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from campaign.errors import NotFound, ReferenceRejected
from campaign.settings import Settings
from campaign.storage import BlobStorage, read_all
from tools.allocator import give_back_freed
from tools.bodies import ACCEPT_ENCODING, Damaged, TooLarge, UnsupportedEncoding, read_capped
from tools.engines.base import Reference
from tools.tls import tls_context

log = logging.getLogger(__name__)
_T = TypeVar("_T")

Resolver = Callable[[str, int], Awaitable[list[str]]]
"""Resolves a host name and port to IP address strings (the default asks the system's resolver)."""

MAX_REDIRECTS = 3
_FORMATS = ("PNG", "JPEG", "WEBP")
_TYPES = {"png": "image/png", "jpg": "image/jpeg", "webp": "image/webp"}
_ORIENTATION = 0x0112
_SIXTEEN_BIT = {"I;16": "L;16", "I;16L": "L;16", "I;16B": "L;16B"}  # 16-bit grey -> its top bytes as 8-bit grey
_PNG_KINDS = ("1", "L", "LA", "P", "RGB", "RGBA")  # stored in a PNG as they are, transparency included
_REF_KEY = re.compile(r"refs/[0-9a-f]{64}\.(png|jpg|webp)")
_ALLOWED_TEXT = "Reference images must be PNG, JPEG or WebP files"
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_USER_AGENT = "Clapboard/0.1 (reference image fetcher)"
# Formats people often bring instead, recognised by their first bytes, only to name them in the message.
_SNIFF = (
    (b"GIF8", "a GIF image"),
    (b"BM", "a BMP image"),
    (b"II*\0", "a TIFF image"),
    (b"MM\0*", "a TIFF image"),
    (b"%PDF", "a PDF document"),
    (b"MZ", "a Windows program"),
    (b"\x7fELF", "a program"),
    (b"\xcf\xfa\xed\xfe", "a program"),
    (b"PK\x03\x04", "a ZIP archive"),
    (b"<svg", "an SVG drawing"),
)


@dataclass(frozen=True)
class Normalised:
    data: bytes
    ext: str
    width: int
    height: int

    @property
    def content_type(self) -> str:
        return _TYPES[self.ext]


def _mb(n: int) -> str:
    return f"{n / 1024**2:.1f}".rstrip("0").rstrip(".")


def describe(data: bytes) -> str | None:
    """What a refused file looks like it is, when that is easy to tell from its first bytes."""
    head = data[:512].lstrip()
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"heic", b"heix", b"mif1", b"msf1", b"hevc"):
            return "a HEIC photo"
        if brand in (b"avif", b"avis"):
            return "an AVIF image"
        return "a video"
    lowered = head.lower()
    if lowered.startswith((b"<!doctype html", b"<html", b"<head", b"<body")):
        return "a web page"
    if lowered.startswith(b"<?xml") and b"<svg" in lowered:
        return "an SVG drawing"
    for magic, what in _SNIFF:
        if head.startswith(magic):
            return what
    return None


def _not_image(label: str, data: bytes) -> ReferenceRejected:
    what = describe(data)
    message = (
        f"{label} is {what}, not a PNG, JPEG or WebP image." if what else (f"{label} is not a PNG, JPEG or WebP image.")
    )
    return ReferenceRejected(message, hint=f"{_ALLOWED_TEXT}; export it as one of those and try again.")


def _too_large(label: str, size: int | None, limit: int) -> ReferenceRejected:
    """`size` None: a download that went past the limit, its full size unknown."""
    if size:
        message = f"{label} is {_mb(size)} MB; reference images can be at most {_mb(limit)} MB."
    else:
        message = f"{label} is larger than {_mb(limit)} MB, the most a reference image can be."
    return ReferenceRejected(
        message,
        hint="Use a smaller export (2000 pixels on the long side is plenty) and try again.",
    )


def _too_many_pixels(label: str, pixels: int, limit: int, size: tuple[int, int] | None = None) -> ReferenceRejected:
    shown = f"{size[0]}×{size[1]} pixels" if size else f"about {pixels / 1_000_000:,.0f} million pixels"
    return ReferenceRejected(
        f"{label} is {shown}; reference images can have at most {limit / 1_000_000:g} million pixels.",
        hint="Resize it (for example to 4000 pixels on the long side) and try again.",
    )


def _damaged(label: str) -> ReferenceRejected:
    return ReferenceRejected(
        f"{label} is damaged or incomplete and could not be read.",
        hint="Export or download it again and re-attach it.",
    )


def _has_alpha(img: Image.Image) -> bool:
    return img.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in img.info


def normalise_image(data: bytes, label: str, *, max_bytes: int, max_pixels: int, lossless: bool = False) -> Normalised:
    """Check an image by its bytes and return what to store: its first frame re-encoded (always as PNG when
    `lossless`: a logo). Blocking (it decodes): run it in a thread, under the intake's limit on decodes at once."""
    if len(data) > max_bytes:
        raise _too_large(label, len(data), max_bytes)
    if not data:
        raise ReferenceRejected(f"{label} is empty.", hint=f"{_ALLOWED_TEXT}; attach the image again.")
    with warnings.catch_warnings():
        # Pillow warns above its own (global) limit; ours is checked below, from the header, before decoding.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            img = Image.open(io.BytesIO(data), formats=_FORMATS)
        except Image.DecompressionBombError as exc:  # far above any sane limit: Pillow's own guard
            found = re.search(r"\((\d+) pixels\)", str(exc))
            raise _too_many_pixels(label, int(found.group(1)) if found else 0, max_pixels) from None
        except UnidentifiedImageError:
            raise _not_image(label, data) from None
        except Exception as exc:  # Pillow raises many kinds for broken headers
            raise _damaged(label) from exc
    fmt = img.format or ""
    if fmt not in (*_FORMATS, "MPO"):
        raise _not_image(label, data)
    width, height = img.size
    if width < 1 or height < 1:
        raise _damaged(label)
    if width * height > max_pixels:
        raise _too_many_pixels(label, width * height, max_pixels, (width, height))
    if fmt in ("JPEG", "MPO"):
        _draft_within_budget(img, max_pixels)
    try:
        img.load()  # decodes the first frame; a truncated or corrupt file fails here
    except Exception as exc:
        raise _damaged(label) from exc

    return _reencode(img, "PNG" if lossless else fmt, label, max_bytes)


def _normalise_and_trim(data: bytes, label: str, *, max_bytes: int, max_pixels: int, lossless: bool) -> Normalised:
    try:
        return normalise_image(data, label, max_bytes=max_bytes, max_pixels=max_pixels, lossless=lossless)
    finally:
        give_back_freed()  # Pillow's freed 16 MB blocks: the same 8 uploads peaked +185 to +380 MB without it


def _upright_turn(img: Image.Image) -> bool:
    return img.getexif().get(_ORIENTATION, 1) not in (None, 1)


def _draft_within_budget(img: Image.Image, max_pixels: int) -> None:
    """Decode a JPEG at 1/2, 1/4 or 1/8 of its size (libjpeg's own scaling, while decoding) when normalising it
    would otherwise hold more than one RGB decode at the pixel cap: converting CMYK to RGB and turning a photo
    upright each make a second full-size copy."""
    pixel = 1 if img.mode == "L" else 4
    held = pixel + (4 if img.mode == "CMYK" else 0) + (pixel if _upright_turn(img) else 0)
    scale = 1
    while img.width * img.height * held > max_pixels * 4 * scale * scale and scale < 8:
        scale *= 2
    if scale > 1:
        img.draft(img.mode, (img.width // scale, img.height // scale))


def _reencode(img: Image.Image, fmt: str, label: str, max_bytes: int) -> Normalised:
    """The decoded first frame, upright, encoded afresh: nothing of the file but its pixels, transparency and
    colour profile is kept, so bytes appended to it (an HTML page in a "PNG"), comments and metadata never reach
    storage. Conversions happen only when the mode needs one: each is a full copy of the pixels."""
    alpha = _has_alpha(img)
    png = alpha or fmt == "PNG"
    icc = img.info.get("icc_profile")
    transparency = img.info.get("transparency")
    if _upright_turn(img):
        img = ImageOps.exif_transpose(img)
    if img.mode in _SIXTEEN_BIT:
        img = _to_eight_bit(img)
    elif img.mode == "CMYK":
        img, icc = _cmyk_to_rgb(img, icc), None
    elif img.mode not in ("1", "L", "LA", "P", "PA", "RGB", "RGBA"):
        icc = None  # a profile for another colour space would be wrong after conversion
    if img.mode not in (_PNG_KINDS if png else ("L", "RGB")):
        img, transparency = img.convert("RGBA" if alpha else "RGB"), None
    img.info = {}  # Pillow writes some of what it read (a JPEG's comment) back out
    out = io.BytesIO()
    if png:
        kept = {} if transparency is None else {"transparency": transparency}
        img.save(out, "PNG", icc_profile=icc, **kept)
        ext = "png"
    else:
        img.save(out, "JPEG", quality=95, subsampling=0, icc_profile=icc)
        ext = "jpg"
    stored = out.getvalue()
    if len(stored) > max_bytes:
        raise _too_large(label, len(stored), max_bytes)
    return Normalised(stored, ext, img.width, img.height)


def _to_eight_bit(img: Image.Image) -> Image.Image:
    """16-bit grey as 8-bit grey, scaled: each pixel's top byte (Pillow's own conversion clips at 255, so nearly
    every grey came out white). A band of rows at a time, so no copy but the 8-bit result is full-size."""
    out = Image.new("L", img.size)
    rows = max(1, (1 << 20) // img.width)  # about a million pixels a band
    for top in range(0, img.height, rows):
        box = (0, top, img.width, min(img.height, top + rows))
        band = img.crop(box)
        out.paste(Image.frombytes("L", band.size, band.tobytes(), "raw", _SIXTEEN_BIT[img.mode]), box)
    return out


def _cmyk_to_rgb(img: Image.Image, icc: bytes | None) -> Image.Image:
    """CMYK (print files) to sRGB, through the file's own profile when it has one."""
    if icc:
        try:
            from PIL import ImageCms

            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            converted = ImageCms.profileToProfile(img, source, ImageCms.createProfile("sRGB"), outputMode="RGB")
            return cast(Image.Image, converted)  # None only when converting in place
        except Exception:  # a broken profile: fall back to the plain conversion
            log.info("CMYK reference with an unusable colour profile; converting without it")
    return img.convert("RGB")


def refused_address(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """True for an address a reference URL may not reach: loopback, private, link-local, multicast, reserved,
    unspecified or otherwise not global, including IPv4 addresses wrapped in IPv6 (mapped, 6to4, NAT64)."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:  # ::ffff:a.b.c.d is the IPv4 address itself
            return refused_address(ip.ipv4_mapped)
        embedded = ip.sixtofour
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is None and ip.teredo:
            embedded = ip.teredo[1]
        if embedded is not None and refused_address(embedded):
            return True
    return (
        ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


async def system_resolver(host: str, port: int) -> list[str]:
    """The system's answer for `host`, as IP address strings."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def _url_label(url: str) -> str:
    """How a message names an image from a link: host and path, without credentials or query."""
    try:
        parsed = httpx.URL(url)
        shown = (parsed.host or "") + parsed.path
    except Exception:
        shown = url.split("?", 1)[0]
    if len(shown) > 80:
        shown = shown[:77] + "…"
    return f"The image at {shown}" if shown else "The image link"


def _name_label(name: str) -> str:
    name = Path(name.replace("\\", "/")).name if name else ""
    if len(name) > 80:
        name = name[:77] + "…"
    return f"“{name}”" if name else "The image"


class ReferenceIntake:
    """Takes reference images from uploads, local paths and URLs, checks them and stores them."""

    def __init__(
        self,
        settings: Settings,
        storage: BlobStorage,
        *,
        resolver: Resolver | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.settings = settings
        self.storage = storage
        self._resolver = resolver or system_resolver
        self._transport = transport  # tests may swap the HTTP transport; production uses httpx's own
        self._allowed_hosts = {allowed_host(entry) for entry in settings.url_allowed_hosts}
        self._decodes = asyncio.Semaphore(settings.reference_decodes)

    # -- intake ---------------------------------------------------------------------------------------

    async def take(self, source: str) -> Reference:
        """A reference from an http(s) URL or a local file path."""
        text = source.strip()
        lowered = text.lower()
        if lowered.startswith(("http://", "https://")):
            return await self.from_url(text)
        if not text or "://" in text or lowered.startswith(("data:", "file:", "javascript:")):
            raise ReferenceRejected(
                "That reference is neither an http(s) link nor a file.",
                hint="Give an https:// link to the image, or attach the image file.",
            )
        return await self.from_path(Path(text).expanduser())

    async def from_bytes(self, data: bytes, name: str = "") -> Reference:
        """A reference from an upload's bytes; `name` (the file's given name) is only used in messages."""
        return await self._intake(data, _name_label(name))

    async def from_path(self, path: Path, *, name: str | None = None) -> Reference:
        """A reference from a file on disk (a CLI path, or a chat attachment's temp file: pass its `name`)."""
        label = _name_label(name or path.name)
        limit = self.settings.reference_max_bytes
        try:
            stat = await asyncio.to_thread(path.stat)
            if not path.is_file():
                raise ReferenceRejected(f"{label} is not a file.", hint="Give the path of an image file.")
            if stat.st_size > limit:
                raise _too_large(label, stat.st_size, limit)
            data = await asyncio.to_thread(_read_capped, path, limit + 1)
        except FileNotFoundError:
            raise ReferenceRejected(f"{label} was not found.", hint="Check the file path and try again.") from None
        except OSError as exc:
            raise ReferenceRejected(
                f"{label} could not be read.", hint="Check that the file exists and is readable."
            ) from exc
        return await self._intake(data, label)

    async def from_url(self, url: str) -> Reference:
        """A reference from an http(s) link: fetched (guarded), checked and copied into our storage."""
        label = _url_label(url)
        timeout = self.settings.url_fetch_timeout_s
        try:
            async with asyncio.timeout(timeout):
                data = await self._fetch(url.strip(), label)
        except (TimeoutError, httpx.TimeoutException):
            raise ReferenceRejected(
                f"{label} did not download within {timeout:g} seconds.",
                hint="Check that the link opens the image itself, or attach the file instead.",
            ) from None
        return await self._intake(data, label)

    async def stored(self, key: str) -> Reference:
        """The reference already stored under `key` (a `refs/…` key an earlier intake returned)."""
        found = _REF_KEY.fullmatch(key)
        if found is None:
            raise ReferenceRejected("That reference is not an image Clapboard stored.", hint="Attach the image again.")
        try:
            data = await read_all(self.storage, key)
        except NotFound:
            raise ReferenceRejected(
                "That reference image is no longer stored.", hint="Attach the image again."
            ) from None
        width, height = await asyncio.to_thread(_size_of, data)
        return Reference(key=key, content_type=_TYPES[found.group(1)], width=width, height=height)

    async def _intake(self, data: bytes, label: str) -> Reference:
        return await _store(self.storage, await self.normalise(data, label))

    async def normalise(self, data: bytes, label: str, *, lossless: bool = False) -> Normalised:
        """An image checked and re-encoded (`normalise_image`), under the limit on decodes at once."""
        return await self.decode(
            functools.partial(
                _normalise_and_trim,
                data,
                label,
                max_bytes=self.settings.reference_max_bytes,
                max_pixels=self.settings.reference_max_pixels,
                lossless=lossless,
            )
        )

    async def decode(self, work: Callable[[], _T]) -> _T:
        """`work` (a decode or a drawing) in a thread, under the limit on decodes at once."""
        await self._decodes.acquire()
        decoding = asyncio.ensure_future(asyncio.to_thread(work))
        decoding.add_done_callback(self._decoded)
        # A caller that goes away does not stop the thread: the slot is freed when the decode really ends.
        return await asyncio.shield(decoding)

    def _decoded(self, decoding: asyncio.Future[Any]) -> None:
        self._decodes.release()
        if not decoding.cancelled():
            decoding.exception()  # retrieved here too, so a caller that left does not leave it unread

    # -- fetching -------------------------------------------------------------------------------------

    async def _fetch(self, url: str, label: str) -> bytes:
        total = self.settings.url_fetch_timeout_s
        async with httpx.AsyncClient(
            transport=self._transport,
            verify=tls_context(),  # the process's one context: building one per fetch cost 14-19 ms of CPU
            trust_env=False,  # a proxy would resolve the host itself, around our check
            follow_redirects=False,  # each hop is checked again below
            timeout=httpx.Timeout(total, connect=min(total, 10.0)),
            limits=httpx.Limits(max_keepalive_connections=0),
        ) as client:
            current = url
            for _ in range(MAX_REDIRECTS + 1):
                outcome = await self._get(client, current, label)
                if isinstance(outcome, bytes):
                    return outcome
                current = outcome
        raise ReferenceRejected(
            f"{label} redirects more than {MAX_REDIRECTS} times.",
            hint="Use the image's final address, or download it and attach the file instead.",
        )

    async def _get(self, client: httpx.AsyncClient, url: str, label: str) -> bytes | str:
        """One guarded GET: the body, or the next URL when the server redirects."""
        try:
            parsed = httpx.URL(url)
        except httpx.InvalidURL:
            raise ReferenceRejected(f"{label} is not a valid link.", hint="Check the address.") from None
        if parsed.scheme not in ("http", "https"):
            raise ReferenceRejected(
                f"{label} uses {parsed.scheme or 'no'} links; only http and https are allowed.",
                hint="Give an https:// link to the image, or attach the file instead.",
            )
        host = parsed.raw_host.decode("ascii").lower()
        if not host:
            raise ReferenceRejected(f"{label} is not a valid link.", hint="Check the address.")
        port = parsed.port or (443 if parsed.scheme == "https" else 80)
        addresses = await self._checked_addresses(host, port, label, allowed=self._allowed(host, parsed.port))
        headers = {
            "Host": parsed.netloc.decode("ascii"),
            "User-Agent": _USER_AGENT,
            "Accept": "image/png,image/jpeg,image/webp;q=0.9,*/*;q=0.1",
            "Accept-Encoding": ACCEPT_ENCODING,
        }
        extensions = {"sni_hostname": host} if parsed.scheme == "https" else {}
        for index, address in enumerate(addresses):
            pinned = parsed.copy_with(host=address)  # connect to the address we checked, nothing else
            try:
                return await self._request(client, pinned, headers, extensions, url, label)
            except httpx.ConnectError as exc:
                if _tls_failure(exc):
                    raise ReferenceRejected(
                        f"{label} could not be reached securely: the site's certificate is not valid.",
                        hint="Check the link, or download the image and attach the file instead.",
                    ) from None
                if index == len(addresses) - 1:
                    raise ReferenceRejected(
                        f"{label} could not be reached.",
                        hint="Check the link, or download the image and attach the file instead.",
                    ) from None
            except httpx.TimeoutException:
                raise
            except httpx.HTTPError as exc:
                log.info("reference download from %s failed: %s", host, type(exc).__name__)
                raise ReferenceRejected(
                    f"{label} could not be downloaded.",
                    hint="Check the link, or download the image and attach the file instead.",
                ) from None
        raise AssertionError("unreachable")  # _checked_addresses never returns an empty list

    async def _request(
        self,
        client: httpx.AsyncClient,
        pinned: httpx.URL,
        headers: dict[str, str],
        extensions: dict[str, str],
        url: str,
        label: str,
    ) -> bytes | str:
        limit = self.settings.reference_max_bytes
        request = client.build_request("GET", pinned, headers=headers, extensions=extensions)
        response = await client.send(request, stream=True)
        try:
            if response.status_code in (301, 302, 303, 307, 308) and response.headers.get("location"):
                return urljoin(url, response.headers["location"])
            if response.status_code != 200:
                raise ReferenceRejected(
                    f"{label} could not be downloaded: the server answered {response.status_code}.",
                    hint="Check that the link is right and public, or attach the file instead.",
                )
            kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
            if kind in ("text/html", "application/xhtml+xml"):
                raise ReferenceRejected(
                    f"{label} is a web page, not an image.",
                    hint="Open the image itself (right-click it, “Copy image address”) and paste that link, "
                    "or attach the file.",
                )
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limit:
                raise _too_large(label, int(declared), limit)
            try:
                return await read_capped(response, limit)
            except TooLarge:
                raise _too_large(label, None, limit) from None
            except UnsupportedEncoding as exc:
                raise ReferenceRejected(
                    f"{label} was sent compressed as {exc}, which Clapboard does not accept.",
                    hint="Download the image and attach the file instead.",
                ) from None
            except Damaged:
                raise _damaged(label) from None
        finally:
            await response.aclose()

    def _allowed(self, host: str, port: int | None) -> bool:
        """Whether `url_allowed_hosts` lists this host with this port (or, for a link without a port, the host
        alone)."""
        return (host.rstrip("."), port) in self._allowed_hosts

    async def _checked_addresses(self, host: str, port: int, label: str, *, allowed: bool) -> list[str]:
        """Every address `host` resolves to, refused unless all are public (or the host and port are allowed)."""
        try:
            literal = ipaddress.ip_address(host)
        except ValueError:
            literal = None
        if literal is not None:
            addresses = [str(literal)]
        else:
            try:
                addresses = await self._resolver(host, port)
            except (OSError, UnicodeError):
                addresses = []
            if not addresses:
                raise ReferenceRejected(
                    f"{label} could not be reached: its host name was not found.",
                    hint="Check the link for typos.",
                )
        if allowed:
            return addresses
        for address in addresses:
            try:
                ip = ipaddress.ip_address(address.split("%", 1)[0])
            except ValueError:
                ip = None
            if ip is None or refused_address(ip):
                log.warning("refused a reference URL to host %r: it resolves to a non-public address", host)
                raise ReferenceRejected(
                    f"{label} points to a private or local network address, which is not allowed.",
                    hint="Use a public link to the image, or download it and attach the file instead.",
                )
        return addresses


def allowed_host(entry: str) -> tuple[str, int | None]:
    """A `url_allowed_hosts` entry as (host, port): `images.local:8123`, `[fd00::5]:8443`, or a bare host, which
    allows links without a port only (http's 80, https's 443), never every port on it."""
    text = entry.strip().lower()
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        port = rest.removeprefix(":")
    elif text.count(":") == 1:
        host, _, port = text.partition(":")
    else:
        host, port = text, ""
    if port and not port.isdigit():
        raise ValueError(f"url_allowed_hosts: {entry!r} has a port that is not a number")
    return host.rstrip("."), int(port) if port else None


def _tls_failure(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    for _ in range(5):
        if seen is None:
            return False
        if isinstance(seen, ssl.SSLError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _size_of(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as img:
        return img.size


def _read_capped(path: Path, limit: int) -> bytes:
    with path.open("rb") as fh:
        return fh.read(limit)


async def _store(storage: BlobStorage, image: Normalised) -> Reference:
    key = f"refs/{hashlib.sha256(image.data).hexdigest()}.{image.ext}"
    if not await storage.exists(key):
        await storage.put(key, image.data, image.content_type)
    return Reference(key=key, content_type=image.content_type, width=image.width, height=image.height)


# -- fitting ------------------------------------------------------------------------------------------


def _edge_colour(arr: np.ndarray) -> tuple[int, ...]:
    """The median colour of an image's border pixels (its outermost rows and columns)."""
    border = np.concatenate([arr[0, :], arr[-1, :], arr[:, 0], arr[:, -1]])
    return tuple(int(v) for v in np.median(border, axis=0))


def _flatten(img: Image.Image) -> Image.Image:
    """An opaque RGB image: transparency is laid over the colour of the opaque border, or white."""
    if not _has_alpha(img):
        return img.convert("RGB")
    rgba = np.asarray(img.convert("RGBA"))
    border = np.concatenate([rgba[0, :], rgba[-1, :], rgba[:, 0], rgba[:, -1]])
    opaque = border[border[:, 3] >= 128][:, :3]
    matte = tuple(int(v) for v in np.median(opaque, axis=0)) if len(opaque) else (255, 255, 255)
    flat = Image.new("RGB", img.size, matte)
    flat.paste(img.convert("RGBA"), mask=img.convert("RGBA").getchannel("A"))
    return flat


def fit_image(data: bytes, width: int, height: int, mode: Literal["pad", "crop"]) -> bytes:
    """A JPEG of exactly `width`×`height` made from an image's bytes. Blocking: run it in a thread.

    crop: scaled to cover the frame, centre cropped. pad: scaled to fit inside it, the rest filled with the
    image's own edge colour. A video frame has no transparency, so transparent parts are flattened first.
    """
    with Image.open(io.BytesIO(data)) as src:
        src.load()
        img = _flatten(ImageOps.exif_transpose(src))
    if mode == "crop":
        out = ImageOps.fit(img, (width, height), Image.Resampling.LANCZOS)
    else:
        scale = min(width / img.width, height / img.height)
        size = (min(width, max(1, round(img.width * scale))), min(height, max(1, round(img.height * scale))))
        inner = img.resize(size, Image.Resampling.LANCZOS) if size != img.size else img
        out = Image.new("RGB", (width, height), _edge_colour(np.asarray(img)))
        out.paste(inner, ((width - size[0]) // 2, (height - size[1]) // 2))
    buf = io.BytesIO()
    out.save(buf, "JPEG", quality=95, subsampling=0)
    return buf.getvalue()


async def fit(storage: BlobStorage, ref: Reference, width: int, height: int, mode: Literal["pad", "crop"]) -> Reference:
    """A stored copy of `ref` as a first frame of exactly `width`×`height` (for Sora, Veo's `image`,
    Runway), cropped or padded as `mode` says. An opaque JPEG already of that size is returned as it is."""
    if width < 1 or height < 1:
        raise ValueError(f"cannot fit a reference to {width}x{height}")
    if mode not in ("pad", "crop"):
        raise ValueError(f"unknown fit mode {mode!r}")
    if (ref.width, ref.height) == (width, height) and ref.content_type == "image/jpeg":
        return ref
    data = await read_all(storage, ref.key)
    fitted = await asyncio.to_thread(fit_image, data, width, height, mode)
    return await _store(storage, Normalised(fitted, "jpg", width, height))
