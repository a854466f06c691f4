"""The voice catalog: found by id or name, priced by the characters sent, a default picked from the words of a
request and the kit's tone, and web addresses and symbols said as words."""

from __future__ import annotations

import pytest

from campaign.errors import InvalidRequest
from tools.sound.speech import ScriptLine, VoiceScript
from tools.sound.spoken import PAUSE, spoken, with_pauses
from tools.sound.voices import OFFLINE, VOICES, find_voice, pick_voice

SCRIPT = VoiceScript(
    lines=[
        ScriptLine(text="Meet the Aurora runner.", start=0.3, end=3.0),
        ScriptLine(text="Shop now at aurora.run.", start=11.5, end=14.7, part="close"),
    ]
)


def test_voices_are_found_by_id_name_or_minimax_id_and_an_unknown_one_lists_them() -> None:
    assert find_voice("JOE").id == OFFLINE
    assert find_voice("Clara").voice_id == "Calm_Woman"
    assert find_voice("deep_voice_man").id == "dexter"
    with pytest.raises(InvalidRequest) as caught:
        find_voice("Morgan")
    assert "Morgan" in str(caught.value) and all(v.id in str(caught.value) for v in VOICES)


def test_the_offline_voice_is_free_and_a_premium_one_costs_by_the_characters_sent() -> None:
    assert find_voice(OFFLINE).cost(SCRIPT) == 0.0 and not find_voice(OFFLINE).paid
    hd = find_voice("hazel")
    sent = with_pauses(SCRIPT)
    assert sent == f"Meet the Aurora runner. {PAUSE} Shop now at aurora dot run."
    assert hd.cost(SCRIPT) == round(len(sent) * 0.10 / 1000, 4)
    assert find_voice("poppy").cost(SCRIPT) < hd.cost(SCRIPT)  # turbo costs less than hd


def test_a_default_voice_follows_gender_and_tone_and_offline_is_always_joe() -> None:
    assert pick_voice("female", "calm, premium", premium=False).id == OFFLINE
    assert pick_voice("female", "calm, premium", premium=True).id == "clara"
    assert pick_voice("female", "bold playful", premium=True).id == "poppy"
    assert pick_voice("male", "playful", premium=True).id == "jake"
    assert pick_voice("male", None, premium=True).id == "dexter"
    assert pick_voice(None, None, premium=True).gender == "female"


def test_addresses_handles_and_symbols_are_said_as_words() -> None:
    assert spoken("Shop now at aurora.run.") == "Shop now at aurora dot run."
    assert spoken("Follow @aurora for 30% off & more") == "Follow at aurora for 30 percent off and more"
    assert spoken("www.aurora-shoes.com/sale") == "aurora-shoes dot com slash sale"
