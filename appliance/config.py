"""The settings file: one TOML file, one frozen dataclass per section.

Every setting is declared once, with its default, what it means (the ``doc`` in its field metadata:
its docstring) and what is valid; the loader, the error messages and ``appliance config example``
all read that declaration. Validation collects
every problem in the file, each with the file, the line, the key and what would be valid (with a
"did you mean ..." for misspelt keys), so one `appliance config check` shows everything to fix.
A file that is not valid is refused as a whole: the daemon never starts on half a configuration.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import dataclasses
import errno
import glob
import os
import re
import stat
import time as _time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from typing import Any

from appliance import paths
from appliance.errors import ConfigError
from appliance.listener_id import RULE, why_not
from appliance.models.catalog import KINDS as MODEL_KINDS
from appliance.models.catalog import load_catalog
from appliance.toml_check import Checker, NotToml, Problem, close_match, load, type_name

LOG_LEVELS = ("debug", "info", "warning", "error")
MAX_BYTES = 1 << 20  # a settings file is a few KB: anything past 1 MB is not one
WAKE_WORDS = ("hey_jarvis", "okay_nabu", "hey_mycroft", "alexa", "phrase", "none")


class _Invalid(Exception):
    """One value is wrong: what is wrong with it, and what would be valid."""

    def __init__(self, problem: str, valid: str = "") -> None:
        super().__init__(problem)
        self.problem = problem
        self.valid = valid


def _rules(
    doc: str,
    *,
    kind: str,
    choices: tuple[str, ...] = (),
    low: float | None = None,
    high: float | None = None,
    example: str | None = None,
) -> dict[str, Any]:
    """A setting's meaning and rules, kept in its field's metadata."""
    return {
        "doc": doc,
        "kind": kind,
        "choices": choices,
        "low": low,
        "high": high,
        "example": example,
    }


@dataclass(frozen=True)
class StationSettings:
    """[station]: the appliance itself."""

    name: str = field(
        default="QFZZ", metadata=_rules("The station's name, as the DJ says it.", kind="text")
    )
    data_dir: Path | None = field(
        default=None,
        metadata=_rules(
            "Where databases, downloaded models and the demo library live. Unset: "
            "$APPLIANCE_DATA_DIR, else $XDG_DATA_HOME/appliance (/var/lib/appliance as a service).",
            kind="optional_path",
            example='"/var/lib/appliance"',
        ),
    )
    log_level: str = field(
        default="info",
        metadata=_rules(
            "How much the appliance writes to its log.", kind="choice", choices=LOG_LEVELS
        ),
    )
    ledger: bool = field(
        default=False,
        metadata=_rules(
            "Keep community and trust events in a tamper-evident, hash-chained log on this device.",
            kind="bool",
        ),
    )


@dataclass(frozen=True)
class DJSettings:
    """[dj]: the personality on air."""

    name: str = field(default="DJ Quantum", metadata=_rules("The DJ's on-air name.", kind="text"))
    default_user: str = field(
        default="guest",
        metadata=_rules(
            'Who is listening until someone says who they are ("guest", or an id from [[users]]).',
            kind="user_id",
        ),
    )
    commentary: float = field(
        default=0.25,
        metadata=_rules(
            "Share of track changes where the DJ talks over the intro (0: never, 1: every time).",
            kind="float",
            low=0.0,
            high=1.0,
        ),
    )
    quiet_hours: tuple[time, time] | None = field(
        default=None,
        metadata=_rules(
            'No commentary between these times, "HH:MM-HH:MM" (may cross midnight). Unset: none.',
            kind="quiet_hours",
            example='"22:00-07:00"',
        ),
    )


@dataclass(frozen=True)
class VoiceSettings:
    """[voice]: how the appliance listens."""

    wake_word: str = field(
        default="okay_nabu",  # woke for 12 of 14 held-out voices; hey_jarvis for 6
        metadata=_rules(
            'The word that wakes the appliance; "phrase" uses wake_phrase, "none" means '
            "push-to-talk only.",
            kind="choice",
            choices=WAKE_WORDS,
        ),
    )
    wake_phrase: str = field(
        default="hey dj",
        metadata=_rules('The words that wake it when wake_word = "phrase".', kind="text"),
    )
    push_to_talk: bool = field(
        default=False,
        metadata=_rules(
            "Also listen when the push-to-talk button (board GPIO) is pressed.", kind="bool"
        ),
    )
    trailing_silence_ms: int = field(
        default=500,
        metadata=_rules(
            "Silence (milliseconds) that ends what you are saying.", kind="int", low=300, high=1500
        ),
    )
    max_utterance_s: float = field(
        default=8.0,
        metadata=_rules(
            "Longest request (seconds) before it is cut off.", kind="float", low=2.0, high=30.0
        ),
    )


@dataclass(frozen=True)
class AudioSettings:
    """[audio]: the sound devices."""

    input_device: str | int | None = field(
        default=None,
        metadata=_rules(
            "Microphone: a device name (or part of it) or index from `appliance doctor`. "
            "Unset: the system default.",
            kind="device",
            example='"USB PnP Sound Device"',
        ),
    )
    output_device: str | None = field(
        default=None,
        metadata=_rules(
            'Speaker, as mpv names it (e.g. "alsa/plughw:CARD=Headphones"). Unset: the default.',
            kind="optional_text",
            example='"pulse"',
        ),
    )
    volume: int = field(
        default=70,
        metadata=_rules("Music volume at start, in percent.", kind="int", low=0, high=100),
    )
    duck_db: float = field(
        default=-15.0,
        metadata=_rules(
            "How far the music drops (dB) while the DJ talks.", kind="float", low=-40, high=0
        ),
    )


def _default_music_folders() -> tuple[Path, ...]:
    return (Path("~/Music").expanduser(),)


@dataclass(frozen=True)
class LibrarySettings:
    """[library]: where the music is."""

    music_folders: tuple[Path, ...] = field(
        default_factory=_default_music_folders,
        metadata=_rules(
            "Folders scanned for music, as absolute paths (or ~/...). A folder that does not "
            "exist yet (a USB stick not plugged in) is a warning in `appliance config check` "
            "and `appliance doctor`, not an error. An empty list, or no music in them: the demo "
            "library.",
            kind="paths",
            example='["~/Music"]',
        ),
    )


@dataclass(frozen=True)
class ModelSettings:
    """[models]: which speech models run ("auto": the hardware planner picks for this board)."""

    stt: str = field(
        default="auto",
        metadata=_rules(
            "Speech recogniser: auto or a name from `appliance models list`; or a Wyoming "
            "server on another machine, tcp://HOST:PORT (usually port 10300), or wyoming (found "
            "by zeroconf): the board's smallest local recogniser answers when it does not.",
            kind="model",
        ),
    )
    tts: str = field(
        default="auto",
        metadata=_rules(
            "The DJ's voice: auto or a catalog name; or a Wyoming server, tcp://HOST:PORT "
            "(usually port 10200) or wyoming, the local voice standing by.",
            kind="model",
        ),
    )
    wake: str = field(
        default="auto",
        metadata=_rules(
            "Wake word model: auto (follows voice.wake_word) or a catalog name.", kind="model"
        ),
    )
    vad: str = field(
        default="auto",
        metadata=_rules("Voice activity detector: auto or a catalog name.", kind="model"),
    )


@dataclass(frozen=True)
class FacesSettings:
    """[faces]: how the network faces (web page, Home Assistant, music apps) let people in."""

    bind: str = field(
        default="lan",
        metadata=_rules(
            "Who may connect: lan (this network's private and link-local addresses, and this "
            "device) or localhost (this device only). Never the internet.",
            kind="choice",
            choices=("lan", "localhost"),
        ),
    )
    password: str | None = field(
        default=None,
        metadata=_rules(
            "The password the web page and music apps ask for. Unset: one is made up at the "
            "first start, kept in the data folder and shown by `appliance run`.",
            kind="password",
            example='"<a phrase of 8 characters or more you can type on a phone>"',
        ),
    )


@dataclass(frozen=True)
class WebSettings:
    """[web]: the appliance's own web page and HTTP API, for a phone or a browser."""

    enabled: bool = field(default=True, metadata=_rules("Serve the web page.", kind="bool"))
    port: int = field(
        default=8080, metadata=_rules("TCP port of the web page.", kind="int", low=1, high=65535)
    )


