"""Every command of appliance.control through ``QFZZStation.execute`` on a real station."""

from __future__ import annotations

import dataclasses
import inspect
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from appliance import control as c
from appliance.bus import DJSaid, Heard, StateChanged
from appliance.command_path import PART_COMMANDS
from appliance.events import TrackStarted
from appliance.library.track import Track
from appliance.state import PlayState, Room
from appliance.station import QFZZStation
from tests.station.conftest import ALBUM
from tests.support import music
from tests.support.http_server import serving_folder
from tests.support.waiting import wait_until


def tracks(station: QFZZStation, genre: str) -> list[Track]:
    library = station.library
    assert library is not None
    return sorted(library.tracks_for_genre(genre), key=lambda t: t.title)


def playing(station: QFZZStation, track: Track) -> None:
    wait_until(lambda: station.snapshot().track == track, what=f"{track.title} to play")


def ok(station: QFZZStation, command: c.Command) -> c.Outcome:
    outcome = station.execute(command)
    assert outcome.ok, outcome
    return outcome


def test_every_command_has_a_handler(station: QFZZStation) -> None:
    kinds = [
        cls
        for _, cls in inspect.getmembers(c, inspect.isclass)
        if issubclass(cls, c.Command) and cls is not c.Command
    ]
    assert len(kinds) >= 21
    unhandled = [k for k in kinds if not station.commands.handles(k) and k not in PART_COMMANDS]
    assert [k.__name__ for k in unhandled] == []
    for kind in PART_COMMANDS:  # a part's command without the part: a clear refusal
        outcome = station.execute(kind(**{f.name: "x" for f in _required(kind)}))
        assert not outcome.ok and outcome.error == PART_COMMANDS[kind]


def test_a_listener_switched_to_from_a_face_begins_a_sitting(station: QFZZStation) -> None:
    """A session is a sitting: taking over from someone else on the web page starts one, as
    "this is alex" does; choosing whoever already listens does not."""
    dj = station.get_dj()
    ok(station, c.SwitchListener(user_id="sam", name="Sam", source="web"))
    ok(station, c.SwitchListener(user_id="alex", name="Alex", source="web"))
    assert dj.user_profiles["alex"].sessions == 1
    ok(station, c.SwitchListener(user_id="sam", source="web"))
    ok(station, c.SwitchListener(user_id="alex", source="web"))
    assert dj.user_profiles["alex"].sessions == 2
    ok(station, c.SwitchListener(user_id="alex", source="web"))
    assert dj.user_profiles["alex"].sessions == 2
    assert dj.user_profiles["sam"].sessions == 2


def test_play_and_enqueue_name_what_to_play_with_one_choice() -> None:
    """One declaration of "what to play" for both: a new way to name music reaches both."""
    choice = [f.name for f in dataclasses.fields(c.Choice)]
    assert choice == ["track_id", "query", "artist", "album", "genre"]
    for kind in (c.Play, c.Enqueue):
        assert issubclass(kind, c.Choice) and issubclass(kind, c.Command)
        names = [f.name for f in dataclasses.fields(kind)]
        assert names[:2] == ["by", "source"] and names[2:7] == choice
    assert not issubclass(c.Choice, c.Command)  # not a command of its own
    queued = c.Enqueue(genre="jazz", position=2, by="alex", source="web")
    assert (queued.genre, queued.position, queued.track_id, queued.by) == ("jazz", 2, None, "alex")


def _required(kind: type) -> list[dataclasses.Field]:
    return [
        f
        for f in dataclasses.fields(kind)
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    ]


def test_play_a_track_by_id_says_who_chose_it(station: QFZZStation) -> None:
    track = tracks(station, "jazz")[0]
    ok(station, c.Play(track_id=track.track_id, by="alex", source="web"))
    playing(station, track)
    state = station.snapshot()
    assert state.play_state == PlayState.PLAYING
    assert state.now_playing is not None
    assert state.now_playing.chosen_by == "alex"
    assert state.now_playing.why == "alex asked for it on the web page"
    assert state.now_playing.duration == pytest.approx(40.0, abs=0.5)
    missing = station.execute(c.Play(track_id="nope", source="web"))
    assert not missing.ok and "nope" in missing.error


def test_play_an_album_in_order_and_the_rest_is_up_next(station: QFZZStation) -> None:
    queued = tracks(station, "rock")[0]
    ok(station, c.Enqueue(track_id=queued.track_id))  # starts at once: nothing played
    ok(station, c.Enqueue(track_id=tracks(station, "rock")[1].track_id))
    ok(station, c.Play(album="blue album", source="web"))
    wait_until(lambda: getattr(station.snapshot().track, "album", "") == "Blue Album")
    state = station.snapshot()
    assert state.track is not None and state.track.title == ALBUM[0]
    assert [t.title for t in state.up_next] == [*ALBUM[1:], "Rock Song 1"]
    assert state.now_playing is not None and state.now_playing.chosen_by == "web"


