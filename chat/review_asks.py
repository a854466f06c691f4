"""A review link or the reviewers' notes asked for in words: "share it for review", "send this to the client for
approval", "make a review link for all formats", "who approved it?", "any comments?". Each gives its tool's
arguments (share_for_review: `whole_set`, `label`, `days`; review_notes: none).

The words must ask for the link or the notes, whole: "review the script", "I approve the price", "Share the joy: a 6 s
ad for our candles" or "send it to TikTok" are something else. (What the chat then says about links and notes is in
chat/review_words.py; this module stays free of Chainlit, as the planner is.)"""

from __future__ import annotations

import re
from typing import Any

# "please", "can you", "let's": what may come before the verb
_LEAD = (
    r"^(?:(?:please|pls|now|ok(?:ay)?|great|and|so|then|also|can\s+you|could\s+you|would\s+you|will\s+you|let'?s|"
    r"i\s+want\s+to|i'?d\s+like\s+to|go\s+ahead\s+and)[\s,]+)*"
)
# what is shared or asked about: "it", "this one", "the latest video"
_WHAT = (
    r"(?:it|this|that|them|these|those|(?:the|this|that|my|our)\s+(?:(?:last|latest|new|final)\s+)?"
    r"(?:video|one|ad|creative|clip|cut|version|spot|teaser))"
)
# who a link is for, named as its label: "to the client" -> "client link"
_PEOPLE = (
    r"(?:client|customer|manager|boss|agency|legal(?:\s+team)?|brand\s+team|stakeholders?|approvers?|reviewers?|ceo|"
    r"cmo|founder|partner)"
)
_RECIPIENT = re.compile(rf"\b(?:(?:to|with|for|by)\s+)?(?:the|my|our|a|an)\s+({_PEOPLE})(?:'s)?\b", re.I)
# every video of the set: "all formats", "every version", "the whole set", "all of them"
_WHOLE_SET = re.compile(
    r"\b(?:(?:for|of|with|in)\s+)?(?:(?:all|every|each)\s+(?:of\s+)?(?:the\s+|its\s+)?(?:formats?|sizes?|versions?|"
    r"variations?|variants?|ones|placements?)|(?:the|its)\s+(?:whole\s+|entire\s+|full\s+)?set|all\s+of\s+them|"
    r"them\s+all|the\s+(?:whole|entire)\s+(?:set|thing))\b",
    re.I,
)
_DAYS = re.compile(
    r"\b(?:(?:for|valid\s+for|live\s+for|lasting|that\s+lasts?)\s+)(\d{1,3}|a|an|one|two|three|four)\s+"
    r"(days?|weeks?|months?)\b",
    re.I,
)
_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4}
_UNIT_DAYS = {"day": 1, "week": 7, "month": 30}
_PURPOSE = (
    r"(?:(?:for|to\s+get)\s+(?:(?:a|an|the|their|final|quick)\s+)*(?:review|approval|sign[\s-]?off|feedback|"
    r"comments?)|to\s+(?:review|approve|sign\s+off(?:\s+on)?)|up\s+for\s+(?:review|approval)|in(?:to)?\s+review)"
)
_SHARE = re.compile(
    rf"{_LEAD}(?:share|send|submit|put|pass|forward)(?:\s+{_WHAT})?(?:\s+(?:on|over|along|out))?(?:\s+({_PURPOSE}))?$",
    re.I,
)
_LINK = re.compile(
    rf"{_LEAD}(?:(?:make|create|get|give|generate|send|share|want|need|i\s+need|i\s+want|can\s+i\s+(?:get|have))"
    r"\s+(?:me\s+|us\s+)?)?(?:(?:a|an|another|new|the|fresh)\s+)*(?:review|approval|feedback)\s+link"
    rf"(?:\s+(?:for|of|to)\s+{_WHAT})?$",
    re.I,
)
_GET_APPROVAL = re.compile(
    rf"{_LEAD}(?:get|request|ask\s+for|seek)\s+(?:(?:an?|the|their|final)\s+)?(?:approval|sign[\s-]?off|feedback|"
    rf"a\s+review)(?:\s+(?:on|for)\s+{_WHAT})?$",
    re.I,
)
_REVOKE = re.compile(
    rf"{_LEAD}(?:(?:revoke|withdraw|cancel|delete|remove|disable|deactivate|expire|kill)\s+(?:the\s+|this\s+|that\s+|"
    rf"my\s+|our\s+|all\s+(?:the\s+|my\s+|our\s+)?)?(?:review\s+|approval\s+|share\s+)?links?(?:\s+(?:for|to)\s+"
    rf"{_WHAT})?|stop\s+sharing(?:\s+{_WHAT})?)$",
    re.I,
)
REVOKE_HOW = ("To withdraw a review link, press Revoke under its message here, or under the video in the library: it "
              "opens nothing from then on.")  # fmt: skip
