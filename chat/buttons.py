"""A reopened conversation's buttons: Chainlit's history keeps messages, not their actions, so the buttons under
each ready video (Variations, Export, Share for review, ...) and the Revoke under each review link still live are
sent again for the messages that had them, found by what their metadata names."""

from __future__ import annotations

import json
from typing import Any

from chainlit.types import ThreadDict

from chat.notify import CREATIVE_KEY, ready_actions
from chat.review_words import LINK_KEY, revoke_button
from chat.runtime import services
from tools.studio.types import Actor, ClapboardError


async def restore_buttons(thread: ThreadDict, actor: Actor) -> None:
    """Send the buttons again under the reopened conversation's ready videos and live review links."""
    studio = services().studio
    for step in thread.get("steps") or []:
        said = _metadata(step.get("metadata"))
        try:
            if creative_id := said.get(CREATIVE_KEY):
                creative = await studio.library.creative(actor, str(creative_id))
                for action in ready_actions(creative):
                    await action.send(for_id=step["id"])
            elif link_id := said.get(LINK_KEY):
                link = await studio.reviews.link(actor, str(link_id))
                if link.state == "live":
                    await revoke_button(link).send(for_id=step["id"])
        except ClapboardError:  # deleted since: its message stays without buttons
            continue


def _metadata(value: Any) -> dict[str, Any]:
    """A step's metadata as the history gives it back: an object, or its JSON text."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    return value if isinstance(value, dict) else {}
