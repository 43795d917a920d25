"""The DJ in every room: the programme sent to a Snapcast server, and its rooms controlled over
Snapcast's JSON-RPC API (which rooms play the DJ, each one's volume, mute and latency)."""
