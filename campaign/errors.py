"""Typed errors. Each names the stage that failed and carries a message a user can act on."""

from __future__ import annotations

import errno


class ClapboardError(Exception):
    """Base error: `str(error)` is safe to show a user (no secrets, paths or stack traces)."""

    stage = "request"

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} {self.hint}".strip()


class InvalidRequest(ClapboardError):
    """The request asks for something the model or the product does not offer."""

    stage = "validate"


class ReferenceRejected(ClapboardError):
    """A reference image was refused: wrong type, too big, unreachable, or not allowed."""

    stage = "references"


class ModelUnavailable(ClapboardError):
    """The chosen model cannot be used now (no token, delisted, down)."""

    stage = "model"


class ProviderFailed(ClapboardError):
    """The video provider failed or timed out on a request it accepted."""

    stage = "render"

    def __init__(self, message: str, *, hint: str = "", user_input: bool = False) -> None:
        super().__init__(message, hint=hint)
        self.user_input = user_input  # True when the provider blamed the request itself: no fallback helps


class ProviderUnreachable(ProviderFailed):
    """The provider itself cannot be reached (no connection, no DNS answer, connect timeouts): every model it
    serves is out, so a fallback must not depend on it."""

    def __init__(self, provider: str) -> None:
        super().__init__(f"{provider} cannot be reached right now.", hint="Try again in a few minutes.")
        self.provider = provider


class StorageFailed(ClapboardError):
    """A file could not be stored, read or decoded."""

    stage = "storage"


class FinishingFailed(ClapboardError):
    """The ad could not be drawn over the model's footage (its words, logo, end card, sound)."""

    stage = "finishing"


class VoiceFailed(ClapboardError):
    """The voice-over could not be spoken (the offline voice, or a premium voice on Replicate)."""

    stage = "voice"


class ChecksFailed(ClapboardError):
    """No file of an export passed its placement's checks: none was delivered."""

    stage = "checks"


class SigningFailed(ClapboardError):
    """An exported file could not be signed with content credentials (the certificate or key, or the file)."""

    stage = "credentials"


def out_of_space(exc: BaseException | None) -> StorageFailed | None:
    """The error to show when `exc`, or an error it came from, is a full disk or quota (ENOSPC, EDQUOT): the
    server's trouble, never the user's request or images."""
    while exc is not None:
        if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return StorageFailed(
                "The server is out of disk space, so this could not be saved.",
                hint="Nothing is wrong with your request: try again later, and tell whoever runs Clapboard.",
            )
        exc = exc.__cause__ or exc.__context__
    return None


class NotFound(ClapboardError):
    """A campaign, creative, job or file that does not exist."""

    stage = "lookup"


class Conflict(ClapboardError):
    """The request contradicts what is already recorded (an idempotency key reused for another body)."""

    stage = "request"


class Forbidden(ClapboardError):
    """The actor sees the thing but may not do this to it (another person's paid job)."""

    stage = "permission"


class SignInRequired(ClapboardError):
    """No valid sign-in: a missing, expired or revoked token, or a removed user."""

    stage = "sign-in"


class OverBudget(ClapboardError):
    """Confirming this would pass a monthly budget: refused before anything is created or reserved."""

    stage = "budget"


class TooLarge(ClapboardError):
    """An upload is larger than the limit (refused before the rest of it is read)."""

    stage = "upload"


class LinkGone(ClapboardError):
    """A review link that was revoked or has expired: it opens nothing any more."""

    stage = "review"


class TooMany(ClapboardError):
    """Too many requests through one link in a short time: asked to wait, nothing is recorded."""

    stage = "review"
