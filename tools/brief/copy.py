"""On-screen copy: the words a creative shows, as explicit fields (sale, headline, tagline, features, offer, price,
conditions, promo code, call to action, website, end text), and the strict reading of a brief that finds them when
they were not given.

A brief mixes what the ad says with how to make it. Only text the brief gives *as copy* is taken: quoted text (byte
for byte), labelled fields ("tagline: ...", "CTA Shop now", "offer: ...", "code: ..."), sale names, offers with
their scope ("25% off all jackets"), their conditions ("free shipping over $50": its amount is never the price),
prices, promo codes with their verb ("Use code KNIT30"), calls to action in the brief's words, websites and
handles, features listed after "featuring", "features:" or the product ("with X, Y and Z"), "the words ... at the
end", and product or brand names with their suffixes (AURORA X, iPhone, Nike Air Max, Kettle Pro 2). Campaign
names, instructions, confidentiality markers, model, template and platform words and stage directions are never
copy: what the brief does not give as copy stays off screen.
"""

from __future__ import annotations

import difflib
import re
import warnings
from collections.abc import Sequence
from typing import Annotated, Any, NamedTuple

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from campaign.text import storable
from tools.brief.instructions import QUOTED, VERSION, without_instructions

# Requests, jobs and creatives call their copy `copy` (the API's word), which shadows pydantic's deprecated
# BaseModel.copy(); every such model imports this module first.
warnings.filterwarnings("ignore", message='Field name "copy" .* shadows an attribute', category=UserWarning)

COPY_CHARS = 120
MAX_FEATURES = 8
MAX_CONDITIONS = 4


class CopyField(NamedTuple):
    """One copy field: its name, how the chat labels it, the noun a sentence calls it by, the labels a brief gives
    it ("title: ...") and the other names a user changes it by ("the coupon")."""

    name: str
    label: str
    noun: str
    labels: tuple[str, ...] = ()
    names: tuple[str, ...] = ()


# The copy fields in display order: the one table of their names.
FIELDS: tuple[CopyField, ...] = (
    CopyField("sale", "Sale", "sale name", names=("sale", "sale name")),
    CopyField("headline", "Headline", "headline", ("headline", "title", "hook")),
    CopyField("tagline", "Tagline", "tagline", ("tagline", "slogan")),
    CopyField("features", "Features", "feature", ("feature", "features")),
    CopyField("offer", "Offer", "offer", names=("offer", "discount", "deal")),
    CopyField("price", "Price", "price", ("price",)),
    CopyField("conditions", "Conditions", "condition",
              names=("condition", "conditions", "terms", "small print", "fine print")),
    CopyField("code", "Code", "promo code",
              names=("code", "promo code", "discount code", "coupon", "coupon code", "voucher code")),
    CopyField("cta", "CTA", "call to action", ("cta", "call to action", "button")),
    CopyField("website", "Website", "website",
              names=("website", "site", "web address", "url", "handle")),
    CopyField("end_text", "End card", "end text",
              ("end text", "end card", "end line", "closing line", "sign off")),
)  # fmt: skip
FIELD_NAMES: tuple[str, ...] = tuple(f.name for f in FIELDS)
FIELD = {f.name: f for f in FIELDS}
# The labels a brief gives copy ("tagline: ...", "CTA Shop now"), each with its field.
LABEL_FIELDS = {label: f.name for f in FIELDS for label in f.labels}

Line = Annotated[str, StringConstraints(strip_whitespace=True, max_length=COPY_CHARS), AfterValidator(storable)]


class AdCopy(BaseModel):
    """The words on screen. Empty fields show nothing; nothing else is ever drawn."""

    model_config = ConfigDict(extra="forbid")

    sale: Line = Field(default="", description="The sale's name when the brief names one: Autumn sale.")
    headline: Line = Field(default="", description="The main line, shown big: the product, the offer or a hook.")
    tagline: Line = Field(default="", description="A short line under the headline or the logo.")
    features: list[Line] = Field(
        default_factory=list, max_length=MAX_FEATURES, description="Feature captions, one per beat."
    )
    offer: Line = Field(default="", description="What is off, with its scope: 25% off all jackets.")
    price: Line = Field(default="", description="The price as written: $129, €49,99.")
    conditions: list[Line] = Field(
        default_factory=list,
        max_length=MAX_CONDITIONS,
        description="The offer's terms, shown small: Free shipping over $50, While stocks last.",
    )
    code: Line = Field(default="", description="A promo code with its verb: Use code KNIT30.")
    cta: Line = Field(default="", description="The call to action in the brief's words: Shop now, Swipe up.")
    website: Line = Field(default="", description="The website or handle for the end card: aurora.run, @aurora.")
    end_text: Line = Field(default="", description="Words on the end card, shown only at the close.")

    def texts(self) -> list[str]:
        """Every text on screen, in display order."""
        return [t for name in FIELD_NAMES for t in self.lines(name)]

    def given(self) -> dict[str, Any]:
        """The fields that hold text."""
        return self.model_dump(exclude_defaults=True)

    def over(self, base: AdCopy) -> AdCopy:
        """This copy's fields, and the base's where this one has none."""
        return base.model_copy(update=self.given())

    def lines(self, name: str) -> list[str]:
        """The lines of one field that hold text."""
        value = getattr(self, name)
        return [v for v in (value if isinstance(value, list) else [value]) if v]


