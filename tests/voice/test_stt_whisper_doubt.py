"""The signs of mishearing among Whisper's readings (appliance/voice/whisper_doubt.py), each
against what it must leave alone: a repeat Whisper also wrote once, a rival that only says less,
a reading the understanding reads word for word or that a sure reading means the same as. The
real readings each sign asks about are in test_stt_whisper_nbest.py."""

from __future__ import annotations

import math

from appliance.voice.whisper_doubt import (
    ECHO,
    ECHO_AGREEMENT,
    IN_PART,
    IN_PART_AGREEMENT,
    LEFT_OVER,
    NOTHING_LIKELIER,
    NOTHING_MARGIN,
    OTHER_VALUE,
    OTHERS_WHOLE,
    Read,
    doubt,
    echoed,
    named_otherwise,
    nothing_likelier,
    only_others_whole,
    read_in_part,
    requests,
    said_twice,
    split_on_left_over,
)

HOUSE = (("add_preference", (("genre", "house"),)),)
DEEP_HOUSE = (("add_preference", (("genre", "deep house"),)),)
PLAY_HAPPY = (("play", (("mood", "happy"),)),)
PLAY = (("play", ()),)


def test_a_sentence_written_only_twice_is_an_echo() -> None:
    assert echoed("Skip the track. Skip the track.", ["Skip the track. Skip the track."])
    assert echoed("Play jazz. Play rock. Play rock!", ["Play jazz. Play rock. Play rock!"])
    # also written once: a doubled reading of words Whisper heard
    assert not echoed("Skip the track. Skip the track.", ["Skip the track?", "Skip it."])
    assert not echoed("Play jazz. Play rock.", [])  # two requests, not a repeat
    assert not echoed("Play rock. Play jazz. Play rock.", [])
    assert not echoed("", [])


def test_a_word_for_word_reading_naming_another_value_doubts_one_read_in_part() -> None:
    chosen = Read("I love the house.", 0.87, HOUSE)
    rival = Read("I love deep house, yes.", 1.0, DEEP_HOUSE)
    assert named_otherwise(chosen, [chosen, rival])
    assert not named_otherwise(Read(chosen.text, 0.95, HOUSE), [chosen, rival])  # read whole
    assert not named_otherwise(chosen, [chosen, Read(rival.text, 0.8, DEEP_HOUSE)])  # in part
    # a rival saying less ("Play something now.") names nothing else
    upbeat = Read("Play something upbeat now.", 0.8, PLAY_HAPPY)
    assert not named_otherwise(upbeat, [upbeat, Read("Play something now.", 1.0, PLAY)])
    other_request = Read("I like this.", 1.0, (("like", ()),))
    assert not named_otherwise(chosen, [chosen, other_request])


def test_a_reading_understood_in_part_from_words_whisper_split_on_is_doubted() -> None:
    chosen = Read("Put on some happy radio.", 0.8, PLAY_HAPPY)
    split = IN_PART_AGREEMENT - 0.01
    assert read_in_part(chosen, [chosen], split)
    assert not read_in_part(chosen, [chosen], IN_PART_AGREEMENT)  # Whisper agreed on its words
    sure = Read("Put on some happy music.", 0.95, PLAY_HAPPY)
    assert not read_in_part(chosen, [chosen, sure], split)  # read whole, it means the same
    assert not read_in_part(Read(chosen.text, 0.9, PLAY_HAPPY), [], split)
    assert not read_in_part(Read(chosen.text, 0.8, None), [], split)


def test_readings_in_part_split_only_on_words_set_aside_are_doubted() -> None:
    """Every reading read in part, and those writing other words mean the same: the words
    Whisper split on are the ones the understanding set aside (where a genre was)."""
    chosen = Read("Put on some happy ready.", 0.8, PLAY_HAPPY)
    same = [chosen, Read("Put on some happy, ready.", 0.8, PLAY_HAPPY)]  # the same words
    split = [*same, Read("Put on some happy writing.", 0.8, PLAY_HAPPY)]
    assert split_on_left_over(chosen, split)
    assert split_on_left_over(chosen, [*split, Read("Put on some hoppy ready.", 0.0, None)])
    assert doubt(chosen, split, 0.9, full_share=0.9) == LEFT_OVER
    assert not split_on_left_over(chosen, same)  # Whisper wrote no other words
    assert not split_on_left_over(chosen, [chosen, Read("Put on some hoppy ready.", 0.0, None)])
    # one reading read word for word: what the request is was heard
    assert not split_on_left_over(chosen, [*split, Read("Put on some happy reggae.", 0.95, HOUSE)])
    # the words split on change the meaning: the understanding used them
    assert not split_on_left_over(chosen, [*split, Read("Put on some hap pyrety.", 0.8, PLAY)])
    assert not split_on_left_over(Read(chosen.text, 0.9, PLAY_HAPPY), split)  # read whole
    assert not split_on_left_over(Read(chosen.text, 0.8, None), split)