@dataclass(frozen=True)
class MpdSettings:
    """[mpd]: music apps (MALP, Cantata, ncmpcpp, mpc) control it over the MPD protocol."""

    enabled: bool = field(default=True, metadata=_rules("Serve the MPD protocol.", kind="bool"))
    port: int = field(
        default=6600, metadata=_rules("TCP port for MPD clients.", kind="int", low=1, high=65535)
    )


@dataclass(frozen=True)
class HomeAssistantSettings:
    """[home_assistant]: Home Assistant finds the appliance as an ESPHome device."""

    enabled: bool = field(
        default=True, metadata=_rules("Serve the ESPHome API for Home Assistant.", kind="bool")
    )
    port: int = field(
        default=6053,
        metadata=_rules("TCP port of the ESPHome API.", kind="int", low=1, high=65535),
    )
    encryption_key: str | None = field(
        default=None,
        metadata=_rules(
            "The 32-byte base64 key Home Assistant asks for when it adds the device. Unset: "
            "one is made up at the first start, kept in the data folder and shown by "
            "`appliance run`.",
            kind="noise_key",
            example='"<32 random bytes in base64: `head -c 32 /dev/urandom | base64`>"',
        ),
    )


@dataclass(frozen=True)
class SnapcastSettings:
    """[snapcast]: the DJ's programme in every room, in sync, through a Snapcast server."""

    enabled: bool = field(
        default=False, metadata=_rules("Send the programme to Snapcast.", kind="bool")
    )
    server: str = field(
        default="127.0.0.1",
        metadata=_rules(
            "The Snapcast server's address (this board, or a home server on the LAN).",
            kind="text",
        ),
    )
    control_port: int = field(
        default=1705,
        metadata=_rules("The server's JSON-RPC control port.", kind="int", low=1, high=65535),
    )
    stream: str = field(
        default="QFZZ",
        metadata=_rules("The name of the server's stream the appliance feeds.", kind="text"),
    )
    sample_format: str = field(
        default="48000:16:2",
        metadata=_rules(
            "The stream's rate:bits:channels, as snapserver's source names it.", kind="text"
        ),
    )
    duck: str = field(
        default="everywhere",
        metadata=_rules(
            "While the DJ answers a request: duck the music in every room, or only here.",
            kind="choice",
            choices=("everywhere", "local"),
        ),
    )
    fifo: str = field(
        default="/tmp/snapfifo",
        metadata=_rules(
            "The pipe the programme is written to (and, with source_port 0, the path of "
            "snapserver's pipe:// source).",
            kind="text",
        ),
    )
    source_port: int = field(
        default=4953,
        metadata=_rules(
            "The port of the server's tcp:// source (mode=server) the programme is sent to. "
            "0: snapserver runs on this board, as the same user, and reads the pipe itself.",
            kind="int",
            low=0,
            high=65535,
        ),
    )
    local_room: str | None = field(
        default=None,
        metadata=_rules(
            "This board's own room when a snapclient runs here too (its --hostID): the board "
            "then hears the programme through Snapcast, in step with the other rooms. Unset: "
            "it plays here directly, ahead of the other rooms by Snapcast's buffer.",
            kind="optional_text",
            example='"living-room"',
        ),
    )


