"""The web dashboard and API (``padan serve``): FastAPI, Jinja2 and htmx, all assets vendored."""

from padan.web.app import create_app

__all__ = ["create_app"]
