"""Copy an LLM read, checked against the brief it read: a pure function, `check_copy`.

An LLM reads copy well and sometimes badly: it drops a price, rewrites a promo code ("KNIT30" as "KNIT-30"),
invents a tagline, or puts the campaign's name on screen. The check holds it to the brief's words:

- quoted text, prices, promo codes and offers the brief gives must survive unchanged; the offline reader
  (`read_copy`) found them, and what the LLM dropped or rewrote is put back from it;
- an instruction (the campaign's or a model's name, a channel, confidentiality, how to make the video: camera,
  light, format, length, style, labels) never stays on screen;
- every other line on screen must be traceable to the brief's copy (`copy_clauses`): one of its clauses or a run
  of them, word for word but for the brief's typos, or a name it says; fragments ("Promo for"), lead-ins
  ("Headlne:"), sentences of directions ("Soft morning light, steam rising") are not copy. A line the brief
  misspelt is shown as the rules spell it; a line in two fields stays in one; a field whose lines all came off
  falls back to the rules' reading of it;
- unless the brief asked the assistant to write that line ("write a catchy headline"): then it stays, and the
  note says so ("I wrote this headline: ... Change it?"). Facts (price, offer, code, conditions, website, sale)
  are never written by the assistant.

The result is the checked copy and a note for every change. A revision's words (`check_edit`) are held to what
the user said the same way, but nothing is put back over the change they asked for.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from difflib import SequenceMatcher, get_close_matches
from functools import partial
from typing import Any, Literal

from pydantic import BaseModel, Field

from tools.brief.copy import DIRECTION_LABELS, FIELD, FIELD_NAMES, FIELDS, LABEL_FIELDS, AdCopy, read_copy
from tools.brief.instructions import QUOTED, campaign_named, without_instructions
from tools.channels import CHANNELS

LISTS = ("features", "conditions")
PROTECTED = ("price", "offer", "code")  # with quoted text, prices and offers anywhere: what must survive as written
WRITABLE = ("headline", "tagline", "features", "cta", "end_text")  # what the assistant may write when asked
_SIMILAR = 0.6  # a line this close to a protected one is its rewrite, replaced in place
_TYPO = 0.75  # a word this close to one of the brief's is that word, misspelt in the brief

# "write a catchy headline", "come up with a tagline", "suggest a CTA", "headline: up to you": a field's labels
# name it; "copy", "text" and "words" name every line the assistant may write.
_COPY_WORDS = {**{label: (f.name,) for f in FIELDS for label in f.labels}, "copy": WRITABLE, "text": WRITABLE,
               "words": WRITABLE}  # fmt: skip
_COPY_NOUN = (
    r"(headline|title|hook|tagline|slogan|feature|cta|call[\s-]to[\s-]action|end\s+(?:text|line|card)|"
    r"closing\s+line|copy|text|words)(?:e?s)?"
)
_ASK = re.compile(
    r"(?i)\b(?:write|come\s+up\s+with|suggest|invent|craft|think\s+of|make\s+up|brainstorm|create|need|give\s+(?:me|us|it))"
    r"\s+(?:me\s+|us\s+)?(?:(?:a|an|some|the|its|your\s+own|one|two|three)\s+)?"
    r"(?:(?:catchy|short|punchy|snappy|fun|clever|bold|good|great|strong|memorable|new|nice|cool|witty|fresh|"
    r"simple|killer|on-screen|closing|\w+-\w+)\s+)*"
    rf"{_COPY_NOUN}\b"
    rf"|\b{_COPY_NOUN}\s*[:=]?\s*(?:is\s+)?(?:up\s+to\s+you|your\s+(?:call|choice|pick)|you\s+(?:decide|choose|pick))"
)
_CONFIDENTIAL = re.compile(
    r"(?i)\b(?:confidential|confidentiel|confidencial|internal(?:\s+only|\s+use)|nur\s+intern|nicht\s+teilen|nda|"
    r"uso\s+interno|no\s+compartir|"
    r"embargo(?:ed)?|do\s+not\s+(?:share|distribute|publish)|top\s+secret|code\s*-?\s*name|working\s+title)\b"
)
# How to make the video, never its words: camera, light, format, length, what the video is, where a line goes.
_DIRECTION = re.compile(
    r"(?i)\b(?:close[\s-]?ups?|wide\s+shots?|medium\s+shots?|zoom(?:s|ing)?|pan(?:s|ning)?\s+(?:left|right|across|"
    r"to|over)|dolly|push\s+in|tracking\s+shots?|travelling|c[aâ]mera|kamera|slow[\s-]?mo(?:tion)?|cut\s+to|"
    r"fade\s+(?:in|out|to)|b-roll|drone\s+shots?|aerial\s+shots?|voice[\s-]?over|"
    r"(?:soft|warm|cool|rim|studio|window|natural|morning|evening|golden|dark)\s+(?:window\s+)?light(?:ing)?|"
    r"golden\s+hour|dark\s+studio|lumi[eè]re|luz\s+suave|"
    r"16:9|9:16|1:1|4:5|4:3|21:9|vertical|horizontal|landscape|hochformat|querformat|formato|"
    r"(?<!\bin )\d+\s?(?:s|secs?|seconds?|segundos?|sekunden|secondes?)|"
    r"ad|advert|spot|teaser|pub|anuncio|werbung|end\s+card|ending\s+with|end(?:ing)?\s+on|clos(?:e|ing)\s+with|"
    r"as\s+(?:the\s+)?(?:headline|tagline|cta)|(?:don'?t|do\s+not|avoid)\s+show(?:ing)?|draft\s+quality|"
    r"nothing\s+fancy|\w+\s+style|estilo|cinematic|film\s+look|handheld|slow\s+orbit|orbiting|slow\s+fade|lighting|shadows|"
    r"(?:overhead|top|hero|establishing|product)\s+shots?|schwenk|luz|fundo|turntable|rotating|scene|setup|"
    r"template|duration|format|campaign|campaña|campagne|kampagne|(?:hi|hello|hey)\s+team|bonjour|quick\s+one|"
    r"(?:final|the)\s+brief|make\s+(?:a|an|it|the)|keep\s+it|necesitamos|write\s+it|just\s+show|"
    r"no\s+(?:music|sound|voice|text)|don'?t\s+mention|beats|at\s+the\s+end|last\s+frame|main\s+message|"
    r"(?:price|product)\s+is|vid|video|vidéo|vídeo|cierra\s+con|finir\s+sur|pra\s+gerar|bitte|end\s+with|"
    r"ne\s+pas|pas\s+de\s+texte|titular|condiciones|bedingungen|endkarte|button|notes)\b"
    r"|\b(?:headline|tagline|cta|features?|conditions?|promo|site|titre|slogan|titular|oferta|condiciones|offer|"
    r"product|end\s+text|model|recursos|notes?|angebot|produto|preço|precio|prix)\s*[:\-–]"
)
_ORDINARY_MODELS = ("draft", "runway")  # model names that are ordinary words too: instructions only as said so
# Channel names that are never ordinary words ("shorts", "reels" and "stories" can be: they are left alone).
_CHANNEL = re.compile(
    r"(?i)(?<![\w-])(?:"
    + "|".join(c.pattern for c in CHANNELS if c.key not in ("shorts", "reels", "stories", "instagram-feed"))
    + r")(?![\w-])"
)
_GLUE = frozenset({"a", "an", "the", "and", "or", "of", "to", "in", "on", "at", "for", "with", "by", "from", "your",
                   "our", "use"})  # fmt: skip
# A price or an offer: what in the offline reader's lines must survive, whichever field it put them in.
_FACTUAL = re.compile(r"[$€£¥₹]\s?\d|\d\s?[$€£¥₹%]|\b\d+(?:[.,]\d+)?\s?(?:USD|EUR|GBP|CAD|AUD|CHF)\b")
# "use code KNIT30", "promo code: SPRING-10": the code as the brief wrote it, with its verb.
_CODE = re.compile(r"(?i)\b(?:(?:use|enter|with|apply)\s+)?(?:(?:promo|discount|coupon)\s+)?code\s*[:=]?\s*"
                   r"(?-i:[A-Z0-9][A-Z0-9_-]*[0-9A-Z])\b")  # fmt: skip
_TOKEN = re.compile(r"[^\W_]+")


class Note(BaseModel):
    """One change the check made to the LLM's copy, or a line the assistant wrote."""

    kind: Literal["restored", "removed", "written"]
    field: str = Field(description="The copy field: headline, price, code, ...")
    text: str = Field(description="The words now on screen (restored, written) or taken off (removed).")
    why: str = Field(default="", description="Why: what was there instead, or why the words came off.")

    def say(self) -> str:
        """The note in a sentence for the user."""
        what = FIELD[self.field].noun if self.field in FIELD else self.field
        if self.kind == "written":
            return f"I wrote this {what}: “{self.text}”. Change it?"
        if self.kind == "restored":
            return f"Put back the brief's {what} “{self.text}” ({self.why})."
        return f"Left “{self.text}” off screen: {self.why}."


