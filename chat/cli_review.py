"""`clapboard review-link`, `review-links`, `review-revoke`, `reviews` and `approval`: share a creative for review
with someone who has no account, follow what they said, and say whether the team exports approved videos only.

A link's address starts with CLAPBOARD_PUBLIC_URL when it is set, else with the address `make run` serves
(http://127.0.0.1:8000): set it to the address reviewers reach the server at before sending links outside."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tools.studio import Studio
    from tools.studio.types import ReviewLinkView

LOCAL_URL = "http://127.0.0.1:8000"  # what `make run` serves
CREATIVE: dict[str, Any] = {"metavar": "ID", "help": "the creative's id, or its first characters"}


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser], acting: argparse.ArgumentParser) -> None:
    share = sub.add_parser(
        "review-link", parents=[acting], help="a link to send a reviewer (no account needed): prints its address",
        description="Make a review link for a creative: whoever opens it watches the video, sees its words on "
        "screen, comments at a time in it and approves it or asks for changes, without an account. It opens that "
        "creative (or, with --set, its set) and nothing else until it expires or is revoked.",
    )  # fmt: skip
    share.add_argument("id", **CREATIVE)
    share.add_argument("--days", type=int, metavar="N", help="how long it opens the video: 1 to 90 days (default 7)")
    share.add_argument("--set", dest="whole_set", action="store_true", help="show every variation and format of "
                       "its set")  # fmt: skip
    share.add_argument("--label", default="", metavar="TEXT", help='who it is for, as the team sees it: "client"')
    share.add_argument("--json", action="store_true")
    listing = sub.add_parser("review-links", parents=[acting], help="a creative's review links, newest first")
    listing.add_argument("id", **CREATIVE)
    listing.add_argument("--json", action="store_true")
    revoke = sub.add_parser("review-revoke", parents=[acting], help="revoke a review link: it opens nothing from now")
    revoke.add_argument("link_id", metavar="LINK_ID", help="the link's id, as `clapboard review-links` prints it")
    revoke.add_argument("--json", action="store_true")
    notes = sub.add_parser("reviews", parents=[acting], help="a creative's comments and decisions, oldest first")
    notes.add_argument("id", **CREATIVE)
    notes.add_argument("--json", action="store_true")
    gate = sub.add_parser("approval", parents=[acting], help="whether your team exports approved videos only",
                          description="Show, or (admins) turn on or off, whether your team's exports need "
                          "approval: while on, a creative no reviewer approved is not exported.")  # fmt: skip
    gate.add_argument("state", nargs="?", choices=("on", "off"), help="turn it on or off (admins only)")
    gate.add_argument("--json", action="store_true")


def _addressed(view: ReviewLinkView) -> ReviewLinkView:
    """The link with its whole address: the server's public URL (the facade wrote it), else `make run`'s."""
    return view if view.url != view.path else view.model_copy(update={"url": LOCAL_URL + view.path})


def _until(view: ReviewLinkView) -> str:
    return view.expires_at[:16].replace("T", " ") + " UTC"


async def share(studio: Studio, args: argparse.Namespace) -> int:
    actor = await studio.accounts.cli_actor(args.as_user)
    creative = await studio.library.find_creative(actor, args.id)
    days = {"days": args.days} if args.days is not None else {}  # else the facade's default
    made = await studio.reviews.share(actor, creative.id, whole_set=args.whole_set, label=args.label, **days)
    view = _addressed(made)
    if args.json:
        print(json.dumps(view.model_dump(), indent=2))
        return 0
    shown = f"“{creative.title}”" + (f" and {len(view.creative_ids) - 1} more of its set" if args.whole_set else "")
    print(view.url)
    print(f"Opens {shown} until {_until(view)}, without an account. Revoke it: clapboard review-revoke {view.id}")
    if made.url == made.path:
        print(
            f"(The address assumes the server at {LOCAL_URL}: set the server's public URL to the one reviewers reach.)"
        )
    return 0


async def links(studio: Studio, args: argparse.Namespace) -> int:
    actor = await studio.accounts.cli_actor(args.as_user)
    creative = await studio.library.find_creative(actor, args.id)
    views = [_addressed(v) for v in await studio.reviews.links(actor, creative.id)]
    if args.json:
        print(json.dumps([v.model_dump() for v in views], indent=2))
        return 0
    for v in views:
        count = len(v.creative_ids)
        shows = f"{count} video{'' if count == 1 else 's'}"
        print(f"{v.id}  {v.state:<8} until {_until(v)}  {shows:<9} by {v.created_by or '-'}  {v.label}".rstrip())
        print(f"  {v.url}")
    if not views:
        print(f"“{creative.title}” has no review links yet: clapboard review-link {creative.id[:8]}")
    return 0


async def revoke(studio: Studio, args: argparse.Namespace) -> int:
    view = _addressed(await studio.reviews.revoke(await studio.accounts.cli_actor(args.as_user), args.link_id))
    print(json.dumps(view.model_dump(), indent=2) if args.json else f"Revoked {view.id}: it opens nothing from now on.")
    return 0


async def reviews(studio: Studio, args: argparse.Namespace) -> int:
    actor = await studio.accounts.cli_actor(args.as_user)
    creative = await studio.library.find_creative(actor, args.id)
    notes = await studio.reviews.notes(actor, creative.id)
    if args.json:
        print(json.dumps([n.model_dump() for n in notes], indent=2))
        return 0
    print(f"“{creative.title}”: {creative.review_status}")
    for n in notes:
        print(f"  {n.created_at[:16].replace('T', ' ')}  {n.said()}")
    if not notes:
        print("  No comments yet.")
    return 0


async def approval(studio: Studio, args: argparse.Namespace) -> int:
    actor = await studio.accounts.cli_actor(args.as_user)
    on = await (studio.reviews.set_gate(actor, args.state == "on") if args.state else studio.reviews.gate(actor))
    if args.json:
        print(json.dumps({"team": actor.team, "exports_need_approval": on}))
    elif on:
        print(f"Exports of {actor.team} need approval: only a creative a reviewer approved is exported.")
    else:
        print(f"Exports of {actor.team} need no approval: any creative can be exported.")
    return 0