def rewritten(text: str, old: AdCopy, new: AdCopy) -> str:
    """The brief's text saying `new` where it said `old`'s lines, so no provider is sent words the user changed:
    each changed line as the brief says it (case aside), else its changed codes, amounts and names ("Use code
    KNIT30" to "Use code KNIT40" changes KNIT30); a removed line is taken out."""
    for name in FIELD_NAMES:
        after = new.lines(name)
        for i, line in enumerate(v for v in old.lines(name) if v not in after):
            text = _rewrite_line(
                text, line, after[i] if i < len(after) and name not in ("features", "conditions") else ""
            )
    text = re.sub(r"\s+(?=[,.;])", "", re.sub(r"[ \t]{2,}", " ", text))
    return re.sub(r"([,;])(?:\s*[,;])+", r"\1", text).strip(" ,;")


def _rewrite_line(text: str, old: str, new: str) -> str:
    whole = re.compile(rf"(?i)(?<!\w){re.escape(old)}(?!\w)")
    if whole.search(text):
        return whole.sub(new.replace("\\", "\\\\"), text)
    a, b = old.split(), new.split()
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b).get_opcodes():
        span = " ".join(a[i1:i2])
        if tag == "replace" and re.search(r"\d|[A-Z]{2,}", span):
            said = " ".join(b[j1:j2]).replace("\\", "\\\\")  # the words as they are, never a group
            text = re.sub(rf"(?<![\w-]){re.escape(span)}(?![\w-])", said, text)
    return text


def split_features(text: str) -> list[str]:
    """Feature captions from a newline-, semicolon- or comma-separated list ("a, b and c" gives three)."""
    if "\n" in text:
        parts = text.splitlines()
    elif ";" in text:
        parts = text.split(";")
    else:
        parts = re.split(r",\s*(?:and\s+)?|\s+and\s+", text)
    out = []
    for p in parts:
        p = p.strip(" \t-*•–.")
        if p:
            out.append(p[0].upper() + p[1:])
    return out


# --- what is copy -----------------------------------------------------------------------------------------

