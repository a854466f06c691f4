"""The HTTP-server scaffold of the fakes (`LoopbackServer`) and a scripted server on it for tests: per-path
replies, recorded requests, bounded streams.

    with ScriptedHTTPServer() as server:
        server.route("/logo.png", Reply(body=png_bytes, content_type="image/png"))
        server.route("/moved", redirect("/logo.png"))
        server.route("/forever", endless(delay_s=0.05))
        server.route("/echo", lambda seen: Reply(body=seen.body))  # a handler sees the request
        url = server.url("/logo.png")
        ...
        assert server.requests[0].path == "/logo.png"

Or as the fixture `http_server` (tests/conftest.py loads this module as a pytest plugin), or a two-line
fixture of your own around `with ScriptedHTTPServer() as server: yield server`.

It runs in its own threads, so it serves while a test's event loop awaits a client. Every streaming loop is
bounded (a chunk count) and stops when the client goes away or the server stops.

The fake Replicate and the fake OpenAI are `LoopbackServer`s too: each defines `respond(seen) -> Reply`.
"""

from __future__ import annotations

import datetime
import json
import ssl
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Self
from urllib.parse import urlsplit

import httpx
import pytest


@dataclass
class Reply:
    """What the server answers. `body` as bytes is sent with a Content-Length; an iterable of chunks is sent
    with chunked transfer encoding, `delay_s` apart."""

    status: int = 200
    body: bytes | Iterable[bytes] = b""
    content_type: str | None = "application/octet-stream"
    headers: Mapping[str, str] = field(default_factory=dict)
    delay_s: float = 0.0


@dataclass(frozen=True)
class Seen:
    """One request the server received."""

    method: str
    path: str
    query: str
    headers: dict[str, str]  # lower-case names
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body or b"null")

    @property
    def messages(self) -> list[dict[str, Any]]:
        """A chat completion request's `messages` (the fake OpenAI's requests)."""
        return list((self.json or {}).get("messages") or [])


Handler = Reply | Callable[[Seen], Reply]


def redirect(location: str, status: int = 302) -> Reply:
    return Reply(status=status, content_type=None, headers={"Location": location})


def endless(chunk: bytes = b"\0" * 16384, *, delay_s: float = 0.0, max_chunks: int = 200_000) -> Reply:
    """A body that (as far as a client can tell) never ends: `max_chunks` chunks at most, then the server
    drops the connection without finishing the chunked body."""

    def chunks() -> Iterator[bytes]:
        for _ in range(max_chunks):
            yield chunk

    return Reply(body=_Unfinished(chunks()), delay_s=delay_s)


def file_reply(path: Path, content_type: str = "application/octet-stream", block: int = 1 << 20) -> Reply:
    """Stream a file from disk in `block`-sized chunks, with its Content-Length."""
    size = path.stat().st_size

    def chunks() -> Iterator[bytes]:
        with path.open("rb") as fh:
            while data := fh.read(block):
                yield data

    return Reply(body=_Sized(chunks(), size), content_type=content_type)


class _Unfinished:
    """Marks a stream whose chunked body is never terminated."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self.chunks = chunks

    def __iter__(self) -> Iterator[bytes]:
        return self.chunks


class _Sized:
    """A stream whose total length is known, sent with Content-Length instead of chunked encoding."""

    def __init__(self, chunks: Iterator[bytes], size: int) -> None:
        self.chunks, self.size = chunks, size

    def __iter__(self) -> Iterator[bytes]:
        return self.chunks


class _Server(ThreadingHTTPServer):
    request_queue_size = 1024  # socketserver's 5 resets some of hundreds of connections opened at once
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    owner: LoopbackServer

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that hangs up mid-reply is normal in these tests; anything else is printed."""
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the stdlib's name
        pass

    def _handle(self) -> None:
        owner = self.server.owner
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        seen = Seen(
            method=self.command,
            path=parts.path,
            query=parts.query,
            headers={k.lower(): v for k, v in self.headers.items()},
            body=self.rfile.read(length) if length else b"",
        )
        with owner.lock:
            owner.requests.append(seen)
        try:
            reply = owner.respond(seen)
        except Exception as exc:  # a broken handler (or fake) shows as a 500, not a hung client
            reply = owner.error_reply(exc)
        self._send(reply)

    def _send(self, reply: Reply) -> None:
        self.send_response(reply.status)
        if reply.content_type:
            self.send_header("Content-Type", reply.content_type)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        body = reply.body
        if isinstance(body, bytes | bytearray):
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
            return
        chunked = not isinstance(body, _Sized)
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(body.size))
        self.end_headers()
        if self.command == "HEAD":
            return
        stopping = self.server.owner.stopping
        try:
            for chunk in body:
                if stopping.is_set():
                    break
                if chunked:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                else:
                    self.wfile.write(chunk)
                if reply.delay_s and stopping.wait(reply.delay_s):
                    break
            else:
                if chunked and not isinstance(body, _Unfinished):
                    self.wfile.write(b"0\r\n\r\n")
                    return
        except (BrokenPipeError, ConnectionResetError):
            pass
        self.close_connection = True

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = _handle


