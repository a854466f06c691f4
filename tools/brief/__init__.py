"""The brief, read once per submission (`read_brief` gives a `Brief`): its words without instructions, the copy
on screen, the template, the key phrases, the options its words ask for and the title. Everything after submission
takes it from the `Brief`. The front ends read a message's options here (`read_options`, through the facade's
tools/studio/brief.py) into a request, whose `Brief` is then read once, with those options, at submission (the
agent reads it first, with `studio.jobs.brief_of`, and passes it on).

Modules: `brief` (the model and its reader), `copy` (AdCopy and the strict reading of copy), `llm` (the LLM
reader) and `check` (an LLM's copy held to the brief's words), `footage` (the words without the copy drawn over the
footage, for a hosted model), `instructions` (what is not the ad), `motion` (how the logo or product moves),
`options`, `phrases` (key phrases), `templates`, `titles`, `variations` (what a variation changes: its vocabulary).
"""

from tools.brief.brief import MAX_PROMPT_CHARS, Brief, read_brief
from tools.brief.check import Checked, Note, asked_to_write, check_copy, check_edit
from tools.brief.copy import FIELD, FIELD_NAMES, FIELDS, LABEL_FIELDS, AdCopy, read_copy, rewritten, split_features
from tools.brief.footage import drawn_lines, without_copy
from tools.brief.instructions import OPTION, URL, campaign_named
from tools.brief.llm import read_brief_llm, read_copy_llm
from tools.brief.motion import Motion, read_motion
from tools.brief.options import Options, find_name, parse_aspect, parse_duration, read_options
from tools.brief.phrases import key_phrases
from tools.brief.templates import (
    NO_TEXT,
    ORIENTATION,
    TEMPLATES,
    TITLE_SPACE,
    Template,
    aspect_for,
    footage_only,
    get_template,
    shape_of,
)
from tools.brief.titles import TITLE_CHARS, TITLE_MAX, clean_title, download_name

__all__ = [
    "FIELD",
    "FIELDS",
    "FIELD_NAMES",
    "LABEL_FIELDS",
    "MAX_PROMPT_CHARS",
    "NO_TEXT",
    "OPTION",
    "ORIENTATION",
    "TEMPLATES",
    "TITLE_CHARS",
    "TITLE_MAX",
    "TITLE_SPACE",
    "URL",
    "AdCopy",
    "Brief",
    "Checked",
    "Motion",
    "Note",
    "Options",
    "Template",
    "aspect_for",
    "asked_to_write",
    "check_copy",
    "check_edit",
    "campaign_named",
    "clean_title",
    "download_name",
    "drawn_lines",
    "footage_only",
    "find_name",
    "get_template",
    "key_phrases",
    "parse_aspect",
    "parse_duration",
    "read_brief",
    "read_brief_llm",
    "read_copy",
    "read_copy_llm",
    "read_motion",
    "rewritten",
    "read_options",
    "shape_of",
    "split_features",
    "without_copy",
]
