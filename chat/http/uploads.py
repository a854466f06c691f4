"""Limits on uploads, enforced before a body is read: the REST route's (`read_upload`) and the chat's.

`read_upload` runs after the API's bearer token is checked (the route declares no body, so FastAPI reads
none): a declared Content-Length over the cap is refused unread, a streamed body once it passes the cap.

The chat's upload route is Chainlit's `POST /project/file`.
Chainlit parses the whole multipart body (spooled to a temp file) before it looks at the sign-in or the size,
then reads the file whole into memory, and its `max_files` / `max_size_mb` are only enforced by the page. So
this ASGI middleware stands in front of the route:

- without a current sign-in, or for a chat session that is not the signed-in user's, it answers 401 or 404
  before reading a byte of the body: nothing unauthenticated reaches the disk;
- a declared Content-Length over the per-file cap is refused at once (413), and a streamed body is cut off as
  soon as it passes the cap (413), so at most the cap is ever read;
- it counts each session's files and bytes (an upload holds its place while it arrives: its declared size at
  once, a chunked body's bytes as they stream), refusing more than `chat_upload_max_files` files or
  `chat_upload_max_bytes` bytes in one session (413), cutting off the upload that would pass them;
- when the tab disconnects (`session_ended`, from Chainlit's `on_chat_end`, which it calls on every
  disconnect) the counts are forgotten and the uploads, which Chainlit would keep under `.files/<session id>`
  for an hour, are deleted: attachments are copied into our storage as references when their message arrives.
  A file attached but not yet sent when the connection drops has to be attached again.

Chainlit keeps uploads in `<app root>/.files` and removes that whole folder when it stops, so servers started from
one folder (`make test` beside `make run`) removed each other's uploads, and their uploads then failed until they
restarted. Chainlit 2.12 has no setting for the folder, so the app factory points it (before any chat session
exists), through `files_directory()`, at a folder of this process's own in the temp folder, removed when the
process ends.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import functools
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import chainlit.config
import chainlit.server
from chainlit.auth import decode_jwt, get_token_from_cookies
from chainlit.session import WebsocketSession
from fastapi.security.utils import get_authorization_scheme_param
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException
from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from chat.runtime import services
from tools.studio.types import InvalidRequest, TooLarge

UPLOAD_PATH = "/project/file"
MULTIPART_OVERHEAD = 64 * 1024  # boundaries and part headers around the file itself
_PLAIN_ID = re.compile(r"[0-9A-Za-z_-]{1,64}")


@functools.cache
def files_directory() -> Path:
    """This process's uploads folder, made and set where Chainlit reads it on first use (see the module's
    docstring)."""
    folder = Path(tempfile.mkdtemp(prefix="clapboard-uploads-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)  # a process that ends without Chainlit's shutdown
    chainlit.config.FILES_DIRECTORY = chainlit.server.FILES_DIRECTORY = folder
    return folder


@dataclass
class _Tally:
    files: int = 0
    bytes: int = 0
    failed: bool = False  # the latest upload did not arrive: the next message is told so


class _CutOff(Exception):
    """The streamed body passed the cap."""


def _capped(receive: Receive, cap: int) -> Receive:
    """`receive`, raising `_CutOff` once the body it has passed on goes over `cap` bytes."""
    received = 0

    async def capped_receive() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > cap:
                raise _CutOff
        return message

    return capped_receive


async def read_upload(request: Request, limit: int, field: str = "file") -> tuple[bytes, str]:
    """The bytes and given name of a multipart upload's one file, reading at most `limit` bytes of it (and a
    little more for the multipart framing): TooLarge past that, InvalidRequest without the file."""
    files, _ = await read_form(request, limit, "a reference image", max_files=1)
    if field not in files:
        raise InvalidRequest(f"Send the image as the multipart field `{field}`.")
    return files[field]


async def read_form(
    request: Request, limit: int, what: str, *, max_files: int, max_fields: int = 4, body: str = "file"
) -> tuple[dict[str, tuple[bytes, str]], dict[str, str]]:
    """A multipart (or URL-encoded) form's files, as bytes with their given names, and its text fields, reading
    at most `limit` bytes of body (and a little more for the framing): TooLarge past that, naming what the limit
    is of (`body`: the file, or the whole form) and `what` the body is."""
    declared = request.headers.get("content-length", "")
    too_large = f"The {body} is larger than {_mb(limit)} MB, the most {what} can be."
    if declared.isdigit() and int(declared) > limit + MULTIPART_OVERHEAD:
        raise TooLarge(too_large)
    capped = Request(request.scope, _capped(request.receive, limit + MULTIPART_OVERHEAD))
    files: dict[str, tuple[bytes, str]] = {}
    fields: dict[str, str] = {}
    try:
        async with capped.form(max_files=max_files, max_fields=max_fields) as form:
            for name, value in form.multi_items():
                if isinstance(value, UploadFile):
                    files[name] = (await value.read(limit + 1), value.filename or "upload")
                else:
                    fields[name] = value
    except _CutOff:
        raise TooLarge(too_large) from None
    except MultiPartException as exc:
        raise InvalidRequest(f"The upload could not be read as multipart form data: {exc.message}") from None
    return files, fields


class UploadGuard:
    """Signs-in, sizes and counts chat uploads before Chainlit reads them (see the module's docstring)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != UPLOAD_PATH:
            await self.app(scope, receive, send)
            return
        connection = HTTPConnection(scope)
        session_id = connection.query_params.get("session_id", "")
        refusal = await _refusal(connection, session_id)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        settings = services().settings
        cap = settings.reference_max_bytes + MULTIPART_OVERHEAD
        tally = _tallies.setdefault(session_id, _Tally())
        declared = connection.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > cap:
            tally.failed = True
            await _too_large(settings.reference_max_bytes)(scope, receive, send)
            return
        if tally.files >= settings.chat_upload_max_files or tally.bytes + int(declared or 0) > (
            settings.chat_upload_max_bytes
        ):
            tally.failed = True
            await _session_full(settings.chat_upload_max_files, settings.chat_upload_max_bytes)(scope, receive, send)
            return
        tally.files += 1  # held while it uploads, so concurrent uploads cannot all pass the check above
        tally.bytes += int(declared or 0)  # a declared size is held at once; a chunked body's as it streams
        accepted = await self._pass_on(scope, receive, send, cap, tally, int(declared or 0))
        tally.files -= 0 if accepted else 1
        tally.failed = not accepted

    async def _pass_on(self, scope: Scope, receive: Receive, send: Send, cap: int, tally: _Tally, held: int) -> bool:
        """Pass the request on, reading at most `cap` bytes of its body and counting them into the session's
        tally as they come (over `held`, what was counted before a byte came), cut off once the session's total
        would pass its cap; whether it was accepted. A refused upload's bytes leave the tally."""
        settings = services().settings
        received = 0
        refused: JSONResponse | None = None
        started = False
        accepted = False
        inner = _capped(receive, cap)

        async def counted_receive() -> Message:
            nonlocal received, held, refused
            try:
                message = await inner()
            except _CutOff:
                refused = _too_large(settings.reference_max_bytes)
                raise
            received += len(message.get("body", b""))
            if received > held:
                tally.bytes, held = tally.bytes + received - held, received
                if tally.bytes > settings.chat_upload_max_bytes:
                    refused = _session_full(settings.chat_upload_max_files, settings.chat_upload_max_bytes)
                    raise _CutOff
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started, accepted
            if refused is not None:
                return  # the route's own answer to the broken body; ours is sent below
            if message["type"] == "http.response.start":
                started = True
                accepted = message["status"] == 200
            await send(message)

        with contextlib.suppress(_CutOff):
            await self.app(scope, counted_receive, watched_send)
        tally.bytes += (received if accepted else 0) - held
        if refused is not None and not started:
            await refused(scope, receive, send)
        return accepted


_tallies: dict[str, _Tally] = {}


async def _refusal(connection: HTTPConnection, session_id: str) -> JSONResponse | None:
    """401 without a current sign-in, 404 for a chat session that is not this user's; None when both hold."""
    token = get_token_from_cookies(connection.cookies)
    if token is None:
        scheme, value = get_authorization_scheme_param(connection.headers.get("authorization"))
        token = value if scheme.lower() == "bearer" and value else None
    try:
        user = decode_jwt(token) if token else None
    except Exception:  # noqa: BLE001 - any undecodable token is simply no sign-in
        user = None
    studio = services().studio
    credentials = int((user.metadata or {}).get("credentials", -1)) if user else -1
    if user is None or await studio.accounts.actor(user.identifier, credentials) is None:
        return JSONResponse({"detail": "Sign in to attach files."}, status_code=401)
    session = WebsocketSession.get_by_id(session_id) if session_id else None
    if session is None or session.user is None or session.user.identifier != user.identifier:
        return JSONResponse({"detail": "This chat is not open: reload the page and attach again."}, status_code=404)
    return None


def _mb(n: int) -> str:
    return f"{n / 1024**2:g}"


def _too_large(limit: int) -> JSONResponse:
    return JSONResponse(
        {"detail": f"The file is larger than {_mb(limit)} MB, the most an attachment can be; attach a smaller one."},
        status_code=413,
    )


def _session_full(files: int, limit: int) -> JSONResponse:
    return JSONResponse(
        {
            "detail": f"This chat already holds the most attachments it takes ({files} files, {_mb(limit)} MB); "
            "start a new chat to attach more."
        },
        status_code=413,
    )


def upload_failed(session_id: str) -> bool:
    """Whether the chat session's latest upload did not arrive (refused or failed, and not attached again since);
    asked once per message, so it is said once."""
    tally = _tallies.get(session_id)
    if tally is None or not tally.failed:
        return False
    tally.failed = False
    return True


async def session_ended(session_id: str) -> None:
    """Forget a chat session's counts and delete the files uploaded to it (the id is the client's: only a plain
    one names a folder)."""
    _tallies.pop(session_id, None)
    if _PLAIN_ID.fullmatch(session_id) and (folder := files_directory() / session_id).is_dir():
        await asyncio.to_thread(shutil.rmtree, folder, ignore_errors=True)