def test_play_a_genre_through_the_dj(station: QFZZStation) -> None:
    outcome = ok(station, c.Play(genre="rock", by="sam", source="web"))
    assert "rock" in outcome.text.lower()
    wait_until(lambda: station.snapshot().track is not None)
    state = station.snapshot()
    assert state.track is not None and state.track.genres == ("rock",)
    assert state.now_playing is not None and state.now_playing.chosen_by == "sam"
    nothing = station.execute(c.Play(source="web"))
    assert not nothing.ok and "what to play" in nothing.error


def test_the_queue_commands(station: QFZZStation) -> None:
    jazz, rock = tracks(station, "jazz"), tracks(station, "rock")
    ok(station, c.Play(track_id=jazz[0].track_id))
    playing(station, jazz[0])
    ok(station, c.Enqueue(track_id=jazz[1].track_id))
    ok(station, c.Enqueue(track_id=jazz[2].track_id))
    ok(station, c.Enqueue(track_id=rock[0].track_id, position=0))
    assert station.snapshot().up_next == (rock[0], jazz[1], jazz[2])
    ok(station, c.MoveQueued(index=0, to=2))
    assert station.snapshot().up_next == (jazz[1], jazz[2], rock[0])
    ok(station, c.RemoveQueued(index=1))
    assert station.snapshot().up_next == (jazz[1], rock[0])
    bad = station.execute(c.RemoveQueued(index=5))
    assert not bad.ok and "0 to 1" in bad.error
    assert not station.execute(c.MoveQueued(index=0, to=9)).ok
    ok(station, c.ClearQueue())
    assert station.snapshot().up_next == ()
    assert not station.execute(c.Enqueue(track_id=jazz[1].track_id, position=-1)).ok
    added = ok(station, c.Enqueue(artist="album artist"))
    assert added.text == "Added 3 tracks."
    assert [t.title for t in station.snapshot().up_next] == list(ALBUM)


def test_pause_resume_stop_and_previous(station: QFZZStation) -> None:
    refused = station.execute(c.Pause(source="web"))
    assert refused == c.Outcome(False, error="nothing is playing")
    jazz = tracks(station, "jazz")
    ok(station, c.Play(track_id=jazz[0].track_id))
    playing(station, jazz[0])
    ok(station, c.Pause())
    assert station.snapshot().play_state == PlayState.PAUSED
    assert station.player is not None and station.player.paused
    ok(station, c.Resume())
    assert station.snapshot().play_state == PlayState.PLAYING
    assert not station.player.paused
    ok(station, c.Play(track_id=jazz[1].track_id))
    playing(station, jazz[1])
    ok(station, c.Previous())
    playing(station, jazz[0])
    assert station.snapshot().up_next[:1] == (jazz[1],)
    ok(station, c.Stop())
    wait_until(lambda: station.snapshot().now_playing is None)
    assert station.snapshot().play_state == PlayState.STOPPED


def test_volume_and_mute(station: QFZZStation) -> None:
    player = station.player
    assert player is not None
    ok(station, c.SetVolume(level=40))
    assert station.snapshot().volume == 40 and player.volume == 40
    ok(station, c.SetVolume(step=-15))
    assert station.snapshot().volume == 25 and player.volume == 25
    ok(station, c.SetVolume(level=300))
    assert station.snapshot().volume == 100
    ok(station, c.Mute())
    assert station.snapshot().muted and player.volume == 0
    assert station.snapshot().volume == 100  # the level comes back after
    ok(station, c.Mute(on=False))
    assert not station.snapshot().muted and player.volume == 100
    ok(station, c.Mute(on=True))
    ok(station, c.SetVolume(level=30))  # a new level unmutes
    assert not station.snapshot().muted and player.volume == 30


def test_seek(station: QFZZStation) -> None:
    assert station.execute(c.Seek(seconds=5)).error == "nothing is playing"
    track = tracks(station, "rock")[0]
    ok(station, c.Play(track_id=track.track_id))
    playing(station, track)
    ok(station, c.Seek(seconds=20))
    player = station.player
    assert player is not None
    wait_until(lambda: (player.position or 0) >= 19.5, what="the seek")
    assert station.snapshot().now_playing.position == 20  # type: ignore[union-attr]
    ok(station, c.Seek(seconds=-10, relative=True))
    wait_until(lambda: 9 <= (player.position or 0) < 15, what="the relative seek")


