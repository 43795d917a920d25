"""The GPIO push-to-talk button: what happens on a machine without GPIO (like this one).

A real button needs a board's GPIO chip; where there is none, the station reports it once, with
what to do, and runs on without push-to-talk.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from appliance.errors import AudioError
from appliance.voice.button import GpioButton, gpio_chips


def test_no_gpio_chip_is_reported_with_a_way_out() -> None:
    if gpio_chips():
        pytest.skip("this machine has GPIO chips: the button would really be opened")
    with pytest.raises(AudioError) as error:
        GpioButton(17, lambda: None)
    assert "no GPIO chip" in str(error.value)
    assert "push_to_talk = false" in str(error.value.hint)


def test_a_chip_that_is_not_there() -> None:
    with pytest.raises(AudioError):
        GpioButton(17, lambda: None, chip=Path("/dev/gpiochip-not-here"))
