"""Text we store: no NUL or other control characters, C1 included (PostgreSQL refuses NUL; the others move
cursors or vanish on screen), no Unicode noncharacters (reserved, never text) and no lone surrogates (they are
not UTF-8), refused where the text comes in rather than failing a job or a response later. The JSON schema says
so too (a `pattern`), so API clients and contract tests know what is accepted."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

# Noncharacters: U+FDD0-U+FDEF and the last two code points of every plane, the astral ones as the characters
# themselves (a JSON schema pattern and Python's re both read them so; neither reads the other's escape).
_NONCHARACTERS = "\ufdd0-\ufdef" + "".join(
    chr(plane | 0xFFFE) + chr(plane | 0xFFFF) for plane in range(0, 0x110000, 0x10000)
)
_CONTROL = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f" + _NONCHARACTERS
_UNSTORABLE = re.compile(rf"[{_CONTROL}\ud800-\udfff]")
STORABLE_PATTERN = rf"^[^{_CONTROL}]*$"
# Some text after trimming: a character that is neither a control character nor white space (str.strip's).
WORDS_PATTERN = rf"^[^{_CONTROL}]*[^\s{_CONTROL}][^{_CONTROL}]*$"


def storable(value: str) -> str:
    if _UNSTORABLE.search(value):
        raise ValueError(
            "The text has characters that cannot be stored (control characters, noncharacters or broken Unicode)."
        )
    return value


def unstorable_removed(value: str) -> str:
    """The text without what `storable` refuses (what a person without an account types is cleaned, not refused)."""
    return _UNSTORABLE.sub("", value)


class _Documented:
    """Puts a pattern in the field's JSON schema (the check itself is `storable`'s, with a readable message)."""

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern

    def __get_pydantic_json_schema__(self, schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        found: dict[str, Any] = handler(schema)
        return {**found, "pattern": self.pattern}


StorableText = Annotated[str, AfterValidator(storable), _Documented(STORABLE_PATTERN)]
Words = Annotated[str, AfterValidator(storable), _Documented(WORDS_PATTERN)]
"""Storable text that must say something once trimmed (names, titles, prompts)."""
REFERENCE_PATTERN = rf"^(refs/|[hH][tT][tT][pP][sS]?://)[^{_CONTROL}]*$"
ReferenceSource = Annotated[str, AfterValidator(storable), _Documented(REFERENCE_PATTERN)]
"""A reference image as the API takes it: a stored key (refs/...) or an http(s) URL (the submission checks it)."""