def test_like_and_dislike(station: QFZZStation) -> None:
    assert station.execute(c.Like(by="alex")).error == "nothing is playing"
    jazz = tracks(station, "jazz")
    ok(station, c.Play(track_id=jazz[0].track_id, by="alex"))
    playing(station, jazz[0])
    ok(station, c.Like(by="alex", source="web"))
    ok(station, c.Like(track_id=jazz[2].track_id, by="alex", source="web"))
    disliked = ok(station, c.Dislike(by="alex", source="web"))
    assert disliked.text
    wait_until(lambda: station.snapshot().track not in (None, jazz[0]), what="the DJ to move on")
    events = [
        (row["track_id"], row["event"])
        for row in station.get_dj().export_profile("alex")["listening"]  # type: ignore[index]
    ]
    assert (jazz[0].track_id, "liked") in events
    assert (jazz[2].track_id, "liked") in events
    assert (jazz[0].track_id, "disliked") in events
    assert not station.execute(c.Like(track_id="nope", by="alex")).ok
    bad = station.execute(c.Like(by="not an id!", source="web"))
    assert not bad.ok and "listener id" in bad.error


def test_listener_and_mood(station: QFZZStation) -> None:
    with station.events.subscribe() as sub:
        ok(station, c.SwitchListener(user_id="robin", name="Robin"))
        state = station.snapshot()
        assert (state.listener, state.listener_name) == ("robin", "Robin")
        assert ("robin", "Robin") in state.listeners
        assert station.user_id == "robin"
        ok(station, c.SetMood(mood="calm"))
        assert station.snapshot().mood == "calm"
        assert station.get_dj().current_mood("robin") == "calm"
        ok(station, c.SetMood(mood=None))
        assert station.snapshot().mood is None
        changes = []
        while (event := sub.get(timeout=0)) is not None:
            if isinstance(event, StateChanged):
                changes.append(event.changed)
    assert any("listener" in changed for changed in changes)
    assert any("mood" in changed for changed in changes)
    wrong = station.execute(c.SetMood(mood="grumpy"))
    assert not wrong.ok and "calm" in wrong.error
    assert not station.execute(c.SwitchListener(user_id="a b")).ok


def test_ask_and_announce_publish_what_was_heard_and_said(station: QFZZStation) -> None:
    with station.events.subscribe() as sub:
        answer = ok(station, c.Ask(text="what can you do", by="alex", source="web"))
        assert answer.text
        ok(station, c.Announce(text="dinner is ready", source="home_assistant"))
        assert station.dialogue is not None and station.dialogue.drain(10)
        seen = []
        while (event := sub.get(timeout=0)) is not None:
            seen.append(event)
    heard = [e for e in seen if isinstance(e, Heard)]
    assert [(h.text, h.user_id, h.source) for h in heard] == [("what can you do", "alex", "web")]
    said = [e.said.text for e in seen if isinstance(e, DJSaid)]
    assert said == [answer.text, "dinner is ready"]
    assert [line.text for line in station.snapshot().dj_lines][-2:] == said
    assert not station.execute(c.Ask(text="   ")).ok


def test_commentary_and_microphone_switches(station: QFZZStation) -> None:
    ok(station, c.SetCommentary(on=False))
    assert not station.snapshot().commentary
    ok(station, c.MuteMicrophone(on=True))
    assert station.snapshot().microphone_muted


@dataclasses.dataclass(frozen=True, kw_only=True)
class Group(c.Command):
    room: str


def test_a_part_registers_its_own_commands_and_rooms(station: QFZZStation) -> None:
    assert not station.execute(Group(room="kitchen")).ok
    got: list[c.Command] = []

    def group(command: c.Command) -> c.Outcome:
        got.append(command)
        return c.Outcome(True, text="ok")

    station.register(Group, group)
    assert station.execute(Group(room="kitchen")) == c.Outcome(True, text="ok")
    assert got == [Group(room="kitchen")]
    with pytest.raises(ValueError):
        station.register(c.Skip, lambda command: c.Outcome(True))
    with station.events.subscribe() as sub:
        station.set_rooms((Room(id="kitchen", name="Kitchen"),))
        event = sub.get(timeout=1)
    assert isinstance(event, StateChanged) and event.changed == {"rooms"}
    assert station.snapshot().rooms == (Room(id="kitchen", name="Kitchen"),)


@pytest.fixture
def served(long_tracks: Path) -> Iterator[str]:
    """The tone library over HTTP on 127.0.0.1 (another system's stream)."""
    with serving_folder(long_tracks / "Blue Album") as base:
        yield base


def test_play_a_url(make_station: Callable[..., QFZZStation], served: str) -> None:
    station = make_station('[faces]\nbind = "localhost"\n')  # served on the loopback
    refused = station.execute(c.PlayUrl(url="file:///etc/passwd", source="home_assistant"))
    assert not refused.ok and "http" in refused.error
    url = f"{served}/01%20Side%20One.flac"
    ok(station, c.PlayUrl(url=url, source="home_assistant"))
    wait_until(lambda: station.snapshot().track is not None, what="the stream to play")
    state = station.snapshot()
    assert state.track is not None and state.track.path == url
    assert state.track.title == "01 Side One.flac"
    assert state.now_playing is not None and state.now_playing.chosen_by == "home_assistant"


