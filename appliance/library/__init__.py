"""The local music library: scanning, tags, audio features, the index and the genre map."""
