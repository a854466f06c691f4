"""Reading product feeds: every format, the header's spellings, the caps, and files that are not what they say."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from PIL import Image

from campaign.errors import InvalidRequest, TooLarge
from tests.fakes.feeds import csv_bytes, merchant_rss, must_show_csv, products, serve_photos, xlsx_bytes
from tests.fakes.http_server import ScriptedHTTPServer
from tools.batches import MAX_FEED_BYTES, MAX_ROWS, FeedRow
from tools.batches.feed import MAX_CELL_CHARS, read_feed, read_feed_file, rows_of

TWO = products(2)


def _first(rows: list[FeedRow]) -> FeedRow:
    assert rows
    return rows[0]


@pytest.mark.parametrize(
    ("data", "name", "first_number"),
    [
        (csv_bytes(TWO), "feed.csv", 2),
        (csv_bytes(TWO, delimiter="\t"), "feed.tsv", 2),
        (xlsx_bytes(TWO), "feed.xlsx", 2),
        (merchant_rss(TWO), "feed.xml", 1),
    ],
)
def test_every_format_gives_the_same_products(data: bytes, name: str, first_number: int) -> None:
    rows = read_feed(data, name)
    assert [r.title for r in rows] == ["Trail Runner 1", "Canvas Tote 2"]
    assert [r.number for r in rows] == [first_number, first_number + 1]
    first = rows[0]
    assert (first.id, first.price, first.sale_price, first.brand, first.cta) == (
        "SKU-001", "19.99 USD", "", "Aurora", "Shop now")  # fmt: skip
    assert first.images == ["https://img.example/1.png"]
    assert first.link == "https://shop.example/p/1"
    assert rows[1].sale_price == "24.99 USD"


@pytest.mark.parametrize("data", [csv_bytes(TWO), xlsx_bytes(TWO), merchant_rss(TWO)])
def test_the_kind_is_read_from_the_first_bytes_when_the_name_does_not_say(data: bytes) -> None:
    assert [r.title for r in read_feed(data, "upload")] == ["Trail Runner 1", "Canvas Tote 2"]


def test_header_spellings_plain_names_and_unknown_columns() -> None:
    data = (
        b"G:ID;Name;Image Link;Additional-Image-Link;HEADLINE;cta;Sale Price;Colour\n"
        b"7;Lumen lamp;https://i.example/a.png;https://i.example/b.png, https://i.example/c.png;Light, anywhere;"
        b"Buy now;15,00 EUR;red\n"
    )
    row = _first(read_feed(data, "lamps.csv"))
    assert (row.id, row.title, row.headline, row.cta, row.sale_price) == (
        "7", "Lumen lamp", "Light, anywhere", "Buy now", "15,00 EUR")  # fmt: skip
    assert row.images == ["https://i.example/a.png", "https://i.example/b.png", "https://i.example/c.png"]
    assert "red" not in row.model_dump_json()


def test_a_plain_image_column_and_title_before_name() -> None:
    data = b"title,name,image\nThe title,The name,https://i.example/x.png\n,Only a name,\n"
    rows = read_feed(data, "f.csv")
    assert [r.title for r in rows] == ["The title", "Only a name"]
    assert rows[0].images == ["https://i.example/x.png"]


def test_blank_rows_are_skipped_and_numbers_stay_the_spreadsheets() -> None:
    data = b"title,price\nA,1\n\n,,\nB,2\n"
    assert [(r.number, r.title) for r in read_feed(data, "f.csv")] == [(2, "A"), (5, "B")]


def test_a_utf8_bom_and_a_windows_1252_csv() -> None:
    rows = [{"title": "Café crème", "price": "3,50 €"}]
    for encoding in ("utf-8-sig", "cp1252"):
        row = _first(read_feed(csv_bytes(rows, encoding=encoding, delimiter=";"), "f.csv"))
        assert (row.title, row.price) == ("Café crème", "3,50 €")


def test_a_semicolon_csv_with_commas_in_its_cells() -> None:
    data = b'title;price;description\n"Tote, canvas";19,99 \xe2\x82\xac;Big; roomy\n'
    row = _first(read_feed(data, "f.csv"))
    assert (row.title, row.price) == ("Tote, canvas", "19,99 €")


def test_xlsx_numbers_read_as_written() -> None:
    data = xlsx_bytes(
        [
            {"id": 1234, "title": "Mug", "price": 19.9, "sale_price": 0.1 + 0.2},
            {"id": 5, "title": "Cup", "price": 20.0, "sale_price": 1e16},
        ]
    )
    rows = read_feed(data, "f.xlsx")
    assert [(r.id, r.price, r.sale_price) for r in rows] == [
        ("1234", "19.9", "0.3"), ("5", "20", "10000000000000000")]  # fmt: skip


def test_merchant_rss_with_repeated_additional_images_and_plain_rss_names() -> None:
    rows = products(1)
    rows[0]["additional_image_link"] = "https://img.example/b.png,https://img.example/c.png"
    row = _first(read_feed(merchant_rss(rows), "feed.xml"))
    assert row.images == ["https://img.example/1.png", "https://img.example/b.png", "https://img.example/c.png"]
    plain = b"""<rss version="2.0"><channel><item><title>Plain lamp</title><link>https://shop.example/l</link>
        <description>Warm light.</description></item></channel></rss>"""
    row = _first(read_feed(plain, "f.rss"))
    assert (row.number, row.title, row.link, row.description) == (1, "Plain lamp", "https://shop.example/l",
                                                                   "Warm light.")  # fmt: skip


def test_an_atom_feed_with_g_elements_over_atoms_own() -> None:
    data = b"""<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"
        xmlns:g="http://base.google.com/ns/1.0"><title>Shop</title>
        <entry><id>tag:shop,1</id><g:id>SKU-9</g:id><title>Atom tent</title>
        <link href="https://shop.example/t"/><link rel="self" href="https://x.example/f"/>
        <summary>Sleeps two.</summary><g:price>199.00 USD</g:price><g:image_link>https://i.example/t.png</g:image_link>
        </entry></feed>"""
    row = _first(read_feed(data, "feed.atom"))
    assert (row.id, row.title, row.link, row.description, row.price, row.images) == (
        "SKU-9",
        "Atom tent",
        "https://shop.example/t",
        "Sleeps two.",
        "199.00 USD",
        ["https://i.example/t.png"],
    )


def test_a_billion_laughs_xml_is_refused_clearly() -> None:
    lol = b"""<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">
        <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
        <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
        <rss><channel><item><title>&lol3;</title></item></channel></rss>"""
    with pytest.raises(InvalidRequest, match="DTD or entities") as caught:
        read_feed(lol, "feed.xml")
    assert "DOCTYPE" in str(caught.value)


def test_broken_xml_names_its_line() -> None:
    with pytest.raises(InvalidRequest, match=r"not well formed \(line 2\)"):
        read_feed(b"<rss><channel>\n<item><title>x</item></channel></rss>", "feed.xml")


def test_too_large_is_refused_before_reading(tmp_path: Path) -> None:
    with pytest.raises(TooLarge, match="at most 10 MB"):
        read_feed(b"x" * (MAX_FEED_BYTES + 1), "big.csv")
    sparse = tmp_path / "big.csv"
    with sparse.open("wb") as fh:
        fh.truncate(MAX_FEED_BYTES + 1)  # no data written: reading it whole would take 10 MB of zeros
    sparse.chmod(0o000)  # and it cannot be read: refused by its size alone
    try:
        with pytest.raises(TooLarge, match="Split it"):
            read_feed_file(sparse)
    finally:
        sparse.chmod(0o600)


def test_a_file_on_disk_and_one_that_is_missing(tmp_path: Path) -> None:
    path = tmp_path / "feed.csv"
    path.write_bytes(csv_bytes(TWO))
    assert [r.title for r in read_feed_file(path)] == ["Trail Runner 1", "Canvas Tote 2"]
    with pytest.raises(InvalidRequest, match="nope.csv was not found") as caught:
        read_feed_file(tmp_path / "nope.csv")
    assert str(tmp_path) not in str(caught.value)


@pytest.mark.parametrize("kind", ["csv", "xlsx", "xml"])
def test_more_than_max_rows_is_refused(kind: str) -> None:
    rows = products(MAX_ROWS + 1)
    writers: dict[str, Callable[[list[dict[str, str]]], bytes]] = {
        "csv": csv_bytes, "xlsx": xlsx_bytes, "xml": merchant_rss}  # fmt: skip
    write = writers[kind]
    with pytest.raises(InvalidRequest, match=f"more than {MAX_ROWS} products") as caught:
        read_feed(write(rows), f"feed.{kind}")
    assert "Split it" in str(caught.value)
    assert len(read_feed(write(rows[:MAX_ROWS]), f"feed.{kind}")) == MAX_ROWS


def test_a_file_with_none_of_our_columns_names_both() -> None:
    with pytest.raises(InvalidRequest) as caught:
        read_feed(b"Produkt,Preis,Bild\nLampe,10,x\n", "f.csv")
    said = str(caught.value)
    assert "it has Produkt, Preis, Bild" in said
    assert "title (or name)" in said and "image_link" in said


def test_a_huge_header_is_not_echoed() -> None:
    header = ",".join(f"column{'x' * 500}{i}" for i in range(200))
    with pytest.raises(InvalidRequest) as caught:
        read_feed(f"{header}\n1\n".encode(), "f.csv")
    assert len(str(caught.value)) < 1000


@pytest.mark.parametrize(("data", "name"), [(b"%PDF-1.7\x00\x01", "brochure.pdf"), (b"\x00\x01\x02", "x")])
def test_a_file_of_another_kind_names_the_kinds(data: bytes, name: str) -> None:
    with pytest.raises(InvalidRequest, match="CSV, TSV, XLSX or a Google Merchant RSS/Atom XML"):
        read_feed(data, name)


def test_old_spreadsheets_are_asked_as_xlsx() -> None:
    with pytest.raises(InvalidRequest, match="Save the file as XLSX or CSV"):
        read_feed(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "old.xls")


def test_an_xlsx_reaching_the_last_cell_is_refused_before_calamine_lays_it_out() -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet["A1"], sheet["A2"], sheet["XFD1048576"] = "title", "Lamp", "far away"
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(InvalidRequest, match="reaches row 1,048,576 and column 16,384"):
        read_feed(out.getvalue(), "far.xlsx")


def test_a_damaged_xlsx() -> None:
    with pytest.raises(InvalidRequest, match="not an XLSX file Clapboard can read"):
        read_feed(b"PK\x03\x04" + bytes(200), "broken.xlsx")


def test_cells_are_cut_and_cleaned() -> None:
    long = "word " * MAX_CELL_CHARS
    data = csv_bytes([{"title": "Lamp\x00 with\x1b a  gap", "description": long}])
    row = _first(read_feed(data, "f.csv"))
    assert row.title == "Lamp with a gap"
    assert len(row.description) <= MAX_CELL_CHARS


def test_rows_sent_as_json() -> None:
    rows = rows_of([
        {"Title": "Mug", "price": 12.5, "image_link": "https://i.example/m.png",
         "additional_image_link": ["https://i.example/n.png", "https://i.example/o.png"], "stock": 3},
        {"name": "Cup", "sale_price": 7, "g:brand": "Kettle & Co"},
    ])  # fmt: skip
    assert [(r.number, r.title, r.price, r.sale_price) for r in rows] == [(1, "Mug", "12.5", ""), (2, "Cup", "", "7")]
    assert rows[0].images == ["https://i.example/m.png", "https://i.example/n.png", "https://i.example/o.png"]
    assert rows[1].brand == "Kettle & Co"
    with pytest.raises(InvalidRequest, match=f"more than {MAX_ROWS}"):
        rows_of([{"title": f"P{i}"} for i in range(MAX_ROWS + 1)])
    with pytest.raises(InvalidRequest, match="Row 2 is not an object"):
        rows_of([{"title": "ok"}, "nope"])  # type: ignore[list-item]
    with pytest.raises(InvalidRequest, match="it has colour"):
        rows_of([{"colour": "red"}])


def test_the_must_show_csv_reads_its_twelve_rows() -> None:
    rows = read_feed(must_show_csv(), "products.csv")
    assert [r.number for r in rows] == list(range(2, 14))
    assert rows[2].title == "" and rows[6].price == "cheap" and rows[9].images == ["http://10.0.0.1/x.png"]


def test_the_fakes_serve_each_products_own_photo(http_server: ScriptedHTTPServer) -> None:
    rows = read_feed(csv_bytes(products(3, image=serve_photos(http_server, 3))), "f.csv")
    colours = set()
    for row in rows:
        reply = httpx.get(row.images[0])
        assert reply.headers["content-type"] == "image/png"
        colours.add(Image.open(io.BytesIO(reply.content)).convert("RGB").getpixel((256, 100)))
    assert len(colours) == 3
