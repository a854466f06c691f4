"""The offline planner's rules: which tool a command or a plain request calls, with the options the brief's
words give ("6 second vertical", a model or template name, image URLs; read by tools/brief/options.py,
through the facade's tools/studio/brief.py).

It needs no key and no network. The chat model that applies these rules in the agent lives in
chat/planner_model.py, so that the rules never import LangChain.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from chat.brand_words import is_font, read_brand
from chat.export_words import names_in, read_export
from chat.review_asks import REVOKE_HOW, asks_notes, asks_revoke, read_share
from chat.sound_words import VOICE_HELP, only_filler, script_change, sound_changes
from tools.studio import channels_in
from tools.studio.brief import (
    FIELDS,
    OPTION,
    URL,
    campaign_named,
    find_name,
    parse_aspect,
    parse_duration,
    read_options,
    speaks_of_voice,
    split_features,
)
from tools.studio.types import read_ask

HELP = (
    "I make video creatives for your campaigns. Tell me what the video should show, or try:\n"
    "- *make a 6 second vertical product showcase of our sneaker* (attach a product photo)\n"
    "- *a 10 s brand animation of our logo for YouTube* (attach the logo)\n"
    "- */generate 15s TikTok social media ad for the spring sale, 20% off, Shop now*\n\n"
    "Then change it: *make it square*, *10 seconds*, *change the headline to Run the city*, *change the code to "
    "KNIT40*, *remove the tagline*, *3 variations*, *a variation with the price first*, *try another colourway*, "
    "*all formats*, *try it on kling*, *change the voice-over to ...*, *female voice*, *no voice*, *no captions*, "
    "*no music*. Deliver it: *export it for TikTok and Reels*, *export for all channels* (each file made, checked "
    "and signed for its placement, in one zip). Get it approved: *share it for review*, *send this to the client "
    "for approval*, *a review link for all formats* (anyone with the link watches, comments and decides, without an "
    "account), then *any comments?*, *who approved it?*.\n\n"
    "Set the brand kit every video follows: attach your logo and say *this is our logo*, *our colours are #0A2540 "
    "and #FF5A1F*, *use Inter for headlines* (attach the font file), *our CTA is Start free*, *website aurora.run*, "
    "*tone: bold, playful*, *legal line: ...*; add *for this campaign* for the campaign's own kit.\n\n"
    "Commands: `/generate <brief>`, `/models`, `/library [campaign]` (or `/creatives`), `/brand [campaign]`, "
    "`/export [placements]`, "
    "`/help`. Options in a brief: a "
    "duration (8s, ten seconds, half a minute), a format (9:16, vertical, TikTok, Reels, Shorts, square, "
    "Instagram feed, YouTube, landscape), a model and a template by name, *for the spring sale campaign*, "
    "*no audio*, *with a voice-over*, *female voice*, *no music*, and image URLs as references. Several ads at "
    "once: *three 6 second ads for our socks, one for TikTok, one for YouTube, one for LinkedIn*. Ask *what models "
    "can I use?* for models, formats, lengths and prices, and *show the library* for what was made."
)
GREETING = "Hello!"
WELCOME = "You're welcome!"
_TRY = (
    "Tell me what the video should show, for example:\n"
    "- *a 6 second vertical product showcase of our sneaker* (attach a product photo)\n"
    "- *three 6 second ads for our socks, one for TikTok, one for YouTube, one for LinkedIn*\n"
    "- *what models can I use?*\n\n"
    "Say *help* for everything I understand."
)
NOTHING_STARTED = "Okay, nothing is being made."
NOTHING_ASKED = "There was no question to say yes to."
BY_BUTTON = "To start it, press the button under its price (Generate, or Make all for a batch)"
PRICED = "Confirm with the button"  # how a paid video's price question ends (chat/agent.py)

_GENERATE = re.compile(
    r"\b(make|create|generate|render|produce|draft|build|give me|i need|i want|shoot)\b"
    r"|\b(video|teaser|clip|ad|advert|spot|animation|showcase|reel|trailer|promo|commercial)\b",
    re.I,
)
# "make it square", "10 seconds instead", "try it on kling", "same video but vertical": a change to the last video
_REVISE = re.compile(
    r"\b(?:make|turn|change|do|render|put|try|redo|want)\s+(?:it|that|this|the\s+last\s+one)\b|\binstead\b"
    r"|\bsame\s+(?:video|one|brief|clip|thing)\b|^(?:now|and|but|ok|okay)\b|\bversion\b|\b(?:can|could)\s+it\s+be\b"
    r"|\b(?:change|set|make)\s+the\s+(?:length|duration|format|size|aspect(?:\s+ratio)?|orientation)\b"
    r"|\b(?:a|an)\s+[\w:-]+\s+one\b",  # "a square one"
    re.I,
)
_REVISE_MAX_WORDS = 12  # a longer message is a new brief, whatever its first words
CHANGES = ("aspect", "duration_s", "model", "resolution", "audio")  # what a new version may change besides copy
_COUNT_WORDS = {"a couple of": 2, "a couple": 2, "a few": 3, "some": 3, "two": 2, "three": 3, "four": 4, "five": 5,
                "six": 6, "one": 1, "another": 1, "one more": 1, "a different": 1, "a new": 1}  # fmt: skip
_VARIATIONS = re.compile(
    r"\b(?:(\d+|a\s+couple(?:\s+of)?|a\s+few|some|two|three|four|five|six|another|one\s+more|a\s+different|a\s+new)"
    r"\s+)?(?:more\s+|other\s+|new\s+|different\s+|alternative\s+)?"
    r"(?:variations?|variants?|versions?|alternatives?|takes?|options?|goes)\b"
    r"|^(another)\s+one\b|^(\d+|two|three|four|five|six|one)\s+more\b",
    re.I,
)
# A request for another one of something ("try another colourway", "a version with faster cuts").
_ANOTHER = re.compile(r"\b(?:variations?|variants?|versions?|takes?|another|different|other|new|alternative)\b", re.I)
# What may surround "3 variations" in a request for variations: verbs, politeness, what they are of.
_AROUND_VARIATIONS = re.compile(
    r"\b(?:please|pls|now|ok|okay|so|then|just|also|again|of\s+(?:it|that|this|the\s+(?:last|latest)\s+(?:one|video))"
    r"|make|create|generate|render|produce|do|try|give\s+me|show\s+me|let'?s\s+see|let\s+me\s+see|i\s+want"
    r"|i'?d\s+like|can\s+i\s+(?:get|have|see)|could\s+i\s+(?:get|have|see)|can\s+you(?:\s+do)?|could\s+you(?:\s+do)?"
    r"|would\s+you|me|us|a|an|the|some|more|other)\b|[\s,.!?]+",
    re.I,
)
# Variations of a paid video that ask for new footage ("3 variations with new footage", "... but generate new ones"):
# they are generated anew at the model's price instead of drawn over its footage.
_NEW_FOOTAGE = re.compile(
    r"[,;]?\s*\b(?:but\s+|and\s+)?(?:(?:with|using|on|from)\s+(?:new|fresh)\s+(?:footage|shots|clips?)"
    r"|(?:generate|make|shoot|render)\s+(?:new|fresh)\s+(?:ones|footage|shots|clips?)|(?:new|fresh)\s+footage)\b",
    re.I,
)
_FORMATS = re.compile(
    r"\b(?:all|every|each|other)\s+(?:the\s+)?(?:formats?|sizes?|aspect\s+ratios?|ratios?|channels?|placements?)\b"
    r"|\bevery\s+channel\b",
    re.I,
)
# The names a user gives the copy's fields when changing them: the brief's labels and every other field's.
EDIT_LABELS = {name: f.name for f in FIELDS for name in (*f.labels, *f.names)}
_LABEL_NAMES = "|".join(sorted((re.escape(n).replace(r"\ ", r"[\s-]+") for n in EDIT_LABELS), key=len, reverse=True))
# "change the headline to Run the city", "make the price $99", "headline: Run the city", "set the tagline as Go",
# "the offer is 30% off boots"
_COPY_CHANGE = re.compile(
    rf"^(?:please\s+)?(?:(?:change|make|set|update|replace|switch|put)\s+(?:the\s+|a\s+)?({_LABEL_NAMES})\s+"
    rf"(?:to\s+say|to\s+read|so\s+it\s+(?:says|reads)|to|as|into|with|=|:)?|({_LABEL_NAMES})\s*[:=]"
    rf"|(?:the\s+)?({_LABEL_NAMES})\s+(?:should\s+(?:say|read|be)|is\s+now|now\s+(?:says|reads|is)|is|says|reads))"
    rf"\s*(.+?)\s*$",
    re.I,
)
# "remove the tagline", "drop the conditions and the code", "no website", "without the CTA": words taken off
_COPY_REMOVE = re.compile(
    r"^(?:please\s+)?(?:remove|drop|delete|cut|hide|lose|clear|take\s+out|take\s+off|get\s+rid\s+of|no|without)"
    r"\s+(.+?)(?:\s+(?:please|(?:from|on)\s+(?:the\s+)?(?:video|screen|end\s+card)))?[\s.!]*$",
    re.I,
)
_ONE_LABEL = re.compile(rf"(?:the\s+)?({_LABEL_NAMES})(?:\s+(?:line|text|words))?", re.I)
# What follows "make the sale" in a change of the video, not of its words ("make the sale video vertical")
_NOT_COPY = re.compile(r"^(?:video|one|ad|clip|version|teaser|spot|reel)\b", re.I)
# "... and the price to $99": another field changed in the same message
_AND_ALSO = re.compile(rf"\s+and\s+(?:the\s+)?({_LABEL_NAMES})\s+(?:to|as|=|:)\s+", re.I)
_STYLE = re.compile(r"^(?:much\s+|a\s+bit\s+)?(?:bigger|smaller|larger|bolder|bold|shorter|longer|brighter|darker|"
                    r"louder|italic|centered|centred|animated|red|blue|green|white|black|yellow)$|^too\s+\w+$",
                    re.I)  # fmt: skip
_USE_ATTACHED = re.compile(
    r"\b(?:the\s+|this\s+|that\s+|my\s+|our\s+)?(?:logo|photo|image|picture|pic)s?\s+(?:from\s+(?:before|earlier)|"
    r"i\s+(?:sent|attached|uploaded))|\b(?:this|the\s+new|the\s+attached|the\s+uploaded)\s+(?:logo|photo|image|picture)\b",
    re.I,
)
# "stop", "/cancel", "please stop the video that is rendering": a stop verb and at most what it stops
_STOP = re.compile(
    r"^\s*(?:please\s+|ok(?:ay)?\s+|now\s+|(?:wait|no|hold\s+on)[\s,!]+)?/?(?:stop|cancel|abort|halt)"
    r"(?:\s+(?:it|that|this|now|please|rendering|"
    r"(?:the|this|that|my)\s+(?:video|render|rendering|job|one)(?:\s+that\s+is\s+rendering|\s+please)?))*[\s.!]*$",
    re.I,
)
_YES = re.compile(
    r"^(?:yes|yep|yeah|yup|sure|ok|okay|go|go ahead|do it|please do|yes please|sounds good|let'?s do it|absolutely|"
    r"of course|please)[.!]*$",
    re.I,
)
# "I approve the price", "approved", "confirm": said to a paid video's price question
_APPROVES = re.compile(
    r"^(?:(?:yes|yep|ok(?:ay)?|sure|fine)[\s,!]+)?(?:i\s+)?(?:approve[sd]?|confirm(?:ed)?|accept(?:ed)?|agree[sd]?)"
    r"(?:\s+(?:to\s+)?(?:it|that|this|(?:the|that|this)\s+(?:price|cost|quote|charge|payment|amount)))?"
    r"(?:\s+please)?[\s.!]*$|^(?:the\s+)?(?:price|cost|quote)\s+is\s+(?:fine|ok(?:ay)?|good|approved)[\s.!]*$",
    re.I,
)
_DECLINE = re.compile(
    r"^(?:(?:no|nope|nah|no\s+thanks?|no\s+thank\s+you|not\s+now|never\s*mind|forget\s+(?:it|that|about\s+it)|"
    r"don'?t\s+(?:make|do|render|bother)(?:\s+(?:it|that|this))?|scratch\s+that)[\s,.!]*)+$",
    re.I,
)
_HELLO = (
    r"(?:hey|hi|hello|hiya|heya|howdy|yo|hallo|greetings|good\s+(?:morning|afternoon|evening|day)|morning|evening)"
    r"(?:\s+(?:there|all|team|everyone|clapboard|friend|bot))?[\s,.!]*"
)
_GREETING = re.compile(
    rf"^(?:{_HELLO})+"
    r"(?:how\s+are\s+you(?:\s+doing)?(?:\s+today)?|how'?s\s+it\s+going|what'?s\s+up)?[\s?.!]*$",
    re.I,
)
_THANKS = re.compile(
    r"^(?:thanks|thank\s+you|thx|ty|cheers|great|cool|nice|awesome|perfect)(?:\s+(?:so\s+much|a\s+lot|very\s+much))?"
    r"[\s!.]*$",
    re.I,
)
_WH = re.compile(r"^(?:what|what's|whats|which|how|why|when|where|who|whose|tell\s+me\s+about|explain)\b", re.I)
# How a question starts ("A 10 s video of our sneaker on a rooftop?" is a brief said unsurely)
_ASKING = re.compile(
    rf"{_WH.pattern}|^(?:can|could|would|will|do|does|did|is|are|was|were|should|may|have|has|any|anything)\b",
    re.I,
)
_HOW_TO = re.compile(r"^(?:how\s+(?:do|can|could|should|would)\s+(?:i|we|you)|how\s+to)\b", re.I)
# A question-shaped brief: "What if our sneaker flew ...?", "Can you make a 6 s video of ...?"
_HYPOTHETICAL = re.compile(r"^(?:what\s+if|imagine|picture\s+this|how\s+about|what\s+about)\b", re.I)
_POLITE_MAKE = re.compile(
    r"^(?:please\s+)?(?:can|could|would|will)\s+(?:you|we|i)\s+(?:please\s+)?(?:make|create|generate|render|produce|"
    r"shoot|build|draft|do|get|have)\s+(?:me\s+|us\s+)?(?:a|an|one|our|my|this|some)\b",
    re.I,
)
# What a question about models is about: their names, prices, formats and lengths.
_ABOUT_MODELS = re.compile(
    r"\b(?:models?|engines?|prices?|pricing|costs?|how\s+much|cheap(?:er|est)?|expensive|free|formats?|"
    r"aspect\s+ratios?|ratios?|sizes?|durations?|lengths?|how\s+long\s+can|longest|shortest|resolutions?|"
    r"\d{3,4}p|4k|available|veo|sora|kling|runway|hailuo|seedance|draft)\b|(?<![\d:])\d{1,2}:\d{1,2}(?![\d:])",
    re.I,
)
_SEVERAL = re.compile(
    r"\b(?:ads|videos|spots|clips|versions|teasers|promos|creatives|cuts|each|both|separate|different|"
    r"one\s+(?:\w+\s+)?(?:for|on)|per\s+channel)\b",
    re.I,
)
# "the YouTube one", "the one for LinkedIn": a follow-up about one video of a set
_ONE_OF_THEM = re.compile(r"\bthe\s+(?:\w+\s+){0,2}(?:one|video|ad|version|cut)\b|\bthe\s+one\s+for\b", re.I)
# What a brief says of itself: "an ad for our socks", "a 15 s TikTok video of the lamp", "a product showcase"
_BRIEF_WORDS = re.compile(
    r"\b(?:an?|our|my|this|product)\s+(?:[\w'-]+\s+){0,3}?(?:ad|advert|video|showcase|teaser|promo|commercial|"
    r"animation)s?\s+(?:for|of|about|showing|featuring)\b|\bproduct\s+(?:video|showcase|shot|demo|ad|teaser)s?\b",
    re.I,
)
_BRIEF_MIN_WORDS = 6  # a descriptive message this long is a brief, even without "make" or "video"
ATTACHED = re.compile(r"\s*\[attached (?:files?|images?): ([^\]]*)\]\s*$")
CLARIFY = "Shall I make a video of"
_CREATIVES = re.compile(
    r"\b(creatives?|library|my videos|our videos|videos (?:we|i) made|what have (?:we|i) made|made so far|"
    r"(?:did|have) (?:we|i) (?:make|made)|(?:did|have) (?:we|i) spen[dt]|spen[dt] so far)\b",
    re.I,
)
_SHOW_BRAND = re.compile(
    r"^(?:(?:show|see|open|view)\s+(?:me\s+|us\s+)?|what(?:'s|\s+is)\s+)?(?:our|the|my)\s+brand(?:\s+kit|ing)?[\s?.!]*$",
    re.I,
)
_MODELS = re.compile(r"\b(models?|engines?)\b.*\?|\b(list|show|which|what|tell\s+me\s+about)\b.*\bmodels?\b", re.I)


class Plan:
    """What the planner decided for one user message."""

    def __init__(self, tool: str | None, args: dict[str, Any] | None = None, reply: str = "") -> None:
        self.tool = tool
        self.args = args or {}
        self.reply = reply


def plan(
    text: str,
    model_names: Sequence[str],
    attached: Sequence[str] = (),
    pending: str = "",
    priced: bool = False,
    voice_names: Sequence[str] = (),
) -> Plan:
    """Turn one user message into a tool call, or into an answer when no tool fits. `attached` names the images
    that came with it; `pending` is the brief of a clarifying question the previous answer asked, `priced` that
    the previous answer was a paid video's price (approved with its button); `voice_names` the voices' ids and
    names ("use Hazel")."""
    text = text.strip()
    command, _, rest = text.partition(" ") if text.startswith("/") else ("", "", text)
    command = command.lower()
    if not command and (spoken := script_change(text, voice_names)) and not _brief_with_words(text, spoken):
        return Plan("revise_video", spoken)  # the new words may say anything
    if not text and attached:
        if fonts := [n for n in attached if is_font(n)]:
            return Plan(None, reply=f"Got {_names(fonts)}. Attach it again with *use this font for headlines* (or "
                        "*for body text*) and it goes in the brand kit.")  # fmt: skip
        return Plan(None, reply=_kept(attached))
    if command == "/export":
        return Plan("export_video", {"placements": names_in(rest) if rest.strip() else []})
    if not command and (export := read_export(text)) is not None:
        return Plan("export_video", export)
    if not command and (share := read_share(text)) is not None:
        return Plan("share_for_review", share)
    if not command and asks_notes(text):
        return Plan("review_notes")
    if not command and asks_revoke(text):
        return Plan(None, reply=REVOKE_HOW)
    if command == "/brand" or (not command and _SHOW_BRAND.match(text)):
        return Plan("show_brand", {"campaign": rest.strip().strip("\"'")} if command and rest.strip() else {})
    if not command and (brand := read_brand(text)):
        return Plan("set_brand", brand.model_dump(exclude_defaults=True))
    if priced and _APPROVES.match(text):  # the price, not a review: approved with its button
        return Plan(None, reply=f"{BY_BUTTON} (the price is approved there), or say *cancel*.")
    if _YES.match(text):
        if pending:
            return Plan("generate_video", read_options(pending, model_names).args())
        if priced:
            return Plan(None, reply=f"{BY_BUTTON} (the price is approved there), or say *cancel*.")
        return Plan(None, reply=f"{NOTHING_ASKED} {_TRY}")
    if _DECLINE.match(text):
        return Plan(None, reply=f"{NOTHING_STARTED} Describe a video whenever you are ready.")
    if _GREETING.match(text):
        return Plan(None, reply=f"{GREETING} I make short video ads for your campaigns. {_TRY}")
    if _THANKS.match(text):
        return Plan(None, reply=f"{WELCOME} {_TRY}")
    if command in ("/help", "/start") or (not command and (text in ("help", "?") or _HOW_TO.match(text))):
        return Plan(None, reply=HELP)
    if command == "/models" or (not command and _MODELS.search(URL.sub(" ", text)) and not _GENERATE.search(text)):
        return Plan("list_video_models")
    asked = not command and _is_question(text) and not _brief_after_all(text)
    if command in ("/library", "/creatives") or (
        not command and _CREATIVES.search(text) and (asked or not _asks_for_new(text))
    ):
        options = dict((k.lower(), v.strip("\"'")) for k, v in OPTION.findall(rest))
        campaign = options.get("campaign") or (rest.strip().strip("\"'") if command and rest.strip() else None)
        campaign = campaign or (None if command else campaign_named(text))
        return Plan("list_creatives", {"campaign": campaign} if campaign else {})
    if command and command not in ("/generate", "/video", "/make"):
        return Plan(None, reply=f"I don't know the command `{command}`.\n\n{HELP}")
    several = channel_set(rest)
    if not command and not several and (change := _iteration(text, model_names, attached, voice_names)):
        return change
    if not several and asked:
        return _answer(text, model_names)
    if not command and not (_GENERATE.search(text) or URL.search(text) or _is_brief(text) or _is_question(text)):
        return Plan(
            None, reply=f"{CLARIFY} “{text}”? Say *yes*, or tell me more: the product, the offer, where it runs."
        )
    args = read_options(rest, model_names).args()
    if isinstance(args.get("duration_s"), str):
        return Plan(None, reply=f"I could not read the duration '{args['duration_s']}': write it like 8s or 8 seconds.")
    if several:
        args.pop("aspect", None)  # each channel's own
        args["channels"] = several
    return Plan("generate_video", args)


def channel_set(text: str) -> list[str]:
    """The channels of a brief for several ads, one per channel ("one for TikTok, one for YouTube", "ads for Reels
    and Shorts"), each with the format stated for it ("linkedin 16:9"); empty for a brief of one video."""
    found = channels_in(text)
    if len(found) < 2 or not (_SEVERAL.search(text) or len({a or c.aspect for c, a in found}) > 1):
        return []
    return [f"{c.key} {a}" if a else c.key for c, a in found]


def _answer(text: str, model_names: Sequence[str]) -> Plan:
    """A question answered: the model table for models, prices, formats and lengths; else what it can do."""
    if _ABOUT_MODELS.search(text) or find_name(text, model_names):
        return Plan("list_video_models")
    return Plan(None, reply=HELP)


def _iteration(
    text: str, model_names: Sequence[str], attached: Sequence[str], voice_names: Sequence[str] = ()
) -> Plan | None:
    """A change to the conversation's latest video: variations, every format, new words on screen, its sound
    ("no music", "female voice"), or other options ("make it square", "10 seconds", "try it on kling", "use the
    logo from before", "now for YouTube")."""
    words = len(text.split())
    if words > _REVISE_MAX_WORDS:
        return None
    sound, rest = sound_changes(text, voice_names)
    if sound:  # alone, or with another change of the video ("make it square, no music"); else a brief's words
        if only_filler(rest):
            return Plan("revise_video", sound)
        other = _iteration(rest, model_names, attached)
        return Plan("revise_video", {**other.args, **sound}) if other and other.tool == "revise_video" else None
    if speaks_of_voice(text) and not _GENERATE.search(text):  # "the voice-over should be calmer"
        return Plan(None, reply=VOICE_HELP)
    if asks_every_format(text):
        return Plan("make_formats")
    fresh = {"new_footage": True} if _NEW_FOOTAGE.search(text) else {}
    asked = _NEW_FOOTAGE.sub(" ", text).strip() if fresh else text
    if ask := _asked_variation(asked):
        return Plan("make_variations", {"count": 1, "change": ask, **fresh})
    if count := _variations(asked):
        return Plan("make_variations", {"count": count, **fresh})
    if copy := copy_changes(text):
        return copy
    changes = {k: v for k, v in read_options(text, model_names).args().items() if k in CHANGES}
    if len(named := channels_in(text)) == 1:
        channel, stated = named[0]
        changes["channel"] = channel.key  # its format is the channel's, unless one is stated for it
        changes.pop("aspect", None)
        if stated:
            changes["aspect"] = stated
    if _USE_ATTACHED.search(text) or (attached and _REVISE.search(text)):
        changes["use_attachments"] = True
    short = words <= 5 and not (_asks_for_new(text) or _GENERATE.search(text) or _is_question(text))
    if changes and (_REVISE.search(text) or short or (named and _ONE_OF_THEM.search(text))):
        return Plan("revise_video", changes)
    return None


def _asked_variation(text: str) -> str | None:
    """The one change a message asks a variation for ("a variation with the price first", "try another
    colourway"), as a key of VARIATION_ASKS, or None."""
    return ask if (ask := read_ask(text)) and _ANOTHER.search(text) else None


def _variations(text: str) -> int:
    """How many other takes a message asks for ("do 2 more variations", "another take", "a couple more
    versions"), or 0 when it asks for something else."""
    m = _VARIATIONS.search(text)
    if not m or _AROUND_VARIATIONS.sub("", text.replace(m.group(0), " ")):
        return 0
    said = re.sub(r"\s+", " ", (m.group(1) or m.group(2) or m.group(3) or "3").lower())
    return int(said) if said.isdigit() else _COUNT_WORDS.get(said, 3)


def copy_changes(text: str) -> Plan | None:
    """New words on screen, for any field: "change the headline to Run the city and the price to $99",
    "tagline: Go", "change the code to KNIT40", "the offer is 30% off boots", "remove the tagline" (an empty field).
    Quoted words are kept as written. Styling ("make the headline bigger") is answered, never put on screen."""
    if removed := _removed(text):
        return Plan("revise_video", {"copy": removed})
    m = _COPY_CHANGE.match(text)
    if not m or _NOT_COPY.match(m.group(4)) or (m.group(3) and _GENERATE.search(m.group(4))):
        return None
    parts = _AND_ALSO.split(m.group(4))
    pairs = [(m.group(1) or m.group(2) or m.group(3), parts[0]), *zip(parts[1::2], parts[2::2], strict=True)]
    copy: dict[str, Any] = {}
    for label, raw in pairs:
        value = _said(raw)
        if not value or _STYLE.match(value):
            return Plan(None, reply="I can change the words on screen, the format, the length and the model, but "
                        "not the style of the text. Say, e.g., *change the headline to Run the city*.")  # fmt: skip
        name = _field(label)
        copy[name] = _value(name, value)
    return Plan("revise_video", {"copy": copy})


def _removed(text: str) -> dict[str, Any]:
    """The fields a message takes off screen ("drop the conditions and the code"), each empty; {} for another
    message."""
    m = _COPY_REMOVE.match(text)
    found = [_ONE_LABEL.fullmatch(n) for n in re.split(r"\s*,\s*(?:and\s+)?|\s+and\s+", m.group(1))] if m else []
    if not found or not all(found):
        return {}
    fields = [_field(f.group(1)) for f in found if f]
    return {f: [] if f in ("features", "conditions") else "" for f in fields}


def _field(label: str) -> str:
    return EDIT_LABELS[re.sub(r"[\s-]+", " ", label.lower())]


def _said(raw: str) -> str:
    """The words a change gives: quoted text exactly as written, else without closing punctuation."""
    raw = raw.strip()
    if quoted := re.fullmatch(r"\"([^\"]+)\"|“([^”]+)”|'([^']+)'|‘([^’]+)’", raw):
        return next(g for g in quoted.groups() if g is not None)
    return raw.strip("\"“”'").rstrip(".!").strip()


def _value(name: str, value: str) -> str | list[str]:
    """A field's value from the words given: features and conditions as lists, a bare promo code with its verb."""
    if name == "features":
        return split_features(value)
    if name == "conditions":
        return [c for c in (p.strip() for p in re.split(r"\s*[;\n]\s*|,\s+", value)) if c]
    if name == "code" and " " not in value:
        return f"Use code {value}"
    return value


def asks_every_format(text: str) -> bool:
    """Whether a message asks for every format ("all formats", "every size", "each placement")."""
    return bool(_FORMATS.search(text))


def is_stop(text: str) -> bool:
    """Whether a message asks to stop the render ("stop", "cancel", "/cancel", "stop the video that is rendering");
    never a brief that starts with the word ("Stop motion video of our sneaker")."""
    return bool(_STOP.match(text))


def _is_question(text: str) -> bool:
    """Asked ("...?", not a "?" inside a pasted URL) or worded as a question ("what models can I use"); "Do a
    teaser" is a request."""
    return "?" in URL.sub(" ", text) or bool(_WH.match(text))


def _brief_after_all(text: str) -> bool:
    """A brief worded as a question: "What if our sneaker flew over the city? 10 s vertical", "Can you make a 6 s
    video of our sneaker?", "Why settle for less? A 6 s ad for our razors"."""
    if _HYPOTHETICAL.match(text) or _POLITE_MAKE.match(text):
        return True
    said = [s for s in re.split(r"(?<=[?!.])\s+", URL.sub(" ", text)) if s and not _ASKING.match(s)]
    return any(_GENERATE.search(s) or parse_duration(s) or parse_aspect(s) for s in said)


def _brief_with_words(text: str, spoken: dict[str, Any]) -> bool:
    """A first brief that gives its voice-over's words ("Voice-over: Fresh socks, every day. An ad for our wool
    socks"), not a change to the last video's: it asks to change nothing, and names a length or a format, or what
    follows the voice-over's label holds a brief's words ("an ad for ...", "a product video") or is longer than a
    change."""
    asks_change = re.match(r"^(?:please\s+)?(?:change|make|set|update|replace|rewrite|switch)\b", text, re.I)
    said = str(spoken.get("script", ""))
    briefed = _BRIEF_WORDS.search(said) or len(said.split()) > _REVISE_MAX_WORDS
    return not asks_change and bool(parse_duration(text) or parse_aspect(text) or briefed)


def _is_brief(text: str) -> bool:
    """A descriptive message (several words, not a question) is a brief even without "make" or "video"."""
    return len(text.split()) >= _BRIEF_MIN_WORDS and not _is_question(text)


def _names(names: Sequence[str]) -> str:
    return ", ".join(f"*{n}*" for n in names)


def _kept(names: Sequence[str]) -> str:
    what = _names(names)
    return (
        f"Got {what}. I'll use it in your next video here (and keep it for the ones after, until you attach "
        "another). Describe the video, e.g. *a 6 second vertical product showcase, price $129*."
    )


def _asks_for_new(text: str) -> bool:
    return bool(re.search(r"\b(make|create|generate|render|produce)\b", text, re.I))
