"""The ears and the voice: capture, wake word, end of speech, speech recognition, speech output.

Each engine lives in its own module behind one small interface, and every heavy import (vosk,
pocketsphinx, sounddevice, the wake-word and VAD models) happens inside the module that uses it,
so importing this package costs nothing.
"""
