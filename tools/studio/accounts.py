"""`studio.accounts`: users, teams and sign-in: adding and removing users, passwords, API tokens, and turning a
session or a token back into an actor (checked against the database each time, so a removed user or a changed
password takes effect at once). These calls make actors rather than take one: managing users is for whoever runs
the CLI (they hold the database), and signing in is how a person becomes an actor."""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from functools import partial

import jwt
from pydantic import BaseModel

from campaign.errors import Conflict, InvalidRequest, NotFound, SignInRequired
from campaign.models import Role, User
from campaign.people import (
    LOCAL_OWNER,
    LOCAL_OWNER_ID,
    Actor,
    email_address,
    hash_password,
    password_matches,
    user_name,
)
from campaign.settings import Settings
from campaign.store import Store
from tools.throttle import SignInThrottle

ALGORITHM = "HS256"
TOKEN_MAX_DAYS = 365


async def has_users(settings: Settings) -> bool:
    """Whether anyone has been added as a user, without opening a studio (`clapboard serve` listens beyond
    loopback only then)."""
    store = await Store.open(settings.sqlalchemy_url)
    try:
        return await store.has_users()
    finally:
        await store.close()


class UserView(BaseModel):
    """A user as `clapboard users list` shows them (never the password hash)."""

    name: str
    email: str | None
    role: str
    team: str
    password: bool  # False: signs in through SSO or OAuth only
    created_at: str


