"""Live model schemas: what `clapboard models --refresh` does.

For each Replicate model in the catalog, `GET /v1/models/{owner}/{name}` (the replicate client's
`models.async_get`, with network errors, 429 and 5xx retried by tools/retry.py) gives the latest version's Cog
OpenAPI schema. Its `Input` properties (enums inline or behind `$ref` / `allOf`, integer ranges, defaults,
`maxItems`, required fields) are reconciled with the catalog entry: allowed durations, aspects and
resolutions, whether the sound, first-frame, last-frame and reference-image inputs still exist, and how many
reference images it takes. A model that answers 404 is marked unavailable. The reconciled fields are cached
in the data folder (`models-cache.json`), which `build_catalog(settings)` applies from then on.

Defaults: our own default duration, aspect and resolution are kept while the model still allows them (they are
marketing choices, and every request sends its values explicitly); when one is no longer allowed, the model's
own default (or the nearest allowed value) replaces it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

import httpx
import replicate
from pydantic import BaseModel
from replicate.exceptions import ReplicateError

from campaign.errors import ModelUnavailable
from campaign.settings import Settings
from tools.catalog import (
    KNOWN_ASPECTS,
    KNOWN_RESOLUTIONS,
    RECONCILED_FIELDS,
    ModelSpec,
    cache_path,
)
from tools.engines.replicate.client import make_client
from tools.engines.replicate.models import builtin_models
from tools.retry import Transient, retrying

log = logging.getLogger(__name__)

FETCH_ATTEMPTS = 3
CONCURRENCY = 4


class ModelCheck(BaseModel):
    """What the refresh found for one model."""

    id: str
    slug: str
    status: Literal["ok", "unavailable", "error"]
    changes: list[str] = []
    message: str = ""

    def line(self) -> str:
        if self.status == "ok":
            what = "; ".join(self.changes) if self.changes else "matches the catalog"
            return f"{self.id} ({self.slug}): available, {what}"
        if self.status == "unavailable":
            return f"{self.id} ({self.slug}): unavailable, {self.message}"
        return f"{self.id} ({self.slug}): not checked, {self.message} (kept as before)"


@dataclass
class RefreshReport:
    """What changed per model, and where the cache was written (`build_catalog` applies it from then on)."""

    checks: list[ModelCheck] = field(default_factory=list)
    cache_file: str = ""
    refreshed_at: str = ""

    def lines(self) -> list[str]:
        """One line per model, for the CLI and the chat."""
        return [c.line() for c in self.checks]


# --- reading a Cog schema ---------------------------------------------------------------------------------


def input_schema(openapi: dict[str, Any]) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """The `Input` properties of a Cog OpenAPI schema with every `$ref` / `allOf` / `anyOf` resolved, and
    the required input names."""
    comps = (openapi.get("components") or {}).get("schemas") or {}
    inp = comps.get("Input") or {}
    props = {name: _resolve(prop, comps) for name, prop in (inp.get("properties") or {}).items()}
    return props, list(inp.get("required") or [])


def _resolve(prop: dict[str, Any], comps: dict[str, Any], depth: int = 0) -> dict[str, Any]:
    if not isinstance(prop, dict) or depth > 5:
        return {}
    out = {k: v for k, v in prop.items() if k not in ("allOf", "anyOf", "oneOf", "$ref")}
    parts: list[Any] = []
    if "$ref" in prop:
        parts.append({"$ref": prop["$ref"]})
    for key in ("allOf", "anyOf", "oneOf"):
        parts.extend(prop.get(key) or [])
    for part in parts:
        if not isinstance(part, dict):
            continue
        ref = part.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            part = comps.get(ref.rsplit("/", 1)[1]) or {}
        resolved = _resolve(part, comps, depth + 1)
        if resolved.get("type") == "null":
            continue  # anyOf [X, null]: optional
        for k, v in resolved.items():
            out.setdefault(k, v)
    return out


def _ints(values: list[Any]) -> list[int]:
    out = []
    for v in values:
        try:
            n = int(v)
        except (TypeError, ValueError):
            continue
        if n > 0:
            out.append(n)
    return sorted(set(out))


# --- reconciling one model --------------------------------------------------------------------------------


def reconcile(spec: ModelSpec, openapi: dict[str, Any]) -> tuple[ModelSpec, list[str]]:
    """The catalog entry made to agree with the model's live schema, and what changed, in words."""
    props, required = input_schema(openapi)
    data = spec.model_dump()
    inputs = dict(data["inputs"])
    refs = dict(data["refs"])
    changes: list[str] = []

    def missing(kind: str, what: str) -> None:
        name = inputs.get(kind)
        if name and name not in props:
            inputs[kind] = None
            changes.append(f"no longer takes {what} ('{name}')")

    # durations
    dname = inputs.get("duration")
    if dname and dname in props:
        prop = props[dname]
        if "enum" in prop:
            durations = _ints(prop["enum"])
        elif "maximum" in prop:
            low = prop.get("minimum", spec.durations[0])
            low = low if isinstance(low, int | float) and low > 0 else spec.durations[0]
            durations = list(range(int(low), int(prop["maximum"]) + 1))
        else:
            durations = spec.durations
        if durations and durations != spec.durations:
            changes.append(f"durations {_dur(spec.durations)} -> {_dur(durations)}")
            data["durations"] = durations
        data["default_duration"] = _default(spec.default_duration, data["durations"], prop.get("default"))
    elif dname:
        missing("duration", "a duration")

    # aspects and resolutions, through the model's own values
    for kind, known, allowed_key, default_key in (
        ("aspect", KNOWN_ASPECTS, "aspects", "default_aspect"),
        ("resolution", KNOWN_RESOLUTIONS, "resolutions", "default_resolution"),
    ):
        name = inputs.get(kind)
        if not name:
            continue
        if name not in props:
            missing(kind, f"an {kind}" if kind == "aspect" else f"a {kind}")
            continue
        enum = props[name].get("enum")
        if not enum:
            continue
        reverse = {str(v): k for k, v in spec.values.get(kind, {}).items()}
        ours = [reverse.get(str(v), str(v)) for v in enum]
        usable = [v for v in ours if v in known]
        ignored = [str(v) for v, o in zip(enum, ours, strict=True) if o not in known]
        if ignored:
            changes.append(f"ignores {kind} {', '.join(ignored)} (not supported by Clapboard)")
        order = [v for v in getattr(spec, allowed_key) if v in usable]
        usable = order + [v for v in usable if v not in order]
        if usable and usable != getattr(spec, allowed_key):
            changes.append(f"{allowed_key} {', '.join(getattr(spec, allowed_key))} -> {', '.join(usable)}")
            data[allowed_key] = usable
        model_default = reverse.get(str(props[name].get("default")), props[name].get("default"))
        data[default_key] = _default(getattr(spec, default_key), data[allowed_key], model_default)

    # sound
    aname = inputs.get("audio")
    if aname and aname in props:
        default = props[aname].get("default")
        options = [True, False] if default is not False else [False, True]
        if sorted(options) != sorted(spec.audio_options):
            changes.append("sound can now be switched on or off")
        data["audio_options"] = options
    elif aname:
        missing("audio", "a sound switch")
        data["audio_options"] = [spec.audio]

    # references
    missing("first_frame", "a first-frame image")
    missing("last_frame", "a last-frame image")
    missing("subject", "reference images")
    if inputs.get("first_frame") in required and not refs.get("first_frame_required"):
        refs["first_frame_required"] = True
        changes.append("now needs a first-frame image")
    sname = inputs.get("subject")
    if sname and isinstance(props.get(sname, {}).get("maxItems"), int):
        most = int(props[sname]["maxItems"])
        if most != spec.refs.subject_max:
            changes.append(f"reference images up to {spec.refs.subject_max} -> {most}")
            refs["subject_max"] = most
    if not inputs.get("first_frame"):
        inputs["last_frame"] = None  # a last frame needs a first frame

    # inputs it requires that we never send
    sent = {v for v in inputs.values() if v} | set(spec.fixed_input)
    unknown_required = [r for r in required if r not in sent and "default" not in props.get(r, {})]
    available = True
    notice = spec.notice
    if not inputs.get("prompt") or inputs["prompt"] not in props:
        changes.append(f"has no '{inputs.get('prompt')}' input")
    if unknown_required:
        available = False
        notice = f"{spec.name} now requires {', '.join(unknown_required)}, which Clapboard does not send yet."
        changes.append(f"requires {', '.join(unknown_required)}: marked unavailable")
    if not spec.available and available:
        changes.append("listed on Replicate again: marked available")

    data.update(inputs=inputs, refs=refs, available=available, notice=notice)
    if data["audio_options"] and spec.audio not in data["audio_options"]:
        data["audio"] = data["audio_options"][0]
    try:
        updated = type(spec).model_validate(data)
    except ValueError as exc:
        log.warning("the live schema of %s does not fit the catalog: %s", spec.slug, exc)
        return spec, ["its live schema could not be applied; the catalog entry is kept"]
    return updated, changes


