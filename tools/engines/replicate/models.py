"""Replicate's models as catalog entries: the data in `models.json`, and what a hosted model adds to the
catalog's checks (its references go to input fields, first and last frame or subject images, and its options
follow cross-option rules)."""

from __future__ import annotations

import json
from collections.abc import Callable
from importlib import resources
from typing import ClassVar

from pydantic import model_validator

from campaign.errors import InvalidRequest
from tools.catalog import ModelSpec, RefRole


class ReplicateModel(ModelSpec):
    """A model hosted on Replicate, rendered from its slug."""

    hosted: ClassVar[bool] = True

    @model_validator(mode="after")
    def _reference_summary(self) -> ReplicateModel:
        self.max_references = self.frame_slots
        if self.inputs.subject:
            self.max_references = max(self.max_references, self.refs.subject_max)
        if (
            self.inputs.subject
            and self.refs.subject_max
            and (self.refs.prefer == "subject" or not self.inputs.first_frame)
        ):
            self.reference_use = "subject"
        elif self.inputs.first_frame:
            self.reference_use = "first_frame"
        else:
            self.reference_use = "none"
        return self

    def check_references(
        self,
        references: int,
        *,
        duration_s: int,
        aspect: str,
        resolution: str,
        audio: bool,
        prefer: str | None,
        others: Callable[[], str],
    ) -> list[RefRole]:
        try:
            roles = self.reference_roles(references, aspect=aspect, duration_s=duration_s, prefer=prefer)
            self.check_constraints(
                {
                    "duration": duration_s,
                    "aspect": aspect,
                    "resolution": resolution,
                    "audio": audio,
                    "first_frame": "first_frame" in roles,
                }
            )
        except InvalidRequest as exc:
            raise InvalidRequest(exc.message, hint=f"{exc.hint}{others()}".strip()) from None
        return roles


def builtin_models() -> list[ReplicateModel]:
    """The Replicate models as shipped in `models.json`, in file order."""
    entry = resources.files(__package__) / "models.json"
    data = json.loads(entry.read_text(encoding="utf-8"))
    return [ReplicateModel.model_validate({"provider": "replicate", **item}) for item in data.get("models", [])]
