"""``microcred serve``: run the site on one machine.

With DEBUG on this is Django's development server. With DEBUG off it is the same server, but
static files are collected first and served by WhiteNoise, which is how the site serves them
in production too. A production deployment runs a real WSGI/ASGI server instead, for example
``gunicorn microcred.config.wsgi`` or ``uvicorn microcred.config.asgi:application``, behind a
TLS-terminating proxy; see the README.
"""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.management import call_command, get_commands, load_command_class
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.management.commands.runserver import Command as RunserverCommand
from django.core.servers import basehttp


class BannerlessRequestHandler(basehttp.WSGIRequestHandler):
    def send_response(self, code: int, message: str | None = None) -> None:
        # BaseHTTPRequestHandler.send_response without its Server header, for the answers the
        # server gives itself (400, 414, 501).
        self.log_request(code)
        self.send_response_only(code, message)
        self.send_header("Date", self.date_time_string())


class BannerlessWSGIServer(basehttp.WSGIServer):
    """Django's development server, answering without a `Server: WSGIServer/0.2 CPython/3.x` banner.

    The banner names the server and Python versions, which helps only someone matching them to
    known flaws, and Django has no setting for it.
    """

    def __init__(self, server_address: Any, handler_class: Any, *args: Any, **kwargs: Any) -> None:
        # wsgiref adds a Server header to application responses only when server_software is non-empty
        # (a documented attribute of wsgiref.handlers.BaseHandler); runserver builds its
        # ServerHandler itself, so the class is the one place to say so.
        basehttp.ServerHandler.server_software = ""
        super().__init__(server_address, BannerlessRequestHandler, *args, **kwargs)


class Command(BaseCommand):
    help = (
        "Run the site on one machine: Django's server, with static files collected and served by "
        "WhiteNoise when DEBUG is off. In production run a WSGI/ASGI server instead, e.g. "
        "'gunicorn microcred.config.wsgi' or 'uvicorn microcred.config.asgi:application'."
    )
    requires_system_checks: list[str] = []  # runserver runs the checks itself

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on (default 127.0.0.1).")
        parser.add_argument("--port", type=int, default=8000, help="Port to listen on (default 8000).")
        parser.add_argument("--noreload", action="store_true", help="Do not restart when code changes.")

    def handle(self, *args: Any, host: str, port: int, noreload: bool = False, **options: Any) -> None:
        if not 0 < port < 65536:
            raise CommandError(f"Port {port} is out of range (1–65535).")
        ipv6 = ":" in host
        addrport = f"[{host}]:{port}" if ipv6 else f"{host}:{port}"
        # The autoreloader runs this command again in a child process (RUN_MAIN set); the parent
        # has already collected the static files and printed the address.
        if os.environ.get("RUN_MAIN") != "true":
            if not settings.DEBUG:
                # Without DEBUG nothing serves app static files from their source folders;
                # WhiteNoise serves STATIC_ROOT, so it must be filled before the first request.
                call_command("collectstatic", interactive=False, verbosity=0)
            self.stdout.write(f"Microcred is at http://{addrport}/  (Ctrl+C stops it)")
            if not settings.DEBUG and settings.SECURE_SSL_REDIRECT:
                self.stdout.write(
                    "SECURE_SSL_REDIRECT is on, so plain-HTTP requests are redirected to https://. "
                    "Put a TLS proxy in front, or set SECURE_SSL_REDIRECT=0 to try the site over HTTP."
                )
        # Whichever app provides runserver (WhiteNoise's, without static serving), on our server class.
        runserver = load_command_class(get_commands()["runserver"], "runserver")
        assert isinstance(runserver, RunserverCommand), type(runserver)  # WhiteNoise's and staticfiles' extend it
        runserver.server_cls = BannerlessWSGIServer
        call_command(runserver, addrport, use_reloader=not noreload, use_ipv6=ipv6)
