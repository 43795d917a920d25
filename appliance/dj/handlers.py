"""What the DJ does for each request: one handler per intent (play, skip, like, volume, a room,
"this is sam"...), each handing back the reply: the words and the actions for the player.
Questions, small talk and follow-ups go to the conversation (answers.py)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from appliance.dj import mood as moods
from appliance.dj.answering import slot
from appliance.dj.answers import HANDLED, spoken_name
from appliance.dj.answers_me import SAID_ARTIST
from appliance.dj.answers_music import truth
from appliance.dj.intents import IntentName
from appliance.dj.profile import UserProfile
from appliance.dj.recommend import Request
from appliance.dj.reply import Action, Pause, PlayTrack, Reply, Resume, SetVolume, Skip, Stop
from appliance.dj.rooms import room_change
from appliance.dj.taste import MORE_LIKE_THIS, REFINEMENTS
from appliance.events import EndReason
from appliance.library.track import Track
from appliance.listener_id import make_user_id

if TYPE_CHECKING:
    from appliance.dj.engine import PersonalizedDJ
    from appliance.dj.understand import Intent

VOLUME_STEP = 10
"""How far "louder" and "quieter" move the volume, out of 100."""

LOVED_ARTIST = MORE_LIKE_THIS * 2.0
"""How far ahead "i love <artist>" puts an artist in the listener's taste: as far as "more like
this" of one of their tracks puts its artist (a like weighs 2 for the artist)."""


@dataclasses.dataclass(frozen=True)
class Asked:
    """One request as its handler sees it: who asks, what, when, and the mood it set."""

    profile: UserProfile
    intent: Intent
    slots: dict[str, Any]
    now: datetime
    mood: str | None

    def slot(self, name: str) -> str | None:
        """A slot's one value, None when not given (as :func:`answering.slot` reads it)."""
        return slot(self.intent, name)

    def reply(
        self, text: str, *actions: Action, negative: bool = False, user: str | None = None
    ) -> Reply:
        return Reply(
            text=text,
            intent=self.intent.name,
            user_id=user or self.profile.user_id,
            slots=self.slots,
            actions=actions,
            negative_feedback=negative,
        )