@dataclass(frozen=True)
class UserSettings:
    """[[users]]: a listener the DJ knows from the start (more can introduce themselves)."""

    id: str = field(
        default="", metadata=_rules("Short unique id (letters, digits, - and _).", kind="user_id")
    )
    name: str = field(default="", metadata=_rules("The name the DJ calls them by.", kind="text"))


@dataclass(frozen=True)
class Config:
    """The whole configuration: every section, and the file it was read from."""

    station: StationSettings = field(default_factory=StationSettings)
    dj: DJSettings = field(default_factory=DJSettings)
    voice: VoiceSettings = field(default_factory=VoiceSettings)
    audio: AudioSettings = field(default_factory=AudioSettings)
    library: LibrarySettings = field(default_factory=LibrarySettings)
    models: ModelSettings = field(default_factory=ModelSettings)
    faces: FacesSettings = field(default_factory=FacesSettings)
    web: WebSettings = field(default_factory=WebSettings)
    mpd: MpdSettings = field(default_factory=MpdSettings)
    home_assistant: HomeAssistantSettings = field(default_factory=HomeAssistantSettings)
    snapcast: SnapcastSettings = field(default_factory=SnapcastSettings)
    users: tuple[UserSettings, ...] = ()
    source: Path | None = None
    # what is allowed but probably not meant (a music folder not there yet): shown, not refused;
    # filled by load_config (folder_warnings), never by parse_config
    warnings: tuple[ConfigProblem, ...] = field(default=(), compare=False, repr=False)
    # the line naming library.music_folders (0: named, line unknown; None: not in the file)
    folders_line: int | None = field(default=None, compare=False, repr=False)

    def data_dir(self) -> Path:
        """The data directory: station.data_dir when set, else :func:`appliance.paths.data_dir`."""
        try:
            if self.station.data_dir is not None:
                self.station.data_dir.mkdir(parents=True, exist_ok=True)
                return self.station.data_dir
            return paths.data_dir()
        except OSError as error:
            where = f"{self.source}: station.data_dir" if self.source else "the data directory"
            reason = "it is a file, not a folder" if isinstance(error, FileExistsError) else None
            raise ConfigError(
                f"{where}: cannot use {error.filename}: {reason or error.strerror}",
                hint="set station.data_dir (or $APPLIANCE_DATA_DIR) to a folder the appliance "
                "can write",
            ) from error


SECTIONS: dict[str, type] = {
    "station": StationSettings,
    "dj": DJSettings,
    "voice": VoiceSettings,
    "audio": AudioSettings,
    "library": LibrarySettings,
    "models": ModelSettings,
    "faces": FacesSettings,
    "web": WebSettings,
    "mpd": MpdSettings,
    "home_assistant": HomeAssistantSettings,
    "snapcast": SnapcastSettings,
}


