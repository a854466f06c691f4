"""What a message that brings a product feed asks of its batch, read as a single request's words are read
(tools/brief through the facade: "10 s", "vertical", a model or template by name, "for the spring sale campaign"),
plus what only a batch asks: every format ("all formats"), or the formats of several channels named ("for TikTok and
YouTube"). What the words leave unsaid comes from the chat settings, as for a single video."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from chat.planner import asks_every_format
from tools.studio import channels_in
from tools.studio.brief import read_options
from tools.studio.types import CHANNEL_FORMATS, BatchOptions, InvalidRequest

BRIEF_CHARS: int = BatchOptions.model_json_schema()["properties"]["prompt"]["maxLength"]  # the batch's own cap


def read_batch(
    text: str,
    model_names: Sequence[str],
    defaults: Mapping[str, Any],
    aspects_of: Callable[[str | None], Sequence[str]],
) -> BatchOptions:
    """The batch's options from the message's words, the chat settings (`defaults`: model, aspect, duration_s,
    campaign) filling what they leave out. `aspects_of(model)` lists what a model makes (None: the default model),
    for "all formats". InvalidRequest for a duration that cannot be read, or a brief longer than a batch takes
    (refused here in words, not by the options' own check)."""
    said = read_options(text, model_names)
    if len(said.prompt) > BRIEF_CHARS:
        raise InvalidRequest(
            f"A batch's brief is at most {BRIEF_CHARS:,} characters; yours has {len(said.prompt):,}.",
            hint="Say in a sentence or two what every video should be (each row brings its own product's words), "
            "or leave the details to the feed's columns.",
        )
    if isinstance(said.duration_s, str):
        raise InvalidRequest(f"I could not read the duration '{said.duration_s}': write it like 8s or 8 seconds.")
    model = said.model or defaults.get("model")
    if asks_every_format(text):
        aspects = [a for a in CHANNEL_FORMATS if a in aspects_of(model)]  # as `studio.jobs.formats` fans out
    elif len(formats := list(dict.fromkeys(stated or channel.aspect for channel, stated in channels_in(text)))) > 1:
        aspects = formats  # "for TikTok and YouTube": one video per row in each
    else:
        aspect = said.aspect or defaults.get("aspect")
        aspects = [aspect] if aspect else []
    return BatchOptions(
        prompt=said.prompt,
        campaign=said.campaign or defaults.get("campaign"),
        template=said.template,
        model=model,
        aspects=aspects,
        duration_s=said.duration_s or defaults.get("duration_s"),
    )