class Handlers:
    """The handlers of the DJ's requests, by intent (:meth:`table`)."""

    def __init__(self, dj: PersonalizedDJ) -> None:
        self.dj = dj

    def table(self) -> dict[str, Callable[[Asked], Reply]]:
        """Who answers each intent (tests/dj check that every IntentName has a handler)."""
        lines = self.dj.lines
        table: dict[str, Callable[[Asked], Reply]] = {
            IntentName.PLAY: self._on_play,
            IntentName.SKIP: self._on_skip,
            IntentName.LIKE: self._on_like,
            IntentName.DISLIKE: self._on_dislike,
            IntentName.REPLAY: self._on_replay,
            IntentName.PAUSE: lambda asked: asked.reply(lines.paused(), Pause()),
            IntentName.RESUME: lambda asked: asked.reply(lines.resumed(), Resume()),
            IntentName.STOP: lambda asked: asked.reply(lines.stopped(), Stop()),
            IntentName.VOLUME_UP: self._on_volume_step,
            IntentName.VOLUME_DOWN: self._on_volume_step,
            IntentName.SET_VOLUME: self._on_set_volume,
            IntentName.REFINE: self._on_refine,
            IntentName.ROOM: self._on_room,
            IntentName.WHATS_PLAYING: lambda asked: asked.reply(
                self.dj.conversation.music.whats_playing(asked.profile.user_id, asked.intent)
            ),
            IntentName.ADD_PREFERENCE: self._on_add_preference,
            IntentName.REMOVE_PREFERENCE: self._on_remove_preference,
            IntentName.MOOD: self._on_mood,
            IntentName.COMMUNITY: self._on_community,
            IntentName.GREET: lambda asked: asked.reply(  # a second hello is no new welcome
                self.dj.conversation.hello_again(asked.profile, asked.now)
                or self.dj.greeting(asked.profile, asked.now)
            ),
            IntentName.HELP: lambda asked: asked.reply(lines.help()),
            IntentName.IDENTIFY: self._on_identify,
            # answered before a handler is reached (the reply to a question, a correction);
            # among several requests of one breath they are not understood
            IntentName.CORRECT: self._on_unknown,
            IntentName.CONFIRM: self._on_unknown,
            IntentName.DENY: self._on_unknown,
            IntentName.UNKNOWN: self._on_unknown,
        }
        for kind in HANDLED:  # the conversation's own table answers these
            table[kind] = self._on_talk
        return table

    def _on_unknown(self, asked: Asked) -> Reply:
        return asked.reply(self.dj.lines.unknown())

    def _on_talk(self, asked: Asked) -> Reply:
        answer = self.dj.conversation.answer(asked.profile, asked.intent, asked.now)
        return asked.reply(answer.text, *answer.actions, negative=answer.negative)

    def _on_play(self, asked: Asked) -> Reply:
        profile, slots = asked.profile, asked.slots
        genre = slots.get("genre")
        if isinstance(genre, str) and genre:
            self.add_preference(profile, genre)
        request = Request(
            genre=asked.slot("genre"),
            artist=self.dj.as_written("artist", asked.slot("artist")),
            title=self.dj.as_written("title", asked.slot("title")),
            album=self.dj.as_written("album", asked.slot("album")),
            query=asked.slot("query"),
        )
        self.dj.requests[profile.user_id] = request
        proposed = self.propose(profile, request, asked.now, asked.reply)
        note = self.dj.conversation.music.have_note(asked.intent)  # "got any jazz?": yes, how much
        return dataclasses.replace(proposed, text=f"{note} {proposed.text}") if note else proposed

    def _on_mood(self, asked: Asked) -> Reply:
        if asked.mood:
            return asked.reply(self.dj.lines.mood(asked.mood))
        return asked.reply(self.dj.lines.unknown())

    def _on_add_preference(self, asked: Asked) -> Reply:
        """ "I love deep house", "i really like <artist>", "remember i like taylor swift":
        remembered, then said as remembered; a style or artist the library lacks is said to be
        missing, and remembered all the same."""
        profile = asked.profile
        genre = asked.slot("genre")
        artist = asked.slot("artist")
        name = artist or asked.slot("query")  # a name the library may lack: an artist's
        if name and not genre:
            self.add_artist_preference(profile.user_id, name)
            shown = self.dj.as_written("artist", name) or name
            return asked.reply(self._kept(shown, self._in_library("artist", name)))
        if not genre:
            return asked.reply(self.dj.lines.unknown())
        self.add_preference(profile, genre)
        return asked.reply(self._kept(genre, self._in_library("genre", genre)))

    def _kept(self, what: str, in_library: bool) -> str:
        if in_library:
            return self.dj.lines.preference_added(what)
        return self.dj.lines.talk.say("lines", "preference_missing", shuffle=False, value=what)

    def _in_library(self, kind: str, name: str) -> bool:
        """Whether the library has any of genre or artist ``name`` (True with no library: there
        is nothing to say is missing)."""
        catalog = self.dj.catalog()
        if catalog is None:
            return True
        if kind == "genre":
            covers = self.dj.genres.covers
            return any(covers(name, genre) for t in catalog.tracks for genre in t.genres)
        folded = name.casefold()
        return any(t.artist.casefold() == folded for t in catalog.tracks)

    def _on_remove_preference(self, asked: Asked) -> Reply:
        profile, lines = asked.profile, self.dj.lines
        genre = asked.slot("genre")
        artist = asked.slot("artist")
        if artist and not genre:  # "i don't like <artist>": not again unless asked for
            self.dj.learn_rows(
                profile.user_id, self.dj.taste_of(profile.user_id).block_artist(artist)
            )
            request = self.dj.requests.get(profile.user_id)
            if request and request.artist:
                self.dj.requests.pop(profile.user_id)
            said = self.dj.as_written("artist", artist) or artist
            return asked.reply(lines.preference_removed(said), negative=True)
        if not genre:
            return asked.reply(lines.unknown(), negative=True)
        self.block(profile, genre)
        request = self.dj.requests.get(profile.user_id)
        if request and request.genre and self.dj.genres.covers(genre, request.genre):
            self.dj.requests.pop(profile.user_id)
        return asked.reply(lines.preference_removed(genre), negative=True)

    def _on_like(self, asked: Asked) -> Reply:
        track = self.dj.this_track()
        if track is None:  # nothing to like: nothing learned, nothing promised
            return asked.reply(self.dj.lines.now_playing(None))
        self.dj.record(asked.profile.user_id, track, "liked")
        return asked.reply(self.dj.lines.liked(track))

    def _on_dislike(self, asked: Asked) -> Reply:
        track = self.dj.this_track()
        if track is None:  # no verdict to learn, but no trust earned by it either
            return asked.reply(self.dj.lines.now_playing(None), negative=True)
        self.dj.record(asked.profile.user_id, track, "disliked")
        nxt = self.coming_next(asked.profile, asked.now)
        moved_on = Skip(then=nxt, reason=EndReason.REPLACED)  # the dislike was learned
        return asked.reply(self.dj.lines.disliked(nxt), moved_on, negative=True)

    def _on_skip(self, asked: Asked) -> Reply:
        track = self.dj.this_track()
        if track is not None and self.dj.now_playing_from is None:
            self.dj.record(asked.profile.user_id, track, "skipped")
        nxt = self.coming_next(asked.profile, asked.now)
        pick = self.dj.last_pick(asked.profile.user_id)
        short = dict(pick.reasons).get("ran_short", "") if pick and pick.track == nxt else ""
        return asked.reply(self.dj.lines.skipping(nxt, short), Skip(then=nxt))

    def _on_replay(self, asked: Asked) -> Reply:
        track = self.dj.this_track() or self.dj.last_played_by(asked.profile.user_id)
        if track is None:
            return asked.reply(self.dj.lines.replay(None))
        self.dj.record(asked.profile.user_id, track, "replayed")
        return asked.reply(self.dj.lines.replay(track), PlayTrack(track))

    def _on_volume_step(self, asked: Asked) -> Reply:
        step = VOLUME_STEP if asked.intent.name == IntentName.VOLUME_UP else -VOLUME_STEP
        return asked.reply(self.dj.lines.volume("up" if step > 0 else "down"), SetVolume(step=step))

    def _on_set_volume(self, asked: Asked) -> Reply:
        try:
            level = max(0, min(100, int(asked.slots.get("level", 50))))
        except (TypeError, ValueError):  # several values, or not a number
            level = 50
        return asked.reply(self.dj.lines.volume(None, level), SetVolume(level=level))

    def _on_refine(self, asked: Asked) -> Reply:
        """ "Something slower": remembered in the listener's taste, then the change heard now
        (the track on air gives way to a pick that way, with no verdict on it)."""
        lines, user = self.dj.lines, asked.profile.user_id
        side, direction = asked.slot("side"), asked.slot("direction")
        if side not in REFINEMENTS or direction not in REFINEMENTS[side]:
            return asked.reply(lines.talk.say("lines", "refine_which", shuffle=False))
        before = self.dj.this_track()
        if side == "track" and before is None:
            return asked.reply(lines.talk.say("lines", "refined_nothing", shuffle=False))
        if not self.dj.refine(user, side, direction):
            return asked.reply(lines.talk.say("lines", "refined_unsaved", shuffle=False))
        if (side, direction) == ("track", "less"):  # away from what the request brought too
            self.dj.requests.pop(user, None)
        nxt = self.coming_next(asked.profile, asked.now)
        text = lines.refined(side, direction, before, nxt)
        if nxt is None:
            return asked.reply(text)
        return asked.reply(text, Skip(then=nxt, reason=EndReason.REPLACED))

    def _on_room(self, asked: Asked) -> Reply:
        state = self.dj.state_from() if self.dj.state_from is not None else None
        text, actions = room_change(
            self.dj.lines.talk,
            state.rooms if state is not None else (),
            asked.slot("room"),
            asked.slot("change"),
        )
        return asked.reply(text, *actions)

    def _on_community(self, asked: Asked) -> Reply:
        profile = asked.profile
        friends = [
            friend_profile.name
            for friend in profile.community_connections
            if friend in self.dj.user_profiles
            and (friend_profile := self.dj.load_profile(friend)) is not None
        ]
        return asked.reply(self.dj.lines.community(len(profile.community_connections), friends))

    def _on_identify(self, asked: Asked) -> Reply:
        lines, now = self.dj.lines, asked.now
        name = asked.slot("name")
        if not name:
            return asked.reply(lines.unknown())
        display = name.title()
        known = self.dj.find_user(name)
        if known is None:
            known = make_user_id(name)
            if known is None:
                return asked.reply(lines.unknown())
            other, _ = self.dj.profile_for(known, display)
            self.dj.touch(other, now, taking_over=True)
            self.dj.save_profile(other)
            self.dj.conversation.introduced(other)
            return asked.reply(lines.switched(other.name, new=True), user=known)
        found = self.dj.load_profile(known)
        assert found is not None
        if not spoken_name(found):  # known by id alone ("chat --user lee"): now by name
            found.name = display
        self.dj.touch(found, now, taking_over=True)
        self.dj.save_profile(found)
        self.dj.conversation.introduced(found)
        return asked.reply(lines.switched(found.name, new=False), user=known)

    def learn_mood(self, profile: UserProfile, intent: Intent, now: datetime) -> str | None:
        mood = slot(intent, "mood") or moods.mood_for_activity(slot(intent, "activity"))
        if mood and mood in moods.MOOD_TARGETS:
            profile.mood = mood
            profile.mood_set_at = now
            return mood
        return None

    def add_preference(self, profile: UserProfile, genre: str) -> None:
        value = genre.casefold().strip()
        if value not in profile.music_preferences:
            profile.music_preferences.append(value)
        canonical = self.dj.genres.normalise(value)
        if canonical in profile.blocked_genres:
            profile.blocked_genres.remove(canonical)

    def add_artist_preference(self, user_id: str, artist: str) -> None:
        """ "I love <artist>": the artist is put ahead in the listener's taste (where listening
        teaches artists, so "what do I like" names them and the picks favour them), by
        LOVED_ARTIST at least, and an earlier "i don't like" of them is lifted."""
        taste = self.dj.taste_of(user_id)
        key = artist.casefold()
        rows = taste.block_artist(artist, blocked=False)
        lead = taste.net("artist", key)
        if lead < LOVED_ARTIST:
            rows.append(("artist", key, LOVED_ARTIST - lead, 0.0))
        told = taste.net(SAID_ARTIST, key)
        if told < 1.0:  # said, as forgetting it will tell
            rows.append((SAID_ARTIST, key, 1.0 - told, 0.0))
        if rows:
            self.dj.learn_rows(user_id, rows)

    def block(self, profile: UserProfile, genre: str) -> None:
        canonical = self.dj.genres.normalise(genre)
        profile.music_preferences[:] = [
            p for p in profile.music_preferences if not self.dj.genres.covers(canonical, p)
        ]
        if canonical not in profile.blocked_genres:
            profile.blocked_genres.append(canonical)

    def coming_next(self, profile: UserProfile, now: datetime) -> Track | None:
        """The track a skip starts: the head of the station's queue when someone queued one (the
        station plays its queue before the DJ's pick, so that is the one to name), else a pick."""
        queued, playing = truth(self.dj).up_next, self.dj.this_track()
        if queued is not None and (playing is None or queued.track_id != playing.track_id):
            return queued
        return self.dj.pick_track(profile, now)

    def propose(
        self,
        profile: UserProfile,
        request: Request,
        now: datetime,
        reply: Callable[..., Reply],
    ) -> Reply:
        confident = profile.trust_score >= 0.7
        exploring = self.exploring(profile)
        mood = self.dj.current_mood(profile.user_id)
        if self.dj.library is None:
            if not profile.music_preferences and exploring and not request:
                return reply(self.dj.lines.learning())
            if profile.music_preferences:
                return reply(
                    self.dj.lines.based_on_taste(profile.music_preferences, mood, confident)
                )
            if mood:
                return reply(self.dj.lines.mood(mood))
            return reply(self.dj.lines.learning() if exploring else self.dj.lines.trust_me())
        pick = self.dj.pick_for(profile, now, request, asked_now=True)
        if pick is None:
            return reply(self.dj.nothing_to_play())
        text = self.dj.lines.propose(pick, moods.part_of_day(now), exploring, confident)
        return reply(text, PlayTrack(pick.track))

    def exploring(self, profile: UserProfile) -> bool:
        """Still getting to know them: low trust, or little known about their taste."""
        if profile.trust_score < 0.5:
            return True
        knows_little = (
            not profile.music_preferences and not self.dj.taste_of(profile.user_id).by_kind
        )
        return knows_little and profile.trust_score < 0.7