ConfigProblem = Problem
"""One thing wrong in a config file (the shape every checked TOML file reports in)."""


class InvalidConfig(ConfigError):
    """A config file with one or more problems; ``problems`` lists every one."""

    def __init__(self, problems: list[ConfigProblem]) -> None:
        self.problems = problems
        count = len(problems)
        super().__init__(
            f"invalid configuration ({count} problem{'s' if count != 1 else ''}):\n"
            + "\n".join(f"  {problem}" for problem in problems),
            hint="fix the lines above; `appliance config example` shows every setting",
        )


# --- converting and checking values ---------------------------------------------------------------


def _no_nul(value: str) -> str:
    """A NUL cannot be passed to the system (paths, devices, mpv): refused here, not at start."""
    if "\0" in value:
        raise _Invalid("contains a NUL character (\\0)", "text without control characters")
    return value


def _text(value: Any, meta: dict[str, Any]) -> str:
    if not isinstance(value, str):
        raise _Invalid(f"{type_name(value)} where text is expected", 'a quoted string, "like this"')
    if not value.strip():
        raise _Invalid("is empty", "non-empty text")
    return _no_nul(value)


def _choice(value: Any, meta: dict[str, Any]) -> str:
    valid = ", ".join(meta["choices"])
    if not isinstance(value, str):
        raise _Invalid(f"{type_name(value)} where one of the names is expected", valid)
    if value not in meta["choices"]:
        hint = close_match(value.lower(), meta["choices"])
        raise _Invalid(f"{value!r} is not one of them{hint}", valid)
    return value


def _bool(value: Any, meta: dict[str, Any]) -> bool:
    if not isinstance(value, bool):
        raise _Invalid(f"{type_name(value)} where true or false is expected", "true, false")
    return value


def _range(meta: dict[str, Any]) -> str:
    return f"{meta['low']:g} to {meta['high']:g}"


def _number(value: Any, meta: dict[str, Any], whole: bool) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _Invalid(f"{type_name(value)} where a number is expected", _range(meta))
    if whole and not isinstance(value, int):
        raise _Invalid(f"{value!r} is not a whole number", f"a whole number, {_range(meta)}")
    if not meta["low"] <= value <= meta["high"]:
        raise _Invalid(f"{value!r} is out of range", _range(meta))
    return value


def _int(value: Any, meta: dict[str, Any]) -> int:
    return int(_number(value, meta, whole=True))


def _float(value: Any, meta: dict[str, Any]) -> float:
    return float(_number(value, meta, whole=False))


def _path(value: Any) -> Path:
    if not isinstance(value, str) or not value.strip():
        raise _Invalid(f"{type_name(value)} where a folder is expected", 'a path, "/like/this"')
    path = _expand(Path(_no_nul(value)), _Invalid)
    if not path.is_absolute():
        raise _Invalid(
            f"{value!r} is a relative path: use an absolute path (relative to what the service "
            "starts in, it would point somewhere else)",
            'an absolute path or "~/...", e.g. "/media/music"',
        )
    return path


def _expand(path: Path, failure: Callable[[str, str], Exception]) -> Path:
    """``~`` and ``~user`` made absolute; a user this system does not have is ``failure``
    (Path.expanduser raises RuntimeError for it)."""
    try:
        return path.expanduser()
    except RuntimeError:
        tilde = path.parts[0] if path.parts else str(path)
        raise failure(
            f"no user {tilde[1:]!r} for {tilde}", "~/... (your home) or ~USER/... of a real user"
        ) from None


def _optional_path(value: Any, meta: dict[str, Any]) -> Path:
    return _path(value)


def _paths(value: Any, meta: dict[str, Any]) -> tuple[Path, ...]:
    if not isinstance(value, list):
        raise _Invalid(f"{type_name(value)} where a list of folders is expected", '["~/Music"]')
    return tuple(_path(item) for item in value)


def _device(value: Any, meta: dict[str, Any]) -> str | int:
    if isinstance(value, int) and not isinstance(value, bool):
        if value < 0:
            raise _Invalid(f"{value} is not a device index", "a device index >= 0 or a name")
        return value
    if isinstance(value, str) and value.strip():
        return _no_nul(value)
    raise _Invalid(f"{type_name(value)} where a device is expected", "a device name or index")


_CLOCK = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


