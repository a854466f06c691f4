"""The web app, built in one place: `create_app(settings)`.

How Chainlit 2.12 can be assembled (read in its source: chainlit/server.py, utils.py, config.py, and tried):
`chainlit.server.app` is a FastAPI app made when the module is imported, with its socket.io server at
`/ws/socket.io`, its routes (`/login`, `/auth/*`, `/project/*`, `/public/*`, `/assets/*`) and last the page's
catch-all `GET /{full_path:path}`, which shadows any GET route added to that app later. It is one app per process:
the hooks, sessions and socket.io server are module state, and Starlette refuses middleware on an app once it has
served. `chainlit.utils.mount_chainlit(app, target, "/")` does work at the root (the page, its assets, the
websocket, /project/*, /login and /auth/* all answer as under `chainlit run`), but it loads the hooks from a file
path (a second copy of an importable module), sets CHAINLIT_ROOT_PATH, and adds a middleware to Chainlit's app
that 404s paths outside the prefix: nothing at "/", and impossible a second time in a process that has served
(the tests build many apps). So the factory does what it does without those three: our own FastAPI app, whose
routes come first (`/api`, `/files`, Chainlit's translations route replaced), then Chainlit's app mounted at the
root, with the guards on our app, in front of both. Chainlit's own middleware (CORS, gzip) now wraps only its
routes: the API's JSON and the videos under /files are sent uncompressed (video does not compress), and they need
no CORS header, as SameSite refuses other sites' origins.

Starlette does not run a mounted app's lifespan, so Chainlit's (its start-up hooks; a shutdown that ends the
process with os._exit) never runs: ours opens the services (the studio, the notifier, the agent's memory and the
agent, compiled on first use: `chat.runtime.Services`) before the first request and closes them at the end, with
Chainlit's data layer.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import chainlit.data
import chainlit.server
from fastapi import FastAPI
from starlette.routing import Mount, Route

import chat.app  # noqa: F401  (registers Chainlit's hooks)
from campaign.settings import Settings
from chat import runtime
from chat.history import only_the_author
from chat.http.api import build_api, build_files
from chat.http.redact import redact_review_tokens
from chat.http.review import build_review
from chat.http.signin import SessionGuard, SignInGuard
from chat.http.site import SameSite
from chat.http.uploads import UploadGuard, files_directory
from chat.panel import translations

log = logging.getLogger(__name__)
EXIT_STARTUP = 3  # uvicorn's own code for a failed start

# Who refuses a request, outermost first: a foreign host or origin (SameSite), a session cookie that no longer
# holds (SessionGuard), too many wrong passwords (SignInGuard, on POST /login), an upload too large, too many or
# not the user's (UploadGuard); then the routes: the API's own checks (chat/http/deps.py) or Chainlit's.
GUARDS = (SameSite, SessionGuard, SignInGuard, UploadGuard)


def create_app(settings: Settings | None = None) -> FastAPI:
    """The whole web app for these settings (read from the environment when None, as `clapboard serve` does)."""
    settings = settings or Settings()
    os.environ.setdefault("CHAINLIT_AUTH_SECRET", settings.chat_session_secret)  # read by Chainlit on each use
    files_directory()  # this process's uploads folder, before any chat session exists
    redact_review_tokens()  # whoever logs a request (uvicorn's access log, our own) never writes a review token
    chainlit.server.is_thread_author = only_the_author  # the name Chainlit's thread routes call

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            opened = await runtime.Services.open(settings)
        except runtime.StartupTimedOut as exc:  # said in one line, not a traceback; the process ends
            log.error("%s", exc)
            logging.shutdown()
            os._exit(EXIT_STARTUP)
        _forget_data_layer()  # Chainlit keeps its data layer for the process: this app's is on its database
        files_directory().mkdir(exist_ok=True)  # removed when an app served before in this process stopped
        app.state.services = opened
        runtime.serve(opened)
        try:
            yield
        finally:
            runtime.serve(None)
            if chainlit.data._data_layer is not None:
                await chainlit.data._data_layer.close()
            _forget_data_layer()
            await opened.close()
            # as Chainlit's own shutdown did (uvicorn ends a SIGTERM-stopped process by the signal: no atexit)
            shutil.rmtree(files_directory(), ignore_errors=True)

    app = FastAPI(lifespan=lifespan, openapi_url=None, docs_url=None, redoc_url=None)
    api, files = build_api(), build_files()
    api.dependency_overrides = files.dependency_overrides = app.dependency_overrides  # one set for the app
    mounted = Mount("/api", app=api)
    # An id with a line break in it would miss the mount (Starlette's `.` stops at one) and get Chainlit's bare
    # 404; it reaches the API's own checks instead, and their answer in our shape.
    mounted.path_regex = re.compile(mounted.path_regex.pattern, re.DOTALL)
    app.router.routes.extend(
        [
            Mount("/files", app=files),
            Mount("/review", app=build_review()),  # no account: the token in the path is the permission
            mounted,
            Route("/project/translations", translations, methods=["GET"]),
            Mount("/", app=chainlit.server.app),  # last: its catch-all GET would shadow the routes above
        ]
    )
    for guard in reversed(GUARDS):  # each added goes outside the ones before
        app.add_middleware(guard)
    return app


def _forget_data_layer() -> None:
    chainlit.data._data_layer, chainlit.data._data_layer_initialized = None, False
