"""The sound a request asks for: the brief's words (a voice-over, a voice, captions, music, its mood, broadcast)
read into the job's SoundSpec at submission and kept out of the ad's words; the voice chosen (premium only with
Replicate), its script written or given, its price on the job; and new versions keeping or changing the sound."""

from __future__ import annotations

import pytest

from campaign.errors import InvalidRequest
from campaign.people import LOCAL_OWNER as OWNER
from campaign.settings import Settings
from tests.conftest import make_settings
from tests.tools.test_jobs import PREMIUM
from tools.brand import BrandKit
from tools.brief import read_brief, read_options
from tools.catalog import Catalog
from tools.engines.draft.provider import DRAFT
from tools.jobs import VideoRequest
from tools.jobs.voiceover import sound_for
from tools.sound.voices import OFFLINE, find_voice
from tools.studio import Studio


@pytest.mark.parametrize(
    ("brief", "said"),
    [
        ("a 15 s ad for our lamp with a voice-over", {"voice": "on"}),
        ("a narrated teaser of the lamp", {"voice": "on"}),
        ("lamp ad, female voice, no captions", {"voice": "female", "captions": False}),
        ("lamp ad with a man's voice-over and calm music", {"voice": "male", "mood": "calm"}),
        ("lamp ad read by Hazel, without music", {"voice": "Hazel", "music": False}),
        ("an upbeat lamp ad, no voice-over", {"voice": "none", "mood": "upbeat"}),
        ("a 16:9 lamp ad for TV with a voiceover", {"voice": "on", "broadcast": True}),
        ("a lamp ad", {}),
        ("a lamp ad with VO, no subs", {"voice": "on", "captions": False}),
        ("a lamp ad, no soundtrack, use Hazel", {"voice": "Hazel", "music": False}),
        ("a lamp ad for our burgers and subs", {}),
        ("a video of people dancing to music on the beach", {}),
        ("a choir ad with voices singing", {}),
        ("A 10 s ad: Try Poppy's lemonade today", {}),
    ],
)
def test_the_brief_s_words_ask_for_the_sound(brief: str, said: dict[str, object]) -> None:
    options = read_options(brief, [])
    read = {k: getattr(options, k) for k in ("voice", "captions", "music", "mood", "broadcast")}
    assert {k: v for k, v in read.items() if v is not None} == said


def test_no_music_is_not_a_silent_video() -> None:
    options = read_options("a lamp ad with a voice-over, no music", [])
    assert (options.music, options.audio, options.voice) == (False, None, "on")


def test_sound_words_are_not_the_ad_s_words() -> None:
    brief = read_brief('A showcase of the "Aero" lamp with a female voice-over, no captions, upbeat music. $99')
    said = brief.words.lower()
    assert "aero" in said and "$99" in said
    assert not any(w in said for w in ("voice", "captions", "music"))
    assert not any(w in t.lower() for t in brief.copy.texts() for w in ("voice", "caption", "music"))


async def test_a_script_is_written_with_the_offline_voice_and_captions_follow_it() -> None:
    brief = read_brief("a product showcase of our Aero lamp, with a voice-over. Only $99. Shop now")
    sound = await sound_for(brief, script=None, kit=None, duration_s=15, premium=False, paid_video=False, llm=None)
    assert sound.spec.voice == OFFLINE and sound.spec.captions and sound.spec.music
    assert sound.spec.script is not None and sound.spec.script.lines and sound.spec.script.source == "rules"
    assert sound.spec.script.lines[-1].end <= 15
    assert sound.cost_usd == 0.0 and sound.notice == ""
    silent = await sound_for(read_brief("a lamp ad"), script=None, kit=None, duration_s=8, premium=False,
                             paid_video=False, llm=None)  # fmt: skip
    assert silent.spec.voice is None and silent.spec.script is None and not silent.spec.captions
    wordless = await sound_for(read_brief("a lamp ad, narrated"), script=None, kit=None, duration_s=8,
                               premium=False, paid_video=False, llm=None)  # fmt: skip
    assert wordless.spec.voice is None and "nothing to say" in wordless.notice