_END = re.compile(r"[\s,.!?]+$|\s+(?:please|pls|thanks|thank\s+you)\b", re.I)

# "who approved it?", "did the client approve it?", "has anyone commented yet?"
_WHO = (
    rf"(?:who|has\s+(?:anyone|anybody|someone)|did\s+(?:anyone|anybody|someone|they)|"
    rf"(?:has|did)\s+(?:the|my|our)\s+{_PEOPLE})\s+"
    r"(?:approved?|reviewed?|commented|comment|sign(?:ed)?\s+off(?:\s+on)?|"
    r"(?:asked|ask|requested|request)\s+(?:for\s+)?changes(?:\s+to)?|said\s+anything(?:\s+about)?|"
    r"say\s+anything(?:\s+about)?|look(?:ed)?\s+at|watch(?:ed)?|repl(?:ied|y))"
    rf"(?:\s+(?:on\s+)?{_WHAT})?(?:\s+yet)?"
)
_NOTE_NOUNS = r"(?:review\s+)?(?:comments?|feedback|notes|reviews?|decisions?|approvals?|replies)"
# "any comments?", "any feedback from the client yet?"
_ANY = (
    r"(?:(?:are|were)\s+there\s+|(?:have|did)\s+(?:we|i)\s+(?:got|get|had|have)\s+|(?:we|i)\s+got\s+|got\s+)?"
    rf"any(?:\s+(?:new|more))?\s+{_NOTE_NOUNS}"
    rf"(?:\s+(?:yet|so\s+far|(?:on|about)\s+{_WHAT}|from\s+(?:the\s+|my\s+|our\s+)?{_PEOPLE}))*"
)
# "show the comments", "read me the feedback on it"
_SHOW = (
    r"(?:show|see|list|read|open|give)\s+(?:me\s+|us\s+)?(?:the\s+|all\s+(?:the\s+)?)?"
    rf"{_NOTE_NOUNS}(?:\s+(?:on|for|of|about)\s+{_WHAT})?"
)
# "what did the client say?", "is it approved yet?", "what's the review status?"
_ASKED = (
    rf"what\s+(?:did|does|do)\s+(?:(?:the|my|our)\s+{_PEOPLE}|they)\s+(?:say|think)(?:\s+(?:about|of)\s+{_WHAT})?"
    rf"|(?:is|was|has)\s+{_WHAT}\s+(?:been\s+)?(?:approved|reviewed|signed\s+off)(?:\s+yet)?"
    rf"|(?:what(?:'s|\s+is)\s+)?(?:the\s+)?(?:review|approval)\s+status(?:\s+(?:of|on)\s+{_WHAT})?"
)
_NOTES = re.compile(rf"^(?:(?:so|and|ok(?:ay)?|hey|now)[\s,]+)*(?:{_WHO}|{_ANY}|{_SHOW}|{_ASKED})$", re.I)


def read_share(text: str) -> dict[str, Any] | None:
    """The review link a message asks for, as share_for_review's arguments (`whole_set` for all formats, the set or
    every version; `label` "client link" for "send it to the client"; `days` when said), or None for any other
    message."""
    said = _trimmed(text)
    args: dict[str, Any] = {}
    if days := _DAYS.search(said):
        count = _NUMBERS.get(days.group(1).lower()) or int(days.group(1))
        args["days"] = count * _UNIT_DAYS[days.group(2).lower().rstrip("s")]
        said = _DAYS.sub(" ", said)
    if _WHOLE_SET.search(said):
        args["whole_set"] = True
        said = _WHOLE_SET.sub(" ", said)
    if recipient := _RECIPIENT.search(said):
        args["label"] = f"{' '.join(recipient.group(1).lower().split())} link"
        said = _RECIPIENT.sub(" ", said)
    said = " ".join(_trimmed(said).split())
    if _LINK.match(said) or _GET_APPROVAL.match(said):
        return args
    share = _SHARE.match(said)
    return args if share and (share.group(1) or "label" in args) else None  # "send it" alone: to where?


def asks_revoke(text: str) -> bool:
    """Whether a message asks to withdraw a review link ("revoke the review link", "stop sharing it"): a button's
    work, since which link it means is for the person to point at."""
    return bool(_REVOKE.match(" ".join(_trimmed(text).split())))


def asks_notes(text: str) -> bool:
    """Whether a message asks what reviewers said: "who approved it?", "any comments?", "what did the client say?",
    "show the feedback", "is it approved yet?"."""
    return bool(_NOTES.match(" ".join(_trimmed(text).split())))


def _trimmed(text: str) -> str:
    while (bare := _END.sub("", text.strip())) != text.strip():
        text = bare
    return text.strip()
