"""The brand card in the chat: a custom element (public/elements/BrandCard.jsx) with the kit's logos on a
checkerboard, light and dark, its colour swatches with their roles, font samples in the uploaded fonts, its words
(CTA, website, tone, legal line) and the version label, each part with an Edit button.

An Edit button asks in the chat what to change (the next message says it in words, read like any other); Refresh
answers with fresh props (the links to the logos and fonts expire). Chainlit may drop a custom element when a
conversation is reopened, so a reopened conversation that showed the card shows the kit as it is now.
"""

from __future__ import annotations

import time
from typing import Any

import chainlit as cl
from chainlit.types import ThreadDict

from chat.agent import BrandOffer, apply_brand
from chat.runtime import services
from chat.signin import SIGNED_OUT, session_actor
from tools.studio.types import Actor, BrandView, ClapboardError

ELEMENT = "BrandCard"  # public/elements/BrandCard.jsx
EDIT_ACTION = "brand_edit"
OFFER_ACTION = "brand_for_campaign"
OFFER_KEY = "brand_offer"  # the offered change, in the user session (its files stay on this server's disk)
REFRESH_ACTION = "brand_refresh"
WORDS = (("cta", "Call to action"), ("website", "Website"), ("tone", "Tone"), ("legal", "Legal line"))
ROLE_ORDER = {"background": 0, "text": 1, "accent": 2}
# What each Edit button asks (with the campaign's "for the X campaign" when the card is a campaign's).
ASK = {
    "logo": "Attach the new logo (a PNG on a transparent background is best) and say *this is our logo*{scope}; "
    "for a light version, for dark backgrounds, say *this is our light logo*{scope}.",
    "colors": "Type the new palette, e.g. *our colours are background #0A2540, text #FFFFFF, accent #FF5A1F*{scope}, "
    "or change one: *make the accent #00C2A8*{scope}.",
    "fonts": "Attach the font file (TTF or OTF) and say *use this font for headlines*{scope} (or *for body text*).",
    "words": "Type what changes, e.g. *our CTA is Start free*{scope}, *website aurora.run*{scope}, "
    "*tone: bold, playful*{scope} or *legal line: Terms apply*{scope}.",
}


def card_props(view: BrandView, expires_at: float) -> dict[str, Any]:
    """What the card shows: the kit a new video follows (a campaign's fields over the team's), and which fields
    the campaign sets."""
    kit = view.effective
    own = set(view.campaign_kit.kit.model_dump(exclude_defaults=True)) if view.campaign_kit else set()
    logos = [
        {"kind": kind, "label": label, "url": view.files.get(key, ""), "campaign": field in own}
        for kind, label, field, key in (
            ("main", "Logo", "logo", kit.logo),
            ("light", "Light logo (for dark backgrounds)", "logo_light", kit.logo_light),
        )
        if key
    ]
    role_of = {hex_: role for role, hex_ in view.look.roles.items()}
    background = view.look.roles.get("background")
    colors = sorted(kit.colors, key=lambda c: ROLE_ORDER.get(role_of.get(c.hex, ""), 3))
    return {
        "campaign": view.campaign,
        "label": view.label,
        "expires_at": int(expires_at),
        "empty": kit.is_empty(),
        "logos": logos,
        "colors": [{"hex": c.hex, "role": role_of.get(c.hex, ""), "ink": view.look.inks[c.hex]} for c in colors],
        "colors_campaign": "colors" in own,
        "dark": background if background and view.look.inks[background] == "#FFFFFF" else "#111827",
        "preview": preview(view),
        "fonts": [
            {"use": f.use, "family": f.family, "url": view.files.get(f.key, ""), "face": f"brand-{f.use}-{i}"}
            for i, f in enumerate(kit.fonts)
        ],
        "fonts_campaign": "fonts" in own,
        "words": [
            {
                "key": key,
                "label": label,
                "value": ", ".join(value) if isinstance(value, list) else value,
                "campaign": key in own,
            }
            for key, label in WORDS
            if (value := getattr(kit, key))
        ],  # fmt: skip
    }