class Checked(BaseModel):
    """The copy after the check, and what the check changed."""

    copy: AdCopy  # type: ignore[assignment]
    notes: list[Note] = Field(default_factory=list)

    def say(self) -> str:
        """Every note, one sentence each."""
        return " ".join(n.say() for n in self.notes)


def asked_to_write(brief: str) -> set[str]:
    """The copy fields the brief asks the assistant to write ("write a catchy headline": {"headline"})."""
    asked: set[str] = set()
    for m in _ASK.finditer(brief):
        noun = re.sub(r"[\s-]+", " ", (m.group(1) or m.group(2)).lower())
        noun = noun if noun in _COPY_WORDS else re.sub(r"e?s$", "", noun)
        asked.update(_COPY_WORDS.get(noun, ()))
    return asked


def check_copy(brief: str, copy: AdCopy, model_names: Sequence[str] = ()) -> Checked:
    """`copy` (as an LLM read it from `brief`) held to the brief's words: protected facts put back, instructions
    and invented lines taken off, lines the brief asked the assistant to write kept and flagged."""
    words = without_instructions(brief, model_names)
    offline = read_copy(brief, model_names)
    lines = {name: _values(copy, name) for name in FIELD_NAMES}
    notes: list[Note] = []
    clauses = copy_clauses(words, model_names)
    keeps = partial(_keepable, brief=brief, words=words, clauses=clauses, model_names=model_names)
    trusted = _restore(lines, _facts(offline, words), words, keeps, notes)
    asked = asked_to_write(words)
    quoted = set(_quoted(words))
    for name in FIELD_NAMES:
        kept = []
        for said in lines[name]:
            text = _respelt(said, offline)  # the brief's typo as the rules wrote it right ("fre returns")
            if text != said:
                notes.append(Note(kind="restored", field=name, text=text, why=f"I had “{said}”"))
            trust = text in trusted or text in quoted or text in _values(offline, name)
            note = None if trust else _judged(text, name, brief, words, model_names, asked, _traceable(text, clauses))
            kept += [text] if note is None or note.kind == "written" else []
            notes += [note] if note else []
        if lines[name] and not kept and (fallback := [v for v in _values(offline, name) if not _shown(v, lines)]):
            kept = fallback  # what the LLM put here came off: the offline reader's line, if it read one
            notes += [Note(kind="restored", field=name, text=v, why="read by rules") for v in fallback]
        lines[name] = kept
    _once(lines, offline, notes)
    fields = {n: v if n in LISTS else (v[0] if v else "") for n, v in lines.items()}
    return Checked(copy=AdCopy.model_validate(fields), notes=notes)


