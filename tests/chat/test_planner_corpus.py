"""The offline planner against the paraphrase corpus (tests/chat/planner_corpus.py): what each message makes
happen, as the chat does it (a stop word is answered before the agent; everything else goes through the offline
planner with the previous answer in the history), compared with what the message asks for, per intent."""

from __future__ import annotations

from collections import Counter

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage

from chat import planner
from chat.planner import is_stop
from chat.planner_model import OfflinePlanner
from tests.chat.planner_corpus import CORPUS, HELD_OUT, QUESTIONS, READ, RENDERS

MESSAGES = CORPUS + HELD_OUT

NAMES = ["draft", "local", "veo-3.1", "veo", "sora-2-pro", "kling", "runway gen-3"]
ASKED_ABOUT = "sneakers"
HISTORY: dict[str, list[BaseMessage]] = {
    "": [],
    "clarify": [
        HumanMessage(ASKED_ABOUT),
        AIMessage(f"{planner.CLARIFY} “{ASKED_ABOUT}”? Say *yes*, or tell me more."),
    ],
    "help": [HumanMessage("help"), AIMessage(planner.HELP)],
    "price": [
        HumanMessage("make an 8s video on veo-3.1 of a lighthouse"),
        AIMessage("8 s 16:9 (1280x720) on **Veo 3.1** costs about **$3.20**. Confirm with the button to start it."),
    ],
}
FLOOR = 0.9  # every other intent


def observed(text: str, after: str) -> str:
    """What the message makes happen, as an intent of the corpus."""
    if is_stop(text):
        return "stop"
    answer = OfflinePlanner(model_names=NAMES)._respond([*HISTORY[after], HumanMessage(text)])
    if not answer.tool_calls:
        reply = str(answer.content)
        if reply.startswith((planner.GREETING, planner.WELCOME)):
            return "greeting"
        if reply.startswith(planner.NOTHING_STARTED):
            return "stop"
        if reply.startswith((planner.NOTHING_ASKED, planner.BY_BUTTON)):
            return "unasked"
        return "clarify" if reply.startswith(planner.CLARIFY) else "answer"
    call = answer.tool_calls[0]
    name, args = call["name"], call["args"]
    if name == "generate_video":
        if len(args.get("channels") or []) > 1:
            return "ads"
        return "yes" if after == "clarify" and args["prompt"] == ASKED_ABOUT else "brief"
    if name == "revise_video":
        order = (("copy", "copy"), ("aspect", "format"), ("channel", "format"), ("duration_s", "length"))
        return next((intent for key, intent in order if args.get(key)), "model" if args.get("model") else "revise")
    return {"list_video_models": "models", "list_creatives": "library", "make_variations": "variations",
            "make_formats": "all_formats"}.get(name, name)  # fmt: skip


def test_the_corpus_is_big_enough_and_in_several_phrasings() -> None:
    intents = Counter(intent for _, intent, _ in MESSAGES)
    assert len(MESSAGES) >= 150
    assert all(n >= 3 for n in intents.values()), intents


def test_accuracy_per_intent() -> None:
    results = [(text, intent, observed(text, after)) for text, intent, after in MESSAGES]
    rows = []
    for intent in dict.fromkeys(i for _, i, _ in MESSAGES):
        mine = [r for r in results if r[1] == intent]
        right = sum(1 for r in mine if r[2] == intent)
        rows.append((intent, len(mine), right))
    print(f"\n{'intent':<12} {'messages':>8} {'right':>6} {'accuracy':>9}")
    for intent, total, right in rows:
        print(f"{intent:<12} {total:>8} {right:>6} {right / total:>9.0%}")
    total, right = len(results), sum(1 for r in results if r[1] == r[2])
    print(f"{'all':<12} {total:>8} {right:>6} {right / total:>9.0%}")
    wrong = [(t, want, got) for t, want, got in results if want != got]
    for text, want, got in wrong:
        print(f"  {text!r}: wanted {want}, got {got}")

    questions = [r for r in results if r[1] in QUESTIONS]
    rendered = [r for r in questions if r[2] in RENDERS]
    print(f"questions never rendered: {len(questions) - len(rendered)}/{len(questions)}")
    assert not rendered, rendered
    stops = [r for r in results if r[1] in ("stop", "unasked", "greeting")]
    assert not [r for r in stops if r[2] in RENDERS], "stop words, greetings and an unasked yes never render"
    for intent, total, right in rows:
        assert right / total >= FLOOR, (intent, right, total)


def test_words_that_look_like_channels_and_pasted_urls_are_read_as_meant() -> None:
    read = []
    for text, _, _ in READ:
        call = OfflinePlanner(model_names=NAMES)._respond([HumanMessage(text)]).tool_calls[0]
        read.append((text, call["args"].get("aspect"), call["args"].get("channels") or []))
    assert read == READ
