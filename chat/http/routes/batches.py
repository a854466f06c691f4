"""Batches: a product feed (a file, or rows as JSON) quoted as one video per row, then started with one
confirmation, followed, and stopped.

`POST /batches` takes either a multipart form (the feed as `file`, the options as text fields) or JSON
(`{"rows": [...], "options": {...}}`). Like every upload, its body is read only once the token checks out and
never past the feed's cap: a declared Content-Length over it is refused unread, a streamed body once it passes it.
It takes no Idempotency-Key: a quote starts nothing and costs nothing, so a retried upload makes at most a second
quote; confirming one twice starts it once."""

from __future__ import annotations

import json
from typing import Annotated, Any, TypeVar

from annotated_types import MaxLen
from fastapi import APIRouter, HTTPException, Path, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field, StrictInt, ValidationError

from chat.cli_batch import ALL_FORMATS, aspects_of
from chat.http.deps import FOUND, SIGNED, StudioDep, Who
from chat.http.problems import responses
from chat.http.uploads import read_form
from tools.studio.types import (
    MAX_FEED_BYTES,
    MAX_ROWS,
    BatchOptions,
    BatchView,
    InvalidRequest,
    StorableText,
    TooLarge,
)

router = APIRouter()
M = TypeVar("M", bound=BaseModel)
# the most a batch's prompt may hold, as BatchOptions says it
PROMPT_CHARS = next(m.max_length for m in BatchOptions.model_fields["prompt"].metadata if isinstance(m, MaxLen))

BatchId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="A batch's id: 32 hex digits.")]
FORMATS_SAID = f'9:16, 1:1, 4:5 or 16:9 (model-dependent), or "all": the four channel formats, {",".join(ALL_FORMATS)}'
Cell = StorableText | int | float | list[StorableText] | None


class OptionsBody(BaseModel):
    """What every row of the batch shares; each left out takes the model's or the template's default."""

    model_config = ConfigDict(extra="forbid")

    prompt: StorableText = Field("", max_length=PROMPT_CHARS, description='The ask in your words, read like a '
                                 'brief for every row: "a 10 s product video with a bold look".')  # fmt: skip
    campaign: StorableText | None = Field(None, min_length=1, max_length=200, description="The campaign the videos "
                                          "land in (created if new; default: the default campaign).")  # fmt: skip
    template: StorableText | None = Field(None, max_length=60, description="brand-animation, product-showcase (the "
                                          "default) or social-media.")  # fmt: skip
    model: StorableText | None = Field(None, max_length=80, description="A model id or alias (GET /video/models).")
    aspects: list[StorableText] = Field(default_factory=list, max_length=4,
                                        description=f"One video per row per format: {FORMATS_SAID}.")  # fmt: skip
    duration_s: StrictInt | None = Field(None, gt=0, description="Each video's length in seconds.")

    def options(self, where: tuple[str, ...]) -> BatchOptions:
        """The batch's options, "all" and comma lists of formats read; refused as a body that does not validate
        (at `where`) for what the batch's own options refuse."""
        return _validated(BatchOptions, {**self.model_dump(), "aspects": aspects_of(self.aspects)}, where)


class RowsBody(BaseModel):
    """Rows sent as JSON: each an object under a feed's column names (title or name, description, price,
    sale_price, image_link, additional_image_link, image, link, brand, headline, cta, id)."""

    model_config = ConfigDict(extra="forbid")

    rows: list[dict[StorableText, Cell]] = Field(min_length=1, max_length=MAX_ROWS)
    options: OptionsBody = Field(default_factory=OptionsBody)


def _inlined(schema: dict[str, Any]) -> dict[str, Any]:
    """A model's JSON schema with its `$defs` written in place (an operation's own schema has nowhere to keep
    them)."""
    defs = schema.pop("$defs", {})

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            if ref := node.get("$ref"):
                return walk(defs[ref.rsplit("/", 1)[1]])
            return {k: walk(v) for k, v in node.items()}
        return [walk(v) for v in node] if isinstance(node, list) else node

    inlined: dict[str, Any] = walk(schema)
    return inlined


def _form_schema() -> dict[str, Any]:
    """The multipart form: the feed file and the options as text fields (`aspect` as a comma list)."""
    options = _inlined(OptionsBody.model_json_schema())["properties"]
    text = {name: {**next(s for s in options[name]["anyOf"] if s["type"] == "string"),
                   "description": options[name]["description"]}
            for name in ("campaign", "template", "model")}  # fmt: skip
    properties = {
        "file": {
            "type": "string",
            "format": "binary",
            "minLength": 1,
            "description": f"The feed: CSV, TSV, XLSX or a Google Merchant RSS/XML feed, at most "
            f"{MAX_FEED_BYTES // 2**20} MB and {MAX_ROWS} rows; images as http(s) URLs.",
        },
        "prompt": options["prompt"],
        **text,
        "aspect": {
            "type": "string",
            "pattern": r"^[^\x00-\x1f]*$",
            "maxLength": 80,
            "description": f"Formats, separated by commas: {FORMATS_SAID}.",
        },
        "duration_s": {"type": "integer", "minimum": 1, "description": options["duration_s"]["description"]},
    }
    return {"type": "object", "required": ["file"], "properties": properties, "additionalProperties": False}


