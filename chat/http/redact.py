"""Review tokens never reach a log: whoever logs (uvicorn's access log, an error's traceback, our own modules), the
path `/review/<token>...` is written `/review/…/...`.

The token is the whole permission of a review link, and logs are read by more people, kept longer and shipped
further than the database. Redacting where each record is made (the log record factory) covers every logger and
handler in the process, including those configured after us (uvicorn's dictConfig) and propagation-free ones
(uvicorn.access); a filter on one handler would miss the rest."""

from __future__ import annotations

import logging
import re
from typing import Any

_TOKEN = re.compile(r"(/review/)(?!assets/)[^/\s?#\"'<>]+")
_installed = False


def redacted(text: str) -> str:
    return _TOKEN.sub(r"\1…", text)


def redact_review_tokens() -> None:
    """Make every log record of this process without review tokens (once per process)."""
    global _installed
    if _installed:
        return
    made = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = made(*args, **kwargs)
        _redact(record)
        return record

    logging.setLogRecordFactory(factory)
    _installed = True


def _redact(record: logging.LogRecord) -> None:
    if isinstance(record.msg, str):
        record.msg = redacted(record.msg)
    if isinstance(record.args, tuple):
        record.args = tuple(_value(a) for a in record.args)
    elif isinstance(record.args, dict):
        record.args = {k: _value(v) for k, v in record.args.items()}
    if record.exc_info and record.exc_info[0] is not None:  # formatted now, as handlers would, then redacted
        record.exc_text = redacted(logging.Formatter().formatException(record.exc_info))


def _value(value: Any) -> Any:
    if isinstance(value, str):
        return redacted(value)
    if isinstance(value, int | float | bool) or value is None:
        return value
    shown = str(value)
    return redacted(shown) if "/review/" in shown else value
