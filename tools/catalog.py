"""Every video model: capabilities, prices, aliases, fallback and availability, and the checks against them.

Every provider's models are listed here (`tools/engines/registry.py` builds the catalog from them); a model's
provider may subclass `ModelSpec` to add its own reference checks. The Replicate models are data
(`tools/engines/replicate/models.json`); `clapboard models --refresh` reconciles them with each model's live
schema and caches what it found in the data folder, which is applied from then on. A request is checked here
before anything is spent: an invalid one gets an `InvalidRequest` that says what the model allows and proposes
the nearest valid request or a model that fits.
"""

from __future__ import annotations

import difflib
import json
import logging
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, Field

from campaign.errors import InvalidRequest, ModelUnavailable

log = logging.getLogger(__name__)

ASPECTS: tuple[str, ...] = ("16:9", "9:16", "1:1", "4:5")
ReferenceUse = Literal["none", "layout", "first_frame", "subject"]
RefRole = Literal["first_frame", "last_frame", "subject"]

# Output sizes by resolution name and aspect: the short side is the resolution's height.
_SHORT_SIDE = {"480p": 480, "720p": 720, "768p": 768, "1024p": 1024, "1080p": 1080}
_RATIO = {
    "16:9": (16, 9),
    "9:16": (9, 16),
    "1:1": (1, 1),
    "4:5": (4, 5),
    "4:3": (4, 3),
    "3:4": (3, 4),
    "21:9": (21, 9),
    "9:21": (9, 21),
}
KNOWN_ASPECTS: tuple[str, ...] = tuple(_RATIO)
KNOWN_RESOLUTIONS: tuple[str, ...] = tuple(_SHORT_SIDE)

CACHE_FILE = "models-cache.json"
# How a brief names a video model, offered here or not ("like Pika does", "Runway Gen-4 style", "Luma Ray 2", "the
# draft model"): a mention is an instruction, never what the ad is about (its key phrases and title). With
# `Catalog.names()`, the one list of model names; never names a request may use.
MODEL_MENTIONS = (
    r"(?:openai\s+)?sora(?:[\s-]*\d+(?:\.\d+)?)?(?:\s+pro)?|(?:google\s+)?veo(?:[\s-]*\d+(?:\.\d+)?)?"
    r"(?:\s+(?:fast|pro))?|runway(?:\s+gen[\s-]*\d+)?(?:\s+(?:turbo|alpha|aleph))?|gen[\s-]*[234](?:\s+(?:turbo|alpha))?|"
    r"kling(?:[\s-]*v?\d+(?:\.\d+)?)?(?:\s+(?:pro|master|standard))?|luma(?:\s+(?:ray|dream\s*machine)[\s-]*\d*)?|"
    r"ray[\s-]*\d+(?:\.\d+)?|pika(?:[\s-]*\d+(?:\.\d+)?)?|hailuo(?:[\s-]*\d+)?|minimax|"
    r"seedance(?:[\s-]*\d+(?:\.\d+)?)?(?:\s+(?:pro|lite))?|wan[\s-]*\d+(?:\.\d+)?|hunyuan(?:\s*video)?|ltx(?:[\s-]*video)?|"
    r"gpt-?4o?|clapboard(?:\s+draft)?|(?:the\s+)?draft\s+(?:model|engine)"
)
# The fields a live schema refresh may change; everything else comes from the catalog data.
RECONCILED_FIELDS: tuple[str, ...] = (
    "durations",
    "default_duration",
    "aspects",
    "default_aspect",
    "resolutions",
    "default_resolution",
    "audio",
    "audio_options",
    "inputs",
    "refs",
    "available",
    "notice",
    "schema_checked_at",
)


def frame_size(aspect: str, resolution: str) -> tuple[int, int]:
    """Width and height of a frame, both even, for an aspect like "9:16" and a resolution like "720p"."""
    short = _SHORT_SIDE[resolution]
    w, h = _RATIO[aspect]
    if w >= h:
        return (round(short * w / h / 2) * 2, short)
    return (short, round(short * h / w / 2) * 2)


def normalise_name(name: str) -> str:
    """A model name as looked up: lower case, spaces and underscores folded, "Sora 2 Pro" -> "sora 2 pro"."""
    return re.sub(r"\s+", " ", name.strip().lower())


