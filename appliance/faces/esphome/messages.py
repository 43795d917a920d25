"""The ESPHome API's messages: aioesphomeapi's own protobuf classes and their type numbers.

The generated classes carry no type information, so they are reached through ``pb`` (typed
``Any``); ``Message`` is their common base.
"""

from __future__ import annotations

from typing import Any

from aioesphomeapi import MESSAGE_TYPE_TO_PROTO
from aioesphomeapi import api_pb2 as _api_pb2
from google.protobuf.message import DecodeError, Message  # type: ignore[import-untyped]

pb: Any = _api_pb2
CLASS_OF: dict[int, type[Message]] = dict(MESSAGE_TYPE_TO_PROTO)
TYPE_OF: dict[type[Message], int] = {cls: number for number, cls in CLASS_OF.items()}

__all__ = ["CLASS_OF", "TYPE_OF", "DecodeError", "Message", "pb"]
