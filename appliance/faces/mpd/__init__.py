"""Music apps control the appliance over the MPD protocol (see :mod:`.face`)."""

from appliance.faces.mpd.face import MpdFace

__all__ = ["MpdFace"]
