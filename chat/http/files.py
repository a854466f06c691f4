"""Stored files behind signed, expiring links (`/files/...`): no sign-in, the link is the permission."""

from __future__ import annotations

import mimetypes
import re

from fastapi import APIRouter, Header, HTTPException, Query
from fastapi.responses import FileResponse
from starlette.types import Receive, Scope, Send

from chat.http.deps import STATUS, StudioDep
from tools.studio.types import ClapboardError

router = APIRouter()


@router.api_route("/{key:path}", methods=["GET", "HEAD"])
async def serve_file(
    key: str,
    studio: StudioDep,
    exp: str = Query(""),
    sig: str = Query(""),
    download: str = Query(""),
    range_: str = Header("", alias="Range"),
) -> FileResponse:
    """A stored file behind a signed, expiring link; Range requests work (video seeking). A link signed with a
    `download` name is a download: saved as that file rather than shown."""
    try:
        path, disposition = studio.files.signed_file(key, exp, sig, download)
    except ClapboardError as exc:
        raise HTTPException(STATUS.get(type(exc), 404), str(exc)) from None
    media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    headers = {"Cache-Control": "private, max-age=3600", "X-Content-Type-Options": "nosniff"}
    if disposition:
        headers["Content-Disposition"] = disposition
    whole = range_ and not _valid_range(range_)
    return (WholeFile if whole else FileResponse)(path, media_type=media_type, headers=headers)


def _valid_range(value: str) -> bool:
    """A byte range set as RFC 9110 defines it: `bytes=` then `first-last`, `first-` or `-suffix` items, with
    first <= last."""
    unit, _, items = value.replace(" ", "").partition("=")
    for item in items.split(",") if unit == "bytes" else [""]:
        found = re.fullmatch(r"(\d*)-(\d*)", item)
        if not found or found.group(1) == found.group(2) == "":
            return False
        if found.group(1) and found.group(2) and int(found.group(2)) < int(found.group(1)):
            return False
    return True


class WholeFile(FileResponse):
    """The whole file, for a Range header that does not parse (RFC 9110 says to ignore it, not to fail)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = [(k, v) for k, v in scope["headers"] if k.lower() != b"range"]
        await super().__call__({**scope, "headers": headers}, receive, send)
