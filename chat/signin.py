"""Sign-in to the chat with Chainlit's own hooks, and the actor behind each chat session.

- Password sign-in against our users (name or email).
- A trusted SSO proxy's header (`CLAPBOARD_AUTH_HEADER`, e.g. X-Forwarded-Email), only when it is set.
- Chainlit's OAuth providers when their `OAUTH_*` settings are present, mapped to our users by email (with
  `CLAPBOARD_OAUTH_TEAM_DOMAINS`, new addresses of a listed domain join that team as members).
- While no user exists, the person at the machine is signed in as the local owner, on loopback only.

Password sign-in goes through `SignInGuard` (chat/http/signin.py) first: too many wrong passwords are answered 429
with a Retry-After before any password is hashed (tools/throttle.py says how many), and the hashing itself runs off
the event loop (`Accounts.sign_in`), so guessers cannot slow down the rest of the server.

Chainlit's session cookie lives for days, so `SessionGuard` re-checks it against the database when a page asks
who is signed in and when a chat connects: a removed user, a changed password, or a local-owner session once
users exist is answered 401 (the page shows the sign-in form again).
"""

from __future__ import annotations

import logging
from typing import Any

import chainlit as cl
from chainlit.config import config
from chainlit.oauth_providers import get_configured_oauth_providers
from starlette.datastructures import Headers

from campaign.settings import LOOPBACK_HOSTS
from chat.runtime import services
from tools.studio.types import Actor

log = logging.getLogger(__name__)

SIGNED_OUT = "Your sign-in has ended (your account was changed or removed). Reload the page and sign in again."


def chat_user(actor: Actor) -> cl.User:
    """The Chainlit user of an actor: our user id as its identifier, the checks it needs in its metadata."""
    metadata = {"credentials": actor.credentials, "team": actor.team, "role": actor.role}
    return cl.User(identifier=actor.user_id, display_name=actor.name, metadata=metadata)


async def session_actor() -> Actor | None:
    """The actor of the current chat session, checked against the database; None (and told so) when the
    sign-in no longer holds."""
    user = cl.user_session.get("user")
    actor = None
    if user is not None:
        studio = services().studio
        actor = await studio.accounts.actor(user.identifier, int(user.metadata.get("credentials", -1)))
    if actor is None:
        await cl.Message(content=SIGNED_OUT).send()
    return actor


def local_owner_allowed() -> bool:
    """The local owner may only be signed in while the chat listens on loopback."""
    return config.run.host in LOOPBACK_HOSTS


@cl.password_auth_callback
async def password_sign_in(username: str, password: str) -> cl.User | None:
    studio = services().studio
    actor = await studio.accounts.sign_in(username, password)
    return chat_user(actor) if actor else None


@cl.header_auth_callback
async def header_sign_in(headers: Headers) -> cl.User | None:
    """An SSO proxy's header when configured; else the local owner, while nobody has been added."""
    studio = services().studio
    if name := studio.accounts.sso_header:
        actor = await studio.accounts.by_email(headers.get(name, ""))
    else:
        actor = await studio.accounts.local_owner() if local_owner_allowed() else None
    return chat_user(actor) if actor else None


if get_configured_oauth_providers():  # Chainlit refuses the hook without a provider

    @cl.oauth_callback
    async def oauth_sign_in(
        provider_id: str,
        token: str,
        raw_user_data: dict[str, Any],
        default_user: cl.User,
        id_token: str | None = None,  # Chainlit passes its arguments by these names
    ) -> cl.User | None:
        studio = services().studio
        email = raw_user_data.get("email") or default_user.identifier
        actor = await studio.accounts.from_oauth(str(email))
        if actor is None:
            log.info("refused an OAuth sign-in from %s: no user has that email", provider_id)
        return chat_user(actor) if actor else None