def test_the_first_sign_is_named_and_only_those_asked_for() -> None:
    chosen = Read("I love the house. I love the house.", 0.85, HOUSE)
    rival = Read("I love deep house, yes.", 1.0, DEEP_HOUSE)
    assert doubt(chosen, [chosen, rival], 0.1, full_share=0.1) == ECHO
    assert (
        doubt(chosen, [chosen, rival], 0.1, (OTHER_VALUE, IN_PART), full_share=0.1) == OTHER_VALUE
    )
    assert doubt(chosen, [chosen], 0.1, (IN_PART,), full_share=0.1) == IN_PART
    assert doubt(chosen, [chosen, rival], 0.1, (), full_share=0.1) is None


def test_meanings_of_another_form_compare_no_slots() -> None:
    assert requests(HOUSE) == [("add_preference", {"genre": "house"})]
    for odd in (None, "to skip", (), ("play",), (("play", "jazz"),), ((1, ()),)):
        assert requests(odd) is None
    chosen = Read("Skip it now.", 0.8, "to skip")
    assert not named_otherwise(chosen, [chosen, Read("Keep it now.", 1.0, "to keep")])


def test_a_repeat_agreed_on_in_the_full_window_is_the_speakers() -> None:
    """Said twice, Whisper writes the repeat in most readings however it punctuates it: no echo
    once the full window is read and says it too; a quick window alone, a quick window that
    loops in every reading while the full one never writes the repeat (half the agreement by
    itself), or readings split, still echo."""
    chosen = Read("Louder. Louder.", 1.0, (("volume_up", ()),))
    assert said_twice(ECHO_AGREEMENT, full_share=ECHO_AGREEMENT)
    assert doubt(chosen, [chosen], ECHO_AGREEMENT, (ECHO,), full_share=1.0) is None
    assert doubt(chosen, [chosen], ECHO_AGREEMENT, (ECHO,), full_share=None) == ECHO
    assert doubt(chosen, [chosen], ECHO_AGREEMENT, (ECHO,), full_share=0.0) == ECHO
    split = ECHO_AGREEMENT - 0.01
    assert doubt(chosen, [chosen], split, (ECHO,), full_share=1.0) == ECHO


def test_a_reading_in_part_when_every_whole_reading_asks_otherwise_is_doubted() -> None:
    """The understanding read the chosen words only in part (a genre liked) while every
    reading it read word for word asks for something else (the track on air liked): what it
    could read whole is not what it would act on. A whole reading asking the same, a chosen
    reading read whole, or no reading read whole leave it alone."""
    blues = (("add_preference", (("genre", "blues"),)),)
    like = (("like", ()),)
    chosen = Read("I like the blues, man.", 0.85, blues)
    others = [chosen, Read("I like this tune.", 1.0, like), Read("I like the tune.", 0.95, like)]
    assert only_others_whole(chosen, others)
    assert doubt(chosen, others, 0.9, (OTHERS_WHOLE,), full_share=0.9) == OTHERS_WHOLE
    # a whole reading asks the same request, whatever its value
    soul = Read("I like soul.", 1.0, (("add_preference", (("genre", "soul"),)),))
    assert not only_others_whole(chosen, [*others, soul])
    assert not only_others_whole(Read(chosen.text, 0.9, blues), others)  # read whole itself
    assert not only_others_whole(chosen, [chosen, Read("I like the tube.", 0.8, like)])
    assert not only_others_whole(chosen, [chosen, Read("I like the boots.", 1.0, None)])
    assert not only_others_whole(Read(chosen.text, 0.85, None), others)  # nothing to act on


def test_a_request_far_less_likely_than_a_reading_of_no_request_is_doubted() -> None:
    """The understanding chose a request Whisper found much less likely than its own likeliest
    reading of the full window, which asks for nothing: asked about. Within the margin (the
    judge's usual rescue of a command Whisper spelled as other words), a rival read in the
    quick window only, or a chosen reading asking for nothing, it is left alone."""
    skip = (("skip", ()),)
    chosen = Read("Could you hand this song?", 0.6, skip, weight=0.6, window=12.0)
    talk = Read("Could you hand the bread?", 0.0, None, weight=0.9)
    assert math.log(0.9 / 0.6) > NOTHING_MARGIN
    assert nothing_likelier(chosen, [chosen, talk])
    assert doubt(chosen, [chosen, talk], 0.9, (NOTHING_LIKELIER,), full_share=0.9) == (
        NOTHING_LIKELIER
    )
    near = Read(talk.text, 0.0, None, weight=0.6 * math.exp(NOTHING_MARGIN) - 0.01)
    assert not nothing_likelier(chosen, [chosen, near])
    quick = Read(talk.text, 0.0, None, weight=0.9, window=12.0)
    assert not nothing_likelier(chosen, [chosen, quick])  # the full window was not read so
    understood = Read("Could you hand the next?", 0.85, skip, weight=0.9)
    assert not nothing_likelier(chosen, [chosen, understood])  # a rival asking for something
    assert not nothing_likelier(Read(chosen.text, 0.0, None, weight=0.6), [chosen, talk])