def _quiet_hours(value: Any, meta: dict[str, Any]) -> tuple[time, time]:
    valid = '"HH:MM-HH:MM", e.g. "22:00-07:00"'
    match = _CLOCK.match(value) if isinstance(value, str) else None
    if not match:
        raise _Invalid(f"{value!r} is not a time span", valid)
    hour1, min1, hour2, min2 = (int(part) for part in match.groups())
    if hour1 > 23 or hour2 > 23 or min1 > 59 or min2 > 59:
        raise _Invalid(f"{value!r} has an impossible time", valid)
    start, end = time(hour1, min1), time(hour2, min2)
    if start == end:
        raise _Invalid(f"{value!r} starts and ends at the same time", valid)
    return start, end


def _user_id(value: Any, meta: dict[str, Any]) -> str:
    text = _text(value, meta)
    problem = why_not(text)
    if problem is not None:
        raise _Invalid(f"{text!r} {problem}", RULE)
    return text


def _placeholder(text: str) -> bool:
    """An example's "<...>" left in place of a secret of one's own."""
    return text.startswith("<") and text.endswith(">")


def _password(value: Any, meta: dict[str, Any]) -> str:
    """The faces' password: long enough not to be guessed from a phone's keyboard in a day."""
    text = _text(value, meta)
    valid = "a phrase of your own, 8 characters or more"
    if _placeholder(text.strip()):
        raise _Invalid("is the example's placeholder, not a password", valid)
    if len(text) < 8:
        raise _Invalid(f"is {len(text)} characters long", valid)
    return text


def _noise_key(value: Any, meta: dict[str, Any]) -> str:
    """Home Assistant's encryption key: exactly 32 bytes, base64 (as ESPHome writes them)."""
    text = _text(value, meta)
    valid = (
        "32 random bytes in base64 (44 characters), e.g. from `head -c 32 /dev/urandom | base64`"
    )
    if _placeholder(text.strip()):
        raise _Invalid("is the example's placeholder, not a key", valid)
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise _Invalid("is not base64", valid) from None
    if len(key) != 32:
        raise _Invalid(f"is {len(key)} bytes, not 32", valid)
    return text.strip()


def _model(value: Any, meta: dict[str, Any]) -> str:
    return _text(value, meta)  # the catalog check needs the section's key: see _check_models


_CONVERTERS: dict[str, Callable[[Any, dict[str, Any]], Any]] = {
    "text": _text,
    "optional_text": _text,
    "choice": _choice,
    "bool": _bool,
    "int": _int,
    "float": _float,
    "optional_path": _optional_path,
    "paths": _paths,
    "device": _device,
    "quiet_hours": _quiet_hours,
    "user_id": _user_id,
    "model": _model,
    "noise_key": _noise_key,
    "password": _password,
}


# --- reading a whole file -------------------------------------------------------------------------


class _Reader(Checker):
    """Builds a Config from parsed TOML, collecting every problem with its line."""

    def section(self, cls: type, raw: Any, key: tuple[str | int, ...]) -> Any:
        if not isinstance(raw, dict):
            self.report(key, f"{type_name(raw)} where a table is expected", f"[{key[0]}]")
            return cls()
        fields = {f.name: f for f in dataclasses.fields(cls)}
        values: dict[str, Any] = {}
        for name, value in raw.items():
            spec = fields.get(name)
            if spec is None:
                self.unknown((*key, name), list(fields))
                continue
            try:
                values[name] = _CONVERTERS[spec.metadata["kind"]](value, dict(spec.metadata))
            except _Invalid as error:
                self.report((*key, name), error.problem, error.valid)
        missing = [
            f.name
            for f in fields.values()
            if f.default is dataclasses.MISSING
            and f.default_factory is dataclasses.MISSING
            and f.name not in raw
        ]
        for name in missing:  # pragma: no cover - every section field has a default
            self.report((*key, name), "is missing")
        try:
            return cls(**values)
        except TypeError:  # pragma: no cover - values are checked above
            return cls()

    def users(self, raw: Any) -> tuple[UserSettings, ...]:
        if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
            self.report(("users",), "must be tables written [[users]]", "[[users]] id = ... ")
            return ()
        users = []
        seen: dict[str, int] = {}
        for index, item in enumerate(raw):
            key = ("users", index)
            for required in ("id", "name"):
                if required not in item:
                    self.report((*key, required), "is missing", "every [[users]] has id and name")
            user = self.section(UserSettings, item, key)
            if user.id:
                if user.id in seen:
                    self.report(
                        (*key, "id"),
                        f"{user.id!r} is already used by user {seen[user.id] + 1}",
                        "unique ids",
                    )
                seen.setdefault(user.id, index)
            users.append(user)
        return tuple(users)


