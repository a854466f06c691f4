"""The LLM reader: a brief's copy read by the configured chat model as structured output (a forced tool call whose
arguments are an `AdCopy`, which every OpenAI-compatible endpoint speaks), then checked against the brief
(`check_copy`), so nothing after it needs to trust the model. `read_brief_llm` is `read_brief` with this copy."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

from tools.brief.brief import Brief, read_brief
from tools.brief.check import check_copy
from tools.brief.copy import AdCopy
from tools.brief.phrases import key_phrases

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from tools.brief.options import Options

log = logging.getLogger(__name__)

SYSTEM = """You read the on-screen copy of a video ad from a marketer's brief, field by field.
Copy every word exactly as the brief writes it (case, punctuation, accents, currency): quoted text character for \
character, prices, promo codes with their verb ("Use code KNIT30"), offers with their scope ("25% off all \
jackets"), conditions ("Free shipping over $50"), the call to action in the brief's words ("Swipe up"), the \
website, the sale's name, product qualities as features. Leave a field empty when the brief gives nothing for it.
Never put on screen: instructions, the campaign's name, video model names, channel or platform names, \
confidentiality notes, camera or editing directions, lengths or formats.
Write a line yourself only when the brief asks you to ("write a catchy headline"), and then only that line."""


async def read_copy_llm(words: str, chat: BaseChatModel) -> AdCopy:
    """The copy in a brief's words (without its instructions), as the chat model reads it; unchecked. Raises
    what the model's client raises, and a validation error for an answer that is no `AdCopy`."""
    from langchain_core.messages import HumanMessage, SystemMessage

    reader = chat.with_structured_output(AdCopy, method="function_calling")
    copy = await reader.ainvoke([SystemMessage(SYSTEM), HumanMessage(f"Brief: {words.strip()}")])
    return AdCopy.model_validate(copy)


async def read_brief_llm(
    text: str,
    chat: BaseChatModel,
    model_names: Sequence[str] = (),
    *,
    template: str | None = None,
    copy: AdCopy | None = None,
    title: str | None = None,
    options: Options | None = None,
) -> Brief:
    """`read_brief` with the copy read by the chat model and checked against the brief; `Brief.notes` says what
    the check changed and which lines the assistant wrote. `copy` (the request's) is laid over it. When the model
    fails, the copy is the rule reader's and a note says so."""
    read = read_brief(text, model_names, template=template, title=title, options=options)
    try:
        said = await read_copy_llm(read.words, chat)
    except Exception as exc:  # any failure of the model (network, key, timeout, bad answer): the rules read it
        log.warning("reading the copy by LLM failed: %s", type(exc).__name__)
        fallback = (copy or AdCopy()).over(read.copy)
        return read.model_copy(update={"copy": fallback, "notes": ["The copy was read by rules: the LLM failed."]})
    checked = check_copy(text, said, model_names)
    chosen = (copy or AdCopy()).over(checked.copy)
    phrases = key_phrases(read.words, skip=tuple(chosen.texts()), model_names=model_names)
    return read.model_copy(update={"copy": chosen, "key_phrases": phrases, "notes": [n.say() for n in checked.notes]})
