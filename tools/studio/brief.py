"""What a front end reads from a message's words before a request exists (the offline planner's rules, the
CLI's prompt): the brief's options and the pieces the planner's rules are made of. They are read in tools/brief,
the one place the brief is read; the request's `Brief` comes from `studio.jobs.brief_of`."""

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

__all__ = [
    "FIELDS",
    "OPTION",
    "URL",
    "Options",
    "campaign_named",
    "find_name",
    "parse_aspect",
    "parse_duration",
    "read_options",
    "split_features",
]
