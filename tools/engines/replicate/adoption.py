"""Adoption: a create has no idempotency key, so a prediction whose id was never recorded (the create's answer
lost, or its runner killed before the commit) is looked for among the account's recent predictions and taken
only when it is provably this job's.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

import httpx

from campaign.settings import Settings
from tools.catalog import ModelSpec
from tools.engines.base import RenderJob
from tools.engines.replicate.client import CLOCK_SKEW_S, LIST_PAGES, _is_url, _problem
from tools.engines.replicate.hooks import WEBHOOK_PATH, webhook_url

log = logging.getLogger(__name__)


class _Adoption:
    """Finding a prediction this job made but never recorded, and taking it instead of paying for another."""

    job: RenderJob
    spec: ModelSpec
    settings: Settings
    http: httpx.AsyncClient
    prediction_id: str | None
    _image_ids: dict[str, str | None]

    if TYPE_CHECKING:

        async def progress(self, fraction: float, message: str) -> None: ...

    async def adopt(self, inputs: dict[str, Any], since: datetime) -> dict[str, Any] | None:
        """The prediction an earlier run of this job made for these inputs but was cut off before recording
        (between Replicate's answer and the commit), now recorded on this job; None when there is none or it
        cannot be told apart from another job's (see `find_created`)."""
        found = await self.find_created(inputs, since - timedelta(seconds=CLOCK_SKEW_S))
        if found is not None:
            log.warning("job %s re-attached to prediction %s, which an earlier run made but never recorded (%s)",
                        self.job.job_id, self.prediction_id, found.get("status"))  # fmt: skip
            await self.progress(0.05, f"Following the earlier request to {self.spec.name} on Replicate")
        return found

    async def find_created(self, inputs: dict[str, Any], since: datetime) -> dict[str, Any] | None:
        """A prediction this job made after `since`, of this model with these inputs, that no other job holds,
        now recorded on this job; None when there is none. Creates have no idempotency key: a create whose
        answer was lost, or whose id a killed runner never recorded, is found this way instead of made again.

        Only a prediction provably this job's is taken. Another job with the same prompt may have one in flight
        with the same input, not yet recorded; taking that one would give two jobs one video. With webhooks, the
        webhook a prediction was made with names its job (Replicate echoes it; nothing else a create sends
        could). Without (no public URL), the input proves it only when no other job asked for the same prompt;
        otherwise none is looked for, and a new one is made."""
        hooked = webhook_url(self.settings, self.job.job_id) is not None
        if not hooked and self.job.prompt_shared:
            return None
        for item in await self._listed(since):
            pid = str(item.get("id") or "")
            if (
                pid
                and (self._made_by_this_job(item) if hooked else True)
                and item.get("model") == self.spec.slug
                and await self._same_input(item.get("input"), inputs)
                and await self._claim(pid)
            ):
                self.prediction_id = pid
                return item
        return None

    def _made_by_this_job(self, prediction: dict[str, Any]) -> bool:
        """Whether a prediction's webhook is this job's: our webhook path, with this job's id as its `job`. A
        listing that leaves the webhook out (Replicate's documented prediction object does not promise it)
        proves no more than the input does without webhooks: the prediction counts as this job's only when no
        other job asked for the same prompt."""
        hook = prediction.get("webhook")
        if not isinstance(hook, str):
            return not self.job.prompt_shared
        parts = urlsplit(hook)
        return parts.path.endswith(WEBHOOK_PATH) and parse_qs(parts.query).get("job") == [self.job.job_id]

    async def _listed(self, since: datetime) -> list[dict[str, Any]]:
        """The account's predictions created after `since`, newest first, following Replicate's pages."""
        url = "/v1/predictions"
        params: dict[str, str] | None = {"created_after": since.astimezone(UTC).isoformat().replace("+00:00", "Z")}
        found: list[dict[str, Any]] = []
        for _ in range(LIST_PAGES):
            try:
                resp = await self.http.get(url, params=params)
            except httpx.TransportError:
                break
            if resp.status_code != 200:
                break
            page = _problem(resp)
            found += [item for item in page.get("results") or [] if isinstance(item, dict)]
            following = page.get("next")
            if not isinstance(following, str) or urlsplit(following).hostname != self.http.base_url.host:
                break  # the last page (and the token goes to the API host only)
            url, params = following, None
        return found

    async def _same_input(self, theirs: Any, ours: dict[str, Any]) -> bool:
        """Whether a listed prediction's input is ours: the same values, and the same reference images even
        where each run gave Replicate its own URL for them (a new upload, a new signature)."""
        if not isinstance(theirs, dict) or theirs.keys() != ours.keys():
            return False
        urls: list[tuple[str, str]] = []
        for key, value in ours.items():
            if theirs[key] == value:
                continue
            mine, its = (v if isinstance(v, list) else [v] for v in (value, theirs[key]))
            if len(mine) != len(its) or not all(_is_url(u) for u in mine + its):
                return False
            urls += zip(mine, its, strict=True)
        for a, b in urls:
            image = await self._image_id(a)
            if image is None or image != await self._image_id(b):
                return False
        return True

    async def _image_id(self, url: str) -> str | None:
        """What names the image at a reference URL, whatever URL it was given under: a file uploaded to
        Replicate, its checksum; one in our storage, its URL without the query (our keys are content hashes)."""
        if url in self._image_ids:
            return self._image_ids[url]
        parts = urlsplit(url)
        uploaded = re.fullmatch(r"/v1/files/([^/]+)(/download)?", parts.path)
        image: str | None = f"{parts.scheme}://{parts.netloc}{parts.path}"
        if uploaded and parts.hostname == self.http.base_url.host:
            try:
                resp = await self.http.get(f"/v1/files/{uploaded.group(1)}")
            except httpx.TransportError:
                return None
            sha = (_problem(resp).get("checksums") or {}).get("sha256") if resp.status_code == 200 else None
            image = f"sha256:{sha}" if sha else None
        self._image_ids[url] = image
        return image

    async def _claim(self, prediction_id: str) -> bool:
        """Record a prediction found by its input on this job; False when another job holds it."""
        if self.job.adopt_prediction is not None:
            return await self.job.adopt_prediction(prediction_id)
        if self.job.record_prediction is not None:
            await self.job.record_prediction(prediction_id)
        return True
