"""The REST API (JWT bearer: each token is a user's, and every route answers for that user's team) as one FastAPI
app of the resources' routers, every refusal in the one error shape (problems.py)."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from chat.http import files
from chat.http.deps import STATUS
from chat.http.problems import DATABASE_ERRORS, clapboard_error, database_down, http_error, invalid
from chat.http.routes import (
    batches,
    brand,
    budgets,
    campaigns,
    creatives,
    exports,
    jobs,
    references,
    reviews,
    video,
    webhooks,
)
from tools.studio.types import ClapboardError


def build_api() -> FastAPI:
    """The API mounted at `/api`."""
    api = FastAPI(title="Clapboard API", version="1")
    resources = (video, references, jobs, webhooks, campaigns, creatives, exports, brand, budgets, batches, reviews)
    for resource in resources:
        api.include_router(resource.router)
    api.add_exception_handler(RequestValidationError, invalid)
    api.add_exception_handler(StarletteHTTPException, http_error)
    api.add_exception_handler(ClapboardError, clapboard_error(STATUS))
    for error in DATABASE_ERRORS:
        api.add_exception_handler(error, database_down)
    return api


def build_files() -> FastAPI:
    """The signed file route mounted at `/files`."""
    app = FastAPI()
    app.include_router(files.router)
    return app
