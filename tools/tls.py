"""One TLS context for every HTTP client of the process: loading the certificate store costs about 35 ms of
CPU on the event loop, too much to pay for each render (200 followed at once froze the loop for 9 s)."""

from __future__ import annotations

import ssl
from functools import cache

import certifi


@cache
def tls_context() -> ssl.SSLContext:
    """The verifying client context httpx would build, made once (contexts are safe to share)."""
    return ssl.create_default_context(cafile=certifi.where())