def _respelt(text: str, offline: AdCopy) -> str:
    """The rules' line that says `text` word for word but for the brief's typos ("Free returns" for "fre
    returns"), else `text` (case and punctuation are the model's)."""
    said = _TOKEN.findall(_norm(text))
    respelt = (v for v in offline.texts() if (read := _TOKEN.findall(_norm(v))) != said and _same(said, read))
    return next(respelt, text)


def _once(lines: dict[str, list[str]], offline: AdCopy, notes: list[Note]) -> None:
    """A line shown in several fields kept in one: where the rules read it, else the first."""
    fields: dict[str, list[str]] = {}
    for name in FIELD_NAMES:
        for text in lines[name]:
            fields.setdefault(text.casefold(), []).append(name)
    for key, names in fields.items():
        home = next((n for n in names if key in {v.casefold() for v in _values(offline, n)}), names[0])
        for name in (n for n in names if n != home):
            text = next(t for t in lines[name] if t.casefold() == key)
            lines[name].remove(text)
            notes.append(Note(kind="removed", field=name, text=text, why=f"it is the {FIELD[home].noun} already"))


def check_edit(said: str, change: dict[str, Any], model_names: Sequence[str] = ()) -> tuple[dict[str, Any], Checked]:
    """A revision's copy (the fields that change: their words, or nothing to remove them) held to what the user
    `said`: instructions and invented lines taken off, lines they asked the assistant to write kept and flagged.
    Nothing is put back (the user may be changing a fact); a field whose every line came off is left out of the
    change, so the video keeps its words. Returns the change and the check (its copy: the lines kept)."""
    words = without_instructions(said, model_names)
    asked, quoted = asked_to_write(words), set(_quoted(words))
    out: dict[str, Any] = {}
    notes: list[Note] = []
    for name, value in change.items():
        lines = [v for v in (value if isinstance(value, list) else [value]) if v]
        kept = []
        for text in lines:
            note = (
                None if text in quoted else _judged(text, name, said, words, model_names, asked, _in_brief(text, words))
            )
            kept += [text] if note is None or note.kind == "written" else []
            notes += [note] if note else []
        if kept or not lines:
            out[name] = kept if name in LISTS else (kept[0] if kept else "")
    return out, Checked(copy=AdCopy.model_validate({n: v for n, v in out.items() if v}), notes=notes)


