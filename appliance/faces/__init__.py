"""The network faces: the web page, Home Assistant (ESPHome API) and music apps (MPD).

Each face reads the station's state, sends it commands and follows its events
(:class:`appliance.control.Station`), nothing else. They run together on one asyncio loop in the
daemon's process (:mod:`appliance.faces.host`), accept only this network (:mod:`.lan`) and ask for
the station's password or key (:mod:`.secrets`).
"""
