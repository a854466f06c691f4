"""A feed's row as a video: why it cannot be made, and the request of the video it makes.

The words on screen are the row's own and nothing else: the headline (else the title), the price (the sale price
when there is one, written for display: "19.99 USD" shows "$19.99"), "Was <price>" as the offer when on sale, the
CTA, the link's site and the brand as the tagline. The row's title and description go into the prompt so the model
knows the product, with whatever the brief reader would take from them as copy (a quoted line, "$49", "20% off",
a list of features) taken out first, and the request's brief read again to prove it: nothing of the description
reaches the screen."""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import ValidationError

from campaign.errors import InvalidRequest
from tools.batches import BatchOptions, FeedRow
from tools.brief import MAX_PROMPT_CHARS, TITLE_CHARS, AdCopy, read_brief, without_copy
from tools.brief.copy import COPY_CHARS
from tools.jobs.spec import VideoRequest

TEMPLATE = "product-showcase"
DEFAULT_ASK = "A product video"
ASK_CHARS = 1000  # the batch's own words kept in each row's prompt; the product's fill the rest
PRICE_FORMS = "19.99, 19.99 USD, $19.99 or 19,99 €"
# Currencies shown by their sign; any other ISO code is shown before the amount ("CHF 15").
_SIGNS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹"}
_ISO = "USD EUR GBP JPY INR CAD AUD NZD CHF SEK NOK DKK PLN CZK HUF MXN BRL CNY HKD SGD ZAR KRW TRY AED SAR ILS"
_CODES = {code: code for code in _ISO.split()} | {sign: code for code, sign in _SIGNS.items()}  # noqa: SIM905
_CURRENCY = r"[$€£¥₹]|[A-Za-z]{3}"
_PRICE = re.compile(
    rf"(?:(?P<pre>{_CURRENCY})\s?)?"
    r"(?P<whole>\d{1,3}(?:(?P<group>[,.' ])\d{3})(?:(?P=group)\d{3})*|\d+)(?:(?P<point>[.,])(?P<cents>\d{1,2}))?"
    rf"(?:\s?(?P<post>{_CURRENCY}))?"
)
_QUOTE_CHARS = 40  # a cell's value quoted in a reason, cut here


class Price:
    """A price cell read: its amount, its currency (ISO code, "" when the cell gives none), and how it is shown."""

    def __init__(self, amount: Decimal, currency: str, whole: str, point: str, cents: str) -> None:
        self.amount, self.currency = amount, currency
        self._whole, self._point, self._cents = whole, point, cents

    def shown(self) -> str:
        """As it is shown on screen: the currency's sign (else its code) first, the row's own separators, no
        zero cents ("15,00 EUR" is "€15"), two digits of cents otherwise ("19.9" is "19.90")."""
        amount = self._whole
        if self._cents and int(self._cents):
            amount += (self._point or ".") + self._cents.ljust(2, "0")
        if not self.currency:
            return amount
        sign = _SIGNS.get(self.currency)
        return f"{sign}{amount}" if sign else f"{self.currency} {amount}"


def read_price(text: str) -> Price | None:
    """The price a cell gives, or None when it is not one ("cheap", "12.3.4", "-5")."""
    m = _PRICE.fullmatch(" ".join(text.split()))
    if not m or (m["pre"] and m["post"]):
        return None
    said = m["pre"] or m["post"] or ""
    currency = _CODES.get(said.upper() if len(said) == 3 else said, None) if said else ""
    if currency is None or (m["group"] and m["point"] == m["group"]):
        return None
    whole = m["whole"]
    digits = whole.replace(m["group"] or "\0", "")
    return Price(Decimal(f"{digits}.{m['cents'] or 0}"), currency, whole, m["point"] or "", m["cents"] or "")


def row_problem(row: FeedRow, *, paths: bool, base: Path | None = None) -> str | None:
    """Why the row cannot be made, a sentence per problem naming the column and its value ("No title: fill in
    the title, name or headline column."); None when it can. `paths`: an image may be a file path (the CLI), else
    it must be an http(s) URL; with `base` (the feed file's folder) a path that does not exist is a problem. The
    images themselves are fetched and checked when the row's request is prepared, as every reference is."""
    problems = [*_words_problems(row), *_price_problems(row)]
    for image in row.images:
        if problem := _image_problem(image, paths, base):
            problems.append(problem)
            break
    if row.link and not _host(row.link):
        problems.append(f"The link {_said(row.link)} is not a web address: give the product page's https:// link.")
    return " ".join(problems) or None


def _words_problems(row: FeedRow) -> list[str]:
    title = row.title or row.headline
    if not title:
        return ["No title: fill in the title, name or headline column."]
    problems = []
    if len(title) > TITLE_CHARS:
        shown = "names the video" if row.headline else "is the headline and names the video"
        problems.append(f"The title {_said(title)} is {len(title)} characters; it {shown}, so keep it to "
                        f"{TITLE_CHARS}.")  # fmt: skip
    for column, value in (("headline", row.headline), ("cta", row.cta), ("brand", row.brand)):
        if len(value) > COPY_CHARS:
            problems.append(f"The {column} {_said(value)} is {len(value)} characters; it is shown on screen, so "
                            f"keep it to {COPY_CHARS}.")  # fmt: skip
    return problems


def _price_problems(row: FeedRow) -> list[str]:
    problems = []
    for column, value in (("price", row.price), ("sale_price", row.sale_price)):
        if value and read_price(value) is None:
            problems.append(f"The {column} {_said(value)} is not a price: write it like {PRICE_FORMS}.")
    price, sale = read_price(row.price), read_price(row.sale_price)
    if price and sale:
        if price.currency and sale.currency and price.currency != sale.currency:
            problems.append(f"The sale_price {_said(row.sale_price)} is in another currency than the price "
                            f"{_said(row.price)}: give both in one currency.")  # fmt: skip
        elif sale.amount >= price.amount:
            problems.append(f"The sale_price {_said(row.sale_price)} is not below the price {_said(row.price)}: "
                            "leave sale_price empty when the product is not on sale.")  # fmt: skip
    return problems


