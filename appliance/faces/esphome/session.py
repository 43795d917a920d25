"""One Home Assistant connection: the handshake, its requests, its commands, its state pushes.

Three tasks per connection: reading (requests answered at once, pings too), running commands
one after another through ``station.execute`` in a worker thread (a DJ turn may take seconds;
reading goes on meanwhile; a URL to play is first checked to be on this network), and, once
subscribed, pushing what changed from the station's
events. Whatever goes wrong ends this connection only, with a line in the log.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass

from appliance import __version__
from appliance.bus import Lagged, StateChanged
from appliance.control import Command, PlayUrl, Station
from appliance.faces.esphome import entities
from appliance.faces.esphome.messages import CLASS_OF, TYPE_OF, DecodeError, Message, pb
from appliance.faces.esphome.wire import NoiseWire, PlainWire, Refused
from appliance.faces.tasks import cancel_all
from appliance.state import StationState

log = logging.getLogger("appliance.faces.esphome")

API_VERSION = (1, 14)  # media player feature flags (1.11), optional object ids (1.14)
ESPHOME_VERSION = "2025.12.0"  # the ESPHome release whose API this speaks (46.x clients)
HANDSHAKE_TIMEOUT = 15.0
QUIET_BEFORE_PING = 60.0  # seconds without a byte from the client before the device pings
MAX_COMMANDS_WAITING = 16
COMMANDS_FINISH = 10.0  # seconds a closing connection's received commands get to finish
MAX_UNSENT = 256 * 1024  # a client that stops reading is dropped past this many bytes
READ_SIZE = 4096
COMMAND_REQUESTS = (
    pb.MediaPlayerCommandRequest,
    pb.ButtonCommandRequest,
    pb.SelectCommandRequest,
    pb.NumberCommandRequest,
    pb.SwitchCommandRequest,
)
BEFORE_HELLO = (pb.HelloRequest, pb.PingRequest, pb.DisconnectRequest)


@dataclass(frozen=True)
class Device:
    """Who this device says it is: ``name`` is also its mDNS host name; ``mac`` as
    aa:bb:cc:dd:ee:ff."""

    name: str
    friendly_name: str
    mac: str
    encrypted: bool

    @property
    def mac_plain(self) -> str:
        """The MAC as ESPHome writes it in mDNS and the handshake: 12 lowercase digits."""
        return self.mac.replace(":", "").lower()

    def info(self) -> Message:
        return pb.DeviceInfoResponse(
            uses_password=False,
            name=self.name,
            friendly_name=self.friendly_name,
            mac_address=self.mac.upper(),
            esphome_version=ESPHOME_VERSION,
            model="QFZZ",
            manufacturer="QFZZ",
            project_name="qfzz.appliance",
            project_version=__version__,
            api_encryption_supported=self.encrypted,
        )


class Session:
    """Serves one client until it leaves, breaks the protocol, or the face stops."""

    def __init__(
        self,
        station: Station,
        device: Device,
        wire: PlainWire | NoiseWire,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        peer: str,
        bind: str = "lan",
    ) -> None:
        self.station = station
        self.bind = bind
        self.device = device
        self.wire = wire
        self.reader = reader
        self.writer = writer
        self.peer = peer
        self.client = "a client"
        self._hello = False
        self._last_state_sent: dict[int, Message] = {}
        self._listener_options_listed: list[str] | None = None
        self._commands: asyncio.Queue[list[Command] | None] = asyncio.Queue(MAX_COMMANDS_WAITING)
        self._worker: asyncio.Task[None] | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._closing = False
        self._subscribed = False
        self._refusal = ""  # why the last command refused on this connection was refused

    # -- the connection -------------------------------------------------------------------

    async def run(self) -> None:
        """Serve until the end; never raises (a failure is logged and closes this one)."""
        try:
            self._worker = asyncio.create_task(self._run_commands())
            await self._read()
        except Refused as refused:
            log.warning("Home Assistant connection from %s refused: %s", self.peer, refused.reason)
            if refused.reply:
                with contextlib.suppress(Exception):
                    self.writer.write(refused.reply)
        except (ConnectionError, OSError, asyncio.IncompleteReadError):
            pass
        except Exception:
            log.exception("Home Assistant connection from %s failed", self.peer)
        finally:
            await self.close()

    async def close(self) -> None:
        """End the connection; commands it sent before it went still run (a client that
        vanishes right after pressing skip gets its skip), for up to COMMANDS_FINISH s."""
        self._closing = True
        await cancel_all(self._tasks)
        self._tasks.clear()
        with contextlib.suppress(Exception):
            self.writer.close()
            await asyncio.wait_for(self.writer.wait_closed(), 2.0)
        worker, self._worker = self._worker, None
        if worker is not None and not worker.done():
            try:
                await asyncio.wait_for(self._finish(worker), COMMANDS_FINISH)
            except TimeoutError:
                log.warning("Home Assistant's last commands did not finish; the rest dropped")
                worker.cancel()

    async def _finish(self, worker: asyncio.Task[None]) -> None:
        await self._commands.put(None)  # after what is queued
        await asyncio.shield(worker)

    async def _read(self) -> None:
        waited_for_ping = False
        while not self._closing:
            ready = self.wire.ready
            timeout = QUIET_BEFORE_PING if ready else HANDSHAKE_TIMEOUT
            try:
                data = await asyncio.wait_for(self.reader.read(READ_SIZE), timeout)
            except TimeoutError:
                if not ready:
                    raise Refused(f"no handshake within {HANDSHAKE_TIMEOUT:g} s") from None
                if waited_for_ping:
                    log.info("Home Assistant (%s) stopped answering; closed", self.peer)
                    return
                self._send([pb.PingRequest()])
                waited_for_ping = True
                continue
            if not data:
                return
            waited_for_ping = False
            reply, messages = self.wire.receive(data)
            if reply:
                self.writer.write(reply)
            for message_type, payload in messages:
                if not self._handle(message_type, payload):
                    return

    def _send(self, messages: list[Message]) -> None:
        if self._closing or self.writer.is_closing():
            return
        frames = [(TYPE_OF[type(message)], message.SerializeToString()) for message in messages]
        self.writer.write(self.wire.encode(frames))
        if self.writer.transport.get_write_buffer_size() > MAX_UNSENT:
            log.warning("Home Assistant (%s) is not reading what it is sent; closed", self.peer)
            self._closing = True
            self.writer.transport.abort()

    # -- requests -------------------------------------------------------------------------

    def _handle(self, message_type: int, payload: bytes) -> bool:
        """Answer one message; False when the connection should end."""
        cls = CLASS_OF.get(message_type)
        if cls is None:
            log.debug("ignored message type %d from %s", message_type, self.peer)
            return True
        message = cls()
        try:
            message.ParseFromString(payload)
        except (DecodeError, ValueError, RuntimeError) as error:
            raise Refused(f"a {cls.__name__} that does not parse") from error
        if not self._hello and not isinstance(message, BEFORE_HELLO):
            raise Refused(f"{cls.__name__} before the hello")
        if isinstance(message, pb.HelloRequest):
            self._hello = True
            self.client = "".join(c for c in message.client_info[:64] if c.isprintable())
            log.info("Home Assistant connected from %s (%s)", self.peer, self.client)
            self._send(
                [
                    pb.HelloResponse(
                        api_version_major=API_VERSION[0],
                        api_version_minor=API_VERSION[1],
                        server_info=f"QFZZ {__version__}",
                        name=self.device.name,
                    )
                ]
            )
        elif isinstance(message, pb.DeviceInfoRequest):
            self._send([self.device.info()])
        elif isinstance(message, pb.ListEntitiesRequest):
            state = self.station.snapshot()
            self._listener_options_listed = list(entities.listener_options(state))
            self._send([*entities.list_messages(state), pb.ListEntitiesDoneResponse()])
        elif isinstance(message, pb.SubscribeStatesRequest):
            if not self._subscribed:
                self._subscribed = True
                self._tasks.append(asyncio.create_task(self._push_states()))
        elif isinstance(message, pb.PingRequest):
            self._send([pb.PingResponse()])
        elif isinstance(message, pb.GetTimeRequest):
            self._send([pb.GetTimeResponse(epoch_seconds=int(time.time()))])
        elif isinstance(message, pb.DisconnectRequest):
            self._send([pb.DisconnectResponse()])
            return False
        elif isinstance(message, pb.DisconnectResponse):
            return False
        elif isinstance(message, COMMAND_REQUESTS):
            self._queue(message)
        # Anything else (logs, Home Assistant states and actions, Bluetooth, time replies)
        # this device has nothing to do with: ignored, as ESPHome ignores what it lacks.
        return True

    def _queue(self, message: Message) -> None:
        try:
            commands = entities.commands_for(message, self.station.snapshot())
        except entities.NotAllowed as refusal:
            log.warning("Home Assistant (%s) asked for %s: refused", self.peer, refusal)
            url = isinstance(refusal, entities.UrlNotAllowed)
            media_url = getattr(message, "media_url", "")
            self._tell_refused(f"Refused to play {media_url[:80]}: {refusal}" if url else
                               f"Refused: {refusal}", url=url)  # fmt: skip
            return
        try:
            self._commands.put_nowait(commands)
        except asyncio.QueueFull:
            log.warning(
                "Home Assistant (%s) sent commands faster than they run: dropped", self.peer
            )

    async def _run_commands(self) -> None:
        loop = asyncio.get_running_loop()
        while (commands := await self._commands.get()) is not None:
            for command in commands:  # a URL is checked once, by the command path
                try:
                    outcome = await loop.run_in_executor(None, self.station.execute, command)
                except Exception:
                    log.exception(
                        "the station failed %s from Home Assistant", type(command).__name__
                    )
                    continue
                if outcome.ok:
                    continue
                if isinstance(command, PlayUrl):
                    log.warning(
                        "Home Assistant (%s) asked to play %r: refused, %s",
                        self.peer,
                        command.url[:80],
                        outcome.error,
                    )
                    self._tell_refused(
                        f"Refused to play {command.url[:80]}: {outcome.error}", url=True
                    )
                else:
                    log.info(
                        "Home Assistant's %s was refused: %s", type(command).__name__, outcome.error
                    )
                    self._tell_refused(
                        f"Refused {type(command).__name__}: {outcome.error}", url=False
                    )

    def _tell_refused(self, reason: str, url: bool) -> None:
        """The API has no reply to a command: a subscribed client is told of a refusal by the
        REFUSED event, and why in the LAST_REFUSAL sensor (this connection's last refusal)."""
        self._refusal = reason
        if self._subscribed:
            self._push(self.station.snapshot(), everything=False)
            self._send([entities.refusal_event(url)])

    # -- states ---------------------------------------------------------------------------

    async def _push_states(self) -> None:
        subscription = self.station.events.subscribe(loop=asyncio.get_running_loop())
        try:
            self._push(self.station.snapshot(), everything=True)
            while not self._closing:
                event = await subscription.next()
                if isinstance(event, StateChanged):
                    self._push(event.state, everything=False)
                elif isinstance(event, Lagged):
                    self._push(self.station.snapshot(), everything=True)
        finally:
            subscription.close()

    def _push(self, state: StationState, everything: bool) -> None:
        if (
            self._listener_options_listed is not None
            and list(entities.listener_options(state)) != self._listener_options_listed
        ):
            # The listener select's options are fixed per connection: ask Home Assistant to
            # reconnect, and it lists them anew.
            self._listener_options_listed = None
            self._send([pb.DisconnectRequest()])
            return
        changed = []
        for key, message in entities.state_messages(state, self._refusal).items():
            if everything or self._last_state_sent.get(key) != message:
                self._last_state_sent[key] = message
                changed.append(message)
        if changed:
            self._send(changed)
