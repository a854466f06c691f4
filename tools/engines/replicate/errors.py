"""What Replicate's failures mean for a user and for the job.

Errors tell the job pipeline what to do next: `ModelUnavailable` (model delisted, token or credit problem) and
`ProviderFailed(user_input=False)` (failed, canceled, aborted, 5xx, deadline, output lost) move the job to the
model's fallback; `InvalidRequest` (a 422, with what is allowed) and `ProviderFailed(user_input=True)` (a
content refusal) do not, because another model would refuse the same request.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import httpx

from campaign.errors import ClapboardError, InvalidRequest, ModelUnavailable, ProviderFailed
from tools.catalog import ModelSpec
from tools.engines.base import RenderJob
from tools.engines.replicate.client import _problem

log = logging.getLogger(__name__)

REFUSAL = re.compile(
    r"flagged|sensitive|safety|content polic|moderat|nsfw|\bE005\b|not allowed|prohibited|violat|refus"
    r"|blocked",
    re.IGNORECASE,
)
# What a provider's failure text means, for a user: (pattern, what happened, what to do).
_PROVIDER_FAULTS: tuple[tuple[re.Pattern[str], str, str], ...] = (
    (
        re.compile(r"cuda|gpu|out of memory|\boom\b|illegal memory|device-side|nccl", re.I),
        "the machine running it on Replicate had a hardware (GPU) error",
        "That was not caused by your brief: try again in a moment, or pick another model.",
    ),
    (
        re.compile(r"time(d)?\s*out|timeout|deadline|took too long", re.I),
        "it ran out of time on Replicate's side",
        "Try again in a moment, or make the video shorter.",
    ),
    (
        re.compile(r"rate.?limit|too many requests|capacity|overloaded|busy|unavailable", re.I),
        "Replicate had no capacity for it just then",
        "Try again in a few minutes, or pick another model.",
    ),
)
_TOKEN_LIKE = re.compile(r"\br8_[A-Za-z0-9]{6,}\b|\bBearer\s+\S+", re.IGNORECASE)


def clean_provider_text(text: Any, limit: int = 240) -> str:
    """A provider's error as safe to show: last meaningful line, no traceback, no token, bounded length."""
    lines = [ln.strip() for ln in str(text or "").splitlines() if ln.strip()]
    lines = [ln for ln in lines if not ln.startswith(("Traceback", 'File "', "File '"))]
    line = lines[-1] if lines else ""
    line = _TOKEN_LIKE.sub("[redacted]", line)
    return line if len(line) <= limit else line[: limit - 1] + "…"


def provider_failure(spec: ModelSpec, error: Any) -> ProviderFailed:
    """A failed prediction as a user reads it: what happened and what to do, never the provider's own text (a
    stack trace, a CUDA message); that is logged."""
    raw = clean_provider_text(error)
    log.warning("%s failed on Replicate: %s", spec.slug, raw or "no reason given")
    if REFUSAL.search(raw):
        return ProviderFailed(
            f"{spec.name} refused to make this video: its safety filter flagged the brief or an image.",
            hint="Rephrase the brief and check the reference images; another model would likely refuse it too.",
            user_input=True,
        )
    for pattern, happened, todo in _PROVIDER_FAULTS:
        if pattern.search(raw):
            return ProviderFailed(f"{spec.name} failed on Replicate: {happened}.", hint=todo)
    return ProviderFailed(
        f"{spec.name} failed on Replicate without saying why.", hint="Try again in a moment, or pick another model."
    )


def _allowed_in(description: str) -> list[str]:
    """The values a validation message lists: "... must be one of the following: 4, 6, 8" -> ["4","6","8"]."""
    m = re.search(r"(?:one of(?: the following)?|allowed values?(?: are)?)\s*:?\s*(.+)$", description, re.I)
    if not m:
        return []
    return [v.strip(" '\"[]().") for v in re.split(r",\s*|\s+or\s+", m.group(1)) if v.strip(" '\"[]().")]


