"""[models] stt/tts naming a Wyoming server: the config check, the plan, the models chosen and
doctor (no server needed: nothing listens on the ports named here)."""

from __future__ import annotations

import pytest

from appliance.boards import get_profile
from appliance.config import parse_config
from appliance.errors import ConfigError
from appliance.models.plan import plan_models, select_models


def test_a_server_address_or_wyoming_is_a_valid_stt_and_tts() -> None:
    config = parse_config('[models]\nstt = "tcp://192.168.1.20:10300"\ntts = "wyoming"\n')
    assert config.models.stt == "tcp://192.168.1.20:10300" and config.models.tts == "wyoming"


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ('stt = "tcp://192.168.1.20"', "line 3: models.stt: 'tcp://192.168.1.20' names no port"),
        ('tts = "tcp://home:abc"', "line 3: models.tts: 'tcp://home:abc': the port must be"),
        ('wake = "tcp://home:10400"', "models.wake: 'tcp://home:10400': only stt and tts"),
    ],
)
def test_a_malformed_server_address_is_a_clear_problem_with_its_line(
    line: str, problem: str
) -> None:
    with pytest.raises(ConfigError) as raised:
        parse_config(f"[models]\n\n{line}\n")
    message = str(raised.value).replace("<config>:3:", "line 3:")
    assert problem in message
    if "wake" not in line:
        assert "tcp://HOST:PORT" in message


def test_with_a_server_the_plan_keeps_the_smallest_local_models_standing_by() -> None:
    board = get_profile("rpi-5-8gb")
    local = plan_models(board, parse_config("")).by_kind()
    remote_config = parse_config(
        '[models]\nstt = "tcp://10.0.0.5:10300"\ntts = "tcp://10.0.0.5:10200"\n'
    )
    remote = plan_models(board, remote_config)
    assert local["stt"].engine == "whisper"
    assert remote.by_kind()["stt"].engine == "pocketsphinx"
    assert remote.by_kind()["tts"].ram_mb <= local["tts"].ram_mb
    assert remote.total_ram_mb < plan_models(board, parse_config("")).total_ram_mb
    assert any("Wyoming server tcp://10.0.0.5:10300" in note for note in remote.notes)
    chosen = select_models(remote_config, board)
    assert chosen["stt"].address == "tcp://10.0.0.5:10300"
    assert chosen["tts"].address == "tcp://10.0.0.5:10200"
    assert chosen["wake"].address == "" and chosen["stt"].engine == "pocketsphinx"


def test_doctor_names_a_server_that_does_not_answer_and_the_local_engine(tmp_path) -> None:
    from appliance.doctor import WARN, check_models
    from tests.support.wyoming_servers import free_port

    config = parse_config(
        f'[station]\ndata_dir = "{tmp_path}"\n[models]\nstt = "tcp://127.0.0.1:{free_port()}"\n'
    )
    checks = list(check_models(config))
    server = [c for c in checks if c.name == "speech server"]
    assert len(server) == 1 and server[0].status == WARN
    assert "pocketsphinx" in server[0].message