UPLOAD: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {"schema": _form_schema()},
            "application/json": {"schema": _inlined(RowsBody.model_json_schema())},
        },
    }
}
FORM_FIELDS = ("prompt", "campaign", "template", "model", "aspect", "duration_s")


async def _form(request: Request) -> tuple[bytes, str, BatchOptions]:
    files, fields = await read_form(request, MAX_FEED_BYTES, "a product feed", max_files=1,
                                    max_fields=len(FORM_FIELDS) + 1)  # fmt: skip
    if "file" in fields or "file" not in files:
        raise InvalidRequest("Send the feed as the multipart file field `file`.",
                             hint="A CSV, TSV, XLSX or Google Merchant XML feed, or the rows as JSON.")  # fmt: skip
    if unknown := sorted(set(files) - {"file"} | set(fields) - set(FORM_FIELDS)):
        raise InvalidRequest(f"`{unknown[0]}` is not a field a batch takes.", hint=f"Fields: file, "
                             f"{', '.join(FORM_FIELDS)}.")  # fmt: skip
    said: dict[str, Any] = {k: v for k, v in fields.items() if k not in ("aspect", "duration_s")}
    said["aspects"] = [fields["aspect"]] if "aspect" in fields else []
    if (duration := fields.get("duration_s", "").strip()) and not duration.isdigit():
        raise InvalidRequest("duration_s must be a whole number of seconds.")
    said["duration_s"] = int(duration) if duration else None
    data, name = files["file"]
    return data, name, _validated(OptionsBody, said, ("body",)).options(("body",))


async def _rows(request: Request) -> RowsBody:
    """The JSON body, read up to the feed's cap."""
    too_large = f"The body is larger than {MAX_FEED_BYTES // 2**20} MB, the most a batch's rows can be."
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_FEED_BYTES:
        raise TooLarge(too_large)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FEED_BYTES:
            raise TooLarge(too_large)
    try:
        data = json.loads(body)
    except ValueError:
        raise InvalidRequest("The body is not JSON.", hint='Send {"rows": [...], "options": {...}}.') from None
    return _validated(RowsBody, data, ("body",))


def _validated(model: type[M], data: Any, where: tuple[str, ...]) -> M:
    """`data` as `model`, or the 422 a body that does not validate gets."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise RequestValidationError([{**e, "loc": (*where, *e["loc"])} for e in exc.errors()]) from None


@router.post("/batches", status_code=201, openapi_extra=UPLOAD, responses=responses(401, 413, 422, 503))
async def quote(request: Request, response: Response, studio: StudioDep, who: Who) -> BatchView:
    """Quote a product feed: every row checked (its images fetched and checked as every reference is) and
    priced, or the reason it cannot be made. Nothing runs until POST /batches/{id}/confirm, so it takes no
    Idempotency-Key: a retried upload makes another quote, and nothing more."""
    origin = f"api:{who.user_id}"
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "application/json":
        body = await _rows(request)
        view = await studio.batches.quote_rows(who, body.rows, body.options.options(("body", "options")), origin=origin)
    elif kind == "multipart/form-data":
        data, name, options = await _form(request)
        view = await studio.batches.quote_file(who, data, name, options, origin=origin)
    else:
        raise InvalidRequest("Send the feed as multipart/form-data (the file as `file`), or the rows as JSON.",
                             hint='JSON: {"rows": [{"title": ..., "price": ..., "image_link": ...}], '
                             '"options": {...}}.')  # fmt: skip
    response.headers["Location"] = f"/api/batches/{view.id}"
    return view


@router.get("/batches", responses=SIGNED)
async def batches(studio: StudioDep, who: Who, limit: Annotated[int, Query(ge=1, le=200)] = 20) -> list[BatchView]:
    """The team's batches, newest first."""
    return await studio.batches.list(who, limit)


@router.get("/batches/{batch_id}", responses=FOUND)
async def batch(batch_id: BatchId, studio: StudioDep, who: Who) -> BatchView:
    """A batch: its quote (each row, what it says and shows, its price or why it cannot be made), then its
    progress and each video's creative."""
    return await studio.batches.get(who, batch_id)


@router.post("/batches/{batch_id}/confirm", status_code=202,
             responses=responses(401, 402, 403, 404, 409, 422, 503))  # fmt: skip
async def confirm(batch_id: BatchId, studio: StudioDep, who: Who) -> BatchView:
    """Start every video of a quoted batch (the person who asked for it, or an admin); its price is reserved
    against the budgets first (402, and nothing starts, when it would pass one). Confirming again changes
    nothing."""
    if (await studio.batches.get(who, batch_id)).status == "canceled":
        raise HTTPException(409, "This batch was stopped: send the feed again for a new quote.")
    return await studio.batches.confirm(who, batch_id)


@router.post("/batches/{batch_id}/cancel", responses=responses(401, 403, 404, 409, 422, 503))
async def cancel(batch_id: BatchId, studio: StudioDep, who: Who) -> BatchView:
    """Withdraw a quoted batch, or stop a running one (the person who asked for it, or an admin): the videos not
    finished are canceled; those ready stay in the library."""
    if (await studio.batches.get(who, batch_id)).status == "done":
        raise HTTPException(409, "This batch has already finished.")
    return await studio.batches.cancel(who, batch_id)