def invalid_request_from_422(
    spec: ModelSpec, problem: dict[str, Any], *, duration_s: int, aspect: str, resolution: str
) -> InvalidRequest:
    """Replicate's 422 as the same kind of message a pre-check gives, in our words: what was refused, what is
    allowed, and the nearest valid request (the provider's own text is logged, not shown)."""
    fields = [f for f in problem.get("invalid_fields") or [] if isinstance(f, dict)]
    kind_of = {name: kind for kind, name in spec.inputs.model_dump().items() if name}
    reverse = {kind: {str(v): k for k, v in mapping.items()} for kind, mapping in spec.values.items()}
    asked = {"duration": f"{duration_s} s", "aspect": aspect, "resolution": resolution}
    said: list[str] = []
    hints: list[str] = []
    log.warning("replicate refused the input of %s: %s", spec.slug, clean_provider_text(fields or problem))
    for f in fields:
        name = str(f.get("field", "")).removeprefix("input.")
        kind = kind_of.get(name)
        allowed = _allowed_in(clean_provider_text(f.get("description")))
        if kind in asked:
            said.append(f"it no longer makes {asked[kind]} videos")
        else:
            said.append(f"it did not accept its {name.replace('_', ' ') or 'input'} setting")
        if kind == "duration":
            values = sorted({int(v) for v in allowed if re.fullmatch(r"-?\d+", v)} or set(spec.durations))
            below = [d for d in values if d < duration_s]
            above = [d for d in values if d > duration_s]
            near = ([max(below)] if below else []) + ([min(above)] if above else [])
            if near:
                hints.append(f"Try {' or '.join(f'{d} s' for d in near)}.")
        elif kind in ("aspect", "resolution") and allowed:
            ours = [reverse.get(kind, {}).get(v, v) for v in allowed]
            hints.append(f"It takes {', '.join(ours)}.")
    if not said:
        said.append("it did not accept the request")
    return InvalidRequest(
        f"{spec.name} on Replicate refused the request: {'; '.join(said)}.",
        hint=" ".join([*hints, "Its options changed since Clapboard last checked; an administrator can refresh them."]),
    )


class _Errors:
    """Replicate's HTTP errors as typed errors a user can act on, for one render."""

    spec: ModelSpec
    job: RenderJob

    def api_error(self, resp: httpx.Response, *, during: str) -> ClapboardError:
        """An HTTP error from Replicate as a typed error a user can act on."""
        return self.error_for(resp.status_code, _problem(resp), during=during)

    def error_for(self, code: int, problem: dict[str, Any], *, during: str) -> ClapboardError:
        """Replicate's answer `code` with its problem body as a typed error a user can act on."""
        spec = self.spec
        detail = clean_provider_text(problem.get("detail") or problem.get("title") or "")
        log.warning("replicate answered %s while %s for %s: %s", code, during, spec.slug, detail)
        if code == 422:
            return invalid_request_from_422(
                spec,
                problem,
                duration_s=self.job.duration_s,
                aspect=self.job.aspect,
                resolution=self.job.resolution,
            )
        if code in (401, 403):
            return ModelUnavailable(
                "Replicate did not accept Clapboard's access to the account.",
                hint="Ask your administrator to check the Replicate token and that the account may run this model.",
            )
        if code == 402:
            return ModelUnavailable(
                "The Replicate account has run out of credit.",
                hint="Add credit on replicate.com, then try again.",
            )
        if code == 404:
            return ModelUnavailable(
                f"{spec.name} is no longer offered on Replicate ({spec.slug} was not found).",
                hint="`clapboard models --refresh` updates the list of models.",
            )
        if code == 429:
            return ProviderFailed("Replicate is throttling requests right now.", hint="Try again in a minute.")
        if code >= 500:
            return ProviderFailed(
                f"Replicate had a server error ({code}) while {during}.", hint="Try again in a moment."
            )
        return ProviderFailed(
            f"Replicate refused the request for {spec.name} (error {code}).", hint="Try again, or pick another model."
        )
