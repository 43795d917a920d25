"""Pairing by a spoken code: the station says six digits, the phone types them and is in.
A wrong, expired or used code is refused, codes come one at a time, and guessing them counts
with wrong passwords."""

from __future__ import annotations

import logging
import re

import pytest
import requests

from appliance.bus import DJSaid
from appliance.control import Announce
from appliance.faces.web.pairing import (
    CODE_EVERY,
    CODE_LIFE,
    MAX_TRIES,
    MAX_TRIES_ANYWHERE,
    Pairing,
)
from appliance.faces.web.security import COOKIE, FREE_FAILURES, MAX_BODY
from tests.faces.web_station import PASSWORD, DoubleStation, Served

TIMEOUT = 5


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def digits_in(text: str) -> str:
    return "".join(re.findall(r"\d", text))


def start(served: Served) -> requests.Response:
    return requests.post(f"{served.url}/api/pair/start", timeout=TIMEOUT)


def pair(
    served: Served, code: object, session: requests.Session | None = None
) -> requests.Response:
    client = session or requests.Session()
    return client.post(f"{served.url}/api/pair", json={"code": code}, timeout=TIMEOUT)


def said_code(served: Served, station: DoubleStation) -> str:
    """Ask for a code; the code the station was asked to say, privately: it is spoken but is
    neither a DJSaid event nor among the DJ's lines Home Assistant and the page show."""
    with station.events.subscribe() as heard:
        answer = start(served)
        assert answer.status_code == 200, answer.text
        assert answer.json()["seconds"] == CODE_LIFE
        said = [e for e in station.executed if isinstance(e, Announce)]
        assert said and said[-1].private, "the station said no code, or said it for the record"
        code = digits_in(said[-1].text)
        events = []
        while (event := heard.get(timeout=0)) is not None:
            events.append(event)
    assert not any(isinstance(e, DJSaid) and code in digits_in(e.said.text) for e in events)
    assert not any(code in digits_in(line.text) for line in station.snapshot().dj_lines)
    return code


def test_the_code_is_said_and_logged_and_opens_a_session(
    served: Served, station: DoubleStation, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, "appliance.faces.web")
    code = said_code(served, station)
    assert len(code) == 6
    assert any(code in record.getMessage() for record in caplog.records)  # and in the log
    phone = requests.Session()
    assert phone.get(f"{served.url}/api/state", timeout=TIMEOUT).status_code == 401
    answer = pair(served, f"{code[:3]} {code[3:]}", phone)  # typed as it is said
    assert answer.status_code == 200, answer.text
    assert "HttpOnly" in answer.headers["Set-Cookie"] and COOKIE in phone.cookies
    phone.headers["X-CSRF-Token"] = answer.json()["csrf"]
    assert phone.get(f"{served.url}/api/state", timeout=TIMEOUT).status_code == 200
    skip = phone.post(f"{served.url}/api/command", json={"command": "skip"}, timeout=TIMEOUT)
    assert skip.status_code == 200
    # used up: the same code does not open a second session
    again = pair(served, code)
    assert again.status_code == 401 and "press Pair" in again.json()["error"]
    # the password still works
    login = requests.post(f"{served.url}/api/login", json={"password": PASSWORD}, timeout=TIMEOUT)
    assert login.status_code == 200


def test_a_wrong_code_is_refused_and_the_right_one_still_works(
    served: Served, station: DoubleStation
) -> None:
    code = said_code(served, station)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    refused = pair(served, wrong)
    assert refused.status_code == 401 and "wrong code" in refused.json()["error"]
    assert "Set-Cookie" not in refused.headers
    assert pair(served, code).status_code == 200


def test_an_expired_code_is_refused(served: Served, station: DoubleStation) -> None:
    clock = Clock()
    served.face.context.pairing = Pairing(clock=clock)
    code = said_code(served, station)
    clock.now += CODE_LIFE + 0.1
    expired = pair(served, code)
    assert expired.status_code == 401 and "expired" in expired.json()["error"]
    assert pair(served, code).status_code == 401  # and gone


def test_codes_come_one_at_a_time_and_not_too_often(served: Served, station: DoubleStation) -> None:
    clock = Clock()
    served.face.context.pairing = Pairing(clock=clock)
    code = said_code(served, station)
    second = start(served)
    assert second.status_code == 429 and int(second.headers["Retry-After"]) > CODE_EVERY
    assert len([e for e in station.executed if type(e).__name__ == "Announce"]) == 1
    assert pair(served, code).status_code == 200
    soon = start(served)  # the code was used, but a new one only after a pause
    assert soon.status_code == 429 and 1 <= int(soon.headers["Retry-After"]) <= CODE_EVERY + 1
    clock.now += CODE_EVERY
    assert start(served).status_code == 200