async def test_a_female_voice_offline_goes_on_with_joe_and_says_so() -> None:
    brief = read_brief('a lamp ad with a female voice, headline "Meet Aero"')
    offline = await sound_for(brief, script=None, kit=None, duration_s=8, premium=False, paid_video=False, llm=None)
    assert offline.spec.voice == OFFLINE and "no female voice offline" in offline.notice
    assert "connect Replicate" in offline.notice
    premium = await sound_for(brief, script=None, kit=None, duration_s=8, premium=True, paid_video=False, llm=None)
    assert premium.voice is not None and premium.voice.gender == "female" and premium.voice.paid
    assert premium.cost_usd > 0 and premium.notice == ""


async def test_a_premium_voice_without_replicate_says_what_to_do() -> None:
    brief = read_brief("a lamp ad read by Hazel")
    with pytest.raises(InvalidRequest) as refused:
        await sound_for(brief, script=None, kit=None, duration_s=8, premium=False, paid_video=False, llm=None)
    assert "Hazel" in str(refused.value) and "connect Replicate" in (refused.value.hint or "")


async def test_a_given_script_turns_the_voice_on_and_is_spoken_as_written() -> None:
    brief = read_brief("a lamp ad")
    sound = await sound_for(brief, script="Meet Aero. Light that follows you home.", kit=None, duration_s=8,
                            premium=False, paid_video=False, llm=None)  # fmt: skip
    assert sound.spec.voice == OFFLINE and sound.spec.script is not None
    assert sound.spec.script.text() == "Meet Aero. Light that follows you home." and sound.spec.script.source == "user"


async def _studio(settings: Settings) -> Studio:
    """A studio whose jobs never run here: the paid test model waits for its price, the draft one has no engine."""
    return await Studio.open(settings, catalog=Catalog([DRAFT, PREMIUM]), engines=lambda spec: None)  # type: ignore[arg-type, return-value]


async def test_a_premium_voice_is_priced_on_the_job_and_waits_for_confirmation(settings: Settings) -> None:
    paid = make_settings(settings.data_dir, replicate_api_token="r8_test")
    studio = await _studio(paid)
    request = VideoRequest(prompt="a product ad for our Aero lamp, only $99", voice="hazel", duration_s=6,
                           model="premium")  # fmt: skip
    made = await studio.jobs.submit(OWNER, request)
    hazel = find_voice("hazel")
    assert made.voice_name == "Hazel" and made.sound.script is not None
    assert made.voice_cost_usd == hazel.cost(made.sound.script) > 0
    assert made.estimated_cost_usd == pytest.approx(1.5 + made.voice_cost_usd)
    assert made.needs_confirmation
    draft = await studio.jobs.submit(OWNER, VideoRequest(prompt='a lamp ad with a female voice: "Meet Aero"',
                                                         model="draft"))  # fmt: skip
    assert draft.needs_confirmation and draft.estimated_cost_usd == draft.voice_cost_usd > 0
    await studio.close()


async def test_a_change_to_the_script_replaces_the_job_waiting_for_its_price(settings: Settings) -> None:
    studio = await _studio(settings)
    first = await studio.jobs.submit(OWNER, VideoRequest(prompt="an ad for our Aero lamp, narrated", model="premium",
                                                         duration_s=6))  # fmt: skip
    assert first.needs_confirmation and first.voice_name == "Joe"
    changed = await studio.jobs.revise(OWNER, first.job_id, {"script": "Aero. Light, anywhere."})
    assert changed.replaces == first.job_id and changed.sound.script is not None
    assert changed.sound.script.text() == "Aero. Light, anywhere." and changed.voice_name == "Joe"
    quiet = await studio.jobs.revise(OWNER, changed.job_id, {"music": False, "captions": False})
    assert (quiet.sound.music, quiet.sound.captions, quiet.sound.voice) == (False, False, OFFLINE)
    assert quiet.sound.script is not None and quiet.sound.script.text() == "Aero. Light, anywhere."
    written = await studio.jobs.submit(OWNER, VideoRequest(prompt='an ad for our lamp, narrated: "Meet Aero"',
                                                           model="premium", duration_s=6))  # fmt: skip
    assert written.sound.script is not None and "Meet Aero" in written.sound.script.text()
    renamed = await studio.jobs.revise(OWNER, written.job_id, {"copy": {"headline": "Meet Nova"}})
    assert renamed.sound.script is not None and "Meet Nova" in renamed.sound.script.text()
    assert "Aero" not in renamed.sound.script.text()  # a written script follows the new words
    none = await studio.jobs.revise(OWNER, quiet.job_id, {"voice": "none"})
    assert none.sound.voice is None and none.voice_name == "" and none.sound.music is False
    await studio.close()


