"""Reading a product feed: CSV or TSV, XLSX (python-calamine), a Google Merchant RSS 2.0 / Atom feed with the `g:`
namespace (defusedxml), or rows sent as JSON; Merchant's column names and plain ones (`name`, `image`,
`headline`, `cta`).

A feed comes from outside, so nothing in it is trusted: its size is capped before it is read (a file on disk by
its size on disk), its rows at MAX_ROWS (reading stops at the next one), each cell at MAX_CELL_CHARS, characters
that cannot be stored are dropped, and XML with a DTD or entities is refused (a billion-laughs file). Numbers are
text as a person reads them: 19.9, never 19.900000000000002."""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from campaign.errors import InvalidRequest, TooLarge
from campaign.text import storable
from tools.batches import MAX_FEED_BYTES, MAX_ROWS, FeedRow

MAX_CELL_CHARS = 5000  # Merchant's longest field (description); a longer cell is cut here
MAX_XLSX_UNPACKED = 100 * 1024 * 1024  # an XLSX's sheet or shared strings unpacked (a zip bomb is refused)
MAX_SHEET_ROWS = 20_000  # how far down and right a sheet's cells may reach (calamine lays out the whole area)
MAX_SHEET_COLUMNS = 200
KINDS = "CSV, TSV, XLSX or a Google Merchant RSS/Atom XML feed"
# The columns we read, each under its FeedRow field (plain names beside Merchant's).
COLUMNS = {
    "id": "id", "title": "title", "name": "title", "description": "description", "price": "price",
    "sale_price": "sale_price", "image_link": "images", "image": "images", "additional_image_link": "images",
    "link": "link", "brand": "brand", "headline": "headline", "cta": "cta",
}  # fmt: skip
_READ = (
    "id, title (or name), description, price, sale_price, image_link (or image), additional_image_link, link, "
    "brand, headline, cta"
)
_SPREADSHEET = (".xlsx", ".xlsm")
_OTHER_SHEETS = (".xls", ".xlsb", ".ods", ".numbers")
_CSV = (".csv", ".tsv", ".txt")
_XML = (".xml", ".rss", ".atom")
_NUMBER_NOISE = 9  # decimals kept of a spreadsheet's number: 0.1+0.2 reads 0.3


def read_feed(data: bytes, name: str) -> list[FeedRow]:
    """The rows of a feed file called `name` (its suffix, else its first bytes, say which kind).

    Raises TooLarge past MAX_FEED_BYTES, InvalidRequest for a file that is no feed we read, has none of the
    columns we know (saying which it found and which we read), or has more than MAX_ROWS rows."""
    if len(data) > MAX_FEED_BYTES:
        raise _too_large(len(data))
    kind = _kind(data, name)
    if kind == "xml":
        return _rows(_xml_records(data))
    if kind == "sheet":
        return _table(_sheet_records(data))
    return _table(_csv_records(data, tab=name.lower().endswith(".tsv")))


def read_feed_file(path: Path, name: str | None = None) -> list[FeedRow]:
    """`read_feed` of a file on disk (called `name`, when it is an upload kept under another), refused by its
    size before it is read (TooLarge)."""
    name = name or path.name
    try:
        size = path.stat().st_size
        if size > MAX_FEED_BYTES:
            raise _too_large(size)
        if not path.is_file():
            raise InvalidRequest(f"{name} is not a file.", hint=f"Give the path of a {KINDS} file.")
        with path.open("rb") as fh:
            data = fh.read(MAX_FEED_BYTES + 1)  # a file that grew since: still refused by read_feed
    except FileNotFoundError:
        raise InvalidRequest(f"{name} was not found.", hint="Check the file's path and try again.") from None
    except OSError as exc:
        raise InvalidRequest(f"{name} could not be read.", hint="Check that it is a readable file.") from exc
    return read_feed(data, name)


def rows_of(items: list[dict[str, Any]]) -> list[FeedRow]:
    """Rows sent as JSON objects (the API), with the same column names as a file's; numbered from 1. Numbers are
    made text; an image column may be a list of links."""
    records: list[tuple[int, list[tuple[str, str]]]] = []
    for number, item in enumerate(items, 1):
        if number > MAX_ROWS:
            raise _too_many()
        if not isinstance(item, dict):
            raise InvalidRequest(f"Row {number} is not an object of columns.",
                                 hint='Send each row as {"title": ..., "price": ..., "image_link": ...}.')  # fmt: skip
        cells = []
        for key, value in item.items():
            values = value if isinstance(value, list) and _images_column(str(key)) else [value]
            cells += [(str(key), _text(v)) for v in values]
        records.append((number, cells))
    return _rows(records)