def preview(view: BrandView) -> dict[str, Any] | None:
    """The kit put together, as an end card draws it (the studio's `look`): its background, the logo drawn on it,
    a headline in its text colour and the CTA on its accent; None until the kit has colours."""
    kit, look = view.effective, view.look
    if not kit.colors:
        return None
    background = look.roles.get("background", kit.colors[0].hex)
    text = look.roles.get("text", look.inks.get(background, "#FFFFFF"))
    accent = look.roles.get("accent", text)  # with no accent, the renderer makes one from the text colour
    return {
        "background": background,
        "text": text,
        "accent": accent,
        "accent_ink": look.inks.get(accent, background),
        "logo": view.files.get(look.logo or "", ""),
        "cta": kit.cta,
        "website": kit.website,
    }


def _element(view: BrandView) -> cl.CustomElement:
    props = card_props(view, time.time() + services().studio.files.link_lifetime_s)
    return cl.CustomElement(name=ELEMENT, props=props, display="inline")


async def show_brand(view: BrandView, said: str = "") -> None:
    """Send the brand card as a message, under `said` when given."""
    await cl.Message(content=said, elements=[_element(view)]).send()


async def show_again(thread: ThreadDict, actor: Actor) -> None:
    """A reopened conversation that showed the brand card: the kit as it is now, when it changed since the card
    (the history shows that card again; a card per reopening would pile up)."""
    shown = [e for e in thread.get("elements") or [] if e.get("name") == ELEMENT]
    if not shown:
        return
    props = shown[-1].get("props") or {}
    try:
        view = await services().studio.brand.get(actor, props.get("campaign") or None)
    except ClapboardError:
        return
    if view.label != props.get("label"):
        await show_brand(view, f"The brand kit now: {view.label}.")


async def offer(brand_offer: BrandOffer) -> None:
    """A member's change to the team's kit, offered as the campaign's kit: a button that makes it so."""
    cl.user_session.set(OFFER_KEY, brand_offer)
    label = f"Set it for {brand_offer.campaign}"
    button = cl.Action(name=OFFER_ACTION, payload={"campaign": brand_offer.campaign}, label=label, icon="palette")
    await cl.Message(content=f"Set it as the *{brand_offer.campaign}* campaign's kit?", actions=[button]).send()


@cl.action_callback(OFFER_ACTION)
async def take_offer(action: cl.Action) -> None:
    actor = await session_actor()
    if actor is None:
        return
    pending = cl.user_session.get(OFFER_KEY)
    await action.remove()
    if not isinstance(pending, BrandOffer) or pending.campaign != action.payload.get("campaign"):
        campaign = action.payload.get("campaign")  # a stale button: its change was made, or the tab was reloaded
        await cl.Message(content=f"That change is no longer waiting: say it again, with *for the {campaign} "
                         "campaign* (and its file attached, if it had one).").send()  # fmt: skip
        return
    cl.user_session.set(OFFER_KEY, None)
    said, outcome = await apply_brand(services().studio, actor, pending.args, pending.campaign, pending.uploads)
    if outcome.brand is None:
        await cl.Message(content=said).send()
    else:
        await show_brand(outcome.brand, said)


@cl.action_callback(EDIT_ACTION)
async def edit(action: cl.Action) -> None:
    """An Edit button: ask in the chat what to change."""
    part = str(action.payload.get("part", ""))
    campaign = action.payload.get("campaign")
    scope = f" for the {campaign} campaign" if campaign else ""
    if part in ASK:
        await cl.Message(content=ASK[part].format(scope=scope)).send()


@cl.action_callback(REFRESH_ACTION)
async def refresh(action: cl.Action) -> dict[str, Any]:
    """Fresh props: new links once the old ones expire, and the team's changes since."""
    actor = await session_actor()
    if actor is None:
        return {"error": SIGNED_OUT}
    try:
        view = await services().studio.brand.get(actor, action.payload.get("campaign") or None)
    except ClapboardError as exc:
        return {"error": str(exc)}
    return {"props": card_props(view, time.time() + services().studio.files.link_lifetime_s)}
