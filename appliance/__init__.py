"""QFZZ: an offline, voice-driven personal DJ for single-board computers.

The DJ API lives in :mod:`appliance.dj` (PersonalizedDJ, UserProfile), :mod:`appliance.edge`
(EdgeDeviceConfig, EdgeOptimizer) and :mod:`appliance.station` (QFZZStation, StationConfig).
"""

__version__ = "0.1.0"