# --- kinds -------------------------------------------------------------------------------------------------


def _kind(data: bytes, name: str) -> str:
    suffix = Path(name).suffix.lower()
    if suffix in _SPREADSHEET:
        return "sheet"
    if suffix in _CSV:
        return "csv"
    if suffix in _XML:
        return "xml"
    head = data[:512]
    if suffix in _OTHER_SHEETS or head.startswith(b"\xd0\xcf\x11\xe0"):
        raise InvalidRequest(
            "Clapboard reads spreadsheets as XLSX.", hint="Save the file as XLSX or CSV and send it again."
        )
    if head.startswith(b"PK\x03\x04"):
        return "sheet"
    if head.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"<"):
        return "xml"
    if head and b"\0" not in head:
        return "csv"
    raise InvalidRequest(f"{_short(Path(name).name or 'The file')} is not a feed Clapboard reads.",
                         hint=f"Send a {KINDS} file.")  # fmt: skip


def _too_large(size: int) -> TooLarge:
    return TooLarge(
        f"The feed is {size / 1048576:.1f} MB; a feed may be at most {MAX_FEED_BYTES // 1048576} MB.",
        hint=f"Split it into files of at most {MAX_ROWS} rows, or leave out columns Clapboard does not read.",
    )


# --- tables: CSV and spreadsheets --------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    """UTF-8 (with or without its BOM), UTF-16 with a BOM (Excel's "Unicode text"), else Windows-1252."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _delimiter(text: str) -> str:
    """Comma, semicolon or tab: whichever the header line has most of (outside quotes), comma on a tie."""
    header = next((line for line in text.splitlines() if line.strip()), "")
    header = re.sub(r'"[^"]*"', "", header)
    return max((",", ";", "\t"), key=header.count)


def _csv_records(data: bytes, *, tab: bool) -> Iterator[tuple[int, list[str]]]:
    text = _decode(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter="\t" if tab else _delimiter(text))
    number = 0
    try:
        for number, record in enumerate(reader, 1):
            yield number, record
    except csv.Error:
        raise InvalidRequest(f"Row {number + 1} of the CSV cannot be read (a cell too long, or a quote left open).",
                             hint="Save the file again from your spreadsheet as CSV.") from None  # fmt: skip


def _sheet_records(data: bytes) -> Iterator[tuple[int, list[str]]]:
    """The first sheet's rows as text, numbered as the spreadsheet numbers them."""
    from python_calamine import CalamineWorkbook

    _check_sheet(data)
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = book.get_sheet_by_index(0)
        first = sheet.start[0] if sheet.start else 0
        rows = sheet.iter_rows()
    except Exception as exc:  # calamine raises its own kinds for a damaged file
        raise InvalidRequest("The spreadsheet cannot be read.", hint="Save it again as XLSX, or as CSV.") from exc
    for index, cells in enumerate(rows):
        yield first + index + 1, [_text(c) for c in cells]


def _check_sheet(data: bytes) -> None:
    """Refuse, before calamine sees it, an XLSX whose first sheet reaches past MAX_SHEET_ROWS or MAX_SHEET_COLUMNS
    (calamine lays out every cell up to the last one: one cell in XFD1048576 asks for 512 GB and aborts the
    process) or whose sheet or shared strings unpack to more than MAX_XLSX_UNPACKED (a zip bomb). Only XLSX (and
    XLSM) is read: other spreadsheets are saved as XLSX or CSV first."""
    damaged = InvalidRequest("The spreadsheet is not an XLSX file Clapboard can read.",
                             hint="Save it from your spreadsheet as XLSX (Excel workbook) or CSV.")  # fmt: skip
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as packed:
            sheet = _first_sheet(packed)
            if sheet is None:
                raise damaged
            rows, columns = _reach(packed, sheet)
            if "xl/sharedStrings.xml" in packed.namelist():
                _unpacked(packed, "xl/sharedStrings.xml")
    except (zipfile.BadZipFile, KeyError, ParseError, DefusedXmlException, EOFError):
        raise damaged from None
    if rows > MAX_SHEET_ROWS or columns > MAX_SHEET_COLUMNS:
        raise InvalidRequest(
            f"The spreadsheet's first sheet reaches row {rows:,} and column {columns:,}; Clapboard reads the first "
            f"{MAX_SHEET_ROWS:,} rows and {MAX_SHEET_COLUMNS} columns.",
            hint="Delete the cells below and right of the products (or copy the products to a new sheet).",
        )


