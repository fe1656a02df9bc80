"""The HTTP port every deployment serves: /healthz, /readyz, /metrics, and the routes that
platforms and features add (bot/web.py)."""

from adapters.web.server import bind, ops_app, serve_web

__all__ = ["bind", "ops_app", "serve_web"]
