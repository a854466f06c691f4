"""The chat page's scripts and styles (`/assets/*`, Chainlit's built frontend), which browsers keep.

Their names carry a hash of their content (`index-B2u6IBgX.js`): a new Chainlit version is new names, so a browser
may keep each file for good. Chainlit's own route sends them with no cache lifetime, and its page loads three times
on the way in (the chat, the sign-in form, the chat again): the 4.6 MB script was downloaded, gzipped by the
server and compiled by the browser three times for each sign-in. Kept, it is sent once per browser.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import chainlit.server
from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp

KEPT = "public, max-age=31536000, immutable"


class _Kept(StaticFiles):
    def file_response(self, *args: Any, **kwargs: Any) -> Response:
        response = super().file_response(*args, **kwargs)
        response.headers["Cache-Control"] = KEPT
        return response


def build_assets() -> ASGIApp:
    """The app mounted at /assets: Chainlit's built files, gzipped for browsers that take it, kept for a year."""
    return GZipMiddleware(_Kept(directory=Path(chainlit.server.build_dir) / "assets"))
