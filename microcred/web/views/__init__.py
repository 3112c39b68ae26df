"""The server-rendered pages. Views are thin: they parse input, call a service or selector, render."""

from .health import healthz

__all__ = ["healthz"]