class ModelInputs(BaseModel):
    """The model's input field for each thing we send; None when the model has no such input."""

    prompt: str = "prompt"
    duration: str | None = None
    aspect: str | None = None
    resolution: str | None = None
    audio: str | None = None
    first_frame: str | None = None  # an image URL used as the first frame
    last_frame: str | None = None  # an image URL used as the last frame (needs a first frame)
    subject: str | None = None  # an array of image URLs the model keeps consistent (subject / style refs)


class ReferenceSpec(BaseModel):
    """How a model takes reference images, beyond which input fields exist."""

    prefer: Literal["first_frame", "subject"] = "first_frame"  # what a reference means when not said
    first_frame_fit: bool = True  # fit first/last frames to the output size (crop or pad) before sending
    first_frame_required: bool = False
    subject_max: int = 0
    subject_aspects: list[str] | None = None  # subject images only at these aspects (None: any)
    subject_durations: list[int] | None = None  # ... and these durations
    subject_token: str | None = None  # how the prompt names the n-th subject image, e.g. "<<<image_{n}>>>"


class Constraint(BaseModel):
    """A rule across options: when every `when` holds, every `require` must too."""

    when: dict[str, list[Any]]  # keys: duration, aspect, resolution, audio, first_frame
    require: dict[str, list[Any]]
    reason: str  # completes "<model name> ...", e.g. "makes 1080p videos only at 6 s"
    hint: str | None = None  # what to do; proposed from the rule's values when not given


