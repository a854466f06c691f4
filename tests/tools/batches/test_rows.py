"""A row as a video: the reasons a marketer reads for a row that cannot be made, and the request of one that can,
whose words on screen are the row's own and nothing of its description."""

from __future__ import annotations

from pathlib import Path

import pytest

from campaign.errors import InvalidRequest
from tests.conftest import make_settings
from tests.fakes.feeds import must_show_csv, product_png
from tools.batches import BatchOptions, FeedRow
from tools.batches.feed import read_feed
from tools.batches.rows import PRICE_FORMS, read_price, request_for, row_problem
from tools.brief import AdCopy, read_brief
from tools.catalog import Catalog
from tools.engines.registry import build_catalog
from tools.jobs.spec import VideoRequest

ROW = FeedRow(number=2, id="SKU-1", title="Trail Runner 1", description="A sturdy everyday pick.",
              price="129.00 USD", sale_price="99.00 USD", images=["https://img.example/1.png"],
              link="https://www.shop.example/p/1", brand="Aurora", cta="Shop now")  # fmt: skip


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    return build_catalog(make_settings(tmp_path_factory.mktemp("catalog")))


def _row(**fields: object) -> FeedRow:
    return ROW.model_copy(update=fields)


def _brief_copy(request: VideoRequest, catalog: Catalog) -> AdCopy:
    """The words on screen as submission reads them (Submissions.brief_of)."""
    return read_brief(request.prompt, catalog.names(), template=request.template, copy=request.copy,
                      title=request.title, options=request.options()).copy  # fmt: skip


def test_a_good_row_has_no_problem() -> None:
    assert row_problem(ROW, paths=False) is None
    assert row_problem(_row(title="", headline="Big sale on runners"), paths=False) is None  # headline as title


def test_no_title_names_the_columns() -> None:
    assert row_problem(_row(title=""), paths=False) == "No title: fill in the title, name or headline column."


@pytest.mark.parametrize("price", ["cheap", "12.3.4", "-5", "19.99 $ USD", "abc 12"])
def test_a_price_that_is_not_a_price(price: str) -> None:
    said = row_problem(_row(price=price, sale_price=""), paths=False)
    assert said == f"The price “{price}” is not a price: write it like {PRICE_FORMS}."
    assert "19.99 USD" in said and "19,99 €" in said
    said = row_problem(_row(sale_price=price), paths=False)
    assert said is not None and said.startswith(f"The sale_price “{price}” is not a price")


def test_a_sale_price_not_below_the_price() -> None:
    said = row_problem(_row(sale_price="150 USD"), paths=False)
    assert said == ("The sale_price “150 USD” is not below the price “129.00 USD”: leave sale_price empty when the "
                    "product is not on sale.")  # fmt: skip
    assert "another currency" in (row_problem(_row(sale_price="99 EUR"), paths=False) or "")


@pytest.mark.parametrize(
    ("text", "shown"),
    [("19.99", "19.99"), ("19.99 USD", "$19.99"), ("$19.99", "$19.99"), ("19,99 €", "€19,99"), ("15,00 EUR", "€15"),
     ("1.299,00 €", "€1.299"), ("1,299.50 usd", "$1,299.50"), ("CHF 15", "CHF 15"), ("19.9", "19.90"),
     ("£ 5", "£5")],
)  # fmt: skip
def test_prices_read_and_shown(text: str, shown: str) -> None:
    price = read_price(text)
    assert price is not None and price.shown() == shown


def test_an_image_must_be_a_web_address_unless_from_the_cli(tmp_path: Path) -> None:
    said = row_problem(_row(images=["photos/1.png"]), paths=False)
    assert said == "The image “photos/1.png” is not a web address: give an http(s) link to the image."
    assert row_problem(_row(images=["ftp://x.example/1.png"]), paths=True) is not None
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "1.png").write_bytes(product_png(1, 64))
    assert row_problem(_row(images=["photos/1.png"]), paths=True, base=tmp_path) is None
    said = row_problem(_row(images=["photos/2.png"]), paths=True, base=tmp_path)
    assert said == "The image “photos/2.png” was not found next to the feed: check the file's name."
    assert str(tmp_path) not in said


def test_long_words_are_reasons_not_crashes() -> None:
    long = "Ultra light trail running shoe " * 5
    said = row_problem(_row(title=long.strip()), paths=False)
    assert said is not None and "is 154 characters; it is the headline and names the video, so keep it to 120" in said
    assert said.count("“") == 1 and len(said) < 200  # the value quoted cut short
    said = row_problem(_row(cta="Buy " * 40), paths=False)
    assert said is not None and said.startswith("The cta “Buy Buy") and "keep it to 120" in said
    with pytest.raises(InvalidRequest, match="keep it to 120"):
        request_for(_row(title=long), BatchOptions(), None, None)


