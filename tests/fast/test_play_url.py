"""A URL to play is checked by the station itself, whichever face sends it: a stream on another
network is refused before any deck is asked to fetch it (the fake decks never fetch)."""

from __future__ import annotations

from appliance import control as c
from appliance.events import TrackStarted
from appliance.station import QFZZStation


def test_the_station_refuses_a_url_off_this_network_from_any_face(station: QFZZStation) -> None:
    with station.events.subscribe() as subscription:
        for source in ("web", "mpd", "home_assistant", "console"):
            refused = station.execute(c.PlayUrl(url="http://93.184.216.34/x.mp3", source=source))
            assert not refused.ok and "network" in refused.error, (source, refused)
        refused = station.execute(c.PlayUrl(url="file:///etc/passwd", source="web"))
        assert not refused.ok and "http" in refused.error
        for inside in ("127.0.0.1:9", "169.254.169.254"):  # this device, link-local: refused
            refused = station.execute(c.PlayUrl(url=f"http://{inside}/x.mp3", source="web"))
            assert not refused.ok and "network" in refused.error, inside
        # one on this network is handed to the player (nothing serves it here: it fails there)
        assert station.execute(c.PlayUrl(url="http://10.255.255.1:9/x.mp3", source="web")).ok
        started = []
        while (event := subscription.get(timeout=0.5)) is not None:
            if isinstance(event, TrackStarted):
                started.append(event.track.path)
    assert not [path for path in started if "93.184" in path or path.startswith("file:")]