class ModelSpec(BaseModel):
    """One model as the user chooses it."""

    id: str
    name: str
    provider: str  # the name of the provider in tools/engines/registry.py that renders it
    slug: str | None = None
    tier: Literal["draft", "budget", "standard", "premium"]
    summary: str
    durations: list[int]
    default_duration: int
    aspects: list[str]
    default_aspect: str
    resolutions: list[str]
    default_resolution: str
    fps: list[int] = Field(default_factory=lambda: [24])
    max_references: int = 0
    reference_use: ReferenceUse = "none"
    price_per_s: dict[str, float] = Field(
        default_factory=dict,
        description="USD per second of output: keys are a resolution or '*', with '+audio' when sound is on",
    )
    price_estimated: bool = Field(default=False, description="True when no published price was found")
    audio: bool = Field(default=False, description="Whether the video has sound unless the request says")
    audio_options: list[bool] = Field(default_factory=lambda: [False])
    typical_wait_s: int = 10
    aliases: list[str] = Field(default_factory=list)
    alias_notices: dict[str, str] = Field(default_factory=dict, description="What to tell users of an alias")
    fallback: str | None = None
    available: bool = True
    notice: str = ""
    inputs: ModelInputs = Field(default_factory=ModelInputs)
    values: dict[str, dict[str, Any]] = Field(
        default_factory=dict, description="Our value -> the model's, for 'aspect' and 'resolution'"
    )
    fixed_input: dict[str, Any] = Field(default_factory=dict, description="Inputs always sent as they are")
    refs: ReferenceSpec = Field(default_factory=ReferenceSpec)
    constraints: list[Constraint] = Field(default_factory=list)
    frame_sizes: dict[str, tuple[int, int]] = Field(
        default_factory=dict,
        description="'<aspect>@<resolution>' -> (width, height) where it is not standard",
    )
    schema_checked_at: str | None = None

    hosted: ClassVar[bool] = False
    """Whether a paid service renders it, over the network; the models of this class render on this machine."""

    # --- capabilities ---------------------------------------------------------------------------------

    @property
    def paid(self) -> bool:
        return any(self.price_per_s.values())

    @property
    def frame_slots(self) -> int:
        """How many images it takes as first and last frame: 0, 1 or 2."""
        if not self.inputs.first_frame:
            return 0
        return 2 if self.inputs.last_frame else 1

    def duration_text(self) -> str:
        d = self.durations
        if len(d) > 3 and d == list(range(d[0], d[-1] + 1)):
            return f"{d[0]}–{d[-1]} s"
        return ", ".join(str(x) for x in d) + " s"

    def frame(self, aspect: str, resolution: str) -> tuple[int, int]:
        """The output's width and height for an aspect and resolution."""
        size = self.frame_sizes.get(f"{aspect}@{resolution}")
        return (int(size[0]), int(size[1])) if size else frame_size(aspect, resolution)

    def effective_audio(self, audio: bool | None) -> bool:
        """Whether the output will have sound for a request that asks for `audio` (None: the default)."""
        if audio is None:
            return self.audio
        return audio if audio in self.audio_options else self.audio_options[0]

    def price(self, resolution: str, audio: bool = False) -> float:
        """USD per second of output at this resolution, with or without sound."""
        p = self.price_per_s
        keys = [f"{resolution}+audio", "*+audio"] if audio else []
        keys += [resolution, "*"]
        for key in keys:
            if key in p:
                return p[key]
        return 0.0

    def cost(self, duration_s: int | float, resolution: str, audio: bool | None = None) -> float:
        """The price of a video: seconds times the rate for its resolution and sound, in USD.

        Replicate bills these models per second of output, so this is both the estimate shown before a job
        starts and the actual cost recorded once the video is made (it does not depend on `predict_time`).
        """
        return round(self.price(resolution, self.effective_audio(audio)) * duration_s, 2)

    def price_text(self) -> str:
        """The rate as users read it, e.g. "$0.20/s, $0.40/s with audio"."""
        if not self.paid:
            return "free"
        parts = []
        for key, usd in self.price_per_s.items():
            res, _, audio = key.partition("+")
            where = "" if res == "*" else f" at {res}"
            parts.append(f"{usd_text(usd)}/s{where}{' with audio' if audio else ''}")
        text = ", ".join(parts)
        return f"about {text}" if self.price_estimated else text

    def model_value(self, kind: str, value: Any) -> Any:
        """What the model's input takes for one of our values ("9:16" -> "portrait" on Sora)."""
        return self.values.get(kind, {}).get(str(value), value)

    def reference_roles(self, count: int, *, aspect: str, duration_s: int, prefer: str | None = None) -> list[RefRole]:
        """What each of `count` reference images becomes on this model, in order.

        `prefer` is "first_frame" (first frame, then last frame) or "subject" (images the model keeps
        consistent); None uses the model's own preference and falls back to the other when it does not fit.
        Raises InvalidRequest saying what the model takes.
        """
        if count <= 0:
            if self.refs.first_frame_required:
                raise InvalidRequest(
                    f"{self.name} needs a first-frame image.",
                    hint="Attach an image (a product shot or a key visual), or pick a model that works "
                    "from text alone.",
                )
            return []
        subject_max = self.refs.subject_max if self.inputs.subject else 0
        subject_fits = (
            0 < count <= subject_max
            and (self.refs.subject_aspects is None or aspect in self.refs.subject_aspects)
            and (self.refs.subject_durations is None or duration_s in self.refs.subject_durations)
        )
        frames_fit = 0 < count <= self.frame_slots
        order = [prefer] if prefer in ("first_frame", "subject") else [self.refs.prefer]
        if prefer is None:
            order.append("subject" if order[0] == "first_frame" else "first_frame")
        for way in order:
            if way == "subject" and subject_fits:
                if self.refs.first_frame_required:
                    break
                return ["subject"] * count
            if way == "first_frame" and frames_fit:
                return ["first_frame", "last_frame"][:count]  # type: ignore[return-value]
        raise InvalidRequest(self._reference_problem(count, aspect, duration_s, prefer), hint=self._ref_hint())

    def _reference_ways(self) -> list[str]:
        ways = []
        if self.frame_slots == 2:
            ways.append("a first and a last frame")
        elif self.frame_slots == 1:
            ways.append("one image as its first frame")
        if self.inputs.subject and self.refs.subject_max:
            n = self.refs.subject_max
            text = f"up to {n} reference image{'s' if n > 1 else ''}"
            only = []
            if self.refs.subject_aspects:
                only.append("/".join(self.refs.subject_aspects))
            if self.refs.subject_durations:
                only.append("/".join(str(d) for d in self.refs.subject_durations) + " s")
            if only:
                text += f" (only for {', '.join(only)} videos)"
            ways.append(text)
        return ways

    def _reference_problem(self, count: int, aspect: str, duration_s: int, prefer: str | None) -> str:
        ways = self._reference_ways()
        gave = f"you gave {count}"
        if not ways:
            return f"{self.name} takes no reference images; {gave}."
        if prefer == "subject" and not (self.inputs.subject and self.refs.subject_max):
            return f"{self.name} cannot keep reference images consistent; it takes {' or '.join(ways)}."
        if prefer == "first_frame" and not self.frame_slots:
            return f"{self.name} takes no first-frame image; it takes {' or '.join(ways)}."
        return f"{self.name} takes {' or '.join(ways)}; {gave} ({aspect}, {duration_s} s)."

    def _ref_hint(self) -> str:
        if self.inputs.subject and self.refs.subject_max and (self.refs.subject_aspects or self.refs.subject_durations):
            parts = []
            if self.refs.subject_aspects:
                parts.append(" or ".join(self.refs.subject_aspects))
            if self.refs.subject_durations:
                parts.append(" or ".join(f"{d} s" for d in self.refs.subject_durations))
            return f"Make it {' at '.join(parts)}, use fewer images, or pick a model that takes more."
        return "Use fewer images, or pick a model that takes more."

    def check_references(
        self,
        references: int,
        *,
        duration_s: int,
        aspect: str,
        resolution: str,
        audio: bool,
        prefer: str | None,
        others: Callable[[], str],
    ) -> list[RefRole]:
        """What each reference image becomes (nothing: they are laid out as they are), after checking the
        request's references and the model's cross-option rules; `others` names the models that can, for a hint.
        Raises InvalidRequest."""
        if references > self.max_references:
            takes = (
                "no reference images"
                if self.max_references == 0
                else f"at most {self.max_references} reference image{'s' if self.max_references > 1 else ''}"
            )
            raise InvalidRequest(
                f"{self.name} takes {takes}; you gave {references}.",
                hint="Remove some, or pick a model that takes more.",
            )
        return []

    def check_constraints(self, request: dict[str, Any]) -> None:
        """Raise InvalidRequest when the request breaks one of the model's cross-option rules."""
        for rule in self.constraints:
            if not all(request.get(k) in v for k, v in rule.when.items()):
                continue
            for key, allowed in rule.require.items():
                if request.get(key) in allowed:
                    continue
                fixes = [f"{_say(key, allowed[0])} at {_say_all(rule.when)}"]
                for wkey, wvals in rule.when.items():
                    other = [v for v in self._options(wkey) if v not in wvals]
                    if other:
                        fixes.append(f"{_say(wkey, other[0])} with {_say(key, request.get(key))}")
                hint = rule.hint or f"Try {' or '.join(fixes)}."
                raise InvalidRequest(f"{self.name} {rule.reason}.", hint=hint)

    def _options(self, key: str) -> list[Any]:
        options: dict[str, list[Any]] = {
            "duration": self.durations,
            "aspect": self.aspects,
            "resolution": self.resolutions,
            "audio": self.audio_options,
        }
        return options.get(key, [])


