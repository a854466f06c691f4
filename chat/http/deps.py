"""What every route depends on: the services the app opened, the actor a bearer token speaks for, and the
path and query types the routes share. Tests swap any of them with FastAPI's `dependency_overrides`."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Query
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from chat.http.problems import responses
from chat.runtime import Services, services
from tools.studio import Studio
from tools.studio.types import (
    Actor,
    Conflict,
    Forbidden,
    LinkGone,
    NotFound,
    OverBudget,
    SignInRequired,
    StorableText,
    StorageFailed,
    TooLarge,
    TooMany,
    WebhookRejected,
)

_bearer = HTTPBearer(auto_error=False)


async def get_services() -> Services:
    """The services the app's lifespan opened."""
    return services()


async def studio_dep(opened: Annotated[Services, Depends(get_services)]) -> Studio:
    return opened.studio


StudioDep = Annotated[Studio, Depends(studio_dep)]


async def actor(
    studio: StudioDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Actor:
    """The user the token speaks for; 401 without a valid, unexpired, unrevoked token of a current user."""
    if credentials is None:
        raise SignInRequired("A bearer token is required: create one with `clapboard token --user NAME`.")
    return await studio.accounts.from_token(credentials.credentials)


Who = Annotated[Actor, Depends(actor)]
Id = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="A job's or a creative's id: 32 hex digits.")]
CampaignName = Annotated[StorableText | None, Query(min_length=1, max_length=200, description="A campaign's name.")]
# The status of each of our typed errors, wherever a route raises it (any other: 422). OverBudget is a paid
# confirmation over a monthly budget (a job's, a generate's with `confirm`, a batch's), refused before anything starts.
STATUS = {NotFound: 404, Conflict: 409, Forbidden: 403, WebhookRejected: 401, SignInRequired: 401, OverBudget: 402,
          TooLarge: 413, StorageFailed: 503, LinkGone: 410, TooMany: 429}  # fmt: skip
# every route behind a token: a bad token, a request that does not validate, the database restarting
SIGNED = responses(401, 422, 503)
FOUND = responses(401, 404, 422, 503)
