"""A real Clapboard server in-process (the app factory's app, on uvicorn) and a socket.io client that speaks like the
UI."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import httpx
import socketio
import uvicorn

from campaign.settings import Settings
from tools.tls import tls_context


@asynccontextmanager
async def chainlit_server(settings: Settings) -> AsyncIterator[str]:
    """Serve the app `create_app` builds for these settings on a free loopback port, its lifespan and all; yields
    the base URL."""
    from chat.server import create_app

    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=0, lifespan="on", log_level="warning")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            raise RuntimeError("the server did not start (its log says why)")
        await asyncio.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


@asynccontextmanager
async def app_client(
    settings: Settings, overrides: dict[Any, Any] | None = None, **kwargs: Any
) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client of the app `create_app` builds for these settings, in process (no socket), inside the app's
    lifespan: `chat.runtime.services()` is this app's while it is open. `overrides` stand in for the routes'
    dependencies (FastAPI's `dependency_overrides`)."""
    from chat.server import create_app

    app = create_app(settings)
    app.dependency_overrides.update(overrides or {})
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=kwargs.pop("raise_app_exceptions", True))
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost", **kwargs) as client:
            yield client


class ChatClient:
    """One browser tab: a chainlit session over socket.io, recording what the server sends."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.session_id = str(uuid.uuid4())
        self.sio = socketio.AsyncClient(reconnection=False)
        self.events: list[tuple[str, Any]] = []
        self.http = httpx.AsyncClient(base_url=base, timeout=30, verify=tls_context())

        @self.sio.on("*")
        async def record(event: str, data: Any = None) -> None:
            self.events.append((event, data))

    async def sign_in(self, user: str | None = None, password: str = "") -> httpx.Response:
        """Sign in as the UI does: the password form for a user, the header sign-in (the local owner, while no
        user exists) without one. The session cookie is kept for the connection and uploads."""
        if user is None:
            return await self.http.post("/auth/header", json={})
        return await self.http.post("/login", data={"username": user, "password": password})

    async def connect(self, user: str | None = None, password: str = "", thread_id: str = "") -> None:
        """Sign in and open the chat; with `thread_id`, reopen that conversation (the sidebar's click)."""
        (await self.sign_in(user, password)).raise_for_status()
        await self.sio.connect(
            self.base,
            socketio_path="/ws/socket.io",
            transports=["websocket"],
            headers={"Cookie": f"access_token={self.http.cookies['access_token']}"},
            auth={
                "clientType": "webapp",
                "sessionId": self.session_id,
                "threadId": thread_id,
                "userEnv": "{}",
                "chatProfile": "",
            },  # fmt: skip
        )
        await self.sio.emit("connection_successful")

    async def upload(self, name: str, data: bytes, mime: str) -> str:
        response = await self.http.post(
            f"/project/file?session_id={self.session_id}", files={"file": (name, data, mime)}
        )
        response.raise_for_status()
        return response.json()["id"]

    async def click(self, action: dict[str, Any]) -> httpx.Response:
        """Click an action button, as the UI does (over HTTP, with the session cookie)."""
        return await self.http.post("/project/action", json={"sessionId": self.session_id, "action": action})

    async def send(self, text: str, files: list[str] | None = None) -> None:
        message = {
            "id": str(uuid.uuid4()), "threadId": "", "output": text, "name": "User", "type": "user_message",
            "createdAt": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        }  # fmt: skip
        await self.sio.emit("client_message", {"message": message, "fileReferences": [{"id": f} for f in files or []]})

    async def thread(self) -> str:
        """The conversation's id, once its first message (or click) made it: Chainlit says so after a while."""
        [found] = await self.wait_for(lambda: [d["thread_id"] for e, d in self.events if e == "first_interaction"])
        return found

    def messages(self) -> list[str]:
        return [d.get("output", "") for e, d in self.events if e in ("new_message", "update_message") and d]

    def elements(self, kind: str | None = None) -> list[dict[str, Any]]:
        return [d for e, d in self.events if e == "element" and (kind is None or d.get("type") == kind)]

    async def wait_for(self, predicate: Any, timeout: float = 90) -> Any:
        deadline = asyncio.get_running_loop().time() + timeout
        while asyncio.get_running_loop().time() < deadline:
            if found := predicate():
                return found
            await asyncio.sleep(0.05)
        raise AssertionError(f"timed out; messages so far: {self.messages()}")

    async def close(self) -> None:
        await self.sio.disconnect()
        await self.http.aclose()