def usd_text(usd: float) -> str:
    """Dollars with two decimals, or three when the third matters: $0.20, $0.168."""
    text = f"{usd:.3f}"
    return "$" + (text[:-1] if text.endswith("0") else text)


def _say(key: str, value: Any) -> str:
    if key == "duration":
        return f"{value} s"
    if key == "audio":
        return "with sound" if value else "without sound"
    if key == "first_frame":
        return "a first-frame image" if value else "no first-frame image"
    return str(value)


def _say_all(when: dict[str, list[Any]]) -> str:
    return " ".join(_say(k, v[0]) for k, v in when.items())


class Resolved(BaseModel):
    """A request checked against its model, with every default filled in."""

    model: ModelSpec
    duration_s: int
    aspect: str
    resolution: str
    fps: int
    width: int
    height: int
    estimated_cost_usd: float
    audio: bool = False
    reference_roles: list[str] = Field(default_factory=list)
    notices: list[str] = Field(default_factory=list)  # alias substitutions, fallbacks, adjusted values

    @property
    def notice(self) -> str:
        return " ".join(self.notices)


class ModelView(BaseModel):
    """A model with its limits and price, as listed to users (`clapboard models`, the chat, the API)."""

    id: str
    name: str
    provider: str
    slug: str | None  # the provider's name for it: google/veo-3.1
    tier: str
    summary: str
    durations: str
    aspects: list[str]
    resolutions: list[str]
    max_references: int
    reference_use: str
    price_per_s: dict[str, float]
    price: str  # the same, in words: "$0.20/s, $0.40/s with audio", "about $0.12/s", "free"
    typical_wait_s: int
    hosted: bool  # a service over the network (its wait is its own), not rendered here
    available: bool
    notice: str
    aliases: list[str]

    @classmethod
    def of(cls, spec: ModelSpec) -> ModelView:
        return cls.model_validate(
            {
                **{name: getattr(spec, name) for name in cls.model_fields if hasattr(spec, name)},
                "durations": spec.duration_text(),
                "price": spec.price_text(),
            }
        )


