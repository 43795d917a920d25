"""Understanding, the shapes people use beyond the templates' first wording: a correction that
names the kind of thing it means ("no, the band ..."), wanting said many ways ("i could go for
...", "fire up ..."), a taste named and then what it is to one ("... does nothing for me", "...
is my guy"), a liking taken back ("wipe ... off my likes"), and tags that only hand over
("..., whenever you're ready"). Each is a phrasing of our own, not a line of any corpus."""

from __future__ import annotations

import pytest

from appliance.dj.understand import Understanding


@pytest.mark.parametrize(
    ("text", "intent", "slots"),
    [
        # a correction naming the kind of thing: the correction, never a play of it
        ("no the artist nina simone", "correct", {"artist": "nina simone"}),
        ("nah, the band daft punk", "correct", {"artist": "daft punk"}),
        ("no no the singer bob marley", "correct", {"artist": "bob marley"}),
        ("no i meant the musician miles davis", "correct", {"artist": "miles davis"}),
        ("nope, the one by norah jones", "correct", {"artist": "norah jones"}),
        ("sorry the record exodus", "correct", {"album": "exodus"}),
        (
            "no the album diamond life by sade",
            "correct",
            {"album": "diamond life", "artist": "sade"},
        ),
        # wanting, said many ways
        ("fire up a bit of reggae", "play", {"genre": "reggae"}),
        ("i could really go for some blues", "play", {"genre": "blues"}),
        ("i wouldn't say no to a little funk", "play", {"genre": "funk"}),
        ("i'm sort of craving some disco", "play", {"genre": "disco"}),
        ("shall we have a bit of nina simone", "play", {"artist": "nina simone"}),
        ("i'm in the mood for miles davis", "play", {"artist": "miles davis"}),
        ("i really fancy daft punk tonight", "play", {"artist": "daft punk"}),
        ("norah jones for my cooking", "play", {"artist": "norah jones", "activity": "cooking"}),
        ("sade, whenever you're ready", "play", {"artist": "sade"}),
        ("some soul if you don't mind", "play", {"genre": "soul"}),
        # a taste named, then what it is to one
        ("miles davis is my absolute favourite", "add_preference", {"artist": "miles davis"}),
        ("i've been getting into ska recently", "add_preference", {"genre": "ska"}),
        ("i'm a huge reggae lover", "add_preference", {"genre": "reggae"}),
        ("my kind of music is bob marley", "add_preference", {"artist": "bob marley"}),
        ("punk leaves me cold", "remove_preference", {"genre": "punk"}),
        ("i've had enough of daft punk for good", "remove_preference", {"artist": "daft punk"}),
        ("i've gone off nina simone", "remove_preference", {"artist": "nina simone"}),
        ("cut out the country from now on", "remove_preference", {"genre": "country"}),
        ("opera isn't my thing any more", "remove_preference", {"genre": "opera"}),
        # a liking taken back
        ("strike reggae off my favourites", "forget_preference", {"genre": "reggae"}),
        ("clear what i told you about sade", "forget_preference", {"artist": "sade"}),
        ("i take that back about liking blues", "forget_preference", {"genre": "blues"}),
        ("unfavourite bob marley", "forget_preference", {"artist": "bob marley"}),
        ("don't count me as a fan of disco any more", "forget_preference", {"genre": "disco"}),
    ],
)
def test_ordinary_wording(
    understanding: Understanding, text: str, intent: str, slots: dict
) -> None:
    heard = understanding.parse(text)
    assert (heard.name, heard.slots) == (intent, slots), text
