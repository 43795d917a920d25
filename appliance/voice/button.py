"""Push-to-talk on a GPIO button (a board's profile names the pin: hardware/*.toml [gpio]).

The button is wired between the pin and ground; the line is read with the pull-up on and active
low, so a press is a falling edge. The kernel debounces it. Each press calls ``on_press``, which
the station maps to the listener's push-to-talk. Uses libgpiod's character device (``gpiod``),
the interface the kernel keeps; the old sysfs one is gone from current Raspberry Pi kernels.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from appliance.errors import AudioError

log = logging.getLogger(__name__)

DEBOUNCE = timedelta(milliseconds=30)


def gpio_chips() -> list[Path]:
    """The GPIO chips this machine has (none on a PC or in a container)."""
    return sorted(Path("/dev").glob("gpiochip*"))


class GpioButton:
    """Watches one GPIO line in a thread; see the module docstring."""

    def __init__(self, pin: int, on_press: Callable[[], None], chip: Path | None = None) -> None:
        try:
            import gpiod
            from gpiod.line import Bias, Direction, Edge
        except ImportError as error:
            raise AudioError(
                "push-to-talk on a GPIO button needs the gpiod package",
                hint="`.venv/bin/pip install gpiod`, or set voice.push_to_talk = false",
            ) from error
        chips = [chip] if chip is not None else gpio_chips()
        if not chips or not chips[0].exists():
            raise AudioError(
                "this machine has no GPIO chip for the push-to-talk button",
                hint="set voice.push_to_talk = false, or run on a board with GPIO pins",
            )
        settings = gpiod.LineSettings(
            direction=Direction.INPUT,
            edge_detection=Edge.FALLING,
            bias=Bias.PULL_UP,
            debounce_period=DEBOUNCE,
        )
        try:
            self._request = gpiod.request_lines(
                str(chips[0]), consumer="qfzz push-to-talk", config={pin: settings}
            )
        except OSError as error:
            raise AudioError(
                f"cannot use GPIO {pin} on {chips[0]} for push-to-talk: {error.strerror}",
                hint="check the pin in the board's profile and that the service user is in "
                "the gpio group",
            ) from error
        self.pin = pin
        self._on_press = on_press
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="gpio-button", daemon=True)
        self._thread.start()
        log.info("push-to-talk on GPIO %d", pin)

    def _run(self) -> None:
        while not self._stop.is_set():
            if not self._request.wait_edge_events(timedelta(milliseconds=200)):
                continue
            for _event in self._request.read_edge_events():
                try:
                    self._on_press()
                except Exception:
                    log.exception("push-to-talk failed")

    def close(self) -> None:
        self._stop.set()
        self._thread.join(1.0)
        self._request.release()