_LABELS = (
    r"headline|title|hook|tagline|slogan|features?|price|cta|call to action|call-to-action|button|"
    r"end text|end card|end line|closing line|sign-off"
)
_QUOTE_ALTS = r"\"([^\"\n]+)\"|“([^”\n]+)”|„([^“”\n]+)[“”]|«([^»\n]+)»|‘([^’\n]+)’|'([^'\n]+?)'(?!\w)"
_LABEL = re.compile(
    rf"(?im)\b({_LABELS})\s*[:=]\s*(?:{_QUOTE_ALTS}|"
    rf"(.+?)(?=(?:\s*[;\n])|(?:\.\s)|(?:\s+[-–—]\s)|(?:,?\s+(?:and\s+)?\b(?:{_LABELS})\b\s*[:=]?)|$))"
)
# "tagline "Run the city"", "headline is 'Big deals'": a label and quoted text, no colon.
_LABEL_WORD = re.compile(rf"(?i)\b(?:{_LABELS})\b")
_LABEL_QUOTED = re.compile(
    rf"(?i)\b({_LABELS})\s+(?:(?:that\s+|which\s+)?(?:is|reads|says?|saying|reading|of|to)\s+)?(?:{_QUOTE_ALTS})"
)
# "tagline Run the city, CTA Shop now": a label and plain words up to the next punctuation or label. Only for
# labels that are rarely ordinary words in a brief, and not when a plain word follows ("a bold headline and ...").
_PLAIN_LABELS = r"headline|tagline|slogan|cta|call to action|call-to-action|price"
_NOT_A_VALUE = (
    r"and|or|with|without|in|on|at|for|to|that|which|should|must|will|would|can|could|is|are|was|be|text|font|"
    r"fonts|colou?rs?|style|size|animation|below|above|under|over|then|plus|appears?|shows?|fades?|slides?|only|"
    r"too|also|here|there|of|from|about|like|as|first|last|line|lines|copy|card|button|box|area|placement|space|"
    r"reads?|says?|saying|reading|please|the|a|an|in|it|its|this|these|those|our|my|their|your|tag|point"
)
_LABEL_PLAIN = re.compile(
    rf"(?i)\b({_PLAIN_LABELS})\s+(?:(?:is|reads|says|of)\s+)?(?!(?:{_NOT_A_VALUE})\b)([^\s,;.!?\n\"“«'][^,;\n\"“«]*?)"
    rf"(?=\s*[,;\n!?]|\.\s|\.$|\s+[-–—]\s|\s+\b(?:{_LABELS})\b|$)"
)
# A feature list ends at a full stop, a line end, or a semicolon before the next label or a price.
_FEATURES_LABEL = re.compile(
    rf"(?im)\bfeatures?\s*[:=]\s*(.+?)(?=\.\s|\n|;\s*(?:(?:{_LABELS})\b|[$€£¥₹])|\s+\b(?:{_LABELS})\b\s*[:=]|\.?$)"
)
# "with the words Run further at the end", "end on 'See you out there'", "ending with Just run"
_END_WORDS = re.compile(
    rf"(?i)\b(?:with|and|showing|show|put|add)\s+(?:the\s+)?(?:words?|text|line)\s+(?:{_QUOTE_ALTS}|(.+?))"
    r"\s+(?:at|on)\s+the\s+(?:end|close|finish)(?:\s+card)?\b"
    rf"|\b(?:end|ending|close|closing|finish)\s+(?:on|with)\s+(?:the\s+(?:words?|line)\s+)?(?:{_QUOTE_ALTS})"
    rf"|\b(?:finir|finissez|terminer|termine)\s+(?:sur|par|avec)\s+(?:{_QUOTE_ALTS})"
    rf"|\b(?:cierra|cierre|termina|acaba)\s+con\s+(?:{_QUOTE_ALTS})|\b(?:ende|endet|schlie(?:ß|ss)t)\s+mit\s+(?:{_QUOTE_ALTS})"
    rf"|\b(?:last\s+frame|end\s+card|final\s+frame|last\s+shot)\s+(?:to\s+)?(?:says?|reads?)\s+(?:{_QUOTE_ALTS})"
)
# "Put "Made to move." as the headline", "'Time, precisely.' as tagline"
_QUOTE_AS = re.compile(rf"(?i)(?:{_QUOTE_ALTS})\s+(?:as|for)\s+(?:the\s+|our\s+)?({_LABELS})\b")
# Labels at the start of a clause, in several languages, with a colon, "=" or a dash: "Offer - 40% off",
# "promo: Use code SNOW40", "Titre : « ... »", "Web: lanaymar.es".
_CLAUSE_FIELDS = {
    "sale": "sale", "sale name": "sale", "offer": "offer", "deal": "offer", "oferta": "offer", "offre": "offer",
    "angebot": "offer", "condition": "conditions", "conditions": "conditions", "terms": "conditions",
    "condiciones": "conditions", "condições": "conditions", "bedingungen": "conditions", "code": "code",
    "promo": "code", "promo code": "code", "discount code": "code", "coupon": "code", "código": "code",
    "rabattcode": "code", "code promo": "code", "website": "website", "site": "website", "web": "website",
    "product": "product", "producto": "product", "produto": "product", "produit": "product", "produkt": "product",
    "headline": "headline", "title": "headline", "titre": "headline", "titular": "headline", "título": "headline",
    "titel": "headline", "tagline": "tagline", "slogan": "tagline", "features": "features", "recursos": "features",
    "características": "features", "merkmale": "features", "price": "price", "preço": "price", "precio": "price",
    "prix": "price", "preis": "price", "cta": "cta", "button": "cta", "call to action": "cta", "end text": "end_text",
    "end card": "end_text", "endkarte": "end_text",
}  # fmt: skip
_CLAUSE_LABEL_WORD = re.compile(
    r"(?i)(?<![\w-])(?:"
    + "|".join(re.escape(k).replace(r"\ ", r"[\s-]") for k in _CLAUSE_FIELDS)
    + r")\s*(?::|=|\s[-–—]\s)"
)
_CLAUSE_LABEL = re.compile(
    r"(?im)(?:^|(?<=[.;!?\n|]))\s*("
    + "|".join(sorted((re.escape(k).replace(r"\ ", r"[\s-]") for k in _CLAUSE_FIELDS), key=len, reverse=True))
    + rf")\s*(?::|=|\s[-–—]\s)\s*(?:(?:{_QUOTE_ALTS})(?=[\s.;,|]|$)|"
    rf"(.+?)(?=\s*[;|\n]|\.\s|\.$|$|,?\s+(?:and\s+)?\b(?:{_LABELS})\b\s*[:=]))"
)
_CUR_SYM = "$€£¥₹"
_CUR_WORD = r"R\$|kr|CHF|Fr\."
_CUR_CODE = r"USD|EUR|GBP|JPY|CAD|AUD|CHF|INR|SEK|NOK|DKK|PLN"
# An amount: thousands grouped by commas or dots ("1,299", "1.299,00"), or plain digits with cents; never a
# trailing comma ("$249, headline ...").
_AMOUNT = r"(?:\d{1,3}(?:[,.'’]\d{3})+(?:[.,]\d{1,2}|\.[–-])?|\d+(?:[.,]\d{1,2}|\.[–-])?)(?![\d])"
_PRICE = re.compile(
    rf"(?<![\w.])(?:(?:from|only|just)\s+)?(?:(?:{_CUR_WORD})\s?{_AMOUNT}|[{_CUR_SYM}]\s?{_AMOUNT}(?:\s?(?:{_CUR_CODE})\b)?"
    rf"|{_AMOUNT}\s?[{_CUR_SYM}]|{_AMOUNT}\s?(?:{_CUR_CODE}|kr)\b|(?:{_CUR_CODE})\s?{_AMOUNT})"
    r"(?:\s*(?:/|per|a)\s*(?:month|mo|year|yr|night|meal|person|day|week|box|class|lesson)\b)?",  # "$9.99 per meal"
    re.I,
)
_MONEY = rf"(?:[{_CUR_SYM}]|R\$)\s?\d(?:[\d.,]*\d)?|\d(?:[\d.,]*\d)?\s?[{_CUR_SYM}]"  # never a trailing comma
# What is off: a percentage or an amount off, two for one, buy one get one, a free first month or trial.
_OFFER = re.compile(
    rf"(?i)(?<![\w.])(?:spend\s+(?:{_MONEY}),?\s+get\s+(?:{_MONEY})\s+off"
    r"|(?:(?:up\s+to|save|extra|bis\s+zu|jusqu['’]à|hasta|até)\s+)?-?\d{1,3}(?:[.,]\d)?\s?%\s*(?:off|discount|"
    r"de\s+descuento|de\s+réduction|de\s+desconto|rabatt|auf|sur|en|de\s+remise)(?!\w)"
    r"|(?<!\w)-\d{1,3}\s?%"
    rf"|(?:(?:up\s+to|save)\s+)?(?:{_MONEY})\s+off\b"
    r"|\b\d\s?x\s?\d\b(?!\s*[:x])"
    r"|\bbuy\s+(?:one|two|\d)\s*,?\s+get\s+(?:one|\d)(?:\s+(?:free|half\s+price))?(?:\s+on\s+(?:all\s+)?[\w-]+)?"
    rf"|\b\d+\s+(?:[a-z]+\s+)?(?:for|für|pour|por)\s+(?:{_MONEY})"
    rf"|(?:{_MONEY})\s+[a-z]+\s+all\s+(?:day|night|week)"
    r"|\b(?:first|1st)\s+(?:month|week|order|lesson|class)\s+free"
    r"|\bfree\s+\d+[-\s]day\s+trial)"
)
_OFFER_LEAD = re.compile(r"(?i)^(?:everything|all|sitewide|storewide|(?:your\s+)?first\s+(?:box|order|month|year))\s+$")
# When an offer runs, said after it: a condition of its own.
_OFFER_TAIL = re.compile(
    r"(?i)\s+((?:this|ce)\s+week(?:end)?\s+only|this\s+week(?:end)?|today\s+only|ends?\s+(?!(?:on|with)\b)\w+)$"
)
_CONDITION = re.compile(
    r"(?i)(?:^|\s)("
    r"(?:free|gratis|kostenlose[rn]?|complimentary)\s+(?:uk\s+|eu\s+|express\s+)?(?:shipping|delivery|returns?|"
    r"gift\s+wrap|versand|lieferung)\b.*"
    r"|(?:livraison|envío|envio|frete|entrega)\s+(?:offerte|gratuite?|gratis|grátis)\b.*"
    r"|while\s+(?:stocks?|supplies)\s+lasts?|solange\s+der\s+vorrat\s+reicht|hasta\s+agotar\s+existencias"
    r"|dans\s+la\s+limite\s+des\s+stocks|(?:[\w-]+\s+){0,2}only|only\s+(?:at|in|on|\d+)\b.*"
    r"|(?:(?:offer|sale|early\s+bird|deal)\s+)?ends?\s+(?!(?:on|with|card|text|line|frame|the)\b)\w+.*|order\s+by\s+.+|this\s+week(?:end)?"
    r"|em\s+(?:até\s+)?\d+x\s+sem\s+juros|cancel\s+anytime|no\s+credit\s+card.*|\d+-(?:night|day)\s+trial"
    r"|financing\s+.+|mix\s+and\s+match|gift\s+box\s+included|(?:with|on)\s+eligible\s+.+|limited\s+time"
    r"|in-store\s+and\s+online|terms\s+apply|no\s+minimum"
    r"|(?:only\s+)?(?:until|till|til|thru|through)\s+(?:\d|(?:mon|tue|wed|thu|fri|sat|sun|jan|feb|mar|apr|may|jun|jul|"
    r"aug|sep|oct|nov|dec|midnight|tonight|tomorrow|the\s+end|end\s+of)\w*).*"
    r"|nur\s+bis\s+.+|jusqu['’]au\s+.+|hasta\s+el\s+.+|até\s+\d.*"
    r"|\d+(?:\.\d+)?\s?%\s+(?:apr|finance|financing)\b.*"
    r")$"
)
# A clause: what lies between commas, full stops, colons, dashes and brackets (not inside "1,299" or "aurora.run").
_CLAUSE = re.compile(r"[^,.;:!?()\n|]+(?:[.,](?=\S)[^,.;:!?()\n|]*)*")
_CODE = re.compile(
    r"(?i)(?<!\w)((?:(?:use|enter|apply|with|usa|utilisez|utilise|avec|mit|use\s+o|usa\s+o)\s+)?"
    r"(?:(?:the|le|el|o|den)\s+)?(?:promo\s*|discount\s+|coupon\s+)?(?:code|código|cupom|cupón|gutscheincode)\s+"
    r"(?:promo\s+)?)((?-i:[A-Z0-9][A-Z0-9-]{2,}))(?![\w-])"
)
_WEBSITE = re.compile(
    r"(?i)(?<![\w@./-])((?:www\.)?[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9-]+)*\.(?:com|co|io|run|net|org|"
    r"shop|store|design|app|ai|es|fr|de|jp|no|uk|pt|br|eu|ch|it|nl|se|dk|at|be|pl|ca|us|me|tv|ly|xyz))"
    r"(?![\w-]|\.[a-z])|(?<![\w@])(@[a-z0-9_](?:[a-z0-9_.]*[a-z0-9_])?)"
)
_SALE = re.compile(
    r"(?i)(?:^|[.;!?\n:,]\s*|\b(?:our|unseren?|unserem|notre|nuestras?|the)\s+)"
    r"((?:(?!(?:our|the|unser\w*|notre|nuestr\w*)\b)[\w'’]+[\s-]){0,2}(?:sale|soldes|rebajas|ausverkauf)(?:\s+(?:d['’]\s?\w+|de\s+\w+))?)(?=\s*(?:[:!.,;]|$))"
)
_CTAS = (
    "shop now", "buy now", "order now", "pre-order now", "preorder now", "pre-order today", "order today",
    "swipe up", "link in bio", "shop the deal", "get tickets", "start free", "grab yours today", "grab yours",
    "book a demo", "visit us today", "come hungry", "find it at your local grocer", "jetzt kaufen",
    "jetzt bestellen", "jetzt im shop", "jetzt shoppen", "compra ya", "compra ahora", "cómprala ya", "compre agora",
    "compre já no link da bio", "compre já", "achetez maintenant", "commandez", "garanta o seu", "j'en profite",
    "get yours today", "get yours", "learn more", "find out more", "discover more", "discover now",
    "sign up today", "sign up now", "sign up", "join now", "join today", "subscribe now", "subscribe",
    "get started", "start free trial", "try it free", "try it now", "try for free", "try now", "download now",
    "download the app", "install now", "book now", "book today", "reserve now", "see more", "watch now",
    "visit us", "claim your offer", "limited time only", "shop the sale", "shop the collection", "register now",
    "register today", "book a test ride", "book a table", "order ahead", "rsvp now",
)  # fmt: skip
_CTA = re.compile(
    r"(?i)(?<!\w)("
    + "|".join(re.escape(c) for c in sorted(_CTAS, key=len, reverse=True))
    + r")(?:\s+(?:on|in)\s+the\s+app)?(?!\w)"
)
_BULLET = re.compile(r"(?m)^\s*(?:[-*•–]|\d+[.)])\s+(.+?)\s*$")
_FEATURING = re.compile(r"(?i)\b(?:featuring|with features|highlights?|highlighting)\s*:?\s+(.+?)(?:[.;!?\n]|$)")
# Product and brand names: AURORA, iPhone, PlayStation, or two or more capitalised words inside a sentence
# (Nike Air Max). A lone capitalised word is too often an ordinary word at the start of a clause.
_SHOUTED = re.compile(r"(?<![\w'’-])([A-Z][A-Z0-9&]{2,}(?:[-\s](?:[A-Z0-9&]{2,}|[A-Z0-9]\b))*)(?![\w'’-])")
_INNER_CAP = re.compile(r"(?<![\w'’-])([a-z]+[A-Z][\w]*|[A-Z][a-z]+[A-Z][\w]*)(?![\w'’-])")
_TITLE_RUN = re.compile(r"(?<=[a-z,]\s)([A-Z][\w'’&-]+(?:\s+[A-Z0-9][\w'’&-]*)+)")
_PLACE = re.compile(r"\b(?:in|over|at|near|from|across|through|on|to|into|above|under|around)\s+(?:the\s+)?$", re.I)
_NOT_NAMES = {
    "cta", "usd", "eur", "gbp", "jpy", "cad", "aud", "chf", "inr", "sek", "nok", "dkk", "pln", "hd", "uhd", "fhd",
    "fps", "mp4", "mov", "gif", "png", "jpg", "jpeg", "url", "api", "llm", "seo", "roi", "kpi", "dtc", "b2b",
    "b2c", "faq", "asap", "fyi", "nda", "tbd", "tbc", "eta", "and", "the", "for", "new", "now", "off", "sale",
    "free", "buy", "shop", "all", "you", "our", "tiktok", "youtube", "linkedin", "ios", "macos", "pdf", "ceo",
    "cmo", "lufs", "aac",
}  # fmt: skip
_NOT_NAME_WORDS = re.compile(
    r"(?i)^(?:instagram|facebook|youtube|tiktok|reels?|shorts|stories|snapchat|pinterest|twitter|linkedin|"
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march|april|may|june|july|"
    r"august|september|october|november|december|black|cyber|christmas|easter|halloween|"
    r"open|cut|close|fade|end|start|pan|zoom|show|then|make|use|add|"
    r"vertical|horizontal|landscape|portrait|square|hochformat|querformat|formato|format|vertikal)$"
)


