"""The page kit's views: the health check, and the helpers every app's views share (``common``)."""

from .health import healthz

__all__ = ["healthz"]
