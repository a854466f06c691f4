"""The one factory for the language model: the chat agent and prompt refinement both talk to the configured
OpenAI-compatible endpoint (OpenAI, Poe, a local server) through it."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from campaign.settings import Settings


def chat_model(settings: Settings, *, temperature: float, timeout_s: float, streaming: bool = False) -> BaseChatModel:
    """ChatOpenAI on the configured endpoint and model; one retry, then the caller's fallback takes over."""
    from langchain_openai import ChatOpenAI  # imported on first use: the CLI's draft path never needs it

    assert settings.llm_key is not None, "only called when a key is set"
    return ChatOpenAI(
        model=settings.llm_model,
        api_key=settings.llm_key,
        base_url=settings.llm_base_url,
        temperature=temperature,
        timeout=timeout_s,
        max_retries=1,
        streaming=streaming,
    )
