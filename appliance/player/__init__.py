"""Music playback through mpv: the queue, crossfades, ducking under the voice, recovery."""

from appliance.player.player import Player

__all__ = ["Player"]
