"""`clapboard batch FILE` and `clapboard batches` as a user runs them: a feed on disk whose images are paths beside
it; the quote's table and the rows that cannot be made; a free batch run to the end on one line of progress; a
priced one that asks; Ctrl-C stopping the rest. Exit codes: 0 all made, 1 some not, 2 nothing started."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.chat.test_cli import clapboard
from tests.fakes.feeds import csv_bytes, product_png, products
from tests.fakes.replicate_server import FakeReplicate

QUICK = ("--duration", "2", "--aspect", "1:1")  # draft videos that render fast


def write_feed(folder: Path, count: int, **changes: dict[str, str]) -> Path:
    """A CSV of `count` products in `folder`, each image a path beside it (photos/<n>.png); `changes` by product
    number ("p2": {...}) overwrite cells."""
    (folder / "photos").mkdir(parents=True, exist_ok=True)
    for n in range(1, count + 1):
        (folder / "photos" / f"{n}.png").write_bytes(product_png(n, size=256))
    rows = products(count, image=lambda n: f"photos/{n}.png")
    for key, cells in changes.items():
        rows[int(key[1:]) - 1].update(cells)
    path = folder / "feed.csv"
    path.write_bytes(csv_bytes(rows))
    return path


def test_a_dry_run_prints_the_quote_and_the_rows_that_cannot_be_made_and_makes_nothing(tmp_path: Path) -> None:
    data = tmp_path / "data"
    feed = write_feed(tmp_path / "shop", 4, p2={"title": ""}, p4={"price": "cheap"})
    done = clapboard(data, "batch", str(feed), "--dry-run", "--duration", "2", "--aspect", "9:16", "--aspect", "1:1",
                     "--campaign", "Spring drop")  # fmt: skip
    assert done.returncode == 1, done.stderr  # some rows cannot be made
    out = done.stdout
    assert "feed.csv: 4 rows, 2 can be made: 4 videos on draft for Spring drop" in out
    table = out.split("\n\n")[0].splitlines()[1:]
    assert table[0].split() == ["row", "product", "shows", "images", "format", "model", "price"]
    row2, row4 = table[1], table[2]
    assert row2.split()[:3] == ["2", "Trail", "Runner"] and "19.99" in row2 and "1.png" in row2
    assert "9:16,1:1" in row2 and row2.rstrip().endswith("free") and "draft" in row2
    assert row4.split()[0] == "4" and "Desk Lamp 3" in row4 and "3.png" in row4
    assert "2 rows cannot be made:" in out
    assert "row 3:" in out and "title" in out.split("row 3:")[1].splitlines()[0].lower()
    assert "row 5 (Travel Mug 4):" in out and "cheap" in out.split("row 5 (Travel Mug 4):")[1].splitlines()[0]
    assert "Total: 4 videos, free" in out and "Nothing was made (--dry-run)." in out
    assert json.loads(clapboard(data, "jobs", "--json").stdout) == []
    listed = clapboard(data, "batches")
    assert "quoted" in listed.stdout and "4 videos quoted" in listed.stdout and "Spring drop: feed.csv" in listed.stdout

    as_json = clapboard(data, "batch", str(feed), "--dry-run", "--aspect", "all,9:16", "--duration", "2", "--json")
    assert as_json.returncode == 1, as_json.stderr
    quote = json.loads(as_json.stdout)
    assert (quote["status"], quote["videos"], quote["rejected"]) == ("quoted", 8, 2)
    assert [v["aspect"] for v in quote["rows"][0]["videos"]] == ["9:16", "1:1", "4:5", "16:9"]  # "all", each once
    assert quote["rows"][0]["images"] == ["photos/1.png"]  # as the file gives them


def test_a_feed_no_row_of_which_can_be_made_starts_nothing(tmp_path: Path) -> None:
    data = tmp_path / "data"
    feed = write_feed(tmp_path / "shop", 2, p1={"title": ""}, p2={"image_link": "photos/none.png"})
    done = clapboard(data, "batch", str(feed), *QUICK)
    assert done.returncode == 2
    assert "no row can be made, so nothing was started" in done.stderr
    assert "row 3" in done.stdout and "none.png" in done.stdout  # the missing photo, named
    assert json.loads(clapboard(data, "jobs", "--json").stdout) == []


@pytest.mark.render
def test_a_free_batch_runs_to_the_end_on_a_line_of_progress_and_is_listed(tmp_path: Path) -> None:
    data = tmp_path / "data"
    feed = write_feed(tmp_path / "shop", 2)
    done = clapboard(data, "batch", str(feed), *QUICK, "--campaign", "Run")
    assert done.returncode == 0, done.stderr
    progress = done.stderr.splitlines()  # not a terminal: a plain line per change
    assert progress[0] == "0 of 2 ready" and progress[-1] == "2 of 2 ready" and "\r" not in done.stderr
    assert done.stdout.rstrip().endswith('2 of 2 ready.\nIn the library: clapboard creatives --campaign "Run"')
    creatives = json.loads(clapboard(data, "creatives", "--campaign", "Run", "--json").stdout)
    assert sorted(c["title"].split(",")[0] for c in creatives) == ["Canvas Tote 2", "Trail Runner 1"]
    assert {(c["width"], c["height"], c["duration_s"]) for c in creatives} == {(480, 480, 2.0)}
    [listed] = json.loads(clapboard(data, "batches", "--json").stdout)
    assert (listed["status"], listed["ready"], listed["campaign"]) == ("done", 2, "Run")
    made = {v["creative_id"] for r in listed["rows"] for v in r["videos"]}
    assert made == {c["id"] for c in creatives}


def test_a_priced_batch_asks_and_without_a_terminal_starts_nothing(
    tmp_path: Path, fake_replicate: FakeReplicate, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REPLICATE_API_TOKEN", fake_replicate.token)
    monkeypatch.setenv("REPLICATE_BASE_URL", fake_replicate.base_url)
    data = tmp_path / "data"
    feed = write_feed(tmp_path / "shop", 2)
    done = clapboard(data, "batch", str(feed), "--model", "veo-3.1", "--duration", "8", "--aspect", "16:9")
    assert done.returncode == 2, done.stderr
    assert "error: 2 videos cost about $" in done.stderr and "Add --yes to accept the price" in done.stderr
    assert "veo-3.1" in done.stdout and "$" in done.stdout.split("Total:")[1]
    [withdrawn] = json.loads(clapboard(data, "batches", "--json").stdout)
    assert withdrawn["status"] == "canceled" and withdrawn["estimated_cost_usd"] > 0
    assert json.loads(clapboard(data, "jobs", "--json").stdout) == []
    assert fake_replicate.creates() == []