def _check_models(reader: _Reader, models: ModelSettings) -> None:
    """Each model named in [models] must be in the catalog and of the right kind; stt and tts
    may name a Wyoming server instead."""
    from appliance.wyoming_link import ADDRESS_FORMS, USUAL_PORTS, is_remote, parse_address

    catalog = load_catalog()
    for kind in MODEL_KINDS:
        name = getattr(models, kind)
        if name == "auto":
            continue
        if is_remote(name):
            if kind not in USUAL_PORTS:
                problem = f"{name!r}: only stt and tts can be on a Wyoming server"
                reader.report(("models", kind), problem, "auto, or a catalog name")
            elif name.strip().lower() != "wyoming":
                try:
                    parse_address(name)
                except ValueError as error:
                    reader.report(("models", kind), str(error), ADDRESS_FORMS)
            continue
        names = [entry.name for entry in catalog.of_kind(kind)]
        if name in names:
            continue
        hint = close_match(name, names, cutoff=0.5)
        other = catalog.get(name)
        problem = (
            f"{name!r} is a {other.kind} model, not a {kind} model"
            if other
            else f"{name!r} is not in the model catalog{hint}"
        )
        reader.report(("models", kind), problem, ", ".join(["auto", *names]))


def _why_unusable(folder: Path) -> str | None:
    """What keeps ``folder`` from being scanned for music, or None when it is a folder.

    os.stat with every error answered: Path.exists() and is_file() raise for EACCES (a stick
    under /media/$USER is closed to other users) and ENAMETOOLONG, and one folder must never
    stop the appliance from starting."""
    try:
        info = os.stat(folder)
    except FileNotFoundError:
        return (
            "does not exist (yet?): the appliance plays what the other folders (or the demo "
            "library) hold until it does"
        )
    except PermissionError as error:
        return f"cannot be read by this user ({error.strerror})"
    except (OSError, ValueError) as error:
        return f"cannot be used: {getattr(error, 'strerror', None) or error}"
    if not stat.S_ISDIR(info.st_mode):
        return "is a file, not a folder: nothing in it is played"
    return None


def folder_warnings(config: Config) -> tuple[ConfigProblem, ...]:
    """The music folders the file names that cannot be played (yet): allowed, since a USB stick
    may be plugged in later, but said by `config check`, `doctor` and `run`. The only place
    the configuration looks at the music folders (parse_config never does)."""
    if config.folders_line is None or config.library.music_folders == _default_music_folders():
        return ()  # the default ~/Music (none: the demo library, as documented)
    name = str(config.source) if config.source else "<config>"
    warnings = []
    for folder in config.library.music_folders:
        why = _why_unusable(folder)
        if why is not None:
            warnings.append(
                ConfigProblem(
                    name,
                    config.folders_line or None,
                    "library.music_folders",
                    f"{str(folder)!r} {why}",
                    "a folder that exists once the appliance runs",
                )
            )
    return tuple(warnings)


def parse_config(text: str, source: Path | None = None) -> Config:
    """Build a Config from TOML text; raise :class:`InvalidConfig` listing every problem."""
    name = str(source) if source else "<config>"
    text = text.removeprefix("\ufeff")  # a byte-order mark, as Windows editors write
    try:
        data = load(text, name)
    except NotToml as error:
        raise InvalidConfig([error.problem]) from error.__cause__
    reader = _Reader(text, name)
    sections: dict[str, Any] = {}
    known = [*SECTIONS, "users"]
    for key, raw in data.items():
        if key in SECTIONS:
            sections[key] = reader.section(SECTIONS[key], raw, (key,))
        elif key == "users":
            sections["users"] = reader.users(raw)
        else:
            reader.unknown((key,), known)
    config = Config(**sections, source=source)
    _check_models(reader, config.models)
    ids = {user.id for user in config.users if user.id}  # a missing or invalid id is reported
    if ids and config.dj.default_user != "guest" and config.dj.default_user not in ids:
        reader.report(
            ("dj", "default_user"),
            f"{config.dj.default_user!r} is not one of the [[users]]",
            ", ".join(["guest", *sorted(ids)]),
        )
    if reader.problems:
        raise InvalidConfig(reader.sorted())
    library = data.get("library")
    if isinstance(library, dict) and "music_folders" in library:
        line = reader.line("library", "music_folders") or 0
        config = dataclasses.replace(config, folders_line=line)
    return config


def _refused(file: Path | str, problem: str, valid: str = "a UTF-8 text file") -> InvalidConfig:
    return InvalidConfig([ConfigProblem(str(file), None, "", problem, valid)])


def _refused_as(file: Path | str | os.PathLike[str]) -> Callable[[str, str], InvalidConfig]:
    return lambda problem, valid: _refused(str(file), problem, valid)


_KINDS = {
    stat.S_IFDIR: "a folder",
    stat.S_IFIFO: "a FIFO (named pipe)",
    stat.S_IFCHR: "a device",
    stat.S_IFBLK: "a device",
    stat.S_IFSOCK: "a socket",
}