async def test_a_shorter_version_writes_its_script_again_and_a_users_is_kept(settings: Settings) -> None:
    studio = await _studio(settings)
    brief = (
        'a 15 s ad for our Aero lamp, narrated. "Light that follows you". Warm light. Folds flat. Only $99. Shop now'
    )
    long = await studio.jobs.submit(OWNER, VideoRequest(prompt=brief, model="premium"))
    short = await studio.jobs.revise(OWNER, long.job_id, {"duration_s": 4})
    assert long.sound.script is not None and short.sound.script is not None
    assert short.sound.script.source == "rules" and short.sound.script.lines[-1].end <= 4
    assert len(short.sound.script.text()) < len(long.sound.script.text())  # written for 4 s, not cut off at 4 s
    mine = await studio.jobs.revise(OWNER, short.job_id, {"script": "Aero. Light, anywhere."})
    square = await studio.jobs.revise(OWNER, mine.job_id, {"aspect": "9:16"})
    assert square.sound.script is not None and square.sound.script.text() == "Aero. Light, anywhere."
    await studio.close()


async def test_a_job_whose_voice_is_no_longer_offered_still_lists(settings: Settings) -> None:
    studio = await _studio(settings)
    made = await studio.jobs.submit(OWNER, VideoRequest(prompt="an ad for our Aero lamp, narrated", model="premium"))
    job = await studio.store.job(made.job_id)
    await studio.store.update_job(job.id, spec={**job.spec, "sound": {**job.spec["sound"], "voice": "retired-voice"}})
    [view] = [j for j in await studio.jobs.jobs(OWNER) if j.id == made.job_id]
    assert (view.voice_name, view.voice_cost_usd) == ("retired-voice", 0.0)
    await studio.close()


async def test_the_kit_s_tone_picks_the_default_premium_voice_for_a_paid_video() -> None:
    brief = read_brief('a lamp ad with a voice-over, headline "Meet Aero"')
    calm = await sound_for(brief, script=None, kit=BrandKit(tone=["calm", "premium"]), duration_s=8, premium=True,
                           paid_video=True, llm=None)  # fmt: skip
    lively = await sound_for(brief, script=None, kit=BrandKit(tone=["bold", "playful"]), duration_s=8,
                             premium=True, paid_video=True, llm=None)  # fmt: skip
    assert calm.voice is not None and lively.voice is not None
    assert (calm.voice.mood, lively.voice.mood) == ("calm", "energetic") and calm.voice.paid and lively.voice.paid
    free = await sound_for(brief, script=None, kit=BrandKit(tone=["calm"]), duration_s=8, premium=True,
                           paid_video=False, llm=None)  # fmt: skip
    assert free.spec.voice == OFFLINE and free.cost_usd == 0  # a free draft stays free unless a voice is named


async def test_sound_words_are_not_sent_to_a_video_model(settings: Settings) -> None:
    studio = await _studio(settings)
    made = await studio.jobs.submit(OWNER, VideoRequest(prompt='a lamp on a desk at dusk with a female voice-over, '
                                                        'no captions, upbeat music: "Meet Aero"', model="premium",
                                                        duration_s=6, refine=False))  # fmt: skip
    brief = made.prompt_sent.lower().split("\n")[0]  # then the framing, which asks for no captions in the footage
    assert brief.startswith("a lamp on a desk at dusk") and not any(w in brief for w in ("voice", "caption", "music"))
    assert (made.sound.captions, made.sound.mood, made.voice_name) == (False, "upbeat", "Joe")
    await studio.close()