# A product's name: capitalised words and model numbers, then up to three lowercase words naming the kind of
# product (the Lumen desk lamp, Terra 2 tent, AURORA X).
_PRODUCT = re.compile(
    r"(?<![\w'’&-])((?:[A-ZÀ-ÖØ-Þ][\w'’&-]*)(?:\s+(?:[A-ZÀ-ÖØ-Þ][\w'’&-]*|\d[\w.-]*))*(?:\s+[a-zà-ÿ][\w-]*){0,3})"
)
_DETERMINERS = {"the", "our", "a", "an", "le", "la", "el", "los", "unser", "unseren", "nosso", "nossa", "notre"}
_NAME_STOPS = frozenset((
    "for", "with", "by", "now", "is", "at", "on", "in", "and", "or", "por", "für", "pour", "to", "from", "a", "an",
    "the", "our", "de", "da", "do", "das", "der", "die", "en", "et", "y", "e", "launch", "spot", "ad", "ads",
    "video", "teaser", "promo", "campaign", "clip", "reel", "which", "that", "will", "was", "has", "have", "keeps",
    "should", "please", "need", "needs", "sale", "only", "just", "are", "it", "its", "this", "these", "your",
    "their", "my", "nuestras", "nuestro", "push", "template", "model", "of", "story", "stories", "animation",
    "post", "feed", "reel",
))  # fmt: skip
_STARTERS = frozenset((
    "make", "need", "teaser", "holiday", "hey", "hi", "hello", "ok", "so", "quick", "limited", "back", "please",
    "can", "just", "we", "our", "free", "new", "main", "price", "three", "ad", "promo", "spot", "launch", "bonjour",
    "hola", "une", "pub", "swiss", "b2b", "product", "headline", "tagline", "lançamento", "vídeo", "video", "hero",
    "offer", "sale", "cta", "website", "site", "shop", "buy", "order", "use", "avoid", "don't", "keep", "put",
    "say", "end", "close", "with", "this", "that", "it", "i", "for", "in", "on", "at", "to", "mit", "bitte", "nur",
    "jetzt", "drone", "anime", "dark", "soft", "warm", "grainy", "overhead", "cosy", "steam", "golden", "slow",
    "is", "only", "early", "get", "all", "everything", "up", "spend", "notes", "template", "model", "format",
    "duration", "features", "title", "link", "ending", "necesitamos", "producto", "produto", "vidéo", "pour", "für",
    "logo", "close-up", "vertical", "horizontal", "square", "brand",
))  # fmt: skip


