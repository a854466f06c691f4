"""`clapboard batch FILE`: a product feed made into a video per row (or one per format), quoted first as a table
(what each row will say and show, its model and price, and the rows that cannot be made, with why), started with
one confirmation, and followed on one line that updates in place; Ctrl-C stops it and says what was kept.
`clapboard batches` lists the team's batches.

Like `generate`, a free batch starts without asking and a priced one asks at the terminal (or takes --yes). Exit
codes: 0 when every row became its videos, 1 when some did not (a row that cannot be made, a video that failed or
was stopped), 2 when nothing was started.

This module imports the facade only when a command runs, as chat/cli.py does, so `clapboard models` stays light;
it imports nothing of chat/cli.py (which wires it in), and takes the terminal's question from it."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import signal
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from tools.studio import Studio
    from tools.studio.types import Actor, BatchView, JobEvent

ALL_MADE, SOME_MISSING, NOTHING_MADE = 0, 1, 2
# "all": the four channel formats, in the order one brief is fanned out to them (tools/studio/jobs.py)
ALL_FORMATS = ("9:16", "1:1", "4:5", "16:9")
WIDE = {"product": 24, "shows": 60, "images": 20}  # a column's most characters in the quote's table


def aspects_of(given: Iterable[str]) -> list[str]:
    """The formats asked for, from repeated options and comma lists ("9:16,1:1"), "all" meaning the four
    channel formats; each once, in the order given."""
    found: list[str] = []
    for part in (p.strip() for text in given for p in text.split(",")):
        for aspect in ALL_FORMATS if part.lower() == "all" else (part,) if part else ():
            if aspect not in found:
                found.append(aspect)
    return found


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser], acting: argparse.ArgumentParser) -> None:
    """`batch` and `batches` among the `clapboard` commands (`acting`: the shared --as option)."""
    batch = sub.add_parser(
        "batch", parents=[acting], help="make a video of every product in a feed: one quote, one confirmation",
        description="Make a video of every product in a feed (CSV, TSV, XLSX or a Google Merchant RSS/XML feed, "
        "Merchant's column names or plain ones: name, price, image, headline, cta): the quote first, a row per "
        "product with what it will say and show, its model and price, and the rows that cannot be made with why; "
        "then one confirmation starts them all. Ctrl-C stops the rest; the videos made stay in the library.",
    )  # fmt: skip
    batch.add_argument("file", type=Path, metavar="FILE", help="the feed; images as URLs or paths relative to it")
    batch.add_argument("--campaign", metavar="NAME", help="campaign the videos land in (created if new)")
    batch.add_argument("--template", help="brand-animation, product-showcase (the default) or social-media")
    batch.add_argument("--model", help="model id or alias (default: draft without a Replicate token)")
    batch.add_argument("--aspect", action="append", default=[], metavar="RATIO",
                       help="9:16, 1:1, 4:5 or 16:9 (model-dependent); repeat for one video per format, or "
                       f"all for the four channel formats ({', '.join(ALL_FORMATS)})")  # fmt: skip
    batch.add_argument("--duration", type=int, dest="duration_s", metavar="SECONDS", help="each video's length")
    batch.add_argument("--prompt", default="", metavar="TEXT",
                       help='the ask, read like a brief for every row: "a 10 s product video, bold look"')  # fmt: skip
    batch.add_argument("--dry-run", action="store_true", help="print the quote and stop: nothing is made")
    batch.add_argument("--yes", action="store_true", help="accept the price of paid models without asking")
    batch.add_argument("--json", action="store_true", help="print the batch as one JSON object (the quote with "
                       "--dry-run, else the batch once it ends)")  # fmt: skip
    listing = sub.add_parser("batches", parents=[acting], help="list the team's batches, newest first")
    listing.add_argument("--json", action="store_true")


async def batch(studio: Studio, args: argparse.Namespace, agreed: Callable[[str], bool]) -> int:
    """Quote the feed, print it, ask when it has a price (`agreed`: the terminal's yes), start it and follow it."""
    from tools.studio.types import BatchOptions

    actor = await studio.accounts.cli_actor(args.as_user)
    options = BatchOptions(prompt=args.prompt, campaign=args.campaign, template=args.template, model=args.model,
                           aspects=aspects_of(args.aspect), duration_s=args.duration_s)  # fmt: skip
    try:
        quote = await studio.batches.quote_path(actor, args.file.expanduser(), options)
    except asyncio.CancelledError:  # Ctrl-C while the rows are checked
        _carry_on()
        print("Stopped: nothing was started.", file=sys.stderr)
        return NOTHING_MADE
    if not args.json:
        _print_quote(quote)
    if args.dry_run or not quote.videos:
        _print_json(quote, args.json)
        if not quote.videos:
            print("error: no row can be made, so nothing was started; mend the rows above and run it again.",
                  file=sys.stderr)  # fmt: skip
        elif not args.json:
            print("Nothing was made (--dry-run).")
        return _outcome(quote)
    price = f"{_videos(quote.videos)} cost about ${quote.estimated_cost_usd:.2f}"
    if quote.estimated_cost_usd > 0 and not args.yes and not agreed(f"{price}. Go ahead?"):
        await studio.batches.cancel(actor, quote.id)
        print(f"error: {price}; nothing was started. Add --yes to accept the price.", file=sys.stderr)
        return NOTHING_MADE
    line = _Line(sys.stderr, quiet=args.json)
    done, stopped = await _run(studio, actor, quote.id, line)
    line.end()
    if stopped and not args.json:
        print(f"Stopped: {done.progress}. The videos ready stay in the library ({done.campaign}); nothing more will "
              "be made of this batch.", file=sys.stderr)  # fmt: skip
    if args.json:
        _print_json(done, True)
    else:
        _print_result(done)
    return _outcome(done)


def _carry_on() -> None:
    """Ctrl-C made asyncio.run cancel the command's task: the command carries on, to say so rather than end with a
    traceback."""
    if (task := asyncio.current_task()) is not None:
        task.uncancel()


async def _run(studio: Studio, actor: Actor, batch_id: str, line: _Line) -> tuple[BatchView, bool]:
    """Start the batch and follow it to its end; Ctrl-C stops it. The batch as it ended, and whether it was stopped.

    Ctrl-C only asks to stop meanwhile: were it to cancel the command's task as asyncio.run does, the database
    write or read the command was in could be cut off with its lock held, and stopping the batch would wait for a
    lock that is never released. A second Ctrl-C ends the command at once."""
    stop = asyncio.Event()

    def pressed() -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()

    with _on_ctrl_c(pressed):
        await studio.batches.confirm(actor, batch_id)
        following = asyncio.ensure_future(_followed(studio, actor, batch_id, line))
        asked = asyncio.ensure_future(stop.wait())
        await asyncio.wait([following, asked], return_when=asyncio.FIRST_COMPLETED)
        asked.cancel()
        if not stop.is_set() or following.done():
            return await following, stop.is_set()
        ended = await studio.batches.cancel(actor, batch_id)  # its videos not finished are canceled by now
        await following  # it ends with the batch's stop, perhaps before every video was canceled
        line.show(ended.progress)
        return ended, True


@contextlib.contextmanager
def _on_ctrl_c(pressed: Callable[[], None]) -> Iterator[None]:
    """Ctrl-C calls `pressed` in the block (where the loop can take signals: the main thread, not Windows)."""
    loop = asyncio.get_running_loop()
    before = signal.getsignal(signal.SIGINT)
    try:
        loop.add_signal_handler(signal.SIGINT, pressed)
    except (NotImplementedError, RuntimeError, ValueError):
        yield
        return
    try:
        yield
    finally:
        loop.remove_signal_handler(signal.SIGINT)
        if before is not None:  # asyncio.run's own, which cancels the command
            signal.signal(signal.SIGINT, before)


async def batches(studio: Studio, args: argparse.Namespace) -> int:
    """The team's batches, newest first."""
    items = await studio.batches.list(await studio.accounts.cli_actor(args.as_user))
    if args.json:
        print(json.dumps([b.model_dump(mode="json") for b in items], indent=2))
        return 0
    for b in items:
        rows = _count(len(b.rows), "row") + (f", {b.rejected} rejected" if b.rejected else "")
        state = f"{_videos(b.videos)} quoted" if b.status == "quoted" else b.progress
        print(f"{b.id[:8]}  {b.created_at[:16]}  {b.status:<8} {state:<28} {_price(b.estimated_cost_usd):>7}  "
              f"{rows:<22} {b.campaign}: {b.source}")  # fmt: skip
    if not items:
        print("No batches yet: `clapboard batch FILE` makes one.")
    return 0


async def _followed(studio: Studio, actor: Actor, batch_id: str, line: _Line) -> BatchView:
    """Wait for the batch to end, showing its progress as each of its videos changes."""

    async def show(event: JobEvent) -> None:
        if event.batch_id == batch_id and event.kind != "progress":
            line.show((await studio.batches.get(actor, batch_id)).progress)

    line.show((await studio.batches.get(actor, batch_id)).progress)
    unsubscribe = studio.subscribe(show)
    try:
        done = await studio.batches.wait(actor, batch_id)
    finally:
        unsubscribe()
    line.show(done.progress)  # its last event may still be on its way to `show`
    return done


class _Line:
    """The progress: one line rewritten in place on a terminal, a line per change otherwise, none with --json."""

    def __init__(self, out: IO[str], *, quiet: bool) -> None:
        self.out, self.quiet, self.shown = out, quiet, ""
        self.in_place = out.isatty()

    def show(self, text: str) -> None:
        if self.quiet or text == self.shown:
            return
        self.shown = text
        self.out.write(f"\r{text}\x1b[K" if self.in_place else f"{text}\n")
        self.out.flush()

    def end(self) -> None:
        """Leave the line as it is and go to the next one."""
        if self.in_place and self.shown:
            self.out.write("\n")
            self.shown = ""


def _print_quote(quote: BatchView) -> None:
    """The quote as a table: a line per row that can be made, then the rows that cannot, with why."""
    can = [r for r in quote.rows if not r.problem]
    models = sorted({v.model for r in can for v in r.videos})
    print(f"{quote.source}: {_count(len(quote.rows), 'row')}, {len(can)} can be made: {_videos(quote.videos)}"
          f"{' on ' + ', '.join(models) if models else ''} for {quote.campaign}")  # fmt: skip
    table = [("row", "product", "shows", "images", "format", "model", "price")]
    for r in can:
        table.append((str(r.number), _cut(r.title, WIDE["product"]), _cut(" · ".join(r.says), WIDE["shows"]),
                      _cut(", ".join(_name(i) for i in r.images) or "-", WIDE["images"]),
                      ",".join(v.aspect for v in r.videos), ",".join(sorted({v.model for v in r.videos})),
                      _price(sum(v.estimated_cost_usd for v in r.videos))))  # fmt: skip
    if can:
        widths = [max(len(t[i]) for t in table) for i in range(len(table[0]))]
        for t in table:
            print("  ".join(c.rjust(w) if i in (0, 6) else c.ljust(w) for i, (c, w) in enumerate(zip(t, widths,
                  strict=True))).rstrip())  # fmt: skip
    if quote.rejected:
        print(f"\n{_count(quote.rejected, 'row')} cannot be made:")
        for r in quote.rows:
            if r.problem:
                print(f"  row {r.number}{' (' + _cut(r.title, WIDE['product']) + ')' if r.title else ''}: {r.problem}")
    print(f"\nTotal: {_videos(quote.videos)}, {_price(quote.estimated_cost_usd)}")


def _print_result(done: BatchView) -> None:
    """How the batch ended: its progress, each video not made with why, and where the rest are."""
    print(f"{done.progress}.")
    for r in done.rows:
        for v in r.videos:
            if v.status != "succeeded":
                state = "stopped" if v.status == "canceled" else v.status + (f": {v.error}" if v.error else "")
                print(f"  row {r.number} ({_cut(r.title, WIDE['product'])}) {v.aspect}: {state}")
    if done.ready:
        print(f'In the library: clapboard creatives --campaign "{done.campaign}"')


def _outcome(view: BatchView) -> int:
    """0 when every row made its videos (quoted: can make them), 2 when no row can, 1 otherwise."""
    if not view.videos:
        return NOTHING_MADE
    if view.rejected or view.failed or view.canceled or view.status == "canceled":
        return SOME_MISSING
    return ALL_MADE


def _print_json(view: BatchView, on: bool) -> None:
    if on:
        print(json.dumps(view.model_dump(mode="json"), indent=2))


def _videos(n: int) -> str:
    return _count(n, "video")


def _count(n: int, what: str) -> str:
    return f"{n} {what}" + ("" if n == 1 else "s")


def _price(usd: float) -> str:
    return f"${usd:.2f}" if usd > 0 else "free"


def _name(image: str) -> str:
    """An image as the table shows it: its file's name (a URL's last part)."""
    return image.rstrip("/").rsplit("/", 1)[-1].split("?", 1)[0] or image


def _cut(text: str, most: int) -> str:
    return text if len(text) <= most else text[: most - 1] + "…"
