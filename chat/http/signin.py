"""The guards in front of the chat's sign-in: `SessionGuard` re-checks Chainlit's session cookie against the
database, `SignInGuard` throttles and checks `POST /login` before a password is hashed (chat/signin.py says why)."""

from __future__ import annotations

import asyncio
from typing import Any

from chainlit.auth import decode_jwt, get_configuration, get_token_from_cookies
from chainlit.config import config
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from chat.runtime import services
from chat.signin import local_owner_allowed
from tools.studio.types import CONTROL

TOO_MANY = "Too many wrong passwords. Wait {wait} and try again, or ask an admin to set a new password for you."
UNTYPEABLE = "A name or password cannot contain control characters. Type them again and sign in."
LOGIN_MAX_BYTES = 16 * 1024  # a name and a password, with the form's framing
REFUSAL_PAUSE_S = 1.0  # a 429 waits this long (a timer, no work): a guesser that retries at once is slowed down


class SessionGuard:
    """Re-checks the chat's session cookie where it matters: who is signed in (`/user`), the chat connection
    (the socket.io handshake) and the project routes (uploads, elements). Also offers the header sign-in to the
    page only while it can succeed (an SSO header is configured, or nobody has been added yet)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == "/auth/config":
            await JSONResponse(await self._sign_in_options())(scope, receive, send)
            return
        if self._guarded(scope) and not await self._still_signed_in(HTTPConnection(scope)):
            await self._refuse(scope, receive, send)
            return
        await self.app(scope, receive, send)

    @staticmethod
    async def _refuse(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 4401})
            return
        response = JSONResponse({"detail": "Sign in again."}, status_code=401)
        response.delete_cookie("access_token", path="/")
        await response(scope, receive, send)

    @staticmethod
    def _guarded(scope: Scope) -> bool:
        if scope["type"] not in ("http", "websocket"):
            return False
        path = scope["path"]
        if path.startswith("/ws/socket.io"):
            return b"sid=" not in scope.get("query_string", b"")  # the handshake, not every poll after it
        return scope["type"] == "http" and (path == "/user" or path.startswith("/project/"))

    async def _still_signed_in(self, connection: HTTPConnection) -> bool:
        token = get_token_from_cookies(connection.cookies)
        if token is None:
            return True  # Chainlit itself refuses requests without a session
        try:
            user = decode_jwt(token)
        except Exception:  # noqa: BLE001 - a bad cookie is Chainlit's to refuse
            return True
        studio = services().studio
        credentials = int((user.metadata or {}).get("credentials", -1))
        return await studio.accounts.actor(user.identifier, credentials) is not None

    @staticmethod
    async def _sign_in_options() -> dict[str, Any]:
        """Chainlit's sign-in configuration, offering the header sign-in (which the page tries on its own) only
        while it can succeed."""
        studio = services().studio
        offered = bool(studio.accounts.sso_header) or (
            local_owner_allowed() and await studio.accounts.local_owner() is not None
        )
        return {**get_configuration(), "headerAuth": offered}


class SignInGuard:
    """In front of Chainlit's `POST /login`, whose password hook can only answer 401: a name or password with
    control characters is refused (422), and while the throttle asks to wait, every attempt is (429 with
    Retry-After), before a password is hashed. Each attempt let through is charged to the throttle, and
    refunded when it signs in."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != f"{config.run.root_path}/login":
            await self.app(scope, receive, send)
            return
        body = await _body(receive, LOGIN_MAX_BYTES)
        if body is None:
            await JSONResponse({"detail": "The sign-in form is too large."}, 413)(scope, receive, send)
            return
        try:
            async with Request(scope, _replay(body, receive)).form() as form:
                login, password = form.get("username"), form.get("password")
        except (MultiPartException, HTTPException):  # a form that does not parse
            login = password = None
        if not isinstance(login, str) or not isinstance(password, str):  # Chainlit answers it, hashing nothing
            await self.app(scope, _replay(body, receive), send)
            return
        if CONTROL.search(login) or CONTROL.search(password):
            await JSONResponse({"detail": UNTYPEABLE}, 422)(scope, receive, send)
            return
        throttle = services().studio.accounts.throttle
        address = (scope.get("client") or ("",))[0]
        if wait := throttle.attempt(login, address):
            await asyncio.sleep(REFUSAL_PAUSE_S)
            refusal = JSONResponse({"detail": TOO_MANY.format(wait=_duration(wait))}, 429, {"Retry-After": str(wait)})
            await refusal(scope, receive, send)
            return
        status = 0

        async def noted(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        await self.app(scope, _replay(body, receive), noted)
        if status == 200:
            throttle.succeeded(login, address)


async def _body(receive: Receive, limit: int) -> bytes | None:
    """The request's body; None once it passes `limit` bytes."""
    chunks, size, more = [], 0, True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        more = message.get("more_body", False)
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """`receive` for a request whose body was already read: the body first, then what comes next (a disconnect)."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replayed


def _duration(seconds: int) -> str:
    if seconds < 90:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = -(-seconds // 60)
    return f"{minutes} minutes"
