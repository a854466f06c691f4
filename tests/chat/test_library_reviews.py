"""The library's cards and their reviews: a page of 50 creatives reads every card's review in a few database
queries (not a few per card), shows only the links still live, and says what each note did in the words the rest of
the app uses."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event

from campaign.settings import Settings
from chat.library import current_props
from tests.tools.test_reviews import _creative
from tools.studio import Studio
from tools.studio.types import REVIEW_KIND_WORDS

JSX = Path(__file__).resolve().parents[2] / "public" / "elements" / "Library.jsx"


@contextmanager
def queries(studio: Studio) -> Iterator[list[str]]:
    """The SQL statements the studio's database runs meanwhile."""
    ran: list[str] = []

    def record(*args: Any) -> None:
        ran.append(args[2])

    engine = studio.store.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield ran
    finally:
        event.remove(engine, "before_cursor_execute", record)


async def test_fifty_cards_read_their_reviews_in_a_few_queries(studio: Studio, settings: Settings) -> None:
    await studio.accounts.add("dana", team="acme", password="dana-password")
    dana = await studio.accounts.cli_actor("dana")
    ids = [await _creative(studio, dana, f"Sneaker {n}") for n in range(50)]
    live = await studio.reviews.share(dana, ids[0], label="client link")
    gone = await studio.reviews.share(dana, ids[0], label="old link")
    await studio.reviews.revoke(dana, gone.id)
    token = live.path.rsplit("/", 1)[1]
    await studio.reviews.comment(token, ids[0], "Ann", "Bigger logo", 3.0)
    await studio.reviews.decide(token, ids[0], "Ann", "request changes", "Brighter")
    await studio.reviews.decide(token, ids[0], "Ann", "approve")
    library = await studio.library.library(dana, limit=50)
    assert len(library.creatives) == 50

    with queries(studio) as ran:
        props = await current_props(studio, dana, library, None)
    assert len(ran) <= 10, ran  # as many for 1 card as for 50; each card's notes and links were 6 more

    cards = {c["id"]: c for k in props["campaigns"] for c in k["items"]}
    reviewed = cards[ids[0]]
    assert reviewed["review_status"] == "approved"
    assert [link["label"] for link in reviewed["links"]] == ["client link"], "a revoked link is not on the card"
    assert [(n["name"], n["did"], n["at"], n["text"]) for n in reviewed["notes"]] == [
        ("Ann", "commented", "0:03", "Bigger logo"), ("Ann", "asked for changes", None, "Brighter"),
        ("Ann", "approved", None, ""),
    ]  # fmt: skip
    assert [n["did"] for n in reviewed["notes"]] == [REVIEW_KIND_WORDS[n["kind"]] for n in reviewed["notes"]]
    assert all(cards[i]["notes"] == [] and cards[i]["links"] == [] for i in ids[1:])


def test_the_element_says_what_a_note_did_in_the_words_it_is_sent() -> None:
    jsx = JSX.read_text()
    own = [words for kind, words in REVIEW_KIND_WORDS.items() if words != kind and f'"{words}"' in jsx]
    assert own == []  # no mapping of its own ("approved" is a status's name too, for its badge)
    assert "n.did" in jsx
