"""The `Brief`: a brief read once, at submission, into what every later step takes instead of the text.

`read_brief` reads by rules, offline. `read_brief_llm` (tools/brief/llm.py) asks an LLM for the copy as structured
output and checks it against the brief; it fills the same fields, and nothing after it changes.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, Field

from tools.brief.copy import AdCopy, copy_in
from tools.brief.instructions import without_instructions
from tools.brief.motion import Motion, read_motion, without_motion
from tools.brief.options import Options, read_options
from tools.brief.phrases import key_phrases
from tools.brief.templates import Template, get_template
from tools.brief.titles import title_for

MAX_PROMPT_CHARS = 4000  # the longest brief, and the longest prompt a refinement writes


class Brief(BaseModel):
    """What a brief says, read once: the words without instructions, the words on screen, the template, the key
    phrases, the options the words ask for, how the logo or product moves and the title."""

    text: str = Field(description="The brief as the user gave it.")
    words: str = Field(
        description="The brief without instructions: `key=value` options, URLs, its campaign, confidentiality "
        "markers and model names."
    )
    copy: AdCopy = Field(default_factory=AdCopy, description="The words on screen.")  # type: ignore[assignment]
    template: Template = Field(description="The template the video is made with.")
    key_phrases: list[str] = Field(
        default_factory=list, description="What the ad is about, without how to make it and without its copy."
    )
    options: Options = Field(
        default_factory=Options, description="What the words ask of the video: length, format, model, sound, ..."
    )
    motion: Motion | None = Field(
        default=None, description="How the words ask the logo or the product to move, if they do."
    )
    title: str = Field(default="", description="The creative's title: the one given, else made by `titled`.")
    notes: list[str] = Field(
        default_factory=list,
        description="What checking an LLM's copy against the brief changed, and the lines the assistant wrote.",
    )

    def titled(self, aspect: str) -> Brief:
        """This brief with its title: the one given, else one made for `aspect`, the format the video is made
        in (known once the model is chosen)."""
        if self.title:
            return self
        title = title_for(self.words, template=self.template.name, aspect=aspect, copy=self.copy,
                          phrases=self.key_phrases)  # fmt: skip
        return self.model_copy(update={"title": title})


def read_brief(
    text: str,
    model_names: Sequence[str] = (),
    *,
    template: str | None = None,
    copy: AdCopy | None = None,
    title: str | None = None,
    options: Options | None = None,
) -> Brief:
    """The brief read by rules. `template` (a name or alias; None for the one the words name, else the plain
    one), `copy` (laid over the copy the words give) and `title` are what the request chose; the rest is read from
    the words. `options` are the words' options when a front end has read them already (into a request): they are
    not read again. `model_names` are instructions, never copy. Raises InvalidRequest for an unknown template."""
    options = options if options is not None else read_options(text, model_names)
    chosen = get_template(template or options.template)
    words = without_instructions(options.prompt, model_names)
    copy = (copy or AdCopy()).over(copy_in(without_motion(words), model_names))
    return Brief(
        text=text,
        words=words,
        copy=copy,
        template=chosen,
        key_phrases=key_phrases(words, skip=tuple(copy.texts()), model_names=model_names),
        options=options,
        motion=read_motion(words, chosen.name, tuple(model_names)),
        title=title or "",
    )
