"""The offline planner as a LangChain chat model: the agent's brain when no LLM key is configured, and for
slash commands whatever the chat model.

It reads the newest user message, decides which tool to call with the rules of chat/planner.py, and after the
tool has answered it replies with the tool's own words.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import Field

from chat.planner import ATTACHED, CLARIFY, PRICED, plan


class OfflinePlanner(BaseChatModel):
    """A deterministic tool-calling chat model: the agent's brain when no LLM key is configured."""

    model_names: list[str] = Field(default_factory=list)
    voice_names: list[str] = Field(default_factory=list)  # "use Hazel"

    @property
    def _llm_type(self) -> str:
        return "clapboard-offline-planner"

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> OfflinePlanner:
        return self

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=self._respond(messages))])

    def _respond(self, messages: list[BaseMessage]) -> AIMessage:
        last = messages[-1] if messages else HumanMessage("")
        if isinstance(last, ToolMessage):
            results = []
            for message in reversed(messages):
                if not isinstance(message, ToolMessage):
                    break
                failed = message.status == "error"  # the tool's arguments did not validate
                results.append("I could not read that request; try /help." if failed else str(message.content))
            return AIMessage(content="\n\n".join(reversed(results)))
        text = str(last.content) if isinstance(last, HumanMessage) else ""
        attached: list[str] = []
        if m := ATTACHED.search(text):
            text, attached = text[: m.start()], [n.strip() for n in m.group(1).split(",") if n.strip()]
        history = messages[:-1]
        decided = plan(
            text,
            self.model_names,
            attached,
            pending=_pending(history),
            priced=_priced(history),
            voice_names=self.voice_names,
        )
        if decided.tool == "revise_video" and set(decided.args) == {"channel"}:
            decided.args = {**_last_change(history, self.model_names), **decided.args}
        if decided.tool is None:
            return AIMessage(content=decided.reply)
        call = {"name": decided.tool, "args": decided.args, "id": f"call_{uuid.uuid4().hex[:12]}"}
        return AIMessage(content="", tool_calls=[call])


def _pending(history: list[BaseMessage]) -> str:
    """The brief the previous answer asked about ("Shall I make a video of ...?"), if it did."""
    answers = [m for m in history if isinstance(m, AIMessage)]
    if not answers or not str(answers[-1].content).startswith(CLARIFY):
        return ""
    asked = [m for m in history[: history.index(answers[-1])] if isinstance(m, HumanMessage)]
    return ATTACHED.sub("", str(asked[-1].content)) if asked else ""


def _priced(history: list[BaseMessage]) -> bool:
    """Whether the previous answer was a paid video's price, which its button approves."""
    answers = [m for m in history if isinstance(m, AIMessage)]
    return bool(answers) and PRICED in str(answers[-1].content)


def _last_change(history: list[BaseMessage], model_names: list[str]) -> dict[str, Any]:
    """The change the previous message made ("make the TikTok one 10 seconds"), for one that names only another
    video of the set ("now the one for YouTube")."""
    asked = [m for m in history if isinstance(m, HumanMessage)]
    if not asked:
        return {}
    before = plan(ATTACHED.sub("", str(asked[-1].content)), model_names)
    if before.tool != "revise_video":
        return {}
    return {k: v for k, v in before.args.items() if k not in ("channel", "use_attachments")}