class Accounts:
    """The users of this installation, and who a session or a token speaks for."""

    def __init__(self, settings: Settings, store: Store) -> None:
        self.settings = settings
        self.store = store
        self.throttle = SignInThrottle(settings)
        # Password checks run here, a few at a time (each holds ~64 MB and a core), at a lower priority than the
        # server's own threads: guessers slow down sign-in, not the pages.
        self._checks = ThreadPoolExecutor(settings.sign_in_hashes, "password-check", initializer=_lower_priority)

    def close(self) -> None:
        self._checks.shutdown(wait=False, cancel_futures=True)

    # managing users (the CLI: whoever runs it holds the database)

    async def add(
        self, name: str, *, team: str, password: str | None, email: str | None = None, admin: bool = False
    ) -> UserView:
        """Add a user to a team (created if new)."""
        name, team_name = user_name(name), user_name(team)
        email = email_address(email) if email else None
        if email and await self.store.user_by(email=email):
            raise Conflict(f"Another user already has the email {email}.")
        password_hash = hash_password(password) if password is not None else None
        found = await self.store.team(team_name, create=True)
        role = Role.admin if admin else Role.member
        user = await self.store.add_user(name=name, email=email, password_hash=password_hash, role=role,
                                         team_id=found.id)  # fmt: skip
        return await self._view(user)

    async def list(self) -> list[UserView]:
        return [await self._view(u) for u in await self.store.users()]

    async def remove(self, name: str) -> None:
        """Remove a user: sign-in and their tokens stop working; what they made stays with the team."""
        await self.store.remove_user((await self._named(name)).id)

    async def set_password(self, name: str, password: str) -> None:
        """Change a user's password; their earlier tokens and chat sessions stop working."""
        await self.store.update_user((await self._named(name)).id, password_hash=hash_password(password))

    async def _named(self, name: str) -> User:
        user = await self.store.user_by(name=user_name(name))
        if user is None:
            raise NotFound(f"There is no user called '{name}'.", hint="`clapboard users list` shows them.")
        return user

    async def _view(self, user: User) -> UserView:
        team = await self.store.team_by_id(user.team_id)
        return UserView(name=user.name, email=user.email, role=user.role, team=team.name,
                        password=user.password_hash is not None, created_at=user.created_at.isoformat())  # fmt: skip

    # signing in

    async def local_owner(self) -> Actor | None:
        """The person at the machine, while nobody has been added as a user; None once someone has."""
        return None if await self.store.has_users() else LOCAL_OWNER

    async def sign_in(self, login: str, password: str) -> Actor | None:
        """The user with this name or email and password; None otherwise, after the same work whether or not the
        user exists. The password is checked in a worker thread, a few at a time (`sign_in_hashes`), so that
        guessers slow down sign-in only, not every page of the server."""
        user = await self._by_login(login)
        check = partial(password_matches, password, user.password_hash if user else None)
        matches = await asyncio.get_running_loop().run_in_executor(self._checks, check)
        return await self._actor(user) if user is not None and matches else None

    async def _by_login(self, login: str) -> User | None:
        """The user a login names; None for one that can be no name or email (a NUL, which PostgreSQL refuses)."""
        try:
            key = {"email": email_address(login)} if "@" in login else {"name": user_name(login)}
        except InvalidRequest:
            return None
        return await self.store.user_by(**key)

    @property
    def sso_header(self) -> str | None:
        """The header in which an SSO proxy names its signed-in user's email; None without a proxy."""
        return self.settings.auth_header

    async def from_oauth(self, email: str) -> Actor | None:
        """The user an OAuth provider vouches for, by email; an unknown address of a domain that
        `oauth_team_domains` lists becomes a member of that domain's team."""
        return await self.by_email(email, join_domains=self.settings.oauth_team_domains)

    async def by_email(self, email: str, *, join_domains: dict[str, str] | None = None) -> Actor | None:
        """The user an SSO proxy or an OAuth provider vouches for, by email. With `join_domains` (email domain ->
        team), an unknown address of a listed domain becomes a member of that team."""
        try:
            email = email_address(email)
        except InvalidRequest:
            return None
        if (user := await self.store.user_by(email=email)) is not None:
            return await self._actor(user)
        team = (join_domains or {}).get(email.rsplit("@", 1)[1])
        if team is None:
            return None
        local = "".join(ch if ch.isalnum() or ch in "._-" else "-" for ch in email.split("@")[0].lower())
        for name in (local, f"{local}-{email.rsplit('@', 1)[1].split('.')[0]}"):
            try:
                await self.add(name, team=team, password=None, email=email)
            except (Conflict, InvalidRequest):  # the name is taken, or the address makes no valid name
                continue
            return await self.by_email(email)
        return None

    async def cli_actor(self, name: str | None) -> Actor:
        """Who the CLI acts as: the named user (else `CLAPBOARD_USER`), or the local owner while no user exists
        (whoever runs the CLI holds the database, so no password is asked)."""
        name = name or self.settings.user
        if name:
            return await self._actor(await self._named(name))
        if (owner := await self.local_owner()) is not None:
            return owner
        raise InvalidRequest("Name the user (--as NAME, or --user NAME for a token); "
                             "`clapboard users list` shows them.")  # fmt: skip

    async def actor(self, user_id: str, credentials: int) -> Actor | None:
        """A session's actor re-checked: None when the user was removed, changed password, or (for the local
        owner) once users exist."""
        if user_id == LOCAL_OWNER_ID:
            return await self.local_owner()
        user = await self.store.user(user_id)
        if user is None or user.credentials != credentials:
            return None
        return await self._actor(user)

    async def _actor(self, user: User) -> Actor:
        return Actor.of(user, await self.store.team_by_id(user.team_id))

    # API tokens

    async def issue_token(self, name: str | None, days: int = 30) -> str:
        """A bearer token for a user (for the local owner while no user exists), valid for `days`."""
        if not 1 <= days <= TOKEN_MAX_DAYS:
            raise InvalidRequest(f"A token lasts 1 to {TOKEN_MAX_DAYS} days.")
        actor = await self.cli_actor(name)
        now = int(time.time())
        claims = {"sub": actor.user_id, "cred": actor.credentials, "iat": now, "exp": now + days * 24 * 3600}
        return jwt.encode(claims, self.settings.signing_key("tokens"), ALGORITHM)

    async def from_token(self, token: str) -> Actor:
        """The actor of a valid token; SignInRequired for a bad, expired or revoked one."""
        try:
            claims = jwt.decode(token, self.settings.signing_key("tokens"), algorithms=[ALGORITHM],
                                options={"require": ["exp", "sub", "cred"]})  # fmt: skip
        except jwt.PyJWTError as exc:
            raise SignInRequired("The token is invalid or expired.") from exc
        actor = await self.actor(str(claims["sub"]), int(claims["cred"]))
        if actor is None and claims["sub"] == LOCAL_OWNER_ID:  # the owner's token ends when the first user is added
            raise SignInRequired("This token was made before sign-in was turned on, so it no longer works. "
                                 "Make a new one with `clapboard token --user NAME`.")  # fmt: skip
        if actor is None:
            raise SignInRequired("The token was revoked: its user was removed or changed their password.")
        return actor


def _lower_priority() -> None:
    """A password-check thread gives way to the others when the CPU is short (on Linux, where the niceness is a
    thread's own; elsewhere it runs at the usual priority)."""
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
