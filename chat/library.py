"""The campaign library in the chat: a custom element (public/elements/Library.jsx) with the team's campaigns, what
each has spent, and its creatives as cards to play, download (with their captions), export, rename and delete, each
naming the brand kit versions it was made with and its sound, and its review: the status as a badge, what
reviewers said (their words are text: the element never renders them as markup or links), the live review links
with Revoke, and Share for review.

The element's buttons call the action callbacks here (Export's is in chat/exports.py: it asks in the chat). Each
acts through the facade as the session's actor and answers with the library's fresh props (or an error to show),
which the element puts in place of its own.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

import chainlit as cl
from chainlit.element import ElementDict
from chainlit.types import ThreadDict

from chat.agent import usd as price
from chat.export_report import credentials_line, listed
from chat.notify import LIBRARY_ACTION, sound_line
from chat.runtime import services
from chat.signin import SIGNED_OUT, session_actor
from tools.studio import Studio
from tools.studio.types import (
    REVIEW_KIND_WORDS,
    Actor,
    ClapboardError,
    CreativeReview,
    CreativeView,
    ExportView,
    LibraryView,
    VoiceView,
)

ELEMENT = "Library"  # public/elements/Library.jsx


def money(usd: float) -> str:
    return price(usd) if usd else "free"


def _card(c: CreativeView, deletable: bool, voices: Sequence[VoiceView], export: ExportView | None,
          review: CreativeReview) -> dict[str, Any]:  # fmt: skip
    cost = c.actual_cost_usd if c.actual_cost_usd is not None else c.estimated_cost_usd
    return {
        "export": _exported(export) if export else None,
        "review_status": c.review_status,
        "notes": [{"id": n.id, "kind": n.kind, "did": REVIEW_KIND_WORDS[n.kind], "name": n.name, "via": n.link_label,
                   "at": n.at, "text": n.text, "created_at": n.created_at} for n in review.notes],  # fmt: skip
        "links": [{"id": k.id, "url": k.url, "label": k.label, "expires_at": k.expires_at, "whole_set": k.whole_set}
                  for k in review.links if k.state == "live"],  # fmt: skip
        "id": c.id, "title": c.title, "aspect": c.aspect, "size": f"{c.width}x{c.height}",
        "duration": f"{c.duration_s:g} s", "model": c.model, "cost": money(cost), "made_by": c.made_by or "",
        "created_at": c.created_at, "url": c.url, "poster_url": c.poster_url, "download_url": c.download_url,
        "can_delete": deletable, "brand": c.brand_version.label() if c.brand_version else "",
        "sound": sound_line(c, voices), "captions_srt_url": c.captions_srt_url, "captions_vtt_url": c.captions_vtt_url,
    }  # fmt: skip


def _exported(e: ExportView) -> dict[str, Any]:
    """The card's line of its latest delivered export: for which placements, its zip, what its files' content
    credentials say."""
    placements = listed([f.label for f in e.files if f.delivered])
    credentials = credentials_line(e.provenance) if e.provenance else ""
    return {"placements": placements, "zip_url": e.zip_url, "credentials": credentials}


def library_props(
    library: LibraryView,
    campaign: str | None,
    expires_at: float,
    voices: Sequence[VoiceView] = (),
    reviews: Mapping[str, CreativeReview] | None = None,
) -> dict[str, Any]:
    """What the element shows: campaigns with creatives first (the latest work on top), then the empty ones.
    `voices` name the voice-overs' voices; `reviews` hold each creative's review (by its id): its notes, and its
    links of which the live ones are shown."""
    cards: dict[str, list[dict[str, Any]]] = defaultdict(list)
    deletable = set(library.deletable)
    for c in library.creatives:
        review = (reviews or {}).get(c.id) or CreativeReview(notes=[], links=[])
        cards[c.campaign].append(_card(c, c.id in deletable, voices, library.exports.get(c.id), review))
    order = {name: i for i, name in enumerate(cards)}
    campaigns = sorted(library.campaigns, key=lambda k: order.get(k.name, len(order)))
    total = sum(c.creatives for c in campaigns)
    return {
        "campaign": campaign,
        "expires_at": int(expires_at),  # the links' expiry: the element asks for fresh ones after it
        "total": {"creatives": total, "spend": money(sum(c.spend_usd for c in campaigns))},
        "shown": len(library.creatives),
        "month": library.month.line if library.month else "",  # the team's spent, reserved and left this month
        "campaigns": [
            {"id": k.id, "name": k.name, "creatives": k.creatives, "spend": money(k.spend_usd), "items": cards[k.name]}
            for k in campaigns
        ],
    }


async def current_props(studio: Studio, actor: Actor, library: LibraryView, campaign: str | None) -> dict[str, Any]:
    """The element's props as the library is now: fresh file links, and every card's review in a few queries."""
    expires_at = time.time() + studio.files.link_lifetime_s
    reviews = await studio.reviews.of_creatives(actor, [c.id for c in library.creatives])
    return library_props(library, campaign, expires_at, studio.models.voices(), reviews)


async def _props(actor: Actor, library: LibraryView, campaign: str | None) -> dict[str, Any]:
    return await current_props(services().studio, actor, library, campaign)


async def show_library(library: LibraryView, campaign: str | None = None) -> None:
    """Send the library as a message of its own."""
    actor = await session_actor()
    if actor is None:
        return
    props = await _props(actor, library, campaign)
    await cl.Message(content="", elements=[cl.CustomElement(name=ELEMENT, props=props, display="inline")]).send()


@cl.action_callback(LIBRARY_ACTION)
async def open_library(action: cl.Action) -> None:
    """The Library button under a finished video."""
    actor = await session_actor()
    if actor is not None:
        studio = services().studio
        await show_library(await studio.library.library(actor))


Change = Callable[[Studio, Actor, str], Awaitable[object]]


async def _answer(action: cl.Action, change: Change | None) -> dict[str, Any]:
    """Run a change as the session's actor, then answer with the fresh library, or what went wrong."""
    actor = await session_actor()
    if actor is None:
        return {"error": SIGNED_OUT}
    campaign = action.payload.get("campaign") or None
    studio = services().studio
    try:
        if change is not None:
            await change(studio, actor, str(action.payload.get("id", "")))
        return {"props": await _props(actor, await studio.library.library(actor, campaign), campaign)}
    except ClapboardError as exc:
        return {"error": str(exc)}