def decode_config(data: bytes, source: str) -> str:
    """The text of a config file's bytes: UTF-8, with or without a byte-order mark. A byte that
    is not UTF-8 (a Latin-1 "é") is reported by line and column, not by character position."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):  # what Windows Notepad calls "Unicode"
        raise InvalidConfig(
            [
                ConfigProblem(
                    source,
                    1,
                    "",
                    "is UTF-16 text (it starts with a UTF-16 byte-order mark): the file must be "
                    "UTF-8",
                    "save it as UTF-8 (e.g. `iconv -f utf-16 -t utf-8`)",
                )
            ]
        )
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        start = data.rfind(b"\n", 0, error.start) + 1
        # the column a person counts: characters, not bytes, before the bad one
        column = len(data[start : error.start].decode("utf-8", "replace")) + 1
        byte = data[error.start : error.start + 1].hex()
        raise InvalidConfig(
            [
                ConfigProblem(
                    source,
                    line,
                    "",
                    f"byte 0x{byte} at column {column} is not UTF-8: the file must be UTF-8 text",
                    "save it as UTF-8 (e.g. `iconv -f latin1 -t utf-8`)",
                )
            ]
        ) from None


def _not_regular(file: Path | str, mode: int, named: str) -> InvalidConfig | None:
    if stat.S_ISREG(mode):
        return None
    kind = _KINDS.get(stat.S_IFMT(mode), "not a file")
    return _refused(file, f"is {kind}, not a regular file{named}", "a config file")


def read_config_file(file: Path, named: str = "") -> str:
    """The text of a settings file. Only a regular file of at most :data:`MAX_BYTES` is read:
    a FIFO would hang the check, /dev/zero would fill the memory, and merely opening some
    devices acts (/dev/watchdog arms the watchdog), so the type is checked before opening.
    ``named`` says where the name came from (" (named by $APPLIANCE_CONFIG)")."""
    try:
        before = os.stat(file)
        if refused := _not_regular(file, before.st_mode, named):
            raise refused
        # O_NONBLOCK: a FIFO swapped in since the stat returns at once instead of waiting
        descriptor = os.open(file, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | os.O_NOCTTY)
    except FileNotFoundError:
        raise _refused(file, f"no such file{named}", "`appliance config example > FILE`") from None
    except (OSError, ValueError) as error:
        reason = getattr(error, "strerror", None) or error
        raise _refused(file, f"cannot read it: {reason}{named}") from error
    try:
        if refused := _not_regular(file, os.fstat(descriptor).st_mode, named):
            raise refused  # the race guard: what was opened is what is read
        with os.fdopen(descriptor, "rb", closefd=False) as stream:
            data = stream.read(MAX_BYTES + 1)
    except OSError as error:
        raise _refused(file, f"cannot read it: {error.strerror or error}") from error
    finally:
        os.close(descriptor)
    if len(data) > MAX_BYTES:
        raise _refused(
            file,
            f"is larger than {MAX_BYTES // 2**20} MB: not a settings file",
            "a config file of a few KB (`appliance config example`)",
        )
    return decode_config(data, str(file))


def load_config(path: str | os.PathLike[str] | None = None) -> Config:
    """Read the settings file.

    ``path`` given: that file, which must exist. None: the file $APPLIANCE_CONFIG names, which
    must exist too (a misspelt name must not silently mean every default), else
    /etc/appliance/config.toml when it exists, else every default. Any problem raises
    :class:`InvalidConfig` (a ConfigError, exit code 2) listing all of them.
    """
    named = ""
    if path is None:
        variable = os.environ.get("APPLIANCE_CONFIG")
        if variable:
            named = " (named by $APPLIANCE_CONFIG)"

            def refuse(problem: str, valid: str) -> InvalidConfig:
                return _refused(variable, problem + named, valid)

            file = _expand(Path(variable), refuse)
            if not _lexists(file):
                raise _refused(
                    file,
                    f"no such file{named}",
                    "unset APPLIANCE_CONFIG, or point it at a file "
                    "(`appliance config example > FILE`)",
                )
        else:
            file = paths.config_path()
            if not _lexists(file):
                return Config()
    elif not str(path).strip():
        raise _refused(repr(str(path)), "an empty file name", "the path of a config file")
    else:
        file = _expand(Path(path), _refused_as(path))
    config = parse_config(read_config_file(file, named), file)
    return dataclasses.replace(config, warnings=folder_warnings(config))


def _lexists(file: Path) -> bool:
    """Whether there is anything (a dangling link too) at ``file``; an error other than "not
    there" (EACCES, ENAMETOOLONG) counts as something, for the reading to report."""
    try:
        os.lstat(file)
    except (FileNotFoundError, NotADirectoryError):
        return False
    except (OSError, ValueError):
        return True
    return True


