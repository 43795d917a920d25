"""The capture process: one sounddevice input stream, raw s16le mono blocks on stdout.

:class:`appliance.voice.capture.Microphone` runs this module in a child process. PortAudio freezes
its device list when it initialises, so a microphone plugged in (or an audio server started) later
is only seen by a fresh PortAudio: a fresh process gives exactly that, without tearing down other
streams of the daemon, and a stream stuck inside the audio stack is ended with a signal.

Exit codes: 0 when stdout closes, 3 when the device cannot be opened (the reason on stderr),
4 when the open stream fails.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from appliance.audio_format import FRAME_SAMPLES, RATE

EXIT_NO_DEVICE = 3
EXIT_STREAM_FAILED = 4


def parse_device(value: str) -> str | int | None:
    """ "" is the system default, digits are a device index, anything else a device name."""
    if not value:
        return None
    return int(value) if value.isdigit() else value


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="capture_worker")
    parser.add_argument("--device", default="")
    parser.add_argument("--rate", type=int, default=RATE)
    parser.add_argument("--block", type=int, default=FRAME_SAMPLES, help="samples per block")
    args = parser.parse_args(argv)

    import sounddevice

    try:
        stream = sounddevice.RawInputStream(
            device=parse_device(args.device),
            samplerate=args.rate,
            channels=1,
            dtype="int16",
            blocksize=args.block,
        )
        stream.start()
    except (sounddevice.PortAudioError, ValueError) as error:
        print(f"{error}", file=sys.stderr, flush=True)
        return EXIT_NO_DEVICE
    try:
        while True:
            data, _overflowed = stream.read(args.block)
            os.write(1, bytes(data))
    except (BrokenPipeError, KeyboardInterrupt):
        return 0
    except sounddevice.PortAudioError as error:
        print(f"{error}", file=sys.stderr, flush=True)
        return EXIT_STREAM_FAILED
    finally:
        # abort, never stop: stop() waits for buffers that a dry source never delivers
        stream.abort()
        stream.close()


if __name__ == "__main__":
    sys.exit(main())