@cl.action_callback("library_rename")
async def rename(action: cl.Action) -> dict[str, Any]:
    title = str(action.payload.get("title", ""))
    return await _answer(action, lambda studio, actor, cid: studio.library.rename_creative(actor, cid, title))


@cl.action_callback("library_delete")
async def delete(action: cl.Action) -> dict[str, Any]:
    return await _answer(action, lambda studio, actor, cid: studio.library.delete_creative(actor, cid))


@cl.action_callback("library_refresh")
async def refresh(action: cl.Action) -> dict[str, Any]:
    """Fresh props: new links once the old ones have expired, and the team's changes since."""
    return await _answer(action, None)


@cl.action_callback("library_share")
async def share(action: cl.Action) -> dict[str, Any]:
    """Share for review on a card: a link for the creative, live for the default 7 days, shown on the card."""
    return await _answer(action, lambda studio, actor, cid: studio.reviews.share(actor, cid))


@cl.action_callback("library_revoke")
async def revoke(action: cl.Action) -> dict[str, Any]:
    """Revoke on a card's link: it opens nothing from now on."""
    return await _answer(action, lambda studio, actor, link_id: studio.reviews.revoke(actor, link_id))


AGAIN = "The library now:"  # the words of the copies earlier versions sent on every reopening


async def show_library_again(thread: ThreadDict, actor: Actor) -> None:
    """A reopened conversation that showed the library: its latest copy of each campaign's library (or the whole
    one) updated in place to the library as it is now (review statuses and notes, fresh file links), and the older
    copies of it removed, so a conversation shows one library however often it is reopened."""
    steps = thread.get("steps") or []
    said, order = {s["id"]: s.get("output") or "" for s in steps}, {s["id"]: n for n, s in enumerate(steps)}
    copies = [e for e in thread.get("elements") or [] if e.get("name") == ELEMENT]
    latest: dict[str | None, ElementDict] = {}
    # Chainlit's come unordered; a copy whose message the history has not written yet is the newest.
    for shown in sorted(copies, key=lambda e: order.get(e.get("forId") or "", len(order))):
        campaign = (shown.get("props") or {}).get("campaign") or None
        if (older := latest.get(campaign)) is not None:
            await _remove(older, said.get(older.get("forId") or "", ""))
        latest[campaign] = shown
    for campaign, shown in latest.items():
        try:
            library = await services().studio.library.library(actor, campaign)
        except ClapboardError:  # a campaign since deleted: its copy stays as it was
            continue
        props = await _props(actor, library, campaign)
        element = cl.CustomElement(name=ELEMENT, props=props, display="inline", id=shown["id"], for_id=shown["forId"])
        await element.update()


async def _remove(shown: ElementDict, said: str) -> None:
    """An older copy of the library, from the history and from the page: with its message when that said nothing
    else."""
    if said in ("", AGAIN) and shown.get("forId"):
        await cl.Message(content="", id=shown["forId"]).remove()
    else:
        await cl.CustomElement(name=ELEMENT, id=shown["id"], for_id=shown.get("forId")).remove()