def _judged(
    text: str, name: str, brief: str, words: str, model_names: Sequence[str], asked: set[str], traced: bool
) -> Note | None:
    """What the check says of a line that is not a fact or quoted: None when it is the brief's copy (`traced`),
    a note when it comes off (an instruction, or words the brief does not give) or was written as asked."""
    if why := _instruction(text, brief, words, model_names):
        return Note(kind="removed", field=name, text=text, why=why)
    if traced:
        return None
    if name in asked and name in WRITABLE:
        return Note(kind="written", field=name, text=text)
    why = "the brief does not say it" if not _in_brief(text, words) else "the brief does not give it as copy"
    return Note(kind="removed", field=name, text=text, why=why)


def _values(copy: AdCopy, name: str) -> list[str]:
    value = getattr(copy, name)
    return [v for v in (value if isinstance(value, list) else [value]) if v]


def _quoted(words: str) -> list[str]:
    return [q.strip() for m in QUOTED.finditer(words) if (q := next(g for g in m.groups() if g is not None)).strip()]


def _facts(offline: AdCopy, words: str) -> list[tuple[str, str, bool]]:
    """What must survive word for word, with the field the offline reader put it in and whether it is quoted:
    its price, offer and code, and the brief's quoted text."""
    facts = [(n, v, False) for n in FIELD_NAMES for v in _values(offline, n) if n in PROTECTED or _FACTUAL.search(v)]
    if not offline.code and (code := _CODE.search(words)):
        facts.append(("code", code.group(0)[0].upper() + code.group(0)[1:], False))
    for q in _quoted(words):
        home = next(
            (n for n in FIELD_NAMES if any(_similar(q, v) >= _SIMILAR for v in _values(offline, n))), "headline"
        )
        facts.append((home, q, True))
    return facts


def _restore(
    lines: dict[str, list[str]],
    facts: list[tuple[str, str, bool]],
    words: str,
    keeps: Callable[[str], bool],
    notes: list[Note],
) -> set[str]:
    """Each fact missing from `lines` put back: in place of its closest rewrite, else in its field (for quoted
    text the first of headline and tagline that is free or not the brief's). Returns the facts, which the rest of
    the check trusts, and the lines that say a fact in the brief's other words ("$4.50" for "only $4.50", "Code
    HIVER30" for "Use code HIVER30"). A line the check would not keep (`keeps`) is free for a fact."""
    trusted = {fact for _, fact, _ in facts}
    for name, fact, quoted in facts:
        if _shown(fact, lines):
            continue
        if not quoted and (same := [t for t in lines[name] if _says(t, fact, words)]):
            trusted.update(same)
            continue
        close = [(_similar(fact, t), n, i) for n, texts in lines.items() for i, t in enumerate(texts)]
        score, where, index = max(close, default=(0.0, name, -1))
        if score < _SIMILAR:  # no rewrite of it: in its field, or for quoted text the first free of the two lines
            homes = [name, *(("headline", "tagline") if quoted else ())]
            where = next((n for n in homes if n in LISTS or not lines[n] or not keeps(lines[n][0])), name)
            index = -1 if where in LISTS or not lines[where] else 0
        why = f"I had “{lines[where][index]}”" if index >= 0 else "it had been left out"
        if index >= 0:
            lines[where][index] = fact
        else:
            lines[where].append(fact)
        notes.append(Note(kind="restored", field=where, text=fact, why=why))
    return trusted


