"""The web app: Chainlit's app with the REST API and the signed file route in front of its catch-all route, and
the guards in front of all."""

from __future__ import annotations

import re

from chainlit.server import app as chainlit_app
from starlette.routing import Mount

from chat.http.api import build_api, build_files
from chat.http.signin import SessionGuard, SignInGuard
from chat.http.site import SameSite
from chat.http.uploads import UploadGuard


def mount() -> None:
    """Put our routes in front of Chainlit's catch-all GET route, and the same-site, session and upload checks in
    front of all (once)."""
    routes = chainlit_app.router.routes
    if not any(isinstance(r, Mount) and r.path == "/api" for r in routes):
        mounted = Mount("/api", app=build_api())
        # An id with a line break in it would miss the mount (Starlette's `.` stops at one) and get Chainlit's bare
        # 404; it reaches the API's own checks instead, and their answer in our shape.
        mounted.path_regex = re.compile(mounted.path_regex.pattern, re.DOTALL)
        routes.insert(0, mounted)
        routes.insert(0, Mount("/files", app=build_files()))
        chainlit_app.add_middleware(UploadGuard)
        chainlit_app.add_middleware(SignInGuard)  # the throttle in front of POST /login
        chainlit_app.add_middleware(SessionGuard)
        chainlit_app.add_middleware(SameSite)


mount()