def _first_sheet(packed: zipfile.ZipFile) -> str | None:
    """The zip member of the workbook's first sheet."""
    book = SafeET.fromstring(_unpacked(packed, "xl/workbook.xml"), forbid_dtd=True)
    first = next((e for e in book.iter() if _local(e.tag) == "sheet"), None)
    if first is None:
        return None
    rid = next((v for k, v in first.attrib.items() if _local(k) == "id"), "")
    rels = SafeET.fromstring(_unpacked(packed, "xl/_rels/workbook.xml.rels"), forbid_dtd=True)
    target = next((e.get("Target", "") for e in rels.iter() if e.get("Id") == rid), "")
    if not target:
        return None
    return target.lstrip("/") if target.startswith("/") else f"xl/{target}"


_TAG = re.compile(rb"<(?:\w+:)?(row|c)(?=[\s>/])([^>]*)>")
_REF = re.compile(rb"\sr=\"([A-Z]{0,3})(\d{1,7})\"")


def _reach(packed: zipfile.ZipFile, member: str) -> tuple[int, int]:
    """The last row and column the sheet's cells reach, read as it unpacks (at most MAX_XLSX_UNPACKED): each
    <row> and <c> at its `r`, or one past the last where it has none (as calamine places them)."""
    rows = columns = row = column = seen = 0
    carry = b""
    with packed.open(member) as part:
        while chunk := part.read(1 << 20):
            seen += len(chunk)
            if seen > MAX_XLSX_UNPACKED:
                raise _unpacks_too_much()
            text = carry + chunk
            cut = text.rfind(b"<")  # a tag cut by the chunk's end is read with the next chunk
            text, carry = (text[:cut], text[cut:]) if cut > 0 else (text, b"")
            for tag in _TAG.finditer(text):
                ref = _REF.search(tag.group(2))
                if tag.group(1) == b"row":
                    row, column = (int(ref.group(2)) if ref else row + 1), 0
                else:
                    column = _column_number(ref.group(1)) if ref and ref.group(1) else column + 1
                    row = int(ref.group(2)) if ref else row
                rows, columns = max(rows, row), max(columns, column)
    return rows, columns


def _column_number(letters: bytes) -> int:
    n = 0
    for c in letters:
        n = n * 26 + c - 64
    return n


def _unpacked(packed: zipfile.ZipFile, member: str) -> bytes:
    """A member's bytes, refused past MAX_XLSX_UNPACKED however large its header says it is."""
    with packed.open(member) as part:
        data = part.read(MAX_XLSX_UNPACKED + 1)
    if len(data) > MAX_XLSX_UNPACKED:
        raise _unpacks_too_much()
    return data


def _unpacks_too_much() -> TooLarge:
    return TooLarge(
        "The spreadsheet unpacks to more than Clapboard reads.",
        hint=f"Keep only the product rows (at most {MAX_ROWS}) and the columns it reads, or save it as CSV.",
    )


def _table(records: Iterable[tuple[int, list[str]]]) -> list[FeedRow]:
    """Rows under the first non-blank record, its header: blank rows skipped, their numbers kept."""
    header: list[str] | None = None
    out: list[tuple[int, list[tuple[str, str]]]] = []
    for number, record in records:
        if not any(c.strip() for c in record):
            continue
        if header is None:
            if len(record) > MAX_SHEET_COLUMNS:
                raise InvalidRequest(f"The feed has {len(record):,} columns; Clapboard reads feeds of at most "
                                     f"{MAX_SHEET_COLUMNS}.", hint=f"Keep the columns {_READ}.")  # fmt: skip
            header = record
            _check_columns(header)
            continue
        out.append((number, list(zip(header, record, strict=False))))
        if len(out) > MAX_ROWS:
            raise _too_many()
    if header is None:
        raise InvalidRequest("The feed is empty.", hint=f"Put the column names in its first row ({_READ}).")
    return _rows(out)


def _check_columns(found: list[str]) -> None:
    if any(_column(c) in COLUMNS for c in found):
        return
    names = [_short(c.strip(), 30) for c in found if c.strip()][:12]
    listed = ", ".join(names) + (", ..." if len(found) > len(names) else "")
    raise InvalidRequest(f"None of the feed's columns is one Clapboard reads: it has {listed or 'no names'}.",
                         hint=f"Name the columns {_READ} (the first row holds the names).")  # fmt: skip


