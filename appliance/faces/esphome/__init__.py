"""Home Assistant's way in: the station served as an ESPHome device (the native API).

Home Assistant finds it over mDNS and adds a media player, sensors and controls with no code on
its side; every command goes through the station's one command path.
"""

from appliance.faces.esphome.face import EsphomeFace

__all__ = ["EsphomeFace"]