def _dur(values: list[int]) -> str:
    if len(values) > 3 and values == list(range(values[0], values[-1] + 1)):
        return f"{values[0]}–{values[-1]} s"
    return ", ".join(map(str, values)) + " s"


def _default(ours: Any, allowed: list[Any], model_default: Any) -> Any:
    if ours in allowed:
        return ours
    if model_default in allowed:
        return model_default
    if allowed and isinstance(ours, int) and all(isinstance(a, int) for a in allowed):
        return min(allowed, key=lambda a: (abs(a - ours), -a))
    return allowed[0] if allowed else ours


# --- refreshing the catalog -------------------------------------------------------------------------------


async def fetch_model(client: replicate.Client, slug: str) -> tuple[int, dict[str, Any] | None]:
    """`GET /v1/models/{owner}/{name}` through the client's models API: the answer's HTTP status and the latest
    version's OpenAPI schema (None when the model has no published version or its page cannot be read).

    Network errors, 429 and 5xx are retried with the one retry policy (tools/retry.py). When the last attempt
    still fails, a network error raises ConnectionError and a 429/5xx is returned as its status."""
    try:
        async for attempt in retrying(FETCH_ATTEMPTS, base_s=0.2):
            with attempt:
                return await _fetch_once(client, slug)
    except Transient as exc:
        if isinstance(exc.__cause__, ReplicateError):
            return exc.__cause__.status or 0, None
        raise ConnectionError(str(exc)) from exc.__cause__
    raise AssertionError("retrying() ended without an outcome")  # it returns or raises