def _too_many() -> InvalidRequest:
    return InvalidRequest(f"The feed has more than {MAX_ROWS} products; a batch takes at most {MAX_ROWS}.",
                          hint=f"Split it into files of at most {MAX_ROWS} rows.")  # fmt: skip


# --- XML: Merchant RSS 2.0 and Atom ------------------------------------------------------------------------


def _xml_records(data: bytes) -> list[tuple[int, list[tuple[str, str]]]]:
    """Each <item> (RSS) or <entry> (Atom), numbered from 1, as (column, text) pairs: its plain elements first,
    then its g: ones, so Merchant's win; Atom's <link href> (the page, not rel="self") and <summary> count as link
    and description."""
    try:
        root = SafeET.fromstring(data, forbid_dtd=True)
    except DefusedXmlException:
        raise InvalidRequest(
            "The XML feed declares a DTD or entities, which Clapboard does not read.",
            hint="Export the feed again without a DOCTYPE (Merchant feeds have none).",
        ) from None
    except ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else 0
        raise InvalidRequest(f"The XML feed is not well formed{f' (line {line})' if line else ''}.",
                             hint="Check the file, or export it again from your shop.") from None  # fmt: skip
    items = (e for e in root.iter() if _local(e.tag) in ("item", "entry"))
    records = []
    for number, item in enumerate(items, 1):
        if number > MAX_ROWS:
            raise _too_many()
        plain: list[tuple[str, str]] = []
        merchant: list[tuple[str, str]] = []
        for child in item:
            name, value = _local(child.tag), (child.text or "").strip()
            if name == "link" and not value:
                if child.get("rel", "alternate") != "alternate":
                    continue  # Atom's rel="self", "enclosure", ...: not the product's page
                value = child.get("href", "")
            name = "description" if name == "summary" else name
            (merchant if child.tag.startswith("{http://base.google.com/ns/") else plain).append((name, value))
        records.append((number, plain + merchant))
    if not records:
        raise InvalidRequest("The XML feed has no <item> or <entry>.",
                             hint="Send a Google Merchant RSS 2.0 or Atom feed, one <item> per product.")  # fmt: skip
    return records


def _local(tag: object) -> str:
    return str(tag).rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


# --- cells into rows ---------------------------------------------------------------------------------------


def _column(name: str) -> str:
    """A column's name as we read it: case aside, spaces and hyphens as underscores, Merchant's `g:` dropped."""
    name = re.sub(r"[\s-]+", "_", name.strip().lower())
    return name.removeprefix("g:")


def _images_column(name: str) -> bool:
    return COLUMNS.get(_column(name)) == "images"


def _rows(records: list[tuple[int, list[tuple[str, str]]]]) -> list[FeedRow]:
    if len(records) > MAX_ROWS:
        raise _too_many()
    if records and not any(_column(k) in COLUMNS for _, cells in records for k, _ in cells):
        _check_columns(list(dict.fromkeys(k for _, cells in records for k, _ in cells)))
    return [_row(number, cells) for number, cells in records if any(v.strip() for _, v in cells)]


def _row(number: int, cells: list[tuple[str, str]]) -> FeedRow:
    fields: dict[str, str] = {}
    first: list[str] = []
    more: list[str] = []
    for key, raw in cells:
        column = _column(key)
        field = COLUMNS.get(column)
        value = _cell(raw, keep_lines=field == "description")
        if not field or not value:
            continue
        if field == "images":
            links = [p.strip() for p in value.split(",")] if column == "additional_image_link" else [value]
            (more if column == "additional_image_link" else first).extend(x for x in links if x)
        elif column == "name" and fields.get("title"):
            continue  # title wins over name
        else:
            fields[field] = value
    return FeedRow(number=number, images=list(dict.fromkeys(first + more)), **fields)


def _cell(value: str, *, keep_lines: bool) -> str:
    """A cell trimmed, cut to MAX_CELL_CHARS, without characters that cannot be stored; its white space made
    single spaces unless it is a description."""
    value = value[: MAX_CELL_CHARS * 2]
    try:
        storable(value)
    except ValueError:
        value = "".join(c for c in value if _storable(c))
    value = value.strip() if keep_lines else " ".join(value.split())
    return value[:MAX_CELL_CHARS].strip()


def _storable(char: str) -> bool:
    try:
        storable(char)
    except ValueError:
        return False
    return True


def _text(value: object) -> str:
    """A cell's value as text: a number as a person writes it (19.9, 20; never 19.900000000000002), a date as
    ISO 8601, nothing for an empty cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return ""
        text = format(Decimal(repr(round(value, _NUMBER_NOISE))), "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    return ""


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