def read_copy(brief: str, model_names: Sequence[str] = ()) -> AdCopy:
    """The copy a brief gives (see `copy_in`), its instructions left out first."""
    return copy_in(without_instructions(brief, model_names), model_names)


def copy_in(text: str, model_names: Sequence[str] = ()) -> AdCopy:
    """The copy in a brief without instructions: labelled fields win, quoted text fills the headline, then the
    tagline, then the features; sale names, offers and their conditions, prices, promo codes, calls to action,
    websites, listed features, end words and product names fill the rest. `model_names` mark a sentence as
    instructions (never a feature list)."""
    found: dict[str, str | list[str]] = {}

    def put(name: str, value: str | list[str]) -> bool:
        if not value or name in found:
            return False
        found[name] = value
        return True

    def value_of(m: re.Match[str], first: int = 1) -> str:
        """A label's value: quoted text byte for byte, other text without trailing punctuation."""
        i = next((i for i in range(first + 1, len(m.groups()) + 1) if m.group(i) is not None), 0)
        if not i:
            return ""
        quoted = m.start(i) > 0 and text[m.start(i) - 1] in "\"“„«‘'"
        return m.group(i).strip() if quoted else _clean(m.group(i))

    for clause_label in _CLAUSE_LABEL.finditer(text):
        name = _CLAUSE_FIELDS[re.sub(r"[\s-]+", " ", clause_label.group(1).lower())]
        value = value_of(clause_label)
        if name in ("end_text", "website") and _WEBSITE.fullmatch(value):
            name = "website"
        elif name == "website":
            continue
        if name == "product":
            name, value = "headline", value.split(",")[0].strip()
        if name == "price" and not _PRICE.search(value):
            continue
        if name in ("features", "conditions"):
            put(name, split_features(value) if name == "features" else [_cap(c) for c in _split_list(value)])
        else:
            put(name, _cap(value) if name in ("code", "offer", "sale", "cta") else value)
    labelled: list[tuple[int, str, str]] = []
    for regex in (_LABEL, _LABEL_QUOTED, _LABEL_PLAIN):
        for label in regex.finditer(text):
            labelled.append((label.start(), LABEL_FIELDS[re.sub(r"[\s-]+", " ", label.group(1).lower())],
                             value_of(label)))  # fmt: skip
    for said in _QUOTE_AS.finditer(text):
        labelled.append((said.start(), LABEL_FIELDS[re.sub(r"[\s-]+", " ", said.group(said.lastindex or 1).lower())],
                         next(g for g in said.groups() if g is not None).strip()))  # fmt: skip
    for _, name, value in sorted(labelled, key=lambda x: x[0]):
        if name == "features" and (fm := _FEATURES_LABEL.search(text)):
            value = _clean(fm.group(1))
        if name == "price" and not _PRICE.search(value):
            continue  # "price point", "price tag": not a price
        if name == "price" and _OFFER.search(value):
            name = "offer"
        if name == "end_text" and _WEBSITE.fullmatch(value):
            name = "website"
        put(name, split_features(value) if name == "features" else value)
    if m := _END_WORDS.search(text):
        value = value_of(m, 0)
        put("website" if _WEBSITE.fullmatch(value) else "end_text", value)

    taken = {v for v in found.values() if isinstance(v, str)}
    quoted = [next(g for g in m.groups() if g is not None).strip() for m in QUOTED.finditer(text)]
    extra: list[str] = []
    named = product_in(QUOTED.sub(" , ", text))
    for q in (q for q in quoted if q and q not in taken):
        if _CODE.fullmatch(q):
            put("code", q)
        elif q.count(",") >= 2 and not q.endswith((".", "!", "?")) and "features" not in found:
            put("features", split_features(q))  # "'Noise cancelling, 30h battery, IPX5' should each be a beat"
        elif named and q.endswith((".", "!", "?")) and "tagline" not in found and "headline" not in found:
            put("tagline", q)  # a line said beside a named product: its tagline; the name is the headline
        elif not (_CTA.fullmatch(q) and put("cta", q)) and not put("headline", q) and not put("tagline", q):
            extra.append(q)

    unquoted = DIRECTION_LABELS.sub(" , ", QUOTED.sub(" , ", text))
    if m := _CODE.search(unquoted):
        bare = m.group(1).lower().split()[0] in ("code", "with")  # "code X", "25% off with code X": no verb
        put("code", f"Use code {m.group(2)}" if bare else _cap(m.group(1) + m.group(2)))
    rest = _respell(_CODE.sub(" , ", unquoted))
    if m := _WEBSITE.search(rest):
        put("website", m.group(0))
    rest = _WEBSITE.sub(" , ", rest)
    if m := _SALE.search(rest):
        put("sale", _cap(m.group(1).strip()))
    conditions: list[str] = []
    if (m := _OFFER.search(rest)) and "," in m.group(0):  # "Spend $150, get $30 off" crosses a comma
        put("offer", _cap(m.group(0)))
        rest = rest.replace(m.group(0), " , ", 1)
    for clause in _CLAUSE.finditer(rest):
        part = clause.group(0).strip()
        if offer := _OFFER.search(part):
            lead = part[: offer.start()]
            value = part[offer.start() if not _OFFER_LEAD.match(lead) else 0 :]
            if tail := _OFFER_TAIL.search(value):
                value = value[: tail.start()]
                conditions.append(tail.group(1))
            put("offer", _cap(value.strip()))
            rest = rest.replace(part, " , ", 1)
        elif condition := _CONDITION.search(part):
            conditions.append(condition.group(1))
            rest = rest.replace(condition.group(1), " , ", 1)
    put("conditions", [_cap(c.strip()) for c in conditions][:MAX_CONDITIONS])
    if m := _PRICE.search(rest):
        put("price", m.group(0).strip())
    if cta_match := _CTA.search(rest) or _fuzzy_cta(rest):
        cta = cta_match if isinstance(cta_match, str) else cta_match.group(0)
        put("cta", cta[0].upper() + (cta[1:].lower() if cta[1:].isupper() or cta[1:].islower() else cta[1:]))

    bullets = [b.strip() for b in _BULLET.findall(text)]
    if bullets:
        put("features", split_features("\n".join(bullets)))
    elif m := _FEATURING.search(unquoted):
        put("features", split_features(m.group(1)))
    elif "features" not in found and (listed := _listed_features(_without(rest, found), model_names)):
        head, features = listed
        put("features", features)
        if head and "headline" not in found and not product_in(head):
            found["headline"] = _cap(head)
    if extra:
        found["features"] = [*found.get("features", []), *(e for e in extra if e not in found.get("features", []))]
    plain = _CTA.sub(" ", _LABEL_WORD.sub(" ", _CLAUSE_LABEL_WORD.sub(" , ", _without(rest, found))))
    for model in model_names:
        plain = re.sub(rf"(?i)(?<![\w-]){re.escape(model.rsplit('/', 1)[-1])}(?![\w-]){VERSION}", " , ", plain)
    if "headline" not in found and (name := product_in(plain)):
        found["headline"] = name
    _unswallow(found, set(quoted))
    fitted = {k: [_fit(x) for x in v[:MAX_FEATURES]] if isinstance(v, list) else _fit(v) for k, v in found.items()}
    return AdCopy.model_validate(fitted)