def test_several_problems_are_all_said() -> None:
    said = row_problem(FeedRow(number=5, price="cheap", images=["x.png"]), paths=False)
    assert said is not None
    assert said.startswith("No title:") and "“cheap” is not a price" in said and "“x.png” is not a web address" in said


def test_the_request_carries_the_rows_words_and_the_batchs_choices(catalog: Catalog) -> None:
    options = BatchOptions(prompt="make a 10 s product video for each of these", campaign="Spring", model="draft",
                           duration_s=6)  # fmt: skip
    request = request_for(ROW, options, "9:16", None)
    assert (request.template, request.model, request.duration_s, request.aspect, request.campaign, request.title) == (
        "product-showcase",
        "draft",
        6,
        "9:16",
        "Spring",
        "Trail Runner 1",
    )
    assert request.copy == AdCopy(headline="Trail Runner 1", price="$99", offer="Was $129", cta="Shop now",
                                  website="shop.example", tagline="Aurora")  # fmt: skip
    assert request.references == ["https://img.example/1.png"]
    assert "Trail Runner 1" in request.prompt and "A sturdy everyday pick" in request.prompt
    assert request.prompt.startswith("make a 10 s product video for each of these")
    assert _brief_copy(request, catalog) == request.copy
    assert request_for(ROW, BatchOptions(template="social-media"), None, None).template == "social-media"


def test_a_headline_column_and_a_row_not_on_sale(catalog: Catalog) -> None:
    row = _row(headline="Run further", sale_price="", price="49", cta="", brand="", link="")
    request = request_for(row, BatchOptions(), None, None)
    assert request.copy == AdCopy(headline="Run further", price="49")
    assert request.title == "Trail Runner 1"
    assert _brief_copy(request, catalog) == request.copy


@pytest.mark.parametrize(
    "description",
    [
        'Now $49, 20% off this week! Say "Shop now" and visit aurora.run. Use code RUN20.',
        "Lightweight, breathable and waterproof. Free shipping over $50.",
        "- Grippy sole\n- Recycled upper\n- Two colours",
        'Tagline: "Run the city". CTA: Buy today. Headline: Fastest shoe ever.',
    ],
)
def test_nothing_of_the_description_reaches_the_screen(description: str, catalog: Catalog) -> None:
    for row in (_row(description=description), _row(description=description, sale_price="", cta="", brand="",
                                                    link="", price="")):  # fmt: skip
        request = request_for(row, BatchOptions(prompt="A product video"), None, None, model_names=catalog.names())
        assert _brief_copy(request, catalog) == request.copy
        shown = " ".join(request.copy.texts())
        for word in ("$49", "20%", "RUN20", "aurora.run", "Lightweight", "shipping", "Grippy", "Run the city",
                     "Fastest"):  # fmt: skip
            assert word not in shown
        assert "Trail Runner 1" in request.prompt  # the model still hears of the product


def test_words_in_the_batchs_ask_do_not_reach_the_screen_either(catalog: Catalog) -> None:
    options = BatchOptions(prompt='A product video for each, with "Limited edition" at the end and 10% off')
    request = request_for(_row(sale_price=""), options, None, None)
    assert _brief_copy(request, catalog) == request.copy
    assert "Limited edition" not in " ".join(request.copy.texts()) and request.copy.offer == ""


def test_images_paths_and_how_many_are_sent(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere" / "c.png"
    for path in (tmp_path / "a.png", tmp_path / "sub" / "b.png", elsewhere, tmp_path / "e.png"):
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(product_png(1, 32))
    images = ["a.png", "sub/b.png", str(elsewhere), "https://img.example/d.png", "e.png"]
    row = _row(images=images)
    request = request_for(row, BatchOptions(), None, tmp_path)
    assert request.references == [str(tmp_path / "a.png"), str(tmp_path / "sub/b.png"), str(elsewhere),
                                   "https://img.example/d.png", str(tmp_path / "e.png")]  # fmt: skip
    assert request_for(row, BatchOptions(), None, tmp_path, max_images=2).references == request.references[:2]
    assert request_for(row, BatchOptions(), None, tmp_path, max_images=0).references == []


def test_the_must_show_csv_has_two_bad_rows_before_images_are_fetched() -> None:
    rows = read_feed(must_show_csv(), "products.csv")
    problems = {r.number: row_problem(r, paths=False) for r in rows}
    assert problems[4] == "No title: fill in the title, name or headline column."
    assert problems[8] == f"The price “cheap” is not a price: write it like {PRICE_FORMS}."
    assert problems[11] is None  # its private address is refused when the image is fetched
    assert [n for n, p in problems.items() if p] == [4, 8]
    assert len({request_for(r, BatchOptions(), None, None).copy.headline for r in rows if not problems[r.number]}) == 10
