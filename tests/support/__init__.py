"""Helpers the tests share: a private PulseAudio server, generated audio."""
