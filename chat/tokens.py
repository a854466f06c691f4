"""Bearer tokens for the REST API: HS256 JWTs signed with the server's secret."""

from __future__ import annotations

import time

import jwt

from campaign.settings import Settings

ALGORITHM = "HS256"


def issue_token(settings: Settings, subject: str, ttl_s: int = 30 * 24 * 3600) -> str:
    now = int(time.time())
    return jwt.encode({"sub": subject, "iat": now, "exp": now + ttl_s}, settings.signing_key("tokens"), ALGORITHM)


def token_subject(settings: Settings, token: str) -> str:
    """The subject of a valid, unexpired token; raises jwt.PyJWTError otherwise."""
    claims = jwt.decode(
        token, settings.signing_key("tokens"), algorithms=[ALGORITHM], options={"require": ["exp", "sub"]}
    )
    return str(claims["sub"])
