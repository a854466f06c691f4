"""Product feeds for tests: N products with distinct words, written as CSV, XLSX or a Google Merchant RSS feed, and
their photos as PNGs (a coloured shape with the row's big number, so a contact sheet shows which video is which),
served on loopback by `ScriptedHTTPServer`.

    with ScriptedHTTPServer() as server:
        rows = products(4, image=serve_photos(server, 4))   # dicts keyed by Merchant's column names
        data = csv_bytes(rows)                              # or xlsx_bytes(rows), merchant_rss(rows)
        feed = read_feed(data, "feed.csv")

A row's cells are text as a feed holds them: `additional_image_link` comma-separated (repeated elements in the
RSS). The photos are fetched through the references' guard: a test allows 127.0.0.1 in the settings
(`url_allowed_hosts`) as the other URL tests do.

`must_show_csv` is the issue's 12-row CSV with three bad rows (`MUST_SHOW_BAD`: their spreadsheet row numbers
and what is wrong).
"""

from __future__ import annotations

import colorsys
import csv
import io
from collections.abc import Callable, Mapping, Sequence
from xml.sax.saxutils import escape

from PIL import Image, ImageDraw, ImageFont

from tests.fakes.http_server import Reply, ScriptedHTTPServer

COLUMNS = ("id", "title", "description", "price", "sale_price", "image_link", "additional_image_link", "link",
           "brand", "cta")  # fmt: skip
_KINDS = ("Trail Runner", "Canvas Tote", "Desk Lamp", "Travel Mug", "Wool Beanie", "Rain Jacket", "Yoga Mat",
          "Water Bottle", "Sun Hat", "Day Pack", "Bike Light", "Chef Knife")  # fmt: skip
_BRANDS = ("Aurora", "Lumen", "Northway", "Kettle & Co")
_CTAS = ("Shop now", "Buy now", "Order today", "Get yours")
_SHAPES = ("circle", "square", "triangle", "diamond")

ImageFor = Callable[[int], str]  # a product's number (from 1) -> its image_link


def products(count: int, *, image: ImageFor | None = None, sale_every: int = 2) -> list[dict[str, str]]:
    """`count` products, numbered from 1: distinct titles ("Trail Runner 1"), prices (19.99 USD up), a sale price
    on every `sale_every`-th, one of four brands and CTAs, a link on shop.example, and `image(n)` as the image
    (default: https://img.example/n.png, which no test fetches)."""
    rows = []
    for n in range(1, count + 1):
        price = 19.99 + 10 * (n - 1)
        rows.append({
            "id": f"SKU-{n:03d}",
            "title": f"{_KINDS[(n - 1) % len(_KINDS)]} {n}",
            "description": f"A sturdy everyday pick, number {n} of the range.",
            "price": f"{price:.2f} USD",
            "sale_price": f"{price - 5:.2f} USD" if sale_every and n % sale_every == 0 else "",
            "image_link": image(n) if image else f"https://img.example/{n}.png",
            "additional_image_link": "",
            "link": f"https://shop.example/p/{n}",
            "brand": _BRANDS[(n - 1) % len(_BRANDS)],
            "cta": _CTAS[(n - 1) % len(_CTAS)],
        })  # fmt: skip
    return rows


def csv_bytes(rows: Sequence[dict[str, str]], *, delimiter: str = ",", encoding: str = "utf-8",
              columns: Sequence[str] | None = None) -> bytes:  # fmt: skip
    """The rows as a CSV file (header first), in `encoding` ("utf-8-sig" for Excel's BOM, "cp1252")."""
    out = io.StringIO(newline="")
    names = list(columns or _columns(rows))
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(names)
    writer.writerows([r.get(c, "") for c in names] for r in rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows: Sequence[Mapping[str, object]], *, columns: Sequence[str] | None = None) -> bytes:
    """The rows as the first sheet of an XLSX workbook (openpyxl); a float cell is stored as a number."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    names = list(columns or _columns(rows))
    sheet.append(names)
    for row in rows:
        sheet.append([row.get(c, "") for c in names])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def merchant_rss(rows: Sequence[Mapping[str, str]]) -> bytes:
    """The rows as a Google Merchant RSS 2.0 feed: one <item> of g: elements each, additional_image_link repeated
    (one element per comma-separated link)."""
    items = []
    for row in rows:
        parts = []
        for column, value in row.items():
            values = [v.strip() for v in value.split(",")] if column == "additional_image_link" else [value]
            parts += [f"<g:{column}>{escape(v)}</g:{column}>" for v in values if v]
        items.append(f"<item>{''.join(parts)}</item>")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" xmlns:g="http://base.google.com/ns/1.0">'
        f"<channel><title>Test shop</title><link>https://shop.example</link>{''.join(items)}</channel></rss>"
    ).encode()


def product_png(n: int, size: int = 512) -> bytes:
    """Product `n`'s photo: a shape in a colour of its own on a light ground, with `n` in big digits."""
    hue = (n * 0.618034) % 1.0
    colour = tuple(int(c * 255) for c in colorsys.hsv_to_rgb(hue, 0.75, 0.85))
    img = Image.new("RGB", (size, size), (245, 242, 236))
    draw = ImageDraw.Draw(img)
    m, e = size // 8, size - size // 8
    shape = _SHAPES[(n - 1) % len(_SHAPES)]
    if shape == "circle":
        draw.ellipse((m, m, e, e), fill=colour)
    elif shape == "square":
        draw.rectangle((m, m, e, e), fill=colour)
    elif shape == "triangle":
        draw.polygon([(size // 2, m), (e, e), (m, e)], fill=colour)
    else:
        draw.polygon([(size // 2, m), (e, size // 2), (size // 2, e), (m, size // 2)], fill=colour)
    font = ImageFont.load_default(size=size // 3)
    draw.text((size // 2, size // 2 + size // 16), str(n), fill="white", font=font, anchor="mm",
              stroke_width=size // 64, stroke_fill="black")  # fmt: skip
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


def executable_png() -> bytes:
    """An executable renamed .png: an ELF header and no image (the references refuse it as not an image)."""
    return b"\x7fELF\x02\x01\x01" + bytes(57) + b"\0" * 256


def serve_photos(server: ScriptedHTTPServer, count: int) -> ImageFor:
    """Serve products 1..count's photos at /photos/<n>.png; the image_link of product n on that server."""
    for n in range(1, count + 1):
        server.route(f"/photos/{n}.png", Reply(body=product_png(n), content_type="image/png"))
    return lambda n: server.url(f"/photos/{n}.png")


# The must-show's bad rows: their spreadsheet row numbers (the header is row 1) and what is wrong.
MUST_SHOW_BAD = {4: "no title", 8: "price cheap", 11: "private image address"}
PRIVATE_IMAGE = "http://10.0.0.1/x.png"


def must_show_csv(image: ImageFor | None = None, *, bad_image: str = PRIVATE_IMAGE) -> bytes:
    """The issue's 12-row CSV: nine good products and three bad rows (`MUST_SHOW_BAD`): row 4 has no title, row 8
    the price "cheap", row 11 `bad_image` as its image (a private address; or serve `executable_png()` and give
    its link). The good rows' photos are `image(n)`, n the product's number (1-12)."""
    rows = products(12, image=image)
    rows[2]["title"] = ""
    rows[6]["price"] = "cheap"
    rows[9]["image_link"] = bad_image
    return csv_bytes(rows)


def _columns(rows: Sequence[Mapping[str, object]]) -> list[str]:
    return list(dict.fromkeys(c for r in rows for c in r)) or list(COLUMNS)
