"""A render's input on Replicate: the model's field names, first and last frames fitted to the output size
(`tools.references.fit`), and a URL Replicate can read for each reference (the storage's own URL on S3, else an
upload to `POST /v1/files`).
"""

from __future__ import annotations

import io
import logging
import os
from typing import TYPE_CHECKING, Any

import httpx
import replicate
from replicate.exceptions import ReplicateError

from campaign.errors import ClapboardError, InvalidRequest, ProviderFailed, ProviderUnreachable, StorageFailed
from campaign.settings import Settings
from campaign.storage import BlobStorage, read_all
from tools.catalog import ModelSpec
from tools.engines.base import Reference, RenderJob
from tools.engines.replicate.client import _NO_CONNECTION, UPLOAD_ATTEMPTS, Sleep, parse_duration_s
from tools.retry import Transient, retrying

log = logging.getLogger(__name__)


class _Inputs:
    """A render's input for its model: our values under the model's field names, references as URLs."""

    job: RenderJob
    spec: ModelSpec
    settings: Settings
    storage: BlobStorage
    client: replicate.Client
    sleep: Sleep

    if TYPE_CHECKING:

        async def progress(self, fraction: float, message: str) -> None: ...

        def api_error(self, resp: httpx.Response, *, during: str) -> ClapboardError: ...

        def error_for(self, code: int, problem: dict[str, Any], *, during: str) -> ClapboardError: ...

    async def inputs(self) -> dict[str, Any]:
        """The model's input: our values under its field names, references as URLs it can read."""
        job, spec = self.job, self.spec
        names = spec.inputs
        roles = spec.reference_roles(len(job.references), aspect=job.aspect, duration_s=job.duration_s)
        data: dict[str, Any] = dict(spec.fixed_input)
        prompt = job.prompt or job.brief
        if names.duration:
            data[names.duration] = int(job.duration_s)
        if names.aspect:
            data[names.aspect] = spec.model_value("aspect", job.aspect)
        if names.resolution:
            data[names.resolution] = spec.model_value("resolution", job.resolution)
        if names.audio:
            data[names.audio] = bool(spec.effective_audio(job.audio))
        subjects: list[str] = []
        if job.references:
            await self.progress(0.01, "Preparing the reference images for Replicate")
        for ref, role in zip(job.references, roles, strict=True):
            if role in ("first_frame", "last_frame") and spec.refs.first_frame_fit:
                ref = await self.fit(ref)
            url = await self.reference_url(ref)
            if role == "first_frame" and names.first_frame:
                data[names.first_frame] = url
            elif role == "last_frame" and names.last_frame:
                data[names.last_frame] = url
            else:
                subjects.append(url)
        if subjects and names.subject:
            data[names.subject] = subjects
            token = spec.refs.subject_token
            if token:
                tags = [token.format(n=i + 1) for i in range(len(subjects))]
                if not any(t in prompt for t in tags):
                    prompt = f"{prompt.rstrip()}\nReference images: {', '.join(tags)}."
        data[names.prompt] = prompt
        return data

    async def fit(self, ref: Reference) -> Reference:
        from tools.references import fit

        try:
            return await fit(self.storage, ref, self.job.width, self.job.height, self.settings.reference_fit)
        except ClapboardError:
            raise
        except (OSError, ValueError) as exc:
            raise StorageFailed(
                "A reference image could not be fitted to the video's frame.", hint="Try another image."
            ) from exc

    async def reference_url(self, ref: Reference) -> str:
        """A URL Replicate can read: the storage's own on S3, else an upload to Replicate's files API."""
        storage = self.storage
        if storage.local_path(ref.key) is None:
            cap = parse_duration_s(self.settings.replicate_cancel_after) or 1800.0
            return storage.url(ref.key, expires_s=int(max(self.settings.url_expiry_s, cap + 900)))
        data = await read_all(storage, ref.key)
        ext = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp"}.get(ref.content_type, "bin")
        name = f"reference-{os.path.basename(ref.key).rsplit('.', 1)[0][:40]}.{ext}"
        try:
            async for attempt in retrying(UPLOAD_ATTEMPTS, base_s=0.5, sleep=self.sleep):
                with attempt:
                    uploaded = await self._upload(data, name, ref.content_type)
        except Transient as exc:
            if exc.response is not None:
                raise self.api_error(exc.response, during="uploading a reference image") from exc
            if isinstance(exc.__cause__, _NO_CONNECTION):
                raise ProviderUnreachable("Replicate") from exc
            raise ProviderFailed(
                "A reference image could not be uploaded to Replicate.", hint="Try again in a moment."
            ) from exc
        url = (uploaded.urls or {}).get("get")
        if not url:
            raise ProviderFailed("Replicate accepted a reference image but gave no URL for it.")
        return url

    async def _upload(self, data: bytes, name: str, content_type: str) -> Any:
        """One upload through the client's files API; 429, 5xx and network errors are Transient."""
        try:
            return await self.client.files.async_create(
                io.BytesIO(data), filename=name, content_type=content_type, metadata={"clapboard_job": self.job.job_id}
            )
        except httpx.TransportError as exc:
            raise Transient(type(exc).__name__) from exc
        except ReplicateError as exc:
            status = exc.status or 500
            if status == 429 or status >= 500:
                raise Transient(f"HTTP {status}") from exc
            if status == 413:
                raise InvalidRequest(
                    "A reference image is too large for Replicate (100 MB at most).", hint="Use a smaller image."
                ) from exc
            raise self.error_for(status, {"detail": exc.detail, "title": exc.title},
                                 during="uploading a reference image") from exc  # fmt: skip