_LEADS = frozenset({"only", "from", "just", "use", "with", "enter", "apply"})  # what a fact's line may leave out


def _says(line: str, fact: str, words: str) -> bool:
    """Whether `line` is the brief's own words (case aside) and has every word of `fact` but its lead ("only",
    "use"): the fact said as the brief says it. "30% off" does not say "30% off boots"."""
    return _norm(line) in _norm(words) and _tokens(fact) - _LEADS - _GLUE <= _tokens(line)


def _shown(text: str, lines: dict[str, list[str]]) -> bool:
    """Whether a line shows `text` as written (its first letter's case aside), or a list shows it split."""
    shown = [t for texts in lines.values() for t in [*texts, ", ".join(texts)]]
    return any(text in t or _uncap(text) in _uncap(t) for t in shown)


def _uncap(text: str) -> str:
    return text[:1].lower() + text[1:]


def _similar(a: str, b: str) -> float:
    return SequenceMatcher(None, a.casefold(), b.casefold()).ratio()


def _instruction(text: str, brief: str, words: str, model_names: Sequence[str]) -> str:
    """Why `text` is an instruction rather than copy, or "" when it is not."""
    campaign = campaign_named(brief)
    if campaign and _has(text, campaign) and not _has(words, campaign):
        return "it is the campaign's name"
    if any(_has(text, m) and (m not in _ORDINARY_MODELS or not _has(words, m)) for m in model_names if len(m) > 2):
        return "it names a video model"
    if _CHANNEL.search(text):
        return "it names a channel"
    if _CONFIDENTIAL.search(text):
        return "it is a confidentiality note"
    if _DIRECTION.search(text):
        return "it says how to make the video"
    said_only_as_instruction = _tokens(brief) - _tokens(words) - _GLUE
    if _tokens(text) & said_only_as_instruction:
        return "it is an instruction"
    return ""


def _keepable(
    text: str,
    brief: str,
    words: str,
    clauses: tuple[list[list[str]], list[tuple[str, bool]]],
    model_names: Sequence[str],
) -> bool:
    """Whether the check keeps `text` as the brief's own copy: no instruction, and traceable to its copy."""
    return not _instruction(text, brief, words, model_names) and _traceable(text, clauses)


# Where a brief's clauses end: punctuation, a dash, a bracket, and the "with", "and" or "&" of a list.
_CLAUSE_END = re.compile(r",?\s+(?:with|and|&)\s+|[.;!?()\n|¡¿]+|,\s+|:\s+|\s[-–—]\s", re.I)
_JOINED = re.compile(r"(?i),?\s+(?:and|&)\s+")  # "next week and need a video": one instruction
_LEAD_IN = re.compile(r":\s+")
_SENTENCE_END = re.compile(r"[.;!?\n¡¿]")
_LABEL_TOKENS = frozenset(label for label in LABEL_FIELDS if " " not in label)  # "CTA order today"