# Labelled directions: "Template: Bold Promo v2", "Notes - 9:16, 8 seconds".
DIRECTION_LABELS = re.compile(
    r"(?im)\b(?:template|model|duration|format|notes|aspect|resolution|style|music|voice)\s*(?::|=|\s[-–—]\s)[^.;\n]*"
)
# A sentence that says how to make the video, never a feature list.
_DIRECTION = re.compile(
    r"(?i)\d+\s*:\s*\d+|(?<!\bin )\b\d+\s*(?:s|secs?|seconds?|segundos|secondes|sekunden)\b|"
    r"\b(?:light|lighting|shot|dolly|pan|"
    r"zoom|close-?ups?|style|look|handheld|orbit|fade|scene|background|cinematic|moody|drone|turntable|studio|setup|"
    r"music|vertical|horizontal|square|landscape|portrait|format|formato|ugc|template|model|luz|lumière|travelling|"
    r"câmera|fundo|estilo|schwenk|hochformat|spot|ad|video|vídeo|vidéo|teaser|reels?|tiktok|instagram|youtube|"
    r"linkedin|shorts|feed|draft|quality|beat|beats|use|usa|bitte|please|avoid|don't|do|show|mention|animation|"
    r"words|voice-?over|cut\s+to|open\s+on|end\s+card|at\s+the\s+end|(?:the|our)\s+logo)\b"
)
_NOT_FEATURE = re.compile(
    rf"(?i)\b(?:{_LABELS}|put|say|as|we|we're|i|i'm|i'd|our|us|need|needs|want|make|let's|hey|hi|hello|ok|so|bonjour|hola|olá|nous|wir|"
    r"necesitamos|lance|nuestras?|nosso|nossa|unser|unsere|notre|now|only|just|is|are)\b"
)