def _image_problem(image: str, paths: bool, base: Path | None) -> str | None:
    scheme = urlsplit(image).scheme.lower() if "://" in image else ""
    if scheme in ("http", "https"):
        return None if urlsplit(image).hostname else f"The image {_said(image)} is not a complete web address."
    if not paths or scheme or image.lower().startswith(("data:", "file:", "javascript:")):
        return f"The image {_said(image)} is not a web address: give an http(s) link to the image."
    path = _path(image, base)
    if path.is_absolute() and not path.is_file():
        where = "next to the feed" if base is not None and not Path(image).expanduser().is_absolute() else ""
        return f"The image {_said(image)} was not found{' ' + where if where else ''}: check the file's name."
    return None


def request_for(
    row: FeedRow,
    options: BatchOptions,
    aspect: str | None,
    base: Path | None,
    *,
    max_images: int | None = None,
    model_names: Sequence[str] = (),
) -> VideoRequest:
    """The request of the row's video in `aspect` (None: the model's default): the batch's ask with the row's
    product in it, its words as the copy (headline, price and sale, CTA, site, brand), its first `max_images`
    images as references (all when None; paths made absolute against `base`, the feed file's folder, when
    given). `model_names` are the catalog's, as the brief reader is given them at submission.

    Raises InvalidRequest for a row `row_problem` refuses (or text that cannot be stored)."""
    if problem := row_problem(row, paths=base is not None, base=base):
        raise InvalidRequest(problem)
    title = row.title or row.headline
    copy = copy_of(row)
    images = row.images if max_images is None else row.images[: max(max_images, 0)]
    references = [i if _is_url(i) else str(_path(i, base)) for i in images]
    ask = _cut(options.prompt.strip() or DEFAULT_ASK, ASK_CHARS).rstrip(" .")
    product = _cut(" ".join(f"{title}. {row.description}".split()), MAX_PROMPT_CHARS - len(ask) - 20)
    try:
        for attempt in range(5):  # the ask and the product, less what was read as copy; the ask; DEFAULT_ASK
            prompt = f"{ask}. It shows {product}" if attempt < 3 else ask if attempt == 3 else DEFAULT_ASK
            request = VideoRequest(
                prompt=prompt, model=options.model, duration_s=options.duration_s, aspect=aspect,
                template=options.template or TEMPLATE, references=references, campaign=options.campaign,
                title=title, copy=copy,
            )  # fmt: skip
            extra = _copy_read(request.model_copy(update={"copy": AdCopy(headline=copy.headline)}), model_names)
            if extra is None:
                return request
            ask = without_copy(ask, extra).rstrip(" .") or DEFAULT_ASK
            product = without_copy(product, extra)
    except ValidationError as exc:
        raise InvalidRequest(
            "The row's words cannot be made into a request.", hint="Check its cells for unusual characters."
        ) from exc
    raise InvalidRequest("The batch's words say more than the row's own words.",
                         hint="Put what the videos should say in the feed's columns.")  # fmt: skip


def copy_of(row: FeedRow) -> AdCopy:
    """The row's words on screen: headline (else title), price (the sale price when on sale) and "Was <price>",
    CTA, the link's site, the brand as tagline."""
    price, sale = read_price(row.price), read_price(row.sale_price)
    shown = sale or price
    return AdCopy(
        headline=row.headline or row.title,
        price=shown.shown() if shown else "",
        offer=f"Was {price.shown()}" if sale and price else "",
        cta=row.cta,
        website=_host(row.link) if row.link else "",
        tagline=row.brand,
    )


def _copy_read(request: VideoRequest, model_names: Sequence[str]) -> list[str] | None:
    """The lines the brief reader reads from the request's prompt beyond its copy (as Submissions.brief_of reads
    it), or None when it reads none. Checked with the headline alone given, so a price or offer in the description
    is taken out of the prompt even when the row's own fills that field."""
    brief = read_brief(request.prompt, model_names, template=request.template, copy=request.copy,
                       title=request.title, options=request.options())  # fmt: skip
    given = request.copy.given()
    extra = [line for name, value in brief.copy.given().items() if name not in given for line in brief.copy.lines(name)]
    return extra or None


def _host(link: str) -> str:
    """The site a link is on, without "www." ("https://www.shop.example/p/1" is shop.example); "" if none."""
    try:
        host = urlsplit(link if "://" in link else f"https://{link}").hostname or ""
    except ValueError:
        return ""
    host = host.removeprefix("www.")
    return host if "." in host and len(host) <= COPY_CHARS and re.fullmatch(r"[a-z0-9.-]+", host) else ""


def _is_url(image: str) -> bool:
    return image.lower().startswith(("http://", "https://"))


def _path(image: str, base: Path | None) -> Path:
    path = Path(image).expanduser()
    return path if path.is_absolute() or base is None else (base / path).absolute()


def _cut(text: str, limit: int) -> str:
    """The text cut between words to `limit` characters."""
    if len(text) <= limit:
        return text
    return text[: limit + 1].rsplit(" ", 1)[0][:limit].rstrip(" ,;:")


def _said(value: str) -> str:
    """A cell's value as a reason quotes it, cut short."""
    value = " ".join(value.split())
    return f"“{value if len(value) <= _QUOTE_CHARS else value[: _QUOTE_CHARS - 1] + '…'}”"