class Catalog:
    """The models on offer. Lookups accept ids, provider slugs, names and aliases, case-insensitively."""

    def __init__(self, models: list[ModelSpec], default_model: str = "draft") -> None:
        self._models = {m.id: m for m in models}
        self._names: dict[str, str] = {}
        self._alias_notices: dict[str, str] = {}
        for m in models:
            for name in (m.id, m.slug, m.name, *m.aliases):
                if name:
                    self._names.setdefault(normalise_name(name), m.id)
            for alias, text in m.alias_notices.items():
                self._alias_notices[normalise_name(alias)] = text
        for m in models:
            if m.fallback and m.fallback not in self._models:
                log.warning("model %s falls back to unknown model %s; using draft", m.id, m.fallback)
                self._models[m.id] = m.model_copy(update={"fallback": "draft" if "draft" in self._models else None})
        self.default_model = default_model

    def all(self) -> list[ModelSpec]:
        return list(self._models.values())

    def names(self) -> list[str]:
        """Every name a user may type for a model: ids, slugs, names and aliases."""
        return list(self._names)

    def get(self, name: str | None) -> ModelSpec:
        """The model for an id, slug or alias. Raises InvalidRequest naming the models that exist."""
        key = normalise_name(name or self.default_model)
        if key in self._names:
            return self._models[self._names[key]]
        if key.replace(" ", "-") in self._names:
            return self._models[self._names[key.replace(" ", "-")]]
        close = difflib.get_close_matches(key, self._names, n=1)
        hint = f"Did you mean {self._names[close[0]]}? " if close else ""
        raise InvalidRequest(
            f"There is no model called '{name}'.",
            hint=f"{hint}Available: {', '.join(self._models)}.",
        )

    def alias_notice(self, name: str | None) -> str:
        """What to tell a user who asked for a model by this name ("Runway Gen-3 is not offered ...")."""
        return self._alias_notices.get(normalise_name(name or ""), "")

    def chain(self, name: str | None) -> list[ModelSpec]:
        """The model and its fallbacks in order, ending at draft (cycles are cut)."""
        out: list[ModelSpec] = []
        spec: ModelSpec | None = self.get(name)
        while spec is not None and spec not in out:
            out.append(spec)
            spec = self._models.get(spec.fallback) if spec.fallback else None
        return out

    def first_available(self, name: str | None) -> ModelSpec:
        """The first available model along `name`'s fallback chain (draft at worst)."""
        for spec in self.chain(name):
            if spec.available:
                return spec
        return self._models.get("draft") or self.get(name)

    def resolve(
        self,
        model: str | None,
        *,
        duration_s: int | None = None,
        aspect: str | None = None,
        resolution: str | None = None,
        fps: int | None = None,
        references: int = 0,
        audio: bool | None = None,
        reference_role: str | None = None,
        fallback: bool = False,
    ) -> Resolved:
        """Check a request against its model and fill in defaults; InvalidRequest says what is allowed.

        An unavailable model raises ModelUnavailable, unless `fallback` is true: then the first available
        model along its fallback chain takes the request, moved to the nearest values it offers, and
        `Resolved.notices` says what happened.
        """
        spec = self.get(model)
        notices = [n for n in [self.alias_notice(model)] if n]
        if not spec.available:
            if not fallback:
                nxt = self.first_available(spec.id)
                offer = f" Try {nxt.id}." if nxt.id != spec.id else ""
                raise ModelUnavailable(
                    f"{spec.name} is not available right now.",
                    hint=(spec.notice or "Pick another model.") + offer,
                )
            for other in self.chain(spec.id)[1:]:
                if not other.available:
                    continue
                try:
                    resolved = self.adapt(
                        other.id,
                        duration_s=duration_s,
                        aspect=aspect,
                        resolution=resolution,
                        fps=fps,
                        references=references,
                        audio=audio,
                        reference_role=reference_role,
                    )
                except InvalidRequest as exc:
                    notices.append(f"{other.name} skipped: {exc.message}")
                    continue
                why = spec.notice or f"{spec.name} is not available right now."
                resolved.notices[:0] = [*notices, f"{why} {other.name} makes this video instead."]
                return resolved
            raise ModelUnavailable(f"No model on {spec.name}'s fallback chain can make this video.")
        resolved = self._check(
            spec,
            duration_s=duration_s,
            aspect=aspect,
            resolution=resolution,
            fps=fps,
            references=references,
            audio=audio,
            reference_role=reference_role,
        )
        resolved.notices[:0] = notices
        return resolved

    def adapt(
        self,
        model: str,
        *,
        duration_s: int | None = None,
        aspect: str | None = None,
        resolution: str | None = None,
        fps: int | None = None,
        references: int = 0,
        audio: bool | None = None,
        reference_role: str | None = None,
    ) -> Resolved:
        """Resolve a request on `model`, moving each value it does not offer to the nearest one it does.

        For fallbacks: a 12 s portrait request made for Sora becomes 8 s on Veo, with a notice. References
        are not dropped: a model that cannot take them raises InvalidRequest.
        """
        spec = self.get(model)
        notes: list[str] = []
        if duration_s is not None and duration_s not in spec.durations:
            asked_s = duration_s
            near = min(spec.durations, key=lambda d: (abs(d - asked_s), -d))
            notes.append(f"{spec.name} makes {near} s instead of {duration_s} s.")
            duration_s = near
        if aspect is not None and aspect not in spec.aspects:
            near_aspect = _nearest_aspect(aspect, spec.aspects)
            notes.append(f"{spec.name} makes {near_aspect} instead of {aspect}.")
            aspect = near_aspect
        if resolution is not None and resolution not in spec.resolutions:
            near_res = _nearest_resolution(resolution, spec.resolutions)
            notes.append(f"{spec.name} makes {near_res} instead of {resolution}.")
            resolution = near_res
        if fps is not None and fps not in spec.fps:
            asked_fps = fps
            fps = min(spec.fps, key=lambda f: abs(f - asked_fps))
        if audio is not None and audio not in spec.audio_options:
            notes.append(f"{spec.name} makes {'silent' if spec.audio_options[0] is False else 'sound'} videos.")
            audio = spec.audio_options[0]
        last: InvalidRequest | None = None
        for d in [duration_s, *sorted(spec.durations, key=lambda x: abs(x - (duration_s or 0)))]:
            try:
                resolved = self._check(
                    spec,
                    duration_s=d,
                    aspect=aspect,
                    resolution=resolution,
                    fps=fps,
                    references=references,
                    audio=audio,
                    reference_role=reference_role,
                )
            except InvalidRequest as exc:
                last = last or exc
                continue
            if d != duration_s and duration_s is not None:
                notes.append(f"{spec.name} makes {d} s here instead of {duration_s} s.")
            resolved.notices.extend(notes)
            return resolved
        assert last is not None
        raise last

    def _check(
        self,
        spec: ModelSpec,
        *,
        duration_s: int | None,
        aspect: str | None,
        resolution: str | None,
        fps: int | None,
        references: int,
        audio: bool | None,
        reference_role: str | None,
        hints: bool = True,
    ) -> Resolved:
        notices: list[str] = []

        def others(strict_resolution: bool = False) -> str:
            if not hints:
                return ""
            return self._other_models_hint(
                spec,
                duration=duration,
                aspect=ratio,
                resolution=res,
                references=references,
                audio=audio,
                strict_resolution=strict_resolution,
            )

        duration = spec.default_duration if duration_s is None else duration_s
        ratio = aspect or spec.default_aspect
        res = resolution or spec.default_resolution
        if duration not in spec.durations:
            below = [d for d in spec.durations if d < duration]
            above = [d for d in spec.durations if d > duration]
            nearest = ([max(below)] if below else []) + ([min(above)] if above else [])
            offer = " or ".join(f"{d} s" for d in nearest)
            raise InvalidRequest(
                f"{spec.name} cannot make a {duration} s video; it offers {spec.duration_text()}.",
                hint=f"Try {offer}.{others()}",
            )
        if ratio not in spec.aspects:
            raise InvalidRequest(
                f"{spec.name} does not make {ratio} videos; it offers {', '.join(spec.aspects)}.",
                hint=others().strip(),
            )
        if res not in spec.resolutions:
            near = _nearest_resolution(res, spec.resolutions)
            raise InvalidRequest(
                f"{spec.name} has no {res} output; it offers {', '.join(spec.resolutions)}.",
                hint=f"Try {near}.{others(strict_resolution=True)}",
            )
        rate = fps or spec.fps[0]
        if rate not in spec.fps:
            raise InvalidRequest(f"{spec.name} renders at {' or '.join(map(str, spec.fps))} fps, not {rate}.")
        sound = spec.effective_audio(audio)
        if audio is not None and audio != sound:
            if audio:
                raise InvalidRequest(
                    f"{spec.name} makes silent videos.",
                    hint=f"Turn sound off.{others()}",
                )
            notices.append(f"{spec.name} always adds sound, so the video will have it.")
        roles = list(
            spec.check_references(
                references,
                duration_s=duration,
                aspect=ratio,
                resolution=res,
                audio=sound,
                prefer=reference_role,
                others=others,
            )
        )
        width, height = spec.frame(ratio, res)
        return Resolved(
            model=spec,
            duration_s=duration,
            aspect=ratio,
            resolution=res,
            fps=rate,
            width=width,
            height=height,
            estimated_cost_usd=spec.cost(duration, res, audio=sound),
            audio=sound,
            reference_roles=roles,
            notices=notices,
        )

    def fits(
        self,
        *,
        duration_s: int | None = None,
        aspect: str | None = None,
        resolution: str | None = None,
        references: int = 0,
        audio: bool | None = None,
        exclude: str | None = None,
        strict_resolution: bool = False,
    ) -> list[ModelSpec]:
        """The available models that can make this request as asked (any resolution unless strict)."""
        out = []
        for m in self._models.values():
            if m.id == exclude or not m.available:
                continue
            try:
                self._check(
                    m,
                    duration_s=duration_s,
                    aspect=aspect,
                    resolution=resolution if strict_resolution or resolution in m.resolutions else None,
                    fps=None,
                    references=references,
                    audio=audio,
                    reference_role=None,
                    hints=False,
                )
            except InvalidRequest:
                continue
            out.append(m)
        return out

    def _other_models_hint(
        self,
        spec: ModelSpec,
        *,
        duration: int | None = None,
        aspect: str | None = None,
        resolution: str | None = None,
        references: int = 0,
        audio: bool | None = None,
        strict_resolution: bool = False,
    ) -> str:
        fits = self.fits(
            duration_s=duration,
            aspect=aspect,
            resolution=resolution,
            references=references,
            audio=audio,
            exclude=spec.id,
            strict_resolution=strict_resolution,
        )
        fits.sort(key=lambda m: not m.hosted)  # hosted models first, the local draft last
        return f" Models that can: {', '.join(m.id for m in fits)}." if fits else ""


