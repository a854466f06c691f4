"""Who is speaking: the actor every call carries, and the rules for user names, emails and passwords."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from pwdlib import PasswordHash

from .errors import InvalidRequest
from .models import DEFAULT_TEAM_ID, Role, Team, User

LOCAL_OWNER_ID = "local"  # the person at the machine, while no user exists
PASSWORD_MIN_CHARS = 8
_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
_CONTROL = r"\x00-\x1f\x7f-\x9f"
CONTROL = re.compile(f"[{_CONTROL}]")  # never in a name, an email or a password
_PART = rf"[^@\s{_CONTROL}\ud800-\udfff]+"  # of an email: no control characters (a NUL) nor broken Unicode
_EMAIL = re.compile(rf"{_PART}@{_PART}\.{_PART}")
_hasher = PasswordHash.recommended()  # argon2id


@cache
def _nobody() -> str:
    """A hash no password matches, made on first use (hashing takes a tenth of a second; most commands never
    check a password)."""
    return _hasher.hash("no user has this password")


@dataclass(frozen=True)
class Actor:
    """A signed-in user and their team: what the store scopes every query by."""

    user_id: str
    name: str
    team_id: str
    team: str
    role: str = Role.member
    credentials: int = 0  # the user's password generation when this actor was signed in

    @property
    def admin(self) -> bool:
        return self.role == Role.admin

    @classmethod
    def of(cls, user: User, team: Team) -> Actor:
        return cls(user.id, user.name, team.id, team.name, user.role, user.credentials)


LOCAL_OWNER = Actor(LOCAL_OWNER_ID, "owner", DEFAULT_TEAM_ID, "default", Role.admin)


def user_name(text: str) -> str:
    """A user or team name: lower case letters, digits, dot, dash, underscore; up to 64 characters."""
    name = text.strip().lower()
    if not _NAME.fullmatch(name):
        raise InvalidRequest(
            f"'{text}' is not a valid name: use 1 to 64 letters, digits, dots, dashes or underscores, "
            "starting with a letter or digit."
        )
    return name


def email_address(text: str) -> str:
    email = text.strip().lower()
    if len(email) > 254 or not _EMAIL.fullmatch(email):
        raise InvalidRequest(f"'{text}' is not an email address.")
    return email


def hash_password(password: str) -> str:
    if len(password) < PASSWORD_MIN_CHARS:
        raise InvalidRequest(f"A password needs at least {PASSWORD_MIN_CHARS} characters.")
    if CONTROL.search(password):
        raise InvalidRequest("A password cannot contain control characters (the sign-in page refuses them).")
    return _hasher.hash(password)


def password_matches(password: str, password_hash: str | None) -> bool:
    """True when the password is the user's; False for no user or a user without one (SSO or OAuth only), after
    the same work, so the answer's timing does not tell whether the user exists."""
    matches = _hasher.verify(password, password_hash or _nobody())
    return password_hash is not None and matches
