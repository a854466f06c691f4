"""One error shape for every refusal the REST API sends (401, 402, 403, 404, 409, 413, 422, 503), and its
documentation.

Whatever refuses a request (our typed errors, FastAPI's validation, a route's own HTTPException) answers
`{"detail": "...", "stage": "...", "errors": [...]}`: `detail` is a sentence to show, `stage` names where it was
refused, `errors` lists each invalid field for a request that did not validate (never echoing its values: NaN
or broken Unicode cannot be sent back). `responses(...)` documents the statuses a route really sends with it.

A confirmation that would pass a monthly budget is refused with 402 (`stage` "budget"): `detail` names the budget,
its amount, what is spent, reserved and left this month, what the request costs, and who can raise it and how;
nothing was created or reserved.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import asyncpg
from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from starlette.exceptions import HTTPException
from starlette.routing import BaseRoute, Match

from tools.studio.types import ClapboardError

log = logging.getLogger(__name__)


class FieldProblem(BaseModel):
    type: str
    loc: list[str | int]
    msg: str


class Problem(BaseModel):
    """Why a request was refused."""

    detail: str
    stage: str
    errors: list[FieldProblem] = []


MEANING = {
    401: "No valid bearer token (or webhook signature).",
    402: "Confirming this would pass a monthly budget (the team's or the user's): nothing was created; `detail` "
    "says what is left and who can raise the budget.",
    403: "Signed in, but not allowed: another person's to do, or against the team's rules (exports of approved "
    "videos only).",
    404: "No such thing in your team.",
    409: "The request contradicts what is recorded (a finished job, an idempotency key reused).",
    413: "The body is larger than allowed.",
    422: "The request is not valid, or asks for something the product does not offer.",
    503: "A service the server needs (its database or its file storage) is not answering or is full: try "
    "again after Retry-After seconds.",
}
DATABASE_RETRY_S = 5  # a database restart
STORAGE_RETRY_S = 30  # file storage down or full
DATABASE_ERRORS = (OSError, asyncpg.PostgresError, DBAPIError)  # what a database going away raises, among others


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI `responses` of a route that may refuse with these statuses."""
    return {status: {"model": Problem, "description": MEANING[status]} for status in statuses}


def problem(
    status: int,
    detail: str,
    stage: str,
    errors: list[dict[str, Any]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    if status == 401:
        headers = {**(headers or {}), "WWW-Authenticate": "Bearer"}
    body = Problem(detail=detail, stage=stage, errors=errors or [])
    return JSONResponse(body.model_dump(), status_code=status, headers=headers)


async def invalid(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [{"type": e["type"], "loc": [str(p) if not isinstance(p, int) else p for p in e["loc"]],
               "msg": e["msg"]} for e in exc.errors()]  # fmt: skip
    where = "; ".join(f"{'.'.join(str(p) for p in e['loc'][1:]) or e['loc'][0]}: {e['msg']}" for e in errors)
    return problem(422, f"The request is not valid: {where}.", "request", errors)


async def http_error(request: Request, exc: Exception) -> JSONResponse:
    """A route's or the framework's own refusal, in our shape and with its headers (a 405's Allow). A body that
    does not parse (FastAPI's 400) is a request that does not validate, like a JSON body that does not decode."""
    assert isinstance(exc, HTTPException)
    status = 422 if exc.status_code == 400 else exc.status_code
    headers = {**(exc.headers or {}), "Allow": _allowed(request)} if status == 405 else exc.headers
    return problem(status, str(exc.detail), "request", headers=headers)


def _allowed(request: Request) -> str:
    """Every method the path answers to: FastAPI routes each method of a path apart, and Starlette's 405 lists only
    the first route's."""
    methods = {
        method
        for route in request.app.router.routes
        if isinstance(route, BaseRoute) and route.matches(request.scope)[0] != Match.NONE
        for method in getattr(route, "methods", None) or ()
    }
    return ", ".join(sorted(methods))


def clapboard_error(status_of: Mapping[type[ClapboardError], int]) -> Any:
    """The handler of our typed errors: each with its status in `status_of` (chat/http/deps.py STATUS, the one map
    of them), any other with 422."""

    async def handle(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ClapboardError)
        status = status_of.get(type(exc), 422)
        headers = {"Retry-After": str(STORAGE_RETRY_S)} if status == 503 else None
        return problem(status, str(exc), exc.stage, headers=headers)

    return handle


def _database_unreachable(exc: Exception) -> bool:
    """Whether the error is the database being out of reach (refused, reset, restarting, shutting down): asyncpg
    raises its connection errors bare when connecting, SQLAlchemy wraps those of a connection in use."""
    if isinstance(exc, DBAPIError):
        return exc.connection_invalidated or isinstance(exc, OperationalError | InterfaceError)
    if isinstance(exc, asyncpg.PostgresError):
        return isinstance(exc, asyncpg.PostgresConnectionError | asyncpg.exceptions.OperatorInterventionError)
    return isinstance(exc, ConnectionError) or "Connect call failed" in str(exc)  # asyncio's, for each address


async def database_down(request: Request, exc: Exception) -> JSONResponse:
    """503 in our shape, with when to try again, while the database restarts; any other error as before."""
    if not _database_unreachable(exc):
        raise exc
    log.warning("The database could not be reached: %s", exc)
    return problem(
        503,
        "The database cannot be reached just now. Try again in a few seconds.",
        "database",
        headers={"Retry-After": str(DATABASE_RETRY_S)},
    )