def _nearest_resolution(resolution: str, offered: list[str]) -> str:
    target = _SHORT_SIDE.get(resolution, 720)
    return min(offered, key=lambda r: (abs(_SHORT_SIDE.get(r, 720) - target), -_SHORT_SIDE.get(r, 720)))


def _nearest_aspect(aspect: str, offered: list[str]) -> str:
    w, h = _RATIO.get(aspect, (16, 9))
    target = w / h
    return min(offered, key=lambda a: abs(_RATIO.get(a, (16, 9))[0] / _RATIO.get(a, (16, 9))[1] - target))


# --- building the catalog ----------------------------------------------------------------------------------


def cache_path(data_dir: Path) -> Path:
    return Path(data_dir) / CACHE_FILE


def load_cache(data_dir: Path | None) -> dict[str, dict[str, Any]]:
    """Reconciled fields by model id from the last `models --refresh`, or {} when there is none."""
    if data_dir is None:
        return {}
    path = cache_path(data_dir)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError):
        log.warning("ignoring an unreadable model cache at %s", path)
        return {}
    models = data.get("models", {}) if isinstance(data, dict) else {}
    return {k: v.get("fields", {}) for k, v in models.items() if isinstance(v, dict)}


def apply_overrides(spec: ModelSpec, fields: dict[str, Any]) -> ModelSpec:
    """The model with reconciled fields from the cache applied; invalid overrides are ignored."""
    update = {k: v for k, v in fields.items() if k in RECONCILED_FIELDS}
    if not update:
        return spec
    try:
        return type(spec).model_validate({**spec.model_dump(), **update})
    except ValueError:
        log.warning("ignoring the cached schema of %s: it no longer fits the catalog", spec.id)
        return spec