async def _fetch_once(client: replicate.Client, slug: str) -> tuple[int, dict[str, Any] | None]:
    """One `fetch_model` attempt; Transient for a network error, 429 or 5xx."""
    try:
        model = await client.models.async_get(slug)
    except httpx.TransportError as exc:
        raise Transient(f"Replicate could not be reached ({type(exc).__name__})") from exc
    except ReplicateError as exc:
        status = exc.status or 0
        if status == 429 or status >= 500:
            raise Transient(f"Replicate answered {status}") from exc  # no headers, so no Retry-After to honour
        return status, None
    except (ValueError, TypeError) as exc:  # a 200 whose body is not JSON or does not fit replicate's Model
        log.warning("the model page of %s could not be read: %s", slug, exc)
        return 200, None
    version = model.latest_version
    return 200, version.openapi_schema if version is not None else None


async def refresh_catalog(settings: Settings) -> RefreshReport:
    """Read every Replicate model's live schema, reconcile the catalog with it, cache it, and report what
    changed. Raises ModelUnavailable when there is no token or Replicate refuses
    it."""
    client = make_client(settings)
    specs = [s for s in builtin_models() if s.slug]
    gate = asyncio.Semaphore(CONCURRENCY)

    async def check(spec: ModelSpec) -> tuple[ModelCheck, ModelSpec | None]:
        async with gate:
            try:
                status, schema = await fetch_model(client, spec.slug or "")
            except ConnectionError as exc:
                return ModelCheck(id=spec.id, slug=spec.slug or "", status="error", message=str(exc)), None
        if status in (401, 403):
            raise ModelUnavailable(
                "Replicate did not accept Clapboard's access to the account, so the models could not be checked.",
                hint="Check the Replicate token in the server's settings.",
            )
        if status == 404:
            note = f"Replicate no longer lists {spec.slug}."
            if spec.notice and note not in spec.notice:
                note = f"{note} {spec.notice}"
            updated = spec.model_copy(update={"available": False, "notice": note})
            return (
                ModelCheck(id=spec.id, slug=spec.slug or "", status="unavailable", message=note),
                updated,
            )
        if status != 200 or not isinstance(schema, dict):
            message = f"Replicate answered {status}" if status != 200 else "it has no published schema"
            return ModelCheck(id=spec.id, slug=spec.slug or "", status="error", message=message), None
        updated, changes = reconcile(spec, schema)
        state = "ok" if updated.available else "unavailable"
        return (
            ModelCheck(
                id=spec.id,
                slug=spec.slug or "",
                status=state,
                changes=changes,
                message="" if updated.available else updated.notice,
            ),
            updated,
        )

    tasks = [asyncio.ensure_future(check(s)) for s in specs]
    try:
        results = await asyncio.gather(*tasks)
    finally:
        for task in tasks:  # a refused token ends the refresh: the other checks stop too, before the close
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        # replicate 1.0.7 has no public close; this closes the connection pool its models API used
        await client._async_client.aclose()

    now = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    path = cache_path(settings.data_dir)
    previous = _read(path)
    entries: dict[str, Any] = {}
    for (result, updated), spec in zip(results, specs, strict=True):
        if updated is None:
            if spec.id in previous:
                entries[spec.id] = previous[spec.id]
            continue
        updated = updated.model_copy(update={"schema_checked_at": now})
        fields = updated.model_dump(mode="json", include=set(RECONCILED_FIELDS))
        entries[spec.id] = {"status": result.status, "checked_at": now, "fields": fields}
    _write(path, {"version": 1, "refreshed_at": now, "models": entries})
    log.info("model schemas refreshed: %s", ", ".join(f"{r.id}={r.status}" for r, _ in results))
    return RefreshReport(
        checks=[r for r, _ in results],
        cache_file=str(path),
        refreshed_at=now,
    )


def _read(path: os.PathLike[str]) -> dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError):
        return {}
    models = data.get("models") if isinstance(data, dict) else None
    return models if isinstance(models, dict) else {}


def _write(path: Any, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".models-cache-", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=2, sort_keys=True)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