def _listed_features(text: str, model_names: Sequence[str]) -> tuple[str, list[str]] | None:
    """The first unlabelled list of product qualities: "backpack with laptop sleeve, water-resistant, lifetime
    warranty" (the product, then the features; "an 8 second ad for our backpack with ..." too, when two or more
    follow) or a sentence of two or more short qualities; None if none."""
    models = {n.rsplit("/", 1)[-1].lower() for n in model_names}
    for sentence in re.split(r"[.;!?](?=\s|$)|\n|:\s|\s[-–—]\s", re.sub(r"\([^)]*\)", " ", text)):
        words = {w.lower() for w in re.findall(r"[\w'-]+", sentence)}
        head, with_, listed = sentence.partition(" with ") if " with " in sentence else ("", "", sentence)
        if _DIRECTION.search(listed) or words & models:
            continue
        directed = bool(_DIRECTION.search(head))  # the video's length or kind said before the product
        parts = [p.strip(" ,") for p in re.split(r",|\s+and\s+|\s+&\s+", listed)]
        items = [i for i in parts if i]
        if head:
            head_items = [i for i in (p.strip(" ,") for p in head.split(",")) if i and not _NOT_FEATURE.search(i)]
            head = head_items[-1] if head_items else ""
        elif len(parts) > 1 and parts[0] and not parts[1] and product_in(parts[0]):
            items = items[1:]  # "Campus Tote, $45, fits a 16-inch laptop": the product, its price, its qualities
        if any(len(i.split()) > 8 for i in items):
            continue
        items = [i for i in items if not _NOT_FEATURE.search(i) and re.search(r"[^\W\d_]", i)]
        if len(items) >= 2 or (with_ and items and not directed):
            return head, split_features("\n".join(items))
    return None


def _unswallow(found: dict[str, str | list[str]], quoted: set[str]) -> None:
    """A labelled line cut before the clauses that are other fields ("headline: Cosy season, use code KNIT30":
    the headline "Cosy season", the code its own); quoted text is left as written."""
    for name in ("sale", "headline", "tagline", "end_text"):
        value = found.get(name)
        if not isinstance(value, str) or value in quoted:
            continue
        others = [v.casefold() for n, x in found.items() if n != name for v in (x if isinstance(x, list) else [x])]
        parts = re.split(r"(?<=\S)(?=[,;]\s)", value)
        while len(parts) > 1 and any(p in o or o in p for o in others if (p := parts[-1].strip(" ,;").casefold())):
            parts.pop()
        found[name] = "".join(parts)


