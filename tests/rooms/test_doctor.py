"""`appliance doctor` on Snapcast: a real server found, a missing one or stream said with a fix."""

from __future__ import annotations

import pytest

from appliance.config import Config, SnapcastSettings, parse_config
from appliance.doctor import FAIL, OK, check_snapcast
from appliance.rooms.check import source_line
from tests.rooms.conftest import House
from tests.rooms.snapcast import SnapServer, free_port
from tests.support.pulse import PulseServer
from tests.support.waiting import wait_until


def settings(port: int, fifo: str, extra: str = "") -> Config:
    return parse_config(
        f'[snapcast]\nenabled = true\nserver = "127.0.0.1"\ncontrol_port = {port}\n'
        f'fifo = "{fifo}"\n{extra}'
    )


@pytest.mark.audio
def test_a_reachable_server_with_rooms(house: House, pulse: PulseServer) -> None:
    config = settings(house.server.control_port, str(house.server.fifo))

    def rooms_seen() -> bool:
        return any("kitchen" in check.message for check in check_snapcast(config))

    wait_until(rooms_seen, 10, "the kitchen")
    checks = list(check_snapcast(config))
    assert [check.status for check in checks] == [OK, OK, OK], checks
    assert "stream QFZZ" in checks[0].message
    assert "kitchen" in checks[1].message and "bedroom" in checks[1].message


@pytest.mark.audio
def test_a_server_down_says_what_to_do(snapserver: SnapServer, pulse: PulseServer) -> None:
    port = free_port()
    checks = list(check_snapcast(settings(port, str(snapserver.fifo))))
    assert checks[0].status == FAIL
    assert f"127.0.0.1:{port} does not answer" in checks[0].message
    assert "snapserver" in checks[0].fix and "plays here" in checks[0].fix


def test_a_missing_stream_gives_the_source_line(snapserver: SnapServer) -> None:
    config = settings(snapserver.control_port, "/tmp/snapfifo", 'stream = "Kitchen Radio"\n')
    checks = list(check_snapcast(config))
    assert checks[0].status == FAIL
    assert "no stream 'Kitchen Radio'" in checks[0].message and "QFZZ" in checks[0].message
    line = "source = tcp://127.0.0.1:4953?name=Kitchen Radio&sampleformat=48000:16:2&mode=server"
    assert line in checks[0].fix  # this board's server takes the programme from it alone
    piped = settings(
        snapserver.control_port, "/tmp/snapfifo", 'stream = "Radio"\nsource_port = 0\n'
    )
    line = "source = pipe:///tmp/snapfifo?name=Radio&sampleformat=48000:16:2"
    assert line in next(iter(check_snapcast(piped))).fix


def test_off_means_no_check() -> None:
    assert list(check_snapcast(parse_config(""))) == []


def test_a_server_elsewhere_is_given_a_tcp_source_open_to_the_network() -> None:
    elsewhere = SnapcastSettings(server="192.168.1.20", stream="House", source_port=4953)
    line = "tcp://0.0.0.0:4953?name=House&sampleformat=48000:16:2&mode=server"
    assert source_line(elsewhere) == line


def test_the_check_runs_from_inside_an_event_loop_too(snapserver: SnapServer) -> None:
    import asyncio

    config = settings(snapserver.control_port, str(snapserver.fifo))

    async def inside() -> list:
        return list(check_snapcast(config))

    checks = asyncio.run(inside())
    assert checks[0].status == OK and "stream QFZZ" in checks[0].message
