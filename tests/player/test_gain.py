"""Volume arithmetic and the small decisions of the player, without audio."""

from __future__ import annotations

import pytest

from appliance.library.track import Track
from appliance.player.gain import Ramp, db_to_amplitude, equal_power, mpv_volume
from appliance.player.player import continues_album, output_mixes, resolve_output


def mpv_gain(volume: float) -> float:
    """What mpv multiplies the samples by for a given ``volume`` (its cubic law)."""
    return (volume / 100) ** 3


@pytest.mark.parametrize("user", [100, 70, 30])
def test_a_duck_is_the_same_number_of_decibels_at_any_user_volume(user: int) -> None:
    full = mpv_gain(mpv_volume(user, 1.0))
    ducked = mpv_gain(mpv_volume(user, db_to_amplitude(-15.0)))
    assert ducked / full == pytest.approx(10 ** (-15 / 20))


def test_user_volume_goes_through_mpv_unchanged_and_is_bounded() -> None:
    assert mpv_volume(70, 1.0) == pytest.approx(70)
    assert mpv_volume(70, 0.0) == 0
    assert mpv_volume(70, 1.5) == pytest.approx(70)  # never louder than the user asked


def test_equal_power_crossfade_keeps_the_sum_of_powers() -> None:
    for progress in (0.0, 0.25, 0.5, 0.75, 1.0):
        fade_in, fade_out = equal_power(progress), equal_power(1 - progress)
        assert fade_in**2 + fade_out**2 == pytest.approx(1.0)
    assert equal_power(-1) == 0 and equal_power(2) == 1


def test_a_ramp_moves_linearly_and_then_holds() -> None:
    ramp = Ramp(0.0, -15.0, begin=10.0, span=0.5)
    assert ramp.value(9.0) == 0.0
    assert ramp.value(10.25) == pytest.approx(-7.5)
    assert ramp.value(11.0) == -15.0
    assert not ramp.done(10.4) and ramp.done(10.5)
    assert Ramp(3.0, 1.0, begin=0.0, span=0.0).value(0.0) == 1.0


def album_track(number: int | None, album: str = "Kind of Blue", artist: str = "Miles") -> Track:
    return Track(f"t{number}", f"/m/{number}.flac", f"T{number}", artist, album=album,
                 track_number=number)  # fmt: skip


def test_only_the_next_track_of_the_same_album_is_joined_gaplessly() -> None:
    assert continues_album(album_track(1), album_track(2))
    assert not continues_album(album_track(1), album_track(3))
    assert not continues_album(album_track(2), album_track(1))
    assert not continues_album(album_track(1), album_track(2, album="Other"))
    assert not continues_album(album_track(1), album_track(2, artist="Someone else"))
    assert not continues_album(album_track(None), album_track(None))
    assert not continues_album(album_track(1, album=""), album_track(2, album=""))


def test_outputs_that_cannot_mix_two_streams_get_one_deck() -> None:
    assert resolve_output("auto") == "pulse,alsa"
    assert resolve_output("alsa") == "alsa"
    assert output_mixes("auto", None)
    assert output_mixes("pulse", None)
    assert output_mixes("alsa", None)  # ALSA's default device goes through dmix
    assert output_mixes("alsa", "alsa/dmix:CARD=0")
    assert not output_mixes("alsa", "alsa/hw:0,0")
    assert not output_mixes("alsa", "alsa/plughw:CARD=Headphones")
    assert not output_mixes("pcm", None)
