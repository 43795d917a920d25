"""For the Home Assistant face's tests: the web tests' station double (real Library and DJ)
with the commands only Home Assistant sends: mood, commentary, microphone, a URL to play."""

from __future__ import annotations

import hashlib

from appliance import control
from appliance.dj.mood import MOOD_TARGETS
from appliance.library.track import Track
from tests.faces.web_station import DoubleStation


class HomeStation(DoubleStation):
    def execute(self, command: control.Command) -> control.Outcome:
        match command:
            case control.SetMood(mood=mood):
                if mood is not None and mood not in MOOD_TARGETS:
                    return control.Outcome(False, error=f"{mood!r} is not a mood")
                self.update(mood=mood)
            case control.SetCommentary(on=on):
                self.update(commentary=on)
            case control.MuteMicrophone(on=on):
                self.update(microphone_muted=on)
            case control.PlayUrl(url=url, announce=False):
                digest = hashlib.sha256(url.encode()).hexdigest()[:16]
                self._play(Track(f"url-{digest}", url, url.rsplit("/", 1)[-1], ""), "dj")
            case _:
                return super().execute(command)
        self.executed.append(command)
        return control.Outcome(True)
