"""What a user asks for (`VideoRequest`), what is stored on the job once it is checked (`JobSpec`), and what
the submitter sees right after (`Submitted`)."""

from __future__ import annotations

from pydantic import BaseModel, Field, StrictBool, StrictInt, field_validator

from campaign.models import Job, JobStatus
from campaign.text import StorableText
from tools.brand import BrandKit, BrandVersion
from tools.brief import MAX_PROMPT_CHARS, URL, AdCopy, Options
from tools.brief.sound import read_sound, voice_names
from tools.brief.variations import Variant
from tools.engines.base import Reference
from tools.jobs.voiceover import voice_cost_of
from tools.sound.speech import SoundSpec
from tools.sound.voices import VOICES

IDEMPOTENCY_KEY_CHARS = 200  # the column's width
MAX_SCRIPT_CHARS = 2000  # a minute's voice-over, and more


class VideoRequest(BaseModel):
    """What a user asks for. Unset fields take the model's defaults."""

    prompt: StorableText = Field(description="The brief: what the video shows and says.")
    model: StorableText | None = Field(default=None, description="Model id or alias; the default model when unset.")
    duration_s: StrictInt | None = Field(default=None, description="Length in seconds.")
    aspect: StorableText | None = Field(default=None, description="16:9, 9:16, 1:1 or 4:5.")
    resolution: StorableText | None = Field(default=None, description="720p or 1080p (model-dependent).")
    fps: StrictInt | None = None
    template: StorableText | None = Field(
        default=None,
        description="brand-animation, product-showcase or social-media; plain prompt when unset.",
    )
    references: list[StorableText] = Field(
        default_factory=list, description="Reference images: stored keys (refs/...) or http(s) URLs."
    )
    audio: StrictBool | None = None
    refine: StrictBool | None = Field(
        default=None,
        description="Rewrite the brief into a prompt for the model's footage; default on for paid models. Refined or "
        "not, a hosted model is never sent the words, which are drawn over its footage.",
    )
    auto_fallback: StrictBool | None = Field(
        default=None,
        description="When the model fails, go on to the next paid model in its chain without asking (within the "
        "approved price); default on for a request confirmed when submitted.",
    )
    campaign: StorableText | None = None
    title: StorableText | None = Field(default=None, max_length=200)
    copy: AdCopy = Field(  # type: ignore[assignment]  # shadows BaseModel.copy on purpose, as the API names it
        default_factory=AdCopy,
        description="The words on screen; fields left empty are read from the brief's quoted text, labels, prices "
        "and product names.",
    )
    voice: StorableText | None = Field(
        default=None,
        description='The voice-over: a voice\'s id or name (`clapboard voices`), "female" or "male", "on" for the '
        'kit\'s default voice, "none" for no voice-over; unset: as the brief says (off unless it asks).',
    )
    script: StorableText | None = Field(
        default=None,
        max_length=MAX_SCRIPT_CHARS,
        description="The voice-over's words, spoken as given (a voice-over is then on); unset: written from the brief.",
    )
    captions: StrictBool | None = Field(
        default=None, description="Captions of the voice-over, burned in and as SRT/VTT files; on with a voice."
    )
    music: StrictBool | None = Field(default=None, description="The music bed under the voice; on unless false.")

    @field_validator("prompt")
    @classmethod
    def _prompt_given(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("Describe the video: the prompt is empty.")
        if len(value) > MAX_PROMPT_CHARS:
            raise ValueError(f"The prompt is too long: keep it under {MAX_PROMPT_CHARS} characters.")
        return value

    def options(self) -> Options:
        """What this request asks of the video, as a brief's options: the front end read them from the words
        into these fields, so they are not read again. The sound the fields leave unset is what the words say of
        it (a front end that passes only the prompt on still gets the voice-over it asked for)."""
        asked = self.model_dump(include={"prompt", "model", "duration_s", "aspect", "resolution", "template",
                                         "campaign", "audio", "voice", "captions", "music"})  # fmt: skip
        said = read_sound(self.prompt, voice_names()).model_dump()
        sound = {k: v if (v := asked.get(k)) is not None else said[k] for k in said}
        return Options(**{**asked, **sound}, reference_urls=[r for r in self.references if URL.match(r)])


class ExportSpec(BaseModel):
    """An export job's ask: the creative, the placements (keys, tools/delivery/placements.py), and whether each
    file is trimmed to its placement's longest length."""

    creative_id: str
    placements: list[str]
    trim: bool = False


class JobSpec(BaseModel):
    """The checked request stored on a job (`Job.spec`): everything any runner needs to render it."""

    prompt: str  # as the user gave it
    prompt_sent: str  # as sent to the model (refined or not)
    refine_method: str | None = None
    model: str
    duration_s: int
    aspect: str
    resolution: str
    fps: int
    width: int = 0
    height: int = 0
    template: str
    copy: AdCopy = Field(default_factory=AdCopy)  # type: ignore[assignment]  # the words on screen
    references: list[Reference] = Field(default_factory=list)
    audio: bool = False
    auto_fallback: bool = False  # a failed model's paid fallback starts without asking (else the job asks)
    title: str
    set_id: str | None = None  # the set of variations or formats this job was made in
    channel: str | None = None  # the channel it was made for (tools/channels.py), when one was named
    variant: Variant = Field(default_factory=Variant)  # which variation of the brief: what it changes, its seed
    brand: BrandKit | None = None  # the campaign's kit (over its team's) when the job was submitted
    brand_version: BrandVersion | None = None  # which versions that kit came from
    # Another format of a paid video, free: the creative (of the job's team) whose footage is reframed to this
    # job's format and finished for it; no model is asked for anything.
    footage_of: str | None = None
    sound: SoundSpec = Field(default_factory=SoundSpec)  # voice-over, its script, captions, music
    export: ExportSpec | None = None  # an export of a creative made with this spec (a job of kind "export")
    batch_id: str | None = None  # the batch that made it (tools/studio/batches.py): its one line follows it

    @classmethod
    def of(cls, job: Job) -> JobSpec:
        return cls.model_validate(job.spec)

    def voice(self) -> tuple[str, float]:
        """Who reads the voice-over ("" for none; the id of a voice no longer offered) and what it costs (nothing
        for a reframe: it reuses its creative's voice)."""
        if not self.sound.voice:
            return "", 0.0
        known = next((v for v in VOICES if v.id == self.sound.voice), None)
        if known is None:
            return self.sound.voice, 0.0
        return known.name, 0.0 if self.footage_of else voice_cost_of(self.sound)


class Submitted(BaseModel):
    """A job as the submitter sees it right after submission."""

    job_id: str
    status: JobStatus
    title: str
    campaign: str
    model: str
    model_name: str
    duration_s: int
    aspect: str
    width: int
    height: int
    estimated_cost_usd: float
    prompt: str
    prompt_sent: str
    refine_method: str | None = None
    notice: str = ""
    channel: str | None = None
    copy: AdCopy = Field(default_factory=AdCopy)  # type: ignore[assignment]  # the words on screen
    replaces: str | None = None  # the price question it replaced (a change before the job started), canceled
    variation: str = ""  # what this variation changes from the original ("hook: the price first"); empty otherwise
    footage_of: str | None = None  # a reframe of this creative's footage: free, no model asked
    sound: SoundSpec = Field(default_factory=SoundSpec)  # the voice-over and its script, captions, music
    voice_name: str = ""  # who reads the voice-over ("" for none)
    voice_cost_usd: float = 0.0  # what the voice-over costs, part of estimated_cost_usd

    @property
    def needs_confirmation(self) -> bool:
        return self.status == JobStatus.awaiting_confirmation

    @classmethod
    def of(cls, job: Job, campaign: str, model_name: str) -> Submitted:
        spec = JobSpec.of(job)
        voice_name, voice_cost = spec.voice()
        return cls(
            job_id=job.id,
            status=JobStatus(job.status),
            title=spec.title,
            campaign=campaign,
            model=job.model,
            model_name=model_name,
            duration_s=spec.duration_s,
            aspect=spec.aspect,
            width=spec.width,
            height=spec.height,
            estimated_cost_usd=job.estimated_cost_usd,
            prompt=spec.prompt,
            prompt_sent=spec.prompt_sent,
            refine_method=spec.refine_method,
            notice=job.notice or "",
            channel=spec.channel,
            copy=spec.copy,
            variation=spec.variant.label,
            footage_of=spec.footage_of,
            sound=spec.sound,
            voice_name=voice_name,
            voice_cost_usd=voice_cost,
        )