def copy_clauses(words: str, model_names: Sequence[str] = ()) -> tuple[list[list[str]], list[tuple[str, bool]]]:
    """The brief's copy as clauses of words, in order, and the clauses where a name may be copy. The copy is the
    brief's clauses (`without_instructions`) less the instructions: a clause that says how to make the video or
    names a channel, model or confidentiality, with what "and" joins to it; every clause of a sentence that is
    half instructions or more ("Soft morning light, steam rising, 9:16"); what an instruction's label labels
    ("Template: Bold Promo v2"), which is no name either; and lead-ins before a colon ("Headline:", "Holiday gift
    guide pick:"). A label word starting a clause ("CTA order today") is dropped. The clauses where a name may be
    are all but the labelled ones, each with whether it is an instruction."""
    parts: list[tuple[str, str]] = []  # each clause, and what ends it
    at = 0
    for end in [*_CLAUSE_END.finditer(words), None]:
        parts.append((words[at : end.start() if end else len(words)], end.group(0) if end else ""))
        at = end.end() if end else len(words)
    tokens = [_TOKEN.findall(_norm(c)) for c, _ in parts]
    lead = [_LEAD_IN.fullmatch(e) is not None for _, e in parts]
    own = [bool(_instruction(c, "", c, model_names)) for c, _ in parts]
    label = [
        d and DIRECTION_LABELS.fullmatch(f"{c.strip()}: x") is not None for (c, _), d in zip(parts, lead, strict=True)
    ]
    labelled = [False] * len(parts)
    said = [not o and not d for o, d in zip(own, lead, strict=True)]
    start = 0
    for i, (_, ending) in enumerate(parts):
        if i + 1 < len(parts) and not _SENTENCE_END.search(ending):
            continue
        sentence = [j for j in range(start, i + 1) if tokens[j] and not lead[j]]
        directions = sum(own[j] for j in sentence)
        for j in sentence:
            labelled[j] = any(label[start:j])
            said[j] = said[j] and not labelled[j] and not (directions and 2 * directions >= len(sentence))
        start = i + 1
    for i in range(len(parts) - 1):
        if _JOINED.fullmatch(parts[i][1]) and not (said[i] and said[i + 1]):
            said[i] = said[i + 1] = False
    out = []
    for words_of, copy in zip(tokens, said, strict=True):
        while words_of and words_of[0] in _LABEL_TOKENS:
            words_of = words_of[1:]
        if copy and words_of:
            out.append(words_of)
    names = [(c.strip(), o) for (c, _), o, off in zip(parts, own, labelled, strict=True) if not off]
    return out, names


def _traceable(text: str, clauses: tuple[list[list[str]], list[tuple[str, bool]]]) -> bool:
    """Whether `text` says one of the brief's copy clauses or a run of them, word for word (a typo of the brief's
    aside), or is a name the brief says ("Ad for the AirGlide 2 Pro")."""
    said = _TOKEN.findall(_norm(text))
    copy, every = clauses
    for i in range(len(copy)):
        run: list[str] = []
        for clause in copy[i:]:
            run = [*run, *clause]
            if len(run) >= len(said):
                break
        if said and _same(said, run):
            return True
    return _named(text, every)


def _named(text: str, clauses: list[tuple[str, bool]]) -> bool:
    """Whether `text` is a name the brief says ("AURORA X", "AirGlide 2 Pro"): capitalised words or model numbers,
    as written, inside a clause; one plain word only inside copy, and not where a sentence starts ("Hey!", "Reels"
    in "9:16 for TikTok + Reels" are no names)."""
    if not all(w[:1].isupper() or w[:1].isdigit() for w in text.split()):
        return False
    plain = len(text.split()) == 1 and not re.search(r"\d|.[A-Z]", text)
    for clause, instruction in clauses:
        for m in re.finditer(rf"(?<![\w-]){re.escape(text)}(?![\w-])", clause):
            if not (plain and (instruction or not clause[: m.start()].strip())):
                return True
    return False


def _same(said: list[str], brief: list[str]) -> bool:
    return len(said) == len(brief) and all(_known(s, {b}) for s, b in zip(said, brief, strict=True))


def _in_brief(text: str, words: str) -> bool:
    """Whether every word of `text` is one of the brief's (case aside; a plural for a singular)."""
    if _norm(text) in _norm(words):
        return True
    known = _tokens(words)
    return all(_known(t, known) for t in _tokens(text) - _GLUE)


def _known(token: str, known: set[str]) -> bool:
    """Whether the brief has this word: as it is, singular or plural, or misspelt ("fre shipping", "shpo now")."""
    if token in known or token + "s" in known or token.removesuffix("s") in known:
        return True
    return token.isalpha() and len(token) > 2 and bool(get_close_matches(token, known, n=1, cutoff=_TYPO))


def _has(text: str, phrase: str) -> bool:
    """Whether `text` says `phrase` (case aside; "veo-3.1" is "Veo 3.1")."""
    phrase, text = _norm(phrase).replace("-", " "), _norm(text).replace("-", " ")
    return re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", text) is not None


def _tokens(text: str) -> set[str]:
    return set(_TOKEN.findall(_norm(text)))


def _norm(text: str) -> str:
    text = text.replace("“", '"').replace("”", '"').replace("’", "'").replace("«", '"').replace("»", '"')
    return re.sub(r"\s+", " ", text).strip().casefold()