def save_config(path: str | os.PathLike[str], text: str) -> Config:
    """Make ``text`` the settings file at ``path``, if it passes the same check as `config check`.

    The API a settings form will use: an invalid text raises :class:`InvalidConfig` and changes
    nothing. A valid one is written to a temporary file in the same folder, synced, renamed over
    the old file and the folder synced, so a crash or power cut leaves the old file or the new
    one, never a mix. A link is followed (the file it names is replaced, the link stays), and
    the file keeps its mode and, when root saves it, its owner (the service user must still
    read it). Returns the new Config.
    """
    from appliance.atomic import write_atomically

    file = Path(os.path.realpath(_expand(Path(path), _refused_as(path))))
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError as error:
        line = text.count("\n", 0, error.start) + 1
        raise InvalidConfig(
            [ConfigProblem(str(file), line, "", "has a character UTF-8 cannot hold", "text")]
        ) from None
    if len(data) > MAX_BYTES:
        raise _refused(file, f"the new text is larger than {MAX_BYTES // 2**20} MB", "a few KB")
    config = parse_config(decode_config(data, str(file)), file)
    try:
        old = file.stat()
    except FileNotFoundError:
        old = None
    except OSError as error:
        raise ConfigError(f"{file}: cannot save it: {error.strerror}") from error
    if old is not None and not stat.S_ISREG(old.st_mode):
        raise _refused(file, "is not a regular file: not replaced", "a config file")
    _remove_stale_temporaries(file)
    try:
        write_atomically(file, data, stat.S_IMODE(old.st_mode) if old else 0o644)
        if old is not None and os.geteuid() == 0 and (old.st_uid, old.st_gid) != (0, 0):
            os.chown(file, old.st_uid, old.st_gid)
    except OSError as error:
        raise ConfigError(
            f"{file}: cannot save it: {error.strerror or error}; the old file is unchanged",
            hint="free some space, or check the folder is writable"
            if error.errno in (errno.ENOSPC, errno.EROFS, errno.EACCES)
            else None,
        ) from error
    return config


STALE_AFTER = 600.0  # seconds: a temporary file this old belongs to a save that was killed


def _remove_stale_temporaries(file: Path) -> None:
    """Delete the temporary files of saves of ``file`` that were killed before their rename
    (old enough that no save still running can own them), so they do not pile up."""
    now = _time.time()
    try:
        for leftover in file.parent.glob(f".{glob.escape(file.name)}.*.tmp"):
            with contextlib.suppress(OSError):
                if now - leftover.lstat().st_mtime > STALE_AFTER:
                    leftover.unlink()
    except OSError:
        pass  # an unreadable folder: the save itself will say what is wrong


# --- the commented example ------------------------------------------------------------------------


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, Path):
        return _toml_value(_home_relative(value))
    if isinstance(value, tuple | list):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _home_relative(path: Path) -> str:
    home = Path.home()
    try:
        return "~/" + str(path.relative_to(home))
    except ValueError:
        return str(path)


def _wrap(text: str, width: int = 96) -> Iterator[str]:
    line = "#"
    for word in text.split():
        if len(line) + 1 + len(word) > width:
            yield line
            line = "#"
        line += " " + word
    yield line


def _valid_text(meta: dict[str, Any]) -> str:
    if meta["choices"]:
        return ", ".join(meta["choices"])
    if meta["low"] is not None:
        return f"{meta['low']:g} to {meta['high']:g}"
    return ""


def example_config() -> str:
    """A fully commented config file with every setting at its default (it passes the check)."""
    out = [
        "# QFZZ configuration: /etc/appliance/config.toml, --config FILE or $APPLIANCE_CONFIG.",
        "# Every setting is shown at its default; delete what you do not change.",
        "# Check a file with: appliance config check FILE",
    ]
    defaults = Config()
    for section, cls in SECTIONS.items():
        out += ["", *_wrap(cls.__doc__ or ""), f"[{section}]"]
        current = getattr(defaults, section)
        for spec in dataclasses.fields(cls):
            meta = spec.metadata
            valid = _valid_text(dict(meta))
            out += _wrap(meta["doc"])
            if valid:
                out.append(f"# Valid: {valid}.")
            value = getattr(current, spec.name)
            if value is None:
                out.append(f"# {spec.name} = {meta['example']}")
            else:
                out.append(f"{spec.name} = {_toml_value(value)}")
    out += ["", *_wrap(UserSettings.__doc__ or ""), "# [[users]]"]
    for spec in dataclasses.fields(UserSettings):
        out += _wrap(spec.metadata["doc"])
        out.append(f'# {spec.name} = "{"alex" if spec.name == "id" else "Alex"}"')
    return "\n".join(out) + "\n"
