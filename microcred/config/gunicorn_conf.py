"""Gunicorn settings for Microcred: ``gunicorn -c python:microcred.config.gunicorn_conf microcred.config.wsgi``.

Gunicorn names itself in a ``Server`` header on every response and has no setting to stop it (its
maintainers declined one: benoitc/gunicorn#825). The header tells only someone scanning for a
server with known flaws which one this is, so this file drops it. Gunicorn reads the file in the
master process before it forks its workers, so every worker answers without it.

Other settings come from the command line or ``GUNICORN_CMD_ARGS`` as usual.
"""

from __future__ import annotations

from gunicorn.http import wsgi

_default_headers = wsgi.Response.default_headers


def _default_headers_without_server(self: wsgi.Response) -> list[str]:
    return [line for line in _default_headers(self) if not line.lower().startswith("server:")]


# Response.default_headers builds the status line and the Server, Date and Connection headers of
# HTTP/1.x responses, the only protocol our documented deployment (behind a proxy) speaks.
wsgi.Response.default_headers = _default_headers_without_server  # type: ignore[method-assign]

# Addresses up to 8 KB reach the app, so one that is too long gets our own 414 problem details
# (MICROCRED_MAX_URI_LENGTH, 4000 by default) instead of gunicorn's HTML page at 4094.
limit_request_line = 8190
# Gunicorn 27 opens a control socket shared by every instance of the user (~/.gunicorn); we never
# use it, and parallel test runs or several sites on one host would fight over it.
control_socket_disable = True
