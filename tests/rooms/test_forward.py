"""The programme to a snapserver on another machine: the pipe forwarded to its tcp:// source,
again after the server was killed and restarted."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from appliance.rooms.forward import Forwarder
from appliance.rooms.programme import Programme
from tests.rooms.snapcast import SnapClient, SnapServer
from tests.rooms.test_programme import ROOM_RATE, play, strength, tone, wait_for
from tests.support.pulse import PulseServer


@pytest.mark.audio
def test_the_programme_reaches_a_server_elsewhere_and_again_after_it_restarts(
    pulse: PulseServer, tmp_path: Path
) -> None:
    server = SnapServer(tmp_path / "home-server", tcp_source=True).start()
    kitchen = SnapClient(server, "kitchen", tmp_path).start()
    programme = Programme(tmp_path / "programme.fifo", "48000:16:2")
    forwarder = Forwarder(programme.fifo, "127.0.0.1", server.source_port, max_backoff=0.3)
    music = tone(tmp_path / "music.wav", 660, 30.0)  # longer than the test
    player = None
    try:
        programme.setup()
        forwarder.start()
        programme.route(True)
        second = ROOM_RATE * 4

        def heard() -> float:
            return strength(kitchen.heard()[-second // 2 :], ROOM_RATE, 660, 2)

        player = play(music, "qfzz")
        wait_for(lambda: heard() > 0.05, "the music in the kitchen")
        assert forwarder.connected and forwarder.sent > 0

        server.stop(kill=True)
        kitchen.stop()
        time.sleep(0.5)
        assert not forwarder.connected
        server.start()
        kitchen = SnapClient(server, "kitchen-again", tmp_path).start()
        wait_for(lambda: forwarder.connected, "the forwarder to reconnect")
        wait_for(lambda: heard() > 0.05, "the music in the kitchen again")
    finally:
        if player is not None:
            player.kill()
            player.wait()
        forwarder.stop()
        programme.close()
        kitchen.stop()
        server.stop(kill=True)


def test_a_server_off_the_network_is_never_sent_to(tmp_path: Path) -> None:
    import os

    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    forwarder = Forwarder(fifo, "8.8.8.8", 4953, min_backoff=0.05, max_backoff=0.05)
    forwarder.start()
    try:
        time.sleep(0.3)
        assert not forwarder.connected and forwarder.sent == 0
    finally:
        forwarder.stop()
