"""One turn's requests, in order: several requests of one breath, a question when the DJ is
unsure it heard or unsure which of two things the words mean ("the last song again": this one,
or the one before?), the answer to the question it asked, and corrections ("no, i said jazz")
that undo what the last request did and taught before doing what was meant."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import TYPE_CHECKING, Any

from appliance.dj import confirm
from appliance.dj.answering import slot
from appliance.dj.answers import HANDLED
from appliance.dj.corrections import CORRECTABLE, Done, mend
from appliance.dj.follow_ups import pointed_back, two_ways
from appliance.dj.handlers import Asked, Handlers
from appliance.dj.profile import UserProfile
from appliance.dj.recommend import Request
from appliance.dj.reply import PlayTrack, Reply, Skip

if TYPE_CHECKING:
    from appliance.dj.engine import PersonalizedDJ
    from appliance.dj.understand import Intent
    from appliance.library.track import Track


MOVES = frozenset(
    {"play", "skip", "more_like", "play_previous", "replay", "dislike", "refine", "deny"}
)
"""Requests that change the track on air."""


def next_after_moves(parts: tuple[Intent, ...]) -> tuple[Intent, ...]:
    """The requests of one breath in the order carried out: "what's next" after those that
    change the music ("what's next, surprise me" names the track after the surprise, not the
    one the surprise is about to start), the rest as said."""
    moves = [index for index, part in enumerate(parts) if part.name in MOVES]
    asks = [index for index, part in enumerate(parts) if part.name == "whats_next"]
    if not moves or not asks or min(asks) > max(moves):
        return parts
    last = max(moves)
    kept = [part for index, part in enumerate(parts) if index not in asks]
    at = sum(index not in asks for index in range(last + 1))  # just after the last move
    return (*kept[:at], *(parts[index] for index in asks), *kept[at:])


class Turns:
    """Carries out what one utterance asks (:meth:`turn`) for a DJ; the DJ keeps the state (the
    questions asked, the last request a correction would mend)."""

    def __init__(self, dj: PersonalizedDJ) -> None:
        self.dj = dj
        self.handlers = Handlers(dj)
        self.left: dict[str, str] = {}  # listener -> the track their last turn moved off

    def turn(self, profile: UserProfile, intent: Intent, now: datetime) -> Reply:
        """Everything one utterance asks, in order; or a question when the DJ is unsure; or the
        answer to the question it asked last turn (a question waits one turn, a minute)."""
        user_id = profile.user_id
        on_air = self.dj.this_track()
        reply = self._turn(profile, intent, now, self.left.pop(user_id, None))
        kept = on_air is None or all(
            isinstance(action, PlayTrack) and action.track.track_id == on_air.track_id
            for action in reply.actions
            if isinstance(action, PlayTrack | Skip)
        )
        if on_air is not None and not kept:  # moved off it: "the last one" is it, next turn
            self.left[user_id] = on_air.track_id
        return reply

    def _turn(self, profile: UserProfile, intent: Intent, now: datetime, left: str | None) -> Reply:
        """:meth:`turn`, ``left`` the track the turn before moved off (or None)."""
        user_id = profile.user_id
        intent = self.dj.conversation.carried_on(user_id, intent)  # "what about house"
        said, before = intent, two_ways(self.dj, intent, left)  # "the last song again": which?
        intent = pointed_back(self.dj, intent)  # "put the last song on again": the one before
        question = self.dj.questions.pop(user_id, None)
        if question is not None and not question.answered_in_time(now):
            question = None
        if question is not None and question.choices:  # "this one again, or 'X' before it?"
            picked = question.choose(intent, lambda words: self.dj.understanding.parse(words).name)
            if picked is not None:
                self.dj.done.pop(user_id, None)  # an answer is no request a correction mends
                return self._chosen(profile, question, intent, picked, now)
            question = None  # words of a request of their own
        answering = intent.name in ("confirm", "deny") and not intent.also
        done = self._mendable(user_id, question.intent if answering and question else intent, now)
        if answering:
            if question is None and intent.name == "deny":  # "not that one": something else
                answer = self.dj.conversation.follow.not_that(profile, intent, now)
                if answer is not None:
                    return Reply(answer.text, "deny", user_id, actions=answer.actions)
            if question is None:
                lines = self.dj.lines
                text = (
                    lines.nothing_asked() if intent.name == "confirm" else lines.no_nothing_asked()
                )
                return Reply(text=text, intent=intent.name, user_id=user_id)
            if intent.name == "deny":
                return Reply(text=self.dj.lines.dropped(), intent="deny", user_id=user_id)
            if not question.sure_yes(intent):  # noise is often heard as "yes": ask again,
                doubt = confirm.unsure(question.intent)  # in other words
                text = question.text if doubt is None else self._check(doubt)
                self.dj.questions[user_id] = dataclasses.replace(question, asked_at=now)
                return self._question_reply(user_id, question.intent, text)
            return self._carry_out(profile, question.intent, now)
        if before is not None:
            return self._which(user_id, said, before, now)
        replays = None
        if any(part.name == "correct" for part in intent.each()):
            replays = mend(done, self._fixed(intent))[0]
        doubt = confirm.unsure(intent, replays)
        if doubt is not None:
            text = self._check(doubt)
            bar = confirm.bar(intent, replays)
            self.dj.questions[user_id] = confirm.Question(intent, now, bar, text)
            return self._question_reply(user_id, intent, text)
        return self._carry_out(profile, intent, now)

    def _which(self, user_id: str, said: Intent, before: Track, now: datetime) -> Reply:
        """A question with two choices for a replay said of two tracks ("the last song again"):
        the track on air again, or ``before``, the one before it (named). The question keeps
        both tracks: the answer plays the one it named, though another came on since."""
        choices = (
            dataclasses.replace(said, name="replay", also=()),
            dataclasses.replace(said, name="play_previous", also=()),
        )
        text = self.dj.lines.again_or_before(f"'{before.title}'")
        bar = max(confirm.needed_by(choice) for choice in choices)
        tracks = tuple(track.track_id for track in (self.dj.this_track(), before) if track)
        self.dj.questions[user_id] = confirm.Question(choices[0], now, bar, text, choices, tracks)
        return self._question_reply(user_id, said, text)

    def _chosen(
        self, profile: UserProfile, question: confirm.Question, answer: Intent, picked: int,
        now: datetime,
    ) -> Reply:  # fmt: skip
        """The answer to a question with choices: the track the question named for the one
        chosen played (the one on air then, or the one before it then, though the track ended
        since), nothing for a no, the question again when the answer was not heard surely
        enough."""
        user_id = profile.user_id
        if picked == confirm.NEITHER:
            return Reply(text=self.dj.lines.dropped(), intent="deny", user_id=user_id)
        if not question.sure_yes(answer):  # noise is often heard as "yes": asked again
            self.dj.questions[user_id] = dataclasses.replace(question, asked_at=now)
            return self._question_reply(user_id, question.intent, question.text)
        choice = question.choices[picked]
        library = self.dj.library
        named = question.tracks[picked] if picked < len(question.tracks) else None
        track = library.get(named) if library is not None and named is not None else None
        if track is None:  # no longer in the library: as the words would be taken now
            return self._carry_out(profile, choice, now)
        if choice.name == "replay":
            self.dj.record(user_id, track, "replayed")
            text = self.dj.lines.replay(track)
        else:
            text = self.dj.conversation.follow.back_to(track).text
        return Reply(
            text=text,
            intent=choice.name,
            user_id=user_id,
            slots=dict(choice.slots),
            actions=(PlayTrack(track),),
            intents=(choice.name,),
        )

    def _check(self, doubt: Intent) -> str:
        """The question that asks whether ``doubt`` was heard right."""
        return self.dj.lines.check(doubt.name, doubt.slots, doubt.text)

    def _question_reply(self, user_id: str, intent: Intent, text: str) -> Reply:
        return Reply(
            text=text,
            intent=intent.name,
            user_id=user_id,
            slots=dict(intent.slots),
            intents=tuple(part.name for part in intent.each()),
            question=True,
        )

    def _mendable(self, user_id: str, intent: Intent, now: datetime) -> Done | None:
        """What a correction in ``intent`` would mend: the request done the turn before, and
        only within a minute of it. Any turn that is not a correction forgets it."""
        done = self.dj.done.pop(user_id, None)
        if done is None or not any(part.name == "correct" for part in intent.each()):
            return None
        if now - done.at > confirm.ANSWER_WITHIN:
            return None
        self.dj.done[user_id] = done
        return done

    @staticmethod
    def _fixed(intent: Intent) -> dict[str, Any]:
        return next((dict(p.slots) for p in intent.each() if p.name == "correct"), {})

    def _carry_out(self, profile: UserProfile, intent: Intent, now: datetime) -> Reply:
        """Act on each request of the utterance in order; one reply with all words and actions.
        A skip right after something that already moved on (a dislike) is not done twice."""
        replies: list[Reply] = []
        current = profile
        parts = next_after_moves(intent.each())
        with self.dj.one_breath() as started:
            for index, part in enumerate(parts):
                moved_on = any(isinstance(a, Skip | PlayTrack) for r in replies for a in r.actions)
                if part.name == "skip" and moved_on:
                    continue
                if part.name == "replay" and any(p.name == "play_previous" for p in parts):
                    continue  # "play it again, the one before": the one before, again
                if part.name == "greet" and any(p.name == "identify" for p in parts[index + 1 :]):
                    continue  # "hi, this is sam": sam is greeted, not the listener before
                if part.name == "correct":
                    replies.append(self._correct(current, part, now))
                else:
                    replies.append(self._remembered(current, part, now))
                started(replies[-1])  # what it starts is "this" for the requests after it
                if replies[-1].user_id != current.user_id:  # "hi, this is sam, play some jazz"
                    current = self.dj.load_profile(replies[-1].user_id) or current
        names = tuple(part.name for part in intent.each())
        if len(replies) == 1:
            return dataclasses.replace(replies[0], intent=intent.name, intents=names)
        return Reply(
            text=" ".join(r.text for r in replies if r.text),
            intent=intent.name,
            user_id=replies[-1].user_id,
            slots=dict(intent.slots),
            actions=tuple(a for r in replies for a in r.actions),
            negative_feedback=any(r.negative_feedback for r in replies),
            intents=names,
        )

    def _remembered(self, profile: UserProfile, intent: Intent, now: datetime) -> Reply:
        """Handle one request, remembering what a correction would have to undo."""
        artists = set(self.dj.taste_of(profile.user_id).blocked_artists())
        before = Done(
            intent,
            list(profile.music_preferences),
            list(profile.blocked_genres),
            profile.mood,
            profile.mood_set_at,
            now,
        )
        reply = self._several_values(profile, intent, now)
        if intent.name in CORRECTABLE:
            taste = self.dj.taste_of(profile.user_id)
            after = taste.blocked_artists()
            rows = [r for a in sorted(after - artists) for r in taste.block_artist(a, False)]
            rows += [r for a in sorted(artists - after) for r in taste.block_artist(a)]
            self.dj.done[profile.user_id] = dataclasses.replace(before, undo=tuple(rows))
        return reply

    def _several_values(self, profile: UserProfile, intent: Intent, now: datetime) -> Reply:
        """A request with several values of a slot ("rock and jazz"): preferences learn each,
        the music plays the first now and the next ones after it."""
        several = {k: v for k, v in intent.slots.items() if isinstance(v, tuple)}
        if not several:
            return self._handle(profile, intent, now)
        count = max(len(v) for v in several.values())
        singles = [
            dataclasses.replace(
                intent,
                slots={
                    k: (v[min(n, len(v) - 1)] if isinstance(v, tuple) else v)
                    for k, v in intent.slots.items()
                },
                also=(),
            )
            for n in range(count)
        ]
        if intent.name in ("add_preference", "remove_preference"):
            replies = [self._handle(profile, single, now) for single in singles]
            return dataclasses.replace(
                replies[0],
                text=" ".join(r.text for r in replies),
                slots=dict(intent.slots),
                negative_feedback=any(r.negative_feedback for r in replies),
            )
        reply = self._handle(profile, singles[0], now)
        if intent.name != "play":
            return reply
        later = []
        for single in singles[1:]:
            genre = slot(single, "genre")
            if genre:
                self.handlers.add_preference(profile, genre)
                later.append(genre)
        if later:  # what plays after this track
            self.dj.requests[profile.user_id] = Request(genre=later[0])
            reply = dataclasses.replace(
                reply, text=f"{reply.text} {self.dj.lines.then_also(' and '.join(later))}"
            )
        return dataclasses.replace(reply, slots=dict(intent.slots))

    def _correct(self, profile: UserProfile, correction: Intent, now: datetime) -> Reply:
        """A correction ("no, i said jazz"): undo what the last request taught (its wrong value
        is not kept as a preference or mood), then do it again with the value meant, which is
        learned."""
        done = self.dj.done.pop(profile.user_id, None)
        kind, slots = mend(done, dict(correction.slots))
        if kind == "unknown":
            return Reply(text=self.dj.lines.unknown(), intent="unknown", user_id=profile.user_id)
        if done is None or done.intent.name != kind:  # nothing to mend: the correction is new
            return self._remembered(
                profile, dataclasses.replace(correction, name=kind, slots=slots), now
            )
        profile.music_preferences[:] = done.preferences
        profile.blocked_genres[:] = done.blocked
        profile.mood, profile.mood_set_at = done.mood, done.mood_at
        if done.undo:
            self.dj.learn_rows(profile.user_id, list(done.undo))
        request = self.dj.requests.get(profile.user_id)
        if request is not None and done.intent.name == "play":
            self.dj.requests.pop(profile.user_id)
        return self._remembered(profile, dataclasses.replace(done.intent, slots=slots), now)

    def _handle(self, profile: UserProfile, intent: Intent, now: datetime) -> Reply:
        """One request, by the handler the intent table names for it."""
        slots = dict(intent.slots)
        talk = intent.name in HANDLED  # talk, questions, follow-ups: no mood to learn from
        mood = None if talk else self.handlers.learn_mood(profile, intent, now)
        if mood is not None:  # told ("i'm feeling happy"), or implied ("play something chill")
            self.dj.conversation.me.mood_heard(profile.user_id, mood, said=intent.name == "mood")
        asked = Asked(profile, intent, slots, now, mood)
        handler = self.dj.intent_table.get(intent.name, self.handlers._on_unknown)
        return handler(asked)