class LoopbackServer:
    """The scaffold of every fake server: a threaded HTTP/1.1 server on a free port of 127.0.0.1 (or `host`),
    serving in a daemon thread between `start()` and `stop()` (or `with`). It records each request in
    `requests` and answers it with `respond(seen)`, which a subclass defines."""

    name = "loopback-server"  # the serving thread's name

    def __init__(self, host: str = "127.0.0.1", *, tls: ssl.SSLContext | None = None) -> None:
        self._httpd = _Server((host, 0), _RequestHandler)
        self._httpd.owner = self
        self.scheme = "https" if tls else "http"
        if tls is not None:
            self._httpd.socket = tls.wrap_socket(self._httpd.socket, server_side=True)
        self._thread: threading.Thread | None = None
        self.lock = threading.RLock()  # guards `requests` (and a subclass's own state, if it likes)
        self.requests: list[Seen] = []
        self.stopping = threading.Event()
        self.host, self.port = self._httpd.server_address[:2]

    def respond(self, seen: Seen) -> Reply:
        """The answer to one request (called in the request's own thread)."""
        raise NotImplementedError

    def error_reply(self, exc: Exception) -> Reply:
        """The answer when `respond` raised."""
        return Reply(status=500, body=repr(exc).encode(), content_type="text/plain")

    def url(self, path: str = "/", host: str | None = None) -> str:
        return f"{self.scheme}://{host or self.host}:{self.port}{path}"

    def start(self) -> Self:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, name=self.name, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def wait_for_requests(self, n: int, timeout_s: float = 5.0) -> bool:
        """Wait (bounded) until at least `n` requests arrived."""
        deadline = time.monotonic() + timeout_s
        while len(self.requests) < n and time.monotonic() < deadline:
            time.sleep(0.01)
        return len(self.requests) >= n


class ScriptedHTTPServer(LoopbackServer):
    """A loopback server with per-path handlers, unrouted paths answering 404."""

    name = "scripted-http-server"

    def __init__(self, host: str = "127.0.0.1", *, tls: ssl.SSLContext | None = None) -> None:
        super().__init__(host, tls=tls)
        self._routes: dict[tuple[str | None, str], Handler] = {}

    def route(self, path: str, handler: Handler, *, method: str | None = None) -> ScriptedHTTPServer:
        """Answer `path` (any method, or only `method`) with a fixed reply or a function of the request."""
        self._routes[(method.upper() if method else None, path)] = handler
        return self

    def handler_for(self, method: str, path: str) -> Handler | None:
        return self._routes.get((method, path)) or self._routes.get((None, path))

    def respond(self, seen: Seen) -> Reply:
        handler = self.handler_for(seen.method, seen.path)
        if handler is None:
            return Reply(status=404, body=b"not found", content_type="text/plain")
        return handler(seen) if callable(handler) else handler


class LoopbackOnlyTransport(httpx.AsyncBaseTransport):
    """httpx's real transport, but it refuses (and records) any request to a host other than 127.0.0.1.

    A safety net for tests of code that must never reach other addresses: if the code under test were wrong,
    the request is refused here instead of leaving the machine. `refused` lists the URLs it stopped.
    """

    def __init__(self, verify: ssl.SSLContext | bool = True) -> None:
        self._inner = httpx.AsyncHTTPTransport(verify=verify)
        self.sent: list[httpx.URL] = []
        self.refused: list[httpx.URL] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.host != "127.0.0.1":
            self.refused.append(request.url)
            raise httpx.ConnectError("test transport: only 127.0.0.1 may be contacted", request=request)
        self.sent.append(request.url)
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()


def tls_contexts(hostnames: list[str]) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """A throwaway CA and a certificate for `hostnames`: (server context, client context trusting the CA)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.UTC)

    def build(subject: str, key, issuer: str, issuer_key, *, ca: bool, names: list[str]):  # noqa: ANN001, ANN202
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
            .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(hours=1))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        )
        if names:
            builder = builder.add_extension(
                x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), critical=False
            )
        return builder.sign(issuer_key, hashes.SHA256())

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_cert = build("Test CA", ca_key, "Test CA", ca_key, ca=True, names=[])
    key = ec.generate_private_key(ec.SECP256R1())
    cert = build(hostnames[0], key, "Test CA", ca_key, ca=False, names=hostnames)
    pem = serialization.Encoding.PEM
    with tempfile.TemporaryDirectory() as tmp:
        cert_file, key_file = f"{tmp}/cert.pem", f"{tmp}/key.pem"
        with open(cert_file, "wb") as fh:
            fh.write(cert.public_bytes(pem))
        with open(key_file, "wb") as fh:
            fh.write(key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
        server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        server.load_cert_chain(cert_file, key_file)
    client = ssl.create_default_context(cadata=ca_cert.public_bytes(pem).decode())
    return server, client


@pytest.fixture
def http_server() -> Iterator[ScriptedHTTPServer]:
    with ScriptedHTTPServer() as server:
        yield server
