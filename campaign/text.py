"""Text we store: no NUL or other control characters (PostgreSQL refuses NUL) and no lone surrogates (they are
not UTF-8), refused where the text comes in rather than failing a job or a response later."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator

_UNSTORABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def storable(value: str) -> str:
    if _UNSTORABLE.search(value):
        raise ValueError("The text has characters that cannot be stored (control characters or broken Unicode).")
    return value


StorableText = Annotated[str, AfterValidator(storable)]