def _without(text: str, found: dict[str, str | list[str]]) -> str:
    """The text without the copy found so far."""
    for value in sorted(
        (v for x in found.values() for v in (x if isinstance(x, list) else [x])), key=len, reverse=True
    ):
        text = re.sub(rf"(?i)(?<!\w){re.escape(value)}(?!\w)", " , ", text)
    return text


def _fuzzy_cta(text: str) -> str | None:
    """A call to action typed wrong ("shpo now", "ordr now"), written right; None if none is close."""
    words = text.split()
    for cta in _CTAS:
        n = len(cta.split())
        for i in range(len(words) - n + 1):
            said = " ".join(words[i : i + n]).strip(",.;:!?").lower()
            if n > 1 and said[:1] == cta[0] and difflib.SequenceMatcher(None, said, cta).ratio() >= 0.85:
                return cta
    return None


# Words of offers and conditions a brief often misspells; a typo is one of them with two letters swapped or one
# left out ("dresess", "arivals", "fre"), never a singular ("shoe" stays).
_AD_WORDS = (
    "free", "shipping", "delivery", "returns", "order", "orders", "arrivals", "everything", "sitewide", "storewide",
    "collection", "dresses", "jackets", "shoes", "boots", "shirts", "sweaters", "knitwear", "accessories",
)  # fmt: skip


def _typos(word: str) -> set[str]:
    swapped = {word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(len(word) - 1)}
    dropped = {word[:i] + word[i + 1 :] for i in range(len(word))} if len(word) > 5 or word == "free" else set()
    return (swapped | dropped) - {word, word[:-1] if word.endswith("s") else word}


_RESPELL = {typo: word for word in _AD_WORDS for typo in _typos(word)}


_OF_ALL = re.compile(r"(?i)(\d\s?%\s?)of(\s+(?:all|everything|sitewide|storewide)\b)")


def _respell(text: str) -> str:
    """The text with the typos of `_AD_WORDS` written right, and an offer's "off" typed "of" ("10% of all")."""
    text = _OF_ALL.sub(r"\1off\2", text)
    return re.sub(r"(?<![\w'-])[a-z]{3,}(?![\w'-])", lambda m: _RESPELL.get(m.group(0), m.group(0)), text)


def _split_list(value: str) -> list[str]:
    return [p.strip(" .") for p in re.split(r",\s+|;\s*", value) if p.strip(" .")]


def _cap(value: str) -> str:
    return value[:1].upper() + value[1:]


def product_name(text: str) -> str:
    """The first product or brand name in the text (AURORA X, iPhone, Nike Air Max), or ""."""
    candidates = _names(text)
    return min(candidates)[1] if candidates else ""


def product_in(text: str) -> str:
    """The first product the text names, as a brief names it: a brand name (`product_name`), or capitalised
    words and model numbers with the kind of product after them (the Lumen desk lamp, Kettle Pro 2, Terra 2
    tent); "" if none."""
    candidates = _names(text)
    for m in _PRODUCT.finditer(text):
        words = m.group(1).split()
        while words and words[0].lower() in _DETERMINERS:
            words = words[1:]
        cut = next((i for i, w in enumerate(words) if w.islower() and (w in _NAME_STOPS or w.endswith("ing"))), None)
        if cut is not None and words[cut] in ("campaign", "push", "template", "model"):
            continue  # "Q3 push campaign", "Spotlight template": instructions
        words = words[:cut]
        if not words or words[0].lower() in _STARTERS or words[0][0].isdigit():
            continue
        if any(_NOT_NAME_WORDS.match(w) for w in words):
            continue
        if _PLACE.search(text, 0, m.start()):
            continue  # "open on a sunrise over Mount Rainier": where a shot is, not what is sold
        lone = len(words) == 1 and not re.search(r"\d|[A-Z].*[A-Z]", words[0])
        if lone and re.search(r"(?:^|[.!?:]\s*)$", text[: m.start(1)].rstrip(" ")):
            continue  # "Showcase our ...": a sentence's first word, a verb more often than a name
        name = " ".join(words)
        if name.lower() not in _NOT_NAMES and not _CTA.fullmatch(name):
            candidates.append((m.start(1), name))
    return min(candidates)[1] if candidates else ""


def _names(text: str) -> list[tuple[int, str]]:
    """Brand names in the text (shouted, inner capitals, capitalised runs inside a sentence), with positions."""
    candidates: list[tuple[int, str]] = []
    for regex in (_SHOUTED, _INNER_CAP, _TITLE_RUN):
        for m in regex.finditer(text):
            if regex is _TITLE_RUN and _PLACE.search(text, 0, m.start()):
                continue  # "open on a sunrise over Mount Rainier": where a shot is, not what is sold
            words = [w for w in m.group(1).split() if not _NOT_NAME_WORDS.match(w)]
            name = " ".join(words)
            if name and name.lower() not in _NOT_NAMES and not _CTA.fullmatch(name) and not name.isdigit():
                candidates.append((m.start(), name))
    return candidates


def _fit(text: str) -> str:
    """The text cut between words to COPY_CHARS characters (a word longer than that is cut)."""
    if len(text) <= COPY_CHARS:
        return text
    cut = text[: COPY_CHARS + 1].rsplit(" ", 1)[0]
    return (cut if len(cut) <= COPY_CHARS else text[:COPY_CHARS]).rstrip(" ,;:-")


def _clean(value: str) -> str:
    """A value without surrounding quotes, unbalanced quote marks or trailing punctuation."""
    value = value.strip().strip("\"“”«»'").strip()
    for a, b in (('"', '"'), ("“", "”"), ("«", "»")):
        if value.count(a) % 2 if a == b else value.count(a) != value.count(b):
            value = value.replace(a, "").replace(b, "")
    return value.rstrip(".,;:").strip()