def test_the_djs_own_pick_says_why(station: QFZZStation) -> None:
    from appliance.command_path import why_chosen

    track = tracks(station, "jazz")[0]
    ok(station, c.Play(track_id=track.track_id, by="alex", source="web"))
    playing(station, track)
    ok(station, c.Skip(by="alex", source="web"))
    wait_until(lambda: station.snapshot().track not in (None, track), what="the DJ's pick")
    now = station.snapshot().now_playing
    assert now is not None and now.chosen_by == "dj"
    pick = station.get_dj().last_pick("alex")
    assert pick is not None and pick.track == now.track
    assert now.why == why_chosen(pick) != ""


def started(sub: object, deadline: float = 10.0) -> Track:
    """The next track the player starts, from the event stream."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        event = sub.get(timeout=0.1)  # type: ignore[attr-defined]
        if isinstance(event, TrackStarted):
            return event.track
    raise AssertionError("no track started")


def test_a_track_asked_for_by_name_while_it_plays_starts_again(station: QFZZStation) -> None:
    """Never another track in place of the one named, even when it is the one on air."""
    track = tracks(station, "jazz")[0]
    ok(station, c.Play(track_id=track.track_id, by="alex", source="web"))
    playing(station, track)
    with station.events.subscribe() as sub:
        said = ok(station, c.Ask(text=f"play {track.title.lower()}", by="alex", source="console"))
        assert track.title in said.text, said.text
        assert started(sub) == track
    now = station.snapshot().now_playing
    assert now is not None and now.track == track and now.chosen_by == "alex"


def test_a_track_a_face_taps_says_who_chose_it_never_the_djs_old_reason(
    station: QFZZStation,
) -> None:
    jazz = tracks(station, "jazz")[0]
    ok(station, c.Play(track_id=jazz.track_id, source="web"))
    playing(station, jazz)
    now = station.snapshot().now_playing
    assert now is not None and now.chosen_by == "web" and now.why == "asked for on the web page"
    ok(station, c.Skip(by="alex", source="web"))  # the DJ picks for alex, with its reasons
    wait_until(lambda: station.snapshot().track not in (None, jazz), what="the DJ's pick")
    picked = station.snapshot().now_playing
    assert picked is not None and picked.chosen_by == "dj" and picked.why
    with station.events.subscribe() as sub:  # alex taps the DJ's pick again on the page
        ok(station, c.Play(track_id=picked.track.track_id, by="alex", source="web"))
        assert started(sub) == picked.track
    now = station.snapshot().now_playing
    assert now is not None and now.chosen_by == "alex"
    assert now.why == "alex asked for it on the web page"
    ok(station, c.Enqueue(track_id=jazz.track_id, source="mpd"))
    ok(station, c.Skip(source="mpd"))
    wait_until(lambda: station.snapshot().track == jazz, what="the queued track")
    now = station.snapshot().now_playing
    assert now is not None and now.chosen_by == "mpd" and now.why == "asked for from a music app"


@pytest.fixture
def chime(tmp_path: Path) -> Iterator[str]:
    """A two-second sound over HTTP on 127.0.0.1, as Home Assistant sends an announcement."""
    music.make_track(tmp_path / "chime.flac", seconds=2.0, freq=880.0, noise=0.01)
    with serving_folder(tmp_path) as base:
        yield base


def test_an_announcement_plays_over_the_ducked_music(
    make_station: Callable[..., QFZZStation], chime: str
) -> None:
    station = make_station('[faces]\nbind = "localhost"\n')  # the chime is on the loopback
    track = tracks(station, "jazz")[0]
    ok(station, c.Play(track_id=track.track_id))
    playing(station, track)
    with station.events.subscribe() as sub:
        began = time.monotonic()
        ok(station, c.PlayUrl(url=f"{chime}/chime.flac", announce=True, source="home_assistant"))
        took = time.monotonic() - began
        changes = []
        while (event := sub.get(timeout=0)) is not None:
            if isinstance(event, StateChanged) and "ducked" in event.changed:
                changes.append(event.state.ducked)
    assert 1.5 < took < 10  # played to its end, in real time
    assert changes == [True, False]
    assert station.snapshot().track == track  # the music was never replaced
    missing = station.execute(
        c.PlayUrl(url=f"{chime}/nothing-here.flac", announce=True, source="home_assistant")
    )
    assert not missing.ok and "announcement" in missing.error
    assert not station.snapshot().ducked
