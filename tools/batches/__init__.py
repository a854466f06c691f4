"""Batches: a product feed (CSV, XLSX, a Google Merchant RSS/XML feed, or rows sent as JSON) made into one video
per row, or one per format asked for, quoted first and confirmed once (tools/studio/batches.py runs them).

`feed` reads a file into `FeedRow`s without trusting it (a cap on bytes before it is read whole, on rows, on
cells); `rows` says what a row cannot be made for, and turns a good row into the request of its video."""

from __future__ import annotations

from pydantic import BaseModel, Field, field_validator

from tools.channels import CHANNEL_FORMATS

MAX_ROWS = 500  # rows in one batch
MAX_FEED_BYTES = 10 * 1024 * 1024  # a feed file, refused before it is read whole past this


class FeedRow(BaseModel):
    """One product of a feed, its cells as written (trimmed), under Merchant's names: `title` is also read from
    `name`, `images` from `image_link`, `additional_image_link` and a plain `image`."""

    number: int  # as the user finds it: a spreadsheet's row (its header is row 1), a feed's item (from 1)
    id: str = ""
    title: str = ""
    description: str = ""
    price: str = ""
    sale_price: str = ""
    images: list[str] = Field(default_factory=list)  # URLs, or from the CLI paths relative to the file
    link: str = ""
    brand: str = ""
    headline: str = ""  # the words to show big, when not the title
    cta: str = ""


class BatchOptions(BaseModel):
    """What every row of a batch shares: the ask in the user's words and the choices they made."""

    prompt: str = Field(default="", max_length=1000)  # "a 10 s product video for each": each row's product added
    campaign: str | None = None
    template: str | None = None  # product-showcase unless told
    model: str | None = None
    aspects: list[str] = Field(default_factory=list)  # one video per row per format; none: the model's default
    duration_s: int | None = None

    @field_validator("aspects", mode="before")
    @classmethod
    def _formats(cls, given: object) -> object:
        """Formats as a list or comma lists ("9:16,1:1"), "all" meaning the four channel formats; each once."""
        if not isinstance(given, list | tuple | str):
            return given
        found: list[str] = []
        for part in (
            p.strip() for text in ([given] if isinstance(given, str) else given) for p in str(text).split(",")
        ):
            for aspect in CHANNEL_FORMATS if part.lower() == "all" else (part,) if part else ():
                if aspect not in found:
                    found.append(aspect)
        return found


class Item(BaseModel):
    """One video a row makes: its checked request (a `JobSpec`, as stored on a job), its price, and its job once
    the batch is confirmed."""

    aspect: str
    model: str
    spec: dict[str, object]
    estimated_cost_usd: float
    notice: str | None = None
    job_id: str | None = None
