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
from tools.studio.types import BatchOptions, InvalidRequest

# The channel formats an "all formats" batch makes (those its model offers), as `studio.jobs.formats` fans a video
# out; tools/studio/jobs.py's CHANNEL_FORMATS, which the facade does not export.
EVERY_FORMAT = ("9:16", "1:1", "4:5", "16:9")


def read_batch(
    text: str,
    model_names: Sequence[str],
    defaults: Mapping[str, Any],
    aspects_of: Callable[[str | None], Sequence[str]],
) -> BatchOptions:
    """The batch's options from the message's words, the chat settings (`defaults`: model, aspect, duration_s,
    campaign) filling what they leave out. `aspects_of(model)` lists what a model makes (None: the default model),
    for "all formats". InvalidRequest for a duration that cannot be read."""
    said = read_options(text, model_names)
    if isinstance(said.duration_s, str):
        raise InvalidRequest(f"I could not read the duration '{said.duration_s}': write it like 8s or 8 seconds.")
    model = said.model or defaults.get("model")
    if asks_every_format(text):
        aspects = [a for a in EVERY_FORMAT if a in aspects_of(model)]
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
