"""Reference images: `POST /references` (checked by their bytes, read only after the token checks out)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from chat.http.deps import StudioDep, Who
from chat.http.problems import responses
from chat.http.uploads import read_upload

router = APIRouter()

REFERENCE_UPLOAD: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary", "minLength": 1}},
                }
            }
        },
    }
}


@router.post("/references", status_code=201, openapi_extra=REFERENCE_UPLOAD, responses=responses(401, 413, 422, 503))
async def upload_reference(request: Request, studio: StudioDep, who: Who) -> dict[str, Any]:
    """Store a reference image (checked by its bytes); pass the returned key in `references`. The body is read
    only once the token checks out, and never past the size limit."""
    data, name = await read_upload(request, studio.files.reference_max_bytes)
    ref = await studio.files.add_reference(who, data=data, name=name)
    return {"key": ref.key, "width": ref.width, "height": ref.height, "content_type": ref.content_type}
