"""Same site only: requests and websockets must be addressed to this server by a name it answers to, and
browser pages of other sites may neither drive it nor frame it.

- Host: the Host header must be one of `Settings.served_hosts` (`CLAPBOARD_ALLOWED_HOSTS`; by default the
  loopback names, `CLAPBOARD_PUBLIC_URL`'s host and the address the chat listens on). A DNS-rebinding page
  reaches 127.0.0.1 under its own name, so its requests carry that name and are refused (400).
- Origin: a browser page's Origin must be this server as its users reach it (loopback at the port the request
  is addressed to, `CLAPBOARD_PUBLIC_URL`, or an allowed host): another program's page on a loopback port is
  another site; `Origin: null` (sandboxed frames, data: and file: pages) is refused (403), except under /review/
  (the review page's own forms say null; nothing there rides on a cookie or a session). Chainlit itself
  allows any origin. Requests without an Origin (the CLI, API clients) pass: browsers send one on the requests
  that matter.
- Framing: every answer says `Content-Security-Policy: frame-ancestors 'self'` (and the older X-Frame-Options),
  so another site cannot lay the chat under a decoy and have it clicked (confirming a paid job).

The sign-in cookie is SameSite=Lax (Chainlit's default, kept by `clapboard serve`), so other sites' requests
do not carry it either.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from chainlit.config import config
from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from campaign.settings import LOOPBACK_HOSTS, Settings
from chat.runtime import services

# The review page's own form posts say `Origin: null` (its Referrer-Policy is no-referrer, so the token stays on the
# page); they carry no credential (the token in the path is the permission), so nothing rides on another site's post.
REVIEW_PATH = "/review/"


def host_name(host: str) -> str:
    """The name in a Host header (`127.0.0.1:8000`, `[::1]:8000`, `chat.acme.example`), lower case."""
    return (urlsplit(f"//{host}").hostname or "").rstrip(".") if host else ""


def served(settings: Settings, host: str) -> bool:
    """Whether a Host header names this server (the address the chat listens on counts, unless a wildcard)."""
    name = host_name(host)
    allowed = settings.served_hosts
    return "*" in allowed or name in allowed or name == config.run.host not in ("0.0.0.0", "::")


def _port(scheme: str, port: int | None) -> int:
    return port or (443 if scheme in ("https", "wss") else 80)


def our_origin(settings: Settings, origin: str, host: str, scheme: str) -> bool:
    """Whether a browser page's Origin is this server as its users reach it; `host` and `scheme` are the
    request's own (its Host header, already checked to be ours), so a loopback page counts only on our port."""
    parts = urlsplit(origin)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return False
    public = urlsplit(settings.public_url)
    addressed = urlsplit(f"//{host}")
    return (
        parts.hostname in LOOPBACK_HOSTS
        and _port(parts.scheme, parts.port) == _port(scheme, addressed.port)
        or bool(public.hostname)
        and parts[:2] == public[:2]
        or parts.hostname in settings.allowed_hosts
    )


class SameSite:
    """The ASGI middleware in front of everything (see the module's docstring)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        settings = services().settings
        headers = Headers(scope=scope)
        origin = headers.get("origin")
        refusal = None
        if not served(settings, headers.get("host", "")):
            refusal = PlainTextResponse(
                "This server does not answer to that name; its administrator can add the name to its allowed hosts.",
                400,
            )
        elif origin is not None and not (
            our_origin(settings, origin, headers.get("host", ""), scope["scheme"])
            or origin == "null"
            and scope["path"].startswith(REVIEW_PATH)
        ):
            refusal = PlainTextResponse("Cross-site requests are not allowed.", 403)
        if refusal is not None:
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 4400 if refusal.status_code == 400 else 4403})
            else:
                await refusal(scope, receive, _framed(send))
            return
        await self.app(scope, receive, _framed(send) if scope["type"] == "http" else send)


def _framed(send: Send) -> Send:
    async def framed(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = MutableHeaders(scope=message)
            policy = headers.get("content-security-policy", "")
            if "frame-ancestors" not in policy:  # the review page says 'none' itself
                headers["content-security-policy"] = "; ".join(p for p in (policy, "frame-ancestors 'self'") if p)
                headers["x-frame-options"] = "SAMEORIGIN"
        await send(message)

    return framed
