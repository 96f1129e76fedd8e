"""The chat edge: a WebSocket bridge (with an HTTP + Server-Sent Events fallback)
between browsers and the Kafka pipeline.

Entry points: :func:`bridge.app.create_app`, :func:`bridge.server.serve` and
:func:`bridge.server.run`, configured by :class:`bridge.settings.BridgeSettings`.
The protocol is in ``docs/protocol.md``.
"""
