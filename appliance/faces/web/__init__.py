"""The appliance's own web page and HTTP + WebSocket API (see the README's "Web page" section)."""

from appliance.faces.web.face import WebFace

__all__ = ["WebFace"]
