"""What a front end reads from a message's words before a request exists (the offline planner's rules, the
CLI's prompt): the brief's options, the sound words asked (a first brief's and a change's alike) and the pieces the
planner's rules are made of. They are read in tools/brief, the one place the brief is read; the request's `Brief`
comes from `studio.jobs.brief_of`."""

from tools.brief import (
    FIELDS,
    OPTION,
    URL,
    Options,
    campaign_named,
    find_name,
    parse_aspect,
    parse_duration,
    read_options,
    split_features,
)
from tools.brief.sound import NO_VOICE, VOICE_OVER, sound_asked, speaks_of_voice, voice_meant, voice_names

__all__ = [
    "FIELDS",
    "NO_VOICE",
    "OPTION",
    "URL",
    "VOICE_OVER",
    "Options",
    "campaign_named",
    "find_name",
    "parse_aspect",
    "parse_duration",
    "read_options",
    "sound_asked",
    "speaks_of_voice",
    "split_features",
    "voice_meant",
    "voice_names",
]