def test_guessing_codes_voids_the_code_and_waits_like_wrong_passwords(
    served: Served, station: DoubleStation
) -> None:
    code = said_code(served, station)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    answers = [pair(served, wrong) for _ in range(MAX_TRIES)]
    assert [a.status_code for a in answers] == [401] * MAX_TRIES
    assert "too many" in answers[-1].json()["error"]
    assert MAX_TRIES >= FREE_FAILURES
    # the right code now: this address waits (shared with the password login), and the code
    # is void anyway
    late = pair(served, code)
    assert late.status_code == 429 and int(late.headers["Retry-After"]) >= 1
    login = requests.post(f"{served.url}/api/login", json={"password": PASSWORD}, timeout=TIMEOUT)
    assert login.status_code == 429
    assert start(served).status_code == 429  # no new code for a guesser either
    served.face.context.attempts.succeeded("127.0.0.1")
    assert pair(served, code).status_code == 401  # void after too many wrong tries


def test_bad_pairing_requests_get_a_clear_4xx_and_open_nothing(
    served: Served, station: DoubleStation
) -> None:
    url = f"{served.url}/api/pair"
    for body in ({"code": 123456}, {"code": None}, {"code": ["1"]}, [], {"code": "1" * 41}):
        answer = requests.post(url, json=body, timeout=TIMEOUT)
        assert answer.status_code == 400 and answer.json()["key"] == "code", body
    text = requests.post(url, data="123456", timeout=TIMEOUT)
    assert text.status_code == 400 and "JSON" in text.json()["error"]
    huge = requests.post(url, json={"code": "1" * (MAX_BODY + 10)}, timeout=TIMEOUT)
    assert huge.status_code == 413
    other = {"Origin": "http://evil.example"}
    for path in ("/api/pair", "/api/pair/start"):
        cross = requests.post(f"{served.url}{path}", json={"code": "1"}, headers=other,
                              timeout=TIMEOUT)  # fmt: skip
        assert cross.status_code == 403, path
    assert station.executed == []  # nothing was said
    assert pair(served, "123456").status_code == 401  # no code is out: nothing to match


def test_the_pairing_code_unit() -> None:
    clock = Clock()
    pairing = Pairing(clock=clock)
    assert pairing.check("000000", PHONE) is not None  # none out
    code, life = pairing.new()
    assert code is not None and re.fullmatch(r"\d{6}", code) and life == CODE_LIFE
    assert pairing.new() == (None, CODE_LIFE)
    clock.now += CODE_LIFE
    assert "expired" in (pairing.check(code, PHONE) or "")
    again, _ = pairing.new()
    assert again is not None and pairing.check(again, PHONE) is None
    assert pairing.check(again, PHONE)


PHONE = "192.168.1.20"


def test_wrong_codes_void_the_code_only_for_the_network_they_came_from() -> None:
    pairing = Pairing(clock=Clock())
    code, _ = pairing.new()
    assert code is not None
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for guesser in ("192.168.1.66", "::ffff:192.168.1.66"):  # one address, both forms
        for _ in range(MAX_TRIES // 2 + 1):
            assert pairing.check(wrong, guesser) is not None
    assert "too many" in (pairing.check(code, "192.168.1.66") or "")  # void for the guesser
    ipv6 = ["fd00::1:1", "fd00::1:2", "fd00::1:3", "fd00::1:4", "fd00::1:5"]  # one /64
    assert all(pairing.check(wrong, a) for a in ipv6)
    assert "too many" in (pairing.check(code, "fd00::1:99") or "")
    assert pairing.check(code, PHONE) is None  # the phone in the room still pairs


def test_wrong_codes_from_many_networks_void_the_code_for_all() -> None:
    pairing = Pairing(clock=Clock())
    code, _ = pairing.new()
    assert code is not None
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for n in range(MAX_TRIES_ANYWHERE):
        assert pairing.check(wrong, f"10.0.{n}.1") is not None
    assert pairing.check(code, PHONE) is not None


def test_asking_for_codes_too_often_counts_as_wrong_guesses(
    served: Served, station: DoubleStation
) -> None:
    said_code(served, station)
    refused = [start(served).status_code for _ in range(FREE_FAILURES + 1)]
    assert refused == [429] * (FREE_FAILURES + 1)
    assert served.face.context.attempts.wait("127.0.0.1") > 0
    login = requests.post(f"{served.url}/api/login", json={"password": PASSWORD}, timeout=TIMEOUT)
    assert login.status_code == 429
