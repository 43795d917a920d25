"""One exception root, one subclass per layer.

The command line turns any :class:`ApplianceError` into one clear line (what went wrong, and the
``hint``: what to do about it) and an exit code; anything else is a bug and shows a traceback.
"""

from __future__ import annotations


class ApplianceError(Exception):
    """A problem the person running the appliance can understand and fix."""

    exit_code = 1

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n  hint: {self.hint}"


class UsageError(ApplianceError):
    """The command line itself was wrong."""

    exit_code = 2


class ConfigError(ApplianceError):
    """The configuration file is invalid; the daemon refuses to start on it."""

    exit_code = 2


class StoreError(ApplianceError):
    """The DJ's database cannot be opened or is not ours."""


class LibraryError(ApplianceError):
    """The music library index cannot be opened or read."""


class AudioError(ApplianceError):
    """An audio device or the audio server is missing or failed."""


class PlayerError(ApplianceError):
    """mpv could not be started or driven."""


class SpeechError(ApplianceError):
    """A speech model (recogniser, wake word, voice) is missing or failed."""


class ModelError(ApplianceError):
    """A model download, checksum, archive or installation failed."""


class HardwareError(ApplianceError):
    """The board or its profile could not be identified or read."""
